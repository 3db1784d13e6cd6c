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

/* `host` (a name or an address, family 0, 4 or 6) as getaddrinfo's first answer: *ver 4 or 6,
 * the address, and a link-local IPv6 address's interface ("fe80::1%eth0") in *scope_id (else
 * 0). The one resolver of ping, trace and a scan's HOSTs. 0, or -1 with err ("HOST: unknown
 * host"). */
int probe_resolve(const char *host, int family, uint8_t *ver, uint8_t addr[16],
		  uint32_t *scope_id, char *err, size_t errlen) __attribute__((warn_unused_result));

/* Every address `hosts` name (family 0, 4 or 6): 0, or -1 with err (an unknown name, a bad or
 * too large block, more than PROBE_MAX_TARGETS, mixed families). */
int probe_targets_expand(struct probe_targets *t, char *const *hosts, int nhosts, int family,
			 char *err, size_t errlen) __attribute__((warn_unused_result));

#endif
