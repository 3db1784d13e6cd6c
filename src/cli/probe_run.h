/* probe_run.h - what ping and trace share: resolving the target, choosing the source address,
 * opening the raw socket and the capture, dropping privileges, and waiting for answers. */
#ifndef NETPROBE_PROBE_RUN_H
#define NETPROBE_PROBE_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "netprobe/capture.h"
#include "netprobe/pipeline.h"
#include "cli.h"
#include "netprobe/probe.h"
#include "netprobe/printer.h"
#include "probe_conn.h"

struct probe_run {
	const char *cmd;          /* "ping" or "trace", for messages */
	struct np_probe_spec spec;
	const struct np_probe_spec *specs; /* a scan: one spec per target, matched in turn; NULL:
					    * spec alone */
	uint32_t nspecs;
	int poll_ms;              /* the capture's read timeout; 0: 10 ms */
	bool allow_dgram;         /* without CAP_NET_RAW, an ICMP datagram socket may do (ping) */
	bool dgram;               /* ... and it does: no raw socket, no capture */
	bool kernel_ip;           /* ping -s past one frame, or -M: the kernel builds the IP
				   * header (a raw ICMP socket without IP_HDRINCL when privileged) */
	bool pmtu_set;            /* -M given: */
	int pmtu;                 /* its IP_PMTUDISC_* value */
	bool dgram_raw;           /* the kernel-built socket is a raw one (privileged) */
	int dfd;                  /* its descriptor */
	uint8_t dgram_ttl;        /* ping -t: the socket's TTL (the kernel builds the header) */
	uint8_t dgram_cur_ttl;    /* the TTL the socket has now (trace sets it probe by probe) */
	bool allow_connect;       /* without CAP_NET_RAW, connect() may probe TCP, UDP sockets UDP
				   * (--syn, --udp) */
	bool connect;             /* ... and it does: no raw socket, no capture, no packet read */
	bool udpsock;             /* without CAP_NET_RAW, --udp: a UDP socket per probe (with
				   * spec.paris one for the run) */
	bool fixed_flow;          /* the caller keeps one flow (trace --report: spec.paris): an
				   * unprivileged --udp run says it has one socket */
	struct probe_conn conn;   /* the connects (or UDP sockets) in flight */
	uint64_t dframes;         /* frames rebuilt from it so far */
	struct np_sender *tx;
	struct np_source *rx;
	struct np_match any;      /* the reply path takes every frame the BPF filter let through */
	struct np_pipeline pl;    /* the reply path: untracked, unprinted; the module matches */
	char target[64];          /* the target's address as text, "fe80::1%eth0" when scoped */
	uint32_t route_mtu;       /* the MTU of the route to the target (IP_MTU), 0 unknown */
	uint32_t scope_id;        /* IPv6 link-local target: the interface from "%IF", else 0 */
	char scope[16];           /* its name (IF_NAMESIZE), or "" */
	struct np_probe_printer pr; /* text or JSON, picked by probe_run_start */
	bool told_privs;
	char privs[128];          /* np_priv_describe() once dropped, before the sandbox */
};

/* Fill the spec's kind, port, size and the identifiers that tell our answers from anyone
 * else's (ICMP id, TCP/UDP source port, TCP ISN), derived from the PID as ping does. */
void probe_run_spec(struct probe_run *r, enum np_probe_kind kind, uint16_t dport, uint16_t payload,
		    uint8_t tos);

/* Resolve `host` (getaddrinfo; family 0, 4 or 6) into spec->ver/dst; then pick the source
 * address the kernel would use (or the one -I names, or the first of the -I interface). */
int probe_run_target(struct probe_run *r, const char *host, int family, const char *iface,
		     char *err, size_t errlen) __attribute__((warn_unused_result));
/* Open the raw socket and the capture (on -I's interface, or "any"), apply the BPF filter,
 * then drop privileges and enter the sandbox, and only then set up the reply pipeline. */
int probe_run_open(struct probe_run *r, const char *iface, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* Send probe `seq`: 0; 1 when the kernel refused it locally (-M do: "local error: message too
 * long, mtu=N" in err, nothing sent); -1 with err. */
int probe_run_send(struct probe_run *r, uint32_t seq, uint8_t ttl, int64_t *sent_us, char *err,
		   size_t errlen) __attribute__((warn_unused_result));
/* The same for the probe `spec` describes (one target of a scan). */
int probe_run_send_spec(struct probe_run *r, const struct np_probe_spec *spec, uint32_t seq,
			uint8_t ttl, int64_t *sent_us, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Read answers until `deadline_us` (wall clock, like capture timestamps) or until `done`
 * says stop: each frame through the library pipeline (decoded as watch decodes it), then
 * np_probe_match; fn gets each answer. Returns 0, or -1 with err on a capture error. */
int probe_run_wait(struct probe_run *r, uint32_t nseq, int64_t deadline_us,
		   bool (*done)(void *arg), probe_answer_fn fn, void *arg, char *err, size_t errlen);
/* Close the printer (when started), the raw socket and the capture. */
void probe_run_close(struct probe_run *r);

/* An address of the probe's family as text; a link-local one (fe80::/10) of a scoped target
 * with the scope's "%IF" (as iputils prints "fe80::1%veth0"): it is only an address on that
 * link. buf: NP_ADDR_STRLEN + 16 bytes. */
char *probe_run_fmt_addr(const struct probe_run *r, const uint8_t addr[16], char *buf, size_t cap);

int64_t probe_now_us(void);

struct probe_opts;
/* What every probe run starts with: the spec (with `payload` data bytes and `tos`), the target,
 * the raw socket and the capture opened, privileges dropped, the stop signals caught, stdout
 * line-buffered, the printer picked (text with -q `quiet` and -v `verbose`, or JSON).
 * 0, or 2 with the error reported. */
int probe_run_start(struct probe_run *r, const char *cmd, const struct probe_opts *o,
		    uint16_t payload, uint8_t tos, bool quiet, bool verbose);
/* Milliseconds from `sent_us` to the capture time of the answer `p`. */
double probe_run_rtt_ms(const struct np_packet *p, int64_t sent_us);
/* The state of stdout at the end of a run: NP_OUT_CLOSED also when its reader has gone
 * without a write failing yet. */
enum np_out_state probe_run_out_state(int *err);

#endif
