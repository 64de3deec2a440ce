/*
 * fuzz_query.c - libFuzzer target: the query language (cat_query_parse)
 * and its translation to SQL (cat_find on an empty catalog, for files and
 * for regions, then reading every row).
 *
 * Checks: a parse error has a message and an offset within the text; a
 * parsed query either runs or fails with a message (never a crash, never
 * SQL text from the user: the SQL is parameterised).
 * The catalog lives in a private temporary directory made on the first
 * input and removed at exit.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grym/catalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cat *cat;
static char dir[64];
static char path[128];

static void die(const char *what)
{
	fprintf(stderr, "fuzz_query: contract violated: %s\n", what);
	abort();
}

static void cleanup(void)
{
	cat_close(cat);
	unlink(path);
	snprintf(path, sizeof(path), "%s/catalog.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/catalog.db-shm", dir);
	unlink(path);
	rmdir(dir);
}

static void setup(void)
{
	struct gr_err err = { 0 };

	snprintf(dir, sizeof(dir), "%s/fuzz_query.XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(dir) == NULL)
		die("mkdtemp");
	snprintf(path, sizeof(path), "%s/catalog.db", dir);
	cat = cat_open(path, 0, &err);
	if (cat == NULL)
		die(err.msg);
	atexit(cleanup);
}

static void run(const struct cat_query *q, int target)
{
	struct gr_err err = { 0 };
	struct cat_cursor *cur = cat_find(cat, q, target, 10, &err);
	struct cat_file f;
	struct cat_region r;
	int rc;

	if (cur == NULL) {
		if (err.msg[0] == '\0')
			die("cat_find failed without a message");
		return;
	}
	do
		rc = target == CAT_FILES ? cat_next_file(cur, &f, &err)
		                         : cat_next_region(cur, &r, &err);
	while (rc == 1);
	cat_cursor_free(cur);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gr_err err = { 0 };
	struct cat_query *q;
	size_t errpos = (size_t)-1;
	char *text;

	if (size > 4096)
		return 0;
	if (cat == NULL)
		setup();
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	q = cat_query_parse(text, &errpos, &err);
	if (q == NULL) {
		if (err.msg[0] == '\0')
			die("parse error without a message");
		if (errpos > strlen(text))
			die("error offset beyond the text");
	} else {
		(void)cat_query_has_sort(q);
		run(q, CAT_FILES);
		run(q, CAT_REGIONS);
		cat_query_free(q);
	}
	free(text);
	return 0;
}
