/* reasm.h - TCP stream reassembly, per conversation and direction, as a passive observer:
 * delivers each direction's bytes in sequence order exactly once (RFC 9293 s3.4 sequence
 * space, RFC 1982 serial arithmetic across the 2^32 wrap), reports bytes never captured as
 * gaps (never as invented bytes), and flags overlapping copies whose bytes differ, keeping the
 * first copy (Wireshark's and Suricata's "linux"/"first" policy). Pure: no I/O, no clock.
 * Memory is capped per conversation and in total; what a cap cost is counted. Nothing is
 * allocated for a conversation until the caller asks (on its first payload byte). */
#ifndef NETPROBE_REASM_H
#define NETPROBE_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Defaults (netprobe follow --reasm-conv-mem / --reasm-mem / --reasm-history). */
#define NP_REASM_CONV_MEM_DEFAULT  (4u << 20)   /* out-of-order bytes + history, both ways */
#define NP_REASM_TOTAL_MEM_DEFAULT (256u << 20) /* all conversations together */
#define NP_REASM_HISTORY_DEFAULT   (16u << 10)  /* delivered bytes kept per direction to check
						 * a retransmission's copy against */
#define NP_REASM_WAITING_DEFAULT   4096u        /* out-of-order pieces waiting, per direction */

struct np_reasm_opts {
	size_t conv_mem;   /* per conversation */
	size_t total_mem;  /* whole reassembler */
	size_t history;    /* per direction, a power of two (rounded up) */
	size_t waiting;    /* out-of-order pieces waiting per direction (0: the default). Bounds
			    * the work to place one: many tiny segments must not cost O(n^2) */
};

void np_reasm_defaults(struct np_reasm_opts *o);

enum np_rchunk_kind {
	NP_RC_DATA,       /* bytes in sequence order, each delivered once */
	NP_RC_GAP,        /* [off, off+len) was sent but never captured (or given up for a cap) */
	NP_RC_CONFLICT,   /* a later copy of [off, off+len) differed from the first: first kept */
};

enum np_gap_why {
	NP_GAP_MISSING,   /* later bytes came, these never did (loss before the capture point) */
	NP_GAP_CUT,       /* the capture kept only the start of the segment (snaplen) */
	NP_GAP_LIMIT,     /* a memory cap forced delivery past bytes that had not come yet */
};

struct np_rchunk {
	enum np_rchunk_kind kind;
	int dir;              /* 0 client -> server, 1 server -> client */
	uint64_t off;         /* byte offset in that direction (0: the byte after the SYN, or the
			       * first byte seen when the capture started mid-stream) */
	uint32_t len;
	const uint8_t *data;  /* NP_RC_DATA only; valid during the call */
	enum np_gap_why why;  /* NP_RC_GAP only */
};

typedef void (*np_reasm_sink)(void *arg, const struct np_rchunk *ch);

/* One TCP segment as the reassembler needs it. */
struct np_rseg {
	uint32_t seq;
	uint16_t flags;        /* NP_TCP_* (SYN, FIN, RST matter) */
	uint32_t len;          /* payload bytes on the wire (tshark's tcp.len) */
	uint32_t caplen;       /* of which captured, at `data` (<= len) */
	const uint8_t *data;
	uint8_t nsack;         /* the sender's SACK blocks: edges in the PEER's sequence space */
	uint32_t sack[4][2];
};

struct np_reasm_stats {
	uint64_t segments, delivered, retrans_bytes;
	uint64_t gaps, gap_bytes;                 /* all gaps, of every kind */
	uint64_t cut_bytes;                       /* of which NP_GAP_CUT */
	uint64_t forced_gaps, forced_gap_bytes;   /* of which NP_GAP_LIMIT */
	uint64_t waiting_capped;   /* of the forced gaps, those the waiting-pieces cap made */
	uint64_t ooo_steps;        /* waiting pieces walked past to place out-of-order bytes */
	uint64_t late_bytes;       /* came after a cap had given them up as a gap */
	uint64_t conflicts, conflict_bytes;
	uint64_t unverified_bytes; /* overlapped delivered bytes older than the history */
	uint64_t keepalives;       /* seq = next-1 with 0 or 1 byte (RFC 9293 s3.8.4) */
	uint64_t before_start;     /* bytes before the stream's first byte (mid-stream start) */
	uint64_t implausible;      /* segments more than 1 GiB beyond the next byte: dropped */
	uint64_t history_skipped;  /* history not grown because of the caps */
	uint64_t convs;            /* conversation states made */
	size_t mem, mem_peak;      /* bytes held now, and at most */
};

struct np_reasm;
struct np_rconv;

struct np_reasm *np_reasm_new(const struct np_reasm_opts *o);
void np_reasm_free(struct np_reasm *r);
/* A conversation's state (both directions); NULL when the total cap leaves no room or malloc
 * fails (the caller counts it: that conversation's bytes are not reassembled). */
struct np_rconv *np_reasm_conv_new(struct np_reasm *r);
/* Frees it without delivering what is pending (call np_reasm_close first to have it). */
void np_reasm_conv_free(struct np_reasm *r, struct np_rconv *c);
/* One segment sent by side `dir`: delivers to sink what it made contiguous. */
void np_reasm_segment(struct np_reasm *r, struct np_rconv *c, int dir, const struct np_rseg *s,
		      np_reasm_sink sink, void *arg);
/* The end of the conversation (or capture): what is still pending, holes before it as gaps,
 * and a final gap up to the last byte known to have been sent (segment ends, FIN, SACK). */
void np_reasm_close(struct np_reasm *r, struct np_rconv *c, np_reasm_sink sink, void *arg);
/* Bytes delivered so far in direction dir (data, not gaps). */
uint64_t np_reasm_delivered(const struct np_rconv *c, int dir);
/* Bytes still buffered out of order in direction dir. */
uint64_t np_reasm_pending(const struct np_rconv *c, int dir);
void np_reasm_stats(const struct np_reasm *r, struct np_reasm_stats *s);

#endif
