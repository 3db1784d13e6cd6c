/* probe_cmds.h - the runs of ping (ping_run.c) and trace (trace_run.c), apart from their option
 * wiring (cmd_ping.c, cmd_trace.c). */
#ifndef NETPROBE_PROBE_CMDS_H
#define NETPROBE_PROBE_CMDS_H

#include <stdbool.h>
#include <stdint.h>

#include "probe_opts.h"

#define PING_MAX_PROBES 100000

struct ping_opts {
	struct probe_opts p;
	uint64_t count;       /* 0: until Ctrl-C or -w */
	double interval, timeout, deadline;
	uint64_t size, ttl, tos;
	bool quiet, verbose;
	bool root;            /* may send faster than every 0.2 s */
	double rate;          /* a scan: probes a second (--rate), 0 when not given */
	bool interval_set;
	bool pmtu_set;        /* -M do|want|dont */
	int pmtu;             /* its IP_PMTUDISC_* */
	bool flood;           /* -f (root only) */
};

/* A scan's default and largest --rate: polite, never a burst. */
#define PING_SCAN_RATE 100.0
#define PING_SCAN_MAX_RATE 10000.0

struct trace_opts {
	struct probe_opts p;
	uint64_t max_ttl, nq;
	double wait;
	bool report, live;    /* --report, --live: mtr's per-hop table, -c rounds */
	bool vary_flow;       /* --vary-flow: a new flow per probe, every ECMP path shows */
	bool pmtu;            /* --pmtu: path MTU discovery (tracepath's) */
	uint64_t count;       /* rounds; 0: 10 with --report, until Ctrl-C with --live */
	double interval;      /* seconds from one round to the next */
	bool nq_set, count_set, interval_set;
	bool tty;             /* stdout is a terminal (asked before the sandbox) */
};

#define TRACE_MAX_ROUNDS 100000

/* Exit status: 0 answers came / the destination answered, 1 none, 2 error. */
int ping_run(const struct ping_opts *o);
/* ping with several targets or ports (scan_run.c): a table per target at the end. */
int scan_run(const struct ping_opts *o);
int trace_run(const struct trace_opts *o);
/* trace --report / --live (trace_report.c). */
int trace_report_run(const struct trace_opts *o);

/* trace --pmtu (trace_run.c, for both runs). Before probe_run_start: a datagram socket is
 * opened with IP_PMTUDISC_PROBE (DF, the kernel's cached path MTU ignored, as tracepath sets
 * it). After it: DF probes (always, on the raw path) as large as the route's MTU (tracepath
 * starts at the device's; 1500 when unknown); returns that size. */
struct probe_run;
/* At most this many smaller sizes tried at one hop (a router reporting ever smaller MTUs, or
 * one that reports a size it then refuses again). */
#define TRACE_PMTU_TRIES 8
void trace_pmtu_open(struct probe_run *r);
uint32_t trace_pmtu_start(struct probe_run *r);
/* The data bytes that make a probe `size` bytes long at the IP layer (ICMP echo, UDP). */
uint16_t trace_pmtu_data(const struct probe_run *r, uint32_t size);

#endif
