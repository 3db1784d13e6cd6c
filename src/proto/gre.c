/* gre.c - GRE (RFC 2784, key and sequence number RFC 2890; version 1 is PPTP's, RFC 2637):
 * IP protocol 47, the header with its optional checksum, key and sequence number, then the
 * payload its Ethertype names: IPv4, IPv6, Ethernet (GRETAP, 0x6558), ERSPAN, MPLS, WCCP. */
#include <string.h>

#include "decode/internal.h"
#include "netprobe/print.h"
#include "netprobe/proto.h"
#include "core/sbuf.h"
#include "print/jw.h"

#define GRE_P_TEB 0x6558  /* Transparent Ethernet Bridging: an Ethernet frame (GRETAP) */
#define GRE_P_WCCP 0x883e /* Cisco WCCP redirect: a 4-byte header, or IPv4 straight away */

/* The checksum covers the GRE header and payload (RFC 2784 s2.5), no pseudo-header. */
static void gre_csum(struct np_gre *g, const struct np_cursor *start, uint32_t len)
{
	uint32_t sum = 0;
	if (!np_cur_sum16(start, len, &sum)) {
		g->csum_status = NP_CSUM_UNVERIFIED;
		return;
	}
	uint16_t folded = np_csum_fold(sum);
	g->csum_good = (uint16_t)~np_csum_fold((uint32_t)folded + (uint16_t)~g->csum);
	g->csum_status = folded == 0xffff ? NP_CSUM_GOOD : NP_CSUM_BAD;
}

static bool gre_header(struct np_cursor *c, struct np_gre *g)
{
	uint16_t rsv;
	if (!np_cur_u16(c, &g->flags) || !np_cur_u16(c, &g->proto))
		return false;
	g->got = 4;
	if ((g->flags & NP_GRE_C) && (!np_cur_u16(c, &g->csum) || !np_cur_u16(c, &rsv)))
		return false;
	g->got = (uint16_t)(g->got + ((g->flags & NP_GRE_C) ? 4 : 0));
	if ((g->flags & NP_GRE_K) && !np_cur_u32(c, &g->key))
		return false;
	g->got = (uint16_t)(g->got + ((g->flags & NP_GRE_K) ? 4 : 0));
	if ((g->flags & NP_GRE_S) && !np_cur_u32(c, &g->seq))
		return false;
	g->got = (uint16_t)(g->got + ((g->flags & NP_GRE_S) ? 4 : 0));
	if ((g->flags & 7) == 1 && (g->flags & NP_GRE_A) && !np_cur_u32(c, &g->ack))
		return false;
	g->got = (uint16_t)(g->got + ((g->flags & 7) == 1 && (g->flags & NP_GRE_A) ? 4 : 0));
	return true;
}

/* The payload, to the unit its Ethertype names in the table (GRETAP and ERSPAN included). */
static void gre_payload(struct np_cursor *c, struct np_packet *p, const struct np_gre *g)
{
	uint8_t first;
	if (g->proto == GRE_P_WCCP) {
		/* WCCPv2 redirect header (draft-wilson-wrec-wccp-v2 s4.12), unless IPv4 starts here */
		if (np_cur_peek_u8(c, 0, &first) && first >> 4 != 4 && !np_cur_skip(c, 4)) {
			np_problem(p, NP_L_GRE, NP_TRUNCATED, "WCCP redirect header cut short");
			return;
		}
		np_decode_ipv4(c, p);
		return;
	}
	if (np_cur_left(c) == 0) {
		if (np_wire_left(p, np_frame_off(p, c)) > 0)
			np_problem_payload_cut(p, NP_L_GRE, "GRE payload not captured");
		return;
	}
	if (!np_decode_ethertype(c, p, g->proto))
		np_problem(p, NP_L_GRE, NP_UNSUPPORTED, "GRE payload protocol not decoded");
}

void np_decode_gre(struct np_cursor *c, struct np_packet *p)
{
	struct np_pkt_layer *l = np_pkt_push(p, NP_L_GRE);
	if (!l)
		return;
	struct np_gre *g = &l->gre;
	memset(g, 0, sizeof *g);
	struct np_cursor start = *c;
	if (!gre_header(c, g)) {
		np_problem(p, NP_L_GRE, NP_TRUNCATED, "GRE header cut short");
		return;
	}
	unsigned ver = g->flags & 7;
	if (ver > 1) {
		np_problem(p, NP_L_GRE, NP_UNSUPPORTED, "GRE version not decoded");
		return;
	}
	if (g->flags & NP_GRE_C)
		gre_csum(g, &start, p->l4_len);
	if (g->flags & NP_GRE_R) {
		/* RFC 1701 source routing, deprecated by RFC 2784: the routing list is not read */
		np_problem(p, NP_L_GRE, NP_UNSUPPORTED, "GRE source routing not decoded");
		return;
	}
	if (g->flags & NP_GRE_K)
		np_pkt_tunnel(p, NP_L_GRE, ver == 1 ? g->key & 0xffff : g->key);
	if (ver == 1) {
		np_problem(p, NP_L_GRE, NP_UNSUPPORTED, "PPP in enhanced GRE (PPTP) not decoded");
		return;
	}
	gre_payload(c, p, g);
}

/* --- rendering: Info column (the tunnel's name before the inner packet), -v tree, JSON --- */

/* The payload protocols GRE carries beyond the common Ethertypes, named as Wireshark does. */
static const char *gre_proto_name(uint16_t proto)
{
	switch (proto) {
	case GRE_P_TEB: return "Transparent Ethernet bridging";
	case 0x88be: return "ERSPAN";
	case 0x22eb: return "ERSPAN III";
	case GRE_P_WCCP: return "WCCP";
	case 0x880b: return "PPP";
	default: return np_ethertype_name(proto);
	}
}

static void gre_info(struct np_sbuf *sb, const struct np_pkt_layer *l, const struct np_view *v)
{
	(void)v;
	const struct np_gre *g = &l->gre;
	np_sb_lit(sb, "GRE");
	if ((g->flags & NP_GRE_K) && g->got >= 8)
		np_sb_field(sb, " key=", g->key);
}

static void gre_tree(FILE *o, const struct np_pkt_layer *l, const struct np_view *v)
{
	(void)v;
	const struct np_gre *g = &l->gre;
	const char *pn = gre_proto_name(g->proto);
	if (g->got < 4) {
		fprintf(o, "Generic Routing Encapsulation\n");
		return;
	}
	if (pn)
		fprintf(o, "Generic Routing Encapsulation (%s)\n", pn);
	else
		fprintf(o, "Generic Routing Encapsulation (0x%04x)\n", g->proto);
	fprintf(o, NP_I1 "Flags and Version: 0x%04x\n", g->flags);
	fprintf(o, NP_I2 "Checksum Bit: %s\n" NP_I2 "Key Bit: %s\n" NP_I2 "Sequence Number Bit: %s\n"
		NP_I2 "Version: %u\n", g->flags & NP_GRE_C ? "Yes" : "No",
		g->flags & NP_GRE_K ? "Yes" : "No", g->flags & NP_GRE_S ? "Yes" : "No", g->flags & 7);
	fprintf(o, NP_I1 "Protocol Type: %s (0x%04x)\n", pn ? pn : "Unknown", g->proto);
	unsigned at = 4;
	if (g->flags & NP_GRE_C) {
		if (g->got >= at + 4)
			np_tree_csum(o, NP_I1, "Checksum", g->csum, g->csum_status, g->csum_good);
		at += 4;
	}
	if ((g->flags & NP_GRE_K) && g->got >= at + 4) {
		if ((g->flags & 7) == 1)
			fprintf(o, NP_I1 "Payload Length: %u\n" NP_I1 "Call ID: %u\n", g->key >> 16,
				g->key & 0xffff);
		else
			fprintf(o, NP_I1 "Key: 0x%08x (%u)\n", g->key, g->key);
	}
	at += (g->flags & NP_GRE_K) ? 4 : 0;
	if ((g->flags & NP_GRE_S) && g->got >= at + 4)
		fprintf(o, NP_I1 "Sequence Number: %u\n", g->seq);
	at += (g->flags & NP_GRE_S) ? 4 : 0;
	if ((g->flags & 7) == 1 && (g->flags & NP_GRE_A) && g->got >= at + 4)
		fprintf(o, NP_I1 "Acknowledgment Number: %u\n", g->ack);
}

static unsigned gre_json(struct np_jw *restrict w, const struct np_pkt_layer *l,
			 const struct np_view *v)
{
	(void)v;
	const struct np_gre *g = &l->gre;
	OPEN(w, "gre");
	if (g->got >= 4) {
		NUM(w, "flags", g->flags);
		NUM(w, "proto", g->proto);
	}
	unsigned at = 4;
	if (g->flags & NP_GRE_C) {
		if (g->got >= at + 4)
			json_csum(w, g->csum, g->csum_status);
		at += 4;
	}
	if ((g->flags & NP_GRE_K) && g->got >= at + 4)
		NUM(w, "key", g->key);
	at += (g->flags & NP_GRE_K) ? 4 : 0;
	if ((g->flags & NP_GRE_S) && g->got >= at + 4)
		NUM(w, "seq", g->seq);
	at += (g->flags & NP_GRE_S) ? 4 : 0;
	if ((g->flags & 7) == 1 && (g->flags & NP_GRE_A) && g->got >= at + 4)
		NUM(w, "ack", g->ack);
	close_obj(w);
	return 0;
}

const struct np_unit np_unit_gre = {
	.kind = NP_L_GRE,
	.key = "gre",
	.title = "Generic Routing Encapsulation",
	.encap = true,
	.info = gre_info,
	.tree = gre_tree,
	.json = gre_json,
};
