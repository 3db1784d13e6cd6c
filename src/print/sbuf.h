/* sbuf.h - a bounded string builder for the formatters: writes never overflow, and a full
 * buffer just stops growing (the text is cut, never the stack). */
#ifndef NETPROBE_SBUF_H
#define NETPROBE_SBUF_H

#include <stdarg.h>
#include <stddef.h>

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

#endif
