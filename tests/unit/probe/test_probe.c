/* test_probe.c - probe modules (src/probe/probe.c, and np_probe_build of src/probe/sender.c):
 * the bytes of every probe decoded field by field, answers matched by identifiers and quotes
 * (RFC 792, RFC 4443 s2.4, RFC 793), and the BPF filter compiled and run by libpcap. */
#include <stdio.h>

#include <pcap/pcap.h>

#include "netprobe/probe.h"
#include "testutil.h"

/* ---- addresses (RFC 5737 and RFC 3849 documentation ranges) ------------------------------ */

enum who { US, TARGET, ROUTER, OTHER };

static const uint8_t addr4[][4] = {
	[US] = { 192, 0, 2, 10 },
	[TARGET] = { 198, 51, 100, 20 },
	[ROUTER] = { 203, 0, 113, 1 },
	[OTHER] = { 192, 0, 2, 99 },
};

static const uint8_t addr6[][16] = {
	[US] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10 },
	[TARGET] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20 },
	[ROUTER] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 },
	[OTHER] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x99 },
};

static const uint8_t *A(uint8_t ver, enum who w)
{
	return ver == 4 ? addr4[w] : addr6[w];
}

static size_t alen(uint8_t ver)
{
	return ver == 4 ? 4 : 16;
}

#define IDENT 0x4e50
#define SYN_SPORT 40123
#define SYN_DPORT 443
#define UDP_SPORT 40000
#define UDP_DPORT 33434
/* Close to 2^32, so that isn + N and isn + N + 1 wrap for the larger N used below. */
#define ISN 0xfffffff0u

static struct np_probe_spec mkspec(enum np_probe_kind k, uint8_t ver)
{
	struct np_probe_spec s;
	memset(&s, 0, sizeof s);
	s.kind = k;
	s.ver = ver;
	memcpy(s.src, A(ver, US), alen(ver));
	memcpy(s.dst, A(ver, TARGET), alen(ver));
	s.ident = IDENT;
	s.sport = k == NP_PROBE_UDP ? UDP_SPORT : k == NP_PROBE_SYN ? SYN_SPORT : 0;
	s.dport = k == NP_PROBE_UDP ? UDP_DPORT : k == NP_PROBE_SYN ? SYN_DPORT : 0;
	s.isn = ISN;
	s.tos = 0;
	s.payload = k == NP_PROBE_SYN ? 0 : 56;
	return s;
}

/* Probe `seq` of `s`, built by the code under test. */
static uint32_t probe(const struct np_probe_spec *s, uint32_t seq, uint8_t ttl, uint8_t *buf)
{
	char err[256];
	int n = np_probe_build(s, seq, ttl, buf, NP_PROBE_MAX_BYTES, err, sizeof err);
	if (n < 0)
		fail_msg("np_probe_build: %s", err);
	return (uint32_t)n;
}

/* ---- np_probe_build ------------------------------------------------------------------------- */

static const char fill[] = "netprobe ";

/* Recompute the transport checksum of a built probe with testutil's own RFC 1071 sum and
 * compare it with the one libnet wrote: the decoder's verdict is then checked twice. */
static void assert_l4_sum_independent(const uint8_t *pkt, uint32_t n, uint8_t ver, uint8_t proto)
{
	uint8_t copy[NP_PROBE_MAX_BYTES];
	memcpy(copy, pkt, n);
	size_t l4_at = ver == 4 ? 20 : 40;
	size_t csum_at = proto == 6 ? 16 : proto == 17 ? 6 : 2;
	if (ver == 4)
		t_fix_l4_ip4(copy, csum_at);
	else
		t_fix_l4_ip6(copy, l4_at, proto, csum_at);
	if (t_get16(copy + l4_at + csum_at) != t_get16(pkt + l4_at + csum_at))
		fail_msg("IPv%u proto %u: checksum 0x%04x, RFC 1071 says 0x%04x", ver, proto,
			 t_get16(pkt + l4_at + csum_at), t_get16(copy + l4_at + csum_at));
}

static void check_probe(const struct np_probe_spec *s, uint32_t seq, uint8_t ttl)
{
	uint8_t buf[NP_PROBE_MAX_BYTES];
	uint32_t n = probe(s, seq, ttl, buf);
	uint8_t proto = s->kind == NP_PROBE_SYN ? 6 : s->kind == NP_PROBE_UDP ? 17 : s->ver == 4 ? 1 : 58;
	uint32_t data = s->kind == NP_PROBE_SYN ? 0 : s->payload;
	uint32_t l4len = (s->kind == NP_PROBE_SYN ? 32 : 8) + data;
	uint32_t l3len = s->ver == 4 ? 20 : 40;
	assert_int_equal(n, l3len + l4len);

	struct t_pkt t;
	t_decode(&t, DLT_RAW, buf, n);
	const struct np_packet *p = &t.p;
	t_assert_clean(p);
	uint32_t l4flag = proto == 6 ? NP_HAS_TCP : proto == 17 ? NP_HAS_UDP
			  : proto == 1 ? NP_HAS_ICMP : NP_HAS_ICMP6;
	assert_int_equal(np_pkt_mask(p), NP_HAS_LINK | (s->ver == 4 ? NP_HAS_IP4 : NP_HAS_IP6) | l4flag);
	assert_int_equal(p->l3_off, 0);
	assert_int_equal(p->l4_off, l3len);
	assert_int_equal(p->l4_len, l4len);

	if (s->ver == 4) {
		assert_int_equal(np_pkt_ip4(p)->version, 4);
		assert_int_equal(np_pkt_ip4(p)->ihl, 5);
		assert_int_equal(np_pkt_ip4(p)->tos, s->tos);
		assert_int_equal(np_pkt_ip4(p)->tot_len, n);
		assert_int_equal(np_pkt_ip4(p)->id, (uint16_t)(s->ident + seq));
		assert_int_equal(np_pkt_ip4(p)->frag, 0x4000); /* DF, offset 0 */
		assert_int_equal(np_pkt_ip4(p)->ttl, ttl);
		assert_int_equal(np_pkt_ip4(p)->proto, proto);
		assert_int_equal(np_pkt_ip4(p)->csum_status, NP_CSUM_GOOD);
		assert_memory_equal(np_pkt_ip4(p)->src, s->src, 4);
		assert_memory_equal(np_pkt_ip4(p)->dst, s->dst, 4);
		assert_int_equal(np_pkt_ip4(p)->nopts, 0);
	} else {
		assert_int_equal(np_pkt_ip6(p)->version, 6);
		assert_int_equal(np_pkt_ip6(p)->tclass, s->tos);
		assert_int_equal(np_pkt_ip6(p)->flow, 0);
		assert_int_equal(np_pkt_ip6(p)->plen, l4len);
		assert_int_equal(np_pkt_ip6(p)->nxt, proto);
		assert_int_equal(np_pkt_ip6(p)->next_final, proto);
		assert_int_equal(np_pkt_ip6(p)->next_ext, 0);
		assert_int_equal(np_pkt_ip6(p)->hlim, ttl);
		assert_memory_equal(np_pkt_ip6(p)->src, s->src, 16);
		assert_memory_equal(np_pkt_ip6(p)->dst, s->dst, 16);
	}

	switch (s->kind) {
	case NP_PROBE_ICMP: {
		const struct np_icmp *m = np_pkt_icmp(p);
		const struct np_icmp6 *m6 = np_pkt_icmp6(p);
		if (s->ver == 4) {
			assert_int_equal(m->type, 8); /* echo request */
			assert_int_equal(m->code, 0);
			assert_true(m->has_idseq);
			assert_int_equal(m->id, s->ident);
			assert_int_equal(m->seq, (uint16_t)seq);
			assert_int_equal(m->csum_status, NP_CSUM_GOOD);
			assert_int_equal(m->data_len, data);
		} else {
			assert_int_equal(m6->type, 128); /* echo request */
			assert_int_equal(m6->code, 0);
			assert_true(m6->has_idseq);
			assert_int_equal(m6->id, s->ident);
			assert_int_equal(m6->seq, (uint16_t)seq);
			/* libnet's ICMPv6 sum has been wrong in some releases (pseudo-header). */
			assert_int_equal(m6->csum_status, NP_CSUM_GOOD);
			assert_int_equal(m6->data_len, data);
		}
		break;
	}
	case NP_PROBE_SYN: {
		const struct np_tcp *c = np_pkt_tcp(p);
		assert_int_equal(c->sport, s->sport);
		assert_int_equal(c->dport, s->dport);
		assert_int_equal(c->seq, (uint32_t)(s->isn + seq));
		assert_int_equal(c->ack, 0);
		assert_int_equal(c->doff, 8);
		assert_int_equal(c->flags, NP_TCP_SYN);
		assert_int_equal(c->win, 64240);
		assert_int_equal(c->urp, 0);
		assert_int_equal(c->csum_status, NP_CSUM_GOOD);
		assert_int_equal(c->payload_len, 0);
		assert_false(c->opts_bad);
		assert_true(c->has_mss);
		assert_int_equal(c->mss, 1460);
		assert_true(c->sack_perm);
		assert_true(c->has_ws);
		assert_int_equal(c->ws, 7);
		assert_false(c->has_ts);
		assert_int_equal(c->nsack, 0);
		static const uint8_t opts[] = {
			2, 4, 0x05, 0xb4, /* MSS 1460 */
			4, 2,             /* SACK permitted */
			1,                /* NOP */
			3, 3, 7,          /* window scale 7 */
			0, 0,             /* end of options, padding */
		};
		assert_memory_equal(buf + l3len + 20, opts, sizeof opts);
		break;
	}
	case NP_PROBE_UDP: {
		const struct np_udp *u = np_pkt_udp(p);
		assert_int_equal(u->sport, (uint16_t)(s->sport + seq));
		assert_int_equal(u->dport, s->dport);
		assert_int_equal(u->len, 8 + data);
		assert_int_equal(u->csum_status, NP_CSUM_GOOD);
		assert_int_equal(u->payload_len, data);
		break;
	}
	}
	assert_l4_sum_independent(buf, n, s->ver, proto);
	/* The data bytes carry the fill pattern, as ping's do. */
	for (uint32_t i = 0; i < data; i++)
		if (buf[l3len + 8 + i] != (uint8_t)fill[i % (sizeof fill - 1)])
			fail_msg("data byte %u is 0x%02x", i, buf[l3len + 8 + i]);
	t_free(&t);
}

static void check_build(enum np_probe_kind k, uint8_t ver)
{
	static const uint32_t seqs[] = { 0, 1, 29, 255 };
	static const uint8_t ttls[] = { 1, 2, 64, 255 };
	static const uint8_t toss[] = { 0x00, 0xb8 /* EF: both nibbles set */, 0x03 /* ECN CE */ };
	/* 0, ping's 56, the largest, and two odd sizes (the sum pads a last odd byte). */
	static const uint16_t sizes[] = { 0, 56, 1400, 1, 57 };
	for (size_t i = 0; i < T_ARRAY_LEN(seqs); i++)
		for (size_t j = 0; j < T_ARRAY_LEN(ttls); j++)
			for (size_t m = 0; m < T_ARRAY_LEN(toss); m++)
				for (size_t z = 0; z < T_ARRAY_LEN(sizes); z++) {
					struct np_probe_spec s = mkspec(k, ver);
					s.tos = toss[m];
					s.payload = sizes[z];
					check_probe(&s, seqs[i], ttls[j]);
				}
}

static void test_build_icmp4(void **state)
{
	(void)state;
	check_build(NP_PROBE_ICMP, 4);
}

static void test_build_icmp6(void **state)
{
	(void)state;
	check_build(NP_PROBE_ICMP, 6);
}

static void test_build_syn4(void **state)
{
	(void)state;
	check_build(NP_PROBE_SYN, 4);
}

static void test_build_syn6(void **state)
{
	(void)state;
	check_build(NP_PROBE_SYN, 6);
}

static void test_build_udp4(void **state)
{
	(void)state;
	check_build(NP_PROBE_UDP, 4);
}

static void test_build_udp6(void **state)
{
	(void)state;
	check_build(NP_PROBE_UDP, 6);
}

/* The ICMPv6 checksum on its own, against a vector computed by hand. */
static void test_build_icmp6_checksum_vector(void **state)
{
	(void)state;
	struct np_probe_spec s = mkspec(NP_PROBE_ICMP, 6);
	s.payload = 0;
	uint8_t buf[NP_PROBE_MAX_BYTES];
	uint32_t n = probe(&s, 1, 64, buf);
	assert_int_equal(n, 48);
	/* Pseudo-header: source 2001:db8::10 and destination 2001:db8:ff::20 sum (in 16-bit words)
	 * to 0x2001+0x0db8+0x0010 + 0x2001+0x0db8+0x00ff+0x0020 = 0x5ca1; upper-layer length 8,
	 * next header 58: +0x0042 = 0x5ce3. Message: 0x8000 (type 128, code 0) + 0x4e50 (id)
	 * + 0x0001 (seq) = 0xce51. Total 0x12b34 -> folded 0x2b35 -> checksum ~0x2b35 = 0xd4ca. */
	assert_int_equal(t_get16(buf + 42), 0xd4ca);
}

static void test_build_too_big(void **state)
{
	(void)state;
	char err[128];
	struct np_probe_spec s = mkspec(NP_PROBE_UDP, 4);
	s.payload = 1400;
	uint32_t need = 20 + 8 + 1400;
	/* An exact-size heap buffer: a write past `cap` is an overflow that ASan reports. */
	uint8_t *buf = malloc(need);
	assert_non_null(buf);
	memset(err, 0, sizeof err);
	assert_int_equal(np_probe_build(&s, 0, 64, buf, need - 1, err, sizeof err), -1);
	assert_true(err[0] != '\0');
	assert_non_null(strstr(err, "1428"));
	memset(err, 'x', sizeof err);
	assert_int_equal(np_probe_build(&s, 0, 64, buf, need, err, sizeof err), (int)need);
	assert_int_equal(err[0], '\0'); /* cleared on success */
	free(buf);

	/* IPv6: 40 + 8 + 1400 into 1000 bytes. */
	s = mkspec(NP_PROBE_ICMP, 6);
	s.payload = 1400;
	uint8_t small[1000];
	err[0] = '\0';
	assert_int_equal(np_probe_build(&s, 3, 64, small, sizeof small, err, sizeof err), -1);
	assert_true(err[0] != '\0');

	/* A SYN (32 bytes of TCP) does not fit in 40 bytes either. */
	s = mkspec(NP_PROBE_SYN, 4);
	err[0] = '\0';
	assert_int_equal(np_probe_build(&s, 0, 64, small, 40, err, sizeof err), -1);
	assert_true(err[0] != '\0');

	/* More data than a probe may carry is refused, not silently cut to 1400. */
	s = mkspec(NP_PROBE_UDP, 4);
	s.payload = 1401;
	uint8_t big[NP_PROBE_MAX_BYTES];
	err[0] = '\0';
	assert_int_equal(np_probe_build(&s, 0, 64, big, sizeof big, err, sizeof err), -1);
	assert_true(err[0] != '\0');
	s.payload = 65535;
	err[0] = '\0';
	assert_int_equal(np_probe_build(&s, 0, 64, big, sizeof big, err, sizeof err), -1);
	assert_true(err[0] != '\0');
}

/* A SYN ignores the payload size: ICMP and UDP only carry data. */
static void test_build_syn_no_data(void **state)
{
	(void)state;
	struct np_probe_spec s = mkspec(NP_PROBE_SYN, 6);
	s.payload = 56;
	uint8_t buf[NP_PROBE_MAX_BYTES];
	assert_int_equal(probe(&s, 0, 64, buf), 40 + 32);
}

/* ---- answers --------------------------------------------------------------------------------- */

/* IP header for `l4len` transport bytes, then the transport bytes; transport checksum at offset
 * `csum_at` filled in. The frame is DLT_RAW. */
static uint32_t mkip(uint8_t *f, uint8_t ver, enum who from, const uint8_t *to, uint8_t proto,
		     uint8_t ttl, const uint8_t *l4, size_t l4len, size_t csum_at)
{
	if (ver == 4) {
		memset(f, 0, 20);
		f[0] = 0x45;                            /* version 4, IHL 5 */
		t_put16(f + 2, (uint16_t)(20 + l4len)); /* total length */
		t_put16(f + 4, 0x7a7a);                 /* identification */
		f[8] = ttl;
		f[9] = proto;
		memcpy(f + 12, A(4, from), 4);
		memcpy(f + 16, to, 4);
		memcpy(f + 20, l4, l4len);
		t_fix_ip4(f);
		t_fix_l4_ip4(f, csum_at);
		return (uint32_t)(20 + l4len);
	}
	memset(f, 0, 40);
	f[0] = 0x60;                        /* version 6 */
	t_put16(f + 4, (uint16_t)l4len);    /* payload length */
	f[6] = proto;                       /* next header */
	f[7] = ttl;                         /* hop limit */
	memcpy(f + 8, A(6, from), 16);
	memcpy(f + 24, to, 16);
	memcpy(f + 40, l4, l4len);
	t_fix_l4_ip6(f, 40, proto, csum_at);
	return (uint32_t)(40 + l4len);
}

/* Echo reply (v4 type 0, v6 type 129) from `from` to `to`. */
static uint32_t mkecho_reply(uint8_t *f, uint8_t ver, enum who from, const uint8_t *to, uint16_t id,
			     uint16_t seq)
{
	uint8_t m[8 + 56] = { ver == 4 ? 0 : 129, 0 };
	t_put16(m + 4, id);
	t_put16(m + 6, seq);
	for (size_t i = 8; i < sizeof m; i++)
		m[i] = (uint8_t)fill[(i - 8) % (sizeof fill - 1)];
	return mkip(f, ver, from, to, ver == 4 ? 1 : 58, 57, m, sizeof m, 2);
}

/* An ICMP error from `from` to `to` quoting the first `qlen` bytes of `quoted` (a probe). */
static uint32_t mkerror(uint8_t *f, uint8_t ver, enum who from, const uint8_t *to, uint8_t type,
			uint8_t code, const uint8_t *quoted, size_t qlen)
{
	uint8_t m[8 + NP_PROBE_MAX_BYTES] = { type, code };
	memcpy(m + 8, quoted, qlen); /* bytes 4..7: unused (zero) */
	return mkip(f, ver, from, to, ver == 4 ? 1 : 58, 250, m, 8 + qlen, 2);
}

/* How much a router quotes: the IP header and 8 bytes (RFC 792); ICMPv6 as much as fits in
 * 1280 bytes (RFC 4443 s2.4 c), which for our probes is all of it. */
static size_t quote_len(uint8_t ver, uint32_t probe_len)
{
	if (ver == 4)
		return 28;
	return probe_len;
}

/* An ICMP error to `to` quoting probe `seq` of `q` (sent with TTL `ttl`). */
static uint32_t mkerror_quoting(uint8_t *f, const uint8_t *to, const struct np_probe_spec *q,
				uint32_t seq, uint8_t ttl, enum who from, uint8_t type, uint8_t code)
{
	uint8_t pr[NP_PROBE_MAX_BYTES];
	uint32_t n = probe(q, seq, ttl, pr);
	return mkerror(f, q->ver, from, to, type, code, pr, quote_len(q->ver, n));
}

/* An ICMP error quoting probe `seq` of `s`, sent back to its source. */
static uint32_t mkerror_for(uint8_t *f, const struct np_probe_spec *s, uint32_t seq, uint8_t ttl,
			    enum who from, uint8_t type, uint8_t code)
{
	return mkerror_quoting(f, s->src, s, seq, ttl, from, type, code);
}

/* TCP segment without options. */
static uint32_t mktcp(uint8_t *f, uint8_t ver, enum who from, const uint8_t *to, uint16_t sport,
		      uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags)
{
	uint8_t h[20] = { 0 };
	t_put16(h, sport);
	t_put16(h + 2, dport);
	t_put16(h + 4, (uint16_t)(seq >> 16));
	t_put16(h + 6, (uint16_t)seq);
	t_put16(h + 8, (uint16_t)(ack >> 16));
	t_put16(h + 10, (uint16_t)ack);
	h[12] = 0x50; /* data offset 5 */
	h[13] = flags;
	t_put16(h + 14, flags & 0x04 ? 0 : 65160);
	return mkip(f, ver, from, to, 6, 60, h, sizeof h, 16);
}

static uint32_t mkudp(uint8_t *f, uint8_t ver, enum who from, const uint8_t *to, uint16_t sport,
		      uint16_t dport)
{
	uint8_t u[8 + 12] = { 0 };
	t_put16(u, sport);
	t_put16(u + 2, dport);
	t_put16(u + 4, sizeof u);
	memcpy(u + 8, "hello, probe", 12);
	return mkip(f, ver, from, to, 17, 60, u, sizeof u, 6);
}

/* ---- BPF ------------------------------------------------------------------------------------- */

/* Does the filter of `s`, compiled for Ethernet, accept `ip` behind an Ethernet header? */
static bool bpf_accepts(const struct np_probe_spec *s, const uint8_t *ip, uint32_t n)
{
	char expr[512];
	np_probe_bpf(s, expr, sizeof expr);
	pcap_t *pc = pcap_open_dead(DLT_EN10MB, 65535);
	assert_non_null(pc);
	struct bpf_program prog;
	if (pcap_compile(pc, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) != 0)
		fail_msg("\"%s\" does not compile: %s", expr, pcap_geterr(pc));
	uint8_t frame[14 + 2 * NP_PROBE_MAX_BYTES];
	static const uint8_t eth[12] = {
		0x02, 0x00, 0x00, 0x00, 0x00, 0x01, /* destination: us */
		0x02, 0x00, 0x00, 0x00, 0x00, 0xfe, /* source: the gateway */
	};
	memcpy(frame, eth, sizeof eth);
	t_put16(frame + 12, s->ver == 4 ? 0x0800 : 0x86dd); /* ethertype */
	memcpy(frame + 14, ip, n);
	struct pcap_pkthdr h;
	memset(&h, 0, sizeof h);
	h.caplen = h.len = 14 + n;
	int r = pcap_offline_filter(&prog, &h, frame);
	pcap_freecode(&prog);
	pcap_close(pc);
	return r != 0;
}

/* ---- np_probe_match -------------------------------------------------------------------------- */

static void assert_same_answer(const struct np_probe_answer *a, const struct np_probe_answer *b)
{
	assert_string_equal(np_probe_verdict_name(a->verdict), np_probe_verdict_name(b->verdict));
	assert_int_equal(a->seq, b->seq);
	assert_int_equal(a->final, b->final);
	assert_memory_equal(a->from, b->from, sizeof a->from);
}

/* `f` must answer probe `seq` of `s` (with nseq probes sent) with this verdict, from `from`. The
 * BPF filter must let it through, and no prefix of it may match differently (or read past the
 * capture: the ASan build checks). */
static void expect_answer(const struct np_probe_spec *s, const uint8_t *f, uint32_t n, uint32_t nseq,
			  enum np_probe_verdict v, uint32_t seq, enum who from, bool final)
{
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	t_assert_clean(&t.p);
	struct np_probe_answer a, want;
	memset(&a, 0x5a, sizeof a);
	memset(&want, 0, sizeof want);
	want.verdict = v;
	want.seq = seq;
	want.final = final;
	memcpy(want.from, A(s->ver, from), alen(s->ver));
	if (!np_probe_match(s, &t.p, nseq, &a))
		fail_msg("no match; wanted %s for probe %u", np_probe_verdict_name(v), seq);
	assert_same_answer(&a, &want);
	t_free(&t);
	if (!bpf_accepts(s, f, n))
		fail_msg("the BPF filter drops an answer (%s)", np_probe_verdict_name(v));
	for (uint32_t cap = 0; cap < n; cap++) {
		t_decode_ex(&t, DLT_RAW, f, cap, n);
		if (np_probe_match(s, &t.p, nseq, &a))
			assert_same_answer(&a, &want);
		t_free(&t);
	}
}

static void expect_none(const struct np_probe_spec *s, const uint8_t *f, uint32_t n, uint32_t nseq)
{
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	struct np_probe_answer a;
	if (np_probe_match(s, &t.p, nseq, &a))
		fail_msg("unexpected match: %s for probe %u", np_probe_verdict_name(a.verdict), a.seq);
	t_free(&t);
}

/* -- ICMP echo -- */

/* Hand-written: router 203.0.113.1 says TTL exceeded for our echo request number 2. */
static const uint8_t echo_ttl_exceeded4[] = {
	/* IPv4 */
	0x45, 0xc0,             /* version 4, IHL 5, TOS 0xc0 (network control) */
	0x00, 0x38,             /* total length 56 */
	0x1f, 0x2e,             /* identification */
	0x00, 0x00,             /* flags 0, offset 0 */
	0xff, 0x01,             /* TTL 255, protocol ICMP */
	0x00, 0x00,             /* header checksum: filled in */
	0xcb, 0x00, 0x71, 0x01, /* source 203.0.113.1 (the router) */
	0xc0, 0x00, 0x02, 0x0a, /* destination 192.0.2.10 (us) */
	/* ICMP (offset 20) */
	0x0b,                   /* type 11: time exceeded */
	0x00,                   /* code 0: TTL exceeded in transit */
	0x00, 0x00,             /* checksum: filled in */
	0x00, 0x00, 0x00, 0x00, /* unused */
	/* quoted IPv4 header (offset 28): our probe as the router received it */
	0x45, 0x00,             /* version 4, IHL 5, TOS 0 */
	0x00, 0x54,             /* total length 84 (20 + 8 + 56) */
	0x4e, 0x52,             /* identification: ident 0x4e50 + 2 */
	0x40, 0x00,             /* DF */
	0x01, 0x01,             /* TTL 1, protocol ICMP */
	0x12, 0x34,             /* header checksum (not checked in a quote) */
	0xc0, 0x00, 0x02, 0x0a, /* source 192.0.2.10 (us) */
	0xc6, 0x33, 0x64, 0x14, /* destination 198.51.100.20 (the target) */
	/* quoted ICMP (offset 48) */
	0x08, 0x00,             /* type 8: echo request, code 0 */
	0xab, 0xcd,             /* checksum (not checked in a quote) */
	0x4e, 0x50,             /* identifier 0x4e50 */
	0x00, 0x02,             /* sequence number 2 */
};

static void test_match_echo_reply(void **state)
{
	(void)state;
	uint8_t f[2 * NP_PROBE_MAX_BYTES];
	for (uint8_t ver = 4; ver <= 6; ver += 2) {
		struct np_probe_spec s = mkspec(NP_PROBE_ICMP, ver);
		const uint8_t *us = A(ver, US);
		uint32_t n = mkecho_reply(f, ver, TARGET, us, IDENT, 0);
		expect_answer(&s, f, n, 1, NP_PV_REPLY, 0, TARGET, true);
		n = mkecho_reply(f, ver, TARGET, us, IDENT, 9);
		expect_answer(&s, f, n, 10, NP_PV_REPLY, 9, TARGET, true);
		/* seq >= nseq: not yet sent, so not ours */
		expect_none(&s, f, n, 9);
		expect_none(&s, f, n, 0);
		/* another ping's identifier */
		n = mkecho_reply(f, ver, TARGET, us, IDENT + 1, 9);
		expect_none(&s, f, n, 10);
		/* the right id and seq, from another host */
		n = mkecho_reply(f, ver, OTHER, us, IDENT, 9);
		expect_none(&s, f, n, 10);
		n = mkecho_reply(f, ver, ROUTER, us, IDENT, 9);
		expect_none(&s, f, n, 10);
		/* addressed to another host (seen in promiscuous capture) */
		n = mkecho_reply(f, ver, TARGET, A(ver, OTHER), IDENT, 9);
		expect_none(&s, f, n, 10);
		/* our own echo request, captured going out */
		uint8_t pr[NP_PROBE_MAX_BYTES];
		n = probe(&s, 3, 64, pr);
		expect_none(&s, pr, n, 10);
		/* the target pinging us with our id: a request, not a reply */
		n = mkecho_reply(f, ver, TARGET, us, IDENT, 3);
		f[(ver == 4 ? 20 : 40)] = ver == 4 ? 8 : 128;
		if (ver == 4)
			t_fix_l4_ip4(f, 2);
		else
			t_fix_l4_ip6(f, 40, 58, 2);
		expect_none(&s, f, n, 10);
		/* the other IP version */
		struct np_probe_spec other = mkspec(NP_PROBE_ICMP, ver == 4 ? 6 : 4);
		n = mkecho_reply(f, ver, TARGET, us, IDENT, 3);
		expect_none(&other, f, n, 10);
	}
}

static void test_match_echo_ttl_exceeded(void **state)
{
	(void)state;
	uint8_t f[2 * NP_PROBE_MAX_BYTES];
	struct np_probe_spec s = mkspec(NP_PROBE_ICMP, 4);
	memcpy(f, echo_ttl_exceeded4, sizeof echo_ttl_exceeded4);
	t_fix_ip4(f);
	t_fix_l4_ip4(f, 2);
	expect_answer(&s, f, sizeof echo_ttl_exceeded4, 3, NP_PV_TTL_EXCEEDED, 2, ROUTER, false);
	expect_none(&s, f, sizeof echo_ttl_exceeded4, 2);

	for (uint8_t ver = 4; ver <= 6; ver += 2) {
		s = mkspec(NP_PROBE_ICMP, ver);
		uint8_t te = ver == 4 ? 11 : 3;
		for (uint32_t seq = 0; seq < 5; seq++) {
			uint32_t n = mkerror_for(f, &s, seq, (uint8_t)(seq + 1), ROUTER, te, 0);
			expect_answer(&s, f, n, 5, NP_PV_TTL_EXCEEDED, seq, ROUTER, false);
		}
		/* the destination itself saying time exceeded is still not final (v4 code 1: reassembly) */
		uint32_t n = mkerror_for(f, &s, 4, 64, TARGET, te, 1);
		expect_answer(&s, f, n, 5, NP_PV_TTL_EXCEEDED, 4, TARGET, false);
		/* quoting someone else's echo: another identifier */
		struct np_probe_spec them = s;
		them.ident = IDENT ^ 0x0101;
		n = mkerror_for(f, &them, 1, 1, ROUTER, te, 0);
		expect_none(&s, f, n, 5);
		/* reaching us, but quoting an echo from another host, same identifier */
		memcpy(them.src, A(ver, OTHER), alen(ver));
		them.ident = IDENT;
		n = mkerror_quoting(f, s.src, &them, 1, 1, ROUTER, te, 0);
		expect_none(&s, f, n, 5);
		/* quoting our echo to another destination */
		them = s;
		memcpy(them.dst, A(ver, OTHER), alen(ver));
		n = mkerror_for(f, &them, 1, 1, ROUTER, te, 0);
		expect_none(&s, f, n, 5);
		/* quoting a probe not sent yet */
		n = mkerror_for(f, &s, 5, 6, ROUTER, te, 0);
		expect_none(&s, f, n, 5);
		/* a well-formed error quoting us, addressed to another host */
		uint8_t pr[NP_PROBE_MAX_BYTES];
		uint32_t pn = probe(&s, 1, 1, pr);
		n = mkerror(f, ver, ROUTER, A(ver, OTHER), te, 0, pr, quote_len(ver, pn));
		expect_none(&s, f, n, 5);
		/* a quote cut inside the ICMP header: id and seq are not there */
		n = mkerror(f, ver, ROUTER, A(ver, US), te, 0, pr, (ver == 4 ? 20 : 40) + 6);
		expect_none(&s, f, n, 5);
	}
}

static void test_match_echo_unreachable(void **state)
{
	(void)state;
	uint8_t f[2 * NP_PROBE_MAX_BYTES];
	for (uint8_t ver = 4; ver <= 6; ver += 2) {
		struct np_probe_spec s = mkspec(NP_PROBE_ICMP, ver);
		/* v4 3/1 host unreachable; v6 1/3 address unreachable: from the last router */
		uint8_t type = ver == 4 ? 3 : 1, code = ver == 4 ? 1 : 3;
		uint32_t n = mkerror_for(f, &s, 2, 64, ROUTER, type, code);
		expect_answer(&s, f, n, 3, NP_PV_UNREACHABLE, 2, ROUTER, false);
		/* v4 3/10 host administratively prohibited; v6 1/1 */
		n = mkerror_for(f, &s, 0, 64, ROUTER, type, ver == 4 ? 10 : 1);
		expect_answer(&s, f, n, 3, NP_PV_UNREACHABLE, 0, ROUTER, false);
		/* the target's own unreachable (v4 protocol unreachable 3/2) is final */
		n = mkerror_for(f, &s, 1, 64, TARGET, type, ver == 4 ? 2 : 4);
		expect_answer(&s, f, n, 3, NP_PV_UNREACHABLE, 1, TARGET, true);
		/* errors that are neither: v4 parameter problem 12, v6 packet too big 2 */
		n = mkerror_for(f, &s, 1, 64, ROUTER, ver == 4 ? 12 : 2, 0);
		expect_none(&s, f, n, 3);
	}
}

/* -- TCP SYN -- */

/* Hand-written: 198.51.100.20:443 accepts our SYN number 3 (isn 0xfffffff0 + 3). */
static const uint8_t synack4[] = {
	/* IPv4 */
	0x45, 0x00,             /* version 4, IHL 5, TOS 0 */
	0x00, 0x2c,             /* total length 44 */
	0x00, 0x00,             /* identification 0 (Linux, DF) */
	0x40, 0x00,             /* DF */
	0x38, 0x06,             /* TTL 56, protocol TCP */
	0x00, 0x00,             /* header checksum: filled in */
	0xc6, 0x33, 0x64, 0x14, /* source 198.51.100.20 (the target) */
	0xc0, 0x00, 0x02, 0x0a, /* destination 192.0.2.10 (us) */
	/* TCP (offset 20) */
	0x01, 0xbb,             /* source port 443 */
	0x9c, 0xbb,             /* destination port 40123 (our sport) */
	0x6b, 0x8b, 0x45, 0x67, /* sequence number: the server's ISN */
	0xff, 0xff, 0xff, 0xf4, /* acknowledgment: 0xfffffff0 + 3 + 1 */
	0x60,                   /* data offset 6 (one option word) */
	0x12,                   /* flags: SYN, ACK */
	0xfa, 0xf0,             /* window 64240 */
	0x00, 0x00,             /* checksum: filled in */
	0x00, 0x00,             /* urgent pointer */
	0x02, 0x04, 0x05, 0x8c, /* option: MSS 1420 */
};

static void test_match_syn_answers(void **state)
{
	(void)state;
	uint8_t f[2 * NP_PROBE_MAX_BYTES];
	struct np_probe_spec s = mkspec(NP_PROBE_SYN, 4);
	memcpy(f, synack4, sizeof synack4);
	t_fix_ip4(f);
	t_fix_l4_ip4(f, 16);
	expect_answer(&s, f, sizeof synack4, 4, NP_PV_OPEN, 3, TARGET, true);
	expect_none(&s, f, sizeof synack4, 3);

	for (uint8_t ver = 4; ver <= 6; ver += 2) {
		s = mkspec(NP_PROBE_SYN, ver);
		const uint8_t *us = A(ver, US);
		/* isn + N + 1 for N = 0, 14 (last before the wrap), 15 (ack wraps to 0), 40 */
		static const uint32_t seqs[] = { 0, 14, 15, 40 };
		for (size_t i = 0; i < T_ARRAY_LEN(seqs); i++) {
			uint32_t N = seqs[i];
			uint32_t n = mktcp(f, ver, TARGET, us, SYN_DPORT, SYN_SPORT, 0x12345678, ISN + N + 1,
					   0x12);
			expect_answer(&s, f, n, 41, NP_PV_OPEN, N, TARGET, true);
			n = mktcp(f, ver, TARGET, us, SYN_DPORT, SYN_SPORT, 0, ISN + N + 1, 0x14); /* RST/ACK */
			expect_answer(&s, f, n, 41, NP_PV_CLOSED, N, TARGET, true);
		}
		/* ack = isn + N (no +1), and ack of a probe not sent yet */
		uint32_t n = mktcp(f, ver, TARGET, us, SYN_DPORT, SYN_SPORT, 1, ISN, 0x12);
		expect_none(&s, f, n, 41);
		n = mktcp(f, ver, TARGET, us, SYN_DPORT, SYN_SPORT, 1, ISN + 41 + 1, 0x12);
		expect_none(&s, f, n, 41);
		n = mktcp(f, ver, TARGET, us, SYN_DPORT, SYN_SPORT, 1, ISN + 41 + 1, 0x14);
		expect_none(&s, f, n, 41);
		/* wrong ports: from another service, to another of our sockets, swapped */
		n = mktcp(f, ver, TARGET, us, 80, SYN_SPORT, 1, ISN + 1, 0x12);
		expect_none(&s, f, n, 41);
		n = mktcp(f, ver, TARGET, us, SYN_DPORT, SYN_SPORT + 1, 1, ISN + 1, 0x12);
		expect_none(&s, f, n, 41);
		n = mktcp(f, ver, TARGET, us, SYN_SPORT, SYN_DPORT, 1, ISN + 1, 0x12);
		expect_none(&s, f, n, 41);
		/* the right segment from another host, or to another host */
		n = mktcp(f, ver, OTHER, us, SYN_DPORT, SYN_SPORT, 1, ISN + 1, 0x12);
		expect_none(&s, f, n, 41);
		n = mktcp(f, ver, TARGET, A(ver, OTHER), SYN_DPORT, SYN_SPORT, 1, ISN + 1, 0x12);
		expect_none(&s, f, n, 41);
		/* not an answer to a SYN: a bare ACK, a SYN without ACK (simultaneous open), a bare RST */
		n = mktcp(f, ver, TARGET, us, SYN_DPORT, SYN_SPORT, 1, ISN + 1, 0x10);
		expect_none(&s, f, n, 41);
		n = mktcp(f, ver, TARGET, us, SYN_DPORT, SYN_SPORT, 1, ISN + 1, 0x02);
		expect_none(&s, f, n, 41);
		n = mktcp(f, ver, TARGET, us, SYN_DPORT, SYN_SPORT, ISN + 1, 0, 0x04);
		expect_none(&s, f, n, 41);
		/* our own SYN, captured going out */
		n = probe(&s, 0, 64, f);
		expect_none(&s, f, n, 41);
	}
}

static void test_match_syn_icmp(void **state)
{
	(void)state;
	uint8_t f[2 * NP_PROBE_MAX_BYTES];
	for (uint8_t ver = 4; ver <= 6; ver += 2) {
		struct np_probe_spec s = mkspec(NP_PROBE_SYN, ver);
		uint8_t unreach = ver == 4 ? 3 : 1, admin = ver == 4 ? 13 : 1, te = ver == 4 ? 11 : 3;
		/* a firewall on the way: communication administratively prohibited */
		uint32_t n = mkerror_for(f, &s, 5, 64, ROUTER, unreach, admin);
		expect_answer(&s, f, n, 20, NP_PV_FILTERED, 5, ROUTER, false);
		/* the target's host firewall (iptables --reject-with icmp-admin-prohibited) */
		n = mkerror_for(f, &s, 6, 64, TARGET, unreach, admin);
		expect_answer(&s, f, n, 20, NP_PV_FILTERED, 6, TARGET, true);
		/* time exceeded quoting our SYN: the quoted seq isn + N (wrapping for N >= 16) */
		for (uint32_t N = 0; N < 20; N += 3) {
			n = mkerror_for(f, &s, N, (uint8_t)(N + 1), ROUTER, te, 0);
			expect_answer(&s, f, n, 20, NP_PV_TTL_EXCEEDED, N, ROUTER, false);
		}
		n = mkerror_for(f, &s, 20, 1, ROUTER, te, 0);
		expect_none(&s, f, n, 20);
		/* quoting somebody else's SYN: other ports, other source, other destination */
		struct np_probe_spec them = s;
		them.sport = 51000;
		n = mkerror_for(f, &them, 1, 1, ROUTER, te, 0);
		expect_none(&s, f, n, 20);
		them = s;
		them.dport = 80;
		n = mkerror_for(f, &them, 1, 1, ROUTER, te, 0);
		expect_none(&s, f, n, 20);
		them = s;
		memcpy(them.src, A(ver, OTHER), alen(ver));
		n = mkerror_quoting(f, s.src, &them, 1, 1, ROUTER, te, 0);
		expect_none(&s, f, n, 20);
		them = s;
		memcpy(them.dst, A(ver, OTHER), alen(ver));
		n = mkerror_for(f, &them, 1, 1, ROUTER, te, 0);
		expect_none(&s, f, n, 20);
		/* the same kind of quote for our UDP probe: not a TCP quote */
		them = mkspec(NP_PROBE_UDP, ver);
		them.sport = SYN_SPORT;
		them.dport = SYN_DPORT;
		n = mkerror_for(f, &them, 1, 1, ROUTER, te, 0);
		expect_none(&s, f, n, 20);
		/* a truncated quote: ports present, sequence number cut (fewer than 8 bytes of TCP) */
		uint8_t pr[NP_PROBE_MAX_BYTES];
		probe(&s, 1, 1, pr);
		size_t ip = ver == 4 ? 20 : 40;
		for (size_t l4 = 0; l4 < 8; l4++) {
			n = mkerror(f, ver, ROUTER, A(ver, US), te, 0, pr, ip + l4);
			expect_none(&s, f, n, 20);
		}
		n = mkerror(f, ver, ROUTER, A(ver, US), te, 0, pr, ip + 8);
		expect_answer(&s, f, n, 20, NP_PV_TTL_EXCEEDED, 1, ROUTER, false);
		/* the error addressed to another host */
		n = mkerror(f, ver, ROUTER, A(ver, OTHER), te, 0, pr, ip + 8);
		expect_none(&s, f, n, 20);
	}
}

/* -- UDP -- */

static void test_match_udp(void **state)
{
	(void)state;
	uint8_t f[2 * NP_PROBE_MAX_BYTES];
	for (uint8_t ver = 4; ver <= 6; ver += 2) {
		struct np_probe_spec s = mkspec(NP_PROBE_UDP, ver);
		const uint8_t *us = A(ver, US);
		uint8_t unreach = ver == 4 ? 3 : 1, port = ver == 4 ? 3 : 4, te = ver == 4 ? 11 : 3;
		/* port unreachable from the target: closed, and the trace has arrived */
		uint32_t n = mkerror_for(f, &s, 7, 64, TARGET, unreach, port);
		expect_answer(&s, f, n, 8, NP_PV_CLOSED, 7, TARGET, true);
		expect_none(&s, f, n, 7);
		/* port unreachable from a router (a firewall rejecting for the target) */
		n = mkerror_for(f, &s, 2, 64, ROUTER, unreach, port);
		expect_answer(&s, f, n, 8, NP_PV_CLOSED, 2, ROUTER, false);
		/* any other unreachable: filtered (v4 3/13, v6 1/1 administratively prohibited) */
		n = mkerror_for(f, &s, 3, 64, ROUTER, unreach, ver == 4 ? 13 : 1);
		expect_answer(&s, f, n, 8, NP_PV_FILTERED, 3, ROUTER, false);
		/* v6 code 4 is port unreachable; v6 code 3 (address) is not */
		if (ver == 6) {
			n = mkerror_for(f, &s, 3, 64, TARGET, 1, 3);
			expect_answer(&s, f, n, 8, NP_PV_FILTERED, 3, TARGET, true);
		}
		/* time exceeded for the probe with source port sport + N */
		for (uint32_t N = 0; N < 8; N++) {
			n = mkerror_for(f, &s, N, (uint8_t)(N + 1), ROUTER, te, 0);
			expect_answer(&s, f, n, 8, NP_PV_TTL_EXCEEDED, N, ROUTER, false);
		}
		/* a UDP answer from the service to sport + N */
		n = mkudp(f, ver, TARGET, us, UDP_DPORT, UDP_SPORT + 5);
		expect_answer(&s, f, n, 8, NP_PV_OPEN, 5, TARGET, true);
		n = mkudp(f, ver, TARGET, us, UDP_DPORT, UDP_SPORT + 8); /* not sent yet */
		expect_none(&s, f, n, 8);
		n = mkudp(f, ver, TARGET, us, UDP_DPORT, UDP_SPORT - 1); /* below our range */
		expect_none(&s, f, n, 8);
		n = mkudp(f, ver, TARGET, us, 53, UDP_SPORT + 5); /* another service */
		expect_none(&s, f, n, 8);
		n = mkudp(f, ver, OTHER, us, UDP_DPORT, UDP_SPORT + 5); /* another host */
		expect_none(&s, f, n, 8);
		n = mkudp(f, ver, TARGET, A(ver, OTHER), UDP_DPORT, UDP_SPORT + 5); /* to another host */
		expect_none(&s, f, n, 8);
		/* our own probe, captured going out */
		n = probe(&s, 0, 64, f);
		expect_none(&s, f, n, 8);
		/* an ICMP error quoting somebody else's datagram */
		struct np_probe_spec them = s;
		memcpy(them.src, A(ver, OTHER), alen(ver));
		them.sport = 5353;
		them.dport = 5353;
		n = mkerror_quoting(f, s.src, &them, 0, 64, TARGET, unreach, port);
		expect_none(&s, f, n, 8);
		them = s; /* only the source differs */
		memcpy(them.src, A(ver, OTHER), alen(ver));
		n = mkerror_quoting(f, s.src, &them, 0, 64, TARGET, unreach, port);
		expect_none(&s, f, n, 8);
		them = s;
		them.dport = 53; /* our ports otherwise, another destination port */
		n = mkerror_for(f, &them, 0, 64, TARGET, unreach, port);
		expect_none(&s, f, n, 8);
		them = s;
		them.sport = UDP_SPORT + 100; /* outside the source ports of the probes sent */
		n = mkerror_for(f, &them, 0, 64, TARGET, unreach, port);
		expect_none(&s, f, n, 8);
		them = s;
		memcpy(them.dst, A(ver, OTHER), alen(ver));
		n = mkerror_for(f, &them, 0, 64, TARGET, unreach, port);
		expect_none(&s, f, n, 8);
		/* the error addressed to another host */
		uint8_t pr[NP_PROBE_MAX_BYTES];
		uint32_t pn = probe(&s, 1, 64, pr);
		n = mkerror(f, ver, TARGET, A(ver, OTHER), unreach, port, pr, quote_len(ver, pn));
		expect_none(&s, f, n, 8);
	}
}

/* Source ports sport + N wrap at 65535 like the probes' do. */
static void test_match_udp_port_wrap(void **state)
{
	(void)state;
	uint8_t f[2 * NP_PROBE_MAX_BYTES];
	struct np_probe_spec s = mkspec(NP_PROBE_UDP, 4);
	s.sport = 65534;
	uint8_t pr[NP_PROBE_MAX_BYTES];
	probe(&s, 3, 64, pr);
	assert_int_equal(t_get16(pr + 20), 1); /* 65534 + 3 */
	uint32_t n = mkerror_for(f, &s, 3, 64, TARGET, 3, 3);
	expect_answer(&s, f, n, 4, NP_PV_CLOSED, 3, TARGET, true);
	n = mkudp(f, 4, TARGET, A(4, US), UDP_DPORT, 1);
	expect_answer(&s, f, n, 4, NP_PV_OPEN, 3, TARGET, true);
}

/* ---- np_probe_bpf ---------------------------------------------------------------------------- */

static void test_bpf_compiles_and_filters(void **state)
{
	(void)state;
	static const enum np_probe_kind kinds[] = { NP_PROBE_ICMP, NP_PROBE_SYN, NP_PROBE_UDP };
	uint8_t f[2 * NP_PROBE_MAX_BYTES];
	for (uint8_t ver = 4; ver <= 6; ver += 2)
		for (size_t k = 0; k < T_ARRAY_LEN(kinds); k++) {
			struct np_probe_spec s = mkspec(kinds[k], ver);
			const uint8_t *us = A(ver, US);
			uint32_t n;
			/* the answer itself (bpf_accepts compiles the filter or fails) */
			if (kinds[k] == NP_PROBE_ICMP)
				n = mkecho_reply(f, ver, TARGET, us, IDENT, 0);
			else if (kinds[k] == NP_PROBE_SYN)
				n = mktcp(f, ver, TARGET, us, SYN_DPORT, SYN_SPORT, 7, ISN + 1, 0x12);
			else
				n = mkudp(f, ver, TARGET, us, UDP_DPORT, UDP_SPORT);
			assert_true(bpf_accepts(&s, f, n));
			/* an ICMP error for any kind */
			n = mkerror_for(f, &s, 0, 1, ROUTER, ver == 4 ? 11 : 3, 0);
			assert_true(bpf_accepts(&s, f, n));
			/* unrelated: web traffic to us, DNS to us, our own probe going out */
			n = mktcp(f, ver, OTHER, us, 80, 51000, 1, 2, 0x18);
			assert_false(bpf_accepts(&s, f, n));
			n = mkudp(f, ver, OTHER, us, 53, 41000);
			assert_false(bpf_accepts(&s, f, n));
			n = probe(&s, 0, 64, f);
			assert_false(bpf_accepts(&s, f, n));
			/* the right answer addressed to another host */
			n = mkecho_reply(f, ver, TARGET, A(ver, OTHER), IDENT, 0);
			assert_false(bpf_accepts(&s, f, n));
			/* a TCP/UDP answer from the target's other port, or to another of our ports */
			if (kinds[k] == NP_PROBE_SYN) {
				n = mktcp(f, ver, TARGET, us, 22, SYN_SPORT, 7, ISN + 1, 0x12);
				assert_false(bpf_accepts(&s, f, n));
				n = mktcp(f, ver, TARGET, us, SYN_DPORT, 50000, 7, ISN + 1, 0x12);
				assert_false(bpf_accepts(&s, f, n));
			} else if (kinds[k] == NP_PROBE_UDP) {
				n = mkudp(f, ver, TARGET, us, 123, UDP_SPORT);
				assert_false(bpf_accepts(&s, f, n));
			} else {
				n = mktcp(f, ver, TARGET, us, 443, 50000, 7, 8, 0x12);
				assert_false(bpf_accepts(&s, f, n));
			}
		}
}

static void test_bpf_text(void **state)
{
	(void)state;
	char buf[512];
	struct np_probe_spec s = mkspec(NP_PROBE_ICMP, 4);
	np_probe_bpf(&s, buf, sizeof buf);
	assert_string_equal(buf, "icmp and dst host 192.0.2.10");
	s = mkspec(NP_PROBE_SYN, 6);
	np_probe_bpf(&s, buf, sizeof buf);
	assert_string_equal(buf, "dst host 2001:db8::10 and ((tcp and src host 2001:db8:ff::20 and src "
				 "port 443 and dst port 40123) or icmp6)");
	/* a small buffer is cut and terminated, never overrun */
	char small[16];
	memset(small, 'x', sizeof small);
	np_probe_bpf(&s, small, sizeof small);
	assert_int_equal(strlen(small), sizeof small - 1);
}

/* ---- names ----------------------------------------------------------------------------------- */

static void test_verdict_names(void **state)
{
	(void)state;
	static const struct {
		enum np_probe_verdict v;
		const char *name;
	} names[] = {
		{ NP_PV_REPLY, "reply" },
		{ NP_PV_OPEN, "open" },
		{ NP_PV_CLOSED, "closed" },
		{ NP_PV_FILTERED, "filtered" },
		{ NP_PV_OPEN_FILTERED, "open|filtered" },
		{ NP_PV_TIMEOUT, "timeout" },
		{ NP_PV_UNREACHABLE, "unreachable" },
		{ NP_PV_TTL_EXCEEDED, "ttl-exceeded" },
	};
	for (size_t i = 0; i < T_ARRAY_LEN(names); i++)
		assert_string_equal(np_probe_verdict_name(names[i].v), names[i].name);
	assert_int_equal(T_ARRAY_LEN(names), NP_PV_TTL_EXCEEDED + 1);
	assert_string_equal(np_probe_verdict_name((enum np_probe_verdict)(NP_PV_TTL_EXCEEDED + 1)), "?");
}

static void test_silence(void **state)
{
	(void)state;
	assert_int_equal(np_probe_silence(NP_PROBE_ICMP), NP_PV_TIMEOUT);
	assert_int_equal(np_probe_silence(NP_PROBE_SYN), NP_PV_FILTERED);
	assert_int_equal(np_probe_silence(NP_PROBE_UDP), NP_PV_OPEN_FILTERED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_icmp4),
		cmocka_unit_test(test_build_icmp6),
		cmocka_unit_test(test_build_syn4),
		cmocka_unit_test(test_build_syn6),
		cmocka_unit_test(test_build_udp4),
		cmocka_unit_test(test_build_udp6),
		cmocka_unit_test(test_build_icmp6_checksum_vector),
		cmocka_unit_test(test_build_too_big),
		cmocka_unit_test(test_build_syn_no_data),
		cmocka_unit_test(test_match_echo_reply),
		cmocka_unit_test(test_match_echo_ttl_exceeded),
		cmocka_unit_test(test_match_echo_unreachable),
		cmocka_unit_test(test_match_syn_answers),
		cmocka_unit_test(test_match_syn_icmp),
		cmocka_unit_test(test_match_udp),
		cmocka_unit_test(test_match_udp_port_wrap),
		cmocka_unit_test(test_bpf_compiles_and_filters),
		cmocka_unit_test(test_bpf_text),
		cmocka_unit_test(test_verdict_names),
		cmocka_unit_test(test_silence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
