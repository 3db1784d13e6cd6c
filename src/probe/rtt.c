/* rtt.c - round-trip time statistics (rtt.h), computed as iputils ping does: the sums of the
 * samples and of their squares, mdev = sqrt(sum2/n - avg^2) (ping_common.c, "mdev"). */
#include <math.h>

#include "netprobe/rtt.h"

void np_rtt_add(struct np_rtt *r, double ms)
{
	if (r->n++ == 0 || ms < r->min)
		r->min = ms;
	if (ms > r->max)
		r->max = ms;
	r->sum += ms;
	r->sum2 += ms * ms;
	unsigned b = 0;
	for (double lim = 0.1; b < NP_RTT_BUCKETS - 1 && ms >= lim; lim *= 10)
		b++;
	r->hist[b]++;
	int64_t us = (int64_t)(ms * 1000.0); /* iputils: whole microseconds */
	if (!r->ewma8_us)
		r->ewma8_us = us * 8;
	else
		r->ewma8_us += us - r->ewma8_us / 8;
}

double np_rtt_avg(const struct np_rtt *r)
{
	return r->n ? r->sum / (double)r->n : 0;
}

double np_rtt_mdev(const struct np_rtt *r)
{
	double avg = np_rtt_avg(r);
	double var = r->n ? r->sum2 / (double)r->n - avg * avg : 0;
	return var > 0 ? sqrt(var) : 0;
}

const char *np_rtt_bucket_name(unsigned b)
{
	static const char *const names[NP_RTT_BUCKETS] = { "<0.1",  "<1",    "<10",   "<100",
							   "<1000", "<10^4", "<10^5", ">=10^5" };
	return b < NP_RTT_BUCKETS ? names[b] : "?";
}
