/* test_zread.c - compressed capture input (src/capture/zread.c) over memory streams: gzip and
 * zstd made here with zlib and libzstd decompress to the same bytes through every read size;
 * several gzip members read as one; every cut of a compressed stream ends in a clean error (never
 * a crash, never the wrong bytes); plain data comes back as it was; xz is refused. */
#include "netprobe/zread.h" /* first: the header must stand on its own */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>
#include <zstd.h>

#define PLAIN_LEN 200000

/* Deterministic data that compresses, but not to nothing. */
static uint8_t *plain_data(void)
{
	uint8_t *d = malloc(PLAIN_LEN);
	uint32_t x = 12345;
	for (size_t i = 0; i < PLAIN_LEN; i++) {
		x = x * 1103515245u + 12345u;
		d[i] = (uint8_t)(i % 7 == 0 ? x >> 24 : i / 97);
	}
	return d;
}

static size_t gzip_bytes(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	z_stream z = { 0 };
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	size_t len = cap - z.avail_out;
	deflateEnd(&z);
	return len;
}

static size_t zstd_bytes(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	size_t len = ZSTD_compress(out, cap, in, n, 3);
	assert_false(ZSTD_isError(len));
	return len;
}

/* Reads the whole stream over `buf` (n bytes) in reads of `chunk`; returns the bytes got and
 * whether the stream ended in an error. */
static size_t read_all(uint8_t *buf, size_t n, size_t chunk, uint8_t *out, size_t cap,
		       bool *error, enum np_zkind *kind)
{
	FILE *mem = fmemopen(buf, n, "rb");
	assert_non_null(mem);
	struct np_zread *z;
	char err[256];
	FILE *fp = np_zread_open(mem, &z, err, sizeof err);
	assert_non_null(fp);
	*kind = np_zread_kind(z);
	size_t got = 0, r;
	while (got < cap && (r = fread(out + got, 1, chunk < cap - got ? chunk : cap - got, fp)) > 0)
		got += r;
	*error = ferror(fp) != 0;
	if (*error)
		assert_non_null(np_zread_error(z)); /* the decompressor says what */
	fclose(fp);
	return got;
}

static void roundtrip(bool zstd)
{
	uint8_t *plain = plain_data(), *packed = malloc(PLAIN_LEN * 2), *out = malloc(PLAIN_LEN + 64);
	size_t n = zstd ? zstd_bytes(plain, PLAIN_LEN, packed, PLAIN_LEN * 2)
			: gzip_bytes(plain, PLAIN_LEN, packed, PLAIN_LEN * 2);
	static const size_t chunks[] = { 1, 7, 4096, 65536, PLAIN_LEN + 64 };
	for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
		bool error;
		enum np_zkind kind;
		size_t got = read_all(packed, n, chunks[i], out, PLAIN_LEN + 64, &error, &kind);
		assert_int_equal(kind, zstd ? NP_Z_ZSTD : NP_Z_GZIP);
		assert_false(error);
		assert_int_equal(got, PLAIN_LEN);
		assert_memory_equal(out, plain, PLAIN_LEN);
	}
	/* Every cut (a step of 97 bytes, and the last bytes one by one) ends in an error after at
	 * most the right bytes (all of them when only gzip's trailer, its CRC-32 and length, or
	 * zstd's checksum is missing), never wrong bytes or a crash. */
	for (size_t cut = 97; cut < n; cut += cut + 97 < n - 16 ? 97 : 1) {
		bool error;
		enum np_zkind kind;
		size_t got = read_all(packed, cut, 65536, out, PLAIN_LEN + 64, &error, &kind);
		assert_true(got <= PLAIN_LEN);
		if (got)
			assert_memory_equal(out, plain, got);
		assert_true(error);
	}
	free(plain);
	free(packed);
	free(out);
}

static void test_gzip(void **state)
{
	(void)state;
	roundtrip(false);
}

static void test_zstd(void **state)
{
	(void)state;
	roundtrip(true);
}

/* `cat a.gz b.gz`: one stream, as gzip -d reads it. */
static void test_gzip_members(void **state)
{
	(void)state;
	uint8_t *plain = plain_data(), *packed = malloc(PLAIN_LEN * 2), *out = malloc(PLAIN_LEN + 64);
	size_t a = gzip_bytes(plain, 1000, packed, PLAIN_LEN * 2);
	size_t b = gzip_bytes(plain + 1000, PLAIN_LEN - 1000, packed + a, PLAIN_LEN * 2 - a);
	bool error;
	enum np_zkind kind;
	size_t got = read_all(packed, a + b, 4096, out, PLAIN_LEN + 64, &error, &kind);
	assert_false(error);
	assert_int_equal(got, PLAIN_LEN);
	assert_memory_equal(out, plain, PLAIN_LEN);
	free(plain);
	free(packed);
	free(out);
}

/* Plain bytes: the stream itself comes back (seekable memory), at its start. */
static void test_plain_passthrough(void **state)
{
	(void)state;
	uint8_t buf[] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0 };
	FILE *mem = fmemopen(buf, sizeof buf, "rb");
	struct np_zread *z = (struct np_zread *)&z;
	char err[128];
	FILE *fp = np_zread_open(mem, &z, err, sizeof err);
	assert_ptr_equal(fp, mem);
	assert_null(z);
	uint8_t got[8];
	assert_int_equal(fread(got, 1, sizeof got, fp), sizeof got);
	assert_memory_equal(got, buf, sizeof buf);
	fclose(fp);
}

static void test_xz_refused(void **state)
{
	(void)state;
	uint8_t buf[] = { 0xfd, '7', 'z', 'X', 'Z', 0, 0, 4 };
	FILE *mem = fmemopen(buf, sizeof buf, "rb");
	struct np_zread *z;
	char err[256];
	assert_null(np_zread_open(mem, &z, err, sizeof err));
	assert_non_null(strstr(err, "xz-compressed file"));
	fclose(mem); /* still the caller's */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_zstd),
		cmocka_unit_test(test_gzip_members),
		cmocka_unit_test(test_plain_passthrough),
		cmocka_unit_test(test_xz_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
