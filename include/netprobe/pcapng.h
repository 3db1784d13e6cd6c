/* pcapng.h - netprobe's pcapng reader and writer (draft-ietf-opsawg-pcapng). libpcap reads
 * pcapng but hides interface names, packet comments and directions, refuses files whose
 * interfaces differ in link type or snapshot length, and cannot write pcapng at all
 * (libpcap#1321): both sides are small and written here. */
#ifndef NETPROBE_PCAPNG_H
#define NETPROBE_PCAPNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "netprobe/capture.h"

/* Block types */
#define NP_PCAPNG_SHB 0x0A0D0D0Au /* Section Header */
#define NP_PCAPNG_IDB 1u          /* Interface Description */
#define NP_PCAPNG_OPB 2u          /* Packet (obsolete) */
#define NP_PCAPNG_SPB 3u          /* Simple Packet */
#define NP_PCAPNG_ISB 5u          /* Interface Statistics */
#define NP_PCAPNG_EPB 6u          /* Enhanced Packet */
/* Options */
#define NP_PCAPNG_OPT_COMMENT 1
#define NP_PCAPNG_SHB_USERAPPL 4
#define NP_PCAPNG_IF_NAME 2
#define NP_PCAPNG_IF_TSRESOL 9
#define NP_PCAPNG_IF_TSOFFSET 14
#define NP_PCAPNG_EPB_FLAGS 2
#define NP_PCAPNG_ISB_STARTTIME 2
#define NP_PCAPNG_ISB_ENDTIME 3
#define NP_PCAPNG_ISB_IFRECV 4
#define NP_PCAPNG_ISB_IFDROP 5
#define NP_PCAPNG_ISB_OSDROP 7
#define NP_PCAPNG_ISB_USRDELIV 8

struct np_zread;

/* A file's LINKTYPE_* as the DLT_* libpcap and the decoders use, and back: the same number
 * but for a few old ones (LINKTYPE_RAW is 101, DLT_RAW 12 on Linux). */
int np_pcapng_dlt(uint16_t linktype);
uint16_t np_pcapng_linktype(int dlt);

/* A pcapng capture from `fp`, whose first 4 bytes (the Section Header Block's type) were read
 * already. On success the source owns fp; on failure it is still the caller's. Returns 0, or
 * -1 with err filled. */
int np_pcapng_open(struct np_source **out, FILE *fp, struct np_zread *z, char *err,
		   size_t errlen) __attribute__((warn_unused_result));
/* Interface i of a pcapng source as known so far (all those before its first packet once it is
 * open), or NULL (past the end, or not a pcapng source). Valid until the next frame is read. */
const struct np_frame_if *np_pcapng_iface(struct np_source *s, unsigned i);
/* The source reads a pipe or FIFO, descriptor fd: np_source_idle polls it. */
void np_pcapng_stream_fd(struct np_source *s, int fd);

/* --- the writer --- */
struct np_pcapng_w;

/* Begin a pcapng file on fp (its Section Header Block, shb_userappl "netprobe"). The writer
 * owns fp from then on. NULL when out of memory (fp still the caller's). */
struct np_pcapng_w *np_pcapng_w_open(FILE *fp);
/* The interface id for frames of this link type, snapshot length, name (or NULL) and key (the
 * source's own number for it: an SLL2 index, a pcapng interface id): its Interface Description
 * Block is written the first time it is asked for. -1 when 65536 interfaces are in use. */
int64_t np_pcapng_w_iface(struct np_pcapng_w *w, int dlt, uint32_t snaplen, const char *name,
			  uint32_t key);
/* Flags of an Enhanced Packet Block (epb_flags): direction and reception type. */
#define NP_EPB_IN 1u
#define NP_EPB_OUT 2u
#define NP_EPB_UNICAST (1u << 2)
#define NP_EPB_MULTICAST (2u << 2)
#define NP_EPB_BROADCAST (3u << 2)
#define NP_EPB_PROMISC (4u << 2)
/* One Enhanced Packet Block with its comments (`n` strings, each ended by '\0', one after the
 * other). Returns 0, or -1 when the stream has failed (ferror). */
int np_pcapng_w_packet(struct np_pcapng_w *w, uint32_t ifid, const struct np_frame *f,
		       uint32_t flags, const char *comments, unsigned n);
/* The end of the capture on interface ifid: an Interface Statistics Block. */
struct np_pcapng_isb {
	int64_t start_us, end_us;   /* first and last packet's time; -1: none */
	bool have_kernel;
	uint64_t recv, osdrop, ifdrop;
	uint64_t delivered;         /* frames written on this interface */
	const char *comment;        /* or NULL */
};
int np_pcapng_w_stats(struct np_pcapng_w *w, uint32_t ifid, const struct np_pcapng_isb *st);
/* Interfaces written so far, and each one's packets. */
unsigned np_pcapng_w_nifaces(const struct np_pcapng_w *w);
uint64_t np_pcapng_w_packets(const struct np_pcapng_w *w, uint32_t ifid);
FILE *np_pcapng_w_file(const struct np_pcapng_w *w);
/* Bytes written (handed to the stream) so far. */
uint64_t np_pcapng_w_bytes(const struct np_pcapng_w *w);
/* fclose the stream and free the writer. */
void np_pcapng_w_close(struct np_pcapng_w *w);

#endif
