/* erspan.c - ERSPAN (draft-foschiano-erspan-03), mirrored frames in GRE: protocol 0x88be is
 * type II (8-byte header) when GRE carries a sequence number and type I (no header) when it
 * does not, as Wireshark tells them; 0x22eb is type III (12 bytes, 8 more with the O flag).
 * The mirrored Ethernet frame follows and is decoded as an inner packet. */
#include <string.h>

#include "decode/internal.h"
#include "netprobe/print.h"
#include "netprobe/proto.h"
#include "core/sbuf.h"
#include "print/jw.h"

#define ERSPAN_III 0x22eb

/* The 4 bytes types II and III share: version, VLAN, CoS, En/BSO, T, session ID. */
static bool erspan_common(struct np_cursor *c, struct np_erspan *e)
{
	uint16_t a, b;
	if (!np_cur_u16(c, &a) || !np_cur_u16(c, &b))
		return false;
	e->version = (uint8_t)(a >> 12);
	e->vlan = a & 0x0fff;
	e->cos = (uint8_t)(b >> 13);
	e->en = (uint8_t)((b >> 11) & 3);
	e->t = (uint8_t)((b >> 10) & 1);
	e->session = b & 0x03ff;
	e->got = 4;
	return true;
}

static bool erspan_iii(struct np_cursor *c, struct np_packet *p, struct np_erspan *e)
{
	uint16_t last;
	if (!np_cur_u32(c, &e->timestamp) || !np_cur_u16(c, &e->sgt) || !np_cur_u16(c, &last))
		return false;
	e->got = 12;
	e->hw_id = (uint8_t)((last >> 4) & 0x3f);
	e->has_subheader = last & 1;
	if ((last >> 10) & 0x1f) { /* FT: 0 is an Ethernet frame; 2 would be IP (not decoded) */
		np_problem(p, NP_L_ERSPAN, NP_UNSUPPORTED, "ERSPAN III frame type not decoded");
		return true;
	}
	if (e->has_subheader && !np_cur_skip(c, 8))
		return false;
	e->got = (uint16_t)(e->got + (e->has_subheader ? 8 : 0));
	return true;
}

void np_decode_erspan(struct np_cursor *c, struct np_packet *p)
{
	/* The carrier is GRE (the only way here): its protocol and S flag name the type. */
	const struct np_pkt_layer *gl = np_pkt_top(p);
	bool iii = gl->kind == NP_L_GRE && gl->gre.proto == ERSPAN_III;
	bool seq = gl->kind == NP_L_GRE && (gl->gre.flags & NP_GRE_S);
	struct np_pkt_layer *l = np_pkt_push(p, NP_L_ERSPAN);
	if (!l)
		return;
	struct np_erspan *e = &l->erspan;
	memset(e, 0, sizeof *e);
	e->type = iii ? 3 : seq ? 2 : 1;
	if (e->type > 1) {
		uint32_t idx = 0;
		bool ok = erspan_common(c, e);
		if (ok && e->type == 2) {
			ok = np_cur_u32(c, &idx);
			e->index = idx & 0xfffff;
			e->got = ok ? 8 : 4;
		} else if (ok) {
			unsigned before = p->nproblems;
			ok = erspan_iii(c, p, e);
			if (ok && p->nproblems != before)
				return;
		}
		if (!ok) {
			np_problem(p, NP_L_ERSPAN, NP_TRUNCATED, "ERSPAN header cut short");
			return;
		}
		np_pkt_tunnel(p, NP_L_ERSPAN, e->session);
	}
	np_decode_ether(c, p);
}

/* --- rendering --- */

static const char *const type_names[] = { "", "I", "II", "III" };

static void erspan_info(struct np_sbuf *sb, const struct np_pkt_layer *l, const struct np_view *v)
{
	(void)v;
	const struct np_erspan *e = &l->erspan;
	np_sb_str(sb, "ERSPAN ");
	np_sb_str(sb, type_names[e->type & 3]);
	if (e->got >= 4)
		np_sb_field(sb, " session=", e->session);
}

static void erspan_tree(FILE *o, const struct np_pkt_layer *l, const struct np_view *v)
{
	(void)v;
	const struct np_erspan *e = &l->erspan;
	fprintf(o, "Encapsulated Remote Switch Packet ANalysis Type %s\n", type_names[e->type & 3]);
	if (e->got < 4)
		return;
	fprintf(o, NP_I1 "Version: %u\n" NP_I1 "Vlan: %u\n" NP_I1 "COS: %u\n", e->version, e->vlan,
		e->cos);
	fprintf(o, NP_I1 "%s: %u\n" NP_I1 "Truncated: %u\n" NP_I1 "SpanID: %u\n",
		e->type == 3 ? "BSO" : "Encap", e->en, e->t, e->session);
	if (e->type == 2 && e->got >= 8)
		fprintf(o, NP_I1 "Index: %u\n", e->index);
	if (e->type == 3 && e->got >= 12)
		fprintf(o, NP_I1 "Timestamp: %u\n" NP_I1 "Security Group Tag: %u\n" NP_I1
			"Hardware ID: %u\n" NP_I1 "Optional Sub-header: %s\n", e->timestamp, e->sgt,
			e->hw_id, e->has_subheader ? "Yes" : "No");
}

static unsigned erspan_json(struct np_jw *restrict w, const struct np_pkt_layer *l,
			    const struct np_view *v)
{
	(void)v;
	const struct np_erspan *e = &l->erspan;
	OPEN(w, "erspan");
	NUM(w, "type", e->type);
	if (e->got >= 4) {
		NUM(w, "version", e->version);
		NUM(w, "vlan", e->vlan);
		NUM(w, "cos", e->cos);
		NUM(w, "session", e->session);
	}
	if (e->type == 2 && e->got >= 8)
		NUM(w, "index", e->index);
	if (e->type == 3 && e->got >= 12) {
		NUM(w, "timestamp", e->timestamp);
		NUM(w, "sgt", e->sgt);
		NUM(w, "hw_id", e->hw_id);
	}
	close_obj(w);
	return 0;
}

const struct np_unit np_unit_erspan = {
	.kind = NP_L_ERSPAN,
	.key = "erspan",
	.title = "Encapsulated Remote Switch Packet ANalysis",
	.encap = true,
	.info = erspan_info,
	.tree = erspan_tree,
	.json = erspan_json,
};
