/* lru.h - a fixed-capacity hash table with LRU lists, the one bounded store behind the
 * conversation table and the SYN-flood target table. Slots are indices into caller-owned arrays;
 * nothing is allocated after np_lru_init. */
#ifndef NETPROBE_LRU_H
#define NETPROBE_LRU_H

#include <stdbool.h>
#include <stdint.h>

#define NP_LRU_KEY 48
#define NP_LRU_LISTS 3
#define NP_LRU_NONE UINT32_MAX
/* The longest hash chain a table keeps: the owner makes room in a full chain before inserting
 * into it (np_lru_chain_full). Keys are hashed with a secret key (siphash.h) into at least twice
 * as many buckets as slots, so a chain's length is about Poisson with a mean of at most 1/2: it
 * reaches 16 with probability ~4e-19 per insertion, never in practice, and which entry makes way
 * never depends on the key. Should the key ever be learnt, a lookup still compares at most 16
 * keys, not the whole table (hash flooding). Not resizing: the table's memory is fixed. */
#define NP_LRU_MAX_CHAIN 16

struct np_lru_node {
	uint32_t hnext;        /* next in the hash chain */
	uint32_t prev, next;   /* neighbours in its LRU list (prev: more recent) */
	uint8_t list;          /* which list, or NP_LRU_LISTS when free */
	uint64_t hash;
	uint8_t key[NP_LRU_KEY];
};

struct np_lru_list {
	uint32_t head, tail;   /* most and least recently used */
	uint32_t count;
};

struct np_lru {
	uint32_t cap;
	uint32_t mask;         /* buckets - 1 */
	uint32_t *buckets;
	struct np_lru_node *nodes;
	uint32_t free_head;
	uint32_t count;
	struct np_lru_list lists[NP_LRU_LISTS];
};

int np_lru_init(struct np_lru *l, uint32_t cap) __attribute__((warn_unused_result));
void np_lru_free(struct np_lru *l);

/* Slot holding `key`, or NP_LRU_NONE. */
uint32_t np_lru_find(const struct np_lru *l, const uint8_t *key, uint64_t hash);
/* Take a free slot for `key` at the head of `list`; NP_LRU_NONE when full (evict first). */
uint32_t np_lru_insert(struct np_lru *l, const uint8_t *key, uint64_t hash, uint8_t list);
void np_lru_remove(struct np_lru *l, uint32_t slot);
/* Make `slot` the most recent of `list` (moving it there from its list). */
void np_lru_touch(struct np_lru *l, uint32_t slot, uint8_t list);

/* Does the chain `hash` falls into hold NP_LRU_MAX_CHAIN keys (insert only after a removal)? */
bool np_lru_chain_full(const struct np_lru *l, uint64_t hash);
/* The slots of that chain, most recently inserted first: the first, and the one after `slot`;
 * NP_LRU_NONE at the end. */
uint32_t np_lru_chain_first(const struct np_lru *l, uint64_t hash);
uint32_t np_lru_chain_next(const struct np_lru *l, uint32_t slot);

/* 64-bit mixer (splitmix64's finaliser) and a seeded hash of a byte string. Not a keyed hash:
 * with the seed, or without it (the mixer is invertible), inputs that collide can be computed, so
 * it must not index a table whose keys come from packets (those use np_siphash24, siphash.h). */
uint64_t np_mix64(uint64_t x);
uint64_t np_hash_bytes(const uint8_t *b, size_t n, uint64_t seed);

#endif
