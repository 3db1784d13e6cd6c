/* json_ref_w.h - the reference printer's writer (json_ref.c, json_ref_tunnel.c): one fprintf
 * per key and value. */
#ifndef NETPROBE_TEST_JSON_REF_W_H
#define NETPROBE_TEST_JSON_REF_W_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

#include "netprobe/print.h"

struct jw {
	FILE *o;
	bool first;
};

static inline void key(struct jw *w, const char *k)
{
	fprintf(w->o, "%s\"%s\":", w->first ? "" : ",", k);
	w->first = false;
}

static inline void open_obj(struct jw *w, const char *k)
{
	key(w, k);
	fputc('{', w->o);
	w->first = true;
}

static inline void close_obj(struct jw *w)
{
	fputc('}', w->o);
	w->first = false;
}

static inline void num(struct jw *w, const char *k, uint64_t v)
{
	key(w, k);
	fprintf(w->o, "%" PRIu64, v);
}

static inline void boolean(struct jw *w, const char *k, bool v)
{
	key(w, k);
	fputs(v ? "true" : "false", w->o);
}

/* Strings here are our own names and formatted addresses; escape anyway so the output stays
 * JSON whatever a future caller passes. */
static inline void str(struct jw *w, const char *k, const char *s)
{
	key(w, k);
	fputc('"', w->o);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(w->o, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(w->o, "\\u%04x", ch);
		else
			fputc(ch, w->o);
	}
	fputc('"', w->o);
}

static inline void addr(struct jw *w, const char *k, int ver, const uint8_t *a)
{
	char buf[NP_ADDR_STRLEN];
	str(w, k, np_fmt_addr(ver, a, buf));
}

static inline void mac(struct jw *w, const char *k, const uint8_t *m, size_t n)
{
	char buf[32];
	str(w, k, np_fmt_mac(m, n, buf, sizeof buf));
}

#endif
