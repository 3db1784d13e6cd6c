/* test_apppdu.c - messages spanning TCP segments (apppdu.c): a DNS message over TCP in two
 * segments decoded on the second, a retransmitted piece ignored, a gap abandoning the message,
 * many conversations at once (the slots' index, eviction), and the counters. */
#include "testutil.h"

#include "netprobe/apppdu.h"

/* IPv4 10.77.2.2:53 -> 10.77.2.1:40000, TCP, `n` bytes of `data`. */
static uint32_t seg(uint8_t *f, const uint8_t *data, uint32_t n)
{
	static const uint8_t tmpl[] = {
		0x45, 0, 0, 0, 0, 1, 0, 0, 64, 6, 0, 0, 10, 77, 2, 2, 10, 77, 2, 1,
		0, 53, 0x9c, 0x40, 0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0,
	};
	memcpy(f, tmpl, sizeof tmpl);
	memcpy(f + sizeof tmpl, data, n);
	t_put16(f + 2, (uint16_t)(sizeof tmpl + n));
	t_fix_ip4(f);
	t_fix_l4_ip4(f, 16);
	return (uint32_t)sizeof tmpl + n;
}

/* A DNS response over TCP: length prefix 39, the header, www.a. A, one answer A 10.0.0.1. */
static const uint8_t msg[] = {
	0, 39, 0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
	3, 'w', 'w', 'w', 1, 'a', 0, 0, 1, 0, 1,
	0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 1,
};

static void feed_in(struct np_apppdu *pd, struct t_pkt *t, const uint8_t *d, uint32_t n,
		    uint64_t no, uint32_t rel_seq, uint32_t conv, enum np_side from)
{
	uint8_t f[256];
	t_decode(t, DLT_RAW, f, seg(f, d, n));
	t->f.n = no;
	struct np_pkt_track info = { .tcp = true, .rel_valid = true, .conv = conv, .from = from,
				     .rel_seq = rel_seq };
	np_apppdu_packet(pd, &t->p, &info);
	t_free(t);
}

static void feed(struct np_apppdu *pd, struct t_pkt *t, const uint8_t *d, uint32_t n, uint64_t no,
		 uint32_t rel_seq)
{
	feed_in(pd, t, d, n, no, rel_seq, 7, 0);
}

static void test_two_segments(void **state)
{
	(void)state;
	struct np_apppdu *pd = np_apppdu_new();
	assert_non_null(pd);
	struct t_pkt t;
	_Static_assert(sizeof msg == 41, "39 bytes and the prefix");
	feed(pd, &t, msg, 20, 5, 1);
	assert_null(np_pkt_app(&t.p)); /* the first part: a segment of the message */
	assert_int_equal(t.p.pdu.state, NP_PDU_SEGMENT);
	feed(pd, &t, msg, 20, 6, 1); /* the same bytes again: a retransmission, left alone */
	assert_int_equal(t.p.pdu.state, NP_PDU_NONE);
	feed(pd, &t, msg + 20, 21, 7, 21);
	const struct np_pkt_layer *l = np_pkt_app(&t.p);
	assert_non_null(l);
	assert_int_equal(l->kind, NP_L_DNS);
	assert_false(t.p.app.dns.partial);
	assert_int_equal(t.p.app.dns.id, 0x1234);
	assert_int_equal(t.p.app.dns.nrr, 2);
	assert_false(t.p.malformed);
	assert_int_equal(t.p.pdu.state, NP_PDU_DONE);
	assert_int_equal(t.p.pdu.len, 41);
	assert_int_equal(t.p.pdu.nframes, 2);
	assert_int_equal(t.p.pdu.frame[0], 5);
	assert_int_equal(t.p.pdu.bytes[0], 20);
	assert_int_equal(t.p.pdu.frame[1], 7);
	assert_int_equal(t.p.pdu.bytes[1], 21);
	struct np_apppdu_stats st;
	np_apppdu_stats(pd, &st);
	assert_int_equal(st.done, 1);
	assert_int_equal(st.abandoned, 0);
	np_apppdu_free(pd);
}

/* A segment missing between the parts: the message is abandoned, never decoded from wrong
 * bytes; each prefix of the first part starts nothing it cannot finish safely. */
static void test_gap(void **state)
{
	(void)state;
	struct np_apppdu *pd = np_apppdu_new();
	struct t_pkt t;
	feed(pd, &t, msg, 10, 1, 1);
	feed(pd, &t, msg + 20, 21, 2, 21);
	assert_int_equal(t.p.pdu.state, NP_PDU_NONE);
	struct np_apppdu_stats st;
	np_apppdu_stats(pd, &st);
	assert_int_equal(st.abandoned, 1);
	assert_int_equal(st.done, 0);
	for (uint32_t n = 1; n < sizeof msg; n++) {
		feed(pd, &t, msg, n, 10 + n, 1000u * n);
		feed(pd, &t, msg + n, (uint32_t)sizeof msg - n, 100 + n, 1000u * n + n);
		assert_int_equal(t.p.pdu.state, NP_PDU_DONE);
		assert_int_equal(t.p.pdu.len, 41);
	}
	np_apppdu_free(pd);
}

/* Message i of test_many: its conversation (spread, so that the index's probes collide and
 * wrap) and direction. */
static uint32_t conv_of(unsigned i)
{
	return 1000u + i * 40503u;
}

static enum np_side side_of(unsigned i)
{
	return (enum np_side)(i & 1);
}

static void start_msg(struct np_apppdu *pd, unsigned i)
{
	struct t_pkt t;
	feed_in(pd, &t, msg, 20, 1000 + i, 1, conv_of(i), side_of(i));
	assert_int_equal(t.p.pdu.state, NP_PDU_SEGMENT);
}

static int end_msg(struct np_apppdu *pd, unsigned i)
{
	struct t_pkt t;
	feed_in(pd, &t, msg + 20, 21, 5000 + i, 21, conv_of(i), side_of(i));
	return t.p.pdu.state == NP_PDU_DONE && t.p.pdu.len == 41 && t.p.pdu.frame[0] == 1000 + i;
}

/* As many unfinished messages as there are slots, finished in a scrambled order (each found
 * after others have left the index); then more than the slots: the least recently fed give
 * way (counted), the others still finish, and the ones that gave way find nothing. */
static void test_many(void **state)
{
	(void)state;
	struct np_apppdu *pd = np_apppdu_new();
	for (unsigned i = 0; i < NP_APPPDU_SLOTS; i++)
		start_msg(pd, i);
	for (unsigned k = 0; k < NP_APPPDU_SLOTS; k++)
		assert_true(end_msg(pd, (k * 29u) % NP_APPPDU_SLOTS));
	struct np_apppdu_stats st;
	np_apppdu_stats(pd, &st);
	assert_int_equal(st.done, NP_APPPDU_SLOTS);
	assert_int_equal(st.evicted, 0);
	enum { EXTRA = 37 };
	for (unsigned i = 0; i < NP_APPPDU_SLOTS + EXTRA; i++)
		start_msg(pd, 100 + i);
	np_apppdu_stats(pd, &st);
	assert_int_equal(st.evicted, EXTRA);
	for (unsigned i = NP_APPPDU_SLOTS + EXTRA; i-- > EXTRA;)
		assert_true(end_msg(pd, 100 + i));
	for (unsigned i = 0; i < EXTRA; i++)
		assert_false(end_msg(pd, 100 + i));
	np_apppdu_stats(pd, &st);
	assert_int_equal(st.done, 2 * NP_APPPDU_SLOTS);
	assert_int_equal(st.abandoned, 0);
	np_apppdu_free(pd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_segments),
		cmocka_unit_test(test_gap),
		cmocka_unit_test(test_many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
