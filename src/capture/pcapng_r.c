/* pcapng_r.c - netprobe's own pcapng reader (draft-ietf-opsawg-pcapng): every interface with its
 * own link type, snapshot length, name and timestamp resolution, and each packet's comments and
 * direction. libpcap 1.10 refuses a file whose interfaces differ in link type or snapshot length
 * ("an interface has a different link-layer type"), and hides if_name, opt_comment and
 * epb_flags from its callers: netprobe needs all of them to read back what it writes. Blocks
 * are read with fread (a plain file, or zread.c's decompressed stream) into one bounded buffer,
 * and every field is read through the cursor. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "netprobe/capture.h"
#include "netprobe/cursor.h"
#include "netprobe/decode.h"
#include "netprobe/pcapng.h"
#include "netprobe/zread.h"

#define BLOCK_MAX (16u << 20)   /* libpcap's limit for one block */
#define IFACES_MAX 4096
#define SNAP_MAX 262144         /* libpcap's MAXIMUM_SNAPLEN: longer captures are cut to it */
#define NAME_MAX_LEN 64

struct ng_iface {
	struct np_frame_if fi;
	char name[NAME_MAX_LEN];
	uint64_t units;       /* timestamp units a second */
	int64_t tsoffset;     /* if_tsoffset, seconds */
	struct bpf_program prog;
	bool have_prog;
};

struct ng_source {
	struct np_source base;
	FILE *fp;
	struct np_zread *z;
	bool swap;               /* the section's byte order is not big-endian */
	uint8_t *buf;            /* the current block's body */
	size_t cap;
	uint32_t type, body_len; /* a block read ahead by the opening (type != 0) */
	bool pending;
	struct ng_iface *ifs;
	unsigned nifs;
	char *filter;            /* compiled for each interface as it appears */
	char *comments;          /* the current packet's, '\0' after each */
	size_t ccap;
	pcap_t *dead;            /* -w as classic pcap: the dumper's handle */
	pcap_dumper_t *dumper;
	bool warned_mixed;
	int stream_fd;           /* read from a pipe or FIFO: its descriptor, else -1 */
	size_t want, got;        /* the last read's bytes asked for and read */
};

static const struct np_source_ops ng_ops;

static struct ng_source *ngs(struct np_source *s) { return (struct ng_source *)s; }

static uint16_t rd16(struct ng_source *g, struct np_cursor *c, bool *ok)
{
	uint16_t v = 0;
	*ok = *ok && np_cur_u16(c, &v);
	return g->swap ? (uint16_t)(v >> 8 | v << 8) : v;
}

static uint32_t rd32(struct ng_source *g, struct np_cursor *c, bool *ok)
{
	uint32_t v = 0;
	*ok = *ok && np_cur_u32(c, &v);
	return g->swap ? __builtin_bswap32(v) : v;
}

static uint64_t rd64(struct ng_source *g, struct np_cursor *c, bool *ok)
{
	uint64_t hi = rd32(g, c, ok), lo = rd32(g, c, ok);
	return hi << 32 | lo; /* two 32-bit halves, high first, in either byte order */
}

/* Read exactly n bytes; false at the end of the input or on an error (ferror tells; g->want
 * and g->got say how short it fell). */
static bool get(struct ng_source *g, void *dst, size_t n)
{
	g->want = n;
	g->got = fread(dst, 1, n, g->fp);
	return g->got == n;
}

static int fail(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s", what);
	return -1;
}

/* Why a read stopped short: the decompressor's words, a read error, or a cut file. */
static int short_read(struct ng_source *g, char *err, size_t errlen)
{
	const char *zerr = np_zread_error(g->z);
	if (zerr)
		return fail(err, errlen, zerr);
	if (ferror(g->fp) && errno == EINTR)
		return 1; /* a stop signal: the end */
	if (ferror(g->fp))
		return fail(err, errlen, strerror(errno));
	/* libpcap's words for the same */
	snprintf(err, errlen, "truncated pcapng dump file; tried to read %zu bytes, only got %zu",
		 g->want, g->got);
	return -1;
}

/* The Section Header Block's byte-order magic and version (its type and length were read in
 * the byte order the magic gives). */
static int section_start(struct ng_source *g, const uint8_t *bom, char *err, size_t errlen)
{
	uint32_t m = (uint32_t)bom[0] << 24 | (uint32_t)bom[1] << 16 | (uint32_t)bom[2] << 8 | bom[3];
	if (m == 0x1A2B3C4D)
		g->swap = false;
	else if (m == 0x4D3C2B1A)
		g->swap = true;
	else
		return fail(err, errlen, "bad pcapng byte-order magic in a Section Header Block");
	return 0;
}

/* The next block: its type and body (the bytes between the length fields) in g->buf.
 * Returns 0, 1 at the clean end of the input, -1 with err. */
static int read_block(struct ng_source *g, uint32_t *type, uint32_t *len, char *err, size_t errlen)
{
	uint8_t hdr[12];
	if (!get(g, hdr, 8) && g->got == 0 && !ferror(g->fp))
		return 1;
	if (g->got != 8)
		return short_read(g, err, errlen);
	struct np_cursor c = np_cur_make(hdr, 8);
	bool ok = true;
	uint32_t t = rd32(g, &c, &ok);
	if (t == NP_PCAPNG_SHB) { /* a new section may change the byte order */
		if (!get(g, hdr + 8, 4))
			return short_read(g, err, errlen);
		if (section_start(g, hdr + 8, err, errlen) < 0)
			return -1;
	}
	c = np_cur_make(hdr + 4, 4);
	uint32_t total = rd32(g, &c, &ok);
	if (total < 12 || total % 4)
		return fail(err, errlen, "a pcapng block has a length that is not a multiple of 4 "
					 "or is too short");
	if (total > BLOCK_MAX)
		return fail(err, errlen, "a pcapng block is larger than 16 MiB");
	size_t body = total - 12;
	if (body > g->cap) {
		uint8_t *nb = realloc(g->buf, body);
		if (!nb)
			return fail(err, errlen, "out of memory");
		g->buf = nb;
		g->cap = body;
	}
	size_t off = 0;
	if (t == NP_PCAPNG_SHB) { /* the byte-order magic, read already, is the body's start */
		if (body < 4)
			return fail(err, errlen, "a Section Header Block is too short");
		memcpy(g->buf, hdr + 8, 4);
		off = 4;
	}
	uint8_t trailer[4];
	if (!get(g, g->buf + off, body - off) || !get(g, trailer, 4))
		return short_read(g, err, errlen);
	*type = t;
	*len = (uint32_t)body;
	return 0;
}

/* Each option of a block (code, value) from `c` to the end or opt_endofopt. */
struct opt {
	uint16_t code, len;
	struct np_cursor val;
};

static bool next_opt(struct ng_source *g, struct np_cursor *c, struct opt *o)
{
	bool ok = true;
	o->code = rd16(g, c, &ok);
	o->len = rd16(g, c, &ok);
	if (!ok || o->code == 0 || !np_cur_sub(c, o->len, &o->val))
		return false;
	np_cur_skip(c, o->len);
	np_cur_skip(c, (4 - o->len % 4) % 4);
	return true;
}

static int compile_iface(struct ng_source *g, struct ng_iface *ifc, char *err, size_t errlen)
{
	if (!g->filter || ifc->have_prog)
		return 0;
	pcap_t *dead = pcap_open_dead(ifc->fi.dlt, ifc->fi.snaplen ? (int)ifc->fi.snaplen : SNAP_MAX);
	if (!dead)
		return fail(err, errlen, "out of memory");
	int rc = pcap_compile(dead, &ifc->prog, g->filter, 1, PCAP_NETMASK_UNKNOWN);
	if (rc < 0) {
		int shown = strlen(g->filter) > 80 ? 72 : (int)strlen(g->filter);
		snprintf(err, errlen, "bad filter expression '%.*s%s': %s", shown, g->filter,
			 strlen(g->filter) > 80 ? "..." : "", pcap_geterr(dead));
	}
	pcap_close(dead);
	ifc->have_prog = rc == 0;
	return rc < 0 ? -1 : 0;
}

/* if_tsresol: 10^-n or (top bit) 2^-n seconds. */
static int tsresol(struct ng_iface *ifc, uint8_t r, char *err, size_t errlen)
{
	unsigned n = r & 0x7f;
	if ((r & 0x80) ? n > 63 : n > 19)
		return fail(err, errlen, "an interface has a timestamp resolution netprobe cannot "
					 "represent (if_tsresol)");
	uint64_t u = 1;
	for (unsigned i = 0; i < n; i++)
		u *= (r & 0x80) ? 2 : 10;
	ifc->units = u;
	return 0;
}

static int add_iface(struct ng_source *g, struct np_cursor *c, char *err, size_t errlen)
{
	bool ok = true;
	uint16_t lt = rd16(g, c, &ok);
	rd16(g, c, &ok); /* reserved */
	uint32_t snap = rd32(g, c, &ok);
	if (!ok)
		return fail(err, errlen, "an Interface Description Block is too short");
	if (g->nifs == IFACES_MAX)
		return fail(err, errlen, "more than 4096 interfaces in one pcapng section");
	struct ng_iface *n = realloc(g->ifs, (g->nifs + 1) * sizeof *n);
	if (!n)
		return fail(err, errlen, "out of memory");
	g->ifs = n;
	struct ng_iface *ifc = &g->ifs[g->nifs];
	memset(ifc, 0, sizeof *ifc);
	ifc->fi.id = g->nifs;
	ifc->fi.dlt = np_pcapng_dlt(lt);
	ifc->fi.snaplen = snap;
	ifc->units = 1000000;
	struct opt o;
	while (next_opt(g, c, &o)) {
		if (o.code == NP_PCAPNG_IF_NAME && o.len) {
			size_t len = o.len < NAME_MAX_LEN - 1 ? o.len : NAME_MAX_LEN - 1;
			np_cur_bytes(&o.val, ifc->name, len);
			ifc->name[len] = '\0';
			ifc->fi.name = ifc->name[0] ? ifc->name : NULL;
		} else if (o.code == NP_PCAPNG_IF_TSRESOL && o.len >= 1) {
			uint8_t r = 6;
			np_cur_u8(&o.val, &r);
			if (tsresol(ifc, r, err, errlen) < 0)
				return -1;
		} else if (o.code == NP_PCAPNG_IF_TSOFFSET && o.len >= 8) {
			bool vok = true;
			ifc->tsoffset = (int64_t)rd64(g, &o.val, &vok);
		}
	}
	g->nifs++;
	/* the name pointers move with the array */
	for (unsigned i = 0; i < g->nifs; i++) {
		g->ifs[i].fi.name = g->ifs[i].name[0] ? g->ifs[i].name : NULL;
		g->ifs[i].fi.several = g->nifs > 1;
	}
	if (g->nifs == 1 || !np_link_supported(g->base.dlt))
		g->base.dlt = ifc->fi.dlt;
	return compile_iface(g, ifc, err, errlen);
}

static void drop_ifaces(struct ng_source *g)
{
	for (unsigned i = 0; i < g->nifs; i++)
		if (g->ifs[i].have_prog)
			pcap_freecode(&g->ifs[i].prog);
	g->nifs = 0;
}

/* A packet's comment joins the list; false when out of memory (the comment is then left out). */
static void add_comment(struct ng_source *g, struct np_frame *f, size_t *used, struct np_cursor *v,
			uint16_t len)
{
	if (*used + len + 1 > g->ccap) {
		size_t cap = (*used + len + 1) * 2;
		char *n = realloc(g->comments, cap);
		if (!n)
			return;
		g->comments = n;
		g->ccap = cap;
	}
	np_cur_bytes(v, g->comments + *used, len);
	/* a NUL inside a comment ends it where the printers would */
	size_t real = strnlen(g->comments + *used, len);
	g->comments[*used + real] = '\0';
	*used += real + 1;
	f->ncomments++;
}

static void packet_options(struct ng_source *g, struct np_cursor *c, struct np_frame *f)
{
	struct opt o;
	size_t used = 0;
	while (next_opt(g, c, &o)) {
		if (o.code == NP_PCAPNG_OPT_COMMENT && f->ncomments < 1000)
			add_comment(g, f, &used, &o.val, o.len);
		else if (o.code == NP_PCAPNG_EPB_FLAGS && o.len == 4) {
			bool ok = true;
			f->dir = (uint8_t)(rd32(g, &o.val, &ok) & 3);
			if (f->dir == 3)
				f->dir = NP_DIR_UNKNOWN;
		}
	}
	f->comments = f->ncomments ? g->comments : NULL;
}

/* A packet's timestamp in its interface's units, as seconds and microseconds (libpcap's
 * arithmetic: the seconds, then the fraction scaled, then if_tsoffset added). */
static void set_time(const struct ng_iface *ifc, uint64_t t, struct np_frame *f)
{
	uint64_t sec = t / ifc->units, frac = t % ifc->units;
	int64_t s = np_ts_clamp_sec((int64_t)(sec > (uint64_t)INT64_MAX ? INT64_MAX : sec));
	f->ts_sec = np_ts_clamp_sec(s + np_ts_clamp_sec(ifc->tsoffset));
	f->ts_usec = (uint32_t)((unsigned __int128)frac * 1000000u / ifc->units);
}

/* The bytes of a packet: caplen of them, cut to its interface's snapshot length (and libpcap's
 * maximum) as libpcap cuts them. */
static bool packet_data(struct np_cursor *c, uint32_t caplen, const struct ng_iface *ifc,
			struct np_frame *f)
{
	f->data = np_cur_ptr(c);
	if (!np_cur_skip(c, caplen))
		return false;
	np_cur_skip(c, (4 - caplen % 4) % 4);
	uint32_t snap = ifc->fi.snaplen && ifc->fi.snaplen < SNAP_MAX ? ifc->fi.snaplen : SNAP_MAX;
	f->caplen = caplen < snap ? caplen : snap;
	return true;
}

/* An Enhanced (6), Simple (3) or obsolete Packet Block (2) into f. Returns 0, -1 with err. */
static int packet_block(struct ng_source *g, uint32_t type, uint32_t len, struct np_frame *f,
			char *err, size_t errlen)
{
	struct np_cursor c = np_cur_make(g->buf, len);
	bool ok = true;
	uint32_t id = 0, caplen;
	uint64_t t = 0;
	memset(f, 0, sizeof *f);
	if (type == NP_PCAPNG_SPB) {
		f->len = rd32(g, &c, &ok);
		caplen = (uint32_t)np_cur_left(&c) < f->len ? (uint32_t)np_cur_left(&c) : f->len;
	} else {
		if (type == NP_PCAPNG_EPB)
			id = rd32(g, &c, &ok);
		else
			id = rd16(g, &c, &ok);
		if (type == NP_PCAPNG_OPB)
			rd16(g, &c, &ok); /* drops */
		t = rd64(g, &c, &ok);
		caplen = rd32(g, &c, &ok);
		f->len = rd32(g, &c, &ok);
	}
	if (!ok)
		return fail(err, errlen, "a pcapng packet block is too short");
	if (id >= g->nifs) {
		snprintf(err, errlen, "a packet arrived on interface %u, but there's no such "
				      "interface in the pcapng file", id);
		return -1;
	}
	const struct ng_iface *ifc = &g->ifs[id];
	if (!packet_data(&c, caplen, ifc, f))
		return fail(err, errlen, "a pcapng packet's capture length is larger than its block");
	if (type != NP_PCAPNG_SPB) {
		set_time(ifc, t, f);
		packet_options(g, &c, f);
	}
	f->dlt = ifc->fi.dlt;
	f->iface = &ifc->fi;
	return 0;
}

/* Through the blocks to the next packet; sections and interfaces are taken in on the way, the
 * rest (statistics, name resolution, custom blocks) skipped. */
static enum np_next ng_next(struct np_source *s, struct np_frame *f, char *err, size_t errlen)
{
	struct ng_source *g = ngs(s);
	for (;;) {
		uint32_t type = 0, len = 0;
		int rc = 0;
		if (g->pending) {
			type = g->type, len = g->body_len, g->pending = false;
		} else if ((rc = read_block(g, &type, &len, err, errlen)) != 0) {
			return rc < 0 ? NP_NEXT_ERROR : NP_NEXT_END;
		}
		if (type == NP_PCAPNG_SHB) {
			drop_ifaces(g);
			continue;
		}
		if (type == NP_PCAPNG_IDB) {
			struct np_cursor c = np_cur_make(g->buf, len);
			if (add_iface(g, &c, err, errlen) < 0)
				return NP_NEXT_ERROR;
			continue;
		}
		if (type != NP_PCAPNG_EPB && type != NP_PCAPNG_SPB && type != NP_PCAPNG_OPB)
			continue;
		if (packet_block(g, type, len, f, err, errlen) < 0)
			return NP_NEXT_ERROR;
		s->frames++;
		const struct ng_iface *ifc = &g->ifs[f->iface->id];
		if (ifc->have_prog) {
			struct pcap_pkthdr h = { .caplen = f->caplen, .len = f->len };
			if (!pcap_offline_filter(&ifc->prog, &h, f->data))
				continue;
		}
		s->delivered++;
		f->n = s->frames;
		return NP_NEXT_FRAME;
	}
}

static int ng_set_filter(struct np_source *s, const char *expr, char *err, size_t errlen)
{
	struct ng_source *g = ngs(s);
	free(g->filter);
	if (!(g->filter = strdup(expr)))
		return fail(err, errlen, "out of memory");
	for (unsigned i = 0; i < g->nifs; i++)
		if (compile_iface(g, &g->ifs[i], err, errlen) < 0)
			return -1;
	if (g->nifs == 0) { /* no interface yet: the expression's syntax is checked all the same */
		struct ng_iface probe = { .fi = { .dlt = DLT_EN10MB } };
		if (compile_iface(g, &probe, err, errlen) < 0)
			return -1;
		pcap_freecode(&probe.prog);
	}
	return 0;
}

static void ng_stats(struct np_source *s, struct np_source_stats *st)
{
	memset(st, 0, sizeof *st);
	st->frames = s->frames;
	st->delivered = s->delivered;
}

/* -w as classic pcap: one link type per file, the first interface's. A frame of another link
 * type cannot be written into it; it is left out, and said once (pcapng output keeps all). */
static int ng_dump_open(struct np_source *s, FILE *fp, const char *name, char *err, size_t errlen)
{
	struct ng_source *g = ngs(s);
	g->dead = pcap_open_dead(s->dlt, SNAP_MAX);
	if (!g->dead || !(g->dumper = pcap_dump_fopen(g->dead, fp))) {
		snprintf(err, errlen, "cannot write %s: %s", name,
			 g->dead ? pcap_geterr(g->dead) : "out of memory");
		return -1;
	}
	return 0;
}

static int ng_dump(struct np_source *s, const struct np_frame *f)
{
	struct ng_source *g = ngs(s);
	if (f->dlt != s->dlt) {
		if (!g->warned_mixed)
			fprintf(stderr, "netprobe: watch: frames of link types other than %s are not "
					"written to a classic pcap file (use --format pcapng)\n",
				pcap_datalink_val_to_name(s->dlt) ? pcap_datalink_val_to_name(s->dlt) : "the first");
		g->warned_mixed = true;
		return 0;
	}
	struct pcap_pkthdr h;
	h.ts.tv_sec = (time_t)f->ts_sec;
	h.ts.tv_usec = (suseconds_t)f->ts_usec;
	h.caplen = f->caplen;
	h.len = f->len;
	pcap_dump((u_char *)g->dumper, &h, f->data);
	return ferror(pcap_dump_file(g->dumper)) ? -1 : 0;
}

static void ng_dump_close(struct np_source *s)
{
	struct ng_source *g = ngs(s);
	if (g->dumper)
		pcap_dump_close(g->dumper);
	g->dumper = NULL;
	if (g->dead)
		pcap_close(g->dead);
	g->dead = NULL;
}

static void ng_close(struct np_source *s)
{
	struct ng_source *g = ngs(s);
	ng_dump_close(s);
	drop_ifaces(g);
	free(g->ifs);
	free(g->buf);
	free(g->filter);
	free(g->comments);
	if (g->fp)
		fclose(g->fp);
	free(g);
}

/* As cap_pcap.c's: a pipe with nothing to read (stdio's buffer may still hold frames). */
static bool ng_idle(struct np_source *s)
{
	struct ng_source *g = ngs(s);
	if (g->stream_fd < 0)
		return false;
	struct pollfd pfd = { .fd = g->stream_fd, .events = POLLIN };
	return poll(&pfd, 1, 0) == 0;
}

const struct np_frame_if *np_pcapng_iface(struct np_source *s, unsigned i)
{
	return s->ops == &ng_ops && i < ngs(s)->nifs ? &ngs(s)->ifs[i].fi : NULL;
}

void np_pcapng_stream_fd(struct np_source *s, int fd)
{
	if (s->ops == &ng_ops)
		ngs(s)->stream_fd = fd;
}

static const struct np_source_ops ng_ops = {
	.iface = np_pcapng_iface,
	.kind = "pcapng",
	.next = ng_next,
	.set_filter = ng_set_filter,
	.stats = ng_stats,
	.dump_open = ng_dump_open,
	.dump = ng_dump,
	.dump_close = ng_dump_close,
	.close = ng_close,
	.idle = ng_idle,
};

/* The file's first blocks: its Section Header Block (the magic read already by the caller),
 * then the interfaces up to the first other block, which is kept for ng_next. */
static int ng_start(struct ng_source *g, char *err, size_t errlen)
{
	uint8_t rest[8];
	if (!get(g, rest, 8)) /* total length, byte-order magic */
		return short_read(g, err, errlen), -1;
	if (section_start(g, rest + 4, err, errlen) < 0)
		return -1;
	struct np_cursor c = np_cur_make(rest, 4);
	bool ok = true;
	uint32_t total = rd32(g, &c, &ok);
	if (total < 28 || total % 4 || total > BLOCK_MAX)
		return fail(err, errlen, "the pcapng Section Header Block has a bad length");
	size_t body = total - 12;
	if (!(g->buf = malloc(body)))
		return fail(err, errlen, "out of memory");
	g->cap = body;
	memcpy(g->buf, rest + 4, 4);
	uint8_t trailer[4];
	if (!get(g, g->buf + 4, body - 4) || !get(g, trailer, 4))
		return short_read(g, err, errlen), -1;
	c = np_cur_make(g->buf + 4, 4);
	uint16_t major = rd16(g, &c, &ok);
	if (major != 1)
		return fail(err, errlen, "unsupported pcapng version (only 1.x is read)");
	for (;;) {
		int rc = read_block(g, &g->type, &g->body_len, err, errlen);
		if (rc != 0)
			return rc < 0 ? -1 : 0;
		if (g->type != NP_PCAPNG_IDB) {
			g->pending = true;
			return 0;
		}
		c = np_cur_make(g->buf, g->body_len);
		if (add_iface(g, &c, err, errlen) < 0)
			return -1;
	}
}

int np_pcapng_open(struct np_source **out, FILE *fp, struct np_zread *z, char *err, size_t errlen)
{
	struct ng_source *g = calloc(1, sizeof *g);
	if (!g)
		return fail(err, errlen, "out of memory");
	g->base.ops = &ng_ops;
	g->base.dlt = DLT_EN10MB; /* until an interface says */
	g->fp = fp;
	g->z = z;
	g->stream_fd = -1;
	if (ng_start(g, err, errlen) < 0) {
		g->fp = NULL; /* still the caller's */
		ng_close(&g->base);
		return -1;
	}
	*out = &g->base;
	return 0;
}
