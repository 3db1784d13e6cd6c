/* choose.c - the live capture `watch` opens when not told otherwise: "lo" for a port only a
 * loopback address listens on (read from the kernel's socket tables, proc(5) /proc/net/tcp),
 * "any" otherwise; and the kernel (BPF) filter of the --port/--host shorthands. */
#define _GNU_SOURCE /* vasprintf, asprintf */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <pcap/dlt.h>

#include "netprobe/choose.h"

/* Does only a loopback address listen on TCP/UDP `port` (the socket tables in /proc/net)? */
static bool loopback_listener(uint16_t port)
{
	static const char *const tables[] = { "/proc/net/tcp", "/proc/net/tcp6", "/proc/net/udp",
					      "/proc/net/udp6" };
	bool loop = false, other = false;
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
		FILE *f = fopen(tables[i], "r");
		char line[512], addr[64];
		unsigned p, st;
		if (!f)
			continue;
		while (fgets(line, sizeof line, f)) {
			if (sscanf(line, " %*u: %63[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x", addr, &p, &st) != 3 ||
			    p != port)
				continue;
			bool tcp = i < 2;
			if (tcp ? st != 0x0a : st != 0x07) /* TCP LISTEN; UDP unconnected (bound) */
				continue;
			/* The kernel prints the address as host-order 32-bit words. */
			bool is_loop = strlen(addr) == 8 ? (strtoul(addr, NULL, 16) & 0xff) == 127
							  : strcmp(addr, "00000000000000000000000001000000") == 0;
			if (is_loop)
				loop = true;
			else
				other = true;
		}
		fclose(f);
	}
	return loop && !other;
}

/* Appends the text of fmt to *s (a malloc'ed string, or NULL for none yet); the old string is
 * freed either way. NULL when out of memory. Sized by vasprintf, never cut: a filter cut
 * short is another filter (and a user's BPF expression is up to 16 KiB: cmd_watch.c). */
static char *str_append(char *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *str_append(char *s, const char *fmt, ...)
{
	char *tail, *out;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&tail, fmt, ap);
	va_end(ap);
	if (n < 0) {
		free(s);
		return NULL;
	}
	if (!s)
		return tail;
	n = asprintf(&out, "%s%s", s, tail);
	free(s);
	free(tail);
	return n < 0 ? NULL : out;
}

/* Live: the shorthands also become a kernel filter (VLAN-tagged frames included), so that
 * -w writes only what is watched; after decoding they are matched again either way. The hosts
 * go in as the addresses the decoded match compares, in inet_ntop's spelling, never as typed:
 * libpcap reads "0177.0.0.1" as 177.0.0.1 where inet_aton (and so --host) reads 127.0.0.1,
 * and it resolves a name again by itself. Every address is in it ("host A or host B"), as the
 * decoded match takes any of them. NULL when out of memory; "" when there is no filter. */
char *np_capture_live_filter(const struct np_match *m, const char *user_filter, int dlt)
{
	char *plain = strdup(""), *shorthand, *s;
	unsigned nh = m->nhosts;
	if (plain && m->has_port)
		plain = str_append(plain, "port %u%s", m->port, nh ? " and " : "");
	if (plain && nh > 1)
		plain = str_append(plain, "(");
	for (unsigned i = 0; plain && i < nh; i++) {
		const struct np_match_host *h = &m->hosts[i];
		char a[INET6_ADDRSTRLEN];
		if (!inet_ntop(h->ver == 4 ? AF_INET : AF_INET6, h->addr, a, sizeof a))
			snprintf(a, sizeof a, "?"); /* only for a family other than 4 or 6 */
		plain = str_append(plain, "%shost %s", i ? " or " : "", a);
	}
	if (plain && nh > 1)
		plain = str_append(plain, ")");
	if (!plain)
		return NULL;
	/* libpcap's "vlan" exists only where tags are in the frame: Ethernet. Cooked captures
	 * (any) get frames with the tag already removed, so the plain primitive sees them. */
	if (plain[0] && dlt == DLT_EN10MB)
		shorthand = str_append(NULL, "(%s) or (vlan and %s)", plain, plain);
	else
		shorthand = str_append(NULL, "%s", plain);
	free(plain);
	if (!shorthand)
		return NULL;
	if (user_filter && shorthand[0])
		s = str_append(NULL, "(%s) and (%s)", user_filter, shorthand);
	else
		s = str_append(NULL, "%s", user_filter ? user_filter : shorthand);
	free(shorthand);
	return s;
}

const char *np_capture_choose_dev(const char *iface, const struct np_match *m)
{
	if (iface)
		return iface;
	return m->has_port && loopback_listener(m->port) ? "lo" : "any";
}
