/* udpsock.c - probes through ordinary sockets, for a user without CAP_NET_RAW: UDP probes as
 * traceroute and tracepath send them unprivileged (a UDP socket per probe with IP_RECVERR /
 * IPV6_RECVERR, its TTL set with IP_TTL / IPV6_UNICAST_HOPS, RFC 1122 s4.1.3.3's "pass ICMP
 * errors up"), and the error queue (MSG_ERRQUEUE, linux/errqueue.h) that also tells a TTL-limited
 * connect() who refused it. What a socket reads is rebuilt as the IP packet that carried it
 * (an answer: IP + UDP; an ICMP error: IP + ICMP + the probe quoted with the bytes the kernel
 * kept), so that the reply path decodes and matches it as any captured answer; the fields the
 * kernel does not pass up (the IP id, TOS, flags; the TTL of an error) are 0 there. */
#include <errno.h>
#include <time.h> /* before linux/errqueue.h, which uses struct timespec */
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "netprobe/probe.h"

/* The socket options of an unprivileged probe socket: errors to the error queue, the answers'
 * TTL and kernel time, and the probe's own TTL (0: the default). */
static int set_opts(int fd, uint8_t ver, uint8_t ttl)
{
	int on = 1, t = ttl;
	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMP, &on, sizeof on) < 0)
		return -1;
	if (ver == 4)
		return setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof on) < 0 ||
			       setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &on, sizeof on) < 0 ||
			       (ttl && setsockopt(fd, IPPROTO_IP, IP_TTL, &t, sizeof t) < 0)
		       ? -1
		       : 0;
	return setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof on) < 0 ||
		       setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof on) < 0 ||
		       (ttl && setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &t, sizeof t) < 0)
	       ? -1
	       : 0;
}

int np_sock_errors_on(int fd, uint8_t ver, uint8_t ttl, char *err, size_t errlen)
{
	if (set_opts(fd, ver, ttl) < 0) {
		snprintf(err, errlen, "setsockopt(IP%s_RECVERR): %s", ver == 4 ? "" : "V6",
			 strerror(errno));
		return -1;
	}
	return 0;
}

int np_udpsock_open(uint8_t ver, const uint8_t dst[16], uint16_t sport, uint16_t dport,
		    uint32_t scope_id, uint8_t ttl, int *fd, char *err, size_t errlen)
{
	int af = ver == 4 ? AF_INET : AF_INET6;
	*fd = socket(af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (*fd < 0) {
		snprintf(err, errlen, "UDP socket: %s", strerror(errno));
		return -1;
	}
	struct sockaddr_storage me, to;
	static const uint8_t any[16];
	socklen_t ml = np_probe_sockaddr(ver, any, sport, 0, &me);
	socklen_t tl = np_probe_sockaddr(ver, dst, dport, scope_id, &to);
	/* Bound to the source port probe N has on the wire when built whole (udp.c), so that
	 * the same module matches its answers; connected, so only the target's answers arrive. */
	if (set_opts(*fd, ver, ttl) < 0 || bind(*fd, (struct sockaddr *)&me, ml) < 0 ||
	    connect(*fd, (struct sockaddr *)&to, tl) < 0) {
		snprintf(err, errlen, "UDP socket (source port %u): %s", sport, strerror(errno));
		close(*fd);
		*fd = -1;
		return -1;
	}
	return 0;
}

int np_udpsock_hops(int fd, uint8_t ver, uint8_t ttl, char *err, size_t errlen)
{
	int t = ttl;
	if (setsockopt(fd, ver == 4 ? IPPROTO_IP : IPPROTO_IPV6, ver == 4 ? IP_TTL : IPV6_UNICAST_HOPS,
		       &t, sizeof t) < 0) {
		snprintf(err, errlen, "setsockopt(%s): %s", ver == 4 ? "IP_TTL" : "IPV6_UNICAST_HOPS",
			 strerror(errno));
		return -1;
	}
	return 0;
}

static bool pending_error(int e)
{
	return e == ECONNREFUSED || e == EHOSTUNREACH || e == ENETUNREACH || e == EPROTO ||
	       e == EMSGSIZE;
}

int np_udpsock_send(int fd, const uint8_t *data, size_t n, char *err, size_t errlen)
{
	ssize_t rc = send(fd, data, n, 0);
	/* An ICMP error about an earlier probe on this socket (one socket for a whole trace)
	 * is reported by this send, which then sent nothing (sock_alloc_send_pskb returns the
	 * socket's pending error and clears it; the error itself stays on the error queue):
	 * send again, once. */
	if (rc < 0 && pending_error(errno))
		rc = send(fd, data, n, 0);
	/* an error the kernel already knows for this destination (a cached unreachable) is the
	 * probe's answer, which the error queue holds: not a failure to send */
	if (rc < 0 && !pending_error(errno)) {
		snprintf(err, errlen, "send: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int np_errqueue_read(int fd, uint8_t ver, struct np_errq *e, uint8_t *data, size_t cap,
		     size_t *n)
{
	uint8_t ctl[512];
	struct sockaddr_storage to;
	struct iovec iov = { .iov_base = data, .iov_len = cap };
	struct msghdr mh = { .msg_name = &to, .msg_namelen = sizeof to, .msg_iov = &iov,
			     .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl };
	ssize_t rc = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_ERRQUEUE);
	if (rc < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	*n = (size_t)rc;
	memset(e, 0, sizeof e->from);
	e->icmp = false;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMP) {
			struct timeval tv;
			memcpy(&tv, CMSG_DATA(c), sizeof tv);
			e->ts_us = (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
		}
		if (!((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
		      (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)))
			continue;
		struct sock_extended_err ee;
		memcpy(&ee, CMSG_DATA(c), sizeof ee);
		e->icmp = ee.ee_origin == (ver == 4 ? SO_EE_ORIGIN_ICMP : SO_EE_ORIGIN_ICMP6);
		e->type = ee.ee_type;
		e->code = ee.ee_code;
		e->info = ee.ee_info;
		struct sockaddr_storage off;
		memcpy(&off, SO_EE_OFFENDER((struct sock_extended_err *)CMSG_DATA(c)),
		       ver == 4 ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
		if (ver == 4)
			memcpy(e->from, &((struct sockaddr_in *)&off)->sin_addr, 4);
		else
			memcpy(e->from, &((struct sockaddr_in6 *)&off)->sin6_addr, 16);
	}
	return 1;
}

/* The Internet checksum (RFC 1071) of b, continuing from sum s (not yet folded). */
static uint32_t sum16(uint32_t s, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	return s;
}

static void put_csum(uint8_t *at, uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	s = ~s & 0xffff;
	at[0] = (uint8_t)(s >> 8);
	at[1] = (uint8_t)s;
}

/* An IP header at b for `l4` bytes of protocol `proto`; returns its length (20 or 40). */
static size_t ip_hdr(uint8_t *b, uint8_t ver, size_t l4, uint8_t proto, uint8_t ttl,
		     const uint8_t *src, const uint8_t *dst)
{
	size_t alen = ver == 4 ? 4 : 16, h = ver == 4 ? 20 : 40;
	memset(b, 0, h);
	if (ver == 4) {
		b[0] = 0x45;
		b[2] = (uint8_t)((20 + l4) >> 8);
		b[3] = (uint8_t)(20 + l4);
		b[8] = ttl;
		b[9] = proto;
	} else {
		b[0] = 0x60;
		b[4] = (uint8_t)(l4 >> 8);
		b[5] = (uint8_t)l4;
		b[6] = proto;
		b[7] = ttl;
	}
	memcpy(b + (ver == 4 ? 12 : 8), src, alen);
	memcpy(b + (ver == 4 ? 16 : 24), dst, alen);
	if (ver == 4)
		put_csum(b + 10, sum16(0, b, 20));
	return h;
}

/* The checksum of an upper layer at l4 (n bytes, protocol proto) with its pseudo-header
 * (RFC 768; RFC 8200 s8.1; ICMP over IPv4 has none), into l4 + at. */
static void l4_csum(uint8_t *l4, size_t n, size_t at, uint8_t ver, uint8_t proto,
		    const uint8_t *src, const uint8_t *dst)
{
	size_t alen = ver == 4 ? 4 : 16;
	uint32_t s = 0;
	if (!(ver == 4 && proto == 1)) {
		s = sum16(sum16(0, src, alen), dst, alen);
		s += proto + (uint32_t)(n >> 16) + (uint32_t)(n & 0xffff);
	}
	l4[at] = l4[at + 1] = 0;
	put_csum(l4 + at, sum16(s, l4, n));
}

static size_t udp_hdr(uint8_t *b, uint16_t sport, uint16_t dport, size_t n)
{
	b[0] = (uint8_t)(sport >> 8);
	b[1] = (uint8_t)sport;
	b[2] = (uint8_t)(dport >> 8);
	b[3] = (uint8_t)dport;
	b[4] = (uint8_t)((8 + n) >> 8);
	b[5] = (uint8_t)(8 + n);
	b[6] = b[7] = 0;
	return 8;
}

size_t np_udpsock_answer(const struct np_udpsock_ids *id, uint8_t ttl, const uint8_t *data,
			 size_t n, uint8_t *buf, size_t cap)
{
	size_t h = id->ver == 4 ? 20 : 40;
	if (cap < h + 8 || n > cap - h - 8)
		n = cap < h + 8 ? 0 : cap - h - 8;
	ip_hdr(buf, id->ver, 8 + n, 17, ttl, id->dst, id->us);
	udp_hdr(buf + h, id->dport, id->sport, n);
	if (n)
		memcpy(buf + h + 8, data, n);
	l4_csum(buf + h, 8 + n, 6, id->ver, 17, id->dst, id->us);
	return h + 8 + n;
}

size_t np_udpsock_error(const struct np_udpsock_ids *id, const struct np_errq *e,
			const uint8_t *data, size_t n, uint8_t *buf, size_t cap)
{
	size_t h = id->ver == 4 ? 20 : 40, head = 2 * h + 16;
	if (cap < head)
		return 0;
	if (n > cap - head)
		n = cap - head;
	uint8_t proto = id->ver == 4 ? 1 : 58;
	uint8_t *icmp = buf + h, *q = icmp + 8;
	memset(icmp, 0, 8);
	icmp[0] = e->type;
	icmp[1] = e->code;
	/* the next-hop MTU: RFC 1191 (in the second half of the unused word), RFC 4443 s3.2 */
	if ((id->ver == 4 && e->type == 3 && e->code == 4) || (id->ver == 6 && e->type == 2)) {
		if (id->ver == 6) {
			icmp[4] = (uint8_t)(e->info >> 24);
			icmp[5] = (uint8_t)(e->info >> 16);
		}
		icmp[6] = (uint8_t)(e->info >> 8);
		icmp[7] = (uint8_t)e->info;
	}
	/* the probe as it left (its TTL unknown: 1), its UDP header and the data quoted */
	ip_hdr(q, id->ver, 8 + n, 17, 1, id->us, id->dst);
	udp_hdr(q + h, id->sport, id->dport, n);
	if (n) /* a router that quoted only the UDP header left no data (and maybe no pointer) */
		memcpy(q + h + 8, data, n);
	size_t l4 = 8 + h + 8 + n;
	ip_hdr(buf, id->ver, l4, proto, 0, e->from, id->us);
	l4_csum(icmp, l4, 2, id->ver, proto, e->from, id->us);
	return h + l4;
}

int np_udpsock_recv(int fd, const struct np_udpsock_ids *id, uint8_t *buf, size_t cap,
		    size_t *len, int64_t *ts_us)
{
	uint8_t data[NP_PROBE_MAX_BYTES];
	uint8_t ctl[512];
	struct iovec iov = { .iov_base = data, .iov_len = sizeof data };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			     .msg_controllen = sizeof ctl };
	ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) /* POLLERR: the queue alone */
		n = -1, errno = EPROTO;
	if (n < 0 && errno != EINTR && errno != EBADF && errno != ENOTSOCK) {
		/* the socket's pending error (an ICMP error, RFC 1122 s4.1.3.3): the queue tells
		 * who sent it and what */
		struct np_errq e = { .ts_us = *ts_us };
		size_t q = 0;
		int rc = np_errqueue_read(fd, id->ver, &e, data, sizeof data, &q);
		if (rc <= 0 || !e.icmp)
			return rc < 0 ? -1 : 0;
		*ts_us = e.ts_us;
		*len = np_udpsock_error(id, &e, data, q, buf, cap);
		return *len ? 1 : 0;
	}
	if (n < 0)
		return -1;
	uint8_t ttl = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
		    (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)) {
			int t;
			memcpy(&t, CMSG_DATA(c), sizeof t);
			ttl = (uint8_t)t;
		}
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMP) {
			struct timeval tv; /* the kernel's receive time, as a capture's */
			memcpy(&tv, CMSG_DATA(c), sizeof tv);
			*ts_us = (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
		}
	}
	*len = np_udpsock_answer(id, ttl, data, (size_t)n, buf, cap);
	return 1;
}
