/* watch_run.c - one run of `netprobe watch`: open the source and the -w file, give up
 * privileges and enter the sandbox before the first packet, feed the frames to the pipeline
 * (src/pipeline/) while keeping the -w stream flushed and noticing a reader that has gone, and
 * end with the printer's summary, the kernel's counters and the -w file completed. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "cli.h"
#include "netprobe/capture.h"
#include "netprobe/choose.h"
#include "netprobe/decode.h"
#include "netprobe/outfile.h"
#include "netprobe/pipeline.h"
#include "netprobe/probe.h"
#include "netprobe/sandbox.h"
#include "netprobe/wqueue.h"
#include "watch.h"
#include "netprobe/ipfix.h"

/* The command whose run this is, for its messages: `stats` runs here too (watch.h). */
static const char *cmd_of(const struct watch_opts *o)
{
	return o->cmd ? o->cmd : CMD;
}

/* open_source(): a stop signal came before the capture could be opened. */
#define WATCH_STOPPED (-1)

/* open_output(): a stop signal came while a FIFO waited for its reader. */
#define OUTPUT_STOPPED (-2)

/* -w: FILE.partial (or, with -C/-G, nothing yet: the parent makes the files) and its writer.
 * Returns NP_EXIT_OK or the exit status (reported). */
static int open_output(const struct watch_opts *o, struct np_source *src, struct np_outfile *of,
		       bool *of_open, struct np_wout *wo, int handover_fd, const char *dev)
{
	char err[PCAP_ERRBUF_SIZE + 256];
	if (o->rot_size || o->rot_secs) { /* the parent makes the files (np_rotate_parent) */
		memset(of, 0, sizeof *of);
		of->path = o->write_file;
		of->handover_fd = -1;
		*of_open = true;
		if (np_wout_open(wo, o, src, of, handover_fd, dev, err, sizeof err) < 0) {
			np_errorf(cmd_of(o), "%s", err);
			return NP_EXIT_ERROR;
		}
		return NP_EXIT_OK;
	}
	if (np_outfile_open(of, o->write_file, o->overwrite, err, sizeof err) < 0) {
		if (of->interrupted && np_stop_requested) {
			/* Stopped while the FIFO waited for a reader: a clean end with nothing
			 * written (no file to name), as any other stop. */
			return OUTPUT_STOPPED;
		}
		np_errorf(cmd_of(o), "%s", err);
		return NP_EXIT_ERROR;
	}
	*of_open = true;
	/* the file is written by a thread of its own, from a bounded buffer (wqueue.h) */
	if (np_outfile_async(of, o->write_buffer, err, sizeof err) < 0 ||
	    np_wout_open(wo, o, src, of, -1, dev, err, sizeof err) < 0) {
		np_outfile_release(of, false);
		*of_open = false;
		np_errorf(cmd_of(o), "%s", err);
		return NP_EXIT_ERROR;
	}
	return NP_EXIT_OK;
}

static int open_source(const struct watch_opts *o, struct np_source **src, struct np_outfile *of,
		       bool *of_open, struct np_wout *wo, int handover_fd)
{
	char err[PCAP_ERRBUF_SIZE + 256];
	int rc;
	char *filter = NULL;
	const char *dev = o->read_file ? NULL : np_capture_choose_dev(o->iface, &o->match);
	char several[NP_WATCH_MAX_IFACES * 20]; /* -i A -i B: "A, B" for the messages */
	if (o->nifaces > 1)
		dev = np_join_names(o->ifaces, o->nifaces, several, sizeof several);
	if (o->read_file) {
		rc = np_source_open_file(src, o->read_file, err, sizeof err);
	} else {
		bool tty = o->worker ? o->worker->tty : isatty(STDOUT_FILENO);
		struct np_live_opts lo = { .snaplen = 262144, .promisc = true, .immediate = tty,
					   .timeout_ms = 100,
					   .fanout = o->worker || o->fanout_group_given,
					   .fanout_group = (uint16_t)o->fanout_group };
		/* A terminal sees each packet as it comes; a pipe gets batches from a big ring. */
		lo.buffer_kib = o->buffer_kib ? (int)o->buffer_kib : tty ? 0 : 32768;
		rc = o->nifaces > 1 ? np_source_open_multi(src, o->ifaces, o->nifaces, &lo, err, sizeof err)
				    : np_source_open_live(src, dev, &lo, err, sizeof err);
		if (rc == 0 && !(filter = np_capture_live_filter(&o->match, o->filter, (*src)->dlt))) {
			snprintf(err, sizeof err, "out of memory building the capture filter");
			rc = -1; /* the caller closes the source */
		}
	}
	if (rc < 0 && errno == EINTR && np_stop_requested)
		return WATCH_STOPPED; /* e.g. -r FIFO waiting for its writer: a stop, not an error */
	if (rc < 0) {
		np_errorf(cmd_of(o), "%s", err);
		return NP_EXIT_ERROR;
	}
	if (!np_link_supported((*src)->dlt)) {
		const char *name = pcap_datalink_val_to_name((*src)->dlt);
		np_errorf(cmd_of(o), "%s: link type %s (%d) is not supported (netprobe decodes EN10MB, "
			       "LINUX_SLL, LINUX_SLL2, NULL, LOOP, RAW, IPV4 and IPV6)",
			  o->read_file ? o->read_file : o->iface ? o->iface : "any",
			  name ? name : "unknown", (*src)->dlt);
		free(filter);
		return NP_EXIT_ERROR;
	}
	const char *expr = o->read_file ? o->filter : filter;
	rc = expr && expr[0] ? np_source_set_filter(*src, expr, err, sizeof err) : 0;
	if (rc < 0) {
		free(filter);
		np_errorf(cmd_of(o), "%s", err);
		return NP_EXIT_ERROR;
	}
	/* The output file last, so that a bad filter or interface leaves nothing behind; still
	 * before the first packet is read. */
	if (o->write_file && (rc = open_output(o, *src, of, of_open, wo, handover_fd, dev)) != NP_EXIT_OK) {
		free(filter);
		return rc == OUTPUT_STOPPED ? NP_EXIT_OK : rc;
	}
	if (!o->read_file && (!o->worker || o->worker->index == 0)) /* open and filtered */
		fprintf(stderr, "netprobe: watching %s, filter: %s\n", dev,
			filter && filter[0] ? filter : "none");
	if (o->worker && o->worker->ready_fd >= 0) { /* joined: the parent may say so */
		ssize_t w = write(o->worker->ready_fd, "R", 1);
		(void)w; /* the parent gone: the worker's stdout tells it soon enough */
		close(o->worker->ready_fd);
	}
	free(filter);
	return NP_EXIT_OK;
}

/* Why the loop ended, when it was not the end of the input, -c or --duration. */
enum stop_reason { STOP_NONE, STOP_READER_GONE, STOP_ERROR };

/* After a write to the -w stream: go on, or stop because its reader has gone (-w - or a
 * FIFO), or because writing failed (reported here; the data stays in FILE.partial). */
static enum stop_reason check_capture_file(const char *name, struct np_outfile *of, bool *of_open)
{
	char err[1024];
	int w = np_outfile_check(of);
	if (w == 0)
		return STOP_NONE;
	if (w > 0)
		return STOP_READER_GONE;
	np_outfile_abandon(of, err, sizeof err);
	np_errorf(name, "%s", err);
	*of_open = false; /* reported; the dumper still owns and closes the stream */
	return STOP_ERROR;
}

/* Everything is open: give up root and every capability (when held) and enter the seccomp
 * sandbox, before the first packet is read. Nothing to drop (an ordinary user reading a file):
 * the sandbox all the same. Returns 0, or -1 (reported). */
static int confine(const char *name, const struct np_outfile *of, bool of_open, int handover_fd,
		   pid_t parent, int ipfix_fd, struct np_wq *wq)
{
	char err[512];
	if (np_priv_held() && np_priv_drop(err, sizeof err) < 0) {
		np_errorf(name, "%s", err);
		return -1;
	}
	/* -w's writer thread: after the drop (capabilities are per thread), before the
	 * sandbox (whose filter covers it too) */
	if (wq && np_wq_start(wq, err, sizeof err) < 0) {
		np_errorf(name, "%s", err);
		return -1;
	}
	if (parent > 0) {
		/* The -w worker stops (SIGTERM: a clean end, the data kept in FILE.partial) when
		 * its parent dies, e.g. of kill -9: a live capture has no end of its own. Set after
		 * the drop, which clears it (credentials changed, prctl(2)); a parent already
		 * gone is seen by getppid() (we were reparented). */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
			np_stop_requested = SIGTERM;
	}
	tzset(); /* -t a: localtime(3) reads the zone file now, not once sandboxed */
	struct np_sandbox sb = { .nwrite_fds = 0 };
	if (of_open && of->fp && !of->to_stdout)
		sb.write_fds[sb.nwrite_fds++] = np_outfile_fd(of);
	if (handover_fd >= 0)
		sb.write_fds[sb.nwrite_fds++] = handover_fd;
	if (ipfix_fd >= 0) /* --ipfix: its connected socket, written with write(2) */
		sb.write_fds[sb.nwrite_fds++] = ipfix_fd;
	if (np_sandbox_enter(&sb, err, sizeof err) < 0) {
		np_errorf(name, "%s", err);
		return -1;
	}
	return 0;
}

/* A failure after the source (and the -w file, when of is not NULL) were opened, already
 * reported: what was written stays in FILE.partial, which is not renamed. */
static int give_up(struct np_source *src, struct np_outfile *of)
{
	if (of) {
		char why[512];
		np_outfile_abandon(of, why, sizeof why);
	}
	np_source_close(src); /* the dumper's stream first: it may be the -w buffer's */
	if (of)
		np_outfile_release(of, true);
	return NP_EXIT_ERROR;
}

/* Has the -w parent gone (the read end of the handover pipe closed)? */
static bool parent_gone(int handover_fd)
{
	struct pollfd pfd = { .fd = handover_fd, .events = 0 };
	return handover_fd >= 0 && poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLERR);
}

/* How often at least the -w stream is flushed while frames keep coming: a worker killed by
 * SIGKILL (or a crash) loses at most this much of the capture, not a 64 KiB buffer; when the
 * input goes idle (a live read timeout, an empty pipe) it is flushed at once. */
#define FLUSH_EVERY_MS 100

static int64_t coarse_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Stopped while the capture was being opened (a FIFO's writer had not come yet): the end of a
 * run like any other stop, with its (empty) summary and exit 0. */
static int stopped_before_start(const struct watch_opts *o)
{
	struct np_tracker *trk = np_tracker_new(&o->track);
	if (trk && o->summary) {
		struct np_print_ctx pc;
		struct np_printer pr;
		struct np_run_stats rs = { .frames = 0, .shown = 0 };
		np_print_init(&pc, stdout, o->tsfmt, false);
		np_printer_init(&pr, &o->out, &pc);
		np_track_stats(trk, &rs.track);
		np_printer_summary(&pr, &rs);
		np_printer_close(&pr, &rs, NP_END_COMPLETE);
	}
	np_tracker_free(trk);
	return NP_EXIT_OK;
}

/* One run's state, from the opened source to the end-of-run report. */
struct run {
	const struct watch_opts *o;
	struct np_source *src;
	struct np_outfile of;
	bool of_open;
	struct np_wout wo;   /* what -w writes: pcap or pcapng */
	int handover_fd;
	bool stdout_stream;  /* a pipe or socket, whose reader can go while we wait */
	bool err_tty;
	enum stop_reason stop;
	bool link_gone;      /* NP_NEXT_GONE: a normal end, but exit status 2 */
	int out_errno;
	bool dirty;          /* frames in the -w stream's buffer */
	int64_t flushed_ms;
	struct np_printer pr;
	struct np_ladder_rec *ladder; /* --ladder, or NULL */
	struct np_ipfix *ipfix;       /* --ipfix, or NULL */
	struct np_udpflows *udp;      /* --json=ecs, --ipfix: the UDP conversations, or NULL */
	struct np_apppair *pair;      /* DNS/HTTP requests and responses */
	struct np_apppdu *pdu;        /* messages spanning segments */
	struct np_pipeline pl;
};

/* The source and the -w file are open: hand FILE.partial over to the -w parent, confine
 * ourselves, pick the printer, make the tracker. Returns NP_EXIT_OK, or the exit status
 * (reported, everything released). */
static int start(struct run *r, struct np_tracker **trk, int handover_fd, pid_t parent)
{
	const struct watch_opts *o = r->o;
	if (r->of_open && r->of.partial && handover_fd >= 0) {
		np_outfile_handover(&r->of, handover_fd);
		/* Tell the parent FILE.partial exists, so that it names it only when it does. */
		static const char opened = 'O';
		if (write(handover_fd, &opened, 1) != 1) {
			/* the parent has gone: caught below, after the drop */
		}
	}
	if (confine(cmd_of(r->o), &r->of, r->of_open, handover_fd, parent,
		    r->ipfix ? np_ipfix_fd(r->ipfix) : -1, r->of_open ? r->wo.wq : NULL) < 0)
		return give_up(r->src, r->of_open ? &r->of : NULL);
	bool tty = o->worker ? o->worker->tty : isatty(STDOUT_FILENO);
	r->err_tty = isatty(STDERR_FILENO); /* asked here: the sandbox has no ioctl for later */
	bool color = o->color == 1 || (o->color == -1 && tty && !getenv("NO_COLOR"));
	struct np_print_ctx pc;
	np_print_init(&pc, stdout, o->tsfmt, color);
	pc.absolute_seq = o->absolute;
	pc.compact = o->brief;
	pc.ladder_width = o->ladder_width;
	if (o->worker) { /* --fanout: one time base for every worker's lines */
		pc.have_first = true;
		pc.first_sec = pc.prev_sec = o->worker->t0_sec;
		pc.first_usec = pc.prev_usec = o->worker->t0_usec;
	}
	np_printer_init(&r->pr, &o->out, &pc);
	/* A terminal sees each packet at once; a pipe or file gets large writes (1 MiB: a write
	 * per ~8,000 lines). With -w - the capture file is stdout and has its buffer already. */
	if (np_printer_uses_stdout(&r->pr))
		setvbuf(stdout, NULL, tty ? _IOLBF : _IOFBF, tty ? 1 << 16 : 1 << 20);
	*trk = np_tracker_new(&o->track);
	if (o->ecs || o->ipfix) { /* the UDP conversations: the tracker's timeouts and size */
		struct np_udpflow_opts uo = { .max = o->track.max_conv,
					      .idle_timeout_s = o->track.idle_timeout_s,
					      .active_timeout_s = o->track.active_timeout_s };
		memcpy(uo.hash_key, o->track.hash_key, sizeof uo.hash_key);
		if (!(r->udp = np_udpflows_new(&uo))) {
			np_tracker_free(*trk);
			*trk = NULL;
		}
	}
	/* --ladder: bounded whatever the capture (ladder.h); the rest are counted, not drawn. */
	if (o->ladder)
		r->ladder = np_ladder_new(o->track.max_conv, NP_LADDER_CONVS, NP_LADDER_SEGMENTS);
	r->pair = np_apppair_new(0, o->track.hash_key);
	r->pdu = np_apppdu_new();
	if (!*trk || (o->ladder && !r->ladder) || !r->pair || !r->pdu) {
		np_tracker_free(*trk);
		np_apppair_free(r->pair);
		np_apppdu_free(r->pdu);
		r->pair = NULL;
		r->pdu = NULL;
		np_errorf(cmd_of(r->o), "out of memory for the conversation table (--max-conv %u)", o->track.max_conv);
		return give_up(r->src, r->of_open ? &r->of : NULL);
	}
	np_pipeline_init(&r->pl, &o->match, *trk, &r->pr);
	np_pipeline_decode_as(&r->pl, &o->decode_as);
	np_pipeline_ladder(&r->pl, r->ladder);
	np_pipeline_pair(&r->pl, r->pair);
	np_pipeline_pdu(&r->pl, r->pdu);
	if (r->of_open && r->wo.ng)
		np_pipeline_annotate(&r->pl, &r->wo.annot);
	if (r->ipfix)
		np_pipeline_flows(&r->pl, np_ipfix_flow, r->ipfix);
	np_pipeline_udp_flows(&r->pl, r->udp);
	return NP_EXIT_OK;
}

/* --ipfix at the end: how many records went out, and whether sending failed (exit 2). */
static int ipfix_end(struct run *r, int status)
{
	if (!r->ipfix)
		return status;
	int e = np_ipfix_error(r->ipfix);
	uint64_t n = np_ipfix_records(r->ipfix);
	if (r->o->worker) /* --fanout: the parent adds the workers' records up */
		*r->o->worker->end = (struct np_fanout_end){ .ipfix = true, .ipfix_failed = e != 0,
							     .ipfix_records = n };
	if (e) {
		np_errorf(cmd_of(r->o), "--ipfix %s: sending failed: %s (%llu record%s sent)", r->o->ipfix,
			  strerror(e), (unsigned long long)n, n == 1 ? "" : "s");
		status = NP_EXIT_ERROR;
	} else if (r->o->summary && !r->o->worker) {
		fprintf(stderr, "netprobe: IPFIX: %llu record%s sent to %s\n", (unsigned long long)n,
			n == 1 ? "" : "s", r->o->ipfix);
	}
	np_ipfix_close(r->ipfix);
	r->ipfix = NULL;
	return status;
}

/* Standard output after a failed write or flush: its reader gone, or an error. */
static enum stop_reason stdout_failed(struct run *r)
{
	enum np_out_state os = np_output_state(stdout, &r->out_errno);
	return os == NP_OUT_CLOSED ? STOP_READER_GONE : STOP_ERROR;
}

static void flush_capture(struct run *r, int64_t now)
{
	if (r->of.fp) /* -C/-G: none before the first frame */
		fflush(r->of.fp);
	r->dirty = false;
	r->flushed_ms = now;
}

/* A quiet moment (live read timeout): hand over what is buffered (a reader of the pipe sees
 * the packets within the read timeout, as with tcpdump -l, yet a flood still gets large
 * writes), and notice a reader that has gone even when nothing is written (`watch -i X | head`
 * must end when head has). True: end the run. */
static bool quiet_moment(struct run *r)
{
	if (np_printer_uses_stdout(&r->pr) && fflush(stdout) != 0) {
		r->stop = stdout_failed(r);
		return true;
	}
	if (r->stdout_stream && np_output_reader_gone(stdout)) {
		r->stop = STOP_READER_GONE;
		return true;
	}
	if (r->of_open) {
		flush_capture(r, coarse_ms()); /* the .partial file is readable as it grows */
		if ((r->stop = check_capture_file(cmd_of(r->o), &r->of, &r->of_open)) != STOP_NONE)
			return true;
	}
	/* as SIGTERM would (PR_SET_PDEATHSIG): the parent was killed */
	return parent_gone(r->handover_fd);
}

/* Anything but a frame or a timeout: the end, reported when it is not the normal one. */
static void source_ended(struct run *r, enum np_next rc, const char *err)
{
	if (rc == NP_NEXT_GONE) {
		/* The interface went down or away: one line says so; what was captured
		 * is complete (summary, -w FILE renamed), the status says it ended early. */
		fflush(stdout);
		np_errorf(cmd_of(r->o), "%s", err);
		r->link_gone = true;
	} else if (rc == NP_NEXT_ERROR) {
		fflush(stdout);
		np_errorf(cmd_of(r->o), "%s: %s", r->o->read_file ? r->o->read_file : "capture", err);
		r->stop = STOP_ERROR;
	}
}

/* -w: the frame goes to the capture file, flushed at least every FLUSH_EVERY_MS. True: a
 * write failed or the file's reader went, end the run. */
static bool write_frame(struct run *r, const struct np_frame *f, const struct np_packet *pkt)
{
	if (np_wout_frame(&r->wo, r->src, f, pkt) < 0 && r->wo.rotating) {
		/* -C/-G: the parent that makes the files is gone, or the pipe to it failed */
		np_errorf(cmd_of(r->o), "-w: cannot hand the capture to the process that writes the files: %s",
			  strerror(errno));
		r->of_open = false;
		r->stop = STOP_ERROR;
		return true;
	}
	r->dirty = true;
	int64_t now = coarse_ms();
	if (now - r->flushed_ms >= FLUSH_EVERY_MS)
		flush_capture(r, now);
	return (r->stop = check_capture_file(cmd_of(r->o), &r->of, &r->of_open)) != STOP_NONE;
}

static bool out_of_time(const struct run *r, const struct timespec *t0)
{
	struct timespec tn;
	if (r->o->duration <= 0)
		return false;
	clock_gettime(CLOCK_MONOTONIC, &tn);
	double spent = (double)(tn.tv_sec - t0->tv_sec) + (double)(tn.tv_nsec - t0->tv_nsec) / 1e9;
	return spent >= r->o->duration;
}

static void frame_loop(struct run *r)
{
	const struct watch_opts *o = r->o;
	struct np_packet pkt;
	struct np_frame f;
	char err[PCAP_ERRBUF_SIZE + 512];
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r->flushed_ms = coarse_ms();
	while (!np_stop_requested && (o->count == 0 || r->pl.shown < o->count)) {
		if (out_of_time(r, &t0))
			break;
		if (r->dirty && np_source_idle(r->src))
			flush_capture(r, coarse_ms()); /* a pipe: hand over before a read that waits */
		enum np_next rc = np_source_next(r->src, &f, err, sizeof err);
		if (rc == NP_NEXT_TIMEOUT) {
			if (quiet_moment(r))
				break;
			continue;
		}
		if (rc != NP_NEXT_FRAME) {
			source_ended(r, rc, err);
			break;
		}
		/* written after the pipeline: pcapng carries what it found as comments */
		bool shown = np_pipeline_frame(&r->pl, &f, &pkt);
		if (r->of_open && write_frame(r, &f, &pkt))
			break;
		if (!shown)
			continue;
		/* A flag test (the printers write through stdio); one thread, so no lock. */
		if (ferror_unlocked(stdout)) {
			r->stop = stdout_failed(r);
			break;
		}
	}
}

/* The -w file: FILE appears only now, complete; on any error the data keeps its .partial
 * name. Returns the exit status, given the run's. */
static int finish_capture_file(struct run *r, int status)
{
	char err[1024];
	if (r->stop != STOP_ERROR && r->wo.rotating) {
		/* the last file's END record, then everything in the buffer, to the parent */
		if (np_wout_complete(&r->wo) < 0 || np_wq_drain(r->wo.wq) < 0) {
			np_errorf(cmd_of(r->o), "-w: the last file could not be handed to the renaming process: %s",
				  strerror(errno));
			return NP_EXIT_ERROR;
		}
	} else if (r->stop != STOP_ERROR) {
		if (np_outfile_commit(&r->of, err, sizeof err) < 0) {
			np_errorf(cmd_of(r->o), "%s", err);
			return NP_EXIT_ERROR;
		}
	} else {
		np_outfile_abandon(&r->of, err, sizeof err);
		if (err[0])
			np_errorf(cmd_of(r->o), "%s", err);
	}
	return status;
}

static void kernel_counters(const struct np_source_stats *st, uint64_t shown)
{
	fprintf(stderr, "netprobe: %llu packet%s shown, %llu received by filter, %llu dropped by kernel, %llu dropped by interface\n",
		(unsigned long long)shown, shown == 1 ? "" : "s", (unsigned long long)st->recv,
		(unsigned long long)st->drop, (unsigned long long)st->ifdrop);
}

/* The end of the run: pending events, the summary, the counters, the -w file. */
static int end_run(struct run *r, struct np_tracker *trk)
{
	/* Ctrl-C: the terminal echoed "^C" where the cursor was; what follows starts on a line of
	 * its own, as with tcpdump. */
	if (np_stop_requested == SIGINT && r->err_tty)
		fputc('\n', stderr);
	np_annot_clear(&r->wo.annot); /* from here: the events of the end */
	if (r->stop == STOP_NONE)
		np_pipeline_finish(&r->pl);
	struct np_source_stats st;
	np_source_stats(r->src, &st);
	struct np_run_stats rs;
	np_pipeline_stats(&r->pl, st.frames, &rs);
	rs.writing = r->of_open;
	rs.written = r->wo.written;
	rs.write_dropped = r->wo.dropped;
	if (r->of_open && r->stop != STOP_ERROR && np_wout_end(&r->wo, &st, &rs) < 0)
		r->stop = check_capture_file(cmd_of(r->o), &r->of, &r->of_open);
	np_tracker_free(trk);
	np_udpflows_free(r->udp);
	np_ladder_free(r->ladder);
	np_apppair_free(r->pair);
	np_apppdu_free(r->pdu);
	if (r->stop == STOP_NONE && !r->o->worker)
		np_printer_summary(&r->pr, &rs);
	/* Everything for stdout is written: see whether it all arrived. A reader that has gone
	 * is a normal end; any other failure is an error. */
	if (np_printer_uses_stdout(&r->pr) && (fflush(stdout) != 0 || ferror(stdout)) &&
	    r->stop != STOP_ERROR)
		r->stop = stdout_failed(r);
	if (r->out_errno && r->stop == STOP_ERROR)
		np_errorf(cmd_of(r->o), "writing standard output failed: %s", strerror(r->out_errno));
	int status = r->stop == STOP_ERROR ? NP_EXIT_ERROR : r->link_gone ? NP_EXIT_ERROR : NP_EXIT_OK;
	np_printer_close(&r->pr, &rs,
			 r->stop == STOP_ERROR	      ? NP_END_ERROR
			 : r->stop == STOP_READER_GONE ? NP_END_READER_GONE
						       : NP_END_COMPLETE);
	if (st.have_kernel && !r->o->worker)
		kernel_counters(&st, rs.shown);
	if (r->of_open && (st.have_kernel || r->wo.dropped))
		fprintf(stderr, "netprobe: %llu packet%s written to %s, %llu dropped by the -w writer "
				"(buffer full)\n", (unsigned long long)r->wo.written,
			r->wo.written == 1 ? "" : "s", r->o->write_file,
			(unsigned long long)r->wo.dropped);
	status = ipfix_end(r, status);
	if (r->o->worker) /* after ipfix_end, which fills the slot's IPFIX part */
		np_fanout_record(r->o, &rs, &st, r->stop == STOP_NONE ? NP_END_COMPLETE
					       : r->stop == STOP_READER_GONE ? NP_END_READER_GONE
									     : NP_END_ERROR);
	if (r->of_open)
		status = finish_capture_file(r, status);
	np_source_close(r->src); /* closes a pcap -w stream */
	np_wout_close(&r->wo);    /* ...or a pcapng one */
	if (r->o->write_file)
		np_outfile_release(&r->of, true);
	return status;
}

int np_watch_run(const struct watch_opts *o, int handover_fd, pid_t parent)
{
	struct run r = { .o = o, .handover_fd = handover_fd, .stop = STOP_NONE };
	/* Only a pipe or socket can lose its reader while we wait for packets (asked before
	 * anything is opened, so a sandbox installed after the opens need not allow fstat). */
	struct stat so;
	r.stdout_stream = fstat(STDOUT_FILENO, &so) == 0 && (S_ISFIFO(so.st_mode) || S_ISSOCK(so.st_mode));
	int status = open_source(o, &r.src, &r.of, &r.of_open, &r.wo, handover_fd);
	if (status == WATCH_STOPPED)
		return stopped_before_start(o);
	if (status != NP_EXIT_OK) {
		np_source_close(r.src);
		return status;
	}
	if (o->ipfix) { /* the collector's socket: opened before the privilege drop */
		char err[512];
		r.ipfix = np_ipfix_open(o->ipfix, err, sizeof err);
		if (!r.ipfix) {
			np_errorf(cmd_of(o), "%s", err);
			return give_up(r.src, r.of_open ? &r.of : NULL);
		}
	}
	struct np_tracker *trk = NULL;
	if ((status = start(&r, &trk, handover_fd, parent)) != NP_EXIT_OK) {
		np_ipfix_close(r.ipfix);
		return status;
	}
	frame_loop(&r);
	return end_run(&r, trk);
}
