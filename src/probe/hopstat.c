/* hopstat.c - per-hop statistics of a continuous trace (hopstat.h). */
#include <math.h>
#include <string.h>

#include "netprobe/hopstat.h"

void np_hopstat_sent(struct np_hopstat *h)
{
	h->sent++;
}

void np_hopstat_answer(struct np_hopstat *h, const uint8_t *from, unsigned alen, double ms)
{
	if (!h->has_addr) {
		memcpy(h->addr, from, alen);
		h->has_addr = true;
	} else if (memcmp(h->addr, from, alen) != 0) {
		h->other_addr = true;
		bool known = false;
		for (unsigned i = 0; i < h->nmore && !known; i++)
			known = memcmp(h->more[i], from, alen) == 0;
		if (!known && h->nmore < NP_HOP_MORE_ADDRS) {
			memset(h->more[h->nmore], 0, 16);
			memcpy(h->more[h->nmore++], from, alen);
		}
	}
	h->received++;
	h->last = ms;
	if (h->received == 1 || ms < h->best)
		h->best = ms;
	if (h->received == 1 || ms > h->worst)
		h->worst = ms;
	double d = ms - h->mean;
	h->mean += d / h->received;
	h->m2 += d * (ms - h->mean);
}

double np_hopstat_loss_pct(const struct np_hopstat *h)
{
	if (!h->sent)
		return 0;
	uint32_t got = h->received < h->sent ? h->received : h->sent;
	return 100.0 * (double)(h->sent - got) / h->sent;
}

double np_hopstat_stdev(const struct np_hopstat *h)
{
	return h->received < 2 ? 0 : sqrt(h->m2 / (h->received - 1));
}

void np_hopstat_mark(struct np_hopstat *hops, unsigned n)
{
	if (n == 0)
		return;
	double last = np_hopstat_loss_pct(&hops[n - 1]);
	bool reached = hops[n - 1].received > 0;
	for (unsigned i = 0; i < n; i++)
		hops[i].rate_limited = reached && i + 1 < n && hops[i].received > 0 &&
				       np_hopstat_loss_pct(&hops[i]) > last;
}
