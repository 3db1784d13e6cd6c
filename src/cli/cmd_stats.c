/* cmd_stats.c - `netprobe stats`: the tables of a capture (tshark's -z conv, endpoints,
 * io,stat, phs, expert) from the same sources, filters and run as `watch` (np_watch_run: a
 * file, stdin or a live interface; privileges dropped and the sandbox entered before the first
 * packet), printed at the end by the stats printer (print/stats_text.c, stats_json.c). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "netprobe/stats.h"
#include "netprobe/track.h"
#include "watch.h"

#define SCMD "stats"
#define FILTER_MAX 16384

static void stats_usage(FILE *out)
{
	fprintf(out,
		"Usage: netprobe stats [-r FILE | -i IFACE] [options] [BPF expression]\n"
		"\n"
		"Tables of a capture at its end, like tshark -q -z: conversations (TCP, UDP,\n"
		"IP), IP endpoints, I/O per interval, protocol hierarchy, expert summary.\n"
		"Bytes are frame lengths on the wire, as tshark counts them.\n"
		"\n"
		"Source and selection (as for watch):\n"
		"  -r, --read FILE     a pcap or pcapng file ('-' for stdin), plain, gzip or zstd\n"
		"  -i, --interface IF  capture live on IF (needs CAP_NET_RAW); the tables come\n"
		"                      after -c, --duration or Ctrl-C\n"
		"  -c, --count N       stop after N matching packets\n"
		"      --duration S    stop after S seconds\n"
		"      --port N        only TCP/UDP packets with source or destination port N\n"
		"      --host H        only packets to or from host H (address or name)\n"
		"  EXPRESSION          a BPF filter in tcpdump syntax\n"
		"Tables:\n"
		"      --tables LIST   which tables, comma-separated: conv, endpoints, io, phs,\n"
		"                      expert (default: all)\n"
		"      --conv LIST     which conversations: tcp, udp, ip (default: all three)\n"
		"      --interval S    length of an I/O interval in seconds (default 1)\n"
		"      --sort KEY      conversations and endpoints by bytes, packets or duration\n"
		"                      (largest first; default: first seen first)\n"
		"      --top N         at most N rows of each conversation and endpoint table\n"
		"      --json          one JSON object per row, then a stats_summary object\n"
		"      --max-rows N    conversations and endpoints kept (default 262144; the\n"
		"                      packets of more are counted in a note)\n"
		"      --max-conv N    TCP conversations tracked at once (default 65536)\n"
		"  -h, --help          this help\n"
		"\n"
		"Examples:\n"
		"  netprobe stats -r first.pcap --sort bytes --top 10\n"
		"  sudo netprobe stats -i eth0 --tables io,expert --interval 10\n");
}

enum {
	OPT_PORT = 256,
	OPT_HOST,
	OPT_DURATION,
	OPT_TABLES,
	OPT_CONV,
	OPT_INTERVAL,
	OPT_SORT,
	OPT_TOP,
	OPT_JSON,
	OPT_MAX_ROWS,
	OPT_MAX_CONV,
};

static const struct option long_opts[] = {
	{ "read", required_argument, NULL, 'r' },
	{ "interface", required_argument, NULL, 'i' },
	{ "count", required_argument, NULL, 'c' },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "host", required_argument, NULL, OPT_HOST },
	{ "tables", required_argument, NULL, OPT_TABLES },
	{ "conv", required_argument, NULL, OPT_CONV },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "sort", required_argument, NULL, OPT_SORT },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "max-rows", required_argument, NULL, OPT_MAX_ROWS },
	{ "max-conv", required_argument, NULL, OPT_MAX_CONV },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* A comma-separated list of names into a mask (bit i for names[i]); false on an unknown name. */
static bool parse_list(const char *arg, const char *const *names, unsigned n, unsigned *mask)
{
	*mask = 0;
	const char *p = arg;
	while (*p) {
		size_t len = strcspn(p, ",");
		unsigned i = 0;
		while (i < n && !(strlen(names[i]) == len && strncmp(p, names[i], len) == 0))
			i++;
		if (i == n)
			return false;
		*mask |= 1u << i;
		p += len;
		if (*p == ',' && *++p == '\0')
			return false;
	}
	return *mask != 0;
}

static bool take_stats(int ch, const char *arg, struct np_stats_opts *so)
{
	static const char *const tables[] = { "conv", "endpoints", "io", "phs", "expert" };
	static const char *const convs[] = { "tcp", "udp", "ip" };
	static const char *const sorts[] = { "bytes", "packets", "duration" };
	uint64_t v;
	double d;
	switch (ch) {
	case OPT_TABLES: return parse_list(arg, tables, 5, &so->tables);
	case OPT_CONV: return parse_list(arg, convs, 3, &so->conv);
	case OPT_INTERVAL:
		if (!np_parse_seconds(arg, 0.000001, 31536000, &d))
			return false;
		so->interval_us = (int64_t)(d * 1e6 + 0.5);
		return so->interval_us > 0;
	case OPT_SORT:
		for (int i = 0; i < 3; i++)
			if (strcmp(arg, sorts[i]) == 0) {
				so->sort = (enum np_stats_sort)(NP_SORT_BYTES + i);
				return true;
			}
		return false;
	case OPT_TOP:
		if (!np_parse_uint(arg, 1, UINT32_MAX, &v))
			return false;
		so->top = (uint32_t)v;
		return true;
	default: /* OPT_MAX_ROWS */
		if (!np_parse_uint(arg, 16, 1u << 24, &v))
			return false;
		so->max_rows = (uint32_t)v;
		return true;
	}
}

/* How a bad value is reported: "invalid <what> '<value>' (want <want>)". */
static const struct {
	int ch;
	const char *what, *want;
} bad[] = {
	{ 'r', "-r", "a capture file, or '-' for stdin" },
	{ 'i', "-i", "an interface name" },
	{ 'c', "packet count", "a whole number >= 1" },
	{ OPT_DURATION, "duration", "0.001-31536000 seconds" },
	{ OPT_PORT, "port", "0-65535" },
	{ OPT_TABLES, "--tables", "conv, endpoints, io, phs, expert, comma-separated" },
	{ OPT_CONV, "--conv", "tcp, udp, ip, comma-separated" },
	{ OPT_INTERVAL, "--interval", "0.000001-31536000 seconds" },
	{ OPT_SORT, "--sort", "bytes, packets or duration" },
	{ OPT_TOP, "--top", "a whole number >= 1" },
	{ OPT_MAX_CONV, "--max-conv", "16-16777216" },
	{ OPT_MAX_ROWS, "--max-rows", "16-16777216" },
};

static void report_bad(int ch, const char *arg)
{
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (bad[i].ch == ch)
			np_errorf(SCMD, "invalid %s '%s' (want %s)", bad[i].what, arg, bad[i].want);
}

/* One option; false when its value is invalid (reported here unless reported already). */
static bool take(int ch, const char *arg, struct watch_opts *o, struct np_stats_opts *so)
{
	char err[256];
	uint64_t v;
	bool ok;
	switch (ch) {
	case 'r': o->read_file = arg; ok = arg[0] != '\0'; break;
	case 'i': o->iface = arg; ok = arg[0] != '\0'; break;
	case 'c': ok = np_parse_uint(arg, 1, UINT64_MAX, &o->count); break;
	case OPT_DURATION: ok = np_parse_seconds(arg, 0.001, 31536000, &o->duration); break;
	case OPT_PORT:
		ok = np_parse_uint(arg, 0, 65535, &v);
		o->match.has_port = true;
		o->match.port = (uint16_t)v;
		break;
	case OPT_HOST:
		if (np_match_add_host(&o->match, arg, err, sizeof err) < 0) {
			np_errorf(SCMD, "%s", err);
			return false;
		}
		return true;
	case OPT_JSON: so->json = true; return true;
	case OPT_MAX_CONV:
		ok = np_parse_uint(arg, 16, 1u << 24, &v);
		o->track.max_conv = (uint32_t)v;
		break;
	default: ok = take_stats(ch, arg, so); break;
	}
	if (!ok)
		report_bad(ch, arg);
	return ok;
}

static char *join_args(int argc, char **argv)
{
	size_t len = 1;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *s = calloc(1, len);
	for (int i = 0; s && i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* Returns -1 to exit 0 (help), 0 to go on, 2 on a usage error (already reported). */
static int parse_stats(int argc, char **argv, struct watch_opts *o, struct np_stats_opts *so)
{
	char err[256];
	memset(o, 0, sizeof *o);
	o->cmd = SCMD; /* the shared run names stats in its messages */
	o->tsfmt = NP_TS_RELATIVE;
	o->summary = true;
	np_track_defaults(&o->track);
	if (np_track_seed(&o->track, err, sizeof err) < 0) { /* before the sandbox: getrandom */
		np_errorf(SCMD, "%s", err);
		return NP_EXIT_ERROR;
	}
	*so = (struct np_stats_opts){ .conv = NP_SC_ALL, .tables = NP_ST_ALL,
				      .interval_us = 1000000, .max_rows = NP_STATS_ROWS_DEFAULT };
	memcpy(so->hash_key, o->track.hash_key, sizeof so->hash_key);
	optind = 1;
	opterr = 0;
	int ch;
	while ((ch = getopt_long(argc, argv, "+:r:i:c:h", long_opts, NULL)) != -1) {
		if (ch == 'h') {
			stats_usage(stdout);
			return -1;
		}
		if (ch == ':' || ch == '?')
			return np_opt_error(SCMD, ch, argv, long_opts);
		if (!take(ch, optarg, o, so))
			return NP_EXIT_ERROR;
	}
	if (o->read_file && o->iface) {
		np_errorf(SCMD, "-r and -i are exclusive: read a file or capture live, not both");
		return NP_EXIT_ERROR;
	}
	if (optind < argc) {
		o->filter = join_args(argc - optind, argv + optind);
		if (!o->filter || strlen(o->filter) > FILTER_MAX) {
			np_errorf(SCMD, o->filter ? "filter expression too long (at most %d bytes)"
						  : "out of memory",
				  FILTER_MAX);
			return NP_EXIT_ERROR;
		}
	}
	return 0;
}

int np_cmd_stats(int argc, char **argv)
{
	np_install_stop_handlers();
	signal(SIGXFSZ, SIG_IGN);
	struct watch_opts o;
	struct np_stats_opts so;
	int rc = parse_stats(argc, argv, &o, &so);
	if (rc < 0) {
		free(o.filter);
		return NP_EXIT_OK;
	}
	if (rc != 0) {
		free(o.filter);
		return rc;
	}
	struct np_stats *st = np_stats_new(&so);
	if (!st) {
		np_errorf(SCMD, "out of memory for the tables (--max-rows %u)", so.max_rows);
		free(o.filter);
		return NP_EXIT_ERROR;
	}
	o.out = (struct np_printer_opts){ .output = NP_OUT_STATS, .summary = true, .stats = st };
	rc = np_watch_run(&o, -1, 0);
	np_stats_free(st);
	free(o.filter);
	return rc;
}
