/* trace_run.c - the run of `netprobe trace`: -q probes per TTL from 1 up, each hop's answers
 * (ICMP time exceeded from a router, or the destination's own answer), stopping at the
 * destination; in the manner of traceroute and tcptraceroute. */
#include <netinet/in.h>
#include <string.h>

#include "cli.h"
#include "netprobe/printer.h"
#include "probe_cmds.h"
#include "probe_run.h"

#define CMD "trace"

struct trace {
	const struct trace_opts *o;
	struct probe_run run;
	struct np_probe_hop hop;
	uint32_t sent;
	struct np_rtt rtt;    /* of every answer, whoever gave it; rtt.n is the number received */
	uint32_t size;        /* --pmtu: the probes' IP length now (the path MTU so far) */
	uint32_t too_big;     /* --pmtu: the smallest MTU a router reported for this hop's probes */
};

static void on_answer(void *arg, const struct np_packet *p, const struct np_probe_answer *a)
{
	struct trace *tr = arg;
	struct np_probe_hop *h = &tr->hop;
	if (a->seq < h->first_seq || a->seq >= h->first_seq + h->nq)
		return; /* a late answer to an earlier hop */
	uint32_t i = a->seq - h->first_seq;
	if (h->answered[i])
		return;
	/* --pmtu: a router cannot forward a probe this large (RFC 1191 / RFC 8201): the hop is
	 * probed again at the size it reported */
	if (a->verdict == NP_PV_TOO_BIG && a->mtu >= 68 && a->mtu < tr->size &&
	    (!tr->too_big || a->mtu < tr->too_big))
		tr->too_big = a->mtu;
	h->answered[i] = true;
	h->rtt[i] = probe_run_rtt_ms(p, h->sent_us[i]);
	np_rtt_add(&tr->rtt, h->rtt[i]);
	memcpy(h->from[i], a->from, 16);
	if (a->final)
		h->final = true;
}

static bool hop_done(void *arg)
{
	struct trace *tr = arg;
	for (uint32_t i = 0; i < tr->hop.nq; i++)
		if (!tr->hop.answered[i])
			return false;
	return true;
}

/* Send hop `ttl`'s probes from *seq on and wait for their answers; 0 or 2 (reported). */
static int send_hop(struct trace *tr, unsigned ttl, uint32_t *seq)
{
	char err[512] = "";
	struct np_probe_hop *h = &tr->hop;
	uint32_t pmtu = h->pmtu, from = h->pmtu_from_size;
	memset(h, 0, sizeof *h);
	h->pmtu = pmtu;
	h->pmtu_from_size = from;
	tr->too_big = 0;
	h->first_seq = *seq;
	h->nq = (uint32_t)tr->o->nq;
	for (uint32_t i = 0; i < h->nq; i++, (*seq)++) {
		if (probe_run_send(&tr->run, *seq, (uint8_t)ttl, &h->sent_us[i], err, sizeof err) < 0) {
			np_errorf(CMD, "%s", err);
			return NP_EXIT_ERROR;
		}
	}
	int64_t until = h->sent_us[h->nq - 1] + (int64_t)(tr->o->wait * 1e6);
	if (probe_run_wait(&tr->run, *seq, until, hop_done, on_answer, tr, err, sizeof err) < 0) {
		np_errorf(CMD, "%s", err);
		return NP_EXIT_ERROR;
	}
	tr->sent += h->nq;
	return 0;
}

/* One hop: with --pmtu, again at each smaller MTU a router reports, then its line. */
static int probe_hop(struct trace *tr, unsigned ttl, uint32_t *seq)
{
	memset(&tr->hop, 0, sizeof tr->hop);
	for (int tries = 0;; tries++) {
		if (send_hop(tr, ttl, seq) != 0)
			return NP_EXIT_ERROR;
		if (!tr->too_big || tries == TRACE_PMTU_TRIES)
			break;
		if (!tr->hop.pmtu_from_size)
			tr->hop.pmtu_from_size = tr->size;
		tr->hop.pmtu = tr->size = tr->too_big;
		tr->run.spec.payload = trace_pmtu_data(&tr->run, tr->size);
	}
	tr->run.pr.ops->hop(&tr->run.pr, ttl, &tr->hop);
	return 0;
}

uint16_t trace_pmtu_data(const struct probe_run *r, uint32_t size)
{
	uint32_t head = (r->spec.ver == 4 ? 20u : 40u) + 8u; /* ICMP echo, UDP: 8 */
	return (uint16_t)(size > head ? size - head : 0);
}

void trace_pmtu_open(struct probe_run *r)
{
	r->pmtu_set = true;
	r->pmtu = IP_PMTUDISC_PROBE;
}

uint32_t trace_pmtu_start(struct probe_run *r)
{
	r->spec.pmtu = true;
	uint32_t size = r->route_mtu ? r->route_mtu : 1500;
	if (size > 65535)
		size = 65535;
	r->spec.payload = trace_pmtu_data(r, size);
	return size;
}

static int run(struct trace *tr)
{
	const struct trace_opts *o = tr->o;
	if (o->pmtu)
		trace_pmtu_open(&tr->run);
	int rc = probe_run_start(&tr->run, CMD, &o->p, o->p.m->trace_data, 0, false, false);
	if (rc != 0)
		return rc;
	if (o->pmtu)
		tr->size = trace_pmtu_start(&tr->run);
	struct np_probe_head head = { .cmd = NP_CMD_TRACE, .host = o->p.host,
				      .target = tr->run.target, .max_ttl = o->max_ttl,
				      .pmtu = o->pmtu ? tr->size : 0 };
	tr->run.pr.ops->start(&tr->run.pr, &head);
	bool reached = false;
	uint32_t seq = 1;
	for (unsigned ttl = 1; ttl <= o->max_ttl && !reached && !np_stop_requested &&
			       !ferror(stdout) && !np_output_reader_gone(stdout);
	     ttl++) {
		if (probe_hop(tr, ttl, &seq) != 0)
			return NP_EXIT_ERROR;
		reached = tr->hop.final;
	}
	int out_errno = 0;
	if (probe_run_out_state(&out_errno) == NP_OUT_CLOSED) /* `trace ... | head`: the hops shown are all */
		return reached ? NP_EXIT_OK : NP_EXIT_NOREPLY;
	/* The same summary as ping's: every probe of every hop, answered by whoever. */
	struct np_probe_totals t = { .cmd = NP_CMD_TRACE, .host = o->p.host, .sent = tr->sent,
				     .received = tr->rtt.n, .rtt = &tr->rtt, .reached = reached,
				     .pmtu = o->pmtu ? tr->size : 0 };
	tr->run.pr.ops->summary(&tr->run.pr, stdout, &t);
	if (fflush(stdout) != 0 && np_output_state(stdout, &out_errno) == NP_OUT_FAILED) {
		np_errorf(CMD, "writing standard output failed: %s", strerror(out_errno));
		return NP_EXIT_ERROR;
	}
	return reached ? NP_EXIT_OK : NP_EXIT_NOREPLY;
}

int trace_run(const struct trace_opts *o)
{
	struct trace tr = { .o = o };
	int rc = run(&tr);
	probe_run_close(&tr.run);
	return rc;
}
