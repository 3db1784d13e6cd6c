/* test_sbuf.c - the hand-rolled appenders against the libc conversions they replace, on edge
 * values and on a few hundred thousand pseudo-random ones, and their bounds. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>

#include "testutil.h"
#include "core/sbuf.h"
#include "netprobe/fmt.h"


static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void check_uint(uint64_t v)
{
	char got[64], want[64];
	struct np_sbuf sb = np_sb_make(got, sizeof got);
	np_sb_uint(&sb, v, 0, ' ');
	snprintf(want, sizeof want, "%" PRIu64, v);
	assert_string_equal(got, want);
	assert_int_equal(sb.len, strlen(want));

	sb = np_sb_make(got, sizeof got);
	np_sb_uint(&sb, v % 1000000, 6, '0');
	snprintf(want, sizeof want, "%06" PRIu64, v % 1000000);
	assert_string_equal(got, want);

	sb = np_sb_make(got, sizeof got);
	np_sb_uint(&sb, v % 100000, 7, ' ');
	snprintf(want, sizeof want, "%7" PRIu64, v % 100000);
	assert_string_equal(got, want);

	sb = np_sb_make(got, sizeof got);
	np_sb_int(&sb, (int64_t)v);
	snprintf(want, sizeof want, "%" PRId64, (int64_t)v);
	assert_string_equal(got, want);

	sb = np_sb_make(got, sizeof got);
	np_sb_hex(&sb, v & 0xffff, 4);
	snprintf(want, sizeof want, "%04" PRIx64, v & 0xffff);
	assert_string_equal(got, want);
	sb = np_sb_make(got, sizeof got);
	np_sb_hex(&sb, v, 0);
	snprintf(want, sizeof want, "%" PRIx64, v);
	assert_string_equal(got, want);
}

static void test_numbers(void **state)
{
	(void)state;
	static const uint64_t edges[] = { 0, 1, 9, 10, 99, 100, 999, 1000, 65535, 65536,
					  4294967295u, 4294967296u, INT64_MAX, (uint64_t)INT64_MAX + 1,
					  UINT64_MAX };
	for (size_t i = 0; i < T_ARRAY_LEN(edges); i++)
		check_uint(edges[i]);
	for (int i = 0; i < 200000; i++) {
		uint64_t v = next();
		check_uint(v >> (v & 63)); /* every magnitude, not only 20-digit ones */
	}
}

static void check_ip6(const uint8_t a[16])
{
	char got[64], want[64];
	struct np_sbuf sb = np_sb_make(got, sizeof got);
	np_sb_ip6(&sb, a);
	assert_non_null(inet_ntop(AF_INET6, a, want, sizeof want));
	assert_string_equal(got, want);
}

static void test_addresses(void **state)
{
	(void)state;
	char got[64], want[64];
	for (int i = 0; i < 100000; i++) {
		uint64_t v = next();
		uint8_t a4[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
		if (i < 256)
			a4[0] = a4[1] = a4[2] = a4[3] = (uint8_t)i;
		struct np_sbuf sb = np_sb_make(got, sizeof got);
		np_sb_ip4(&sb, a4);
		inet_ntop(AF_INET, a4, want, sizeof want);
		assert_string_equal(got, want);
	}
	/* IPv6: random groups, most of them zero, so every run shape appears; and the special
	 * forms glibc writes with a dotted quad. */
	for (int i = 0; i < 200000; i++) {
		uint8_t a[16];
		uint64_t mask = next();
		for (int g = 0; g < 8; g++) {
			uint64_t v = next();
			unsigned w = (mask >> (2 * g)) & 3 ? 0 : (unsigned)(v & (v & 0x10000 ? 0xf : 0xffff));
			a[2 * g] = (uint8_t)(w >> 8);
			a[2 * g + 1] = (uint8_t)w;
		}
		check_ip6(a);
	}
	static const char *special[] = { "::", "::1", "::2", "::ffff:10.77.0.1", "::ffff:0.0.0.0",
					 "::10.77.0.1", "::0.1.0.0", "1::", "1::1", "fe80::1:0:0:1",
					 "1:0:0:1:0:0:0:1", "1:0:0:0:1:0:0:1", "0:0:1::", "::ffff:0:1",
					 "64:ff9b::10.77.0.1", "2001:db8::ffff:0:1" };
	for (size_t i = 0; i < T_ARRAY_LEN(special); i++) {
		uint8_t a[16];
		assert_int_equal(inet_pton(AF_INET6, special[i], a), 1);
		check_ip6(a);
	}
}

static void test_bounds(void **state)
{
	(void)state;
	char buf[8];
	memset(buf, 'x', sizeof buf);
	struct np_sbuf sb = np_sb_make(buf, 6);
	np_sb_str(&sb, "abc");
	np_sb_uint(&sb, 123456, 0, ' ');
	assert_string_equal(buf, "abc12");
	assert_int_equal(sb.len, 5);
	np_sb_ch(&sb, 'z');
	np_sb_ip4(&sb, (const uint8_t[4]){ 1, 2, 3, 4 });
	assert_string_equal(buf, "abc12");
	assert_int_equal(buf[6], 'x'); /* nothing written past cap */

	sb = np_sb_make(buf, 1);
	np_sb_ch(&sb, 'a');
	np_sb_hex(&sb, 0xabc, 4);
	assert_string_equal(buf, "");
	sb = np_sb_make(buf, 0); /* no room at all: nothing is written, not even a NUL */
	buf[0] = 'q';
	np_sb_str(&sb, "a");
	np_sb_int(&sb, -5);
	assert_int_equal(buf[0], 'q');
}

/* Every cap from 0 to 40 (the in-place and the cut paths of np_sb_uint, each length of the
 * short-copy moves of np_sb_mem) against snprintf cut to the same cap. */
static void test_cut_like_snprintf(void **state)
{
	(void)state;
	static const uint64_t vals[] = { 0, 7, 42, 65535, 4294967295u, 4294967296u, UINT64_MAX };
	static const char text[] = "0123456789abcdefghijklmnopqrstuvwxyz!?";
	for (size_t cap = 1; cap <= 40; cap++) {
		char got[48], want[48];
		for (size_t i = 0; i < T_ARRAY_LEN(vals); i++) {
			for (unsigned w = 0; w <= 25; w += 5) {
				struct np_sbuf sb = np_sb_make(got, cap);
				np_sb_lit(&sb, "ab");
				np_sb_uint(&sb, vals[i], w, '0');
				snprintf(want, cap, "ab%0*" PRIu64, (int)w, vals[i]);
				assert_string_equal(got, want);
				assert_int_equal(sb.len, strlen(want));
				sb = np_sb_make(got, cap);
				np_sb_uint(&sb, vals[i], w, ' ');
				snprintf(want, cap, "%*" PRIu64, (int)w, vals[i]);
				assert_string_equal(got, want);
			}
		}
		for (size_t n = 0; n < sizeof text; n++) {
			struct np_sbuf sb = np_sb_make(got, cap);
			np_sb_ch(&sb, '<');
			np_sb_mem(&sb, text, n);
			/* snprintf's cut is the reference: it must have cut where its count says. */
			int full = snprintf(want, cap, "<%.*s", (int)n, text);
			assert_true(full == (int)n + 1);
			assert_int_equal(strlen(want), (size_t)full < cap ? (size_t)full : cap - 1);
			assert_string_equal(got, want);
			assert_int_equal(sb.len, strlen(want));
			sb = np_sb_make(got, cap);
			np_sb_rjust(&sb, text, n % 20, 15);
			np_sb_ljust(&sb, text, n % 20, 15);
			snprintf(want, cap, "%*.*s%-*.*s", 15, (int)(n % 20), text, 15, (int)(n % 20), text);
			assert_string_equal(got, want);
		}
	}
}

/* np_fmt_mac (through np_put_mac, which the JSON writer uses too) against the snprintf loop it
 * replaced: whole bytes only, each cap from 1 to 40, each length from 0 to 12; and np_sb_ip4 cut
 * at every cap as snprintf would. */
static void test_mac_ip4_cut(void **state)
{
	(void)state;
	static const uint8_t m[12] = { 0x00, 0x1b, 0xa0, 0xff, 0x09, 0x7e, 0x80, 0x10, 0xc3, 0x5a, 0x01, 0xee };
	static const uint8_t a4[4] = { 192, 168, 7, 255 };
	for (size_t cap = 1; cap <= 40; cap++) {
		for (size_t n = 0; n <= sizeof m; n++) {
			char got[48], want[48];
			memset(got, 'x', sizeof got);
			size_t used = 0;
			want[0] = '\0';
			for (size_t i = 0; i < n && used + 4 <= cap; i++)
				used += (size_t)snprintf(want + used, cap - used, i ? ":%02x" : "%02x", m[i]);
			assert_ptr_equal(np_fmt_mac(m, n, got, cap), got);
			assert_string_equal(got, want);
			assert_int_equal(got[cap], 'x'); /* nothing written past cap */
		}
		char got[48], want[48];
		struct np_sbuf sb = np_sb_make(got, cap);
		np_sb_ch(&sb, '<');
		np_sb_ip4(&sb, a4);
		static const char full[] = "<192.168.7.255"; /* cut as snprintf cuts */
		size_t k = sizeof full - 1 < cap - 1 ? sizeof full - 1 : cap - 1;
		memcpy(want, full, k);
		want[k] = '\0';
		assert_string_equal(got, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_cut_like_snprintf),
		cmocka_unit_test(test_mac_ip4_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
