/*
 * stats.c - small statistics shared by the descriptor code: a running
 * mean and variance (Welford's method, stable in one pass) and a
 * nearest-rank quantile.
 *
 * Costs: O(1) per value; gr_quantile sorts, O(n log n).
 * Thread rules: pure functions over the caller's data.
 */
#include <math.h>
#include <stdlib.h>

#include "grym/util.h"

void gr_acc_add(struct gr_acc *a, double x)
{
	double d = x - a->mean;
	a->n += 1;
	a->mean += d / a->n;
	a->m2 += d * (x - a->mean);
}

double gr_acc_std(const struct gr_acc *a)
{
	return a->n > 1 ? sqrt(a->m2 / a->n) : 0;
}

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return (x > y) - (x < y);
}

double gr_quantile(float *v, size_t n, double q)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_float);
	return v[(size_t)(q * (double)(n - 1) + 0.5)];
}
