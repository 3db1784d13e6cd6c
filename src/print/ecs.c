/* ecs.c - --json=ecs: one JSON line per tracker event and per conversation that left the
 * table, named after the Elastic Common Schema (ECS 8.17 field reference: event.*, source.*,
 * destination.*, network.*; what ECS has no field for under netprobe.*), with the flow's
 * Community ID v1 in network.community_id, ready for Filebeat, Vector or Fluent Bit as it is.
 * The fields and their ECS types: tests/ecs/fields.tsv (checked by tests/ecs/check_ecs.py). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "netprobe/community_id.h"
#include "netprobe/print.h"
#include "netprobe/printer.h"
#include "core/sbuf.h"
#include "jw.h"

#define ECS_VERSION "8.17.0"

/* ISO 8601 in UTC with microseconds, as ECS dates are written: "2026-12-03T01:02:03.000004Z". */
static void put_date(struct np_jw *w, int64_t us)
{
	time_t sec = (time_t)(us >= 0 ? us / 1000000 : (us - 999999) / 1000000);
	long frac = (long)(us - (int64_t)sec * 1000000);
	struct tm tm;
	char t[64];
	if (!gmtime_r(&sec, &tm))
		memset(&tm, 0, sizeof tm);
	snprintf(t, sizeof t, "\"%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ\"", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
	room(w, sizeof t);
	lit(w, t, strlen(t));
}

static void put_ms(struct np_jw *w, double ms)
{
	char t[48];
	int n = snprintf(t, sizeof t, "%.3f", ms);
	room(w, sizeof t);
	lit(w, t, (size_t)n);
}

static void put_strs(struct np_jw *w, const char *a, const char *b)
{
	room(w, 64);
	ch(w, '[');
	put_str(w, a);
	if (b) {
		ch(w, ',');
		put_str(w, b);
	}
	ch(w, ']');
}

static int64_t ev_us(const struct np_event *ev)
{
	return ev->ts_sec * 1000000 + ev->ts_usec;
}

/* event.*: kind, category, type (ECS's allowed values), action, and what else the caller adds
 * before closing it. */
static void open_event(struct np_jw *w, int64_t ts_us, const char *kind, const char *cat2,
		       const char *type1, const char *type2, const char *action)
{
	KEY(w, "@timestamp");
	put_date(w, ts_us);
	OPEN(w, "ecs");
	STR(w, "version", ECS_VERSION);
	close_obj(w);
	OPEN(w, "event");
	STR(w, "kind", kind);
	KEY(w, "category");
	put_strs(w, "network", cat2);
	KEY(w, "type");
	put_strs(w, type1, type2);
	STR(w, "action", action);
	STR(w, "module", "netprobe");
}

static void endpoint(struct np_jw *w, const struct np_endpoint *ep, const uint64_t *bytes,
		     const uint64_t *packets)
{
	ADDR(w, "ip", ep->ver, ep->addr);
	NUM(w, "port", ep->port);
	if (bytes)
		NUM(w, "bytes", *bytes);
	if (packets)
		NUM(w, "packets", *packets);
	close_obj(w);
}

/* source = the client, destination = the server; network.* with the Community ID. */
static void tuple(struct np_jw *w, const struct np_event *ev, uint16_t seed, const struct np_flow *f)
{
	OPEN(w, "source");
	endpoint(w, &ev->client, f ? &f->octets[0] : NULL, f ? &f->packets[0] : NULL);
	OPEN(w, "destination");
	endpoint(w, &ev->server, f ? &f->octets[1] : NULL, f ? &f->packets[1] : NULL);
	char cid[NP_COMMUNITY_ID_LEN];
	bool udp = f && f->udp;
	np_community_id(seed, ev->client.ver, ev->client.addr, ev->server.addr, udp ? 17 : 6, true,
			ev->client.port, ev->server.port, cid);
	OPEN(w, "network");
	STR(w, "transport", udp ? "udp" : "tcp");
	STR(w, "iana_number", udp ? "17" : "6");
	STR(w, "type", ev->client.ver == 6 ? "ipv6" : "ipv4");
	STR(w, "community_id", cid);
	if (f) {
		NUM(w, "bytes", f->octets[0] + f->octets[1]);
		NUM(w, "packets", f->packets[0] + f->packets[1]);
		if (f->nvlan) {
			OPEN(w, "vlan");
			char id[8];
			snprintf(id, sizeof id, "%u", f->vlan);
			STR(w, "id", id);
			close_obj(w);
		}
	}
	close_obj(w);
}

static const char *side_or_none(int s)
{
	return s < 0 ? "none" : np_side_name((enum np_side)s);
}

/* The innermost named tunnel the conversation rode: netprobe.tunnel {type,id}. */
static void tunnel(struct np_jw *w, const struct np_flow *f)
{
	static const struct { uint8_t kind; const char *name; } tun[] = {
		{ NP_L_VXLAN, "vxlan" }, { NP_L_GENEVE, "geneve" }, { NP_L_GRE, "gre" },
		{ NP_L_GTP, "gtp-u" },
	};
	for (size_t i = 0; i < sizeof tun / sizeof tun[0]; i++)
		if (f->tunnel_kind && tun[i].kind == f->tunnel_kind) {
			OPEN(w, "tunnel");
			STR(w, "type", tun[i].name);
			NUM(w, "id", f->tunnel_id);
			close_obj(w);
		}
}

static void flow_details(struct np_jw *w, const struct np_flow *f)
{
	STR(w, "outcome", np_flow_outcome_name(f->outcome));
	STR(w, "closed_by", side_or_none(f->closed_by));
	STR(w, "reset_by", side_or_none(f->reset_by));
	if (f->syn_synack_us >= 0) {
		KEY(w, "syn_synack_ms");
		put_ms(w, (double)f->syn_synack_us / 1000.0);
	}
	if (f->synack_ack_us >= 0) {
		KEY(w, "synack_ack_ms");
		put_ms(w, (double)f->synack_ack_us / 1000.0);
	}
	static const char *const who[2] = { "client", "server" };
	for (int i = 0; i < 2; i++) {
		char flags[64];
		if (np_fmt_tcp_flags(f->flags[i], flags, sizeof flags) == 0)
			flags[0] = '\0';
		char key[16];
		int n = snprintf(key, sizeof key, ",\"%s\":", who[i]);
		jw_key(w, key, (size_t)n);
		open_obj_sep(w);
		STR(w, "state", np_tcp_state_name(f->state[i]));
		STR(w, "flags", flags);
		NUM(w, "retransmissions", f->retrans[i]);
		NUM(w, "payload_bytes", f->payload[i]);
		close_obj(w);
	}
	tunnel(w, f);
}

/* A conversation that left the table: its flow record. */
static void conversation(struct np_jw *w, const struct np_event *ev, uint16_t seed)
{
	const struct np_flow *f = &ev->end.flow;
	open_event(w, f->last_us, "event", NULL, "connection", "end", "conversation");
	KEY(w, "start");
	put_date(w, f->first_us);
	KEY(w, "end");
	put_date(w, f->last_us);
	NUM(w, "duration", (uint64_t)(f->last_us - f->first_us) * 1000u);
	close_obj(w);
	tuple(w, ev, seed, f);
	if (f->udp) {
		/* a UDP conversation: of what ECS has no field for, only the tunnel it rode */
		if (f->tunnel_kind) {
			OPEN(w, "netprobe");
			tunnel(w, f);
			close_obj(w);
		}
		return;
	}
	OPEN(w, "netprobe");
	NUM(w, "conversation", ev->conv);
	if (ev->midstream)
		BOOL(w, "midstream", true);
	flow_details(w, f);
	close_obj(w);
}

/* A SYN flood episode: an alert about its target (ECS's intrusion_detection category). */
static void flood(struct np_jw *w, const struct np_event *ev)
{
	static const char *const phase[] = { "start", "update", "end" };
	open_event(w, ev_us(ev), "alert", "intrusion_detection", "info", NULL, "syn_flood");
	if (ev->flood.phase == NP_FLOOD_END)
		NUM(w, "duration", (uint64_t)(ev->flood.duration_s * 1e9));
	close_obj(w);
	OPEN(w, "destination");
	ADDR(w, "ip", ev->flood.target.ver, ev->flood.target.addr);
	NUM(w, "port", ev->flood.target.port);
	close_obj(w);
	OPEN(w, "network");
	STR(w, "transport", "tcp");
	STR(w, "iana_number", "6");
	close_obj(w);
	OPEN(w, "netprobe");
	OPEN(w, "flood");
	STR(w, "phase", phase[ev->flood.phase]);
	KEY(w, "syn_rate");
	put_ms(w, ev->flood.syn_rate);
	NUM(w, "half_open", ev->flood.half_open);
	NUM(w, "sources", ev->flood.sources);
	NUM(w, "syns", ev->flood.syns);
	NUM(w, "synacks", ev->flood.synacks);
	NUM(w, "rsts", ev->flood.rsts);
	close_obj(w);
	close_obj(w);
}

/* ECS's event.type for each tracker event. */
static void ecs_types(enum np_event_kind k, const char **t1, const char **t2)
{
	*t1 = "connection";
	switch (k) {
	case NP_EV_HANDSHAKE: *t2 = "start"; break;
	case NP_EV_TEARDOWN:
	case NP_EV_RESET: *t2 = "end"; break;
	case NP_EV_REFUSED: *t2 = "denied"; break;
	case NP_EV_SYN_UNANSWERED: *t2 = "error"; break;
	case NP_EV_STATE: *t2 = "change"; break;
	default: *t1 = "protocol"; *t2 = "info"; break;
	}
}

static void tcp_event(struct np_jw *w, const struct np_event *ev, uint16_t seed)
{
	const char *t1, *t2;
	ecs_types(ev->kind, &t1, &t2);
	open_event(w, ev_us(ev), "event", NULL, t1, t2, np_event_kind_name(ev->kind));
	if (ev->kind == NP_EV_TEARDOWN)
		NUM(w, "duration", (uint64_t)(ev->td.duration_ms * 1e6));
	close_obj(w);
	tuple(w, ev, seed, NULL);
	OPEN(w, "netprobe");
	NUM(w, "conversation", ev->conv);
	NUM(w, "packet", ev->n);
	if (ev->midstream)
		BOOL(w, "midstream", true);
	switch (ev->kind) {
	case NP_EV_HANDSHAKE:
		if (ev->hs.syn_synack_ms >= 0) {
			KEY(w, "syn_synack_ms");
			put_ms(w, ev->hs.syn_synack_ms);
		}
		KEY(w, "synack_ack_ms");
		put_ms(w, ev->hs.synack_ack_ms);
		NUM(w, "mss_client", ev->hs.mss[0]);
		NUM(w, "mss_server", ev->hs.mss[1]);
		BOOL(w, "sack", ev->hs.sack);
		break;
	case NP_EV_TEARDOWN:
		STR(w, "closed_by", np_side_name(ev->td.closed_by));
		STR(w, "time_wait", np_side_name(ev->td.time_wait));
		break;
	case NP_EV_SYN_UNANSWERED:
		NUM(w, "syns", ev->unanswered.syns);
		break;
	case NP_EV_STATE:
		STR(w, "side", np_side_name(ev->side));
		STR(w, "from", np_tcp_state_name(ev->st.from));
		STR(w, "to", np_tcp_state_name(ev->st.to));
		break;
	default:
		STR(w, "side", np_side_name(ev->side));
		if (ev->kind == NP_EV_DUP_ACK)
			NUM(w, "dup_ack", ev->dup.num);
		break;
	}
	close_obj(w);
}

void np_print_event_ecs(struct np_print_ctx *ctx, const struct np_event *ev, uint16_t seed)
{
	if (ev->kind == NP_EV_LADDER ||
	    (ev->kind == NP_EV_CONV_END && (ev->end.why == NP_CONV_OVER ||
					    ev->end.why == NP_CONV_ACTIVE)))
		return; /* a conversation is one record, when it leaves the table */
	char buf[JW_BUF];
	struct np_jw w;
	jw_init(&w, ctx->out, buf, sizeof buf);
	if (ev->kind == NP_EV_CONV_END)
		conversation(&w, ev, seed);
	else if (ev->kind == NP_EV_SYN_FLOOD)
		flood(&w, ev);
	else
		tcp_event(&w, ev, seed);
	close_obj(&w);
	ch(&w, '\n');
	jw_flush(&w);
}
