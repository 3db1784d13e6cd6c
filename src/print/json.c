/* json.c - the --json printer: one object per packet per line (JSON Lines, RFC 8259 values).
 * Layers that were not decoded are left out, and so are fields whose bytes were not captured.
 *
 * Speed: each object is built in a buffer on the stack with hand-rolled appenders and written
 * with one fwrite; no printf and no allocation per packet. A buffer that fills up (only an
 * object with very long strings could) is written out and reused, so no object is ever cut. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "netprobe/decode.h"
#include "netprobe/print.h"
#include "netprobe/proto.h"
#include "core/sbuf.h"

/* A packet object is 300 to 900 bytes; 4 KiB holds every one whose strings are of normal
 * length (the longest lists, 40 TCP options and 8 problems, stay under 3 KiB). */
#define JW_BUF 4096
/* The most bytes one key and its scalar value take (strings check their room as they go). */
#define JW_ITEM 128

struct jw {
	FILE *o;
	char *buf, *p, *end;
	/* What goes before the next key: '{' when it is the first of its object (so the brace is
	 * written by the first key, and an empty object by close_obj), ',' otherwise. */
	char sep;
};

static void jw_init(struct jw *restrict w, FILE *o, char *buf, size_t cap)
{
	w->o = o;
	w->buf = w->p = buf;
	w->end = buf + cap;
	w->sep = '{';
}

static void jw_flush(struct jw *restrict w)
{
	fwrite(w->buf, 1, (size_t)(w->p - w->buf), w->o);
	w->p = w->buf;
}

/* At least n (<= JW_BUF) free bytes. */
static inline void room(struct jw *restrict w, size_t n)
{
	if ((size_t)(w->end - w->p) < n)
		jw_flush(w);
}

static inline void lit(struct jw *restrict w, const char *s, size_t n)
{
	memcpy(w->p, s, n);
	w->p += n;
}
#define LIT(w, s) lit(w, s, sizeof(s) - 1)

/* `s` is ,"name": whose comma is replaced by the separator; makes room for the value too. */
static inline void jw_key(struct jw *restrict w, const char *s, size_t n)
{
	room(w, n + JW_ITEM);
	memcpy(w->p, s, n);
	*w->p = w->sep;
	w->p += n;
	w->sep = ',';
}
#define KEY(w, k) jw_key(w, ",\"" k "\":", sizeof(",\"" k "\":") - 1)

static inline void open_obj_sep(struct jw *restrict w)
{
	w->sep = '{';
}
#define OPEN(w, k) (KEY(w, k), open_obj_sep(w))

static inline void close_obj(struct jw *restrict w)
{
	room(w, 2);
	if (w->sep == '{')
		*w->p++ = '{';
	*w->p++ = '}';
	w->sep = ',';
}

static inline void ch(struct jw *restrict w, char c)
{
	room(w, 1);
	*w->p++ = c;
}

/* Decimal digits, two at a time from a table. */
static const char digits2[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

static const uint64_t pow10_u64[20] = {
	1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull, 100000000ull,
	1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull, 10000000000000ull,
	100000000000000ull, 1000000000000000ull, 10000000000000000ull, 100000000000000000ull,
	1000000000000000000ull, 10000000000000000000ull,
};

/* Number of decimal digits of v (1 for 0): log10 from the bit length, then one comparison. */
static inline unsigned ndigits(uint64_t v)
{
	unsigned t = ((unsigned)(64 - __builtin_clzll(v | 1)) * 1233u) >> 12;
	return t + ((v | 1) >= pow10_u64[t]);
}

/* "%" PRIu64 with at least `width` digits ("%0<width>" PRIu64); room is the caller's. */
static inline void put_uint(struct jw *restrict w, uint64_t v, unsigned width)
{
	/* Small numbers are the most common (flags, lengths, TTLs, relative sequence numbers). */
	if (v < 10 && width <= 1) {
		*w->p++ = (char)('0' + v);
		return;
	}
	if (v < 100 && width <= 2 && v >= 10) {
		memcpy(w->p, digits2 + v * 2, 2);
		w->p += 2;
		return;
	}
	unsigned n = ndigits(v);
	if (n < width) {
		memset(w->p, '0', width - n);
		w->p += width - n;
	}
	char *q = w->p + n;
	w->p = q;
	if (v >> 32) {
		while (v >= 100000000) {
			/* Eight digits at a time in 32-bit arithmetic. */
			uint32_t lo = (uint32_t)(v % 100000000);
			v /= 100000000;
			for (int i = 0; i < 4; i++) {
				unsigned d = (lo % 100) * 2;
				lo /= 100;
				*--q = digits2[d + 1];
				*--q = digits2[d];
			}
		}
	}
	uint32_t u = (uint32_t)v;
	while (u >= 100) {
		unsigned d = (u % 100) * 2;
		u /= 100;
		*--q = digits2[d + 1];
		*--q = digits2[d];
	}
	if (u >= 10) {
		*--q = digits2[u * 2 + 1];
		*--q = digits2[u * 2];
	} else {
		*--q = (char)('0' + u);
	}
}

/* "%" PRId64 */
static inline void put_int(struct jw *restrict w, int64_t v)
{
	if (v < 0) {
		*w->p++ = '-';
		/* The magnitude of INT64_MIN does not fit in int64_t: negate in unsigned. */
		put_uint(w, (uint64_t)0 - (uint64_t)v, 0);
	} else {
		put_uint(w, (uint64_t)v, 0);
	}
}

#define NUM(w, k, v) (KEY(w, k), put_uint(w, (v), 0))

static inline void put_bool(struct jw *restrict w, bool v)
{
	if (v)
		LIT(w, "true");
	else
		LIT(w, "false");
}
#define BOOL(w, k, v) (KEY(w, k), put_bool(w, (v)))

/* A JSON string. Ours are names and formatted addresses; escape anyway so the output stays
 * JSON whatever a future caller passes (RFC 8259 section 7). */
static void put_str_escaped(struct jw *restrict w, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		room(w, 7);
		if (c == '"' || c == '\\') {
			*w->p++ = '\\';
			*w->p++ = (char)c;
		} else if (c < 0x20) {
			LIT(w, "\\u00");
			*w->p++ = "0123456789abcdef"[c >> 4];
			*w->p++ = "0123456789abcdef"[c & 15];
		} else {
			*w->p++ = (char)c;
		}
	}
}

static inline void put_str(struct jw *restrict w, const char *s)
{
	/* Most strings need no escape: find the end, then copy them in one go. */
	const unsigned char *e = (const unsigned char *)s;
	while (*e >= 0x20 && *e != '"' && *e != '\\')
		e++;
	size_t n = (size_t)(e - (const unsigned char *)s);
	room(w, n + 2);
	*w->p++ = '"';
	if (n)
		lit(w, s, n);
	if (*e)
		put_str_escaped(w, (const char *)e);
	room(w, 1);
	*w->p++ = '"';
}
#define STR(w, k, s) (KEY(w, k), put_str(w, (s)))

static inline void put_ip4(struct jw *restrict w, const uint8_t a[4])
{
	for (int i = 0; i < 4; i++) {
		unsigned b = a[i];
		memcpy(w->p, np_dec3[b], 4);
		w->p += 1 + (b >= 10) + (b >= 100);
		*w->p++ = '.';
	}
	w->p--; /* no dot after the last byte */
}

/* Room for 48 bytes (JW_ITEM covers it). */
static inline void put_addr(struct jw *restrict w, int ver, const uint8_t *a)
{
	*w->p++ = '"';
	if (ver == 6) {
		struct np_sbuf sb = { w->p, (size_t)(w->end - w->p), 0 };
		np_sb_ip6(&sb, a);
		w->p += sb.len;
	} else {
		put_ip4(w, a);
	}
	*w->p++ = '"';
}
#define ADDR(w, k, ver, a) (KEY(w, k), put_addr(w, (ver), (a)))

/* "xx:" for each byte value: a link-layer address is one 4-byte copy per byte. */
static const char hex3[256][4] = {
#define H(n) { "0123456789abcdef"[(n) >> 4], "0123456789abcdef"[(n) & 15], ':', 0 }
#define H16(b) H(b), H(b + 1), H(b + 2), H(b + 3), H(b + 4), H(b + 5), H(b + 6), H(b + 7), \
		H(b + 8), H(b + 9), H(b + 10), H(b + 11), H(b + 12), H(b + 13), H(b + 14), H(b + 15)
	H16(0x00), H16(0x10), H16(0x20), H16(0x30), H16(0x40), H16(0x50), H16(0x60), H16(0x70),
	H16(0x80), H16(0x90), H16(0xa0), H16(0xb0), H16(0xc0), H16(0xd0), H16(0xe0), H16(0xf0),
#undef H16
#undef H
};

/* "xx:xx:...", as np_fmt_mac: the decoder keeps at most 8 address bytes. */
static inline void put_mac(struct jw *restrict w, const uint8_t *m, size_t n)
{
	if (n > 8)
		n = 8;
	*w->p++ = '"';
	for (size_t i = 0; i < n; i++) {
		memcpy(w->p, hex3[m[i]], 4);
		w->p += 3;
	}
	if (n)
		w->p--; /* no colon after the last byte */
	*w->p++ = '"';
}
#define MAC(w, k, m, n) (KEY(w, k), put_mac(w, (m), (n)))

/* "sec.usec" with six decimals at least, as "%" PRId64 ".%06u". */
static inline void put_ts(struct jw *restrict w, int64_t sec, uint32_t usec)
{
	*w->p++ = '"';
	put_int(w, sec);
	*w->p++ = '.';
	put_uint(w, usec, 6);
	*w->p++ = '"';
}

/* One element of a list of numbers: "[" or "," then the number. */
static inline void list_uint(struct jw *restrict w, bool first, uint64_t v)
{
	room(w, 24);
	*w->p++ = first ? '[' : ',';
	put_uint(w, v, 0);
}

static void json_link(struct jw *restrict w, const struct np_link *l)
{
	if (!l->hdr_len)
		return;
	if (l->kind == NP_LINK_ETH) {
		OPEN(w, "eth");
		MAC(w, "src", l->src, 6);
		MAC(w, "dst", l->dst, 6);
		NUM(w, "type", l->ethertype);
		close_obj(w);
	} else if (l->kind == NP_LINK_SLL || l->kind == NP_LINK_SLL2) {
		OPEN(w, "sll");
		NUM(w, "pkttype", l->sll_pkttype);
		NUM(w, "hatype", l->sll_hatype);
		if (l->kind == NP_LINK_SLL2)
			NUM(w, "ifindex", l->sll_ifindex);
		MAC(w, "src", l->src, l->addr_len);
		NUM(w, "type", l->ethertype);
		close_obj(w);
	} else if (l->kind == NP_LINK_NULL || l->kind == NP_LINK_LOOP) {
		OPEN(w, "loop");
		NUM(w, "family", l->family);
		close_obj(w);
	}
	if (l->nvlan) {
		KEY(w, "vlan");
		*w->p++ = '[';
		for (unsigned i = 0; i < l->nvlan; i++) {
			if (i)
				ch(w, ',');
			open_obj_sep(w);
			NUM(w, "tpid", l->vlan[i].tpid);
			NUM(w, "pcp", l->vlan[i].pcp);
			NUM(w, "dei", l->vlan[i].dei);
			NUM(w, "id", l->vlan[i].vid);
			close_obj(w);
		}
		ch(w, ']');
	}
	if (l->outgoing)
		BOOL(w, "outgoing", true);
}

static void json_arp(struct jw *restrict w, const struct np_arp *a)
{
	OPEN(w, "arp");
	if (a->got >= 8)
		NUM(w, "op", a->op);
	if (a->got >= 28) {
		MAC(w, "sha", a->sha, 6);
		ADDR(w, "spa", 4, a->spa);
		MAC(w, "tha", a->tha, 6);
		ADDR(w, "tpa", 4, a->tpa);
	}
	close_obj(w);
}

static void json_csum(struct jw *restrict w, uint16_t csum, enum np_csum status)
{
	NUM(w, "csum", csum);
	STR(w, "csum_status", np_csum_name(status));
}

static void json_ip4(struct jw *restrict w, const struct np_ipv4 *ip)
{
	OPEN(w, "ip");
	NUM(w, "v", 4);
	if (ip->got >= 20) {
		ADDR(w, "src", 4, ip->src);
		ADDR(w, "dst", 4, ip->dst);
	}
	if (ip->got >= 9)
		NUM(w, "ttl", ip->ttl);
	if (ip->got >= 10)
		NUM(w, "proto", ip->proto);
	if (ip->got >= 4)
		NUM(w, "len", ip->tot_len);
	if (ip->got >= 6)
		NUM(w, "id", ip->id);
	if (ip->got >= 1)
		NUM(w, "hdr_len", ip->ihl * 4u);
	if (ip->got >= 2) {
		NUM(w, "dscp", ip->tos >> 2);
		NUM(w, "ecn", ip->tos & 3);
	}
	if (ip->got >= 8) {
		BOOL(w, "df", ip->frag & 0x4000);
		BOOL(w, "mf", ip->frag & 0x2000);
		NUM(w, "frag_off", (ip->frag & 0x1fffu) * 8u);
	}
	if (ip->got >= 12)
		json_csum(w, ip->csum, ip->csum_status);
	if (ip->nopts) {
		KEY(w, "opts");
		for (unsigned i = 0; i < ip->nopts; i++)
			list_uint(w, i == 0, ip->opts[i].type);
		ch(w, ']');
	}
	close_obj(w);
}

static void json_ip6(struct jw *restrict w, const struct np_ipv6 *ip)
{
	OPEN(w, "ip");
	NUM(w, "v", 6);
	if (ip->got >= 40) {
		ADDR(w, "src", 6, ip->src);
		ADDR(w, "dst", 6, ip->dst);
	}
	if (ip->got >= 8)
		NUM(w, "ttl", ip->hlim);
	if (ip->got >= 7)
		NUM(w, "proto", ip->next_final);
	if (ip->got >= 6)
		NUM(w, "len", ip->plen);
	if (ip->got >= 4) {
		NUM(w, "tc", ip->tclass);
		NUM(w, "flow", ip->flow);
	}
	if (ip->next_ext) {
		KEY(w, "ext");
		for (unsigned i = 0; i < ip->next_ext; i++)
			list_uint(w, i == 0, ip->ext[i].type);
		ch(w, ']');
	}
	if (ip->has_frag) {
		NUM(w, "frag_off", ip->frag_off * 8u);
		BOOL(w, "mf", ip->frag_more);
		NUM(w, "frag_id", ip->frag_id);
	}
	close_obj(w);
}

static void json_tcp_opts(struct jw *restrict w, const struct np_tcp *t)
{
	OPEN(w, "opts");
	if (t->has_mss)
		NUM(w, "mss", t->mss);
	if (t->has_ws)
		NUM(w, "ws", t->ws);
	if (t->sack_perm)
		BOOL(w, "sack_perm", true);
	if (t->has_ts) {
		KEY(w, "ts");
		*w->p++ = '[';
		put_uint(w, t->tsval, 0);
		*w->p++ = ',';
		put_uint(w, t->tsecr, 0);
		*w->p++ = ']';
	}
	if (t->nsack) {
		KEY(w, "sack");
		*w->p++ = '[';
		for (unsigned i = 0; i < t->nsack; i++) {
			room(w, 32);
			if (i)
				*w->p++ = ',';
			*w->p++ = '[';
			put_uint(w, t->sack[i][0], 0);
			*w->p++ = ',';
			put_uint(w, t->sack[i][1], 0);
			*w->p++ = ']';
		}
		ch(w, ']');
	}
	bool any = false;
	for (unsigned i = 0; i < t->nopts; i++) {
		uint8_t k = t->opts[i].kind;
		if (k == 0 || k == 1 || k == 2 || k == 3 || k == 4 || k == 5 || k == 8)
			continue;
		if (!any)
			KEY(w, "other");
		list_uint(w, !any, k);
		any = true;
	}
	if (any)
		ch(w, ']');
	if (t->opts_bad)
		BOOL(w, "malformed", true);
	close_obj(w);
}

/* A list of names: ["A","B"], or [] for none. */
static void list_names_open(struct jw *restrict w)
{
	room(w, 1);
	*w->p++ = '[';
}

static void list_name(struct jw *restrict w, bool first, const char *s)
{
	if (!first)
		ch(w, ',');
	put_str(w, s);
}

static void json_tcp(struct jw *restrict w, const struct np_tcp *t, const struct np_pkt_track *k)
{
	bool tracked = k && k->tcp;
	OPEN(w, "tcp");
	if (tracked)
		NUM(w, "conv", k->conv);
	if (t->got >= 4) {
		NUM(w, "sport", t->sport);
		NUM(w, "dport", t->dport);
	}
	if (t->got >= 8)
		NUM(w, "seq", t->seq);
	if (t->got >= 12)
		NUM(w, "ack", t->ack);
	if (tracked && k->rel_valid) {
		NUM(w, "rel_seq", k->rel_seq);
		if (t->flags & NP_TCP_ACK)
			NUM(w, "rel_ack", k->rel_ack);
	}
	if (t->got >= 14) {
		NUM(w, "flags", t->flags);
		KEY(w, "flag_names");
		list_names_open(w);
		/* The set bits from the lowest up, as far as the bits have names. */
		bool any = false;
		for (unsigned f = t->flags; f; f &= f - 1) {
			const char *name = np_tcp_flag_name((unsigned)__builtin_ctz(f));
			if (!name)
				break;
			list_name(w, !any, name);
			any = true;
		}
		ch(w, ']');
		NUM(w, "hdr_len", t->doff * 4u);
	}
	if (t->got >= 16)
		NUM(w, "win", t->win);
	if (tracked && k->win_scaled_valid)
		NUM(w, "win_scaled", k->win_scaled);
	if (tracked && k->analysis) {
		static const struct { uint16_t bit; const char *name; } notes[] = {
			{ NP_TA_RETRANSMISSION, "retransmission" }, { NP_TA_FAST_RETRANS, "fast_retransmission" },
			{ NP_TA_SPURIOUS, "spurious_retransmission" }, { NP_TA_OUT_OF_ORDER, "out_of_order" },
			{ NP_TA_DUP_ACK, "dup_ack" }, { NP_TA_ZERO_WINDOW, "zero_window" },
			{ NP_TA_WINDOW_FULL, "window_full" }, { NP_TA_KEEPALIVE, "keep_alive" },
			{ NP_TA_PREV_LOST, "previous_segment_not_captured" },
			{ NP_TA_WINDOW_UPDATE, "window_update" },
		};
		KEY(w, "analysis");
		list_names_open(w);
		bool any = false;
		for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++) {
			if (k->analysis & notes[i].bit) {
				list_name(w, !any, notes[i].name);
				any = true;
			}
		}
		ch(w, ']');
	}
	if (t->got >= 18)
		json_csum(w, t->csum, t->csum_status);
	if (t->got >= 20) {
		NUM(w, "urp", t->urp);
		if (t->doff >= 5 && t->doff * 4u <= t->seg_len)
			NUM(w, "len", t->payload_len);
		json_tcp_opts(w, t);
	}
	close_obj(w);
}

static void json_udp(struct jw *restrict w, const struct np_udp *u)
{
	OPEN(w, "udp");
	if (u->got >= 4) {
		NUM(w, "sport", u->sport);
		NUM(w, "dport", u->dport);
	}
	if (u->got >= 6)
		NUM(w, "len", u->len);
	if (u->got >= 8)
		json_csum(w, u->csum, u->csum_status);
	close_obj(w);
}

static void json_quote(struct jw *restrict w, const struct np_quote *q)
{
	if (!q->ipver || q->ip_got < (q->ipver == 4 ? 20 : 40))
		return;
	OPEN(w, "quote");
	OPEN(w, "ip");
	NUM(w, "v", q->ipver);
	ADDR(w, "src", q->ipver, q->src);
	ADDR(w, "dst", q->ipver, q->dst);
	NUM(w, "ttl", q->ttl);
	NUM(w, "proto", q->proto);
	NUM(w, "len", q->len);
	if (q->ipver == 4)
		NUM(w, "id", q->id);
	close_obj(w);
	if ((q->proto == 6 || q->proto == 17) && q->l4_got >= 4) {
		if (q->proto == 6)
			OPEN(w, "tcp");
		else
			OPEN(w, "udp");
		NUM(w, "sport", q->sport);
		NUM(w, "dport", q->dport);
		if (q->proto == 6 && q->l4_got >= 8)
			NUM(w, "seq", q->seq);
		if (q->proto == 17 && q->l4_got >= 6)
			NUM(w, "len", q->udp_len);
		close_obj(w);
	} else if ((q->proto == 1 || q->proto == 58) && q->l4_got >= 2) {
		if (q->proto == 1)
			OPEN(w, "icmp");
		else
			OPEN(w, "icmp6");
		NUM(w, "type", q->icmp_type);
		NUM(w, "code", q->icmp_code);
		if (q->l4_got >= 8) {
			NUM(w, "id", q->icmp_id);
			NUM(w, "seq", q->icmp_seq);
		}
		close_obj(w);
	}
	close_obj(w);
}

static void json_icmp(struct jw *restrict w, const struct np_icmp *m)
{
	OPEN(w, "icmp");
	if (m->got >= 1)
		NUM(w, "type", m->type);
	if (m->got >= 2)
		NUM(w, "code", m->code);
	if (m->got >= 4)
		json_csum(w, m->csum, m->csum_status);
	if (m->got >= 8) {
		if (m->has_idseq) {
			NUM(w, "id", m->id);
			NUM(w, "seq", m->seq);
		}
		if (m->type == 3 && m->code == 4)
			NUM(w, "mtu", m->mtu);
		if (m->type == 5)
			ADDR(w, "gateway", 4, m->gateway);
		if (m->type == 12)
			NUM(w, "pointer", m->pointer);
	}
	json_quote(w, &m->quote);
	close_obj(w);
}

static void json_icmp6(struct jw *restrict w, const struct np_icmp6 *m)
{
	OPEN(w, "icmp6");
	if (m->got >= 1)
		NUM(w, "type", m->type);
	if (m->got >= 2)
		NUM(w, "code", m->code);
	if (m->got >= 4)
		json_csum(w, m->csum, m->csum_status);
	if (m->got >= 8) {
		if (m->has_idseq) {
			NUM(w, "id", m->id);
			NUM(w, "seq", m->seq);
		}
		if (m->type == 2)
			NUM(w, "mtu", m->mtu);
		if (m->type == 4)
			NUM(w, "pointer", m->pointer);
		if (m->type == 136)
			NUM(w, "na_flags", m->na_flags);
	}
	if (m->has_target)
		ADDR(w, "target", 6, m->target);
	if (m->has_lladdr)
		MAC(w, "lladdr", m->lladdr, 6);
	json_quote(w, &m->quote);
	close_obj(w);
}

/* A key named at run time (a unit's): the separator, then "key":, with room for the value. */
static void dyn_key(struct jw *restrict w, const char *k)
{
	room(w, JW_ITEM);
	*w->p++ = w->sep;
	w->sep = ',';
	put_str(w, k);
	ch(w, ':');
}

/* A layer of a unit in the new shape, as the unit names its fields. A tunnel's object stays
 * open, so that the layers it carries nest inside it: returns 1 then, for the caller to close. */
static unsigned json_unit(struct jw *restrict w, const struct np_unit *u,
			  const struct np_pkt_layer *l)
{
	struct np_field f[NP_MAX_FIELDS];
	unsigned n = u->fields(l, f);
	dyn_key(w, u->key);
	open_obj_sep(w);
	for (unsigned i = 0; i < n; i++) {
		dyn_key(w, f[i].key);
		put_uint(w, f[i].value, 0);
	}
	if (u->encap)
		return 1;
	close_obj(w);
	return 0;
}

static unsigned json_layer(struct jw *restrict w, const struct np_pkt_layer *l,
			   const struct np_pkt_track *trk)
{
	switch (l->kind) {
	case NP_L_LINK: json_link(w, &l->link); break;
	case NP_L_ARP: json_arp(w, &l->arp); break;
	case NP_L_IP4: json_ip4(w, &l->ip4); break;
	case NP_L_IP6: json_ip6(w, &l->ip6); break;
	case NP_L_TCP: json_tcp(w, &l->tcp, trk); break;
	case NP_L_UDP: json_udp(w, &l->udp); break;
	case NP_L_ICMP: json_icmp(w, &l->icmp); break;
	case NP_L_ICMP6: json_icmp6(w, &l->icmp6); break;
	default: {
		const struct np_unit *u = np_unit_of(l->kind);
		return u ? json_unit(w, u, l) : 0;
	}
	}
	return 0;
}

/* The packet object, without a newline. */
static void json_packet(struct jw *restrict w, const struct np_packet *p, const struct np_pkt_track *trk)
{
	const struct np_frame *f = p->frame;
	room(w, 64 + JW_ITEM);
	LIT(w, "{\"type\":\"packet\",\"n\":");
	w->sep = ',';
	put_uint(w, f->n, 0);
	KEY(w, "ts");
	put_ts(w, f->ts_sec, f->ts_usec);
	NUM(w, "caplen", f->caplen);
	NUM(w, "len", f->len);
	STR(w, "link", np_link_name(f->dlt));
	unsigned open = 0;
	for (unsigned i = 0; i < p->nlayers; i++)
		open += json_layer(w, &p->layer[i], trk);
	while (open--)
		close_obj(w);
	BOOL(w, "truncated", p->truncated);
	BOOL(w, "malformed", p->malformed);
	if (p->nproblems) {
		KEY(w, "problems");
		*w->p++ = '[';
		for (unsigned i = 0; i < p->nproblems; i++) {
			if (i)
				ch(w, ',');
			open_obj_sep(w);
			STR(w, "layer", np_layer_name(p->problems[i].layer));
			STR(w, "verdict", np_verdict_name(p->problems[i].verdict));
			STR(w, "what", p->problems[i].what);
			close_obj(w);
		}
		ch(w, ']');
	}
	ch(w, '}');
}

void np_print_json(struct np_print_ctx *ctx, const struct np_packet *p,
		   const struct np_pkt_track *trk)
{
	char buf[JW_BUF];
	struct jw w;
	jw_init(&w, ctx->out, buf, sizeof buf);
	json_packet(&w, p, trk);
	ch(&w, '\n');
	jw_flush(&w);
}

void np_print_json_object(FILE *out, const struct np_packet *p, const struct np_pkt_track *trk)
{
	char buf[JW_BUF];
	struct jw w;
	jw_init(&w, out, buf, sizeof buf);
	json_packet(&w, p, trk);
	jw_flush(&w);
}

/* "address:port", or "[address]:port" for IPv6. */
static void put_endpoint(struct jw *restrict w, const struct np_endpoint *ep)
{
	*w->p++ = '"';
	if (ep->ver == 6)
		*w->p++ = '[';
	if (ep->ver == 6) {
		struct np_sbuf sb = { w->p, (size_t)(w->end - w->p), 0 };
		np_sb_ip6(&sb, ep->addr);
		w->p += sb.len;
		*w->p++ = ']';
	} else {
		put_ip4(w, ep->addr);
	}
	*w->p++ = ':';
	put_uint(w, ep->port, 0);
	*w->p++ = '"';
}
#define ENDPOINT(w, k, ep) (KEY(w, k), put_endpoint(w, (ep)))

/* "%.3f": rare (events and the summary), so printf's exact decimal rounding is kept. A double
 * prints in at most 317 bytes (DBL_MAX with three decimals). */
static void real(struct jw *restrict w, const char *k, size_t klen, double v)
{
	char tmp[400];
	int n = snprintf(tmp, sizeof tmp, "%.3f", v);
	jw_key(w, k, klen);
	if (n > 0) {
		room(w, (size_t)n);
		lit(w, tmp, (size_t)n);
	}
}
#define REAL(w, k, v) real(w, ",\"" k "\":", sizeof(",\"" k "\":") - 1, (v))

void np_print_event_json(struct np_print_ctx *ctx, const struct np_event *ev)
{
	if (ev->kind == NP_EV_LADDER)
		return; /* a picture for people; JSON readers have every packet and event already */
	char buf[JW_BUF];
	struct jw w;
	jw_init(&w, ctx->out, buf, sizeof buf);
	STR(&w, "type", "event");
	STR(&w, "event", np_event_kind_name(ev->kind));
	NUM(&w, "n", ev->n);
	KEY(&w, "ts");
	put_ts(&w, ev->ts_sec, ev->ts_usec);
	if (ev->kind != NP_EV_SYN_FLOOD) {
		NUM(&w, "conv", ev->conv);
		ENDPOINT(&w, "client", &ev->client);
		ENDPOINT(&w, "server", &ev->server);
		if (ev->midstream)
			BOOL(&w, "midstream", true);
	}
	switch (ev->kind) {
	case NP_EV_HANDSHAKE:
		if (ev->hs.syn_synack_ms >= 0)
			REAL(&w, "syn_synack_ms", ev->hs.syn_synack_ms);
		REAL(&w, "synack_ack_ms", ev->hs.synack_ack_ms);
		OPEN(&w, "opts");
		NUM(&w, "mss_client", ev->hs.mss[0]);
		NUM(&w, "mss_server", ev->hs.mss[1]);
		if (ev->hs.ws[0] >= 0 && ev->hs.ws[1] >= 0) {
			NUM(&w, "ws_client", (uint64_t)ev->hs.ws[0]);
			NUM(&w, "ws_server", (uint64_t)ev->hs.ws[1]);
		}
		BOOL(&w, "sack", ev->hs.sack);
		BOOL(&w, "ts", ev->hs.ts);
		close_obj(&w);
		break;
	case NP_EV_TEARDOWN:
		STR(&w, "closed_by", np_side_name(ev->td.closed_by));
		STR(&w, "time_wait", np_side_name(ev->td.time_wait));
		REAL(&w, "duration_ms", ev->td.duration_ms);
		NUM(&w, "bytes_c2s", ev->td.bytes[0]);
		NUM(&w, "bytes_s2c", ev->td.bytes[1]);
		BOOL(&w, "half_close", ev->td.half_close);
		break;
	case NP_EV_RESET:
	case NP_EV_REFUSED:
		STR(&w, "by", np_side_name(ev->side));
		break;
	case NP_EV_SYN_UNANSWERED:
		NUM(&w, "syns", ev->unanswered.syns);
		break;
	case NP_EV_STATE:
		STR(&w, "side", np_side_name(ev->side));
		STR(&w, "from", np_tcp_state_name(ev->st.from));
		STR(&w, "to", np_tcp_state_name(ev->st.to));
		break;
	case NP_EV_DUP_ACK:
		STR(&w, "side", np_side_name(ev->side));
		NUM(&w, "num", ev->dup.num);
		break;
	case NP_EV_RETRANSMISSION:
	case NP_EV_ZERO_WINDOW:
	case NP_EV_WINDOW_FULL:
	case NP_EV_OUT_OF_ORDER:
		STR(&w, "side", np_side_name(ev->side));
		break;
	case NP_EV_LADDER:
	case NP_EV_CONV_END: /* the pipeline's, never printed */
		break;
	case NP_EV_SYN_FLOOD: {
		static const char *const phases[] = { "start", "update", "end" };
		STR(&w, "phase", phases[ev->flood.phase]);
		ENDPOINT(&w, "target", &ev->flood.target);
		REAL(&w, "syn_rate", ev->flood.syn_rate);
		NUM(&w, "half_open", ev->flood.half_open);
		NUM(&w, "sources", ev->flood.sources);
		NUM(&w, "syns", ev->flood.syns);
		NUM(&w, "synacks", ev->flood.synacks);
		NUM(&w, "rsts", ev->flood.rsts);
		REAL(&w, "peak_rate", ev->flood.peak_rate);
		REAL(&w, "duration_s", ev->flood.duration_s);
		NUM(&w, "suppressed", ev->flood.suppressed);
		break;
	}
	}
	room(&w, 2);
	LIT(&w, "}\n");
	jw_flush(&w);
}

void np_print_summary_json(FILE *out, const struct np_track_stats *s, uint64_t frames,
			   uint64_t shown)
{
	char buf[JW_BUF];
	struct jw w;
	jw_init(&w, out, buf, sizeof buf);
	STR(&w, "type", "summary");
	NUM(&w, "schema", NP_JSON_SCHEMA);
	NUM(&w, "frames", frames);
	NUM(&w, "packets", shown);
	OPEN(&w, "protocols");
	NUM(&w, "tcp", s->tcp);
	NUM(&w, "udp", s->udp);
	NUM(&w, "icmp", s->icmp);
	NUM(&w, "icmp6", s->icmp6);
	NUM(&w, "arp", s->arp);
	NUM(&w, "other", s->other);
	NUM(&w, "ip4", s->ip4);
	NUM(&w, "ip6", s->ip6);
	close_obj(&w);
	OPEN(&w, "conversations");
	NUM(&w, "total", s->conversations);
	NUM(&w, "completed", s->completed);
	NUM(&w, "closed", s->closed);
	NUM(&w, "refused", s->refused);
	NUM(&w, "reset", s->reset);
	NUM(&w, "unanswered", s->unanswered);
	NUM(&w, "open", s->open);
	NUM(&w, "half_open", s->half_open);
	NUM(&w, "evicted", s->evicted);
	NUM(&w, "evicted_half_open", s->evicted_half_open);
	NUM(&w, "peak_in_use", s->max_conv_in_use);
	close_obj(&w);
	if (s->hs_count) {
		OPEN(&w, "handshake_ms");
		REAL(&w, "min", s->hs_min_ms);
		REAL(&w, "avg", s->hs_sum_ms / (double)s->hs_count);
		REAL(&w, "max", s->hs_max_ms);
		close_obj(&w);
	}
	NUM(&w, "flood_episodes", s->flood_episodes);
	KEY(&w, "top_talkers");
	*w.p++ = '[';
	for (uint32_t i = 0; i < s->ntop; i++) {
		if (i)
			ch(&w, ',');
		open_obj_sep(&w);
		NUM(&w, "conv", s->top[i].conv);
		ENDPOINT(&w, "client", &s->top[i].client);
		ENDPOINT(&w, "server", &s->top[i].server);
		NUM(&w, "bytes_c2s", s->top[i].bytes[0]);
		NUM(&w, "bytes_s2c", s->top[i].bytes[1]);
		NUM(&w, "packets", s->top[i].packets);
		close_obj(&w);
	}
	room(&w, 3);
	LIT(&w, "]}\n");
	jw_flush(&w);
}
