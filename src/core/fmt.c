/* fmt.c - address formatting every area uses: IPv4/IPv6 (RFC 5952 text form) and MAC. */
#include <stdio.h>

#include "netprobe/fmt.h"
#include "sbuf.h"

char *np_fmt_addr(int ipver, const uint8_t *a, char *buf)
{
	struct np_sbuf sb = np_sb_make(buf, NP_ADDR_STRLEN);
	if (ipver == 6)
		np_sb_ip6(&sb, a);
	else
		np_sb_ip4(&sb, a);
	return buf;
}

char *np_fmt_mac(const uint8_t *m, size_t n, char *buf, size_t cap)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && used + 4 <= cap; i++)
		used += (size_t)snprintf(buf + used, cap - used, i ? ":%02x" : "%02x", m[i]);
	return buf;
}
