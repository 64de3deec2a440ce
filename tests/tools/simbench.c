/*
 * simbench.c - similarity search speed on a catalog (bench/similar_bench.sh):
 *
 *   simbench DB [--reps R] [--k K]
 *   simbench --synthetic N [--reps R] [--k K]
 *
 * --synthetic fills the index with N pseudo-random vectors in memory
 * instead (no catalog: "load" is then the time to push them).
 * Loads every vector (cat_simvec_all -> sim_index_adopt), then times R
 * searches per aspect (queries are vectors of the index, spread over it)
 * and, as the reference measured in the same run, R plain passes over the
 * same float array (a sum of every value: memory bandwidth, the floor any
 * exact scan pays).  Checks exactness on a few queries against a full
 * sort.  Prints medians in ms and the ratio search / reference scan.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grym/catalog.h"
#include "grym/similar.h"
#include "grym/util.h"

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static int cmp_hit(const void *a, const void *b)
{
	const struct sim_hit *x = a, *y = b;
	if (x->d2 != y->d2)
		return x->d2 < y->d2 ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/* Exact: the search's top k equal a full sort's (same ids). */
static int check_exact(const struct sim_index *x, const float *q, int aspect, size_t k)
{
	size_t n = sim_index_count(x);
	struct sim_hit *all = xmalloc(n * sizeof(*all)), *got = xmalloc(k * sizeof(*got));
	float w[AN_SIM_DIM];
	size_t nh;
	int ok = 1;

	sim_weights(aspect, w);
	for (size_t i = 0; i < n; i++) {
		all[i].id = sim_index_id(x, i);
		all[i].d2 = sim_dist2(sim_index_vec(x, i), q, w);
	}
	qsort(all, n, sizeof(*all), cmp_hit);
	nh = sim_search(x, q, aspect, NULL, k, got);
	for (size_t i = 0; i < nh; i++)
		if (got[i].id != all[i].id)
			ok = 0;
	free(all);
	free(got);
	return ok && nh == (k < n ? k : n);
}

int main(int argc, char **argv)
{
	static const int aspects[] = { SIM_OVERALL, SIM_TIMBRE, SIM_PITCH, SIM_LOUDNESS };
	struct gr_err err = { 0 };
	struct sim_index *x;
	struct sim_hit *hits;
	struct cat *c;
	int reps = 9, k = 10, exact = 1;
	double *t, t0, load, scan, sink = 0;
	size_t n;

	if (argc < 2) {
		fprintf(stderr, "usage: simbench DB [--reps R] [--k K]\n");
		return 2;
	}
	for (int i = !strcmp(argv[1], "--synthetic") ? 3 : 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--reps"))
			reps = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--k"))
			k = atoi(argv[i + 1]);
	}
	if (reps < 1 || k < 1)
		return 2;
	if (!strcmp(argv[1], "--synthetic") && argc >= 3) {
		long nsyn = atol(argv[2]);
		uint64_t r = 88172645463325252ull;
		float v[AN_SIM_DIM];
		c = NULL;
		t0 = time_now();
		x = sim_index_new();
		for (long i = 0; i < nsyn; i++) {
			for (int j = 0; j < AN_SIM_DIM; j++) {
				r ^= r << 13;
				r ^= r >> 7;
				r ^= r << 17;
				v[j] = (float)((double)(r >> 11) / 9007199254740992.0 * 4 - 2);
			}
			sim_index_push(x, i + 1, v);
		}
		load = time_now() - t0;
	} else {
		if ((c = cat_open(argv[1], CAT_OPEN_READONLY, &err)) == NULL) {
			fprintf(stderr, "simbench: %s\n", err.msg);
			return 1;
		}
		t0 = time_now();
		x = sim_index_load(c, &err);
		load = time_now() - t0;
	}
	if (x == NULL) {
		fprintf(stderr, "simbench: %s\n", err.msg);
		return 1;
	}
	n = sim_index_count(x);
	if (n == 0) {
		fprintf(stderr, "simbench: no vectors in %s\n", argv[1]);
		return 1;
	}
	t = xmalloc((size_t)reps * sizeof(*t));
	hits = xmalloc((size_t)k * sizeof(*hits));
	printf("regions %zu  index %.0f MB  %s %.1f ms\n", n,
	       (double)n * AN_SIM_DIM * 4 / 1e6, c != NULL ? "load (catalog -> index)" :
	       "fill (synthetic, in memory)", load * 1e3);
	/* reference: one pass summing every float of the same array */
	for (int r = 0; r < reps; r++) {
		double s = 0;
		t0 = time_now();
		for (size_t i = 0; i < n; i++) {
			const float *v = sim_index_vec(x, i);
			float acc[8] = { 0 };
			for (int j = 0; j < AN_SIM_DIM; j += 8)
				for (int l = 0; l < 8; l++)
					acc[l] += v[j + l];
			for (int l = 0; l < 8; l++)
				s += acc[l];
		}
		t[r] = time_now() - t0;
		sink += s;
	}
	scan = median(t, reps);
	printf("reference scan (sum of all %zu floats): median %.2f ms\n", n * AN_SIM_DIM,
	       scan * 1e3);
	for (size_t a = 0; a < sizeof(aspects) / sizeof(aspects[0]); a++) {
		for (int r = 0; r < reps; r++) {
			const float *q = sim_index_vec(x, (size_t)r * 7919 % n);
			t0 = time_now();
			sim_search(x, q, aspects[a], NULL, (size_t)k, hits);
			t[r] = time_now() - t0;
			sink += hits[0].d2;
		}
		double m = median(t, reps);
		printf("search k=%d aspect %-8s median %7.2f ms  (%.1f ns/region, %.2fx the "
		       "reference scan, %s/search %.1fx)\n", k, sim_aspect_name(aspects[a]),
		       m * 1e3, m * 1e9 / (double)n, m / scan, c != NULL ? "load" : "fill", load / m);
	}
	/* exactness against a full sort, a few queries */
	for (int r = 0; r < 3; r++)
		exact &= check_exact(x, sim_index_vec(x, (size_t)r * 104729 % n),
		                     aspects[r % 4], (size_t)k);
	printf("exact (top %d equal to a full sort on 3 queries): %s\n", k, exact ? "yes" : "NO");
	if (sink == 12345.678)
		puts("");    /* keep the sums alive */
	free(t);
	free(hits);
	sim_index_free(x);
	cat_close(c);
	return exact ? 0 : 1;
}
