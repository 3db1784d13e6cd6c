/* sbuf.c - bounded string builder and its hand-rolled appenders. */
#include <stdio.h>

#include "sbuf.h"
#include "netprobe/hot.h"

void np_sb_printf(struct np_sbuf *sb, const char *fmt, ...)
{
	if (sb->len + 1 >= sb->cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sb->len += (size_t)n < sb->cap - sb->len ? (size_t)n : sb->cap - sb->len - 1;
}

/* Two digits at a time from a table: the usual trick, half the divisions. */
const char np_digits2[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

const uint64_t np_pow10[20] = {
	1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull, 100000000ull,
	1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull, 10000000000000ull,
	100000000000000ull, 1000000000000000ull, 10000000000000000ull, 100000000000000000ull,
	1000000000000000000ull, 10000000000000000000ull,
};

/* "xx:" for each byte value: a link-layer address is one short copy per byte. */
const char np_hex3[256][4] = {
#define H(n) { "0123456789abcdef"[(n) >> 4], "0123456789abcdef"[(n) & 15], ':', 0 }
#define H16(b) H(b), H(b + 1), H(b + 2), H(b + 3), H(b + 4), H(b + 5), H(b + 6), H(b + 7), \
		H(b + 8), H(b + 9), H(b + 10), H(b + 11), H(b + 12), H(b + 13), H(b + 14), H(b + 15)
	H16(0x00), H16(0x10), H16(0x20), H16(0x30), H16(0x40), H16(0x50), H16(0x60), H16(0x70),
	H16(0x80), H16(0x90), H16(0xa0), H16(0xb0), H16(0xc0), H16(0xd0), H16(0xe0), H16(0xf0),
#undef H16
#undef H
};

/* Decimal text of each byte value, NUL-padded to 4 bytes, and its length: a dotted quad is
 * four 4-byte copies (inet_ntop's text). */
const char np_dec3[256][4] = {
#define D1(n) { (char)('0' + (n)), 0, 0, 0 }
#define D2(n) { (char)('0' + (n) / 10), (char)('0' + (n) % 10), 0, 0 }
#define D3(n) { (char)('0' + (n) / 100), (char)('0' + (n) / 10 % 10), (char)('0' + (n) % 10), 0 }
#define R10(m, b) m(b), m(b + 1), m(b + 2), m(b + 3), m(b + 4), m(b + 5), m(b + 6), m(b + 7), \
		   m(b + 8), m(b + 9)
	R10(D1, 0), R10(D2, 10), R10(D2, 20), R10(D2, 30), R10(D2, 40), R10(D2, 50), R10(D2, 60),
	R10(D2, 70), R10(D2, 80), R10(D2, 90),
	R10(D3, 100), R10(D3, 110), R10(D3, 120), R10(D3, 130), R10(D3, 140), R10(D3, 150),
	R10(D3, 160), R10(D3, 170), R10(D3, 180), R10(D3, 190), R10(D3, 200), R10(D3, 210),
	R10(D3, 220), R10(D3, 230), R10(D3, 240),
	D3(250), D3(251), D3(252), D3(253), D3(254), D3(255),
#undef R10
#undef D3
#undef D2
#undef D1
};

NP_HOT void np_sb_uint(struct np_sbuf *sb, uint64_t v, unsigned width, char pad)
{
	if (width > 40)
		width = 40;
	if (sb->len + 21 + width < sb->cap) {
		/* Room for all of it (and the NUL): write in place, the usual case. */
		char *end = np_put_uint(sb->buf + sb->len, v, width, pad);
		*end = '\0';
		sb->len = (size_t)(end - sb->buf);
		return;
	}
	char tmp[64];
	np_sb_mem(sb, tmp, (size_t)(np_put_uint(tmp, v, width, pad) - tmp));
}

void np_sb_int(struct np_sbuf *sb, int64_t v)
{
	char tmp[24];
	char *p = tmp;
	/* The magnitude of INT64_MIN does not fit in int64_t: negate in unsigned arithmetic. */
	if (v < 0)
		*p++ = '-';
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	np_sb_mem(sb, tmp, (size_t)(np_put_uint(p, mag, 0, ' ') - tmp));
}

void np_sb_hex(struct np_sbuf *sb, uint64_t v, unsigned digits)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[24];
	char *end = tmp + sizeof tmp;
	char *p = end;
	if (digits > 16)
		digits = 16;
	do {
		*--p = hex[v & 0xf];
		v >>= 4;
	} while (v);
	while ((size_t)(end - p) < digits)
		*--p = '0';
	np_sb_mem(sb, p, (size_t)(end - p));
}

NP_HOT void np_sb_ip4(struct np_sbuf *sb, const uint8_t a[4])
{
	if (sb->len + 16 < sb->cap) {
		char *end = np_put_ip4(sb->buf + sb->len, a);
		*end = '\0';
		sb->len = (size_t)(end - sb->buf);
		return;
	}
	char tmp[20]; /* 16 for np_put_ip4; the slack keeps -Warray-bounds quiet about np_sb_mem */
	np_sb_mem(sb, tmp, (size_t)(np_put_ip4(tmp, a) - tmp));
}

NP_HOT void np_sb_ip6(struct np_sbuf *sb, const uint8_t a[16])
{
	static const char hex[] = "0123456789abcdef";
	unsigned w[8];
	for (int i = 0; i < 8; i++)
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];

	/* RFC 5952 4.2: the longest run of two or more zero groups becomes "::" (the first such
	 * run on a tie). */
	int best = -1, best_len = 0;
	for (int i = 0; i < 8;) {
		if (w[i] != 0) {
			i++;
			continue;
		}
		int j = i;
		while (j < 8 && w[j] == 0)
			j++;
		if (j - i > best_len && j - i >= 2) {
			best = i;
			best_len = j - i;
		}
		i = j;
	}

	char tmp[48];
	size_t n = 0;
	/* IPv4-mapped (::ffff:a.b.c.d) and the deprecated IPv4-compatible form (::a.b.c.d, not
	 * ::1 or ::): glibc writes the last 32 bits as a dotted quad, as RFC 5952 section 5 asks. */
	if (best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff)) &&
	    (best_len == 5 || w[6] != 0)) {
		if (best_len == 5) {
			memcpy(tmp, "::ffff:", 7);
			n = 7;
		} else {
			tmp[n++] = ':';
			tmp[n++] = ':';
		}
		struct np_sbuf q = np_sb_make(tmp + n, sizeof tmp - n);
		np_sb_ip4(&q, a + 12);
		np_sb_mem(sb, tmp, n + q.len);
		return;
	}
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			tmp[n++] = ':';
			if (i == 0)
				tmp[n++] = ':';
			i += best_len - 1;
			continue;
		}
		unsigned v = w[i];
		int started = 0;
		for (int shift = 12; shift >= 0; shift -= 4) {
			unsigned nib = (v >> shift) & 0xf;
			if (nib || started || shift == 0) {
				tmp[n++] = hex[nib];
				started = 1;
			}
		}
		if (i < 7)
			tmp[n++] = ':';
	}
	np_sb_mem(sb, tmp, n);
}
