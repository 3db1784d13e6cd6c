/* stats.h - `netprobe stats`: the tables people ask for after a capture, in the manner of
 * tshark's -z conv / endpoints / io,stat / phs / expert. A collector fed by the stats printer
 * with each packet, the tracker's view of it and the tracker's events (so nothing is tracked
 * twice: TCP conversations are the tracker's), bounded in rows, then sorted and cut for output
 * (src/stats/, rendered by src/print/stats_text.c and stats_json.c). */
#ifndef NETPROBE_STATS_H
#define NETPROBE_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "netprobe/packet.h"
#include "netprobe/track.h"

/* --conv: which conversation tables (a mask). */
#define NP_SC_TCP 1u
#define NP_SC_UDP 2u
#define NP_SC_IP 4u
#define NP_SC_ALL (NP_SC_TCP | NP_SC_UDP | NP_SC_IP)

/* --tables: which tables (a mask). */
#define NP_ST_CONV 1u
#define NP_ST_ENDPOINTS 2u
#define NP_ST_IO 4u
#define NP_ST_PHS 8u
#define NP_ST_EXPERT 16u
#define NP_ST_ALL 31u

enum np_stats_sort { NP_SORT_FIRST, NP_SORT_BYTES, NP_SORT_PACKETS, NP_SORT_DURATION };

#define NP_STATS_ROWS_DEFAULT (1u << 18)  /* conversations, and endpoints, kept per run */
#define NP_STATS_INTERVALS_MAX (1u << 20) /* I/O intervals kept (a year of seconds and more) */
#define NP_STATS_PHS_MAX 256               /* protocol hierarchy nodes */
#define NP_STATS_EXPERT_MAX 64

struct np_stats_opts {
	unsigned conv;            /* NP_SC_* */
	unsigned tables;          /* NP_ST_* */
	enum np_stats_sort sort;
	uint32_t top;             /* rows of the conversation and endpoint tables; 0: all */
	int64_t interval_us;      /* --interval, > 0 */
	uint32_t max_rows;        /* conversations (and endpoints) kept; the rest counted */
	bool json;
	uint8_t hash_key[16];     /* SipHash key of the tables (np_track_seed) */
};

/* One conversation. A is the source of its first packet (as tshark's tables have it); [0] is
 * A -> B, [1] B -> A. Bytes are frame lengths on the wire, as tshark counts them. */
struct np_stats_conv {
	uint8_t proto;            /* NP_L_TCP, NP_L_UDP, or NP_L_IP4 for an IP conversation */
	struct np_endpoint a, b;  /* ports 0 for IP */
	uint64_t tunnel;          /* the packet's tunnel identifiers (np_pkt_tunnel), TCP/UDP */
	uint32_t conv;            /* the tracker's number (TCP), else 0 */
	uint32_t order;           /* first-seen order, from 0 */
	uint64_t frames[2], bytes[2];
	uint64_t ipbytes[2];      /* IP bytes (the IP header and all it carries), as flow
				   * records count them */
	int64_t first_us, last_us;
	uint64_t retrans;
	/* TCP, from the tracker: A's and B's state after the last segment, and what ended it. */
	bool tracked;
	uint8_t a_side;           /* A's role for the tracker (enum np_side) */
	enum np_tcp_state st[2];
	const char *end;          /* "open", "closed", "reset", "refused", "no answer", ... */
	double hs_ms;             /* SYN to the handshake's ACK (RTT, client side + server side);
				   * < 0: no handshake seen */
};

struct np_stats_endpoint {
	uint8_t ver;
	uint8_t addr[16];
	uint32_t order;
	uint64_t frames[2], bytes[2]; /* [0] sent (Tx), [1] received (Rx) */
};

struct np_stats_interval {
	uint64_t frames, bytes, new_conv, retrans;
};

struct np_stats_phs {
	uint16_t parent;          /* index + 1; 0: a top node */
	uint8_t depth;
	const char *name;         /* static */
	uint64_t frames, bytes;
};

enum np_severity { NP_SEV_CHAT, NP_SEV_NOTE, NP_SEV_WARN, NP_SEV_ERROR };

struct np_stats_expert {
	enum np_severity sev;
	const char *group;        /* "Sequence", "Protocol", "Malformed", "Checksum", ... */
	const char *what;         /* static */
	uint64_t count;
};

struct np_stats;

struct np_stats *np_stats_new(const struct np_stats_opts *o);
void np_stats_free(struct np_stats *s);
const struct np_stats_opts *np_stats_options(const struct np_stats *s);

/* One packet that passed the filters, with the tracker's view of it (NULL: untracked). */
void np_stats_packet(struct np_stats *s, const struct np_packet *p, const struct np_pkt_track *trk);
/* One tracker event (handshakes, resets, ... for the TCP rows and the expert summary). */
void np_stats_event(struct np_stats *s, const struct np_event *ev);

/* The tables, rows in first-seen order. */
struct np_stats_view {
	const struct np_stats_conv *conv;
	uint32_t nconv;
	const struct np_stats_endpoint *ep;
	uint32_t nep;
	const struct np_stats_interval *io;
	uint32_t nio;
	const struct np_stats_phs *phs;
	uint32_t nphs;
	const struct np_stats_expert *expert;
	uint32_t nexpert;
	bool have_first;
	int64_t first_us, last_us;  /* of the first and last packet (by time) */
	uint64_t frames, bytes;
	uint64_t conv_full, ep_full; /* packets whose new row found the table full */
	uint64_t io_late;            /* packets past NP_STATS_INTERVALS_MAX intervals */
	uint64_t io_early;           /* packets stamped before the first one (counted in 0) */
	uint64_t phs_full;
};

void np_stats_view(const struct np_stats *s, struct np_stats_view *v);

/* The rows of one table to show, in order: indices into the view's array, sorted by `sort`
 * (descending; ties in first-seen order), at most `top` (0: all). Conversations of the protocols
 * in `mask` (NP_SC_*). Returns the count written to idx (room for every row). */
uint32_t np_stats_order_conv(const struct np_stats_conv *c, uint32_t n, unsigned mask,
			     enum np_stats_sort sort, uint32_t top, uint32_t *idx);
uint32_t np_stats_order_ep(const struct np_stats_endpoint *e, uint32_t n, enum np_stats_sort sort,
			   uint32_t top, uint32_t *idx);

/* The interval a time falls in, from the first packet's (microseconds): -1 before it. */
int64_t np_stats_interval_of(int64_t first_us, int64_t ts_us, int64_t interval_us);


const char *np_severity_name(enum np_severity s);
/* A TCP conversation's end in a word ("open", "closed", "reset", ...); "" for others. */
const char *np_stats_conv_state(const struct np_stats_conv *c);

/* The tables rendered (src/print/stats_text.c, stats_json.c). */
void np_stats_print_text(FILE *out, const struct np_stats *s);
void np_stats_print_json(FILE *out, const struct np_stats *s);

#endif
