/* test_tls.c - a TLS ServerHello cut at every length by the segment's end (the record goes on
 * in the next segment; src/proto/tls.c, tls_print.c): how far its body was there (`got`) says which fields were read, and what was not read is neither shown
 * in the -v tree nor named in JSON (a cipher suite of 0 would read TLS_NULL_WITH_NULL_NULL). */
#include "testutil.h"

#include "netprobe/decode.h"
#include "netprobe/print.h"

#define TLS_AT 40          /* IPv4 + TCP headers */
#define VERSION_END (TLS_AT + 5 + 4 + 2)
#define CIPHER_END (VERSION_END + 32 + 1 + 2 + 1) /* random, empty session id, suite, comp */

/* IPv4 + TCP 443 -> 49152 [ACK] + a handshake record holding a ServerHello (TLS 1.2,
 * TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, no extensions). Returns the frame size. */
static uint32_t build(uint8_t *f)
{
	static const uint8_t head[] = {
		0x45, 0x00, 0x00, 0x00, 0x00, 0x01, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
		0x0a, 0x4d, 0x02, 0x02, 0x0a, 0x4d, 0x02, 0x01,     /* 10.77.2.2 -> 10.77.2.1 */
		0x01, 0xbb, 0xc0, 0x00, 0, 0, 0, 1, 0, 0, 0, 1,     /* 443 -> 49152, seq, ack */
		0x50, 0x10, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,     /* hdr 20, ACK, window */
		0x16, 0x03, 0x03, 0x00, 42,                         /* handshake record, 42 bytes */
		0x02, 0x00, 0x00, 38,                               /* ServerHello, 38 bytes */
		0x03, 0x03,                                         /* legacy version TLS 1.2 */
	};
	uint32_t len = 0;
	t_append(f, &len, head, sizeof head);
	uint8_t random[32];
	memset(random, 0x5a, sizeof random);
	t_append(f, &len, random, sizeof random);
	static const uint8_t tail[] = { 0x00, 0xc0, 0x2c, 0x00 }; /* sid, suite, compression */
	t_append(f, &len, tail, sizeof tail);
	t_put16(f + 2, (uint16_t)len);
	t_fix_ip4(f);
	t_fix_l4_ip4(f, 16);
	return len;
}

/* The -v tree and the JSON object of p, into buf. */
static void render(const struct np_packet *p, char *buf, size_t cap)
{
	FILE *o = fmemopen(buf, cap, "w");
	assert_non_null(o);
	struct np_print_ctx ctx;
	np_print_init(&ctx, o, NP_TS_RELATIVE, false);
	np_print_tree(&ctx, p, NULL);
	np_print_json_object(o, p, NULL);
	fclose(o);
}

static void test_every_cut(void **state)
{
	(void)state;
	uint8_t f[128];
	uint32_t n = build(f);
	assert_int_equal(n, CIPHER_END);
	static char out[65536];
	for (uint32_t cap = TLS_AT + 9; cap <= n; cap++) {
		uint8_t seg[128];
		memcpy(seg, f, cap);
		t_put16(seg + 2, (uint16_t)cap); /* a shorter segment, not a snapshot cut */
		t_fix_ip4(seg);
		t_fix_l4_ip4(seg, 16);
		struct t_pkt t;
		t_decode(&t, DLT_RAW, seg, cap);
		t_assert_clean(&t.p);
		const struct np_tls *tls = &t.p.app.tls;
		unsigned want = cap >= CIPHER_END ? 2 : cap >= VERSION_END ? 1 : 0;
		if (tls->hello != 2)
			fail_msg("cut at %u: hello %u, %u records", cap, tls->hello, tls->nrec);
		assert_int_equal(tls->hello, 2);
		assert_int_equal(tls->got, want);
		memset(out, 0, sizeof out);
		render(&t.p, out, sizeof out);
		if (want == 2) {
			assert_int_equal(tls->cipher, 0xc02c);
			assert_non_null(strstr(out, "Cipher Suite: TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"));
			assert_non_null(strstr(out, "\"cipher_name\":\"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384\""));
		} else {
			assert_non_null(strstr(out, "[Hello cut short: the rest is not in this packet]"));
			assert_null(strstr(out, "Cipher Suite"));
			assert_null(strstr(out, "cipher_name"));
		}
		assert_int_equal(strstr(out, "Version: TLSv1.2 (0x0303)") != NULL, want >= 1);
		t_free(&t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
