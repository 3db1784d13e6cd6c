/* test_sandbox.c - the seccomp allow-lists (src/sandbox/sandbox.c), each case in a forked child
 * (a filter cannot be removed once loaded): after np_sandbox_enter() opening a file or a socket
 * fails with EPERM, the allowed writes work, and a forbidden call (execve, a write to a
 * descriptor not listed, an executable mapping) ends the child with status 159 and one line on
 * stderr naming the call; the calls libc and libpcap make on the paths the suite once missed
 * (lseek at fclose of stdin, restart_syscall after a stop, SO_ERROR) work, harmless look-ups
 * fail with an errno, and the dangerous set (fork, ptrace, connect, TIOCSTI, signals to
 * others) still ends the run (SECURITY.md). Needs no root: seccomp with NO_NEW_PRIVS is open to
 * everyone. */
#include "netprobe/sandbox.h" /* first: the header must stand on its own */

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

/* What a child did: its wait status and what it wrote to stderr. */
struct outcome {
	int status;
	char err[512];
};

/* Run fn in a child with stderr on a pipe; fn returns the child's exit status (0 = every
 * check inside passed, else the number of the check that failed). */
static void in_child(int (*fn)(void *), void *arg, struct outcome *out)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], STDERR_FILENO);
		close(p[1]);
		_exit(fn(arg));
	}
	close(p[1]);
	size_t n = 0;
	ssize_t r;
	while (n < sizeof out->err - 1 && (r = read(p[0], out->err + n, sizeof out->err - 1 - n)) > 0)
		n += (size_t)r;
	out->err[n] = '\0';
	close(p[0]);
	assert_int_equal(waitpid(pid, &out->status, 0), pid);
}

static void assert_exit(const struct outcome *o, int code)
{
	if (!WIFEXITED(o->status) || WEXITSTATUS(o->status) != code)
		fail_msg("child: wait status 0x%x, want exit %d; stderr: %s", o->status, code, o->err);
}

static int enter(const struct np_sandbox *sb)
{
	char err[256];
	if (np_sandbox_enter(sb, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return 100;
	}
	return 0;
}

/* After entering: no file can be opened (read or write, new or existing), no socket made. */
static int opens_fail(void *arg)
{
	(void)arg;
	static const struct np_sandbox none;
	int rc = enter(&none);
	if (rc)
		return rc;
	errno = 0;
	if (open("/etc/passwd", O_RDONLY) != -1 || errno != EPERM)
		return 1;
	errno = 0;
	if (openat(AT_FDCWD, "/tmp/np-sandbox-new-file", O_WRONLY | O_CREAT | O_EXCL, 0600) != -1 ||
	    errno != EPERM)
		return 2;
	errno = 0;
	if (creat("/tmp/np-sandbox-new-file", 0600) != -1 || errno != EPERM)
		return 3;
	errno = 0;
	if (socket(AF_INET, SOCK_DGRAM, 0) != -1 || errno != EPERM)
		return 4;
	errno = 0;
	if (socket(AF_PACKET, SOCK_RAW, 0) != -1 || errno != EPERM)
		return 5;
	errno = 0;
	if (fopen("/tmp/np-sandbox-new-file", "w") != NULL || errno != EPERM)
		return 6;
	return 0;
}

static void test_open_and_socket_fail_with_eperm(void **state)
{
	(void)state;
	struct outcome o;
	in_child(opens_fail, NULL, &o);
	assert_exit(&o, 0);
	struct stat st;
	assert_int_equal(stat("/tmp/np-sandbox-new-file", &st), -1);
}

/* Writing to stdout, stderr and a listed descriptor works; so do reading, poll and clocks. */
static int allowed_writes(void *arg)
{
	int *fds = arg;
	struct np_sandbox sb = { .nwrite_fds = 1, .write_fds = { fds[1] } };
	int rc = enter(&sb);
	if (rc)
		return rc;
	if (write(fds[1], "ok", 2) != 2)
		return 1;
	if (write(STDERR_FILENO, "to stderr\n", 10) != 10)
		return 2;
	fprintf(stderr, "stdio %d\n", 42); /* stdio's first use of stderr */
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 3;
	void *m = malloc(1 << 20); /* mmap, no PROT_EXEC */
	if (!m)
		return 4;
	free(m);
	return 0;
}

static void test_allowed_writes_work(void **state)
{
	(void)state;
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	struct outcome o;
	in_child(allowed_writes, fds, &o);
	close(fds[1]);
	assert_exit(&o, 0);
	char buf[8] = "";
	assert_int_equal(read(fds[0], buf, sizeof buf), 2);
	assert_memory_equal(buf, "ok", 2);
	close(fds[0]);
	assert_non_null(strstr(o.err, "to stderr\nstdio 42\n"));
}

static int do_execve(void *arg)
{
	(void)arg;
	static const struct np_sandbox none;
	int rc = enter(&none);
	if (rc)
		return rc;
	char *argv[] = { "/bin/true", NULL };
	execve("/bin/true", argv, NULL);
	return 1; /* neither executed nor killed */
}

static void test_execve_is_killed(void **state)
{
	(void)state;
	struct outcome o;
	in_child(do_execve, NULL, &o);
	assert_exit(&o, NP_SANDBOX_EXIT_SIGSYS);
	assert_non_null(strstr(o.err, "netprobe: sandbox: forbidden system call 59 (execve)"));
}

/* A descriptor the caller did not list cannot be written, even though it is open. */
static int write_unlisted(void *arg)
{
	int *fds = arg;
	static const struct np_sandbox none;
	int rc = enter(&none);
	if (rc)
		return rc;
	if (write(fds[1], "x", 1) >= 0)
		return 1;
	return 2;
}

static void test_write_to_unlisted_fd_is_killed(void **state)
{
	(void)state;
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	struct outcome o;
	in_child(write_unlisted, fds, &o);
	close(fds[0]);
	close(fds[1]);
	assert_exit(&o, NP_SANDBOX_EXIT_SIGSYS);
	assert_non_null(strstr(o.err, "(write)"));
}

/* No executable memory: no new code can be brought in. */
static int map_exec(void *arg)
{
	(void)arg;
	static const struct np_sandbox none;
	int rc = enter(&none);
	if (rc)
		return rc;
	void *m = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return m == MAP_FAILED ? 1 : 2;
}

static void test_exec_mapping_is_killed(void **state)
{
	(void)state;
	struct outcome o;
	in_child(map_exec, NULL, &o);
	assert_exit(&o, NP_SANDBOX_EXIT_SIGSYS);
	assert_non_null(strstr(o.err, "(mmap)"));
}

/* The -w parent: may rename, read its pipe and signal its worker; may not open, make sockets,
 * signal anyone else, nor execute. */
struct renamer_arg {
	char from[64], to[80];
};

static int renamer(void *arg)
{
	struct renamer_arg *ra = arg;
	char err[256];
	pid_t worker = getppid(); /* any pid: here the test process */
	if (np_sandbox_enter_renamer(worker, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return 100;
	}
	errno = 0;
	if (open("/etc/passwd", O_RDONLY) != -1 || errno != EPERM)
		return 1;
	errno = 0;
	if (socket(AF_INET, SOCK_DGRAM, 0) != -1 || errno != EPERM)
		return 2;
	if (rename(ra->from, ra->to) != 0)
		return 3;
	if (kill(worker, 0) != 0)
		return 4;
	kill(1, 0); /* not the worker: killed */
	return 5;
}

static void test_renamer_filter(void **state)
{
	(void)state;
	struct renamer_arg ra;
	snprintf(ra.from, sizeof ra.from, "/tmp/np-sandbox-XXXXXX");
	int fd = mkstemp(ra.from);
	assert_true(fd >= 0);
	close(fd);
	snprintf(ra.to, sizeof ra.to, "%s.done", ra.from);
	struct outcome o;
	in_child(renamer, &ra, &o);
	struct stat st;
	bool renamed = stat(ra.to, &st) == 0;
	unlink(ra.from);
	unlink(ra.to);
	assert_exit(&o, NP_SANDBOX_EXIT_SIGSYS);
	assert_non_null(strstr(o.err, "(kill)"));
	assert_true(renamed);
}

/* What the suite's straces once missed: fclose(3) of stdin seeks back (ESPIPE on a pipe), the
 * kernel resumes an interrupted poll with restart_syscall(2) after SIGSTOP/SIGCONT, libpcap
 * asks SO_ERROR of its socket when a link goes down. None may end the run. */
static int missed_paths(void *arg)
{
	int *fds = arg; /* [0] a pipe's read end, [2] a socket opened before */
	static const struct np_sandbox none;
	FILE *in = fdopen(fds[0], "r"); /* before: fdopen asks fcntl(F_GETFL) */
	int rc = enter(&none);
	if (rc)
		return rc;
	errno = 0;
	if (lseek(fds[0], 0, SEEK_CUR) != -1 || errno != ESPIPE)
		return 1;
	if (!in || fgetc(in) != 'a') /* reads "abc", keeps "bc" buffered */
		return 2;
	fclose(in); /* lseek(fd, -2, SEEK_CUR): ESPIPE, ignored */
	int soerr = -1;
	socklen_t len = sizeof soerr;
	if (getsockopt(fds[2], SOL_SOCKET, SO_ERROR, &soerr, &len) != 0 || soerr != 0)
		return 3;
	/* poll with a timeout, stopped and continued by the parent in the middle */
	struct pollfd pfd = { .fd = fds[3], .events = POLLIN };
	if (poll(&pfd, 1, 1500) != 0)
		return 4;
	return 0;
}

static void test_missed_paths_work(void **state)
{
	(void)state;
	int fds[5];
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], "abc", 3), 3);
	close(fds[1]);
	fds[2] = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fds[2] >= 0);
	int idle[2];
	assert_int_equal(pipe(idle), 0); /* never written: the poll times out */
	fds[3] = idle[0];
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(missed_paths(fds));
	struct timespec t = { .tv_sec = 0, .tv_nsec = 400 * 1000000L };
	nanosleep(&t, NULL);
	kill(pid, SIGSTOP); /* Ctrl-Z */
	int st;
	assert_int_equal(waitpid(pid, &st, WUNTRACED), pid);
	assert_true(WIFSTOPPED(st));
	kill(pid, SIGCONT); /* fg: the poll resumes through restart_syscall */
	assert_int_equal(waitpid(pid, &st, 0), pid);
	close(fds[0]);
	close(fds[2]);
	close(idle[0]);
	close(idle[1]);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("child: wait status 0x%x, want exit 0 (159: killed by the sandbox)", st);
}

/* Harmless look-ups fail with an errno, as on a system that lacks them; the run goes on. */
static int soft_failures(void *arg)
{
	(void)arg;
	static const struct np_sandbox none;
	int rc = enter(&none);
	if (rc)
		return rc;
	errno = 0;
	if (faccessat(AT_FDCWD, "/etc/passwd", R_OK, 0) != -1 || errno != EPERM)
		return 1;
	errno = 0;
	if (fcntl(STDERR_FILENO, F_GETFL) != -1 || errno != EPERM)
		return 2;
	char buf[64];
	errno = 0;
	if (readlinkat(AT_FDCWD, "/proc/self/exe", buf, sizeof buf) != -1 || errno != EPERM)
		return 3;
	if (sched_yield() != 0)
		return 4;
	return 0;
}

static void test_harmless_calls_fail_softly(void **state)
{
	(void)state;
	struct outcome o;
	in_child(soft_failures, NULL, &o);
	assert_exit(&o, 0);
}

/* The dangerous set still ends the run at once, with the line naming the call. */
enum danger { D_FORK, D_PTRACE, D_CONNECT, D_TIOCSTI, D_KILL_OTHER };
struct danger_arg {
	enum danger what;
	int fd;
	pid_t other;
};

static int do_danger(void *arg)
{
	struct danger_arg *a = arg;
	static const struct np_sandbox none;
	int rc = enter(&none);
	if (rc)
		return rc;
	switch (a->what) {
	case D_FORK:
		if (fork() == 0)
			_exit(0);
		break;
	case D_PTRACE:
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		break;
	case D_CONNECT: {
		struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(9) };
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		connect(a->fd, (struct sockaddr *)&sin, sizeof sin);
		break;
	}
	case D_TIOCSTI: {
		char c = 'x';
		ioctl(STDIN_FILENO, TIOCSTI, &c);
		break;
	}
	case D_KILL_OTHER:
		kill(a->other, 0);
		break;
	}
	return 1; /* not killed */
}

static void test_dangerous_calls_are_killed(void **state)
{
	(void)state;
	static const struct {
		enum danger what;
		const char *name;
	} cases[] = {
		{ D_FORK, "(clone)" }, { D_PTRACE, "(ptrace)" }, { D_CONNECT, "(connect)" },
		{ D_TIOCSTI, "(ioctl)" }, { D_KILL_OTHER, "(kill)" },
	};
	int sock = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(sock >= 0);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct danger_arg a = { .what = cases[i].what, .fd = sock, .other = getpid() };
		struct outcome o;
		in_child(do_danger, &a, &o);
		assert_exit(&o, NP_SANDBOX_EXIT_SIGSYS);
		if (!strstr(o.err, cases[i].name))
			fail_msg("case %zu: stderr does not name %s: %s", i, cases[i].name, o.err);
	}
	close(sock);
}

/* Unprivileged --syn (connect_family): a non-blocking TCP socket of that family may be made,
 * reset-on-close set and connected (to 127.0.0.1's port 1 here: refused or in progress); any
 * other socket still fails with EPERM, a file still cannot be opened. */
static int connect_mode(void *arg)
{
	(void)arg;
	static const struct np_sandbox sb = { .connect_family = AF_INET };
	int rc = enter(&sb);
	if (rc)
		return rc;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 1;
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) != 0)
		return 2;
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(1),
				   .sin_addr.s_addr = htonl(0x7f000001) };
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == 0 ||
	    (errno != ECONNREFUSED && errno != EINPROGRESS))
		return 3;
	close(fd);
	errno = 0;
	if (socket(AF_INET, SOCK_DGRAM, 0) != -1 || errno != EPERM)
		return 4;
	errno = 0;
	if (socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0) != -1 || errno != EPERM)
		return 5;
	errno = 0;
	if (socket(AF_INET, SOCK_STREAM, 0) != -1 || errno != EPERM)
		return 6;
	errno = 0;
	if (socket(AF_PACKET, SOCK_RAW, 0) != -1 || errno != EPERM)
		return 7;
	errno = 0;
	if (open("/etc/passwd", O_RDONLY) != -1 || errno != EPERM)
		return 8;
	return 0;
}

static void test_connect_mode(void **state)
{
	(void)state;
	struct outcome o;
	in_child(connect_mode, NULL, &o);
	assert_exit(&o, 0);
}

/* abort(3) (glibc's heap checks) ends with SIGABRT, as it would unsandboxed: the sandbox does
 * not take the blame (tgkill to itself is allowed). */
static int do_abort(void *arg)
{
	(void)arg;
	static const struct np_sandbox none;
	int rc = enter(&none);
	if (rc)
		return rc;
	abort();
}

static void test_abort_is_sigabrt(void **state)
{
	(void)state;
	struct outcome o;
	in_child(do_abort, NULL, &o);
	if (!WIFSIGNALED(o.status) || WTERMSIG(o.status) != SIGABRT)
		fail_msg("child: wait status 0x%x, want SIGABRT; stderr: %s", o.status, o.err);
}

/* NETPROBE_NO_SANDBOX=1: no filter, and a warning says so. */
static int escape_hatch(void *arg)
{
	(void)arg;
	setenv("NETPROBE_NO_SANDBOX", "1", 1);
	static const struct np_sandbox none;
	int rc = enter(&none);
	if (rc)
		return rc;
	int fd = open("/dev/null", O_RDONLY);
	if (fd < 0)
		return 1;
	close(fd);
	return 0;
}

static void test_escape_hatch_warns(void **state)
{
	(void)state;
	struct outcome o;
	in_child(escape_hatch, NULL, &o);
	assert_exit(&o, 0);
	assert_non_null(strstr(o.err, "warning: NETPROBE_NO_SANDBOX=1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_and_socket_fail_with_eperm),
		cmocka_unit_test(test_allowed_writes_work),
		cmocka_unit_test(test_execve_is_killed),
		cmocka_unit_test(test_write_to_unlisted_fd_is_killed),
		cmocka_unit_test(test_exec_mapping_is_killed),
		cmocka_unit_test(test_renamer_filter),
		cmocka_unit_test(test_escape_hatch_warns),
		cmocka_unit_test(test_missed_paths_work),
		cmocka_unit_test(test_harmless_calls_fail_softly),
		cmocka_unit_test(test_dangerous_calls_are_killed),
		cmocka_unit_test(test_abort_is_sigabrt),
		cmocka_unit_test(test_connect_mode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
