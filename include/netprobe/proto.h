/* proto.h - what a protocol unit in the new shape tells the printers: its names and its fields,
 * so that the printers show a new layer without knowing the protocol (src/decode/dispatch.c). */
#ifndef NETPROBE_PROTO_H
#define NETPROBE_PROTO_H

#include "netprobe/packet.h"

/* One field of a layer: JSON key, -v tree label, value; shown in hex with `hex` digits, else
 * in decimal. */
struct np_field {
	const char *key;
	const char *label;
	uint32_t value;
	uint8_t hex;
};

#define NP_MAX_FIELDS 8

struct np_unit {
	uint8_t kind;          /* enum np_layer */
	const char *key;       /* JSON object key, layer name in problems */
	const char *title;     /* -v tree heading, as Wireshark's */
	bool encap;            /* a tunnel: the layers after it are its payload (JSON nests them) */
	/* The fields to show, at most NP_MAX_FIELDS; returns how many. */
	unsigned (*fields)(const struct np_pkt_layer *l, struct np_field *out);
};

/* The unit registered for a layer kind, or NULL (the printers know the older kinds). */
const struct np_unit *np_unit_of(uint8_t kind);

#endif
