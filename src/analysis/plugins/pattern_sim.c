/*
 * pattern_sim.c - the self-similarity half of the patterns plugin:
 * comparable vectors from frames, their similarity, and the search for
 * stripes (repeats) in the lag-time plane; pt_find() runs the whole thing.
 *
 * Vectors: the frame's 36-bin chroma folded to 12 pitch classes, as a unit
 * vector of amplitudes, centred on the region's mean; MFCC c1..c12 minus
 * the region's mean, divided by the region's spread (floored, so a steady
 * sound does not blow its own small wobbles up into structure).
 * Similarity: a soft cosine per part (lengths floored, so a vector near
 * the region's mean is like nothing), the chroma part weighted by how
 * pitched both sounds are (up to one half).
 *
 * Stripes (in the spirit of Goto's RefraiD): for each lag L the diagonal
 * S(t, t + L) is smoothed over PT_SMOOTH s; a time t belongs to a repeat
 * at lag L where the smoothed value is high (>= PT_SIM_T), stands out
 * against the same times at neighbouring lags (L +- 0.3..0.7 s, contrast
 * >= PT_CON_T: a steady tone or noise is alike at every lag and is no
 * pattern), and against the region's median similarity (>= PT_TYP_T).
 * Runs of such t at least PT_MIN_LEN long are the stripes.  Only the
 * diagonals of lags L - 0.7 s .. L + 0.7 s are kept (a ring), so memory
 * is O(n).
 *
 * Costs: O(n^2) similarity evaluations of ~26 multiply-adds each; n is
 * capped at PT_MAXN by the caller.  Thread rules: reentrant.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "grym/util.h"
#include "patterns.h"

#define PT_MF_FLOOR 3.0f     /* dB-like MFCC units: least spread used to scale */
#define PT_MF_NFLOOR 1.5f    /* least length of a z-scored MFCC vector */
#define PT_CH_NFLOOR 0.25f   /* least length of a centred chroma vector */
#define PT_SMOOTH 0.5        /* s: smoothing along the diagonal */
#define PT_SIM_T 0.5f        /* least smoothed similarity of a repeat */
#define PT_CON_T 0.2f        /* least contrast against neighbouring lags */
#define PT_TYP_T 0.3f        /* least excess over the region's median */
#define PT_MAX_STRIPES 20000 /* candidates kept */
#define PT_HIST 400          /* bins of the similarity histogram over -1..1 */

/* Unit chroma of one frame (amplitudes, PT_NCH bins); zeros if silent. */
static void unit_chroma(const struct dsp_frame *f, float out[PT_NCH])
{
	double s = 0;
	for (int b = 0; b < PT_NCH; b++) {
		double e = f->chroma[b];
		out[b] = (float)sqrt(e > 0 ? e : 0);
		s += (double)out[b] * out[b];
	}
	s = sqrt(s);
	for (int b = 0; b < PT_NCH; b++)
		out[b] = s > 1e-6 ? (float)(out[b] / s) : 0.0f;
}

void pt_norm_compute(const struct dsp_frame *f, size_t n, struct pt_norm *nm)
{
	double ch[PT_NCH] = { 0 }, m[PT_NMF] = { 0 }, m2[PT_NMF] = { 0 };

	memset(nm, 0, sizeof(*nm));
	for (size_t i = 0; i < n; i++) {
		float u[PT_NCH];
		unit_chroma(&f[i], u);
		for (int k = 0; k < PT_NCH; k++)
			ch[k] += u[k];
		for (int k = 0; k < PT_NMF; k++) {
			m[k] += f[i].mfcc[k + 1];
			m2[k] += (double)f[i].mfcc[k + 1] * f[i].mfcc[k + 1];
		}
	}
	for (int k = 0; k < PT_NCH; k++)
		nm->ch_mean[k] = n ? (float)(ch[k] / (double)n) : 0.0f;
	for (int k = 0; k < PT_NMF; k++) {
		double mu = n ? m[k] / (double)n : 0, var = n ? m2[k] / (double)n - mu * mu : 0;
		double sd = sqrt(var > 0 ? var : 0);
		nm->mf_mean[k] = (float)mu;
		nm->mf_scale[k] = (float)(1.0 / (sd > PT_MF_FLOOR ? sd : PT_MF_FLOOR));
	}
}

void pt_vec_make(const struct dsp_frame *f, size_t from, size_t to,
                 const struct pt_norm *nm, struct pt_vec *v)
{
	double ch[PT_NCH] = { 0 }, mf[PT_NMF] = { 0 }, h = 0, cn = 0, mn = 0;
	double k = (double)(to - from);

	for (size_t i = from; i < to; i++) {
		float u[PT_NCH];
		unit_chroma(&f[i], u);
		for (int j = 0; j < PT_NCH; j++)
			ch[j] += u[j];
		for (int j = 0; j < PT_NMF; j++)
			mf[j] += f[i].mfcc[j + 1];
		h += f[i].harmonicity;
	}
	for (int j = 0; j < PT_NCH; j++) {
		v->ch[j] = (float)(ch[j] / k) - nm->ch_mean[j];
		cn += (double)v->ch[j] * v->ch[j];
	}
	for (int j = 0; j < PT_NMF; j++) {
		v->mf[j] = (float)(mf[j] / k - nm->mf_mean[j]) * nm->mf_scale[j];
		mn += (double)v->mf[j] * v->mf[j];
	}
	v->ch_norm = (float)fmax(sqrt(cn), PT_CH_NFLOOR);
	v->mf_norm = (float)fmax(sqrt(mn), PT_MF_NFLOOR);
	/* harmonicity of a clear tone is ~0.9, of noise ~0.2 */
	h = (h / k - 0.3) / 0.5;
	v->pitched = (float)(h < 0 ? 0 : h > 1 ? 1 : h);
}

float pt_sim(const struct pt_vec *a, const struct pt_vec *b)
{
	float c = 0, m = 0, wc;

	for (int j = 0; j < PT_NCH; j++)
		c += a->ch[j] * b->ch[j];
	for (int j = 0; j < PT_NMF; j++)
		m += a->mf[j] * b->mf[j];
	c /= a->ch_norm * b->ch_norm;
	m /= a->mf_norm * b->mf_norm;
	wc = 0.5f * (a->pitched < b->pitched ? a->pitched : b->pitched);
	return (1 - wc) * m + wc * c;
}

/* Smoothed diagonal of lag L into row (n - L values): centred moving
 * mean of S(t, t + L) over +-half. */
static void diagonal(const struct pt_vec *v, int n, int L, int half, float *raw, float *row)
{
	int m = n - L;
	double acc = 0;
	int lo = 0, hi = 0;   /* window [lo, hi) */

	for (int t = 0; t < m; t++)
		raw[t] = pt_sim(&v[t], &v[t + L]);
	for (int t = 0; t < m; t++) {
		int a = t - half < 0 ? 0 : t - half, b = t + half + 1 > m ? m : t + half + 1;
		while (hi < b)
			acc += raw[hi++];
		while (lo < a)
			acc -= raw[lo++];
		row[t] = (float)(acc / (b - a));
	}
}

static int by_strength(const void *pa, const void *pb)
{
	const struct pt_stripe *a = pa, *b = pb;
	float sa = a->sim + a->contrast, sb = b->sim + b->contrast;
	if (sa != sb)
		return sa > sb ? -1 : 1;
	return (b->t1 - b->t0) - (a->t1 - a->t0);
}

/* Runs of lag E's row that pass the local tests become stripes. */
static void scan_lag(float **ring, int R, int n, int E, int d1, int d2, int minlen,
                     struct pt_stripe **st, int *ns, int *cap)
{
	const float *row = ring[E % R];
	int m = n - E, start = -1, gap = 0;
	double ssum = 0, csum = 0;

	for (int t = 0; t <= m; t++) {
		int pass = 0;
		float con = 0;
		if (t < m && row[t] >= PT_SIM_T) {
			double lo = 0, hi = 0;
			int nlo = 0, nhi = 0;
			for (int d = d1; d <= d2; d++) {
				if (E - d >= 1) {
					lo += ring[(E - d) % R][t];
					nlo++;
				}
				if (t < n - (E + d)) {
					hi += ring[(E + d) % R][t];
					nhi++;
				}
			}
			lo = nlo ? lo / nlo : -1;
			hi = nhi ? hi / nhi : -1;
			con = row[t] - (float)(lo > hi ? lo : hi);
			pass = con >= PT_CON_T;
		}
		if (pass) {
			if (start < 0) {
				start = t;
				ssum = csum = 0;
			}
			ssum += row[t];
			csum += con;
			gap = 0;
			continue;
		}
		if (start >= 0 && t < m && ++gap <= 1)
			continue;   /* bridge a one-vector dip */
		if (start >= 0) {
			int end = t - gap + 1 > m ? m : t - gap + 1;
			int len = end - start;
			if (len >= minlen && *ns < PT_MAX_STRIPES) {
				if (*ns == *cap) {
					*cap = *cap ? 2 * *cap : 64;
					*st = xrealloc(*st, (size_t)*cap * sizeof(**st));
				}
				(*st)[(*ns)++] = (struct pt_stripe){
					.t0 = start, .t1 = end, .lag = E,
					.sim = (float)(ssum / len), .contrast = (float)(csum / len),
				};
			}
			start = -1;
			gap = 0;
		}
	}
}

struct pt_stripe *pt_stripes(const struct pt_vec *v, int n, double rate,
                             const struct pt_in *in, int *ns_out)
{
	int half = (int)lround(PT_SMOOTH * rate / 2);
	int d1 = (int)lround(0.3 * rate), d2 = (int)lround(0.7 * rate);
	/* runs as short as PT_MIN_LEN less the smoothing's blur at the ends
	 * (the refinement on the full-rate frames decides the length) */
	int minlen = (int)lround((PT_MIN_LEN - PT_SMOOTH * 0.6) * rate);
	int minlag = (int)lround(PT_MIN_LEN * rate), R, ns = 0, cap = 0, kept = 0;
	float **ring, *raw;
	struct pt_stripe *st = NULL;
	long hist[PT_HIST] = { 0 }, total = 0;
	float median = 0;

	*ns_out = 0;
	if (d1 < 1)
		d1 = 1;
	if (d2 <= d1)
		d2 = d1 + 1;
	if (minlen < 2)
		minlen = 2;
	R = 2 * d2 + 1;
	ring = xcalloc((size_t)R, sizeof(*ring));
	for (int i = 0; i < R; i++)
		ring[i] = xmalloc((size_t)n * sizeof(float));
	raw = xmalloc((size_t)n * sizeof(float));
	for (int L = 1; L < n + d2; L++) {
		if (L < n) {
			float *row = ring[L % R];
			diagonal(v, n, L, half, raw, row);
			if (L >= minlag)
				for (int t = 0; t < n - L; t += 2) {
					int b = (int)((row[t] + 1) * 0.5f * PT_HIST);
					hist[b < 0 ? 0 : b >= PT_HIST ? PT_HIST - 1 : b]++;
					total++;
				}
		}
		if (L - d2 >= minlag && L - d2 < n - minlen)
			scan_lag(ring, R, n, L - d2, d1, d2, minlen, &st, &ns, &cap);
		if (in->stop != NULL && (L & 15) == 0 && in->stop(in->stop_arg)) {
			ns = -1;
			goto out;
		}
	}
	/* the region's typical similarity: median of the smoothed diagonals */
	for (long acc = 0, b = 0; b < PT_HIST; b++) {
		acc += hist[b];
		if (2 * acc >= total) {
			median = (float)((b + 0.5) / PT_HIST * 2 - 1);
			break;
		}
	}
	for (int i = 0; i < ns; i++)
		if (st[i].sim - median >= PT_TYP_T)
			st[kept++] = st[i];
	ns = kept;
	if (ns > 1)
		qsort(st, (size_t)ns, sizeof(*st), by_strength);
out:
	for (int i = 0; i < R; i++)
		free(ring[i]);
	free(ring);
	free(raw);
	if (ns <= 0) {
		free(st);
		st = NULL;
	}
	*ns_out = ns;
	return st;
}

int pt_find(const struct pt_in *in, struct an_patterns_result *out, struct gr_err *err)
{
	size_t hop, nc;
	double rate;
	struct pt_norm nm;
	struct pt_vec *v;
	struct pt_stripe *st;
	int ns;

	out->n = 0;
	out->occ = NULL;
	if (in->n == 0 || in->fps <= 0)
		return 0;
	hop = (size_t)lround(in->fps / PT_RATE);
	if (hop < 1)
		hop = 1;
	if (in->n / hop > PT_MAXN)
		hop = (in->n + PT_MAXN - 1) / PT_MAXN;
	nc = in->n / hop;
	rate = in->fps / (double)hop;
	/* two occurrences of the shortest length must fit */
	if ((double)nc < 2 * PT_MIN_LEN * rate)
		return 0;
	pt_norm_compute(in->f, in->n, &nm);
	v = xmalloc(nc * sizeof(*v));
	/* windows of two steps, centred on the step: a repeat whose lag is
	 * not a whole number of steps still lines up */
	for (size_t k = 0; k < nc; k++) {
		size_t a = k * hop >= hop / 2 ? k * hop - hop / 2 : 0;
		size_t b = k * hop + hop + (hop + 1) / 2;
		pt_vec_make(in->f, a, b < in->n ? b : in->n, &nm, &v[k]);
	}
	st = pt_stripes(v, (int)nc, rate, in, &ns);
	free(v);
	if (ns < 0)
		return gr_fail(err, GR_ETIMEOUT, "patterns: over its time budget");
	if (ns > 0)
		pt_group(in, &nm, hop, st, ns, out);
	free(st);
	return 0;
}
