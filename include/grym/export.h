/*
 * export.h - take files and regions out of the catalog as new sample
 * files (and an SFZ instrument), for `grym export` and the TUI's `e`.
 *
 * Three steps, so the catalog is only touched on the caller's thread:
 *   1. export_set_add(set, cat, query, regions): copies the rows (paths,
 *      times, class, key, BPM, tags; region boundaries of whole files)
 *      into the set.  Cheap; needs the struct cat.
 *   2. export_plan(set, opts): names every output from the template,
 *      sanitised and made unique; refuses (GR_EBUSY, nothing written) when
 *      a name exists and opts->force is 0.  No catalog, no audio.
 *   3. export_run(set, opts): decodes each ORIGINAL file (sample-exact
 *      seek, all channels), resamples (libsamplerate, best quality) when
 *      the rate changes, fades, normalises (a measuring pass first),
 *      quantises with TPDF dither and writes each output atomically (a
 *      temp file in the target folder, fsync, rename).  Then the SFZ.
 *      Runs on any one thread; no catalog handle; reports progress through
 *      opts->progress, whose nonzero return cancels (the temp file of the
 *      item in progress is removed).
 * A set, once run, carries each item's result (path, frames, gain,
 * measured peak and loudness, error).
 *
 * Thread rules: a set belongs to one thread at a time; export_run() may be
 * called on a worker thread after steps 1-2 on the UI thread.
 */
#ifndef GRYM_EXPORT_H
#define GRYM_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "grym/err.h"

struct cat;
struct cat_query;

enum export_norm { EXPORT_NORM_NONE, EXPORT_NORM_PEAK, EXPORT_NORM_LUFS };

#define EXPORT_FADE_DEFAULT_MS 5.0   /* regions; whole files get no fade by default */
#define EXPORT_NAME_MAX 200          /* bytes of a sanitised stem (before -N and .ext) */
#define EXPORT_LUFS_CEILING_DB (-0.1) /* loudness gain never lifts the peak above this */

struct export_progress {
	size_t item;            /* 0-based index of the item being written */
	size_t total;           /* items in the set */
	double item_frac;       /* 0..1 within the item (both passes when normalising) */
	const char *out_name;   /* borrowed: the output's file name */
};

struct export_opts {
	const char *dir;          /* target folder (must exist) */
	int format;               /* enum audio_wfmt: AUDIO_W_WAV (default), _FLAC, _OGG */
	int rate;                 /* Hz, 0 = the source's */
	int bits;                 /* 8, 16, 24, 32, -32 (float WAV); 0 = the source's
	                             depth where the format allows (24 for lossy
	                             sources, float sources in FLAC) */
	int norm;                 /* enum export_norm */
	double norm_target;       /* dBFS (peak, <= 0) or LUFS */
	double fade_ms;           /* fade in and out, ms; < 0 = default (5 ms for
	                             regions, none for whole files) */
	const char *name_tmpl;    /* NULL = "{name}" for files, "{name}_{index}" for
	                             regions */
	int force;                /* replace existing files */
	const char *sfz;          /* instrument name (writes DIR/NAME.sfz), NULL = none */
	int key_style;            /* enum an_key_style for {key} and metadata */
	/* Called on the export_run() thread, at least every item and about
	 * every 64k frames; nonzero cancels.  NULL = none. */
	int (*progress)(void *ud, const struct export_progress *p);
	void *ud;
};

/* One file or region to write; the fields after "results" are filled by
 * export_plan() / export_run().  Strings owned by the set. */
struct export_item {
	int64_t file_id;
	int64_t region_id;        /* 0 for a whole file */
	int idx;                  /* region index in its file, 0-based; -1 for a file */
	char *src;                /* absolute path of the original */
	double start, end;        /* s, file time; a whole file: 0 and its duration */
	int cls;                  /* enum an_class, -1 none */
	int key;                  /* AN_NO_KEY or 0..23 */
	double bpm;               /* 0 = no tempo */
	char *tags;               /* "kick,loop", "" none */
	double *cues;             /* whole files: region boundaries, s (owned) */
	size_t n_cues;
	/* results */
	char *out;                /* planned output path (DIR/stem.ext) */
	int64_t frames;           /* written, at the output rate */
	int rate, channels, bits; /* of the output (bits 0 for Ogg) */
	double gain_db;           /* applied gain (0 without normalisation) */
	int gain_limited;         /* the loudness target was lowered to avoid clipping */
	double peak_db;           /* sample peak of the written audio, dBFS */
	double loudness;          /* integrated loudness written, LUFS (NAN if < 0.4 s) */
	int64_t clipped;          /* samples clipped by the writer */
	int status;               /* 0 ok, negative GR_E* failed, 1 not run yet */
	char error[256];          /* reason when status < 0 */
};

struct export_set;

struct export_set *export_set_new(void);
/* NULL ok. */
void export_set_free(struct export_set *s);
/*
 * Add the files (regions = 0) or regions matching q, in the query's order.
 * Returns the number added (>= 0) or -GR_E* with err.  Call on the thread
 * that owns c.
 */
int export_set_add(struct export_set *s, struct cat *c, const struct cat_query *q,
                   int regions, struct gr_err *err);
size_t export_set_count(const struct export_set *s);
/* Borrowed; valid until the set is freed. */
const struct export_item *export_set_item(const struct export_set *s, size_t i);
/* Path of the SFZ written by export_run(), NULL if none (borrowed). */
const char *export_set_sfz(const struct export_set *s);

/*
 * Name every output (see export_name_expand) and check the target folder:
 * 0, or -GR_EUSAGE (bad template or options), -GR_EIO (folder missing or
 * not a folder), -GR_EBUSY ("DIR/x.wav exists; use --force") with err.
 */
int export_plan(struct export_set *s, const struct export_opts *o, struct gr_err *err);
/*
 * Write every planned item (export_plan() first).  Items that fail on
 * their own (a source gone missing, a decode error) are marked and the
 * rest go on; a write error in the target folder (full disk, no
 * permission) or a cancel stops the run.  Returns the number of failed
 * items (>= 0), or -GR_E* with err when the run stopped (-GR_ECANCEL for a
 * cancel).  Never leaves a partial file: outputs appear complete or not
 * at all.
 */
int export_run(struct export_set *s, const struct export_opts *o, struct gr_err *err);

/* ---- names (export_name.c; pure functions, fuzzed) ------------------------ */

struct export_name_vars {
	const char *name;         /* source file name without extension */
	int index;                /* region number in its file, 1-based (files: 1) */
	size_t n;                 /* position in this export, 1-based */
	size_t total;             /* items in this export (for {n}'s width) */
	int cls;                  /* enum an_class, -1 none */
	int key;                  /* AN_NO_KEY or 0..23 */
	int key_style;            /* enum an_key_style */
	double bpm;               /* 0 none */
	double start, dur;        /* s */
	const char *tag;          /* first tag, NULL/"" none */
	int64_t id;               /* region id (files: file id) */
};

/*
 * Expand tmpl into out (size bytes, >= EXPORT_NAME_MAX + 1) and sanitise
 * the result into a file name stem: {name} {index} {n} {class} {key} {bpm}
 * {start} {dur} {tag} {id}; {{ and }} are literal braces; a number may
 * take a width, {index:3} -> "007".  Missing values expand to "" and the
 * separators around them are tidied.  Returns 0, or -GR_EUSAGE with err
 * ("unknown field {foo} at character 5") for a bad template.
 */
int export_name_expand(const char *tmpl, const struct export_name_vars *v, char *out,
                       size_t size, struct gr_err *err);
/*
 * Make s (NUL-terminated, edited in place) a safe, portable file name
 * stem: '/', '\\', control bytes, DEL, invalid UTF-8 and the characters
 * Windows forbids (<>:"|?*) become '_'; leading dots and spaces and
 * trailing dots and spaces go; reserved device names (CON, NUL, COM1, ...)
 * get a '_' prefix; the length is cut to EXPORT_NAME_MAX bytes on a UTF-8
 * boundary; an empty result becomes "untitled".
 */
void export_name_sanitize(char *s);
/* Check a template without expanding it: 0 or -GR_EUSAGE with err. */
int export_name_check(const char *tmpl, struct gr_err *err);

#endif
