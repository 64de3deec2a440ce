/*
 * patterns_cluster.c - groups of like sounds for `grym patterns`: leader
 * clustering with a threshold, refined around medoids (method and costs
 * in patterns_int.h).  Deterministic: the result depends only on the
 * vectors and their order.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "grym/util.h"
#include "patterns_int.h"

#define CL_ROUNDS 2          /* medoid refinement rounds */
#define CL_MEDOID_MAX 300    /* members compared when choosing a medoid */

double cli_dist_rms(const float *a, const float *b, int dim, const void *arg)
{
	double s = 0;

	(void)arg;
	for (int i = 0; i < dim; i++)
		s += (double)(a[i] - b[i]) * (a[i] - b[i]);
	return dim > 0 ? sqrt(s / dim) : 0;
}

void cli_standardise(float *vec, size_t n, int dim, float floor)
{
	for (int d = 0; d < dim; d++) {
		double m = 0, m2 = 0, sd;
		for (size_t i = 0; i < n; i++) {
			m += vec[i * (size_t)dim + (size_t)d];
			m2 += (double)vec[i * (size_t)dim + (size_t)d] * vec[i * (size_t)dim + (size_t)d];
		}
		m = n ? m / (double)n : 0;
		sd = n ? sqrt(fmax(m2 / (double)n - m * m, 0)) : 0;
		sd = sd > floor ? sd : floor;
		for (size_t i = 0; i < n; i++)
			vec[i * (size_t)dim + (size_t)d] =
				(float)((vec[i * (size_t)dim + (size_t)d] - m) / sd);
	}
}

/* The member of group g with the least total distance to (a sample of)
 * the others. */
static int medoid_of(const float *vec, size_t n, int dim, const int *label, int g,
                     cli_dist_fn dist, const void *arg)
{
	int *mem = NULL, m = 0, cap = 0, best = -1, step;
	double best_d = INFINITY;

	for (size_t i = 0; i < n; i++)
		if (label[i] == g) {
			if (m == cap) {
				cap = cap ? 2 * cap : 16;
				mem = xrealloc(mem, (size_t)cap * sizeof(*mem));
			}
			mem[m++] = (int)i;
		}
	step = m > CL_MEDOID_MAX ? m / CL_MEDOID_MAX : 1;
	for (int a = 0; a < m; a += step) {
		double s = 0;
		for (int b = 0; b < m; b += step)
			s += dist(vec + (size_t)mem[a] * (size_t)dim, vec + (size_t)mem[b] * (size_t)dim,
			          dim, arg);
		if (s < best_d) {
			best_d = s;
			best = mem[a];
		}
	}
	free(mem);
	return best;
}

/* Each vector to the nearest centre within threshold (-1 if none). */
static void assign(const float *vec, size_t n, int dim, const int *centre, int k,
                   double threshold, cli_dist_fn dist, const void *arg, int *label)
{
	for (size_t i = 0; i < n; i++) {
		double bd = INFINITY;
		label[i] = -1;
		for (int g = 0; g < k; g++) {
			double d = dist(vec + i * (size_t)dim, vec + (size_t)centre[g] * (size_t)dim,
			                dim, arg);
			if (d <= threshold && d < bd) {
				bd = d;
				label[i] = g;
			}
		}
	}
}

void cli_cluster(const float *vec, size_t n, int dim, double threshold, cli_dist_fn dist,
                 const void *arg, struct cli_clusters *out)
{
	int *label = xmalloc((n ? n : 1) * sizeof(*label));
	int *centre = xmalloc((n ? n : 1) * sizeof(*centre)), k = 0;
	int *size, *order, *rank;

	memset(out, 0, sizeof(*out));
	/* leaders */
	for (size_t i = 0; i < n; i++) {
		double bd = INFINITY;
		int bg = -1;
		for (int g = 0; g < k; g++) {
			double d = dist(vec + i * (size_t)dim, vec + (size_t)centre[g] * (size_t)dim,
			                dim, arg);
			if (d <= threshold && d < bd) {
				bd = d;
				bg = g;
			}
		}
		if (bg < 0) {
			bg = k;
			centre[k++] = (int)i;
		}
		label[i] = bg;
	}
	/* medoids, then every vector to its nearest one */
	for (int round = 0; round < CL_ROUNDS && k > 0; round++) {
		int kept = 0;
		for (int g = 0; g < k; g++) {
			int m = medoid_of(vec, n, dim, label, g, dist, arg);
			if (m >= 0)
				centre[kept++] = m;
		}
		k = kept;
		assign(vec, n, dim, centre, k, threshold, dist, arg, label);
	}
	/* groups of two or more, largest first (ties: earliest medoid) */
	size = xcalloc((size_t)(k ? k : 1), sizeof(*size));
	order = xmalloc((size_t)(k ? k : 1) * sizeof(*order));
	rank = xmalloc((size_t)(k ? k : 1) * sizeof(*rank));
	for (size_t i = 0; i < n; i++)
		if (label[i] >= 0)
			size[label[i]]++;
	for (int g = 0; g < k; g++)
		order[g] = g;
	for (int a = 1; a < k; a++)     /* insertion sort: k is modest */
		for (int b = a; b > 0; b--) {
			int x = order[b], y = order[b - 1];
			if (size[x] > size[y] || (size[x] == size[y] && centre[x] < centre[y])) {
				order[b] = y;
				order[b - 1] = x;
			} else {
				break;
			}
		}
	out->medoid = xmalloc((size_t)(k ? k : 1) * sizeof(int));
	out->size = xmalloc((size_t)(k ? k : 1) * sizeof(int));
	for (int a = 0; a < k; a++) {
		int g = order[a];
		rank[g] = -1;
		if (size[g] < 2)
			continue;
		rank[g] = out->n;
		out->medoid[out->n] = centre[g];
		out->size[out->n] = size[g];
		out->n++;
	}
	for (size_t i = 0; i < n; i++)
		label[i] = label[i] >= 0 ? rank[label[i]] : -1;
	out->label = label;
	free(rank);
	free(order);
	free(size);
	free(centre);
}

void cli_clusters_fini(struct cli_clusters *c)
{
	if (c == NULL)
		return;
	free(c->label);
	free(c->medoid);
	free(c->size);
	memset(c, 0, sizeof(*c));
}
