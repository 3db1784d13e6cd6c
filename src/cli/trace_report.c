/* trace_report.c - `netprobe trace --report` and `--live`, in the manner of mtr: round after
 * round, one probe to every TTL up to the destination's (all of them in the first round), each
 * hop's answers added to its statistics (hopstat.c); after every round the printer's report
 * (--live on a terminal: the table redrawn; JSON: one object per hop), and the table at the end.
 * The flow stays fixed across TTLs and rounds (Paris: spec.paris), so an ECMP path gives one
 * route. With --pmtu (as tracepath's, trace_run.c) the probes are DF and as large as the path
 * MTU found so far: a probe a router reports too big (fragmentation needed / packet too big,
 * with a smaller MTU) is sent again, in the same round, at that size; it is still the hop's one
 * probe of the round (sent and answered once in its statistics), and each hop keeps the largest
 * size it answered (its path MTU). Exit 0 when the destination answered in any round, 1 when
 * it never did. */
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
/* A round's probes: one per hop, and with --pmtu the ones sent again at a smaller size. */
#define MAX_PROBES (MAX_HOPS * (TRACE_PMTU_TRIES + 1))

struct report {
	const struct trace_opts *o;
	struct probe_run run;
	struct np_hopstat hop[MAX_HOPS];  /* hop[i]: TTL i + 1 */
	uint32_t first;                   /* the round's first seq: TTL 1 */
	unsigned nprobes;                 /* probes sent this round: seqs first ... + nprobes - 1 */
	unsigned limit;                   /* TTLs probed this round */
	unsigned final_ttl;               /* the smallest TTL the destination answered; 0 */
	int64_t sent_us[MAX_PROBES];      /* by seq - first */
	uint8_t hop_of[MAX_PROBES];       /* ... the hop (TTL - 1) it went to */
	uint32_t size_of[MAX_PROBES];     /* ... --pmtu: its size (IP bytes) */
	bool got[MAX_HOPS];               /* the hop answered this round */
	bool again[MAX_HOPS];             /* --pmtu: its probe was too big: to be sent again */
	uint32_t sent;
	struct np_rtt rtt;
	uint32_t size, start_size;        /* --pmtu: the probes' size now and at first; 0: no */
};

/* --pmtu: a router on the way could not forward probe k at its size, and reported `mtu`
 * (RFC 1191 / RFC 8201): the probes from now on that large, this one sent again. A report
 * that is no smaller than the probe says nothing about it: the probe is lost. */
static void too_big(struct report *rp, unsigned k, uint32_t mtu)
{
	if (mtu < 68 || mtu >= rp->size_of[k])
		return;
	if (mtu < rp->size) {
		rp->size = mtu;
		rp->run.spec.payload = trace_pmtu_data(&rp->run, mtu);
	}
	rp->again[rp->hop_of[k]] = true;
}

static void on_answer(void *arg, const struct np_packet *p, const struct np_probe_answer *a)
{
	struct report *rp = arg;
	if (a->seq < rp->first || a->seq >= rp->first + rp->nprobes)
		return; /* an earlier round's, given up already */
	unsigned k = a->seq - rp->first, i = rp->hop_of[k];
	if (rp->got[i])
		return;
	if (rp->size && a->verdict == NP_PV_TOO_BIG) {
		too_big(rp, k, a->mtu);
		return;
	}
	rp->got[i] = true;
	if (rp->size && rp->size_of[k] > rp->hop[i].pmtu)
		rp->hop[i].pmtu = rp->size_of[k];
	double ms = probe_run_rtt_ms(p, rp->sent_us[k]);
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

/* Every hop of the round answered, or (--pmtu) waits to be probed again at a smaller size. */
static bool round_done(void *arg)
{
	const struct report *rp = arg;
	for (unsigned i = 0; i < rp->limit; i++)
		if (!rp->got[i] && !rp->again[i])
			return false;
	return true;
}

/* Probe hop i (TTL i + 1) with the next seq; 0, or -1 with err. */
static int send_probe(struct report *rp, unsigned i, uint32_t *seq, char *err, size_t errlen)
{
	unsigned k = rp->nprobes++;
	rp->hop_of[k] = (uint8_t)i;
	rp->size_of[k] = rp->size;
	int rc = probe_run_send(&rp->run, (*seq)++, (uint8_t)(i + 1), &rp->sent_us[k], err, errlen);
	if (rc == 1) /* --pmtu over IPv6: larger than the path MTU the kernel has just learnt
		      * from a packet too big, which is read before the probe goes again */
		rp->again[i] = true;
	return rc < 0 ? -1 : 0;
}

/* --pmtu: the probes of the hops that were too big, again at the size now; how many, -1. */
static int send_again(struct report *rp, uint32_t *seq, char *err, size_t errlen)
{
	int n = 0;
	for (unsigned i = 0; i < rp->limit; i++) {
		if (rp->got[i] || !rp->again[i])
			continue;
		rp->again[i] = false;
		if (send_probe(rp, i, seq, err, errlen) < 0)
			return -1;
		n++;
	}
	return n;
}

/* One round: a probe to each TTL, their answers until -W after the last one (--pmtu: and the
 * ones sent again at a smaller size). 0 or 2. */
static int one_round(struct report *rp, uint32_t *seq)
{
	char err[512] = "";
	rp->first = *seq;
	rp->nprobes = 0;
	rp->limit = rp->final_ttl ? rp->final_ttl : (unsigned)rp->o->max_ttl;
	memset(rp->got, 0, sizeof rp->got);
	memset(rp->again, 0, sizeof rp->again);
	for (unsigned i = 0; i < rp->limit; i++) {
		if (send_probe(rp, i, seq, err, sizeof err) < 0)
			goto fail;
		np_hopstat_sent(&rp->hop[i]);
		rp->sent++;
	}
	for (int tries = 0;; tries++) {
		int64_t until = rp->sent_us[rp->nprobes - 1] + (int64_t)(rp->o->wait * 1e6);
		if (probe_run_wait(&rp->run, *seq, until, round_done, on_answer, rp, err,
				   sizeof err) < 0)
			goto fail;
		if (!rp->size || tries == TRACE_PMTU_TRIES)
			return 0;
		int n = send_again(rp, seq, err, sizeof err);
		if (n < 0)
			goto fail;
		if (n == 0)
			return 0;
	}
fail:
	np_errorf(CMD, "%s", err);
	return NP_EXIT_ERROR;
}

static void show(struct report *rp, uint32_t round, bool last)
{
	unsigned n = rp->final_ttl ? rp->final_ttl : rp->limit;
	np_hopstat_mark(rp->hop, n);
	struct np_trace_report r = { .round = round, .rounds = (uint32_t)rp->o->count, .nhops = n,
				     .hop = rp->hop, .ts_us = probe_now_us(), .last = last,
				     .pmtu = rp->size, .pmtu_start = rp->start_size };
	rp->run.pr.ops->report(&rp->run.pr, &r);
}

static bool going_on(void)
{
	return !np_stop_requested && !ferror(stdout) && !np_output_reader_gone(stdout);
}

static int run(struct report *rp)
{
	const struct trace_opts *o = rp->o;
	if (o->pmtu)
		trace_pmtu_open(&rp->run);
	rp->run.fixed_flow = !o->vary_flow;
	int rc = probe_run_start(&rp->run, CMD, &o->p, o->p.m->trace_data, 0, false, false);
	if (rc != 0)
		return rc;
	if (o->pmtu)
		rp->size = rp->start_size = trace_pmtu_start(&rp->run);
	/* connect()s (no CAP_NET_RAW) each have their own source port: no fixed flow, and the
	 * header says so (several connects at once cannot share one port). UDP sockets: one
	 * for the run (probe_conn.c), the probe told by its data. Raw UDP over IPv6 has no IP
	 * id to tell a fixed flow's probes by (udp.c): a port each. */
	bool own_port = rp->run.connect;
	bool raw_udp6 = o->p.m->kind == NP_PROBE_UDP && rp->run.spec.ver == 6 && !rp->run.udpsock;
	rp->run.spec.paris = !o->vary_flow && !own_port;
	rp->run.pr.vary_flow = o->vary_flow || own_port || raw_udp6;
	rp->run.pr.live = o->live && o->tty;
	struct np_probe_head head = { .cmd = NP_CMD_REPORT, .host = o->p.host,
				      .target = rp->run.target, .max_ttl = o->max_ttl };
	rp->run.pr.ops->start(&rp->run.pr, &head);
	uint32_t seq = 1, round = 0;
	uint32_t most = (uint32_t)o->max_ttl * (o->pmtu ? TRACE_PMTU_TRIES + 1 : 1); /* a round's seqs */
	while (going_on() && (!o->count || round < o->count) && seq + most < MAX_SEQ) {
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
	if (seq + most >= MAX_SEQ && going_on())
		np_errorf(CMD, "stopped after %u rounds: the probes' sequence numbers are used up",
			  round);
	int out_errno = 0;
	if (probe_run_out_state(&out_errno) == NP_OUT_CLOSED)
		return rp->final_ttl ? NP_EXIT_OK : NP_EXIT_NOREPLY;
	if (round)
		show(rp, round, true);
	struct np_probe_totals t = { .cmd = NP_CMD_TRACE, .host = o->p.host, .sent = rp->sent,
				     .received = rp->rtt.n, .rtt = &rp->rtt,
				     .reached = rp->final_ttl != 0, .pmtu = rp->size };
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
