/* cursor.c - the out-of-line part of the bounds-checked cursor: the Internet checksum (RFC 1071). */
#include "netprobe/cursor.h"

bool np_cur_sum16(const struct np_cursor *c, size_t n, uint32_t *sum)
{
	if (!np_cur_has(c, n))
		return false;
	const uint8_t *p = c->base + c->off;
	uint64_t s = *sum;
	size_t i = 0;
	for (; i + 1 < n; i += 2)
		s += (uint32_t)((p[i] << 8) | p[i + 1]);
	if (i < n)
		s += (uint32_t)(p[i] << 8); /* odd length: pad with a zero byte (RFC 1071 s4.1) */
	while (s >> 16)
		s = (s & 0xffffu) + (s >> 16);
	*sum = (uint32_t)s;
	return true;
}
