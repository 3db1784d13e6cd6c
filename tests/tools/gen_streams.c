/* gen_streams.c - writes, streaming, a synthetic capture of many TCP conversations that carry
 * payload, for the reassembly memory tests and benchmarks (tests/mem/, bench/follow_mem.sh); never
 * committed. Deterministic: every byte follows from the conversation's number and the options.
 *
 * Each conversation (client 10.77.0.1 to 10.77.254.0, port from 1024 up, server 10.77.255.254:8888):
 *   SYN, SYN/ACK, ACK; a request of REQ bytes from the client; K segments of LEN bytes from the
 *   server; FIN from the client, FIN/ACK from the server, the last ACK (K + 7 frames).
 * With -d, each block of 8 server segments is sent out of order (the first of the block after the
 * other seven: the reassembler holds up to seven segments until it comes). With -x N, every Nth
 * conversation loses its second server segment for ever (before the capture point): everything
 * after it waits until the reassembler gives the hole up (a memory cap, or the end).
 * With -H (hostile order, a crafted worst case for a reassembler that walks its waiting list from
 * the start), the server sends the odd-numbered segments ascending, then the even ones
 * descending down to 2 (each lands near the end of what waits, the furthest from its start),
 * then segment 0: with -l 1, tens of thousands of one-byte pieces wait in one conversation.
 * CONC conversations are in progress at once, one frame each in turn (round robin); a new one
 * starts when one ends, so the generator holds CONC small records, never the capture. With
 * -c equal to -n every conversation is open at once (all SYNs first, then all SYN/ACKs, ...).
 * Frames are 10 us apart (100,000 a second): 10,000,000 frames span 100 s, under the tracker's
 * idle timeout. IPv4 and TCP checksums are correct.
 *
 * Prints KEY=VALUE lines on stdout: packets, conversations, bytes_c2s, bytes_s2c (payload sent),
 * lost_bytes (never sent, the -x holes).
 *
 * Usage: gen_streams -o FILE [-n CONVS] [-c CONC] [-k K] [-l LEN] [-r REQ] [-d | -H] [-x N]
 *        [-F MAXFRAMES]   (-F stops after that many frames, cutting the conversations then open)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "pcapw.h"

#define T0_SEC 1700000000LL /* any fixed time will do */
#define FRAME_US 10
#define SERVER_IP 0x0a4dfffeu /* 10.77.255.254 */
#define SERVER_PORT 8888
#define CLIENTS 65024u        /* 10.77.0.1 .. 10.77.254.0 */
#define MAX_LEN 1400

enum { F_FIN = 0x01, F_SYN = 0x02, F_RST = 0x04, F_PSH = 0x08, F_ACK = 0x10 };

struct opts {
	uint64_t convs, conc, maxframes;
	uint32_t k, len, req, lose_every;
	bool disorder, hostile;
};

struct stats {
	uint64_t packets, convs, c2s, s2c, lost;
};

static struct pcapw out_file;
static struct stats st;

static uint32_t mix32(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (uint32_t)x;
}

/* One conversation's constants, from its number. */
struct conv {
	uint32_t cip, isn_c, isn_s;
	uint16_t cport;
};

static struct conv conv_of(uint64_t i)
{
	struct conv c = { 0x0a4d0001u + (uint32_t)(i % CLIENTS), mix32(i * 2 + 1), mix32(i * 2 + 2),
			  (uint16_t)(1024 + (i / CLIENTS) % 64000) };
	return c;
}

/* Payload byte `off` of a direction: printable text that says where it is. */
static void fill(uint8_t *p, uint32_t n, uint64_t conv, uint64_t off, bool server)
{
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	for (uint32_t j = 0; j < n; j++) {
		uint64_t o = off + j;
		p[j] = o % 64 == 63 ? '\n' : (uint8_t)alpha[(o / 64 + conv + (server ? 7 : 0)) % 36];
	}
}

static void write_seg(uint64_t tick, const struct conv *c, bool server, uint32_t seq, uint32_t ack,
		      uint8_t flags, uint64_t conv, uint64_t off, uint32_t len)
{
	uint8_t f[14 + 20 + 20 + MAX_LEN];
	static const uint8_t mac_c[6] = { 0x02, 0x77, 0, 0, 0x0a, 1 }, mac_s[6] = { 0x02, 0x77, 0, 0, 0x0a, 2 };
	uint32_t src = server ? SERVER_IP : c->cip, dst = server ? c->cip : SERVER_IP;
	uint16_t sp = server ? SERVER_PORT : c->cport, dp = server ? c->cport : SERVER_PORT;
	size_t tcplen = 20 + len, iplen = 20 + tcplen;
	memcpy(f, server ? mac_c : mac_s, 6);
	memcpy(f + 6, server ? mac_s : mac_c, 6);
	put16(f + 12, 0x0800);
	uint8_t *ip = f + 14, *tcp = ip + 20;
	memset(ip, 0, 40);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)iplen);
	put16(ip + 4, (uint16_t)st.packets);
	put16(ip + 6, 0x4000); /* DF */
	ip[8] = 64;
	ip[9] = 6;
	put32(ip + 12, src);
	put32(ip + 16, dst);
	put16(ip + 10, fold(sum16(ip, 20, 0)));
	put16(tcp, sp);
	put16(tcp + 2, dp);
	put32(tcp + 4, seq);
	put32(tcp + 8, ack);
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	put16(tcp + 14, 65535);
	fill(tcp + 20, len, conv, off, server);
	uint32_t acc = sum16(ip + 12, 8, 6 + (uint32_t)tcplen); /* pseudo-header */
	put16(tcp + 16, fold(sum16(tcp, tcplen, acc)));
	pcapw_frame(&out_file, T0_SEC * 1000000 + (int64_t)(tick * FRAME_US), f, 14 + iplen);
	st.packets++;
	if (len)
		*(server ? &st.s2c : &st.c2s) += len;
}

/* The server segment sent at position p of K: in order, or with -d each block of 8 as
 * 1..7 then 0 (a short last block stays in order). */
static uint32_t seg_at(const struct opts *o, uint32_t p)
{
	uint32_t b = p / 8 * 8, odd = o->k / 2, even = (o->k - 1) / 2;
	if (o->hostile) /* -H: 1, 3, 5, ..., then ..., 6, 4, 2, then 0 */
		return p < odd ? 2 * p + 1 : p - odd < even ? 2 * (even - (p - odd)) : 0;
	if (!o->disorder || b + 8 > o->k)
		return p;
	return b + (p - b + 1) % 8;
}

/* Frame `step` of conversation i (K + 7 steps); false when that step sends nothing (a lost
 * segment). */
static bool emit(const struct opts *o, uint64_t tick, uint64_t i, uint32_t step)
{
	struct conv c = conv_of(i);
	uint32_t cs = c.isn_c + 1, ss = c.isn_s + 1, cend = cs + o->req, send = ss + o->k * o->len;
	if (step == 0)
		write_seg(tick, &c, false, c.isn_c, 0, F_SYN, i, 0, 0);
	else if (step == 1)
		write_seg(tick, &c, true, c.isn_s, cs, F_SYN | F_ACK, i, 0, 0);
	else if (step == 2)
		write_seg(tick, &c, false, cs, ss, F_ACK, i, 0, 0);
	else if (step == 3)
		write_seg(tick, &c, false, cs, ss, F_PSH | F_ACK, i, 0, o->req);
	else if (step < 4 + o->k) {
		uint32_t s = seg_at(o, step - 4);
		if (o->lose_every && i % o->lose_every == 0 && s == 1 && o->k > 1) {
			st.lost += o->len;
			return false;
		}
		write_seg(tick, &c, true, ss + s * o->len, cend, F_PSH | F_ACK, i,
			  (uint64_t)s * o->len, o->len);
	} else if (step == 4 + o->k)
		write_seg(tick, &c, false, cend, send, F_FIN | F_ACK, i, 0, 0);
	else if (step == 5 + o->k)
		write_seg(tick, &c, true, send, cend + 1, F_FIN | F_ACK, i, 0, 0);
	else
		write_seg(tick, &c, false, cend + 1, send + 1, F_ACK, i, 0, 0);
	return true;
}

/* Round robin over CONC slots; a finished conversation's slot takes the next one. */
static void run(const struct opts *o)
{
	struct slot {
		uint64_t conv;
		uint32_t step;
	} *s = calloc(o->conc, sizeof *s);
	if (!s) {
		fprintf(stderr, "gen_streams: out of memory\n");
		exit(1);
	}
	uint64_t next = 0, open = 0, tick = 0;
	uint32_t steps = o->k + 7;
	for (uint64_t j = 0; j < o->conc && next < o->convs; j++, open++)
		s[j] = (struct slot){ next++, 0 };
	st.convs = next;
	while (open && (!o->maxframes || st.packets < o->maxframes)) {
		for (uint64_t j = 0; j < o->conc && (!o->maxframes || st.packets < o->maxframes); j++) {
			if (s[j].step == UINT32_MAX)
				continue;
			if (emit(o, tick, s[j].conv, s[j].step))
				tick++;
			if (++s[j].step < steps)
				continue;
			if (next < o->convs) {
				s[j] = (struct slot){ next++, 0 };
				st.convs = next;
			} else {
				s[j].step = UINT32_MAX;
				open--;
			}
		}
	}
	free(s);
}

static bool num(const char *a, uint64_t lo, uint64_t hi, uint64_t *v)
{
	char *end;
	errno = 0;
	unsigned long long x = strtoull(a, &end, 10);
	if (errno || end == a || *end || a[0] == '-' || x < lo || x > hi)
		return false;
	*v = x;
	return true;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: gen_streams -o FILE [-n CONVS] [-c CONC] [-k K] [-l LEN] [-r REQ] "
		   "[-d | -H] [-x N] [-F MAXFRAMES]\n");
}

int main(int argc, char **argv)
{
	struct opts o = { .convs = 1000000, .conc = 1000, .k = 1, .len = 64, .req = 32 };
	const char *out = NULL;
	uint64_t v = 0;
	int ch;
	while ((ch = getopt(argc, argv, "o:n:c:k:l:r:dHx:F:h")) != -1) {
		bool ok = true;
		switch (ch) {
		case 'o': out = optarg; break;
		case 'n': ok = num(optarg, 1, UINT64_C(1) << 40, &o.convs); break;
		case 'c': ok = num(optarg, 1, 100000000, &o.conc); break;
		case 'k': ok = num(optarg, 1, 1000000, &v), o.k = (uint32_t)v; break;
		case 'l': ok = num(optarg, 1, MAX_LEN, &v), o.len = (uint32_t)v; break;
		case 'r': ok = num(optarg, 1, MAX_LEN, &v), o.req = (uint32_t)v; break;
		case 'd': o.disorder = true; break;
		case 'H': o.hostile = true; break;
		case 'x': ok = num(optarg, 0, UINT32_MAX, &v), o.lose_every = (uint32_t)v; break;
		case 'F': ok = num(optarg, 1, UINT64_C(1) << 40, &o.maxframes); break;
		case 'h': usage(stdout); return 0;
		default: ok = false;
		}
		if (!ok) {
			usage(stderr);
			return 2;
		}
	}
	if (!out || optind != argc || (o.disorder && o.hostile)) {
		usage(stderr);
		return 2;
	}
	if (pcapw_open(&out_file, "gen_streams", out) < 0)
		return 1;
	run(&o);
	if (pcapw_close(&out_file) < 0)
		return 1;
	printf("packets=%" PRIu64 "\nconversations=%" PRIu64 "\nbytes_c2s=%" PRIu64
	       "\nbytes_s2c=%" PRIu64 "\nlost_bytes=%" PRIu64 "\n",
	       st.packets, st.convs, st.c2s, st.s2c, st.lost);
	return 0;
}
