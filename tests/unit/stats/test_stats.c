/* test_stats.c - the collector of `netprobe stats` (src/stats/): the interval a time falls in,
 * the I/O table fed with packets, UDP conversations both ways, endpoints, and the order and cut
 * of the tables (--sort, --top), ties in first-seen order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "netprobe/decode.h"
#include "netprobe/stats.h"
#include "testutil.h"

/* An Ethernet + IPv4 + UDP frame from 10.0.0.<s>:<sp> to 10.0.0.<d>:<dp> with `pay` bytes. */
static uint32_t udp_frame(uint8_t *f, uint8_t s, uint8_t d, uint16_t sp, uint16_t dp, uint16_t pay)
{
	memset(f, 0, 14 + 28 + pay);
	f[12] = 0x08;                          /* EtherType IPv4 */
	uint8_t *ip = f + 14;
	ip[0] = 0x45;                          /* version 4, IHL 5 */
	t_put16(ip + 2, (uint16_t)(28 + pay)); /* total length */
	ip[8] = 64;                            /* TTL */
	ip[9] = 17;                            /* UDP */
	ip[12] = 10, ip[15] = s;               /* source 10.0.0.s */
	ip[16] = 10, ip[19] = d;               /* destination 10.0.0.d */
	t_fix_ip4(ip);
	t_put16(ip + 20, sp);                  /* source port */
	t_put16(ip + 22, dp);                  /* destination port */
	t_put16(ip + 24, (uint16_t)(8 + pay)); /* UDP length; checksum 0: none */
	return 14 + 28 + pay;
}

static struct np_stats *make(int64_t interval_us, enum np_stats_sort sort, uint32_t top)
{
	struct np_stats_opts o = { .conv = NP_SC_ALL, .tables = NP_ST_ALL, .sort = sort, .top = top,
				   .interval_us = interval_us, .max_rows = 64 };
	struct np_stats *s = np_stats_new(&o);
	assert_non_null(s);
	return s;
}

/* One datagram at time sec.usec. */
static void feed(struct np_stats *s, int64_t sec, uint32_t usec, uint8_t src, uint8_t dst,
		 uint16_t sp, uint16_t dp, uint16_t pay)
{
	static uint8_t buf[2048];
	static struct np_packet p;
	static uint64_t n;
	struct np_frame f = { .n = ++n, .ts_sec = sec, .ts_usec = usec, .dlt = 1, .data = buf };
	f.caplen = f.len = udp_frame(buf, src, dst, sp, dp, pay);
	np_decode(&f, &p);
	np_stats_packet(s, &p, NULL);
}

static void test_interval_of(void **state)
{
	(void)state;
	assert_int_equal(np_stats_interval_of(1000000, 1000000, 1000000), 0);
	assert_int_equal(np_stats_interval_of(1000000, 1999999, 1000000), 0);
	assert_int_equal(np_stats_interval_of(1000000, 2000000, 1000000), 1);
	assert_int_equal(np_stats_interval_of(0, 250000, 100000), 2);
	assert_int_equal(np_stats_interval_of(1000000, 999999, 1000000), -1); /* before the first */
	assert_int_equal(np_stats_interval_of(0, 5, 0), -1);                  /* no interval */
}

static void test_io_table(void **state)
{
	(void)state;
	struct np_stats *s = make(500000, NP_SORT_FIRST, 0);
	feed(s, 100, 0, 1, 2, 1000, 53, 10);      /* interval 0, new conversation */
	feed(s, 100, 499999, 2, 1, 53, 1000, 20); /* 0, the same one back */
	feed(s, 101, 600000, 1, 3, 1001, 53, 0);  /* 3 (1.6 s), new; 1 and 2 stay empty */
	feed(s, 99, 0, 1, 2, 1000, 53, 0);        /* before the first: counted in 0 */
	struct np_stats_view v;
	np_stats_view(s, &v);
	assert_int_equal(v.nio, 4);
	assert_int_equal(v.io[0].frames, 3);
	assert_int_equal(v.io[0].bytes, 52 + 62 + 42);
	assert_int_equal(v.io[0].new_conv, 1);
	assert_int_equal(v.io[1].frames, 0);
	assert_int_equal(v.io[2].frames, 0);
	assert_int_equal(v.io[3].frames, 1);
	assert_int_equal(v.io[3].new_conv, 1);
	assert_int_equal(v.io_early, 1);
	assert_int_equal(v.frames, 4);
	np_stats_free(s);
}

static void test_conversations_and_endpoints(void **state)
{
	(void)state;
	struct np_stats *s = make(1000000, NP_SORT_FIRST, 0);
	feed(s, 10, 0, 1, 2, 1000, 53, 10);
	feed(s, 10, 1000, 2, 1, 53, 1000, 20);
	feed(s, 10, 3000, 2, 1, 53, 1000, 20);
	struct np_stats_view v;
	np_stats_view(s, &v);
	/* one IP conversation (its layer comes first) and one UDP conversation */
	assert_int_equal(v.nconv, 2);
	assert_int_equal(v.conv[0].proto, NP_L_IP4);
	const struct np_stats_conv *c = &v.conv[1];
	assert_int_equal(c->proto, NP_L_UDP);
	assert_int_equal(c->a.addr[3], 1);          /* A: the first datagram's source */
	assert_int_equal(c->a.port, 1000);
	assert_int_equal(c->frames[0], 1);
	assert_int_equal(c->bytes[0], 52);
	assert_int_equal(c->frames[1], 2);
	assert_int_equal(c->bytes[1], 124);
	assert_int_equal(c->last_us - c->first_us, 3000);
	assert_int_equal(v.nep, 2);
	assert_int_equal(v.ep[0].frames[0], 1);     /* 10.0.0.1 sent one, received two */
	assert_int_equal(v.ep[0].frames[1], 2);
	assert_int_equal(v.ep[1].bytes[0], 124);
	np_stats_free(s);
}

/* Rows made by hand: order, sort keys and ties. */
static void test_order_conv(void **state)
{
	(void)state;
	struct np_stats_conv c[4];
	memset(c, 0, sizeof c);
	uint64_t bytes[4] = { 100, 300, 300, 50 };
	uint64_t frames[4] = { 9, 1, 2, 3 };
	int64_t dur[4] = { 5, 1, 7, 7 };
	for (int i = 0; i < 4; i++) {
		c[i].proto = i == 3 ? NP_L_UDP : NP_L_TCP;
		c[i].order = (uint32_t)i;
		c[i].bytes[1] = bytes[i];
		c[i].frames[0] = frames[i];
		c[i].first_us = 10;
		c[i].last_us = 10 + dur[i];
	}
	uint32_t idx[4];
	/* first seen */
	assert_int_equal(np_stats_order_conv(c, 4, NP_SC_ALL, NP_SORT_FIRST, 0, idx), 4);
	assert_int_equal(idx[0], 0);
	assert_int_equal(idx[3], 3);
	/* bytes, the tie (1 and 2) in first-seen order */
	assert_int_equal(np_stats_order_conv(c, 4, NP_SC_ALL, NP_SORT_BYTES, 0, idx), 4);
	assert_int_equal(idx[0], 1);
	assert_int_equal(idx[1], 2);
	assert_int_equal(idx[2], 0);
	assert_int_equal(idx[3], 3);
	/* packets, TCP only, top 2 */
	assert_int_equal(np_stats_order_conv(c, 4, NP_SC_TCP, NP_SORT_PACKETS, 2, idx), 2);
	assert_int_equal(idx[0], 0);
	assert_int_equal(idx[1], 2);
	/* duration: 2 and 3 tie at 7 */
	assert_int_equal(np_stats_order_conv(c, 4, NP_SC_ALL, NP_SORT_DURATION, 3, idx), 3);
	assert_int_equal(idx[0], 2);
	assert_int_equal(idx[1], 3);
	assert_int_equal(idx[2], 0);
	/* UDP only */
	assert_int_equal(np_stats_order_conv(c, 4, NP_SC_UDP, NP_SORT_BYTES, 0, idx), 1);
	assert_int_equal(idx[0], 3);
	/* none */
	assert_int_equal(np_stats_order_conv(c, 0, NP_SC_ALL, NP_SORT_BYTES, 5, idx), 0);
}

static void test_order_endpoints(void **state)
{
	(void)state;
	struct np_stats_endpoint e[3];
	memset(e, 0, sizeof e);
	e[0] = (struct np_stats_endpoint){ .ver = 4, .order = 0, .frames = { 1, 1 }, .bytes = { 10, 0 } };
	e[1] = (struct np_stats_endpoint){ .ver = 4, .order = 1, .frames = { 5, 0 }, .bytes = { 5, 5 } };
	e[2] = (struct np_stats_endpoint){ .ver = 6, .order = 2, .frames = { 0, 1 }, .bytes = { 0, 90 } };
	uint32_t idx[3];
	assert_int_equal(np_stats_order_ep(e, 3, NP_SORT_BYTES, 0, idx), 3);
	assert_int_equal(idx[0], 2);
	assert_int_equal(idx[1], 0);
	assert_int_equal(idx[2], 1);
	assert_int_equal(np_stats_order_ep(e, 3, NP_SORT_PACKETS, 1, idx), 1);
	assert_int_equal(idx[0], 1);
	/* duration means nothing for an endpoint: by bytes */
	assert_int_equal(np_stats_order_ep(e, 3, NP_SORT_DURATION, 2, idx), 2);
	assert_int_equal(idx[0], 2);
	assert_int_equal(idx[1], 0);
}

/* A full table counts what it could not keep, and keeps what it has. */
static void test_bounded(void **state)
{
	(void)state;
	struct np_stats_opts o = { .conv = NP_SC_UDP, .tables = NP_ST_ALL, .interval_us = 1000000,
				   .max_rows = 16 };
	struct np_stats *s = np_stats_new(&o);
	assert_non_null(s);
	for (uint16_t i = 0; i < 20; i++)
		feed(s, 1, i, 1, 2, (uint16_t)(2000 + i), 53, 0);
	struct np_stats_view v;
	np_stats_view(s, &v);
	assert_int_equal(v.nconv, 16);
	assert_int_equal(v.conv_full, 4);
	assert_int_equal(v.nep, 2);
	assert_int_equal(v.io[0].new_conv, 16);
	np_stats_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interval_of),
		cmocka_unit_test(test_io_table),
		cmocka_unit_test(test_conversations_and_endpoints),
		cmocka_unit_test(test_order_conv),
		cmocka_unit_test(test_order_endpoints),
		cmocka_unit_test(test_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
