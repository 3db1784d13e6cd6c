/* payload.h - the transport payload as the packet views show it (payload.c): -A's text, -X's
 * hex, the quoted snippet of the -v tree and the --ladder arrows, --json --payload. */
#ifndef NETPROBE_PRINT_PAYLOAD_H
#define NETPROBE_PRINT_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "netprobe/cursor.h"
#include "netprobe/print.h"

struct np_sbuf;
struct np_jw;

/* The payload of the innermost transport layer: `len` bytes by its headers (tshark's tcp.len,
 * UDP's length - 8), of which the capture holds the first `captured`, at `data`. */
struct np_payload {
	const uint8_t *data;
	uint32_t captured;
	uint32_t len;
};

/* The payload of the innermost TCP or UDP layer; false when there is none (no such layer, or
 * no payload bytes by its headers). */
bool np_payload_of(const struct np_packet *p, struct np_payload *pl);
/* The same, only when `l` is that layer (the -v tree asks for each TCP/UDP layer it shows;
 * an outer one, a tunnel's UDP, carries the inner frame, not application bytes). */
bool np_payload_of_layer(const struct np_packet *p, const struct np_pkt_layer *l,
			 struct np_payload *pl);

/* A one-line quoted snippet of the first of n bytes: "Hello, dog!\r\n", then … when not all
 * `total` bytes fit. Printable ASCII as is, \r \n \t \" \\ escaped, valid printable UTF-8 when
 * `utf8` (not in the ladder, whose columns are counted in bytes), anything else '.'. At most
 * `cols` columns; nothing when even one byte's snippet does not fit. Returns the columns. */
size_t np_payload_snippet(struct np_sbuf *sb, const uint8_t *d, size_t n, size_t total,
			  size_t cols, bool utf8);
/* The -v tree's payload line: "<ind>TCP payload (N bytes): "snippet"". */
void np_payload_tree_line(FILE *o, const char *proto, const struct np_packet *p,
			  const struct np_pkt_layer *l, uint32_t len);
/* The packet object's "payload" member (--json --payload): encoding, lengths and data. */
void np_payload_json(struct np_jw *w, const struct np_packet *p, enum np_payload_enc enc,
		     uint32_t max);
/* Rows of offset, 16 bytes in hex and their ASCII (hex.c; -x and -X). */
void np_print_hex_rows(FILE *o, struct np_cursor c);

#endif
