/* json_ref_app.c - the reference (json_ref.c's way: one fprintf per key and value) of the
 * application layers' JSON objects (issue 14: dns, http, tls), written from the packet.h
 * fields without the units' renderers. */
#include <string.h>

#include "json_ref.h"
#include "json_ref_w.h"
#include "../../src/proto/tls_names.h"

/* An SVCB/HTTPS record's parameters (RFC 9460 s14.3.2 names, written here independently). */
static void dns_svcb(struct jw *w, const struct np_dns *d, const struct np_dns_svcb *s)
{
	static const char *const names[] = { "mandatory", "alpn", "no-default-alpn", "port",
					     "ipv4hint", "ech", "ipv6hint", "dohpath", "ohttp" };
	open_obj(w, "svcb");
	num(w, "priority", s->priority);
	if (s->target != NP_DNS_NONE)
		str(w, "target", d->text + s->target);
	key(w, "params");
	fputc('[', w->o);
	for (unsigned i = 0; i < s->nparams; i++) {
		const struct np_dns_svcp *sp = &s->p[i];
		char name[16];
		if (sp->key < sizeof names / sizeof names[0])
			snprintf(name, sizeof name, "%s", names[sp->key]);
		else
			snprintf(name, sizeof name, "key%u", sp->key);
		fputs(i ? ",{" : "{", w->o);
		w->first = true;
		num(w, "key", sp->key);
		str(w, "name", name);
		num(w, "length", sp->len);
		if (sp->value != NP_DNS_NONE)
			str(w, "value", d->text + sp->value);
		close_obj(w);
	}
	fputc(']', w->o);
	if (s->more)
		boolean(w, "more", true);
	close_obj(w);
}

static void dns_rrs(struct jw *w, const struct np_dns *d, unsigned sec)
{
	static const char *const keys[] = { "questions", "answers", "authority", "additional" };
	bool any = false;
	for (unsigned i = 0; i < d->nrr; i++) {
		const struct np_dns_rr *rr = &d->rr[i];
		if (rr->section != sec)
			continue;
		if (!any)
			key(w, keys[sec]);
		fputs(any ? ",{" : "[{", w->o);
		any = true;
		w->first = true;
		if (rr->name != NP_DNS_NONE)
			str(w, "name", d->text + rr->name);
		num(w, "type", rr->type);
		num(w, "class", rr->cls);
		if (sec != NP_DNS_QD) {
			num(w, "ttl", rr->ttl);
			if (rr->data != NP_DNS_NONE)
				str(w, "data", d->text + rr->data);
			if (rr->svcb)
				dns_svcb(w, d, &d->svcb[rr->svcb - 1]);
		}
		close_obj(w);
	}
	if (any)
		fputc(']', w->o);
}

/* A request's pairing (apppair.c): the response names its request and the seconds since it. */
static void pair(struct jw *w, const struct np_app_pair *pr)
{
	if (pr->kind == NP_PAIR_RESPONSE) {
		num(w, "request_in", pr->req_frame);
		key(w, "time");
		long long us = (long long)pr->delta_us;
		unsigned long long mag = us < 0 ? 0ULL - (unsigned long long)us : (unsigned long long)us;
		fprintf(w->o, "%s%llu.%06llu", us < 0 ? "-" : "", mag / 1000000ULL, mag % 1000000ULL);
	}
	if (pr->kind == NP_PAIR_REQUEST && pr->retransmit)
		num(w, "retransmit_request_in", pr->req_frame);
	if (pr->kind != NP_PAIR_NONE && pr->retransmit)
		boolean(w, "retransmission", true);
}

/* A message put together from segments: its length, segment count and frames. */
static void pdu(struct jw *w, const struct np_pdu *u)
{
	if (u->state != NP_PDU_DONE)
		return;
	open_obj(w, "reassembled");
	num(w, "len", u->len);
	num(w, "segments", (uint64_t)u->nframes + u->more);
	key(w, "frames");
	fputc('[', w->o);
	for (unsigned i = 0; i < u->nframes; i++)
		fprintf(w->o, i ? ",%" PRIu64 : "%" PRIu64, u->frame[i]);
	fputc(']', w->o);
	close_obj(w);
}

static void json_dns(struct jw *w, const struct np_dns *d, const struct np_app_pair *pr,
		     const struct np_pdu *u)
{
	open_obj(w, "dns");
	if (d->tcp)
		num(w, "tcp_len", d->tcp_len);
	if (d->got >= 4) {
		num(w, "id", d->id);
		boolean(w, "qr", d->flags & 0x8000);
		num(w, "opcode", (d->flags >> 11) & 0xf);
		num(w, "flags", d->flags);
		num(w, "rcode", d->flags & 0xf);
	}
	if (d->got >= 12) {
		num(w, "qdcount", d->count[0]);
		num(w, "ancount", d->count[1]);
		num(w, "nscount", d->count[2]);
		num(w, "arcount", d->count[3]);
	}
	for (unsigned s = 0; s < 4; s++)
		dns_rrs(w, d, s);
	if (d->more)
		boolean(w, "more", true);
	pair(w, pr);
	if (pr->kind == NP_PAIR_UNMATCHED)
		boolean(w, "unsolicited", true);
	pdu(w, u);
	close_obj(w);
}

static const char *at(const struct np_http *h, uint16_t off)
{
	return off == NP_DNS_NONE ? NULL : h->text + off;
}

static void json_http(struct jw *w, const struct np_http *h, const struct np_app_pair *pr,
		      const struct np_pdu *u)
{
	open_obj(w, "http");
	if (h->response) {
		str(w, "version", at(h, h->version));
		num(w, "status", h->status);
		if (at(h, h->reason))
			str(w, "reason", at(h, h->reason));
	} else {
		str(w, "method", at(h, h->method));
		str(w, "uri", at(h, h->uri));
		if (at(h, h->version))
			str(w, "version", at(h, h->version));
	}
	if (at(h, h->host))
		str(w, "host", at(h, h->host));
	if (at(h, h->ctype))
		str(w, "content_type", at(h, h->ctype));
	if (h->has_length)
		num(w, "content_length", h->content_length);
	if (h->chunked)
		boolean(w, "chunked", true);
	boolean(w, "headers_end", h->headers_end);
	if (pr->kind == NP_PAIR_REQUEST && pr->number)
		num(w, "request_number", pr->number);
	if (pr->kind == NP_PAIR_RESPONSE)
		num(w, "response_number", pr->number);
	pair(w, pr);
	pdu(w, u);
	close_obj(w);
}

static void list(struct jw *w, const char *k, const uint16_t *v, unsigned n)
{
	key(w, k);
	fputc('[', w->o);
	for (unsigned i = 0; i < n; i++)
		fprintf(w->o, "%s%u", i ? "," : "", v[i]);
	fputc(']', w->o);
}

static void json_tls(struct jw *w, const struct np_tls *t, const struct np_pdu *u)
{
	open_obj(w, "tls");
	key(w, "records");
	fputc('[', w->o);
	for (unsigned i = 0; i < t->nrec; i++) {
		const struct np_tls_rec *r = &t->rec[i];
		fputs(i ? ",{" : "{", w->o);
		w->first = true;
		num(w, "record", r->type);
		num(w, "version", r->version);
		num(w, "len", r->len);
		if (r->type == 22 && !r->encrypted)
			num(w, "handshake", r->hs);
		if (r->encrypted) {
			boolean(w, "encrypted", true);
		} else if (r->type == 21) {
			num(w, "alert_level", r->alert_level);
			num(w, "alert_desc", r->alert_desc);
			if (np_tls_alert_name(r->alert_desc))
				str(w, "alert", np_tls_alert_name(r->alert_desc));
		}
		close_obj(w);
	}
	fputc(']', w->o);
	w->first = false;
	if (t->hello) {
		num(w, "handshake", t->hello);
		num(w, "legacy_version", t->legacy_version);
		num(w, "version", t->version);
		if (t->sni[0])
			str(w, "sni", t->sni);
		if (t->nalpn) {
			key(w, "alpn");
			fputc('[', w->o);
			const char *s = t->alpn;
			for (unsigned i = 0; *s; i++) {
				size_t n = strcspn(s, ",");
				fprintf(w->o, "%s\"%.*s\"", i ? "," : "", (int)n, s);
				s += n + (s[n] == ',');
			}
			fputc(']', w->o);
		}
		if (t->hello == 1) {
			list(w, "versions", t->versions, t->nvers);
			list(w, "ciphers", t->ciphers, t->nciphers);
			list(w, "groups", t->groups, t->ngroups);
		} else {
			num(w, "cipher", t->cipher);
			if (t->got == 2 && np_tls_cipher_name(t->cipher))
				str(w, "cipher_name", np_tls_cipher_name(t->cipher));
			if (t->group) {
				num(w, "group", t->group);
				if (np_tls_group_name(t->group))
					str(w, "group_name", np_tls_group_name(t->group));
			}
		}
	}
	pdu(w, u);
	close_obj(w);
}

void np_ref_app(FILE *o, bool *first, const struct np_packet *p, const struct np_pkt_layer *l)
{
	struct jw w = { o, *first };
	if (l->kind == NP_L_DNS)
		json_dns(&w, &p->app.dns, &p->pair, &p->pdu);
	else if (l->kind == NP_L_HTTP)
		json_http(&w, &p->app.http, &p->pair, &p->pdu);
	else if (l->kind == NP_L_TLS)
		json_tls(&w, &p->app.tls, &p->pdu);
	*first = w.first;
}
