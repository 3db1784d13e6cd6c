/* tls_print.c - the TLS unit's renderers in Wireshark's words: the Info column ("Client Hello
 * (SNI=www.example.test)", "Server Hello, Change Cipher Spec, Application Data"), the Protocol
 * column ("TLSv1.3"), the -v tree and the JSON object. */
#include <string.h>

#include "decode/internal.h"
#include "netprobe/proto.h"
#include "core/sbuf.h"
#include "print/jw.h"
#include "proto/pair.h"
#include "proto/tls_names.h"

#define TLS_I3 NP_I2 NP_I1 /* a list's entries */

static const char *hs_name(uint8_t t)
{
	switch (t) {
	case 0: return "Hello Request";
	case 1: return "Client Hello";
	case 2: return "Server Hello";
	case 3: return "Hello Verify Request";
	case 4: return "New Session Ticket";
	case 5: return "End of Early Data";
	case 8: return "Encrypted Extensions";
	case 11: return "Certificate";
	case 12: return "Server Key Exchange";
	case 13: return "Certificate Request";
	case 14: return "Server Hello Done";
	case 15: return "Certificate Verify";
	case 16: return "Client Key Exchange";
	case 20: return "Finished";
	case 21: return "Certificate URL";
	case 22: return "Certificate Status";
	case 24: return "Key Update";
	case 254: return "Message Hash";
	default: return NULL;
	}
}

/* "TLSv1.2" for 0x0303, as Wireshark's Protocol column. */
static const char *version_name(uint16_t v)
{
	switch (v) {
	case 0x0300: return "SSLv3";
	case 0x0301: return "TLSv1";
	case 0x0302: return "TLSv1.1";
	case 0x0303: return "TLSv1.2";
	case 0x0304: return "TLSv1.3";
	default: return "TLS";
	}
}

static const char *level_name(uint8_t level)
{
	return level == 1 ? "Warning" : level == 2 ? "Fatal" : "Unknown";
}

static const char *or_unknown(const char *name)
{
	return name ? name : "Unknown";
}

/* A supported_versions entry as Wireshark's details name it: "TLS 1.3". */
static const char *version_entry(uint16_t v)
{
	switch (v) {
	case 0x0300: return "SSL 3.0";
	case 0x0301: return "TLS 1.0";
	case 0x0302: return "TLS 1.1";
	case 0x0303: return "TLS 1.2";
	case 0x0304: return "TLS 1.3";
	default: return np_tls_grease(v) ? "Reserved (GREASE)" : NULL;
	}
}

static const char *tls_column(const struct np_packet *p)
{
	const struct np_tls *t = &p->app.tls;
	if (t->hello == 2)
		return version_name(t->version);
	if (t->conv_version)
		return version_name(t->conv_version);
	return t->nrec ? version_name(t->rec[0].version) : "TLS";
}

static void put_rec(struct np_sbuf *sb, const struct np_tls_rec *r, const struct np_tls *t)
{
	const char *n;
	switch (r->type) {
	case 20:
		np_sb_lit(sb, "Change Cipher Spec");
		return;
	case 21:
		if (r->encrypted) {
			np_sb_lit(sb, "Encrypted Alert");
			return;
		}
		np_sb_printf(sb, "Alert (Level: %s, Description: ", level_name(r->alert_level));
		/* An unassigned description: "Unknown)", as Wireshark's Info; the number is in -v. */
		np_sb_printf(sb, "%s)", or_unknown(np_tls_alert_name(r->alert_desc)));
		return;
	case 22:
		n = r->encrypted ? NULL : hs_name(r->hs);
		np_sb_str(sb, n ? n : "Encrypted Handshake Message");
		if (r->hs == 1 && !r->encrypted && t->sni[0])
			np_sb_printf(sb, " (SNI=%s)", t->sni);
		return;
	case 23:
		np_sb_lit(sb, "Application Data");
		return;
	default:
		np_sb_lit(sb, "Heartbeat");
		return;
	}
}

static void tls_info(struct np_sbuf *sb, const struct np_pkt_layer *l, const struct np_view *v)
{
	(void)l;
	const struct np_tls *t = &v->p->app.tls;
	for (unsigned i = 0; i < t->nrec; i++) {
		if (i)
			np_sb_lit(sb, ", ");
		put_rec(sb, &t->rec[i], t);
	}
}

/* A ClientHello list, one value a line as Wireshark's details: "Cipher Suite: NAME (0x1301)". */
static void tree_list(FILE *o, const char *what, const char *one, const uint16_t *v, unsigned n,
		      unsigned total, const char *(*name)(uint16_t))
{
	fprintf(o, NP_I2 "%s (%u)\n", what, total > n ? total : n);
	for (unsigned i = 0; i < n; i++)
		fprintf(o, TLS_I3 "%s: %s (0x%04x)\n", one, or_unknown(name(v[i])), v[i]);
	if (total > n)
		fprintf(o, TLS_I3 "[%u more not kept]\n", total - n);
}

/* An alert record's message (RFC 8446 s6): "Level: Fatal (2)", "Description: ... (40)". */
static void tree_alert(FILE *o, const struct np_tls_rec *r)
{
	if (r->type != 21 || r->encrypted)
		return;
	fprintf(o, NP_I2 "Alert Message\n" TLS_I3 "Level: %s (%u)\n" TLS_I3 "Description: %s (%u)\n",
		level_name(r->alert_level), r->alert_level, or_unknown(np_tls_alert_name(r->alert_desc)),
		r->alert_desc);
}

static void tls_tree(FILE *o, const struct np_pkt_layer *l, const struct np_view *v)
{
	(void)l;
	const struct np_tls *t = &v->p->app.tls;
	np_pdu_tree(o, v->p);
	fprintf(o, "Transport Layer Security\n");
	for (unsigned i = 0; i < t->nrec; i++) {
		char buf[160];
		struct np_sbuf sb = np_sb_make(buf, sizeof buf);
		put_rec(&sb, &t->rec[i], t);
		fprintf(o, NP_I1 "%s Record Layer: %s, Length: %u\n", version_name(t->rec[i].version),
			buf, t->rec[i].len);
		tree_alert(o, &t->rec[i]);
	}
	if (t->partial)
		fprintf(o, NP_I1 "[The last record goes on past this segment]\n");
	if (!t->hello)
		return;
	fprintf(o, NP_I1 "%s\n", hs_name(t->hello));
	if (t->got < 2) { /* what was not captured is not shown as zeros */
		if (t->got)
			fprintf(o, NP_I2 "Version: %s (0x%04x)\n", version_name(t->legacy_version),
				t->legacy_version);
		fprintf(o, NP_I2 "[Hello cut short: the rest is not in this packet]\n");
		return;
	}
	fprintf(o, NP_I2 "Version: %s (0x%04x)\n", version_name(t->legacy_version),
		t->legacy_version);
	if (t->sni[0])
		fprintf(o, NP_I2 "Server Name: %s\n", t->sni);
	if (t->alpn[0])
		fprintf(o, NP_I2 "ALPN Protocols: %s\n", t->alpn);
	if (t->hello == 1) {
		if (t->nvers)
			tree_list(o, "Supported Versions", "Supported Version", t->versions, t->nvers,
				  t->nvers, version_entry);
		tree_list(o, "Cipher Suites", "Cipher Suite", t->ciphers, t->nciphers,
			  t->ciphers_total, np_tls_cipher_name);
		if (t->ngroups)
			tree_list(o, "Supported Groups", "Supported Group", t->groups, t->ngroups,
				  t->groups_total, np_tls_group_name);
	} else {
		fprintf(o, NP_I2 "Selected Version: %s (0x%04x)\n" NP_I2 "Cipher Suite: %s (0x%04x)\n",
			version_name(t->version), t->version, or_unknown(np_tls_cipher_name(t->cipher)),
			t->cipher);
		if (t->group)
			fprintf(o, NP_I2 "Key Share Group: %s (%u)\n",
				or_unknown(np_tls_group_name(t->group)), t->group);
	}
}

static void json_list(struct np_jw *restrict w, const char *key, const uint16_t *v, unsigned n)
{
	dyn_key(w, key);
	if (!n)
		LIT(w, "[");
	for (unsigned i = 0; i < n; i++)
		list_uint(w, i == 0, v[i]);
	ch(w, ']');
}

static void json_alert(struct np_jw *restrict w, const struct np_tls_rec *r)
{
	NUM(w, "alert_level", r->alert_level);
	NUM(w, "alert_desc", r->alert_desc);
	if (np_tls_alert_name(r->alert_desc))
		STR(w, "alert", np_tls_alert_name(r->alert_desc));
}

static unsigned tls_json(struct np_jw *restrict w, const struct np_pkt_layer *l,
			 const struct np_view *v)
{
	(void)l;
	const struct np_tls *t = &v->p->app.tls;
	OPEN(w, "tls");
	KEY(w, "records");
	ch(w, '[');
	for (unsigned i = 0; i < t->nrec; i++) {
		if (i)
			ch(w, ',');
		open_obj_sep(w);
		NUM(w, "record", t->rec[i].type);
		NUM(w, "version", t->rec[i].version);
		NUM(w, "len", t->rec[i].len);
		if (t->rec[i].type == 22 && !t->rec[i].encrypted)
			NUM(w, "handshake", t->rec[i].hs);
		if (t->rec[i].encrypted)
			BOOL(w, "encrypted", true);
		else if (t->rec[i].type == 21)
			json_alert(w, &t->rec[i]);
		close_obj(w);
	}
	ch(w, ']');
	if (t->hello) {
		NUM(w, "handshake", t->hello);
		NUM(w, "legacy_version", t->legacy_version);
		NUM(w, "version", t->version);
		if (t->sni[0])
			STR(w, "sni", t->sni);
		if (t->nalpn) {
			KEY(w, "alpn");
			ch(w, '[');
			const char *s = t->alpn;
			for (unsigned i = 0; *s; i++) {
				const char *e = strchr(s, ',');
				size_t n = e ? (size_t)(e - s) : strlen(s);
				char one[96];
				memcpy(one, s, n);
				one[n] = '\0';
				if (i)
					ch(w, ',');
				put_str(w, one);
				s += n + (e != NULL);
			}
			ch(w, ']');
		}
		if (t->hello == 1) {
			json_list(w, "versions", t->versions, t->nvers);
			json_list(w, "ciphers", t->ciphers, t->nciphers);
			json_list(w, "groups", t->groups, t->ngroups);
		} else {
			NUM(w, "cipher", t->cipher);
			/* a ServerHello cut before its suite leaves 0 (TLS_NULL_WITH_NULL_NULL): no name */
			if (t->got == 2 && np_tls_cipher_name(t->cipher))
				STR(w, "cipher_name", np_tls_cipher_name(t->cipher));
			if (t->group)
				NUM(w, "group", t->group);
			if (t->group && np_tls_group_name(t->group))
				STR(w, "group_name", np_tls_group_name(t->group));
		}
	}
	np_pdu_json(w, v->p);
	close_obj(w);
	return 0;
}

const struct np_unit np_unit_tls = {
	.kind = NP_L_TLS,
	.key = "tls",
	.title = "Transport Layer Security",
	.proto = "TLS",
	.column = tls_column,
	.info = tls_info,
	.tree = tls_tree,
	.json = tls_json,
};
