/*
 * patterns_int.h - private to `grym patterns` (src/cli/patterns*.c) and
 * its unit test: clustering region vectors into groups of like sounds.
 *
 * Method: leader clustering with a distance threshold (each vector joins
 * the nearest leader within the threshold, or leads a new group), then
 * two rounds of medoid refinement (each group's representative becomes
 * its medoid: the member with the least total distance to the others;
 * every vector moves to the nearest medoid within the threshold).
 * Groups of one are "alone".  The distance is a parameter (swappable:
 * the stored descriptor vectors today, the similarity vectors later).
 *
 * Costs: O(n x k) distances (k = groups), O(m^2) per group of m for the
 * medoid (members sampled past 300); memory O(n).
 * Thread rules: reentrant.
 */
#ifndef GRYM_CLI_PATTERNS_INT_H
#define GRYM_CLI_PATTERNS_INT_H

#include <stddef.h>

/* Distance between two vectors of dim floats (>= 0; 0 = the same). */
typedef double (*cli_dist_fn)(const float *a, const float *b, int dim, const void *arg);

struct cli_clusters {
	int n;                 /* groups of two or more, largest first */
	int *label;            /* per vector: its group, or -1 (alone) */
	int *medoid;           /* per group: index of the representative vector */
	int *size;             /* per group: members */
};

/* RMS difference over the dims: the default distance (arg unused). */
double cli_dist_rms(const float *a, const float *b, int dim, const void *arg);

/* Standardise vec (n x dim, in place) across the n vectors: each dim
 * minus its mean, over max(its spread, floor). */
void cli_standardise(float *vec, size_t n, int dim, float floor);

/* Cluster the n vectors (n x dim floats); fills *out (cli_clusters_fini
 * it).  threshold in the distance's units. */
void cli_cluster(const float *vec, size_t n, int dim, double threshold, cli_dist_fn dist,
                 const void *arg, struct cli_clusters *out);
void cli_clusters_fini(struct cli_clusters *c);

#endif
