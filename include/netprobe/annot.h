/* annot.h - netprobe's analysis of a packet as short texts, for the comments of a pcapng file
 * (-w --format pcapng): the TCP analysis notes in Wireshark's words ("[TCP Retransmission]")
 * and the tracker events the packet caused, as --events words them. Rendering only: the
 * pipeline hands packets and events over, the -w writer takes the texts. */
#ifndef NETPROBE_ANNOT_H
#define NETPROBE_ANNOT_H

#include <stddef.h>

#include "netprobe/packet.h"
#include "netprobe/track.h"

#define NP_ANNOT_BYTES 4096

struct np_annot {
	unsigned n;            /* texts held, each ended by '\0' in buf */
	size_t len;
	uint64_t cut;          /* texts left out because buf was full */
	char buf[NP_ANNOT_BYTES];
};

static inline void np_annot_clear(struct np_annot *a)
{
	a->n = 0;
	a->len = 0;
}
/* The packet's analysis notes, when the tracker has any. */
void np_annot_packet(struct np_annot *a, const struct np_packet *p, const struct np_pkt_track *k);
/* One event (a ladder or a conversation's end adds nothing). */
void np_annot_event(struct np_annot *a, const struct np_event *ev);
/* One text of the caller's. */
void np_annot_add(struct np_annot *a, const char *text);

#endif
