/* event.c - tracker events as lines set apart from the packet list ("⇒"), and the end-of-run
 * summary in the manner of `tshark -z conv,tcp`, shortened to what is read at a glance. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "netprobe/print.h"
#include "core/sbuf.h"
#include "payload.h"

size_t np_fmt_endpoint(const struct np_endpoint *ep, char *buf, size_t cap)
{
	/* "[%s]:%u" for IPv6, "%s:%u" otherwise, with snprintf's contract: cut to cap, the
	 * whole length returned. */
	char tmp[NP_ADDR_STRLEN + 16];
	struct np_sbuf sb = np_sb_make(tmp, sizeof tmp);
	if (ep->ver == 6) {
		np_sb_ch(&sb, '[');
		np_sb_ip6(&sb, ep->addr);
		np_sb_ch(&sb, ']');
	} else {
		np_sb_ip4(&sb, ep->addr);
	}
	np_sb_ch(&sb, ':');
	np_sb_uint(&sb, ep->port, 0, ' ');
	if (cap) {
		size_t n = sb.len < cap - 1 ? sb.len : cap - 1;
		memcpy(buf, tmp, n);
		buf[n] = '\0';
	}
	return sb.len;
}

bool np_fmt_tunnel(struct np_sbuf *sb, const struct np_tunnel_ref *tun)
{
	switch (tun->kind) {
	case NP_L_VXLAN: np_sb_lit(sb, "VXLAN "); break;
	case NP_L_GENEVE: np_sb_lit(sb, "Geneve "); break;
	case NP_L_GRE: np_sb_lit(sb, "GRE key "); break;
	case NP_L_GTP: np_sb_lit(sb, "GTP-U TEID "); break;
	default: return false;
	}
	np_sb_uint(sb, tun->id, 0, ' ');
	return true;
}

/* "s" unless there is exactly one: "1 packet", "2 packets", "0 packets". */
static const char *plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

static void fmt_bytes(struct np_sbuf *sb, uint64_t b)
{
	if (b < 10000)
		np_sb_printf(sb, "%" PRIu64 " B", b);
	else if (b < 10000000)
		np_sb_printf(sb, "%.1f kB", (double)b / 1e3);
	else
		np_sb_printf(sb, "%.1f MB", (double)b / 1e6);
}

static void fmt_flood(struct np_sbuf *sb, const struct np_event *ev)
{
	/* The target in its tunnel: "10.1.0.2:80 in VXLAN 42" (the same address in another VNI
	 * is another host). */
	char ep[64], t[96];
	np_fmt_endpoint(&ev->flood.target, ep, sizeof ep);
	struct np_sbuf ts = np_sb_make(t, sizeof t);
	np_sb_str(&ts, ep);
	struct np_sbuf tun = ts;
	np_sb_lit(&tun, " in ");
	if (np_fmt_tunnel(&tun, &ev->flood.tunnel))
		ts = tun;
	t[ts.len] = '\0';
	switch (ev->flood.phase) {
	case NP_FLOOD_START:
		np_sb_printf(sb, "SYN FLOOD started against %s: %.0f SYN/s, %" PRIu64
				 " half-open, ~%" PRIu64 " source%s",
			     t, ev->flood.syn_rate, ev->flood.half_open, ev->flood.sources,
			     plural(ev->flood.sources));
		break;
	case NP_FLOOD_UPDATE:
		np_sb_printf(sb, "SYN flood against %s going on for %.1f s: %.0f SYN/s, %" PRIu64
				 " half-open, ~%" PRIu64 " source%s",
			     t, ev->flood.duration_s, ev->flood.syn_rate, ev->flood.half_open,
			     ev->flood.sources, plural(ev->flood.sources));
		break;
	case NP_FLOOD_END:
		np_sb_printf(sb, "SYN flood against %s ended after %.1f s: %" PRIu64
				 " SYN%s (peak %.0f/s), answered by %" PRIu64 " SYN/ACK and %" PRIu64
				 " RST; %" PRIu64 " connection event%s not shown",
			     t, ev->flood.duration_s, ev->flood.syns, plural(ev->flood.syns),
			     ev->flood.peak_rate, ev->flood.synacks, ev->flood.rsts,
			     ev->flood.suppressed, plural(ev->flood.suppressed));
		break;
	}
}

/* A reset's accounting: "; 3.004 ms, 18 B →, 18 B ←" and the data still in flight each way
 * ("; 5.4 kB from the client unacknowledged"). */
static void reset_text(struct np_sbuf *sb, const struct np_event *ev)
{
	np_sb_printf(sb, "; %.3f ms, ", ev->rst.duration_ms);
	fmt_bytes(sb, ev->rst.bytes[0]);
	np_sb_lit(sb, " →, ");
	fmt_bytes(sb, ev->rst.bytes[1]);
	np_sb_lit(sb, " ←");
	for (int i = 0; i < 2; i++) {
		if (!ev->rst.unacked[i])
			continue;
		np_sb_lit(sb, "; ");
		fmt_bytes(sb, ev->rst.unacked[i]);
		np_sb_printf(sb, " from the %s unacknowledged", np_side_name((enum np_side)i));
	}
}

/* "CLIENT → SERVER", the endpoints already formatted. */
static void conv_pair(struct np_sbuf *sb, const char *c, const char *s)
{
	np_sb_str(sb, c);
	np_sb_lit(sb, " → ");
	np_sb_str(sb, s);
}

/* A handshake's times and what the two sides agreed on (MSS, window scaling, SACK, TS). */
static void handshake_text(struct np_sbuf *sb, const struct np_event *ev)
{
	if (ev->hs.syn_synack_ms >= 0)
		np_sb_printf(sb, " SYN→SYN/ACK %.3f ms,", ev->hs.syn_synack_ms);
	np_sb_printf(sb, " SYN/ACK→ACK %.3f ms;", ev->hs.synack_ack_ms);
	np_sb_lit(sb, " MSS ");
	np_sb_uint(sb, ev->hs.mss[0], 0, ' ');
	np_sb_ch(sb, '/');
	np_sb_uint(sb, ev->hs.mss[1], 0, ' ');
	if (ev->hs.ws[0] >= 0 && ev->hs.ws[1] >= 0) {
		np_sb_lit(sb, ", WS ");
		np_sb_uint(sb, 1u << ev->hs.ws[0], 0, ' ');
		np_sb_ch(sb, '/');
		np_sb_uint(sb, 1u << ev->hs.ws[1], 0, ' ');
	} else {
		np_sb_lit(sb, ", no window scaling");
	}
	if (ev->hs.sack)
		np_sb_lit(sb, ", SACK");
	if (ev->hs.ts)
		np_sb_lit(sb, ", TS");
}

void np_fmt_event(struct np_sbuf *sb, const struct np_event *ev)
{
	char c[64], s[64];
	if (ev->kind == NP_EV_SYN_FLOOD) {
		fmt_flood(sb, ev);
		return;
	}
	np_fmt_endpoint(&ev->client, c, sizeof c);
	np_fmt_endpoint(&ev->server, s, sizeof s);
	np_sb_ch(sb, '#');
	np_sb_uint(sb, ev->conv, 0, ' ');
	np_sb_ch(sb, ' ');
	switch (ev->kind) {
	case NP_EV_HANDSHAKE:
		np_sb_lit(sb, "handshake ");
		conv_pair(sb, c, s);
		np_sb_ch(sb, ':');
		handshake_text(sb, ev);
		break;
	case NP_EV_REFUSED:
		np_sb_lit(sb, "refused ");
		conv_pair(sb, c, s);
		np_sb_lit(sb, ": SYN answered by RST");
		break;
	case NP_EV_SYN_UNANSWERED:
		np_sb_printf(sb, "SYN unanswered %s → %s: %u SYN%s, no reply%s", c, s,
			     ev->unanswered.syns, plural(ev->unanswered.syns),
			     ev->n ? ", given up" : " by the end of the capture");
		break;
	case NP_EV_TEARDOWN:
		np_sb_printf(sb, "teardown %s → %s: closed by %s%s, TIME-WAIT on %s; %.3f ms, ", c, s,
			     np_side_name(ev->td.closed_by),
			     ev->td.closed_by == NP_BOTH ? " (simultaneous close)" : "",
			     np_side_name(ev->td.time_wait), ev->td.duration_ms);
		fmt_bytes(sb, ev->td.bytes[0]);
		np_sb_printf(sb, " →, ");
		fmt_bytes(sb, ev->td.bytes[1]);
		np_sb_printf(sb, " ←%s", ev->td.half_close ? "; half-close: data after the first FIN" : "");
		break;
	case NP_EV_RESET:
		np_sb_lit(sb, "reset ");
		conv_pair(sb, c, s);
		np_sb_lit(sb, " by the ");
		np_sb_str(sb, np_side_name(ev->side));
		if (ev->rst.lone)
			np_sb_lit(sb, ": lone RST, no segment of its connection seen");
		else
			reset_text(sb, ev);
		break;
	case NP_EV_STATE:
		np_sb_str(sb, np_side_name(ev->side));
		np_sb_ch(sb, ' ');
		np_sb_str(sb, np_tcp_state_name(ev->st.from));
		np_sb_lit(sb, " → ");
		np_sb_str(sb, np_tcp_state_name(ev->st.to));
		break;
	case NP_EV_DUP_ACK:
		np_sb_printf(sb, "duplicate ACK #%u from the %s", ev->dup.num, np_side_name(ev->side));
		break;
	default:
		np_sb_printf(sb, "%s from the %s", np_event_kind_name(ev->kind), np_side_name(ev->side));
		break;
	}
	if (ev->midstream && (ev->kind == NP_EV_TEARDOWN || (ev->kind == NP_EV_RESET && !ev->rst.lone)))
		np_sb_printf(sb, " (capture started mid-connection: roles guessed)");
}

/* The --ladder diagram: client on the left, server on the right, one arrow per segment with
 * its flags, relative numbers and length, the time on the left and each side's new state.
 * Around the arrows: "%10s  %-12s|" before and "|  %s" with the longest state name
 * (SYN-RECEIVED, 12) after, 40 columns; the arrows take the rest of ctx->ladder_width (46 at
 * the default 86), so that no state name is ever broken across lines on a narrow terminal. */
#define LADDER_FRAME 40
#define LADDER_SPAN_MAX (NP_LADDER_WIDTH_MAX - LADDER_FRAME)

static size_t ladder_span(const struct np_print_ctx *ctx)
{
	unsigned w = ctx->ladder_width;
	if (w < NP_LADDER_WIDTH_MIN || w > NP_LADDER_WIDTH_MAX)
		w = NP_LADDER_WIDTH_DEFAULT;
	return w - LADDER_FRAME;
}

/* A data arrow's label ends with the first payload bytes, quoted ("Hello, dog!"), as many as
 * the room left allows (at least 3 of them, or all when fewer), and a blank if it fits; the
 * snippet is ASCII (its ellipsis the one wider character), so *cols counts the columns. */
static size_t ladder_snippet(char *label, size_t cap, size_t n, const struct np_ladder_seg *s,
			     size_t room, size_t *cols)
{
	*cols = n;
	if (!s->nsnip || n == 0 || n >= room || n + 1 >= cap)
		return n;
	size_t avail = room - n, want = s->nsnip < 3 ? s->nsnip : 3;
	char tmp[4 * NP_LADDER_SNIP + 8];
	struct np_sbuf sb = np_sb_make(tmp, sizeof tmp);
	if (np_payload_snippet(&sb, s->snip, want, s->len, SIZE_MAX, false) > avail)
		return n; /* not even the first bytes fit */
	/* The whole snippet may touch the arrow's head; a cut one keeps a blank before it. */
	sb = np_sb_make(tmp, sizeof tmp);
	size_t w = np_payload_snippet(&sb, s->snip, s->nsnip, s->len, SIZE_MAX, false);
	if (w > avail || s->nsnip < s->len) {
		sb = np_sb_make(tmp, sizeof tmp);
		w = np_payload_snippet(&sb, s->snip, s->nsnip, s->len, avail - 1, false);
		if (!w)
			return n;
	}
	struct np_sbuf out = { label, cap, n };
	np_sb_mem(&out, tmp, sb.len);
	*cols = n + w;
	if (*cols < room) { /* a blank before the arrow's shaft, room allowing */
		np_sb_ch(&out, ' ');
		++*cols;
	}
	return out.len;
}

/* The arrow's label: " FLAGS seq=S ack=A len=L NOTE ". When it does not fit in `room`
 * columns (a narrow --width), the short form: flags without the blanks after their commas and
 * no "len=0"; if even that does not fit, it is cut. Then the payload snippet, room allowing;
 * *cols: the label's columns (its bytes but for the snippet's ellipsis). */
static size_t ladder_label(char *label, size_t cap, const struct np_ladder_seg *s, size_t room,
			   size_t *cols)
{
	char flags[64];
	if (np_fmt_tcp_flags(s->flags, flags, sizeof flags) == 0)
		snprintf(flags, sizeof flags, "none");
	const char *note = (s->analysis & NP_TA_RETRANSMISSION) ? " (retrans)"
			   : (s->analysis & NP_TA_DUP_ACK)       ? " (dup ack)"
			   : (s->analysis & NP_TA_OUT_OF_ORDER)  ? " (out of order)"
								 : "";
	char ack[24] = "", len[24] = "";
	if (s->flags & NP_TCP_ACK)
		snprintf(ack, sizeof ack, " ack=%u", s->rel_ack);
	snprintf(len, sizeof len, " len=%u", s->len);
	int n = snprintf(label, cap, " %s seq=%u%s%s%s ", flags, s->rel_seq, ack, len, note);
	if (n > 0 && (size_t)n > room) {
		char *w = flags;
		for (const char *r = flags; *r; r++)
			if (!(*r == ' ' && r > flags && r[-1] == ','))
				*w++ = *r;
		*w = '\0';
		n = snprintf(label, cap, " %s seq=%u%s%s%s ", flags, s->rel_seq, ack, s->len ? len : "",
			     note);
	}
	size_t llen = n > 0 ? (size_t)n : 0;
	if (llen >= cap)
		llen = cap - 1;
	if (llen > room)
		llen = room;
	*cols = llen;
	if (llen && label[llen - 1] == ' ') /* not cut: the snippet after its closing blank */
		return ladder_snippet(label, cap, llen, s, room, cols);
	return llen;
}

static void ladder_arrow(char *out, size_t cap, const struct np_ladder_seg *s, size_t span)
{
	char label[256];
	size_t cols, llen = ladder_label(label, sizeof label, s, span - 4, &cols);
	/* Client to server: "--label---->"; server to client: "<--label----". */
	struct np_sbuf sb = np_sb_make(out, cap);
	np_sb_str(&sb, s->from == NP_CLIENT ? "--" : "<-");
	np_sb_mem(&sb, label, llen);
	np_sb_pad(&sb, span - 3 - cols, '-');
	np_sb_ch(&sb, s->from == NP_CLIENT ? '>' : '-');
}

static void print_ladder(struct np_print_ctx *ctx, const struct np_event *ev)
{
	const struct np_ladder *l = ev->ladder;
	char c[64], s[64], arrow[LADDER_SPAN_MAX + 16];
	int span = (int)ladder_span(ctx);
	np_fmt_endpoint(&ev->client, c, sizeof c);
	np_fmt_endpoint(&ev->server, s, sizeof s);
	FILE *o = ctx->out;
	/* The mid-connection note on a line of its own when the heading would be wider than the
	 * diagram. */
	static const char mid[] = "(capture started mid-connection: roles guessed)";
	int head = fprintf(o, "\n#%u ladder: client %s, server %s", ev->conv, c, s) - 1;
	if (ev->midstream)
		fprintf(o, "%s%s", head + 1 + (int)strlen(mid) > span + LADDER_FRAME ? "\n" : " ", mid);
	fputc('\n', o);
	fprintf(o, "%10s  %-12s|%*s|  %s\n", "time ms", "client", span, "", "server");
	if (l->nsegs) {
		const struct np_ladder_seg *f = &l->segs[0];
		/* Where each side stood before the first segment. */
		enum np_tcp_state c0 = f->from == NP_CLIENT && f->flags == NP_TCP_SYN ? NP_ST_CLOSED : f->state[0];
		enum np_tcp_state s0 = f->state[1] == NP_ST_ESTABLISHED ? NP_ST_ESTABLISHED : NP_ST_CLOSED;
		fprintf(o, "%10s  %-12s|%*s|  %s\n", "", np_tcp_state_name(c0), span, "",
			np_tcp_state_name(s0));
	}
	for (uint32_t i = 0; i < l->nsegs; i++) {
		const struct np_ladder_seg *g = &l->segs[i];
		ladder_arrow(arrow, sizeof arrow, g, (size_t)span);
		fprintf(o, "%10.3f  %-12s|%s|", (double)g->us / 1000.0,
			(g->changed & 1) ? np_tcp_state_name(g->state[0]) : "", arrow);
		if (g->changed & 2)
			fprintf(o, "  %s", np_tcp_state_name(g->state[1]));
		fputc('\n', o);
	}
	if (l->omitted)
		fprintf(o, "%10s  %-12s|%*s|\n%10s  ... %" PRIu64 " more segment%s not drawn\n", "", "",
			span, "", "", l->omitted, plural(l->omitted));
	fputc('\n', o);
}

void np_print_event_frame(struct np_print_ctx *ctx, const struct np_frame *f)
{
	if (ctx->have_first)
		return;
	ctx->have_first = true;
	ctx->first_sec = ctx->prev_sec = f->ts_sec;
	ctx->first_usec = ctx->prev_usec = f->ts_usec;
}

void np_print_event(struct np_print_ctx *ctx, const struct np_event *ev)
{
	if (ev->kind == NP_EV_LADDER) {
		print_ladder(ctx, ev);
		return;
	}
	/* "%s%5" PRIu64 " %10s ⇒ %s%s\n" (with --events) or "%s%16s ⇒ %s%s\n" of colour, number,
	 * time, the event text (at most 511 bytes) and colour reset, in one buffer and one write,
	 * as the packet lines. */
	char line[1024], ts[64];
	struct np_sbuf sb = np_sb_make(line, sizeof line);
	if (ctx->color)
		np_sb_str(&sb, ev->kind == NP_EV_SYN_FLOOD ? "\033[1;31m" : "\033[1;33m");
	if (ctx->event_numbers) {
		struct np_frame f = { .ts_sec = ev->ts_sec, .ts_usec = ev->ts_usec };
		size_t n = np_format_time(ctx, &f, ts, sizeof ts);
		/* Events at the end of the capture belong to no frame (JSON says "n":0): a
		 * marker, not a frame number that does not exist. */
		if (ev->n)
			np_sb_uint(&sb, ev->n, 5, ' ');
		else
			np_sb_lit(&sb, "  end");
		np_sb_ch(&sb, ' ');
		np_sb_rjust(&sb, ts, n, 10);
	} else {
		np_sb_pad(&sb, 16, ' ');
	}
	np_sb_lit(&sb, " ⇒ ");
	struct np_sbuf text = np_sb_make(line + sb.len, 512);
	np_fmt_event(&text, ev);
	sb.len += text.len;
	if (ctx->color)
		np_sb_lit(&sb, "\033[0m");
	np_sb_ch(&sb, '\n');
	fwrite_unlocked(line, 1, sb.len, ctx->out);
}

void np_print_summary(FILE *o, const struct np_track_stats *s, uint64_t frames)
{
	/* A filter that let few or no packets through says how much it looked at: "0 packets"
	 * alone would not tell an empty file from a --port that matched nothing in a big one. */
	char seen[64] = "";
	if (frames != s->packets)
		snprintf(seen, sizeof seen, " shown of %" PRIu64 " frame%s read", frames, plural(frames));
	fprintf(o, "netprobe: %" PRIu64 " packet%s%s: %" PRIu64 " TCP, %" PRIu64 " UDP, %" PRIu64
		   " ICMP, %" PRIu64 " ICMPv6, %" PRIu64 " ARP, %" PRIu64 " other (%" PRIu64
		   " IPv4, %" PRIu64 " IPv6)\n",
		s->packets, plural(s->packets), seen, s->tcp, s->udp, s->icmp, s->icmp6, s->arp,
		s->other, s->ip4, s->ip6);
	char lost[64] = "";
	if (s->reset_unacked)
		snprintf(lost, sizeof lost, " (%" PRIu64 " with data unacknowledged)", s->reset_unacked);
	fprintf(o, "netprobe: %" PRIu64 " TCP conversation%s: %" PRIu64 " handshake%s completed, %" PRIu64
		   " closed, %" PRIu64 " refused, %" PRIu64 " reset%s, %" PRIu64 " SYN unanswered; at the end %" PRIu64
		   " open, %" PRIu64 " half-open\n",
		s->conversations, plural(s->conversations), s->completed, plural(s->completed), s->closed, s->refused, s->reset, lost, s->unanswered, s->open,
		s->half_open);
	if (s->hs_count)
		fprintf(o, "netprobe: handshake time min/avg/max = %.3f/%.3f/%.3f ms\n", s->hs_min_ms,
			s->hs_sum_ms / (double)s->hs_count, s->hs_max_ms);
	for (uint32_t i = 0; i < s->ntop; i++) {
		const struct np_talker *k = &s->top[i];
		char c[64], v[64], b0[32], b1[32];
		struct np_sbuf x0 = np_sb_make(b0, sizeof b0), x1 = np_sb_make(b1, sizeof b1);
		np_fmt_endpoint(&k->client, c, sizeof c);
		np_fmt_endpoint(&k->server, v, sizeof v);
		fmt_bytes(&x0, k->bytes[0]);
		fmt_bytes(&x1, k->bytes[1]);
		fprintf(o, "netprobe: %s #%u %s → %s: %s →, %s ←, %" PRIu64 " packet%s\n",
			i ? "         " : "top talkers:", k->conv, c, v, b0, b1, k->packets,
			plural(k->packets));
	}
	if (s->app_requests || s->app_unmatched)
		fprintf(o, "netprobe: %" PRIu64 " DNS/HTTP request%s, %" PRIu64 " response%s paired, %" PRIu64
			   " to no request seen; %" PRIu64 " unanswered at the end, %" PRIu64
			   " dropped unanswered (table full)\n",
			s->app_requests, plural(s->app_requests), s->app_paired, plural(s->app_paired),
			s->app_unmatched, s->app_pending, s->app_evicted);
	if (s->pdu_done || s->pdu_abandoned || s->pdu_too_long)
		fprintf(o, "netprobe: %" PRIu64 " message%s spanning TCP segments put together, %" PRIu64
			   " abandoned (a segment not captured), %" PRIu64 " too long, %" PRIu64 " evicted\n",
			s->pdu_done, plural(s->pdu_done), s->pdu_abandoned, s->pdu_too_long, s->pdu_evicted);
	if (s->flood_episodes || s->evicted)
		fprintf(o, "netprobe: %" PRIu64 " SYN flood episode%s; conversation table: %" PRIu64
			   " evicted (%" PRIu64 " half-open), peak %u in use\n",
			s->flood_episodes, plural(s->flood_episodes), s->evicted,
			s->evicted_half_open, s->max_conv_in_use);
}
