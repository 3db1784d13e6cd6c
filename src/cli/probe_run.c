/* probe_run.c - the probe loop shared by ping and trace (see probe_run.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <pcap/dlt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "netprobe/sandbox.h"
#include "probe_opts.h"
#include "probe_run.h"
#include "probe_targets.h"

int64_t probe_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void probe_run_spec(struct probe_run *r, enum np_probe_kind kind, uint16_t dport, uint16_t payload,
		    uint8_t tos)
{
	struct np_probe_spec *s = &r->spec;
	uint32_t pid = (uint32_t)getpid();
	s->kind = kind;
	s->ident = (uint16_t)(pid ^ (pid >> 16));
	s->sport = (uint16_t)(40000 + (pid % 20000));
	s->dport = dport;
	s->isn = pid * 2654435761u;
	s->tos = tos;
	s->payload = payload;
}

/* The first address of interface `name` in family `af`. */
static int iface_addr(const char *name, int af, uint8_t out[16])
{
	struct ifaddrs *ifs, *i;
	if (getifaddrs(&ifs) < 0)
		return -1;
	int rc = -1;
	for (i = ifs; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != af || strcmp(i->ifa_name, name) != 0)
			continue;
		if (af == AF_INET)
			memcpy(out, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 4);
		else
			memcpy(out, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, 16);
		rc = 0;
		break;
	}
	freeifaddrs(ifs);
	return rc;
}

/* The source address the kernel would pick for `dst`: connect a UDP socket and ask it. No
 * packet is sent by connect(2) on a datagram socket. */
static int route_source(uint8_t ver, const uint8_t dst[16], uint32_t scope_id, const char *name,
			uint8_t out[16], uint32_t *route_mtu, char *err, size_t errlen)
{
	int af = ver == 4 ? AF_INET : AF_INET6;
	int fd = socket(af, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	struct sockaddr_storage ss;
	socklen_t sl = np_probe_sockaddr(ver, dst, 9, scope_id, &ss);
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0) {
		snprintf(err, errlen, "no route to %s: %s", name, strerror(errno));
		close(fd);
		return -1;
	}
	sl = sizeof ss;
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	/* the MTU the kernel knows on that route (the device's, or a learned path MTU): where
	 * trace --pmtu starts, as tracepath does */
	int mtu = 0;
	socklen_t ml = sizeof mtu;
	if (getsockopt(fd, ver == 4 ? IPPROTO_IP : IPPROTO_IPV6, ver == 4 ? IP_MTU : IPV6_MTU, &mtu,
		       &ml) < 0)
		mtu = 0;
	*route_mtu = mtu > 0 ? (uint32_t)mtu : 0;
	close(fd);
	if (ver == 4)
		memcpy(out, &((struct sockaddr_in *)&ss)->sin_addr, 4);
	else
		memcpy(out, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
	return 0;
}

int probe_run_target(struct probe_run *r, const char *host, int family, const char *iface,
		     char *err, size_t errlen)
{
	struct np_probe_spec *s = &r->spec;
	uint32_t scope_id;
	r->scope_id = 0;
	r->scope[0] = '\0';
	if (probe_resolve(host, family, &s->ver, s->dst, &scope_id, err, errlen) < 0)
		return -1;
	char name[IF_NAMESIZE];
	if (scope_id && if_indextoname(scope_id, name)) {
		r->scope_id = scope_id;
		snprintf(r->scope, sizeof r->scope, "%s", name);
	}
	probe_run_fmt_addr(r, s->dst, r->target, sizeof r->target);
	if (iface) {
		uint8_t a[16];
		/* the route's MTU (trace --pmtu); no route is not an error here */
		if (route_source(s->ver, s->dst, r->scope_id, r->target, a, &r->route_mtu, err,
				 errlen) < 0)
			r->route_mtu = 0;
		if (inet_pton(s->ver == 4 ? AF_INET : AF_INET6, iface, a) == 1) {
			memcpy(s->src, a, 16);
			return 0;
		}
		if (!if_nametoindex(iface)) {
			snprintf(err, errlen, "%s: no such interface", iface);
			return -1;
		}
		if (iface_addr(iface, s->ver == 4 ? AF_INET : AF_INET6, s->src) < 0) {
			snprintf(err, errlen, "%s: interface has no IPv%u address", iface, s->ver);
			return -1;
		}
		return 0;
	}
	return route_source(s->ver, s->dst, r->scope_id, r->target, s->src, &r->route_mtu, err,
			    errlen);
}

char *probe_run_fmt_addr(const struct probe_run *r, const uint8_t addr[16], char *buf, size_t cap)
{
	return np_probe_fmt_addr(r->spec.ver, r->scope, addr, buf, cap);
}

/* ping -I with the kernel building the IP header (-s past one frame, -M): the raw ICMP socket
 * leaves from that address (bind), or by that interface (SO_BINDTODEVICE, as iputils ping -I
 * IF does; CAP_NET_RAW, held until the drop) from its address. */
static int bind_source(struct probe_run *r, const char *iface, char *err, size_t errlen)
{
	struct sockaddr_storage sin;
	socklen_t sl = np_probe_sockaddr(r->spec.ver, r->spec.src, 0, r->scope_id, &sin);
	uint8_t a[16];
	if (inet_pton(r->spec.ver == 4 ? AF_INET : AF_INET6, iface, a) != 1 &&
	    setsockopt(r->dfd, SOL_SOCKET, SO_BINDTODEVICE, iface, (socklen_t)strlen(iface) + 1) < 0) {
		snprintf(err, errlen, "%s: cannot send from this interface: %s", iface,
			 strerror(errno));
		return -1;
	}
	if (bind(r->dfd, (struct sockaddr *)&sin, sl) < 0) {
		snprintf(err, errlen, "%s: cannot send from this address: %s", iface, strerror(errno));
		return -1;
	}
	return 0;
}

/* The kernel builds the IP header: without CAP_NET_RAW an ICMP datagram socket
 * (ping_group_range); with it (`raw`), a raw ICMP socket for -s past one frame or -M. Then the
 * same drop and sandbox. */
static int open_dgram(struct probe_run *r, bool raw, const char *iface, char *err,
		      size_t errlen)
{
	char why[128];
	int pmtu = r->pmtu_set ? r->pmtu : -1;
	if (raw && np_dgram_open(&r->dfd, r->spec.ver, &r->spec.ident, true, pmtu, err, errlen) < 0)
		return -1;
	if (raw && iface && bind_source(r, iface, err, errlen) < 0)
		return -1;
	if (!raw && np_dgram_open(&r->dfd, r->spec.ver, &r->spec.ident, false, pmtu, why,
				  sizeof why) < 0) {
		snprintf(err, errlen, "raw sockets need CAP_NET_RAW and ICMP datagram sockets are "
				      "refused (%s; net.ipv4.ping_group_range): run with sudo, or grant "
				      "the binary 'sudo setcap cap_net_raw,cap_net_admin=eip %s'",
			 why, "$(command -v netprobe)");
		return -1;
	}
	r->dgram = true;
	int ttl = r->dgram_ttl, tos = r->spec.tos;
	bool v6 = r->spec.ver == 6;
	int lvl = v6 ? IPPROTO_IPV6 : IPPROTO_IP;
	if ((ttl && setsockopt(r->dfd, lvl, v6 ? IPV6_UNICAST_HOPS : IP_TTL, &ttl, sizeof ttl) < 0) ||
	    (tos && setsockopt(r->dfd, lvl, v6 ? IPV6_TCLASS : IP_TOS, &tos, sizeof tos) < 0)) {
		snprintf(err, errlen, "ICMP datagram socket: %s", strerror(errno));
		return -1;
	}
	if (np_priv_drop(err, errlen) < 0)
		return -1;
	np_priv_describe(r->privs, sizeof r->privs);
	tzset();
	r->dgram_raw = raw;
	if (!raw && !v6)
		fprintf(stderr, "netprobe: no CAP_NET_RAW: an ICMP datagram socket; the kernel passes "
				"up no IP id, TOS, flags or options of the replies, and no TTL of an "
				"ICMP error (shown as 0)\n");
	else if (!raw)
		fprintf(stderr, "netprobe: no CAP_NET_RAW: an ICMPv6 datagram socket; the kernel "
				"passes up no traffic class, flow label or extension headers of the "
				"replies, and no hop limit of an ICMPv6 error (shown as 0)\n");
	r->dgram_cur_ttl = (uint8_t)ttl;
	struct np_sandbox sb = { .nsend_fds = 1, .send_fds = { r->dfd }, .nrecv_fds = 1,
				 .recv_fds = { r->dfd }, .ttl_fd = r->dfd };
	if (np_sandbox_enter(&sb, err, errlen) < 0)
		return -1;
	memset(&r->any, 0, sizeof r->any);
	np_pipeline_init(&r->pl, &r->any, NULL, NULL);
	return 0;
}

/* No CAP_NET_RAW, TCP or UDP probes: connect() (nping --tcp-connect; with the TTL set,
 * traceroute -M tcpconn) or a UDP socket per probe with IP_RECVERR (traceroute's and
 * tracepath's way), then the same drop and sandbox, which lets sockets of that type and the
 * target's family be made, connected and (UDP) bound, nothing else. */
static int open_sockets(struct probe_run *r, char *err, size_t errlen)
{
	if (probe_conn_init(&r->conn, r->scope_id, err, errlen) < 0)
		return -1;
	bool udp = r->spec.kind == NP_PROBE_UDP;
	r->connect = !udp;
	r->udpsock = udp;
	if (np_priv_drop(err, errlen) < 0)
		return -1;
	np_priv_describe(r->privs, sizeof r->privs);
	tzset();
	if (udp)
		fprintf(stderr, "netprobe: no CAP_NET_RAW: %s with IP_RECVERR "
				"(as traceroute and tracepath without root); the kernel passes up no "
				"IP id, TOS or flags of the answers, and no TTL of an ICMP error (shown as "
				"0)\n",
			r->fixed_flow ? "one UDP socket for the run (a fixed flow, the probe told by its data)"
				: "a UDP socket per probe");
	else if (r->cmd && strcmp(r->cmd, "trace") == 0)
		fprintf(stderr, "netprobe: no CAP_NET_RAW: TCP connect() probes with the TTL set "
				"probe by probe and IP_RECVERR (as traceroute -M tcpconn), a source port "
				"each; the answers' TTL, window and options are not seen\n");
	else
		fprintf(stderr, "netprobe: no CAP_NET_RAW: TCP connect() probes (as nping "
				"--tcp-connect), open, closed or filtered from connect()'s outcome; the "
				"answers' TTL, window and options are not seen\n");
	int af = r->spec.ver == 4 ? AF_INET : AF_INET6;
	struct np_sandbox sb = { .connect_family = udp ? 0 : af, .udp_family = udp ? af : 0 };
	if (np_sandbox_enter(&sb, err, errlen) < 0)
		return -1;
	memset(&r->any, 0, sizeof r->any);
	np_pipeline_init(&r->pl, &r->any, NULL, NULL);
	return 0;
}

int probe_run_open(struct probe_run *r, const char *iface, char *err, size_t errlen)
{
	r->dfd = -1;
	if (r->kernel_ip && np_priv_have_raw())
		return open_dgram(r, true, iface, err, errlen);
	/* IPv6 by datagram socket: ping (any size, -M) as iputils ping -6 does; trace -6 sets
	 * its TTL probe by probe on IPv4 only */
	bool ping = r->cmd && strcmp(r->cmd, "ping") == 0;
	if (!np_priv_have_raw() && r->allow_dgram && (r->spec.ver == 4 || ping) && !iface)
		return open_dgram(r, false, NULL, err, errlen);
	if (r->kernel_ip && r->spec.ver != 4 && !np_priv_have_raw()) {
		snprintf(err, errlen, "-s over 1400 and -M over IPv6 need a raw ICMPv6 socket or (ping, "
				      "without -I) an ICMPv6 datagram socket: run with sudo, or grant the "
				      "binary 'sudo setcap cap_net_raw,cap_net_admin=eip %s'",
			 "$(command -v netprobe)");
		return -1;
	}
	if (!np_priv_have_raw() && r->allow_connect && !iface && r->spec.kind != NP_PROBE_ICMP)
		return open_sockets(r, err, errlen);
	if (!np_priv_have_raw()) {
		snprintf(err, errlen, "raw sockets and capture need CAP_NET_RAW: run with sudo, or "
				      "grant the binary 'sudo setcap cap_net_raw,cap_net_admin=eip %s'",
			 "$(command -v netprobe)");
		return -1;
	}
	if (np_sender_open(&r->tx, r->spec.ver, err, errlen) < 0)
		return -1;
	/* A scoped link-local target ("fe80::1%eth0"): the probes leave by that link, the raw
	 * socket being bound to it (a raw IPv6 write names no scope of its own), and the answers
	 * are read there. */
	if (r->scope[0] && !iface) {
		iface = r->scope;
		if (np_sender_bind_device(r->tx, iface, err, errlen) < 0)
			return -1;
	}
	/* Capture on the interface -I names, or everywhere: the answer may come back on any. */
	const char *dev = iface && if_nametoindex(iface) ? iface : "any";
	struct np_live_opts lo = { .snaplen = 65535, .promisc = false, .immediate = true,
				   .timeout_ms = r->poll_ms > 0 ? r->poll_ms : 10 };
	if (np_source_open_live(&r->rx, dev, &lo, err, errlen) < 0)
		return -1;
	char bpf[512];
	np_probe_bpf(&r->spec, bpf, sizeof bpf);
	if (np_source_set_filter(r->rx, bpf, err, errlen) < 0)
		return -1;
	/* Everything privileged is open: nothing from the network is decoded as root, nor
	 * outside the sandbox. */
	if (np_priv_drop(err, errlen) < 0)
		return -1;
	np_priv_describe(r->privs, sizeof r->privs); /* reads /proc: not possible once sandboxed */
	tzset();
	struct np_sandbox sb = { .nsend_fds = 1, .send_fds = { np_sender_fd(r->tx) } };
	if (np_sandbox_enter(&sb, err, errlen) < 0)
		return -1;
	/* The answers take the library's frame pipeline, as watch's frames do: decoded there,
	 * neither tracked nor printed; the probe module's match() claims them. */
	memset(&r->any, 0, sizeof r->any);
	np_pipeline_init(&r->pl, &r->any, NULL, NULL);
	return 0;
}

int probe_run_send(struct probe_run *r, uint32_t seq, uint8_t ttl, int64_t *sent_us, char *err,
		   size_t errlen)
{
	return probe_run_send_spec(r, &r->spec, seq, ttl, sent_us, err, errlen);
}

int probe_run_send_spec(struct probe_run *r, const struct np_probe_spec *spec, uint32_t seq,
			uint8_t ttl, int64_t *sent_us, char *err, size_t errlen)
{
	if (r->connect || r->udpsock)
		return probe_conn_send(&r->conn, spec, seq, ttl, sent_us, err, errlen);
	uint8_t pkt[NP_PROBE_BIG_BYTES];
	int len = np_probe_build(spec, seq, ttl, pkt, sizeof pkt, err, errlen);
	if (len < 0)
		return -1;
	*sent_us = probe_now_us();
	if (r->dgram) { /* the ICMP bytes alone: the kernel writes the IP header */
		/* trace: each probe's TTL on the socket, as tracepath sets it */
		int t = ttl;
		if (ttl && ttl != r->dgram_cur_ttl) {
			if (setsockopt(r->dfd, IPPROTO_IP, IP_TTL, &t, sizeof t) < 0) {
				snprintf(err, errlen, "setsockopt(IP_TTL): %s", strerror(errno));
				return -1;
			}
			r->dgram_cur_ttl = ttl;
		}
		uint32_t mtu = 0;
		size_t h = spec->ver == 4 ? 20 : 40;
		return np_dgram_send(r->dfd, spec->ver, spec->dst, r->scope_id, pkt + h, (size_t)len - h,
				     &mtu, err, errlen);
	}
	if (np_sender_send(r->tx, pkt, (size_t)len, err, errlen) < 0) {
		/* trace --pmtu over IPv6: a raw socket refuses a probe larger than the path MTU
		 * the kernel has just learnt from a packet too big (RFC 8201) about an earlier
		 * one, which the trace reads and probes the hop again at: this one is lost */
		return spec->pmtu && errno == EMSGSIZE ? 1 : -1;
	}
	return 0;
}

/* The next answer from the ICMP datagram socket, as a frame: NP_NEXT_FRAME, _TIMEOUT or _ERROR. */
static enum np_next dgram_next(struct probe_run *r, struct np_frame *f, uint8_t *buf, size_t cap,
			       char *err, size_t errlen)
{
	size_t len = 0;
	int64_t now = probe_now_us();
	int rc = np_dgram_recv(r->dfd, r->spec.ver, r->dgram_raw, r->spec.src, buf, cap, &len, &now);
	if (rc == 0) {
		struct pollfd pfd = { .fd = r->dfd, .events = POLLIN };
		poll(&pfd, 1, 10);
		now = probe_now_us();
		rc = np_dgram_recv(r->dfd, r->spec.ver, r->dgram_raw, r->spec.src, buf, cap, &len, &now);
	}
	if (rc < 0) {
		snprintf(err, errlen, "ICMP datagram socket: %s", strerror(errno));
		return NP_NEXT_ERROR;
	}
	if (rc == 0)
		return NP_NEXT_TIMEOUT;
	*f = (struct np_frame){ .n = ++r->dframes, .ts_sec = now / 1000000,
				.ts_usec = (uint32_t)(now % 1000000), .caplen = (uint32_t)len,
				.len = (uint32_t)len, .dlt = DLT_RAW, .data = buf };
	return NP_NEXT_FRAME;
}

/* The next answer read by a UDP probe's socket, as a frame (dgram_next's kind). */
static enum np_next udpsock_next(struct probe_run *r, struct np_frame *f, uint8_t *buf,
				 size_t cap, char *err, size_t errlen)
{
	size_t len = 0;
	int64_t now = 0;
	int rc = probe_conn_udp_next(&r->conn, r->poll_ms > 0 ? r->poll_ms : 10, buf, cap, &len,
				     &now, err, errlen);
	if (rc < 0)
		return NP_NEXT_ERROR;
	if (rc == 0)
		return NP_NEXT_TIMEOUT;
	*f = (struct np_frame){ .n = ++r->dframes, .ts_sec = now / 1000000,
				.ts_usec = (uint32_t)(now % 1000000), .caplen = (uint32_t)len,
				.len = (uint32_t)len, .dlt = DLT_RAW, .data = buf };
	return NP_NEXT_FRAME;
}

/* probe_run_wait for connect() probes (their outcomes) and for the one socket of Paris --udp
 * (its ICMP errors), until the deadline or `done`. */
static int wait_connect(struct probe_run *r, int64_t deadline_us, bool (*done)(void *arg),
			probe_answer_fn fn, void *arg, char *err, size_t errlen)
{
	int64_t now;
	while (!np_stop_requested && (now = probe_now_us()) < deadline_us && !(done && done(arg)) &&
	       !ferror(stdout) && !np_output_reader_gone(stdout)) {
		int64_t ms = (deadline_us - now + 999) / 1000;
		int step = r->poll_ms > 0 ? r->poll_ms : 10;
		int t = ms < step ? (int)ms : step;
		if ((r->udpsock ? probe_conn_flow_poll(&r->conn, t, fn, arg, err, errlen)
				: probe_conn_poll(&r->conn, t, fn, arg, err, errlen)) < 0)
			return -1;
	}
	return 0;
}

int probe_run_wait(struct probe_run *r, uint32_t nseq, int64_t deadline_us,
		   bool (*done)(void *arg), probe_answer_fn fn, void *arg, char *err, size_t errlen)
{
	uint8_t dbuf[NP_PROBE_BIG_BYTES + 64];
	struct np_frame f;
	struct np_packet p;
	if (r->connect || (r->udpsock && r->spec.paris && !r->specs))
		return wait_connect(r, deadline_us, done, fn, arg, err, errlen);
	/* Also stop when stdout's reader has gone (EPIPE, SIGPIPE being ignored): the caller
	 * then ends the run as after Ctrl-C. */
	while (!np_stop_requested && probe_now_us() < deadline_us && !(done && done(arg)) &&
	       !ferror(stdout) && !np_output_reader_gone(stdout)) {
		enum np_next rc = r->dgram     ? dgram_next(r, &f, dbuf, sizeof dbuf, err, errlen)
				  : r->udpsock ? udpsock_next(r, &f, dbuf, sizeof dbuf, err, errlen)
					       : np_source_next(r->rx, &f, err, errlen);
		if (rc == NP_NEXT_TIMEOUT)
			continue;
		if (rc == NP_NEXT_END)
			break;
		if (rc == NP_NEXT_ERROR || rc == NP_NEXT_GONE) /* -I IF went down: an error */
			return -1;
		if (!r->told_privs && getenv("NETPROBE_DEBUG_PRIVS")) {
			fprintf(stderr, "netprobe: decoding as %s\n", r->privs);
			r->told_privs = true;
		}
		struct np_probe_answer a;
		if (!np_pipeline_frame(&r->pl, &f, &p))
			continue;
		if (!r->specs) {
			if (np_probe_match(&r->spec, &p, nseq, &a))
				fn(arg, &p, &a);
			continue;
		}
		for (uint32_t i = 0; i < r->nspecs; i++) /* a scan: the target it answers */
			if (np_probe_match(&r->specs[i], &p, nseq, &a)) {
				fn(arg, &p, &a);
				break;
			}
	}
	return 0;
}

void probe_run_close(struct probe_run *r)
{
	if (r->pr.ops)
		r->pr.ops->close(&r->pr);
	r->pr.ops = NULL;
	np_sender_close(r->tx);
	np_source_close(r->rx);
	if (r->dgram && r->dfd >= 0)
		close(r->dfd);
	if (r->connect || r->udpsock)
		probe_conn_close(&r->conn);
	r->dgram = false;
	r->connect = false;
	r->udpsock = false;
	r->tx = NULL;
	r->rx = NULL;
}

int probe_run_start(struct probe_run *r, const char *cmd, const struct probe_opts *o,
		    uint16_t payload, uint8_t tos, bool quiet, bool verbose)
{
	char err[512] = "";
	r->cmd = cmd;
	/* Without CAP_NET_RAW: ICMP echo by ICMP datagram sockets, --syn by connect(), --udp by
	 * UDP sockets. */
	r->allow_dgram = o->m->kind == NP_PROBE_ICMP;
	r->allow_connect = o->m->kind != NP_PROBE_ICMP; /* and UDP sockets for --udp */
	probe_run_spec(r, o->m->kind, (uint16_t)o->port, payload, tos);
	if (probe_run_target(r, o->host, o->family, o->iface, err, sizeof err) < 0 ||
	    probe_run_open(r, o->iface, err, sizeof err) < 0) {
		np_errorf(cmd, "%s", err);
		return NP_EXIT_ERROR;
	}
	np_install_stop_handlers();
	setvbuf(stdout, NULL, _IOLBF, 0);
	np_probe_printer_init(&r->pr, o->json ? NP_OUT_JSON : NP_OUT_LINE, stdout, quiet, verbose, o->m, r->spec.ver, r->scope,
			      r->target);
	r->pr.dgram = (r->dgram && !r->dgram_raw) || r->udpsock;
	r->pr.connect = r->connect;
	return 0;
}

double probe_run_rtt_ms(const struct np_packet *p, int64_t sent_us)
{
	int64_t ts = (int64_t)p->frame->ts_sec * 1000000 + p->frame->ts_usec;
	return (double)(ts - sent_us) / 1000.0;
}

enum np_out_state probe_run_out_state(int *err)
{
	enum np_out_state os = np_output_state(stdout, err);
	if (os == NP_OUT_OK && np_output_reader_gone(stdout))
		os = NP_OUT_CLOSED;
	return os;
}
