/* printer.h - every output of `watch` behind one interface: a printer is told each packet, each
 * tracker event (in the order the pipeline settles: after the packet that caused it) and the end
 * of the run, and decides alone what it shows of them and where. The command picks one printer
 * once (np_printer_init); nothing outside src/print/ asks which output is on. */
#ifndef NETPROBE_PRINTER_H
#define NETPROBE_PRINTER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "netprobe/print.h"
#include "netprobe/track.h"

/* What a run adds up to, for the summary. */
struct np_run_stats {
	struct np_track_stats track;
	uint64_t frames;        /* read from the source */
	uint64_t shown;         /* of which matched --port/--host */
};

/* How the run ended, for np_printer_close. */
enum np_run_end {
	NP_END_COMPLETE,        /* input over, -c, --duration, a stop signal, a link gone */
	NP_END_READER_GONE,     /* standard output's reader left: it takes nothing more */
	NP_END_ERROR,           /* reported already: no summary */
};

struct np_printer;

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

/* The outputs of `watch`. -v and -x add to the packet line (composition, in that order). */
enum np_output {
	NP_OUT_LINE,            /* the packet list (-q: the short line) */
	NP_OUT_JSON,            /* --json */
	NP_OUT_EVENTS,          /* --events */
	NP_OUT_NONE,            /* -w -: standard output carries the capture */
};

struct np_printer_opts {
	enum np_output output;
	bool tree;              /* -v */
	bool hex;               /* -x */
	bool states;            /* --states */
	bool summary;           /* not --no-summary */
};

#define NP_PRINTER_PARTS 3

struct np_printer {
	const struct np_printer_ops *ops;
	struct np_print_ctx pc;
	struct np_printer_opts o;
	FILE *diag;             /* where the text summary goes: stderr (a harness: elsewhere) */
	/* The packet renderings of the line printer, in order (line, -v tree, -x dump). */
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

#endif
