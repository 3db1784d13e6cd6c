/* gen_collide.c - writes, at test time, a capture of COUNT TCP segments (SYNs, or bare ACKs)
 * from distinct spoofed IPv6 sources to one server, fd77:0:0:100::2 port 8888, for
 * tests/perf/hash_collisions.sh. With -m collide every flow's conversation key falls into the
 * same hash chain of the table netprobe had until 35ba368: the hash was np_hash_bytes() under a
 * constant seed in the source (track.c), so such flows could be computed offline; with -m random
 * the sources are random, and the capture is the same in every other byte count and layout.
 * Replaying both and comparing the CPU time is the test that the table's cost no longer depends
 * on which flows an attacker picks (issue 12, item 3).
 *
 * How the colliding flows are made: the old hash read the 40-byte key (version; lower address,
 * port; higher address, port; 3 zero bytes) as five 64-bit words w0..w4 into
 * h = mix(h ^ w), then returned mix(h ^ 40), where mix (splitmix64's finaliser) is invertible.
 * Fixing the final hash F and every word but w1 (bytes 7-14 of the source address) leaves one
 * value of w1 that gives F, found by running the hash backwards. So every flow gets the same
 * 64-bit hash: one chain, whatever the table's size. The old code is copied here (old_mix,
 * old_hash_bytes, OLD_SEED, old_conv_key), on purpose: it is what the capture attacks.
 *
 * Pcap with Ethernet framing and correct TCP checksums (RFC 8200 s8.1 pseudo-header), one
 * segment every 10 us from T0. Prints frames=N.
 *
 * Usage: gen_collide -o FILE [-n COUNT] [-m collide|random] [-k syn|ack] [-s SEED]
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "pcapw.h"

#define T0_SEC 1700000000LL
#define GAP_US 10
#define TARGET_PORT 8888
#define KEY_LEN 40

/* ---- the hash of 35ba368 (src/track/lru.c, seed from track.c:88), copied on purpose ---- */

#define OLD_SEED 0x6e657470726f6265ULL

static uint64_t old_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static uint64_t old_hash_bytes(const uint8_t *b, size_t n, uint64_t seed)
{
	uint64_t h = seed ^ 0x9e3779b97f4a7c15ULL;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, b + i, 8);
		h = old_mix(h ^ w);
	}
	uint64_t tail = 0;
	for (size_t k = 0; i < n; i++, k++)
		tail |= (uint64_t)b[i] << (8 * k);
	return old_mix(h ^ tail ^ n);
}

/* conv_key() of track.c for IPv6 when the source is the lower endpoint. */
static void old_conv_key(const uint8_t lo[16], uint16_t lport, const uint8_t hi[16], uint16_t hport,
			 uint8_t key[KEY_LEN])
{
	memset(key, 0, KEY_LEN);
	key[0] = 6;
	memcpy(key + 1, lo, 16);
	key[17] = (uint8_t)(lport >> 8);
	key[18] = (uint8_t)lport;
	memcpy(key + 19, hi, 16);
	key[35] = (uint8_t)(hport >> 8);
	key[36] = (uint8_t)hport;
}

/* ---- running it backwards ---- */

/* y = x ^ (x >> s)  =>  x, by fixed-point iteration (each round fixes s more bits). */
static uint64_t unxorshift(uint64_t y, unsigned s)
{
	uint64_t x = y;
	for (unsigned i = 0; i < 64 / s + 1; i++)
		x = y ^ (x >> s);
	return x;
}

/* The inverse of an odd number modulo 2^64 (Newton: each step doubles the correct bits). */
static uint64_t inv_odd(uint64_t c)
{
	uint64_t x = c; /* right to 3 bits: c * c = 1 mod 8 for odd c */
	for (int i = 0; i < 5; i++)
		x *= 2 - c * x;
	return x;
}

static uint64_t old_unmix(uint64_t x)
{
	x = unxorshift(x, 31);
	x *= inv_odd(0x94d049bb133111ebULL);
	x = unxorshift(x, 27);
	x *= inv_odd(0xbf58476d1ce4e5b9ULL);
	return unxorshift(x, 30);
}

/* ---- output ---- */

static uint64_t rng_x;

static uint64_t rng(void) /* splitmix64 */
{
	uint64_t z = (rng_x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void write_seg(struct pcapw *w, int64_t us, const uint8_t src[16], uint16_t sport,
		      const uint8_t dst[16], uint32_t seq, uint32_t ack, uint8_t flags)
{
	static const uint8_t mac_a[6] = { 0x02, 0x77, 0, 0, 0x0a, 1 }, mac_b[6] = { 0x02, 0x77, 0, 0, 0x0a, 2 };
	uint8_t f[14 + 40 + 20];
	memcpy(f, mac_b, 6);
	memcpy(f + 6, mac_a, 6);
	put16(f + 12, 0x86dd);
	uint8_t *ip = f + 14, *tcp = ip + 40;
	put32(ip, 0x60000000);
	put16(ip + 4, 20);  /* payload length: the TCP header */
	ip[6] = 6;          /* next header: TCP */
	ip[7] = 64;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	put16(tcp, sport);
	put16(tcp + 2, TARGET_PORT);
	put32(tcp + 4, seq);
	put32(tcp + 8, ack);
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	put16(tcp + 14, 64240);
	put16(tcp + 16, 0);
	put16(tcp + 18, 0);
	/* Pseudo-header (RFC 8200 s8.1): addresses, upper-layer length, next header. */
	uint32_t acc = sum16(ip + 8, 32, 0) + 20 + 6;
	acc = sum16(tcp, 20, acc);
	put16(tcp + 16, fold(acc));
	pcapw_frame(w, us, f, sizeof f);
}

static void usage(void)
{
	fprintf(stderr, "usage: gen_collide -o FILE [-n COUNT] [-m collide|random] [-k syn|ack] [-s SEED]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *out = NULL;
	unsigned long count = 100000;
	bool collide = true, syn = true;
	rng_x = 1;
	int ch;
	while ((ch = getopt(argc, argv, "o:n:m:k:s:")) != -1) {
		char *end;
		switch (ch) {
		case 'o':
			out = optarg;
			break;
		case 'n':
			errno = 0;
			count = strtoul(optarg, &end, 10);
			/* source ports 1024 + i / 256: at most 64,512 * 256 distinct (port, byte 15) */
			if (errno || *end || count == 0 || count > 16000000)
				usage();
			break;
		case 'm':
			if (strcmp(optarg, "collide") && strcmp(optarg, "random"))
				usage();
			collide = strcmp(optarg, "collide") == 0;
			break;
		case 'k':
			if (strcmp(optarg, "syn") && strcmp(optarg, "ack"))
				usage();
			syn = strcmp(optarg, "syn") == 0;
			break;
		case 's':
			rng_x = strtoull(optarg, NULL, 0);
			break;
		default:
			usage();
		}
	}
	if (!out)
		usage();
	struct pcapw d;
	if (pcapw_open(&d, "gen_collide", out) < 0)
		return 1;
	/* Sources fd77::/56 (byte 6 is 0) sort below the server (byte 6 is 1): the source is the
	 * key's lower endpoint, so its bytes 7-14 are the key's word w1. */
	static const uint8_t server[16] = { 0xfd, 0x77, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2 };
	const uint64_t F = 0x0123456789abcdefULL; /* every colliding flow's hash: any value will do */
	uint8_t key[KEY_LEN];
	uint64_t w[5];
	for (unsigned long i = 0; i < count; i++) {
		uint8_t src[16] = { 0xfd, 0x77, 0, 0, 0, 0, 0 };
		uint16_t sport = (uint16_t)(1024 + i / 256);
		src[15] = (uint8_t)i;
		if (collide) {
			old_conv_key(src, sport, server, TARGET_PORT, key);
			memcpy(w, key, sizeof w); /* the words as the old code read them (memcpy) */
			uint64_t h0 = old_mix((OLD_SEED ^ 0x9e3779b97f4a7c15ULL) ^ w[0]);
			uint64_t h4 = old_unmix(F) ^ KEY_LEN;    /* F = mix(h4 ^ 0 ^ 40) */
			uint64_t h3 = old_unmix(h4) ^ w[4];      /* h4 = mix(h3 ^ w4) */
			uint64_t h2 = old_unmix(h3) ^ w[3];
			uint64_t h1 = old_unmix(h2) ^ w[2];
			w[1] = old_unmix(h1) ^ h0;               /* h1 = mix(h0 ^ w1) */
			memcpy(src + 7, &w[1], 8);
			old_conv_key(src, sport, server, TARGET_PORT, key);
			if (old_hash_bytes(key, KEY_LEN, OLD_SEED) != F) {
				fprintf(stderr, "gen_collide: flow %lu does not collide: inversion broken\n", i);
				return 1;
			}
		} else {
			uint64_t r = rng();
			memcpy(src + 7, &r, 8);
		}
		uint32_t seq = (uint32_t)rng(), ack = syn ? 0 : (uint32_t)rng();
		write_seg(&d, (T0_SEC * 1000000) + (int64_t)i * GAP_US, src, sport, server, seq, ack,
			  syn ? 0x02 : 0x10);
	}
	if (pcapw_close(&d) < 0)
		return 1;
	printf("frames=%lu\n", count);
	return 0;
}
