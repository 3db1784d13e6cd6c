/* test_apppair.c - DNS queries and HTTP requests paired with their responses (apppair.c):
 * the frame and time of the request, retransmissions, responses to nothing, pipelining, 1xx,
 * and the bounds (the table's and a conversation's queue) with their counters. */
#include "testutil.h"

#include "netprobe/apppair.h"

static const uint8_t key16[16] = "apppair-test-key";

/* IPv4 10.77.2.1:40000 <-> 10.77.2.2:53 (UDP), a DNS header with one question "a." A. */
static uint32_t dns_frame(uint8_t *f, bool response, uint16_t id, uint16_t cport)
{
	static const uint8_t tmpl[] = {
		0x45, 0, 0, 0, 0, 1, 0, 0, 64, 17, 0, 0, /* IPv4, UDP */
		10, 77, 2, 1, 10, 77, 2, 2,              /* client -> server */
		0, 0, 0, 53, 0, 0, 0, 0,                 /* ports, length, checksum 0 (none) */
		0, 0, 0x01, 0x00,                        /* ID, flags RD */
		0, 1, 0, 0, 0, 0, 0, 0,                  /* 1 question */
		1, 'a', 0, 0, 1, 0, 1,                   /* a. A IN */
	};
	uint32_t n = sizeof tmpl;
	memcpy(f, tmpl, n);
	t_put16(f + 2, (uint16_t)n);
	t_put16(f + 24, (uint16_t)(n - 20));
	t_put16(f + 20, cport);
	t_put16(f + 28, id);
	if (response) { /* swap the addresses and ports, set QR */
		uint8_t a[4];
		memcpy(a, f + 12, 4);
		memcpy(f + 12, f + 16, 4);
		memcpy(f + 16, a, 4);
		t_put16(f + 20, 53);
		t_put16(f + 22, cport);
		f[30] = 0x81;
	}
	t_fix_ip4(f);
	return n;
}

/* IPv4 TCP 10.77.2.1:50000 <-> 10.77.2.2:80 carrying `text`. */
static uint32_t http_frame(uint8_t *f, bool response, const char *text)
{
	static const uint8_t tmpl[] = {
		0x45, 0, 0, 0, 0, 1, 0, 0, 64, 6, 0, 0, 10, 77, 2, 1, 10, 77, 2, 2,
		0xc3, 0x50, 0, 80, 0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0,
	};
	uint32_t n = sizeof tmpl;
	memcpy(f, tmpl, n);
	memcpy(f + n, text, strlen(text));
	n += (uint32_t)strlen(text);
	t_put16(f + 2, (uint16_t)n);
	if (response) {
		uint8_t a[4];
		memcpy(a, f + 12, 4);
		memcpy(f + 12, f + 16, 4);
		memcpy(f + 16, a, 4);
		t_put16(f + 20, 80);
		t_put16(f + 22, 50000);
	}
	t_fix_ip4(f);
	t_fix_l4_ip4(f, 16);
	return n;
}

/* Decode frame number `no` at `us` microseconds and pair it; the packet stays in *t. */
static void feed(struct np_apppair *ap, struct t_pkt *t, const uint8_t *f, uint32_t n, uint64_t no,
		 int64_t us, const struct np_pkt_track *info)
{
	t_decode(t, DLT_RAW, f, n);
	t->f.n = no;
	t->f.ts_sec = 1700000000 + us / 1000000;
	t->f.ts_usec = (uint32_t)(us % 1000000);
	np_apppair_packet(ap, &t->p, info);
	t_free(t);
}

static void test_dns_pair(void **state)
{
	(void)state;
	struct np_apppair *ap = np_apppair_new(0, key16);
	assert_non_null(ap);
	uint8_t f[128];
	struct t_pkt t;
	feed(ap, &t, f, dns_frame(f, false, 0x1a2b, 40000), 1, 0, NULL);
	assert_int_equal(t.p.pair.kind, NP_PAIR_REQUEST);
	assert_false(t.p.pair.retransmit);
	/* another ID and another port: transactions of their own */
	feed(ap, &t, f, dns_frame(f, false, 0x1a2c, 40000), 2, 100, NULL);
	feed(ap, &t, f, dns_frame(f, false, 0x1a2b, 40001), 3, 200, NULL);
	feed(ap, &t, f, dns_frame(f, true, 0x1a2b, 40000), 4, 342, NULL);
	assert_int_equal(t.p.pair.kind, NP_PAIR_RESPONSE);
	assert_int_equal(t.p.pair.req_frame, 1);
	assert_int_equal(t.p.pair.delta_us, 342);
	assert_false(t.p.pair.retransmit);
	feed(ap, &t, f, dns_frame(f, true, 0x1a2b, 40001), 5, 1000400, NULL);
	assert_int_equal(t.p.pair.req_frame, 3);
	assert_int_equal(t.p.pair.delta_us, 1000200);
	/* the same answer again: still the request's, a retransmission */
	feed(ap, &t, f, dns_frame(f, true, 0x1a2b, 40000), 6, 500, NULL);
	assert_int_equal(t.p.pair.kind, NP_PAIR_RESPONSE);
	assert_int_equal(t.p.pair.req_frame, 1);
	assert_true(t.p.pair.retransmit);
	/* an answer to a query never seen */
	feed(ap, &t, f, dns_frame(f, true, 0x7777, 40000), 7, 600, NULL);
	assert_int_equal(t.p.pair.kind, NP_PAIR_UNMATCHED);
	struct np_apppair_stats st;
	np_apppair_stats(ap, &st);
	assert_int_equal(st.requests, 3);
	assert_int_equal(st.paired, 3);
	assert_int_equal(st.unmatched, 1);
	assert_int_equal(st.pending, 1); /* 0x1a2c */
	assert_int_equal(st.evicted, 0);
	np_apppair_free(ap);
}

/* A query sent again before its answer: the first is the request (Wireshark's
 * dns.retransmit_request_in); the answer is timed from the first. After the answer, the same
 * ID starts a new transaction. */
static void test_dns_retransmitted_query(void **state)
{
	(void)state;
	struct np_apppair *ap = np_apppair_new(0, key16);
	uint8_t f[128];
	struct t_pkt t;
	feed(ap, &t, f, dns_frame(f, false, 9, 40000), 1, 0, NULL);
	feed(ap, &t, f, dns_frame(f, false, 9, 40000), 2, 1000000, NULL);
	assert_int_equal(t.p.pair.kind, NP_PAIR_REQUEST);
	assert_true(t.p.pair.retransmit);
	assert_int_equal(t.p.pair.req_frame, 1);
	feed(ap, &t, f, dns_frame(f, true, 9, 40000), 3, 1000100, NULL);
	assert_int_equal(t.p.pair.req_frame, 1);
	assert_int_equal(t.p.pair.delta_us, 1000100);
	feed(ap, &t, f, dns_frame(f, false, 9, 40000), 4, 2000000, NULL);
	assert_false(t.p.pair.retransmit);
	feed(ap, &t, f, dns_frame(f, true, 9, 40000), 5, 2000050, NULL);
	assert_int_equal(t.p.pair.req_frame, 4);
	assert_int_equal(t.p.pair.delta_us, 50);
	assert_false(t.p.pair.retransmit);
	np_apppair_free(ap);
}

/* A table of 4: the fifth query pushes out the least recently used, counted. */
static void test_dns_evicted(void **state)
{
	(void)state;
	struct np_apppair *ap = np_apppair_new(4, key16);
	uint8_t f[128];
	struct t_pkt t;
	for (uint16_t i = 0; i < 5; i++)
		feed(ap, &t, f, dns_frame(f, false, (uint16_t)(100 + i), 40000), 1u + i, i, NULL);
	feed(ap, &t, f, dns_frame(f, true, 100, 40000), 6, 10, NULL);
	assert_int_equal(t.p.pair.kind, NP_PAIR_UNMATCHED);
	feed(ap, &t, f, dns_frame(f, true, 104, 40000), 7, 11, NULL);
	assert_int_equal(t.p.pair.kind, NP_PAIR_RESPONSE);
	assert_int_equal(t.p.pair.req_frame, 5);
	struct np_apppair_stats st;
	np_apppair_stats(ap, &st);
	assert_int_equal(st.evicted, 1);
	assert_int_equal(st.pending, 3);
	assert_int_equal(st.unmatched, 1);
	np_apppair_free(ap);
}

/* Pipelined requests answered in order; a 100 Continue leaves its request waiting; a TCP
 * retransmission is not paired again. */
static void test_http_pipeline(void **state)
{
	(void)state;
	struct np_apppair *ap = np_apppair_new(0, key16);
	uint8_t f[256];
	struct t_pkt t;
	feed(ap, &t, f, http_frame(f, false, "GET /a HTTP/1.1\r\n\r\n"), 4, 0, NULL);
	assert_int_equal(t.p.pair.kind, NP_PAIR_REQUEST);
	assert_int_equal(t.p.pair.number, 1);
	feed(ap, &t, f, http_frame(f, false, "POST /b HTTP/1.1\r\nExpect: 100-continue\r\n\r\n"), 5, 10,
	     NULL);
	assert_int_equal(t.p.pair.number, 2);
	struct np_pkt_track again = { .tcp = true, .analysis = NP_TA_RETRANSMISSION };
	feed(ap, &t, f, http_frame(f, false, "POST /b HTTP/1.1\r\n\r\n"), 6, 20, &again);
	assert_int_equal(t.p.pair.kind, NP_PAIR_NONE);
	feed(ap, &t, f, http_frame(f, true, "HTTP/1.1 200 OK\r\n\r\n"), 7, 3132, NULL);
	assert_int_equal(t.p.pair.kind, NP_PAIR_RESPONSE);
	assert_int_equal(t.p.pair.req_frame, 4);
	assert_int_equal(t.p.pair.delta_us, 3132);
	assert_int_equal(t.p.pair.number, 1);
	feed(ap, &t, f, http_frame(f, true, "HTTP/1.1 100 Continue\r\n\r\n"), 8, 3200, NULL);
	assert_int_equal(t.p.pair.req_frame, 5);
	feed(ap, &t, f, http_frame(f, true, "HTTP/1.1 201 Created\r\n\r\n"), 9, 4010, NULL);
	assert_int_equal(t.p.pair.req_frame, 5);
	assert_int_equal(t.p.pair.delta_us, 4000);
	assert_int_equal(t.p.pair.number, 2);
	feed(ap, &t, f, http_frame(f, true, "HTTP/1.1 200 OK\r\n\r\n"), 10, 5000, NULL);
	assert_int_equal(t.p.pair.kind, NP_PAIR_UNMATCHED);
	struct np_apppair_stats st;
	np_apppair_stats(ap, &st);
	assert_int_equal(st.requests, 2);
	assert_int_equal(st.paired, 3);
	assert_int_equal(st.unmatched, 1);
	assert_int_equal(st.pending, 0);
	np_apppair_free(ap);
}

/* Nine requests unanswered in one conversation: the oldest makes way (counted), and the first
 * answer goes to the second request. */
static void test_http_queue_bound(void **state)
{
	(void)state;
	struct np_apppair *ap = np_apppair_new(0, key16);
	uint8_t f[256];
	struct t_pkt t;
	for (unsigned i = 0; i < NP_APPPAIR_QUEUE + 1; i++)
		feed(ap, &t, f, http_frame(f, false, "GET / HTTP/1.1\r\n\r\n"), 1 + i, i, NULL);
	feed(ap, &t, f, http_frame(f, true, "HTTP/1.1 204 No Content\r\n\r\n"), 20, 100, NULL);
	assert_int_equal(t.p.pair.req_frame, 2);
	assert_int_equal(t.p.pair.number, 2);
	struct np_apppair_stats st;
	np_apppair_stats(ap, &st);
	assert_int_equal(st.evicted, 1);
	assert_int_equal(st.pending, NP_APPPAIR_QUEUE - 1);
	np_apppair_free(ap);
}

/* Packets with no DNS or HTTP, and DNS whose ports were not captured, are left alone. */
static void test_not_paired(void **state)
{
	(void)state;
	struct np_apppair *ap = np_apppair_new(0, key16);
	uint8_t f[128];
	uint32_t n = dns_frame(f, false, 1, 40000);
	struct t_pkt t;
	feed(ap, &t, f, 20, 1, 0, NULL); /* the IPv4 header only */
	assert_int_equal(t.p.pair.kind, NP_PAIR_NONE);
	for (uint32_t cut = 0; cut < n; cut++) { /* every prefix: never an over-read */
		t_decode_ex(&t, DLT_RAW, f, cut, n);
		np_apppair_packet(ap, &t.p, NULL);
		t_free(&t);
	}
	np_apppair_free(ap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dns_pair),
		cmocka_unit_test(test_dns_retransmitted_query),
		cmocka_unit_test(test_dns_evicted),
		cmocka_unit_test(test_http_pipeline),
		cmocka_unit_test(test_http_queue_bound),
		cmocka_unit_test(test_not_paired),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
