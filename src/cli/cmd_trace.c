/* cmd_trace.c - `netprobe trace`: probes with growing TTL (ICMP echo, --udp or --syn), the
 * router that answers each hop with ICMP time exceeded, RTTs per probe, stopping at the
 * destination; in the manner of traceroute and tcptraceroute. */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "netprobe/print.h"
#include "probe_run.h"

#define CMD "trace"
#define MAX_Q 10

struct trace_opts {
	enum np_probe_kind kind;
	uint64_t max_ttl, nq, port;
	double wait;
	const char *iface;
	int family;
	bool json;
	const char *host;
};

struct hop {
	uint32_t first_seq, nq;
	int64_t sent_us[MAX_Q];
	bool answered[MAX_Q];
	double rtt[MAX_Q];
	uint8_t from[MAX_Q][16];
	bool final;
};

struct trace {
	struct trace_opts o;
	struct probe_run run;
	struct hop hop;
	uint32_t sent, received;
	double rtt_min, rtt_max, rtt_sum, rtt_sum2;
};

static void trace_usage(FILE *out)
{
	fprintf(out,
		"Usage: netprobe trace [--udp | --syn -p PORT] [options] HOST\n"
		"\n"
		"Send probes with TTL 1, 2, ... and show the router that answers each hop (ICMP time\n"
		"exceeded), until the destination answers. Needs CAP_NET_RAW, like ping.\n"
		"The probes are ICMP echo requests unless --udp or --syn is given.\n"
		"\n"
		"  --udp               UDP probes (to port 33434 unless -p)\n"
		"  --syn               TCP SYN probes (needs -p), like tcptraceroute\n"
		"  -p, --port PORT     destination port\n"
		"  -m, --max-ttl N     largest TTL (default 30)\n"
		"  -q, --queries N     probes per hop (default 3, at most 10)\n"
		"  -W, --wait S        seconds to wait for a hop's answers (default 1)\n"
		"  -I, --interface IF  send from this interface or source address\n"
		"  -4, -6              IPv4 / IPv6\n"
		"      --json          JSON lines: one per hop and a summary (see README.md)\n"
		"  -n                  numeric output (the default)\n"
		"  -h, --help          this help\n"
		"\n"
		"Exit status: 0 when the destination answered, 1 when it did not, 2 on error.\n"
		"Example:\n"
		"  sudo netprobe trace --syn -p 443 10.77.20.2\n");
}

enum { OPT_SYN = 256, OPT_UDP, OPT_JSON };

static const struct option long_opts[] = {
	{ "syn", no_argument, NULL, OPT_SYN },
	{ "udp", no_argument, NULL, OPT_UDP },
	{ "port", required_argument, NULL, 'p' },
	{ "max-ttl", required_argument, NULL, 'm' },
	{ "queries", required_argument, NULL, 'q' },
	{ "wait", required_argument, NULL, 'W' },
	{ "interface", required_argument, NULL, 'I' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int parse_trace(int argc, char **argv, struct trace_opts *o)
{
	memset(o, 0, sizeof *o);
	o->max_ttl = 30;
	o->nq = 3;
	o->wait = 1.0;
	optind = 1;
	opterr = 0;
	int ch;
	while ((ch = getopt_long(argc, argv, "+:46p:m:q:W:I:nh", long_opts, NULL)) != -1) {
		const char *bad = NULL, *want = NULL;
		switch (ch) {
		case OPT_SYN:
		case OPT_UDP:
			if (o->kind != NP_PROBE_ICMP && o->kind != (ch == OPT_SYN ? NP_PROBE_SYN : NP_PROBE_UDP)) {
				np_errorf(CMD, "--syn and --udp are exclusive: one kind of probe at a time");
				return NP_EXIT_ERROR;
			}
			o->kind = ch == OPT_SYN ? NP_PROBE_SYN : NP_PROBE_UDP;
			break;
		case OPT_JSON: o->json = true; break;
		case '4':
		case '6':
			if (o->family && o->family != ch - '0') {
				np_errorf(CMD, "-4 and -6 are exclusive");
				return NP_EXIT_ERROR;
			}
			o->family = ch - '0';
			break;
		case 'p':
			if (!np_parse_uint(optarg, 1, 65535, &o->port))
				bad = "port", want = "1-65535";
			break;
		case 'm':
			if (!np_parse_uint(optarg, 1, 255, &o->max_ttl))
				bad = "max TTL", want = "1-255";
			break;
		case 'q':
			if (!np_parse_uint(optarg, 1, MAX_Q, &o->nq))
				bad = "number of probes per hop", want = "1-10";
			break;
		case 'W':
			if (!np_parse_seconds(optarg, 0.001, 60, &o->wait))
				bad = "wait", want = "0.001-60 seconds";
			break;
		case 'I':
			if (!*optarg)
				bad = "interface", want = "an interface name or a source address";
			o->iface = optarg;
			break;
		case 'n': break;
		case 'h': trace_usage(stdout); return -1;
		default: /* ':' or '?' */
			return np_opt_error(CMD, ch, argv, long_opts);
		}
		if (bad) {
			np_errorf(CMD, "invalid %s '%s' (want %s)", bad, optarg, want);
			return NP_EXIT_ERROR;
		}
	}
	if (probe_args_tail(CMD, argc, argv, o->kind, &o->port, &o->host) != 0)
		return NP_EXIT_ERROR;
	return 0;
}

static void on_answer(void *arg, const struct np_packet *p, const struct np_probe_answer *a)
{
	struct trace *tr = arg;
	struct hop *h = &tr->hop;
	if (a->seq < h->first_seq || a->seq >= h->first_seq + h->nq)
		return; /* a late answer to an earlier hop */
	uint32_t i = a->seq - h->first_seq;
	if (h->answered[i])
		return;
	int64_t ts = (int64_t)p->frame->ts_sec * 1000000 + p->frame->ts_usec;
	h->answered[i] = true;
	h->rtt[i] = (double)(ts - h->sent_us[i]) / 1000.0;
	double r = h->rtt[i];
	if (tr->received++ == 0 || r < tr->rtt_min)
		tr->rtt_min = r;
	if (r > tr->rtt_max)
		tr->rtt_max = r;
	tr->rtt_sum += r;
	tr->rtt_sum2 += r * r;
	memcpy(h->from[i], a->from, 16);
	if (a->final)
		h->final = true;
}

static bool hop_done(void *arg)
{
	struct trace *tr = arg;
	for (uint32_t i = 0; i < tr->hop.nq; i++)
		if (!tr->hop.answered[i])
			return false;
	return true;
}

static void print_hop(struct trace *tr, unsigned ttl)
{
	struct hop *h = &tr->hop;
	int first = -1;
	for (uint32_t i = 0; i < h->nq; i++)
		if (h->answered[i] && first < 0)
			first = (int)i;
	char addr[NP_ADDR_STRLEN + 16] = "";
	if (first >= 0)
		probe_run_fmt_addr(&tr->run, h->from[first], addr, sizeof addr);
	if (tr->o.json) {
		printf("{\"type\":\"hop\",\"ttl\":%u,\"addr\":", ttl);
		printf(first >= 0 ? "\"%s\"" : "null", addr);
		printf(",\"rtt_ms\":[");
		bool any = false;
		for (uint32_t i = 0; i < h->nq; i++) {
			if (!h->answered[i])
				continue;
			printf("%s%.3f", any ? "," : "", h->rtt[i]);
			any = true;
		}
		printf("],\"reached\":%s}\n", h->final ? "true" : "false");
		return;
	}
	printf("%2u ", ttl);
	const uint8_t *shown = NULL;
	for (uint32_t i = 0; i < h->nq; i++) {
		if (!h->answered[i]) {
			printf(" *");
			continue;
		}
		if (!shown || memcmp(shown, h->from[i], 16) != 0) {
			char a[NP_ADDR_STRLEN + 16];
			printf(" %s", probe_run_fmt_addr(&tr->run, h->from[i], a, sizeof a));
			shown = h->from[i];
		}
		printf("  %.3f ms", h->rtt[i]);
	}
	printf("\n");
}

static int run_trace(struct trace *tr)
{
	char err[512] = "";
	struct trace_opts *o = &tr->o;
	probe_run_spec(&tr->run, o->kind, (uint16_t)o->port, o->kind == NP_PROBE_SYN ? 0 : 32, 0);
	tr->run.cmd = CMD;
	if (probe_run_target(&tr->run, o->host, o->family, o->iface, err, sizeof err) < 0 ||
	    probe_run_open(&tr->run, o->iface, err, sizeof err) < 0) {
		np_errorf(CMD, "%s", err);
		return NP_EXIT_ERROR;
	}
	np_install_stop_handlers();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!o->json)
		printf("trace to %s (%s), %" PRIu64 " hops max, %s probes\n", o->host, tr->run.target,
		       o->max_ttl, o->kind == NP_PROBE_ICMP ? "ICMP echo" : o->kind == NP_PROBE_SYN ? "TCP SYN" : "UDP");
	bool reached = false;
	uint32_t seq = 1;
	for (unsigned ttl = 1; ttl <= o->max_ttl && !reached && !np_stop_requested &&
			       !ferror(stdout) && !np_output_reader_gone(stdout);
	     ttl++) {
		struct hop *h = &tr->hop;
		memset(h, 0, sizeof *h);
		h->first_seq = seq;
		h->nq = (uint32_t)o->nq;
		for (uint32_t i = 0; i < h->nq; i++, seq++) {
			if (probe_run_send(&tr->run, seq, (uint8_t)ttl, &h->sent_us[i], err, sizeof err) < 0) {
				np_errorf(CMD, "%s", err);
				return NP_EXIT_ERROR;
			}
		}
		int64_t until = h->sent_us[h->nq - 1] + (int64_t)(o->wait * 1e6);
		if (probe_run_wait(&tr->run, seq, until, hop_done, on_answer, tr, err, sizeof err) < 0) {
			np_errorf(CMD, "%s", err);
			return NP_EXIT_ERROR;
		}
		tr->sent += h->nq;
		print_hop(tr, ttl);
		reached = h->final;
	}
	int out_errno = 0;
	enum np_out_state os = np_output_state(stdout, &out_errno);
	if (os == NP_OUT_OK && np_output_reader_gone(stdout))
		os = NP_OUT_CLOSED;
	if (os == NP_OUT_CLOSED) /* `trace ... | head`: a normal end; the hops shown are all */
		return reached ? NP_EXIT_OK : NP_EXIT_NOREPLY;
	if (o->json) {
		/* The same summary as ping's: every probe of every hop, answered by whoever. */
		double avg = tr->received ? tr->rtt_sum / tr->received : 0;
		double var = tr->received ? tr->rtt_sum2 / tr->received - avg * avg : 0;
		printf("{\"type\":\"summary\",\"transmitted\":%u,\"received\":%u,\"loss_pct\":%.1f,"
		       "\"reached\":%s",
		       tr->sent, tr->received, tr->sent ? 100.0 * (tr->sent - tr->received) / tr->sent : 0.0,
		       reached ? "true" : "false");
		if (tr->received)
			printf(",\"rtt_min_ms\":%.3f,\"rtt_avg_ms\":%.3f,\"rtt_max_ms\":%.3f,\"rtt_mdev_ms\":%.3f",
			       tr->rtt_min, avg, tr->rtt_max, var > 0 ? sqrt(var) : 0);
		printf("}\n");
	}
	if (fflush(stdout) != 0 && np_output_state(stdout, &out_errno) == NP_OUT_FAILED) {
		np_errorf(CMD, "writing standard output failed: %s", strerror(out_errno));
		return NP_EXIT_ERROR;
	}
	return reached ? NP_EXIT_OK : NP_EXIT_NOREPLY;
}

int np_cmd_trace(int argc, char **argv)
{
	struct trace tr;
	memset(&tr, 0, sizeof tr);
	int rc = parse_trace(argc, argv, &tr.o);
	if (rc < 0)
		return NP_EXIT_OK;
	if (rc == 0)
		rc = run_trace(&tr);
	probe_run_close(&tr.run);
	return rc;
}
