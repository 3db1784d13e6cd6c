/* dns.c - DNS messages (RFC 1035; AAAA RFC 3596, SRV RFC 2782, OPT RFC 6891) on UDP and TCP
 * port 53 and mDNS (RFC 6762) on UDP 5353: the header and every record kept, names
 * decompressed through the cursor with a bound on pointers (RFC 1035 s4.1.4). SVCB and HTTPS
 * data in dns_svcb.c, renderers in dns_print.c. */
#include <string.h>

#include "decode/internal.h"
#include "netprobe/proto.h"
#include "core/sbuf.h"
#include "proto/dns_int.h"

#define DNS_HDR 12
#define NAME_MAX_WIRE 255   /* RFC 1035 s2.3.4 */
#define MAX_JUMPS 32        /* compression pointers followed in one name */
#define MAX_LABELS 128      /* a 255-byte name holds at most 127 labels */

/* A cursor over msg positioned at off, or false when off is past its end. */
static bool seek(const struct np_cursor *msg, size_t off, struct np_cursor *r)
{
	if (off > msg->len)
		return false;
	*r = *msg;
	r->off = off;
	return true;
}

/* One label's bytes as text: printing ASCII as is, '.', '\' and the rest as \DDD (RFC 1035
 * s5.1, as dig writes them). */
static void put_label(struct np_sbuf *sb, struct np_cursor *r, uint8_t n)
{
	const uint8_t *b = np_cur_ptr(r); /* the caller checked that the n bytes are there */
	np_cur_skip(r, n);
	for (uint8_t i = 0; i < n; i++) {
		if (b[i] > 0x20 && b[i] < 0x7f && b[i] != '.' && b[i] != '\\') {
			np_sb_ch(sb, (char)b[i]);
		} else {
			np_sb_ch(sb, '\\');
			np_sb_uint(sb, b[i], 3, '0');
		}
	}
}

enum np_verdict np_dns_name(const struct np_cursor *msg, size_t *off, char *out, size_t cap)
{
	return np_dns_name_walk(msg, off, out, cap, MAX_JUMPS);
}

enum np_verdict np_dns_name_walk(const struct np_cursor *msg, size_t *off, char *out, size_t cap,
				 unsigned max_jumps)
{
	struct np_sbuf sb = np_sb_make(out, cap);
	struct np_cursor r;
	if (!seek(msg, *off, &r))
		return NP_TRUNCATED;
	size_t end = 0;          /* where the name ends in place (past its first pointer) */
	unsigned jumps = 0, labels = 0, wire = 1;
	for (;;) {
		uint8_t n;
		if (!np_cur_u8(&r, &n))
			return NP_TRUNCATED;
		if (n == 0)
			break;
		if ((n & 0xc0) == 0xc0) {
			uint8_t lo;
			if (!np_cur_u8(&r, &lo))
				return NP_TRUNCATED;
			if (!jumps)
				end = r.off;
			size_t to = ((size_t)(n & 0x3f) << 8) | lo;
			if (++jumps > max_jumps || to >= msg->len || !seek(msg, to, &r))
				return NP_INVALID; /* a loop, or a pointer past the message */
			continue;
		}
		if (n & 0xc0)
			return NP_INVALID; /* extended label types (RFC 6891 s5): obsolete */
		wire += n + 1u;
		if (++labels > MAX_LABELS || wire > NAME_MAX_WIRE)
			return NP_INVALID;
		if (!np_cur_has(&r, n))
			return NP_TRUNCATED;
		if (sb.len)
			np_sb_ch(&sb, '.');
		put_label(&sb, &r, n);
	}
	if (!sb.len)
		np_sb_lit(&sb, "<Root>");
	*off = jumps ? end : r.off;
	return NP_OK;
}

/* The message's text pool: room for one more string of up to `want` bytes. */
char *np_dns_text_room(struct np_dns *d, size_t want, size_t *cap)
{
	size_t left = sizeof d->text - d->text_len;
	if (left < 2)
		return NULL;
	*cap = left < want ? left : want;
	return d->text + d->text_len;
}

/* Keep a string just written at the pool's end; returns its offset. */
uint16_t np_dns_text_keep(struct np_dns *d)
{
	uint16_t at = d->text_len;
	d->text_len = (uint16_t)(d->text_len + strlen(d->text + at) + 1);
	return at;
}

/* A name into the pool; NP_DNS_NONE and the verdict when it could not be read. */
static enum np_verdict name_to_text(struct np_dns *d, const struct np_cursor *msg, size_t *off,
				    uint16_t *at)
{
	size_t cap;
	char *o = np_dns_text_room(d, 1100, &cap);
	*at = NP_DNS_NONE;
	if (!o)
		return NP_OK; /* no room: the name is not kept */
	enum np_verdict v = np_dns_name(msg, off, o, cap);
	if (v == NP_OK)
		*at = np_dns_text_keep(d);
	return v;
}

/* Data shown as text: an address, a name, or numbers before a name. */
static enum np_verdict rdata_text(struct np_dns *d, struct np_dns_rr *rr,
				  const struct np_cursor *msg, size_t at)
{
	struct np_cursor r;
	size_t cap, off;
	uint16_t u[3] = { 0, 0, 0 }, name;
	unsigned nums = 0;
	char *o;
	if (!seek(msg, at, &r))
		return NP_TRUNCATED;
	switch (rr->type) {
	case 1:  /* A */
	case 28: /* AAAA */
		if (rr->rdlen != (rr->type == 1 ? 4 : 16))
			return NP_INVALID;
		uint8_t a[16];
		if (!np_cur_bytes(&r, a, rr->rdlen))
			return NP_TRUNCATED;
		if (!(o = np_dns_text_room(d, 48, &cap)))
			return NP_OK;
		struct np_sbuf sb = np_sb_make(o, cap);
		if (rr->type == 1)
			np_sb_ip4(&sb, a);
		else
			np_sb_ip6(&sb, a);
		rr->data = np_dns_text_keep(d);
		return NP_OK;
	case 15: /* MX: preference, exchange */
		nums = 1;
		break;
	case 33: /* SRV: priority, weight, port, target */
		nums = 3;
		break;
	case 2: case 3: case 4: case 5: case 6: case 7: case 8: case 9: case 12:
		break; /* NS, MD, MF, CNAME, SOA (its MNAME), MB, MG, MR, PTR: a name */
	case 64: /* SVCB */
	case 65: /* HTTPS */
		return np_dns_svcb(d, rr, msg, at);
	default:
		return NP_OK; /* shown by type only */
	}
	for (unsigned i = 0; i < nums; i++)
		if (!np_cur_u16(&r, &u[i]))
			return NP_TRUNCATED;
	off = r.off;
	enum np_verdict v = name_to_text(d, msg, &off, &name);
	if (v != NP_OK || name == NP_DNS_NONE)
		return v;
	if (off > at + rr->rdlen)
		return NP_INVALID; /* the name runs past the record's data */
	d->text_len = name; /* rewrite it after the numbers */
	char tmp[1100];
	memcpy(tmp, d->text + name, strlen(d->text + name) + 1);
	if (!(o = np_dns_text_room(d, 1100, &cap)))
		return NP_OK;
	struct np_sbuf sb = np_sb_make(o, cap);
	for (unsigned i = 0; i < nums; i++) {
		np_sb_uint(&sb, u[i], 0, ' ');
		np_sb_ch(&sb, ' ');
	}
	np_sb_str(&sb, tmp);
	rr->data = np_dns_text_keep(d);
	return NP_OK;
}

/* One record of section s at *off; false when decoding must stop (problem recorded). */
static enum np_verdict record(struct np_dns *d, const struct np_cursor *msg, size_t *off,
			      uint8_t s)
{
	struct np_dns_rr *rr = &d->rr[d->nrr];
	memset(rr, 0, sizeof *rr);
	rr->section = s;
	rr->data = NP_DNS_NONE;
	enum np_verdict v = name_to_text(d, msg, off, &rr->name);
	if (v != NP_OK)
		return v;
	struct np_cursor r;
	if (!seek(msg, *off, &r))
		return NP_TRUNCATED;
	if (!np_cur_u16(&r, &rr->type) || !np_cur_u16(&r, &rr->cls))
		return NP_TRUNCATED;
	if (s != NP_DNS_QD && (!np_cur_u32(&r, &rr->ttl) || !np_cur_u16(&r, &rr->rdlen)))
		return NP_TRUNCATED;
	*off = r.off;
	d->nrr++;
	if (s == NP_DNS_QD)
		return NP_OK;
	if (!np_cur_has(&r, rr->rdlen))
		return NP_TRUNCATED;
	v = rdata_text(d, rr, msg, *off);
	*off += rr->rdlen;
	return v;
}

/* The header and records of a message in msg (the cursor holds it all, as far as captured). */
static void decode_msg(struct np_cursor *msg, struct np_packet *p, struct np_dns *d)
{
	d->got = (uint16_t)(np_cur_left(msg) < DNS_HDR ? np_cur_left(msg) : DNS_HDR);
	struct np_cursor h = *msg;
	bool ok = np_cur_u16(&h, &d->id) && np_cur_u16(&h, &d->flags);
	for (unsigned i = 0; ok && i < 4; i++)
		ok = np_cur_u16(&h, &d->count[i]);
	/* Cut by the capture, or by the sender (a lying count): truncated or invalid. */
	bool cut = p->frame->caplen < p->frame->len || d->partial;
	if (!ok) {
		if (!d->partial)
			np_problem(p, NP_L_DNS, cut ? NP_TRUNCATED : NP_INVALID, "DNS header cut short");
		return;
	}
	size_t off = DNS_HDR;
	for (uint8_t s = 0; s < 4; s++) {
		for (unsigned i = 0; i < d->count[s]; i++) {
			if (d->nrr == NP_DNS_MAX_RR || sizeof d->text - d->text_len < 64) {
				d->more = true;
				return;
			}
			enum np_verdict v = record(d, msg, &off, s);
			if (v == NP_OK)
				continue;
			if (v == NP_TRUNCATED && d->partial)
				return; /* the rest is in a later segment */
			if (v == NP_TRUNCATED && !cut)
				v = NP_INVALID;
			np_problem(p, NP_L_DNS, v,
				   v == NP_TRUNCATED ? "DNS record cut short"
						     : "DNS record invalid (name, pointer or length)");
			return;
		}
	}
}

static struct np_dns *dns_begin(struct np_packet *p)
{
	struct np_pkt_layer *l = np_pkt_push(p, NP_L_DNS);
	if (!l)
		return NULL;
	struct np_dns *d = &p->app.dns;
	/* Everything but the records and the text, which are written as they are kept. */
	memset(d, 0, offsetof(struct np_dns, rr));
	return d;
}

void np_decode_dns(struct np_cursor *c, struct np_packet *p)
{
	/* A datagram too short for the header (by its UDP length, whatever was captured) is some
	 * other use of the port, or an empty probe: it stays UDP's. */
	const struct np_udp *u = np_pkt_udp(p);
	if (u && u->payload_len < DNS_HDR)
		return;
	struct np_dns *d = dns_begin(p);
	if (!d)
		return;
	struct np_cursor msg = np_cur_rest(c);
	decode_msg(&msg, p, d);
}

/* Over TCP each message has a 2-byte length in front (RFC 1035 s4.2.2). Per segment: a
 * message that goes on past the segment is decoded as far as it goes. */
void np_decode_dns_tcp(struct np_cursor *c, struct np_packet *p)
{
	if (!np_cur_has(c, 1))
		return; /* no data: the segment stays TCP's */
	struct np_dns *d = dns_begin(p);
	if (!d)
		return;
	d->tcp = true;
	if (!np_cur_u16(c, &d->tcp_len)) {
		d->partial = true;
		return;
	}
	struct np_cursor msg;
	d->partial = !np_cur_sub(c, d->tcp_len, &msg);
	decode_msg(&msg, p, d);
}
