/* icmp6.c - ICMPv6 (RFC 4443) and neighbour discovery messages (RFC 4861). */
#include <string.h>

#include "decode/internal.h"
#include "netprobe/print.h"
#include "netprobe/proto.h"
#include "core/sbuf.h"
#include "print/jw.h"
#include "icmp.h"

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

/* --- rendering: the shared head and quote are icmp.c's (icmp.h) --- */

static struct np_icmp_head icmp6_head(const struct np_icmp6 *m)
{
	return (struct np_icmp_head){
		.proto = "ICMPv6", .title = "Internet Control Message Protocol v6", .got = m->got,
		.type = m->type, .code = m->code, .type_name = np_icmp6_type_name(m->type),
		.code_name = np_icmp6_code_name(m->type, m->code), .csum = m->csum,
		.csum_good = m->csum_good, .csum_status = m->csum_status,
		.has_idseq = m->has_idseq, .id = m->id, .seq = m->seq,
	};
}

/* Neighbour discovery: " for T from MAC", " T (rtr, sol, ovr) is at MAC", " target T". */
static void info_nd(struct np_sbuf *sb, const struct np_icmp6 *m)
{
	char t[NP_ADDR_STRLEN], mac[32];
	np_fmt_addr(6, m->target, t);
	if (m->has_lladdr)
		np_fmt_mac(m->lladdr, 6, mac, sizeof mac);
	if (m->type == 135) {
		np_sb_printf(sb, " for %s", t);
		if (m->has_lladdr)
			np_sb_printf(sb, " from %s", mac);
	} else if (m->type == 136) {
		static const char *const names[] = { "rtr", "sol", "ovr" };
		np_sb_printf(sb, " %s (", t);
		bool first = true;
		for (unsigned i = 0; i < 3; i++) {
			if (m->na_flags & (0x80 >> i)) {
				np_sb_printf(sb, "%s%s", first ? "" : ", ", names[i]);
				first = false;
			}
		}
		np_sb_printf(sb, ")");
		if (m->has_lladdr)
			np_sb_printf(sb, " is at %s", mac);
	} else {
		np_sb_printf(sb, " target %s", t);
	}
}

static void icmp6_info(struct np_sbuf *sb, const struct np_pkt_layer *l, const struct np_view *v)
{
	const struct np_icmp6 *m = &l->icmp6;
	struct np_icmp_head h = icmp6_head(m);
	if (!np_icmp_info_head(sb, &h, 0))
		return;
	if (m->has_idseq && m->got >= 8) /* " id=0x%04x, seq=%u, hop limit=%u" */
		np_sb_field(sb, ", hop limit=", np_pkt_ip6(v->p)->hlim);
	if (m->type == 2 && m->got >= 8)
		np_sb_printf(sb, " (MTU=%u)", m->mtu);
	if (m->has_target)
		info_nd(sb, m);
	np_quote_info(sb, &m->quote);
}

static void icmp6_tree(FILE *o, const struct np_pkt_layer *l, const struct np_view *v)
{
	(void)v;
	const struct np_icmp6 *m = &l->icmp6;
	struct np_icmp_head h = icmp6_head(m);
	np_icmp_tree_head(o, &h);
	if (m->got >= 8) {
		if (m->has_idseq)
			fprintf(o, NP_I1 "Identifier: %u (0x%04x)\n" NP_I1 "Sequence: %u\n", m->id, m->id, m->seq);
		if (m->type == 2)
			fprintf(o, NP_I1 "MTU: %u\n", m->mtu);
		if (m->type == 4)
			fprintf(o, NP_I1 "Pointer: %u\n", m->pointer);
		if (m->type == 136)
			fprintf(o, NP_I1 "Flags: 0x%02x (router %u, solicited %u, override %u)\n", m->na_flags,
				!!(m->na_flags & 0x80), !!(m->na_flags & 0x40), !!(m->na_flags & 0x20));
	}
	if (m->has_target) {
		char t[NP_ADDR_STRLEN];
		fprintf(o, NP_I1 "Target Address: %s\n", np_fmt_addr(6, m->target, t));
	}
	if (m->has_lladdr) {
		char mac[32];
		fprintf(o, NP_I1 "Link-layer address option: %s\n", np_fmt_mac(m->lladdr, 6, mac, sizeof mac));
	}
	np_quote_tree(o, &m->quote);
}

static unsigned icmp6_json(struct np_jw *restrict w, const struct np_pkt_layer *l, const struct np_view *v)
{
	(void)v;
	const struct np_icmp6 *m = &l->icmp6;
	struct np_icmp_head h = icmp6_head(m);
	OPEN(w, "icmp6");
	np_icmp_json_head(w, &h);
	if (m->got >= 8) {
		if (m->type == 2)
			NUM(w, "mtu", m->mtu);
		if (m->type == 4)
			NUM(w, "pointer", m->pointer);
		if (m->type == 136)
			NUM(w, "na_flags", m->na_flags);
	}
	if (m->has_target)
		ADDR(w, "target", 6, m->target);
	if (m->has_lladdr)
		MAC(w, "lladdr", m->lladdr, 6);
	np_quote_json(w, &m->quote);
	close_obj(w);
	return 0;
}

const struct np_unit np_unit_icmp6 = {
	.kind = NP_L_ICMP6,
	.key = "icmp6",
	.title = "Internet Control Message Protocol v6",
	.proto = "ICMPv6",
	.csum_at = NP_CSUM_AT(icmp6.csum_status),
	.info = icmp6_info,
	.tree = icmp6_tree,
	.json = icmp6_json,
};
