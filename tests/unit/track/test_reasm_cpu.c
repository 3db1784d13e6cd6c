/* test_reasm_cpu.c - the TCP reassembler's (src/track/reasm.c) work on many tiny out-of-order
 * segments, a second file beside test_reasm.c (which is near the 600-line limit). Placing an
 * out-of-order segment must not walk every waiting piece: the common orders (after all the
 * others, before all the others) walk none, and any order walks at most the waiting-pieces cap
 * (np_reasm_opts.waiting), which gives the oldest hole up as a gap like the byte caps do. The
 * walk is counted (np_reasm_stats.ooo_steps); a list searched from its start made the first
 * test walk N^2/2 pieces (200,000,000 for N = 20,000), the second more. */
#include "testutil.h"
#include "netprobe/reasm.h"

#define ISN 7000u
#define N 20000u

/* Byte o of the stream. */
static uint8_t byte_at(uint64_t o)
{
	return (uint8_t)('a' + o % 26);
}

struct tally {
	uint64_t next, data, gap_bytes;
};

/* In order, each offset once, data as sent. */
static void sink(void *arg, const struct np_rchunk *ch)
{
	struct tally *t = arg;
	if (ch->kind == NP_RC_CONFLICT)
		fail_msg("a conflict: no copy differs here");
	assert_int_equal(ch->dir, 0);
	assert_int_equal(ch->off, t->next);
	for (uint32_t i = 0; ch->kind == NP_RC_DATA && i < ch->len; i++)
		assert_int_equal(ch->data[i], byte_at(ch->off + i));
	*(ch->kind == NP_RC_DATA ? &t->data : &t->gap_bytes) += ch->len;
	t->next += ch->len;
}

struct fix {
	struct np_reasm *r;
	struct np_rconv *c;
	struct tally t;
};

static void fix_init(struct fix *f, size_t waiting)
{
	struct np_reasm_opts o;
	np_reasm_defaults(&o);
	o.conv_mem = 64u << 20; /* the byte caps out of the way: 40,000 pieces take about 1.6 MiB */
	o.waiting = waiting;
	memset(f, 0, sizeof *f);
	f->r = np_reasm_new(&o);
	f->c = np_reasm_conv_new(f->r);
	assert_non_null(f->c);
	struct np_rseg syn = { .seq = ISN, .flags = NP_TCP_SYN };
	np_reasm_segment(f->r, f->c, 0, &syn, sink, &f->t);
}

static void one_byte(struct fix *f, uint64_t off)
{
	uint8_t b = byte_at(off);
	struct np_rseg s = { .seq = ISN + 1 + (uint32_t)off, .len = 1, .caplen = 1, .data = &b };
	np_reasm_segment(f->r, f->c, 0, &s, sink, &f->t);
}

static struct np_reasm_stats done(struct fix *f)
{
	struct np_reasm_stats st;
	np_reasm_close(f->r, f->c, sink, &f->t);
	np_reasm_stats(f->r, &st);
	np_reasm_conv_free(f->r, f->c);
	np_reasm_free(f->r);
	return st;
}

/* N one-byte pieces with a hole before each, in ascending and then in descending order: all
 * wait (the cap set above N), none is placed by a walk. */
static void test_ends_walk_nothing(void **state)
{
	(void)state;
	for (int desc = 0; desc < 2; desc++) {
		struct fix f;
		fix_init(&f, 2 * N);
		for (uint64_t i = 0; i < N; i++)
			one_byte(&f, 2 * (desc ? N - i : i + 1) - 1);
		assert_int_equal(np_reasm_pending(f.c, 0), N);
		struct np_reasm_stats st = done(&f);
		assert_int_equal(st.ooo_steps, 0);
		assert_int_equal(st.forced_gaps, 0);
		assert_int_equal(f.t.data, N);
		assert_int_equal(f.t.gap_bytes, N); /* the holes, at the close */
	}
}

/* The odd offsets ascending, then the even ones descending, then 0 (gen_streams -H: each even
 * piece lands near the end of the list, the furthest from its start): with a cap of 256 waiting
 * pieces, at most one walk of 256 each, and the cap gives holes up (forced gaps, counted);
 * every offset is delivered once, in order. */
static void test_any_order_bounded(void **state)
{
	(void)state;
	const uint64_t cap = 256;
	struct fix f;
	fix_init(&f, cap);
	for (uint64_t i = 0; i < N; i++)
		one_byte(&f, 2 * i + 1);
	assert_true(np_reasm_pending(f.c, 0) <= cap);
	for (uint64_t i = N - 1; i >= 1; i--)
		one_byte(&f, 2 * i);
	one_byte(&f, 0);
	struct np_reasm_stats st = done(&f);
	assert_true(st.ooo_steps > 0 && st.ooo_steps <= cap * 2 * N);
	assert_true(st.waiting_capped > 0);
	assert_int_equal(st.forced_gaps, st.waiting_capped); /* no byte cap was reached */
	assert_int_equal(f.t.next, 2 * N);
	assert_int_equal(f.t.data + f.t.gap_bytes, 2 * N);
	assert_int_equal(st.delivered, f.t.data);
}

/* The cap's exact effect: 8 pieces may wait; the 9th gives up the hole before the first. */
static void test_waiting_cap(void **state)
{
	(void)state;
	struct fix f;
	fix_init(&f, 8);
	for (uint64_t off = 2; off <= 16; off += 2)
		one_byte(&f, off);
	assert_int_equal(np_reasm_pending(f.c, 0), 8);
	one_byte(&f, 18);
	assert_int_equal(np_reasm_pending(f.c, 0), 8);
	assert_int_equal(f.t.next, 3); /* [0, 2) given up, byte 2 delivered */
	assert_int_equal(f.t.gap_bytes, 2);
	one_byte(&f, 0); /* too late */
	struct np_reasm_stats st = done(&f);
	assert_int_equal(st.waiting_capped, 1);
	assert_int_equal(st.forced_gaps, 1);
	assert_int_equal(st.late_bytes, 1);
	assert_int_equal(f.t.data, 9);
	assert_int_equal(f.t.next, 19);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ends_walk_nothing),
		cmocka_unit_test(test_any_order_bounded),
		cmocka_unit_test(test_waiting_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
