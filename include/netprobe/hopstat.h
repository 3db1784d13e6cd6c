/* hopstat.h - per-hop statistics of a continuous trace (trace --report / --live), as mtr keeps
 * them: probes sent and answered, loss, the last, mean, best and worst RTT and their standard
 * deviation (Welford's running sums; sample deviation, 0 below two answers), the answering
 * address, and the rate-limiting verdict: a hop that loses probes while the last hop loses
 * fewer is that router limiting its ICMP replies, not loss on the path (loss on a link shows at
 * every hop after it). Pure. */
#ifndef NETPROBE_HOPSTAT_H
#define NETPROBE_HOPSTAT_H

#include <stdbool.h>
#include <stdint.h>

/* The other addresses a hop keeps besides the first (mtr shows each path's router). */
#define NP_HOP_MORE_ADDRS 3

struct np_hopstat {
	uint32_t sent, received;
	double last, best, worst, mean, m2; /* ms; m2: sum of squared deviations from the mean */
	bool has_addr;
	uint8_t addr[16];       /* the first address that answered */
	bool other_addr;        /* another address answered too (a changed or balanced path) */
	uint8_t nmore;          /* how many of them are kept in more[] (the first ones seen) */
	uint8_t more[NP_HOP_MORE_ADDRS][16];
	bool final;             /* the destination itself answered at this TTL */
	bool rate_limited;      /* set by np_hopstat_mark */
	uint32_t pmtu;          /* trace --pmtu: the largest probe (IP bytes, DF) this hop
				 * answered: the path MTU up to it is at least this; 0: none */
};

void np_hopstat_sent(struct np_hopstat *h);
/* An answer from `from` (`alen` bytes) after `ms`. */
void np_hopstat_answer(struct np_hopstat *h, const uint8_t *from, unsigned alen, double ms);
double np_hopstat_loss_pct(const struct np_hopstat *h);
double np_hopstat_stdev(const struct np_hopstat *h);
/* Set rate_limited on hops[0 .. n-1]: a hop (not the last) losing more than the last hop. */
void np_hopstat_mark(struct np_hopstat *hops, unsigned n);

#endif
