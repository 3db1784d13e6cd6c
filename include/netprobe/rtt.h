/* rtt.h - round-trip time statistics of ping and trace: min/avg/max/mdev as iputils ping computes
 * them (mdev = sqrt(mean of squares - square of mean)), and a histogram by decade. */
#ifndef NETPROBE_RTT_H
#define NETPROBE_RTT_H

#include <stdint.h>

#define NP_RTT_BUCKETS 8

struct np_rtt {
	uint64_t n;
	double min, max, sum, sum2;
	uint32_t hist[NP_RTT_BUCKETS]; /* <0.1, <1, <10, ... <10^5, >=10^5 ms */
	int64_t ewma8_us;     /* 8 x the moving average iputils ping keeps (its "rtt", shown by
			       * ping -f as ewma): first sample x 8, then += sample - ewma8/8 */
};

void np_rtt_add(struct np_rtt *r, double ms);
/* 0 when there is no sample. */
double np_rtt_avg(const struct np_rtt *r);
double np_rtt_mdev(const struct np_rtt *r);
/* The label of histogram bucket b ("<0.1" ... ">=10^5"). */
const char *np_rtt_bucket_name(unsigned b);

#endif
