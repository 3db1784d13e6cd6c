/* payload.c - what the applications said: the innermost TCP/UDP payload (or ICMP echo data) as -A text (tcpdump -A's
 * rules: printable ASCII, tab, space and line feeds kept, a CR before a LF dropped, other bytes
 * '.'; and valid UTF-8, RFC 3629, shown), as -X hex rows, as the quoted snippet of the -v tree
 * and the --ladder arrows, and as --json --payload's hex, base64 (RFC 4648) or text. The bytes
 * are the span the cursor bounds to the captured frame: nothing here reads past it. */
#include <string.h>

#include "core/sbuf.h"
#include "jw.h"
#include "payload.h"

/* -A's payload lines sit under the packet line's time column. */
#define TEXT_INDENT "        "

bool np_payload_of_layer(const struct np_packet *p, const struct np_pkt_layer *l,
			 struct np_payload *pl)
{
	if (!p->xport_at || l != &p->layer[p->xport_at - 1])
		return false;
	uint32_t len = l->kind == NP_L_TCP ? l->tcp.payload_len
		       : l->kind == NP_L_UDP ? l->udp.payload_len
					     : 0;
	/* An echo's data is what ping put there (tcpdump -A shows it); an error's is a quoted
	 * header, not payload. */
	if (l->kind == NP_L_ICMP && l->icmp.got >= 8 && (l->icmp.type == 0 || l->icmp.type == 8))
		len = l->icmp.data_len;
	else if (l->kind == NP_L_ICMP6 && l->icmp6.got >= 8 &&
		 (l->icmp6.type == 128 || l->icmp6.type == 129))
		len = l->icmp6.data_len;
	if (!len)
		return false;
	/* payload_off is the innermost transport layer's: its decoder set it with payload_len. */
	struct np_cursor c = np_cur_make(p->frame->data, p->frame->caplen);
	size_t got = np_cur_skip(&c, p->payload_off) ? np_cur_left(&c) : 0;
	pl->data = np_cur_ptr(&c);
	pl->captured = got < len ? (uint32_t)got : len;
	pl->len = len;
	return true;
}

bool np_payload_of(const struct np_packet *p, struct np_payload *pl)
{
	return p->xport_at && np_payload_of_layer(p, &p->layer[p->xport_at - 1], pl);
}

/* Code points shown as '.' although valid: C1 controls (a terminal may act on them), and the
 * invisible format characters that reorder or hide text (bidirectional overrides and isolates,
 * zero-width marks, line/paragraph separators, BOM, tags: "Trojan Source", CVE-2021-42574). */
static bool hidden(uint32_t cp)
{
	return cp < 0xa0 || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb) ||
	       (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe ||
	       (cp >= 0xe0000 && cp <= 0xe007f);
}

/* The length of the valid, visible multi-byte UTF-8 character at d (n bytes left), or 0: no
 * overlong forms, no surrogates, nothing past U+10FFFF (RFC 3629 section 4). */
static size_t utf8_len(const uint8_t *d, size_t n)
{
	uint8_t b = d[0], lo = 0x80, hi = 0xbf;
	size_t len;
	uint32_t cp;
	if (b >= 0xc2 && b <= 0xdf) {
		len = 2;
		cp = b & 0x1fu;
	} else if (b >= 0xe0 && b <= 0xef) {
		len = 3;
		cp = b & 0x0fu;
		lo = b == 0xe0 ? 0xa0 : 0x80;
		hi = b == 0xed ? 0x9f : 0xbf;
	} else if (b >= 0xf0 && b <= 0xf4) {
		len = 4;
		cp = b & 0x07u;
		lo = b == 0xf0 ? 0x90 : 0x80;
		hi = b == 0xf4 ? 0x8f : 0xbf;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		uint8_t c = d[i];
		if (c < (i == 1 ? lo : 0x80) || c > (i == 1 ? hi : 0xbf))
			return 0;
		cp = cp << 6 | (c & 0x3fu);
	}
	return hidden(cp) ? 0 : len;
}

static bool printable(uint8_t b)
{
	return b >= 0x20 && b < 0x7f;
}

/* --- -A: the payload as text, under the packet line --- */

struct text_out {
	FILE *o;
	size_t len;
	bool line_start;
	char buf[4096];
};

static void text_put(struct text_out *t, const void *s, size_t n)
{
	if (t->len + n > sizeof t->buf) {
		fwrite_unlocked(t->buf, 1, t->len, t->o);
		t->len = 0;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
}

/* One visible piece of a line (a byte, or a UTF-8 character of k bytes). */
static void text_piece(struct text_out *t, const void *s, size_t k)
{
	if (t->line_start)
		text_put(t, TEXT_INDENT, sizeof TEXT_INDENT - 1);
	t->line_start = false;
	text_put(t, s, k);
}

static void text_render(struct text_out *t, const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint8_t b = d[i];
		if (b == '\n') {
			text_put(t, "\n", 1); /* an empty line stays empty: no trailing blanks */
			t->line_start = true;
			i++;
			continue;
		}
		if (b == '\r' && i + 1 < n && d[i + 1] == '\n') {
			i++; /* the line break is the LF's; tcpdump -A drops this CR too */
			continue;
		}
		if (printable(b) || b == '\t') { /* a run of plain text goes in one copy */
			size_t k = 1;
			while (i + k < n && k < 256 && (printable(d[i + k]) || d[i + k] == '\t'))
				k++;
			text_piece(t, d + i, k);
			i += k;
			continue;
		}
		size_t k = b >= 0x80 ? utf8_len(d + i, n - i) : 0;
		if (k) {
			text_piece(t, d + i, k);
			i += k;
			continue;
		}
		char c = '.';
		text_piece(t, &c, 1);
		i++;
	}
}

/* "… (N more bytes)" after a payload shown only in part: cut at --payload-max, or not all of
 * it captured (the snapshot length), or both. */
static void more_line(char *line, size_t cap, const struct np_payload *pl, uint32_t shown)
{
	struct np_sbuf sb = np_sb_make(line, cap);
	uint32_t more = pl->len - shown, lost = pl->len - pl->captured;
	if (!more)
		return;
	np_sb_lit(&sb, "… (");
	np_sb_uint(&sb, more, 0, ' ');
	if (lost == more) {
		np_sb_str(&sb, more == 1 ? " byte not captured)\n" : " bytes not captured)\n");
		return;
	}
	np_sb_str(&sb, more == 1 ? " more byte" : " more bytes");
	if (lost) {
		np_sb_lit(&sb, ", ");
		np_sb_uint(&sb, lost, 0, ' ');
		np_sb_lit(&sb, " not captured");
	}
	np_sb_lit(&sb, ")\n");
}

static uint32_t shown_of(const struct np_payload *pl, uint32_t max)
{
	return pl->captured < max ? pl->captured : max;
}

void np_print_payload_text(struct np_print_ctx *ctx, const struct np_packet *p)
{
	struct np_payload pl;
	if (!np_payload_of(p, &pl))
		return;
	uint32_t shown = shown_of(&pl, ctx->payload_max);
	struct text_out t;
	t.o = ctx->out;
	t.len = 0;
	t.line_start = true;
	text_render(&t, pl.data, shown);
	if (!t.line_start)
		text_put(&t, "\n", 1);
	char more[96];
	more_line(more, sizeof more, &pl, shown);
	if (more[0]) {
		text_put(&t, TEXT_INDENT, sizeof TEXT_INDENT - 1);
		text_put(&t, more, strlen(more));
	}
	fwrite_unlocked(t.buf, 1, t.len, t.o);
}

/* --- -X: the payload in hex and ASCII, as -x shows the frame --- */

void np_print_payload_hex(struct np_print_ctx *ctx, const struct np_packet *p)
{
	struct np_payload pl;
	if (!np_payload_of(p, &pl))
		return;
	uint32_t shown = shown_of(&pl, ctx->payload_max);
	np_print_hex_rows(ctx->out, np_cur_make(pl.data, shown));
	char more[96];
	more_line(more, sizeof more, &pl, shown);
	fputs(more, ctx->out);
	fputc('\n', ctx->out);
}

/* --- the quoted snippet of -v and --ladder --- */

/* The piece of the snippet the byte at d[0] starts: its text in out (at most 4 bytes), its
 * columns in *w; returns the bytes it takes. */
static size_t snippet_piece(const uint8_t *d, size_t n, bool utf8, char out[4], size_t *olen,
			    size_t *w)
{
	static const char esc[] = { '\r', 'r', '\n', 'n', '\t', 't', '"', '"', '\\', '\\' };
	uint8_t b = d[0];
	for (size_t i = 0; i < sizeof esc; i += 2)
		if (b == (uint8_t)esc[i]) {
			out[0] = '\\';
			out[1] = esc[i + 1];
			*olen = *w = 2;
			return 1;
		}
	size_t k = utf8 && b >= 0x80 ? utf8_len(d, n) : 0;
	if (k) {
		memcpy(out, d, k);
		*olen = k;
		*w = 1;
		return k;
	}
	out[0] = printable(b) ? (char)b : '.';
	*olen = *w = 1;
	return 1;
}

size_t np_payload_snippet(struct np_sbuf *sb, const uint8_t *d, size_t n, size_t total,
			  size_t cols, bool utf8)
{
	size_t start = sb->len, used = 1, i = 0;
	np_sb_ch(sb, '"');
	while (i < n) {
		char piece[4];
		size_t olen, w, k = snippet_piece(d + i, n - i, utf8, piece, &olen, &w);
		/* The closing quote, and the ellipsis if bytes are left after this piece. */
		if (used + w + 1 + (i + k < total) > cols)
			break;
		for (size_t j = 0; j < olen; j++)
			np_sb_ch(sb, piece[j]);
		used += w;
		i += k;
	}
	if (i == 0) {
		sb->len = start;
		if (sb->cap)
			sb->buf[start] = '\0';
		return 0;
	}
	np_sb_ch(sb, '"');
	used++;
	if (i < total) {
		np_sb_lit(sb, "…");
		used++;
	}
	return used;
}

/* How many columns of text the -v payload line quotes. */
#define TREE_SNIPPET_COLS 66

void np_payload_tree_line(FILE *o, const char *proto, const struct np_packet *p,
			  const struct np_pkt_layer *l, uint32_t len)
{
	char line[512];
	struct np_sbuf sb = np_sb_make(line, sizeof line);
	struct np_payload pl;
	np_sb_lit(&sb, "    ");
	np_sb_str(&sb, proto);
	np_sb_lit(&sb, " payload (");
	np_sb_uint(&sb, len, 0, ' ');
	np_sb_lit(&sb, " bytes)");
	if (np_payload_of_layer(p, l, &pl) && pl.captured) {
		np_sb_lit(&sb, ": ");
		np_payload_snippet(&sb, pl.data, pl.captured, pl.len, TREE_SNIPPET_COLS, true);
	}
	np_sb_ch(&sb, '\n');
	fwrite_unlocked(line, 1, sb.len, o);
}

/* --- --json --payload --- */

static void json_hex(struct np_jw *w, const uint8_t *d, size_t n)
{
	static const char hexd[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		room(w, 2);
		*w->p++ = hexd[d[i] >> 4];
		*w->p++ = hexd[d[i] & 15];
	}
}

static void json_base64(struct np_jw *w, const uint8_t *d, size_t n)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)d[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)d[i + 1] << 8;
		if (i + 2 < n)
			v |= d[i + 2];
		room(w, 4);
		*w->p++ = b64[v >> 18];
		*w->p++ = b64[(v >> 12) & 63];
		*w->p++ = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		*w->p++ = i + 2 < n ? b64[v & 63] : '=';
	}
}

/* As -A shows it, in a JSON string: CR, LF and tab as escapes (so kept exactly), printable
 * ASCII and visible UTF-8 as they are, anything else '.'. */
static void json_text(struct np_jw *w, const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n;) {
		char piece[4];
		size_t olen, cols, k = snippet_piece(d + i, n - i, true, piece, &olen, &cols);
		room(w, 4);
		memcpy(w->p, piece, olen);
		w->p += olen;
		i += k;
	}
}

void np_payload_json(struct np_jw *w, const struct np_packet *p, enum np_payload_enc enc,
		     uint32_t max)
{
	static const char *const names[] = { "", "hex", "base64", "text" };
	struct np_payload pl;
	if (enc == NP_PAYLOAD_NONE || !np_payload_of(p, &pl))
		return;
	uint32_t n = shown_of(&pl, max);
	OPEN(w, "payload");
	STR(w, "encoding", names[enc]);
	NUM(w, "len", pl.len);
	NUM(w, "data_len", n);
	KEY(w, "data");
	*w->p++ = '"';
	if (enc == NP_PAYLOAD_HEX)
		json_hex(w, pl.data, n);
	else if (enc == NP_PAYLOAD_BASE64)
		json_base64(w, pl.data, n);
	else
		json_text(w, pl.data, n);
	ch(w, '"');
	close_obj(w);
}
