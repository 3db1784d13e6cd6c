/* test_payload.c - the transport payload in the packet views (src/print/payload.c): -A's text
 * rules (tcpdump -A's, plus visible UTF-8), the cut and not-captured lines, -X's rows, the
 * quoted snippet and its widths, and --json --payload (RFC 4648 base64 test vectors). */
#include <stdio.h>
#include <stdlib.h>

#include "netprobe/print.h"
#include "core/sbuf.h"
#include "print/payload.h"
#include "testutil.h"

/* Ethernet, IPv4 (20 bytes), UDP 40000 -> 8888 carrying `n` bytes of `pl`; the frame is cut to
 * `caplen` bytes (0: all of it). */
struct frame_buf {
	uint8_t b[2048];
	struct np_frame f;
	struct np_packet p;
};

static void build(struct frame_buf *fb, const void *pl, size_t n, uint32_t caplen)
{
	static const uint8_t eth[14] = { 2, 0x77, 0, 0, 1, 2, 2, 0x77, 0, 0, 1, 1, 0x08, 0x00 };
	uint8_t ip[20] = { 0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, 17, 0, 0, 10, 77, 1, 1, 10, 77, 1, 2 };
	uint8_t udp[8] = { 0x9c, 0x40, 0x22, 0xb8, 0, 0, 0, 0 }; /* checksum 0: none (IPv4) */
	t_put16(ip + 2, (uint16_t)(28 + n));
	t_put16(ip + 10, t_sum_finish(t_sum_add(0, ip, 20)));
	t_put16(udp + 4, (uint16_t)(8 + n));
	uint32_t len = 0;
	t_append(fb->b, &len, eth, sizeof eth);
	t_append(fb->b, &len, ip, sizeof ip);
	t_append(fb->b, &len, udp, sizeof udp);
	t_append(fb->b, &len, pl, n);
	memset(&fb->f, 0, sizeof fb->f);
	fb->f.n = 1;
	fb->f.len = len;
	fb->f.caplen = caplen ? caplen : len;
	fb->f.dlt = DLT_EN10MB;
	fb->f.data = fb->b;
	np_decode(&fb->f, &fb->p);
}

/* What a printer part wrote, as a string the caller frees. */
static char *render(void (*part)(struct np_print_ctx *, const struct np_packet *),
		    const void *pl, size_t n, uint32_t caplen, uint32_t max)
{
	struct frame_buf fb;
	build(&fb, pl, n, caplen);
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);
	assert_non_null(f);
	struct np_print_ctx ctx;
	np_print_init(&ctx, f, NP_TS_RELATIVE, false);
	ctx.payload_max = max;
	part(&ctx, &fb.p);
	fclose(f);
	return out;
}

#define TEXT(lit, max) render(np_print_payload_text, lit, sizeof(lit) - 1, 0, max)

static void check(char *got, const char *want)
{
	assert_string_equal(got, want);
	free(got);
}

static void test_text_lines(void **state)
{
	(void)state;
	/* A CR before a LF goes; the LF breaks the line; an empty line stays empty. */
	check(TEXT("GET / HTTP/1.1\r\nHost: x\r\n\r\nbody", 512),
	      "        GET / HTTP/1.1\n        Host: x\n\n        body\n");
	/* Tab and space kept; ESC, NUL, DEL and a lone CR are '.'. */
	check(TEXT("a\tb \x1b[31mc\rd\x00\x7f", 512), "        a\tb .[31mc.d..\n");
	/* A payload of one line feed is one empty line. */
	check(TEXT("\n", 512), "\n");
}

static void test_text_utf8(void **state)
{
	(void)state;
	check(TEXT("Gr\xc3\xbc\xc3\x9f" "e \xe2\x82\xac \xf0\x9f\x90\xb6", 512),
	      "        Grüße € 🐶\n");
	/* Overlong (C0 AF), surrogate (ED A0 80), past U+10FFFF (F4 90 80 80), a stray
	 * continuation byte: each byte a '.'. */
	check(TEXT("\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\x80", 512), "        ..|...|....|.\n");
	/* C1 control U+009B (a CSI to some terminals), bidirectional override U+202E, BOM. */
	check(TEXT("\xc2\x9b|\xe2\x80\xae|\xef\xbb\xbf", 512), "        ..|...|...\n");
	/* A character the cut splits is bytes, not text. */
	check(TEXT("ab\xe2\x82\xac", 4), "        ab..\n        … (1 more byte)\n");
}

static void test_text_cut(void **state)
{
	(void)state;
	check(TEXT("abcdefghij", 4), "        abcd\n        … (6 more bytes)\n");
	check(TEXT("abcdefghij", 10), "        abcdefghij\n");
	/* The snapshot length: 42 header bytes and 4 of the 10 payload bytes captured. */
	check(render(np_print_payload_text, "abcdefghij", 10, 46, 512),
	      "        abcd\n        … (6 bytes not captured)\n");
	check(render(np_print_payload_text, "abcdefghij", 10, 46, 2),
	      "        ab\n        … (8 more bytes, 6 not captured)\n");
	/* Nothing of the payload captured. */
	check(render(np_print_payload_text, "abcdefghij", 10, 42, 512),
	      "        … (10 bytes not captured)\n");
	/* No payload: nothing at all. */
	check(render(np_print_payload_text, "", 0, 0, 512), "");
}

static void test_hex(void **state)
{
	(void)state;
	check(render(np_print_payload_hex, "Hello, dog!\n0123456789", 22, 0, 512),
	      "0000  48 65 6c 6c 6f 2c 20 64  6f 67 21 0a 30 31 32 33   Hello, dog!.0123\n"
	      "0010  34 35 36 37 38 39                                  456789\n\n");
	check(render(np_print_payload_hex, "dog", 3, 0, 2),
	      "0000  64 6f                                              do\n… (1 more byte)\n\n");
}

/* The snippet of n bytes of s (total bytes `total`) in `cols` columns, and its width. */
static void snip(const char *s, size_t total, size_t cols, bool utf8, const char *want,
		 size_t want_cols)
{
	char buf[256];
	struct np_sbuf sb = np_sb_make(buf, sizeof buf);
	size_t w = np_payload_snippet(&sb, (const uint8_t *)s, strlen(s), total, cols, utf8);
	assert_string_equal(buf, want);
	assert_int_equal(w, want_cols);
}

static void test_snippet(void **state)
{
	(void)state;
	snip("Hello, dog!", 11, 13, false, "\"Hello, dog!\"", 13);
	snip("Hello, dog!", 11, 12, false, "\"Hello, do\"…", 12);
	snip("Hello, dog!", 11, 100, false, "\"Hello, dog!\"", 13);
	/* Bytes beyond those given: the ellipsis even when all given fit. */
	snip("dog", 40, 100, false, "\"dog\"…", 6);
	/* Escapes take two columns; an escape does not split. */
	snip("a\r\n\t\"\\", 6, 100, false, "\"a\\r\\n\\t\\\"\\\\\"", 13);
	snip("a\r\n", 3, 5, false, "\"a\"…", 4);
	/* Not even one byte fits: nothing. */
	snip("dog", 3, 3, false, "", 0);
	/* UTF-8 is one column when asked for, else its bytes are dots. */
	snip("\xc3\xbc", 2, 10, true, "\"ü\"", 3);
	snip("\xc3\xbc", 2, 10, false, "\"..\"", 4);
}

/* The JSON object of a packet carrying `pl`, with --payload `enc`. */
static char *json_of(const void *pl, size_t n, enum np_payload_enc enc, uint32_t max)
{
	struct frame_buf fb;
	build(&fb, pl, n, 0);
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);
	assert_non_null(f);
	struct np_print_ctx ctx;
	np_print_init(&ctx, f, NP_TS_RELATIVE, false);
	ctx.payload_json = enc;
	ctx.payload_json_max = max;
	np_print_json(&ctx, &fb.p, NULL);
	fclose(f);
	return out;
}

static void json_has(const char *pl, enum np_payload_enc enc, uint32_t max, const char *want)
{
	char *o = json_of(pl, strlen(pl), enc, max);
	if (!strstr(o, want))
		fail_msg("%s\nhas no %s", o, want);
	/* The last member: then only the packet's closing brace and the newline. */
	assert_string_equal(o + strlen(o) - 2, "}\n");
	assert_memory_equal(o + strlen(o) - strlen(want) - 2, want, strlen(want));
	free(o);
}

static void test_json(void **state)
{
	(void)state;
	/* RFC 4648 section 10's vectors. */
	json_has("f", NP_PAYLOAD_BASE64, UINT32_MAX,
		 "\"payload\":{\"encoding\":\"base64\",\"len\":1,\"data_len\":1,\"data\":\"Zg==\"}");
	json_has("fo", NP_PAYLOAD_BASE64, UINT32_MAX, "\"data\":\"Zm8=\"}");
	json_has("foo", NP_PAYLOAD_BASE64, UINT32_MAX, "\"data\":\"Zm9v\"}");
	json_has("foob", NP_PAYLOAD_BASE64, UINT32_MAX, "\"data\":\"Zm9vYg==\"}");
	json_has("fooba", NP_PAYLOAD_BASE64, UINT32_MAX, "\"data\":\"Zm9vYmE=\"}");
	json_has("foobar", NP_PAYLOAD_BASE64, UINT32_MAX, "\"data\":\"Zm9vYmFy\"}");
	json_has("dog\xff", NP_PAYLOAD_HEX, UINT32_MAX,
		 "{\"encoding\":\"hex\",\"len\":4,\"data_len\":4,\"data\":\"646f67ff\"}");
	json_has("foobar", NP_PAYLOAD_HEX, 2, "\"len\":6,\"data_len\":2,\"data\":\"666f\"}");
	/* Text: JSON escapes for the quote, backslash, CR, LF and tab; other bytes '.'. */
	json_has("a\"b\\c\r\n\t\x01\xc3\xbc", NP_PAYLOAD_TEXT, UINT32_MAX,
		 "\"data\":\"a\\\"b\\\\c\\r\\n\\t.ü\"}");
	/* No --payload: the object as before. */
	char *o = json_of("dog", 3, NP_PAYLOAD_NONE, UINT32_MAX);
	assert_null(strstr(o, "payload"));
	free(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_lines), cmocka_unit_test(test_text_utf8),
		cmocka_unit_test(test_text_cut),   cmocka_unit_test(test_hex),
		cmocka_unit_test(test_snippet),    cmocka_unit_test(test_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
