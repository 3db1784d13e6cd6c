/* dgram.c - ping without privileges: an ICMP datagram socket (socket(AF_INET, SOCK_DGRAM,
 * IPPROTO_ICMP), allowed to the groups of net.ipv4.ping_group_range), as iputils ping uses when
 * it has no CAP_NET_RAW. The kernel picks the echo identifier (the socket's "port"), fills the
 * checksum, and passes up the ICMP bytes of a reply with its sender and, asked for (IP_RECVTTL),
 * its TTL; ICMP errors about our requests come on the error queue (IP_RECVERR) with the sender,
 * type, code and the request itself. Each is rebuilt here as a DLT_RAW IPv4 packet so that the
 * reply path decodes it as any other answer; the IP header fields the kernel does not pass up
 * (id, TOS, flags, options; the TTL of an error) are 0 there: the printers say so. */
#include <errno.h>
#include <time.h> /* before linux/errqueue.h, which uses struct timespec */
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "netprobe/probe.h"

/* A raw ICMPv6 socket (IPv6 has no IP_HDRINCL-less ICMP datagram socket here): the kernel
 * builds the IPv6 header, fragments past the path MTU (RFC 8200 s4.5), fills the checksum
 * (RFC 4443 s2.3) and passes up each ICMPv6 message without its IPv6 header. */
static int open6(int *fd, int pmtu, char *err, size_t errlen)
{
	*fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_ICMPV6);
	if (*fd < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	int on = 1;
	if (setsockopt(*fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof on) < 0 ||
	    setsockopt(*fd, SOL_SOCKET, SO_TIMESTAMP, &on, sizeof on) < 0 ||
	    setsockopt(*fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof on) < 0 ||
	    (pmtu >= 0 && setsockopt(*fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &pmtu, sizeof pmtu) < 0)) {
		snprintf(err, errlen, "ICMPv6 raw socket: %s", strerror(errno));
		close(*fd);
		*fd = -1;
		return -1;
	}
	return 0;
}

/* An ICMPv6 datagram socket (ping_group_range covers both families, net/ipv6/ping.c), as
 * iputils ping -6 opens without CAP_NET_RAW: the kernel picks the echo identifier, fills the
 * checksum, fragments a request past the path MTU unless IPV6_MTU_DISCOVER says not to
 * (RFC 8200 s4.5), reassembles the replies and passes up each ICMPv6 message alone; errors
 * about our requests come on the error queue (IPV6_RECVERR). */
static int open6_dgram(int *fd, uint16_t *ident, int pmtu, char *err, size_t errlen)
{
	*fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_ICMPV6);
	if (*fd < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	int on = 1;
	struct sockaddr_in6 sin = { .sin6_family = AF_INET6 };
	socklen_t sl = sizeof sin;
	if (setsockopt(*fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof on) < 0 ||
	    setsockopt(*fd, SOL_SOCKET, SO_TIMESTAMP, &on, sizeof on) < 0 ||
	    setsockopt(*fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof on) < 0 ||
	    (pmtu >= 0 && setsockopt(*fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &pmtu, sizeof pmtu) < 0) ||
	    bind(*fd, (struct sockaddr *)&sin, sizeof sin) < 0 ||
	    getsockname(*fd, (struct sockaddr *)&sin, &sl) < 0) {
		snprintf(err, errlen, "ICMPv6 datagram socket: %s", strerror(errno));
		close(*fd);
		*fd = -1;
		return -1;
	}
	*ident = ntohs(sin.sin6_port);
	return 0;
}

int np_dgram_open(int *fd, uint8_t ver, uint16_t *ident, bool raw, int pmtu, char *err,
		  size_t errlen)
{
	if (ver == 6)
		return raw ? open6(fd, pmtu, err, errlen) : open6_dgram(fd, ident, pmtu, err, errlen);
	*fd = socket(AF_INET, (raw ? SOCK_RAW : SOCK_DGRAM) | SOCK_CLOEXEC | SOCK_NONBLOCK,
		     IPPROTO_ICMP);
	if (*fd < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	int on = 1;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof sin;
	if (setsockopt(*fd, IPPROTO_IP, IP_RECVTTL, &on, sizeof on) < 0 ||
	    setsockopt(*fd, SOL_SOCKET, SO_TIMESTAMP, &on, sizeof on) < 0 ||
	    setsockopt(*fd, IPPROTO_IP, IP_RECVERR, &on, sizeof on) < 0 ||
	    (pmtu >= 0 && setsockopt(*fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu) < 0) ||
	    (!raw && bind(*fd, (struct sockaddr *)&sin, sizeof sin) < 0) ||
	    (!raw && getsockname(*fd, (struct sockaddr *)&sin, &sl) < 0)) {
		snprintf(err, errlen, "ICMP %s socket: %s", raw ? "raw" : "datagram", strerror(errno));
		close(*fd);
		*fd = -1;
		return -1;
	}
	if (!raw) /* the kernel's echo identifier: the socket's "port" */
		*ident = ntohs(sin.sin_port);
	return 0;
}

/* The MTU a local EMSGSIZE reported (its error queue entry, SO_EE_ORIGIN_LOCAL), or 0. */
static uint32_t local_mtu(int fd)
{
	uint8_t data[64], ctl[512];
	for (int i = 0; i < 8; i++) {
		struct iovec iov = { .iov_base = data, .iov_len = sizeof data };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
				     .msg_controllen = sizeof ctl };
		if (recvmsg(fd, &mh, MSG_DONTWAIT | MSG_ERRQUEUE) < 0)
			return 0;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			const struct sock_extended_err *ee = (const void *)CMSG_DATA(c);
			if (((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
			     (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)) &&
			    ee->ee_origin == SO_EE_ORIGIN_LOCAL && ee->ee_errno == EMSGSIZE)
				return ee->ee_info;
		}
	}
	return 0;
}

int np_dgram_send(int fd, uint8_t ver, const uint8_t dst[16], uint32_t scope_id,
		  const uint8_t *icmp, size_t n, uint32_t *mtu, char *err, size_t errlen)
{
	struct sockaddr_storage sin;
	socklen_t sl = np_probe_sockaddr(ver, dst, 0, scope_id, &sin);
	/* An ICMP error for an earlier probe (IP_RECVERR) is also reported by the next send,
	 * which then sends nothing (sock_alloc_send_pskb returns the socket's pending error and
	 * clears it; the error itself stays on the error queue): send again, once. */
	ssize_t rc = sendto(fd, icmp, n, 0, (struct sockaddr *)&sin, sl);
	if (rc < 0 && (errno == EHOSTUNREACH || errno == ENETUNREACH || errno == ECONNREFUSED ||
		       errno == EPROTO || errno == EMSGSIZE))
		rc = sendto(fd, icmp, n, 0, (struct sockaddr *)&sin, sl);
	if (rc < 0 && errno == EMSGSIZE) {
		/* -M do: larger than the path MTU the kernel knows (iputils' "local error") */
		*mtu = local_mtu(fd);
		snprintf(err, errlen, "local error: message too long, mtu%s%u", ver == 4 ? "=" : ": ",
			 *mtu); /* iputils' words, which differ by family */
		return 1;
	}
	if (rc < 0 && errno != EHOSTUNREACH && errno != ENETUNREACH) {
		snprintf(err, errlen, "sendto: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static uint16_t csum(const uint8_t *b, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* An IPv4 header at b for `l4` bytes of protocol 1 from src to dst. */
static void ip4(uint8_t *b, size_t l4, uint8_t ttl, const uint8_t *src, const uint8_t *dst)
{
	memset(b, 0, 20);
	b[0] = 0x45;
	b[2] = (uint8_t)((20 + l4) >> 8);
	b[3] = (uint8_t)(20 + l4);
	b[8] = ttl;
	b[9] = 1;
	memcpy(b + 12, src, 4);
	memcpy(b + 16, dst, 4);
	uint16_t c = csum(b, 20);
	b[10] = (uint8_t)(c >> 8);
	b[11] = (uint8_t)c;
}

/* An IPv6 header at b for `l4` bytes of ICMPv6 from src to dst, hop limit hlim. */
static void ip6(uint8_t *b, size_t l4, uint8_t hlim, const uint8_t *src, const uint8_t *dst)
{
	memset(b, 0, 40);
	b[0] = 0x60;
	b[4] = (uint8_t)(l4 >> 8);
	b[5] = (uint8_t)l4;
	b[6] = 58;
	b[7] = hlim;
	memcpy(b + 8, src, 16);
	memcpy(b + 24, dst, 16);
}

/* An error from the queue: outer header, ICMP error header, our request quoted. */
static size_t error_packet(uint8_t *buf, size_t cap, const struct sock_extended_err *ee,
			   const uint8_t *target, const uint8_t *us, const uint8_t *req, size_t n)
{
	const struct sockaddr_in *off = (const struct sockaddr_in *)SO_EE_OFFENDER(ee);
	if (n > cap - 48)
		n = cap - 48;
	uint8_t *icmp = buf + 20;
	memset(icmp, 0, 8);
	icmp[0] = ee->ee_type;
	icmp[1] = ee->ee_code;
	if (ee->ee_type == 3 && ee->ee_code == 4) { /* the next-hop MTU (RFC 1191) in ee_info */
		icmp[6] = (uint8_t)(ee->ee_info >> 8);
		icmp[7] = (uint8_t)ee->ee_info;
	}
	ip4(icmp + 8, n, 1, us, target); /* the request as it left, TTL unknown */
	memcpy(icmp + 28, req, n);
	uint16_t c = csum(icmp, 28 + n);
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)c;
	ip4(buf, 28 + n, 0, off->sin_family == AF_INET ? (const uint8_t *)&off->sin_addr : target,
	    us);
	return 48 + n;
}

/* An ICMPv6 error from the queue: outer header, the error's header (with the MTU of a packet
 * too big, RFC 4443 s3.2), our request quoted (its hop limit unknown: 1), the checksum over
 * the pseudo-header (RFC 4443 s2.3). */
static size_t error_packet6(uint8_t *buf, size_t cap, const struct sock_extended_err *ee,
			    const uint8_t *target, const uint8_t *us, const uint8_t *req, size_t n)
{
	const struct sockaddr_in6 *off = (const struct sockaddr_in6 *)SO_EE_OFFENDER(ee);
	if (n > cap - 88)
		n = cap - 88;
	uint8_t *icmp = buf + 40;
	memset(icmp, 0, 8);
	icmp[0] = ee->ee_type;
	icmp[1] = ee->ee_code;
	if (ee->ee_type == 2)
		for (int i = 0; i < 4; i++)
			icmp[4 + i] = (uint8_t)(ee->ee_info >> (24 - 8 * i));
	ip6(icmp + 8, n, 1, us, target);
	memcpy(icmp + 48, req, n);
	const uint8_t *from = off->sin6_family == AF_INET6 ? (const uint8_t *)&off->sin6_addr : target;
	ip6(buf, 48 + n, 0, from, us);
	/* the pseudo-header's sum, then the message's: buf + 8 holds source and destination */
	uint32_t len = (uint32_t)(48 + n), s = 0;
	for (size_t i = 8; i < 40; i += 2)
		s += (uint32_t)(buf[i] << 8 | buf[i + 1]);
	s += (len >> 16) + (len & 0xffff) + 58;
	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(icmp[i] << 8 | icmp[i + 1]);
	if (len & 1)
		s += (uint32_t)icmp[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	icmp[2] = (uint8_t)(~s >> 8);
	icmp[3] = (uint8_t)~s;
	return 88 + n;
}

/* What the control messages of a read say: the TTL / hop limit, the error queue entry, the
 * kernel's receive time (as a capture's). */
static void read_cmsgs(struct msghdr *mh, uint8_t *ttl, const struct sock_extended_err **ee,
		       int64_t *ts_us)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
		    (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)) {
			int t;
			memcpy(&t, CMSG_DATA(c), sizeof t);
			*ttl = (uint8_t)t;
		}
		if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
		    (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR))
			*ee = (const struct sock_extended_err *)CMSG_DATA(c);
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMP) {
			struct timeval tv;
			memcpy(&tv, CMSG_DATA(c), sizeof tv);
			*ts_us = (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
		}
	}
}

int np_dgram_recv(int fd, uint8_t ver, bool raw, const uint8_t us[16], uint8_t *buf, size_t cap, size_t *len,
		  int64_t *ts_us)
{
	uint8_t data[NP_PROBE_BIG_BYTES];
	uint8_t ctl[512];
	struct sockaddr_storage fs;
	struct sockaddr_in *from4 = (struct sockaddr_in *)&fs;
	struct sockaddr_in from;
	struct iovec iov = { .iov_base = data, .iov_len = sizeof data };
	struct msghdr mh = { .msg_name = &fs, .msg_namelen = sizeof fs, .msg_iov = &iov,
			     .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl };
	ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);
	bool queue = false;
	/* Not EAGAIN: the socket's pending error (IP_RECVERR: an ICMP error, EMSGSIZE for a
	 * Frag needed...), which this read reported and cleared; the error queue tells more. */
	if (n < 0 && errno != EINTR && errno != EBADF && errno != ENOTSOCK) {
		mh.msg_namelen = sizeof fs;
		mh.msg_controllen = sizeof ctl;
		n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_ERRQUEUE);
		queue = true;
	}
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	if (n < 8 || (!raw && (size_t)n > cap - 48))
		return 0;
	uint8_t ttl = 0;
	const struct sock_extended_err *ee = NULL;
	read_cmsgs(&mh, &ttl, &ee, ts_us);
	if (ver == 6 && queue) { /* a datagram socket's error (a raw socket reads them as messages) */
		if (raw || !ee || ee->ee_origin != SO_EE_ORIGIN_ICMP6 || fs.ss_family != AF_INET6 ||
		    cap < 88)
			return 0;
		*len = error_packet6(buf, cap, ee,
				     (const uint8_t *)&((struct sockaddr_in6 *)&fs)->sin6_addr, us, data,
				     (size_t)n);
		return 1;
	}
	if (ver == 6) { /* ICMPv6, raw or datagram: the message alone */
		if ((size_t)n > cap - 40 || fs.ss_family != AF_INET6)
			return 0;
		ip6(buf, (size_t)n, ttl, (const uint8_t *)&((struct sockaddr_in6 *)&fs)->sin6_addr,
		    us);
		memcpy(buf + 40, data, (size_t)n);
		*len = 40 + (size_t)n;
		return 1;
	}
	memcpy(&from, from4, sizeof from);
	if (raw && !queue) { /* a raw socket reads the whole (reassembled) IP packet */
		if ((size_t)n > cap)
			return 0;
		memcpy(buf, data, (size_t)n);
		*len = (size_t)n;
		return 1;
	}
	if (queue) {
		/* a raw socket also reads the ICMP error itself: its queue copy is skipped; a
		 * local error (EMSGSIZE) was reported by the send */
		if (raw || !ee || ee->ee_origin != SO_EE_ORIGIN_ICMP)
			return 0;
		*len = error_packet(buf, cap, ee, (const uint8_t *)&from.sin_addr, us, data, (size_t)n);
		return 1;
	}
	ip4(buf, (size_t)n, ttl, (const uint8_t *)&from.sin_addr, us);
	memcpy(buf + 20, data, (size_t)n);
	*len = 20 + (size_t)n;
	return 1;
}
