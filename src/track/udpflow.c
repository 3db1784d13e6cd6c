/* udpflow.c - the UDP conversations of the flow exporters (udpflow.h): a fixed table (lru.h,
 * one list, least recently active at its tail) that reports each conversation when it goes
 * idle, when it must make room, periodically with an active timeout, and at the end. */
#include "netprobe/udpflow.h"

#include <stdlib.h>
#include <string.h>

#include "track/lru.h"
#include "track/siphash.h"

struct uconv {
	struct np_endpoint a, b;       /* a: the sender of its first packet */
	int64_t first_us, last_us, report_us;
	uint64_t order;                /* first-seen order */
	uint64_t packets[2], octets[2];
	uint64_t rep_packets[2], rep_octets[2]; /* at the previous periodic report */
	uint32_t reports;
	struct np_tunnel_ref tun;      /* the innermost named tunnel it rode (kind 0: none) */
	uint16_t vlan;                 /* outer VLAN id of its first packet, when nvlan */
	uint8_t nvlan;
};

struct np_udpflows {
	struct np_udpflow_opts o;
	void (*emit)(void *ctx, const struct np_event *ev);
	void *ctx;
	struct np_lru lru;
	struct uconv *conv;
	struct pending { uint64_t order; uint32_t slot; } *sorted; /* np_udpflows_finish's, max */
	int64_t now;
	uint64_t next_order;
	struct np_udpflow_stats st;
};

struct np_udpflows *np_udpflows_new(const struct np_udpflow_opts *o)
{
	struct np_udpflows *u = calloc(1, sizeof *u);
	if (!u)
		return NULL;
	u->o = *o;
	if (!u->o.max)
		u->o.max = 1;
	u->conv = calloc(u->o.max, sizeof *u->conv);
	u->sorted = calloc(u->o.max, sizeof *u->sorted);
	if (!u->conv || !u->sorted || np_lru_init(&u->lru, u->o.max) < 0) {
		free(u->conv);
		free(u->sorted);
		free(u);
		return NULL;
	}
	u->now = INT64_MIN;
	return u;
}

void np_udpflows_free(struct np_udpflows *u)
{
	if (!u)
		return;
	np_lru_free(&u->lru);
	free(u->conv);
	free(u->sorted);
	free(u);
}

void np_udpflows_emit_to(struct np_udpflows *u, void (*emit)(void *ctx, const struct np_event *ev),
			 void *ctx)
{
	u->emit = emit;
	u->ctx = ctx;
}

/* 1 if a sorts after b (address, then port): the key holds the pair in one order whichever
 * way the packet went. */
static int ep_cmp(const struct np_endpoint *a, const struct np_endpoint *b)
{
	int c = memcmp(a->addr, b->addr, 16);
	return c ? c > 0 : a->port > b->port;
}

/* ver(1) lo addr(16) hi addr(16) lo port(2) hi port(2) tunnel(8): as the stats collector's. */
static void conv_key(const struct np_endpoint *src, const struct np_endpoint *dst,
		     uint64_t tunnel, uint8_t key[NP_LRU_KEY])
{
	const struct np_endpoint *lo = src, *hi = dst;
	if (ep_cmp(src, dst)) {
		lo = dst;
		hi = src;
	}
	memset(key, 0, NP_LRU_KEY);
	key[0] = src->ver;
	memcpy(key + 1, lo->addr, 16);
	memcpy(key + 17, hi->addr, 16);
	memcpy(key + 33, &lo->port, 2);
	memcpy(key + 35, &hi->port, 2);
	memcpy(key + 37, &tunnel, 8);
}

/* The record of conversation c (NP_CONV_ACTIVE: a periodic one, its counts kept as reported). */
static void report(struct np_udpflows *u, struct uconv *c, enum np_end_reason why)
{
	struct np_event ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = NP_EV_CONV_END;
	ev.ts_sec = c->last_us / 1000000;
	ev.ts_usec = (uint32_t)(c->last_us % 1000000);
	ev.client = c->a;
	ev.server = c->b;
	ev.end.why = why;
	struct np_flow *f = &ev.end.flow;
	f->udp = true;
	f->first_us = c->first_us;
	f->last_us = c->last_us;
	for (int d = 0; d < 2; d++) {
		f->packets[d] = c->packets[d];
		f->octets[d] = c->octets[d];
		f->dpackets[d] = c->packets[d] - c->rep_packets[d];
		f->doctets[d] = c->octets[d] - c->rep_octets[d];
	}
	f->syn_synack_us = f->synack_ack_us = -1;
	f->closed_by = f->reset_by = -1;
	f->outcome = NP_FLOW_OPEN;
	f->reports = c->reports;
	f->nvlan = c->nvlan;
	f->vlan = c->vlan;
	f->tunnel_kind = c->tun.kind;
	f->tunnel_id = c->tun.id;
	if (why == NP_CONV_ACTIVE) {
		memcpy(c->rep_packets, c->packets, sizeof c->rep_packets);
		memcpy(c->rep_octets, c->octets, sizeof c->rep_octets);
		c->report_us = c->last_us;
		c->reports++;
		u->st.periodic++;
	}
	if (u->emit)
		u->emit(u->ctx, &ev);
}

static void leave(struct np_udpflows *u, uint32_t slot, enum np_end_reason why)
{
	report(u, &u->conv[slot], why);
	np_lru_remove(&u->lru, slot);
}

void np_udpflows_advance(struct np_udpflows *u, int64_t now_us)
{
	if (now_us > u->now)
		u->now = now_us;
	if (!u->o.idle_timeout_s)
		return;
	int64_t idle = (int64_t)u->o.idle_timeout_s * 1000000;
	uint32_t s;
	while ((s = u->lru.lists[0].tail) != NP_LRU_NONE && u->now - u->conv[s].last_us > idle) {
		u->st.expired++;
		leave(u, s, NP_CONV_EXPIRED);
	}
}

/* The slot of the conversation of src -> dst, made (src its A) when new; NONE if it cannot be. */
static uint32_t find_or_make(struct np_udpflows *u, const struct np_endpoint *src,
			     const struct np_endpoint *dst, uint64_t tunnel, int64_t ts)
{
	uint8_t key[NP_LRU_KEY];
	conv_key(src, dst, tunnel, key);
	uint64_t h = np_siphash24(u->o.hash_key, key, sizeof key);
	uint32_t slot = np_lru_find(&u->lru, key, h);
	if (slot != NP_LRU_NONE)
		return slot;
	/* full, or its hash chain full: the least recently active one of the table, or of the
	 * chain, makes way (reported as evicted, RFC 7011's lack of resources) */
	if (u->lru.count >= u->o.max && u->lru.lists[0].tail != NP_LRU_NONE) {
		u->st.evicted++;
		leave(u, u->lru.lists[0].tail, NP_CONV_EVICTED);
	}
	if (np_lru_chain_full(&u->lru, h)) {
		uint32_t old = NP_LRU_NONE;
		for (uint32_t i = np_lru_chain_first(&u->lru, h); i != NP_LRU_NONE;
		     i = np_lru_chain_next(&u->lru, i))
			old = i; /* the earliest inserted of the chain */
		if (old != NP_LRU_NONE) {
			u->st.evicted++;
			leave(u, old, NP_CONV_EVICTED);
		}
	}
	slot = np_lru_insert(&u->lru, key, h, 0);
	if (slot == NP_LRU_NONE)
		return slot;
	u->conv[slot] = (struct uconv){ .a = *src, .b = *dst, .first_us = ts, .last_us = ts,
					.report_us = ts, .order = u->next_order++ };
	u->st.conversations++;
	return slot;
}

/* The addresses of IP layer `l` (its fixed header captured), as stats.c takes them. */
static bool ip_pair(const struct np_pkt_layer *l, struct np_endpoint *src, struct np_endpoint *dst,
		    uint32_t *iplen)
{
	memset(src, 0, sizeof *src);
	memset(dst, 0, sizeof *dst);
	if (l->kind == NP_L_IP4 && l->ip4.got >= 20 && l->ip4.ihl >= 5) {
		src->ver = dst->ver = 4;
		memcpy(src->addr, l->ip4.src, 4);
		memcpy(dst->addr, l->ip4.dst, 4);
		*iplen = l->ip4.tot_len;
		return true;
	}
	if (l->kind == NP_L_IP6 && l->ip6.got >= 40) {
		src->ver = dst->ver = 6;
		memcpy(src->addr, l->ip6.src, 16);
		memcpy(dst->addr, l->ip6.dst, 16);
		*iplen = (uint32_t)l->ip6.plen + 40;
		return true;
	}
	return false;
}

static void udp_layer(struct np_udpflows *u, const struct np_packet *p, unsigned i,
		      struct np_endpoint src, struct np_endpoint dst, uint32_t iplen)
{
	const struct np_pkt_layer *l = &p->layer[i];
	if (l->udp.got < 8)
		return;
	src.port = l->udp.sport;
	dst.port = l->udp.dport;
	/* Only the innermost transport is inside every tunnel p->tunnel names. */
	uint64_t tunnel = i + 1u == p->xport_at ? p->tunnel : 0;
	int64_t ts = u->now;
	uint32_t slot = find_or_make(u, &src, &dst, tunnel, ts);
	if (slot == NP_LRU_NONE)
		return;
	struct uconv *c = &u->conv[slot];
	if (!c->packets[0] && !c->packets[1]) {
		/* its first packet names its VLAN and tunnel, as a TCP conversation's (flow.c) */
		c->nvlan = np_track_vlan_of(p, &c->vlan);
		if (tunnel)
			c->tun = np_track_tunnel_of(p);
	}
	int d = src.ver == c->a.ver && src.port == c->a.port &&
			memcmp(src.addr, c->a.addr, 16) == 0 ? 0 : 1;
	c->packets[d]++;
	c->octets[d] += iplen;
	if (ts > c->last_us)
		c->last_us = ts;
	np_lru_touch(&u->lru, slot, 0);
	if (u->o.active_timeout_s &&
	    c->last_us - c->report_us >= (int64_t)u->o.active_timeout_s * 1000000)
		report(u, c, NP_CONV_ACTIVE);
}

void np_udpflows_packet(struct np_udpflows *u, const struct np_packet *p)
{
	struct np_endpoint src, dst;
	bool have_ip = false;
	uint32_t iplen = 0;
	for (unsigned i = 0; i < p->nlayers; i++) {
		const struct np_pkt_layer *l = &p->layer[i];
		if (l->kind == NP_L_IP4 || l->kind == NP_L_IP6)
			have_ip = ip_pair(l, &src, &dst, &iplen);
		else if (l->kind == NP_L_UDP && have_ip)
			udp_layer(u, p, i, src, dst, iplen);
	}
}

static int by_order(const void *a, const void *b)
{
	uint64_t x = ((const struct pending *)a)->order, y = ((const struct pending *)b)->order;
	return x < y ? -1 : x > y;
}

void np_udpflows_finish(struct np_udpflows *u)
{
	uint32_t n = 0;
	for (uint32_t s = u->lru.lists[0].head; s != NP_LRU_NONE && n < u->o.max;
	     s = u->lru.nodes[s].next)
		u->sorted[n++] = (struct pending){ .order = u->conv[s].order, .slot = s };
	qsort(u->sorted, n, sizeof *u->sorted, by_order);
	for (uint32_t i = 0; i < n; i++)
		leave(u, u->sorted[i].slot, NP_CONV_FINISHED);
}

void np_udpflows_stats(const struct np_udpflows *u, struct np_udpflow_stats *s)
{
	*s = u->st;
	s->now = u->lru.count;
}
