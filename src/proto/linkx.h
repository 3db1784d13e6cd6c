/* linkx.h - the link types of ppp.c (PPP, Cisco HDLC, NFLOG) and wlan.c (802.11 with radiotap or
 * PPI, FDDI): their decoders, which np_decode_link calls by link type (false: not theirs), and
 * their renderings, which the link unit (link.c) calls by link kind. */
#ifndef NETPROBE_PROTO_LINKX_H
#define NETPROBE_PROTO_LINKX_H

#include <stdio.h>

#include "netprobe/decode.h"

struct np_sbuf;
struct np_jw;

bool np_decode_link_ppp(struct np_cursor *c, struct np_packet *p);
/* A PPP protocol number's name (RFC 1661's registry, as Wireshark names them): PPP links and
 * PPPoE sessions. */
const char *np_ppp_proto_name(uint16_t proto);
const char *np_link_ppp_proto(const struct np_link *l);
void np_link_ppp_info(struct np_sbuf *sb, const struct np_link *l);
void np_link_ppp_tree(FILE *o, const struct np_link *l);
void np_link_ppp_json(struct np_jw *restrict w, const struct np_link *l);

bool np_decode_link_wlan(struct np_cursor *c, struct np_packet *p);
const char *np_link_wlan_proto(const struct np_link *l);
void np_link_wlan_info(struct np_sbuf *sb, const struct np_link *l);
void np_link_wlan_tree(FILE *o, const struct np_link *l);
void np_link_wlan_json(struct np_jw *restrict w, const struct np_link *l);

/* Is the link kind one of theirs, and whose. */
static inline bool np_link_is_ppp(const struct np_link *l)
{
	return l->kind == NP_LINK_PPP || l->kind == NP_LINK_CHDLC || l->kind == NP_LINK_NFLOG;
}

static inline bool np_link_is_wlan(const struct np_link *l)
{
	return l->kind == NP_LINK_WLAN || l->kind == NP_LINK_FDDI;
}

#endif
