/* http.c - HTTP/1.x messages (RFC 9112): the request or status line of a TCP segment that
 * begins one, and its Host, Content-Type, Content-Length and Transfer-Encoding headers.
 * Per segment: the reassembler (src/track/reasm.c) does not feed decoders, so a message's
 * later segments stay TCP, and headers past its first segment are not seen. */
#include <string.h>

#include "decode/internal.h"
#include "netprobe/proto.h"
#include "core/sbuf.h"
#include "print/jw.h"
#include "proto/pair.h"

#define LINE_MAX_SCAN 8192   /* bytes of start line and headers looked at */
#define MAX_HEADERS 100

/* Request methods (RFC 9110 s9, RFC 5789): a segment must begin with one and a space. */
static bool is_method(const uint8_t *s, size_t n)
{
	if (n < 3 || n > 7)
		return false;
	static const char *const m[] = { "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS",
					 "PATCH", "CONNECT", "TRACE" };
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
		size_t k = strlen(m[i]);
		if (n == k && memcmp(s, m[i], k) == 0)
			return true;
	}
	return false;
}

/* One line at the cursor, without its CRLF (or bare LF): where it starts in the bytes the
 * cursor bounds, and its length; the cursor moves past it. False when no line end comes within
 * the bytes left (the line is then all of them). memchr over the cursor's own window: a
 * request's headers are hundreds of bytes, and a byte-at-a-time walk cost 3% of the text
 * output on the mixed capture. */
static bool line(struct np_cursor *c, const uint8_t **s, size_t *len)
{
	size_t left = np_cur_left(c);
	const uint8_t *p = np_cur_ptr(c);
	const uint8_t *nl = left ? memchr(p, '\n', left) : NULL;
	*s = p;
	if (!nl) {
		*len = left;
		np_cur_skip(c, left);
		return false;
	}
	size_t n = (size_t)(nl - p);
	np_cur_skip(c, n + 1);
	*len = n && p[n - 1] == '\r' ? n - 1 : n;
	return true;
}

/* Keep n bytes as text in the pool (odd bytes as \xNN); its offset, or NP_DNS_NONE. */
static uint16_t keep(struct np_http *h, const uint8_t *s, size_t n)
{
	size_t left = sizeof h->text - h->text_len;
	if (left < 8)
		return NP_DNS_NONE;
	struct np_sbuf sb = np_sb_make(h->text + h->text_len, left);
	for (size_t i = 0; i < n && sb.len + 5 < left; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f) {
			np_sb_ch(&sb, (char)s[i]);
		} else {
			np_sb_lit(&sb, "\\x");
			np_sb_hex(&sb, s[i], 2);
		}
	}
	uint16_t at = h->text_len;
	h->text_len = (uint16_t)(h->text_len + sb.len + 1);
	return at;
}

/* The first line: a request line "METHOD URI VERSION" or a status line "VERSION CODE REASON".
 * False: it is not HTTP/1.x. */
static bool start_line(struct np_http *h, const uint8_t *s, size_t n)
{
	const uint8_t *sp1 = memchr(s, ' ', n);
	if (!sp1)
		return false;
	size_t k = (size_t)(sp1 - s);
	const uint8_t *rest = sp1 + 1;
	size_t rn = n - k - 1;
	if (k == 8 && memcmp(s, "HTTP/1.", 7) == 0) {
		if (rn < 3 || rest[0] < '1' || rest[0] > '5' || rest[1] < '0' || rest[1] > '9' ||
		    rest[2] < '0' || rest[2] > '9' || (rn > 3 && rest[3] != ' '))
			return false;
		h->response = true;
		h->status = (uint16_t)((rest[0] - '0') * 100 + (rest[1] - '0') * 10 + rest[2] - '0');
		h->version = keep(h, s, k);
		h->reason = rn > 4 ? keep(h, rest + 4, rn - 4) : keep(h, rest, 0);
		return true;
	}
	if (!is_method(s, k))
		return false;
	const uint8_t *sp2 = memchr(rest, ' ', rn);
	h->method = keep(h, s, k);
	h->uri = keep(h, rest, sp2 ? (size_t)(sp2 - rest) : rn);
	if (sp2)
		h->version = keep(h, sp2 + 1, rn - (size_t)(sp2 - rest) - 1);
	return true;
}

static bool header_is(const uint8_t *s, size_t n, const char *name)
{
	size_t k = strlen(name);
	if (n <= k || s[k] != ':')
		return false;
	for (size_t i = 0; i < k; i++)
		if ((s[i] | 0x20) != name[i])
			return false;
	return true;
}

/* The value of a header line, without the spaces around it. */
static const uint8_t *value(const uint8_t *s, size_t n, size_t name, size_t *vn)
{
	size_t a = name + 1, b = n;
	while (a < b && (s[a] == ' ' || s[a] == '\t'))
		a++;
	while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
		b--;
	*vn = b - a;
	return s + a;
}

static void header(struct np_http *h, const uint8_t *s, size_t n)
{
	size_t vn;
	const uint8_t *v;
	uint8_t c0 = n ? s[0] | 0x20 : 0;
	if (c0 != 'h' && c0 != 'c' && c0 != 't')
		return; /* none of the four headers we read: the usual case */
	if (header_is(s, n, "host") && h->host == NP_DNS_NONE) {
		v = value(s, n, 4, &vn);
		h->host = keep(h, v, vn);
	} else if (header_is(s, n, "content-type") && h->ctype == NP_DNS_NONE) {
		v = value(s, n, 12, &vn);
		h->ctype = keep(h, v, vn);
	} else if (header_is(s, n, "content-length")) {
		v = value(s, n, 14, &vn);
		uint64_t x = 0;
		bool ok = vn > 0 && vn <= 18;
		for (size_t i = 0; ok && i < vn; i++) {
			ok = v[i] >= '0' && v[i] <= '9';
			x = x * 10 + (uint64_t)(v[i] - '0');
		}
		h->has_length = ok;
		h->content_length = ok ? x : 0;
	} else if (header_is(s, n, "transfer-encoding")) {
		v = value(s, n, 17, &vn);
		h->chunked = vn >= 7 && memcmp(v + vn - 7, "chunked", 7) == 0;
	}
}

void np_decode_http(struct np_cursor *c, struct np_packet *p)
{
	/* Cheap refusal first: the bytes before the first space must name a method or a version. */
	size_t n = np_cur_left(c) < 24 ? np_cur_left(c) : 24;
	const uint8_t *first = np_cur_ptr(c); /* n bytes the cursor holds */
	const uint8_t *sp = memchr(first, ' ', n);
	if (!sp || !(is_method(first, (size_t)(sp - first)) ||
		     ((size_t)(sp - first) == 8 && memcmp(first, "HTTP/1.", 7) == 0)))
		return;
	struct np_http *h = &p->app.http;
	memset(h, 0, offsetof(struct np_http, text));
	h->method = h->uri = h->version = h->reason = h->host = h->ctype = NP_DNS_NONE;
	struct np_cursor r;
	(void)np_cur_sub(c, LINE_MAX_SCAN, &r);
	const uint8_t *buf;
	size_t len;
	bool ended = line(&r, &buf, &len);
	if (!start_line(h, buf, len))
		return;
	struct np_pkt_layer *l = np_pkt_push(p, NP_L_HTTP);
	if (!l)
		return;
	for (unsigned i = 0; ended && i < MAX_HEADERS; i++) {
		ended = line(&r, &buf, &len);
		if (!ended)
			break;
		if (len == 0) {
			h->headers_end = true;
			h->body_len = (uint32_t)(np_cur_left(c) - r.off);
			break;
		}
		header(h, buf, len);
	}
	if (!ended && p->frame->caplen < p->frame->len)
		np_problem_payload_cut(p, NP_L_HTTP, "HTTP headers cut short by the capture");
}

/* --- rendering: Info column (Wireshark's: the start line, the body's media type), -v tree,
 * JSON object --- */

static const char *txt(const struct np_http *h, uint16_t at)
{
	return at == NP_DNS_NONE ? NULL : h->text + at;
}

static void http_info(struct np_sbuf *sb, const struct np_pkt_layer *l, const struct np_view *v)
{
	(void)l;
	const struct np_http *h = &v->p->app.http;
	if (h->response) {
		np_sb_str(sb, txt(h, h->version));
		np_sb_ch(sb, ' ');
		np_sb_uint(sb, h->status, 3, '0');
		if (txt(h, h->reason) && *txt(h, h->reason)) {
			np_sb_ch(sb, ' ');
			np_sb_str(sb, txt(h, h->reason));
		}
	} else {
		np_sb_str(sb, txt(h, h->method));
		np_sb_ch(sb, ' ');
		np_sb_str(sb, txt(h, h->uri));
		if (txt(h, h->version)) {
			np_sb_ch(sb, ' ');
			np_sb_str(sb, txt(h, h->version));
		}
	}
	if (h->body_len && txt(h, h->ctype)) {
		np_sb_lit(sb, "  (");
		np_sb_str(sb, txt(h, h->ctype));
		np_sb_ch(sb, ')');
	}
}

static void http_tree(FILE *o, const struct np_pkt_layer *l, const struct np_view *v)
{
	(void)l;
	const struct np_http *h = &v->p->app.http;
	np_pdu_tree(o, v->p);
	fprintf(o, "Hypertext Transfer Protocol\n");
	if (h->response)
		fprintf(o, NP_I1 "Response Version: %s\n" NP_I1 "Status Code: %u\n" NP_I1
			"Response Phrase: %s\n", txt(h, h->version), h->status,
			txt(h, h->reason) ? txt(h, h->reason) : "");
	else
		fprintf(o, NP_I1 "Request Method: %s\n" NP_I1 "Request URI: %s\n" NP_I1
			"Request Version: %s\n", txt(h, h->method), txt(h, h->uri),
			txt(h, h->version) ? txt(h, h->version) : "(none)");
	if (txt(h, h->host))
		fprintf(o, NP_I1 "Host: %s\n", txt(h, h->host));
	if (txt(h, h->ctype))
		fprintf(o, NP_I1 "Content-Type: %s\n", txt(h, h->ctype));
	if (h->has_length)
		fprintf(o, NP_I1 "Content-Length: %llu\n", (unsigned long long)h->content_length);
	if (h->chunked)
		fprintf(o, NP_I1 "Transfer-Encoding: chunked\n");
	if (h->headers_end)
		fprintf(o, NP_I1 "[Body in this segment: %u bytes]\n", h->body_len);
	else
		fprintf(o, NP_I1 "[Headers continue past this segment]\n");
	const struct np_app_pair *pr = &v->p->pair;
	if (pr->kind == NP_PAIR_REQUEST && pr->number)
		fprintf(o, NP_I1 "[HTTP request %u]\n", pr->number);
	if (pr->kind == NP_PAIR_RESPONSE) {
		char t[32];
		np_pair_secs(t, sizeof t, pr->delta_us);
		fprintf(o, NP_I1 "[HTTP response %u]\n" NP_I1 "[Time since request: %s000 seconds]\n"
			NP_I1 "[Request in frame: %" PRIu64 "]\n", pr->number, t, pr->req_frame);
	}
}

static unsigned http_json(struct np_jw *restrict w, const struct np_pkt_layer *l,
			  const struct np_view *v)
{
	(void)l;
	const struct np_http *h = &v->p->app.http;
	OPEN(w, "http");
	if (h->response) {
		STR(w, "version", txt(h, h->version));
		NUM(w, "status", h->status);
		if (txt(h, h->reason))
			STR(w, "reason", txt(h, h->reason));
	} else {
		STR(w, "method", txt(h, h->method));
		STR(w, "uri", txt(h, h->uri));
		if (txt(h, h->version))
			STR(w, "version", txt(h, h->version));
	}
	if (txt(h, h->host))
		STR(w, "host", txt(h, h->host));
	if (txt(h, h->ctype))
		STR(w, "content_type", txt(h, h->ctype));
	if (h->has_length)
		NUM(w, "content_length", h->content_length);
	if (h->chunked)
		BOOL(w, "chunked", true);
	BOOL(w, "headers_end", h->headers_end);
	const struct np_app_pair *pr = &v->p->pair;
	if (pr->kind == NP_PAIR_REQUEST && pr->number)
		NUM(w, "request_number", pr->number);
	if (pr->kind == NP_PAIR_RESPONSE)
		NUM(w, "response_number", pr->number);
	np_pair_json(w, pr);
	np_pdu_json(w, v->p);
	close_obj(w);
	return 0;
}

const struct np_unit np_unit_http = {
	.kind = NP_L_HTTP,
	.key = "http",
	.title = "Hypertext Transfer Protocol",
	.proto = "HTTP",
	.info = http_info,
	.tree = http_tree,
	.json = http_json,
};
