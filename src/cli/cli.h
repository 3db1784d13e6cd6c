/* cli.h - subcommands and the option helpers they share. */
#ifndef NETPROBE_CLI_H
#define NETPROBE_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit statuses (DESIGN.md): 0 success, 1 no reply (ping/trace), 2 error. */
#define NP_EXIT_OK 0
#define NP_EXIT_NOREPLY 1
#define NP_EXIT_ERROR 2

/* The one mutable global: the stop signal's number (SIGINT, SIGTERM, SIGHUP), read by the
 * capture loops. */
extern volatile sig_atomic_t np_stop_requested;
void np_install_stop_handlers(void);
/* SIGINT, SIGTERM and SIGHUP (unless ignored, as under nohup) to `handler`, without
 * SA_RESTART: a blocked read or wait ends with EINTR. */
void np_catch_stop_signals(void (*handler)(int));

/* Standard output after a write (SIGPIPE is ignored, so a reader that closed the pipe shows
 * as EPIPE on the stream, not as a signal that kills us): */
enum np_out_state {
	NP_OUT_OK,      /* no error */
	NP_OUT_CLOSED,  /* its reader has gone (EPIPE): a normal end, e.g. `netprobe ... | head` */
	NP_OUT_FAILED,  /* a real write error (errno in *err), e.g. ENOSPC on a redirected stdout */
};
enum np_out_state np_output_state(FILE *f, int *err);
/* Has the reader of f's pipe or socket gone, even though nothing was written yet? (poll(2)
 * reports POLLERR on the write end of a pipe with no reader.) False for files and terminals. */
bool np_output_reader_gone(FILE *f);

/* Parse a decimal integer in [lo, hi]; false on garbage, sign errors or overflow. */
bool np_parse_uint(const char *s, uint64_t lo, uint64_t hi, uint64_t *out);

/* Parse seconds written in decimal ("5", "0.2") within [lo, hi]: no sign, space, hex,
 * exponent, inf or nan. The one parser of every option that takes seconds. */
bool np_parse_seconds(const char *s, double lo, double hi, double *out);

struct option;
/* The one line for a getopt_long ':' (missing value) or '?' (unknown option), naming the
 * option as written (-Z inside -Zv, --name); returns 2. */
int np_opt_error(const char *cmd, int ch, char **argv, const struct option *longopts);

/* Print "netprobe: <cmd>: <message>" to stderr. */
void np_errorf(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int np_cmd_watch(int argc, char **argv);
int np_cmd_follow(int argc, char **argv);
int np_cmd_stats(int argc, char **argv);
int np_cmd_ping(int argc, char **argv);
int np_cmd_trace(int argc, char **argv);

#endif
