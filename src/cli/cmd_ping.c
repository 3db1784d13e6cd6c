/* cmd_ping.c - `netprobe ping`: ICMP echo (default), TCP SYN (--syn) or UDP (--udp) probes,
 * sent with libnet, answered through the capture engine; the output, summary and exit status
 * of iputils ping, with each answer's headers decoded. */
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

#define CMD "ping"
#define MAX_PROBES 100000

struct ping_opts {
	enum np_probe_kind kind;
	uint64_t count;       /* 0: until Ctrl-C or -w */
	double interval, timeout, deadline;
	uint64_t size, ttl, tos, port;
	const char *iface;
	int family;
	bool quiet, verbose, json;
	const char *host;
};

struct probe_state {
	int64_t sent_us;      /* 0: not sent */
	bool answered;
	double rtt_ms;
};

struct ping {
	struct ping_opts o;
	struct probe_run run;
	struct np_print_ctx pc;
	struct probe_state *st;
	uint32_t sent;
	uint64_t received, duplicates, errors;
	double rtt_min, rtt_max, rtt_sum, rtt_sum2;
	uint32_t rtt_hist[8];
};

static void ping_usage(FILE *out)
{
	fprintf(out,
		"Usage: netprobe ping [options] HOST\n"
		"       netprobe ping --syn -p PORT [options] HOST\n"
		"       netprobe ping --udp -p PORT [options] HOST\n"
		"\n"
		"Send probes built with libnet on raw sockets and show each answer's decoded headers.\n"
		"Needs CAP_NET_RAW (sudo, or setcap on the binary); privileges are dropped before the\n"
		"first answer is decoded.\n"
		"\n"
		"Probe:\n"
		"      --syn           TCP SYN probes: open (SYN/ACK), closed (RST), filtered\n"
		"      --udp           UDP probes: closed (ICMP port unreachable), open, open|filtered\n"
		"  -p, --port PORT     destination port for --syn/--udp (UDP default 33434)\n"
		"  -4, -6              use IPv4 / IPv6\n"
		"Timing:\n"
		"  -c, --count N       stop after N probes\n"
		"  -i, --interval S    seconds between probes (default 1; at least 0.2 unless root)\n"
		"  -W, --timeout S     seconds to wait for the last answer (default 2)\n"
		"  -w, --deadline S    stop after S seconds whatever the count\n"
		"Packet:\n"
		"  -s, --size N        data bytes (default 56 for ICMP, 16 for UDP; at most 1400)\n"
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

enum { OPT_SYN = 256, OPT_UDP, OPT_JSON };

static const struct option long_opts[] = {
	{ "syn", no_argument, NULL, OPT_SYN },
	{ "udp", no_argument, NULL, OPT_UDP },
	{ "port", required_argument, NULL, 'p' },
	{ "count", required_argument, NULL, 'c' },
	{ "interval", required_argument, NULL, 'i' },
	{ "timeout", required_argument, NULL, 'W' },
	{ "deadline", required_argument, NULL, 'w' },
	{ "size", required_argument, NULL, 's' },
	{ "ttl", required_argument, NULL, 't' },
	{ "tos", required_argument, NULL, 'Q' },
	{ "interface", required_argument, NULL, 'I' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

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

/* Returns -1 for help, 0 to go on, 2 on a usage error (reported). */
static int parse_ping(int argc, char **argv, struct ping_opts *o)
{
	memset(o, 0, sizeof *o);
	o->interval = 1.0;
	o->timeout = 2.0;
	o->ttl = 64;
	o->size = (uint64_t)-1;
	optind = 1;
	opterr = 0;
	int ch;
	bool root = geteuid() == 0;
	while ((ch = getopt_long(argc, argv, "+:46c:i:W:w:s:t:Q:I:p:qvnh", long_opts, NULL)) != -1) {
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
		case 'c':
			if (!np_parse_uint(optarg, 1, MAX_PROBES, &o->count))
				bad = "count", want = "1-100000";
			break;
		case 'i':
			/* iputils' rule: only root may send faster than 5 a second. No flood mode. */
			if (!np_parse_seconds(optarg, root ? 0.002 : 0.2, 3600, &o->interval))
				bad = "interval",
				want = root ? "0.002-3600 seconds" : "0.2-3600 seconds; below 0.2 needs root";
			break;
		case 'W':
			if (!np_parse_seconds(optarg, 0.001, 3600, &o->timeout))
				bad = "timeout", want = "0.001-3600 seconds";
			break;
		case 'w':
			if (!np_parse_seconds(optarg, 0.001, 86400, &o->deadline))
				bad = "deadline", want = "0.001-86400 seconds";
			break;
		case 's':
			if (!np_parse_uint(optarg, 0, 1400, &o->size))
				bad = "size", want = "0-1400 bytes";
			break;
		case 't':
			if (!np_parse_uint(optarg, 1, 255, &o->ttl))
				bad = "TTL", want = "1-255";
			break;
		case 'Q':
			if (!parse_byte_or_hex(optarg, &o->tos))
				bad = "TOS", want = "0-255 or 0x00-0xff";
			break;
		case 'I':
			if (!*optarg)
				bad = "interface", want = "an interface name or a source address";
			o->iface = optarg;
			break;
		case 'q': o->quiet = true; break;
		case 'v': o->verbose = true; break;
		case 'n': break;
		case OPT_JSON: o->json = true; break;
		case 'h': ping_usage(stdout); return -1;
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
	if (o->size == (uint64_t)-1)
		o->size = o->kind == NP_PROBE_ICMP ? 56 : o->kind == NP_PROBE_UDP ? 16 : 0;
	return 0;
}

static double ms_between(int64_t a, int64_t b)
{
	return (double)(b - a) / 1000.0;
}

static void print_answer(struct ping *g, const struct np_packet *p, const struct np_probe_answer *a,
			 double rtt, bool dup)
{
	char from[NP_ADDR_STRLEN + 16];
	probe_run_fmt_addr(&g->run, a->from, from, sizeof from);
	uint8_t ttl = g->run.spec.ver == 4 ? np_pkt_ip4(p)->ttl : np_pkt_ip6(p)->hlim;
	if (g->o.json) {
		printf("{\"type\":\"probe\",\"seq\":%u,\"verdict\":\"%s\",\"from\":\"%s\",\"rtt_ms\":%.3f,"
		       "\"ttl\":%u%s,\"reply\":",
		       a->seq, np_probe_verdict_name(a->verdict), from, rtt, ttl,
		       dup ? ",\"duplicate\":true" : "");
		np_print_json_object(stdout, p, NULL);
		printf("}\n");
		return;
	}
	if (g->o.quiet)
		return;
	char info[512];
	np_format_info(p, NULL, false, info, sizeof info);
	if (g->o.kind == NP_PROBE_ICMP && a->verdict == NP_PV_REPLY) {
		uint32_t bytes = g->run.spec.ver == 4 ? np_pkt_ip4(p)->tot_len - np_pkt_ip4(p)->ihl * 4u : np_pkt_ip6(p)->plen;
		printf("%u bytes from %s: icmp_seq=%u ttl=%u", bytes, from, a->seq, ttl);
		if (g->run.spec.ver == 4)
			printf(" ip_id=0x%04x", np_pkt_ip4(p)->id);
		printf(" time=%.3f ms%s | %s\n", rtt, dup ? " (DUP!)" : "", info);
	} else {
		printf("From %s: seq=%u %s time=%.3f ms%s | %s\n", from, a->seq,
		       np_probe_verdict_name(a->verdict), rtt, dup ? " (DUP!)" : "", info);
	}
	if (g->o.verbose)
		np_print_tree(&g->pc, p, NULL);
}

static void on_answer(void *arg, const struct np_packet *p, const struct np_probe_answer *a)
{
	struct ping *g = arg;
	if (a->seq == 0 || a->seq > g->sent)
		return;
	struct probe_state *s = &g->st[a->seq];
	int64_t ts = (int64_t)p->frame->ts_sec * 1000000 + p->frame->ts_usec;
	double rtt = ms_between(s->sent_us, ts);
	if (rtt < 0)
		rtt = 0;
	bool dup = s->answered;
	if (dup) {
		g->duplicates++;
	} else {
		s->answered = true;
		s->rtt_ms = rtt;
		/* An ICMP error for an echo request is an error, not a reply (iputils' "+N errors"). */
		if (a->verdict == NP_PV_UNREACHABLE || a->verdict == NP_PV_TTL_EXCEEDED) {
			g->errors++;
		} else {
			g->received++;
			if (g->received == 1 || rtt < g->rtt_min)
				g->rtt_min = rtt;
			if (rtt > g->rtt_max)
				g->rtt_max = rtt;
			g->rtt_sum += rtt;
			g->rtt_sum2 += rtt * rtt;
			unsigned b = 0;
			for (double lim = 0.1; b < 7 && rtt >= lim; lim *= 10)
				b++;
			g->rtt_hist[b]++;
		}
	}
	print_answer(g, p, a, rtt, dup);
}

/* With the count reached, stop waiting as soon as every probe has its answer (as ping does). */
static bool all_answered(void *arg)
{
	struct ping *g = arg;
	for (uint32_t i = 1; i <= g->sent; i++)
		if (!g->st[i].answered)
			return false;
	return true;
}

static void print_silence(struct ping *g, uint32_t seq)
{
	enum np_probe_verdict v = np_probe_silence(g->o.kind);
	if (g->o.json)
		printf("{\"type\":\"probe\",\"seq\":%u,\"verdict\":\"%s\"}\n", seq, np_probe_verdict_name(v));
	else if (!g->o.quiet && g->o.kind != NP_PROBE_ICMP)
		printf("From %s: seq=%u %s (no answer within %.3g s)\n", g->run.target, seq,
		       np_probe_verdict_name(v), g->o.timeout);
}

/* A probe is given up when its timeout passes; say so once, in order. */
static void report_silent(struct ping *g, int64_t now, uint32_t *next_silent, bool all)
{
	while (*next_silent <= g->sent) {
		struct probe_state *s = &g->st[*next_silent];
		if (!s->answered) {
			if (!all && now - s->sent_us < (int64_t)(g->o.timeout * 1e6))
				break;
			print_silence(g, *next_silent);
		}
		(*next_silent)++;
	}
}

/* To stdout; to stderr (as text) when stdout's reader has gone, as for `ping ... | head`. */
static void print_summary(struct ping *g, FILE *out, double total_ms)
{
	double loss = g->sent ? 100.0 * (double)(g->sent - g->received) / g->sent : 0;
	double avg = g->received ? g->rtt_sum / (double)g->received : 0;
	double var = g->received ? g->rtt_sum2 / (double)g->received - avg * avg : 0;
	double mdev = var > 0 ? sqrt(var) : 0;
	if (g->o.json && out == stdout) {
		fprintf(out, "{\"type\":\"summary\",\"transmitted\":%u,\"received\":%" PRIu64 ",\"duplicates\":%" PRIu64
		       ",\"errors\":%" PRIu64 ",\"loss_pct\":%.1f,\"time_ms\":%.0f",
		       g->sent, g->received, g->duplicates, g->errors, loss, total_ms);
		if (g->received)
			fprintf(out, ",\"rtt_min_ms\":%.3f,\"rtt_avg_ms\":%.3f,\"rtt_max_ms\":%.3f,\"rtt_mdev_ms\":%.3f",
			       g->rtt_min, avg, g->rtt_max, mdev);
		fprintf(out, "}\n");
		return;
	}
	fprintf(out, "\n--- %s %s statistics ---\n", g->o.host,
	       g->o.kind == NP_PROBE_ICMP ? "ping" : g->o.kind == NP_PROBE_SYN ? "SYN probe" : "UDP probe");
	fprintf(out, "%u packets transmitted, %" PRIu64 " received", g->sent, g->received);
	if (g->duplicates)
		fprintf(out, ", +%" PRIu64 " duplicates", g->duplicates);
	if (g->errors)
		fprintf(out, ", +%" PRIu64 " errors", g->errors);
	fprintf(out, ", %g%% packet loss, time %.0fms\n", round(loss * 10) / 10, total_ms);
	if (g->received)
		fprintf(out, "rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms\n", g->rtt_min, avg, g->rtt_max, mdev);
	if (g->received && isatty(fileno(out))) {
		/* RTT histogram by decade, for a terminal. */
		static const char *const labels[] = { "<0.1", "<1", "<10", "<100", "<1000", "<10^4", "<10^5", ">=10^5" };
		fprintf(out, "rtt histogram (ms):");
		for (unsigned b = 0; b < 8; b++)
			if (g->rtt_hist[b])
				fprintf(out, " %s:%u", labels[b], g->rtt_hist[b]);
		fprintf(out, "\n");
	}
}

static int run_ping(struct ping *g)
{
	char err[512] = "";
	struct ping_opts *o = &g->o;
	g->run.cmd = CMD;
	probe_run_spec(&g->run, o->kind, (uint16_t)o->port, (uint16_t)o->size, (uint8_t)o->tos);
	if (probe_run_target(&g->run, o->host, o->family, o->iface, err, sizeof err) < 0 ||
	    probe_run_open(&g->run, o->iface, err, sizeof err) < 0) {
		np_errorf(CMD, "%s", err);
		return NP_EXIT_ERROR;
	}
	uint64_t cap = o->count ? o->count : MAX_PROBES;
	g->st = calloc(cap + 1, sizeof *g->st);
	if (!g->st) {
		np_errorf(CMD, "out of memory");
		return NP_EXIT_ERROR;
	}
	np_install_stop_handlers();
	setvbuf(stdout, NULL, _IOLBF, 0);
	np_print_init(&g->pc, stdout, NP_TS_RELATIVE, false);
	if (!o->json && !o->quiet) {
		if (o->kind == NP_PROBE_ICMP)
			printf("PING %s (%s) %" PRIu64 "(%" PRIu64 ") bytes of data.\n", o->host, g->run.target,
			       o->size, o->size + 8 + (g->run.spec.ver == 4 ? 20 : 40));
		else
			printf("PROBE %s (%s) port %" PRIu64 "/%s\n", o->host, g->run.target, o->port,
			       o->kind == NP_PROBE_SYN ? "tcp" : "udp");
	}
	int64_t start = probe_now_us();
	int64_t stop_at = o->deadline > 0 ? start + (int64_t)(o->deadline * 1e6) : INT64_MAX;
	uint32_t next_silent = 1;
	int status = NP_EXIT_OK;
	while (!np_stop_requested && g->sent < cap && probe_now_us() < stop_at && !ferror(stdout) &&
	       !np_output_reader_gone(stdout)) {
		uint32_t seq = g->sent + 1;
		if (probe_run_send(&g->run, seq, (uint8_t)o->ttl, &g->st[seq].sent_us, err, sizeof err) < 0) {
			np_errorf(CMD, "%s", err);
			status = NP_EXIT_ERROR;
			break;
		}
		g->sent = seq;
		bool last = g->sent == cap;
		int64_t until = last ? g->st[seq].sent_us + (int64_t)(o->timeout * 1e6)
				     : g->st[seq].sent_us + (int64_t)(o->interval * 1e6);
		if (until > stop_at)
			until = stop_at;
		if (probe_run_wait(&g->run, g->sent + 1, until, last ? all_answered : NULL, on_answer, g,
				   err, sizeof err) < 0) {
			np_errorf(CMD, "%s", err);
			status = NP_EXIT_ERROR;
			break;
		}
		report_silent(g, probe_now_us(), &next_silent, false);
	}
	int out_errno = 0;
	enum np_out_state os = np_output_state(stdout, &out_errno);
	if (os == NP_OUT_OK && np_output_reader_gone(stdout))
		os = NP_OUT_CLOSED;
	if (os == NP_OUT_OK) {
		report_silent(g, probe_now_us(), &next_silent, true);
		print_summary(g, stdout, ms_between(start, probe_now_us()));
		if (fflush(stdout) != 0)
			os = np_output_state(stdout, &out_errno);
	}
	if (os == NP_OUT_CLOSED) {
		/* The reader has gone (`ping ... | head`): a normal end, summary on stderr. */
		print_summary(g, stderr, ms_between(start, probe_now_us()));
	} else if (os == NP_OUT_FAILED && status == NP_EXIT_OK) {
		np_errorf(CMD, "writing standard output failed: %s", strerror(out_errno));
		return NP_EXIT_ERROR;
	}
	if (status == NP_EXIT_OK && g->received == 0)
		status = NP_EXIT_NOREPLY;
	return status;
}

int np_cmd_ping(int argc, char **argv)
{
	struct ping g;
	memset(&g, 0, sizeof g);
	int rc = parse_ping(argc, argv, &g.o);
	if (rc < 0)
		return NP_EXIT_OK;
	if (rc == 0)
		rc = run_ping(&g);
	probe_run_close(&g.run);
	free(g.st);
	return rc;
}
