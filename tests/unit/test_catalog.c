/*
 * test_catalog.c - the catalog: storing and reading back an analysis,
 * all-or-nothing writes, file identity (unchanged, changed, moved,
 * missing), library roots, schema migration, the job queue, and two
 * processes writing at once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "anfix.h"
#include "grym/catalog.h"
#include "grym/util.h"

struct fx {
	char dir[256];       /* temp dir: the library root lives in it */
	char db[300];
	struct cat *c;
	int64_t root;
};

static int setup(void **state)
{
	struct fx *x = xcalloc(1, sizeof(*x));
	struct gr_err err = { 0 };
	char *prefix;

	snprintf(x->dir, sizeof(x->dir), "/tmp/grym-cat-XXXXXX");
	assert_non_null(mkdtemp(x->dir));
	snprintf(x->db, sizeof(x->db), "%s/db/catalog.db", x->dir);
	x->c = cat_open(x->db, 0, &err);
	assert_non_null(x->c);
	assert_int_equal(cat_root_for_dir(x->c, x->dir, &x->root, &prefix, &err), 0);
	assert_string_equal(prefix, "");
	free(prefix);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;
	char cmd[400];

	cat_close(x->c);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", x->dir);
	assert_int_equal(system(cmd), 0);
	free(x);
	return 0;
}

static void spec(struct anfix_spec *s, const char *path, uint64_t hash)
{
	memset(s, 0, sizeof(*s));
	s->path = path;
	s->duration = 12;
	s->cls = AN_MUSIC;
	s->cls_conf = 0.8f;
	s->key = 21;
	s->key_conf = 0.7f;
	s->bpm = 120;
	s->bpm_conf = 0.9f;
	s->rate = 48000;
	s->channels = 2;
	s->bits = 24;
	s->format = "flac";
	s->n_regions = 3;
	s->hash = hash;
	s->size = 1000;
	s->mtime_ns = 5000;
	s->loudness = -14;
	s->peaks = 100;
	s->runs = 5;
}

static int64_t store(struct fx *x, const char *rel, const struct anfix_spec *s)
{
	struct an_file f;
	struct gr_err err = { 0 };
	int64_t id = 0;

	anfix_file(&f, s);
	assert_int_equal(cat_store_analysis(x->c, x->root, rel, &f, "v1", &id, &err), 0);
	anfix_free(&f);
	assert_true(id > 0);
	return id;
}

static int64_t tag_id(struct fx *x, int64_t id, const char *add, const char *del)
{
	struct gr_err err = { 0 };
	char text[64];
	struct cat_query *q;
	int64_t n;

	snprintf(text, sizeof(text), "id:%lld", (long long)id);
	q = cat_query_parse(text, NULL, &err);
	assert_non_null(q);
	n = cat_tag(x->c, q, CAT_FILES, add ? &add : NULL, add != NULL, del ? &del : NULL,
	            del != NULL, &err);
	cat_query_free(q);
	return n;
}

static void test_store_reload(void **state)
{
	struct fx *x = *state;
	struct anfix_spec s;
	struct gr_err err = { 0 };
	struct cat_file f;
	struct cat_region g;
	struct cat_result res;
	struct cat_cursor *cur;
	struct dsp_peaks pk;
	float vec[AN_FEAT_DIM];
	int64_t id, id2, first_region = 0;
	int n;

	spec(&s, "a.flac", 0xfeedfacecafebeefULL);
	id = store(x, "sub/a.flac", &s);
	assert_int_equal(cat_file_get(x->c, id, &f, &err), 1);
	assert_string_equal(f.relpath, "sub/a.flac");
	assert_string_equal(f.name, "a.flac");
	assert_true(strstr(f.path, x->dir) == f.path);
	assert_true(f.hash == 0xfeedfacecafebeefULL);   /* uint64 survives int64 storage */
	assert_string_equal(f.format, "flac");
	assert_int_equal(f.rate, 48000);
	assert_int_equal(f.bits, 24);
	assert_int_equal(f.cls, AN_MUSIC);
	assert_int_equal(f.key, 21);
	assert_true(f.has_tempo);
	assert_true(fabs(f.bpm - 120) < 1e-6);
	assert_int_equal(f.beats_per_bar, 4);
	assert_int_equal(f.n_regions, 3);
	assert_int_equal(f.status, CAT_ST_OK);
	assert_string_equal(f.tags, "music");    /* automatic class tag */
	assert_non_null(strstr(f.summary_json, "\"bpm_alternates\":[{\"bpm\":60"));

	cur = cat_regions_of(x->c, id, &err);
	assert_non_null(cur);
	for (n = 0; cat_next_region(cur, &g, &err) == 1; n++) {
		assert_int_equal(g.idx, n);
		assert_true(fabs(g.start - 4.0 * n) < 1e-9);
		assert_int_equal(g.cls, AN_MUSIC);
		assert_int_equal(g.runner, (AN_MUSIC + 1) % AN_NCLASS);
		assert_non_null(strstr(g.tempo_json, "\"beats\":["));
		if (n == 0)
			first_region = g.id;
	}
	cat_cursor_free(cur);
	assert_int_equal(n, 3);
	cur = cat_results_of(x->c, id, &err);
	for (n = 0; cat_next_result(cur, &res, &err) == 1; n++)
		if (n == 0) {
			assert_string_equal(res.plugin, "features");
			assert_int_equal(res.status, AN_OK);
		}
	cat_cursor_free(cur);
	assert_int_equal(n, 15);
	assert_int_equal(cat_features_get(x->c, first_region, vec, &err), 1);
	assert_true(fabs(vec[10] - 10.0f / AN_FEAT_DIM) < 1e-7);
	assert_int_equal(cat_peaks_get(x->c, id, 1, &pk, &err), 1);
	assert_int_equal(pk.n, 400);
	assert_true(fabs(pk.max[49] - 0.9f * 49 / 50) < 1e-4);
	assert_true(fabs(pk.min[49] + 49.0f / 50) < 1e-4);
	cat_peaks_fini(&pk);

	/* re-analysis: fewer regions, new class; same id, user tag kept */
	assert_int_equal(tag_id(x, id, "keeper", NULL), 1);
	s.n_regions = 2;
	s.cls = AN_PERCUSSION;
	id2 = store(x, "sub/a.flac", &s);
	assert_int_equal(id2, id);
	assert_int_equal(cat_file_get(x->c, id, &f, &err), 1);
	assert_int_equal(f.n_regions, 2);
	assert_string_equal(f.tags, "keeper,percussion");
	assert_int_equal(cat_count(x->c, NULL, CAT_REGIONS, &err), 2);
	/* region 0 kept its id (upsert by index) */
	cur = cat_regions_of(x->c, id, &err);
	assert_int_equal(cat_next_region(cur, &g, &err), 1);
	assert_int_equal(g.id, first_region);
	cat_cursor_free(cur);
}

static void test_atomic(void **state)
{
	struct fx *x = *state;
	struct anfix_spec s;
	struct an_file f;
	struct gr_err err = { 0 };
	struct cat_file row;
	int64_t id;

	spec(&s, "b.wav", 1);
	id = store(x, "b.wav", &s);
	/* a second analysis dies half-way: nothing of it may remain */
	s.n_regions = 7;
	s.cls = AN_SPEECH;
	anfix_file(&f, &s);
	for (int k = 2; k < 40; k += 5) {
		cat_debug_fail_after(x->c, k);
		assert_true(cat_store_analysis(x->c, x->root, "b.wav", &f, "v2", NULL, &err) < 0);
		assert_int_equal(cat_file_get(x->c, id, &row, &err), 1);
		assert_int_equal(row.n_regions, 3);
		assert_int_equal(row.cls, AN_MUSIC);
		assert_string_equal(row.version, "v1");
		assert_int_equal(cat_count(x->c, NULL, CAT_REGIONS, &err), 3);
	}
	/* a new file failing mid-write leaves no row at all */
	cat_debug_fail_after(x->c, 6);
	assert_true(cat_store_analysis(x->c, x->root, "new.wav", &f, "v2", NULL, &err) < 0);
	assert_int_equal(cat_count(x->c, NULL, CAT_FILES, &err), 1);
	cat_debug_fail_after(x->c, 0);
	/* bad input is refused before anything is written */
	f.regions[1].start = NAN;
	assert_true(cat_store_analysis(x->c, x->root, "new.wav", &f, "v2", NULL, &err) < 0);
	assert_int_equal(err.code, GR_EUSAGE);
	assert_int_equal(cat_count(x->c, NULL, CAT_FILES, &err), 1);
	anfix_free(&f);
	/* and in a batch, one failing file rolls back only itself */
	assert_int_equal(cat_batch_begin(x->c, &err), 0);
	spec(&s, "c.wav", 2);
	store(x, "c.wav", &s);
	anfix_file(&f, &s);
	cat_debug_fail_after(x->c, 3);
	assert_true(cat_store_analysis(x->c, x->root, "d.wav", &f, "v1", NULL, &err) < 0);
	anfix_free(&f);
	assert_int_equal(cat_batch_end(x->c, 0, &err), 0);
	assert_int_equal(cat_count(x->c, NULL, CAT_FILES, &err), 2);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_identity(void **state)
{
	struct fx *x = *state;
	struct anfix_spec s;
	struct gr_err err = { 0 };
	struct cat_file row;
	char a[400], b[400];
	int64_t id, got;

	spec(&s, "k.wav", 77);
	id = store(x, "k.wav", &s);
	assert_int_equal(cat_lookup(x->c, x->root, "k.wav", 1000, 5000, "v1", &got, &err),
	                 CAT_UNCHANGED);
	assert_int_equal(got, id);
	assert_int_equal(cat_lookup(x->c, x->root, "k.wav", 1001, 5000, "v1", &got, &err),
	                 CAT_CHANGED);
	assert_int_equal(cat_lookup(x->c, x->root, "k.wav", 1000, 5001, "v1", &got, &err),
	                 CAT_CHANGED);
	assert_int_equal(cat_lookup(x->c, x->root, "k.wav", 1000, 5000, "v2", &got, &err),
	                 CAT_STALE);
	assert_int_equal(cat_lookup(x->c, x->root, "nope.wav", 1, 1, "v1", &got, &err), CAT_NEW);
	assert_int_equal(got, 0);
	assert_int_equal(cat_store_failure(x->c, x->root, "bad.wav", "not audio", "v1", &got,
	                                   &err), 0);
	assert_int_equal(cat_file_get(x->c, got, &row, &err), 1);
	assert_int_equal(row.status, CAT_ST_FAILED);
	assert_string_equal(row.error, "not audio");
	assert_int_equal(cat_lookup(x->c, x->root, "bad.wav", row.size, row.mtime_ns, "v1",
	                            &got, &err), CAT_FAILED);

	/* a real file on disk, tagged, then moved: same id and tags */
	snprintf(a, sizeof(a), "%s/m1.wav", x->dir);
	snprintf(b, sizeof(b), "%s/moved/m2.wav", x->dir);
	write_file(a, "RIFF....");
	spec(&s, "m1.wav", 0x1234);
	id = store(x, "m1.wav", &s);
	assert_int_equal(tag_id(x, id, "field", NULL), 1);
	snprintf(b, sizeof(b), "%s/moved", x->dir);
	mkdir(b, 0755);
	snprintf(b, sizeof(b), "%s/moved/m2.wav", x->dir);
	assert_int_equal(rename(a, b), 0);
	/* a different hash is not a move */
	assert_int_equal(cat_relink_moved(x->c, x->root, "moved/m2.wav", 0x9999, 1000, 1,
	                                  &got, &err), 0);
	assert_int_equal(cat_relink_moved(x->c, x->root, "moved/m2.wav", 0x1234, 1000, 6000,
	                                  &got, &err), 1);
	assert_int_equal(got, id);
	assert_int_equal(cat_file_get(x->c, id, &row, &err), 1);
	assert_string_equal(row.relpath, "moved/m2.wav");
	assert_string_equal(row.tags, "field,music");
	assert_int_equal(row.n_regions, 3);
	assert_int_equal(cat_lookup(x->c, x->root, "moved/m2.wav", 1000, 6000, "v1", &got,
	                            &err), CAT_UNCHANGED);
	/* a file present on disk with the same hash (a copy) is not relinked */
	assert_int_equal(cat_relink_moved(x->c, x->root, "copy.wav", 0x1234, 1000, 1, &got,
	                                  &err), 0);

	/* missing: everything but moved/m2.wav is absent on disk */
	assert_int_equal(cat_check_missing(x->c, 0, &err), 2);
	assert_int_equal(cat_file_get(x->c, id, &row, &err), 1);
	assert_int_equal(row.missing, 0);
	assert_int_equal(unlink(b), 0);
	assert_int_equal(cat_check_missing(x->c, x->root, &err), 3);
	assert_int_equal(cat_file_get(x->c, id, &row, &err), 1);
	assert_int_equal(row.missing, 1);
	assert_string_equal(row.tags, "field,music");   /* kept while missing */
	write_file(b, "RIFF....");
	assert_int_equal(cat_check_missing(x->c, x->root, &err), 2);
	assert_int_equal(cat_file_get(x->c, id, &row, &err), 1);
	assert_int_equal(row.missing, 0);
}

static void test_roots(void **state)
{
	struct fx *x = *state;
	struct anfix_spec s;
	struct gr_err err = { 0 };
	struct cat_root *roots;
	struct cat_file row;
	size_t n;
	char lib[400], moved[400], sub[400], *prefix;
	int64_t r1, r2, id, id2;

	snprintf(lib, sizeof(lib), "%s/lib", x->dir);
	snprintf(sub, sizeof(sub), "%s/lib/drums/", x->dir);
	snprintf(moved, sizeof(moved), "%s/elsewhere", x->dir);
	/* a fresh catalog without the fixture's root (which contains lib) */
	snprintf(x->db, sizeof(x->db), "%s/db/other.db", x->dir);
	cat_close(x->c);
	x->c = cat_open(x->db, 0, &err);
	assert_non_null(x->c);
	/* a root for lib/drums first, then lib: drums is merged into lib */
	assert_int_equal(cat_root_for_dir(x->c, sub, &r1, &prefix, &err), 0);
	assert_string_equal(prefix, "");
	free(prefix);
	x->root = r1;
	spec(&s, "kick.wav", 5);
	id = store(x, "kick.wav", &s);
	assert_int_equal(cat_root_for_dir(x->c, lib, &r2, &prefix, &err), 0);
	assert_string_equal(prefix, "");
	free(prefix);
	assert_true(r2 != r1);
	assert_int_equal(cat_file_get(x->c, id, &row, &err), 1);
	assert_string_equal(row.relpath, "drums/kick.wav");
	assert_int_equal(row.root_id, r2);
	/* a directory inside a root reuses it */
	assert_int_equal(cat_root_for_dir(x->c, sub, &r1, &prefix, &err), 0);
	assert_int_equal(r1, r2);
	assert_string_equal(prefix, "drums/");
	free(prefix);
	assert_int_equal(cat_roots_list(x->c, &roots, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(roots[0].n_files, 1);
	cat_roots_free(roots, n);

	/* the library moves on disk: one call relinks it */
	mkdir(lib, 0755);
	snprintf(sub, sizeof(sub), "%s/lib/drums", x->dir);
	mkdir(sub, 0755);
	snprintf(sub, sizeof(sub), "%s/lib/drums/kick.wav", x->dir);
	write_file(sub, "x");
	assert_int_equal(rename(lib, moved), 0);
	assert_int_equal(cat_check_missing(x->c, 0, &err), 1);
	assert_int_equal(cat_root_move(x->c, lib, moved, &err), 1);
	assert_int_equal(cat_file_get(x->c, id, &row, &err), 1);
	assert_int_equal(row.missing, 0);
	assert_non_null(strstr(row.path, "/elsewhere/drums/kick.wav"));
	assert_int_equal(cat_file_find(x->c, row.path, &id2, &err), 1);
	assert_int_equal(id2, id);
	assert_int_equal(cat_root_move(x->c, "/no/such/place", moved, &err), 0);
}

/* ---- schema ------------------------------------------------------------ */

static void raw_db(const char *path, const char *sql)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void test_migration(void **state)
{
	struct fx *x = *state;
	char path[400];
	struct gr_err err = { 0 };
	struct cat *c;
	struct cat_file row;
	struct an_metrics m = { .name = "key", .version = 3, .count = 10, .failures = 2 };
	struct an_metrics *got;
	size_t n;

	snprintf(path, sizeof(path), "%s/v1.db", x->dir);
	/* a catalog as grym with schema 1 made it, with data in it */
	raw_db(path, cat_schema_step(0));
	raw_db(path, "PRAGMA user_version = 1;"
	       "INSERT INTO roots(id, path) VALUES(1, '/music');"
	       "INSERT INTO files(id, root, relpath, name, status, class, key, bpm, duration)"
	       " VALUES(7, 1, 'a/old.wav', 'old.wav', 'ok', 'speech', 21, 99.5, 3.5);"
	       "INSERT INTO tags(id, name) VALUES(1, 'vintage');"
	       "INSERT INTO file_tags(file, tag) VALUES(7, 1);");
	c = cat_open(path, 0, &err);
	assert_non_null(c);
	assert_int_equal(cat_schema_version(c), CAT_SCHEMA_VERSION);
	assert_int_equal(cat_file_get(c, 7, &row, &err), 1);
	assert_string_equal(row.path, "/music/a/old.wav");
	assert_int_equal(row.cls, AN_SPEECH);
	assert_int_equal(row.key, 21);
	assert_string_equal(row.tags, "vintage");
	/* schema 3 indexed the old paths: a free word finds the file */
	{
		struct cat_query *q = cat_query_parse("a/old", NULL, &err);
		assert_int_equal(cat_count(c, q, CAT_FILES, &err), 1);
		cat_query_free(q);
		q = cat_query_parse("vintage", NULL, &err);   /* and the tag */
		assert_int_equal(cat_count(c, q, CAT_FILES, &err), 1);
		cat_query_free(q);
	}
	/* the table schema 2 added works */
	assert_int_equal(cat_health_store(c, &m, 1, &err), 0);
	assert_int_equal(cat_health_list(c, &got, &n, &err), 1);
	assert_int_equal(n, 1);
	assert_string_equal(got[0].name, "key");
	assert_int_equal(got[0].failures, 2);
	free(got);
	cat_close(c);
	/* opening again is a no-op */
	c = cat_open(path, 0, &err);
	assert_non_null(c);
	cat_close(c);

	/* a catalog from a newer grym is refused, and left alone */
	raw_db(path, "PRAGMA user_version = 99");
	c = cat_open(path, 0, &err);
	assert_null(c);
	assert_int_equal(err.code, GR_EUSAGE);
	assert_non_null(strstr(err.msg, "was made by a newer grym (schema 99, this grym knows 4)"));
	/* garbage is refused with the path named */
	snprintf(path, sizeof(path), "%s/junk.db", x->dir);
	write_file(path, "this is not a database, just some text that is long enough to "
	           "look like a header of something else entirely .............");
	c = cat_open(path, 0, &err);
	assert_null(c);
	assert_non_null(strstr(err.msg, "junk.db"));
}

/* ---- jobs -------------------------------------------------------------- */

static int dead_pid(void)
{
	pid_t p = fork();
	if (p == 0)
		_exit(0);
	waitpid(p, NULL, 0);
	return (int)p;
}

/* A scan of a parent directory merges the root a worker's job belongs to
 * while the worker analyses: the analysis is stored under the merged root
 * (not refused for its vanished root) and the job is done. */
static void test_job_root_merged(void **state)
{
	struct fx *x = *state;
	const char *paths[] = { "y1.flac" };
	struct gr_err err = { 0 };
	struct cat_job job;
	struct anfix_spec s;
	struct an_file f;
	struct cat_file row;
	char lib[400], sub[400], *prefix;
	int64_t r1, r2, id;

	snprintf(lib, sizeof(lib), "%s/conc", x->dir);
	snprintf(sub, sizeof(sub), "%s/conc/b", x->dir);
	snprintf(x->db, sizeof(x->db), "%s/db/merged.db", x->dir);
	cat_close(x->c);
	x->c = cat_open(x->db, 0, &err);
	assert_non_null(x->c);
	assert_int_equal(cat_root_for_dir(x->c, sub, &r1, &prefix, &err), 0);
	free(prefix);
	assert_int_equal(cat_jobs_enqueue(x->c, r1, paths, 1, &err), 1);
	assert_int_equal(cat_job_claim(x->c, getpid(), &job, &err), 1);
	/* another scan adds the parent: b's root is merged into it */
	assert_int_equal(cat_root_for_dir(x->c, lib, &r2, &prefix, &err), 0);
	free(prefix);
	assert_true(r2 != r1);
	spec(&s, "y1.flac", 21);
	anfix_file(&f, &s);
	assert_int_equal(cat_job_complete(x->c, &job, &f, "v1", &id, &err), 0);
	anfix_free(&f);
	assert_int_equal(cat_file_get(x->c, id, &row, &err), 1);
	assert_int_equal(row.root_id, r2);
	assert_string_equal(row.relpath, "b/y1.flac");
}

static void test_jobs(void **state)
{
	struct fx *x = *state;
	const char *paths[] = { "j1.wav", "j2.wav", "j1.wav", "j3.wav" };
	struct gr_err err = { 0 };
	struct cat_job job, job2;
	struct cat_job_counts jc;
	struct anfix_spec s;
	struct an_file f;
	struct cat_file row;
	int64_t id;
	int dead = dead_pid();

	assert_int_equal(cat_jobs_enqueue(x->c, x->root, paths, 4, &err), 3);
	assert_int_equal(cat_jobs_enqueue(x->c, x->root, paths, 2, &err), 0);   /* idempotent */
	assert_int_equal(cat_jobs_counts(x->c, &jc, &err), 0);
	assert_int_equal(jc.queued, 3);

	/* claim and complete: analysis stored and job done together */
	assert_int_equal(cat_job_claim(x->c, getpid(), &job, &err), 1);
	assert_string_equal(job.relpath, "j1.wav");
	assert_int_equal(job.attempts, 1);
	assert_non_null(strstr(job.path, "/j1.wav"));
	spec(&s, "j1.wav", 11);
	anfix_file(&f, &s);
	assert_int_equal(cat_job_complete(x->c, &job, &f, "v1", &id, &err), 0);
	anfix_free(&f);
	assert_int_equal(cat_file_get(x->c, id, &row, &err), 1);
	assert_int_equal(row.n_regions, 3);
	/* failing a job already done (its worker killed at the deadline just
	 * after it committed) leaves the job and the stored analysis alone */
	assert_int_equal(cat_job_fail(x->c, job.id, "timed out after 1 s", "v1", &err), 0);
	assert_int_equal(cat_file_get(x->c, id, &row, &err), 1);
	assert_int_equal(row.n_regions, 3);
	assert_int_equal(row.status, CAT_ST_OK);
	assert_string_equal(row.error, "");
	assert_int_equal(cat_jobs_counts(x->c, &jc, &err), 0);
	assert_int_equal(jc.done, 1);
	assert_int_equal(jc.failed, 0);

	/* a worker that died (SIGKILL) leaves its job running: requeued */
	assert_int_equal(cat_job_claim(x->c, dead, &job, &err), 1);
	assert_string_equal(job.relpath, "j2.wav");
	assert_int_equal(cat_jobs_requeue_dead(x->c, 0, 3, &err), 1);
	assert_int_equal(cat_job_claim(x->c, getpid(), &job2, &err), 1);
	assert_string_equal(job2.relpath, "j2.wav");
	assert_int_equal(job2.attempts, 2);
	/* a live worker's job is not touched */
	assert_int_equal(cat_jobs_requeue_dead(x->c, 0, 3, &err), 0);
	/* failing: file recorded failed with the reason, job not claimed again */
	assert_int_equal(cat_job_fail(x->c, job2.id, "crashed: SIGSEGV during key", "v1", &err),
	                 1);
	/* ... once: a failed job is not running any more */
	assert_int_equal(cat_job_fail(x->c, job2.id, "again", "v1", &err), 0);
	assert_int_equal(cat_job_claim(x->c, getpid(), &job, &err), 1);
	assert_string_equal(job.relpath, "j3.wav");
	/* after too many deaths the job fails instead of looping */
	assert_int_equal(cat_jobs_requeue_dead(x->c, getpid(), 1, &err), 1);
	assert_int_equal(cat_job_claim(x->c, getpid(), &job, &err), 0);
	assert_int_equal(cat_jobs_counts(x->c, &jc, &err), 0);
	assert_int_equal(jc.done, 1);
	assert_int_equal(jc.failed, 2);
	assert_int_equal(jc.queued + jc.running, 0);
	assert_true(fabs(jc.audio_done - 12) < 1e-9);
	{
		struct cat_query *q = cat_query_parse("status:failed", NULL, &err);
		struct cat_cursor *cur = cat_find(x->c, q, CAT_FILES, 0, &err);
		int n = 0;
		while (cat_next_file(cur, &row, &err) == 1) {
			n++;
			if (!strcmp(row.relpath, "j2.wav"))
				assert_string_equal(row.error, "crashed: SIGSEGV during key");
			else
				assert_non_null(strstr(row.error, "worker died 1 times"));
		}
		assert_int_equal(n, 2);
		cat_cursor_free(cur);
		cat_query_free(q);
	}
	/* retried only on request */
	assert_int_equal(cat_jobs_retry_failed(x->c, &err), 2);
	assert_int_equal(cat_job_claim(x->c, getpid(), &job, &err), 1);
	assert_int_equal(cat_job_skip(x->c, job.id, &err), 0);
	assert_int_equal(cat_jobs_clear(x->c, 1, &err), 2);
}

/* ---- two writers --------------------------------------------------------- */

static int writer(const char *db, const char *dir, int who, int n)
{
	struct gr_err err = { 0 };
	struct cat *c = cat_open(db, 0, &err);
	struct anfix_spec s;
	struct an_file f;
	int64_t root;
	char *prefix, rel[64];
	int bad = 0;

	if (c == NULL)
		return 1;
	if (cat_root_for_dir(c, dir, &root, &prefix, &err) != 0)
		return 1;
	free(prefix);
	spec(&s, "w.wav", 0);
	s.peaks = 0;
	for (int i = 0; i < n; i++) {
		s.hash = (uint64_t)(who * 100000 + i);
		anfix_file(&f, &s);
		snprintf(rel, sizeof(rel), "w%d/%d.wav", who, i);
		if (cat_store_analysis(c, root, rel, &f, "v1", NULL, &err) != 0) {
			fprintf(stderr, "writer %d: %s\n", who, err.msg);
			bad++;
		}
		if (i % 10 == 0) {
			const char *p[1] = { rel };
			struct cat_job j;
			if (cat_jobs_enqueue(c, root, p, 1, &err) < 0 ||
			    cat_job_claim(c, getpid(), &j, &err) < 0) {
				fprintf(stderr, "writer %d: %s\n", who, err.msg);
				bad++;
			}
		}
		anfix_free(&f);
	}
	cat_close(c);
	return bad != 0;
}

static void test_two_writers(void **state)
{
	struct fx *x = *state;
	struct gr_err err = { 0 };
	pid_t kids[2];
	int st;

	for (int k = 0; k < 2; k++) {
		kids[k] = fork();
		if (kids[k] == 0)
			_exit(writer(x->db, x->dir, k, 150));
	}
	for (int k = 0; k < 2; k++) {
		assert_int_equal(waitpid(kids[k], &st, 0), kids[k]);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 0);
	}
	assert_int_equal(cat_count(x->c, NULL, CAT_FILES, &err), 300);
	assert_int_equal(cat_count(x->c, NULL, CAT_REGIONS, &err), 900);
	{
		struct str rep;
		str_init(&rep);
		assert_int_equal(cat_integrity(x->c, &rep, &err), 0);
		str_fini(&rep);
	}
}

static void test_stats_rm(void **state)
{
	struct fx *x = *state;
	struct anfix_spec s;
	struct cat_stats st;
	struct gr_err err = { 0 };
	struct cat_query *q;

	spec(&s, "a.wav", 1);
	store(x, "a.wav", &s);
	s.cls = AN_SPEECH;
	s.key = AN_NO_KEY;
	s.bpm = 0;
	store(x, "b.wav", &s);
	assert_int_equal(cat_store_failure(x->c, x->root, "c.wav", "boom", "v1", NULL, &err), 0);
	assert_int_equal(cat_stats(x->c, &st, &err), 0);
	assert_int_equal(st.files, 3);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.regions, 6);
	assert_int_equal(st.by_class[AN_MUSIC], 1);
	assert_int_equal(st.by_class[AN_SPEECH], 1);
	assert_int_equal(st.by_key[21], 1);
	assert_int_equal(st.no_key, 1);
	assert_int_equal(st.with_tempo, 1);
	assert_true(fabs(st.audio_s - 24) < 1e-9);
	assert_true(st.db_bytes > 0);
	assert_int_equal(cat_count_stale(x->c, "v1", &err), 0);
	assert_int_equal(cat_count_stale(x->c, "v2", &err), 2);
	assert_string_equal(cat_current_version(x->c), "v1");
	q = cat_query_parse("class:speech", NULL, &err);
	assert_int_equal(cat_rm(x->c, q, &err), 1);
	cat_query_free(q);
	assert_int_equal(cat_count(x->c, NULL, CAT_FILES, &err), 2);
	assert_int_equal(cat_count(x->c, NULL, CAT_REGIONS, &err), 3);
}

/*
 * Bytes SQLite holds (sqlite3_memory_used(): page cache and the rest) at
 * most while one handle opened with flags stores n files of ~100 KB of
 * peaks each, above what it held after the first file.
 */
static long long cache_growth(const char *dir, const char *name, int flags, int n)
{
	struct gr_err err = { 0 };
	char db[400], rel[32];
	struct anfix_spec s;
	struct an_file f;
	struct cat *c;
	int64_t root, id;
	char *prefix;
	long long base = 0, top = 0;

	snprintf(db, sizeof(db), "%s/%s", dir, name);
	c = cat_open(db, flags, &err);
	assert_non_null(c);
	assert_int_equal(cat_root_for_dir(c, dir, &root, &prefix, &err), 0);
	free(prefix);
	for (int i = 0; i < n; i++) {
		snprintf(rel, sizeof(rel), "m%d.flac", i);
		spec(&s, rel, 1000u + (unsigned)i);
		s.peaks = 3000;
		anfix_file(&f, &s);
		assert_int_equal(cat_store_analysis(c, root, rel, &f, "v1", &id, &err), 0);
		anfix_free(&f);
		if (i == 0)
			base = sqlite3_memory_used();
		if (sqlite3_memory_used() > top)
			top = sqlite3_memory_used();
	}
	cat_close(c);
	return top - base;
}

/* A scan worker's handle (CAT_OPEN_LEAN) keeps its memory flat over many
 * files; a default handle's page cache fills up to 32 MiB (which showed as
 * ~28 MiB of heap growth in bench/soak_bench.sh). */
static void test_lean_memory(void **state)
{
	struct fx *x = *state;
	long long lean = cache_growth(x->dir, "lean.db", CAT_OPEN_LEAN, 100);
	long long full = cache_growth(x->dir, "full.db", 0, 100);

	print_message("# SQLite memory growth over 100 stores: lean %.1f MiB, default %.1f MiB\n",
	              lean / 1048576.0, full / 1048576.0);
	assert_true(lean < 4 * 1048576);
	assert_true(full > 2 * lean);    /* the measure sees the cache */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_store_reload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_atomic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roots, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migration, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jobs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_job_root_merged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lean_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_writers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_rm, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
