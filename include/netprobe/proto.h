/* proto.h - what a protocol unit tells the printers: its names and its three renderings (Info
 * column, -v tree, JSON object), or for a simple unit just its fields, so that the printers show
 * every layer without knowing any protocol (units: src/proto/; their table: src/decode/dispatch.c). */
#ifndef NETPROBE_PROTO_H
#define NETPROBE_PROTO_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "netprobe/packet.h"
#include "netprobe/track.h"

struct np_sbuf;
struct np_jw;

/* What a renderer may look at besides its own layer: the whole packet (ICMP's Info shows the
 * IP TTL), what the tracker knows of it (NULL when not tracking), and -S. Renderers only read:
 * they never parse bytes. */
struct np_view {
	const struct np_packet *p;
	const struct np_pkt_track *trk;
	bool absolute;
};

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
	bool encap;            /* a tunnel or shim: the Info column names it (`info`) before the
				* inner packet's text; JSON nests the inner packet in "inner" */
	/* Its name in JSON's "layers" list (its object's key) when that is not `key`; NULL: none. */
	const char *(*name)(const struct np_pkt_layer *l);
	/* Its name in the Protocol column (as the innermost transport layer) and in the Info
	 * column's checksum notes ("[TCP CHECKSUM INCORRECT]"), or NULL. */
	const char *proto;
	/* An application unit's Protocol column when it depends on the packet ("TLSv1.3"), or
	 * NULL: `proto`. */
	const char *(*column)(const struct np_packet *p);
	/* Where its layer keeps a checksum verdict (NP_CSUM_AT(member): an enum np_csum), or 0 for
	 * a protocol without a checksum. */
	uint16_t csum_at;
	/* A simple unit names its fields (at most NP_MAX_FIELDS; returns how many) and the printers
	 * render them; the renderers below, when set, take over. */
	unsigned (*fields)(const struct np_pkt_layer *l, struct np_field *out);
	/* The Info column, when this is the innermost transport or network layer (text.c picks);
	 * a tunnel's: the words naming it before the inner packet's Info ("VXLAN 42"). */
	void (*info)(struct np_sbuf *sb, const struct np_pkt_layer *l, const struct np_view *v);
	/* The -v tree lines of the layer (heading and indented fields). */
	void (*tree)(FILE *o, const struct np_pkt_layer *l, const struct np_view *v);
	/* The layer's members of the packet object; returns how many objects it left open for the
	 * layers it carries to nest in (a tunnel's), which the printer closes after them. */
	unsigned (*json)(struct np_jw *w, const struct np_pkt_layer *l, const struct np_view *v);
};

/* The unit registered for a layer kind, or NULL. */
const struct np_unit *np_unit_of(uint8_t kind);

#define NP_CSUM_AT(member) ((uint16_t)offsetof(struct np_pkt_layer, member))

/* The checksum verdict of a layer of unit u (NULL: no unit): NP_CSUM_NOT_CHECKED when the
 * protocol has none. */
static inline enum np_csum np_unit_csum(const struct np_unit *u, const struct np_pkt_layer *l)
{
	enum np_csum c = NP_CSUM_NOT_CHECKED;
	if (u && u->csum_at)
		memcpy(&c, (const char *)l + u->csum_at, sizeof c);
	return c;
}

/* Helpers the units' renderers share (src/print). */
/* -v tree indents: a layer's fields, and their sub-fields. */
#define NP_I1 "    "
#define NP_I2 "        "
/* "<ind><what>: 0x%04x [verdict]" */
void np_tree_csum(FILE *o, const char *ind, const char *what, uint16_t wire, enum np_csum st,
		  uint16_t good);

#endif
