/* tls.c - TLS records and handshake messages (RFC 8446, RFC 5246) of one TCP segment: record
 * types and versions, the ClientHello's versions, cipher suites, groups, SNI (RFC 6066 s3)
 * and ALPN (RFC 7301), the ServerHello's chosen version, cipher and group. Nothing is
 * decrypted. Per segment: a record that goes on past the segment is read as far as it goes.
 * Renderers in tls_print.c. */
#include <string.h>

#include "decode/internal.h"
#include "netprobe/proto.h"
#include "core/sbuf.h"

#define REC_HDR 5
#define EXT_SNI 0
#define EXT_GROUPS 10
#define EXT_ALPN 16
#define EXT_VERSIONS 43
#define EXT_KEY_SHARE 51

/* A record header that TLS could have written: a known content type, SSL 3.0 to TLS 1.3. */
static bool plausible(uint8_t type, uint16_t version)
{
	return type >= 20 && type <= 24 && version >= 0x0300 && version <= 0x0304;
}

/* A list of 16-bit values with a 16-bit (or 8-bit: wide false) length in front. */
static bool list16(struct np_cursor *c, bool wide, uint16_t *out, uint8_t *n, uint16_t *total)
{
	uint16_t len = 0;
	uint8_t len8 = 0;
	if (wide ? !np_cur_u16(c, &len) : !np_cur_u8(c, &len8))
		return false;
	if (!wide)
		len = len8;
	struct np_cursor l;
	bool whole = np_cur_sub(c, len, &l);
	np_cur_skip(c, np_cur_left(&l));
	uint16_t v;
	while (np_cur_u16(&l, &v)) {
		if (total)
			(*total)++;
		if (*n < NP_TLS_MAX_LIST)
			out[(*n)++] = v;
	}
	return whole;
}

/* The first host_name of a server_name extension (RFC 6066 s3), escaped. */
static void sni(struct np_tls *t, struct np_cursor *e)
{
	uint16_t list, len;
	uint8_t type;
	if (!np_cur_u16(e, &list) || !np_cur_u8(e, &type) || !np_cur_u16(e, &len) || type != 0)
		return;
	struct np_sbuf sb = np_sb_make(t->sni, sizeof t->sni);
	for (uint16_t i = 0; i < len && sb.len + 5 < sizeof t->sni; i++) {
		uint8_t b;
		if (!np_cur_u8(e, &b))
			break;
		if (b > 0x20 && b < 0x7f && b != '\\') {
			np_sb_ch(&sb, (char)b);
		} else {
			np_sb_lit(&sb, "\\x");
			np_sb_hex(&sb, b, 2);
		}
	}
}

/* ALPN's protocol names (RFC 7301 s3.1), comma-separated. */
static void alpn(struct np_tls *t, struct np_cursor *e)
{
	uint16_t list;
	if (!np_cur_u16(e, &list))
		return;
	struct np_sbuf sb = np_sb_make(t->alpn, sizeof t->alpn);
	uint8_t len;
	while (np_cur_u8(e, &len)) {
		if (t->nalpn++)
			np_sb_ch(&sb, ',');
		for (uint8_t i = 0; i < len; i++) {
			uint8_t b;
			if (!np_cur_u8(e, &b))
				return;
			np_sb_ch(&sb, b > 0x20 && b < 0x7f && b != ',' && b != '\\' ? (char)b : '?');
		}
	}
}

static void extension(struct np_tls *t, uint16_t type, struct np_cursor *e, bool server)
{
	uint16_t v;
	switch (type) {
	case EXT_SNI:
		if (!server)
			sni(t, e);
		break;
	case EXT_ALPN:
		alpn(t, e);
		break;
	case EXT_GROUPS:
		(void)list16(e, true, t->groups, &t->ngroups, &t->groups_total);
		break;
	case EXT_VERSIONS:
		if (server && np_cur_u16(e, &v))
			t->version = v;
		else if (!server)
			(void)list16(e, false, t->versions, &t->nvers, NULL);
		break;
	case EXT_KEY_SHARE:
		if (server && np_cur_u16(e, &v))
			t->group = v;
		break;
	default:
		break;
	}
}

/* The extensions block of a hello; false when one runs past the block. */
static bool extensions(struct np_tls *t, struct np_cursor *c, bool server)
{
	uint16_t len;
	if (!np_cur_u16(c, &len))
		return true; /* none, or not captured */
	struct np_cursor b;
	bool whole = np_cur_sub(c, len, &b);
	uint16_t type, elen;
	while (np_cur_u16(&b, &type) && np_cur_u16(&b, &elen)) {
		struct np_cursor e;
		bool ewhole = np_cur_sub(&b, elen, &e);
		if (!ewhole && whole)
			return false; /* past the block's own length */
		np_cur_skip(&b, np_cur_left(&e));
		extension(t, type, &e, server);
	}
	return true;
}

/* A ClientHello or ServerHello body (RFC 8446 s4.1.2, s4.1.3); false: an extension overran. */
static bool hello(struct np_tls *t, struct np_cursor *c, uint8_t hs)
{
	t->hello = hs;
	t->got = 0;
	t->nvers = t->nciphers = t->ngroups = t->nalpn = 0;
	t->ciphers_total = t->groups_total = 0;
	t->legacy_version = t->version = t->cipher = t->group = 0;
	t->sni[0] = t->alpn[0] = '\0';
	uint8_t sid;
	if (!np_cur_u16(c, &t->legacy_version))
		return true;
	t->version = t->legacy_version;
	t->got = 1;
	if (!np_cur_skip(c, 32) || !np_cur_u8(c, &sid) || !np_cur_skip(c, sid))
		return true;
	if (hs == 1) {
		uint8_t comp;
		if (!list16(c, true, t->ciphers, &t->nciphers, &t->ciphers_total) ||
		    !np_cur_u8(c, &comp) || !np_cur_skip(c, comp))
			return true;
	} else {
		uint8_t comp;
		if (!np_cur_u16(c, &t->cipher) || !np_cur_u8(c, &comp))
			return true;
	}
	t->got = 2;
	return extensions(t, c, hs == 2);
}

static struct np_tls_rec *add(struct np_tls *t, uint8_t type, uint16_t version, uint16_t len)
{
	if (t->nrec == NP_TLS_MAX_REC) {
		t->more = true;
		return NULL;
	}
	struct np_tls_rec *r = &t->rec[t->nrec++];
	*r = (struct np_tls_rec){ .type = type, .version = version, .len = len, .hs = 0xff };
	return r;
}

/* The handshake messages of a record; a record that does not parse as messages which tile it
 * (or that follows a Change Cipher Spec) is an encrypted one. */
static bool handshake(struct np_tls *t, struct np_cursor *rec, uint16_t version, uint16_t len,
		      bool after_ccs)
{
	struct np_cursor probe = *rec;
	uint8_t hs;
	uint8_t l3[3];
	bool tiles = !after_ccs;
	while (tiles && np_cur_left(&probe)) {
		if (!np_cur_u8(&probe, &hs) || !np_cur_bytes(&probe, l3, 3)) {
			tiles = false;
			break;
		}
		uint32_t ml = ((uint32_t)l3[0] << 16) | ((uint32_t)l3[1] << 8) | l3[2];
		tiles = (hs <= 24 || hs == 254) && ml <= 0x4000 + 2048u;
		if (np_cur_left(&probe) < ml && t->partial)
			break; /* goes on past the segment, with its record */
		np_cur_skip(&probe, ml);
	}
	if (!tiles) {
		struct np_tls_rec *r = add(t, 22, version, len);
		if (r)
			r->encrypted = true;
		return true;
	}
	bool ok = true;
	while (np_cur_u8(rec, &hs) && np_cur_bytes(rec, l3, 3)) {
		uint32_t ml = ((uint32_t)l3[0] << 16) | ((uint32_t)l3[1] << 8) | l3[2];
		struct np_tls_rec *r = add(t, 22, version, len);
		if (r)
			r->hs = hs;
		struct np_cursor m;
		(void)np_cur_sub(rec, ml, &m);
		np_cur_skip(rec, np_cur_left(&m));
		if ((hs == 1 || hs == 2) && !t->hello)
			ok = hello(t, &m, hs) && ok;
	}
	return ok;
}

static bool record(struct np_tls *t, struct np_cursor *c, uint8_t type, uint16_t version,
		   uint16_t len, bool *after_ccs)
{
	struct np_cursor body;
	t->partial = !np_cur_sub(c, len, &body);
	np_cur_skip(c, np_cur_left(&body));
	struct np_tls_rec *r;
	switch (type) {
	case 22:
		return handshake(t, &body, version, len, *after_ccs);
	case 20:
		*after_ccs = true;
		(void)add(t, type, version, len);
		return true;
	case 21:
		r = add(t, type, version, len);
		if (r && len == 2 && !*after_ccs) {
			(void)np_cur_u8(&body, &r->alert_level);
			r->encrypted = !np_cur_u8(&body, &r->alert_desc);
		} else if (r) {
			r->encrypted = true;
		}
		return true;
	default:
		(void)add(t, type, version, len);
		return true;
	}
}

void np_decode_tls(struct np_cursor *c, struct np_packet *p)
{
	uint8_t type, hs = 0;
	uint16_t version, len;
	struct np_cursor h = *c;
	if (!np_cur_u8(&h, &type) || !np_cur_u16(&h, &version) || !np_cur_u16(&h, &len) ||
	    !plausible(type, version))
		return; /* not a record's start: the segment stays TCP's */
	/* Found by its bytes on another port: only a handshake's first message is taken. */
	bool port = p->decode_as || (np_pkt_tcp(p) && (np_pkt_tcp(p)->sport == 443 || np_pkt_tcp(p)->dport == 443));
	if (!port && (type != 22 || !np_cur_peek_u8(&h, 0, &hs) || (hs != 1 && hs != 2)))
		return;
	if (!np_pkt_push(p, NP_L_TLS))
		return;
	struct np_tls *t = &p->app.tls;
	memset(t, 0, offsetof(struct np_tls, versions));
	t->sni[0] = t->alpn[0] = '\0';
	bool after_ccs = false, ok = true;
	size_t start = np_cur_left(c);
	while (np_cur_left(c) >= REC_HDR && !t->partial) {
		t->whole = (uint16_t)(start - np_cur_left(c) > 0xffff ? 0xffff : start - np_cur_left(c));
		h = *c;
		(void)np_cur_u8(&h, &type);
		(void)np_cur_u16(&h, &version);
		(void)np_cur_u16(&h, &len);
		if (!plausible(type, version) || len > 0x4000 + 2048)
			break; /* not a record: Wireshark's "Ignored Unknown Record" */
		*c = h;
		ok = record(t, c, type, version, len, &after_ccs) && ok;
	}
	if (!t->partial && np_cur_left(c) > 0 && np_cur_left(c) < REC_HDR) {
		t->partial = true; /* a record header split between segments */
		t->whole = (uint16_t)(start - np_cur_left(c) > 0xffff ? 0xffff : start - np_cur_left(c));
	}
	if (!ok)
		np_problem(p, NP_L_TLS, NP_INVALID, "TLS extension runs past its block");
}
