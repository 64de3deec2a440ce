/*
 * simvec.c - reading the similarity descriptors back (table simvec, one
 * AN_SIM_DIM float32 blob per region, written by store.c with the rest of
 * a file's analysis).
 *
 * cat_simvec_all() is the bulk loader behind the similarity index: one
 * scan of the simvec table in region id order (its rowid, so no sort),
 * copying into two flat arrays.  About 1 s per million regions on a warm
 * page cache; the arrays take 328 bytes per region.
 *
 * Thread rules: as every cat_* call (one handle, one thread).
 */
#include <stdlib.h>
#include <string.h>

#include "catalog_int.h"

#define VEC_BYTES ((int)(AN_SIM_DIM * sizeof(float)))

int cat_simvec_get(struct cat *c, int64_t region_id, float vec[AN_SIM_DIM],
                   struct gr_err *err)
{
	static const char sql[] = "SELECT vec FROM simvec WHERE region = ?1";

	return cat_region_vec(c, sql, region_id, vec, AN_SIM_DIM, "similarity", err);
}

int cat_simvec_all(struct cat *c, int64_t **ids, float **vecs, size_t *n,
                   struct gr_err *err)
{
	static const char sql_count[] = "SELECT count(*) FROM simvec";
	static const char sql[] = "SELECT region, vec FROM simvec ORDER BY region";
	sqlite3_stmt *st;
	size_t cap, len = 0, bad = 0;
	int64_t *id = NULL;
	float *v = NULL;
	int r;

	*ids = NULL;
	*vecs = NULL;
	*n = 0;
	/* the count sizes the arrays once (it may grow meanwhile: realloc) */
	if ((st = cat_stmt(c, sql_count, err)) == NULL)
		return -err->code;
	if ((r = cat_step_row(c, st, err)) < 0)
		return r;
	cap = r > 0 ? (size_t)sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (cap == 0)
		cap = 16;
	id = xmalloc(cap * sizeof(*id));
	v = xmalloc(cap * (size_t)VEC_BYTES);
	if ((st = cat_stmt(c, sql, err)) == NULL) {
		r = -err->code;
		goto fail;
	}
	while ((r = cat_step_row(c, st, err)) == 1) {
		if (sqlite3_column_bytes(st, 1) != VEC_BYTES) {
			bad++;     /* a damaged row is left out, not fatal */
			continue;
		}
		if (len == cap) {
			cap *= 2;
			id = xrealloc(id, cap * sizeof(*id));
			v = xrealloc(v, cap * (size_t)VEC_BYTES);
		}
		id[len] = sqlite3_column_int64(st, 0);
		memcpy(v + len * AN_SIM_DIM, sqlite3_column_blob(st, 1), (size_t)VEC_BYTES);
		len++;
	}
	if (r < 0)
		goto fail;
	sqlite3_reset(st);
	*ids = id;
	*vecs = v;
	*n = len;
	return (int)(bad > 0x7fffffff ? 0x7fffffff : bad);
fail:
	free(id);
	free(v);
	return r;
}

int cat_simvec_count(struct cat *c, struct gr_err *err)
{
	static const char sql[] = "SELECT count(*) FROM simvec";
	sqlite3_stmt *st = cat_stmt(c, sql, err);
	int r, n;

	if (st == NULL)
		return -err->code;
	if ((r = cat_step_row(c, st, err)) <= 0)
		return r;
	n = (int)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}
