/* test_pipeline.c - the frame pipeline (src/pipeline/pipeline.c): the order of the output around
 * each packet (what expired before it, the packet, what it caused), the match, the untracked
 * path, and the statistics it hands the summary. A recording printer stands for the real ones. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/dlt.h>

#include "netprobe/pipeline.h"

/* What the printer was told, in order: 'P' a packet (number), 'E' an event (kind). */
struct rec {
	struct np_printer pr; /* first: the ops find the record from it */
	char what[64];
	int64_t arg[64];
	unsigned n;
	bool untracked;
};

static void rec_packet(struct np_printer *pr, const struct np_packet *p,
		       const struct np_pkt_track *trk)
{
	struct rec *r = (struct rec *)(void *)pr;
	r->untracked |= trk == NULL;
	r->what[r->n] = 'P';
	r->arg[r->n++] = (int64_t)p->frame->n;
}

static void rec_event(struct np_printer *pr, const struct np_event *ev)
{
	struct rec *r = (struct rec *)(void *)pr;
	r->what[r->n] = 'E';
	r->arg[r->n++] = ev->kind;
}

static void rec_summary(struct np_printer *pr, const struct np_run_stats *rs)
{
	(void)pr;
	(void)rs;
}

static void rec_close(struct np_printer *pr, const struct np_run_stats *rs, enum np_run_end end)
{
	(void)pr;
	(void)rs;
	(void)end;
}

static const struct np_printer_ops rec_ops = { rec_packet, rec_event, rec_summary, rec_close };

/* A raw IPv4 + TCP segment (no options) from 10.77.0.1:sport to 10.77.0.2:80, or back for a
 * SYN/ACK. */
static void segment(uint8_t f[40], uint16_t sport, uint8_t flags, uint32_t seq, uint32_t ack)
{
	static const uint8_t ip[20] = {
		0x45, 0, 0, 40,     /* version 4, IHL 5, total length 40 */
		0, 1, 0, 0,         /* id 1, no fragment */
		64, 6, 0, 0,        /* TTL 64, TCP, checksum (not filled: only tracked) */
		10, 77, 0, 1,       /* source */
		10, 77, 0, 2,       /* destination */
	};
	memcpy(f, ip, sizeof ip);
	bool reply = flags == 0x12; /* SYN/ACK: the server answers */
	if (reply) {
		f[15] = 2;
		f[19] = 1;
	}
	uint8_t *t = f + 20;
	memset(t, 0, 20);
	uint16_t s = reply ? 80 : sport, d = reply ? sport : 80;
	t[0] = (uint8_t)(s >> 8), t[1] = (uint8_t)s, t[2] = (uint8_t)(d >> 8), t[3] = (uint8_t)d;
	for (int i = 0; i < 4; i++) {
		t[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
		t[8 + i] = (uint8_t)(ack >> (24 - 8 * i));
	}
	t[12] = 5 << 4;      /* data offset 5 */
	t[13] = flags;
	t[14] = 0xff;        /* window 65280 */
}

static void feed(struct np_pipeline *pl, uint64_t n, int64_t sec, uint16_t sport, uint8_t flags,
		 uint32_t seq, uint32_t ack)
{
	uint8_t b[40];
	segment(b, sport, flags, seq, ack);
	struct np_frame f = { .n = n, .ts_sec = sec, .caplen = 40, .len = 40, .dlt = DLT_RAW,
			      .data = b };
	struct np_packet p;
	np_pipeline_frame(pl, &f, &p);
}

static void events_ordered_around_their_packet(void **state)
{
	(void)state;
	struct np_track_opts o;
	np_track_defaults(&o);
	struct np_tracker *t = np_tracker_new(&o);
	struct rec r = { .pr.ops = &rec_ops };
	struct np_match m = { .has_port = false };
	struct np_pipeline pl;
	np_pipeline_init(&pl, &m, t, &r.pr);
	feed(&pl, 1, 1000, 40000, 0x02, 100, 0);      /* SYN */
	feed(&pl, 2, 1000, 40000, 0x12, 500, 101);    /* SYN/ACK */
	feed(&pl, 3, 1000, 40000, 0x10, 101, 501);    /* ACK: the handshake */
	feed(&pl, 4, 1001, 40001, 0x02, 900, 0);      /* a SYN never answered */
	feed(&pl, 5, 1100, 40000, 0x10, 101, 501);    /* 99 s later: the SYN has expired */
	r.what[r.n] = '\0';
	/* P1 state, P2 state, P3 state state handshake, P4 state, unanswered P5 */
	assert_string_equal(r.what, "PEPEPEEEPEEP");
	assert_int_equal(r.arg[7], NP_EV_HANDSHAKE);
	assert_int_equal(r.arg[10], NP_EV_SYN_UNANSWERED);
	assert_int_equal(r.arg[11], 5);
	assert_false(r.untracked);
	struct np_run_stats rs;
	np_pipeline_stats(&pl, 5, &rs);
	assert_int_equal(rs.shown, 5);
	assert_int_equal(rs.track.packets, 5);
	assert_int_equal(rs.track.tcp, 5);
	assert_int_equal(rs.track.completed, 1);
	np_tracker_free(t);
}

static void match_and_untracked(void **state)
{
	(void)state;
	struct rec r = { .pr.ops = &rec_ops };
	struct np_match m = { .has_port = true, .port = 40001 };
	struct np_pipeline pl;
	np_pipeline_init(&pl, &m, NULL, &r.pr);
	feed(&pl, 1, 1000, 40000, 0x02, 100, 0);
	feed(&pl, 2, 1000, 40001, 0x02, 100, 0);
	np_pipeline_finish(&pl);
	r.what[r.n] = '\0';
	assert_string_equal(r.what, "P");
	assert_int_equal(r.arg[0], 2);
	assert_true(r.untracked);
	struct np_run_stats rs;
	np_pipeline_stats(&pl, 2, &rs);
	assert_int_equal(rs.frames, 2);
	assert_int_equal(rs.shown, 1);
	assert_int_equal(rs.track.conversations, 0);
}

/* A probe's reply path: no tracker, no printer; the packet comes back decoded for match(). */
static void unprinted_reply_path(void **state)
{
	(void)state;
	struct np_match m = { .has_port = false };
	struct np_pipeline pl;
	np_pipeline_init(&pl, &m, NULL, NULL);
	uint8_t b[40];
	segment(b, 40000, 0x12, 500, 101);
	struct np_frame f = { .n = 1, .ts_sec = 1000, .caplen = 40, .len = 40, .dlt = DLT_RAW,
			      .data = b };
	struct np_packet p;
	assert_true(np_pipeline_frame(&pl, &f, &p));
	assert_non_null(np_pkt_tcp(&p));
	assert_int_equal(np_pkt_tcp(&p)->dport, 40000);
	np_pipeline_finish(&pl);
	assert_int_equal(pl.shown, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(events_ordered_around_their_packet),
		cmocka_unit_test(match_and_untracked),
		cmocka_unit_test(unprinted_reply_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
