/* gen_synflood.c - writes a synthetic SYN-flood capture for tests/flood/run.sh, at test time
 * (the capture is never committed). Deterministic: a fixed PRNG seed gives the same bytes.
 *
 * Timeline (seconds from the first packet; F = flood length = COUNT / RATE):
 *   0 .. 10          calm: one complete connection a second from the client (ports 40001..)
 *   10 .. 10+F       the flood: COUNT SYNs to the target at RATE/s from random spoofed IPv4
 *                    sources (random address, port, ISN; no options, like hping3), a fixed share
 *                    of them answered by the target's SYN/ACK ANSWER_DELAY_US later; and 5
 *                    complete connections from the client (ports 50001..50005) starting at
 *                    0.1, 0.3, 0.5, 0.7 and 0.9 of the flood
 *   10+F .. 10+F+12  calm again: one complete connection a second (ports 42001..)
 * Each complete connection is SYN, SYN/ACK, ACK, request, ACK, response, ACK, FIN from the
 * client, FIN/ACK from the server, last ACK (10 segments).
 *
 * Writes the capture with libpcap (pcap_open_dead + pcap_dump), Ethernet framing, correct IPv4
 * and TCP checksums, and prints to stdout what the checker needs as KEY=VALUE lines.
 *
 * With -p PREFIX/LEN the spoofed sources are drawn from that IPv4 prefix only (the benchmarks
 * use one /15: tcpdump's address-to-name cache degrades when sources share a prefix); without it
 * the output is the same as before the option existed.
 *
 * Usage: gen_synflood -o FILE [-n COUNT] [-r RATE] [-a PERMILLE] [-s SEED] [-p PREFIX/LEN]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "pcapw.h"
#include "xoshiro.h"

#define T0_SEC 1700000000LL /* 2023-11-14 22:13:20 UTC: any fixed time will do */
#define CALM_BEFORE_S 10
#define CALM_AFTER_S 12
#define FLOOD_CONNS 5
#define ANSWER_DELAY_US 250
#define TARGET_PORT 8888

enum { F_FIN = 0x01, F_SYN = 0x02, F_RST = 0x04, F_PSH = 0x08, F_ACK = 0x10 };

static const uint8_t mac_client[6] = { 0x02, 0x77, 0x00, 0x00, 0x09, 0x01 };
static const uint8_t mac_target[6] = { 0x02, 0x77, 0x00, 0x00, 0x09, 0x02 };
static const uint8_t mac_router[6] = { 0x02, 0x77, 0x00, 0x00, 0x09, 0xfe };
static const uint32_t ip_client = 0x0a4d0901; /* 10.77.9.1 */
static const uint32_t ip_target = 0x0a4d0902; /* 10.77.9.2 */

struct seg {
	const uint8_t *smac, *dmac;
	uint32_t src, dst;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	uint16_t ipid;
	uint8_t ttl;
	bool df;
	const uint8_t *opts; /* a multiple of 4 bytes */
	size_t optlen;
	const uint8_t *data;
	size_t datalen;
};

static struct pcapw out_file;
static uint64_t npackets;

static void write_seg(int64_t us, const struct seg *s)
{
	uint8_t f[14 + 20 + 60 + 512];
	size_t tcplen = 20 + s->optlen + s->datalen, iplen = 20 + tcplen;
	if (14 + iplen > sizeof f || s->optlen % 4) {
		fprintf(stderr, "gen_synflood: segment too large\n");
		exit(1);
	}
	memcpy(f, s->dmac, 6);
	memcpy(f + 6, s->smac, 6);
	put16(f + 12, 0x0800);
	uint8_t *ip = f + 14, *tcp = ip + 20;
	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, (uint16_t)iplen);
	put16(ip + 4, s->ipid);
	put16(ip + 6, s->df ? 0x4000 : 0);
	ip[8] = s->ttl;
	ip[9] = 6;
	put16(ip + 10, 0);
	put32(ip + 12, s->src);
	put32(ip + 16, s->dst);
	put16(ip + 10, fold(sum16(ip, 20, 0)));
	put16(tcp, s->sport);
	put16(tcp + 2, s->dport);
	put32(tcp + 4, s->seq);
	put32(tcp + 8, s->ack);
	tcp[12] = (uint8_t)(((20 + s->optlen) / 4) << 4);
	tcp[13] = s->flags;
	put16(tcp + 14, s->win);
	put16(tcp + 16, 0);
	put16(tcp + 18, 0);
	if (s->optlen)
		memcpy(tcp + 20, s->opts, s->optlen);
	if (s->datalen)
		memcpy(tcp + 20 + s->optlen, s->data, s->datalen);
	/* Pseudo-header (RFC 9293 s3.1): source, destination, zero, protocol, TCP length. */
	uint8_t ph[12];
	put32(ph, s->src);
	put32(ph + 4, s->dst);
	ph[8] = 0;
	ph[9] = 6;
	put16(ph + 10, (uint16_t)tcplen);
	put16(tcp + 16, fold(sum16(tcp, tcplen, sum16(ph, sizeof ph, 0))));

	pcapw_frame(&out_file, us, f, 14 + iplen);
	npackets++;
}

/* --- complete connections from the client: precomputed, merged with the flood by time --- */

struct lpkt {
	int64_t us;
	size_t idx; /* order of creation: breaks ties between connections that overlap */
	struct seg s;
};

static struct lpkt *legit;
static size_t nlegit, legit_cap;

/* MSS 1460, SACK permitted, NOP, window scale 7: Linux's SYN options without timestamps. */
static const uint8_t syn_opts[] = { 2, 4, 0x05, 0xb4, 4, 2, 1, 3, 3, 7, 1, 1 };
static const uint8_t request[] = "GET /status HTTP/1.1\r\nHost: 10.77.9.2:8888\r\n\r\n";
static uint8_t response[200];

static void add_legit(int64_t us, const struct seg *s)
{
	if (nlegit == legit_cap) {
		legit_cap = legit_cap ? 2 * legit_cap : 256;
		legit = realloc(legit, legit_cap * sizeof *legit);
		if (!legit) {
			fprintf(stderr, "gen_synflood: out of memory\n");
			exit(1);
		}
	}
	legit[nlegit].us = us;
	legit[nlegit].idx = nlegit;
	legit[nlegit].s = *s;
	nlegit++;
}

/* One complete connection from the client's `port`, its SYN at `t` (us); rtt in us. */
static void add_connection(int64_t t, uint16_t port, int64_t rtt)
{
	static uint16_t cid = 1000, sid = 5000;
	uint32_t ci = (uint32_t)rng(), si = (uint32_t)rng();
	struct seg c = { .smac = mac_client, .dmac = mac_target, .src = ip_client, .dst = ip_target,
			 .sport = port, .dport = TARGET_PORT, .ttl = 64, .df = true, .win = 502 };
	struct seg s = { .smac = mac_target, .dmac = mac_client, .src = ip_target, .dst = ip_client,
			 .sport = TARGET_PORT, .dport = port, .ttl = 64, .df = true, .win = 509 };
	uint32_t rq = sizeof request - 1, rs = sizeof response;
	int64_t half = rtt / 2;
	struct seg p;

	p = c, p.ipid = cid++, p.seq = ci, p.flags = F_SYN, p.win = 64240;
	p.opts = syn_opts, p.optlen = sizeof syn_opts;
	add_legit(t, &p);
	t += rtt;
	p = s, p.ipid = 0, p.seq = si, p.ack = ci + 1, p.flags = F_SYN | F_ACK, p.win = 65160;
	p.opts = syn_opts, p.optlen = sizeof syn_opts;
	add_legit(t, &p);
	t += half;
	p = c, p.ipid = cid++, p.seq = ci + 1, p.ack = si + 1, p.flags = F_ACK;
	add_legit(t, &p);
	t += 20;
	p = c, p.ipid = cid++, p.seq = ci + 1, p.ack = si + 1, p.flags = F_PSH | F_ACK;
	p.data = request, p.datalen = rq;
	add_legit(t, &p);
	t += rtt;
	p = s, p.ipid = sid++, p.seq = si + 1, p.ack = ci + 1 + rq, p.flags = F_ACK;
	add_legit(t, &p);
	t += 40;
	p = s, p.ipid = sid++, p.seq = si + 1, p.ack = ci + 1 + rq, p.flags = F_PSH | F_ACK;
	p.data = response, p.datalen = rs;
	add_legit(t, &p);
	t += half;
	p = c, p.ipid = cid++, p.seq = ci + 1 + rq, p.ack = si + 1 + rs, p.flags = F_ACK;
	add_legit(t, &p);
	t += 30;
	p = c, p.ipid = cid++, p.seq = ci + 1 + rq, p.ack = si + 1 + rs, p.flags = F_FIN | F_ACK;
	add_legit(t, &p);
	t += rtt;
	p = s, p.ipid = sid++, p.seq = si + 1 + rs, p.ack = ci + 2 + rq, p.flags = F_FIN | F_ACK;
	add_legit(t, &p);
	t += half;
	p = c, p.ipid = cid++, p.seq = ci + 2 + rq, p.ack = si + 2 + rs, p.flags = F_ACK;
	add_legit(t, &p);
}

static int cmp_lpkt(const void *a, const void *b)
{
	const struct lpkt *x = a, *y = b;
	if (x->us != y->us)
		return x->us < y->us ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* --- the target's SYN/ACKs to flood SYNs: a fixed delay keeps them in time order --- */

struct answer {
	int64_t us;
	uint32_t addr, isn;
	uint16_t port;
};

static struct answer *fifo;
static size_t fifo_cap, fifo_head, fifo_len;

static void push_answer(const struct answer *a)
{
	if (fifo_len == fifo_cap) {
		fprintf(stderr, "gen_synflood: answer queue full\n");
		exit(1);
	}
	fifo[(fifo_head + fifo_len++) % fifo_cap] = *a;
}

static void write_answer(void)
{
	static const uint8_t mss[] = { 2, 4, 0x05, 0xb4 };
	struct answer *a = &fifo[fifo_head];
	struct seg p = { .smac = mac_target, .dmac = mac_router, .src = ip_target, .dst = a->addr,
			 .sport = TARGET_PORT, .dport = a->port, .seq = (uint32_t)rng(), .ack = a->isn + 1,
			 .flags = F_SYN | F_ACK, .win = 64240, .ttl = 64, .df = true,
			 .opts = mss, .optlen = sizeof mss };
	write_seg(a->us, &p);
	fifo_head = (fifo_head + 1) % fifo_cap;
	fifo_len--;
}

static void print_us(const char *key, int64_t us)
{
	printf("%s=%" PRId64 "\n", key, us);
}

static bool parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *v)
{
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || x < lo || x > hi)
		return false;
	*v = x;
	return true;
}

static void usage(FILE *o)
{
	fprintf(o, "Usage: gen_synflood -o FILE [-n COUNT] [-r RATE] [-a PERMILLE] [-s SEED]"
		   " [-p PREFIX/LEN]\n"
		   "  -n COUNT     flood SYNs (default 1000000)\n"
		   "  -r RATE      flood SYNs per second (default 200000)\n"
		   "  -a PERMILLE  flood SYNs the target answers with a SYN/ACK (default 100 = 10%%)\n"
		   "  -s SEED      PRNG seed (default 1)\n"
		   "  -p PFX/LEN   spoofed sources from this IPv4 prefix only (default: any)\n");
}

/* "A.B.C.D/LEN" (LEN 1..30) -> network and mask in host order. */
static bool parse_prefix(const char *s, uint32_t *net, uint32_t *mask)
{
	char buf[32];
	const char *slash = strchr(s, '/');
	uint64_t len;
	struct in_addr a;
	if (!slash || (size_t)(slash - s) >= sizeof buf || !parse_u64(slash + 1, 1, 30, &len))
		return false;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = 0;
	if (inet_pton(AF_INET, buf, &a) != 1)
		return false;
	*mask = ~(uint32_t)0 << (32 - len);
	*net = ntohl(a.s_addr) & *mask;
	/* A prefix inside the test's own 10.77.9.0/24 would leave no address to draw. */
	return !(len >= 24 && (*net >> 8) == (ip_client >> 8));
}

int main(int argc, char **argv)
{
	const char *out = NULL;
	uint64_t count = 1000000, rate = 200000, answer_pm = 100, seed = 1;
	uint32_t pfx_net = 0, pfx_mask = 0;
	bool pfx = false;
	int ch;
	while ((ch = getopt(argc, argv, "o:n:r:a:s:p:h")) != -1) {
		bool ok = true;
		switch (ch) {
		case 'o': out = optarg; break;
		case 'n': ok = parse_u64(optarg, 1, 100000000, &count); break;
		case 'r': ok = parse_u64(optarg, 1, 1000000, &rate); break;
		case 'a': ok = parse_u64(optarg, 0, 1000, &answer_pm); break;
		case 's': ok = parse_u64(optarg, 0, UINT64_MAX, &seed); break;
		case 'p': ok = pfx = parse_prefix(optarg, &pfx_net, &pfx_mask); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
		if (!ok) {
			fprintf(stderr, "gen_synflood: invalid -%c '%s'\n", ch, optarg);
			return 2;
		}
	}
	if (!out || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (pcapw_open(&out_file, "gen_synflood", out) < 0)
		return 1;
	rng_seed(seed);
	for (size_t i = 0; i < sizeof response; i++)
		response[i] = (uint8_t)('a' + i % 26);

	const int64_t t0 = T0_SEC * 1000000;
	const int64_t flood_start = t0 + CALM_BEFORE_S * 1000000LL;
	/* SYN i at flood_start + i/RATE s; the flood lasts COUNT/RATE s. */
	const int64_t flood_len = (int64_t)(count * 1000000 / rate);
	const int64_t flood_end = flood_start + flood_len;

	printf("target=10.77.9.2:%d\nclient=10.77.9.1\n", TARGET_PORT);
	printf("flood_syns=%" PRIu64 "\nflood_rate=%" PRIu64 "\n", count, rate);
	print_us("flood_start_us", flood_start);
	print_us("flood_last_syn_us", flood_start + (int64_t)((count - 1) * 1000000 / rate));
	print_us("flood_end_us", flood_end);

	/* Calm before and after: 1 connection a second, 2 ms round trip. */
	printf("calm_ports=");
	for (int i = 0; i < CALM_BEFORE_S; i++) {
		add_connection(t0 + i * 1000000LL + 500000, (uint16_t)(40001 + i), 2000);
		printf("%s%d", i ? "," : "", 40001 + i);
	}
	for (int i = 0; i < CALM_AFTER_S; i++) {
		add_connection(flood_end + i * 1000000LL + 500000, (uint16_t)(42001 + i), 2000);
		printf(",%d", 42001 + i);
	}
	printf("\n");
	/* During the flood: a busy server, 1 ms round trip; each connection spans ~4 ms. */
	printf("flood_ports=");
	for (int k = 0; k < FLOOD_CONNS; k++) {
		int64_t t = flood_start + flood_len * (2 * k + 1) / (2 * FLOOD_CONNS);
		add_connection(t, (uint16_t)(50001 + k), 1000);
		printf("%s%d", k ? "," : "", 50001 + k);
	}
	printf("\n");
	printf("flood_conn_us=");
	for (int k = 0; k < FLOOD_CONNS; k++)
		printf("%s%" PRId64, k ? "," : "", flood_start + flood_len * (2 * k + 1) / (2 * FLOOD_CONNS));
	printf("\n");
	qsort(legit, nlegit, sizeof *legit, cmp_lpkt);

	/* Answers in flight at once: ANSWER_DELAY_US of SYNs, plus slack. */
	fifo_cap = (size_t)(rate * ANSWER_DELAY_US / 1000000 + 16);
	fifo = malloc(fifo_cap * sizeof *fifo);
	if (!fifo) {
		fprintf(stderr, "gen_synflood: out of memory\n");
		return 1;
	}

	uint64_t i = 0, answered = 0;
	size_t li = 0;
	for (;;) {
		int64_t t_syn = i < count ? flood_start + (int64_t)(i * 1000000 / rate) : INT64_MAX;
		int64_t t_ans = fifo_len ? fifo[fifo_head].us : INT64_MAX;
		int64_t t_leg = li < nlegit ? legit[li].us : INT64_MAX;
		if (t_syn == INT64_MAX && t_ans == INT64_MAX && t_leg == INT64_MAX)
			break;
		if (t_leg <= t_ans && t_leg <= t_syn) {
			write_seg(t_leg, &legit[li++].s);
		} else if (t_ans <= t_syn) {
			write_answer();
		} else {
			uint32_t src;
			do { /* any address (in the prefix) but the test's own 10.77.9.0/24 */
				src = (uint32_t)rng();
				if (pfx)
					src = pfx_net | (src & ~pfx_mask);
			} while ((src >> 8) == (ip_client >> 8));
			uint64_t r = rng();
			uint16_t sport = (uint16_t)(1024 + (r >> 32) % 64512);
			uint32_t isn = (uint32_t)rng();
			struct seg p = { .smac = mac_router, .dmac = mac_target, .src = src,
					 .dst = ip_target, .sport = sport, .dport = TARGET_PORT,
					 .seq = isn, .ack = 0, .flags = F_SYN, .win = 512,
					 .ipid = (uint16_t)r, .ttl = (uint8_t)(32 + (r >> 16) % 200) };
			write_seg(t_syn, &p);
			if (rng() % 1000 < answer_pm) {
				struct answer a = { t_syn + ANSWER_DELAY_US, src, isn, sport };
				push_answer(&a);
				answered++;
			}
			i++;
		}
	}
	if (pcapw_close(&out_file) < 0)
		return 1;
	printf("flood_synacks=%" PRIu64 "\n", answered);
	printf("legit_conns=%zu\n", nlegit / 10);
	printf("packets=%" PRIu64 "\n", npackets);
	free(fifo);
	free(legit);
	return 0;
}
