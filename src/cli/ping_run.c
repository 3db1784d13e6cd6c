/* ping_run.c - the run of `netprobe ping`: a probe every interval, answers matched as they come,
 * silent probes given up after the timeout, iputils ping's summary and exit status. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "netprobe/printer.h"
#include "probe_cmds.h"
#include "probe_run.h"

#define CMD "ping"

struct probe_state {
	int64_t sent_us;      /* 0: not sent */
	bool answered;
};

struct ping {
	const struct ping_opts *o;
	struct probe_run run;
	struct probe_state *st;
	uint32_t sent, next_silent;
	uint64_t duplicates, errors;
	struct np_rtt rtt;    /* of the replies; rtt.n is the number received */
};

static void on_answer(void *arg, const struct np_packet *p, const struct np_probe_answer *a)
{
	struct ping *g = arg;
	if (a->seq == 0 || a->seq > g->sent)
		return;
	struct probe_state *s = &g->st[a->seq];
	double rtt = probe_run_rtt_ms(p, s->sent_us);
	if (rtt < 0)
		rtt = 0;
	bool dup = s->answered;
	if (dup) {
		g->duplicates++;
	} else {
		s->answered = true;
		/* An ICMP error for an echo request is an error, not a reply (iputils' "+N errors"). */
		if (a->verdict == NP_PV_UNREACHABLE || a->verdict == NP_PV_TTL_EXCEEDED)
			g->errors++;
		else
			np_rtt_add(&g->rtt, rtt);
	}
	g->run.pr.ops->answer(&g->run.pr, p, a, rtt, dup);
}

/* With the count reached, stop waiting as soon as every probe has its answer (as ping does). */
static bool all_answered(void *arg)
{
	struct ping *g = arg;
	for (uint32_t i = 1; i <= g->sent; i++)
		if (!g->st[i].answered)
			return false;
	return true;
}

/* A probe is given up when its timeout passes; say so once, in order. */
static void report_silent(struct ping *g, int64_t now, bool all)
{
	while (g->next_silent <= g->sent) {
		struct probe_state *s = &g->st[g->next_silent];
		if (!s->answered) {
			if (!all && now - s->sent_us < (int64_t)(g->o->timeout * 1e6))
				break;
			struct np_probe_answer a = { .seq = g->next_silent, .verdict = g->o->p.m->silence,
						     .dport = (uint16_t)g->o->p.port };
			memcpy(a.dst, g->run.spec.dst, sizeof a.dst);
			if (g->o->p.m->port == NP_PORT_NONE)
				a.dport = 0;
			g->run.pr.ops->silence(&g->run.pr, &a, g->o->timeout);
		}
		g->next_silent++;
	}
}

static void summary(struct ping *g, FILE *out, int64_t start)
{
	struct np_probe_totals t = {
		.cmd = NP_CMD_PING,
		.host = g->o->p.host,
		.sent = g->sent,
		.received = g->rtt.n,
		.duplicates = g->duplicates,
		.errors = g->errors,
		.rtt = &g->rtt,
		.total_ms = (double)(probe_now_us() - start) / 1000.0,
	};
	g->run.pr.ops->summary(&g->run.pr, out, &t);
}

/* Send and wait until the count, the deadline, Ctrl-C or a gone reader; 0 or 2 (reported). */
static int probe_loop(struct ping *g, uint64_t cap, int64_t stop_at)
{
	char err[512] = "";
	const struct ping_opts *o = g->o;
	while (!np_stop_requested && g->sent < cap && probe_now_us() < stop_at && !ferror(stdout) &&
	       !np_output_reader_gone(stdout)) {
		uint32_t seq = g->sent + 1;
		int rc = probe_run_send(&g->run, seq, (uint8_t)o->ttl, &g->st[seq].sent_us, err,
					sizeof err);
		if (rc < 0) {
			np_errorf(CMD, "%s", err);
			return NP_EXIT_ERROR;
		}
		g->sent = seq;
		if (rc == 1) { /* refused locally (-M do): an error, as iputils counts it */
			np_errorf(CMD, "%s", err);
			g->st[seq].answered = true;
			g->errors++;
		} else {
			g->run.pr.ops->sent(&g->run.pr, seq);
		}
		bool last = g->sent == cap;
		int64_t until = last ? g->st[seq].sent_us + (int64_t)(o->timeout * 1e6)
				     : g->st[seq].sent_us + (int64_t)(o->interval * 1e6);
		if (until > stop_at)
			until = stop_at;
		/* -f: the next request as soon as every one so far is answered (iputils) */
		if (probe_run_wait(&g->run, g->sent + 1, until, last || o->flood ? all_answered : NULL,
				   on_answer, g, err, sizeof err) < 0) {
			np_errorf(CMD, "%s", err);
			return NP_EXIT_ERROR;
		}
		report_silent(g, probe_now_us(), false);
	}
	return NP_EXIT_OK;
}

static int run(struct ping *g)
{
	const struct ping_opts *o = g->o;
	g->run.dgram_ttl = (uint8_t)o->ttl;
	g->run.kernel_ip = o->size > NP_PROBE_MAX_DATA || o->pmtu_set;
	g->run.pmtu_set = o->pmtu_set;
	g->run.pmtu = o->pmtu;
	int status = probe_run_start(&g->run, CMD, &o->p, (uint16_t)o->size, (uint8_t)o->tos,
				     o->quiet, o->verbose);
	if (status != 0)
		return status;
	uint64_t cap = o->count ? o->count : PING_MAX_PROBES;
	g->st = calloc(cap + 1, sizeof *g->st);
	if (!g->st) {
		np_errorf(CMD, "out of memory");
		return NP_EXIT_ERROR;
	}
	g->run.pr.flood = o->flood;
	struct np_probe_head h = { .cmd = NP_CMD_PING, .host = o->p.host, .target = g->run.target,
				   .size = o->size, .port = o->p.port };
	char from[NP_ADDR_STRLEN + 16];
	if (o->p.iface) { /* iputils: "from SOURCE DEVICE: " with -I */
		uint8_t a[16];
		h.from = probe_run_fmt_addr(&g->run, g->run.spec.src, from, sizeof from);
		h.device = inet_pton(g->run.spec.ver == 4 ? AF_INET : AF_INET6, o->p.iface, a) == 1
				   ? ""
				   : o->p.iface;
	}
	g->run.pr.ops->start(&g->run.pr, &h);
	int64_t start = probe_now_us();
	g->next_silent = 1;
	status = probe_loop(g, cap, o->deadline > 0 ? start + (int64_t)(o->deadline * 1e6) : INT64_MAX);
	int out_errno = 0;
	enum np_out_state os = probe_run_out_state(&out_errno);
	if (os == NP_OUT_OK) {
		report_silent(g, probe_now_us(), true);
		summary(g, stdout, start);
		if (fflush(stdout) != 0)
			os = np_output_state(stdout, &out_errno);
	}
	if (os == NP_OUT_CLOSED) {
		/* The reader has gone (`ping ... | head`): a normal end, summary on stderr. */
		summary(g, stderr, start);
	} else if (os == NP_OUT_FAILED && status == NP_EXIT_OK) {
		np_errorf(CMD, "writing standard output failed: %s", strerror(out_errno));
		return NP_EXIT_ERROR;
	}
	if (status == NP_EXIT_OK && g->rtt.n == 0)
		status = NP_EXIT_NOREPLY;
	return status;
}

int ping_run(const struct ping_opts *o)
{
	struct ping g = { .o = o };
	int rc = run(&g);
	probe_run_close(&g.run);
	free(g.st);
	return rc;
}
