/*
 * pitch.c - harmonicity and pitch of a frame by normalised autocorrelation.
 *
 * The autocorrelation of the Hann-windowed frame is the inverse FFT of its
 * power spectrum.  Only bins up to rate/4 are used, through an n/2-point
 * inverse FFT, which gives the autocorrelation of the frame low-passed to
 * rate/4 at lags spaced 2 samples apart (arate = rate/2): half the cost
 * and nothing lost for pitches up to 1600 Hz.  Dividing by the window's
 * own autocorrelation undoes the taper (Boersma 1993, as Praat), so a
 * periodic signal scores ~1 at its period and white noise ~0.1.
 *
 *   harmonicity  r(T) of the chosen lag, clamped to 0..1
 *   pitch        arate / T (parabolic interpolation), searched over
 *                50..1600 Hz; the shortest-lag peak within 85% of the best
 *                is taken (so a period's multiples lose); 0 when
 *                harmonicity < PITCH_MIN_H or the frame is silent
 *
 * Costs: one n/2-point c2r FFT and O(lag range) per frame; no allocation.
 * Threads: a struct pitch belongs to one analyzer.
 */
#include <math.h>
#include <string.h>

#include "dsp_int.h"

#define PITCH_FMIN 50.0
#define PITCH_FMAX 1600.0
#define PITCH_MIN_H 0.5f

/* Autocorrelation of a power spectrum P (n/2 + 1 bins of an n-point FFT)
 * into out (m = n/2 lags at rate/2). */
static void autocorr(struct pitch *p, const float *P)
{
	int half = p->m / 2;

	for (int k = 0; k <= half; k++) {
		p->spec[k][0] = P[k];
		p->spec[k][1] = 0.0f;
	}
	fftwf_execute_dft_c2r(p->p, p->spec, p->ac);
}

int pitch_init(struct pitch *p, int n, int rate, const float *win, struct gr_err *err)
{
	fftwf_plan fp;
	float *buf = NULL, *P = NULL;
	fftwf_complex *X = NULL;
	int rc = 0;

	memset(p, 0, sizeof(*p));
	p->n = n;
	p->m = n / 2;
	p->arate = rate / 2.0;
	p->lag_min = (int)floor(p->arate / PITCH_FMAX);
	if (p->lag_min < 2)
		p->lag_min = 2;
	p->lag_max = (int)ceil(p->arate / PITCH_FMIN);
	if (p->lag_max > p->m / 4)
		p->lag_max = p->m / 4;
	p->spec = fftwf_alloc_complex((size_t)p->m / 2 + 1);
	p->ac = fftwf_alloc_real((size_t)p->m);
	p->wac = fftwf_alloc_real((size_t)p->m);
	buf = fftwf_alloc_real((size_t)n);
	X = fftwf_alloc_complex((size_t)n / 2 + 1);
	P = fftwf_alloc_real((size_t)n / 2 + 1);
	p->p = fftp_c2r(p->m);
	fp = fftp_r2c(n);
	if (!p->spec || !p->ac || !p->wac || !buf || !X || !P || !p->p || !fp) {
		rc = gr_fail(err, GR_ENOMEM, "dsp: out of memory for pitch");
		goto out;
	}
	/* the window's autocorrelation, through the same path as a frame's */
	memcpy(buf, win, sizeof(float) * (size_t)n);
	fftwf_execute_dft_r2c(fp, buf, X);
	for (int k = 0; k <= n / 2; k++)
		P[k] = X[k][0] * X[k][0] + X[k][1] * X[k][1];
	autocorr(p, P);
	for (int k = p->m - 1; k >= 0; k--)
		p->wac[k] = p->ac[k] / p->ac[0];
out:
	fftwf_free(buf);
	fftwf_free(X);
	fftwf_free(P);
	if (rc != 0)
		pitch_fini(p);
	return rc;
}

void pitch_fini(struct pitch *p)
{
	fftwf_free(p->spec);
	fftwf_free(p->ac);
	fftwf_free(p->wac);
	p->spec = NULL;
	p->ac = p->wac = NULL;
}

static inline float nac(const struct pitch *p, int t, float r0)
{
	return p->ac[t] / (r0 * p->wac[t]);
}

void pitch_compute(struct pitch *p, const struct stft_frame *f, struct dsp_frame *out)
{
	float r0, best = -1.0f, h;
	int t, bt = -1;

	out->harmonicity = 0.0f;
	out->pitch = 0.0f;
	autocorr(p, f->power);
	r0 = p->ac[0];
	if (!(r0 > 1e-8f))
		return;
	for (t = p->lag_min; t <= p->lag_max; t++) {
		float v = nac(p, t, r0);
		if (v > best && v > nac(p, t - 1, r0) && v >= nac(p, t + 1, r0))
			best = v;
	}
	if (best <= 0.0f)
		return;
	for (t = p->lag_min; t <= p->lag_max; t++) {
		float v = nac(p, t, r0);
		if (v >= 0.85f * best && v > nac(p, t - 1, r0) && v >= nac(p, t + 1, r0)) {
			bt = t;
			break;
		}
	}
	if (bt < 0)
		return;
	h = nac(p, bt, r0);
	out->harmonicity = h > 1.0f ? 1.0f : h < 0.0f ? 0.0f : h;
	if (out->harmonicity >= PITCH_MIN_H) {
		float a = nac(p, bt - 1, r0), c = nac(p, bt + 1, r0);
		float den = a - 2.0f * h + c, d = 0.0f;
		if (den < 0.0f)
			d = 0.5f * (a - c) / den;
		if (d > 0.5f || d < -0.5f)
			d = 0.0f;
		out->pitch = (float)(p->arate / (bt + d));
	}
}
