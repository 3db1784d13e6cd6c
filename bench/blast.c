/* blast.c - replay a capture's frames out of one interface at a fixed packet rate, or as fast
 * as the machine goes: the sender of bench/live.sh for rates tcpreplay cannot reach here
 * (on a 2-CPU VM tcpreplay -K tops out near 200k pps on a veth). The whole file is loaded
 * first; frames leave through an AF_PACKET socket (packet(7)) with PACKET_QDISC_BYPASS, up to
 * 64 per sendmmsg(2) call, paced against CLOCK_MONOTONIC: at any moment the number sent is at
 * most rate * elapsed, so bursts are at most one batch.
 *
 * Usage: blast -i IFACE (--pps N | --topspeed) [--limit N] [--loop N] FILE
 * Prints what tcpreplay prints, so live.sh reads either: "Rated: ... pps", "Successful
 * packets: N", "Failed packets: N". Exit: 0 done, 1 error, 2 usage. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

struct frames {
	unsigned char *buf; /* every frame, back to back */
	size_t len, cap;
	size_t *off, *flen; /* per frame */
	size_t n, ncap;
};

static int load(const char *path, struct frames *f)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, err);
	if (!p) {
		fprintf(stderr, "blast: %s\n", err);
		return -1;
	}
	if (pcap_datalink(p) != DLT_EN10MB) {
		fprintf(stderr, "blast: %s: link type %d, not Ethernet\n", path, pcap_datalink(p));
		pcap_close(p);
		return -1;
	}
	struct pcap_pkthdr *h;
	const unsigned char *d;
	int rc;
	while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
		if (f->len + h->caplen > f->cap) {
			f->cap = (f->cap + h->caplen) * 2;
			f->buf = realloc(f->buf, f->cap);
		}
		if (f->n == f->ncap) {
			f->ncap = f->ncap ? f->ncap * 2 : 4096;
			f->off = realloc(f->off, f->ncap * sizeof *f->off);
			f->flen = realloc(f->flen, f->ncap * sizeof *f->flen);
		}
		if (!f->buf || !f->off || !f->flen) {
			fprintf(stderr, "blast: out of memory\n");
			pcap_close(p);
			return -1;
		}
		memcpy(f->buf + f->len, d, h->caplen);
		f->off[f->n] = f->len;
		f->flen[f->n] = h->caplen;
		f->len += h->caplen;
		f->n++;
	}
	if (rc == -1)
		fprintf(stderr, "blast: %s: %s\n", path, pcap_geterr(p));
	pcap_close(p);
	return rc == -1 ? -1 : 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned long number(const char *s, const char *what)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || !*s || v == 0) {
		fprintf(stderr, "blast: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = { { "pps", required_argument, NULL, 'p' },
					    { "topspeed", no_argument, NULL, 't' },
					    { "limit", required_argument, NULL, 'L' },
					    { "loop", required_argument, NULL, 'l' },
					    { NULL, 0, NULL, 0 } };
	const char *ifname = NULL;
	unsigned long pps = 0, limit = 0, loops = 1;
	int top = 0, c;
	while ((c = getopt_long(argc, argv, "i:", lo, NULL)) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 'p': pps = number(optarg, "rate"); break;
		case 't': top = 1; break;
		case 'L': limit = number(optarg, "limit"); break;
		case 'l': loops = number(optarg, "loop count"); break;
		default: return 2;
		}
	}
	if (!ifname || optind != argc - 1 || (!pps == !top)) {
		fprintf(stderr, "usage: blast -i IFACE (--pps N | --topspeed) [--limit N] [--loop N] FILE\n");
		return 2;
	}
	struct frames f = { 0 };
	if (load(argv[optind], &f) < 0)
		return 1;
	if (f.n == 0) {
		fprintf(stderr, "blast: %s has no frames\n", argv[optind]);
		return 1;
	}
	unsigned long total = f.n * loops;
	if (limit && limit < total)
		total = limit;

	int s = socket(AF_PACKET, SOCK_RAW, 0); /* protocol 0: send only, receive nothing */
	if (s < 0) {
		perror("blast: socket(AF_PACKET)");
		return 1;
	}
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = (int)if_nametoindex(ifname) };
	if (!sll.sll_ifindex) {
		fprintf(stderr, "blast: no interface '%s'\n", ifname);
		return 1;
	}
	if (bind(s, (struct sockaddr *)&sll, sizeof sll) < 0) {
		perror("blast: bind");
		return 1;
	}
	int one = 1; /* straight to the driver, as a NIC's own queue would take them */
	if (setsockopt(s, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one) < 0)
		perror("blast: PACKET_QDISC_BYPASS (going through the qdisc)");

	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	unsigned long sent = 0, failed = 0, bytes = 0, i = 0;
	double t0 = now(), t = t0;
	while (sent + failed < total) {
		unsigned long want = total - sent - failed;
		if (want > BATCH)
			want = BATCH;
		if (!top) {
			t = now();
			double allowed = (t - t0) * (double)pps - (double)(sent + failed);
			if (allowed < 1.0)
				continue; /* spin: a sleep's wake-up latency is longer than a batch */
			if ((double)want > allowed)
				want = (unsigned long)allowed;
		}
		for (unsigned long k = 0; k < want; k++) {
			size_t idx = (i + k) % f.n;
			iov[k] = (struct iovec){ f.buf + f.off[idx], f.flen[idx] };
			msg[k] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[k], .msg_iovlen = 1 } };
		}
		int r = sendmmsg(s, msg, (unsigned)want, 0);
		if (r < 0) {
			if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
				perror("blast: sendmmsg");
				return 1;
			}
			failed++; /* the first frame of the batch was refused; try the rest again */
			i++;
			continue;
		}
		for (int k = 0; k < r; k++)
			bytes += f.flen[(i + (unsigned long)k) % f.n];
		sent += (unsigned long)r;
		i += (unsigned long)r;
	}
	double el = now() - t0;
	if (el <= 0)
		el = 1e-9;
	printf("Actual: %lu packets (%lu bytes) sent in %.2f seconds\n", sent, bytes, el);
	printf("Rated: %.1f Bps, %.2f Mbps, %.2f pps\n", bytes / el, bytes * 8 / el / 1e6, sent / el);
	printf("Statistics for network device: %s\n", ifname);
	printf("\tSuccessful packets:        %lu\n", sent);
	printf("\tFailed packets:            %lu\n", failed);
	close(s);
	free(f.buf);
	free(f.off);
	free(f.flen);
	return 0;
}
