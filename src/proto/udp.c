/* udp.c - UDP header and checksum (RFC 768; zero checksum over IPv6 is invalid, RFC 8200 s8.1). */
#include <string.h>

#include "decode/internal.h"

#define UDP_HDR 8

void np_decode_udp(struct np_cursor *c, struct np_packet *p)
{
	struct np_pkt_layer *l = np_pkt_push(p, NP_L_UDP);
	if (!l)
		return;
	struct np_udp *u = &l->udp;
	memset(u, 0, sizeof *u);
	size_t avail = np_cur_left(c);
	u->got = (uint16_t)(avail < UDP_HDR ? avail : UDP_HDR);

	struct np_cursor h = *c;
	if (!np_cur_u16(&h, &u->sport) || !np_cur_u16(&h, &u->dport) || !np_cur_u16(&h, &u->len) ||
	    !np_cur_u16(&h, &u->csum)) {
		np_problem(p, NP_L_UDP, NP_TRUNCATED, "UDP header cut short");
		return;
	}
	uint32_t len = u->len;
	if (len < UDP_HDR) {
		np_problem(p, NP_L_UDP, NP_INVALID, "UDP length below 8 bytes");
		return;
	}
	if (len > p->l4_len) {
		np_problem(p, NP_L_UDP, NP_INVALID, "UDP length past the end of the IP payload");
		len = p->l4_len;
	}
	u->payload_len = len - UDP_HDR;
	p->payload_off = p->l4_off + UDP_HDR;

	if (u->csum == 0 && np_pkt_ip4(p)) {
		u->csum_status = NP_CSUM_ABSENT;
	} else if (u->csum == 0) {
		u->csum_status = NP_CSUM_BAD;
		np_problem(p, NP_L_UDP, NP_INVALID, "UDP checksum 0 over IPv6");
	} else {
		u->csum_status = np_l4_csum(p, c, 17, len, u->csum, &u->csum_good);
		/* A computed 0 goes on the wire as 0xffff: 0 means "no checksum" (RFC 768). */
		if ((u->csum_status == NP_CSUM_GOOD || u->csum_status == NP_CSUM_BAD) && u->csum_good == 0)
			u->csum_good = 0xffff;
	}
	/* The payload, clamped to the UDP length, to the unit its port names in the table. */
	struct np_cursor d;
	(void)np_cur_sub(c, len, &d);
	if (np_cur_skip(&d, UDP_HDR))
		np_decode_udp_payload(&d, p, u->sport, u->dport);
}
