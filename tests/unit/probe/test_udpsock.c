/* test_udpsock.c - the unprivileged UDP probe's packets (src/probe/udpsock.c): what a UDP
 * socket reads (an answer, or an ICMP error from its error queue) is rebuilt as the IP packet
 * that carried it, and the udp module must match that packet exactly as it matches a captured
 * one: open from the target, time exceeded from a router, closed by a port unreachable, with
 * valid checksums and no prefix matching otherwise (expect_answer). Also the pure verdict of an
 * ICMP error (np_probe_error_answer) a TTL-limited connect() reads. */
#include <string.h>

#include "probe_fixture.h"
#include "testutil.h"

/* The addresses and ports of probe `seq` of s, as probe_conn.c gives them to the socket. */
static struct np_udpsock_ids ids_for(const struct np_probe_spec *s, uint32_t seq)
{
	struct np_udpsock_ids id;
	memset(&id, 0, sizeof id);
	id.ver = s->ver;
	memcpy(id.us, s->src, 16);
	memcpy(id.dst, s->dst, 16);
	id.sport = (uint16_t)(s->sport + seq);
	id.dport = np_probe_dport(s, seq);
	return id;
}

static void rebuilt(uint8_t ver)
{
	struct np_probe_spec s = mkspec(NP_PROBE_UDP, ver);
	uint8_t buf[600], data[32];
	memset(data, 'n', sizeof data);
	struct np_udpsock_ids id = ids_for(&s, 3);
	size_t n = np_udpsock_answer(&id, 63, data, sizeof data, buf, sizeof buf);
	assert_int_equal(n, (ver == 4 ? 20u : 40u) + 8 + sizeof data);
	expect_answer(&s, buf, (uint32_t)n, 10, NP_PV_OPEN, 3, TARGET, true);
	/* a late answer to a probe not yet sent is not ours */
	expect_none(&s, buf, (uint32_t)n, 3);

	struct np_errq e = { .icmp = true, .type = ver == 4 ? 11 : 3, .code = 0 };
	memcpy(e.from, A(ver, ROUTER), alen(ver));
	id = ids_for(&s, 5);
	n = np_udpsock_error(&id, &e, data, sizeof data, buf, sizeof buf);
	expect_answer(&s, buf, (uint32_t)n, 10, NP_PV_TTL_EXCEEDED, 5, ROUTER, false);

	e.type = ver == 4 ? 3 : 1;
	e.code = ver == 4 ? 3 : 4;
	memcpy(e.from, A(ver, TARGET), alen(ver));
	n = np_udpsock_error(&id, &e, NULL, 0, buf, sizeof buf); /* only the UDP header quoted */
	expect_answer(&s, buf, (uint32_t)n, 10, NP_PV_CLOSED, 5, TARGET, true);

	/* fragmentation needed / packet too big: the MTU where RFC 1191 / RFC 4443 put it */
	e.type = ver == 4 ? 3 : 2;
	e.code = ver == 4 ? 4 : 0;
	e.info = 1280;
	n = np_udpsock_error(&id, &e, data, 8, buf, sizeof buf);
	const uint8_t *icmp = buf + (ver == 4 ? 20 : 40);
	assert_int_equal(icmp[6] << 8 | icmp[7], 1280);
	if (ver == 6)
		assert_int_equal(icmp[4] << 8 | icmp[5], 0);
	/* too small a buffer: nothing, never a partial packet */
	assert_int_equal(np_udpsock_error(&id, &e, data, 8, buf, ver == 4 ? 40 : 80), 0);
}

static void test_rebuilt4(void **state)
{
	(void)state;
	rebuilt(4);
}

static void test_rebuilt6(void **state)
{
	(void)state;
	rebuilt(6);
}

static void test_error_answer(void **state)
{
	(void)state;
	struct np_probe_spec s = mkspec(NP_PROBE_SYN, 4);
	struct np_probe_answer a;
	memset(&a, 0, sizeof a);
	assert_true(np_probe_error_answer(&s, 2, 11, 0, 0, A(4, ROUTER), &a));
	assert_int_equal(a.verdict, NP_PV_TTL_EXCEEDED);
	assert_false(a.final);
	assert_true(np_probe_error_answer(&s, 2, 3, 10, 0, A(4, TARGET), &a)); /* host prohibited */
	assert_int_equal(a.verdict, NP_PV_FILTERED);
	assert_true(a.final);
	assert_false(np_probe_error_answer(&s, 2, 0, 0, 0, A(4, TARGET), &a)); /* an echo reply */
	assert_false(np_probe_error_answer(&s, 2, 5, 1, 0, A(4, ROUTER), &a)); /* a redirect */
	s = mkspec(NP_PROBE_UDP, 6);
	assert_true(np_probe_error_answer(&s, 1, 1, 4, 0, A(6, TARGET), &a));
	assert_int_equal(a.verdict, NP_PV_CLOSED);
	assert_true(np_probe_error_answer(&s, 1, 1, 1, 0, A(6, ROUTER), &a)); /* admin prohibited */
	assert_int_equal(a.verdict, NP_PV_FILTERED);
	assert_false(a.final);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rebuilt4),
		cmocka_unit_test(test_rebuilt6),
		cmocka_unit_test(test_error_answer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
