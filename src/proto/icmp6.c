/* icmp6.c - ICMPv6 (RFC 4443) and neighbour discovery messages (RFC 4861). */
#include <string.h>

#include "decode/internal.h"

#define ICMP6_HDR 8

/* Neighbour discovery options: pick the source/target link-layer address (RFC 4861 s4.6.1).
 * `cut` says the capture ended before the message did: an option running past the end of `o` is
 * then truncated (already reported), otherwise its length is wrong. Length 0 is invalid (s4.6). */
static void nd_options(struct np_cursor *o, bool cut, struct np_packet *p)
{
	struct np_icmp6 *m = &np_pkt_top(p)->icmp6;
	uint8_t type, len;
	while (np_cur_u8(o, &type)) {
		if (!np_cur_u8(o, &len)) {
			if (cut)
				return;
			goto bad;
		}
		if (len == 0)
			goto bad;
		struct np_cursor v;
		bool whole = np_cur_sub(o, (size_t)len * 8 - 2, &v);
		if (!whole && !cut)
			goto bad;
		if ((type == 1 || type == 2) && np_cur_bytes(&v, m->lladdr, 6))
			m->has_lladdr = true;
		if (!whole)
			return;
		np_cur_skip(o, (size_t)len * 8 - 2);
	}
	return;
bad:
	np_problem(p, NP_L_ICMP6, NP_INVALID, "neighbour discovery option length wrong");
}

void np_decode_icmp6(struct np_cursor *c, struct np_packet *p)
{
	struct np_pkt_layer *l = np_pkt_push(p, NP_L_ICMP6);
	if (!l)
		return;
	struct np_icmp6 *m = &l->icmp6;
	memset(m, 0, sizeof *m);
	size_t avail = np_cur_left(c);
	m->got = (uint16_t)(avail < ICMP6_HDR ? avail : ICMP6_HDR);

	struct np_cursor h = *c;
	if (!np_cur_u8(&h, &m->type) || !np_cur_u8(&h, &m->code) || !np_cur_u16(&h, &m->csum))
		goto cut;
	m->csum_status = np_l4_csum(p, c, 58, p->l4_len, m->csum, &m->csum_good);
	struct np_cursor rest = h;
	if (!np_cur_skip(&h, 4))
		goto cut;
	m->data_len = p->l4_len >= ICMP6_HDR ? p->l4_len - ICMP6_HDR : 0;
	p->payload_off = p->l4_off + ICMP6_HDR;
	switch (m->type) {
	case 128: /* echo request */
	case 129: /* echo reply */
		m->has_idseq = true;
		np_cur_u16(&rest, &m->id);
		np_cur_u16(&rest, &m->seq);
		break;
	case 2: /* packet too big */
		np_cur_u32(&rest, &m->mtu);
		break;
	case 4: /* parameter problem */
		np_cur_u32(&rest, &m->pointer);
		break;
	case 136: /* neighbour advertisement */
		np_cur_u8(&rest, &m->na_flags);
		/* fall through */
	case 135: /* neighbour solicitation */
	case 137: /* redirect */
		if (np_cur_bytes(&h, m->target, 16)) {
			m->has_target = true;
			if (m->type == 137)
				np_cur_skip(&h, 16); /* destination address */
			struct np_cursor o = np_cur_rest(&h);
			nd_options(&o, avail < p->l4_len, p);
		} else {
			np_problem(p, NP_L_ICMP6, NP_TRUNCATED, "neighbour discovery target cut short");
		}
		break;
	default:
		break;
	}
	if (m->type >= 1 && m->type <= 4) {
		struct np_cursor q = np_cur_rest(&h);
		np_decode_quote(&q, &m->quote);
	}
	return;
cut:
	np_problem(p, NP_L_ICMP6, NP_TRUNCATED, "ICMPv6 header cut short");
}
