/*
 * find.c - running queries: cursors over matching files, regions or the
 * plugin results of one file, and counts.
 *
 * A cursor owns one prepared statement (query SQL is built per call, so it
 * is not cached; preparing costs ~30 us).  Rows are read straight from the
 * statement: their strings are valid until the next step.
 */
#include <stdlib.h>
#include <string.h>

#include "catalog_int.h"

struct cat_cursor {
	struct cat *c;
	sqlite3_stmt *st;
	sqlite3_stmt *next;         /* second phase (rows whose sort key is NULL) */
	int target;                 /* CAT_FILES, CAT_REGIONS, or 2 = results */
	long limit, rows;           /* rows handed out; limit 0 = none */
};

static struct cat_cursor *prepare(struct cat *c, const char *sql, const struct qsql *qs,
                                  int target, struct gr_err *err)
{
	struct cat_cursor *cur;
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
		cat_dberr(c, err, "prepare query");
		return NULL;
	}
	if (qs != NULL)
		cat_qsql_bind(qs, st);
	cur = xcalloc(1, sizeof(*cur));
	cur->c = c;
	cur->st = st;
	cur->target = target;
	return cur;
}

/*
 * roots is CROSS JOINed last so the planner never makes it the outer loop
 * (with one root it would, and then no index can deliver rows in order).
 */
static const char *from(int target)
{
	return target == CAT_REGIONS
	       ? " FROM regions g JOIN files f ON f.id = g.file CROSS JOIN roots r ON r.id = f.root"
	       : " FROM files f CROSS JOIN roots r ON r.id = f.root";
}

/* SELECT ... for one phase (see cat_query_order). */
static struct cat_cursor *find_phase(struct cat *c, const struct cat_query *q, int target,
                                     long limit, int phase, struct gr_err *err)
{
	struct cat_cursor *cur;
	struct qsql qs = { 0 };

	str_init(&qs.sql);
	str_addf(&qs.sql, "SELECT %s%s WHERE (",
	         target == CAT_REGIONS ? CAT_REGION_COLS : CAT_FILE_COLS, from(target));
	if (q != NULL)
		cat_query_where(q, target, &qs);
	else
		str_add(&qs.sql, "1");
	str_add(&qs.sql, ")");
	if (phase != 0)
		str_addf(&qs.sql, " AND %s IS %sNULL", cat_query_sort_col(q, target),
		         phase == 1 ? "NOT " : "");
	cat_query_order(q, target, phase, &qs);
	if (limit > 0)
		str_addf(&qs.sql, " LIMIT %ld", limit);   /* a number we own, not input */
	log_debug("query: %s", qs.sql.s);
	cur = prepare(c, qs.sql.s, &qs, target, err);
	cat_qsql_fini(&qs);
	return cur;
}

struct cat_cursor *cat_find(struct cat *c, const struct cat_query *q, int target,
                            long limit, struct gr_err *err)
{
	struct cat_cursor *cur, *second;
	int two;

	if (target != CAT_FILES && target != CAT_REGIONS) {
		gr_fail(err, GR_EUSAGE, "bad query target");
		return NULL;
	}
	two = cat_query_sort_nullable(q);
	cur = find_phase(c, q, target, limit, two ? 1 : 0, err);
	if (cur == NULL || !two)
		goto out;
	if ((second = find_phase(c, q, target, limit, 2, err)) == NULL) {
		cat_cursor_free(cur);
		return NULL;
	}
	cur->next = second->st;
	free(second);
out:
	if (cur != NULL)
		cur->limit = limit;
	return cur;
}

int64_t cat_count(struct cat *c, const struct cat_query *q, int target, struct gr_err *err)
{
	struct cat_cursor *cur;
	struct qsql qs = { 0 };
	int64_t n = 0;
	int rc;

	str_init(&qs.sql);
	str_addf(&qs.sql, "SELECT count(*)%s WHERE ", from(target));
	if (q != NULL)
		cat_query_where(q, target, &qs);
	else
		str_add(&qs.sql, "1");
	cur = prepare(c, qs.sql.s, &qs, target, err);
	cat_qsql_fini(&qs);
	if (cur == NULL)
		return -err->code;
	rc = sqlite3_step(cur->st);
	if (rc == SQLITE_ROW)
		n = sqlite3_column_int64(cur->st, 0);
	else
		n = cat_dberr(c, err, "count");
	cat_cursor_free(cur);
	return n;
}

static int step(struct cat_cursor *cur, int target, struct gr_err *err)
{
	int rc;

	if (cur->target != target)
		return gr_fail(err, GR_EUSAGE, "cursor read with the wrong row type");
	if (cur->limit > 0 && cur->rows >= cur->limit)
		return 0;
	rc = sqlite3_step(cur->st);
	if (rc == SQLITE_DONE && cur->next != NULL) {
		/* first phase done: rows whose sort key is unset follow */
		sqlite3_finalize(cur->st);
		cur->st = cur->next;
		cur->next = NULL;
		rc = sqlite3_step(cur->st);
	}
	if (rc == SQLITE_ROW) {
		cur->rows++;
		return 1;
	}
	if (rc == SQLITE_DONE)
		return 0;
	return cat_dberr(cur->c, err, "query");
}

int cat_next_file(struct cat_cursor *cur, struct cat_file *out, struct gr_err *err)
{
	int r = step(cur, CAT_FILES, err);
	if (r == 1)
		cat_row_file(cur->st, out);
	return r;
}

int cat_next_region(struct cat_cursor *cur, struct cat_region *out, struct gr_err *err)
{
	int r = step(cur, CAT_REGIONS, err);
	if (r == 1)
		cat_row_region(cur->st, out);
	return r;
}

struct cat_cursor *cat_regions_of(struct cat *c, int64_t file_id, struct gr_err *err)
{
	static const char sql[] =
		"SELECT " CAT_REGION_COLS " FROM regions g JOIN files f ON f.id = g.file"
		" CROSS JOIN roots r ON r.id = f.root WHERE g.file = ?1 ORDER BY g.idx";
	struct cat_cursor *cur = prepare(c, sql, NULL, CAT_REGIONS, err);

	if (cur != NULL)
		sqlite3_bind_int64(cur->st, 1, file_id);
	return cur;
}

struct cat_cursor *cat_results_of(struct cat *c, int64_t file_id, struct gr_err *err)
{
	static const char sql[] =
		"SELECT g.idx, s.plugin, s.version, s.status, s.time, s.error, s.detail"
		" FROM results s JOIN regions g ON g.id = s.region WHERE g.file = ?1"
		" ORDER BY g.idx, s.ord";
	struct cat_cursor *cur = prepare(c, sql, NULL, 2, err);

	if (cur != NULL)
		sqlite3_bind_int64(cur->st, 1, file_id);
	return cur;
}

int cat_next_result(struct cat_cursor *cur, struct cat_result *out, struct gr_err *err)
{
	const char *s;
	int r = step(cur, 2, err);

	if (r != 1)
		return r;
	memset(out, 0, sizeof(*out));
	out->region_idx = sqlite3_column_int(cur->st, 0);
	out->plugin = cat_col_text(cur->st, 1);
	out->version = sqlite3_column_int(cur->st, 2);
	s = cat_col_text(cur->st, 3);
	out->status = AN_FAILED;
	for (int i = AN_OK; i <= AN_DISABLED; i++)
		if (!strcmp(s, an_status_name(i)))
			out->status = i;
	out->time = cat_col_real(cur->st, 4);
	out->error = cat_col_text(cur->st, 5);
	out->detail_json = sqlite3_column_type(cur->st, 6) == SQLITE_NULL
	                   ? "null" : cat_col_text(cur->st, 6);
	return 1;
}

void cat_cursor_free(struct cat_cursor *cur)
{
	if (cur == NULL)
		return;
	sqlite3_finalize(cur->st);
	sqlite3_finalize(cur->next);
	free(cur);
}
