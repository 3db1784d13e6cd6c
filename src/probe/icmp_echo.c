/* icmp_echo.c - the ICMP echo probe (RFC 792) and the ICMPv6 one (RFC 4443 s4.1): the answer is
 * an echo reply from the target carrying our identifier and a sequence number we sent. */
#include <stdio.h>
#include <string.h>

#include "netprobe/probe.h"
#include "wire.h"

static int build_l4(const struct np_probe_spec *s, uint32_t seq, const uint8_t *data, uint16_t n,
		    struct np_wire *w, uint32_t *l4_len)
{
	*l4_len = 8u + n;
	if (!s->paris || n < 2)
		return np_wire_icmp_echo(w, s->ver, s->ident, (uint16_t)seq, data, n);
	/* Paris: the first two data bytes are ~seq, so the one's-complement sum over seq and
	 * them, and so the checksum, is the same for every probe (RFC 1071). */
	uint8_t d[NP_PING_MAX_DATA];
	memcpy(d, data, n);
	d[0] = (uint8_t)(~seq >> 8);
	d[1] = (uint8_t)~seq;
	return np_wire_icmp_echo(w, s->ver, s->ident, (uint16_t)seq, d, n);
}

static enum np_probe_claim match(const struct np_probe_spec *s, const struct np_packet *p,
				 uint32_t nseq, const uint8_t *src, bool from_dst,
				 struct np_probe_answer *a)
{
	bool v4 = s->ver == 4 && np_pkt_icmp(p) && np_pkt_icmp(p)->got >= 8 && np_pkt_icmp(p)->type == 0;
	bool v6 = s->ver == 6 && np_pkt_icmp6(p) && np_pkt_icmp6(p)->got >= 8 &&
		  np_pkt_icmp6(p)->type == 129;
	if (!v4 && !v6)
		return NP_CLAIM_NONE;
	uint16_t id = v4 ? np_pkt_icmp(p)->id : np_pkt_icmp6(p)->id, seq = v4 ? np_pkt_icmp(p)->seq : np_pkt_icmp6(p)->seq;
	if (!from_dst || id != s->ident || seq >= nseq)
		return NP_CLAIM_REJECT;
	np_probe_answer_set(a, seq, NP_PV_REPLY, true, src, s->ver);
	return NP_CLAIM_ANSWER;
}

static bool match_quote(const struct np_probe_spec *s, const struct np_quote *q, uint32_t *seq)
{
	if (q->proto != (s->ver == 4 ? 1 : 58) || q->l4_got < 8 || q->icmp_id != s->ident)
		return false;
	*seq = q->icmp_seq;
	return true;
}

static void bpf(const struct np_probe_spec *s, const char *src, const char *dst, const char *icmp,
		char *buf, size_t cap)
{
	(void)s;
	(void)dst;
	snprintf(buf, cap, "%s and dst host %s", icmp, src);
}

const struct np_probe_module np_probe_icmp_echo = {
	.kind = NP_PROBE_ICMP,
	.option = NULL,
	.title = "ICMP echo",
	.stats_name = "ping",
	.port_proto = NULL,
	.port = NP_PORT_NONE,
	.carries_data = true,
	.ping_data = 56,
	.trace_data = 32,
	.proto4 = 1,  /* IPPROTO_ICMP */
	.proto6 = 58, /* IPPROTO_ICMPV6 */
	.silence = NP_PV_TIMEOUT,
	.unreachable = NP_PV_UNREACHABLE,
	.port_unreachable = NP_PV_UNREACHABLE,
	.build_l4 = build_l4,
	.match = match,
	.match_quote = match_quote,
	.bpf = bpf,
};
