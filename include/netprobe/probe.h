/* probe.h - probes in the manner of zmap's modules: a spec says what to send, build() makes the
 * bytes of probe N (with libnet, never sending), match() says whether a decoded packet answers
 * one of ours and what it means. The sender alone writes to the network. */
#ifndef NETPROBE_PROBE_H
#define NETPROBE_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "netprobe/packet.h"

enum np_probe_kind { NP_PROBE_ICMP, NP_PROBE_SYN, NP_PROBE_UDP };

enum np_probe_verdict {
	NP_PV_REPLY,         /* ICMP echo answered */
	NP_PV_OPEN,          /* SYN/ACK, or a UDP answer */
	NP_PV_CLOSED,        /* RST, or ICMP port unreachable */
	NP_PV_FILTERED,      /* silence to a SYN, or an ICMP unreachable other than port */
	NP_PV_OPEN_FILTERED, /* silence to a UDP probe */
	NP_PV_TIMEOUT,       /* silence to an echo request */
	NP_PV_UNREACHABLE,   /* ICMP destination unreachable for an echo request */
	NP_PV_TTL_EXCEEDED,  /* ICMP time exceeded: a router on the way (trace) */
	NP_PV_TOO_BIG,       /* trace --pmtu: fragmentation needed / packet too big (RFC 1191,
			      * RFC 8201), the next hop's MTU in the answer's mtu */
};

struct np_probe_spec {
	enum np_probe_kind kind;
	uint8_t ver;          /* 4 or 6 */
	uint8_t src[16], dst[16];
	uint16_t ident;       /* ICMP identifier */
	uint16_t sport;       /* TCP source port; UDP: first source port (probe N uses sport + N) */
	uint16_t dport;       /* with no port list */
	const uint16_t *ports; /* a port list (ping -p 22,80,8000-8100): probe N (N >= 1) goes to
			       * ports[(N - 1) % nports]; NULL: every probe to dport */
	uint32_t nports;
	bool many_dst;        /* one of several targets: the capture filter names no peer */
	bool paris;           /* fixed flow (Paris traceroute): every probe hashes alike on an
			       * ECMP path; ICMP: a constant checksum; UDP over IPv4: one source
			       * port, the probe told by its IP id. TCP's flow is always fixed. */
	uint32_t isn;         /* TCP: probe N carries sequence number isn + N */
	uint8_t tos;
	uint16_t payload;     /* ICMP/UDP data bytes */
	bool pmtu;            /* trace --pmtu: "fragmentation needed" / "packet too big" quoting a
			       * probe is NP_PV_TOO_BIG (else an unreachable, or nothing for
			       * IPv6), and the data may fill a path's MTU */
};

/* What a captured packet says about one of our probes. */
struct np_probe_answer {
	uint32_t seq;         /* which probe */
	enum np_probe_verdict verdict;
	uint8_t from[16];     /* who answered (a router for TTL_EXCEEDED) */
	bool final;           /* the destination itself answered (trace stops) */
	uint8_t dst[16];      /* the probe's target (np_probe_match: the spec's) */
	uint16_t dport;       /* its destination port (0 for ICMP echo) */
	uint32_t mtu;         /* NP_PV_TOO_BIG: the next hop's MTU the router reported */
};

/* The destination port of probe `seq`: the spec's port list, else dport. */
static inline uint16_t np_probe_dport(const struct np_probe_spec *s, uint32_t seq)
{
	return s->ports && s->nports ? s->ports[(seq - 1u) % s->nports] : s->dport;
}

/* The key fields of an answer, for a result table (np_probe_keys). */
struct np_probe_keys {
	uint8_t ttl;          /* the answer's TTL / hop limit */
	bool tcp;             /* flags, win and the options below are set */
	uint16_t flags, win, mss;
	bool has_mss, has_ws, sack_perm, has_ts;
	uint8_t ws;
	bool icmp;            /* an ICMP(v6) error: type and code */
	uint8_t type, code;
};
/* Read the key fields of the decoded answer `p` (IPv`ver`). Pure. */
void np_probe_keys(const struct np_packet *p, uint8_t ver, struct np_probe_keys *k);

#define NP_PROBE_MAX_BYTES 1500
/* The most data bytes an ICMP or UDP probe carries. */
#define NP_PROBE_MAX_DATA 1400
/* ping's largest echo (-s): an IPv4 packet of 65535 bytes, sent by the kernel in fragments. */
#define NP_PING_MAX_DATA 65507
#define NP_PROBE_BIG_BYTES 65535

struct np_wire; /* libnet's construct-only context (wire.c), opaque to the modules */
struct np_quote;

/* What a decoded packet that is not an ICMP error says about one of our probes. */
enum np_probe_claim {
	NP_CLAIM_NONE,   /* not this kind's answer: an ICMP error quoting a probe may still be */
	NP_CLAIM_REJECT, /* this kind's answer, but not to one of our probes */
	NP_CLAIM_ANSWER, /* an answer: *a is filled */
};

/* Where a probe kind wants its destination port. */
enum np_probe_port { NP_PORT_NONE, NP_PORT_REQUIRED, NP_PORT_DEFAULT };

/* One probe kind, in the manner of zmap's probe modules: one file each (icmp_echo.c, tcp_syn.c,
 * udp.c), one row in probe.c's table. Everything but build_l4 is pure. */
struct np_probe_module {
	enum np_probe_kind kind;
	const char *option;        /* the long option choosing it ("syn"), NULL for the default */
	const char *title;         /* trace's header: "ICMP echo", "TCP SYN", "UDP" */
	const char *stats_name;    /* ping's summary: "ping", "SYN probe", "UDP probe" */
	const char *port_proto;    /* ping's header for port probes: "tcp", "udp"; NULL */
	enum np_probe_port port;   /* with NP_PORT_DEFAULT, default_port */
	uint16_t default_port;
	bool carries_data;         /* ICMP/UDP data bytes (at most NP_PROBE_MAX_DATA) */
	uint16_t ping_data, trace_data; /* default data bytes of ping and of trace */
	uint8_t proto4, proto6;    /* IP protocol / next header of the probe */
	enum np_probe_verdict silence;       /* nobody answered */
	enum np_probe_verdict unreachable;   /* ICMP destination unreachable quoting a probe */
	enum np_probe_verdict port_unreachable; /* ... with code port unreachable */
	/* Add the transport header of probe `seq` (carrying `n` bytes of `data`) to `w`;
	 * *l4_len: its length with the data. 0, or -1 (libnet's error in w). */
	int (*build_l4)(const struct np_probe_spec *s, uint32_t seq, const uint8_t *data, uint16_t n,
			struct np_wire *w, uint32_t *l4_len);
	/* A packet from `src` to us (not an ICMP error): this kind's answer to probe < nseq? */
	enum np_probe_claim (*match)(const struct np_probe_spec *s, const struct np_packet *p,
				     uint32_t nseq, const uint8_t *src, bool from_dst,
				     struct np_probe_answer *a);
	/* Does the header an ICMP error quotes belong to one of our probes? *seq: which. */
	bool (*match_quote)(const struct np_probe_spec *s, const struct np_quote *q, uint32_t *seq);
	/* The BPF filter of the answers; src: us, dst: the target (NULL: any of several),
	 * icmp: "icmp" or "icmp6". With a port list, the filter names no target port. */
	void (*bpf)(const struct np_probe_spec *s, const char *src, const char *dst,
		    const char *icmp, char *buf, size_t cap);
};

/* For the modules' match: fill *a with an answer to probe `seq` from `from` (IPv`ver`). */
void np_probe_answer_set(struct np_probe_answer *a, uint32_t seq, enum np_probe_verdict v,
			 bool final, const uint8_t *from, uint8_t ver);

extern const struct np_probe_module np_probe_icmp_echo, np_probe_tcp_syn, np_probe_udp;

/* The module of kind k; NULL past the table. */
const struct np_probe_module *np_probe_module(enum np_probe_kind k);
/* The module chosen by the long option `option` ("syn"); NULL when none is. */
const struct np_probe_module *np_probe_module_by_option(const char *option);

/* Make the IP packet of probe `seq` with hop limit `ttl`. Returns its length, or -1 with err. */
int np_probe_build(const struct np_probe_spec *s, uint32_t seq, uint8_t ttl, uint8_t *buf,
		   size_t cap, char *err, size_t errlen) __attribute__((warn_unused_result));

/* Does `p` answer one of our probes with a sequence number below `nseq`? Pure. */
bool np_probe_match(const struct np_probe_spec *s, const struct np_packet *p, uint32_t nseq,
		    struct np_probe_answer *a);

/* The answer an ICMP (ver 4) or ICMPv6 error of `type`/`code` from `from` gives probe `seq`
 * (time exceeded: a router; destination unreachable: the module's verdicts, final when the
 * target itself sent it; with s->pmtu, too big with the `mtu` it carries); false for any other
 * type. Pure: np_probe_match's last step, and the
 * unprivileged probes' with an error read from a socket's error queue (IP_RECVERR). */
bool np_probe_error_answer(const struct np_probe_spec *s, uint32_t seq, uint8_t type,
			   uint8_t code, uint32_t mtu, const uint8_t *from,
			   struct np_probe_answer *a);

/* A tight BPF filter for the answers to `s`. */
void np_probe_bpf(const struct np_probe_spec *s, char *buf, size_t cap);

const char *np_probe_verdict_name(enum np_probe_verdict v);
/* An IPv`ver` address as text; a link-local one (fe80::/10) with "%scope" when scope is not ""
 * (as iputils prints "fe80::1%veth0": it is only an address on that link). */
char *np_probe_fmt_addr(uint8_t ver, const char *scope, const uint8_t addr[16], char *buf,
			size_t cap);
/* The verdict for a probe nobody answered. */
enum np_probe_verdict np_probe_silence(enum np_probe_kind k);

/* The raw-socket sender (sender.c): sends the bytes np_probe_build made, nothing else. */
struct np_sender;
int np_sender_open(struct np_sender **out, uint8_t ver, char *err, size_t errlen)
	__attribute__((warn_unused_result));
int np_sender_send(struct np_sender *s, const uint8_t *pkt, size_t len, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* The raw socket probes go out on (for the sandbox's sendto rule). */
/* Send from interface `ifname` only (a scoped link-local target). 0, or -1 with err. */
int np_sender_bind_device(struct np_sender *s, const char *ifname, char *err, size_t errlen)
	__attribute__((warn_unused_result));
int np_sender_fd(const struct np_sender *s);
void np_sender_close(struct np_sender *s);

/* ICMP echo with the IP header built by the kernel (dgram.c): without privileges an ICMP or
 * ICMPv6 datagram socket (iputils ping's way, ping -6 included); with them, for sizes past one
 * frame or -M, a
 * raw ICMP or ICMPv6 socket without IP_HDRINCL, which the kernel fragments and whose replies it
 * reassembles (IPv6: the raw socket reads ICMPv6 messages, rebuilt with an IPv6 header).
 * Open it (non-blocking; `raw` the flavour; pmtu an IP_PMTUDISC_* value for IP_MTU_DISCOVER, or
 * -1) and, for a datagram socket, learn the echo identifier the kernel gave it: 0, or -1 with
 * err (strerror: EACCES when net.ipv4.ping_group_range leaves our group out). */
int np_dgram_open(int *fd, uint8_t ver, uint16_t *ident, bool raw, int pmtu, char *err,
		  size_t errlen)
	__attribute__((warn_unused_result));
/* Send the ICMP bytes of an echo request to dst (a datagram socket's kernel sets id and
 * checksum): 0; 1 for a local error (EMSGSIZE with -M do: *mtu and the text in err); -1 with
 * err. */
int np_dgram_send(int fd, uint8_t ver, const uint8_t dst[16], uint32_t scope_id,
		  const uint8_t *icmp, size_t n, uint32_t *mtu, char *err, size_t errlen) __attribute__((warn_unused_result));
/* The next reply or ICMP error as a raw IP packet to `us` in buf (*len bytes; a datagram
 * socket's rebuilt, a raw socket's as read), with the kernel's receive time in *ts_us (left as
 * it was when the kernel gives none): 1, 0 when there is none now, -1 on a socket error
 * (errno). */
int np_dgram_recv(int fd, uint8_t ver, bool raw, const uint8_t us[16], uint8_t *buf, size_t cap, size_t *len,
		  int64_t *ts_us);

/* dst (4 or 16 bytes by ver), port and the IPv6 scope as a socket address; returns its length. */
socklen_t np_probe_sockaddr(uint8_t ver, const uint8_t dst[16], uint16_t port, uint32_t scope_id,
			    struct sockaddr_storage *ss);
/* A TCP probe without privileges (connect.c): a non-blocking connect(2) to dst:port, reset at
 * once when it completes; with ttl (not 0) the SYN's hop limit, and ICMP errors kept on the
 * socket's error queue (np_errqueue_read). 0: in progress (*fd is to be polled for POLLOUT); 1: finished already
 * with *result (0 or an errno); -1 with err (no socket: EMFILE...). */
int np_connect_start(uint8_t ver, const uint8_t dst[16], uint16_t port, uint32_t scope_id,
		     uint8_t ttl, int *fd, int *result, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* The outcome of a connect that poll(2) reported (SO_ERROR): 0 established, else an errno. */
int np_connect_result(int fd);
/* The verdict a connect outcome gives (open, closed, filtered); false for an errno that says
 * nothing about the port (the caller reports it). Pure. */
bool np_connect_verdict(int result, enum np_probe_verdict *v);

/* Probes through ordinary sockets (udpsock.c): what a socket's error queue (IP_RECVERR,
 * IPV6_RECVERR) says about one of its packets. */
struct np_errq {
	bool icmp;            /* an ICMP(v6) error (else a local one) */
	uint8_t type, code;
	uint32_t info;        /* the MTU of a "fragmentation needed" / "packet too big" */
	uint8_t from[16];     /* who sent the ICMP error */
	int64_t ts_us;        /* when the kernel read it (left as it was without one) */
};
/* Errors to the error queue, the answers' TTL and receive time, and hop limit `ttl` (0: the
 * default) on socket fd of IPv`ver`: 0, or -1 with err. */
int np_sock_errors_on(int fd, uint8_t ver, uint8_t ttl, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* The next entry of fd's error queue into *e, the bytes of the packet it is about (the kernel
 * keeps what the ICMP error quoted past the transport header: UDP's data, TCP's header) into
 * data (*n bytes): 1, 0 when the queue is empty, -1 on a socket error (errno). */
int np_errqueue_read(int fd, uint8_t ver, struct np_errq *e, uint8_t *data, size_t cap,
		     size_t *n) __attribute__((warn_unused_result));
/* The addresses and ports of one UDP socket probe, to rebuild what it reads as packets. */
struct np_udpsock_ids {
	uint8_t ver;
	uint8_t us[16], dst[16];
	uint16_t sport, dport;
};
/* A UDP socket of IPv`ver` bound to sport, connected to dst:dport, with IP_RECVERR and hop
 * limit `ttl` (0: the default), non-blocking: 0, or -1 with err (EADDRINUSE...). */
int np_udpsock_open(uint8_t ver, const uint8_t dst[16], uint16_t sport, uint16_t dport,
		    uint32_t scope_id, uint8_t ttl, int *fd, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* Hop limit `ttl` on UDP socket fd of IPv`ver` (one socket, a TTL per probe): 0, or -1 with err. */
int np_udpsock_hops(int fd, uint8_t ver, uint8_t ttl, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* The sequence number a Paris UDP probe carries in its first two data bytes (udp.c), from what
 * an error queue gave back of it (its data, n bytes): false when the router quoted none. */
bool np_udp_paris_seq(const uint8_t *data, size_t n, uint32_t *seq);
/* Send the probe's data: 0, or -1 with err (an ICMP error already known is not one). */
int np_udpsock_send(int fd, const uint8_t *data, size_t n, char *err, size_t errlen)
	__attribute__((warn_unused_result));
/* The next answer or ICMP error on fd as an IP packet to id->us in buf (*len bytes), with the
 * kernel's receive time in *ts_us: 1, 0 when there is none now, -1 on a socket error. */
int np_udpsock_recv(int fd, const struct np_udpsock_ids *id, uint8_t *buf, size_t cap,
		    size_t *len, int64_t *ts_us);
/* The packets np_udpsock_recv rebuilds (pure, for the tests): an answer of n data bytes with
 * TTL ttl from the target; an ICMP error e quoting the probe with its n data bytes. Their
 * length, 0 when cap is too small. */
size_t np_udpsock_answer(const struct np_udpsock_ids *id, uint8_t ttl, const uint8_t *data,
			 size_t n, uint8_t *buf, size_t cap);
size_t np_udpsock_error(const struct np_udpsock_ids *id, const struct np_errq *e,
			const uint8_t *data, size_t n, uint8_t *buf, size_t cap);

/* Privileges (privdrop.c). Can this process open raw sockets and capture? */
bool np_priv_have_raw(void);
/* Is there anything to drop: root (real or effective), or any capability permitted? */
bool np_priv_held(void);
/* Give up root and every capability: to SUDO_UID/SUDO_GID when set, else to 'nobody'.
 * Returns 0, or -1 with err. */
int np_priv_drop(char *err, size_t errlen) __attribute__((warn_unused_result));
/* The -w renamer (a parent that never reads a packet): keep only CAP_DAC_OVERRIDE and
 * CAP_KILL, if held, and set no-new-privs. */
int np_priv_keep_rename_only(char *err, size_t errlen) __attribute__((warn_unused_result));
/* "uid=U gid=G CapEff=HEX" of this process, for the NETPROBE_DEBUG_PRIVS check. */
void np_priv_describe(char *buf, size_t cap);

#endif
