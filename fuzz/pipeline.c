/* pipeline.c - the per-frame path of `netprobe watch` (cmd_watch.c's loop) for the fuzz
 * harnesses, with every printer enabled at once instead of the one the options choose: the
 * packet line, the -v tree, the -x dump, the --json object, event lines (text and JSON, ladders
 * included) and both summaries. Output goes to /dev/null: the formatting is what is exercised. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netprobe/decode.h"
#include "pipeline.h"

static FILE *sink_file(void)
{
	static FILE *sink; /* one for the process: opening it per input would only cost time */
	if (!sink) {
		sink = fopen("/dev/null", "w");
		if (!sink) {
			perror("fuzz: /dev/null");
			abort();
		}
	}
	return sink;
}

static void show_event(struct fz_pipeline *z, const struct np_event *ev)
{
	np_print_event(&z->pc, ev);
	np_print_event_json(&z->pc, ev);
}

/* As cmd_watch.c: events the packet causes wait until its line is out. */
static void on_event(void *arg, const struct np_event *ev)
{
	struct fz_pipeline *z = arg;
	if (z->hold && z->nheld < sizeof z->held / sizeof z->held[0])
		z->held[z->nheld++] = *ev;
	else
		show_event(z, ev);
}

int fz_pipeline_begin(struct fz_pipeline *z, uint8_t opts)
{
	memset(z, 0, sizeof *z);
	np_print_init(&z->pc, sink_file(), (enum np_tsfmt)(((opts >> FZ_OPT_TS_SHIFT) & 7) % 7),
		      (opts & FZ_OPT_COLOR) != 0);
	z->pc.absolute_seq = (opts & FZ_OPT_ABSOLUTE) != 0;
	z->pc.event_numbers = (opts & FZ_OPT_EVNUM) != 0;
	z->match_wanted = (opts & FZ_OPT_MATCH) != 0;

	struct np_track_opts o;
	np_track_defaults(&o); /* its fixed hash key: a finding replays the same way */
	/* Tiny tables and short timeouts: a few frames fill them, so eviction of established and
	 * half-open conversations, of flood targets and of ladders, and every expiry, are reached. */
	o.max_conv = 8;
	o.max_half_open = 4;
	o.max_targets = 2;
	o.idle_timeout_s = 20;
	o.half_open_timeout_s = 3;
	o.closed_timeout_s = 2;
	o.flood_rate = 3;
	o.flood_half_open = 3;
	o.flood_window_s = 2;
	o.ladder_convs = 2;
	o.ladder_segments = 5;
	z->trk = np_tracker_new(&o);
	return z->trk ? 0 : -1;
}

/* --port and --host from the first decoded frame: later frames then match or not. */
static void set_match(struct fz_pipeline *z, const struct np_packet *p)
{
	z->match_set = true;
	if (np_pkt_tcp(p)) {
		z->match.has_port = true;
		z->match.port = np_pkt_tcp(p)->dport;
	} else if (np_pkt_udp(p)) {
		z->match.has_port = true;
		z->match.port = np_pkt_udp(p)->sport;
	}
	if (np_pkt_ip4(p)) {
		z->match.nhosts = 1;
		z->match.hosts[0].ver = 4;
		memcpy(z->match.hosts[0].addr, np_pkt_ip4(p)->src, 4);
	} else if (np_pkt_ip6(p)) {
		z->match.nhosts = 1;
		z->match.hosts[0].ver = 6;
		memcpy(z->match.hosts[0].addr, np_pkt_ip6(p)->dst, 16);
	}
}

void fz_pipeline_frame(struct fz_pipeline *z, const struct np_frame *f)
{
	struct np_packet pkt;
	struct np_pkt_track info;
	np_decode(f, &pkt);
	if (z->match_wanted && !z->match_set)
		set_match(z, &pkt);
	if (!np_match_packet(&z->match, &pkt))
		return;
	z->hold = false;
	np_track_advance(z->trk, f->ts_sec, f->ts_usec, on_event, z);
	z->hold = true;
	z->nheld = 0;
	np_track_packet(z->trk, &pkt, &info, on_event, z);
	np_print_line(&z->pc, &pkt, &info);
	np_print_tree(&z->pc, &pkt, &info);
	np_print_hex(&z->pc, &pkt);
	np_print_json(&z->pc, &pkt, &info);
	/* Untracked forms too, as ping/trace print their answers. */
	np_print_json_object(z->pc.out, &pkt, NULL);
	for (unsigned i = 0; i < z->nheld; i++)
		show_event(z, &z->held[i]);
	z->hold = false;
}

void fz_pipeline_end(struct fz_pipeline *z, uint64_t frames)
{
	struct np_track_stats st;
	np_track_finish(z->trk, on_event, z);
	np_track_stats(z->trk, &st);
	np_print_summary(z->pc.out, &st, frames);
	np_print_summary_json(z->pc.out, &st, frames, st.packets);
	np_tracker_free(z->trk);
	z->trk = NULL;
}
