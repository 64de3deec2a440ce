/*
 * musical.h - private to the tempo and key plugins: their algorithms as
 * pure functions over arrays of frame features, so unit tests and the
 * accuracy tool can call them without the engine.
 *
 * tempo_estimate(): onset envelope -> windowed autocorrelation -> tempo
 * salience over 40..240 BPM with octave candidates and a tempo prior ->
 * beat grid by dynamic programming -> meter and first downbeat.
 * key_estimate(): 36-bin chroma -> tuning -> harmonic emphasis, fold to 12
 * -> correlation with key profiles -> global key, runner-up, sections.
 *
 * Costs: both are O(frames x a few hundred) and allocate O(frames).
 * Thread rules: reentrant; no global state.
 */
#ifndef GRYM_PLUGINS_MUSICAL_H
#define GRYM_PLUGINS_MUSICAL_H

#include <stddef.h>

#include "grym/analysis.h"

/* What tempo_estimate() reads.  Arrays have n entries, frame i at time
 * t0 + i / fps seconds. */
struct tempo_in {
	const float *onset;   /* onset strength (dsp flux), >= 0 */
	const float *onset_sus; /* onset strength for sustained material (dsp
	                         flux_sus), or NULL: used instead of onset when
	                         the region is mostly sustained (see tempo_period.c) */
	const float *low;     /* low-band energy per frame, dB, or NULL */
	const float *body;    /* low-mid band energy (snare body), dB, or NULL */
	const float *snare;   /* two adjacent band energies, dB, at snare[i * stride]
	                         and snare[i * stride + 1] (200-400 and 400-800 Hz:
	                         snare drum, little kick or cymbal), or NULL */
	const float *chroma;  /* 36-bin chroma per frame, or NULL (sets the prior) */
	size_t stride;        /* distance between entries, in floats (1 = packed) */
	size_t n;             /* frames */
	double fps;           /* frames per second */
	double t0;            /* s, time of frame 0 */
};

/* Extra figures for tuning and the plugin's JSON detail. */
struct tempo_diag {
	float pulse;          /* periodicity strength at the chosen period, 0..1 */
	float raw_bpm;        /* tempo before the beat-grid refinement */
	float prior_bpm;      /* centre of the tempo prior used */
	float meter_d[4];     /* pattern distance at beat lags 2, 3, 4, 6 */
	float mid_ratio;      /* onset strength between beats / on beats */
	float alt_ratio;      /* weaker / stronger of odd and even beats */
	float mid_hit;        /* low and low-mid hits between beats / on beats */
	float alt_hit;        /* weaker / stronger of odd and even beats' hits, -1 none */
	float backbeat[4];    /* snare-band autocorrelation at 1/2, 1, 2 and 4 beats */
	float mid_snare;      /* snare-band hits between beats / on beats, -1 none */
	int octave;           /* -1 halved, 1 doubled, 0 kept by the beat test */
};

/*
 * Estimate tempo, alternates, beats, meter and downbeat.  Fills *out; on
 * success out->beats is a new array (free() it) or NULL when there is no
 * tempo.  diag may be NULL.  Returns 0, or -GR_ENOMEM with err set.
 */
int tempo_estimate(const struct tempo_in *in, struct an_tempo_result *out,
                   struct tempo_diag *diag, struct gr_err *err);

/*
 * tempo_onset.c: the onset envelope and its periodicity.  *env gets the
 * onset envelope (a new array of in->n doubles, detrended, unit RMS;
 * free() it) and acf[0..L) its autocorrelation (lags in frames, 1 at lag
 * 0).  Returns the number of 12 s windows with onsets (0: none, *env
 * NULL), or -GR_ENOMEM.
 */
int tempo_periodicity(const struct tempo_in *in, size_t L, double **env, double *acf);

/*
 * tempo_beats.c: beat tracking at period p (frames) over the normalised
 * onset envelope o (n = in->n values), then the BPM from the beat grid,
 * meter and downbeat.  Fills out (has_tempo, bpm, beats as a new array,
 * beats_per_bar, meter_conf, downbeat) and diag->meter_d.  0 or -GR_ENOMEM.
 */
int tempo_track(const struct tempo_in *in, const double *o, double p,
                struct an_tempo_result *out, struct tempo_diag *diag,
                struct gr_err *err);

/* What key_estimate() reads. */
struct key_in {
	const float *chroma;  /* frame i's 36 bins at chroma + i * stride */
	size_t stride;        /* in floats, >= 36 */
	const float *weight;  /* per-frame weight >= 0 (same stride), or NULL */
	size_t n;             /* frames */
	double fps;           /* frames per second */
	double t0;            /* s, time of frame 0 */
};

struct key_diag {
	float chroma12[12];   /* folded global chroma, sum 1 */
	float score[24];      /* profile correlation per key */
	float tonal;          /* share of chroma energy that is sustained, 0..1 */
	float contrast;       /* spread of chroma12 (0 = flat) */
};

/*
 * Estimate key, runner-up, tuning and sections.  Fills *out; on success
 * out->sections is a new array (free() it) or NULL.  diag may be NULL.
 * Returns 0 or -GR_ENOMEM with err set.
 */
int key_estimate(const struct key_in *in, struct an_key_result *out,
                 struct key_diag *diag, struct gr_err *err);

/* Correlation scores of a folded 12-bin chroma with the 24 key profiles
 * (index as AN keys: 0..11 major, 12..23 minor). */
void key_scores(const float chroma12[12], float score[24]);

/* Tuning offset from A440 of the summed 36-bin energy e, cents (-50..50). */
float key_tuning(const double e[36]);

/* Share of the chroma energy of n frames that is sustained (survives a
 * median filter along time), 0..1: ~0.9 for pitched music, ~0.5 for
 * drums.  chroma + i * stride holds frame i's 36 bins. */
float key_sustained(const float *chroma, size_t stride, size_t n);

/* Fold 36 bins to 12 around the given tuning (cents), adding to out. */
void key_fold(const float *c36, float cents, float out[12]);

#endif
