/*
 * roots.c - library roots: every file path is stored relative to one, so
 * a library that moves (another mount point, a renamed disk) is relinked
 * by changing one row per root instead of rescanning.
 *
 * Roots never nest: scanning a directory that contains existing roots
 * merges them into the new one (their files get the sub-path prepended
 * to their relpath and keep ids, analyses and tags); scanning a directory
 * inside an existing root reuses that root with a relpath prefix.
 *
 * Costs: roots are few; every operation lists them all.  A merge is one
 * UPDATE per merged root over its files.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "catalog_int.h"

/* A normalised copy: no trailing slashes (except "/"), no "//". */
static char *norm_dir(const char *dir)
{
	char *s = xstrdup(dir), *w = s;
	size_t n;

	for (const char *p = dir; *p; p++)
		if (!(*p == '/' && p[1] == '/'))
			*w++ = *p;
	*w = '\0';
	n = strlen(s);
	while (n > 1 && s[n - 1] == '/')
		s[--n] = '\0';
	return s;
}

/* If path is root or below it, the part after root ("" or "a/b"). */
static const char *under(const char *path, const char *root)
{
	size_t n = strlen(root);

	if (!strcmp(root, "/"))
		return path[0] == '/' ? path + 1 : NULL;
	if (strncmp(path, root, n) != 0)
		return NULL;
	if (path[n] == '\0')
		return path + n;
	if (path[n] == '/')
		return path + n + 1;
	return NULL;
}

char *cat_abs_path(struct cat *c, int64_t root_id, const char *relpath)
{
	static const char sql[] = "SELECT path FROM roots WHERE id = ?1";
	sqlite3_stmt *st = cat_stmt(c, sql, NULL);
	char *p;

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, root_id);
	if (cat_step_row(c, st, NULL) != 1)
		return NULL;
	p = xasprintf("%s/%s", strcmp(cat_col_text(st, 0), "/") ? cat_col_text(st, 0) : "",
	              relpath);
	sqlite3_reset(st);
	return p;
}

int cat_roots_list(struct cat *c, struct cat_root **out, size_t *n, struct gr_err *err)
{
	static const char sql[] =
		"SELECT r.id, r.path, (SELECT count(*) FROM files f WHERE f.root = r.id),"
		" (SELECT count(*) FROM files f WHERE f.root = r.id AND f.missing)"
		" FROM roots r ORDER BY r.path";
	sqlite3_stmt *st = cat_stmt(c, sql, err);
	struct cat_root *v = NULL;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (st == NULL)
		return -err->code;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct stat sb;
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[*n].id = sqlite3_column_int64(st, 0);
		v[*n].path = xstrdup(cat_col_text(st, 1));
		v[*n].n_files = sqlite3_column_int64(st, 2);
		v[*n].n_missing = sqlite3_column_int64(st, 3);
		v[*n].exists = stat(v[*n].path, &sb) == 0 && S_ISDIR(sb.st_mode);
		(*n)++;
	}
	if (rc != SQLITE_DONE) {
		rc = cat_dberr(c, err, "list roots");
		sqlite3_reset(st);
		cat_roots_free(v, *n);
		*n = 0;
		return rc;
	}
	sqlite3_reset(st);
	*out = v;
	return 0;
}

void cat_roots_free(struct cat_root *r, size_t n)
{
	for (size_t i = 0; r != NULL && i < n; i++)
		free(r[i].path);
	free(r);
}

static int merge_root(struct cat *c, int64_t from, int64_t into, const char *sub,
                      struct gr_err *err)
{
	static const char sql_files[] =
		"UPDATE files SET root = ?1, relpath = ?3 || relpath WHERE root = ?2";
	static const char sql_jobs[] =
		"UPDATE OR REPLACE jobs SET root = ?1, relpath = ?3 || relpath WHERE root = ?2";
	static const char sql_del[] = "DELETE FROM roots WHERE id = ?2";
	const char *const sqls[] = { sql_files, sql_jobs, sql_del };
	char *prefix = xasprintf("%s/", sub);
	int r = 0;

	for (size_t i = 0; i < GR_ARRAY_LEN(sqls) && r == 0; i++) {
		sqlite3_stmt *st = cat_stmt(c, sqls[i], err);
		if (st == NULL) {
			r = -err->code;
			break;
		}
		sqlite3_bind_int64(st, 1, into);
		sqlite3_bind_int64(st, 2, from);
		cat_bind_text(st, 3, prefix);
		r = cat_step_done(c, st, err);
	}
	free(prefix);
	return r;
}

int cat_root_for_dir(struct cat *c, const char *dir, int64_t *root_id, char **prefix,
                     struct gr_err *err)
{
	static const char sql_add[] = "INSERT INTO roots(path) VALUES(?1) RETURNING id";
	struct cat_root *roots = NULL;
	size_t n = 0, best_len = 0;
	char *d;
	int r, best = -1;

	*root_id = 0;
	*prefix = NULL;
	if (dir == NULL || dir[0] != '/')
		return gr_fail(err, GR_EUSAGE, "%s: root must be an absolute path",
		               dir != NULL ? dir : "(null)");
	d = norm_dir(dir);
	if ((r = cat_tx_begin(c, err)) != 0)
		goto out;
	if ((r = cat_roots_list(c, &roots, &n, err)) != 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(roots[i].path);
		if (under(d, roots[i].path) != NULL && (best < 0 || len > best_len)) {
			best = (int)i;
			best_len = len;
		}
	}
	if (best >= 0) {
		const char *rest = under(d, roots[best].path);
		*root_id = roots[best].id;
		*prefix = rest[0] ? xasprintf("%s/", rest) : xstrdup("");
	} else {
		sqlite3_stmt *st = cat_stmt(c, sql_add, err);
		if (st == NULL)
			goto fail_code;
		cat_bind_text(st, 1, d);
		if ((r = cat_step_row(c, st, err)) != 1) {
			if (r == 0)
				r = gr_fail(err, GR_EDB, "%s: adding a root returned no id", c->path);
			goto fail;
		}
		*root_id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		*prefix = xstrdup("");
		for (size_t i = 0; i < n; i++) {
			const char *sub = under(roots[i].path, d);
			if (sub != NULL && sub[0] != '\0' &&
			    (r = merge_root(c, roots[i].id, *root_id, sub, err)) != 0)
				goto fail;
		}
	}
	r = cat_tx_end(c, 0, err);
	goto out;
fail_code:
	r = -err->code;
fail:
	cat_tx_end(c, 1, NULL);
	free(*prefix);
	*prefix = NULL;
	*root_id = 0;
out:
	cat_roots_free(roots, n);
	free(d);
	return r;
}

int cat_root_move(struct cat *c, const char *old_dir, const char *new_dir,
                  struct gr_err *err)
{
	static const char sql_set[] = "UPDATE roots SET path = ?1 WHERE id = ?2";
	static const char sql_exists[] = "SELECT id FROM roots WHERE path = ?1";
	struct cat_root *roots = NULL;
	size_t n = 0;
	char *o, *nw;
	int r, changed = 0;

	if (old_dir == NULL || new_dir == NULL || old_dir[0] != '/' || new_dir[0] != '/')
		return gr_fail(err, GR_EUSAGE, "roots move needs two absolute paths");
	o = norm_dir(old_dir);
	nw = norm_dir(new_dir);
	if ((r = cat_tx_begin(c, err)) != 0)
		goto out;
	if ((r = cat_roots_list(c, &roots, &n, err)) != 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		const char *rest = under(roots[i].path, o);
		sqlite3_stmt *st;
		char *to;
		if (rest == NULL)
			continue;
		to = rest[0] ? xasprintf("%s%s%s", nw, strcmp(nw, "/") ? "/" : "", rest)
		             : xstrdup(nw);
		if ((st = cat_stmt(c, sql_exists, err)) == NULL) {
			free(to);
			goto fail_code;
		}
		cat_bind_text(st, 1, to);
		if ((r = cat_step_row(c, st, err)) != 0) {
			sqlite3_reset(st);
			if (r == 1)
				r = gr_fail(err, GR_EUSAGE, "%s is already a library root; remove its "
				            "files with `grym rm` first", to);
			free(to);
			goto fail;
		}
		if ((st = cat_stmt(c, sql_set, err)) == NULL) {
			free(to);
			goto fail_code;
		}
		cat_bind_text(st, 1, to);
		sqlite3_bind_int64(st, 2, roots[i].id);
		free(to);
		if ((r = cat_step_done(c, st, err)) != 0)
			goto fail;
		changed++;
	}
	if ((r = cat_tx_end(c, 0, err)) != 0)
		goto out;
	/* re-check the relinked roots so missing flags match the new place */
	for (size_t i = 0; i < n; i++)
		if (under(roots[i].path, o) != NULL &&
		    (r = cat_check_missing(c, roots[i].id, err)) < 0)
			goto out;
	r = changed;
	goto out;
fail_code:
	r = -err->code;
fail:
	cat_tx_end(c, 1, NULL);
out:
	cat_roots_free(roots, n);
	free(o);
	free(nw);
	return r;
}
