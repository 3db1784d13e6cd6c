/* track.h - TCP conversation tracking and SYN-flood detection over decoded packets. Time is an
 * input (packet timestamps), never the clock, so a replay gives the same events as the live run.
 * All state is bounded: fixed capacities, idle timeouts and eviction, with counters for what
 * was evicted. */
#ifndef NETPROBE_TRACK_H
#define NETPROBE_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netprobe/packet.h"

/* Observer's view of each endpoint, named after RFC 9293 s3.3.2. */
enum np_tcp_state {
	NP_ST_CLOSED = 0,
	NP_ST_LISTEN,
	NP_ST_SYN_SENT,
	NP_ST_SYN_RECEIVED,
	NP_ST_ESTABLISHED,
	NP_ST_FIN_WAIT_1,
	NP_ST_FIN_WAIT_2,
	NP_ST_CLOSE_WAIT,
	NP_ST_CLOSING,
	NP_ST_LAST_ACK,
	NP_ST_TIME_WAIT,
};

enum np_event_kind {
	NP_EV_HANDSHAKE,
	NP_EV_REFUSED,
	NP_EV_SYN_UNANSWERED,
	NP_EV_TEARDOWN,
	NP_EV_RESET,
	NP_EV_RETRANSMISSION,
	NP_EV_DUP_ACK,
	NP_EV_ZERO_WINDOW,
	NP_EV_WINDOW_FULL,
	NP_EV_OUT_OF_ORDER,
	NP_EV_STATE,
	NP_EV_SYN_FLOOD,
	NP_EV_LADDER,       /* a conversation's segments, for the --ladder diagram (ladder.c) */
	NP_EV_CONV_END,     /* a conversation is over or leaves the table (np_track_opts
			     * report_ends): for per-conversation consumers, never printed */
};

/* Why NP_EV_CONV_END came. */
enum np_end_reason {
	NP_CONV_OVER,        /* this packet ended it (teardown, reset, refusal) */
	NP_CONV_EXPIRED,     /* idle past its timeout */
	NP_CONV_EVICTED,     /* pushed out to make room (during np_track_packet, before the
			     * packet's own events) or replaced by a new connection on its ports */
	NP_CONV_FINISHED,    /* still in the table at the end of the capture (first-seen order) */
	NP_CONV_ACTIVE,      /* still going, in the table: a periodic report (np_track_opts
			      * active_timeout_s) for flow exporters; it does not end anything */
};

/* How a conversation went, as told when it leaves the table (np_flow.outcome). */
enum np_flow_outcome {
	NP_FLOW_OPEN,        /* still open at the end of the capture, or a periodic report */
	NP_FLOW_CLOSED,      /* both FINs acknowledged */
	NP_FLOW_RESET,       /* a RST after the handshake (or mid-connection) */
	NP_FLOW_REFUSED,     /* the SYN answered by RST */
	NP_FLOW_UNANSWERED,  /* only SYNs, never answered */
	NP_FLOW_HALF_OPEN,   /* a handshake that never completed otherwise */
};

enum np_side { NP_CLIENT = 0, NP_SERVER = 1, NP_BOTH = 2 };
enum np_flood_phase { NP_FLOOD_START, NP_FLOOD_UPDATE, NP_FLOOD_END };

struct np_endpoint {
	uint8_t ver; /* 4 or 6 */
	uint8_t addr[16];
	uint16_t port;
};

/* The tunnels a packet rode, as the tracker keys and names them: `key` is packet.h's `tunnel`
 * (every tunnel's identifier mixed, 0 for none); `kind` and `id` the innermost tunnel with an
 * identifier (NP_L_VXLAN, _GENEVE, _GRE with a key, _GTP; 0 for none) and its VNI, key or TEID. */
struct np_tunnel_ref {
	uint64_t key;
	uint8_t kind;
	uint32_t id;
};
/* The tunnels p rode (src/track/flow.c). */
struct np_tunnel_ref np_track_tunnel_of(const struct np_packet *p);
/* The VLAN tags on p's outermost link layer (802.1Q/802.1ad), the outer one's id in *vid (0
 * when none): a flow record's vlanId (IPFIX IE 58) and ECS network.vlan.id. */
uint8_t np_track_vlan_of(const struct np_packet *p, uint16_t *vid);

/* The key of a conversation: both directions of a 5-tuple give the same one, and the tunnel
 * the packets rode (packet.h's `tunnel`: VNI, GRE key...) is part of it, so the same inner
 * 5-tuple in two tunnels is two conversations. The tracker's key, and the key of anything
 * that must number conversations as it does (follow's UDP ones). */
#define NP_CONV_KEY 48
void np_track_conv_key(const struct np_endpoint *a, const struct np_endpoint *b, uint64_t tunnel,
		       uint8_t key[NP_CONV_KEY]);
/* One conversation as flow exporters and ECS see it (NP_EV_CONV_END with report_ends): its
 * counters from its first packet to the report, each way ([0] client->server, [1] back). */
struct np_flow {
	int64_t first_us, last_us;      /* first and last packet (packet time, microseconds) */
	uint64_t packets[2];
	uint64_t octets[2];             /* IP bytes: the IP headers and all they carry */
	uint64_t payload[2];            /* TCP payload bytes, retransmissions not counted again */
	uint64_t dpackets[2], doctets[2]; /* since the conversation's previous report */
	uint16_t flags[2];              /* TCP flags seen (OR of every segment's 12 bits) */
	uint32_t retrans[2];            /* segments marked as retransmissions */
	int64_t syn_synack_us;          /* SYN -> SYN/ACK, seen at the observer; -1 unknown */
	int64_t synack_ack_us;          /* SYN/ACK -> ACK; -1 unknown */
	enum np_tcp_state state[2];     /* each side's state at the report */
	int8_t closed_by;               /* enum np_side of the first FIN (NP_BOTH: at once); -1 */
	int8_t reset_by;                /* enum np_side of the first RST; -1 none */
	enum np_flow_outcome outcome;
	uint8_t nvlan;                  /* VLAN tags of its first packet (0 or 1: the outer's id) */
	uint16_t vlan;
	uint8_t tunnel_kind;            /* the innermost tunnel of its first packet with an
					 * identifier (NP_L_VXLAN, _GENEVE, _GRE with a key, _GTP); 0 */
	uint32_t tunnel_id;             /* its VNI, GRE key or TEID */
	uint32_t reports;               /* periodic reports before this one */
	bool udp;                       /* a UDP conversation (the stats collector's, client =
					 * the sender of its first packet); else TCP */
};

struct np_ladder; /* netprobe/ladder.h: the --ladder diagram is drawn outside the tracker */

struct np_event {
	enum np_event_kind kind;
	uint64_t n;             /* packet that triggered it (0: end of capture) */
	int64_t ts_sec;
	uint32_t ts_usec;
	uint32_t conv;          /* conversation id, from 1 in first-seen order; 0 for floods */
	struct np_endpoint client, server;
	bool midstream;         /* the capture started after the handshake: roles are guessed */
	enum np_side side;      /* who: sent the RST, changed state, retransmitted, ... */
	union {
		struct {
			double syn_synack_ms, synack_ack_ms;
			uint16_t mss[2];      /* 0: not offered */
			int8_t ws[2];         /* -1: not offered */
			bool sack, ts;        /* both sides offered it */
		} hs;
		struct {
			enum np_side closed_by;
			enum np_side time_wait;
			double duration_ms;
			uint64_t bytes[2];    /* payload bytes client->server, server->client */
			bool half_close;      /* data flowed after the first FIN */
		} td;
		struct {
			double duration_ms;
			uint64_t bytes[2];    /* payload bytes client->server, server->client */
			/* Bytes each side (client, server) had sent that the other had not
			 * acknowledged when the RST came (the resetter's ACK: the RST's own, else
			 * its last): data in flight, lost to the reset. */
			uint64_t unacked[2];
			bool lone;            /* no segment of its connection was seen before it */
		} rst;
		struct {
			enum np_tcp_state from, to;
		} st;
		struct {
			uint32_t syns;
		} unanswered;
		struct {
			uint32_t num;         /* duplicate ACK number: #1, #2, ... */
		} dup;
		struct {
			enum np_flood_phase phase;
			struct np_endpoint target;
			struct np_tunnel_ref tunnel; /* the tunnels the target sits in: the same
						      * address and port in two VNIs are two targets */
			double syn_rate;      /* SYNs per second over the window */
			uint64_t half_open;   /* SYNs in the window with no completing ACK */
			uint64_t sources;     /* distinct sources in the window (estimate) */
			uint64_t syns, synacks, rsts; /* episode totals */
			double peak_rate;
			double duration_s;
			uint64_t suppressed;  /* per-connection events not printed during the episode */
		} flood;
		const struct np_ladder *ladder; /* valid until the next call into the recorder */
		struct {
			enum np_end_reason why;
			uint32_t slot;        /* the conversation's np_pkt_track.slot */
			bool worth_drawing;   /* not a flood's lone SYNs, not evicted */
			struct np_flow flow;  /* its counters (not for NP_CONV_OVER: stragglers
					       * may still come until it leaves the table) */
		} end;
	};
};

/* Wireshark-style analysis of one segment (annotations on its packet line). */
#define NP_TA_RETRANSMISSION   0x0001
#define NP_TA_FAST_RETRANS     0x0002
#define NP_TA_DUP_ACK          0x0004
#define NP_TA_ZERO_WINDOW      0x0008
#define NP_TA_WINDOW_FULL      0x0010
#define NP_TA_OUT_OF_ORDER     0x0020
#define NP_TA_KEEPALIVE        0x0040
#define NP_TA_PREV_LOST        0x0080 /* previous segment not captured */
#define NP_TA_SPURIOUS         0x0100 /* retransmission of data already acknowledged */
#define NP_TA_WINDOW_UPDATE    0x0200 /* only the window changed */
#define NP_TA_SACKED           0x0400 /* a copy of bytes the receiver had SACKed (RFC 2018) */

/* What the tracker knows about one packet, for the printers. */
struct np_pkt_track {
	bool tcp;               /* a TCP segment the tracker followed */
	uint32_t conv;
	enum np_side from;      /* sender's role */
	bool rel_valid;
	uint32_t rel_seq, rel_ack;
	bool win_scaled_valid;
	uint32_t win_scaled;    /* window times the sender's negotiated scale */
	uint16_t analysis;      /* NP_TA_* */
	uint32_t dup_num;
	uint32_t sack_base;     /* SACK edges are the peer's sequence numbers: its base */
	enum np_tcp_state state[2]; /* client's and server's state after this segment */
	uint8_t changed;        /* bit 0: the client's state changed with it, bit 1: the server's */
	uint32_t slot;          /* the conversation's place in the table, below max_conv: reused
				 * after its NP_EV_CONV_END (per-conversation state of a consumer) */
	int64_t conv_us;        /* since the conversation's first segment */
};

struct np_track_opts {
	uint32_t max_conv;          /* conversations tracked at once */
	uint32_t max_half_open;     /* of which not yet established */
	uint32_t idle_timeout_s;    /* established conversation with no packets */
	uint32_t half_open_timeout_s;
	uint32_t closed_timeout_s;  /* after teardown/reset: kept to absorb stragglers */
	uint32_t max_targets;       /* SYN-flood destinations tracked at once */
	uint32_t flood_rate;        /* SYNs/s to one destination that start an episode */
	uint32_t flood_half_open;   /* ...with at least this many half-open in the window */
	uint32_t flood_window_s;    /* sliding window */
	bool report_ends;           /* NP_EV_CONV_END events (--ladder, follow, flow exports) */
	uint32_t active_timeout_s;  /* with report_ends: an NP_CONV_ACTIVE report of a
				     * conversation every S s of packet time while it lasts; 0 never */
	/* SipHash key of the conversation and flood-target tables, whose keys come from packets:
	 * secret and random (np_track_seed), or flows that all fall into one hash chain could be
	 * computed offline (hash flooding). np_track_defaults sets a fixed key, for tests only. */
	uint8_t hash_key[16];
	/* Conversation numbers: id_offset + 1, then every id_stride (0 counts as 1). --fanout
	 * numbers worker K of N's conversations K+1, K+1+N...: unique across the workers. */
	uint32_t id_offset, id_stride;
};

/* Defaults for every field, with a fixed hash key: reproducible, for tests and fuzzing. */
void np_track_defaults(struct np_track_opts *o);
/* A random hash key from getrandom(2). Call it before entering the sandbox, which does not
 * allow getrandom. Returns 0, or -1 with the reason in err. */
int np_track_seed(struct np_track_opts *o, char *err, size_t errlen) __attribute__((warn_unused_result));

/* The tracker returns its events in an out-array, in the order they happened; the caller (the
 * pipeline, src/pipeline/) empties it between calls and orders them around the packet line.
 * Bounded: one packet causes at most a few (state changes, a handshake or teardown, analysis
 * notes, a ladder, a flood phase: fewer than 20), so np_track_packet always fits in an empty
 * array; an event that finds it full is counted in `dropped`, not stored (never seen, kept as
 * a guard). Letting time pass (np_track_advance) and the end of capture (np_track_finish) can
 * release any number of conversations: they stop at a clean point when the array is nearly
 * full and return true ("call again with an emptied array"), so nothing is ever lost there. */
#define NP_TRACK_EVENTS_MAX 64

struct np_track_events {
	unsigned n;
	uint64_t dropped;
	struct np_event ev[NP_TRACK_EVENTS_MAX];
};

struct np_tracker;

struct np_tracker *np_tracker_new(const struct np_track_opts *o);
void np_tracker_free(struct np_tracker *t);

/* Let time pass up to `ts`: expire idle conversations and flood episodes. Call before
 * np_track_packet with the packet's timestamp. Appends to *out; true: more to come, call again
 * (same time) once out is emptied. */
bool np_track_advance(struct np_tracker *t, int64_t ts_sec, uint32_t ts_usec,
		      struct np_track_events *out) __attribute__((warn_unused_result));
/* Follow one decoded packet; fills *info (info->tcp false for anything not followed) and
 * appends what the packet caused to *out (pass it empty: everything fits). */
void np_track_packet(struct np_tracker *t, const struct np_packet *p, struct np_pkt_track *info,
		     struct np_track_events *out);
/* End of capture: report what is still pending (unanswered SYNs, ladders, an ongoing flood).
 * Appends to *out; true: more to come, call again once out is emptied. */
bool np_track_finish(struct np_tracker *t, struct np_track_events *out)
	__attribute__((warn_unused_result));

#define NP_TOP_TALKERS 5

/* A conversation among the busiest of the run, by payload bytes both ways. */
struct np_talker {
	uint32_t conv;
	struct np_endpoint client, server;
	uint64_t bytes[2];      /* client->server, server->client */
	uint64_t packets;
};

struct np_track_stats {
	/* Packets by protocol: counted by the pipeline (src/pipeline/stats.c), not the tracker,
	 * and put here for the summary printers by np_pipeline_stats. */
	uint64_t packets, ip4, ip6, tcp, udp, icmp, icmp6, arp, other;
	uint64_t conversations;     /* ever seen */
	uint64_t completed;         /* handshakes completed */
	uint64_t refused, reset, closed, unanswered;
	uint64_t reset_unacked;     /* of the resets: with data unacknowledged either way */
	uint64_t open;              /* tracked and established now */
	uint64_t half_open;         /* tracked and not established now */
	uint64_t evicted, evicted_half_open, expired;
	uint64_t evicted_crowded;   /* of the evicted: to keep a hash chain short (lru.h) */
	uint64_t hs_count;
	double hs_min_ms, hs_max_ms, hs_sum_ms;
	uint64_t flood_episodes;
	uint32_t max_conv_in_use;   /* high-water mark of the table */
	/* Requests and responses paired (apppair.h), put here by np_pipeline_stats. */
	uint64_t app_requests, app_paired, app_unmatched, app_evicted, app_pending;
	/* Messages spanning segments (apppdu.h), put here by np_pipeline_stats. */
	uint64_t pdu_done, pdu_abandoned, pdu_too_long, pdu_evicted;
	uint32_t ntop;
	struct np_talker top[NP_TOP_TALKERS]; /* busiest first */
};

void np_track_stats(const struct np_tracker *t, struct np_track_stats *s);

const char *np_tcp_state_name(enum np_tcp_state s);
const char *np_event_kind_name(enum np_event_kind k);
/* "open", "closed", "reset", "refused", "unanswered", "half-open". */
const char *np_flow_outcome_name(enum np_flow_outcome o);

#endif
