/* decode.h - pure decoders: captured bytes in, struct np_packet out. No I/O, allocation or clock. */
#ifndef NETPROBE_DECODE_H
#define NETPROBE_DECODE_H

#include "netprobe/cursor.h"
#include "netprobe/packet.h"

struct np_unit;

/* Is this libpcap link type one we decode? */
bool np_link_supported(int dlt);

/* Short name of a link type as tcpdump prints it ("EN10MB", "LINUX_SLL2", ...). */
const char *np_link_name(int dlt);

/* Decode one frame. Never reads past f->caplen; records where and why it stopped. */
void np_decode(const struct np_frame *f, struct np_packet *p);
/* The same, with --decode-as overrides (NULL: none), which win over the port table. */
void np_decode_with(const struct np_frame *f, struct np_packet *p, const struct np_decode_as *da);
/* Add one --decode-as override, "udp.port=N:UNIT" or "tcp.port=N:UNIT"; false with one line
 * in err when the text is not one. */
bool np_decode_as_add(struct np_decode_as *da, const char *spec, char *err, size_t cap);

/* The layer decoders, exposed for unit tests. Each reads its header at the cursor, records it in
 * the packet and hands what follows to the next layer. */
void np_decode_link(struct np_cursor *c, struct np_packet *p);
/* An Ethernet frame at the cursor (a tunnel's inner frame), pushed as a further link layer. */
void np_decode_ether(struct np_cursor *c, struct np_packet *p);
void np_decode_arp(struct np_cursor *c, struct np_packet *p);
void np_decode_ipv4(struct np_cursor *c, struct np_packet *p);
void np_decode_ipv6(struct np_cursor *c, struct np_packet *p);
void np_decode_tcp(struct np_cursor *c, struct np_packet *p);
void np_decode_udp(struct np_cursor *c, struct np_packet *p);
void np_decode_icmp(struct np_cursor *c, struct np_packet *p);
void np_decode_icmp6(struct np_cursor *c, struct np_packet *p);
void np_decode_vxlan(struct np_cursor *c, struct np_packet *p);
void np_decode_geneve(struct np_cursor *c, struct np_packet *p);
void np_decode_gre(struct np_cursor *c, struct np_packet *p);
void np_decode_erspan(struct np_cursor *c, struct np_packet *p);
void np_decode_mpls(struct np_cursor *c, struct np_packet *p);
void np_decode_pppoe(struct np_cursor *c, struct np_packet *p);
void np_decode_gtp(struct np_cursor *c, struct np_packet *p);
void np_decode_teredo(struct np_cursor *c, struct np_packet *p);
void np_decode_macsec(struct np_cursor *c, struct np_packet *p);
void np_decode_arista(struct np_cursor *c, struct np_packet *p);
void np_decode_dns(struct np_cursor *c, struct np_packet *p);
void np_decode_dns_tcp(struct np_cursor *c, struct np_packet *p);
void np_decode_http(struct np_cursor *c, struct np_packet *p);
void np_decode_tls(struct np_cursor *c, struct np_packet *p);
/* The name at *off of a DNS message (offsets from its start), compression pointers followed:
 * its text (labels joined by '.', "<Root>" for the root, odd bytes as \DDD) into out, and *off
 * past the name where it sits. NP_TRUNCATED: it runs past the captured bytes; NP_INVALID: a
 * pointer loop (more than 32 jumps), a pointer past the message, an extended label type, more
 * than 255 bytes. */
enum np_verdict np_dns_name(const struct np_cursor *msg, size_t *off, char *out, size_t cap);
/* An SVCB SvcParamKey's name (RFC 9460 s14.3.2: "alpn"...; others "key65000"). */
struct np_sbuf;
void np_dns_svc_key(struct np_sbuf *sb, uint16_t key);
/* The protocol units (proto.h), registered in src/decode/dispatch.c. */
extern const struct np_unit np_unit_link;
extern const struct np_unit np_unit_arp;
extern const struct np_unit np_unit_ip4;
extern const struct np_unit np_unit_ip6;
extern const struct np_unit np_unit_tcp;
extern const struct np_unit np_unit_udp;
extern const struct np_unit np_unit_icmp;
extern const struct np_unit np_unit_icmp6;
extern const struct np_unit np_unit_vxlan;
extern const struct np_unit np_unit_geneve;
extern const struct np_unit np_unit_gre;
extern const struct np_unit np_unit_erspan;
extern const struct np_unit np_unit_mpls;
extern const struct np_unit np_unit_pppoe;
extern const struct np_unit np_unit_gtp;
extern const struct np_unit np_unit_teredo;
extern const struct np_unit np_unit_macsec;
extern const struct np_unit np_unit_arista;
extern const struct np_unit np_unit_dns;
extern const struct np_unit np_unit_http;
extern const struct np_unit np_unit_tls;
void np_decode_quote(struct np_cursor *c, struct np_quote *q);

/* Record a problem met while decoding `layer`. Sets p->truncated (and p->hdr_cut) or
 * p->malformed. */
void np_problem(struct np_packet *p, enum np_layer layer, enum np_verdict v, const char *what);
/* Record that the snapshot length cut an IP datagram: truncated, but its headers may be whole. */
void np_problem_payload_cut(struct np_packet *p, enum np_layer layer, const char *what);

/* Checksum helpers shared by the IPv4 and transport decoders (RFC 1071; the fold is in the
 * cursor, src/core/cursor.c). */
/* Pseudo-header sum for IPv4 or IPv6 (RFC 793 / RFC 8200 s8.1) for `len` bytes of `proto`. */
uint32_t np_pseudo_sum(const struct np_packet *p, uint8_t proto, uint32_t len);
/* Verdict for a transport checksum over `len` bytes at the cursor position. */
enum np_csum np_l4_csum(const struct np_packet *p, const struct np_cursor *c, uint8_t proto,
			uint32_t len, uint16_t wire, uint16_t *good);

#endif
