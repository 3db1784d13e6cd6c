/* replay_main.c - a plain main() for the fuzz harnesses, so the same harness sources run a set
 * of inputs under any compiler (gcc, the ASan build, valgrind) without libFuzzer.
 * Usage: HARNESS_replay FILE|DIR...  (directories: every regular file in them, sorted)
 * Prints one line per input with -v; exits 0 when every input ran, 2 on an unreadable path. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int verbose;
static unsigned long ran;

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return -1;
	}
	size_t cap = 4096, len = 0;
	uint8_t *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap) {
			uint8_t *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	int bad = ferror(f) || !buf;
	fclose(f);
	if (bad) {
		fprintf(stderr, "%s: cannot read\n", path);
		free(buf);
		return -1;
	}
	if (verbose)
		fprintf(stderr, "replay %s (%zu bytes)\n", path, len);
	/* An exact-size copy: reads past the input's end are caught as under libFuzzer. */
	uint8_t *exact = malloc(len ? len : 1);
	if (!exact) {
		free(buf);
		return -1;
	}
	memcpy(exact, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	ran++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	struct dirent **ents;
	int n = scandir(path, &ents, NULL, NULL);
	if (n < 0) {
		perror(path);
		return -1;
	}
	char **names = calloc((size_t)n + 1, sizeof *names);
	int k = 0, rc = 0;
	for (int i = 0; i < n; i++) {
		if (names && ents[i]->d_name[0] != '.') {
			size_t l = strlen(path) + strlen(ents[i]->d_name) + 2;
			names[k] = malloc(l);
			if (names[k])
				snprintf(names[k++], l, "%s/%s", path, ents[i]->d_name);
		}
		free(ents[i]);
	}
	free(ents);
	if (!names)
		return -1;
	qsort(names, (size_t)k, sizeof *names, cmp_str);
	for (int i = 0; i < k; i++) {
		if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode) && run_file(names[i]) < 0)
			rc = -1;
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	int rc = 0, first = 1;
	if (argc > 1 && strcmp(argv[1], "-v") == 0) {
		verbose = 1;
		first = 2;
	}
	if (first >= argc) {
		fprintf(stderr, "usage: %s [-v] FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (int i = first; i < argc; i++)
		if (run_path(argv[i]) < 0)
			rc = 2;
	printf("replayed %lu inputs\n", ran);
	return rc;
}
