/* stats_int.h - the collector's state, shared by its files: the keyed tables (stats.c), the
 * intervals, protocol hierarchy and expert summary (stats_tabs.c). */
#ifndef NETPROBE_STATS_INT_H
#define NETPROBE_STATS_INT_H

#include "netprobe/stats.h"
#include "track/lru.h"

/* The analysis notes that are a retransmission, for the I/O table and the conversations. */
#define NP_STATS_RETRANS (NP_TA_RETRANSMISSION | NP_TA_FAST_RETRANS | NP_TA_SPURIOUS)

struct np_stats {
	struct np_stats_opts o;
	struct np_lru conv_lru, ep_lru;  /* slots taken in order and never freed: slot = order */
	struct np_stats_conv *conv;
	struct np_stats_endpoint *ep;
	uint32_t nconv, nep;
	uint64_t conv_full, ep_full;
	struct np_stats_interval *io;
	uint32_t nio, io_cap;
	uint64_t io_late, io_early;
	struct np_stats_phs phs[NP_STATS_PHS_MAX];
	uint32_t nphs;
	uint64_t phs_full;
	struct np_stats_expert expert[NP_STATS_EXPERT_MAX];
	uint32_t nexpert;
	bool have_first;
	int64_t first_us, min_us, max_us;
	uint64_t frames, bytes;
	int64_t cur_io;                  /* the current packet's interval, -1: none kept */
};

/* stats.c */
void np_stats_conversations(struct np_stats *s, const struct np_packet *p,
			    const struct np_pkt_track *trk, int64_t ts);
void np_stats_conv_event(struct np_stats *s, const struct np_event *ev);
/* stats_tabs.c: a conversation was made by the current packet. */
void np_stats_new_conv(struct np_stats *s);

#endif
