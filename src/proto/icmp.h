/* icmp.h - what the ICMP (icmp.c) and ICMPv6 (icmp6.c) units render alike: the header's type,
 * code, checksum and identifier, and the quoted header of an error (RFC 792, RFC 4443 s2.4). */
#ifndef NETPROBE_PROTO_ICMP_H
#define NETPROBE_PROTO_ICMP_H

#include <stdio.h>

#include "netprobe/packet.h"

struct np_sbuf;
struct np_jw;

/* The fields both versions have, with the names of their type and code. */
struct np_icmp_head {
	const char *proto;     /* "ICMP" or "ICMPv6" */
	const char *title;     /* -v tree heading */
	uint16_t got;
	uint8_t type, code;
	const char *type_name, *code_name; /* NULL: no name */
	uint16_t csum, csum_good;
	enum np_csum csum_status;
	bool has_idseq;
	uint16_t id, seq;
};

/* Info: "Type (Code)" (the type name left-justified to `width`) and " id=0x%04x, seq=%u" of an
 * echo; false, after "PROTO header cut short", when the type and code were not captured. */
bool np_icmp_info_head(struct np_sbuf *sb, const struct np_icmp_head *h, size_t width);
/* -v: the heading, Type, Code and Checksum lines. */
void np_icmp_tree_head(FILE *o, const struct np_icmp_head *h);
/* JSON: type, code, csum and (echo) id and seq, in the open object. */
void np_icmp_json_head(struct np_jw *restrict w, const struct np_icmp_head *h);

/* The quoted header of an error message: " [TCP a:p → b:q]" in Info, its -v lines, and the
 * "quote" JSON object. Nothing when nothing was quoted. */
void np_quote_info(struct np_sbuf *sb, const struct np_quote *q);
void np_quote_tree(FILE *o, const struct np_quote *q);
void np_quote_json(struct np_jw *restrict w, const struct np_quote *q);

#endif
