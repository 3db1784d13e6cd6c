/* gtp.c - GTP-U (3GPP TS 29.281) on UDP port 2152: the 8-byte header (version 1, PT 1), the
 * optional sequence number, N-PDU number and extension headers, then for a G-PDU (type 255)
 * the user's IPv4 or IPv6 packet, by its first nibble as tshark does, decoded as an inner
 * packet. The TEID is not part of the tunnel identity: each side picks its own. */
#include <string.h>

#include "decode/internal.h"
#include "netprobe/print.h"
#include "netprobe/proto.h"
#include "core/sbuf.h"
#include "print/jw.h"

#define GTP_E 0x04
#define GTP_S 0x02
#define GTP_PN 0x01
#define GTP_GPDU 255

/* Extension headers (TS 29.281 s5.2): a length in 4-byte units, the content, the next type. */
static bool gtp_exts(struct np_cursor *c, struct np_packet *p, struct np_gtp *g)
{
	uint8_t next = g->next_ext;
	while (next) {
		uint8_t words;
		if (!np_cur_u8(c, &words)) {
			np_problem(p, NP_L_GTP, NP_TRUNCATED, "GTP extension header cut short");
			return false;
		}
		if (words == 0) {
			np_problem(p, NP_L_GTP, NP_INVALID, "GTP extension header of length 0");
			return false;
		}
		if (!np_cur_skip(c, words * 4u - 2) || !np_cur_u8(c, &next)) {
			np_problem(p, NP_L_GTP, NP_TRUNCATED, "GTP extension header cut short");
			return false;
		}
		if (++g->nexts == 16) {
			np_problem(p, NP_L_GTP, NP_UNSUPPORTED, "more than 16 GTP extension headers");
			return false;
		}
	}
	return true;
}

void np_decode_gtp(struct np_cursor *c, struct np_packet *p)
{
	struct np_pkt_layer *l = np_pkt_push(p, NP_L_GTP);
	if (!l)
		return;
	struct np_gtp *g = &l->gtp;
	memset(g, 0, sizeof *g);
	if (!np_cur_u8(c, &g->flags) || !np_cur_u8(c, &g->type) || !np_cur_u16(c, &g->len) ||
	    !np_cur_u32(c, &g->teid)) {
		np_problem(p, NP_L_GTP, NP_TRUNCATED, "GTP header cut short");
		return;
	}
	g->got = 8;
	if (g->flags >> 5 != 1 || !(g->flags & 0x10)) {
		np_problem(p, NP_L_GTP, NP_UNSUPPORTED, "not GTP-U version 1");
		return;
	}
	struct np_cursor d;
	if (!np_cur_sub(c, g->len, &d) && np_wire_left(p, np_frame_off(p, c)) < g->len) {
		np_problem(p, NP_L_GTP, NP_INVALID, "GTP length past the end of the datagram");
		return;
	}
	if (g->flags & (GTP_E | GTP_S | GTP_PN)) {
		uint8_t npdu;
		if (!np_cur_u16(&d, &g->seq) || !np_cur_u8(&d, &npdu) || !np_cur_u8(&d, &g->next_ext)) {
			np_problem(p, NP_L_GTP, NP_TRUNCATED, "GTP optional fields cut short");
			return;
		}
		g->got = 12;
		if (!(g->flags & GTP_E))
			g->next_ext = 0;
		if (!gtp_exts(&d, p, g))
			return;
	}
	uint8_t first;
	if (g->type != GTP_GPDU || !np_cur_peek_u8(&d, 0, &first))
		return; /* signalling (echo, error indication, end marker), or nothing captured */
	if (first >> 4 == 4)
		np_decode_ipv4(&d, p);
	else if (first >> 4 == 6)
		np_decode_ipv6(&d, p);
	else
		np_problem(p, NP_L_GTP, NP_UNSUPPORTED, "GTP user packet neither IPv4 nor IPv6");
}

/* --- rendering --- */

static const char *type_name(uint8_t t)
{
	switch (t) {
	case 1: return "Echo Request";
	case 2: return "Echo Response";
	case 26: return "Error Indication";
	case 31: return "Supported Extension Headers Notification";
	case 254: return "End Marker";
	case GTP_GPDU: return "T-PDU";
	default: return "Unknown";
	}
}

static void gtp_info(struct np_sbuf *sb, const struct np_pkt_layer *l, const struct np_view *v)
{
	(void)v;
	const struct np_gtp *g = &l->gtp;
	np_sb_lit(sb, "GTP-U");
	if (g->got >= 8) {
		np_sb_lit(sb, " TEID 0x");
		np_sb_hex(sb, g->teid, 8);
	}
}

static void gtp_tree(FILE *o, const struct np_pkt_layer *l, const struct np_view *v)
{
	(void)v;
	const struct np_gtp *g = &l->gtp;
	fprintf(o, "GPRS Tunneling Protocol\n");
	if (g->got < 8)
		return;
	fprintf(o, NP_I1 "Flags: 0x%02x\n" NP_I1 "Message Type: %s (0x%02x)\n" NP_I1 "Length: %u\n"
		NP_I1 "TEID: 0x%08x (%u)\n", g->flags, type_name(g->type), g->type, g->len, g->teid,
		g->teid);
	if (g->got >= 12)
		fprintf(o, NP_I1 "Sequence number: 0x%04x (%u)\n" NP_I1
			"Next extension header type: 0x%02x\n", g->seq, g->seq, g->next_ext);
}

static unsigned gtp_json(struct np_jw *restrict w, const struct np_pkt_layer *l,
			 const struct np_view *v)
{
	(void)v;
	const struct np_gtp *g = &l->gtp;
	OPEN(w, "gtp");
	if (g->got >= 8) {
		NUM(w, "flags", g->flags);
		NUM(w, "type", g->type);
		NUM(w, "len", g->len);
		NUM(w, "teid", g->teid);
	}
	if (g->got >= 12 && (g->flags & GTP_S))
		NUM(w, "seq", g->seq);
	close_obj(w);
	return 0;
}

const struct np_unit np_unit_gtp = {
	.kind = NP_L_GTP,
	.key = "gtp",
	.title = "GPRS Tunneling Protocol",
	.encap = true,
	.info = gtp_info,
	.tree = gtp_tree,
	.json = gtp_json,
};
