/* reasm.c - TCP stream reassembly as a passive observer (RFC 9293 s3.4, RFC 1982 arithmetic):
 * per direction, the bytes before `next_off` are delivered (as data or as a gap); later ones
 * wait in a sorted list of disjoint nodes. An overlapping copy is compared with the first copy
 * (still waiting, or delivered and still in the history ring) and the first is kept, as Linux
 * does and as Wireshark and Suricata's default "linux"/"first" policy document. */
#include "netprobe/reasm.h"

#include <stdlib.h>
#include <string.h>

#include "netprobe/packet.h"

/* Out-of-order bytes waiting for the bytes before them. */
struct node {
	struct node *next;
	uint64_t off;
	uint32_t len;
	uint8_t data[];
};

struct rdir {
	bool started;          /* the stream's first byte is known */
	uint32_t next_seq;     /* the sequence number of next_off */
	uint64_t next_off;     /* everything before it was delivered, as data or as a gap */
	uint64_t max_end;      /* the end of the furthest byte known to have been sent */
	uint64_t delivered;
	uint64_t lim_lo, lim_hi; /* the last range a cap gave up (a NP_GAP_LIMIT gap) */
	struct node *head, *tail; /* tail: out-of-order bytes mostly come after all the others */
	uint64_t pending;
	uint8_t *hist;         /* ring: byte at offset o is hist[o & (hcap - 1)] */
	uint32_t hcap;
	uint32_t nodes;        /* waiting, at most the waiting-pieces cap */
	uint64_t hlen;         /* valid bytes of history: [next_off - hlen, next_off) */
};

struct np_rconv {
	struct rdir d[2];
	size_t mem;            /* nodes and history of both directions */
};

struct np_reasm {
	struct np_reasm_opts o;
	struct np_reasm_stats st;
};

/* What one delivery call needs besides the direction. */
struct ctx {
	struct np_reasm *r;
	struct np_rconv *c;
	struct rdir *d;
	int dir;
	np_reasm_sink sink;
	void *arg;
};

#define MAX_AHEAD (UINT64_C(1) << 30)
/* What a waiting node or a conversation's state costs against the caps: its bytes plus malloc's
 * header (16 bytes on 64-bit glibc), so that many tiny out-of-order segments cannot hold twice
 * the cap in the allocator. */
#define MALLOC_HDR 16u
#define NODE_COST(n) (sizeof(struct node) + MALLOC_HDR + (n))
#define CONV_COST (sizeof(struct np_rconv) + MALLOC_HDR)
#define HIST_MIN 256u

void np_reasm_defaults(struct np_reasm_opts *o)
{
	o->conv_mem = NP_REASM_CONV_MEM_DEFAULT;
	o->total_mem = NP_REASM_TOTAL_MEM_DEFAULT;
	o->history = NP_REASM_HISTORY_DEFAULT;
	o->waiting = NP_REASM_WAITING_DEFAULT;
}

static size_t pow2_at_least(size_t n)
{
	size_t p = 1;
	while (p < n && p < ((size_t)1 << 30))
		p <<= 1;
	return p;
}

struct np_reasm *np_reasm_new(const struct np_reasm_opts *o)
{
	struct np_reasm *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->o = *o;
	if (r->o.history)
		r->o.history = pow2_at_least(r->o.history);
	if (!r->o.waiting)
		r->o.waiting = NP_REASM_WAITING_DEFAULT;
	return r;
}

void np_reasm_free(struct np_reasm *r)
{
	free(r);
}

static bool fits(const struct np_reasm *r, const struct np_rconv *c, size_t n)
{
	return c->mem + n <= r->o.conv_mem && r->st.mem + n <= r->o.total_mem;
}

static void charge(struct np_reasm *r, struct np_rconv *c, size_t n)
{
	c->mem += n;
	r->st.mem += n;
	if (r->st.mem > r->st.mem_peak)
		r->st.mem_peak = r->st.mem;
}

static void uncharge(struct np_reasm *r, struct np_rconv *c, size_t n)
{
	c->mem -= n;
	r->st.mem -= n;
}

struct np_rconv *np_reasm_conv_new(struct np_reasm *r)
{
	if (r->st.mem + CONV_COST > r->o.total_mem)
		return NULL;
	struct np_rconv *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	r->st.mem += CONV_COST;
	if (r->st.mem > r->st.mem_peak)
		r->st.mem_peak = r->st.mem;
	r->st.convs++;
	return c;
}

void np_reasm_conv_free(struct np_reasm *r, struct np_rconv *c)
{
	if (!c)
		return;
	for (int i = 0; i < 2; i++) {
		struct rdir *d = &c->d[i];
		for (struct node *n = d->head, *nx; n; n = nx) {
			nx = n->next;
			free(n);
		}
		free(d->hist);
	}
	r->st.mem -= c->mem + CONV_COST;
	free(c);
}

uint64_t np_reasm_delivered(const struct np_rconv *c, int dir)
{
	return c->d[dir & 1].delivered;
}

uint64_t np_reasm_pending(const struct np_rconv *c, int dir)
{
	return c->d[dir & 1].pending;
}

void np_reasm_stats(const struct np_reasm *r, struct np_reasm_stats *s)
{
	*s = r->st;
}

/* The offset of sequence number seq, relative to the next byte (RFC 1982: within 2^31). */
static int64_t rel(const struct rdir *d, uint32_t seq)
{
	return (int64_t)d->next_off + (int32_t)(seq - d->next_seq);
}

static void emit(const struct ctx *x, enum np_rchunk_kind k, uint64_t off, uint32_t len,
		 const uint8_t *data, enum np_gap_why why)
{
	struct np_rchunk ch = { k, x->dir, off, len, data, why };
	if (x->sink)
		x->sink(x->arg, &ch);
}

/* The history ring grows (powers of two, up to the option) while the caps allow. */
static void hist_grow(const struct ctx *x, uint64_t want)
{
	struct rdir *d = x->d;
	size_t cap = pow2_at_least(want < HIST_MIN ? HIST_MIN : (size_t)want);
	if (cap > x->r->o.history)
		cap = x->r->o.history;
	if (cap <= d->hcap)
		return;
	size_t add = cap - d->hcap + (d->hcap ? 0 : MALLOC_HDR);
	uint8_t *h = fits(x->r, x->c, add) ? malloc(cap) : NULL;
	if (!h) {
		x->r->st.history_skipped++;
		return;
	}
	for (uint64_t o = d->next_off - d->hlen; o < d->next_off; o++)
		h[o & (cap - 1)] = d->hist[o & (d->hcap - 1)];
	free(d->hist);
	charge(x->r, x->c, add);
	d->hist = h;
	d->hcap = (uint32_t)cap;
}

static void deliver(const struct ctx *x, const uint8_t *data, uint32_t n)
{
	struct rdir *d = x->d;
	emit(x, NP_RC_DATA, d->next_off, n, data, NP_GAP_MISSING);
	if (d->hcap < x->r->o.history && d->hlen + n > d->hcap)
		hist_grow(x, d->hlen + n);
	if (d->hcap) {
		uint32_t keep = n < d->hcap ? n : d->hcap;
		uint32_t at = (uint32_t)((d->next_off + n - keep) & (d->hcap - 1));
		uint32_t first = d->hcap - at < keep ? d->hcap - at : keep;
		memcpy(d->hist + at, data + n - keep, first); /* the ring's end, then its start */
		memcpy(d->hist, data + n - keep + first, keep - first);
		d->hlen = d->hlen + n < d->hcap ? d->hlen + n : d->hcap;
	}
	d->next_off += n;
	d->next_seq += n;
	d->delivered += n;
	x->r->st.delivered += n;
}

/* Bytes up to `target` will never be delivered as data: one gap. */
static void gap_to(const struct ctx *x, uint64_t target, enum np_gap_why why)
{
	struct rdir *d = x->d;
	if (target <= d->next_off)
		return;
	uint64_t len = target - d->next_off;
	emit(x, NP_RC_GAP, d->next_off, (uint32_t)len, NULL, why);
	x->r->st.gaps++;
	x->r->st.gap_bytes += len;
	if (why == NP_GAP_CUT)
		x->r->st.cut_bytes += len;
	if (why == NP_GAP_LIMIT) {
		x->r->st.forced_gaps++;
		x->r->st.forced_gap_bytes += len;
		d->lim_lo = d->next_off;
		d->lim_hi = target;
	}
	d->hlen = 0; /* the history holds contiguous bytes only */
	d->next_off = target;
	d->next_seq += (uint32_t)len;
}

/* Deliver the waiting nodes that start at (or before) the next byte. */
static void drain(const struct ctx *x)
{
	struct rdir *d = x->d;
	struct node *n;
	while ((n = d->head) && n->off <= d->next_off) {
		uint64_t skip = d->next_off - n->off;
		if (skip < n->len)
			deliver(x, n->data + skip, (uint32_t)(n->len - skip));
		d->head = n->next;
		if (!d->head)
			d->tail = NULL;
		d->nodes--;
		d->pending -= n->len;
		uncharge(x->r, x->c, NODE_COST(n->len));
		free(n);
	}
}

/* A conflict over [off, off+len) if `a` and `b` differ there: the span from the first to the
 * last differing byte. */
static void compare(const struct ctx *x, uint64_t off, const uint8_t *first, const uint8_t *later,
		    uint32_t len)
{
	uint32_t lo = 0, hi = len;
	while (lo < len && first[lo] == later[lo])
		lo++;
	if (lo == len)
		return;
	while (hi > lo && first[hi - 1] == later[hi - 1])
		hi--;
	x->r->st.conflicts++;
	x->r->st.conflict_bytes += hi - lo;
	emit(x, NP_RC_CONFLICT, off + lo, hi - lo, later + lo, NP_GAP_MISSING);
}

/* Bytes [off, off+n) that were delivered already (or given up): a copy. Compared with the
 * history where it still holds them. */
static void old_bytes(const struct ctx *x, uint64_t off, const uint8_t *data, uint32_t n)
{
	struct rdir *d = x->d;
	struct np_reasm_stats *st = &x->r->st;
	uint64_t hist_lo = d->next_off - d->hlen;
	uint8_t first[256];
	while (n) {
		uint32_t k = n;
		if (off >= d->lim_lo && off < d->lim_hi) { /* given up for a cap: came too late */
			k = (uint32_t)(d->lim_hi - off < n ? d->lim_hi - off : n);
			st->late_bytes += k;
		} else if (off < hist_lo) {
			uint64_t until = d->lim_lo > off && d->lim_lo < hist_lo ? d->lim_lo : hist_lo;
			k = (uint32_t)(until - off < n ? until - off : n);
			st->retrans_bytes += k;
			st->unverified_bytes += k;
		} else {
			k = n < sizeof first ? n : (uint32_t)sizeof first;
			for (uint32_t i = 0; i < k; i++)
				first[i] = d->hist[(off + i) & (d->hcap - 1)];
			st->retrans_bytes += k;
			compare(x, off, first, data, k);
		}
		off += k;
		data += k;
		n -= k;
	}
}

static struct node *node_new(const struct ctx *x, uint64_t off, const uint8_t *data, uint32_t n)
{
	struct node *nd = malloc(sizeof *nd + n);
	if (!nd)
		return NULL;
	nd->off = off;
	nd->len = n;
	memcpy(nd->data, data, n);
	x->d->pending += n;
	x->d->nodes++;
	charge(x->r, x->c, NODE_COST(n));
	return nd;
}

/* Whether off is past every waiting byte: the common case, placed without a walk. */
static bool after_tail(const struct rdir *d, uint64_t off)
{
	return d->tail && off >= d->tail->off + d->tail->len;
}

/* Where [off, off+n) goes: the link to the first node that ends after off; and in *k the
 * nodes it overlaps (each can leave a hole to fill: one node more each). One walk, bounded by
 * the waiting-pieces cap; none when off is after every waiting byte. */
static struct node **place(const struct ctx *x, uint64_t off, uint32_t n, size_t *k)
{
	struct rdir *d = x->d;
	*k = 0;
	if (after_tail(d, off))
		return &d->tail->next;
	struct node **link = &d->head;
	for (struct node *nd = d->head; nd && nd->off < off + n; nd = nd->next) {
		x->r->st.ooo_steps++;
		if (nd->off + nd->len <= off)
			link = &nd->next;
		else
			++*k;
	}
	return link;
}

/* Keep [off, off+n) (after the next byte) in the list from `link` (place()'s): the holes it
 * fills become nodes, its overlaps with waiting nodes are compared (the first copy stays). Room
 * was made. */
static void insert(const struct ctx *x, struct node **link, uint64_t off, const uint8_t *data,
		   uint32_t n)
{
	struct rdir *d = x->d;
	while (n) {
		while (*link && (*link)->off + (*link)->len <= off) {
			link = &(*link)->next;
			x->r->st.ooo_steps++;
		}
		struct node *at = *link;
		if (!at || at->off > off) {
			uint32_t k = !at || at->off >= off + n ? n : (uint32_t)(at->off - off);
			struct node *nd = node_new(x, off, data, k);
			if (!nd)
				return; /* malloc failed: the rest becomes a gap at the close */
			nd->next = at;
			*link = nd;
			link = &nd->next;
			if (!at)
				d->tail = nd;
			off += k;
			data += k;
			n -= k;
			continue;
		}
		uint64_t end = at->off + at->len < off + n ? at->off + at->len : off + n;
		uint32_t k = (uint32_t)(end - off);
		x->r->st.retrans_bytes += k;
		compare(x, off, at->data + (off - at->off), data, k);
		off += k;
		data += k;
		n -= k;
	}
}

/* Where [off, off+n) can wait within the caps (NULL: nowhere, a hole must be given up): its
 * bytes, and a node for each hole it fills (one more than the nodes it overlaps). At the
 * waiting-pieces cap, known without a walk. */
static struct node **room(const struct ctx *x, uint64_t off, uint32_t n)
{
	size_t k;
	if (!fits(x->r, x->c, n + NODE_COST(0)))
		return NULL;
	if (x->d->nodes < x->r->o.waiting) {
		struct node **link = place(x, off, n, &k);
		if (!fits(x->r, x->c, n + NODE_COST(0) * (1 + k)))
			return NULL;
		if (x->d->nodes + 1 + k <= x->r->o.waiting)
			return link;
	}
	x->r->st.waiting_capped++; /* the hole given up next is this cap's doing */
	return NULL;
}

/* Captured bytes [off, off+n) of a segment. */
static void add(const struct ctx *x, int64_t soff, const uint8_t *data, uint32_t n)
{
	struct rdir *d = x->d;
	struct node **link;
	if (soff < 0) { /* before the first byte of a stream joined mid-way */
		uint32_t k = (uint64_t)-soff < n ? (uint32_t)-soff : n;
		x->r->st.before_start += k;
		soff += k;
		data += k;
		n -= k;
	}
	uint64_t off = (uint64_t)soff;
	while (n) {
		if (off < d->next_off) {
			uint32_t k = d->next_off - off < n ? (uint32_t)(d->next_off - off) : n;
			old_bytes(x, off, data, k);
			off += k, data += k, n -= k;
		} else if (off == d->next_off) {
			uint32_t k = d->head && d->head->off - off < n ? (uint32_t)(d->head->off - off) : n;
			if (k)
				deliver(x, data, k);
			off += k, data += k, n -= k;
			drain(x);
		} else if ((link = room(x, off, n))) {
			insert(x, link, off, data, n);
			return;
		} else if (!d->head || d->head->off >= off) {
			gap_to(x, off, NP_GAP_LIMIT); /* a cap: give up the hole before these bytes */
		} else {
			gap_to(x, d->head->off, NP_GAP_LIMIT); /* ...or before the first waiting */
			drain(x);
		}
	}
}

static void start(struct rdir *d, uint32_t seq)
{
	d->started = true;
	d->next_seq = seq;
}

/* The peer's SACK blocks: those bytes of ours were sent (RFC 2018), captured or not. */
static void sack_seen(struct rdir *d, const struct np_rseg *s)
{
	if (!d->started)
		return;
	for (unsigned i = 0; i < s->nsack && i < 4; i++) {
		int64_t right = rel(d, s->sack[i][1]);
		if (right > 0 && (uint64_t)right <= d->next_off + MAX_AHEAD &&
		    (uint64_t)right > d->max_end)
			d->max_end = (uint64_t)right;
	}
}

void np_reasm_segment(struct np_reasm *r, struct np_rconv *c, int dir, const struct np_rseg *s,
		      np_reasm_sink sink, void *arg)
{
	struct rdir *d = &c->d[dir & 1];
	struct ctx x = { r, c, d, dir & 1, sink, arg };
	r->st.segments++;
	sack_seen(&c->d[!(dir & 1)], s);
	uint32_t seq = s->seq;
	if (s->flags & NP_TCP_SYN)
		seq++; /* the SYN takes one number; data in a SYN (RFC 7413) follows it */
	if (!d->started)
		start(d, seq);
	int64_t off = rel(d, seq);
	if (off > (int64_t)(d->next_off + MAX_AHEAD)) {
		r->st.implausible++;
		return;
	}
	/* A keep-alive (RFC 9293 s3.8.4): seq = next - 1, with no byte or one garbage byte. */
	if (s->len <= 1 && d->next_off > 0 && off == (int64_t)d->next_off - 1 &&
	    !(s->flags & (NP_TCP_SYN | NP_TCP_FIN | NP_TCP_RST))) {
		r->st.keepalives++;
		return;
	}
	if (!s->len)
		return; /* a pure ACK's or FIN's number is no byte sent (after a FIN: one past) */
	int64_t end = off + (int64_t)s->len;
	if (end > 0 && (uint64_t)end > d->max_end)
		d->max_end = (uint64_t)end;
	uint32_t cap = s->caplen < s->len ? s->caplen : s->len;
	add(&x, off, s->data, cap);
	if (cap < s->len && end > 0 && d->next_off == (uint64_t)(off + cap))
		gap_to(&x, (uint64_t)end, NP_GAP_CUT); /* the rest was sent, never captured */
}

void np_reasm_close(struct np_reasm *r, struct np_rconv *c, np_reasm_sink sink, void *arg)
{
	for (int i = 0; i < 2; i++) {
		struct rdir *d = &c->d[i];
		struct ctx x = { r, c, d, i, sink, arg };
		while (d->head) {
			gap_to(&x, d->head->off, NP_GAP_MISSING);
			drain(&x);
		}
		gap_to(&x, d->max_end, NP_GAP_MISSING);
	}
}
