/* probe_text.c - ping and trace as text (printer.h): iputils ping's lines ("64 bytes from
 * ...", its statistics block) with each answer's decoded Info, and traceroute's hop lines. */
#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "netprobe/printer.h"

char *np_probe_printer_addr(const struct np_probe_printer *pr, const uint8_t addr[16], char *buf,
			    size_t cap)
{
	return np_probe_fmt_addr(pr->ver, pr->scope, addr, buf, cap);
}

static void text_start(struct np_probe_printer *pr, const struct np_probe_head *h)
{
	if (h->cmd == NP_CMD_TRACE) {
		fprintf(pr->out, "trace to %s (%s), %" PRIu64 " hops max, %s probes\n", h->host,
			h->target, h->max_ttl, pr->m->title);
		return;
	}
	if (pr->quiet)
		return;
	if (!pr->m->port_proto)
		fprintf(pr->out, "PING %s (%s) %" PRIu64 "(%" PRIu64 ") bytes of data.\n", h->host,
			h->target, h->size, h->size + 8 + (pr->ver == 4 ? 20 : 40));
	else
		fprintf(pr->out, "PROBE %s (%s) port %" PRIu64 "/%s\n", h->host, h->target, h->port,
			pr->m->port_proto);
}

static void text_answer(struct np_probe_printer *pr, const struct np_packet *p,
			const struct np_probe_answer *a, double rtt, bool dup)
{
	if (pr->quiet)
		return;
	char from[NP_ADDR_STRLEN + 16];
	np_probe_printer_addr(pr, a->from, from, sizeof from);
	uint8_t ttl = pr->ver == 4 ? np_pkt_ip4(p)->ttl : np_pkt_ip6(p)->hlim;
	char info[512];
	np_format_info(p, NULL, false, info, sizeof info);
	if (a->verdict == NP_PV_REPLY) { /* an echo reply: iputils ping's line */
		uint32_t bytes = pr->ver == 4 ? np_pkt_ip4(p)->tot_len - np_pkt_ip4(p)->ihl * 4u : np_pkt_ip6(p)->plen;
		fprintf(pr->out, "%u bytes from %s: icmp_seq=%u ttl=%u", bytes, from, a->seq, ttl);
		if (pr->ver == 4)
			fprintf(pr->out, " ip_id=0x%04x", np_pkt_ip4(p)->id);
		fprintf(pr->out, " time=%.3f ms%s | %s\n", rtt, dup ? " (DUP!)" : "", info);
	} else {
		fprintf(pr->out, "From %s: seq=%u %s time=%.3f ms%s | %s\n", from, a->seq,
			np_probe_verdict_name(a->verdict), rtt, dup ? " (DUP!)" : "", info);
	}
	if (pr->verbose)
		np_print_tree(&pr->pc, p, NULL);
}

static void text_silence(struct np_probe_printer *pr, uint32_t seq, double timeout_s)
{
	/* A lost echo request shows only in the summary, as in iputils ping. */
	if (!pr->quiet && pr->m->silence != NP_PV_TIMEOUT)
		fprintf(pr->out, "From %s: seq=%u %s (no answer within %.3g s)\n", pr->target, seq,
			np_probe_verdict_name(pr->m->silence), timeout_s);
}

static void text_hop(struct np_probe_printer *pr, unsigned ttl, const struct np_probe_hop *h)
{
	fprintf(pr->out, "%2u ", ttl);
	const uint8_t *shown = NULL;
	for (uint32_t i = 0; i < h->nq; i++) {
		if (!h->answered[i]) {
			fprintf(pr->out, " *");
			continue;
		}
		if (!shown || memcmp(shown, h->from[i], 16) != 0) {
			char a[NP_ADDR_STRLEN + 16];
			fprintf(pr->out, " %s", np_probe_printer_addr(pr, h->from[i], a, sizeof a));
			shown = h->from[i];
		}
		fprintf(pr->out, "  %.3f ms", h->rtt[i]);
	}
	fprintf(pr->out, "\n");
}

void np_probe_text_summary(const struct np_probe_printer *pr, FILE *out,
			   const struct np_probe_totals *t)
{
	if (t->cmd == NP_CMD_TRACE) /* traceroute prints no statistics */
		return;
	double loss = t->sent ? 100.0 * (double)(t->sent - t->received) / t->sent : 0;
	const struct np_rtt *r = t->rtt;
	fprintf(out, "\n--- %s %s statistics ---\n", t->host, pr->m->stats_name);
	fprintf(out, "%u packets transmitted, %" PRIu64 " received", t->sent, t->received);
	if (t->duplicates)
		fprintf(out, ", +%" PRIu64 " duplicates", t->duplicates);
	if (t->errors)
		fprintf(out, ", +%" PRIu64 " errors", t->errors);
	fprintf(out, ", %g%% packet loss, time %.0fms\n", round(loss * 10) / 10, t->total_ms);
	if (t->received)
		fprintf(out, "rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms\n", r->min, np_rtt_avg(r),
			r->max, np_rtt_mdev(r));
	if (t->received && isatty(fileno(out))) {
		/* RTT histogram by decade, for a terminal. */
		fprintf(out, "rtt histogram (ms):");
		for (unsigned b = 0; b < NP_RTT_BUCKETS; b++)
			if (r->hist[b])
				fprintf(out, " %s:%u", np_rtt_bucket_name(b), r->hist[b]);
		fprintf(out, "\n");
	}
}

static void text_summary(struct np_probe_printer *pr, FILE *out, const struct np_probe_totals *t)
{
	np_probe_text_summary(pr, out, t);
}

static void text_close(struct np_probe_printer *pr)
{
	(void)pr;
}

const struct np_probe_printer_ops np_probe_text_ops = {
	.start = text_start,
	.answer = text_answer,
	.silence = text_silence,
	.hop = text_hop,
	.summary = text_summary,
	.close = text_close,
};
