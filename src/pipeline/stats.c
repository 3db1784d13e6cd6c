/* stats.c - the summary's statistics that are no business of the tracker: packets shown, by
 * protocol (a packet counts once for each layer it carries). */
#include "netprobe/pipeline.h"
#include "netprobe/hot.h"

static uint8_t kind_at(const struct np_packet *p, uint8_t at)
{
	return at ? p->layer[at - 1].kind & 31 : NP_L_NONE;
}

/* A counter per layer kind, indexed: no switch per packet. */
NP_HOT void np_stats_count(struct np_proto_counts *s, const struct np_packet *p)
{
	s->packets++;
	s->other += !p->net_at;
	s->kind[kind_at(p, p->net_at)]++;
	s->kind[kind_at(p, p->xport_at)]++;
}

void np_stats_fill(const struct np_proto_counts *c, struct np_track_stats *s)
{
	s->packets = c->packets;
	s->ip4 = c->kind[NP_L_IP4];
	s->ip6 = c->kind[NP_L_IP6];
	s->tcp = c->kind[NP_L_TCP];
	s->udp = c->kind[NP_L_UDP];
	s->icmp = c->kind[NP_L_ICMP];
	s->icmp6 = c->kind[NP_L_ICMP6];
	s->arp = c->kind[NP_L_ARP];
	s->other = c->other;
}
