/* pipeline.c - the fuzz harnesses run the library's frame pipeline (np_pipeline_frame, as
 * `netprobe watch` does) with a tee printer over the library's printers, so that one input
 * reaches every output at once: the packet line with the -v tree, the -A text, the -X payload
 * dump and the -x dump, the --json objects with --payload (hex, base64 or text), the --events
 * view (ladders included), follow's dialogues (the reassembler, in the format the options pick)
 * and both summaries. Output goes to /dev/null: the formatting is what is exercised. */
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

/* The tee is the first member of struct fz_pipeline. */
static struct fz_pipeline *of_tee(struct np_printer *pr)
{
	return (struct fz_pipeline *)(void *)pr;
}

static void tee_packet(struct np_printer *pr, const struct np_packet *p,
		       const struct np_pkt_track *trk)
{
	struct fz_pipeline *z = of_tee(pr);
	np_printer_packet(&z->line, p, trk);
	np_printer_packet(&z->json, p, trk);
	np_printer_packet(&z->events, p, trk);
	/* Untracked too, as ping/trace print their answers. */
	np_print_json_object(z->json.pc.out, p, NULL);
}

static void tee_event(struct np_printer *pr, const struct np_event *ev)
{
	struct fz_pipeline *z = of_tee(pr);
	np_printer_event(&z->ecs, ev);
	if (ev->kind == NP_EV_CONV_END)
		return; /* the tee asks for them (flows), as the ECS printer does; no other sees one */
	np_printer_event(&z->line, ev);
	np_printer_event(&z->json, ev);
	np_printer_event(&z->events, ev);
}

static void tee_summary(struct np_printer *pr, const struct np_run_stats *rs)
{
	struct fz_pipeline *z = of_tee(pr);
	np_printer_summary(&z->json, rs);
	np_printer_close(&z->line, rs, NP_END_COMPLETE);
}

static void tee_close(struct np_printer *pr, const struct np_run_stats *rs, enum np_run_end end)
{
	struct fz_pipeline *z = of_tee(pr);
	np_printer_close(&z->json, rs, end);
}

static const struct np_printer_ops tee_ops = {
	.packet = tee_packet,
	.event = tee_event,
	.summary = tee_summary,
	.close = tee_close,
};

static void printer(struct np_printer *pr, enum np_output out, uint8_t opts,
		    const struct np_print_ctx *pc)
{
	uint32_t max = (opts & FZ_OPT_PAYLOAD_CUT) ? 5 : 0; /* 0: the default */
	struct np_printer_opts po = { .output = out, .tree = true, .hex = true,
				      .states = out == NP_OUT_EVENTS || (opts & FZ_OPT_STATES),
				      .summary = true, .text = true, .payload_hex = true,
				      .payload_max = max, .payload_json_max = max,
				      .payload_json = (enum np_payload_enc)(NP_PAYLOAD_HEX +
					      ((opts >> FZ_OPT_TS_SHIFT) & 7) % 3) };
	np_printer_init(pr, &po, pc);
	pr->diag = pc->out;
}

int fz_pipeline_begin(struct fz_pipeline *z, uint8_t opts)
{
	memset(z, 0, sizeof *z);
	struct np_print_ctx pc;
	np_print_init(&pc, sink_file(), (enum np_tsfmt)(((opts >> FZ_OPT_TS_SHIFT) & 7) % 7),
		      (opts & FZ_OPT_COLOR) != 0);
	pc.absolute_seq = (opts & FZ_OPT_ABSOLUTE) != 0;
	printer(&z->line, NP_OUT_LINE, opts, &pc);
	printer(&z->json, NP_OUT_JSON, opts, &pc);
	printer(&z->events, NP_OUT_EVENTS, opts, &pc);
	printer(&z->ecs, NP_OUT_ECS, opts, &pc);
	z->tee.ops = &tee_ops;
	z->tee.flows = true;
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
	o.report_ends = true;
	o.active_timeout_s = 1; /* the periodic flow reports too */
	z->trk = np_tracker_new(&o);
	z->ladder = np_ladder_new(o.max_conv, 2, 5); /* 2 ladders of 5 arrows: the pool runs out */
	/* follow's collector on the same pipeline: the reassembler with caps a few segments
	 * reach (per conversation, in total, history, held dialogue), each format in turn. */
	struct np_follow_opts fo = { .format = (enum np_follow_format)((opts >> 2) % 4),
				     .stream = (opts & FZ_OPT_COLOR) != 0, .max_conv = o.max_conv,
				     .max_udp = 4, .buffer_mem = 4096,
				     .reasm = { .conv_mem = 4096, .total_mem = 16384, .history = 256 } };
	memcpy(fo.hash_key, o.hash_key, sizeof fo.hash_key);
	z->follow = np_follow_new(&fo, sink_file());
	np_pipeline_init(&z->pl, &z->match, z->trk, &z->tee);
	np_pipeline_ladder(&z->pl, z->ladder);
	np_pipeline_follow(&z->pl, z->follow);
	z->pair = np_apppair_new(4, o.hash_key);
	np_pipeline_pair(&z->pl, z->pair);
	z->pdu = np_apppdu_new();
	np_pipeline_pdu(&z->pl, z->pdu);
	struct np_udpflow_opts uo = { .max = 4, .idle_timeout_s = 2, .active_timeout_s = 1 };
	memcpy(uo.hash_key, o.hash_key, sizeof uo.hash_key);
	z->udp = np_udpflows_new(&uo);
	np_pipeline_udp_flows(&z->pl, z->udp);
	return z->trk && z->ladder && z->follow && z->pair && z->pdu && z->udp ? 0 : -1;
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
	if (z->match_wanted && !z->match_set) {
		np_decode(f, &pkt); /* the harness's own look, to choose the match */
		set_match(z, &pkt);
	}
	(void)np_pipeline_frame(&z->pl, f, &pkt);
}

void fz_pipeline_end(struct fz_pipeline *z, uint64_t frames)
{
	struct np_run_stats rs;
	np_pipeline_finish(&z->pl);
	np_follow_finish(z->follow);
	np_follow_free(z->follow);
	z->follow = NULL;
	np_pipeline_stats(&z->pl, frames, &rs);
	np_printer_summary(&z->tee, &rs);
	np_printer_close(&z->tee, &rs, NP_END_READER_GONE); /* the JSON printer's text on diag */
	np_tracker_free(z->trk);
	np_ladder_free(z->ladder);
	np_apppair_free(z->pair);
	np_apppdu_free(z->pdu);
	np_udpflows_free(z->udp);
	z->udp = NULL;
	z->pair = NULL;
	z->pdu = NULL;
	z->trk = NULL;
	z->ladder = NULL;
}
