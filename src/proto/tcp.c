/* tcp.c - TCP header and options (RFC 9293; window scale and timestamps RFC 7323; SACK RFC 2018). */
#include <string.h>

#include "decode/internal.h"
#include "netprobe/print.h"
#include "netprobe/proto.h"
#include "core/sbuf.h"
#include "print/jw.h"
#include "netprobe/hot.h"
#include "print/payload.h"

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

NP_HOT void np_decode_tcp(struct np_cursor *c, struct np_packet *p)
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
	/* The data, clamped to the segment, to an application unit (dispatch.c). */
	struct np_cursor data;
	if (t->payload_len && (np_cur_sub(c, t->seg_len, &data), np_cur_skip(&data, hlen)) &&
	    np_cur_left(&data))
		np_decode_tcp_payload(&data, p, t->sport, t->dport);
}

/* --- rendering (Wireshark's wording): Info column, -v tree, JSON object --- */

/* Wireshark's expert notes, in the order it prints them before the Info text (also the
 * pcapng comment of -w --format pcapng, np_annot_packet). */
void np_tcp_notes(struct np_sbuf *sb, const struct np_pkt_track *k)
{
	uint16_t a = k->analysis;
	if (a & NP_TA_PREV_LOST)
		np_sb_lit(sb, "[TCP Previous segment not captured] ");
	if (a & NP_TA_SPURIOUS)
		np_sb_lit(sb, "[TCP Spurious Retransmission] ");
	else if (a & NP_TA_FAST_RETRANS)
		np_sb_lit(sb, "[TCP Fast Retransmission] ");
	else if (a & NP_TA_RETRANSMISSION)
		np_sb_lit(sb, "[TCP Retransmission] ");
	if (a & NP_TA_OUT_OF_ORDER)
		np_sb_lit(sb, "[TCP Out-Of-Order] ");
	if (a & NP_TA_KEEPALIVE)
		np_sb_lit(sb, "[TCP Keep-Alive] ");
	if (a & NP_TA_WINDOW_FULL)
		np_sb_lit(sb, "[TCP Window Full] ");
	if (a & NP_TA_ZERO_WINDOW)
		np_sb_lit(sb, "[TCP ZeroWindow] ");
	if (a & NP_TA_WINDOW_UPDATE)
		np_sb_lit(sb, "[TCP Window Update] ");
	if (a & NP_TA_DUP_ACK) {
		np_sb_lit(sb, "[TCP Dup ACK #");
		np_sb_uint(sb, k->dup_num, 0, ' ');
		np_sb_lit(sb, "] ");
	}
}

/* " [FIN, SYN, ...]" as np_fmt_tcp_flags, or " [<None>]". */
static void tcp_flags(struct np_sbuf *sb, uint16_t flags)
{
	np_sb_lit(sb, " [");
	size_t at = sb->len;
	np_sb_tcp_flags(sb, flags);
	if (sb->len == at)
		np_sb_lit(sb, "<None>");
	np_sb_ch(sb, ']');
}

NP_HOT static void info_tcp(struct np_sbuf *sb, const struct np_tcp *t, const struct np_pkt_track *k,
		     bool absolute)
{
	if (t->got < 4) {
		np_sb_lit(sb, "TCP header cut short");
		return;
	}
	bool rel = k && k->tcp && k->rel_valid && !absolute;
	if (k && k->tcp)
		np_tcp_notes(sb, k);
	np_sb_uint(sb, t->sport, 0, ' ');
	np_sb_field(sb, " → ", t->dport);
	if (t->got >= 14)
		tcp_flags(sb, t->flags);
	if (t->got >= 8)
		np_sb_field(sb, " Seq=", rel ? k->rel_seq : t->seq);
	if (t->got >= 12 && (t->flags & NP_TCP_ACK))
		np_sb_field(sb, " Ack=", rel ? k->rel_ack : t->ack);
	if (t->got >= 16)
		np_sb_field(sb, " Win=", k && k->win_scaled_valid ? k->win_scaled : t->win);
	if (t->got >= 20 && (t->flags & NP_TCP_URG))
		np_sb_field(sb, " Urg=", t->urp);
	if (t->got >= 20 && t->doff >= 5 && t->doff * 4u <= t->seg_len)
		np_sb_field(sb, " Len=", t->payload_len);
	for (unsigned i = 0; i < t->nopts; i++) {
		switch (t->opts[i].kind) {
		case 2:
			if (t->has_mss)
				np_sb_field(sb, " MSS=", t->mss);
			break;
		case 3:
			if (t->has_ws && t->ws <= 14)
				np_sb_field(sb, " WS=", 1u << t->ws);
			else if (t->has_ws)
				np_sb_field(sb, " WS=2^", t->ws);
			break;
		case 4:
			np_sb_lit(sb, " SACK_PERM");
			break;
		case 5:
			for (unsigned s = 0; s < t->nsack; s++) {
				uint32_t base = rel ? k->sack_base : 0;
				np_sb_field(sb, " SLE=", (uint32_t)(t->sack[s][0] - base));
				np_sb_field(sb, " SRE=", (uint32_t)(t->sack[s][1] - base));
			}
			break;
		case 8:
			if (t->has_ts) {
				np_sb_field(sb, " TSval=", t->tsval);
				np_sb_field(sb, " TSecr=", t->tsecr);
			}
			break;
		default:
			break;
		}
	}
}

/* base: the receiver's relative sequence base (the peer's ISN) when the view is relative,
 * else 0; relative SACK edges are marked, as Wireshark marks them. */
static void tree_tcp_options(FILE *o, const struct np_tcp *t, bool rel, uint32_t base)
{
	if (!t->nopts && !t->opts_bad)
		return;
	fprintf(o, NP_I1 "Options: (%u bytes)%s\n", t->doff * 4u - 20u, t->opts_bad ? " [malformed]" : "");
	for (unsigned i = 0; i < t->nopts; i++) {
		const struct np_tcp_opt *op = &t->opts[i];
		switch (op->kind) {
		case 0: fprintf(o, NP_I2 "End of Option List (EOL)\n"); break;
		case 1: fprintf(o, NP_I2 "No-Operation (NOP)\n"); break;
		case 2:
			if (t->has_mss) fprintf(o, NP_I2 "Maximum segment size: %u bytes\n", t->mss);
			else fprintf(o, NP_I2 "Maximum segment size: length %u [malformed]\n", op->len);
			break;
		case 3:
			if (t->has_ws) fprintf(o, NP_I2 "Window scale: %u (multiply by %u)\n", t->ws, t->ws <= 14 ? 1u << t->ws : 0u);
			else fprintf(o, NP_I2 "Window scale: length %u [malformed]\n", op->len);
			break;
		case 4: fprintf(o, NP_I2 "SACK permitted\n"); break;
		case 5:
			fprintf(o, NP_I2 "SACK%s:", rel ? " (relative)" : "");
			for (unsigned s = 0; s < t->nsack; s++)
				fprintf(o, "%s %u-%u (%u bytes)", s ? "," : "", t->sack[s][0] - base,
					t->sack[s][1] - base, t->sack[s][1] - t->sack[s][0]);
			fprintf(o, "%s\n", t->nsack ? "" : " [malformed]");
			break;
		case 8:
			if (t->has_ts) fprintf(o, NP_I2 "Timestamps: TSval %u, TSecr %u\n", t->tsval, t->tsecr);
			else fprintf(o, NP_I2 "Timestamps: length %u [malformed]\n", op->len);
			break;
		default: {
			const char *n = np_tcp_opt_name(op->kind);
			fprintf(o, NP_I2 "Option kind %u%s%s%s, %u bytes\n", op->kind, n ? " (" : "", n ? n : "",
				n ? ")" : "", op->len);
			break;
		}
		}
	}
}

static void tree_tcp(FILE *o, const struct np_pkt_layer *layer, const struct np_view *v)
{
	const struct np_tcp *t = &layer->tcp;
	const struct np_pkt_track *k = v->trk;
	bool rel = k && k->tcp && k->rel_valid && !v->absolute;
	if (t->got >= 4)
		fprintf(o, "Transmission Control Protocol, Src Port: %u, Dst Port: %u", t->sport, t->dport);
	else
		fprintf(o, "Transmission Control Protocol");
	if (t->got >= 8)
		fprintf(o, ", Seq: %u", rel ? k->rel_seq : t->seq);
	if (t->got >= 12 && (t->flags & NP_TCP_ACK))
		fprintf(o, ", Ack: %u", rel ? k->rel_ack : t->ack);
	if (t->got >= 20 && t->doff * 4u <= t->seg_len && t->doff >= 5)
		fprintf(o, ", Len: %u", t->payload_len);
	fprintf(o, "\n");
	if (t->got >= 4)
		fprintf(o, NP_I1 "Source Port: %u\n" NP_I1 "Destination Port: %u\n", t->sport, t->dport);
	if (k && k->tcp)
		fprintf(o, NP_I1 "[Conversation: %u]\n", k->conv);
	if (t->got >= 8 && rel)
		fprintf(o, NP_I1 "Sequence Number: %u (relative sequence number)\n", k->rel_seq);
	if (t->got >= 8)
		fprintf(o, NP_I1 "Sequence Number (raw): %u\n", t->seq);
	if (t->got >= 12 && rel && (t->flags & NP_TCP_ACK))
		fprintf(o, NP_I1 "Acknowledgment Number: %u (relative ack number)\n", k->rel_ack);
	if (t->got >= 12)
		fprintf(o, NP_I1 "Acknowledgment Number (raw): %u\n", t->ack);
	if (t->got >= 14) {
		char flags[64];
		if (np_fmt_tcp_flags(t->flags, flags, sizeof flags) == 0)
			snprintf(flags, sizeof flags, "none");
		fprintf(o, NP_I1 "Header Length: %u bytes (%u)\n", t->doff * 4u, t->doff);
		fprintf(o, NP_I1 "Flags: 0x%03x (%s)\n", t->flags, flags);
	}
	if (t->got >= 16)
		fprintf(o, NP_I1 "Window: %u\n", t->win);
	if (t->got >= 16 && k && k->win_scaled_valid && k->win_scaled != t->win)
		fprintf(o, NP_I1 "[Calculated window size: %u]\n", k->win_scaled);
	if (t->got >= 18)
		np_tree_csum(o, NP_I1, "Checksum", t->csum, t->csum_status, t->csum_good);
	if (t->got >= 20)
		fprintf(o, NP_I1 "Urgent Pointer: %u\n", t->urp);
	tree_tcp_options(o, t, rel, rel ? k->sack_base : 0);
	if (t->payload_len)
		np_payload_tree_line(o, "TCP", v->p, layer, t->payload_len);
	if (k && k->tcp) {
		fprintf(o, NP_I1 "[States after this segment: client %s, server %s]\n",
			np_tcp_state_name(k->state[0]), np_tcp_state_name(k->state[1]));
		static const struct { uint16_t bit; const char *text; } notes[] = {
			{ NP_TA_RETRANSMISSION, "retransmission" }, { NP_TA_FAST_RETRANS, "fast retransmission" },
			{ NP_TA_SPURIOUS, "spurious retransmission (data already acknowledged)" },
			{ NP_TA_SACKED, "the receiver had SACKed these bytes" },
			{ NP_TA_OUT_OF_ORDER, "out of order" }, { NP_TA_DUP_ACK, "duplicate ACK" },
			{ NP_TA_ZERO_WINDOW, "zero window" }, { NP_TA_WINDOW_FULL, "window full" },
			{ NP_TA_KEEPALIVE, "keep-alive" }, { NP_TA_PREV_LOST, "previous segment not captured" },
			{ NP_TA_WINDOW_UPDATE, "window update" },
		};
		for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++)
			if (k->analysis & notes[i].bit)
				fprintf(o, NP_I1 "[Analysis: %s]\n", notes[i].text);
	}
}

NP_HOT static void json_tcp_opts(struct np_jw *restrict w, const struct np_tcp *t)
{
	OPEN(w, "opts");
	if (t->has_mss)
		NUM(w, "mss", t->mss);
	if (t->has_ws)
		NUM(w, "ws", t->ws);
	if (t->sack_perm)
		BOOL(w, "sack_perm", true);
	if (t->has_ts) {
		KEY(w, "ts");
		*w->p++ = '[';
		put_uint(w, t->tsval, 0);
		*w->p++ = ',';
		put_uint(w, t->tsecr, 0);
		*w->p++ = ']';
	}
	if (t->nsack) {
		KEY(w, "sack");
		*w->p++ = '[';
		for (unsigned i = 0; i < t->nsack; i++) {
			room(w, 32);
			if (i)
				*w->p++ = ',';
			*w->p++ = '[';
			put_uint(w, t->sack[i][0], 0);
			*w->p++ = ',';
			put_uint(w, t->sack[i][1], 0);
			*w->p++ = ']';
		}
		ch(w, ']');
	}
	bool any = false;
	for (unsigned i = 0; i < t->nopts; i++) {
		uint8_t k = t->opts[i].kind;
		if (k == 0 || k == 1 || k == 2 || k == 3 || k == 4 || k == 5 || k == 8)
			continue;
		if (!any)
			KEY(w, "other");
		list_uint(w, !any, k);
		any = true;
	}
	if (any)
		ch(w, ']');
	if (t->opts_bad)
		BOOL(w, "malformed", true);
	close_obj(w);
}

NP_HOT static void json_tcp(struct np_jw *restrict w, const struct np_tcp *t, const struct np_pkt_track *k)
{
	bool tracked = k && k->tcp;
	OPEN(w, "tcp");
	if (tracked)
		NUM(w, "conv", k->conv);
	if (t->got >= 4) {
		NUM(w, "sport", t->sport);
		NUM(w, "dport", t->dport);
	}
	if (t->got >= 8)
		NUM(w, "seq", t->seq);
	if (t->got >= 12)
		NUM(w, "ack", t->ack);
	if (tracked && k->rel_valid) {
		NUM(w, "rel_seq", k->rel_seq);
		if (t->flags & NP_TCP_ACK)
			NUM(w, "rel_ack", k->rel_ack);
	}
	if (t->got >= 14) {
		NUM(w, "flags", t->flags);
		KEY(w, "flag_names");
		list_names_open(w);
		/* The set bits from the lowest up, as far as the bits have names. */
		bool any = false;
		for (unsigned f = t->flags; f; f &= f - 1) {
			const char *name = np_tcp_flag_name((unsigned)__builtin_ctz(f));
			if (!name)
				break;
			list_name(w, !any, name);
			any = true;
		}
		ch(w, ']');
		NUM(w, "hdr_len", t->doff * 4u);
	}
	if (t->got >= 16)
		NUM(w, "win", t->win);
	if (tracked && k->win_scaled_valid)
		NUM(w, "win_scaled", k->win_scaled);
	if (tracked && k->analysis) {
		static const struct { uint16_t bit; const char *name; } notes[] = {
			{ NP_TA_RETRANSMISSION, "retransmission" }, { NP_TA_FAST_RETRANS, "fast_retransmission" },
			{ NP_TA_SPURIOUS, "spurious_retransmission" }, { NP_TA_OUT_OF_ORDER, "out_of_order" },
			{ NP_TA_DUP_ACK, "dup_ack" }, { NP_TA_ZERO_WINDOW, "zero_window" },
			{ NP_TA_WINDOW_FULL, "window_full" }, { NP_TA_KEEPALIVE, "keep_alive" },
			{ NP_TA_PREV_LOST, "previous_segment_not_captured" },
			{ NP_TA_WINDOW_UPDATE, "window_update" }, { NP_TA_SACKED, "sacked" },
		};
		KEY(w, "analysis");
		list_names_open(w);
		bool any = false;
		for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++) {
			if (k->analysis & notes[i].bit) {
				list_name(w, !any, notes[i].name);
				any = true;
			}
		}
		ch(w, ']');
	}
	if (t->got >= 18)
		json_csum(w, t->csum, t->csum_status);
	if (t->got >= 20) {
		NUM(w, "urp", t->urp);
		if (t->doff >= 5 && t->doff * 4u <= t->seg_len)
			NUM(w, "len", t->payload_len);
		json_tcp_opts(w, t);
	}
	close_obj(w);
}

NP_HOT static void tcp_info(struct np_sbuf *sb, const struct np_pkt_layer *l, const struct np_view *v)
{
	const struct np_pdu *u = &v->p->pdu;
	if (u->state == NP_PDU_SEGMENT && ((u->kind == NP_L_TLS && u->first) || u->line[0])) {
		/* Wireshark's TLS clears the column; its HTTP writes the start line first */
		if (v->trk && v->trk->tcp && u->kind == NP_L_TLS)
			np_tcp_notes(sb, v->trk);
		if (u->line[0]) {
			np_sb_str(sb, u->line);
			np_sb_lit(sb, "  ");
		}
		np_sb_lit(sb, "[TCP segment of a reassembled PDU]");
		return;
	}
	info_tcp(sb, &l->tcp, v->trk, v->absolute);
	if (u->state == NP_PDU_SEGMENT)
		np_sb_lit(sb, " [TCP segment of a reassembled PDU]");
}

static void tcp_tree(FILE *o, const struct np_pkt_layer *l, const struct np_view *v)
{
	tree_tcp(o, l, v);
}

NP_HOT static unsigned tcp_json(struct np_jw *restrict w, const struct np_pkt_layer *l, const struct np_view *v)
{
	json_tcp(w, &l->tcp, v->trk);
	return 0;
}

const struct np_unit np_unit_tcp = {
	.kind = NP_L_TCP,
	.key = "tcp",
	.title = "Transmission Control Protocol",
	.proto = "TCP",
	.csum_at = NP_CSUM_AT(tcp.csum_status),
	.info = tcp_info,
	.tree = tcp_tree,
	.json = tcp_json,
};
