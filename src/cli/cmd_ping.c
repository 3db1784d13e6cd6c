/* cmd_ping.c - `netprobe ping`: ICMP echo (default), TCP SYN (--syn) or UDP (--udp) probes,
 * sent with libnet, answered through the capture engine; the output, summary and exit status
 * of iputils ping, with each answer's headers decoded. Option wiring: the run is ping_run.c. */
#include <getopt.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "probe_cmds.h"

enum { OPT_RATE = 400 }; /* above probe_opts.c's long-only option codes */

static void ping_usage(FILE *out)
{
	fprintf(out,
		"Usage: netprobe ping [options] HOST...\n"
		"       netprobe ping --syn -p PORTS [options] HOST...\n"
		"       netprobe ping --udp -p PORTS [options] HOST...\n"
		"\n"
		"Send probes built with libnet on raw sockets and show each answer's decoded headers.\n"
		"Needs CAP_NET_RAW (sudo, or setcap on the binary); privileges are dropped before the\n"
		"first answer is decoded. Without it, ICMP echo (IPv4 and IPv6, any size, -M) uses an\n"
		"ICMP datagram socket (net.ipv4.ping_group_range), --syn falls back to connect()\n"
		"probes and --udp to a UDP socket per probe with IP_RECVERR.\n"
		"\n"
		"Probe:\n"
		"      --syn           TCP SYN probes: open (SYN/ACK), closed (RST), filtered\n"
		"      --udp           UDP probes: closed (ICMP port unreachable), open, open|filtered\n"
		"  -p, --port PORTS    destination port(s) for --syn/--udp: 22, 8000-8100 or a list\n"
		"                      22,80,8000-8100 (UDP default 33434)\n"
		"  -4, -6              use IPv4 / IPv6\n"
		"Timing:\n"
		"  -c, --count N       stop after N probes\n"
		"  -i, --interval S    seconds between probes (default 1; at least 0.2 unless root)\n"
		"  -f, --flood         root only: a probe every 10 ms (or -i), a dot per request and a\n"
		"                      backspace per reply, then the summary\n"
		"  -W, --timeout S     seconds to wait for the last answer (default 2)\n"
		"  -w, --deadline S    stop after S seconds whatever the count\n"
		"      --rate N[/s]    several targets or ports: N probes a second (default 100,\n"
		"                      at most 10000)\n"
		"Several targets or ports (HOST... with names, addresses or CIDR blocks such as\n"
		"10.77.20.0/29, at most 256 targets and 16384 probes; or a -p list or range): -c probes\n"
		"(default 1) to each target and port, then a table per target: port, verdict, RTT,\n"
		"TTL and the answer's key fields.\n"
		"Packet:\n"
		"  -s, --size N        data bytes (default 56 for ICMP, 16 for UDP; at most 1400, or\n"
		"                      65507 for ICMP echo, sent in fragments as iputils; also\n"
		"                      without privileges, IPv4 and IPv6)\n"
		"  -M, --pmtudisc do|want|dont  path MTU discovery of ICMP echo: do sets DF (too\n"
		"                      large: 'local error: message too long' or a router's 'Frag\n"
		"                      needed' / 'Packet too big'), want as the kernel's default,\n"
		"                      dont fragments\n"
		"  -t, --ttl N         IP time to live / hop limit (default 64)\n"
		"  -Q, --tos N         IP type of service / traffic class byte\n"
		"  -I, --interface IF  send from this interface or source address\n"
		"Output:\n"
		"  -q, --quiet         only the summary\n"
		"  -v, --verbose       the full header tree of every answer\n"
		"      --json          JSON lines: one per probe and a summary (see README.md)\n"
		"  -n                  numeric output (the default)\n"
		"  -h, --help          this help\n"
		"\n"
		"Exit status: 0 when answers came, 1 when none did, 2 on error.\n"
		"Example:\n"
		"  sudo netprobe ping -c 3 10.77.20.2\n");
}

/* ping's own options; the shared ones (--syn, --udp, -p, -4, -6, -I, --json) are probe_opts.c's. */
static const struct option own_opts[] = {
	{ "count", required_argument, NULL, 'c' },
	{ "interval", required_argument, NULL, 'i' },
	{ "timeout", required_argument, NULL, 'W' },
	{ "deadline", required_argument, NULL, 'w' },
	{ "size", required_argument, NULL, 's' },
	{ "ttl", required_argument, NULL, 't' },
	{ "tos", required_argument, NULL, 'Q' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "pmtudisc", required_argument, NULL, 'M' },
	{ "flood", no_argument, NULL, 'f' },
	{ NULL, 0, NULL, 0 },
};

/* "N" or "N/s": probes a second. */
static bool parse_rate(const char *s, double *out)
{
	char buf[32];
	size_t n = strlen(s);
	if (n >= sizeof buf)
		return false;
	memcpy(buf, s, n + 1);
	if (n > 2 && strcmp(buf + n - 2, "/s") == 0)
		buf[n - 2] = '\0';
	return np_parse_seconds(buf, 0.01, PING_SCAN_MAX_RATE, out);
}

static bool parse_byte_or_hex(const char *s, uint64_t *out)
{
	if (s && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		/* Hex digits only: strtoul would also take a sign or spaces after "0x". */
		if (!s[2] || strspn(s + 2, "0123456789abcdefABCDEF") != strlen(s + 2) || strlen(s + 2) > 2)
			return false;
		unsigned long v = strtoul(s + 2, NULL, 16);
		*out = v;
		return true;
	}
	return np_parse_uint(s, 0, 255, out);
}

static int ping_option(void *ctx, int ch, const char *arg, const char **bad, const char **want)
{
	struct ping_opts *o = ctx;
	switch (ch) {
	case 'c':
		if (!np_parse_uint(arg, 1, PING_MAX_PROBES, &o->count))
			*bad = "count", *want = "1-100000";
		return 1;
	case 'i':
		/* iputils' rule: only root may send faster than 5 a second. No flood mode. */
		o->interval_set = true;
		if (!np_parse_seconds(arg, o->root ? 0.002 : 0.2, 3600, &o->interval))
			*bad = "interval",
			*want = o->root ? "0.002-3600 seconds" : "0.2-3600 seconds; below 0.2 needs root";
		return 1;
	case 'W':
		if (!np_parse_seconds(arg, 0.001, 3600, &o->timeout))
			*bad = "timeout", *want = "0.001-3600 seconds";
		return 1;
	case 'w':
		if (!np_parse_seconds(arg, 0.001, 86400, &o->deadline))
			*bad = "deadline", *want = "0.001-86400 seconds";
		return 1;
	case 's':
		if (!np_parse_uint(arg, 0, NP_PING_MAX_DATA, &o->size))
			*bad = "size", *want = "0-65507 bytes";
		return 1;
	case 'M':
		o->pmtu_set = true;
		if (strcmp(arg, "do") == 0)
			o->pmtu = IP_PMTUDISC_DO;
		else if (strcmp(arg, "want") == 0)
			o->pmtu = IP_PMTUDISC_WANT;
		else if (strcmp(arg, "dont") == 0)
			o->pmtu = IP_PMTUDISC_DONT;
		else
			*bad = "path MTU discovery", *want = "do, want or dont";
		return 1;
	case 'f': o->flood = true; return 1;
	case 't':
		if (!np_parse_uint(arg, 1, 255, &o->ttl))
			*bad = "TTL", *want = "1-255";
		return 1;
	case 'Q':
		if (!parse_byte_or_hex(arg, &o->tos))
			*bad = "TOS", *want = "0-255 or 0x00-0xff";
		return 1;
	case OPT_RATE:
		if (!parse_rate(arg, &o->rate))
			*bad = "rate", *want = "0.01-10000 probes a second, e.g. 100/s";
		return 1;
	case 'q': o->quiet = true; return 1;
	case 'v': o->verbose = true; return 1;
	}
	return 0;
}

/* -s past one frame, -M, -f: what iputils allows, and only where netprobe can do it. 0 or 2. */
static int check_iputils(struct ping_opts *o, bool scan)
{
	const char *what = o->size > NP_PROBE_MAX_DATA ? "-s over 1400" : o->pmtu_set ? "-M" : NULL;
	if (what && (o->p.m->kind != NP_PROBE_ICMP || scan)) {
		np_errorf("ping", "%s: ICMP echo to one host (the kernel builds and fragments those "
				  "packets)", what);
		return NP_EXIT_ERROR;
	}
	if (o->flood && scan) {
		np_errorf("ping", "-f goes with one host and one port: a scan has --rate");
		return NP_EXIT_ERROR;
	}
	if (o->flood && !o->root) { /* iputils' words */
		np_errorf("ping", "cannot flood; minimal interval allowed for user is 200ms");
		return NP_EXIT_ERROR;
	}
	if (o->flood && !o->interval_set)
		o->interval = 0.01;
	return 0;
}

static int run(void *ctx)
{
	struct ping_opts *o = ctx;
	if (o->size == (uint64_t)-1)
		o->size = o->p.m->ping_data;
	bool many = o->p.nhosts > 1 || strchr(o->p.host, '/') || o->p.nports > 1 || o->rate > 0;
	if (check_iputils(o, many) != 0)
		return NP_EXIT_ERROR;
	bool scan = many;
	if (!scan)
		return ping_run(o);
	if (o->rate > 0 && o->interval_set) {
		np_errorf("ping", "-i and --rate both set the pace: one of them");
		return NP_EXIT_ERROR;
	}
	if (o->verbose) {
		np_errorf("ping", "-v shows one answer's tree: not with several targets or ports");
		return NP_EXIT_ERROR;
	}
	if (!o->rate)
		o->rate = o->interval_set ? 1.0 / o->interval : PING_SCAN_RATE;
	if (!o->count)
		o->count = 1;
	return scan_run(o);
}

static const struct probe_cmd ping_cmd = {
	.name = "ping",
	.shortopts = "+:46c:i:W:w:s:t:Q:I:p:M:fqvnh",
	.many = true,
	.own = own_opts,
	.parse = ping_option,
	.usage = ping_usage,
	.run = run,
};

int np_cmd_ping(int argc, char **argv)
{
	struct ping_opts o = { .interval = 1.0, .timeout = 2.0, .ttl = 64, .size = (uint64_t)-1,
			       .root = geteuid() == 0 };
	return probe_cmd_main(&ping_cmd, argc, argv, &o.p, &o);
}
