/*
 * chroma.c - 36-bin chroma from spectral peaks of the long chroma FFT.
 *
 * Input: the cn-point Hann spectrum of the decimated signal (stft.c; 4096
 * points at 11025 Hz, 2.7 Hz bins, at 22050 analysis rate).  Every local
 * maximum of the power spectrum between CHROMA_FMIN (52 Hz, so A1 = 55 Hz
 * is in) and
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
 * Costs: O(bins in range) per frame: a vectorised fast log2 per bin and a
 * few flops per peak (positions are tabulated per bin).
 * Threads: a struct chroma belongs to one analyzer.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3")   /* vectorise the per-bin loops (GCC 12 -O2 does not) */
#endif
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp_int.h"

int chroma_init(struct chroma *c, int cn, double crate, struct gr_err *err)
{
	memset(c, 0, sizeof(*c));
	c->cn = cn;
	c->crate = crate;
	c->kmin = (int)floor(CHROMA_FMIN * cn / crate);
	c->kmax = (int)floor(CHROMA_FMAX * cn / crate);
	if (c->kmin < 2)
		c->kmin = 2;
	if (c->kmax > cn / 2 - 2)
		c->kmax = cn / 2 - 2;
	/* a Hann sine peak is |X| = A cn / 4, A^2 / 2 = 8 |X|^2 / cn^2; the
	 * three main-lobe bins hold 1.5 |X|^2 */
	c->pscale = 8.0f / ((float)cn * (float)cn) / 1.5f;
	c->lp = malloc(sizeof(float) * (size_t)(cn / 2 + 1));
	c->pw = malloc(sizeof(float) * (size_t)(cn / 2 + 1));
	c->pos = malloc(sizeof(float) * (size_t)(cn / 2 + 1));
	c->dpos = malloc(sizeof(float) * (size_t)(cn / 2 + 1));
	if (!c->lp || !c->pw || !c->pos || !c->dpos) {
		chroma_fini(c);
		return gr_fail(err, GR_ENOMEM, "dsp: out of memory for chroma");
	}
	/* position of bin k (offset d): 36 log2(f / 440) + 27 + 36 d / (k ln 2),
	 * kept in [0, 36) + multiples of 36 large enough that p stays >= 0 */
	for (int k = c->kmin; k <= c->kmax; k++) {
		double f = k * crate / cn, p = 36.0 * log2(f / 440.0) + 27.0;
		c->pos[k] = (float)(p + 36.0 * 8);
		c->dpos[k] = (float)(36.0 / (k * M_LN2));
	}
	return 0;
}

void chroma_fini(struct chroma *c)
{
	free(c->lp);
	free(c->pw);
	free(c->pos);
	free(c->dpos);
	c->lp = c->pw = c->pos = c->dpos = NULL;
}

DSP_SIMD
void chroma_compute(struct chroma *c, const struct stft_frame *f, struct dsp_frame *out)
{
	const fftwf_complex *X = f->cspec;
	float *P = c->pw, *L = c->lp, pmax = 0.0f, thr;
	int k, lo = c->kmin - 1, hi = c->kmax + 1;

	memset(out->chroma, 0, sizeof(out->chroma));
	for (k = lo; k <= hi; k++)
		P[k] = X[k][0] * X[k][0] + X[k][1] * X[k][1] + 1e-30f;
	{
		float lane[8] = { 0 };
		for (k = lo; k + 8 <= hi + 1; k += 8)
			for (int j = 0; j < 8; j++)
				lane[j] = P[k + j] > lane[j] ? P[k + j] : lane[j];
		for (; k <= hi; k++)
			pmax = P[k] > pmax ? P[k] : pmax;
		for (int j = 0; j < 8; j++)
			pmax = lane[j] > pmax ? lane[j] : pmax;
	}
	if (!(pmax * c->pscale > 1e-14f))
		return;
	for (k = lo; k <= hi; k++)
		L[k] = dsp_fast_log2(P[k]);
	thr = pmax * 1e-6f;
	for (k = c->kmin; k <= c->kmax; k++) {
		float a, b, g, den, d, pw, p;
		int q, i0;

		if (!(P[k] > thr && P[k] > P[k - 1] && P[k] >= P[k + 1]))
			continue;
		a = L[k - 1];
		b = L[k];
		g = L[k + 1];
		den = a - 2.0f * b + g;
		d = den < 0.0f ? 0.5f * (a - g) / den : 0.0f;
		d = d > 0.5f ? 0.5f : d < -0.5f ? -0.5f : d;
		/* main-lobe energy: the three bins hold 1.5x the peak power of a
		 * Hann-windowed sine within +-2% whatever its offset */
		pw = (P[k - 1] + P[k] + P[k + 1]) * c->pscale;
		/* chroma position, first order in d around bin k */
		p = c->pos[k] + d * c->dpos[k];
		q = (int)floorf(p);
		d = p - (float)q;
		i0 = q % DSP_NCHROMA;
		out->chroma[i0] += pw * (1.0f - d);
		out->chroma[i0 + 1 == DSP_NCHROMA ? 0 : i0 + 1] += pw * d;
	}
}
