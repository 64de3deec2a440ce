/*
 * tags.c - tags on files and regions (user tags and automatic ones set
 * from the analysis), and removal of files from the catalog.
 *
 * A tag name is one row in tags (case-insensitive, unique); links carry
 * the "auto" flag, so the same word can be automatic on one file and the
 * user's on another.  Re-analysis replaces only automatic links; a user
 * adding a tag that exists as automatic makes it theirs.  Tags no longer
 * linked anywhere are deleted.
 *
 * Bulk operations (cat_tag, cat_rm) compile the query once into an
 * INSERT ... SELECT / DELETE ... WHERE id IN (SELECT ...) statement: one
 * statement per tag, whatever the number of files.
 */
#include <stdlib.h>
#include <string.h>

#include "catalog_int.h"

int cat_tag_valid(const char *name)
{
	size_t n = name != NULL ? strlen(name) : 0;

	if (n == 0 || n > 64)
		return 0;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == ',' || *p == ':' || *p == '"')
			return 0;
	/* leading '-' / '+' would read as an operation on the command line */
	return name[0] != '-' && name[0] != '+' && name[0] != ' ' && name[n - 1] != ' ';
}

int cat_tag_id(struct cat *c, const char *name, int64_t *id, struct gr_err *err)
{
	static const char sql_add[] = "INSERT OR IGNORE INTO tags(name) VALUES(?1)";
	static const char sql_get[] = "SELECT id FROM tags WHERE name = ?1";
	sqlite3_stmt *st;
	int r;

	if ((st = cat_stmt(c, sql_add, err)) == NULL)
		return -err->code;
	cat_bind_text(st, 1, name);
	if ((r = cat_step_done(c, st, err)) != 0)
		return r;
	if ((st = cat_stmt(c, sql_get, err)) == NULL)
		return -err->code;
	cat_bind_text(st, 1, name);
	if ((r = cat_step_row(c, st, err)) != 1)
		return r < 0 ? r : gr_fail(err, GR_EDB, "%s: tag vanished", c->path);
	*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

/* Delete tag rows that nothing links any more. */
static int prune_tags(struct cat *c, struct gr_err *err)
{
	static const char sql[] =
		"DELETE FROM tags WHERE NOT EXISTS (SELECT 1 FROM file_tags WHERE tag = tags.id)"
		" AND NOT EXISTS (SELECT 1 FROM region_tags WHERE tag = tags.id)";
	sqlite3_stmt *st = cat_stmt(c, sql, err);
	return st == NULL ? -err->code : cat_step_done(c, st, err);
}

static int auto_tag(struct cat *c, int64_t id, const char *name, const char *sql_clear,
                    const char *sql_link, struct gr_err *err)
{
	sqlite3_stmt *st;
	int64_t tag;
	int r;

	if ((st = cat_stmt(c, sql_clear, err)) == NULL)
		return -err->code;
	sqlite3_bind_int64(st, 1, id);
	if ((r = cat_step_done(c, st, err)) != 0)
		return r;
	if (name == NULL)
		return 0;
	if ((r = cat_tag_id(c, name, &tag, err)) != 0)
		return r;
	if ((st = cat_stmt(c, sql_link, err)) == NULL)
		return -err->code;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, tag);
	return cat_step_done(c, st, err);
}

int cat_auto_tag_file(struct cat *c, int64_t file_id, const char *name, struct gr_err *err)
{
	static const char clear[] = "DELETE FROM file_tags WHERE file = ?1 AND auto";
	static const char link[] = "INSERT OR IGNORE INTO file_tags(file, tag, auto)"
	                           " VALUES(?1, ?2, 1)";
	return auto_tag(c, file_id, name, clear, link, err);
}

int cat_auto_tag_region(struct cat *c, int64_t region_id, const char *name,
                        struct gr_err *err)
{
	static const char clear[] = "DELETE FROM region_tags WHERE region = ?1 AND auto";
	static const char link[] = "INSERT OR IGNORE INTO region_tags(region, tag, auto)"
	                           " VALUES(?1, ?2, 1)";
	return auto_tag(c, region_id, name, clear, link, err);
}

/* Prepare a one-off statement: head + WHERE of q + tail, binds after first. */
static sqlite3_stmt *prep_query(struct cat *c, const char *head, const struct cat_query *q,
                                int target, const char *tail, int nfirst,
                                struct gr_err *err)
{
	struct qsql qs = { 0 };
	sqlite3_stmt *st = NULL;

	str_init(&qs.sql);
	str_add(&qs.sql, head);
	qs.base = nfirst;   /* ?1..?nfirst are the caller's */
	if (q != NULL)
		cat_query_where(q, target, &qs);
	else
		str_add(&qs.sql, "1");
	str_add(&qs.sql, tail);
	if (sqlite3_prepare_v2(c->db, qs.sql.s, -1, &st, NULL) != SQLITE_OK)
		cat_dberr(c, err, "prepare query");
	else
		cat_qsql_bind(&qs, st);
	cat_qsql_fini(&qs);
	return st;
}

static const char *const tag_sql[2][2] = {
	[CAT_FILES] = {
		"INSERT INTO file_tags(file, tag, auto) SELECT f.id, ?1, 0 FROM files f"
		" CROSS JOIN roots r ON r.id = f.root WHERE ",
		"DELETE FROM file_tags WHERE tag = ?1 AND file IN (SELECT f.id FROM files f"
		" CROSS JOIN roots r ON r.id = f.root WHERE ",
	},
	[CAT_REGIONS] = {
		"INSERT INTO region_tags(region, tag, auto) SELECT g.id, ?1, 0 FROM regions g"
		" JOIN files f ON f.id = g.file CROSS JOIN roots r ON r.id = f.root WHERE ",
		"DELETE FROM region_tags WHERE tag = ?1 AND region IN (SELECT g.id FROM regions g"
		" JOIN files f ON f.id = g.file CROSS JOIN roots r ON r.id = f.root WHERE ",
	},
};

static int tag_one(struct cat *c, const struct cat_query *q, int target, const char *name,
                   int add, struct gr_err *err)
{
	sqlite3_stmt *st;
	int64_t tag;
	int r;

	if (!cat_tag_valid(name))
		return gr_fail(err, GR_EUSAGE, "'%s' is not a valid tag name (1-64 bytes, no "
		               "control characters, ',', ':' or '\"')", name);
	if ((r = cat_tag_id(c, name, &tag, err)) != 0)
		return r;
	st = prep_query(c, tag_sql[target][!add], q, target,
	                add ? " ON CONFLICT DO UPDATE SET auto = 0" : ")", 1, err);
	if (st == NULL)
		return -err->code;
	sqlite3_bind_int64(st, 1, tag);
	r = sqlite3_step(st) == SQLITE_DONE ? 0 : cat_dberr(c, err, "tag");
	sqlite3_finalize(st);
	return r;
}

int64_t cat_tag(struct cat *c, const struct cat_query *q, int target,
                const char *const *add, size_t n_add, const char *const *del,
                size_t n_del, struct gr_err *err)
{
	int64_t n;
	int r = 0;

	if (target != CAT_FILES && target != CAT_REGIONS)
		return gr_fail(err, GR_EUSAGE, "bad tag target");
	if ((r = cat_tx_begin(c, err)) != 0)
		return r;
	n = cat_count(c, q, target, err);
	if (n < 0)
		r = (int)n;
	for (size_t i = 0; r == 0 && i < n_add; i++)
		r = tag_one(c, q, target, add[i], 1, err);
	for (size_t i = 0; r == 0 && i < n_del; i++)
		r = tag_one(c, q, target, del[i], 0, err);
	if (r == 0 && n_del > 0)
		r = prune_tags(c, err);
	if (r != 0) {
		cat_tx_end(c, 1, NULL);
		return r;
	}
	r = cat_tx_end(c, 0, err);
	return r != 0 ? r : n;
}

int64_t cat_rm(struct cat *c, const struct cat_query *q, struct gr_err *err)
{
	static const char head_jobs[] =
		"DELETE FROM jobs WHERE EXISTS (SELECT 1 FROM files f CROSS JOIN roots r ON r.id = f.root"
		" WHERE f.root = jobs.root AND f.relpath = jobs.relpath AND ";
	static const char head_files[] =
		"DELETE FROM files WHERE id IN (SELECT f.id FROM files f"
		" CROSS JOIN roots r ON r.id = f.root WHERE ";
	sqlite3_stmt *st;
	int64_t n = 0;
	int r;

	if ((r = cat_tx_begin(c, err)) != 0)
		return r;
	for (int pass = 0; pass < 2; pass++) {
		st = prep_query(c, pass ? head_files : head_jobs, q, CAT_FILES, ")", 0, err);
		if (st == NULL) {
			r = -err->code;
			break;
		}
		r = sqlite3_step(st) == SQLITE_DONE ? 0 : cat_dberr(c, err, "remove");
		sqlite3_finalize(st);
		if (r != 0)
			break;
		n = sqlite3_changes(c->db);
	}
	if (r == 0)
		r = prune_tags(c, err);
	if (r != 0) {
		cat_tx_end(c, 1, NULL);
		return r;
	}
	r = cat_tx_end(c, 0, err);
	return r != 0 ? r : n;
}
