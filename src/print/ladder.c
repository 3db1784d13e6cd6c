/* ladder.c - the --ladder recorder (ladder.h): each conversation's segments, from the tracker's
 * per-packet info, in a bounded pool; handed out as an NP_EV_LADDER event when the tracker says
 * the conversation is over, and drawn by event.c. A conversation's first segment waits in its
 * own place until a second one comes: a flood's lone SYNs never take a ladder from the pool. */
#include <stdlib.h>
#include <string.h>

#include "netprobe/ladder.h"
#include "payload.h"

#define NO_LADDER UINT32_MAX

/* Per conversation, by the tracker's slot. */
struct conv_rec {
	uint32_t ladder;        /* in the pool, or NO_LADDER */
	bool has_first;
	struct np_ladder_seg first;
};

struct np_ladder_rec {
	uint32_t max_conv, segments;
	struct conv_rec *convs;
	struct np_ladder *ladders;
	struct np_ladder_seg *segs;
	uint32_t *free;         /* a stack of free ladders */
	uint32_t nfree;
	struct np_ladder lone;  /* the ladder handed out for a conversation of one segment */
};

struct np_ladder_rec *np_ladder_new(uint32_t max_conv, uint32_t convs, uint32_t segments)
{
	struct np_ladder_rec *r = calloc(1, sizeof *r);
	uint32_t per = segments ? segments : 1;
	if (!r)
		return NULL;
	r->max_conv = max_conv;
	r->segments = per;
	r->convs = calloc(max_conv, sizeof *r->convs);
	r->ladders = calloc(convs, sizeof *r->ladders);
	r->segs = calloc((size_t)convs * per, sizeof *r->segs);
	r->free = calloc(convs, sizeof *r->free);
	if (!r->convs || !r->ladders || !r->segs || !r->free) {
		np_ladder_free(r);
		return NULL;
	}
	for (uint32_t i = 0; i < max_conv; i++)
		r->convs[i].ladder = NO_LADDER;
	for (uint32_t i = 0; i < convs; i++) {
		r->ladders[i].segs = r->segs + (size_t)i * per;
		r->free[i] = convs - 1 - i;
	}
	r->nfree = convs;
	return r;
}

void np_ladder_free(struct np_ladder_rec *r)
{
	if (!r)
		return;
	free(r->convs);
	free(r->ladders);
	free(r->segs);
	free(r->free);
	free(r);
}

void np_ladder_segment(struct np_ladder_rec *r, const struct np_packet *p,
		       const struct np_pkt_track *info)
{
	if (!info->tcp || info->slot >= r->max_conv)
		return;
	const struct np_tcp *tcp = np_pkt_tcp(p);
	struct conv_rec *c = &r->convs[info->slot];
	struct np_ladder_seg seg, *s = &seg;
	s->us = info->conv_us;
	s->n = p->frame->n;
	s->from = (uint8_t)info->from;
	s->flags = tcp->flags;
	s->analysis = info->analysis;
	s->rel_seq = info->rel_seq;
	s->rel_ack = info->rel_ack;
	s->len = tcp->payload_len;
	s->state[0] = (uint8_t)info->state[0];
	s->state[1] = (uint8_t)info->state[1];
	s->changed = info->changed;
	struct np_payload pl;
	s->nsnip = 0;
	if (np_payload_of(p, &pl)) {
		s->nsnip = pl.captured < NP_LADDER_SNIP ? (uint8_t)pl.captured : NP_LADDER_SNIP;
		memcpy(s->snip, pl.data, s->nsnip);
	}
	if (c->ladder == NO_LADDER && !c->has_first) {
		c->first = seg;
		c->has_first = true;
		return;
	}
	if (c->ladder == NO_LADDER) {
		if (!r->nfree)
			return; /* pool used up: this conversation is not drawn */
		c->ladder = r->free[--r->nfree];
		struct np_ladder *l = &r->ladders[c->ladder];
		l->segs[0] = c->first;
		l->nsegs = 1;
		l->omitted = 0;
		c->has_first = false;
	}
	struct np_ladder *l = &r->ladders[c->ladder];
	if (l->nsegs == r->segments)
		l->omitted++;
	else
		l->segs[l->nsegs++] = seg;
}

bool np_ladder_end(struct np_ladder_rec *r, const struct np_event *end, struct np_event *ladder)
{
	if (end->end.slot >= r->max_conv)
		return false;
	struct conv_rec *c = &r->convs[end->end.slot];
	if (c->ladder == NO_LADDER && !c->has_first)
		return false;
	r->lone = (struct np_ladder){ 1, 0, &c->first };
	bool draw = end->end.worth_drawing;
	if (draw) {
		*ladder = *end;
		memset(&ladder->end, 0, sizeof ladder->end);
		ladder->kind = NP_EV_LADDER;
		ladder->ladder = c->ladder != NO_LADDER ? &r->ladders[c->ladder] : &r->lone;
	}
	if (c->ladder != NO_LADDER)
		r->free[r->nfree++] = c->ladder;
	c->ladder = NO_LADDER;
	c->has_first = false;
	return draw;
}
