/* cursor.h - bounds-checked reader over captured packet bytes (the only code that touches them). */
#ifndef NETPROBE_CURSOR_H
#define NETPROBE_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A window [base, base+len) of captured bytes with a read position. Every read either succeeds
 * completely or fails without moving, so a short capture can never be read past its end. */
struct np_cursor {
	const uint8_t *base;
	size_t len;
	size_t off;
};

static inline struct np_cursor np_cur_make(const uint8_t *base, size_t len)
{
	struct np_cursor c = { base, len, 0 };
	return c;
}

static inline size_t np_cur_left(const struct np_cursor *c)
{
	return c->len - c->off;
}

static inline bool np_cur_has(const struct np_cursor *c, size_t n)
{
	return np_cur_left(c) >= n;
}

static inline const uint8_t *np_cur_ptr(const struct np_cursor *c)
{
	return c->base + c->off;
}

static inline bool np_cur_skip(struct np_cursor *c, size_t n)
{
	if (!np_cur_has(c, n))
		return false;
	c->off += n;
	return true;
}

static inline bool np_cur_u8(struct np_cursor *c, uint8_t *v)
{
	if (!np_cur_has(c, 1))
		return false;
	*v = c->base[c->off++];
	return true;
}

static inline bool np_cur_u16(struct np_cursor *c, uint16_t *v)
{
	if (!np_cur_has(c, 2))
		return false;
	const uint8_t *p = c->base + c->off;
	*v = (uint16_t)((p[0] << 8) | p[1]);
	c->off += 2;
	return true;
}

static inline bool np_cur_u32(struct np_cursor *c, uint32_t *v)
{
	if (!np_cur_has(c, 4))
		return false;
	const uint8_t *p = c->base + c->off;
	*v = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
	c->off += 4;
	return true;
}

static inline bool np_cur_bytes(struct np_cursor *c, void *dst, size_t n)
{
	if (!np_cur_has(c, n))
		return false;
	const uint8_t *src = c->base + c->off;
	uint8_t *d = dst;
	for (size_t i = 0; i < n; i++)
		d[i] = src[i];
	c->off += n;
	return true;
}

/* Peek at the byte `at` positions ahead without moving. */
static inline bool np_cur_peek_u8(const struct np_cursor *c, size_t at, uint8_t *v)
{
	if (!np_cur_has(c, at + 1))
		return false;
	*v = c->base[c->off + at];
	return true;
}

/* A sub-cursor over the next `n` bytes, clamped to what was captured. Returns false when fewer
 * than `n` bytes are left (the sub-cursor then holds what there is: the layer is truncated). */
static inline bool np_cur_sub(const struct np_cursor *c, size_t n, struct np_cursor *sub)
{
	size_t left = np_cur_left(c);
	sub->base = c->base + c->off;
	sub->off = 0;
	sub->len = n <= left ? n : left;
	return n <= left;
}

/* The rest of the cursor from its position, as a fresh cursor starting at 0. */
static inline struct np_cursor np_cur_rest(const struct np_cursor *c)
{
	return np_cur_make(c->base + c->off, np_cur_left(c));
}

/* One's-complement sum (RFC 1071) of n bytes at the cursor position, without moving;
 * false if fewer than n bytes are there. */
bool np_cur_sum16(const struct np_cursor *c, size_t n, uint32_t *sum);

/* Fold a one's-complement sum to 16 bits (RFC 1071); ~ of it is the checksum field. Inline:
 * every TCP/UDP/IP checksum verdict folds three times per packet. */
static inline uint16_t np_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)sum;
}

#endif
