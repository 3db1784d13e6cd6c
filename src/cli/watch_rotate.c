/* watch_rotate.c - the parent of `watch -w PATTERN -C/-G/-W`: it alone creates, completes,
 * renames and deletes the capture files, from the records the sandboxed worker sends on the
 * handover pipe (watch.h: NEW, DATA, END). Each file is written as NAME.partial (created
 * exclusively, never through a symbolic link), fsync(2)ed and renamed to NAME only on END, so
 * a file under its final name is always complete; -W COUNT deletes the oldest file this run
 * completed, and only if NAME is still the very file it made (same device and inode); the
 * --post-rotate command is run on each completed file. */
#define _GNU_SOURCE /* renameat2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child_wait.h"
#include "cli.h"
#include "netprobe/probe.h"
#include "watch.h"

#define NAME_LEN 4096

int np_rotate_name(const char *pattern, int64_t start, uint32_t seq, char *buf, size_t len)
{
	time_t t = (time_t)start;
	struct tm tm;
	char when[NAME_LEN];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral" /* the user's pattern is strftime's */
	if (!localtime_r(&t, &tm) || strftime(when, sizeof when, pattern, &tm) == 0)
		return -1;
#pragma GCC diagnostic pop
	const char *slash = strrchr(when, '/');
	const char *base = slash ? slash + 1 : when;
	const char *dot = strrchr(base, '.');
	size_t stem = dot && dot != base ? (size_t)(dot - when) : strlen(when);
	int n = snprintf(buf, len, "%.*s_%05u%s", (int)stem, when, seq, when + stem);
	return n < 0 || (size_t)n >= len - sizeof ".partial" ? -1 : 0;
}

/* A completed file this run made: the ring deletes only these, and only while NAME is still
 * the same file. */
struct made {
	char *name;
	dev_t dev;
	ino_t ino;
};

struct rot {
	const struct watch_opts *o;
	int fd;                     /* the current NAME.partial, or -1 */
	char name[NAME_LEN];
	char partial[NAME_LEN + 16];
	struct made *ring;          /* -W: the last rot_count completed files, oldest first */
	unsigned nring;
	pid_t worker;
	bool failed;
	pid_t posts[64];            /* --post-rotate commands still running */
	unsigned nposts;
};

static void reap_posts(struct rot *r, bool wait_all);

static void spawn_post(struct rot *r, const char *file)
{
	if (r->nposts == sizeof r->posts / sizeof r->posts[0])
		reap_posts(r, true); /* 64 still running: the capture waits for them */
	pid_t pid = fork();
	if (pid == 0) {
		/* no shell: the command and the file name as its one argument, as tcpdump -z */
		int null = open("/dev/null", O_RDONLY);
		if (null >= 0)
			dup2(null, STDIN_FILENO);
		execlp(r->o->post_rotate, r->o->post_rotate, file, (char *)NULL);
		fprintf(stderr, "netprobe: watch: --post-rotate %s: %s\n", r->o->post_rotate,
			strerror(errno));
		_exit(127);
	}
	if (pid < 0)
		np_errorf(CMD, "--post-rotate: fork: %s", strerror(errno));
	else
		r->posts[r->nposts++] = pid;
}

/* -W: the oldest completed file goes when there are more than COUNT. */
static void ring_add(struct rot *r, const struct stat *st)
{
	unsigned cap = r->o->rot_count;
	if (!cap)
		return;
	if (r->nring == cap) {
		struct made *old = &r->ring[0];
		struct stat now;
		int found = lstat(old->name, &now);
		if (found == 0 && now.st_dev == old->dev && now.st_ino == old->ino)
			unlink(old->name);
		else if (found == 0)
			np_errorf(CMD, "-W: %s is no longer the file netprobe made: left alone", old->name);
		free(old->name);
		memmove(&r->ring[0], &r->ring[1], (cap - 1) * sizeof *r->ring);
		r->nring--;
	}
	r->ring[r->nring] = (struct made){ strdup(r->name), st->st_dev, st->st_ino };
	if (r->ring[r->nring].name)
		r->nring++;
}

static int file_new(struct rot *r, const char *rec, uint32_t n)
{
	int64_t start;
	uint32_t seq;
	if (n != 12 || r->fd >= 0) {
		np_errorf(CMD, "-w: the capture process sent a file out of order");
		return -1;
	}
	memcpy(&start, rec, 8);
	memcpy(&seq, rec + 8, 4);
	if (np_rotate_name(r->o->write_file, start, seq, r->name, sizeof r->name) < 0) {
		np_errorf(CMD, "-w: the file name made from '%s' is too long", r->o->write_file);
		return -1;
	}
	snprintf(r->partial, sizeof r->partial, "%s.partial", r->name);
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY;
	if (r->o->overwrite)
		unlink(r->partial);
	struct stat st;
	if (!r->o->overwrite && lstat(r->name, &st) == 0) {
		np_errorf(CMD, "%s exists: choose another name, or pass --overwrite to replace it",
			  r->name);
		return -1;
	}
	if ((r->fd = open(r->partial, flags, 0666)) < 0) {
		np_errorf(CMD, "cannot write %s: %s", r->partial, strerror(errno));
		return -1;
	}
	return 0;
}

static int file_data(struct rot *r, const char *b, uint32_t n)
{
	while (n && r->fd >= 0) {
		ssize_t k = write(r->fd, b, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			np_errorf(CMD, "writing %s failed: %s; what was written is kept in %s "
				       "(incomplete)", r->name, strerror(k < 0 ? errno : EIO), r->partial);
			return -1;
		}
		b += k;
		n -= (uint32_t)k;
	}
	return r->fd >= 0 ? 0 : -1;
}

static int file_end(struct rot *r)
{
	struct stat st;
	if (r->fd < 0 || fsync(r->fd) < 0 || fstat(r->fd, &st) < 0) {
		np_errorf(CMD, "completing %s failed: %s; kept in %s", r->name, strerror(errno),
			  r->partial);
		return -1;
	}
	close(r->fd);
	r->fd = -1;
	unsigned flags = r->o->overwrite ? 0 : RENAME_NOREPLACE;
	if (renameat2(AT_FDCWD, r->partial, AT_FDCWD, r->name, flags) < 0) {
		np_errorf(CMD, "cannot rename %s to %s: %s; the complete capture is in %s", r->partial,
			  r->name, errno == EEXIST ? "it was created meanwhile" : strerror(errno),
			  r->partial);
		return -1;
	}
	ring_add(r, &st);
	if (r->o->post_rotate)
		spawn_post(r, r->name);
	return 0;
}

/* The records in buf[0..*len): each complete one handled, the rest moved to the front. */
static int records(struct rot *r, char *buf, size_t *len)
{
	size_t at = 0;
	while (*len - at >= 5) {
		uint32_t n;
		memcpy(&n, buf + at + 1, 4);
		char type = buf[at];
		if (type == NP_ROT_DATA && *len - at - 5 > 0) { /* data: written as it comes */
			uint32_t k = (uint32_t)(*len - at - 5 < n ? *len - at - 5 : n);
			if (file_data(r, buf + at + 5, k) < 0)
				return -1;
			if (k < n) { /* the rest of this record is still to come */
				n -= k;
				memcpy(buf + at + 1, &n, 4);
				memmove(buf + at + 5, buf + at + 5 + k, *len - at - 5 - k);
				*len -= k;
				break;
			}
			at += 5 + k;
			continue;
		}
		if (*len - at - 5 < n)
			break;
		int rc = type == NP_ROT_NEW ? file_new(r, buf + at + 5, n)
		       : type == NP_ROT_END ? file_end(r)
		       : type == NP_ROT_DATA ? 0 : (np_errorf(CMD, "-w: a bad record"), -1);
		if (rc < 0)
			return -1;
		at += 5 + n;
	}
	memmove(buf, buf + at, *len - at);
	*len -= at;
	return 0;
}

/* Finished --post-rotate commands are reaped as the capture goes on, by their pid (never the
 * worker's). */
static void reap_posts(struct rot *r, bool wait_all)
{
	unsigned k = 0;
	for (unsigned i = 0; i < r->nposts; i++) {
		pid_t got;
		while ((got = waitpid(r->posts[i], NULL, wait_all ? 0 : WNOHANG)) < 0 && errno == EINTR) {
		}
		if (got == 0)
			r->posts[k++] = r->posts[i];
	}
	r->nposts = k;
}

/* Read the worker's records until it closes the pipe, passing stop signals on. */
static void serve(struct rot *r, int rfd, const sigset_t *old)
{
	static char buf[1 << 17];
	size_t len = 0;
	for (;;) {
		struct pollfd pfd = { .fd = rfd, .events = POLLIN };
		if (np_child_poll(&pfd, 1, old, &r->worker, 1) < 0)
			return;
		ssize_t k = read(rfd, buf + len, sizeof buf - len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return; /* the worker has exited */
		len += (size_t)k;
		if (!r->failed && records(r, buf, &len) < 0) {
			r->failed = true;
			kill(r->worker, SIGTERM);
		}
		if (r->failed)
			len = 0; /* drained until the worker is gone */
		reap_posts(r, false);
	}
}

int np_rotate_parent(const struct watch_opts *o, pid_t worker, int rfd, const sigset_t *old)
{
	char err[512];
	struct rot r = { .o = o, .fd = -1, .worker = worker };
	np_child_catch_stops();
	/* Unsandboxed (it creates, renames and deletes files and runs --post-rotate), but with
	 * no capability beyond CAP_DAC_OVERRIDE and CAP_KILL, and no new privileges. */
	if (np_priv_keep_rename_only(err, sizeof err) < 0) {
		np_errorf(CMD, "%s", err);
		kill(worker, SIGTERM);
		r.failed = true;
	}
	if (o->rot_count && !(r.ring = calloc(o->rot_count, sizeof *r.ring))) {
		np_errorf(CMD, "out of memory");
		kill(worker, SIGTERM);
		r.failed = true;
	}
	serve(&r, rfd, old);
	int st, status;
	if (np_child_reap(worker, &st, &status) < 0) {
		np_errorf(CMD, "waiting for the capture process: %s", strerror(errno));
		return NP_EXIT_ERROR;
	}
	if (r.fd >= 0) { /* no END: the run did not finish the file */
		close(r.fd);
		np_errorf(CMD, "the capture is incomplete: kept in %s, not %s", r.partial, r.name);
	}
	reap_posts(&r, true); /* the --post-rotate commands still running are waited for */
	for (unsigned i = 0; i < r.nring; i++)
		free(r.ring[i].name);
	free(r.ring);
	if (WIFSIGNALED(st)) {
		np_errorf(CMD, "the capture process died of signal %d", WTERMSIG(st));
		return status;
	}
	return r.failed ? NP_EXIT_ERROR : status;
}
