/* internal.h - helpers shared by the decoders, not part of the public decode API. */
#ifndef NETPROBE_DECODE_INTERNAL_H
#define NETPROBE_DECODE_INTERNAL_H

#include "netprobe/decode.h"

/* Offset of the cursor's position within the frame. */
static inline uint32_t np_frame_off(const struct np_packet *p, const struct np_cursor *c)
{
	return (uint32_t)(np_cur_ptr(c) - p->frame->data);
}

/* Push a layer of `kind` on the packet's stack and return it, its fields not yet cleared (the
 * decoder clears what it fills); NULL when the stack is full, recorded as unsupported. A network
 * layer starts a new transport scope and an inner link layer a new network scope, so that the
 * innermost network and transport layers always belong together. */
static inline struct np_pkt_layer *np_pkt_push(struct np_packet *p, enum np_layer kind)
{
	if (p->nlayers == NP_MAX_LAYERS) {
		np_problem(p, kind, NP_UNSUPPORTED, "too many layers");
		return NULL;
	}
	bool net = kind == NP_L_ARP || kind == NP_L_IP4 || kind == NP_L_IP6;
	if (net && p->nets == NP_MAX_NETS) {
		np_problem(p, kind, NP_UNSUPPORTED, "tunnels nested too deep (more than 3)");
		return NULL;
	}
	p->nets = (uint8_t)(p->nets + net);
	uint8_t at = ++p->nlayers;
	struct np_pkt_layer *l = &p->layer[at - 1];
	l->kind = (uint8_t)kind;
	switch (kind) {
	case NP_L_LINK:
		p->link_at = at;
		p->net_at = p->xport_at = 0;
		break;
	case NP_L_ARP:
	case NP_L_IP4:
	case NP_L_IP6:
		p->net_at = at;
		p->xport_at = 0;
		break;
	case NP_L_TCP:
	case NP_L_UDP:
	case NP_L_ICMP:
	case NP_L_ICMP6:
		p->xport_at = at;
		break;
	case NP_L_VXLAN:
	case NP_L_GRE:
	case NP_L_ERSPAN:
	case NP_L_GENEVE:
	case NP_L_MPLS:
	case NP_L_PPPOE:
	case NP_L_GTP:
	case NP_L_ARISTA:
	case NP_L_TEREDO:
	case NP_L_MACSEC:
		p->encaps++;
		break;
	default:
		break;
	}
	return l;
}

/* Mix a tunnel's identifier (VNI, GRE key, session) into the packet's: the tracker keys the
 * inner conversation with it, so the same inner 5-tuple in two tunnels stays two. */
static inline void np_pkt_tunnel(struct np_packet *p, enum np_layer kind, uint32_t id)
{
	p->tunnel = (p->tunnel ^ (((uint64_t)kind << 32) | id)) * 0x100000001b3ull + 1;
}

/* The link layer the frame was captured on (the outermost): it says whether this host sent it. */
static inline const struct np_link *np_capture_link(const struct np_packet *p)
{
	return p->nlayers && p->layer[0].kind == NP_L_LINK ? &p->layer[0].link : NULL;
}

/* The layer the running decoder pushed last (its helpers fill it). */
static inline struct np_pkt_layer *np_pkt_top(struct np_packet *p)
{
	return &p->layer[p->nlayers - 1];
}

/* Bytes the frame had on the wire from `off` on (caplen may exceed len in a broken file). */
uint32_t np_wire_left(const struct np_packet *p, uint32_t off);

/* The walk (dispatch.c): hand what a layer carries to the unit its number names in the table.
 * An Ethertype: false when no unit decodes it. */
bool np_decode_ethertype(struct np_cursor *c, struct np_packet *p, uint16_t type);
/* An IP payload; `l` is the IP layer that carried it. */
void np_decode_transport(struct np_cursor *c, struct np_packet *p, uint8_t proto, enum np_layer l);
/* A UDP payload at the cursor, by destination then source port; nothing when no unit claims it. */
void np_decode_udp_payload(struct np_cursor *c, struct np_packet *p, uint16_t sport,
			   uint16_t dport);
/* A TCP segment's data at the cursor (at least one byte): DNS, HTTP or TLS, or nothing. */
void np_decode_tcp_payload(struct np_cursor *c, struct np_packet *p, uint16_t sport,
			   uint16_t dport);

#endif
