/* watch_out.c - what -w writes, frame by frame: classic pcap through libpcap's dumper (the
 * source's), or pcapng through netprobe's writer (src/capture/pcapng_w.c) with an interface
 * block per interface, each frame's direction and netprobe's analysis as its comments, and
 * the run's summary and kernel counters in the statistics blocks at the end. */
#define _GNU_SOURCE /* open_memstream */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pcap/dlt.h>

#include "cli.h"
#include "netprobe/outfile.h"
#include "netprobe/pcapng.h"
#include "netprobe/wqueue.h"
#include "watch.h"

/* pcapng when asked (--format), or when FILE's name says so. */
static bool wants_pcapng(const struct watch_opts *o)
{
	if (o->write_format != NP_WFMT_AUTO)
		return o->write_format == NP_WFMT_PCAPNG;
	size_t n = strlen(o->write_file);
	return n >= 7 && strcmp(o->write_file + n - 7, ".pcapng") == 0;
}

/* Writes all of b to the parent's pipe (a signal may cut a write short). */
static int send_all(int fd, const void *b, size_t n)
{
	const char *p = b;
	while (n) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* A record for the parent: into the -w buffer, whose thread writes the pipe. */
static int send_rec(struct np_wout *w, char type, const void *b, uint32_t n)
{
	char hdr[5];
	hdr[0] = type;
	memcpy(hdr + 1, &n, 4);
	if (w->wq)
		return np_wq_put(w->wq, hdr, 5) < 0 || (n && np_wq_put(w->wq, b, n) < 0) ? -1 : 0;
	return send_all(w->fd, hdr, 5) < 0 || (n && send_all(w->fd, b, n) < 0) ? -1 : 0;
}

/* The current file's stream: what stdio flushes (64 KiB at a time) goes to the parent as a
 * DATA record. */
static ssize_t cookie_write(void *c, const char *buf, size_t n)
{
	struct np_wout *w = c;
	if (n > UINT32_MAX)
		n = UINT32_MAX;
	return send_rec(w, NP_ROT_DATA, buf, (uint32_t)n) < 0 ? -1 : (ssize_t)n;
}

static int cookie_close(void *c)
{
	(void)c;
	return 0;
}

/* The next file: its NEW record, then its stream and its writer (the format's header). */
static int rot_open(struct np_wout *w, int64_t start)
{
	char rec[12];
	w->seq++;
	w->first_us = -1;
	w->isb_done = false;
	memcpy(rec, &start, 8);
	memcpy(rec + 8, &w->seq, 4);
	if (send_rec(w, NP_ROT_NEW, rec, sizeof rec) < 0)
		return -1;
	cookie_io_functions_t io = { .write = cookie_write, .close = cookie_close };
	FILE *fp = fopencookie(w, "w", io);
	if (!fp)
		return -1;
	setvbuf(fp, NULL, _IOFBF, 1 << 16);
	w->of->fp = fp;
	char err[256];
	if (!w->ng) {
		w->bytes = 24; /* the pcap file header */
		return np_source_dump_open(w->src, fp, w->o->write_file, err, sizeof err);
	}
	if (!(w->ng_w = np_pcapng_w_open(fp)))
		return -1;
	const struct np_frame_if *fi;
	for (unsigned i = 0; (fi = np_source_iface(w->src, i)) != NULL; i++)
		np_pcapng_w_iface(w->ng_w, fi->dlt, fi->snaplen, fi->name, fi->id);
	return 0;
}

static int write_isbs(struct np_wout *w, const struct np_source_stats *st, const char *summary);

/* The current file is finished: its statistics blocks (pcapng), its last bytes, the writer
 * closed, and (complete) its END record. */
static int rot_close(struct np_wout *w, bool complete)
{
	int rc = 0;
	if (w->ng && complete && w->of->fp && !w->isb_done && write_isbs(w, NULL, NULL) < 0)
		rc = -1;
	if (w->of->fp && fflush(w->of->fp) != 0)
		rc = -1;
	if (w->ng) {
		np_pcapng_w_close(w->ng_w);
		w->ng_w = NULL;
	} else if (w->of->fp) {
		np_source_dump_close(w->src);
	}
	w->of->fp = NULL;
	if (rc == 0 && complete && send_rec(w, NP_ROT_END, NULL, 0) < 0)
		rc = -1;
	return rc;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Before a frame of `need` bytes at time `sec`: a new file when -G's period changed or -C's
 * size would be passed (a file holds at least one frame). */
static int rot_check(struct np_wout *w, int64_t sec, uint64_t need)
{
	const struct watch_opts *o = w->o;
	int64_t period = o->rot_secs ? floor_div(sec + w->gmtoff, o->rot_secs) : 0;
	uint64_t bytes = w->ng && w->ng_w ? np_pcapng_w_bytes(w->ng_w) : w->bytes;
	bool full = o->rot_size && w->nframes && bytes + need > o->rot_size;
	if (w->seq && period == w->period && !full)
		return 0;
	if (w->seq && rot_close(w, true) < 0)
		return -1;
	w->period = period;
	w->nframes = 0;
	return rot_open(w, o->rot_secs ? period * o->rot_secs - w->gmtoff : sec);
}

int np_wout_open(struct np_wout *w, const struct watch_opts *o, struct np_source *src,
		 struct np_outfile *of, int fd, const char *dev, char *err, size_t errlen)
{
	memset(w, 0, sizeof *w);
	w->first_us = -1;
	w->live_name = o->read_file ? NULL : dev;
	w->o = o;
	w->src = src;
	w->of = of;
	w->fd = fd;
	w->ng = wants_pcapng(o);
	if (o->rot_size || o->rot_secs) {
		/* the files are made at the first frame, by the parent */
		time_t now = time(NULL);
		struct tm tm;
		w->gmtoff = localtime_r(&now, &tm) ? tm.tm_gmtoff : 0;
		w->rotating = true;
		/* the records for the parent go through the -w buffer and its thread */
		if (!(w->wq = w->own_wq = np_wq_new(fd, o->write_buffer))) {
			snprintf(err, errlen, "out of memory for the -w buffer (%zu bytes)",
				 (size_t)o->write_buffer);
			return -1;
		}
		return 0;
	}
	w->wq = of->wq;
	if (!w->ng)
		return np_source_dump_open(src, of->fp, o->write_file, err, errlen);
	if (!(w->ng_w = np_pcapng_w_open(of->fp))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* A pcapng file's interfaces keep their numbers and order: declared at once */
	const struct np_frame_if *fi;
	for (unsigned i = 0; (fi = np_source_iface(src, i)) != NULL; i++)
		np_pcapng_w_iface(w->ng_w, fi->dlt, fi->snaplen, fi->name, fi->id);
	return 0;
}

int np_wout_complete(struct np_wout *w)
{
	if (!w->seq && rot_open(w, (int64_t)time(NULL)) < 0) /* no frame: one empty file */
		return -1;
	return rot_close(w, true);
}

/* The interface block a frame belongs to: a pcapng file's own interface; on `any` (SLL2) the
 * interface of its index; else the one interface of the capture. */
static int64_t frame_iface(struct np_wout *w, const struct np_source *src, const struct np_frame *f,
			   const struct np_packet *pkt)
{
	if (f->iface)
		return np_pcapng_w_iface(w->ng_w, f->dlt, f->iface->snaplen, f->iface->name,
					 f->iface->id);
	const struct np_link *sll2 = np_pkt_sll2(pkt);
	if (sll2)
		return np_pcapng_w_iface(w->ng_w, f->dlt, src->snaplen, np_pkt_ifname(pkt),
					 sll2->sll_ifindex);
	return np_pcapng_w_iface(w->ng_w, f->dlt, src->snaplen, w->live_name, 0);
}

/* epb_flags from what the frame says of its direction: a Linux cooked header's packet type,
 * or a pcapng file's own flags. */
static uint32_t frame_flags(const struct np_frame *f, const struct np_packet *pkt)
{
	const struct np_pkt_layer *l0 = pkt->nlayers ? &pkt->layer[0] : NULL;
	if (l0 && l0->kind == NP_L_LINK && l0->link.hdr_len &&
	    (l0->link.kind == NP_LINK_SLL || l0->link.kind == NP_LINK_SLL2)) {
		static const uint32_t by_type[5] = {
			NP_EPB_IN | NP_EPB_UNICAST, NP_EPB_IN | NP_EPB_BROADCAST,
			NP_EPB_IN | NP_EPB_MULTICAST, NP_EPB_IN | NP_EPB_PROMISC, NP_EPB_OUT,
		};
		return l0->link.sll_pkttype < 5 ? by_type[l0->link.sll_pkttype] : 0;
	}
	return f->dir;
}

static bool has_text(const struct np_annot *a, const char *text)
{
	const char *c = a->buf;
	for (unsigned i = 0; i < a->n; c += strlen(c) + 1, i++)
		if (strcmp(c, text) == 0)
			return true;
	return false;
}

int np_wout_frame(struct np_wout *w, struct np_source *src, const struct np_frame *f,
		  const struct np_packet *pkt)
{
	/* the frame's bytes in the file (pcapng: its block with the comments' options) */
	uint64_t need = w->ng ? 40 + ((f->caplen + 3u) & ~3u) + w->annot.len + 4 * w->annot.n
			      : 16 + (uint64_t)f->caplen;
	/* Live, the disk being behind must not stall the capture ring: the frame is counted,
	 * not waited for. A file read (-r) waits instead: nothing is lost by waiting. */
	if (w->wq && w->live_name && !np_wq_room(w->wq, (size_t)need)) {
		w->dropped++;
		return 0;
	}
	w->written++;
	if (w->rotating) {
		if (rot_check(w, f->ts_sec, need) < 0)
			return -1;
		w->nframes++;
		w->bytes += need;
	}
	if (!w->ng)
		return np_source_dump(src, f);
	int64_t id = frame_iface(w, src, f, pkt);
	if (id < 0)
		id = 0; /* 65536 interfaces: the rest share the first */
	/* netprobe's notes, then the file's own comments, each text once (a file netprobe
	 * wrote carries the same notes again) */
	struct np_annot *a = &w->annot;
	const char *c = f->comments;
	for (unsigned i = 0; i < f->ncomments; c += strlen(c) + 1, i++)
		if (!has_text(a, c))
			np_annot_add(a, c);
	int64_t us = f->ts_sec * 1000000 + f->ts_usec;
	if (w->first_us < 0)
		w->first_us = us;
	w->last_us = us;
	return np_pcapng_w_packet(w->ng_w, (uint32_t)id, f, frame_flags(f, pkt), a->buf, a->n);
}

/* The run's summary as text (as stderr shows it) and the events of its end. NULL: no memory. */
static char *summary_text(const struct np_wout *w, const struct np_run_stats *rs)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	if (!m)
		return NULL;
	np_print_summary(m, &rs->track, rs->frames);
	if (w->dropped)
		fprintf(m, "%llu frames not written: the -w buffer was full (the disk did not keep "
			   "up)\n", (unsigned long long)w->dropped);
	const char *c = w->annot.buf;
	for (unsigned i = 0; i < w->annot.n; c += strlen(c) + 1, i++)
		fprintf(m, "%s\n", c);
	if (fclose(m) != 0) {
		free(text);
		return NULL;
	}
	while (len && text[len - 1] == '\n')
		text[--len] = '\0';
	return text;
}

/* A statistics block per interface of the current file; the kernel's counters (st) and the
 * summary on the first. */
static int write_isbs(struct np_wout *w, const struct np_source_stats *st, const char *summary)
{
	unsigned n = np_pcapng_w_nifaces(w->ng_w);
	if (n == 0) /* no frame: one interface all the same, to carry the statistics */
		n = np_pcapng_w_iface(w->ng_w, DLT_EN10MB, 262144, w->live_name, 0) >= 0 ? 1 : 0;
	int rc = 0;
	for (unsigned i = 0; i < n; i++) {
		/* the kernel counts the whole capture: said once, on the first interface */
		struct np_pcapng_isb isb = {
			.start_us = w->first_us, .end_us = w->last_us,
			.have_kernel = i == 0 && st && st->have_kernel,
			.delivered = np_pcapng_w_packets(w->ng_w, i),
			.comment = i == 0 ? summary : NULL,
		};
		if (isb.have_kernel) {
			isb.recv = st->recv;
			isb.osdrop = st->drop;
			isb.ifdrop = st->ifdrop;
		}
		if (np_pcapng_w_stats(w->ng_w, i, &isb) < 0)
			rc = -1;
	}
	return rc;
}

int np_wout_end(struct np_wout *w, const struct np_source_stats *st, const struct np_run_stats *rs)
{
	if (!w->ng)
		return 0;
	if (w->rotating && !w->seq && rot_open(w, (int64_t)time(NULL)) < 0)
		return -1;
	char *summary = summary_text(w, rs);
	int rc = write_isbs(w, st, summary);
	free(summary);
	w->isb_done = true;
	return rc;
}

/* At the run's end, after the file was completed: the pcapng writer closes its stream (a
 * classic pcap dumper's is closed with the source). */
void np_wout_close(struct np_wout *w)
{
	if (w->ng)
		np_pcapng_w_close(w->ng_w);
	w->ng_w = NULL;
	np_wq_free(w->own_wq); /* -C/-G: after the thread wrote what it could to the parent */
	w->wq = w->own_wq = NULL;
}
