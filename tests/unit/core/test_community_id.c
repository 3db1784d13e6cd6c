/* test_community_id.c - SHA-1 against RFC 3174 s7.3's test vectors, and the Community ID
 * against the specification's baseline (corelight/community-id-spec, baseline/
 * baseline_deflt.json and baseline_seed1.json: every TCP, UDP, SCTP and port-less entry; the
 * ICMP ones need the type/code mapping, which netprobe does not apply: it reports TCP). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"
#include "netprobe/community_id.h"

static void hex(const uint8_t *d, char *out)
{
	for (int i = 0; i < NP_SHA1_LEN; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void sha1_vectors(void **state)
{
	(void)state;
	uint8_t d[NP_SHA1_LEN];
	char h[41];
	np_sha1("abc", 3, d);
	hex(d, h);
	assert_string_equal(h, "a9993e364706816aba3e25717850c26c9cd0d89d");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"; /* 56 bytes */
	np_sha1(two, strlen(two), d);
	hex(d, h);
	assert_string_equal(h, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	size_t n = 1000000;
	char *a = malloc(n);
	assert_non_null(a);
	memset(a, 'a', n);
	np_sha1(a, n, d);
	free(a);
	hex(d, h);
	assert_string_equal(h, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	/* RFC 3174's fourth: "0123456701234567012345670123456701234567012345670123456701234567"
	 * ten times (640 bytes, whole blocks only). */
	char four[641] = "";
	for (int i = 0; i < 10; i++)
		strcat(four, "0123456701234567012345670123456701234567012345670123456701234567");
	np_sha1(four, 640, d);
	hex(d, h);
	assert_string_equal(h, "dea356a2cddd90c7a7ecedc5ebb563934f460452");
	np_sha1("", 0, d);
	hex(d, h);
	assert_string_equal(h, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

struct vec {
	uint8_t proto;
	const char *saddr, *daddr;
	int sport, dport; /* -1: no ports */
	const char *deflt, *seed1;
};

static const struct vec vecs[] = {
	{ 6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25,
	  "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=", "1:eJYTW6AOzFLlSUoESovMjnu7rMw=" },
	{ 6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943,
	  "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=", "1:eJYTW6AOzFLlSUoESovMjnu7rMw=" },
	{ 132, "192.168.170.8", "192.168.170.56", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=",
	  "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg=" },
	{ 132, "192.168.170.56", "192.168.170.8", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=",
	  "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg=" },
	{ 6, "128.232.110.120", "66.35.250.204", 34855, 80, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=",
	  "1:3V71V58M3Ksw/yuFALMcW0LAHvc=" },
	{ 6, "66.35.250.204", "128.232.110.120", 80, 34855, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=",
	  "1:3V71V58M3Ksw/yuFALMcW0LAHvc=" },
	{ 17, "192.168.1.52", "8.8.8.8", 54585, 53, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=",
	  "1:Q9We8WO3piVF8yEQBNJF4uiSVrI=" },
	{ 17, "8.8.8.8", "192.168.1.52", 53, 54585, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=",
	  "1:Q9We8WO3piVF8yEQBNJF4uiSVrI=" },
	{ 46, "10.1.12.1", "10.1.12.2", -1, -1, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=",
	  "1:rYir8gphR31noO9iDRQmF/BteEI=" },
	{ 46, "10.1.12.2", "10.1.12.1", -1, -1, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=",
	  "1:rYir8gphR31noO9iDRQmF/BteEI=" },
};

static void baseline(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
		const struct vec *v = &vecs[i];
		uint8_t s[16], d[16];
		uint8_t ver = strchr(v->saddr, ':') ? 6 : 4;
		int af = ver == 6 ? AF_INET6 : AF_INET;
		assert_int_equal(inet_pton(af, v->saddr, s), 1);
		assert_int_equal(inet_pton(af, v->daddr, d), 1);
		bool ports = v->sport >= 0;
		uint16_t sp = ports ? (uint16_t)v->sport : 0, dp = ports ? (uint16_t)v->dport : 0;
		char id[NP_COMMUNITY_ID_LEN];
		np_community_id(0, ver, s, d, v->proto, ports, sp, dp, id);
		assert_string_equal(id, v->deflt);
		np_community_id(1, ver, s, d, v->proto, ports, sp, dp, id);
		assert_string_equal(id, v->seed1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sha1_vectors),
		cmocka_unit_test(baseline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
