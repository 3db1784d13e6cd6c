/* test_outfile.c - the -w file (src/capture/outfile.c): FILE.partial while written, FILE only
 * after a clean commit, and every refusal with its one-line reason. Works in a fresh temporary
 * directory per test. */
#include "netprobe/outfile.h" /* first: the header must stand on its own */

#include <errno.h>
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

/* A symbolic link planted under the .partial name is never written through. */
static void test_partial_symlink_not_followed(void **state)
{
	struct fixture *fx = *state;
	struct np_outfile of;
	char err[512] = "", target[160];
	snprintf(target, sizeof target, "%s/target", fx->dir);
	put_file(target, "victim");
	assert_int_equal(symlink(target, fx->partial), 0);
	assert_int_equal(np_outfile_open(&of, fx->file, true, err, sizeof err), -1);
	assert_file_is(target, "victim");
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
		cmocka_unit_test_setup_teardown(test_directory_and_missing_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abandon_keeps_partial, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_created_meanwhile_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_write_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release_unused_removes_partial, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
