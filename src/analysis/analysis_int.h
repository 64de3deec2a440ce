/*
 * analysis_int.h - shared between the files of src/analysis only: the
 * plugin context (struct an_ctx) the engine hands to each plugin run, the
 * typed result store behind the an_get_* / an_set_* accessors, and the
 * descriptor and classifier code that features, timeline and classify
 * share.  Never included from outside src/analysis.
 *
 * Thread rules: as analysis.h (one engine, one thread).
 */
#ifndef GRYM_ANALYSIS_INT_H
#define GRYM_ANALYSIS_INT_H

#include <stddef.h>

#include "grym/analysis.h"
#include "grym/util.h"

/* The typed result slots of the store, one per kind of result. */
enum an_slot { AN_SLOT_FEATURES, AN_SLOT_TIMELINE, AN_SLOT_CLASS, AN_SLOT_TEMPO,
	       AN_SLOT_KEY, AN_SLOT_SIMVEC, AN_SLOT_PATTERNS, AN_NSLOT };

struct an_ctx {
	const struct an_plugin *plugin;   /* the plugin being run */
	int index;                        /* its index in the engine's order */
	struct an_region *region;         /* the store: typed results live here */
	const struct dsp_frame *frames;   /* the region's frames, borrowed */
	size_t n_frames;
	double frame_rate;                /* frames per s */
	double deadline;                  /* time_now() value past which to stop */
	int stopped;                      /* an_should_stop() said yes */
	int published;                    /* bit per enum an_slot set by this run */
	const int *owner;                 /* engine's slot -> plugin index (-1 none) */
	const unsigned char *need;        /* need[i]: plugin i is a need of this one */
	struct str detail;                /* the plugin's JSON detail, "" if unused */
};

/* Slot owner bookkeeping for the engine (store.c). */
/* Set up c for one run of plugin index idx over region r. */
void an_ctx_init(struct an_ctx *c, const struct an_plugin *p, int idx,
                 struct an_region *r, const struct dsp_frame *frames, size_t n,
                 double frame_rate, const int *owner, const unsigned char *need);
void an_ctx_fini(struct an_ctx *c);
/* Drop the typed result in slot s of r (frees its arrays). */
void an_slot_clear(struct an_region *r, int slot);
/* The slot a plugin name publishes by convention ("features" ->
 * AN_SLOT_FEATURES ...), or -1 for plugins without a typed result. */
int an_slot_of_name(const char *name);

/* ---- descriptors (plugins/features.c) ---------------------------------- */

/* an_features_raw() and an_feature_name() are public (analysis.h). */
/* z-scores of raw with the corpus statistics committed with the model,
 * clipped to +-AN_FEAT_CLIP. */
#define AN_FEAT_CLIP 8.0f
void an_feat_normalise(const float raw[AN_FEAT_DIM], float out[AN_FEAT_DIM]);

/* ---- classifier (plugins/classify.c) ----------------------------------- */

/* Class probabilities of a normalised descriptor vector with the trained
 * model; fills r completely (cls, conf, runner, prob). */
void an_classify_vec(const float vec[AN_FEAT_DIM], struct an_class_result *r);
/* Same for raw frames: describe, normalise, classify. */
void an_classify_frames(const struct dsp_frame *f, size_t n, double frame_rate,
                        struct an_class_result *r);

/*
 * The Chromaprint fingerprint of a whole file (fingerprint.c), fed with
 * the pipeline's mono resampled stream.  an_fp_new never fails (a context
 * Chromaprint refuses just yields no fingerprint); an_fp_push converts a
 * block of samples at the rate given to _new (never allocates);
 * an_fp_finish sets *fp (new array, free() it), *n_fp items and *item_s
 * (s between items) and returns n_fp, or 0 with *fp NULL when there is no
 * fingerprint (too short, Chromaprint failed).  NULL f ok everywhere.
 */
struct an_fp;
struct an_fp *an_fp_new(int rate);
void an_fp_push(struct an_fp *f, const float *mono, size_t n);
int an_fp_finish(struct an_fp *f, uint32_t **fp, int *n_fp, double *item_s);
void an_fp_free(struct an_fp *f);
/* ---- feed.c: decoding on a thread of its own, ahead of the analysis ---- */

struct audio_file;
struct an_feed;

/* Start decoding af on a new thread into a ring of blocks of block_frames
 * frames (inline when no thread can be started).  Until an_feed_next()
 * returned 0 or an error, the caller must not decode af itself.  NULL +
 * err on failure; free with an_feed_free. */
struct an_feed *an_feed_new(struct audio_file *af, size_t block_frames, struct gr_err *err);
/* The next block, as audio_read() would have returned it: frames (> 0;
 * *out is borrowed until the next call), 0 at the end of the data, or
 * -GR_E* with err set.  Then 0 for ever. */
long an_feed_next(struct an_feed *f, const float **out, struct gr_err *err);
/* Stop the thread (if still decoding) and free.  NULL ok. */
void an_feed_free(struct an_feed *f);

#endif
