/* test_lru.c - the fixed-capacity hash table with LRU lists behind the conversation and SYN-flood
 * target tables (src/track/lru.c): slots, hash chains, lists, and 100k random operations checked
 * against a plain reference model. */
#include "testutil.h"
#include "track/lru.h"

/* A 40-byte key that differs from every other id's in its first bytes and in its last. */
static void make_key(uint32_t id, uint8_t key[NP_LRU_KEY])
{
	memset(key, 0x5a, NP_LRU_KEY);
	key[0] = (uint8_t)(id >> 24);
	key[1] = (uint8_t)(id >> 16);
	key[2] = (uint8_t)(id >> 8);
	key[3] = (uint8_t)id;
	key[NP_LRU_KEY - 1] = (uint8_t)(id * 7);
}

static uint64_t key_hash(uint32_t id)
{
	uint8_t k[NP_LRU_KEY];
	make_key(id, k);
	return np_hash_bytes(k, sizeof k, 42);
}

static uint32_t ins(struct np_lru *l, uint32_t id, uint64_t h, uint8_t list)
{
	uint8_t k[NP_LRU_KEY];
	make_key(id, k);
	return np_lru_insert(l, k, h, list);
}

static uint32_t find(const struct np_lru *l, uint32_t id, uint64_t h)
{
	uint8_t k[NP_LRU_KEY];
	make_key(id, k);
	return np_lru_find(l, k, h);
}

/* The slots of `list`, most recent first, checked in both directions. */
static uint32_t list_slots(const struct np_lru *l, uint8_t list, uint32_t *out, uint32_t max)
{
	const struct np_lru_list *li = &l->lists[list];
	uint32_t n = 0, prev = NP_LRU_NONE;
	for (uint32_t s = li->head; s != NP_LRU_NONE; s = l->nodes[s].next) {
		assert_true(n < max);
		assert_int_equal(l->nodes[s].list, list);
		assert_int_equal(l->nodes[s].prev, prev);
		out[n++] = s;
		prev = s;
	}
	assert_int_equal(li->tail, prev);
	assert_int_equal(li->count, n);
	return n;
}

static void test_init_limits(void **state)
{
	(void)state;
	struct np_lru l;
	assert_int_equal(np_lru_init(&l, 0), -1);
	assert_null(l.buckets);
	assert_null(l.nodes);
	assert_int_equal(np_lru_init(&l, (1u << 28) + 1), -1);
	assert_int_equal(np_lru_init(&l, 1), 0);
	assert_int_equal(l.cap, 1);
	assert_int_equal(l.count, 0);
	/* At least two buckets per slot, a power of two. */
	assert_true(l.mask + 1 >= 2);
	assert_int_equal((l.mask + 1) & l.mask, 0);
	for (int i = 0; i < NP_LRU_LISTS; i++) {
		assert_int_equal(l.lists[i].head, NP_LRU_NONE);
		assert_int_equal(l.lists[i].tail, NP_LRU_NONE);
		assert_int_equal(l.lists[i].count, 0);
	}
	np_lru_free(&l);
	assert_null(l.buckets);
	np_lru_free(&l); /* twice is harmless */
}

static void test_insert_find_remove(void **state)
{
	(void)state;
	struct np_lru l;
	assert_int_equal(np_lru_init(&l, 8), 0);
	uint32_t a = ins(&l, 1, key_hash(1), 0);
	uint32_t b = ins(&l, 2, key_hash(2), 1);
	assert_int_not_equal(a, NP_LRU_NONE);
	assert_int_not_equal(b, NP_LRU_NONE);
	assert_int_not_equal(a, b);
	assert_int_equal(l.count, 2);
	assert_int_equal(find(&l, 1, key_hash(1)), a);
	assert_int_equal(find(&l, 2, key_hash(2)), b);
	assert_int_equal(find(&l, 3, key_hash(3)), NP_LRU_NONE);
	/* The key is compared, not only the hash: id 3 under id 1's hash is not found. */
	assert_int_equal(find(&l, 3, key_hash(1)), NP_LRU_NONE);
	/* ...and the right key under a wrong hash is not found either (its bucket differs). */
	assert_int_equal(find(&l, 1, key_hash(1) ^ 1), NP_LRU_NONE);
	uint8_t k[NP_LRU_KEY];
	make_key(1, k);
	assert_memory_equal(l.nodes[a].key, k, NP_LRU_KEY);
	assert_int_equal(l.nodes[a].list, 0);
	assert_int_equal(l.nodes[b].list, 1);

	np_lru_remove(&l, a);
	assert_int_equal(l.count, 1);
	assert_int_equal(l.nodes[a].list, NP_LRU_LISTS);
	assert_int_equal(find(&l, 1, key_hash(1)), NP_LRU_NONE);
	assert_int_equal(find(&l, 2, key_hash(2)), b);
	assert_int_equal(l.lists[0].count, 0);
	assert_int_equal(l.lists[0].head, NP_LRU_NONE);
	assert_int_equal(l.lists[0].tail, NP_LRU_NONE);
	/* A removed key can come back. */
	uint32_t a2 = ins(&l, 1, key_hash(1), 2);
	assert_int_not_equal(a2, NP_LRU_NONE);
	assert_int_equal(find(&l, 1, key_hash(1)), a2);
	assert_int_equal(l.lists[2].head, a2);
	np_lru_free(&l);
}

static void test_capacity(void **state)
{
	(void)state;
	struct np_lru l;
	assert_int_equal(np_lru_init(&l, 3), 0);
	uint32_t s[3];
	for (uint32_t i = 0; i < 3; i++) {
		s[i] = ins(&l, i, key_hash(i), (uint8_t)(i % NP_LRU_LISTS));
		assert_true(s[i] < 3);
	}
	assert_int_equal(l.count, 3);
	/* Full: no slot, and nothing changed. */
	assert_int_equal(ins(&l, 99, key_hash(99), 0), NP_LRU_NONE);
	assert_int_equal(l.count, 3);
	assert_int_equal(find(&l, 99, key_hash(99)), NP_LRU_NONE);
	for (uint32_t i = 0; i < 3; i++)
		assert_int_equal(find(&l, i, key_hash(i)), s[i]);
	/* Removing one frees exactly its slot. */
	np_lru_remove(&l, s[1]);
	assert_int_equal(ins(&l, 99, key_hash(99), 0), s[1]);
	assert_int_equal(ins(&l, 100, key_hash(100), 0), NP_LRU_NONE);
	np_lru_free(&l);
}

static void test_lists_and_touch(void **state)
{
	(void)state;
	struct np_lru l;
	assert_int_equal(np_lru_init(&l, 8), 0);
	uint32_t a = ins(&l, 10, key_hash(10), 0);
	uint32_t b = ins(&l, 11, key_hash(11), 0);
	uint32_t c = ins(&l, 12, key_hash(12), 0);
	uint32_t got[8];
	/* Newest first. */
	assert_int_equal(list_slots(&l, 0, got, 8), 3);
	assert_int_equal(got[0], c);
	assert_int_equal(got[1], b);
	assert_int_equal(got[2], a);

	/* Touching the tail within its list makes it the head. */
	np_lru_touch(&l, a, 0);
	assert_int_equal(list_slots(&l, 0, got, 8), 3);
	assert_int_equal(got[0], a);
	assert_int_equal(got[1], c);
	assert_int_equal(got[2], b);
	/* Touching the head again changes nothing. */
	np_lru_touch(&l, a, 0);
	assert_int_equal(list_slots(&l, 0, got, 8), 3);
	assert_int_equal(got[0], a);

	/* Moving the middle one to another list. */
	np_lru_touch(&l, c, 1);
	assert_int_equal(list_slots(&l, 0, got, 8), 2);
	assert_int_equal(got[0], a);
	assert_int_equal(got[1], b);
	assert_int_equal(list_slots(&l, 1, got, 8), 1);
	assert_int_equal(got[0], c);
	/* Moving the last one of a list empties it. */
	np_lru_touch(&l, c, 2);
	assert_int_equal(list_slots(&l, 1, got, 8), 0);
	assert_int_equal(list_slots(&l, 2, got, 8), 1);
	np_lru_touch(&l, b, 2);
	assert_int_equal(list_slots(&l, 2, got, 8), 2);
	assert_int_equal(got[0], b);
	assert_int_equal(got[1], c);
	/* A move keeps the key findable: lists and hash chains are independent. */
	assert_int_equal(find(&l, 11, key_hash(11)), b);
	assert_int_equal(find(&l, 12, key_hash(12)), c);
	assert_int_equal(l.count, 3);

	/* Removing the head, then the tail, of list 2. */
	np_lru_remove(&l, b);
	assert_int_equal(list_slots(&l, 2, got, 8), 1);
	assert_int_equal(got[0], c);
	np_lru_remove(&l, c);
	assert_int_equal(list_slots(&l, 2, got, 8), 0);
	assert_int_equal(list_slots(&l, 0, got, 8), 1);
	assert_int_equal(got[0], a);
	np_lru_free(&l);
}

/* Keys that share a hash share a chain: each is still found, and a removal from the head, the
 * middle or the end of the chain leaves the others reachable. */
static void test_colliding_chain(void **state)
{
	(void)state;
	struct np_lru l;
	assert_int_equal(np_lru_init(&l, 8), 0);
	const uint64_t h = 0x1234;
	uint32_t s[6];
	for (uint32_t i = 0; i < 6; i++)
		s[i] = ins(&l, 100 + i, h, 0);
	for (uint32_t i = 0; i < 6; i++)
		assert_int_equal(find(&l, 100 + i, h), s[i]);
	np_lru_remove(&l, s[5]); /* chain head: inserted last */
	np_lru_remove(&l, s[2]); /* middle */
	np_lru_remove(&l, s[0]); /* end */
	for (uint32_t i = 0; i < 6; i++)
		assert_int_equal(find(&l, 100 + i, h), (i == 0 || i == 2 || i == 5) ? NP_LRU_NONE : s[i]);
	/* A different hash in the same bucket (same low bits) is a different chain member. */
	uint64_t h2 = h + ((uint64_t)l.mask + 1);
	uint32_t x = ins(&l, 100, h2, 1);
	assert_int_equal(find(&l, 100, h2), x);
	assert_int_equal(find(&l, 100, h), NP_LRU_NONE);
	np_lru_free(&l);
}

/* np_lru_chain_full says when a chain holds NP_LRU_MAX_CHAIN keys (a bucket, not a hash: keys
 * with the same low bits count together), and the chain walk lists its slots newest first. */
static void test_chain_full(void **state)
{
	(void)state;
	struct np_lru l;
	assert_int_equal(np_lru_init(&l, 64), 0);
	const uint64_t h = 0x77;
	uint32_t s[NP_LRU_MAX_CHAIN];
	for (uint32_t i = 0; i < NP_LRU_MAX_CHAIN; i++) {
		assert_false(np_lru_chain_full(&l, h));
		/* every other key: another hash, the same bucket */
		s[i] = ins(&l, 200 + i, i % 2 ? h : h + ((uint64_t)l.mask + 1) * i, 0);
	}
	assert_true(np_lru_chain_full(&l, h));
	assert_false(np_lru_chain_full(&l, h + 1)); /* the next bucket is empty */
	uint32_t n = 0;
	for (uint32_t x = np_lru_chain_first(&l, h); x != NP_LRU_NONE; x = np_lru_chain_next(&l, x), n++)
		assert_int_equal(x, s[NP_LRU_MAX_CHAIN - 1 - n]);
	assert_int_equal(n, NP_LRU_MAX_CHAIN);
	np_lru_remove(&l, s[3]);
	assert_false(np_lru_chain_full(&l, h));
	assert_int_equal(np_lru_chain_first(&l, h + 1), NP_LRU_NONE);
	np_lru_free(&l);
}

/* ---- random operations against a reference model ---------------------------------------- */

#define UNIVERSE 256
#define CAP 64

struct model {
	uint32_t slot[UNIVERSE];         /* NP_LRU_NONE when absent */
	uint8_t list[UNIVERSE];
	uint32_t order[NP_LRU_LISTS][CAP]; /* ids, most recent first */
	uint32_t n[NP_LRU_LISTS];
	uint32_t count;
};

static uint64_t rng_state;

static uint32_t rnd(uint32_t bound)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)((rng_state >> 33) % bound);
}

static void model_unlink(struct model *m, uint32_t id)
{
	uint8_t li = m->list[id];
	for (uint32_t i = 0; i < m->n[li]; i++) {
		if (m->order[li][i] != id)
			continue;
		memmove(&m->order[li][i], &m->order[li][i + 1], (m->n[li] - i - 1) * sizeof(uint32_t));
		m->n[li]--;
		return;
	}
	fail_msg("model: id %u not in list %u", id, li);
}

static void model_push(struct model *m, uint32_t id, uint8_t li)
{
	memmove(&m->order[li][1], &m->order[li][0], m->n[li] * sizeof(uint32_t));
	m->order[li][0] = id;
	m->n[li]++;
	m->list[id] = li;
}

/* Everything the table says agrees with the model, and its chains and free list are whole. */
static void check_against_model(const struct np_lru *l, const struct model *m, uint64_t (*hf)(uint32_t))
{
	assert_int_equal(l->count, m->count);
	uint32_t got[CAP];
	for (uint8_t li = 0; li < NP_LRU_LISTS; li++) {
		uint32_t n = list_slots(l, li, got, CAP);
		assert_int_equal(n, m->n[li]);
		for (uint32_t i = 0; i < n; i++)
			assert_int_equal(got[i], m->slot[m->order[li][i]]);
	}
	for (uint32_t id = 0; id < UNIVERSE; id++)
		assert_int_equal(find(l, id, hf(id)), m->slot[id]);
	/* Every chain holds only nodes of its bucket; together they hold each used node once. */
	uint32_t in_chains = 0;
	for (uint32_t b = 0; b <= l->mask; b++) {
		for (uint32_t s = l->buckets[b]; s != NP_LRU_NONE; s = l->nodes[s].hnext) {
			assert_true(s < l->cap);
			assert_int_equal(l->nodes[s].hash & l->mask, b);
			assert_int_not_equal(l->nodes[s].list, NP_LRU_LISTS);
			assert_true(++in_chains <= l->count);
		}
	}
	assert_int_equal(in_chains, l->count);
	uint32_t nfree = 0;
	for (uint32_t s = l->free_head; s != NP_LRU_NONE; s = l->nodes[s].hnext) {
		assert_true(s < l->cap);
		assert_int_equal(l->nodes[s].list, NP_LRU_LISTS);
		assert_true(++nfree <= l->cap);
	}
	assert_int_equal(nfree, l->cap - l->count);
}

static uint64_t good_hash(uint32_t id)
{
	return key_hash(id);
}

/* Five hash values for 256 keys: chains dozens long. */
static uint64_t bad_hash(uint32_t id)
{
	return (uint64_t)(id % 5) * 0x100000001ULL;
}

static void random_ops(uint64_t (*hf)(uint32_t), uint64_t seed, unsigned ops)
{
	struct np_lru l;
	assert_int_equal(np_lru_init(&l, CAP), 0);
	struct model m;
	memset(&m, 0, sizeof m);
	for (uint32_t i = 0; i < UNIVERSE; i++)
		m.slot[i] = NP_LRU_NONE;
	rng_state = seed;
	unsigned inserts = 0, fulls = 0, removes = 0, touches = 0;
	for (unsigned op = 0; op < ops; op++) {
		uint32_t id = rnd(UNIVERSE);
		uint8_t li = (uint8_t)rnd(NP_LRU_LISTS);
		bool present = m.slot[id] != NP_LRU_NONE;
		/* Lean towards inserting while the table is below half full so it also runs full. */
		uint32_t r = rnd(10);
		if (!present && (r < 6 || m.count < CAP / 2)) {
			uint32_t s = ins(&l, id, hf(id), li);
			if (m.count == CAP) {
				assert_int_equal(s, NP_LRU_NONE);
				fulls++;
			} else {
				assert_int_not_equal(s, NP_LRU_NONE);
				assert_true(s < CAP);
				m.slot[id] = s;
				model_push(&m, id, li);
				m.count++;
				inserts++;
			}
		} else if (present && r < 4) {
			np_lru_remove(&l, m.slot[id]);
			model_unlink(&m, id);
			m.slot[id] = NP_LRU_NONE;
			m.count--;
			removes++;
		} else if (present) {
			np_lru_touch(&l, m.slot[id], li);
			model_unlink(&m, id);
			model_push(&m, id, li);
			touches++;
		}
		check_against_model(&l, &m, hf);
	}
	/* The mix really exercised every operation, the full table included. */
	assert_true(inserts > ops / 10);
	assert_true(removes > ops / 20);
	assert_true(touches > ops / 20);
	assert_true(fulls > 0);
	np_lru_free(&l);
}

static void test_random_ops_good_hash(void **state)
{
	(void)state;
	random_ops(good_hash, 1, 60000);
}

static void test_random_ops_colliding_hash(void **state)
{
	(void)state;
	random_ops(bad_hash, 2, 40000);
}

/* ---- hashing ----------------------------------------------------------------------------- */

static void test_hash(void **state)
{
	(void)state;
	/* splitmix64's finaliser maps 0 to 0 and spreads neighbouring inputs apart. */
	assert_int_equal(np_mix64(0), 0);
	assert_int_not_equal(np_mix64(1), np_mix64(2));
	const uint8_t b[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
	uint64_t h = np_hash_bytes(b, sizeof b, 7);
	assert_int_equal(np_hash_bytes(b, sizeof b, 7), h);     /* deterministic */
	assert_int_not_equal(np_hash_bytes(b, sizeof b, 8), h); /* seeded */
	/* Every byte counts, the tail after the last full 8-byte word too. */
	for (size_t i = 0; i < sizeof b; i++) {
		uint8_t c[sizeof b];
		memcpy(c, b, sizeof b);
		c[i] ^= 0x80;
		assert_int_not_equal(np_hash_bytes(c, sizeof c, 7), h);
	}
	/* The length counts: a trailing zero byte is not the same string. */
	const uint8_t z[] = { 'a', 0 };
	assert_int_not_equal(np_hash_bytes(z, 1, 7), np_hash_bytes(z, 2, 7));
	assert_int_not_equal(np_hash_bytes(z, 0, 7), np_hash_bytes(z, 1, 7));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_limits),
		cmocka_unit_test(test_insert_find_remove),
		cmocka_unit_test(test_capacity),
		cmocka_unit_test(test_lists_and_touch),
		cmocka_unit_test(test_colliding_chain),
		cmocka_unit_test(test_chain_full),
		cmocka_unit_test(test_random_ops_good_hash),
		cmocka_unit_test(test_random_ops_colliding_hash),
		cmocka_unit_test(test_hash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
