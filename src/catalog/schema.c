/*
 * schema.c - opening the catalog: connection settings, the schema and its
 * forward migrations, the prepared-statement cache and transactions.
 *
 * Migrations are an ordered list of steps; step i brings a catalog from
 * schema i to i + 1 (step 0 creates schema 1 from nothing).  A catalog at
 * version v runs steps v..CAT_SCHEMA_VERSION-1 in one IMMEDIATE
 * transaction, so a migration is all-or-nothing.  Old steps are never
 * edited once released: the tests build a schema-1 catalog from step 0
 * alone and check that it is migrated with its data intact.
 *
 * Busy handling: sqlite3_busy_timeout() makes every statement wait for
 * locks; BEGIN IMMEDIATE is also retried with back-off, so a writer waits
 * up to CAT_BUSY_TRIES x CAT_BUSY_MS before GR_EBUSY reaches a user.
 *
 * Thread rules: a handle belongs to one thread at a time.
 */
#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog_int.h"

#define CAT_BUSY_MS 5000     /* per statement */
#define CAT_BUSY_TRIES 12    /* BEGIN IMMEDIATE attempts (one minute in all) */

/* Schema 1: the first released catalog. */
static const char schema_v1[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;"
	"CREATE TABLE roots(id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE);"
	"CREATE TABLE files("
	" id INTEGER PRIMARY KEY,"
	" root INTEGER NOT NULL REFERENCES roots(id) ON DELETE CASCADE,"
	" relpath TEXT NOT NULL, name TEXT NOT NULL,"
	" size INTEGER, mtime_ns INTEGER, hash INTEGER,"
	" format TEXT, codec TEXT, rate INTEGER, channels INTEGER, bits INTEGER,"
	" lossless INTEGER, duration REAL, loudness REAL, lra REAL, peak_db REAL,"
	" status TEXT NOT NULL, missing INTEGER NOT NULL DEFAULT 0, error TEXT,"
	" analysed_at REAL, version TEXT,"
	" class TEXT, class_conf REAL, key INTEGER, key_conf REAL,"
	" bpm REAL, bpm_conf REAL, beats_per_bar INTEGER,"
	" n_regions INTEGER NOT NULL DEFAULT 0,"
	" UNIQUE(root, relpath));"
	"CREATE INDEX files_hash ON files(hash);"
	"CREATE INDEX files_name ON files(name);"
	"CREATE INDEX files_class ON files(class, class_conf);"
	"CREATE INDEX files_key ON files(key);"
	"CREATE INDEX files_bpm ON files(bpm);"
	"CREATE INDEX files_duration ON files(duration);"
	"CREATE INDEX files_rate ON files(rate);"
	"CREATE INDEX files_channels ON files(channels);"
	"CREATE INDEX files_format ON files(format);"
	"CREATE INDEX files_status ON files(status);"
	"CREATE INDEX files_missing ON files(missing) WHERE missing;"
	"CREATE INDEX files_loudness ON files(loudness);"
	"CREATE INDEX files_class_conf ON files(class_conf);"
	"CREATE INDEX files_key_conf ON files(key_conf);"
	"CREATE INDEX files_bpm_conf ON files(bpm_conf);"
	"CREATE INDEX files_size ON files(size);"
	"CREATE INDEX files_peak ON files(peak_db);"
	"CREATE TABLE regions("
	" id INTEGER PRIMARY KEY,"
	" file INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,"
	" idx INTEGER NOT NULL, start REAL NOT NULL, \"end\" REAL NOT NULL,"
	" dur REAL NOT NULL, peak_db REAL, loudness REAL, lra REAL,"
	" class TEXT, class_conf REAL, runner TEXT, key INTEGER, key_conf REAL,"
	" bpm REAL, bpm_conf REAL, has_tempo INTEGER NOT NULL DEFAULT 0,"
	" UNIQUE(file, idx));"
	"CREATE INDEX regions_class ON regions(class, class_conf);"
	"CREATE INDEX regions_key ON regions(key);"
	"CREATE INDEX regions_bpm ON regions(bpm);"
	"CREATE INDEX regions_dur ON regions(dur);"
	"CREATE INDEX regions_loudness ON regions(loudness);"
	"CREATE INDEX regions_class_conf ON regions(class_conf);"
	"CREATE INDEX regions_start ON regions(start);"
	/* detail JSON lives apart so scans of files / regions stay narrow */
	"CREATE TABLE file_detail("
	" file INTEGER PRIMARY KEY REFERENCES files(id) ON DELETE CASCADE,"
	" summary TEXT);"
	"CREATE TABLE region_detail("
	" region INTEGER PRIMARY KEY REFERENCES regions(id) ON DELETE CASCADE,"
	" timeline TEXT, tempo TEXT, keyinfo TEXT);"
	"CREATE TABLE results("
	" region INTEGER NOT NULL REFERENCES regions(id) ON DELETE CASCADE,"
	" plugin TEXT NOT NULL, ord INTEGER NOT NULL, version INTEGER NOT NULL,"
	" status TEXT NOT NULL,"
	" time REAL, error TEXT, detail TEXT,"
	" PRIMARY KEY(region, plugin)) WITHOUT ROWID;"
	"CREATE INDEX results_bad ON results(plugin, status) WHERE status != 'ok';"
	"CREATE TABLE tags(id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE COLLATE NOCASE);"
	"CREATE TABLE file_tags("
	" file INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,"
	" tag INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,"
	" auto INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY(file, tag)) WITHOUT ROWID;"
	"CREATE INDEX file_tags_tag ON file_tags(tag, file);"
	"CREATE TABLE region_tags("
	" region INTEGER NOT NULL REFERENCES regions(id) ON DELETE CASCADE,"
	" tag INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,"
	" auto INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY(region, tag)) WITHOUT ROWID;"
	"CREATE INDEX region_tags_tag ON region_tags(tag, region);"
	"CREATE TABLE features("
	" region INTEGER PRIMARY KEY REFERENCES regions(id) ON DELETE CASCADE,"
	" vec BLOB NOT NULL);"
	"CREATE TABLE peaks("
	" file INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,"
	" level INTEGER NOT NULL, n INTEGER NOT NULL, bucket_s REAL NOT NULL,"
	" data BLOB NOT NULL, PRIMARY KEY(file, level)) WITHOUT ROWID;"
	"CREATE TABLE jobs("
	" id INTEGER PRIMARY KEY,"
	" root INTEGER NOT NULL REFERENCES roots(id) ON DELETE CASCADE,"
	" relpath TEXT NOT NULL, state TEXT NOT NULL, pid INTEGER,"
	" started_at REAL, finished_at REAL, attempts INTEGER NOT NULL DEFAULT 0,"
	" error TEXT, audio_s REAL, UNIQUE(root, relpath));"
	"CREATE INDEX jobs_state ON jobs(state, id);";

/* Schema 2: plugin health kept across runs (for doctor and the TUI). */
static const char schema_v2[] =
	"CREATE TABLE plugin_health("
	" plugin TEXT PRIMARY KEY, version INTEGER NOT NULL,"
	" count INTEGER NOT NULL, failures INTEGER NOT NULL,"
	" timeouts INTEGER NOT NULL, skipped INTEGER NOT NULL,"
	" median_time REAL, max_time REAL, disabled INTEGER NOT NULL,"
	" last_error TEXT, updated_at REAL NOT NULL) WITHOUT ROWID;"
	"CREATE INDEX files_version ON files(version);";

/*
 * Schema 3: a trigram index over relative paths, so free words and name:
 * / path: find substrings without scanning every file.  Kept in step by
 * triggers; existing rows are indexed by the 'rebuild'.
 */
static const char schema_v3[] =
	"CREATE VIRTUAL TABLE files_fts USING fts5(relpath, content='files',"
	" content_rowid='id', tokenize='trigram');"
	"CREATE TRIGGER files_fts_ai AFTER INSERT ON files BEGIN"
	" INSERT INTO files_fts(rowid, relpath) VALUES(new.id, new.relpath); END;"
	"CREATE TRIGGER files_fts_ad AFTER DELETE ON files BEGIN"
	" INSERT INTO files_fts(files_fts, rowid, relpath)"
	" VALUES('delete', old.id, old.relpath); END;"
	"CREATE TRIGGER files_fts_au AFTER UPDATE OF relpath ON files BEGIN"
	" INSERT INTO files_fts(files_fts, rowid, relpath)"
	" VALUES('delete', old.id, old.relpath);"
	" INSERT INTO files_fts(rowid, relpath) VALUES(new.id, new.relpath); END;"
	"INSERT INTO files_fts(files_fts) VALUES('rebuild');";

/*
 * Schema 4: finding by sound.  simvec holds each region's similarity
 * descriptor (AN_SIM_DIM floats, see grym/similar.h); fingerprints the
 * Chromaprint raw fingerprint of each file (uint32 items, item_s seconds
 * apart) for near-duplicates; patterns the repeated sections found inside
 * regions (occurrences of one group sound alike).
 */
static const char schema_v4[] =
	"CREATE TABLE simvec("
	" region INTEGER PRIMARY KEY REFERENCES regions(id) ON DELETE CASCADE,"
	" vec BLOB NOT NULL);"
	"CREATE TABLE fingerprints("
	" file INTEGER PRIMARY KEY REFERENCES files(id) ON DELETE CASCADE,"
	" item_s REAL NOT NULL, fp BLOB NOT NULL);"
	"CREATE TABLE patterns("
	" file INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,"
	" region INTEGER NOT NULL REFERENCES regions(id) ON DELETE CASCADE,"
	" grp INTEGER NOT NULL, start REAL NOT NULL, \"end\" REAL NOT NULL,"
	" score REAL NOT NULL);"
	"CREATE INDEX patterns_file ON patterns(file, region, grp, start);"
	"CREATE INDEX patterns_region ON patterns(region);";

/* steps[i] migrates schema i to i + 1.  Append only. */
static const char *const steps[CAT_SCHEMA_VERSION] = { schema_v1, schema_v2, schema_v3,
						       schema_v4 };

const char *cat_schema_step(int i)
{
	return i >= 0 && i < CAT_SCHEMA_VERSION ? steps[i] : NULL;
}

int cat_dberr(struct cat *c, struct gr_err *err, const char *what)
{
	int rc = sqlite3_extended_errcode(c->db);
	int code = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED ? GR_EBUSY
	                                                                       : GR_EDB;

	/* A full disk is the one write failure users fix themselves: its own
	 * code, so callers can keep the work queued instead of failing files. */
	if ((rc & 0xff) == SQLITE_FULL)
		code = GR_EFULL;
	return gr_fail(err, code, "%s: %s: %s", c->path, what, sqlite3_errmsg(c->db));
}

int cat_exec(struct cat *c, const char *sql, struct gr_err *err)
{
	if (sqlite3_exec(c->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return cat_dberr(c, err, "exec");
	return 0;
}

sqlite3_stmt *cat_stmt(struct cat *c, const char *sql, struct gr_err *err)
{
	sqlite3_stmt *st;

	for (int i = 0; i < c->nstmt; i++) {
		if (c->stmt[i].sql == sql) {
			st = c->stmt[i].st;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	}
	if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) !=
	    SQLITE_OK) {
		cat_dberr(c, err, "prepare");
		return NULL;
	}
	if (c->nstmt < CAT_NSTMT) {
		c->stmt[c->nstmt].sql = sql;
		c->stmt[c->nstmt].st = st;
		c->nstmt++;
	}
	/* a full cache is a programmer error (more static statements than slots) */
	assert(c->nstmt < CAT_NSTMT);
	return st;
}

int cat_step_done(struct cat *c, sqlite3_stmt *st, struct gr_err *err)
{
	int rc;

	if (c->fault_countdown > 0 && --c->fault_countdown == 0) {
		sqlite3_reset(st);
		return gr_fail(err, GR_EDB, "%s: injected fault", c->path);
	}
	rc = sqlite3_step(st);
	while (rc == SQLITE_ROW)
		rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		int r = cat_dberr(c, err, "write");
		sqlite3_reset(st);
		return r;
	}
	sqlite3_reset(st);
	return 0;
}

int cat_step_row(struct cat *c, sqlite3_stmt *st, struct gr_err *err)
{
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return 0;
	}
	rc = cat_dberr(c, err, "read");
	sqlite3_reset(st);
	return rc;
}

static void backoff(int attempt)
{
	/* 10 ms growing to 250 ms, with jitter so two waiters do not collide */
	long ms = 10L << (attempt < 5 ? attempt : 5);
	struct timespec ts;
	if (ms > 250)
		ms = 250;
	ms += rand() % 10;
	ts.tv_sec = 0;
	ts.tv_nsec = ms * 1000000L;
	nanosleep(&ts, NULL);
}

int cat_tx_begin(struct cat *c, struct gr_err *err)
{
	int rc = SQLITE_OK;

	if (c->readonly == 2)
		return gr_fail(err, GR_EIO, "%s: the catalog is read-only (read-only file system "
		               "or no write permission): nothing can be changed", c->path);
	if (c->readonly)
		return gr_fail(err, GR_EUSAGE, "%s: catalog opened read-only", c->path);
	if (c->depth > 0) {
		if (sqlite3_exec(c->db, "SAVEPOINT w", NULL, NULL, NULL) != SQLITE_OK)
			return cat_dberr(c, err, "savepoint");
		c->depth++;
		return 0;
	}
	for (int i = 0; i < CAT_BUSY_TRIES; i++) {
		rc = sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		if (rc == SQLITE_OK) {
			c->depth = 1;
			return 0;
		}
		if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
			break;
		backoff(i);
	}
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		return gr_fail(err, GR_EBUSY, "%s: another grym has been writing the catalog "
		               "for over a minute; try again later", c->path);
	return cat_dberr(c, err, "begin");
}

int cat_tx_end(struct cat *c, int rollback, struct gr_err *err)
{
	int rc;

	assert(c->depth > 0);
	if (c->depth > 1) {
		c->depth--;
		if (rollback)
			sqlite3_exec(c->db, "ROLLBACK TO w", NULL, NULL, NULL);
		rc = sqlite3_exec(c->db, "RELEASE w", NULL, NULL, NULL);
		return rc == SQLITE_OK ? 0 : cat_dberr(c, err, "release");
	}
	c->depth = 0;
	if (rollback) {
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
		return 0;
	}
	/* In WAL mode COMMIT can meet a busy checkpointer; retry briefly. */
	for (int i = 0; i < CAT_BUSY_TRIES; i++) {
		rc = sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			return 0;
		if ((rc & 0xff) != SQLITE_BUSY)
			break;
		backoff(i);
	}
	rc = cat_dberr(c, err, "commit");
	sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int cat_batch_begin(struct cat *c, struct gr_err *err)
{
	if (c->batch)
		return gr_fail(err, GR_EUSAGE, "%s: batch already open", c->path);
	if (cat_tx_begin(c, err) != 0)
		return -err->code;
	c->batch = 1;
	return 0;
}

int cat_batch_end(struct cat *c, int rollback, struct gr_err *err)
{
	if (!c->batch)
		return gr_fail(err, GR_EUSAGE, "%s: no batch open", c->path);
	c->batch = 0;
	return cat_tx_end(c, rollback, err);
}

static int get_user_version(struct cat *c, int *v, struct gr_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(c->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return cat_dberr(c, err, "read schema version");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return cat_dberr(c, err, "read schema version");
	return 0;
}

/* Run steps [from, CAT_SCHEMA_VERSION) in one transaction. */
static int migrate(struct cat *c, struct gr_err *err)
{
	char sql[64];
	int v, r;

	if (get_user_version(c, &v, err) != 0)
		return -err->code;
	if (v > CAT_SCHEMA_VERSION)
		goto newer;
	if (v == CAT_SCHEMA_VERSION)
		return 0;
	if (c->readonly)
		return gr_fail(err, GR_EUSAGE, "%s: catalog needs migrating from schema %d "
		               "to %d; open it read-write once", c->path, v, CAT_SCHEMA_VERSION);
	if ((r = cat_tx_begin(c, err)) != 0)
		return r;
	/* another process may have migrated while we waited for the lock */
	if (get_user_version(c, &v, err) != 0)
		goto fail;
	if (v > CAT_SCHEMA_VERSION) {
		cat_tx_end(c, 1, err);
		goto newer;
	}
	for (int i = v; i < CAT_SCHEMA_VERSION; i++) {
		if (sqlite3_exec(c->db, steps[i], NULL, NULL, NULL) != SQLITE_OK) {
			cat_dberr(c, err, "migrate");
			gr_prefix(err, "schema %d to %d", i, i + 1);
			goto fail;
		}
		log_debug("%s: migrated schema %d to %d", c->path, i, i + 1);
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", CAT_SCHEMA_VERSION);
	if (cat_exec(c, sql, err) != 0)
		goto fail;
	return cat_tx_end(c, 0, err);
fail:
	cat_tx_end(c, 1, NULL);
	return -err->code;
newer:
	return gr_fail(err, GR_EUSAGE, "%s was made by a newer grym (schema %d, this grym "
	               "knows %d); upgrade grym or use another catalog", c->path, v,
	               CAT_SCHEMA_VERSION);
}

static void load_version(struct cat *c)
{
	struct gr_err e = { 0 };
	sqlite3_stmt *st = cat_stmt(c, "SELECT value FROM meta WHERE key = 'analysis_version'",
	                            &e);
	c->version[0] = '\0';
	if (st != NULL && cat_step_row(c, st, &e) == 1) {
		str_lcpy(c->version, cat_col_text(st, 0), sizeof(c->version));
		sqlite3_reset(st);
	}
}

/* "file:" URI of a path: '%', '?' and '#' (and non-ASCII bytes) escaped. */
static char *path_uri(const char *path, const char *query)
{
	struct str b;

	str_init(&b);
	str_add(&b, "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#' || *p < 0x21 || *p >= 0x7f)
			str_addf(&b, "%%%02X", *p);
		else
			str_addf(&b, "%c", *p);
	}
	str_addf(&b, "?%s", query);
	return b.s;
}

/*
 * The catalog cannot be opened for writing (a read-only file system, a
 * read-only bind mount, no write permission) and SQLite cannot create the
 * WAL index next to it: open it read-only so that reading commands work
 * (found by tests/integration/faults.sh).  First "mode=ro" (works when the
 * -shm file exists); then "immutable=1", but only when no WAL file with
 * content is present (an immutable open would not see its pages).
 * Returns 0 with c->db replaced and c->readonly = 2, or -1 (c->db is left
 * as it was for the caller's error message).
 */
static int open_readonly_fallback(struct cat *c)
{
	static const char *const modes[] = { "mode=ro", "immutable=1" };
	char *wal = xasprintf("%s-wal", c->path);
	struct stat st;
	int wal_data = stat(wal, &st) == 0 && st.st_size > 0;

	free(wal);
	for (size_t i = 0; i < GR_ARRAY_LEN(modes); i++) {
		sqlite3 *db = NULL;
		char *uri;
		int ok;

		if (i == 1 && wal_data)
			break;
		uri = path_uri(c->path, modes[i]);
		ok = sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI |
		                     SQLITE_OPEN_NOMUTEX, NULL) == SQLITE_OK &&
		     sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", NULL, NULL,
		                  NULL) == SQLITE_OK;
		free(uri);
		if (ok) {
			sqlite3_close_v2(c->db);
			c->db = db;
			c->readonly = 2;
			sqlite3_extended_result_codes(c->db, 1);
			sqlite3_busy_timeout(c->db, CAT_BUSY_MS);
			return 0;
		}
		sqlite3_close_v2(db);
	}
	return -1;
}

struct cat *cat_open(const char *path, int flags, struct gr_err *err)
{
	struct cat *c;
	char *dir = NULL, *slash;
	int oflags;

	c = xcalloc(1, sizeof(*c));
	c->path = xstrdup(path);
	c->readonly = (flags & CAT_OPEN_READONLY) != 0;
	if (!c->readonly) {
		dir = xstrdup(path);
		slash = strrchr(dir, '/');
		if (slash != NULL && slash != dir) {
			*slash = '\0';
			if (path_mkdirs(dir, err) != 0)
				goto fail;
		}
	}
	oflags = c->readonly ? SQLITE_OPEN_READONLY
	                     : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &c->db, oflags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		if (c->db == NULL)
			gr_fail(err, GR_ENOMEM, "%s: cannot open the catalog", path);
		else
			gr_fail(err, GR_EDB, "%s: cannot open the catalog: %s", path,
			        sqlite3_errmsg(c->db));
		goto fail;
	}
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, CAT_BUSY_MS);
	/* journal_mode needs a lock too: it can be busy while another opens */
	for (int i = 0; !c->readonly; i++) {
		int rc = sqlite3_exec(c->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			break;
		if (((rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_READONLY) &&
		    open_readonly_fallback(c) == 0)
			break;
		if ((rc & 0xff) != SQLITE_BUSY || i >= CAT_BUSY_TRIES) {
			cat_dberr(c, err, "not an SQLite catalog, or unreadable");
			goto fail;
		}
		backoff(i);
	}
	/* Reads of the main file come from the map, not the cache; the cache
	 * holds written pages and pages read from the WAL, and SQLite keeps it
	 * full up to its size: a worker's heap grew by ~28 MiB over 1000 files
	 * with 32 MiB, and its mapped pages by ~6 MiB (bench/soak_bench.sh),
	 * hence CAT_OPEN_LEAN: a small cache and no map. */
	if (cat_exec(c, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;"
	             "PRAGMA temp_store = MEMORY", err) != 0 ||
	    cat_exec(c, flags & CAT_OPEN_LEAN ? "PRAGMA cache_size = -2000; PRAGMA mmap_size = 0"
	                                      : "PRAGMA cache_size = -32000;"
	                                        "PRAGMA mmap_size = 1073741824", err) != 0)
		goto fail;
	if (migrate(c, err) != 0)
		goto fail;
	load_version(c);
	cat_changed(c);
	free(dir);
	return c;
fail:
	free(dir);
	cat_close(c);
	return NULL;
}

void cat_close(struct cat *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < c->nstmt; i++)
		sqlite3_finalize(c->stmt[i].st);
	if (c->db != NULL) {
		if (c->depth > 0)
			sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close_v2(c->db);
	}
	free(c->file_strings);
	free(c->path);
	free(c);
}

const char *cat_path(const struct cat *c)
{
	return c->path;
}

int cat_schema_version(struct cat *c)
{
	int v = -1;
	get_user_version(c, &v, NULL);
	return v;
}

int cat_changed(struct cat *c)
{
	sqlite3_stmt *st = cat_stmt(c, "PRAGMA data_version", NULL);
	int64_t v;

	if (st == NULL || sqlite3_step(st) != SQLITE_ROW)
		return 0;
	v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (v == c->data_version)
		return 0;
	c->data_version = v;
	return 1;
}

int cat_optimize(struct cat *c, struct gr_err *err)
{
	if (c->readonly)
		return 0;
	return cat_exec(c, "PRAGMA analysis_limit = 1000; ANALYZE; PRAGMA optimize", err);
}

void cat_debug_plan(struct cat *c, int mode)
{
	c->plan = mode;
}

void cat_debug_fail_after(struct cat *c, int n)
{
	c->fault_countdown = n;
}

/* ---- small helpers ------------------------------------------------------ */

void cat_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

void cat_bind_real(sqlite3_stmt *st, int i, double v)
{
	if (isnan(v) || isinf(v))
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_double(st, i, v);
}

const char *cat_col_text(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	return s != NULL ? s : "";
}

double cat_col_real(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NAN;
	return sqlite3_column_double(st, i);
}

int cat_col_int(sqlite3_stmt *st, int i, int def)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return def;
	return sqlite3_column_int(st, i);
}
