/* printer.c - picking a printer (printer.h), for every command: the outputs of `watch` (the
 * packet list with -v, -A, -X and -x composed onto it, JSON lines, the events-only view, nothing for
 * -w -), each wrapping the renderers of text.c, tree.c, hex.c, json.c and event.c; and the
 * probe printers of ping and trace (probe_text.c, probe_json.c), picked from the same enum. */
#include <stdio.h>
#include <string.h>

#include "netprobe/printer.h"
#include "netprobe/hot.h"

/* Between packet lines only what a person watching needs; the rest is on the line itself
 * (analysis notes), in -v (states), or in --events and --json. A state change only when asked
 * (--states): a flood's lone SYN is no event until it resolves (handshake, refused,
 * unanswered), and one line per spoofed SYN would bury the alert. */
static bool line_wants(const struct np_printer *pr, enum np_event_kind k)
{
	switch (k) {
	case NP_EV_STATE:
		return pr->o.states;
	case NP_EV_HANDSHAKE:
	case NP_EV_REFUSED:
	case NP_EV_SYN_UNANSWERED:
	case NP_EV_TEARDOWN:
	case NP_EV_RESET:
	case NP_EV_SYN_FLOOD:
	case NP_EV_LADDER:
		return true;
	default:
		return false;
	}
}

/* The text outputs end with the statistics on standard error, whatever became of stdout. */
static void text_close(struct np_printer *pr, const struct np_run_stats *rs, enum np_run_end end)
{
	if (end != NP_END_ERROR && pr->o.summary)
		np_print_summary(pr->diag, &rs->track, rs->frames);
}

static void no_summary(struct np_printer *pr, const struct np_run_stats *rs)
{
	(void)pr;
	(void)rs;
}

/* --- the packet list: line, then -v tree, -A text, -X payload hex, -x frame dump --- */

NP_HOT static void line_packet(struct np_printer *pr, const struct np_packet *p,
			const struct np_pkt_track *trk)
{
	for (unsigned i = 0; i < pr->nparts; i++)
		pr->parts[i](&pr->pc, p, trk);
}

static void line_event(struct np_printer *pr, const struct np_event *ev)
{
	if (line_wants(pr, ev->kind))
		np_print_event(&pr->pc, ev);
}

static void hex_part(struct np_print_ctx *ctx, const struct np_packet *p,
		     const struct np_pkt_track *trk)
{
	(void)trk;
	np_print_hex(ctx, p);
}

static void text_part(struct np_print_ctx *ctx, const struct np_packet *p,
		      const struct np_pkt_track *trk)
{
	(void)trk;
	np_print_payload_text(ctx, p);
}

static void payload_hex_part(struct np_print_ctx *ctx, const struct np_packet *p,
			     const struct np_pkt_track *trk)
{
	(void)trk;
	np_print_payload_hex(ctx, p);
}

static const struct np_printer_ops line_ops = {
	.packet = line_packet,
	.event = line_event,
	.summary = no_summary,
	.close = text_close,
};

/* --- --json: every event (its consumers read the states), the summary object on stdout --- */

NP_HOT static void json_packet(struct np_printer *pr, const struct np_packet *p,
			const struct np_pkt_track *trk)
{
	np_print_json(&pr->pc, p, trk);
}

static void json_event(struct np_printer *pr, const struct np_event *ev)
{
	np_print_event_json(&pr->pc, ev);
}

static void json_summary(struct np_printer *pr, const struct np_run_stats *rs)
{
	const uint64_t write[2] = { rs->written, rs->write_dropped };
	np_print_summary_json(pr->pc.out, &rs->track, rs->frames, rs->shown,
			      rs->writing ? write : NULL);
}

/* The summary object went to stdout; when stdout's reader left, the text goes to stderr. */
static void json_close(struct np_printer *pr, const struct np_run_stats *rs, enum np_run_end end)
{
	if (end == NP_END_READER_GONE)
		text_close(pr, rs, end);
}

static const struct np_printer_ops json_ops = {
	.packet = json_packet,
	.event = json_event,
	.summary = json_summary,
	.close = json_close,
};

static void none_packet(struct np_printer *pr, const struct np_packet *p,
			const struct np_pkt_track *trk);

/* --- --json=ecs: no packet lines; every event and each conversation as it leaves the table,
 * as ECS documents; the text statistics on stderr --- */

static void ecs_event(struct np_printer *pr, const struct np_event *ev)
{
	if (ev->kind != NP_EV_STATE || pr->o.states) /* state changes when asked, as the lines */
		np_print_event_ecs(&pr->pc, ev, pr->o.cid_seed);
}

static const struct np_printer_ops ecs_ops = {
	.packet = none_packet,
	.event = ecs_event,
	.summary = no_summary,
	.close = text_close,
};

/* --- --events: no packet lines, but each packet sets the time base of the event lines --- */

static void events_packet(struct np_printer *pr, const struct np_packet *p,
			  const struct np_pkt_track *trk)
{
	(void)trk;
	np_print_event_frame(&pr->pc, p->frame);
}

static void events_event(struct np_printer *pr, const struct np_event *ev)
{
	if (ev->kind != NP_EV_STATE || pr->o.states)
		np_print_event(&pr->pc, ev);
}

static const struct np_printer_ops events_ops = {
	.packet = events_packet,
	.event = events_event,
	.summary = no_summary,
	.close = text_close,
};

/* --- -w -: standard output carries the capture; only the statistics, on stderr --- */

static void none_packet(struct np_printer *pr, const struct np_packet *p,
			const struct np_pkt_track *trk)
{
	(void)pr;
	(void)p;
	(void)trk;
}

static void none_event(struct np_printer *pr, const struct np_event *ev)
{
	(void)pr;
	(void)ev;
}

static const struct np_printer_ops none_ops = {
	.packet = none_packet,
	.event = none_event,
	.summary = no_summary,
	.close = text_close,
};

void np_printer_init(struct np_printer *pr, const struct np_printer_opts *o,
		     const struct np_print_ctx *pc)
{
	static const struct np_printer_ops *const ops[] = {
		[NP_OUT_LINE] = &line_ops,
		[NP_OUT_JSON] = &json_ops,
		[NP_OUT_EVENTS] = &events_ops,
		[NP_OUT_NONE] = &none_ops,
		[NP_OUT_STATS] = &np_stats_printer_ops,
		[NP_OUT_ECS] = &ecs_ops,
	};
	memset(pr, 0, sizeof *pr);
	pr->flows = o->output == NP_OUT_ECS;
	pr->o = *o;
	pr->pc = *pc;
	pr->ops = ops[o->output];
	pr->diag = stderr;
	pr->pc.event_numbers = o->output == NP_OUT_EVENTS;
	pr->pc.color = pc->color && o->output == NP_OUT_LINE;
	pr->parts[pr->nparts++] = np_print_line;
	if (o->tree)
		pr->parts[pr->nparts++] = np_print_tree;
	if (o->text)
		pr->parts[pr->nparts++] = text_part;
	if (o->payload_hex)
		pr->parts[pr->nparts++] = payload_hex_part;
	if (o->hex)
		pr->parts[pr->nparts++] = hex_part;
	pr->pc.payload_max = o->payload_max ? o->payload_max : NP_PAYLOAD_MAX_DEFAULT;
	pr->pc.payload_json = o->output == NP_OUT_JSON ? o->payload_json : NP_PAYLOAD_NONE;
	pr->pc.payload_json_max = o->payload_json_max ? o->payload_json_max : UINT32_MAX;
}

bool np_printer_uses_stdout(const struct np_printer *pr)
{
	return pr->ops != &none_ops;
}

void np_probe_printer_init(struct np_probe_printer *pr, enum np_output output, FILE *out,
			   bool quiet, bool verbose, const struct np_probe_module *m, uint8_t ver,
			   const char *scope, const char *target)
{
	static const struct np_probe_printer_ops *const ops[] = {
		[NP_OUT_LINE] = &np_probe_text_ops,
		[NP_OUT_JSON] = &np_probe_json_ops,
	};
	memset(pr, 0, sizeof *pr);
	pr->ops = ops[output];
	pr->out = out;
	pr->quiet = quiet;
	pr->verbose = verbose;
	pr->m = m;
	pr->ver = ver;
	snprintf(pr->scope, sizeof pr->scope, "%s", scope);
	snprintf(pr->target, sizeof pr->target, "%s", target);
	np_print_init(&pr->pc, out, NP_TS_RELATIVE, false);
}
