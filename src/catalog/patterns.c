/*
 * patterns.c - repeated sections inside regions (table patterns, written
 * with each analysis and read back by `grym show` and the TUI), the
 * vectors `grym patterns` clusters, and the automatic tags the clusters
 * become (accepted or renamed by a person with `grym tag`).
 *
 * Operations and costs:
 *   cat_patterns_put     inside cat_store_in_tx: one DELETE by region
 *                        (indexed) and one INSERT per occurrence
 *   cat_patterns_of      one indexed range read per file
 *   cat_sounds_load      one query over the selection plus one indexed
 *                        feature read per region (~20k regions: ~0.1 s)
 *   cat_cluster_tags_set one transaction: drop every automatic link of
 *                        PREFIX-NN tags, link the new ones
 *   cat_tag_accept/_rename  a few statements over the tag's links
 * Thread rules: as every cat_* call, one handle per thread.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "catalog_int.h"

int cat_patterns_put(struct cat *c, int64_t fid, int64_t rid, const struct an_region *r,
                     struct gr_err *err)
{
	static const char sql_clear[] = "DELETE FROM patterns WHERE region = ?1";
	static const char sql_put[] =
		"INSERT INTO patterns(file, region, grp, start, \"end\", score)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6)";
	sqlite3_stmt *st;

	if ((st = cat_stmt(c, sql_clear, err)) == NULL)
		return -err->code;
	sqlite3_bind_int64(st, 1, rid);
	if (cat_step_done(c, st, err) != 0)
		return -err->code;
	for (int i = 0; r->has_patterns && i < r->patterns.n && r->patterns.occ; i++) {
		const struct an_pattern *p = &r->patterns.occ[i];
		if (!isfinite(p->start) || !isfinite(p->end) || p->end < p->start)
			continue;   /* never store what cannot be drawn */
		if ((st = cat_stmt(c, sql_put, err)) == NULL)
			return -err->code;
		sqlite3_bind_int64(st, 1, fid);
		sqlite3_bind_int64(st, 2, rid);
		sqlite3_bind_int(st, 3, p->group);
		sqlite3_bind_double(st, 4, p->start);
		sqlite3_bind_double(st, 5, p->end);
		cat_bind_real(st, 6, p->score);
		if (cat_step_done(c, st, err) != 0)
			return -err->code;
	}
	return 0;
}

int cat_patterns_of(struct cat *c, int64_t file_id, struct cat_pattern **out, size_t *n,
                    struct gr_err *err)
{
	static const char sql[] =
		"SELECT p.region, g.idx, p.grp, p.start, p.\"end\", p.score FROM patterns p"
		" JOIN regions g ON g.id = p.region WHERE p.file = ?1"
		" ORDER BY g.idx, p.grp, p.start";
	sqlite3_stmt *st = cat_stmt(c, sql, err);
	struct cat_pattern *v = NULL;
	size_t k = 0, cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (st == NULL)
		return -err->code;
	sqlite3_bind_int64(st, 1, file_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (k == cap) {
			cap = cap ? 2 * cap : 16;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[k++] = (struct cat_pattern){
			.region_id = sqlite3_column_int64(st, 0),
			.region_idx = sqlite3_column_int(st, 1),
			.group = sqlite3_column_int(st, 2),
			.start = sqlite3_column_double(st, 3),
			.end = sqlite3_column_double(st, 4),
			.score = cat_col_real(st, 5),
		};
	}
	if (rc != SQLITE_DONE) {
		rc = cat_dberr(c, err, "read patterns");
		sqlite3_reset(st);
		free(v);
		return rc;
	}
	sqlite3_reset(st);
	*out = v;
	*n = k;
	return 0;
}

int cat_sounds_load(struct cat *c, const struct cat_query *q, int kind, size_t cap,
                    struct cat_sound **out, size_t *n, int64_t *total, struct gr_err *err)
{
	struct cat_cursor *cur = cat_find(c, q, CAT_REGIONS, 0, err);
	struct cat_region g;
	struct cat_sound *v = NULL;
	size_t k = 0, room = 0;
	int64_t seen = 0;
	int rc;

	*out = NULL;
	*n = 0;
	*total = 0;
	if (cur == NULL)
		return -err->code;
	while ((rc = cat_next_region(cur, &g, err)) == 1) {
		float vec[AN_SIM_DIM] = { 0 };
		int has = kind == CAT_VEC_FEATURES ? cat_features_get(c, g.id, vec, err) :
		          cat_simvec_get(c, g.id, vec, err);
		if (has < 0) {
			rc = has;
			break;
		}
		if (has == 0)
			continue;        /* not analysed (or that plugin failed) */
		seen++;
		if (k >= cap)
			continue;        /* counted, not kept */
		if (k == room) {
			room = room ? 2 * room : 256;
			v = xrealloc(v, room * sizeof(*v));
		}
		v[k] = (struct cat_sound){
			.region_id = g.id, .file_id = g.file_id, .idx = g.idx,
			.start = g.start, .end = g.end, .path = xstrdup(g.path),
		};
		memcpy(v[k].vec, vec, sizeof(vec));
		k++;
	}
	cat_cursor_free(cur);
	if (rc < 0) {
		cat_sounds_free(v, k);
		return rc;
	}
	*out = v;
	*n = k;
	*total = seen;
	return 0;
}

void cat_sounds_free(struct cat_sound *s, size_t n)
{
	for (size_t i = 0; s != NULL && i < n; i++)
		free(s[i].path);
	free(s);
}

/* ---- automatic cluster tags ---------------------------------------------- */

static const char sql_prune[] =
	"DELETE FROM tags WHERE NOT EXISTS (SELECT 1 FROM file_tags WHERE tag = tags.id)"
	" AND NOT EXISTS (SELECT 1 FROM region_tags WHERE tag = tags.id)";

int cat_tag_user_linked(struct cat *c, const char *name, struct gr_err *err)
{
	static const char sql[] =
		"SELECT EXISTS (SELECT 1 FROM tags t JOIN region_tags l ON l.tag = t.id"
		"  WHERE t.name = ?1 AND NOT l.auto)"
		" OR EXISTS (SELECT 1 FROM tags t JOIN file_tags l ON l.tag = t.id"
		"  WHERE t.name = ?1 AND NOT l.auto)";
	sqlite3_stmt *st = cat_stmt(c, sql, err);
	int r;

	if (st == NULL)
		return -err->code;
	cat_bind_text(st, 1, name);
	if ((r = cat_step_row(c, st, err)) != 1)
		return r < 0 ? r : 0;
	r = sqlite3_column_int(st, 0) != 0;
	sqlite3_reset(st);
	return r;
}

int cat_cluster_tags_set(struct cat *c, const char *prefix, const int64_t *region_ids,
                         const char *const *names, size_t n, struct gr_err *err)
{
	/* names are prefix + digits: GLOB 'sound-[0-9]*' (prefix has no
	 * GLOB metacharacters: checked below) */
	static const char sql_clear[] =
		"DELETE FROM region_tags WHERE auto AND tag IN"
		" (SELECT id FROM tags WHERE name GLOB ?1 || '[0-9]*')";
	static const char sql_link[] =
		"INSERT INTO region_tags(region, tag, auto) VALUES(?1, ?2, 1)"
		" ON CONFLICT DO NOTHING";
	sqlite3_stmt *st;
	int r;

	if (strpbrk(prefix, "*?[]") != NULL)
		return gr_fail(err, GR_EUSAGE, "bad tag prefix '%s'", prefix);
	for (size_t i = 0; i < n; i++)
		if (!cat_tag_valid(names[i]))
			return gr_fail(err, GR_EUSAGE, "'%s' is not a valid tag name", names[i]);
	if ((r = cat_tx_begin(c, err)) != 0)
		return r;
	if ((st = cat_stmt(c, sql_clear, err)) == NULL) {
		r = -err->code;
		goto out;
	}
	cat_bind_text(st, 1, prefix);
	if ((r = cat_step_done(c, st, err)) != 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		int64_t tag;
		if ((r = cat_tag_id(c, names[i], &tag, err)) != 0)
			goto out;
		if ((st = cat_stmt(c, sql_link, err)) == NULL) {
			r = -err->code;
			goto out;
		}
		sqlite3_bind_int64(st, 1, region_ids[i]);
		sqlite3_bind_int64(st, 2, tag);
		if ((r = cat_step_done(c, st, err)) != 0)
			goto out;
	}
	if ((st = cat_stmt(c, sql_prune, err)) == NULL)
		r = -err->code;
	else
		r = cat_step_done(c, st, err);
out:
	if (r != 0) {
		cat_tx_end(c, 1, NULL);
		return r;
	}
	return cat_tx_end(c, 0, err);
}

/* Links of the tag (files and regions), automatic only or all. */
static int64_t count_links(struct cat *c, int64_t tag, int auto_only, struct gr_err *err)
{
	static const char sql[] =
		"SELECT (SELECT count(*) FROM region_tags WHERE tag = ?1 AND (auto OR NOT ?2))"
		" + (SELECT count(*) FROM file_tags WHERE tag = ?1 AND (auto OR NOT ?2))";
	sqlite3_stmt *st = cat_stmt(c, sql, err);
	int64_t k;
	int r;

	if (st == NULL)
		return -err->code;
	sqlite3_bind_int64(st, 1, tag);
	sqlite3_bind_int(st, 2, auto_only);
	if ((r = cat_step_row(c, st, err)) != 1)
		return r < 0 ? r : 0;
	k = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return k;
}

/* The id of an existing tag: 1 found, 0 not, -GR_E*. */
static int find_tag(struct cat *c, const char *name, int64_t *id, struct gr_err *err)
{
	static const char sql[] = "SELECT id FROM tags WHERE name = ?1";
	sqlite3_stmt *st = cat_stmt(c, sql, err);
	int r;

	if (st == NULL)
		return -err->code;
	cat_bind_text(st, 1, name);
	if ((r = cat_step_row(c, st, err)) != 1)
		return r;
	*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 1;
}

/* Runs the n statements of sql in order, binding ?1 = a and, when b >= 0,
 * ?2 = b, inside the open transaction, then ends it: committed when k (the
 * count to return) and every step are fine, else rolled back.  Returns k
 * or -GR_E*. */
static int64_t run_and_end(struct cat *c, const char *const *sql, int n, int64_t a,
                           int64_t b, int64_t k, struct gr_err *err)
{
	sqlite3_stmt *st;
	int r;

	for (int i = 0; k >= 0 && i < n; i++) {
		if ((st = cat_stmt(c, sql[i], err)) == NULL) {
			k = -err->code;
			break;
		}
		sqlite3_bind_int64(st, 1, a);
		if (b >= 0 && sqlite3_bind_parameter_count(st) >= 2)
			sqlite3_bind_int64(st, 2, b);
		if ((r = cat_step_done(c, st, err)) != 0)
			k = r;
	}
	if (k < 0) {
		cat_tx_end(c, 1, NULL);
		return k;
	}
	r = cat_tx_end(c, 0, err);
	return r != 0 ? r : k;
}

int64_t cat_tag_accept(struct cat *c, const char *name, struct gr_err *err)
{
	static const char sql_r[] = "UPDATE region_tags SET auto = 0 WHERE tag = ?1 AND auto";
	static const char sql_f[] = "UPDATE file_tags SET auto = 0 WHERE tag = ?1 AND auto";
	static const char *const sql[] = { sql_r, sql_f };
	int64_t tag, k;
	int r;

	if ((r = cat_tx_begin(c, err)) != 0)
		return r;
	if ((r = find_tag(c, name, &tag, err)) <= 0) {
		cat_tx_end(c, 1, NULL);
		return r < 0 ? r : gr_fail(err, GR_EUSAGE, "no tag '%s' in the catalog", name);
	}
	k = count_links(c, tag, 1, err);
	return run_and_end(c, sql, 2, tag, -1, k, err);
}

int64_t cat_tag_rename(struct cat *c, const char *old_name, const char *new_name,
                       struct gr_err *err)
{
	/* links move to the new tag's row as user links; a link the new tag
	 * already has is kept once (user, if either was) */
	static const char sql_r[] =
		"INSERT INTO region_tags(region, tag, auto) SELECT region, ?2, 0 FROM region_tags"
		" WHERE tag = ?1 ON CONFLICT DO UPDATE SET auto = 0";
	static const char sql_f[] =
		"INSERT INTO file_tags(file, tag, auto) SELECT file, ?2, 0 FROM file_tags"
		" WHERE tag = ?1 ON CONFLICT DO UPDATE SET auto = 0";
	static const char sql_del[] = "DELETE FROM tags WHERE id = ?1";
	static const char *const sql[] = { sql_r, sql_f, sql_del };
	int64_t from, to, k;
	int r;

	if (!cat_tag_valid(new_name))
		return gr_fail(err, GR_EUSAGE, "'%s' is not a valid tag name (1-64 bytes, no "
		               "control characters, ',', ':' or '\"')", new_name);
	if ((r = cat_tx_begin(c, err)) != 0)
		return r;
	if ((r = find_tag(c, old_name, &from, err)) <= 0) {
		cat_tx_end(c, 1, NULL);
		return r < 0 ? r : gr_fail(err, GR_EUSAGE, "no tag '%s' in the catalog", old_name);
	}
	if ((r = cat_tag_id(c, new_name, &to, err)) != 0) {
		cat_tx_end(c, 1, NULL);
		return r;
	}
	if (to == from) {              /* only the case changed: nothing to move */
		cat_tx_end(c, 1, NULL);
		return gr_fail(err, GR_EUSAGE, "'%s' and '%s' are the same tag (names ignore case)",
		               old_name, new_name);
	}
	k = count_links(c, from, 0, err);
	return run_and_end(c, sql, 3, from, to, k, err);
}
