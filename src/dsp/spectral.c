/*
 * spectral.c - per-frame time and spectral descriptors.
 *
 * Definitions (k = bin of the Hann-windowed n-point frame, f_k its
 * frequency, m_k = |X_k|, P_k = |X_k|^2):
 *   rms       sqrt(mean(x^2)) over the n unwindowed samples (a sine of
 *             amplitude A gives A/sqrt 2); db = dsp_db(rms)
 *   zcr       sign changes / n (|x| <= 1e-10 counts as positive)
 *   centroid  sum f_k m_k / sum m_k (librosa); a pure tone gives its
 *             frequency
 *   bandwidth sqrt(sum m_k (f_k - centroid)^2 / sum m_k)
 *   rolloff   lowest f_k with sum_{j<=k} P_j >= 0.85 sum P (energy)
 *   flatness  geometric / arithmetic mean of P averaged over groups of
 *             SPEC_FLAT_GROUP (16) bins (172 Hz at 2048/22050), DC
 *             excluded: a stationary white noise frame gives ~0.93
 *             (per-bin flatness would give ~0.56 from the chi-square
 *             spread of a single frame), a sine ~1e-4
 *   contrast  librosa's spectral contrast: sub-bands [0,200), [200,400),
 *             ..., [3200,6400), [6400, nyquist] Hz; 10 log10 of the mean
 *             of the top 2% magnitudes over the mean of the bottom 2%
 *   bands     10 log10 of the mean-square power in [0,100), [100,200),
 *             ..., [3200,6400), [6400, nyquist] Hz, Hann-compensated so
 *             that a full-scale sine in a band reads -3 dB; floor -120
 * Digital silence (sum P below 1e-10 per bin): centroid, bandwidth,
 * rolloff, flatness and contrast are 0, bands -120 dB.
 *
 * Costs: O(n) per frame (contrast keeps the 2% extremes in small sorted
 * lists, so it is O(n) too).
 * Threads: a struct spec belongs to one analyzer.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3", "no-math-errno")   /* vectorise the per-bin loops */
#endif
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp_int.h"

#define AMIN 1e-10f

float dsp_db(float linear)
{
	if (!(linear > 1e-6f))
		return -120.0f;
	return 20.0f * log10f(linear);
}

double dsp_flux_periodicity(const struct dsp_frame *f, size_t n, double rate, double lo_s,
                            double hi_s, double *lag_s)
{
	size_t lo = (size_t)(lo_s * rate), hi = (size_t)(hi_s * rate);
	double mean = 0, var = 0, best = 0;

	if (lag_s != NULL)
		*lag_s = 0;
	if (lo < 1)
		lo = 1;
	if (n < 2 * lo + 2)
		return 0;
	if (hi > n / 2)
		hi = n / 2;
	for (size_t i = 0; i < n; i++)
		mean += f[i].flux;
	mean /= (double)n;
	for (size_t i = 0; i < n; i++)
		var += (f[i].flux - mean) * (f[i].flux - mean);
	if (var <= 1e-12)
		return 0;
	for (size_t l = lo; l <= hi; l++) {
		double s = 0;
		for (size_t i = l; i < n; i++)
			s += (f[i].flux - mean) * (f[i - l].flux - mean);
		s /= var * (double)(n - l) / (double)n;
		if (s > best) {
			best = s;
			if (lag_s != NULL)
				*lag_s = (double)l / rate;
		}
	}
	return best;
}

static float pow_db(double p)
{
	if (!(p > 1e-12))
		return -120.0f;
	return (float)(10.0 * log10(p));
}

static int bin_of(double f, int n, double rate, int nb)
{
	int k = (int)ceil(f * n / rate - 1e-9);

	return k < 0 ? 0 : k > nb ? nb : k;
}

int spec_init(struct spec *s, int n, int rate, struct gr_err *err)
{
	static const double cf[DSP_NCONTRAST] = { 0, 200, 400, 800, 1600, 3200, 6400 };
	static const double bf[DSP_NBANDS] = { 0, 100, 200, 400, 800, 1600, 3200, 6400 };
	double sw2 = 0;
	float *w;
	int b;

	memset(s, 0, sizeof(*s));
	s->n = n;
	s->nb = n / 2 + 1;
	s->rate = rate;
	s->mag = malloc(sizeof(float) * (size_t)s->nb);
	s->scratch = malloc(sizeof(float) * (size_t)s->nb);
	w = malloc(sizeof(float) * (size_t)n);
	if (!s->mag || !s->scratch || !w) {
		free(w);
		spec_fini(s);
		return gr_fail(err, GR_ENOMEM, "dsp: out of memory for descriptors");
	}
	dsp_hann(w, n);
	for (int i = 0; i < n; i++)
		sw2 += (double)w[i] * w[i];
	free(w);
	s->pscale = (float)(1.0 / (n * sw2));
	for (b = 0; b < DSP_NCONTRAST; b++)
		s->cedge[b] = bin_of(cf[b], n, rate, s->nb);
	s->cedge[DSP_NCONTRAST] = s->nb;
	for (b = 0; b < DSP_NBANDS; b++)
		s->bedge[b] = bin_of(bf[b], n, rate, s->nb);
	s->bedge[DSP_NBANDS] = s->nb;
	return 0;
}

void spec_fini(struct spec *s)
{
	free(s->mag);
	free(s->scratch);
	s->mag = s->scratch = NULL;
}

/* Sum of the q smallest and of the q largest of a[0..n) (q <= n): two
 * small sorted lists; nearly every value is rejected by one compare. */
static void extremes(const float *a, int n, int q, float *lo, float *hi,
                     double *slo, double *shi)
{
	int i, j;

	for (i = 0; i < q; i++) {
		float v = a[i];
		for (j = i; j > 0 && lo[j - 1] > v; j--)
			lo[j] = lo[j - 1];
		lo[j] = v;
		for (j = i; j > 0 && hi[j - 1] < v; j--)
			hi[j] = hi[j - 1];
		hi[j] = v;
	}
	for (; i < n; i++) {
		float v = a[i];
		if (v < lo[q - 1]) {
			for (j = q - 1; j > 0 && lo[j - 1] > v; j--)
				lo[j] = lo[j - 1];
			lo[j] = v;
		}
		if (v > hi[q - 1]) {
			for (j = q - 1; j > 0 && hi[j - 1] < v; j--)
				hi[j] = hi[j - 1];
			hi[j] = v;
		}
	}
	*slo = *shi = 0;
	for (i = 0; i < q; i++) {
		*slo += lo[i];
		*shi += hi[i];
	}
}

static void contrast(struct spec *s, struct dsp_frame *out)
{
	for (int b = 0; b < DSP_NCONTRAST; b++) {
		int lo = s->cedge[b], hi = s->cedge[b + 1], n = hi - lo, q;
		double pk, va;

		out->contrast[b] = 0.0f;
		if (n <= 0)
			continue;
		q = (int)lrint(0.02 * n);
		if (q < 1)
			q = 1;
		extremes(s->mag + lo, n, q, s->scratch, s->scratch + q, &va, &pk);
		pk /= q;
		va /= q;
		out->contrast[b] = (float)(10.0 * log10(pk > AMIN ? pk : AMIN) -
		                           10.0 * log10(va > AMIN ? va : AMIN));
	}
}

static void flatness(struct spec *s, const float *P, struct dsp_frame *out)
{
	double lsum = 0, sum = 0;
	int g = 0;

	for (int k = 1; k + SPEC_FLAT_GROUP <= s->nb; k += SPEC_FLAT_GROUP) {
		float v = 0;
		for (int j = 0; j < SPEC_FLAT_GROUP; j++)
			v += P[k + j];
		v *= 1.0f / SPEC_FLAT_GROUP;
		if (v < AMIN)
			v = AMIN;
		lsum += dsp_fast_log2(v);
		sum += v;
		g++;
	}
	out->flatness = g > 0 ? (float)(exp2(lsum / g) / (sum / g)) : 0.0f;
}

#define LANES 8

DSP_SIMD
void spec_compute(struct spec *s, const struct stft_frame *f, struct dsp_frame *out)
{
	const float *x = f->raw, *P = f->power;
	float l_ss[LANES] = { 0 }, l_m[LANES] = { 0 }, l_fm[LANES] = { 0 }, l_p[LANES] = { 0 };
	double ss = 0, msum = 0, fm = 0, ptot = 0, acc, df = s->rate / s->n, var = 0;
	int k, j, cross = 0, nb = s->nb, nv;

	/* 8 independent partial sums per quantity, so the loops vectorise
	 * without reassociating floating point */
	for (k = 0; k + LANES <= s->n; k += LANES)
		for (j = 0; j < LANES; j++)
			l_ss[j] += x[k + j] * x[k + j];
	for (j = 0; j < LANES; j++)
		ss += l_ss[j];
	for (; k < s->n; k++)
		ss += (double)x[k] * x[k];
	for (k = 1; k < s->n; k++)
		cross += (x[k - 1] < -1e-10f) != (x[k] < -1e-10f);
	out->rms = (float)sqrt(ss / s->n);
	out->db = dsp_db(out->rms);
	out->zcr = (float)cross / s->n;

	{
		float *restrict mag = s->mag;
		const float *restrict pw = P;
		for (k = 0; k < nb; k++)
			mag[k] = sqrtf(pw[k]);
	}
	nv = nb - nb % LANES;
	for (k = 0; k < nv; k += LANES)
		for (j = 0; j < LANES; j++) {
			l_m[j] += s->mag[k + j];
			l_fm[j] += s->mag[k + j] * (float)(k + j);
			l_p[j] += P[k + j];
		}
	for (j = 0; j < LANES; j++) {
		msum += l_m[j];
		fm += l_fm[j];
		ptot += l_p[j];
	}
	for (k = nv; k < nb; k++) {
		msum += s->mag[k];
		fm += s->mag[k] * (double)k;
		ptot += P[k];
	}
	for (int b = 0; b < DSP_NBANDS; b++) {
		float bpf = 0.0f;
		double bp;
		for (k = s->bedge[b]; k < s->bedge[b + 1]; k++)
			bpf += P[k];
		bp = bpf;
		/* one-sided spectrum: every bin but DC and Nyquist counts twice */
		bp *= 2.0;
		if (s->bedge[b] == 0 && s->bedge[b + 1] > 0)
			bp -= P[0];
		if (s->bedge[b + 1] == nb && s->bedge[b] < nb)
			bp -= P[nb - 1];
		out->bands[b] = pow_db(bp * s->pscale);
	}
	if (!(ptot > AMIN * nb) || !(msum > 0)) {
		out->centroid = out->bandwidth = out->rolloff = out->flatness = 0.0f;
		memset(out->contrast, 0, sizeof(out->contrast));
		return;
	}
	fm /= msum;
	{
		float l_v[LANES] = { 0 }, c = (float)fm;
		for (k = 0; k < nv; k += LANES)
			for (j = 0; j < LANES; j++) {
				float d = (float)(k + j) - c;
				l_v[j] += s->mag[k + j] * d * d;
			}
		for (j = 0; j < LANES; j++)
			var += l_v[j];
		for (k = nv; k < nb; k++)
			var += s->mag[k] * (k - fm) * (k - fm);
	}
	out->centroid = (float)(fm * df);
	out->bandwidth = (float)(sqrt(var / msum) * df);
	acc = 0;
	for (k = 0; k < nb - 1; k++) {
		acc += P[k];
		if (acc >= 0.85 * ptot)
			break;
	}
	out->rolloff = (float)(k * df);
	flatness(s, P, out);
	contrast(s, out);
}
