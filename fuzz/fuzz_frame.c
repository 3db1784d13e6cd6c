/* fuzz_frame.c - libFuzzer harness over the whole per-frame path: link decode (the link type
 * chosen by the input), IP/TCP/UDP/ICMP decode, the conversation tracker and SYN-flood detector,
 * and every printer. One input is a little capture of several frames, so the tracker sees
 * conversations develop; each input gets a fresh tracker, so a crash replays from its input alone.
 *
 * Input layout (fuzz/README.md; fuzz/mkseeds.c writes it):
 *   byte 0      link type: index into links[] below, modulo its size
 *   byte 1      FZ_OPT_* option bits (pipeline.h)
 *   then frames, each a 4-byte header and its bytes:
 *     2 bytes   captured length, big-endian (cut to what the input still holds)
 *     1 byte    time since the previous frame: 0x00-0x7f that many 10 ms steps,
 *               0x80-0xfd (b - 0x7f) seconds, 0xfe one hour, 0xff one second back in time
 *     1 byte    wire length minus captured length; 0xff: wire length half the captured one
 *     caplen bytes
 * Each frame's bytes are copied into a buffer of exactly caplen bytes, so AddressSanitizer sees
 * any read past the captured data. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/dlt.h>

#include "pipeline.h"

static const int links[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_NULL,
			     DLT_LOOP,   DLT_RAW,       DLT_IPV4,       DLT_IPV6,
			     DLT_PPP,    DLT_PPP_SERIAL, DLT_C_HDLC,    DLT_NFLOG,
			     DLT_IEEE802_11, DLT_IEEE802_11_RADIO, DLT_PPI, DLT_FDDI };

#define T0_SEC 1700000000LL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	int dlt = links[data[0] % (sizeof links / sizeof links[0])];
	struct fz_pipeline z;
	if (fz_pipeline_begin(&z, data[1]) < 0)
		abort();
	size_t off = 2;
	int64_t us = T0_SEC * 1000000;
	uint64_t n = 0;
	while (size - off >= 4) {
		size_t caplen = (size_t)data[off] << 8 | data[off + 1];
		uint8_t dt = data[off + 2], extra = data[off + 3];
		off += 4;
		if (caplen > size - off)
			caplen = size - off;
		if (dt < 0x80)
			us += dt * 10000LL;
		else if (dt < 0xfe)
			us += (dt - 0x7fLL) * 1000000;
		else if (dt == 0xfe)
			us += 3600LL * 1000000;
		else
			us -= 1000000;
		uint8_t *bytes = malloc(caplen ? caplen : 1);
		if (!bytes)
			abort();
		memcpy(bytes, data + off, caplen);
		off += caplen;
		struct np_frame f = {
			.n = ++n,
			.ts_sec = us / 1000000,
			.ts_usec = (uint32_t)(us % 1000000),
			.caplen = (uint32_t)caplen,
			.len = extra == 0xff ? (uint32_t)caplen / 2 : (uint32_t)caplen + extra,
			.dlt = dlt,
			.data = bytes,
		};
		fz_pipeline_frame(&z, &f);
		free(bytes);
	}
	fz_pipeline_end(&z, n);
	return 0;
}
