/* outfile.h - the -w capture file: never passed off as complete unless the run ended cleanly.
 *
 * A regular file is written as FILE.partial and renamed to FILE only by np_outfile_commit(),
 * after every byte was flushed and fsync(2)ed; on an error, a crash or SIGKILL the data stays
 * under the name that says it is incomplete. FILE must not exist unless `overwrite` is set
 * (the final rename then uses RENAME_NOREPLACE, so a FILE created meanwhile is not clobbered
 * either). A FIFO, a character device or "-" (standard output) is written directly.
 * Syscalls after the files are open (for a sandbox): write, fsync, renameat2, close (no
 * renameat2 after np_outfile_handover()). */
#ifndef NETPROBE_OUTFILE_H
#define NETPROBE_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct np_outfile {
	const char *path;   /* FILE as the user gave it */
	char *partial;      /* FILE.partial while it is written; NULL when written directly */
	FILE *fp;           /* where the capture goes (handed to the pcap dumper) */
	bool overwrite;
	bool to_stdout;     /* "-" */
	int write_errno;    /* first write error seen, 0 if none */
	int handover_fd;    /* >= 0: commit leaves the rename to a parent told through this fd */
	bool interrupted;   /* open failed: a signal came while a FIFO waited for its reader */
	struct np_wq *wq;   /* np_outfile_async: fp writes into it, its thread to `direct` */
	FILE *direct;       /* the file itself, once fp is the buffer's stream */
};

struct np_wq;

/* Put a bounded buffer of `cap` bytes and its own writing thread (wqueue.h) between of->fp
 * and the file: of->fp becomes the buffer's stream, the file is written in large blocks by
 * the thread (started later, np_wq_start(of->wq)). Before anything is written to of->fp.
 * Returns 0, or -1 with err. */
int np_outfile_async(struct np_outfile *of, size_t cap, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* The descriptor the capture file's bytes are finally written to. */
int np_outfile_fd(const struct np_outfile *of);

/* Open the file to write (before capturing, with privileges). `path` is opened once, without
 * following a symbolic link, and judged by what was opened (fstat): a symbolic link is
 * refused, a FIFO or character device is written directly (a FIFO: once it has a reader;
 * standard output itself is refused, that is -w -, and so is another user's FIFO in a sticky
 * shared directory), anything else exists and is refused
 * unless `overwrite`; FILE.partial is always created exclusively (O_EXCL). Returns 0, or -1
 * with one line in err naming the path and the reason (of->interrupted: a signal ended the
 * wait for a FIFO's reader). */
int np_outfile_open(struct np_outfile *of, const char *path, bool overwrite, char *err,
		    size_t errlen) __attribute__((warn_unused_result));

/* After a write through of->fp: returns 0, or -1 (the first error's errno is kept) when the
 * stream has failed, e.g. a full disk. */
int np_outfile_check(struct np_outfile *of);

/* A clean end: flush, fsync, rename FILE.partial to FILE. Call it while of->fp is still open
 * (before the dumper closes it). Returns 0, or -1 with err (the data then stays in
 * FILE.partial, which err names). */
int np_outfile_commit(struct np_outfile *of, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Privilege separation (watch -w): from now on np_outfile_commit() does not rename; after the
 * fsync it writes one byte to `fd` (a pipe to the process that still may rename FILE.partial,
 * see np_outfile_rename()). Syscalls then: write, fsync. */
void np_outfile_handover(struct np_outfile *of, int fd);

/* The parent's half of the handover: rename `path`.partial to `path` (RENAME_NOREPLACE unless
 * `overwrite`). Returns 0, or -1 with the same message np_outfile_commit() gives. */
int np_outfile_rename(const char *path, bool overwrite, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* The run failed: flush what can be, and describe in err where the incomplete data is (empty
 * when it went to a FIFO, a device or standard output). */
void np_outfile_abandon(struct np_outfile *of, char *err, size_t errlen);

/* Close of->fp if nobody took it over (no dumper was opened), and free the names. */
void np_outfile_release(struct np_outfile *of, bool fp_taken);

#endif
