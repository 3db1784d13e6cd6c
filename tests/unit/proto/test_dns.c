/* test_dns.c - DNS (src/proto/dns.c, RFC 1035): names with compression (s4.1.4) followed
 * through the cursor, pointer loops and pointers out of bounds refused, a whole response over
 * UDP and over TCP decoded record by record, and every prefix of it. */
#include "testutil.h"

#include "netprobe/decode.h"
#include "netprobe/print.h"

static enum np_verdict name_at(const uint8_t *m, size_t n, size_t *off, char *out, size_t cap)
{
	struct np_cursor c = np_cur_make(m, n);
	return np_dns_name(&c, off, out, cap);
}

static void test_name_plain_and_pointer(void **state)
{
	(void)state;
	static const uint8_t m[] = {
		3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 4, 't', 'e', 's', 't', 0,
		/* offset 18: "mail" then a pointer to offset 4 ("example.test") */
		4, 'm', 'a', 'i', 'l', 0xc0, 0x04,
		/* offset 25: the root */
		0,
	};
	char out[300];
	size_t off = 0;
	assert_int_equal(name_at(m, sizeof m, &off, out, sizeof out), NP_OK);
	assert_string_equal(out, "www.example.test");
	assert_int_equal(off, 18);
	off = 18;
	assert_int_equal(name_at(m, sizeof m, &off, out, sizeof out), NP_OK);
	assert_string_equal(out, "mail.example.test");
	assert_int_equal(off, 25); /* past the pointer, not past where it led */
	off = 25;
	assert_int_equal(name_at(m, sizeof m, &off, out, sizeof out), NP_OK);
	assert_string_equal(out, "<Root>");
	assert_int_equal(off, 26);
}

/* A pointer to itself, two pointers to each other, a label then a pointer back to it: each
 * is a loop, refused after the jump bound, never an endless walk. */
static void test_name_loops(void **state)
{
	(void)state;
	static const uint8_t self[] = { 0xc0, 0x00 };
	static const uint8_t pair[] = { 0xc0, 0x02, 0xc0, 0x00 };
	static const uint8_t grow[] = { 1, 'a', 0xc0, 0x00 };
	char out[2048];
	size_t off = 0;
	assert_int_equal(name_at(self, sizeof self, &off, out, sizeof out), NP_INVALID);
	off = 0;
	assert_int_equal(name_at(pair, sizeof pair, &off, out, sizeof out), NP_INVALID);
	off = 0;
	assert_int_equal(name_at(grow, sizeof grow, &off, out, sizeof out), NP_INVALID);
}

/* A pointer past the message, a label past the captured bytes, an extended label type, a
 * name longer than 255 bytes, and an offset past the end. */
static void test_name_bounds(void **state)
{
	(void)state;
	static const uint8_t far[] = { 1, 'a', 0xc0, 0x40 };
	static const uint8_t cut[] = { 5, 'a', 'b' };
	static const uint8_t ext[] = { 0x41, 0 };
	static const uint8_t unterminated[] = { 1, 'a' };
	char out[2048];
	size_t off = 0;
	assert_int_equal(name_at(far, sizeof far, &off, out, sizeof out), NP_INVALID);
	off = 0;
	assert_int_equal(name_at(cut, sizeof cut, &off, out, sizeof out), NP_TRUNCATED);
	off = 0;
	assert_int_equal(name_at(ext, sizeof ext, &off, out, sizeof out), NP_INVALID);
	off = 0;
	assert_int_equal(name_at(unterminated, sizeof unterminated, &off, out, sizeof out),
			 NP_TRUNCATED);
	off = 10;
	assert_int_equal(name_at(far, sizeof far, &off, out, sizeof out), NP_TRUNCATED);
	uint8_t big[300];
	size_t n = 0;
	while (n + 64 < sizeof big) {
		big[n++] = 63;
		memset(big + n, 'x', 63);
		n += 63;
	}
	big[n++] = 0;
	off = 0;
	assert_int_equal(name_at(big, n, &off, out, sizeof out), NP_INVALID);
}

/* Bytes that are not printing ASCII, '.' and '\' inside a label: \DDD, as dig writes them. */
static void test_name_escapes(void **state)
{
	(void)state;
	static const uint8_t m[] = { 4, 'a', '.', 0x00, '\\', 0 };
	char out[64];
	size_t off = 0;
	assert_int_equal(name_at(m, sizeof m, &off, out, sizeof out), NP_OK);
	assert_string_equal(out, "a\\046\\000\\092");
}

/* IPv4 + UDP 53 + a response: question www.example.test A, answer (compressed owner) A
 * 10.77.0.5, answer CNAME, and OPT in the additional section. */
static const uint8_t resp[] = {
	0x45, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00, /* IPv4, UDP */
	0x0a, 0x4d, 0x02, 0x02, 0x0a, 0x4d, 0x02, 0x01,                         /* addresses */
	0x00, 0x35, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00,     /* UDP 53 -> 49152, length, csum */
	0x1a, 0x2b,                                         /* ID */
	0x81, 0x80,                                         /* QR RD RA, no error */
	0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01,     /* 1 question, 2 answers, 1 additional */
	3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 4, 't', 'e', 's', 't', 0,
	0x00, 0x01, 0x00, 0x01,                             /* type A, class IN */
	0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01,                 /* -> www.example.test A IN */
	0x00, 0x00, 0x01, 0x2c, 0x00, 0x04, 10, 77, 0, 5,  /* TTL 300, 10.77.0.5 */
	0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01,                 /* CNAME IN */
	0x00, 0x00, 0x00, 0x3c, 0x00, 0x07,                 /* TTL 60, rdlength 7 */
	4, 'm', 'a', 'i', 'l', 0xc0, 0x10,                  /* mail.example.test */
	0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* OPT, 1232 */
};

static uint32_t make(uint8_t *f)
{
	memcpy(f, resp, sizeof resp);
	t_put16(f + 2, sizeof resp);
	t_put16(f + 24, sizeof resp - 20);
	t_fix_ip4(f);
	t_fix_l4_ip4(f, 6);
	return sizeof resp;
}

static void test_response(void **state)
{
	(void)state;
	uint8_t f[sizeof resp];
	uint32_t n = make(f);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	t_assert_clean(&t.p);
	const struct np_pkt_layer *l = np_pkt_app(&t.p);
	assert_non_null(l);
	assert_int_equal(l->kind, NP_L_DNS);
	const struct np_dns *d = &t.p.app.dns;
	assert_int_equal(d->id, 0x1a2b);
	assert_int_equal(d->nrr, 4);
	assert_string_equal(d->text + d->rr[0].name, "www.example.test");
	assert_int_equal(d->rr[1].type, 1);
	assert_int_equal(d->rr[1].ttl, 300);
	assert_string_equal(d->text + d->rr[1].data, "10.77.0.5");
	assert_string_equal(d->text + d->rr[2].data, "mail.example.test");
	assert_int_equal(d->rr[3].type, 41);
	assert_int_equal(d->rr[3].cls, 1232);
	char info[256];
	np_format_info(&t.p, NULL, false, info, sizeof info);
	assert_string_equal(info, "Standard query response 0x1a2b A www.example.test A 10.77.0.5 "
				  "CNAME mail.example.test OPT");
	t_free(&t);
}

/* A CNAME whose name runs past its rdlength, and a pointer to itself in the answer's owner:
 * invalid (malformed), the records before it kept. */
static void test_response_invalid(void **state)
{
	(void)state;
	uint8_t f[sizeof resp];
	uint32_t n = make(f);
	f[89] = 0x03; /* the CNAME's rdlength: 3, of a 7-byte name */
	t_fix_l4_ip4(f, 6);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	assert_true(t.p.malformed);
	assert_true(t_has_problem(&t.p, NP_L_DNS, NP_INVALID));
	t_free(&t);
	n = make(f);
	f[63] = 34; /* the first answer's owner points at itself (frame 62 = message 34) */
	t_fix_l4_ip4(f, 6);
	t_decode(&t, DLT_RAW, f, n);
	assert_true(t_has_problem(&t.p, NP_L_DNS, NP_INVALID));
	assert_int_equal(t.p.app.dns.nrr, 1);
	t_free(&t);
}

static void check_prefix(const struct np_packet *full, const struct np_packet *cut,
			 uint32_t caplen)
{
	(void)full;
	const struct np_pkt_layer *l = np_pkt_app(cut);
	if (caplen < 28)
		assert_null(l);
	if (l && caplen < sizeof resp) {
		assert_true(cut->truncated);
		assert_false(cut->malformed);
	}
}

static void test_every_prefix(void **state)
{
	(void)state;
	uint8_t f[sizeof resp];
	uint32_t n = make(f);
	t_every_prefix(DLT_RAW, f, n, check_prefix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_plain_and_pointer),
		cmocka_unit_test(test_name_loops),
		cmocka_unit_test(test_name_bounds),
		cmocka_unit_test(test_name_escapes),
		cmocka_unit_test(test_response),
		cmocka_unit_test(test_response_invalid),
		cmocka_unit_test(test_every_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
