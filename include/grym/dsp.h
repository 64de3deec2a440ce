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
 * Frame timing (librosa center=True): frame i is centred on analysis
 * sample i * hop, i.e. at time i * hop / rate seconds (dsp_frame_time());
 * its window covers samples [i*hop - fft_size/2, i*hop + fft_size/2),
 * zeros outside the signal.  A signal of N samples gives ceil(N / hop)
 * frames (every frame centre lies inside the signal; 0 frames for N = 0).
 * Region r covers frames [first_frame, first_frame + n_frames): those whose
 * centre time lies in [start, end).
 *
 * Costs: dsp_push() is O(n log fft) and never allocates per block (the
 * frame store grows amortised, then spills).  About 1000x real time at
 * 22050 Hz on one core (tests/tools/dsp_bench).  The FFTW plans are made
 * once per process per size under a lock (fftw's planner is not
 * thread-safe) and shared.
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
	int rate;             /* analysis rate, Hz, 4000..192000 (0: 22050) */
	int fft_size;         /* STFT size in samples, power of 2 (0: 2048) */
	int hop;              /* hop in samples (0: fft_size/4); one dsp_frame per hop */
	int src_rate;         /* source rate, Hz (for loudness); 0 with
	                         src_channels 0: no source stream, loudness and
	                         peak are measured on the mono analysis signal */
	int src_channels;     /* source channel count, 1..64 */
	float silence_db;     /* dBFS: below this (minus hysteresis) is silence */
	float hysteresis_db;  /* dB: sound starts above silence_db, ends below
	                         silence_db - hysteresis_db */
	float min_silence;    /* s: shorter quiet stretches do not split a region */
	float min_region;     /* s: shorter regions are dropped */
	float padding;        /* s: added before and after each region */
	size_t frames_mem;    /* frames kept in memory before spilling (0 = default) */
};

/*
 * Features of one analysis frame (hop-spaced, centred on i * hop; see the
 * timing note above).  Exact definitions are in the file comments of
 * src/dsp/spectral.c, pitch.c, mel.c and chroma.c.  Every field is finite;
 * digital silence gives rms 0, db -120, and 0 for zcr, centroid,
 * bandwidth, rolloff, flatness, flux, flux_sus, harmonicity, pitch,
 * contrast and chroma, bands -120, mfcc of a -100 dB floor (c0 = -632.5,
 * others 0).
 */
struct dsp_frame {
	float rms;                     /* linear RMS of the frame's fft_size samples
	                                  (sine of amplitude A: A/sqrt 2) */
	float db;                      /* the same in dBFS, >= -120 */
	float zcr;                     /* zero crossings per sample, 0..1 */
	float centroid;                /* spectral centroid (magnitude-weighted), Hz;
	                                  a pure tone gives its frequency */
	float bandwidth;               /* magnitude-weighted spread around it, Hz */
	float rolloff;                 /* frequency below which 85% of energy lies, Hz */
	float flatness;                /* geometric/arithmetic mean of the power over
	                                  16-bin groups: ~0.93 white noise, ~0 tone */
	float flux;                    /* onset strength: mean over 128 mel bands of the
	                                  half-wave rectified dB increase (librosa
	                                  onset_strength, lag 1, 80 dB range), >= 0;
	                                  aligned so a click peaks at its frame */
	float flux_sus;                /* the same increase measured from the highest
	                                  level of the 3 frames before, over +-1 mel
	                                  band: a partial that dips and recovers within
	                                  70 ms (chorus, tremolo, beating voices) adds
	                                  nothing; onset strength for sustained music */
	float harmonicity;             /* 0..1, normalised autocorrelation at the period */
	float pitch;                   /* Hz (50..1600) of that period, 0 if harmonicity
	                                  < 0.5 */
	float contrast[DSP_NCONTRAST]; /* librosa spectral contrast: 10 log10 of top 2%
	                                  over bottom 2% magnitudes in [0,200), [200,400),
	                                  ... [6400, nyquist] Hz */
	float bands[DSP_NBANDS];       /* mean-square power in [0,100), [100,200), ...,
	                                  [6400, nyquist] Hz, dBFS (full-scale sine in
	                                  the band: -3), floor -120 */
	float mfcc[DSP_NMFCC];         /* MFCCs: 40 Slaney mel bands of |X|^2, 10 log10,
	                                  DCT-II ortho (librosa, no top_db) */
	float chroma[DSP_NCHROMA];     /* 1/3-semitone chroma (see DSP_NCHROMA) from
	                                  interpolated spectral peaks, 55 Hz..5 kHz, of
	                                  a ~0.37 s window; a sine of amplitude A adds
	                                  A^2/2; non-negative, not normalised */
};

struct dsp_region {
	double start, end;     /* s from the start of the file, padding included */
	int64_t first_frame;   /* first dsp_frame of the region */
	int64_t n_frames;      /* frames in the region */
	float peak_db;         /* sample peak of the source, dBFS */
	float loudness;        /* integrated loudness (EBU R128) of the source frames of
	                          [start, end), LUFS (-INFINITY if too short/quiet);
	                          measured on the file's 10 ms grid, edges within 5 ms
	                          (src/dsp/loudness.c gives the precision) */
	float lra;             /* loudness range, LU (0 if unmeasurable) */
};

/* Bucket b covers analysis samples [b * bucket, (b + 1) * bucket) of the
 * mono signal (the last one may be shorter).  n is the sample count for
 * short signals, else between target+1 and 2*target. */
struct dsp_peaks {
	int n;                 /* buckets */
	double bucket_s;       /* seconds per bucket (bucket samples / rate) */
	float *min, *max;      /* sample range per bucket, -1..1 */
	float *rms;            /* RMS per bucket, 0..1 */
};

struct dsp_analyzer;

/* Returns a new analyzer, or NULL with err (bad cfg, no memory). */
struct dsp_analyzer *dsp_new(const struct dsp_cfg *cfg, struct gr_err *err);

/* Push n mono analysis samples (cfg.rate). 0 or -GR_E* (GR_EIO when
 * the frame store cannot spill). */
int dsp_push(struct dsp_analyzer *a, const float *mono, size_t n, struct gr_err *err);

/* Push n source frames (interleaved, cfg.src_channels, cfg.src_rate)
 * covering the same stretch of time as the mono samples, in any block
 * sizes (the streams are aligned by time; either may run ahead by a few
 * seconds).  A no-op when cfg.src_rate is 0.  0 or -GR_E*. */
int dsp_push_source(struct dsp_analyzer *a, const float *src, size_t n,
                    struct gr_err *err);

/* End of input: flush, close the last region, finish loudness. */
int dsp_finish(struct dsp_analyzer *a, struct gr_err *err);

/* Back to the state after dsp_new() (same cfg), for the next file. */
int dsp_reset(struct dsp_analyzer *a, struct gr_err *err);

/* Results, valid after dsp_finish(); borrowed until dsp_free(). */
double dsp_duration(const struct dsp_analyzer *a);          /* s */
double dsp_frame_rate(const struct dsp_analyzer *a);        /* frames per s */
double dsp_frame_time(const struct dsp_analyzer *a, int64_t i); /* centre, s */
int64_t dsp_frame_count(const struct dsp_analyzer *a);
size_t dsp_region_count(const struct dsp_analyzer *a);
const struct dsp_region *dsp_regions(const struct dsp_analyzer *a);
const struct dsp_peaks *dsp_peaks_overview(const struct dsp_analyzer *a);
const struct dsp_peaks *dsp_peaks_detail(const struct dsp_analyzer *a);
float dsp_file_loudness(const struct dsp_analyzer *a);      /* LUFS */
float dsp_file_lra(const struct dsp_analyzer *a);           /* LU */
float dsp_file_peak_db(const struct dsp_analyzer *a);       /* dBFS */
/* Nonzero if the source stream ran so far ahead of the analysis stream
 * (or a quiet stretch was so long) that region loudness is approximate. */
int dsp_loudness_approximate(const struct dsp_analyzer *a);

/* Copy frames [first, first + n) into out (caller-owned). 0 or -GR_E*
 * (reading back a spilled frame can fail with GR_EIO). */
int dsp_frames_read(struct dsp_analyzer *a, int64_t first, size_t n,
                    struct dsp_frame *out, struct gr_err *err);

/* NULL ok. */
void dsp_free(struct dsp_analyzer *a);

/* Helpers shared with tests and plugins. */
float dsp_db(float linear);     /* 20 log10, floored at -120 dB */

/* Best normalised autocorrelation (0..1) of the onset strength (flux) of
 * frames f[0..n) at lags lo_s..hi_s seconds (rate: frames per s; lags
 * past n/2 are not tried), and that lag in *lag_s (NULL ok; 0 when there
 * is no positive peak).  0 for too few frames or a constant flux. */
double dsp_flux_periodicity(const struct dsp_frame *f, size_t n, double rate, double lo_s,
                            double hi_s, double *lag_s);

#endif
