/* scan_run.c - ping with several targets or ports (nping's and fping's use): every target of
 * the HOST arguments (names, addresses, CIDR blocks) times every port of -p, -c probes each,
 * sent at --rate a second; the answers matched as they come (each target's spec in turn), a
 * table per target at the end (port, verdict with the ICMP reason, RTT, the answer's key
 * fields), a JSON object per probe and a summary. Exit 0 when any probe was answered. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "netprobe/printer.h"
#include "probe_cmds.h"
#include "probe_run.h"
#include "probe_targets.h"

#define CMD "ping"

/* One target and port: what its probes got. */
struct scan_cell {
	uint32_t sent, received;
	enum np_probe_verdict verdict;
	double rtt;                /* the fastest answer's */
	uint8_t from[16];
	struct np_probe_keys keys; /* the first answer's */
};

struct scan {
	const struct ping_opts *o;
	struct probe_run run;
	struct probe_targets tg;
	struct np_probe_spec *specs; /* one per target */
	uint32_t np;                 /* ports per target (1 for echo) */
	uint32_t total, sent, answered;
	int64_t *sent_us;            /* by seq, 1 ... total */
	bool *got;                   /* by seq */
	struct scan_cell *cells;     /* target * np + port index */
	struct np_rtt rtt;
	uint64_t dups;
	char hosts[160];             /* the HOST arguments, for the first line */
};

static uint32_t cell_of(const struct scan *sc, uint32_t seq)
{
	return (seq - 1) % (sc->tg.n * sc->np);
}

static void on_answer(void *arg, const struct np_packet *p, const struct np_probe_answer *a)
{
	struct scan *sc = arg;
	if (a->seq == 0 || a->seq > sc->sent)
		return;
	uint32_t c = cell_of(sc, a->seq);
	if (memcmp(a->dst, sc->tg.addr[c / sc->np], 16) != 0)
		return; /* another target's spec claimed it: not this probe's answer */
	double rtt = probe_run_rtt_ms(p, sc->sent_us[a->seq]);
	if (rtt < 0)
		rtt = 0;
	bool dup = sc->got[a->seq];
	struct scan_cell *cell = &sc->cells[c];
	if (dup) {
		sc->dups++;
	} else {
		sc->got[a->seq] = true;
		sc->answered++;
		np_rtt_add(&sc->rtt, rtt);
		if (!cell->received++) {
			cell->verdict = a->verdict;
			cell->rtt = rtt;
			memcpy(cell->from, a->from, 16);
			np_probe_keys(p, sc->tg.ver, &cell->keys);
		} else if (rtt < cell->rtt) {
			cell->rtt = rtt;
		}
	}
	sc->run.pr.ops->answer(&sc->run.pr, p, a, rtt, dup);
}

static bool all_answered(void *arg)
{
	struct scan *sc = arg;
	return sc->answered == sc->sent;
}

/* The targets, their specs (a source address each, the same for all), the cells. */
static int prepare(struct scan *sc, char *err, size_t errlen)
{
	const struct ping_opts *o = sc->o;
	if (probe_targets_expand(&sc->tg, o->p.hosts, o->p.nhosts, o->p.family, err, errlen) < 0)
		return -1;
	sc->np = o->p.m->port == NP_PORT_NONE ? 1 : o->p.nports;
	uint64_t total = (uint64_t)sc->tg.n * sc->np * o->count;
	if (total > PROBE_MAX_SCAN) {
		snprintf(err, errlen, "%llu probes (%u targets x %u ports x %llu): at most %u a run",
			 (unsigned long long)total, sc->tg.n, sc->np, (unsigned long long)o->count,
			 PROBE_MAX_SCAN);
		return -1;
	}
	sc->total = (uint32_t)total;
	sc->specs = calloc(sc->tg.n, sizeof *sc->specs);
	sc->sent_us = calloc(sc->total + 1, sizeof *sc->sent_us);
	sc->got = calloc(sc->total + 1, sizeof *sc->got);
	sc->cells = calloc((size_t)sc->tg.n * sc->np, sizeof *sc->cells);
	if (!sc->specs || !sc->sent_us || !sc->got || !sc->cells) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	struct probe_run *r = &sc->run;
	probe_run_spec(r, o->p.m->kind, (uint16_t)o->p.port, (uint16_t)o->size, (uint8_t)o->tos);
	/* UDP probe N leaves from sport + N: keep every one of them below 65536. */
	r->spec.sport = (uint16_t)(32768 + (uint32_t)getpid() % 16384);
	for (uint32_t t = 0; t < sc->tg.n; t++) {
		char a[NP_ADDR_STRLEN + 16];
		np_probe_fmt_addr(sc->tg.ver, "", sc->tg.addr[t], a, sizeof a);
		uint8_t src0[16];
		memcpy(src0, r->spec.src, 16);
		if (probe_run_target(r, a, sc->tg.ver, o->p.iface, err, errlen) < 0)
			return -1;
		if (t > 0 && memcmp(src0, r->spec.src, 16) != 0) {
			snprintf(err, errlen, "%s is reached from another source address than the "
					      "first target: one run per source (-I)", a);
			return -1;
		}
		sc->specs[t] = r->spec;
		sc->specs[t].ports = o->p.m->port == NP_PORT_NONE ? NULL : o->p.ports;
		sc->specs[t].nports = o->p.m->port == NP_PORT_NONE ? 0 : o->p.nports;
		sc->specs[t].many_dst = sc->tg.n > 1;
	}
	r->spec = sc->specs[0]; /* the capture filter's */
	/* no CAP_NET_RAW: connect() probes, UDP sockets */
	r->allow_connect = o->p.m->kind != NP_PROBE_ICMP;
	r->specs = sc->specs;
	r->nspecs = sc->tg.n;
	size_t n = 0;
	for (int i = 0; i < o->p.nhosts && n < sizeof sc->hosts - 1; i++)
		n += (size_t)snprintf(sc->hosts + n, sizeof sc->hosts - n, "%s%s", i ? " " : "",
				      o->p.hosts[i]);
	return 0;
}

/* Send every probe at the rate, reading answers between them, then wait for the last ones. */
static int probe_loop(struct scan *sc, int64_t stop_at)
{
	char err[512] = "";
	const struct ping_opts *o = sc->o;
	int64_t gap = (int64_t)(1e6 / o->rate), start = probe_now_us();
	while (!np_stop_requested && sc->sent < sc->total && probe_now_us() < stop_at &&
	       !ferror(stdout) && !np_output_reader_gone(stdout)) {
		uint32_t seq = sc->sent + 1;
		const struct np_probe_spec *spec = &sc->specs[cell_of(sc, seq) / sc->np];
		if (probe_run_send_spec(&sc->run, spec, seq, (uint8_t)o->ttl, &sc->sent_us[seq], err,
					sizeof err) < 0) {
			np_errorf(CMD, "%s", err);
			return NP_EXIT_ERROR;
		}
		sc->cells[cell_of(sc, seq)].sent++;
		sc->sent = seq;
		bool last = seq == sc->total;
		/* Evenly spaced: a probe sent late is followed by the next after half a gap at
		 * least, never by a burst catching up. */
		int64_t until = start + (int64_t)seq * gap;
		if (until < sc->sent_us[seq] + gap / 2)
			until = sc->sent_us[seq] + gap / 2;
		if (last)
			until = sc->sent_us[seq] + (int64_t)(o->timeout * 1e6);
		if (until > stop_at)
			until = stop_at;
		if (probe_run_wait(&sc->run, sc->sent + 1, until, last ? all_answered : NULL, on_answer,
				   sc, err, sizeof err) < 0) {
			np_errorf(CMD, "%s", err);
			return NP_EXIT_ERROR;
		}
	}
	return NP_EXIT_OK;
}

/* The end: the silent probes (JSON), the table, the summary. */
static void report(struct scan *sc, FILE *out, int64_t start, bool tables)
{
	const struct ping_opts *o = sc->o;
	struct np_probe_printer *pr = &sc->run.pr;
	uint32_t verdicts[NP_PV_COUNT] = { 0 };
	for (uint32_t seq = 1; tables && seq <= sc->sent; seq++) {
		if (sc->got[seq])
			continue;
		const struct np_probe_spec *s = &sc->specs[cell_of(sc, seq) / sc->np];
		struct np_probe_answer a = { .seq = seq, .verdict = o->p.m->silence,
					     .dport = s->ports ? np_probe_dport(s, seq) : 0 };
		memcpy(a.dst, s->dst, 16);
		pr->ops->silence(pr, &a, o->timeout);
	}
	for (uint32_t c = 0; c < sc->tg.n * sc->np; c++) {
		struct scan_cell *cell = &sc->cells[c];
		if (!cell->sent)
			continue;
		if (!cell->received)
			cell->verdict = o->p.m->silence;
		verdicts[cell->verdict]++;
		char a[NP_ADDR_STRLEN + 16];
		const struct np_probe_spec *s = &sc->specs[c / sc->np];
		struct np_probe_row row = {
			.target = np_probe_fmt_addr(sc->tg.ver, "", s->dst, a, sizeof a),
			.port = s->ports ? s->ports[c % sc->np] : 0, .verdict = cell->verdict,
			.sent = cell->sent, .received = cell->received, .rtt_ms = cell->rtt,
			.from = cell->from, .keys = &cell->keys, .timeout_s = o->timeout,
		};
		if (tables)
			pr->ops->row(pr, &row);
	}
	struct np_probe_totals t = {
		.cmd = NP_CMD_SCAN, .host = sc->hosts, .sent = sc->sent, .received = sc->answered,
		.duplicates = sc->dups, .rtt = &sc->rtt,
		.total_ms = (double)(probe_now_us() - start) / 1000.0, .ntargets = sc->tg.n,
		.nports = o->p.m->port == NP_PORT_NONE ? 0 : sc->np, .verdicts = verdicts,
	};
	pr->ops->summary(pr, out, &t);
}

static int run(struct scan *sc)
{
	char err[512] = "";
	const struct ping_opts *o = sc->o;
	sc->run.poll_ms = o->rate > 100 ? 1 : 10; /* the wait between probes is no shorter */
	if (prepare(sc, err, sizeof err) < 0 || probe_run_open(&sc->run, o->p.iface, err, sizeof err) < 0) {
		np_errorf(CMD, "%s", err);
		return NP_EXIT_ERROR;
	}
	sc->run.cmd = CMD;
	np_install_stop_handlers();
	setvbuf(stdout, NULL, _IOLBF, 0);
	np_probe_printer_init(&sc->run.pr, o->p.json ? NP_OUT_JSON : NP_OUT_LINE, stdout, o->quiet,
			      false, o->p.m, sc->tg.ver, "", sc->hosts);
	sc->run.pr.connect = sc->run.connect;
	sc->run.pr.dgram = sc->run.udpsock;
	struct np_probe_head h = { .cmd = NP_CMD_SCAN, .host = sc->hosts, .target = sc->hosts,
				   .size = o->size, .port = o->p.port, .ntargets = sc->tg.n,
				   .nports = o->p.m->port == NP_PORT_NONE ? 0 : sc->np,
				   .probes = sc->total, .rate = o->rate };
	sc->run.pr.ops->start(&sc->run.pr, &h);
	int64_t start = probe_now_us();
	int status = probe_loop(sc, o->deadline > 0 ? start + (int64_t)(o->deadline * 1e6) : INT64_MAX);
	int out_errno = 0;
	enum np_out_state os = probe_run_out_state(&out_errno);
	if (os == NP_OUT_OK) {
		report(sc, stdout, start, true);
		if (fflush(stdout) != 0)
			os = np_output_state(stdout, &out_errno);
	}
	if (os == NP_OUT_CLOSED) {
		report(sc, stderr, start, false); /* the reader has gone: the summary on stderr */
	} else if (os == NP_OUT_FAILED && status == NP_EXIT_OK) {
		np_errorf(CMD, "writing standard output failed: %s", strerror(out_errno));
		return NP_EXIT_ERROR;
	}
	if (status == NP_EXIT_OK && sc->answered == 0)
		status = NP_EXIT_NOREPLY;
	return status;
}

int scan_run(const struct ping_opts *o)
{
	struct scan sc = { .o = o };
	int rc = run(&sc);
	probe_run_close(&sc.run);
	free(sc.specs);
	free(sc.sent_us);
	free(sc.got);
	free(sc.cells);
	return rc;
}
