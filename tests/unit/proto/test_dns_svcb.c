/* test_dns_svcb.c - SVCB and HTTPS record data (src/proto/dns_svcb.c, RFC 9460 s2.2): a
 * ServiceMode HTTPS record in dig's presentation and one value per parameter, every prefix of
 * it, and the lies: parameters, alpn ids, names running past the data, values of the wrong
 * size for their key, a compressed TargetName; the caps on records and parameters kept. */
#include "testutil.h"

#include "netprobe/decode.h"
#include "netprobe/print.h"

#define IPUDP 28 /* IPv4 + UDP headers before the message */
#define RDATA_AT (IPUDP + 12 + 18 + 12) /* header, question, answer's fixed part */

/* IPv4 + UDP 53 + a response to example.test HTTPS with n answers of rtype, each with the
 * rdata given (its rdlength = rlen unless lie_len), checksums fixed. Returns the frame size. */
static uint32_t build(uint8_t *f, uint16_t rtype, unsigned n, const uint8_t *rd, size_t rlen,
		      int lie_len)
{
	static const uint8_t head[] = {
		0x45, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00,
		0x0a, 0x4d, 0x02, 0x02, 0x0a, 0x4d, 0x02, 0x01,     /* 10.77.2.2 -> 10.77.2.1 */
		0x00, 0x35, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00,     /* UDP 53 -> 49152 */
		0x1a, 0x2b, 0x81, 0x80,                             /* ID, QR RD RA */
		0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,     /* counts: answers set below */
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 4, 't', 'e', 's', 't', 0,
		0x00, 0x41, 0x00, 0x01,                             /* HTTPS IN */
	};
	uint32_t len = 0;
	t_append(f, &len, head, sizeof head);
	t_put16(f + IPUDP + 6, (uint16_t)n);
	for (unsigned i = 0; i < n; i++) {
		uint8_t rr[12] = { 0xc0, 0x0c, 0, 0, 0x00, 0x01, 0, 0, 0x01, 0x2c, 0, 0 };
		t_put16(rr + 2, rtype);
		t_put16(rr + 10, lie_len >= 0 ? (uint16_t)lie_len : (uint16_t)rlen);
		t_append(f, &len, rr, sizeof rr);
		t_append(f, &len, rd, rlen);
	}
	t_put16(f + 2, (uint16_t)len);
	t_put16(f + 24, (uint16_t)(len - 20));
	t_fix_ip4(f);
	t_fix_l4_ip4(f, 6);
	return len;
}

/* 1 . alpn="h2,h3" port=443 ipv4hint=10.77.0.5 ech=AQID ipv6hint=fd77::5 */
static const uint8_t good[] = {
	0x00, 0x01, 0x00,                                     /* priority 1, target root */
	0x00, 0x01, 0x00, 0x06, 2, 'h', '2', 2, 'h', '3',    /* alpn */
	0x00, 0x03, 0x00, 0x02, 0x01, 0xbb,                   /* port 443 */
	0x00, 0x04, 0x00, 0x04, 10, 77, 0, 5,                 /* ipv4hint */
	0x00, 0x05, 0x00, 0x03, 1, 2, 3,                      /* ech */
	0x00, 0x06, 0x00, 0x10, 0xfd, 0x77, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5,
};

static void test_https(void **state)
{
	(void)state;
	uint8_t f[512];
	uint32_t n = build(f, 65, 1, good, sizeof good, -1);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	t_assert_clean(&t.p);
	const struct np_dns *d = &t.p.app.dns;
	assert_int_equal(d->nrr, 2);
	const struct np_dns_rr *rr = &d->rr[1];
	assert_string_equal(d->text + rr->data, "1 . alpn=\"h2,h3\" port=443 ipv4hint=10.77.0.5 "
						"ech=AQID ipv6hint=fd77::5");
	assert_int_equal(rr->svcb, 1);
	const struct np_dns_svcb *s = &d->svcb[0];
	assert_int_equal(s->priority, 1);
	assert_string_equal(d->text + s->target, "<Root>");
	assert_int_equal(s->nparams, 5);
	static const char *const want[] = { "h2,h3", "443", "10.77.0.5", "AQID", "fd77::5" };
	static const uint16_t keys[] = { 1, 3, 4, 5, 6 };
	for (unsigned i = 0; i < 5; i++) {
		assert_int_equal(s->p[i].key, keys[i]);
		assert_string_equal(d->text + s->p[i].value, want[i]);
	}
	char info[256];
	np_format_info(&t.p, NULL, false, info, sizeof info);
	assert_string_equal(info, "Standard query response 0x1a2b HTTPS example.test HTTPS");
	t_free(&t);
}

/* SVCB with a target, mandatory, no-default-alpn, dohpath and an unknown key whose value has
 * a quote, a backslash and a byte that does not print. */
static void test_svcb_strings(void **state)
{
	(void)state;
	static const uint8_t rd[] = {
		0x00, 0x02, 3, 'd', 'n', 's', 0,                 /* priority 2, target "dns" */
		0x00, 0x00, 0x00, 0x04, 0x00, 0x01, 0x00, 0x03,  /* mandatory=alpn,port */
		0x00, 0x01, 0x00, 0x04, 3, 'd', 'o', 't',        /* alpn dot */
		0x00, 0x02, 0x00, 0x00,                          /* no-default-alpn */
		0x00, 0x03, 0x00, 0x02, 0x03, 0x55,              /* port 853 */
		0x00, 0x07, 0x00, 0x02, '/', 'q',                /* dohpath */
		0xfd, 0xe8, 0x00, 0x04, '"', '\\', 1, 'a',      /* key65000 */
	};
	uint8_t f[512];
	uint32_t n = build(f, 64, 1, rd, sizeof rd, -1);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	t_assert_clean(&t.p);
	const struct np_dns *d = &t.p.app.dns;
	assert_string_equal(d->text + d->rr[1].data,
			    "2 dns mandatory=alpn,port alpn=\"dot\" no-default-alpn port=853 "
			    "dohpath=\"/q\" key65000=\"\\\"\\\\\\001a\"");
	const struct np_dns_svcb *s = &d->svcb[0];
	assert_string_equal(d->text + s->target, "dns");
	assert_int_equal(s->nparams, 6);
	assert_string_equal(d->text + s->p[0].value, "alpn,port");
	assert_int_equal(s->p[2].len, 0);
	assert_string_equal(d->text + s->p[2].value, "");
	assert_string_equal(d->text + s->p[5].value, "\"\\\\\\001a");
	t_free(&t);
}

/* Each lie is a recorded invalid record, never a read past the data. */
static void expect_invalid(const uint8_t *rd, size_t rlen, int lie_len)
{
	uint8_t f[512];
	uint32_t n = build(f, 65, 1, rd, rlen, lie_len);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	assert_true(t.p.malformed);
	assert_true(t_has_problem(&t.p, NP_L_DNS, NP_INVALID));
	assert_int_equal(t.p.app.dns.nsvcb, 0);
	assert_int_equal(t.p.app.dns.rr[1].data, NP_DNS_NONE);
	t_free(&t);
}

static void test_lies(void **state)
{
	(void)state;
	/* a SvcParam whose length runs past the record's data */
	static const uint8_t past[] = { 0, 1, 0, 0, 1, 0, 40, 2, 'h', '2' };
	expect_invalid(past, sizeof past, -1);
	/* a parameter header cut by the data's end */
	static const uint8_t half[] = { 0, 1, 0, 0, 1, 0 };
	expect_invalid(half, sizeof half, -1);
	/* an alpn id longer than its value, an empty alpn id, an empty alpn */
	static const uint8_t alpn_past[] = { 0, 1, 0, 0, 1, 0, 3, 9, 'h', '2' };
	expect_invalid(alpn_past, sizeof alpn_past, -1);
	static const uint8_t alpn_zero[] = { 0, 1, 0, 0, 1, 0, 1, 0 };
	expect_invalid(alpn_zero, sizeof alpn_zero, -1);
	static const uint8_t alpn_none[] = { 0, 1, 0, 0, 1, 0, 0 };
	expect_invalid(alpn_none, sizeof alpn_none, -1);
	/* values of the wrong size: port 3 bytes, ipv4hint 5, ipv6hint 4, mandatory 3, a value
	 * on no-default-alpn, an empty ipv4hint */
	static const uint8_t port3[] = { 0, 1, 0, 0, 3, 0, 3, 1, 0xbb, 0 };
	expect_invalid(port3, sizeof port3, -1);
	static const uint8_t v4[] = { 0, 1, 0, 0, 4, 0, 5, 10, 77, 0, 5, 1 };
	expect_invalid(v4, sizeof v4, -1);
	static const uint8_t v6[] = { 0, 1, 0, 0, 6, 0, 4, 0xfd, 0x77, 0, 0 };
	expect_invalid(v6, sizeof v6, -1);
	static const uint8_t mand[] = { 0, 1, 0, 0, 0, 0, 3, 0, 1, 0 };
	expect_invalid(mand, sizeof mand, -1);
	static const uint8_t nodef[] = { 0, 1, 0, 0, 2, 0, 1, 7 };
	expect_invalid(nodef, sizeof nodef, -1);
	static const uint8_t v4none[] = { 0, 1, 0, 0, 4, 0, 0 };
	expect_invalid(v4none, sizeof v4none, -1);
	/* TargetName: compressed (a pointer to the question's name), and running past the data */
	static const uint8_t ptr[] = { 0, 1, 0xc0, 0x0c };
	expect_invalid(ptr, sizeof ptr, -1);
	static const uint8_t name_past[] = { 0, 1, 5, 'a', 'b' };
	expect_invalid(name_past, sizeof name_past, -1);
	/* the priority alone cut: one byte of data */
	static const uint8_t one[] = { 0 };
	expect_invalid(one, sizeof one, -1);
	/* an rdlength shorter than the parameters: the name fits, the parameter does not */
	expect_invalid(good, sizeof good, 5);
}

/* More records than NP_DNS_MAX_SVCB and more parameters than NP_DNS_MAX_SVCP: the data text
 * holds every parameter; the ones past the caps are not kept one by one (counted as more). */
static void test_caps(void **state)
{
	(void)state;
	uint8_t rd[3 + 14 * 4];
	size_t k = 0;
	rd[k++] = 0;
	rd[k++] = 1;
	rd[k++] = 0;
	for (uint16_t key = 100; key < 114; key++) {
		t_put16(rd + k, key);
		t_put16(rd + k + 2, 0);
		k += 4;
	}
	uint8_t f[1400];
	uint32_t n = build(f, 64, 6, rd, k, -1);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	t_assert_clean(&t.p);
	const struct np_dns *d = &t.p.app.dns;
	assert_int_equal(d->nrr, 7);
	assert_int_equal(d->nsvcb, NP_DNS_MAX_SVCB);
	assert_int_equal(d->svcb[0].nparams, NP_DNS_MAX_SVCP);
	assert_true(d->svcb[0].more);
	assert_int_equal(d->rr[5].svcb, 0);
	assert_non_null(strstr(d->text + d->rr[6].data, " key113"));
	t_free(&t);
}

/* An ech value too long to keep as text: its length kept, its value and the data text not. */
static void test_long_ech(void **state)
{
	(void)state;
	uint8_t rd[3 + 4 + 1100];
	memset(rd, 0x41, sizeof rd);
	rd[0] = 0;
	rd[1] = 1;
	rd[2] = 0;
	t_put16(rd + 3, 5);
	t_put16(rd + 5, 1100);
	uint8_t f[1400];
	uint32_t n = build(f, 65, 1, rd, sizeof rd, -1);
	struct t_pkt t;
	t_decode(&t, DLT_RAW, f, n);
	t_assert_clean(&t.p);
	const struct np_dns *d = &t.p.app.dns;
	assert_int_equal(d->svcb[0].p[0].len, 1100);
	assert_int_equal(d->svcb[0].p[0].value, NP_DNS_NONE);
	assert_int_equal(d->rr[1].data, NP_DNS_NONE);
	t_free(&t);
}

static void check_prefix(const struct np_packet *full, const struct np_packet *cut,
			 uint32_t caplen)
{
	(void)full;
	(void)caplen;
	assert_false(cut->malformed);
}

static void test_every_prefix(void **state)
{
	(void)state;
	uint8_t f[512];
	uint32_t n = build(f, 65, 1, good, sizeof good, -1);
	t_every_prefix(DLT_RAW, f, n, check_prefix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_https),
		cmocka_unit_test(test_svcb_strings),
		cmocka_unit_test(test_lies),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_long_ech),
		cmocka_unit_test(test_every_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
