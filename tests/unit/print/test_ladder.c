/* test_ladder.c - the --ladder recorder (src/print/ladder.c): a conversation's arrows kept in a
 * bounded pool, a lone first segment kept apart, the pool's exhaustion, and a conversation that
 * leaves without a drawing giving its place back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decode/internal.h"
#include "netprobe/ladder.h"

struct seg_in {
	struct np_frame f;
	struct np_packet p;
	struct np_pkt_track info;
};

/* Segment number n of the conversation in `slot`, with `flags`. */
static void segment(struct np_ladder_rec *r, uint32_t slot, uint64_t n, uint16_t flags)
{
	struct seg_in s;
	memset(&s, 0, sizeof s);
	s.f.n = n;
	s.p.frame = &s.f;
	struct np_pkt_layer *tcp = np_pkt_push(&s.p, NP_L_TCP);
	tcp->tcp.flags = flags;
	s.info.tcp = true;
	s.info.slot = slot;
	s.info.conv_us = (int64_t)n * 1000;
	s.info.state[0] = NP_ST_ESTABLISHED;
	np_ladder_segment(r, &s.p, &s.info);
}

static bool end(struct np_ladder_rec *r, uint32_t slot, uint32_t conv, bool worth,
		struct np_event *ladder)
{
	struct np_event ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = NP_EV_CONV_END;
	ev.conv = conv;
	ev.end.slot = slot;
	ev.end.worth_drawing = worth;
	return np_ladder_end(r, &ev, ladder);
}

static void lone_segment_drawn_from_its_own_place(void **state)
{
	(void)state;
	struct np_ladder_rec *r = np_ladder_new(4, 1, 2);
	assert_non_null(r);
	struct np_event l;
	segment(r, 3, 7, NP_TCP_SYN);
	assert_true(end(r, 3, 9, true, &l));
	assert_int_equal(l.kind, NP_EV_LADDER);
	assert_int_equal(l.conv, 9);
	assert_int_equal(l.ladder->nsegs, 1);
	assert_int_equal(l.ladder->segs[0].n, 7);
	assert_int_equal(l.ladder->segs[0].us, 7000);
	assert_false(end(r, 3, 9, true, &l)); /* said once */
	np_ladder_free(r);
}

static void pool_bounded_and_given_back(void **state)
{
	(void)state;
	struct np_ladder_rec *r = np_ladder_new(4, 1, 2);
	struct np_event l;
	for (uint64_t n = 1; n <= 3; n++) /* 3 arrows, 2 kept */
		segment(r, 0, n, NP_TCP_ACK);
	segment(r, 1, 10, NP_TCP_SYN);
	segment(r, 1, 11, NP_TCP_ACK); /* the pool is used up: conversation 1 keeps its first */
	assert_true(end(r, 0, 1, true, &l));
	assert_int_equal(l.ladder->nsegs, 2);
	assert_int_equal(l.ladder->omitted, 1);
	assert_true(end(r, 1, 2, true, &l));
	assert_int_equal(l.ladder->nsegs, 1);
	assert_int_equal(l.ladder->segs[0].n, 10);
	/* Evicted (not worth drawing): nothing drawn, the pool's ladder given back. */
	segment(r, 2, 20, NP_TCP_SYN);
	segment(r, 2, 21, NP_TCP_ACK);
	assert_false(end(r, 2, 3, false, &l));
	segment(r, 3, 30, NP_TCP_SYN);
	segment(r, 3, 31, NP_TCP_ACK);
	segment(r, 3, 32, NP_TCP_ACK);
	assert_true(end(r, 3, 4, true, &l));
	assert_int_equal(l.ladder->nsegs, 2);
	assert_int_equal(l.ladder->omitted, 1);
	np_ladder_free(r);
}

static void untracked_and_out_of_range_ignored(void **state)
{
	(void)state;
	struct np_ladder_rec *r = np_ladder_new(2, 1, 2);
	struct np_event l;
	segment(r, 5, 1, NP_TCP_SYN); /* beyond max_conv */
	assert_false(end(r, 5, 1, true, &l));
	assert_false(end(r, 0, 1, true, &l)); /* nothing recorded */
	np_ladder_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lone_segment_drawn_from_its_own_place),
		cmocka_unit_test(pool_bounded_and_given_back),
		cmocka_unit_test(untracked_and_out_of_range_ignored),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
