/* match.c - --port/--host matching on decoded packets (tcpdump's "port" and "host" primitives,
 * evaluated after the link layer and VLAN tags are peeled off). */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "netprobe/match.h"

static void push(struct np_match *m, uint8_t ver, const void *a)
{
	for (unsigned i = 0; i < m->nhosts; i++)
		if (m->hosts[i].ver == ver && memcmp(m->hosts[i].addr, a, ver == 4 ? 4 : 16) == 0)
			return;
	if (m->nhosts == NP_MATCH_MAX_HOSTS)
		return; /* callers check the count before and after */
	struct np_match_host *h = &m->hosts[m->nhosts++];
	memset(h, 0, sizeof *h);
	h->ver = ver;
	memcpy(h->addr, a, ver == 4 ? 4 : 16);
}

int np_match_add_host(struct np_match *m, const char *host, char *err, size_t errlen)
{
	uint8_t a[16];
	int ver = inet_pton(AF_INET, host, a) == 1 ? 4 : inet_pton(AF_INET6, host, a) == 1 ? 6 : 0;
	if (ver && m->nhosts == NP_MATCH_MAX_HOSTS) {
		snprintf(err, errlen, "too many --host addresses (at most %d)", NP_MATCH_MAX_HOSTS);
		return -1;
	}
	if (ver) {
		push(m, (uint8_t)ver, a);
		return 0;
	}
	struct addrinfo hints, *res, *ai;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	int rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "unknown host '%s': %s", host, gai_strerror(rc));
		return -1;
	}
	unsigned before = m->nhosts;
	for (ai = res; ai; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET)
			push(m, 4, &((struct sockaddr_in *)ai->ai_addr)->sin_addr);
		else if (ai->ai_family == AF_INET6)
			push(m, 6, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr);
	}
	freeaddrinfo(res);
	if (m->nhosts == NP_MATCH_MAX_HOSTS && before == m->nhosts) {
		snprintf(err, errlen, "too many --host addresses (at most %d)", NP_MATCH_MAX_HOSTS);
		return -1;
	}
	return 0;
}

static bool port_matches(const struct np_match *m, const struct np_packet *p)
{
	if (np_pkt_tcp(p) && np_pkt_tcp(p)->got >= 4)
		return np_pkt_tcp(p)->sport == m->port || np_pkt_tcp(p)->dport == m->port;
	if (np_pkt_udp(p) && np_pkt_udp(p)->got >= 4)
		return np_pkt_udp(p)->sport == m->port || np_pkt_udp(p)->dport == m->port;
	return false;
}

static bool addr_is_host(const struct np_match *m, uint8_t ver, const uint8_t *a)
{
	for (unsigned i = 0; i < m->nhosts; i++)
		if (m->hosts[i].ver == ver && memcmp(m->hosts[i].addr, a, ver == 4 ? 4 : 16) == 0)
			return true;
	return false;
}

static bool host_matches(const struct np_match *m, const struct np_packet *p)
{
	if (np_pkt_ip4(p) && np_pkt_ip4(p)->got >= 20)
		return addr_is_host(m, 4, np_pkt_ip4(p)->src) || addr_is_host(m, 4, np_pkt_ip4(p)->dst);
	if (np_pkt_ip6(p) && np_pkt_ip6(p)->got >= 40)
		return addr_is_host(m, 6, np_pkt_ip6(p)->src) || addr_is_host(m, 6, np_pkt_ip6(p)->dst);
	if (np_pkt_arp(p) && np_pkt_arp(p)->got >= 28)
		return addr_is_host(m, 4, np_pkt_arp(p)->spa) || addr_is_host(m, 4, np_pkt_arp(p)->tpa);
	return false;
}

bool np_match_packet(const struct np_match *m, const struct np_packet *p)
{
	if (m->has_port && !port_matches(m, p))
		return false;
	if (m->nhosts && !host_matches(m, p))
		return false;
	return true;
}
