/* dns_print.c - the DNS unit's renderers in Wireshark's words: the Info column ("Standard
 * query response 0x1a2b A www.example.test A 10.77.0.5"), the -v tree and the JSON object. */
#include <string.h>

#include "decode/internal.h"
#include "netprobe/proto.h"
#include "core/sbuf.h"
#include "print/jw.h"
#include "proto/pair.h"

#define DNS_HDR_TREE 12 /* the header's bytes: counts are shown when all are there */

/* RR types by number (IANA "Resource Record (RR) TYPEs"), as Wireshark names them. */
static const char *type_name(uint16_t t)
{
	static const char *const low[] = {
		[1] = "A",      [2] = "NS",     [3] = "MD",     [4] = "MF",     [5] = "CNAME",
		[6] = "SOA",    [7] = "MB",     [8] = "MG",     [9] = "MR",     [10] = "NULL",
		[11] = "WKS",   [12] = "PTR",   [13] = "HINFO", [14] = "MINFO", [15] = "MX",
		[16] = "TXT",   [17] = "RP",    [18] = "AFSDB", [24] = "SIG",   [25] = "KEY",
		[28] = "AAAA",  [29] = "LOC",   [33] = "SRV",   [35] = "NAPTR", [36] = "KX",
		[37] = "CERT",  [39] = "DNAME", [41] = "OPT",   [42] = "APL",   [43] = "DS",
		[44] = "SSHFP", [46] = "RRSIG", [47] = "NSEC",  [48] = "DNSKEY", [50] = "NSEC3",
		[51] = "NSEC3PARAM", [52] = "TLSA", [59] = "CDS", [60] = "CDNSKEY", [64] = "SVCB",
		[65] = "HTTPS", [99] = "SPF",
	};
	if (t < sizeof low / sizeof low[0] && low[t])
		return low[t];
	switch (t) {
	case 249: return "TKEY";
	case 250: return "TSIG";
	case 251: return "IXFR";
	case 252: return "AXFR";
	case 255: return "ANY";
	case 256: return "URI";
	case 257: return "CAA";
	default: return NULL;
	}
}

static void put_type(struct np_sbuf *sb, uint16_t t)
{
	const char *n = type_name(t);
	if (n) {
		np_sb_str(sb, n);
	} else {
		np_sb_lit(sb, "Unknown (");
		np_sb_uint(sb, t, 0, ' ');
		np_sb_ch(sb, ')');
	}
}

static const char *opcode_name(unsigned op)
{
	static const char *const n[] = { "Standard query", "Inverse query", "Server status request",
					 NULL, "Zone change notification", "Dynamic update" };
	return op < sizeof n / sizeof n[0] ? n[op] : NULL;
}

static const char *rcode_name(unsigned rc)
{
	static const char *const n[] = { "No error", "Format error", "Server failure",
					 "No such name", "Not implemented", "Refused",
					 "Name exists", "RRset exists", "RRset does not exist",
					 "Not authoritative", "Name out of zone" };
	return rc < sizeof n / sizeof n[0] ? n[rc] : NULL;
}

static void put_opcode(struct np_sbuf *sb, unsigned op)
{
	const char *n = opcode_name(op);
	if (n) {
		np_sb_str(sb, n);
	} else {
		np_sb_lit(sb, "Unknown operation (");
		np_sb_uint(sb, op, 0, ' ');
		np_sb_ch(sb, ')');
	}
}

static void put_rcode(struct np_sbuf *sb, unsigned rc)
{
	const char *n = rcode_name(rc);
	if (n) {
		np_sb_str(sb, n);
	} else {
		np_sb_lit(sb, "Unknown error (");
		np_sb_uint(sb, rc, 0, ' ');
		np_sb_ch(sb, ')');
	}
}

/* Whether Wireshark's Info shows a record's data after its type (addresses and names). */
static bool info_data(uint16_t t)
{
	return t == 1 || t == 28 || t == 2 || t == 5 || t == 6 || t == 12 || t == 15 || t == 33;
}

static void dns_info(struct np_sbuf *sb, const struct np_pkt_layer *l, const struct np_view *v)
{
	(void)l;
	const struct np_dns *d = &v->p->app.dns;
	if (d->got < 4) {
		np_sb_str(sb, d->tcp ? "DNS segment data" : "DNS message cut short");
		return;
	}
	put_opcode(sb, (d->flags >> 11) & 0xf);
	if (d->flags & NP_DNS_QR)
		np_sb_lit(sb, " response");
	np_sb_lit(sb, " 0x");
	np_sb_hex(sb, d->id, 4);
	if ((d->flags & NP_DNS_QR) && (d->flags & 0xf)) {
		np_sb_ch(sb, ' ');
		put_rcode(sb, d->flags & 0xf);
	}
	for (unsigned i = 0; i < d->nrr; i++) {
		const struct np_dns_rr *rr = &d->rr[i];
		np_sb_ch(sb, ' ');
		put_type(sb, rr->type);
		if (rr->section == NP_DNS_QD && rr->name != NP_DNS_NONE) {
			np_sb_ch(sb, ' ');
			np_sb_str(sb, d->text + rr->name);
		} else if (rr->data != NP_DNS_NONE && info_data(rr->type)) {
			np_sb_ch(sb, ' ');
			np_sb_str(sb, d->text + rr->data);
		}
	}
}

static const char *const section_title[] = { "Queries", "Answers", "Authoritative nameservers",
					      "Additional records" };

/* An SVCB or HTTPS record's fields under its line, as Wireshark's tree shows them. */
static void tree_svcb(FILE *o, const struct np_dns *d, const struct np_dns_svcb *s)
{
	fprintf(o, NP_I2 NP_I1 "SvcPriority: %u\n" NP_I2 NP_I1 "TargetName: %s\n", s->priority,
		s->target != NP_DNS_NONE ? d->text + s->target : "?");
	for (unsigned i = 0; i < s->nparams; i++) {
		const struct np_dns_svcp *sp = &s->p[i];
		char k[24];
		struct np_sbuf sb = np_sb_make(k, sizeof k);
		np_dns_svc_key(&sb, sp->key);
		fprintf(o, NP_I2 NP_I1 "SvcParam: %s", k);
		if (sp->value == NP_DNS_NONE)
			fprintf(o, " (%u bytes)\n", sp->len);
		else if (sp->len)
			fprintf(o, "=%s\n", d->text + sp->value);
		else
			fprintf(o, "\n");
	}
	if (s->more)
		fprintf(o, NP_I2 NP_I1 "[more parameters not shown]\n");
}

static void tree_rr(FILE *o, const struct np_dns *d, const struct np_dns_rr *rr)
{
	char t[32];
	struct np_sbuf sb = np_sb_make(t, sizeof t);
	put_type(&sb, rr->type);
	fprintf(o, NP_I2 "%s: type %s", rr->name != NP_DNS_NONE ? d->text + rr->name : "?", t);
	if (rr->type == 41) { /* OPT: the class is the UDP payload size (RFC 6891 s6.1.2) */
		fprintf(o, ", UDP payload size %u, version %u, DO %u\n", rr->cls,
			(rr->ttl >> 16) & 0xff, (rr->ttl >> 15) & 1);
		return;
	}
	if ((rr->cls & 0x7fff) == 1)
		fprintf(o, ", class IN");
	else
		fprintf(o, ", class 0x%04x", rr->cls);
	if (rr->section != NP_DNS_QD) {
		fprintf(o, ", TTL %u", rr->ttl);
		if (rr->data != NP_DNS_NONE)
			fprintf(o, ", %s", d->text + rr->data);
		else
			fprintf(o, ", data length %u", rr->rdlen);
	}
	fprintf(o, "\n");
	if (rr->svcb)
		tree_svcb(o, d, &d->svcb[rr->svcb - 1]);
}

static void dns_tree(FILE *o, const struct np_pkt_layer *l, const struct np_view *v)
{
	(void)l;
	const struct np_dns *d = &v->p->app.dns;
	np_pdu_tree(o, v->p);
	fprintf(o, "Domain Name System (%s)\n", d->flags & NP_DNS_QR ? "response" : "query");
	if (d->tcp)
		fprintf(o, NP_I1 "Length: %u%s\n", d->tcp_len,
			d->partial ? " [continues past this segment]" : "");
	if (d->got < DNS_HDR_TREE)
		return;
	char f[64];
	struct np_sbuf sb = np_sb_make(f, sizeof f);
	put_opcode(&sb, (d->flags >> 11) & 0xf);
	if (d->flags & NP_DNS_QR) {
		np_sb_lit(&sb, " response, ");
		put_rcode(&sb, d->flags & 0xf);
	}
	fprintf(o, NP_I1 "Transaction ID: 0x%04x\n" NP_I1 "Flags: 0x%04x %s\n", d->id, d->flags, f);
	static const char *const counts[] = { "Questions", "Answer RRs", "Authority RRs",
					      "Additional RRs" };
	for (unsigned i = 0; i < 4; i++)
		fprintf(o, NP_I1 "%s: %u\n", counts[i], d->count[i]);
	int sec = -1;
	for (unsigned i = 0; i < d->nrr; i++) {
		if (d->rr[i].section != sec) {
			sec = d->rr[i].section;
			fprintf(o, NP_I1 "%s\n", section_title[sec]);
		}
		tree_rr(o, d, &d->rr[i]);
	}
	if (d->more)
		fprintf(o, NP_I1 "[more records not shown]\n");
	const struct np_app_pair *pr = &v->p->pair;
	if (pr->kind == NP_PAIR_REQUEST && pr->retransmit)
		fprintf(o, NP_I1 "[Retransmitted request. Original request in: %" PRIu64 "]\n"
			NP_I1 "[Retransmission: True]\n", pr->req_frame);
	if (pr->kind == NP_PAIR_UNMATCHED)
		fprintf(o, NP_I1 "[Unsolicited: True]\n");
	if (pr->kind == NP_PAIR_RESPONSE) {
		char t[32];
		np_pair_secs(t, sizeof t, pr->delta_us);
		if (pr->retransmit)
			fprintf(o, NP_I1 "[Retransmission: True]\n");
		fprintf(o, NP_I1 "[Request In: %" PRIu64 "]\n" NP_I1 "[Time: %s000 seconds]\n",
			pr->req_frame, t);
	}
}

/* An SVCB or HTTPS record's fields: {priority, target, params: [{key, name, length, value}]}. */
static void json_svcb(struct np_jw *restrict w, const struct np_dns *d,
		      const struct np_dns_svcb *s)
{
	OPEN(w, "svcb");
	NUM(w, "priority", s->priority);
	if (s->target != NP_DNS_NONE)
		STR(w, "target", d->text + s->target);
	KEY(w, "params");
	ch(w, '[');
	for (unsigned i = 0; i < s->nparams; i++) {
		const struct np_dns_svcp *sp = &s->p[i];
		char k[24];
		struct np_sbuf sb = np_sb_make(k, sizeof k);
		np_dns_svc_key(&sb, sp->key);
		if (i)
			ch(w, ',');
		open_obj_sep(w);
		NUM(w, "key", sp->key);
		STR(w, "name", k);
		NUM(w, "length", sp->len);
		if (sp->value != NP_DNS_NONE)
			STR(w, "value", d->text + sp->value);
		close_obj(w);
	}
	ch(w, ']');
	if (s->more)
		BOOL(w, "more", true);
	close_obj(w);
}

static void json_rrs(struct np_jw *restrict w, const struct np_dns *d, uint8_t sec)
{
	static const char *const keys[] = { "questions", "answers", "authority", "additional" };
	bool first = true;
	for (unsigned i = 0; i < d->nrr; i++) {
		const struct np_dns_rr *rr = &d->rr[i];
		if (rr->section != sec)
			continue;
		if (first)
			dyn_key(w, keys[sec]);
		ch(w, first ? '[' : ',');
		first = false;
		open_obj_sep(w);
		if (rr->name != NP_DNS_NONE)
			STR(w, "name", d->text + rr->name);
		NUM(w, "type", rr->type);
		NUM(w, "class", rr->cls);
		if (sec != NP_DNS_QD) {
			NUM(w, "ttl", rr->ttl);
			if (rr->data != NP_DNS_NONE)
				STR(w, "data", d->text + rr->data);
			if (rr->svcb)
				json_svcb(w, d, &d->svcb[rr->svcb - 1]);
		}
		close_obj(w);
	}
	if (!first)
		ch(w, ']');
}

static unsigned dns_json(struct np_jw *restrict w, const struct np_pkt_layer *l,
			 const struct np_view *v)
{
	(void)l;
	const struct np_dns *d = &v->p->app.dns;
	OPEN(w, "dns");
	if (d->tcp)
		NUM(w, "tcp_len", d->tcp_len);
	if (d->got >= 4) {
		NUM(w, "id", d->id);
		BOOL(w, "qr", d->flags & NP_DNS_QR);
		NUM(w, "opcode", (d->flags >> 11) & 0xf);
		NUM(w, "flags", d->flags);
		NUM(w, "rcode", d->flags & 0xf);
	}
	if (d->got >= DNS_HDR_TREE) {
		NUM(w, "qdcount", d->count[0]);
		NUM(w, "ancount", d->count[1]);
		NUM(w, "nscount", d->count[2]);
		NUM(w, "arcount", d->count[3]);
	}
	for (uint8_t s = 0; s < 4; s++)
		json_rrs(w, d, s);
	if (d->more)
		BOOL(w, "more", true);
	np_pair_json(w, &v->p->pair);
	if (v->p->pair.kind == NP_PAIR_UNMATCHED)
		BOOL(w, "unsolicited", true);
	np_pdu_json(w, v->p);
	close_obj(w);
	return 0;
}

const struct np_unit np_unit_dns = {
	.kind = NP_L_DNS,
	.key = "dns",
	.title = "Domain Name System",
	.proto = "DNS",
	.info = dns_info,
	.tree = dns_tree,
	.json = dns_json,
};
