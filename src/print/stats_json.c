/* stats_json.c - `netprobe stats --json`: JSON lines, one object per table row ("type":
 * "conversation", "endpoint", "interval", "protocol", "expert"), in the order and with the cut
 * of the text tables, then one "stats_summary" object with the schema version (README.md,
 * "Statistics tables"). Times in seconds, bytes as frame lengths. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "netprobe/fmt.h"
#include "netprobe/stats.h"
#include "stats_tab.h"

#define NP_STATS_SCHEMA 1

/* A string member: ours are static names and problem texts, escaped anyway (RFC 8259 s7) so
 * the line stays JSON whatever a decoder's text holds. */
static void str(FILE *out, const char *key, const char *v)
{
	fprintf(out, ",\"%s\":\"", key);
	for (const unsigned char *c = (const unsigned char *)v; *c; c++) {
		if (*c == '"' || *c == '\\')
			fprintf(out, "\\%c", *c);
		else if (*c < 0x20)
			fprintf(out, "\\u%04x", *c);
		else
			fputc(*c, out);
	}
	fputc('"', out);
}

static const char *proto_name(uint8_t proto)
{
	return proto == NP_L_TCP ? "tcp" : proto == NP_L_UDP ? "udp" : "ip";
}

static void seconds(FILE *out, const char *key, int64_t us)
{
	fprintf(out, ",\"%s\":%s%" PRId64 ".%06" PRId64, key, us < 0 ? "-" : "",
		(us < 0 ? -us : us) / 1000000, (us < 0 ? -us : us) % 1000000);
}

static void conv_obj(FILE *out, const struct np_stats_conv *c, int64_t first)
{
	char a[NP_ADDR_STRLEN], b[NP_ADDR_STRLEN];
	fprintf(out, "{\"type\":\"conversation\",\"proto\":\"%s\",\"a\":\"%s\"", proto_name(c->proto),
		np_fmt_addr(c->a.ver, c->a.addr, a));
	if (c->proto != NP_L_IP4)
		fprintf(out, ",\"a_port\":%u", c->a.port);
	fprintf(out, ",\"b\":\"%s\"", np_fmt_addr(c->b.ver, c->b.addr, b));
	if (c->proto != NP_L_IP4)
		fprintf(out, ",\"b_port\":%u", c->b.port);
	fprintf(out,
		",\"frames_ab\":%" PRIu64 ",\"bytes_ab\":%" PRIu64 ",\"frames_ba\":%" PRIu64
		",\"bytes_ba\":%" PRIu64 ",\"frames\":%" PRIu64 ",\"bytes\":%" PRIu64,
		c->frames[0], c->bytes[0], c->frames[1], c->bytes[1], c->frames[0] + c->frames[1],
		c->bytes[0] + c->bytes[1]);
	seconds(out, "start", c->first_us - first);
	seconds(out, "duration", c->last_us - c->first_us);
	if (c->tunnel)
		fprintf(out, ",\"tunnel\":%" PRIu64, c->tunnel);
	if (c->proto == NP_L_TCP && c->tracked) {
		fprintf(out, ",\"conv\":%" PRIu32 ",\"state\":\"%s\",\"state_a\":\"%s\",\"state_b\":\"%s\""
			",\"a_role\":\"%s\",\"retransmissions\":%" PRIu64,
			c->conv, np_stats_conv_state(c), np_tcp_state_name(c->st[0]),
			np_tcp_state_name(c->st[1]), c->a_side == NP_CLIENT ? "client" : "server",
			c->retrans);
		if (c->hs_ms >= 0)
			fprintf(out, ",\"handshake_ms\":%.3f", c->hs_ms);
	}
	fputs("}\n", out);
}

static void ep_obj(FILE *out, const struct np_stats_endpoint *e)
{
	char a[NP_ADDR_STRLEN];
	fprintf(out,
		"{\"type\":\"endpoint\",\"ip\":\"%s\",\"ver\":%u,\"frames\":%" PRIu64
		",\"bytes\":%" PRIu64 ",\"tx_frames\":%" PRIu64 ",\"tx_bytes\":%" PRIu64
		",\"rx_frames\":%" PRIu64 ",\"rx_bytes\":%" PRIu64 "}\n",
		np_fmt_addr(e->ver, e->addr, a), e->ver, e->frames[0] + e->frames[1],
		e->bytes[0] + e->bytes[1], e->frames[0], e->bytes[0], e->frames[1], e->bytes[1]);
}

static void rows(FILE *out, const struct np_stats *s, const struct np_stats_view *v)
{
	const struct np_stats_opts *o = np_stats_options(s);
	uint32_t *idx = malloc((size_t)(v->nconv > v->nep ? v->nconv : v->nep) * sizeof *idx + 1);
	if (!idx)
		return;
	static const unsigned kinds[] = { NP_SC_TCP, NP_SC_UDP, NP_SC_IP };
	for (unsigned k = 0; k < 3 && (o->tables & NP_ST_CONV); k++) {
		if (!(o->conv & kinds[k]))
			continue;
		uint32_t n = np_stats_order_conv(v->conv, v->nconv, kinds[k], o->sort, o->top, idx);
		for (uint32_t i = 0; i < n; i++)
			conv_obj(out, &v->conv[idx[i]], v->first_us);
	}
	if (o->tables & NP_ST_ENDPOINTS) {
		uint32_t n = np_stats_order_ep(v->ep, v->nep, o->sort, o->top, idx);
		for (uint32_t i = 0; i < n; i++)
			ep_obj(out, &v->ep[idx[i]]);
	}
	free(idx);
}

static void io_rows(FILE *out, const struct np_stats_view *v, int64_t step)
{
	for (uint32_t i = 0; i < v->nio; i++) {
		const struct np_stats_interval *r = &v->io[i];
		fprintf(out, "{\"type\":\"interval\",\"index\":%" PRIu32, i);
		seconds(out, "start", (int64_t)i * step);
		seconds(out, "end", (int64_t)(i + 1) * step);
		fprintf(out,
			",\"frames\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"new_conversations\":%" PRIu64
			",\"retransmissions\":%" PRIu64 "}\n",
			r->frames, r->bytes, r->new_conv, r->retrans);
	}
}

/* The path of node i ("eth:ipv4:udp"), as tshark's phs nests them. */
static void phs_path(const struct np_stats_view *v, uint32_t i, char *buf, size_t cap)
{
	const char *names[NP_MAX_LAYERS * 2];
	unsigned n = 0;
	for (uint32_t at = i + 1; at && n < NP_MAX_LAYERS * 2; at = v->phs[at - 1].parent)
		names[n++] = v->phs[at - 1].name;
	size_t len = 0;
	buf[0] = '\0';
	while (n-- && len < cap)
		len += (size_t)snprintf(buf + len, cap - len, "%s%s", len ? ":" : "", names[n]);
}

static void phs_rows(FILE *out, const struct np_stats_view *v)
{
	char path[512];
	for (uint32_t i = 0; i < v->nphs; i++) {
		phs_path(v, i, path, sizeof path);
		fprintf(out,
			"{\"type\":\"protocol\",\"path\":\"%s\",\"name\":\"%s\",\"depth\":%u"
			",\"frames\":%" PRIu64 ",\"bytes\":%" PRIu64 "}\n",
			path, v->phs[i].name, v->phs[i].depth, v->phs[i].frames, v->phs[i].bytes);
	}
}

static void expert_rows(FILE *out, const struct np_stats_view *v)
{
	uint32_t order[NP_STATS_EXPERT_MAX];
	uint32_t n = np_stats_expert_order(v, order);
	for (uint32_t i = 0; i < n; i++) {
		const struct np_stats_expert *e = &v->expert[order[i]];
		char sev[16];
		snprintf(sev, sizeof sev, "%s", np_severity_name(e->sev));
		sev[0] = (char)(sev[0] - 'A' + 'a');
		fprintf(out, "{\"type\":\"expert\",\"severity\":\"%s\"", sev);
		str(out, "group", e->group);
		str(out, "summary", e->what);
		fprintf(out, ",\"count\":%" PRIu64 "}\n", e->count);
	}
}

void np_stats_print_json(FILE *out, const struct np_stats *s)
{
	const struct np_stats_opts *o = np_stats_options(s);
	struct np_stats_view v;
	np_stats_view(s, &v);
	rows(out, s, &v);
	if (o->tables & NP_ST_IO)
		io_rows(out, &v, o->interval_us);
	if (o->tables & NP_ST_PHS)
		phs_rows(out, &v);
	if (o->tables & NP_ST_EXPERT)
		expert_rows(out, &v);
	fprintf(out, "{\"type\":\"stats_summary\",\"schema\":%d,\"frames\":%" PRIu64
		",\"bytes\":%" PRIu64, NP_STATS_SCHEMA, v.frames, v.bytes);
	seconds(out, "duration", v.have_first ? v.last_us - v.first_us : 0);
	seconds(out, "interval", o->interval_us);
	fprintf(out,
		",\"conversations\":%" PRIu32 ",\"endpoints\":%" PRIu32 ",\"conv_not_kept\":%" PRIu64
		",\"endpoints_not_kept\":%" PRIu64 ",\"io_not_kept\":%" PRIu64 "}\n",
		v.nconv, v.nep, v.conv_full, v.ep_full, v.io_late);
}
