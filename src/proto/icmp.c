/* icmp.c - ICMP for IPv4 (RFC 792, RFC 1191 for the next-hop MTU) and the quoted header of
 * ICMP/ICMPv6 errors: the offending IP header (IPv6 through its extension headers) and the
 * first bytes of its payload (8, or a whole TCP header when quoted). */
#include <string.h>

#include "decode/internal.h"
#include "netprobe/print.h"
#include "netprobe/proto.h"
#include "core/sbuf.h"
#include "print/jw.h"
#include "icmp.h"

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
	/* RFC 792 promises 8 bytes; RFC 1812 s4.3.2.3 routers quote more: a whole TCP header
	 * (20 bytes) is decoded when it is there, as tshark does. */
	size_t most = q->proto == 6 ? 20 : 8;
	q->l4_got = (uint16_t)(avail < most ? avail : most);
	struct np_cursor h = *c;
	uint16_t off_flags;
	switch (q->proto) {
	case 6:
		if (np_cur_u16(&h, &q->sport) && np_cur_u16(&h, &q->dport) && np_cur_u32(&h, &q->seq) &&
		    np_cur_u32(&h, &q->ack) && np_cur_u16(&h, &off_flags) && np_cur_u16(&h, &q->win))
			q->tcp_flags = off_flags & 0x0fff;
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

/* The quoted IPv6 packet's extension headers (RFC 8200 s4), walked to the upper layer as the
 * outer packet's are; false when the chain is cut or a later fragment has no upper header. */
static bool quote_ip6_ext(struct np_cursor *c, struct np_quote *q)
{
	while (q->nexts < NP_MAX_IP6_EXT) {
		uint8_t next, len;
		size_t bytes;
		switch (q->proto) {
		case 0:
		case 43:
		case 60:
		case 51:
			if (!np_cur_peek_u8(c, 0, &next) || !np_cur_peek_u8(c, 1, &len))
				return false;
			bytes = q->proto == 51 ? (len + 2u) * 4u : (len + 1u) * 8u;
			break;
		case 44: {
			uint8_t off_hi, off_lo;
			if (!np_cur_peek_u8(c, 0, &next) || !np_cur_peek_u8(c, 2, &off_hi) ||
			    !np_cur_peek_u8(c, 3, &off_lo))
				return false;
			if ((((unsigned)off_hi << 8) | off_lo) >> 3)
				return false; /* a later fragment: no upper-layer header */
			bytes = 8;
			break;
		}
		default:
			return true;
		}
		if (!np_cur_skip(c, bytes))
			return false;
		q->proto = next;
		q->nexts++;
	}
	return true;
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
		np_cur_skip(c, 40);
		if (!quote_ip6_ext(c, q))
			return;
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

/* --- rendering: what ICMP and ICMPv6 show alike (icmp.h), then ICMP's own --- */

/* "Type (Code)" of an ICMP or ICMPv6 message, the type name left-justified to `width`, or
 * "Unknown PROTO (type=T, code=C)" when the type has no name. */
static void info_icmp_type(struct np_sbuf *sb, const char *proto, unsigned t, unsigned c,
			   const char *type, const char *code, size_t width)
{
	if (type)
		np_sb_ljust(sb, type, strlen(type), width);
	else
		np_sb_printf(sb, "Unknown %s (type=%u, code=%u)", proto, t, c);
	if (code) {
		np_sb_lit(sb, " (");
		np_sb_str(sb, code);
		np_sb_ch(sb, ')');
	}
}

bool np_icmp_info_head(struct np_sbuf *sb, const struct np_icmp_head *h, size_t width)
{
	if (h->got < 2) {
		np_sb_str(sb, h->proto);
		np_sb_lit(sb, " header cut short");
		return false;
	}
	info_icmp_type(sb, h->proto, h->type, h->code, h->type_name, h->code_name, width);
	if (h->has_idseq && h->got >= 8) {
		np_sb_lit(sb, " id=0x");
		np_sb_hex(sb, h->id, 4);
		np_sb_field(sb, ", seq=", h->seq);
	}
	return true;
}

void np_icmp_tree_head(FILE *o, const struct np_icmp_head *h)
{
	fprintf(o, "%s\n", h->title);
	if (h->got >= 1)
		fprintf(o, NP_I1 "Type: %u (%s)\n", h->type, h->type_name ? h->type_name : "Unknown");
	if (h->got >= 2) {
		const char *n = h->code_name;
		fprintf(o, NP_I1 "Code: %u%s%s%s\n", h->code, n ? " (" : "", n ? n : "", n ? ")" : "");
	}
	if (h->got >= 4)
		np_tree_csum(o, NP_I1, "Checksum", h->csum, h->csum_status, h->csum_good);
}

void np_icmp_json_head(struct np_jw *restrict w, const struct np_icmp_head *h)
{
	if (h->got >= 1)
		NUM(w, "type", h->type);
	if (h->got >= 2)
		NUM(w, "code", h->code);
	if (h->got >= 4)
		json_csum(w, h->csum, h->csum_status);
	if (h->got >= 8 && h->has_idseq) {
		NUM(w, "id", h->id);
		NUM(w, "seq", h->seq);
	}
}

void np_quote_info(struct np_sbuf *sb, const struct np_quote *q)
{
	if (!q->ipver || q->ip_got < (q->ipver == 4 ? 20 : 40))
		return;
	char s[NP_ADDR_STRLEN], d[NP_ADDR_STRLEN];
	np_fmt_addr(q->ipver, q->src, s);
	np_fmt_addr(q->ipver, q->dst, d);
	const char *proto = np_ip_proto_name(q->proto);
	if ((q->proto == 6 || q->proto == 17) && q->l4_got >= 4) {
		/* " [%s %s:%u → %s:%u]", the addresses in brackets for IPv6 */
		bool v6 = q->ipver == 6;
		np_sb_lit(sb, " [");
		np_sb_str(sb, proto);
		np_sb_lit(sb, " ");
		if (v6)
			np_sb_ch(sb, '[');
		np_sb_str(sb, s);
		if (v6)
			np_sb_ch(sb, ']');
		np_sb_ch(sb, ':');
		np_sb_uint(sb, q->sport, 0, ' ');
		np_sb_lit(sb, " → ");
		if (v6)
			np_sb_ch(sb, '[');
		np_sb_str(sb, d);
		if (v6)
			np_sb_ch(sb, ']');
		np_sb_ch(sb, ':');
		np_sb_uint(sb, q->dport, 0, ' ');
		np_sb_ch(sb, ']');
	} else if (proto) {
		np_sb_printf(sb, " [%s %s → %s]", proto, s, d);
	} else {
		np_sb_printf(sb, " [protocol %u %s → %s]", q->proto, s, d);
	}
}

void np_quote_tree(FILE *o, const struct np_quote *q)
{
	char s[NP_ADDR_STRLEN], d[NP_ADDR_STRLEN];
	if (!q->ipver)
		return;
	if (q->ip_got < (q->ipver == 4 ? 20 : 40)) {
		fprintf(o, NP_I1 "Quoted IPv%u header: cut short (%u bytes)\n", q->ipver, q->ip_got);
		return;
	}
	const char *pn = np_ip_proto_name(q->proto);
	fprintf(o, NP_I1 "Quoted IPv%u header, Src: %s, Dst: %s\n", q->ipver, np_fmt_addr(q->ipver, q->src, s),
		np_fmt_addr(q->ipver, q->dst, d));
	fprintf(o, NP_I2 "Protocol: %s (%u)\n" NP_I2 "%s: %u\n", pn ? pn : "Unknown", q->proto,
		q->ipver == 4 ? "Time to Live" : "Hop Limit", q->ttl);
	if (q->ipver == 4)
		fprintf(o, NP_I2 "Total Length: %u\n" NP_I2 "Identification: 0x%04x (%u)\n", q->len, q->id, q->id);
	else
		fprintf(o, NP_I2 "Payload Length: %u\n", q->len);
	if ((q->proto == 6 || q->proto == 17) && q->l4_got >= 4) {
		fprintf(o, NP_I1 "Quoted %s header, Src Port: %u, Dst Port: %u\n", pn, q->sport, q->dport);
		if (q->proto == 6 && q->l4_got >= 8)
			fprintf(o, NP_I2 "Sequence Number (raw): %u\n", q->seq);
		if (q->proto == 6 && q->l4_got >= 16)
			fprintf(o, NP_I2 "Acknowledgment Number (raw): %u\n" NP_I2 "Flags: 0x%03x\n" NP_I2
				"Window: %u\n", q->ack, q->tcp_flags, q->win);
		if (q->proto == 17 && q->l4_got >= 6)
			fprintf(o, NP_I2 "Length: %u\n", q->udp_len);
	} else if ((q->proto == 1 || q->proto == 58) && q->l4_got >= 8) {
		fprintf(o, NP_I1 "Quoted %s header, Type: %u, Code: %u, Identifier: 0x%04x, Sequence: %u\n",
			pn, q->icmp_type, q->icmp_code, q->icmp_id, q->icmp_seq);
	}
}

void np_quote_json(struct np_jw *restrict w, const struct np_quote *q)
{
	if (!q->ipver || q->ip_got < (q->ipver == 4 ? 20 : 40))
		return;
	OPEN(w, "quote");
	OPEN(w, "ip");
	NUM(w, "v", q->ipver);
	ADDR(w, "src", q->ipver, q->src);
	ADDR(w, "dst", q->ipver, q->dst);
	NUM(w, "ttl", q->ttl);
	NUM(w, "proto", q->proto);
	NUM(w, "len", q->len);
	if (q->ipver == 4)
		NUM(w, "id", q->id);
	close_obj(w);
	if ((q->proto == 6 || q->proto == 17) && q->l4_got >= 4) {
		if (q->proto == 6)
			OPEN(w, "tcp");
		else
			OPEN(w, "udp");
		NUM(w, "sport", q->sport);
		NUM(w, "dport", q->dport);
		if (q->proto == 6 && q->l4_got >= 8)
			NUM(w, "seq", q->seq);
		if (q->proto == 6 && q->l4_got >= 16) {
			NUM(w, "ack", q->ack);
			NUM(w, "flags", q->tcp_flags);
			NUM(w, "win", q->win);
		}
		if (q->proto == 17 && q->l4_got >= 6)
			NUM(w, "len", q->udp_len);
		close_obj(w);
	} else if ((q->proto == 1 || q->proto == 58) && q->l4_got >= 2) {
		if (q->proto == 1)
			OPEN(w, "icmp");
		else
			OPEN(w, "icmp6");
		NUM(w, "type", q->icmp_type);
		NUM(w, "code", q->icmp_code);
		if (q->l4_got >= 8) {
			NUM(w, "id", q->icmp_id);
			NUM(w, "seq", q->icmp_seq);
		}
		close_obj(w);
	}
	close_obj(w);
}

static struct np_icmp_head icmp_head(const struct np_icmp *m)
{
	return (struct np_icmp_head){
		.proto = "ICMP", .title = "Internet Control Message Protocol", .got = m->got,
		.type = m->type, .code = m->code, .type_name = np_icmp_type_name(m->type),
		.code_name = np_icmp_code_name(m->type, m->code), .csum = m->csum,
		.csum_good = m->csum_good, .csum_status = m->csum_status,
		.has_idseq = m->has_idseq, .id = m->id, .seq = m->seq,
	};
}

static void icmp_info(struct np_sbuf *sb, const struct np_pkt_layer *l, const struct np_view *v)
{
	const struct np_icmp *m = &l->icmp;
	struct np_icmp_head h = icmp_head(m);
	/* Wireshark lines the id= fields of echo messages up */
	if (!np_icmp_info_head(sb, &h, m->has_idseq ? 20 : 0))
		return;
	if (m->has_idseq && m->got >= 8) {
		/* " id=0x%04x, seq=%u/%u, ttl=%u": the sequence number also little-endian */
		np_sb_field(sb, "/", (unsigned)(((m->seq & 0xff) << 8) | (m->seq >> 8)));
		np_sb_field(sb, ", ttl=", np_pkt_ip4(v->p)->ttl);
	}
	if (m->type == 3 && m->code == 4 && m->got >= 8)
		np_sb_field(sb, " next-hop MTU=", m->mtu);
	np_quote_info(sb, &m->quote);
}

static void icmp_tree(FILE *o, const struct np_pkt_layer *l, const struct np_view *v)
{
	(void)v;
	const struct np_icmp *m = &l->icmp;
	struct np_icmp_head h = icmp_head(m);
	np_icmp_tree_head(o, &h);
	if (m->got >= 8) {
		if (m->has_idseq)
			fprintf(o, NP_I1 "Identifier: %u (0x%04x)\n" NP_I1 "Sequence Number: %u (0x%04x)\n", m->id,
				m->id, m->seq, m->seq);
		if (m->type == 3 && m->code == 4)
			fprintf(o, NP_I1 "MTU of next hop: %u\n", m->mtu);
		if (m->type == 5) {
			char g[NP_ADDR_STRLEN];
			fprintf(o, NP_I1 "Gateway Address: %s\n", np_fmt_addr(4, m->gateway, g));
		}
		if (m->type == 12)
			fprintf(o, NP_I1 "Pointer: %u\n", m->pointer);
		fprintf(o, NP_I1 "Data (%u bytes)\n", m->data_len);
	}
	np_quote_tree(o, &m->quote);
}

static unsigned icmp_json(struct np_jw *restrict w, const struct np_pkt_layer *l, const struct np_view *v)
{
	(void)v;
	const struct np_icmp *m = &l->icmp;
	struct np_icmp_head h = icmp_head(m);
	OPEN(w, "icmp");
	np_icmp_json_head(w, &h);
	if (m->got >= 8) {
		if (m->type == 3 && m->code == 4)
			NUM(w, "mtu", m->mtu);
		if (m->type == 5)
			ADDR(w, "gateway", 4, m->gateway);
		if (m->type == 12)
			NUM(w, "pointer", m->pointer);
	}
	np_quote_json(w, &m->quote);
	close_obj(w);
	return 0;
}

const struct np_unit np_unit_icmp = {
	.kind = NP_L_ICMP,
	.key = "icmp",
	.title = "Internet Control Message Protocol",
	.proto = "ICMP",
	.csum_at = NP_CSUM_AT(icmp.csum_status),
	.info = icmp_info,
	.tree = icmp_tree,
	.json = icmp_json,
};
