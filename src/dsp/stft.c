/*
 * stft.c - the short-time Fourier transform that drives every frame
 * feature, and the process-wide FFTW plan cache.
 *
 * Framing (librosa center=True): frame i is centred on analysis sample
 * i * hop; its main window covers [i*hop - n/2, i*hop + n/2) with samples
 * before the start of the signal (and after its end, at flush) taken as 0.
 * For chroma, the signal is low-passed and decimated by `dec` (2 at 22050
 * Hz, so the chroma rate is 11025 Hz) and a second Hann-windowed FFT of
 * cn samples (~0.37 s, 4096 at 11025 Hz: 2.7 Hz bins) is centred on the
 * same instant; this is the resolution of an 8192-point FFT at 22050 Hz at
 * half the cost.  A frame is emitted once the chroma window is full, so
 * the latency is ~cn*dec/2 samples; stft_flush() pads zeros at the end.
 *
 * Costs per hop: one r2c FFT of n, one of cn, n + cn window products,
 * hop/dec * (taps/2) multiply-adds for the decimator.  Samples live in
 * linear buffers (4x the history a frame needs; the tail is moved to the
 * front when one fills) so every inner loop is contiguous.  No allocation
 * after stft_init().
 *
 * Threads: the plan cache is shared and guarded by plan_lock (fftw's
 * planner is not thread-safe; executing a plan on new arrays is).  A
 * struct stft belongs to one thread.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3")   /* vectorise the per-sample loops (GCC 12 -O2 does not) */
#endif
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "dsp_int.h"

#define PLAN_MAX 16

/* plan_lock guards plans[] and nplans, and every call into fftw's planner. */
static pthread_mutex_t plan_lock = PTHREAD_MUTEX_INITIALIZER;
static struct { int n, kind; fftwf_plan p; } plans[PLAN_MAX];
static int nplans;

static fftwf_plan plan_get(int n, int kind)
{
	fftwf_plan p = NULL;
	float *r;
	fftwf_complex *c;
	int i;

	pthread_mutex_lock(&plan_lock);
	for (i = 0; i < nplans; i++)
		if (plans[i].n == n && plans[i].kind == kind) {
			p = plans[i].p;
			goto out;
		}
	if (nplans == PLAN_MAX)
		goto out;
	/* FFTW_ESTIMATE: planning is instant and, measured here, within ~10%
	 * of FFTW_MEASURE at these sizes; MEASURE costs ~1 s per size per
	 * worker process. */
	r = fftwf_alloc_real((size_t)n);
	c = fftwf_alloc_complex((size_t)n / 2 + 1);
	if (r != NULL && c != NULL) {
		if (kind == 0)
			p = fftwf_plan_dft_r2c_1d(n, r, c, FFTW_ESTIMATE);
		else
			p = fftwf_plan_dft_c2r_1d(n, c, r, FFTW_ESTIMATE);
	}
	fftwf_free(r);
	fftwf_free(c);
	if (p != NULL) {
		plans[nplans].n = n;
		plans[nplans].kind = kind;
		plans[nplans].p = p;
		nplans++;
	}
out:
	pthread_mutex_unlock(&plan_lock);
	return p;
}

fftwf_plan fftp_r2c(int n) { return plan_get(n, 0); }
fftwf_plan fftp_c2r(int n) { return plan_get(n, 1); }

void dsp_hann(float *w, int n)
{
	for (int i = 0; i < n; i++)
		w[i] = (float)(0.5 - 0.5 * cos(2.0 * M_PI * i / n));
}

static size_t pow2_at_least(size_t v)
{
	size_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

/* Windowed-sinc low-pass at crate/2, Blackman window, half-length 16*dec;
 * only the nonzero symmetric taps are kept (every dec-th tap of an ideal
 * 1/dec band filter is zero). */
static void make_decimator(struct stft *s)
{
	int L = s->half, j, k = 0;
	double fc = 0.5 / s->dec, sum, h[16 * 8 + 1];

	s->ntaps = 0;
	s->tw0 = 1.0f;
	if (s->dec == 1)
		return;
	sum = 2.0 * fc;
	for (j = 1; j <= L; j++) {
		double x = 2.0 * fc * j, bw;
		bw = 0.42 + 0.5 * cos(M_PI * j / (L + 1)) + 0.08 * cos(2 * M_PI * j / (L + 1));
		h[j] = 2.0 * fc * sin(M_PI * x) / (M_PI * x) * bw;
		sum += 2.0 * h[j];
	}
	for (j = 1; j <= L; j++) {
		if (fabs(h[j]) < 1e-9)
			continue;
		s->toff[k] = j;
		s->tw[k] = (float)(h[j] / sum);
		k++;
	}
	s->ntaps = k;
	s->tw0 = (float)(2.0 * fc / sum);
}

int stft_init(struct stft *s, const struct dsp_cfg *cfg, struct gr_err *err)
{
	memset(s, 0, sizeof(*s));
	s->n = cfg->fft_size;
	s->hop = cfg->hop;
	s->rate = cfg->rate;
	s->dec = cfg->rate >= 22000 ? 2 : 1;
	s->half = s->dec > 1 ? 16 * s->dec : 0;
	s->crate = (double)cfg->rate / s->dec;
	s->cn = (int)pow2_at_least((size_t)(0.37 * s->crate));
	/* the history a frame needs is at most ~n + cn * dec; 4x that keeps
	 * the memmoves of the linear buffers rare */
	s->lsize = pow2_at_least(4 * ((size_t)s->n + (size_t)s->cn * (size_t)s->dec +
	                              (size_t)s->half + 2 * (size_t)s->hop + 64));
	s->dsize = pow2_at_least(4 * ((size_t)s->cn + (size_t)s->hop + 64));
	s->lin = fftwf_alloc_real(s->lsize);
	s->dlin = fftwf_alloc_real(s->dsize);
	s->toff = fftwf_malloc(sizeof(int) * (size_t)(s->half + 1));
	s->tw = fftwf_alloc_real((size_t)s->half + 1);
	s->win = fftwf_alloc_real((size_t)s->n);
	s->cwin = fftwf_alloc_real((size_t)s->cn);
	s->buf = fftwf_alloc_real((size_t)s->n);
	s->cbuf = fftwf_alloc_real((size_t)s->cn);
	s->power = fftwf_alloc_real((size_t)s->n / 2 + 1);
	s->spec = fftwf_alloc_complex((size_t)s->n / 2 + 1);
	s->cspec = fftwf_alloc_complex((size_t)s->cn / 2 + 1);
	if (!s->lin || !s->dlin || !s->toff || !s->tw || !s->win || !s->cwin ||
	    !s->buf || !s->cbuf || !s->power || !s->spec || !s->cspec) {
		stft_fini(s);
		return gr_fail(err, GR_ENOMEM, "dsp: out of memory for the STFT");
	}
	s->p = fftp_r2c(s->n);
	s->cp = fftp_r2c(s->cn);
	if (s->p == NULL || s->cp == NULL) {
		stft_fini(s);
		return gr_fail(err, GR_ENOMEM, "dsp: FFTW could not plan a %d-point FFT",
		               s->n);
	}
	dsp_hann(s->win, s->n);
	dsp_hann(s->cwin, s->cn);
	make_decimator(s);
	stft_reset(s);
	return 0;
}

void stft_fini(struct stft *s)
{
	fftwf_free(s->lin);
	fftwf_free(s->dlin);
	fftwf_free(s->toff);
	fftwf_free(s->tw);
	fftwf_free(s->win);
	fftwf_free(s->cwin);
	fftwf_free(s->buf);
	fftwf_free(s->cbuf);
	fftwf_free(s->power);
	fftwf_free(s->spec);
	fftwf_free(s->cspec);
	memset(s, 0, sizeof(*s));
}

void stft_reset(struct stft *s)
{
	memset(s->lin, 0, sizeof(float) * s->lsize);
	memset(s->dlin, 0, sizeof(float) * s->dsize);
	/* zeros before sample 0 cover the first frames' windows and the
	 * decimator's support for decimated samples from -cn/2 - 1 on */
	s->dbase = -(int64_t)s->cn / 2 - 1;
	s->dwritten = s->dbase;
	s->lbase = s->dbase * s->dec - s->half - s->n;
	s->written = 0;
	s->next = 0;
	s->limit = INT64_MAX;
}

/* Produce every decimated sample whose filter support is written. */
DSP_SIMD
static void decimate(struct stft *s)
{
	int64_t m = s->dwritten, end = (s->written - s->half - 1) / s->dec;
	float *d;

	if (s->written - s->half - 1 < 0)
		end = -1;        /* avoid C's rounding toward zero */
	if (end - m + 1 <= 0)
		return;
	if ((size_t)(end + 1 - s->dbase) > s->dsize) {
		/* keep what the next frame's chroma window needs */
		int64_t c = s->next * s->hop;
		int64_t keep = (c + s->dec / 2) / s->dec - s->cn / 2;
		if (keep > m)
			keep = m;
		memmove(s->dlin, s->dlin + (keep - s->dbase), sizeof(float) * (size_t)(m - keep));
		s->dbase = keep;
	}
	d = s->dlin + (m - s->dbase);
	if (s->dec == 1) {
		memcpy(d, s->lin + (m - s->lbase), sizeof(float) * (size_t)(end + 1 - m));
	} else {
		/* tap-outer, output-inner: contiguous (strided by dec) and
		 * vectorisable */
		const float *x = s->lin + (m * s->dec - s->lbase);
		int cnt = (int)(end + 1 - m), dec = s->dec;

		for (int i = 0; i < cnt; i++)
			d[i] = s->tw0 * x[i * dec];
		for (int k = 0; k < s->ntaps; k++) {
			const float *xl = x - s->toff[k], *xr = x + s->toff[k];
			float w = s->tw[k];
			for (int i = 0; i < cnt; i++)
				d[i] += w * (xl[i * dec] + xr[i * dec]);
		}
	}
	s->dwritten = end + 1;
}

DSP_SIMD
static int emit(struct stft *s, stft_fn fn, void *ctx)
{
	struct stft_frame f;
	int64_t c = s->next * s->hop;
	int64_t cm = (c + s->dec / 2) / s->dec - s->cn / 2;
	const float *raw = s->lin + (c - s->n / 2 - s->lbase);
	const float *dr = s->dlin + (cm - s->dbase);
	int nb = s->n / 2 + 1, k;

	for (k = 0; k < s->n; k++)
		s->buf[k] = raw[k] * s->win[k];
	fftwf_execute_dft_r2c(s->p, s->buf, s->spec);
	for (k = 0; k < nb; k++)
		s->power[k] = s->spec[k][0] * s->spec[k][0] + s->spec[k][1] * s->spec[k][1];
	for (k = 0; k < s->cn; k++)
		s->cbuf[k] = dr[k] * s->cwin[k];
	fftwf_execute_dft_r2c(s->cp, s->cbuf, s->cspec);
	f.index = s->next;
	f.raw = raw;
	f.spec = s->spec;
	f.power = s->power;
	f.cspec = s->cspec;
	s->next++;
	return fn(ctx, &f);
}

static int ready(const struct stft *s)
{
	int64_t c = s->next * s->hop;
	int64_t cm = (c + s->dec / 2) / s->dec;

	if (s->next >= s->limit)
		return 0;
	return s->written >= c + s->n / 2 && s->dwritten >= cm + s->cn / 2;
}

/* Make room for k more samples in lin, dropping what no one needs. */
static void make_room(struct stft *s, size_t k)
{
	int64_t keep, c;

	if ((size_t)(s->written - s->lbase) + k <= s->lsize)
		return;
	c = s->next * s->hop - s->n / 2;
	keep = s->dwritten * s->dec - s->half;
	if (c < keep)
		keep = c;
	memmove(s->lin, s->lin + (keep - s->lbase), sizeof(float) * (size_t)(s->written - keep));
	s->lbase = keep;
}

int stft_push(struct stft *s, const float *x, size_t n, stft_fn fn, void *ctx)
{
	while (n > 0) {
		size_t chunk = n < (size_t)s->hop ? n : (size_t)s->hop;
		float *dst;
		int rc;

		make_room(s, chunk);
		dst = s->lin + (s->written - s->lbase);
		if (x != NULL) {
			memcpy(dst, x, chunk * sizeof(float));
			x += chunk;
		} else {
			memset(dst, 0, chunk * sizeof(float));
		}
		s->written += (int64_t)chunk;
		n -= chunk;
		decimate(s);
		while (ready(s))
			if ((rc = emit(s, fn, ctx)) != 0)
				return rc;
	}
	return 0;
}

int stft_flush(struct stft *s, int64_t total, stft_fn fn, void *ctx)
{
	int rc;

	/* frames 0 .. ceil(total / hop) - 1: every centre inside the signal */
	s->limit = (total + s->hop - 1) / s->hop;
	while (s->next * s->hop < total)
		if ((rc = stft_push(s, NULL, (size_t)s->hop, fn, ctx)) != 0)
			return rc;
	return 0;
}
