/* wire.h - libnet's packet builder behind our own types (wire.c), for the probe modules: they
 * say which header goes on with which fields, wire.c alone speaks libnet. Construct only: a
 * wire context can never send. */
#ifndef NETPROBE_PROBE_WIRE_H
#define NETPROBE_PROBE_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "netprobe/probe.h"

/* A LIBNET_NONE context; NULL with err on failure. */
struct np_wire *np_wire_open(char *err, size_t errlen);
void np_wire_close(struct np_wire *w);

/* Transport headers (the modules' build_l4). 0, or -1 (error in np_wire_error). */
int np_wire_icmp_echo(struct np_wire *w, uint8_t ver, uint16_t id, uint16_t seq,
		      const uint8_t *data, uint16_t n);
int np_wire_tcp(struct np_wire *w, uint16_t sport, uint16_t dport, uint32_t seq, uint8_t flags,
		uint16_t window, const uint8_t *opts, uint32_t optlen);
int np_wire_udp(struct np_wire *w, uint16_t sport, uint16_t dport, const uint8_t *data,
		uint16_t n);
/* The IP header of `s` above `l4_len` transport bytes of protocol `proto`. */
int np_wire_ip(struct np_wire *w, const struct np_probe_spec *s, uint32_t seq, uint8_t ttl,
	       uint8_t proto, uint32_t l4_len);
/* The packet, checksums filled, copied into buf. Its length, or -1 with err. */
int np_wire_finish(struct np_wire *w, uint8_t *buf, size_t cap, char *err, size_t errlen);
const char *np_wire_error(struct np_wire *w);

/* The BPF filter of a TCP or UDP probe's answers: to `src` from `dst` (NULL: any) over `proto`
 * ("tcp", "udp") from the probed port (every port of a list: no port test) and `extra` (a
 * further test, "" for none), or the ICMP errors `icmp` selects. */
void np_probe_bpf_l4(const struct np_probe_spec *s, const char *proto, const char *extra,
		     const char *src, const char *dst, const char *icmp, char *buf, size_t cap);

#endif
