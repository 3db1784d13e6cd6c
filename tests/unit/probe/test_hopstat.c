/* test_hopstat.c - the per-hop statistics of trace --report: loss, last/mean/best/worst, the
 * sample standard deviation (against values worked by hand), a second address, and which hops
 * are called rate limiting. */
#include <math.h>
#include <string.h>

#include "netprobe/hopstat.h"
#include "testutil.h"

static const uint8_t A[4] = { 10, 77, 10, 2 }, B[4] = { 10, 77, 20, 2 };

static void test_stats(void **state)
{
	(void)state;
	struct np_hopstat h;
	memset(&h, 0, sizeof h);
	assert_true(np_hopstat_loss_pct(&h) == 0);
	const double ms[] = { 2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0 };
	for (unsigned i = 0; i < 10; i++)
		np_hopstat_sent(&h);
	for (unsigned i = 0; i < 8; i++)
		np_hopstat_answer(&h, A, 4, ms[i]);
	assert_int_equal(h.received, 8);
	assert_true(fabs(np_hopstat_loss_pct(&h) - 20.0) < 1e-9);
	assert_true(h.last == 9.0 && h.best == 2.0 && h.worst == 9.0);
	assert_true(fabs(h.mean - 5.0) < 1e-9);
	/* squared deviations sum to 32: sample deviation sqrt(32 / 7) */
	assert_true(fabs(np_hopstat_stdev(&h) - sqrt(32.0 / 7.0)) < 1e-9);
	assert_false(h.other_addr);
	np_hopstat_answer(&h, B, 4, 1.0);
	assert_true(h.other_addr);
	assert_memory_equal(h.addr, A, 4);
	assert_true(h.best == 1.0);
}

static void test_one_answer(void **state)
{
	(void)state;
	struct np_hopstat h;
	memset(&h, 0, sizeof h);
	np_hopstat_sent(&h);
	np_hopstat_answer(&h, A, 4, 3.0);
	assert_true(np_hopstat_stdev(&h) == 0);
	assert_true(np_hopstat_loss_pct(&h) == 0);
}

/* hops[i]: `sent` probes, `got` answers */
static void fill(struct np_hopstat *h, uint32_t sent, uint32_t got)
{
	memset(h, 0, sizeof *h);
	for (uint32_t i = 0; i < sent; i++)
		np_hopstat_sent(h);
	for (uint32_t i = 0; i < got; i++)
		np_hopstat_answer(h, A, 4, 1.0);
}

/* Every ECMP path's router is kept (the first three besides the first address), once each. */
static void test_other_addresses(void **state)
{
	(void)state;
	struct np_hopstat h;
	memset(&h, 0, sizeof h);
	const uint8_t x1[4] = { 10, 77, 62, 2 }, x2[4] = { 10, 77, 63, 2 };
	np_hopstat_answer(&h, x1, 4, 1.0);
	np_hopstat_answer(&h, x2, 4, 1.0);
	np_hopstat_answer(&h, x2, 4, 1.0);
	np_hopstat_answer(&h, x1, 4, 1.0);
	assert_true(h.other_addr);
	assert_int_equal(h.nmore, 1);
	assert_memory_equal(h.addr, x1, 4);
	assert_memory_equal(h.more[0], x2, 4);
	for (uint8_t i = 0; i < 10; i++) {
		const uint8_t a[4] = { 10, 77, 70, i };
		np_hopstat_answer(&h, a, 4, 1.0);
	}
	assert_int_equal(h.nmore, NP_HOP_MORE_ADDRS);
	assert_int_equal(h.more[2][3], 1); /* 10.77.70.0 and .1 after x2 */
	assert_int_equal(h.received, 14);
}

static void test_rate_limited(void **state)
{
	(void)state;
	struct np_hopstat h[4];
	/* middle hop loses 60%, the destination nothing: hop 2 limits its replies */
	fill(&h[0], 10, 10);
	fill(&h[1], 10, 4);
	fill(&h[2], 10, 10);
	np_hopstat_mark(h, 3);
	assert_false(h[0].rate_limited);
	assert_true(h[1].rate_limited);
	assert_false(h[2].rate_limited);
	/* loss that carries on to the end is path loss from there on */
	fill(&h[0], 10, 10);
	fill(&h[1], 10, 5);
	fill(&h[2], 10, 5);
	np_hopstat_mark(h, 3);
	assert_false(h[1].rate_limited);
	assert_false(h[2].rate_limited);
	/* a hop that never answers is a silent router, not a rate-limiting one; nothing is
	 * called rate limiting when the destination was not reached */
	fill(&h[0], 10, 0);
	fill(&h[1], 10, 10);
	np_hopstat_mark(h, 2);
	assert_false(h[0].rate_limited);
	fill(&h[0], 10, 5);
	fill(&h[1], 10, 0);
	np_hopstat_mark(h, 2);
	assert_false(h[0].rate_limited);
	np_hopstat_mark(h, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_one_answer),
		cmocka_unit_test(test_rate_limited),
		cmocka_unit_test(test_other_addresses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
