/* test_udp.c - the UDP probe module (src/probe/udp.c): its bytes decoded field by field, UDP
 * answers and ICMP port unreachable matched by the source port of probe N (RFC 768, RFC 792). */
#include "probe_fixture.h"
#include "testutil.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_udp4),
		cmocka_unit_test(test_build_udp6),
		cmocka_unit_test(test_match_udp),
		cmocka_unit_test(test_match_udp_port_wrap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
