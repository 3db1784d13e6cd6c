/* lru.c - fixed-capacity chained hash table with LRU lists (see lru.h). */
#include <stdlib.h>
#include <string.h>

#include "lru.h"
#include "netprobe/hot.h"

uint64_t np_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

uint64_t np_hash_bytes(const uint8_t *b, size_t n, uint64_t seed)
{
	uint64_t h = seed ^ 0x9e3779b97f4a7c15ULL;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, b + i, 8);
		h = np_mix64(h ^ w);
	}
	uint64_t tail = 0;
	for (size_t k = 0; i < n; i++, k++)
		tail |= (uint64_t)b[i] << (8 * k);
	return np_mix64(h ^ tail ^ n);
}

int np_lru_init(struct np_lru *l, uint32_t cap)
{
	memset(l, 0, sizeof *l);
	if (cap == 0 || cap > (1u << 28))
		return -1;
	uint32_t nb = 1;
	while (nb < cap * 2u)
		nb <<= 1;
	l->buckets = malloc((size_t)nb * sizeof *l->buckets);
	l->nodes = calloc(cap, sizeof *l->nodes);
	if (!l->buckets || !l->nodes) {
		np_lru_free(l);
		return -1;
	}
	for (uint32_t i = 0; i < nb; i++)
		l->buckets[i] = NP_LRU_NONE;
	l->cap = cap;
	l->mask = nb - 1;
	for (uint32_t i = 0; i < cap; i++) {
		l->nodes[i].hnext = i + 1 < cap ? i + 1 : NP_LRU_NONE;
		l->nodes[i].list = NP_LRU_LISTS;
	}
	l->free_head = 0;
	for (int i = 0; i < NP_LRU_LISTS; i++)
		l->lists[i] = (struct np_lru_list){ NP_LRU_NONE, NP_LRU_NONE, 0 };
	return 0;
}

void np_lru_free(struct np_lru *l)
{
	free(l->buckets);
	free(l->nodes);
	l->buckets = NULL;
	l->nodes = NULL;
}

NP_HOT uint32_t np_lru_find(const struct np_lru *l, const uint8_t *key, uint64_t hash)
{
	for (uint32_t s = l->buckets[hash & l->mask]; s != NP_LRU_NONE; s = l->nodes[s].hnext)
		if (l->nodes[s].hash == hash && memcmp(l->nodes[s].key, key, NP_LRU_KEY) == 0)
			return s;
	return NP_LRU_NONE;
}

static void unlink_list(struct np_lru *l, uint32_t s)
{
	struct np_lru_node *n = &l->nodes[s];
	struct np_lru_list *li = &l->lists[n->list];
	if (n->prev != NP_LRU_NONE)
		l->nodes[n->prev].next = n->next;
	else
		li->head = n->next;
	if (n->next != NP_LRU_NONE)
		l->nodes[n->next].prev = n->prev;
	else
		li->tail = n->prev;
	li->count--;
}

static void push_head(struct np_lru *l, uint32_t s, uint8_t list)
{
	struct np_lru_node *n = &l->nodes[s];
	struct np_lru_list *li = &l->lists[list];
	n->list = list;
	n->prev = NP_LRU_NONE;
	n->next = li->head;
	if (li->head != NP_LRU_NONE)
		l->nodes[li->head].prev = s;
	li->head = s;
	if (li->tail == NP_LRU_NONE)
		li->tail = s;
	li->count++;
}

uint32_t np_lru_insert(struct np_lru *l, const uint8_t *key, uint64_t hash, uint8_t list)
{
	uint32_t s = l->free_head;
	if (s == NP_LRU_NONE)
		return NP_LRU_NONE;
	struct np_lru_node *n = &l->nodes[s];
	l->free_head = n->hnext;
	memcpy(n->key, key, NP_LRU_KEY);
	n->hash = hash;
	uint32_t *b = &l->buckets[hash & l->mask];
	n->hnext = *b;
	*b = s;
	push_head(l, s, list);
	l->count++;
	return s;
}

void np_lru_remove(struct np_lru *l, uint32_t s)
{
	struct np_lru_node *n = &l->nodes[s];
	uint32_t *p = &l->buckets[n->hash & l->mask];
	while (*p != s)
		p = &l->nodes[*p].hnext;
	*p = n->hnext;
	unlink_list(l, s);
	n->list = NP_LRU_LISTS;
	n->hnext = l->free_head;
	l->free_head = s;
	l->count--;
}

NP_HOT void np_lru_touch(struct np_lru *l, uint32_t s, uint8_t list)
{
	unlink_list(l, s);
	push_head(l, s, list);
}

bool np_lru_chain_full(const struct np_lru *l, uint64_t hash)
{
	uint32_t n = 0;
	for (uint32_t s = l->buckets[hash & l->mask]; s != NP_LRU_NONE && n < NP_LRU_MAX_CHAIN; s = l->nodes[s].hnext)
		n++;
	return n >= NP_LRU_MAX_CHAIN;
}

uint32_t np_lru_chain_first(const struct np_lru *l, uint64_t hash)
{
	return l->buckets[hash & l->mask];
}

uint32_t np_lru_chain_next(const struct np_lru *l, uint32_t slot)
{
	return l->nodes[slot].hnext;
}
