/*
 * analysis.h - the analysis engine, its plugins, and the result of
 * analysing one file (the data model the catalog stores and --json prints).
 *
 * Flow (src/analysis/pipeline.c): decode -> resample -> dsp pass ->
 * regions -> for each region, plugins in dependency order over the
 * region's frames -> file summary.  A plugin has a name, a version, the
 * plugins whose results it needs, and one entry point.  It reads the
 * results of its needs through the typed accessors below (the engine
 * guarantees they exist when it runs; a failed need means the plugin is
 * recorded as skipped, never run with a fallback) and publishes its own
 * typed result with the matching setter.  A plugin never exits, prints or
 * touches the catalog; it checks an_should_stop() in long loops.
 *
 * Thread rules: an engine and its runs belong to one thread.
 */
#ifndef GRYM_ANALYSIS_H
#define GRYM_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include "grym/audio.h"
#include "grym/dsp.h"
#include "grym/err.h"

struct gr_config;

/* Content classes, in a fixed order (stored by name, not by number). */
enum an_class {
	AN_SILENCE, AN_SPEECH, AN_SINGING, AN_MUSIC, AN_PERCUSSION,
	AN_AMBIENCE, AN_NOISE, AN_EFFECT, AN_NCLASS
};
const char *an_class_name(int cls);          /* "speech", ...; "unknown" if out of range */
int an_class_parse(const char *name);        /* -1 if not a class name */

/*
 * Keys: -1 = no key; 0..11 = C..B major; 12..23 = C..B minor
 * (tonic = key % 12, minor = key >= 12).
 */
#define AN_NO_KEY (-1)
enum an_key_style { AN_KEY_SHARP, AN_KEY_FLAT, AN_KEY_CAMELOT, AN_KEY_OPENKEY };
/* Writes "A minor" / "F# major" (long) or "Am" / "F#" (short) into buf. */
const char *an_key_name(int key, int style, int shortform, char *buf, size_t size);
/* Parses "Am", "A minor", "a min", "F#", "Gb major", "8A", "1m"...;
 * returns -1 if not a key. */
int an_key_parse(const char *s);

/* Fixed length of the descriptor vector of the features plugin. */
#define AN_FEAT_DIM 64

struct an_class_result {
	int cls;                   /* enum an_class */
	float conf;                /* probability of cls, 0..1 */
	int runner;                /* second most likely class */
	float runner_conf;
	float prob[AN_NCLASS];     /* all class probabilities, sum 1 */
};

struct an_segment {
	double start, end;         /* s, file time */
	int cls;                   /* enum an_class */
	float conf;
};

struct an_timeline_result {
	int n;                     /* segments, >= 1 */
	struct an_segment *seg;    /* owned by the store */
};

struct an_features_result {
	float vec[AN_FEAT_DIM];    /* normalised descriptor vector */
};

/* Similarity descriptor of a region (plugin "simvec"): AN_SIM_DIM values
 * in aspect blocks (timbre, spectrum, pitch, rhythm, loudness), laid out
 * and weighted as grym/similar.h documents, so that a weighted distance
 * between two vectors answers "how alike do these sound". */
#define AN_SIM_DIM 80
struct an_simvec_result {
	float vec[AN_SIM_DIM];
};

/* Repeated sections inside a region (plugin "patterns"): every occurrence
 * of one group sounds like the others of that group. */
struct an_pattern {
	int group;                 /* 0-based within the region */
	double start, end;         /* s, file time */
	float score;               /* 0..1, how alike the occurrences are */
};
struct an_patterns_result {
	int n;                     /* occurrences, 0 if nothing repeats */
	struct an_pattern *occ;    /* sorted by group, then start; owned by the store */
};

#define AN_MAX_ALT 4
struct an_tempo_result {
	int has_tempo;             /* 0: no steady pulse ("no tempo") */
	float bpm, conf;           /* chosen tempo and its confidence 0..1 */
	int n_alt;
	struct { float bpm, score; } alt[AN_MAX_ALT];  /* e.g. half and double */
	int beats_per_bar;         /* 0 unknown, 2, 3, 4, 6 */
	float meter_conf;
	double downbeat;           /* s, file time of the first downbeat, <0 if none */
	int n_beats;
	double *beats;             /* beat times, s, file time; owned by the store */
};

struct an_key_section { double start, end; int key; float conf; };
struct an_key_result {
	int key;                   /* AN_NO_KEY or 0..23 */
	float conf;
	int runner;                /* second best key, AN_NO_KEY if none */
	float runner_conf;
	float tuning_cents;        /* estimated tuning offset from A440, cents */
	int n_sections;            /* > 1 when the key clearly changes */
	struct an_key_section *sections;  /* owned by the store */
};

/* ---- plugins --------------------------------------------------------- */

enum an_status { AN_OK, AN_FAILED, AN_SKIPPED, AN_TIMEOUT, AN_DISABLED };
const char *an_status_name(int status);      /* "ok", "failed", ... */

struct an_ctx;   /* one plugin run on one region; opaque */

struct an_plugin {
	const char *name;          /* "features", "classify", ... */
	int version;               /* bump to mark stored results stale */
	const char *const *needs;  /* NULL-terminated names, or NULL */
	double budget;             /* s of wall time per minute of region audio
	                              (at least 1 s per region) */
	/* Returns 0 or a negative GR_E* with err set. */
	int (*run)(struct an_ctx *ctx, struct gr_err *err);
};

/* The region being analysed. */
double an_region_start(const struct an_ctx *c);     /* s */
double an_region_end(const struct an_ctx *c);       /* s */
/* The region's frames (borrowed, valid during run()); frame i is centred
 * at an_frame_time(c, i). */
const struct dsp_frame *an_frames(const struct an_ctx *c, size_t *n);
double an_frame_rate(const struct an_ctx *c);       /* frames per s */
/* Time of frame i of the region, s, file time. */
double an_frame_time(const struct an_ctx *c, size_t i);
/* Nonzero when the plugin is over its budget and must return -GR_ETIMEOUT. */
int an_should_stop(struct an_ctx *c);
/* The plugin's JSON detail (an object) for the catalog; the plugin
 * appends with str_add*; optional. */
struct str *an_detail(struct an_ctx *c);

/* Typed results of needs (NULL only if not declared in needs: a bug). */
const struct an_features_result *an_get_features(struct an_ctx *c);
const struct an_timeline_result *an_get_timeline(struct an_ctx *c);
const struct an_class_result *an_get_class(struct an_ctx *c);
const struct an_tempo_result *an_get_tempo(struct an_ctx *c);
const struct an_key_result *an_get_key(struct an_ctx *c);
const struct an_simvec_result *an_get_simvec(struct an_ctx *c);
const struct an_patterns_result *an_get_patterns(struct an_ctx *c);

/* Publish this plugin's typed result (copied; arrays are copied too). */
void an_set_features(struct an_ctx *c, const struct an_features_result *r);
void an_set_timeline(struct an_ctx *c, const struct an_timeline_result *r);
void an_set_class(struct an_ctx *c, const struct an_class_result *r);
void an_set_tempo(struct an_ctx *c, const struct an_tempo_result *r);
void an_set_key(struct an_ctx *c, const struct an_key_result *r);
void an_set_simvec(struct an_ctx *c, const struct an_simvec_result *r);
void an_set_patterns(struct an_ctx *c, const struct an_patterns_result *r);

/* The registry: the core plugins, in a valid dependency order. */
extern const struct an_plugin *const an_core_plugins[];
size_t an_core_plugin_count(void);

/* Raw descriptor vector (before the corpus z-scores) of frames [0, n) at
 * frame_rate, as the features plugin computes it: for training and
 * inspection tools.  Every value is finite, whatever the frames. */
void an_features_raw(const struct dsp_frame *f, size_t n, double frame_rate,
                     float raw[AN_FEAT_DIM]);
/* Name of descriptor i ("mfcc1_mean", ...); "?" out of range. */
const char *an_feature_name(int i);
/* Tuning aid for tools: override the timeline's novelty threshold
 * (<= 0 restores the tuned default).  Not for normal use. */
void an_timeline_tune(double threshold);

/* ---- results ----------------------------------------------------------- */

#define AN_MAX_PLUGINS 16

struct an_run {                 /* one plugin on one region */
	const char *name;           /* static (the plugin's own) */
	int version;
	int status;                 /* enum an_status */
	double time;                /* s of wall time */
	char *error;                /* reason when not AN_OK, NULL when none; owned
	                               (read it with an_run_error()) */
	char *detail;               /* JSON object text or NULL; owned */
};

/* The reason of a run that was not AN_OK, "" when none: never NULL. */
const char *an_run_error(const struct an_run *run);

struct an_region {
	int index;                  /* 0-based, in time order */
	double start, end;          /* s */
	double frames_t0;           /* s, file time of the centre of the first frame
	                               the engine gets (set by the pipeline) */
	float peak_db, loudness, lra;
	int has_class, has_timeline, has_features, has_tempo, has_key;
	int has_simvec, has_patterns;
	struct an_class_result cls;
	struct an_timeline_result timeline;   /* owned */
	struct an_features_result features;
	struct an_tempo_result tempo;         /* arrays owned */
	struct an_key_result key;             /* arrays owned */
	struct an_simvec_result simvec;
	struct an_patterns_result patterns;   /* arrays owned */
	int n_runs;
	struct an_run runs[AN_MAX_PLUGINS];
};

struct an_summary {
	int cls;                    /* main class (by duration x confidence), -1 if none */
	float cls_conf;
	float class_share[AN_NCLASS];  /* share of region time per class */
	int key;                    /* AN_NO_KEY or 0..23 */
	float key_conf;
	int key_runner;
	float key_runner_conf;
	int has_tempo;
	float bpm, bpm_conf;
	int n_alt;
	struct { float bpm, score; } alt[AN_MAX_ALT];
	int beats_per_bar;
};

struct an_file {
	char *path;                 /* as given; owned */
	struct audio_info info;
	uint64_t hash;              /* xxhash of the bytes */
	double duration;            /* s actually decoded */
	float loudness, lra, peak_db;
	int partial;                /* 1 when decoding stopped at corrupt data */
	char warning[256];          /* why it was partial, "" otherwise */
	int n_regions;
	struct an_region *regions;  /* owned */
	struct dsp_peaks overview, detail;  /* owned copies */
	struct an_summary summary;
	/* Chromaprint raw fingerprint of the whole decoded file (for near-
	 * duplicate search): n_fp 32-bit items, item i covering about
	 * [i * fp_item_s, i * fp_item_s + fp_item_s * 3) s.  NULL/0 if the
	 * file was too short or fingerprinting failed. */
	uint32_t *fp;                /* owned */
	int n_fp;
	double fp_item_s;            /* s between items */
};

/* Per-plugin metrics over a run (engine health). */
struct an_metrics {
	const char *name;
	int version;
	long count, failures, timeouts, skipped;
	double median_time, max_time;   /* s per region */
	int disabled;                   /* circuit breaker open */
	char last_error[256];
};

/* ---- engine ------------------------------------------------------------ */

struct an_engine;

/* A new engine over the plugins (NULL = the core plugins).  breaker: a
 * plugin failing on this many files in a row is switched off (0 = never). */
struct an_engine *an_engine_new(const struct an_plugin *const *plugins, size_t n,
                                int breaker, struct gr_err *err);
/* Run every plugin on one region of frames; fills r->runs and the typed
 * results (r must be zeroed or an_region_fini()ed, with start/end set).
 * Never fails as a whole: failures are recorded per plugin.
 * Fault injection for tests: env GRYM_FAULT="plugin:mode[:pathsubstring]"
 * (read at an_engine_new) makes the engine, instead of running that
 * plugin, crash (SIGSEGV), abort, hang (ignoring cancellation), fail
 * (an error) or be slow (past the budget, honouring an_should_stop). */
void an_engine_run_region(struct an_engine *e, struct an_region *r,
                          const struct dsp_frame *frames, size_t n, double frame_rate);
/* Tell the engine which file the next regions belong to (optional; used
 * by GRYM_FAULT's path filter and messages).  path is copied. */
void an_engine_file_begin(struct an_engine *e, const char *path);
/* Tell the engine a file is done (drives the circuit breaker: a plugin
 * that failed or timed out on `breaker` files in a row is switched off). */
void an_engine_file_done(struct an_engine *e);
/* The plugins in run order: writes up to max into out, returns the count. */
size_t an_engine_plugins(const struct an_engine *e, const struct an_plugin **out,
                         size_t max);
/* Name of the plugin running right now in this process, or NULL; safe to
 * read from a signal handler (crash attribution in workers). */
const char *an_engine_running(void);
/* Metrics per plugin (borrowed, n set). */
const struct an_metrics *an_engine_metrics(struct an_engine *e, size_t *n);
void an_engine_free(struct an_engine *e);
/* Free the results and run details owned by r (not r itself). NULL ok. */
void an_region_fini(struct an_region *r);

/* Derive f->summary from f->regions. */
void an_summarize(struct an_file *f);

/*
 * The whole analysis of one file with the given configuration and engine.
 * Returns 0 and fills *out (an_file_fini() it), or a negative GR_E* with
 * err naming the file and the reason.  A partial decode is not an error:
 * out->partial and out->warning say so.
 */
int an_analyze_file(const char *path, const struct gr_config *cfg,
                    struct an_engine *e, struct an_file *out, struct gr_err *err);
/* The same over bytes in memory (fuzzing, tests). */
int an_analyze_mem(const void *data, size_t len, const char *name,
                   const struct gr_config *cfg, struct an_engine *e,
                   struct an_file *out, struct gr_err *err);
void an_file_fini(struct an_file *f);

/* JSON of one analysed file, as `grym analyze --json` prints it (stable:
 * scripts depend on it; documented in grym(1)).  Appends to b. */
struct str;
void an_file_json(const struct an_file *f, struct str *b, int key_style);

#endif
