/* sandbox.h - a seccomp allow-list (libseccomp) installed once every file, socket and capture
 * handle a run needs is open and privileges are dropped, so that a decoder bug triggered by a
 * hostile packet finds no way to open anything, spawn anything or reach the network.
 *
 * After np_sandbox_enter():
 *   - open, openat, openat2, creat and socket fail with EPERM (a stray attempt, e.g. a library
 *     reading a locale or zone file late, is a clean error, not a crash);
 *   - a few harmless look-ups (access, faccessat, readlink, fcntl, statx...) fail with an errno;
 *   - any other system call not on the list raises SIGSYS: one line on stderr names it and the
 *     process exits with status NP_SANDBOX_EXIT_SIGSYS (159 = 128 + SIGSYS, as a shell reports
 *     a death by SIGSYS);
 *   - write(2) works only on stdout, stderr and the descriptors in write_fds; sendto(2) only on
 *     the descriptors in send_fds, recvmsg(2) only on those in recv_fds; mmap/mprotect never with PROT_EXEC.
 * NETPROBE_NO_SANDBOX=1 skips the filter, with a warning on stderr. */
#ifndef NETPROBE_SANDBOX_H
#define NETPROBE_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Exit status of a process that made a forbidden system call. */
#define NP_SANDBOX_EXIT_SIGSYS 159

#define NP_SANDBOX_MAX_FDS 4

struct np_sandbox {
	int write_fds[NP_SANDBOX_MAX_FDS]; /* besides 1 and 2: e.g. the -w file */
	size_t nwrite_fds;
	int send_fds[NP_SANDBOX_MAX_FDS];  /* ping/trace: the raw sockets probes go out on */
	size_t nsend_fds;
	int recv_fds[NP_SANDBOX_MAX_FDS];  /* unprivileged ping: the ICMP datagram socket read
					    * with recvmsg(2) (replies, and its error queue) */
	size_t nrecv_fds;
	int ttl_fd;                        /* unprivileged trace: the ICMP datagram socket whose
					    * TTL is set probe by probe (setsockopt IP_TTL); 0: none */
	int connect_family;                /* unprivileged --syn: AF_INET or AF_INET6, the family of
					    * the TCP sockets made and connected (socket, connect,
					    * SO_LINGER); 0: none */
	int udp_family;                    /* unprivileged --udp: AF_INET or AF_INET6, the family of
					    * the UDP sockets made, bound, connected, sent on and
					    * read (with their error queue); 0: none */
};

/* Install the filter of the process that reads and decodes packets. Call tzset() first (the
 * zone file cannot be opened afterwards). Returns 0, or -1 with err (e.g. a kernel without
 * seccomp): the caller must then refuse to run (exit 2). */
int np_sandbox_enter(const struct np_sandbox *sb, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* The tiny filter of the -w parent that never reads a packet: it waits for its worker, reads a
 * pipe, forwards signals to `worker` only (kill(2)), renames FILE.partial to FILE, writes to
 * stderr, exits. */
int np_sandbox_enter_renamer(pid_t worker, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* The filter of the --fanout parent that never reads a packet: it reads its workers' pipes,
 * writes standard output and error, forwards signals to `workers` only, waits for them. */
int np_sandbox_enter_merger(const pid_t *workers, size_t n, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Is NETPROBE_NO_SANDBOX=1 set (the filter is skipped)? */
bool np_sandbox_disabled(void);

#endif
