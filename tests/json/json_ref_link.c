/* json_ref_link.c - the reference for json_same.c of the link objects of ppp.c and wlan.c
 * (issue 14: ppp, chdlc, nflog, radiotap, ppi, wlan, fddi), written apart from the printer from
 * the JSON schema in README.md: one fprintf per key and value. */
#include "netprobe/decode.h"
#include "json_ref.h"
#include "json_ref_w.h"

static void ppp(struct jw *w, const struct np_link *l)
{
	if (l->kind == NP_LINK_PPP) {
		open_obj(w, "ppp");
		if (l->addr) {
			num(w, "address", l->addr);
			num(w, "control", l->ctrl);
		}
		num(w, "proto", l->proto);
	} else if (l->kind == NP_LINK_CHDLC) {
		open_obj(w, "chdlc");
		num(w, "address", l->addr);
		num(w, "proto", l->proto);
	} else {
		open_obj(w, "nflog");
		num(w, "family", l->family);
		num(w, "version", l->addr);
		num(w, "res_id", l->pre_len);
		if (l->proto) {
			num(w, "hw_proto", l->proto);
			num(w, "hook", l->ctrl);
		}
	}
	close_obj(w);
}

static void wlan(struct jw *w, const struct np_link *l)
{
	unsigned type = (l->proto >> 10) & 3;
	if (l->pre == 1 || l->pre == 2) {
		open_obj(w, l->pre == 1 ? "radiotap" : "ppi");
		if (l->pre == 2)
			num(w, "dlt", l->family);
		num(w, "len", l->pre_len);
		close_obj(w);
		if (l->hdr_len <= l->pre_len)
			return;
	}
	open_obj(w, l->kind == NP_LINK_FDDI ? "fddi" : "wlan");
	num(w, "fc", l->proto);
	if (l->kind == NP_LINK_WLAN) {
		num(w, "type", type);
		num(w, "subtype", (l->proto >> 12) & 15);
	}
	if (l->has_dst)
		mac(w, "dst", l->dst, 6);
	if (l->addr_len)
		mac(w, "src", l->src, 6);
	if (l->kind == NP_LINK_WLAN && type != 1) {
		mac(w, "bssid", l->bssid, 6);
		num(w, "seq", l->body >> 4);
	}
	if (l->llc)
		num(w, "ethertype", l->ethertype);
	close_obj(w);
}

void np_ref_linkx(FILE *o, bool *first, const struct np_link *l)
{
	struct jw w = { o, *first };
	if (!l->hdr_len)
		return;
	if (l->kind == NP_LINK_PPP || l->kind == NP_LINK_CHDLC || l->kind == NP_LINK_NFLOG)
		ppp(&w, l);
	else if (l->kind == NP_LINK_WLAN || l->kind == NP_LINK_FDDI)
		wlan(&w, l);
	*first = w.first;
}
