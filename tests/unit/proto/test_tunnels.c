/* test_tunnels.c - the tunnel units of issue 14 (src/proto/gre.c, erspan.c, geneve.c, mpls.c,
 * pppoe.c; IP in IP by table row): each carries an inner IPv4/UDP datagram decoded by the same
 * units, every prefix is truncated and never over-read, and the bad cases are recorded
 * problems: GRE checksum, Geneve option past its length, MPLS stack past 8 labels, nesting past
 * NP_MAX_NETS, Teredo indications past the datagram, a MACsec short length past the frame.
 * Teredo and MACsec (teredo.c, macsec.c) too. Frames are built here from their parts, each part commented. */
#include "testutil.h"

/* Inner IPv4 10.77.9.1 -> 10.77.9.2, UDP 12345 -> 8888 with 2 data bytes: 30 bytes. */
static uint32_t inner_ip4(uint8_t *f)
{
	static const uint8_t ip[] = {
		0x45, 0x00, 0x00, 0x1e, /* version 4, IHL 5, TOS 0, total length 30 */
		0x00, 0x07, 0x00, 0x00, /* identification 7, no fragment */
		0x40, 0x11, 0x00, 0x00, /* TTL 64, UDP, checksum (filled in) */
		10, 77, 9, 1,           /* source */
		10, 77, 9, 2,           /* destination */
		0x30, 0x39, 0x22, 0xb8, /* UDP ports 12345 -> 8888 */
		0x00, 0x0a, 0x00, 0x00, /* UDP length 10, checksum (filled in) */
		'h', 'i',
	};
	memcpy(f, ip, sizeof ip);
	t_fix_ip4(f);
	t_fix_l4_ip4(f, 6);
	return sizeof ip;
}

/* Ethernet header with `type` at f. */
static uint32_t ether(uint8_t *f, uint16_t type)
{
	static const uint8_t macs[] = { 0x02, 0x77, 0, 0, 0, 2, 0x02, 0x77, 0, 0, 0, 1 };
	memcpy(f, macs, sizeof macs);
	t_put16(f + 12, type);
	return 14;
}

/* Outer IPv4 10.77.200.1 -> .2 of protocol `proto` around `len` payload bytes at f + 20. */
static uint32_t outer_ip4(uint8_t *f, uint8_t proto, uint32_t len)
{
	static const uint8_t ip[] = { 0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, 0, 0, 0,
				      10, 77, 200, 1, 10, 77, 200, 2 };
	memcpy(f, ip, sizeof ip);
	f[9] = proto;
	t_put16(f + 2, (uint16_t)(20 + len));
	t_fix_ip4(f);
	return 20;
}

/* Ethernet / IPv4 / GRE (flags, protocol, optional key/seq) / inner IPv4-UDP. */
static uint32_t gre_frame(uint8_t *f, uint16_t flags, uint32_t key, uint32_t seq)
{
	uint32_t n = ether(f, 0x0800);
	uint8_t g[16];
	uint32_t gl = 4;
	t_put16(g, flags);
	t_put16(g + 2, 0x0800);                       /* payload: IPv4 */
	if (flags & 0x8000) {
		t_put16(g + gl, 0), t_put16(g + gl + 2, 0); /* checksum (below), reserved */
		gl += 4;
	}
	if (flags & 0x2000) {
		t_put16(g + gl, (uint16_t)(key >> 16)), t_put16(g + gl + 2, (uint16_t)key);
		gl += 4;
	}
	if (flags & 0x1000) {
		t_put16(g + gl, (uint16_t)(seq >> 16)), t_put16(g + gl + 2, (uint16_t)seq);
		gl += 4;
	}
	uint8_t in[64];
	uint32_t il = inner_ip4(in);
	n += outer_ip4(f + n, 47, gl + il);
	uint8_t *gre = f + n;
	memcpy(gre, g, gl);
	memcpy(gre + gl, in, il);
	if (flags & 0x8000) /* RFC 2784 s2.5: over the GRE header and payload */
		t_put16(gre + 4, t_sum_finish(t_sum_add(0, gre, gl + il)));
	return n + gl + il;
}

static void assert_inner(const struct np_packet *p)
{
	assert_non_null(np_pkt_ip4(p));
	assert_int_equal(np_pkt_ip4(p)->src[2], 9);
	assert_non_null(np_pkt_udp(p));
	assert_int_equal(np_pkt_udp(p)->dport, 8888);
	assert_int_equal(np_pkt_udp(p)->csum_status, NP_CSUM_GOOD);
}

static void test_gre_key_seq(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = gre_frame(f, 0x3000, 1001, 5);
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	t_assert_clean(&t.p);
	static const uint8_t kinds[] = { NP_L_LINK, NP_L_IP4, NP_L_GRE, NP_L_IP4, NP_L_UDP };
	assert_int_equal(t.p.nlayers, sizeof kinds);
	for (unsigned i = 0; i < sizeof kinds; i++)
		assert_int_equal(t.p.layer[i].kind, kinds[i]);
	assert_int_equal(t.p.layer[2].gre.key, 1001);
	assert_int_equal(t.p.layer[2].gre.seq, 5);
	assert_int_equal(t.p.layer[2].gre.got, 12);
	assert_inner(&t.p);
	uint64_t tunnel = t.p.tunnel;
	assert_true(tunnel != 0);
	t_free(&t);
	/* another key: another tunnel identity, so another conversation */
	n = gre_frame(f, 0x3000, 1002, 5);
	t_decode(&t, DLT_EN10MB, f, n);
	assert_true(t.p.tunnel != tunnel && t.p.tunnel != 0);
	t_free(&t);
}

static void test_gre_checksum(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = gre_frame(f, 0xa000, 7, 0);
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	t_assert_clean(&t.p);
	assert_int_equal(t.p.layer[2].gre.csum_status, NP_CSUM_GOOD);
	t_free(&t);
	f[14 + 20 + 4] ^= 0x01; /* the checksum, one bit off */
	t_decode(&t, DLT_EN10MB, f, n);
	assert_int_equal(t.p.layer[2].gre.csum_status, NP_CSUM_BAD);
	t_free(&t);
}

static void check_gre_prefix(const struct np_packet *full, const struct np_packet *cut,
			     uint32_t caplen)
{
	(void)full;
	if (caplen < 14 + 20 + 12) /* GRE header not whole: nothing inside it */
		assert_null(np_pkt_udp(cut));
}

static void test_gre_every_prefix(void **state)
{
	(void)state;
	uint8_t f[128];
	t_every_prefix(DLT_EN10MB, f, gre_frame(f, 0xb000, 9, 1), check_gre_prefix);
}

/* Ethernet / MPLS labels / inner IPv4-UDP. */
static uint32_t mpls_frame(uint8_t *f, unsigned labels)
{
	uint32_t n = ether(f, 0x8847);
	for (unsigned i = 0; i < labels; i++, n += 4) {
		uint32_t e = ((100u + i) << 12) | (i + 1 == labels ? 0x100u : 0) | 64;
		t_put16(f + n, (uint16_t)(e >> 16));
		t_put16(f + n + 2, (uint16_t)e);
	}
	return n + inner_ip4(f + n);
}

static void test_mpls(void **state)
{
	(void)state;
	uint8_t f[128];
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, mpls_frame(f, 2));
	t_assert_clean(&t.p);
	const struct np_mpls *m = &t.p.layer[1].mpls;
	assert_int_equal(m->n, 2);
	assert_int_equal(m->e[0].label, 100);
	assert_int_equal(m->e[0].s, 0);
	assert_int_equal(m->e[1].label, 101);
	assert_int_equal(m->e[1].s, 1);
	assert_int_equal(m->e[1].ttl, 64);
	assert_inner(&t.p);
	t_free(&t);
	/* more labels than the layer holds: one clear problem, nothing read past them */
	t_decode(&t, DLT_EN10MB, f, mpls_frame(f, 9));
	assert_true(t_has_problem(&t.p, NP_L_MPLS, NP_UNSUPPORTED));
	assert_null(np_pkt_ip4(&t.p));
	t_free(&t);
}

static void test_mpls_every_prefix(void **state)
{
	(void)state;
	uint8_t f[128];
	t_every_prefix(DLT_EN10MB, f, mpls_frame(f, 3), NULL);
}

/* Ethernet / IPv4 / UDP 6081 / Geneve (VNI 77, one 4-byte option) / Ethernet / IPv4-UDP. */
static uint32_t geneve_frame(uint8_t *f, uint8_t opt_words)
{
	static const uint8_t gen[] = {
		0x02, 0x00, 0x65, 0x58, /* version 0, options 2 words; flags 0; Ethernet */
		0x00, 0x00, 0x4d, 0x00, /* VNI 77, reserved */
		0x01, 0x03, 0x01, 0x01, /* option class 0x0103, type 1, 1 word of data */
		0x0a, 0x4d, 0x00, 0x01, /* its data */
	};
	uint8_t in[64];
	uint32_t il = ether(in, 0x0800);
	il += inner_ip4(in + il);
	uint32_t n = ether(f, 0x0800);
	uint32_t ul = 8 + sizeof gen + il;
	n += outer_ip4(f + n, 17, ul);
	uint8_t udp[8] = { 0xc0, 0x00, 0x17, 0xc1, 0, 0, 0, 0 }; /* 49152 -> 6081, no checksum */
	t_put16(udp + 4, (uint16_t)ul);
	memcpy(f + n, udp, 8);
	memcpy(f + n + 8, gen, sizeof gen);
	f[n + 8] = opt_words;
	memcpy(f + n + 8 + sizeof gen, in, il);
	return n + ul;
}

static void test_geneve(void **state)
{
	(void)state;
	uint8_t f[160];
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, geneve_frame(f, 2));
	t_assert_clean(&t.p);
	const struct np_geneve *g = &t.p.layer[3].geneve;
	assert_int_equal(t.p.layer[3].kind, NP_L_GENEVE);
	assert_int_equal(g->vni, 77);
	assert_int_equal(g->proto, 0x6558);
	assert_int_equal(g->nopts, 1);
	assert_int_equal(g->opts[0].cls, 0x0103);
	assert_int_equal(g->opts[0].len, 4);
	assert_inner(&t.p);
	t_free(&t);
	/* an options length of 1 word cuts the option's data: invalid, no inner packet */
	t_decode(&t, DLT_EN10MB, f, geneve_frame(f, 1));
	assert_true(t_has_problem(&t.p, NP_L_GENEVE, NP_INVALID));
	assert_int_equal(np_pkt_udp(&t.p)->dport, 6081);
	t_free(&t);
	t_every_prefix(DLT_EN10MB, f, geneve_frame(f, 2), NULL);
}

/* Ethernet / PPPoE session / PPP IPv4 / inner IPv4-UDP. */
static uint32_t pppoe_frame(uint8_t *f)
{
	uint32_t n = ether(f, 0x8864);
	uint32_t il = inner_ip4(f + n + 8);
	f[n] = 0x11, f[n + 1] = 0;          /* version 1, type 1, code 0 (session data) */
	t_put16(f + n + 2, 0x0042);         /* session */
	t_put16(f + n + 4, (uint16_t)(il + 2)); /* length: PPP protocol + IPv4 */
	t_put16(f + n + 6, 0x0021);         /* PPP: IPv4 */
	return n + 8 + il;
}

static void test_pppoe(void **state)
{
	(void)state;
	uint8_t f[128];
	struct t_pkt t;
	uint32_t n = pppoe_frame(f);
	t_decode(&t, DLT_EN10MB, f, n);
	t_assert_clean(&t.p);
	assert_int_equal(t.p.layer[1].kind, NP_L_PPPOE);
	assert_int_equal(t.p.layer[1].pppoe.session, 0x42);
	assert_int_equal(t.p.layer[1].pppoe.ppp_proto, 0x0021);
	assert_inner(&t.p);
	t_free(&t);
	t_every_prefix(DLT_EN10MB, f, n, NULL);
}

/* IPv4 in IPv4 `depth` times around the inner datagram: NP_MAX_NETS network layers decode,
 * one more is "tunnels nested too deep". */
static uint32_t ipip_frame(uint8_t *f, unsigned depth)
{
	uint8_t in[64];
	uint32_t il = inner_ip4(in);
	uint32_t n = ether(f, 0x0800);
	for (unsigned i = 0; i < depth; i++)
		n += outer_ip4(f + n, 4, (depth - i - 1) * 20 + il);
	memcpy(f + n, in, il);
	return n + il;
}

static void test_ipip_depth(void **state)
{
	(void)state;
	uint8_t f[256];
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, ipip_frame(f, NP_MAX_NETS - 1));
	t_assert_clean(&t.p);
	assert_int_equal(t.p.nets, NP_MAX_NETS);
	assert_inner(&t.p);
	t_free(&t);
	t_decode(&t, DLT_EN10MB, f, ipip_frame(f, NP_MAX_NETS));
	assert_true(t_has_problem(&t.p, NP_L_IP4, NP_UNSUPPORTED));
	assert_int_equal(t.p.nets, NP_MAX_NETS);
	assert_null(np_pkt_udp(&t.p));
	t_free(&t);
}

/* Ethernet / IPv4 / UDP 2152 / GTP-U G-PDU with a sequence number (TEID 0x1234) / IPv4-UDP. */
static uint32_t gtp_frame(uint8_t *f)
{
	uint8_t in[64];
	uint32_t il = inner_ip4(in);
	static const uint8_t gtp[] = {
		0x32, 0xff, 0x00, 0x00, /* version 1, PT, S; G-PDU; length (below) */
		0x00, 0x00, 0x12, 0x34, /* TEID */
		0x00, 0x07, 0x00, 0x00, /* sequence 7, N-PDU 0, no extension header */
	};
	uint32_t n = ether(f, 0x0800);
	uint32_t ul = 8 + sizeof gtp + il;
	n += outer_ip4(f + n, 17, ul);
	uint8_t udp[8] = { 0x08, 0x68, 0x08, 0x68, 0, 0, 0, 0 }; /* 2152 -> 2152, no checksum */
	t_put16(udp + 4, (uint16_t)ul);
	memcpy(f + n, udp, 8);
	memcpy(f + n + 8, gtp, sizeof gtp);
	t_put16(f + n + 8 + 2, (uint16_t)(4 + il));
	memcpy(f + n + 8 + sizeof gtp, in, il);
	return n + ul;
}

static void test_gtp(void **state)
{
	(void)state;
	uint8_t f[160];
	uint32_t n = gtp_frame(f);
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	t_assert_clean(&t.p);
	assert_int_equal(t.p.layer[3].kind, NP_L_GTP);
	assert_int_equal(t.p.layer[3].gtp.teid, 0x1234);
	assert_int_equal(t.p.layer[3].gtp.seq, 7);
	assert_int_equal(t.p.layer[3].gtp.got, 12);
	assert_inner(&t.p);
	t_free(&t);
	t_every_prefix(DLT_EN10MB, f, n, NULL);
	/* a length past the datagram: invalid, nothing read past it */
	t_put16(f + 14 + 20 + 8 + 2, 200);
	t_decode(&t, DLT_EN10MB, f, n);
	assert_true(t_has_problem(&t.p, NP_L_GTP, NP_INVALID));
	assert_int_equal(np_pkt_udp(&t.p)->dport, 2152);
	t_free(&t);
}

/* Arista's 0xd28b: subtype 1, 64-bit timestamp, then IPv4; version 0x0011 is not decoded. */
static void test_arista(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = ether(f, 0xd28b);
	static const uint8_t hdr[] = {
		0x00, 0x01, 0x00, 0x10, /* subtype timestamp, version 64-bit */
		0x5c, 0xee, 0xec, 0x57, /* seconds */
		0x38, 0x4f, 0x0a, 0xc8, /* nanoseconds */
		0x08, 0x00,             /* Ethertype IPv4 */
	};
	memcpy(f + n, hdr, sizeof hdr);
	n += sizeof hdr;
	n += inner_ip4(f + n);
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	t_assert_clean(&t.p);
	assert_int_equal(t.p.layer[1].kind, NP_L_ARISTA);
	assert_int_equal(t.p.layer[1].arista.sec, 0x5ceeec57);
	assert_int_equal(t.p.layer[1].arista.ethertype, 0x0800);
	assert_inner(&t.p);
	t_free(&t);
	t_every_prefix(DLT_EN10MB, f, n, NULL);
	f[14 + 3] = 0x11;
	t_decode(&t, DLT_EN10MB, f, n);
	assert_true(t_has_problem(&t.p, NP_L_ARISTA, NP_UNSUPPORTED));
	assert_null(np_pkt_ip4(&t.p));
	t_free(&t);
}

/* Ethernet / IPv4 / UDP 40001 -> 3544 / Teredo authentication and origin indications / IPv6
 * fd77::1 -> fd77::2 with no next header (59) and no payload. */
static uint32_t teredo_frame(uint8_t *f)
{
	static const uint8_t ind[] = {
		0x00, 0x01, 0x00, 0x00,                         /* authentication: no id, no value */
		1, 2, 3, 4, 5, 6, 7, 8, 0x00,                   /* nonce, confirmation */
		0x00, 0x00, 0x63, 0xbe,                         /* origin: port 40001 inverted */
		0xf5, 0xb2, 0x37, 0xfe,                         /* 10.77.200.1 inverted */
	};
	static const uint8_t ip6[40] = {
		0x60, 0, 0, 0, 0x00, 0x00, 59, 64,              /* version 6, length 0, no next */
		0xfd, 0x77, [23] = 1, 0xfd, 0x77, [39] = 2,     /* fd77::1 -> fd77::2 */
	};
	uint32_t n = ether(f, 0x0800);
	uint32_t ul = 8 + sizeof ind + sizeof ip6;
	n += outer_ip4(f + n, 17, ul);
	uint8_t udp[8] = { 0x9c, 0x41, 0x0d, 0xd8, 0, 0, 0, 0 }; /* 40001 -> 3544, no checksum */
	t_put16(udp + 4, (uint16_t)ul);
	memcpy(f + n, udp, 8);
	memcpy(f + n + 8, ind, sizeof ind);
	memcpy(f + n + 8 + sizeof ind, ip6, sizeof ip6);
	return n + ul;
}

static void test_teredo(void **state)
{
	(void)state;
	uint8_t f[160];
	uint32_t n = teredo_frame(f);
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	t_assert_clean(&t.p);
	const struct np_teredo *te = &t.p.layer[3].teredo;
	assert_int_equal(t.p.layer[3].kind, NP_L_TEREDO);
	assert_true(te->has_auth && te->has_origin);
	assert_int_equal(te->nonce[7], 8);
	assert_int_equal(te->orig_port, 40001);
	assert_int_equal(te->orig_addr[2], 200);
	assert_int_equal(te->orig_addr[3], 1);
	assert_non_null(np_pkt_ip6(&t.p));
	assert_int_equal(np_pkt_ip6(&t.p)->dst[15], 2);
	assert_int_equal(t.p.nets, 2);
	t_free(&t);
	t_every_prefix(DLT_EN10MB, f, n, NULL);
	/* a client identifier longer than the datagram: truncated, nothing read past it */
	f[14 + 20 + 8 + 2] = 200;
	t_decode(&t, DLT_EN10MB, f, n);
	assert_true(t_has_problem(&t.p, NP_L_TEREDO, NP_TRUNCATED));
	assert_null(np_pkt_ip6(&t.p));
	t_free(&t);
	/* after the indications, no IPv6 packet: unsupported */
	n = teredo_frame(f);
	f[14 + 20 + 8 + 21] = 0x45;
	t_decode(&t, DLT_EN10MB, f, n);
	assert_true(t_has_problem(&t.p, NP_L_TEREDO, NP_UNSUPPORTED));
	t_free(&t);
}

/* Ethernet / MACsec SecTAG (TCI `tci`, SL `sl`, PN 5, SCI) / Ethertype IPv4 and the inner
 * IPv4-UDP / a 16-byte ICV. */
static uint32_t macsec_frame(uint8_t *f, uint8_t tci, uint8_t sl)
{
	static const uint8_t tag[] = {
		0x00, 0x00, 0x00, 0x00, 0x00, 0x05,             /* TCI/AN, SL (below); PN 5 */
		0x02, 0x77, 0, 0, 0, 1, 0x00, 0x01,             /* SCI: the sender's MAC, port 1 */
		0x08, 0x00,                                     /* the payload's Ethertype: IPv4 */
	};
	uint32_t n = ether(f, 0x88e5);
	memcpy(f + n, tag, sizeof tag);
	f[n] = tci;
	f[n + 1] = sl;
	n += sizeof tag;
	n += inner_ip4(f + n);
	memset(f + n, 0xa5, 16); /* ICV */
	return n + 16;
}

static void test_macsec(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = macsec_frame(f, 0x20, 0);
	struct t_pkt t;
	t_decode(&t, DLT_EN10MB, f, n);
	t_assert_clean(&t.p);
	const struct np_macsec *m = &t.p.layer[1].macsec;
	assert_int_equal(t.p.layer[1].kind, NP_L_MACSEC);
	assert_int_equal(m->pn, 5);
	assert_int_equal(m->sci, 0x0277000000010001ull);
	assert_int_equal(m->ethertype, 0x0800);
	assert_int_equal(m->icv_len, 16);
	assert_false(m->encrypted);
	assert_inner(&t.p);
	t_free(&t);
	t_every_prefix(DLT_EN10MB, f, n, NULL);
	/* the short length names the secure data (Ethertype + 30 bytes): the same packet */
	n = macsec_frame(f, 0x20, 32);
	t_decode(&t, DLT_EN10MB, f, n);
	t_assert_clean(&t.p);
	assert_inner(&t.p);
	t_free(&t);
	/* E and C: encrypted, said so, nothing read inside */
	n = macsec_frame(f, 0x2c, 0);
	t_decode(&t, DLT_EN10MB, f, n);
	t_assert_clean(&t.p);
	assert_true(t.p.layer[1].macsec.encrypted);
	assert_null(np_pkt_ip4(&t.p));
	t_free(&t);
	/* a short length past the frame's end before the ICV: invalid */
	n = macsec_frame(f, 0x20, 40);
	t_decode(&t, DLT_EN10MB, f, n);
	assert_true(t_has_problem(&t.p, NP_L_MACSEC, NP_INVALID));
	t_free(&t);
	/* version bit set: unsupported */
	n = macsec_frame(f, 0xa0, 0);
	t_decode(&t, DLT_EN10MB, f, n);
	assert_true(t_has_problem(&t.p, NP_L_MACSEC, NP_UNSUPPORTED));
	t_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gre_key_seq),    cmocka_unit_test(test_gre_checksum),
		cmocka_unit_test(test_gre_every_prefix), cmocka_unit_test(test_mpls),
		cmocka_unit_test(test_mpls_every_prefix), cmocka_unit_test(test_geneve),
		cmocka_unit_test(test_pppoe),          cmocka_unit_test(test_ipip_depth),
		cmocka_unit_test(test_gtp),             cmocka_unit_test(test_arista),
		cmocka_unit_test(test_teredo),          cmocka_unit_test(test_macsec),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
