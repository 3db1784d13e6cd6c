/* sbuf.h - a bounded string builder for the formatters: writes never overflow, and a full
 * buffer just stops growing (the text is cut, never the stack). The text is always
 * NUL-terminated and at most cap - 1 bytes long.
 *
 * np_sb_printf is the general tool; the hand-rolled appenders below produce the same bytes as
 * the printf conversions named beside them, without the format parsing, and are what the
 * per-packet hot paths use. */
#ifndef NETPROBE_SBUF_H
#define NETPROBE_SBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct np_sbuf {
	char *buf;
	size_t cap;
	size_t len;
};

static inline struct np_sbuf np_sb_make(char *buf, size_t cap)
{
	struct np_sbuf sb = { buf, cap, 0 };
	if (cap)
		buf[0] = '\0';
	return sb;
}

void np_sb_printf(struct np_sbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Copies n <= 16 bytes as at most two overlapping fixed-size moves, which the compiler turns
 * into plain loads and stores: the pieces of a line are short, and a call to memcpy for each
 * cost more than the copying. */
static inline void np_sb_copy_short(char *d, const char *s, size_t n)
{
	if (n >= 8) {
		uint64_t a, b;
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + n - 8, &b, 8);
	} else if (n >= 4) {
		uint32_t a, b;
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		memcpy(d, &a, 4);
		memcpy(d + n - 4, &b, 4);
	} else {
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	}
}

/* n bytes of p ("%.*s"); cut at the end of the buffer. */
static inline void np_sb_mem(struct np_sbuf *sb, const void *p, size_t n)
{
	if (sb->len + 1 >= sb->cap)
		return;
	size_t room = sb->cap - sb->len - 1;
	if (n > room)
		n = room;
	if (n <= 16)
		np_sb_copy_short(sb->buf + sb->len, p, n);
	else
		memcpy(sb->buf + sb->len, p, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

/* "%s" */
static inline void np_sb_str(struct np_sbuf *sb, const char *s)
{
	np_sb_mem(sb, s, strlen(s));
}

/* "%c" */
static inline void np_sb_ch(struct np_sbuf *sb, char c)
{
	if (sb->len + 1 >= sb->cap)
		return;
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = '\0';
}

/* A string literal, its length known at compile time. */
#define np_sb_lit(sb, lit) np_sb_mem((sb), "" lit, sizeof(lit) - 1)

/* n copies of c ("%<n>s" padding); cut at the end of the buffer. */
static inline void np_sb_pad(struct np_sbuf *sb, size_t n, char c)
{
	if (sb->len + 1 >= sb->cap)
		return;
	size_t room = sb->cap - sb->len - 1;
	if (n > room)
		n = room;
	memset(sb->buf + sb->len, c, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

/* "%<width>s" (right-aligned) and "%-<width>s" (left-aligned) of n bytes of s. */
static inline void np_sb_rjust(struct np_sbuf *sb, const char *s, size_t n, size_t width)
{
	if (n < width)
		np_sb_pad(sb, width - n, ' ');
	np_sb_mem(sb, s, n);
}
static inline void np_sb_ljust(struct np_sbuf *sb, const char *s, size_t n, size_t width)
{
	np_sb_mem(sb, s, n);
	if (n < width)
		np_sb_pad(sb, width - n, ' ');
}

/* --- raw writers: the digits and addresses themselves, at a pointer the caller has made room
 * at (the string builder above and the JSON writer, src/print/jw.h, both write through them).
 * Each returns the end of what it wrote and writes no NUL. --- */

/* Decimal pairs "00".."99"; 10^0..10^19; "xx:" of each byte value (NUL-padded to 4 bytes). */
extern const char np_digits2[201];
extern const uint64_t np_pow10[20];
extern const char np_hex3[256][4];
/* Decimal text of each byte value, NUL-padded to 4 bytes (length: 1 + (b >= 10) + (b >= 100)). */
extern const char np_dec3[256][4];

/* Number of decimal digits of v (1 for 0): log10 from the bit length, then one comparison. */
static inline unsigned np_ndigits(uint64_t v)
{
	unsigned t = ((unsigned)(64 - __builtin_clzll(v | 1)) * 1233u) >> 12;
	return t + ((v | 1) >= np_pow10[t]);
}

/* "%0<width>" PRIu64 (pad '0') or "%<width>" PRIu64 (pad ' '): room for max(20, width) bytes. */
static inline char *np_put_uint(char *p, uint64_t v, unsigned width, char pad)
{
	/* Small numbers are the most common (flags, lengths, TTLs, relative sequence numbers). */
	if (v < 10 && width <= 1) {
		*p = (char)('0' + v);
		return p + 1;
	}
	if (v < 100 && width <= 2 && v >= 10) {
		memcpy(p, np_digits2 + v * 2, 2);
		return p + 2;
	}
	unsigned n = np_ndigits(v);
	if (n < width) {
		memset(p, pad, width - n);
		p += width - n;
	}
	char *end = p + n, *q = end;
	if (v >> 32) {
		while (v >= 100000000) {
			/* Eight digits at a time in 32-bit arithmetic. */
			uint32_t lo = (uint32_t)(v % 100000000);
			v /= 100000000;
			for (int i = 0; i < 4; i++) {
				unsigned d = (lo % 100) * 2;
				lo /= 100;
				*--q = np_digits2[d + 1];
				*--q = np_digits2[d];
			}
		}
	}
	uint32_t u = (uint32_t)v;
	while (u >= 100) {
		unsigned d = (u % 100) * 2;
		u /= 100;
		*--q = np_digits2[d + 1];
		*--q = np_digits2[d];
	}
	if (u >= 10) {
		*--q = np_digits2[u * 2 + 1];
		*--q = np_digits2[u * 2];
	} else {
		*--q = (char)('0' + u);
	}
	return end;
}

/* Dotted quad of 4 bytes in network order (inet_ntop AF_INET): room for 16 bytes. */
static inline char *np_put_ip4(char *p, const uint8_t a[4])
{
	for (int i = 0; i < 4; i++) {
		unsigned b = a[i];
		memcpy(p, np_dec3[b], 4);
		p += 1 + (b >= 10) + (b >= 100);
		*p++ = '.';
	}
	return p - 1; /* no dot after the last byte */
}

/* "xx:xx:..." of n > 0 bytes (lowercase, as "%02x" joined by ':'): room for 3 * n + 1 bytes. */
static inline char *np_put_mac(char *p, const uint8_t *m, size_t n)
{
	for (size_t i = 0; i < n; i++, p += 3)
		memcpy(p, np_hex3[m[i]], 4);
	return p - 1; /* no colon after the last byte */
}

/* " <name>=<v>": a numeric field of a text line, its name a literal ("" lit "" checks that). */
#define np_sb_field(sb, lit, v) np_sb_field_u((sb), "" lit, sizeof(lit) - 1, (v))

/* "%0<width>" PRIu64 when pad is '0', "%<width>" PRIu64 when pad is ' ' (width 0: "%" PRIu64). */
void np_sb_uint(struct np_sbuf *sb, uint64_t v, unsigned width, char pad);
/* "%" PRId64 */
void np_sb_int(struct np_sbuf *sb, int64_t v);
/* "%0<digits>x" (lowercase; more digits if v needs them) */
void np_sb_hex(struct np_sbuf *sb, uint64_t v, unsigned digits);
/* Dotted quad of 4 bytes in network order (inet_ntop AF_INET). */
void np_sb_ip4(struct np_sbuf *sb, const uint8_t a[4]);
/* RFC 5952 text of 16 bytes (inet_ntop AF_INET6, glibc's output). */
void np_sb_ip6(struct np_sbuf *sb, const uint8_t a[16]);

static inline void np_sb_field_u(struct np_sbuf *sb, const char *name, size_t n, uint64_t v)
{
	np_sb_mem(sb, name, n);
	np_sb_uint(sb, v, 0, ' ');
}

#endif
