/* ladder.h - the --ladder diagram's recorder: it keeps the segments of each TCP conversation
 * (from the tracker's per-packet info) and hands out the conversation's ladder when the tracker
 * says it is over (NP_EV_CONV_END). Presentation, so outside the tracker; bounded: a pool of
 * `convs` conversations of `segments` arrows each, the rest counted, not drawn. */
#ifndef NETPROBE_LADDER_H
#define NETPROBE_LADDER_H

#include <stdbool.h>
#include <stdint.h>

#include "netprobe/packet.h"
#include "netprobe/track.h"

/* The first payload bytes an arrow keeps: the widest diagram has room for about this much. */
#define NP_LADDER_SNIP 40

/* One arrow of a ladder diagram. */
struct np_ladder_seg {
	int64_t us;             /* since the conversation's first segment */
	uint64_t n;
	uint8_t from;           /* enum np_side of the sender */
	uint8_t changed;        /* bit 0: client's state changed, bit 1: server's */
	uint16_t flags;
	uint16_t analysis;
	uint32_t rel_seq, rel_ack, len;
	uint8_t state[2];       /* enum np_tcp_state after the segment */
	uint8_t nsnip;          /* payload bytes kept for the arrow's quoted snippet */
	uint8_t snip[NP_LADDER_SNIP];
};

struct np_ladder {
	uint32_t nsegs;         /* kept, at most the tracker's ladder_segments */
	uint64_t omitted;       /* segments after the kept ones */
	struct np_ladder_seg *segs;
};

/* What watch --ladder keeps: enough for every conversation of a capture people draw. */
#define NP_LADDER_CONVS 1024
#define NP_LADDER_SEGMENTS 64

struct np_ladder_rec;

/* max_conv: the tracker's (np_pkt_track.slot is below it). NULL when out of memory. */
struct np_ladder_rec *np_ladder_new(uint32_t max_conv, uint32_t convs, uint32_t segments);
void np_ladder_free(struct np_ladder_rec *r);
/* One segment the tracker followed (info->tcp): one more arrow of its conversation. */
void np_ladder_segment(struct np_ladder_rec *r, const struct np_packet *p,
		       const struct np_pkt_track *info);
/* A conversation is over (NP_EV_CONV_END): its place is given back; true when *ladder is its
 * NP_EV_LADDER event to print (its ladder valid until the next call into the recorder). */
bool np_ladder_end(struct np_ladder_rec *r, const struct np_event *end, struct np_event *ladder);

#endif
