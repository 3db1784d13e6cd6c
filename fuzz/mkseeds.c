/* mkseeds.c - seeds for the fuzz harnesses, made at test time from capture files (pcaps/ and
 * the shared corpus); never committed. For fuzz_frame, each frame of a capture whose link type
 * netprobe decodes becomes one seed, and the first frames of each capture one more seed with
 * their real time gaps (so conversations and floods are in the corpus from the start). For
 * fuzz_pcapfile, each file (its first MAX_FILE_SEED bytes) is a seed as it is. Seeds are named
 * by a hash of their bytes, so duplicates collapse.
 * Usage: mkseeds FRAME_DIR PCAPFILE_DIR CAPTURE... ; prints how many seeds it wrote. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#define MAX_FRAME_SEEDS 64     /* per capture */
#define MAX_CONV_FRAMES 48     /* in the multi-frame seed */
#define MAX_CONV_SEED 16384    /* bytes */
#define MAX_FILE_SEED 65536    /* bytes */

/* Must match fuzz_frame.c's links[]. */
static const int links[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_NULL,
			     DLT_LOOP,   DLT_RAW,       DLT_IPV4,       DLT_IPV6,
			     DLT_PPP,    DLT_PPP_SERIAL, DLT_C_HDLC,    DLT_NFLOG,
			     DLT_IEEE802_11, DLT_IEEE802_11_RADIO, DLT_PPI, DLT_FDDI };

static unsigned long written;

static int write_seed(const char *dir, const char *prefix, const uint8_t *b, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	char path[4096];
	snprintf(path, sizeof path, "%s/%s-%016" PRIx64, dir, prefix, h);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(b, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		return -1;
	}
	written++;
	return 0;
}

static void put_frame_header(uint8_t *b, uint32_t caplen, uint32_t len, uint8_t dt)
{
	b[0] = (uint8_t)(caplen >> 8);
	b[1] = (uint8_t)caplen;
	b[2] = dt;
	b[3] = len >= caplen ? (uint8_t)(len - caplen < 0xfe ? len - caplen : 0xfe) : 0xff;
}

/* A time gap in fuzz_frame's one-byte encoding. */
static uint8_t encode_gap(int64_t us)
{
	if (us < 0)
		return 0xff;
	if (us < 1270000)
		return (uint8_t)((us + 5000) / 10000);
	int64_t s = us / 1000000;
	return s > 0x7e ? 0xfd : (uint8_t)(0x7f + s);
}

static int frame_seeds(const char *dir, const char *path)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, ebuf);
	if (!p)
		return 0; /* not a capture libpcap reads: a pcapfile seed only */
	int dlt = pcap_datalink(p), idx = -1;
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
		if (links[i] == dlt)
			idx = (int)i;
	if (idx < 0) {
		pcap_close(p);
		return 0;
	}
	static uint8_t one[4 + 2 + 65535], conv[MAX_CONV_SEED];
	size_t clen = 2, nconv = 0;
	conv[0] = (uint8_t)idx;
	conv[1] = 0;
	int64_t prev = 0;
	int rc = 0, nframes = 0;
	struct pcap_pkthdr *h;
	const u_char *d;
	while (pcap_next_ex(p, &h, &d) == 1) {
		uint32_t caplen = h->caplen > 65535 ? 65535 : h->caplen;
		int64_t now = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec;
		if (nframes++ < MAX_FRAME_SEEDS) {
			one[0] = (uint8_t)idx;
			one[1] = 0;
			put_frame_header(one + 2, caplen, h->len, 0);
			memcpy(one + 6, d, caplen);
			if (write_seed(dir, "frame", one, 6 + caplen) < 0)
				rc = -1;
		}
		if (nconv < MAX_CONV_FRAMES && clen + 4 + caplen <= sizeof conv) {
			put_frame_header(conv + clen, caplen, h->len, nconv ? encode_gap(now - prev) : 0);
			memcpy(conv + clen + 4, d, caplen);
			clen += 4 + caplen;
			nconv++;
		}
		prev = now;
	}
	pcap_close(p);
	if (nconv > 1 && write_seed(dir, "conv", conv, clen) < 0)
		rc = -1;
	return rc;
}

static int file_seed(const char *dir, const char *path)
{
	static uint8_t buf[MAX_FILE_SEED];
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return -1;
	}
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	return n ? write_seed(dir, "file", buf, n) : 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: mkseeds FRAME_DIR PCAPFILE_DIR CAPTURE...\n");
		return 2;
	}
	int rc = 0;
	for (int i = 3; i < argc; i++)
		if (frame_seeds(argv[1], argv[i]) < 0 || file_seed(argv[2], argv[i]) < 0)
			rc = 1;
	printf("mkseeds: %lu seeds from %d captures\n", written, argc - 3);
	return rc;
}
