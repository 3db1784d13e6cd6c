/* cap_multi.c - several live interfaces as one source (watch -i A -i B). Each interface keeps
 * its own link type and gets two libpcap handles: one for the frames it receives, one for the
 * frames it sends (pcap_setdirection; libpcap says a frame's direction only in the cooked
 * frames of `any`, and only `any` offers them on Linux). Every handle is in immediate mode (a
 * frame is visible in its ring as soon as the kernel puts it there) and read without waiting;
 * each holds at most one frame ready (valid until that handle is read again), every handle is
 * asked before a frame goes, and the oldest ready frame goes first, so the frames come in
 * time order (a forwarded frame's copy on the way in is in its ring before the copy on the
 * way out is taken); when none is ready, one poll(2) over all. This costs a look at every
 * ring per frame: several -i is for diagnosis, not for line rate (one -i, or `any`, is). */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "netprobe/capture.h"

#define MULTI_IFACES 16
#define MULTI_MAX (2 * MULTI_IFACES)

struct multi_source {
	struct np_source base;
	struct np_source *in[MULTI_MAX]; /* 2i: interface i received, 2i+1: sent */
	struct np_frame_if fif[MULTI_IFACES];
	struct np_frame head[MULTI_MAX];  /* the frame ready on each handle */
	bool ready[MULTI_MAX];
	struct pollfd pfd[MULTI_MAX];
	unsigned n;                       /* handles */
	int timeout_ms;
};

static struct multi_source *ms(struct np_source *s)
{
	return (struct multi_source *)s;
}

/* Ask every handle without a ready frame. Returns NP_NEXT_FRAME when some frame is ready,
 * NP_NEXT_TIMEOUT when none, or the end a handle met (an interface gone, an error: the run
 * ends, as with one interface). */
static enum np_next fill(struct multi_source *m, char *err, size_t errlen)
{
	bool any = false;
	for (unsigned i = 0; i < m->n; i++) {
		if (!m->ready[i]) {
			enum np_next rc = np_source_next(m->in[i], &m->head[i], err, errlen);
			if (rc == NP_NEXT_FRAME)
				m->ready[i] = true;
			else if (rc != NP_NEXT_TIMEOUT)
				return rc;
		}
		any = any || m->ready[i];
	}
	return any ? NP_NEXT_FRAME : NP_NEXT_TIMEOUT;
}

static enum np_next multi_next(struct np_source *s, struct np_frame *f, char *err, size_t errlen)
{
	struct multi_source *m = ms(s);
	enum np_next rc = fill(m, err, errlen);
	if (rc == NP_NEXT_TIMEOUT && poll(m->pfd, m->n, m->timeout_ms) > 0)
		rc = fill(m, err, errlen);
	if (rc != NP_NEXT_FRAME)
		return rc;
	unsigned best = m->n;
	for (unsigned i = 0; i < m->n; i++) {
		if (!m->ready[i])
			continue;
		const struct np_frame *h = &m->head[i], *b = best < m->n ? &m->head[best] : NULL;
		if (!b || h->ts_sec < b->ts_sec || (h->ts_sec == b->ts_sec && h->ts_usec < b->ts_usec))
			best = i;
	}
	*f = m->head[best];
	m->ready[best] = false;
	f->iface = &m->fif[best / 2];
	f->dir = best % 2 ? NP_DIR_OUT : NP_DIR_IN;
	s->frames++;
	f->n = ++s->delivered;
	return NP_NEXT_FRAME;
}

static int multi_filter(struct np_source *s, const char *expr, char *err, size_t errlen)
{
	struct multi_source *m = ms(s);
	for (unsigned i = 0; i < m->n; i++)
		if (np_source_set_filter(m->in[i], expr, err, errlen) < 0)
			return -1;
	return 0;
}

/* The kernel's counters: each interface's frames once (its receiving handle's count of what
 * reached the filter plus its sending handle's), its drops in either ring. */
static void multi_stats(struct np_source *s, struct np_source_stats *st)
{
	struct multi_source *m = ms(s);
	memset(st, 0, sizeof *st);
	st->have_kernel = true;
	for (unsigned i = 0; i < m->n; i++) {
		struct np_source_stats one;
		np_source_stats(m->in[i], &one);
		st->have_kernel = st->have_kernel && one.have_kernel;
		st->drop += one.drop;
		st->recv += one.delivered + one.drop;
		if (i % 2 == 0)
			st->ifdrop += one.ifdrop; /* the interface's own counter: once */
	}
	st->frames = s->frames;
	st->delivered = s->delivered;
}

/* Classic pcap has one link type for the whole file: the first handle's dumper writes every
 * frame, when all the interfaces share its link type. */
static int multi_dump_open(struct np_source *s, FILE *fp, const char *name, char *err, size_t errlen)
{
	struct multi_source *m = ms(s);
	for (unsigned i = 1; i < m->n / 2; i++)
		if (m->fif[i].dlt != m->fif[0].dlt) {
			const char *a = pcap_datalink_val_to_name(m->fif[0].dlt);
			const char *b = pcap_datalink_val_to_name(m->fif[i].dlt);
			snprintf(err, errlen, "%s: a classic pcap file has one link type, but %s is %s "
					      "and %s is %s: write pcapng (a name ending in .pcapng, or "
					      "--format pcapng)", name, m->fif[0].name, a ? a : "?",
				 m->fif[i].name, b ? b : "?");
			return -1;
		}
	return np_source_dump_open(m->in[0], fp, name, err, errlen);
}

static int multi_dump(struct np_source *s, const struct np_frame *f)
{
	return np_source_dump(ms(s)->in[0], f);
}

static void multi_dump_close(struct np_source *s)
{
	np_source_dump_close(ms(s)->in[0]);
}

static void multi_close(struct np_source *s)
{
	struct multi_source *m = ms(s);
	for (unsigned i = 0; i < m->n; i++)
		np_source_close(m->in[i]);
	free(m);
}

static const struct np_frame_if *multi_iface(struct np_source *s, unsigned i)
{
	return i < ms(s)->n / 2 ? &ms(s)->fif[i] : NULL;
}

static const struct np_source_ops multi_ops = {
	.iface = multi_iface,
	.kind = "live (several interfaces)",
	.next = multi_next,
	.set_filter = multi_filter,
	.stats = multi_stats,
	.dump_open = multi_dump_open,
	.dump = multi_dump,
	.dump_close = multi_dump_close,
	.close = multi_close,
	.idle = NULL,
};

int np_source_open_multi(struct np_source **out, const char *const *ifaces, unsigned n,
			 const struct np_live_opts *o, char *err, size_t errlen)
{
	if (n < 2 || n > MULTI_IFACES) {
		snprintf(err, errlen, "-i: between 2 and %d interfaces, not %u", MULTI_IFACES, n);
		return -1;
	}
	struct multi_source *m = calloc(1, sizeof *m);
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	m->base.ops = &multi_ops;
	m->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 100;
	struct np_live_opts one = *o;
	one.no_wait = true;
	one.immediate = true;
	for (unsigned i = 0; i < 2 * n; i++) {
		one.direction = i % 2 ? NP_DIR_OUT : NP_DIR_IN;
		if (np_source_open_live(&m->in[i], ifaces[i / 2], &one, err, errlen) < 0) {
			multi_close(&m->base);
			return -1;
		}
		m->n = i + 1;
		m->pfd[i] = (struct pollfd){ .fd = np_source_live_fd(m->in[i]), .events = POLLIN };
		m->fif[i / 2] = (struct np_frame_if){ .id = i / 2, .dlt = m->in[i]->dlt,
						      .snaplen = m->in[i]->snaplen,
						      .name = ifaces[i / 2], .several = true };
	}
	m->base.dlt = m->in[0]->dlt;
	m->base.snaplen = m->in[0]->snaplen;
	*out = &m->base;
	return 0;
}
