/* test_reasm.c - the TCP reassembler (src/track/reasm.c) on hand-built segment sequences: in
 * order, out of order, copies, overlaps (same and differing bytes, waiting and delivered, older
 * than the history), gaps (missing, cut by the snaplen, given up for a cap), SACK, zero-window
 * probes, keep-alives, the 2^32 wrap, a mid-stream start, the caps; and random segmentations,
 * orders and losses checked against the stream they came from. */
#include "testutil.h"
#include "netprobe/reasm.h"

#define OUT_MAX 8192
#define EV_MAX 64

/* What the sink heard: each direction's bytes (gaps as '#'), and the gaps and conflicts. */
struct got {
	uint8_t bytes[2][OUT_MAX];
	uint64_t n[2];
	struct np_rchunk gap[EV_MAX], conflict[EV_MAX];
	unsigned ngap, nconflict;
	uint8_t conflict_data[EV_MAX][16];
};

static void sink(void *arg, const struct np_rchunk *ch)
{
	struct got *g = arg;
	if (ch->kind == NP_RC_CONFLICT) {
		assert_true(g->nconflict < EV_MAX);
		memcpy(g->conflict_data[g->nconflict], ch->data, ch->len < 16 ? ch->len : 16);
		g->conflict[g->nconflict++] = *ch;
		return;
	}
	assert_int_equal(ch->off, g->n[ch->dir]); /* in order, nothing twice, nothing skipped */
	if (ch->kind == NP_RC_GAP) {
		assert_true(g->ngap < EV_MAX);
		g->gap[g->ngap++] = *ch;
	}
	for (uint32_t i = 0; i < ch->len; i++) {
		if (g->n[ch->dir] < OUT_MAX)
			g->bytes[ch->dir][g->n[ch->dir]] = ch->kind == NP_RC_DATA ? ch->data[i] : '#';
		g->n[ch->dir]++;
	}
}

struct fix {
	struct np_reasm *r;
	struct np_rconv *c;
	struct got g;
};

static struct fix *fix_new(size_t conv_mem, size_t total_mem, size_t history)
{
	struct fix *f = calloc(1, sizeof *f);
	struct np_reasm_opts o;
	np_reasm_defaults(&o);
	if (conv_mem)
		o.conv_mem = conv_mem;
	if (total_mem)
		o.total_mem = total_mem;
	if (history != (size_t)-1)
		o.history = history;
	f->r = np_reasm_new(&o);
	f->c = np_reasm_conv_new(f->r);
	assert_non_null(f->c);
	return f;
}

/* Frees everything and checks that every byte charged was given back. */
static void fix_free(struct fix *f)
{
	struct np_reasm_stats st;
	np_reasm_conv_free(f->r, f->c);
	np_reasm_stats(f->r, &st);
	assert_int_equal(st.mem, 0);
	np_reasm_free(f->r);
	free(f);
}

static void seg_cap(struct fix *f, int dir, uint32_t seq, uint16_t flags, const char *data,
		    uint32_t caplen)
{
	struct np_rseg s = { .seq = seq, .flags = flags, .len = (uint32_t)strlen(data),
			     .caplen = caplen, .data = (const uint8_t *)data };
	np_reasm_segment(f->r, f->c, dir, &s, sink, &f->g);
}

static void seg(struct fix *f, int dir, uint32_t seq, uint16_t flags, const char *data)
{
	seg_cap(f, dir, seq, flags, data, (uint32_t)strlen(data));
}

static void close_(struct fix *f)
{
	np_reasm_close(f->r, f->c, sink, &f->g);
}

static void expect(const struct fix *f, int dir, const char *s)
{
	assert_int_equal(f->g.n[dir], strlen(s));
	assert_memory_equal(f->g.bytes[dir], s, strlen(s));
}

static struct np_reasm_stats stats(const struct fix *f)
{
	struct np_reasm_stats st;
	np_reasm_stats(f->r, &st);
	return st;
}

#define ISN 1000u
#define SYN NP_TCP_SYN
#define FIN NP_TCP_FIN

static void test_in_order(void **state)
{
	(void)state;
	struct fix *f = fix_new(0, 0, (size_t)-1);
	seg(f, 0, ISN, SYN, "");
	seg(f, 1, 5000, SYN, "");
	seg(f, 0, ISN + 1, 0, "dog");
	seg(f, 1, 5001, 0, "Welcome!");
	seg(f, 1, 5009, 0, "Hello, dog!");
	seg(f, 0, ISN + 4, FIN, "");
	close_(f);
	expect(f, 0, "dog");
	expect(f, 1, "Welcome!Hello, dog!");
	assert_int_equal(f->g.ngap, 0);
	assert_int_equal(np_reasm_delivered(f->c, 1), 19);
	fix_free(f);
}

static void test_out_of_order(void **state)
{
	(void)state;
	struct fix *f = fix_new(0, 0, (size_t)-1);
	seg(f, 0, ISN, SYN, "");
	seg(f, 0, ISN + 7, 0, "ghi");
	seg(f, 0, ISN + 4, 0, "def");
	assert_int_equal(f->g.n[0], 0); /* nothing before the first bytes came */
	assert_int_equal(np_reasm_pending(f->c, 0), 6);
	seg(f, 0, ISN + 1, 0, "abc");
	expect(f, 0, "abcdefghi");
	assert_int_equal(np_reasm_pending(f->c, 0), 0);
	fix_free(f);
}

static void test_retransmission_same(void **state)
{
	(void)state;
	struct fix *f = fix_new(0, 0, (size_t)-1);
	seg(f, 0, ISN, SYN, "");
	seg(f, 0, ISN + 1, 0, "abcdef");
	seg(f, 0, ISN + 1, 0, "abcdef"); /* a plain retransmission */
	seg(f, 0, ISN + 4, 0, "defgh");  /* overlaps the end, adds two */
	close_(f);
	expect(f, 0, "abcdefgh");
	assert_int_equal(stats(f).retrans_bytes, 9);
	assert_int_equal(f->g.nconflict, 0);
	fix_free(f);
}

/* Every way a later copy can lie over waiting bytes: inside, covering, straddling either end,
 * spanning two waiting nodes and the hole between them. */
static void test_overlap_kinds_waiting(void **state)
{
	(void)state;
	struct fix *f = fix_new(0, 0, (size_t)-1);
	seg(f, 0, ISN, SYN, "");
	seg(f, 0, ISN + 5, 0, "efgh");     /* [4,8) waiting */
	seg(f, 0, ISN + 11, 0, "klm");     /* [10,13) waiting */
	seg(f, 0, ISN + 6, 0, "fg");       /* inside */
	seg(f, 0, ISN + 4, 0, "defghij");  /* covers [3,10): fills both sides of [4,8) */
	seg(f, 0, ISN + 12, 0, "lmno");    /* straddles the end of [10,13) */
	seg(f, 0, ISN + 1, 0, "abc");
	expect(f, 0, "abcdefghijklmno");
	assert_int_equal(f->g.nconflict, 0);
	fix_free(f);
}

/* A later copy with different bytes over a waiting first copy: first kept, flagged. */
static void test_overlap_differs_waiting(void **state)
{
	(void)state;
	struct fix *f = fix_new(0, 0, (size_t)-1);
	seg(f, 0, ISN, SYN, "");
	seg(f, 0, ISN + 4, 0, "GET /");
	seg(f, 0, ISN + 4, 0, "GEX /abc"); /* 'X' differs; "abc" is new */
	seg(f, 0, ISN + 1, 0, "123");
	expect(f, 0, "123GET /abc");
	assert_int_equal(f->g.nconflict, 1);
	assert_int_equal(f->g.conflict[0].off, 5);
	assert_int_equal(f->g.conflict[0].len, 1);
	assert_int_equal(f->g.conflict_data[0][0], 'X'); /* the copy that was not kept */
	assert_int_equal(stats(f).conflict_bytes, 1);
	fix_free(f);
}

/* ...over delivered bytes still in the history: the same. */
static void test_overlap_differs_delivered(void **state)
{
	(void)state;
	struct fix *f = fix_new(0, 0, (size_t)-1);
	seg(f, 1, 7, SYN, "");
	seg(f, 1, 8, 0, "HTTP/1.1 200 OK\r\n");
	seg(f, 1, 8 + 9, 0, "404 No\r\nX"); /* rewrites "200 OK" and adds "X" */
	close_(f);
	expect(f, 1, "HTTP/1.1 200 OK\r\nX");
	assert_int_equal(f->g.nconflict, 1);
	assert_int_equal(f->g.conflict[0].dir, 1);
	assert_int_equal(f->g.conflict[0].off, 9);
	assert_int_equal(f->g.conflict[0].len, 6);
	assert_memory_equal(f->g.conflict_data[0], "404 No", 6);
	fix_free(f);
}

/* ...older than the history: counted as not verifiable, never as a conflict. */
static void test_overlap_older_than_history(void **state)
{
	(void)state;
	struct fix *f = fix_new(0, 0, 0); /* no history at all */
	seg(f, 0, ISN, SYN, "");
	seg(f, 0, ISN + 1, 0, "abcdef");
	seg(f, 0, ISN + 1, 0, "XXXXXX");
	close_(f);
	expect(f, 0, "abcdef");
	assert_int_equal(f->g.nconflict, 0);
	assert_int_equal(stats(f).unverified_bytes, 6);
	fix_free(f);
}

/* A segment never captured: a gap of its size, in its place, at the close; not invented. */
static void test_gap_missing(void **state)
{
	(void)state;
	struct fix *f = fix_new(0, 0, (size_t)-1);
	seg(f, 0, ISN, SYN, "");
	seg(f, 0, ISN + 1, 0, "abc");
	seg(f, 0, ISN + 8, 0, "hij");
	expect(f, 0, "abc");
	close_(f);
	expect(f, 0, "abc####hij");
	assert_int_equal(f->g.ngap, 1);
	assert_int_equal(f->g.gap[0].off, 3);
	assert_int_equal(f->g.gap[0].len, 4);
	assert_int_equal(f->g.gap[0].why, NP_GAP_MISSING);
	assert_int_equal(np_reasm_delivered(f->c, 0), 6);
	fix_free(f);
}

/* The last segment never captured: its FIN (or the peer's SACK) says how much was sent. */
static void test_gap_trailing(void **state)
{
	(void)state;
	struct fix *f = fix_new(0, 0, (size_t)-1);
	seg(f, 0, ISN, SYN, "");
	seg(f, 0, ISN + 1, 0, "abc");
	seg(f, 0, ISN + 9, FIN, "");  /* FIN at 8: bytes 3..7 were sent */
	struct np_rseg s = { .seq = 1, .nsack = 1, .sack = { { ISN + 12, ISN + 20 } } };
	np_reasm_segment(f->r, f->c, 1, &s, sink, &f->g); /* the peer saw up to 19 (no FIN) */
	close_(f);
	expect(f, 0, "abc################");
	assert_int_equal(f->g.ngap, 1);
	assert_int_equal(f->g.gap[0].len, 16);
	fix_free(f);
}

static void test_gap_cut(void **state)
{
	(void)state;
	struct fix *f = fix_new(0, 0, (size_t)-1);
	seg(f, 0, ISN, SYN, "");
	seg_cap(f, 0, ISN + 1, 0, "abcdef", 2); /* the snaplen kept two */
	seg(f, 0, ISN + 7, 0, "gh");
	expect(f, 0, "ab####gh");
	assert_int_equal(f->g.gap[0].why, NP_GAP_CUT);
	assert_int_equal(stats(f).cut_bytes, 4);
	fix_free(f);
}

/* SACK: the receiver reports a hole; the retransmission fills it; delivery in order. */
static void test_sack_hole_filled(void **state)
{
	(void)state;
	struct fix *f = fix_new(0, 0, (size_t)-1);
	seg(f, 0, ISN, SYN, "");
	seg(f, 1, 50, SYN, "");
	seg(f, 0, ISN + 1, 0, "aaaa");
	seg(f, 0, ISN + 9, 0, "cccc"); /* "bbbb" lost on the way */
	struct np_rseg s = { .seq = 51, .nsack = 1, .sack = { { ISN + 9, ISN + 13 } } };
	np_reasm_segment(f->r, f->c, 1, &s, sink, &f->g);
	expect(f, 0, "aaaa");
	seg(f, 0, ISN + 5, 0, "bbbb");
	close_(f);
	expect(f, 0, "aaaabbbbcccc");
	assert_int_equal(f->g.ngap, 0);
	fix_free(f);
}

/* A zero-window probe carries the next byte; it comes again in the next segment. */
static void test_zero_window_probe(void **state)
{
	(void)state;
	struct fix *f = fix_new(0, 0, (size_t)-1);
	seg(f, 0, ISN, SYN, "");
	seg(f, 0, ISN + 1, 0, "abc");
	seg(f, 0, ISN + 4, 0, "d");    /* the probe */
	seg(f, 0, ISN + 4, 0, "d");    /* probed again */
	seg(f, 0, ISN + 4, 0, "defg"); /* window open: the byte again with more */
	close_(f);
	expect(f, 0, "abcdefg");
	assert_int_equal(f->g.nconflict, 0);
	fix_free(f);
}

/* A keep-alive: seq = next - 1 with one garbage byte; neither data nor a conflict. */
static void test_keepalive(void **state)
{
	(void)state;
	struct fix *f = fix_new(0, 0, (size_t)-1);
	seg(f, 0, ISN, SYN, "");
	seg(f, 0, ISN + 1, 0, "abc");
	seg(f, 0, ISN + 3, 0, "\x01");
	seg(f, 0, ISN + 3, 0, "");
	seg(f, 0, ISN + 4, 0, "d");
	close_(f);
	expect(f, 0, "abcd");
	assert_int_equal(f->g.nconflict, 0);
	assert_int_equal(stats(f).keepalives, 2);
	fix_free(f);
}

/* Sequence numbers wrap at 2^32: in order, out of order and a gap across the wrap. */
static void test_wraparound(void **state)
{
	(void)state;
	struct fix *f = fix_new(0, 0, (size_t)-1);
	seg(f, 0, 0xfffffff9u, SYN, "");    /* data starts at 0xfffffffa */
	seg(f, 0, 0x00000002u, 0, "ijkl");  /* after the wrap, first */
	seg(f, 0, 0xfffffffau, 0, "abcd");
	seg(f, 0, 0xfffffffeu, 0, "efgh");  /* crosses 2^32 */
	expect(f, 0, "abcdefghijkl");
	seg(f, 0, 0x0000000au, 0, "st");    /* after a hole of 4 */
	close_(f);
	expect(f, 0, "abcdefghijkl####st");
	fix_free(f);
}

/* More than 4 GiB of sequence space: the offset keeps counting past the second wrap. */
static void test_wraparound_long(void **state)
{
	(void)state;
	struct fix *f = fix_new(0, 0, 0);
	static uint8_t buf[65536];
	memset(buf, 'z', sizeof buf);
	seg(f, 0, 0x80000000u, SYN, "");
	uint32_t seq = 0x80000001u;
	for (int i = 0; i < 70000; i++) { /* 4.6 GB through the sequence space */
		struct np_rseg s = { .seq = seq, .len = sizeof buf, .caplen = sizeof buf, .data = buf };
		np_reasm_segment(f->r, f->c, 0, &s, NULL, NULL);
		seq += sizeof buf;
	}
	assert_int_equal(np_reasm_delivered(f->c, 0), (uint64_t)70000 * sizeof buf);
	assert_int_equal(np_reasm_pending(f->c, 0), 0);
	fix_free(f);
}

/* The capture starts mid-stream: the first byte seen is offset 0; a retransmission of bytes
 * before it is not reported as data. */
static void test_midstream(void **state)
{
	(void)state;
	struct fix *f = fix_new(0, 0, (size_t)-1);
	seg(f, 1, 777777, 0, "world");
	seg(f, 1, 777771, 0, "hello world"); /* six bytes from before the capture began */
	seg(f, 1, 777782, 0, "!");
	close_(f);
	expect(f, 1, "world!");
	assert_int_equal(stats(f).before_start, 6);
	fix_free(f);
}

static void test_implausible(void **state)
{
	(void)state;
	struct fix *f = fix_new(0, 0, (size_t)-1);
	seg(f, 0, ISN, SYN, "");
	seg(f, 0, ISN + 1, 0, "ab");
	seg(f, 0, ISN + 0x50000000u, 0, "zz"); /* 1.25 GiB ahead: a mangled number */
	close_(f);
	expect(f, 0, "ab");
	assert_int_equal(stats(f).implausible, 1);
	fix_free(f);
}

/* The per-conversation cap: waiting bytes beyond it make the reassembler give up the oldest
 * hole as a NP_GAP_LIMIT gap; the bytes that come later for it are counted, not delivered. */
static void test_conv_cap(void **state)
{
	(void)state;
	struct fix *f = fix_new(600, 0, 0);
	static char blk[201];
	seg(f, 0, ISN, SYN, "");
	for (int i = 0; i < 4; i++) {
		memset(blk, 'a' + i, 200);
		seg(f, 0, ISN + 11 + 200 * (uint32_t)i, 0, blk); /* [10+200i, 210+200i) waiting */
	}
	struct np_reasm_stats st = stats(f);
	assert_int_equal(st.forced_gaps, 1);
	assert_true(st.mem <= 600 + 512); /* the cap plus the conversation's own struct */
	assert_int_equal(f->g.gap[0].why, NP_GAP_LIMIT);
	assert_int_equal(f->g.gap[0].off, 0);
	assert_int_equal(f->g.gap[0].len, 10);
	seg(f, 0, ISN + 1, 0, "0123456789"); /* too late */
	assert_int_equal(stats(f).late_bytes, 10);
	close_(f);
	assert_int_equal(f->g.n[0], 810);
	assert_int_equal(np_reasm_delivered(f->c, 0), 800);
	fix_free(f);
}

/* The total cap: a conversation state is refused when it is reached; memory is given back. */
static void test_total_cap(void **state)
{
	(void)state;
	struct np_reasm_opts o;
	np_reasm_defaults(&o);
	o.total_mem = 3000;
	struct np_reasm *r = np_reasm_new(&o);
	struct np_rconv *c[64];
	unsigned n = 0;
	while (n < 64 && (c[n] = np_reasm_conv_new(r)))
		n++;
	assert_true(n > 0 && n < 64);
	struct np_reasm_stats st;
	np_reasm_stats(r, &st);
	assert_true(st.mem <= 3000);
	while (n)
		np_reasm_conv_free(r, c[--n]);
	np_reasm_stats(r, &st);
	assert_int_equal(st.mem, 0);
	np_reasm_free(r);
}

/* Both directions are independent streams. */
static void test_directions(void **state)
{
	(void)state;
	struct fix *f = fix_new(0, 0, (size_t)-1);
	seg(f, 0, 10, SYN, "");
	seg(f, 1, 10, SYN, "");
	seg(f, 1, 14, 0, "456");
	seg(f, 0, 11, 0, "abc");
	seg(f, 1, 11, 0, "123");
	close_(f);
	expect(f, 0, "abc");
	expect(f, 1, "123456");
	fix_free(f);
}

/* A small LCG: the same rounds every run. */
static uint32_t rnd_next(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return (*s >> 8) & 0xffff;
}
#define RND() rnd_next(&rnd)

/* Random segmentations of a stream, sent in a random order with copies and losses: the data
 * delivered is the stream where a byte came, '#' where none did, in order, each byte once. */
static void test_random(void **state)
{
	(void)state;
	uint32_t rnd = 12345;
	for (int round = 0; round < 300; round++) {
		static uint8_t stream[4000];
		static bool came[4000];
		struct { uint32_t off, len; } segs[400];
		unsigned nseg = 0;
		uint32_t hi = RND(), lo = RND();
		uint32_t isn = hi << 16 | lo, total = 1000 + RND() % 3000;
		for (uint32_t i = 0; i < total; i++)
			stream[i] = (uint8_t)('A' + RND() % 26);
		for (uint32_t off = 0; off < total && nseg < 400;) {
			uint32_t len = 1 + RND() % 60;
			if (off + len > total)
				len = total - off;
			segs[nseg].off = off;
			segs[nseg++].len = len;
			off += len;
		}
		for (unsigned i = 0; i < nseg; i++) { /* shuffle, locally */
			unsigned j = i + RND() % 4;
			if (j < nseg) {
				__typeof__(segs[0]) t = segs[i];
				segs[i] = segs[j];
				segs[j] = t;
			}
		}
		struct fix *f = fix_new(round % 3 ? 0 : 100000, 0, (size_t)-1);
		memset(came, 0, sizeof came);
		seg(f, 0, isn, SYN, "");
		for (unsigned i = 0; i < nseg; i++) {
			if (RND() % 10 == 0)
				continue; /* lost */
			for (int copy = 0; copy < 1 + (RND() % 5 == 0); copy++) {
				uint32_t shift = copy ? RND() % 10 : 0;
				uint32_t off = segs[i].off - (shift <= segs[i].off ? shift : 0);
				uint32_t len = segs[i].off + segs[i].len - off;
				struct np_rseg s = { .seq = isn + 1 + off, .len = len, .caplen = len,
						     .data = stream + off };
				np_reasm_segment(f->r, f->c, 0, &s, sink, &f->g);
				for (uint32_t k = off; k < off + len; k++)
					came[k] = true;
			}
		}
		close_(f);
		uint32_t last = total;
		while (last && !came[last - 1])
			last--;
		assert_int_equal(f->g.n[0], last);
		for (uint32_t i = 0; i < last; i++)
			assert_int_equal(f->g.bytes[0][i], came[i] ? stream[i] : '#');
		assert_int_equal(f->g.nconflict, 0);
		fix_free(f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_out_of_order),
		cmocka_unit_test(test_retransmission_same),
		cmocka_unit_test(test_overlap_kinds_waiting),
		cmocka_unit_test(test_overlap_differs_waiting),
		cmocka_unit_test(test_overlap_differs_delivered),
		cmocka_unit_test(test_overlap_older_than_history),
		cmocka_unit_test(test_gap_missing),
		cmocka_unit_test(test_gap_trailing),
		cmocka_unit_test(test_gap_cut),
		cmocka_unit_test(test_sack_hole_filled),
		cmocka_unit_test(test_zero_window_probe),
		cmocka_unit_test(test_keepalive),
		cmocka_unit_test(test_wraparound),
		cmocka_unit_test(test_wraparound_long),
		cmocka_unit_test(test_midstream),
		cmocka_unit_test(test_implausible),
		cmocka_unit_test(test_conv_cap),
		cmocka_unit_test(test_total_cap),
		cmocka_unit_test(test_directions),
		cmocka_unit_test(test_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
