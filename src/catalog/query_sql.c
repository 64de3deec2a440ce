/*
 * query_sql.c - translation of a parsed query into parameterised SQL.
 *
 * Nothing from the query text is ever pasted into SQL: every value
 * becomes an anonymous "?" placeholder with its value kept in struct
 * qsql, bound later with cat_qsql_bind().  LIKE patterns are escaped
 * (\ % _) and use ESCAPE '\'.  Terms are written so SQLite can use the
 * indexes on files / regions (BETWEEN on numeric columns, IN on keys, tag
 * lookups driven from the tags table).  NOT is NOT IFNULL(x, 0) so that a
 * file without a key is "not in A minor".
 *
 * Aliases: files f, roots r, and for regions g.  On files, region-only
 * fields (start, end, idx, region) mean "has a region with ...".
 *
 * Two forms (see find.c): normally terms can use indexes, carry measured
 * likelihood() hints, and free words go through the trigram index; with
 * qsql.noindex (an ordered scan) columns get a unary + and set lookups
 * become per-row probes, so nothing is collected before LIMIT applies.
 *
 * Costs: linear in the AST; allocation only for the SQL text and binds.
 */
#include <stdlib.h>
#include <string.h>

#include "catalog_int.h"

static void add_bind(struct qsql *q, int type, int64_t i, double d, const char *s)
{
	if (q->nb == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 16;
		q->b = xrealloc(q->b, (size_t)q->cap * sizeof(*q->b));
	}
	q->b[q->nb].type = type;
	q->b[q->nb].i = i;
	q->b[q->nb].d = d;
	q->b[q->nb].s = s != NULL ? xstrdup(s) : NULL;
	q->nb++;
}

static void bind_real(struct qsql *q, double d)
{
	str_add(&q->sql, "?");
	add_bind(q, 1, 0, d, NULL);
}

static void bind_int(struct qsql *q, int64_t i)
{
	str_add(&q->sql, "?");
	add_bind(q, 0, i, 0, NULL);
}

static void bind_text(struct qsql *q, const char *s)
{
	str_add(&q->sql, "?");
	add_bind(q, 2, 0, 0, s);
}

/* A LIKE pattern: %text% (or text% with a trailing '*'), escaped. */
static void bind_like(struct qsql *q, const char *text, int contains)
{
	struct str p;
	size_t n = strlen(text);
	int prefix = !contains && n > 0 && text[n - 1] == '*';

	str_init(&p);
	if (contains)
		str_add(&p, "%");
	for (size_t i = 0; i < n - (size_t)prefix; i++) {
		if (text[i] == '%' || text[i] == '_' || text[i] == '\\')
			str_add(&p, "\\");
		str_addn(&p, text + i, 1);
	}
	if (contains || prefix)
		str_add(&p, "%");
	str_add(&q->sql, "? ESCAPE '\\'");
	add_bind(q, 2, 0, 0, p.s != NULL ? p.s : "");
	str_fini(&p);
}

void cat_qsql_bind(const struct qsql *q, sqlite3_stmt *st)
{
	for (int i = 0; i < q->nb; i++) {
		int k = q->base + i + 1;
		switch (q->b[i].type) {
		case 0: sqlite3_bind_int64(st, k, q->b[i].i); break;
		case 1: sqlite3_bind_double(st, k, q->b[i].d); break;
		default: sqlite3_bind_text(st, k, q->b[i].s, -1, SQLITE_TRANSIENT); break;
		}
	}
}

void cat_qsql_fini(struct qsql *q)
{
	for (int i = 0; i < q->nb; i++)
		free(q->b[i].s);
	free(q->b);
	str_fini(&q->sql);
	memset(q, 0, sizeof(*q));
}

static int region_only(int field)
{
	return field == QF_START || field == QF_END || field == QF_IDX || field == QF_REGION;
}

/* The column of a numeric / text field (g = region row, f = file row). */
static const char *column(int field, int regions)
{
	switch (field) {
	case QF_NAME: return "f.name";
	case QF_CLASS: return regions ? "g.class" : "f.class";
	case QF_CONF: return regions ? "g.class_conf" : "f.class_conf";
	case QF_KEYCONF: return regions ? "g.key_conf" : "f.key_conf";
	case QF_BPMCONF: return regions ? "g.bpm_conf" : "f.bpm_conf";
	case QF_KEY:
	case QF_MODE: return regions ? "g.key" : "f.key";
	case QF_BPM: return regions ? "g.bpm" : "f.bpm";
	case QF_DUR: return regions ? "g.dur" : "f.duration";
	case QF_RATE: return "f.rate";
	case QF_CH: return "f.channels";
	case QF_BITS: return "f.bits";
	case QF_FORMAT: return "f.format";
	case QF_CODEC: return "f.codec";
	case QF_LOSSLESS: return "f.lossless";
	case QF_LOUD: return regions ? "g.loudness" : "f.loudness";
	case QF_PEAK: return regions ? "g.peak_db" : "f.peak_db";
	case QF_LRA: return regions ? "g.lra" : "f.lra";
	case QF_SIZE: return "f.size";
	case QF_METER: return "f.beats_per_bar";
	case QF_NREG: return "f.n_regions";
	case QF_ID: return regions ? "g.id" : "f.id";
	case QF_FILE: return "f.id";
	case QF_REGION: return "g.id";
	case QF_IDX: return "g.idx";
	case QF_START: return "g.start";
	case QF_END: return "g.\"end\"";
	case QF_DATE: return "f.analysed_at";
	case QF_PATH: return "(CASE WHEN r.path = '/' THEN '/' || f.relpath"
	                     " ELSE r.path || '/' || f.relpath END)";
	}
	return "NULL";
}

static void num(struct qsql *q, const struct qnode *n, const char *col)
{
	static const char *const cmp[] = { [QO_LT] = " < ", [QO_LE] = " <= ",
	                                   [QO_GT] = " > ", [QO_GE] = " >= " };
	switch (n->op) {
	case QO_NONE:
		str_addf(&q->sql, "%s IS NULL", col);
		return;
	case QO_EQ:
	case QO_RANGE:
		if (n->lo == n->hi) {
			str_addf(&q->sql, "%s = ", col);
			bind_real(q, n->lo);
			return;
		}
		str_addf(&q->sql, "%s BETWEEN ", col);
		bind_real(q, n->lo);
		str_add(&q->sql, " AND ");
		bind_real(q, n->hi);
		return;
	case QO_APPROX:
		/* the tempo, its half and its double, each within 4 % */
		str_add(&q->sql, "(");
		for (int i = 0; i < 3; i++) {
			double t = n->lo * (i == 0 ? 1 : i == 1 ? 0.5 : 2);
			str_addf(&q->sql, "%s%s BETWEEN ", i ? " OR " : "", col);
			bind_real(q, t * 0.96);
			str_add(&q->sql, " AND ");
			bind_real(q, t * 1.04);
		}
		str_add(&q->sql, ")");
		return;
	default:
		str_addf(&q->sql, "%s%s", col, cmp[n->op]);
		bind_real(q, n->lo);
		return;
	}
}

/* Trigram search needs three characters. */
static int fts_ok(const char *text)
{
	size_t chars = 0;
	for (const char *p = text; *p; p++)
		chars += ((unsigned char)*p & 0xc0) != 0x80;
	return chars >= 3;
}

/*
 * Files whose relative path contains text: through the trigram index
 * (schema 3) when text has three characters or more, else a LIKE scan.
 * The FTS5 query is one quoted string (quotes doubled), bound, so no
 * FTS5 syntax in the text has any effect.
 */
static void path_match(struct qsql *q, const char *text)
{
	struct str s;

	/* an ordered scan tests each row; the index would build the whole set */
	if (!fts_ok(text) || q->noindex) {
		str_add(&q->sql, q->noindex ? "+f.relpath LIKE " : "f.relpath LIKE ");
		bind_like(q, text, 1);
		return;
	}
	str_init(&s);
	str_add(&s, "\"");
	for (const char *p = text; *p; p++) {
		if (*p == '"')
			str_add(&s, "\"");
		str_addn(&s, p, 1);
	}
	str_add(&s, "\"");
	str_addf(&q->sql, "%sf.id IN (SELECT rowid FROM files_fts WHERE files_fts MATCH ",
	         q->noindex ? "+" : "");
	bind_text(q, s.s);
	str_add(&q->sql, ")");
	str_fini(&s);
}

/* Tag ids matching a tag term (exact, case-insensitive, or prefix*). */
static void tag_ids(struct qsql *q, const char *text)
{
	size_t n = strlen(text);

	if (n > 1 && text[n - 1] == '*') {
		str_add(&q->sql, "(SELECT id FROM tags WHERE name LIKE ");
		bind_like(q, text, 0);
		str_add(&q->sql, ")");
	} else {
		str_add(&q->sql, "(SELECT id FROM tags WHERE name = ");
		bind_text(q, text);
		str_add(&q->sql, ")");
	}
}

/*
 * "the file (region) has a tag in <set>": the caller appends the set and
 * one ')'.  Driven from the tag index normally; per row (a primary-key
 * probe) in an ordered scan, where building the whole set would cost more.
 */
static void tagged(struct qsql *q, int region, const char *set_head)
{
	if (q->noindex)
		str_addf(&q->sql, region ? "EXISTS (SELECT 1 FROM region_tags rt WHERE"
		         " rt.region = g.id AND rt.tag IN %s" : "EXISTS (SELECT 1 FROM file_tags ft"
		         " WHERE ft.file = f.id AND ft.tag IN %s", set_head);
	else
		str_addf(&q->sql, region ? "g.id IN (SELECT rt.region FROM region_tags rt WHERE"
		         " rt.tag IN %s" : "f.id IN (SELECT ft.file FROM file_tags ft WHERE"
		         " ft.tag IN %s", set_head);
}

static void term(struct qsql *q, const struct qnode *n, int regions)
{
	const char *col = column(n->field, regions);
	char low[32], buf[160];

	if (q->noindex) {
		/* unary + keeps SQLite from using an index for this term */
		snprintf(buf, sizeof(buf), "+%s", col);
		col = buf;
	}

	switch (n->field) {
	case QF_FREE:
		str_add(&q->sql, "(");
		path_match(q, n->text);
		str_add(&q->sql, " OR ");
		tagged(q, 0, "(SELECT id FROM tags WHERE name LIKE ");
		bind_like(q, n->text, 1);
		str_add(&q->sql, "))");
		if (regions) {
			str_add(&q->sql, " OR ");
			tagged(q, 1, "(SELECT id FROM tags WHERE name LIKE ");
			bind_like(q, n->text, 1);
			str_add(&q->sql, "))");
		}
		str_add(&q->sql, ")");
		return;
	case QF_NAME:
		/* the trigram index narrows, LIKE on the name decides */
		if (fts_ok(n->text)) {
			path_match(q, n->text);
			str_add(&q->sql, " AND ");
		}
		str_addf(&q->sql, "%s LIKE ", col);
		bind_like(q, n->text, 1);
		return;
	case QF_PATH:
		str_addf(&q->sql, "%s LIKE ", col);
		bind_like(q, n->text, 1);
		return;
	case QF_TAG:
		str_add(&q->sql, "(");
		tagged(q, 0, "");
		tag_ids(q, n->text);
		str_add(&q->sql, ")");
		if (regions) {
			str_add(&q->sql, " OR ");
			tagged(q, 1, "");
			tag_ids(q, n->text);
			str_add(&q->sql, ")");
		}
		str_add(&q->sql, ")");
		return;
	case QF_CLASS:
		if (n->op == QO_NONE) {
			str_addf(&q->sql, "%s IS NULL", col);
			return;
		}
		str_addf(&q->sql, "%s = ", col);
		bind_text(q, n->text);
		return;
	case QF_FORMAT:
	case QF_CODEC:
		str_lcpy(low, n->text, sizeof(low));
		for (char *p = low; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		str_addf(&q->sql, "%s = ", col);
		bind_text(q, low);
		return;
	case QF_STATUS:
		if (!strcmp(n->text, "missing")) {
			str_add(&q->sql, q->noindex ? "+f.missing = 1" : "f.missing = 1");
			return;
		}
		str_add(&q->sql, q->noindex ? "+f.status = " : "f.status = ");
		bind_text(q, n->text);
		return;
	case QF_KEY:
		if (n->op == QO_NONE) {
			str_addf(&q->sql, "%s IS NULL", col);
			return;
		}
		str_addf(&q->sql, "%s IN (", col);
		for (int i = 0; i < n->nkeys; i++) {
			if (i)
				str_add(&q->sql, ", ");
			bind_int(q, n->keys[i]);
		}
		str_add(&q->sql, ")");
		return;
	case QF_MODE:
		str_addf(&q->sql, "%s BETWEEN %d AND %d", col, n->lo ? 12 : 0, n->lo ? 23 : 11);
		return;
	case QF_LOSSLESS:
		str_addf(&q->sql, "%s = ", col);
		bind_int(q, (int64_t)n->lo);
		return;
	}
	num(q, n, col);
}

static void expr(struct qsql *q, const struct qnode *n, int target)
{
	const struct qnode *k;
	int regions = target == CAT_REGIONS;

	switch (n->kind) {
	case QN_TRUE:
		str_add(&q->sql, "1");
		return;
	case QN_AND:
	case QN_OR:
		if (n->kid == NULL) {
			str_add(&q->sql, "1");
			return;
		}
		str_add(&q->sql, "(");
		for (k = n->kid; k != NULL; k = k->next) {
			if (k != n->kid)
				str_add(&q->sql, n->kind == QN_AND ? " AND " : " OR ");
			expr(q, k, target);
		}
		str_add(&q->sql, ")");
		return;
	case QN_NOT:
		str_add(&q->sql, "NOT IFNULL(");
		expr(q, n->kid, target);
		str_add(&q->sql, ", 0)");
		return;
	}
	if (!regions && region_only(n->field)) {
		str_add(&q->sql, "EXISTS (SELECT 1 FROM regions g WHERE g.file = f.id AND ");
		term(q, n, 1);
		str_add(&q->sql, ")");
		return;
	}
	if (n->est > 0 && !q->noindex) {
		/* a measured share (our number, not input) guides the planner */
		str_add(&q->sql, "likelihood((");
		term(q, n, regions);
		str_addf(&q->sql, "), %.6f)", n->est < 1 ? n->est : 1.0);
		return;
	}
	term(q, n, regions);
}

void cat_query_term_sql(const struct qnode *n, int target, struct qsql *out)
{
	term(out, n, target == CAT_REGIONS);
}

const char *cat_query_term_table(const struct qnode *n, int target)
{
	int regions = target == CAT_REGIONS;
	const char *col;

	if (n->kind != QN_TERM)
		return NULL;
	switch (n->field) {
	case QF_CLASS: case QF_CONF: case QF_KEY: case QF_MODE: case QF_BPM: case QF_DUR:
	case QF_LOUD: case QF_START: case QF_RATE: case QF_CH: case QF_FORMAT:
	case QF_STATUS: case QF_SIZE: case QF_KEYCONF: case QF_BPMCONF: case QF_PEAK:
		break;
	default:
		return NULL;
	}
	if (!regions && region_only(n->field))
		return NULL;
	col = column(n->field, regions);
	if (col[0] == 'g') {
		/* region columns with an index */
		return n->field == QF_KEYCONF || n->field == QF_BPMCONF || n->field == QF_PEAK
		       ? NULL : "regions g";
	}
	return "files f";
}

void cat_query_where(const struct cat_query *q, int target, struct qsql *out)
{
	expr(out, q->root, target);
}

/* The column a sort key orders by. */
static const char *sort_col(int f, int regions)
{
	if (!regions && region_only(f))
		return "f.id";
	return column(f, regions);
}

int cat_query_sort_nullable(const struct cat_query *q)
{
	int f;

	if (q == NULL || q->nsort == 0)
		return 0;
	f = q->sort_field[0];
	return !(f == QF_PATH || f == QF_NAME || f == QF_ID || f == QF_FILE ||
	         f == QF_REGION || f == QF_IDX || f == QF_START || f == QF_END);
}

const char *cat_query_sort_col(const struct cat_query *q, int target)
{
	return sort_col(q->sort_field[0], target == CAT_REGIONS);
}

/*
 * ORDER BY: the sort keys, then the row id in the first key's direction,
 * so that an index on the first key (whose entries end in the rowid)
 * delivers rows in order and LIMIT stops early.  phase: 0 = one query;
 * 1 = the rows whose first key is set; 2 = the rows where it is NULL
 * (first key skipped): find.c runs 1 then 2 so unset values come last
 * without NULLS LAST, which no index can serve.
 */
void cat_query_order(const struct cat_query *q, int target, int phase, struct qsql *out)
{
	int regions = target == CAT_REGIONS;
	int desc = q != NULL && q->nsort > 0 && q->sort_desc[0];
	const char *id = regions ? "g.id" : "f.id";

	str_add(&out->sql, " ORDER BY ");
	for (int i = phase == 2 ? 1 : 0; q != NULL && i < q->nsort; i++) {
		int f = q->sort_field[i];
		const char *dir = q->sort_desc[i] ? "DESC" : "ASC";
		if (f == QF_PATH)
			str_addf(&out->sql, "f.root %s, f.relpath %s, ", dir, dir);
		else
			str_addf(&out->sql, "%s %s%s, ", sort_col(f, regions), dir,
			         i == 0 && phase != 0 ? "" : " NULLS LAST");
	}
	str_addf(&out->sql, "%s %s", id, desc ? "DESC" : "ASC");
}
