/* wlan.c - IEEE 802.11 (DLT_IEEE802_11 105), behind a radiotap header (DLT_IEEE802_11_RADIO
 * 127) or a PPI header (DLT_PPI 192), and FDDI (DLT_FDDI 10): data frames with an LLC/SNAP
 * header (RFC 1042) carry IPv4, IPv6 or ARP by Ethertype; management and control frames are
 * named, not decoded further; protected (encrypted) bodies are left alone. Part of the link unit
 * (link.c renders through the functions at the end). */
#include <string.h>

#include <pcap/dlt.h>

#include "decode/internal.h"
#include "netprobe/print.h"
#include "netprobe/proto.h"
#include "core/sbuf.h"
#include "print/jw.h"
#include "proto/linkx.h"

#define WLAN_MGMT 0
#define WLAN_CTRL 1
#define WLAN_DATA 2
#define FC_TYPE(fc) (((fc) >> 10) & 3)     /* fc: the two bytes as read, first byte high */
#define FC_SUBTYPE(fc) (((fc) >> 12) & 15)
#define FC_FLAGS(fc) ((fc) & 0xff)
#define FLAG_TO_DS 0x01
#define FLAG_FROM_DS 0x02
#define FLAG_PROTECTED 0x40
#define FLAG_ORDER 0x80
#define PRE_RADIOTAP 1
#define PRE_PPI 2

static uint16_t le16(const uint8_t *b)
{
	return (uint16_t)(b[0] | b[1] << 8);
}

/* LLC (IEEE 802.2) with SNAP (RFC 1042: DSAP/SSAP 0xaa, UI, OUI 0 or 0x0000f8): its Ethertype,
 * then the network layer. */
static void decode_llc(struct np_cursor *c, struct np_packet *p, struct np_link *l)
{
	uint8_t h[8];
	if (!np_cur_bytes(c, h, 8)) {
		np_problem(p, NP_L_LINK, NP_TRUNCATED, "LLC/SNAP header cut short");
		return;
	}
	if (h[0] != 0xaa || h[1] != 0xaa || h[2] != 0x03 || h[3] || h[4] ||
	    (h[5] != 0 && h[5] != 0xf8)) {
		np_problem(p, NP_L_LINK, NP_UNSUPPORTED, "LLC frame without SNAP not decoded");
		return;
	}
	l->llc = 1;
	l->hdr_len = (uint16_t)(l->hdr_len + 8);
	l->ethertype = (uint16_t)(h[6] << 8 | h[7]);
	if (!np_decode_ethertype(c, p, l->ethertype))
		np_problem(p, NP_L_LINK, NP_UNSUPPORTED, "Ethertype not decoded");
}

/* Destination, source and BSS Id by the frame's To/From DS bits (IEEE 802.11-2020 Table 9-30). */
static void wlan_addrs(struct np_link *l, const uint8_t a[4][6])
{
	static const uint8_t da_at[4] = { 0, 2, 0, 2 }, sa_at[4] = { 1, 1, 2, 3 },
			     bss_at[4] = { 2, 0, 1, 1 };
	unsigned ds = FC_FLAGS(l->proto) & 3;
	memcpy(l->dst, a[da_at[ds]], 6);
	memcpy(l->src, a[sa_at[ds]], 6);
	memcpy(l->bssid, a[bss_at[ds]], 6);
	l->has_dst = true;
	l->addr_len = 6;
}

/* A control frame: receiver address, and the transmitter's for those that carry one. */
static void wlan_ctrl(struct np_cursor *c, struct np_packet *p, struct np_link *l)
{
	unsigned st = FC_SUBTYPE(l->proto);
	if (!np_cur_bytes(c, l->dst, 6)) {
		np_problem(p, NP_L_LINK, NP_TRUNCATED, "802.11 header cut short");
		return;
	}
	l->has_dst = true;
	l->hdr_len = (uint16_t)(l->hdr_len + 10);
	bool ta = st == 8 || st == 9 || st == 10 || st == 11 || st == 14 || st == 15;
	if (ta && np_cur_bytes(c, l->src, 6)) {
		l->addr_len = 6;
		l->hdr_len = (uint16_t)(l->hdr_len + 6);
	}
}

static void decode_80211(struct np_cursor *c, struct np_packet *p, struct np_link *l)
{
	uint8_t fc[2], a[4][6] = { { 0 } };
	uint16_t dur;
	l->kind = NP_LINK_WLAN;
	if (!np_cur_bytes(c, fc, 2) || !np_cur_u16(c, &dur)) {
		np_problem(p, NP_L_LINK, NP_TRUNCATED, "802.11 header cut short");
		return;
	}
	l->proto = (uint16_t)(fc[0] << 8 | fc[1]);
	unsigned type = FC_TYPE(l->proto), st = FC_SUBTYPE(l->proto), flags = FC_FLAGS(l->proto);
	if (type == WLAN_CTRL) {
		wlan_ctrl(c, p, l);
		return;
	}
	uint8_t sc[2];
	bool four = type == WLAN_DATA && (flags & 3) == 3;
	bool qos = type == WLAN_DATA && (st & 8);
	bool ht = (qos || type == WLAN_MGMT) && (flags & FLAG_ORDER);
	if (!np_cur_bytes(c, a[0], 6) || !np_cur_bytes(c, a[1], 6) || !np_cur_bytes(c, a[2], 6) ||
	    !np_cur_bytes(c, sc, 2) || (four && !np_cur_bytes(c, a[3], 6)) ||
	    (qos && !np_cur_skip(c, 2)) || (ht && !np_cur_skip(c, 4))) {
		np_problem(p, NP_L_LINK, NP_TRUNCATED, "802.11 header cut short");
		return;
	}
	l->body = le16(sc);
	l->hdr_len = (uint16_t)(l->hdr_len + 24 + (four ? 6 : 0) + (qos ? 2 : 0) + (ht ? 4 : 0));
	wlan_addrs(l, a);
	if (type != WLAN_DATA || (st & 4))
		return; /* management, null data, reserved: named only */
	if (!np_cur_left(c)) {
		if (np_wire_left(p, np_frame_off(p, c)))
			np_problem(p, NP_L_LINK, NP_TRUNCATED, "802.11 frame body not captured");
		return;
	}
	if (flags & FLAG_PROTECTED) {
		np_problem(p, NP_L_LINK, NP_UNSUPPORTED, "protected 802.11 data not decoded");
		return;
	}
	decode_llc(c, p, l);
}

/* Radiotap (radiotap.org): version 0, a pad byte, the little-endian length of the whole header,
 * then the fields it announces: skipped, the 802.11 frame starts at the length. */
static void decode_radiotap(struct np_cursor *c, struct np_packet *p, struct np_link *l)
{
	uint8_t h[4];
	l->kind = NP_LINK_WLAN;
	l->pre = PRE_RADIOTAP;
	if (!np_cur_bytes(c, h, 4)) {
		np_problem(p, NP_L_LINK, NP_TRUNCATED, "radiotap header cut short");
		return;
	}
	l->pre_len = le16(h + 2);
	if (h[0] != 0 || l->pre_len < 8) {
		np_problem(p, NP_L_LINK, NP_INVALID, "radiotap header: version not 0 or length below 8");
		return;
	}
	if (!np_cur_skip(c, l->pre_len - 4u)) {
		np_problem(p, NP_L_LINK, NP_TRUNCATED, "radiotap header cut short");
		return;
	}
	l->hdr_len = l->pre_len;
	decode_80211(c, p, l);
}

/* PPI (CACE's Per-Packet Information): version 0, flags, little-endian length and link type. */
static void decode_ppi(struct np_cursor *c, struct np_packet *p, struct np_link *l)
{
	uint8_t h[8];
	l->kind = NP_LINK_WLAN;
	l->pre = PRE_PPI;
	if (!np_cur_bytes(c, h, 8)) {
		np_problem(p, NP_L_LINK, NP_TRUNCATED, "PPI header cut short");
		return;
	}
	l->pre_len = le16(h + 2);
	l->family = (uint32_t)h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 | (uint32_t)h[7] << 24;
	if (h[0] != 0 || l->pre_len < 8) {
		np_problem(p, NP_L_LINK, NP_INVALID, "PPI header: version not 0 or length below 8");
		return;
	}
	if (!np_cur_skip(c, l->pre_len - 8u)) {
		np_problem(p, NP_L_LINK, NP_TRUNCATED, "PPI header cut short");
		return;
	}
	l->hdr_len = l->pre_len;
	if (l->family == DLT_IEEE802_11)
		decode_80211(c, p, l);
	else
		np_problem(p, NP_L_LINK, NP_UNSUPPORTED, "PPI link type not decoded");
}

/* FDDI (ANSI X3.139): frame control, destination, source; LLC frames (0x50-0x57) carry LLC/SNAP. */
static void decode_fddi(struct np_cursor *c, struct np_packet *p, struct np_link *l)
{
	uint8_t fc;
	l->kind = NP_LINK_FDDI;
	if (!np_cur_u8(c, &fc) || !np_cur_bytes(c, l->dst, 6) || !np_cur_bytes(c, l->src, 6)) {
		np_problem(p, NP_L_LINK, NP_TRUNCATED, "FDDI header cut short");
		return;
	}
	l->proto = fc;
	l->hdr_len = 13;
	l->has_dst = true;
	l->addr_len = 6;
	if ((fc & 0xf8) == 0x50)
		decode_llc(c, p, l);
	else
		np_problem(p, NP_L_LINK, NP_UNSUPPORTED, "FDDI frame other than LLC not decoded");
}

bool np_decode_link_wlan(struct np_cursor *c, struct np_packet *p)
{
	struct np_link *l = &np_pkt_top(p)->link;
	switch (p->frame->dlt) {
	case DLT_IEEE802_11:
		decode_80211(c, p, l);
		return true;
	case DLT_IEEE802_11_RADIO:
		decode_radiotap(c, p, l);
		return true;
	case DLT_PPI:
		decode_ppi(c, p, l);
		return true;
	case DLT_FDDI:
		decode_fddi(c, p, l);
		return true;
	default:
		return false;
	}
}

/* --- rendering (called by link.c's renderers for these kinds) --- */

static const char *subtype_name(uint16_t fc)
{
	static const char *const mgmt[16] = {
		"Association Request", "Association Response", "Reassociation Request",
		"Reassociation Response", "Probe Request", "Probe Response", "Timing Advertisement",
		NULL, "Beacon frame", "ATIM", "Disassociate", "Authentication", "Deauthentication",
		"Action", "Action No Ack", NULL,
	};
	static const char *const ctrl[16] = {
		[4] = "Beamforming Report Poll", [5] = "VHT/HE NDP Announcement",
		[7] = "Control Wrapper", [8] = "802.11 Block Ack Req", [9] = "802.11 Block Ack",
		[10] = "Power-Save poll", [11] = "Request-to-send", [12] = "Clear-to-send",
		[13] = "Acknowledgement", [14] = "CF-End", [15] = "CF-End + CF-Ack",
	};
	static const char *const data[16] = {
		[0] = "Data", [4] = "Null function (No data)", [8] = "QoS Data",
		[12] = "QoS Null function (No data)",
	};
	const char *n = NULL;
	switch (FC_TYPE(fc)) {
	case WLAN_MGMT: n = mgmt[FC_SUBTYPE(fc)]; break;
	case WLAN_CTRL: n = ctrl[FC_SUBTYPE(fc)]; break;
	case WLAN_DATA: n = data[FC_SUBTYPE(fc)]; break;
	default: break;
	}
	return n ? n : "Unrecognized (Reserved frame)";
}

const char *np_link_wlan_proto(const struct np_link *l)
{
	return l->kind == NP_LINK_FDDI ? "FDDI" : "802.11";
}

void np_link_wlan_info(struct np_sbuf *sb, const struct np_link *l)
{
	if (l->kind == NP_LINK_FDDI) {
		np_sb_printf(sb, "FDDI frame control 0x%02x", l->proto);
		return;
	}
	np_sb_str(sb, subtype_name(l->proto));
	if (FC_TYPE(l->proto) != WLAN_CTRL && l->hdr_len > l->pre_len)
		np_sb_printf(sb, ", SN=%u, FN=%u", l->body >> 4, l->body & 15);
}

static void tree_llc(FILE *o, const struct np_link *l)
{
	const char *n = np_ethertype_name(l->ethertype);
	if (l->llc)
		fprintf(o, "Logical-Link Control\n" NP_I1 "DSAP: SNAP (0xaa)\n" NP_I1
			"SSAP: SNAP (0xaa)\n" NP_I1 "Type: %s (0x%04x)\n", n ? n : "Unknown",
			l->ethertype);
}

void np_link_wlan_tree(FILE *o, const struct np_link *l)
{
	char a[32], b[32], s[32];
	np_fmt_mac(l->src, 6, a, sizeof a);
	np_fmt_mac(l->dst, 6, b, sizeof b);
	if (l->kind == NP_LINK_FDDI) {
		fprintf(o, "Fiber Distributed Data Interface, Src: %s, Dst: %s\n" NP_I1
			"Frame Control: 0x%02x\n" NP_I1 "Destination: %s\n" NP_I1 "Source: %s\n", a, b,
			l->proto, b, a);
		tree_llc(o, l);
		return;
	}
	if (l->pre == PRE_RADIOTAP)
		fprintf(o, "Radiotap Header v0, Length %u\n", l->pre_len);
	else if (l->pre == PRE_PPI)
		fprintf(o, "PPI version 0, %u bytes\n" NP_I1 "DLT: %u\n", l->pre_len, l->family);
	if (l->hdr_len <= l->pre_len)
		return;
	unsigned flags = FC_FLAGS(l->proto);
	fprintf(o, "IEEE 802.11 %s\n" NP_I1 "Type/Subtype: %s (0x%04x)\n" NP_I1
		"Frame Control Field: 0x%04x\n" NP_I1 "Flags: 0x%02x (DS status %u%s)\n",
		subtype_name(l->proto), subtype_name(l->proto),
		FC_TYPE(l->proto) << 4 | FC_SUBTYPE(l->proto), l->proto, flags, flags & 3,
		flags & FLAG_PROTECTED ? ", protected" : "");
	if (l->has_dst)
		fprintf(o, NP_I1 "Destination address: %s\n", b);
	if (l->addr_len)
		fprintf(o, NP_I1 "Source address: %s\n", a);
	if (FC_TYPE(l->proto) != WLAN_CTRL)
		fprintf(o, NP_I1 "BSS Id: %s\n" NP_I1 "Fragment number: %u\n" NP_I1
			"Sequence number: %u\n", np_fmt_mac(l->bssid, 6, s, sizeof s), l->body & 15,
			l->body >> 4);
	tree_llc(o, l);
}

void np_link_wlan_json(struct np_jw *restrict w, const struct np_link *l)
{
	if (l->pre) {
		if (l->pre == PRE_RADIOTAP) {
			OPEN(w, "radiotap");
		} else {
			OPEN(w, "ppi");
			NUM(w, "dlt", l->family);
		}
		NUM(w, "len", l->pre_len);
		close_obj(w);
		if (l->hdr_len <= l->pre_len)
			return;
	}
	if (l->kind == NP_LINK_FDDI)
		OPEN(w, "fddi");
	else
		OPEN(w, "wlan");
	NUM(w, "fc", l->proto);
	if (l->kind == NP_LINK_WLAN) {
		NUM(w, "type", FC_TYPE(l->proto));
		NUM(w, "subtype", FC_SUBTYPE(l->proto));
	}
	if (l->has_dst)
		MAC(w, "dst", l->dst, 6);
	if (l->addr_len)
		MAC(w, "src", l->src, 6);
	if (l->kind == NP_LINK_WLAN && FC_TYPE(l->proto) != WLAN_CTRL) {
		MAC(w, "bssid", l->bssid, 6);
		NUM(w, "seq", l->body >> 4);
	}
	if (l->llc)
		NUM(w, "ethertype", l->ethertype);
	close_obj(w);
}
