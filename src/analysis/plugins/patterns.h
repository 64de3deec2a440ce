/*
 * patterns.h - private to the patterns plugin (patterns.c, pattern_sim.c,
 * pattern_group.c): repeated sections inside one region, found from the
 * self-similarity of the frame features, as pure functions over an array
 * of dsp frames so unit tests can call them without the engine.
 *
 * Pipeline:  frames -> coarse vectors (~10 per s, at most PT_MAXN)
 *   -> lag-by-lag diagonal similarity, smoothed along the diagonal, with a
 *      contrast against the neighbouring lags and the region's typical
 *      similarity (pattern_sim.c: stripes)
 *   -> each stripe's lag and edges refined on the full-rate frames, the
 *      occurrences linked into groups transitively (pattern_group.c).
 *
 * Costs: O(n^2 x 50) multiply-adds on n <= PT_MAXN coarse vectors (a few
 * tenths of a second for n = 3000), O(n x 20) memory; nothing proportional
 * to n^2 is stored; then at most 300 stripes refined (pattern_group.c).  Thread rules: reentrant, no global state.
 */
#ifndef GRYM_PLUGINS_PATTERNS_H
#define GRYM_PLUGINS_PATTERNS_H

#include <stddef.h>

#include "grym/analysis.h"

#define PT_RATE 10.0        /* coarse vectors per s (fewer past PT_MAXN) */
#define PT_MAXN 3000        /* most coarse vectors per region */
#define PT_MIN_LEN 1.0      /* s: shortest occurrence */
#define PT_MAX_OCC 256      /* most occurrences kept per region */
#define PT_NCH DSP_NCHROMA  /* chroma dimensions (1/3 semitone: a repeat is in tune) */
#define PT_NMF 12           /* MFCC dimensions (c1..c12) */

/* What pt_find() reads: frame i is centred at t0 + i / fps seconds. */
struct pt_in {
	const struct dsp_frame *f;
	size_t n;
	double fps;
	double t0;
	/* Polled between lags; nonzero = stop (pt_find() returns
	 * -GR_ETIMEOUT).  NULL: never stop. */
	int (*stop)(void *arg);
	void *stop_arg;
};

/* Region statistics that turn a frame (or a mean of frames) into a
 * comparable vector. */
struct pt_norm {
	float ch_mean[PT_NCH];      /* mean of the unit chroma vectors */
	float mf_mean[PT_NMF];      /* mean MFCC c1..c12 */
	float mf_scale[PT_NMF];     /* 1 / max(std, floor) */
};

/* A comparable vector: centred chroma, z-scored MFCC, and how pitched
 * the sound is (0..1, weights the chroma part of the similarity). */
struct pt_vec {
	float ch[PT_NCH];
	float mf[PT_NMF];
	float ch_norm, mf_norm;     /* lengths of ch and mf, floored (soft cosine) */
	float pitched;
};

/* A candidate repeat: coarse vectors [t0, t1) are like [t0 + lag, t1 + lag). */
struct pt_stripe {
	int t0, t1, lag;            /* coarse indices */
	float sim;                  /* mean similarity along it, -1..1 */
	float contrast;             /* mean contrast against the lag's surroundings */
};

/* ---- pattern_sim.c ------------------------------------------------------ */

/* The normalisation statistics of frames [0, n). */
void pt_norm_compute(const struct dsp_frame *f, size_t n, struct pt_norm *nm);
/* The vector of the mean of frames [from, to) (to > from). */
void pt_vec_make(const struct dsp_frame *f, size_t from, size_t to,
                 const struct pt_norm *nm, struct pt_vec *v);
/* Similarity of two vectors, -1..1 (1: alike). */
float pt_sim(const struct pt_vec *a, const struct pt_vec *b);
/* The stripes of the coarse vectors v[0..n) (rate: vectors per s, for
 * the time constants; in->stop is polled).  Returns a new array (free() it)
 * with *ns entries, strongest first, or NULL with *ns = 0; *ns = -1
 * when stopped. */
struct pt_stripe *pt_stripes(const struct pt_vec *v, int n, double rate,
                             const struct pt_in *in, int *ns);

/* ---- pattern_group.c ---------------------------------------------------- */

/*
 * Refine the stripes on the full-rate frames (hop frames per coarse
 * vector) and link their occurrences into groups.  Fills out->n and
 * out->occ (a new array, free() it; NULL when n is 0), sorted by group
 * then start, times in file seconds.
 */
void pt_group(const struct pt_in *in, const struct pt_norm *nm, size_t hop,
              const struct pt_stripe *st, int ns, struct an_patterns_result *out);

/* ---- pattern_sim.c: the whole search ------------------------------------ */

/*
 * Find the repeated sections of in's frames.  Fills *out (out->occ is a
 * new array, free() it; NULL and n = 0 when nothing repeats).  Returns 0,
 * or -GR_ETIMEOUT with err set when in->stop said so.
 */
int pt_find(const struct pt_in *in, struct an_patterns_result *out, struct gr_err *err);

#endif
