/*
 * find.c - running queries: cursors over matching files, regions or the
 * plugin results of one file, and counts.
 *
 * Planning a page (a query with a limit): SQLite keeps no statistics for
 * ranges here, so cat_find() helps it.  Each indexed term of the top-level
 * AND gets its share of rows measured (a capped count on its index,
 * ~0.2 ms) and passed on as likelihood(); then either an ordered scan
 * (rows in id or sort-key order, indexes off for the terms, LIMIT stops
 * it early) or SQLite's index plan is used, by those shares or, without
 * them, by a probe bounded to ~100 000 VM steps.  A sort key that can be
 * NULL runs in two phases (set values, then unset) so its index can serve
 * the order.  Typical first pages on 100 000 files take 1-6 ms of CPU.
 *
 * A cursor owns its prepared statements (query SQL is built per call, so
 * it is not cached; preparing costs ~30 us).  Rows are read straight from
 * the statement: their strings are valid until the next step.
 */
#include <math.h>
#include <stdio.h>
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
static const char *from(int target, int ordered)
{
	if (target != CAT_REGIONS)
		return " FROM files f CROSS JOIN roots r ON r.id = f.root";
	/* an ordered scan walks regions (or the sort key's index) outermost */
	return ordered ? " FROM regions g CROSS JOIN files f ON f.id = g.file"
	                 " CROSS JOIN roots r ON r.id = f.root"
	               : " FROM regions g JOIN files f ON f.id = g.file"
	                 " CROSS JOIN roots r ON r.id = f.root";
}

/* The SQL of one phase (see cat_query_order); cols NULL = count(*). */
static void find_sql(struct qsql *qs, const struct cat_query *q, int target, long limit,
                     int phase, int count)
{
	str_init(&qs->sql);
	if (count)
		str_add(&qs->sql, "SELECT count(*) FROM (SELECT 1");
	else
		str_addf(&qs->sql, "SELECT %s",
		         target == CAT_REGIONS ? CAT_REGION_COLS : CAT_FILE_COLS);
	str_addf(&qs->sql, "%s WHERE (", from(target, qs->noindex));
	if (q != NULL)
		cat_query_where(q, target, qs);
	else
		str_add(&qs->sql, "1");
	str_add(&qs->sql, ")");
	if (phase != 0)
		str_addf(&qs->sql, " AND %s IS %sNULL", cat_query_sort_col(q, target),
		         phase == 1 ? "NOT " : "");
	cat_query_order(q, target, phase, qs);
	if (limit > 0)
		str_addf(&qs->sql, " LIMIT %ld", limit);   /* a number we own, not input */
	if (count)
		str_add(&qs->sql, ")");
}

static int probe_tick(void *arg)
{
	int *left = arg;
	return --*left <= 0;          /* nonzero interrupts the statement */
}

/*
 * Which plan serves a first page fastest?  SQLite has no statistics for
 * ranges here, so it tends to collect every row an index finds and sort
 * them, even when walking the table (or the sort key's index) in order
 * would fill the page after a few hundred rows.  Probe: count the page
 * with indexes off for the terms, within a budget of about 100 000 VM
 * steps (~1-2 ms).  If it finishes, that ordered scan is the plan;
 * otherwise the terms are selective and SQLite's index plan wins.
 */
static int ordered_scan_quick(struct cat *c, const struct cat_query *q, int target,
                              long limit, int phase)
{
	struct qsql qs = { 0 };
	sqlite3_stmt *st;
	int left = 100, rc;

	qs.noindex = 1;
	find_sql(&qs, q, target, limit, phase, 1);
	rc = sqlite3_prepare_v2(c->db, qs.sql.s, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		cat_qsql_bind(&qs, st);
		sqlite3_progress_handler(c->db, 1000, probe_tick, &left);
		rc = sqlite3_step(st);
		sqlite3_progress_handler(c->db, 0, NULL, NULL);
		sqlite3_finalize(st);
	}
	cat_qsql_fini(&qs);
	return rc == SQLITE_ROW;
}

/*
 * Measure the share of rows each indexed term of the top-level AND
 * matches: count at most EST_CAP index entries (~0.2 ms each term).
 * Without range statistics SQLite guesses every range alike and often
 * picks the index that finds half the table; likelihood() with these
 * numbers lets it pick the one that finds a few rows.
 */
#define EST_CAP 5000

static double estimate(struct cat *c, const struct cat_query *q, int target)
{
	struct qnode *n;
	double rows[2] = { -1, -1 };   /* files, regions: max(rowid) as a size */
	double share = 1;              /* product of the shares; -1 = not all known */

	if (q == NULL || q->root->kind == QN_TRUE)
		return 1;
	n = q->root->kind == QN_AND ? q->root->kid : q->root;
	for (; n != NULL; n = n->next) {
		const char *table = cat_query_term_table(n, target);
		struct qsql qs = { 0 };
		sqlite3_stmt *st;
		int which, left = 200;

		n->est = 0;
		if (table == NULL) {
			share = -1;
			continue;
		}
		which = table[0] == 'r';
		if (rows[which] < 0) {
			char sql[64];
			snprintf(sql, sizeof(sql), "SELECT max(rowid) FROM %s", table);
			rows[which] = 0;
			if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) == SQLITE_OK) {
				if (sqlite3_step(st) == SQLITE_ROW)
					rows[which] = sqlite3_column_double(st, 0);
				sqlite3_finalize(st);
			}
		}
		if (rows[which] < 10 * EST_CAP && c->plan != 2) {
			share = -1;             /* small tables: any plan is fast */
			continue;
		}
		str_init(&qs.sql);
		/* the terms estimated here only name columns of this one table */
		str_addf(&qs.sql, "SELECT count(*) FROM (SELECT 1 FROM %s WHERE ", table);
		cat_query_term_sql(n, target, &qs);
		str_addf(&qs.sql, " LIMIT %d)", EST_CAP);
		if (sqlite3_prepare_v2(c->db, qs.sql.s, -1, &st, NULL) == SQLITE_OK) {
			cat_qsql_bind(&qs, st);
			sqlite3_progress_handler(c->db, 1000, probe_tick, &left);
			if (sqlite3_step(st) == SQLITE_ROW)
				n->est = (sqlite3_column_double(st, 0) + 0.5) / rows[which];
			sqlite3_progress_handler(c->db, 0, NULL, NULL);
			sqlite3_finalize(st);
		}
		cat_qsql_fini(&qs);
		/* a count that hit the cap is a lower bound: assume a common value */
		if (n->est > 0 && share >= 0)
			share *= n->est >= (double)EST_CAP / rows[which] ? fmax(n->est, 0.25) : n->est;
		else
			share = -1;
	}
	return share;
}

/* Prepare one phase. */
static struct cat_cursor *find_phase(struct cat *c, const struct cat_query *q, int target,
                                     long limit, int phase, int noindex, struct gr_err *err)
{
	struct cat_cursor *cur;
	struct qsql qs = { 0 };

	qs.noindex = noindex;
	find_sql(&qs, q, target, limit, phase, 0);
	log_debug("query: %s", qs.sql.s);
	cur = prepare(c, qs.sql.s, &qs, target, err);
	cat_qsql_fini(&qs);
	return cur;
}

struct cat_cursor *cat_find(struct cat *c, const struct cat_query *q, int target,
                            long limit, struct gr_err *err)
{
	struct cat_cursor *cur, *second;
	int two, noindex;
	double share;

	if (target != CAT_FILES && target != CAT_REGIONS) {
		gr_fail(err, GR_EUSAGE, "bad query target");
		return NULL;
	}
	two = cat_query_sort_nullable(q);
	/*
	 * With every term measured, an ordered scan examines about
	 * limit / share rows: clearly cheap below 2000, clearly not above
	 * 20000 (the planner, now with real shares, does better); in between
	 * or without numbers, probe.
	 */
	share = estimate(c, q, target);
	if (c->plan != 0)
		noindex = c->plan == 1;
	else if (limit <= 0)
		noindex = 0;
	else if (share > 0 && limit / share < 2000)
		noindex = 1;
	else if (share > 0 && limit / share > 20000)
		noindex = 0;
	else
		noindex = ordered_scan_quick(c, q, target, limit, two ? 1 : 0);
	cur = find_phase(c, q, target, limit, two ? 1 : 0, noindex, err);
	if (cur == NULL || !two)
		goto out;
	if ((second = find_phase(c, q, target, limit, 2, noindex, err)) == NULL) {
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
	str_addf(&qs.sql, "SELECT count(*)%s WHERE ", from(target, 0));
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
