/* probe_fixture.h - what the probe module tests share (probe_fixture.c): documentation
 * addresses, a spec per kind, probes built by the code under test and checked field by field,
 * answers made by hand (DLT_RAW), the BPF filter run by libpcap, and the expectations. */
#ifndef NETPROBE_TEST_PROBE_FIXTURE_H
#define NETPROBE_TEST_PROBE_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "netprobe/probe.h"

enum who { US, TARGET, ROUTER, OTHER };

#define IDENT 0x4e50
#define SYN_SPORT 40123
#define SYN_DPORT 443
#define UDP_SPORT 40000
#define UDP_DPORT 33434
/* Close to 2^32, so that isn + N and isn + N + 1 wrap for the larger N used below. */
#define ISN 0xfffffff0u

const uint8_t *A(uint8_t ver, enum who w);
size_t alen(uint8_t ver);
struct np_probe_spec mkspec(enum np_probe_kind k, uint8_t ver);
uint32_t probe(const struct np_probe_spec *s, uint32_t seq, uint8_t ttl, uint8_t *buf);
void assert_l4_sum_independent(const uint8_t *pkt, uint32_t n, uint8_t ver, uint8_t proto);
void check_probe(const struct np_probe_spec *s, uint32_t seq, uint8_t ttl);
void check_build(enum np_probe_kind k, uint8_t ver);
uint32_t mkip(uint8_t *f, uint8_t ver, enum who from, const uint8_t *to, uint8_t proto,
		     uint8_t ttl, const uint8_t *l4, size_t l4len, size_t csum_at);
uint32_t mkecho_reply(uint8_t *f, uint8_t ver, enum who from, const uint8_t *to, uint16_t id,
			     uint16_t seq);
uint32_t mkerror(uint8_t *f, uint8_t ver, enum who from, const uint8_t *to, uint8_t type,
			uint8_t code, const uint8_t *quoted, size_t qlen);
size_t quote_len(uint8_t ver, uint32_t probe_len);
uint32_t mkerror_quoting(uint8_t *f, const uint8_t *to, const struct np_probe_spec *q,
				uint32_t seq, uint8_t ttl, enum who from, uint8_t type, uint8_t code);
uint32_t mkerror_for(uint8_t *f, const struct np_probe_spec *s, uint32_t seq, uint8_t ttl,
			    enum who from, uint8_t type, uint8_t code);
uint32_t mktcp(uint8_t *f, uint8_t ver, enum who from, const uint8_t *to, uint16_t sport,
		      uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags);
uint32_t mkudp(uint8_t *f, uint8_t ver, enum who from, const uint8_t *to, uint16_t sport,
		      uint16_t dport);
bool bpf_accepts(const struct np_probe_spec *s, const uint8_t *ip, uint32_t n);
void assert_same_answer(const struct np_probe_answer *a, const struct np_probe_answer *b);
void expect_answer(const struct np_probe_spec *s, const uint8_t *f, uint32_t n, uint32_t nseq,
			  enum np_probe_verdict v, uint32_t seq, enum who from, bool final);
void expect_none(const struct np_probe_spec *s, const uint8_t *f, uint32_t n, uint32_t nseq);

#endif
