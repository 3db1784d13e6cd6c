/* probe.c - which captured packets answer our probes, and what they say (pure). Replies are
 * matched by identifiers, never by timing: ICMP id and sequence; TCP ports and ack = our
 * sequence + 1; for ICMP errors, the header they quote (RFC 792, RFC 4443 s2.4). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "netprobe/probe.h"

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
	}
	return "?";
}

enum np_probe_verdict np_probe_silence(enum np_probe_kind k)
{
	return k == NP_PROBE_ICMP ? NP_PV_TIMEOUT : k == NP_PROBE_SYN ? NP_PV_FILTERED : NP_PV_OPEN_FILTERED;
}

static size_t alen(uint8_t ver)
{
	return ver == 4 ? 4 : 16;
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

static bool seq_in(uint32_t seq, uint32_t nseq)
{
	return seq < nseq;
}

/* An ICMP/ICMPv6 error quoting one of our probes. */
static bool match_error(const struct np_probe_spec *s, const struct np_packet *p, uint32_t nseq,
			const uint8_t *from, struct np_probe_answer *a)
{
	const struct np_quote *q;
	uint8_t type, code;
	if (s->ver == 4 && np_pkt_icmp(p) && np_pkt_icmp(p)->got >= 8) {
		q = &np_pkt_icmp(p)->quote;
		type = np_pkt_icmp(p)->type;
		code = np_pkt_icmp(p)->code;
	} else if (s->ver == 6 && np_pkt_icmp6(p) && np_pkt_icmp6(p)->got >= 8) {
		q = &np_pkt_icmp6(p)->quote;
		type = np_pkt_icmp6(p)->type;
		code = np_pkt_icmp6(p)->code;
	} else {
		return false;
	}
	if (q->ipver != s->ver || q->ip_got < (s->ver == 4 ? 20 : 40) ||
	    memcmp(q->src, s->src, alen(s->ver)) != 0 || memcmp(q->dst, s->dst, alen(s->ver)) != 0)
		return false;
	uint32_t seq;
	switch (s->kind) {
	case NP_PROBE_ICMP:
		if (q->proto != (s->ver == 4 ? 1 : 58) || q->l4_got < 8 || q->icmp_id != s->ident)
			return false;
		seq = q->icmp_seq;
		break;
	case NP_PROBE_SYN:
		if (q->proto != 6 || q->l4_got < 8 || q->sport != s->sport || q->dport != s->dport)
			return false;
		seq = q->seq - s->isn;
		break;
	case NP_PROBE_UDP:
		if (q->proto != 17 || q->l4_got < 4 || q->dport != s->dport)
			return false;
		seq = (uint16_t)(q->sport - s->sport);
		break;
	default:
		return false;
	}
	if (!seq_in(seq, nseq))
		return false;
	bool exceeded = s->ver == 4 ? type == 11 : type == 3;
	bool unreach = s->ver == 4 ? type == 3 : type == 1;
	bool port_unreach = s->ver == 4 ? (type == 3 && code == 3) : (type == 1 && code == 4);
	if (!exceeded && !unreach)
		return false;
	a->seq = seq;
	memcpy(a->from, from, alen(s->ver));
	bool from_dst = memcmp(from, s->dst, alen(s->ver)) == 0;
	if (exceeded) {
		a->verdict = NP_PV_TTL_EXCEEDED;
		a->final = false;
	} else if (s->kind == NP_PROBE_UDP && port_unreach) {
		a->verdict = NP_PV_CLOSED;
		a->final = from_dst;
	} else {
		a->verdict = s->kind == NP_PROBE_ICMP ? NP_PV_UNREACHABLE : NP_PV_FILTERED;
		a->final = from_dst;
	}
	return true;
}

bool np_probe_match(const struct np_probe_spec *s, const struct np_packet *p, uint32_t nseq,
		    struct np_probe_answer *a)
{
	const uint8_t *src, *dst;
	memset(a, 0, sizeof *a);
	if (!ip_addrs(p, s->ver, &src, &dst) || memcmp(dst, s->src, alen(s->ver)) != 0)
		return false;
	bool from_dst = memcmp(src, s->dst, alen(s->ver)) == 0;
	switch (s->kind) {
	case NP_PROBE_ICMP: {
		bool v4 = s->ver == 4 && np_pkt_icmp(p) && np_pkt_icmp(p)->got >= 8 && np_pkt_icmp(p)->type == 0;
		bool v6 = s->ver == 6 && np_pkt_icmp6(p) && np_pkt_icmp6(p)->got >= 8 &&
			  np_pkt_icmp6(p)->type == 129;
		if (v4 || v6) {
			uint16_t id = v4 ? np_pkt_icmp(p)->id : np_pkt_icmp6(p)->id, seq = v4 ? np_pkt_icmp(p)->seq : np_pkt_icmp6(p)->seq;
			if (!from_dst || id != s->ident || !seq_in(seq, nseq))
				return false;
			a->seq = seq;
			a->verdict = NP_PV_REPLY;
			a->final = true;
			memcpy(a->from, src, alen(s->ver));
			return true;
		}
		break;
	}
	case NP_PROBE_SYN:
		if (np_pkt_tcp(p) && np_pkt_tcp(p)->got >= 14 && from_dst && np_pkt_tcp(p)->sport == s->dport &&
		    np_pkt_tcp(p)->dport == s->sport && (np_pkt_tcp(p)->flags & NP_TCP_ACK)) {
			uint32_t seq = np_pkt_tcp(p)->ack - 1 - s->isn;
			if (!seq_in(seq, nseq))
				return false;
			uint16_t f = np_pkt_tcp(p)->flags;
			if (f & NP_TCP_RST)
				a->verdict = NP_PV_CLOSED;
			else if (f & NP_TCP_SYN)
				a->verdict = NP_PV_OPEN;
			else
				return false;
			a->seq = seq;
			a->final = true;
			memcpy(a->from, src, alen(s->ver));
			return true;
		}
		break;
	case NP_PROBE_UDP:
		if (np_pkt_udp(p) && np_pkt_udp(p)->got >= 4 && from_dst && np_pkt_udp(p)->sport == s->dport) {
			uint32_t seq = (uint16_t)(np_pkt_udp(p)->dport - s->sport);
			if (!seq_in(seq, nseq))
				return false;
			a->seq = seq;
			a->verdict = NP_PV_OPEN;
			a->final = true;
			memcpy(a->from, src, alen(s->ver));
			return true;
		}
		break;
	}
	return match_error(s, p, nseq, src, a);
}

void np_probe_bpf(const struct np_probe_spec *s, char *buf, size_t cap)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	inet_ntop(s->ver == 4 ? AF_INET : AF_INET6, s->src, src, sizeof src);
	inet_ntop(s->ver == 4 ? AF_INET : AF_INET6, s->dst, dst, sizeof dst);
	const char *icmp = s->ver == 4 ? "icmp" : "icmp6";
	switch (s->kind) {
	case NP_PROBE_ICMP:
		snprintf(buf, cap, "%s and dst host %s", icmp, src);
		break;
	case NP_PROBE_SYN:
		snprintf(buf, cap, "dst host %s and ((tcp and src host %s and src port %u and dst port %u) or %s)",
			 src, dst, s->dport, s->sport, icmp);
		break;
	case NP_PROBE_UDP:
		snprintf(buf, cap, "dst host %s and ((udp and src host %s and src port %u) or %s)", src, dst,
			 s->dport, icmp);
		break;
	}
}
