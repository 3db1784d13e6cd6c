/* link.c - link layers: Ethernet II with 802.1Q/802.1ad tags, Linux cooked SLL/SLL2, BSD
 * loopback NULL/LOOP and raw IP; and the entry point that decodes a whole frame. */
#include <string.h>

#include <pcap/dlt.h>

#include "decode/internal.h"
#include "netprobe/print.h"
#include "netprobe/proto.h"
#include "core/sbuf.h"
#include "print/jw.h"
#include "netprobe/hot.h"
#include "proto/linkx.h"

#define ETH_P_IPV4 0x0800
#define ETH_P_ARP 0x0806
#define ETH_P_IPV6 0x86dd
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88a8
#define ETH_P_QINQ_OLD 0x9100 /* pre-standard QinQ, still seen in the wild */
#define ARPHRD_LOOPBACK 772
#define SLL_OUTGOING 4

struct link_name {
	int dlt;
	const char *name;
};

static const struct link_name link_names[] = {
	{ DLT_EN10MB, "EN10MB" },   { DLT_LINUX_SLL, "LINUX_SLL" }, { DLT_LINUX_SLL2, "LINUX_SLL2" },
	{ DLT_NULL, "NULL" },       { DLT_LOOP, "LOOP" },           { DLT_RAW, "RAW" },
	{ DLT_IPV4, "IPV4" },       { DLT_IPV6, "IPV6" },           { DLT_PPP, "PPP" },
	{ DLT_PPP_SERIAL, "PPP_SERIAL" }, { DLT_C_HDLC, "C_HDLC" },  { DLT_NFLOG, "NFLOG" },
	{ DLT_IEEE802_11, "IEEE802_11" }, { DLT_IEEE802_11_RADIO, "IEEE802_11_RADIO" },
	{ DLT_PPI, "PPI" },         { DLT_FDDI, "FDDI" },
};

bool np_link_supported(int dlt)
{
	for (size_t i = 0; i < sizeof link_names / sizeof link_names[0]; i++)
		if (link_names[i].dlt == dlt)
			return true;
	return false;
}

const char *np_link_name(int dlt)
{
	for (size_t i = 0; i < sizeof link_names / sizeof link_names[0]; i++)
		if (link_names[i].dlt == dlt)
			return link_names[i].name;
	return "unsupported";
}

static void add_problem(struct np_packet *p, enum np_layer layer, enum np_verdict v,
			const char *what)
{
	if (p->nproblems < NP_MAX_PROBLEMS) {
		struct np_problem *pr = &p->problems[p->nproblems++];
		pr->layer = (uint8_t)layer;
		pr->verdict = (uint8_t)v;
		pr->what = what;
	}
}

void np_problem(struct np_packet *p, enum np_layer layer, enum np_verdict v, const char *what)
{
	if (v == NP_TRUNCATED)
		p->truncated = p->hdr_cut = true;
	else if (v == NP_INVALID)
		p->malformed = true;
	add_problem(p, layer, v, what);
}

void np_problem_payload_cut(struct np_packet *p, enum np_layer layer, const char *what)
{
	p->truncated = true;
	add_problem(p, layer, NP_TRUNCATED, what);
}

/* Hand the link payload to the network layer named by an Ethertype. */
static void decode_ethertype(struct np_cursor *c, struct np_packet *p)
{
	uint16_t type = np_pkt_top(p)->link.ethertype;
	if (np_decode_ethertype(c, p, type))
		return;
	if (type <= 1500)
		np_problem(p, NP_L_LINK, NP_UNSUPPORTED, "IEEE 802.3 length field (LLC frame)");
	else
		np_problem(p, NP_L_LINK, NP_UNSUPPORTED, "Ethertype not decoded");
}

/* Walk 802.1Q / 802.1ad tags (RFC-less: IEEE 802.1Q-2018 s9.6) until a payload Ethertype. */
static bool decode_vlans(struct np_cursor *c, struct np_packet *p)
{
	struct np_link *l = &np_pkt_top(p)->link;
	while (l->ethertype == ETH_P_8021Q || l->ethertype == ETH_P_8021AD ||
	       l->ethertype == ETH_P_QINQ_OLD) {
		uint16_t tci, type;
		if (l->nvlan == NP_MAX_VLAN) {
			np_problem(p, NP_L_LINK, NP_UNSUPPORTED, "too many VLAN tags");
			return false;
		}
		if (!np_cur_u16(c, &tci) || !np_cur_u16(c, &type)) {
			np_problem(p, NP_L_LINK, NP_TRUNCATED, "VLAN tag cut short");
			return false;
		}
		struct np_vlan *v = &l->vlan[l->nvlan++];
		v->tpid = l->ethertype;
		v->pcp = (uint8_t)(tci >> 13);
		v->dei = (uint8_t)((tci >> 12) & 1);
		v->vid = tci & 0x0fff;
		l->ethertype = type;
		l->hdr_len += 4;
	}
	return true;
}

static bool all_zero(const uint8_t *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i])
			return false;
	return true;
}

static void decode_eth(struct np_cursor *c, struct np_packet *p)
{
	struct np_link *l = &np_pkt_top(p)->link;
	/* Each address counts only once its six bytes were captured (caplen 0 or 1 has none):
	 * the printers show what is there, never a zero-filled address that was not. */
	bool got_dst = np_cur_bytes(c, l->dst, 6);
	l->has_dst = got_dst;
	bool got_src = got_dst && np_cur_bytes(c, l->src, 6);
	l->addr_len = got_src ? 6 : 0;
	if (!got_src || !np_cur_u16(c, &l->ethertype)) {
		np_problem(p, NP_L_LINK, NP_TRUNCATED, "Ethernet header cut short");
		return;
	}
	l->hdr_len = 14;
	/* Linux's lo is an Ethernet device with all-zero addresses: everything on it was sent by
	 * this host, with checksums left for an offload that never happens. */
	if (all_zero(l->src, 6) && all_zero(l->dst, 6)) {
		l->loopback = true;
		l->outgoing = true;
	}
	if (decode_vlans(c, p))
		decode_ethertype(c, p);
}

static void sll_direction(struct np_link *l)
{
	l->outgoing = l->sll_pkttype == SLL_OUTGOING;
	if (l->sll_hatype == ARPHRD_LOOPBACK) {
		l->loopback = true;
		l->outgoing = true;
	}
}

/* Linux cooked v1 (what `-i any` wrote before libpcap 1.10): 16 bytes, see pcap-linktype(7). */
static void decode_sll(struct np_cursor *c, struct np_packet *p)
{
	struct np_link *l = &np_pkt_top(p)->link;
	uint16_t halen;
	if (!np_cur_u16(c, &l->sll_pkttype) || !np_cur_u16(c, &l->sll_hatype) ||
	    !np_cur_u16(c, &halen) || !np_cur_bytes(c, l->src, 8) || !np_cur_u16(c, &l->ethertype)) {
		np_problem(p, NP_L_LINK, NP_TRUNCATED, "Linux cooked header cut short");
		return;
	}
	l->addr_len = (uint8_t)(halen > 8 ? 8 : halen);
	l->hdr_len = 16;
	sll_direction(l);
	if (decode_vlans(c, p))
		decode_ethertype(c, p);
}

/* Linux cooked v2 (`-i any` since libpcap 1.10): 20 bytes with the interface index. */
static void decode_sll2(struct np_cursor *c, struct np_packet *p)
{
	struct np_link *l = &np_pkt_top(p)->link;
	uint16_t reserved;
	uint8_t pkttype, halen;
	if (!np_cur_u16(c, &l->ethertype) || !np_cur_u16(c, &reserved) ||
	    !np_cur_u32(c, &l->sll_ifindex) || !np_cur_u16(c, &l->sll_hatype) ||
	    !np_cur_u8(c, &pkttype) || !np_cur_u8(c, &halen) || !np_cur_bytes(c, l->src, 8)) {
		np_problem(p, NP_L_LINK, NP_TRUNCATED, "Linux cooked v2 header cut short");
		return;
	}
	l->sll_pkttype = pkttype;
	l->addr_len = (uint8_t)(halen > 8 ? 8 : halen);
	l->hdr_len = 20;
	sll_direction(l);
	if (decode_vlans(c, p))
		decode_ethertype(c, p);
}

/* Raw IP: the version nibble says which. */
static void decode_raw(struct np_cursor *c, struct np_packet *p)
{
	uint8_t b;
	if (!np_cur_peek_u8(c, 0, &b)) {
		np_problem(p, NP_L_LINK, NP_TRUNCATED, "empty raw IP frame");
		return;
	}
	if (b >> 4 == 4) {
		np_pkt_top(p)->link.ethertype = ETH_P_IPV4;
		np_decode_ipv4(c, p);
	} else if (b >> 4 == 6) {
		np_pkt_top(p)->link.ethertype = ETH_P_IPV6;
		np_decode_ipv6(c, p);
	} else {
		np_problem(p, NP_L_LINK, NP_INVALID, "raw IP frame with IP version neither 4 nor 6");
	}
}

/* BSD loopback: a 4-byte address family, in the capturing host's byte order for NULL and in
 * network order for LOOP. IPv6 has a different AF_INET6 on every BSD (24, 28, 30; 10 on Linux). */
static void decode_null(struct np_cursor *c, struct np_packet *p, bool network_order)
{
	struct np_link *l = &np_pkt_top(p)->link;
	uint8_t b[4];
	if (!np_cur_bytes(c, b, 4)) {
		np_problem(p, NP_L_LINK, NP_TRUNCATED, "loopback header cut short");
		return;
	}
	uint32_t be = ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
	uint32_t le = ((uint32_t)b[3] << 24) | ((uint32_t)b[2] << 16) | ((uint32_t)b[1] << 8) | b[0];
	/* Family values are small: whichever reading fits in 16 bits is the right one. */
	l->family = network_order ? be : (le <= 0xffff ? le : be);
	l->hdr_len = 4;
	l->loopback = true;
	l->outgoing = true;
	switch (l->family) {
	case 2:
		l->ethertype = ETH_P_IPV4;
		np_decode_ipv4(c, p);
		break;
	case 10:
	case 24:
	case 28:
	case 30:
		l->ethertype = ETH_P_IPV6;
		np_decode_ipv6(c, p);
		break;
	default:
		/* Some writers put an Ethertype in the family field; Wireshark's null dissector
		 * reads any value above 1500 (IEEE 802.3's largest length) as one. */
		if (l->family > 1500 && l->family <= 0xffff) {
			l->ethertype = (uint16_t)l->family;
			if (np_decode_ethertype(c, p, l->ethertype))
				break;
		}
		np_problem(p, NP_L_LINK, NP_UNSUPPORTED, "loopback address family not decoded");
		break;
	}
}

void np_decode_ether(struct np_cursor *c, struct np_packet *p)
{
	struct np_pkt_layer *top = np_pkt_push(p, NP_L_LINK);
	if (!top)
		return;
	memset(&top->link, 0, sizeof top->link);
	top->link.kind = NP_LINK_ETH;
	decode_eth(c, p);
}

NP_HOT void np_decode_link(struct np_cursor *c, struct np_packet *p)
{
	struct np_pkt_layer *top = np_pkt_push(p, NP_L_LINK);
	if (!top)
		return;
	memset(&top->link, 0, sizeof top->link);
	switch (p->frame->dlt) {
	case DLT_EN10MB:
		top->link.kind = NP_LINK_ETH;
		decode_eth(c, p);
		break;
	case DLT_LINUX_SLL:
		top->link.kind = NP_LINK_SLL;
		decode_sll(c, p);
		break;
	case DLT_LINUX_SLL2:
		top->link.kind = NP_LINK_SLL2;
		decode_sll2(c, p);
		break;
	case DLT_NULL:
		top->link.kind = NP_LINK_NULL;
		decode_null(c, p, false);
		break;
	case DLT_LOOP:
		top->link.kind = NP_LINK_LOOP;
		decode_null(c, p, true);
		break;
	case DLT_RAW:
		top->link.kind = NP_LINK_RAW;
		decode_raw(c, p);
		break;
	case DLT_IPV4:
	case DLT_IPV6:
		top->link.kind = NP_LINK_RAW;
		decode_raw(c, p);
		break;
	default:
		if (np_decode_link_ppp(c, p) || np_decode_link_wlan(c, p))
			break;
		/* no link layer after all: take it off the stack */
		p->nlayers--;
		p->link_at = 0;
		np_problem(p, NP_L_LINK, NP_UNSUPPORTED, "link type not decoded");
		break;
	}
}

NP_HOT void np_decode(const struct np_frame *f, struct np_packet *p)
{
	np_decode_with(f, p, NULL);
}

NP_HOT void np_decode_with(const struct np_frame *f, struct np_packet *p,
			   const struct np_decode_as *da)
{
	/* Only the bookkeeping is cleared here; each layer clears its own struct when reached. */
	p->frame = f;
	p->decode_as = da;
	p->nlayers = 0;
	p->link_at = p->net_at = p->xport_at = 0;
	p->truncated = false;
	p->hdr_cut = false;
	p->malformed = false;
	p->nproblems = 0;
	p->l3_off = p->l4_off = p->payload_off = 0;
	p->l4_len = 0;
	p->l4_fragment = false;
	p->nets = p->encaps = 0;
	p->tunnel = 0;
	p->pair = (struct np_app_pair){ .kind = NP_PAIR_NONE }; /* renderers read its flags */
	p->pdu.state = NP_PDU_NONE;
	struct np_cursor c = np_cur_make(f->data, f->caplen);
	np_decode_link(&c, p);
}

/* --- rendering: Info column, -v tree, JSON object --- */

/* The Info column of a frame with nothing decoded above its link layer. */
static void link_info(struct np_sbuf *sb, const struct np_pkt_layer *ll, const struct np_view *v)
{
	const struct np_link *l = &ll->link;
	if (!l->hdr_len || (l->pre && l->hdr_len <= l->pre_len)) {
		np_sb_printf(sb, "%s", v->p->nproblems ? v->p->problems[0].what : "frame not decoded");
		return;
	}
	if (np_link_is_ppp(l) || np_link_is_wlan(l)) {
		(np_link_is_ppp(l) ? np_link_ppp_info : np_link_wlan_info)(sb, l);
		return;
	}
	if (l->kind == NP_LINK_ETH && l->ethertype <= 1500)
		np_sb_printf(sb, "IEEE 802.3, length %u", l->ethertype);
	else
		np_sb_printf(sb, "Ethertype 0x%04x", l->ethertype);
	if (l->nvlan)
		np_sb_printf(sb, " (VLAN %u)", l->vlan[l->nvlan - 1].vid);
}

static const char *type_name(uint16_t type)
{
	const char *n = np_ethertype_name(type);
	return n ? n : "Unknown";
}

static const char *pkttype_name(uint16_t t)
{
	switch (t) {
	case 0: return "Unicast to us";
	case 1: return "Broadcast";
	case 2: return "Multicast";
	case 3: return "Unicast to another host";
	case 4: return "Sent by us";
	default: return "Unknown";
	}
}

static void tree_vlans(FILE *o, const struct np_link *l)
{
	for (unsigned i = 0; i < l->nvlan; i++) {
		const struct np_vlan *v = &l->vlan[i];
		fprintf(o, "%s, PRI: %u, DEI: %u, ID: %u\n",
			v->tpid == 0x8100 ? "802.1Q Virtual LAN" : "802.1ad Service VLAN", v->pcp,
			v->dei, v->vid);
		fprintf(o, NP_I1 "TPID: 0x%04x\n", v->tpid);
	}
}

/* The capturing interface's name, when the source knew it (a live `any` capture, a pcapng
 * file's interface). */
static const char *ifname(const struct np_view *v)
{
	return np_pkt_ifname(v->p);
}

static void link_tree(FILE *o, const struct np_pkt_layer *layer, const struct np_view *v)
{
	const struct np_link *l = &layer->link;
	char a[32], b[32];
	if (!l->hdr_len)
		return;
	switch (l->kind) {
	case NP_LINK_ETH:
		np_fmt_mac(l->src, 6, a, sizeof a);
		np_fmt_mac(l->dst, 6, b, sizeof b);
		fprintf(o, "Ethernet II, Src: %s, Dst: %s\n", a, b);
		fprintf(o, NP_I1 "Destination: %s\n" NP_I1 "Source: %s\n", b, a);
		if (l->loopback)
			fprintf(o, NP_I1 "[Loopback: all-zero addresses, sent by this host]\n");
		break;
	case NP_LINK_SLL:
	case NP_LINK_SLL2:
		fprintf(o, "Linux cooked capture v%d\n", l->kind == NP_LINK_SLL ? 1 : 2);
		if (l->kind == NP_LINK_SLL2)
			fprintf(o, NP_I1 "Interface index: %u\n", l->sll_ifindex);
		if (l->kind == NP_LINK_SLL2 && ifname(v))
			fprintf(o, NP_I1 "Interface name: %s\n", ifname(v));
		fprintf(o, NP_I1 "Packet type: %s (%u)\n", pkttype_name(l->sll_pkttype), l->sll_pkttype);
		fprintf(o, NP_I1 "Link-layer address type: %u\n", l->sll_hatype);
		fprintf(o, NP_I1 "Source: %s\n", np_fmt_mac(l->src, l->addr_len, a, sizeof a));
		break;
	case NP_LINK_NULL:
	case NP_LINK_LOOP:
		fprintf(o, "%s\n" NP_I1 "Family: %u\n", l->kind == NP_LINK_NULL ? "Null/Loopback" : "OpenBSD loopback",
			l->family);
		return;
	case NP_LINK_RAW:
		return;
	default:
		(np_link_is_ppp(l) ? np_link_ppp_tree : np_link_wlan_tree)(o, l);
		return;
	}
	if (l->nvlan) {
		fprintf(o, NP_I1 "Type: %s (0x%04x)\n", type_name(l->vlan[0].tpid), l->vlan[0].tpid);
		tree_vlans(o, l);
	}
	if (l->kind == NP_LINK_ETH && l->ethertype <= 1500)
		fprintf(o, NP_I1 "Length: %u\n", l->ethertype);
	else
		fprintf(o, NP_I1 "Type: %s (0x%04x)\n", type_name(l->ethertype), l->ethertype);
}

NP_HOT static unsigned link_json(struct np_jw *restrict w, const struct np_pkt_layer *layer,
			 const struct np_view *v)
{
	const struct np_link *l = &layer->link;
	if (!l->hdr_len)
		return 0;
	if (l->kind == NP_LINK_ETH) {
		OPEN(w, "eth");
		MAC(w, "src", l->src, 6);
		MAC(w, "dst", l->dst, 6);
		NUM(w, "type", l->ethertype);
		close_obj(w);
	} else if (l->kind == NP_LINK_SLL || l->kind == NP_LINK_SLL2) {
		OPEN(w, "sll");
		NUM(w, "pkttype", l->sll_pkttype);
		NUM(w, "hatype", l->sll_hatype);
		if (l->kind == NP_LINK_SLL2)
			NUM(w, "ifindex", l->sll_ifindex);
		MAC(w, "src", l->src, l->addr_len);
		NUM(w, "type", l->ethertype);
		close_obj(w);
	} else if (l->kind == NP_LINK_NULL || l->kind == NP_LINK_LOOP) {
		OPEN(w, "loop");
		NUM(w, "family", l->family);
		close_obj(w);
	} else if (np_link_is_ppp(l)) {
		np_link_ppp_json(w, l);
	} else if (np_link_is_wlan(l)) {
		np_link_wlan_json(w, l);
	}
	if (l->nvlan) {
		KEY(w, "vlan");
		*w->p++ = '[';
		for (unsigned i = 0; i < l->nvlan; i++) {
			if (i)
				ch(w, ',');
			open_obj_sep(w);
			NUM(w, "tpid", l->vlan[i].tpid);
			NUM(w, "pcp", l->vlan[i].pcp);
			NUM(w, "dei", l->vlan[i].dei);
			NUM(w, "id", l->vlan[i].vid);
			close_obj(w);
		}
		ch(w, ']');
	}
	if (l->outgoing)
		BOOL(w, "outgoing", true);
	const struct np_frame_if *fi = v->p->frame->iface;
	if (l->kind == NP_LINK_SLL2) { /* as the text line shows them (tcpdump's words) */
		if (ifname(v))
			STR(w, "ifname", ifname(v));
		STR(w, "dir", np_sll_dir(l->sll_pkttype));
	} else if (fi && fi->several && layer == &v->p->layer[0]) {
		/* a pcapng file's interface, as the line shows it */
		if (fi->name)
			STR(w, "ifname", fi->name);
		else
			NUM(w, "ifid", fi->id);
		STR(w, "dir", np_frame_dir(v->p->frame->dir));
	}
	return 0;
}

/* The key of its JSON object (raw IP has none). */
static const char *link_name(const struct np_pkt_layer *layer)
{
	const struct np_link *l = &layer->link;
	if (!l->hdr_len)
		return NULL;
	switch (l->kind) {
	case NP_LINK_ETH: return "eth";
	case NP_LINK_SLL:
	case NP_LINK_SLL2: return "sll";
	case NP_LINK_NULL:
	case NP_LINK_LOOP: return "loop";
	case NP_LINK_PPP: return "ppp";
	case NP_LINK_CHDLC: return "chdlc";
	case NP_LINK_NFLOG: return "nflog";
	case NP_LINK_WLAN: return "wlan";
	case NP_LINK_FDDI: return "fddi";
	default: return NULL;
	}
}

const struct np_unit np_unit_link = {
	.kind = NP_L_LINK,
	.key = "link",
	.name = link_name,
	.info = link_info,
	.tree = link_tree,
	.json = link_json,
};
