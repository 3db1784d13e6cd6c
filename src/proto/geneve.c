/* geneve.c - Geneve (RFC 8926) on UDP port 6081: an 8-byte header (version, options length,
 * O and C flags, protocol type, 24-bit VNI), TLV options, then the payload its Ethertype names
 * (0x6558: an Ethernet frame; IPv4 or IPv6 straight away), decoded as an inner packet. */
#include <string.h>

#include "decode/internal.h"
#include "netprobe/print.h"
#include "netprobe/proto.h"
#include "core/sbuf.h"
#include "print/jw.h"

#define GENEVE_HDR 8

/* The options: class, type, length (RFC 8926 s3.5), each skipped over its data. */
static bool geneve_opts(struct np_cursor *o, struct np_packet *p, struct np_geneve *g)
{
	while (np_cur_left(o) > 0) {
		uint16_t cls;
		uint8_t type, len;
		if (!np_cur_u16(o, &cls) || !np_cur_u8(o, &type) || !np_cur_u8(o, &len)) {
			np_problem(p, NP_L_GENEVE, NP_INVALID, "Geneve option runs past the options length");
			return false;
		}
		unsigned data = (len & 0x1f) * 4u;
		if (!np_cur_skip(o, data)) {
			np_problem(p, NP_L_GENEVE, NP_INVALID, "Geneve option runs past the options length");
			return false;
		}
		if (g->nopts < NP_MAX_GENEVE_OPTS)
			g->opts[g->nopts++] = (struct np_geneve_opt){ cls, type, (uint8_t)data };
		if (g->opts_total < 255)
			g->opts_total++;
	}
	return true;
}

void np_decode_geneve(struct np_cursor *c, struct np_packet *p)
{
	struct np_pkt_layer *l = np_pkt_push(p, NP_L_GENEVE);
	if (!l)
		return;
	struct np_geneve *g = &l->geneve;
	memset(g, 0, sizeof *g);
	uint8_t a, b;
	uint32_t vni_rsv;
	if (!np_cur_u8(c, &a) || !np_cur_u8(c, &b) || !np_cur_u16(c, &g->proto) ||
	    !np_cur_u32(c, &vni_rsv)) {
		np_problem(p, NP_L_GENEVE, NP_TRUNCATED, "Geneve header cut short");
		return;
	}
	g->got = GENEVE_HDR;
	g->version = a >> 6;
	g->opt_len = (uint8_t)((a & 0x3f) * 4u);
	g->oam = (b & 0x80) != 0;
	g->critical = (b & 0x40) != 0;
	g->vni = vni_rsv >> 8;
	if (g->version != 0) {
		np_problem(p, NP_L_GENEVE, NP_UNSUPPORTED, "Geneve version not decoded");
		return;
	}
	struct np_cursor o;
	if (!np_cur_sub(c, g->opt_len, &o)) {
		np_problem(p, NP_L_GENEVE, NP_TRUNCATED, "Geneve options cut short");
		return;
	}
	if (!geneve_opts(&o, p, g))
		return;
	np_cur_skip(c, g->opt_len);
	np_pkt_tunnel(p, NP_L_GENEVE, g->vni);
	if (!np_decode_ethertype(c, p, g->proto))
		np_problem(p, NP_L_GENEVE, NP_UNSUPPORTED, "Geneve payload protocol not decoded");
}

/* --- rendering --- */

static void geneve_info(struct np_sbuf *sb, const struct np_pkt_layer *l, const struct np_view *v)
{
	(void)v;
	np_sb_field(sb, "Geneve ", l->geneve.vni);
}

static void geneve_tree(FILE *o, const struct np_pkt_layer *l, const struct np_view *v)
{
	(void)v;
	const struct np_geneve *g = &l->geneve;
	fprintf(o, "Generic Network Virtualization Encapsulation");
	if (g->got < GENEVE_HDR) {
		fprintf(o, "\n");
		return;
	}
	const char *pn = g->proto == 0x6558 ? "Transparent Ethernet bridging"
					     : np_ethertype_name(g->proto);
	fprintf(o, ", VNI: 0x%06x%s\n", g->vni, g->oam ? ", OAM" : "");
	fprintf(o, NP_I1 "Version: %u\n" NP_I1 "Length: %u bytes\n", g->version, g->opt_len);
	fprintf(o, NP_I1 "Flags: Operation, Administration and Management Frame: %s, Critical "
		"Options Present: %s\n", g->oam ? "True" : "False", g->critical ? "True" : "False");
	if (pn)
		fprintf(o, NP_I1 "Protocol Type: %s (0x%04x)\n", pn, g->proto);
	else
		fprintf(o, NP_I1 "Protocol Type: 0x%04x\n", g->proto);
	fprintf(o, NP_I1 "Virtual Network Identifier (VNI): 0x%06x (%u)\n", g->vni, g->vni);
	for (unsigned i = 0; i < g->nopts; i++)
		fprintf(o, NP_I1 "Option: Class 0x%04x, Type 0x%02x, Length %u bytes\n",
			g->opts[i].cls, g->opts[i].type, g->opts[i].len + 4u);
	if (g->opts_total > g->nopts)
		fprintf(o, NP_I1 "[%u more options]\n", g->opts_total - g->nopts);
}

static unsigned geneve_json(struct np_jw *restrict w, const struct np_pkt_layer *l,
			    const struct np_view *v)
{
	(void)v;
	const struct np_geneve *g = &l->geneve;
	OPEN(w, "geneve");
	if (g->got >= GENEVE_HDR) {
		NUM(w, "vni", g->vni);
		NUM(w, "proto", g->proto);
		BOOL(w, "oam", g->oam);
		BOOL(w, "critical", g->critical);
		KEY(w, "opts");
		ch(w, '[');
		for (unsigned i = 0; i < g->nopts; i++) {
			if (i)
				ch(w, ',');
			open_obj_sep(w);
			NUM(w, "class", g->opts[i].cls);
			NUM(w, "type", g->opts[i].type);
			NUM(w, "len", g->opts[i].len);
			close_obj(w);
		}
		ch(w, ']');
	}
	close_obj(w);
	return 0;
}

const struct np_unit np_unit_geneve = {
	.kind = NP_L_GENEVE,
	.key = "geneve",
	.title = "Generic Network Virtualization Encapsulation",
	.encap = true,
	.info = geneve_info,
	.tree = geneve_tree,
	.json = geneve_json,
};
