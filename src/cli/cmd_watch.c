/* cmd_watch.c - `netprobe watch`: its options, and the wiring of a run (source -> decode ->
 * match -> track -> print, src/pipeline/) for a capture file (-r) or a live interface (-i), with
 * tcpdump's options where tcpdump has one. The run itself is in watch_run.c, the -w split in
 * watch_split.c, the choice of a live interface in src/capture/choose.c; --help in
 * watch_usage.c, the options that contradict each other in watch_check.c. */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "cli.h"
#include "netprobe/capture.h"
#include "netprobe/ipfix.h"
#include "netprobe/match.h"
#include "netprobe/decode.h"
#include "netprobe/print.h"
#include "netprobe/track.h"
#include "netprobe/wqueue.h"
#include "watch.h"

/* Longest BPF expression taken: far more than any hand-written filter (hundreds of hosts),
 * and it keeps pcap_compile's optimiser, which is not linear, from running for minutes. */
#define FILTER_MAX 16384

enum {
	OPT_PORT = 256,
	OPT_HOST,
	OPT_DECODE_AS,
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
	OPT_PAYLOAD,
	OPT_PAYLOAD_MAX,
	OPT_FORMAT,
	OPT_POST_ROTATE,
	OPT_WRITE_BUFFER,
	OPT_CID_SEED,
	OPT_IPFIX,
	OPT_IPFIX_ACTIVE,
	OPT_FANOUT,
	OPT_FANOUT_GROUP,
};

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

/* How an option's value is taken: the table below says it for every option with a plain
 * effect; the few with more to do are handled in take_special. */
enum kind {
	K_TRUE,      /* a bool set */
	K_FALSE,     /* a bool cleared */
	K_NAME,      /* a non-empty string */
	K_U64,       /* a whole number in [lo, hi] */
	K_U32,
	K_SECONDS,   /* np_parse_seconds in [lo, hi] */
	K_IGNORED,   /* -n: numeric is the default */
	K_SPECIAL,
};

struct rule {
	const char *name;      /* the long option, or NULL (-n) */
	int ch;
	enum kind kind;
	size_t off;            /* into struct watch_opts */
	uint64_t lo, hi;
	const char *what;      /* "invalid <what> '<value>' (want <want>)" */
	const char *want;
};

#define AT(f) offsetof(struct watch_opts, f)
#define TRK(f) (AT(track) + offsetof(struct np_track_opts, f))

/* Every option of watch, one row each: its long name, letter or code, how its value is taken,
 * where it goes and how a bad value is reported (-h is apart). */
static const struct rule rules[] = {
	{ "read", 'r', K_NAME, AT(read_file), 0, 0, "-r", "a capture file, or '-' for stdin" },
	{ "interface", 'i', K_NAME, AT(iface), 0, 0, "-i", "an interface name" }, /* repeatable */
	{ "list-interfaces", 'D', K_TRUE, AT(list_devs), 0, 0, NULL, NULL },
	{ "count", 'c', K_U64, AT(count), 1, UINT64_MAX, "packet count", "a whole number >= 1" },
	{ "verbose", 'v', K_TRUE, AT(verbose), 0, 0, NULL, NULL },
	{ "hex", 'x', K_TRUE, AT(hex), 0, 0, NULL, NULL },
	{ "brief", 'q', K_TRUE, AT(brief), 0, 0, NULL, NULL },
	{ "ascii", 'A', K_TRUE, AT(text), 0, 0, NULL, NULL },
	{ "hex-payload", 'X', K_TRUE, AT(payload_hex), 0, 0, NULL, NULL },
	{ "payload", OPT_PAYLOAD, K_SPECIAL, 0, 0, 0, "--payload", "hex, base64 or text" },
	{ "payload-max", OPT_PAYLOAD_MAX, K_SPECIAL, 0, 1, 1u << 30, "--payload-max",
	  "1-1073741824 bytes, or all" },
	{ "width", OPT_WIDTH, K_U32, AT(ladder_width), NP_LADDER_WIDTH_MIN, NP_LADDER_WIDTH_MAX,
	  "--width", "60-200 columns" },
	{ "time", 't', K_SPECIAL, 0, 0, 0, "time format", "r, d, e, a, ad, u or ud" },
	{ "port", OPT_PORT, K_SPECIAL, 0, 0, 65535, "port", "0-65535" },
	{ "host", OPT_HOST, K_SPECIAL, 0, 0, 0, NULL, NULL },
	{ "decode-as", OPT_DECODE_AS, K_SPECIAL, 0, 0, 0, NULL, NULL },
	{ "json", OPT_JSON, K_SPECIAL, 0, 0, 0, "--json", "no value, or =ecs" },
	{ "ipfix", OPT_IPFIX, K_SPECIAL, 0, 0, 0, "--ipfix", "[udp:|tcp:]HOST:PORT" },
	{ "ipfix-active-timeout", OPT_IPFIX_ACTIVE, K_U32, AT(ipfix_active_s), 1, 86400,
	  "--ipfix-active-timeout", "1-86400 seconds" },
	{ "community-id-seed", OPT_CID_SEED, K_SPECIAL, 0, 0, 65535, "--community-id-seed",
	  "0-65535" },
	{ "color", OPT_COLOR, K_SPECIAL, 0, 0, 0, "--color", "auto, always or never" },
	{ "events", OPT_EVENTS, K_TRUE, AT(events), 0, 0, NULL, NULL },
	{ "states", OPT_STATES, K_TRUE, AT(states), 0, 0, NULL, NULL },
	{ "ladder", OPT_LADDER, K_TRUE, AT(ladder), 0, 0, NULL, NULL },
	{ "write", 'w', K_NAME, AT(write_file), 0, 0, "-w", "a file name, or '-' for stdout" },
	{ "overwrite", OPT_OVERWRITE, K_TRUE, AT(overwrite), 0, 0, NULL, NULL },
	{ "format", OPT_FORMAT, K_SPECIAL, 0, 0, 0, "--format", "pcap or pcapng" },
	{ "file-size", 'C', K_SPECIAL, 0, 1024, UINT64_C(1) << 40, "-C size",
	  "millions of bytes, or a number with k, M or G; 1k to 1T" },
	{ "rotate-seconds", 'G', K_U32, AT(rot_secs), 1, 31536000, "-G seconds", "1-31536000" },
	{ "file-count", 'W', K_U32, AT(rot_count), 1, 1000000, "-W count", "1-1000000" },
	{ "write-buffer", OPT_WRITE_BUFFER, K_SPECIAL, 0, 1u << 20, UINT64_C(1) << 34,
	  "--write-buffer", "millions of bytes, or a number with k, M or G; 1M to 16G" },
	{ "post-rotate", OPT_POST_ROTATE, K_NAME, AT(post_rotate), 0, 0, "--post-rotate",
	  "a command" },
	{ "duration", OPT_DURATION, K_SECONDS, AT(duration), 0, 0, "duration",
	  "0.001-31536000 seconds" },
	{ "buffer-size", 'B', K_U64, AT(buffer_kib), 64, 4u << 20, "buffer size", "64-4194304 KiB" },
	{ "absolute", 'S', K_TRUE, AT(absolute), 0, 0, NULL, NULL },
	{ "no-summary", OPT_NO_SUMMARY, K_FALSE, AT(summary), 0, 0, NULL, NULL },
	{ "max-conv", OPT_MAX_CONV, K_U32, TRK(max_conv), 16, 1u << 24, "--max-conv", "16-16777216" },
	{ "max-half-open", OPT_MAX_HALF, K_U32, TRK(max_half_open), 1, 1u << 24, "--max-half-open",
	  "1-16777216" },
	{ "idle-timeout", OPT_IDLE, K_U32, TRK(idle_timeout_s), 1, 86400, "--idle-timeout",
	  "1-86400" },
	{ "flood-rate", OPT_FLOOD_RATE, K_U32, TRK(flood_rate), 1, 100000000, "--flood-rate",
	  "1-100000000" },
	{ "flood-half-open", OPT_FLOOD_HALF, K_U32, TRK(flood_half_open), 1, 100000000,
	  "--flood-half-open", "1-100000000" },
	{ "flood-window", OPT_FLOOD_WINDOW, K_U32, TRK(flood_window_s), 1, 16, "--flood-window",
	  "1-16" },
	{ "fanout", OPT_FANOUT, K_U32, AT(fanout), 1, NP_FANOUT_MAX, "--fanout",
	  "1-64 workers" },
	{ "fanout-group", OPT_FANOUT_GROUP, K_SPECIAL, 0, 0, 65535, "--fanout-group", "0-65535" },
	{ NULL, 'n', K_IGNORED, 0, 0, 0, NULL, NULL },
};

#define NRULES (sizeof rules / sizeof rules[0])

/* getopt_long's table, made from the rules: --help, then the end. */
static void long_options(struct option lo[NRULES + 2])
{
	size_t n = 0;
	for (size_t i = 0; i < NRULES; i++) {
		if (!rules[i].name)
			continue;
		bool flag = rules[i].kind == K_TRUE || rules[i].kind == K_FALSE;
		int has = flag ? no_argument : required_argument;
		if (rules[i].ch == OPT_JSON) /* --json, or --json=ecs */
			has = optional_argument;
		lo[n++] = (struct option){ rules[i].name, has, NULL, rules[i].ch };
	}
	lo[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	lo[n] = (struct option){ NULL, 0, NULL, 0 };
}

/* The options that need more than the table: false when the value is invalid. */
static bool take_special(const struct rule *r, const char *arg, struct watch_opts *o)
{
	static const char *const colors[] = { "never", "always", "auto" };
	static const char *const encodings[] = { "hex", "base64", "text" };
	uint64_t v;
	switch (r->ch) {
	case OPT_JSON:
		o->json = true;
		o->ecs = arg != NULL;
		return !arg || strcmp(arg, "ecs") == 0;
	case OPT_IPFIX: {
		char host[256], port[8];
		bool tcp;
		o->ipfix = arg;
		return np_ipfix_parse(arg, &tcp, host, sizeof host, port, sizeof port);
	}
	case OPT_CID_SEED:
		if (!np_parse_uint(arg, r->lo, r->hi, &v))
			return false;
		o->cid_seed = (uint16_t)v;
		o->cid_seed_given = true;
		return true;
	case OPT_PAYLOAD:
		for (int i = 0; i < 3; i++)
			if (strcmp(arg, encodings[i]) == 0) {
				o->payload_enc = (enum np_payload_enc)(NP_PAYLOAD_HEX + i);
				return true;
			}
		return false;
	case OPT_PAYLOAD_MAX:
		if (strcmp(arg, "all") == 0) {
			o->payload_max = UINT32_MAX;
			return true;
		}
		if (!np_parse_uint(arg, r->lo, r->hi, &v))
			return false;
		o->payload_max = (uint32_t)v;
		return true;
	case 't':
		return np_tsfmt_parse(arg, &o->tsfmt);
	case OPT_FANOUT_GROUP:
		o->fanout_group_given = true;
		return np_parse_uint(arg, r->lo, r->hi, &v) && (o->fanout_group = (uint32_t)v, true);
	case 'C':
		return np_parse_size(arg, r->lo, r->hi, &o->rot_size);
	case OPT_WRITE_BUFFER:
		return np_parse_size(arg, r->lo, r->hi, &o->write_buffer);
	case OPT_FORMAT:
		if (strcmp(arg, "pcap") == 0 || strcmp(arg, "pcapng") == 0) {
			o->write_format = arg[4] ? NP_WFMT_PCAPNG : NP_WFMT_PCAP;
			return true;
		}
		return false;
	case OPT_PORT:
		if (!np_parse_uint(arg, r->lo, r->hi, &v))
			return false;
		o->match.has_port = true;
		o->match.port = (uint16_t)v;
		return true;
	default: /* OPT_COLOR: 0 never, 1 always, -1 auto */
		for (int i = 0; i < 3; i++)
			if (strcmp(arg, colors[i]) == 0) {
				o->color = i < 2 ? i : -1;
				return true;
			}
		return false;
	}
}

/* One option by its rule. Returns 0, or 2 (reported). */
static int take(const struct rule *r, const char *arg, struct watch_opts *o)
{
	char *field = (char *)o + r->off, err[256];
	uint64_t v = 0;
	bool ok = true;
	switch (r->kind) {
	case K_TRUE: *(bool *)field = true; break;
	case K_FALSE: *(bool *)field = false; break;
	case K_IGNORED: break;
	case K_NAME:
		ok = arg[0] != '\0';
		if (ok && r->ch == 'i') { /* -i, repeatable: several interfaces */
			if (o->nifaces == NP_WATCH_MAX_IFACES) {
				np_errorf(CMD, "-i: at most %d interfaces", NP_WATCH_MAX_IFACES);
				return NP_EXIT_ERROR;
			}
			o->ifaces[o->nifaces++] = arg;
			if (o->nifaces > 1)
				break; /* o->iface stays the first */
		}
		*(const char **)field = arg;
		break;
	case K_U64: ok = np_parse_uint(arg, r->lo, r->hi, (uint64_t *)field); break;
	case K_U32:
		ok = np_parse_uint(arg, r->lo, r->hi, &v);
		*(uint32_t *)field = (uint32_t)v;
		break;
	case K_SECONDS: ok = np_parse_seconds(arg, 0.001, 31536000, (double *)field); break;
	case K_SPECIAL:
		if (r->ch == OPT_HOST && np_match_add_host(&o->match, arg, err, sizeof err) < 0) {
			np_errorf(CMD, "%s", err);
			return NP_EXIT_ERROR;
		}
		if (r->ch == OPT_DECODE_AS) {
			if (np_decode_as_add(&o->decode_as, arg, err, sizeof err))
				return 0;
			np_errorf(CMD, "%s", err);
			return NP_EXIT_ERROR;
		}
		ok = r->ch == OPT_HOST || take_special(r, arg, o);
		break;
	}
	if (ok)
		return 0;
	np_errorf(CMD, "invalid %s '%s' (want %s)", r->what, arg, r->want);
	return NP_EXIT_ERROR;
}

/* What the options add up to: the output (picked once, here), the ladder's pool, the width
 * and the BPF expression of the remaining arguments. Returns 0, or 2 (reported). */
static int settle(int argc, char **argv, struct watch_opts *o)
{
	const char *why = np_watch_conflict(o);
	if (why) {
		np_errorf(CMD, "%s", why);
		return NP_EXIT_ERROR;
	}
	bool to_stdout = o->write_file && strcmp(o->write_file, "-") == 0;
	o->out = (struct np_printer_opts){
		.output = to_stdout ? NP_OUT_NONE : o->ecs ? NP_OUT_ECS : o->json ? NP_OUT_JSON
					       : o->events ? NP_OUT_EVENTS : NP_OUT_LINE,
		.tree = o->verbose, .hex = o->hex, .states = o->states, .summary = o->summary,
		.text = o->text, .payload_hex = o->payload_hex, .payload_max = o->payload_max,
		.payload_json = o->payload_enc, .payload_json_max = o->payload_max,
		.cid_seed = o->cid_seed,
	};
	/* The ladder recorder and the ECS conversation records hear when a conversation ends. */
	o->track.report_ends = o->ladder || o->ecs || o->ipfix;
	if (o->ipfix) /* a long conversation is reported every S seconds (default 300) */
		o->track.active_timeout_s = o->ipfix_active_s ? o->ipfix_active_s : 300;
	if (!o->ladder_width)
		o->ladder_width = terminal_width();
	if (optind < argc) {
		o->filter = np_join_args(argc - optind, argv + optind);
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

/* Returns -1 to exit 0 (help), 0 to go on, 2 on a usage error (already reported). */
static int parse_watch(int argc, char **argv, struct watch_opts *o)
{
	char err[256];
	memset(o, 0, sizeof *o);
	o->color = -1;
	o->tsfmt = NP_TS_RELATIVE;
	o->summary = true;
	np_track_defaults(&o->track);
	if (np_track_seed(&o->track, err, sizeof err) < 0) { /* here: the sandbox forbids getrandom */
		np_errorf(CMD, "%s", err);
		return NP_EXIT_ERROR;
	}
	struct option long_opts[NRULES + 2];
	long_options(long_opts);
	optind = 1;
	opterr = 0;
	int ch;
	while ((ch = getopt_long(argc, argv, "+:r:i:c:vqxAXt:nShw:B:DC:G:W:", long_opts, NULL)) != -1) {
		if (ch == 'h') {
			np_watch_usage(stdout);
			return -1;
		}
		size_t i = 0;
		while (i < NRULES && rules[i].ch != ch)
			i++;
		if (i == NRULES) /* ':' or '?' */
			return np_opt_error(CMD, ch, argv, long_opts);
		if (take(&rules[i], optarg, o) != 0)
			return NP_EXIT_ERROR;
	}
	return settle(argc, argv, o);
}

/* -D: the list on stdout, as tcpdump -D prints it. */
static int list_devs(void)
{
	char err[PCAP_ERRBUF_SIZE + 64];
	if (np_capture_list_devs(stdout, err, sizeof err) < 0) {
		np_errorf(CMD, "%s", err);
		return NP_EXIT_ERROR;
	}
	return fflush(stdout) == 0 ? NP_EXIT_OK : NP_EXIT_ERROR;
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
	if (!o.write_buffer)
		o.write_buffer = NP_WQ_DEFAULT_BYTES;
	if (rc == 0 && o.list_devs)
		rc = list_devs();
	else if (rc == 0)
		rc = np_watch_split(&o);
	else if (rc < 0)
		rc = NP_EXIT_OK;
	free(o.filter);
	return rc;
}
