/* stats.c - the summary's statistics that are no business of the tracker: packets shown, by
 * protocol (a packet counts once for each layer it carries). */
#include "netprobe/pipeline.h"

void np_stats_count(struct np_proto_counts *s, const struct np_packet *p)
{
	s->packets++;
	s->ip4 += !!np_pkt_ip4(p);
	s->ip6 += !!np_pkt_ip6(p);
	s->tcp += !!np_pkt_tcp(p);
	s->udp += !!np_pkt_udp(p);
	s->icmp += !!np_pkt_icmp(p);
	s->icmp6 += !!np_pkt_icmp6(p);
	s->arp += !!np_pkt_arp(p);
	s->other += !p->net_at;
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
