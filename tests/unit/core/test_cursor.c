/* test_cursor.c - the bounds-checked cursor (include/netprobe/cursor.h, src/decode/cursor.c):
 * every read succeeds whole or fails without moving; sub-cursors clamp; RFC 1071 sums. */
#include <stdlib.h>

#include "testutil.h"

static const uint8_t bytes[] = {
	0x12, 0x34, /* a 16-bit word */
	0x56, 0x78, /* another */
	0x9a,       /* one odd byte */
};

static void test_reads_big_endian(void **state)
{
	(void)state;
	struct np_cursor c = np_cur_make(bytes, sizeof bytes);
	uint8_t b;
	uint16_t w;
	uint32_t d;
	assert_true(np_cur_u8(&c, &b));
	assert_int_equal(b, 0x12);
	assert_true(np_cur_u16(&c, &w));
	assert_int_equal(w, 0x3456);
	assert_int_equal(c.off, 3);
	c = np_cur_make(bytes, sizeof bytes);
	assert_true(np_cur_u32(&c, &d));
	assert_int_equal(d, 0x12345678u);
	assert_int_equal(np_cur_left(&c), 1);
	assert_ptr_equal(np_cur_ptr(&c), bytes + 4);
}

/* With k bytes left (k = 0..3), every read that needs more than k bytes fails, leaves the
 * position and the output untouched; reads that fit still work. */
static void test_reads_fail_at_end_without_moving(void **state)
{
	(void)state;
	for (size_t left = 0; left <= 3; left++) {
		struct np_cursor c = np_cur_make(bytes, sizeof bytes);
		c.off = sizeof bytes - left;
		size_t off = c.off;
		uint8_t b = 0xee, buf[8];
		uint16_t w = 0xeeee;
		uint32_t d = 0xeeeeeeee;
		memset(buf, 0xee, sizeof buf);

		if (left < 1) {
			assert_false(np_cur_u8(&c, &b));
			assert_int_equal(b, 0xee);
			assert_false(np_cur_peek_u8(&c, 0, &b));
		}
		if (left < 2) {
			assert_false(np_cur_u16(&c, &w));
			assert_int_equal(w, 0xeeee);
		}
		if (left < 4) {
			assert_false(np_cur_u32(&c, &d));
			assert_int_equal(d, 0xeeeeeeeeu);
		}
		assert_false(np_cur_bytes(&c, buf, left + 1));
		for (size_t i = 0; i < sizeof buf; i++)
			assert_int_equal(buf[i], 0xee);
		assert_false(np_cur_skip(&c, left + 1));
		assert_false(np_cur_has(&c, left + 1));
		assert_false(np_cur_peek_u8(&c, left, &b));
		assert_int_equal(b, 0xee);
		assert_int_equal(c.off, off);

		/* Exactly what is left still succeeds. */
		assert_true(np_cur_has(&c, left));
		if (left >= 1) {
			assert_true(np_cur_peek_u8(&c, left - 1, &b));
			assert_int_equal(b, bytes[sizeof bytes - 1]);
			assert_int_equal(c.off, off);
		}
		assert_true(np_cur_bytes(&c, buf, left));
		assert_int_equal(np_cur_left(&c), 0);
		assert_false(np_cur_u8(&c, &b));
		assert_true(np_cur_skip(&c, 0));
	}
}

static void test_empty_cursor(void **state)
{
	(void)state;
	struct np_cursor c = np_cur_make(bytes, 0);
	uint8_t b;
	uint32_t sum = 7;
	assert_false(np_cur_u8(&c, &b));
	assert_false(np_cur_skip(&c, 1));
	assert_true(np_cur_sum16(&c, 0, &sum));
	assert_int_equal(sum, 7);
	assert_int_equal(c.off, 0);
}

static void test_sub_cursor_clamps(void **state)
{
	(void)state;
	struct np_cursor c = np_cur_make(bytes, sizeof bytes), sub;
	assert_true(np_cur_skip(&c, 1));
	/* Fits: the sub-cursor covers exactly n bytes from the position and starts at 0. */
	assert_true(np_cur_sub(&c, 2, &sub));
	assert_ptr_equal(sub.base, bytes + 1);
	assert_int_equal(sub.len, 2);
	assert_int_equal(sub.off, 0);
	uint16_t w;
	assert_true(np_cur_u16(&sub, &w));
	assert_int_equal(w, 0x3456);
	assert_false(np_cur_u8(&sub, &(uint8_t){ 0 })); /* can't read past n, though c could */
	assert_int_equal(c.off, 1);                     /* the parent did not move */

	/* Too long: clamped to what is left, and reported. */
	assert_false(np_cur_sub(&c, 100, &sub));
	assert_int_equal(sub.len, 4);
	assert_ptr_equal(sub.base, bytes + 1);

	/* At the very end: an empty sub-cursor. */
	c.off = c.len;
	assert_false(np_cur_sub(&c, 1, &sub));
	assert_int_equal(sub.len, 0);
	assert_true(np_cur_sub(&c, 0, &sub));
}

static void test_rest(void **state)
{
	(void)state;
	struct np_cursor c = np_cur_make(bytes, sizeof bytes);
	assert_true(np_cur_skip(&c, 3));
	struct np_cursor r = np_cur_rest(&c);
	assert_ptr_equal(r.base, bytes + 3);
	assert_int_equal(r.len, 2);
	assert_int_equal(r.off, 0);
}

static void test_sum16(void **state)
{
	(void)state;
	struct np_cursor c = np_cur_make(bytes, sizeof bytes);
	uint32_t sum = 0;
	/* Even length: 0x1234 + 0x5678 = 0x68ac. */
	assert_true(np_cur_sum16(&c, 4, &sum));
	assert_int_equal(sum, 0x68ac);
	/* Odd length: the last byte is padded with a zero on the right (RFC 1071 s4.1). */
	sum = 0;
	assert_true(np_cur_sum16(&c, 5, &sum));
	assert_int_equal(sum, 0x02ad); /* 0x68ac + 0x9a00 = 0x102ac, folded */
	sum = 0;
	assert_true(np_cur_sum16(&c, 1, &sum));
	assert_int_equal(sum, 0x1200);
	assert_int_equal(c.off, 0); /* summing does not move */

	/* Carries wrap around into the low bits. */
	static const uint8_t ff[] = { 0xff, 0xff, /* 0xffff */ 0x00, 0x02 /* 2 */ };
	struct np_cursor f = np_cur_make(ff, sizeof ff);
	sum = 0;
	assert_true(np_cur_sum16(&f, 4, &sum));
	assert_int_equal(sum, 0x0002); /* 0x10001 folds to 0x0002 */
	/* Starting from a previous sum (a pseudo-header). */
	sum = 0xfffe;
	assert_true(np_cur_sum16(&f, 2, &sum));
	assert_int_equal(sum, 0xfffe);   /* 0xfffe + 0xffff = 0x1fffd -> 0xfffe */

	/* Agrees with the independent helper on every length of a longer run. */
	static const uint8_t run[] = { 0x45, 0x00, 0x00, 0x3c, 0x1c, 0x46, 0x40, 0x00, 0x40,
				       0x06, 0xb1, 0xe6, 0xac, 0x10, 0x0a, 0x63, 0xac, 0x10,
				       0x0a, 0x0c, 0xff };
	struct np_cursor rc = np_cur_make(run, sizeof run);
	for (size_t n = 0; n <= sizeof run; n++) {
		sum = 0;
		assert_true(np_cur_sum16(&rc, n, &sum));
		assert_int_equal((uint16_t)~np_csum_fold(sum), t_sum_finish(t_sum_add(0, run, n)));
	}

	/* Not enough bytes: false, and the sum is left alone. */
	sum = 0x1234;
	assert_false(np_cur_sum16(&c, 6, &sum));
	assert_int_equal(sum, 0x1234);
	c.off = 4;
	assert_false(np_cur_sum16(&c, 2, &sum));
	assert_int_equal(sum, 0x1234);
}

/* The plain loop np_cur_sum16 used to be: big-endian 16-bit words into 64 bits, folded. */
static uint32_t naive_sum16(const uint8_t *p, size_t n, uint32_t start)
{
	uint64_t s = start;
	size_t i = 0;
	for (; i + 1 < n; i += 2)
		s += (uint32_t)((p[i] << 8) | p[i + 1]);
	if (i < n)
		s += (uint32_t)(p[i] << 8);
	while (s >> 16)
		s = (s & 0xffffu) + (s >> 16);
	return (uint32_t)s;
}

/* The word-at-a-time sum gives the very number the 16-bit loop gave (not just the same
 * checksum): every length 0..300 at every alignment, from several starting sums, over random
 * bytes, all zeros (the sum stays 0, not 0xffff), all ones, and sums that land on 0xffff. */
static void test_sum16_same_as_plain_loop(void **state)
{
	(void)state;
	static uint8_t buf[320];
	static const uint32_t starts[] = { 0, 1, 0x8000, 0xfffe, 0xffff, 0x1ffff, 0xfffffff0 };
	uint32_t x = 12345;
	for (int fill = 0; fill < 4; fill++) {
		for (size_t i = 0; i < sizeof buf; i++) {
			x = x * 1103515245u + 12345u;
			buf[i] = fill == 0 ? (uint8_t)(x >> 16) : fill == 1 ? 0 : fill == 2 ? 0xff
									     : (uint8_t)(i & 1 ? 0xff : 0x00);
		}
		for (size_t off = 0; off < 8; off++) {
			for (size_t n = 0; n + off <= 300; n++) {
				struct np_cursor c = np_cur_make(buf + off, n);
				for (size_t k = 0; k < sizeof starts / sizeof starts[0]; k++) {
					uint32_t sum = starts[k];
					assert_true(np_cur_sum16(&c, n, &sum));
					assert_int_equal(sum, naive_sum16(buf + off, n, starts[k]));
				}
			}
		}
	}
}

/* Long runs: the vector lanes are emptied before they can overflow (all 0xff is the largest
 * sum a lane can gain), past several of their 512 KiB steps, and agree with the plain loop. */
static void test_sum16_long(void **state)
{
	(void)state;
	size_t big = (3u << 19) + 37; /* 1.5 MiB and an odd tail */
	uint8_t *buf = malloc(big);
	assert_non_null(buf);
	uint32_t x = 777;
	for (int fill = 0; fill < 2; fill++) {
		for (size_t i = 0; i < big; i++) {
			x = x * 1103515245u + 12345u;
			buf[i] = fill ? 0xff : (uint8_t)(x >> 16);
		}
		for (size_t n = big - 40; n <= big; n += 13) {
			struct np_cursor c = np_cur_make(buf, n);
			uint32_t sum = 0x1234;
			assert_true(np_cur_sum16(&c, n, &sum));
			assert_int_equal(sum, naive_sum16(buf, n, 0x1234));
		}
	}
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_big_endian),
		cmocka_unit_test(test_reads_fail_at_end_without_moving),
		cmocka_unit_test(test_empty_cursor),
		cmocka_unit_test(test_sub_cursor_clamps),
		cmocka_unit_test(test_rest),
		cmocka_unit_test(test_sum16),
		cmocka_unit_test(test_sum16_same_as_plain_loop),
		cmocka_unit_test(test_sum16_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
