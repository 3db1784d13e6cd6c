/* teredo.c - Teredo (RFC 4380): IPv6 carried in UDP on port 3544 through IPv4 NATs. Before the
 * IPv6 packet a server or relay may put indications (s5.1.1): an authentication indication
 * (0x0001, a client identifier and an authentication value of the lengths it says, an 8-byte
 * nonce, a confirmation byte) and an origin indication (0x0000, the client's mapped port and
 * IPv4 address, each bit inverted so that NATs do not rewrite them). Then the IPv6 packet, decoded
 * as an inner packet. */
#include <string.h>

#include "decode/internal.h"
#include "netprobe/print.h"
#include "netprobe/proto.h"
#include "core/sbuf.h"
#include "print/jw.h"

#define TEREDO_AUTH 0x0001
#define TEREDO_ORIGIN 0x0000

static bool teredo_auth(struct np_cursor *c, struct np_packet *p, struct np_teredo *t)
{
	uint16_t type;
	if (!np_cur_u16(c, &type) || !np_cur_u8(c, &t->id_len) || !np_cur_u8(c, &t->au_len) ||
	    !np_cur_skip(c, (size_t)t->id_len + t->au_len) || !np_cur_bytes(c, t->nonce, 8) ||
	    !np_cur_u8(c, &t->confirm)) {
		np_problem(p, NP_L_TEREDO, NP_TRUNCATED, "Teredo authentication indication cut short");
		return false;
	}
	t->has_auth = true;
	return true;
}

static bool teredo_origin(struct np_cursor *c, struct np_packet *p, struct np_teredo *t)
{
	uint16_t type, port;
	uint8_t addr[4];
	if (!np_cur_u16(c, &type) || !np_cur_u16(c, &port) || !np_cur_bytes(c, addr, 4)) {
		np_problem(p, NP_L_TEREDO, NP_TRUNCATED, "Teredo origin indication cut short");
		return false;
	}
	t->has_origin = true;
	t->orig_port = (uint16_t)~port; /* obfuscated: every bit inverted (s5.1.1) */
	for (int i = 0; i < 4; i++)
		t->orig_addr[i] = (uint8_t)~addr[i];
	return true;
}

void np_decode_teredo(struct np_cursor *c, struct np_packet *p)
{
	struct np_pkt_layer *l = np_pkt_push(p, NP_L_TEREDO);
	if (!l)
		return;
	struct np_teredo *t = &l->teredo;
	memset(t, 0, sizeof *t);
	uint8_t b0 = 0, b1 = 0;
	/* The authentication indication comes first when both are present (s5.1.1). */
	if (np_cur_peek_u8(c, 0, &b0) && np_cur_peek_u8(c, 1, &b1) && b0 == 0 && b1 == TEREDO_AUTH &&
	    !teredo_auth(c, p, t))
		return;
	if (np_cur_peek_u8(c, 0, &b0) && np_cur_peek_u8(c, 1, &b1) && b0 == 0 &&
	    b1 == TEREDO_ORIGIN && !teredo_origin(c, p, t))
		return;
	if (!np_cur_peek_u8(c, 0, &b0)) {
		if (!t->has_auth && !t->has_origin)
			np_problem(p, NP_L_TEREDO, NP_TRUNCATED, "Teredo datagram empty");
		return; /* an indication alone: a bubble cut by the snapshot length */
	}
	if (b0 == 0 && !np_cur_peek_u8(c, 1, &b1)) {
		np_problem(p, NP_L_TEREDO, NP_TRUNCATED, "Teredo indication cut short");
		return;
	}
	if (b0 >> 4 != 6) {
		np_problem(p, NP_L_TEREDO, NP_UNSUPPORTED, "Teredo payload is not IPv6");
		return;
	}
	np_decode_ipv6(c, p);
}

/* --- rendering --- */

static void teredo_info(struct np_sbuf *sb, const struct np_pkt_layer *l, const struct np_view *v)
{
	(void)v;
	(void)l;
	np_sb_lit(sb, "Teredo");
}

static void nonce_hex(const struct np_teredo *t, char out[17])
{
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < 8; i++) {
		out[2 * i] = hex[t->nonce[i] >> 4];
		out[2 * i + 1] = hex[t->nonce[i] & 15];
	}
	out[16] = '\0';
}

static void teredo_tree(FILE *o, const struct np_pkt_layer *l, const struct np_view *v)
{
	(void)v;
	const struct np_teredo *t = &l->teredo;
	fprintf(o, "Teredo IPv6 over UDP tunneling\n");
	if (t->has_auth) {
		char n[17];
		nonce_hex(t, n);
		fprintf(o, NP_I1 "Teredo Authentication header\n" NP_I2
			"Client identifier length: %u\n" NP_I2 "Authentication value length: %u\n"
			NP_I2 "Nonce value: %s\n" NP_I2 "Confirmation byte: %02x\n", t->id_len,
			t->au_len, n, t->confirm);
	}
	if (t->has_origin) {
		char a[NP_ADDR_STRLEN];
		struct np_sbuf sb = np_sb_make(a, sizeof a);
		np_sb_ip4(&sb, t->orig_addr);
		fprintf(o, NP_I1 "Teredo Origin Indication header\n" NP_I2 "Origin UDP port: %u\n"
			NP_I2 "Origin IPv4 address: %s\n", t->orig_port, a);
	}
}

static unsigned teredo_json(struct np_jw *restrict w, const struct np_pkt_layer *l,
			    const struct np_view *v)
{
	(void)v;
	const struct np_teredo *t = &l->teredo;
	OPEN(w, "teredo");
	if (t->has_auth) {
		char n[17];
		nonce_hex(t, n);
		OPEN(w, "auth");
		NUM(w, "id_len", t->id_len);
		NUM(w, "au_len", t->au_len);
		STR(w, "nonce", n);
		NUM(w, "confirm", t->confirm);
		close_obj(w);
	}
	if (t->has_origin) {
		OPEN(w, "origin");
		NUM(w, "port", t->orig_port);
		ADDR(w, "addr", 4, t->orig_addr);
		close_obj(w);
	}
	close_obj(w);
	return 0;
}

const struct np_unit np_unit_teredo = {
	.kind = NP_L_TEREDO,
	.key = "teredo",
	.title = "Teredo IPv6 over UDP tunneling",
	.encap = true,
	.info = teredo_info,
	.tree = teredo_tree,
	.json = teredo_json,
};
