/* probe_print.h - how ping and trace print: one interface (start, answer, silence, hop, summary,
 * close) with a text implementation (iputils ping's and traceroute's lines, print/probe_text.c)
 * and a JSON lines one (print/probe_json.c). The command picks one with np_probe_printer_init
 * and never asks which it has. */
#ifndef NETPROBE_PROBE_PRINT_H
#define NETPROBE_PROBE_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "netprobe/print.h"
#include "netprobe/probe.h"
#include "netprobe/rtt.h"

#define NP_PROBE_MAX_Q 10 /* probes per trace hop */

enum np_probe_cmd { NP_CMD_PING, NP_CMD_TRACE };

/* What the first line says. */
struct np_probe_head {
	enum np_probe_cmd cmd;
	const char *host;        /* as the user wrote it */
	const char *target;      /* its address */
	uint64_t size;           /* ping: data bytes */
	uint64_t port;           /* ping: destination port of --syn/--udp */
	uint64_t max_ttl;        /* trace */
};

/* One hop of a trace: probes first_seq ... first_seq + nq - 1, sent with the same TTL. */
struct np_probe_hop {
	uint32_t first_seq, nq;
	int64_t sent_us[NP_PROBE_MAX_Q];
	bool answered[NP_PROBE_MAX_Q];
	double rtt[NP_PROBE_MAX_Q];
	uint8_t from[NP_PROBE_MAX_Q][16];
	bool final;
};

/* The end of a run. */
struct np_probe_totals {
	enum np_probe_cmd cmd;
	const char *host;
	uint32_t sent;
	uint64_t received, duplicates, errors;
	const struct np_rtt *rtt;
	double total_ms;         /* ping */
	bool reached;            /* trace */
};

struct np_probe_printer;

struct np_probe_printer_ops {
	void (*start)(struct np_probe_printer *pr, const struct np_probe_head *h);
	/* An answer to probe a->seq, rtt_ms after it left; dup: that probe was answered before. */
	void (*answer)(struct np_probe_printer *pr, const struct np_packet *p,
		       const struct np_probe_answer *a, double rtt_ms, bool dup);
	/* Probe seq got no answer within timeout_s. */
	void (*silence)(struct np_probe_printer *pr, uint32_t seq, double timeout_s);
	void (*hop)(struct np_probe_printer *pr, unsigned ttl, const struct np_probe_hop *h);
	/* To pr->out, or as text to `out` when pr->out's reader has gone (`ping ... | head`). */
	void (*summary)(struct np_probe_printer *pr, FILE *out, const struct np_probe_totals *t);
	void (*close)(struct np_probe_printer *pr);
};

struct np_probe_printer {
	const struct np_probe_printer_ops *ops;
	FILE *out;
	bool quiet, verbose;     /* text: -q only the summary, -v the header tree of each answer */
	const struct np_probe_module *m;
	uint8_t ver;             /* of the target's addresses */
	char scope[16];          /* a scoped link-local target's interface, or "" */
	char target[64];         /* the target as text */
	struct np_print_ctx pc;  /* -v trees */
};

extern const struct np_probe_printer_ops np_probe_text_ops, np_probe_json_ops;

/* Pick the printer once: JSON lines or text. */
void np_probe_printer_init(struct np_probe_printer *pr, bool json, FILE *out, bool quiet,
			   bool verbose, const struct np_probe_module *m, uint8_t ver,
			   const char *scope, const char *target);
/* An address of the printer's family as text, "fe80::1%eth0" for a link-local one of a scoped
 * target. buf: NP_ADDR_STRLEN + 16 bytes. */
char *np_probe_printer_addr(const struct np_probe_printer *pr, const uint8_t addr[16], char *buf,
			    size_t cap);
/* The ping text summary (also JSON's fallback when stdout's reader has gone). */
void np_probe_text_summary(const struct np_probe_printer *pr, FILE *out,
			   const struct np_probe_totals *t);

#endif
