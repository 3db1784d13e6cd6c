/* udpflow.h - the UDP conversations of --json=ecs and --ipfix: a bounded table keyed like the
 * stats collector's (addresses and ports either way, the tunnel for the innermost UDP layer),
 * counting every UDP layer of a packet. A conversation leaves it, reported as one biflow
 * record (NP_EV_CONV_END with flow.udp), when it has been idle longer than the idle timeout
 * (the tracker's --idle-timeout: a UDP conversation is never closed, so it ends as an open
 * TCP one does), when the table is full and a new one needs its place (the least recently
 * active one), or at the end of the capture; with an active timeout, a conversation still
 * going is reported every S seconds (NP_CONV_ACTIVE, the counts since the previous report).
 * Memory: fixed at creation, max conversations. */
#ifndef NETPROBE_UDPFLOW_H
#define NETPROBE_UDPFLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "netprobe/packet.h"
#include "netprobe/track.h"

struct np_udpflows;

struct np_udpflow_opts {
	uint32_t max;                /* conversations kept at once (--max-conv) */
	uint32_t idle_timeout_s;     /* idle longer than this: reported and removed; 0: never */
	uint32_t active_timeout_s;   /* a periodic report every S seconds; 0: none */
	uint8_t hash_key[16];        /* the table's secret hash key (siphash.h) */
};

struct np_udpflows *np_udpflows_new(const struct np_udpflow_opts *o);
void np_udpflows_free(struct np_udpflows *u);
/* Who hears every record: expired, evicted, periodic, and the rest at the end (the pipeline). */
void np_udpflows_emit_to(struct np_udpflows *u, void (*emit)(void *ctx, const struct np_event *ev),
			 void *ctx);
/* Packet time now (microseconds): the conversations idle for longer leave (reported). */
void np_udpflows_advance(struct np_udpflows *u, int64_t now_us);
/* A packet's UDP layers counted (a full table reports and drops its least recently active
 * conversation first); a periodic report after it when one is due. */
void np_udpflows_packet(struct np_udpflows *u, const struct np_packet *p);
/* End of input: every conversation still there, in first-seen order, and the table emptied. */
void np_udpflows_finish(struct np_udpflows *u);

struct np_udpflow_stats {
	uint64_t conversations;      /* made */
	uint64_t expired, evicted, periodic;
	uint32_t now;                /* in the table */
};
void np_udpflows_stats(const struct np_udpflows *u, struct np_udpflow_stats *s);

#endif
