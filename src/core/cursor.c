/* cursor.c - the out-of-line part of the bounds-checked cursor: the Internet checksum (RFC 1071). */
#include <string.h>

#include "netprobe/cursor.h"

static uint64_t fold16(uint64_t s)
{
	while (s >> 16)
		s = (s & 0xffffu) + (s >> 16);
	return s;
}

/* RFC 1071 s2(B): the one's-complement sum does not depend on byte order, so the bytes are
 * summed as native 32-bit words (4 bytes a step instead of 2, no shifts), and the folded
 * 16-bit result swapped to network order on a little-endian host. The result is the same
 * number as summing big-endian 16-bit words: zero only when every word is zero, otherwise the
 * same residue modulo 0xffff in 1..0xffff (checked against that loop in test_cursor.c). */
bool np_cur_sum16(const struct np_cursor *c, size_t n, uint32_t *sum)
{
	if (!np_cur_has(c, n))
		return false;
	const uint8_t *p = c->base + c->off;
	uint64_t s = 0;
	size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		uint32_t w[4];
		memcpy(w, p + i, sizeof w);
		s += (uint64_t)w[0] + w[1] + w[2] + w[3];
	}
	for (; i + 4 <= n; i += 4) {
		uint32_t w;
		memcpy(&w, p + i, sizeof w);
		s += w;
	}
	if (i + 2 <= n) {
		uint16_t w;
		memcpy(&w, p + i, sizeof w);
		s += w;
		i += 2;
	}
	if (i < n) {
		/* odd length: pad with a zero byte (RFC 1071 s4.1); the byte is the first of a
		 * 16-bit word, which is its high byte in network order */
		uint8_t w[2] = { p[i], 0 };
		uint16_t v;
		memcpy(&v, w, sizeof v);
		s += v;
	}
	s = fold16(s);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	s = (uint16_t)((s >> 8) | (s << 8));
#endif
	*sum = (uint32_t)fold16(s + *sum);
	return true;
}

