/* arp.c - ARP for IPv4 over Ethernet (RFC 826); other hardware/protocol pairs are named only. */
#include <string.h>

#include "decode/internal.h"
#include "netprobe/print.h"
#include "netprobe/proto.h"
#include "core/sbuf.h"
#include "print/jw.h"

#define ARP_BODY 28

void np_decode_arp(struct np_cursor *c, struct np_packet *p)
{
	struct np_pkt_layer *l = np_pkt_push(p, NP_L_ARP);
	if (!l)
		return;
	struct np_arp *a = &l->arp;
	memset(a, 0, sizeof *a);
	p->l3_off = np_frame_off(p, c);
	size_t avail = np_cur_left(c);
	a->got = (uint16_t)(avail < ARP_BODY ? avail : ARP_BODY);
	if (!np_cur_u16(c, &a->htype) || !np_cur_u16(c, &a->ptype) || !np_cur_u8(c, &a->hlen) ||
	    !np_cur_u8(c, &a->plen) || !np_cur_u16(c, &a->op))
		goto cut;
	if (a->hlen != 6 || a->plen != 4) {
		np_problem(p, NP_L_ARP, NP_UNSUPPORTED, "ARP for other than Ethernet/IPv4");
		return;
	}
	if (!np_cur_bytes(c, a->sha, 6) || !np_cur_bytes(c, a->spa, 4) ||
	    !np_cur_bytes(c, a->tha, 6) || !np_cur_bytes(c, a->tpa, 4))
		goto cut;
	return;
cut:
	np_problem(p, NP_L_ARP, NP_TRUNCATED, "ARP cut short");
}

/* --- rendering: Info column, -v tree, JSON object --- */

static void arp_info(struct np_sbuf *sb, const struct np_pkt_layer *l, const struct np_view *v)
{
	(void)v;
	const struct np_arp *a = &l->arp;
	char spa[NP_ADDR_STRLEN], tpa[NP_ADDR_STRLEN], sha[32];
	if (a->got < 28 || a->hlen != 6 || a->plen != 4) {
		np_sb_printf(sb, "ARP (not Ethernet/IPv4, or cut short)");
		return;
	}
	np_fmt_addr(4, a->spa, spa);
	np_fmt_addr(4, a->tpa, tpa);
	np_fmt_mac(a->sha, 6, sha, sizeof sha);
	if (a->op == 1 && memcmp(a->spa, a->tpa, 4) == 0)
		np_sb_printf(sb, "Gratuitous ARP for %s (Request)", spa);
	else if (a->op == 1)
		np_sb_printf(sb, "Who has %s? Tell %s", tpa, spa);
	else if (a->op == 2)
		np_sb_printf(sb, "%s is at %s", spa, sha);
	else
		np_sb_printf(sb, "ARP opcode %u", a->op);
}

static void arp_tree(FILE *o, const struct np_pkt_layer *layer, const struct np_view *v)
{
	(void)v;
	const struct np_arp *a = &layer->arp;
	char m1[32], m2[32], s[NP_ADDR_STRLEN], t[NP_ADDR_STRLEN];
	fprintf(o, "Address Resolution Protocol (%s)\n",
		a->op == 1 ? "request" : a->op == 2 ? "reply" : "other");
	if (a->got >= 8)
		fprintf(o, NP_I1 "Hardware type: %u\n" NP_I1 "Protocol type: 0x%04x\n" NP_I1 "Hardware size: %u\n" NP_I1
			"Protocol size: %u\n" NP_I1 "Opcode: %u\n",
			a->htype, a->ptype, a->hlen, a->plen, a->op);
	if (a->got >= 28)
		fprintf(o, NP_I1 "Sender MAC address: %s\n" NP_I1 "Sender IP address: %s\n" NP_I1
			"Target MAC address: %s\n" NP_I1 "Target IP address: %s\n",
			np_fmt_mac(a->sha, 6, m1, sizeof m1), np_fmt_addr(4, a->spa, s),
			np_fmt_mac(a->tha, 6, m2, sizeof m2), np_fmt_addr(4, a->tpa, t));
}

static unsigned arp_json(struct np_jw *restrict w, const struct np_pkt_layer *layer,
			 const struct np_view *v)
{
	(void)v;
	const struct np_arp *a = &layer->arp;
	OPEN(w, "arp");
	if (a->got >= 8)
		NUM(w, "op", a->op);
	if (a->got >= 28) {
		MAC(w, "sha", a->sha, 6);
		ADDR(w, "spa", 4, a->spa);
		MAC(w, "tha", a->tha, 6);
		ADDR(w, "tpa", 4, a->tpa);
	}
	close_obj(w);
	return 0;
}

const struct np_unit np_unit_arp = {
	.kind = NP_L_ARP,
	.key = "arp",
	.title = "Address Resolution Protocol",
	.info = arp_info,
	.tree = arp_tree,
	.json = arp_json,
};
