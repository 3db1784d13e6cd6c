/* flow.c - the per-conversation counters that flow exports (IPFIX, RFC 7011/5103 biflows) and
 * the ECS conversation records read: packets and IP octets each way, the TCP flags seen, the
 * retransmissions, who closed or reset, the VLAN and tunnel it was seen in, and how it went. */
#include <string.h>

#include "conv.h"

/* The innermost tunnel with an identifier a collector can use (RFC 7348 VNI, RFC 8926 VNI,
 * RFC 2890 key, 3GPP TS 29.281 TEID). */
struct np_tunnel_ref np_track_tunnel_of(const struct np_packet *p)
{
	struct np_tunnel_ref r = { .key = p->tunnel, .kind = 0, .id = 0 };
	for (unsigned i = 0; i < p->nlayers && i < NP_MAX_LAYERS; i++) {
		const struct np_pkt_layer *l = &p->layer[i];
		switch (l->kind) {
		case NP_L_VXLAN: r.kind = NP_L_VXLAN; r.id = l->vxlan.vni; break;
		case NP_L_GENEVE: r.kind = NP_L_GENEVE; r.id = l->geneve.vni; break;
		case NP_L_GTP: r.kind = NP_L_GTP; r.id = l->gtp.teid; break;
		case NP_L_GRE:
			if ((l->gre.flags & NP_GRE_K) && (l->gre.flags & 7) == 0) {
				r.kind = NP_L_GRE;
				r.id = l->gre.key;
			}
			break;
		default: break;
		}
	}
	return r;
}

uint8_t np_track_vlan_of(const struct np_packet *p, uint16_t *vid)
{
	const struct np_link *link = p->nlayers && p->layer[0].kind == NP_L_LINK ? &p->layer[0].link
										   : NULL;
	*vid = link && link->nvlan ? link->vlan[0].vid : 0;
	return link ? link->nvlan : 0;
}

void np_track_flow_start(struct conv *c, const struct np_packet *p)
{
	c->reset_by = -1;
	c->t_report = c->t_first;
	c->nvlan = np_track_vlan_of(p, &c->vlan);
	c->tunnel = np_track_tunnel_of(p);
}

void np_track_flow_count(struct conv *c, int x, const struct np_packet *p, uint16_t flags,
			 const struct np_pkt_track *info)
{
	c->fpackets[x]++;
	/* The IP packet's length: its header(s) and what the length fields say they carry
	 * (IPFIX's octetDeltaCount, RFC 7012 s5.10.1). */
	c->octets[x] += (uint64_t)(p->l4_off - p->l3_off) + p->l4_len;
	c->flags_seen[x] |= flags;
	if (info->analysis & NP_TA_RETRANSMISSION)
		c->retrans[x]++;
	if ((flags & NP_TCP_RST) && c->reset_by < 0)
		c->reset_by = (int8_t)x;
}

static enum np_flow_outcome outcome(const struct conv *c)
{
	if (c->reset_by >= 0)
		return c->established || c->synack_seen ? NP_FLOW_RESET : NP_FLOW_REFUSED;
	if (c->d[0].fin_acked && c->d[1].fin_acked)
		return NP_FLOW_CLOSED;
	if (c->established)
		return NP_FLOW_OPEN;
	if (!c->synack_seen && c->d[0].syns)
		return NP_FLOW_UNANSWERED;
	return NP_FLOW_HALF_OPEN;
}

const char *np_flow_outcome_name(enum np_flow_outcome o)
{
	static const char *const names[] = { "open", "closed", "reset", "refused", "unanswered",
					     "half-open" };
	return (unsigned)o < sizeof names / sizeof names[0] ? names[o] : "?";
}

void np_track_flow_fill(struct conv *c, bool active, int64_t now, struct np_flow *f)
{
	memset(f, 0, sizeof *f);
	f->first_us = c->t_first;
	f->last_us = c->t_last;
	for (int i = 0; i < 2; i++) {
		f->packets[i] = c->fpackets[i];
		f->octets[i] = c->octets[i];
		f->payload[i] = c->d[i].bytes;
		f->dpackets[i] = c->fpackets[i] - c->rep_packets[i];
		f->doctets[i] = c->octets[i] - c->rep_octets[i];
		f->flags[i] = c->flags_seen[i];
		f->retrans[i] = c->retrans[i];
		f->state[i] = c->st[i];
	}
	f->syn_synack_us = c->d[0].syns && c->synack_seen ? c->t_synack - c->t_syn : -1;
	f->synack_ack_us = -1;
	if (c->synack_seen && c->established && c->t_established)
		f->synack_ack_us = c->t_established - c->t_synack;
	f->closed_by = (int8_t)(c->first_fin < 0 ? -1 : c->simultaneous ? NP_BOTH : c->first_fin);
	f->reset_by = c->reset_by;
	f->outcome = active ? NP_FLOW_OPEN : outcome(c);
	f->nvlan = c->nvlan;
	f->vlan = c->vlan;
	f->tunnel_kind = c->tunnel.kind;
	f->tunnel_id = c->tunnel.id;
	f->reports = c->reports;
	if (active) {
		memcpy(c->rep_packets, c->fpackets, sizeof c->rep_packets);
		memcpy(c->rep_octets, c->octets, sizeof c->rep_octets);
		c->t_report = now;
		c->reports++;
	}
}

bool np_track_flow_due(const struct np_tracker *t, const struct conv *c)
{
	return t->o.active_timeout_s && !c->ended &&
	       c->t_last - c->t_report >= (int64_t)t->o.active_timeout_s * 1000000;
}
