/*
 * stats.c - catalog statistics, integrity and staleness checks, and the
 * per-plugin health table (schema 2) that doctor and the TUI show.
 *
 * Costs: cat_stats() runs a handful of aggregate queries; on 100 000 files
 * / 1 000 000 regions it takes tens of milliseconds (the region count
 * walks the smallest index).  cat_integrity() reads the whole database.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "catalog_int.h"

static int64_t file_bytes(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? (int64_t)sb.st_size : 0;
}

/* Run a single-value query. */
static int scalar(struct cat *c, const char *sql, int64_t *out, double *dout,
                  struct gr_err *err)
{
	sqlite3_stmt *st = cat_stmt(c, sql, err);
	int r;

	if (st == NULL)
		return -err->code;
	if ((r = cat_step_row(c, st, err)) < 0)
		return r;
	if (r == 1) {
		if (out != NULL)
			*out = sqlite3_column_int64(st, 0);
		if (dout != NULL)
			*dout = sqlite3_column_double(st, 0);
		sqlite3_reset(st);
	}
	return 0;
}

int cat_stats(struct cat *c, struct cat_stats *o, struct gr_err *err)
{
	static const char sql_files[] =
		"SELECT count(*), total(missing), total(status = 'failed'),"
		" total(status = 'partial'), total(CASE WHEN status != 'failed' THEN duration END),"
		" count(bpm) FROM files";
	static const char sql_regions[] = "SELECT count(*) FROM regions";
	static const char sql_tags[] = "SELECT count(*) FROM tags";
	static const char sql_roots[] = "SELECT count(*) FROM roots";
	static const char sql_class[] =
		"SELECT class, count(*) FROM files WHERE status != 'failed' GROUP BY class";
	static const char sql_key[] =
		"SELECT key, count(*) FROM files WHERE status != 'failed' GROUP BY key";
	sqlite3_stmt *st;
	struct cat_job_counts jc;
	char *wal;
	int r;

	memset(o, 0, sizeof(*o));
	if ((st = cat_stmt(c, sql_files, err)) == NULL)
		return -err->code;
	if ((r = cat_step_row(c, st, err)) < 0)
		return r;
	if (r == 1) {
		o->files = sqlite3_column_int64(st, 0);
		o->missing = sqlite3_column_int64(st, 1);
		o->failed = sqlite3_column_int64(st, 2);
		o->partial = sqlite3_column_int64(st, 3);
		o->audio_s = sqlite3_column_double(st, 4);
		o->with_tempo = sqlite3_column_int64(st, 5);
		sqlite3_reset(st);
	}
	if ((r = scalar(c, sql_regions, &o->regions, NULL, err)) != 0 ||
	    (r = scalar(c, sql_tags, &o->tags, NULL, err)) != 0 ||
	    (r = scalar(c, sql_roots, &o->roots, NULL, err)) != 0)
		return r;
	if ((st = cat_stmt(c, sql_class, err)) == NULL)
		return -err->code;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int k = sqlite3_column_type(st, 0) == SQLITE_NULL ? -1
		        : an_class_parse(cat_col_text(st, 0));
		if (k < 0)
			o->no_class += sqlite3_column_int64(st, 1);
		else
			o->by_class[k] += sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if ((st = cat_stmt(c, sql_key, err)) == NULL)
		return -err->code;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int k = cat_col_int(st, 0, -1);
		if (k < 0 || k > 23)
			o->no_key += sqlite3_column_int64(st, 1);
		else
			o->by_key[k] += sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if ((r = cat_jobs_counts(c, &jc, err)) != 0)
		return r;
	o->jobs_queued = jc.queued;
	o->jobs_running = jc.running;
	wal = xasprintf("%s-wal", c->path);
	o->db_bytes = file_bytes(c->path) + file_bytes(wal);
	free(wal);
	return 0;
}

int cat_integrity(struct cat *c, struct str *report, struct gr_err *err)
{
	static const char sql[] = "PRAGMA integrity_check";
	sqlite3_stmt *st = cat_stmt(c, sql, err);
	int r, bad = 0;

	if (st == NULL)
		return -err->code;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *s = cat_col_text(st, 0);
		if (!strcmp(s, "ok"))
			continue;
		bad++;
		str_add(report, s);
		str_add(report, "\n");
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE)
		return cat_dberr(c, err, "integrity check");
	/* foreign keys are only enforced on write; check the stored links too */
	if ((st = cat_stmt(c, "PRAGMA foreign_key_check", err)) == NULL)
		return -err->code;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		bad++;
		str_addf(report, "table %s row %lld points to a missing %s row\n",
		         cat_col_text(st, 0), (long long)sqlite3_column_int64(st, 1),
		         cat_col_text(st, 2));
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE)
		return cat_dberr(c, err, "foreign key check");
	/* the path index must agree with the files table (FTS5's check is a
	 * write command: not possible on a read-only catalog) */
	if (!c->readonly && sqlite3_exec(c->db, "INSERT INTO files_fts(files_fts) VALUES('integrity-check')",
	                 NULL, NULL, NULL) != SQLITE_OK) {
		bad++;
		str_addf(report, "path index out of step with files: %s\n",
		         sqlite3_errmsg(c->db));
	}
	return bad;
}

int64_t cat_count_stale(struct cat *c, const char *version, struct gr_err *err)
{
	static const char sql[] =
		"SELECT count(*) FROM files WHERE status != 'failed' AND version IS NOT ?1";
	sqlite3_stmt *st = cat_stmt(c, sql, err);
	int64_t n = 0;
	int r;

	if (st == NULL)
		return -err->code;
	cat_bind_text(st, 1, version);
	if ((r = cat_step_row(c, st, err)) < 0)
		return r;
	if (r == 1) {
		n = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	return n;
}

const char *cat_current_version(struct cat *c)
{
	return c->version;
}

int cat_health_store(struct cat *c, const struct an_metrics *m, size_t n,
                     struct gr_err *err)
{
	static const char sql[] =
		"INSERT OR REPLACE INTO plugin_health(plugin, version, count, failures, timeouts,"
		" skipped, median_time, max_time, disabled, last_error, updated_at)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
	int r;

	if ((r = cat_tx_begin(c, err)) != 0)
		return r;
	for (size_t i = 0; i < n && r == 0; i++) {
		sqlite3_stmt *st = cat_stmt(c, sql, err);
		if (st == NULL) {
			r = -err->code;
			break;
		}
		cat_bind_text(st, 1, m[i].name);
		sqlite3_bind_int(st, 2, m[i].version);
		sqlite3_bind_int64(st, 3, m[i].count);
		sqlite3_bind_int64(st, 4, m[i].failures);
		sqlite3_bind_int64(st, 5, m[i].timeouts);
		sqlite3_bind_int64(st, 6, m[i].skipped);
		cat_bind_real(st, 7, m[i].median_time);
		cat_bind_real(st, 8, m[i].max_time);
		sqlite3_bind_int(st, 9, m[i].disabled);
		cat_bind_text(st, 10, m[i].last_error[0] ? m[i].last_error : NULL);
		sqlite3_bind_double(st, 11, time_wall());
		r = cat_step_done(c, st, err);
	}
	if (r != 0) {
		cat_tx_end(c, 1, NULL);
		return r;
	}
	return cat_tx_end(c, 0, err);
}

int cat_health_list(struct cat *c, struct an_metrics **out, size_t *n, struct gr_err *err)
{
	static const char sql_n[] = "SELECT count(*), total(length(plugin) + 1)"
	                            " FROM plugin_health";
	static const char sql[] =
		"SELECT plugin, version, count, failures, timeouts, skipped, median_time,"
		" max_time, disabled, last_error FROM plugin_health ORDER BY plugin";
	sqlite3_stmt *st;
	struct an_metrics *m;
	int64_t count = 0;
	double names = 0;
	char *pool;
	size_t i = 0;
	int r;

	*out = NULL;
	*n = 0;
	if ((st = cat_stmt(c, sql_n, err)) == NULL)
		return -err->code;
	if ((r = cat_step_row(c, st, err)) < 0)
		return r;
	count = sqlite3_column_int64(st, 0);
	names = sqlite3_column_double(st, 1);
	sqlite3_reset(st);
	if (count == 0)
		return 0;
	/* one block: the array, then the names it points to */
	m = xcalloc(1, (size_t)count * sizeof(*m) + (size_t)names);
	pool = (char *)(m + count);
	if ((st = cat_stmt(c, sql, err)) == NULL) {
		free(m);
		return -err->code;
	}
	while (i < (size_t)count && (r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = cat_col_text(st, 0);
		size_t len = strlen(name) + 1;
		memcpy(pool, name, len);
		m[i].name = pool;
		pool += len;
		m[i].version = sqlite3_column_int(st, 1);
		m[i].count = sqlite3_column_int64(st, 2);
		m[i].failures = sqlite3_column_int64(st, 3);
		m[i].timeouts = sqlite3_column_int64(st, 4);
		m[i].skipped = sqlite3_column_int64(st, 5);
		m[i].median_time = sqlite3_column_double(st, 6);
		m[i].max_time = sqlite3_column_double(st, 7);
		m[i].disabled = sqlite3_column_int(st, 8);
		str_lcpy(m[i].last_error, cat_col_text(st, 9), sizeof(m[i].last_error));
		i++;
	}
	sqlite3_reset(st);
	*out = m;
	*n = i;
	return 1;
}

/*
 * Audition health: running totals in meta ("audition_seconds",
 * "audition_underruns", "audition_plays"), added to by every grym process
 * that played something, read by `grym doctor`.
 */
int cat_audition_record(struct cat *c, double seconds, int64_t underruns,
                        struct gr_err *err)
{
	static const char sql[] =
		"INSERT INTO meta(key, value) VALUES(?1, ?2) ON CONFLICT(key) DO UPDATE"
		" SET value = CAST(CAST(value AS REAL) + CAST(excluded.value AS REAL) AS TEXT)";
	const char *keys[3] = { "audition_seconds", "audition_underruns", "audition_plays" };
	double add[3] = { seconds, (double)underruns, 1 };
	int r;

	if ((r = cat_tx_begin(c, err)) != 0)
		return r;
	for (int i = 0; i < 3 && r == 0; i++) {
		sqlite3_stmt *st = cat_stmt(c, sql, err);
		char v[64];
		if (st == NULL) {
			r = -err->code;
			break;
		}
		snprintf(v, sizeof(v), "%.17g", add[i]);
		cat_bind_text(st, 1, keys[i]);
		cat_bind_text(st, 2, v);
		r = cat_step_done(c, st, err);
	}
	if (r != 0) {
		cat_tx_end(c, 1, NULL);
		return r;
	}
	return cat_tx_end(c, 0, err);
}

int cat_audition_stats(struct cat *c, double *seconds, int64_t *underruns, int64_t *plays,
                       struct gr_err *err)
{
	static const char sql[] = "SELECT key, CAST(value AS REAL) FROM meta"
	                          " WHERE key IN ('audition_seconds', 'audition_underruns',"
	                          " 'audition_plays')";
	sqlite3_stmt *st = cat_stmt(c, sql, err);
	int r;

	*seconds = 0;
	*underruns = *plays = 0;
	if (st == NULL)
		return -err->code;
	while ((r = cat_step_row(c, st, err)) == 1) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		double v = sqlite3_column_double(st, 1);
		if (!strcmp(k, "audition_seconds"))
			*seconds = v;
		else if (!strcmp(k, "audition_underruns"))
			*underruns = (int64_t)v;
		else
			*plays = (int64_t)v;
	}
	if (r == 0)
		sqlite3_reset(st);
	return r;
}
