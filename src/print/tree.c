/* tree.c - the -v printer: every field of every layer, indented like Wireshark's details pane,
 * with checksum verdicts and where decoding stopped. Fields whose bytes were not captured are
 * left out rather than shown as zero. */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "netprobe/decode.h"
#include "netprobe/print.h"
#include "netprobe/proto.h"


void np_tree_csum(FILE *o, const char *ind, const char *what, uint16_t wire, enum np_csum st,
		      uint16_t good)
{
	fprintf(o, "%s%s: 0x%04x ", ind, what, wire);
	switch (st) {
	case NP_CSUM_GOOD:
		fprintf(o, "[correct]\n");
		break;
	case NP_CSUM_BAD:
		fprintf(o, "[incorrect, should be 0x%04x]\n", good);
		break;
	case NP_CSUM_OFFLOADED:
		fprintf(o, "[offloaded: left unfilled for the network card, not verifiable]\n");
		break;
	case NP_CSUM_ABSENT:
		fprintf(o, "[none: sender did not compute one]\n");
		break;
	case NP_CSUM_UNVERIFIED:
	case NP_CSUM_NOT_CHECKED:
		fprintf(o, "[unverified]\n");
		break;
	}
}

static void tree_frame(FILE *o, const struct np_packet *p)
{
	const struct np_frame *f = p->frame;
	time_t t = (time_t)f->ts_sec;
	struct tm tm;
	char when[64] = "?";
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
	if (f->ncomments) { /* as Wireshark shows a pcapng file's opt_comment: first */
		fprintf(o, "Packet comments\n");
		const char *c = f->comments;
		for (unsigned i = 0; i < f->ncomments; c += strlen(c) + 1, i++)
			fprintf(o, NP_I1 "%s\n", c);
	}
	fprintf(o, "Frame %" PRIu64 ": %u bytes on wire, %u bytes captured\n", f->n, f->len,
		f->caplen);
	if (f->iface && (f->iface->several || f->iface->name))
		fprintf(o, NP_I1 "Interface id: %u (%s)\n", f->iface->id,
			f->iface->name ? f->iface->name : "unknown");
	if (f->dir)
		fprintf(o, NP_I1 "Direction: %s\n", f->dir == NP_DIR_IN ? "Inbound" : "Outbound");
	fprintf(o, NP_I1 "Arrival Time: %s.%06u UTC\n", when, f->ts_usec);
	fprintf(o, NP_I1 "Epoch Time: %" PRId64 ".%06u seconds\n", f->ts_sec, f->ts_usec);
	fprintf(o, NP_I1 "Link type: %s (%d)\n", np_link_name(f->dlt), f->dlt);
	if (f->caplen < f->len)
		fprintf(o, NP_I1 "[Packet size limited during capture: %u of %u bytes]\n", f->caplen,
			f->len);
}

/* A layer of a unit in the new shape: its heading and its fields, as the unit names them. */
static void tree_unit(FILE *o, const struct np_unit *u, const struct np_pkt_layer *l)
{
	struct np_field f[NP_MAX_FIELDS];
	unsigned n = u->fields(l, f);
	fprintf(o, "%s\n", u->title);
	for (unsigned i = 0; i < n; i++) {
		if (f[i].hex)
			fprintf(o, NP_I1 "%s: 0x%0*x\n", f[i].label, (int)f[i].hex, f[i].value);
		else
			fprintf(o, NP_I1 "%s: %u\n", f[i].label, f[i].value);
	}
}

static void tree_layer(FILE *o, const struct np_pkt_layer *l, const struct np_view *v)
{
	const struct np_unit *u = np_unit_of(l->kind);
	if (u && u->tree)
		u->tree(o, l, v);
	else if (u)
		tree_unit(o, u, l);
}

void np_print_tree(struct np_print_ctx *ctx, const struct np_packet *p,
		   const struct np_pkt_track *trk)
{
	FILE *o = ctx->out;
	const struct np_view v = { p, trk, ctx->absolute_seq };
	tree_frame(o, p);
	for (unsigned i = 0; i < p->nlayers; i++)
		tree_layer(o, &p->layer[i], &v);
	for (unsigned i = 0; i < p->nproblems; i++)
		fprintf(o, "[%s %s: %s]\n", np_layer_name(p->problems[i].layer),
			np_verdict_name(p->problems[i].verdict), p->problems[i].what);
	fprintf(o, "\n");
}
