/* json_ref.h - the reference JSON printer (json_ref.c), for json_same.c. */
#ifndef NETPROBE_TEST_JSON_REF_H
#define NETPROBE_TEST_JSON_REF_H

#include "netprobe/print.h"

void np_ref_print_json(struct np_print_ctx *ctx, const struct np_packet *p,
		       const struct np_pkt_track *trk);
void np_ref_print_json_object(FILE *out, const struct np_packet *p,
			      const struct np_pkt_track *trk);
void np_ref_print_event_json(struct np_print_ctx *ctx, const struct np_event *ev);
void np_ref_print_summary_json(FILE *out, const struct np_track_stats *s, uint64_t frames,
			       uint64_t shown);

/* json_ref_tunnel.c: the tunnel layers' objects, and the "layers" list. */
void np_ref_tunnel(FILE *o, bool *first, const struct np_pkt_layer *l);
void np_ref_app(FILE *o, bool *first, const struct np_packet *p, const struct np_pkt_layer *l);
/* json_ref_link.c: the objects of the link types of ppp.c and wlan.c. */
void np_ref_linkx(FILE *o, bool *first, const struct np_link *l);
void np_ref_layer_names(FILE *o, bool *first, const struct np_packet *p);

#endif
