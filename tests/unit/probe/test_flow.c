/* test_flow.c - the flow identifiers of the probes: with spec.paris (trace --report/--live)
 * every probe of a run hashes alike on an ECMP path (same addresses, protocol, ports; for ICMP
 * the same checksum, the Paris traceroute rule), and the ICMP errors quoting them still say
 * which probe; and the port list of a scan (probe N to ports[(N - 1) % nports]). Probes are
 * built by the code under test and decoded by the library. */
#include <string.h>

#include "probe_fixture.h"
#include "testutil.h"

/* What an ECMP hash may read of a probe: addresses, protocol, ports or ICMP checksum and id. */
struct flow {
	uint8_t proto;
	uint16_t a, b, c;
};

static struct flow flow_of(const struct np_probe_spec *s, uint32_t seq, uint8_t ttl)
{
	uint8_t buf[NP_PROBE_MAX_BYTES];
	uint32_t n = probe(s, seq, ttl, buf);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, buf, n);
	struct flow f = { 0 };
	const struct np_packet *p = &t.p;
	if (np_pkt_tcp(p))
		f = (struct flow){ 6, np_pkt_tcp(p)->sport, np_pkt_tcp(p)->dport, 0 };
	else if (np_pkt_udp(p))
		f = (struct flow){ 17, np_pkt_udp(p)->sport, np_pkt_udp(p)->dport, 0 };
	else if (np_pkt_icmp(p))
		f = (struct flow){ 1, np_pkt_icmp(p)->id, np_pkt_icmp(p)->csum, np_pkt_icmp(p)->type };
	else if (np_pkt_icmp6(p))
		f = (struct flow){ 58, np_pkt_icmp6(p)->id, np_pkt_icmp6(p)->csum, np_pkt_icmp6(p)->type };
	t_free(&t);
	return f;
}

static void test_paris(void **state)
{
	(void)state;
	uint8_t f[2 * NP_PROBE_MAX_BYTES];
	for (unsigned k = NP_PROBE_ICMP; k <= NP_PROBE_UDP; k++)
		for (uint8_t ver = 4; ver <= 6; ver += 2) {
			struct np_probe_spec s = mkspec((enum np_probe_kind)k, ver);
			s.paris = true;
			if (s.kind != NP_PROBE_SYN)
				s.payload = 32;
			/* UDP over IPv6 has no IP id to tell its probes by: one port each still */
			bool fixed = !(k == NP_PROBE_UDP && ver == 6);
			struct flow first = flow_of(&s, 1, 1);
			for (uint32_t seq = 2; seq < 40; seq++) {
				struct flow fl = flow_of(&s, seq, (uint8_t)(seq % 30 + 1));
				if (fixed)
					assert_memory_equal(&fl, &first, sizeof fl);
				else
					assert_int_not_equal(fl.a, first.a);
			}
			/* time exceeded quoting probe N still names probe N */
			for (uint32_t seq = 1; seq < 40; seq += 7) {
				uint32_t n = mkerror_for(f, &s, seq, 3, ROUTER, ver == 4 ? 11 : 3, 0);
				expect_answer(&s, f, n, 40, NP_PV_TTL_EXCEEDED, seq, ROUTER, false);
				expect_none(&s, f, n, seq);
			}
		}
}

/* Paris UDP probes carry their sequence number in their first two data bytes (what a UDP
 * socket's error queue gives back of a probe: its data), so that one unprivileged socket keeps
 * one flow; np_udp_paris_seq reads it back, and says nothing of a quote with no data. */
static void test_paris_udp_data(void **state)
{
	(void)state;
	for (uint8_t ver = 4; ver <= 6; ver += 2) {
		struct np_probe_spec s = mkspec(NP_PROBE_UDP, ver);
		s.paris = true;
		s.payload = 32;
		size_t at = (ver == 4 ? 20u : 40u) + 8u;
		for (uint32_t seq = 1; seq < 70000; seq += 997) {
			uint8_t buf[NP_PROBE_MAX_BYTES];
			uint32_t n = probe(&s, seq, 5, buf), got = 0;
			assert_int_equal(n, at + 32);
			assert_true(np_udp_paris_seq(buf + at, n - at, &got));
			assert_int_equal(got, seq & 0xffff);
		}
		uint32_t got = 7;
		uint8_t one = 1;
		assert_false(np_udp_paris_seq(&one, 1, &got));
		assert_false(np_udp_paris_seq(NULL, 0, &got));
		assert_int_equal(got, 7);
		/* without paris the data is the module's pattern alone, the same for every probe */
		s.paris = false;
		uint8_t a[NP_PROBE_MAX_BYTES], b[NP_PROBE_MAX_BYTES];
		probe(&s, 1, 5, a);
		probe(&s, 2, 5, b);
		assert_memory_equal(a + at, b + at, 32);
	}
}

/* Without paris the ICMP checksum follows the sequence number (as ping's does). */
static void test_not_paris(void **state)
{
	(void)state;
	struct np_probe_spec s = mkspec(NP_PROBE_ICMP, 4);
	s.payload = 32;
	struct flow a = flow_of(&s, 1, 1), b = flow_of(&s, 2, 1);
	assert_int_not_equal(a.b, b.b);
}

static void test_port_list(void **state)
{
	(void)state;
	static const uint16_t ports[] = { 22, 80, 8000 };
	uint8_t f[2 * NP_PROBE_MAX_BYTES];
	for (unsigned k = NP_PROBE_SYN; k <= NP_PROBE_UDP; k++)
		for (uint8_t ver = 4; ver <= 6; ver += 2) {
			struct np_probe_spec s = mkspec((enum np_probe_kind)k, ver);
			s.ports = ports;
			s.nports = 3;
			for (uint32_t seq = 1; seq <= 7; seq++) {
				struct flow fl = flow_of(&s, seq, 64);
				assert_int_equal(fl.b, ports[(seq - 1) % 3]);
				assert_int_equal(np_probe_dport(&s, seq), ports[(seq - 1) % 3]);
				/* an unreachable quoting probe N: its port comes back in the answer */
				uint32_t n = mkerror_for(f, &s, seq, 64, TARGET, ver == 4 ? 3 : 1,
							 ver == 4 ? 3 : 4);
				struct np_probe_answer a;
				struct t_pkt t;
				t_decode(&t, DLT_RAW, f, n);
				assert_true(np_probe_match(&s, &t.p, 8, &a));
				assert_int_equal(a.seq, seq);
				assert_int_equal(a.dport, ports[(seq - 1) % 3]);
				assert_memory_equal(a.dst, s.dst, alen(ver));
				t_free(&t);
			}
			/* a quote naming probe 2 but the port of probe 1 is nobody's */
			struct np_probe_spec other = s;
			other.ports = NULL;
			other.dport = 22;
			uint32_t n = mkerror_quoting(f, s.src, &other, 2, 64, TARGET, ver == 4 ? 3 : 1,
						     ver == 4 ? 3 : 4);
			expect_none(&s, f, n, 8);
			/* a TCP answer from port 80 to probe 2 (80) is its; to probe 1 (22) is not */
			if (k == NP_PROBE_SYN) {
				n = mktcp(f, ver, TARGET, A(ver, US), 80, SYN_SPORT, 1, ISN + 2 + 1, 0x12);
				expect_answer(&s, f, n, 8, NP_PV_OPEN, 2, TARGET, true);
				n = mktcp(f, ver, TARGET, A(ver, US), 80, SYN_SPORT, 1, ISN + 1 + 1, 0x12);
				expect_none(&s, f, n, 8);
			}
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paris),
		cmocka_unit_test(test_paris_udp_data),
		cmocka_unit_test(test_not_paris),
		cmocka_unit_test(test_port_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
