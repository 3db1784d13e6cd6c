/* follow.c - `netprobe follow`'s conversations: TCP ones by the tracker's slot (the reassembler,
 * reasm.h, makes each direction's bytes), UDP ones by 5-tuple in a bounded table of their own
 * (datagrams in capture order); each piece of dialogue is held until its conversation ends and
 * is then printed (follow_out.c), or printed at once in stream mode (live). */
#include <stdlib.h>
#include <string.h>

#include "follow_int.h"
#include "track/conv.h"
#include "track/siphash.h"

/* What NP_FOLLOW_SLOT_BYTES promises (follow.h, the README and the man page say it): per slot, a
 * TCP conversation (tracker entry + node + bucket share, follow slot, record) and a UDP one
 * (node + bucket share, pointer, record); a bucket share is at most 4 buckets (np_lru_init: at
 * least twice the slots, a power of two); 16 bytes of malloc header per record. */
#define MALLOC_HDR 16
_Static_assert(sizeof(struct conv) + 2 * (sizeof(struct np_lru_node) + 4 * sizeof(uint32_t)) +
			       sizeof(struct fslot) + sizeof(struct fconv *) +
			       2 * (sizeof(struct fconv) + MALLOC_HDR) <=
		       NP_FOLLOW_SLOT_BYTES,
	       "the documented bookkeeping per conversation slot");

struct np_follow *np_follow_new(const struct np_follow_opts *o, FILE *out)
{
	struct np_follow *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->o = *o;
	f->out = out;
	if (!f->o.max_udp)
		f->o.max_udp = 16;
	if (!f->o.max_conv)
		f->o.max_conv = 16;
	f->r = np_reasm_new(&o->reasm);
	f->tcp = calloc(f->o.max_conv, sizeof *f->tcp);
	f->udp = calloc(f->o.max_udp, sizeof *f->udp);
	if (!f->r || !f->tcp || !f->udp || np_lru_init(&f->udp_lru, f->o.max_udp) < 0) {
		np_reasm_free(f->r);
		free(f->tcp);
		free(f->udp);
		free(f);
		return NULL;
	}
	return f;
}

static void free_chunks(struct np_follow *f, struct fconv *c)
{
	for (struct fchunk *ch = c->head, *nx; ch; ch = nx) {
		nx = ch->next;
		free(ch);
	}
	f->held -= c->held;
	c->held = 0;
	c->head = c->tail = NULL;
}

static void conv_free(struct np_follow *f, struct fconv *c)
{
	if (!c)
		return;
	free_chunks(f, c);
	np_reasm_conv_free(f->r, c->rc);
	free(c);
}

void np_follow_free(struct np_follow *f)
{
	if (!f)
		return;
	for (uint32_t i = 0; i < f->o.max_conv; i++)
		conv_free(f, f->tcp[i].fc);
	for (uint32_t i = 0; i < f->o.max_udp; i++)
		conv_free(f, f->udp[i]);
	np_lru_free(&f->udp_lru);
	np_reasm_free(f->r);
	free(f->tcp);
	free(f->udp);
	free(f->list);
	free(f);
}

static bool selected(const struct np_follow *f, bool udp, uint32_t conv)
{
	if (!f->o.nsel)
		return true;
	for (unsigned i = 0; i < f->o.nsel; i++)
		if (f->o.sel[i].udp == udp && f->o.sel[i].conv == conv)
			return true;
	return false;
}

/* Print what c holds (a part, or all of it at its end) and let the memory go. */
static void print_conv(struct np_follow *f, struct fconv *c, bool final)
{
	if (!f->o.list_only && f->o.format != NP_FOLLOW_RAW) {
		np_fo_conv(f, c, final);
		if (!final)
			f->st.parts++;
	}
	free_chunks(f, c);
	c->parts++;
}

/* Append to c's held pieces: a DATA piece right after the last one of the same direction
 * grows it (capacity doubled, so held data is copied O(1) times per byte on average). */
static void hold(struct np_follow *f, struct fconv *c, const struct fchunk *h, const uint8_t *data)
{
	struct fchunk *t = c->tail;
	if (h->kind == NP_RC_DATA && t && t->kind == NP_RC_DATA && t->dir == h->dir &&
	    t->off + t->len == h->off && (uint64_t)t->len + h->len < (1u << 30)) {
		if (t->len + h->len > t->cap) {
			uint32_t cap = t->cap * 2 > t->len + h->len ? t->cap * 2 : t->len + h->len;
			struct fchunk *n = realloc(t, sizeof *t + cap);
			if (!n)
				return;
			for (struct fchunk **at = &c->head; *at; at = &(*at)->next)
				if (*at == t) {
					*at = n;
					break;
				}
			c->held += cap - n->cap;
			f->held += cap - n->cap;
			n->cap = cap;
			c->tail = t = n;
		}
		memcpy(t->data + t->len, data, h->len);
		t->len += h->len;
	} else {
		uint32_t cap = h->kind == NP_RC_DATA ? (h->len < 256 ? 256 : h->len) : 0;
		struct fchunk *n = malloc(sizeof *n + cap);
		if (!n)
			return;
		*n = *h;
		n->next = NULL;
		n->cap = cap;
		if (h->kind != NP_RC_GAP)
			memcpy(n->data, data, h->kind == NP_RC_DATA ? h->len : 0);
		if (t)
			t->next = n;
		else
			c->head = n;
		c->tail = n;
		c->held += sizeof *n + MALLOC_HDR + cap;
		f->held += sizeof *n + MALLOC_HDR + cap;
	}
	if (f->held > f->o.buffer_mem)
		print_conv(f, c, false); /* the cap: what it holds now, as a part */
}

/* One piece of c's dialogue, from the reassembler or a datagram. */
static void take(struct np_follow *f, struct fconv *c, const struct fchunk *h, const uint8_t *data)
{
	if (h->kind == NP_RC_DATA)
		c->bytes[h->dir] += h->len;
	if (f->o.list_only)
		return;
	if (f->o.format == NP_FOLLOW_RAW) {
		if (h->dir != f->o.dir)
			return;
		if (h->kind == NP_RC_DATA)
			fwrite(data, 1, h->len, f->out);
		else if (h->kind == NP_RC_GAP)
			f->st.gap_bytes[h->dir] += h->len;
		return;
	}
	if (f->o.stream && f->o.format != NP_FOLLOW_JSON)
		np_fo_piece(f, c, h, data);
	else
		hold(f, c, h, data);
}

static void on_chunk(void *arg, const struct np_rchunk *ch)
{
	struct fconv *c = arg;
	struct fchunk h = { .kind = (uint8_t)ch->kind, .dir = (uint8_t)ch->dir,
			    .why = (uint8_t)ch->why, .off = ch->off, .len = ch->len };
	take(c->f, c, &h, ch->data);
}

/* The packet's sender and receiver (innermost IP header, transport ports). */
static void endpoints(const struct np_packet *p, uint16_t sport, uint16_t dport,
		      struct np_endpoint *src, struct np_endpoint *dst)
{
	const struct np_ipv4 *ip4 = np_pkt_ip4(p);
	const struct np_ipv6 *ip6 = np_pkt_ip6(p);
	memset(src, 0, sizeof *src);
	memset(dst, 0, sizeof *dst);
	src->ver = dst->ver = ip4 ? 4 : 6;
	memcpy(src->addr, ip4 ? ip4->src : ip6->src, ip4 ? 4 : 16);
	memcpy(dst->addr, ip4 ? ip4->dst : ip6->dst, ip4 ? 4 : 16);
	src->port = sport;
	dst->port = dport;
}

static struct fconv *conv_new(struct np_follow *f, bool udp, uint32_t id, uint64_t frame,
			      const struct np_endpoint *client, const struct np_endpoint *server)
{
	struct fconv *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->f = f;
	c->udp = udp;
	c->conv = id;
	c->first_frame = frame;
	c->ep[0] = *client;
	c->ep[1] = *server;
	return c;
}

/* The payload bytes the frame holds: at most `len`, fewer when the snaplen cut them. */
static uint32_t captured(const struct np_packet *p, uint32_t len)
{
	uint32_t have = p->frame->caplen > p->payload_off ? p->frame->caplen - p->payload_off : 0;
	return have < len ? have : len;
}

/* Room and state for a TCP conversation's first payload: the reassembler learns the ISNs
 * seen so far (the SYNs came before any payload). */
static struct fconv *tcp_conv(struct np_follow *f, struct fslot *s, const struct np_packet *p,
			      const struct np_pkt_track *info, const struct np_tcp *tcp)
{
	struct np_endpoint src, dst;
	endpoints(p, tcp->sport, tcp->dport, &src, &dst);
	bool client = info->from == NP_CLIENT;
	s->fc = conv_new(f, false, s->conv, s->first_frame, client ? &src : &dst,
			 client ? &dst : &src);
	if (!s->fc)
		return NULL;
	s->fc->rc = np_reasm_conv_new(f->r);
	if (!s->fc->rc) {
		f->st.no_state++;
		return s->fc;
	}
	for (int d = 0; d < 2; d++)
		if (s->isn_known[d]) {
			struct np_rseg syn = { .seq = s->isn[d], .flags = NP_TCP_SYN };
			np_reasm_segment(f->r, s->fc->rc, d, &syn, on_chunk, s->fc);
		}
	return s->fc;
}

static void tcp_packet(struct np_follow *f, const struct np_packet *p,
		       const struct np_pkt_track *info, const struct np_tcp *tcp)
{
	if (info->slot >= f->o.max_conv)
		return;
	struct fslot *s = &f->tcp[info->slot];
	if (s->conv != info->conv) {
		conv_free(f, s->fc); /* its end was never heard: cannot happen, kept as a guard */
		memset(s, 0, sizeof *s);
		s->conv = info->conv;
		s->first_frame = p->frame->n;
		s->tun = np_track_tunnel_of(p);
		s->selected = selected(f, false, info->conv);
		f->st.tcp_convs += s->selected;
	}
	s->st[0] = (uint8_t)info->state[0];
	s->st[1] = (uint8_t)info->state[1];
	int dir = info->from == NP_CLIENT ? 0 : 1;
	if (!s->selected || s->done)
		return;
	if ((tcp->flags & NP_TCP_SYN) && !s->isn_known[dir]) {
		s->isn_known[dir] = true;
		s->isn[dir] = tcp->seq;
	}
	if (!s->fc && (!tcp->payload_len || !tcp_conv(f, s, p, info, tcp)))
		return; /* nothing is allocated before the first payload */
	if (!s->fc->rc)
		return;
	struct np_rseg seg = { .seq = tcp->seq, .flags = tcp->flags, .len = tcp->payload_len,
			       .caplen = captured(p, tcp->payload_len),
			       .data = p->frame->data + p->payload_off, .nsack = tcp->nsack };
	memcpy(seg.sack, tcp->sack, sizeof seg.sack);
	np_reasm_segment(f->r, s->fc->rc, dir, &seg, on_chunk, s->fc);
}

static void list_add(struct np_follow *f, const struct fconv *c, const uint8_t st[2])
{
	if (f->nlist == NP_FOLLOW_LIST_MAX) {
		f->list_over++; /* bounded: a flood's million conversations are counted, not kept */
		return;
	}
	if (f->nlist == f->list_cap) {
		size_t cap = f->list_cap ? f->list_cap * 2 : 64;
		struct flist *l = realloc(f->list, cap * sizeof *l);
		if (!l)
			return;
		f->list = l;
		f->list_cap = cap;
	}
	struct flist *e = &f->list[f->nlist++];
	*e = (struct flist){ c->conv, c->udp, { st[0], st[1] }, { c->ep[0], c->ep[1] },
			     { c->bytes[0], c->bytes[1] }, c->first_frame, c->tun };
}

/* A conversation is over: the rest of its bytes (holes as gaps), printed or listed. */
static void conv_done(struct np_follow *f, struct fconv *c, const uint8_t st[2])
{
	if (c->rc)
		np_reasm_close(f->r, c->rc, on_chunk, c);
	if (f->o.list_only)
		list_add(f, c, st);
	else if (f->o.stream && f->o.format != NP_FOLLOW_JSON && f->o.format != NP_FOLLOW_RAW)
		np_fo_conv(f, c, true); /* its end line */
	else
		print_conv(f, c, true);
}

/* A TCP conversation's dialogue ends (the tracker says it is over, or it leaves the table
 * unfinished): printed, its memory given back at once; the slot keeps what the listing says. */
static void tcp_over(struct np_follow *f, struct fslot *s, const struct np_event *ev)
{
	s->done = true;
	if (!s->selected)
		return;
	struct fconv none = { .conv = s->conv, .ep = { ev->client, ev->server },
			      .first_frame = s->first_frame, .f = f };
	struct fconv *c = s->fc ? s->fc : &none;
	if (c->rc)
		np_reasm_close(f->r, c->rc, on_chunk, c);
	s->bytes[0] = c->bytes[0];
	s->bytes[1] = c->bytes[1];
	/* One that carried nothing is printed only when asked for by number. */
	if (!f->o.list_only && (s->fc || f->o.nsel)) {
		if (f->o.stream && f->o.format != NP_FOLLOW_JSON && f->o.format != NP_FOLLOW_RAW)
			np_fo_conv(f, c, true); /* its end line */
		else
			print_conv(f, c, true);
	}
	conv_free(f, s->fc);
	s->fc = NULL;
}

void np_follow_end(struct np_follow *f, const struct np_event *ev)
{
	if (ev->kind != NP_EV_CONV_END || ev->end.slot >= f->o.max_conv)
		return;
	struct fslot *s = &f->tcp[ev->end.slot];
	if (s->conv != ev->conv || !s->conv)
		return;
	if (!s->done)
		tcp_over(f, s, ev);
	if (ev->end.why == NP_CONV_OVER)
		return; /* still in the table until it leaves: what comes now is no new data */
	if (f->o.list_only && s->selected) {
		struct fconv e = { .conv = s->conv, .ep = { ev->client, ev->server },
				   .first_frame = s->first_frame, .tun = s->tun,
				   .bytes = { s->bytes[0], s->bytes[1] } };
		list_add(f, &e, s->st);
	}
	memset(s, 0, sizeof *s);
}

static const uint8_t no_state[2] = { 0, 0 };

/* The UDP conversation of src -> dst in `tunnel`, keyed as the tracker keys TCP ones (the same
 * 5-tuple in two VNIs or GRE keys is two conversations, the listing names them), new ones numbered in first-seen
 * order; when the table is full, its least recently used conversation is over (printed) to
 * make room. */
static struct fconv *udp_conv(struct np_follow *f, const struct np_endpoint *src,
			      const struct np_endpoint *dst, const struct np_packet *p)
{
	uint64_t frame = p->frame->n;
	uint8_t key[NP_CONV_KEY];
	np_track_conv_key(src, dst, p->tunnel, key);
	uint64_t h = np_siphash24(f->o.hash_key, key, sizeof key);
	uint32_t s = np_lru_find(&f->udp_lru, key, h);
	if (s != NP_LRU_NONE) {
		np_lru_touch(&f->udp_lru, s, 0);
		return f->udp[s];
	}
	while (f->udp_lru.count >= f->o.max_udp || np_lru_chain_full(&f->udp_lru, h)) {
		uint32_t v = np_lru_chain_full(&f->udp_lru, h) ? np_lru_chain_first(&f->udp_lru, h)
							       : f->udp_lru.lists[0].tail;
		if (selected(f, true, f->udp[v]->conv))
			conv_done(f, f->udp[v], no_state);
		conv_free(f, f->udp[v]);
		f->udp[v] = NULL;
		np_lru_remove(&f->udp_lru, v);
	}
	s = np_lru_insert(&f->udp_lru, key, h, 0);
	if (s == NP_LRU_NONE || !(f->udp[s] = conv_new(f, true, ++f->udp_next_id, frame, src, dst))) {
		if (s != NP_LRU_NONE)
			np_lru_remove(&f->udp_lru, s);
		f->st.udp_full++;
		return NULL;
	}
	f->st.udp_convs += selected(f, true, f->udp_next_id);
	f->udp[s]->tun = np_track_tunnel_of(p);
	return f->udp[s];
}

static void udp_packet(struct np_follow *f, const struct np_packet *p, const struct np_udp *udp)
{
	struct np_endpoint src, dst;
	endpoints(p, udp->sport, udp->dport, &src, &dst);
	struct fconv *c = udp_conv(f, &src, &dst, p);
	if (!c || !selected(f, true, c->conv))
		return;
	int dir = memcmp(&src, &c->ep[0], sizeof src) == 0 ? 0 : 1;
	uint32_t have = captured(p, udp->payload_len);
	struct fchunk h = { .kind = NP_RC_DATA, .dir = (uint8_t)dir, .off = c->udp_off[dir],
			    .len = have };
	if (have)
		take(f, c, &h, p->frame->data + p->payload_off);
	if (have < udp->payload_len) {
		h = (struct fchunk){ .kind = NP_RC_GAP, .dir = (uint8_t)dir, .why = NP_GAP_CUT,
				     .off = c->udp_off[dir] + have, .len = udp->payload_len - have };
		take(f, c, &h, NULL);
	}
	c->udp_off[dir] += udp->payload_len;
}

void np_follow_packet(struct np_follow *f, const struct np_packet *p,
		      const struct np_pkt_track *info)
{
	const struct np_tcp *tcp = np_pkt_tcp(p);
	const struct np_udp *udp = np_pkt_udp(p);
	if (p->hdr_cut || (!np_pkt_ip4(p) && !np_pkt_ip6(p)))
		return;
	if (tcp && info && info->tcp)
		tcp_packet(f, p, info, tcp);
	else if (udp && udp->got >= 8)
		udp_packet(f, p, udp);
}

static int by_conv(const void *a, const void *b)
{
	const struct fconv *x = *(struct fconv *const *)a, *y = *(struct fconv *const *)b;
	return x->conv < y->conv ? -1 : x->conv > y->conv;
}

void np_follow_finish(struct np_follow *f)
{
	struct fconv **order = malloc(((size_t)f->udp_lru.count + 1) * sizeof *order);
	size_t n = 0;
	for (uint32_t i = 0; order && i < f->o.max_udp; i++)
		if (f->udp[i])
			order[n++] = f->udp[i];
	if (order)
		qsort(order, n, sizeof *order, by_conv);
	for (size_t i = 0; i < n; i++)
		if (selected(f, true, order[i]->conv))
			conv_done(f, order[i], no_state);
	free(order);
	if (f->o.list_only)
		np_fo_list(f);
}

void np_follow_stats(const struct np_follow *f, struct np_follow_stats *s)
{
	*s = f->st;
	np_reasm_stats(f->r, &s->reasm);
}
