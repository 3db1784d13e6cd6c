/* cmd_trace.c - `netprobe trace`: probes with growing TTL (ICMP echo, --udp or --syn), the
 * router that answers each hop with ICMP time exceeded, RTTs per probe, stopping at the
 * destination; in the manner of traceroute and tcptraceroute. Option wiring: the run is
 * trace_run.c. */
#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "netprobe/printer.h"
#include "probe_cmds.h"

enum { OPT_REPORT = 400, OPT_LIVE, OPT_VARY, OPT_PMTU }; /* above probe_opts.c's long-only option codes */

static void trace_usage(FILE *out)
{
	fprintf(out,
		"Usage: netprobe trace [--udp | --syn -p PORT] [options] HOST\n"
		"       netprobe trace --report [-c N] [-i S] [--pmtu] [--udp | --syn -p PORT] HOST\n"
		"       netprobe trace --live [-c N] [-i S] [--pmtu] [--udp | --syn -p PORT] HOST\n"
		"\n"
		"Send probes with TTL 1, 2, ... and show the router that answers each hop (ICMP time\n"
		"exceeded), until the destination answers. Needs CAP_NET_RAW, like ping; without it,\n"
		"ICMP echo over IPv4 uses an ICMP datagram socket (net.ipv4.ping_group_range), as\n"
		"tracepath does, --udp a UDP socket per probe with IP_RECVERR (traceroute's way; one\n"
		"for the run with --report/--live, the flow fixed) and --syn connect() with the TTL\n"
		"set (traceroute -M tcpconn's way: a source port each, the flow never fixed).\n"
		"The probes are ICMP echo requests unless --udp or --syn is given.\n"
		"\n"
		"  --udp               UDP probes (to port 33434 unless -p)\n"
		"  --syn               TCP SYN probes (needs -p), like tcptraceroute\n"
		"  -p, --port PORT     destination port\n"
		"  -m, --max-ttl N     largest TTL (default 30)\n"
		"  -q, --queries N     probes per hop (default 3, at most 10)\n"
		"  -W, --wait S        seconds to wait for a hop's answers (default 1)\n"
		"  -I, --interface IF  send from this interface or source address\n"
		"      --pmtu          path MTU discovery, as tracepath: DF probes as large as the\n"
		"                      first hop's MTU, made smaller when a router reports a smaller\n"
		"                      one (ICMP fragmentation needed / packet too big); the hop's\n"
		"                      line says pmtu N, and the last line the path's (ICMP, --udp);\n"
		"                      with --report/--live a PMTU column: each hop's path MTU\n"
		"      --report        mtr's report: -c rounds of one probe per hop, then a table of\n"
		"                      Loss%%, Sent, Last, Avg, Best, Worst, StDev per hop, naming the\n"
		"                      hops that only limit their ICMP replies; flow kept fixed (Paris)\n"
		"      --live          the same table redrawn in place after every round on a terminal\n"
		"                      (until Ctrl-C unless -c); without a terminal, the report at the end\n"
		"      --vary-flow     --report/--live: a new flow per probe (ICMP checksum, UDP source\n"
		"                      port), so every equal-cost (ECMP) path shows, each router listed\n"
		"  -c, --count N       rounds of --report/--live (default 10 for --report; at most 100000)\n"
		"  -i, --interval S    seconds from one round to the next (default 1, 0.1-60)\n"
		"  -4, -6              IPv4 / IPv6\n"
		"      --json          JSON lines: one per hop and a summary (see README.md)\n"
		"  -n                  numeric output (the default)\n"
		"  -h, --help          this help\n"
		"\n"
		"Exit status: 0 when the destination answered, 1 when it did not, 2 on error.\n"
		"Example:\n"
		"  sudo netprobe trace --syn -p 443 10.77.20.2\n");
}

/* trace's own options; the shared ones (--syn, --udp, -p, -4, -6, -I, --json) are probe_opts.c's. */
static const struct option own_opts[] = {
	{ "max-ttl", required_argument, NULL, 'm' },
	{ "queries", required_argument, NULL, 'q' },
	{ "wait", required_argument, NULL, 'W' },
	{ "report", no_argument, NULL, OPT_REPORT },
	{ "live", no_argument, NULL, OPT_LIVE },
	{ "vary-flow", no_argument, NULL, OPT_VARY },
	{ "pmtu", no_argument, NULL, OPT_PMTU },
	{ "count", required_argument, NULL, 'c' },
	{ "interval", required_argument, NULL, 'i' },
	{ NULL, 0, NULL, 0 },
};

static int trace_option(void *ctx, int ch, const char *arg, const char **bad, const char **want)
{
	struct trace_opts *o = ctx;
	switch (ch) {
	case 'm':
		if (!np_parse_uint(arg, 1, 255, &o->max_ttl))
			*bad = "max TTL", *want = "1-255";
		return 1;
	case OPT_REPORT: o->report = true; return 1;
	case OPT_LIVE: o->live = true; return 1;
	case OPT_VARY: o->vary_flow = true; return 1;
	case OPT_PMTU: o->pmtu = true; return 1;
	case 'c':
		o->count_set = true;
		if (!np_parse_uint(arg, 1, TRACE_MAX_ROUNDS, &o->count))
			*bad = "count", *want = "1-100000 rounds";
		return 1;
	case 'i':
		o->interval_set = true;
		if (!np_parse_seconds(arg, 0.1, 60, &o->interval))
			*bad = "interval", *want = "0.1-60 seconds";
		return 1;
	case 'q':
		o->nq_set = true;
		if (!np_parse_uint(arg, 1, NP_PROBE_MAX_Q, &o->nq))
			*bad = "number of probes per hop", *want = "1-10";
		return 1;
	case 'W':
		if (!np_parse_seconds(arg, 0.001, 60, &o->wait))
			*bad = "wait", *want = "0.001-60 seconds";
		return 1;
	}
	return 0;
}

static int run(void *ctx)
{
	struct trace_opts *o = ctx;
	if (o->report && o->live) {
		np_errorf("trace", "--report and --live are exclusive: one of them");
		return NP_EXIT_ERROR;
	}
	if (o->pmtu && !o->p.m->carries_data) {
		np_errorf("trace", "--pmtu goes with ICMP or --udp probes (their size is what it "
				   "varies; a SYN carries no data)");
		return NP_EXIT_ERROR;
	}
	if (!o->report && !o->live) {
		if (o->count_set || o->interval_set || o->vary_flow) {
			if (o->vary_flow)
				np_errorf("trace", "--vary-flow goes with --report or --live (a plain "
						   "trace already sends a new flow per probe)");
			else
				np_errorf("trace", "-%c goes with --report or --live",
					  o->count_set ? 'c' : 'i');
			return NP_EXIT_ERROR;
		}
		return trace_run(o);
	}
	if (o->nq_set) {
		np_errorf("trace", "--%s sends one probe per hop a round: -c sets the rounds, not -q",
			  o->report ? "report" : "live");
		return NP_EXIT_ERROR;
	}
	if (o->vary_flow && o->p.m->kind == NP_PROBE_SYN) {
		np_errorf("trace", "--vary-flow: TCP probes keep one source port, their flow is fixed");
		return NP_EXIT_ERROR;
	}
	if (!o->count && o->report)
		o->count = 10;
	o->tty = isatty(STDOUT_FILENO); /* now: the sandbox refuses the ioctl later */
	return trace_report_run(o);
}

static const struct probe_cmd trace_cmd = {
	.name = "trace",
	.shortopts = "+:46p:m:q:W:I:c:i:nh",
	.own = own_opts,
	.parse = trace_option,
	.usage = trace_usage,
	.run = run,
};

int np_cmd_trace(int argc, char **argv)
{
	struct trace_opts o = { .max_ttl = 30, .nq = 3, .wait = 1.0, .interval = 1.0 };
	return probe_cmd_main(&trace_cmd, argc, argv, &o.p, &o);
}
