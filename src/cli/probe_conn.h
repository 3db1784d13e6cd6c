/* probe_conn.h - the socket probes in flight of an unprivileged --syn or --udp run
 * (probe_conn.c): connect()s and UDP sockets. */
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
	bool udp;                 /* a UDP socket probe (read as packets), else a connect() */
	bool icmp;                /* the connect ended by an ICMP error (trace): type, code, from */
	uint8_t type, code, from[16];
	const struct np_probe_spec *spec;
	int64_t done_us;
	struct np_udpsock_ids ids; /* a UDP probe's addresses and ports */
};

/* At most this many connects in flight (and fewer when RLIMIT_NOFILE is lower). */
#define PROBE_CONN_MAX 512

struct probe_conn {
	struct probe_conn_slot *slot;
	uint32_t cap;
	uint32_t scope_id;        /* a scoped IPv6 link-local target's interface */
	uint64_t frames;          /* answers delivered so far (their frame numbers) */
	uint64_t given_up;        /* pending connects closed to make room: counted as silent */
	int flow_fd;              /* Paris --udp (spec.paris): one socket for every probe, bound
				   * once (one source port), its TTL set probe by probe; -1: none */
	uint8_t flow_ttl;         /* the TTL it has now */
	const struct np_probe_spec *flow_spec;
};

/* The table, sized by RLIMIT_NOFILE: 0, or -1 with err. */
int probe_conn_init(struct probe_conn *c, uint32_t scope_id, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* Start probe `seq` of spec `s` (to its port for seq) with hop limit ttl (0: the default):
 * a connect() for --syn, a UDP socket sending the probe's data for --udp (with spec.paris the
 * run's one UDP socket, the probe's sequence number in its data). 0, or -1 with err. */
int probe_conn_send(struct probe_conn *c, const struct np_probe_spec *s, uint32_t seq,
		    uint8_t ttl, int64_t *sent_us, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* The next answer or ICMP error read by a UDP probe's socket within timeout_ms, rebuilt as an
 * IP packet in buf (*len bytes, received at *ts_us): 1, 0 for none, -1 with err. The socket is
 * closed once it has answered. */
int probe_conn_udp_next(struct probe_conn *c, int timeout_ms, uint8_t *buf, size_t cap,
			size_t *len, int64_t *ts_us, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* Wait at most timeout_ms for connects to finish and give each finished one to fn as an answer
 * (its packet has no layers: only the time it finished). 0, or -1 with err. */
int probe_conn_poll(struct probe_conn *c, int timeout_ms, probe_answer_fn fn, void *arg,
		    char *err, size_t errlen) __attribute__((warn_unused_result));
/* Paris --udp: wait at most timeout_ms for the one socket's ICMP errors and give each to fn as
 * an answer to the probe whose sequence number the error queue gave back (its packet has no
 * layers: the kernel's receive time alone). 0, or -1 with err. */
int probe_conn_flow_poll(struct probe_conn *c, int timeout_ms, probe_answer_fn fn, void *arg,
			 char *err, size_t errlen) __attribute__((warn_unused_result));
void probe_conn_close(struct probe_conn *c);

#endif
