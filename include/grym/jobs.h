/*
 * jobs.h - scanning: the tree walker, the scan plan (what to queue), the
 * supervisor of worker processes, and the worker's main loop.
 *
 * A scan is two steps:
 *   job_scan_prepare()  walks the directories, registers each as a library
 *                       root, looks every audio-looking file up in the
 *                       catalog (unchanged by size + mtime: skipped) and
 *                       queues the rest as jobs in the catalog; files gone
 *                       from disk are flagged missing.  Reads no file's
 *                       contents: nothing untrusted runs in this process.
 *   struct job_sup      starts N worker processes (the same binary, exec'd
 *                       fresh), watches them, enforces the per-file
 *                       deadline, attributes crashes and replaces dead
 *                       workers until the queue is empty.
 * The queue lives in the catalog, so a scan killed at any moment resumes
 * where it stopped, two scans share one queue, and any other process can
 * observe a scan with cat_jobs_counts().
 *
 * Thread rules: a struct job_sup belongs to the thread that runs it, except
 * job_sup_stop(), which any thread or a signal handler may call.  The
 * progress callback runs on the supervisor's thread.
 */
#ifndef GRYM_JOBS_H
#define GRYM_JOBS_H

#include <stdint.h>
#include <stdio.h>

#include "grym/err.h"

struct cat;
struct gr_config;
struct an_engine;
struct an_file;

/* ---- the walker ---------------------------------------------------------- */

/*
 * Why an audio-looking name was not queued.  Names that do not look like
 * audio (by extension, see job_is_audio_name) and hidden entries (a name
 * starting with '.') are ignored silently and only counted.
 */
enum job_skip {
	JOB_SKIP_NONE = 0,
	JOB_SKIP_SYMLINK,       /* a symbolic link: never followed */
	JOB_SKIP_SPECIAL,       /* FIFO, socket or device named like audio */
	JOB_SKIP_UNREADABLE,    /* a file we may not read */
	JOB_SKIP_DIR_ERROR,     /* a directory that cannot be opened or read */
	JOB_SKIP_LOOP,          /* a directory already on the current path (bind mount) */
	JOB_SKIP_TOO_DEEP,      /* deeper than JOB_WALK_MAX_DEPTH */
	JOB_SKIP_STAT,          /* the entry vanished or could not be stat'ed */
	JOB_SKIP_COUNT
};

#define JOB_WALK_MAX_DEPTH 128

/* One entry reported by the walker (all borrowed, valid during the call). */
struct job_walk_ent {
	const char *relpath;    /* relative to the walked directory, '/'-separated */
	int skip;               /* enum job_skip; JOB_SKIP_NONE = an audio file to consider */
	int errnum;             /* errno behind the skip, 0 if none */
	int64_t size;           /* bytes (files only) */
	int64_t mtime_ns;       /* ns since the epoch (files only) */
};

struct job_walk_stats {
	long dirs;              /* directories read */
	long audio;             /* regular audio-looking files reported */
	long ignored;           /* other names (not audio by extension) */
	long hidden;            /* names starting with '.', not descended into */
	long skipped[JOB_SKIP_COUNT];  /* reported skips by reason */
};

/*
 * Nonzero when name (a file name, not a path) ends in one of the audio
 * extensions, case-insensitively: .wav .wave .aif .aiff .aifc .flac .ogg
 * .oga .opus .mp3 .m4a .mp4 .aac .caf .w64 .rf64.
 */
int job_is_audio_name(const char *name);
/* "symbolic link (not followed)", ...: a static string. */
const char *job_skip_reason(int skip);

/*
 * Walk the tree under dir (an existing directory; symlinks inside are never
 * followed) depth first, entries in each directory in byte order of their
 * names.  fn is called for every regular audio-looking file (skip ==
 * JOB_SKIP_NONE) and for every problem (skip != 0: an audio-looking
 * non-regular entry or an unreadable file or directory); a nonzero return
 * from fn stops the walk and is returned.  Uses openat/fstatat with one
 * open descriptor per level.  st (may be NULL) is zeroed, then counted.
 * Returns 0, fn's value, or -GR_EIO with err when dir itself cannot be
 * opened.
 */
int job_walk(const char *dir, int (*fn)(void *arg, const struct job_walk_ent *e),
             void *arg, struct job_walk_stats *st, struct gr_err *err);

/* ---- the scan plan -------------------------------------------------------- */

/*
 * The analysis version string stored with every analysis and compared by
 * cat_lookup(): the core plugins' "name:version" sorted by name and joined
 * with ',' (e.g. "classify:2,features:1,key:3,tempo:2,timeline:1").
 * Static storage; thread-safe after the first call.
 */
const char *job_analysis_version(void);

struct job_scan_opts {
	int force;              /* queue every file, unchanged or not */
	int retry_failed;       /* queue files that failed before (otherwise kept failed) */
	int dry_run;            /* write nothing; print each decision to dry_out */
	FILE *dry_out;          /* for dry_run: "queue (new): path" lines, escaped */
};

/* One line of the summary: a name (escaped for the terminal) and a reason. */
struct job_note {
	char *path;             /* escaped, owned */
	char *reason;           /* owned */
};

struct job_plan {
	long found;             /* audio files found on disk */
	long queued;            /* jobs queued now (new + changed + stale + forced + retried) */
	long is_new, changed, stale, forced, retried;
	long unchanged;         /* skipped: same size and mtime, current version */
	long failed_kept;       /* failed before, not retried (use --retry-failed) */
	long missing;           /* catalog files under the roots now missing on disk */
	long requeued;          /* jobs of dead workers queued again */
	struct job_walk_stats walk;   /* summed over the roots */
	struct job_note *skips; /* walker problems, in walk order */
	size_t n_skips;
};

/*
 * Plan a scan of dirs[0..n) (each made absolute with realpath(); a missing
 * directory or a non-directory is an error naming it): register the root
 * (cat_root_for_dir), walk, look each file up, queue what needs analysis
 * (cat_jobs_enqueue, in batches), flag missing files (cat_check_missing),
 * and requeue jobs of workers that died in an earlier run.  With
 * opts->dry_run nothing is written (no root is registered for a new
 * directory either) and each decision is printed instead.  Fills *plan
 * (job_plan_fini() it).  0 or -GR_E*.
 */
int job_scan_prepare(struct cat *c, const char *const *dirs, size_t n,
                     const struct job_scan_opts *opts, struct job_plan *plan,
                     struct gr_err *err);
void job_plan_fini(struct job_plan *plan);

/* ---- the supervisor ------------------------------------------------------- */

/* What changed in a progress event. */
enum job_event {
	JOB_EV_TICK,            /* periodic (about 5 per s) */
	JOB_EV_DONE,            /* a file was analysed (name set) */
	JOB_EV_MOVED,           /* a file was recognised as moved (name set) */
	JOB_EV_FAILED,          /* a file failed (name and reason set) */
	JOB_EV_STOPPING,        /* a stop was requested; workers are finishing */
};

struct job_progress {
	int event;              /* enum job_event */
	const char *name;       /* escaped file name (borrowed), NULL if none */
	const char *reason;     /* for JOB_EV_FAILED (borrowed) */
	long done;              /* files finished by this run (analysed+moved+failed) */
	long analysed, moved, failed;
	long total;             /* done + what is still queued or running */
	long queued, running;   /* in the catalog now (all scans) */
	int workers;            /* worker processes alive */
	double audio_s;         /* s of audio analysed by this run */
	double elapsed;         /* s since job_sup_run started */
};

struct job_sup_opts {
	int workers;            /* worker processes (<= 0: cfg->workers, else cores) */
	/* argv of a worker (NULL-terminated): default
	 * { "/proc/self/exe", "scan", "--worker", NULL }.  The program must be
	 * this same build: the configuration is handed over in binary. */
	const char *const *worker_argv;
	const char *log_path;   /* workers' stderr (appended); NULL: /dev/null */
	/* Called on the supervisor's thread (may be NULL). */
	void (*progress)(void *arg, const struct job_progress *p);
	void *arg;
};

struct job_result {
	long analysed, moved, failed;
	long crashed, timed_out;     /* of failed: worker crashes and deadlines */
	long respawned;              /* workers started to replace dead ones */
	double audio_s;              /* s of audio analysed */
	double elapsed;              /* s of wall time */
	int stopped;                 /* 1 if ended by job_sup_stop() */
	struct job_note *failures;   /* every failed file of this run, with its reason */
	size_t n_failures;
};

struct job_sup;

/*
 * A supervisor for the catalog at cfg->catalog (cfg is copied).  The
 * supervisor opens its own catalog handle.  NULL with err on failure.
 */
struct job_sup *job_sup_new(const struct gr_config *cfg, const struct job_sup_opts *opts,
                            struct gr_err *err);
/*
 * Run until the queue is empty (or a stop): start workers, read their
 * reports, kill a worker past its deadline (cfg->job_timeout per file,
 * SIGKILL), record crashes and timeouts as failures of the file, replace
 * dead workers.  Fills *res (job_result_fini() it).  Returns 0, or -GR_E*
 * when the scan could not run at all (workers cannot start, catalog
 * error); files that fail are not errors.  -GR_EFULL: a catalog write
 * found the disk full; the files analysed so far are stored, the rest
 * (the one being written included) stay queued for the next scan.
 */
int job_sup_run(struct job_sup *s, struct job_result *res, struct gr_err *err);
/*
 * Ask a running supervisor to stop: hard = 0 lets workers finish their
 * current file for a few seconds, then kills them; hard = 1 kills them at
 * once.  Unfinished jobs are queued again for the next scan.  Async-signal
 * -safe: callable from a signal handler or another thread.
 */
void job_sup_stop(struct job_sup *s, int hard);
void job_sup_free(struct job_sup *s);
void job_result_fini(struct job_result *res);

/* ---- showing progress (the CLI's meter) ---------------------------------- */

enum job_meter_mode {
	JOB_METER_BAR,          /* a terminal: one line redrawn in place */
	JOB_METER_LINES,        /* not a terminal: a line every 5 s or 10 % */
	JOB_METER_QUIET,        /* nothing */
};

struct job_meter;
/* A meter writing to f (borrowed).  Never NULL. */
struct job_meter *job_meter_new(FILE *f, int mode);
/* The progress callback (arg is the meter): usable as job_sup_opts.progress.
 * Failures are printed as they happen, above the bar. */
void job_meter_event(void *meter, const struct job_progress *p);
/* Clear the bar before other output. */
void job_meter_end(struct job_meter *m);
void job_meter_free(struct job_meter *m);
/* The summary: counts, time, then every failure and walker problem with
 * its reason (up to 50 of each).  res may be NULL (dry run). */
void job_print_summary(FILE *f, const struct job_plan *plan, const struct job_result *res);

/* ---- the worker ------------------------------------------------------------ */

/*
 * What a worker does with one file; NULL members mean the real thing
 * (tests substitute fakes).  analyze has an_analyze_file()'s contract;
 * hash fills the content hash and size as audio_hash() does.
 */
struct job_worker_ops {
	int (*analyze)(const char *path, const struct gr_config *cfg, struct an_engine *e,
	               struct an_file *out, struct gr_err *err);
	int (*hash)(const char *path, uint64_t *hash, int64_t *size, struct gr_err *err);
};

/*
 * The worker process's main loop (call it from main in a process started
 * by a struct job_sup, with the descriptors it set up).  Reads the
 * configuration from fd 0, lowers its priority and sets its limits
 * (RLIMIT_AS, RLIMIT_NOFILE, RLIMIT_CORE, no new privileges), then claims
 * jobs from the catalog, analyses, stores, and reports on fd 3 until the
 * queue is empty or it is told to stop.  Returns the process exit status.
 */
int job_worker_main(const struct job_worker_ops *ops);

#endif
