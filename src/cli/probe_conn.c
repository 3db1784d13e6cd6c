/* probe_conn.c - the socket probes of an unprivileged run: `ping --syn` and `trace --syn` by
 * connect() (probe/connect.c does one connect), `--udp` by a UDP socket per probe
 * (probe/udpsock.c). A bounded table of the ones in flight, polled: each connect's outcome
 * becomes an answer for the run's usual callback, with the time the kernel finished the
 * handshake (or read the ICMP error that ended it) as its RTT, as nping --tcp-connect
 * measures; what a UDP socket reads is rebuilt as a packet for the reply path. With a fixed
 * flow (Paris, trace --report/--live) --udp has one socket for the whole run instead, as
 * paris-traceroute keeps one 5-tuple: the probes are told apart by the sequence number in their
 * data, which the error queue gives back with each ICMP error (the quoted data past the UDP
 * header, __udp4_lib_err / __udp6_lib_err -> ip_icmp_error / ipv6_icmp_error). */
#include <errno.h>
#include <pcap/dlt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe_conn.h"
#include "probe_run.h"

int probe_conn_init(struct probe_conn *c, uint32_t scope_id, char *err, size_t errlen)
{
	memset(c, 0, sizeof *c);
	c->scope_id = scope_id;
	c->flow_fd = -1;
	c->cap = PROBE_CONN_MAX;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < (rlim_t)c->cap + 32)
		c->cap = rl.rlim_cur > 64 ? (uint32_t)rl.rlim_cur - 32 : 16;
	c->slot = calloc(c->cap, sizeof *c->slot);
	if (!c->slot) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (uint32_t i = 0; i < c->cap; i++)
		c->slot[i].fd = -1;
	return 0;
}

/* A free slot; with none, the oldest connect still waiting is given up (it stays silent). */
static struct probe_conn_slot *free_slot(struct probe_conn *c)
{
	struct probe_conn_slot *oldest = NULL;
	for (uint32_t i = 0; i < c->cap; i++) {
		struct probe_conn_slot *s = &c->slot[i];
		if (s->fd < 0 && !s->done)
			return s;
		if (s->fd >= 0 && (!oldest || s->seq < oldest->seq))
			oldest = s;
	}
	if (!oldest)
		return NULL;
	close(oldest->fd);
	oldest->fd = -1;
	c->given_up++;
	return oldest;
}

/* A UDP probe: its own socket, bound to the source port the probe has on the wire (udp.c),
 * sending the data np_probe_build puts after the UDP header. */
static int udp_send(struct probe_conn_slot *sl, const struct np_probe_spec *s, uint32_t seq,
		    uint8_t ttl, uint32_t scope_id, char *err, size_t errlen)
{
	uint8_t pkt[NP_PROBE_MAX_BYTES];
	int len = np_probe_build(s, seq, ttl ? ttl : 64, pkt, sizeof pkt, err, errlen);
	if (len < 0)
		return -1;
	size_t at = (s->ver == 4 ? 20u : 40u) + 8u;
	struct np_udpsock_ids *id = &sl->ids;
	id->ver = s->ver;
	memcpy(id->us, s->src, 16);
	memcpy(id->dst, s->dst, 16);
	id->sport = (uint16_t)(s->sport + seq);
	id->dport = np_probe_dport(s, seq);
	int fd;
	if (np_udpsock_open(s->ver, s->dst, id->sport, id->dport, scope_id, ttl, &fd, err,
			    errlen) < 0)
		return -1;
	sl->fd = fd;
	sl->udp = true;
	return np_udpsock_send(fd, pkt + at, (size_t)len - at, err, errlen);
}

/* Paris --udp: probe seq on the run's one socket (opened at the first probe, bound to the
 * spec's source port), its TTL set first when it changes. */
static int flow_send(struct probe_conn *c, const struct np_probe_spec *s, uint32_t seq,
		     uint8_t ttl, int64_t *sent_us, char *err, size_t errlen)
{
	uint8_t pkt[NP_PROBE_BIG_BYTES];
	int len = np_probe_build(s, seq, ttl ? ttl : 64, pkt, sizeof pkt, err, errlen);
	if (len < 0)
		return -1;
	if (c->flow_fd < 0) {
		if (np_udpsock_open(s->ver, s->dst, s->sport, np_probe_dport(s, seq), c->scope_id, ttl,
				    &c->flow_fd, err, errlen) < 0)
			return -1;
		c->flow_spec = s;
		c->flow_ttl = ttl;
	} else if (ttl && ttl != c->flow_ttl) {
		if (np_udpsock_hops(c->flow_fd, s->ver, ttl, err, errlen) < 0)
			return -1;
		c->flow_ttl = ttl;
	}
	size_t at = (s->ver == 4 ? 20u : 40u) + 8u;
	*sent_us = probe_now_us();
	return np_udpsock_send(c->flow_fd, pkt + at, (size_t)len - at, err, errlen);
}

int probe_conn_send(struct probe_conn *c, const struct np_probe_spec *s, uint32_t seq,
		    uint8_t ttl, int64_t *sent_us, char *err, size_t errlen)
{
	if (s->kind == NP_PROBE_UDP && s->paris)
		return flow_send(c, s, seq, ttl, sent_us, err, errlen);
	struct probe_conn_slot *sl = free_slot(c);
	if (!sl) {
		snprintf(err, errlen, "every connect() slot holds an answer not yet read");
		return -1;
	}
	*sl = (struct probe_conn_slot){ .fd = -1, .seq = seq, .spec = s };
	*sent_us = probe_now_us();
	if (s->kind == NP_PROBE_UDP)
		return udp_send(sl, s, seq, ttl, c->scope_id, err, errlen);
	int fd, result = 0;
	int rc = np_connect_start(s->ver, s->dst, np_probe_dport(s, seq), c->scope_id, ttl, &fd,
				  &result, err, errlen);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		close(fd);
		sl->done = true;
		sl->result = result;
		sl->done_us = probe_now_us();
		return 0;
	}
	sl->fd = fd;
	return 0;
}

int probe_conn_udp_next(struct probe_conn *c, int timeout_ms, uint8_t *buf, size_t cap,
			size_t *len, int64_t *ts_us, char *err, size_t errlen)
{
	struct pollfd pfd[PROBE_CONN_MAX];
	uint32_t at[PROBE_CONN_MAX], n = 0;
	for (uint32_t i = 0; i < c->cap; i++)
		if (c->slot[i].fd >= 0 && c->slot[i].udp) {
			pfd[n] = (struct pollfd){ .fd = c->slot[i].fd, .events = POLLIN };
			at[n++] = i;
		}
	if (poll(pfd, n, timeout_ms) <= 0)
		return 0;
	*ts_us = probe_now_us();
	for (uint32_t k = 0; k < n; k++) {
		if (!pfd[k].revents)
			continue;
		struct probe_conn_slot *s = &c->slot[at[k]];
		int rc = np_udpsock_recv(s->fd, &s->ids, buf, cap, len, ts_us);
		if (rc < 0 && errno != ECONNREFUSED && errno != EHOSTUNREACH) {
			snprintf(err, errlen, "UDP probe socket: %s", strerror(errno));
			return -1;
		}
		if (rc == 1) { /* answered: what else comes is a duplicate, not read */
			close(s->fd);
			s->fd = -1;
			return 1;
		}
	}
	return 0;
}

/* An answer with no packet read (a connect's outcome, an error queue entry) to fn, at us. */
static void give(struct probe_conn *c, const struct np_probe_spec *s, int64_t us,
		 struct np_probe_answer *a, probe_answer_fn fn, void *arg)
{
	struct np_frame f = { .n = ++c->frames, .ts_sec = us / 1000000,
			      .ts_usec = (uint32_t)(us % 1000000), .dlt = DLT_RAW };
	static struct np_packet p; /* no layers: no packet was read */
	memset(&p, 0, sizeof p);
	p.frame = &f;
	memcpy(a->dst, s->dst, 16);
	fn(arg, &p, a);
}

int probe_conn_flow_poll(struct probe_conn *c, int timeout_ms, probe_answer_fn fn, void *arg,
			 char *err, size_t errlen)
{
	if (c->flow_fd < 0)
		return poll(NULL, 0, timeout_ms) < 0 && errno != EINTR ? -1 : 0;
	struct pollfd pfd = { .fd = c->flow_fd, .events = POLLIN };
	if (poll(&pfd, 1, timeout_ms) <= 0)
		return 0;
	const struct np_probe_spec *s = c->flow_spec;
	uint8_t data[NP_PROBE_MAX_BYTES];
	for (int i = 0; i < 64; i++) { /* bounded: what the queue holds now */
		struct np_errq e = { .ts_us = probe_now_us() };
		size_t n = 0;
		uint32_t seq, mtu = 0;
		int rc = np_errqueue_read(c->flow_fd, s->ver, &e, data, sizeof data, &n);
		if (rc < 0) {
			snprintf(err, errlen, "UDP probe socket: %s", strerror(errno));
			return -1;
		}
		if (rc == 0)
			break;
		/* a local error (EMSGSIZE), or a router that quoted no data: not a probe's */
		if (!e.icmp || !np_udp_paris_seq(data, n, &seq))
			continue;
		if ((s->ver == 4 && e.type == 3 && e.code == 4) || (s->ver == 6 && e.type == 2))
			mtu = e.info; /* RFC 1191, RFC 4443 s3.2 */
		struct np_probe_answer a;
		memset(&a, 0, sizeof a);
		if (np_probe_error_answer(s, seq, e.type, e.code, mtu, e.from, &a))
			give(c, s, e.ts_us, &a, fn, arg);
	}
	/* The target's own UDP answers cannot say which probe they answer (one port pair, as
	 * with raw Paris probes: udp.c); reading them also clears the socket's pending error. */
	for (int i = 0; i < 64; i++) {
		struct iovec iov = { .iov_base = data, .iov_len = sizeof data };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		if (recvmsg(c->flow_fd, &mh, MSG_DONTWAIT) < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
	}
	return 0;
}

/* Hand the finished connects to fn. */
static int deliver(struct probe_conn *c, probe_answer_fn fn, void *arg, char *err, size_t errlen)
{
	for (uint32_t i = 0; i < c->cap; i++) {
		struct probe_conn_slot *s = &c->slot[i];
		if (!s->done)
			continue;
		s->done = false;
		struct np_probe_answer a;
		memset(&a, 0, sizeof a);
		enum np_probe_verdict v = NP_PV_FILTERED;
		/* trace: a router's time exceeded, or an unreachable, named by the error queue */
		bool by_icmp = s->icmp &&
			       np_probe_error_answer(s->spec, s->seq, s->type, s->code, 0, s->from,
						     &a);
		if (!by_icmp && !np_connect_verdict(s->result, &v)) {
			snprintf(err, errlen, "connect to port %u: %s", np_probe_dport(s->spec, s->seq),
				 strerror(s->result));
			return -1;
		}
		if (!by_icmp)
			np_probe_answer_set(&a, s->seq, v, true, s->spec->dst, s->spec->ver);
		a.dport = np_probe_dport(s->spec, s->seq);
		give(c, s->spec, s->done_us, &a, fn, arg);
	}
	return 0;
}

int probe_conn_poll(struct probe_conn *c, int timeout_ms, probe_answer_fn fn, void *arg,
		    char *err, size_t errlen)
{
	struct pollfd pfd[PROBE_CONN_MAX];
	uint32_t at[PROBE_CONN_MAX], n = 0;
	for (uint32_t i = 0; i < c->cap; i++)
		if (c->slot[i].fd >= 0 && !c->slot[i].udp) {
			pfd[n] = (struct pollfd){ .fd = c->slot[i].fd, .events = POLLOUT };
			at[n++] = i;
		}
	bool ready = false;
	for (uint32_t i = 0; i < c->cap && !ready; i++)
		ready = c->slot[i].done;
	int rc = poll(pfd, n, ready ? 0 : timeout_ms);
	int64_t now = probe_now_us();
	for (uint32_t k = 0; rc > 0 && k < n; k++) {
		if (!pfd[k].revents)
			continue;
		struct probe_conn_slot *s = &c->slot[at[k]];
		s->result = np_connect_result(s->fd);
		struct np_errq e = { .ts_us = now };
		uint8_t q[64];
		size_t qn;
		if (s->result && np_errqueue_read(s->fd, s->spec->ver, &e, q, sizeof q, &qn) == 1 &&
		    e.icmp) { /* who ended it (trace's hop limit; IP_RECVERR) */
			s->icmp = true;
			s->type = e.type;
			s->code = e.code;
			memcpy(s->from, e.from, 16);
		}
		close(s->fd);
		s->fd = -1;
		s->done = true;
		s->done_us = e.ts_us; /* the kernel's time of the ICMP error, else now */
	}
	return deliver(c, fn, arg, err, errlen);
}

void probe_conn_close(struct probe_conn *c)
{
	for (uint32_t i = 0; c->slot && i < c->cap; i++)
		if (c->slot[i].fd >= 0)
			close(c->slot[i].fd);
	free(c->slot);
	c->slot = NULL;
	if (c->flow_fd >= 0)
		close(c->flow_fd);
	c->flow_fd = -1;
}
