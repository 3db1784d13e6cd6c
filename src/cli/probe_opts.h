/* probe_opts.h - the options ping and trace share (the probe kind from the module table, -p, -4,
 * -6, -I, --json, -n, -h) parsed in one place; each command adds its own through a callback. */
#ifndef NETPROBE_PROBE_OPTS_H
#define NETPROBE_PROBE_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "netprobe/probe.h"

struct option;

struct probe_opts {
	const struct np_probe_module *m; /* ICMP echo unless a module's option names another */
	uint64_t port;                   /* the first of -p's ports */
	const uint16_t *ports;           /* every port -p lists, in order, without repeats */
	uint32_t nports;                 /* 0 without -p */
	const char *iface;
	int family;                      /* 0, 4 or 6 */
	bool json;
	const char *host;                /* the first HOST */
	char *const *hosts;              /* every HOST (ping: several, and CIDR blocks) */
	int nhosts;
};

/* The most ports one -p names is every port; the most targets and probes a run takes are the
 * scan's caps (ping_run's scan mode). */
#define PROBE_MAX_TARGETS 256
#define PROBE_MAX_SCAN 16384

struct probe_cmd {
	const char *name;                /* "ping" */
	const char *shortopts;           /* getopt's, the shared letters included */
	bool many;                       /* several HOSTs and a -p list are allowed */
	const struct option *own;        /* the command's own long options, NULL-terminated */
	/* Its own option ch: 1 when it is one (with *bad and *want set when the value is wrong),
	 * 0 when it is not. */
	int (*parse)(void *ctx, int ch, const char *arg, const char **bad, const char **want);
	void (*usage)(FILE *out);
	/* Run the command once its options are parsed (ctx: the command's options). */
	int (*run)(void *ctx);
};

/* Parse -p's "22,80,8000-8100" into ports[] (at most 65535, repeats left out). */
bool probe_parse_ports(const char *arg, uint16_t *ports, uint32_t *n);

/* Parse argv: -1 after --help (usage printed), 0 to go on, 2 on a usage error (reported).
 * Then exactly one HOST, and the port the probe kind needs. */
int probe_opts_parse(const struct probe_cmd *c, int argc, char **argv, struct probe_opts *o,
		     void *ctx);

/* The whole command: parse argv, then run; its exit status (0 after --help). */
int probe_cmd_main(const struct probe_cmd *c, int argc, char **argv, struct probe_opts *o,
		   void *ctx);

#endif
