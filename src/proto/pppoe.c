/* pppoe.c - PPPoE (RFC 2516): discovery (Ethertype 0x8863) and session (0x8864) headers;
 * a session frame's PPP protocol field (RFC 1661) names its payload: IPv4 (0x0021) or IPv6
 * (0x0057), decoded as the packet's network layer. */
#include <string.h>

#include "decode/internal.h"
#include "netprobe/print.h"
#include "netprobe/proto.h"
#include "core/sbuf.h"
#include "print/jw.h"
#include "proto/linkx.h"

#define PPPOE_HDR 6
#define PPPOE_SESSION 0x8864
#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057

static const char *code_name(uint8_t code)
{
	switch (code) {
	case 0x00: return "Session Data";
	case 0x09: return "Active Discovery Initiation (PADI)";
	case 0x07: return "Active Discovery Offer (PADO)";
	case 0x19: return "Active Discovery Request (PADR)";
	case 0x65: return "Active Discovery Session-confirmation (PADS)";
	case 0xa7: return "Active Discovery Terminate (PADT)";
	default: return "Unknown";
	}
}

static void pppoe_payload(struct np_cursor *c, struct np_packet *p, struct np_pppoe *e)
{
	/* The session's payload is `len` bytes; Ethernet padding after it is not ours. */
	struct np_cursor d;
	if (!np_cur_sub(c, e->len, &d)) {
		if (np_wire_left(p, np_frame_off(p, c)) < e->len)
			np_problem(p, NP_L_PPPOE, NP_INVALID, "PPPoE length past the end of the frame");
		else
			np_problem_payload_cut(p, NP_L_PPPOE, "PPPoE payload cut short");
	}
	if (!np_cur_u16(&d, &e->ppp_proto)) {
		np_problem(p, NP_L_PPPOE, NP_TRUNCATED, "PPP protocol field cut short");
		return;
	}
	e->has_ppp = true;
	if (e->ppp_proto == PPP_IPV4)
		np_decode_ipv4(&d, p);
	else if (e->ppp_proto == PPP_IPV6)
		np_decode_ipv6(&d, p);
	else
		np_problem(p, NP_L_PPPOE, NP_UNSUPPORTED, "PPP protocol not decoded");
}

void np_decode_pppoe(struct np_cursor *c, struct np_packet *p)
{
	uint16_t type = p->link_at ? p->layer[p->link_at - 1].link.ethertype : PPPOE_SESSION;
	struct np_pkt_layer *l = np_pkt_push(p, NP_L_PPPOE);
	if (!l)
		return;
	struct np_pppoe *e = &l->pppoe;
	memset(e, 0, sizeof *e);
	e->ethertype = type;
	uint8_t vt;
	if (!np_cur_u8(c, &vt) || !np_cur_u8(c, &e->code) || !np_cur_u16(c, &e->session) ||
	    !np_cur_u16(c, &e->len)) {
		e->got = 0;
		np_problem(p, NP_L_PPPOE, NP_TRUNCATED, "PPPoE header cut short");
		return;
	}
	e->got = PPPOE_HDR;
	e->version = vt >> 4;
	e->type = vt & 15;
	if (e->version != 1 || e->type != 1) {
		np_problem(p, NP_L_PPPOE, NP_UNSUPPORTED, "PPPoE version or type not 1");
		return;
	}
	if (type != PPPOE_SESSION)
		return; /* discovery: tags, not decoded further */
	np_pkt_tunnel(p, NP_L_PPPOE, e->session);
	pppoe_payload(c, p, e);
}

/* --- rendering --- */

static void pppoe_info(struct np_sbuf *sb, const struct np_pkt_layer *l, const struct np_view *v)
{
	(void)v;
	const struct np_pppoe *e = &l->pppoe;
	if (e->ethertype != PPPOE_SESSION) {
		np_sb_str(sb, code_name(e->code));
		return;
	}
	np_sb_printf(sb, "PPPoE 0x%04x", e->session);
}

static void pppoe_tree(FILE *o, const struct np_pkt_layer *l, const struct np_view *v)
{
	(void)v;
	const struct np_pppoe *e = &l->pppoe;
	fprintf(o, "PPP-over-Ethernet %s\n", e->ethertype == PPPOE_SESSION ? "Session" : "Discovery");
	if (e->got < PPPOE_HDR)
		return;
	fprintf(o, NP_I1 "Version: %u\n" NP_I1 "Type: %u\n" NP_I1 "Code: %s (0x%02x)\n" NP_I1
		"Session ID: 0x%04x\n" NP_I1 "Payload Length: %u\n", e->version, e->type,
		code_name(e->code), e->code, e->session, e->len);
	if (e->has_ppp)
		fprintf(o, "Point-to-Point Protocol\n" NP_I1 "Protocol: %s (0x%04x)\n",
			np_ppp_proto_name(e->ppp_proto), e->ppp_proto);
}

static unsigned pppoe_json(struct np_jw *restrict w, const struct np_pkt_layer *l,
			   const struct np_view *v)
{
	(void)v;
	const struct np_pppoe *e = &l->pppoe;
	OPEN(w, "pppoe");
	if (e->got >= PPPOE_HDR) {
		NUM(w, "code", e->code);
		NUM(w, "session", e->session);
		NUM(w, "len", e->len);
	}
	if (e->has_ppp)
		NUM(w, "ppp_proto", e->ppp_proto);
	close_obj(w);
	return 0;
}

const struct np_unit np_unit_pppoe = {
	.kind = NP_L_PPPOE,
	.key = "pppoe",
	.title = "PPP-over-Ethernet",
	.encap = true,
	.info = pppoe_info,
	.tree = pppoe_tree,
	.json = pppoe_json,
};
