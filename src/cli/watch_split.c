/* watch_split.c - `watch -w FILE` as two processes: a worker that captures, drops every
 * privilege and runs sandboxed, and a parent that keeps only the right to rename FILE.partial to
 * FILE (the dropped user usually lacks it) and passes stop signals on. Here, in src/cli, and
 * not in src/capture: it is the process structure of one command (its options, exit statuses
 * and messages), built from the capture, privilege and sandbox modules. */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child_wait.h"
#include "cli.h"
#include "netprobe/outfile.h"
#include "netprobe/probe.h"
#include "netprobe/sandbox.h"
#include "watch.h"

/* The parent of a -w FILE run: it keeps the right to rename FILE.partial in FILE's directory
 * (which the dropped user usually lacks) and nothing else (its uid; CAP_DAC_OVERRIDE and
 * CAP_KILL if it had them), never holds a capture handle nor reads a packet, and runs in its
 * own tiny sandbox. It waits for the worker's "complete" byte and its exit, then renames, and
 * exits with the worker's status (2 if the rename fails; 128+N if the worker died of signal
 * N). */
static int await_worker(const struct watch_opts *o, pid_t worker, int rfd, const sigset_t *old)
{
	char err[1024];
	np_child_catch_stops(); /* SIGINT, SIGTERM and SIGHUP: passed on to the worker */
	bool refused = np_priv_keep_rename_only(err, sizeof err) < 0 ||
		       np_sandbox_enter_renamer(worker, err, sizeof err) < 0;
	if (refused) { /* e.g. no seccomp: the worker refuses too; the status is 2 either way */
		np_errorf(CMD, "%s", err);
		kill(worker, SIGTERM);
	}
	bool complete = false, opened = false;
	for (;;) {
		struct pollfd pfd = { .fd = rfd, .events = POLLIN };
		if (np_child_poll(&pfd, 1, old, &worker, 1) < 0)
			break;
		char c;
		ssize_t r = read(rfd, &c, 1);
		if (r == 1) {
			complete = c == 'C';
			opened = opened || c == 'O';
		}
		else if (r == 0 || errno != EINTR)
			break; /* end of file: the worker has exited */
	}
	int st, status;
	if (np_child_reap(worker, &st, &status) < 0) {
		np_errorf(CMD, "waiting for the capture process: %s", strerror(errno));
		return NP_EXIT_ERROR;
	}
	if (refused)
		return NP_EXIT_ERROR;
	if (WIFSIGNALED(st)) {
		bool kept = opened && !complete; /* name FILE.partial only when it was created */
		np_errorf(CMD, "the capture process died of signal %d%s%s%s", WTERMSIG(st),
			  kept ? "; anything captured is in " : "", kept ? o->write_file : "",
			  kept ? ".partial (incomplete)" : "");
		return status;
	}
	/* 'C' comes only after the worker completed the file (np_outfile_commit): rename it
	 * also when the run ended with status 2 because the interface went away. */
	if (complete && (status == NP_EXIT_OK || status == NP_EXIT_ERROR) &&
	    np_outfile_rename(o->write_file, o->overwrite, err, sizeof err) < 0) {
		np_errorf(CMD, "%s", err);
		return NP_EXIT_ERROR;
	}
	return status;
}

/* -C/-G: the files are made later, one by one; a directory that cannot take them is said now,
 * before the capture starts, as a single -w FILE's is. True: reported. */
static bool rotate_dir_unusable(const struct watch_opts *o)
{
	char name[4096];
	if (np_rotate_name(o->write_file, (int64_t)time(NULL), 1, name, sizeof name) < 0) {
		np_errorf(CMD, "-w: the file name made from '%s' is empty or too long", o->write_file);
		return true;
	}
	char *slash = strrchr(name, '/');
	if (slash == name)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	const char *dir = slash ? name : ".";
	if (access(dir, W_OK | X_OK) < 0) {
		np_errorf(CMD, "cannot write in %s: %s", dir, strerror(errno));
		return true;
	}
	return false;
}

/* -w FILE (not '-'): split in two before anything is opened (see await_worker); otherwise one
 * process does it all. */
int np_watch_split(const struct watch_opts *o)
{
	if (o->fanout)
		return np_watch_fanout(o);
	if (!o->write_file || strcmp(o->write_file, "-") == 0)
		return np_watch_run(o, -1, 0);
	if ((o->rot_size || o->rot_secs) && rotate_dir_unusable(o))
		return NP_EXIT_ERROR;
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		np_errorf(CMD, "pipe: %s", strerror(errno));
		return NP_EXIT_ERROR;
	}
	/* -C/-G: the capture itself goes through the pipe, the bounded buffer between the
	 * capture and the disk (1 MiB when the system allows; its default 64 KiB otherwise) */
	if (o->rot_size || o->rot_secs)
		(void)fcntl(p[1], F_SETPIPE_SZ, 1 << 20);
	sigset_t old;
	np_child_block_stops(&old);
	fflush(NULL); /* nothing buffered is written twice */
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		np_errorf(CMD, "fork: %s", strerror(errno));
		sigprocmask(SIG_SETMASK, &old, NULL);
		close(p[0]);
		close(p[1]);
		return NP_EXIT_ERROR;
	}
	if (pid == 0) {
		close(p[0]);
		/* The stop handlers are inherited (np_cmd_watch), and so is a stop already asked
		 * for: the worker ends cleanly however early the signal came. */
		sigprocmask(SIG_SETMASK, &old, NULL);
		return np_watch_run(o, p[1], parent);
	}
	np_stop_requested = 0; /* the worker has it; the parent only forwards what comes now */
	close(p[1]);
	int rc = o->rot_size || o->rot_secs ? np_rotate_parent(o, pid, p[0], &old)
					    : await_worker(o, pid, p[0], &old);
	close(p[0]);
	return rc;
}

