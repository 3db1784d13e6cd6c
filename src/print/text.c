/* text.c - the one-line-per-packet printer, after Wireshark's packet list: number, time,
 * source, destination, protocol, length and an Info column in Wireshark's wording. The time
 * column and the printing context are in timefmt.c. */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "netprobe/print.h"
#include "netprobe/proto.h"
#include "core/sbuf.h"
#include "netprobe/hot.h"
#include "proto/linkx.h"

static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

NP_HOT void np_format_endpoints(const struct np_packet *p, char *src, char *dst, size_t cap)
{
	/* Each layer looked up once: the writes into src/dst may alias the packet for all the
	 * compiler knows, so a repeated accessor call runs again. */
	const struct np_ipv4 *ip4 = np_pkt_ip4(p);
	const struct np_ipv6 *ip6 = np_pkt_ip6(p);
	src[0] = dst[0] = '\0';
	if (ip4 && ip4->got >= 20) {
		np_fmt_addr(4, ip4->src, src);
		np_fmt_addr(4, ip4->dst, dst);
	} else if (ip6 && ip6->got >= 40) {
		np_fmt_addr(6, ip6->src, src);
		np_fmt_addr(6, ip6->dst, dst);
	} else if (np_pkt_link(p)) {
		/* An IPv6 header cut after its source still names it (bytes 8-23); the destination
		 * is then the link's, as in Wireshark's columns. */
		const struct np_link *l = np_pkt_link(p);
		if (ip6 && ip6->got >= 24)
			np_fmt_addr(6, ip6->src, src);
		else if (l->addr_len)
			np_fmt_mac(l->src, l->addr_len, src, cap);
		if (l->has_dst) {
			if (memcmp(l->dst, broadcast, 6) == 0)
				snprintf(dst, cap, "Broadcast");
			else
				np_fmt_mac(l->dst, 6, dst, cap);
		}
	}
}

NP_HOT const char *np_format_protocol(const struct np_packet *p, char *buf, size_t cap)
{
	/* An application layer (DNS, HTTP, TLS) names itself, else the innermost transport
	 * layer (its unit's proto). */
	const struct np_pkt_layer *app = np_pkt_app(p);
	if (__builtin_expect(app != NULL, 0)) {
		const struct np_unit *u = np_unit_of(app->kind);
		if (u && u->column)
			return u->column(p);
		if (u && u->proto)
			return u->proto;
	}
	if (p->xport_at) {
		const struct np_unit *u = np_unit_of(p->layer[p->xport_at - 1].kind);
		if (u && u->proto)
			return u->proto;
	}
	if (!p->net_at && p->encaps) {
		/* A tunnel with nothing readable inside (an encrypted MACsec frame) names it. */
		const struct np_unit *u = np_unit_of(p->layer[p->nlayers - 1].kind);
		if (u && u->encap && u->proto)
			return u->proto;
	}
	if (np_pkt_arp(p))
		return "ARP";
	if (np_pkt_ip4(p)) {
		const char *n = np_ip_proto_name(np_pkt_ip4(p)->proto);
		return (np_pkt_ip4(p)->frag & 0x1fff) || !n || np_pkt_ip4(p)->got < 10 ? "IPv4" : n;
	}
	if (np_pkt_ip6(p)) {
		const char *n = np_ip_proto_name(np_pkt_ip6(p)->next_final);
		return (np_pkt_ip6(p)->has_frag && np_pkt_ip6(p)->frag_off) || !n || np_pkt_ip6(p)->got < 40 ? "IPv6" : n;
	}
	const struct np_link *l = np_pkt_link(p);
	if (l && l->hdr_len && l->ethertype <= 1500 && l->kind == NP_LINK_ETH)
		return "LLC";
	if (l && l->hdr_len && (np_link_is_ppp(l) || np_link_is_wlan(l)))
		return np_link_is_ppp(l) ? np_link_ppp_proto(l) : np_link_wlan_proto(l);
	if (l && l->hdr_len) {
		const char *n = np_ethertype_name(l->ethertype);
		if (n)
			return n;
		snprintf(buf, cap, "0x%04x", l->ethertype);
		return buf;
	}
	return "Frame";
}

/* Wireshark's checksum notes, each layer's verdict and name from its unit; -q's short form
 * ("[bad TCP cksum]", after tcpdump -v's "bad cksum") keeps a flagged segment's line within 80
 * columns. */
static void info_checksums(struct np_sbuf *sb, const struct np_packet *p, bool brief)
{
	for (unsigned i = 0; i < p->nlayers; i++) {
		const struct np_pkt_layer *l = &p->layer[i];
		const struct np_unit *u = np_unit_of(l->kind);
		if (np_unit_csum(u, l) != NP_CSUM_BAD)
			continue;
		np_sb_str(sb, brief ? " [bad " : " [");
		np_sb_str(sb, u->proto);
		np_sb_str(sb, brief ? " cksum]" : " CHECKSUM INCORRECT]");
	}
}

/* The notes that end the Info column: checksums, a cut header, a malformed packet. -q says a
 * cut header once: its Info text already ends in "cut short" when the cut is in a header it
 * names. */
NP_HOT static void info_notes(struct np_sbuf *sb, const struct np_packet *p, bool brief)
{
	info_checksums(sb, p, brief);
	/* As Wireshark: only a cut header is worth a note in Info (-v and JSON say every cut). */
	if (p->hdr_cut) {
		if (!brief)
			np_sb_lit(sb, " [Packet size limited during capture]");
		else if (!(sb->len >= 9 && sb->len <= sb->cap &&
			   memcmp(sb->buf + sb->len - 9, "cut short", 9) == 0))
			np_sb_lit(sb, " [cut]");
	}
	if (p->malformed)
		np_sb_str(sb, brief ? " [Malformed]" : " [Malformed Packet]");
}

/* The layer whose unit writes the Info column: the application layer, the innermost transport layer, else the
 * innermost network layer, else the innermost link layer (Wireshark's Info is the top
 * protocol's). */
static const struct np_pkt_layer *info_layer(const struct np_packet *p)
{
	const struct np_pkt_layer *app = np_pkt_app(p);
	if (__builtin_expect(app != NULL, 0))
		return app;
	uint8_t at = p->xport_at ? p->xport_at : p->net_at ? p->net_at : p->link_at;
	return at ? &p->layer[at - 1] : NULL;
}

/* The tunnels the Info layer sits in, outermost first, each as its unit names it ("VXLAN 42: "). */
static void info_encap(struct np_sbuf *sb, const struct np_packet *p,
		       const struct np_pkt_layer *upto, const struct np_view *v)
{
	for (const struct np_pkt_layer *l = p->layer; l < upto; l++) {
		const struct np_unit *u = np_unit_of(l->kind);
		if (u && u->encap && u->info) {
			u->info(sb, l, v);
			np_sb_lit(sb, ": ");
		}
	}
}

/* The Info column before its notes. */
NP_HOT static void info_body(struct np_sbuf *sb0, const struct np_packet *p,
		      const struct np_pkt_track *trk, bool absolute)
{
	struct np_sbuf sb = *sb0;
	const struct np_pkt_layer *l = info_layer(p);
	/* A tunnel with nothing readable inside (an encrypted MACsec frame) is the Info itself. */
	const struct np_pkt_layer *last = p->nlayers ? &p->layer[p->nlayers - 1] : NULL;
	if (l && p->encaps && last > l && np_unit_of(last->kind) && np_unit_of(last->kind)->encap)
		l = last;
	if (l && p->encaps) {
		const struct np_view v = { p, trk, absolute };
		info_encap(&sb, p, l, &v);
	}
	const struct np_unit *u = l ? np_unit_of(l->kind) : NULL;
	if (u && u->info) {
		const struct np_view v = { p, trk, absolute };
		u->info(&sb, l, &v);
	} else {
		/* no layer (a link type we do not decode): why */
		np_sb_str(&sb, p->nproblems ? p->problems[0].what : "frame not decoded");
	}
	*sb0 = sb;
}

size_t np_format_info(const struct np_packet *p, const struct np_pkt_track *trk, bool absolute,
		      char *buf, size_t cap)
{
	struct np_sbuf sb = np_sb_make(buf, cap);
	info_body(&sb, p, trk, absolute);
	info_notes(&sb, p, false);
	return sb.len;
}

static const char *line_color(const struct np_packet *p, const struct np_pkt_track *trk)
{
	if (p->malformed)
		return "\033[1;31m";
	if (trk && trk->tcp && (trk->analysis & ~NP_TA_KEEPALIVE))
		return "\033[30;43m"; /* Wireshark's "bad TCP" colouring */
	if (np_pkt_tcp(p) && np_pkt_tcp(p)->got >= 14) {
		if (np_pkt_tcp(p)->flags & NP_TCP_RST)
			return "\033[31m";
		if (np_pkt_tcp(p)->flags & (NP_TCP_SYN | NP_TCP_FIN))
			return "\033[36m";
	}
	if ((np_pkt_icmp(p) && np_pkt_icmp(p)->quote.ipver) ||
	    (np_pkt_icmp6(p) && np_pkt_icmp6(p)->quote.ipver))
		return "\033[33m";
	return NULL;
}

/* -q: what follows is the short line. Its Info keeps what tells packets apart at a glance
 * (tcpdump -q keeps only the protocol and length; Wireshark's Info leads with the flags), and
 * leaves the rest to -v: TCP flags, payload length when not 0 and short analysis notes; UDP
 * length; ICMP/ICMPv6 the message (echo with its sequence number, port unreachable as
 * tcpdump words it); ARP and the rest as in the full line. Every checksum and cut note stays. */

/* "[SYN,ACK]": the flag names of the full line, without the spaces. */
static void brief_flags(struct np_sbuf *sb, uint16_t flags)
{
	char f[64];
	size_t n = np_fmt_tcp_flags(flags, f, sizeof f);
	np_sb_ch(sb, '[');
	if (n == 0)
		np_sb_lit(sb, "<None>");
	for (size_t i = 0; i < n; i++)
		if (f[i] != ' ')
			np_sb_ch(sb, f[i]);
	np_sb_ch(sb, ']');
}

/* The analysis notes, short (in the order of the full line's): a retransmitted segment's line
 * must still fit 80 columns. */
static void brief_notes(struct np_sbuf *sb, const struct np_pkt_track *k)
{
	static const struct {
		uint16_t bit;
		const char *text;
	} notes[] = {
		{ NP_TA_PREV_LOST, "Prev lost" },     { NP_TA_SPURIOUS, "Spurious Retr" },
		{ NP_TA_FAST_RETRANS, "Fast Retr" },  { NP_TA_RETRANSMISSION, "Retr" },
		{ NP_TA_OUT_OF_ORDER, "Out-Of-Order" }, { NP_TA_KEEPALIVE, "Keep-Alive" },
		{ NP_TA_WINDOW_FULL, "WinFull" },     { NP_TA_ZERO_WINDOW, "ZeroWin" },
		{ NP_TA_WINDOW_UPDATE, "WinUpdate" }, { NP_TA_DUP_ACK, "Dup ACK #" },
	};
	uint16_t a = k->analysis;
	/* one retransmission kind, as the full line: spurious, else fast, else plain */
	if (a & NP_TA_SPURIOUS)
		a &= (uint16_t)~(NP_TA_FAST_RETRANS | NP_TA_RETRANSMISSION);
	else if (a & NP_TA_FAST_RETRANS)
		a &= (uint16_t)~NP_TA_RETRANSMISSION;
	bool first = true;
	for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++) {
		if (!(a & notes[i].bit))
			continue;
		np_sb_str(sb, first ? " [" : ", ");
		np_sb_str(sb, notes[i].text);
		if (notes[i].bit == NP_TA_DUP_ACK)
			np_sb_uint(sb, k->dup_num, 0, ' ');
		first = false;
	}
	if (!first)
		np_sb_ch(sb, ']');
}

static void brief_tcp(struct np_sbuf *sb, const struct np_packet *p, const struct np_pkt_track *k)
{
	const struct np_tcp *t = np_pkt_tcp(p);
	if (t->got < 14) {
		np_sb_lit(sb, "TCP header cut short");
		return;
	}
	brief_flags(sb, t->flags);
	/* the payload length when there is one (tcpdump -q's "tcp N"; a bare ACK says nothing) */
	if (t->got >= 20 && t->doff >= 5 && t->doff * 4u <= t->seg_len && t->payload_len)
		np_sb_field(sb, " Len=", t->payload_len);
	if (k && k->tcp && k->analysis)
		brief_notes(sb, k);
}

/* Echo with its sequence number (the first of Wireshark's "seq=BE/LE"), port unreachable as
 * "udp port 53 unreachable", destination unreachable by its code, the rest by type. */
static void brief_icmp(struct np_sbuf *sb, bool v6, unsigned type, unsigned code, unsigned seq,
		       bool idseq, const struct np_quote *q)
{
	bool echo = v6 ? type == 128 || type == 129 : type == 8 || type == 0;
	bool unreach = v6 ? type == 1 : type == 3;
	bool port = unreach && code == (v6 ? 4u : 3u);
	const char *name = v6 ? np_icmp6_type_name((uint8_t)type) : np_icmp_type_name((uint8_t)type);
	const char *cname = v6 ? np_icmp6_code_name((uint8_t)type, (uint8_t)code)
			       : np_icmp_code_name((uint8_t)type, (uint8_t)code);
	if (echo) {
		np_sb_str(sb, type == 8 || type == 128 ? "Echo request" : "Echo reply");
		if (idseq)
			np_sb_field(sb, " seq=", seq);
	} else if (port && q->ipver && (q->proto == 6 || q->proto == 17) && q->l4_got >= 4) {
		np_sb_str(sb, q->proto == 6 ? "tcp" : "udp");
		np_sb_field(sb, " port ", q->dport);
		np_sb_lit(sb, " unreachable");
	} else if (unreach && cname) {
		np_sb_str(sb, cname);
	} else if (name) {
		np_sb_str(sb, name);
	} else {
		np_sb_printf(sb, "%s type=%u code=%u", v6 ? "ICMPv6" : "ICMP", type, code);
	}
}

static size_t brief_info(const struct np_packet *p, const struct np_pkt_track *trk, char *buf,
			 size_t cap)
{
	struct np_sbuf sb = np_sb_make(buf, cap);
	/* The innermost flow only: the tunnels it rides in are named on the full line, -v and
	 * JSON (they would take the 80 columns -q promises). */
	if (np_pkt_tcp(p)) {
		brief_tcp(&sb, p, trk);
	} else if (np_pkt_udp(p) && np_pkt_udp(p)->got >= 8) {
		np_sb_field(&sb, "Len=", np_pkt_udp(p)->payload_len);
	} else if (np_pkt_icmp(p) && np_pkt_icmp(p)->got >= 2) {
		const struct np_icmp *m = np_pkt_icmp(p);
		brief_icmp(&sb, false, m->type, m->code, m->seq, m->has_idseq && m->got >= 8, &m->quote);
		if (m->type == 3 && m->code == 4 && m->got >= 8)
			np_sb_field(&sb, " MTU=", m->mtu);
	} else if (np_pkt_icmp6(p) && np_pkt_icmp6(p)->got >= 2) {
		const struct np_icmp6 *m = np_pkt_icmp6(p);
		brief_icmp(&sb, true, m->type, m->code, m->seq, m->has_idseq && m->got >= 8, &m->quote);
		if (m->type == 2 && m->got >= 8)
			np_sb_field(&sb, " MTU=", m->mtu);
		if (m->has_target) {
			char t[NP_ADDR_STRLEN];
			np_sb_lit(&sb, " ");
			np_sb_str(&sb, np_fmt_addr(6, m->target, t));
		}
	} else {
		/* ARP, bare IP, other link types and cut headers: the full line's text is short */
		info_body(&sb, p, trk, false);
	}
	info_notes(&sb, p, true);
	return sb.len;
}

/* "addr:port" ("[addr]:port" for IPv6, RFC 5952 s6), or the address alone. */
static void brief_endpoint(struct np_sbuf *sb, const char *addr, bool v6, bool has_port,
			   uint16_t port, size_t width, bool right)
{
	char e[NP_ADDR_STRLEN + 10];
	struct np_sbuf esb = np_sb_make(e, sizeof e);
	if (has_port && v6)
		np_sb_ch(&esb, '[');
	np_sb_str(&esb, addr);
	if (has_port) {
		if (v6)
			np_sb_ch(&esb, ']');
		np_sb_field(&esb, ":", port);
	}
	if (right)
		np_sb_rjust(sb, e, esb.len, width);
	else
		np_sb_ljust(sb, e, esb.len, width);
}

/* A frame of `-i any` (LINUX_SLL2) names its interface and direction, as tcpdump 4.99 does
 * ("lo    In  "): the name when the capture knew it (live), else "if#" and the index (a file
 * records no names, and this host's are not the capturing host's). A frame of a pcapng file
 * with several interfaces names its own (if_name, else "if#" and its number in the file) and
 * the direction its epb_flags give ("-" when they say none). */
static void iface_dir(const struct np_packet *p, struct np_sbuf *sb)
{
	const struct np_link *sll2 = np_pkt_sll2(p);
	const struct np_frame_if *fi = p->frame->iface;
	if (!sll2 && !(fi && fi->several))
		return;
	char idx[16];
	const char *name = np_pkt_ifname(p);
	if (!name) {
		snprintf(idx, sizeof idx, "if#%u", sll2 ? sll2->sll_ifindex : fi->id);
		name = idx;
	}
	np_sb_ljust(sb, name, strlen(name), 5);
	np_sb_ch(sb, ' ');
	const char *dir = sll2 ? np_sll_dir(sll2->sll_pkttype) : np_frame_dir(p->frame->dir);
	np_sb_ljust(sb, dir, strlen(dir), 3);
	np_sb_ch(sb, ' ');
}

/* The start every packet line shares: colour, frame number, time (right-aligned in
 * `time_width`), and a space; on `any`, the interface and direction. Returns the colour switched on, or NULL. */
static const char *line_start(struct np_print_ctx *ctx, const struct np_packet *p,
			      const struct np_pkt_track *trk, struct np_sbuf *sb, size_t time_width)
{
	char ts[64];
	const char *color = ctx->color ? line_color(p, trk) : NULL;
	if (color)
		np_sb_str(sb, color);
	np_sb_uint(sb, p->frame->n, 5, ' ');
	np_sb_ch(sb, ' ');
	size_t n = np_format_time(ctx, p->frame, ts, sizeof ts);
	np_sb_rjust(sb, ts, n, time_width);
	np_sb_ch(sb, ' ');
	iface_dir(p, sb);
	return color;
}

/* Colour off, newline, and the line out in one write. */
NP_HOT static void line_end(struct np_print_ctx *ctx, struct np_sbuf *sb, const char *color)
{
	if (color)
		np_sb_lit(sb, "\033[0m");
	np_sb_ch(sb, '\n');
	fwrite_unlocked(sb->buf, 1, sb->len, ctx->out);
}

/* Terminal columns of s[0..n): UTF-8 sequences count one, colour escapes none. */
static size_t brief_cols(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\033') {
			while (i < n && s[i] != 'm')
				i++;
			continue;
		}
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	}
	return c;
}

/* -q promises 80 columns: an Info that would pass them (a tunnel's name, several notes) is cut
 * at a character boundary and ends with "…"; the Info keeps at least 27 columns, as after the
 * widest IPv4 endpoints. */
static void brief_fit(struct np_sbuf *sb, size_t at, bool v6, size_t extra)
{
	if (v6) /* the promise is for IPv4 lines: IPv6 addresses push the line */
		return;
	/* extra: the columns a Protocol name longer than "TCP" takes ("TLSv1.2"), from Info's */
	size_t head = brief_cols(sb->buf, at);
	size_t room = head < 53 + extra ? 80 - head : 27 - extra;
	if (brief_cols(sb->buf + at, sb->len - at) <= room)
		return;
	size_t i = at, c = 0;
	while (i < sb->len && c < room - 1) { /* keep room - 1 characters, then "…" */
		i++;
		while (i < sb->len && ((unsigned char)sb->buf[i] & 0xc0) == 0x80)
			i++;
		c++;
	}
	while (i > at && sb->buf[i - 1] == ' ')
		i--;
	sb->len = i;
	np_sb_str(sb, "…");
}

static void print_brief(struct np_print_ctx *ctx, const struct np_packet *p,
			const struct np_pkt_track *trk)
{
	/* "%5u %8s %15s → %-15s %s %s": 5 + 1 + 8 + 1 + 15 + 3 + 15 + 1 + 3 + 1 = 53 columns
	 * before Info for IPv4 endpoints up to "10.77.100.1:5541", so that a TCP line with its
	 * flags, length and a note ("[ACK] Len=1448 [Fast Retr]") ends within 80. Longer
	 * addresses push the line instead of being cut. */
	char line[1024], src[NP_ADDR_STRLEN], dst[NP_ADDR_STRLEN], pbuf[16];
	struct np_sbuf sb = np_sb_make(line, sizeof line);
	const char *color = line_start(ctx, p, trk, &sb, 8);
	np_format_endpoints(p, src, dst, sizeof src);
	bool v6 = !np_pkt_ip4(p) && np_pkt_ip6(p) && np_pkt_ip6(p)->got >= 40;
	bool ports = (np_pkt_tcp(p) && np_pkt_tcp(p)->got >= 4) ||
		     (np_pkt_udp(p) && np_pkt_udp(p)->got >= 4);
	const struct np_tcp *tcp = np_pkt_tcp(p);
	const struct np_udp *udp = np_pkt_udp(p);
	uint16_t sport = tcp ? tcp->sport : udp ? udp->sport : 0;
	uint16_t dport = tcp ? tcp->dport : udp ? udp->dport : 0;
	brief_endpoint(&sb, src, v6, ports, sport, 15, true);
	np_sb_lit(&sb, " → ");
	brief_endpoint(&sb, dst, v6, ports, dport, 15, false);
	np_sb_ch(&sb, ' ');
	const char *proto = np_format_protocol(p, pbuf, sizeof pbuf);
	size_t plen = strlen(proto);
	np_sb_str(&sb, proto);
	np_sb_ch(&sb, ' ');
	size_t at = sb.len;
	sb.len += brief_info(p, trk, line + sb.len, 512);
	brief_fit(&sb, at, v6, plen > 3 && plen < 11 ? plen - 3 : 0);
	line_end(ctx, &sb, color);
}

NP_HOT void np_print_line(struct np_print_ctx *ctx, const struct np_packet *p,
		   const struct np_pkt_track *trk)
{
	if (ctx->compact) {
		print_brief(ctx, p, trk);
		return;
	}
	/* The line is "%s%5" PRIu64 " %10s %15s → %-15s %-6s %5u %s%s\n" of colour, number, time,
	 * source, destination, protocol, length, Info (at most 511 bytes, as the 512-byte buffer
	 * it used to have) and colour reset, built in one buffer and written with one fwrite:
	 * formatting it through stdio cost more than decoding the packet. Worst case: 10 + 20 + 1
	 * + 63 + 1 + 45 + 5 + 45 + 1 + 15 + 1 + 10 + 1 + 511 + 4 + 1 bytes < 1024. */
	enum { INFO_CAP = 512 };
	char line[1024], src[NP_ADDR_STRLEN], dst[NP_ADDR_STRLEN], pbuf[16];
	struct np_sbuf sb = np_sb_make(line, sizeof line);
	const char *color = line_start(ctx, p, trk, &sb, 10);
	np_format_endpoints(p, src, dst, sizeof src);
	np_sb_rjust(&sb, src, strlen(src), 15);
	np_sb_lit(&sb, " → ");
	np_sb_ljust(&sb, dst, strlen(dst), 15);
	np_sb_ch(&sb, ' ');
	const char *proto = np_format_protocol(p, pbuf, sizeof pbuf);
	np_sb_ljust(&sb, proto, strlen(proto), 6);
	np_sb_ch(&sb, ' ');
	np_sb_uint(&sb, p->frame->len, 5, ' ');
	np_sb_ch(&sb, ' ');
	sb.len += np_format_info(p, trk, ctx->absolute_seq, line + sb.len, INFO_CAP);
	line_end(ctx, &sb, color);
}
