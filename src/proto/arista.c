/* arista.c - Arista's vendor-specific Ethertype 0xd28b as Wireshark's packet-arista.c reads it:
 * subtype 1 (timestamp), version 0x0010 (32-bit seconds and nanoseconds, TAI) or 0x0020
 * (16-bit seconds and nanoseconds), then the payload's own Ethertype and the payload. */
#include <string.h>

#include "decode/internal.h"
#include "netprobe/print.h"
#include "netprobe/proto.h"
#include "core/sbuf.h"
#include "print/jw.h"

#define ARISTA_TIMESTAMP 1
#define ARISTA_TS64 0x0010
#define ARISTA_TS48 0x0020

void np_decode_arista(struct np_cursor *c, struct np_packet *p)
{
	struct np_pkt_layer *l = np_pkt_push(p, NP_L_ARISTA);
	if (!l)
		return;
	struct np_arista *a = &l->arista;
	memset(a, 0, sizeof *a);
	if (!np_cur_u16(c, &a->subtype) || !np_cur_u16(c, &a->version)) {
		np_problem(p, NP_L_ARISTA, NP_TRUNCATED, "Arista header cut short");
		return;
	}
	a->got = 4;
	if (a->subtype != ARISTA_TIMESTAMP || (a->version != ARISTA_TS64 && a->version != ARISTA_TS48)) {
		np_problem(p, NP_L_ARISTA, NP_UNSUPPORTED, "Arista subtype or version not decoded");
		return;
	}
	uint16_t s16 = 0;
	bool ok = a->version == ARISTA_TS64 ? np_cur_u32(c, &a->sec) : np_cur_u16(c, &s16);
	if (a->version == ARISTA_TS48)
		a->sec = s16;
	if (!ok || !np_cur_u32(c, &a->nsec) || !np_cur_u16(c, &a->ethertype)) {
		np_problem(p, NP_L_ARISTA, NP_TRUNCATED, "Arista timestamp cut short");
		return;
	}
	a->got = a->version == ARISTA_TS64 ? 14 : 12;
	if (!np_decode_ethertype(c, p, a->ethertype))
		np_problem(p, NP_L_ARISTA, NP_UNSUPPORTED, "Ethertype not decoded");
}

/* --- rendering --- */

static void arista_info(struct np_sbuf *sb, const struct np_pkt_layer *l, const struct np_view *v)
{
	(void)v;
	(void)l;
	np_sb_lit(sb, "Arista");
}

static void arista_tree(FILE *o, const struct np_pkt_layer *l, const struct np_view *v)
{
	(void)v;
	const struct np_arista *a = &l->arista;
	fprintf(o, "Arista Vendor Specific Protocol\n");
	if (a->got >= 4)
		fprintf(o, NP_I1 "Sub Type: %u\n" NP_I1 "Version: 0x%04x\n", a->subtype, a->version);
	if (a->got >= 12)
		fprintf(o, NP_I1 "Timestamp: %u.%09u\n" NP_I1 "Type: 0x%04x\n", a->sec, a->nsec,
			a->ethertype);
}

static unsigned arista_json(struct np_jw *restrict w, const struct np_pkt_layer *l,
			    const struct np_view *v)
{
	(void)v;
	const struct np_arista *a = &l->arista;
	OPEN(w, "arista");
	if (a->got >= 4) {
		NUM(w, "subtype", a->subtype);
		NUM(w, "version", a->version);
	}
	if (a->got >= 12) {
		NUM(w, "ts_sec", a->sec);
		NUM(w, "ts_nsec", a->nsec);
		NUM(w, "type", a->ethertype);
	}
	close_obj(w);
	return 0;
}

const struct np_unit np_unit_arista = {
	.kind = NP_L_ARISTA,
	.key = "arista",
	.title = "Arista Vendor Specific Protocol",
	.encap = true,
	.info = arista_info,
	.tree = arista_tree,
	.json = arista_json,
};
