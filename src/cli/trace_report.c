/* trace_report.c - `netprobe trace --report` and `--live`, in the manner of mtr: round after
 * round, one probe to every TTL up to the destination's (all of them in the first round), each
 * hop's answers added to its statistics (hopstat.c); after every round the printer's report
 * (--live on a terminal: the table redrawn; JSON: one object per hop), and the table at the end.
 * The flow stays fixed across TTLs and rounds (Paris: spec.paris), so an ECMP path gives one
 * route. Exit 0 when the destination answered in any round, 1 when it never did. */
#include <string.h>

#include "cli.h"
#include "netprobe/hopstat.h"
#include "netprobe/printer.h"
#include "probe_cmds.h"
#include "probe_run.h"

#define CMD "trace"
#define MAX_HOPS 255
/* The ICMP sequence number is 16 bits: a run ends before it would wrap. */
#define MAX_SEQ 65000u

struct report {
	const struct trace_opts *o;
	struct probe_run run;
	struct np_hopstat hop[MAX_HOPS];  /* hop[i]: TTL i + 1 */
	uint32_t first;                   /* the round's first seq: TTL 1 */
	unsigned limit;                   /* TTLs probed this round */
	unsigned final_ttl;               /* the smallest TTL the destination answered; 0 */
	int64_t sent_us[MAX_HOPS];
	bool got[MAX_HOPS];
	unsigned pending;                 /* probes of this round not answered yet */
	uint32_t sent;
	struct np_rtt rtt;
};

static void on_answer(void *arg, const struct np_packet *p, const struct np_probe_answer *a)
{
	struct report *rp = arg;
	if (a->seq < rp->first || a->seq >= rp->first + rp->limit)
		return; /* an earlier round's, given up already */
	unsigned i = a->seq - rp->first;
	if (rp->got[i])
		return;
	rp->got[i] = true;
	rp->pending--;
	double ms = probe_run_rtt_ms(p, rp->sent_us[i]);
	if (ms < 0)
		ms = 0;
	np_hopstat_answer(&rp->hop[i], a->from, rp->run.spec.ver == 4 ? 4 : 16, ms);
	np_rtt_add(&rp->rtt, ms);
	if (a->final) {
		rp->hop[i].final = true;
		if (!rp->final_ttl || i + 1 < rp->final_ttl)
			rp->final_ttl = i + 1;
	}
}

static bool round_done(void *arg)
{
	return ((struct report *)arg)->pending == 0;
}

/* One round: a probe to each TTL, their answers until -W after the last one. 0 or 2. */
static int one_round(struct report *rp, uint32_t *seq)
{
	char err[512] = "";
	rp->first = *seq;
	rp->limit = rp->final_ttl ? rp->final_ttl : (unsigned)rp->o->max_ttl;
	rp->pending = rp->limit;
	memset(rp->got, 0, sizeof rp->got);
	for (unsigned i = 0; i < rp->limit; i++, (*seq)++) {
		if (probe_run_send(&rp->run, *seq, (uint8_t)(i + 1), &rp->sent_us[i], err,
				   sizeof err) < 0) {
			np_errorf(CMD, "%s", err);
			return NP_EXIT_ERROR;
		}
		np_hopstat_sent(&rp->hop[i]);
		rp->sent++;
	}
	int64_t until = rp->sent_us[rp->limit - 1] + (int64_t)(rp->o->wait * 1e6);
	if (probe_run_wait(&rp->run, *seq, until, round_done, on_answer, rp, err, sizeof err) < 0) {
		np_errorf(CMD, "%s", err);
		return NP_EXIT_ERROR;
	}
	return 0;
}

static void show(struct report *rp, uint32_t round, bool last)
{
	unsigned n = rp->final_ttl ? rp->final_ttl : rp->limit;
	np_hopstat_mark(rp->hop, n);
	struct np_trace_report r = { .round = round, .rounds = (uint32_t)rp->o->count, .nhops = n,
				     .hop = rp->hop, .ts_us = probe_now_us(), .last = last };
	rp->run.pr.ops->report(&rp->run.pr, &r);
}

static bool going_on(void)
{
	return !np_stop_requested && !ferror(stdout) && !np_output_reader_gone(stdout);
}

static int run(struct report *rp)
{
	const struct trace_opts *o = rp->o;
	int rc = probe_run_start(&rp->run, CMD, &o->p, o->p.m->trace_data, 0, false, false);
	if (rc != 0)
		return rc;
	/* UDP sockets and connect()s (no CAP_NET_RAW) each have their own source port: no
	 * fixed flow, and the header says so */
	bool own_port = rp->run.udpsock || rp->run.connect;
	rp->run.spec.paris = !o->vary_flow && !own_port;
	rp->run.pr.vary_flow = o->vary_flow || own_port;
	rp->run.pr.live = o->live && o->tty;
	struct np_probe_head head = { .cmd = NP_CMD_REPORT, .host = o->p.host,
				      .target = rp->run.target, .max_ttl = o->max_ttl };
	rp->run.pr.ops->start(&rp->run.pr, &head);
	uint32_t seq = 1, round = 0;
	while (going_on() && (!o->count || round < o->count) && seq + o->max_ttl < MAX_SEQ) {
		int64_t start = probe_now_us();
		if (one_round(rp, &seq) != 0)
			return NP_EXIT_ERROR;
		show(rp, ++round, false);
		if (o->count && round == o->count)
			break;
		/* the next round one interval after this one began; answers read meanwhile are
		 * late ones, given up already */
		char err[512] = "";
		if (probe_run_wait(&rp->run, seq, start + (int64_t)(o->interval * 1e6), NULL, on_answer,
				   rp, err, sizeof err) < 0) {
			np_errorf(CMD, "%s", err);
			return NP_EXIT_ERROR;
		}
	}
	if (seq + o->max_ttl >= MAX_SEQ && going_on())
		np_errorf(CMD, "stopped after %u rounds: the probes' sequence numbers are used up",
			  round);
	int out_errno = 0;
	if (probe_run_out_state(&out_errno) == NP_OUT_CLOSED)
		return rp->final_ttl ? NP_EXIT_OK : NP_EXIT_NOREPLY;
	if (round)
		show(rp, round, true);
	struct np_probe_totals t = { .cmd = NP_CMD_TRACE, .host = o->p.host, .sent = rp->sent,
				     .received = rp->rtt.n, .rtt = &rp->rtt,
				     .reached = rp->final_ttl != 0 };
	rp->run.pr.ops->summary(&rp->run.pr, stdout, &t);
	if (fflush(stdout) != 0 && np_output_state(stdout, &out_errno) == NP_OUT_FAILED) {
		np_errorf(CMD, "writing standard output failed: %s", strerror(out_errno));
		return NP_EXIT_ERROR;
	}
	return rp->final_ttl ? NP_EXIT_OK : NP_EXIT_NOREPLY;
}

int trace_report_run(const struct trace_opts *o)
{
	static struct report rp; /* one run a process; large (the hops) */
	memset(&rp, 0, sizeof rp);
	rp.o = o;
	int rc = run(&rp);
	probe_run_close(&rp.run);
	return rc;
}
