/* choose.h - which live capture `watch` opens when not told: the interface (from the socket
 * tables in /proc/net) and the kernel filter its --port/--host shorthands make. */
#ifndef NETPROBE_CHOOSE_H
#define NETPROBE_CHOOSE_H

#include "netprobe/match.h"

/* `iface` when given; else "lo" when only a loopback address listens on the --port, else
 * "any". */
const char *np_capture_choose_dev(const char *iface, const struct np_match *m);
/* The kernel filter of a live capture: the user's BPF expression (or NULL) and the shorthands
 * of m, for link type dlt. A malloc'ed string, "" when there is no filter, NULL when out of
 * memory. */
char *np_capture_live_filter(const struct np_match *m, const char *user_filter, int dlt);

#endif
