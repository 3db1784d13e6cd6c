/* test_rtt.c - RTT statistics (src/probe/rtt.c): min/avg/max/mdev as iputils ping computes them,
 * the histogram by decade, and no sample at all. */
#include <math.h>

#include "netprobe/rtt.h"
#include "testutil.h"

static void test_empty(void **state)
{
	(void)state;
	struct np_rtt r = { 0 };
	assert_true(np_rtt_avg(&r) == 0);
	assert_true(np_rtt_mdev(&r) == 0);
}

static void test_iputils_values(void **state)
{
	(void)state;
	/* 1, 2, 3, 4 ms: avg 2.5, mean of squares 7.5, mdev sqrt(7.5 - 6.25) = 1.118 */
	struct np_rtt r = { 0 };
	np_rtt_add(&r, 2.0);
	np_rtt_add(&r, 1.0);
	np_rtt_add(&r, 4.0);
	np_rtt_add(&r, 3.0);
	assert_int_equal(r.n, 4);
	assert_true(r.min == 1.0);
	assert_true(r.max == 4.0);
	assert_true(np_rtt_avg(&r) == 2.5);
	assert_true(fabs(np_rtt_mdev(&r) - sqrt(1.25)) < 1e-12);
}

static void test_one_sample(void **state)
{
	(void)state;
	struct np_rtt r = { 0 };
	np_rtt_add(&r, 0.25);
	assert_true(r.min == 0.25 && r.max == 0.25);
	assert_true(np_rtt_mdev(&r) == 0); /* rounding never gives sqrt of a negative */
	np_rtt_add(&r, 0.0);
	assert_true(r.min == 0.0);
}

static void test_histogram(void **state)
{
	(void)state;
	struct np_rtt r = { 0 };
	static const double ms[] = { 0.05, 0.1, 0.99, 5, 50, 500, 5000, 50000, 500000, 1e9 };
	static const uint32_t want[NP_RTT_BUCKETS] = { 1, 2, 1, 1, 1, 1, 1, 2 };
	for (size_t i = 0; i < T_ARRAY_LEN(ms); i++)
		np_rtt_add(&r, ms[i]);
	for (unsigned b = 0; b < NP_RTT_BUCKETS; b++)
		assert_int_equal(r.hist[b], want[b]);
	assert_string_equal(np_rtt_bucket_name(0), "<0.1");
	assert_string_equal(np_rtt_bucket_name(7), ">=10^5");
	assert_string_equal(np_rtt_bucket_name(8), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_iputils_values),
		cmocka_unit_test(test_one_sample),
		cmocka_unit_test(test_histogram),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
