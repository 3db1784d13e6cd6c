/* tcp.c - TCP header and options (RFC 9293; window scale and timestamps RFC 7323; SACK RFC 2018). */
#include <string.h>

#include "decode/internal.h"

#define TCP_MIN_HDR 20

/* Expected total length of the options we interpret; 0 = any. */
static uint8_t known_len(uint8_t kind)
{
	switch (kind) {
	case 2: return 4;  /* MSS */
	case 3: return 3;  /* window scale */
	case 4: return 2;  /* SACK permitted */
	case 8: return 10; /* timestamps */
	default: return 0;
	}
}

static void take_option(struct np_tcp *t, uint8_t kind, uint8_t len, struct np_cursor *v)
{
	switch (kind) {
	case 2:
		t->has_mss = np_cur_u16(v, &t->mss);
		break;
	case 3:
		t->has_ws = np_cur_u8(v, &t->ws);
		break;
	case 4:
		t->sack_perm = true;
		break;
	case 5:
		for (unsigned i = 0; i < (len - 2u) / 8 && t->nsack < NP_MAX_SACK; i++) {
			if (!np_cur_u32(v, &t->sack[t->nsack][0]) || !np_cur_u32(v, &t->sack[t->nsack][1]))
				break;
			t->nsack++;
		}
		break;
	case 8:
		t->has_ts = np_cur_u32(v, &t->tsval) && np_cur_u32(v, &t->tsecr);
		break;
	default:
		break;
	}
}

/* `o` holds what was captured of `declared` option bytes (the data offset's). An option that runs
 * past the capture but not past the header is cut short (reported as truncated already), not
 * wrong: only the data offset can make an option length invalid. */
static void decode_options(struct np_cursor *o, size_t declared, struct np_packet *p)
{
	struct np_tcp *t = &np_pkt_top(p)->tcp;
	uint8_t kind, len;
	while (np_cur_left(o) > 0) {
		uint16_t off = (uint16_t)(TCP_MIN_HDR + o->off);
		np_cur_u8(o, &kind);
		if (kind == 0 || kind == 1) { /* EOL, NOP */
			if (t->nopts < NP_MAX_TCP_OPTS)
				t->opts[t->nopts++] = (struct np_tcp_opt){ kind, 1, off };
			if (kind == 0)
				return;
			continue;
		}
		if (!np_cur_u8(o, &len)) {
			if (o->off < declared)
				return; /* the capture ended inside the header */
			len = 0;
		}
		if (len < 2 || (size_t)len - 2 > declared - o->off) {
			t->opts_bad = true;
			np_problem(p, NP_L_TCP, NP_INVALID, "TCP option length wrong");
			return;
		}
		if (np_cur_left(o) < (size_t)len - 2)
			return; /* the capture ended inside the option */
		struct np_cursor v;
		np_cur_sub(o, (size_t)len - 2, &v);
		np_cur_skip(o, (size_t)len - 2);
		uint8_t want = known_len(kind);
		bool sack_ok = kind != 5 || (len >= 10 && (len - 2) % 8 == 0);
		if ((want && len != want) || !sack_ok) {
			t->opts_bad = true;
			np_problem(p, NP_L_TCP, NP_INVALID, "TCP option length wrong");
		} else {
			take_option(t, kind, len, &v);
		}
		if (t->nopts < NP_MAX_TCP_OPTS)
			t->opts[t->nopts++] = (struct np_tcp_opt){ kind, len, off };
	}
}

void np_decode_tcp(struct np_cursor *c, struct np_packet *p)
{
	struct np_pkt_layer *l = np_pkt_push(p, NP_L_TCP);
	if (!l)
		return;
	struct np_tcp *t = &l->tcp;
	memset(t, 0, sizeof *t);
	size_t avail = np_cur_left(c);
	t->got = (uint16_t)(avail < TCP_MIN_HDR ? avail : TCP_MIN_HDR);
	t->seg_len = p->l4_len;

	struct np_cursor h = *c;
	uint8_t off_byte = 0, flag_byte = 0;
	if (!np_cur_u16(&h, &t->sport) || !np_cur_u16(&h, &t->dport) || !np_cur_u32(&h, &t->seq) ||
	    !np_cur_u32(&h, &t->ack) || !np_cur_u8(&h, &off_byte) || !np_cur_u8(&h, &flag_byte) ||
	    !np_cur_u16(&h, &t->win) || !np_cur_u16(&h, &t->csum) || !np_cur_u16(&h, &t->urp)) {
		/* Keep what was read: data offset and flags are useful even if the rest is gone. */
		if (t->got >= 14) {
			t->doff = off_byte >> 4;
			t->flags = (uint16_t)(((off_byte & 0x0f) << 8) | flag_byte);
		}
		np_problem(p, NP_L_TCP, NP_TRUNCATED, "TCP header cut short");
		return;
	}
	t->doff = off_byte >> 4;
	t->flags = (uint16_t)(((off_byte & 0x0f) << 8) | flag_byte);
	uint32_t hlen = t->doff * 4u;
	if (hlen < TCP_MIN_HDR) {
		np_problem(p, NP_L_TCP, NP_INVALID, "TCP data offset below 20 bytes");
		return;
	}
	if (hlen > t->seg_len) {
		np_problem(p, NP_L_TCP, NP_INVALID, "TCP data offset past the end of the segment");
		return;
	}
	t->payload_len = t->seg_len - hlen;
	p->payload_off = p->l4_off + hlen;

	struct np_cursor hdr, opts;
	if (!np_cur_sub(c, hlen, &hdr))
		np_problem(p, NP_L_TCP, NP_TRUNCATED, "TCP options cut short");
	np_cur_skip(&hdr, TCP_MIN_HDR);
	opts = np_cur_rest(&hdr);
	decode_options(&opts, hlen - TCP_MIN_HDR, p);

	t->csum_status = np_l4_csum(p, c, 6, t->seg_len, t->csum, &t->csum_good);
}
