/* internal.h - helpers shared by the decoders, not part of the public decode API. */
#ifndef NETPROBE_DECODE_INTERNAL_H
#define NETPROBE_DECODE_INTERNAL_H

#include "netprobe/decode.h"

/* Offset of the cursor's position within the frame. */
static inline uint32_t np_frame_off(const struct np_packet *p, const struct np_cursor *c)
{
	return (uint32_t)(np_cur_ptr(c) - p->frame->data);
}

/* Bytes the frame had on the wire from `off` on (caplen may exceed len in a broken file). */
uint32_t np_wire_left(const struct np_packet *p, uint32_t off);

/* Hand an IP payload to its transport decoder; `l` is the IP layer that carried it. */
void np_decode_transport(struct np_cursor *c, struct np_packet *p, uint8_t proto, enum np_layer l);

#endif
