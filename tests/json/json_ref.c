/* json_ref.c - the reference for tests/json/json_same.c: the --json printer as it was before it
 * was rewritten for speed (src/print/json.c at a527300^), one fprintf per key and value, with
 * its public functions renamed np_ref_*. It defines the bytes the fast printer must write; a
 * deliberate change to the JSON output changes both files in the same commit. */
#include <inttypes.h>
#include <string.h>

#include "netprobe/decode.h"
#include "netprobe/print.h"
#include "json_ref.h"
#include "json_ref_w.h"

static void json_link(struct jw *w, const struct np_link *l, const struct np_frame *f, bool outer)
{
	const struct np_ifnames *names = f->ifnames;
	/* a pcapng file's interface (netprobe's reader): its name, else its number */
	const char *file_name = f->iface ? f->iface->name : NULL;
	if (!l->hdr_len)
		return;
	if (l->kind == NP_LINK_ETH) {
		open_obj(w, "eth");
		mac(w, "src", l->src, 6);
		mac(w, "dst", l->dst, 6);
		num(w, "type", l->ethertype);
		close_obj(w);
	} else if (l->kind == NP_LINK_SLL || l->kind == NP_LINK_SLL2) {
		open_obj(w, "sll");
		num(w, "pkttype", l->sll_pkttype);
		num(w, "hatype", l->sll_hatype);
		if (l->kind == NP_LINK_SLL2)
			num(w, "ifindex", l->sll_ifindex);
		mac(w, "src", l->src, l->addr_len);
		num(w, "type", l->ethertype);
		close_obj(w);
	} else if (l->kind == NP_LINK_NULL || l->kind == NP_LINK_LOOP) {
		open_obj(w, "loop");
		num(w, "family", l->family);
		close_obj(w);
	}
	if (l->nvlan) {
		key(w, "vlan");
		fputc('[', w->o);
		for (unsigned i = 0; i < l->nvlan; i++) {
			fputs(i ? ",{" : "{", w->o);
			w->first = true;
			num(w, "tpid", l->vlan[i].tpid);
			num(w, "pcp", l->vlan[i].pcp);
			num(w, "dei", l->vlan[i].dei);
			num(w, "id", l->vlan[i].vid);
			close_obj(w);
		}
		fputc(']', w->o);
	}
	if (l->outgoing)
		boolean(w, "outgoing", true);
	if (l->kind == NP_LINK_SLL2 && outer) {
		const char *name = np_ifname(names, l->sll_ifindex);
		if (name || file_name)
			str(w, "ifname", name ? name : file_name);
		str(w, "dir", np_sll_dir(l->sll_pkttype));
	} else if (l->kind == NP_LINK_SLL2) {
		if (np_ifname(names, l->sll_ifindex))
			str(w, "ifname", np_ifname(names, l->sll_ifindex));
		str(w, "dir", np_sll_dir(l->sll_pkttype));
	} else if (outer && f->iface && f->iface->several) {
		if (file_name)
			str(w, "ifname", file_name);
		else
			num(w, "ifid", f->iface->id);
		str(w, "dir", f->dir == 1 ? "In" : f->dir == 2 ? "Out" : "-");
	}
}

static void json_arp(struct jw *w, const struct np_arp *a)
{
	open_obj(w, "arp");
	if (a->got >= 8)
		num(w, "op", a->op);
	if (a->got >= 28) {
		mac(w, "sha", a->sha, 6);
		addr(w, "spa", 4, a->spa);
		mac(w, "tha", a->tha, 6);
		addr(w, "tpa", 4, a->tpa);
	}
	close_obj(w);
}

static void json_ip4(struct jw *w, const struct np_ipv4 *ip)
{
	open_obj(w, "ip");
	num(w, "v", 4);
	if (ip->got >= 20) {
		addr(w, "src", 4, ip->src);
		addr(w, "dst", 4, ip->dst);
	}
	if (ip->got >= 9)
		num(w, "ttl", ip->ttl);
	if (ip->got >= 10)
		num(w, "proto", ip->proto);
	if (ip->got >= 4)
		num(w, "len", ip->tot_len);
	if (ip->got >= 6)
		num(w, "id", ip->id);
	if (ip->got >= 1)
		num(w, "hdr_len", ip->ihl * 4u);
	if (ip->got >= 2) {
		num(w, "dscp", ip->tos >> 2);
		num(w, "ecn", ip->tos & 3);
	}
	if (ip->got >= 8) {
		boolean(w, "df", ip->frag & 0x4000);
		boolean(w, "mf", ip->frag & 0x2000);
		num(w, "frag_off", (ip->frag & 0x1fffu) * 8u);
	}
	if (ip->got >= 12) {
		num(w, "csum", ip->csum);
		str(w, "csum_status", np_csum_name(ip->csum_status));
	}
	if (ip->nopts) {
		key(w, "opts");
		fputc('[', w->o);
		for (unsigned i = 0; i < ip->nopts; i++)
			fprintf(w->o, "%s%u", i ? "," : "", ip->opts[i].type);
		fputc(']', w->o);
	}
	close_obj(w);
}

static void json_ip6(struct jw *w, const struct np_ipv6 *ip)
{
	open_obj(w, "ip");
	num(w, "v", 6);
	if (ip->got >= 24)
		addr(w, "src", 6, ip->src);
	if (ip->got >= 40)
		addr(w, "dst", 6, ip->dst);
	if (ip->got >= 8)
		num(w, "ttl", ip->hlim);
	if (ip->got >= 7)
		num(w, "proto", ip->next_final);
	if (ip->got >= 6)
		num(w, "len", ip->plen);
	if (ip->got >= 4) {
		num(w, "tc", ip->tclass);
		num(w, "flow", ip->flow);
	}
	if (ip->next_ext) {
		key(w, "ext");
		fputc('[', w->o);
		for (unsigned i = 0; i < ip->next_ext; i++)
			fprintf(w->o, "%s%u", i ? "," : "", ip->ext[i].type);
		fputc(']', w->o);
	}
	if (ip->has_frag) {
		num(w, "frag_off", ip->frag_off * 8u);
		boolean(w, "mf", ip->frag_more);
		num(w, "frag_id", ip->frag_id);
	}
	close_obj(w);
}

static void json_tcp_opts(struct jw *w, const struct np_tcp *t)
{
	open_obj(w, "opts");
	if (t->has_mss)
		num(w, "mss", t->mss);
	if (t->has_ws)
		num(w, "ws", t->ws);
	if (t->sack_perm)
		boolean(w, "sack_perm", true);
	if (t->has_ts) {
		key(w, "ts");
		fprintf(w->o, "[%u,%u]", t->tsval, t->tsecr);
	}
	if (t->nsack) {
		key(w, "sack");
		fputc('[', w->o);
		for (unsigned i = 0; i < t->nsack; i++)
			fprintf(w->o, "%s[%u,%u]", i ? "," : "", t->sack[i][0], t->sack[i][1]);
		fputc(']', w->o);
	}
	bool any = false;
	for (unsigned i = 0; i < t->nopts; i++) {
		uint8_t k = t->opts[i].kind;
		if (k == 0 || k == 1 || k == 2 || k == 3 || k == 4 || k == 5 || k == 8)
			continue;
		if (!any) {
			key(w, "other");
			fputc('[', w->o);
		}
		fprintf(w->o, "%s%u", any ? "," : "", k);
		any = true;
	}
	if (any)
		fputc(']', w->o);
	if (t->opts_bad)
		boolean(w, "malformed", true);
	close_obj(w);
}

static void json_tcp(struct jw *w, const struct np_tcp *t, const struct np_pkt_track *k)
{
	open_obj(w, "tcp");
	if (k && k->tcp)
		num(w, "conv", k->conv);
	if (t->got >= 4) {
		num(w, "sport", t->sport);
		num(w, "dport", t->dport);
	}
	if (t->got >= 8)
		num(w, "seq", t->seq);
	if (t->got >= 12)
		num(w, "ack", t->ack);
	if (k && k->tcp && k->rel_valid) {
		num(w, "rel_seq", k->rel_seq);
		if (t->flags & NP_TCP_ACK)
			num(w, "rel_ack", k->rel_ack);
	}
	if (t->got >= 14) {
		num(w, "flags", t->flags);
		key(w, "flag_names");
		fputc('[', w->o);
		bool any = false;
		for (unsigned i = 0; np_tcp_flag_name(i); i++) {
			if (t->flags & (1u << i)) {
				fprintf(w->o, "%s\"%s\"", any ? "," : "", np_tcp_flag_name(i));
				any = true;
			}
		}
		fputc(']', w->o);
		num(w, "hdr_len", t->doff * 4u);
	}
	if (t->got >= 16)
		num(w, "win", t->win);
	if (k && k->tcp && k->win_scaled_valid)
		num(w, "win_scaled", k->win_scaled);
	if (k && k->tcp && k->analysis) {
		static const struct { uint16_t bit; const char *name; } notes[] = {
			{ NP_TA_RETRANSMISSION, "retransmission" }, { NP_TA_FAST_RETRANS, "fast_retransmission" },
			{ NP_TA_SPURIOUS, "spurious_retransmission" }, { NP_TA_OUT_OF_ORDER, "out_of_order" },
			{ NP_TA_DUP_ACK, "dup_ack" }, { NP_TA_ZERO_WINDOW, "zero_window" },
			{ NP_TA_WINDOW_FULL, "window_full" }, { NP_TA_KEEPALIVE, "keep_alive" },
			{ NP_TA_PREV_LOST, "previous_segment_not_captured" },
			{ NP_TA_WINDOW_UPDATE, "window_update" }, { NP_TA_SACKED, "sacked" },
		};
		key(w, "analysis");
		fputc('[', w->o);
		bool any = false;
		for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++) {
			if (k->analysis & notes[i].bit) {
				fprintf(w->o, "%s\"%s\"", any ? "," : "", notes[i].name);
				any = true;
			}
		}
		fputc(']', w->o);
	}
	if (t->got >= 18) {
		num(w, "csum", t->csum);
		str(w, "csum_status", np_csum_name(t->csum_status));
	}
	if (t->got >= 20) {
		num(w, "urp", t->urp);
		if (t->doff >= 5 && t->doff * 4u <= t->seg_len)
			num(w, "len", t->payload_len);
		json_tcp_opts(w, t);
	}
	close_obj(w);
}

static void json_udp(struct jw *w, const struct np_udp *u)
{
	open_obj(w, "udp");
	if (u->got >= 4) {
		num(w, "sport", u->sport);
		num(w, "dport", u->dport);
	}
	if (u->got >= 6)
		num(w, "len", u->len);
	if (u->got >= 8) {
		num(w, "csum", u->csum);
		str(w, "csum_status", np_csum_name(u->csum_status));
	}
	close_obj(w);
}

static void json_quote(struct jw *w, const struct np_quote *q)
{
	if (!q->ipver || q->ip_got < (q->ipver == 4 ? 20 : 40))
		return;
	open_obj(w, "quote");
	open_obj(w, "ip");
	num(w, "v", q->ipver);
	addr(w, "src", q->ipver, q->src);
	addr(w, "dst", q->ipver, q->dst);
	num(w, "ttl", q->ttl);
	num(w, "proto", q->proto);
	num(w, "len", q->len);
	if (q->ipver == 4)
		num(w, "id", q->id);
	close_obj(w);
	if ((q->proto == 6 || q->proto == 17) && q->l4_got >= 4) {
		open_obj(w, q->proto == 6 ? "tcp" : "udp");
		num(w, "sport", q->sport);
		num(w, "dport", q->dport);
		if (q->proto == 6 && q->l4_got >= 8)
			num(w, "seq", q->seq);
		if (q->proto == 6 && q->l4_got >= 16) {
			num(w, "ack", q->ack);
			num(w, "flags", q->tcp_flags);
			num(w, "win", q->win);
		}
		if (q->proto == 17 && q->l4_got >= 6)
			num(w, "len", q->udp_len);
		close_obj(w);
	} else if ((q->proto == 1 || q->proto == 58) && q->l4_got >= 2) {
		open_obj(w, q->proto == 1 ? "icmp" : "icmp6");
		num(w, "type", q->icmp_type);
		num(w, "code", q->icmp_code);
		if (q->l4_got >= 8) {
			num(w, "id", q->icmp_id);
			num(w, "seq", q->icmp_seq);
		}
		close_obj(w);
	}
	close_obj(w);
}

static void json_icmp(struct jw *w, const struct np_icmp *m)
{
	open_obj(w, "icmp");
	if (m->got >= 1)
		num(w, "type", m->type);
	if (m->got >= 2)
		num(w, "code", m->code);
	if (m->got >= 4) {
		num(w, "csum", m->csum);
		str(w, "csum_status", np_csum_name(m->csum_status));
	}
	if (m->got >= 8) {
		if (m->has_idseq) {
			num(w, "id", m->id);
			num(w, "seq", m->seq);
		}
		if (m->type == 3 && m->code == 4)
			num(w, "mtu", m->mtu);
		if (m->type == 5)
			addr(w, "gateway", 4, m->gateway);
		if (m->type == 12)
			num(w, "pointer", m->pointer);
	}
	json_quote(w, &m->quote);
	close_obj(w);
}

static void json_icmp6(struct jw *w, const struct np_icmp6 *m)
{
	open_obj(w, "icmp6");
	if (m->got >= 1)
		num(w, "type", m->type);
	if (m->got >= 2)
		num(w, "code", m->code);
	if (m->got >= 4) {
		num(w, "csum", m->csum);
		str(w, "csum_status", np_csum_name(m->csum_status));
	}
	if (m->got >= 8) {
		if (m->has_idseq) {
			num(w, "id", m->id);
			num(w, "seq", m->seq);
		}
		if (m->type == 2)
			num(w, "mtu", m->mtu);
		if (m->type == 4)
			num(w, "pointer", m->pointer);
		if (m->type == 136)
			num(w, "na_flags", m->na_flags);
	}
	if (m->has_target)
		addr(w, "target", 6, m->target);
	if (m->has_lladdr)
		mac(w, "lladdr", m->lladdr, 6);
	json_quote(w, &m->quote);
	close_obj(w);
}

void np_ref_print_json(struct np_print_ctx *ctx, const struct np_packet *p,
		   const struct np_pkt_track *trk)
{
	np_ref_print_json_object(ctx->out, p, trk);
	fputc('\n', ctx->out);
}

void np_ref_print_json_object(FILE *out, const struct np_packet *p, const struct np_pkt_track *trk)
{
	const struct np_frame *f = p->frame;
	struct jw w = { out, true };
	fputc('{', w.o);
	str(&w, "type", "packet");
	num(&w, "n", f->n);
	key(&w, "ts");
	fprintf(w.o, "\"%" PRId64 ".%06u\"", f->ts_sec, f->ts_usec);
	num(&w, "caplen", f->caplen);
	num(&w, "len", f->len);
	str(&w, "link", np_link_name(f->dlt));
	/* Every layer in stack order; after a network layer, a link or network layer starts the
	 * packet a tunnel carries: "inner" holds its objects. */
	if (p->encaps || p->nets > 1)
		np_ref_layer_names(w.o, &w.first, p);
	unsigned open = 0;
	bool net = false;
	for (unsigned i = 0; i < p->nlayers; i++) {
		const struct np_pkt_layer *l = &p->layer[i];
		bool is_net = l->kind == NP_L_IP4 || l->kind == NP_L_IP6 || l->kind == NP_L_ARP;
		if (net && (is_net || l->kind == NP_L_LINK)) {
			open_obj(&w, "inner");
			open++;
			net = false;
		}
		net |= is_net;
		switch (l->kind) {
		case NP_L_LINK: np_ref_linkx(w.o, &w.first, &l->link); json_link(&w, &l->link, p->frame, l == &p->layer[0]); break;
		case NP_L_ARP: json_arp(&w, &l->arp); break;
		case NP_L_IP4: json_ip4(&w, &l->ip4); break;
		case NP_L_IP6: json_ip6(&w, &l->ip6); break;
		case NP_L_TCP: json_tcp(&w, &l->tcp, trk); break;
		case NP_L_UDP: json_udp(&w, &l->udp); break;
		case NP_L_ICMP: json_icmp(&w, &l->icmp); break;
		case NP_L_ICMP6: json_icmp6(&w, &l->icmp6); break;
		default: /* the tunnels', and the application layers' */
			(l->kind >= NP_L_FIRST_APP ? np_ref_app(w.o, &w.first, p, l)
						   : np_ref_tunnel(w.o, &w.first, l));
			break;
		}
	}
	while (open--)
		close_obj(&w);
	boolean(&w, "truncated", p->truncated);
	boolean(&w, "malformed", p->malformed);
	if (p->nproblems) {
		key(&w, "problems");
		fputc('[', w.o);
		for (unsigned i = 0; i < p->nproblems; i++) {
			fputs(i ? ",{" : "{", w.o);
			w.first = true;
			str(&w, "layer", np_layer_name(p->problems[i].layer));
			str(&w, "verdict", np_verdict_name(p->problems[i].verdict));
			str(&w, "what", p->problems[i].what);
			close_obj(&w);
		}
		fputc(']', w.o);
	}
	fputc('}', w.o);
}

static void endpoint(struct jw *w, const char *k, const struct np_endpoint *ep)
{
	char buf[64];
	np_fmt_endpoint(ep, buf, sizeof buf);
	str(w, k, buf);
}

static void real(struct jw *w, const char *k, double v)
{
	key(w, k);
	fprintf(w->o, "%.3f", v);
}

void np_ref_print_event_json(struct np_print_ctx *ctx, const struct np_event *ev)
{
	if (ev->kind == NP_EV_LADDER)
		return; /* a picture for people; JSON readers have every packet and event already */
	struct jw w = { ctx->out, true };
	fputc('{', w.o);
	str(&w, "type", "event");
	str(&w, "event", np_event_kind_name(ev->kind));
	num(&w, "n", ev->n);
	key(&w, "ts");
	fprintf(w.o, "\"%" PRId64 ".%06u\"", ev->ts_sec, ev->ts_usec);
	if (ev->kind != NP_EV_SYN_FLOOD) {
		num(&w, "conv", ev->conv);
		endpoint(&w, "client", &ev->client);
		endpoint(&w, "server", &ev->server);
		if (ev->midstream)
			boolean(&w, "midstream", true);
	}
	switch (ev->kind) {
	case NP_EV_HANDSHAKE:
		if (ev->hs.syn_synack_ms >= 0)
			real(&w, "syn_synack_ms", ev->hs.syn_synack_ms);
		real(&w, "synack_ack_ms", ev->hs.synack_ack_ms);
		open_obj(&w, "opts");
		num(&w, "mss_client", ev->hs.mss[0]);
		num(&w, "mss_server", ev->hs.mss[1]);
		if (ev->hs.ws[0] >= 0 && ev->hs.ws[1] >= 0) {
			num(&w, "ws_client", (uint64_t)ev->hs.ws[0]);
			num(&w, "ws_server", (uint64_t)ev->hs.ws[1]);
		}
		boolean(&w, "sack", ev->hs.sack);
		boolean(&w, "ts", ev->hs.ts);
		close_obj(&w);
		break;
	case NP_EV_TEARDOWN:
		str(&w, "closed_by", np_side_name(ev->td.closed_by));
		str(&w, "time_wait", np_side_name(ev->td.time_wait));
		real(&w, "duration_ms", ev->td.duration_ms);
		num(&w, "bytes_c2s", ev->td.bytes[0]);
		num(&w, "bytes_s2c", ev->td.bytes[1]);
		boolean(&w, "half_close", ev->td.half_close);
		break;
	case NP_EV_RESET:
		str(&w, "by", np_side_name(ev->side));
		real(&w, "duration_ms", ev->rst.duration_ms);
		num(&w, "bytes_c2s", ev->rst.bytes[0]);
		num(&w, "bytes_s2c", ev->rst.bytes[1]);
		num(&w, "unacked_c2s", ev->rst.unacked[0]);
		num(&w, "unacked_s2c", ev->rst.unacked[1]);
		if (ev->rst.lone) boolean(&w, "lone", true);
		break;
	case NP_EV_REFUSED:
		str(&w, "by", np_side_name(ev->side));
		break;
	case NP_EV_SYN_UNANSWERED:
		num(&w, "syns", ev->unanswered.syns);
		break;
	case NP_EV_STATE:
		str(&w, "side", np_side_name(ev->side));
		str(&w, "from", np_tcp_state_name(ev->st.from));
		str(&w, "to", np_tcp_state_name(ev->st.to));
		break;
	case NP_EV_DUP_ACK:
		str(&w, "side", np_side_name(ev->side));
		num(&w, "num", ev->dup.num);
		break;
	case NP_EV_RETRANSMISSION:
	case NP_EV_ZERO_WINDOW:
	case NP_EV_WINDOW_FULL:
	case NP_EV_OUT_OF_ORDER:
		str(&w, "side", np_side_name(ev->side));
		break;
	case NP_EV_LADDER:
	case NP_EV_CONV_END:
		break;
	case NP_EV_SYN_FLOOD: {
		static const char *const phases[] = { "start", "update", "end" };
		str(&w, "phase", phases[ev->flood.phase]);
		endpoint(&w, "target", &ev->flood.target);
		const char *tun = ev->flood.tunnel.kind == NP_L_VXLAN    ? "vxlan"
				  : ev->flood.tunnel.kind == NP_L_GENEVE ? "geneve"
				  : ev->flood.tunnel.kind == NP_L_GRE    ? "gre"
				  : ev->flood.tunnel.kind == NP_L_GTP    ? "gtp-u"
									 : NULL;
		if (tun) {
			open_obj(&w, "tunnel");
			str(&w, "type", tun);
			num(&w, "id", ev->flood.tunnel.id);
			close_obj(&w);
		}
		real(&w, "syn_rate", ev->flood.syn_rate);
		num(&w, "half_open", ev->flood.half_open);
		num(&w, "sources", ev->flood.sources);
		num(&w, "syns", ev->flood.syns);
		num(&w, "synacks", ev->flood.synacks);
		num(&w, "rsts", ev->flood.rsts);
		real(&w, "peak_rate", ev->flood.peak_rate);
		real(&w, "duration_s", ev->flood.duration_s);
		num(&w, "suppressed", ev->flood.suppressed);
		break;
	}
	}
	fputs("}\n", w.o);
}

void np_ref_print_summary_json(FILE *out, const struct np_track_stats *s, uint64_t frames,
			   uint64_t shown)
{
	struct jw w = { out, true };
	fputc('{', out);
	str(&w, "type", "summary");
	num(&w, "schema", NP_JSON_SCHEMA);
	num(&w, "frames", frames);
	num(&w, "packets", shown);
	open_obj(&w, "protocols");
	num(&w, "tcp", s->tcp);
	num(&w, "udp", s->udp);
	num(&w, "icmp", s->icmp);
	num(&w, "icmp6", s->icmp6);
	num(&w, "arp", s->arp);
	num(&w, "other", s->other);
	num(&w, "ip4", s->ip4);
	num(&w, "ip6", s->ip6);
	close_obj(&w);
	open_obj(&w, "conversations");
	num(&w, "total", s->conversations);
	num(&w, "completed", s->completed);
	num(&w, "closed", s->closed);
	num(&w, "refused", s->refused);
	num(&w, "reset", s->reset);
	num(&w, "reset_unacked", s->reset_unacked);
	num(&w, "unanswered", s->unanswered);
	num(&w, "open", s->open);
	num(&w, "half_open", s->half_open);
	num(&w, "evicted", s->evicted);
	num(&w, "evicted_half_open", s->evicted_half_open);
	num(&w, "peak_in_use", s->max_conv_in_use);
	close_obj(&w);
	if (s->hs_count) {
		open_obj(&w, "handshake_ms");
		real(&w, "min", s->hs_min_ms);
		real(&w, "avg", s->hs_sum_ms / (double)s->hs_count);
		real(&w, "max", s->hs_max_ms);
		close_obj(&w);
	}
	num(&w, "flood_episodes", s->flood_episodes);
	if (s->app_requests != 0 || s->app_unmatched != 0) {
		open_obj(&w, "app_pairs");
		num(&w, "requests", s->app_requests);
		num(&w, "paired", s->app_paired);
		num(&w, "unmatched", s->app_unmatched);
		num(&w, "evicted", s->app_evicted);
		num(&w, "pending", s->app_pending);
		close_obj(&w);
	}
	if (s->pdu_done != 0 || s->pdu_abandoned != 0 || s->pdu_too_long != 0) {
		open_obj(&w, "reassembled");
		num(&w, "messages", s->pdu_done);
		num(&w, "abandoned", s->pdu_abandoned);
		num(&w, "too_long", s->pdu_too_long);
		num(&w, "evicted", s->pdu_evicted);
		close_obj(&w);
	}
	key(&w, "top_talkers");
	fputc('[', out);
	for (uint32_t i = 0; i < s->ntop; i++) {
		fputs(i ? ",{" : "{", out);
		w.first = true;
		num(&w, "conv", s->top[i].conv);
		endpoint(&w, "client", &s->top[i].client);
		endpoint(&w, "server", &s->top[i].server);
		num(&w, "bytes_c2s", s->top[i].bytes[0]);
		num(&w, "bytes_s2c", s->top[i].bytes[1]);
		num(&w, "packets", s->top[i].packets);
		close_obj(&w);
	}
	fputc(']', out);
	fputs("}\n", out);
}
