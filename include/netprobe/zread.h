/* zread.h - capture files compressed with gzip (RFC 1952) or zstd (RFC 8878), recognised by
 * their first bytes and decompressed as they are read: a stdio stream libpcap reads as it would
 * the plain file, with no temporary file and bounded memory. */
#ifndef NETPROBE_ZREAD_H
#define NETPROBE_ZREAD_H

#include <stddef.h>
#include <stdio.h>

struct np_zread;

enum np_zkind { NP_Z_NONE, NP_Z_GZIP, NP_Z_ZSTD };

/* Wraps `under` (an open stream, positioned at the start of the file; read with read(2) on its
 * descriptor when it has one, so a pipe hands over what it has without waiting for a full
 * buffer). Returns the stream to read the capture from: `under` itself for a plain seekable
 * file, else a stream of the decompressed (or, for a plain pipe, the same) bytes, which owns
 * `under` and fcloses it. *z is set to that stream's state (NULL when `under` is returned),
 * valid until the stream is closed, for np_zread_error. NULL with err filled (e.g. an xz file
 * or a read error; errno kept, EINTR for a stop signal): `under` is then still the caller's. */
FILE *np_zread_open(FILE *under, struct np_zread **z, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* Closing the stream will leave `under` open (the caller's again). */
void np_zread_detach(struct np_zread *z);
/* What the decompressor found wrong (data cut short, corrupt), or NULL. A read of the stream
 * fails (errno EIO) once this is set, and libpcap's own message is then the less precise one. */
const char *np_zread_error(const struct np_zread *z);
enum np_zkind np_zread_kind(const struct np_zread *z);

#endif
