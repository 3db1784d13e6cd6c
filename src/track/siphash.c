/* siphash.c - SipHash-2-4, written from the paper's description (Aumasson and Bernstein,
 * "SipHash: a fast short-input PRF", INDOCRYPT 2012, section 2), because a hash table whose keys
 * an attacker chooses needs a hash whose collisions cannot be computed without a secret key
 * (hash flooding). The Linux kernel (lib/siphash.c) and most language runtimes use it for the
 * same reason. Debian's libsodium has it (crypto_shorthash_siphash24), but a cryptographic
 * library as a new run-time dependency for these 60 lines would cost more than it gives. The
 * paper's test vectors are checked by tests/unit/track/test_siphash.c. */
#include <endian.h>
#include <string.h>

#include "siphash.h"
#include "netprobe/hot.h"

static uint64_t rotl(uint64_t x, unsigned b)
{
	return (x << b) | (x >> (64 - b));
}

/* Message words and the key are read little-endian whatever the host (section 2); memcpy for
 * any alignment (one load on x86-64). */
static uint64_t le64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof v);
	return le64toh(v);
}

/* One SipRound: two ARX half-rounds over the four state words (section 2, figure 2). */
#define SIPROUND(v0, v1, v2, v3)                                                                   \
	do {                                                                                       \
		v0 += v1;                                                                          \
		v1 = rotl(v1, 13);                                                                 \
		v1 ^= v0;                                                                          \
		v0 = rotl(v0, 32);                                                                 \
		v2 += v3;                                                                          \
		v3 = rotl(v3, 16);                                                                 \
		v3 ^= v2;                                                                          \
		v0 += v3;                                                                          \
		v3 = rotl(v3, 21);                                                                 \
		v3 ^= v0;                                                                          \
		v2 += v1;                                                                          \
		v1 = rotl(v1, 17);                                                                 \
		v1 ^= v2;                                                                          \
		v2 = rotl(v2, 32);                                                                 \
	} while (0)

NP_HOT uint64_t np_siphash24(const uint8_t key[NP_SIPHASH_KEY], const uint8_t *m, size_t n)
{
	uint64_t k0 = le64(key), k1 = le64(key + 8);
	/* Initialisation: the key xored with "somepseudorandomlygeneratedbytes". */
	uint64_t v0 = k0 ^ 0x736f6d6570736575ULL;
	uint64_t v1 = k1 ^ 0x646f72616e646f6dULL;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ULL;
	uint64_t v3 = k1 ^ 0x7465646279746573ULL;

	/* Compression: each full 8-byte word m_i is xored into v3, c = 2 SipRounds, then into v0. */
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w = le64(m + i);
		v3 ^= w;
		SIPROUND(v0, v1, v2, v3);
		SIPROUND(v0, v1, v2, v3);
		v0 ^= w;
	}
	/* The last word: the 0-7 remaining bytes, and the length mod 256 in its top byte. */
	uint64_t b = (uint64_t)(n & 0xff) << 56;
	for (size_t k = 0; i + k < n; k++)
		b |= (uint64_t)m[i + k] << (8 * k);
	v3 ^= b;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	v0 ^= b;

	/* Finalisation: 0xff into v2, d = 4 SipRounds, the four words xored together. */
	v2 ^= 0xff;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}
