/*
 * replay_main.c — a standalone main for the fuzz targets (builds without libFuzzer, with gcc
 * too): runs LLVMFuzzerTestOneInput once on every regular file of the directories (or files)
 * named on the command line, in name order, and fails if none was found. A property violation
 * aborts, so a ctest over the corpus fails on a regression.
 */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_common.h"

#define REPLAY_MAX_INPUT (1u << 20)

static int run_file(const char *path)
{
	static uint8_t buf[REPLAY_MAX_INPUT];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		perror(path);
		return -1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	if (ferror(f) || !feof(f)) {
		fprintf(stderr, "%s: unreadable or larger than %u bytes\n", path, REPLAY_MAX_INPUT);
		fclose(f);
		return -1;
	}
	fclose(f);
	/* a private copy of exactly n bytes, so ASan sees the input's real end */
	{
		uint8_t *copy = malloc(n ? n : 1);

		if (!copy)
			return -1;
		memcpy(copy, buf, n);
		LLVMFuzzerTestOneInput(copy, n);
		free(copy);
	}
	return 0;
}

static int cmp_names(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int run_path(const char *path, unsigned *count)
{
	struct dirent **names;
	struct stat st;
	char file[4096];
	int n, i, bad = 0;

	if (stat(path, &st)) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return run_file(path);
	}
	n = scandir(path, &names, NULL, cmp_names);
	if (n < 0) {
		perror(path);
		return -1;
	}
	for (i = 0; i < n; i++) {
		snprintf(file, sizeof(file), "%s/%s", path, names[i]->d_name);
		if (names[i]->d_name[0] != '.' && !stat(file, &st) && S_ISREG(st.st_mode)) {
			(*count)++;
			if (run_file(file))
				bad = -1;
		}
		free(names[i]);
	}
	free(names);
	return bad;
}

int main(int argc, char **argv)
{
	unsigned count = 0;
	int i, bad = 0;

	for (i = 1; i < argc; i++)
		if (run_path(argv[i], &count))
			bad = 1;
	if (!count) {
		fprintf(stderr, "%s: no inputs found\n", argv[0]);
		return 1;
	}
	printf("%s: replayed %u inputs\n", argv[0], count);
	return bad;
}
