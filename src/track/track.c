/* track.c - TCP conversations as an observer sees them: a bounded LRU table of conversations
 * (half-open ones, a flood's, in a list of their own with a cap of their own, so a flood evicts
 * its own entries before it can evict established conversations), their lifecycle (new, idle,
 * evicted, expired, over) and the events about it, returned in an out-array. The state machine
 * and the segment analysis are tcp_state.c; the SYN-flood detector synflood.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "siphash.h"
#include "conv.h"
#include "netprobe/hot.h"

void np_track_defaults(struct np_track_opts *o)
{
	memset(o, 0, sizeof *o);
	o->max_conv = 65536;
	o->max_half_open = 32768;
	o->idle_timeout_s = 600;
	o->half_open_timeout_s = 30;
	o->closed_timeout_s = 30;
	o->max_targets = 1024;
	/* Normal busy servers see tens of new connections a second per port, nearly all of them
	 * completing; hping3/syn floods send thousands of SYNs a second that never complete. */
	o->flood_rate = 200;
	o->flood_half_open = 500;
	o->flood_window_s = 5;
	memcpy(o->hash_key, "np-fixed-testkey", sizeof o->hash_key); /* public: np_track_seed */
}

_Static_assert(sizeof((struct np_track_opts *)0)->hash_key == NP_SIPHASH_KEY, "a SipHash key");

int np_track_seed(struct np_track_opts *o, char *err, size_t errlen)
{
	size_t got = 0;
	while (got < sizeof o->hash_key) {
		/* Flags 0: the urandom pool, waiting only until it is first initialised at boot. */
		ssize_t r = getrandom(o->hash_key + got, sizeof o->hash_key - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(err, errlen, "cannot draw a hash key: getrandom: %s",
				 r < 0 ? strerror(errno) : "no bytes");
			return -1;
		}
		got += (size_t)r;
	}
	return 0;
}

const char *np_tcp_state_name(enum np_tcp_state s)
{
	static const char *const names[] = {
		"CLOSED",     "LISTEN",     "SYN-SENT",   "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
		"FIN-WAIT-2", "CLOSE-WAIT", "CLOSING",    "LAST-ACK",     "TIME-WAIT",
	};
	return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

const char *np_event_kind_name(enum np_event_kind k)
{
	static const char *const names[] = {
		"handshake",  "refused",    "syn_unanswered", "teardown",     "reset", "retransmission",
		"dup_ack",    "zero_window", "window_full",   "out_of_order", "state", "syn_flood",
		"ladder",
		"conv_end",
	};
	return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

struct np_tracker *np_tracker_new(const struct np_track_opts *o)
{
	struct np_tracker *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->o = *o;
	if (t->o.max_half_open == 0 || t->o.max_half_open > t->o.max_conv)
		t->o.max_half_open = t->o.max_conv;
	t->convs = calloc(o->max_conv, sizeof *t->convs);
	t->flood = np_flood_new(o);
	if (!t->convs || !t->flood || np_lru_init(&t->lru, o->max_conv) < 0) {
		np_tracker_free(t);
		return NULL;
	}
	t->st.hs_min_ms = -1;
	return t;
}

void np_tracker_free(struct np_tracker *t)
{
	if (!t)
		return;
	np_lru_free(&t->lru);
	np_flood_free(t->flood);
	free(t->convs);
	free(t->finish_order);
	free(t);
}

static bool ep_eq(const struct np_endpoint *a, const struct np_endpoint *b)
{
	return a->ver == b->ver && a->port == b->port && memcmp(a->addr, b->addr, 16) == 0;
}

static int ep_cmp(const struct np_endpoint *a, const struct np_endpoint *b)
{
	int c = memcmp(a->addr, b->addr, 16);
	return c ? c : (int)a->port - (int)b->port;
}

/* The lower endpoint first, then the higher, then the tunnel id (track.h). */
_Static_assert(NP_CONV_KEY == NP_LRU_KEY, "a conversation key is an LRU key");
void np_track_conv_key(const struct np_endpoint *a, const struct np_endpoint *b, uint64_t tunnel,
		       uint8_t key[NP_CONV_KEY])
{
	const struct np_endpoint *lo = ep_cmp(a, b) <= 0 ? a : b, *hi = lo == a ? b : a;
	memset(key, 0, NP_LRU_KEY);
	key[0] = a->ver;
	memcpy(key + 1, lo->addr, 16);
	key[17] = (uint8_t)(lo->port >> 8);
	key[18] = (uint8_t)lo->port;
	memcpy(key + 19, hi->addr, 16);
	key[35] = (uint8_t)(hi->port >> 8);
	key[36] = (uint8_t)hi->port;
	memcpy(key + 37, &tunnel, sizeof tunnel);
}

void np_track_event_base(struct np_event *ev, enum np_event_kind k, const struct np_tracker *t,
			 const struct conv *c)
{
	memset(ev, 0, sizeof *ev);
	ev->kind = k;
	ev->n = t->n;
	np_event_time(ev, t->now);
	ev->conv = c->id;
	ev->client = c->ep[0];
	ev->server = c->ep[1];
	ev->midstream = c->midstream;
}

/* Events about connections to a target under a flood are counted, not printed; handshakes,
 * teardowns and resets of real connections still are. */
static bool quiet(struct np_tracker *t, struct conv *c, enum np_event_kind k)
{
	if (k != NP_EV_REFUSED && k != NP_EV_SYN_UNANSWERED && k != NP_EV_STATE)
		return false;
	if (c->established && k == NP_EV_STATE)
		return false;
	if (np_flood_suppress(t->flood, &c->ep[1], &c->tunnel)) {
		c->flooded = true;
		return true;
	}
	return false;
}

void np_track_emit(struct np_tracker *t, struct conv *c, const struct np_event *ev,
		   struct np_track_events *out)
{
	if (!quiet(t, c, ev->kind))
		np_track_push(out, ev);
}




/* Keep the NP_TOP_TALKERS busiest conversations, busiest first (insertion into a tiny array). */
static void offer_talker(struct np_track_stats *s, const struct conv *c)
{
	uint64_t bytes = c->d[0].bytes + c->d[1].bytes;
	if (bytes == 0)
		return; /* a talker says something */
	unsigned i = s->ntop;
	while (i > 0) {
		const struct np_talker *k = &s->top[i - 1];
		uint64_t kb = k->bytes[0] + k->bytes[1];
		bool ahead = kb > bytes ||
			     (kb == bytes && (k->packets > c->packets ||
					      (k->packets == c->packets && k->conv < c->id)));
		if (ahead)
			break;
		i--;
	}
	if (i == NP_TOP_TALKERS)
		return;
	unsigned last = s->ntop < NP_TOP_TALKERS ? s->ntop : NP_TOP_TALKERS - 1;
	for (unsigned k = last; k > i; k--)
		s->top[k] = s->top[k - 1];
	s->top[i] = (struct np_talker){ c->id, c->ep[0], c->ep[1], { c->d[0].bytes, c->d[1].bytes },
					c->packets };
	if (s->ntop < NP_TOP_TALKERS)
		s->ntop++;
}

/* Tell a per-conversation consumer (the --ladder recorder) that c is over or leaving. */
static void conv_end(struct np_tracker *t, struct conv *c, struct np_track_events *out,
		     enum np_end_reason why)
{
	if (!t->o.report_ends)
		return;
	struct np_event ev;
	np_track_event_base(&ev, NP_EV_CONV_END, t, c);
	ev.end.why = why;
	ev.end.slot = (uint32_t)(c - t->convs);
	/* a flood's lone SYNs: no drawing each */
	ev.end.worth_drawing = why != NP_CONV_EVICTED && !(c->flooded && !c->established);
	if (why != NP_CONV_OVER)
		np_track_flow_fill(c, why == NP_CONV_ACTIVE, t->now, &ev.end.flow);
	np_track_push(out, &ev);
}

/* A conversation leaves the table: say what is still worth saying about it (`say`: it expired;
 * not when it is pushed out or replaced, which only the consumers of NP_EV_CONV_END hear). */
static void release(struct np_tracker *t, uint32_t slot, bool expired, bool say,
		    struct np_track_events *out)
{
	struct conv *c = &t->convs[slot];
	if (!c->established && !c->ended && !c->synack_seen && c->d[0].syns > 0 && say) {
		struct np_event ev;
		np_track_event_base(&ev, NP_EV_SYN_UNANSWERED, t, c);
		ev.side = NP_CLIENT;
		ev.unanswered.syns = c->d[0].syns;
		t->st.unanswered++;
		if (c->flooded) /* a flood's SYNs are reported with the flood, even after it */
			(void)np_flood_suppress(t->flood, &c->ep[1], &c->tunnel); /* counted while it lasts */
		else
			np_track_emit(t, c, &ev, out);
	}
	if (expired)
		t->st.expired++;
	offer_talker(&t->st, c);
	conv_end(t, c, out, say ? NP_CONV_EXPIRED : NP_CONV_EVICTED);
	np_lru_remove(&t->lru, slot);
}

static uint32_t timeout_us(const struct np_tracker *t, int list)
{
	uint32_t s = list == LIST_HALF   ? t->o.half_open_timeout_s
		     : list == LIST_OPEN ? t->o.idle_timeout_s
					 : t->o.closed_timeout_s;
	return s * 1000000u;
}

NP_HOT bool np_track_advance(struct np_tracker *t, int64_t ts_sec, uint32_t ts_usec,
		      struct np_track_events *out)
{
	int64_t now = np_us(ts_sec, ts_usec);
	if (now > t->now)
		t->now = now;
	for (int list = 0; list < NP_LRU_LISTS; list++) {
		uint32_t s;
		while ((s = t->lru.lists[list].tail) != NP_LRU_NONE &&
		       t->now - t->convs[s].t_last > (int64_t)timeout_us(t, list)) {
			if (!np_track_room(out, NP_TRACK_RESERVE))
				return true; /* the rest on the next call, in the same order */
			release(t, s, true, true, out);
		}
	}
	return np_flood_advance(t->flood, t->now, false, t->n, out);
}

/* Make room for one more conversation: a flood's half-open entries go first. */
static void make_room(struct np_tracker *t, bool half_open, struct np_track_events *out)
{
	struct np_lru_list *half = &t->lru.lists[LIST_HALF];
	if (half_open && half->count >= t->o.max_half_open) {
		t->st.evicted++;
		t->st.evicted_half_open++;
		release(t, half->tail, false, false, out);
	}
	if (t->lru.count < t->lru.cap)
		return;
	int from = half->count ? LIST_HALF : t->lru.lists[LIST_ENDED].count ? LIST_ENDED : LIST_OPEN;
	t->st.evicted++;
	t->st.evicted_half_open += from == LIST_HALF;
	release(t, t->lru.lists[from].tail, false, false, out);
}

/* A full hash chain (NP_LRU_MAX_CHAIN, lru.h) makes room as the table does (make_room): a
 * half-open conversation first, then an ended one, then an open one; the least recently seen of
 * them. With a secret hash key this does not happen in practice; it bounds a lookup's cost. */
static void make_room_in_chain(struct np_tracker *t, uint64_t h, struct np_track_events *out)
{
	if (!np_lru_chain_full(&t->lru, h))
		return;
	static const int order[NP_LRU_LISTS] = { [LIST_HALF] = 0, [LIST_ENDED] = 1, [LIST_OPEN] = 2 };
	uint32_t victim = NP_LRU_NONE;
	for (uint32_t s = np_lru_chain_first(&t->lru, h); s != NP_LRU_NONE; s = np_lru_chain_next(&t->lru, s)) {
		if (victim == NP_LRU_NONE) {
			victim = s;
			continue;
		}
		int a = order[t->lru.nodes[s].list], b = order[t->lru.nodes[victim].list];
		if (a < b || (a == b && t->convs[s].t_last <= t->convs[victim].t_last))
			victim = s;
	}
	bool half = t->lru.nodes[victim].list == LIST_HALF;
	t->st.evicted++;
	t->st.evicted_half_open += half;
	t->st.evicted_crowded++;
	release(t, victim, false, false, out);
}

static struct conv *new_conv(struct np_tracker *t, const uint8_t *key, uint64_t h,
			     const struct np_endpoint *src, const struct np_endpoint *dst, uint16_t flags,
			     struct np_track_events *out)
{
	bool syn = flags & NP_TCP_SYN, ack = flags & NP_TCP_ACK;
	make_room_in_chain(t, h, out);
	make_room(t, !(!syn && ack), out);
	bool half = syn || !ack;
	uint32_t s = np_lru_insert(&t->lru, key, h, half ? LIST_HALF : LIST_OPEN);
	if (s == NP_LRU_NONE)
		return NULL;
	struct conv *c = &t->convs[s];
	memset(c, 0, sizeof *c);
	c->id = t->next_id++ * (t->o.id_stride ? t->o.id_stride : 1) + t->o.id_offset + 1;
	c->first_fin = -1;
	c->d[0].ws = c->d[1].ws = -1;
	c->t_first = t->now;
	if (syn && !ack) {
		c->ep[0] = *src;
		c->ep[1] = *dst;
	} else if (syn && ack) {
		c->ep[0] = *dst; /* the SYN was missed: the SYN/ACK's sender is the server */
		c->ep[1] = *src;
	} else {
		/* Joined mid-connection: guess the server is the lower port (the listener). */
		bool src_server = src->port < dst->port;
		c->ep[0] = src_server ? *dst : *src;
		c->ep[1] = src_server ? *src : *dst;
		c->midstream = true;
		c->established = true;
		c->st[0] = c->st[1] = NP_ST_ESTABLISHED;
	}
	t->st.conversations++;
	uint32_t used = t->lru.count;
	if (used > t->st.max_conv_in_use)
		t->st.max_conv_in_use = used;
	return c;
}











/* The layers are looked up by the caller, once: the stores into src and dst may alias the
 * packet as far as the compiler knows, so each accessor call here would run again. */
static void endpoints(const struct np_ipv4 *ip4, const struct np_ipv6 *ip6,
		      const struct np_tcp *tcp, struct np_endpoint *src, struct np_endpoint *dst)
{
	memset(src, 0, sizeof *src);
	memset(dst, 0, sizeof *dst);
	if (ip4) {
		src->ver = dst->ver = 4;
		memcpy(src->addr, ip4->src, 4);
		memcpy(dst->addr, ip4->dst, 4);
	} else {
		src->ver = dst->ver = 6;
		memcpy(src->addr, ip6->src, 16);
		memcpy(dst->addr, ip6->dst, 16);
	}
	src->port = tcp->sport;
	dst->port = tcp->dport;
}


NP_HOT void np_track_packet(struct np_tracker *t, const struct np_packet *p, struct np_pkt_track *info,
		     struct np_track_events *out)
{
	memset(info, 0, sizeof *info);
	t->n = p->frame->n;
	const struct np_tcp *tcp = np_pkt_tcp(p);
	if (!tcp)
		return;
	const struct np_ipv4 *ip4 = np_pkt_ip4(p);
	const struct np_ipv6 *ip6 = np_pkt_ip6(p);
	bool ip_ok = (ip4 && ip4->got >= 20) || (ip6 && ip6->got >= 40);
	if (tcp->got < 20 || !ip_ok || tcp->doff < 5)
		return;
	struct np_endpoint src, dst;
	endpoints(ip4, ip6, tcp, &src, &dst);
	/* The tunnels' names are looked up only for a packet that rode one. */
	struct np_tunnel_ref tun = { 0 };
	if (p->tunnel)
		tun = np_track_tunnel_of(p);
	np_flood_segment(t->flood, &src, &dst, &tun, tcp->flags, t->n, t->now, out);

	uint8_t key[NP_LRU_KEY];
	np_track_conv_key(&src, &dst, p->tunnel, key);
	uint64_t h = np_siphash24(t->o.hash_key, key, sizeof key);
	uint32_t s = np_lru_find(&t->lru, key, h);
	struct conv *c = s == NP_LRU_NONE ? NULL : &t->convs[s];
	bool fresh_syn = (tcp->flags & (NP_TCP_SYN | NP_TCP_ACK | NP_TCP_RST)) == NP_TCP_SYN;
	if (c && c->ended && fresh_syn) {
		/* Port reuse after TIME-WAIT (RFC 9293 s3.6.1): a new connection. */
		release(t, s, false, false, out);
		c = NULL;
	}
	if (!c) {
		/* A reset for nothing we know (a lone RST, or one after its half-open entry
		 * expired) is a conversation of its own, reset at once, as Wireshark lists it. */
		c = new_conv(t, key, h, &src, &dst, tcp->flags, out);
		if (!c)
			return;
		np_track_flow_start(c, p);
	} else {
		np_lru_touch(&t->lru, s, t->lru.nodes[s].list);
	}
	c->t_last = t->now;
	c->packets++;
	int x = ep_eq(&src, &c->ep[0]) ? 0 : 1;

	np_track_analyse(t, c, x, tcp, info);
	np_track_flow_count(c, x, p, tcp->flags, info);
	/* Copies and a keep-alive's garbage byte are not more data. */
	bool retrans = info->analysis & (NP_TA_RETRANSMISSION | NP_TA_KEEPALIVE);
	if (!retrans)
		c->d[x].bytes += tcp->payload_len;
	enum np_tcp_state before[2] = { c->st[0], c->st[1] };
	bool was_over = c->ended;
	np_track_step(t, c, x, tcp, out);
	np_track_note_analysis(t, c, x, info, out);

	info->tcp = true;
	info->conv = c->id;
	info->from = (enum np_side)x;
	info->rel_valid = true;
	info->rel_seq = tcp->seq - c->d[x].base;
	info->rel_ack = c->d[1 - x].base_set ? tcp->ack - c->d[1 - x].base : tcp->ack;
	info->sack_base = c->d[1 - x].base_set ? c->d[1 - x].base : 0;
	info->state[0] = c->st[0];
	info->state[1] = c->st[1];
	info->changed = (uint8_t)((c->st[0] != before[0]) | ((c->st[1] != before[1]) << 1));
	info->slot = (uint32_t)(c - t->convs);
	info->conv_us = t->now - c->t_first;
	if (c->ended && !was_over)
		conv_end(t, c, out, NP_CONV_OVER);
	else if (np_track_flow_due(t, c))
		conv_end(t, c, out, NP_CONV_ACTIVE);
}

static int by_id(const void *a, const void *b)
{
	uint32_t x = (*(struct conv *const *)a)->id, y = (*(struct conv *const *)b)->id;
	return x < y ? -1 : x > y;
}

/* End of capture, first part: connections that only ever sent SYNs are reported as
 * unanswered. Each is marked ended when said, so a call that stops early goes on where it
 * stopped. True when stopped early. */
static bool finish_unanswered(struct np_tracker *t, struct np_track_events *out)
{
	uint32_t s = t->lru.lists[LIST_HALF].tail;
	while (s != NP_LRU_NONE) {
		uint32_t prev = t->lru.nodes[s].prev;
		struct conv *c = &t->convs[s];
		if (!c->synack_seen && c->d[0].syns > 0 && !c->ended) {
			if (!np_track_room(out, 1))
				return true;
			struct np_event ev;
			np_track_event_base(&ev, NP_EV_SYN_UNANSWERED, t, c);
			ev.n = 0;
			ev.unanswered.syns = c->d[0].syns;
			t->st.unanswered++;
			if (c->flooded)
				(void)np_flood_suppress(t->flood, &c->ep[1], &c->tunnel);
			else
				np_track_emit(t, c, &ev, out);
			c->ended = true;
		}
		s = prev;
	}
	return false;
}

/* Second part: the conversations still in the table are over, in first-seen order (for the
 * --ladder recorder). The order is made once; a call that stops early goes on from there.
 * True when stopped early. */
static bool finish_ends(struct np_tracker *t, struct np_track_events *out)
{
	if (!t->o.report_ends)
		return false;
	if (!t->finish_sorted) {
		t->finish_sorted = true;
		t->finish_order = malloc((size_t)t->lru.count * sizeof *t->finish_order + 1);
		for (int list = 0; t->finish_order && list < NP_LRU_LISTS; list++)
			for (uint32_t i = t->lru.lists[list].head; i != NP_LRU_NONE; i = t->lru.nodes[i].next)
				t->finish_order[t->finish_n++] = &t->convs[i];
		if (t->finish_order)
			qsort(t->finish_order, t->finish_n, sizeof *t->finish_order, by_id);
	}
	for (; t->finish_pos < t->finish_n; t->finish_pos++) {
		if (!np_track_room(out, 1))
			return true;
		conv_end(t, t->finish_order[t->finish_pos], out, NP_CONV_FINISHED);
	}
	return false;
}

bool np_track_finish(struct np_tracker *t, struct np_track_events *out)
{
	if (finish_unanswered(t, out) || finish_ends(t, out))
		return true;
	return np_flood_advance(t->flood, t->now, true, 0, out);
}

void np_track_stats(const struct np_tracker *t, struct np_track_stats *s)
{
	*s = t->st;
	s->open = t->lru.lists[LIST_OPEN].count;
	s->half_open = 0;
	for (uint32_t i = t->lru.lists[LIST_HALF].head; i != NP_LRU_NONE; i = t->lru.nodes[i].next)
		s->half_open += !t->convs[i].ended;
	s->flood_episodes = np_flood_episodes(t->flood);
	for (int list = 0; list < NP_LRU_LISTS; list++)
		for (uint32_t i = t->lru.lists[list].head; i != NP_LRU_NONE; i = t->lru.nodes[i].next)
			offer_talker(s, &t->convs[i]);
	if (s->hs_min_ms < 0)
		s->hs_min_ms = 0;
}
