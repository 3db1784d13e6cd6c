/* test_probe.c - what every probe kind shares (src/probe/probe.c): np_probe_build refusing what
 * does not fit, the BPF filter of each kind compiled and run by libpcap, verdict names and the
 * silence verdicts. */
#include "probe_fixture.h"
#include "testutil.h"

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
		{ NP_PV_TOO_BIG, "too-big" },
	};
	for (size_t i = 0; i < T_ARRAY_LEN(names); i++)
		assert_string_equal(np_probe_verdict_name(names[i].v), names[i].name);
	assert_int_equal(T_ARRAY_LEN(names), NP_PV_TOO_BIG + 1);
	assert_string_equal(np_probe_verdict_name((enum np_probe_verdict)(NP_PV_TOO_BIG + 1)), "?");
}

static void test_silence(void **state)
{
	(void)state;
	assert_int_equal(np_probe_silence(NP_PROBE_ICMP), NP_PV_TIMEOUT);
	assert_int_equal(np_probe_silence(NP_PROBE_SYN), NP_PV_FILTERED);
	assert_int_equal(np_probe_silence(NP_PROBE_UDP), NP_PV_OPEN_FILTERED);
}

/* ---- the module table ------------------------------------------------------------------------ */

/* Every kind has its module with every op; the long options name the non-default kinds. */
static void test_module_table(void **state)
{
	(void)state;
	static const enum np_probe_kind kinds[] = { NP_PROBE_ICMP, NP_PROBE_SYN, NP_PROBE_UDP };
	for (size_t k = 0; k < T_ARRAY_LEN(kinds); k++) {
		const struct np_probe_module *m = np_probe_module(kinds[k]);
		assert_non_null(m);
		assert_int_equal(m->kind, kinds[k]);
		assert_non_null(m->build_l4);
		assert_non_null(m->match);
		assert_non_null(m->match_quote);
		assert_non_null(m->bpf);
		assert_non_null(m->title);
		assert_non_null(m->stats_name);
	}
	assert_null(np_probe_module((enum np_probe_kind)(NP_PROBE_UDP + 1)));
	assert_ptr_equal(np_probe_module_by_option("syn"), &np_probe_tcp_syn);
	assert_ptr_equal(np_probe_module_by_option("udp"), &np_probe_udp);
	assert_null(np_probe_module_by_option("icmp"));
	assert_null(np_probe_module(NP_PROBE_ICMP)->option); /* the default needs no option */
}

/* trace --pmtu: a "fragmentation needed" (IPv4, RFC 1191) or "packet too big" (IPv6, RFC
 * 8201) quoting a probe is NP_PV_TOO_BIG from the router with the MTU it carries; without
 * s.pmtu either is an unreachable (ping -M do's "Frag needed", "Packet too big"). */
static void too_big(enum np_probe_kind k, uint8_t ver)
{
	struct np_probe_spec s = mkspec(k, ver);
	s.pmtu = true;
	uint8_t pr[NP_PROBE_MAX_BYTES], m[8 + NP_PROBE_MAX_BYTES], f[2 * NP_PROBE_MAX_BYTES];
	uint32_t pn = probe(&s, 2, 5, pr);
	size_t q = quote_len(ver, pn);
	memset(m, 0, 8);
	m[0] = ver == 4 ? 3 : 2;
	m[1] = ver == 4 ? 4 : 0;
	m[6] = 1400 >> 8; /* the next-hop MTU: 16 bits at 6 (IPv4), 32 bits at 4 (IPv6) */
	m[7] = 1400 & 0xff;
	memcpy(m + 8, pr, q);
	uint32_t n = mkip(f, ver, ROUTER, s.src, ver == 4 ? 1 : 58, 250, m, 8 + q, 2);
	expect_answer(&s, f, n, 10, NP_PV_TOO_BIG, 2, ROUTER, false);
	struct t_pkt t;
	struct np_probe_answer a;
	t_decode(&t, DLT_RAW, f, n);
	assert_true(np_probe_match(&s, &t.p, 10, &a));
	assert_int_equal(a.mtu, 1400);
	s.pmtu = false;
	assert_true(np_probe_match(&s, &t.p, 10, &a));
	assert_int_equal(a.verdict, np_probe_module(k)->unreachable);
	t_free(&t);
}

static void test_too_big(void **state)
{
	(void)state;
	for (uint8_t ver = 4; ver <= 6; ver += 2) {
		too_big(NP_PROBE_ICMP, ver);
		too_big(NP_PROBE_UDP, ver);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_too_big),
		cmocka_unit_test(test_bpf_compiles_and_filters),
		cmocka_unit_test(test_bpf_text),
		cmocka_unit_test(test_verdict_names),
		cmocka_unit_test(test_silence),
		cmocka_unit_test(test_module_table),
		cmocka_unit_test(test_too_big),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
