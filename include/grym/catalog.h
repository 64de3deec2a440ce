/*
 * catalog.h - the SQLite catalog: library roots, files, regions, plugin
 * results, tags, feature vectors, waveform peaks, the job queue, and the
 * query language that selects files or regions.
 *
 * One struct cat is one connection (WAL mode, foreign keys on, a busy
 * timeout, synchronous=NORMAL).  Many processes may open the same catalog
 * at once: readers never block, writers queue.  Every write transaction
 * starts with BEGIN IMMEDIATE and is retried a bounded number of times, so
 * "database is locked" does not reach a user unless another process holds
 * the write lock for minutes (then the error says so).
 *
 * Files are identified by (root, relpath) and by content hash (xxhash of
 * the bytes, as computed by audio_hash()).  Paths are stored relative to a
 * library root; `cat_root_move()` relinks a moved library.  A file missing
 * on disk keeps its analysis and tags, flagged missing, until it returns
 * or is removed with cat_rm().
 *
 * Errors: functions return 0 (or a count, where stated) or a negative
 * GR_E* with err set (GR_EDB for SQLite failures, GR_EUSAGE for bad input
 * such as a query syntax error, GR_EBUSY when the write lock could not be
 * had).
 *
 * Thread rules: a struct cat and everything obtained from it (cursors,
 * borrowed rows) belong to one thread at a time.  Open one handle per
 * thread or process.  Never share a handle across fork().
 */
#ifndef GRYM_CATALOG_H
#define GRYM_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "grym/analysis.h"
#include "grym/err.h"

struct str;

/* The schema version this grym writes (PRAGMA user_version). */
#define CAT_SCHEMA_VERSION 4

struct cat;

/* ---- open / close ------------------------------------------------------ */

enum {
	CAT_OPEN_READONLY = 1,   /* no migration, no writes (fails on a missing file) */
	/* A long-lived handle that needs no big cache (scan workers and their
	 * supervisor): SQLite's page cache is capped at 2 MiB instead of 32 MiB
	 * and the file is read with pread, not mapped, so the process's memory
	 * stays flat over a scan (with the defaults a worker's heap grew ~28 MiB
	 * as the cache filled, and its mapped part ~6 MiB per 1000 files as it
	 * touched more of the growing catalog). */
	CAT_OPEN_LEAN = 2,
};

/*
 * Open (creating it and its directories if needed) the catalog at path and
 * migrate it to CAT_SCHEMA_VERSION.  A catalog made by a newer grym is
 * refused with GR_EUSAGE and a message naming both versions.  Returns a
 * new handle (cat_close() it) or NULL with err naming the path.
 */
struct cat *cat_open(const char *path, int flags, struct gr_err *err);
/* NULL ok.  Finalises cached statements and closes the connection. */
void cat_close(struct cat *c);
/* The path given to cat_open() (borrowed). */
const char *cat_path(const struct cat *c);
/* PRAGMA user_version of the open catalog. */
int cat_schema_version(struct cat *c);
/*
 * Nonzero when another connection committed since the last call (PRAGMA
 * data_version): the TUI polls this to refresh.  Cheap (no disk I/O).
 */
int cat_changed(struct cat *c);

/*
 * Refresh the query planner's statistics (ANALYZE with analysis_limit, a
 * few hundred ms on a million regions).  Call after adding many files
 * (the end of a scan, a bulk import) so queries pick the right indexes.
 */
int cat_optimize(struct cat *c, struct gr_err *err);

/*
 * Group many writes into one transaction (bulk loaders, a worker storing
 * several files).  Write calls made inside nest as savepoints: one that
 * fails rolls back only its own part.  cat_batch_end(c, 0) commits,
 * cat_batch_end(c, 1) rolls everything back.
 */
int cat_batch_begin(struct cat *c, struct gr_err *err);
int cat_batch_end(struct cat *c, int rollback, struct gr_err *err);

/* ---- library roots ----------------------------------------------------- */

struct cat_root {
	int64_t id;
	char *path;            /* absolute, no trailing slash (except "/"); owned */
	int64_t n_files;       /* files in the catalog under this root */
	int64_t n_missing;     /* of those, missing on disk at the last check */
	int exists;            /* the directory exists now */
};

/*
 * The root for an absolute directory being scanned: an existing root that
 * is the directory or contains it is reused (*prefix gets the relative
 * part, "" or "sub/dir/", owned, free() it); otherwise a new root is made.
 * Existing roots inside the directory are merged into it (their files keep
 * ids, analysis and tags; relpaths get the prefix).
 */
int cat_root_for_dir(struct cat *c, const char *dir, int64_t *root_id, char **prefix,
                     struct gr_err *err);
/* All roots (new array, cat_roots_free() it). */
int cat_roots_list(struct cat *c, struct cat_root **out, size_t *n, struct gr_err *err);
void cat_roots_free(struct cat_root *r, size_t n);
/*
 * A library moved from old_dir to new_dir (both absolute): every root equal
 * to or inside old_dir is relinked.  Returns the number of roots changed
 * (0 = nothing matched old_dir) or -GR_E*.  Missing flags are re-checked.
 */
int cat_root_move(struct cat *c, const char *old_dir, const char *new_dir,
                  struct gr_err *err);
/* Absolute path of root_id + relpath: new string, free() it; NULL if no root. */
char *cat_abs_path(struct cat *c, int64_t root_id, const char *relpath);

/* ---- identity (for the scanner) ---------------------------------------- */

/*
 * A scan, as src/jobs is expected to drive it:
 *   cat_root_for_dir(dir) -> root, prefix
 *   walk: for each regular audio file (size, mtime from lstat):
 *     cat_lookup(root, prefix + rel, size, mtime, version)
 *       CAT_UNCHANGED: skip          CAT_FAILED: skip unless --retry-failed
 *       CAT_CHANGED / CAT_STALE: queue        (--force: queue everything)
 *       CAT_NEW: hash it (audio_hash); cat_relink_moved() == 1 means it
 *                was moved: skip; otherwise queue
 *     queue in batches with cat_jobs_enqueue()
 *   cat_check_missing(root) once the walk is done
 *   workers: cat_job_claim() -> analyse -> cat_job_complete() or
 *            cat_job_fail(reason); the supervisor calls
 *            cat_jobs_requeue_dead() at start (resume after SIGKILL) and
 *            cat_job_fail("crashed: ...") when it reaps a crashed worker
 *   at the end: cat_health_store(metrics), cat_optimize() if many files
 *   were added, cat_jobs_clear() when the counts are no longer needed.
 */

enum cat_lookup {
	CAT_NEW = 0,         /* no file at this path */
	CAT_UNCHANGED,       /* same size and mtime, analysed with this version */
	CAT_CHANGED,         /* size or mtime differ: analyse again */
	CAT_STALE,           /* unchanged but analysed with another version */
	CAT_FAILED,          /* unchanged and failed last time (retry on request) */
};

/*
 * What the catalog knows about root_id/relpath given the size (bytes) and
 * mtime (ns) just read from disk and the current analysis version string
 * (e.g. "classify:2,features:1,key:3,tempo:2,timeline:1").  Returns an
 * enum cat_lookup (>= 0) with *file_id set (0 for CAT_NEW), or -GR_E*.
 * Read-only; a file found here that was flagged missing is unflagged.
 */
int cat_lookup(struct cat *c, int64_t root_id, const char *relpath, int64_t size,
               int64_t mtime_ns, const char *version, int64_t *file_id,
               struct gr_err *err);

/*
 * A file new at root_id/relpath with this content hash and size: if a file
 * with the same hash and size is flagged missing, or its path no longer
 * exists on disk, it was moved: it is relinked to the new path keeping its
 * id, analysis and tags (mtime updated) and 1 is returned with *file_id.
 * 0 when nothing matched; -GR_E* on error.  One transaction.
 */
int cat_relink_moved(struct cat *c, int64_t root_id, const char *relpath, uint64_t hash,
                     int64_t size, int64_t mtime_ns, int64_t *file_id, struct gr_err *err);

/*
 * Check every file under root_id (0 = all roots) on disk (one lstat each,
 * ~1 us): absent ones are flagged missing, present ones unflagged.
 * Returns the number flagged missing now, or -GR_E*.
 */
int cat_check_missing(struct cat *c, int64_t root_id, struct gr_err *err);

/* ---- writing analyses --------------------------------------------------- */

/*
 * Store everything about one analysed file (metadata, summary, regions,
 * plugin results, features, repeated sections, peaks) in ONE transaction,
 * replacing any earlier analysis of root_id/relpath; user tags are kept,
 * automatic tags are replaced (the classes are set again; the cluster
 * tags of `grym patterns --tag` are dropped until it runs again).  version is the analysis version string (see
 * cat_lookup).  *file_id (may be NULL) gets the file's id.  Either all of
 * it is stored or nothing changes.
 */
int cat_store_analysis(struct cat *c, int64_t root_id, const char *relpath,
                       const struct an_file *f, const char *version,
                       int64_t *file_id, struct gr_err *err);

/*
 * Record that root_id/relpath could not be analysed: status failed, the
 * reason kept; an earlier good analysis of the same path is dropped.  The
 * size and mtime are read from disk (lstat) when the file is there.
 */
int cat_store_failure(struct cat *c, int64_t root_id, const char *relpath,
                      const char *reason, const char *version, int64_t *file_id,
                      struct gr_err *err);

/* ---- job queue (for src/jobs) -------------------------------------------- */

enum cat_job_state { CAT_JOB_QUEUED, CAT_JOB_RUNNING, CAT_JOB_DONE, CAT_JOB_FAILED };

struct cat_job {
	int64_t id;
	int64_t root_id;
	char relpath[4096];    /* relative to the root */
	char path[4096];       /* absolute path to open */
	int attempts;          /* claims so far, this one included */
};

/*
 * Queue root_id/relpaths[0..n) in one transaction.  Idempotent: a path
 * already queued or running is left alone; one done or failed is queued
 * again (the scanner decides what needs analysis with cat_lookup()).
 * Returns the number of jobs newly queued, or -GR_E*.
 */
int cat_jobs_enqueue(struct cat *c, int64_t root_id, const char *const *relpaths,
                     size_t n, struct gr_err *err);
/*
 * Claim the oldest queued job atomically (BEGIN IMMEDIATE): it becomes
 * running with worker pid and start time recorded, so a crash is
 * attributed to it.  Returns 1 with *job filled, 0 when none is queued,
 * or -GR_E*.
 */
int cat_job_claim(struct cat *c, int pid, struct cat_job *job, struct gr_err *err);
/*
 * The job's file was analysed: store the analysis (as cat_store_analysis)
 * and mark the job done, in the same transaction.
 */
int cat_job_complete(struct cat *c, const struct cat_job *job, const struct an_file *f,
                     const char *version, int64_t *file_id, struct gr_err *err);
/* The job needed no analysis (e.g. cat_relink_moved() found it): mark done. */
int cat_job_skip(struct cat *c, int64_t job_id, struct gr_err *err);
/*
 * The job failed (decode error, "crashed: SIGSEGV during key", "timed out
 * after 60 s"): job and file are marked failed with the reason, in one
 * transaction.  Failed jobs are not claimed again until
 * cat_jobs_retry_failed() or a new cat_jobs_enqueue() of the path.
 * Only a running job is failed: one already done (a worker killed just
 * after it committed), failed or queued again is left as it is.  Returns
 * 1 when the job was failed, 0 when it was not running, or -GR_E*.
 */
int cat_job_fail(struct cat *c, int64_t job_id, const char *reason, const char *version,
                 struct gr_err *err);
/*
 * Running jobs whose worker pid is not alive on this host (a scan killed
 * with SIGKILL, a crashed worker nobody reported) are queued again; a job
 * already claimed max_attempts times is failed instead ("worker died N
 * times while analysing this file").  pid 0 = only check liveness; a
 * nonzero pid also requeues that worker's job even if the pid is alive
 * (the supervisor knows it is gone).  Returns the number requeued or
 * failed, or -GR_E*.
 */
int cat_jobs_requeue_dead(struct cat *c, int pid, int max_attempts, struct gr_err *err);
/* Queue every failed job again; returns how many. */
int cat_jobs_retry_failed(struct cat *c, struct gr_err *err);
/* Forget done (and with failed = 1, failed) jobs: start counts afresh. */
int cat_jobs_clear(struct cat *c, int failed, struct gr_err *err);

struct cat_job_counts {
	int64_t queued, running, done, failed;
	double audio_done;     /* s of audio in the done jobs' files */
};
int cat_jobs_counts(struct cat *c, struct cat_job_counts *out, struct gr_err *err);

/* ---- rows read back ------------------------------------------------------ */

enum cat_status { CAT_ST_OK, CAT_ST_PARTIAL, CAT_ST_FAILED };
const char *cat_status_name(int status);     /* "ok", "partial", "failed" */

/* One file.  Strings are borrowed, valid until the next call on the
 * cursor / handle that produced the row. */
struct cat_file {
	int64_t id, root_id;
	const char *path;          /* absolute */
	const char *relpath;
	const char *name;          /* last component */
	int64_t size, mtime_ns;    /* bytes, ns since the epoch */
	uint64_t hash;
	const char *format, *codec;
	int rate, channels, bits, lossless;   /* Hz, count, bits, bool */
	double duration;           /* s */
	double loudness, lra, peak_db;        /* LUFS, LU, dBFS (NAN if unknown) */
	int status;                /* enum cat_status */
	int missing;               /* not on disk at the last check */
	const char *error;         /* reason of failed / partial, "" otherwise */
	double analysed_at;        /* s since the epoch */
	const char *version;       /* analysis version */
	int cls;                   /* enum an_class, -1 none */
	double cls_conf;
	int key;                   /* AN_NO_KEY or 0..23 */
	double key_conf;
	int has_tempo;
	double bpm, bpm_conf;      /* bpm 0 if no tempo */
	int beats_per_bar;
	int n_regions;
	const char *tags;          /* "kick,loop" (user and automatic), "" if none */
	const char *summary_json;  /* summary with alternates, "{}" if none */
};

/* One region. */
struct cat_region {
	int64_t id, file_id;
	int idx;                   /* 0-based */
	double start, end;         /* s, file time */
	double peak_db, loudness, lra;
	int cls;
	double cls_conf;
	int runner;                /* second class, -1 none */
	int key;
	double key_conf;
	int has_tempo;
	double bpm, bpm_conf;
	const char *path;          /* the file's absolute path */
	const char *tags;          /* region tags, "" if none */
	const char *timeline_json, *tempo_json, *key_json;  /* "null" if none */
};

/* One plugin result of one region. */
struct cat_result {
	int region_idx;
	const char *plugin;
	int version;
	int status;                /* enum an_status */
	double time;               /* s */
	const char *error;         /* "" if none */
	const char *detail_json;   /* "null" if none */
};

/* The file with this id into *out (borrowed strings, valid until the
 * next cat_* call on c).  1 found, 0 not found, -GR_E*. */
int cat_file_get(struct cat *c, int64_t id, struct cat_file *out, struct gr_err *err);
/* The id of the file at an absolute path: 1 found, 0 not, -GR_E*. */
int cat_file_find(struct cat *c, const char *abs_path, int64_t *id, struct gr_err *err);

/* Stored waveform peaks of a file (level 0 overview, 1 detail): fills
 * *out with new arrays (cat_peaks_fini() it).  1 found, 0 none, -GR_E*. */
int cat_peaks_get(struct cat *c, int64_t file_id, int level, struct dsp_peaks *out,
                  struct gr_err *err);
void cat_peaks_fini(struct dsp_peaks *p);
/* The feature vector of a region: 1 found, 0 none, -GR_E*. */
int cat_features_get(struct cat *c, int64_t region_id, float vec[AN_FEAT_DIM],
                     struct gr_err *err);

/* ---- fingerprints ------------------------------------------------------- */

/*
 * The Chromaprint raw fingerprint stored for a file (see struct an_file):
 * *fp a new array of *n_fp items (free() it), *item_s seconds apart.
 * 1 found, 0 none (too short, failed, or analysed before schema 4),
 * -GR_E* (GR_EFORMAT for a malformed row, GR_ETOOBIG past 2^19 items).
 */
int cat_fp_get(struct cat *c, int64_t file_id, uint32_t **fp, int *n_fp, double *item_s,
               struct gr_err *err);

/* JSON of a row (every searchable field; stable, documented in grym(1)),
 * appended to b. */
void cat_file_json(const struct cat_file *f, struct str *b);
void cat_region_json(const struct cat_region *g, struct str *b);

/* ---- the query language ------------------------------------------------- */

/*
 * Syntax (documented in grym(1)):
 *   kick                 free word: path, name or tag contains it
 *   "two words"          quoted free word (\" and \\ inside quotes)
 *   field:value          key:Am key:"A minor" key:F# key:Gb mode:minor
 *   bpm:118..124         range (inclusive); also dur:1..3s
 *   dur:<2s rate:>=48k   comparisons < <= > >= = with units s ms min, k kHz
 *   bpm:~120             also half and double tempo, within 4 %
 *   key:~Am              harmonically compatible keys (Camelot neighbours)
 *   -term  -(a b)        negation
 *   a,b  tag:kick,snare  OR (binds tighter than the implicit AND); a bare
 *                        value after a field's value inherits the field
 *   ( ... )              grouping
 *   sort:bpm sort:-dur   ordering (several allowed)
 * Fields: name path tag class conf keyconf bpmconf key mode bpm dur rate
 * ch bits format codec lossless status loud peak lra size meter id file
 * region (regions only: idx start end).
 */
struct cat_query;

enum cat_target { CAT_FILES, CAT_REGIONS };

/*
 * Parse text.  Returns a new query (cat_query_free() it) or NULL with err
 * "at character 7: expected a number after 'bpm:<'" (GR_EUSAGE) and
 * *errpos (may be NULL) the 0-based byte offset of the problem.  An empty
 * text matches everything.
 */
struct cat_query *cat_query_parse(const char *text, size_t *errpos, struct gr_err *err);
void cat_query_free(struct cat_query *q);
/* Nonzero if the query has at least one sort: term. */
int cat_query_has_sort(const struct cat_query *q);

struct cat_cursor;

/*
 * Files or regions matching q (NULL = all), in the query's order (default:
 * path, then region start), at most limit rows (0 = no limit).  Returns a
 * new cursor (cat_cursor_free() it) or NULL with err.  Only one cursor per
 * handle should be open while writing through the same handle.
 */
struct cat_cursor *cat_find(struct cat *c, const struct cat_query *q, int target,
                            long limit, struct gr_err *err);
/* Next row: 1 with *out filled (borrowed until the next call), 0 at the
 * end, -GR_E*.  Use the one matching the cursor's target. */
int cat_next_file(struct cat_cursor *cur, struct cat_file *out, struct gr_err *err);
int cat_next_region(struct cat_cursor *cur, struct cat_region *out, struct gr_err *err);
/* The regions of one file in time order (target CAT_REGIONS). */
struct cat_cursor *cat_regions_of(struct cat *c, int64_t file_id, struct gr_err *err);
/* The plugin results of one file, by region then plugin order. */
struct cat_cursor *cat_results_of(struct cat *c, int64_t file_id, struct gr_err *err);
int cat_next_result(struct cat_cursor *cur, struct cat_result *out, struct gr_err *err);
void cat_cursor_free(struct cat_cursor *cur);
/* Number of matching files or regions (>= 0) or -GR_E*. */
int64_t cat_count(struct cat *c, const struct cat_query *q, int target, struct gr_err *err);

/* ---- patterns: repeats inside regions, clusters of like sounds ---------- */

/* One occurrence of a repeated section inside a region (plugin
 * "patterns"; occurrences of one group sound alike). */
struct cat_pattern {
	int64_t region_id;
	int region_idx;            /* 0-based index of the region in its file */
	int group;                 /* 0-based within the region */
	double start, end;         /* s, file time */
	double score;              /* 0..1, how alike the occurrences are */
};
/* The repeated sections of a file, by region, group and start: *out is a
 * new array (free() it; NULL when *n is 0).  0 or -GR_E*. */
int cat_patterns_of(struct cat *c, int64_t file_id, struct cat_pattern **out, size_t *n,
                    struct gr_err *err);

/* Which stored vector cat_sounds_load() reads. */
enum cat_vec_kind {
	CAT_VEC_SIMVEC,            /* similarity descriptor, AN_SIM_DIM floats */
	CAT_VEC_FEATURES,          /* descriptor vector, AN_FEAT_DIM floats */
};
/* A region and the vector `grym patterns` compares. */
struct cat_sound {
	int64_t region_id, file_id;
	int idx;                   /* region index in its file */
	double start, end;         /* s, file time */
	char *path;                /* the file's absolute path; owned */
	float vec[AN_SIM_DIM];     /* the stored vector of the kind asked for (its
	                              first AN_FEAT_DIM values for features) */
};
/*
 * The regions matching q (NULL = all) that have a stored vector of kind
 * (enum cat_vec_kind), at most cap of them, in the query's order: *out a
 * new array of *n (cat_sounds_free() it); *total how many matched (> *n
 * when capped).  0 or -GR_E*.
 */
int cat_sounds_load(struct cat *c, const struct cat_query *q, int kind, size_t cap,
                    struct cat_sound **out, size_t *n, int64_t *total, struct gr_err *err);
void cat_sounds_free(struct cat_sound *s, size_t n);
/*
 * Replace the automatic cluster tags: every automatic region link of a
 * tag named prefix + digits ("sound-01") is removed (user links stay),
 * then region_ids[i] gets an automatic link to names[i].  One
 * transaction.  Re-analysing a file drops its automatic tags, these
 * included (cat_store_analysis).  0 or -GR_E*.
 */
int cat_cluster_tags_set(struct cat *c, const char *prefix, const int64_t *region_ids,
                         const char *const *names, size_t n, struct gr_err *err);
/* 1 if the tag has user (not automatic) links anywhere, 0 if not, -GR_E*. */
int cat_tag_user_linked(struct cat *c, const char *name, struct gr_err *err);
/* Accept an automatic tag: its automatic links on files and regions
 * become user links (kept by re-analysis).  Returns how many links
 * changed, or -GR_E* (GR_EUSAGE: no such tag). */
int64_t cat_tag_accept(struct cat *c, const char *name, struct gr_err *err);
/* Rename a tag: every link of old_name moves to new_name as a user link
 * (merging into new_name if it exists); old_name is removed.  Returns the
 * number of links moved, or -GR_E* (GR_EUSAGE: no such tag, bad name). */
int64_t cat_tag_rename(struct cat *c, const char *old_name, const char *new_name,
                       struct gr_err *err);

/* ---- tags and removal ---------------------------------------------------- */

/*
 * Add tags add[0..n_add) and remove del[0..n_del) on every file (target
 * CAT_FILES) or region matching q, in one transaction.  Tag names are
 * case-insensitive, 1..64 bytes, without control bytes, ',' or ':'.
 * Returns the number of files/regions matched, or -GR_E*.
 */
int64_t cat_tag(struct cat *c, const struct cat_query *q, int target,
                const char *const *add, size_t n_add, const char *const *del,
                size_t n_del, struct gr_err *err);
/* Nonzero if name is a valid tag name. */
int cat_tag_valid(const char *name);
/*
 * Remove every file matching q from the catalog (with regions, results,
 * features, peaks, tag links and jobs).  Never touches the files on disk.
 * Returns the number removed, or -GR_E*.
 */
int64_t cat_rm(struct cat *c, const struct cat_query *q, struct gr_err *err);

/* ---- statistics, health, checks ----------------------------------------- */

struct cat_stats {
	int64_t files, regions, missing, failed, partial, tags, roots;
	double audio_s;                     /* s of analysed audio */
	int64_t by_class[AN_NCLASS];        /* files by main class */
	int64_t no_class;
	int64_t by_key[24];                 /* files by key */
	int64_t no_key;
	int64_t with_tempo;
	int64_t jobs_queued, jobs_running;
	int64_t db_bytes;                   /* catalog file + WAL, bytes */
};
int cat_stats(struct cat *c, struct cat_stats *out, struct gr_err *err);

/*
 * PRAGMA integrity_check: 0 when ok, otherwise the number of problems
 * with their text appended to report (one per line).  -GR_E* on error.
 */
int cat_integrity(struct cat *c, struct str *report, struct gr_err *err);
/* Files whose analysis version differs from version (>= 0) or -GR_E*. */
int64_t cat_count_stale(struct cat *c, const char *version, struct gr_err *err);
/* The analysis version most recently stored ("" if none; borrowed). */
const char *cat_current_version(struct cat *c);

/* Engine metrics of a run, kept per plugin (schema 2: plugin_health). */
/* Audition health: add one playback (seconds played, underruns counted)
 * to the catalog's running totals (grym play and the browser call it when
 * they finish playing).  0 or -GR_E*. */
int cat_audition_record(struct cat *c, double seconds, int64_t underruns,
                        struct gr_err *err);
/* The totals: seconds played, underruns, playbacks.  0 or -GR_E*. */
int cat_audition_stats(struct cat *c, double *seconds, int64_t *underruns, int64_t *plays,
                       struct gr_err *err);
int cat_health_store(struct cat *c, const struct an_metrics *m, size_t n,
                     struct gr_err *err);
/* Read them back: new array of n (free() it); names point into an owned
 * block freed with it.  1 found, 0 none. */
int cat_health_list(struct cat *c, struct an_metrics **out, size_t *n, struct gr_err *err);

/* ---- similarity ----------------------------------------------------------- */

/*
 * The similarity descriptors of plugin "simvec" (AN_SIM_DIM float32 per
 * region, layout and distance in grym/similar.h), stored with the rest of
 * a file's analysis by cat_store_analysis().
 */
/* The vector of one region: 1 found, 0 none (not analysed with simvec),
 * -GR_E* (GR_ECORRUPT for a blob of the wrong size). */
int cat_simvec_get(struct cat *c, int64_t region_id, float vec[AN_SIM_DIM],
                   struct gr_err *err);
/*
 * Every stored vector, in ascending region id order, as two new flat
 * arrays (free() both): (*ids)[i] is the region of (*vecs)[i * AN_SIM_DIM
 * .. + AN_SIM_DIM).  Ready for sim_index_adopt().  Returns the number of
 * damaged rows skipped (>= 0, normally 0) or -GR_E* (arrays NULL).  One
 * read transaction; ~1 s and 328 MB per million regions.
 */
int cat_simvec_all(struct cat *c, int64_t **ids, float **vecs, size_t *n,
                   struct gr_err *err);
/* Number of stored vectors (>= 0) or -GR_E*. */
int cat_simvec_count(struct cat *c, struct gr_err *err);

/* ---- testing hooks ------------------------------------------------------ */

/* The DDL of migration step i (schema i -> i + 1), NULL out of range: the
 * tests build old catalogs from it. */
const char *cat_schema_step(int i);
/* The n-th write statement from now fails with GR_EDB (0 = off): fault
 * injection for the all-or-nothing tests. */
void cat_debug_fail_after(struct cat *c, int n);
/* Force the plan of cat_find(): 0 automatic, 1 ordered scan, 2 SQLite's
 * plan with measured hints (also on small catalogs).  Results must not
 * depend on it; the tests check that. */
void cat_debug_plan(struct cat *c, int mode);

#endif
