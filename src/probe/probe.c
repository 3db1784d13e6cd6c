/* probe.c - the table of probe modules, and what every kind shares: building a probe's IP
 * packet around the module's transport header, telling which captured packets answer our
 * probes (pure). Replies are matched by identifiers, never by timing: ICMP id and sequence; TCP
 * ports and ack = our sequence + 1; for ICMP errors, the header they quote (RFC 792, RFC 4443
 * s2.4). Adding a probe kind: one module file and one row below. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "netprobe/probe.h"
#include "wire.h"

static const struct np_probe_module *const modules[] = {
	[NP_PROBE_ICMP] = &np_probe_icmp_echo,
	[NP_PROBE_SYN] = &np_probe_tcp_syn,
	[NP_PROBE_UDP] = &np_probe_udp,
};

const struct np_probe_module *np_probe_module(enum np_probe_kind k)
{
	return (size_t)k < sizeof modules / sizeof modules[0] ? modules[k] : NULL;
}

const struct np_probe_module *np_probe_module_by_option(const char *option)
{
	for (size_t i = 0; i < sizeof modules / sizeof modules[0]; i++)
		if (modules[i]->option && strcmp(modules[i]->option, option) == 0)
			return modules[i];
	return NULL;
}

const char *np_probe_verdict_name(enum np_probe_verdict v)
{
	switch (v) {
	case NP_PV_REPLY: return "reply";
	case NP_PV_OPEN: return "open";
	case NP_PV_CLOSED: return "closed";
	case NP_PV_FILTERED: return "filtered";
	case NP_PV_OPEN_FILTERED: return "open|filtered";
	case NP_PV_TIMEOUT: return "timeout";
	case NP_PV_UNREACHABLE: return "unreachable";
	case NP_PV_TTL_EXCEEDED: return "ttl-exceeded";
	case NP_PV_TOO_BIG: return "too-big";
	}
	return "?";
}

enum np_probe_verdict np_probe_silence(enum np_probe_kind k)
{
	return np_probe_module(k)->silence;
}

char *np_probe_fmt_addr(uint8_t ver, const char *scope, const uint8_t addr[16], char *buf,
			size_t cap)
{
	char a[INET6_ADDRSTRLEN];
	inet_ntop(ver == 4 ? AF_INET : AF_INET6, addr, a, sizeof a);
	bool link_local = ver == 6 && addr[0] == 0xfe && (addr[1] & 0xc0) == 0x80;
	snprintf(buf, cap, "%s%s%s", a, link_local && scope[0] ? "%" : "", link_local ? scope : "");
	return buf;
}

static size_t alen(uint8_t ver)
{
	return ver == 4 ? 4 : 16;
}

void np_probe_answer_set(struct np_probe_answer *a, uint32_t seq, enum np_probe_verdict v,
			 bool final, const uint8_t *from, uint8_t ver)
{
	a->seq = seq;
	a->verdict = v;
	a->final = final;
	memcpy(a->from, from, alen(ver));
}

/* Source and destination of the packet, when its IP header was captured. */
static bool ip_addrs(const struct np_packet *p, uint8_t ver, const uint8_t **src, const uint8_t **dst)
{
	if (ver == 4 && np_pkt_ip4(p) && np_pkt_ip4(p)->got >= 20) {
		*src = np_pkt_ip4(p)->src;
		*dst = np_pkt_ip4(p)->dst;
		return true;
	}
	if (ver == 6 && np_pkt_ip6(p) && np_pkt_ip6(p)->got >= 40) {
		*src = np_pkt_ip6(p)->src;
		*dst = np_pkt_ip6(p)->dst;
		return true;
	}
	return false;
}

/* An ICMP/ICMPv6 error quoting one of our probes. */
static bool match_error(const struct np_probe_spec *s, const struct np_packet *p, uint32_t nseq,
			const uint8_t *from, struct np_probe_answer *a)
{
	const struct np_quote *q;
	uint8_t type, code;
	uint32_t mtu;
	if (s->ver == 4 && np_pkt_icmp(p) && np_pkt_icmp(p)->got >= 8) {
		q = &np_pkt_icmp(p)->quote;
		type = np_pkt_icmp(p)->type;
		code = np_pkt_icmp(p)->code;
		mtu = np_pkt_icmp(p)->mtu;
	} else if (s->ver == 6 && np_pkt_icmp6(p) && np_pkt_icmp6(p)->got >= 8) {
		q = &np_pkt_icmp6(p)->quote;
		type = np_pkt_icmp6(p)->type;
		code = np_pkt_icmp6(p)->code;
		mtu = np_pkt_icmp6(p)->mtu;
	} else {
		return false;
	}
	if (q->ipver != s->ver || q->ip_got < (s->ver == 4 ? 20 : 40) ||
	    memcmp(q->src, s->src, alen(s->ver)) != 0 || memcmp(q->dst, s->dst, alen(s->ver)) != 0)
		return false;
	uint32_t seq;
	if (!np_probe_module(s->kind)->match_quote(s, q, &seq) || seq >= nseq)
		return false;
	return np_probe_error_answer(s, seq, type, code, mtu, from, a);
}

bool np_probe_error_answer(const struct np_probe_spec *s, uint32_t seq, uint8_t type,
			   uint8_t code, uint32_t mtu, const uint8_t *from,
			   struct np_probe_answer *a)
{
	bool too_big = s->ver == 4 ? (type == 3 && code == 4) : type == 2;
	if (s->pmtu && too_big) {
		np_probe_answer_set(a, seq, NP_PV_TOO_BIG, false, from, s->ver);
		a->mtu = mtu;
		return true;
	}
	bool exceeded = s->ver == 4 ? type == 11 : type == 3;
	/* packet too big without --pmtu: as IPv4's fragmentation needed, an unreachable */
	bool unreach = s->ver == 4 ? type == 3 : (type == 1 || type == 2);
	bool port_unreach = s->ver == 4 ? (type == 3 && code == 3) : (type == 1 && code == 4);
	if (!exceeded && !unreach)
		return false;
	const struct np_probe_module *m = np_probe_module(s->kind);
	bool from_dst = memcmp(from, s->dst, alen(s->ver)) == 0;
	if (exceeded)
		np_probe_answer_set(a, seq, NP_PV_TTL_EXCEEDED, false, from, s->ver);
	else
		np_probe_answer_set(a, seq, port_unreach ? m->port_unreachable : m->unreachable,
				    from_dst, from, s->ver);
	return true;
}

static bool match_any(const struct np_probe_spec *s, const struct np_packet *p, uint32_t nseq,
		      struct np_probe_answer *a)
{
	const uint8_t *src, *dst;
	memset(a, 0, sizeof *a);
	if (!ip_addrs(p, s->ver, &src, &dst) || memcmp(dst, s->src, alen(s->ver)) != 0)
		return false;
	bool from_dst = memcmp(src, s->dst, alen(s->ver)) == 0;
	switch (np_probe_module(s->kind)->match(s, p, nseq, src, from_dst, a)) {
	case NP_CLAIM_ANSWER: return true;
	case NP_CLAIM_REJECT: return false;
	case NP_CLAIM_NONE: break;
	}
	return match_error(s, p, nseq, src, a);
}

bool np_probe_match(const struct np_probe_spec *s, const struct np_packet *p, uint32_t nseq,
		    struct np_probe_answer *a)
{
	if (!match_any(s, p, nseq, a))
		return false;
	memcpy(a->dst, s->dst, alen(s->ver));
	a->dport = np_probe_module(s->kind)->port == NP_PORT_NONE ? 0 : np_probe_dport(s, a->seq);
	return true;
}

void np_probe_keys(const struct np_packet *p, uint8_t ver, struct np_probe_keys *k)
{
	memset(k, 0, sizeof *k);
	if (ver == 4 && np_pkt_ip4(p))
		k->ttl = np_pkt_ip4(p)->ttl;
	else if (ver == 6 && np_pkt_ip6(p))
		k->ttl = np_pkt_ip6(p)->hlim;
	const struct np_tcp *t = np_pkt_tcp(p);
	if (t && t->got >= 16) {
		k->tcp = true;
		k->flags = t->flags;
		k->win = t->win;
		k->has_mss = t->has_mss;
		k->mss = t->mss;
		k->has_ws = t->has_ws;
		k->ws = t->ws;
		k->sack_perm = t->sack_perm;
		k->has_ts = t->has_ts;
	}
	if (ver == 4 && np_pkt_icmp(p) && np_pkt_icmp(p)->got >= 8 && np_pkt_icmp(p)->type != 0) {
		k->icmp = true;
		k->type = np_pkt_icmp(p)->type;
		k->code = np_pkt_icmp(p)->code;
	} else if (ver == 6 && np_pkt_icmp6(p) && np_pkt_icmp6(p)->got >= 8 &&
		   np_pkt_icmp6(p)->type < 128) {
		k->icmp = true;
		k->type = np_pkt_icmp6(p)->type;
		k->code = np_pkt_icmp6(p)->code;
	}
}

void np_probe_bpf(const struct np_probe_spec *s, char *buf, size_t cap)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	inet_ntop(s->ver == 4 ? AF_INET : AF_INET6, s->src, src, sizeof src);
	inet_ntop(s->ver == 4 ? AF_INET : AF_INET6, s->dst, dst, sizeof dst);
	np_probe_module(s->kind)->bpf(s, src, s->many_dst ? NULL : dst, s->ver == 4 ? "icmp" : "icmp6",
				      buf, cap);
}

/* Data bytes of ICMP/UDP probes: a recognisable pattern, as ping's default fill is. */
static void fill_payload(uint8_t *buf, size_t n)
{
	static const char pattern[] = "netprobe ";
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)pattern[i % (sizeof pattern - 1)];
}

int np_probe_build(const struct np_probe_spec *s, uint32_t seq, uint8_t ttl, uint8_t *buf,
		   size_t cap, char *err, size_t errlen)
{
	const struct np_probe_module *m = np_probe_module(s->kind);
	if (errlen)
		err[0] = '\0';
	/* At most NP_PROBE_MAX_DATA data bytes (an ICMP echo: NP_PING_MAX_DATA, for the kernel
	 * to fragment; trace --pmtu: up to the path's MTU): refuse more rather than send fewer
	 * than asked. */
	unsigned most = m->kind == NP_PROBE_ICMP || s->pmtu ? NP_PING_MAX_DATA : NP_PROBE_MAX_DATA;
	if (m->carries_data && s->payload > most) {
		snprintf(err, errlen, "%u data bytes is more than the %u a probe carries", s->payload,
			 most);
		return -1;
	}
	struct np_wire *w = np_wire_open(err, errlen);
	if (!w)
		return -1;
	uint8_t data[NP_PING_MAX_DATA];
	uint16_t n = m->carries_data ? s->payload : 0;
	fill_payload(data, n);
	uint32_t l4_len = 0;
	int rc;
	if (m->build_l4(s, seq, data, n, w, &l4_len) < 0 ||
	    np_wire_ip(w, s, seq, ttl, s->ver == 4 ? m->proto4 : m->proto6, l4_len) < 0) {
		snprintf(err, errlen, "libnet: %s", np_wire_error(w));
		rc = -1;
	} else {
		rc = np_wire_finish(w, buf, cap, err, errlen);
	}
	np_wire_close(w);
	return rc;
}

void np_probe_bpf_l4(const struct np_probe_spec *s, const char *proto, const char *extra,
		     const char *src, const char *dst, const char *icmp, char *buf, size_t cap)
{
	char peer[96] = "", port[24] = "";
	if (dst)
		snprintf(peer, sizeof peer, " and src host %s", dst);
	if (!s->ports)
		snprintf(port, sizeof port, " and src port %u", s->dport);
	snprintf(buf, cap, "dst host %s and ((%s%s%s%s) or %s)", src, proto, peer, port, extra, icmp);
}
