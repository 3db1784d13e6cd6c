/* fmt.h - address formatting shared by every area (src/core/fmt.c). */
#ifndef NETPROBE_FMT_H
#define NETPROBE_FMT_H

#include <stddef.h>
#include <stdint.h>

/* Room for the longest IPv6 text form and its NUL. */
#define NP_ADDR_STRLEN 46
/* IPv4 (ipver 4) or IPv6 (6) address as text into buf[NP_ADDR_STRLEN]; returns buf. */
char *np_fmt_addr(int ipver, const uint8_t *a, char *buf);
/* n bytes as colon-separated lowercase hex ("00:1a:2b"), cut to fit cap; returns buf. */
char *np_fmt_mac(const uint8_t *m, size_t n, char *buf, size_t cap);

#endif
