/* pair.h - what the DNS and HTTP renderers show of a request's pairing (app.h np_app_pair):
 * the time since the request in seconds, in the -v tree (Wireshark's nine decimals) and in
 * JSON (six: the capture's microseconds). */
#ifndef NETPROBE_PROTO_PAIR_H
#define NETPROBE_PROTO_PAIR_H

#include <inttypes.h>
#include <stdio.h>

#include "netprobe/packet.h"
#include "print/jw.h"

/* "S.UUUUUU" of a signed count of microseconds (a capture's clock may step back). */
static inline void np_pair_secs(char *buf, size_t n, int64_t us)
{
	uint64_t a = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
	snprintf(buf, n, "%s%" PRIu64 ".%06" PRIu64, us < 0 ? "-" : "", a / 1000000, a % 1000000);
}

/* The members "request_in" and "time" of a paired response; a retransmission's. */
static inline void np_pair_json(struct np_jw *restrict w, const struct np_app_pair *pr)
{
	if (pr->kind == NP_PAIR_RESPONSE) {
		char t[32];
		np_pair_secs(t, sizeof t, pr->delta_us);
		NUM(w, "request_in", pr->req_frame);
		KEY(w, "time");
		lit(w, t, strlen(t));
	}
	if (pr->kind == NP_PAIR_REQUEST && pr->retransmit)
		NUM(w, "retransmit_request_in", pr->req_frame);
	if (pr->kind != NP_PAIR_NONE && pr->retransmit)
		BOOL(w, "retransmission", true);
}

/* A message put together from segments (app.h np_pdu): Wireshark's line before its tree,
 * "[2 Reassembled TCP Segments (1800 bytes): #5(1000), #6(800)]". */
static inline void np_pdu_tree(FILE *o, const struct np_packet *p)
{
	const struct np_pdu *u = &p->pdu;
	if (u->state != NP_PDU_DONE)
		return;
	unsigned n = u->nframes + u->more;
	fprintf(o, "[%u Reassembled TCP Segments (%u bytes):", n, u->len);
	for (unsigned i = 0; i < u->nframes; i++)
		fprintf(o, "%s #%" PRIu64 "(%u)", i ? "," : "", u->frame[i], u->bytes[i]);
	fprintf(o, "%s]\n", u->more ? ", …" : "");
}

/* Its member "reassembled": {len, frames:[…]} (the first NP_PDU_FRAMES frames). */
static inline void np_pdu_json(struct np_jw *restrict w, const struct np_packet *p)
{
	const struct np_pdu *u = &p->pdu;
	if (u->state != NP_PDU_DONE)
		return;
	OPEN(w, "reassembled");
	NUM(w, "len", u->len);
	NUM(w, "segments", (uint32_t)u->nframes + u->more);
	KEY(w, "frames");
	ch(w, '[');
	for (unsigned i = 0; i < u->nframes; i++) {
		if (i)
			ch(w, ',');
		room(w, JW_ITEM);
		put_uint(w, u->frame[i], 0);
	}
	ch(w, ']');
	close_obj(w);
}

#endif
