/* sender.c - builds probe packets with libnet and sends them on raw sockets. The only file that
 * includes libnet.h. Building uses a LIBNET_NONE context (construct only, no privilege), so the
 * bytes of any probe can be made and checked without root; sending uses LIBNET_RAW4/RAW6. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Our headers first: libnet's system headers define BSD macros (icmp_id, icmp_seq...) that
 * would rename fields of struct np_quote. */
#include "netprobe/probe.h"

#include <libnet.h>

struct np_sender {
	libnet_t *l;
	uint8_t ver;
};

/* Data bytes of ICMP/UDP probes: a recognisable pattern, as ping's default fill is. */
static void fill_payload(uint8_t *buf, size_t n)
{
	static const char pattern[] = "netprobe ";
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)pattern[i % (sizeof pattern - 1)];
}

static int build_l4(const struct np_probe_spec *s, uint32_t seq, libnet_t *l, uint32_t *l4_len)
{
	uint8_t data[NP_PROBE_MAX_BYTES];
	uint16_t n = s->payload > 1400 ? 1400 : s->payload;
	fill_payload(data, n);
	libnet_ptag_t t = -1;
	switch (s->kind) {
	case NP_PROBE_ICMP:
		if (s->ver == 4)
			t = libnet_build_icmpv4_echo(ICMP_ECHO, 0, 0, s->ident, (uint16_t)seq, data, n, l, 0);
		else
			t = libnet_build_icmpv6_echo(ICMP6_ECHO_REQUEST, 0, 0, s->ident, (uint16_t)seq,
						     data, n, l, 0);
		*l4_len = 8u + n;
		break;
	case NP_PROBE_SYN: {
		/* MSS 1460, SACK permitted, window scale 7: what a Linux SYN offers, so that the
		 * answer shows the server's own options. */
		static const uint8_t opts[] = { 2, 4, 0x05, 0xb4, 4, 2, 1, 3, 3, 7, 0, 0 };
		if (libnet_build_tcp_options(opts, sizeof opts, l, 0) < 0)
			return -1;
		t = libnet_build_tcp(s->sport, s->dport, s->isn + seq, 0, TH_SYN, 64240, 0, 0,
				     LIBNET_TCP_H + sizeof opts, NULL, 0, l, 0);
		*l4_len = LIBNET_TCP_H + sizeof opts;
		break;
	}
	case NP_PROBE_UDP:
		t = libnet_build_udp((uint16_t)(s->sport + seq), s->dport, (uint16_t)(LIBNET_UDP_H + n), 0,
				     data, n, l, 0);
		*l4_len = LIBNET_UDP_H + n;
		break;
	}
	return t < 0 ? -1 : 0;
}

int np_probe_build(const struct np_probe_spec *s, uint32_t seq, uint8_t ttl, uint8_t *buf,
		   size_t cap, char *err, size_t errlen)
{
	char eb[LIBNET_ERRBUF_SIZE] = "";
	if (errlen)
		err[0] = '\0';
	/* build_l4 carries at most 1400 data bytes: refuse more rather than send fewer than asked. */
	if (s->kind != NP_PROBE_SYN && s->payload > 1400) {
		snprintf(err, errlen, "%u data bytes is more than the 1400 a probe carries", s->payload);
		return -1;
	}
	libnet_t *l = libnet_init(LIBNET_NONE, NULL, eb);
	if (!l) {
		snprintf(err, errlen, "libnet: %s", eb);
		return -1;
	}
	int rc = -1;
	uint32_t l4_len = 0;
	uint8_t *pkt = NULL;
	uint32_t len = 0;
	if (build_l4(s, seq, l, &l4_len) < 0)
		goto out;
	uint8_t proto = s->kind == NP_PROBE_SYN ? IPPROTO_TCP
			: s->kind == NP_PROBE_UDP ? IPPROTO_UDP
			: s->ver == 4		  ? IPPROTO_ICMP
						  : IPPROTO_ICMPV6;
	libnet_ptag_t ip;
	if (s->ver == 4) {
		uint32_t src, dst;
		memcpy(&src, s->src, 4);
		memcpy(&dst, s->dst, 4);
		/* IP id: distinct per probe, so replies quoting our header can be told apart. */
		ip = libnet_build_ipv4((uint16_t)(LIBNET_IPV4_H + l4_len), s->tos,
				       (uint16_t)(s->ident + seq), 0x4000 /* DF */, ttl, proto, 0, src, dst,
				       NULL, 0, l, 0);
	} else {
		struct libnet_in6_addr src, dst;
		memcpy(&src, s->src, 16);
		memcpy(&dst, s->dst, 16);
		ip = libnet_build_ipv6(s->tos, 0, (uint16_t)l4_len, proto, ttl, src, dst, NULL, 0, l, 0);
	}
	if (ip < 0 || libnet_pblock_coalesce(l, &pkt, &len) < 0)
		goto out;
	if (len > cap) {
		snprintf(err, errlen, "probe of %u bytes does not fit", len);
		free(pkt);
		libnet_destroy(l);
		return -1;
	}
	memcpy(buf, pkt, len);
	rc = (int)len;
out:
	if (rc < 0 && errlen && !err[0])
		snprintf(err, errlen, "libnet: %s", libnet_geterror(l));
	free(pkt); /* libnet 1.1.6 coalesces into malloc'd memory (no aligner without a link layer) */
	libnet_destroy(l);
	return rc;
}

int np_sender_open(struct np_sender **out, uint8_t ver, char *err, size_t errlen)
{
	char eb[LIBNET_ERRBUF_SIZE] = "";
	libnet_t *l = libnet_init(ver == 4 ? LIBNET_RAW4 : LIBNET_RAW6, NULL, eb);
	if (!l) {
		snprintf(err, errlen, "cannot open a raw socket: %s", eb);
		return -1;
	}
	struct np_sender *s = calloc(1, sizeof *s);
	if (!s) {
		libnet_destroy(l);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->l = l;
	s->ver = ver;
	*out = s;
	return 0;
}

int np_sender_bind_device(struct np_sender *s, const char *ifname, char *err, size_t errlen)
{
	/* SO_BINDTODEVICE (socket(7)): needs CAP_NET_RAW, held while the sender is opened. */
	if (setsockopt(libnet_getfd(s->l), SOL_SOCKET, SO_BINDTODEVICE, ifname,
		       (socklen_t)strlen(ifname) + 1) < 0) {
		snprintf(err, errlen, "%s: cannot send from this interface: %s", ifname, strerror(errno));
		return -1;
	}
	return 0;
}

int np_sender_send(struct np_sender *s, const uint8_t *pkt, size_t len, char *err, size_t errlen)
{
	int n = s->ver == 4 ? libnet_write_raw_ipv4(s->l, pkt, (uint32_t)len)
			    : libnet_write_raw_ipv6(s->l, pkt, (uint32_t)len);
	if (n < 0 || (size_t)n != len) {
		snprintf(err, errlen, "sending failed: %s", libnet_geterror(s->l));
		return -1;
	}
	return 0;
}

int np_sender_fd(const struct np_sender *s)
{
	return libnet_getfd(s->l);
}

void np_sender_close(struct np_sender *s)
{
	if (!s)
		return;
	libnet_destroy(s->l);
	free(s);
}
