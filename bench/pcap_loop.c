/* pcap_loop.c - the floor for the offline benchmarks: a bare libpcap read loop over a capture
 * file (pcap_next_ex), touching each frame (its header and first and last byte), printing
 * nothing per frame. Whatever a decoder costs is measured above this.
 *
 * Usage: pcap_loop FILE   (prints "N frames, B bytes" on stderr at the end; exit 1 on error)
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include <pcap/pcap.h>

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	if (argc != 2) {
		fprintf(stderr, "Usage: pcap_loop FILE\n");
		return 2;
	}
	pcap_t *p = pcap_open_offline(argv[1], err);
	if (!p) {
		fprintf(stderr, "pcap_loop: %s\n", err);
		return 1;
	}
	struct pcap_pkthdr *h;
	const u_char *d;
	uint64_t frames = 0, bytes = 0, touch = 0;
	int rc;
	while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
		frames++;
		bytes += h->caplen;
		if (h->caplen)
			touch += (uint64_t)d[0] + d[h->caplen - 1];
	}
	if (rc != PCAP_ERROR_BREAK) {
		fprintf(stderr, "pcap_loop: %s\n", pcap_geterr(p));
		pcap_close(p);
		return 1;
	}
	pcap_close(p);
	/* The touch sum is printed so that the compiler cannot drop the reads. */
	fprintf(stderr, "%" PRIu64 " frames, %" PRIu64 " bytes (touch %" PRIu64 ")\n", frames, bytes,
		touch);
	return 0;
}
