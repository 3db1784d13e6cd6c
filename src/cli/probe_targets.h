/* probe_targets.h - a scan's HOST arguments (names, addresses, CIDR blocks) as addresses. */
#ifndef NETPROBE_PROBE_TARGETS_H
#define NETPROBE_PROBE_TARGETS_H

#include <stddef.h>
#include <stdint.h>

#include "probe_opts.h"

struct probe_targets {
	uint8_t ver;                               /* 4 or 6: every target is of one family */
	uint32_t n;
	uint8_t addr[PROBE_MAX_TARGETS][16];       /* in the order given, without repeats */
};

/* Every address `hosts` name (family 0, 4 or 6): 0, or -1 with err (an unknown name, a bad or
 * too large block, more than PROBE_MAX_TARGETS, mixed families). */
int probe_targets_expand(struct probe_targets *t, char *const *hosts, int nhosts, int family,
			 char *err, size_t errlen) __attribute__((warn_unused_result));

#endif
