/* wire.c - libnet's packet builder for the probe modules (wire.h). libnet builds the headers and
 * fills every checksum (RFC 1071, with the IPv6 pseudo-header of RFC 8200 s8.1), as STYLE.md asks
 * of probe bytes; it lives apart from sender.c so that building never holds a socket: the
 * context here is LIBNET_NONE (construct only, no privilege), so every probe can be built and
 * checked without root. With sender.c, the only files that include libnet.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Our headers first: libnet's system headers define BSD macros (icmp_id, icmp_seq...) that
 * would rename fields of struct np_quote. */
#include "wire.h"

#include <libnet.h>

struct np_wire {
	libnet_t *l;
};

struct np_wire *np_wire_open(char *err, size_t errlen)
{
	char eb[LIBNET_ERRBUF_SIZE] = "";
	struct np_wire *w = calloc(1, sizeof *w);
	if (!w) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->l = libnet_init(LIBNET_NONE, NULL, eb);
	if (!w->l) {
		snprintf(err, errlen, "libnet: %s", eb);
		free(w);
		return NULL;
	}
	return w;
}

void np_wire_close(struct np_wire *w)
{
	if (!w)
		return;
	libnet_destroy(w->l);
	free(w);
}

const char *np_wire_error(struct np_wire *w)
{
	return libnet_geterror(w->l);
}

int np_wire_icmp_echo(struct np_wire *w, uint8_t ver, uint16_t id, uint16_t seq,
		      const uint8_t *data, uint16_t n)
{
	libnet_ptag_t t = ver == 4 ? libnet_build_icmpv4_echo(ICMP_ECHO, 0, 0, id, seq, data, n, w->l, 0)
				   /* libnet 1.1.6 declares this payload non-const; it only copies it */
				   : libnet_build_icmpv6_echo(ICMP6_ECHO_REQUEST, 0, 0, id, seq,
							      (uint8_t *)(uintptr_t)data, n, w->l, 0);
	return t < 0 ? -1 : 0;
}

int np_wire_tcp(struct np_wire *w, uint16_t sport, uint16_t dport, uint32_t seq, uint8_t flags,
		uint16_t window, const uint8_t *opts, uint32_t optlen)
{
	if (optlen && libnet_build_tcp_options(opts, optlen, w->l, 0) < 0)
		return -1;
	libnet_ptag_t t = libnet_build_tcp(sport, dport, seq, 0, flags, window, 0, 0,
					   LIBNET_TCP_H + optlen, NULL, 0, w->l, 0);
	return t < 0 ? -1 : 0;
}

int np_wire_udp(struct np_wire *w, uint16_t sport, uint16_t dport, const uint8_t *data,
		uint16_t n)
{
	libnet_ptag_t t = libnet_build_udp(sport, dport, (uint16_t)(LIBNET_UDP_H + n), 0, data, n,
					   w->l, 0);
	return t < 0 ? -1 : 0;
}

int np_wire_ip(struct np_wire *w, const struct np_probe_spec *s, uint32_t seq, uint8_t ttl,
	       uint8_t proto, uint32_t l4_len)
{
	libnet_ptag_t ip;
	if (s->ver == 4) {
		uint32_t src, dst;
		memcpy(&src, s->src, 4);
		memcpy(&dst, s->dst, 4);
		/* IP id: distinct per probe, so replies quoting our header can be told apart. */
		ip = libnet_build_ipv4((uint16_t)(LIBNET_IPV4_H + l4_len), s->tos,
				       (uint16_t)(s->ident + seq), 0x4000 /* DF */, ttl, proto, 0, src, dst,
				       NULL, 0, w->l, 0);
	} else {
		struct libnet_in6_addr src, dst;
		memcpy(&src, s->src, 16);
		memcpy(&dst, s->dst, 16);
		ip = libnet_build_ipv6(s->tos, 0, (uint16_t)l4_len, proto, ttl, src, dst, NULL, 0, w->l, 0);
	}
	return ip < 0 ? -1 : 0;
}

int np_wire_finish(struct np_wire *w, uint8_t *buf, size_t cap, char *err, size_t errlen)
{
	uint8_t *pkt = NULL;
	uint32_t len = 0;
	if (libnet_pblock_coalesce(w->l, &pkt, &len) < 0) {
		snprintf(err, errlen, "libnet: %s", libnet_geterror(w->l));
		free(pkt);
		return -1;
	}
	int rc = -1;
	if (len > cap) {
		snprintf(err, errlen, "probe of %u bytes does not fit", len);
	} else {
		memcpy(buf, pkt, len);
		rc = (int)len;
	}
	free(pkt); /* libnet 1.1.6 coalesces into malloc'd memory (no aligner without a link layer) */
	return rc;
}
