/* printer.h - every output behind one interface. A `watch` printer is told each packet, each
 * tracker event (in the order the pipeline settles: after the packet that caused it) and the end
 * of the run, and decides alone what it shows of them and where. `ping` and `trace` print through
 * the probe printers below: the same kind of op table, picked the same way from the same
 * enum np_output (the ops differ: a probe run reports answers, silences and hops, not packets
 * and tracker events; doc/ARCHITECTURE.md "Printers"). Each command picks its printer once
 * (printer.c); nothing outside src/print/ asks which output is on. */
#ifndef NETPROBE_PRINTER_H
#define NETPROBE_PRINTER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "netprobe/hopstat.h"
#include "netprobe/print.h"
#include "netprobe/probe.h"
#include "netprobe/rtt.h"
#include "netprobe/track.h"

/* What a run adds up to, for the summary. */
struct np_run_stats {
	struct np_track_stats track;
	uint64_t frames;        /* read from the source */
	uint64_t shown;         /* of which matched --port/--host */
	bool writing;           /* -w: the two counts below */
	uint64_t written;       /* frames written to the -w file */
	uint64_t write_dropped; /* frames the -w buffer could not take (live) */
};

/* How the run ended, for np_printer_close. */
enum np_run_end {
	NP_END_COMPLETE,        /* input over, -c, --duration, a stop signal, a link gone */
	NP_END_READER_GONE,     /* standard output's reader left: it takes nothing more */
	NP_END_ERROR,           /* reported already: no summary */
};

struct np_printer;
struct np_printer_ops;

/* NP_OUT_STATS's op table (print/stats_text.c). */
extern const struct np_printer_ops np_stats_printer_ops;

struct np_printer_ops {
	/* One decoded packet that passed the filters, with what the tracker knows of it. */
	void (*packet)(struct np_printer *pr, const struct np_packet *p,
		       const struct np_pkt_track *trk);
	/* One tracker event; each printer chooses which kinds it shows. */
	void (*event)(struct np_printer *pr, const struct np_event *ev);
	/* The run ended normally: whatever belongs at the end of standard output's stream. */
	void (*summary)(struct np_printer *pr, const struct np_run_stats *rs);
	/* Standard output is flushed and its fate known: whatever goes to standard error. */
	void (*close)(struct np_printer *pr, const struct np_run_stats *rs, enum np_run_end end);
};

/* The outputs of `watch`. -v, -A, -X and -x add to the packet line (composition, in that
 * order). */
enum np_output {
	NP_OUT_LINE,            /* the packet list (-q: the short line) */
	NP_OUT_JSON,            /* --json */
	NP_OUT_EVENTS,          /* --events */
	NP_OUT_NONE,            /* -w -: standard output carries the capture */
	NP_OUT_STATS,           /* `netprobe stats`: tables at the end (stats.h) */
	NP_OUT_ECS,             /* --json=ecs: events and conversations, Elastic Common Schema */
};

struct np_stats;

struct np_printer_opts {
	enum np_output output;
	bool tree;              /* -v */
	bool hex;               /* -x */
	bool text;              /* -A: the transport payload as text */
	bool payload_hex;       /* -X: the transport payload in hex */
	uint32_t payload_max;   /* bytes of a payload -A and -X show (--payload-max; UINT32_MAX all) */
	enum np_payload_enc payload_json; /* --json --payload */
	uint32_t payload_json_max; /* its bytes per object (UINT32_MAX unless --payload-max) */
	bool states;            /* --states */
	bool summary;           /* not --no-summary */
	struct np_stats *stats; /* NP_OUT_STATS: the collector, the caller's */
	uint16_t cid_seed;      /* --community-id-seed */
};

#define NP_PRINTER_PARTS 5

struct np_printer {
	const struct np_printer_ops *ops;
	struct np_print_ctx pc;
	struct np_printer_opts o;
	FILE *diag;             /* where the text summary goes: stderr (a harness: elsewhere) */
	bool flows;             /* it wants each conversation's NP_EV_CONV_END as it leaves the
				 * table (the printer decides; the pipeline hands them over) */
	/* The packet renderings of the line printer, in order (line, -v tree, -A, -X, -x dump). */
	unsigned nparts;
	void (*parts[NP_PRINTER_PARTS])(struct np_print_ctx *ctx, const struct np_packet *p,
					const struct np_pkt_track *trk);
};

/* Picks the implementation for o->output; pc is the formatting context (its out stream,
 * time format, colour, -S, -q, ladder width), taken as given except for what the output
 * decides itself (--events' numbered event lines). */
void np_printer_init(struct np_printer *pr, const struct np_printer_opts *o,
		     const struct np_print_ctx *pc);
/* Does the printer write to standard output at all (-w - does not)? */
bool np_printer_uses_stdout(const struct np_printer *pr);

static inline void np_printer_packet(struct np_printer *pr, const struct np_packet *p,
				     const struct np_pkt_track *trk)
{
	pr->ops->packet(pr, p, trk);
}

static inline void np_printer_event(struct np_printer *pr, const struct np_event *ev)
{
	pr->ops->event(pr, ev);
}

static inline void np_printer_summary(struct np_printer *pr, const struct np_run_stats *rs)
{
	pr->ops->summary(pr, rs);
}

static inline void np_printer_close(struct np_printer *pr, const struct np_run_stats *rs,
				    enum np_run_end end)
{
	pr->ops->close(pr, rs, end);
}

/* --- ping and trace: the probe printers (text: print/probe_text.c, JSON: probe_json.c) --- */

#define NP_PROBE_MAX_Q 10 /* probes per trace hop */

/* NP_CMD_SCAN: ping with several targets or ports (a table per target at the end). */
/* NP_CMD_REPORT: trace --report / --live (mtr's per-hop table, round after round). */
enum np_probe_cmd { NP_CMD_PING, NP_CMD_TRACE, NP_CMD_SCAN, NP_CMD_REPORT };

#define NP_PV_COUNT (NP_PV_TOO_BIG + 1)

/* What the first line says. */
struct np_probe_head {
	enum np_probe_cmd cmd;
	const char *host;        /* as the user wrote it */
	const char *target;      /* its address */
	uint64_t size;           /* ping: data bytes */
	const char *from;        /* ping -I: the source address as text, else NULL */
	const char *device;      /* ping -I IF: the interface, else "" */
	uint64_t port;           /* ping: destination port of --syn/--udp */
	uint64_t max_ttl;        /* trace */
	uint32_t pmtu;           /* trace --pmtu: the first hop's MTU the probes start at */
	uint32_t ntargets, nports, probes; /* scan: targets, ports (0: echo), probes in all */
	double rate;             /* scan: probes a second */
};

/* trace --report / --live after a round: the hops so far (hop[0] is TTL 1). */
struct np_trace_report {
	uint32_t round, rounds;  /* this round (1...), and how many there will be (0: until
				  * stopped) */
	unsigned nhops;          /* TTL 1 ... nhops: up to the destination once it answered */
	const struct np_hopstat *hop;
	int64_t ts_us;           /* when the round ended (wall clock) */
	bool last;               /* the run's end: the final table */
	uint32_t pmtu;           /* --pmtu: the probes' size now (the path MTU so far); 0: not
				  * asked */
	uint32_t pmtu_start;     /* ... and the size they started at (the route's MTU) */
};

/* A scan's result for one target and port (one row of its table). */
struct np_probe_row {
	const char *target;      /* the target's address as text */
	uint16_t port;           /* 0 for echo */
	enum np_probe_verdict verdict;
	uint32_t sent, received;
	double rtt_ms;           /* the fastest answer's */
	const uint8_t *from;     /* who answered (received > 0) */
	const struct np_probe_keys *keys; /* the first answer's key fields (received > 0) */
	double timeout_s;
};

/* One hop of a trace: probes first_seq ... first_seq + nq - 1, sent with the same TTL. */
struct np_probe_hop {
	uint32_t first_seq, nq;
	int64_t sent_us[NP_PROBE_MAX_Q];
	bool answered[NP_PROBE_MAX_Q];
	double rtt[NP_PROBE_MAX_Q];
	uint8_t from[NP_PROBE_MAX_Q][16];
	bool final;
	uint32_t pmtu;           /* trace --pmtu: the path MTU the probes of this hop passed at,
				  * when a router on the way reported a smaller one; 0: none */
	uint32_t pmtu_from_size; /* ... and the size it was lowered from */
};

/* The end of a run. */
struct np_probe_totals {
	enum np_probe_cmd cmd;
	const char *host;
	uint32_t sent;
	uint64_t received, duplicates, errors;
	const struct np_rtt *rtt;
	double total_ms;         /* ping, scan */
	bool reached;            /* trace */
	uint32_t pmtu;           /* trace --pmtu: the path MTU found; 0: not asked */
	uint32_t ntargets, nports; /* scan */
	const uint32_t *verdicts; /* scan: rows by verdict, NP_PV_COUNT of them */
};

struct np_probe_printer;

struct np_probe_printer_ops {
	void (*start)(struct np_probe_printer *pr, const struct np_probe_head *h);
	/* Probe seq has left (ping -f draws a dot). */
	void (*sent)(struct np_probe_printer *pr, uint32_t seq);
	/* An answer to probe a->seq, rtt_ms after it left; dup: that probe was answered before. */
	void (*answer)(struct np_probe_printer *pr, const struct np_packet *p,
		       const struct np_probe_answer *a, double rtt_ms, bool dup);
	/* Probe a->seq (to a->dst, a->dport; a->verdict the silence's) got no answer within
	 * timeout_s. */
	void (*silence)(struct np_probe_printer *pr, const struct np_probe_answer *a,
			double timeout_s);
	void (*hop)(struct np_probe_printer *pr, unsigned ttl, const struct np_probe_hop *h);
	/* trace --report / --live: after every round, and once more at the end (r->last). */
	void (*report)(struct np_probe_printer *pr, const struct np_trace_report *r);
	/* A scan's result for one target and port, target by target, at the end. */
	void (*row)(struct np_probe_printer *pr, const struct np_probe_row *r);
	/* To pr->out, or as text to `out` when pr->out's reader has gone (`ping ... | head`). */
	void (*summary)(struct np_probe_printer *pr, FILE *out, const struct np_probe_totals *t);
	void (*close)(struct np_probe_printer *pr);
};

struct np_probe_printer {
	const struct np_probe_printer_ops *ops;
	FILE *out;
	bool quiet, verbose;     /* text: -q only the summary, -v the header tree of each answer */
	const struct np_probe_module *m;
	uint8_t ver;             /* of the target's addresses */
	char scope[16];          /* a scoped link-local target's interface, or "" */
	char target[64];         /* the target as text */
	struct np_print_ctx pc;  /* -v trees */
	enum np_probe_cmd cmd;   /* set by start */
	char row_target[64];     /* text: the target whose table is open */
	bool live;               /* trace --live on a terminal: redraw the table every round */
	bool dgram;              /* unprivileged ping: the replies' IP id and TOS are not known */
	bool connect;            /* unprivileged --syn: connect() outcomes, no packet read */
	bool vary_flow;          /* trace --report: a new flow per probe (--vary-flow, connect()
				  * probes, raw UDP over IPv6) */
	bool flood;              /* ping -f: dots, not lines */
	const char *host;        /* as the user wrote it (set by start) */
};

/* trace --report / --live's table (probe_report.c), for the text and JSON op tables. */
void np_probe_text_report(struct np_probe_printer *pr, const struct np_trace_report *r);
void np_probe_json_report(struct np_probe_printer *pr, const struct np_trace_report *r);

extern const struct np_probe_printer_ops np_probe_text_ops, np_probe_json_ops;

/* Picks the implementation for `output` as np_printer_init does (printer.c): NP_OUT_LINE
 * (iputils' text) or NP_OUT_JSON (JSON lines); the other outputs are watch's alone. */
void np_probe_printer_init(struct np_probe_printer *pr, enum np_output output, FILE *out,
			   bool quiet, bool verbose, const struct np_probe_module *m, uint8_t ver,
			   const char *scope, const char *target);
/* An address of the printer's family as text, "fe80::1%eth0" for a link-local one of a scoped
 * target. buf: NP_ADDR_STRLEN + 16 bytes. */
char *np_probe_printer_addr(const struct np_probe_printer *pr, const uint8_t addr[16], char *buf,
			    size_t cap);
/* What a connect() outcome of verdict v means, for the text lines and tables. */
const char *np_probe_connect_outcome(enum np_probe_verdict v);
/* The ping text summary (also JSON's fallback when stdout's reader has gone). */
void np_probe_text_summary(const struct np_probe_printer *pr, FILE *out,
			   const struct np_probe_totals *t);

#endif
