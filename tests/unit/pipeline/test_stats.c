/* test_stats.c - the summary's per-protocol packet counts (src/pipeline/stats.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decode/internal.h"
#include "netprobe/pipeline.h"

/* A packet of the given layers, outermost first (only their kinds matter here). */
static void layers(struct np_packet *p, const enum np_layer *kinds, size_t n)
{
	memset(p, 0, sizeof *p);
	for (size_t i = 0; i < n; i++)
		np_pkt_push(p, kinds[i]);
}

static void counts_each_layer_once(void **state)
{
	(void)state;
	struct np_proto_counts c = { 0 };
	struct np_packet p;
	static const enum np_layer v4tcp[] = { NP_L_LINK, NP_L_IP4, NP_L_TCP };
	static const enum np_layer v6udp[] = { NP_L_LINK, NP_L_IP6, NP_L_UDP };
	static const enum np_layer arp[] = { NP_L_LINK, NP_L_ARP };
	static const enum np_layer link[] = { NP_L_LINK }; /* nothing known above it: "other" */
	layers(&p, v4tcp, 3);
	np_stats_count(&c, &p);
	layers(&p, v6udp, 3);
	np_stats_count(&c, &p);
	layers(&p, arp, 2);
	np_stats_count(&c, &p);
	layers(&p, link, 1);
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
