/* test_outfile.c - the -w file (src/capture/outfile.c): FILE.partial while written, FILE only
 * after a clean commit, and every refusal with its one-line reason. Works in a fresh temporary
 * directory per test. */
#include "netprobe/outfile.h" /* first: the header must stand on its own */

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

struct fixture {
	char dir[64];
	char file[128];    /* dir/cap.pcap */
	char partial[160]; /* dir/cap.pcap.partial */
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof *fx);
	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof fx->dir, "/tmp/np-outfile-XXXXXX");
	if (!mkdtemp(fx->dir)) {
		free(fx);
		return -1;
	}
	snprintf(fx->file, sizeof fx->file, "%s/cap.pcap", fx->dir);
	snprintf(fx->partial, sizeof fx->partial, "%s.partial", fx->file);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
	int rc = system(cmd);
	free(fx);
	return rc == 0 ? 0 : -1;
}

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void assert_file_is(const char *path, const char *text)
{
	char buf[256] = "";
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	assert_string_equal(buf, text);
}

/* A new FILE: written as FILE.partial, which commit renames. */
static void test_new_file_appears_at_commit(void **state)
{
	struct fixture *fx = *state;
	struct np_outfile of;
	char err[512] = "";
	assert_int_equal(np_outfile_open(&of, fx->file, false, err, sizeof err), 0);
	assert_true(exists(fx->partial));
	assert_false(exists(fx->file));
	fputs("frames", of.fp);
	assert_int_equal(np_outfile_check(&of), 0);
	assert_int_equal(np_outfile_commit(&of, err, sizeof err), 0);
	assert_true(exists(fx->file));
	assert_false(exists(fx->partial));
	fclose(of.fp); /* the dumper's job in netprobe */
	np_outfile_release(&of, true);
	assert_file_is(fx->file, "frames");
}

static void test_existing_file_refused(void **state)
{
	struct fixture *fx = *state;
	struct np_outfile of;
	char err[512] = "";
	put_file(fx->file, "precious");
	assert_int_equal(np_outfile_open(&of, fx->file, false, err, sizeof err), -1);
	assert_non_null(strstr(err, "exists"));
	assert_non_null(strstr(err, "--overwrite"));
	assert_null(strchr(err, '\n'));
	assert_false(exists(fx->partial));
	assert_file_is(fx->file, "precious");
}

static void test_overwrite_replaces_at_commit(void **state)
{
	struct fixture *fx = *state;
	struct np_outfile of;
	char err[512] = "";
	put_file(fx->file, "old");
	assert_int_equal(np_outfile_open(&of, fx->file, true, err, sizeof err), 0);
	fputs("new", of.fp);
	assert_file_is(fx->file, "old"); /* untouched until the end */
	assert_int_equal(np_outfile_commit(&of, err, sizeof err), 0);
	fclose(of.fp);
	np_outfile_release(&of, true);
	assert_file_is(fx->file, "new");
	assert_false(exists(fx->partial));
}

static void test_leftover_partial_refused(void **state)
{
	struct fixture *fx = *state;
	struct np_outfile of;
	char err[512] = "";
	put_file(fx->partial, "earlier run");
	assert_int_equal(np_outfile_open(&of, fx->file, false, err, sizeof err), -1);
	assert_non_null(strstr(err, ".partial exists"));
	assert_file_is(fx->partial, "earlier run");
	assert_false(exists(fx->file));
}

/* A symbolic link planted under the .partial name is never written through: refused without
 * --overwrite; with it, removed and replaced by a file of our own. */
static void test_partial_symlink_not_followed(void **state)
{
	struct fixture *fx = *state;
	struct np_outfile of;
	char err[512] = "", target[160];
	snprintf(target, sizeof target, "%s/target", fx->dir);
	put_file(target, "victim");
	assert_int_equal(symlink(target, fx->partial), 0);
	assert_int_equal(np_outfile_open(&of, fx->file, false, err, sizeof err), -1);
	assert_file_is(target, "victim");
	assert_int_equal(np_outfile_open(&of, fx->file, true, err, sizeof err), 0);
	fputs("ours", of.fp);
	assert_int_equal(np_outfile_commit(&of, err, sizeof err), 0);
	fclose(of.fp);
	np_outfile_release(&of, true);
	struct stat st;
	assert_int_equal(lstat(fx->file, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_file_is(fx->file, "ours");
	assert_file_is(target, "victim");
}

/* --overwrite and a FILE.partial someone else planted (and keeps a hard link to): the planted
 * inode is never written, and the capture ends in a file created by us (O_EXCL). */
static void test_planted_partial_not_reused(void **state)
{
	struct fixture *fx = *state;
	struct np_outfile of;
	char err[512] = "", keep[160];
	snprintf(keep, sizeof keep, "%s/keep", fx->dir);
	put_file(fx->partial, "planted");
	assert_int_equal(link(fx->partial, keep), 0);
	assert_int_equal(np_outfile_open(&of, fx->file, true, err, sizeof err), 0);
	fputs("ours", of.fp);
	assert_int_equal(np_outfile_commit(&of, err, sizeof err), 0);
	fclose(of.fp);
	np_outfile_release(&of, true);
	assert_file_is(keep, "planted");
	assert_file_is(fx->file, "ours");
	struct stat a, b;
	assert_int_equal(stat(keep, &a), 0);
	assert_int_equal(stat(fx->file, &b), 0);
	assert_true(a.st_ino != b.st_ino);
	assert_int_equal(a.st_nlink, 1);
}

/* FILE itself a symbolic link (to a file, to a FIFO with a reader, or to nothing): refused
 * with one line saying so, with or without --overwrite, and nothing is written or created. */
static void test_symlink_refused(void **state)
{
	struct fixture *fx = *state;
	struct np_outfile of;
	char err[512] = "", target[160], fifo[160];
	snprintf(target, sizeof target, "%s/target", fx->dir);
	snprintf(fifo, sizeof fifo, "%s/fifo", fx->dir);
	put_file(target, "victim");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	/* a reader, so that a FIFO opened through the link would not block the test */
	int rfd = open(fifo, O_RDONLY | O_NONBLOCK);
	assert_true(rfd >= 0);
	const char *to[] = { target, fifo, "/nonexistent/dangling" };
	for (size_t i = 0; i < 3; i++) {
		for (int ow = 0; ow < 2; ow++) {
			unlink(fx->file);
			assert_int_equal(symlink(to[i], fx->file), 0);
			err[0] = '\0';
			assert_int_equal(np_outfile_open(&of, fx->file, ow, err, sizeof err), -1);
			assert_non_null(strstr(err, "is a symbolic link"));
			assert_non_null(strstr(err, fx->file));
			assert_null(strchr(err, '\n'));
			assert_false(exists(fx->partial));
		}
	}
	char buf[16];
	assert_true(read(rfd, buf, sizeof buf) <= 0); /* nothing came (EOF or EAGAIN) */
	close(rfd);
	assert_file_is(target, "victim");
}

/* A FIFO (with its reader) is written directly; the same FIFO as standard output is refused
 * (-w - is the way to put the capture there). */
static void test_fifo_direct_and_stdout_refused(void **state)
{
	struct fixture *fx = *state;
	struct np_outfile of;
	char err[512] = "", buf[16] = "";
	assert_int_equal(mkfifo(fx->file, 0600), 0);
	int rfd = open(fx->file, O_RDONLY | O_NONBLOCK);
	assert_true(rfd >= 0);
	assert_int_equal(np_outfile_open(&of, fx->file, false, err, sizeof err), 0);
	assert_null(of.partial);
	fputs("data", of.fp);
	assert_int_equal(np_outfile_commit(&of, err, sizeof err), 0);
	fclose(of.fp);
	np_outfile_release(&of, true);
	assert_int_equal(read(rfd, buf, sizeof buf - 1), 4);
	assert_string_equal(buf, "data");
	/* now standard output is that FIFO */
	fflush(stdout);
	int saved = dup(STDOUT_FILENO);
	int wfd = open(fx->file, O_WRONLY);
	assert_true(saved >= 0 && wfd >= 0);
	assert_int_equal(dup2(wfd, STDOUT_FILENO), STDOUT_FILENO);
	int rc = np_outfile_open(&of, fx->file, false, err, sizeof err);
	if (rc == 0)
		np_outfile_release(&of, false);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(wfd);
	close(rfd);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, "is standard output: use -w -"));
	/* /dev/null as both mixes nothing: allowed */
	saved = dup(STDOUT_FILENO);
	int null = open("/dev/null", O_WRONLY);
	assert_true(saved >= 0 && null >= 0);
	assert_int_equal(dup2(null, STDOUT_FILENO), STDOUT_FILENO);
	rc = np_outfile_open(&of, "/dev/null", false, err, sizeof err);
	if (rc == 0)
		np_outfile_release(&of, false);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(null);
	assert_int_equal(rc, 0);
}

static void test_directory_and_missing_directory(void **state)
{
	struct fixture *fx = *state;
	struct np_outfile of;
	char err[512] = "", path[160];
	assert_int_equal(np_outfile_open(&of, fx->dir, false, err, sizeof err), -1);
	assert_non_null(strstr(err, "Is a directory"));
	assert_non_null(strstr(err, fx->dir));
	snprintf(path, sizeof path, "%s/no-such-dir/x.pcap", fx->dir);
	assert_int_equal(np_outfile_open(&of, path, false, err, sizeof err), -1);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, strerror(ENOENT)));
	assert_int_equal(np_outfile_open(&of, "", false, err, sizeof err), -1);
}

/* A run that failed: the data keeps its .partial name, and the message says where. */
static void test_abandon_keeps_partial(void **state)
{
	struct fixture *fx = *state;
	struct np_outfile of;
	char err[512] = "";
	assert_int_equal(np_outfile_open(&of, fx->file, false, err, sizeof err), 0);
	fputs("some frames", of.fp);
	np_outfile_abandon(&of, err, sizeof err);
	assert_non_null(strstr(err, "incomplete"));
	assert_non_null(strstr(err, fx->partial));
	fclose(of.fp);
	np_outfile_release(&of, true);
	assert_false(exists(fx->file));
	assert_file_is(fx->partial, "some frames");
}

/* FILE created by someone else while we captured: not clobbered (RENAME_NOREPLACE). */
static void test_file_created_meanwhile_kept(void **state)
{
	struct fixture *fx = *state;
	struct np_outfile of;
	char err[512] = "";
	assert_int_equal(np_outfile_open(&of, fx->file, false, err, sizeof err), 0);
	fputs("ours", of.fp);
	put_file(fx->file, "theirs");
	assert_int_equal(np_outfile_commit(&of, err, sizeof err), -1);
	assert_non_null(strstr(err, "created meanwhile"));
	assert_non_null(strstr(err, fx->partial));
	fclose(of.fp);
	np_outfile_release(&of, true);
	assert_file_is(fx->file, "theirs");
	assert_file_is(fx->partial, "ours");
}

/* A character device is written directly; its write error is seen (pcap_dump reports none). */
static void test_device_write_error(void **state)
{
	(void)state;
	struct np_outfile of;
	char err[512] = "";
	assert_int_equal(np_outfile_open(&of, "/dev/full", false, err, sizeof err), 0);
	assert_null(of.partial);
	static char block[1 << 17];
	fwrite(block, 1, sizeof block, of.fp);
	assert_int_equal(np_outfile_check(&of), -1);
	assert_int_equal(of.write_errno, ENOSPC);
	np_outfile_abandon(&of, err, sizeof err);
	assert_non_null(strstr(err, "writing /dev/full failed"));
	assert_non_null(strstr(err, strerror(ENOSPC)));
	np_outfile_release(&of, false);
}

/* Released without a dumper (an error before the first frame): nothing is left behind. */
static void test_release_unused_removes_partial(void **state)
{
	struct fixture *fx = *state;
	struct np_outfile of;
	char err[512] = "";
	assert_int_equal(np_outfile_open(&of, fx->file, false, err, sizeof err), 0);
	np_outfile_release(&of, false);
	assert_false(exists(fx->partial));
	assert_false(exists(fx->file));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_new_file_appears_at_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_existing_file_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overwrite_replaces_at_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leftover_partial_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_symlink_not_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_planted_partial_not_reused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fifo_direct_and_stdout_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_directory_and_missing_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abandon_keeps_partial, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_created_meanwhile_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_write_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release_unused_removes_partial, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
