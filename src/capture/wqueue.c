/* wqueue.c - the -w writer's bounded buffer and its thread (see wqueue.h): a ring of bytes,
 * one producer and one consumer; the counters are atomics so that the capture loop's question
 * "is there room?" takes no lock, the mutex and condition variables only serve waiting. */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netprobe/wqueue.h"

/* The stream's block (what stdio hands over at once), and the largest single write(2). */
#define BLOCK (1u << 16)
#define WRITE_MAX (4u << 20)
/* Room kept for the small records that are not frames (a file's header, -C/-G's records). */
#define SLACK 4096u

struct np_wq {
	int fd;
	char *buf;
	size_t cap;
	_Atomic uint64_t put;     /* bytes put since the start */
	_Atomic uint64_t written; /* bytes written (or discarded after an error) */
	_Atomic int err;          /* the first write error */
	size_t peak;
	bool stopping, started, running;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t more;      /* the thread waits for bytes (or the stop) */
	pthread_cond_t less;      /* the producer waits for room, np_wq_drain for the end */
};

struct np_wq *np_wq_new(int fd, size_t cap)
{
	struct np_wq *q = calloc(1, sizeof *q);
	if (!q)
		return NULL;
	if (cap < NP_WQ_MIN_BYTES)
		cap = NP_WQ_MIN_BYTES;
	if (!(q->buf = malloc(cap))) {
		free(q);
		return NULL;
	}
	q->fd = fd;
	q->cap = cap;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->more, NULL);
	pthread_cond_init(&q->less, NULL);
	return q;
}

/* One write(2) of up to WRITE_MAX contiguous bytes; EINTR retried. Returns 0 or an errno. */
static int write_some(struct np_wq *q, uint64_t from, size_t n)
{
	size_t at = (size_t)(from % q->cap);
	if (n > q->cap - at)
		n = q->cap - at; /* up to the end of the ring; the rest on the next turn */
	if (n > WRITE_MAX)
		n = WRITE_MAX;
	for (;;) {
		ssize_t k = write(q->fd, q->buf + at, n);
		if (k > 0) {
			atomic_fetch_add(&q->written, (uint64_t)k);
			return 0;
		}
		if (k < 0 && errno == EINTR)
			continue;
		return k < 0 ? errno : EIO;
	}
}

static void *writer(void *arg)
{
	struct np_wq *q = arg;
	pthread_mutex_lock(&q->mu);
	q->started = true;
	pthread_cond_broadcast(&q->less);
	for (;;) {
		uint64_t p = atomic_load(&q->put), w = atomic_load(&q->written);
		if (p == w) {
			if (q->stopping)
				break;
			pthread_cond_wait(&q->more, &q->mu);
			continue;
		}
		pthread_mutex_unlock(&q->mu);
		int e = atomic_load(&q->err) ? 0 : write_some(q, w, (size_t)(p - w));
		pthread_mutex_lock(&q->mu);
		if (e && !atomic_load(&q->err))
			atomic_store(&q->err, e);
		if (atomic_load(&q->err)) /* nothing more can be written: what is left goes */
			atomic_store(&q->written, atomic_load(&q->put));
		pthread_cond_broadcast(&q->less);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

int np_wq_start(struct np_wq *q, char *err, size_t errlen)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(&q->th, NULL, writer, q);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the -w writer thread: %s", strerror(rc));
		return -1;
	}
	/* the thread's own start-up calls (set_robust_list, rseq) happen before the sandbox */
	pthread_mutex_lock(&q->mu);
	q->running = true;
	while (!q->started)
		pthread_cond_wait(&q->less, &q->mu);
	pthread_mutex_unlock(&q->mu);
	return 0;
}

bool np_wq_room(const struct np_wq *q, size_t need)
{
	uint64_t used = atomic_load_explicit(&q->put, memory_order_relaxed) -
			atomic_load_explicit(&q->written, memory_order_relaxed);
	return q->cap - used >= need + BLOCK + SLACK;
}

int np_wq_put(struct np_wq *q, const void *b, size_t n)
{
	const char *p = b;
	while (n) {
		int e = atomic_load(&q->err);
		if (e) {
			errno = e;
			return -1;
		}
		uint64_t put = atomic_load(&q->put);
		size_t room = q->cap - (size_t)(put - atomic_load(&q->written));
		if (room == 0) { /* only when np_wq_room was not asked, or for the small records */
			pthread_mutex_lock(&q->mu);
			while (!atomic_load(&q->err) &&
			       atomic_load(&q->put) - atomic_load(&q->written) == q->cap) {
				if (!q->running) { /* no thread to empty it: never waits forever */
					atomic_store(&q->err, ENOBUFS);
					break;
				}
				pthread_cond_wait(&q->less, &q->mu);
			}
			pthread_mutex_unlock(&q->mu);
			continue;
		}
		size_t at = (size_t)(put % q->cap);
		size_t k = n < room ? n : room;
		if (k > q->cap - at)
			k = q->cap - at;
		memcpy(q->buf + at, p, k);
		pthread_mutex_lock(&q->mu);
		atomic_store(&q->put, put + k);
		size_t used = (size_t)(put + k - atomic_load(&q->written));
		if (used > q->peak)
			q->peak = used;
		pthread_cond_signal(&q->more);
		pthread_mutex_unlock(&q->mu);
		p += k;
		n -= k;
	}
	return 0;
}

int np_wq_drain(struct np_wq *q)
{
	pthread_mutex_lock(&q->mu);
	while (q->running && !atomic_load(&q->err) && atomic_load(&q->put) != atomic_load(&q->written))
		pthread_cond_wait(&q->less, &q->mu);
	pthread_mutex_unlock(&q->mu);
	/* not started (an error before the capture began): written here, by the caller */
	while (!q->running && !atomic_load(&q->err) && atomic_load(&q->put) != atomic_load(&q->written)) {
		int e = write_some(q, atomic_load(&q->written),
				   (size_t)(atomic_load(&q->put) - atomic_load(&q->written)));
		if (e)
			atomic_store(&q->err, e);
	}
	int e = atomic_load(&q->err);
	if (e) {
		errno = e;
		return -1;
	}
	return 0;
}

int np_wq_error(const struct np_wq *q)
{
	return atomic_load(&((struct np_wq *)q)->err);
}

size_t np_wq_peak(const struct np_wq *q)
{
	return q->peak;
}

void np_wq_free(struct np_wq *q)
{
	if (!q)
		return;
	if (q->running) {
		pthread_mutex_lock(&q->mu);
		q->stopping = true;
		pthread_cond_signal(&q->more);
		pthread_mutex_unlock(&q->mu);
		pthread_join(q->th, NULL);
	}
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->more);
	pthread_cond_destroy(&q->less);
	free(q->buf);
	free(q);
}

static ssize_t stream_write(void *c, const char *b, size_t n)
{
	return np_wq_put(c, b, n) < 0 ? -1 : (ssize_t)n;
}

static int stream_close(void *c)
{
	(void)c;
	return 0;
}

FILE *np_wq_stream(struct np_wq *q)
{
	cookie_io_functions_t io = { .read = NULL, .write = stream_write, .seek = NULL,
				     .close = stream_close };
	FILE *f = fopencookie(q, "w", io);
	if (f)
		setvbuf(f, NULL, _IOFBF, BLOCK);
	return f;
}
