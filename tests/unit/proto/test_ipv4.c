/* test_ipv4.c - IPv4 header decoding (src/proto/ipv4.c, RFC 791): fields, header checksum,
 * options, length checks, fragments, and truncated versus invalid. */
#include "testutil.h"

/* IPv4 + UDP with 4 bytes of data, every header field non-zero. Checksums filled in by fill(). */
static const uint8_t ip4_udp[] = {
	0x45,                   /* version 4, IHL 5 (20 bytes) */
	0xb9,                   /* DSCP 46 (EF), ECN 1 (ECT(1)) */
	0x00, 0x20,             /* total length 32 */
	0xbe, 0xef,             /* identification 0xbeef */
	0x40, 0x00,             /* flags: DF; fragment offset 0 */
	0x39,                   /* TTL 57 */
	0x11,                   /* protocol 17 (UDP) */
	0x00, 0x00,             /* header checksum: filled in */
	0xc0, 0x00, 0x02, 0x01, /* source 192.0.2.1 */
	0xc6, 0x33, 0x64, 0x07, /* destination 198.51.100.7 */
	0x14, 0xe9,             /* UDP source port 5353 */
	0x14, 0xe9,             /* UDP destination port 5353 */
	0x00, 0x0c,             /* UDP length 12 */
	0x00, 0x00,             /* UDP checksum: filled in */
	'p', 'i', 'n', 'g',     /* UDP data */
};

static const uint8_t eth_hdr[] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* destination MAC */
	0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* source MAC */
	0x08, 0x00,                         /* Ethertype IPv4 */
};

static const uint8_t sll_out_hdr[] = {
	0x00, 0x04,                         /* packet type 4: outgoing */
	0x00, 0x01,                         /* ARPHRD_ETHER */
	0x00, 0x06,                         /* address length 6 */
	0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* link-layer address */
	0x00, 0x00,                         /* padding */
	0x08, 0x00,                         /* protocol IPv4 */
};

/* Link header + IPv4 datagram, with the IPv4 and (when the datagram is whole and UDP/TCP)
 * transport checksums filled in. */
static uint32_t fill(uint8_t *out, const uint8_t *link, size_t llen, const uint8_t *ip, size_t n)
{
	uint32_t len = 0;
	t_append(out, &len, link, llen);
	t_append(out, &len, ip, n);
	uint8_t *h = out + llen;
	if (t_get16(h + 2) == n && (h[6] & 0x3f) == 0 && h[7] == 0) {
		if (h[9] == 17)
			t_fix_l4_ip4(h, 6);
		else if (h[9] == 6)
			t_fix_l4_ip4(h, 16);
	}
	t_fix_ip4(h);
	return len;
}

static void test_fields(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = fill(f, eth_hdr, sizeof eth_hdr, ip4_udp, sizeof ip4_udp);
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	const struct np_ipv4 *ip = np_pkt_ip4(&t.p);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK | NP_HAS_IP4 | NP_HAS_UDP);
	assert_int_equal(ip->got, 20);
	assert_int_equal(ip->version, 4);
	assert_int_equal(ip->ihl, 5);
	assert_int_equal(ip->tos, 0xb9);
	assert_int_equal(ip->tot_len, 32);
	assert_int_equal(ip->id, 0xbeef);
	assert_int_equal(ip->frag, 0x4000);
	assert_int_equal(ip->ttl, 57);
	assert_int_equal(ip->proto, 17);
	assert_int_equal(ip->csum, t_get16(f + 14 + 10));
	assert_int_equal(ip->csum_status, NP_CSUM_GOOD);
	assert_int_equal(ip->csum_good, ip->csum);
	assert_memory_equal(ip->src, ((uint8_t[]){ 192, 0, 2, 1 }), 4);
	assert_memory_equal(ip->dst, ((uint8_t[]){ 198, 51, 100, 7 }), 4);
	assert_int_equal(ip->nopts, 0);
	assert_false(ip->opts_bad);
	assert_int_equal(t.p.l3_off, 14);
	assert_int_equal(t.p.l4_off, 34);
	assert_int_equal(t.p.l4_len, 12);
	assert_false(t.p.l4_fragment);
	assert_int_equal(np_pkt_udp(&t.p)->csum_status, NP_CSUM_GOOD);
	t_free(&t);
}

static void test_checksum_bad_and_offloaded(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = fill(f, eth_hdr, sizeof eth_hdr, ip4_udp, sizeof ip4_udp);
	uint16_t right = t_get16(f + 14 + 10);
	t_put16(f + 14 + 10, (uint16_t)(right ^ 0x0101));
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	assert_int_equal(np_pkt_ip4(&t.p)->csum_status, NP_CSUM_BAD);
	assert_int_equal(np_pkt_ip4(&t.p)->csum, right ^ 0x0101);
	assert_int_equal(np_pkt_ip4(&t.p)->csum_good, right); /* what it should have been */
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK | NP_HAS_IP4 | NP_HAS_UDP); /* decoding goes on */
	t_free(&t);

	/* The same bad sum on a frame this host sent: Linux fills the IPv4 header sum in
	 * software, so a wrong one was put there by the sender and is an error. */
	n = fill(f, sll_out_hdr, sizeof sll_out_hdr, ip4_udp, sizeof ip4_udp);
	t_put16(f + 16 + 10, (uint16_t)(right ^ 0x0101));
	t_decode(&t, DLT_LINUX_SLL, f, n);
	assert_true(np_pkt_link(&t.p)->outgoing);
	assert_int_equal(np_pkt_ip4(&t.p)->csum_status, NP_CSUM_BAD);
	assert_int_equal(np_pkt_ip4(&t.p)->csum_good, right);
	t_free(&t);

	/* 0 on a frame this host sent: what a BSD stack leaves when it offloads the header
	 * sum (CSUM_IP, on loopback). */
	t_put16(f + 16 + 10, 0);
	t_decode(&t, DLT_LINUX_SLL, f, n);
	assert_int_equal(np_pkt_ip4(&t.p)->csum_status, NP_CSUM_OFFLOADED);
	assert_int_equal(np_pkt_ip4(&t.p)->csum_good, right);
	t_free(&t);

	/* A good sum on an outgoing frame is still good. */
	t_put16(f + 16 + 10, right);
	t_decode(&t, DLT_LINUX_SLL, f, n);
	assert_int_equal(np_pkt_ip4(&t.p)->csum_status, NP_CSUM_GOOD);
	t_free(&t);

	/* Received (not outgoing): bad. */
	t_put16(f + 16 + 10, 0);
	f[1] = 0;
	t_decode(&t, DLT_LINUX_SLL, f, n);
	assert_int_equal(np_pkt_ip4(&t.p)->csum_status, NP_CSUM_BAD);
	t_free(&t);
}

/* 12 bytes of options: NOP, Record Route with one slot, EOL, padding. */
static const uint8_t ip4_opts[] = {
	0x48,                   /* version 4, IHL 8 (32 bytes) */
	0x00,                   /* DSCP 0, ECN 0 */
	0x00, 0x28,             /* total length 40 */
	0x00, 0x07,             /* identification 7 */
	0x00, 0x00,             /* flags 0, offset 0 */
	0x40,                   /* TTL 64 */
	0x11,                   /* protocol UDP */
	0x00, 0x00,             /* header checksum: filled in */
	0x0a, 0x00, 0x00, 0x01, /* source 10.0.0.1 */
	0x0a, 0x00, 0x00, 0x02, /* destination 10.0.0.2 */
	0x01,                   /* option NOP */
	0x07, 0x07, 0x04,       /* option Record Route: type 7, length 7, pointer 4 */
	0x00, 0x00, 0x00, 0x00, /* RR slot 1 (empty) */
	0x00,                   /* option EOL */
	0x00, 0x00, 0x00,       /* padding to a 32-bit boundary */
	0x04, 0xd2,             /* UDP source port 1234 */
	0x16, 0x2e,             /* UDP destination port 5678 */
	0x00, 0x08,             /* UDP length 8 */
	0x00, 0x00,             /* UDP checksum: filled in */
};

static void test_options(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = fill(f, NULL, 0, ip4_opts, sizeof ip4_opts);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	const struct np_ipv4 *ip = np_pkt_ip4(&t.p);
	t_assert_clean(&t.p);
	assert_int_equal(ip->ihl, 8);
	assert_int_equal(ip->csum_status, NP_CSUM_GOOD); /* the sum covers the options */
	assert_int_equal(ip->nopts, 3);
	assert_int_equal(ip->opts[0].type, 1);
	assert_int_equal(ip->opts[0].len, 1);
	assert_int_equal(ip->opts[1].type, 7);
	assert_int_equal(ip->opts[1].len, 7);
	assert_int_equal(ip->opts[2].type, 0);
	assert_int_equal(ip->opts[2].len, 1);
	assert_false(ip->opts_bad);
	assert_int_equal(t.p.l4_off, 32);
	assert_int_equal(t.p.l4_len, 8);
	assert_int_equal(np_pkt_udp(&t.p)->sport, 1234);
	assert_int_equal(np_pkt_udp(&t.p)->csum_status, NP_CSUM_GOOD);
	t_free(&t);
}

static void test_option_bad_length(void **state)
{
	(void)state;
	uint8_t f[128];
	struct t_pkt t;
	/* Length 1 for a type that needs a length byte and data. */
	uint32_t n = fill(f, NULL, 0, ip4_opts, sizeof ip4_opts);
	f[21] = 0x07;
	f[22] = 0x01; /* RR length 1 */
	t_fix_ip4(f);
	t_decode(&t, DLT_RAW, f, n);
	assert_true(np_pkt_ip4(&t.p)->opts_bad);
	assert_true(t.p.malformed);
	assert_false(t.p.truncated);
	assert_true(t_has_problem(&t.p, NP_L_IP4, NP_INVALID));
	assert_int_equal(np_pkt_ip4(&t.p)->nopts, 1); /* the NOP before it */
	assert_true(np_pkt_udp(&t.p)); /* the header length still says where UDP starts */
	t_free(&t);

	/* Length 0. */
	f[22] = 0x00;
	t_fix_ip4(f);
	t_decode(&t, DLT_RAW, f, n);
	assert_true(np_pkt_ip4(&t.p)->opts_bad);
	assert_true(t.p.malformed);
	t_free(&t);

	/* Length running past the end of the header (40 > the 11 bytes left), fully captured:
	 * invalid, not truncated. */
	f[22] = 40;
	t_fix_ip4(f);
	t_decode(&t, DLT_RAW, f, n);
	assert_true(np_pkt_ip4(&t.p)->opts_bad);
	assert_true(t.p.malformed);
	assert_false(t.p.truncated);
	t_free(&t);

	/* A type byte as the last byte of the header, with no room for its length. */
	n = fill(f, NULL, 0, ip4_opts, sizeof ip4_opts);
	memset(f + 20, 0x01, 12); /* all NOPs ... */
	f[31] = 0x07;             /* ... then RR with no length byte */
	t_fix_ip4(f);
	t_decode(&t, DLT_RAW, f, n);
	assert_true(np_pkt_ip4(&t.p)->opts_bad);
	assert_true(t.p.malformed);
	assert_false(t.p.truncated);
	assert_int_equal(np_pkt_ip4(&t.p)->nopts, 11);
	t_free(&t);
}

/* The capture ends inside an option whose length fits the header: truncated, not malformed. */
static void test_options_cut_by_snaplen(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = fill(f, NULL, 0, ip4_opts, sizeof ip4_opts);
	struct t_pkt t;
	t_decode_ex(&t, DLT_RAW, f, 24, n); /* 20 + NOP + 3 bytes of Record Route */
	assert_true(t.p.truncated);
	assert_false(t.p.malformed);
	assert_false(np_pkt_ip4(&t.p)->opts_bad);
	assert_int_equal(np_pkt_ip4(&t.p)->nopts, 1);
	assert_int_equal(np_pkt_ip4(&t.p)->csum_status, NP_CSUM_UNVERIFIED);
	assert_true(t_has_problem(&t.p, NP_L_IP4, NP_TRUNCATED));
	assert_false(np_pkt_udp(&t.p));
	t_free(&t);
}

static void test_ihl_below_5(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = fill(f, NULL, 0, ip4_udp, sizeof ip4_udp);
	f[0] = 0x44; /* IHL 4: 16 bytes, less than the fixed header */
	t_fix_ip4(f);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	assert_int_equal(np_pkt_ip4(&t.p)->ihl, 4);
	assert_true(t.p.malformed);
	assert_false(t.p.truncated);
	assert_true(t_has_problem(&t.p, NP_L_IP4, NP_INVALID));
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK | NP_HAS_IP4);
	t_free(&t);

	f[0] = 0x40; /* IHL 0 */
	t_decode(&t, DLT_RAW, f, n);
	assert_true(t.p.malformed);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK | NP_HAS_IP4);
	t_free(&t);
}

static void test_total_length_below_header(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = fill(f, NULL, 0, ip4_udp, sizeof ip4_udp);
	t_put16(f + 2, 16); /* total length 16 < 20 */
	t_fix_ip4(f);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	assert_true(t.p.malformed);
	assert_true(t_has_problem(&t.p, NP_L_IP4, NP_INVALID));
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK | NP_HAS_IP4);
	t_free(&t);

	/* With options: total length 24 is above 20 but below IHL*4 = 32. */
	n = fill(f, NULL, 0, ip4_opts, sizeof ip4_opts);
	t_put16(f + 2, 24);
	t_fix_ip4(f);
	t_decode(&t, DLT_RAW, f, n);
	assert_true(t.p.malformed);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK | NP_HAS_IP4);
	t_free(&t);
}

/* Total length past the end of the frame on the wire: the header lies (invalid). */
static void test_total_length_past_frame(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = fill(f, NULL, 0, ip4_udp, sizeof ip4_udp);
	t_put16(f + 2, 100);
	t_fix_ip4(f);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	assert_true(t.p.malformed);
	assert_false(t.p.truncated);
	assert_true(t_has_problem(&t.p, NP_L_IP4, NP_INVALID));
	assert_int_equal(t.p.l4_len, 12); /* clamped to what the frame had */
	assert_true(np_pkt_udp(&t.p));
	t_free(&t);
}

/* The same bytes, but the frame was longer on the wire and the snapshot length cut it:
 * truncated, not invalid. */
static void test_cut_by_snaplen(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = fill(f, NULL, 0, ip4_udp, sizeof ip4_udp);
	struct t_pkt t;
	t_decode_ex(&t, DLT_RAW, f, 28, n); /* the 4 data bytes not captured */
	assert_true(t.p.truncated);
	assert_false(t.p.malformed);
	assert_true(t_has_problem(&t.p, NP_L_IP4, NP_TRUNCATED));
	assert_int_equal(np_pkt_ip4(&t.p)->csum_status, NP_CSUM_GOOD); /* the header itself is whole */
	assert_int_equal(t.p.l4_len, 12);                    /* from the header, not the capture */
	assert_true(np_pkt_udp(&t.p));
	assert_int_equal(np_pkt_udp(&t.p)->csum_status, NP_CSUM_UNVERIFIED);
	t_free(&t);
}

/* Total length 0: TCP segmentation offload leaves it so in captures; use the frame length. */
static void test_total_length_zero(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = fill(f, eth_hdr, sizeof eth_hdr, ip4_udp, sizeof ip4_udp);
	t_put16(f + 14 + 2, 0);
	t_fix_ip4(f + 14);
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_ip4(&t.p)->tot_len, 0);
	assert_int_equal(t.p.l4_len, 12);
	assert_int_equal(np_pkt_udp(&t.p)->payload_len, 4);
	assert_int_equal(np_pkt_udp(&t.p)->csum_status, NP_CSUM_GOOD);
	t_free(&t);
}

/* A TCP segment split in two fragments. */
static const uint8_t ip4_tcp_frag[] = {
	0x45,                   /* version 4, IHL 5 */
	0x00,                   /* TOS */
	0x00, 0x30,             /* total length 48: 20 IP + 20 TCP + 8 data of the first part */
	0x12, 0x34,             /* identification 0x1234 */
	0x20, 0x00,             /* flags: MF; fragment offset 0 */
	0x40,                   /* TTL 64 */
	0x06,                   /* protocol TCP */
	0x00, 0x00,             /* header checksum: filled in */
	0x0a, 0x00, 0x00, 0x01, /* source 10.0.0.1 */
	0x0a, 0x00, 0x00, 0x02, /* destination 10.0.0.2 */
	0x00, 0x50,             /* TCP source port 80 */
	0xc0, 0x00,             /* TCP destination port 49152 */
	0x00, 0x00, 0x00, 0x01, /* sequence number 1 */
	0x00, 0x00, 0x00, 0x01, /* acknowledgment number 1 */
	0x50, 0x18,             /* data offset 5; flags PSH, ACK */
	0x01, 0x00,             /* window 256 */
	0x12, 0x34,             /* checksum (over the whole segment: can't be checked here) */
	0x00, 0x00,             /* urgent pointer */
	'f', 'r', 'a', 'g', 'm', 'e', 'n', 't', /* first 8 data bytes */
};

static void test_first_fragment(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = fill(f, NULL, 0, ip4_tcp_frag, sizeof ip4_tcp_frag);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_ip4(&t.p)->frag, 0x2000);
	assert_true(t.p.l4_fragment);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK | NP_HAS_IP4 | NP_HAS_TCP);
	assert_int_equal(np_pkt_tcp(&t.p)->sport, 80);
	assert_int_equal(np_pkt_tcp(&t.p)->seg_len, 28);
	assert_int_equal(np_pkt_tcp(&t.p)->payload_len, 8);
	assert_int_equal(np_pkt_tcp(&t.p)->csum_status, NP_CSUM_UNVERIFIED);
	t_free(&t);
}

static void test_later_fragment(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = fill(f, NULL, 0, ip4_tcp_frag, sizeof ip4_tcp_frag);
	t_put16(f + 6, 0x0003); /* MF clear, fragment offset 3 (24 bytes) */
	t_fix_ip4(f);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	t_assert_clean(&t.p);
	assert_int_equal(np_pkt_ip4(&t.p)->frag & 0x1fff, 3);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK | NP_HAS_IP4); /* no TCP header in there */
	assert_int_equal(np_pkt_ip4(&t.p)->csum_status, NP_CSUM_GOOD);
	t_free(&t);

	t_put16(f + 6, 0x2003); /* a middle fragment, MF set */
	t_fix_ip4(f);
	t_decode(&t, DLT_RAW, f, n);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK | NP_HAS_IP4);
	t_free(&t);
}

static void test_version_not_4(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = fill(f, eth_hdr, sizeof eth_hdr, ip4_udp, sizeof ip4_udp);
	f[14] = 0x55; /* version 5 behind Ethertype IPv4 */
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	assert_int_equal(np_pkt_ip4(&t.p)->version, 5);
	assert_int_equal(np_pkt_ip4(&t.p)->got, 1); /* nothing past the version means anything */
	assert_true(t.p.malformed);
	assert_false(t.p.truncated);
	assert_true(t_has_problem(&t.p, NP_L_IP4, NP_INVALID));
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK | NP_HAS_IP4);
	t_free(&t);

	t_decode_ex(&t, DLT_EN10MB, f, 15, n); /* only the version byte captured */
	assert_int_equal(np_pkt_ip4(&t.p)->version, 5);
	assert_true(t.p.malformed);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK | NP_HAS_IP4);
	t_free(&t);
}

/* An IPv6 packet under the IPv4 Ethertype is decoded as the IPv6 it is (as Wireshark does), with
 * the mismatch recorded against IPv4. */
static void test_ipv6_under_ipv4_ethertype(void **state)
{
	(void)state;
	static const uint8_t ip6[] = {
		0x60, 0x00, 0x00, 0x00, /* version 6 */
		0x00, 0x08,             /* payload length 8 */
		0x11,                   /* next header UDP */
		0x40,                   /* hop limit 64 */
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, /* source */
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, /* destination */
		0x04, 0xd2, 0x00, 0x35, /* UDP ports 1234 -> 53 */
		0x00, 0x08, 0x00, 0x00, /* UDP length 8, checksum: filled in */
	};
	uint8_t f[128];
	uint32_t n = 0;
	t_append(f, &n, eth_hdr, sizeof eth_hdr);
	t_append(f, &n, ip6, sizeof ip6);
	t_fix_l4_ip6(f + 14, 40, 17, 6);
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK | NP_HAS_IP6 | NP_HAS_UDP);
	assert_true(t.p.malformed);
	assert_false(t.p.truncated);
	assert_true(t_has_problem(&t.p, NP_L_IP4, NP_INVALID));
	assert_int_equal(t.p.l3_off, 14);
	assert_int_equal(np_pkt_udp(&t.p)->csum_status, NP_CSUM_GOOD);
	t_free(&t);
}

static void test_transport_not_decoded(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = fill(f, NULL, 0, ip4_udp, sizeof ip4_udp);
	f[9] = 89; /* OSPF */
	t_fix_ip4(f);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK | NP_HAS_IP4);
	assert_true(t_has_problem(&t.p, NP_L_IP4, NP_UNSUPPORTED));
	assert_false(t.p.malformed);
	t_free(&t);

	f[9] = 58; /* ICMPv6 inside IPv4 */
	t_fix_ip4(f);
	t_decode(&t, DLT_RAW, f, n);
	assert_int_equal(np_pkt_mask(&t.p), NP_HAS_LINK | NP_HAS_IP4);
	assert_true(t_has_problem(&t.p, NP_L_IP4, NP_UNSUPPORTED));
	t_free(&t);
}

/* Captured fields agree with the full decode, offset by offset. */
static void check_ip4_prefix(const struct np_packet *full, const struct np_packet *cut, uint32_t cap)
{
	uint32_t l3 = full->l3_off;
	if (cap < l3 || cap == 0) { /* raw IP needs the version nibble to pick IPv4 */
		assert_false(np_pkt_ip4(cut));
		return;
	}
	const struct np_ipv4 *a = np_pkt_ip4(full), *b = np_pkt_ip4(cut);
	uint32_t got = cap - l3;
	assert_true(np_pkt_ip4(cut));
	assert_int_equal(b->got, got < 20 ? got : 20);
	if (got >= 1) {
		assert_int_equal(b->version, a->version);
		assert_int_equal(b->ihl, a->ihl);
	}
	if (got >= 2)
		assert_int_equal(b->tos, a->tos);
	if (got >= 4)
		assert_int_equal(b->tot_len, a->tot_len);
	if (got >= 6)
		assert_int_equal(b->id, a->id);
	if (got >= 8)
		assert_int_equal(b->frag, a->frag);
	if (got >= 9)
		assert_int_equal(b->ttl, a->ttl);
	if (got >= 10)
		assert_int_equal(b->proto, a->proto);
	if (got >= 12)
		assert_int_equal(b->csum, a->csum);
	if (got >= 16)
		assert_memory_equal(b->src, a->src, 4);
	if (got >= 20)
		assert_memory_equal(b->dst, a->dst, 4);
	if (got >= a->ihl * 4u) {
		assert_int_equal(b->csum_status, a->csum_status);
		assert_int_equal(b->nopts, a->nopts);
	} else if (got >= 20) {
		assert_int_equal(b->csum_status, NP_CSUM_UNVERIFIED);
	}
	if (got >= 20) {
		assert_true(b->nopts <= a->nopts);
		for (unsigned i = 0; i < b->nopts; i++) {
			assert_int_equal(b->opts[i].type, a->opts[i].type);
			assert_int_equal(b->opts[i].len, a->opts[i].len);
		}
		assert_false(b->opts_bad);
	}
	if (cap >= full->l4_off + 8 && np_pkt_udp(full)) {
		assert_int_equal(cut->l4_len, full->l4_len);
		assert_int_equal(np_pkt_udp(cut)->sport, np_pkt_udp(full)->sport);
		assert_int_equal(np_pkt_udp(cut)->dport, np_pkt_udp(full)->dport);
		assert_int_equal(np_pkt_udp(cut)->len, np_pkt_udp(full)->len);
	}
}

static void test_every_prefix(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = fill(f, eth_hdr, sizeof eth_hdr, ip4_opts, sizeof ip4_opts);
	t_every_prefix(DLT_EN10MB, f, n, check_ip4_prefix);
	n = fill(f, eth_hdr, sizeof eth_hdr, ip4_udp, sizeof ip4_udp);
	t_every_prefix(DLT_EN10MB, f, n, check_ip4_prefix);
	n = fill(f, NULL, 0, ip4_tcp_frag, sizeof ip4_tcp_frag);
	t_every_prefix(DLT_RAW, f, n, check_ip4_prefix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_checksum_bad_and_offloaded),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_option_bad_length),
		cmocka_unit_test(test_options_cut_by_snaplen),
		cmocka_unit_test(test_ihl_below_5),
		cmocka_unit_test(test_total_length_below_header),
		cmocka_unit_test(test_total_length_past_frame),
		cmocka_unit_test(test_cut_by_snaplen),
		cmocka_unit_test(test_total_length_zero),
		cmocka_unit_test(test_first_fragment),
		cmocka_unit_test(test_later_fragment),
		cmocka_unit_test(test_version_not_4),
		cmocka_unit_test(test_ipv6_under_ipv4_ethertype),
		cmocka_unit_test(test_transport_not_decoded),
		cmocka_unit_test(test_every_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
