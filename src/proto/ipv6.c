/* ipv6.c - IPv6 fixed header and extension-header chain (RFC 8200; AH RFC 4302). */
#include <string.h>

#include "decode/internal.h"
#include "netprobe/print.h"
#include "netprobe/proto.h"
#include "core/sbuf.h"
#include "print/jw.h"
#include "ip.h"
#include "netprobe/hot.h"

#define IP6_HDR 40

static bool is_extension(uint8_t nxt)
{
	/* hop-by-hop, routing, fragment, destination options, AH, mobility (RFC 6275) */
	return nxt == 0 || nxt == 43 || nxt == 44 || nxt == 60 || nxt == 51 || nxt == 135;
}

/* Walk the extension headers in `d`, what was captured of a payload of `plen` bytes; returns false
 * when the upper layer can't be reached. */
static bool walk_extensions(struct np_cursor *d, uint32_t plen, struct np_packet *p,
			    uint32_t *ext_total)
{
	struct np_ipv6 *ip = &np_pkt_top(p)->ip6;
	uint8_t nxt = ip->nxt;
	while (is_extension(nxt)) {
		if (ip->next_ext == NP_MAX_IP6_EXT) {
			np_problem(p, NP_L_IP6, NP_UNSUPPORTED, "too many IPv6 extension headers");
			return false;
		}
		uint8_t next, hlen;
		if (!np_cur_peek_u8(d, 0, &next) || !np_cur_peek_u8(d, 1, &hlen)) {
			np_problem(p, NP_L_IP6, NP_TRUNCATED, "IPv6 extension header cut short");
			return false;
		}
		uint32_t len = nxt == 44 ? 8u : nxt == 51 ? (hlen + 2u) * 4u : (hlen + 1u) * 8u;
		struct np_cursor e;
		if (d->off + len > plen) { /* past the payload length, however much was captured */
			np_problem(p, NP_L_IP6, NP_INVALID, "IPv6 extension headers longer than the payload");
			return false;
		}
		if (!np_cur_sub(d, len, &e)) {
			np_problem(p, NP_L_IP6, NP_TRUNCATED, "IPv6 extension header cut short");
			return false;
		}
		if (nxt == 43) {
			uint8_t segleft;
			if (np_cur_peek_u8(&e, 3, &segleft) && segleft > 0)
				ip->has_routing = true;
		} else if (nxt == 44) {
			uint16_t offlg;
			np_cur_skip(&e, 2);
			np_cur_u16(&e, &offlg);
			np_cur_u32(&e, &ip->frag_id);
			ip->has_frag = true;
			ip->frag_off = offlg >> 3;
			ip->frag_more = (offlg & 1) != 0;
		}
		ip->ext[ip->next_ext++] = (struct np_ip6_ext){ nxt, (uint16_t)len };
		np_cur_skip(d, len);
		*ext_total += len;
		nxt = next;
		if (ip->has_frag && ip->frag_off != 0) {
			ip->next_final = nxt;
			return false; /* a later fragment: no upper-layer header here */
		}
	}
	ip->next_final = nxt;
	return nxt != 59; /* 59: no next header */
}

NP_HOT void np_decode_ipv6(struct np_cursor *c, struct np_packet *p)
{
	struct np_pkt_layer *l = np_pkt_push(p, NP_L_IP6);
	if (!l)
		return;
	struct np_ipv6 *ip = &l->ip6;
	memset(ip, 0, sizeof *ip);
	p->l3_off = np_frame_off(p, c);
	size_t avail = np_cur_left(c);
	ip->got = (uint16_t)(avail < IP6_HDR ? avail : IP6_HDR);

	struct np_cursor h = *c;
	uint32_t vtf;
	if (!np_cur_u32(&h, &vtf)) {
		uint8_t b;
		if (np_cur_peek_u8(&h, 0, &b))
			ip->version = b >> 4;
		goto cut;
	}
	ip->version = (uint8_t)(vtf >> 28);
	ip->tclass = (uint8_t)(vtf >> 20);
	ip->flow = vtf & 0xfffff;
	if (ip->version != 6) {
		ip->got = 1; /* the other fields mean nothing in an unknown version */
		np_problem(p, NP_L_IP6, NP_INVALID, "IP version is not 6");
		return;
	}
	if (!np_cur_u16(&h, &ip->plen) || !np_cur_u8(&h, &ip->nxt) || !np_cur_u8(&h, &ip->hlim) ||
	    !np_cur_bytes(&h, ip->src, 16) || !np_cur_bytes(&h, ip->dst, 16))
		goto cut;
	ip->next_final = ip->nxt;

	uint32_t wire = np_wire_left(p, p->l3_off);
	uint32_t wire_payload = wire > IP6_HDR ? wire - IP6_HDR : 0;
	uint32_t plen = ip->plen;
	if (plen == 0 && ip->nxt == 0) /* jumbogram (RFC 2675): the length is in hop-by-hop */
		plen = wire_payload;
	if (plen > wire_payload) {
		np_problem(p, NP_L_IP6, NP_INVALID, "IPv6 payload length past the end of the frame");
		plen = wire_payload;
	}
	struct np_cursor d = np_cur_rest(&h);
	struct np_cursor pl;
	if (!np_cur_sub(&d, plen, &pl))
		np_problem_payload_cut(p, NP_L_IP6, "IPv6 payload cut short by the snapshot length");

	uint32_t ext_total = 0;
	if (!walk_extensions(&pl, plen, p, &ext_total))
		return;
	p->l4_len = plen - ext_total;
	/* Offset 0 with M clear is an atomic fragment, a whole datagram (RFC 6946 s4): only a first
	 * fragment of several lacks bytes the checksum covers. */
	p->l4_fragment = ip->has_frag && ip->frag_more;
	struct np_cursor l4 = np_cur_rest(&pl);
	np_decode_transport(&l4, p, ip->next_final, NP_L_IP6);
	return;
cut:
	/* As for a whole header before its chain is walked: the fixed header's next header (if it
	 * was captured) is the best known upper layer, so printers showing next_final agree. */
	ip->next_final = ip->nxt;
	np_problem(p, NP_L_IP6, NP_TRUNCATED, "IPv6 header cut short");
}

/* --- rendering: Info column, -v tree, JSON object --- */

static void ip6_info(struct np_sbuf *sb, const struct np_pkt_layer *l, const struct np_view *v)
{
	const struct np_ipv6 *ip = &l->ip6;
	const struct np_ip_info i = { "IPv6", ip->got < 40, ip->next_final, ip->frag_off, 8,
				      ip->frag_id };
	np_ip_info(sb, v->p, &i);
}

static const char *ext_name(uint8_t t)
{
	switch (t) {
	case 0: return "Hop-by-Hop Options";
	case 43: return "Routing";
	case 44: return "Fragment";
	case 51: return "Authentication Header";
	case 60: return "Destination Options";
	case 135: return "Mobility";
	default: return "Unknown";
	}
}

static void ip6_tree(FILE *o, const struct np_pkt_layer *layer, const struct np_view *v)
{
	(void)v;
	const struct np_ipv6 *ip = &layer->ip6;
	char s[NP_ADDR_STRLEN], d[NP_ADDR_STRLEN];
	/* The source is bytes 8-23: a header cut after them still names it (issue 14). */
	if (ip->got >= 40)
		fprintf(o, "Internet Protocol Version 6, Src: %s, Dst: %s\n", np_fmt_addr(6, ip->src, s),
			np_fmt_addr(6, ip->dst, d));
	else if (ip->got >= 24)
		fprintf(o, "Internet Protocol Version 6, Src: %s\n", np_fmt_addr(6, ip->src, s));
	else
		fprintf(o, "Internet Protocol Version 6\n");
	if (ip->got >= 1)
		fprintf(o, NP_I1 "Version: %u\n", ip->version);
	if (ip->got >= 4)
		fprintf(o, NP_I1 "Traffic Class: 0x%02x (DSCP: %u, ECN: %s)\n" NP_I1 "Flow Label: 0x%05x\n",
			ip->tclass, ip->tclass >> 2, np_ecn_name(ip->tclass), ip->flow);
	if (ip->got >= 6)
		fprintf(o, NP_I1 "Payload Length: %u\n", ip->plen);
	if (ip->got >= 7) {
		const char *n = np_ip_proto_name(ip->nxt);
		fprintf(o, NP_I1 "Next Header: %s (%u)\n", n ? n : "Unknown", ip->nxt);
	}
	if (ip->got >= 8)
		fprintf(o, NP_I1 "Hop Limit: %u\n", ip->hlim);
	if (ip->got >= 24)
		fprintf(o, NP_I1 "Source Address: %s\n", s);
	if (ip->got >= 40)
		fprintf(o, NP_I1 "Destination Address: %s\n", d);
	for (unsigned i = 0; i < ip->next_ext; i++) {
		fprintf(o, NP_I1 "%s Header (%u), %u bytes\n", ext_name(ip->ext[i].type), ip->ext[i].type,
			ip->ext[i].len);
		if (ip->ext[i].type == 44)
			fprintf(o, NP_I2 "Offset: %u, More fragments: %s, Identification: 0x%08x\n",
				ip->frag_off * 8u, ip->frag_more ? "yes" : "no", ip->frag_id);
	}
	if (ip->next_ext) {
		const char *n = np_ip_proto_name(ip->next_final);
		fprintf(o, NP_I1 "[Upper-layer protocol: %s (%u)]\n", n ? n : "Unknown", ip->next_final);
	}
}

NP_HOT static unsigned ip6_json(struct np_jw *restrict w, const struct np_pkt_layer *layer,
			 const struct np_view *v)
{
	(void)v;
	const struct np_ipv6 *ip = &layer->ip6;
	OPEN(w, "ip");
	NUM(w, "v", 6);
	if (ip->got >= 24)
		ADDR(w, "src", 6, ip->src);
	if (ip->got >= 40)
		ADDR(w, "dst", 6, ip->dst);
	if (ip->got >= 8)
		NUM(w, "ttl", ip->hlim);
	if (ip->got >= 7)
		NUM(w, "proto", ip->next_final);
	if (ip->got >= 6)
		NUM(w, "len", ip->plen);
	if (ip->got >= 4) {
		NUM(w, "tc", ip->tclass);
		NUM(w, "flow", ip->flow);
	}
	if (ip->next_ext) {
		KEY(w, "ext");
		for (unsigned i = 0; i < ip->next_ext; i++)
			list_uint(w, i == 0, ip->ext[i].type);
		ch(w, ']');
	}
	if (ip->has_frag) {
		NUM(w, "frag_off", ip->frag_off * 8u);
		BOOL(w, "mf", ip->frag_more);
		NUM(w, "frag_id", ip->frag_id);
	}
	close_obj(w);
	return 0;
}

static const char *ip_name(const struct np_pkt_layer *l)
{
	(void)l;
	return "ip";
}

const struct np_unit np_unit_ip6 = {
	.kind = NP_L_IP6,
	.key = "ipv6",
	.name = ip_name,
	.title = "Internet Protocol Version 6",
	.proto = "IPv6",
	.info = ip6_info,
	.tree = ip6_tree,
	.json = ip6_json,
};
