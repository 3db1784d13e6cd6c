/* cmd_follow.c - `netprobe follow`: the options of the command that prints what the
 * applications said (tshark -z follow, Wireshark's Follow Stream), and their checks. The run is
 * follow_run.c; the conversations and their printing src/print/follow*.c. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "follow.h"

static void follow_usage(FILE *out)
{
	fprintf(out,
		"Usage: netprobe follow -r FILE [options] [CONV...]\n"
		"       netprobe follow -i IFACE --port N [options]\n"
		"\n"
		"Print what the applications said: each conversation's bytes, both directions\n"
		"interleaved in capture order, each side marked (client/server; in colour on a\n"
		"terminal). TCP bytes are reassembled: in sequence order, each byte once, bytes\n"
		"never captured shown as gaps, a retransmission with different bytes flagged (the\n"
		"first copy is kept). UDP: the datagrams of one address/port pair.\n"
		"\n"
		"  CONV                a conversation to follow: N (TCP, numbered as watch numbers\n"
		"                      them) or uN (UDP). None: a list of every conversation\n"
		"                      (endpoints, bytes each way, state at the end), then all\n"
		"  -r, --read FILE     read a pcap or pcapng capture file ('-' for stdin: no list)\n"
		"  -i, --interface IF  capture live on IF (needs CAP_NET_RAW), printing the data\n"
		"                      as it arrives; Ctrl-C ends\n"
		"      --port N        only TCP/UDP packets with source or destination port N\n"
		"      --host H        only packets to or from host H\n"
		"      --duration S    live: stop after S seconds\n"
		"      --format F      text (default), hex, raw or json (one line per\n"
		"                      conversation: chunks in base64, gaps, conflicts)\n"
		"      --dir D         with --format raw: client or server, whose bytes go to\n"
		"                      stdout (one CONV): e.g. a download's body\n"
		"      --color WHEN    auto (default), always or never\n"
		"      --max-conv N    TCP conversations tracked at once (default 65536)\n"
		"      --reasm-conv-mem BYTES  out-of-order bytes held per conversation\n"
		"                      (default 4M); beyond it a hole is given up as a gap\n"
		"      --reasm-mem BYTES  all conversations together (default 256M)\n"
		"      --reasm-waiting N  out-of-order pieces waiting per direction (default\n"
		"                      4096); beyond it a hole is given up as a gap\n"
		"      --reasm-history BYTES  delivered bytes kept per direction to compare a\n"
		"                      retransmission with (default 16K)\n"
		"      --buffer-mem BYTES  dialogue held until its conversation ends (default\n"
		"                      256M); beyond it a conversation is printed in parts\n"
		"  -h, --help          this help\n"
		"BYTES: a number with an optional K, M or G suffix (powers of 1024).\n"
		"Memory: at most --reasm-mem + --buffer-mem + 1152 bytes per --max-conv slot\n"
		"(the tables) + the program (about 20 MiB) + malloc's free fragments.\n"
		"\n"
		"Examples:\n"
		"  netprobe follow -r capture.pcap\n"
		"  netprobe follow -r capture.pcap 3 --format raw --dir server > body.bin\n"
		"  sudo netprobe follow -i lo --port 8888\n");
}

enum {
	OPT_PORT = 256,
	OPT_HOST,
	OPT_FORMAT,
	OPT_DIR,
	OPT_COLOR,
	OPT_DURATION,
	OPT_MAX_CONV,
	OPT_CONV_MEM,
	OPT_TOTAL_MEM,
	OPT_HISTORY,
	OPT_WAITING,
	OPT_BUFFER_MEM,
};

static const struct option long_opts[] = {
	{ "read", required_argument, NULL, 'r' },
	{ "interface", required_argument, NULL, 'i' },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "host", required_argument, NULL, OPT_HOST },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "dir", required_argument, NULL, OPT_DIR },
	{ "color", required_argument, NULL, OPT_COLOR },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "max-conv", required_argument, NULL, OPT_MAX_CONV },
	{ "reasm-conv-mem", required_argument, NULL, OPT_CONV_MEM },
	{ "reasm-mem", required_argument, NULL, OPT_TOTAL_MEM },
	{ "reasm-history", required_argument, NULL, OPT_HISTORY },
	{ "reasm-waiting", required_argument, NULL, OPT_WAITING },
	{ "buffer-mem", required_argument, NULL, OPT_BUFFER_MEM },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* "4096", "64K", "4M", "1G" within [lo, hi]. */
static bool parse_bytes(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char buf[32];
	size_t n = strlen(s);
	if (n == 0 || n >= sizeof buf)
		return false;
	memcpy(buf, s, n + 1);
	unsigned shift = 0;
	char *u = strchr("KkMmGg", buf[n - 1]) ? &buf[n - 1] : NULL;
	if (u) {
		shift = *u == 'K' || *u == 'k' ? 10 : *u == 'M' || *u == 'm' ? 20 : 30;
		*u = '\0';
	}
	uint64_t v;
	if (!np_parse_uint(buf, 0, UINT64_MAX >> 30, &v))
		return false;
	v <<= shift;
	if (v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static int bad(const char *what, const char *arg, const char *want)
{
	np_errorf(FOLLOW_CMD, "invalid %s '%s' (want %s)", what, arg, want);
	return NP_EXIT_ERROR;
}

/* The options that set a size. Returns 0 or 2 (reported). */
static int take_size(int ch, const char *arg, struct follow_cli *o)
{
	uint64_t v;
	switch (ch) {
	case OPT_CONV_MEM:
		if (!parse_bytes(arg, 4096, UINT64_C(1) << 40, &v))
			return bad("--reasm-conv-mem", arg, "4K to 1024G");
		o->fo.reasm.conv_mem = v;
		return 0;
	case OPT_TOTAL_MEM:
		if (!parse_bytes(arg, 65536, UINT64_C(1) << 40, &v))
			return bad("--reasm-mem", arg, "64K to 1024G");
		o->fo.reasm.total_mem = v;
		return 0;
	case OPT_HISTORY:
		if (!parse_bytes(arg, 0, 1u << 30, &v))
			return bad("--reasm-history", arg, "0 to 1G");
		o->fo.reasm.history = v;
		return 0;
	default: /* OPT_BUFFER_MEM */
		if (!parse_bytes(arg, 4096, UINT64_C(1) << 40, &v))
			return bad("--buffer-mem", arg, "4K to 1024G");
		o->fo.buffer_mem = v;
		return 0;
	}
}

static int take_word(int ch, const char *arg, struct follow_cli *o)
{
	static const char *const formats[] = { "text", "hex", "raw", "json" };
	static const char *const colors[] = { "never", "always", "auto" };
	static const char *const dirs[] = { "client", "server" };
	for (int i = 0; ch == OPT_FORMAT && i < 4; i++)
		if (strcmp(arg, formats[i]) == 0) {
			o->fo.format = (enum np_follow_format)i;
			return 0;
		}
	for (int i = 0; ch == OPT_COLOR && i < 3; i++)
		if (strcmp(arg, colors[i]) == 0) {
			o->color = i < 2 ? i : -1;
			return 0;
		}
	for (int i = 0; ch == OPT_DIR && i < 2; i++)
		if (strcmp(arg, dirs[i]) == 0) {
			o->fo.dir = i;
			o->dir_given = true;
			return 0;
		}
	return ch == OPT_FORMAT  ? bad("--format", arg, "text, hex, raw or json")
	       : ch == OPT_COLOR ? bad("--color", arg, "auto, always or never")
				 : bad("--dir", arg, "client or server");
}

static int take(int ch, const char *arg, struct follow_cli *o)
{
	char err[256];
	uint64_t v;
	switch (ch) {
	case 'r':
	case 'i':
		if (!arg[0])
			return bad(ch == 'r' ? "-r" : "-i", arg, ch == 'r' ? "a capture file" : "an interface name");
		*(ch == 'r' ? &o->read_file : &o->iface) = arg;
		return 0;
	case OPT_PORT:
		if (!np_parse_uint(arg, 0, 65535, &v))
			return bad("port", arg, "0-65535");
		o->match.has_port = true;
		o->match.port = (uint16_t)v;
		return 0;
	case OPT_HOST:
		if (np_match_add_host(&o->match, arg, err, sizeof err) < 0) {
			np_errorf(FOLLOW_CMD, "%s", err);
			return NP_EXIT_ERROR;
		}
		return 0;
	case OPT_DURATION:
		return np_parse_seconds(arg, 0.001, 31536000, &o->duration)
			       ? 0 : bad("duration", arg, "0.001-31536000 seconds");
	case OPT_MAX_CONV:
		if (!np_parse_uint(arg, 16, 1u << 24, &v))
			return bad("--max-conv", arg, "16-16777216");
		o->track.max_conv = (uint32_t)v;
		return 0;
	case OPT_WAITING:
		if (!np_parse_uint(arg, 16, 1u << 24, &v))
			return bad("--reasm-waiting", arg, "16-16777216");
		o->fo.reasm.waiting = (size_t)v;
		return 0;
	case OPT_FORMAT:
	case OPT_COLOR:
	case OPT_DIR:
		return take_word(ch, arg, o);
	default:
		return take_size(ch, arg, o);
	}
}

/* The CONV arguments: N or uN. Returns 0 or 2 (reported). */
static int take_convs(int argc, char **argv, struct follow_cli *o)
{
	for (int i = optind; i < argc; i++) {
		const char *a = argv[i];
		bool udp = a[0] == 'u';
		uint64_t v;
		if (!np_parse_uint(a + udp, 1, UINT32_MAX, &v))
			return bad("conversation", a, "a number N for TCP or uN for UDP, from 1");
		if (o->fo.nsel == NP_FOLLOW_MAX_SEL) {
			np_errorf(FOLLOW_CMD, "at most %d conversations at once", NP_FOLLOW_MAX_SEL);
			return NP_EXIT_ERROR;
		}
		o->fo.sel[o->fo.nsel++] = (struct np_follow_sel){ udp, (uint32_t)v };
	}
	return 0;
}

static const char *conflict(const struct follow_cli *o)
{
	if (o->read_file && o->iface)
		return "-r and -i are exclusive: read a file or capture live, not both";
	if (!o->read_file && !o->iface)
		return "no source: -r FILE or -i IFACE";
	if (o->fo.format == NP_FOLLOW_RAW && !o->dir_given)
		return "--format raw writes the bytes of one direction: add --dir client or --dir server";
	if (o->fo.format == NP_FOLLOW_RAW && o->fo.nsel != 1)
		return "--format raw writes one conversation's bytes: name exactly one CONV";
	if (o->dir_given && o->fo.format != NP_FOLLOW_RAW)
		return "--dir goes with --format raw";
	if (o->duration > 0 && o->read_file)
		return "--duration limits a live capture; it does not apply to -r";
	return NULL;
}

/* Returns -1 to exit 0 (help), 0 to go on, 2 on a usage error (already reported). */
static int parse_follow(int argc, char **argv, struct follow_cli *o)
{
	char err[256];
	memset(o, 0, sizeof *o);
	o->color = -1;
	np_track_defaults(&o->track);
	if (np_track_seed(&o->track, err, sizeof err) < 0) {
		np_errorf(FOLLOW_CMD, "%s", err);
		return NP_EXIT_ERROR;
	}
	np_reasm_defaults(&o->fo.reasm);
	o->fo.buffer_mem = NP_FOLLOW_BUFFER_DEFAULT;
	optind = 1;
	opterr = 0;
	int ch;
	while ((ch = getopt_long(argc, argv, ":r:i:h", long_opts, NULL)) != -1) {
		if (ch == 'h') {
			follow_usage(stdout);
			return -1;
		}
		if (ch == ':' || ch == '?')
			return np_opt_error(FOLLOW_CMD, ch, argv, long_opts);
		if (take(ch, optarg, o) != 0)
			return NP_EXIT_ERROR;
	}
	if (take_convs(argc, argv, o) != 0)
		return NP_EXIT_ERROR;
	const char *why = conflict(o);
	if (why) {
		np_errorf(FOLLOW_CMD, "%s", why);
		return NP_EXIT_ERROR;
	}
	o->track.report_ends = true; /* a conversation's end is when its dialogue is printed */
	o->fo.max_conv = o->track.max_conv;
	o->fo.max_udp = o->track.max_conv;
	memcpy(o->fo.hash_key, o->track.hash_key, sizeof o->fo.hash_key);
	return 0;
}

int np_cmd_follow(int argc, char **argv)
{
	np_install_stop_handlers();
	struct follow_cli o;
	int rc = parse_follow(argc, argv, &o);
	if (rc < 0)
		return NP_EXIT_OK;
	return rc ? rc : np_follow_run(&o);
}
