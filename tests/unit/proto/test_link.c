/* test_link.c - link layers (src/proto/link.c): Ethernet II with 802.1Q/802.1ad tags, Linux
 * cooked SLL/SLL2, BSD loopback NULL/LOOP, raw IP, and link types we don't decode. */
#include "testutil.h"

/* IPv4 + UDP with no checksum: a clean payload for every link header below. */
static const uint8_t ip4_udp[] = {
	0x45,                   /* version 4, IHL 5 */
	0x00,                   /* DSCP 0, ECN 0 */
	0x00, 0x1c,             /* total length 28 */
	0x00, 0x01,             /* identification 1 */
	0x00, 0x00,             /* flags 0, fragment offset 0 */
	0x40,                   /* TTL 64 */
	0x11,                   /* protocol 17 (UDP) */
	0x00, 0x00,             /* header checksum: filled in by t_fix_ip4 */
	0x0a, 0x00, 0x00, 0x01, /* source 10.0.0.1 */
	0x0a, 0x00, 0x00, 0x02, /* destination 10.0.0.2 */
	0x30, 0x39,             /* UDP source port 12345 */
	0x00, 0x35,             /* UDP destination port 53 */
	0x00, 0x08,             /* UDP length 8 */
	0x00, 0x00,             /* UDP checksum 0: none (RFC 768) */
};

/* IPv6 with nothing after it: a clean IPv6 payload. */
static const uint8_t ip6_nonxt[] = {
	0x60, 0x00, 0x00, 0x00, /* version 6, traffic class 0, flow label 0 */
	0x00, 0x00,             /* payload length 0 */
	0x3b,                   /* next header 59 (no next header) */
	0x40,                   /* hop limit 64 */
	0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, /* source fe80::1 */
	0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, /* destination fe80::2 */
};

static const uint8_t eth_ip4[] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* destination MAC */
	0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* source MAC */
	0x08, 0x00,                         /* Ethertype IPv4 */
};

/* Link header + payload, with the IPv4 header checksum filled in when the payload is IPv4. */
static uint32_t build(uint8_t *out, const uint8_t *hdr, size_t hlen, const uint8_t *pl, size_t plen)
{
	uint32_t n = 0;
	t_append(out, &n, hdr, hlen);
	t_append(out, &n, pl, plen);
	if (plen && pl[0] >> 4 == 4)
		t_fix_ip4(out + hlen);
	return n;
}

static void assert_ip4_udp(const struct np_packet *p, uint32_t l3_off)
{
	assert_int_equal(np_pkt_mask(p), NP_HAS_LINK | NP_HAS_IP4 | NP_HAS_UDP);
	assert_int_equal(p->l3_off, l3_off);
	assert_int_equal(p->l4_off, l3_off + 20);
	assert_int_equal(np_pkt_ip4(p)->csum_status, NP_CSUM_GOOD);
	assert_int_equal(np_pkt_udp(p)->sport, 12345);
	assert_int_equal(np_pkt_udp(p)->dport, 53);
}

static void test_ethernet(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = build(f, eth_ip4, sizeof eth_ip4, ip4_udp, sizeof ip4_udp);
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	const struct np_link *l = np_pkt_link(&t.p);
	t_assert_clean(&t.p);
	assert_int_equal(l->kind, NP_LINK_ETH);
	assert_int_equal(l->hdr_len, 14);
	assert_true(l->has_dst);
	assert_int_equal(l->addr_len, 6);
	assert_memory_equal(l->dst, eth_ip4, 6);
	assert_memory_equal(l->src, eth_ip4 + 6, 6);
	assert_int_equal(l->ethertype, 0x0800);
	assert_int_equal(l->nvlan, 0);
	assert_false(l->outgoing);
	assert_false(l->loopback);
	assert_ip4_udp(&t.p, 14);
	t_free(&t);
}

/* A 60-byte minimum Ethernet frame: the padding after the IPv4 datagram is not part of it. */
static void test_ethernet_padding(void **state)
{
	(void)state;
	uint8_t f[128] = { 0 };
	build(f, eth_ip4, sizeof eth_ip4, ip4_udp, sizeof ip4_udp);
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, 60);
	t_assert_clean(&t.p);
	assert_ip4_udp(&t.p, 14);
	assert_int_equal(t.p.l4_len, 8);
	assert_int_equal(np_pkt_udp(&t.p)->payload_len, 0);
	t_free(&t);
}

static void test_vlan_8021q(void **state)
{
	(void)state;
	static const uint8_t hdr[] = {
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* destination MAC */
		0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* source MAC */
		0x81, 0x00,                         /* TPID 802.1Q */
		0xb0, 0x64,                         /* PCP 5, DEI 1, VID 100 */
		0x08, 0x00,                         /* Ethertype IPv4 */
	};
	uint8_t f[128];
	uint32_t n = build(f, hdr, sizeof hdr, ip4_udp, sizeof ip4_udp);
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_link(&t.p)->hdr_len, 18);
	assert_int_equal(np_pkt_link(&t.p)->nvlan, 1);
	assert_int_equal(np_pkt_link(&t.p)->vlan[0].tpid, 0x8100);
	assert_int_equal(np_pkt_link(&t.p)->vlan[0].pcp, 5);
	assert_int_equal(np_pkt_link(&t.p)->vlan[0].dei, 1);
	assert_int_equal(np_pkt_link(&t.p)->vlan[0].vid, 100);
	assert_int_equal(np_pkt_link(&t.p)->ethertype, 0x0800);
	assert_ip4_udp(&t.p, 18);
	t_free(&t);
}

static void test_qinq(void **state)
{
	(void)state;
	static const uint8_t hdr[] = {
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* destination MAC */
		0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* source MAC */
		0x88, 0xa8,                         /* TPID 802.1ad (service tag) */
		0x00, 0xc8,                         /* PCP 0, DEI 0, VID 200 */
		0x81, 0x00,                         /* TPID 802.1Q (customer tag) */
		0x2f, 0xff,                         /* PCP 1, DEI 0, VID 4095 */
		0x86, 0xdd,                         /* Ethertype IPv6 */
	};
	uint8_t f[128];
	uint32_t n = build(f, hdr, sizeof hdr, ip6_nonxt, sizeof ip6_nonxt);
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_link(&t.p)->hdr_len, 22);
	assert_int_equal(np_pkt_link(&t.p)->nvlan, 2);
	assert_int_equal(np_pkt_link(&t.p)->vlan[0].tpid, 0x88a8);
	assert_int_equal(np_pkt_link(&t.p)->vlan[0].vid, 200);
	assert_int_equal(np_pkt_link(&t.p)->vlan[0].pcp, 0);
	assert_int_equal(np_pkt_link(&t.p)->vlan[1].tpid, 0x8100);
	assert_int_equal(np_pkt_link(&t.p)->vlan[1].vid, 4095);
	assert_int_equal(np_pkt_link(&t.p)->vlan[1].pcp, 1);
	assert_int_equal(np_pkt_link(&t.p)->ethertype, 0x86dd);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK | NP_HAS_IP6);
	assert_int_equal(t.p.l3_off, 22);
	assert_int_equal(np_pkt_ip6(&t.p)->next_final, 59);
	t_free(&t);
}

static void test_too_many_vlan_tags(void **state)
{
	(void)state;
	static const uint8_t hdr[] = {
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* destination MAC */
		0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* source MAC */
		0x81, 0x00, 0x00, 0x01,             /* tag 1: 802.1Q VID 1 */
		0x81, 0x00, 0x00, 0x02,             /* tag 2: VID 2 */
		0x81, 0x00, 0x00, 0x03,             /* tag 3: VID 3 */
		0x81, 0x00, 0x00, 0x04,             /* tag 4: VID 4 (NP_MAX_VLAN) */
		0x81, 0x00, 0x00, 0x05,             /* tag 5: one too many */
		0x08, 0x00,                         /* Ethertype IPv4 */
	};
	uint8_t f[128];
	uint32_t n = build(f, hdr, sizeof hdr, ip4_udp, sizeof ip4_udp);
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	assert_int_equal(np_pkt_link(&t.p)->nvlan, NP_MAX_VLAN);
	assert_int_equal(np_pkt_link(&t.p)->vlan[3].vid, 4);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK);
	assert_true(t_has_problem(&t.p, NP_L_LINK, NP_UNSUPPORTED));
	assert_false(t.p.truncated);
	assert_false(t.p.malformed);
	t_free(&t);
}

static void test_vlan_tag_cut_short(void **state)
{
	(void)state;
	static const uint8_t f[] = {
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* destination MAC */
		0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* source MAC */
		0x81, 0x00,                         /* TPID 802.1Q */
		0x00, 0x01,                         /* VID 1, then the capture ends */
	};
	struct t_pkt t;
	t_decode_ex(&t, DLT_EN10MB, f, sizeof f, 60);
	assert_true(t.p.truncated);
	assert_true(t_has_problem(&t.p, NP_L_LINK, NP_TRUNCATED));
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK);
	t_free(&t);
}

static void test_ethernet_not_decoded_payloads(void **state)
{
	(void)state;
	static const uint8_t llc[] = {
		0x01, 0x80, 0xc2, 0x00, 0x00, 0x00, /* destination: STP multicast */
		0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* source MAC */
		0x00, 0x26,                         /* 802.3 length 38, not an Ethertype */
		0x42, 0x42, 0x03,                   /* LLC DSAP, SSAP, control */
	};
	static const uint8_t lldp[] = {
		0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e, /* destination: LLDP multicast */
		0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* source MAC */
		0x88, 0xcc,                         /* Ethertype LLDP */
		0x02, 0x07,                         /* a TLV header */
	};
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, llc, sizeof llc);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK);
	assert_int_equal(np_pkt_link(&t.p)->ethertype, 0x0026);
	assert_true(t_has_problem(&t.p, NP_L_LINK, NP_UNSUPPORTED));
	assert_false(t.p.malformed);
	t_free(&t);
	t_decode(&t, DLT_EN10MB, lldp, sizeof lldp);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK);
	assert_int_equal(np_pkt_link(&t.p)->ethertype, 0x88cc);
	assert_true(t_has_problem(&t.p, NP_L_LINK, NP_UNSUPPORTED));
	t_free(&t);
}

/* Linux's lo: Ethernet with all-zero addresses, so every packet was sent by this host. */
static void test_ethernet_loopback(void **state)
{
	(void)state;
	static const uint8_t hdr[] = {
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* destination 00:00:00:00:00:00 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* source 00:00:00:00:00:00 */
		0x08, 0x00,                         /* Ethertype IPv4 */
	};
	uint8_t f[128];
	uint32_t n = build(f, hdr, sizeof hdr, ip4_udp, sizeof ip4_udp);
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	t_assert_clean(&t.p);
	assert_true(np_pkt_link(&t.p)->loopback);
	assert_true(np_pkt_link(&t.p)->outgoing);
	assert_ip4_udp(&t.p, 14);
	t_free(&t);

	/* Only one address zero is not loopback. */
	uint8_t g[128];
	n = build(g, eth_ip4, sizeof eth_ip4, ip4_udp, sizeof ip4_udp);
	memset(g, 0, 6);
	t_decode(&t, DLT_EN10MB, g, n);
	assert_false(np_pkt_link(&t.p)->loopback);
	assert_false(np_pkt_link(&t.p)->outgoing);
	t_free(&t);
}

static void test_sll(void **state)
{
	(void)state;
	static const uint8_t hdr[] = {
		0x00, 0x00,                         /* packet type 0: to us */
		0x00, 0x01,                         /* ARPHRD_ETHER */
		0x00, 0x06,                         /* link-layer address length 6 */
		0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* link-layer address */
		0x00, 0x00,                         /* address padding to 8 bytes */
		0x08, 0x00,                         /* protocol IPv4 */
	};
	uint8_t f[128];
	uint32_t n = build(f, hdr, sizeof hdr, ip4_udp, sizeof ip4_udp);
	struct t_pkt t;
	t_decode(&t, DLT_LINUX_SLL, f, n);
	const struct np_link *l = np_pkt_link(&t.p);
	t_assert_clean(&t.p);
	assert_int_equal(l->kind, NP_LINK_SLL);
	assert_int_equal(l->hdr_len, 16);
	assert_int_equal(l->sll_pkttype, 0);
	assert_int_equal(l->sll_hatype, 1);
	assert_int_equal(l->addr_len, 6);
	assert_memory_equal(l->src, hdr + 6, 6);
	assert_false(l->has_dst);
	assert_int_equal(l->ethertype, 0x0800);
	assert_false(l->outgoing);
	assert_false(l->loopback);
	assert_ip4_udp(&t.p, 16);
	t_free(&t);

	/* Packet type 4: sent by this host. */
	f[1] = 4;
	t_decode(&t, DLT_LINUX_SLL, f, n);
	assert_true(np_pkt_link(&t.p)->outgoing);
	assert_false(np_pkt_link(&t.p)->loopback);
	t_free(&t);

	/* ARPHRD_LOOPBACK (772): loopback, hence outgoing, whatever the packet type says. */
	f[1] = 0;
	f[2] = 0x03;
	f[3] = 0x04;
	t_decode(&t, DLT_LINUX_SLL, f, n);
	assert_true(np_pkt_link(&t.p)->outgoing);
	assert_true(np_pkt_link(&t.p)->loopback);
	t_free(&t);

	/* An address length above 8 is clamped to the 8 bytes the header has room for. */
	f[2] = 0x00;
	f[3] = 0x01;
	f[5] = 20;
	t_decode(&t, DLT_LINUX_SLL, f, n);
	assert_int_equal(np_pkt_link(&t.p)->addr_len, 8);
	t_free(&t);
}

static void test_sll2_outgoing(void **state)
{
	(void)state;
	static const uint8_t hdr[] = {
		0x86, 0xdd,                         /* protocol IPv6 */
		0x00, 0x00,                         /* reserved */
		0x00, 0x00, 0x00, 0x03,             /* interface index 3 */
		0x00, 0x01,                         /* ARPHRD_ETHER */
		0x04,                               /* packet type 4: outgoing */
		0x06,                               /* link-layer address length 6 */
		0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* link-layer address */
		0x00, 0x00,                         /* address padding to 8 bytes */
	};
	uint8_t f[128];
	uint32_t n = build(f, hdr, sizeof hdr, ip6_nonxt, sizeof ip6_nonxt);
	struct t_pkt t;
	t_decode(&t, DLT_LINUX_SLL2, f, n);
	const struct np_link *l = np_pkt_link(&t.p);
	t_assert_clean(&t.p);
	assert_int_equal(l->kind, NP_LINK_SLL2);
	assert_int_equal(l->hdr_len, 20);
	assert_int_equal(l->ethertype, 0x86dd);
	assert_int_equal(l->sll_ifindex, 3);
	assert_int_equal(l->sll_hatype, 1);
	assert_int_equal(l->sll_pkttype, 4);
	assert_int_equal(l->addr_len, 6);
	assert_memory_equal(l->src, hdr + 12, 6);
	assert_true(l->outgoing);
	assert_false(l->loopback);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK | NP_HAS_IP6);
	assert_int_equal(t.p.l3_off, 20);
	t_free(&t);

	f[10] = 0; /* to us */
	t_decode(&t, DLT_LINUX_SLL2, f, n);
	assert_false(np_pkt_link(&t.p)->outgoing);
	t_free(&t);
}

/* BSD loopback: the family word in the writer's byte order (NULL) or network order (LOOP). */
static void check_null(int dlt, const uint8_t fam[4], uint32_t family, bool v6)
{
	uint8_t f[128];
	uint32_t n = v6 ? build(f, fam, 4, ip6_nonxt, sizeof ip6_nonxt)
			: build(f, fam, 4, ip4_udp, sizeof ip4_udp);
	struct t_pkt t;
	t_decode(&t, dlt, f, n);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_link(&t.p)->kind, dlt == DLT_NULL ? NP_LINK_NULL : NP_LINK_LOOP);
	assert_int_equal(np_pkt_link(&t.p)->family, family);
	assert_int_equal(np_pkt_link(&t.p)->hdr_len, 4);
	assert_true(np_pkt_link(&t.p)->loopback);
	assert_true(np_pkt_link(&t.p)->outgoing);
	assert_int_equal(t.p.l3_off, 4);
	if (v6) {
		assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK | NP_HAS_IP6);
		assert_int_equal(np_pkt_link(&t.p)->ethertype, 0x86dd);
	} else {
		assert_ip4_udp(&t.p, 4);
		assert_int_equal(np_pkt_link(&t.p)->ethertype, 0x0800);
	}
	t_free(&t);
}

static void test_null_and_loop_families(void **state)
{
	(void)state;
	static const uint8_t le2[] = { 0x02, 0x00, 0x00, 0x00 }; /* AF_INET, little-endian */
	static const uint8_t be2[] = { 0x00, 0x00, 0x00, 0x02 }; /* AF_INET, big-endian */
	check_null(DLT_NULL, le2, 2, false);
	check_null(DLT_NULL, be2, 2, false);
	check_null(DLT_LOOP, be2, 2, false);
	/* AF_INET6 on NetBSD/OpenBSD (24), FreeBSD/DragonFly (28), macOS (30), Linux (10). */
	static const uint32_t fam6[] = { 24, 28, 30, 10 };
	for (size_t i = 0; i < T_ARRAY_LEN(fam6); i++) {
		const uint8_t le[4] = { (uint8_t)fam6[i], 0x00, 0x00, 0x00 }; /* little-endian */
		const uint8_t be[4] = { 0x00, 0x00, 0x00, (uint8_t)fam6[i] }; /* big-endian */
		check_null(DLT_NULL, le, fam6[i], true);
		check_null(DLT_NULL, be, fam6[i], true);
		check_null(DLT_LOOP, be, fam6[i], true);
	}
}

/* A family field holding an Ethertype (seen in the held-out set, issue 14): Wireshark reads a
 * value above 1500 as one, so 0x0800 is IPv4, in either byte order, on NULL and LOOP. */
static void test_null_ethertype_family(void **state)
{
	(void)state;
	static const uint8_t be[] = { 0x00, 0x00, 0x08, 0x00 }; /* 0x0800, big-endian */
	static const uint8_t le[] = { 0x00, 0x08, 0x00, 0x00 }; /* 0x0800, little-endian */
	check_null(DLT_NULL, be, 0x0800, false);
	check_null(DLT_NULL, le, 0x0800, false);
	check_null(DLT_LOOP, be, 0x0800, false);
	/* an Ethertype no unit decodes stays an unsupported family */
	uint8_t f[128];
	static const uint8_t other[] = { 0x00, 0x00, 0x88, 0xcc }; /* LLDP */
	uint32_t n = build(f, other, 4, ip4_udp, sizeof ip4_udp);
	struct t_pkt t;
	t_decode(&t, DLT_NULL, f, n);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK);
	assert_true(t_has_problem(&t.p, NP_L_LINK, NP_UNSUPPORTED));
	t_free(&t);
}

static void test_null_unknown_family(void **state)
{
	(void)state;
	uint8_t f[128];
	static const uint8_t fam7[] = { 0x07, 0x00, 0x00, 0x00 }; /* family 7, little-endian */
	uint32_t n = build(f, fam7, 4, ip4_udp, sizeof ip4_udp);
	struct t_pkt t;
	t_decode(&t, DLT_NULL, f, n);
	assert_int_equal(np_pkt_link(&t.p)->family, 7);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK);
	assert_true(t_has_problem(&t.p, NP_L_LINK, NP_UNSUPPORTED));
	t_free(&t);

	/* LOOP is always network order: a little-endian 2 is family 0x02000000, not IPv4. */
	static const uint8_t le2[] = { 0x02, 0x00, 0x00, 0x00 }; /* AF_INET, little-endian */
	n = build(f, le2, 4, ip4_udp, sizeof ip4_udp);
	t_decode(&t, DLT_LOOP, f, n);
	assert_int_equal(np_pkt_link(&t.p)->family, 0x02000000u);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK);
	assert_true(t_has_problem(&t.p, NP_L_LINK, NP_UNSUPPORTED));
	t_free(&t);
}

static void test_raw(void **state)
{
	(void)state;
	static const int dlts[] = { DLT_RAW, DLT_IPV4, DLT_IPV6 };
	uint8_t f[128];
	for (size_t i = 0; i < T_ARRAY_LEN(dlts); i++) {
		struct t_pkt t;
		uint32_t n = build(f, NULL, 0, ip4_udp, sizeof ip4_udp);
		t_decode(&t, dlts[i], f, n);
		t_assert_clean(&t.p);
		assert_int_equal(np_pkt_link(&t.p)->kind, NP_LINK_RAW);
		assert_int_equal(np_pkt_link(&t.p)->hdr_len, 0);
		assert_int_equal(np_pkt_link(&t.p)->ethertype, 0x0800);
		assert_false(np_pkt_link(&t.p)->outgoing);
		assert_ip4_udp(&t.p, 0);
		t_free(&t);

		t_decode(&t, dlts[i], ip6_nonxt, sizeof ip6_nonxt);
		t_assert_clean(&t.p);
		assert_int_equal(np_pkt_link(&t.p)->ethertype, 0x86dd);
		assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK | NP_HAS_IP6);
		assert_int_equal(t.p.l3_off, 0);
		t_free(&t);
	}
}

static void test_raw_bad_version(void **state)
{
	(void)state;
	static const uint8_t v5[] = {
		0x55, 0x00, 0x00, 0x14, /* version 5, IHL 5, TOS, total length 20 */
		0x00, 0x00, 0x00, 0x00, /* id, flags/offset */
	};
	struct t_pkt t;
	t_decode(&t, DLT_RAW, v5, sizeof v5);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK);
	assert_true(t.p.malformed);
	assert_true(t_has_problem(&t.p, NP_L_LINK, NP_INVALID));
	t_free(&t);

	t_decode(&t, DLT_RAW, v5, 0); /* an empty frame */
	assert_true(t.p.truncated);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK);
	t_free(&t);
}

static void test_unsupported_dlt(void **state)
{
	(void)state;
	struct t_pkt t;
	t_decode(&t, DLT_USER0, eth_ip4, sizeof eth_ip4);
	assert_int_equal(np_pkt_mask(&t.p), 0);
	assert_int_equal(t.p.nproblems, 1);
	assert_int_equal(t.p.problems[0].layer, NP_L_LINK);
	assert_int_equal(t.p.problems[0].verdict, NP_UNSUPPORTED);
	assert_non_null(t.p.problems[0].what);
	assert_false(t.p.truncated);
	assert_false(t.p.malformed);
	t_free(&t);
	t_decode(&t, -1, eth_ip4, 0);
	assert_int_equal(np_pkt_mask(&t.p), 0);
	t_free(&t);

	assert_false(np_link_supported(DLT_USER0));
	assert_string_equal(np_link_name(DLT_USER0), "unsupported");
	assert_true(np_link_supported(DLT_LINUX_SLL2));
	assert_string_equal(np_link_name(DLT_EN10MB), "EN10MB");
	assert_string_equal(np_link_name(DLT_LINUX_SLL2), "LINUX_SLL2");
}

/* The decode of a prefix agrees with the full decode on the link header once it is captured. */
static void check_link_prefix(const struct np_packet *full, const struct np_packet *cut, uint32_t cap)
{
	assert_int_equal(np_pkt_link(cut)->kind, np_pkt_link(full)->kind);
	/* Raw IP has no header: its "Ethertype" comes from the first byte of the IP header. */
	bool whole = cap >= np_pkt_link(full)->hdr_len && (np_pkt_link(full)->kind != NP_LINK_RAW || cap > 0);
	if (whole) {
		assert_int_equal(np_pkt_link(cut)->hdr_len, np_pkt_link(full)->hdr_len);
		assert_int_equal(np_pkt_link(cut)->ethertype, np_pkt_link(full)->ethertype);
		assert_int_equal(np_pkt_link(cut)->nvlan, np_pkt_link(full)->nvlan);
		assert_memory_equal(np_pkt_link(cut)->src, np_pkt_link(full)->src, sizeof np_pkt_link(full)->src);
		assert_memory_equal(np_pkt_link(cut)->dst, np_pkt_link(full)->dst, sizeof np_pkt_link(full)->dst);
		assert_int_equal(np_pkt_link(cut)->outgoing, np_pkt_link(full)->outgoing);
		assert_int_equal(np_pkt_link(cut)->family, np_pkt_link(full)->family);
		assert_int_equal(np_pkt_link(cut)->sll_ifindex, np_pkt_link(full)->sll_ifindex);
		for (unsigned i = 0; i < np_pkt_link(full)->nvlan; i++)
			assert_int_equal(np_pkt_link(cut)->vlan[i].vid, np_pkt_link(full)->vlan[i].vid);
	} else {
		/* Nothing above the link layer is decoded from a partial link header. */
		assert_int_equal(np_pkt_mask(cut) & ~NP_HAS_LINK, 0);
	}
	/* An address counts as there only once all its bytes were captured: caplen 0 or 1 has
	 * none, and the printers show what the decoder says is there. */
	if (np_pkt_link(full)->kind == NP_LINK_ETH) {
		assert_int_equal(np_pkt_link(cut)->has_dst, cap >= 6);
		assert_int_equal(np_pkt_link(cut)->addr_len, cap >= 12 ? 6 : 0);
		if (cap >= 6)
			assert_memory_equal(np_pkt_link(cut)->dst, np_pkt_link(full)->dst, 6);
		if (cap >= 12)
			assert_memory_equal(np_pkt_link(cut)->src, np_pkt_link(full)->src, 6);
	} else if (!whole) {
		assert_false(np_pkt_link(cut)->has_dst);
		assert_int_equal(np_pkt_link(cut)->addr_len, 0);
	}
	if (cap >= np_pkt_link(full)->hdr_len + 20u && np_pkt_ip4(full)) {
		assert_memory_equal(np_pkt_ip4(cut)->src, np_pkt_ip4(full)->src, 4);
		assert_memory_equal(np_pkt_ip4(cut)->dst, np_pkt_ip4(full)->dst, 4);
	}
}

static void test_every_prefix(void **state)
{
	(void)state;
	static const uint8_t vlan_hdr[] = {
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* destination MAC */
		0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* source MAC */
		0x81, 0x00,                         /* TPID 802.1Q */
		0x00, 0x0a,                         /* VID 10 */
		0x08, 0x00,                         /* Ethertype IPv4 */
	};
	static const uint8_t sll_hdr[] = {
		0x00, 0x04,                         /* packet type 4: outgoing */
		0x00, 0x01,                         /* ARPHRD_ETHER */
		0x00, 0x06,                         /* address length 6 */
		0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* link-layer address */
		0x00, 0x00,                         /* padding */
		0x08, 0x00,                         /* protocol IPv4 */
	};
	static const uint8_t sll2_hdr[] = {
		0x08, 0x00,                         /* protocol IPv4 */
		0x00, 0x00,                         /* reserved */
		0x00, 0x00, 0x00, 0x02,             /* interface index 2 */
		0x00, 0x01,                         /* ARPHRD_ETHER */
		0x00,                               /* packet type 0 */
		0x06,                               /* address length 6 */
		0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* link-layer address */
		0x00, 0x00,                         /* padding */
	};
	static const uint8_t null_hdr[] = { 0x02, 0x00, 0x00, 0x00 }; /* AF_INET, little-endian */
	static const uint8_t loop_hdr[] = { 0x00, 0x00, 0x00, 0x1e }; /* AF_INET6 (macOS) */
	uint8_t f[128];
	uint32_t n;
	n = build(f, eth_ip4, sizeof eth_ip4, ip4_udp, sizeof ip4_udp);
	t_every_prefix(DLT_EN10MB, f, n, check_link_prefix);
	n = build(f, vlan_hdr, sizeof vlan_hdr, ip4_udp, sizeof ip4_udp);
	t_every_prefix(DLT_EN10MB, f, n, check_link_prefix);
	n = build(f, sll_hdr, sizeof sll_hdr, ip4_udp, sizeof ip4_udp);
	t_every_prefix(DLT_LINUX_SLL, f, n, check_link_prefix);
	n = build(f, sll2_hdr, sizeof sll2_hdr, ip4_udp, sizeof ip4_udp);
	t_every_prefix(DLT_LINUX_SLL2, f, n, check_link_prefix);
	n = build(f, null_hdr, sizeof null_hdr, ip4_udp, sizeof ip4_udp);
	t_every_prefix(DLT_NULL, f, n, check_link_prefix);
	n = build(f, loop_hdr, sizeof loop_hdr, ip6_nonxt, sizeof ip6_nonxt);
	t_every_prefix(DLT_LOOP, f, n, check_link_prefix);
	n = build(f, NULL, 0, ip4_udp, sizeof ip4_udp);
	t_every_prefix(DLT_RAW, f, n, check_link_prefix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ethernet),
		cmocka_unit_test(test_ethernet_padding),
		cmocka_unit_test(test_vlan_8021q),
		cmocka_unit_test(test_qinq),
		cmocka_unit_test(test_too_many_vlan_tags),
		cmocka_unit_test(test_vlan_tag_cut_short),
		cmocka_unit_test(test_ethernet_not_decoded_payloads),
		cmocka_unit_test(test_ethernet_loopback),
		cmocka_unit_test(test_sll),
		cmocka_unit_test(test_sll2_outgoing),
		cmocka_unit_test(test_null_and_loop_families),
		cmocka_unit_test(test_null_unknown_family),
		cmocka_unit_test(test_null_ethertype_family),
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_raw_bad_version),
		cmocka_unit_test(test_unsupported_dlt),
		cmocka_unit_test(test_every_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
