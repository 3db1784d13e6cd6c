/* outfile.c - the -w capture file (see outfile.h): written as FILE.partial, renamed at a clean
 * end only, so that a file named FILE is always complete. */
#define _GNU_SOURCE /* renameat2, RENAME_NOREPLACE (Linux >= 3.15, glibc >= 2.28) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h> /* makedev */
#include <time.h>
#include <unistd.h>

#include "netprobe/outfile.h"
#include "netprobe/wqueue.h"

#define PARTIAL_SUFFIX ".partial"

/* Is this errno what a pipe or FIFO returns once its reader has gone? */
static bool reader_gone(const struct np_outfile *of, int e)
{
	return e == EPIPE && !of->partial;
}

/* Open a FIFO or character device for writing, given an O_PATH descriptor of it: through
 * /proc/self/fd, which reopens that very inode (no second lookup of the name, so nothing can be
 * swapped in between), blocking until a FIFO has a reader as tcpdump -w does. Without /proc,
 * open the name again without following links, non-blocking (a FIFO without a reader: ENXIO,
 * so poll for one), and keep it only if it is the same inode. Returns the descriptor, or -1
 * with errno set (EINTR: a stop signal came while waiting for a reader). */
static int open_stream(int pathfd, const struct stat *st, const char *path)
{
	char proc[64];
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", pathfd);
	int fd = open(proc, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd >= 0 || errno != ENOENT)
		return fd;
	for (;;) {
		fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
		if (fd >= 0)
			break;
		if (errno != ENXIO || !S_ISFIFO(st->st_mode))
			return -1;
		/* ENXIO: no reader yet (fifo(7)); nanosleep returns EINTR on a stop signal. */
		struct timespec ts = { .tv_sec = 0, .tv_nsec = 20 * 1000 * 1000 };
		if (nanosleep(&ts, NULL) < 0)
			return -1;
	}
	struct stat now;
	int flags = fcntl(fd, F_GETFL);
	if (fstat(fd, &now) < 0 || now.st_dev != st->st_dev || now.st_ino != st->st_ino ||
	    flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
		close(fd);
		errno = EAGAIN; /* replaced while we looked: refused, not written */
		return -1;
	}
	return fd;
}

/* Is the file behind `st` the one standard output writes to (so that pcap bytes would be mixed
 * with the packet lines)? /dev/null mixes nothing: `-w /dev/null >/dev/null` stays allowed. */
static bool is_stdout(const struct stat *st)
{
	struct stat so;
	if (S_ISCHR(st->st_mode) && st->st_rdev == makedev(1, 3))
		return false;
	return fstat(STDOUT_FILENO, &so) == 0 && so.st_dev == st->st_dev && so.st_ino == st->st_ino;
}

/* A FIFO another user made in a shared sticky directory (/tmp): refused, as the kernel's
 * fs.protected_fifos refuses O_CREAT opens of it, since its owner would read our capture. A
 * FIFO of ours, of the directory's owner, or in a directory only its owner may write is the
 * user's own choice. The directory is only looked at, never acted on. */
static bool foreign_fifo(const char *path, const struct stat *st)
{
	if (!S_ISFIFO(st->st_mode) || st->st_uid == geteuid())
		return false;
	char *dir = strdup(path);
	if (!dir)
		return true;
	char *slash = strrchr(dir, '/');
	const char *d = slash ? (slash == dir ? "/" : (*slash = '\0', dir)) : ".";
	struct stat ds;
	bool shared = stat(d, &ds) == 0 && (ds.st_mode & S_ISVTX) &&
		      (ds.st_mode & (S_IWOTH | S_IWGRP)) && ds.st_uid != st->st_uid;
	free(dir);
	return shared;
}

/* FILE is a symbolic link: refused whatever it points to (a link in a shared directory is how
 * another user would steer root's capture into their FIFO or over a file of root's). The
 * name is looked at once more, only to word the message when it is standard output. */
static void refuse_symlink(const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st) == 0 && is_stdout(&st))
		snprintf(err, errlen, "%s is standard output (through a symbolic link): use -w - to "
				      "write the capture there", path);
	else
		snprintf(err, errlen, "%s is a symbolic link: refused (netprobe does not follow "
				      "symbolic links; give the path of the file itself)", path);
}

/* FILE.partial, created by us alone: O_EXCL always, so neither a file nor a link that someone
 * planted under that name is ever written or ends up holding the capture. With --overwrite a
 * stale one is unlinked first (in a sticky directory only its owner or root may), and the
 * creation is still exclusive: one planted again in between is refused, not used. */
static int create_partial(struct np_outfile *of, char *err, size_t errlen)
{
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY;
	int fd = open(of->partial, flags, 0666);
	if (fd < 0 && errno == EEXIST && of->overwrite) {
		if (unlink(of->partial) < 0 && errno != ENOENT) {
			snprintf(err, errlen, "cannot remove %s (left by an earlier run?): %s",
				 of->partial, strerror(errno));
			return -1;
		}
		fd = open(of->partial, flags, 0666);
	}
	if (fd < 0) {
		int e = errno;
		if (e == EEXIST && of->overwrite)
			snprintf(err, errlen, "%s was created again by someone else while netprobe "
					      "replaced it: refused", of->partial);
		else if (e == EEXIST)
			snprintf(err, errlen, "%s exists (an incomplete capture left by an earlier run?): "
					      "remove it, or pass --overwrite", of->partial);
		else
			snprintf(err, errlen, "cannot write %s: %s", of->path, strerror(e));
		return -1;
	}
	return fd;
}

/* FILE exists (pathfd, st: what was opened, never the name looked at again): refuse a link, a
 * directory, standard output or another user's FIFO; write a FIFO or device directly. Returns 1
 * when of->fp is open, 0 when a regular FILE may be replaced (--overwrite), -1 with err. */
static int open_existing(struct np_outfile *of, int pathfd, const struct stat *st, char *err,
			 size_t errlen)
{
	const char *path = of->path;
	int fd = -1;
	if (S_ISLNK(st->st_mode))
		refuse_symlink(path, err, errlen);
	else if (S_ISDIR(st->st_mode))
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(EISDIR));
	else if (S_ISFIFO(st->st_mode) || S_ISCHR(st->st_mode)) {
		/* A FIFO or a device is a stream, not a file to complete: written directly. */
		if (is_stdout(st))
			snprintf(err, errlen, "%s is standard output: use -w - to write the "
					      "capture there", path);
		else if (foreign_fifo(path, st))
			snprintf(err, errlen, "%s is a FIFO of another user (uid %u) in a shared "
					      "directory: refused (its owner would read the capture)",
				 path, (unsigned)st->st_uid);
		else if ((fd = open_stream(pathfd, st, path)) < 0) {
			int e = errno;
			of->interrupted = e == EINTR;
			snprintf(err, errlen, "cannot write %s: %s", path, e == EAGAIN ?
				 "it was replaced while being opened" : strerror(e));
		}
	} else if (!of->overwrite) {
		snprintf(err, errlen, "%s exists: choose another name, or pass --overwrite to "
				      "replace it", path);
	} else {
		return 0;
	}
	if (fd < 0)
		return -1;
	if (!(of->fp = fdopen(fd, "w"))) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return 1;
}

/* FILE.partial, created exclusively, as the stream the capture goes to. */
static int open_partial(struct np_outfile *of, char *err, size_t errlen)
{
	size_t n = strlen(of->path) + sizeof PARTIAL_SUFFIX;
	of->partial = malloc(n);
	if (!of->partial) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(of->partial, n, "%s%s", of->path, PARTIAL_SUFFIX);
	int fd = create_partial(of, err, errlen);
	if (fd >= 0 && !(of->fp = fdopen(fd, "w"))) {
		snprintf(err, errlen, "cannot write %s: %s", of->path, strerror(errno));
		close(fd);
		unlink(of->partial);
		fd = -1;
	}
	if (fd < 0) {
		free(of->partial);
		of->partial = NULL;
		return -1;
	}
	/* Large writes: a capture file is written in 64 KiB blocks, not BUFSIZ ones. */
	setvbuf(of->fp, NULL, _IOFBF, 1 << 16);
	return 0;
}

int np_outfile_open(struct np_outfile *of, const char *path, bool overwrite, char *err,
		    size_t errlen)
{
	memset(of, 0, sizeof *of);
	of->handover_fd = -1;
	of->path = path;
	of->overwrite = overwrite;
	if (!path || !*path) {
		snprintf(err, errlen, "-w needs a file name");
		return -1;
	}
	if (strcmp(path, "-") == 0) {
		of->fp = stdout;
		of->to_stdout = true;
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);
		return 0;
	}
	/* Open first, then look at what was opened (never stat a name, then open it: between the
	 * two another user could swap a FIFO for a link to /etc/shadow). O_PATH opens anything
	 * (a FIFO without waiting, a file without read or write permission) and, with O_NOFOLLOW,
	 * a symbolic link itself, which fstat then reports as a link. */
	int pathfd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (pathfd < 0 && errno != ENOENT) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	if (pathfd >= 0) {
		struct stat st;
		int rc;
		if (fstat(pathfd, &st) < 0) {
			snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
			rc = -1;
		} else {
			rc = open_existing(of, pathfd, &st, err, errlen);
		}
		close(pathfd);
		if (rc != 0)
			return rc < 0 ? -1 : 0;
	}
	return open_partial(of, err, errlen);
}

int np_outfile_async(struct np_outfile *of, size_t cap, char *err, size_t errlen)
{
	if (!(of->wq = np_wq_new(fileno(of->fp), cap)) || !(of->direct = of->fp, of->fp = np_wq_stream(of->wq))) {
		np_wq_free(of->wq);
		of->wq = NULL;
		of->fp = of->direct ? of->direct : of->fp;
		of->direct = NULL;
		snprintf(err, errlen, "out of memory for the -w buffer (%zu bytes)", cap);
		return -1;
	}
	return 0;
}

int np_outfile_fd(const struct np_outfile *of)
{
	return fileno(of->direct ? of->direct : of->fp);
}

int np_outfile_check(struct np_outfile *of)
{
	int qe = of->wq ? np_wq_error(of->wq) : 0; /* the thread's write failed */
	if (!of->fp || (!ferror(of->fp) && !qe)) /* -C/-G: no file between two */
		return 0;
	if (!of->write_errno)
		of->write_errno = qe ? qe : errno ? errno : EIO;
	return reader_gone(of, of->write_errno) ? 1 : -1;
}

/* RENAME_NOREPLACE unless --overwrite. A filesystem without it (EINVAL) gets a plain rename
 * after a last look for FILE. */
static int rename_final(const struct np_outfile *of)
{
	unsigned flags = of->overwrite ? 0 : RENAME_NOREPLACE;
	if (renameat2(AT_FDCWD, of->partial, AT_FDCWD, of->path, flags) == 0)
		return 0;
	if (errno != EINVAL || !flags)
		return -1;
	struct stat st;
	if (stat(of->path, &st) == 0) {
		errno = EEXIST;
		return -1;
	}
	return rename(of->partial, of->path);
}

static int rename_partial(const struct np_outfile *of, char *err, size_t errlen);

int np_outfile_commit(struct np_outfile *of, char *err, size_t errlen)
{
	if (fflush(of->fp) != 0 || np_outfile_check(of) != 0 || (of->wq && np_wq_drain(of->wq) < 0)) {
		if (!of->write_errno)
			of->write_errno = errno ? errno : EIO;
		if (reader_gone(of, of->write_errno))
			return 0; /* the reader of the FIFO or pipe has all it wanted */
		np_outfile_abandon(of, err, errlen);
		return -1;
	}
	if (!of->partial)
		return 0;
	/* fsync: the data is on disk before the name says it is complete (and a delayed write
	 * error, e.g. ENOSPC on a filesystem that allocates late, is seen here, not lost). */
	if (fsync(np_outfile_fd(of)) < 0) {
		of->write_errno = errno;
		np_outfile_abandon(of, err, errlen);
		return -1;
	}
	if (of->handover_fd >= 0) {
		/* Complete and on disk: the parent renames it (it alone may write the directory). */
		static const char done = 'C';
		if (write(of->handover_fd, &done, 1) != 1) {
			snprintf(err, errlen, "cannot hand %s over for renaming: %s; the complete "
					      "capture is in %s", of->path, strerror(errno), of->partial);
			return -1;
		}
		return 0;
	}
	return rename_partial(of, err, errlen);
}

void np_outfile_handover(struct np_outfile *of, int fd)
{
	of->handover_fd = fd;
}

int np_outfile_rename(const char *path, bool overwrite, char *err, size_t errlen)
{
	struct np_outfile o = { .path = path, .overwrite = overwrite, .handover_fd = -1 };
	size_t n = strlen(path) + sizeof PARTIAL_SUFFIX;
	if (!(o.partial = malloc(n))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(o.partial, n, "%s%s", path, PARTIAL_SUFFIX);
	int rc = rename_partial(&o, err, errlen);
	free(o.partial);
	return rc;
}

static int rename_partial(const struct np_outfile *of, char *err, size_t errlen)
{
	if (rename_final(of) < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot rename %s to %s: %s; the complete capture is in %s",
			 of->partial, of->path, e == EEXIST ? "it was created meanwhile" : strerror(e),
			 of->partial);
		return -1;
	}
	return 0;
}

void np_outfile_abandon(struct np_outfile *of, char *err, size_t errlen)
{
	if (of->fp)
		fflush(of->fp); /* keep every frame that can still be written */
	if (of->wq)
		(void)np_wq_drain(of->wq);
	np_outfile_check(of);
	const char *where = of->partial ? of->partial : NULL;
	if (of->write_errno && !reader_gone(of, of->write_errno)) {
		if (where)
			snprintf(err, errlen, "writing %s failed: %s; what was written is kept in %s "
					      "(incomplete)", of->path, strerror(of->write_errno), where);
		else
			snprintf(err, errlen, "writing %s failed: %s", of->to_stdout ? "the capture to "
					      "standard output" : of->path, strerror(of->write_errno));
	} else if (where) {
		snprintf(err, errlen, "the capture is incomplete: kept in %s, not %s", where, of->path);
	} else if (errlen) {
		err[0] = '\0';
	}
}

void np_outfile_release(struct np_outfile *of, bool fp_taken)
{
	if (of->wq) {
		/* the buffer's stream (unless the dumper took and closed it), then its thread
		 * (once it has written what it can), then the file itself, which no dumper held */
		if (of->fp && !fp_taken)
			fclose(of->fp);
		np_wq_free(of->wq);
		of->wq = NULL;
		if (!of->to_stdout)
			fclose(of->direct);
		if (of->partial && !fp_taken)
			unlink(of->partial);
		of->fp = of->direct = NULL;
	}
	if (of->fp && !fp_taken && !of->to_stdout) {
		fclose(of->fp);
		if (of->partial) /* no dumper was opened: nothing was captured into it */
			unlink(of->partial);
	}
	of->fp = NULL;
	free(of->partial);
	of->partial = NULL;
}
