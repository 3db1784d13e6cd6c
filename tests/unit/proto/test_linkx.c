/* test_linkx.c - the link types of src/proto/ppp.c (PPP, PPP_SERIAL, Cisco HDLC, NFLOG) and
 * src/proto/wlan.c (802.11 with radiotap or PPI, FDDI): every prefix of a valid frame, the
 * verdicts, the network layer behind each, the frames named and not decoded further. */
#include <pcap/dlt.h>

#include "testutil.h"

/* IPv4 + UDP with no checksum, as in test_link.c. */
static const uint8_t ip4_udp[] = {
	0x45, 0x00, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00, /* IPv4, UDP */
	0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02,                         /* 10.0.0.1 > .2 */
	0x30, 0x39, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00, /* UDP 12345 > 53, length 8, no checksum */
};

static const uint8_t ppp_hdlc[] = { 0xff, 0x03, 0x00, 0x21 };   /* RFC 1662 framing, IPv4 */
static const uint8_t ppp_bare[] = { 0x00, 0x21 };               /* no address/control */
static const uint8_t ppp_pfc[] = { 0x21 };                      /* compressed protocol field */
static const uint8_t chdlc[] = { 0x0f, 0x00, 0x08, 0x00 };      /* unicast, IPv4 */
static const uint8_t nflog[] = {
	0x02, 0x00, 0x00, 0x05,                         /* AF_INET, version 0, group 5 */
	0x08, 0x00, 0x01, 0x00, 0x08, 0x00, 0x03, 0x00, /* NFULA_PACKET_HDR: IPv4, hook Local out */
	0x20, 0x00, 0x09, 0x00,                         /* NFULA_PAYLOAD, 4 + 28 bytes */
};
static const uint8_t wlan_data[] = {
	0x88, 0x01, 0x2c, 0x00,                         /* QoS Data, To DS; duration 44 */
	0x02, 0, 0, 0, 0, 0xaa,                         /* addr1: BSS Id */
	0x02, 0, 0, 0, 0, 0x01,                         /* addr2: source */
	0x02, 0, 0, 0, 0, 0x02,                         /* addr3: destination */
	0x30, 0x00, 0x00, 0x00,                         /* sequence 3, QoS control */
	0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00, /* LLC/SNAP, IPv4 */
};
static const uint8_t radiotap[] = { 0x00, 0x00, 0x0a, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0c };
static const uint8_t ppi[] = { 0x00, 0x00, 0x08, 0x00, 105, 0x00, 0x00, 0x00 };
static const uint8_t fddi[] = {
	0x50, 0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01,  /* LLC frame, destination, source */
	0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00,        /* LLC/SNAP, IPv4 */
};
static const uint8_t beacon[] = {
	0x80, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0xaa,
	0x02, 0, 0, 0, 0, 0xaa, 0x10, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x64, 0x00, 0x01, 0x04,
};

static uint32_t build(uint8_t *out, const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	uint32_t n = 0;
	t_append(out, &n, a, an);
	t_append(out, &n, b, bn);
	t_append(out, &n, ip4_udp, sizeof ip4_udp);
	t_fix_ip4(out + an + bn);
	return n;
}

static void assert_udp_at(int dlt, const uint8_t *f, uint32_t n, uint32_t l3_off)
{
	struct t_pkt t;
	t_decode(&t, dlt, f, n);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK | NP_HAS_IP4 | NP_HAS_UDP);
	assert_int_equal(t.p.l3_off, l3_off);
	assert_int_equal(np_pkt_ip4(&t.p)->csum_status, NP_CSUM_GOOD);
	assert_int_equal(np_pkt_udp(&t.p)->dport, 53);
	t_free(&t);
	t_every_prefix(dlt, f, n, NULL);
}

static void test_ppp(void **state)
{
	(void)state;
	uint8_t f[64];
	uint32_t n = build(f, ppp_hdlc, sizeof ppp_hdlc, NULL, 0);
	assert_udp_at(DLT_PPP_SERIAL, f, n, 4);
	assert_udp_at(DLT_PPP, f, n, 4);
	n = build(f, ppp_bare, sizeof ppp_bare, NULL, 0);
	assert_udp_at(DLT_PPP, f, n, 2);
	n = build(f, ppp_pfc, sizeof ppp_pfc, NULL, 0);
	assert_udp_at(DLT_PPP, f, n, 1);
	/* LCP: named by its protocol, not decoded further, no problem */
	static const uint8_t lcp[] = { 0xc0, 0x21, 0x09, 0x01, 0x00, 0x08, 0, 0, 0, 1 };
	struct t_pkt t;
	t_decode(&t, DLT_PPP, lcp, sizeof lcp);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK);
	assert_int_equal(np_pkt_link(&t.p)->kind, NP_LINK_PPP);
	assert_int_equal(np_pkt_link(&t.p)->proto, 0xc021);
	t_free(&t);
}

static void test_chdlc(void **state)
{
	(void)state;
	uint8_t f[64];
	uint32_t n = build(f, chdlc, sizeof chdlc, NULL, 0);
	assert_udp_at(DLT_C_HDLC, f, n, 4);
	assert_udp_at(DLT_PPP_SERIAL, f, n, 4); /* Cisco framing in a PPP_SERIAL capture */
	struct t_pkt t;
	f[2] = 0x12; /* an Ethertype nobody decodes */
	t_decode(&t, DLT_C_HDLC, f, n);
	assert_true(t_has_problem(&t.p, NP_L_LINK, NP_UNSUPPORTED));
	t_free(&t);
}

static void test_nflog(void **state)
{
	(void)state;
	uint8_t f[64];
	uint32_t n = build(f, nflog, sizeof nflog, NULL, 0);
	assert_udp_at(DLT_NFLOG, f, n, sizeof nflog);
	struct t_pkt t;
	t_decode(&t, DLT_NFLOG, f, n);
	const struct np_link *l = np_pkt_link(&t.p);
	assert_int_equal(l->kind, NP_LINK_NFLOG);
	assert_int_equal(l->pre_len, 5);
	assert_int_equal(l->proto, 0x0800);
	assert_int_equal(l->ctrl, 3);
	assert_true(l->outgoing);
	t_free(&t);
	/* a TLV length below 4: invalid, and no endless walk */
	f[4] = 0x02;
	t_decode(&t, DLT_NFLOG, f, n);
	assert_true(t.p.malformed);
	assert_true(t_has_problem(&t.p, NP_L_LINK, NP_INVALID));
	t_free(&t);
	/* big-endian TLVs (a big-endian capturing host) */
	static const uint8_t be[] = { 0x0a, 0x00, 0x00, 0x01, 0x00, 0x04, 0x00, 0x0a };
	t_decode(&t, DLT_NFLOG, be, sizeof be);
	assert_true(t_has_problem(&t.p, NP_L_LINK, NP_UNSUPPORTED)); /* no payload TLV */
	assert_false(t.p.malformed);
	t_free(&t);
}

static void test_wlan(void **state)
{
	(void)state;
	uint8_t f[96];
	uint32_t n = build(f, wlan_data, sizeof wlan_data, NULL, 0);
	assert_udp_at(DLT_IEEE802_11, f, n, sizeof wlan_data);
	struct t_pkt t;
	t_decode(&t, DLT_IEEE802_11, f, n);
	const struct np_link *l = np_pkt_link(&t.p);
	assert_int_equal(l->src[5], 0x01);
	assert_int_equal(l->dst[5], 0x02);
	assert_int_equal(l->bssid[5], 0xaa);
	assert_int_equal(l->body >> 4, 3);
	t_free(&t);
	n = build(f, radiotap, sizeof radiotap, wlan_data, sizeof wlan_data);
	assert_udp_at(DLT_IEEE802_11_RADIO, f, n, sizeof radiotap + sizeof wlan_data);
	n = build(f, ppi, sizeof ppi, wlan_data, sizeof wlan_data);
	assert_udp_at(DLT_PPI, f, n, sizeof ppi + sizeof wlan_data);
	/* radiotap version 1 and a length below its own header: invalid */
	f[0] = 1;
	n = build(f, radiotap, sizeof radiotap, wlan_data, sizeof wlan_data);
	f[0] = 1;
	t_decode(&t, DLT_IEEE802_11_RADIO, f, n);
	assert_true(t.p.malformed);
	t_free(&t);
	/* PPI of another link type: unsupported */
	n = build(f, ppi, sizeof ppi, wlan_data, sizeof wlan_data);
	f[4] = 1;
	t_decode(&t, DLT_PPI, f, n);
	assert_true(t_has_problem(&t.p, NP_L_LINK, NP_UNSUPPORTED));
	t_free(&t);
	/* protected data: not decoded */
	n = build(f, wlan_data, sizeof wlan_data, NULL, 0);
	f[1] |= 0x40;
	t_decode(&t, DLT_IEEE802_11, f, n);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK);
	assert_true(t_has_problem(&t.p, NP_L_LINK, NP_UNSUPPORTED));
	t_free(&t);
}

static void test_wlan_named(void **state)
{
	(void)state;
	struct t_pkt t;
	t_decode(&t, DLT_IEEE802_11, beacon, sizeof beacon);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK);
	assert_int_equal(np_pkt_link(&t.p)->proto, 0x8000);
	assert_int_equal(np_pkt_link(&t.p)->body >> 4, 1);
	t_free(&t);
	static const uint8_t ack[] = { 0xd4, 0x00, 0x00, 0x00, 0x02, 0, 0, 0, 0, 0x01 };
	t_decode(&t, DLT_IEEE802_11, ack, sizeof ack);
	t_assert_clean(&t.p);
	assert_true(np_pkt_link(&t.p)->has_dst);
	assert_int_equal(np_pkt_link(&t.p)->addr_len, 0);
	t_free(&t);
	t_every_prefix(DLT_IEEE802_11, ack, 10, NULL);
}

static void test_fddi(void **state)
{
	(void)state;
	uint8_t f[64];
	uint32_t n = build(f, fddi, sizeof fddi, NULL, 0);
	assert_udp_at(DLT_FDDI, f, n, sizeof fddi);
	struct t_pkt t;
	f[14] = 0x42; /* LLC without SNAP */
	t_decode(&t, DLT_FDDI, f, n);
	assert_true(t_has_problem(&t.p, NP_L_LINK, NP_UNSUPPORTED));
	t_free(&t);
}

static void test_supported(void **state)
{
	(void)state;
	static const int dlts[] = { DLT_PPP, DLT_PPP_SERIAL, DLT_C_HDLC, DLT_NFLOG, DLT_IEEE802_11,
				    DLT_IEEE802_11_RADIO, DLT_PPI, DLT_FDDI };
	for (size_t i = 0; i < sizeof dlts / sizeof dlts[0]; i++)
		assert_true(np_link_supported(dlts[i]));
	assert_string_equal(np_link_name(DLT_C_HDLC), "C_HDLC");
	assert_string_equal(np_link_name(DLT_IEEE802_11_RADIO), "IEEE802_11_RADIO");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ppp),       cmocka_unit_test(test_chdlc),
		cmocka_unit_test(test_nflog),     cmocka_unit_test(test_wlan),
		cmocka_unit_test(test_wlan_named), cmocka_unit_test(test_fddi),
		cmocka_unit_test(test_supported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
