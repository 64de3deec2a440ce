/*
 * files.c - file identity for the scanner (lookup by path, move detection
 * by content hash, missing files) and reading single files back (rows,
 * peaks, feature vectors).
 *
 * Costs: cat_lookup() is one indexed SELECT (~5 us); cat_relink_moved()
 * one hash-index lookup plus an lstat per candidate; cat_check_missing()
 * one lstat per file under the root plus one UPDATE per flag change.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "catalog_int.h"

static const char *const status_names[] = { "ok", "partial", "failed" };

const char *cat_status_name(int status)
{
	if (status < 0 || status > CAT_ST_FAILED)
		return "unknown";
	return status_names[status];
}

int cat_status_parse(const char *s)
{
	for (int i = 0; i <= CAT_ST_FAILED; i++)
		if (!strcmp(s, status_names[i]))
			return i;
	return -1;
}

void cat_row_file(sqlite3_stmt *st, struct cat_file *o)
{
	int k;

	memset(o, 0, sizeof(*o));
	o->id = sqlite3_column_int64(st, 0);
	o->root_id = sqlite3_column_int64(st, 1);
	o->path = cat_col_text(st, 2);
	o->relpath = cat_col_text(st, 3);
	o->name = cat_col_text(st, 4);
	o->size = sqlite3_column_int64(st, 5);
	o->mtime_ns = sqlite3_column_int64(st, 6);
	o->hash = (uint64_t)sqlite3_column_int64(st, 7);
	o->format = cat_col_text(st, 8);
	o->codec = cat_col_text(st, 9);
	o->rate = cat_col_int(st, 10, 0);
	o->channels = cat_col_int(st, 11, 0);
	o->bits = cat_col_int(st, 12, 0);
	o->lossless = cat_col_int(st, 13, 0);
	o->duration = cat_col_real(st, 14);
	o->loudness = cat_col_real(st, 15);
	o->lra = cat_col_real(st, 16);
	o->peak_db = cat_col_real(st, 17);
	k = cat_status_parse(cat_col_text(st, 18));
	o->status = k < 0 ? CAT_ST_FAILED : k;
	o->missing = cat_col_int(st, 19, 0);
	o->error = cat_col_text(st, 20);
	o->analysed_at = cat_col_real(st, 21);
	o->version = cat_col_text(st, 22);
	o->cls = sqlite3_column_type(st, 23) == SQLITE_NULL ? -1
	                                                     : an_class_parse(cat_col_text(st, 23));
	o->cls_conf = cat_col_real(st, 24);
	o->key = cat_col_int(st, 25, AN_NO_KEY);
	o->key_conf = cat_col_real(st, 26);
	o->has_tempo = sqlite3_column_type(st, 27) != SQLITE_NULL;
	o->bpm = o->has_tempo ? sqlite3_column_double(st, 27) : 0;
	o->bpm_conf = cat_col_real(st, 28);
	o->beats_per_bar = cat_col_int(st, 29, 0);
	o->n_regions = cat_col_int(st, 30, 0);
	o->tags = cat_col_text(st, 31);
	o->summary_json = sqlite3_column_type(st, 32) == SQLITE_NULL ? "{}"
	                                                              : cat_col_text(st, 32);
}

static const char *json_or_null(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? "null" : cat_col_text(st, i);
}

void cat_row_region(sqlite3_stmt *st, struct cat_region *o)
{
	memset(o, 0, sizeof(*o));
	o->id = sqlite3_column_int64(st, 0);
	o->file_id = sqlite3_column_int64(st, 1);
	o->idx = sqlite3_column_int(st, 2);
	o->start = sqlite3_column_double(st, 3);
	o->end = sqlite3_column_double(st, 4);
	o->peak_db = cat_col_real(st, 5);
	o->loudness = cat_col_real(st, 6);
	o->lra = cat_col_real(st, 7);
	o->cls = sqlite3_column_type(st, 8) == SQLITE_NULL ? -1
	                                                    : an_class_parse(cat_col_text(st, 8));
	o->cls_conf = cat_col_real(st, 9);
	o->runner = sqlite3_column_type(st, 10) == SQLITE_NULL ? -1
	                                                        : an_class_parse(cat_col_text(st, 10));
	o->key = cat_col_int(st, 11, AN_NO_KEY);
	o->key_conf = cat_col_real(st, 12);
	o->has_tempo = cat_col_int(st, 13, 0);
	o->bpm = o->has_tempo ? cat_col_real(st, 14) : 0;
	o->bpm_conf = cat_col_real(st, 15);
	o->path = cat_col_text(st, 16);
	o->tags = cat_col_text(st, 17);
	o->timeline_json = json_or_null(st, 18);
	o->tempo_json = json_or_null(st, 19);
	o->key_json = json_or_null(st, 20);
}

static const char sql_lookup[] =
	"SELECT id, size, mtime_ns, status, version, missing FROM files"
	" WHERE root = ?1 AND relpath = ?2";
static const char sql_unmiss[] = "UPDATE files SET missing = 0 WHERE id = ?1";

static int set_missing(struct cat *c, int64_t id, int missing, struct gr_err *err)
{
	static const char sql_miss[] = "UPDATE files SET missing = 1 WHERE id = ?1";
	sqlite3_stmt *st = cat_stmt(c, missing ? sql_miss : sql_unmiss, err);

	if (st == NULL)
		return -err->code;
	sqlite3_bind_int64(st, 1, id);
	return cat_step_done(c, st, err);
}

int cat_lookup(struct cat *c, int64_t root_id, const char *relpath, int64_t size,
               int64_t mtime_ns, const char *version, int64_t *file_id,
               struct gr_err *err)
{
	sqlite3_stmt *st = cat_stmt(c, sql_lookup, err);
	int r, res, missing;
	int64_t id;

	*file_id = 0;
	if (st == NULL)
		return -err->code;
	sqlite3_bind_int64(st, 1, root_id);
	cat_bind_text(st, 2, relpath);
	if ((r = cat_step_row(c, st, err)) <= 0)
		return r < 0 ? r : CAT_NEW;
	id = sqlite3_column_int64(st, 0);
	missing = sqlite3_column_int(st, 5);
	if (sqlite3_column_int64(st, 1) != size || sqlite3_column_int64(st, 2) != mtime_ns)
		res = CAT_CHANGED;
	else if (!strcmp(cat_col_text(st, 3), "failed"))
		res = CAT_FAILED;
	else if (version != NULL && version[0] != '\0' &&
	         strcmp(cat_col_text(st, 4), version) != 0)
		res = CAT_STALE;
	else
		res = CAT_UNCHANGED;
	sqlite3_reset(st);
	*file_id = id;
	if (missing && !c->readonly) {
		if ((r = cat_tx_begin(c, err)) != 0)
			return r;
		int w = set_missing(c, id, 0, err);
		r = cat_tx_end(c, w != 0, err);
		if (w != 0 || r != 0)
			return w != 0 ? w : r;
	}
	return res;
}

static const char sql_by_hash[] =
	"SELECT f.id, f.missing, CASE WHEN r.path = '/' THEN '/' || f.relpath"
	" ELSE r.path || '/' || f.relpath END FROM files f CROSS JOIN roots r ON r.id = f.root"
	" WHERE f.hash = ?1 AND f.size = ?2 AND f.status != 'failed'"
	" AND NOT (f.root = ?3 AND f.relpath = ?4) ORDER BY f.missing DESC, f.id";
static const char sql_del_at[] = "DELETE FROM files WHERE root = ?1 AND relpath = ?2";
static const char sql_relink[] =
	"UPDATE files SET root = ?1, relpath = ?2, name = ?3, mtime_ns = ?4, missing = 0"
	" WHERE id = ?5";

static int gone(const char *path)
{
	struct stat sb;
	return lstat(path, &sb) != 0 && (errno == ENOENT || errno == ENOTDIR);
}

int cat_relink_moved(struct cat *c, int64_t root_id, const char *relpath, uint64_t hash,
                     int64_t size, int64_t mtime_ns, int64_t *file_id, struct gr_err *err)
{
	sqlite3_stmt *st;
	int64_t id = 0;
	int r;

	*file_id = 0;
	if ((r = cat_tx_begin(c, err)) != 0)
		return r;
	if ((st = cat_stmt(c, sql_by_hash, err)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, (int64_t)hash);
	sqlite3_bind_int64(st, 2, size);
	sqlite3_bind_int64(st, 3, root_id);
	cat_bind_text(st, 4, relpath);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_int(st, 1) || gone(cat_col_text(st, 2))) {
			id = sqlite3_column_int64(st, 0);
			break;
		}
	}
	if (r != SQLITE_ROW && r != SQLITE_DONE) {
		cat_dberr(c, err, "find moved file");
		goto fail;
	}
	sqlite3_reset(st);
	if (id == 0)
		return cat_tx_end(c, 0, err);
	/* an earlier record at the new path (a failure, say) gives way */
	if ((st = cat_stmt(c, sql_del_at, err)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, root_id);
	cat_bind_text(st, 2, relpath);
	if (cat_step_done(c, st, err) != 0)
		goto fail;
	if ((st = cat_stmt(c, sql_relink, err)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, root_id);
	cat_bind_text(st, 2, relpath);
	cat_bind_text(st, 3, path_base(relpath));
	sqlite3_bind_int64(st, 4, mtime_ns);
	sqlite3_bind_int64(st, 5, id);
	if (cat_step_done(c, st, err) != 0)
		goto fail;
	if ((r = cat_tx_end(c, 0, err)) != 0)
		return r;
	*file_id = id;
	return 1;
fail:
	cat_tx_end(c, 1, NULL);
	return -err->code;
}

static const char sql_files_of_root[] =
	"SELECT f.id, f.missing, CASE WHEN r.path = '/' THEN '/' || f.relpath"
	" ELSE r.path || '/' || f.relpath END FROM files f CROSS JOIN roots r ON r.id = f.root"
	" WHERE ?1 = 0 OR f.root = ?1";

int cat_check_missing(struct cat *c, int64_t root_id, struct gr_err *err)
{
	sqlite3_stmt *st = cat_stmt(c, sql_files_of_root, err);
	int64_t *flip = NULL;
	size_t nflip = 0, cap = 0;
	int nmissing = 0, r;

	if (st == NULL)
		return -err->code;
	sqlite3_bind_int64(st, 1, root_id);
	/* collect first: lstat is slow-ish and must not run inside the write lock */
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int was = sqlite3_column_int(st, 1);
		int now = gone(cat_col_text(st, 2));
		nmissing += now;
		if (was != now) {
			if (nflip == cap) {
				cap = cap ? cap * 2 : 64;
				flip = xrealloc(flip, cap * sizeof(*flip));
			}
			/* sign carries the new state */
			flip[nflip++] = now ? sqlite3_column_int64(st, 0)
			                    : -sqlite3_column_int64(st, 0);
		}
	}
	if (r != SQLITE_DONE) {
		r = cat_dberr(c, err, "check missing files");
		sqlite3_reset(st);
		free(flip);
		return r;
	}
	sqlite3_reset(st);
	if (nflip > 0 && !c->readonly) {
		if ((r = cat_tx_begin(c, err)) != 0) {
			free(flip);
			return r;
		}
		int w = 0;
		for (size_t i = 0; i < nflip && w == 0; i++)
			w = set_missing(c, flip[i] > 0 ? flip[i] : -flip[i], flip[i] > 0, err);
		r = cat_tx_end(c, w != 0, err);
		if (w != 0 || r != 0) {
			free(flip);
			return w != 0 ? w : r;
		}
	}
	free(flip);
	return nmissing;
}

static const char sql_file_get[] =
	"SELECT " CAT_FILE_COLS " FROM files f JOIN roots r ON r.id = f.root WHERE f.id = ?1";

int cat_file_get(struct cat *c, int64_t id, struct cat_file *out, struct gr_err *err)
{
	sqlite3_stmt *st = cat_stmt(c, sql_file_get, err);
	int r;

	if (st == NULL)
		return -err->code;
	sqlite3_bind_int64(st, 1, id);
	if ((r = cat_step_row(c, st, err)) == 1) {
		/* Copy the row's strings into one block the handle owns, then
		 * reset: an un-reset statement would hold a read snapshot open,
		 * hiding other processes' commits and stalling checkpoints. */
		const char **f[] = { &out->path, &out->relpath, &out->name, &out->format,
		                     &out->codec, &out->error, &out->version, &out->tags,
		                     &out->summary_json };
		size_t total = 0, off = 0;
		cat_row_file(st, out);
		for (size_t i = 0; i < GR_ARRAY_LEN(f); i++)
			total += (*f[i] ? strlen(*f[i]) : 0) + 1;
		free(c->file_strings);
		c->file_strings = xmalloc(total);
		for (size_t i = 0; i < GR_ARRAY_LEN(f); i++) {
			size_t len = *f[i] ? strlen(*f[i]) : 0;
			if (*f[i] != NULL)
				memcpy(c->file_strings + off, *f[i], len);
			c->file_strings[off + len] = '\0';
			*f[i] = *f[i] ? c->file_strings + off : NULL;
			off += len + 1;
		}
		sqlite3_reset(st);
	}
	return r;
}

int cat_file_find(struct cat *c, const char *abs_path, int64_t *id, struct gr_err *err)
{
	static const char sql[] =
		"SELECT f.id FROM files f JOIN roots r ON r.id = f.root WHERE f.relpath = ?2"
		" AND r.path = ?1";
	struct cat_root *roots = NULL;
	size_t n = 0, len;
	int r, found = 0;

	*id = 0;
	if ((r = cat_roots_list(c, &roots, &n, err)) != 0)
		return r;
	for (size_t i = 0; i < n && !found; i++) {
		sqlite3_stmt *st;
		const char *rel;
		len = strlen(roots[i].path);
		if (len == 1 && abs_path[0] == '/')
			rel = abs_path + 1;
		else if (!strncmp(abs_path, roots[i].path, len) && abs_path[len] == '/')
			rel = abs_path + len + 1;
		else
			continue;
		if ((st = cat_stmt(c, sql, err)) == NULL) {
			r = -err->code;
			break;
		}
		cat_bind_text(st, 1, roots[i].path);
		cat_bind_text(st, 2, rel);
		if ((r = cat_step_row(c, st, err)) < 0)
			break;
		if (r == 1) {
			*id = sqlite3_column_int64(st, 0);
			sqlite3_reset(st);
			found = 1;
		}
	}
	cat_roots_free(roots, n);
	return r < 0 ? r : found;
}

int cat_peaks_get(struct cat *c, int64_t file_id, int level, struct dsp_peaks *out,
                  struct gr_err *err)
{
	static const char sql[] = "SELECT n, bucket_s, data FROM peaks WHERE file = ?1"
	                          " AND level = ?2";
	sqlite3_stmt *st = cat_stmt(c, sql, err);
	const unsigned char *d;
	int r, n, bytes;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return -err->code;
	sqlite3_bind_int64(st, 1, file_id);
	sqlite3_bind_int(st, 2, level);
	if ((r = cat_step_row(c, st, err)) <= 0)
		return r;
	n = sqlite3_column_int(st, 0);
	d = sqlite3_column_blob(st, 2);
	bytes = sqlite3_column_bytes(st, 2);
	if (n <= 0 || bytes != n * 6 || d == NULL) {
		sqlite3_reset(st);
		return gr_fail(err, GR_ECORRUPT, "%s: peaks of file %lld are damaged", c->path,
		               (long long)file_id);
	}
	out->n = n;
	out->bucket_s = sqlite3_column_double(st, 1);
	out->min = xmalloc((size_t)n * sizeof(float));
	out->max = xmalloc((size_t)n * sizeof(float));
	out->rms = xmalloc((size_t)n * sizeof(float));
	for (int i = 0; i < n; i++) {
		float *dst[3] = { &out->min[i], &out->max[i], &out->rms[i] };
		for (int k = 0; k < 3; k++) {
			const unsigned char *p = d + i * 6 + k * 2;
			*dst[k] = (float)(int16_t)(uint16_t)(p[0] | p[1] << 8) / 32767.0f;
		}
	}
	sqlite3_reset(st);
	return 1;
}

void cat_peaks_fini(struct dsp_peaks *p)
{
	free(p->min);
	free(p->max);
	free(p->rms);
	memset(p, 0, sizeof(*p));
}

int cat_region_vec(struct cat *c, const char *sql, int64_t region_id, float *vec, size_t n,
                   const char *what, struct gr_err *err)
{
	sqlite3_stmt *st = cat_stmt(c, sql, err);
	int r;

	if (st == NULL)
		return -err->code;
	sqlite3_bind_int64(st, 1, region_id);
	if ((r = cat_step_row(c, st, err)) <= 0)
		return r;
	if (sqlite3_column_bytes(st, 0) != (int)(n * sizeof(float))) {
		sqlite3_reset(st);
		return gr_fail(err, GR_ECORRUPT, "%s: %s vector of region %lld is damaged",
		               c->path, what, (long long)region_id);
	}
	memcpy(vec, sqlite3_column_blob(st, 0), n * sizeof(float));
	sqlite3_reset(st);
	return 1;
}

int cat_features_get(struct cat *c, int64_t region_id, float vec[AN_FEAT_DIM],
                     struct gr_err *err)
{
	static const char sql[] = "SELECT vec FROM features WHERE region = ?1";

	return cat_region_vec(c, sql, region_id, vec, AN_FEAT_DIM, "feature", err);
}
