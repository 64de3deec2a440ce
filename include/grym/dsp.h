/*
 * dsp.h - the one streaming pass over a file's analysis signal.
 *
 * A dsp_analyzer takes the mono analysis signal (cfg.rate, from the audio
 * resampler) and, for the same stretch of time, the source frames at the
 * source rate and channel count.  In one pass it computes:
 *   - per-frame features (struct dsp_frame, one per hop), kept in a frame
 *     store that spills to an unlinked temporary file past a memory cap, so
 *     memory stays flat whatever the file's length;
 *   - waveform peaks at two levels (overview ~1000 buckets, detail ~8000),
 *     min/max/RMS per bucket, built without knowing the length in advance;
 *   - silence-based regions with hysteresis, padding and minimum lengths;
 *   - EBU R128 loudness (libebur128) and sample peak per region and file,
 *     measured on the source frames.
 * Times are seconds from the start of the original file.
 *
 * Costs: dsp_push() is O(n log fft) and never allocates per block (the
 * frame store grows amortised, then spills).  The FFTW plans are made once
 * per process under a lock (fftw's planner is not thread-safe) and shared.
 *
 * Thread rules: one analyzer per thread; different analyzers may run on
 * different threads at once.
 */
#ifndef GRYM_DSP_H
#define GRYM_DSP_H

#include <stddef.h>
#include <stdint.h>

#include "grym/err.h"

#define DSP_NMFCC 13      /* MFCC coefficients per frame (c0..c12) */
#define DSP_NCHROMA 36    /* chroma bins: 3 per semitone; bin 3*pc is centred on
                             pitch class pc (0 = C) at A440 tuning, so a plugin
                             can estimate tuning and fold to 12 */
#define DSP_NCONTRAST 7   /* spectral contrast sub-bands */
#define DSP_NBANDS 8      /* coarse log-spaced band energies */

struct dsp_cfg {
	int rate;             /* analysis rate, Hz (22050 by default) */
	int fft_size;         /* STFT size in samples (2048) */
	int hop;              /* hop in samples (512); one dsp_frame per hop */
	int src_rate;         /* source rate, Hz (for loudness and peaks) */
	int src_channels;     /* source channel count */
	float silence_db;     /* dBFS: below this (minus hysteresis) is silence */
	float hysteresis_db;  /* dB: sound starts above silence_db, ends below
	                         silence_db - hysteresis_db */
	float min_silence;    /* s: shorter quiet stretches do not split a region */
	float min_region;     /* s: shorter regions are dropped */
	float padding;        /* s: added before and after each region */
	size_t frames_mem;    /* frames kept in memory before spilling (0 = default) */
};

/* Features of one analysis frame (hop-spaced, centred on frame * hop). */
struct dsp_frame {
	float rms;                     /* linear RMS of the frame, 0..1 */
	float db;                      /* the same in dBFS, >= -120 */
	float zcr;                     /* zero crossings per sample, 0..1 */
	float centroid;                /* spectral centroid, Hz */
	float bandwidth;               /* spectral spread around the centroid, Hz */
	float rolloff;                 /* frequency below which 85% of energy lies, Hz */
	float flatness;                /* spectral flatness, 0 (tonal) .. 1 (white) */
	float flux;                    /* onset strength: log-magnitude spectral flux,
	                                  half-wave rectified, perceptually weighted, >= 0 */
	float harmonicity;             /* 0..1, strength of the best periodicity */
	float pitch;                   /* Hz of the dominant periodicity, 0 if none */
	float contrast[DSP_NCONTRAST]; /* peak-valley difference per sub-band, dB */
	float bands[DSP_NBANDS];       /* log band energies, dB */
	float mfcc[DSP_NMFCC];         /* MFCCs of the log-mel spectrum */
	float chroma[DSP_NCHROMA];     /* log-frequency chroma energy, 1/3-semitone
	                                  bins (see DSP_NCHROMA), non-negative,
	                                  not normalised */
};

struct dsp_region {
	double start, end;     /* s from the start of the file, padding included */
	int64_t first_frame;   /* first dsp_frame of the region */
	int64_t n_frames;      /* frames in the region */
	float peak_db;         /* sample peak of the source, dBFS */
	float loudness;        /* integrated loudness, LUFS (-INFINITY if too short/quiet) */
	float lra;             /* loudness range, LU (0 if unmeasurable) */
};

struct dsp_peaks {
	int n;                 /* buckets */
	double bucket_s;       /* seconds per bucket */
	float *min, *max;      /* sample range per bucket, -1..1 */
	float *rms;            /* RMS per bucket, 0..1 */
};

struct dsp_analyzer;

/* Returns a new analyzer, or NULL with err (bad cfg, no memory). */
struct dsp_analyzer *dsp_new(const struct dsp_cfg *cfg, struct gr_err *err);

/* Push n mono analysis samples (cfg.rate). 0 or -GR_E*. */
int dsp_push(struct dsp_analyzer *a, const float *mono, size_t n, struct gr_err *err);

/* Push n source frames (interleaved, cfg.src_channels, cfg.src_rate)
 * covering the same stretch of time as the mono samples. 0 or -GR_E*. */
int dsp_push_source(struct dsp_analyzer *a, const float *src, size_t n,
                    struct gr_err *err);

/* End of input: flush, close the last region, finish loudness. */
int dsp_finish(struct dsp_analyzer *a, struct gr_err *err);

/* Results, valid after dsp_finish(); borrowed until dsp_free(). */
double dsp_duration(const struct dsp_analyzer *a);          /* s */
double dsp_frame_rate(const struct dsp_analyzer *a);        /* frames per s */
int64_t dsp_frame_count(const struct dsp_analyzer *a);
size_t dsp_region_count(const struct dsp_analyzer *a);
const struct dsp_region *dsp_regions(const struct dsp_analyzer *a);
const struct dsp_peaks *dsp_peaks_overview(const struct dsp_analyzer *a);
const struct dsp_peaks *dsp_peaks_detail(const struct dsp_analyzer *a);
float dsp_file_loudness(const struct dsp_analyzer *a);      /* LUFS */
float dsp_file_lra(const struct dsp_analyzer *a);           /* LU */
float dsp_file_peak_db(const struct dsp_analyzer *a);       /* dBFS */

/* Copy frames [first, first + n) into out (caller-owned). 0 or -GR_E*
 * (reading back a spilled frame can fail with GR_EIO). */
int dsp_frames_read(struct dsp_analyzer *a, int64_t first, size_t n,
                    struct dsp_frame *out, struct gr_err *err);

/* NULL ok. */
void dsp_free(struct dsp_analyzer *a);

/* Helpers shared with tests and plugins. */
float dsp_db(float linear);     /* 20 log10, floored at -120 dB */

#endif
