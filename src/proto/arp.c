/* arp.c - ARP for IPv4 over Ethernet (RFC 826); other hardware/protocol pairs are named only. */
#include <string.h>

#include "decode/internal.h"

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
