/* stats.c - the collector of `netprobe stats`: conversations (TCP as the tracker numbers them,
 * UDP and IP by their addresses and ports) and IP endpoints, in bounded keyed tables, plus the
 * run's first and last times. Counting follows tshark's taps: every IP layer of a packet (a
 * tunnel's outer and inner headers) counts for its endpoints and IP conversation, every UDP
 * layer for its UDP conversation, and bytes are frame lengths on the wire. */
#include <stdlib.h>
#include <string.h>

#include "netprobe/stats.h"
#include "stats_int.h"
#include "track/siphash.h"

struct np_stats *np_stats_new(const struct np_stats_opts *o)
{
	struct np_stats *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->o = *o;
	if (!s->o.max_rows)
		s->o.max_rows = NP_STATS_ROWS_DEFAULT;
	if (s->o.interval_us <= 0)
		s->o.interval_us = 1000000;
	s->conv = calloc(s->o.max_rows, sizeof *s->conv);
	s->ep = calloc(s->o.max_rows, sizeof *s->ep);
	if (!s->conv || !s->ep || np_lru_init(&s->conv_lru, s->o.max_rows) < 0) {
		free(s->conv);
		free(s->ep);
		free(s);
		return NULL;
	}
	if (np_lru_init(&s->ep_lru, s->o.max_rows) < 0) {
		np_lru_free(&s->conv_lru);
		free(s->conv);
		free(s->ep);
		free(s);
		return NULL;
	}
	return s;
}

void np_stats_free(struct np_stats *s)
{
	if (!s)
		return;
	np_lru_free(&s->conv_lru);
	np_lru_free(&s->ep_lru);
	free(s->conv);
	free(s->ep);
	free(s->io);
	free(s);
}

const struct np_stats_opts *np_stats_options(const struct np_stats *s)
{
	return &s->o;
}

static bool ep_eq(const struct np_endpoint *a, const struct np_endpoint *b)
{
	return a->ver == b->ver && a->port == b->port &&
	       memcmp(a->addr, b->addr, a->ver == 4 ? 4 : 16) == 0;
}

/* 1 if a sorts after b (address, then port): the key holds the pair in one order whichever
 * way the packet went. */
static int ep_cmp(const struct np_endpoint *a, const struct np_endpoint *b)
{
	int c = memcmp(a->addr, b->addr, 16);
	return c ? c > 0 : a->port > b->port;
}

/* proto(1) conv id(4) | ver(1) lo addr(16) hi addr(16) lo port(2) hi port(2) tunnel(8). */
static void conv_key(uint8_t proto, uint32_t id, const struct np_endpoint *src,
		     const struct np_endpoint *dst, uint64_t tunnel, uint8_t key[NP_LRU_KEY])
{
	memset(key, 0, NP_LRU_KEY);
	key[0] = proto;
	memcpy(key + 1, &id, 4);
	if (id) /* a tracked TCP conversation: the tracker's number is its identity */
		return;
	const struct np_endpoint *lo = src, *hi = dst;
	if (ep_cmp(src, dst)) {
		lo = dst;
		hi = src;
	}
	key[5] = src->ver;
	memcpy(key + 6, lo->addr, 16);
	memcpy(key + 22, hi->addr, 16);
	memcpy(key + 38, &lo->port, 2);
	memcpy(key + 40, &hi->port, 2);
	/* 6 bytes of the tunnel's 8: the rest of the key is full; a collision of those is as
	 * unlikely as one of the mixed identifiers themselves. */
	memcpy(key + 42, &tunnel, 6);
}

/* The row of a conversation, made on its first packet (src its A); NULL when the table is full. */
static struct np_stats_conv *conv_row(struct np_stats *s, uint8_t proto, uint32_t id,
				      const struct np_endpoint *src, const struct np_endpoint *dst,
				      uint64_t tunnel, int64_t ts)
{
	uint8_t key[NP_LRU_KEY];
	conv_key(proto, id, src, dst, tunnel, key);
	uint64_t h = np_siphash24(s->o.hash_key, key, sizeof key);
	uint32_t slot = np_lru_find(&s->conv_lru, key, h);
	if (slot != NP_LRU_NONE)
		return &s->conv[slot]; /* slots are taken in order, never freed */
	if (s->nconv >= s->o.max_rows || np_lru_chain_full(&s->conv_lru, h) ||
	    (slot = np_lru_insert(&s->conv_lru, key, h, 0)) == NP_LRU_NONE) {
		s->conv_full++;
		return NULL;
	}
	struct np_stats_conv *c = &s->conv[slot];
	*c = (struct np_stats_conv){ .proto = proto, .a = *src, .b = *dst, .tunnel = tunnel,
				     .conv = id, .order = s->nconv++, .first_us = ts, .last_us = ts,
				     .hs_ms = -1 };
	if (proto != NP_L_IP4) /* the I/O table's new conversations: TCP and UDP ones */
		np_stats_new_conv(s);
	return c;
}

/* The tracked TCP conversation numbered `id`, or NULL. */
static struct np_stats_conv *tcp_row(struct np_stats *s, uint32_t id)
{
	uint8_t key[NP_LRU_KEY];
	conv_key(NP_L_TCP, id, NULL, NULL, 0, key);
	uint32_t slot = np_lru_find(&s->conv_lru, key, np_siphash24(s->o.hash_key, key, sizeof key));
	return slot == NP_LRU_NONE ? NULL : &s->conv[slot];
}

static void conv_count(struct np_stats_conv *c, const struct np_endpoint *src, uint32_t len,
		       uint32_t iplen, int64_t ts)
{
	int d = ep_eq(src, &c->a) ? 0 : 1;
	c->frames[d]++;
	c->bytes[d] += len;
	c->ipbytes[d] += iplen;
	if (ts < c->first_us)
		c->first_us = ts;
	if (ts > c->last_us)
		c->last_us = ts;
}

static void endpoint_count(struct np_stats *s, const struct np_endpoint *e, int d, uint32_t len)
{
	uint8_t key[NP_LRU_KEY] = { 0 };
	key[0] = e->ver;
	memcpy(key + 1, e->addr, 16);
	uint64_t h = np_siphash24(s->o.hash_key, key, sizeof key);
	uint32_t slot = np_lru_find(&s->ep_lru, key, h);
	if (slot == NP_LRU_NONE) {
		if (s->nep >= s->o.max_rows || np_lru_chain_full(&s->ep_lru, h) ||
		    (slot = np_lru_insert(&s->ep_lru, key, h, 0)) == NP_LRU_NONE) {
			s->ep_full++;
			return;
		}
		s->ep[slot] = (struct np_stats_endpoint){ .ver = e->ver, .order = s->nep++ };
		memcpy(s->ep[slot].addr, e->addr, 16);
	}
	s->ep[slot].frames[d]++;
	s->ep[slot].bytes[d] += len;
}

/* The addresses of IP layer `l` (its fixed header captured), ports 0. A bogus IPv4 header
 * length (below 5 words) makes no IP packet, for Wireshark neither (no ip tap). */
static bool ip_pair(const struct np_pkt_layer *l, struct np_endpoint *src, struct np_endpoint *dst)
{
	memset(src, 0, sizeof *src);
	memset(dst, 0, sizeof *dst);
	if (l->kind == NP_L_IP4 && l->ip4.got >= 20 && l->ip4.ihl >= 5) {
		src->ver = dst->ver = 4;
		memcpy(src->addr, l->ip4.src, 4);
		memcpy(dst->addr, l->ip4.dst, 4);
		return true;
	}
	if (l->kind == NP_L_IP6 && l->ip6.got >= 40) {
		src->ver = dst->ver = 6;
		memcpy(src->addr, l->ip6.src, 16);
		memcpy(dst->addr, l->ip6.dst, 16);
		return true;
	}
	return false;
}

static void ip_layer(struct np_stats *s, const struct np_endpoint *src,
		     const struct np_endpoint *dst, uint32_t len, uint32_t iplen, int64_t ts)
{
	if (s->o.tables & NP_ST_ENDPOINTS) {
		endpoint_count(s, src, 0, len);
		endpoint_count(s, dst, 1, len);
	}
	if (!(s->o.conv & NP_SC_IP))
		return;
	struct np_stats_conv *c = conv_row(s, NP_L_IP4, 0, src, dst, 0, ts);
	if (c)
		conv_count(c, src, len, iplen, ts);
}

/* The bytes of IP layer `l`, by its length field (IPv6: with the fixed header). */
static uint32_t ip_bytes(const struct np_pkt_layer *l)
{
	return l->kind == NP_L_IP4 ? l->ip4.tot_len : (uint32_t)l->ip6.plen + 40;
}

/* A UDP or untracked TCP layer at index i, under the IP layer `ip` (its addresses). */
static void port_layer(struct np_stats *s, const struct np_packet *p, unsigned i,
		       struct np_endpoint src, struct np_endpoint dst, uint32_t iplen, int64_t ts)
{
	const struct np_pkt_layer *l = &p->layer[i];
	bool udp = l->kind == NP_L_UDP;
	if (udp ? l->udp.got < 8 : l->tcp.got < 20)
		return;
	src.port = udp ? l->udp.sport : l->tcp.sport;
	dst.port = udp ? l->udp.dport : l->tcp.dport;
	/* Only the innermost transport is inside every tunnel p->tunnel names. */
	uint64_t tunnel = i + 1u == p->xport_at ? p->tunnel : 0;
	struct np_stats_conv *c = conv_row(s, l->kind, 0, &src, &dst, tunnel, ts);
	if (c)
		conv_count(c, &src, p->frame->len, iplen, ts);
}

/* A segment the tracker followed: its conversation by the tracker's number. */
static void tracked_segment(struct np_stats *s, const struct np_packet *p,
			    const struct np_pkt_track *trk, struct np_endpoint src,
			    struct np_endpoint dst, uint32_t iplen, int64_t ts)
{
	const struct np_tcp *tcp = np_pkt_tcp(p);
	src.port = tcp->sport;
	dst.port = tcp->dport;
	struct np_stats_conv *c = conv_row(s, NP_L_TCP, trk->conv, &src, &dst, p->tunnel, ts);
	if (!c)
		return;
	if (!c->tracked) { /* A is the sender of its first segment */
		c->tracked = true;
		c->a_side = (uint8_t)trk->from;
	}
	conv_count(c, &src, p->frame->len, iplen, ts);
	c->st[0] = trk->state[c->a_side];
	c->st[1] = trk->state[1 - c->a_side];
	if (trk->analysis & NP_STATS_RETRANS)
		c->retrans++;
}

void np_stats_conversations(struct np_stats *s, const struct np_packet *p,
			    const struct np_pkt_track *trk, int64_t ts)
{
	struct np_endpoint src = { 0 }, dst = { 0 };
	bool have_ip = false;
	uint32_t len = p->frame->len, iplen = 0;
	for (unsigned i = 0; i < p->nlayers; i++) {
		const struct np_pkt_layer *l = &p->layer[i];
		switch (l->kind) {
		case NP_L_IP4:
		case NP_L_IP6:
			have_ip = ip_pair(l, &src, &dst);
			iplen = have_ip ? ip_bytes(l) : 0;
			if (have_ip)
				ip_layer(s, &src, &dst, len, iplen, ts);
			break;
		case NP_L_UDP:
			if (have_ip && (s->o.conv & NP_SC_UDP))
				port_layer(s, p, i, src, dst, iplen, ts);
			break;
		case NP_L_TCP:
			if (!have_ip || !(s->o.conv & NP_SC_TCP))
				break;
			if (trk && trk->tcp && i + 1u == p->xport_at)
				tracked_segment(s, p, trk, src, dst, iplen, ts);
			else
				port_layer(s, p, i, src, dst, iplen, ts);
			break;
		default:
			break;
		}
	}
}

/* What a tracker event says of its TCP conversation: the handshake's time, how it ended. */
void np_stats_conv_event(struct np_stats *s, const struct np_event *ev)
{
	if (!ev->conv || !(s->o.conv & NP_SC_TCP))
		return;
	struct np_stats_conv *c = tcp_row(s, ev->conv);
	if (!c)
		return;
	switch (ev->kind) {
	case NP_EV_HANDSHAKE:
		c->hs_ms = ev->hs.syn_synack_ms + ev->hs.synack_ack_ms;
		c->end = "open";
		break;
	case NP_EV_TEARDOWN: c->end = "closed"; break;
	case NP_EV_RESET: c->end = "reset"; break;
	case NP_EV_REFUSED: c->end = "refused"; break;
	case NP_EV_SYN_UNANSWERED: c->end = "no answer"; break;
	default: break;
	}
}

/* How a TCP conversation stands at the end, in a word: what the tracker's events said, else
 * from its states (a capture that started mid-stream has no handshake event). */
const char *np_stats_conv_state(const struct np_stats_conv *c)
{
	if (c->proto != NP_L_TCP)
		return "";
	if (!c->tracked)
		return "-";
	if (c->end)
		return c->end;
	enum np_tcp_state a = c->st[0], b = c->st[1];
	if (a == NP_ST_ESTABLISHED || b == NP_ST_ESTABLISHED)
		return a == b ? "open" : "half-closed";
	if (a == NP_ST_SYN_SENT || b == NP_ST_SYN_SENT)
		return "syn sent";
	if (a == NP_ST_CLOSED && b == NP_ST_CLOSED)
		return "closed";
	return "closing";
}
