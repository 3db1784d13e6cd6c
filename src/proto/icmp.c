/* icmp.c - ICMP for IPv4 (RFC 792, RFC 1191 for the next-hop MTU) and the quoted header of
 * ICMP/ICMPv6 errors: the offending IP header and the first 8 bytes of its payload. */
#include <string.h>

#include "decode/internal.h"

#define ICMP_HDR 8

static bool is_error(uint8_t type)
{
	/* unreachable, source quench, redirect, time exceeded, parameter problem */
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

static bool has_idseq(uint8_t type)
{
	/* echo reply/request, timestamp, information, address mask (request and reply) */
	return type == 0 || type == 8 || (type >= 13 && type <= 18);
}

static void quote_l4(struct np_cursor *c, struct np_quote *q)
{
	size_t avail = np_cur_left(c);
	q->l4_got = (uint16_t)(avail < 8 ? avail : 8);
	struct np_cursor h = *c;
	switch (q->proto) {
	case 6:
		if (np_cur_u16(&h, &q->sport) && np_cur_u16(&h, &q->dport))
			np_cur_u32(&h, &q->seq);
		break;
	case 17:
		if (np_cur_u16(&h, &q->sport) && np_cur_u16(&h, &q->dport))
			np_cur_u16(&h, &q->udp_len);
		break;
	case 1:
	case 58:
		if (np_cur_u8(&h, &q->icmp_type) && np_cur_u8(&h, &q->icmp_code) &&
		    np_cur_skip(&h, 2) && np_cur_u16(&h, &q->icmp_id))
			np_cur_u16(&h, &q->icmp_seq);
		break;
	default:
		break;
	}
}

void np_decode_quote(struct np_cursor *c, struct np_quote *q)
{
	memset(q, 0, sizeof *q);
	uint8_t b;
	if (!np_cur_peek_u8(c, 0, &b))
		return;
	struct np_cursor h = *c;
	if (b >> 4 == 4) {
		uint8_t tos, ihl = b & 0x0f;
		uint16_t frag, csum;
		q->ipver = 4;
		q->ip_got = (uint16_t)(np_cur_left(c) < 20 ? np_cur_left(c) : 20);
		if (!np_cur_skip(&h, 1) || !np_cur_u8(&h, &tos) || !np_cur_u16(&h, &q->len) ||
		    !np_cur_u16(&h, &q->id) || !np_cur_u16(&h, &frag) || !np_cur_u8(&h, &q->ttl) ||
		    !np_cur_u8(&h, &q->proto) || !np_cur_u16(&h, &csum) ||
		    !np_cur_bytes(&h, q->src, 4) || !np_cur_bytes(&h, q->dst, 4))
			return;
		if (ihl < 5 || (frag & 0x1fff) != 0 || !np_cur_skip(c, ihl * 4u))
			return;
	} else if (b >> 4 == 6) {
		uint32_t vtf;
		q->ipver = 6;
		q->ip_got = (uint16_t)(np_cur_left(c) < 40 ? np_cur_left(c) : 40);
		if (!np_cur_u32(&h, &vtf) || !np_cur_u16(&h, &q->len) || !np_cur_u8(&h, &q->proto) ||
		    !np_cur_u8(&h, &q->ttl) || !np_cur_bytes(&h, q->src, 16) ||
		    !np_cur_bytes(&h, q->dst, 16))
			return;
		np_cur_skip(c, 40); /* extension headers in a quote are not walked */
	} else {
		return;
	}
	struct np_cursor l4 = np_cur_rest(c);
	quote_l4(&l4, q);
}

void np_decode_icmp(struct np_cursor *c, struct np_packet *p)
{
	struct np_pkt_layer *l = np_pkt_push(p, NP_L_ICMP);
	if (!l)
		return;
	struct np_icmp *m = &l->icmp;
	memset(m, 0, sizeof *m);
	size_t avail = np_cur_left(c);
	m->got = (uint16_t)(avail < ICMP_HDR ? avail : ICMP_HDR);

	struct np_cursor h = *c;
	if (!np_cur_u8(&h, &m->type) || !np_cur_u8(&h, &m->code) || !np_cur_u16(&h, &m->csum))
		goto cut;
	m->csum_status = np_l4_csum(p, c, 1, p->l4_len, m->csum, &m->csum_good);
	struct np_cursor rest = h;
	if (!np_cur_skip(&h, 4))
		goto cut;
	if (has_idseq(m->type)) {
		m->has_idseq = true;
		np_cur_u16(&rest, &m->id);
		np_cur_u16(&rest, &m->seq);
	} else if (m->type == 3 && m->code == 4) {
		np_cur_skip(&rest, 2);
		np_cur_u16(&rest, &m->mtu);
	} else if (m->type == 5) {
		np_cur_bytes(&rest, m->gateway, 4);
	} else if (m->type == 12) {
		np_cur_u8(&rest, &m->pointer);
	}
	m->data_len = p->l4_len >= ICMP_HDR ? p->l4_len - ICMP_HDR : 0;
	p->payload_off = p->l4_off + ICMP_HDR;
	if (is_error(m->type)) {
		struct np_cursor q = np_cur_rest(&h);
		np_decode_quote(&q, &m->quote);
	}
	return;
cut:
	np_problem(p, NP_L_ICMP, NP_TRUNCATED, "ICMP header cut short");
}
