/*
 * test_cluster.c - the clustering behind `grym patterns` (cli_cluster):
 * two blobs of generated vectors become two groups, largest first, each
 * representative a member near its blob's centre; a far vector stays
 * alone; the distance function given by the caller is the one used; a
 * threshold below the jitter leaves every vector alone; standardising
 * centres each dim without blowing up a constant one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "../../src/cli/patterns_int.h"

#define DIM 8

static unsigned seed = 99;

static float jitter(void)
{
	seed = seed * 1664525u + 1013904223u;
	return (float)((double)(seed >> 8) / 16777216.0 - 0.5) * 0.2f;
}

/* 6 vectors around +1, 4 around -1, one at +10 (in every dim). */
static float *blobs(size_t *n)
{
	float *v = malloc(11 * DIM * sizeof(*v));
	for (int i = 0; i < 11; i++)
		for (int d = 0; d < DIM; d++)
			v[i * DIM + d] = (i == 10 ? 10.0f : i % 2 == 0 || i == 9 ? 1.0f : -1.0f) +
			                 jitter();
	/* i even or 9: +1 (0,2,4,6,8,9 = 6); odd but 9: -1 (1,3,5,7 = 4) */
	*n = 11;
	return v;
}

static int calls;

static double counting_dist(const float *a, const float *b, int dim, const void *arg)
{
	(void)arg;
	calls++;
	return cli_dist_rms(a, b, dim, NULL);
}

static void test_two_blobs(void **state)
{
	size_t n;
	float *v = blobs(&n);
	struct cli_clusters cl;

	(void)state;
	cli_cluster(v, n, DIM, 0.5, counting_dist, NULL, &cl);
	assert_true(calls > 0);
	assert_int_equal(cl.n, 2);
	assert_int_equal(cl.size[0], 6);
	assert_int_equal(cl.size[1], 4);
	for (size_t i = 0; i < 10; i++)
		assert_int_equal(cl.label[i], (i % 2 == 0 || i == 9) ? 0 : 1);
	assert_int_equal(cl.label[10], -1);       /* alone */
	for (int g = 0; g < 2; g++) {
		assert_int_equal(cl.label[cl.medoid[g]], g);
		assert_true(cli_dist_rms(v + cl.medoid[g] * DIM, v + (g ? 1 : 0) * DIM, DIM,
		                         NULL) < 0.2);
	}
	cli_clusters_fini(&cl);
	/* a threshold below the jitter leaves everything alone */
	cli_cluster(v, n, DIM, 0.001, cli_dist_rms, NULL, &cl);
	assert_int_equal(cl.n, 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(cl.label[i], -1);
	cli_clusters_fini(&cl);
	free(v);
}

static void test_standardise(void **state)
{
	float v[3 * 2] = { 1, 5, 2, 5, 3, 5 };

	(void)state;
	cli_standardise(v, 3, 2, 0.5f);
	assert_float_equal(v[0] + v[2] + v[4], 0, 1e-5);
	assert_float_equal(v[4], 1.2247f, 1e-3);   /* (3 - 2) / sqrt(2/3) */
	/* a constant dim is centred, not blown up */
	assert_float_equal(v[1], 0, 1e-6);
	assert_float_equal(v[5], 0, 1e-6);
}

static void test_empty(void **state)
{
	struct cli_clusters cl;

	(void)state;
	cli_cluster(NULL, 0, DIM, 1.0, cli_dist_rms, NULL, &cl);
	assert_int_equal(cl.n, 0);
	cli_clusters_fini(&cl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_blobs),
		cmocka_unit_test(test_standardise),
		cmocka_unit_test(test_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
