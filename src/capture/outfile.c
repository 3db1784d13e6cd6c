/* outfile.c - the -w capture file (see outfile.h): written as FILE.partial, renamed at a clean
 * end only, so that a file named FILE is always complete. */
#define _GNU_SOURCE /* renameat2, RENAME_NOREPLACE (Linux >= 3.15, glibc >= 2.28) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netprobe/outfile.h"

#define PARTIAL_SUFFIX ".partial"

/* Is this errno what a pipe or FIFO returns once its reader has gone? */
static bool reader_gone(const struct np_outfile *of, int e)
{
	return e == EPIPE && !of->partial;
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
	struct stat st;
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "cannot write %s: %s", path, strerror(EISDIR));
			return -1;
		}
		if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
			/* A FIFO or a device is a stream, not a file to complete: written directly.
			 * (Opening a FIFO waits for its reader, as with tcpdump -w.) */
			int fd = open(path, O_WRONLY | O_CLOEXEC);
			if (fd < 0 || !(of->fp = fdopen(fd, "w"))) {
				snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
				if (fd >= 0)
					close(fd);
				return -1;
			}
			return 0;
		}
		if (!overwrite) {
			snprintf(err, errlen, "%s exists: choose another name, or pass --overwrite to "
					      "replace it", path);
			return -1;
		}
	} else if (errno != ENOENT) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	size_t n = strlen(path) + sizeof PARTIAL_SUFFIX;
	of->partial = malloc(n);
	if (!of->partial) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(of->partial, n, "%s%s", path, PARTIAL_SUFFIX);
	/* O_EXCL: never write into a file someone else holds; O_NOFOLLOW: nor through a link
	 * planted in a shared directory under the .partial name. */
	int fd = open(of->partial,
		      O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (overwrite ? O_TRUNC : O_EXCL), 0666);
	if (fd < 0) {
		int e = errno;
		if (e == EEXIST)
			snprintf(err, errlen, "%s exists (an incomplete capture left by an earlier run?): "
					      "remove it, or pass --overwrite", of->partial);
		else
			snprintf(err, errlen, "cannot write %s: %s", path, strerror(e));
		free(of->partial);
		of->partial = NULL;
		return -1;
	}
	of->fp = fdopen(fd, "w");
	if (!of->fp) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		close(fd);
		unlink(of->partial);
		free(of->partial);
		of->partial = NULL;
		return -1;
	}
	/* Large writes: a capture file is written in 64 KiB blocks, not BUFSIZ ones. */
	setvbuf(of->fp, NULL, _IOFBF, 1 << 16);
	return 0;
}

int np_outfile_check(struct np_outfile *of)
{
	if (!ferror(of->fp))
		return 0;
	if (!of->write_errno)
		of->write_errno = errno ? errno : EIO;
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
	if (fflush(of->fp) != 0 || np_outfile_check(of) != 0) {
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
	if (fsync(fileno(of->fp)) < 0) {
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
	fflush(of->fp); /* keep every frame that can still be written */
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
	if (of->fp && !fp_taken && !of->to_stdout) {
		fclose(of->fp);
		if (of->partial) /* no dumper was opened: nothing was captured into it */
			unlink(of->partial);
	}
	of->fp = NULL;
	free(of->partial);
	of->partial = NULL;
}
