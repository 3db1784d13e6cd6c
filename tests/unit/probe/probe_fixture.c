/* probe_fixture.c - the helpers of the probe module tests (probe_fixture.h). */
#include <stdio.h>

#include <pcap/pcap.h>

#include "probe_fixture.h"
#include "testutil.h"

/* ---- addresses (RFC 5737 and RFC 3849 documentation ranges) ------------------------------ */


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

const uint8_t *A(uint8_t ver, enum who w)
{
	return ver == 4 ? addr4[w] : addr6[w];
}

size_t alen(uint8_t ver)
{
	return ver == 4 ? 4 : 16;
}


struct np_probe_spec mkspec(enum np_probe_kind k, uint8_t ver)
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
uint32_t probe(const struct np_probe_spec *s, uint32_t seq, uint8_t ttl, uint8_t *buf)
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
void assert_l4_sum_independent(const uint8_t *pkt, uint32_t n, uint8_t ver, uint8_t proto)
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

/* The IP header of a built probe, field by field. */
static void check_ip(const struct np_packet *p, const struct np_probe_spec *s, uint32_t seq,
		     uint8_t ttl, uint32_t n, uint8_t proto, uint32_t l4len)
{
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
}

static void check_icmp_echo(const struct np_packet *p, const struct np_probe_spec *s, uint32_t seq,
			    uint32_t data)
{
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
}

static void check_tcp_syn(const struct np_packet *p, const struct np_probe_spec *s, uint32_t seq,
			  const uint8_t *buf, uint32_t l3len)
{
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
}

static void check_udp(const struct np_packet *p, const struct np_probe_spec *s, uint32_t seq,
		      uint32_t data)
{
	const struct np_udp *u = np_pkt_udp(p);
	assert_int_equal(u->sport, (uint16_t)(s->sport + seq));
	assert_int_equal(u->dport, s->dport);
	assert_int_equal(u->len, 8 + data);
	assert_int_equal(u->csum_status, NP_CSUM_GOOD);
	assert_int_equal(u->payload_len, data);
}

void check_probe(const struct np_probe_spec *s, uint32_t seq, uint8_t ttl)
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

	check_ip(p, s, seq, ttl, n, proto, l4len);
	switch (s->kind) {
	case NP_PROBE_ICMP: check_icmp_echo(p, s, seq, data); break;
	case NP_PROBE_SYN: check_tcp_syn(p, s, seq, buf, l3len); break;
	case NP_PROBE_UDP: check_udp(p, s, seq, data); break;
	}
	assert_l4_sum_independent(buf, n, s->ver, proto);
	/* The data bytes carry the fill pattern, as ping's do. */
	for (uint32_t i = 0; i < data; i++)
		if (buf[l3len + 8 + i] != (uint8_t)fill[i % (sizeof fill - 1)])
			fail_msg("data byte %u is 0x%02x", i, buf[l3len + 8 + i]);
	t_free(&t);
}

void check_build(enum np_probe_kind k, uint8_t ver)
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

/* ---- answers --------------------------------------------------------------------------------- */

/* IP header for `l4len` transport bytes, then the transport bytes; transport checksum at offset
 * `csum_at` filled in. The frame is DLT_RAW. */
uint32_t mkip(uint8_t *f, uint8_t ver, enum who from, const uint8_t *to, uint8_t proto,
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
uint32_t mkecho_reply(uint8_t *f, uint8_t ver, enum who from, const uint8_t *to, uint16_t id,
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
uint32_t mkerror(uint8_t *f, uint8_t ver, enum who from, const uint8_t *to, uint8_t type,
			uint8_t code, const uint8_t *quoted, size_t qlen)
{
	uint8_t m[8 + NP_PROBE_MAX_BYTES] = { type, code };
	memcpy(m + 8, quoted, qlen); /* bytes 4..7: unused (zero) */
	return mkip(f, ver, from, to, ver == 4 ? 1 : 58, 250, m, 8 + qlen, 2);
}

/* How much a router quotes: the IP header and 8 bytes (RFC 792); ICMPv6 as much as fits in
 * 1280 bytes (RFC 4443 s2.4 c), which for our probes is all of it. */
size_t quote_len(uint8_t ver, uint32_t probe_len)
{
	if (ver == 4)
		return 28;
	return probe_len;
}

/* An ICMP error to `to` quoting probe `seq` of `q` (sent with TTL `ttl`). */
uint32_t mkerror_quoting(uint8_t *f, const uint8_t *to, const struct np_probe_spec *q,
				uint32_t seq, uint8_t ttl, enum who from, uint8_t type, uint8_t code)
{
	uint8_t pr[NP_PROBE_MAX_BYTES];
	uint32_t n = probe(q, seq, ttl, pr);
	return mkerror(f, q->ver, from, to, type, code, pr, quote_len(q->ver, n));
}

/* An ICMP error quoting probe `seq` of `s`, sent back to its source. */
uint32_t mkerror_for(uint8_t *f, const struct np_probe_spec *s, uint32_t seq, uint8_t ttl,
			    enum who from, uint8_t type, uint8_t code)
{
	return mkerror_quoting(f, s->src, s, seq, ttl, from, type, code);
}

/* TCP segment without options. */
uint32_t mktcp(uint8_t *f, uint8_t ver, enum who from, const uint8_t *to, uint16_t sport,
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

uint32_t mkudp(uint8_t *f, uint8_t ver, enum who from, const uint8_t *to, uint16_t sport,
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
bool bpf_accepts(const struct np_probe_spec *s, const uint8_t *ip, uint32_t n)
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

void assert_same_answer(const struct np_probe_answer *a, const struct np_probe_answer *b)
{
	assert_string_equal(np_probe_verdict_name(a->verdict), np_probe_verdict_name(b->verdict));
	assert_int_equal(a->seq, b->seq);
	assert_int_equal(a->final, b->final);
	assert_memory_equal(a->from, b->from, sizeof a->from);
}

/* `f` must answer probe `seq` of `s` (with nseq probes sent) with this verdict, from `from`. The
 * BPF filter must let it through, and no prefix of it may match differently (or read past the
 * capture: the ASan build checks). */
void expect_answer(const struct np_probe_spec *s, const uint8_t *f, uint32_t n, uint32_t nseq,
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

void expect_none(const struct np_probe_spec *s, const uint8_t *f, uint32_t n, uint32_t nseq)
{
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	struct np_probe_answer a;
	if (np_probe_match(s, &t.p, nseq, &a))
		fail_msg("unexpected match: %s for probe %u", np_probe_verdict_name(a.verdict), a.seq);
	t_free(&t);
}

/* -- ICMP echo -- */
