/* ip.h - what the IPv4 (ipv4.c) and IPv6 (ipv6.c) units render alike. */
#ifndef NETPROBE_PROTO_IP_H
#define NETPROBE_PROTO_IP_H

#include <stdbool.h>
#include <stdint.h>

#include "netprobe/packet.h"

struct np_sbuf;

/* An IP packet whose payload no unit decoded, as its Info column says it. */
struct np_ip_info {
	const char *ver;       /* "IPv4" or "IPv6" */
	bool cut;              /* the fixed header was not captured whole */
	uint8_t proto;         /* upper-layer protocol */
	uint16_t off;          /* fragment offset in 8-byte units */
	int id_digits;         /* hex digits of the fragment identification */
	uint32_t id;
};

/* "IP protocol N (name)", a fragment, a bogus header or a cut one (Wireshark's wording). */
void np_ip_info(struct np_sbuf *sb, const struct np_packet *p, const struct np_ip_info *i);
/* Name of the ECN bits of a traffic class (RFC 3168). */
const char *np_ecn_name(uint8_t ecn);

#endif
