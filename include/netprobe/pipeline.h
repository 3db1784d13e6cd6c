/* pipeline.h - the frame pipeline as library code: decode -> filter (--port/--host) -> track ->
 * print, with the tracker's events put in their place by the pipeline (expiries before the
 * packet, what the packet caused after its line). `watch` feeds it frames from its source, the
 * fuzz harnesses from memory: both run this code. */
#ifndef NETPROBE_PIPELINE_H
#define NETPROBE_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "netprobe/annot.h"
#include "netprobe/apppair.h"
#include "netprobe/apppdu.h"
#include "netprobe/follow.h"
#include "netprobe/ladder.h"
#include "netprobe/match.h"
#include "netprobe/packet.h"
#include "netprobe/printer.h"
#include "netprobe/stats.h"
#include "netprobe/track.h"
#include "netprobe/udpflow.h"

/* Packets shown, by protocol (stats.c): by the kind of their innermost network and transport
 * layers (enum np_layer, below 32 as NP_HAS needs; [NP_L_NONE] counts nothing useful). */
struct np_proto_counts {
	uint64_t packets, other;
	uint64_t kind[32];
};

void np_stats_count(struct np_proto_counts *c, const struct np_packet *p);
/* Into the summary's statistics (the fields of the same names). */
void np_stats_fill(const struct np_proto_counts *c, struct np_track_stats *s);

struct np_pipeline {
	const struct np_match *match;   /* --port/--host; an empty match takes everything */
	struct np_tracker *trk;
	struct np_printer *pr;
	struct np_ladder_rec *ladder;   /* --ladder's recorder, or NULL (np_pipeline_ladder) */
	struct np_follow *follow;       /* follow's conversations, or NULL (np_pipeline_follow) */
	struct np_annot *annot;         /* -w pcapng's comments, or NULL (np_pipeline_annotate) */
	/* A flow exporter (--ipfix): each conversation's NP_EV_CONV_END as it leaves the table,
	 * and its periodic reports (NP_CONV_ACTIVE); or NULL (np_pipeline_flows). */
	void (*flows)(void *ctx, const struct np_event *ev);
	void *flows_ctx;
	/* The UDP conversations for the flow exporters (np_pipeline_udp_flows), or NULL. */
	struct np_udpflows *udp;
	uint64_t shown;                 /* frames that passed the match */
	struct np_proto_counts counts;  /* of those, by protocol */
	struct np_track_events evs;     /* the tracker's out-array, emptied after each call */
	const struct np_decode_as *decode_as; /* --decode-as overrides, or NULL */
	struct np_apppair *pair;        /* DNS/HTTP requests and responses paired, or NULL */
	struct np_apppdu *pdu;          /* messages spanning segments put together, or NULL */
};

/* Decode with --decode-as overrides (the caller keeps them). */
static inline void np_pipeline_decode_as(struct np_pipeline *pl, const struct np_decode_as *da)
{
	pl->decode_as = da && da->n ? da : NULL;
}

/* Owns nothing: the caller keeps match, tracker and printer. trk NULL: no tracking, no events;
 * each packet goes to the printer with NULL track info. pr NULL (only with trk NULL): nothing is
 * printed, the caller reads the decoded packet (a probe's reply path: its module's match()). */
void np_pipeline_init(struct np_pipeline *pl, const struct np_match *match, struct np_tracker *trk,
		      struct np_printer *pr);
/* --ladder: the recorder that turns the tracker's NP_EV_CONV_END into ladders to print (the
 * tracker made with report_ends). The caller keeps it. */
void np_pipeline_ladder(struct np_pipeline *pl, struct np_ladder_rec *ladder);
/* follow: the packets and the tracker's NP_EV_CONV_END go to it (the tracker made with
 * report_ends). The caller keeps it. */
void np_pipeline_follow(struct np_pipeline *pl, struct np_follow *f);
/* -w --format pcapng: each frame's analysis notes and the events it caused go to `a` too,
 * which np_pipeline_frame empties first (np_pipeline_finish does not: the events at the end
 * of the run are added to what is there). The caller keeps it. */
void np_pipeline_annotate(struct np_pipeline *pl, struct np_annot *a);
/* --ipfix: `flow` hears each conversation leaving the table and its periodic reports (the
 * tracker made with report_ends, and active_timeout_s for those). The caller keeps ctx. */
void np_pipeline_flows(struct np_pipeline *pl, void (*flow)(void *ctx, const struct np_event *ev),
		       void *ctx);
/* --json=ecs, --ipfix: the UDP conversations too, each reported to the printer's flows and the
 * exporter when it leaves `udp`'s table (idle, pushed out, or at the end of the capture:
 * np_pipeline_finish) and periodically (udpflow.h). The caller keeps it. */
void np_pipeline_udp_flows(struct np_pipeline *pl, struct np_udpflows *udp);
/* Pair DNS and HTTP requests with their responses (tracked runs only); the caller keeps ap. */
static inline void np_pipeline_pair(struct np_pipeline *pl, struct np_apppair *ap)
{
	pl->pair = ap;
}
/* Put DNS, HTTP and TLS messages spanning segments together (tracked runs only); the caller
 * keeps pd. */
static inline void np_pipeline_pdu(struct np_pipeline *pl, struct np_apppdu *pd)
{
	pl->pdu = pd;
}
/* One frame through decode, match, track and print; *pkt receives the decoded packet (for a
 * caller that looks at it further, e.g. a probe's reply path). False when the match dropped it. */
bool np_pipeline_frame(struct np_pipeline *pl, const struct np_frame *f, struct np_packet *pkt);
/* End of input: the tracker's pending events (unanswered SYNs, ladders, a flood) printed.
 * Call it only when the run ended normally. */
void np_pipeline_finish(struct np_pipeline *pl);
/* The run's statistics for the summary: the tracker's, the frames read and shown. */
void np_pipeline_stats(const struct np_pipeline *pl, uint64_t frames, struct np_run_stats *rs);

#endif
