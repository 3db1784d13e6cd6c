/* pipeline.c - one frame through decode, match, track and the printer, and the order of the
 * output: expiries (they happened before this packet), then the packet, then what it caused. */
#include "netprobe/pipeline.h"

#include <string.h>

#include "netprobe/decode.h"
#include "netprobe/hot.h"

void np_pipeline_init(struct np_pipeline *pl, const struct np_match *match, struct np_tracker *trk,
		      struct np_printer *pr)
{
	pl->match = match;
	pl->trk = trk;
	pl->pr = pr;
	pl->ladder = NULL;
	pl->follow = NULL;
	pl->annot = NULL;
	pl->flows = NULL;
	pl->flows_ctx = NULL;
	pl->udp = NULL;
	pl->decode_as = NULL;
	pl->pair = NULL;
	pl->pdu = NULL;
	pl->shown = 0;
	pl->counts = (struct np_proto_counts){ 0 };
	pl->evs.n = 0;
	pl->evs.dropped = 0;
}

void np_pipeline_ladder(struct np_pipeline *pl, struct np_ladder_rec *ladder)
{
	pl->ladder = ladder;
}

void np_pipeline_annotate(struct np_pipeline *pl, struct np_annot *a)
{
	pl->annot = a;
}

void np_pipeline_follow(struct np_pipeline *pl, struct np_follow *f)
{
	pl->follow = f;
}

void np_pipeline_flows(struct np_pipeline *pl, void (*flow)(void *ctx, const struct np_event *ev),
		       void *ctx)
{
	pl->flows = flow;
	pl->flows_ctx = ctx;
}

/* A UDP conversation's record (udpflow.h), to the flow exporters only: its expiry happened
 * before the packet being handled, its periodic report after it. */
static void udp_record(void *ctx, const struct np_event *ev)
{
	struct np_pipeline *pl = ctx;
	if (pl->pr && pl->pr->flows)
		np_printer_event(pl->pr, ev);
	if (pl->flows)
		pl->flows(pl->flows_ctx, ev);
}

void np_pipeline_udp_flows(struct np_pipeline *pl, struct np_udpflows *udp)
{
	pl->udp = udp;
	if (udp)
		np_udpflows_emit_to(udp, udp_record, pl);
}

/* A conversation is over: its ladder, when it has one to draw, and the end of its dialogue.
 * The printers never see NP_EV_CONV_END itself. */
static void conv_end(struct np_pipeline *pl, const struct np_event *ev)
{
	struct np_event ladder;
	if (ev->end.why != NP_CONV_OVER) { /* it leaves the table, or a periodic report */
		if (pl->pr && pl->pr->flows)
			np_printer_event(pl->pr, ev);
		if (pl->flows)
			pl->flows(pl->flows_ctx, ev);
	}
	if (ev->end.why == NP_CONV_ACTIVE)
		return; /* nothing ends */
	if (pl->follow)
		np_follow_end(pl->follow, ev);
	if (pl->ladder && np_ladder_end(pl->ladder, ev, &ladder))
		np_printer_event(pl->pr, &ladder);
}

/* Print the events collected so far and empty the out-array for the tracker's next call. */
static void flush_events(struct np_pipeline *pl)
{
	if (!pl->evs.n) /* most packets cause nothing */
		return;
	for (unsigned i = 0; i < pl->evs.n; i++) {
		const struct np_event *ev = &pl->evs.ev[i];
		if (pl->annot)
			np_annot_event(pl->annot, ev);
		if (ev->kind != NP_EV_CONV_END)
			np_printer_event(pl->pr, ev);
		else if (ev->end.why != NP_CONV_EVICTED) /* evictions: done before the packet */
			conv_end(pl, ev);
	}
	pl->evs.n = 0;
}

/* The packet's segment joins its conversation's ladder and dialogue, after the conversations
 * pushed out to make room for it have given their places back (as they did, inside the
 * tracker, before it). */
static void record_segment(struct np_pipeline *pl, const struct np_packet *pkt,
			   const struct np_pkt_track *info)
{
	for (unsigned i = 0; i < pl->evs.n; i++) {
		const struct np_event *ev = &pl->evs.ev[i];
		if (ev->kind == NP_EV_CONV_END && ev->end.why == NP_CONV_EVICTED)
			conv_end(pl, ev);
	}
	if (pl->ladder)
		np_ladder_segment(pl->ladder, pkt, info);
	if (pl->follow)
		np_follow_packet(pl->follow, pkt, info);
}

NP_HOT bool np_pipeline_frame(struct np_pipeline *pl, const struct np_frame *f, struct np_packet *pkt)
{
	struct np_pkt_track info;
	if (pl->annot)
		np_annot_clear(pl->annot);
	np_decode_with(f, pkt, pl->decode_as);
	if (!np_match_packet(pl->match, pkt))
		return false;
	pl->shown++;
	if (!pl->trk) { /* untracked (a probe's reply path): the packet alone */
		np_stats_count(&pl->counts, pkt);
		if (pl->pr)
			np_printer_packet(pl->pr, pkt, NULL);
		return true;
	}
	while (np_track_advance(pl->trk, f->ts_sec, f->ts_usec, &pl->evs))
		flush_events(pl);
	flush_events(pl);
	int64_t now = np_ts_clamp_sec(f->ts_sec) * 1000000 + f->ts_usec;
	if (pl->udp) /* UDP conversations idle too long end too: before the packet */
		np_udpflows_advance(pl->udp, now);
	np_stats_count(&pl->counts, pkt);
	np_track_packet(pl->trk, pkt, &info, &pl->evs);
	if (pl->udp)
		np_udpflows_packet(pl->udp, pkt);
	if (pl->pdu)
		np_apppdu_packet(pl->pdu, pkt, &info);
	if (pl->pair)
		np_apppair_packet(pl->pair, pkt, &info);
	if (pl->ladder || pl->follow)
		record_segment(pl, pkt, &info);
	np_printer_packet(pl->pr, pkt, &info);
	if (pl->annot)
		np_annot_packet(pl->annot, pkt, &info);
	flush_events(pl);
	return true;
}

void np_pipeline_finish(struct np_pipeline *pl)
{
	if (!pl->trk)
		return;
	while (np_track_finish(pl->trk, &pl->evs))
		flush_events(pl);
	flush_events(pl);
	if (pl->udp) /* then the UDP conversations still there, in first-seen order */
		np_udpflows_finish(pl->udp);
}

void np_pipeline_stats(const struct np_pipeline *pl, uint64_t frames, struct np_run_stats *rs)
{
	if (pl->trk)
		np_track_stats(pl->trk, &rs->track);
	else
		memset(&rs->track, 0, sizeof rs->track);
	np_stats_fill(&pl->counts, &rs->track);
	if (pl->pair) {
		struct np_apppair_stats ap;
		np_apppair_stats(pl->pair, &ap);
		rs->track.app_requests = ap.requests;
		rs->track.app_paired = ap.paired;
		rs->track.app_unmatched = ap.unmatched;
		rs->track.app_evicted = ap.evicted;
		rs->track.app_pending = ap.pending;
	}
	if (pl->pdu) {
		struct np_apppdu_stats pd;
		np_apppdu_stats(pl->pdu, &pd);
		rs->track.pdu_done = pd.done;
		rs->track.pdu_abandoned = pd.abandoned;
		rs->track.pdu_too_long = pd.too_long;
		rs->track.pdu_evicted = pd.evicted;
	}
	rs->frames = frames;
	rs->shown = pl->shown;
	rs->writing = false; /* the -w counts: the command's (watch_run.c) */
	rs->written = rs->write_dropped = 0;
}
