/* zread.c - gzip (RFC 1952, through zlib) and zstd (RFC 8878, through libzstd) capture files,
 * recognised by their magic bytes (never by name) and decompressed on the fly behind a stdio
 * stream (fopencookie(3)) that libpcap reads like the plain file: no temporary file, no thread,
 * no system call beyond read(2) once the capture runs (the sandbox allows nothing else), and
 * memory bounded by one input buffer plus the decompressor's window (32 KiB for gzip, at most
 * libzstd's default limit of 128 MiB for zstd; a frame asking for more is refused). */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "netprobe/zread.h"

#define ZREAD_INBUF (64 * 1024)

struct np_zread {
	FILE *under;
	int fd;  /* under's descriptor, read with read(2); -1: a memory stream, read with fread */
	enum np_zkind kind;
	unsigned char *in;  /* compressed bytes (first the peeked magic) */
	size_t in_len, in_pos;
	bool in_eof;
	z_stream zs;
	bool zs_ready, member_end;
	ZSTD_DCtx *zd;
	bool frame_open; /* zstd: inside a frame (ZSTD_decompressStream returned non-zero) */
	char err[192];
};

/* Reads what is there (a pipe: what the writer has written so far, at most n bytes). */
static ssize_t under_read(struct np_zread *z, void *buf, size_t n)
{
	if (z->fd >= 0)
		return read(z->fd, buf, n);
	size_t got = fread(buf, 1, n, z->under);
	return got == 0 && ferror(z->under) ? -1 : (ssize_t)got;
}

/* The next input bytes into z->in; 0 or -1 (errno kept, EINTR for a stop signal). */
static int refill(struct np_zread *z)
{
	ssize_t n = under_read(z, z->in, ZREAD_INBUF);
	if (n < 0)
		return -1;
	z->in_len = (size_t)n;
	z->in_pos = 0;
	z->in_eof = n == 0;
	return 0;
}

/* Records what is wrong with the compressed data; the read fails with EIO. */
static ssize_t fail(struct np_zread *z, const char *what, const char *detail)
{
	snprintf(z->err, sizeof z->err, "%s%s%s%s", what, detail ? " (" : "", detail ? detail : "",
		 detail ? ")" : "");
	errno = EIO;
	return -1;
}

static ssize_t gzip_read(struct np_zread *z, char *buf, size_t size)
{
	for (;;) {
		if (z->member_end) {
			if (z->in_pos == z->in_len && !z->in_eof) {
				if (refill(z) < 0)
					return -1;
				continue;
			}
			if (z->in_pos == z->in_len)
				return 0; /* the end, after a complete member */
			/* gzip(1) concatenates members ("cat a.gz b.gz"): the next one follows. */
			inflateReset(&z->zs);
			z->member_end = false;
		}
		z->zs.next_in = z->in + z->in_pos;
		z->zs.avail_in = (uInt)(z->in_len - z->in_pos);
		z->zs.next_out = (Bytef *)buf;
		z->zs.avail_out = (uInt)(size > UINT32_MAX ? UINT32_MAX : size);
		uInt asked = z->zs.avail_out;
		int rc = inflate(&z->zs, Z_NO_FLUSH);
		z->in_pos = z->in_len - z->zs.avail_in;
		size_t n = asked - z->zs.avail_out;
		if (rc == Z_STREAM_END)
			z->member_end = true;
		else if (rc != Z_OK && rc != Z_BUF_ERROR)
			return fail(z, "corrupt gzip data", z->zs.msg ? z->zs.msg : "zlib error");
		if (n > 0)
			return (ssize_t)n;
		if (z->member_end)
			continue;
		if (z->in_eof)
			return fail(z, "truncated gzip data: the file ends inside a compressed stream",
				    NULL);
		if (refill(z) < 0)
			return -1;
	}
}

static ssize_t zstd_read(struct np_zread *z, char *buf, size_t size)
{
	for (;;) {
		ZSTD_inBuffer in = { z->in, z->in_len, z->in_pos };
		ZSTD_outBuffer out = { buf, size, 0 };
		size_t rc = ZSTD_decompressStream(z->zd, &out, &in);
		bool moved = in.pos > z->in_pos || out.pos > 0;
		z->in_pos = in.pos;
		if (ZSTD_isError(rc))
			return fail(z, "corrupt zstd data", ZSTD_getErrorName(rc));
		/* 0: a frame ended, all flushed. A call that moved nothing (no input left) says
		 * only how much the next frame's header needs, which is no news. */
		if (moved)
			z->frame_open = rc != 0;
		if (out.pos > 0)
			return (ssize_t)out.pos;
		if (z->in_pos < z->in_len)
			continue; /* e.g. a frame header consumed, no output yet */
		if (z->in_eof)
			return z->frame_open ? fail(z, "truncated zstd data: the file ends inside a "
						       "compressed frame", NULL)
					     : 0;
		if (refill(z) < 0)
			return -1;
	}
}

/* A plain capture read from a pipe: the peeked bytes, then the pipe itself. */
static ssize_t plain_read(struct np_zread *z, char *buf, size_t size)
{
	if (z->in_pos < z->in_len) {
		size_t n = z->in_len - z->in_pos < size ? z->in_len - z->in_pos : size;
		memcpy(buf, z->in + z->in_pos, n);
		z->in_pos += n;
		return (ssize_t)n;
	}
	return under_read(z, buf, size);
}

static ssize_t zread_read(void *cookie, char *buf, size_t size)
{
	struct np_zread *z = cookie;
	if (z->err[0]) {
		errno = EIO;
		return -1;
	}
	if (size == 0)
		return 0;
	switch (z->kind) {
	case NP_Z_GZIP: return gzip_read(z, buf, size);
	case NP_Z_ZSTD: return zstd_read(z, buf, size);
	default: return plain_read(z, buf, size);
	}
}

static void zread_free(struct np_zread *z)
{
	if (z->zs_ready)
		inflateEnd(&z->zs);
	ZSTD_freeDCtx(z->zd); /* accepts NULL */
	free(z->in);
	free(z);
}

static int zread_close(void *cookie)
{
	struct np_zread *z = cookie;
	int rc = z->under ? fclose(z->under) : 0;
	zread_free(z);
	return rc;
}

/* What the first bytes say; names the formats netprobe recognises but does not read. */
static enum np_zkind sniff(const unsigned char *m, size_t n, const char **refused)
{
	*refused = NULL;
	if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
		return NP_Z_GZIP;
	if (n >= 4 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd && m[0] == 0x28)
		return NP_Z_ZSTD;
	/* zstd skippable frames (RFC 8878 3.1.2): 0x184D2A50..5F, little-endian */
	if (n >= 4 && (m[0] & 0xf0) == 0x50 && m[1] == 0x2a && m[2] == 0x4d && m[3] == 0x18)
		return NP_Z_ZSTD;
	if (n >= 4 && m[0] == 0xfd && m[1] == '7' && m[2] == 'z' && m[3] == 'X')
		*refused = "xz";
	else if (n >= 3 && m[0] == 'B' && m[1] == 'Z' && m[2] == 'h')
		*refused = "bzip2";
	else if (n >= 4 && m[0] == 0x04 && m[1] == 0x22 && m[2] == 0x4d && m[3] == 0x18)
		*refused = "lz4";
	return NP_Z_NONE;
}

/* Up to 4 bytes from the start (fewer only at the end of the input). */
static ssize_t peek(struct np_zread *z)
{
	size_t got = 0;
	while (got < 4) {
		ssize_t n = under_read(z, z->in + got, 4 - got);
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static int start_decoder(struct np_zread *z, char *err, size_t errlen)
{
	if (z->kind == NP_Z_GZIP) {
		/* 16 + MAX_WBITS: a gzip wrapper, checked (CRC-32 and length) at each member's end */
		if (inflateInit2(&z->zs, 16 + MAX_WBITS) != Z_OK) {
			snprintf(err, errlen, "cannot start the gzip decompressor (zlib)");
			return -1;
		}
		z->zs_ready = true;
	} else if (z->kind == NP_Z_ZSTD && !(z->zd = ZSTD_createDCtx())) {
		snprintf(err, errlen, "out of memory (zstd decompressor)");
		return -1;
	}
	return 0;
}

FILE *np_zread_open(FILE *under, struct np_zread **zp, char *err, size_t errlen)
{
	struct np_zread *z = calloc(1, sizeof *z);
	*zp = NULL;
	if (!z || !(z->in = malloc(ZREAD_INBUF))) {
		free(z);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	z->under = under;
	z->fd = fileno(under);
	ssize_t n = peek(z);
	if (n < 0) {
		int e = errno;
		snprintf(err, errlen, "%s", strerror(e));
		zread_free(z);
		errno = e;
		return NULL;
	}
	z->in_len = (size_t)n;
	z->in_eof = n < 4;
	const char *refused;
	z->kind = sniff(z->in, z->in_len, &refused);
	if (refused) {
		snprintf(err, errlen, "%s-compressed file: netprobe reads gzip and zstd (try: %s -dc "
				      "FILE | netprobe watch -r -)", refused, refused);
		zread_free(z);
		return NULL;
	}
	struct stat st;
	bool seekable = z->fd >= 0 ? fstat(z->fd, &st) == 0 && S_ISREG(st.st_mode) : true;
	if (z->kind == NP_Z_NONE && seekable &&
	    (z->fd >= 0 ? lseek(z->fd, 0, SEEK_SET) == 0 : fseek(under, 0, SEEK_SET) == 0)) {
		zread_free(z); /* a plain file: libpcap reads it directly, as before */
		return under;
	}
	if (start_decoder(z, err, errlen) < 0) {
		zread_free(z);
		return NULL;
	}
	static const cookie_io_functions_t io = { .read = zread_read, .close = zread_close };
	FILE *fp = fopencookie(z, "rb", io);
	if (!fp) {
		snprintf(err, errlen, "out of memory");
		zread_free(z);
		return NULL;
	}
	*zp = z;
	return fp;
}

void np_zread_detach(struct np_zread *z)
{
	z->under = NULL;
}

const char *np_zread_error(const struct np_zread *z)
{
	return z && z->err[0] ? z->err : NULL;
}

enum np_zkind np_zread_kind(const struct np_zread *z)
{
	return z ? z->kind : NP_Z_NONE;
}
