/* match.h - the --port/--host shorthands, matched on decoded packets so that VLAN-tagged and
 * cooked frames match the same way whatever the link layer (a BPF "port 80" misses them). */
#ifndef NETPROBE_MATCH_H
#define NETPROBE_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netprobe/packet.h"

#define NP_MATCH_MAX_HOSTS 16

struct np_match_host {
	uint8_t ver; /* 4 or 6 */
	uint8_t addr[16];
};

struct np_match {
	bool has_port;
	uint16_t port;
	uint8_t nhosts;
	struct np_match_host hosts[NP_MATCH_MAX_HOSTS];
};

/* Add the addresses of a numeric address or host name. Returns 0, or -1 with err filled. */
int np_match_add_host(struct np_match *m, const char *host, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Does the packet match every shorthand given (port: TCP/UDP source or destination; host:
 * IP source or destination, or ARP sender or target)? True when none were given. */
bool np_match_packet(const struct np_match *m, const struct np_packet *p);

#endif
