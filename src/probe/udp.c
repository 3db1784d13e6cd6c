/* udp.c - the UDP probe (RFC 768), traceroute's: probe N leaves from source port sport + N, so a
 * UDP answer (open) or an ICMP port unreachable quoting it (closed, RFC 1122 s4.1.3.1) says
 * which probe it answers. */
#include <stdio.h>
#include <string.h>

#include "netprobe/probe.h"
#include "wire.h"

/* Paris over IPv4: one source port for every probe, the probe told by its IP id (ident + seq,
 * wire.c), which ICMP errors quote. IPv6 has no id: its raw probes keep one port each. Every
 * Paris probe also carries its sequence number in its first two data bytes, which is what a
 * socket's error queue gives back of a probe (its data: np_udp_paris_seq), so that one UDP
 * socket without privileges keeps one flow over both families (probe_conn.c). */
static bool fixed_flow(const struct np_probe_spec *s)
{
	return s->paris && s->ver == 4;
}

static int build_l4(const struct np_probe_spec *s, uint32_t seq, const uint8_t *data, uint16_t n,
		    struct np_wire *w, uint32_t *l4_len)
{
	*l4_len = 8u + n;
	uint16_t sport = fixed_flow(s) ? s->sport : (uint16_t)(s->sport + seq);
	if (!s->paris || n < 2)
		return np_wire_udp(w, sport, np_probe_dport(s, seq), data, n);
	uint8_t d[NP_PROBE_BIG_BYTES]; /* n is at most 65535 */
	memcpy(d, data, n);
	d[0] = (uint8_t)(seq >> 8);
	d[1] = (uint8_t)seq;
	return np_wire_udp(w, sport, np_probe_dport(s, seq), d, n);
}

static enum np_probe_claim match(const struct np_probe_spec *s, const struct np_packet *p,
				 uint32_t nseq, const uint8_t *src, bool from_dst,
				 struct np_probe_answer *a)
{
	/* With a fixed flow a UDP answer cannot say which probe it answers. */
	if (!(np_pkt_udp(p) && np_pkt_udp(p)->got >= 4 && from_dst) || fixed_flow(s))
		return NP_CLAIM_NONE;
	uint32_t seq = (uint16_t)(np_pkt_udp(p)->dport - s->sport);
	/* From the port probe `seq` went to (with a port list, each probe has its own). */
	if (np_pkt_udp(p)->sport != np_probe_dport(s, seq))
		return NP_CLAIM_NONE;
	if (seq >= nseq)
		return NP_CLAIM_REJECT;
	np_probe_answer_set(a, seq, NP_PV_OPEN, true, src, s->ver);
	return NP_CLAIM_ANSWER;
}

static bool match_quote(const struct np_probe_spec *s, const struct np_quote *q, uint32_t *seq)
{
	if (q->proto != 17 || q->l4_got < 4)
		return false;
	if (fixed_flow(s)) {
		*seq = (uint16_t)(q->id - s->ident);
		return q->sport == s->sport && q->dport == np_probe_dport(s, *seq);
	}
	*seq = (uint16_t)(q->sport - s->sport);
	return q->dport == np_probe_dport(s, *seq);
}

bool np_udp_paris_seq(const uint8_t *data, size_t n, uint32_t *seq)
{
	if (n < 2) /* a router that quoted the UDP header alone (RFC 792's minimum) */
		return false;
	*seq = (uint32_t)(data[0] << 8 | data[1]);
	return true;
}

static void bpf(const struct np_probe_spec *s, const char *src, const char *dst, const char *icmp,
		char *buf, size_t cap)
{
	np_probe_bpf_l4(s, "udp", "", src, dst, icmp, buf, cap);
}

const struct np_probe_module np_probe_udp = {
	.kind = NP_PROBE_UDP,
	.option = "udp",
	.title = "UDP",
	.stats_name = "UDP probe",
	.port_proto = "udp",
	.port = NP_PORT_DEFAULT,
	.default_port = 33434, /* traceroute's */
	.carries_data = true,
	.ping_data = 16,
	.trace_data = 32,
	.proto4 = 17, /* IPPROTO_UDP */
	.proto6 = 17,
	.silence = NP_PV_OPEN_FILTERED,
	.unreachable = NP_PV_FILTERED,
	.port_unreachable = NP_PV_CLOSED,
	.build_l4 = build_l4,
	.match = match,
	.match_quote = match_quote,
	.bpf = bpf,
};
