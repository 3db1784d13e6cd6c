/* community_id.h - the Community ID v1 of a flow (corelight/community-id-spec): the string
 * Zeek, Suricata, Arkime and Elastic all put on a flow so that their records can be joined,
 * "1:" and the base64 of a SHA-1 over the seed and the ordered endpoints. And SHA-1 itself
 * (RFC 3174), which it needs. */
#ifndef NETPROBE_COMMUNITY_ID_H
#define NETPROBE_COMMUNITY_ID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NP_SHA1_LEN 20
/* "1:" + 28 base64 characters + NUL */
#define NP_COMMUNITY_ID_LEN 31

void np_sha1(const void *data, size_t len, uint8_t digest[NP_SHA1_LEN]);

/* The flow's Community ID into out (NP_COMMUNITY_ID_LEN bytes). ver 4 or 6 (addresses of 4 or
 * 16 bytes); proto the IP protocol; with_ports: TCP, UDP, SCTP (the ports go in, in network
 * order); without, a protocol with no ports (ICMP's type/code mapping is not done here). The
 * same ID for both directions. */
void np_community_id(uint16_t seed, uint8_t ver, const uint8_t *saddr, const uint8_t *daddr,
		     uint8_t proto, bool with_ports, uint16_t sport, uint16_t dport,
		     char out[NP_COMMUNITY_ID_LEN]);

#endif
