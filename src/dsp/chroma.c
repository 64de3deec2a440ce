/*
 * chroma.c - 36-bin chroma from spectral peaks of the long chroma FFT.
 *
 * Input: the cn-point Hann spectrum of the decimated signal (stft.c; 4096
 * points at 11025 Hz, 2.7 Hz bins, at 22050 analysis rate).  Every local
 * maximum of the power spectrum between CHROMA_FMIN (55 Hz) and
 * CHROMA_FMAX (5 kHz) that is within 60 dB of the frame's strongest peak
 * is refined by parabolic interpolation of the log power (for a Hann
 * window this locates a sinusoid to a few hundredths of a bin, so even
 * bass notes land in the right 1/3-semitone bin), and its power is added
 * to the chroma at position
 *     p = 36 log2(f / 440) + 27   (mod 36; bin 3*pc is pitch class pc,
 *                                  A = pc 9 = bin 27 at A440)
 * split linearly between the two nearest bins, so the 36 bins keep the
 * tuning information the key plugin estimates.
 * Units: a sine of amplitude A adds A^2/2 (its mean square), before the
 * decimator's roll-off near 5 kHz.  Silence gives all zeros.
 *
 * Costs: O(bins in range) per frame with a cheap polynomial log2.
 * Threads: a struct chroma belongs to one analyzer.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp_int.h"

/* log2 of x > 0, absolute error < 2e-5: exponent bits plus the atanh
 * series of the mantissa; plenty for peak interpolation. */
static inline float fast_log2(float x)
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

int chroma_init(struct chroma *c, int cn, double crate, struct gr_err *err)
{
	memset(c, 0, sizeof(*c));
	c->cn = cn;
	c->crate = crate;
	c->kmin = (int)ceil(CHROMA_FMIN * cn / crate);
	c->kmax = (int)floor(CHROMA_FMAX * cn / crate);
	if (c->kmin < 2)
		c->kmin = 2;
	if (c->kmax > cn / 2 - 2)
		c->kmax = cn / 2 - 2;
	/* a Hann sine peak is |X| = A cn / 4; A^2 / 2 = 8 |X|^2 / cn^2 */
	c->pscale = 8.0f / ((float)cn * (float)cn);
	c->lp = malloc(sizeof(float) * (size_t)(cn / 2 + 1));
	if (c->lp == NULL)
		return gr_fail(err, GR_ENOMEM, "dsp: out of memory for chroma");
	return 0;
}

void chroma_fini(struct chroma *c)
{
	free(c->lp);
	c->lp = NULL;
}

void chroma_compute(struct chroma *c, const struct stft_frame *f, struct dsp_frame *out)
{
	const fftwf_complex *X = f->cspec;
	float *P = c->lp, pmax = 0.0f, thr;
	int k, lo = c->kmin - 1, hi = c->kmax + 1;
	const double binhz = c->crate / c->cn;

	memset(out->chroma, 0, sizeof(out->chroma));
	for (k = lo; k <= hi; k++) {
		P[k] = X[k][0] * X[k][0] + X[k][1] * X[k][1];
		if (P[k] > pmax)
			pmax = P[k];
	}
	if (!(pmax * c->pscale > 1e-14f))
		return;
	thr = pmax * 1e-6f;
	for (k = c->kmin; k <= c->kmax; k++) {
		float a, b, g, den, d, lpk, pw;
		double fr, p;
		int q, i0;

		if (!(P[k] > thr && P[k] > P[k - 1] && P[k] >= P[k + 1]))
			continue;
		a = fast_log2(P[k - 1] + 1e-30f);
		b = fast_log2(P[k]);
		g = fast_log2(P[k + 1] + 1e-30f);
		den = a - 2.0f * b + g;
		d = den < 0.0f ? 0.5f * (a - g) / den : 0.0f;
		if (d > 0.5f)
			d = 0.5f;
		else if (d < -0.5f)
			d = -0.5f;
		lpk = b - 0.25f * (a - g) * d;
		pw = exp2f(lpk) * c->pscale;
		fr = (k + d) * binhz;
		p = 36.0 * log2(fr / 440.0) + 27.0;
		q = (int)floor(p);
		d = (float)(p - q);
		i0 = ((q % DSP_NCHROMA) + DSP_NCHROMA) % DSP_NCHROMA;
		out->chroma[i0] += pw * (1.0f - d);
		out->chroma[(i0 + 1) % DSP_NCHROMA] += pw * d;
	}
}
