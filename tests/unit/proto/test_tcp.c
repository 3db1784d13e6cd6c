/* test_tcp.c - TCP header and options (src/proto/tcp.c; RFC 9293, RFC 7323, RFC 2018) and the
 * transport checksum over IPv4 and IPv6 pseudo-headers (src/decode/checksum.c). */
#include "testutil.h"

/* Ethernet + IPv4 + TCP SYN with Linux's options: MSS, SACK permitted, timestamps, NOP, WS. */
static const uint8_t syn[] = {
	/* Ethernet */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* destination MAC */
	0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* source MAC */
	0x08, 0x00,                         /* Ethertype IPv4 */
	/* IPv4 (offset 14) */
	0x45,                               /* version 4, IHL 5 */
	0x00,                               /* TOS */
	0x00, 0x3c,                         /* total length 60 */
	0x1c, 0x46,                         /* identification */
	0x40, 0x00,                         /* DF */
	0x40,                               /* TTL 64 */
	0x06,                               /* protocol TCP */
	0x00, 0x00,                         /* header checksum: filled in */
	0xc0, 0xa8, 0x01, 0x0a,             /* source 192.168.1.10 */
	0xc0, 0xa8, 0x01, 0x14,             /* destination 192.168.1.20 */
	/* TCP (offset 34) */
	0xc8, 0x22,                         /* source port 51234 */
	0x22, 0xb8,                         /* destination port 8888 */
	0x12, 0x34, 0x56, 0x78,             /* sequence number 0x12345678 */
	0x00, 0x00, 0x00, 0x00,             /* acknowledgment number 0 */
	0xa0,                               /* data offset 10 (40 bytes), reserved 0, AE 0 */
	0x02,                               /* flags: SYN */
	0xfa, 0xf0,                         /* window 64240 */
	0x00, 0x00,                         /* checksum: filled in */
	0x00, 0x00,                         /* urgent pointer 0 */
	0x02, 0x04, 0x05, 0xb4,             /* MSS 1460 (offset 20 in TCP) */
	0x04, 0x02,                         /* SACK permitted (offset 24) */
	0x08, 0x0a,                         /* timestamps (offset 26) ... */
	0x00, 0x9a, 0x2b, 0x3c,             /* ... TSval 10103612 */
	0x00, 0x00, 0x00, 0x00,             /* ... TSecr 0 */
	0x01,                               /* NOP (offset 36) */
	0x03, 0x03, 0x07,                   /* window scale 7 (offset 37) */
};
#define IP_AT 14
#define TCP_AT 34

static uint32_t make_syn(uint8_t *f)
{
	memcpy(f, syn, sizeof syn);
	t_fix_ip4(f + IP_AT);
	t_fix_l4_ip4(f + IP_AT, 16);
	return sizeof syn;
}

/* Ethernet + IPv4 + a TCP header with the given options (a multiple of 4 bytes) and data. */
static uint32_t make_tcp(uint8_t *f, const uint8_t *opts, size_t olen, const uint8_t *data,
			 size_t dlen)
{
	static const uint8_t hdr[] = {
		/* Ethernet */
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* destination MAC */
		0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* source MAC */
		0x08, 0x00,                         /* Ethertype IPv4 */
		/* IPv4 */
		0x45, 0x00,                         /* version 4, IHL 5, TOS */
		0x00, 0x00,                         /* total length: set below */
		0x00, 0x01,                         /* identification */
		0x40, 0x00,                         /* DF */
		0x40, 0x06,                         /* TTL 64, protocol TCP */
		0x00, 0x00,                         /* header checksum: filled in */
		0x0a, 0x00, 0x00, 0x01,             /* source 10.0.0.1 */
		0x0a, 0x00, 0x00, 0x02,             /* destination 10.0.0.2 */
		/* TCP */
		0x00, 0x50,                         /* source port 80 */
		0x9c, 0x40,                         /* destination port 40000 */
		0x00, 0x00, 0x03, 0xe8,             /* sequence number 1000 */
		0x00, 0x00, 0x07, 0xd0,             /* acknowledgment number 2000 */
		0x00,                               /* data offset: set below */
		0x18,                               /* flags: PSH, ACK */
		0x01, 0xf5,                         /* window 501 */
		0x00, 0x00,                         /* checksum: filled in */
		0x00, 0x00,                         /* urgent pointer 0 */
	};
	uint32_t n = 0;
	t_append(f, &n, hdr, sizeof hdr);
	t_append(f, &n, opts, olen);
	t_append(f, &n, data, dlen);
	t_put16(f + IP_AT + 2, (uint16_t)(n - IP_AT));
	f[TCP_AT + 12] = (uint8_t)(((20 + olen) / 4) << 4);
	t_fix_ip4(f + IP_AT);
	t_fix_l4_ip4(f + IP_AT, 16);
	return n;
}

static void test_fields_and_options(void **state)
{
	(void)state;
	uint8_t f[256];
	uint32_t n = make_syn(f);
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	const struct np_tcp *tcp = np_pkt_tcp(&t.p);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK | NP_HAS_IP4 | NP_HAS_TCP);
	assert_int_equal(tcp->got, 20);
	assert_int_equal(tcp->sport, 51234);
	assert_int_equal(tcp->dport, 8888);
	assert_int_equal(tcp->seq, 0x12345678u);
	assert_int_equal(tcp->ack, 0);
	assert_int_equal(tcp->doff, 10);
	assert_int_equal(tcp->flags, NP_TCP_SYN);
	assert_int_equal(tcp->win, 64240);
	assert_int_equal(tcp->csum, t_get16(f + TCP_AT + 16));
	assert_int_equal(tcp->csum_status, NP_CSUM_GOOD);
	assert_int_equal(tcp->csum_good, tcp->csum);
	assert_int_equal(tcp->urp, 0);
	assert_int_equal(tcp->seg_len, 40);
	assert_int_equal(tcp->payload_len, 0);
	assert_int_equal(t.p.l4_off, TCP_AT);
	assert_int_equal(t.p.payload_off, TCP_AT + 40);
	assert_false(tcp->opts_bad);
	assert_int_equal(tcp->nopts, 5);
	static const struct np_tcp_opt want[] = {
		{ 2, 4, 20 }, { 4, 2, 24 }, { 8, 10, 26 }, { 1, 1, 36 }, { 3, 3, 37 },
	};
	for (unsigned i = 0; i < 5; i++) {
		assert_int_equal(tcp->opts[i].kind, want[i].kind);
		assert_int_equal(tcp->opts[i].len, want[i].len);
		assert_int_equal(tcp->opts[i].off, want[i].off);
	}
	assert_true(tcp->has_mss);
	assert_int_equal(tcp->mss, 1460);
	assert_true(tcp->sack_perm);
	assert_true(tcp->has_ts);
	assert_int_equal(tcp->tsval, 10103612);
	assert_int_equal(tcp->tsecr, 0);
	assert_true(tcp->has_ws);
	assert_int_equal(tcp->ws, 7);
	assert_int_equal(tcp->nsack, 0);
	t_free(&t);
}

static void test_payload_and_urgent(void **state)
{
	(void)state;
	static const uint8_t data[] = { 'h', 'e', 'l', 'l', 'o' }; /* 5 data bytes (odd) */
	uint8_t f[256];
	uint32_t n = make_tcp(f, NULL, 0, data, sizeof data);
	f[TCP_AT + 13] |= NP_TCP_URG;
	t_put16(f + TCP_AT + 18, 3); /* urgent pointer 3 */
	t_fix_l4_ip4(f + IP_AT, 16);
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_tcp(&t.p)->doff, 5);
	assert_int_equal(np_pkt_tcp(&t.p)->nopts, 0);
	assert_int_equal(np_pkt_tcp(&t.p)->seg_len, 25);
	assert_int_equal(np_pkt_tcp(&t.p)->payload_len, 5);
	assert_int_equal(t.p.payload_off, TCP_AT + 20);
	assert_int_equal(np_pkt_tcp(&t.p)->urp, 3);
	assert_int_equal(np_pkt_tcp(&t.p)->flags, NP_TCP_URG | NP_TCP_ACK | NP_TCP_PSH);
	assert_int_equal(np_pkt_tcp(&t.p)->csum_status, NP_CSUM_GOOD); /* odd length padded right */
	t_free(&t);
}

/* Each of the 12 flag bits alone, then all together: 9 named flags, AE (was NS) at 0x100, and
 * the 3 reserved bits above it, all from the low nibble of byte 12 and byte 13. */
static void test_all_flags(void **state)
{
	(void)state;
	uint8_t f[256];
	uint32_t n = make_tcp(f, NULL, 0, NULL, 0);
	struct t_pkt t;
	for (unsigned bit = 0; bit < 12; bit++) {
		uint16_t fl = (uint16_t)(1u << bit);
		f[TCP_AT + 12] = (uint8_t)(0x50 | (fl >> 8));
		f[TCP_AT + 13] = (uint8_t)fl;
		t_fix_l4_ip4(f + IP_AT, 16);
		t_decode(&t, DLT_EN10MB, f, n);
		assert_int_equal(np_pkt_tcp(&t.p)->flags, fl);
		assert_int_equal(np_pkt_tcp(&t.p)->doff, 5); /* the flag bits don't leak into the offset */
		assert_int_equal(np_pkt_tcp(&t.p)->csum_status, NP_CSUM_GOOD);
		t_free(&t);
	}
	f[TCP_AT + 12] = 0x5f;
	f[TCP_AT + 13] = 0xff;
	t_fix_l4_ip4(f + IP_AT, 16);
	t_decode(&t, DLT_EN10MB, f, n);
	assert_int_equal(np_pkt_tcp(&t.p)->flags, 0xfff);
	assert_int_equal(np_pkt_tcp(&t.p)->flags & NP_TCP_AE, NP_TCP_AE);
	assert_int_equal(np_pkt_tcp(&t.p)->flags & 0xe00, 0xe00);
	assert_int_equal(np_pkt_tcp(&t.p)->doff, 5);
	assert_false(t.p.malformed); /* reserved bits set are odd, not a decoding error */
	t_free(&t);
}

static void test_sack_blocks(void **state)
{
	(void)state;
	static const uint8_t two[] = {
		0x01, 0x01,             /* NOP, NOP */
		0x05, 0x12,             /* SACK, length 18: two blocks */
		0x00, 0x00, 0x10, 0x00, /* block 1 left edge 4096 */
		0x00, 0x00, 0x20, 0x00, /* block 1 right edge 8192 */
		0x00, 0x00, 0x30, 0x00, /* block 2 left edge 12288 */
		0x00, 0x00, 0x40, 0x00, /* block 2 right edge 16384 */
	};
	uint8_t f[256];
	uint32_t n = make_tcp(f, two, sizeof two, NULL, 0);
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_tcp(&t.p)->nopts, 3);
	assert_int_equal(np_pkt_tcp(&t.p)->opts[2].kind, 5);
	assert_int_equal(np_pkt_tcp(&t.p)->opts[2].len, 18);
	assert_int_equal(np_pkt_tcp(&t.p)->nsack, 2);
	assert_int_equal(np_pkt_tcp(&t.p)->sack[0][0], 4096);
	assert_int_equal(np_pkt_tcp(&t.p)->sack[0][1], 8192);
	assert_int_equal(np_pkt_tcp(&t.p)->sack[1][0], 12288);
	assert_int_equal(np_pkt_tcp(&t.p)->sack[1][1], 16384);
	t_free(&t);

	static const uint8_t four[] = {
		0x01, 0x01,             /* NOP, NOP */
		0x05, 0x22,             /* SACK, length 34: four blocks */
		0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, /* block 1: 1-2 */
		0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, /* block 2: 3-4 */
		0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x06, /* block 3: 5-6 */
		0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x08, /* block 4: 7-8 */
	};
	n = make_tcp(f, four, sizeof four, NULL, 0);
	t_decode(&t, DLT_EN10MB, f, n);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_tcp(&t.p)->nsack, 4);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(np_pkt_tcp(&t.p)->sack[i][0], 2 * i + 1);
		assert_int_equal(np_pkt_tcp(&t.p)->sack[i][1], 2 * i + 2);
	}
	t_free(&t);

	static const uint8_t odd[] = {
		0x05, 0x0c,             /* SACK, length 12: not 2 + a multiple of 8 */
		0x00, 0x00, 0x00, 0x01, /* left edge */
		0x00, 0x00, 0x00, 0x02, /* right edge */
		0x00, 0x00,             /* two stray bytes */
	};
	n = make_tcp(f, odd, sizeof odd, NULL, 0);
	t_decode(&t, DLT_EN10MB, f, n);
	assert_true(np_pkt_tcp(&t.p)->opts_bad);
	assert_true(t.p.malformed);
	assert_int_equal(np_pkt_tcp(&t.p)->nsack, 0);
	t_free(&t);
}

static void test_eol_nop_unknown(void **state)
{
	(void)state;
	static const uint8_t opts[] = {
		0x01,                   /* NOP (offset 20) */
		0xfd, 0x04, 0xab, 0xcd, /* kind 253 (RFC 4727 experiment), length 4 (offset 21) */
		0x02, 0x04, 0x05, 0x78, /* MSS 1400 (offset 25) */
		0x00,                   /* EOL (offset 29): nothing after it is an option */
		0x02, 0x00,             /* would be an MSS with length 0 */
	};
	uint8_t f[256];
	uint32_t n = make_tcp(f, opts, sizeof opts, NULL, 0);
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_tcp(&t.p)->nopts, 4);
	assert_int_equal(np_pkt_tcp(&t.p)->opts[0].kind, 1);
	assert_int_equal(np_pkt_tcp(&t.p)->opts[0].off, 20);
	assert_int_equal(np_pkt_tcp(&t.p)->opts[1].kind, 253);
	assert_int_equal(np_pkt_tcp(&t.p)->opts[1].len, 4);
	assert_int_equal(np_pkt_tcp(&t.p)->opts[1].off, 21);
	assert_int_equal(np_pkt_tcp(&t.p)->opts[2].kind, 2);
	assert_int_equal(np_pkt_tcp(&t.p)->opts[2].off, 25);
	assert_int_equal(np_pkt_tcp(&t.p)->opts[3].kind, 0);
	assert_int_equal(np_pkt_tcp(&t.p)->opts[3].off, 29);
	assert_true(np_pkt_tcp(&t.p)->has_mss);
	assert_int_equal(np_pkt_tcp(&t.p)->mss, 1400);
	t_free(&t);

	/* 40 NOPs fill the largest option space without overflowing the table. */
	uint8_t nops[40];
	memset(nops, 0x01, sizeof nops); /* 40 x NOP */
	n = make_tcp(f, nops, sizeof nops, NULL, 0);
	t_decode(&t, DLT_EN10MB, f, n);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_tcp(&t.p)->doff, 15);
	assert_int_equal(np_pkt_tcp(&t.p)->nopts, 40);
	assert_int_equal(np_pkt_tcp(&t.p)->opts[39].off, 59);
	t_free(&t);
}

/* Options whose length is wrong: each is recorded as invalid and makes the packet malformed,
 * but the segment is still decoded. */
static void check_bad_option(const uint8_t *opts, size_t olen)
{
	uint8_t f[256];
	uint32_t n = make_tcp(f, opts, olen, NULL, 0);
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	assert_true(np_pkt_tcp(&t.p)->opts_bad);
	assert_true(t.p.malformed);
	assert_false(t.p.truncated);
	assert_true(t_has_problem(&t.p, NP_L_TCP, NP_INVALID));
	assert_int_equal(np_pkt_tcp(&t.p)->csum_status, NP_CSUM_GOOD);
	assert_int_equal(np_pkt_tcp(&t.p)->sport, 80);
	t_free(&t);
}

static void test_bad_option_lengths(void **state)
{
	(void)state;
	static const uint8_t len0[] = {
		0xfd, 0x00, /* kind 253, length 0 */
		0x01, 0x01, /* NOP, NOP */
	};
	static const uint8_t len1[] = {
		0xfd, 0x01, /* kind 253, length 1 */
		0x01, 0x01, /* NOP, NOP */
	};
	static const uint8_t past_end[] = {
		0x01, 0x01, /* NOP, NOP */
		0x02, 0x04, /* MSS, length 4, but the header ends here */
	};
	static const uint8_t far_past_end[] = {
		0x01, 0x01, 0x01, /* NOP, NOP, NOP */
		0xfd,             /* kind 253 with no room for its length byte */
	};
	static const uint8_t ws_len4[] = {
		0x03, 0x04, 0x07, 0x00, /* window scale with length 4 (should be 3) */
	};
	static const uint8_t ts_len8[] = {
		0x08, 0x08,             /* timestamps with length 8 (should be 10) */
		0x00, 0x00, 0x00, 0x01, /* TSval */
		0x00, 0x00,             /* half a TSecr */
	};
	check_bad_option(len0, sizeof len0);
	check_bad_option(len1, sizeof len1);
	check_bad_option(past_end, sizeof past_end);
	check_bad_option(far_past_end, sizeof far_past_end);
	check_bad_option(ws_len4, sizeof ws_len4);
	check_bad_option(ts_len8, sizeof ts_len8);
}

/* MSS with length 3: recorded as it is on the wire, not taken as an MSS; decoding goes on. */
static void test_mss_wrong_length(void **state)
{
	(void)state;
	static const uint8_t opts[] = {
		0x02, 0x03, 0x05, /* MSS, length 3 (should be 4) */
		0x01,             /* NOP */
		0x03, 0x03, 0x02, /* window scale 2 */
		0x00,             /* EOL */
	};
	uint8_t f[256];
	uint32_t n = make_tcp(f, opts, sizeof opts, NULL, 0);
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	assert_true(np_pkt_tcp(&t.p)->opts_bad);
	assert_true(t.p.malformed);
	assert_false(np_pkt_tcp(&t.p)->has_mss);
	assert_int_equal(np_pkt_tcp(&t.p)->nopts, 4);
	assert_int_equal(np_pkt_tcp(&t.p)->opts[0].kind, 2);
	assert_int_equal(np_pkt_tcp(&t.p)->opts[0].len, 3);
	assert_true(np_pkt_tcp(&t.p)->has_ws);
	assert_int_equal(np_pkt_tcp(&t.p)->ws, 2);
	t_free(&t);
}

static void test_data_offset_below_5(void **state)
{
	(void)state;
	uint8_t f[256];
	uint32_t n = make_tcp(f, NULL, 0, NULL, 0);
	struct t_pkt t;
	for (uint8_t doff = 0; doff < 5; doff++) {
		f[TCP_AT + 12] = (uint8_t)(doff << 4);
		t_decode(&t, DLT_EN10MB, f, n);
		assert_int_equal(np_pkt_tcp(&t.p)->doff, doff);
		assert_true(t.p.malformed);
		assert_false(t.p.truncated);
		assert_true(t_has_problem(&t.p, NP_L_TCP, NP_INVALID));
		assert_int_equal(np_pkt_tcp(&t.p)->nopts, 0);
		assert_int_equal(np_pkt_tcp(&t.p)->sport, 80); /* the fixed fields are still there */
		t_free(&t);
	}
}

static void test_data_offset_past_segment(void **state)
{
	(void)state;
	static const uint8_t data[] = { 'x', 'y', 'z', '!' }; /* 4 data bytes */
	uint8_t f[256];
	uint32_t n = make_tcp(f, NULL, 0, data, sizeof data);
	f[TCP_AT + 12] = 0xf0; /* data offset 15: 60 bytes in a 24-byte segment */
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	assert_int_equal(np_pkt_tcp(&t.p)->doff, 15);
	assert_true(t.p.malformed);
	assert_false(t.p.truncated);
	assert_true(t_has_problem(&t.p, NP_L_TCP, NP_INVALID));
	t_free(&t);

	f[TCP_AT + 12] = 0x60; /* data offset 6: 24 bytes, exactly the segment: allowed */
	t_decode(&t, DLT_EN10MB, f, n);
	assert_int_equal(np_pkt_tcp(&t.p)->doff, 6);
	assert_int_equal(np_pkt_tcp(&t.p)->payload_len, 0);
	assert_int_equal(t.p.payload_off, TCP_AT + 24);
	assert_true(np_pkt_tcp(&t.p)->opts_bad); /* but "xy" reads as kind 120 with length 121 */
	t_free(&t);
}

static void test_checksum_ipv4(void **state)
{
	(void)state;
	uint8_t f[256];
	uint32_t n = make_syn(f);
	uint16_t right = t_get16(f + TCP_AT + 16);
	struct t_pkt t;

	/* A bad sum: reported, with the value it should have had. */
	t_put16(f + TCP_AT + 16, (uint16_t)(right + 1));
	t_decode(&t, DLT_EN10MB, f, n);
	assert_int_equal(np_pkt_tcp(&t.p)->csum_status, NP_CSUM_BAD);
	assert_int_equal(np_pkt_tcp(&t.p)->csum_good, right);
	t_free(&t);

	/* The pseudo-header covers the addresses: change one and the same TCP bytes are bad. */
	t_put16(f + TCP_AT + 16, right);
	f[IP_AT + 15] ^= 0x01;
	t_fix_ip4(f + IP_AT);
	t_decode(&t, DLT_EN10MB, f, n);
	assert_int_equal(np_pkt_ip4(&t.p)->csum_status, NP_CSUM_GOOD);
	assert_int_equal(np_pkt_tcp(&t.p)->csum_status, NP_CSUM_BAD);
	t_free(&t);
}

/* TCP over IPv6: the pseudo-header has 128-bit addresses and a 32-bit length (RFC 8200 s8.1). */
static void test_checksum_ipv6(void **state)
{
	(void)state;
	static const uint8_t pkt[] = {
		0x60, 0x0a, 0xbc, 0xde,             /* version 6, traffic class 0, flow 0xabcde */
		0x00, 0x1b,                         /* payload length 27 */
		0x06,                               /* next header TCP */
		0x40,                               /* hop limit 64 */
		0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, /* source 2001:db8:ffff:...:ff01 */
		0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, /* destination 2001:db8::2 */
		0x01, 0xbb,                         /* source port 443 */
		0xe0, 0x00,                         /* destination port 57344 */
		0xff, 0xff, 0xff, 0xff,             /* sequence number */
		0x80, 0x00, 0x00, 0x00,             /* acknowledgment number */
		0x50, 0x19,                         /* data offset 5; FIN, PSH, ACK */
		0xff, 0xff,                         /* window 65535 */
		0x00, 0x00,                         /* checksum: filled in */
		0x00, 0x00,                         /* urgent pointer */
		'b', 'y', 'e', '\r', '\n', 0xff, 0x00, /* 7 data bytes */
	};
	uint8_t f[256];
	memcpy(f, pkt, sizeof pkt);
	t_fix_l4_ip6(f, 40, 6, 16);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, sizeof pkt);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_tcp(&t.p)->csum_status, NP_CSUM_GOOD);
	assert_int_equal(np_pkt_tcp(&t.p)->payload_len, 7);
	assert_int_equal(np_pkt_tcp(&t.p)->flags, NP_TCP_FIN | NP_TCP_PSH | NP_TCP_ACK);
	t_free(&t);

	uint16_t right = t_get16(f + 40 + 16);
	t_put16(f + 40 + 16, (uint16_t)~right);
	t_decode(&t, DLT_RAW, f, sizeof pkt);
	assert_int_equal(np_pkt_tcp(&t.p)->csum_status, NP_CSUM_BAD);
	assert_int_equal(np_pkt_tcp(&t.p)->csum_good, right);
	t_free(&t);

	/* Unfilled (offload): the folded sum of the 16-bit words of both addresses, the 32-bit
	 * length 27 and next header 6 (RFC 8200 s8.1, ~csum_ipv6_magic() in Linux) = 0x5a97. */
	t_put16(f + 40 + 16, 0x5a97);
	t_decode(&t, DLT_RAW, f, sizeof pkt);
	assert_int_equal(np_pkt_tcp(&t.p)->csum_status, NP_CSUM_OFFLOADED);
	assert_int_equal(np_pkt_tcp(&t.p)->csum_good, right);
	t_free(&t);
	t_put16(f + 40 + 16, 0x5a97 + 1);
	t_decode(&t, DLT_RAW, f, sizeof pkt);
	assert_int_equal(np_pkt_tcp(&t.p)->csum_status, NP_CSUM_BAD);
	assert_int_equal(np_pkt_tcp(&t.p)->csum_good, right);
	t_free(&t);

	/* Same bytes, one bit of the source address changed: bad. */
	t_put16(f + 40 + 16, right);
	f[23] ^= 0x80;
	t_decode(&t, DLT_RAW, f, sizeof pkt);
	assert_int_equal(np_pkt_tcp(&t.p)->csum_status, NP_CSUM_BAD);
	t_free(&t);
}

/* Checksum offload (veth, loopback, the sender's own card) leaves only the pseudo-header sum in
 * the field, folded and not complemented: Linux's ~csum_tcpudp_magic(saddr, daddr, len, proto, 0).
 * For the SYN: 0xc0a8 + 0x010a (source) + 0xc0a8 + 0x0114 (destination) + 0x0006 (protocol) +
 * 0x0028 (TCP length 40) = 0x1839c, folded 0x839d. */
#define SYN_PSEUDO 0x839d

/* An unfilled sum on a plain Ethernet frame, which has no direction mark: offloaded, on either
 * side of a veth. A correct sum stays correct; one off by one is incorrect, with the value it
 * should have had. */
static void test_checksum_unfilled_ipv4(void **state)
{
	(void)state;
	uint8_t f[256];
	uint32_t n = make_syn(f);
	uint16_t right = t_get16(f + TCP_AT + 16);
	struct t_pkt t;

	t_put16(f + TCP_AT + 16, SYN_PSEUDO);
	t_decode(&t, DLT_EN10MB, f, n);
	assert_false(np_pkt_link(&t.p)->outgoing);
	assert_int_equal(np_pkt_tcp(&t.p)->csum, SYN_PSEUDO);
	assert_int_equal(np_pkt_tcp(&t.p)->csum_status, NP_CSUM_OFFLOADED);
	assert_int_equal(np_pkt_tcp(&t.p)->csum_good, right);
	assert_false(t.p.malformed);
	t_free(&t);

	t_put16(f + TCP_AT + 16, right);
	t_decode(&t, DLT_EN10MB, f, n);
	assert_int_equal(np_pkt_tcp(&t.p)->csum_status, NP_CSUM_GOOD);
	t_free(&t);

	t_put16(f + TCP_AT + 16, (uint16_t)(right + 1));
	t_decode(&t, DLT_EN10MB, f, n);
	assert_int_equal(np_pkt_tcp(&t.p)->csum_status, NP_CSUM_BAD);
	assert_int_equal(np_pkt_tcp(&t.p)->csum_good, right);
	t_free(&t);

	/* Near misses are just wrong: the complemented pseudo-header sum (what a finished sum of
	 * an empty segment would be), and the pseudo-header sum one off. */
	t_put16(f + TCP_AT + 16, (uint16_t)~SYN_PSEUDO);
	t_decode(&t, DLT_EN10MB, f, n);
	assert_int_equal(np_pkt_tcp(&t.p)->csum_status, NP_CSUM_BAD);
	t_free(&t);
	t_put16(f + TCP_AT + 16, SYN_PSEUDO + 1);
	t_decode(&t, DLT_EN10MB, f, n);
	assert_int_equal(np_pkt_tcp(&t.p)->csum_status, NP_CSUM_BAD);
	t_free(&t);

	/* The pseudo-header covers the addresses: the same field under another source is wrong. */
	t_put16(f + TCP_AT + 16, SYN_PSEUDO);
	f[IP_AT + 15] ^= 0x01;
	t_fix_ip4(f + IP_AT);
	t_decode(&t, DLT_EN10MB, f, n);
	assert_int_equal(np_pkt_tcp(&t.p)->csum_status, NP_CSUM_BAD);
	t_free(&t);
}

/* The pseudo-header alone tells an unfilled field, so a snapshot length that cut the data does
 * not hide it; any other value there stays unverified. */
static void test_checksum_unfilled_cut(void **state)
{
	(void)state;
	uint8_t f[256];
	uint32_t n = make_syn(f);
	t_put16(f + TCP_AT + 16, SYN_PSEUDO);
	struct t_pkt t;
	t_decode_ex(&t, DLT_EN10MB, f, n - 4, n);
	assert_true(t.p.truncated);
	assert_int_equal(np_pkt_tcp(&t.p)->csum_status, NP_CSUM_OFFLOADED);
	t_free(&t);

	t_put16(f + TCP_AT + 16, SYN_PSEUDO + 1);
	t_decode_ex(&t, DLT_EN10MB, f, n - 4, n);
	assert_int_equal(np_pkt_tcp(&t.p)->csum_status, NP_CSUM_UNVERIFIED);
	t_free(&t);
}

/* A frame this host sent (SLL "outgoing") is judged by the same value: the unfilled sum is
 * offloaded, in either direction, and any other wrong value is an error even outgoing (a raw
 * or AF_PACKET sender put it there, and that is what went on the wire). */
static void test_checksum_offloaded_sll(void **state)
{
	(void)state;
	static const uint8_t sll[] = {
		0x00, 0x04,                         /* packet type 4: outgoing */
		0x00, 0x01,                         /* ARPHRD_ETHER */
		0x00, 0x06,                         /* address length 6 */
		0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* link-layer address */
		0x00, 0x00,                         /* padding */
		0x08, 0x00,                         /* protocol IPv4 */
	};
	uint8_t e[256], f[256];
	uint32_t en = make_syn(e), n = 0;
	t_append(f, &n, sll, sizeof sll);
	t_append(f, &n, e + IP_AT, en - IP_AT); /* the SYN's IPv4 datagram behind SLL */
	struct t_pkt t;
	t_decode(&t, DLT_LINUX_SLL, f, n);
	assert_true(np_pkt_link(&t.p)->outgoing);
	assert_int_equal(np_pkt_tcp(&t.p)->csum_status, NP_CSUM_GOOD);
	t_free(&t);

	uint16_t right = t_get16(f + 16 + 20 + 16);
	t_put16(f + 16 + 20 + 16, SYN_PSEUDO);
	t_decode(&t, DLT_LINUX_SLL, f, n);
	assert_int_equal(np_pkt_tcp(&t.p)->csum_status, NP_CSUM_OFFLOADED);
	assert_int_equal(np_pkt_tcp(&t.p)->csum_good, right);
	assert_false(t.p.malformed);
	t_free(&t);

	f[1] = 0; /* the same frame received (the other end of a veth): offloaded too */
	t_decode(&t, DLT_LINUX_SLL, f, n);
	assert_int_equal(np_pkt_tcp(&t.p)->csum_status, NP_CSUM_OFFLOADED);
	t_free(&t);

	f[1] = 4; /* outgoing, and simply wrong: 0 is not what offload leaves */
	t_put16(f + 16 + 20 + 16, 0x0000);
	t_decode(&t, DLT_LINUX_SLL, f, n);
	assert_int_equal(np_pkt_tcp(&t.p)->csum_status, NP_CSUM_BAD);
	assert_int_equal(np_pkt_tcp(&t.p)->csum_good, right);
	t_free(&t);
}

/* Cut by the snapshot length: the sum can't be computed, which is not the same as wrong. */
static void test_checksum_cut_frame(void **state)
{
	(void)state;
	static const uint8_t data[] = { 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h' }; /* 8 data bytes */
	uint8_t f[256];
	uint32_t n = make_tcp(f, NULL, 0, data, sizeof data);
	t_put16(f + TCP_AT + 16, 0xdead); /* wrong, too: still can't be told */
	struct t_pkt t;
	t_decode_ex(&t, DLT_EN10MB, f, n - 3, n);
	assert_true(t.p.truncated);
	assert_false(t.p.malformed);
	assert_int_equal(np_pkt_tcp(&t.p)->csum_status, NP_CSUM_UNVERIFIED);
	assert_int_equal(np_pkt_tcp(&t.p)->payload_len, 8); /* from the IP length, not the capture */
	t_free(&t);
}

/* The decode of each prefix of the SYN agrees with the full decode on every field whose bytes
 * were captured. */
static void check_tcp_prefix(const struct np_packet *full, const struct np_packet *cut, uint32_t cap)
{
	if (cap <= TCP_AT) { /* not a byte of TCP: no (empty) TCP layer */
		assert_false(np_pkt_tcp(cut));
		return;
	}
	const struct np_tcp *a = np_pkt_tcp(full), *b = np_pkt_tcp(cut);
	uint32_t got = cap - TCP_AT;
	assert_true(np_pkt_tcp(cut));
	assert_int_equal(b->got, got < 20 ? got : 20);
	assert_int_equal(b->seg_len, a->seg_len);
	if (got >= 2)
		assert_int_equal(b->sport, a->sport);
	if (got >= 4)
		assert_int_equal(b->dport, a->dport);
	if (got >= 8)
		assert_int_equal(b->seq, a->seq);
	if (got >= 12)
		assert_int_equal(b->ack, a->ack);
	if (got >= 14) {
		assert_int_equal(b->doff, a->doff);
		assert_int_equal(b->flags, a->flags);
	}
	if (got >= 16)
		assert_int_equal(b->win, a->win);
	if (got >= 18)
		assert_int_equal(b->csum, a->csum);
	if (got >= 20) {
		assert_int_equal(b->urp, a->urp);
		assert_int_equal(b->payload_len, a->payload_len);
		assert_false(b->opts_bad);
		/* Every option wholly captured is decoded as in the full frame; no other is. */
		unsigned whole = 0;
		while (whole < a->nopts && a->opts[whole].off + a->opts[whole].len <= got)
			whole++;
		assert_int_equal(b->nopts, whole);
		for (unsigned i = 0; i < whole; i++) {
			assert_int_equal(b->opts[i].kind, a->opts[i].kind);
			assert_int_equal(b->opts[i].len, a->opts[i].len);
			assert_int_equal(b->opts[i].off, a->opts[i].off);
			switch (a->opts[i].kind) {
			case 2:
				assert_true(b->has_mss);
				assert_int_equal(b->mss, a->mss);
				break;
			case 3:
				assert_true(b->has_ws);
				assert_int_equal(b->ws, a->ws);
				break;
			case 4:
				assert_true(b->sack_perm);
				break;
			case 5:
				assert_int_equal(b->nsack, a->nsack);
				assert_memory_equal(b->sack, a->sack, sizeof a->sack[0] * a->nsack);
				break;
			case 8:
				assert_true(b->has_ts);
				assert_int_equal(b->tsval, a->tsval);
				assert_int_equal(b->tsecr, a->tsecr);
				break;
			default:
				break;
			}
		}
	}
	/* The sum needs every byte: unverifiable until then, never "bad". */
	assert_int_equal(b->csum_status, cap == full->frame->len ? NP_CSUM_GOOD
				  : got >= 20 ? NP_CSUM_UNVERIFIED
					      : NP_CSUM_NOT_CHECKED);
}

static void test_truncation_at_every_byte(void **state)
{
	(void)state;
	uint8_t f[256];
	uint32_t n = make_syn(f);
	t_every_prefix(DLT_EN10MB, f, n, check_tcp_prefix);

	/* And a segment with SACK blocks and data. */
	static const uint8_t opts[] = {
		0x01, 0x01,             /* NOP, NOP */
		0x08, 0x0a,             /* timestamps */
		0x00, 0x00, 0x00, 0x01, /* TSval 1 */
		0x00, 0x00, 0x00, 0x02, /* TSecr 2 */
		0x01, 0x01,             /* NOP, NOP */
		0x05, 0x0a,             /* SACK, one block */
		0x00, 0x00, 0x00, 0x10, /* left edge 16 */
		0x00, 0x00, 0x00, 0x20, /* right edge 32 */
	};
	static const uint8_t data[] = { 'd', 'a', 't', 'a', '!' }; /* 5 data bytes */
	n = make_tcp(f, opts, sizeof opts, data, sizeof data);
	t_every_prefix(DLT_EN10MB, f, n, check_tcp_prefix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_and_options),
		cmocka_unit_test(test_payload_and_urgent),
		cmocka_unit_test(test_all_flags),
		cmocka_unit_test(test_sack_blocks),
		cmocka_unit_test(test_eol_nop_unknown),
		cmocka_unit_test(test_bad_option_lengths),
		cmocka_unit_test(test_mss_wrong_length),
		cmocka_unit_test(test_data_offset_below_5),
		cmocka_unit_test(test_data_offset_past_segment),
		cmocka_unit_test(test_checksum_ipv4),
		cmocka_unit_test(test_checksum_ipv6),
		cmocka_unit_test(test_checksum_unfilled_ipv4),
		cmocka_unit_test(test_checksum_unfilled_cut),
		cmocka_unit_test(test_checksum_offloaded_sll),
		cmocka_unit_test(test_checksum_cut_frame),
		cmocka_unit_test(test_truncation_at_every_byte),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
