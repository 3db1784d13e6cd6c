/* vxlan.c - VXLAN (RFC 7348): an 8-byte header (flags with the I bit, a 24-bit VNI) on UDP
 * port 4789, then an inner Ethernet frame that the link unit decodes as further layers. */
#include <string.h>

#include "decode/internal.h"
#include "netprobe/proto.h"
#include "core/sbuf.h"

#define VXLAN_HDR 8
#define VXLAN_I 0x0800 /* "VNI valid"; RFC 7348 s5: MUST be set */

void np_decode_vxlan(struct np_cursor *c, struct np_packet *p)
{
	struct np_pkt_layer *l = np_pkt_push(p, NP_L_VXLAN);
	if (!l)
		return;
	struct np_vxlan *v = &l->vxlan;
	memset(v, 0, sizeof *v);
	size_t avail = np_cur_left(c);
	v->got = (uint16_t)(avail < VXLAN_HDR ? avail : VXLAN_HDR);
	uint16_t reserved;
	uint32_t vni_rsv;
	bool flags = np_cur_u16(c, &v->flags);
	if (!flags || !np_cur_u16(c, &reserved) || !np_cur_u32(c, &vni_rsv)) {
		np_problem(p, NP_L_VXLAN, NP_TRUNCATED, "VXLAN header cut short");
		return;
	}
	v->vni = vni_rsv >> 8;
	/* Without the I bit the VNI means nothing (RFC 7348 s5): the frame is not ours to read. */
	if (!(v->flags & VXLAN_I)) {
		np_problem(p, NP_L_VXLAN, NP_INVALID, "VXLAN I flag not set");
		return;
	}
	/* The VNI names the segment: the same inner 5-tuple in two VNIs is two conversations. */
	np_pkt_tunnel(p, NP_L_VXLAN, v->vni);
	np_decode_ether(c, p);
}

static unsigned vxlan_fields(const struct np_pkt_layer *l, struct np_field *f)
{
	const struct np_vxlan *v = &l->vxlan;
	unsigned n = 0;
	if (v->got >= 2)
		f[n++] = (struct np_field){ "flags", "Flags", v->flags, 4 };
	if (v->got >= 7)
		f[n++] = (struct np_field){ "vni", "VXLAN Network Identifier (VNI)", v->vni, 0 };
	return n;
}

/* Named before the inner packet's Info: "VXLAN 42: ". */
static void vxlan_info(struct np_sbuf *sb, const struct np_pkt_layer *l, const struct np_view *v)
{
	(void)v;
	np_sb_field(sb, "VXLAN ", l->vxlan.vni);
}

const struct np_unit np_unit_vxlan = {
	.kind = NP_L_VXLAN,
	.key = "vxlan",
	.title = "Virtual eXtensible Local Area Network",
	.encap = true,
	.fields = vxlan_fields,
	.info = vxlan_info,
};
