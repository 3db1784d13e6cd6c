/* testutil.h - shared helpers for the decoder and printer unit tests: an independent RFC 1071
 * checksum to fill in test packets, decoding from an exact-size heap copy (so ASan flags any read
 * past caplen), and the every-prefix check of STYLE habit 10. Everything here is static inline. */
#ifndef NETPROBE_TESTUTIL_H
#define NETPROBE_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/dlt.h>

#include "netprobe/decode.h"
#include "netprobe/packet.h"

#define T_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- building packets ------------------------------------------------------------------ */

static inline void t_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint16_t t_get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/* Append `len` bytes to a frame being put together from per-layer byte vectors. */
static inline void t_append(uint8_t *out, uint32_t *n, const void *src, size_t len)
{
	if (len)
		memcpy(out + *n, src, len);
	*n += (uint32_t)len;
}

/* RFC 1071 one's-complement sum, written apart from the decoder's so the two check each other:
 * add 16-bit big-endian words into a wide accumulator, pad an odd byte with zero, fold at the end. */
static inline uint64_t t_sum_add(uint64_t acc, const uint8_t *d, size_t n)
{
	size_t i;
	for (i = 0; i + 1 < n; i += 2)
		acc += (uint64_t)d[i] * 256u + d[i + 1];
	if (n & 1)
		acc += (uint64_t)d[n - 1] * 256u;
	return acc;
}

static inline uint16_t t_sum_finish(uint64_t acc)
{
	while (acc > 0xffff)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

/* Fill in the header checksum of the IPv4 header at `ip` (its IHL gives the length). */
static inline void t_fix_ip4(uint8_t *ip)
{
	size_t hlen = (size_t)(ip[0] & 0x0f) * 4;
	t_put16(ip + 10, 0);
	t_put16(ip + 10, t_sum_finish(t_sum_add(0, ip, hlen)));
}

/* Fill in a transport checksum (TCP/UDP/ICMP) carried in IPv4. `ip` is the IPv4 header, the
 * transport header follows its options, `csum_at` is the checksum's offset in the transport
 * header. The transport length comes from the IPv4 total length. ICMP (1) has no pseudo-header. */
static inline void t_fix_l4_ip4(uint8_t *ip, size_t csum_at)
{
	size_t hlen = (size_t)(ip[0] & 0x0f) * 4;
	size_t l4len = t_get16(ip + 2) - hlen;
	uint8_t proto = ip[9];
	uint8_t *l4 = ip + hlen;
	uint64_t acc = 0;
	if (proto != 1) {
		uint8_t pseudo[12];
		memcpy(pseudo, ip + 12, 8); /* source, destination */
		pseudo[8] = 0;
		pseudo[9] = proto;
		t_put16(pseudo + 10, (uint16_t)l4len);
		acc = t_sum_add(acc, pseudo, sizeof pseudo);
	}
	t_put16(l4 + csum_at, 0);
	uint16_t s = t_sum_finish(t_sum_add(acc, l4, l4len));
	if (proto == 17 && s == 0)
		s = 0xffff; /* RFC 768: a computed zero is sent as all ones */
	t_put16(l4 + csum_at, s);
}

/* Same over IPv6 (RFC 8200 s8.1): `l4_at` is the transport header's offset from the IPv6 header
 * (40 plus any extension headers), `proto` the upper-layer protocol. */
static inline void t_fix_l4_ip6(uint8_t *ip6, size_t l4_at, uint8_t proto, size_t csum_at)
{
	size_t l4len = t_get16(ip6 + 4) + 40 - l4_at;
	uint8_t pseudo[40];
	memcpy(pseudo, ip6 + 8, 32); /* source, destination */
	pseudo[32] = (uint8_t)(l4len >> 24);
	pseudo[33] = (uint8_t)(l4len >> 16);
	pseudo[34] = (uint8_t)(l4len >> 8);
	pseudo[35] = (uint8_t)l4len;
	pseudo[36] = pseudo[37] = pseudo[38] = 0;
	pseudo[39] = proto;
	uint8_t *l4 = ip6 + l4_at;
	t_put16(l4 + csum_at, 0);
	uint16_t s = t_sum_finish(t_sum_add(t_sum_add(0, pseudo, sizeof pseudo), l4, l4len));
	if (proto == 17 && s == 0)
		s = 0xffff;
	t_put16(l4 + csum_at, s);
}

/* ---- decoding ---------------------------------------------------------------------------- */

/* A decoded frame whose bytes live in a heap block of exactly caplen bytes: a read one byte past
 * the capture is a heap overflow that the ASan build reports. */
struct t_pkt {
	struct np_frame f;
	uint8_t *buf;
	struct np_packet p;
};

static inline void t_decode_ex(struct t_pkt *t, int dlt, const uint8_t *bytes, uint32_t caplen,
			       uint32_t len)
{
	memset(t, 0, sizeof *t);
	t->buf = malloc(caplen ? caplen : 1);
	assert_non_null(t->buf);
	if (caplen)
		memcpy(t->buf, bytes, caplen);
	t->f.n = 1;
	t->f.ts_sec = 1700000000;
	t->f.ts_usec = 123456;
	t->f.caplen = caplen;
	t->f.len = len;
	t->f.dlt = dlt;
	t->f.data = t->buf;
	/* Poison the packet so a field the decoder forgot to set shows up as garbage, not zero. */
	memset(&t->p, 0xa5, sizeof t->p);
	np_decode(&t->f, &t->p);
}

static inline void t_decode(struct t_pkt *t, int dlt, const uint8_t *bytes, uint32_t n)
{
	t_decode_ex(t, dlt, bytes, n, n);
}

static inline void t_free(struct t_pkt *t)
{
	free(t->buf);
	t->buf = NULL;
}

/* Was a problem of this layer and verdict recorded? */
static inline bool t_has_problem(const struct np_packet *p, enum np_layer l, enum np_verdict v)
{
	for (unsigned i = 0; i < p->nproblems && i < NP_MAX_PROBLEMS; i++)
		if (p->problems[i].layer == l && p->problems[i].verdict == v)
			return true;
	return false;
}

/* Decoded cleanly: nothing cut, nothing contradictory, no problem at all. */
static inline void t_assert_clean(const struct np_packet *p)
{
	assert_false(p->truncated);
	assert_false(p->malformed);
	assert_int_equal(p->nproblems, 0);
}

/* ---- every prefix -------------------------------------------------------------------------- */

/* Called for each prefix with the full decode and the decode of the first `caplen` bytes. */
typedef void (*t_prefix_fn)(const struct np_packet *full, const struct np_packet *cut,
			    uint32_t caplen);

/* Feed every prefix of a valid frame (no trailing padding: every byte belongs to some layer) with
 * the wire length left at the full size, as a snapshot length would cut it. Each prefix must
 * decode without a crash or an over-read, be reported as truncated (never malformed: a cut is not
 * a contradiction), decode no layer the full frame lacks, and pass `check`. */
static inline void t_every_prefix(int dlt, const uint8_t *bytes, uint32_t len, t_prefix_fn check)
{
	struct t_pkt full;
	t_decode(&full, dlt, bytes, len);
	t_assert_clean(&full.p);
	for (uint32_t cap = 0; cap <= len; cap++) {
		struct t_pkt cut;
		t_decode_ex(&cut, dlt, bytes, cap, len);
		if (cap < len) {
			if (!cut.p.truncated)
				fail_msg("prefix of %u/%u bytes not reported truncated", cap, len);
			if (cut.p.malformed)
				fail_msg("prefix of %u/%u bytes reported malformed", cap, len);
		}
		assert_int_equal(np_pkt_mask(&cut.p) & ~np_pkt_mask(&full.p), 0);
		for (unsigned i = 0; i < cut.p.nproblems; i++)
			if (cut.p.problems[i].verdict != NP_TRUNCATED)
				fail_msg("prefix of %u/%u bytes: %s", cap, len, cut.p.problems[i].what);
		if (check)
			check(&full.p, &cut.p, cap);
		t_free(&cut);
	}
	t_free(&full);
}

#endif
