/* probe_conn.h - the connect() probes in flight of an unprivileged --syn run (probe_conn.c). */
#ifndef NETPROBE_PROBE_CONN_H
#define NETPROBE_PROBE_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netprobe/packet.h"
#include "netprobe/probe.h"

typedef void (*probe_answer_fn)(void *arg, const struct np_packet *p,
				const struct np_probe_answer *a);

struct probe_conn_slot {
	int fd;                   /* -1: free (or finished, when done) */
	bool done;                /* finished, not yet delivered */
	int result;               /* 0 or the connect's errno */
	uint32_t seq;
	const struct np_probe_spec *spec;
	int64_t done_us;
};

/* At most this many connects in flight (and fewer when RLIMIT_NOFILE is lower). */
#define PROBE_CONN_MAX 512

struct probe_conn {
	struct probe_conn_slot *slot;
	uint32_t cap;
	uint32_t scope_id;        /* a scoped IPv6 link-local target's interface */
	uint64_t frames;          /* answers delivered so far (their frame numbers) */
	uint64_t given_up;        /* pending connects closed to make room: counted as silent */
};

/* The table, sized by RLIMIT_NOFILE: 0, or -1 with err. */
int probe_conn_init(struct probe_conn *c, uint32_t scope_id, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* Start probe `seq` of spec `s` (to its port for seq). 0, or -1 with err. */
int probe_conn_send(struct probe_conn *c, const struct np_probe_spec *s, uint32_t seq,
		    int64_t *sent_us, char *err, size_t errlen) __attribute__((warn_unused_result));
/* Wait at most timeout_ms for connects to finish and give each finished one to fn as an answer
 * (its packet has no layers: only the time it finished). 0, or -1 with err. */
int probe_conn_poll(struct probe_conn *c, int timeout_ms, probe_answer_fn fn, void *arg,
		    char *err, size_t errlen) __attribute__((warn_unused_result));
void probe_conn_close(struct probe_conn *c);

#endif
