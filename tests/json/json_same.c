/* json_same.c - the --json printer (src/print/json.c) against the reference printer it replaced
 * (json_ref.c: the same fields written with fprintf, one call per key and value). Both must
 * write the same bytes, and what they write must be valid JSON (RFC 8259), for:
 *   - every frame of every capture given, tracked as `watch --json` tracks it, with its events
 *     and the run's summary;
 *   - every prefix of the first PREFIX_MAX bytes of each frame (truncation at every field);
 *   - MUTANTS copies of each frame with a few bytes changed (odd values, odd lengths), printed
 *     with the real tracking information and with made-up tracking information;
 *   - every event kind with made-up field values, and a made-up summary, per capture.
 * The made-up values come from a fixed-seed generator, so every run checks the same cases.
 * Usage: json_same FILE|DIR...   Exit 0 when all agree, 1 on the first difference, 2 on usage. */
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "netprobe/pipeline.h"
#include "netprobe/capture.h"
#include "netprobe/decode.h"
#include "netprobe/print.h"
#include "netprobe/track.h"
#include "json_ref.h"


#define PREFIX_MAX 96
#define MUTANTS 6
#define OUT_CAP (1u << 20)

/* ---- a strict JSON reader (RFC 8259): is the text one value? ---- */

static const char *value(const char *p, int depth);

static const char *ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static const char *string(const char *p)
{
	if (*p != '"')
		return NULL;
	for (p++; *p != '"'; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20) /* control characters must be escaped; includes the final NUL */
			return NULL;
		if (c == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 0; i < 4; i++)
					if (!strchr("0123456789abcdefABCDEF", *++p) || !*p)
						return NULL;
			} else if (!*p || !strchr("\"\\/bfnrt", *p)) {
				return NULL;
			}
		}
	}
	return p + 1;
}

static const char *number(const char *p)
{
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return NULL;
	if (*p == '.') {
		if (*++p < '0' || *p > '9')
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (*p < '0' || *p > '9')
			return NULL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return p;
}

static const char *container(const char *p, int depth)
{
	char close = *p == '{' ? '}' : ']';
	bool obj = *p == '{';
	p = ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (obj) {
			if (!(p = string(p)))
				return NULL;
			p = ws(p);
			if (*p != ':')
				return NULL;
			p++;
		}
		if (!(p = value(p, depth + 1)))
			return NULL;
		p = ws(p);
		if (*p == close)
			return p + 1;
		if (*p != ',')
			return NULL;
		p = ws(p + 1);
	}
}

static const char *value(const char *p, int depth)
{
	if (depth > 32)
		return NULL;
	p = ws(p);
	if (*p == '{' || *p == '[')
		return container(p, depth);
	if (*p == '"')
		return string(p);
	if (!strncmp(p, "true", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	if (!strncmp(p, "null", 4))
		return p + 4;
	return number(p);
}

/* ---- the two printers side by side ---- */

struct side {
	char *buf;
	FILE *f;
	struct np_print_ctx pc;
};

struct run {
	struct side ref, now;
	const char *file;
	const char *what;  /* the case being printed, for the report */
	uint64_t frame;
	uint64_t cases, bad;
	uint64_t rng;
	bool newline;      /* the case ends with a newline (JSON Lines), else it is one object */
	char big[6001];    /* a problem text longer than the printer's buffer */
};

static uint64_t rnd(struct run *r)
{
	/* xorshift64*: fixed seed, the same cases every run */
	r->rng ^= r->rng >> 12;
	r->rng ^= r->rng << 25;
	r->rng ^= r->rng >> 27;
	return r->rng * 0x2545f4914f6cdd1dull;
}

static void fill(struct run *r, void *p, size_t n)
{
	uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)rnd(r);
}

/* A finite double of any size (the tracker never makes NaN or infinities; printf would write
 * them as "nan" and "inf", which are not JSON): small and large, negative, and values that sit
 * on a rounding edge of "%.3f". */
static double real(struct run *r)
{
	uint64_t x = rnd(r);
	switch (x % 4) {
	case 0: return (double)(int64_t)(rnd(r) % 2000001) / 1000.0 - 1000.0;
	case 1: return (double)(rnd(r) % 100000) / 10000.0 + 0.0005;
	case 2: return (double)rnd(r) * (x & 16 ? 1e200 : 1.0);
	default: return (x & 32 ? -1.0 : 1.0) * (double)(rnd(r) >> (rnd(r) % 64)) / 8.0;
	}
}

static void side_open(struct side *s)
{
	s->buf = malloc(OUT_CAP);
	s->f = s->buf ? fmemopen(s->buf, OUT_CAP, "w") : NULL;
	if (!s->f) {
		perror("json_same: fmemopen");
		exit(2);
	}
	np_print_init(&s->pc, s->f, NP_TS_RELATIVE, false);
}

static void begin(struct run *r, const char *what, bool newline)
{
	r->what = what;
	r->newline = newline;
	rewind(r->ref.f);
	rewind(r->now.f);
}

/* Both printers have written the case: same bytes, and one JSON value on one line? */
static void end(struct run *r)
{
	fflush(r->ref.f);
	fflush(r->now.f);
	long nr = ftell(r->ref.f), nn = ftell(r->now.f);
	r->cases++;
	const char *why = NULL;
	if (nr < 0 || nn < 0 || nr >= (long)OUT_CAP - 1 || nn >= (long)OUT_CAP - 1)
		why = "output too large for the test buffer";
	else if (nr != nn || memcmp(r->ref.buf, r->now.buf, (size_t)nn))
		why = "bytes differ from the reference printer";
	if (!why && nn == 0)
		return; /* a ladder event: neither printer writes anything */
	if (!why) {
		r->now.buf[nn] = '\0';
		const char *e = value(r->now.buf, 0);
		size_t body = (size_t)nn - r->newline;
		if (!e || (size_t)(e - r->now.buf) != body || memchr(r->now.buf, '\n', body) ||
		    (r->newline && r->now.buf[body] != '\n'))
			why = "not one JSON value on one line";
	}
	if (!why)
		return;
	r->bad++;
	if (r->bad > 5)
		return;
	fprintf(stderr, "FAIL %s frame %llu (%s): %s\n", r->file, (unsigned long long)r->frame,
		r->what, why);
	fprintf(stderr, "  reference: %.*s\n  printer:   %.*s\n", (int)(nr > 0 ? nr : 0),
		r->ref.buf, (int)(nn > 0 ? nn : 0), r->now.buf);
}

static void packet_case(struct run *r, const char *what, const struct np_packet *p,
			const struct np_pkt_track *trk)
{
	begin(r, what, true);
	np_ref_print_json(&r->ref.pc, p, trk);
	np_print_json(&r->now.pc, p, trk);
	end(r);
}

static void event_case(struct run *r, const char *what, const struct np_event *ev)
{
	begin(r, what, true);
	np_ref_print_event_json(&r->ref.pc, ev);
	np_print_event_json(&r->now.pc, ev);
	end(r);
}

static void on_event(void *arg, const struct np_event *ev)
{
	struct run *r = arg;
	event_case(r, "event", ev);
	/* The same event as every other kind, with made-up values in every field. */
	for (int k = 0; k <= NP_EV_LADDER; k++) {
		struct np_event e = *ev;
		fill(r, &e, sizeof e);
		e.kind = (enum np_event_kind)k;
		e.midstream = rnd(r) & 1;
		e.client.ver = e.client.ver & 1 ? 6 : 4;
		e.server.ver = e.server.ver & 1 ? 6 : 4;
		e.side = (enum np_side)(rnd(r) % 3);
		switch (e.kind) {
		case NP_EV_HANDSHAKE:
			e.hs.syn_synack_ms = real(r);
			e.hs.synack_ack_ms = real(r);
			e.hs.sack = rnd(r) & 1;
			e.hs.ts = rnd(r) & 1;
			break;
		case NP_EV_TEARDOWN:
			e.td.closed_by = (enum np_side)(rnd(r) % 3);
			e.td.time_wait = (enum np_side)(rnd(r) % 3);
			e.td.half_close = rnd(r) & 1;
			e.td.duration_ms = real(r);
			break;
		case NP_EV_RESET:
			e.rst.duration_ms = real(r);
			e.rst.lone = rnd(r) & 1;
			break;
		case NP_EV_STATE:
			e.st.from = (enum np_tcp_state)(rnd(r) % 11);
			e.st.to = (enum np_tcp_state)(rnd(r) % 11);
			break;
		case NP_EV_SYN_FLOOD:
			e.flood.phase = (enum np_flood_phase)(rnd(r) % 3);
			e.flood.target.ver = rnd(r) & 1 ? 6 : 4;
			/* none, the four named kinds, and one that names nothing */
			static const uint8_t kinds[] = { 0, NP_L_VXLAN, NP_L_GENEVE, NP_L_GRE, NP_L_GTP,
							 NP_L_PPPOE };
			e.flood.tunnel.kind = kinds[rnd(r) % 6];
			e.flood.syn_rate = real(r);
			e.flood.peak_rate = real(r);
			e.flood.duration_s = real(r);
			break;
		case NP_EV_LADDER:
			e.ladder = NULL;
			break;
		default:
			break;
		}
		event_case(r, "made-up event", &e);
	}
}

/* The tracker's out-array, in order, emptied. */
static void on_events(struct run *r, struct np_track_events *evs)
{
	for (unsigned i = 0; i < evs->n; i++)
		on_event(r, &evs->ev[i]);
	evs->n = 0;
}

static void summary_cases(struct run *r, const struct np_track_stats *st, uint64_t frames)
{
	begin(r, "summary", true);
	np_ref_print_summary_json(r->ref.f, st, frames, frames);
	np_print_summary_json(r->now.f, st, frames, frames, NULL);
	end(r);
	struct np_track_stats s;
	fill(r, &s, sizeof s);
	s.hs_min_ms = real(r);
	s.hs_max_ms = real(r);
	s.hs_sum_ms = real(r);
	s.ntop = (uint32_t)(rnd(r) % (NP_TOP_TALKERS + 1));
	for (unsigned i = 0; i < NP_TOP_TALKERS; i++) {
		s.top[i].client.ver = rnd(r) & 1 ? 6 : 4;
		s.top[i].server.ver = rnd(r) & 1 ? 6 : 4;
	}
	uint64_t fr = rnd(r), sh = rnd(r) >> (rnd(r) % 64);
	begin(r, "made-up summary", true);
	np_ref_print_summary_json(r->ref.f, &s, fr, sh);
	np_print_summary_json(r->now.f, &s, fr, sh, NULL);
	end(r);
}

/* Strings the printer must escape (RFC 8259 section 7), and one longer than the printer's
 * buffer, so that an object is written in pieces. */
static const char *odd_text(struct run *r)
{
	const char *const texts[] = {
		"quote \" and backslash \\", "\t tab, \n newline, \r, \b, \f, \x01, \x1f",
		"caf\xc3\xa9 \xe2\x87\x92 utf-8", "", "\x7f delete and / solidus", r->big,
	};
	return texts[rnd(r) % (sizeof texts / sizeof texts[0])];
}

static void frame_cases(struct run *r, const struct np_frame *f, const struct np_packet *p,
			const struct np_pkt_track *info)
{
	/* The nested form (ping and trace put it inside their own objects): no newline. */
	begin(r, "object", false);
	np_ref_print_json_object(r->ref.f, p, info);
	np_print_json_object(r->now.f, p, info);
	end(r);

	/* Problems with texts that need escaping, as many as a packet holds. */
	struct np_packet q = *p;
	q.nproblems = (uint8_t)(1 + rnd(r) % NP_MAX_PROBLEMS);
	for (unsigned i = 0; i < q.nproblems; i++) {
		q.problems[i].layer = (uint8_t)(rnd(r) % (NP_L_ICMP6 + 1));
		q.problems[i].verdict = (uint8_t)(rnd(r) % (NP_UNSUPPORTED + 1));
		q.problems[i].what = odd_text(r);
	}
	packet_case(r, "odd problem texts", &q, info);

	uint8_t bytes[PREFIX_MAX];
	struct np_frame g = *f;
	size_t n = f->caplen < PREFIX_MAX ? f->caplen : PREFIX_MAX;
	memcpy(bytes, f->data, n);
	g.data = bytes;
	for (size_t len = 0; len < n; len++) {
		g.caplen = (uint32_t)len;
		np_decode(&g, &q);
		packet_case(r, "prefix", &q, info);
	}
	if (!n)
		return;
	g.caplen = (uint32_t)n;
	for (int m = 0; m < MUTANTS; m++) {
		memcpy(bytes, f->data, n);
		unsigned flips = 1 + (unsigned)(rnd(r) % 3);
		for (unsigned i = 0; i < flips; i++) {
			uint64_t x = rnd(r);
			bytes[x % n] = (x >> 32) & 1 ? (uint8_t)(x >> 40) : (uint8_t)(bytes[x % n] ^ 1u << (x >> 48 & 7));
		}
		np_decode(&g, &q);
		packet_case(r, "mutant", &q, info);
		/* a made-up pairing of its request or response (apppair.c) */
		fill(r, &q.pair, sizeof q.pair);
		q.pair.kind = (uint8_t)(rnd(r) % 4);
		q.pair.retransmit = rnd(r) & 1;
		fill(r, &q.pdu, sizeof q.pdu);
		q.pdu.state = (uint8_t)(rnd(r) % 3);
		q.pdu.nframes = (uint8_t)(rnd(r) % (NP_PDU_FRAMES + 1));
		struct np_pkt_track t;
		fill(r, &t, sizeof t);
		t.tcp = rnd(r) & 1;
		t.rel_valid = rnd(r) & 1;
		t.win_scaled_valid = rnd(r) & 1;
		t.from = (enum np_side)(rnd(r) % 3);
		packet_case(r, "mutant, made-up tracking", &q, &t);
	}
}

static int check_capture(struct run *r, const char *path)
{
	char err[512];
	struct np_source *src = NULL;
	if (np_source_open_file(&src, path, err, sizeof err) < 0)
		return 0; /* not a capture libpcap reads: corpus.replay judges those */
	if (!np_link_supported(src->dlt)) {
		np_source_close(src);
		return 0;
	}
	r->file = path;
	struct np_track_opts o;
	np_track_defaults(&o);
	struct np_tracker *t = np_tracker_new(&o);
	struct np_apppair *ap = np_apppair_new(0, o.hash_key);
	struct np_apppdu *pd = np_apppdu_new();
	if (!t || !ap || !pd) {
		fprintf(stderr, "json_same: out of memory\n");
		exit(2);
	}
	struct np_frame f;
	struct np_packet p;
	struct np_pkt_track info;
	uint64_t frames = 0;
	struct np_proto_counts counts = { 0 };
	while (np_source_next(src, &f, err, sizeof err) == NP_NEXT_FRAME) {
		r->frame = f.n;
		frames++;
		np_decode(&f, &p);
		np_stats_count(&counts, &p);
		struct np_track_events evs = { .n = 0 };
		while (np_track_advance(t, f.ts_sec, f.ts_usec, &evs))
			on_events(r, &evs);
		on_events(r, &evs);
		np_track_packet(t, &p, &info, &evs);
		np_apppdu_packet(pd, &p, &info);
		np_apppair_packet(ap, &p, &info);
		on_events(r, &evs);
		packet_case(r, "packet", &p, &info);
		packet_case(r, "packet, untracked", &p, NULL);
		frame_cases(r, &f, &p, &info);
	}
	r->frame = 0;
	struct np_track_events evs = { .n = 0 };
	while (np_track_finish(t, &evs))
		on_events(r, &evs);
	on_events(r, &evs);
	struct np_track_stats st;
	np_track_stats(t, &st);
	np_stats_fill(&counts, &st);
	struct np_apppair_stats as;
	np_apppair_stats(ap, &as);
	st.app_requests = as.requests;
	st.app_paired = as.paired;
	st.app_unmatched = as.unmatched;
	st.app_evicted = as.evicted;
	st.app_pending = as.pending;
	struct np_apppdu_stats ps;
	np_apppdu_stats(pd, &ps);
	st.pdu_done = ps.done;
	st.pdu_abandoned = ps.abandoned;
	st.pdu_too_long = ps.too_long;
	st.pdu_evicted = ps.evicted;
	summary_cases(r, &st, frames);
	np_apppdu_free(pd);
	np_apppair_free(ap);
	np_tracker_free(t);
	np_source_close(src);
	return 1;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static unsigned check_dir(struct run *r, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **nn = realloc(names, cap * sizeof *names);
			if (!nn)
				exit(2);
			names = nn;
		}
		size_t len = strlen(dir) + strlen(e->d_name) + 2;
		names[n] = malloc(len);
		if (!names[n])
			exit(2);
		snprintf(names[n++], len, "%s/%s", dir, e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, by_name);
	unsigned done = 0;
	for (size_t i = 0; i < n; i++) {
		done += (unsigned)check_capture(r, names[i]);
		free(names[i]);
	}
	free(names);
	return done;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: json_same FILE|DIR...\n");
		return 2;
	}
	struct run r = { .rng = 0x6a736f6e2d726566ull };
	for (size_t i = 0; i + 1 < sizeof r.big; i++)
		r.big[i] = "ab\"\\\x01/\x7f"[i % 7];
	side_open(&r.ref);
	side_open(&r.now);
	unsigned captures = 0;
	for (int i = 1; i < argc; i++) {
		struct stat sb;
		if (stat(argv[i], &sb) < 0) {
			fprintf(stderr, "json_same: %s: not found\n", argv[i]);
			return 2;
		}
		captures += S_ISDIR(sb.st_mode) ? check_dir(&r, argv[i])
						: (unsigned)check_capture(&r, argv[i]);
	}
	fflush(stderr);
	printf("json_same: %llu cases from %u captures, %llu differ or are not JSON\n",
	       (unsigned long long)r.cases, captures, (unsigned long long)r.bad);
	fclose(r.ref.f);
	fclose(r.now.f);
	free(r.ref.buf);
	free(r.now.buf);
	if (captures == 0) {
		fprintf(stderr, "json_same: no capture read\n");
		return 1;
	}
	return r.bad ? 1 : 0;
}
