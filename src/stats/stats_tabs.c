/* stats_tabs.c - the per-packet tables of `netprobe stats` besides conversations: I/O intervals
 * (tshark's -z io,stat: from the first packet's time), the protocol hierarchy (-z phs: one node
 * per layer of the decoder's stack, a tunnel's inner layers nested under it; frames and frame
 * bytes at each) and the expert summary (-z expert: the tracker's analysis notes and the
 * decoder's problems, with Wireshark's severities). */
#include <stdlib.h>
#include <string.h>

#include "netprobe/proto.h"
#include "stats_int.h"

int64_t np_stats_interval_of(int64_t first_us, int64_t ts_us, int64_t interval_us)
{
	if (ts_us < first_us || interval_us <= 0)
		return -1;
	return (ts_us - first_us) / interval_us;
}

/* The interval of this packet, made when new (the array grows up to NP_STATS_INTERVALS_MAX). */
static struct np_stats_interval *interval(struct np_stats *s, int64_t ts)
{
	int64_t i = np_stats_interval_of(s->first_us, ts, s->o.interval_us);
	if (i < 0) { /* stamped before the first packet: tshark's first interval takes it too */
		s->io_early++;
		i = 0;
	}
	if (i >= NP_STATS_INTERVALS_MAX) {
		s->io_late++;
		return NULL;
	}
	if ((uint32_t)i >= s->io_cap) {
		uint32_t cap = s->io_cap ? s->io_cap : 64;
		while (cap <= (uint32_t)i)
			cap *= 2;
		struct np_stats_interval *n = realloc(s->io, (size_t)cap * sizeof *n);
		if (!n) {
			s->io_late++;
			return NULL;
		}
		memset(n + s->io_cap, 0, (size_t)(cap - s->io_cap) * sizeof *n);
		s->io = n;
		s->io_cap = cap;
	}
	if ((uint32_t)i >= s->nio)
		s->nio = (uint32_t)i + 1;
	return &s->io[i];
}

void np_stats_new_conv(struct np_stats *s)
{
	if (s->cur_io >= 0)
		s->io[s->cur_io].new_conv++;
}

/* --- protocol hierarchy --- */

static const char *link_name(const struct np_link *l)
{
	switch (l->kind) {
	case NP_LINK_ETH: return "eth";
	case NP_LINK_SLL: return "sll";
	case NP_LINK_SLL2: return "sll2";
	case NP_LINK_NULL:
	case NP_LINK_LOOP: return "null";
	default: return "raw";
	}
}

/* The child `name` of node `parent` (index + 1, 0 the root), made when new; 0 when full. */
static uint16_t phs_child(struct np_stats *s, uint16_t parent, const char *name, uint64_t len)
{
	uint32_t i = parent; /* children come after their parent */
	while (i < s->nphs && !(s->phs[i].parent == parent && strcmp(s->phs[i].name, name) == 0))
		i++;
	if (i == s->nphs) {
		if (s->nphs == NP_STATS_PHS_MAX) {
			s->phs_full++;
			return 0;
		}
		uint8_t depth = parent ? (uint8_t)(s->phs[parent - 1].depth + 1) : 0;
		s->phs[s->nphs++] = (struct np_stats_phs){ .parent = parent, .depth = depth, .name = name };
	}
	s->phs[i].frames++;
	s->phs[i].bytes += len;
	return (uint16_t)(i + 1);
}

static void hierarchy(struct np_stats *s, const struct np_packet *p)
{
	uint16_t at = 0;
	uint64_t len = p->frame->len;
	for (unsigned i = 0; i < p->nlayers; i++) {
		const struct np_pkt_layer *l = &p->layer[i];
		const struct np_unit *u = np_unit_of(l->kind);
		if (l->kind == NP_L_LINK) {
			at = phs_child(s, at, link_name(&l->link), len);
			for (unsigned v = 0; at && v < l->link.nvlan; v++)
				at = phs_child(s, at, "vlan", len);
		} else if (u && u->key) {
			at = phs_child(s, at, u->key, len);
		}
		if (!at)
			return;
	}
}

/* --- expert summary --- */

const char *np_severity_name(enum np_severity v)
{
	static const char *const names[] = { "Chat", "Note", "Warning", "Error" };
	return (unsigned)v < 4 ? names[v] : "?";
}

static void expert(struct np_stats *s, enum np_severity sev, const char *group, const char *what)
{
	for (uint32_t i = 0; i < s->nexpert; i++) {
		struct np_stats_expert *e = &s->expert[i];
		if (e->sev == sev && e->what == what && e->group == group) {
			e->count++;
			return;
		}
	}
	if (s->nexpert < NP_STATS_EXPERT_MAX)
		s->expert[s->nexpert++] = (struct np_stats_expert){ sev, group, what, 1 };
}

/* The tracker's analysis notes, in Wireshark's words and severities (packet-tcp.c's
 * expert fields of the same meaning). */
static const struct {
	uint16_t bit;
	enum np_severity sev;
	const char *what;
} notes[] = {
	{ NP_TA_RETRANSMISSION, NP_SEV_NOTE, "This frame is a (suspected) retransmission" },
	{ NP_TA_FAST_RETRANS, NP_SEV_NOTE, "This frame is a (suspected) fast retransmission" },
	{ NP_TA_SPURIOUS, NP_SEV_NOTE, "This frame is a (suspected) spurious retransmission" },
	{ NP_TA_OUT_OF_ORDER, NP_SEV_WARN, "This frame is a (suspected) out-of-order segment" },
	{ NP_TA_PREV_LOST, NP_SEV_WARN, "Previous segment(s) not captured" },
	{ NP_TA_DUP_ACK, NP_SEV_NOTE, "Duplicate ACK" },
	{ NP_TA_ZERO_WINDOW, NP_SEV_WARN, "TCP Zero Window segment" },
	{ NP_TA_WINDOW_FULL, NP_SEV_WARN, "TCP window specified by the receiver is now full" },
	{ NP_TA_KEEPALIVE, NP_SEV_NOTE, "TCP keep-alive segment" },
	{ NP_TA_WINDOW_UPDATE, NP_SEV_CHAT, "TCP window update" },
};

static void tcp_items(struct np_stats *s, const struct np_packet *p, const struct np_pkt_track *trk)
{
	const struct np_tcp *tcp = np_pkt_tcp(p);
	if (!tcp || tcp->got < 20)
		return;
	uint16_t f = tcp->flags;
	if (f & NP_TCP_RST)
		expert(s, NP_SEV_WARN, "Sequence", "Connection reset (RST)");
	if ((f & (NP_TCP_SYN | NP_TCP_ACK)) == NP_TCP_SYN)
		expert(s, NP_SEV_CHAT, "Sequence", "Connection establish request (SYN)");
	else if (f & NP_TCP_SYN)
		expert(s, NP_SEV_CHAT, "Sequence", "Connection establish acknowledge (SYN+ACK)");
	if (f & NP_TCP_FIN)
		expert(s, NP_SEV_CHAT, "Sequence", "Connection finish (FIN)");
	if (!trk || !trk->analysis)
		return;
	for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++)
		if (trk->analysis & notes[i].bit)
			expert(s, notes[i].sev, "Sequence", notes[i].what);
}

static void problem_items(struct np_stats *s, const struct np_packet *p)
{
	for (unsigned i = 0; i < p->nproblems && i < NP_MAX_PROBLEMS; i++) {
		const struct np_problem *pb = &p->problems[i];
		enum np_severity sev = pb->verdict == NP_INVALID	 ? NP_SEV_ERROR
				       : pb->verdict == NP_TRUNCATED ? NP_SEV_WARN
								     : NP_SEV_NOTE;
		const char *group = pb->verdict == NP_UNSUPPORTED ? "Undecoded" : "Malformed";
		expert(s, sev, group, pb->what ? pb->what : "?");
	}
	for (unsigned i = 0; i < p->nlayers; i++) {
		const struct np_unit *u = np_unit_of(p->layer[i].kind);
		if (np_unit_csum(u, &p->layer[i]) == NP_CSUM_BAD)
			expert(s, NP_SEV_ERROR, "Checksum", u->proto ? u->proto : u->key);
	}
}

/* The tracker's conversation events, as the expert summary's "Conversation" items. */
void np_stats_event(struct np_stats *s, const struct np_event *ev)
{
	np_stats_conv_event(s, ev);
	if (!(s->o.tables & NP_ST_EXPERT))
		return;
	switch (ev->kind) {
	case NP_EV_HANDSHAKE: expert(s, NP_SEV_CHAT, "Conversation", "handshake completed"); break;
	case NP_EV_TEARDOWN: expert(s, NP_SEV_CHAT, "Conversation", "closed by FIN"); break;
	case NP_EV_RESET: expert(s, NP_SEV_WARN, "Conversation", "reset"); break;
	case NP_EV_REFUSED: expert(s, NP_SEV_WARN, "Conversation", "connection refused"); break;
	case NP_EV_SYN_UNANSWERED: expert(s, NP_SEV_WARN, "Conversation", "SYN unanswered"); break;
	case NP_EV_SYN_FLOOD:
		if (ev->flood.phase == NP_FLOOD_START)
			expert(s, NP_SEV_ERROR, "Conversation", "SYN flood");
		break;
	default: break;
	}
}

void np_stats_packet(struct np_stats *s, const struct np_packet *p, const struct np_pkt_track *trk)
{
	const struct np_frame *f = p->frame;
	int64_t ts = np_ts_clamp_sec(f->ts_sec) * 1000000 + (int64_t)(f->ts_usec % 1000000u) +
		     (int64_t)(f->ts_usec / 1000000u) * 1000000;
	if (!s->have_first) {
		s->have_first = true;
		s->first_us = s->min_us = s->max_us = ts;
	}
	if (ts < s->min_us)
		s->min_us = ts;
	if (ts > s->max_us)
		s->max_us = ts;
	s->frames++;
	s->bytes += f->len;
	struct np_stats_interval *io = s->o.tables & NP_ST_IO ? interval(s, ts) : NULL;
	s->cur_io = io ? io - s->io : -1;
	if (io) {
		io->frames++;
		io->bytes += f->len;
		if (trk && (trk->analysis & NP_STATS_RETRANS))
			io->retrans++;
	}
	if (s->o.tables & (NP_ST_CONV | NP_ST_ENDPOINTS | NP_ST_IO))
		np_stats_conversations(s, p, trk, ts);
	if (s->o.tables & NP_ST_PHS)
		hierarchy(s, p);
	if (s->o.tables & NP_ST_EXPERT) {
		tcp_items(s, p, trk);
		problem_items(s, p);
	}
}

void np_stats_view(const struct np_stats *s, struct np_stats_view *v)
{
	*v = (struct np_stats_view){
		.conv = s->conv, .nconv = s->nconv, .ep = s->ep, .nep = s->nep,
		.io = s->io, .nio = s->nio, .phs = s->phs, .nphs = s->nphs,
		.expert = s->expert, .nexpert = s->nexpert,
		.have_first = s->have_first, .first_us = s->first_us, .last_us = s->max_us,
		.frames = s->frames, .bytes = s->bytes, .conv_full = s->conv_full,
		.ep_full = s->ep_full, .io_late = s->io_late, .io_early = s->io_early,
		.phs_full = s->phs_full,
	};
}
