/* follow_run.c - one run of `netprobe follow`: open the capture (a file: twice when the listing
 * comes first, as it needs the conversations' ends), give up privileges and enter the sandbox
 * before the first packet, then the frames through the same pipeline as watch (src/pipeline/)
 * with the follow collector (src/print/follow.c) hearing the packets and conversation ends. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "cli.h"
#include "follow.h"
#include "netprobe/capture.h"
#include "netprobe/choose.h"
#include "netprobe/decode.h"
#include "netprobe/pipeline.h"
#include "netprobe/printer.h"
#include "netprobe/probe.h"
#include "netprobe/sandbox.h"

static int open_file(const char *path, struct np_source **src)
{
	char err[PCAP_ERRBUF_SIZE + 256];
	if (np_source_open_file(src, path, err, sizeof err) < 0) {
		np_errorf(FOLLOW_CMD, "%s", err);
		return NP_EXIT_ERROR;
	}
	if (!np_link_supported((*src)->dlt)) {
		np_errorf(FOLLOW_CMD, "%s: link type %d is not supported", path, (*src)->dlt);
		np_source_close(*src);
		*src = NULL;
		return NP_EXIT_ERROR;
	}
	return 0;
}

static int open_live(const struct follow_cli *o, struct np_source **src)
{
	char err[PCAP_ERRBUF_SIZE + 256];
	const char *dev = np_capture_choose_dev(o->iface, &o->match);
	bool tty = isatty(STDOUT_FILENO);
	struct np_live_opts lo = { .snaplen = 262144, .promisc = true, .immediate = true,
				   .timeout_ms = 100, .buffer_kib = tty ? 0 : 32768 };
	if (np_source_open_live(src, dev, &lo, err, sizeof err) < 0) {
		np_errorf(FOLLOW_CMD, "%s", err);
		return NP_EXIT_ERROR;
	}
	char *filter = np_capture_live_filter(&o->match, NULL, (*src)->dlt);
	int rc = !filter ? -1 : filter[0] ? np_source_set_filter(*src, filter, err, sizeof err) : 0;
	if (rc < 0 || !np_link_supported((*src)->dlt)) {
		np_errorf(FOLLOW_CMD, "%s", !filter ? "out of memory" : rc < 0 ? err : "link type not supported");
		free(filter);
		np_source_close(*src);
		*src = NULL;
		return NP_EXIT_ERROR;
	}
	fprintf(stderr, "netprobe: following %s, filter: %s\n", dev, filter[0] ? filter : "none");
	free(filter);
	return 0;
}

/* Everything is open: no root, no capabilities, the seccomp sandbox. */
static int confine(void)
{
	char err[512];
	if (np_priv_held() && np_priv_drop(err, sizeof err) < 0) {
		np_errorf(FOLLOW_CMD, "%s", err);
		return NP_EXIT_ERROR;
	}
	struct np_sandbox sb = { .nwrite_fds = 0 };
	if (np_sandbox_enter(&sb, err, sizeof err) < 0) {
		np_errorf(FOLLOW_CMD, "%s", err);
		return NP_EXIT_ERROR;
	}
	return 0;
}

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The frames of src through the pipeline into f, up to the end (or a stop). */
static int frames(const struct follow_cli *o, struct np_source *src, struct np_pipeline *pl)
{
	static struct np_packet pkt; /* large: not on the stack */
	char err[PCAP_ERRBUF_SIZE + 256];
	double until = o->duration > 0 ? mono_s() + o->duration : 0;
	while (!np_stop_requested && !(until && mono_s() >= until)) {
		struct np_frame fr;
		enum np_next r = np_source_next(src, &fr, err, sizeof err);
		if (r == NP_NEXT_FRAME)
			(void)np_pipeline_frame(pl, &fr, &pkt);
		else if (r == NP_NEXT_TIMEOUT)
			fflush(stdout);
		else if (r == NP_NEXT_END)
			break;
		else {
			np_errorf(FOLLOW_CMD, "%s", err);
			return NP_EXIT_ERROR;
		}
	}
	return 0;
}

/* One pass: the listing (list_only) or the dialogues. */
static int pass(const struct follow_cli *o, struct np_source *src, bool list_only,
		struct np_follow_stats *st)
{
	struct np_follow_opts fo = o->fo;
	fo.list_only = list_only;
	fo.stream = o->iface != NULL;
	fo.color = o->color == 1 || (o->color == -1 && isatty(STDOUT_FILENO) && !getenv("NO_COLOR"));
	struct np_tracker *trk = np_tracker_new(&o->track);
	struct np_follow *f = trk ? np_follow_new(&fo, stdout) : NULL;
	if (!f) {
		np_tracker_free(trk);
		np_errorf(FOLLOW_CMD, "out of memory for the conversation table (--max-conv %u)",
			  o->track.max_conv);
		return NP_EXIT_ERROR;
	}
	struct np_print_ctx pc;
	struct np_printer pr;
	struct np_printer_opts po = { .output = NP_OUT_NONE };
	np_print_init(&pc, stdout, NP_TS_RELATIVE, false);
	np_printer_init(&pr, &po, &pc);
	struct np_pipeline pl;
	np_pipeline_init(&pl, &o->match, trk, &pr);
	np_pipeline_follow(&pl, f);
	int rc = frames(o, src, &pl);
	if (rc == 0) {
		np_pipeline_finish(&pl);
		np_follow_finish(f);
	}
	np_follow_stats(f, st);
	np_follow_free(f);
	np_tracker_free(trk);
	return rc;
}

/* What was lost or doubtful, on stderr, when anything was. */
static void report(const struct follow_cli *o, const struct np_follow_stats *st)
{
	const struct np_reasm_stats *r = &st->reasm;
	if (o->fo.format == NP_FOLLOW_RAW && st->gap_bytes[o->fo.dir])
		fprintf(stderr, "netprobe: follow: %" PRIu64 " bytes of the %s's stream were never "
				"captured and are missing from the output\n",
			st->gap_bytes[o->fo.dir], o->fo.dir ? "server" : "client");
	if (r->conflicts)
		fprintf(stderr, "netprobe: follow: %" PRIu64 " retransmissions carried different "
				"bytes (%" PRIu64 " bytes; the first copy was kept)\n",
			r->conflicts, r->conflict_bytes);
	if (r->forced_gaps || st->no_state || st->udp_full || st->parts)
		fprintf(stderr, "netprobe: follow: caps reached: %" PRIu64 " holes given up "
				"(%" PRIu64 " bytes, %" PRIu64 " came later; %" PRIu64 " for too many "
				"pieces waiting), %" PRIu64 " conversations not reassembled, %" PRIu64
				" UDP datagrams of new flows not followed, %" PRIu64 " conversations "
				"printed in parts\n",
			r->forced_gaps, r->forced_gap_bytes, r->late_bytes, r->waiting_capped,
			st->no_state, st->udp_full, st->parts);
}

int np_follow_run(struct follow_cli *o)
{
	struct np_source *list_src = NULL, *src = NULL;
	struct stat sb;
	bool want_list = !o->fo.nsel && o->read_file &&
			 (o->fo.format == NP_FOLLOW_TEXT || o->fo.format == NP_FOLLOW_HEX);
	bool seekable = o->read_file && strcmp(o->read_file, "-") != 0 &&
			stat(o->read_file, &sb) == 0 && S_ISREG(sb.st_mode);
	int rc = o->read_file ? open_file(o->read_file, &src) : open_live(o, &src);
	if (rc == 0 && want_list && seekable)
		rc = open_file(o->read_file, &list_src);
	if (rc == 0)
		rc = confine();
	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	struct np_follow_stats st;
	if (rc == 0 && list_src)
		rc = pass(o, list_src, true, &st);
	if (rc == 0)
		rc = pass(o, src, false, &st);
	if (list_src)
		np_source_close(list_src);
	if (src)
		np_source_close(src);
	int err = 0;
	if (fflush(stdout) != 0 && np_output_state(stdout, &err) == NP_OUT_FAILED) {
		np_errorf(FOLLOW_CMD, "writing standard output: %s", strerror(err));
		return NP_EXIT_ERROR;
	}
	if (rc == 0)
		report(o, &st);
	return rc;
}
