/* hot.h - NP_HOT marks the functions every frame runs through (capture, decode, track, the
 * text and JSON printers): GCC puts them together in .text.hot, so that the per-frame path
 * fits the instruction cache instead of being spread over the whole binary (spread, it took 3x
 * the L1i misses of one file per area; see bench/RESULTS.md). Only a placement: no behaviour. */
#ifndef NETPROBE_HOT_H
#define NETPROBE_HOT_H

#if defined(__GNUC__)
#define NP_HOT __attribute__((hot))
#else
#define NP_HOT
#endif

#endif
