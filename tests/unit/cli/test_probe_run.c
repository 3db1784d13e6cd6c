/* test_probe_run.c - the probe target as the user named it (src/cli/probe_run.c): a scoped
 * IPv6 link-local address ("fe80::1%lo", RFC 4007 s11) keeps its scope, in the probe's
 * resolution and in every address printed for it, as iputils prints "fe80::1%veth0". No root:
 * -I given as a source address skips the route lookup. */
#include <net/if.h>

#include "testutil.h"
#include "cli/probe_run.h"
#include "netprobe/print.h"

static void test_scoped_link_local(void **state)
{
	(void)state;
	struct probe_run r = { .cmd = "ping" };
	char err[256] = "";
	int rc = probe_run_target(&r, "fe80::1%lo", 6, "fe80::2", err, sizeof err);
	assert_int_equal(rc, 0);
	assert_int_equal(r.spec.ver, 6);
	assert_int_equal(r.scope_id, if_nametoindex("lo"));
	assert_true(r.scope_id != 0);
	assert_string_equal(r.scope, "lo");
	assert_string_equal(r.target, "fe80::1%lo");
	/* Answers from the same link carry the scope; a global address does not. */
	static const uint8_t ll[16] = { 0xfe, 0x80, [15] = 0x02 };
	static const uint8_t ll_febf[16] = { 0xfe, 0xbf, [15] = 0x03 };
	static const uint8_t global[16] = { 0xfd, 0x77, 0, 0x10, [15] = 0x01 };
	char buf[NP_ADDR_STRLEN + 16];
	assert_string_equal(probe_run_fmt_addr(&r, ll, buf, sizeof buf), "fe80::2%lo");
	assert_string_equal(probe_run_fmt_addr(&r, ll_febf, buf, sizeof buf), "febf::3%lo");
	assert_string_equal(probe_run_fmt_addr(&r, global, buf, sizeof buf), "fd77:10::1");
}

static void test_unscoped(void **state)
{
	(void)state;
	struct probe_run r = { .cmd = "ping" };
	char err[256] = "", buf[NP_ADDR_STRLEN + 16];
	assert_int_equal(probe_run_target(&r, "fe80::1", 6, "fe80::2", err, sizeof err), 0);
	assert_int_equal(r.scope_id, 0);
	assert_string_equal(r.target, "fe80::1");
	static const uint8_t ll[16] = { 0xfe, 0x80, [15] = 0x02 };
	assert_string_equal(probe_run_fmt_addr(&r, ll, buf, sizeof buf), "fe80::2");
	/* IPv4: never a scope. */
	assert_int_equal(probe_run_target(&r, "10.77.0.1", 4, "10.77.0.2", err, sizeof err), 0);
	assert_string_equal(r.target, "10.77.0.1");
	assert_int_equal(r.scope_id, 0);
}

/* A scoped target after a scoped one: nothing left over from the first. */
static void test_scope_reset(void **state)
{
	(void)state;
	struct probe_run r = { .cmd = "ping" };
	char err[256] = "";
	assert_int_equal(probe_run_target(&r, "fe80::1%lo", 6, "fe80::2", err, sizeof err), 0);
	assert_int_equal(probe_run_target(&r, "fe80::1", 6, "fe80::2", err, sizeof err), 0);
	assert_string_equal(r.scope, "");
	assert_string_equal(r.target, "fe80::1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scoped_link_local),
		cmocka_unit_test(test_unscoped),
		cmocka_unit_test(test_scope_reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
