/* json.c - the --json printer: one object per packet per line (JSON Lines, RFC 8259 values).
 * Layers that were not decoded are left out, and so are fields whose bytes were not captured.
 *
 * Speed: each object is built in a buffer on the stack with hand-rolled appenders and written
 * with one fwrite; no printf and no allocation per packet. A buffer that fills up (only an
 * object with very long strings could) is written out and reused, so no object is ever cut. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "netprobe/decode.h"
#include "netprobe/print.h"
#include "netprobe/proto.h"
#include "core/sbuf.h"

#include "jw.h"
#include "netprobe/hot.h"
#include "payload.h"

/* A layer of a unit in the new shape, as the unit names its fields. */
static unsigned json_unit(struct np_jw *restrict w, const struct np_unit *u,
			  const struct np_pkt_layer *l)
{
	struct np_field f[NP_MAX_FIELDS];
	unsigned n = u->fields(l, f);
	dyn_key(w, u->key);
	open_obj_sep(w);
	for (unsigned i = 0; i < n; i++) {
		dyn_key(w, f[i].key);
		put_uint(w, f[i].value, 0);
	}
	close_obj(w);
	return 0;
}

static unsigned json_layer(struct np_jw *restrict w, const struct np_pkt_layer *l,
			   const struct np_view *v)
{
	const struct np_unit *u = np_unit_of(l->kind);
	if (u && u->json)
		return u->json(w, l, v);
	return u ? json_unit(w, u, l) : 0;
}

/* "layers": every layer's name (its object's key), outermost first; written for a packet that
 * carries a tunnel, a shim (MPLS, PPPoE) or IP in IP. */
static void json_layer_names(struct np_jw *restrict w, const struct np_packet *p)
{
	KEY(w, "layers");
	list_names_open(w);
	bool first = true;
	for (unsigned i = 0; i < p->nlayers; i++) {
		const struct np_unit *u = np_unit_of(p->layer[i].kind);
		const char *name = !u ? NULL : u->name ? u->name(&p->layer[i]) : u->key;
		if (name) {
			list_name(w, first, name);
			first = false;
		}
	}
	ch(w, ']');
}

/* The layers' objects. The top-level ones are the outermost packet's; a link or network layer
 * after a network layer starts the packet a tunnel carries, whose objects go in "inner" (in the
 * same shape, nested again for a tunnel in a tunnel). */
static void json_layers(struct np_jw *restrict w, const struct np_packet *p,
			const struct np_view *v)
{
	unsigned open = 0;
	bool net = false;
	for (unsigned i = 0; i < p->nlayers; i++) {
		uint8_t k = p->layer[i].kind;
		bool is_net = k == NP_L_IP4 || k == NP_L_IP6 || k == NP_L_ARP;
		if (net && (is_net || k == NP_L_LINK)) {
			OPEN(w, "inner");
			open++;
			net = false;
		}
		net |= is_net;
		open += json_layer(w, &p->layer[i], v);
	}
	while (open--)
		close_obj(w);
}

/* The packet object, without a newline. */
NP_HOT static void json_packet(struct np_jw *restrict w, const struct np_packet *p,
				const struct np_pkt_track *trk, const struct np_print_ctx *ctx)
{
	const struct np_frame *f = p->frame;
	room(w, 64 + JW_ITEM);
	LIT(w, "{\"type\":\"packet\",\"n\":");
	w->sep = ',';
	put_uint(w, f->n, 0);
	KEY(w, "ts");
	put_ts(w, f->ts_sec, f->ts_usec);
	NUM(w, "caplen", f->caplen);
	NUM(w, "len", f->len);
	STR(w, "link", np_link_name(f->dlt));
	const struct np_view v = { p, trk, false };
	if (p->encaps || p->nets > 1)
		json_layer_names(w, p);
	json_layers(w, p, &v);
	BOOL(w, "truncated", p->truncated);
	BOOL(w, "malformed", p->malformed);
	if (p->nproblems) {
		KEY(w, "problems");
		*w->p++ = '[';
		for (unsigned i = 0; i < p->nproblems; i++) {
			if (i)
				ch(w, ',');
			open_obj_sep(w);
			STR(w, "layer", np_layer_name(p->problems[i].layer));
			STR(w, "verdict", np_verdict_name(p->problems[i].verdict));
			STR(w, "what", p->problems[i].what);
			close_obj(w);
		}
		ch(w, ']');
	}
	if (ctx && ctx->payload_json) /* --payload */
		np_payload_json(w, p, ctx->payload_json, ctx->payload_json_max);
	ch(w, '}');
}

NP_HOT void np_print_json(struct np_print_ctx *ctx, const struct np_packet *p,
		   const struct np_pkt_track *trk)
{
	char buf[JW_BUF];
	struct np_jw w;
	jw_init(&w, ctx->out, buf, sizeof buf);
	json_packet(&w, p, trk, ctx);
	ch(&w, '\n');
	jw_flush(&w);
}

void np_print_json_object(FILE *out, const struct np_packet *p, const struct np_pkt_track *trk)
{
	char buf[JW_BUF];
	struct np_jw w;
	jw_init(&w, out, buf, sizeof buf);
	json_packet(&w, p, trk, NULL);
	jw_flush(&w);
}

/* "address:port", or "[address]:port" for IPv6. */
static void put_endpoint(struct np_jw *restrict w, const struct np_endpoint *ep)
{
	*w->p++ = '"';
	if (ep->ver == 6)
		*w->p++ = '[';
	if (ep->ver == 6) {
		struct np_sbuf sb = { w->p, (size_t)(w->end - w->p), 0 };
		np_sb_ip6(&sb, ep->addr);
		w->p += sb.len;
		*w->p++ = ']';
	} else {
		w->p = np_put_ip4(w->p, ep->addr);
	}
	*w->p++ = ':';
	put_uint(w, ep->port, 0);
	*w->p++ = '"';
}
#define ENDPOINT(w, k, ep) (KEY(w, k), put_endpoint(w, (ep)))

/* "%.3f": rare (events and the summary), so printf's exact decimal rounding is kept. A double
 * prints in at most 317 bytes (DBL_MAX with three decimals). */
static void real(struct np_jw *restrict w, const char *k, size_t klen, double v)
{
	char tmp[400];
	int n = snprintf(tmp, sizeof tmp, "%.3f", v);
	jw_key(w, k, klen);
	if (n > 0) {
		room(w, (size_t)n);
		lit(w, tmp, (size_t)n);
	}
}
#define REAL(w, k, v) real(w, ",\"" k "\":", sizeof(",\"" k "\":") - 1, (v))

/* The handshake event's own members: its times and the options both sides offered. */
static void event_handshake(struct np_jw *restrict w, const struct np_event *ev)
{
	if (ev->hs.syn_synack_ms >= 0)
		REAL(w, "syn_synack_ms", ev->hs.syn_synack_ms);
	REAL(w, "synack_ack_ms", ev->hs.synack_ack_ms);
	OPEN(w, "opts");
	NUM(w, "mss_client", ev->hs.mss[0]);
	NUM(w, "mss_server", ev->hs.mss[1]);
	if (ev->hs.ws[0] >= 0 && ev->hs.ws[1] >= 0) {
		NUM(w, "ws_client", (uint64_t)ev->hs.ws[0]);
		NUM(w, "ws_server", (uint64_t)ev->hs.ws[1]);
	}
	BOOL(w, "sack", ev->hs.sack);
	BOOL(w, "ts", ev->hs.ts);
	close_obj(w);
}

/* A SYN flood episode: its phase, target and counters. */
static void event_flood(struct np_jw *restrict w, const struct np_event *ev)
{
	static const char *const phases[] = { "start", "update", "end" };
	STR(w, "phase", phases[ev->flood.phase]);
	ENDPOINT(w, "target", &ev->flood.target);
	/* The tunnel the target sits in, as the ECS flow record names it. */
	static const char *const tun[] = { [NP_L_VXLAN] = "vxlan", [NP_L_GENEVE] = "geneve",
					    [NP_L_GRE] = "gre", [NP_L_GTP] = "gtp-u" };
	uint8_t k = ev->flood.tunnel.kind;
	if (k < sizeof tun / sizeof tun[0] && tun[k]) {
		OPEN(w, "tunnel");
		STR(w, "type", tun[k]);
		NUM(w, "id", ev->flood.tunnel.id);
		close_obj(w);
	}
	REAL(w, "syn_rate", ev->flood.syn_rate);
	NUM(w, "half_open", ev->flood.half_open);
	NUM(w, "sources", ev->flood.sources);
	NUM(w, "syns", ev->flood.syns);
	NUM(w, "synacks", ev->flood.synacks);
	NUM(w, "rsts", ev->flood.rsts);
	REAL(w, "peak_rate", ev->flood.peak_rate);
	REAL(w, "duration_s", ev->flood.duration_s);
	NUM(w, "suppressed", ev->flood.suppressed);
}

void np_print_event_json(struct np_print_ctx *ctx, const struct np_event *ev)
{
	if (ev->kind == NP_EV_LADDER)
		return; /* a picture for people; JSON readers have every packet and event already */
	char buf[JW_BUF];
	struct np_jw w;
	jw_init(&w, ctx->out, buf, sizeof buf);
	STR(&w, "type", "event");
	STR(&w, "event", np_event_kind_name(ev->kind));
	NUM(&w, "n", ev->n);
	KEY(&w, "ts");
	put_ts(&w, ev->ts_sec, ev->ts_usec);
	if (ev->kind != NP_EV_SYN_FLOOD) {
		NUM(&w, "conv", ev->conv);
		ENDPOINT(&w, "client", &ev->client);
		ENDPOINT(&w, "server", &ev->server);
		if (ev->midstream)
			BOOL(&w, "midstream", true);
	}
	switch (ev->kind) {
	case NP_EV_HANDSHAKE:
		event_handshake(&w, ev);
		break;
	case NP_EV_TEARDOWN:
		STR(&w, "closed_by", np_side_name(ev->td.closed_by));
		STR(&w, "time_wait", np_side_name(ev->td.time_wait));
		REAL(&w, "duration_ms", ev->td.duration_ms);
		NUM(&w, "bytes_c2s", ev->td.bytes[0]);
		NUM(&w, "bytes_s2c", ev->td.bytes[1]);
		BOOL(&w, "half_close", ev->td.half_close);
		break;
	case NP_EV_RESET:
		STR(&w, "by", np_side_name(ev->side));
		REAL(&w, "duration_ms", ev->rst.duration_ms);
		NUM(&w, "bytes_c2s", ev->rst.bytes[0]);
		NUM(&w, "bytes_s2c", ev->rst.bytes[1]);
		NUM(&w, "unacked_c2s", ev->rst.unacked[0]);
		NUM(&w, "unacked_s2c", ev->rst.unacked[1]);
		if (ev->rst.lone) /* a reset that came alone says so */
			BOOL(&w, "lone", true);
		break;
	case NP_EV_REFUSED:
		STR(&w, "by", np_side_name(ev->side));
		break;
	case NP_EV_SYN_UNANSWERED:
		NUM(&w, "syns", ev->unanswered.syns);
		break;
	case NP_EV_STATE:
		STR(&w, "side", np_side_name(ev->side));
		STR(&w, "from", np_tcp_state_name(ev->st.from));
		STR(&w, "to", np_tcp_state_name(ev->st.to));
		break;
	case NP_EV_DUP_ACK:
		STR(&w, "side", np_side_name(ev->side));
		NUM(&w, "num", ev->dup.num);
		break;
	case NP_EV_RETRANSMISSION:
	case NP_EV_ZERO_WINDOW:
	case NP_EV_WINDOW_FULL:
	case NP_EV_OUT_OF_ORDER:
		STR(&w, "side", np_side_name(ev->side));
		break;
	case NP_EV_LADDER:
	case NP_EV_CONV_END: /* the pipeline's, never printed */
		break;
	case NP_EV_SYN_FLOOD:
		event_flood(&w, ev);
		break;
	}
	room(&w, 2);
	LIT(&w, "}\n");
	jw_flush(&w);
}

void np_print_summary_json(FILE *out, const struct np_track_stats *s, uint64_t frames,
			   uint64_t shown, const uint64_t *write)
{
	char buf[JW_BUF];
	struct np_jw w;
	jw_init(&w, out, buf, sizeof buf);
	STR(&w, "type", "summary");
	NUM(&w, "schema", NP_JSON_SCHEMA);
	NUM(&w, "frames", frames);
	NUM(&w, "packets", shown);
	OPEN(&w, "protocols");
	NUM(&w, "tcp", s->tcp);
	NUM(&w, "udp", s->udp);
	NUM(&w, "icmp", s->icmp);
	NUM(&w, "icmp6", s->icmp6);
	NUM(&w, "arp", s->arp);
	NUM(&w, "other", s->other);
	NUM(&w, "ip4", s->ip4);
	NUM(&w, "ip6", s->ip6);
	close_obj(&w);
	OPEN(&w, "conversations");
	NUM(&w, "total", s->conversations);
	NUM(&w, "completed", s->completed);
	NUM(&w, "closed", s->closed);
	NUM(&w, "refused", s->refused);
	NUM(&w, "reset", s->reset);
	NUM(&w, "reset_unacked", s->reset_unacked);
	NUM(&w, "unanswered", s->unanswered);
	NUM(&w, "open", s->open);
	NUM(&w, "half_open", s->half_open);
	NUM(&w, "evicted", s->evicted);
	NUM(&w, "evicted_half_open", s->evicted_half_open);
	NUM(&w, "peak_in_use", s->max_conv_in_use);
	close_obj(&w);
	if (s->hs_count) {
		OPEN(&w, "handshake_ms");
		REAL(&w, "min", s->hs_min_ms);
		REAL(&w, "avg", s->hs_sum_ms / (double)s->hs_count);
		REAL(&w, "max", s->hs_max_ms);
		close_obj(&w);
	}
	NUM(&w, "flood_episodes", s->flood_episodes);
	if (write) {
		OPEN(&w, "write");
		NUM(&w, "written", write[0]);
		NUM(&w, "dropped", write[1]);
		close_obj(&w);
	}
	if (s->app_requests || s->app_unmatched) {
		OPEN(&w, "app_pairs");
		NUM(&w, "requests", s->app_requests);
		NUM(&w, "paired", s->app_paired);
		NUM(&w, "unmatched", s->app_unmatched);
		NUM(&w, "evicted", s->app_evicted);
		NUM(&w, "pending", s->app_pending);
		close_obj(&w);
	}
	if (s->pdu_done || s->pdu_abandoned || s->pdu_too_long) {
		OPEN(&w, "reassembled");
		NUM(&w, "messages", s->pdu_done);
		NUM(&w, "abandoned", s->pdu_abandoned);
		NUM(&w, "too_long", s->pdu_too_long);
		NUM(&w, "evicted", s->pdu_evicted);
		close_obj(&w);
	}
	KEY(&w, "top_talkers");
	*w.p++ = '[';
	for (uint32_t i = 0; i < s->ntop; i++) {
		if (i)
			ch(&w, ',');
		open_obj_sep(&w);
		NUM(&w, "conv", s->top[i].conv);
		ENDPOINT(&w, "client", &s->top[i].client);
		ENDPOINT(&w, "server", &s->top[i].server);
		NUM(&w, "bytes_c2s", s->top[i].bytes[0]);
		NUM(&w, "bytes_s2c", s->top[i].bytes[1]);
		NUM(&w, "packets", s->top[i].packets);
		close_obj(&w);
	}
	room(&w, 3);
	LIT(&w, "]}\n");
	jw_flush(&w);
}
