/*
 * catq.c - time queries through the catalog's query API:
 *
 *   catq DB [--reps R] [--limit L] [--regions] QUERY...
 *
 * For each QUERY: parse, prepare and fetch up to L rows (default 100, a
 * screenful), R times (default 20).  Prints one line per query:
 * "median_ms p95_ms cpu_median_ms rows query".  Wall-clock timings, warm
 * cache (the first run is not counted); the CPU time of the thread is
 * printed too, as it says more on a machine shared with other work.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "grym/catalog.h"
#include "grym/util.h"

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct gr_err err = { 0 };
	struct cat *c;
	int reps = 20, target = CAT_FILES, i = 2;
	long limit = 100;

	if (argc < 3) {
		fprintf(stderr, "usage: catq DB [--reps R] [--limit L] [--regions] QUERY...\n");
		return 2;
	}
	if ((c = cat_open(argv[1], 0, &err)) == NULL) {
		fprintf(stderr, "catq: %s\n", err.msg);
		return 1;
	}
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
			reps = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--limit") && i + 1 < argc) {
			limit = atol(argv[++i]);
		} else if (!strcmp(argv[i], "--regions")) {
			target = CAT_REGIONS;
		} else if (!strcmp(argv[i], "--files")) {
			target = CAT_FILES;
		} else {
			double *t = xcalloc((size_t)reps + 1, sizeof(double));
			double *u = xcalloc((size_t)reps + 1, sizeof(double));
			long rows = 0;
			for (int r = 0; r <= reps; r++) {
				double t0 = time_now(), u0 = cpu_now();
				struct cat_query *q = cat_query_parse(argv[i], NULL, &err);
				struct cat_cursor *cur;
				struct cat_file f;
				struct cat_region g;
				int k;
				if (q == NULL) {
					fprintf(stderr, "catq: %s: %s\n", argv[i], err.msg);
					return 1;
				}
				cur = cat_find(c, q, target, limit, &err);
				rows = 0;
				while ((k = target == CAT_FILES ? cat_next_file(cur, &f, &err)
				                                : cat_next_region(cur, &g, &err)) == 1)
					rows++;
				cat_cursor_free(cur);
				cat_query_free(q);
				if (k < 0) {
					fprintf(stderr, "catq: %s: %s\n", argv[i], err.msg);
					return 1;
				}
				if (r > 0) {
					t[r - 1] = (time_now() - t0) * 1000;
					u[r - 1] = (cpu_now() - u0) * 1000;
				}
			}
			qsort(t, (size_t)reps, sizeof(double), cmp);
			qsort(u, (size_t)reps, sizeof(double), cmp);
			printf("%8.3f %8.3f %8.3f %6ld  %s%s\n", t[reps / 2],
			       t[(int)(reps * 0.95) < reps ? (int)(reps * 0.95) : reps - 1], u[reps / 2],
			       rows, target == CAT_REGIONS ? "[regions] " : "", argv[i]);
			free(t);
			free(u);
		}
	}
	cat_close(c);
	return 0;
}
