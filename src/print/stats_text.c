/* stats_text.c - `netprobe stats` as aligned text tables, in the manner of tshark's -z tables
 * (conversations, endpoints, I/O intervals, protocol hierarchy, expert summary): a column is as
 * wide as its widest cell, numbers right-aligned, names left-aligned. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "netprobe/fmt.h"
#include "netprobe/printer.h"
#include "netprobe/stats.h"
#include "stats_tab.h"

/* --- a table: a callback fills a row's cells; pass one measures, pass two prints --- */

static void fill_row(const struct np_tab *t, uint32_t r, char cells[][NP_TAB_CELL])
{
	for (unsigned c = 0; c < t->ncol; c++)
		cells[c][0] = '\0';
	t->row(t->ctx, r, cells);
}

/* A left-aligned last column is not padded: no trailing blanks. */
static void put_row(FILE *out, const struct np_tab *t, const unsigned *w,
		    char cells[][NP_TAB_CELL])
{
	for (unsigned c = 0; c < t->ncol; c++) {
		bool pad = !(t->col[c].left && c + 1 == t->ncol);
		int width = pad ? (t->col[c].left ? -(int)w[c] : (int)w[c]) : 0;
		fprintf(out, "%s%*s", c ? "  " : "", width, cells[c]);
	}
	fputc('\n', out);
}

void np_tab_print(FILE *out, const struct np_tab *t)
{
	unsigned w[NP_TAB_MAXCOL];
	char cells[NP_TAB_MAXCOL][NP_TAB_CELL];
	for (unsigned c = 0; c < t->ncol; c++)
		w[c] = (unsigned)strlen(t->col[c].head);
	for (uint32_t r = 0; r < t->nrow; r++) {
		fill_row(t, r, cells);
		for (unsigned c = 0; c < t->ncol; c++) {
			unsigned n = (unsigned)strlen(cells[c]);
			w[c] = n > w[c] ? n : w[c];
		}
	}
	fprintf(out, "%s\n", t->title);
	if (!t->nrow) /* an empty table: its title says so */
		return;
	for (unsigned c = 0; c < t->ncol; c++)
		snprintf(cells[c], NP_TAB_CELL, "%s", t->col[c].head);
	put_row(out, t, w, cells);
	for (uint32_t r = 0; r < t->nrow; r++) {
		fill_row(t, r, cells);
		put_row(out, t, w, cells);
	}
}

/* --- cells --- */

static void u64(char *cell, uint64_t v)
{
	snprintf(cell, NP_TAB_CELL, "%" PRIu64, v);
}

static void secs(char *cell, int64_t us)
{
	snprintf(cell, NP_TAB_CELL, "%s%" PRId64 ".%06" PRId64, us < 0 ? "-" : "",
		 (us < 0 ? -us : us) / 1000000, (us < 0 ? -us : us) % 1000000);
}

/* "addr:port", IPv6 in brackets; the address alone when port < 0. */
void np_stats_ep_text(char *cell, const struct np_endpoint *e, int port)
{
	char a[NP_ADDR_STRLEN];
	np_fmt_addr(e->ver, e->addr, a);
	if (port < 0)
		snprintf(cell, NP_TAB_CELL, "%s", a);
	else
		snprintf(cell, NP_TAB_CELL, e->ver == 6 ? "[%s]:%d" : "%s:%d", a, port);
}

/* --- conversations --- */

struct conv_ctx {
	const struct np_stats_view *v;
	const uint32_t *idx;
	bool ports, tcp;
};

static void conv_cells(const void *ctx, uint32_t r, char cells[][NP_TAB_CELL])
{
	const struct conv_ctx *x = ctx;
	const struct np_stats_conv *c = &x->v->conv[x->idx[r]];
	np_stats_ep_text(cells[0], &c->a, x->ports ? c->a.port : -1);
	np_stats_ep_text(cells[1], &c->b, x->ports ? c->b.port : -1);
	u64(cells[2], c->frames[0]);
	u64(cells[3], c->bytes[0]);
	u64(cells[4], c->frames[1]);
	u64(cells[5], c->bytes[1]);
	u64(cells[6], c->frames[0] + c->frames[1]);
	u64(cells[7], c->bytes[0] + c->bytes[1]);
	secs(cells[8], c->first_us - x->v->first_us);
	secs(cells[9], c->last_us - c->first_us);
	if (!x->tcp)
		return;
	u64(cells[10], c->retrans);
	if (c->hs_ms >= 0)
		snprintf(cells[11], NP_TAB_CELL, "%.3f", c->hs_ms);
	else
		snprintf(cells[11], NP_TAB_CELL, "-");
	snprintf(cells[12], NP_TAB_CELL, "%s", np_stats_conv_state(c));
}

static const struct np_tab_col conv_cols[] = {
	{ "A", true },	       { "B", true },	     { "A>B pkts", false }, { "A>B bytes", false },
	{ "B>A pkts", false }, { "B>A bytes", false }, { "Pkts", false },	    { "Bytes", false },
	{ "Start", false },    { "Duration", false }, { "Retr", false },     { "RTT ms", false },
	{ "State", true },
};

static void conv_table(FILE *out, const struct np_stats *s, const struct np_stats_view *v,
		       unsigned proto, const char *name, uint32_t *idx)
{
	const struct np_stats_opts *o = np_stats_options(s);
	uint32_t all = np_stats_order_conv(v->conv, v->nconv, proto, NP_SORT_FIRST, 0, idx);
	uint32_t n = np_stats_order_conv(v->conv, v->nconv, proto, o->sort, o->top, idx);
	char title[128];
	snprintf(title, sizeof title, "%s conversations: %" PRIu32, name, all);
	if (n < all)
		snprintf(title + strlen(title), sizeof title - strlen(title), ", shown: %" PRIu32, n);
	struct conv_ctx x = { v, idx, proto != NP_SC_IP, proto == NP_SC_TCP };
	struct np_tab t = { title, x.tcp ? 13 : 10, conv_cols, n, conv_cells, &x };
	np_tab_print(out, &t);
	fputc('\n', out);
}

/* --- endpoints --- */

struct ep_ctx {
	const struct np_stats_view *v;
	const uint32_t *idx;
};

static void ep_cells(const void *ctx, uint32_t r, char cells[][NP_TAB_CELL])
{
	const struct ep_ctx *x = ctx;
	const struct np_stats_endpoint *e = &x->v->ep[x->idx[r]];
	struct np_endpoint a = { .ver = e->ver };
	memcpy(a.addr, e->addr, 16);
	np_stats_ep_text(cells[0], &a, -1);
	u64(cells[1], e->frames[0] + e->frames[1]);
	u64(cells[2], e->bytes[0] + e->bytes[1]);
	u64(cells[3], e->frames[0]);
	u64(cells[4], e->bytes[0]);
	u64(cells[5], e->frames[1]);
	u64(cells[6], e->bytes[1]);
}

static const struct np_tab_col ep_cols[] = {
	{ "Address", true },   { "Pkts", false },     { "Bytes", false },   { "Tx pkts", false },
	{ "Tx bytes", false }, { "Rx pkts", false }, { "Rx bytes", false },
};

static void ep_table(FILE *out, const struct np_stats *s, const struct np_stats_view *v,
		     uint32_t *idx)
{
	const struct np_stats_opts *o = np_stats_options(s);
	uint32_t n = np_stats_order_ep(v->ep, v->nep, o->sort, o->top, idx);
	char title[96];
	snprintf(title, sizeof title, "IP endpoints: %" PRIu32, v->nep);
	if (n < v->nep)
		snprintf(title + strlen(title), sizeof title - strlen(title), ", shown: %" PRIu32, n);
	struct ep_ctx x = { v, idx };
	struct np_tab t = { title, 7, ep_cols, n, ep_cells, &x };
	np_tab_print(out, &t);
	fputc('\n', out);
}

/* --- I/O intervals --- */

struct io_ctx {
	const struct np_stats_view *v;
	int64_t step;
};

void np_stats_io_bound(char *cell, int64_t us, int64_t step)
{
	if (step % 1000 == 0)
		snprintf(cell, NP_TAB_CELL, "%" PRId64 ".%03" PRId64, us / 1000000, us % 1000000 / 1000);
	else
		snprintf(cell, NP_TAB_CELL, "%" PRId64 ".%06" PRId64, us / 1000000, us % 1000000);
}

static void io_cells(const void *ctx, uint32_t r, char cells[][NP_TAB_CELL])
{
	const struct io_ctx *x = ctx;
	const struct np_stats_interval *i = &x->v->io[r];
	char a[NP_TAB_CELL], b[NP_TAB_CELL];
	np_stats_io_bound(a, (int64_t)r * x->step, x->step);
	np_stats_io_bound(b, (int64_t)(r + 1) * x->step, x->step);
	/* Each bound is short (seconds of a year and 6 decimals): the cell holds both. */
	size_t la = strnlen(a, 28), lb = strnlen(b, 28);
	memcpy(cells[0], a, la);
	memcpy(cells[0] + la, " <> ", 4);
	memcpy(cells[0] + la + 4, b, lb);
	cells[0][la + 4 + lb] = '\0';
	u64(cells[1], i->frames);
	u64(cells[2], i->bytes);
	u64(cells[3], i->new_conv);
	u64(cells[4], i->retrans);
}

static const struct np_tab_col io_cols[] = {
	{ "Interval", true }, { "Pkts", false }, { "Bytes", false }, { "New conv", false },
	{ "Retrans", false },
};

static void io_table(FILE *out, const struct np_stats *s, const struct np_stats_view *v)
{
	int64_t step = np_stats_options(s)->interval_us;
	char title[160], len[NP_TAB_CELL];
	secs(len, step);
	for (size_t n = strlen(len); len[n - 1] == '0' || len[n - 1] == '.'; n--) {
		bool dot = len[n - 1] == '.';
		len[n - 1] = '\0'; /* "1.000000" -> "1", "0.250000" -> "0.25" */
		if (dot)
			break;
	}
	snprintf(title, sizeof title, "I/O every %s s, from the first packet: %" PRIu32 " interval%s",
		 len, v->nio, v->nio == 1 ? "" : "s");
	struct io_ctx x = { v, step };
	struct np_tab t = { title, 5, io_cols, v->nio, io_cells, &x };
	np_tab_print(out, &t);
	fputc('\n', out);
}

/* --- protocol hierarchy: depth-first, children in first-seen order --- */

struct phs_ctx {
	const struct np_stats_view *v;
	const uint32_t *order;
};

static void phs_cells(const void *ctx, uint32_t r, char cells[][NP_TAB_CELL])
{
	const struct phs_ctx *x = ctx;
	const struct np_stats_phs *n = &x->v->phs[x->order[r]];
	snprintf(cells[0], NP_TAB_CELL, "%*s%s", 2 * n->depth, "", n->name);
	u64(cells[1], n->frames);
	u64(cells[2], n->bytes);
}

static uint32_t phs_walk(const struct np_stats_view *v, uint16_t parent, uint32_t *order,
			 uint32_t n)
{
	for (uint32_t i = parent; i < v->nphs; i++)
		if (v->phs[i].parent == parent) {
			order[n++] = i;
			n = phs_walk(v, (uint16_t)(i + 1), order, n);
		}
	return n;
}

static const struct np_tab_col phs_cols[] = {
	{ "Protocol", true }, { "Pkts", false }, { "Bytes", false },
};

static void phs_table(FILE *out, const struct np_stats_view *v)
{
	uint32_t order[NP_STATS_PHS_MAX];
	uint32_t n = phs_walk(v, 0, order, 0);
	struct phs_ctx x = { v, order };
	struct np_tab t = { "Protocol hierarchy (frames and frame bytes at each layer)", 3, phs_cols,
			    n, phs_cells, &x };
	np_tab_print(out, &t);
	fputc('\n', out);
}

/* --- expert summary: Error first, then first-seen order --- */

struct ex_ctx {
	const struct np_stats_view *v;
	const uint32_t *order;
};

static void ex_cells(const void *ctx, uint32_t r, char cells[][NP_TAB_CELL])
{
	const struct ex_ctx *x = ctx;
	const struct np_stats_expert *e = &x->v->expert[x->order[r]];
	snprintf(cells[0], NP_TAB_CELL, "%s", np_severity_name(e->sev));
	snprintf(cells[1], NP_TAB_CELL, "%s", e->group);
	u64(cells[2], e->count);
	snprintf(cells[3], NP_TAB_CELL, "%s", e->what);
}

static const struct np_tab_col ex_cols[] = {
	{ "Severity", true }, { "Group", true }, { "Count", false }, { "Summary", true },
};

uint32_t np_stats_expert_order(const struct np_stats_view *v, uint32_t *order)
{
	uint32_t n = 0;
	for (int sev = NP_SEV_ERROR; sev >= NP_SEV_CHAT; sev--)
		for (uint32_t i = 0; i < v->nexpert; i++)
			if ((int)v->expert[i].sev == sev)
				order[n++] = i;
	return n;
}

static void expert_table(FILE *out, const struct np_stats_view *v)
{
	uint32_t order[NP_STATS_EXPERT_MAX];
	uint32_t n = np_stats_expert_order(v, order);
	struct ex_ctx x = { v, order };
	struct np_tab t = { "Expert summary", 4, ex_cols, n, ex_cells, &x };
	np_tab_print(out, &t);
	fputc('\n', out);
}

/* What the bounded tables could not keep. */
static void notes(FILE *out, const struct np_stats_view *v)
{
	if (v->conv_full)
		fprintf(out, "note: %" PRIu64 " packets of conversations not kept (--max-rows)\n",
			v->conv_full);
	if (v->ep_full)
		fprintf(out, "note: %" PRIu64 " packets of endpoints not kept (--max-rows)\n", v->ep_full);
	if (v->io_late)
		fprintf(out, "note: %" PRIu64 " packets past the last interval kept (%u)\n", v->io_late,
			NP_STATS_INTERVALS_MAX);
	if (v->io_early)
		fprintf(out, "note: %" PRIu64 " packets stamped before the first, counted in its interval\n",
			v->io_early);
	if (v->phs_full)
		fprintf(out, "note: %" PRIu64 " packets past the protocol hierarchy's %u nodes\n",
			v->phs_full, NP_STATS_PHS_MAX);
}

void np_stats_print_text(FILE *out, const struct np_stats *s)
{
	const struct np_stats_opts *o = np_stats_options(s);
	struct np_stats_view v;
	np_stats_view(s, &v);
	char dur[NP_TAB_CELL];
	secs(dur, v.last_us - v.first_us);
	fprintf(out, "%" PRIu64 " packet%s, %" PRIu64 " bytes, %s s\n\n", v.frames,
		v.frames == 1 ? "" : "s", v.bytes, v.have_first ? dur : "0.000000");
	uint32_t *idx = malloc((size_t)(v.nconv > v.nep ? v.nconv : v.nep) * sizeof *idx + 1);
	if (!idx)
		return;
	static const struct { unsigned bit; const char *name; } kinds[] = {
		{ NP_SC_TCP, "TCP" }, { NP_SC_UDP, "UDP" }, { NP_SC_IP, "IP" },
	};
	for (unsigned k = 0; k < 3 && (o->tables & NP_ST_CONV); k++)
		if (o->conv & kinds[k].bit)
			conv_table(out, s, &v, kinds[k].bit, kinds[k].name, idx);
	if (o->tables & NP_ST_ENDPOINTS)
		ep_table(out, s, &v, idx);
	free(idx);
	if (o->tables & NP_ST_IO)
		io_table(out, s, &v);
	if (o->tables & NP_ST_PHS)
		phs_table(out, &v);
	if (o->tables & NP_ST_EXPERT)
		expert_table(out, &v);
	notes(out, &v);
}

/* --- the printer of `netprobe stats`: every packet and event to the collector, the tables at
 * the end on standard output (text or JSON lines), nothing on standard error --- */

static void stats_packet(struct np_printer *pr, const struct np_packet *p,
			 const struct np_pkt_track *trk)
{
	np_stats_packet(pr->o.stats, p, trk);
}

static void stats_event(struct np_printer *pr, const struct np_event *ev)
{
	np_stats_event(pr->o.stats, ev);
}

static void stats_summary(struct np_printer *pr, const struct np_run_stats *rs)
{
	(void)rs;
	if (np_stats_options(pr->o.stats)->json)
		np_stats_print_json(pr->pc.out, pr->o.stats);
	else
		np_stats_print_text(pr->pc.out, pr->o.stats);
}

static void stats_close(struct np_printer *pr, const struct np_run_stats *rs, enum np_run_end end)
{
	(void)pr;
	(void)rs;
	(void)end;
}

const struct np_printer_ops np_stats_printer_ops = {
	.packet = stats_packet,
	.event = stats_event,
	.summary = stats_summary,
	.close = stats_close,
};
