/* ipfix.h - --ipfix: each TCP conversation as one RFC 5103 biflow record sent to an IPFIX
 * collector (RFC 7011) when it leaves the tracker's table, and periodically while it lasts,
 * encoded by libfixbuf (the IPFIX library of YAF and SiLK). The template: README.md "Beyond one
 * machine". */
#ifndef NETPROBE_IPFIX_H
#define NETPROBE_IPFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netprobe/track.h"

/* netprobe's own information elements are numbered under the Private Enterprise Number that
 * RFC 5612 reserves for documentation (32473): netprobe has no PEN of its own. */
#define NP_IPFIX_PEN 32473

struct np_ipfix;

/* spec: "HOST:PORT", "udp:HOST:PORT" or "tcp:HOST:PORT" (an IPv6 HOST in brackets). Only
 * checks the spelling: true when good (into *tcp, host, port). */
bool np_ipfix_parse(const char *spec, bool *tcp, char *host, size_t hostcap, char *port,
		    size_t portcap);
/* Resolve, open and connect the socket, send the templates: before the privilege drop. NULL
 * with the reason in err. */
struct np_ipfix *np_ipfix_open(const char *spec, char *err, size_t errlen);
/* The socket, for the sandbox (write(2) on it alone). */
int np_ipfix_fd(const struct np_ipfix *x);
/* The pipeline's flow hook (np_pipeline_flows): one record per report, sent at once. */
void np_ipfix_flow(void *ctx, const struct np_event *ev);
/* Records sent; and the first send error (0: none; an errno). */
uint64_t np_ipfix_records(const struct np_ipfix *x);
int np_ipfix_error(const struct np_ipfix *x);
void np_ipfix_close(struct np_ipfix *x);

#endif
