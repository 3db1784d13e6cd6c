/* test_icmp.c - ICMP for IPv4 (src/proto/icmp.c; RFC 792, RFC 1191) and the quoted header of
 * ICMP errors. */
#include "testutil.h"

#define IP_AT 0
#define ICMP_AT 20

/* Raw IPv4 + ICMP echo request with 8 data bytes. */
static const uint8_t echo[] = {
	/* IPv4 */
	0x45, 0x00,             /* version 4, IHL 5, TOS */
	0x00, 0x24,             /* total length 36 */
	0xab, 0xcd,             /* identification */
	0x40, 0x00,             /* DF */
	0x40, 0x01,             /* TTL 64, protocol ICMP */
	0x00, 0x00,             /* header checksum: filled in */
	0x0a, 0x00, 0x00, 0x01, /* source 10.0.0.1 */
	0x0a, 0x00, 0x00, 0x02, /* destination 10.0.0.2 */
	/* ICMP (offset 20) */
	0x08,                   /* type 8: echo request */
	0x00,                   /* code 0 */
	0x00, 0x00,             /* checksum: filled in */
	0x12, 0x34,             /* identifier 0x1234 */
	0x00, 0x01,             /* sequence number 1 */
	0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, /* data "abcdefgh" */
};

/* Raw IPv4 + ICMP port unreachable quoting an IPv4 + UDP header. */
static const uint8_t unreach[] = {
	/* IPv4 */
	0x45, 0xc0,             /* version 4, IHL 5, TOS 0xc0 (network control) */
	0x00, 0x38,             /* total length 56 */
	0x00, 0x99,             /* identification */
	0x00, 0x00,             /* flags 0, offset 0 */
	0x40, 0x01,             /* TTL 64, protocol ICMP */
	0x00, 0x00,             /* header checksum: filled in */
	0x0a, 0x00, 0x00, 0x02, /* source 10.0.0.2 (the host that refused) */
	0x0a, 0x00, 0x00, 0x01, /* destination 10.0.0.1 */
	/* ICMP (offset 20) */
	0x03,                   /* type 3: destination unreachable */
	0x03,                   /* code 3: port unreachable */
	0x00, 0x00,             /* checksum: filled in */
	0x00, 0x00, 0x00, 0x00, /* unused */
	/* quoted IPv4 header (offset 28) */
	0x45, 0x00,             /* version 4, IHL 5, TOS */
	0x00, 0x24,             /* total length 36 */
	0x56, 0x78,             /* identification 0x5678 */
	0x00, 0x00,             /* flags 0, offset 0 */
	0x01, 0x11,             /* TTL 1, protocol UDP */
	0xaa, 0xbb,             /* header checksum (not checked in a quote) */
	0x0a, 0x00, 0x00, 0x01, /* source 10.0.0.1 */
	0x0a, 0x00, 0x00, 0x02, /* destination 10.0.0.2 */
	/* quoted UDP header (offset 48) */
	0x9c, 0x41,             /* source port 40001 */
	0x82, 0x9a,             /* destination port 33434 (traceroute) */
	0x00, 0x10,             /* length 16 */
	0xcc, 0xdd,             /* checksum */
};
#define QUOTE_AT 28

static uint32_t make(uint8_t *f, const uint8_t *src, size_t n)
{
	memcpy(f, src, n);
	t_fix_ip4(f);
	t_fix_l4_ip4(f, 2);
	return (uint32_t)n;
}

static void test_echo_request_reply(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = make(f, echo, sizeof echo);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	const struct np_icmp *m = np_pkt_icmp(&t.p);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK | NP_HAS_IP4 | NP_HAS_ICMP);
	assert_int_equal(m->got, 8);
	assert_int_equal(m->type, 8);
	assert_int_equal(m->code, 0);
	assert_true(m->has_idseq);
	assert_int_equal(m->id, 0x1234);
	assert_int_equal(m->seq, 1);
	assert_int_equal(m->csum, t_get16(f + ICMP_AT + 2));
	assert_int_equal(m->csum_status, NP_CSUM_GOOD);
	assert_int_equal(m->data_len, 8);
	assert_int_equal(m->quote.ipver, 0); /* not an error: nothing quoted */
	assert_int_equal(t.p.l4_off, ICMP_AT);
	assert_int_equal(t.p.payload_off, ICMP_AT + 8);
	t_free(&t);

	f[ICMP_AT] = 0; /* echo reply */
	t_fix_l4_ip4(f, 2);
	t_decode(&t, DLT_RAW, f, n);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_icmp(&t.p)->type, 0);
	assert_true(np_pkt_icmp(&t.p)->has_idseq);
	assert_int_equal(np_pkt_icmp(&t.p)->id, 0x1234);
	assert_int_equal(np_pkt_icmp(&t.p)->seq, 1);
	assert_int_equal(np_pkt_icmp(&t.p)->csum_status, NP_CSUM_GOOD);
	t_free(&t);
}

static void test_checksum_bad(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = make(f, echo, sizeof echo);
	uint16_t right = t_get16(f + ICMP_AT + 2);
	t_put16(f + ICMP_AT + 2, (uint16_t)(right ^ 0x00ff));
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	assert_int_equal(np_pkt_icmp(&t.p)->csum_status, NP_CSUM_BAD);
	assert_int_equal(np_pkt_icmp(&t.p)->csum_good, right);
	t_free(&t);

	/* No pseudo-header for ICMP: changing an IP address doesn't change the verdict. */
	n = make(f, echo, sizeof echo);
	f[19] = 0x63;
	t_fix_ip4(f);
	t_decode(&t, DLT_RAW, f, n);
	assert_int_equal(np_pkt_icmp(&t.p)->csum_status, NP_CSUM_GOOD);
	t_free(&t);

	/* A data byte changed: bad. */
	f[ICMP_AT + 9] ^= 0x20;
	t_decode(&t, DLT_RAW, f, n);
	assert_int_equal(np_pkt_icmp(&t.p)->csum_status, NP_CSUM_BAD);
	t_free(&t);
}

static void test_port_unreachable_quote(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = make(f, unreach, sizeof unreach);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	const struct np_icmp *m = np_pkt_icmp(&t.p);
	const struct np_quote *q = &m->quote;
	t_assert_clean(&t.p);
	assert_int_equal(m->type, 3);
	assert_int_equal(m->code, 3);
	assert_false(m->has_idseq);
	assert_int_equal(m->csum_status, NP_CSUM_GOOD);
	assert_int_equal(m->data_len, 28);
	assert_int_equal(q->ipver, 4);
	assert_int_equal(q->ip_got, 20);
	assert_memory_equal(q->src, ((uint8_t[]){ 10, 0, 0, 1 }), 4);
	assert_memory_equal(q->dst, ((uint8_t[]){ 10, 0, 0, 2 }), 4);
	assert_int_equal(q->ttl, 1);
	assert_int_equal(q->proto, 17);
	assert_int_equal(q->len, 36);
	assert_int_equal(q->id, 0x5678);
	assert_int_equal(q->l4_got, 8);
	assert_int_equal(q->sport, 40001);
	assert_int_equal(q->dport, 33434);
	assert_int_equal(q->udp_len, 16);
	/* The quote is not decoded as layers of this packet. */
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK | NP_HAS_IP4 | NP_HAS_ICMP);
	t_free(&t);
}

static void test_frag_needed_mtu(void **state)
{
	(void)state;
	uint8_t f[128];
	memcpy(f, unreach, sizeof unreach);
	f[ICMP_AT + 1] = 4;            /* code 4: fragmentation needed and DF set */
	t_put16(f + ICMP_AT + 6, 1400); /* next-hop MTU 1400 (RFC 1191) */
	f[QUOTE_AT + 9] = 6;            /* the quoted datagram is TCP ... */
	static const uint8_t tcp8[] = {
		0x01, 0xbb,             /* quoted TCP source port 443 */
		0xc3, 0x50,             /* quoted TCP destination port 50000 */
		0xde, 0xad, 0xbe, 0xef, /* quoted sequence number */
	};
	memcpy(f + QUOTE_AT + 20, tcp8, sizeof tcp8);
	t_fix_ip4(f);
	t_fix_l4_ip4(f, 2);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, sizeof unreach);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_icmp(&t.p)->mtu, 1400);
	assert_int_equal(np_pkt_icmp(&t.p)->quote.proto, 6);
	assert_int_equal(np_pkt_icmp(&t.p)->quote.sport, 443);
	assert_int_equal(np_pkt_icmp(&t.p)->quote.dport, 50000);
	assert_int_equal(np_pkt_icmp(&t.p)->quote.seq, 0xdeadbeef);
	assert_int_equal(np_pkt_icmp(&t.p)->csum_status, NP_CSUM_GOOD);
	t_free(&t);
}

/* A router quoting the whole TCP header (RFC 1812 s4.3.2.3; issue 14): ack, flags and window
 * are decoded too, not only the first 8 bytes. */
static void test_whole_tcp_quote(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = 0;
	t_append(f, &n, unreach, QUOTE_AT + 20);
	static const uint8_t tcp20[] = {
		0x01, 0xbb,             /* quoted TCP source port 443 */
		0xc3, 0x50,             /* destination port 50000 */
		0xde, 0xad, 0xbe, 0xef, /* sequence number */
		0x01, 0x02, 0x03, 0x04, /* acknowledgment number */
		0x50, 0x12,             /* data offset 5, flags SYN ACK */
		0xfa, 0xf0,             /* window 64240 */
		0x00, 0x00, 0x00, 0x00, /* checksum, urgent pointer */
	};
	t_append(f, &n, tcp20, sizeof tcp20);
	f[QUOTE_AT + 9] = 6;                  /* the quoted datagram is TCP */
	t_put16(f + 2, (uint16_t)n);          /* outer total length */
	t_fix_ip4(f);
	t_fix_l4_ip4(f, 2);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	t_assert_clean(&t.p);
	const struct np_quote *q = &np_pkt_icmp(&t.p)->quote;
	assert_int_equal(q->l4_got, 20);
	assert_int_equal(q->seq, 0xdeadbeef);
	assert_int_equal(q->ack, 0x01020304);
	assert_int_equal(q->tcp_flags, NP_TCP_SYN | NP_TCP_ACK);
	assert_int_equal(q->win, 64240);
	t_free(&t);
}

static void test_time_exceeded(void **state)
{
	(void)state;
	uint8_t f[128];
	memcpy(f, unreach, sizeof unreach);
	f[ICMP_AT] = 11;       /* type 11: time exceeded */
	f[ICMP_AT + 1] = 0;    /* code 0: TTL exceeded in transit */
	f[QUOTE_AT + 9] = 1;   /* the quoted datagram is ICMP ... */
	static const uint8_t echo8[] = {
		0x08, 0x00,             /* quoted echo request, code 0 */
		0x11, 0x11,             /* its checksum */
		0x00, 0x2a,             /* identifier 42 */
		0x00, 0x07,             /* sequence 7 */
	};
	memcpy(f + QUOTE_AT + 20, echo8, sizeof echo8);
	t_fix_ip4(f);
	t_fix_l4_ip4(f, 2);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, sizeof unreach);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_icmp(&t.p)->type, 11);
	assert_int_equal(np_pkt_icmp(&t.p)->quote.ipver, 4);
	assert_int_equal(np_pkt_icmp(&t.p)->quote.proto, 1);
	assert_int_equal(np_pkt_icmp(&t.p)->quote.icmp_type, 8);
	assert_int_equal(np_pkt_icmp(&t.p)->quote.icmp_code, 0);
	assert_int_equal(np_pkt_icmp(&t.p)->quote.icmp_id, 42);
	assert_int_equal(np_pkt_icmp(&t.p)->quote.icmp_seq, 7);
	assert_int_equal(np_pkt_icmp(&t.p)->quote.ttl, 1);
	t_free(&t);
}

static void test_redirect_gateway(void **state)
{
	(void)state;
	uint8_t f[128];
	memcpy(f, unreach, sizeof unreach);
	f[ICMP_AT] = 5;     /* type 5: redirect */
	f[ICMP_AT + 1] = 1; /* code 1: for host */
	static const uint8_t gw[] = { 0x0a, 0x00, 0x00, 0xfe }; /* gateway 10.0.0.254 */
	memcpy(f + ICMP_AT + 4, gw, 4);
	t_fix_l4_ip4(f, 2);
	t_fix_ip4(f);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, sizeof unreach);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_icmp(&t.p)->type, 5);
	assert_memory_equal(np_pkt_icmp(&t.p)->gateway, gw, 4);
	assert_int_equal(np_pkt_icmp(&t.p)->quote.ipver, 4);
	assert_int_equal(np_pkt_icmp(&t.p)->quote.dport, 33434);
	t_free(&t);
}

static void test_parameter_problem_pointer(void **state)
{
	(void)state;
	uint8_t f[128];
	memcpy(f, unreach, sizeof unreach);
	f[ICMP_AT] = 12;       /* type 12: parameter problem */
	f[ICMP_AT + 1] = 0;    /* code 0: pointer indicates the error */
	f[ICMP_AT + 4] = 9;    /* pointer: byte 9 (protocol) */
	t_fix_l4_ip4(f, 2);
	t_fix_ip4(f);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, sizeof unreach);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_icmp(&t.p)->pointer, 9);
	assert_int_equal(np_pkt_icmp(&t.p)->quote.ipver, 4);
	t_free(&t);
}

/* The router quoted less than the IP header and 8 bytes (or the capture cut the quote). */
static void test_quote_cut_short(void **state)
{
	(void)state;
	uint8_t f[128];
	struct t_pkt t;

	/* The sender quoted the IP header and 4 bytes of UDP: the ports, but no length. */
	memcpy(f, unreach, sizeof unreach);
	t_put16(f + 2, sizeof unreach - 4);
	t_fix_ip4(f);
	t_fix_l4_ip4(f, 2);
	t_decode(&t, DLT_RAW, f, sizeof unreach - 4);
	t_assert_clean(&t.p); /* short quotes are legal (RFC 792 asks for 8 bytes, some send less) */
	assert_int_equal(np_pkt_icmp(&t.p)->quote.ip_got, 20);
	assert_int_equal(np_pkt_icmp(&t.p)->quote.l4_got, 4);
	assert_int_equal(np_pkt_icmp(&t.p)->quote.sport, 40001);
	assert_int_equal(np_pkt_icmp(&t.p)->quote.dport, 33434);
	assert_int_equal(np_pkt_icmp(&t.p)->quote.udp_len, 0);
	assert_int_equal(np_pkt_icmp(&t.p)->csum_status, NP_CSUM_GOOD);
	t_free(&t);

	/* Only 12 bytes of the quoted IP header, cut by the snapshot length. */
	uint32_t n = make(f, unreach, sizeof unreach);
	t_decode_ex(&t, DLT_RAW, f, QUOTE_AT + 12, n);
	assert_true(t.p.truncated);
	assert_false(t.p.malformed);
	assert_int_equal(np_pkt_icmp(&t.p)->csum_status, NP_CSUM_UNVERIFIED);
	assert_int_equal(np_pkt_icmp(&t.p)->quote.ipver, 4);
	assert_int_equal(np_pkt_icmp(&t.p)->quote.ip_got, 12);
	assert_int_equal(np_pkt_icmp(&t.p)->quote.l4_got, 0);
	assert_int_equal(np_pkt_icmp(&t.p)->quote.len, 36); /* what was captured is kept */
	t_free(&t);

	/* Nothing quoted at all. */
	t_decode_ex(&t, DLT_RAW, f, QUOTE_AT, n);
	assert_int_equal(np_pkt_icmp(&t.p)->quote.ipver, 0);
	t_free(&t);

	/* A quote that isn't IP. */
	f[QUOTE_AT] = 0x00;
	t_fix_l4_ip4(f, 2);
	t_decode(&t, DLT_RAW, f, n);
	assert_int_equal(np_pkt_icmp(&t.p)->quote.ipver, 0);
	assert_false(t.p.malformed);
	t_free(&t);
}

static void test_header_cut_short(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = make(f, echo, sizeof echo);
	struct t_pkt t;
	t_decode_ex(&t, DLT_RAW, f, ICMP_AT + 5, n);
	assert_true(t.p.truncated);
	assert_true(t_has_problem(&t.p, NP_L_ICMP, NP_TRUNCATED));
	assert_int_equal(np_pkt_icmp(&t.p)->got, 5);
	assert_int_equal(np_pkt_icmp(&t.p)->type, 8);
	assert_int_equal(np_pkt_icmp(&t.p)->csum_status, NP_CSUM_UNVERIFIED);
	t_free(&t);
}

static void check_icmp_prefix(const struct np_packet *full, const struct np_packet *cut, uint32_t cap)
{
	if (cap < full->l4_off + 1)
		return;
	const struct np_icmp *a = np_pkt_icmp(full), *b = np_pkt_icmp(cut);
	uint32_t got = cap - full->l4_off;
	assert_true(np_pkt_icmp(cut));
	assert_int_equal(b->got, got < 8 ? got : 8);
	assert_int_equal(b->type, a->type);
	if (got >= 2)
		assert_int_equal(b->code, a->code);
	if (got >= 4)
		assert_int_equal(b->csum, a->csum);
	if (got >= 8) {
		assert_int_equal(b->has_idseq, a->has_idseq);
		assert_int_equal(b->id, a->id);
		assert_int_equal(b->seq, a->seq);
		assert_int_equal(b->data_len, a->data_len);
		assert_int_equal(b->csum_status, cap == full->frame->len ? NP_CSUM_GOOD
									 : NP_CSUM_UNVERIFIED);
		/* The quote: whatever of it was captured matches. */
		const struct np_quote *qa = &a->quote, *qb = &b->quote;
		uint32_t qgot = got - 8;
		if (qa->ipver && qgot >= 1) {
			assert_int_equal(qb->ipver, qa->ipver);
			assert_int_equal(qb->ip_got, qgot < 20 ? qgot : 20);
		}
		if (qgot >= 20) {
			assert_memory_equal(qb->src, qa->src, 4);
			assert_memory_equal(qb->dst, qa->dst, 4);
			assert_int_equal(qb->proto, qa->proto);
			assert_int_equal(qb->l4_got, qgot - 20 < 8 ? qgot - 20 : 8);
		}
		if (qgot >= 24) {
			assert_int_equal(qb->sport, qa->sport);
			assert_int_equal(qb->dport, qa->dport);
		}
	}
}

static void test_every_prefix(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = make(f, echo, sizeof echo);
	t_every_prefix(DLT_RAW, f, n, check_icmp_prefix);
	n = make(f, unreach, sizeof unreach);
	t_every_prefix(DLT_RAW, f, n, check_icmp_prefix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_request_reply),
		cmocka_unit_test(test_checksum_bad),
		cmocka_unit_test(test_port_unreachable_quote),
		cmocka_unit_test(test_frag_needed_mtu),
		cmocka_unit_test(test_time_exceeded),
		cmocka_unit_test(test_whole_tcp_quote),
		cmocka_unit_test(test_redirect_gateway),
		cmocka_unit_test(test_parameter_problem_pointer),
		cmocka_unit_test(test_quote_cut_short),
		cmocka_unit_test(test_header_cut_short),
		cmocka_unit_test(test_every_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
