/* fuzz_pcapfile.c - libFuzzer harness over whole capture files: the input is a pcap or pcapng
 * file, plain or gzip/zstd-compressed (zread.c), read by libpcap's offline reader through
 * netprobe's own source (np_source_open_stream on fmemopen), then every frame goes through the same pipeline as fuzz_frame.c. Files with a link
 * type netprobe does not decode are refused, as `netprobe watch -r` refuses them. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netprobe/capture.h"
#include "netprobe/decode.h"
#include "pipeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	/* fmemopen wants a writable buffer in some libcs; a copy also keeps the input const. */
	uint8_t *copy = malloc(size);
	if (!copy)
		abort();
	memcpy(copy, data, size);
	FILE *fp = fmemopen(copy, size, "rb");
	if (!fp)
		abort();
	struct np_source *src = NULL;
	char err[512];
	if (np_source_open_stream(&src, fp, "fuzz input", err, sizeof err) < 0) {
		fclose(fp);
		free(copy);
		return 0;
	}
	if (np_link_supported(src->dlt)) {
		struct fz_pipeline z;
		/* The options come from the file's size: deterministic for a given input. */
		if (fz_pipeline_begin(&z, (uint8_t)(size * 37u)) < 0)
			abort();
		struct np_frame f;
		while (np_source_next(src, &f, err, sizeof err) == NP_NEXT_FRAME)
			fz_pipeline_frame(&z, &f);
		struct np_source_stats st;
		np_source_stats(src, &st);
		fz_pipeline_end(&z, st.frames);
	}
	np_source_close(src); /* closes fp */
	free(copy);
	return 0;
}
