/* pcapw.h - what the synthetic capture generators share (tests/tools/gen_*.c,
 * bench/gen_mixed.c): big-endian stores, the RFC 1071 checksum, and the pcap file they write
 * (libpcap's pcap_open_dead + pcap_dump, Ethernet, snaplen 65535). Header only: each
 * generator is one file that CMake builds alone. */
#ifndef NETPROBE_TESTS_PCAPW_H
#define NETPROBE_TESTS_PCAPW_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include <pcap/pcap.h>

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* RFC 1071 one's-complement sum, folded at the end (fold). */
static inline uint32_t sum16(const uint8_t *p, size_t n, uint32_t acc)
{
	for (; n > 1; p += 2, n -= 2)
		acc += (uint32_t)p[0] << 8 | p[1];
	if (n)
		acc += (uint32_t)p[0] << 8;
	return acc;
}

static inline uint16_t fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

struct pcapw {
	pcap_t *dead;
	pcap_dumper_t *dumper;
	const char *prog, *path; /* for the messages */
};

/* Create the capture file PATH. -1: said on stderr as "PROG: PATH: why". */
static inline int pcapw_open(struct pcapw *w, const char *prog, const char *path)
{
	*w = (struct pcapw){ .prog = prog, .path = path };
	w->dead = pcap_open_dead(DLT_EN10MB, 65535);
	w->dumper = w->dead ? pcap_dump_open(w->dead, path) : NULL;
	if (!w->dumper) {
		fprintf(stderr, "%s: %s: %s\n", prog, path,
			w->dead ? pcap_geterr(w->dead) : "pcap_open_dead failed");
		if (w->dead)
			pcap_close(w->dead);
		return -1;
	}
	return 0;
}

/* One frame of len bytes, whole (caplen = len), at us microseconds since the epoch. */
static inline void pcapw_frame(struct pcapw *w, int64_t us, const uint8_t *f, size_t len)
{
	struct pcap_pkthdr h;
	h.ts.tv_sec = (time_t)(us / 1000000);
	h.ts.tv_usec = (suseconds_t)(us % 1000000);
	h.caplen = h.len = (bpf_u_int32)len;
	pcap_dump((u_char *)w->dumper, &h, f);
}

/* Flush and close. -1: the writes failed (said on stderr). */
static inline int pcapw_close(struct pcapw *w)
{
	int rc = pcap_dump_flush(w->dumper);
	if (rc != 0)
		fprintf(stderr, "%s: %s: write failed\n", w->prog, w->path);
	pcap_dump_close(w->dumper);
	pcap_close(w->dead);
	return rc != 0 ? -1 : 0;
}

#endif
