/*
 * describe.c - the similarity descriptor of one region (sim_describe):
 * AN_SIM_DIM values in the five blocks grym/similar.h lays out.
 *
 * Level independence: every statistic of the timbre, spectrum, pitch and
 * rhythm blocks is taken over the region's active frames (within 50 dB of
 * its loudest frame) and from quantities a gain does not move: MFCC 1..12
 * (a gain only shifts c0), contrast (a ratio), band levels relative to the
 * frame's loudest band (clamped 60 dB below it, so the -120 dB floor never
 * shows), chroma normalised per frame, and the dB envelope clamped 60 dB
 * below the region's peak.  Only the loudness block reads absolute levels.
 *
 * Scaling: each value is divided by a fixed typical spread (the constants
 * below, set by looking at tones, noises, clicks, chords and recordings),
 * so a difference of 1 means roughly the same in every dimension.
 *
 * Costs: O(n) per region plus O(n * 32) for the envelope modulation and
 * O(n * 60) for the onset periodicity.  No state: safe on any thread.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "grym/similar.h"
#include "grym/util.h"

#define ACTIVE_DB 50.0      /* dB below the loudest frame still counted */
#define BAND_RANGE_DB 60.0  /* band levels clamped this far below the frame's top band */
#define ENV_RANGE_DB 60.0   /* envelope clamped this far below the region's peak */


/* Timbre [0, 32): MFCC 1..12 means and spreads, contrast, harmonicity. */
static void timbre(const struct dsp_frame *f, const unsigned char *act, size_t n, float *o)
{
	struct gr_acc mf[DSP_NMFCC], con[DSP_NCONTRAST], harm;

	memset(mf, 0, sizeof(mf));
	memset(con, 0, sizeof(con));
	memset(&harm, 0, sizeof(harm));
	for (size_t i = 0; i < n; i++) {
		if (!act[i])
			continue;
		for (int k = 1; k < DSP_NMFCC; k++)
			gr_acc_add(&mf[k], f[i].mfcc[k]);
		for (int k = 0; k < DSP_NCONTRAST; k++)
			gr_acc_add(&con[k], f[i].contrast[k]);
		gr_acc_add(&harm, f[i].harmonicity);
	}
	/* c1..c6 follow the spectral envelope (the colour); c7..c12 more the
	 * ripple of the partials, which moves with the pitch: they count less */
	for (int k = 1; k < DSP_NMFCC; k++) {
		o[k - 1] = (float)(mf[k].mean / (k == 1 ? 40.0 : k <= 4 ? 20.0 : k <= 6 ? 12.0 : 30.0));
		o[12 + k - 1] = (float)(gr_acc_std(&mf[k]) / (k <= 6 ? 8.0 : 16.0));
	}
	for (int k = 0; k < DSP_NCONTRAST; k++)
		o[24 + k] = (float)((con[k].mean - 20.0) / 10.0);
	o[31] = (float)(harm.mean / 0.3);
}

/* Spectrum [32, 48): band shape, centroid, rolloff, bandwidth, flatness,
 * zero crossings, spectral change. */
static void spectrum(const struct dsp_frame *f, const unsigned char *act, size_t n, float *o)
{
	double band[DSP_NBANDS] = { 0 }, mean = 0, change = 0;
	struct gr_acc cen, roll, bw, flat, zcr;
	size_t na = 0, nchg = 0;

	memset(&cen, 0, sizeof(cen));
	memset(&roll, 0, sizeof(roll));
	memset(&bw, 0, sizeof(bw));
	memset(&flat, 0, sizeof(flat));
	memset(&zcr, 0, sizeof(zcr));
	for (size_t i = 0; i < n; i++) {
		double top = -1e9;
		if (!act[i])
			continue;
		na++;
		for (int k = 0; k < DSP_NBANDS; k++)
			top = fmax(top, f[i].bands[k]);
		for (int k = 0; k < DSP_NBANDS; k++)
			band[k] += fmax(f[i].bands[k] - top, -BAND_RANGE_DB);
		gr_acc_add(&cen, log2(fmax(f[i].centroid, 20.0) / 1000.0));
		gr_acc_add(&roll, log2(fmax(f[i].rolloff, 20.0) / 2000.0));
		gr_acc_add(&bw, log2(fmax(f[i].bandwidth, 20.0) / 1000.0));
		gr_acc_add(&flat, log10(fmax(f[i].flatness, 0.0) + 1e-5));
		gr_acc_add(&zcr, f[i].zcr);
		if (i >= 2 && act[i - 2]) {
			double d2 = 0;
			for (int k = 1; k < DSP_NMFCC; k++) {
				double d = f[i].mfcc[k] - f[i - 2].mfcc[k];
				d2 += d * d;
			}
			change += sqrt(d2);
			nchg++;
		}
	}
	if (na == 0)
		return;
	for (int k = 0; k < DSP_NBANDS; k++) {
		band[k] /= (double)na;
		mean += band[k] / DSP_NBANDS;
	}
	for (int k = 0; k < DSP_NBANDS; k++)
		o[k] = (float)((band[k] - mean) / 15.0);
	o[8] = (float)(cen.mean / 1.5);
	o[9] = (float)(gr_acc_std(&cen) / 0.5);
	o[10] = (float)(roll.mean / 1.5);
	o[11] = (float)(bw.mean / 1.0);
	o[12] = (float)((flat.mean + 2.0) / 1.5);
	o[13] = (float)(gr_acc_std(&flat) / 0.5);
	o[14] = (float)(zcr.mean / 0.1);
	o[15] = nchg ? (float)(change / (double)nchg / 15.0) : 0;
}

/* Pitch [48, 62): pitch-class profile, median pitch, voiced share. */
static void pitch(const struct dsp_frame *f, const unsigned char *act, size_t n, float *o)
{
	double pcp[12] = { 0 }, len = 0, share;
	float *st = xmalloc((n + 1) * sizeof(*st));
	size_t nv = 0, na = 0;

	for (size_t i = 0; i < n; i++) {
		double c[12] = { 0 }, sum = 0;
		if (!act[i])
			continue;
		na++;
		/* bin 3*pc is centred on pc; its neighbours are 1/3 semitone off */
		for (int b = 0; b < DSP_NCHROMA; b++) {
			c[((b + 1) / 3) % 12] += f[i].chroma[b];
			sum += f[i].chroma[b];
		}
		if (sum > 1e-12)
			for (int p = 0; p < 12; p++)
				pcp[p] += c[p] / sum;
		if (f[i].pitch > 0 && f[i].harmonicity > 0.5f)
			st[nv++] = (float)log2(f[i].pitch / 440.0);
	}
	for (int p = 0; p < 12; p++)
		len += pcp[p] * pcp[p];
	len = sqrt(len);
	for (int p = 0; p < 12; p++)
		o[p] = len > 1e-12 ? (float)(3.0 * pcp[p] / len) : 0;
	/* the median pitch counts in full once half the frames are voiced, so
	 * the odd voiced frame of a noise does not give it a pitch */
	share = na ? (double)nv / (double)na : 0;
	o[12] = nv ? (float)(4.0 * gr_quantile(st, nv, 0.5) * fmin(1.0, 2.0 * share)) : 0;
	o[13] = (float)(3.0 * share);
	free(st);
}

/* Share of the envelope's modulation energy in 0.5-2, 2-4, 4-8 and 8-16 Hz
 * (env: dB, clamped; one value per frame). */
static void modulation(const float *env, size_t n, double rate, float *o)
{
	static const double edge[5] = { 0.5, 2, 4, 8, 16 };
	double e[4] = { 0 }, all = 0, mean = 0;

	if (n < 16 || rate <= 0)
		return;
	for (size_t i = 0; i < n; i++)
		mean += env[i];
	mean /= (double)n;
	for (double hz = 0.5; hz <= 16.0 && hz < rate / 2; hz += 0.5) {
		double re = 0, im = 0, w = 2 * M_PI * hz / rate, p;
		for (size_t i = 0; i < n; i++) {
			re += (env[i] - mean) * cos(w * (double)i);
			im += (env[i] - mean) * sin(w * (double)i);
		}
		p = re * re + im * im;
		all += p;
		for (int b = 0; b < 4; b++)
			if (hz >= edge[b] && (hz < edge[b + 1] || (b == 3 && hz <= edge[4])))
				e[b] += p;
	}
	for (int b = 0; b < 4; b++)
		o[b] = all > 1e-12 ? (float)(e[b] / all / 0.25) : 0;
}

/* Rhythm [62, 70). */
static void rhythm(const struct dsp_frame *f, const float *env, size_t n, double rate,
                   float *o)
{
	struct gr_acc flux;
	double onsets = 0, peak, lag;

	memset(&flux, 0, sizeof(flux));
	for (size_t i = 0; i < n; i++) {
		gr_acc_add(&flux, log1p(fmax(f[i].flux, 0.0)));
		/* onsets: local maxima of flux above the running statistics */
		if (i > 0 && i + 1 < n && f[i].flux > f[i - 1].flux && f[i].flux >= f[i + 1].flux &&
		    log1p(f[i].flux) > flux.mean + 0.5 * gr_acc_std(&flux) && env[i] > -ENV_RANGE_DB + 10)
			onsets += 1;
	}
	o[0] = (float)log2(1 + onsets * rate / (double)n);
	peak = dsp_flux_periodicity(f, n, rate, 0.2, 1.5, &lag);
	o[1] = (float)(peak / 0.3);
	o[2] = lag > 0 ? (float)(peak * log2(lag / 0.5)) : 0;
	modulation(env, n, rate, &o[3]);
	o[7] = (float)(gr_acc_std(&flux) / (flux.mean + 1e-3) / 0.5);
}

/* Loudness and envelope [70, 80). */
static void loudness(const struct dsp_frame *f, const unsigned char *act, size_t n,
                     double rate, double top, float *o)
{
	float *db = xmalloc((n + 1) * sizeof(*db));
	size_t na = 0, first = n, peak_i = 0, low = 0;
	struct gr_acc lv;
	double med, p95, p10, rms_mean = 0;

	memset(&lv, 0, sizeof(lv));
	for (size_t i = 0; i < n; i++) {
		if (f[i].db >= top && peak_i == 0)
			peak_i = i;
		rms_mean += f[i].rms;
		if (!act[i])
			continue;
		if (first == n)
			first = i;
		db[na++] = f[i].db;
		gr_acc_add(&lv, f[i].db);
	}
	rms_mean /= (double)n;
	for (size_t i = 0; i < n; i++)
		low += f[i].rms < 0.5 * rms_mean;
	p95 = gr_quantile(db, na, 0.95);
	p10 = gr_quantile(db, na, 0.10);
	med = gr_quantile(db, na, 0.5);
	o[0] = (float)((med + 30.0) / 15.0);
	o[1] = (float)((p95 + 20.0) / 15.0);
	o[2] = (float)((p95 - p10) / 15.0);
	o[3] = (float)(gr_acc_std(&lv) / 8.0);
	o[4] = (float)((log2(fmax((double)(peak_i >= first ? peak_i - first : 0) / rate, 0.005)) +
	                4.0) / 2.0);
	{
		/* least-squares slope of the dB level after the peak, dB per s */
		double sx = 0, sy = 0, sxx = 0, sxy = 0, m = 0;
		for (size_t i = peak_i; i < n; i++) {
			double t = (double)(i - peak_i) / rate, y = fmax(f[i].db, top - ENV_RANGE_DB);
			sx += t; sy += y; sxx += t * t; sxy += t * y; m += 1;
		}
		if (m >= 3 && m * sxx - sx * sx > 1e-12)
			o[5] = (float)(fmin(fmax((m * sxy - sx * sy) / (m * sxx - sx * sx), -200), 50) /
			               30.0);
	}
	o[6] = (float)((double)peak_i / (double)n / 0.3);
	o[7] = (float)(log2(fmax((double)n / rate, 0.05)) / 2.0);
	o[8] = (float)((double)low / (double)n / 0.3);
	o[9] = (float)((top - med) / 10.0);
	free(db);
}

void sim_describe(const struct dsp_frame *f, size_t n, double rate, float vec[AN_SIM_DIM])
{
	unsigned char *act;
	float *env;
	double top = -1e9;

	memset(vec, 0, sizeof(float) * AN_SIM_DIM);
	if (f == NULL || n == 0 || rate <= 0)
		return;
	for (size_t i = 0; i < n; i++)
		top = fmax(top, f[i].db);
	if (top <= -119.0)
		return;      /* digital silence: nothing to describe */
	act = xmalloc(n);
	env = xmalloc(n * sizeof(*env));
	for (size_t i = 0; i < n; i++) {
		act[i] = f[i].db > top - ACTIVE_DB;
		env[i] = (float)(fmax(f[i].db, top - ENV_RANGE_DB) - top);
	}
	timbre(f, act, n, &vec[SIM_TIMBRE_LO]);
	spectrum(f, act, n, &vec[SIM_SPECTRUM_LO]);
	pitch(f, act, n, &vec[SIM_PITCH_LO]);
	rhythm(f, env, n, rate, &vec[SIM_RHYTHM_LO]);
	loudness(f, act, n, rate, top, &vec[SIM_LOUDNESS_LO]);
	for (int i = 0; i < AN_SIM_DIM; i++)
		if (!isfinite(vec[i]))
			vec[i] = 0;
	free(act);
	free(env);
}
