/* conv.h - the tracker's conversation table entries and the tracker itself, shared by its two
 * halves: the table and its lifecycle (track.c) and the TCP state machine with the segment
 * analysis (tcp_state.c). */
#ifndef NETPROBE_TRACK_CONV_H
#define NETPROBE_TRACK_CONV_H

#include "track_int.h"

enum { LIST_HALF = 0, LIST_OPEN = 1, LIST_ENDED = 2 };

struct dir_state {
	bool seq_known;
	bool base_set;         /* base known, from this side's first segment or the peer's ACK */
	bool isn;              /* base is this side's ISN (its SYN was seen) */
	uint32_t base;         /* relative sequence numbers count from here */
	uint32_t next_seq;     /* highest sequence number sent, plus one */
	uint32_t syns;
	bool ack_known;
	uint32_t last_ack;
	uint16_t last_win;
	uint32_t win_scaled;   /* last advertised window, scaled */
	uint32_t dup_num;
	bool fin;
	uint32_t fin_seq;      /* sequence number of the FIN */
	bool fin_acked;
	int8_t ws;             /* window scale offered in the SYN, -1 none */
	uint16_t mss;
	bool sack_perm, ts;
	uint64_t bytes;
	bool hole;             /* a gap: [hole_lo, hole_hi) was never seen */
	uint32_t hole_lo, hole_hi;
	int64_t hole_us;
	/* The SACK blocks of this side's last ACK (RFC 2018: what it holds above its cumulative
	 * ACK), in the peer's sequence numbers; a copy inside one is a needless retransmission. */
	uint8_t nsack;
	uint32_t sack[NP_MAX_SACK][2];
};

struct conv {
	uint32_t id;
	struct np_endpoint ep[2]; /* client, server */
	bool midstream;
	bool established;
	bool ended;
	bool synack_seen;
	bool flooded;          /* a flood episode hid its events */
	enum np_tcp_state st[2];
	struct dir_state d[2];
	int64_t t_first, t_syn, t_synack, t_last;
	int64_t t_established; /* the handshake's last ACK (0: not seen) */
	int first_fin;         /* side that sent the first FIN, -1 none */
	bool simultaneous, half_close;
	uint64_t packets;
	/* The flow counters of np_flow (track.h): filled in as the packets come. */
	uint64_t fpackets[2], octets[2];
	uint64_t rep_packets[2], rep_octets[2]; /* at the previous periodic report */
	int64_t t_report;      /* of the previous periodic report (t_first before) */
	uint32_t reports;
	uint16_t flags_seen[2];
	uint32_t retrans[2];
	int8_t reset_by;       /* side of the first RST, -1 none */
	uint8_t nvlan;
	uint16_t vlan;
	struct np_tunnel_ref tunnel; /* of its first packet: the flood detector's key, and the
				      * innermost tunnel its flow record names */
};

struct np_tracker {
	struct np_track_opts o;
	struct np_lru lru;
	struct conv *convs;
	struct np_flood *flood;
	struct np_track_stats st;
	uint32_t next_id;
	int64_t now;
	uint64_t n;
	/* The end of the capture's NP_EV_CONV_END events, in first-seen order (np_track_finish
	 * may stop and go on). */
	struct conv **finish_order;
	size_t finish_n, finish_pos;
	bool finish_sorted;
};

/* Serial-number arithmetic (RFC 1982) for 32-bit sequence numbers. */
static inline bool seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline bool seq_le(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

/* track.c: an event about c, with its common fields; handed out unless a flood hides it. */
void np_track_event_base(struct np_event *ev, enum np_event_kind k, const struct np_tracker *t,
			 const struct conv *c);
void np_track_emit(struct np_tracker *t, struct conv *c, const struct np_event *ev,
		   struct np_track_events *out);

/* tcp_state.c: the analysis of one segment from side x (Wireshark-style notes into *info),
 * the state machine's step for it, and the analysis events it causes. */
void np_track_analyse(struct np_tracker *t, struct conv *c, int x, const struct np_tcp *tcp,
		      struct np_pkt_track *info);
void np_track_step(struct np_tracker *t, struct conv *c, int x, const struct np_tcp *tcp,
		   struct np_track_events *out);
void np_track_note_analysis(struct np_tracker *t, struct conv *c, int x,
			    const struct np_pkt_track *info, struct np_track_events *out);

/* flow.c: the flow counters of np_flow (track.h). A new conversation's, from its first packet;
 * one segment of side x counted; the record of c as it stands (a periodic report: `active`,
 * which starts the next period's deltas). */
void np_track_flow_start(struct conv *c, const struct np_packet *p);

void np_track_flow_count(struct conv *c, int x, const struct np_packet *p, uint16_t flags,
			 const struct np_pkt_track *info);
void np_track_flow_fill(struct conv *c, bool active, int64_t now, struct np_flow *f);
/* With active_timeout_s: is a periodic report of c due? */
bool np_track_flow_due(const struct np_tracker *t, const struct conv *c);

#endif
