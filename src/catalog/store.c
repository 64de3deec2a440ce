/*
 * store.c - writing one file's analysis: the files row with its summary,
 * regions, per-plugin results, feature and similarity vectors, repeated
 * sections (patterns.c), waveform peaks and the fingerprint
 * (fingerprint.c), in one transaction; and recording failures.
 *
 * Re-analysis updates rows in place where it can: the files row is an
 * upsert on (root, relpath) so the id and user tags survive, regions are
 * upserted on (file, idx) so region ids and region tags survive when the
 * region count does not change; regions past the new count are deleted
 * (cascading to their results, features and tags).
 *
 * Costs: one statement per region, per plugin run and per peaks level, all
 * cached; a file with 10 regions and 5 plugins is ~70 statements, ~0.3 ms.
 *
 * Peaks are stored quantised to int16 little-endian triples (min, max,
 * rms) per bucket: 6 bytes instead of 12, ample for drawing.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "catalog_int.h"

static const char sql_file_upsert[] =
	"INSERT INTO files(root, relpath, name, size, mtime_ns, hash, format, codec, rate,"
	" channels, bits, lossless, duration, loudness, lra, peak_db, status, missing,"
	" error, analysed_at, version, class, class_conf, key, key_conf, bpm, bpm_conf,"
	" beats_per_bar, n_regions)"
	" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
	" ?17, 0, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28)"
	" ON CONFLICT(root, relpath) DO UPDATE SET name = excluded.name,"
	" size = excluded.size, mtime_ns = excluded.mtime_ns, hash = excluded.hash,"
	" format = excluded.format, codec = excluded.codec, rate = excluded.rate,"
	" channels = excluded.channels, bits = excluded.bits,"
	" lossless = excluded.lossless, duration = excluded.duration,"
	" loudness = excluded.loudness, lra = excluded.lra, peak_db = excluded.peak_db,"
	" status = excluded.status, missing = 0, error = excluded.error,"
	" analysed_at = excluded.analysed_at, version = excluded.version,"
	" class = excluded.class, class_conf = excluded.class_conf, key = excluded.key,"
	" key_conf = excluded.key_conf, bpm = excluded.bpm, bpm_conf = excluded.bpm_conf,"
	" beats_per_bar = excluded.beats_per_bar, n_regions = excluded.n_regions"
	" RETURNING id";
static const char sql_file_detail[] =
	"INSERT OR REPLACE INTO file_detail(file, summary) VALUES(?1, ?2)";
static const char sql_region_detail[] =
	"INSERT OR REPLACE INTO region_detail(region, timeline, tempo, keyinfo)"
	" VALUES(?1, ?2, ?3, ?4)";

static const char sql_region_upsert[] =
	"INSERT INTO regions(file, idx, start, \"end\", dur, peak_db, loudness, lra, class,"
	" class_conf, runner, key, key_conf, bpm, bpm_conf, has_tempo)"
	" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
	" ON CONFLICT(file, idx) DO UPDATE SET start = excluded.start,"
	" \"end\" = excluded.\"end\", dur = excluded.dur, peak_db = excluded.peak_db,"
	" loudness = excluded.loudness, lra = excluded.lra, class = excluded.class,"
	" class_conf = excluded.class_conf, runner = excluded.runner, key = excluded.key,"
	" key_conf = excluded.key_conf, bpm = excluded.bpm, bpm_conf = excluded.bpm_conf,"
	" has_tempo = excluded.has_tempo"
	" RETURNING id";

static const char sql_regions_trim[] = "DELETE FROM regions WHERE file = ?1 AND idx >= ?2";
static const char sql_results_clear[] = "DELETE FROM results WHERE region = ?1";
static const char sql_result_insert[] =
	"INSERT INTO results(region, plugin, ord, version, status, time, error, detail)"
	" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char sql_feature_put[] =
	"INSERT OR REPLACE INTO features(region, vec) VALUES(?1, ?2)";
static const char sql_feature_del[] = "DELETE FROM features WHERE region = ?1";
static const char sql_simvec_put[] =
	"INSERT OR REPLACE INTO simvec(region, vec) VALUES(?1, ?2)";
static const char sql_simvec_del[] = "DELETE FROM simvec WHERE region = ?1";
static const char sql_peaks_clear[] = "DELETE FROM peaks WHERE file = ?1";
static const char sql_peaks_put[] =
	"INSERT INTO peaks(file, level, n, bucket_s, data) VALUES(?1, ?2, ?3, ?4, ?5)";
static const char sql_meta_version[] =
	"INSERT OR REPLACE INTO meta(key, value) VALUES('analysis_version', ?1)";

/* Step an upsert ... RETURNING id; counts the fault hook like a write. */
static int step_id(struct cat *c, sqlite3_stmt *st, int64_t *id, struct gr_err *err)
{
	int r;

	if (c->fault_countdown > 0 && --c->fault_countdown == 0) {
		sqlite3_reset(st);
		return gr_fail(err, GR_EDB, "%s: injected fault", c->path);
	}
	r = cat_step_row(c, st, err);
	if (r < 0)
		return r;
	if (r == 0)
		return gr_fail(err, GR_EDB, "%s: upsert returned no row", c->path);
	*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

int cat_note_version(struct cat *c, const char *version, struct gr_err *err)
{
	sqlite3_stmt *st;

	if (version == NULL || !strcmp(version, c->version))
		return 0;
	if ((st = cat_stmt(c, sql_meta_version, err)) == NULL)
		return -err->code;
	cat_bind_text(st, 1, version);
	if (cat_step_done(c, st, err) != 0)
		return -err->code;
	str_lcpy(c->version, version, sizeof(c->version));
	return 0;
}

/* JSON number or null. */
static void jnum(struct str *b, double v)
{
	if (isnan(v) || isinf(v))
		str_add(b, "null");
	else
		str_addf(b, "%.6g", v);
}

static void jkey(struct str *b, int key)
{
	char name[32];
	if (key < 0 || key > 23)
		str_add(b, "null");
	else
		str_add_json(b, an_key_name(key, AN_KEY_SHARP, 0, name, sizeof(name)));
}

static char *summary_json(const struct an_file *f)
{
	const struct an_summary *s = &f->summary;
	struct str b;

	str_init(&b);
	str_add(&b, "{\"class_share\":{");
	for (int i = 0; i < AN_NCLASS; i++) {
		str_addf(&b, "%s\"%s\":", i ? "," : "", an_class_name(i));
		jnum(&b, s->class_share[i]);
	}
	str_add(&b, "},\"key_runner\":");
	jkey(&b, s->key_runner);
	str_add(&b, ",\"key_runner_conf\":");
	jnum(&b, s->key_runner_conf);
	str_add(&b, ",\"bpm_alternates\":[");
	for (int i = 0; i < s->n_alt && i < AN_MAX_ALT; i++) {
		str_addf(&b, "%s{\"bpm\":", i ? "," : "");
		jnum(&b, s->alt[i].bpm);
		str_add(&b, ",\"score\":");
		jnum(&b, s->alt[i].score);
		str_add(&b, "}");
	}
	str_add(&b, "],\"warning\":");
	str_add_json(&b, f->warning);
	str_add(&b, "}");
	return str_take(&b);
}

static char *timeline_json(const struct an_region *r)
{
	struct str b;

	if (!r->has_timeline && !r->has_class)
		return NULL;
	str_init(&b);
	str_add(&b, "{\"segments\":[");
	for (int i = 0; r->has_timeline && i < r->timeline.n; i++) {
		const struct an_segment *g = &r->timeline.seg[i];
		str_addf(&b, "%s{\"start\":", i ? "," : "");
		jnum(&b, g->start);
		str_add(&b, ",\"end\":");
		jnum(&b, g->end);
		str_addf(&b, ",\"class\":\"%s\",\"conf\":", an_class_name(g->cls));
		jnum(&b, g->conf);
		str_add(&b, "}");
	}
	str_add(&b, "],\"class_prob\":{");
	for (int i = 0; r->has_class && i < AN_NCLASS; i++) {
		str_addf(&b, "%s\"%s\":", i ? "," : "", an_class_name(i));
		jnum(&b, r->cls.prob[i]);
	}
	str_add(&b, "}}");
	return str_take(&b);
}

static char *tempo_json(const struct an_region *r)
{
	const struct an_tempo_result *t = &r->tempo;
	struct str b;

	if (!r->has_tempo)
		return NULL;
	str_init(&b);
	str_addf(&b, "{\"has_tempo\":%s,\"bpm\":", t->has_tempo ? "true" : "false");
	jnum(&b, t->bpm);
	str_add(&b, ",\"conf\":");
	jnum(&b, t->conf);
	str_add(&b, ",\"alternates\":[");
	for (int i = 0; i < t->n_alt && i < AN_MAX_ALT; i++) {
		str_addf(&b, "%s{\"bpm\":", i ? "," : "");
		jnum(&b, t->alt[i].bpm);
		str_add(&b, ",\"score\":");
		jnum(&b, t->alt[i].score);
		str_add(&b, "}");
	}
	str_addf(&b, "],\"beats_per_bar\":%d,\"meter_conf\":", t->beats_per_bar);
	jnum(&b, t->meter_conf);
	str_add(&b, ",\"downbeat\":");
	jnum(&b, t->downbeat >= 0 ? t->downbeat : NAN);
	str_add(&b, ",\"beats\":[");
	for (int i = 0; i < t->n_beats && t->beats != NULL; i++) {
		if (i)
			str_add(&b, ",");
		str_addf(&b, "%.4f", t->beats[i]);
	}
	str_add(&b, "]}");
	return str_take(&b);
}

static char *key_json(const struct an_region *r)
{
	const struct an_key_result *k = &r->key;
	struct str b;

	if (!r->has_key)
		return NULL;
	str_init(&b);
	str_add(&b, "{\"key\":");
	jkey(&b, k->key);
	str_add(&b, ",\"conf\":");
	jnum(&b, k->conf);
	str_add(&b, ",\"runner\":");
	jkey(&b, k->runner);
	str_add(&b, ",\"runner_conf\":");
	jnum(&b, k->runner_conf);
	str_add(&b, ",\"tuning_cents\":");
	jnum(&b, k->tuning_cents);
	str_add(&b, ",\"sections\":[");
	for (int i = 0; i < k->n_sections && k->sections != NULL; i++) {
		str_addf(&b, "%s{\"start\":", i ? "," : "");
		jnum(&b, k->sections[i].start);
		str_add(&b, ",\"end\":");
		jnum(&b, k->sections[i].end);
		str_add(&b, ",\"key\":");
		jkey(&b, k->sections[i].key);
		str_add(&b, ",\"conf\":");
		jnum(&b, k->sections[i].conf);
		str_add(&b, "}");
	}
	str_add(&b, "]}");
	return str_take(&b);
}

static int16_t q16(float v)
{
	if (!(v > -1.0f))
		return v > 0 ? 32767 : -32767;   /* also catches NaN -> -32767 */
	if (v > 1.0f)
		return 32767;
	return (int16_t)lrintf(v * 32767.0f);
}

static int put_peaks(struct cat *c, int64_t fid, int level, const struct dsp_peaks *p,
                     struct gr_err *err)
{
	sqlite3_stmt *st;
	unsigned char *blob;
	size_t n;

	if (p->n <= 0 || p->min == NULL || p->max == NULL || p->rms == NULL)
		return 0;
	n = (size_t)p->n;
	blob = malloc(n * 6);
	if (blob == NULL)
		return gr_fail(err, GR_ENOMEM, "%s: no memory for %zu peaks", c->path, n);
	for (size_t i = 0; i < n; i++) {
		int16_t v[3] = { q16(p->min[i]), q16(p->max[i]), q16(p->rms[i]) };
		for (int k = 0; k < 3; k++) {
			blob[i * 6 + k * 2] = (unsigned char)((uint16_t)v[k] & 0xff);
			blob[i * 6 + k * 2 + 1] = (unsigned char)((uint16_t)v[k] >> 8);
		}
	}
	if ((st = cat_stmt(c, sql_peaks_put, err)) == NULL) {
		free(blob);
		return -err->code;
	}
	sqlite3_bind_int64(st, 1, fid);
	sqlite3_bind_int(st, 2, level);
	sqlite3_bind_int(st, 3, p->n);
	cat_bind_real(st, 4, p->bucket_s);
	sqlite3_bind_blob(st, 5, blob, (int)(n * 6), free);
	return cat_step_done(c, st, err);
}

static int put_region(struct cat *c, int64_t fid, int idx, const struct an_region *r,
                      struct gr_err *err)
{
	sqlite3_stmt *st;
	char *tl, *tj, *kj;
	int64_t rid;
	int ok;

	if ((st = cat_stmt(c, sql_region_upsert, err)) == NULL)
		return -err->code;
	tl = timeline_json(r);
	tj = tempo_json(r);
	kj = key_json(r);
	sqlite3_bind_int64(st, 1, fid);
	sqlite3_bind_int(st, 2, idx);
	sqlite3_bind_double(st, 3, r->start);
	sqlite3_bind_double(st, 4, r->end);
	sqlite3_bind_double(st, 5, r->end - r->start);
	cat_bind_real(st, 6, r->peak_db);
	cat_bind_real(st, 7, r->loudness);
	cat_bind_real(st, 8, r->lra);
	if (r->has_class) {
		cat_bind_text(st, 9, an_class_name(r->cls.cls));
		cat_bind_real(st, 10, r->cls.conf);
		if (r->cls.runner >= 0 && r->cls.runner < AN_NCLASS)
			cat_bind_text(st, 11, an_class_name(r->cls.runner));
	}
	if (r->has_key && r->key.key >= 0 && r->key.key < 24) {
		sqlite3_bind_int(st, 12, r->key.key);
		cat_bind_real(st, 13, r->key.conf);
	}
	if (r->has_tempo && r->tempo.has_tempo) {
		cat_bind_real(st, 14, r->tempo.bpm);
		cat_bind_real(st, 15, r->tempo.conf);
		sqlite3_bind_int(st, 16, 1);
	} else {
		sqlite3_bind_int(st, 16, 0);
	}
	ok = step_id(c, st, &rid, err);
	if (ok == 0 && (st = cat_stmt(c, sql_region_detail, err)) == NULL)
		ok = -err->code;
	if (ok == 0) {
		sqlite3_bind_int64(st, 1, rid);
		cat_bind_text(st, 2, tl);
		cat_bind_text(st, 3, tj);
		cat_bind_text(st, 4, kj);
		ok = cat_step_done(c, st, err);
	}
	free(tl);
	free(tj);
	free(kj);
	if (ok != 0)
		return ok;

	if ((st = cat_stmt(c, sql_results_clear, err)) == NULL)
		return -err->code;
	sqlite3_bind_int64(st, 1, rid);
	if (cat_step_done(c, st, err) != 0)
		return -err->code;
	for (int i = 0; i < r->n_runs && i < AN_MAX_PLUGINS; i++) {
		const struct an_run *u = &r->runs[i];
		if ((st = cat_stmt(c, sql_result_insert, err)) == NULL)
			return -err->code;
		sqlite3_bind_int64(st, 1, rid);
		cat_bind_text(st, 2, u->name != NULL ? u->name : "?");
		sqlite3_bind_int(st, 3, i);
		sqlite3_bind_int(st, 4, u->version);
		cat_bind_text(st, 5, an_status_name(u->status));
		cat_bind_real(st, 6, u->time);
		cat_bind_text(st, 7, u->error != NULL && u->error[0] != '\0' ? u->error : NULL);
		cat_bind_text(st, 8, u->detail);
		if (cat_step_done(c, st, err) != 0)
			return -err->code;
	}
	if (r->has_features) {
		if ((st = cat_stmt(c, sql_feature_put, err)) == NULL)
			return -err->code;
		sqlite3_bind_int64(st, 1, rid);
		/* native float32; the catalog is not meant to move between endians */
		sqlite3_bind_blob(st, 2, r->features.vec, sizeof(r->features.vec),
		                  SQLITE_TRANSIENT);
	} else {
		if ((st = cat_stmt(c, sql_feature_del, err)) == NULL)
			return -err->code;
		sqlite3_bind_int64(st, 1, rid);
	}
	if (cat_step_done(c, st, err) != 0)
		return -err->code;
	/* the similarity descriptor (grym/similar.h), native float32 too */
	if ((st = cat_stmt(c, r->has_simvec ? sql_simvec_put : sql_simvec_del, err)) == NULL)
		return -err->code;
	sqlite3_bind_int64(st, 1, rid);
	if (r->has_simvec)
		sqlite3_bind_blob(st, 2, r->simvec.vec, sizeof(r->simvec.vec), SQLITE_TRANSIENT);
	if (cat_step_done(c, st, err) != 0)
		return -err->code;
	if (cat_patterns_put(c, fid, rid, r, err) != 0)
		return -err->code;
	return cat_auto_tag_region(c, rid, r->has_class ? an_class_name(r->cls.cls) : NULL,
	                           err);
}

/* Reject what cannot be stored before anything is written. */
static int validate(struct cat *c, const char *relpath, const struct an_file *f,
                    struct gr_err *err)
{
	if (relpath == NULL || relpath[0] == '\0' || relpath[0] == '/')
		return gr_fail(err, GR_EUSAGE, "%s: bad relative path", c->path);
	if (f->n_regions < 0 || (f->n_regions > 0 && f->regions == NULL))
		return gr_fail(err, GR_EUSAGE, "%s: bad region list", relpath);
	for (int i = 0; i < f->n_regions; i++) {
		const struct an_region *r = &f->regions[i];
		if (!isfinite(r->start) || !isfinite(r->end) || r->end < r->start)
			return gr_fail(err, GR_EUSAGE, "%s: region %d has bad times %g..%g s",
			               relpath, i, r->start, r->end);
	}
	return 0;
}

int cat_store_in_tx(struct cat *c, int64_t root_id, const char *relpath,
                    const struct an_file *f, const char *version, int64_t *file_id,
                    struct gr_err *err)
{
	const struct an_summary *s = &f->summary;
	sqlite3_stmt *st;
	char *sum;
	int64_t fid;
	int r;

	if ((r = validate(c, relpath, f, err)) != 0)
		return r;
	if ((r = cat_note_version(c, version, err)) != 0)
		return r;
	if ((st = cat_stmt(c, sql_file_upsert, err)) == NULL)
		return -err->code;
	sum = summary_json(f);
	sqlite3_bind_int64(st, 1, root_id);
	cat_bind_text(st, 2, relpath);
	cat_bind_text(st, 3, path_base(relpath));
	sqlite3_bind_int64(st, 4, f->info.size);
	sqlite3_bind_int64(st, 5, f->info.mtime_ns);
	sqlite3_bind_int64(st, 6, (int64_t)f->hash);
	cat_bind_text(st, 7, f->info.format);
	cat_bind_text(st, 8, f->info.codec);
	sqlite3_bind_int(st, 9, f->info.rate);
	sqlite3_bind_int(st, 10, f->info.channels);
	sqlite3_bind_int(st, 11, f->info.bits);
	sqlite3_bind_int(st, 12, f->info.lossless);
	cat_bind_real(st, 13, f->duration);
	cat_bind_real(st, 14, f->loudness);
	cat_bind_real(st, 15, f->lra);
	cat_bind_real(st, 16, f->peak_db);
	cat_bind_text(st, 17, f->partial ? "partial" : "ok");
	cat_bind_text(st, 18, f->partial ? f->warning : NULL);
	sqlite3_bind_double(st, 19, time_wall());
	cat_bind_text(st, 20, version);
	if (s->cls >= 0 && s->cls < AN_NCLASS) {
		cat_bind_text(st, 21, an_class_name(s->cls));
		cat_bind_real(st, 22, s->cls_conf);
	}
	if (s->key >= 0 && s->key < 24) {
		sqlite3_bind_int(st, 23, s->key);
		cat_bind_real(st, 24, s->key_conf);
	}
	if (s->has_tempo) {
		cat_bind_real(st, 25, s->bpm);
		cat_bind_real(st, 26, s->bpm_conf);
	}
	if (s->beats_per_bar > 0)
		sqlite3_bind_int(st, 27, s->beats_per_bar);
	sqlite3_bind_int(st, 28, f->n_regions);
	r = step_id(c, st, &fid, err);
	if (r == 0 && (st = cat_stmt(c, sql_file_detail, err)) == NULL)
		r = -err->code;
	if (r == 0) {
		sqlite3_bind_int64(st, 1, fid);
		cat_bind_text(st, 2, sum);
		r = cat_step_done(c, st, err);
	}
	free(sum);
	if (r != 0)
		return r;

	if ((st = cat_stmt(c, sql_peaks_clear, err)) == NULL)
		return -err->code;
	sqlite3_bind_int64(st, 1, fid);
	if (cat_step_done(c, st, err) != 0)
		return -err->code;
	if ((r = put_peaks(c, fid, 0, &f->overview, err)) != 0 ||
	    (r = put_peaks(c, fid, 1, &f->detail, err)) != 0 ||
	    (r = cat_fp_put(c, fid, f, err)) != 0)
		return r;
	for (int i = 0; i < f->n_regions; i++)
		if ((r = put_region(c, fid, i, &f->regions[i], err)) != 0)
			return r;
	if ((st = cat_stmt(c, sql_regions_trim, err)) == NULL)
		return -err->code;
	sqlite3_bind_int64(st, 1, fid);
	sqlite3_bind_int(st, 2, f->n_regions);
	if (cat_step_done(c, st, err) != 0)
		return -err->code;
	r = cat_auto_tag_file(c, fid, s->cls >= 0 && s->cls < AN_NCLASS ?
	                      an_class_name(s->cls) : NULL, err);
	if (r == 0 && file_id != NULL)
		*file_id = fid;
	return r;
}

int cat_store_analysis(struct cat *c, int64_t root_id, const char *relpath,
                       const struct an_file *f, const char *version,
                       int64_t *file_id, struct gr_err *err)
{
	int r;

	if ((r = cat_tx_begin(c, err)) != 0)
		return r;
	r = cat_store_in_tx(c, root_id, relpath, f, version, file_id, err);
	if (r != 0) {
		cat_tx_end(c, 1, NULL);
		return r;
	}
	return cat_tx_end(c, 0, err);
}

static const char sql_file_failed[] =
	"INSERT INTO files(root, relpath, name, size, mtime_ns, status, error,"
	" analysed_at, version) VALUES(?1, ?2, ?3, ?4, ?5, 'failed', ?6, ?7, ?8)"
	" ON CONFLICT(root, relpath) DO UPDATE SET size = excluded.size,"
	" mtime_ns = excluded.mtime_ns, hash = NULL, status = 'failed', missing = 0,"
	" error = excluded.error, analysed_at = excluded.analysed_at,"
	" version = excluded.version, format = NULL, codec = NULL, rate = NULL,"
	" channels = NULL, bits = NULL, lossless = NULL, duration = NULL,"
	" loudness = NULL, lra = NULL, peak_db = NULL, class = NULL, class_conf = NULL,"
	" key = NULL, key_conf = NULL, bpm = NULL, bpm_conf = NULL, beats_per_bar = NULL,"
	" n_regions = 0"
	" RETURNING id";
static const char sql_detail_clear[] = "DELETE FROM file_detail WHERE file = ?1";
static const char sql_regions_clear[] = "DELETE FROM regions WHERE file = ?1";

int cat_file_upsert_failed(struct cat *c, int64_t root_id, const char *relpath,
                           const char *reason, const char *version, int64_t *id,
                           struct gr_err *err)
{
	sqlite3_stmt *st;
	struct stat sb;
	char *abs = cat_abs_path(c, root_id, relpath);
	int have = abs != NULL && lstat(abs, &sb) == 0;
	int64_t fid;
	int r;

	free(abs);
	if ((st = cat_stmt(c, sql_file_failed, err)) == NULL)
		return -err->code;
	sqlite3_bind_int64(st, 1, root_id);
	cat_bind_text(st, 2, relpath);
	cat_bind_text(st, 3, path_base(relpath));
	if (have) {
		sqlite3_bind_int64(st, 4, (int64_t)sb.st_size);
		sqlite3_bind_int64(st, 5, (int64_t)sb.st_mtim.tv_sec * 1000000000 +
		                   sb.st_mtim.tv_nsec);
	}
	cat_bind_text(st, 6, reason != NULL && reason[0] ? reason : "unknown failure");
	sqlite3_bind_double(st, 7, time_wall());
	cat_bind_text(st, 8, version);
	if ((r = step_id(c, st, &fid, err)) != 0)
		return r;
	for (int i = 0; i < 2; i++) {
		if ((st = cat_stmt(c, i ? sql_detail_clear : sql_regions_clear, err)) == NULL)
			return -err->code;
		sqlite3_bind_int64(st, 1, fid);
		if (cat_step_done(c, st, err) != 0)
			return -err->code;
	}
	if ((st = cat_stmt(c, sql_peaks_clear, err)) == NULL)
		return -err->code;
	sqlite3_bind_int64(st, 1, fid);
	if (cat_step_done(c, st, err) != 0)
		return -err->code;
	if ((r = cat_fp_clear(c, fid, err)) != 0 ||
	    (r = cat_auto_tag_file(c, fid, NULL, err)) != 0)
		return r;
	if (id != NULL)
		*id = fid;
	return 0;
}

int cat_store_failure(struct cat *c, int64_t root_id, const char *relpath,
                      const char *reason, const char *version, int64_t *file_id,
                      struct gr_err *err)
{
	int r;

	if (relpath == NULL || relpath[0] == '\0')
		return gr_fail(err, GR_EUSAGE, "%s: bad relative path", c->path);
	if ((r = cat_tx_begin(c, err)) != 0)
		return r;
	r = cat_file_upsert_failed(c, root_id, relpath, reason, version, file_id, err);
	if (r != 0) {
		cat_tx_end(c, 1, NULL);
		return r;
	}
	return cat_tx_end(c, 0, err);
}
