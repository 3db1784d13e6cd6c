/* synflood.c - SYN-flood detection per destination (address, port): SYN rate, half-open count
 * (SYNs whose handshake did not complete), distinct sources and the target's SYN/ACK and RST
 * replies over a sliding window of one-second buckets. A target is an address and port in its
 * tunnels (the conversations' key, track.h): the same inner address in two VNIs is two hosts. Distinct sources are counted with a small
 * HyperLogLog sketch per bucket (Flajolet et al. 2007), so a flood from millions of spoofed
 * addresses costs the same memory as one from ten. Targets live in a fixed-size LRU table. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "siphash.h"
#include "track_int.h"
#include "netprobe/hot.h"

#define HLL_BITS 8
#define HLL_REGS (1u << HLL_BITS)
#define MAX_WINDOW 16
#define MAX_ACTIVE 64
#define UPDATE_EVERY_US 1000000

struct bucket {
	int64_t sec;
	int64_t first_syn_us;  /* first SYN of this second, 0 if none */
	uint32_t syns, synacks, rsts, completed;
	uint8_t hll[HLL_REGS];
};

struct target {
	struct np_endpoint ep;
	struct np_tunnel_ref tun;
	struct bucket b[MAX_WINDOW];
	bool active;
	int64_t start_us, last_update_us, below_since_us, last_syn_us;
	uint64_t syns, synacks, rsts, suppressed;
	double peak;
};

struct np_flood {
	struct np_track_opts o;
	struct np_lru lru;
	struct target *targets;
	uint32_t active[MAX_ACTIVE];
	uint32_t nactive;
	uint64_t episodes;
	int64_t last_check_us;
	bool resume;           /* the last look stopped at a full out-array (np_flood_advance) */
};

static void target_key(const struct np_endpoint *ep, uint64_t tunnel, uint8_t key[NP_LRU_KEY])
{
	memset(key, 0, NP_LRU_KEY);
	key[0] = ep->ver;
	memcpy(key + 1, ep->addr, 16);
	key[17] = (uint8_t)(ep->port >> 8);
	key[18] = (uint8_t)ep->port;
	memcpy(key + 19, &tunnel, sizeof tunnel);
}

struct np_flood *np_flood_new(const struct np_track_opts *o)
{
	struct np_flood *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->o = *o;
	if (f->o.flood_window_s < 1)
		f->o.flood_window_s = 1;
	if (f->o.flood_window_s > MAX_WINDOW)
		f->o.flood_window_s = MAX_WINDOW;
	f->targets = calloc(o->max_targets, sizeof *f->targets);
	if (!f->targets || np_lru_init(&f->lru, o->max_targets) < 0) {
		np_flood_free(f);
		return NULL;
	}
	return f;
}

void np_flood_free(struct np_flood *f)
{
	if (!f)
		return;
	np_lru_free(&f->lru);
	free(f->targets);
	free(f);
}

uint64_t np_flood_episodes(const struct np_flood *f)
{
	return f->episodes;
}

/* The bucket for second `sec`, recycled if it held an older second. */
static struct bucket *bucket_at(struct np_flood *f, struct target *t, int64_t sec)
{
	struct bucket *b = &t->b[(uint64_t)sec % f->o.flood_window_s];
	if (b->sec != sec) {
		memset(b, 0, sizeof *b);
		b->sec = sec;
	}
	return b;
}

struct window {
	uint64_t syns, synacks, rsts, completed;
	int64_t first_syn_us;  /* earliest SYN in the window, 0 if none */
};

/* SYNs per second over the part of the window that saw SYNs (at least one second, so that a
 * short burst is not taken for a huge rate): a flood that began 1.2 s ago is measured over
 * 1.2 s, not diluted over the whole window. */
static double window_rate(const struct window *w, int64_t now)
{
	if (!w->syns)
		return 0;
	double span = (double)(now - w->first_syn_us) / 1e6;
	return (double)w->syns / (span < 1.0 ? 1.0 : span);
}

static double hll_estimate(const uint8_t *regs)
{
	double sum = 0;
	unsigned zeros = 0;
	for (unsigned i = 0; i < HLL_REGS; i++) {
		sum += ldexp(1.0, -regs[i]);
		zeros += regs[i] == 0;
	}
	double m = HLL_REGS;
	double e = 0.7213 / (1 + 1.079 / m) * m * m / sum;
	if (e <= 2.5 * m && zeros)
		e = m * log(m / zeros); /* linear counting for small cardinalities */
	return e;
}

static bool in_window(const struct np_flood *f, const struct bucket *b, int64_t now)
{
	int64_t sec = now / 1000000;
	return b->sec > sec - (int64_t)f->o.flood_window_s && b->sec <= sec;
}

/* Counts over the window: cheap, done for every SYN. */
static struct window window_of(const struct np_flood *f, const struct target *t, int64_t now)
{
	struct window w = { 0 };
	for (unsigned i = 0; i < f->o.flood_window_s; i++) {
		const struct bucket *b = &t->b[i];
		if (!in_window(f, b, now))
			continue;
		w.syns += b->syns;
		w.synacks += b->synacks;
		w.rsts += b->rsts;
		w.completed += b->completed;
		if (b->first_syn_us && (!w.first_syn_us || b->first_syn_us < w.first_syn_us))
			w.first_syn_us = b->first_syn_us;
	}
	return w;
}

/* Distinct sources over the window: the union of the buckets' sketches, only for events. */
static double window_sources(const struct np_flood *f, const struct target *t, int64_t now)
{
	uint8_t regs[HLL_REGS] = { 0 };
	for (unsigned i = 0; i < f->o.flood_window_s; i++) {
		const struct bucket *b = &t->b[i];
		if (!in_window(f, b, now))
			continue;
		for (unsigned r = 0; r < HLL_REGS; r++)
			if (b->hll[r] > regs[r])
				regs[r] = b->hll[r];
	}
	return hll_estimate(regs);
}

/* When a flood began: the first SYN of the window's earliest second at a flood's pace, so that
 * calm SYNs in the seconds before the flood do not date its start. */
static int64_t flood_began(const struct np_flood *f, const struct target *t, int64_t now)
{
	int64_t first = now;
	for (unsigned i = 0; i < f->o.flood_window_s; i++) {
		const struct bucket *b = &t->b[i];
		if (in_window(f, b, now) && 2 * (uint64_t)b->syns >= f->o.flood_rate &&
		    b->first_syn_us && b->first_syn_us < first)
			first = b->first_syn_us;
	}
	return first;
}

/* The sketch's hash has a fixed, public key, apart from the tables' secret one: the source
 * estimate is printed, so it must be the same on every replay of a capture, and a printed
 * number derived from the secret key would leak bits of it. The price: a flood crafted against
 * this key can make the estimate say what it likes (sources whose hashes land in one register
 * read as one; a few with long runs of zeros read as millions). The estimate decides nothing
 * (episodes start and end on the SYN rate and half-open count) and costs the same whatever the
 * sources (one hash and one register per SYN), and it is never above the SYNs counted. */
#define HLL_SEED (0x6e657470726f6265ULL ^ 0x5eed)

static void hll_add(struct bucket *b, const struct np_endpoint *src)
{
	uint64_t h = np_hash_bytes(src->addr, src->ver == 4 ? 4 : 16, HLL_SEED);
	unsigned idx = (unsigned)(h >> (64 - HLL_BITS));
	uint64_t rest = (h << HLL_BITS) | (1ull << (HLL_BITS - 1)); /* sentinel bounds the rank */
	uint8_t rank = (uint8_t)(__builtin_clzll(rest) + 1);
	if (rank > b->hll[idx])
		b->hll[idx] = rank;
}

static struct target *find_target(struct np_flood *f, const struct np_endpoint *ep,
				  const struct np_tunnel_ref *tun, bool create)
{
	uint8_t key[NP_LRU_KEY];
	target_key(ep, tun->key, key);
	uint64_t h = np_siphash24(f->o.hash_key, key, sizeof key);
	uint32_t s = np_lru_find(&f->lru, key, h);
	if (s != NP_LRU_NONE) {
		np_lru_touch(&f->lru, s, 0);
		return &f->targets[s];
	}
	if (!create)
		return NULL;
	if (np_lru_chain_full(&f->lru, h)) {
		/* A full hash chain (lru.h): recycle its oldest target not under attack. */
		uint32_t victim = NP_LRU_NONE;
		for (s = np_lru_chain_first(&f->lru, h); s != NP_LRU_NONE; s = np_lru_chain_next(&f->lru, s))
			if (!f->targets[s].active)
				victim = s;
		if (victim == NP_LRU_NONE)
			return NULL;
		np_lru_remove(&f->lru, victim);
	}
	if (f->lru.count == f->lru.cap) {
		/* Recycle the least recently seen target that is not under attack. */
		uint32_t victim = f->lru.lists[0].tail;
		for (int tries = 0; victim != NP_LRU_NONE && f->targets[victim].active && tries < 8; tries++)
			victim = f->lru.nodes[victim].prev;
		if (victim == NP_LRU_NONE || f->targets[victim].active)
			return NULL;
		np_lru_remove(&f->lru, victim);
	}
	s = np_lru_insert(&f->lru, key, h, 0);
	struct target *t = &f->targets[s];
	memset(t, 0, sizeof *t);
	t->ep = *ep;
	t->tun = *tun;
	return t;
}

static void flood_event(struct np_flood *f, struct target *t, enum np_flood_phase phase,
			int64_t now, uint64_t n, struct np_track_events *out)
{
	struct window w = window_of(f, t, now);
	struct np_event ev;
	memset(&ev, 0, sizeof ev);
	ev.kind = NP_EV_SYN_FLOOD;
	ev.n = n;
	np_event_time(&ev, now);
	ev.server = t->ep;
	ev.flood.phase = phase;
	ev.flood.target = t->ep;
	ev.flood.tunnel = t->tun;
	ev.flood.syn_rate = window_rate(&w, now);
	ev.flood.half_open = w.syns > w.completed ? w.syns - w.completed : 0;
	ev.flood.sources = (uint64_t)llround(window_sources(f, t, now));
	if (ev.flood.sources > w.syns) /* more sources than SYNs: a crafted or tiny sample */
		ev.flood.sources = w.syns;
	ev.flood.syns = t->syns;
	ev.flood.synacks = t->synacks;
	ev.flood.rsts = t->rsts;
	ev.flood.peak_rate = t->peak;
	ev.flood.duration_s = (double)(now - t->start_us) / 1e6;
	ev.flood.suppressed = t->suppressed;
	np_track_push(out, &ev);
}

static void remove_active(struct np_flood *f, uint32_t i)
{
	f->active[i] = f->active[--f->nactive];
}

NP_HOT void np_flood_segment(struct np_flood *f, const struct np_endpoint *src,
		      const struct np_endpoint *dst, const struct np_tunnel_ref *tun, uint16_t flags,
		      uint64_t n, int64_t now, struct np_track_events *out)
{
	bool syn = flags & NP_TCP_SYN, ack = flags & NP_TCP_ACK, rst = flags & NP_TCP_RST;
	if (syn && !ack && !rst) {
		struct target *t = find_target(f, dst, tun, true);
		if (!t)
			return;
		struct bucket *b = bucket_at(f, t, now / 1000000);
		if (!b->syns++)
			b->first_syn_us = now;
		hll_add(b, src);
		/* Only a SYN sent at a flood's pace (its second holds at least the end rate) can be
		 * the flood's last: calm SYNs after the flood must not stretch the episode. */
		if (2 * (uint64_t)b->syns >= f->o.flood_rate)
			t->last_syn_us = now;
		if (t->active)
			t->syns++;
		struct window w = window_of(f, t, now);
		double rate = window_rate(&w, now);
		uint64_t half_open = w.syns > w.completed ? w.syns - w.completed : 0;
		if (t->active) {
			if (rate > t->peak)
				t->peak = rate;
			if (now - t->last_update_us >= UPDATE_EVERY_US) {
				t->last_update_us = now;
				flood_event(f, t, NP_FLOOD_UPDATE, now, n, out);
			}
		} else if (rate >= f->o.flood_rate && half_open >= f->o.flood_half_open &&
			   f->nactive < MAX_ACTIVE) {
			t->active = true;
			/* Dated from its first SYN at a flood's pace, not from when it was noticed. */
			t->start_us = flood_began(f, t, now);
			t->last_update_us = t->last_syn_us = now;
			t->below_since_us = 0;
			t->syns = w.syns;
			t->synacks = w.synacks;
			t->rsts = w.rsts;
			t->suppressed = 0;
			t->peak = rate;
			f->active[f->nactive++] = (uint32_t)(t - f->targets);
			f->episodes++;
			flood_event(f, t, NP_FLOOD_START, now, n, out);
		}
		return;
	}
	/* Replies from a target: SYN/ACK (it answered) or RST (nothing listens). */
	if ((syn && ack) || rst) {
		struct target *t = find_target(f, src, tun, false);
		if (!t)
			return;
		struct bucket *b = bucket_at(f, t, now / 1000000);
		if (rst) {
			b->rsts++;
			t->rsts += t->active;
		} else {
			b->synacks++;
			t->synacks += t->active;
		}
	}
}

void np_flood_completed(struct np_flood *f, const struct np_endpoint *server,
			const struct np_tunnel_ref *tun, int64_t now)
{
	struct target *t = find_target(f, server, tun, false);
	if (t)
		bucket_at(f, t, now / 1000000)->completed++;
}

bool np_flood_suppress(struct np_flood *f, const struct np_endpoint *server,
		       const struct np_tunnel_ref *tun)
{
	for (uint32_t i = 0; i < f->nactive; i++) {
		struct target *t = &f->targets[f->active[i]];
		if (t->ep.ver == server->ver && t->ep.port == server->port && t->tun.key == tun->key &&
		    memcmp(t->ep.addr, server->addr, 16) == 0) {
			t->suppressed++;
			return true;
		}
	}
	return false;
}

NP_HOT bool np_flood_advance(struct np_flood *f, int64_t now, bool final, uint64_t n,
		      struct np_track_events *out)
{
	/* Called for every packet: look at the episodes ten times a second (or go on where a
	 * full out-array stopped the last look). */
	if (!final && !f->resume && now - f->last_check_us < 100000)
		return false;
	f->last_check_us = now;
	f->resume = false;
	for (uint32_t i = 0; i < f->nactive;) {
		if (!np_track_room(out, 1)) {
			f->resume = true;
			return true;
		}
		struct target *t = &f->targets[f->active[i]];
		struct window w = window_of(f, t, now);
		double rate = window_rate(&w, now);
		/* Hysteresis: an episode ends after a whole window below half the start rate. */
		if (rate < f->o.flood_rate / 2.0) {
			if (!t->below_since_us)
				t->below_since_us = now;
		} else {
			t->below_since_us = 0;
		}
		bool over = t->below_since_us &&
			    now - t->below_since_us >= (int64_t)f->o.flood_window_s * 1000000;
		if (final || over) {
			/* The episode ended when the SYNs stopped, not when we noticed. */
			int64_t end = final ? now : t->last_syn_us;
			t->active = false;
			flood_event(f, t, NP_FLOOD_END, end > t->start_us ? end : now, n, out);
			remove_active(f, i);
			continue;
		}
		i++;
	}
	return false;
}
