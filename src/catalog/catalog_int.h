/*
 * catalog_int.h - shared between the files of src/catalog only (never
 * included from outside): the connection struct, the prepared-statement
 * cache, transactions with BEGIN IMMEDIATE and busy retries, row readers
 * and the query AST.
 *
 * Statement cache: statements are keyed by the address of their SQL text
 * (always a static string), prepared once with SQLITE_PREPARE_PERSISTENT,
 * and reset + unbound each time cat_stmt() hands them out.  Text read from
 * a cached statement stays valid until the next cat_stmt() of the same SQL.
 */
#ifndef GRYM_CATALOG_INT_H
#define GRYM_CATALOG_INT_H

#include <sqlite3.h>
#include <stdint.h>

#include "grym/catalog.h"
#include "grym/util.h"

#define CAT_NSTMT 128   /* static statements: ~96 in the tree with patterns, simvec and dupes */

struct cat {
	sqlite3 *db;
	char *path;                 /* as given to cat_open */
	int readonly;                 /* 1 asked for, 2 fell back to (read-only file system) */
	int depth;                  /* open transaction levels (0 = none) */
	int batch;                  /* inside cat_batch_begin() */
	int fault_countdown;        /* testing: the Nth write step fails (0 = off) */
	int plan;                   /* testing: 0 auto, 1 ordered scan, 2 planner + hints */
	int64_t data_version;       /* last PRAGMA data_version seen */
	char version[256];          /* analysis version most recently stored */
	char *file_strings;         /* strings of the last cat_file_get() row (owned) */
	int nstmt;
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} stmt[CAT_NSTMT];
};

/* A cached statement for static sql, reset and unbound; NULL with err. */
sqlite3_stmt *cat_stmt(struct cat *c, const char *sql, struct gr_err *err);
/* Fill err from the connection's last error; returns -GR_EDB (-GR_EBUSY for a
 * lock, -GR_EFULL for a full disk). */
int cat_dberr(struct cat *c, struct gr_err *err, const char *what);
/* Run static SQL without results (DDL, pragmas). */
int cat_exec(struct cat *c, const char *sql, struct gr_err *err);
/*
 * Step a write statement to completion and reset it; 0 or -GR_EDB.  Counts
 * down the testing fault hook.
 */
int cat_step_done(struct cat *c, sqlite3_stmt *st, struct gr_err *err);
/*
 * Step a statement expected to return at most one row: 1 row (left
 * un-reset so its columns can be read), 0 none, -GR_EDB.
 */
int cat_step_row(struct cat *c, sqlite3_stmt *st, struct gr_err *err);

/*
 * Begin a write transaction: BEGIN IMMEDIATE at the outer level (retried
 * with back-off while another process writes), a SAVEPOINT inside.
 * cat_tx_end() commits (rollback = 0) or rolls back its own level.
 */
int cat_tx_begin(struct cat *c, struct gr_err *err);
int cat_tx_end(struct cat *c, int rollback, struct gr_err *err);

/* Bind helpers: NaN / NULL text become SQL NULL. */
void cat_bind_text(sqlite3_stmt *st, int i, const char *s);
void cat_bind_real(sqlite3_stmt *st, int i, double v);
/* Column helpers: NULL reads as "" / NAN / def. */
const char *cat_col_text(sqlite3_stmt *st, int i);
double cat_col_real(sqlite3_stmt *st, int i);
int cat_col_int(sqlite3_stmt *st, int i, int def);

/* The column list every file row uses (files f JOIN roots r). */
#define CAT_FILE_COLS \
	"f.id, f.root, CASE WHEN r.path = '/' THEN '/' || f.relpath " \
	"ELSE r.path || '/' || f.relpath END, f.relpath, f.name, f.size, f.mtime_ns, " \
	"f.hash, f.format, f.codec, f.rate, f.channels, f.bits, f.lossless, f.duration, " \
	"f.loudness, f.lra, f.peak_db, f.status, f.missing, f.error, f.analysed_at, " \
	"f.version, f.class, f.class_conf, f.key, f.key_conf, f.bpm, f.bpm_conf, " \
	"f.beats_per_bar, f.n_regions, " \
	"(SELECT group_concat(name, ',') FROM (SELECT t.name FROM file_tags ft " \
	"JOIN tags t ON t.id = ft.tag WHERE ft.file = f.id ORDER BY t.name)), " \
	"(SELECT summary FROM file_detail WHERE file = f.id)"
void cat_row_file(sqlite3_stmt *st, struct cat_file *out);

/* Region rows (regions g JOIN files f JOIN roots r). */
#define CAT_REGION_COLS \
	"g.id, g.file, g.idx, g.start, g.\"end\", g.peak_db, g.loudness, g.lra, " \
	"g.class, g.class_conf, g.runner, g.key, g.key_conf, g.has_tempo, g.bpm, " \
	"g.bpm_conf, CASE WHEN r.path = '/' THEN '/' || f.relpath " \
	"ELSE r.path || '/' || f.relpath END, " \
	"(SELECT group_concat(name, ',') FROM (SELECT t.name FROM region_tags rt " \
	"JOIN tags t ON t.id = rt.tag WHERE rt.region = g.id ORDER BY t.name)), " \
	"(SELECT timeline FROM region_detail WHERE region = g.id), " \
	"(SELECT tempo FROM region_detail WHERE region = g.id), " \
	"(SELECT keyinfo FROM region_detail WHERE region = g.id)"
void cat_row_region(sqlite3_stmt *st, struct cat_region *out);

/* Status names as stored. */
int cat_status_parse(const char *s);   /* -1 if unknown */

/* Tag id for name, created if needed (inside a transaction); 0 or -GR_E*. */
int cat_tag_id(struct cat *c, const char *name, int64_t *id, struct gr_err *err);
/* Replace the automatic tags of a file / region with name (NULL = none). */
int cat_auto_tag_file(struct cat *c, int64_t file_id, const char *name, struct gr_err *err);
int cat_auto_tag_region(struct cat *c, int64_t region_id, const char *name,
                        struct gr_err *err);

/* Insert or update the files row for root/relpath; fills *id. */
int cat_file_upsert_failed(struct cat *c, int64_t root_id, const char *relpath,
                           const char *reason, const char *version, int64_t *id,
                           struct gr_err *err);
/* Store inside an open transaction (shared by store_analysis and jobs). */
int cat_store_in_tx(struct cat *c, int64_t root_id, const char *relpath,
                    const struct an_file *f, const char *version, int64_t *file_id,
                    struct gr_err *err);
/* Remember the analysis version in meta (inside a transaction). */
int cat_note_version(struct cat *c, const char *version, struct gr_err *err);
/* Replace the stored repeated sections of region rid (file fid) with r's
 * (patterns.c; inside the caller's transaction). */
int cat_patterns_put(struct cat *c, int64_t fid, int64_t rid, const struct an_region *r,
                     struct gr_err *err);

/* ---- query AST (query_parse.c -> query_sql.c) ---------------------------- */

enum qfield {
	QF_FREE, QF_NAME, QF_PATH, QF_TAG, QF_CLASS, QF_CONF, QF_KEYCONF, QF_BPMCONF,
	QF_KEY, QF_MODE, QF_BPM, QF_DUR, QF_RATE, QF_CH, QF_BITS, QF_FORMAT, QF_CODEC,
	QF_LOSSLESS, QF_STATUS, QF_LOUD, QF_PEAK, QF_LRA, QF_SIZE, QF_METER, QF_ID,
	QF_FILE, QF_REGION, QF_IDX, QF_START, QF_END, QF_DATE, QF_NREG, QF_SORT, QF_NFIELD
};

enum qop { QO_EQ, QO_LT, QO_LE, QO_GT, QO_GE, QO_RANGE, QO_APPROX, QO_NONE, QO_IN };

enum qkind { QN_TRUE, QN_AND, QN_OR, QN_NOT, QN_TERM };

struct qnode {
	int kind;                   /* enum qkind */
	size_t pos;                 /* byte offset in the query text */
	struct qnode *kid, *next;   /* AND/OR/NOT: children list */
	int field;                  /* enum qfield */
	int op;                     /* enum qop */
	double lo, hi;              /* numeric bounds (RANGE/EQ tolerance baked in) */
	int keys[24], nkeys;        /* QF_KEY with QO_IN */
	char *text;                 /* text value (owned) */
	int desc;                   /* QF_SORT: descending */
	double est;                 /* measured share of rows matching (0 = unknown);
	                               set by find.c, a hint for the planner */
};

struct cat_query {
	struct qnode *root;         /* never NULL (QN_TRUE for "") */
	int nsort;
	int sort_field[8];
	int sort_desc[8];
};

/* Bound values collected while the SQL text is built. */
struct qbind {
	int type;                   /* 0 int, 1 real, 2 text */
	int64_t i;
	double d;
	char *s;                    /* owned copy */
};
struct qsql {
	struct str sql;
	struct qbind *b;
	int nb, cap;
	int base;                   /* placeholders before the query's own */
	int noindex;                /* terms must not use indexes (ordered scan) */
};
/* Append the WHERE expression of q for target to out (with binds). */
void cat_query_where(const struct cat_query *q, int target, struct qsql *out);
/* Append the SQL of one term alone (for estimating its selectivity). */
void cat_query_term_sql(const struct qnode *n, int target, struct qsql *out);
/* The table ("files f" / "regions g") a term's index lives in, or NULL if
 * the term has no index to estimate with. */
const char *cat_query_term_table(const struct qnode *n, int target);
/* Append " ORDER BY ..." for q and target; phase 0 one query, 1 rows with
 * the first sort key set, 2 rows where it is NULL (see query_sql.c). */
void cat_query_order(const struct cat_query *q, int target, int phase, struct qsql *out);
/* Nonzero if the first sort key can be NULL (find.c then runs two phases). */
int cat_query_sort_nullable(const struct cat_query *q);
/* The SQL column of the first sort key. */
const char *cat_query_sort_col(const struct cat_query *q, int target);
/* Bind q's values to st, in order, from placeholder base + 1 (the
 * generated SQL uses anonymous "?" placeholders). */
void cat_qsql_bind(const struct qsql *q, sqlite3_stmt *st);
void cat_qsql_fini(struct qsql *q);

/* Fields and term values (query_term.c). */
struct qctx {
	const char *text;           /* the whole query */
	size_t *errpos;             /* where the error is, byte offset */
	struct gr_err *err;
};
/* Fill x's error "at character N: ..." (N counted in characters); -GR_EUSAGE. */
int cat_qerr(struct qctx *x, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct qfdef {
	const char *name;           /* "bpm" */
	int field, type, unit;      /* enum qfield, value type, unit family */
};
const struct qfdef *cat_qfield(const char *name);       /* NULL if unknown */
const struct qfdef *cat_qfield_of(int field);
const char *cat_qfield_suggest(const char *name);       /* nearest name or NULL */
/* A term node for field fd (NULL = free word) and value v (taken, freed);
 * 0 with *out, or -GR_EUSAGE with the error in x. */
int cat_qterm(struct qctx *x, const struct qfdef *fd, char *v, size_t pos, size_t vpos,
              struct qnode **out);
struct qnode *cat_qnode_new(int kind, size_t pos);
void cat_qnode_free(struct qnode *n);   /* the node, its kids and siblings */

/* Lexer (query_lex.c). */
enum qtok { QT_END, QT_WORD, QT_COMMA, QT_LPAREN, QT_RPAREN, QT_NOT };
struct qlex {
	const char *s;
	size_t pos;                 /* next byte to read */
};
struct qtoken {
	int type;                   /* enum qtok */
	size_t pos;                 /* byte offset of the token */
	char field[16];             /* "bpm" for bpm:..., "" for a free word */
	size_t vpos;                /* byte offset of the value */
	char *value;                /* unquoted, unescaped (owned; NULL if not a word) */
	int quoted;                 /* the value had quotes */
};
/* Next token; 0, or -GR_EUSAGE with err ("unterminated quote") and *errpos. */
int cat_lex_next(struct qlex *l, struct qtoken *t, size_t *errpos, struct gr_err *err);
/* 1-based character (UTF-8 code point) number of byte offset pos in s. */
size_t cat_lex_charno(const char *s, size_t pos);

/* Replace the fingerprint of file fid with f's (deleted when f has none
 * or f is NULL), inside a transaction (fingerprint.c). */
int cat_fp_put(struct cat *c, int64_t fid, const struct an_file *f, struct gr_err *err);
int cat_fp_clear(struct cat *c, int64_t fid, struct gr_err *err);

/* The float vector of n values stored for region_id by sql (one ?1, one
 * blob column): 1 found, 0 none, -GR_ECORRUPT when the blob is not n
 * floats ("what vector of region N is damaged"), -GR_E* else. */
int cat_region_vec(struct cat *c, const char *sql, int64_t region_id, float *vec, size_t n,
                   const char *what, struct gr_err *err);

#endif
