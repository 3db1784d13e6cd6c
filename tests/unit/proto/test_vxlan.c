/* test_vxlan.c - VXLAN (src/proto/vxlan.c, RFC 7348): the header, the inner Ethernet frame decoded
 * as further layers by the same units, and the I flag. */
#include "testutil.h"

/* Ethernet + IPv4 + UDP to port 4789 + VXLAN (VNI 42) + Ethernet + IPv4 + UDP with 2 data bytes. */
static const uint8_t vx[] = {
	/* outer Ethernet */
	0x02, 0x77, 0x00, 0x00, 0x01, 0x02, /* destination MAC */
	0x02, 0x77, 0x00, 0x00, 0x01, 0x01, /* source MAC */
	0x08, 0x00,                         /* Ethertype IPv4 */
	/* outer IPv4 (offset 14) */
	0x45, 0x00,                         /* version 4, IHL 5, TOS */
	0x00, 0x50,                         /* total length 80 */
	0x00, 0x01,                         /* identification */
	0x00, 0x00,                         /* flags 0, offset 0 */
	0x40, 0x11,                         /* TTL 64, protocol UDP */
	0x00, 0x00,                         /* header checksum: filled in */
	0x0a, 0x4d, 0x01, 0x01,             /* source 10.77.1.1 */
	0x0a, 0x4d, 0x01, 0x02,             /* destination 10.77.1.2 */
	/* outer UDP (offset 34) */
	0xd4, 0x31,                         /* source port 54321 */
	0x12, 0xb5,                         /* destination port 4789 */
	0x00, 0x3c,                         /* length 60 */
	0x00, 0x00,                         /* checksum 0: none (RFC 7348 s5) */
	/* VXLAN (offset 42) */
	0x08, 0x00,                         /* flags: I */
	0x00, 0x00,                         /* reserved */
	0x00, 0x00, 0x2a,                   /* VNI 42 */
	0x00,                               /* reserved */
	/* inner Ethernet (offset 50) */
	0x02, 0x77, 0x00, 0x00, 0x42, 0x02, /* destination MAC */
	0x02, 0x77, 0x00, 0x00, 0x42, 0x01, /* source MAC */
	0x08, 0x00,                         /* Ethertype IPv4 */
	/* inner IPv4 (offset 64) */
	0x45, 0x00,                         /* version 4, IHL 5, TOS */
	0x00, 0x1e,                         /* total length 30 */
	0x00, 0x02,                         /* identification */
	0x00, 0x00,                         /* flags 0, offset 0 */
	0x40, 0x11,                         /* TTL 64, protocol UDP */
	0x00, 0x00,                         /* header checksum: filled in */
	0x0a, 0x4d, 0x2a, 0x01,             /* source 10.77.42.1 */
	0x0a, 0x4d, 0x2a, 0x02,             /* destination 10.77.42.2 */
	/* inner UDP (offset 84) */
	0x30, 0x39,                         /* source port 12345 */
	0x22, 0xb8,                         /* destination port 8888 */
	0x00, 0x0a,                         /* length 10 */
	0x00, 0x00,                         /* checksum: filled in */
	'h', 'i',                           /* data */
};
#define OUTER_IP 14
#define VXLAN_AT 42
#define INNER_IP 64

static uint32_t make(uint8_t *f)
{
	memcpy(f, vx, sizeof vx);
	t_fix_ip4(f + OUTER_IP);
	t_fix_ip4(f + INNER_IP);
	t_fix_l4_ip4(f + INNER_IP, 6);
	return sizeof vx;
}

static void test_layers(void **state)
{
	(void)state;
	uint8_t f[sizeof vx];
	uint32_t n = make(f);
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	t_assert_clean(&t.p);
	static const uint8_t kinds[] = { NP_L_LINK, NP_L_IP4, NP_L_UDP, NP_L_VXLAN,
					 NP_L_LINK, NP_L_IP4, NP_L_UDP };
	assert_int_equal(t.p.nlayers, sizeof kinds);
	for (unsigned i = 0; i < sizeof kinds; i++)
		assert_int_equal(t.p.layer[i].kind, kinds[i]);
	const struct np_vxlan *v = &t.p.layer[3].vxlan;
	assert_int_equal(v->got, 8);
	assert_int_equal(v->flags, 0x0800);
	assert_int_equal(v->vni, 42);
	/* The accessors name the inner frame: what the tracker and the text line see. */
	assert_int_equal(np_pkt_ip4(&t.p)->src[2], 42);
	assert_int_equal(np_pkt_udp(&t.p)->dport, 8888);
	assert_int_equal(np_pkt_udp(&t.p)->csum_status, NP_CSUM_GOOD);
	assert_int_equal(np_pkt_link(&t.p)->src[4], 0x42);
	/* The outer UDP keeps its own fields. */
	assert_int_equal(t.p.layer[2].udp.dport, 4789);
	assert_int_equal(t.p.layer[2].udp.csum_status, NP_CSUM_ABSENT);
	t_free(&t);
}

/* RFC 7348 s5: the I flag MUST be set; without it the VNI is not valid, and the inner frame is
 * not decoded (an invalid header, as tshark's expert info says of a reserved flag). */
static void test_i_flag_missing(void **state)
{
	(void)state;
	uint8_t f[sizeof vx];
	uint32_t n = make(f);
	f[VXLAN_AT] = 0x00;
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	assert_true(t.p.malformed);
	assert_true(t_has_problem(&t.p, NP_L_VXLAN, NP_INVALID));
	assert_int_equal(t.p.nlayers, 4);
	assert_int_equal(np_pkt_udp(&t.p)->dport, 4789);
	t_free(&t);
}

/* --decode-as udp.port=9472:vxlan: a port the table does not name (Linux's pre-IANA 8472 is
 * a table row now, test_linux_port), decoded as VXLAN only with the override
 * (np_decode_with); and the overrides refused. */
static void test_decode_as(void **state)
{
	(void)state;
	uint8_t f[sizeof vx];
	uint32_t n = make(f);
	t_put16(f + 36, 9472); /* UDP destination port (the checksum is 0: none) */
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	assert_int_equal(t.p.nlayers, 3); /* plain UDP */
	struct np_decode_as da = { 0 };
	char err[256];
	assert_true(np_decode_as_add(&da, "udp.port=9472:vxlan", err, sizeof err));
	np_decode_with(&t.f, &t.p, &da);
	assert_int_equal(t.p.nlayers, 7);
	assert_int_equal(t.p.layer[3].kind, NP_L_VXLAN);
	assert_int_equal(t.p.layer[3].vxlan.vni, 42);
	assert_int_equal(np_pkt_udp(&t.p)->dport, 8888);
	assert_false(np_decode_as_add(&da, "udp.port=8472:http", err, sizeof err));
	assert_non_null(strstr(err, "unknown unit 'http' for udp"));
	assert_false(np_decode_as_add(&da, "sctp.port=1:dns", err, sizeof err));
	assert_false(np_decode_as_add(&da, "tcp.port=70000:tls", err, sizeof err));
	assert_false(np_decode_as_add(&da, "tcp.port=:tls", err, sizeof err));
	assert_int_equal(da.n, 1);
	t_free(&t);
}

static void check_prefix(const struct np_packet *full, const struct np_packet *cut,
			 uint32_t caplen)
{
	(void)full;
	if (caplen < VXLAN_AT + 8)
		assert_true(cut->nlayers <= 4);
	if (cut->nlayers >= 4) {
		const struct np_vxlan *v = &cut->layer[3].vxlan;
		uint32_t got = caplen - VXLAN_AT;
		assert_int_equal(v->got, got < 8 ? got : 8);
		if (got >= 8)
			assert_int_equal(v->vni, 42);
	}
}

/* Linux's default VXLAN port 8472 (ip link ... type vxlan without dstport) is dispatched by
 * default, as 4789 is. */
static void test_linux_port(void **state)
{
	(void)state;
	uint8_t f[sizeof vx];
	uint32_t n = make(f);
	t_put16(f + 36, 8472);
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	assert_int_equal(t.p.nlayers, 7);
	assert_int_equal(t.p.layer[3].kind, NP_L_VXLAN);
	assert_int_equal(t.p.layer[3].vxlan.vni, 42);
	t_free(&t);
}

static void test_every_prefix(void **state)
{
	(void)state;
	uint8_t f[sizeof vx];
	uint32_t n = make(f);
	t_every_prefix(DLT_EN10MB, f, n, check_prefix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layers),
		cmocka_unit_test(test_i_flag_missing),
		cmocka_unit_test(test_decode_as), cmocka_unit_test(test_linux_port),
		cmocka_unit_test(test_every_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
