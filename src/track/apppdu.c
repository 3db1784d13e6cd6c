/* apppdu.c - DNS over TCP (RFC 1035 s4.2.2), HTTP/1.x headers and Content-Length bodies (RFC
 * 9112 s6) and TLS records (RFC 8446 s5.1) that span TCP segments, put together in sequence
 * order and decoded once complete, on the segment that completes them, as Wireshark shows its
 * reassembled PDUs. Each direction of a conversation has at most one unfinished message, kept
 * in one of NP_APPPDU_SLOTS slots (the least recently fed gives way, counted); a gap (a segment
 * not captured) abandons it. The bytes are read through the cursor and copied once. */
#define _GNU_SOURCE /* memmem */
#include "netprobe/apppdu.h"

#include <stdlib.h>
#include <string.h>

#include "netprobe/cursor.h"
#include "netprobe/decode.h"

struct slot {
	bool used;
	uint8_t kind;          /* NP_L_DNS, NP_L_HTTP, NP_L_TLS */
	uint8_t from;          /* enum np_side */
	uint32_t conv;
	uint32_t next;         /* relative sequence number of the next byte expected */
	uint32_t len;
	uint32_t body_left;    /* HTTP: body bytes still to come, counted, not copied */
	uint32_t total, got;   /* HTTP body: the message's bytes, and those seen */
	uint64_t fed;          /* when last fed (a count of segments), for eviction */
	uint8_t crlf2;         /* HTTP: "\r\n\r\n" in buf? 0 not looked yet, 1 no, 2 yes */
	struct np_pdu pdu;     /* frames so far */
	uint8_t *buf;          /* NP_APPPDU_MAX bytes */
};

/* Where each used slot is, by its conversation and direction: open addressing, linear probing,
 * four cells a slot (a probe ends at an empty cell well before it has gone far). Every TCP
 * segment with payload asks; a walk over the 64 slots cost 3% of the text output on the mixed
 * capture. */
#define INDEX_BITS 8
#define INDEX_SIZE (1u << INDEX_BITS)
_Static_assert(INDEX_SIZE >= 4 * NP_APPPDU_SLOTS && NP_APPPDU_SLOTS < 255, "index cells");

struct np_apppdu {
	unsigned active;
	uint64_t clock;
	uint8_t index[INDEX_SIZE]; /* slot number + 1; 0: empty */
	struct slot slot[NP_APPPDU_SLOTS];
	uint8_t *mem;
	struct np_apppdu_stats st;
};

struct np_apppdu *np_apppdu_new(void)
{
	struct np_apppdu *pd = calloc(1, sizeof *pd);
	if (!pd)
		return NULL;
	/* Reserved at once, touched only where messages are put together. */
	pd->mem = malloc((size_t)NP_APPPDU_SLOTS * NP_APPPDU_MAX);
	if (!pd->mem) {
		free(pd);
		return NULL;
	}
	for (unsigned i = 0; i < NP_APPPDU_SLOTS; i++)
		pd->slot[i].buf = pd->mem + (size_t)i * NP_APPPDU_MAX;
	return pd;
}

void np_apppdu_free(struct np_apppdu *pd)
{
	if (!pd)
		return;
	free(pd->mem);
	free(pd);
}

void np_apppdu_stats(const struct np_apppdu *pd, struct np_apppdu_stats *st)
{
	*st = pd->st;
}

/* The TCP payload's captured bytes (the span the TCP header and the capture allow). */
static bool payload(const struct np_packet *p, const uint8_t **d, uint32_t *n)
{
	const struct np_tcp *tcp = np_pkt_tcp(p);
	if (!tcp || !tcp->payload_len || !p->payload_off)
		return false;
	struct np_cursor c = np_cur_make(p->frame->data, p->frame->caplen);
	if (!np_cur_skip(&c, p->payload_off))
		return false;
	uint32_t got = np_cur_left(&c) < tcp->payload_len ? (uint32_t)np_cur_left(&c) : tcp->payload_len;
	if (got < tcp->payload_len)
		return false; /* a payload the capture cut: nothing to put together */
	*d = np_cur_ptr(&c);
	*n = got;
	return got > 0;
}

/* Take the application layer off the stack, and the problems it recorded (and the packet's
 * flags they alone set: a list that overflowed keeps them). */
static void pop_app(struct np_packet *p)
{
	const struct np_pkt_layer *l = np_pkt_app(p);
	if (!l)
		return;
	uint8_t kind = l->kind, k = 0;
	bool full = p->nproblems >= NP_MAX_PROBLEMS, invalid = false, cut = false;
	p->nlayers--;
	for (unsigned i = 0; i < p->nproblems && i < NP_MAX_PROBLEMS; i++) {
		if (p->problems[i].layer == kind)
			continue;
		invalid |= p->problems[i].verdict == NP_INVALID;
		cut |= p->problems[i].verdict == NP_TRUNCATED;
		p->problems[k++] = p->problems[i];
	}
	p->nproblems = k;
	if (!full) {
		p->malformed = invalid;
		if (!cut)
			p->truncated = p->hdr_cut = false;
	}
}

/* Bytes of the decoded message that are whole, when it goes on past what was given: 0 for a
 * DNS or HTTP message (one message), the whole records before the cut one for TLS; -1 when
 * the message is complete. */
static long unfinished(const struct np_packet *p, uint32_t max)
{
	const struct np_pkt_layer *l = np_pkt_app(p);
	if (!l)
		return -1;
	if (l->kind == NP_L_DNS)
		return p->app.dns.partial && p->app.dns.tcp_len + 2u <= max ? 0 : -1;
	if (l->kind == NP_L_TLS)
		return p->app.tls.partial ? p->app.tls.whole : -1;
	const struct np_http *h = &p->app.http;
	if (!h->headers_end)
		return 0;
	/* A body of known length is waited for, as Wireshark's http.desegment_body. */
	bool body = h->has_length && !h->chunked && h->content_length <= max;
	return body && h->body_len < h->content_length ? 0 : -1;
}

static void decode(uint8_t kind, const uint8_t *d, uint32_t n, struct np_packet *p)
{
	struct np_cursor c = np_cur_make(d, n);
	if (kind == NP_L_DNS)
		np_decode_dns_tcp(&c, p);
	else if (kind == NP_L_HTTP)
		np_decode_http(&c, p);
	else
		np_decode_tls(&c, p);
}

static void add_frame(struct np_pdu *u, uint64_t frame, uint32_t bytes)
{
	if (u->nframes < NP_PDU_FRAMES) {
		u->frame[u->nframes] = frame;
		u->bytes[u->nframes++] = bytes;
	} else if (u->more < UINT16_MAX) {
		u->more++;
	}
	u->len += bytes;
}

static unsigned home(uint32_t conv, uint8_t from)
{
	return ((conv * 2u + from) * 2654435761u) >> (32 - INDEX_BITS); /* Knuth's multiplier */
}

/* The index cell of the slot for conv/from, or of the empty cell where it would go. */
static unsigned cell(const struct np_apppdu *pd, uint32_t conv, uint8_t from)
{
	unsigned i = home(conv, from);
	while (pd->index[i]) {
		const struct slot *s = &pd->slot[pd->index[i] - 1];
		if (s->conv == conv && s->from == from)
			break;
		i = (i + 1) & (INDEX_SIZE - 1);
	}
	return i;
}

static struct slot *find(struct np_apppdu *pd, const struct np_pkt_track *info)
{
	if (!pd->active)
		return NULL;
	unsigned i = cell(pd, info->conv, (uint8_t)info->from);
	return pd->index[i] ? &pd->slot[pd->index[i] - 1] : NULL;
}

/* Empty cell i, moving back the cells after it that probed past it (Knuth's algorithm R, TAOCP
 * 6.4), so that no probe stops short of its slot. */
static void unindex(struct np_apppdu *pd, unsigned i)
{
	for (unsigned j = (i + 1) & (INDEX_SIZE - 1); pd->index[j]; j = (j + 1) & (INDEX_SIZE - 1)) {
		const struct slot *s = &pd->slot[pd->index[j] - 1];
		unsigned h = home(s->conv, s->from);
		/* The entry at j stays when its home lies cyclically in (i, j]. */
		bool stays = i <= j ? (h > i && h <= j) : (h > i || h <= j);
		if (!stays) {
			pd->index[i] = pd->index[j];
			i = j;
		}
	}
	pd->index[i] = 0;
}

static void release(struct np_apppdu *pd, struct slot *s)
{
	unindex(pd, cell(pd, s->conv, s->from));
	s->used = false;
	pd->active--;
}

static struct slot *take(struct np_apppdu *pd)
{
	struct slot *old = NULL;
	for (unsigned i = 0; i < NP_APPPDU_SLOTS; i++) {
		struct slot *s = &pd->slot[i];
		if (!s->used)
			return s;
		if (!old || s->fed < old->fed)
			old = s;
	}
	pd->st.evicted++;
	release(pd, old);
	return old;
}

/* Whether the slot's bytes hold the empty line ending HTTP headers; looked for once for each
 * state of the buffer (a body's segments are counted, not kept: the buffer stays as it is). */
static bool crlf2(struct slot *s)
{
	if (!s->crlf2)
		s->crlf2 = memmem(s->buf, s->len, "\r\n\r\n", 4) ? 2 : 1;
	return s->crlf2 == 2;
}

/* The packet carries part of the slot's message: Wireshark's "[TCP segment of a reassembled
 * PDU]", after an HTTP message's start line while its headers go on. */
static void segment(struct np_packet *p, struct slot *s)
{
	p->pdu.state = NP_PDU_SEGMENT;
	p->pdu.kind = s->kind;
	p->pdu.first = s->pdu.nframes == 1 && s->pdu.frame[0] == p->frame->n;
	p->pdu.line[0] = '\0';
	if (s->kind != NP_L_HTTP)
		return;
	const uint8_t *eol = memchr(s->buf, '\n', s->len);
	if (!p->pdu.first && eol && crlf2(s))
		return; /* the headers are whole: the body is what goes on */
	size_t n = eol ? (size_t)(eol - s->buf) : s->len;
	if (n && s->buf[n - 1] == '\r')
		n--;
	if (n >= sizeof p->pdu.line)
		n = sizeof p->pdu.line - 1;
	for (size_t i = 0; i < n; i++) /* text as the HTTP unit keeps it: printing ASCII */
		p->pdu.line[i] = s->buf[i] >= 0x20 && s->buf[i] < 0x7f ? (char)s->buf[i] : '.';
	p->pdu.line[n] = '\0';
}

/* HTTP headers whole, a Content-Length body still to come: count it from here. */
static void body_wait(struct slot *s, const struct np_packet *p)
{
	const struct np_pkt_layer *l = np_pkt_app(p);
	if (!l || l->kind != NP_L_HTTP || !p->app.http.headers_end)
		return;
	const struct np_http *h = &p->app.http;
	s->got = s->len;
	s->total = s->len - h->body_len + (uint32_t)h->content_length;
	s->body_left = (uint32_t)h->content_length - h->body_len;
}

/* The segment's own decode found a message going on past it: keep what is unfinished (the
 * bytes after the whole records, for TLS) for the next segment. */
static void start(struct np_apppdu *pd, struct np_packet *p, const struct np_pkt_track *info,
		  const uint8_t *d, uint32_t n)
{
	long w = unfinished(p, NP_APPPDU_MAX);
	if (w < 0 || (uint32_t)w >= n)
		return;
	const struct np_pkt_layer *l = np_pkt_app(p);
	struct slot *s = take(pd);
	uint8_t *buf = s->buf;
	*s = (struct slot){ .used = true, .kind = l->kind, .from = (uint8_t)info->from,
			    .conv = info->conv, .next = info->rel_seq + n, .fed = ++pd->clock,
			    .buf = buf };
	s->len = n - (uint32_t)w;
	memcpy(s->buf, d + w, s->len);
	pd->active++;
	pd->index[cell(pd, s->conv, s->from)] = (uint8_t)(s - pd->slot + 1);
	add_frame(&s->pdu, p->frame->n, s->len);
	if (w == 0) {
		body_wait(s, p);
		pop_app(p);
		segment(p, s);
		return;
	}
	pop_app(p);
	decode(s->kind, d, (uint32_t)w, p); /* TLS: the whole records only, as Wireshark shows */
}

/* The bytes of the message that was waited for, at the start of the slot's buffer: Wireshark's
 * reassembled length (the records or messages after it in the last segment are its own). */
static uint32_t need(const struct slot *s, const struct np_packet *p)
{
	struct np_cursor c = np_cur_make(s->buf, s->len);
	uint16_t v;
	uint32_t n = s->len;
	if (s->kind == NP_L_TLS && np_cur_skip(&c, 3) && np_cur_u16(&c, &v))
		n = 5u + v;
	else if (s->kind == NP_L_DNS && np_cur_u16(&c, &v))
		n = 2u + v;
	else if (s->kind == NP_L_HTTP && np_pkt_app(p) && p->app.http.has_length &&
		 p->app.http.body_len > p->app.http.content_length)
		n = s->len - (uint32_t)(p->app.http.body_len - p->app.http.content_length);
	return n < s->len ? n : s->len;
}

/* The next bytes of the slot's message: decoded with what came before. */
static void feed(struct np_apppdu *pd, struct slot *s, struct np_packet *p, const uint8_t *d,
		 uint32_t n)
{
	pop_app(p); /* what the segment alone seemed to begin is the middle of a message */
	if (s->body_left) { /* HTTP: the headers are kept; the body is only counted */
		uint32_t k = n < s->body_left ? n : s->body_left;
		s->body_left -= k;
		s->got += k;
		s->next += n;
		s->fed = ++pd->clock;
		if (s->body_left) {
			add_frame(&s->pdu, p->frame->n, n);
			segment(p, s);
			return;
		}
		decode(s->kind, s->buf, s->len, p);
		if (np_pkt_app(p)) /* the body's bytes were counted, not kept */
			p->app.http.body_len = s->got - (s->total - (uint32_t)p->app.http.content_length);
		add_frame(&s->pdu, p->frame->n, k);
		s->pdu.len = s->total;
		p->pdu = s->pdu;
		p->pdu.state = NP_PDU_DONE;
		pd->st.done++;
		release(pd, s);
		return;
	}
	if (s->len + n > NP_APPPDU_MAX) {
		pd->st.too_long++;
		release(pd, s);
		return;
	}
	memcpy(s->buf + s->len, d, n);
	s->len += n;
	s->crlf2 = 0;
	s->next += n;
	s->fed = ++pd->clock;
	decode(s->kind, s->buf, s->len, p);
	long w = unfinished(p, NP_APPPDU_MAX);
	if (!np_pkt_app(p)) { /* not the message it began as after all */
		pd->st.abandoned++;
		release(pd, s);
		return;
	}
	if (w == 0) {
		add_frame(&s->pdu, p->frame->n, n);
		body_wait(s, p);
		pop_app(p);
		segment(p, s);
		return;
	}
	uint32_t end = w < 0 ? s->len : (uint32_t)w; /* the message's bytes decoded here */
	if (w > 0) { /* TLS: the whole records only */
		pop_app(p);
		decode(s->kind, s->buf, end, p);
	}
	uint32_t want = need(s, p);
	add_frame(&s->pdu, p->frame->n, n - (s->len - want));
	p->pdu = s->pdu;
	p->pdu.state = NP_PDU_DONE;
	pd->st.done++;
	if (w < 0) {
		release(pd, s);
		return;
	}
	/* TLS: whole records, then one that goes on: it starts the next message */
	s->len -= end;
	memmove(s->buf, s->buf + end, s->len);
	s->crlf2 = 0;
	s->pdu = (struct np_pdu){ 0 };
	add_frame(&s->pdu, p->frame->n, s->len);
}

void np_apppdu_packet(struct np_apppdu *pd, struct np_packet *p, const struct np_pkt_track *info)
{
	const uint8_t *d;
	uint32_t n;
	if (!info || !info->tcp || !info->rel_valid || !payload(p, &d, &n))
		return;
	struct slot *s = find(pd, info);
	if (s) {
		int32_t ahead = (int32_t)(info->rel_seq - s->next);
		if (ahead < 0)
			return; /* bytes already taken: a retransmission */
		if (ahead == 0) {
			feed(pd, s, p, d, n);
			return;
		}
		pd->st.abandoned++; /* a gap: the message cannot be put together */
		release(pd, s);
	}
	if (np_pkt_app(p))
		start(pd, p, info, d, n);
}
