#!/usr/bin/perl -pi
# layer-rewrite.pl - the mechanical rewrite of flat struct np_packet field reads to the layer
# stack accessors (issue 18): perl -pi scripts/layer-rewrite.pl FILE...  Packet variables it
# knows: p, full, cut, pk, pkt (pointers) and X.p (a struct t_pkt in the unit tests).
# Mechanical rewrite of flat np_packet field reads to the layer-stack accessors (issue 18).
# 1. a layer test: P->layers & NP_HAS_X  ->  np_pkt_x(P)   (a pointer: non-NULL when present)
s/\b(p|full|cut|pk|pkt)->layers\s*&\s*NP_HAS_(LINK|ARP|IP4|IP6|TCP|UDP|ICMP6|ICMP)\b/np_pkt_\L$2\E($1)/g;
s/\b(\w+)\.p\.layers\s*&\s*NP_HAS_(LINK|ARP|IP4|IP6|TCP|UDP|ICMP6|ICMP)\b/np_pkt_\L$2\E(&$1.p)/g;
# ...and the parentheses the bit test needed go: !!(np_pkt_x(p)) -> !!np_pkt_x(p), (np_pkt_x(p)) && -> np_pkt_x(p) &&
s/(!!|!|&& |\|\| |= |\? )\((np_pkt_\w+\([^()]*\))\)/$1$2/g;
s/(^|[\s(])\((np_pkt_\w+\([^()]*\))\)(\s*(?:&&|\|\|))/$1$2$3/g;
# 2. a field read: P->x.f  ->  np_pkt_x(P)->f ; &P->x  ->  np_pkt_x(P)
s/\b(p|full|cut|pk|pkt)->(link|arp|ip4|ip6|tcp|udp|icmp6|icmp)\./np_pkt_$2($1)->/g;
s/&(p|full|cut|pk|pkt)->(link|arp|ip4|ip6|tcp|udp|icmp6|icmp)\b/np_pkt_$2($1)/g;
s/\b(\w+)\.p\.(link|arp|ip4|ip6|tcp|udp|icmp6|icmp)\./np_pkt_$2(&$1.p)->/g;
s/&(\w+)\.p\.(link|arp|ip4|ip6|tcp|udp|icmp6|icmp)\b/np_pkt_$2(&$1.p)/g;
# 3. "no network layer": !(P->layers & (NP_HAS_IP4 | NP_HAS_IP6 | NP_HAS_ARP))  ->  !P->net_at
s/!\((p|full|cut|pk|pkt)->layers\s*&\s*\(NP_HAS_IP4 \| NP_HAS_IP6 \| NP_HAS_ARP\)\)/!$1->net_at/g;
# 4. tests that compare the whole set: X.layers -> np_pkt_mask(&X), P->layers -> np_pkt_mask(P)
s/\b([\w.]+)\.layers\b/np_pkt_mask(&$1)/g;
s/\b(p|full|cut|pk|pkt)->layers\b/np_pkt_mask($1)/g;
s/\b(pk\([^()]*\))->layers\b/np_pkt_mask($1)/g;
