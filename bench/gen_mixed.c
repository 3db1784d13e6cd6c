/* gen_mixed.c - writes a large capture of mixed, real-looking traffic for the benchmarks (bench/),
 * at benchmark time (never committed). Deterministic: a fixed PRNG seed gives the same bytes,
 * and only integer arithmetic decides anything, so every platform writes the same file.
 *
 * What is in it (Ethernet; IPv4 in 10.77.0.0/16, IPv6 in fd77::/16, about 10% of the sessions):
 *   - TCP connections to HTTP servers (ports 80, 8080, 8888): three-way handshake with MSS, SACK
 *     permitted, window scale and (mostly) timestamps (RFC 9293, RFC 7323, RFC 2018); one to four
 *     requests (GET in one segment, POST with a body over several) and responses of log-uniform
 *     size (0 to ~200 kB) sent in slow-start bursts, ACKed every second segment; 1% of responses
 *     lose their last segment past the capture point, which the server retransmits (tail loss
 *     probe); teardown by FIN from either side (three- or four-way), or an RST from the client,
 *     a few left open; 2% of the SYNs refused by an RST.
 *   - ICMP / ICMPv6 echo request and reply (a few unanswered), one a second.
 *   - DNS over UDP: A or AAAA queries and their answers (some NXDOMAIN); a tenth of the queries go
 *     to hosts with no DNS server, which answer with ICMP port unreachable quoting the query
 *     (RFC 792, RFC 4443).
 * Sessions overlap: CONC of them are in progress at any time (a new one starts when one ends),
 * merged by time, so timestamps increase at the rate such a link would see (tens of thousands of
 * frames per second). The capture stops after COUNT frames, cutting the sessions then in progress.
 * Every IPv4 header, TCP, UDP, ICMP and ICMPv6 checksum is correct.
 *
 * The capture point is near the servers: a server's answer follows the client's segment after a
 * few tens of microseconds, the client's follows the server's after the round-trip time.
 *
 * Writes the capture with libpcap (pcap_open_dead + pcap_dump) and prints what is in it as
 * KEY=VALUE lines on stdout (counts of what was written, not of what was planned).
 *
 * -w spreads the IPv4 addresses over the whole unicast space (the same traffic otherwise): tcpdump
 * caches address strings in a hash table indexed by the address's first 12 bits, so with every
 * address in 10.77.0.0/16 its cost per frame grows with the number of hosts; -w shows it
 * without that handicap.
 *
 * Usage: gen_mixed -o FILE [-n COUNT] [-c CONC] [-6 PERMILLE] [-s SEED] [-w]
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "../tests/tools/pcapw.h"
#include "../tests/tools/xoshiro.h"

#define T0_SEC 1700000000LL /* 2023-11-14 22:13:20 UTC: any fixed time will do */
#define MAX_EXCHANGES 4
#define HDR_MAX 1024
#define PATTERN_LEN 4096

enum { F_FIN = 0x01, F_SYN = 0x02, F_RST = 0x04, F_PSH = 0x08, F_ACK = 0x10 };
enum { K_TCP, K_UDP, K_ECHO, K_UNREACH };
enum { S_TCP, S_DNS, S_PING };
enum { O_NONE, O_SYN, O_DATA };
/* What emitting a frame completes, for the counts printed at the end. */
enum {
	M_NONE,
	M_SYN,
	M_HANDSHAKE, /* the client's ACK of the SYN/ACK */
	M_TEARDOWN,  /* the last ACK of a FIN exchange */
	M_RESET,     /* a client's RST closing an established connection */
	M_REFUSED,   /* the server's RST to a SYN */
	M_RETRANS,
	M_ECHO_REQ,
	M_ECHO_REP,
	M_DNS_Q,
	M_DNS_A,
	M_UNREACH,
	M_COUNT
};
static const char *const mark_names[M_COUNT] = {
	"",		  "tcp_syns",	    "tcp_handshakes",  "tcp_fin_teardowns",
	"tcp_resets",	  "tcp_refused",    "tcp_retransmissions", "icmp_echo_requests",
	"icmp_echo_replies", "dns_queries", "dns_answers",	   "icmp_port_unreachables",
};

/* Uniform in [lo, hi]. */
static uint64_t uni(uint64_t lo, uint64_t hi)
{
	return lo + rng() % (hi - lo + 1);
}

/* True with probability pm/1000. */
static bool chance(unsigned pm)
{
	return rng() % 1000 < pm;
}

/* Roughly log-uniform in [lo, hi] (lo >= 1) with integers only: a random octave, then uniform
 * within it. */
static uint64_t logu(uint64_t lo, uint64_t hi)
{
	int oct = 0;
	while ((lo << (oct + 1)) <= hi)
		oct++;
	uint64_t base = lo << (rng() % (uint64_t)(oct + 1));
	uint64_t v = base + rng() % base;
	return v > hi ? hi : v;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		fprintf(stderr, "gen_mixed: out of memory\n");
		exit(1);
	}
	return p;
}

/* --- hosts --- */

struct host {
	bool v6;
	uint8_t a[16]; /* IPv4 in the first 4 bytes */
	uint8_t mac[6];
};

/* With -w, IPv4 hosts get addresses spread over the unicast space instead of 10.77.0.0/16. */
static bool wide_v4;

/* Host `id` of group `grp`: 10.77.GRP+id/256.id%256 or fd77::GRP:0:0:ID; a MAC derived from both. */
static void mkhost(struct host *h, bool v6, unsigned grp, unsigned id)
{
	memset(h, 0, sizeof *h);
	h->v6 = v6;
	if (v6) {
		h->a[0] = 0xfd, h->a[1] = 0x77;
		put16(h->a + 6, (uint16_t)grp);
		put16(h->a + 14, (uint16_t)id);
	} else {
		h->a[0] = 10, h->a[1] = 77;
		h->a[2] = (uint8_t)(grp + id / 254);
		h->a[3] = (uint8_t)(1 + id % 254);
		if (wide_v4) { /* a fixed scramble of the same host: 1.x.x.x .. 223.x.x.x, not 127 */
			uint64_t x = (uint64_t)grp << 16 | id;
			uint32_t r = (uint32_t)splitmix64(&x);
			h->a[0] = (uint8_t)(1 + r % 223);
			if (h->a[0] == 127 || h->a[0] == 10)
				h->a[0]++;
			h->a[1] = (uint8_t)(r >> 8), h->a[2] = (uint8_t)(r >> 16);
			h->a[3] = (uint8_t)(1 + (r >> 24) % 254);
		}
	}
	h->mac[0] = 0x02, h->mac[1] = 0x77, h->mac[2] = v6 ? 0x66 : 0x44;
	h->mac[3] = (uint8_t)grp;
	put16(h->mac + 4, (uint16_t)id);
}

#define CLIENT_GRP 1	 /* 10.77.1.1 .. 10.77.16.254, fd77:0:0:1::1 .. */
#define CLIENTS 4000
#define SERVER_GRP 200	 /* 10.77.200.1 .. */
#define SERVERS 24
#define DNS_GRP 53	 /* 10.77.53.1 .. : DNS servers */
#define DNS_SERVERS 2
#define DEAD_GRP 250	 /* 10.77.250.1 .. : no DNS server there */
#define DEAD_SERVERS 4
static uint16_t next_port[CLIENTS]; /* each client's next ephemeral port: no 4-tuple reused */

/* --- sessions: their frames planned in advance, emitted in time order --- */

struct pk {
	int64_t us;
	uint32_t idx; /* order of creation: breaks ties */
	uint8_t dir;  /* 0 client to server, 1 server to client */
	uint8_t kind, flags, opt, mark;
	uint16_t win, ipid;
	uint32_t seq, ack;
	uint32_t off; /* TCP: offset in the sender's stream; UDP, echo: in blob; unreach: pk index */
	uint32_t len; /* payload bytes */
};

struct msg {
	uint32_t off, hdrlen, bodylen;
	char hdr[HDR_MAX];
};

struct sess {
	uint64_t id;
	int type;
	struct host c, s;
	uint16_t cport, sport;
	bool ts;
	uint8_t ttl[2];
	uint16_t ipid[2], mss[2];
	uint32_t isn[2], sent[2]; /* stream bytes sent so far, without SYN and FIN */
	uint32_t tsbase[2], last_tsval[2];
	uint32_t salt;
	struct msg msg[2][MAX_EXCHANGES];
	size_t nmsg[2];
	uint8_t blob[1024];
	size_t bloblen;
	struct pk *pk;
	size_t npk, cappk, next;
};

static uint8_t pattern[PATTERN_LEN];

static struct pk *add(struct sess *s, int64_t us, int dir, int kind)
{
	if (s->npk == s->cappk) {
		s->cappk = s->cappk ? 2 * s->cappk : 64;
		s->pk = xrealloc(s->pk, s->cappk * sizeof *s->pk);
	}
	struct pk *p = &s->pk[s->npk];
	memset(p, 0, sizeof *p);
	p->us = us;
	p->idx = (uint32_t)s->npk++;
	p->dir = (uint8_t)dir;
	p->kind = (uint8_t)kind;
	p->ipid = s->ipid[dir]++;
	return p;
}

static struct pk *add_tcp(struct sess *s, int64_t us, int dir, uint8_t flags, uint32_t seq,
			  uint32_t ack, uint32_t off, uint32_t len, int mark)
{
	struct pk *p = add(s, us, dir, K_TCP);
	p->flags = flags;
	p->seq = seq;
	p->ack = ack;
	p->off = off;
	p->len = len;
	p->opt = (flags & F_SYN) ? O_SYN : (flags & F_RST) ? O_NONE : O_DATA;
	p->win = (flags & F_RST) ? 0 : dir ? 509 : 1002;
	p->mark = (uint8_t)mark;
	return p;
}

/* The bytes [off, off+len) of direction dir's TCP stream. */
static void stream_bytes(const struct sess *s, int dir, uint32_t off, uint32_t len, uint8_t *out)
{
	for (size_t m = 0; m < s->nmsg[dir] && len; m++) {
		const struct msg *g = &s->msg[dir][m];
		uint32_t end = g->off + g->hdrlen + g->bodylen;
		while (len && off >= g->off && off < end) {
			uint32_t rel = off - g->off;
			*out++ = rel < g->hdrlen ? (uint8_t)g->hdr[rel]
						 : pattern[(rel - g->hdrlen + s->salt) % PATTERN_LEN];
			off++, len--;
		}
	}
	if (len) {
		fprintf(stderr, "gen_mixed: internal error: stream bytes out of range\n");
		exit(1);
	}
}

static uint32_t add_msg(struct sess *s, int dir, uint32_t off, const char *hdr, uint32_t bodylen)
{
	struct msg *g = &s->msg[dir][s->nmsg[dir]++];
	size_t n = strlen(hdr);
	if (n > HDR_MAX) {
		fprintf(stderr, "gen_mixed: internal error: header too long\n");
		exit(1);
	}
	memcpy(g->hdr, hdr, n);
	g->off = off;
	g->hdrlen = (uint32_t)n;
	g->bodylen = bodylen;
	return g->hdrlen + bodylen;
}

static void addr_text(const struct host *h, char *out, size_t n)
{
	if (h->v6)
		snprintf(out, n, "[fd77:0:0:%x::%x]", h->a[6] << 8 | h->a[7], h->a[14] << 8 | h->a[15]);
	else
		snprintf(out, n, "%u.%u.%u.%u", h->a[0], h->a[1], h->a[2], h->a[3]);
}

static const char *const paths[] = { "/", "/index.html", "/api/v1/status", "/static/app.js",
				     "/static/style.css", "/img/logo.png", "/api/v1/items",
				     "/download/data.bin", "/metrics", "/login" };

/* An HTTP/1.1 request of about `size` bytes of header (padded with a cookie). */
static void http_request(const struct sess *s, char *out, bool post, uint32_t body, uint32_t size)
{
	char host[64], cl[48] = "";
	addr_text(&s->s, host, sizeof host);
	if (post)
		snprintf(cl, sizeof cl, "Content-Length: %" PRIu32 "\r\n", body);
	int n = snprintf(out, HDR_MAX,
			 "%s %s HTTP/1.1\r\nHost: %s:%u\r\nUser-Agent: netprobe-bench/1.0\r\n"
			 "Accept: */*\r\n%s",
			 post ? "POST" : "GET", paths[rng() % (sizeof paths / sizeof *paths)], host,
			 s->sport, cl);
	/* One draw whatever the padding's length, so that -w (longer or shorter Host headers)
	 * changes the addresses and nothing else. */
	uint64_t pad = rng();
	if ((uint32_t)n + 12 < size && size < HDR_MAX - 4) {
		n += snprintf(out + n, (size_t)(HDR_MAX - n), "Cookie: id=");
		while ((uint32_t)n < size - 2)
			out[n++] = (char)('a' + splitmix64(&pad) % 26);
		out[n] = 0;
		n += snprintf(out + n, (size_t)(HDR_MAX - n), "\r\n");
	}
	snprintf(out + n, (size_t)(HDR_MAX - n), "\r\n");
}

/* Client think time, server processing delay and round trip, in microseconds. */
static int64_t srv_delay(void)
{
	return (int64_t)uni(20, 80);
}

/* --- TCP --- */

static uint32_t seq_of(const struct sess *s, int dir)
{
	return s->isn[dir] + 1 + s->sent[dir];
}

/* Direction dir sends `total` more bytes of its stream from t, in slow-start bursts (10
 * segments, doubling each round trip up to 40); the receiver ACKs every second segment and the
 * last. With tail_loss the last segment is lost past the capture point: the receiver ACKs only
 * what came before it, the sender sends it again after max(2 RTT, 10 ms) (a tail loss probe,
 * RFC 8985). Returns the time of the receiver's last ACK. */
static int64_t send_data(struct sess *s, int dir, int64_t t, uint32_t total, int64_t rtt,
			 bool tail_loss)
{
	/* Capture near the server: the client answers after a round trip, the server at once. */
	int64_t answer = dir == 1 ? rtt : srv_delay();
	int rcv = !dir;
	uint32_t mss = s->mss[dir], nseg = (total + mss - 1) / mss, cwnd = 10, j = 0;
	uint32_t base = s->sent[dir];
	int64_t last_ack = t, st = t;
	while (j < nseg) {
		int64_t bt = t;
		for (uint32_t k = 0; k < cwnd && j < nseg; k++, j++) {
			uint32_t o = base + j * mss, left = total - j * mss, l = left < mss ? left : mss;
			bool last = j == nseg - 1;
			st = bt + (int64_t)k * 12; /* ~1 Gb/s on the wire */
			uint32_t seq = s->isn[dir] + 1 + o;
			add_tcp(s, st, dir, last ? F_PSH | F_ACK : F_ACK, seq, seq_of(s, rcv), o, l, M_NONE);
			if (last && tail_loss) {
				if (j % 2 == 1) /* the pair's ACK covers only the first of the two */
					add_tcp(s, st + answer, rcv, F_ACK, seq_of(s, rcv), seq, 0, 0, M_NONE);
				st += 2 * rtt > 10000 ? 2 * rtt : 10000;
				add_tcp(s, st, dir, F_PSH | F_ACK, seq, seq_of(s, rcv), o, l, M_RETRANS);
			}
			if (j % 2 == 1 || last) {
				last_ack = st + answer;
				add_tcp(s, last_ack, rcv, F_ACK, seq_of(s, rcv), seq + l, 0, 0, M_NONE);
			}
		}
		/* The next burst when the first ACK is back, not before this one is out. */
		t = bt + rtt > st + 12 ? bt + rtt : st + 12;
		cwnd = cwnd * 2 > 40 ? 40 : cwnd * 2;
	}
	s->sent[dir] += total;
	return last_ack;
}

/* Types whose dissectors accept any text body (tshark would call a random "image/png" broken). */
static const char *const ctypes[] = { "text/html", "text/plain", "text/css",
				      "application/octet-stream" };

static void gen_tcp(struct sess *s, int64_t t)
{
	int64_t rtt = (int64_t)logu(200, 40000);
	struct pk *p;
	s->isn[0] = (uint32_t)rng();
	s->isn[1] = (uint32_t)rng();
	bool refused = chance(20);
	if (refused)
		s->sport = 8443; /* nothing listens there */
	p = add_tcp(s, t, 0, F_SYN, s->isn[0], 0, 0, 0, M_SYN);
	p->win = s->c.v6 ? 64800 : 64240;
	t += srv_delay();
	if (refused) {
		add_tcp(s, t, 1, F_RST | F_ACK, 0, s->isn[0] + 1, 0, 0, M_REFUSED);
		return;
	}
	p = add_tcp(s, t, 1, F_SYN | F_ACK, s->isn[1], s->isn[0] + 1, 0, 0, M_NONE);
	p->win = s->c.v6 ? 64800 : 65160;
	t += rtt;
	add_tcp(s, t, 0, F_ACK, s->isn[0] + 1, s->isn[1] + 1, 0, 0, M_HANDSHAKE);

	int nex = 1;
	while (nex < MAX_EXCHANGES && chance(400))
		nex++;
	for (int e = 0; e < nex; e++) {
		char hdr[HDR_MAX];
		t += e == 0 ? (int64_t)uni(10, 300) : (int64_t)logu(500, 100000);
		bool post = chance(150);
		uint32_t body = post ? (uint32_t)logu(200, 14000) : 0;
		http_request(s, hdr, post, body, (uint32_t)logu(120, 900));
		t = send_data(s, 0, t, add_msg(s, 0, s->sent[0], hdr, body), rtt, false);
		t += (int64_t)logu(100, 5000); /* the server works on it */
		uint32_t bl = chance(50) ? 0 : (uint32_t)logu(50, 200000);
		snprintf(hdr, sizeof hdr,
			 "HTTP/1.1 %s\r\nServer: bench\r\nContent-Type: %s\r\nContent-Length: %" PRIu32
			 "\r\n\r\n",
			 bl ? "200 OK" : "204 No Content",
			 ctypes[rng() % (sizeof ctypes / sizeof *ctypes)], bl);
		t = send_data(s, 1, t, add_msg(s, 1, s->sent[1], hdr, bl), rtt, chance(10));
	}

	t += (int64_t)logu(1000, 200000);
	unsigned r = (unsigned)uni(0, 999);
	if (r < 30)
		return; /* still open when the capture ends */
	if (r < 130) { /* the client aborts */
		add_tcp(s, t, 0, F_RST | F_ACK, seq_of(s, 0), seq_of(s, 1), 0, 0, M_RESET);
		return;
	}
	int c = chance(700) ? 0 : 1, o = !c; /* who closes first, the other */
	int64_t d_o = o == 1 ? srv_delay() : rtt, d_c = c == 1 ? srv_delay() : rtt;
	add_tcp(s, t, c, F_FIN | F_ACK, seq_of(s, c), seq_of(s, o), 0, 0, M_NONE);
	t += d_o;
	if (chance(700)) { /* three-way: the other's FIN carries the ACK */
		add_tcp(s, t, o, F_FIN | F_ACK, seq_of(s, o), seq_of(s, c) + 1, 0, 0, M_NONE);
	} else {
		add_tcp(s, t, o, F_ACK, seq_of(s, o), seq_of(s, c) + 1, 0, 0, M_NONE);
		t += (int64_t)logu(100, 5000);
		add_tcp(s, t, o, F_FIN | F_ACK, seq_of(s, o), seq_of(s, c) + 1, 0, 0, M_NONE);
	}
	t += d_c;
	add_tcp(s, t, c, F_ACK, seq_of(s, c) + 1, seq_of(s, o) + 1, 0, 0, M_TEARDOWN);
}

/* --- DNS (RFC 1035) and ICMP --- */

static size_t blob_put(struct sess *s, const uint8_t *b, size_t n)
{
	if (s->bloblen + n > sizeof s->blob) {
		fprintf(stderr, "gen_mixed: internal error: blob full\n");
		exit(1);
	}
	memcpy(s->blob + s->bloblen, b, n);
	s->bloblen += n;
	return s->bloblen - n;
}

static void gen_dns(struct sess *s, int64_t t, bool dead)
{
	int nq = (int)uni(1, 3);
	for (int q = 0; q < nq; q++) {
		uint8_t m[300];
		uint16_t id = (uint16_t)rng(), qtype = chance(300) ? 28 : 1;
		size_t n = 12;
		memset(m, 0, 12);
		put16(m, id);
		put16(m + 2, 0x0100); /* standard query, recursion desired */
		put16(m + 4, 1);
		char label[16];
		int ll = snprintf(label, sizeof label, "host%u", (unsigned)uni(1, 5000));
		m[n++] = (uint8_t)ll;
		memcpy(m + n, label, (size_t)ll), n += (size_t)ll;
		m[n++] = 5, memcpy(m + n, "bench", 5), n += 5;
		m[n++] = 7, memcpy(m + n, "example", 7), n += 7;
		m[n++] = 0;
		put16(m + n, qtype), put16(m + n + 2, 1), n += 4;
		size_t qlen = n;
		struct pk *p = add(s, t, 0, K_UDP);
		p->off = (uint32_t)blob_put(s, m, qlen);
		p->len = (uint32_t)qlen;
		p->mark = M_DNS_Q;
		size_t qi = s->npk - 1;
		if (dead) {
			p = add(s, t + srv_delay(), 1, K_UNREACH);
			p->off = (uint32_t)qi;
			p->mark = M_UNREACH;
		} else {
			bool nx = chance(50);
			put16(m + 2, nx ? 0x8183 : 0x8180); /* response, RD, RA; NXDOMAIN or not */
			if (!nx) {
				put16(m + 6, 1);
				put16(m + n, 0xc00c), put16(m + n + 2, qtype), put16(m + n + 4, 1);
				put32(m + n + 6, (uint32_t)uni(30, 3600));
				n += 10;
				struct host a;
				mkhost(&a, qtype == 28, SERVER_GRP, (unsigned)uni(1, SERVERS));
				put16(m + n, qtype == 28 ? 16 : 4), n += 2;
				memcpy(m + n, a.a, qtype == 28 ? 16 : 4), n += qtype == 28 ? 16 : 4;
			}
			p = add(s, t + (int64_t)logu(200, 20000), 1, K_UDP);
			p->off = (uint32_t)blob_put(s, m, n);
			p->len = (uint32_t)n;
			p->mark = M_DNS_A;
		}
		t += (int64_t)logu(1000, 500000);
	}
}

static void gen_ping(struct sess *s, int64_t t)
{
	int n = (int)uni(1, 5);
	uint16_t ident = (uint16_t)rng();
	for (int i = 1; i <= n; i++) {
		struct pk *p = add(s, t, 0, K_ECHO);
		p->seq = (uint32_t)i, p->ack = ident, p->len = 56, p->mark = M_ECHO_REQ;
		if (!chance(50)) {
			p = add(s, t + srv_delay(), 1, K_ECHO);
			p->seq = (uint32_t)i, p->ack = ident, p->len = 56, p->mark = M_ECHO_REP;
		}
		t += 1000000 + (int64_t)uni(0, 300);
	}
}

/* --- frames --- */

/* Builds the frame of p into f (at least 2048 bytes); returns its length. */
static size_t build(struct sess *s, const struct pk *p, uint8_t *f)
{
	const struct host *src = p->dir ? &s->s : &s->c, *dst = p->dir ? &s->c : &s->s;
	bool v6 = src->v6;
	memcpy(f, dst->mac, 6);
	memcpy(f + 6, src->mac, 6);
	put16(f + 12, v6 ? 0x86dd : 0x0800);
	uint8_t *ip = f + 14, *l4 = ip + (v6 ? 40 : 20);
	uint8_t proto = 0;
	size_t l4len = 0;
	bool df = true;

	switch (p->kind) {
	case K_TCP: {
		uint8_t *o = l4 + 20;
		size_t ol = 0;
		uint32_t tsval = s->tsbase[p->dir] + (uint32_t)(p->us / 1000);
		uint32_t tsecr = s->last_tsval[!p->dir];
		if (p->opt == O_SYN && s->ts) { /* Linux: MSS, SACK permitted, timestamps, NOP, WS */
			o[0] = 2, o[1] = 4, put16(o + 2, v6 ? 1440 : 1460);
			o[4] = 4, o[5] = 2;
			o[6] = 8, o[7] = 10, put32(o + 8, tsval), put32(o + 12, tsecr);
			o[16] = 1, o[17] = 3, o[18] = 3, o[19] = 7;
			ol = 20;
		} else if (p->opt == O_SYN) { /* Windows: MSS, NOP, WS, NOP, NOP, SACK permitted */
			o[0] = 2, o[1] = 4, put16(o + 2, v6 ? 1440 : 1460);
			o[4] = 1, o[5] = 3, o[6] = 3, o[7] = 8;
			o[8] = 1, o[9] = 1, o[10] = 4, o[11] = 2;
			ol = 12;
		} else if (p->opt == O_DATA && s->ts) {
			o[0] = 1, o[1] = 1, o[2] = 8, o[3] = 10, put32(o + 4, tsval), put32(o + 8, tsecr);
			ol = 12;
		}
		if (ol && s->ts)
			s->last_tsval[p->dir] = tsval;
		put16(l4, p->dir ? s->sport : s->cport);
		put16(l4 + 2, p->dir ? s->cport : s->sport);
		put32(l4 + 4, p->seq);
		put32(l4 + 8, (p->flags & F_ACK) ? p->ack : 0);
		l4[12] = (uint8_t)(((20 + ol) / 4) << 4);
		l4[13] = p->flags;
		put16(l4 + 14, p->win);
		put32(l4 + 16, 0); /* checksum, urgent pointer */
		stream_bytes(s, p->dir, p->off, p->len, l4 + 20 + ol);
		l4len = 20 + ol + p->len;
		proto = 6;
		break;
	}
	case K_UDP:
		put16(l4, p->dir ? s->sport : s->cport);
		put16(l4 + 2, p->dir ? s->cport : s->sport);
		put16(l4 + 4, (uint16_t)(8 + p->len));
		put16(l4 + 6, 0);
		memcpy(l4 + 8, s->blob + p->off, p->len);
		l4len = 8 + p->len;
		proto = 17;
		df = false;
		break;
	case K_ECHO:
		l4[0] = p->dir ? (v6 ? 129 : 0) : (v6 ? 128 : 8);
		l4[1] = 0;
		put16(l4 + 2, 0);
		put16(l4 + 4, (uint16_t)p->ack);
		put16(l4 + 6, (uint16_t)p->seq);
		put32(l4 + 8, s->salt), put32(l4 + 12, p->seq); /* stands for ping's timeval */
		for (uint32_t i = 8; i < p->len; i++)
			l4[8 + i] = (uint8_t)i;
		l4len = 8 + p->len;
		proto = v6 ? 58 : 1;
		break;
	case K_UNREACH: {
		/* Quote as much of the datagram as keeps the error within 576 (IPv4) or 1280
		 * (IPv6) bytes (RFC 1812 s4.3.2.3, RFC 4443 s3.1). */
		uint8_t q[2048];
		size_t ql = build(s, &s->pk[p->off], q) - 14, max = v6 ? 1280 - 48 : 576 - 28;
		l4[0] = v6 ? 1 : 3;
		l4[1] = v6 ? 4 : 3;
		put16(l4 + 2, 0);
		put32(l4 + 4, 0);
		memcpy(l4 + 8, q + 14, ql < max ? ql : max);
		l4len = 8 + (ql < max ? ql : max);
		proto = v6 ? 58 : 1;
		df = false;
		break;
	}
	}

	uint32_t acc;
	if (v6) {
		put32(ip, 0x60000000u | (p->kind == K_TCP ? s->salt * 2654435761u >> 12 : 0));
		put16(ip + 4, (uint16_t)l4len);
		ip[6] = proto;
		ip[7] = 64;
		memcpy(ip + 8, src->a, 16);
		memcpy(ip + 24, dst->a, 16);
		uint8_t ph[40];
		memcpy(ph, src->a, 16), memcpy(ph + 16, dst->a, 16);
		put32(ph + 32, (uint32_t)l4len), put32(ph + 36, proto);
		acc = sum16(ph, sizeof ph, 0);
	} else {
		ip[0] = 0x45, ip[1] = 0;
		put16(ip + 2, (uint16_t)(20 + l4len));
		put16(ip + 4, p->ipid);
		put16(ip + 6, df ? 0x4000 : 0);
		ip[8] = p->dir ? s->ttl[1] : s->ttl[0];
		ip[9] = proto;
		put16(ip + 10, 0);
		memcpy(ip + 12, src->a, 4);
		memcpy(ip + 16, dst->a, 4);
		put16(ip + 10, fold(sum16(ip, 20, 0)));
		uint8_t ph[12];
		memcpy(ph, src->a, 4), memcpy(ph + 4, dst->a, 4);
		ph[8] = 0, ph[9] = proto, put16(ph + 10, (uint16_t)l4len);
		acc = proto == 1 ? 0 : sum16(ph, sizeof ph, 0); /* ICMPv4: no pseudo-header */
	}
	uint16_t ck = fold(sum16(l4, l4len, acc));
	switch (proto) {
	case 6: put16(l4 + 16, ck); break;
	case 17: put16(l4 + 6, ck ? ck : 0xffff); break; /* 0 means "none" (RFC 768) */
	default: put16(l4 + 2, ck); break;
	}
	return (size_t)(l4 + l4len - f);
}

/* --- sessions, merged by the time of their next frame --- */

static unsigned v6_pm = 100;
static uint64_t sess_ids;

static int cmp_pk(const void *a, const void *b)
{
	const struct pk *x = a, *y = b;
	if (x->us != y->us)
		return x->us < y->us ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static struct sess *spawn(int64_t t)
{
	static const uint16_t http_ports[] = { 80, 80, 80, 8080, 8888 };
	struct sess *s = calloc(1, sizeof *s);
	if (!s) {
		fprintf(stderr, "gen_mixed: out of memory\n");
		exit(1);
	}
	s->id = sess_ids++;
	bool v6 = chance(v6_pm);
	unsigned r = (unsigned)uni(0, 999);
	s->type = r < 550 ? S_TCP : r < 900 ? S_DNS : S_PING;
	unsigned cid = (unsigned)uni(0, CLIENTS - 1);
	mkhost(&s->c, v6, CLIENT_GRP, cid);
	s->cport = (uint16_t)(32768 + next_port[cid]++ % 28232);
	s->ttl[0] = chance(300) ? 128 : 64;
	s->ttl[1] = 64;
	s->ts = s->ttl[0] == 64 && chance(950); /* Windows clients send no timestamps */
	s->mss[0] = s->mss[1] = (uint16_t)((v6 ? 1440 : 1460) - (s->ts ? 12 : 0));
	s->ipid[0] = (uint16_t)rng();
	s->ipid[1] = (uint16_t)rng();
	s->tsbase[0] = (uint32_t)rng();
	s->tsbase[1] = (uint32_t)rng();
	s->salt = (uint32_t)(rng() % PATTERN_LEN);
	switch (s->type) {
	case S_TCP:
		mkhost(&s->s, v6, SERVER_GRP, (unsigned)uni(1, SERVERS));
		s->sport = http_ports[rng() % (sizeof http_ports / sizeof *http_ports)];
		gen_tcp(s, t);
		break;
	case S_DNS: {
		bool dead = chance(100);
		if (dead)
			mkhost(&s->s, v6, DEAD_GRP, (unsigned)uni(1, DEAD_SERVERS));
		else
			mkhost(&s->s, v6, DNS_GRP, (unsigned)uni(1, DNS_SERVERS));
		s->sport = 53;
		gen_dns(s, t, dead);
		break;
	}
	default:
		mkhost(&s->s, v6, SERVER_GRP, (unsigned)uni(1, SERVERS));
		gen_ping(s, t);
		break;
	}
	qsort(s->pk, s->npk, sizeof *s->pk, cmp_pk);
	return s;
}

static struct sess **heap;
static size_t nheap;

static bool before(const struct sess *a, const struct sess *b)
{
	int64_t x = a->pk[a->next].us, y = b->pk[b->next].us;
	return x != y ? x < y : a->id < b->id;
}

static void sift_down(size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < nheap && before(heap[l], heap[m]))
			m = l;
		if (r < nheap && before(heap[r], heap[m]))
			m = r;
		if (m == i)
			return;
		struct sess *t = heap[i];
		heap[i] = heap[m], heap[m] = t;
		i = m;
	}
}

static void push(struct sess *s)
{
	size_t i = nheap++;
	heap[i] = s;
	while (i && before(heap[i], heap[(i - 1) / 2])) {
		struct sess *t = heap[i];
		heap[i] = heap[(i - 1) / 2], heap[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static void free_sess(struct sess *s)
{
	free(s->pk);
	free(s);
}

static bool parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *v)
{
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || x < lo || x > hi)
		return false;
	*v = x;
	return true;
}

static void usage(FILE *o)
{
	fprintf(o, "Usage: gen_mixed -o FILE [-n COUNT] [-c CONC] [-6 PERMILLE] [-s SEED] [-w]\n"
		   "  -n COUNT     frames to write (default 1000000)\n"
		   "  -c CONC      sessions in progress at once (default 400)\n"
		   "  -6 PERMILLE  sessions over IPv6 (default 100 = 10%%)\n"
		   "  -s SEED      PRNG seed (default 1)\n"
		   "  -w           IPv4 addresses spread over the unicast space, not 10.77.0.0/16\n");
}

int main(int argc, char **argv)
{
	const char *out = NULL;
	uint64_t count = 1000000, conc = 400, v6 = 100, seed = 1;
	int ch;
	while ((ch = getopt(argc, argv, "o:n:c:6:s:wh")) != -1) {
		bool ok = true;
		switch (ch) {
		case 'o': out = optarg; break;
		case 'n': ok = parse_u64(optarg, 1, 100000000, &count); break;
		case 'c': ok = parse_u64(optarg, 1, 100000, &conc); break;
		case '6': ok = parse_u64(optarg, 0, 1000, &v6); break;
		case 's': ok = parse_u64(optarg, 0, UINT64_MAX, &seed); break;
		case 'w': wide_v4 = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
		if (!ok) {
			fprintf(stderr, "gen_mixed: invalid -%c '%s'\n", ch, optarg);
			return 2;
		}
	}
	if (!out || optind != argc) {
		usage(stderr);
		return 2;
	}
	v6_pm = (unsigned)v6;
	struct pcapw out_file;
	if (pcapw_open(&out_file, "gen_mixed", out) < 0)
		return 1;
	rng_seed(seed);
	/* Bodies: printable text, so that nothing mistakes them for a protocol's header. */
	for (size_t i = 0; i < PATTERN_LEN; i++)
		pattern[i] = (uint8_t)(i % 64 == 63 ? '\n' : 'a' + rng() % 26);

	heap = xrealloc(NULL, (size_t)conc * sizeof *heap);
	/* Sessions start over the first 100 ms, then one starts whenever one ends. */
	for (uint64_t i = 0; i < conc; i++)
		push(spawn((int64_t)(i * 100000 / conc)));

	const int64_t t0 = T0_SEC * 1000000;
	uint64_t marks[M_COUNT] = { 0 }, v6_frames = 0, bytes = 0, written = 0;
	int64_t now = 0;
	uint8_t f[2048];
	while (written < count) {
		struct sess *s = heap[0];
		struct pk *p = &s->pk[s->next++];
		size_t len = build(s, p, f);
		now = p->us;
		pcapw_frame(&out_file, t0 + now, f, len);
		written++;
		bytes += len;
		marks[p->mark]++;
		v6_frames += s->c.v6;
		if (s->next == s->npk) {
			free_sess(s);
			/* The next session starts a moment later (up to 1 ms). */
			heap[0] = spawn(now + (int64_t)uni(0, 1000));
		}
		sift_down(0);
	}
	if (pcapw_close(&out_file) < 0)
		return 1;
	for (size_t i = 0; i < nheap; i++)
		free_sess(heap[i]);
	free(heap);

	printf("packets=%" PRIu64 "\nbytes=%" PRIu64 "\nipv6_frames=%" PRIu64 "\n", written, bytes,
	       v6_frames);
	printf("duration_us=%" PRId64 "\nframes_per_s=%" PRIu64 "\n", now,
	       now ? written * 1000000 / (uint64_t)now : 0);
	for (int m = M_SYN; m < M_COUNT; m++)
		printf("%s=%" PRIu64 "\n", mark_names[m], marks[m]);
	return 0;
}
