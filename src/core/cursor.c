/* cursor.c - the out-of-line part of the bounds-checked cursor: the Internet checksum (RFC 1071). */
#include <string.h>

#include "netprobe/cursor.h"
#include "netprobe/hot.h"

static uint64_t fold16(uint64_t s)
{
	while (s >> 16)
		s = (s & 0xffffu) + (s >> 16);
	return s;
}

/* Four 32-bit lanes (GCC's vector extensions: SSE2 on x86-64, NEON on arm64, plain code
 * elsewhere). */
typedef uint32_t v4u32 __attribute__((vector_size(16)));

/* The sum of the 32-byte blocks at p, two 16-byte vectors a step: the low and the high 16-bit
 * half of every 32-bit word summed apart, in 32-bit lanes (65536 = 1 modulo 0xffff, so their
 * total has the residue of the 32-bit words' sum, and is zero only when they are). A lane gains
 * at most 2 * 0xffff a step: the lanes are emptied into 64 bits every 16,384 steps (512 KiB),
 * long before 32,768 could overflow them. Half the instructions of the scalar loop below. */
static uint64_t sum_blocks(const uint8_t *p, size_t nblk)
{
	uint64_t s = 0;
	while (nblk) {
		size_t k = nblk < 16384 ? nblk : 16384;
		v4u32 lo = { 0, 0, 0, 0 }, hi = { 0, 0, 0, 0 };
		for (size_t j = 0; j < k; j++, p += 32) {
			v4u32 a, b;
			memcpy(&a, p, sizeof a);
			memcpy(&b, p + 16, sizeof b);
			lo += (a & 0xffff) + (b & 0xffff);
			hi += (a >> 16) + (b >> 16);
		}
		for (int l = 0; l < 4; l++)
			s += (uint64_t)lo[l] + hi[l];
		nblk -= k;
	}
	return s;
}

/* RFC 1071 s2(B): the one's-complement sum does not depend on byte order, so the bytes are
 * summed as native 32-bit words (4 bytes a step instead of 2, no shifts), and the folded
 * 16-bit result swapped to network order on a little-endian host. The result is the same
 * number as summing big-endian 16-bit words: zero only when every word is zero, otherwise the
 * same residue modulo 0xffff in 1..0xffff (checked against that loop in test_cursor.c). */
NP_HOT bool np_cur_sum16(const struct np_cursor *c, size_t n, uint32_t *sum)
{
	if (!np_cur_has(c, n))
		return false;
	const uint8_t *p = c->base + c->off;
	size_t i = n & ~(size_t)31;
	uint64_t s = sum_blocks(p, i / 32);
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

