/*
 * dsp_int.h - shared between the files of src/dsp only (and its unit test,
 * which checks the pieces directly).  Never include it from another module.
 *
 * The pieces and who calls them (all from analyzer.c, one thread; loud
 * itself runs on loudq's worker):
 *   fftp_*     process-wide FFTW plan cache (stft.c), locked
 *   stft       sample ring, decimator for chroma, one callback per hop
 *   spec       time and spectral descriptors, contrast, bands (spectral.c)
 *   pitch      harmonicity and pitch by windowed autocorrelation (pitch.c)
 *   mel        mel banks: MFCC and onset strength (mel.c)
 *   chroma     36-bin peak-interpolated chroma (chroma.c)
 *   frames     append-only frame store that spills to a temp file (frames.c)
 *   peaks      streaming min/max/RMS buckets (peaks.c)
 *   silence    5 ms-block detector with hysteresis -> regions (silence.c)
 *   loud       EBU R128 per file (libebur128) and per region (its 10 ms
 *              energies, gated by us) on the source (loudness.c)
 *   loudq      runs loud on a worker thread behind a bounded queue
 * None of them allocates in its per-block path except the frame store and
 * the loudness ring of 10 ms cells, which grow amortised up to a cap.
 */
#ifndef GRYM_DSP_INT_H
#define GRYM_DSP_INT_H

#include <stddef.h>
#include <stdint.h>

#include <pthread.h>

#include <ebur128.h>
#include <fftw3.h>

#include "grym/dsp.h"
#include "grym/err.h"

/* Hot per-frame functions get a second copy built for x86-64-v3 (AVX2,
 * FMA), chosen at load time by the CPU's features; elsewhere a no-op.  The
 * loops are written to auto-vectorise, so the copy runs them 8 lanes wide.
 * (Not under ASan or TSan: ifunc resolvers run before their runtime is
 * ready.) */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && \
    !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#define DSP_SIMD __attribute__((target_clones("default", "arch=x86-64-v3")))
#else
#define DSP_SIMD
#endif

/* ---- stft.c ------------------------------------------------------------ */

/* Cached plans for size n (shared by every analyzer in the process, never
 * freed).  Arrays given to fftwf_execute_dft_* with them must come from
 * fftwf_malloc.  NULL if FFTW cannot plan. Thread-safe. */
fftwf_plan fftp_r2c(int n);
fftwf_plan fftp_c2r(int n);

/* One hop's worth of input for the feature extractors (borrowed). */
struct stft_frame {
	int64_t index;              /* frame number, centred at index * hop */
	const float *raw;           /* n samples [c - n/2, c + n/2), not windowed */
	const fftwf_complex *spec;  /* n/2 + 1 bins of the Hann-windowed frame */
	const float *power;         /* |spec|^2, n/2 + 1 */
	const fftwf_complex *cspec; /* chroma spectrum: cn/2 + 1 bins at crate */
};

typedef int (*stft_fn)(void *ctx, const struct stft_frame *f);

struct stft {
	int n, hop, rate;           /* main FFT size, hop, analysis rate (Hz) */
	int dec, cn, half;          /* chroma decimation, FFT size, filter half-length */
	double crate;               /* chroma rate, Hz = rate / dec */
	float *lin;                 /* analysis samples: lin[i - lbase] is sample i;
	                               zeros before sample 0 */
	size_t lsize;
	int64_t lbase;
	int64_t written;            /* samples in (real + flush padding) */
	float *dlin;                /* decimated samples: dlin[m - dbase] */
	size_t dsize;
	int64_t dbase, dwritten;    /* dwritten: next decimated index to make */
	int ntaps;                  /* nonzero decimator taps (symmetric pairs) */
	int *toff;                  /* tap offsets (> 0) */
	float *tw;                  /* tap weights; centre weight is tw0 */
	float tw0;
	int64_t next;               /* next frame index to emit */
	int64_t limit;              /* frames >= limit are not emitted (flush) */
	float *win, *cwin;          /* Hann windows */
	float *buf, *cbuf, *power;
	fftwf_complex *spec, *cspec;
	fftwf_plan p, cp;
};

int stft_init(struct stft *s, const struct dsp_cfg *cfg, struct gr_err *err);
void stft_fini(struct stft *s);
void stft_reset(struct stft *s);
/* Push n samples; calls fn for every frame that became complete.  Returns
 * 0 or the first nonzero fn result. */
int stft_push(struct stft *s, const float *x, size_t n, stft_fn fn, void *ctx);
/* Pad with zeros until every frame centred before sample `total` is out. */
int stft_flush(struct stft *s, int64_t total, stft_fn fn, void *ctx);

/* ---- spectral.c ---------------------------------------------------------- */

#define SPEC_FLAT_GROUP 16  /* bins averaged before the flatness ratio */

struct spec {
	int n, nb;                  /* FFT size, bins = n/2 + 1 */
	double rate;
	float pscale;               /* |X|^2 -> mean-square units */
	float *mag, *scratch;       /* nb each */
	int cedge[DSP_NCONTRAST + 1];  /* contrast sub-band bin edges */
	int bedge[DSP_NBANDS + 1];  /* coarse band bin edges */
};

int spec_init(struct spec *s, int n, int rate, struct gr_err *err);
void spec_fini(struct spec *s);
/* Fills rms, db, zcr, centroid, bandwidth, rolloff, flatness, contrast,
 * bands of out from one frame. */
void spec_compute(struct spec *s, const struct stft_frame *f, struct dsp_frame *out);

/* ---- pitch.c ------------------------------------------------------------- */

struct pitch {
	int n, m;                   /* FFT size, autocorrelation size (n/2) */
	double arate;               /* rate of the autocorrelation lags, Hz */
	int lag_min, lag_max;       /* lag search range at arate */
	fftwf_complex *spec;        /* m/2 + 1 */
	float *ac, *wac;            /* m each: frame and window autocorrelation */
	fftwf_plan p;
};

int pitch_init(struct pitch *p, int n, int rate, const float *win, struct gr_err *err);
void pitch_fini(struct pitch *p);
/* Fills harmonicity and pitch from the frame's power spectrum. */
void pitch_compute(struct pitch *p, const struct stft_frame *f, struct dsp_frame *out);

/* ---- mel.c --------------------------------------------------------------- */

#define MEL_NMFCC_BANDS 40
#define MEL_NFLUX_BANDS 128
#define MEL_FLUX_RANGE 80.0f   /* dB below the running maximum counted by flux */

struct melbank {
	int nbands;
	int *start, *len;           /* first bin and bin count per band */
	float *w;                   /* weights, bands packed */
	int *woff;                  /* offset of band b's weights in w */
};

struct mel {
	struct melbank mfcc, flux;
	float dct[DSP_NMFCC][MEL_NMFCC_BANDS];
	float lm[MEL_NMFCC_BANDS];
	float cur[MEL_NFLUX_BANDS], prev[MEL_NFLUX_BANDS], prev2[MEL_NFLUX_BANDS];
	float prev3[MEL_NFLUX_BANDS], prev4[MEL_NFLUX_BANDS]; /* for flux_sus */
	int have;                   /* frames seen (for the flux lag) */
	float maxdb;                /* running maximum of the flux mel dB */
	float pscale;
};

int mel_init(struct mel *m, int n, int rate, struct gr_err *err);
void mel_fini(struct mel *m);
void mel_reset(struct mel *m);
/* Fills mfcc and flux. */
void mel_compute(struct mel *m, const struct stft_frame *f, struct dsp_frame *out);

/* ---- chroma.c ------------------------------------------------------------ */

#define CHROMA_FMIN 52.0   /* a quarter tone below A1 (55 Hz) */
#define CHROMA_FMAX 5000.0

struct chroma {
	int cn, kmin, kmax;         /* FFT size, bin range searched for peaks */
	double crate;
	float pscale;               /* |X|^2 at a peak -> sine mean square */
	float *lp, *pw;             /* log2 power and power scratch, cn/2 + 1 */
	float *pos, *dpos;          /* chroma position of bin k (+288), per bin of offset */
};

int chroma_init(struct chroma *c, int cn, double crate, struct gr_err *err);
void chroma_fini(struct chroma *c);
void chroma_compute(struct chroma *c, const struct stft_frame *f, struct dsp_frame *out);

/* ---- frames.c ------------------------------------------------------------ */

struct frames {
	size_t cap;                 /* frames kept in memory */
	struct dsp_frame *mem;      /* frames [ndisk, ndisk + nmem) */
	size_t nmem, alloc;
	int64_t ndisk;              /* frames spilled to fd */
	int fd;                     /* unlinked temp file, -1 until first spill */
};

void frames_init(struct frames *f, size_t cap);
void frames_fini(struct frames *f);
void frames_reset(struct frames *f);
int frames_append(struct frames *f, const struct dsp_frame *fr, struct gr_err *err);
int64_t frames_count(const struct frames *f);
int frames_read(struct frames *f, int64_t first, size_t n, struct dsp_frame *out,
                struct gr_err *err);
/* Bytes of frames held in memory (for tests). */
size_t frames_mem_bytes(const struct frames *f);

/* ---- peaks.c ------------------------------------------------------------- */

struct peaks_level {
	int target;                 /* wanted buckets; holds up to 2 * target */
	int64_t bsize;              /* samples per bucket */
	int n;                      /* buckets started */
	int64_t fill;               /* samples in the last bucket */
	float *mn, *mx;
	double *ss;                 /* sum of squares per bucket */
};

struct peaks {
	struct peaks_level lv[2];   /* overview, detail */
	double rate;
	struct dsp_peaks out[2];    /* built by peaks_finish */
};

#define PEAKS_OVERVIEW 1000
#define PEAKS_DETAIL 8000

void peaks_init(struct peaks *p, double rate, int overview, int detail);
void peaks_fini(struct peaks *p);
void peaks_reset(struct peaks *p);
void peaks_push(struct peaks *p, const float *x, size_t n);
void peaks_finish(struct peaks *p);

/* ---- silence.c ----------------------------------------------------------- */

enum { SIL_OPEN, SIL_CLOSE };

/* Region events, in time order, for the loudness tracker.  Times in
 * analysis samples. */
struct sil_event {
	int type;                   /* SIL_OPEN / SIL_CLOSE */
	int64_t at;                 /* padded start (OPEN) or padded end (CLOSE) */
	int region;                 /* CLOSE: index in regions, -1 if dropped */
};

typedef void (*sil_fn)(void *ctx, const struct sil_event *ev);

struct silence {
	int rate, blk;              /* Hz, samples per detection block */
	double on, off;             /* mean-square thresholds */
	int64_t min_sil, min_reg, pad, close_after;  /* samples */
	double acc;                 /* sum of squares of the current block */
	int accn;
	int64_t pos;                /* samples consumed */
	int state;                  /* 0 idle, 1 sound, 2 quiet inside a region */
	int64_t s0, q0;             /* sound start, quiet start (unpadded) */
	int64_t pstart;             /* padded start of the open region */
	int64_t sound_end;          /* end of the last loud block */
	int64_t prev_end;           /* padded end of the last kept region */
	struct dsp_region *reg;
	size_t nreg, areg;
	sil_fn fn;
	void *ctx;
};

void silence_init(struct silence *s, const struct dsp_cfg *cfg, sil_fn fn, void *ctx);
void silence_fini(struct silence *s);
void silence_reset(struct silence *s);
void silence_push(struct silence *s, const float *x, size_t n);
/* Closes the open region at sample `total`. */
void silence_finish(struct silence *s);
/* Whether a region is open and its sound lasts at least until the
 * returned sample (for the loudness tracker). */
int64_t silence_sound_until(const struct silence *s);
/* No region opening later can start before this sample. */
int64_t silence_idle_from(const struct silence *s);

/* ---- loudness.c ---------------------------------------------------------- */

struct loud_res {
	int set;                    /* the region was measured */
	float loudness, lra;        /* LUFS, LU */
	float peak_db;              /* dBFS sample peak */
};

/* Cell c of the file's 10 ms grid: source frames
 * [round(c * rate / 100), round((c + 1) * rate / 100)). */
struct loud_cell {
	double e;                   /* K-weighted mean square (libebur128's energy) */
	float pk;                   /* sample peak, linear */
};

/* One region's block energies binned by loudness (0.01 LU from -70 LUFS). */
struct loud_hist {
	uint32_t *n;                /* blocks per bin */
	double *e;                  /* their energy sum per bin */
	int lo, hi;                 /* bins used: [lo, hi], none when lo > hi */
	uint64_t nt;                /* blocks in all bins */
	double et;                  /* their energy sum */
};

struct loud {
	int rate, ch;               /* source rate (Hz), channels */
	double arate;               /* analysis rate: event times are in its samples */
	int64_t s100;               /* libebur128's frames per 100 ms, (rate + 5) / 10 */
	double abs_gate;            /* -70 LUFS as an energy */
	ebur128_state *file;        /* whole-file state, fed every source frame */
	float file_peak;            /* linear */
	int64_t in;                 /* source frames received */
	int64_t ctop;               /* cell being filled (those before are complete) */
	int64_t cend;               /* source frame where it ends */
	float cpk;                  /* its peak so far */
	struct loud_cell *cell;     /* ring: cell c at cell[c & (cap - 1)], held
	                               for cbase <= c <= ctop */
	size_t cap;                 /* power of two */
	int64_t cbase;
	int approx;                 /* ring overflowed: region values approximate */
	int open;                   /* a region is open: */
	int64_t j0, c0;             /*   its start (source frame), first cell */
	int64_t ng, ns;             /*   end cell of its next 400 ms / 3 s block */
	int64_t cp;                 /*   next cell for its peak */
	float rpk;                  /*   its peak so far, linear */
	struct loud_hist hg, hs;    /*   its 400 ms and 3 s blocks */
	int64_t until;              /* detector: sound of the open region lasts to
	                               here (analysis samples), -1 if none open */
	int64_t idle_from;          /* detector: no future region starts before */
	struct sil_event *q;        /* decided region events not yet applied */
	size_t qh, qn, qa;
	double file_lufs, file_lra; /* after loud_finish */
	struct loud_res *res;       /* regions' values by region index */
	size_t nres, ares;
};

int loud_init(struct loud *l, const struct dsp_cfg *cfg, int src_rate, int src_ch,
              struct gr_err *err);
void loud_fini(struct loud *l);
int loud_reset(struct loud *l, struct gr_err *err);
/* A region event from the detector (queued; applied by loud_pump). */
void loud_event(struct loud *l, const struct sil_event *ev);
/* Source frames (interleaved); regions' values land in l->res. */
int loud_push(struct loud *l, const float *x, size_t n, struct gr_err *err);
/* Apply what the detector has decided: until = silence_sound_until(),
 * idle_from = silence_idle_from(). */
int loud_pump(struct loud *l, int64_t until, int64_t idle_from, struct gr_err *err);
/* End of both streams: close everything, compute the file's values. */
int loud_finish(struct loud *l, struct gr_err *err);
/* Copy the measured regions' loudness, LRA and peak into reg[0..nreg). */
void loud_results(const struct loud *l, struct dsp_region *reg, size_t nreg);

/* ---- loud_thread.c ------------------------------------------------------- */

#define LOUDQ_SLOTS 16              /* queue depth */
#define LOUDQ_FRAMES 4096           /* source frames per slot */

/* The loudness meter on its own thread; calls are applied in post order. */
struct loudq {
	struct loud *l;             /* borrowed; the worker's while running */
	struct loudq_slot *slot;    /* ring of LOUDQ_SLOTS */
	int head, count;            /* mu */
	int failed;                 /* mu: the worker hit an error (werr) */
	struct gr_err werr;         /* mu */
	int running;                /* producer only: worker started, not joined */
	int sync_init;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t not_empty, not_full;
};

int loudq_init(struct loudq *q, struct loud *l, struct gr_err *err);
/* Start the worker (no-op when running); when it cannot start, calls run
 * inline. */
void loudq_start(struct loudq *q);
/* As loud_push/loud_event/loud_pump, queued (source frames are copied);
 * may block while the queue is full.  An error is the worker's earlier
 * one. */
int loudq_source(struct loudq *q, const float *x, size_t n, struct gr_err *err);
void loudq_event(struct loudq *q, const struct sil_event *ev);
int loudq_pump(struct loudq *q, int64_t until, int64_t idle_from, struct gr_err *err);
/* loud_finish on the worker, then join it.  0 or its first error. */
int loudq_finish(struct loudq *q, struct gr_err *err);
/* Join the worker without finishing (for reset and free). */
void loudq_stop(struct loudq *q);
void loudq_fini(struct loudq *q);

/* ---- shared helpers ------------------------------------------------------ */

/* Hann window of length n (periodic, as librosa / scipy "hann", sym=False). */
void dsp_hann(float *w, int n);

/* log2 of x > 0, absolute error < 2e-5: exponent bits plus the atanh
 * series of the mantissa (no libm call; for peak interpolation, flatness
 * and pitch positions). */
static inline float dsp_fast_log2(float x)
{
	union { float f; uint32_t u; } v = { x };
	float e = (float)((int)((v.u >> 23) & 0xff) - 127);
	float t, t2;

	v.u = (v.u & 0x007fffff) | 0x3f800000;   /* mantissa in [1, 2) */
	t = (v.f - 1.0f) / (v.f + 1.0f);
	t2 = t * t;
	return e + 2.8853901f * t * (1.0f + t2 * (0.33333333f + t2 * (0.2f +
	                                                        t2 * 0.14285714f)));
}

#endif
