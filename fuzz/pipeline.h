/* pipeline.h - the per-frame path of `netprobe watch` for the fuzz harnesses: decode, match,
 * track (conversations and SYN floods) and every printer, writing to a sink that discards. */
#ifndef NETPROBE_FUZZ_PIPELINE_H
#define NETPROBE_FUZZ_PIPELINE_H

#include <stdint.h>

#include "netprobe/match.h"
#include "netprobe/packet.h"
#include "netprobe/print.h"
#include "netprobe/track.h"

/* Option bits, taken from the input so the fuzzer explores them too. */
#define FZ_OPT_COLOR     0x01 /* colored text */
#define FZ_OPT_ABSOLUTE  0x02 /* -S */
#define FZ_OPT_EVNUM     0x04 /* event lines with packet number and time (--events) */
#define FZ_OPT_MATCH     0x08 /* --port / --host from the first frame's addresses */
#define FZ_OPT_TS_SHIFT  4    /* bits 4-6: time column format, modulo the formats */

struct fz_pipeline {
	struct np_print_ctx pc;
	struct np_tracker *trk;
	struct np_match match;
	bool match_set;
	bool match_wanted;
	bool hold;
	unsigned nheld;
	struct np_event held[32];
};

/* A fresh tracker with small tables (so eviction and expiry are reached) for one input. */
int fz_pipeline_begin(struct fz_pipeline *z, uint8_t opts);
/* One frame through decode, match, track and every printer. */
void fz_pipeline_frame(struct fz_pipeline *z, const struct np_frame *f);
/* End of capture: pending events, both summaries; frees the tracker. */
void fz_pipeline_end(struct fz_pipeline *z, uint64_t frames);

#endif
