/* print.h - printers: decoded packets in, text out. They never parse bytes (the hex dump reads
 * the frame through a cursor). */
#ifndef NETPROBE_PRINT_H
#define NETPROBE_PRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "netprobe/fmt.h"
#include "netprobe/ladder.h"
#include "netprobe/packet.h"
#include "netprobe/track.h"

/* Time column formats, named after tshark's -t letters. */
enum np_tsfmt {
	NP_TS_RELATIVE,  /* r: seconds since the first packet (default) */
	NP_TS_ABSOLUTE,  /* a: local time of day */
	NP_TS_ABS_DATE,  /* ad: local date and time */
	NP_TS_UTC,       /* u: UTC time of day */
	NP_TS_UTC_DATE,  /* ud: UTC date and time */
	NP_TS_EPOCH,     /* e: seconds since 1970 */
	NP_TS_DELTA,     /* d: seconds since the previous packet shown */
};

/* --json --payload: how a packet object carries the transport payload (none: it does not). */
enum np_payload_enc { NP_PAYLOAD_NONE, NP_PAYLOAD_HEX, NP_PAYLOAD_BASE64, NP_PAYLOAD_TEXT };
/* Bytes of each payload -A and -X show unless --payload-max says otherwise. */
#define NP_PAYLOAD_MAX_DEFAULT 512

struct np_print_ctx {
	FILE *out;
	enum np_tsfmt tsfmt;
	bool color;
	bool absolute_seq;    /* raw sequence numbers in the line and tree, as tcpdump -S */
	bool event_numbers;   /* event lines carry the packet number and time (--events) */
	bool compact;         /* -q: the short packet line (np_print_line) */
	unsigned ladder_width; /* columns the --ladder diagram fills (NP_LADDER_WIDTH_*) */
	bool have_first;
	int64_t first_sec, prev_sec;
	uint32_t first_usec, prev_usec;
	/* -t a/ad/u/ud: the text of the last second converted (text.c), valid when clock_key is
	 * the time format + 1. */
	unsigned clock_key;
	int64_t clock_sec;
	size_t clock_len;
	char clock_text[48];
	/* The transport payload (payload.c): bytes -A and -X show of each (--payload-max;
	 * UINT32_MAX: all), and --json --payload's encoding and bytes per object. */
	uint32_t payload_max;
	enum np_payload_enc payload_json;
	uint32_t payload_json_max;
};

/* The --ladder diagram's width: the default (its width before it followed the terminal, and
 * what it is when output is not a terminal) is also the widest a terminal gets; narrower than
 * the minimum, the arrows would have no room left for their labels. */
#define NP_LADDER_WIDTH_DEFAULT 86
#define NP_LADDER_WIDTH_MIN 60
#define NP_LADDER_WIDTH_MAX 200

/* Sets ladder_width to NP_LADDER_WIDTH_DEFAULT and everything not given to 0/false. */
void np_print_init(struct np_print_ctx *ctx, FILE *out, enum np_tsfmt tsfmt, bool color);
bool np_tsfmt_parse(const char *s, enum np_tsfmt *out);

/* `trk` is what the conversation tracker knows of the packet, or NULL when not tracking. */
/* One line per packet, in the manner of Wireshark's packet list; with ctx->compact, the short
 * line of -q (after tcpdump -q): number, time, source and destination (with ports), protocol
 * and a short Info, within 80 columns for IPv4. */
void np_print_line(struct np_print_ctx *ctx, const struct np_packet *p,
		   const struct np_pkt_track *trk);
/* Every field of every layer, in the manner of Wireshark's details pane. */
void np_print_tree(struct np_print_ctx *ctx, const struct np_packet *p,
		   const struct np_pkt_track *trk);
/* Hex and ASCII dump of the captured bytes. */
void np_print_hex(struct np_print_ctx *ctx, const struct np_packet *p);
/* -A: the transport payload as text; -X: in hex and ASCII (payload.c). */
void np_print_payload_text(struct np_print_ctx *ctx, const struct np_packet *p);
void np_print_payload_hex(struct np_print_ctx *ctx, const struct np_packet *p);
/* One JSON object on one line. */
void np_print_json(struct np_print_ctx *ctx, const struct np_packet *p,
		   const struct np_pkt_track *trk);

/* The same object with no newline, to nest inside another (probe answers). */
void np_print_json_object(FILE *out, const struct np_packet *p, const struct np_pkt_track *trk);

/* Tracker events: a line set apart from the packet lines, or a JSON object. */
void np_print_event(struct np_print_ctx *ctx, const struct np_event *ev);
void np_print_event_json(struct np_print_ctx *ctx, const struct np_event *ev);
/* --json=ecs (ecs.c): an event, or a conversation's NP_EV_CONV_END as it leaves the table, as
 * one ECS document; seed: the Community ID's (--community-id-seed). */
void np_print_event_ecs(struct np_print_ctx *ctx, const struct np_event *ev, uint16_t seed);
/* --events prints no packet lines: its relative time still counts from the first frame
 * shown, as the packet list's does, not from the first event. */
void np_print_event_frame(struct np_print_ctx *ctx, const struct np_frame *f);
/* End-of-run summary, as text or as the JSON summary object. */
/* `frames`: frames read from the source; said when a filter showed fewer. */
void np_print_summary(FILE *out, const struct np_track_stats *s, uint64_t frames);
/* `write`: with -w, {frames written, frames the -w buffer could not take}; else NULL. */
void np_print_summary_json(FILE *out, const struct np_track_stats *s, uint64_t frames,
			   uint64_t shown, const uint64_t *write);
struct np_sbuf;
size_t np_fmt_endpoint(const struct np_endpoint *ep, char *buf, size_t cap);
/* The innermost named tunnel as the Info column names it: "VXLAN 42", "Geneve 77",
 * "GRE key 7", "GTP-U TEID 5"; nothing (false) when it names none. */
bool np_fmt_tunnel(struct np_sbuf *sb, const struct np_tunnel_ref *tun);

/* JSON schema version, carried by the summary object. */
#define NP_JSON_SCHEMA 1

/* Pure formatters, shared by the printers and tested on their own. */
size_t np_format_info(const struct np_packet *p, const struct np_pkt_track *trk, bool absolute,
		      char *buf, size_t cap);
const char *np_format_protocol(const struct np_packet *p, char *buf, size_t cap);
void np_format_endpoints(const struct np_packet *p, char *src, char *dst, size_t cap);
size_t np_format_time(struct np_print_ctx *ctx, const struct np_frame *f, char *buf, size_t cap);

/* Names and address formatting (fmt.c). */
const char *np_ip_proto_name(uint8_t proto);
const char *np_ethertype_name(uint16_t type);
const char *np_icmp_type_name(uint8_t type);
const char *np_icmp_code_name(uint8_t type, uint8_t code);
const char *np_icmp6_type_name(uint8_t type);
const char *np_icmp6_code_name(uint8_t type, uint8_t code);
const char *np_tcp_opt_name(uint8_t kind);
const char *np_csum_name(enum np_csum c);
const char *np_verdict_name(enum np_verdict v);
const char *np_layer_name(enum np_layer l);
size_t np_fmt_tcp_flags(uint16_t flags, char *buf, size_t cap);
/* The same names appended to a string builder (src/core/sbuf.h). */
void np_sb_tcp_flags(struct np_sbuf *sb, uint16_t flags);
/* A TCP segment's analysis notes in Wireshark's words ("[TCP Retransmission] "), src/proto/tcp.c */
void np_tcp_notes(struct np_sbuf *sb, const struct np_pkt_track *k);
/* An event's text as --events words it, after the time (src/print/event.c). */
void np_fmt_event(struct np_sbuf *sb, const struct np_event *ev);
/* Name of TCP flag bit `bit` (0 FIN ... 8 AE), or NULL past the named bits. */
const char *np_tcp_flag_name(unsigned bit);
/* "client", "server" or "both". */
const char *np_side_name(enum np_side s);

#endif
