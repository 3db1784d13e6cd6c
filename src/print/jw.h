/* jw.h - the JSON writer the --json printer and the protocol units' JSON renderers share: an
 * object is built in a caller's buffer with hand-rolled appenders and written with one fwrite;
 * no printf and no allocation per packet. A buffer that fills up (only an object with very long
 * strings could) is written out and reused, so no object is ever cut. */
#ifndef NETPROBE_PRINT_JW_H
#define NETPROBE_PRINT_JW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "netprobe/print.h"
#include "core/sbuf.h"

/* A packet object is 300 to 900 bytes; 4 KiB holds every one whose strings are of normal
 * length (the longest lists, 40 TCP options and 8 problems, stay under 3 KiB). */
#define JW_BUF 4096
/* The most bytes one key and its scalar value take (strings check their room as they go). */
#define JW_ITEM 128

struct np_jw {
	FILE *o;
	char *buf, *p, *end;
	/* What goes before the next key: '{' when it is the first of its object (so the brace is
	 * written by the first key, and an empty object by close_obj), ',' otherwise. */
	char sep;
};

static inline void jw_init(struct np_jw *restrict w, FILE *o, char *buf, size_t cap)
{
	w->o = o;
	w->buf = w->p = buf;
	w->end = buf + cap;
	w->sep = '{';
}

static inline void jw_flush(struct np_jw *restrict w)
{
	fwrite(w->buf, 1, (size_t)(w->p - w->buf), w->o);
	w->p = w->buf;
}

/* At least n (<= JW_BUF) free bytes. */
static inline void room(struct np_jw *restrict w, size_t n)
{
	if ((size_t)(w->end - w->p) < n)
		jw_flush(w);
}

static inline void lit(struct np_jw *restrict w, const char *s, size_t n)
{
	memcpy(w->p, s, n);
	w->p += n;
}
#define LIT(w, s) lit(w, s, sizeof(s) - 1)

/* `s` is ,"name": whose comma is replaced by the separator; makes room for the value too. */
static inline void jw_key(struct np_jw *restrict w, const char *s, size_t n)
{
	room(w, n + JW_ITEM);
	memcpy(w->p, s, n);
	*w->p = w->sep;
	w->p += n;
	w->sep = ',';
}
#define KEY(w, k) jw_key(w, ",\"" k "\":", sizeof(",\"" k "\":") - 1)

static inline void open_obj_sep(struct np_jw *restrict w)
{
	w->sep = '{';
}
#define OPEN(w, k) (KEY(w, k), open_obj_sep(w))

static inline void close_obj(struct np_jw *restrict w)
{
	room(w, 2);
	if (w->sep == '{')
		*w->p++ = '{';
	*w->p++ = '}';
	w->sep = ',';
}

static inline void ch(struct np_jw *restrict w, char c)
{
	room(w, 1);
	*w->p++ = c;
}

/* "%" PRIu64 with at least `width` digits ("%0<width>" PRIu64); room is the caller's. */
static inline void put_uint(struct np_jw *restrict w, uint64_t v, unsigned width)
{
	w->p = np_put_uint(w->p, v, width, '0');
}

/* "%" PRId64 */
static inline void put_int(struct np_jw *restrict w, int64_t v)
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

static inline void put_bool(struct np_jw *restrict w, bool v)
{
	if (v)
		LIT(w, "true");
	else
		LIT(w, "false");
}
#define BOOL(w, k, v) (KEY(w, k), put_bool(w, (v)))

/* A JSON string. Ours are names and formatted addresses; escape anyway so the output stays
 * JSON whatever a future caller passes (RFC 8259 section 7). */
static inline void put_str_escaped(struct np_jw *restrict w, const char *s)
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

/* Inlined at every call, as it was when json.c held every renderer (out of line, the call
 * cost the --json output 0.7% of its instructions). */
static inline __attribute__((always_inline)) void put_str(struct np_jw *restrict w,
							   const char *s)
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

/* Room for 48 bytes (JW_ITEM covers it). */
static inline void put_addr(struct np_jw *restrict w, int ver, const uint8_t *a)
{
	*w->p++ = '"';
	if (ver == 6) {
		struct np_sbuf sb = { w->p, (size_t)(w->end - w->p), 0 };
		np_sb_ip6(&sb, a);
		w->p += sb.len;
	} else {
		w->p = np_put_ip4(w->p, a);
	}
	*w->p++ = '"';
}
#define ADDR(w, k, ver, a) (KEY(w, k), put_addr(w, (ver), (a)))

/* "xx:xx:...", as np_fmt_mac: the decoder keeps at most 8 address bytes. */
static inline void put_mac(struct np_jw *restrict w, const uint8_t *m, size_t n)
{
	*w->p++ = '"';
	if (n)
		w->p = np_put_mac(w->p, m, n > 8 ? 8 : n);
	*w->p++ = '"';
}
#define MAC(w, k, m, n) (KEY(w, k), put_mac(w, (m), (n)))

/* "sec.usec" with six decimals at least, as "%" PRId64 ".%06u". */
static inline void put_ts(struct np_jw *restrict w, int64_t sec, uint32_t usec)
{
	*w->p++ = '"';
	put_int(w, sec);
	*w->p++ = '.';
	put_uint(w, usec, 6);
	*w->p++ = '"';
}

/* One element of a list of numbers: "[" or "," then the number. */
static inline void list_uint(struct np_jw *restrict w, bool first, uint64_t v)
{
	room(w, 24);
	*w->p++ = first ? '[' : ',';
	put_uint(w, v, 0);
}

static inline void json_csum(struct np_jw *restrict w, uint16_t csum, enum np_csum status)
{
	NUM(w, "csum", csum);
	STR(w, "csum_status", np_csum_name(status));
}

/* A list of names: ["A","B"], or [] for none. */
static inline void list_names_open(struct np_jw *restrict w)
{
	room(w, 1);
	*w->p++ = '[';
}

static inline void list_name(struct np_jw *restrict w, bool first, const char *s)
{
	if (!first)
		ch(w, ',');
	put_str(w, s);
}

/* A key named at run time (a unit's): the separator, then "key":, with room for the value. */
static inline void dyn_key(struct np_jw *restrict w, const char *k)
{
	room(w, JW_ITEM);
	*w->p++ = w->sep;
	w->sep = ',';
	put_str(w, k);
	ch(w, ':');
}

#endif
