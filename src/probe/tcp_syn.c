/* tcp_syn.c - the TCP SYN probe (RFC 793 s3.4, RFC 9293 s3.5): probe N carries sequence number
 * isn + N, so a SYN/ACK (open) or RST/ACK (closed) acknowledging isn + N + 1 answers probe N. */
#include <stdio.h>

#include "netprobe/probe.h"
#include "wire.h"

static int build_l4(const struct np_probe_spec *s, uint32_t seq, const uint8_t *data, uint16_t n,
		    struct np_wire *w, uint32_t *l4_len)
{
	(void)data;
	(void)n;
	/* MSS 1460, SACK permitted, window scale 7: what a Linux SYN offers, so that the
	 * answer shows the server's own options. */
	static const uint8_t opts[] = { 2, 4, 0x05, 0xb4, 4, 2, 1, 3, 3, 7, 0, 0 };
	*l4_len = 20 + sizeof opts;
	return np_wire_tcp(w, s->sport, np_probe_dport(s, seq), s->isn + seq, NP_TCP_SYN, 64240, opts, sizeof opts);
}

static enum np_probe_claim match(const struct np_probe_spec *s, const struct np_packet *p,
				 uint32_t nseq, const uint8_t *src, bool from_dst,
				 struct np_probe_answer *a)
{
	if (!(np_pkt_tcp(p) && np_pkt_tcp(p)->got >= 14 && from_dst &&
	      np_pkt_tcp(p)->dport == s->sport && (np_pkt_tcp(p)->flags & NP_TCP_ACK)))
		return NP_CLAIM_NONE;
	uint32_t seq = np_pkt_tcp(p)->ack - 1 - s->isn;
	/* From the port probe `seq` went to (with a port list, each probe has its own). */
	if (seq >= nseq || np_pkt_tcp(p)->sport != np_probe_dport(s, seq))
		return !s->ports && np_pkt_tcp(p)->sport == s->dport ? NP_CLAIM_REJECT : NP_CLAIM_NONE;
	uint16_t f = np_pkt_tcp(p)->flags;
	if (!(f & (NP_TCP_RST | NP_TCP_SYN)))
		return NP_CLAIM_REJECT;
	np_probe_answer_set(a, seq, (f & NP_TCP_RST) ? NP_PV_CLOSED : NP_PV_OPEN, true, src, s->ver);
	return NP_CLAIM_ANSWER;
}

static bool match_quote(const struct np_probe_spec *s, const struct np_quote *q, uint32_t *seq)
{
	if (q->proto != 6 || q->l4_got < 8 || q->sport != s->sport)
		return false;
	*seq = q->seq - s->isn;
	return q->dport == np_probe_dport(s, *seq);
}

static void bpf(const struct np_probe_spec *s, const char *src, const char *dst, const char *icmp,
		char *buf, size_t cap)
{
	char sport[24];
	snprintf(sport, sizeof sport, " and dst port %u", s->sport);
	np_probe_bpf_l4(s, "tcp", sport, src, dst, icmp, buf, cap);
}

const struct np_probe_module np_probe_tcp_syn = {
	.kind = NP_PROBE_SYN,
	.option = "syn",
	.title = "TCP SYN",
	.stats_name = "SYN probe",
	.port_proto = "tcp",
	.port = NP_PORT_REQUIRED,
	.carries_data = false,
	.proto4 = 6, /* IPPROTO_TCP */
	.proto6 = 6,
	.silence = NP_PV_FILTERED,
	.unreachable = NP_PV_FILTERED,
	.port_unreachable = NP_PV_FILTERED,
	.build_l4 = build_l4,
	.match = match,
	.match_quote = match_quote,
	.bpf = bpf,
};
