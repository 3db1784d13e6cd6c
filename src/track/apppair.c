/* apppair.c - DNS queries paired with their responses (RFC 1035 s7.3: same ID, same
 * conversation; a query repeated unanswered is a retransmission of the first, as Wireshark's
 * dns.retransmit_request_in) and HTTP/1.x requests with the responses that answer them, in
 * order per conversation (RFC 9112 s9.3.2; a 1xx interim response leaves its request waiting).
 * And the TLS version a conversation's ServerHello chose, when it was 1.3, for the records
 * after it (their record layer says 0x0303, RFC 8446 s5.1). Bounded: one LRU table (lru.h) keyed with SipHash, evictions counted. */
#include "netprobe/apppair.h"

#include <stdlib.h>
#include <string.h>

#include "lru.h"
#include "siphash.h"

enum { K_DNS_UDP = 1, K_DNS_TCP, K_HTTP, K_TLS };

struct pend {
	uint8_t n, head;       /* requests queued (HTTP; DNS: 1), the oldest's index */
	bool answered;         /* DNS: a response came; TLS: the ServerHello chose 1.3 */
	uint32_t requests;     /* HTTP: requests seen in the conversation */
	uint64_t frame[NP_APPPAIR_QUEUE];
	int64_t us[NP_APPPAIR_QUEUE];
};

struct np_apppair {
	struct np_lru lru;
	struct pend *pend;
	uint8_t hash_key[NP_SIPHASH_KEY];
	struct np_apppair_stats st;
};

struct np_apppair *np_apppair_new(uint32_t cap, const uint8_t *hash_key)
{
	struct np_apppair *ap = calloc(1, sizeof *ap);
	if (!cap)
		cap = NP_APPPAIR_CAP;
	if (!ap)
		return NULL;
	ap->pend = calloc(cap, sizeof *ap->pend);
	if (!ap->pend || np_lru_init(&ap->lru, cap) != 0) {
		free(ap->pend);
		free(ap);
		return NULL;
	}
	memcpy(ap->hash_key, hash_key, NP_SIPHASH_KEY);
	return ap;
}

void np_apppair_free(struct np_apppair *ap)
{
	if (!ap)
		return;
	np_lru_free(&ap->lru);
	free(ap->pend);
	free(ap);
}

void np_apppair_stats(const struct np_apppair *ap, struct np_apppair_stats *st)
{
	*st = ap->st;
}

/* The conversation's key (both directions alike, the tunnel in it), then the kind and the DNS
 * ID in the bytes np_track_conv_key leaves zero. False when the addresses or ports are not
 * all captured. */
static bool make_key(const struct np_packet *p, uint8_t kind, uint16_t id, uint8_t key[NP_LRU_KEY])
{
	struct np_endpoint a = { 0 }, b = { 0 };
	const struct np_ipv4 *ip4 = np_pkt_ip4(p);
	const struct np_ipv6 *ip6 = np_pkt_ip6(p);
	if (ip4 && ip4->got >= 20) {
		a.ver = b.ver = 4;
		memcpy(a.addr, ip4->src, 4);
		memcpy(b.addr, ip4->dst, 4);
	} else if (ip6 && ip6->got >= 40) {
		a.ver = b.ver = 6;
		memcpy(a.addr, ip6->src, 16);
		memcpy(b.addr, ip6->dst, 16);
	} else {
		return false;
	}
	const struct np_tcp *tcp = np_pkt_tcp(p);
	const struct np_udp *udp = np_pkt_udp(p);
	if (tcp && tcp->got >= 4) {
		a.port = tcp->sport;
		b.port = tcp->dport;
	} else if (udp && udp->got >= 4) {
		a.port = udp->sport;
		b.port = udp->dport;
	} else {
		return false;
	}
	_Static_assert(NP_CONV_KEY == NP_LRU_KEY, "the tracker's key fills the table's");
	np_track_conv_key(&a, &b, p->tunnel, key);
	key[45] = kind;
	key[46] = (uint8_t)(id >> 8);
	key[47] = (uint8_t)id;
	return true;
}

/* The entry of `key`, made when absent and `create` (the least recently used one, or the
 * oldest of a full hash chain, making way); NULL when absent and not made. */
static struct pend *entry(struct np_apppair *ap, const uint8_t *key, bool create)
{
	uint64_t h = np_siphash24(ap->hash_key, key, NP_LRU_KEY);
	uint32_t s = np_lru_find(&ap->lru, key, h);
	if (s != NP_LRU_NONE) {
		np_lru_touch(&ap->lru, s, 0);
		return &ap->pend[s];
	}
	if (!create)
		return NULL;
	uint32_t victim = NP_LRU_NONE;
	if (np_lru_chain_full(&ap->lru, h))
		for (s = np_lru_chain_first(&ap->lru, h); s != NP_LRU_NONE; s = np_lru_chain_next(&ap->lru, s))
			victim = s; /* the chain's oldest */
	else if (ap->lru.count == ap->lru.cap)
		victim = ap->lru.lists[0].tail;
	if (victim != NP_LRU_NONE) {
		if (!ap->pend[victim].answered) {
			ap->st.evicted += ap->pend[victim].n;
			ap->st.pending -= ap->pend[victim].n;
		}
		np_lru_remove(&ap->lru, victim);
	}
	s = np_lru_insert(&ap->lru, key, h, 0);
	if (s == NP_LRU_NONE)
		return NULL;
	memset(&ap->pend[s], 0, sizeof ap->pend[s]);
	return &ap->pend[s];
}

static int64_t frame_us(const struct np_frame *f)
{
	return np_ts_clamp_sec(f->ts_sec) * 1000000 + f->ts_usec;
}

/* A response: unmatched when no request waits in e; else paired with the oldest waiting one
 * (the queue's head: a DNS entry holds its one query there), counted as paired. False:
 * unmatched. */
static bool respond(struct np_apppair *ap, struct np_packet *p, const struct pend *e)
{
	struct np_app_pair *pr = &p->pair;
	if (!e || !e->n) {
		pr->kind = NP_PAIR_UNMATCHED;
		ap->st.unmatched++;
		return false;
	}
	pr->kind = NP_PAIR_RESPONSE;
	pr->req_frame = e->frame[e->head];
	pr->delta_us = frame_us(p->frame) - e->us[e->head];
	ap->st.paired++;
	return true;
}

static void dns(struct np_apppair *ap, struct np_packet *p)
{
	const struct np_dns *d = &p->app.dns;
	uint8_t key[NP_LRU_KEY];
	/* The ID and QR pair a message, whatever its records hold; a message that goes on in the
	 * next segment waits for the reassembler (its time is that of its end). */
	if (d->got < 4 || d->partial || !make_key(p, d->tcp ? K_DNS_TCP : K_DNS_UDP, d->id, key))
		return;
	bool query = !(d->flags & NP_DNS_QR);
	struct pend *e = entry(ap, key, query);
	struct np_app_pair *pr = &p->pair;
	if (query) {
		pr->kind = NP_PAIR_REQUEST;
		ap->st.requests++;
		if (!e)
			return;
		if (e->n && !e->answered) { /* the same query again: the first is the request */
			pr->retransmit = true;
			pr->req_frame = e->frame[0];
			return;
		}
		*e = (struct pend){ .n = 1, .frame[0] = p->frame->n, .us[0] = frame_us(p->frame) };
		ap->st.pending++;
		return;
	}
	if (!respond(ap, p, e))
		return;
	pr->retransmit = e->answered;
	if (!e->answered)
		ap->st.pending--;
	e->answered = true;
}

static void http(struct np_apppair *ap, struct np_packet *p)
{
	const struct np_http *h = &p->app.http;
	uint8_t key[NP_LRU_KEY];
	if (!make_key(p, K_HTTP, 0, key))
		return;
	struct pend *e = entry(ap, key, !h->response);
	struct np_app_pair *pr = &p->pair;
	if (!h->response) {
		pr->kind = NP_PAIR_REQUEST;
		ap->st.requests++;
		if (!e)
			return;
		pr->number = ++e->requests;
		if (e->n == NP_APPPAIR_QUEUE) { /* the oldest unanswered makes way */
			e->head = (uint8_t)((e->head + 1) % NP_APPPAIR_QUEUE);
			e->n--;
			ap->st.evicted++;
			ap->st.pending--;
		}
		unsigned at = (e->head + e->n) % NP_APPPAIR_QUEUE;
		e->frame[at] = p->frame->n;
		e->us[at] = frame_us(p->frame);
		e->n++;
		ap->st.pending++;
		return;
	}
	if (!respond(ap, p, e))
		return;
	pr->number = e->requests - e->n + 1;
	if (h->status >= 100 && h->status < 200)
		return; /* interim (RFC 9110 s15.2): the final response is still to come */
	e->head = (uint8_t)((e->head + 1) % NP_APPPAIR_QUEUE);
	e->n--;
	ap->st.pending--;
}

/* A ServerHello sets the conversation's version (an entry only for 1.3: TLS 1.2 needs none);
 * any other TLS segment of a 1.3 conversation is marked with it. */
static void tls(struct np_apppair *ap, struct np_packet *p)
{
	struct np_tls *t = &p->app.tls;
	uint8_t key[NP_LRU_KEY];
	if (!make_key(p, K_TLS, 0, key))
		return;
	bool v13 = t->hello == 2 && t->version == 0x0304;
	struct pend *e = entry(ap, key, v13);
	if (t->hello == 2 && e)
		e->answered = v13;
	else if (e && e->answered)
		t->conv_version = 0x0304;
}

void np_apppair_packet(struct np_apppair *ap, struct np_packet *p, const struct np_pkt_track *info)
{
	const struct np_pkt_layer *l = np_pkt_app(p);
	if (l && l->kind == NP_L_TLS)
		tls(ap, p);
	if (!l || (l->kind != NP_L_DNS && l->kind != NP_L_HTTP))
		return;
	/* A segment sent again carries the message already paired. */
	if (info && info->tcp && (info->analysis & (NP_TA_RETRANSMISSION | NP_TA_FAST_RETRANS |
						     NP_TA_SPURIOUS | NP_TA_SACKED)))
		return;
	p->pair = (struct np_app_pair){ 0 };
	if (l->kind == NP_L_DNS)
		dns(ap, p);
	else
		http(ap, p);
}
