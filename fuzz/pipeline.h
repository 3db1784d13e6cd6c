/* pipeline.h - the fuzz harnesses' way into the library's frame pipeline (src/pipeline/): the
 * same decode, match, track and event ordering as `netprobe watch`, with the library's printers
 * all at once (a tee of the packet list with -v and -x, JSON and the events view), writing to
 * a sink that discards. */
#ifndef NETPROBE_FUZZ_PIPELINE_H
#define NETPROBE_FUZZ_PIPELINE_H

#include <stdint.h>

#include "netprobe/match.h"
#include "netprobe/packet.h"
#include "netprobe/pipeline.h"
#include "netprobe/printer.h"
#include "netprobe/track.h"

/* Option bits, taken from the input so the fuzzer explores them too. */
#define FZ_OPT_COLOR     0x01 /* colored text */
#define FZ_OPT_ABSOLUTE  0x02 /* -S */
#define FZ_OPT_STATES    0x04 /* --states: state changes between the packet lines too */
#define FZ_OPT_MATCH     0x08 /* --port / --host from the first frame's addresses */
#define FZ_OPT_TS_SHIFT  4    /* bits 4-6: time column format, modulo the formats */
#define FZ_OPT_PAYLOAD_CUT 0x80 /* --payload-max 5: -A, -X and --payload cut their payloads */

struct fz_pipeline {
	struct np_printer tee;  /* first: the tee's ops find the rest from it */
	struct np_printer line, json, events, ecs; /* ecs: --json=ecs (events, conversation records) */
	struct np_tracker *trk;
	struct np_ladder_rec *ladder;
	struct np_follow *follow;  /* netprobe follow's collector, with tiny caps */
	struct np_apppair *pair;   /* request/response pairing, 4 entries: eviction is reached */
	struct np_apppdu *pdu;     /* messages spanning segments */
	struct np_udpflows *udp;   /* UDP conversations for ECS, 4 at once: eviction is reached */
	struct np_match match;
	bool match_set;
	bool match_wanted;
	struct np_pipeline pl;
};

/* A fresh tracker with small tables (so eviction and expiry are reached) for one input. */
int fz_pipeline_begin(struct fz_pipeline *z, uint8_t opts);
/* One frame through the library pipeline (np_pipeline_frame). */
void fz_pipeline_frame(struct fz_pipeline *z, const struct np_frame *f);
/* End of capture: pending events, both summaries; frees the tracker. */
void fz_pipeline_end(struct fz_pipeline *z, uint64_t frames);

#endif
