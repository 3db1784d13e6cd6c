/* siphash.h - SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012), the
 * keyed hash of the tables whose keys come from packets (conversations, flood targets). */
#ifndef NETPROBE_SIPHASH_H
#define NETPROBE_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define NP_SIPHASH_KEY 16

/* The 64-bit SipHash-2-4 of `n` bytes under a 128-bit key (the paper's k0, k1: key bytes 0-7
 * and 8-15, little-endian). */
uint64_t np_siphash24(const uint8_t key[NP_SIPHASH_KEY], const uint8_t *m, size_t n);

#endif
