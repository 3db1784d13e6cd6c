/* dns_svcb.c - SVCB and HTTPS record data (RFC 9460 s2.2; dohpath RFC 9461, ohttp RFC 9540):
 * SvcPriority, TargetName (never compressed, s2.2: a pointer is invalid) and the SvcParams one
 * by one through the cursor, each within the record's data. The data text is dig's
 * presentation ("1 . alpn="h2,h3" port=443"); each value is also kept as Wireshark shows it
 * after "key=" ("h2,h3"), base64 for ech (s2.1 of draft-ietf-tls-svcb-ech). */
#include <string.h>

#include "decode/internal.h"
#include "core/sbuf.h"
#include "proto/dns_int.h"

#define VALUE_MAX 768 /* a value whose text is longer is not kept one by one */
#define DATA_MAX 1400 /* a record whose text is longer keeps no data text */

void np_dns_svc_key(struct np_sbuf *sb, uint16_t key)
{
	static const char *const n[] = { "mandatory", "alpn", "no-default-alpn", "port",
					 "ipv4hint", "ech", "ipv6hint", "dohpath", "ohttp" };
	if (key < sizeof n / sizeof n[0]) {
		np_sb_str(sb, n[key]);
	} else {
		np_sb_lit(sb, "key");
		np_sb_uint(sb, key, 0, ' ');
	}
}

/* Whether the builder ran out of room (its text may be cut). */
static bool full(const struct np_sbuf *sb)
{
	return sb->len + 1 >= sb->cap;
}

/* A string into the message's text pool: its offset, NP_DNS_NONE when it does not fit. */
static uint16_t keep_str(struct np_dns *d, const char *s)
{
	size_t n = strlen(s) + 1, cap;
	char *o = np_dns_text_room(d, n, &cap);
	if (!o || cap < n)
		return NP_DNS_NONE;
	memcpy(o, s, n);
	return np_dns_text_keep(d);
}

/* n bytes (the caller checked they are there) as text: printing ASCII as is, '\' and the
 * characters of `esc` after a '\', the rest as \DDD (RFC 1035 s5.1, RFC 9460 s2.1). */
static void put_chars(struct np_sbuf *sb, struct np_cursor *v, size_t n, const char *esc)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t b = 0;
		(void)np_cur_u8(v, &b);
		if (b < 0x20 || b > 0x7e) {
			np_sb_ch(sb, '\\');
			np_sb_uint(sb, b, 3, '0');
			continue;
		}
		if (b == '\\' || (*esc && strchr(esc, b)))
			np_sb_ch(sb, '\\');
		np_sb_ch(sb, (char)b);
	}
}

/* RFC 4648 s4 base64 of the rest of v. */
static void put_base64(struct np_sbuf *sb, struct np_cursor *v)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	while (np_cur_left(v) && !full(sb)) {
		uint8_t b[3] = { 0, 0, 0 };
		size_t k = np_cur_left(v) < 3 ? np_cur_left(v) : 3;
		(void)np_cur_bytes(v, b, k);
		uint32_t x = (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2];
		np_sb_ch(sb, abc[(x >> 18) & 63]);
		np_sb_ch(sb, abc[(x >> 12) & 63]);
		np_sb_ch(sb, k > 1 ? abc[(x >> 6) & 63] : '=');
		np_sb_ch(sb, k > 2 ? abc[x & 63] : '=');
	}
}

/* Addresses of `size` bytes, comma-separated: ipv4hint, ipv6hint (at least one, s7.3). */
static enum np_verdict put_hints(struct np_sbuf *sb, struct np_cursor *v, size_t size)
{
	size_t n = np_cur_left(v);
	if (n == 0 || n % size)
		return NP_INVALID;
	uint8_t a[16];
	for (bool first = true; np_cur_bytes(v, a, size); first = false) {
		if (!first)
			np_sb_ch(sb, ',');
		if (size == 4)
			np_sb_ip4(sb, a);
		else
			np_sb_ip6(sb, a);
	}
	return NP_OK;
}

/* The alpn value (s7.1): one or more length-prefixed protocol ids, comma-separated. */
static enum np_verdict put_alpn(struct np_sbuf *sb, struct np_cursor *v, bool dig)
{
	if (!np_cur_left(v))
		return NP_INVALID;
	for (bool first = true; np_cur_left(v); first = false) {
		uint8_t len = 0;
		(void)np_cur_u8(v, &len);
		if (len == 0 || !np_cur_has(v, len))
			return NP_INVALID; /* an empty id, or one past the value */
		if (!first)
			np_sb_ch(sb, ',');
		put_chars(sb, v, len, dig ? ",\"" : "");
	}
	return NP_OK;
}

/* A value's text (v: exactly its bytes): as dig presents it (quoted strings, s2.1), or as
 * Wireshark shows it after "key=". Every byte is read, or the value is NP_INVALID. */
static enum np_verdict svc_value(struct np_sbuf *sb, uint16_t key, struct np_cursor v, bool dig)
{
	size_t n = np_cur_left(&v);
	const char *q = dig ? "\"" : "";
	enum np_verdict r = NP_OK;
	uint16_t u;
	switch (key) {
	case 0: /* mandatory: keys (s8) */
		if (n == 0 || n % 2)
			return NP_INVALID;
		for (bool first = true; np_cur_u16(&v, &u); first = false) {
			if (!first)
				np_sb_ch(sb, ',');
			np_dns_svc_key(sb, u);
		}
		return NP_OK;
	case 1:
		np_sb_str(sb, q);
		r = put_alpn(sb, &v, dig);
		np_sb_str(sb, q);
		return r;
	case 2: /* no-default-alpn (s7.1), ohttp (RFC 9540 s4): no value */
	case 8:
		return n ? NP_INVALID : NP_OK;
	case 3: /* port (s7.2) */
		if (n != 2 || !np_cur_u16(&v, &u))
			return NP_INVALID;
		np_sb_uint(sb, u, 0, ' ');
		return NP_OK;
	case 4:
		return put_hints(sb, &v, 4);
	case 6:
		return put_hints(sb, &v, 16);
	case 5: /* ech: an ECHConfigList, in base64 as dig and Wireshark show it */
		put_base64(sb, &v);
		return NP_OK;
	default: /* dohpath (RFC 9461 s5) and unknown keys: a string (s2.1) */
		if (!n)
			return NP_OK;
		np_sb_str(sb, q);
		put_chars(sb, &v, n, dig ? "\"" : "");
		np_sb_str(sb, q);
		return NP_OK;
	}
}

/* One SvcParam at r: its text onto ds and, with room, its value kept in s. */
static enum np_verdict svc_param(struct np_dns *d, struct np_dns_svcb *s, struct np_cursor *r,
				 struct np_sbuf *ds)
{
	uint16_t key, len;
	struct np_cursor v;
	/* The record's data is all there: a parameter that runs past it lies. */
	if (!np_cur_u16(r, &key) || !np_cur_u16(r, &len) || !np_cur_sub(r, len, &v))
		return NP_INVALID;
	(void)np_cur_skip(r, len);
	np_sb_ch(ds, ' ');
	np_dns_svc_key(ds, key);
	if (len)
		np_sb_ch(ds, '=');
	enum np_verdict ver = svc_value(ds, key, v, true);
	if (ver != NP_OK || !s)
		return ver;
	if (s->nparams == NP_DNS_MAX_SVCP) {
		s->more = true;
		return NP_OK;
	}
	struct np_dns_svcp *sp = &s->p[s->nparams++];
	sp->key = key;
	sp->len = len;
	sp->value = NP_DNS_NONE;
	char val[VALUE_MAX];
	struct np_sbuf vs = np_sb_make(val, sizeof val);
	(void)svc_value(&vs, key, v, false); /* the same bytes: the same verdict */
	if (!full(&vs))
		sp->value = keep_str(d, val);
	return NP_OK;
}

enum np_verdict np_dns_svcb(struct np_dns *d, struct np_dns_rr *rr, const struct np_cursor *msg,
			    size_t at)
{
	if (at > msg->len || rr->rdlen > msg->len - at)
		return NP_TRUNCATED; /* record() checks this first; kept so no caller can over-read */
	struct np_cursor r = *msg; /* the record's data alone */
	r.off = at;
	r.len = at + rr->rdlen;
	uint16_t prio;
	if (!np_cur_u16(&r, &prio))
		return NP_INVALID;
	char target[1100];
	size_t off = r.off;
	if (np_dns_name_walk(&r, &off, target, sizeof target, 0) != NP_OK)
		return NP_INVALID; /* past the data, compressed, or too long */
	bool root = off == r.off + 1;
	r.off = off;
	struct np_dns_svcb *s = d->nsvcb < NP_DNS_MAX_SVCB ? &d->svcb[d->nsvcb] : NULL;
	if (s) {
		memset(s, 0, offsetof(struct np_dns_svcb, p));
		s->priority = prio;
		s->target = keep_str(d, target);
	}
	char data[DATA_MAX];
	struct np_sbuf ds = np_sb_make(data, sizeof data);
	np_sb_uint(&ds, prio, 0, ' ');
	np_sb_ch(&ds, ' ');
	np_sb_str(&ds, root ? "." : target);
	while (np_cur_left(&r)) {
		enum np_verdict v = svc_param(d, s, &r, &ds);
		if (v != NP_OK)
			return v;
	}
	if (s)
		rr->svcb = ++d->nsvcb;
	if (!full(&ds))
		rr->data = keep_str(d, data);
	return NP_OK;
}
