/* json_ref_tunnel.c - the reference (json_ref.c's way: one fprintf per key and value) of the
 * tunnel layers' JSON objects (issue 14: gre, erspan, geneve, mpls, pppoe) and of the "layers"
 * list, written from the packet.h fields without the units' renderers. */
#include <string.h>

#include "json_ref.h"
#include "json_ref_w.h"

static void json_gre(struct jw *w, const struct np_gre *g)
{
	open_obj(w, "gre");
	if (g->got >= 4) {
		num(w, "flags", g->flags);
		num(w, "proto", g->proto);
	}
	unsigned need = 4;
	if (g->flags & 0x8000) {
		need += 4;
		if (g->got >= need) {
			num(w, "csum", g->csum);
			str(w, "csum_status", np_csum_name(g->csum_status));
		}
	}
	if (g->flags & 0x2000) {
		need += 4;
		if (g->got >= need)
			num(w, "key", g->key);
	}
	if (g->flags & 0x1000) {
		need += 4;
		if (g->got >= need)
			num(w, "seq", g->seq);
	}
	if ((g->flags & 7) == 1 && (g->flags & 0x0080) && g->got >= need + 4)
		num(w, "ack", g->ack);
	close_obj(w);
}

static void json_erspan(struct jw *w, const struct np_erspan *e)
{
	open_obj(w, "erspan");
	num(w, "type", e->type);
	if (e->got >= 4) {
		num(w, "version", e->version);
		num(w, "vlan", e->vlan);
		num(w, "cos", e->cos);
		num(w, "session", e->session);
	}
	if (e->type == 2 && e->got >= 8)
		num(w, "index", e->index);
	if (e->type == 3 && e->got >= 12) {
		num(w, "timestamp", e->timestamp);
		num(w, "sgt", e->sgt);
		num(w, "hw_id", e->hw_id);
	}
	close_obj(w);
}

static void json_geneve(struct jw *w, const struct np_geneve *g)
{
	open_obj(w, "geneve");
	if (g->got >= 8) {
		num(w, "vni", g->vni);
		num(w, "proto", g->proto);
		boolean(w, "oam", g->oam);
		boolean(w, "critical", g->critical);
		key(w, "opts");
		fputc('[', w->o);
		for (unsigned i = 0; i < g->nopts; i++) {
			fputs(i ? ",{" : "{", w->o);
			w->first = true;
			num(w, "class", g->opts[i].cls);
			num(w, "type", g->opts[i].type);
			num(w, "len", g->opts[i].len);
			close_obj(w);
		}
		fputc(']', w->o);
	}
	close_obj(w);
}

static void json_mpls(struct jw *w, const struct np_mpls *m)
{
	key(w, "mpls");
	fputc('[', w->o);
	for (unsigned i = 0; i < m->n; i++) {
		fputs(i ? ",{" : "{", w->o);
		w->first = true;
		num(w, "label", m->e[i].label);
		num(w, "tc", m->e[i].tc);
		num(w, "s", m->e[i].s);
		num(w, "ttl", m->e[i].ttl);
		close_obj(w);
	}
	fputc(']', w->o);
}

static void json_pppoe(struct jw *w, const struct np_pppoe *e)
{
	open_obj(w, "pppoe");
	if (e->got >= 6) {
		num(w, "code", e->code);
		num(w, "session", e->session);
		num(w, "len", e->len);
	}
	if (e->has_ppp)
		num(w, "ppp_proto", e->ppp_proto);
	close_obj(w);
}

static void json_gtp(struct jw *w, const struct np_gtp *g)
{
	open_obj(w, "gtp");
	if (g->got >= 8) {
		num(w, "flags", g->flags);
		num(w, "type", g->type);
		num(w, "len", g->len);
		num(w, "teid", g->teid);
	}
	if (g->got >= 12 && (g->flags & 0x02))
		num(w, "seq", g->seq);
	close_obj(w);
}

static void json_arista(struct jw *w, const struct np_arista *a)
{
	open_obj(w, "arista");
	if (a->got >= 4) {
		num(w, "subtype", a->subtype);
		num(w, "version", a->version);
	}
	if (a->got >= 12) {
		num(w, "ts_sec", a->sec);
		num(w, "ts_nsec", a->nsec);
		num(w, "type", a->ethertype);
	}
	close_obj(w);
}

static void json_teredo(struct jw *w, const struct np_teredo *t)
{
	open_obj(w, "teredo");
	if (t->has_auth) {
		char n[17];
		for (int i = 0; i < 8; i++)
			snprintf(n + 2 * i, 3, "%02x", t->nonce[i]);
		open_obj(w, "auth");
		num(w, "id_len", t->id_len);
		num(w, "au_len", t->au_len);
		str(w, "nonce", n);
		num(w, "confirm", t->confirm);
		close_obj(w);
	}
	if (t->has_origin) {
		open_obj(w, "origin");
		num(w, "port", t->orig_port);
		addr(w, "addr", 4, t->orig_addr);
		close_obj(w);
	}
	close_obj(w);
}

static void json_macsec(struct jw *w, const struct np_macsec *m)
{
	open_obj(w, "macsec");
	if (m->got >= 6) {
		num(w, "tci", m->tci_an >> 2);
		num(w, "an", m->tci_an & 3);
		num(w, "sl", m->sl);
		num(w, "pn", m->pn);
	}
	if (m->got >= 14)
		num(w, "sci", m->sci);
	if (m->got >= 6)
		boolean(w, "encrypted", m->encrypted);
	if (m->ethertype)
		num(w, "type", m->ethertype);
	close_obj(w);
}

void np_ref_tunnel(FILE *o, bool *first, const struct np_pkt_layer *l)
{
	struct jw w = { o, *first };
	switch (l->kind) {
	case NP_L_VXLAN:
		open_obj(&w, "vxlan");
		if (l->vxlan.got >= 2)
			num(&w, "flags", l->vxlan.flags);
		if (l->vxlan.got >= 7)
			num(&w, "vni", l->vxlan.vni);
		close_obj(&w);
		break;
	case NP_L_GRE: json_gre(&w, &l->gre); break;
	case NP_L_ERSPAN: json_erspan(&w, &l->erspan); break;
	case NP_L_GENEVE: json_geneve(&w, &l->geneve); break;
	case NP_L_MPLS: json_mpls(&w, &l->mpls); break;
	case NP_L_PPPOE: json_pppoe(&w, &l->pppoe); break;
	case NP_L_GTP: json_gtp(&w, &l->gtp); break;
	case NP_L_ARISTA: json_arista(&w, &l->arista); break;
	case NP_L_TEREDO: json_teredo(&w, &l->teredo); break;
	case NP_L_MACSEC: json_macsec(&w, &l->macsec); break;
	default: break;
	}
	*first = w.first;
}

static const char *layer_name(const struct np_pkt_layer *l)
{
	static const char *const names[] = {
		[NP_L_ARP] = "arp",   [NP_L_IP4] = "ip",       [NP_L_IP6] = "ip",
		[NP_L_TCP] = "tcp",   [NP_L_UDP] = "udp",      [NP_L_ICMP] = "icmp",
		[NP_L_ICMP6] = "icmp6", [NP_L_VXLAN] = "vxlan", [NP_L_GRE] = "gre",
		[NP_L_ERSPAN] = "erspan", [NP_L_GENEVE] = "geneve", [NP_L_MPLS] = "mpls",
		[NP_L_PPPOE] = "pppoe", [NP_L_GTP] = "gtp", [NP_L_ARISTA] = "arista",
		[NP_L_TEREDO] = "teredo", [NP_L_MACSEC] = "macsec",
	};
	if (l->kind == NP_L_LINK) {
		if (!l->link.hdr_len)
			return NULL;
		switch (l->link.kind) {
		case NP_LINK_ETH: return "eth";
		case NP_LINK_SLL:
		case NP_LINK_SLL2: return "sll";
		case NP_LINK_NULL:
		case NP_LINK_LOOP: return "loop";
		case NP_LINK_PPP: return "ppp";
		case NP_LINK_CHDLC: return "chdlc";
		case NP_LINK_NFLOG: return "nflog";
		case NP_LINK_WLAN: return "wlan";
		case NP_LINK_FDDI: return "fddi";
		default: return NULL;
		}
	}
	return l->kind < sizeof names / sizeof names[0] ? names[l->kind] : NULL;
}

void np_ref_layer_names(FILE *o, bool *first, const struct np_packet *p)
{
	struct jw w = { o, *first };
	key(&w, "layers");
	fputc('[', o);
	bool any = false;
	for (unsigned i = 0; i < p->nlayers; i++) {
		const char *n = layer_name(&p->layer[i]);
		if (n) {
			fprintf(o, "%s\"%s\"", any ? "," : "", n);
			any = true;
		}
	}
	fputc(']', o);
	*first = w.first;
}
