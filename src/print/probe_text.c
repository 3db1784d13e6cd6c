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

/* A scan's first line: what it probes, how many, how fast. */
static void scan_start(struct np_probe_printer *pr, const struct np_probe_head *h)
{
	fprintf(pr->out, "PROBE %s: %u target%s", h->host, h->ntargets, h->ntargets == 1 ? "" : "s");
	if (pr->m->port_proto)
		fprintf(pr->out, ", %u port%s/%s", h->nports, h->nports == 1 ? "" : "s",
			pr->m->port_proto);
	fprintf(pr->out, ", %u probe%s at %g/s\n", h->probes, h->probes == 1 ? "" : "s", h->rate);
}

static void text_start(struct np_probe_printer *pr, const struct np_probe_head *h)
{
	pr->cmd = h->cmd;
	pr->host = h->host;
	pr->row_target[0] = '\0';
	if (h->cmd == NP_CMD_REPORT) /* its header goes with each table */
		return;
	if (h->cmd == NP_CMD_SCAN) {
		if (!pr->quiet)
			scan_start(pr, h);
		return;
	}
	if (h->cmd == NP_CMD_TRACE) {
		fprintf(pr->out, "trace to %s (%s), %" PRIu64 " hops max, %s probes", h->host,
			h->target, h->max_ttl, pr->m->title);
		if (h->pmtu) /* --pmtu: the size the probes start at, as tracepath's "pmtu" */
			fprintf(pr->out, ", %u bytes (pmtu)", h->pmtu);
		fprintf(pr->out, "\n");
		return;
	}
	if (pr->quiet && pr->m->port_proto)
		return;
	if (!pr->m->port_proto) { /* also with -q, as iputils */
		/* iputils' two forms: "PING H (A) 56(84) bytes of data." and, over IPv6,
		 * "PING H(A) 56 data bytes" */
		fprintf(pr->out, "PING %s%s(%s) ", h->host, pr->ver == 4 ? " " : "", h->target);
		if (h->from) /* -I, iputils' "from SOURCE DEVICE: " (DEVICE "" for an address) */
			fprintf(pr->out, "from %s %s: ", h->from, h->device ? h->device : "");
		if (pr->ver == 4)
			fprintf(pr->out, "%" PRIu64 "(%" PRIu64 ") bytes of data.\n", h->size,
				h->size + 28);
		else
			fprintf(pr->out, "%" PRIu64 " data bytes\n", h->size);
	} else {
		fprintf(pr->out, "PROBE %s (%s) port %" PRIu64 "/%s\n", h->host, h->target, h->port,
			pr->m->port_proto);
	}
}

/* An RTT as iputils ping writes it: 3 decimals below 1 ms, 2 below 10, 1 below 100, none
 * above, from whole microseconds (its triptime), rounded half up. */
static void iputils_time(char *buf, size_t cap, double ms)
{
	long us = lround(ms * 1000.0);
	if (us >= 100000 - 50)
		snprintf(buf, cap, "%ld ms", (us + 500) / 1000);
	else if (us >= 10000 - 5)
		snprintf(buf, cap, "%ld.%01ld ms", (us + 50) / 1000, ((us + 50) % 1000) / 100);
	else if (us >= 1000)
		snprintf(buf, cap, "%ld.%02ld ms", (us + 5) / 1000, ((us + 5) % 1000) / 10);
	else
		snprintf(buf, cap, "%ld.%03ld ms", us / 1000, us % 1000);
}

/* An ICMP error about an echo request in iputils ping's words (pr_icmph, ping6's). */
static void iputils_error(const struct np_probe_printer *pr, const struct np_packet *p, char *buf,
			  size_t cap)
{
	static const char *const unreach[] = {
		"Destination Net Unreachable", "Destination Host Unreachable",
		"Destination Protocol Unreachable", "Destination Port Unreachable", NULL,
		"Source Route Failed", "Destination Net Unknown", "Destination Host Unknown",
		"Source Host Isolated", "Destination Net Prohibited", "Destination Host Prohibited",
		"Destination Net Unreachable for Type of Service",
		"Destination Host Unreachable for Type of Service", "Packet filtered",
		"Precedence Violation", "Precedence Cutoff",
	};
	static const char *const unreach6[] = { "No route", "Administratively prohibited",
						"Beyond scope of source address", "Address unreachable",
						"Port unreachable" };
	const struct np_icmp *i4 = np_pkt_icmp(p);
	const struct np_icmp6 *i6 = np_pkt_icmp6(p);
	if (pr->ver == 4 && i4 && i4->type == 3 && i4->code == 4)
		snprintf(buf, cap, "Frag needed and DF set (mtu = %u)", i4->mtu);
	else if (pr->ver == 4 && i4 && i4->type == 3 && i4->code < 16)
		snprintf(buf, cap, "%s", unreach[i4->code]);
	else if (pr->ver == 4 && i4 && i4->type == 3)
		snprintf(buf, cap, "Dest Unreachable, Bad Code: %u", i4->code);
	else if (pr->ver == 4 && i4 && i4->type == 11)
		snprintf(buf, cap, "%s", i4->code ? "Frag reassembly time exceeded"
						  : "Time to live exceeded");
	else if (pr->ver == 6 && i6 && i6->type == 1 && i6->code < 5)
		snprintf(buf, cap, "Destination unreachable: %s", unreach6[i6->code]);
	else if (pr->ver == 6 && i6 && i6->type == 2) /* RFC 8201 */
		snprintf(buf, cap, "Packet too big: mtu=%u", i6->mtu);
	else if (pr->ver == 6 && i6 && i6->type == 3)
		snprintf(buf, cap, "Time exceeded: %s", i6->code ? "Defragmentation failure"
								 : "Hop limit");
	else
		snprintf(buf, cap, "%s", "Destination unreachable");
}

/* ping's ICMP echo lines as iputils ping prints them (80 columns); the decoded detail under -v. */
static void echo_answer(struct np_probe_printer *pr, const struct np_packet *p,
			const struct np_probe_answer *a, const char *from, double rtt, bool dup)
{
	char t[32], why[64];
	if (pr->flood) { /* a dot per request, a backspace per reply, as ping -f */
		if (!dup)
			fputs("\b \b", pr->out);
		fflush(pr->out);
		return;
	}
	if (a->verdict == NP_PV_REPLY) {
		uint32_t bytes = pr->ver == 4 ? np_pkt_ip4(p)->tot_len - np_pkt_ip4(p)->ihl * 4u
					      : np_pkt_ip6(p)->plen;
		iputils_time(t, sizeof t, rtt);
		fprintf(pr->out, "%u bytes from %s: icmp_seq=%u ttl=%u time=%s%s\n", bytes, from,
			a->seq, pr->ver == 4 ? np_pkt_ip4(p)->ttl : np_pkt_ip6(p)->hlim, t,
			dup ? " (DUP!)" : "");
	} else {
		iputils_error(pr, p, why, sizeof why);
		fprintf(pr->out, "From %s icmp_seq=%u %s\n", from, a->seq, why);
	}
	if (!pr->verbose)
		return;
	char info[512];
	np_format_info(p, NULL, false, info, sizeof info);
	if (pr->ver == 4 && !pr->dgram) /* the kernel does not pass it up to a datagram socket */
		fprintf(pr->out, "    ip_id=0x%04x", np_pkt_ip4(p)->id);
	else
		fprintf(pr->out, "   ");
	fprintf(pr->out, " time=%.3f ms | %s\n", rtt, info);
	np_print_tree(&pr->pc, p, NULL);
}

static void text_answer(struct np_probe_printer *pr, const struct np_packet *p,
			const struct np_probe_answer *a, double rtt, bool dup)
{
	if (pr->quiet || pr->cmd == NP_CMD_SCAN) /* a scan: its table at the end */
		return;
	char from[NP_ADDR_STRLEN + 16];
	np_probe_printer_addr(pr, a->from, from, sizeof from);
	if (pr->connect) { /* no packet: the kernel's handshake said it */
		fprintf(pr->out, "From %s: seq=%u %s time=%.3f ms | connect() %s\n", from, a->seq,
			np_probe_verdict_name(a->verdict), rtt, np_probe_connect_outcome(a->verdict));
		return;
	}
	if (!pr->m->port_proto) {
		echo_answer(pr, p, a, from, rtt, dup);
		return;
	}
	char info[512];
	np_format_info(p, NULL, false, info, sizeof info);
	fprintf(pr->out, "From %s: seq=%u %s time=%.3f ms%s | %s\n", from, a->seq,
		np_probe_verdict_name(a->verdict), rtt, dup ? " (DUP!)" : "", info);
	if (pr->verbose)
		np_print_tree(&pr->pc, p, NULL);
}

const char *np_probe_connect_outcome(enum np_probe_verdict v)
{
	switch (v) {
	case NP_PV_OPEN: return "established (SYN/ACK), reset at once";
	case NP_PV_CLOSED: return "refused (RST)";
	default: return "unreachable (ICMP or a local rule)";
	}
}

static void text_sent(struct np_probe_printer *pr, uint32_t seq)
{
	(void)seq;
	if (pr->flood && !pr->quiet) {
		fputc('.', pr->out);
		fflush(pr->out);
	}
}

static void text_silence(struct np_probe_printer *pr, const struct np_probe_answer *a,
			 double timeout_s)
{
	/* A lost echo request shows only in the summary, as in iputils ping; a scan's in its
	 * table. */
	if (!pr->quiet && pr->cmd != NP_CMD_SCAN && a->verdict != NP_PV_TIMEOUT)
		fprintf(pr->out, "From %s: seq=%u %s (no answer within %.3g s)\n", pr->target, a->seq,
			np_probe_verdict_name(a->verdict), timeout_s);
}

/* The ANSWER column: the answer's key fields (a SYN/ACK's window and options, an ICMP
 * error's reason and sender). */
static void row_answer(struct np_probe_printer *pr, const struct np_probe_row *r, char *buf,
		       size_t cap)
{
	const struct np_probe_keys *k = r->keys;
	char from[NP_ADDR_STRLEN + 16];
	if (!r->received) {
		snprintf(buf, cap, "no answer in %.3g s", r->timeout_s);
	} else if (pr->connect) {
		snprintf(buf, cap, "connect() %s", np_probe_connect_outcome(r->verdict));
	} else if (k->icmp) {
		const char *why = pr->ver == 4 ? np_icmp_code_name(k->type, k->code)
					       : np_icmp6_code_name(k->type, k->code);
		snprintf(buf, cap, "ICMP %s from %s", why ? why : "error",
			 np_probe_printer_addr(pr, r->from, from, sizeof from));
	} else if (k->tcp) {
		int n = snprintf(buf, cap, "%s win=%u",
				 (k->flags & NP_TCP_SYN) ? "SYN/ACK" : (k->flags & NP_TCP_ACK) ? "RST/ACK" : "RST",
				 k->win);
		if (k->has_mss && n > 0 && (size_t)n < cap)
			n += snprintf(buf + n, cap - (size_t)n, " mss=%u", k->mss);
		if (k->has_ws && n > 0 && (size_t)n < cap)
			n += snprintf(buf + n, cap - (size_t)n, " ws=%u", k->ws);
		if (n > 0 && (size_t)n < cap)
			snprintf(buf + n, cap - (size_t)n, "%s%s", k->sack_perm ? " sack" : "",
				 k->has_ts ? " ts" : "");
	} else {
		snprintf(buf, cap, "%s", pr->m->port_proto ? "UDP answer" : "echo reply");
	}
}

/* One row of a scan's table; a port scan has a table per target, an echo scan one table. */
static void text_row(struct np_probe_printer *pr, const struct np_probe_row *r)
{
	if (pr->quiet)
		return;
	bool ports = pr->m->port_proto != NULL;
	if (!pr->row_target[0] || (ports && strcmp(pr->row_target, r->target) != 0)) {
		if (ports)
			fprintf(pr->out, "\n%s\n%-12s %-14s %10s %4s  %s\n", r->target, "PORT",
				"VERDICT", "RTT", "TTL", "ANSWER");
		else
			fprintf(pr->out, "\n%-24s %-14s %10s %4s  %s\n", "TARGET", "VERDICT", "RTT",
				"TTL", "ANSWER");
		snprintf(pr->row_target, sizeof pr->row_target, "%s", r->target);
	}
	char first[48], rtt[24] = "-", ttl[8] = "-", ans[160];
	if (ports)
		snprintf(first, sizeof first, "%u/%s", r->port, pr->m->port_proto);
	else
		snprintf(first, sizeof first, "%s", r->target);
	if (r->received) {
		snprintf(rtt, sizeof rtt, "%.3f ms", r->rtt_ms);
		/* connect(): the answer's TTL is not seen; a socket's ICMP error: not passed up */
		if (!pr->connect && !(pr->dgram && r->keys->icmp))
			snprintf(ttl, sizeof ttl, "%u", r->keys->ttl);
	}
	row_answer(pr, r, ans, sizeof ans);
	fprintf(pr->out, ports ? "%-12s %-14s %10s %4s  %s\n" : "%-24s %-14s %10s %4s  %s\n", first,
		np_probe_verdict_name(r->verdict), rtt, ttl, ans);
}

/* A scan's statistics: probes, answers, and the rows by verdict. */
static void scan_summary(FILE *out, const struct np_probe_totals *t)
{
	fprintf(out, "\n--- %s scan statistics ---\n", t->host);
	fprintf(out, "%u probes transmitted, %" PRIu64 " answered, time %.0fms\n", t->sent,
		t->received, t->total_ms);
	fprintf(out, "%u %s:", t->nports ? t->ntargets * t->nports : t->ntargets,
		t->nports ? "ports" : "targets");
	bool any = false;
	for (unsigned v = 0; v < NP_PV_COUNT; v++) {
		if (!t->verdicts[v])
			continue;
		fprintf(out, "%s %u %s", any ? "," : "", t->verdicts[v],
			np_probe_verdict_name((enum np_probe_verdict)v));
		any = true;
	}
	fprintf(out, "\n");
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
	if (h->pmtu) /* --pmtu: a router before this hop reported a smaller MTU */
		fprintf(pr->out, "  pmtu %u", h->pmtu);
	fprintf(pr->out, "\n");
}

void np_probe_text_summary(const struct np_probe_printer *pr, FILE *out,
			   const struct np_probe_totals *t)
{
	if (t->cmd == NP_CMD_TRACE) { /* traceroute prints no statistics; tracepath the pmtu */
		if (t->pmtu)
			fprintf(out, "path MTU %u%s\n", t->pmtu,
				t->reached ? "" : " so far (the destination did not answer)");
		return;
	}
	if (t->cmd == NP_CMD_SCAN) {
		scan_summary(out, t);
		return;
	}
	double loss = t->sent ? 100.0 * (double)(t->sent - t->received) / t->sent : 0;
	const struct np_rtt *r = t->rtt;
	fprintf(out, "\n--- %s %s statistics ---\n", t->host, pr->m->stats_name);
	fprintf(out, "%u packets transmitted, %" PRIu64 " received", t->sent, t->received);
	if (t->duplicates)
		fprintf(out, ", +%" PRIu64 " duplicates", t->duplicates);
	if (t->errors)
		fprintf(out, ", +%" PRIu64 " errors", t->errors);
	fprintf(out, ", %g%% packet loss, time %.0fms\n", round(loss * 10) / 10, t->total_ms);
	if (t->received) {
		fprintf(out, "rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms", r->min, np_rtt_avg(r),
			r->max, np_rtt_mdev(r));
		/* -f: iputils' inter-packet gap (the run's time over the gaps between requests)
		 * and its moving average of the RTT, in its integer arithmetic */
		if (pr->flood && t->sent > 1) {
			long long ipg = (long long)(t->total_ms * 1000.0) / (t->sent - 1);
			long long ew = r->ewma8_us;
			fprintf(out, ", ipg/ewma %lld.%03lld/%lld.%03lld ms", ipg / 1000, ipg % 1000,
				ew / 8000, (ew / 8) % 1000);
		}
		fprintf(out, "\n");
	}
	else if (t->cmd == NP_CMD_PING) /* iputils ends an answerless summary with a blank line */
		fprintf(out, "\n");
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
	.sent = text_sent,
	.answer = text_answer,
	.silence = text_silence,
	.hop = text_hop,
	.row = text_row,
	.report = np_probe_text_report,
	.summary = text_summary,
	.close = text_close,
};
