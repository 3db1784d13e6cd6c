/* test_tcp_syn.c - the TCP SYN probe module (src/probe/tcp_syn.c): its bytes decoded field by field,
 * SYN/ACK and RST answers matched by ports and ack = isn + N + 1 (RFC 793), ICMP errors by the
 * header they quote. */
#include "probe_fixture.h"
#include "testutil.h"

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

/* A SYN ignores the payload size: ICMP and UDP only carry data. */
static void test_build_syn_no_data(void **state)
{
	(void)state;
	struct np_probe_spec s = mkspec(NP_PROBE_SYN, 6);
	s.payload = 56;
	uint8_t buf[NP_PROBE_MAX_BYTES];
	assert_int_equal(probe(&s, 0, 64, buf), 40 + 32);
}

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_syn4),
		cmocka_unit_test(test_build_syn6),
		cmocka_unit_test(test_build_syn_no_data),
		cmocka_unit_test(test_match_syn_answers),
		cmocka_unit_test(test_match_syn_icmp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
