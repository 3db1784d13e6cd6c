/* probe_report.c - trace --report / --live as mtr shows it: a table of the hops (address, Loss%,
 * Sent, Last, Avg, Best, Worst, StDev; with --pmtu each hop's path MTU) with the rate-limiting
 * hops named, redrawn in place on a terminal with --live; and as JSON, one "hop" object per hop
 * after every round. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "netprobe/printer.h"

/* The note under the table: which hops lose probes only because they limit their replies. */
static void rate_notes(struct np_probe_printer *pr, const struct np_trace_report *r)
{
	const struct np_hopstat *last = &r->hop[r->nhops - 1];
	for (unsigned i = 0; i < r->nhops; i++) {
		const struct np_hopstat *h = &r->hop[i];
		if (!h->rate_limited)
			continue;
		char a[NP_ADDR_STRLEN + 16];
		np_probe_printer_addr(pr, h->addr, a, sizeof a);
		fprintf(pr->out,
			"note: hop %u (%s) loses %.1f%% but the last hop only %.1f%%: that router "
			"limits its ICMP replies; it is not loss on the path\n",
			i + 1, a, np_hopstat_loss_pct(h), np_hopstat_loss_pct(last));
	}
}

static void table(struct np_probe_printer *pr, const struct np_trace_report *r)
{
	fprintf(pr->out, "trace report to %s (%s), round %" PRIu32, pr->host, pr->target, r->round);
	if (r->rounds)
		fprintf(pr->out, " of %" PRIu32, r->rounds);
	/* vary_flow: --vary-flow, connect() probes, raw UDP over IPv6 (trace_report.c) */
	fprintf(pr->out, ", %s probes, %s", pr->m->title,
		pr->vary_flow ? "a new flow per probe" : "fixed flow");
	if (r->pmtu) /* --pmtu: DF probes, from the route's MTU down to what the path takes */
		fprintf(pr->out, ", DF from %" PRIu32 " bytes, path MTU %" PRIu32, r->pmtu_start,
			r->pmtu);
	fprintf(pr->out, "\n%3s  %-28s %6s %5s %7s %7s %7s %7s %7s%s\n", "HOP", "ADDRESS", "Loss%",
		"Sent", "Last", "Avg", "Best", "Worst", "StDev", r->pmtu ? "  PMTU" : "");
	for (unsigned i = 0; i < r->nhops; i++) {
		const struct np_hopstat *h = &r->hop[i];
		char a[NP_ADDR_STRLEN + 16] = "???";
		if (h->has_addr)
			np_probe_printer_addr(pr, h->addr, a, sizeof a);
		fprintf(pr->out, "%3u  %-28s %5.1f%% %5" PRIu32, i + 1, a, np_hopstat_loss_pct(h),
			h->sent);
		if (h->received)
			fprintf(pr->out, " %7.3f %7.3f %7.3f %7.3f %7.3f", h->last, h->mean, h->best,
				h->worst, np_hopstat_stdev(h));
		if (r->pmtu && h->pmtu) /* the largest probe the hop answered */
			fprintf(pr->out, " %5" PRIu32, h->pmtu);
		fprintf(pr->out, "%s%s\n", h->rate_limited ? "  rate-limited" : "",
			h->other_addr ? "  (other addresses answered too)" : "");
		for (unsigned k = 0; k < h->nmore; k++) /* each path's router, as mtr lists them */
			fprintf(pr->out, "     %s\n", np_probe_printer_addr(pr, h->more[k], a, sizeof a));
	}
	rate_notes(pr, r);
}

void np_probe_text_report(struct np_probe_printer *pr, const struct np_trace_report *r)
{
	if (r->nhops == 0)
		return;
	if (pr->live && !r->last) {
		fputs("\033[H\033[2J", pr->out); /* home, clear: the table redrawn in place */
		table(pr, r);
		fflush(pr->out);
	} else if (r->last && !pr->live) {
		table(pr, r);
	}
}

/* One object per hop and round, keys with nothing to say left out. */
void np_probe_json_report(struct np_probe_printer *pr, const struct np_trace_report *r)
{
	if (r->last)
		return;
	for (unsigned i = 0; i < r->nhops; i++) {
		const struct np_hopstat *h = &r->hop[i];
		fprintf(pr->out,
			"{\"type\":\"hop\",\"ts\":\"%" PRId64 ".%06" PRId64 "\",\"round\":%" PRIu32
			",\"ttl\":%u",
			r->ts_us / 1000000, r->ts_us % 1000000, r->round, i + 1);
		if (h->has_addr) {
			char a[NP_ADDR_STRLEN + 16];
			fprintf(pr->out, ",\"addr\":\"%s\"", np_probe_printer_addr(pr, h->addr, a, sizeof a));
		}
		fprintf(pr->out, ",\"sent\":%" PRIu32 ",\"received\":%" PRIu32 ",\"loss_pct\":%.1f",
			h->sent, h->received, np_hopstat_loss_pct(h));
		if (h->received)
			fprintf(pr->out,
				",\"last_ms\":%.3f,\"avg_ms\":%.3f,\"best_ms\":%.3f,\"worst_ms\":%.3f,"
				"\"stdev_ms\":%.3f",
				h->last, h->mean, h->best, h->worst, np_hopstat_stdev(h));
		fprintf(pr->out, ",\"rate_limited\":%s", h->rate_limited ? "true" : "false");
		if (h->pmtu)
			fprintf(pr->out, ",\"pmtu\":%" PRIu32, h->pmtu);
		if (h->other_addr) {
			fprintf(pr->out, ",\"other_addr\":true,\"other_addrs\":[");
			for (unsigned k = 0; k < h->nmore; k++) {
				char a[NP_ADDR_STRLEN + 16];
				fprintf(pr->out, "%s\"%s\"", k ? "," : "",
					np_probe_printer_addr(pr, h->more[k], a, sizeof a));
			}
			fprintf(pr->out, "]");
		}
		fprintf(pr->out, "}\n");
	}
}
