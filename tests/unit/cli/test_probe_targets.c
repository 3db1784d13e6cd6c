/* test_probe_targets.c - the one resolver of ping, trace and a scan (src/cli/probe_targets.c:
 * probe_resolve, used by probe_run_target and by the scan's HOSTs) and the HOST expansion:
 * addresses of both families, the family a -4/-6 asks for, a scoped link-local address, a name
 * from /etc/hosts, a CIDR block without its network and broadcast addresses, the bounds. No
 * network: numeric addresses and "localhost" only. */
#include <arpa/inet.h>
#include <net/if.h>

#include "testutil.h"
#include "cli/probe_targets.h"

static void test_resolve_numeric(void **state)
{
	(void)state;
	uint8_t ver = 0, a[16];
	uint32_t scope = 99;
	char err[256] = "";
	assert_int_equal(probe_resolve("10.77.0.1", 0, &ver, a, &scope, err, sizeof err), 0);
	assert_int_equal(ver, 4);
	assert_int_equal(scope, 0);
	static const uint8_t v4[4] = { 10, 77, 0, 1 };
	assert_memory_equal(a, v4, 4);
	assert_int_equal(probe_resolve("fd77:10::1", 0, &ver, a, &scope, err, sizeof err), 0);
	assert_int_equal(ver, 6);
	static const uint8_t v6[16] = { 0xfd, 0x77, 0, 0x10, [15] = 1 };
	assert_memory_equal(a, v6, 16);
	/* The scope of a link-local address: the interface's index. */
	assert_int_equal(probe_resolve("fe80::1%lo", 6, &ver, a, &scope, err, sizeof err), 0);
	assert_int_equal(scope, if_nametoindex("lo"));
	assert_true(scope != 0);
}

static void test_resolve_family(void **state)
{
	(void)state;
	uint8_t ver, a[16];
	uint32_t scope;
	char err[256] = "";
	/* -6 with an IPv4 address, -4 with an IPv6 one: not that family's host. */
	assert_int_equal(probe_resolve("10.77.0.1", 6, &ver, a, &scope, err, sizeof err), -1);
	assert_true(strncmp(err, "10.77.0.1: ", 11) == 0);
	assert_int_equal(probe_resolve("fd77::1", 4, &ver, a, &scope, err, sizeof err), -1);
	assert_true(strncmp(err, "fd77::1: ", 9) == 0);
	/* A name from /etc/hosts, asked for IPv4. */
	assert_int_equal(probe_resolve("localhost", 4, &ver, a, &scope, err, sizeof err), 0);
	assert_int_equal(ver, 4);
	assert_int_equal(a[0], 127);
}

static void test_expand(void **state)
{
	(void)state;
	static struct probe_targets t;
	char err[256] = "";
	char *hosts[] = { "10.77.20.0/29", "10.77.20.3", "10.77.30.1" };
	assert_int_equal(probe_targets_expand(&t, hosts, 3, 0, err, sizeof err), 0);
	/* .1-.6 of the /29 (no network, no broadcast), .3 again left out, then .30.1 */
	assert_int_equal(t.n, 7);
	assert_int_equal(t.ver, 4);
	assert_int_equal(t.addr[0][3], 1);
	assert_int_equal(t.addr[5][3], 6);
	assert_int_equal(t.addr[6][2], 30);
	char *mixed[] = { "10.77.20.1", "fd77::1" };
	assert_int_equal(probe_targets_expand(&t, mixed, 2, 0, err, sizeof err), -1);
	assert_non_null(strstr(err, "one family at a time"));
	char *big[] = { "10.77.0.0/16" };
	assert_int_equal(probe_targets_expand(&t, big, 1, 0, err, sizeof err), -1);
	assert_non_null(strstr(err, "at most 256 targets"));
	char *bad[] = { "10.77.0.0/33" };
	assert_int_equal(probe_targets_expand(&t, bad, 1, 0, err, sizeof err), -1);
	assert_non_null(strstr(err, "invalid block"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve_numeric),
		cmocka_unit_test(test_resolve_family),
		cmocka_unit_test(test_expand),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
