/* sandbox.c - the seccomp allow-lists (see sandbox.h), written with libseccomp. The list was
 * derived from `strace -f` of real runs (watch live and -r, -w, ping, trace, EPIPE, Ctrl-C, a
 * full disk), then of the paths the suite did not walk (stdin from a pipe or a file, Ctrl-Z and
 * fg, a link going down or deleted: tests/cli/sandbox_matrix.sh, tests/live/test_sandbox.sh),
 * not guessed; each group below says who needs it. What is not listed ends the run (SIGSYS,
 * exit 159), except the harmless calls of fail_softly(), which fail with an errno instead
 * (SECURITY.md says which and why). */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>
#include <unistd.h>

#include <seccomp.h>
#ifdef NP_SANITIZE
#include <sanitizer/lsan_interface.h>
#endif

#include "netprobe/sandbox.h"
#include "core/sbuf.h"

/* Names of the system calls for the SIGSYS handler, resolved before the filter is loaded: the
 * handler must not allocate (libseccomp's resolver does). Written once, before any SIGSYS can
 * arrive, then only read: the one global of this file, because a signal handler has no
 * argument to carry a context in. */
#define NAMES_MAX 512
static char sys_names[NAMES_MAX][24];

/* SIGSYS from SCMP_ACT_TRAP: say which call was refused, with write(2) only, and exit 159. */
static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	/* The string builder only moves bytes in memory: safe in a signal handler. */
	char line[160];
	struct np_sbuf sb = np_sb_make(line, sizeof line);
	int nr = si->si_syscall;
	np_sb_lit(&sb, "netprobe: sandbox: forbidden system call ");
	np_sb_int(&sb, nr);
	if (nr >= 0 && nr < NAMES_MAX && sys_names[nr][0]) {
		np_sb_lit(&sb, " (");
		np_sb_str(&sb, sys_names[nr]);
		np_sb_ch(&sb, ')');
	}
	np_sb_lit(&sb, "; exiting with status 159\n");
	ssize_t w = write(STDERR_FILENO, line, sb.len);
	(void)w;
	_exit(NP_SANDBOX_EXIT_SIGSYS);
}

static int prepare_sigsys(char *err, size_t errlen)
{
	for (int i = 0; i < NAMES_MAX; i++) {
		char *s = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, i);
		if (s) {
			snprintf(sys_names[i], sizeof sys_names[i], "%s", s);
			free(s);
		}
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) < 0) {
		snprintf(err, errlen, "sandbox: sigaction(SIGSYS): %s", strerror(errno));
		return -1;
	}
	/* A SIGSYS blocked when the trap fires would kill us silently: make sure it is not. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGSYS);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	return 0;
}

bool np_sandbox_disabled(void)
{
	const char *v = getenv("NETPROBE_NO_SANDBOX");
	return v && strcmp(v, "1") == 0;
}

/* Refuse clearly on a kernel without seccomp filters (CONFIG_SECCOMP_FILTER unset): prctl
 * PR_GET_SECCOMP fails with EINVAL there (prctl(2)). */
static int check_kernel(char *err, size_t errlen)
{
	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0 && errno == EINVAL) {
		snprintf(err, errlen, "this kernel has no seccomp support, so the decoder cannot be "
				      "sandboxed; refusing to run (NETPROBE_NO_SANDBOX=1 runs without it)");
		return -1;
	}
	return 0;
}

/* Argument comparisons, every field set: libseccomp's SCMP_A* macros leave datum_b out, which
 * clang's -Wmissing-field-initializers (-Wextra -Werror) refuses. */
static struct scmp_arg_cmp arg_eq(unsigned arg, scmp_datum_t v)
{
	return (struct scmp_arg_cmp){ .arg = arg, .op = SCMP_CMP_EQ, .datum_a = v, .datum_b = 0 };
}

/* The protection argument (2) of mmap/mprotect without PROT_EXEC: (prot & PROT_EXEC) == 0. */
static struct scmp_arg_cmp arg_no_exec(void)
{
	return (struct scmp_arg_cmp){ .arg = 2, .op = SCMP_CMP_MASKED_EQ, .datum_a = PROT_EXEC,
				      .datum_b = 0 };
}

static int allow_list(scmp_filter_ctx ctx, const int *calls, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, calls[i], 0) < 0)
			return -1;
	return 0;
}

static int allow_on_fd(scmp_filter_ctx ctx, int call, int fd)
{
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, call, 1, arg_eq(0, (scmp_datum_t)fd));
}

/* What any netprobe process needs once running (each seen in the strace of the suite's runs,
 * except where a comment says why). */
static int allow_common(scmp_filter_ctx ctx)
{
	static const int calls[] = {
		SCMP_SYS(brk), SCMP_SYS(munmap), /* malloc, free */
		SCMP_SYS(mremap),                /* realloc(3) of an mmapped block (not seen) */
		SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigaction), /* SIGINT/SIGTERM handlers */
		/* Ctrl-Z then fg (SIGTSTP, SIGCONT): the kernel resumes a poll(2) or sleep that had
		 * a timeout through restart_syscall(2), not by calling it again */
		SCMP_SYS(restart_syscall),
		/* the vDSO answers these without a system call, except on a clock source it
		 * cannot read (some VMs): not seen, but a clock read must never kill */
		SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday), SCMP_SYS(clock_getres),
		/* a library that waits a moment (usleep(3), nanosleep(3)): reaches nothing */
		SCMP_SYS(nanosleep), SCMP_SYS(clock_nanosleep),
		SCMP_SYS(close), SCMP_SYS(exit_group), SCMP_SYS(exit),
		/* qsort(3) asks sysconf(_SC_PHYS_PAGES), i.e. sysinfo(2), how much it may malloc */
		SCMP_SYS(sysinfo),
		/* glibc's allocator returns memory (madvise MADV_DONTNEED) and locks its arenas
		 * (futex); signal masks (abort(3) blocks signals) */
		SCMP_SYS(madvise), SCMP_SYS(futex), SCMP_SYS(rt_sigprocmask), SCMP_SYS(sigaltstack),
		/* who am I: reads of the process's own identity, nothing else */
		SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(getuid), SCMP_SYS(geteuid),
		SCMP_SYS(getgid), SCMP_SYS(getegid),
		/* fclose(3) of an input stream puts the descriptor's offset back where the reader
		 * stopped (POSIX): `netprobe watch -r - -c 2 < FILE`, and ESPIPE on a pipe */
		SCMP_SYS(lseek), SCMP_SYS(fstat),
		SCMP_SYS(sched_yield),
		/* random bytes (hash seeds): nothing but entropy comes back */
		SCMP_SYS(getrandom),
	};
	if (allow_list(ctx, calls, sizeof calls / sizeof calls[0]) < 0)
		return -1;
	/* abort(3) (glibc's malloc checks) raises SIGABRT at the process itself: a core and
	 * status 134, not a misleading "forbidden system call". Signals to anyone else: killed. */
	pid_t self = getpid();
	if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
			     arg_eq(0, (scmp_datum_t)self)) < 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(kill), 1,
			     arg_eq(0, (scmp_datum_t)self)) < 0)
		return -1;
	/* Memory, never executable: no new code can be mapped in (mmap(2); mprotect(2) is what
	 * malloc grows a secondary arena with). */
	if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
			     arg_no_exec()) < 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
			     arg_no_exec()) < 0)
		return -1;
	/* Writes to standard output and error only (plus what the caller adds). */
	if (allow_on_fd(ctx, SCMP_SYS(write), STDOUT_FILENO) < 0 ||
	    allow_on_fd(ctx, SCMP_SYS(write), STDERR_FILENO) < 0)
		return -1;
	/* glibc's fatal messages ("malloc(): corrupted ...") go out with writev(2) on stderr */
	if (allow_on_fd(ctx, SCMP_SYS(writev), STDERR_FILENO) < 0)
		return -1;
	return 0;
}

/* Harmless calls that reach nothing new and that a library may make on a path the suite does
 * not walk: they fail with an errno, as they would on a kernel or file system that lacks
 * them, and the library copes; they never end the run. (Whole calls only: libseccomp cannot
 * give one request of a call one action and the others another, so arguments that matter,
 * ioctl's request or getsockopt's option, stay allowed one by one, the rest killed.) */
static int fail_softly(scmp_filter_ctx ctx)
{
	static const struct {
		int call, err;
	} calls[] = {
		/* looking a path up or reading a link: the same answer as an open would get */
		{ SCMP_SYS(access), EPERM },      { SCMP_SYS(faccessat), EPERM },
		{ SCMP_SYS(faccessat2), EPERM },  { SCMP_SYS(readlinkat), EPERM },
#ifndef NP_SANITIZE /* the sanitizers' own (allow_sanitizer) */
		{ SCMP_SYS(readlink), EPERM },
		/* the CPUs we may run on (sysconf(_SC_NPROCESSORS_ONLN) falls back to /sys) */
		{ SCMP_SYS(sched_getaffinity), ENOSYS },
#endif
		/* statx: glibc falls back to fstatat on ENOSYS */
		{ SCMP_SYS(statx), ENOSYS },
		/* descriptor flags (F_GETFL, F_SETFL O_NONBLOCK on a shared stdin...) */
		{ SCMP_SYS(fcntl), EPERM },
	};
	for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO((uint32_t)calls[i].err), calls[i].call, 0) < 0)
			return -1;
	return 0;
}

/* Opening anything new fails with EPERM rather than killing: glibc or libpcap may try to open
 * a file late (a locale, /sys statistics) and cope with the failure. */
static int deny_opens(scmp_filter_ctx ctx, bool tcp_sockets)
{
	static const int calls[] = { SCMP_SYS(open), SCMP_SYS(openat), SCMP_SYS(openat2),
				     SCMP_SYS(creat), SCMP_SYS(socket) };
	/* with connect() probes, socket(2) is ruled by allow_probe_sockets */
	size_t n = sizeof calls / sizeof calls[0] - (tcp_sockets ? 1 : 0);
	for (size_t i = 0; i < n; i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), calls[i], 0) < 0)
			return -1;
	return 0;
}

/* The options an unprivileged probe socket is given (udpsock.c set_opts, connect.c): errors
 * to its error queue, the answers' TTL and time, the probe's TTL; and the connect()'s reset. */
static int allow_probe_sockopts(scmp_filter_ctx ctx)
{
	static const struct {
		int level, name;
	} opts[] = {
		{ SOL_SOCKET, SO_LINGER },        { SOL_SOCKET, SO_TIMESTAMP },
		{ IPPROTO_IP, IP_RECVERR },       { IPPROTO_IP, IP_RECVTTL },
		{ IPPROTO_IP, IP_TTL },           { IPPROTO_IPV6, IPV6_RECVERR },
		{ IPPROTO_IPV6, IPV6_RECVHOPLIMIT }, { IPPROTO_IPV6, IPV6_UNICAST_HOPS },
	};
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(setsockopt), 2,
				     arg_eq(1, (scmp_datum_t)opts[i].level),
				     arg_eq(2, (scmp_datum_t)opts[i].name)) < 0)
			return -1;
	return 0;
}

/* The unprivileged probes' sockets. trace on an ICMP datagram socket: its TTL, probe by probe
 * (setsockopt(IPPROTO_IP, IP_TTL) on that descriptor only). --syn without CAP_NET_RAW: a
 * non-blocking TCP socket of the target's family (socket(2) with exactly those arguments; any
 * other socket fails with EPERM, as before), connected (connect(2): a TCP handshake is all it
 * can start), reset on close (SO_LINGER), its error queue read (recvmsg MSG_ERRQUEUE: the ICMP
 * error that ended a TTL-limited connect). --udp without CAP_NET_RAW: a non-blocking UDP
 * socket of the target's family, bound, connected, sent on and read (recvmsg). No other
 * socket can be made, so sendto and recvmsg reach only those. */
static int allow_probe_sockets(scmp_filter_ctx ctx, const struct np_sandbox *sb)
{
	int rc = 0;
	if (sb->ttl_fd > 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(setsockopt), 3,
				      arg_eq(0, (scmp_datum_t)sb->ttl_fd), arg_eq(1, IPPROTO_IP),
				      arg_eq(2, IP_TTL)) < 0;
	if (rc || (!sb->connect_family && !sb->udp_family))
		return rc ? -1 : 0;
	const bool udp = sb->udp_family != 0;
	const int family = udp ? sb->udp_family : sb->connect_family;
	const int type = (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC;
	struct scmp_arg_cmp not_ours = { .arg = 0, .op = SCMP_CMP_NE, .datum_a = (scmp_datum_t)family,
					 .datum_b = 0 };
	struct scmp_arg_cmp other_type = { .arg = 1, .op = SCMP_CMP_NE, .datum_a = (scmp_datum_t)type,
					   .datum_b = 0 };
	struct scmp_arg_cmp other_proto = { .arg = 2, .op = SCMP_CMP_NE, .datum_a = 0, .datum_b = 0 };
	if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 3,
			     arg_eq(0, (scmp_datum_t)family), arg_eq(1, (scmp_datum_t)type),
			     arg_eq(2, 0)) < 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket), 1, not_ours) < 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket), 1, other_type) < 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket), 1, other_proto) < 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(connect), 0) < 0 ||
	    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(recvmsg), 0) < 0 ||
	    allow_probe_sockopts(ctx) < 0)
		return -1;
	if (udp && (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(bind), 0) < 0 ||
		    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(sendto), 0) < 0))
		return -1;
	return 0;
}

#ifdef NP_SANITIZE
/* ASan/UBSan (the NP_SANITIZE build only). LeakSanitizer's check at exit stops the world with
 * a ptrace'd helper and reads /proc: impossible in here, so it runs when the sandbox is
 * entered instead (sanitizer_enter); what a report needs besides stderr is allowed. Never in
 * a release build. */
static int allow_sanitizer(scmp_filter_ctx ctx)
{
	static const int calls[] = {
		/* (also in allow_common, which the renamer's filter does not have) */
		SCMP_SYS(madvise), SCMP_SYS(sched_yield), SCMP_SYS(gettid), SCMP_SYS(tgkill),
		SCMP_SYS(sigaltstack), SCMP_SYS(lseek), SCMP_SYS(fstat),
		SCMP_SYS(read), SCMP_SYS(newfstatat), SCMP_SYS(getppid), SCMP_SYS(readlink),
		SCMP_SYS(sched_getaffinity),
		SCMP_SYS(getrlimit), SCMP_SYS(prlimit64),
	};
	return allow_list(ctx, calls, sizeof calls / sizeof calls[0]);
}

/* Leaks so far are reported now; the check at exit is then off (it cannot run sandboxed). */
static void sanitizer_enter(void)
{
	__lsan_do_leak_check();
}
#else
static void sanitizer_enter(void)
{
}
#endif

static int load(scmp_filter_ctx ctx, const char *who, char *err, size_t errlen)
{
	sanitizer_enter();
	int rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0) {
		snprintf(err, errlen, "sandbox: cannot install the %s seccomp filter: %s", who,
			 strerror(-rc));
		return -1;
	}
	return 0;
}

static scmp_filter_ctx new_filter(char *err, size_t errlen)
{
	if (check_kernel(err, errlen) < 0 || prepare_sigsys(err, errlen) < 0)
		return NULL;
	/* Everything not listed: SIGSYS (handled above). Other architectures' calls (x32, i386
	 * through int 0x80): killed outright, the libseccomp default. */
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
	if (!ctx) {
		snprintf(err, errlen, "sandbox: seccomp_init failed");
		return NULL;
	}
	/* Every thread gets the filter (SECCOMP_FILTER_FLAG_TSYNC): the -w writer's thread
	 * (wqueue.h) is started before the filter is loaded, so no clone(2) is allowed. */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1) < 0) {
		seccomp_release(ctx);
		snprintf(err, errlen, "sandbox: this kernel cannot synchronise the seccomp filter "
				      "to every thread");
		return NULL;
	}
	return ctx;
}

/* The sanitizers' calls (their build only), then load the filter unless building it failed. */
static int finish(scmp_filter_ctx ctx, int rc, const char *which, char *err, size_t errlen)
{
#ifdef NP_SANITIZE
	rc = rc || allow_sanitizer(ctx) < 0;
#endif
	if (rc) {
		seccomp_release(ctx);
		snprintf(err, errlen, "sandbox: cannot build the seccomp filter");
		return -1;
	}
	return load(ctx, which, err, errlen);
}

int np_sandbox_enter(const struct np_sandbox *sb, char *err, size_t errlen)
{
	if (np_sandbox_disabled()) {
		fprintf(stderr, "netprobe: warning: NETPROBE_NO_SANDBOX=1: decoding without the "
				"seccomp sandbox\n");
		return 0;
	}
	scmp_filter_ctx ctx = new_filter(err, errlen);
	if (!ctx)
		return -1;
	static const int calls[] = {
		/* -r FILE, -r -, -r FIFO: libpcap reads through stdio; stdio looks at stdout
		 * (fstat) before its first write. */
		SCMP_SYS(read), SCMP_SYS(newfstatat),
		/* live capture: libpcap waits on the TPACKET_V3 ring with poll(2) (frames come
		 * from the mmapped ring: no recvfrom/recvmsg on Linux); stdout's reader is
		 * watched with poll too. */
		SCMP_SYS(poll),
		/* the -w file is completed with fsync(2) before it is renamed. */
		SCMP_SYS(fsync),
		/* the interface's drop counters, opened before (cap_pcap.c, ifdrop_read). */
		SCMP_SYS(pread64),
	};
	int rc = allow_common(ctx) < 0 || deny_opens(ctx, sb->connect_family || sb->udp_family) < 0 ||
		 fail_softly(ctx) < 0 || allow_list(ctx, calls, sizeof calls / sizeof calls[0]) < 0 ||
		 allow_probe_sockets(ctx, sb) < 0;
	/* pcap_stats(3PCAP) on Linux: getsockopt(SOL_PACKET, PACKET_STATISTICS). */
	rc = rc || seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(getsockopt), 2,
				    arg_eq(1, SOL_PACKET),
				    arg_eq(2, PACKET_STATISTICS)) < 0;
	/* A link going down or deleted (ip link set IF down / del): the packet socket reports
	 * POLLERR, libpcap reads the error with getsockopt(SOL_SOCKET, SO_ERROR) (ENETDOWN), then
	 * asks whether the device still exists (getsockname) and is up (ioctl SIOCGIFFLAGS on
	 * the name); a corrupted ring frame is reported with uname(2). All reads. */
	rc = rc || seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(getsockopt), 2,
				    arg_eq(1, SOL_SOCKET), arg_eq(2, SO_ERROR)) < 0;
	rc = rc || seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(getsockname), 0) < 0;
	rc = rc || seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				    arg_eq(1, SIOCGIFFLAGS)) < 0;
	rc = rc || seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(uname), 0) < 0;
	/* pcap_close(3PCAP) tears the ring down with setsockopt(SOL_PACKET, PACKET_RX_RING). */
	rc = rc || seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(setsockopt), 2,
				    arg_eq(1, SOL_PACKET),
				    arg_eq(2, PACKET_RX_RING)) < 0;
	/* isatty(3): ioctl(TCGETS); a terminal's width (TIOCGWINSZ), a read. Any other request
	 * ends the run: ioctl is the widest door into the kernel (TIOCSTI pushes keystrokes into
	 * the invoking shell's terminal). */
	rc = rc || seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				    arg_eq(1, TCGETS)) < 0;
	rc = rc || seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				    arg_eq(1, TIOCGWINSZ)) < 0;
	for (size_t i = 0; !rc && i < sb->nwrite_fds && i < NP_SANDBOX_MAX_FDS; i++)
		rc = allow_on_fd(ctx, SCMP_SYS(write), sb->write_fds[i]) < 0;
	for (size_t i = 0; !rc && i < sb->nsend_fds && i < NP_SANDBOX_MAX_FDS; i++)
		rc = allow_on_fd(ctx, SCMP_SYS(sendto), sb->send_fds[i]) < 0;
	for (size_t i = 0; !rc && i < sb->nrecv_fds && i < NP_SANDBOX_MAX_FDS; i++)
		rc = allow_on_fd(ctx, SCMP_SYS(recvmsg), sb->recv_fds[i]) < 0;
	return finish(ctx, rc, "decoder's", err, errlen);
}

int np_sandbox_enter_renamer(pid_t worker, char *err, size_t errlen)
{
	if (np_sandbox_disabled())
		return 0; /* the worker says so */
	scmp_filter_ctx ctx = new_filter(err, errlen);
	if (!ctx)
		return -1;
	static const int calls[] = {
		SCMP_SYS(ppoll), SCMP_SYS(read), SCMP_SYS(wait4), /* the pipe, the worker */
		SCMP_SYS(rt_sigreturn),                          /* the forwarding handler */
		SCMP_SYS(restart_syscall),                       /* Ctrl-Z, fg (see allow_common) */
		/* renameat2(RENAME_NOREPLACE), or stat + rename where it is not supported;
		 * with --overwrite (flags 0) glibc's renameat2() calls renameat(2) */
		SCMP_SYS(renameat2), SCMP_SYS(renameat), SCMP_SYS(newfstatat), SCMP_SYS(rename),
		SCMP_SYS(brk), SCMP_SYS(munmap), /* the FILE.partial name */
		SCMP_SYS(close), SCMP_SYS(exit_group),
	};
	int rc = allow_list(ctx, calls, sizeof calls / sizeof calls[0]) < 0 || deny_opens(ctx, false) < 0 ||
		 allow_on_fd(ctx, SCMP_SYS(write), STDERR_FILENO) < 0 ||
		 allow_on_fd(ctx, SCMP_SYS(kill), (int)worker) < 0;
	return finish(ctx, rc, "renamer's", err, errlen);
}

int np_sandbox_enter_merger(const pid_t *workers, size_t n, char *err, size_t errlen)
{
	if (np_sandbox_disabled())
		return 0; /* the workers say so */
	scmp_filter_ctx ctx = new_filter(err, errlen);
	if (!ctx)
		return -1;
	static const int calls[] = {
		SCMP_SYS(ppoll), SCMP_SYS(read), SCMP_SYS(wait4), /* the pipes, the workers */
		SCMP_SYS(newfstatat),                            /* stdio's look at stdout */
	};
	int rc = allow_common(ctx) < 0 || deny_opens(ctx, false) < 0 || fail_softly(ctx) < 0 ||
		 allow_list(ctx, calls, sizeof calls / sizeof calls[0]) < 0;
	/* stdio asks whether a character device on stdout (/dev/null, a terminal) is a
	 * terminal before its first write (the JSON summary): ioctl(TCGETS), a read */
	rc = rc || seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				    arg_eq(1, TCGETS)) < 0;
	for (size_t i = 0; !rc && i < n; i++)
		rc = allow_on_fd(ctx, SCMP_SYS(kill), (int)workers[i]) < 0;
	return finish(ctx, rc, "fanout parent's", err, errlen);
}
