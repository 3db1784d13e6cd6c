/* dispatch.c - the one table that says which protocol unit decodes what a lower layer carries
 * (Wireshark's dissector tables: ethertype, IP protocol, UDP port), and the walk that follows it. */
#include "internal.h"
#include "netprobe/proto.h"
#include "netprobe/hot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* NP_BY_CAPTURE: the unit every frame starts in (np_decode hands it the libpcap link type). */
enum np_by { NP_BY_CAPTURE, NP_BY_ETHERTYPE, NP_BY_IPPROTO, NP_BY_UDP_PORT, NP_BY_TCP_PORT };

struct np_dispatch {
	enum np_by by;
	uint16_t value;
	uint8_t under;          /* enum np_layer the carrier must be, or NP_L_NONE for any */
	const char *misplaced;  /* problem text when it is not */
	void (*decode)(struct np_cursor *c, struct np_packet *p);
	const struct np_unit *unit;  /* its names and renderers for the printers (proto.h) */
};

/* One row per protocol unit and number that hands it bytes. */
static const struct np_dispatch table[] = {
	{ NP_BY_CAPTURE, 0, NP_L_NONE, NULL, np_decode_link, &np_unit_link },
	{ NP_BY_ETHERTYPE, 0x0800, NP_L_NONE, NULL, np_decode_ipv4, &np_unit_ip4 },
	{ NP_BY_ETHERTYPE, 0x86dd, NP_L_NONE, NULL, np_decode_ipv6, &np_unit_ip6 },
	{ NP_BY_ETHERTYPE, 0x0806, NP_L_NONE, NULL, np_decode_arp, &np_unit_arp },
	{ NP_BY_IPPROTO, 6, NP_L_NONE, NULL, np_decode_tcp, &np_unit_tcp },
	{ NP_BY_IPPROTO, 17, NP_L_NONE, NULL, np_decode_udp, &np_unit_udp },
	{ NP_BY_IPPROTO, 1, NP_L_IP4, "ICMP for IPv4 carried in IPv6", np_decode_icmp, &np_unit_icmp },
	{ NP_BY_IPPROTO, 58, NP_L_IP6, "ICMPv6 carried in IPv4", np_decode_icmp6, &np_unit_icmp6 },
	{ NP_BY_UDP_PORT, 4789, NP_L_NONE, NULL, np_decode_vxlan, &np_unit_vxlan },
	/* Linux's default VXLAN port (`ip link ... type vxlan` without dstport; flannel). */
	{ NP_BY_UDP_PORT, 8472, NP_L_NONE, NULL, np_decode_vxlan, &np_unit_vxlan },
	{ NP_BY_UDP_PORT, 6081, NP_L_NONE, NULL, np_decode_geneve, &np_unit_geneve },
	{ NP_BY_UDP_PORT, 2152, NP_L_NONE, NULL, np_decode_gtp, &np_unit_gtp },
	{ NP_BY_UDP_PORT, 3544, NP_L_NONE, NULL, np_decode_teredo, &np_unit_teredo },
	{ NP_BY_IPPROTO, 47, NP_L_NONE, NULL, np_decode_gre, &np_unit_gre },
	{ NP_BY_IPPROTO, 4, NP_L_NONE, NULL, np_decode_ipv4, &np_unit_ip4 },  /* IP in IP (RFC 2003) */
	{ NP_BY_IPPROTO, 41, NP_L_NONE, NULL, np_decode_ipv6, &np_unit_ip6 }, /* 6in4 (RFC 4213) */
	{ NP_BY_ETHERTYPE, 0x6558, NP_L_NONE, NULL, np_decode_ether, &np_unit_link }, /* GRETAP */
	{ NP_BY_ETHERTYPE, 0x88be, NP_L_NONE, NULL, np_decode_erspan, &np_unit_erspan },
	{ NP_BY_ETHERTYPE, 0x22eb, NP_L_NONE, NULL, np_decode_erspan, &np_unit_erspan },
	{ NP_BY_ETHERTYPE, 0x8847, NP_L_NONE, NULL, np_decode_mpls, &np_unit_mpls },
	{ NP_BY_ETHERTYPE, 0x8848, NP_L_NONE, NULL, np_decode_mpls, &np_unit_mpls },
	{ NP_BY_ETHERTYPE, 0x8863, NP_L_NONE, NULL, np_decode_pppoe, &np_unit_pppoe },
	{ NP_BY_ETHERTYPE, 0x8864, NP_L_NONE, NULL, np_decode_pppoe, &np_unit_pppoe },
	{ NP_BY_ETHERTYPE, 0xd28b, NP_L_NONE, NULL, np_decode_arista, &np_unit_arista },
	{ NP_BY_ETHERTYPE, 0x88e5, NP_L_NONE, NULL, np_decode_macsec, &np_unit_macsec },
	{ NP_BY_UDP_PORT, 53, NP_L_NONE, NULL, np_decode_dns, &np_unit_dns },
	{ NP_BY_UDP_PORT, 5353, NP_L_NONE, NULL, np_decode_dns, &np_unit_dns }, /* mDNS */
	{ NP_BY_TCP_PORT, 53, NP_L_NONE, NULL, np_decode_dns_tcp, &np_unit_dns },
	{ NP_BY_TCP_PORT, 443, NP_L_NONE, NULL, np_decode_tls, &np_unit_tls },
	/* HTTP/1.x has no row: any segment that begins with a request or status line is HTTP
	 * (np_decode_tcp_payload), whatever the port. */
};

/* Each layer kind's unit, for the printers, which ask once per layer: an index, not a walk of
 * the table above (a walk cost the JSON output 3%). Every unit of the table, by its kind. */
static const struct np_unit *const by_kind[] = {
	[NP_L_LINK] = &np_unit_link, [NP_L_ARP] = &np_unit_arp,     [NP_L_IP4] = &np_unit_ip4,
	[NP_L_IP6] = &np_unit_ip6,   [NP_L_TCP] = &np_unit_tcp,     [NP_L_UDP] = &np_unit_udp,
	[NP_L_ICMP] = &np_unit_icmp, [NP_L_ICMP6] = &np_unit_icmp6, [NP_L_VXLAN] = &np_unit_vxlan,
	[NP_L_GRE] = &np_unit_gre,   [NP_L_ERSPAN] = &np_unit_erspan, [NP_L_GENEVE] = &np_unit_geneve,
	[NP_L_MPLS] = &np_unit_mpls, [NP_L_PPPOE] = &np_unit_pppoe,   [NP_L_GTP] = &np_unit_gtp,
	[NP_L_ARISTA] = &np_unit_arista, [NP_L_DNS] = &np_unit_dns, [NP_L_HTTP] = &np_unit_http,
	[NP_L_TLS] = &np_unit_tls,   [NP_L_TEREDO] = &np_unit_teredo, [NP_L_MACSEC] = &np_unit_macsec,
};

const struct np_unit *np_unit_of(uint8_t kind)
{
	return kind < sizeof by_kind / sizeof by_kind[0] ? by_kind[kind] : NULL;
}

/* Inlined at each call with `by` constant and the loop unrolled, so that the compiler drops the
 * rows of other tables and leaves a few compares of `value` (a scan of the table cost ~40
 * instructions per packet). */
static inline __attribute__((always_inline)) const struct np_dispatch *find(enum np_by by,
									     uint16_t value)
{
#pragma GCC unroll 32
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].by == by && table[i].value == value)
			return &table[i];
	return NULL;
}

NP_HOT bool np_decode_ethertype(struct np_cursor *c, struct np_packet *p, uint16_t type)
{
	const struct np_dispatch *d = find(NP_BY_ETHERTYPE, type);
	if (!d)
		return false;
	d->decode(c, p);
	return true;
}

NP_HOT void np_decode_transport(struct np_cursor *c, struct np_packet *p, uint8_t proto, enum np_layer l)
{
	p->l4_off = np_frame_off(p, c);
	const struct np_dispatch *d = find(NP_BY_IPPROTO, proto);
	bool known = d && (d->under == NP_L_NONE || d->under == l);
	if (known && np_cur_left(c) == 0) {
		/* Nothing of the transport header is there: say why, and show no empty layer. */
		if (p->l4_len > 0)
			np_problem(p, l, NP_TRUNCATED, "transport header not captured");
		else
			np_problem(p, l, NP_INVALID, "no room for the transport header in the IP length");
		return;
	}
	if (!d)
		np_problem(p, l, NP_UNSUPPORTED, "transport protocol not decoded");
	else if (!known)
		np_problem(p, l, NP_UNSUPPORTED, d->misplaced);
	else
		d->decode(c, p);
}

/* A --decode-as override for this transport and one of the ports, or NULL. */
static void (*decode_as(const struct np_packet *p, uint8_t proto, uint16_t sport,
			uint16_t dport))(struct np_cursor *, struct np_packet *)
{
	const struct np_decode_as *da = p->decode_as;
	for (unsigned i = 0; da && i < da->n; i++)
		if (da->e[i].proto == proto && (da->e[i].port == dport || da->e[i].port == sport))
			return da->e[i].decode;
	return NULL;
}

void np_decode_udp_payload(struct np_cursor *c, struct np_packet *p, uint16_t sport,
			   uint16_t dport)
{
	if (__builtin_expect(p->decode_as != NULL, 0)) {
		void (*fn)(struct np_cursor *, struct np_packet *) = decode_as(p, 17, sport, dport);
		if (fn) {
			fn(c, p);
			return;
		}
	}
	const struct np_dispatch *d = find(NP_BY_UDP_PORT, dport);
	if (!d)
		d = find(NP_BY_UDP_PORT, sport);
	if (d)
		d->decode(c, p);
}

/* A TCP segment's data: a --decode-as override, else the unit its port names (DNS on 53, TLS
 * on 443), else by its first bytes: a request or status line is HTTP/1.x, a TLS handshake
 * record is TLS. Per segment (the reassembler does not feed decoders). Cheap for the usual
 * segment: a port compare or two and a look at its first byte. */
NP_HOT void np_decode_tcp_payload(struct np_cursor *c, struct np_packet *p, uint16_t sport,
				  uint16_t dport)
{
	if (__builtin_expect(p->decode_as != NULL, 0)) {
		void (*fn)(struct np_cursor *, struct np_packet *) = decode_as(p, 6, sport, dport);
		if (fn) {
			fn(c, p);
			return;
		}
	}
	const struct np_dispatch *d = find(NP_BY_TCP_PORT, dport);
	if (!d)
		d = find(NP_BY_TCP_PORT, sport);
	if (d) {
		d->decode(c, p);
		return;
	}
	uint8_t b;
	if (!np_cur_peek_u8(c, 0, &b))
		return;
	if (b == 0x16)
		np_decode_tls(c, p);
	else if (b >= 'A' && b <= 'Z')
		np_decode_http(c, p);
}

/* --decode-as: the units a port can be handed to, by transport. */
static const struct {
	uint8_t proto;
	const char *name;
	void (*decode)(struct np_cursor *c, struct np_packet *p);
} as_units[] = {
	{ 17, "vxlan", np_decode_vxlan }, { 17, "geneve", np_decode_geneve },
	{ 17, "gtp", np_decode_gtp },     { 17, "dns", np_decode_dns },
	{ 17, "teredo", np_decode_teredo },
	{ 6, "dns", np_decode_dns_tcp },  { 6, "http", np_decode_http },
	{ 6, "tls", np_decode_tls },
};

bool np_decode_as_add(struct np_decode_as *da, const char *spec, char *err, size_t cap)
{
	uint8_t proto = strncmp(spec, "udp.port=", 9) == 0 ? 17
		      : strncmp(spec, "tcp.port=", 9) == 0 ? 6 : 0;
	char *end = NULL;
	unsigned long port = 0;
	if (proto && spec[9] >= '0' && spec[9] <= '9')
		port = strtoul(spec + 9, &end, 10);
	if (!proto || !end || *end != ':' || port < 1 || port > 65535) {
		snprintf(err, cap, "--decode-as '%s': expected udp.port=N:UNIT or tcp.port=N:UNIT "
			 "(N 1-65535)", spec);
		return false;
	}
	for (size_t i = 0; i < sizeof as_units / sizeof as_units[0]; i++) {
		if (as_units[i].proto != proto || strcmp(as_units[i].name, end + 1) != 0)
			continue;
		if (da->n == NP_DECODE_AS_MAX) {
			snprintf(err, cap, "--decode-as: at most %d overrides", NP_DECODE_AS_MAX);
			return false;
		}
		da->e[da->n++] = (struct np_decode_as_entry){ proto, (uint16_t)port,
							      as_units[i].decode };
		return true;
	}
	snprintf(err, cap, "--decode-as '%s': unknown unit '%s' for %s (known: %s)", spec, end + 1,
		 proto == 17 ? "udp" : "tcp", proto == 17 ? "vxlan, geneve, gtp, teredo, dns" : "dns, http, tls");
	return false;
}
