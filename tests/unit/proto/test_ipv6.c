/* test_ipv6.c - IPv6 fixed header and extension-header chain (src/proto/ipv6.c, RFC 8200). */
#include "testutil.h"
#include "netprobe/print.h"

#define ADDR_2001_DB8(last) 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (last)

/* IPv6 + UDP with 4 data bytes; every fixed field non-zero. */
static const uint8_t ip6_udp[] = {
	0x6b, 0x81, 0x23, 0x45, /* version 6, traffic class 0xb8, flow label 0x12345 */
	0x00, 0x0c,             /* payload length 12 */
	0x11,                   /* next header 17 (UDP) */
	0xff,                   /* hop limit 255 */
	ADDR_2001_DB8(0x01),    /* source 2001:db8::1 */
	ADDR_2001_DB8(0x02),    /* destination 2001:db8::2 */
	0x04, 0xd2,             /* UDP source port 1234 */
	0x00, 0x35,             /* UDP destination port 53 */
	0x00, 0x0c,             /* UDP length 12 */
	0x00, 0x00,             /* UDP checksum: filled in */
	'd', 'a', 't', 'a',     /* UDP data */
};

/* IPv6, then hop-by-hop, routing, fragment and destination options headers, then TCP. */
static const uint8_t ip6_chain_tcp[] = {
	0x60, 0x00, 0x00, 0x00, /* version 6, traffic class 0, flow label 0 */
	0x00, 0x34,             /* payload length 52: 32 of extension headers + 20 TCP */
	0x00,                   /* next header 0 (hop-by-hop options) */
	0x40,                   /* hop limit 64 */
	ADDR_2001_DB8(0x01),    /* source 2001:db8::1 */
	ADDR_2001_DB8(0x02),    /* destination 2001:db8::2 */
	/* hop-by-hop options (offset 40) */
	0x2b,                   /* next header 43 (routing) */
	0x00,                   /* length 0: 8 bytes */
	0x01, 0x04, 0x00, 0x00, 0x00, 0x00, /* PadN option, 4 bytes of padding */
	/* routing (offset 48) */
	0x2c,                   /* next header 44 (fragment) */
	0x00,                   /* length 0: 8 bytes */
	0x00,                   /* routing type 0 */
	0x00,                   /* segments left 0: dst is the final destination */
	0x00, 0x00, 0x00, 0x00, /* reserved */
	/* fragment (offset 56) */
	0x3c,                   /* next header 60 (destination options) */
	0x00,                   /* reserved */
	0x00, 0x00,             /* fragment offset 0, M 0: an atomic fragment (RFC 6946) */
	0xde, 0xad, 0xbe, 0xef, /* identification */
	/* destination options (offset 64) */
	0x06,                   /* next header 6 (TCP) */
	0x00,                   /* length 0: 8 bytes */
	0x01, 0x04, 0x00, 0x00, 0x00, 0x00, /* PadN option */
	/* TCP (offset 72) */
	0x00, 0x16,             /* source port 22 */
	0xd4, 0x31,             /* destination port 54321 */
	0x00, 0x00, 0x00, 0x64, /* sequence number 100 */
	0x00, 0x00, 0x00, 0xc8, /* acknowledgment number 200 */
	0x50, 0x10,             /* data offset 5; flags ACK */
	0x10, 0x00,             /* window 4096 */
	0x00, 0x00,             /* checksum: filled in */
	0x00, 0x00,             /* urgent pointer */
};
#define CHAIN_FRAG_OFF 58 /* offset of the fragment offset/M field */
#define CHAIN_L4 72

static const uint8_t eth6[] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* destination MAC */
	0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* source MAC */
	0x86, 0xdd,                         /* Ethertype IPv6 */
};

static uint32_t make_udp(uint8_t *f)
{
	memcpy(f, ip6_udp, sizeof ip6_udp);
	t_fix_l4_ip6(f, 40, 17, 6);
	return sizeof ip6_udp;
}

static uint32_t make_chain(uint8_t *f)
{
	memcpy(f, ip6_chain_tcp, sizeof ip6_chain_tcp);
	t_fix_l4_ip6(f, CHAIN_L4, 6, 16);
	return sizeof ip6_chain_tcp;
}

static void test_fixed_fields(void **state)
{
	(void)state;
	uint8_t f[256];
	uint32_t n = make_udp(f);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	const struct np_ipv6 *ip = np_pkt_ip6(&t.p);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK | NP_HAS_IP6 | NP_HAS_UDP);
	assert_int_equal(ip->got, 40);
	assert_int_equal(ip->version, 6);
	assert_int_equal(ip->tclass, 0xb8);
	assert_int_equal(ip->flow, 0x12345);
	assert_int_equal(ip->plen, 12);
	assert_int_equal(ip->nxt, 17);
	assert_int_equal(ip->next_final, 17);
	assert_int_equal(ip->hlim, 255);
	assert_memory_equal(ip->src, ip6_udp + 8, 16);
	assert_memory_equal(ip->dst, ip6_udp + 24, 16);
	assert_int_equal(ip->next_ext, 0);
	assert_false(ip->has_frag);
	assert_false(ip->has_routing);
	assert_int_equal(t.p.l3_off, 0);
	assert_int_equal(t.p.l4_off, 40);
	assert_int_equal(t.p.l4_len, 12);
	assert_false(t.p.l4_fragment);
	assert_int_equal(np_pkt_udp(&t.p)->csum_status, NP_CSUM_GOOD);
	t_free(&t);
}

static void test_extension_chain_to_tcp(void **state)
{
	(void)state;
	uint8_t f[256];
	uint32_t n = make_chain(f);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	const struct np_ipv6 *ip = np_pkt_ip6(&t.p);
	t_assert_clean(&t.p);
	assert_int_equal(ip->nxt, 0);
	assert_int_equal(ip->next_ext, 4);
	static const uint8_t types[] = { 0, 43, 44, 60 };
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(ip->ext[i].type, types[i]);
		assert_int_equal(ip->ext[i].len, 8);
	}
	assert_int_equal(ip->next_final, 6);
	assert_true(ip->has_frag);
	assert_int_equal(ip->frag_off, 0);
	assert_false(ip->frag_more);
	assert_int_equal(ip->frag_id, 0xdeadbeef);
	assert_false(ip->has_routing);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK | NP_HAS_IP6 | NP_HAS_TCP);
	assert_int_equal(t.p.l4_off, CHAIN_L4);
	assert_int_equal(t.p.l4_len, 20);
	assert_int_equal(np_pkt_tcp(&t.p)->sport, 22);
	assert_int_equal(np_pkt_tcp(&t.p)->dport, 54321);
	/* An atomic fragment is a whole datagram (RFC 6946): its checksum can be checked. */
	assert_false(t.p.l4_fragment);
	assert_int_equal(np_pkt_tcp(&t.p)->csum_status, NP_CSUM_GOOD);
	t_free(&t);
}

static void test_extension_chain_to_udp(void **state)
{
	(void)state;
	static const uint8_t pkt[] = {
		0x60, 0x00, 0x00, 0x00, /* version 6 */
		0x00, 0x28,             /* payload length 40: 8 + 24 extension + 8 UDP */
		0x3c,                   /* next header 60 (destination options) */
		0x40,                   /* hop limit 64 */
		ADDR_2001_DB8(0x01),    /* source */
		ADDR_2001_DB8(0x02),    /* destination */
		/* destination options */
		0x33,                   /* next header 51 (AH) */
		0x00,                   /* length 0: 8 bytes */
		0x01, 0x04, 0x00, 0x00, 0x00, 0x00, /* PadN */
		/* authentication header (RFC 4302): length in 4-byte units, minus 2 */
		0x11,                   /* next header 17 (UDP) */
		0x04,                   /* payload length 4: (4 + 2) * 4 = 24 bytes */
		0x00, 0x00,             /* reserved */
		0x00, 0x00, 0x01, 0x00, /* SPI */
		0x00, 0x00, 0x00, 0x01, /* sequence number */
		0x11, 0x22, 0x33, 0x44, /* ICV (12 bytes) */
		0x55, 0x66, 0x77, 0x88,
		0x99, 0xaa, 0xbb, 0xcc,
		/* UDP */
		0x00, 0x35,             /* source port 53 */
		0x04, 0xd2,             /* destination port 1234 */
		0x00, 0x08,             /* length 8 */
		0x00, 0x00,             /* checksum: filled in */
	};
	uint8_t f[256];
	memcpy(f, pkt, sizeof pkt);
	t_fix_l4_ip6(f, 72, 17, 6);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, sizeof pkt);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_ip6(&t.p)->next_ext, 2);
	assert_int_equal(np_pkt_ip6(&t.p)->ext[0].type, 60);
	assert_int_equal(np_pkt_ip6(&t.p)->ext[1].type, 51);
	assert_int_equal(np_pkt_ip6(&t.p)->ext[1].len, 24);
	assert_int_equal(np_pkt_ip6(&t.p)->next_final, 17);
	assert_int_equal(t.p.l4_off, 72);
	assert_int_equal(t.p.l4_len, 8);
	assert_int_equal(np_pkt_udp(&t.p)->sport, 53);
	assert_int_equal(np_pkt_udp(&t.p)->csum_status, NP_CSUM_GOOD);
	t_free(&t);
}

static void test_first_fragment(void **state)
{
	(void)state;
	uint8_t f[256];
	uint32_t n = make_chain(f);
	t_put16(f + CHAIN_FRAG_OFF, 0x0001); /* offset 0, M 1 */
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	t_assert_clean(&t.p);
	assert_true(np_pkt_ip6(&t.p)->frag_more);
	assert_true(t.p.l4_fragment);
	assert_true(np_pkt_tcp(&t.p));
	assert_int_equal(np_pkt_tcp(&t.p)->csum_status, NP_CSUM_UNVERIFIED);
	t_free(&t);
}

static void test_later_fragment_stops(void **state)
{
	(void)state;
	uint8_t f[256];
	uint32_t n = make_chain(f);
	t_put16(f + CHAIN_FRAG_OFF, (uint16_t)(185 << 3)); /* offset 185 (1480 bytes), M 0 */
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	t_assert_clean(&t.p);
	assert_true(np_pkt_ip6(&t.p)->has_frag);
	assert_int_equal(np_pkt_ip6(&t.p)->frag_off, 185);
	assert_false(np_pkt_ip6(&t.p)->frag_more);
	assert_int_equal(np_pkt_ip6(&t.p)->next_ext, 3); /* hop-by-hop, routing, fragment */
	assert_int_equal(np_pkt_ip6(&t.p)->next_final, 60);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK | NP_HAS_IP6);
	t_free(&t);
}

static void test_routing_segments_left(void **state)
{
	(void)state;
	uint8_t f[256];
	uint32_t n = make_chain(f);
	f[51] = 1; /* segments left 1: the checksum was over another destination */
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	assert_true(np_pkt_ip6(&t.p)->has_routing);
	assert_int_equal(np_pkt_tcp(&t.p)->csum_status, NP_CSUM_UNVERIFIED);
	t_free(&t);
}

static void test_no_next_header(void **state)
{
	(void)state;
	static const uint8_t pkt[] = {
		0x60, 0x00, 0x00, 0x00, /* version 6 */
		0x00, 0x08,             /* payload length 8 */
		0x00,                   /* next header 0 (hop-by-hop) */
		0x01,                   /* hop limit 1 */
		ADDR_2001_DB8(0x01),    /* source */
		ADDR_2001_DB8(0x02),    /* destination */
		0x3b,                   /* next header 59 (none) */
		0x00,                   /* length 0: 8 bytes */
		0x01, 0x04, 0x00, 0x00, 0x00, 0x00, /* PadN */
	};
	struct t_pkt t;
	t_decode(&t, DLT_RAW, pkt, sizeof pkt);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_ip6(&t.p)->next_final, 59);
	assert_int_equal(np_pkt_ip6(&t.p)->next_ext, 1);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK | NP_HAS_IP6);
	t_free(&t);
}

static void test_ext_header_cut_short(void **state)
{
	(void)state;
	uint8_t f[256];
	uint32_t n = make_chain(f);
	struct t_pkt t;
	t_decode_ex(&t, DLT_RAW, f, 52, n); /* ends inside the routing header */
	assert_true(t.p.truncated);
	assert_false(t.p.malformed);
	assert_true(t_has_problem(&t.p, NP_L_IP6, NP_TRUNCATED));
	assert_int_equal(np_pkt_ip6(&t.p)->next_ext, 1);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK | NP_HAS_IP6);
	t_free(&t);

	t_decode_ex(&t, DLT_RAW, f, 41, n); /* one byte of hop-by-hop: its length isn't there */
	assert_true(t.p.truncated);
	assert_false(t.p.malformed);
	assert_int_equal(np_pkt_ip6(&t.p)->next_ext, 0);
	t_free(&t);
}

/* An extension header longer than the payload length allows, all of it captured: the header
 * contradicts the payload length (invalid), nothing was cut. */
static void test_ext_header_past_payload(void **state)
{
	(void)state;
	static const uint8_t pkt[] = {
		0x60, 0x00, 0x00, 0x00, /* version 6 */
		0x00, 0x08,             /* payload length 8 */
		0x00,                   /* next header 0 (hop-by-hop) */
		0x40,                   /* hop limit 64 */
		ADDR_2001_DB8(0x01),    /* source */
		ADDR_2001_DB8(0x02),    /* destination */
		0x3b,                   /* next header 59 */
		0x01,                   /* length 1: 16 bytes, more than the payload length */
		0x01, 0x0c, 0x00, 0x00, 0x00, 0x00, /* PadN, 12 bytes of padding */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	struct t_pkt t;
	t_decode(&t, DLT_RAW, pkt, sizeof pkt);
	assert_true(t.p.malformed);
	assert_false(t.p.truncated);
	assert_true(t_has_problem(&t.p, NP_L_IP6, NP_INVALID));
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK | NP_HAS_IP6);
	t_free(&t);
}

static void test_payload_length_past_frame(void **state)
{
	(void)state;
	uint8_t f[256];
	uint32_t n = make_udp(f);
	t_put16(f + 4, 100); /* payload length 100, 12 on the wire */
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	assert_true(t.p.malformed);
	assert_false(t.p.truncated);
	assert_true(t_has_problem(&t.p, NP_L_IP6, NP_INVALID));
	assert_int_equal(t.p.l4_len, 12); /* clamped to the frame */
	assert_true(np_pkt_udp(&t.p));
	t_free(&t);

	/* The frame was longer on the wire and cut by the snapshot length: truncated only. */
	n = make_udp(f);
	t_decode_ex(&t, DLT_RAW, f, 48, n);
	assert_true(t.p.truncated);
	assert_false(t.p.malformed);
	assert_int_equal(t.p.l4_len, 12);
	assert_int_equal(np_pkt_udp(&t.p)->csum_status, NP_CSUM_UNVERIFIED);
	t_free(&t);
}

/* Payload length 0 with hop-by-hop: a jumbogram (RFC 2675), the length comes from the frame. */
static void test_jumbogram_length(void **state)
{
	(void)state;
	static const uint8_t pkt[] = {
		0x60, 0x00, 0x00, 0x00, /* version 6 */
		0x00, 0x00,             /* payload length 0 */
		0x00,                   /* next header 0 (hop-by-hop) */
		0x40,                   /* hop limit 64 */
		ADDR_2001_DB8(0x01),    /* source */
		ADDR_2001_DB8(0x02),    /* destination */
		0x11,                   /* next header UDP */
		0x00,                   /* length 0: 8 bytes */
		0xc2, 0x04, 0x00, 0x00, 0x00, 0x10, /* jumbo payload option: 16 */
		0x00, 0x35,             /* UDP source port 53 */
		0x00, 0x35,             /* UDP destination port 53 */
		0x00, 0x08,             /* UDP length 8 */
		0x12, 0x34,             /* UDP checksum: wrong, only the lengths matter here */
	};
	struct t_pkt t;
	t_decode(&t, DLT_RAW, pkt, sizeof pkt);
	assert_false(t.p.malformed);
	assert_int_equal(t.p.l4_len, 8);
	assert_true(np_pkt_udp(&t.p));
	t_free(&t);
}

static void test_version_not_6(void **state)
{
	(void)state;
	uint8_t f[256];
	uint32_t n = 0;
	t_append(f, &n, eth6, sizeof eth6);
	t_append(f, &n, ip6_udp, sizeof ip6_udp);
	f[14] = 0x4b; /* version 4 behind Ethertype IPv6 */
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	assert_int_equal(np_pkt_ip6(&t.p)->version, 4);
	assert_true(t.p.malformed);
	assert_true(t_has_problem(&t.p, NP_L_IP6, NP_INVALID));
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK | NP_HAS_IP6);
	t_free(&t);
}

static void check_ip6_prefix(const struct np_packet *full, const struct np_packet *cut, uint32_t cap)
{
	uint32_t l3 = full->l3_off;
	if (cap <= l3) /* the Ethernet header alone, or less */
		return;
	const struct np_ipv6 *a = np_pkt_ip6(full), *b = np_pkt_ip6(cut);
	uint32_t got = cap - l3;
	assert_int_equal(b->got, got < 40 ? got : 40);
	if (got >= 1)
		assert_int_equal(b->version, a->version);
	if (got >= 4) {
		assert_int_equal(b->tclass, a->tclass);
		assert_int_equal(b->flow, a->flow);
	}
	if (got >= 6)
		assert_int_equal(b->plen, a->plen);
	if (got >= 7)
		assert_int_equal(b->nxt, a->nxt);
	if (got >= 8)
		assert_int_equal(b->hlim, a->hlim);
	if (got >= 24)
		assert_memory_equal(b->src, a->src, 16);
	if (got >= 40)
		assert_memory_equal(b->dst, a->dst, 16);
	/* A header cut after the source still shows it (issue 14): in the Source column (the
	 * destination then the link's, as Wireshark's), the -v tree and the JSON object. */
	if (got >= 24 && got < 40) {
		char src[NP_ADDR_STRLEN], dst[NP_ADDR_STRLEN], want[NP_ADDR_STRLEN];
		np_format_endpoints(cut, src, dst, sizeof src);
		assert_string_equal(src, np_fmt_addr(6, a->src, want));
		assert_string_equal(dst, "00:11:22:33:44:55");
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);
		assert_non_null(m);
		np_print_json_object(m, cut, NULL);
		fclose(m);
		char key[NP_ADDR_STRLEN + 16];
		snprintf(key, sizeof key, "\"src\":\"%s\"", want);
		assert_non_null(strstr(buf, key));
		assert_null(strstr(buf, "\"dst\":\"2001"));
		free(buf);
	}
	/* Before the chain is known, the best guess at the upper layer is the fixed header's. */
	if (got >= 7 && got < 40)
		assert_int_equal(b->next_final, a->nxt);
	/* Every extension header captured whole is the same as in the full decode. */
	uint32_t at = 40;
	for (unsigned i = 0; i < a->next_ext; i++) {
		at += a->ext[i].len;
		if (got < at)
			break;
		assert_true(b->next_ext > i);
		assert_int_equal(b->ext[i].type, a->ext[i].type);
		assert_int_equal(b->ext[i].len, a->ext[i].len);
	}
	if (got >= 40 + a->next_ext * 8u) {
		assert_int_equal(b->next_final, a->next_final);
		assert_int_equal(b->has_frag, a->has_frag);
		assert_int_equal(cut->l4_len, full->l4_len);
	}
	if (np_pkt_tcp(full) && cap >= full->l4_off + 20) {
		assert_int_equal(np_pkt_tcp(cut)->sport, np_pkt_tcp(full)->sport);
		assert_int_equal(np_pkt_tcp(cut)->seq, np_pkt_tcp(full)->seq);
		assert_int_equal(np_pkt_tcp(cut)->csum_status, cap == full->frame->len ? NP_CSUM_GOOD
									: NP_CSUM_UNVERIFIED);
	}
}

static void test_every_prefix(void **state)
{
	(void)state;
	uint8_t f[256], ip[256];
	uint32_t n = 0;
	t_append(f, &n, eth6, sizeof eth6);
	t_append(f, &n, ip, make_chain(ip));
	t_every_prefix(DLT_EN10MB, f, n, check_ip6_prefix);
	n = 0;
	t_append(f, &n, eth6, sizeof eth6);
	t_append(f, &n, ip, make_udp(ip));
	t_every_prefix(DLT_EN10MB, f, n, check_ip6_prefix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_fields),
		cmocka_unit_test(test_extension_chain_to_tcp),
		cmocka_unit_test(test_extension_chain_to_udp),
		cmocka_unit_test(test_first_fragment),
		cmocka_unit_test(test_later_fragment_stops),
		cmocka_unit_test(test_routing_segments_left),
		cmocka_unit_test(test_no_next_header),
		cmocka_unit_test(test_ext_header_cut_short),
		cmocka_unit_test(test_ext_header_past_payload),
		cmocka_unit_test(test_payload_length_past_frame),
		cmocka_unit_test(test_jumbogram_length),
		cmocka_unit_test(test_version_not_6),
		cmocka_unit_test(test_every_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
