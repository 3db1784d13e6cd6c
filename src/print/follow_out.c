/* follow_out.c - how `netprobe follow` prints a dialogue: text (printable ASCII and valid UTF-8,
 * line breaks kept, other bytes as '.'), hex (offset, 16 bytes, ASCII), one JSON line per
 * conversation (data in base64, RFC 4648), and the listing of the conversations. Each side is
 * marked by name, and in colour on a terminal (client red, server blue, as Wireshark). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "follow_int.h"
#include "netprobe/fmt.h"
#include "netprobe/print.h"
#include "core/sbuf.h"

static const char *const side_name[2] = { "client", "server" };
static const char *const side_color[2] = { "\033[31m", "\033[34m" };
#define RESET "\033[0m"

void np_fo_endpoint(const struct np_endpoint *e, char *buf, size_t cap)
{
	char a[NP_ADDR_STRLEN];
	np_fmt_addr(e->ver, e->addr, a);
	snprintf(buf, cap, e->ver == 6 ? "[%s]:%u" : "%s:%u", a, e->port);
}

static const char *proto(const struct fconv *c)
{
	return c->udp ? "udp" : "tcp";
}

/* Length of the valid UTF-8 sequence (RFC 3629) of 2-4 bytes at b, or 0. */
static size_t utf8_len(const uint8_t *b, size_t n)
{
	size_t k = b[0] >= 0xc2 && b[0] <= 0xdf ? 2 : b[0] >= 0xe0 && b[0] <= 0xef ? 3
		 : b[0] >= 0xf0 && b[0] <= 0xf4 ? 4 : 0;
	if (!k || k > n)
		return 0;
	for (size_t i = 1; i < k; i++)
		if ((b[i] & 0xc0) != 0x80)
			return 0;
	if ((b[0] == 0xe0 && b[1] < 0xa0) || (b[0] == 0xf0 && b[1] < 0x90) ||
	    (b[0] == 0xf4 && b[1] > 0x8f) || (b[0] == 0xed && b[1] > 0x9f))
		return 0; /* overlong, beyond U+10FFFF, or a surrogate */
	return k;
}

/* Bytes as text; returns whether the last thing written was a line break. */
static bool text(FILE *out, const uint8_t *d, size_t n)
{
	bool nl = false;
	for (size_t i = 0; i < n;) {
		size_t u;
		if (d[i] == '\r' && i + 1 < n && d[i + 1] == '\n') {
			i++;
			continue;
		}
		if (d[i] == '\n' || d[i] == '\t' || (d[i] >= 0x20 && d[i] < 0x7f)) {
			fputc(d[i], out);
			nl = d[i++] == '\n';
		} else if (d[i] >= 0x80 && (u = utf8_len(d + i, n - i))) {
			fwrite(d + i, 1, u, out);
			i += u;
			nl = false;
		} else {
			fputc('.', out);
			nl = false;
			i++;
		}
	}
	return nl;
}

static void hex(FILE *out, uint64_t off, const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i += 16) {
		fprintf(out, "%08" PRIx64 " ", off + i);
		for (size_t j = 0; j < 16; j++) {
			if (j == 8)
				fputc(' ', out);
			if (i + j < n)
				fprintf(out, " %02x", d[i + j]);
			else
				fputs("   ", out);
		}
		fputs("  ", out);
		for (size_t j = 0; j < 16 && i + j < n; j++)
			fputc(d[i + j] >= 0x20 && d[i + j] < 0x7f ? d[i + j] : '.', out);
		fputc('\n', out);
	}
}

static void header(struct np_follow *f, const struct fconv *c)
{
	char a[64], b[64];
	np_fo_endpoint(&c->ep[0], a, sizeof a);
	np_fo_endpoint(&c->ep[1], b, sizeof b);
	fprintf(f->out, "=== %s conversation %" PRIu32 ": client %s, server %s%s\n", proto(c), c->conv,
		a, b, c->parts ? " (continued)" : "");
}

/* One piece in text or hex. `tag`: the conversation, in stream mode. */
static void piece(struct np_follow *f, const struct fconv *c, const struct fchunk *h,
		  const uint8_t *data, bool tag)
{
	FILE *out = f->out;
	char who[48];
	if (tag)
		snprintf(who, sizeof who, "%s %" PRIu32 " %s", proto(c), c->conv, side_name[h->dir]);
	else
		snprintf(who, sizeof who, "%s", side_name[h->dir]);
	if (f->o.color)
		fputs(side_color[h->dir], out);
	if (h->kind == NP_RC_GAP) {
		static const char *const why[] = { "never captured", "cut off by the capture's snaplen",
						   "given up (memory cap reached)" };
		fprintf(out, "--- %s: %" PRIu32 " bytes at offset %" PRIu64 " %s\n", who, h->len,
			h->off, why[h->why % 3]);
	} else if (h->kind == NP_RC_CONFLICT) {
		fprintf(out, "--- %s: %" PRIu32 " bytes at offset %" PRIu64 " sent again with "
			     "different bytes; the first copy was kept\n", who, h->len, h->off);
	} else {
		fprintf(out, "--- %s (%" PRIu32 " bytes, offset %" PRIu64 ")\n", who, h->len, h->off);
		if (f->o.format == NP_FOLLOW_HEX)
			hex(out, h->off, data, h->len);
		else if (!text(out, data, h->len))
			fputc('\n', out);
	}
	if (f->o.color)
		fputs(RESET, out);
}

void np_fo_piece(struct np_follow *f, struct fconv *c, const struct fchunk *h, const uint8_t *data)
{
	if (!c->started) {
		header(f, c);
		c->started = true;
	}
	piece(f, c, h, data, true);
	f->last = c;
	fflush(f->out); /* live: as the data arrives */
}

static void b64(FILE *out, const uint8_t *d, size_t n)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char q[4];
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)d[i] << 16 | (i + 1 < n ? (uint32_t)d[i + 1] << 8 : 0) |
			     (i + 2 < n ? d[i + 2] : 0);
		q[0] = t[v >> 18];
		q[1] = t[(v >> 12) & 63];
		q[2] = i + 1 < n ? t[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? t[v & 63] : '=';
		fwrite(q, 1, 4, out);
	}
}

static const char *const dir_name[2] = { "c2s", "s2c" };

/* The pieces of one kind as a JSON array. */
static void json_array(FILE *out, const char *name, const struct fconv *c, uint8_t kind)
{
	bool first = true;
	fprintf(out, ",\"%s\":[", name);
	for (const struct fchunk *h = c->head; h; h = h->next) {
		if (h->kind != kind)
			continue;
		fprintf(out, "%s{\"dir\":\"%s\",\"off\":%" PRIu64, first ? "" : ",", dir_name[h->dir],
			h->off);
		if (kind == NP_RC_DATA) {
			fputs(",\"data\":\"", out);
			b64(out, h->data, h->len);
			fputs("\"}", out);
		} else {
			fprintf(out, ",\"len\":%" PRIu32 "}", h->len);
		}
		first = false;
	}
	fputc(']', out);
}

static void json(struct np_follow *f, const struct fconv *c, bool final)
{
	char a[64], b[64];
	np_fo_endpoint(&c->ep[0], a, sizeof a);
	np_fo_endpoint(&c->ep[1], b, sizeof b);
	fprintf(f->out, "{\"type\":\"stream\",\"conv\":%" PRIu32 ",\"proto\":\"%s\",\"client\":\"%s\","
			"\"server\":\"%s\",\"first_frame\":%" PRIu64, c->conv, proto(c), a, b,
		c->first_frame);
	if (c->parts || !final)
		fprintf(f->out, ",\"part\":%u,\"last\":%s", c->parts + 1, final ? "true" : "false");
	json_array(f->out, "chunks", c, NP_RC_DATA);
	json_array(f->out, "gaps", c, NP_RC_GAP);
	json_array(f->out, "conflicts", c, NP_RC_CONFLICT);
	fprintf(f->out, ",\"bytes_c2s\":%" PRIu64 ",\"bytes_s2c\":%" PRIu64 "}\n", c->bytes[0],
		c->bytes[1]);
}

static void end_line(struct np_follow *f, const struct fconv *c, bool final)
{
	if (final)
		fprintf(f->out, "=== end of %s conversation %" PRIu32 ": client sent %" PRIu64
				" bytes, server %" PRIu64 "\n", proto(c), c->conv, c->bytes[0],
			c->bytes[1]);
	else
		fprintf(f->out, "=== %s conversation %" PRIu32 " continues\n", proto(c), c->conv);
}

void np_fo_conv(struct np_follow *f, struct fconv *c, bool final)
{
	if (f->o.format == NP_FOLLOW_JSON) {
		json(f, c, final);
		return;
	}
	if (f->o.stream) { /* the pieces were printed as they came */
		if (c->started)
			end_line(f, c, final);
		return;
	}
	header(f, c);
	for (const struct fchunk *h = c->head; h; h = h->next)
		piece(f, c, h, h->data, false);
	end_line(f, c, final);
}

static int by_proto_conv(const void *a, const void *b)
{
	const struct flist *x = a, *y = b;
	if (x->udp != y->udp)
		return x->udp ? 1 : -1;
	return x->conv < y->conv ? -1 : x->conv > y->conv;
}

void np_fo_list(struct np_follow *f)
{
	if (f->nlist) /* qsort(NULL, 0, ...) is undefined */
		qsort(f->list, f->nlist, sizeof *f->list, by_proto_conv);
	/* A TUNNEL column when a conversation rode one with an identifier ("VXLAN 42", "GRE key
	 * 7"): the same 5-tuple in two tunnels is two rows that it tells apart. */
	bool tunnels = false;
	for (size_t i = 0; i < f->nlist; i++)
		tunnels |= f->list[i].tun.kind != 0;
	fprintf(f->out, "%-9s %-24s %-24s ", "CONV", "CLIENT", "SERVER");
	if (tunnels)
		fprintf(f->out, "%-18s ", "TUNNEL");
	fprintf(f->out, "%10s %10s  %s\n", "C->S", "S->C", "STATE AT END (client / server)");
	for (size_t i = 0; i < f->nlist; i++) {
		const struct flist *e = &f->list[i];
		char a[64], b[64], id[24], tun[32];
		np_fo_endpoint(&e->ep[0], a, sizeof a);
		np_fo_endpoint(&e->ep[1], b, sizeof b);
		snprintf(id, sizeof id, "%s %" PRIu32, e->udp ? "udp" : "tcp", e->conv);
		fprintf(f->out, "%-9s %-24s %-24s ", id, a, b);
		if (tunnels) {
			struct np_sbuf sb = np_sb_make(tun, sizeof tun);
			if (!np_fmt_tunnel(&sb, &e->tun))
				np_sb_lit(&sb, "-");
			fprintf(f->out, "%-18s ", tun);
		}
		fprintf(f->out, "%10" PRIu64 " %10" PRIu64 "  ", e->bytes[0], e->bytes[1]);
		if (e->udp)
			fputs("-\n", f->out);
		else
			fprintf(f->out, "%s / %s\n", np_tcp_state_name(e->st[0]),
				np_tcp_state_name(e->st[1]));
	}
	if (f->list_over)
		fprintf(f->out, "... and %" PRIu64 " more conversations (the list keeps %d)\n",
			f->list_over, NP_FOLLOW_LIST_MAX);
	fputc('\n', f->out);
}
