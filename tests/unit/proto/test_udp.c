/* test_udp.c - UDP header and checksum (src/proto/udp.c; RFC 768, RFC 8200 s8.1). */
#include "testutil.h"

/* Ethernet + IPv4 + UDP with 5 data bytes. */
static const uint8_t udp4[] = {
	/* Ethernet */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* destination MAC */
	0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* source MAC */
	0x08, 0x00,                         /* Ethertype IPv4 */
	/* IPv4 (offset 14) */
	0x45, 0x00,                         /* version 4, IHL 5, TOS */
	0x00, 0x21,                         /* total length 33 */
	0x00, 0x02,                         /* identification */
	0x00, 0x00,                         /* flags 0, offset 0 */
	0x40, 0x11,                         /* TTL 64, protocol UDP */
	0x00, 0x00,                         /* header checksum: filled in */
	0xc0, 0xa8, 0x00, 0x05,             /* source 192.168.0.5 */
	0x08, 0x08, 0x08, 0x08,             /* destination 8.8.8.8 */
	/* UDP (offset 34) */
	0xd4, 0x31,                         /* source port 54321 */
	0x00, 0x35,                         /* destination port 53 */
	0x00, 0x0d,                         /* length 13 */
	0x00, 0x00,                         /* checksum: filled in */
	'q', 'u', 'e', 'r', 'y',            /* data */
};
#define IP_AT 14
#define UDP_AT 34

/* IPv6 + UDP with 3 data bytes. */
static const uint8_t udp6[] = {
	0x60, 0x00, 0x00, 0x00,             /* version 6 */
	0x00, 0x0b,                         /* payload length 11 */
	0x11,                               /* next header UDP */
	0x40,                               /* hop limit 64 */
	0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55, /* source */
	0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfb, /* destination ff02::fb */
	0x14, 0xe9,                         /* source port 5353 */
	0x14, 0xe9,                         /* destination port 5353 */
	0x00, 0x0b,                         /* length 11 */
	0x00, 0x00,                         /* checksum: filled in */
	'm', 'd', 'n',                      /* data */
};

static uint32_t make4(uint8_t *f)
{
	memcpy(f, udp4, sizeof udp4);
	t_fix_ip4(f + IP_AT);
	t_fix_l4_ip4(f + IP_AT, 6);
	return sizeof udp4;
}

static uint32_t make6(uint8_t *f)
{
	memcpy(f, udp6, sizeof udp6);
	t_fix_l4_ip6(f, 40, 17, 6);
	return sizeof udp6;
}

static void test_fields_ipv4(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = make4(f);
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	const struct np_udp *u = np_pkt_udp(&t.p);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK | NP_HAS_IP4 | NP_HAS_UDP);
	assert_int_equal(u->got, 8);
	assert_int_equal(u->sport, 54321);
	assert_int_equal(u->dport, 53);
	assert_int_equal(u->len, 13);
	assert_int_equal(u->csum, t_get16(f + UDP_AT + 6));
	assert_int_equal(u->csum_status, NP_CSUM_GOOD);
	assert_int_equal(u->csum_good, u->csum);
	assert_int_equal(u->payload_len, 5);
	assert_int_equal(t.p.l4_off, UDP_AT);
	assert_int_equal(t.p.payload_off, UDP_AT + 8);
	t_free(&t);
}

static void test_checksum_ipv6(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = make6(f);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_udp(&t.p)->csum_status, NP_CSUM_GOOD);
	assert_int_equal(np_pkt_udp(&t.p)->payload_len, 3);
	t_free(&t);

	uint16_t right = t_get16(f + 46);
	t_put16(f + 46, (uint16_t)(right ^ 0x8000));
	t_decode(&t, DLT_RAW, f, n);
	assert_int_equal(np_pkt_udp(&t.p)->csum_status, NP_CSUM_BAD);
	assert_int_equal(np_pkt_udp(&t.p)->csum_good, right);
	assert_false(t.p.malformed); /* a bad sum is reported in the checksum verdict */
	t_free(&t);
}

static void test_bad_checksum_ipv4(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = make4(f);
	uint16_t right = t_get16(f + UDP_AT + 6);
	t_put16(f + UDP_AT + 6, (uint16_t)(right - 1));
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	assert_int_equal(np_pkt_udp(&t.p)->csum_status, NP_CSUM_BAD);
	assert_int_equal(np_pkt_udp(&t.p)->csum_good, right);
	t_free(&t);
}

/* A computed checksum of zero goes on the wire as all ones (RFC 768), and is good. */
static void test_checksum_all_ones(void **state)
{
	(void)state;
	uint8_t f[128];
	memcpy(f, udp4, sizeof udp4);
	t_fix_ip4(f + IP_AT);
	f[UDP_AT + 8] = f[UDP_AT + 9] = 0; /* the first data word: zero for now */
	t_fix_l4_ip4(f + IP_AT, 6);
	/* Make the data word equal to that sum: the whole then sums to 0xffff, checksum zero. */
	uint16_t s = t_get16(f + UDP_AT + 6);
	f[UDP_AT + 8] = (uint8_t)(s >> 8);
	f[UDP_AT + 9] = (uint8_t)s;
	t_fix_l4_ip4(f + IP_AT, 6);
	assert_int_equal(t_get16(f + UDP_AT + 6), 0xffff);
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, sizeof udp4);
	assert_int_equal(np_pkt_udp(&t.p)->csum_status, NP_CSUM_GOOD);
	t_free(&t);
}

/* Checksum offload leaves only the pseudo-header sum, folded, not complemented (Linux's
 * ~csum_tcpudp_magic() / ~csum_ipv6_magic()), on a plain Ethernet frame as anywhere:
 * offloaded. udp4: 0xc0a8 + 0x0005 + 0x0808 + 0x0808 (addresses) + 0x0011 (protocol) + 0x000d
 * (UDP length 13) = 0xd0db. udp6: the words of fe80::211:22ff:fe33:4455 and ff02::fb, length 11
 * and next header 17, folded: 0x6634 (RFC 8200 s8.1). */
static void test_checksum_unfilled(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = make4(f);
	uint16_t right = t_get16(f + UDP_AT + 6);
	struct t_pkt t;
	t_put16(f + UDP_AT + 6, 0xd0db);
	t_decode(&t, DLT_EN10MB, f, n);
	assert_false(np_pkt_link(&t.p)->outgoing);
	assert_int_equal(np_pkt_udp(&t.p)->csum_status, NP_CSUM_OFFLOADED);
	assert_int_equal(np_pkt_udp(&t.p)->csum_good, right);
	t_assert_clean(&t.p);
	t_free(&t);
	t_put16(f + UDP_AT + 6, 0xd0db + 1); /* one off: simply wrong */
	t_decode(&t, DLT_EN10MB, f, n);
	assert_int_equal(np_pkt_udp(&t.p)->csum_status, NP_CSUM_BAD);
	assert_int_equal(np_pkt_udp(&t.p)->csum_good, right);
	t_free(&t);

	n = make6(f);
	right = t_get16(f + 46);
	t_put16(f + 46, 0x6634);
	t_decode(&t, DLT_RAW, f, n);
	assert_int_equal(np_pkt_udp(&t.p)->csum_status, NP_CSUM_OFFLOADED);
	assert_int_equal(np_pkt_udp(&t.p)->csum_good, right);
	t_free(&t);
	t_put16(f + 46, (uint16_t)(0x6634 - 1));
	t_decode(&t, DLT_RAW, f, n);
	assert_int_equal(np_pkt_udp(&t.p)->csum_status, NP_CSUM_BAD);
	assert_int_equal(np_pkt_udp(&t.p)->csum_good, right);
	t_free(&t);
	t_put16(f + 46, right);
	t_decode(&t, DLT_RAW, f, n);
	assert_int_equal(np_pkt_udp(&t.p)->csum_status, NP_CSUM_GOOD);
	t_free(&t);
}

/* A wrong checksum where the right one computes to 0: it should be 0xffff, never 0, which
 * would mean "no checksum" (RFC 768). */
static void test_should_be_all_ones(void **state)
{
	(void)state;
	uint8_t f[128];
	memcpy(f, udp4, sizeof udp4);
	t_fix_ip4(f + IP_AT);
	f[UDP_AT + 8] = f[UDP_AT + 9] = 0;
	t_fix_l4_ip4(f + IP_AT, 6);
	uint16_t s = t_get16(f + UDP_AT + 6);
	f[UDP_AT + 8] = (uint8_t)(s >> 8);
	f[UDP_AT + 9] = (uint8_t)s;
	t_put16(f + UDP_AT + 6, 0x1234); /* wrong */
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, sizeof udp4);
	assert_int_equal(np_pkt_udp(&t.p)->csum_status, NP_CSUM_BAD);
	assert_int_equal(np_pkt_udp(&t.p)->csum_good, 0xffff);
	t_free(&t);
	t_put16(f + UDP_AT + 6, 0xffff);
	t_decode(&t, DLT_EN10MB, f, sizeof udp4);
	assert_int_equal(np_pkt_udp(&t.p)->csum_status, NP_CSUM_GOOD);
	assert_int_equal(np_pkt_udp(&t.p)->csum_good, 0xffff);
	t_free(&t);
}

static void test_zero_checksum(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = make4(f);
	t_put16(f + UDP_AT + 6, 0);
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	assert_int_equal(np_pkt_udp(&t.p)->csum_status, NP_CSUM_ABSENT); /* IPv4: sender chose none */
	t_assert_clean(&t.p);
	t_free(&t);

	n = make6(f);
	t_put16(f + 46, 0);
	t_decode(&t, DLT_RAW, f, n);
	assert_int_equal(np_pkt_udp(&t.p)->csum_status, NP_CSUM_BAD); /* IPv6: mandatory */
	assert_true(t.p.malformed);
	assert_true(t_has_problem(&t.p, NP_L_UDP, NP_INVALID));
	t_free(&t);
}

static void test_length_below_8(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = make4(f);
	struct t_pkt t;
	for (uint16_t len = 0; len < 8; len++) {
		t_put16(f + UDP_AT + 4, len);
		t_decode(&t, DLT_EN10MB, f, n);
		assert_int_equal(np_pkt_udp(&t.p)->len, len);
		assert_true(t.p.malformed);
		assert_true(t_has_problem(&t.p, NP_L_UDP, NP_INVALID));
		assert_int_equal(np_pkt_udp(&t.p)->csum_status, NP_CSUM_NOT_CHECKED);
		t_free(&t);
	}
}

static void test_length_past_ip_payload(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = make4(f);
	t_put16(f + UDP_AT + 4, 200);
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	assert_true(t.p.malformed);
	assert_false(t.p.truncated);
	assert_true(t_has_problem(&t.p, NP_L_UDP, NP_INVALID));
	assert_int_equal(np_pkt_udp(&t.p)->payload_len, 5); /* what the IP payload holds */
	t_free(&t);
}

/* A UDP length shorter than the IP payload: the rest is not UDP data, nor in the checksum. */
static void test_length_within_ip_payload(void **state)
{
	(void)state;
	uint8_t f[128];
	memcpy(f, udp4, sizeof udp4);
	t_put16(f + UDP_AT + 4, 10); /* UDP length 10: "qu" only */
	t_fix_ip4(f + IP_AT);
	/* Sum over the 10 UDP bytes alone: shorten the IP length for the helper, then restore. */
	t_put16(f + IP_AT + 2, 30);
	t_fix_l4_ip4(f + IP_AT, 6);
	t_put16(f + IP_AT + 2, 33);
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, sizeof udp4);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_udp(&t.p)->payload_len, 2);
	assert_int_equal(np_pkt_udp(&t.p)->csum_status, NP_CSUM_GOOD);
	t_free(&t);
}

static void test_cut_and_fragment(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = make4(f);
	struct t_pkt t;
	t_decode_ex(&t, DLT_EN10MB, f, n - 1, n);
	assert_true(t.p.truncated);
	assert_false(t.p.malformed);
	assert_int_equal(np_pkt_udp(&t.p)->csum_status, NP_CSUM_UNVERIFIED);
	assert_int_equal(np_pkt_udp(&t.p)->payload_len, 5);
	t_free(&t);

	t_decode_ex(&t, DLT_EN10MB, f, UDP_AT + 5, n);
	assert_true(t.p.truncated);
	assert_true(t_has_problem(&t.p, NP_L_UDP, NP_TRUNCATED));
	assert_int_equal(np_pkt_udp(&t.p)->got, 5);
	assert_int_equal(np_pkt_udp(&t.p)->sport, 54321);
	assert_int_equal(np_pkt_udp(&t.p)->dport, 53);
	t_free(&t);

	/* First fragment of a larger datagram (MF): the sum covers bytes not here. */
	f[IP_AT + 6] = 0x20;
	t_fix_ip4(f + IP_AT);
	t_decode(&t, DLT_EN10MB, f, n);
	assert_true(t.p.l4_fragment);
	assert_int_equal(np_pkt_udp(&t.p)->csum_status, NP_CSUM_UNVERIFIED);
	t_free(&t);
}

static void check_udp_prefix(const struct np_packet *full, const struct np_packet *cut, uint32_t cap)
{
	if (cap < full->l4_off || !np_pkt_udp(cut))
		return;
	const struct np_udp *a = np_pkt_udp(full), *b = np_pkt_udp(cut);
	uint32_t got = cap - full->l4_off;
	assert_int_equal(b->got, got < 8 ? got : 8);
	if (got >= 2)
		assert_int_equal(b->sport, a->sport);
	if (got >= 4)
		assert_int_equal(b->dport, a->dport);
	if (got >= 6)
		assert_int_equal(b->len, a->len);
	if (got >= 8) {
		assert_int_equal(b->csum, a->csum);
		assert_int_equal(b->payload_len, a->payload_len);
		assert_int_equal(b->csum_status, cap == full->frame->len ? NP_CSUM_GOOD
									 : NP_CSUM_UNVERIFIED);
	}
}

static void test_every_prefix(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = make4(f);
	t_every_prefix(DLT_EN10MB, f, n, check_udp_prefix);
	n = make6(f);
	t_every_prefix(DLT_RAW, f, n, check_udp_prefix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_ipv4),
		cmocka_unit_test(test_checksum_ipv6),
		cmocka_unit_test(test_bad_checksum_ipv4),
		cmocka_unit_test(test_checksum_all_ones),
		cmocka_unit_test(test_checksum_unfilled),
		cmocka_unit_test(test_should_be_all_ones),
		cmocka_unit_test(test_zero_checksum),
		cmocka_unit_test(test_length_below_8),
		cmocka_unit_test(test_length_past_ip_payload),
		cmocka_unit_test(test_length_within_ip_payload),
		cmocka_unit_test(test_cut_and_fragment),
		cmocka_unit_test(test_every_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
