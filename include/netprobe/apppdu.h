/* apppdu.h - DNS, HTTP and TLS messages that span TCP segments, decoded once complete (as
 * Wireshark's reassembled PDUs): the in-order bytes of each direction of a conversation whose
 * message is unfinished, in a bounded pool; fed by the pipeline after the tracker. */
#ifndef NETPROBE_APPPDU_H
#define NETPROBE_APPPDU_H

#include <stdint.h>

#include "netprobe/packet.h"
#include "netprobe/track.h"

#define NP_APPPDU_SLOTS 64      /* messages being put together at once */
#define NP_APPPDU_MAX 65536     /* bytes one message may span (a TLS record is at most 16 KiB
				 * + 2048, a DNS message over TCP 64 KiB) */

struct np_apppdu_stats {
	uint64_t done;          /* messages put together and decoded */
	uint64_t abandoned;     /* a gap (a segment not captured) or the end of the conversation */
	uint64_t too_long;      /* past NP_APPPDU_MAX */
	uint64_t evicted;       /* the pool was full: the least recently fed gave way */
};

struct np_apppdu;

struct np_apppdu *np_apppdu_new(void);
void np_apppdu_free(struct np_apppdu *pd);
/* The packet's TCP payload joins its direction's unfinished message, or starts one (when the
 * segment's own decode found a message going on past it); the segment that completes it gets
 * the whole message decoded as its application layer. Needs the tracker's view (`info`). */
void np_apppdu_packet(struct np_apppdu *pd, struct np_packet *p, const struct np_pkt_track *info);
void np_apppdu_stats(const struct np_apppdu *pd, struct np_apppdu_stats *st);

#endif
