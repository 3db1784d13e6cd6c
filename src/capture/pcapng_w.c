/* pcapng_w.c - the pcapng writer of -w (draft-ietf-opsawg-pcapng): a Section Header Block, an
 * Interface Description Block per interface as it first appears, an Enhanced Packet Block per
 * frame with its direction (epb_flags) and netprobe's analysis as opt_comment, and an Interface
 * Statistics Block per interface at the end. libpcap cannot write pcapng (libpcap#1321) and no
 * packaged library does (light_pcapng is unpackaged and unmaintained): the format's few blocks
 * are written here in host byte order, in stdio's 64 KiB writes, checked by tshark in tests. */
#include <stdlib.h>
#include <string.h>

#include <pcap/dlt.h>

#include "netprobe/pcapng.h"

#define IFACES_MAX 65536

struct wiface {
	int dlt;
	uint32_t snaplen, key;
	char name[64];
	bool named;
	uint64_t packets;
};

struct np_pcapng_w {
	FILE *fp;
	struct wiface *ifs;
	unsigned nifs, cap;
	unsigned last; /* the interface of the previous frame: most frames repeat it */
	uint64_t bytes; /* written so far (-C counts them) */
};

static void put32(FILE *fp, uint32_t v)
{
	fwrite_unlocked(&v, 4, 1, fp);
}

static void put16(FILE *fp, uint16_t v)
{
	fwrite_unlocked(&v, 2, 1, fp);
}

static void pad(FILE *fp, size_t n)
{
	static const uint8_t zero[4];
	if (n % 4)
		fwrite_unlocked(zero, 1, 4 - n % 4, fp);
}

static size_t padded(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* An option's bytes in the block: code, length, value padded to 4. */
static size_t opt_size(size_t len)
{
	return 4 + padded(len);
}

static void put_opt(FILE *fp, uint16_t code, const void *val, uint16_t len)
{
	put16(fp, code);
	put16(fp, len);
	fwrite_unlocked(val, 1, len, fp);
	pad(fp, len);
}

static void put_u64_opt(FILE *fp, uint16_t code, uint64_t v)
{
	put_opt(fp, code, &v, 8);
}

/* A timestamp option: high 32 bits, then low (in microseconds, the default if_tsresol). */
static void put_ts_opt(FILE *fp, uint16_t code, int64_t us)
{
	uint32_t hl[2] = { (uint32_t)((uint64_t)us >> 32), (uint32_t)us };
	put_opt(fp, code, hl, 8);
}

/* A comment is cut to what an option may hold. */
static uint16_t comment_len(const char *c)
{
	size_t n = strlen(c);
	return (uint16_t)(n > 65532 ? 65532 : n);
}

/* LINKTYPE_* numbers that differ from the DLT_* of the same link (pcap-linktype(7)). */
static const struct { uint16_t linktype; int dlt; } renumbered[] = {
	{ 100, 11 },          /* ATM_RFC1483 */
	{ 101, DLT_RAW },     /* RAW */
	{ 102, DLT_SLIP_BSDOS },
	{ 103, DLT_PPP_BSDOS },
	{ 50, DLT_PPP_SERIAL },
	{ 51, DLT_PPP_ETHER },
};

int np_pcapng_dlt(uint16_t linktype)
{
	for (size_t i = 0; i < sizeof renumbered / sizeof renumbered[0]; i++)
		if (renumbered[i].linktype == linktype)
			return renumbered[i].dlt;
	return linktype;
}

uint16_t np_pcapng_linktype(int dlt)
{
	for (size_t i = 0; i < sizeof renumbered / sizeof renumbered[0]; i++)
		if (renumbered[i].dlt == dlt)
			return renumbered[i].linktype;
	return (uint16_t)dlt;
}

struct np_pcapng_w *np_pcapng_w_open(FILE *fp)
{
	struct np_pcapng_w *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->fp = fp;
	static const char appl[] = "netprobe";
	uint32_t total = 28 + (uint32_t)opt_size(sizeof appl - 1) + 4;
	put32(fp, NP_PCAPNG_SHB);
	put32(fp, total);
	put32(fp, 0x1A2B3C4D);
	put16(fp, 1);
	put16(fp, 0);
	uint64_t unknown = UINT64_MAX; /* section length: not given */
	fwrite_unlocked(&unknown, 8, 1, fp);
	put_opt(fp, NP_PCAPNG_SHB_USERAPPL, appl, sizeof appl - 1);
	put32(fp, 0);
	put32(fp, total);
	w->bytes = total;
	return w;
}

static uint32_t write_idb(FILE *fp, const struct wiface *i)
{
	size_t nl = i->named ? strlen(i->name) : 0;
	uint32_t total = 20 + (uint32_t)(nl ? opt_size(nl) + 4 : 0);
	put32(fp, NP_PCAPNG_IDB);
	put32(fp, total);
	put16(fp, np_pcapng_linktype(i->dlt));
	put16(fp, 0);
	put32(fp, i->snaplen);
	if (nl) {
		put_opt(fp, NP_PCAPNG_IF_NAME, i->name, (uint16_t)nl);
		put32(fp, 0);
	}
	put32(fp, total);
	return total;
}

int64_t np_pcapng_w_iface(struct np_pcapng_w *w, int dlt, uint32_t snaplen, const char *name,
			  uint32_t key)
{
	for (unsigned k = 0; k < w->nifs; k++) {
		unsigned i = (w->last + k) % w->nifs;
		const struct wiface *f = &w->ifs[i];
		if (f->dlt == dlt && f->key == key && f->snaplen == snaplen &&
		    f->named == (name != NULL) && (!name || strncmp(f->name, name, 63) == 0)) {
			w->last = i;
			return i;
		}
	}
	if (w->nifs == IFACES_MAX)
		return -1;
	if (w->nifs == w->cap) {
		unsigned cap = w->cap ? w->cap * 2 : 8;
		struct wiface *n = realloc(w->ifs, cap * sizeof *n);
		if (!n)
			return -1;
		w->ifs = n;
		w->cap = cap;
	}
	struct wiface *f = &w->ifs[w->nifs];
	memset(f, 0, sizeof *f);
	f->dlt = dlt;
	f->snaplen = snaplen;
	f->key = key;
	f->named = name != NULL;
	if (name)
		snprintf(f->name, sizeof f->name, "%s", name);
	w->bytes += write_idb(w->fp, f);
	w->last = w->nifs;
	return w->nifs++;
}

int np_pcapng_w_packet(struct np_pcapng_w *w, uint32_t ifid, const struct np_frame *f,
		       uint32_t flags, const char *comments, unsigned n)
{
	FILE *fp = w->fp;
	size_t opts = flags ? opt_size(4) : 0;
	const char *c = comments;
	for (unsigned i = 0; i < n; c += strlen(c) + 1, i++)
		opts += opt_size(comment_len(c));
	if (opts)
		opts += 4; /* opt_endofopt */
	uint32_t total = (uint32_t)(32 + padded(f->caplen) + opts);
	/* microseconds since 1970 (the default if_tsresol); a time before 1970 is written as 0 */
	uint64_t ts = f->ts_sec < 0 ? 0 : (uint64_t)f->ts_sec * 1000000u + f->ts_usec;
	uint32_t hdr[7] = { NP_PCAPNG_EPB, total, ifid, (uint32_t)(ts >> 32), (uint32_t)ts,
			    f->caplen, f->len };
	fwrite_unlocked(hdr, 4, 7, fp);
	fwrite_unlocked(f->data, 1, f->caplen, fp);
	pad(fp, f->caplen);
	if (flags)
		put_opt(fp, NP_PCAPNG_EPB_FLAGS, &flags, 4);
	c = comments;
	for (unsigned i = 0; i < n; c += strlen(c) + 1, i++)
		put_opt(fp, NP_PCAPNG_OPT_COMMENT, c, comment_len(c));
	if (opts)
		put32(fp, 0);
	put32(fp, total);
	if (ifid < w->nifs)
		w->ifs[ifid].packets++;
	w->bytes += total;
	return ferror(fp) ? -1 : 0;
}

int np_pcapng_w_stats(struct np_pcapng_w *w, uint32_t ifid, const struct np_pcapng_isb *st)
{
	FILE *fp = w->fp;
	bool times = st->start_us >= 0;
	uint16_t cl = st->comment ? comment_len(st->comment) : 0;
	size_t opts = (times ? 2 * opt_size(8) : 0) + (st->have_kernel ? 3 * opt_size(8) : 0) +
		      opt_size(8) + (cl ? opt_size(cl) : 0) + 4;
	uint32_t total = (uint32_t)(24 + opts);
	int64_t end = times ? st->end_us : 0;
	put32(fp, NP_PCAPNG_ISB);
	put32(fp, total);
	put32(fp, ifid);
	put32(fp, (uint32_t)((uint64_t)end >> 32));
	put32(fp, (uint32_t)end);
	if (cl)
		put_opt(fp, NP_PCAPNG_OPT_COMMENT, st->comment, cl);
	if (times) {
		put_ts_opt(fp, NP_PCAPNG_ISB_STARTTIME, st->start_us);
		put_ts_opt(fp, NP_PCAPNG_ISB_ENDTIME, st->end_us);
	}
	if (st->have_kernel) {
		put_u64_opt(fp, NP_PCAPNG_ISB_IFRECV, st->recv);
		put_u64_opt(fp, NP_PCAPNG_ISB_IFDROP, st->ifdrop);
		put_u64_opt(fp, NP_PCAPNG_ISB_OSDROP, st->osdrop);
	}
	put_u64_opt(fp, NP_PCAPNG_ISB_USRDELIV, st->delivered);
	put32(fp, 0);
	put32(fp, total);
	w->bytes += total;
	return ferror(fp) ? -1 : 0;
}

unsigned np_pcapng_w_nifaces(const struct np_pcapng_w *w)
{
	return w->nifs;
}

uint64_t np_pcapng_w_packets(const struct np_pcapng_w *w, uint32_t ifid)
{
	return ifid < w->nifs ? w->ifs[ifid].packets : 0;
}

uint64_t np_pcapng_w_bytes(const struct np_pcapng_w *w)
{
	return w->bytes;
}

FILE *np_pcapng_w_file(const struct np_pcapng_w *w)
{
	return w->fp;
}

void np_pcapng_w_close(struct np_pcapng_w *w)
{
	if (!w)
		return;
	if (w->fp)
		fclose(w->fp);
	free(w->ifs);
	free(w);
}
