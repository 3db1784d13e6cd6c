/* probe_targets.c - a scan's HOST arguments as addresses: names and addresses (getaddrinfo's
 * first answer, as ping takes), and CIDR blocks ("10.77.20.0/29") as every address in them,
 * bounded (PROBE_MAX_TARGETS); an IPv4 block of 4 or more addresses leaves out its network and
 * broadcast addresses, as fping -g does. */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cli.h"
#include "probe_targets.h"

/* Add `addr` unless it is there already. */
static int add(struct probe_targets *t, uint8_t ver, const uint8_t addr[16], char *err,
	       size_t errlen)
{
	if (t->ver && t->ver != ver) {
		snprintf(err, errlen, "IPv4 and IPv6 targets in one run: one family at a time");
		return -1;
	}
	t->ver = ver;
	for (uint32_t i = 0; i < t->n; i++)
		if (memcmp(t->addr[i], addr, 16) == 0)
			return 0;
	if (t->n >= PROBE_MAX_TARGETS) {
		snprintf(err, errlen, "more than %u targets: at most %u a run", PROBE_MAX_TARGETS,
			 PROBE_MAX_TARGETS);
		return -1;
	}
	memcpy(t->addr[t->n++], addr, 16);
	return 0;
}

/* "ADDR/LEN": every address of the block. */
static int add_block(struct probe_targets *t, const char *arg, int family, char *err,
		     size_t errlen)
{
	char a[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(arg, '/');
	size_t alen = (size_t)(slash - arg);
	uint8_t base[16] = { 0 };
	uint8_t ver;
	uint64_t len;
	if (alen >= sizeof a)
		goto bad;
	memcpy(a, arg, alen);
	a[alen] = '\0';
	if (family != 6 && inet_pton(AF_INET, a, base) == 1)
		ver = 4;
	else if (family != 4 && inet_pton(AF_INET6, a, base) == 1)
		ver = 6;
	else
		goto bad;
	unsigned bits = ver == 4 ? 32 : 128;
	if (!np_parse_uint(slash + 1, 0, bits, &len))
		goto bad;
	unsigned host_bits = bits - (unsigned)len;
	if (host_bits > 8) {
		snprintf(err, errlen, "%s holds more than %u addresses: at most %u targets a run", arg,
			 PROBE_MAX_TARGETS, PROBE_MAX_TARGETS);
		return -1;
	}
	unsigned last = bits / 8 - 1, count = 1u << host_bits;
	uint8_t mask = (uint8_t)(0xffu << host_bits);
	base[last] &= mask; /* host_bits <= 8: only the last byte varies */
	bool skip_ends = ver == 4 && host_bits >= 2;
	for (unsigned i = skip_ends ? 1 : 0; i < (skip_ends ? count - 1 : count); i++) {
		uint8_t addr[16];
		memcpy(addr, base, 16);
		addr[last] = (uint8_t)(base[last] | i);
		if (add(t, ver, addr, err, errlen) < 0)
			return -1;
	}
	return 0;
bad:
	snprintf(err, errlen, "invalid block '%s' (want ADDRESS/PREFIX, e.g. 10.77.20.0/29)", arg);
	return -1;
}

int probe_resolve(const char *host, int family, uint8_t *ver, uint8_t addr[16],
		  uint32_t *scope_id, char *err, size_t errlen)
{
	struct addrinfo hints, *res;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = family == 4 ? AF_INET : family == 6 ? AF_INET6 : AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	int rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", host,
			 rc == EAI_NONAME ? "unknown host" : gai_strerror(rc));
		return -1;
	}
	memset(addr, 0, 16);
	*scope_id = 0;
	if (res->ai_family == AF_INET) {
		*ver = 4;
		memcpy(addr, &((struct sockaddr_in *)res->ai_addr)->sin_addr, 4);
	} else {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)res->ai_addr;
		*ver = 6;
		memcpy(addr, &sin6->sin6_addr, 16);
		/* "fe80::1%eth0": getaddrinfo puts the interface in sin6_scope_id (RFC 4007 s11);
		 * without it a link-local address names no link at all. */
		*scope_id = sin6->sin6_scope_id;
	}
	freeaddrinfo(res);
	return 0;
}

/* A name or an address: getaddrinfo's first answer. */
static int add_host(struct probe_targets *t, const char *host, int family, char *err,
		    size_t errlen)
{
	uint8_t addr[16], ver;
	uint32_t scope;
	if (probe_resolve(host, family, &ver, addr, &scope, err, errlen) < 0)
		return -1;
	return add(t, ver, addr, err, errlen);
}

int probe_targets_expand(struct probe_targets *t, char *const *hosts, int nhosts, int family,
			 char *err, size_t errlen)
{
	memset(t, 0, sizeof *t);
	for (int i = 0; i < nhosts; i++) {
		int rc = strchr(hosts[i], '/') ? add_block(t, hosts[i], family, err, errlen)
					       : add_host(t, hosts[i], family, err, errlen);
		if (rc < 0)
			return -1;
	}
	return 0;
}
