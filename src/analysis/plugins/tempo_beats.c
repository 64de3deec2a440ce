/*
 * tempo_beats.c - beat grid, final BPM, meter and downbeat for the tempo
 * plugin, given the beat period found by tempo.c.
 *
 * Beats: dynamic programming over the onset envelope (Ellis 2007): the
 * score of a beat at frame t is its onset strength plus the best score of
 * a previous beat 0.5..2 periods earlier, penalised by tightness x
 * log(interval / period)^2; the best path is traced back from the end.
 * Beats are refined to sub-frame positions on onset peaks, and weak beats
 * at the region's edges (padding, fade) are trimmed.  The BPM is the
 * median over the grid of (t[i+k] - t[i]) / k, which is precise to a
 * fraction of a frame on steady material.
 *
 * Meter: every beat gets an accent vector (onset strength and low-band
 * energy at the beat).  Duple music repeats its accent pattern every 2 or
 * 4 beats, triple music every 3, so the mean distance between beat
 * vectors k beats apart, for k = 2, 3, 4, decides between 4 and 3 beats
 * per bar.  The downbeat is the bar phase with the strongest accent,
 * weighted to the low band (kick, bass on the one).
 *
 * Costs: O(frames x period) for the DP, O(beats) for the rest.
 * Thread rules: reentrant.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "grym/util.h"
#include "musical.h"

#ifndef TIGHTNESS
#define TIGHTNESS 100.0    /* DP penalty on interval deviations */
#endif

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Beat frames by DP; returns the count, fills bt (capacity n). */
static size_t dp_beats(const double *o, size_t n, double p, double *cum, int *back,
                       double *bt)
{
	size_t lo = (size_t)lround(p / 2), hi = (size_t)lround(2 * p);
	if (lo < 1)
		lo = 1;
	double *pen = malloc((hi + 1) * sizeof(*pen));
	size_t nb = 0;
	if (!pen)
		return 0;
	for (size_t d = lo; d <= hi; d++) {
		double z = log((double)d / p);
		pen[d] = TIGHTNESS * z * z;
	}
	for (size_t t = 0; t < n; t++) {
		double best = 0;
		int arg = -1;
		for (size_t d = lo; d <= hi && d <= t; d++) {
			double v = cum[t - d] - pen[d];
			if (v > best) {
				best = v;
				arg = (int)(t - d);
			}
		}
		cum[t] = o[t] + best;
		back[t] = arg;
	}
	/* the last beat: the best score within the last period */
	size_t from = n > (size_t)p ? n - (size_t)p : 0, end = from;
	for (size_t t = from; t < n; t++)
		if (cum[t] > cum[end])
			end = t;
	for (int t = (int)end; t >= 0; t = back[t])
		bt[nb++] = t;
	for (size_t i = 0; i < nb / 2; i++) {   /* into time order */
		double tmp = bt[i];
		bt[i] = bt[nb - 1 - i];
		bt[nb - 1 - i] = tmp;
	}
	free(pen);
	return nb;
}

/* Max of o within +-r frames of x. */
static double local_max(const double *o, size_t n, double x, int r)
{
	double m = 0;
	long c = lround(x);
	for (long i = c - r; i <= c + r; i++)
		if (i >= 0 && (size_t)i < n && o[i] > m)
			m = o[i];
	return m;
}

/* Move beats onto onset peaks with sub-frame precision. */
static void refine_beats(const double *o, size_t n, double *bt, size_t nb)
{
	for (size_t i = 0; i < nb; i++) {
		long c = lround(bt[i]);
		/* the highest frame within +-1, away from the edges */
		long m = -1;
		for (long j = c - 1; j <= c + 1; j++)
			if (j >= 1 && (size_t)j + 1 < n && (m < 0 || o[j] > o[m]))
				m = j;
		if (m < 0)
			continue;
		double a = o[m - 1], b = o[m], d = o[m + 1];
		double den = a - 2 * b + d;
		double off = den < 0 ? 0.5 * (a - d) / den : 0;
		if (off > 0.5)
			off = 0.5;
		if (off < -0.5)
			off = -0.5;
		bt[i] = (double)m + off;
	}
}

/* Rise in dB over 3 frames of band b (stride-spaced) at frame j, >= 0. */
static double rise(const float *b, size_t stride, size_t n, long j)
{
	if (!b || j < 3 || (size_t)j >= n)
		return 0;
	double v = b[(size_t)j * stride] - b[(size_t)(j - 3) * stride];
	return isfinite(v) && v > 0 ? v : 0;
}

/* Strength of a drum hit (kick, snare body) near frame x: the largest
 * rise of the low plus low-mid bands within +-2 frames. */
static double hit(const struct tempo_in *in, double x)
{
	double m = 0;
	long c = lround(x);
	for (long j = c - 2; j <= c + 2; j++) {
		double v = rise(in->low, in->stride, in->n, j) + rise(in->body, in->stride, in->n, j);
		if (v > m)
			m = v;
	}
	return m;
}

/* Strength of a snare hit near frame x: the largest rise of the two
 * snare bands within +-2 frames; 0 without them. */
static double snare_hit(const struct tempo_in *in, double x)
{
	double m = 0;
	long c = lround(x);
	if (!in->snare)
		return 0;
	for (long j = c - 2; j <= c + 2; j++) {
		double v = rise(in->snare, in->stride, in->n, j) +
		           rise(in->snare + 1, in->stride, in->n, j);
		if (v > m)
			m = v;
	}
	return m;
}

/* Drop weak beats at both ends (padding, fade in/out). */
static size_t trim_beats(const double *o, size_t n, double *bt, size_t nb)
{
	if (nb < 4)
		return nb;
	double sq = 0;
	for (size_t i = 0; i < nb; i++) {
		double v = local_max(o, n, bt[i], 1);
		sq += v * v;
	}
	double thr = 0.3 * sqrt(sq / (double)nb);
	size_t a = 0, b = nb;
	while (a < b && local_max(o, n, bt[a], 1) < thr)
		a++;
	while (b > a && local_max(o, n, bt[b - 1], 1) < thr)
		b--;
	memmove(bt, bt + a, (b - a) * sizeof(*bt));
	return b - a;
}

/* Period in frames from the grid: median of k-beat spans / k. */
static double grid_period(const double *bt, size_t nb, double p)
{
	if (nb < 6)
		return p;
	size_t k = nb / 2 < 16 ? nb / 2 : 16, m = nb - k;
	double *sp = malloc(m * sizeof(*sp));
	if (!sp)
		return p;
	for (size_t i = 0; i < m; i++)
		sp[i] = (bt[i + k] - bt[i]) / (double)k;
	qsort(sp, m, sizeof(*sp), cmp_double);
	double q = sp[m / 2];
	free(sp);
	/* a grid that skipped or doubled beats is not a measurement */
	return fabs(q / p - 1) < 0.04 ? q : p;
}

/* Meter (3 or 4 beats per bar) and downbeat phase from beat accents. */
static void meter(const struct tempo_in *in, const double *o, const double *bt, size_t nb,
                  struct an_tempo_result *out, struct tempo_diag *dg)
{
	static const int lags[4] = { 2, 3, 4, 6 };
	double *za = malloc(nb * sizeof(*za)), *zl = malloc(nb * sizeof(*zl));
	double d[4] = { 0 };

	out->beats_per_bar = 0;
	out->meter_conf = 0;
	if (!za || !zl || nb < 16)
		goto out;
	for (size_t i = 0; i < nb; i++) {
		za[i] = local_max(o, in->n, bt[i], 2);
		zl[i] = 0;
		if (in->low) {
			/* the rise of the low band (dB over 3 frames): a kick or a
			 * new bass note, not a bass note still ringing */
			double m = 0;
			long c = lround(bt[i]);
			for (long j = c - 2; j <= c + 2; j++)
				if (j >= 3 && (size_t)j < in->n) {
					double v = in->low[(size_t)j * in->stride] -
					           in->low[(size_t)(j - 3) * in->stride];
					if (isfinite(v) && v > m)
						m = v;
				}
			zl[i] = m;
		}
	}
	/* z-scores, so both accents count alike */
	for (int pass = 0; pass < 2; pass++) {
		double *z = pass ? zl : za, mu = 0, sd = 0;
		for (size_t i = 0; i < nb; i++)
			mu += z[i];
		mu /= (double)nb;
		for (size_t i = 0; i < nb; i++)
			sd += (z[i] - mu) * (z[i] - mu);
		sd = sqrt(sd / (double)nb);
		for (size_t i = 0; i < nb; i++)
			z[i] = sd > 1e-9 ? (z[i] - mu) / sd : 0;
	}
	for (int k = 0; k < 4; k++) {
		size_t cnt = 0;
		for (size_t i = 0; i + (size_t)lags[k] < nb; i++) {
			d[k] += fabs(za[i] - za[i + lags[k]]) + fabs(zl[i] - zl[i + lags[k]]);
			cnt++;
		}
		d[k] = cnt ? d[k] / (double)cnt : 0;
		dg->meter_d[k] = (float)d[k];
	}
	/* lag 6 repeats both patterns: it is kept for the detail only */
	double duple = fmin(d[0], d[2]), triple = d[1];
	int m;
	if (triple < 0.75 * duple) {
		m = 3;
		out->meter_conf = (float)(1 - triple / duple);
	} else {
		m = 4;
		out->meter_conf = duple < triple ? (float)(1 - duple / triple) : 0.1f;
	}
	out->beats_per_bar = m;
	/* downbeat: the phase whose beats carry the strongest accent, mostly
	 * the low band (kick drum, bass note on the one) */
	double best = -1e30;
	int phase = 0;
	for (int ph = 0; ph < m; ph++) {
		double s = 0;
		size_t cnt = 0;
		for (size_t i = (size_t)ph; i < nb; i += (size_t)m) {
			s += (in->low ? 0.5 : 1.0) * za[i] + zl[i];
			cnt++;
		}
		if (cnt && s / (double)cnt > best) {
			best = s / (double)cnt;
			phase = ph;
		}
	}
	out->downbeat = in->t0 + bt[phase] / in->fps;
out:
	free(za);
	free(zl);
}

int tempo_track(const struct tempo_in *in, const double *o, double p,
                struct an_tempo_result *out, struct tempo_diag *dg,
                struct gr_err *err)
{
	size_t n = in->n, nb;
	double *cum = malloc(n * sizeof(*cum));
	int *back = malloc(n * sizeof(*back));
	double *bt = malloc(n * sizeof(*bt));
	int rc = 0;

	if (!cum || !back || !bt) {
		rc = gr_fail(err, GR_ENOMEM, "tempo: no memory for the beat grid");
		goto out;
	}
	nb = dp_beats(o, n, p, cum, back, bt);
	refine_beats(o, n, bt, nb);
	nb = trim_beats(o, n, bt, nb);
	if (nb < 4)
		goto out;
	/* how strong the onsets are between beats and on alternate beats:
	 * the octave test of tempo_estimate() */
	double on[2] = { 0, 0 }, mid = 0, hon = 0, hmid = 0, ho[2] = { 0, 0 };
	double son = 0, smid = 0;
	for (size_t i = 0; i < nb; i++) {
		on[i % 2] += local_max(o, n, bt[i], 1);
		double h = hit(in, bt[i]);
		hon += h;
		ho[i % 2] += h;
		son += snare_hit(in, bt[i]);
		if (i + 1 < nb) {
			mid += local_max(o, n, 0.5 * (bt[i] + bt[i + 1]), 1);
			hmid += hit(in, 0.5 * (bt[i] + bt[i + 1]));
			smid += snare_hit(in, 0.5 * (bt[i] + bt[i + 1]));
		}
	}
	dg->mid_snare = son > 0 ? (float)(smid / (double)(nb - 1) / (son / (double)nb)) : -1.0f;
	/* -1 when there are no drum hits to compare (clicks, pads) */
	dg->alt_hit = fmax(ho[0], ho[1]) > 1.0 * (double)(nb / 2) ?
	              (float)(fmin(ho[0], ho[1]) / fmax(ho[0], ho[1])) : -1.0f;
	dg->mid_hit = hon > 0 ? (float)(hmid / (double)(nb - 1) / (hon / (double)nb)) : 0;
	double m0 = on[0] / (double)((nb + 1) / 2), m1 = on[1] / (double)(nb / 2);
	double mon = (on[0] + on[1]) / (double)nb;
	dg->mid_ratio = mon > 0 ? (float)(mid / (double)(nb - 1) / mon) : 0;
	dg->alt_ratio = fmax(m0, m1) > 0 ? (float)(fmin(m0, m1) / fmax(m0, m1)) : 0;
	double q = grid_period(bt, nb, p);
	out->has_tempo = 1;
	out->bpm = (float)(60.0 * in->fps / q);
	out->downbeat = -1;
	meter(in, o, bt, nb, out, dg);
	out->beats = malloc(nb * sizeof(*out->beats));
	if (!out->beats) {
		rc = gr_fail(err, GR_ENOMEM, "tempo: no memory for %zu beats", nb);
		goto out;
	}
	for (size_t i = 0; i < nb; i++)
		out->beats[i] = in->t0 + bt[i] / in->fps;
	out->n_beats = (int)nb;
out:
	free(cum);
	free(back);
	free(bt);
	return rc;
}
