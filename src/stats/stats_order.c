/* stats_order.c - which rows of a conversation or endpoint table are shown, in which order:
 * --sort bytes|packets|duration (largest first; ties keep first-seen order, so the output is
 * the same on every run) and --top N. */
#include <stdlib.h>

#include "netprobe/stats.h"

/* One row's sort key and its first-seen order. */
struct keyed {
	uint64_t key;
	uint32_t order, idx;
};

static int by_key(const void *x, const void *y)
{
	const struct keyed *a = x, *b = y;
	if (a->key != b->key)
		return a->key < b->key ? 1 : -1; /* descending */
	return a->order < b->order ? -1 : a->order > b->order;
}

static uint64_t conv_key(const struct np_stats_conv *c, enum np_stats_sort sort)
{
	switch (sort) {
	case NP_SORT_BYTES: return c->bytes[0] + c->bytes[1];
	case NP_SORT_PACKETS: return c->frames[0] + c->frames[1];
	case NP_SORT_DURATION: return (uint64_t)(c->last_us - c->first_us);
	default: return 0;
	}
}

static uint32_t finish(struct keyed *k, uint32_t n, enum np_stats_sort sort, uint32_t top,
		       uint32_t *idx)
{
	(void)sort; /* NP_SORT_FIRST: every key 0, so first-seen order */
	qsort(k, n, sizeof *k, by_key);
	if (top && n > top)
		n = top;
	for (uint32_t i = 0; i < n; i++)
		idx[i] = k[i].idx;
	return n;
}

uint32_t np_stats_order_conv(const struct np_stats_conv *c, uint32_t n, unsigned mask,
			     enum np_stats_sort sort, uint32_t top, uint32_t *idx)
{
	struct keyed *k = malloc((size_t)(n ? n : 1) * sizeof *k);
	if (!k)
		return 0;
	uint32_t m = 0;
	for (uint32_t i = 0; i < n; i++) {
		unsigned bit = c[i].proto == NP_L_TCP ? NP_SC_TCP
			       : c[i].proto == NP_L_UDP ? NP_SC_UDP : NP_SC_IP;
		if (mask & bit)
			k[m++] = (struct keyed){ conv_key(&c[i], sort), c[i].order, i };
	}
	m = finish(k, m, sort, top, idx);
	free(k);
	return m;
}

/* Endpoints have no duration: --sort duration orders them by bytes. */
uint32_t np_stats_order_ep(const struct np_stats_endpoint *e, uint32_t n, enum np_stats_sort sort,
			   uint32_t top, uint32_t *idx)
{
	struct keyed *k = malloc((size_t)(n ? n : 1) * sizeof *k);
	if (!k)
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t key = sort == NP_SORT_PACKETS ? e[i].frames[0] + e[i].frames[1]
			       : sort == NP_SORT_FIRST ? 0 : e[i].bytes[0] + e[i].bytes[1];
		k[i] = (struct keyed){ key, e[i].order, i };
	}
	n = finish(k, n, sort, top, idx);
	free(k);
	return n;
}
