/* apppair.h - requests paired with their responses (DNS transactions, HTTP exchanges), as
 * Wireshark's dns.response_to / dns.time and http.request_in / http.time: a bounded table of
 * what waits for an answer, fed by the pipeline after the tracker, one pass. */
#ifndef NETPROBE_APPPAIR_H
#define NETPROBE_APPPAIR_H

#include <stdint.h>

#include "netprobe/packet.h"
#include "netprobe/track.h"

/* Pending entries kept at once (DNS transactions and HTTP conversations with requests in
 * flight): the least recently used one makes way, counted in `evicted`. */
#define NP_APPPAIR_CAP 4096
/* HTTP requests one conversation may have unanswered (pipelining, RFC 9112 s9.3.2); the oldest
 * makes way for a ninth, counted in `evicted`. */
#define NP_APPPAIR_QUEUE 8

struct np_apppair_stats {
	uint64_t requests;     /* DNS queries and HTTP requests seen */
	uint64_t paired;       /* responses paired with a request */
	uint64_t unmatched;    /* responses to no request seen (or one evicted) */
	uint64_t evicted;      /* requests dropped unanswered to make room */
	uint64_t pending;      /* requests unanswered now (in the table) */
};

struct np_apppair;

/* A table of `cap` entries (0: NP_APPPAIR_CAP) hashed with `hash_key` (the tracker's, 16
 * bytes); NULL when out of memory. */
struct np_apppair *np_apppair_new(uint32_t cap, const uint8_t *hash_key);
void np_apppair_free(struct np_apppair *ap);
/* Pair the packet's DNS or HTTP message (if any): fills p->pair. `info` is the tracker's view
 * of the segment (a TCP retransmission is not paired again); NULL when untracked. */
void np_apppair_packet(struct np_apppair *ap, struct np_packet *p, const struct np_pkt_track *info);
void np_apppair_stats(const struct np_apppair *ap, struct np_apppair_stats *st);

#endif
