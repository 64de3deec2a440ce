/*
 * fingerprint.c - the fingerprints table: each file's Chromaprint raw
 * fingerprint (uint32 items stored little-endian in one BLOB, item_s
 * seconds apart) for near-duplicate search.
 *
 * Writes happen inside cat_store_analysis()'s transaction (one statement:
 * replace, or delete when the analysis has no fingerprint); a failed file
 * loses its fingerprint with its other results.  Reads are one primary-key
 * lookup per file (~10 us plus the copy of ~32 bytes per second of audio).
 *
 * Thread rules: as catalog.h (one handle, one thread).
 */
#include <stdlib.h>
#include <string.h>

#include "catalog_int.h"

/* More items than this (about 18 hours of audio) is not a fingerprint
 * grym wrote: refuse rather than allocate. */
#define CAT_FP_MAX_ITEMS (1 << 19)

static const char sql_fp_put[] =
	"INSERT OR REPLACE INTO fingerprints(file, item_s, fp) VALUES(?1, ?2, ?3)";
static const char sql_fp_del[] = "DELETE FROM fingerprints WHERE file = ?1";
static const char sql_fp_get[] = "SELECT item_s, fp FROM fingerprints WHERE file = ?1";

int cat_fp_put(struct cat *c, int64_t fid, const struct an_file *f, struct gr_err *err)
{
	sqlite3_stmt *st;
	unsigned char *blob;
	size_t n;
	int r;

	if (f == NULL || f->fp == NULL || f->n_fp <= 0 || f->n_fp > CAT_FP_MAX_ITEMS ||
	    !(f->fp_item_s > 0)) {
		if ((st = cat_stmt(c, sql_fp_del, err)) == NULL)
			return -err->code;
		sqlite3_bind_int64(st, 1, fid);
		return cat_step_done(c, st, err);
	}
	n = (size_t)f->n_fp;
	blob = malloc(n * 4);
	if (blob == NULL)
		return gr_fail(err, GR_ENOMEM, "%s: no memory for a fingerprint of %zu items",
		               c->path, n);
	for (size_t i = 0; i < n; i++) {
		uint32_t v = f->fp[i];
		blob[4 * i] = (unsigned char)v;
		blob[4 * i + 1] = (unsigned char)(v >> 8);
		blob[4 * i + 2] = (unsigned char)(v >> 16);
		blob[4 * i + 3] = (unsigned char)(v >> 24);
	}
	if ((st = cat_stmt(c, sql_fp_put, err)) == NULL) {
		free(blob);
		return -err->code;
	}
	sqlite3_bind_int64(st, 1, fid);
	sqlite3_bind_double(st, 2, f->fp_item_s);
	sqlite3_bind_blob(st, 3, blob, (int)(n * 4), SQLITE_TRANSIENT);
	r = cat_step_done(c, st, err);
	free(blob);
	return r;
}

int cat_fp_clear(struct cat *c, int64_t fid, struct gr_err *err)
{
	return cat_fp_put(c, fid, NULL, err);
}

int cat_fp_get(struct cat *c, int64_t file_id, uint32_t **fp, int *n_fp, double *item_s,
               struct gr_err *err)
{
	sqlite3_stmt *st;
	const unsigned char *blob;
	size_t bytes, n;
	double is;
	int r;

	*fp = NULL;
	*n_fp = 0;
	*item_s = 0;
	if ((st = cat_stmt(c, sql_fp_get, err)) == NULL)
		return -err->code;
	sqlite3_bind_int64(st, 1, file_id);
	if ((r = cat_step_row(c, st, err)) <= 0)
		return r;
	is = sqlite3_column_double(st, 0);
	blob = sqlite3_column_blob(st, 1);
	bytes = (size_t)sqlite3_column_bytes(st, 1);
	n = bytes / 4;
	if (blob == NULL || bytes == 0 || bytes % 4 != 0 || !(is > 0 && is < 10)) {
		sqlite3_reset(st);
		return gr_fail(err, GR_EFORMAT, "%s: file %lld: malformed fingerprint",
		               c->path, (long long)file_id);
	}
	if (n > CAT_FP_MAX_ITEMS) {
		sqlite3_reset(st);
		return gr_fail(err, GR_ETOOBIG, "%s: file %lld: fingerprint of %zu items",
		               c->path, (long long)file_id, n);
	}
	*fp = malloc(n * sizeof(uint32_t));
	if (*fp == NULL) {
		sqlite3_reset(st);
		return gr_fail(err, GR_ENOMEM, "%s: no memory for a fingerprint", c->path);
	}
	for (size_t i = 0; i < n; i++)
		(*fp)[i] = (uint32_t)blob[4 * i] | (uint32_t)blob[4 * i + 1] << 8 |
		           (uint32_t)blob[4 * i + 2] << 16 | (uint32_t)blob[4 * i + 3] << 24;
	*n_fp = (int)n;
	*item_s = is;
	sqlite3_reset(st);
	return 1;
}
