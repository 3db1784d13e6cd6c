/* follow.h - `netprobe follow`: each conversation's dialogue, both directions in capture order,
 * from the TCP reassembler (reasm.h) and, for UDP, the datagrams of one 5-tuple. Fed by the
 * pipeline (the packets with the tracker's view, and its NP_EV_CONV_END), it renders text, hex,
 * raw bytes of one direction, or one JSON line per conversation (src/print/follow*.c). */
#ifndef NETPROBE_FOLLOW_H
#define NETPROBE_FOLLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "netprobe/packet.h"
#include "netprobe/reasm.h"
#include "netprobe/track.h"

enum np_follow_format { NP_FOLLOW_TEXT, NP_FOLLOW_HEX, NP_FOLLOW_RAW, NP_FOLLOW_JSON };

#define NP_FOLLOW_BUFFER_DEFAULT (256u << 20) /* dialogue held until its conversation ends */
#define NP_FOLLOW_MAX_SEL 64
#define NP_FOLLOW_LIST_MAX 100000 /* lines of the listing kept (first ended first) */
/* The bookkeeping outside the caps, per --max-conv slot, at most (follow.c checks it at compile
 * time): the tracker's entry and its hash-table node, follow's TCP slot and the record of a
 * conversation with payload, the UDP table's node, pointer and record, malloc's headers. The
 * tables are allocated at start and their pages touched as conversations fill them, so memory
 * grows up to (this x --max-conv) and then stays: 72 MiB at the default 65,536. */
#define NP_FOLLOW_SLOT_BYTES 1152

/* A conversation named on the command line: "N" (TCP, the tracker's number) or "uN" (UDP). */
struct np_follow_sel {
	bool udp;
	uint32_t conv;
};

struct np_follow_opts {
	enum np_follow_format format;
	int dir;                /* --format raw: 0 client -> server, 1 server -> client */
	bool list_only;         /* gather the listing (endpoints, bytes, state), print nothing */
	bool stream;            /* print each piece as it comes (live), not per conversation */
	bool color;
	uint32_t max_conv;      /* the tracker's: its slots index the TCP conversations */
	uint32_t max_udp;       /* UDP conversations at once */
	size_t buffer_mem;      /* dialogue held for printing, all conversations together */
	struct np_reasm_opts reasm;
	unsigned nsel;          /* 0: every conversation */
	struct np_follow_sel sel[NP_FOLLOW_MAX_SEL];
	uint8_t hash_key[16];   /* SipHash key of the UDP table (track.h np_track_seed) */
};

struct np_follow_stats {
	uint64_t tcp_convs, udp_convs;   /* followed (selected, seen) */
	uint64_t no_state;        /* conversations whose bytes the total cap left unreassembled */
	uint64_t udp_full;        /* UDP datagrams of new flows refused: the table was full */
	uint64_t parts;           /* conversations printed in parts (--buffer-mem reached) */
	uint64_t gap_bytes[2];    /* raw: of the chosen direction, not in the output */
	struct np_reasm_stats reasm;
};

struct np_follow;

struct np_follow *np_follow_new(const struct np_follow_opts *o, FILE *out);
void np_follow_free(struct np_follow *f);
/* One packet that passed the filters, with the tracker's view of it (info->tcp). */
void np_follow_packet(struct np_follow *f, const struct np_packet *p,
		      const struct np_pkt_track *info);
/* The tracker's NP_EV_CONV_END: a conversation leaves the table (or the capture ended). */
void np_follow_end(struct np_follow *f, const struct np_event *ev);
/* End of input: the UDP conversations, in first-seen order, and the listing (list_only). */
void np_follow_finish(struct np_follow *f);
void np_follow_stats(const struct np_follow *f, struct np_follow_stats *s);

#endif
