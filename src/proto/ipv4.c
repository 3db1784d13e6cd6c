/* ipv4.c - IPv4 header (RFC 791): every field, options, header checksum, fragments. */
#include <string.h>

#include "decode/internal.h"
#include "netprobe/print.h"
#include "netprobe/proto.h"
#include "core/sbuf.h"
#include "print/jw.h"
#include "ip.h"
#include "netprobe/hot.h"

#define IP4_MIN_HDR 20

uint32_t np_wire_left(const struct np_packet *p, uint32_t off)
{
	uint32_t total = p->frame->len > p->frame->caplen ? p->frame->len : p->frame->caplen;
	return total > off ? total - off : 0;
}

/* `o` holds what was captured of a header that the IHL says is `hlen` bytes long. An option that
 * runs past the capture but not past `hlen` is cut short (already reported as truncated), not
 * wrong: only the declared header length can make an option length invalid. */
static void decode_options(struct np_cursor *o, size_t hlen, struct np_packet *p)
{
	struct np_ipv4 *ip = &np_pkt_top(p)->ip4;
	uint8_t type, len;
	while (np_cur_u8(o, &type)) {
		if (type == 0 || type == 1) { /* EOL, NOP: a single byte */
			if (ip->nopts < NP_MAX_IP4_OPTS)
				ip->opts[ip->nopts++] = (struct np_ip4_opt){ type, 1 };
			if (type == 0)
				return;
			continue;
		}
		if (!np_cur_u8(o, &len)) {
			if (o->off < hlen)
				return; /* the capture ended inside the header */
			goto bad;
		}
		if (len < 2 || (size_t)len - 2 > hlen - o->off)
			goto bad;
		if (!np_cur_skip(o, (size_t)len - 2))
			return; /* the capture ended inside the option */
		if (ip->nopts < NP_MAX_IP4_OPTS)
			ip->opts[ip->nopts++] = (struct np_ip4_opt){ type, len };
	}
	return;
bad:
	ip->opts_bad = true;
	np_problem(p, NP_L_IP4, NP_INVALID, "IPv4 option length wrong");
}

/* The header checksum verdict over the `hlen` header bytes at `hdr` (RFC 791, RFC 1071). */
static void header_csum(const struct np_packet *p, struct np_ipv4 *ip, const struct np_cursor *hdr,
			uint32_t hlen)
{
	uint32_t sum = 0;
	if (np_cur_sum16(hdr, hlen, &sum)) {
		uint16_t folded = np_csum_fold(sum);
		ip->csum_good = (uint16_t)~np_csum_fold((uint32_t)folded + (uint16_t)~ip->csum);
		/* Linux always fills the IPv4 header sum in software (ip_send_check(), and
		 * raw_send_hdrinc() for IP_HDRINCL), so it has no unfilled value of its own. BSD
		 * stacks offload it on loopback (CSUM_IP) and leave 0 there: only 0, and only on a
		 * frame this host sent, is an unfilled offload; any other wrong value is an error,
		 * outgoing or not (an AF_PACKET sender can put anything there). */
		if (folded == 0xffff)
			ip->csum_status = NP_CSUM_GOOD;
		else if (np_capture_link(p) && np_capture_link(p)->outgoing && ip->csum == 0)
			ip->csum_status = NP_CSUM_OFFLOADED;
		else
			ip->csum_status = NP_CSUM_BAD;
	} else {
		ip->csum_status = NP_CSUM_UNVERIFIED;
	}
}

NP_HOT void np_decode_ipv4(struct np_cursor *c, struct np_packet *p)
{
	uint8_t vihl;
	if (np_cur_peek_u8(c, 0, &vihl) && vihl >> 4 == 6) {
		/* An IPv6 packet under the IPv4 Ethertype: decode what it is, as Wireshark does. */
		np_problem(p, NP_L_IP4, NP_INVALID, "IPv6 packet under an IPv4 link type");
		np_decode_ipv6(c, p);
		return;
	}
	struct np_pkt_layer *l = np_pkt_push(p, NP_L_IP4);
	if (!l)
		return;
	struct np_ipv4 *ip = &l->ip4;
	memset(ip, 0, sizeof *ip);
	p->l3_off = np_frame_off(p, c);
	size_t avail = np_cur_left(c);
	ip->got = (uint16_t)(avail < IP4_MIN_HDR ? avail : IP4_MIN_HDR);

	struct np_cursor h = *c;
	if (!np_cur_u8(&h, &vihl))
		goto cut;
	ip->version = vihl >> 4;
	ip->ihl = vihl & 0x0f;
	if (ip->version != 4) {
		ip->got = 1; /* the other fields mean nothing in an unknown version */
		np_problem(p, NP_L_IP4, NP_INVALID, "IP version is not 4");
		return;
	}
	if (!np_cur_u8(&h, &ip->tos) || !np_cur_u16(&h, &ip->tot_len) || !np_cur_u16(&h, &ip->id) ||
	    !np_cur_u16(&h, &ip->frag) || !np_cur_u8(&h, &ip->ttl) || !np_cur_u8(&h, &ip->proto) ||
	    !np_cur_u16(&h, &ip->csum) || !np_cur_bytes(&h, ip->src, 4) || !np_cur_bytes(&h, ip->dst, 4))
		goto cut;

	uint32_t hlen = ip->ihl * 4u;
	if (hlen < IP4_MIN_HDR) {
		np_problem(p, NP_L_IP4, NP_INVALID, "IPv4 header length below 20 bytes");
		return;
	}
	uint32_t wire = np_wire_left(p, p->l3_off);
	uint32_t dgram = ip->tot_len;
	if (dgram == 0) /* TCP segmentation offload leaves the length 0 in captures: use the frame */
		dgram = wire;
	if (dgram < hlen) {
		np_problem(p, NP_L_IP4, NP_INVALID, "IPv4 total length below header length");
		return;
	}
	if (dgram > wire) {
		np_problem(p, NP_L_IP4, NP_INVALID, "IPv4 total length past the end of the frame");
		dgram = wire;
	}

	/* The header with its options; the checksum needs all of it. */
	struct np_cursor hdr;
	if (!np_cur_sub(c, hlen, &hdr))
		np_problem(p, NP_L_IP4, NP_TRUNCATED, "IPv4 options cut short");
	header_csum(p, ip, &hdr, hlen);
	np_cur_skip(&hdr, IP4_MIN_HDR);
	decode_options(&hdr, hlen, p);

	/* The datagram: clamp to what was captured. */
	struct np_cursor d;
	if (!np_cur_sub(c, dgram, &d))
		np_problem_payload_cut(p, NP_L_IP4, "IPv4 datagram cut short by the snapshot length");
	if (!np_cur_skip(&d, hlen))
		return;

	uint16_t frag_off = ip->frag & 0x1fff;
	bool more = (ip->frag & 0x2000) != 0;
	if (frag_off != 0)
		return; /* a later fragment: its bytes are not a transport header (RFC 791 s3.2) */
	p->l4_len = dgram - hlen;
	p->l4_fragment = more;
	struct np_cursor l4 = np_cur_rest(&d);
	np_decode_transport(&l4, p, ip->proto, NP_L_IP4);
	return;
cut:
	np_problem(p, NP_L_IP4, NP_TRUNCATED, "IPv4 header cut short");
}

/* --- rendering: Info column, -v tree, JSON object --- */

void np_ip_info(struct np_sbuf *sb, const struct np_packet *p, const struct np_ip_info *i)
{
	const char *name = np_ip_proto_name(i->proto);
	if (i->cut) {
		np_sb_printf(sb, "%s header cut short", i->ver);
		return;
	}
	if (i->off) {
		np_sb_printf(sb, "Fragmented IP protocol (proto=%s %u, off=%u, ID=%0*x)",
			     name ? name : "unknown", i->proto, i->off * 8u, i->id_digits, i->id);
		return;
	}
	if (p->nproblems && p->problems[0].verdict == NP_INVALID &&
	    (p->problems[0].layer == NP_L_IP4 || p->problems[0].layer == NP_L_IP6)) {
		np_sb_printf(sb, "Bogus IP header: %s", p->problems[0].what);
		return;
	}
	np_sb_printf(sb, "IP protocol %u (%s)", i->proto, name ? name : "unknown");
}

const char *np_ecn_name(uint8_t ecn)
{
	static const char *const n[] = { "Not-ECT", "ECT(1)", "ECT(0)", "CE" };
	return n[ecn & 3];
}

static void ip4_info(struct np_sbuf *sb, const struct np_pkt_layer *l, const struct np_view *v)
{
	const struct np_ipv4 *ip = &l->ip4;
	const struct np_ip_info i = { "IPv4", ip->got < 20, ip->proto, ip->frag & 0x1fff, 4, ip->id };
	np_ip_info(sb, v->p, &i);
}

static void ip4_tree(FILE *o, const struct np_pkt_layer *layer, const struct np_view *v)
{
	(void)v;
	const struct np_ipv4 *ip = &layer->ip4;
	char s[NP_ADDR_STRLEN], d[NP_ADDR_STRLEN];
	if (ip->got >= 20)
		fprintf(o, "Internet Protocol Version 4, Src: %s, Dst: %s\n", np_fmt_addr(4, ip->src, s),
			np_fmt_addr(4, ip->dst, d));
	else
		fprintf(o, "Internet Protocol Version 4\n");
	if (ip->got >= 1)
		fprintf(o, NP_I1 "Version: %u\n" NP_I1 "Header Length: %u bytes (%u)\n", ip->version,
			ip->ihl * 4u, ip->ihl);
	if (ip->got >= 2)
		fprintf(o, NP_I1 "Differentiated Services Field: 0x%02x (DSCP: %u, ECN: %s)\n", ip->tos,
			ip->tos >> 2, np_ecn_name(ip->tos));
	if (ip->got >= 4)
		fprintf(o, NP_I1 "Total Length: %u\n", ip->tot_len);
	if (ip->got >= 6)
		fprintf(o, NP_I1 "Identification: 0x%04x (%u)\n", ip->id, ip->id);
	if (ip->got >= 8) {
		fprintf(o, NP_I1 "Flags: 0x%x%s%s%s\n", ip->frag >> 13, ip->frag & 0x8000 ? ", Reserved bit" : "",
			ip->frag & 0x4000 ? ", Don't fragment" : "", ip->frag & 0x2000 ? ", More fragments" : "");
		fprintf(o, NP_I1 "Fragment Offset: %u\n", (ip->frag & 0x1fffu) * 8u);
	}
	if (ip->got >= 9)
		fprintf(o, NP_I1 "Time to Live: %u\n", ip->ttl);
	if (ip->got >= 10) {
		const char *n = np_ip_proto_name(ip->proto);
		fprintf(o, NP_I1 "Protocol: %s (%u)\n", n ? n : "Unknown", ip->proto);
	}
	if (ip->got >= 12)
		np_tree_csum(o, NP_I1, "Header Checksum", ip->csum, ip->csum_status, ip->csum_good);
	if (ip->got >= 20)
		fprintf(o, NP_I1 "Source Address: %s\n" NP_I1 "Destination Address: %s\n", s, d);
	if (ip->nopts) {
		fprintf(o, NP_I1 "Options: (%u bytes)%s\n", ip->ihl * 4u - 20u, ip->opts_bad ? " [malformed]" : "");
		for (unsigned i = 0; i < ip->nopts; i++)
			fprintf(o, NP_I2 "Option type %u (copy %u, class %u, number %u), length %u\n",
				ip->opts[i].type, ip->opts[i].type >> 7, (ip->opts[i].type >> 5) & 3,
				ip->opts[i].type & 0x1f, ip->opts[i].len);
	}
}

NP_HOT static unsigned ip4_json(struct np_jw *restrict w, const struct np_pkt_layer *layer,
			 const struct np_view *v)
{
	(void)v;
	const struct np_ipv4 *ip = &layer->ip4;
	OPEN(w, "ip");
	NUM(w, "v", 4);
	if (ip->got >= 20) {
		ADDR(w, "src", 4, ip->src);
		ADDR(w, "dst", 4, ip->dst);
	}
	if (ip->got >= 9)
		NUM(w, "ttl", ip->ttl);
	if (ip->got >= 10)
		NUM(w, "proto", ip->proto);
	if (ip->got >= 4)
		NUM(w, "len", ip->tot_len);
	if (ip->got >= 6)
		NUM(w, "id", ip->id);
	if (ip->got >= 1)
		NUM(w, "hdr_len", ip->ihl * 4u);
	if (ip->got >= 2) {
		NUM(w, "dscp", ip->tos >> 2);
		NUM(w, "ecn", ip->tos & 3);
	}
	if (ip->got >= 8) {
		BOOL(w, "df", ip->frag & 0x4000);
		BOOL(w, "mf", ip->frag & 0x2000);
		NUM(w, "frag_off", (ip->frag & 0x1fffu) * 8u);
	}
	if (ip->got >= 12)
		json_csum(w, ip->csum, ip->csum_status);
	if (ip->nopts) {
		KEY(w, "opts");
		for (unsigned i = 0; i < ip->nopts; i++)
			list_uint(w, i == 0, ip->opts[i].type);
		ch(w, ']');
	}
	close_obj(w);
	return 0;
}

static const char *ip_name(const struct np_pkt_layer *l)
{
	(void)l;
	return "ip";
}

const struct np_unit np_unit_ip4 = {
	.kind = NP_L_IP4,
	.key = "ipv4",
	.name = ip_name,
	.title = "Internet Protocol Version 4",
	.proto = "IPv4",
	.csum_at = NP_CSUM_AT(ip4.csum_status),
	.info = ip4_info,
	.tree = ip4_tree,
	.json = ip4_json,
};
