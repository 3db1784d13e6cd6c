/* test_connect.c - the unprivileged TCP probe (src/probe/connect.c): the verdict each
 * connect(2) outcome gives, as nping --tcp-connect reads it, and a real connect on loopback
 * (no privileges, no namespace): a port nobody listens on is closed, a listener's is open. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testutil.h"
#include "netprobe/probe.h"

static void test_verdicts(void **state)
{
	(void)state;
	enum np_probe_verdict v;
	assert_true(np_connect_verdict(0, &v));
	assert_int_equal(v, NP_PV_OPEN);
	assert_true(np_connect_verdict(ECONNREFUSED, &v));
	assert_int_equal(v, NP_PV_CLOSED);
	assert_true(np_connect_verdict(EHOSTUNREACH, &v));
	assert_int_equal(v, NP_PV_FILTERED);
	assert_true(np_connect_verdict(ENETUNREACH, &v));
	assert_int_equal(v, NP_PV_FILTERED);
	assert_true(np_connect_verdict(ETIMEDOUT, &v));
	assert_int_equal(v, NP_PV_FILTERED);
	/* says nothing about the port: the caller reports it */
	assert_false(np_connect_verdict(EADDRNOTAVAIL, &v));
	assert_false(np_connect_verdict(EMFILE, &v));
}

/* Start a connect to 127.0.0.1:port and wait for its outcome. */
static int outcome(uint16_t port)
{
	static const uint8_t lo[16] = { 127, 0, 0, 1 };
	int fd = -1, result = -1;
	char err[128];
	int rc = np_connect_start(4, lo, port, 0, 0, &fd, &result, err, sizeof err);
	assert_true(rc >= 0);
	if (rc == 1) {
		close(fd);
		return result;
	}
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	assert_int_equal(poll(&p, 1, 2000), 1);
	result = np_connect_result(fd);
	close(fd);
	return result;
}

static void test_loopback(void **state)
{
	(void)state;
	int l = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(l >= 0);
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
	socklen_t sl = sizeof sin;
	assert_int_equal(bind(l, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(listen(l, 4), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&sin, &sl), 0);
	uint16_t open_port = ntohs(sin.sin_port);
	enum np_probe_verdict v;
	assert_true(np_connect_verdict(outcome(open_port), &v));
	assert_int_equal(v, NP_PV_OPEN);
	close(l); /* now nobody listens there */
	assert_true(np_connect_verdict(outcome(open_port), &v));
	assert_int_equal(v, NP_PV_CLOSED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_loopback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
