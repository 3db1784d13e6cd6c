/* test_stats.c - the summary's per-protocol packet counts (src/pipeline/stats.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "netprobe/pipeline.h"

static void counts_each_layer_once(void **state)
{
	(void)state;
	struct np_proto_counts c = { 0 };
	struct np_packet p;
	memset(&p, 0, sizeof p);
	p.layers = NP_HAS_IP4 | NP_HAS_TCP; /* IPv4 + TCP */
	np_stats_count(&c, &p);
	p.layers = NP_HAS_IP6 | NP_HAS_UDP; /* IPv6 + UDP */
	np_stats_count(&c, &p);
	p.layers = NP_HAS_ARP;
	np_stats_count(&c, &p);
	p.layers = 0; /* nothing known above the link: "other" */
	np_stats_count(&c, &p);
	struct np_track_stats s;
	memset(&s, 0, sizeof s);
	np_stats_fill(&c, &s);
	assert_int_equal(s.packets, 4);
	assert_int_equal(s.ip4, 1);
	assert_int_equal(s.tcp, 1);
	assert_int_equal(s.ip6, 1);
	assert_int_equal(s.udp, 1);
	assert_int_equal(s.arp, 1);
	assert_int_equal(s.other, 1);
	assert_int_equal(s.icmp, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counts_each_layer_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
