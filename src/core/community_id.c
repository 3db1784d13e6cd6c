/* community_id.c - Community ID v1 (corelight/community-id-spec: SHA-1 over seed, ordered
 * addresses, protocol, a zero byte and ordered ports; base64, "1:" before it) and the SHA-1 of
 * RFC 3174 under it. SHA-1 is written here rather than taken from libcrypto: OpenSSL 3 loads
 * its configuration file and providers on first use, which the sandbox forbids once the run
 * reads packets, and 60 lines over at most 40 bytes need neither. Checked against RFC 3174's
 * test vectors and the specification's baseline (tests/unit/core/test_community_id.c). */
#include "netprobe/community_id.h"

#include <string.h>

static uint32_t rol(uint32_t x, unsigned n)
{
	return (x << n) | (x >> (32 - n));
}

/* One 64-byte block (RFC 3174 s6.1, method 1). */
static void sha1_block(uint32_t h[5], const uint8_t *b)
{
	uint32_t w[80];
	for (int t = 0; t < 16; t++)
		w[t] = (uint32_t)b[4 * t] << 24 | (uint32_t)b[4 * t + 1] << 16 |
		       (uint32_t)b[4 * t + 2] << 8 | b[4 * t + 3];
	for (int t = 16; t < 80; t++)
		w[t] = rol(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
	uint32_t a = h[0], bb = h[1], c = h[2], d = h[3], e = h[4];
	for (int t = 0; t < 80; t++) {
		uint32_t f, k;
		if (t < 20) {
			f = (bb & c) | (~bb & d);
			k = 0x5A827999;
		} else if (t < 40) {
			f = bb ^ c ^ d;
			k = 0x6ED9EBA1;
		} else if (t < 60) {
			f = (bb & c) | (bb & d) | (c & d);
			k = 0x8F1BBCDC;
		} else {
			f = bb ^ c ^ d;
			k = 0xCA62C1D6;
		}
		uint32_t tmp = rol(a, 5) + f + e + w[t] + k;
		e = d;
		d = c;
		c = rol(bb, 30);
		bb = a;
		a = tmp;
	}
	h[0] += a;
	h[1] += bb;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

void np_sha1(const void *data, size_t len, uint8_t digest[NP_SHA1_LEN])
{
	uint32_t h[5] = { 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0 };
	const uint8_t *p = data;
	size_t left = len;
	for (; left >= 64; left -= 64, p += 64)
		sha1_block(h, p);
	/* The padding (RFC 3174 s4): 0x80, zeros, the length in bits as 64 bits big-endian. */
	uint8_t tail[128] = { 0 };
	memcpy(tail, p, left);
	tail[left] = 0x80;
	size_t n = left < 56 ? 64 : 128;
	uint64_t bits = (uint64_t)len * 8;
	for (int i = 0; i < 8; i++)
		tail[n - 1 - i] = (uint8_t)(bits >> (8 * i));
	sha1_block(h, tail);
	if (n == 128)
		sha1_block(h, tail + 64);
	for (int i = 0; i < 5; i++) {
		digest[4 * i] = (uint8_t)(h[i] >> 24);
		digest[4 * i + 1] = (uint8_t)(h[i] >> 16);
		digest[4 * i + 2] = (uint8_t)(h[i] >> 8);
		digest[4 * i + 3] = (uint8_t)h[i];
	}
}

/* RFC 4648 s4 base64 of the 20-byte digest: 28 characters with one '='. */
static void base64(const uint8_t *in, size_t n, char *out)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = abc[(v >> 18) & 63];
		out[o++] = abc[(v >> 12) & 63];
		out[o++] = i + 1 < n ? abc[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? abc[v & 63] : '=';
	}
	out[o] = '\0';
}

void np_community_id(uint16_t seed, uint8_t ver, const uint8_t *saddr, const uint8_t *daddr,
		     uint8_t proto, bool with_ports, uint16_t sport, uint16_t dport,
		     char out[NP_COMMUNITY_ID_LEN])
{
	size_t alen = ver == 6 ? 16 : 4;
	/* The smaller (address, port) first, so both directions give one ID. */
	int c = memcmp(saddr, daddr, alen);
	bool swap = c > 0 || (c == 0 && with_ports && sport > dport);
	const uint8_t *a = swap ? daddr : saddr, *b = swap ? saddr : daddr;
	uint16_t pa = swap ? dport : sport, pb = swap ? sport : dport;
	uint8_t buf[2 + 16 + 16 + 2 + 4];
	size_t n = 0;
	buf[n++] = (uint8_t)(seed >> 8);
	buf[n++] = (uint8_t)seed;
	memcpy(buf + n, a, alen);
	n += alen;
	memcpy(buf + n, b, alen);
	n += alen;
	buf[n++] = proto;
	buf[n++] = 0;
	if (with_ports) {
		buf[n++] = (uint8_t)(pa >> 8);
		buf[n++] = (uint8_t)pa;
		buf[n++] = (uint8_t)(pb >> 8);
		buf[n++] = (uint8_t)pb;
	}
	uint8_t d[NP_SHA1_LEN];
	np_sha1(buf, n, d);
	out[0] = '1';
	out[1] = ':';
	base64(d, sizeof d, out + 2);
}
