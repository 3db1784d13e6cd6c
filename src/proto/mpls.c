/* mpls.c - an MPLS label stack (RFC 3032) under Ethertype 0x8847/0x8848 (or in GRE): each
 * 4-byte entry (label, traffic class, bottom-of-stack, TTL) until the S bit, then IPv4 or IPv6
 * as the first nibble says (there is no protocol field; tcpdump and Wireshark guess the same). */
#include <string.h>

#include "decode/internal.h"
#include "netprobe/print.h"
#include "netprobe/proto.h"
#include "core/sbuf.h"
#include "print/jw.h"

static void mpls_payload(struct np_cursor *c, struct np_packet *p)
{
	uint8_t first;
	if (!np_cur_peek_u8(c, 0, &first)) {
		if (np_wire_left(p, np_frame_off(p, c)) > 0)
			np_problem_payload_cut(p, NP_L_MPLS, "MPLS payload not captured");
		return;
	}
	if (first >> 4 == 4)
		np_decode_ipv4(c, p);
	else if (first >> 4 == 6)
		np_decode_ipv6(c, p);
	else /* 0: a pseudowire control word, whose payload could be anything */
		np_problem(p, NP_L_MPLS, NP_UNSUPPORTED, "MPLS payload neither IPv4 nor IPv6");
}

void np_decode_mpls(struct np_cursor *c, struct np_packet *p)
{
	struct np_pkt_layer *l = np_pkt_push(p, NP_L_MPLS);
	if (!l)
		return;
	struct np_mpls *m = &l->mpls;
	m->n = 0;
	for (;;) {
		uint32_t e;
		if (!np_cur_u32(c, &e)) {
			np_problem(p, NP_L_MPLS, NP_TRUNCATED, "MPLS label stack cut short");
			return;
		}
		if (m->n == NP_MAX_MPLS) {
			np_problem(p, NP_L_MPLS, NP_UNSUPPORTED, "more than 8 MPLS labels");
			return;
		}
		struct np_mpls_label *x = &m->e[m->n++];
		x->label = e >> 12;
		x->tc = (uint8_t)((e >> 9) & 7);
		x->s = (uint8_t)((e >> 8) & 1);
		x->ttl = (uint8_t)e;
		if (x->s)
			break;
	}
	mpls_payload(c, p);
}

/* --- rendering --- */

static void mpls_info(struct np_sbuf *sb, const struct np_pkt_layer *l, const struct np_view *v)
{
	(void)v;
	const struct np_mpls *m = &l->mpls;
	np_sb_lit(sb, "MPLS");
	for (unsigned i = 0; i < m->n; i++) {
		np_sb_ch(sb, i ? '/' : ' ');
		np_sb_uint(sb, m->e[i].label, 0, ' ');
	}
}

static void mpls_tree(FILE *o, const struct np_pkt_layer *l, const struct np_view *v)
{
	(void)v;
	const struct np_mpls *m = &l->mpls;
	if (!m->n)
		fprintf(o, "MultiProtocol Label Switching Header\n");
	for (unsigned i = 0; i < m->n; i++) {
		const struct np_mpls_label *x = &m->e[i];
		fprintf(o, "MultiProtocol Label Switching Header, Label: %u, Exp: %u, S: %u, TTL: %u\n",
			x->label, x->tc, x->s, x->ttl);
		fprintf(o, NP_I1 "MPLS Label: %u\n" NP_I1 "MPLS Experimental Bits: %u\n" NP_I1
			"MPLS Bottom Of Label Stack: %u\n" NP_I1 "MPLS TTL: %u\n", x->label, x->tc, x->s,
			x->ttl);
	}
}

static unsigned mpls_json(struct np_jw *restrict w, const struct np_pkt_layer *l,
			  const struct np_view *v)
{
	(void)v;
	const struct np_mpls *m = &l->mpls;
	KEY(w, "mpls");
	ch(w, '[');
	for (unsigned i = 0; i < m->n; i++) {
		if (i)
			ch(w, ',');
		open_obj_sep(w);
		NUM(w, "label", m->e[i].label);
		NUM(w, "tc", m->e[i].tc);
		NUM(w, "s", m->e[i].s);
		NUM(w, "ttl", m->e[i].ttl);
		close_obj(w);
	}
	ch(w, ']');
	return 0;
}

const struct np_unit np_unit_mpls = {
	.kind = NP_L_MPLS,
	.key = "mpls",
	.title = "MultiProtocol Label Switching Header",
	.encap = true,
	.info = mpls_info,
	.tree = mpls_tree,
	.json = mpls_json,
};
