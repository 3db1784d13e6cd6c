/* connect.c - a TCP probe without privileges: a non-blocking connect(2), as nping
 * --tcp-connect and nmap -sT probe when they may not open raw sockets. The kernel's own
 * handshake says what a SYN probe's answer would have said: established (a SYN/ACK came) is
 * open, ECONNREFUSED (an RST) is closed, EHOSTUNREACH / ENETUNREACH / EACCES (an ICMP
 * unreachable or a local refusal, RFC 1122 s4.2.3.9) and silence until the timeout are
 * filtered. The connection is reset at once (SO_LINGER 0, RFC 793 "ABORT"): no data is sent and
 * no TIME_WAIT stays behind. The answers' TTL, window and options never reach user space.
 * For trace, the SYN leaves with a hop limit and IP_RECVERR, as tcptraceroute-style
 * traceroute -M tcpconn does: a router's time exceeded ends the connect (EHOSTUNREACH) and the
 * error queue names the router. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netprobe/probe.h"

socklen_t np_probe_sockaddr(uint8_t ver, const uint8_t dst[16], uint16_t port, uint32_t scope_id,
			    struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (ver == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, dst, 4);
		return sizeof *sin;
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	memcpy(&sin6->sin6_addr, dst, 16);
	sin6->sin6_scope_id = scope_id; /* a link-local address has a route only on its link */
	return sizeof *sin6;
}

int np_connect_start(uint8_t ver, const uint8_t dst[16], uint16_t port, uint32_t scope_id,
		     uint8_t ttl, int *fd, int *result, char *err, size_t errlen)
{
	int af = ver == 4 ? AF_INET : AF_INET6;
	*fd = socket(af, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (*fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	if (setsockopt(*fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) < 0) {
		snprintf(err, errlen, "setsockopt(SO_LINGER): %s", strerror(errno));
		close(*fd);
		*fd = -1;
		return -1;
	}
	/* trace: the SYN's hop limit, and the ICMP error that ends the connect kept on the error
	 * queue (tcp_v4_err/tcp_v6_err queue it in SYN-SENT with IP_RECVERR): who sent it */
	if (ttl && np_sock_errors_on(*fd, ver, ttl, err, errlen) < 0) {
		close(*fd);
		*fd = -1;
		return -1;
	}
	struct sockaddr_storage ss;
	socklen_t sl = np_probe_sockaddr(ver, dst, port, scope_id, &ss);
	if (connect(*fd, (struct sockaddr *)&ss, sl) == 0) {
		*result = 0; /* a local peer can complete the handshake at once */
		return 1;
	}
	if (errno == EINPROGRESS)
		return 0;
	*result = errno; /* refused or unreachable already (a local route, a cached ICMP error) */
	return 1;
}

int np_connect_result(int fd)
{
	int e = 0;
	socklen_t l = sizeof e;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &l) < 0)
		return errno;
	return e;
}

bool np_connect_verdict(int result, enum np_probe_verdict *v)
{
	switch (result) {
	case 0: *v = NP_PV_OPEN; return true;
	case ECONNREFUSED: *v = NP_PV_CLOSED; return true;
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EACCES:
	case EPERM: /* a local firewall's REJECT / DROP with a message */
	case ETIMEDOUT: *v = NP_PV_FILTERED; return true;
	}
	return false;
}
