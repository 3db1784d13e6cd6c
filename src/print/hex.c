/* hex.c - the -x printer: offset, 16 bytes in hex (split 8+8) and their ASCII, as Wireshark's
 * bytes pane shows them. Reads the frame through the cursor like every other byte reader. */
#include <ctype.h>

#include "netprobe/cursor.h"
#include "netprobe/print.h"

void np_print_hex(struct np_print_ctx *ctx, const struct np_packet *p)
{
	struct np_cursor c = np_cur_make(p->frame->data, p->frame->caplen);
	FILE *o = ctx->out;
	while (np_cur_left(&c) > 0) {
		uint8_t row[16];
		size_t n = np_cur_left(&c) < 16 ? np_cur_left(&c) : 16;
		size_t off = c.off;
		np_cur_bytes(&c, row, n);
		fprintf(o, "%04zx ", off);
		for (size_t i = 0; i < 16; i++) {
			if (i == 8)
				fputc(' ', o);
			if (i < n)
				fprintf(o, " %02x", row[i]);
			else
				fputs("   ", o);
		}
		fputs("   ", o);
		for (size_t i = 0; i < n; i++)
			fputc(isprint(row[i]) && row[i] < 0x80 ? row[i] : '.', o);
		fputc('\n', o);
	}
	fputc('\n', o);
}
