/* probe.h - probes in the manner of zmap's modules: a spec says what to send, build() makes the
 * bytes of probe N (with libnet, never sending), match() says whether a decoded packet answers
 * one of ours and what it means. The sender alone writes to the network. */
#ifndef NETPROBE_PROBE_H
#define NETPROBE_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
};

struct np_probe_spec {
	enum np_probe_kind kind;
	uint8_t ver;          /* 4 or 6 */
	uint8_t src[16], dst[16];
	uint16_t ident;       /* ICMP identifier */
	uint16_t sport;       /* TCP source port; UDP: first source port (probe N uses sport + N) */
	uint16_t dport;
	uint32_t isn;         /* TCP: probe N carries sequence number isn + N */
	uint8_t tos;
	uint16_t payload;     /* ICMP/UDP data bytes */
};

/* What a captured packet says about one of our probes. */
struct np_probe_answer {
	uint32_t seq;         /* which probe */
	enum np_probe_verdict verdict;
	uint8_t from[16];     /* who answered (a router for TTL_EXCEEDED) */
	bool final;           /* the destination itself answered (trace stops) */
};

#define NP_PROBE_MAX_BYTES 1500

/* Make the IP packet of probe `seq` with hop limit `ttl`. Returns its length, or -1 with err. */
int np_probe_build(const struct np_probe_spec *s, uint32_t seq, uint8_t ttl, uint8_t *buf,
		   size_t cap, char *err, size_t errlen) __attribute__((warn_unused_result));

/* Does `p` answer one of our probes with a sequence number below `nseq`? Pure. */
bool np_probe_match(const struct np_probe_spec *s, const struct np_packet *p, uint32_t nseq,
		    struct np_probe_answer *a);

/* A tight BPF filter for the answers to `s`. */
void np_probe_bpf(const struct np_probe_spec *s, char *buf, size_t cap);

const char *np_probe_verdict_name(enum np_probe_verdict v);
/* The verdict for a probe nobody answered. */
enum np_probe_verdict np_probe_silence(enum np_probe_kind k);

/* The raw-socket sender (sender.c): the only code that includes libnet.h. */
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
