/*
 * mel.c - mel spectra: MFCCs and the onset strength ("flux").
 *
 * Both use librosa's conventions so that numbers compare with the
 * literature: Slaney mel scale and area-normalised triangular filters over
 * 0..rate/2, applied to the unnormalised power spectrum |X|^2 of the Hann
 * frame, then 10 log10(max(1e-10, .)).
 *   mfcc  40 bands, DCT-II with orthonormal scaling, c0..c12 (as
 *         librosa.feature.mfcc(n_mfcc=13, n_mels=40), without top_db)
 *   flux  128 bands in dB, floored at MEL_FLUX_RANGE (80) dB below the
 *         running maximum of the file so far (librosa's top_db=80 is
 *         relative to the global maximum, which a stream cannot know);
 *         the half-wave rectified increase from one frame to the next,
 *         averaged over bands (librosa.onset.onset_strength, lag 1).
 *         Timing: flux of frame i is the increase from frame i-2 to frame
 *         i-1.  A centred window first sees an onset about half a window
 *         early, so the naive difference peaks one frame before the
 *         onset; with the one-frame delay a click at sample c peaks at the
 *         frame whose centre is nearest c (librosa delays by n/(2 hop) = 2
 *         frames).  Frames 0 and 1 have flux 0.
 *
 * Costs: sparse filters (each bin feeds at most two bands per bank), 168
 * fast logarithms and a 13x40 DCT per frame.  No allocation after mel_init().
 * Threads: a struct mel belongs to one analyzer.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp_int.h"

#define LOG_AMIN 1e-10f

static double hz_to_mel(double f)
{
	const double fsp = 200.0 / 3, minlog = 1000.0, logstep = log(6.4) / 27.0;

	if (f < minlog)
		return f / fsp;
	return minlog / fsp + log(f / minlog) / logstep;
}

static double mel_to_hz(double m)
{
	const double fsp = 200.0 / 3, minlog = 1000.0, logstep = log(6.4) / 27.0;

	if (m < minlog / fsp)
		return m * fsp;
	return minlog * exp(logstep * (m - minlog / fsp));
}

static void bank_fini(struct melbank *b)
{
	free(b->start);
	free(b->len);
	free(b->w);
	free(b->woff);
	memset(b, 0, sizeof(*b));
}

static int bank_init(struct melbank *b, int nbands, int n, int rate)
{
	int nb = n / 2 + 1, used = 0;
	double mmax = hz_to_mel(rate / 2.0), *fp;

	memset(b, 0, sizeof(*b));
	b->nbands = nbands;
	b->start = calloc((size_t)nbands, sizeof(int));
	b->len = calloc((size_t)nbands, sizeof(int));
	b->woff = calloc((size_t)nbands, sizeof(int));
	b->w = calloc((size_t)nb * 4, sizeof(float));
	fp = malloc(sizeof(double) * (size_t)(nbands + 2));
	if (!b->start || !b->len || !b->woff || !b->w || !fp) {
		free(fp);
		bank_fini(b);
		return -1;
	}
	for (int i = 0; i < nbands + 2; i++)
		fp[i] = mel_to_hz(mmax * i / (nbands + 1));
	for (int m = 0; m < nbands; m++) {
		double enorm = 2.0 / (fp[m + 2] - fp[m]);
		int first = -1, last = -1;

		b->woff[m] = used;
		for (int k = 0; k < nb; k++) {
			double f = (double)k * rate / n;
			double lo = (f - fp[m]) / (fp[m + 1] - fp[m]);
			double hi = (fp[m + 2] - f) / (fp[m + 2] - fp[m + 1]);
			double w = lo < hi ? lo : hi;

			if (w <= 0)
				continue;
			if (first < 0)
				first = k;
			last = k;
		}
		if (first < 0) {        /* band narrower than a bin: empty */
			b->start[m] = 0;
			b->len[m] = 0;
			continue;
		}
		b->start[m] = first;
		b->len[m] = last - first + 1;
		for (int k = first; k <= last && used < nb * 4; k++) {
			double f = (double)k * rate / n;
			double lo = (f - fp[m]) / (fp[m + 1] - fp[m]);
			double hi = (fp[m + 2] - f) / (fp[m + 2] - fp[m + 1]);
			double w = lo < hi ? lo : hi;
			b->w[used++] = (float)(w > 0 ? w * enorm : 0);
		}
	}
	free(fp);
	return 0;
}

/* log-mel of the power spectrum P into out (dB, floor -100). */
DSP_SIMD
static void bank_apply(const struct melbank *b, const float *P, float *out)
{
	for (int m = 0; m < b->nbands; m++) {
		const float *w = b->w + b->woff[m];
		const float *p = P + b->start[m];
		float v = 0.0f;

		for (int j = 0; j < b->len[m]; j++)
			v += w[j] * p[j];
		/* 10 log10 v = 3.0103 log2 v */
		out[m] = 3.0103000f * dsp_fast_log2(v > LOG_AMIN ? v : LOG_AMIN);
	}
}

int mel_init(struct mel *m, int n, int rate, struct gr_err *err)
{
	memset(m, 0, sizeof(*m));
	if (bank_init(&m->mfcc, MEL_NMFCC_BANDS, n, rate) != 0 ||
	    bank_init(&m->flux, MEL_NFLUX_BANDS, n, rate) != 0) {
		mel_fini(m);
		return gr_fail(err, GR_ENOMEM, "dsp: out of memory for mel filters");
	}
	for (int k = 0; k < DSP_NMFCC; k++) {
		double sc = sqrt((k == 0 ? 1.0 : 2.0) / MEL_NMFCC_BANDS);
		for (int j = 0; j < MEL_NMFCC_BANDS; j++)
			m->dct[k][j] = (float)(sc * cos(M_PI * k * (2 * j + 1) /
			                                (2.0 * MEL_NMFCC_BANDS)));
	}
	mel_reset(m);
	return 0;
}

void mel_fini(struct mel *m)
{
	bank_fini(&m->mfcc);
	bank_fini(&m->flux);
}

void mel_reset(struct mel *m)
{
	m->have = 0;
	m->maxdb = -100.0f;
}

DSP_SIMD
void mel_compute(struct mel *m, const struct stft_frame *f, struct dsp_frame *out)
{
	float fl, sum = 0.0f;

	bank_apply(&m->mfcc, f->power, m->lm);
	for (int k = 0; k < DSP_NMFCC; k++) {
		float c = 0.0f;
		for (int j = 0; j < MEL_NMFCC_BANDS; j++)
			c += m->dct[k][j] * m->lm[j];
		out->mfcc[k] = c;
	}

	/* shift: prev4 <- prev3 <- prev2 <- prev <- cur <- this frame */
	memcpy(m->prev4, m->prev3, sizeof(m->prev));
	memcpy(m->prev3, m->prev2, sizeof(m->prev));
	memcpy(m->prev2, m->prev, sizeof(m->prev));
	memcpy(m->prev, m->cur, sizeof(m->cur));
	bank_apply(&m->flux, f->power, m->cur);
	for (int b = 0; b < MEL_NFLUX_BANDS; b++)
		if (m->cur[b] > m->maxdb)
			m->maxdb = m->cur[b];
	m->have++;
	out->flux = 0.0f;
	out->flux_sus = 0.0f;
	if (m->have < 3)
		return;
	/* both sides floored at today's floor, so a rising floor adds nothing */
	fl = m->maxdb - MEL_FLUX_RANGE;
	for (int b = 0; b < MEL_NFLUX_BANDS; b++) {
		float a = m->prev[b] > fl ? m->prev[b] : fl;
		float z = m->prev2[b] > fl ? m->prev2[b] : fl;
		if (a > z)
			sum += a - z;
	}
	out->flux = sum / MEL_NFLUX_BANDS;

	/* flux_sus: the reference of band b is the highest level of bands
	 * b-1..b+1 over the (up to) 3 frames before prev, floored alike */
	float tmax[MEL_NFLUX_BANDS], ssum = 0.0f;
	for (int b = 0; b < MEL_NFLUX_BANDS; b++) {
		float r = m->prev2[b];
		if (m->have > 3 && m->prev3[b] > r)
			r = m->prev3[b];
		if (m->have > 4 && m->prev4[b] > r)
			r = m->prev4[b];
		tmax[b] = r;
	}
	for (int b = 0; b < MEL_NFLUX_BANDS; b++) {
		float a = m->prev[b] > fl ? m->prev[b] : fl;
		float r = tmax[b] > fl ? tmax[b] : fl;
		if (b > 0 && tmax[b - 1] > r)
			r = tmax[b - 1];
		if (b + 1 < MEL_NFLUX_BANDS && tmax[b + 1] > r)
			r = tmax[b + 1];
		if (a > r)
			ssum += a - r;
	}
	out->flux_sus = ssum / MEL_NFLUX_BANDS;
}
