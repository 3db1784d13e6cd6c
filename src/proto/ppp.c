/* ppp.c - serial and netfilter link types: PPP (DLT_PPP 9; DLT_PPP_SERIAL 50, RFC 1662 HDLC-like
 * framing), Cisco HDLC (DLT_C_HDLC 104, and Cisco framing in DLT_PPP_SERIAL), and Linux's NFLOG
 * (DLT_NFLOG 239: what `iptables -j NFLOG` hands a capture: a 4-byte header, then TLVs whose
 * NFULA_PAYLOAD, type 9, carries the IP packet). Part of the link unit (link.c renders through
 * the functions at the end). */
#include <string.h>

#include <pcap/dlt.h>

#include "decode/internal.h"
#include "netprobe/print.h"
#include "netprobe/proto.h"
#include "core/sbuf.h"
#include "print/jw.h"
#include "proto/linkx.h"

#define ETH_P_IPV4 0x0800
#define ETH_P_IPV6 0x86dd
#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057
#define NFULA_PACKET_HDR 1
#define NFULA_PAYLOAD 9
#define NFLOG_MAX_TLVS 64
#define CHDLC_SLARP 0x8035

const char *np_ppp_proto_name(uint16_t proto)
{
	switch (proto) {
	case PPP_IPV4: return "Internet Protocol version 4";
	case PPP_IPV6: return "Internet Protocol version 6";
	case 0xc021: return "Link Control Protocol";
	case 0xc023: return "Password Authentication Protocol";
	case 0xc223: return "Challenge Handshake Authentication Protocol";
	case 0x8021: return "Internet Protocol Control Protocol";
	case 0x8057: return "IPv6 Control Protocol";
	case 0x80fd: return "Compression Control Protocol";
	default: return "Unknown";
	}
}

static const char *ppp_short(uint16_t proto)
{
	switch (proto) {
	case 0xc021: return "PPP LCP";
	case 0xc023: return "PPP PAP";
	case 0xc223: return "PPP CHAP";
	case 0x8021: return "PPP IPCP";
	case 0x8057: return "PPP IPV6CP";
	case 0x80fd: return "PPP CCP";
	default: return "PPP";
	}
}

/* The network layer behind an Ethertype, or the problem of one that is not decoded. */
static void by_ethertype(struct np_cursor *c, struct np_packet *p, const char *unknown)
{
	if (!np_decode_ethertype(c, p, np_pkt_top(p)->link.ethertype))
		np_problem(p, NP_L_LINK, NP_UNSUPPORTED, unknown);
}

/* Cisco HDLC: address (0x0f unicast, 0x8f broadcast), control 0, an Ethertype. */
static void decode_chdlc(struct np_cursor *c, struct np_packet *p, struct np_link *l)
{
	l->kind = NP_LINK_CHDLC;
	if (!np_cur_u8(c, &l->addr) || !np_cur_u8(c, &l->ctrl) || !np_cur_u16(c, &l->proto)) {
		np_problem(p, NP_L_LINK, NP_TRUNCATED, "Cisco HDLC header cut short");
		return;
	}
	l->hdr_len = 4;
	l->ethertype = l->proto;
	if (l->proto != CHDLC_SLARP) /* the line's keepalives: named, not decoded */
		by_ethertype(c, p, "Cisco HDLC protocol not decoded");
}

/* PPP (RFC 1661) with or without RFC 1662's address 0xff and control 0x03, the protocol field
 * one byte when compressed (an odd first byte, RFC 1661 s6.5). */
static void decode_ppp(struct np_cursor *c, struct np_packet *p, struct np_link *l)
{
	uint8_t b0 = 0, b1 = 0;
	l->kind = NP_LINK_PPP;
	if (np_cur_peek_u8(c, 0, &b0) && (b0 == 0x0f || b0 == 0x8f) &&
	    p->frame->dlt == DLT_PPP_SERIAL) {
		decode_chdlc(c, p, l);
		return;
	}
	if (b0 == 0xff && !np_cur_peek_u8(c, 1, &b1)) {
		np_problem(p, NP_L_LINK, NP_TRUNCATED, "PPP header cut short");
		return;
	}
	if (b0 == 0xff && b1 == 0x03) {
		np_cur_u8(c, &l->addr);
		np_cur_u8(c, &l->ctrl);
		l->hdr_len = 2;
	}
	if (!np_cur_u8(c, &b0) || (!(b0 & 1) && !np_cur_u8(c, &b1))) {
		l->hdr_len = 0;
		np_problem(p, NP_L_LINK, NP_TRUNCATED, "PPP header cut short");
		return;
	}
	l->proto = b0 & 1 ? b0 : (uint16_t)(b0 << 8 | b1);
	l->hdr_len = (uint16_t)(l->hdr_len + (b0 & 1 ? 1 : 2));
	l->ethertype = l->proto == PPP_IPV4 ? ETH_P_IPV4 : l->proto == PPP_IPV6 ? ETH_P_IPV6 : 0;
	if (l->ethertype)
		by_ethertype(c, p, "PPP protocol not decoded");
}

static uint16_t le16(const uint8_t *b)
{
	return (uint16_t)(b[0] | b[1] << 8);
}

/* One NFLOG TLV: length and type in the capturing host's byte order (libpcap's pcap-linktype
 * page), little-endian unless that reading cannot be right. The length counts the 4 bytes of
 * length and type, the value is padded to 4. False at the end or on a broken TLV; `*cut` when
 * the value was not all captured (`v` then holds what was). */
static bool nflog_tlv(struct np_cursor *c, struct np_packet *p, uint16_t *type, struct np_cursor *v,
		      bool *cut)
{
	uint8_t h[4];
	if (!np_cur_left(c))
		return false;
	if (!np_cur_bytes(c, h, 4)) {
		np_problem(p, NP_L_LINK, NP_TRUNCATED, "NFLOG TLV cut short");
		return false;
	}
	uint16_t len = le16(h), t = le16(h + 2);
	if (len < 4 || len > np_wire_left(p, np_frame_off(p, c)) + 4) {
		uint16_t be = (uint16_t)(h[0] << 8 | h[1]);
		if (be >= 4 && be <= np_wire_left(p, np_frame_off(p, c)) + 4) {
			len = be;
			t = (uint16_t)(h[2] << 8 | h[3]);
		}
	}
	if (len < 4) {
		np_problem(p, NP_L_LINK, NP_INVALID, "NFLOG TLV length below 4");
		return false;
	}
	*type = t & 0x7fff;
	*cut = !np_cur_sub(c, len - 4u, v);
	size_t pad = ((len + 3u) & ~3u) - 4u; /* the value and its padding */
	if (!np_cur_skip(c, pad))
		np_cur_skip(c, np_cur_left(c)); /* the last value's padding may be left out */
	return true;
}

/* NFULA_PAYLOAD: the packet, by the header's family. */
static void nflog_payload(struct np_cursor *v, struct np_packet *p, struct np_link *l, bool cut)
{
	uint8_t fam = (uint8_t)l->family;
	if (cut)
		np_problem_payload_cut(p, NP_L_LINK, "NFLOG payload cut short");
	l->body = (uint16_t)np_cur_left(v);
	l->ethertype = fam == 2 ? ETH_P_IPV4 : fam == 10 ? ETH_P_IPV6 : 0;
	if (l->ethertype)
		by_ethertype(v, p, "NFLOG family not decoded");
	else
		np_problem(p, NP_L_LINK, NP_UNSUPPORTED, "NFLOG family not decoded");
}

static void decode_nflog(struct np_cursor *c, struct np_packet *p, struct np_link *l)
{
	uint8_t fam;
	l->kind = NP_LINK_NFLOG;
	if (!np_cur_u8(c, &fam) || !np_cur_u8(c, &l->addr) || !np_cur_u16(c, &l->pre_len)) {
		np_problem(p, NP_L_LINK, NP_TRUNCATED, "NFLOG header cut short");
		return;
	}
	l->family = fam;
	l->hdr_len = 4;
	struct np_cursor v;
	uint16_t type;
	bool cut = false;
	for (unsigned n = 0; n < NFLOG_MAX_TLVS && nflog_tlv(c, p, &type, &v, &cut); n++) {
		if (cut && type != NFULA_PAYLOAD) {
			np_problem(p, NP_L_LINK, NP_TRUNCATED, "NFLOG TLV cut short");
			return;
		}
		if (type == NFULA_PACKET_HDR) {
			uint16_t hw;
			uint8_t hook;
			if (np_cur_u16(&v, &hw) && np_cur_u8(&v, &hook)) {
				l->proto = hw;
				l->ctrl = hook;
				l->outgoing = hook == 3; /* Local out: sent by this host */
			}
		} else if (type == NFULA_PAYLOAD) {
			nflog_payload(&v, p, l, cut);
			return;
		}
	}
	if (p->nproblems)
		return;
	if (p->frame->caplen < p->frame->len)
		np_problem(p, NP_L_LINK, NP_TRUNCATED, "NFLOG record cut short");
	else
		np_problem(p, NP_L_LINK, NP_UNSUPPORTED, "NFLOG record without a payload");
}

bool np_decode_link_ppp(struct np_cursor *c, struct np_packet *p)
{
	struct np_link *l = &np_pkt_top(p)->link;
	switch (p->frame->dlt) {
	case DLT_PPP:
	case DLT_PPP_SERIAL:
		decode_ppp(c, p, l);
		return true;
	case DLT_C_HDLC:
		decode_chdlc(c, p, l);
		return true;
	case DLT_NFLOG:
		decode_nflog(c, p, l);
		return true;
	default:
		return false;
	}
}

/* --- rendering (called by link.c's renderers for these kinds) --- */

static const char *hook_name(uint8_t h)
{
	static const char *const names[] = { "Pre-routing", "Local in", "Forward", "Local out",
					     "Post-routing" };
	return h < 5 ? names[h] : "Unknown";
}

static const char *family_name(uint32_t f)
{
	return f == 2 ? "IPv4" : f == 10 ? "IPv6" : f == 7 ? "Bridge" : "Unknown";
}

const char *np_link_ppp_proto(const struct np_link *l)
{
	if (l->kind == NP_LINK_PPP)
		return ppp_short(l->proto);
	if (l->kind == NP_LINK_CHDLC)
		return l->proto == CHDLC_SLARP ? "SLARP" : "CHDLC";
	return "NFLOG";
}

void np_link_ppp_info(struct np_sbuf *sb, const struct np_link *l)
{
	if (l->kind == NP_LINK_PPP)
		np_sb_printf(sb, "%s (0x%04x)", np_ppp_proto_name(l->proto), l->proto);
	else if (l->kind == NP_LINK_CHDLC)
		np_sb_printf(sb, "Cisco HDLC, protocol 0x%04x", l->proto);
	else
		np_sb_printf(sb, "NFLOG group %u, family %u", l->pre_len, l->family);
}

void np_link_ppp_tree(FILE *o, const struct np_link *l)
{
	const char *n;
	switch (l->kind) {
	case NP_LINK_PPP:
		fprintf(o, "Point-to-Point Protocol\n");
		if (l->addr)
			fprintf(o, NP_I1 "Address: 0x%02x\n" NP_I1 "Control: 0x%02x\n", l->addr, l->ctrl);
		fprintf(o, NP_I1 "Protocol: %s (0x%04x)\n", np_ppp_proto_name(l->proto), l->proto);
		break;
	case NP_LINK_CHDLC:
		n = l->proto == CHDLC_SLARP ? "SLARP" : np_ethertype_name(l->proto);
		fprintf(o, "Cisco HDLC\n" NP_I1 "Address: %s (0x%02x)\n" NP_I1 "Control: 0x%02x\n" NP_I1
			"Protocol: %s (0x%04x)\n", l->addr == 0x8f ? "Multicast" : "Unicast", l->addr,
			l->ctrl, n ? n : "Unknown", l->proto);
		break;
	default:
		fprintf(o, "Linux Netfilter NFLOG\n" NP_I1 "Family: %s (%u)\n" NP_I1 "Version: %u\n" NP_I1
			"Resource id: %u\n", family_name(l->family), l->family, l->addr, l->pre_len);
		if (l->proto)
			fprintf(o, NP_I1 "HW protocol: 0x%04x\n" NP_I1 "Netfilter hook: %s (%u)\n",
				l->proto, hook_name(l->ctrl), l->ctrl);
		if (l->ethertype)
			fprintf(o, NP_I1 "Payload: %u bytes\n", l->body);
		break;
	}
}

void np_link_ppp_json(struct np_jw *restrict w, const struct np_link *l)
{
	switch (l->kind) {
	case NP_LINK_PPP:
		OPEN(w, "ppp");
		if (l->addr) {
			NUM(w, "address", l->addr);
			NUM(w, "control", l->ctrl);
		}
		NUM(w, "proto", l->proto);
		break;
	case NP_LINK_CHDLC:
		OPEN(w, "chdlc");
		NUM(w, "address", l->addr);
		NUM(w, "proto", l->proto);
		break;
	default:
		OPEN(w, "nflog");
		NUM(w, "family", l->family);
		NUM(w, "version", l->addr);
		NUM(w, "res_id", l->pre_len);
		if (l->proto) {
			NUM(w, "hw_proto", l->proto);
			NUM(w, "hook", l->ctrl);
		}
		break;
	}
	close_obj(w);
}
