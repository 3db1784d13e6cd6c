/* udp.c - UDP header and checksum (RFC 768; zero checksum over IPv6 is invalid, RFC 8200 s8.1). */
#include <string.h>

#include "decode/internal.h"
#include "netprobe/print.h"
#include "netprobe/proto.h"
#include "core/sbuf.h"
#include "print/jw.h"
#include "netprobe/hot.h"
#include "print/payload.h"

#define UDP_HDR 8

NP_HOT void np_decode_udp(struct np_cursor *c, struct np_packet *p)
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

/* --- rendering: Info column, -v tree, JSON object --- */

static void udp_info(struct np_sbuf *sb, const struct np_pkt_layer *l, const struct np_view *v)
{
	(void)v;
	const struct np_udp *u = &l->udp;
	np_sb_uint(sb, u->sport, 0, ' ');
	np_sb_field(sb, " → ", u->dport);
	if (u->got >= 8)
		np_sb_field(sb, " Len=", u->payload_len);
}

static void udp_tree(FILE *o, const struct np_pkt_layer *layer, const struct np_view *v)
{
	const struct np_udp *u = &layer->udp;
	if (u->got >= 4)
		fprintf(o, "User Datagram Protocol, Src Port: %u, Dst Port: %u\n" NP_I1 "Source Port: %u\n" NP_I1
			"Destination Port: %u\n", u->sport, u->dport, u->sport, u->dport);
	else
		fprintf(o, "User Datagram Protocol\n");
	if (u->got >= 6)
		fprintf(o, NP_I1 "Length: %u\n", u->len);
	if (u->got >= 8) {
		np_tree_csum(o, NP_I1, "Checksum", u->csum, u->csum_status, u->csum_good);
		np_payload_tree_line(o, "UDP", v->p, layer, u->payload_len);
	}
}

static unsigned udp_json(struct np_jw *restrict w, const struct np_pkt_layer *layer,
			 const struct np_view *v)
{
	(void)v;
	const struct np_udp *u = &layer->udp;
	OPEN(w, "udp");
	if (u->got >= 4) {
		NUM(w, "sport", u->sport);
		NUM(w, "dport", u->dport);
	}
	if (u->got >= 6)
		NUM(w, "len", u->len);
	if (u->got >= 8)
		json_csum(w, u->csum, u->csum_status);
	close_obj(w);
	return 0;
}

const struct np_unit np_unit_udp = {
	.kind = NP_L_UDP,
	.key = "udp",
	.title = "User Datagram Protocol",
	.proto = "UDP",
	.csum_at = NP_CSUM_AT(udp.csum_status),
	.info = udp_info,
	.tree = udp_tree,
	.json = udp_json,
};
