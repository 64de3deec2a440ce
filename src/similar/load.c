/*
 * load.c - the similarity index from a catalog, and query restriction.
 *
 * sim_index_load() is cat_simvec_all() handed to sim_index_adopt(): the
 * index owns the catalog's arrays, no copy.  sim_mask_query() runs a
 * region query once and marks the positions of its regions, so one
 * search can be restricted to `class:percussion` or a tag; O(matches x
 * log n).
 *
 * Thread rules: as the catalog handle (one thread).
 */
#include <stdlib.h>

#include "grym/catalog.h"
#include "grym/similar.h"
#include "grym/util.h"

struct sim_index *sim_index_load(struct cat *c, struct gr_err *err)
{
	struct sim_index *x;
	int64_t *ids;
	float *vecs;
	size_t n;

	if (cat_simvec_all(c, &ids, &vecs, &n, err) < 0)
		return NULL;
	x = sim_index_new();
	sim_index_adopt(x, ids, vecs, n);
	return x;
}

unsigned char *sim_mask_query(const struct sim_index *x, struct cat *c,
                              const struct cat_query *q, size_t *allowed,
                              struct gr_err *err)
{
	unsigned char *mask = xcalloc(sim_index_count(x) + 1, 1);
	struct cat_cursor *cur = cat_find(c, q, CAT_REGIONS, 0, err);
	struct cat_region g;
	size_t k = 0;
	int r;

	if (cur == NULL) {
		free(mask);
		return NULL;
	}
	while ((r = cat_next_region(cur, &g, err)) == 1) {
		long i = sim_index_find(x, g.id);
		if (i >= 0 && !mask[i]) {
			mask[i] = 1;
			k++;
		}
	}
	cat_cursor_free(cur);
	if (r < 0) {
		free(mask);
		return NULL;
	}
	if (allowed != NULL)
		*allowed = k;
	return mask;
}
