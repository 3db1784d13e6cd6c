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

/* n bytes of p ("%.*s"); cut at the end of the buffer. */
static inline void np_sb_mem(struct np_sbuf *sb, const void *p, size_t n)
{
	if (sb->len + 1 >= sb->cap)
		return;
	size_t room = sb->cap - sb->len - 1;
	if (n > room)
		n = room;
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

#endif
