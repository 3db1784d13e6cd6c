/* probe_json.c - ping and trace as JSON lines (printer.h, README.md "JSON output"): one
 * "probe" object per answer or silence (with the answer's decoded headers), one "hop" object per
 * trace hop, and a "summary". */
#include <inttypes.h>

#include "netprobe/printer.h"

static void json_start(struct np_probe_printer *pr, const struct np_probe_head *h)
{
	pr->cmd = h->cmd;
	pr->host = h->host;
}

/* "target", "port" (not for echo) and "proto" of probe a. */
static void json_probe_id(struct np_probe_printer *pr, const struct np_probe_answer *a)
{
	char dst[NP_ADDR_STRLEN + 16];
	np_probe_printer_addr(pr, a->dst, dst, sizeof dst);
	fprintf(pr->out, ",\"target\":\"%s\"", dst);
	if (pr->m->port_proto)
		fprintf(pr->out, ",\"port\":%u", a->dport);
	fprintf(pr->out, ",\"proto\":\"%s\"", pr->m->port_proto ? pr->m->port_proto : "icmp");
}

static void json_answer(struct np_probe_printer *pr, const struct np_packet *p,
			const struct np_probe_answer *a, double rtt, bool dup)
{
	char from[NP_ADDR_STRLEN + 16];
	np_probe_printer_addr(pr, a->from, from, sizeof from);
	fprintf(pr->out, "{\"type\":\"probe\",\"seq\":%u", a->seq);
	json_probe_id(pr, a);
	if (pr->connect) { /* no packet was read: no ttl, no reply object */
		fprintf(pr->out, ",\"verdict\":\"%s\",\"from\":\"%s\",\"rtt_ms\":%.3f%s,"
				 "\"unprivileged\":true,\"method\":\"connect\"}\n",
			np_probe_verdict_name(a->verdict), from, rtt, dup ? ",\"duplicate\":true" : "");
		return;
	}
	uint8_t ttl = pr->ver == 4 ? np_pkt_ip4(p)->ttl : np_pkt_ip6(p)->hlim;
	fprintf(pr->out, ",\"verdict\":\"%s\",\"from\":\"%s\",\"rtt_ms\":%.3f,\"ttl\":%u%s%s,\"reply\":",
		np_probe_verdict_name(a->verdict), from, rtt, ttl, dup ? ",\"duplicate\":true" : "",
		pr->dgram ? ",\"unprivileged\":true" : "");
	np_print_json_object(pr->out, p, NULL);
	fprintf(pr->out, "}\n");
}

static void json_sent(struct np_probe_printer *pr, uint32_t seq)
{
	(void)pr;
	(void)seq;
}

static void json_silence(struct np_probe_printer *pr, const struct np_probe_answer *a,
			 double timeout_s)
{
	(void)timeout_s;
	fprintf(pr->out, "{\"type\":\"probe\",\"seq\":%u", a->seq);
	json_probe_id(pr, a);
	fprintf(pr->out, ",\"verdict\":\"%s\"}\n", np_probe_verdict_name(a->verdict));
}

/* A scan's table rows: the probe objects already said it all. */
static void json_row(struct np_probe_printer *pr, const struct np_probe_row *r)
{
	(void)pr;
	(void)r;
}

/* A scan's summary: its size and how many targets/ports got each verdict. */
static void json_scan_counts(FILE *out, const struct np_probe_totals *t)
{
	fprintf(out, ",\"targets\":%u", t->ntargets);
	if (t->nports)
		fprintf(out, ",\"ports\":%u", t->nports);
	fprintf(out, ",\"verdicts\":{");
	bool any = false;
	for (unsigned v = 0; v < NP_PV_COUNT; v++) {
		if (!t->verdicts[v])
			continue;
		fprintf(out, "%s\"%s\":%u", any ? "," : "",
			np_probe_verdict_name((enum np_probe_verdict)v), t->verdicts[v]);
		any = true;
	}
	fprintf(out, "}");
}

static void json_hop(struct np_probe_printer *pr, unsigned ttl, const struct np_probe_hop *h)
{
	int first = -1;
	for (uint32_t i = 0; i < h->nq; i++)
		if (h->answered[i] && first < 0)
			first = (int)i;
	char addr[NP_ADDR_STRLEN + 16] = "";
	if (first >= 0)
		np_probe_printer_addr(pr, h->from[first], addr, sizeof addr);
	fprintf(pr->out, "{\"type\":\"hop\",\"ttl\":%u,\"addr\":", ttl);
	fprintf(pr->out, first >= 0 ? "\"%s\"" : "null", addr);
	fprintf(pr->out, ",\"rtt_ms\":[");
	bool any = false;
	for (uint32_t i = 0; i < h->nq; i++) {
		if (!h->answered[i])
			continue;
		fprintf(pr->out, "%s%.3f", any ? "," : "", h->rtt[i]);
		any = true;
	}
	fprintf(pr->out, "],\"reached\":%s", h->final ? "true" : "false");
	if (h->pmtu)
		fprintf(pr->out, ",\"pmtu\":%u", h->pmtu);
	fprintf(pr->out, "}\n");
}

static void json_summary(struct np_probe_printer *pr, FILE *out, const struct np_probe_totals *t)
{
	if (out != pr->out) { /* stdout's reader has gone: the summary goes to stderr, as text */
		np_probe_text_summary(pr, out, t);
		return;
	}
	double loss = t->sent ? 100.0 * (double)(t->sent - t->received) / t->sent : 0;
	fprintf(out, "{\"type\":\"summary\",\"transmitted\":%u,\"received\":%" PRIu64, t->sent,
		t->received);
	if (t->cmd != NP_CMD_TRACE)
		fprintf(out, ",\"duplicates\":%" PRIu64 ",\"errors\":%" PRIu64, t->duplicates,
			t->errors);
	fprintf(out, ",\"loss_pct\":%.1f", loss);
	/* ping: how long it ran; trace: whether the destination answered */
	if (t->cmd != NP_CMD_TRACE)
		fprintf(out, ",\"time_ms\":%.0f", t->total_ms);
	else
		fprintf(out, ",\"reached\":%s", t->reached ? "true" : "false");
	if (t->cmd == NP_CMD_TRACE && t->pmtu)
		fprintf(out, ",\"pmtu\":%u", t->pmtu);
	if (t->received)
		fprintf(out, ",\"rtt_min_ms\":%.3f,\"rtt_avg_ms\":%.3f,\"rtt_max_ms\":%.3f,\"rtt_mdev_ms\":%.3f",
			t->rtt->min, np_rtt_avg(t->rtt), t->rtt->max, np_rtt_mdev(t->rtt));
	if (t->cmd == NP_CMD_SCAN)
		json_scan_counts(out, t);
	fprintf(out, "}\n");
}

static void json_close(struct np_probe_printer *pr)
{
	(void)pr;
}

const struct np_probe_printer_ops np_probe_json_ops = {
	.start = json_start,
	.sent = json_sent,
	.answer = json_answer,
	.silence = json_silence,
	.hop = json_hop,
	.row = json_row,
	.report = np_probe_json_report,
	.summary = json_summary,
	.close = json_close,
};
