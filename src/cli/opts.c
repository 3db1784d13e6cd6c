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
	(void)sig;
	np_stop_requested = 1;
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

int np_opt_error(const char *cmd, int ch, char **argv)
{
	const char *arg = argv[optind - 1];
	const char *eq = strchr(arg, '=');
	/* getopt_long says '?' both for an unknown option and for "--flag=value" on an option
	 * that takes none; optopt tells them apart (it holds the option's value in the second). */
	if (ch == '?' && optopt && eq && strncmp(arg, "--", 2) == 0) {
		np_errorf(cmd, "option '%.*s' takes no value (try 'netprobe %s --help')",
			  (int)(eq - arg), arg, cmd);
		return NP_EXIT_ERROR;
	}
	np_errorf(cmd, ch == ':' ? "option '%s' needs a value (try 'netprobe %s --help')"
				 : "unknown option '%s' (try 'netprobe %s --help')",
		  argv[optind - 1], cmd);
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
