/* test_wqueue.c - the -w writer's buffer (src/capture/wqueue.c): bytes come out in order and
 * whole, across the ring's end; room is refused (never waited for) while the reader stalls;
 * a drain waits for every byte; a reader that has gone is EPIPE, not a hang. */
#include "netprobe/wqueue.h" /* first: the header must stand on its own */

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

/* Reads everything from fd until its end into a malloc'd buffer; *n its length. */
static unsigned char *slurp(int fd, size_t *n)
{
	size_t cap = 1 << 20, len = 0;
	unsigned char *b = malloc(cap);
	assert_non_null(b);
	for (;;) {
		if (len == cap) {
			cap *= 2;
			b = realloc(b, cap);
			assert_non_null(b);
		}
		ssize_t k = read(fd, b + len, cap - len);
		assert_true(k >= 0);
		if (k == 0)
			break;
		len += (size_t)k;
	}
	*n = len;
	return b;
}

/* 5 MiB through a 1 MiB ring (wrapping five times), in odd-sized pieces, via the stream and
 * np_wq_put alike: the file gets the exact bytes, in order. */
static void test_bytes_in_order(void **state)
{
	(void)state;
	char path[] = "/tmp/np-wq-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	struct np_wq *q = np_wq_new(fd, NP_WQ_MIN_BYTES);
	assert_non_null(q);
	char err[128];
	assert_int_equal(np_wq_start(q, err, sizeof err), 0);
	FILE *f = np_wq_stream(q);
	assert_non_null(f);
	size_t total = 5u << 20, at = 0;
	unsigned char piece[7919];
	while (at < total) {
		size_t n = sizeof piece < total - at ? sizeof piece : total - at;
		for (size_t i = 0; i < n; i++)
			piece[i] = (unsigned char)((at + i) * 131u >> 3);
		if ((at / n) % 2)
			assert_int_equal(fwrite(piece, 1, n, f), n);
		else {
			assert_int_equal(fflush(f), 0);
			assert_int_equal(np_wq_put(q, piece, n), 0);
		}
		at += n;
	}
	assert_int_equal(fflush(f), 0);
	assert_int_equal(np_wq_drain(q), 0);
	assert_true(np_wq_peak(q) <= NP_WQ_MIN_BYTES);
	fclose(f);
	np_wq_free(q);
	close(fd);
	fd = open(path, O_RDONLY);
	size_t n;
	unsigned char *b = slurp(fd, &n);
	close(fd);
	unlink(path);
	assert_int_equal(n, total);
	for (size_t i = 0; i < n; i++)
		if (b[i] != (unsigned char)(i * 131u >> 3))
			fail_msg("byte %zu differs", i);
	free(b);
}

/* A pipe nobody reads yet: room runs out and is refused at once (the capture would count the
 * frame); once the reader reads, every byte put arrives. */
static void test_room_refused_while_stalled(void **state)
{
	(void)state;
	int p[2];
	assert_int_equal(pipe(p), 0);
	struct np_wq *q = np_wq_new(p[1], NP_WQ_MIN_BYTES);
	char err[128];
	assert_int_equal(np_wq_start(q, err, sizeof err), 0);
	static char frame[1500];
	size_t put = 0;
	unsigned refused = 0;
	for (int i = 0; i < 2000; i++) {
		if (!np_wq_room(q, sizeof frame)) {
			refused++;
			continue;
		}
		assert_int_equal(np_wq_put(q, frame, sizeof frame), 0);
		put += sizeof frame;
	}
	assert_true(refused > 0);
	assert_true(put <= NP_WQ_MIN_BYTES + (64u << 10) * 2); /* the ring, plus the pipe's */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[1]);
		size_t n;
		unsigned char *b = slurp(p[0], &n);
		free(b);
		_exit(n == put ? 0 : 1);
	}
	close(p[0]);
	assert_int_equal(np_wq_drain(q), 0);
	np_wq_free(q);
	close(p[1]);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* The reader has gone: the thread's write fails with EPIPE, which np_wq_put and np_wq_drain
 * then return (not a wait that never ends). */
static void test_reader_gone(void **state)
{
	(void)state;
	signal(SIGPIPE, SIG_IGN);
	int p[2];
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	struct np_wq *q = np_wq_new(p[1], NP_WQ_MIN_BYTES);
	char err[128];
	assert_int_equal(np_wq_start(q, err, sizeof err), 0);
	static char block[4096];
	assert_int_equal(np_wq_put(q, block, sizeof block), 0);
	assert_int_equal(np_wq_drain(q), -1);
	assert_int_equal(errno, EPIPE);
	assert_int_equal(np_wq_error(q), EPIPE);
	assert_int_equal(np_wq_put(q, block, sizeof block), -1);
	assert_int_equal(errno, EPIPE);
	np_wq_free(q);
	close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bytes_in_order),
		cmocka_unit_test(test_room_refused_while_stalled),
		cmocka_unit_test(test_reader_gone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
