/* test_arp.c - ARP for IPv4 over Ethernet (src/proto/arp.c, RFC 826). */
#include "testutil.h"

#define ARP_AT 14

static const uint8_t who_has[] = {
	/* Ethernet */
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* destination: broadcast */
	0x02, 0x11, 0x22, 0x33, 0x44, 0x55, /* source MAC */
	0x08, 0x06,                         /* Ethertype ARP */
	/* ARP (offset 14) */
	0x00, 0x01,                         /* hardware type 1 (Ethernet) */
	0x08, 0x00,                         /* protocol type IPv4 */
	0x06,                               /* hardware address length 6 */
	0x04,                               /* protocol address length 4 */
	0x00, 0x01,                         /* opcode 1: request */
	0x02, 0x11, 0x22, 0x33, 0x44, 0x55, /* sender MAC */
	0xc0, 0xa8, 0x01, 0x01,             /* sender IP 192.168.1.1 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* target MAC: unknown */
	0xc0, 0xa8, 0x01, 0x02,             /* target IP 192.168.1.2 */
};

static const uint8_t is_at[] = {
	/* Ethernet */
	0x02, 0x11, 0x22, 0x33, 0x44, 0x55, /* destination MAC */
	0x02, 0x66, 0x77, 0x88, 0x99, 0xaa, /* source MAC */
	0x08, 0x06,                         /* Ethertype ARP */
	/* ARP */
	0x00, 0x01,                         /* hardware type Ethernet */
	0x08, 0x00,                         /* protocol type IPv4 */
	0x06, 0x04,                         /* address lengths 6 and 4 */
	0x00, 0x02,                         /* opcode 2: reply */
	0x02, 0x66, 0x77, 0x88, 0x99, 0xaa, /* sender MAC */
	0xc0, 0xa8, 0x01, 0x02,             /* sender IP 192.168.1.2 */
	0x02, 0x11, 0x22, 0x33, 0x44, 0x55, /* target MAC */
	0xc0, 0xa8, 0x01, 0x01,             /* target IP 192.168.1.1 */
};

static void test_request(void **state)
{
	(void)state;
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, who_has, sizeof who_has);
	const struct np_arp *a = np_pkt_arp(&t.p);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK | NP_HAS_ARP);
	assert_int_equal(t.p.l3_off, ARP_AT);
	assert_int_equal(a->got, 28);
	assert_int_equal(a->htype, 1);
	assert_int_equal(a->ptype, 0x0800);
	assert_int_equal(a->hlen, 6);
	assert_int_equal(a->plen, 4);
	assert_int_equal(a->op, 1);
	assert_memory_equal(a->sha, who_has + ARP_AT + 8, 6);
	assert_memory_equal(a->spa, ((uint8_t[]){ 192, 168, 1, 1 }), 4);
	assert_memory_equal(a->tha, ((uint8_t[]){ 0, 0, 0, 0, 0, 0 }), 6);
	assert_memory_equal(a->tpa, ((uint8_t[]){ 192, 168, 1, 2 }), 4);
	t_free(&t);
}

static void test_reply(void **state)
{
	(void)state;
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, is_at, sizeof is_at);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_arp(&t.p)->op, 2);
	assert_memory_equal(np_pkt_arp(&t.p)->sha, is_at + ARP_AT + 8, 6);
	assert_memory_equal(np_pkt_arp(&t.p)->tha, is_at + ARP_AT + 18, 6);
	t_free(&t);
}

/* Ethernet pads ARP to 60 bytes: the padding is ignored. */
static void test_padded(void **state)
{
	(void)state;
	uint8_t f[60] = { 0 };
	memcpy(f, who_has, sizeof who_has);
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, sizeof f);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_arp(&t.p)->got, 28);
	t_free(&t);
}

static void test_behind_vlan_and_sll(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = 0;
	static const uint8_t tag[] = {
		0x81, 0x00, /* TPID 802.1Q */
		0x00, 0x07, /* VID 7 */
	};
	t_append(f, &n, who_has, 12); /* the two MACs */
	t_append(f, &n, tag, sizeof tag);
	t_append(f, &n, who_has + 12, sizeof who_has - 12); /* Ethertype ARP and the body */
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	t_assert_clean(&t.p);
	assert_int_equal(t.p.l3_off, 18);
	assert_int_equal(np_pkt_arp(&t.p)->op, 1);
	assert_memory_equal(np_pkt_arp(&t.p)->tpa, ((uint8_t[]){ 192, 168, 1, 2 }), 4);
	t_free(&t);

	static const uint8_t sll[] = {
		0x00, 0x01,                         /* packet type 1: broadcast */
		0x00, 0x01,                         /* ARPHRD_ETHER */
		0x00, 0x06,                         /* address length 6 */
		0x02, 0x11, 0x22, 0x33, 0x44, 0x55, /* link-layer address */
		0x00, 0x00,                         /* padding */
		0x08, 0x06,                         /* protocol ARP */
	};
	n = 0;
	t_append(f, &n, sll, sizeof sll);
	t_append(f, &n, who_has + ARP_AT, sizeof who_has - ARP_AT);
	t_decode(&t, DLT_LINUX_SLL, f, n);
	t_assert_clean(&t.p);
	assert_int_equal(t.p.l3_off, 16);
	assert_int_equal(np_pkt_arp(&t.p)->op, 1);
	t_free(&t);
}

/* Other hardware/protocol pairs are named, not decoded: unsupported, not malformed. */
static void test_not_ethernet_ipv4(void **state)
{
	(void)state;
	static const uint8_t ib[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* destination: broadcast */
		0x02, 0x11, 0x22, 0x33, 0x44, 0x55, /* source MAC */
		0x08, 0x06,                         /* Ethertype ARP */
		0x00, 0x20,                         /* hardware type 32 (InfiniBand) */
		0x08, 0x00,                         /* protocol type IPv4 */
		0x14,                               /* hardware address length 20 */
		0x04,                               /* protocol address length 4 */
		0x00, 0x01,                         /* opcode 1 */
	};
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, ib, sizeof ib);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK | NP_HAS_ARP);
	assert_int_equal(np_pkt_arp(&t.p)->hlen, 20);
	assert_int_equal(np_pkt_arp(&t.p)->op, 1);
	assert_true(t_has_problem(&t.p, NP_L_ARP, NP_UNSUPPORTED));
	assert_false(t.p.malformed);
	assert_false(t.p.truncated);
	t_free(&t);
}

static void test_cut_short(void **state)
{
	(void)state;
	struct t_pkt t;
	t_decode_ex(&t, DLT_EN10MB, who_has, ARP_AT + 20, sizeof who_has);
	assert_true(t.p.truncated);
	assert_true(t_has_problem(&t.p, NP_L_ARP, NP_TRUNCATED));
	assert_int_equal(np_pkt_arp(&t.p)->got, 20);
	assert_int_equal(np_pkt_arp(&t.p)->op, 1);
	t_free(&t);
}

static void check_arp_prefix(const struct np_packet *full, const struct np_packet *cut, uint32_t cap)
{
	if (cap < ARP_AT) {
		assert_false(np_pkt_arp(cut));
		return;
	}
	const struct np_arp *a = np_pkt_arp(full), *b = np_pkt_arp(cut);
	uint32_t got = cap - ARP_AT;
	assert_true(np_pkt_arp(cut));
	assert_int_equal(b->got, got < 28 ? got : 28);
	if (got >= 2)
		assert_int_equal(b->htype, a->htype);
	if (got >= 4)
		assert_int_equal(b->ptype, a->ptype);
	if (got >= 6) {
		assert_int_equal(b->hlen, a->hlen);
		assert_int_equal(b->plen, a->plen);
	}
	if (got >= 8)
		assert_int_equal(b->op, a->op);
	if (got >= 14)
		assert_memory_equal(b->sha, a->sha, 6);
	if (got >= 18)
		assert_memory_equal(b->spa, a->spa, 4);
	if (got >= 24)
		assert_memory_equal(b->tha, a->tha, 6);
	if (got >= 28)
		assert_memory_equal(b->tpa, a->tpa, 4);
}

static void test_every_prefix(void **state)
{
	(void)state;
	t_every_prefix(DLT_EN10MB, who_has, sizeof who_has, check_arp_prefix);
	t_every_prefix(DLT_EN10MB, is_at, sizeof is_at, check_arp_prefix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_reply),
		cmocka_unit_test(test_padded),
		cmocka_unit_test(test_behind_vlan_and_sll),
		cmocka_unit_test(test_not_ethernet_ipv4),
		cmocka_unit_test(test_cut_short),
		cmocka_unit_test(test_every_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
