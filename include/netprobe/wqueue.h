/* wqueue.h - the -w writer: a bounded buffer between the capture and the disk (or the pipe to
 * the -w parent), emptied by a thread of its own in large sequential writes, so that a disk
 * that stalls never stalls the reading of the capture ring. The capture side only copies into
 * memory; when the buffer cannot take a frame, the caller counts it as dropped (np_wq_room)
 * instead of the kernel dropping frames silently while a write(2) waits.
 *
 * One producer (the capture loop, through np_wq_put or the stream of np_wq_stream) and one
 * consumer (the thread). The thread is started with np_wq_start() after the privilege drop
 * and before the sandbox (whose filter is synchronised to every thread, SECCOMP_FILTER_FLAG_TSYNC),
 * so the sandbox needs no clone(2); once running it only calls write(2) on its descriptor and
 * futex(2). */
#ifndef NETPROBE_WQUEUE_H
#define NETPROBE_WQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct np_wq;

/* The default buffer (--write-buffer): about a quarter of a second of a saturated gigabit link;
 * the memory is touched only as far as it is used. */
#define NP_WQ_DEFAULT_BYTES (64u << 20)
/* The smallest buffer: a frame of the largest snap length, and the stdio block above it. */
#define NP_WQ_MIN_BYTES (1u << 20)

/* A buffer of `cap` bytes in front of `fd` (not owned: the caller closes it after np_wq_free).
 * NULL: out of memory. Bytes may be put before the thread is started. */
struct np_wq *np_wq_new(int fd, size_t cap);
/* Start the writing thread, with every signal blocked in it (the capture loop handles them).
 * Returns 0, or -1 with err. */
int np_wq_start(struct np_wq *q, char *err, size_t errlen);
/* A stdio stream whose writes go into the buffer (64 KiB blocks). Closing it leaves q alone. */
FILE *np_wq_stream(struct np_wq *q);
/* Can a frame of `need` bytes be taken now, with the stream's block that may be flushed at the
 * same time? False: drop it (and count it). Never waits. */
bool np_wq_room(const struct np_wq *q, size_t need);
/* Copy n bytes in; waits only if the buffer is full (not for frames: np_wq_room comes first).
 * Returns 0, or -1 with errno set to the writer's first error (EPIPE: the reader has gone). */
int np_wq_put(struct np_wq *q, const void *b, size_t n);
/* Wait until every byte put so far is written. Returns 0, or -1 with errno (the first error). */
int np_wq_drain(struct np_wq *q);
/* The writer's first error (errno), or 0. */
int np_wq_error(const struct np_wq *q);
/* The largest number of bytes the buffer ever held (for the benchmark's notes). */
size_t np_wq_peak(const struct np_wq *q);
/* Stop the thread (after it has written what it can) and free everything. */
void np_wq_free(struct np_wq *q);

#endif
