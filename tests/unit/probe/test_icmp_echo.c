/* test_icmp_echo.c - the ICMP echo probe module (src/probe/icmp_echo.c): its bytes decoded field by
 * field, echo replies and ICMP errors quoting it matched by identifier and sequence (RFC 792,
 * RFC 4443 s2.4). */
#include "probe_fixture.h"
#include "testutil.h"

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
		/* errors that are neither: parameter problem (v4 12, v6 4) */
		n = mkerror_for(f, &s, 1, 64, ROUTER, ver == 4 ? 12 : 4, 0);
		expect_none(&s, f, n, 3);
		/* v6 packet too big: as v4's fragmentation needed, an unreachable (ping -6 -M do
		 * says "Packet too big", as iputils) */
		if (ver == 6) {
			n = mkerror_for(f, &s, 1, 64, ROUTER, 2, 0);
			expect_answer(&s, f, n, 3, NP_PV_UNREACHABLE, 1, ROUTER, false);
		}
	}
}

/* -- TCP SYN -- */

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_icmp4),
		cmocka_unit_test(test_build_icmp6),
		cmocka_unit_test(test_build_icmp6_checksum_vector),
		cmocka_unit_test(test_match_echo_reply),
		cmocka_unit_test(test_match_echo_ttl_exceeded),
		cmocka_unit_test(test_match_echo_unreachable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
