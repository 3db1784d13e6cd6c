/* hex.c - the -x printer (and -X's rows, payload.c): offset, 16 bytes in hex (split 8+8) and their ASCII, as Wireshark's
 * bytes pane shows them. Reads the frame through the cursor like every other byte reader. */
#include <ctype.h>
#include <stdio.h>

#include "netprobe/cursor.h"
#include "netprobe/print.h"
#include "core/sbuf.h"

void np_print_hex_rows(FILE *o, struct np_cursor c)
{
	static const char hexd[] = "0123456789abcdef";
	while (np_cur_left(&c) > 0) {
		uint8_t row[16];
		size_t n = np_cur_left(&c) < 16 ? np_cur_left(&c) : 16;
		size_t off = c.off;
		np_cur_bytes(&c, row, n);
		/* "%04zx ", then " %02x" per byte (a space more after the 8th), "   " for the bytes a
		 * short last row lacks, "   " and the ASCII: built in one buffer, one fwrite a row
		 * (a fprintf per byte was the cost of -x). At most 8 + 1 + 49 + 3 + 16 + 1 bytes. */
		char line[96];
		struct np_sbuf sb = np_sb_make(line, sizeof line);
		np_sb_hex(&sb, off, 4);
		np_sb_ch(&sb, ' ');
		for (size_t i = 0; i < 16; i++) {
			if (i == 8)
				np_sb_ch(&sb, ' ');
			if (i < n) {
				char h[3] = { ' ', hexd[row[i] >> 4], hexd[row[i] & 0xf] };
				np_sb_mem(&sb, h, 3);
			} else {
				np_sb_lit(&sb, "   ");
			}
		}
		np_sb_lit(&sb, "   ");
		for (size_t i = 0; i < n; i++)
			np_sb_ch(&sb, isprint(row[i]) && row[i] < 0x80 ? (char)row[i] : '.');
		np_sb_ch(&sb, '\n');
		fwrite_unlocked(line, 1, sb.len, o);
	}
}

void np_print_hex(struct np_print_ctx *ctx, const struct np_packet *p)
{
	np_print_hex_rows(ctx->out, np_cur_make(p->frame->data, p->frame->caplen));
	fputc('\n', ctx->out);
}
