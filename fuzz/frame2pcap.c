/* frame2pcap.c - turns a fuzz_frame input (layout in fuzz_frame.c) into a pcap file, so a
 * finding can be replayed through the real command line: netprobe watch -r OUT.pcap [options].
 * The frames, link type and times are the harness's; the option byte is not (give the options
 * on the command line). Usage: frame2pcap INPUT OUT.pcap */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <pcap/pcap.h>

static const int links[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_NULL,
			     DLT_LOOP,   DLT_RAW,       DLT_IPV4,       DLT_IPV6,
			     DLT_PPP,    DLT_PPP_SERIAL, DLT_C_HDLC,    DLT_NFLOG,
			     DLT_IEEE802_11, DLT_IEEE802_11_RADIO, DLT_PPI, DLT_FDDI };

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: frame2pcap INPUT OUT.pcap\n");
		return 2;
	}
	FILE *in = fopen(argv[1], "rb");
	if (!in) {
		perror(argv[1]);
		return 1;
	}
	static uint8_t data[1 << 20];
	size_t size = fread(data, 1, sizeof data, in);
	fclose(in);
	if (size < 2) {
		fprintf(stderr, "frame2pcap: %s: too short\n", argv[1]);
		return 1;
	}
	pcap_t *dead = pcap_open_dead(links[data[0] % (sizeof links / sizeof links[0])], 65535);
	pcap_dumper_t *d = dead ? pcap_dump_open(dead, argv[2]) : NULL;
	if (!d) {
		fprintf(stderr, "frame2pcap: %s: %s\n", argv[2], dead ? pcap_geterr(dead) : "no memory");
		return 1;
	}
	size_t off = 2;
	int64_t us = 1700000000LL * 1000000; /* as fuzz_frame.c */
	while (size - off >= 4) {
		size_t caplen = (size_t)data[off] << 8 | data[off + 1];
		uint8_t dt = data[off + 2], extra = data[off + 3];
		off += 4;
		if (caplen > size - off)
			caplen = size - off;
		us += dt < 0x80 ? dt * 10000LL : dt < 0xfe ? (dt - 0x7fLL) * 1000000
				 : dt == 0xfe ? 3600LL * 1000000 : -1000000LL;
		struct pcap_pkthdr h;
		h.ts.tv_sec = (time_t)(us / 1000000);
		h.ts.tv_usec = (suseconds_t)(us % 1000000);
		h.caplen = (uint32_t)caplen;
		h.len = extra == 0xff ? (uint32_t)caplen / 2 : (uint32_t)caplen + extra;
		pcap_dump((u_char *)d, &h, data + off);
		off += caplen;
	}
	pcap_dump_close(d);
	pcap_close(dead);
	return 0;
}
