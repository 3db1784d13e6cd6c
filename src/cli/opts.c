/* opts.c - option helpers shared by the subcommands, and the stop-signal flag. */
#include <ctype.h>
#include <getopt.h>
#include <poll.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

volatile sig_atomic_t np_stop_requested;

static void on_stop(int sig)
{
	np_stop_requested = sig; /* which one: after SIGINT the summary starts a new line */
}

void np_catch_stop_signals(void (*handler)(int))
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A terminal that goes away (SIGHUP) ends the run the same way, with the -w file complete,
	 * as tcpdump does; unless SIGHUP is ignored (nohup), which stays so. */
	struct sigaction old;
	if (sigaction(SIGHUP, NULL, &old) == 0 && old.sa_handler != SIG_IGN)
		sigaction(SIGHUP, &sa, NULL);
}

void np_install_stop_handlers(void)
{
	np_catch_stop_signals(on_stop);
}

bool np_output_reader_gone(FILE *f)
{
	struct pollfd pfd = { .fd = fileno(f), .events = 0 };
	return pfd.fd >= 0 && poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLERR | POLLHUP)) &&
	       !(pfd.revents & POLLNVAL);
}

enum np_out_state np_output_state(FILE *f, int *err)
{
	if (!ferror(f))
		return NP_OUT_OK;
	int e = errno;
	if (e == EPIPE || np_output_reader_gone(f))
		return NP_OUT_CLOSED;
	*err = e ? e : EIO;
	return NP_OUT_FAILED;
}

bool np_parse_uint(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	if (!s || !isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

bool np_parse_seconds(const char *s, double lo, double hi, double *out)
{
	/* Decimal digits with an optional fraction, and nothing else: strtod alone would also
	 * take leading spaces, a sign, hex ("0x10"), exponents ("1e-300"), "inf" and "nan", none
	 * of which np_parse_uint takes for a count either. */
	if (!s || strlen(s) > 32)
		return false;
	size_t i = strspn(s, "0123456789"), frac = 0;
	if (s[i] == '.')
		frac = strspn(s + i + 1, "0123456789") + 1; /* "0.5", ".5", "5." */
	if (s[i + frac] || i + frac == 0 || (i == 0 && frac == 1))
		return false;
	errno = 0;
	char *end;
	double v = strtod(s, &end);
	if (errno || *end || !(v >= lo && v <= hi))
		return false;
	*out = v;
	return true;
}

/* The value of the long option the user wrote as `arg` ("--name" or "--name=value", a unique
 * prefix allowed, as getopt_long allows), or -1. */
static int long_val(const struct option *longopts, const char *arg)
{
	const char *name = arg + 2;
	size_t len = strcspn(name, "=");
	int found = -1;
	for (const struct option *o = longopts; o && o->name; o++) {
		if (strncmp(o->name, name, len) != 0)
			continue;
		if (strlen(o->name) == len)
			return o->val;
		found = found == -1 ? o->val : -2;
	}
	return found;
}

int np_opt_error(const char *cmd, int ch, char **argv, const struct option *longopts)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	/* Which option failed: getopt_long has always stepped past a long option's word, so a
	 * long option is argv[optind-1]; a short one is optopt, whose word argv[optind-1] is not
	 * when more letters follow it ("-Zv": optind still points at that word, and
	 * argv[optind-1] is the word before, e.g. the subcommand). optopt is 0 for an unknown
	 * long option, and holds the option's value for a long one that needs or refuses a
	 * value. */
	bool is_long = strncmp(arg, "--", 2) == 0 &&
		       (optopt == 0 || optopt >= 256 || long_val(longopts, arg) == optopt);
	char shortname[3] = { '-', (char)optopt, '\0' };
	const char *eq = strchr(arg, '=');
	if (is_long && ch == '?' && optopt && eq) {
		np_errorf(cmd, "option '%.*s' takes no value (try 'netprobe %s --help')",
			  (int)(eq - arg), arg, cmd);
		return NP_EXIT_ERROR;
	}
	const char *name = arg;
	int namelen = eq && is_long ? (int)(eq - arg) : (int)strlen(arg);
	if (!is_long) {
		name = shortname;
		if (!optopt || optopt >= 256 || !isprint(optopt))
			name = "?";
		namelen = (int)strlen(name);
	}
	np_errorf(cmd, ch == ':' ? "option '%.*s' needs a value (try 'netprobe %s --help')"
				 : "unknown option '%.*s' (try 'netprobe %s --help')",
		  namelen, name, cmd);
	return NP_EXIT_ERROR;
}

void np_errorf(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "netprobe: %s%s", cmd ? cmd : "", cmd ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
