/* stats.c - the summary's statistics that are no business of the tracker: packets shown, by
 * protocol (a packet counts once for each layer it carries). */
#include "netprobe/pipeline.h"

static uint8_t kind_at(const struct np_packet *p, uint8_t at)
{
	return at ? p->layer[at - 1].kind : NP_L_NONE;
}

/* One counter per layer kind; a network and a transport kind never coincide. */
static void count_kind(struct np_proto_counts *s, uint8_t kind)
{
	switch (kind) {
	case NP_L_IP4:
		s->ip4++;
		break;
	case NP_L_IP6:
		s->ip6++;
		break;
	case NP_L_ARP:
		s->arp++;
		break;
	case NP_L_TCP:
		s->tcp++;
		break;
	case NP_L_UDP:
		s->udp++;
		break;
	case NP_L_ICMP:
		s->icmp++;
		break;
	case NP_L_ICMP6:
		s->icmp6++;
		break;
	default:
		break;
	}
}

/* The kinds of the innermost network and transport layers, read once each (np_pkt_ip4() and
 * its siblings would test the index again for every counter). */
void np_stats_count(struct np_proto_counts *s, const struct np_packet *p)
{
	s->packets++;
	s->other += !p->net_at;
	count_kind(s, kind_at(p, p->net_at));
	count_kind(s, kind_at(p, p->xport_at));
}

void np_stats_fill(const struct np_proto_counts *c, struct np_track_stats *s)
{
	s->packets = c->packets;
	s->ip4 = c->ip4;
	s->ip6 = c->ip6;
	s->tcp = c->tcp;
	s->udp = c->udp;
	s->icmp = c->icmp;
	s->icmp6 = c->icmp6;
	s->arp = c->arp;
	s->other = c->other;
}
