/* test_icmp6.c - ICMPv6 (src/proto/icmp6.c; RFC 4443) and neighbour discovery (RFC 4861). */
#include "testutil.h"

#define ICMP6_AT 40
#define ADDR_FE80(last) 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (last)
#define ADDR_2001_DB8(last) 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (last)

static const uint8_t echo[] = {
	0x60, 0x00, 0x00, 0x00, /* version 6 */
	0x00, 0x0c,             /* payload length 12 */
	0x3a,                   /* next header 58 (ICMPv6) */
	0x40,                   /* hop limit 64 */
	ADDR_FE80(0x01),        /* source fe80::1 */
	ADDR_FE80(0x02),        /* destination fe80::2 */
	0x80,                   /* type 128: echo request */
	0x00,                   /* code 0 */
	0x00, 0x00,             /* checksum: filled in */
	0x00, 0x42,             /* identifier 0x42 */
	0x00, 0x03,             /* sequence 3 */
	'p', 'i', 'n', 'g',     /* data */
};

static const uint8_t ns[] = {
	0x60, 0x00, 0x00, 0x00, /* version 6 */
	0x00, 0x20,             /* payload length 32 */
	0x3a,                   /* next header ICMPv6 */
	0xff,                   /* hop limit 255 (RFC 4861 s7.1.1) */
	ADDR_2001_DB8(0x01),    /* source 2001:db8::1 */
	0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0x00, 0x00, 0x02, /* ff02::1:ff00:2 */
	0x87,                   /* type 135: neighbour solicitation */
	0x00,                   /* code 0 */
	0x00, 0x00,             /* checksum: filled in */
	0x00, 0x00, 0x00, 0x00, /* reserved */
	ADDR_2001_DB8(0x02),    /* target 2001:db8::2 */
	0x01,                   /* option 1: source link-layer address */
	0x01,                   /* length 1 (8 bytes) */
	0x02, 0x11, 0x22, 0x33, 0x44, 0x55, /* 02:11:22:33:44:55 */
};

static const uint8_t na[] = {
	0x60, 0x00, 0x00, 0x00, /* version 6 */
	0x00, 0x20,             /* payload length 32 */
	0x3a,                   /* next header ICMPv6 */
	0xff,                   /* hop limit 255 */
	ADDR_2001_DB8(0x02),    /* source 2001:db8::2 */
	ADDR_2001_DB8(0x01),    /* destination 2001:db8::1 */
	0x88,                   /* type 136: neighbour advertisement */
	0x00,                   /* code 0 */
	0x00, 0x00,             /* checksum: filled in */
	0xe0, 0x00, 0x00, 0x00, /* flags R, S, O; reserved */
	ADDR_2001_DB8(0x02),    /* target 2001:db8::2 */
	0x02,                   /* option 2: target link-layer address */
	0x01,                   /* length 1 */
	0x02, 0x66, 0x77, 0x88, 0x99, 0xaa, /* 02:66:77:88:99:aa */
};

/* Destination unreachable (port) quoting IPv6 + UDP. */
static const uint8_t unreach[] = {
	0x60, 0x00, 0x00, 0x00, /* version 6 */
	0x00, 0x38,             /* payload length 56 */
	0x3a,                   /* next header ICMPv6 */
	0x40,                   /* hop limit 64 */
	ADDR_2001_DB8(0x02),    /* source 2001:db8::2 */
	ADDR_2001_DB8(0x01),    /* destination 2001:db8::1 */
	0x01,                   /* type 1: destination unreachable */
	0x04,                   /* code 4: port unreachable */
	0x00, 0x00,             /* checksum: filled in */
	0x00, 0x00, 0x00, 0x00, /* unused */
	/* quoted IPv6 header (offset 48) */
	0x60, 0x00, 0x00, 0x00, /* version 6 */
	0x00, 0x10,             /* payload length 16 */
	0x11,                   /* next header UDP */
	0x03,                   /* hop limit 3 */
	ADDR_2001_DB8(0x01),    /* source 2001:db8::1 */
	ADDR_2001_DB8(0x02),    /* destination 2001:db8::2 */
	/* quoted UDP header (offset 88) */
	0x9c, 0x41,             /* source port 40001 */
	0x82, 0x9a,             /* destination port 33434 */
	0x00, 0x10,             /* length 16 */
	0x12, 0x34,             /* checksum */
};
#define QUOTE_AT 48

static uint32_t make(uint8_t *f, const uint8_t *src, size_t n)
{
	memcpy(f, src, n);
	t_fix_l4_ip6(f, 40, 58, 2);
	return (uint32_t)n;
}

static void test_echo(void **state)
{
	(void)state;
	uint8_t f[256];
	uint32_t n = make(f, echo, sizeof echo);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	const struct np_icmp6 *m = np_pkt_icmp6(&t.p);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK | NP_HAS_IP6 | NP_HAS_ICMP6);
	assert_int_equal(m->got, 8);
	assert_int_equal(m->type, 128);
	assert_int_equal(m->code, 0);
	assert_true(m->has_idseq);
	assert_int_equal(m->id, 0x42);
	assert_int_equal(m->seq, 3);
	assert_int_equal(m->data_len, 4);
	assert_int_equal(m->csum, t_get16(f + ICMP6_AT + 2));
	assert_int_equal(m->csum_status, NP_CSUM_GOOD);
	assert_false(m->has_target);
	assert_int_equal(m->quote.ipver, 0);
	assert_int_equal(t.p.payload_off, ICMP6_AT + 8);
	t_free(&t);

	f[ICMP6_AT] = 129; /* echo reply */
	t_fix_l4_ip6(f, 40, 58, 2);
	t_decode(&t, DLT_RAW, f, n);
	assert_int_equal(np_pkt_icmp6(&t.p)->type, 129);
	assert_true(np_pkt_icmp6(&t.p)->has_idseq);
	assert_int_equal(np_pkt_icmp6(&t.p)->csum_status, NP_CSUM_GOOD);
	t_free(&t);
}

/* Unlike ICMP for IPv4, ICMPv6 sums a pseudo-header (RFC 4443 s2.3). */
static void test_checksum_pseudo_header(void **state)
{
	(void)state;
	uint8_t f[256];
	uint32_t n = make(f, echo, sizeof echo);
	uint16_t right = t_get16(f + ICMP6_AT + 2);
	struct t_pkt t;

	t_put16(f + ICMP6_AT + 2, (uint16_t)(right + 0x100));
	t_decode(&t, DLT_RAW, f, n);
	assert_int_equal(np_pkt_icmp6(&t.p)->csum_status, NP_CSUM_BAD);
	assert_int_equal(np_pkt_icmp6(&t.p)->csum_good, right);
	t_free(&t);

	/* Only the pseudo-header sum (0xfe80 + 0x0001 + 0xfe80 + 0x0002 + length 0x000c + next
	 * header 0x003a = 0x1fd49, folded 0xfd4a): what offload leaves in TCP and UDP, but Linux
	 * and the BSDs compute ICMPv6 sums in software, so here it is simply wrong. */
	t_put16(f + ICMP6_AT + 2, 0xfd4a);
	t_decode(&t, DLT_RAW, f, n);
	assert_int_equal(np_pkt_icmp6(&t.p)->csum_status, NP_CSUM_BAD);
	assert_int_equal(np_pkt_icmp6(&t.p)->csum_good, right);
	t_free(&t);

	/* The same ICMPv6 bytes to another destination: bad. */
	t_put16(f + ICMP6_AT + 2, right);
	f[39] = 0x03;
	t_decode(&t, DLT_RAW, f, n);
	assert_int_equal(np_pkt_icmp6(&t.p)->csum_status, NP_CSUM_BAD);
	t_free(&t);

	/* Good again when summed over the new pseudo-header. */
	t_fix_l4_ip6(f, 40, 58, 2);
	t_decode(&t, DLT_RAW, f, n);
	assert_int_equal(np_pkt_icmp6(&t.p)->csum_status, NP_CSUM_GOOD);
	t_free(&t);
}

static void test_neighbour_solicitation(void **state)
{
	(void)state;
	uint8_t f[256];
	uint32_t n = make(f, ns, sizeof ns);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	const struct np_icmp6 *m = np_pkt_icmp6(&t.p);
	t_assert_clean(&t.p);
	assert_int_equal(m->type, 135);
	assert_int_equal(m->csum_status, NP_CSUM_GOOD);
	assert_true(m->has_target);
	assert_memory_equal(m->target, ns + 48, 16);
	assert_true(m->has_lladdr);
	assert_memory_equal(m->lladdr, ((uint8_t[]){ 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 }), 6);
	assert_false(m->has_idseq);
	assert_int_equal(m->quote.ipver, 0);
	t_free(&t);
}

static void test_neighbour_advertisement(void **state)
{
	(void)state;
	uint8_t f[256];
	uint32_t n = make(f, na, sizeof na);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	const struct np_icmp6 *m = np_pkt_icmp6(&t.p);
	t_assert_clean(&t.p);
	assert_int_equal(m->type, 136);
	assert_int_equal(m->na_flags, 0xe0);
	assert_true(m->has_target);
	assert_memory_equal(m->target, na + 48, 16);
	assert_true(m->has_lladdr);
	assert_memory_equal(m->lladdr, ((uint8_t[]){ 0x02, 0x66, 0x77, 0x88, 0x99, 0xaa }), 6);
	t_free(&t);

	f[ICMP6_AT + 4] = 0x60; /* S and O only */
	t_fix_l4_ip6(f, 40, 58, 2);
	t_decode(&t, DLT_RAW, f, n);
	assert_int_equal(np_pkt_icmp6(&t.p)->na_flags, 0x60);
	t_free(&t);
}

static void test_redirect(void **state)
{
	(void)state;
	static const uint8_t redir[] = {
		0x60, 0x00, 0x00, 0x00, /* version 6 */
		0x00, 0x30,             /* payload length 48 */
		0x3a,                   /* next header ICMPv6 */
		0xff,                   /* hop limit 255 */
		ADDR_FE80(0x01),        /* source fe80::1 (the router) */
		ADDR_2001_DB8(0x01),    /* destination */
		0x89,                   /* type 137: redirect */
		0x00,                   /* code 0 */
		0x00, 0x00,             /* checksum: filled in */
		0x00, 0x00, 0x00, 0x00, /* reserved */
		ADDR_FE80(0x05),        /* target fe80::5 (the better first hop) */
		ADDR_2001_DB8(0x09),    /* destination 2001:db8::9 */
		0x02,                   /* option 2: target link-layer address */
		0x01,                   /* length 1 */
		0x02, 0x00, 0x00, 0x00, 0x00, 0x05, /* 02:00:00:00:00:05 */
	};
	uint8_t f[256];
	uint32_t n = make(f, redir, sizeof redir);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	t_assert_clean(&t.p);
	assert_true(np_pkt_icmp6(&t.p)->has_target);
	assert_memory_equal(np_pkt_icmp6(&t.p)->target, redir + 48, 16);
	assert_true(np_pkt_icmp6(&t.p)->has_lladdr);
	assert_int_equal(np_pkt_icmp6(&t.p)->lladdr[5], 0x05);
	t_free(&t);
}

static void test_nd_option_length_zero(void **state)
{
	(void)state;
	uint8_t f[256];
	uint32_t n = make(f, ns, sizeof ns);
	f[ICMP6_AT + 25] = 0; /* option length 0: invalid (RFC 4861 s4.6), must not loop */
	t_fix_l4_ip6(f, 40, 58, 2);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	assert_true(np_pkt_icmp6(&t.p)->has_target);
	assert_false(np_pkt_icmp6(&t.p)->has_lladdr);
	assert_true(t.p.malformed);
	assert_true(t_has_problem(&t.p, NP_L_ICMP6, NP_INVALID));
	t_free(&t);

	/* An option longer than the rest of the message, all of it captured: invalid too. */
	n = make(f, ns, sizeof ns);
	f[ICMP6_AT + 25] = 4; /* 32 bytes, 8 left */
	t_fix_l4_ip6(f, 40, 58, 2);
	t_decode(&t, DLT_RAW, f, n);
	assert_false(np_pkt_icmp6(&t.p)->has_lladdr);
	assert_true(t.p.malformed);
	assert_false(t.p.truncated);
	t_free(&t);

	/* The option cut by the snapshot length instead: truncated, not invalid. */
	n = make(f, ns, sizeof ns);
	for (uint32_t cap = n - 7; cap < n; cap++) {
		t_decode_ex(&t, DLT_RAW, f, cap, n);
		assert_true(t.p.truncated);
		assert_false(t.p.malformed);
		assert_false(np_pkt_icmp6(&t.p)->has_lladdr); /* its last byte is the frame's */
		t_free(&t);
	}
}

static void test_nd_target_cut_short(void **state)
{
	(void)state;
	uint8_t f[256];
	uint32_t n = make(f, ns, sizeof ns);
	struct t_pkt t;
	t_decode_ex(&t, DLT_RAW, f, ICMP6_AT + 8 + 10, n); /* 10 of the 16 target bytes */
	assert_true(t.p.truncated);
	assert_false(t.p.malformed);
	assert_true(t_has_problem(&t.p, NP_L_ICMP6, NP_TRUNCATED));
	assert_false(np_pkt_icmp6(&t.p)->has_target);
	assert_int_equal(np_pkt_icmp6(&t.p)->csum_status, NP_CSUM_UNVERIFIED);
	t_free(&t);
}

static void test_packet_too_big(void **state)
{
	(void)state;
	uint8_t f[256];
	memcpy(f, unreach, sizeof unreach);
	f[ICMP6_AT] = 2;                    /* type 2: packet too big */
	f[ICMP6_AT + 1] = 0;                /* code 0 */
	static const uint8_t mtu[] = { 0x00, 0x00, 0x05, 0x00 }; /* MTU 1280 */
	memcpy(f + ICMP6_AT + 4, mtu, 4);
	uint32_t n = sizeof unreach;
	t_fix_l4_ip6(f, 40, 58, 2);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_icmp6(&t.p)->type, 2);
	assert_int_equal(np_pkt_icmp6(&t.p)->mtu, 1280);
	assert_int_equal(np_pkt_icmp6(&t.p)->quote.ipver, 6);
	assert_int_equal(np_pkt_icmp6(&t.p)->quote.dport, 33434);
	t_free(&t);
}

/* A quoted IPv6 packet with a hop-by-hop and a destination options header before its UDP
 * header (issue 14): the quote walks them to the ports, as the outer decode does. */
static void test_quote_through_extensions(void **state)
{
	(void)state;
	uint8_t f[256];
	uint32_t n = 0;
	t_append(f, &n, unreach, QUOTE_AT + 40);
	static const uint8_t ext[] = {
		0x3c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, /* hop-by-hop: next 60, 8 bytes, PadN */
		0x11, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00, /* destination options: next UDP */
	};
	t_append(f, &n, ext, sizeof ext);
	t_append(f, &n, unreach + QUOTE_AT + 40, 8); /* the quoted UDP header */
	f[QUOTE_AT + 6] = 0;                     /* quoted next header: hop-by-hop */
	t_put16(f + QUOTE_AT + 4, 16 + 16);      /* quoted payload length */
	t_put16(f + 4, (uint16_t)(n - 40));      /* outer payload length */
	t_fix_l4_ip6(f, 40, 58, 2);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	t_assert_clean(&t.p);
	const struct np_quote *q = &np_pkt_icmp6(&t.p)->quote;
	assert_int_equal(q->nexts, 2);
	assert_int_equal(q->proto, 17);
	assert_int_equal(q->sport, 40001);
	assert_int_equal(q->dport, 33434);
	t_free(&t);
}

static void test_unreachable_quote(void **state)
{
	(void)state;
	uint8_t f[256];
	uint32_t n = make(f, unreach, sizeof unreach);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	const struct np_quote *q = &np_pkt_icmp6(&t.p)->quote;
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_icmp6(&t.p)->type, 1);
	assert_int_equal(np_pkt_icmp6(&t.p)->code, 4);
	assert_int_equal(np_pkt_icmp6(&t.p)->csum_status, NP_CSUM_GOOD);
	assert_int_equal(np_pkt_icmp6(&t.p)->data_len, 48);
	assert_int_equal(q->ipver, 6);
	assert_int_equal(q->ip_got, 40);
	assert_memory_equal(q->src, unreach + QUOTE_AT + 8, 16);
	assert_memory_equal(q->dst, unreach + QUOTE_AT + 24, 16);
	assert_int_equal(q->proto, 17);
	assert_int_equal(q->ttl, 3);
	assert_int_equal(q->len, 16);
	assert_int_equal(q->l4_got, 8);
	assert_int_equal(q->sport, 40001);
	assert_int_equal(q->dport, 33434);
	assert_int_equal(q->udp_len, 16);
	t_free(&t);

	/* Time exceeded and parameter problem quote too; the pointer is 32 bits. */
	f[ICMP6_AT] = 4;
	f[ICMP6_AT + 1] = 0;
	t_put16(f + ICMP6_AT + 6, 6); /* pointer 6: the next header field */
	t_fix_l4_ip6(f, 40, 58, 2);
	t_decode(&t, DLT_RAW, f, n);
	assert_int_equal(np_pkt_icmp6(&t.p)->pointer, 6);
	assert_int_equal(np_pkt_icmp6(&t.p)->quote.ipver, 6);
	t_free(&t);
}

static void test_header_cut_short(void **state)
{
	(void)state;
	uint8_t f[256];
	uint32_t n = make(f, echo, sizeof echo);
	struct t_pkt t;
	t_decode_ex(&t, DLT_RAW, f, ICMP6_AT + 3, n);
	assert_true(t.p.truncated);
	assert_true(t_has_problem(&t.p, NP_L_ICMP6, NP_TRUNCATED));
	assert_int_equal(np_pkt_icmp6(&t.p)->got, 3);
	assert_int_equal(np_pkt_icmp6(&t.p)->type, 128);
	assert_int_equal(np_pkt_icmp6(&t.p)->code, 0);
	t_free(&t);
}

static void check_icmp6_prefix(const struct np_packet *full, const struct np_packet *cut,
			       uint32_t cap)
{
	if (cap <= ICMP6_AT)
		return;
	const struct np_icmp6 *a = np_pkt_icmp6(full), *b = np_pkt_icmp6(cut);
	uint32_t got = cap - ICMP6_AT;
	assert_true(np_pkt_icmp6(cut));
	assert_int_equal(b->got, got < 8 ? got : 8);
	assert_int_equal(b->type, a->type);
	if (got >= 4)
		assert_int_equal(b->csum, a->csum);
	if (got >= 8) {
		assert_int_equal(b->id, a->id);
		assert_int_equal(b->seq, a->seq);
		assert_int_equal(b->na_flags, a->na_flags);
		assert_int_equal(b->csum_status, cap == full->frame->len ? NP_CSUM_GOOD
									 : NP_CSUM_UNVERIFIED);
	}
	if (a->has_target && got >= 24) {
		assert_true(b->has_target);
		assert_memory_equal(b->target, a->target, 16);
	}
	if (a->has_lladdr && got >= 32) {
		assert_true(b->has_lladdr);
		assert_memory_equal(b->lladdr, a->lladdr, 6);
	}
	if (a->quote.ipver && got >= 8 + 40 + 4) {
		assert_int_equal(b->quote.ipver, 6);
		assert_memory_equal(b->quote.src, a->quote.src, 16);
		assert_int_equal(b->quote.sport, a->quote.sport);
		assert_int_equal(b->quote.dport, a->quote.dport);
	}
}

static void test_every_prefix(void **state)
{
	(void)state;
	uint8_t f[256];
	uint32_t n = make(f, echo, sizeof echo);
	t_every_prefix(DLT_RAW, f, n, check_icmp6_prefix);
	n = make(f, ns, sizeof ns);
	t_every_prefix(DLT_RAW, f, n, check_icmp6_prefix);
	n = make(f, na, sizeof na);
	t_every_prefix(DLT_RAW, f, n, check_icmp6_prefix);
	n = make(f, unreach, sizeof unreach);
	t_every_prefix(DLT_RAW, f, n, check_icmp6_prefix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo),
		cmocka_unit_test(test_checksum_pseudo_header),
		cmocka_unit_test(test_neighbour_solicitation),
		cmocka_unit_test(test_neighbour_advertisement),
		cmocka_unit_test(test_redirect),
		cmocka_unit_test(test_nd_option_length_zero),
		cmocka_unit_test(test_nd_target_cut_short),
		cmocka_unit_test(test_packet_too_big),
		cmocka_unit_test(test_unreachable_quote),
		cmocka_unit_test(test_quote_through_extensions),
		cmocka_unit_test(test_header_cut_short),
		cmocka_unit_test(test_every_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
