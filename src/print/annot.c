/* annot.c - a packet's analysis as the short texts of its pcapng comments (annot.h). */
#include "netprobe/annot.h"

#include <string.h>

#include "../core/sbuf.h"
#include "netprobe/print.h"

/* The text being made in sb is kept when it fits (trailing blanks cut), else counted out. */
static void keep(struct np_annot *a, struct np_sbuf *sb)
{
	while (sb->len && sb->buf[sb->len - 1] == ' ')
		sb->len--;
	if (!sb->len)
		return;
	if (a->len + sb->len + 1 >= NP_ANNOT_BYTES || sb->len + 1 >= sb->cap) {
		a->cut++;
		return;
	}
	sb->buf[sb->len] = '\0';
	a->len += sb->len + 1;
	a->n++;
}

static struct np_sbuf room(struct np_annot *a)
{
	return np_sb_make(a->buf + a->len, NP_ANNOT_BYTES - a->len);
}

void np_annot_packet(struct np_annot *a, const struct np_packet *p, const struct np_pkt_track *k)
{
	(void)p;
	if (!k || !k->tcp || !k->analysis)
		return;
	struct np_sbuf sb = room(a);
	np_tcp_notes(&sb, k);
	keep(a, &sb);
}

void np_annot_event(struct np_annot *a, const struct np_event *ev)
{
	/* A ladder or a conversation's end adds nothing; the per-segment analysis events say
	 * what the segment's notes say already ("[TCP Dup ACK #2]"). */
	switch (ev->kind) {
	case NP_EV_LADDER: case NP_EV_CONV_END: case NP_EV_RETRANSMISSION: case NP_EV_DUP_ACK:
	case NP_EV_ZERO_WINDOW: case NP_EV_WINDOW_FULL: case NP_EV_OUT_OF_ORDER:
		return;
	default:
		break;
	}
	struct np_sbuf sb = room(a);
	np_fmt_event(&sb, ev);
	keep(a, &sb);
}

void np_annot_add(struct np_annot *a, const char *text)
{
	struct np_sbuf sb = room(a);
	np_sb_str(&sb, text);
	keep(a, &sb);
}
