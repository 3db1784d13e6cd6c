/* tree.c - the -v printer: every field of every layer, indented like Wireshark's details pane,
 * with checksum verdicts and where decoding stopped. Fields whose bytes were not captured are
 * left out rather than shown as zero. */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "netprobe/decode.h"
#include "netprobe/print.h"
#include "netprobe/proto.h"


void np_tree_csum(FILE *o, const char *ind, const char *what, uint16_t wire, enum np_csum st,
		      uint16_t good)
{
	fprintf(o, "%s%s: 0x%04x ", ind, what, wire);
	switch (st) {
	case NP_CSUM_GOOD:
		fprintf(o, "[correct]\n");
		break;
	case NP_CSUM_BAD:
		fprintf(o, "[incorrect, should be 0x%04x]\n", good);
		break;
	case NP_CSUM_OFFLOADED:
		fprintf(o, "[offloaded: left unfilled for the network card, not verifiable]\n");
		break;
	case NP_CSUM_ABSENT:
		fprintf(o, "[none: sender did not compute one]\n");
		break;
	case NP_CSUM_UNVERIFIED:
	case NP_CSUM_NOT_CHECKED:
		fprintf(o, "[unverified]\n");
		break;
	}
}

static void tree_frame(FILE *o, const struct np_packet *p)
{
	const struct np_frame *f = p->frame;
	time_t t = (time_t)f->ts_sec;
	struct tm tm;
	char when[64] = "?";
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(o, "Frame %" PRIu64 ": %u bytes on wire, %u bytes captured\n", f->n, f->len,
		f->caplen);
	fprintf(o, NP_I1 "Arrival Time: %s.%06u UTC\n", when, f->ts_usec);
	fprintf(o, NP_I1 "Epoch Time: %" PRId64 ".%06u seconds\n", f->ts_sec, f->ts_usec);
	fprintf(o, NP_I1 "Link type: %s (%d)\n", np_link_name(f->dlt), f->dlt);
	if (f->caplen < f->len)
		fprintf(o, NP_I1 "[Packet size limited during capture: %u of %u bytes]\n", f->caplen,
			f->len);
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

static void tree_link(FILE *o, const struct np_link *l)
{
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

static void tree_arp(FILE *o, const struct np_arp *a)
{
	char m1[32], m2[32], s[NP_ADDR_STRLEN], t[NP_ADDR_STRLEN];
	fprintf(o, "Address Resolution Protocol (%s)\n",
		a->op == 1 ? "request" : a->op == 2 ? "reply" : "other");
	if (a->got >= 8)
		fprintf(o, NP_I1 "Hardware type: %u\n" NP_I1 "Protocol type: 0x%04x\n" NP_I1 "Hardware size: %u\n" NP_I1
			"Protocol size: %u\n" NP_I1 "Opcode: %u\n",
			a->htype, a->ptype, a->hlen, a->plen, a->op);
	if (a->got >= 28)
		fprintf(o, NP_I1 "Sender MAC address: %s\n" NP_I1 "Sender IP address: %s\n" NP_I1
			"Target MAC address: %s\n" NP_I1 "Target IP address: %s\n",
			np_fmt_mac(a->sha, 6, m1, sizeof m1), np_fmt_addr(4, a->spa, s),
			np_fmt_mac(a->tha, 6, m2, sizeof m2), np_fmt_addr(4, a->tpa, t));
}

static const char *ecn_name(uint8_t ecn)
{
	static const char *const n[] = { "Not-ECT", "ECT(1)", "ECT(0)", "CE" };
	return n[ecn & 3];
}

static void tree_ip4(FILE *o, const struct np_ipv4 *ip)
{
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
			ip->tos >> 2, ecn_name(ip->tos));
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

static void tree_ip6(FILE *o, const struct np_ipv6 *ip)
{
	char s[NP_ADDR_STRLEN], d[NP_ADDR_STRLEN];
	if (ip->got >= 40)
		fprintf(o, "Internet Protocol Version 6, Src: %s, Dst: %s\n", np_fmt_addr(6, ip->src, s),
			np_fmt_addr(6, ip->dst, d));
	else
		fprintf(o, "Internet Protocol Version 6\n");
	if (ip->got >= 1)
		fprintf(o, NP_I1 "Version: %u\n", ip->version);
	if (ip->got >= 4)
		fprintf(o, NP_I1 "Traffic Class: 0x%02x (DSCP: %u, ECN: %s)\n" NP_I1 "Flow Label: 0x%05x\n",
			ip->tclass, ip->tclass >> 2, ecn_name(ip->tclass), ip->flow);
	if (ip->got >= 6)
		fprintf(o, NP_I1 "Payload Length: %u\n", ip->plen);
	if (ip->got >= 7) {
		const char *n = np_ip_proto_name(ip->nxt);
		fprintf(o, NP_I1 "Next Header: %s (%u)\n", n ? n : "Unknown", ip->nxt);
	}
	if (ip->got >= 8)
		fprintf(o, NP_I1 "Hop Limit: %u\n", ip->hlim);
	if (ip->got >= 40)
		fprintf(o, NP_I1 "Source Address: %s\n" NP_I1 "Destination Address: %s\n", s, d);
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

/* A layer of a unit in the new shape: its heading and its fields, as the unit names them. */
static void tree_unit(FILE *o, const struct np_unit *u, const struct np_pkt_layer *l)
{
	struct np_field f[NP_MAX_FIELDS];
	unsigned n = u->fields(l, f);
	fprintf(o, "%s\n", u->title);
	for (unsigned i = 0; i < n; i++) {
		if (f[i].hex)
			fprintf(o, NP_I1 "%s: 0x%0*x\n", f[i].label, (int)f[i].hex, f[i].value);
		else
			fprintf(o, NP_I1 "%s: %u\n", f[i].label, f[i].value);
	}
}

static void tree_layer(FILE *o, const struct np_pkt_layer *l, const struct np_view *v)
{
	const struct np_unit *u = np_unit_of(l->kind);
	if (u && u->tree) {
		u->tree(o, l, v);
		return;
	}
	switch (l->kind) {
	case NP_L_LINK: tree_link(o, &l->link); break;
	case NP_L_ARP: tree_arp(o, &l->arp); break;
	case NP_L_IP4: tree_ip4(o, &l->ip4); break;
	case NP_L_IP6: tree_ip6(o, &l->ip6); break;
	default:
		if (u)
			tree_unit(o, u, l);
		break;
	}
}

void np_print_tree(struct np_print_ctx *ctx, const struct np_packet *p,
		   const struct np_pkt_track *trk)
{
	FILE *o = ctx->out;
	const struct np_view v = { p, trk, ctx->absolute_seq };
	tree_frame(o, p);
	for (unsigned i = 0; i < p->nlayers; i++)
		tree_layer(o, &p->layer[i], &v);
	for (unsigned i = 0; i < p->nproblems; i++)
		fprintf(o, "[%s %s: %s]\n", np_layer_name(p->problems[i].layer),
			np_verdict_name(p->problems[i].verdict), p->problems[i].what);
	fprintf(o, "\n");
}
