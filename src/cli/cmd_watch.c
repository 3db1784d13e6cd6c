/* cmd_watch.c - `netprobe watch`: source -> decode -> match -> print, for a capture file (-r)
 * or a live interface (-i), with tcpdump's options where tcpdump has one. */
#define _GNU_SOURCE /* ppoll */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <time.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <pcap/dlt.h>
#include <pcap/pcap.h>

#include "cli.h"
#include "netprobe/capture.h"
#include "netprobe/decode.h"
#include "netprobe/match.h"
#include "netprobe/outfile.h"
#include "netprobe/print.h"
#include "netprobe/probe.h"
#include "netprobe/sandbox.h"
#include "netprobe/track.h"

#define CMD "watch"
/* Longest BPF expression taken: far more than any hand-written filter (hundreds of hosts),
 * and it keeps pcap_compile's optimiser, which is not linear, from running for minutes. */
#define FILTER_MAX 16384

enum out_mode { OUT_LINE, OUT_JSON, OUT_EVENTS, OUT_NONE /* -w -: stdout carries the capture */ };

struct watch_opts {
	const char *read_file;
	const char *iface;
	uint64_t count; /* 0: no limit */
	int verbose;
	bool hex;
	bool brief;            /* -q */
	unsigned ladder_width; /* --width, or the terminal's; 0: NP_LADDER_WIDTH_DEFAULT */
	enum out_mode mode;
	enum np_tsfmt tsfmt;
	int color; /* -1 auto, 0 never, 1 always */
	bool absolute;
	bool summary;
	bool states;      /* --states: TCP state changes between the lines too */
	const char *write_file;
	bool overwrite;   /* -w may replace an existing file */
	double duration;  /* seconds; 0: no limit */
	uint64_t buffer_kib;
	struct np_match match;
	struct np_track_opts track;
	char *filter; /* BPF expression from the remaining arguments, or NULL */
};

static void watch_usage(FILE *out)
{
	fprintf(out,
		"Usage: netprobe watch [-r FILE | -i IFACE] [options] [BPF expression]\n"
		"\n"
		"Decode packets and print them, one line each (like Wireshark's packet list).\n"
		"\n"
		"Source:\n"
		"  -r, --read FILE     read a pcap or pcapng capture file ('-' for stdin)\n"
		"  -i, --interface IF  capture live on interface IF (needs CAP_NET_RAW). Without\n"
		"                      -r or -i: 'lo' when --port names a port only a loopback\n"
		"                      address listens on, 'any' otherwise; stderr says which\n"
		"                      interface and filter were opened\n"
		"Selection:\n"
		"  -c, --count N       stop after N matching packets\n"
		"      --duration S    stop after S seconds\n"
		"      --port N        only TCP/UDP packets with source or destination port N\n"
		"      --host H        only packets to or from host H (address or name)\n"
		"  EXPRESSION          a BPF filter in tcpdump syntax, e.g. 'tcp and port 80'\n"
		"                      (--port/--host are matched after decoding, so they also\n"
		"                      see inside VLAN tags; they combine with EXPRESSION by AND)\n"
		"Output:\n"
		"  -v, --verbose       every header field of every layer, with checksum verdicts\n"
		"  -q, --brief         a short line per packet (tcpdump -q): addresses with\n"
		"                      ports, protocol, TCP flags and lengths; fits 80 columns\n"
		"  -x, --hex           hex and ASCII dump of each frame\n"
		"      --json          one JSON object per line (schema in README.md)\n"
		"      --events        only the conversation events (handshakes, teardowns,\n"
		"                      refusals, resets, unanswered SYNs, analysis notes,\n"
		"                      SYN floods)\n"
		"      --states        also each TCP state change (CLOSED → SYN-SENT ...), with\n"
		"                      --events or between the packet lines (--json has them)\n"
		"      --ladder        draw each TCP conversation as a sequence diagram when it\n"
		"                      ends (or at exit): arrows, flags, relative seq/ack, states\n"
		"      --width N       columns of the ladder (60-200; default: the terminal's, at\n"
		"                      most 86; 86 when not a terminal)\n"
		"  -S, --absolute      raw TCP sequence numbers instead of relative ones\n"
		"      --no-summary    no statistics at the end (text output prints them to stderr)\n"
		"  -t, --time FMT      time column: r relative (default), d delta, e epoch,\n"
		"                      a/ad local time (with date), u/ud UTC (with date)\n"
		"  -n                  numeric addresses (the default; accepted for tcpdump habits)\n"
		"      --color WHEN    auto (default: only on a terminal, not if NO_COLOR is set),\n"
		"                      always or never\n"
		"Tracking:\n"
		"      --max-conv N    conversations tracked at once (default 65536)\n"
		"      --max-half-open N  of which not yet established (default 32768)\n"
		"      --idle-timeout S   forget an idle established conversation after S s (600)\n"
		"      --flood-rate N  SYNs/s to one destination that start a flood alert (200)\n"
		"      --flood-half-open N  ...with at least N handshakes left open (500)\n"
		"      --flood-window S  sliding window of the flood detector, 1-16 s (5)\n"
		"Output file (with -r or -i):\n"
		"  -w, --write FILE    also write the captured frames to FILE (classic pcap);\n"
		"                      'netprobe watch -r FILE' replays them to the same output.\n"
		"                      Written as FILE.partial, renamed to FILE at a clean end;\n"
		"                      '-' writes the capture to stdout (and prints no packets)\n"
		"      --overwrite     let -w replace an existing FILE\n"
		"Live capture:\n"
		"  -B, --buffer-size KIB  kernel capture buffer (default: libpcap's on a terminal,\n"
		"                      32768 when writing to a pipe or file)\n"
		"  -h, --help          this help\n"
		"\n"
		"Examples (capture 20 packets of any interface and keep them; read them again):\n"
		"  sudo netprobe watch -i any -c 20 -w first.pcap\n"
		"  netprobe watch -r first.pcap -v\n");
}

enum {
	OPT_PORT = 256,
	OPT_HOST,
	OPT_JSON,
	OPT_COLOR,
	OPT_EVENTS,
	OPT_NO_SUMMARY,
	OPT_MAX_CONV,
	OPT_MAX_HALF,
	OPT_IDLE,
	OPT_FLOOD_RATE,
	OPT_FLOOD_HALF,
	OPT_FLOOD_WINDOW,
	OPT_LADDER,
	OPT_DURATION,
	OPT_OVERWRITE,
	OPT_STATES,
	OPT_WIDTH,
};

static const struct option long_opts[] = {
	{ "read", required_argument, NULL, 'r' },
	{ "interface", required_argument, NULL, 'i' },
	{ "count", required_argument, NULL, 'c' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "hex", no_argument, NULL, 'x' },
	{ "brief", no_argument, NULL, 'q' },
	{ "width", required_argument, NULL, OPT_WIDTH },
	{ "time", required_argument, NULL, 't' },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "host", required_argument, NULL, OPT_HOST },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "color", required_argument, NULL, OPT_COLOR },
	{ "events", no_argument, NULL, OPT_EVENTS },
	{ "states", no_argument, NULL, OPT_STATES },
	{ "ladder", no_argument, NULL, OPT_LADDER },
	{ "write", required_argument, NULL, 'w' },
	{ "overwrite", no_argument, NULL, OPT_OVERWRITE },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "buffer-size", required_argument, NULL, 'B' },
	{ "absolute", no_argument, NULL, 'S' },
	{ "no-summary", no_argument, NULL, OPT_NO_SUMMARY },
	{ "max-conv", required_argument, NULL, OPT_MAX_CONV },
	{ "max-half-open", required_argument, NULL, OPT_MAX_HALF },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE },
	{ "flood-rate", required_argument, NULL, OPT_FLOOD_RATE },
	{ "flood-half-open", required_argument, NULL, OPT_FLOOD_HALF },
	{ "flood-window", required_argument, NULL, OPT_FLOOD_WINDOW },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static char *join_args(int argc, char **argv)
{
	size_t len = 1;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *s = calloc(1, len);
	if (!s)
		return NULL;
	for (int i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* The tracker's numeric options, each with its own sane range. */
static int parse_track_opt(int ch, const char *arg, struct np_track_opts *t)
{
	static const struct {
		int ch;
		const char *name;
		uint64_t lo, hi;
	} ranges[] = {
		{ OPT_MAX_CONV, "--max-conv", 16, 1u << 24 },
		{ OPT_MAX_HALF, "--max-half-open", 1, 1u << 24 },
		{ OPT_IDLE, "--idle-timeout", 1, 86400 },
		{ OPT_FLOOD_RATE, "--flood-rate", 1, 100000000 },
		{ OPT_FLOOD_HALF, "--flood-half-open", 1, 100000000 },
		{ OPT_FLOOD_WINDOW, "--flood-window", 1, 16 },
	};
	for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
		if (ranges[i].ch != ch)
			continue;
		uint64_t v;
		if (!np_parse_uint(arg, ranges[i].lo, ranges[i].hi, &v)) {
			np_errorf(CMD, "invalid %s '%s' (want %" PRIu64 "-%" PRIu64 ")", ranges[i].name, arg,
				  ranges[i].lo, ranges[i].hi);
			return -1;
		}
		uint32_t v32 = (uint32_t)v;
		switch (ch) {
		case OPT_MAX_CONV: t->max_conv = v32; break;
		case OPT_MAX_HALF: t->max_half_open = v32; break;
		case OPT_IDLE: t->idle_timeout_s = v32; break;
		case OPT_FLOOD_RATE: t->flood_rate = v32; break;
		case OPT_FLOOD_HALF: t->flood_half_open = v32; break;
		default: t->flood_window_s = v32; break;
		}
	}
	return 0;
}

/* The ladder's width when --width does not say: a terminal's own (TIOCGWINSZ, read here, before
 * the sandbox, which allows no such ioctl), within NP_LADDER_WIDTH_MIN..DEFAULT, as ls and ss
 * fit a terminal; anything else, a pipe or a file, gets NP_LADDER_WIDTH_DEFAULT, whatever
 * COLUMNS says, so that saved output does not depend on the terminal it was made from. */
static unsigned terminal_width(void)
{
	struct winsize ws;
	if (!isatty(STDOUT_FILENO) || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0 || ws.ws_col == 0)
		return NP_LADDER_WIDTH_DEFAULT;
	if (ws.ws_col < NP_LADDER_WIDTH_MIN)
		return NP_LADDER_WIDTH_MIN;
	return ws.ws_col < NP_LADDER_WIDTH_DEFAULT ? ws.ws_col : NP_LADDER_WIDTH_DEFAULT;
}

/* Returns -1 to exit 0 (help), 0 to go on, 2 on a usage error (already reported). */
static int parse_watch(int argc, char **argv, struct watch_opts *o)
{
	char err[256];
	uint64_t v;
	bool json = false, events = false, ladder = false;
	memset(o, 0, sizeof *o);
	o->color = -1;
	o->tsfmt = NP_TS_RELATIVE;
	o->summary = true;
	np_track_defaults(&o->track);
	if (np_track_seed(&o->track, err, sizeof err) < 0) { /* here: the sandbox forbids getrandom */
		np_errorf(CMD, "%s", err);
		return NP_EXIT_ERROR;
	}
	optind = 1;
	opterr = 0;
	int ch;
	while ((ch = getopt_long(argc, argv, "+:r:i:c:vqxt:nShw:B:", long_opts, NULL)) != -1) {
		switch (ch) {
		case 'r':
		case 'i':
			if (!*optarg) {
				np_errorf(CMD, "invalid -%c '' (want %s)", ch,
					  ch == 'r' ? "a capture file, or '-' for stdin" : "an interface name");
				return NP_EXIT_ERROR;
			}
			*(ch == 'r' ? &o->read_file : &o->iface) = optarg;
			break;
		case 'c':
			if (!np_parse_uint(optarg, 1, UINT64_MAX, &o->count)) {
				np_errorf(CMD, "invalid packet count '%s' (want a whole number >= 1)", optarg);
				return NP_EXIT_ERROR;
			}
			break;
		case 'v':
			o->verbose++;
			break;
		case 'x':
			o->hex = true;
			break;
		case 'q':
			o->brief = true;
			break;
		case OPT_WIDTH:
			if (!np_parse_uint(optarg, NP_LADDER_WIDTH_MIN, NP_LADDER_WIDTH_MAX, &v)) {
				np_errorf(CMD, "invalid --width '%s' (want %d-%d columns)", optarg,
					  NP_LADDER_WIDTH_MIN, NP_LADDER_WIDTH_MAX);
				return NP_EXIT_ERROR;
			}
			o->ladder_width = (unsigned)v;
			break;
		case 'n':
			break;
		case 't':
			if (!np_tsfmt_parse(optarg, &o->tsfmt)) {
				np_errorf(CMD, "invalid time format '%s' (want r, d, e, a, ad, u or ud)", optarg);
				return NP_EXIT_ERROR;
			}
			break;
		case OPT_PORT:
			if (!np_parse_uint(optarg, 0, 65535, &v)) {
				np_errorf(CMD, "invalid port '%s' (want 0-65535)", optarg);
				return NP_EXIT_ERROR;
			}
			o->match.has_port = true;
			o->match.port = (uint16_t)v;
			break;
		case OPT_HOST:
			if (np_match_add_host(&o->match, optarg, err, sizeof err) < 0) {
				np_errorf(CMD, "%s", err);
				return NP_EXIT_ERROR;
			}
			break;
		case OPT_JSON:
			o->mode = OUT_JSON;
			json = true;
			break;
		case OPT_EVENTS:
			o->mode = OUT_EVENTS;
			events = true;
			break;
		case OPT_STATES:
			o->states = true;
			break;
		case OPT_LADDER:
			ladder = true;
			/* Enough for every conversation of a capture people draw; the rest are
			 * counted, not drawn (bounded memory whatever the capture). */
			o->track.ladder_convs = 1024;
			o->track.ladder_segments = 64;
			break;
		case 'S':
			o->absolute = true;
			break;
		case 'w':
			if (!*optarg) {
				np_errorf(CMD, "invalid -w '' (want a file name, or '-' for stdout)");
				return NP_EXIT_ERROR;
			}
			o->write_file = optarg;
			break;
		case OPT_OVERWRITE:
			o->overwrite = true;
			break;
		case 'B':
			if (!np_parse_uint(optarg, 64, 4u << 20, &o->buffer_kib)) {
				np_errorf(CMD, "invalid buffer size '%s' (want 64-4194304 KiB)", optarg);
				return NP_EXIT_ERROR;
			}
			break;
		case OPT_DURATION:
			if (!np_parse_seconds(optarg, 0.001, 31536000, &o->duration)) {
				np_errorf(CMD, "invalid duration '%s' (want 0.001-31536000 seconds)", optarg);
				return NP_EXIT_ERROR;
			}
			break;
		case OPT_NO_SUMMARY:
			o->summary = false;
			break;
		case OPT_MAX_CONV:
		case OPT_MAX_HALF:
		case OPT_IDLE:
		case OPT_FLOOD_RATE:
		case OPT_FLOOD_HALF:
		case OPT_FLOOD_WINDOW:
			if (parse_track_opt(ch, optarg, &o->track) < 0)
				return NP_EXIT_ERROR;
			break;
		case OPT_COLOR:
			if (strcmp(optarg, "auto") == 0)
				o->color = -1;
			else if (strcmp(optarg, "always") == 0)
				o->color = 1;
			else if (strcmp(optarg, "never") == 0)
				o->color = 0;
			else {
				np_errorf(CMD, "invalid --color '%s' (want auto, always or never)", optarg);
				return NP_EXIT_ERROR;
			}
			break;
		case 'h':
			watch_usage(stdout);
			return -1;
		default: /* ':' or '?' */
			return np_opt_error(CMD, ch, argv, long_opts);
		}
	}
	/* Options that contradict each other: one line saying which, rather than a silent winner. */
	const char *conflict = NULL;
	if (o->read_file && o->iface)
		conflict = "-r and -i are exclusive: read a file or capture live, not both";
	else if (json && events)
		conflict = "--json and --events are exclusive (--json already carries the events)";
	else if (o->brief && (json || events))
		conflict = "-q shortens the packet lines; --json and --events print none";
	else if (o->write_file && strcmp(o->write_file, "-") == 0 &&
		 (json || events || ladder || o->verbose || o->hex))
		conflict = "-w - writes the capture to standard output, which cannot also carry "
			   "--json, --events, --ladder, -v or -x";
	else if (o->overwrite && !o->write_file)
		conflict = "--overwrite goes with -w FILE";
	else if (o->buffer_kib && o->read_file)
		conflict = "-B sizes a live capture's kernel buffer; it does not apply to -r";
	if (conflict) {
		np_errorf(CMD, "%s", conflict);
		return NP_EXIT_ERROR;
	}
	if (o->write_file && strcmp(o->write_file, "-") == 0)
		o->mode = OUT_NONE;
	if (!o->ladder_width)
		o->ladder_width = terminal_width();
	if (optind < argc) {
		o->filter = join_args(argc - optind, argv + optind);
		if (!o->filter) {
			np_errorf(CMD, "out of memory");
			return NP_EXIT_ERROR;
		}
		size_t len = strlen(o->filter);
		if (len > FILTER_MAX) {
			np_errorf(CMD, "filter expression too long (%zu bytes; at most %d)", len, FILTER_MAX);
			return NP_EXIT_ERROR;
		}
	}
	return 0;
}

/* Where the tracker's events go: printed at once, or held until the packet line is out. */
struct sink {
	struct np_print_ctx *pc;
	enum out_mode mode;
	bool states; /* --states */
	bool hold;
	unsigned nheld;
	struct np_event held[32];
};

static bool wanted(const struct sink *k, const struct np_event *ev)
{
	if (k->mode == OUT_NONE)
		return false;
	/* JSON carries every event (its consumers read the states). The text views show a state
	 * change only when asked (--states): a flood's lone SYN is no event until it resolves
	 * (handshake, refused, unanswered), and one line per spoofed SYN would bury the alert. */
	if (ev->kind == NP_EV_STATE && k->mode != OUT_JSON)
		return k->states;
	if (k->mode != OUT_LINE)
		return true;
	/* Between packet lines only what a person watching needs; the rest is on the line itself
	 * (analysis notes), in -v (states), or in --events and --json. */
	switch (ev->kind) {
	case NP_EV_HANDSHAKE:
	case NP_EV_REFUSED:
	case NP_EV_SYN_UNANSWERED:
	case NP_EV_TEARDOWN:
	case NP_EV_RESET:
	case NP_EV_SYN_FLOOD:
	case NP_EV_LADDER:
		return true;
	default:
		return false;
	}
}

static void show_event(struct sink *k, const struct np_event *ev)
{
	if (!wanted(k, ev))
		return;
	if (k->mode == OUT_JSON)
		np_print_event_json(k->pc, ev);
	else
		np_print_event(k->pc, ev);
}

static void on_event(void *arg, const struct np_event *ev)
{
	struct sink *k = arg;
	if (k->hold && k->nheld < sizeof k->held / sizeof k->held[0])
		k->held[k->nheld++] = *ev;
	else
		show_event(k, ev);
}

static void print_packet(struct np_print_ctx *pc, const struct watch_opts *o,
			 const struct np_packet *p, const struct np_pkt_track *trk)
{
	switch (o->mode) {
	case OUT_JSON:
		np_print_json(pc, p, trk);
		return;
	case OUT_EVENTS:
		np_print_event_frame(pc, p->frame);
		return;
	case OUT_NONE:
		return;
	case OUT_LINE:
		break;
	}
	np_print_line(pc, p, trk);
	if (o->verbose)
		np_print_tree(pc, p, trk);
	if (o->hex)
		np_print_hex(pc, p);
}

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
 * short is another filter (and a user's BPF expression is up to FILTER_MAX bytes). */
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
static char *live_filter(const struct watch_opts *o, int dlt)
{
	char *plain = strdup(""), *shorthand, *s;
	unsigned nh = o->match.nhosts;
	if (plain && o->match.has_port)
		plain = str_append(plain, "port %u%s", o->match.port, nh ? " and " : "");
	if (plain && nh > 1)
		plain = str_append(plain, "(");
	for (unsigned i = 0; plain && i < nh; i++) {
		const struct np_match_host *h = &o->match.hosts[i];
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
	if (o->filter && shorthand[0])
		s = str_append(NULL, "(%s) and (%s)", o->filter, shorthand);
	else
		s = str_append(NULL, "%s", o->filter ? o->filter : shorthand);
	free(shorthand);
	return s;
}

static const char *live_dev(const struct watch_opts *o)
{
	if (o->iface)
		return o->iface;
	return o->match.has_port && loopback_listener(o->match.port) ? "lo" : "any";
}

/* open_source(): a stop signal came before the capture could be opened. */
#define WATCH_STOPPED (-1)

static int open_source(const struct watch_opts *o, struct np_source **src, struct np_outfile *of,
		       bool *of_open)
{
	char err[PCAP_ERRBUF_SIZE + 256];
	int rc;
	char *filter = NULL;
	const char *dev = o->read_file ? NULL : live_dev(o);
	if (o->read_file) {
		rc = np_source_open_file(src, o->read_file, err, sizeof err);
	} else {
		bool tty = isatty(STDOUT_FILENO);
		struct np_live_opts lo = { .snaplen = 262144, .promisc = true, .immediate = tty,
					   .timeout_ms = 100 };
		/* A terminal sees each packet as it comes; a pipe gets batches from a big ring. */
		lo.buffer_kib = o->buffer_kib ? (int)o->buffer_kib : tty ? 0 : 32768;
		rc = np_source_open_live(src, dev, &lo, err, sizeof err);
		if (rc == 0 && !(filter = live_filter(o, (*src)->dlt))) {
			snprintf(err, sizeof err, "out of memory building the capture filter");
			rc = -1; /* the caller closes the source */
		}
	}
	if (rc < 0 && errno == EINTR && np_stop_requested)
		return WATCH_STOPPED; /* e.g. -r FIFO waiting for its writer: a stop, not an error */
	if (rc < 0) {
		np_errorf(CMD, "%s", err);
		return NP_EXIT_ERROR;
	}
	if (!np_link_supported((*src)->dlt)) {
		const char *name = pcap_datalink_val_to_name((*src)->dlt);
		np_errorf(CMD, "%s: link type %s (%d) is not supported (netprobe decodes EN10MB, "
			       "LINUX_SLL, LINUX_SLL2, NULL, LOOP, RAW, IPV4 and IPV6)",
			  o->read_file ? o->read_file : o->iface ? o->iface : "any",
			  name ? name : "unknown", (*src)->dlt);
		free(filter);
		return NP_EXIT_ERROR;
	}
	const char *expr = o->read_file ? o->filter : filter;
	rc = expr && expr[0] ? np_source_set_filter(*src, expr, err, sizeof err) : 0;
	if (rc < 0) {
		free(filter);
		np_errorf(CMD, "%s", err);
		return NP_EXIT_ERROR;
	}
	/* The output file last, so that a bad filter or interface leaves nothing behind; still
	 * before the first packet is read. */
	if (o->write_file) {
		if (np_outfile_open(of, o->write_file, o->overwrite, err, sizeof err) < 0) {
			if (of->interrupted && np_stop_requested) {
				/* Stopped while the FIFO waited for a reader: a clean end with
				 * nothing written (no file to name), as any other stop. */
				free(filter);
				return NP_EXIT_OK;
			}
			free(filter);
			np_errorf(CMD, "%s", err);
			return NP_EXIT_ERROR;
		}
		*of_open = true;
		if (np_source_dump_open(*src, of->fp, o->write_file, err, sizeof err) < 0) {
			np_outfile_release(of, false);
			*of_open = false;
			free(filter);
			np_errorf(CMD, "%s", err);
			return NP_EXIT_ERROR;
		}
	}
	if (!o->read_file) /* said once the capture is really open and filtered */
		fprintf(stderr, "netprobe: watching %s, filter: %s\n", dev,
			filter && filter[0] ? filter : "none");
	free(filter);
	return NP_EXIT_OK;
}

/* Why the loop ended, when it was not the end of the input, -c or --duration. */
enum stop_reason { STOP_NONE, STOP_READER_GONE, STOP_ERROR };

/* After a write to the -w stream: go on, or stop because its reader has gone (-w - or a
 * FIFO), or because writing failed (reported here; the data stays in FILE.partial). */
static enum stop_reason check_capture_file(struct np_outfile *of, bool *of_open)
{
	char err[1024];
	int w = np_outfile_check(of);
	if (w == 0)
		return STOP_NONE;
	if (w > 0)
		return STOP_READER_GONE;
	np_outfile_abandon(of, err, sizeof err);
	np_errorf(CMD, "%s", err);
	*of_open = false; /* reported; the dumper still owns and closes the stream */
	return STOP_ERROR;
}

/* Everything is open: give up root and every capability (when held) and enter the seccomp
 * sandbox, before the first packet is read. Nothing to drop (an ordinary user reading a file):
 * the sandbox all the same. Returns 0, or -1 (reported). */
static int confine(const struct np_outfile *of, bool of_open, int handover_fd, pid_t parent)
{
	char err[512];
	if (np_priv_held() && np_priv_drop(err, sizeof err) < 0) {
		np_errorf(CMD, "%s", err);
		return -1;
	}
	if (parent > 0) {
		/* The -w worker stops (SIGTERM: a clean end, the data kept in FILE.partial) when
		 * its parent dies, e.g. of kill -9: a live capture has no end of its own. Set after
		 * the drop, which clears it (credentials changed, prctl(2)); a parent already
		 * gone is seen by getppid() (we were reparented). */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
			np_stop_requested = SIGTERM;
	}
	tzset(); /* -t a: localtime(3) reads the zone file now, not once sandboxed */
	struct np_sandbox sb = { .nwrite_fds = 0 };
	if (of_open && !of->to_stdout)
		sb.write_fds[sb.nwrite_fds++] = fileno(of->fp);
	if (handover_fd >= 0)
		sb.write_fds[sb.nwrite_fds++] = handover_fd;
	if (np_sandbox_enter(&sb, err, sizeof err) < 0) {
		np_errorf(CMD, "%s", err);
		return -1;
	}
	return 0;
}

/* A failure after the source (and the -w file, when of is not NULL) were opened, already
 * reported: what was written stays in FILE.partial, which is not renamed. */
static int give_up(struct np_source *src, struct np_outfile *of)
{
	if (of) {
		char why[512];
		np_outfile_abandon(of, why, sizeof why);
		np_outfile_release(of, true);
	}
	np_source_close(src);
	return NP_EXIT_ERROR;
}

/* Has the -w parent gone (the read end of the handover pipe closed)? */
static bool parent_gone(int handover_fd)
{
	struct pollfd pfd = { .fd = handover_fd, .events = 0 };
	return handover_fd >= 0 && poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLERR);
}

/* How often at least the -w stream is flushed while frames keep coming: a worker killed by
 * SIGKILL (or a crash) loses at most this much of the capture, not a 64 KiB buffer; when the
 * input goes idle (a live read timeout, an empty pipe) it is flushed at once. */
#define FLUSH_EVERY_MS 100

static int64_t coarse_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Stopped while the capture was being opened (a FIFO's writer had not come yet): the end of a
 * run like any other stop, with its (empty) summary and exit 0. */
static int stopped_before_start(const struct watch_opts *o)
{
	struct np_tracker *trk = np_tracker_new(&o->track);
	if (trk && o->summary) {
		struct np_track_stats ts;
		np_track_stats(trk, &ts);
		if (o->mode == OUT_JSON)
			np_print_summary_json(stdout, &ts, 0, 0);
		else
			np_print_summary(stderr, &ts, 0);
	}
	np_tracker_free(trk);
	return NP_EXIT_OK;
}

static int run_watch(const struct watch_opts *o, int handover_fd, pid_t parent)
{
	struct np_source *src = NULL;
	struct np_outfile of;
	bool of_open = false;
	/* Only a pipe or socket can lose its reader while we wait for packets (asked before
	 * anything is opened, so a sandbox installed after the opens need not allow fstat). */
	struct stat so;
	bool stdout_stream = fstat(STDOUT_FILENO, &so) == 0 && (S_ISFIFO(so.st_mode) || S_ISSOCK(so.st_mode));
	int status = open_source(o, &src, &of, &of_open);
	if (status == WATCH_STOPPED)
		return stopped_before_start(o);
	if (status != NP_EXIT_OK) {
		np_source_close(src);
		return status;
	}
	if (of_open && of.partial && handover_fd >= 0) {
		np_outfile_handover(&of, handover_fd);
		/* Tell the parent FILE.partial exists, so that it names it only when it does. */
		static const char opened = 'O';
		if (write(handover_fd, &opened, 1) != 1) {
			/* the parent has gone: caught below, after the drop */
		}
	}
	if (confine(&of, of_open, handover_fd, parent) < 0)
		return give_up(src, of_open ? &of : NULL);
	bool tty = isatty(STDOUT_FILENO);
	bool err_tty = isatty(STDERR_FILENO); /* asked here: the sandbox has no ioctl for later */
	bool color = o->mode == OUT_LINE &&
		     (o->color == 1 || (o->color == -1 && tty && !getenv("NO_COLOR")));
	/* A terminal sees each packet at once; a pipe or file gets large writes (1 MiB: a write
	 * per ~8,000 lines). With -w - the capture file is stdout and has its buffer already. */
	if (o->mode != OUT_NONE)
		setvbuf(stdout, NULL, tty ? _IOLBF : _IOFBF, tty ? 1 << 16 : 1 << 20);

	struct np_print_ctx pc;
	np_print_init(&pc, stdout, o->tsfmt, color);
	pc.absolute_seq = o->absolute;
	pc.event_numbers = o->mode == OUT_EVENTS;
	pc.compact = o->brief;
	pc.ladder_width = o->ladder_width;
	struct np_tracker *trk = np_tracker_new(&o->track);
	if (!trk) {
		np_errorf(CMD, "out of memory for the conversation table (--max-conv %u)", o->track.max_conv);
		return give_up(src, of_open ? &of : NULL);
	}
	struct sink sink = { .pc = &pc, .mode = o->mode, .states = o->states };
	struct np_pkt_track info;
	struct np_packet pkt;
	struct np_frame f;
	char err[PCAP_ERRBUF_SIZE + 512];
	uint64_t shown = 0;
	enum stop_reason stop = STOP_NONE;
	bool link_gone = false; /* NP_NEXT_GONE: a normal end, but exit status 2 */
	int out_errno = 0;
	struct timespec t0, tn;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	bool dirty = false; /* frames in the -w stream's buffer */
	int64_t flushed_ms = coarse_ms();
	while (!np_stop_requested && (o->count == 0 || shown < o->count)) {
		if (o->duration > 0) {
			clock_gettime(CLOCK_MONOTONIC, &tn);
			double spent = (double)(tn.tv_sec - t0.tv_sec) + (double)(tn.tv_nsec - t0.tv_nsec) / 1e9;
			if (spent >= o->duration)
				break;
		}
		if (dirty && np_source_idle(src)) {
			/* A capture from a pipe: hand over the frames before a read that waits. */
			fflush(of.fp);
			dirty = false;
			flushed_ms = coarse_ms();
		}
		enum np_next rc = np_source_next(src, &f, err, sizeof err);
		if (rc == NP_NEXT_TIMEOUT) {
			/* A quiet moment: hand over what is buffered (a reader of the pipe sees the
			 * packets within the read timeout, as with tcpdump -l, yet a flood still gets
			 * large writes), and notice a reader that has gone even when nothing is
			 * written (`watch -i X | head` must end when head has). */
			if (o->mode != OUT_NONE && fflush(stdout) != 0) {
				enum np_out_state os = np_output_state(stdout, &out_errno);
				stop = os == NP_OUT_CLOSED ? STOP_READER_GONE : STOP_ERROR;
				break;
			}
			if (stdout_stream && np_output_reader_gone(stdout)) {
				stop = STOP_READER_GONE;
				break;
			}
			if (of_open) {
				fflush(of.fp); /* the .partial file is readable as it grows */
				dirty = false;
				flushed_ms = coarse_ms();
				if ((stop = check_capture_file(&of, &of_open)) != STOP_NONE)
					break;
			}
			if (parent_gone(handover_fd))
				break; /* as SIGTERM would (PR_SET_PDEATHSIG): the parent was killed */
			continue;
		}
		if (rc == NP_NEXT_END)
			break;
		if (rc == NP_NEXT_GONE) {
			/* The interface went down or away: one line says so; what was captured
			 * is complete (summary, -w FILE renamed), the status says it ended early. */
			fflush(stdout);
			np_errorf(CMD, "%s", err);
			link_gone = true;
			break;
		}
		if (rc == NP_NEXT_ERROR) {
			fflush(stdout);
			np_errorf(CMD, "%s: %s", o->read_file ? o->read_file : "capture", err);
			stop = STOP_ERROR;
			break;
		}
		if (of_open) {
			np_source_dump(src, &f);
			dirty = true;
			int64_t now = coarse_ms();
			if (now - flushed_ms >= FLUSH_EVERY_MS) {
				fflush(of.fp);
				dirty = false;
				flushed_ms = now;
			}
			if ((stop = check_capture_file(&of, &of_open)) != STOP_NONE)
				break;
		}
		np_decode(&f, &pkt);
		if (!np_match_packet(&o->match, &pkt))
			continue;
		shown++;
		/* Expiries first (they happened before this packet), then the packet, then what
		 * the packet caused. */
		sink.hold = false;
		np_track_advance(trk, f.ts_sec, f.ts_usec, on_event, &sink);
		sink.hold = true;
		sink.nheld = 0;
		np_track_packet(trk, &pkt, &info, on_event, &sink);
		print_packet(&pc, o, &pkt, &info);
		for (unsigned i = 0; i < sink.nheld; i++)
			show_event(&sink, &sink.held[i]);
		if (ferror(stdout)) { /* a flag test: the printers write through stdio */
			enum np_out_state os = np_output_state(stdout, &out_errno);
			stop = os == NP_OUT_CLOSED ? STOP_READER_GONE : STOP_ERROR;
			break;
		}
	}
	/* Ctrl-C: the terminal echoed "^C" where the cursor was; what follows starts on a line of
	 * its own, as with tcpdump. */
	if (np_stop_requested == SIGINT && err_tty)
		fputc('\n', stderr);
	sink.hold = false;
	if (stop == STOP_NONE)
		np_track_finish(trk, on_event, &sink);
	struct np_source_stats st;
	np_source_stats(src, &st);
	struct np_track_stats ts;
	np_track_stats(trk, &ts);
	np_tracker_free(trk);
	if (stop == STOP_NONE && o->mode == OUT_JSON)
		np_print_summary_json(stdout, &ts, st.frames, shown);
	/* Everything for stdout is written: see whether it all arrived. A reader that has gone
	 * is a normal end; any other failure is an error. */
	if (o->mode != OUT_NONE && (fflush(stdout) != 0 || ferror(stdout)) && stop != STOP_ERROR) {
		enum np_out_state os = np_output_state(stdout, &out_errno);
		if (os == NP_OUT_CLOSED)
			stop = STOP_READER_GONE;
		else
			stop = STOP_ERROR;
	}
	if (out_errno && stop == STOP_ERROR)
		np_errorf(CMD, "writing standard output failed: %s", strerror(out_errno));
	if (stop != STOP_ERROR) {
		status = link_gone ? NP_EXIT_ERROR : NP_EXIT_OK;
		/* The summary goes to stderr: always for text output, and for --json (or -w -) when
		 * stdout could not take it. */
		if (o->summary && (o->mode != OUT_JSON || stop == STOP_READER_GONE))
			np_print_summary(stderr, &ts, st.frames);
	} else {
		status = NP_EXIT_ERROR;
	}
	if (st.have_kernel)
		fprintf(stderr, "netprobe: %llu packet%s shown, %llu received by filter, %llu dropped by kernel, %llu dropped by interface\n",
			(unsigned long long)shown, shown == 1 ? "" : "s", (unsigned long long)st.recv,
			(unsigned long long)st.drop, (unsigned long long)st.ifdrop);
	if (of_open) {
		/* FILE appears only now, complete; on any error the data keeps its .partial name. */
		if (stop != STOP_ERROR) {
			if (np_outfile_commit(&of, err, sizeof err) < 0) {
				np_errorf(CMD, "%s", err);
				status = NP_EXIT_ERROR;
			}
		} else {
			np_outfile_abandon(&of, err, sizeof err);
			if (err[0])
				np_errorf(CMD, "%s", err);
		}
	}
	np_source_close(src); /* closes the -w stream */
	if (o->write_file)
		np_outfile_release(&of, true);
	return status;
}

/* -w FILE: the parent's signal handler passes SIGINT, SIGTERM and SIGHUP on to the worker
 * (np_stop_requested holds the signal's number until then). */
static void on_forward(int sig)
{
	np_stop_requested = sig;
}

/* The parent of a -w FILE run: it keeps the right to rename FILE.partial in FILE's directory
 * (which the dropped user usually lacks) and nothing else (its uid; CAP_DAC_OVERRIDE and
 * CAP_KILL if it had them), never holds a capture handle nor reads a packet, and runs in its
 * own tiny sandbox. It waits for the worker's "complete" byte and its exit, then renames, and
 * exits with the worker's status (2 if the rename fails; 128+N if the worker died of signal
 * N). */
static int await_worker(const struct watch_opts *o, pid_t worker, int rfd, const sigset_t *old)
{
	char err[1024];
	np_catch_stop_signals(on_forward);
	bool refused = np_priv_keep_rename_only(err, sizeof err) < 0 ||
		       np_sandbox_enter_renamer(worker, err, sizeof err) < 0;
	if (refused) { /* e.g. no seccomp: the worker refuses too; the status is 2 either way */
		np_errorf(CMD, "%s", err);
		kill(worker, SIGTERM);
	}
	bool complete = false, opened = false;
	for (;;) {
		/* The stop signals are blocked except inside ppoll: none is lost between a check
		 * of the flag and the wait. */
		struct pollfd pfd = { .fd = rfd, .events = POLLIN };
		int n = ppoll(&pfd, 1, NULL, old);
		if (n < 0 && errno == EINTR) {
			int sig = np_stop_requested;
			np_stop_requested = 0;
			if (sig)
				kill(worker, sig);
			continue;
		}
		if (n < 0)
			break;
		char c;
		ssize_t r = read(rfd, &c, 1);
		if (r == 1) {
			complete = c == 'C';
			opened = opened || c == 'O';
		}
		else if (r == 0 || errno != EINTR)
			break; /* end of file: the worker has exited */
	}
	int st;
	while (waitpid(worker, &st, 0) < 0)
		if (errno != EINTR) {
			np_errorf(CMD, "waiting for the capture process: %s", strerror(errno));
			return NP_EXIT_ERROR;
		}
	if (refused)
		return NP_EXIT_ERROR;
	if (WIFSIGNALED(st)) {
		bool kept = opened && !complete; /* name FILE.partial only when it was created */
		np_errorf(CMD, "the capture process died of signal %d%s%s%s", WTERMSIG(st),
			  kept ? "; anything captured is in " : "", kept ? o->write_file : "",
			  kept ? ".partial (incomplete)" : "");
		return 128 + WTERMSIG(st);
	}
	int status = WEXITSTATUS(st);
	/* 'C' comes only after the worker completed the file (np_outfile_commit): rename it
	 * also when the run ended with status 2 because the interface went away. */
	if (complete && (status == NP_EXIT_OK || status == NP_EXIT_ERROR) &&
	    np_outfile_rename(o->write_file, o->overwrite, err, sizeof err) < 0) {
		np_errorf(CMD, "%s", err);
		return NP_EXIT_ERROR;
	}
	return status;
}

/* -w FILE (not '-'): split in two before anything is opened (see await_worker); otherwise one
 * process does it all. */
static int watch_split(const struct watch_opts *o)
{
	if (!o->write_file || strcmp(o->write_file, "-") == 0)
		return run_watch(o, -1, 0);
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		np_errorf(CMD, "pipe: %s", strerror(errno));
		return NP_EXIT_ERROR;
	}
	sigset_t stops, old;
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGHUP);
	sigprocmask(SIG_BLOCK, &stops, &old);
	fflush(NULL); /* nothing buffered is written twice */
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		np_errorf(CMD, "fork: %s", strerror(errno));
		sigprocmask(SIG_SETMASK, &old, NULL);
		close(p[0]);
		close(p[1]);
		return NP_EXIT_ERROR;
	}
	if (pid == 0) {
		close(p[0]);
		/* The stop handlers are inherited (np_cmd_watch), and so is a stop already asked
		 * for: the worker ends cleanly however early the signal came. */
		sigprocmask(SIG_SETMASK, &old, NULL);
		return run_watch(o, p[1], parent);
	}
	np_stop_requested = 0; /* the worker has it; the parent only forwards what comes now */
	close(p[1]);
	int rc = await_worker(o, pid, p[0], &old);
	close(p[0]);
	return rc;
}

int np_cmd_watch(int argc, char **argv)
{
	/* From the first moment, a stop signal ends the run as documented (exit 0, the summary,
	 * the -w file completed), not by killing it. A file size limit (ulimit -f) gives EFBIG,
	 * reported as a write error, rather than SIGXFSZ killing the run (setrlimit(2)). */
	np_install_stop_handlers();
	signal(SIGXFSZ, SIG_IGN);
	struct watch_opts o;
	int rc = parse_watch(argc, argv, &o);
	if (rc == 0)
		rc = watch_split(&o);
	else if (rc < 0)
		rc = NP_EXIT_OK;
	free(o.filter);
	return rc;
}
