/* sbuf.c - bounded string builder. */
#include <stdio.h>

#include "sbuf.h"

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
