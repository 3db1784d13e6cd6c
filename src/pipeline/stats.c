/* stats.c - the summary's statistics that are no business of the tracker: packets shown, by
 * protocol (a packet counts once for each layer it carries). */
#include "netprobe/pipeline.h"

void np_stats_count(struct np_proto_counts *s, const struct np_packet *p)
{
	s->packets++;
	s->ip4 += !!(p->layers & NP_HAS_IP4);
	s->ip6 += !!(p->layers & NP_HAS_IP6);
	s->tcp += !!(p->layers & NP_HAS_TCP);
	s->udp += !!(p->layers & NP_HAS_UDP);
	s->icmp += !!(p->layers & NP_HAS_ICMP);
	s->icmp6 += !!(p->layers & NP_HAS_ICMP6);
	s->arp += !!(p->layers & NP_HAS_ARP);
	s->other += !(p->layers & (NP_HAS_IP4 | NP_HAS_IP6 | NP_HAS_ARP));
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
