/* tcp_state.c - the observer's TCP state machine (RFC 9293 s3.5 and s3.6: each endpoint's state
 * follows from the segments it sends) and Wireshark-style analysis of each segment:
 * retransmission, duplicate ACK, zero window, window full, out-of-order, keep-alive. The
 * conversation table around it is track.c. */
#include <string.h>

#include "conv.h"
#include "netprobe/hot.h"

static void set_state(struct np_tracker *t, struct conv *c, int side, enum np_tcp_state to,
		      struct np_track_events *out)
{
	if (c->st[side] == to)
		return;
	struct np_event ev;
	np_track_event_base(&ev, NP_EV_STATE, t, c);
	ev.side = (enum np_side)side;
	ev.st.from = c->st[side];
	ev.st.to = to;
	c->st[side] = to;
	np_track_emit(t, c, &ev, out);
}

static void take_syn_options(struct dir_state *d, const struct np_tcp *tcp)
{
	d->ws = tcp->has_ws ? (int8_t)(tcp->ws > 14 ? 14 : tcp->ws) : -1;
	d->mss = tcp->has_mss ? tcp->mss : 0;
	d->sack_perm = tcp->sack_perm;
	d->ts = tcp->has_ts;
}

static double ms(int64_t us)
{
	return (double)us / 1000.0;
}

static void handshake_done(struct np_tracker *t, struct conv *c, struct np_track_events *out)
{
	c->established = true;
	c->t_established = t->now;
	np_lru_touch(&t->lru, (uint32_t)(c - t->convs), LIST_OPEN);
	if (!c->d[0].syns)
		return; /* the SYN was not captured: established, but no handshake was seen */
	t->st.completed++;
	np_flood_completed(t->flood, &c->ep[1], &c->tunnel, t->now);
	struct np_event ev;
	np_track_event_base(&ev, NP_EV_HANDSHAKE, t, c);
	ev.hs.syn_synack_ms = c->d[0].syns ? ms(c->t_synack - c->t_syn) : -1;
	ev.hs.synack_ack_ms = ms(t->now - c->t_synack);
	for (int i = 0; i < 2; i++) {
		ev.hs.mss[i] = c->d[i].mss;
		ev.hs.ws[i] = c->d[i].ws;
	}
	ev.hs.sack = c->d[0].sack_perm && c->d[1].sack_perm;
	ev.hs.ts = c->d[0].ts && c->d[1].ts;
	if (c->d[0].syns) {
		double total = ms(t->now - c->t_syn);
		t->st.hs_count++;
		t->st.hs_sum_ms += total;
		if (t->st.hs_min_ms < 0 || total < t->st.hs_min_ms)
			t->st.hs_min_ms = total;
		if (total > t->st.hs_max_ms)
			t->st.hs_max_ms = total;
	}
	np_track_emit(t, c, &ev, out);
}

static void conversation_over(struct np_tracker *t, struct conv *c)
{
	c->ended = true;
	np_lru_touch(&t->lru, (uint32_t)(c - t->convs), LIST_ENDED);
}

static void teardown_done(struct np_tracker *t, struct conv *c, struct np_track_events *out)
{
	struct np_event ev;
	np_track_event_base(&ev, NP_EV_TEARDOWN, t, c);
	ev.td.closed_by = c->simultaneous ? NP_BOTH : (enum np_side)c->first_fin;
	bool tw0 = c->st[0] == NP_ST_TIME_WAIT, tw1 = c->st[1] == NP_ST_TIME_WAIT;
	ev.td.time_wait = tw0 && tw1 ? NP_BOTH : tw1 ? NP_SERVER : NP_CLIENT;
	ev.td.duration_ms = ms(t->now - (c->d[0].syns ? c->t_syn : c->t_first));
	ev.td.bytes[0] = c->d[0].bytes;
	ev.td.bytes[1] = c->d[1].bytes;
	ev.td.half_close = c->half_close;
	t->st.closed++;
	conversation_over(t, c);
	np_track_emit(t, c, &ev, out);
}

/* What side `from` had sent (up to its FIN) beyond the peer's last acknowledgment; 0 when
 * the peer never acknowledged anything (nothing to measure from). */
static uint64_t unacked(const struct conv *c, int from)
{
	const struct dir_state *d = &c->d[from], *o = &c->d[1 - from];
	if (!d->seq_known || !o->ack_known)
		return 0;
	uint32_t end = d->fin ? d->fin_seq : d->next_seq;
	return seq_lt(o->last_ack, end) ? end - o->last_ack : 0;
}

/* A reset of an open conversation: the bytes each side delivered (copies not counted twice)
 * and the data still in flight either way (RFC 9293 s3.10.7.4: a RST discards it). */
static void reset_counts(struct np_tracker *t, struct conv *c, struct np_event *ev)
{
	ev->rst.duration_ms = ms(t->now - (c->d[0].syns ? c->t_syn : c->t_first));
	for (int i = 0; i < 2; i++) {
		ev->rst.bytes[i] = c->d[i].bytes;
		ev->rst.unacked[i] = unacked(c, i);
	}
	if (ev->rst.unacked[0] || ev->rst.unacked[1])
		t->st.reset_unacked++;
}

static void on_rst(struct np_tracker *t, struct conv *c, int x, struct np_track_events *out)
{
	int y = 1 - x;
	struct np_event ev;
	if (!c->established && c->st[y] == NP_ST_SYN_SENT && !c->synack_seen) {
		np_track_event_base(&ev, NP_EV_REFUSED, t, c);
		ev.side = (enum np_side)x;
		t->st.refused++;
	} else {
		np_track_event_base(&ev, NP_EV_RESET, t, c);
		ev.side = (enum np_side)x;
		ev.rst.lone = c->packets == 1;
		t->st.reset++;
		reset_counts(t, c, &ev);
	}
	set_state(t, c, 0, NP_ST_CLOSED, out);
	set_state(t, c, 1, NP_ST_CLOSED, out);
	conversation_over(t, c);
	np_track_emit(t, c, &ev, out);
}

/* The peer `y`'s FIN has been acknowledged by `x`. */
static void fin_acked(struct np_tracker *t, struct conv *c, int x, struct np_track_events *out)
{
	int y = 1 - x;
	c->d[y].fin_acked = true;
	switch (c->st[y]) {
	case NP_ST_FIN_WAIT_1:
		/* x sent its own FIN before this ACK, and TCP delivers in order: y got that FIN in
		 * FIN-WAIT-1, so it went through CLOSING (RFC 9293 s3.6, Figure 13). */
		if (c->d[x].fin)
			set_state(t, c, y, NP_ST_CLOSING, out);
		set_state(t, c, y, c->d[x].fin ? NP_ST_TIME_WAIT : NP_ST_FIN_WAIT_2, out);
		break;
	case NP_ST_CLOSING: set_state(t, c, y, NP_ST_TIME_WAIT, out); break;
	case NP_ST_LAST_ACK: set_state(t, c, y, NP_ST_CLOSED, out); break;
	default: break;
	}
	switch (c->st[x]) {
	case NP_ST_ESTABLISHED:
	case NP_ST_SYN_RECEIVED:
		set_state(t, c, x, NP_ST_CLOSE_WAIT, out);
		break;
	case NP_ST_FIN_WAIT_1: /* x's own FIN is still unacknowledged: both closed at once */
		c->simultaneous = true;
		set_state(t, c, x, NP_ST_CLOSING, out);
		break;
	case NP_ST_FIN_WAIT_2:
		set_state(t, c, x, NP_ST_TIME_WAIT, out);
		break;
	default:
		break;
	}
}

/* Did side `r`'s last ACK hold [seq, end) in one of its SACK blocks? */
static bool sacked(const struct dir_state *r, uint32_t seq, uint32_t end)
{
	for (unsigned i = 0; i < r->nsack; i++)
		if (seq_le(r->sack[i][0], seq) && seq_le(end, r->sack[i][1]))
			return true;
	return false;
}

/* Sequence-space analysis of one segment from side x, in Wireshark's manner (simplified): what
 * its sequence numbers say (lost, kept alive, retransmitted, out of order). */
static void analyse_seq(struct np_tracker *t, struct conv *c, int x, const struct np_tcp *tcp,
			struct np_pkt_track *info)
{
	struct dir_state *d = &c->d[x], *o = &c->d[1 - x];
	uint16_t f = tcp->flags;
	uint32_t seglen = tcp->payload_len + !!(f & NP_TCP_SYN) + !!(f & NP_TCP_FIN);
	uint32_t seq = tcp->seq;
	/* A SYN with another initial sequence number before the handshake completed (a server
	 * answering the SYN twice with two ISNs, a client starting over): numbers count from it. */
	if ((f & NP_TCP_SYN) && d->seq_known && d->isn && seq != d->base && !c->established)
		d->seq_known = false;
	if (!d->seq_known) {
		d->seq_known = true;
		/* Without its SYN, a side's first byte counts as 1, as Wireshark counts it. */
		d->isn = f & NP_TCP_SYN;
		if (d->isn || !d->base_set)
			d->base = d->isn ? seq : seq - 1;
		d->base_set = true;
		d->next_seq = seq + seglen;
	} else if (seglen > 0 && !(f & NP_TCP_RST)) {
		uint32_t end = seq + seglen;
		if (seq == d->next_seq) {
			d->next_seq = end;
		} else if (seq_lt(d->next_seq, seq)) {
			info->analysis |= NP_TA_PREV_LOST;
			d->hole = true;
			d->hole_lo = d->next_seq;
			d->hole_hi = seq;
			d->hole_us = t->now;
			d->next_seq = end;
		} else if (tcp->payload_len <= 1 && !(f & (NP_TCP_SYN | NP_TCP_FIN)) &&
			   seq == d->next_seq - 1) {
			info->analysis |= NP_TA_KEEPALIVE;
		} else {
			/* Below what was already sent: a copy, or data filling a gap. A gap filled
			 * sooner than a retransmission timer could fire is reordering. */
			bool in_hole = d->hole && !seq_lt(seq, d->hole_lo) && seq_lt(seq, d->hole_hi);
			if (in_hole && t->now - d->hole_us < 3000)
				info->analysis |= NP_TA_OUT_OF_ORDER;
			else if (o->ack_known && seq_le(end, o->last_ack))
				info->analysis |= NP_TA_RETRANSMISSION | NP_TA_SPURIOUS;
			else if (tcp->payload_len && sacked(o, seq, seq + tcp->payload_len))
				info->analysis |= NP_TA_RETRANSMISSION | NP_TA_SPURIOUS | NP_TA_SACKED;
			else if (o->dup_num >= 2 && o->ack_known && seq == o->last_ack)
				info->analysis |= NP_TA_RETRANSMISSION | NP_TA_FAST_RETRANS;
			else
				info->analysis |= NP_TA_RETRANSMISSION;
			if (seq_lt(d->next_seq, end))
				d->next_seq = end;
			if (d->hole && seq_le(seq, d->hole_lo) && seq_le(d->hole_hi, end))
				d->hole = false;
		}
	} else if (seglen == 0 && !(f & NP_TCP_RST) && seq == d->next_seq - 1) {
		/* A keep-alive without the garbage byte, as Linux sends it (RFC 9293 s3.8.4). */
		info->analysis |= NP_TA_KEEPALIVE;
	}
	if ((f & NP_TCP_SYN) && !(f & NP_TCP_ACK) && d->syns > 0 && seq == d->base)
		info->analysis |= NP_TA_RETRANSMISSION;
}

/* ...and what its acknowledgment and window say (zero window, window full, window update,
 * duplicate ACK). */
static void analyse_ack(struct conv *c, int x, const struct np_tcp *tcp, struct np_pkt_track *info)
{
	struct dir_state *d = &c->d[x], *o = &c->d[1 - x];
	uint16_t f = tcp->flags;
	uint32_t seq = tcp->seq;
	if (!o->base_set) {
		/* Joined mid-connection: what this side acknowledges is the peer's next byte,
		 * which Wireshark numbers 1. */
		o->base = tcp->ack - 1;
		o->base_set = true;
	}
	bool scaled = c->d[0].ws >= 0 && c->d[1].ws >= 0 && !(f & NP_TCP_SYN);
	uint32_t win = scaled ? (uint32_t)tcp->win << d->ws : tcp->win;
	if (tcp->win == 0 && !(f & (NP_TCP_SYN | NP_TCP_FIN | NP_TCP_RST)))
		info->analysis |= NP_TA_ZERO_WINDOW;
	if (tcp->payload_len > 0 && o->ack_known && o->win_scaled > 0 &&
	    !(info->analysis & NP_TA_RETRANSMISSION) && seq + tcp->payload_len - o->last_ack == o->win_scaled)
		info->analysis |= NP_TA_WINDOW_FULL;
	bool pure = tcp->payload_len == 0 && !(f & (NP_TCP_SYN | NP_TCP_FIN | NP_TCP_RST));
	/* Wireshark's window update: nothing but the window changed (and it is not zero). */
	if (pure && d->ack_known && tcp->ack == d->last_ack && tcp->win != d->last_win &&
	    tcp->win != 0 && seq == d->next_seq)
		info->analysis |= NP_TA_WINDOW_UPDATE;
	if (pure && d->ack_known && tcp->ack == d->last_ack && tcp->win == d->last_win &&
	    o->seq_known && o->next_seq != tcp->ack) {
		d->dup_num++;
		info->analysis |= NP_TA_DUP_ACK;
		info->dup_num = d->dup_num;
	} else if (!d->ack_known || tcp->ack != d->last_ack) {
		d->dup_num = 0;
	}
	d->ack_known = true;
	d->last_ack = tcp->ack;
	/* The blocks still above the cumulative ACK (RFC 2018 s4: a D-SACK block below it
	 * reports a duplicate, not data held). */
	d->nsack = 0;
	for (unsigned i = 0; i < tcp->nsack && i < NP_MAX_SACK; i++)
		if (seq_lt(tcp->ack, tcp->sack[i][1]) && seq_lt(tcp->sack[i][0], tcp->sack[i][1])) {
			d->sack[d->nsack][0] = tcp->sack[i][0];
			d->sack[d->nsack][1] = tcp->sack[i][1];
			d->nsack++;
		}
	d->last_win = tcp->win;
	d->win_scaled = win;
	info->win_scaled_valid = true;
	info->win_scaled = win;
}

NP_HOT void np_track_analyse(struct np_tracker *t, struct conv *c, int x, const struct np_tcp *tcp,
		      struct np_pkt_track *info)
{
	analyse_seq(t, c, x, tcp, info);
	if (tcp->flags & NP_TCP_ACK)
		analyse_ack(c, x, tcp, info);
}

static const enum np_event_kind analysis_events[][2] = {
	{ NP_TA_RETRANSMISSION, NP_EV_RETRANSMISSION }, { NP_TA_DUP_ACK, NP_EV_DUP_ACK },
	{ NP_TA_ZERO_WINDOW, NP_EV_ZERO_WINDOW },       { NP_TA_WINDOW_FULL, NP_EV_WINDOW_FULL },
	{ NP_TA_OUT_OF_ORDER, NP_EV_OUT_OF_ORDER },
};

/* The state machine: each endpoint's state follows from what it sends. */
NP_HOT void np_track_step(struct np_tracker *t, struct conv *c, int x, const struct np_tcp *tcp,
		   struct np_track_events *out)
{
	int y = 1 - x;
	uint16_t f = tcp->flags;
	struct dir_state *d = &c->d[x];
	if (f & NP_TCP_RST) {
		/* The client's reset of a stray SYN/ACK carries the stray's acknowledgment as its
		 * sequence number (RFC 9293 s3.10.7.3): the connection being opened goes on. */
		if (!c->synack_seen && x == 0 && d->isn && !(f & NP_TCP_ACK) && tcp->seq != d->base + 1)
			return;
		if (!c->ended)
			on_rst(t, c, x, out);
		return;
	}
	if ((f & NP_TCP_SYN) && !(f & NP_TCP_ACK)) {
		if (d->syns++ == 0) {
			c->t_syn = t->now;
			take_syn_options(d, tcp);
		}
		if (c->st[x] == NP_ST_CLOSED)
			set_state(t, c, x, NP_ST_SYN_SENT, out);
		return;
	}
	if ((f & NP_TCP_SYN) && (f & NP_TCP_ACK)) {
		/* It answers the SYN only when it acknowledges it, and at most the data the SYN
		 * carried (RFC 9293 s3.5; TCP Fast Open): another is a stray from an older
		 * connection, which the client resets. */
		if (c->d[y].isn && (seq_lt(tcp->ack, c->d[y].base + 1) ||
				    seq_lt(c->d[y].next_seq, tcp->ack)))
			return;
		if (!c->synack_seen) {
			c->synack_seen = true;
			c->t_synack = t->now;
			take_syn_options(d, tcp);
		}
		if (c->st[x] == NP_ST_CLOSED || c->st[x] == NP_ST_LISTEN)
			set_state(t, c, x, NP_ST_SYN_RECEIVED, out);
		return;
	}
	if (!(f & NP_TCP_ACK))
		return;
	/* The ACK that completes the three-way handshake acknowledges the server's SYN. */
	if (!c->established && c->synack_seen && c->d[y].isn && tcp->ack == c->d[y].base + 1) {
		set_state(t, c, x, NP_ST_ESTABLISHED, out);
		set_state(t, c, y, NP_ST_ESTABLISHED, out);
		handshake_done(t, c, out);
	}
	if (tcp->payload_len > 0 && c->d[y].fin && !d->fin)
		c->half_close = true;
	if (c->d[y].fin && !c->d[y].fin_acked && seq_le(c->d[y].fin_seq + 1, tcp->ack))
		fin_acked(t, c, x, out);
	if ((f & NP_TCP_FIN) && !d->fin) {
		d->fin = true;
		d->fin_seq = tcp->seq + tcp->payload_len;
		if (c->first_fin < 0)
			c->first_fin = x;
		if (c->st[x] == NP_ST_CLOSE_WAIT)
			set_state(t, c, x, NP_ST_LAST_ACK, out);
		else if (c->st[x] == NP_ST_ESTABLISHED || c->st[x] == NP_ST_SYN_RECEIVED)
			set_state(t, c, x, NP_ST_FIN_WAIT_1, out);
	}
	if (!c->ended && c->d[0].fin_acked && c->d[1].fin_acked)
		teardown_done(t, c, out);
}

NP_HOT void np_track_note_analysis(struct np_tracker *t, struct conv *c, int x,
			    const struct np_pkt_track *info, struct np_track_events *out)
{
	/* Most segments carry none of these notes: one test instead of five. */
	if (!(info->analysis & (NP_TA_RETRANSMISSION | NP_TA_DUP_ACK | NP_TA_ZERO_WINDOW |
				NP_TA_WINDOW_FULL | NP_TA_OUT_OF_ORDER)))
		return;
	for (size_t i = 0; i < sizeof analysis_events / sizeof analysis_events[0]; i++) {
		if (!(info->analysis & analysis_events[i][0]))
			continue;
		struct np_event ev;
		np_track_event_base(&ev, analysis_events[i][1], t, c);
		ev.side = (enum np_side)x;
		ev.dup.num = info->dup_num;
		np_track_emit(t, c, &ev, out);
	}
}
