/*
 * timeline.c - the "timeline" plugin: segments inside a region where the
 * content changes, each with a class and a confidence.
 *
 * Method (novelty on a self-similarity structure, after Foote 2000):
 *   1. windows of 1 s every 0.25 s; each window is described with the same
 *      descriptors as the features plugin and z-scored with the corpus
 *      statistics, keeping the descriptors meaningful on 1 s (means and
 *      spreads of MFCC and spectral shape, level, harmonicity, chroma...);
 *   2. the distance between two windows is their RMS z-score difference;
 *      at each candidate boundary t, novelty = mean distance across t
 *      (windows wholly before t vs wholly after t) minus the mean distance
 *      within each side, Gaussian-tapered over +-TL_HALF windows: a
 *      checkerboard kernel on the distance matrix, evaluated on its band
 *      only (no n^2 matrix);
 *   3. peaks of the novelty above the threshold, greedily by strength, at
 *      least TL_MIN_SEG s from each other and from the region's ends;
 *   4. each segment is classified with the trained model; neighbours of
 *      the same class are merged (and classified again), so a region that
 *      is one thing has one segment.
 * The threshold was tuned on the development corpus's joined files
 * (bench/classify_bench.sh reports change-point recall and precision).
 *
 * Costs: O(n frames) to describe, O(windows x TL_HALF^2) for the novelty.
 * Thread rules: pure, except an_timeline_tune() (tools only, before use).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../analysis_int.h"

#define TL_WIN 1.0          /* s: window length */
#define TL_HOP 0.25         /* s: window hop */
#define TL_HALF 8           /* windows on each side of the kernel (2 s) */
#define TL_MIN_SEG 1.5      /* s: shortest segment */
#define TL_THRESHOLD 0.6    /* novelty threshold (z units): middle of the plateau
                               0.5-0.7 of change-point F1 on the joined files */

static double tuned_threshold;   /* 0 = TL_THRESHOLD */

void an_timeline_tune(double threshold)
{
	tuned_threshold = threshold > 0 ? threshold : 0;
}

/* Descriptors used for distances: those meaningful on a 1 s window. */
static int used_dim(int i)
{
	/* 1 s block statistics, modulation, periodicity, duration, peak
	 * position, decay: too long-range */
	return !(i >= 56 && i <= 60) && !(i >= 9 && i <= 11);
}

static double dist(const float *a, const float *b)
{
	double s = 0;
	int m = 0;
	for (int i = 0; i < AN_FEAT_DIM; i++) {
		if (!used_dim(i))
			continue;
		s += (double)(a[i] - b[i]) * (a[i] - b[i]);
		m++;
	}
	return sqrt(s / m);
}

/* Checkerboard novelty at the boundary before window k (windows of the
 * left side end at or before the boundary: k - span and below). */
static double novelty(float (*z)[AN_FEAT_DIM], int nw, int k, int span)
{
	int l0 = k - span - TL_HALF + 1, l1 = k - span, r0 = k, r1 = k + TL_HALF - 1;
	double cross = 0, wc = 0, within = 0, ww = 0;

	if (l0 < 0)
		l0 = 0;
	if (r1 > nw - 1)
		r1 = nw - 1;
	if (l1 - l0 < 1 || r1 - r0 < 1)
		return 0;
	for (int i = l0; i <= r1; i++) {
		if (i > l1 && i < r0)
			continue;
		for (int j = i + 1; j <= r1; j++) {
			double gi, gj, w, d;
			if (j > l1 && j < r0)
				continue;
			gi = (i <= l1) ? l1 - i : i - r0;
			gj = (j <= l1) ? l1 - j : j - r0;
			w = exp(-0.5 * (gi * gi + gj * gj) / (0.25 * TL_HALF * TL_HALF));
			d = dist(z[i], z[j]);
			if ((i <= l1) != (j <= l1)) {
				cross += w * d;
				wc += w;
			} else {
				within += w * d;
				ww += w;
			}
		}
	}
	if (wc <= 0 || ww <= 0)
		return 0;
	return cross / wc - within / ww;
}

/* Find boundaries (frame indices) into b; returns how many. */
static int find_bounds(struct an_ctx *c, const struct dsp_frame *f, size_t n, double rate,
                       size_t *b, int max)
{
	size_t win = (size_t)(TL_WIN * rate + 0.5), hop = (size_t)(TL_HOP * rate + 0.5);
	int nw, span, nb = 0, *order = NULL;
	float (*z)[AN_FEAT_DIM];
	double *nov, thr = tuned_threshold > 0 ? tuned_threshold : TL_THRESHOLD;
	double min_seg = TL_MIN_SEG * rate;

	if (hop < 1)
		hop = 1;
	if (win < hop || n < win + 2 * hop)
		return 0;
	nw = (int)((n - win) / hop) + 1;
	span = (int)((win + hop - 1) / hop);
	z = xmalloc((size_t)nw * sizeof(*z));
	nov = xcalloc((size_t)nw, sizeof(*nov));
	order = xmalloc((size_t)nw * sizeof(*order));
	for (int k = 0; k < nw; k++) {
		float raw[AN_FEAT_DIM];
		an_features_raw(f + (size_t)k * hop, win, rate, raw);
		an_feat_normalise(raw, z[k]);
		if ((k & 63) == 0 && an_should_stop(c))
			goto out;
	}
	for (int k = 1; k < nw; k++)
		nov[k] = novelty(z, nw, k, span);
	/* local maxima above the threshold, strongest first */
	for (int k = 1; k < nw; k++) {
		int peak = nov[k] >= thr;
		for (int j = k - 4; j <= k + 4 && peak; j++)
			if (j >= 0 && j < nw && j != k && nov[j] > nov[k])
				peak = 0;
		if (peak)
			order[nb++] = k;
	}
	for (int i = 1; i < nb; i++)           /* insertion sort, nb is small */
		for (int j = i; j > 0 && nov[order[j]] > nov[order[j - 1]]; j--) {
			int t = order[j]; order[j] = order[j - 1]; order[j - 1] = t;
		}
	{
		int kept = 0;
		for (int i = 0; i < nb && kept < max; i++) {
			size_t at = (size_t)order[i] * hop;
			int ok = (double)at >= min_seg && (double)(n - at) >= min_seg;
			for (int j = 0; j < kept && ok; j++)
				if (fabs((double)at - (double)b[j]) < min_seg)
					ok = 0;
			if (ok)
				b[kept++] = at;
		}
		nb = kept;
	}
	for (int i = 1; i < nb; i++)
		for (int j = i; j > 0 && b[j] < b[j - 1]; j--) {
			size_t t = b[j]; b[j] = b[j - 1]; b[j - 1] = t;
		}
out:
	free(order);
	free(nov);
	free(z);
	return nb;
}

static int timeline_run(struct an_ctx *c, struct gr_err *err)
{
	const struct dsp_frame *f;
	size_t n, b[66];
	double rate = an_frame_rate(c);
	struct an_timeline_result r;
	struct an_segment seg[66];
	size_t cut[66];
	int nb, ns = 0;

	f = an_frames(c, &n);
	if (n == 0)
		return gr_fail(err, GR_EFORMAT, "region has no frames");
	nb = find_bounds(c, f, n, rate, b, 64);
	if (an_should_stop(c))
		return gr_fail(err, GR_ETIMEOUT, "over budget");
	/* segments [cut[s], cut[s+1]) in frames; merge equal-class neighbours */
	cut[0] = 0;
	for (int i = 0; i <= nb; i++) {
		size_t from = i == 0 ? 0 : b[i - 1], to = i == nb ? n : b[i];
		struct an_class_result cr;
		an_classify_frames(f + from, to - from, rate, &cr);
		if (ns > 0 && seg[ns - 1].cls == cr.cls) {
			size_t s0 = cut[ns - 1];
			an_classify_frames(f + s0, to - s0, rate, &cr);
			if (cr.cls == seg[ns - 1].cls) {
				seg[ns - 1].end = an_region_start(c) + (double)to / rate;
				seg[ns - 1].conf = cr.conf;
				continue;
			}
		}
		cut[ns] = from;
		seg[ns].start = an_region_start(c) + (double)from / rate;
		seg[ns].end = an_region_start(c) + (double)to / rate;
		seg[ns].cls = cr.cls;
		seg[ns].conf = cr.conf;
		ns++;
	}
	/* the timeline covers the region exactly */
	seg[0].start = an_region_start(c);
	seg[ns - 1].end = an_region_end(c);
	r.n = ns;
	r.seg = seg;
	an_set_timeline(c, &r);
	return 0;
}

static const char *const timeline_needs[] = { "features", NULL };

const struct an_plugin an_plugin_timeline = {
	.name = "timeline",
	.version = 1,
	.needs = timeline_needs,
	.budget = 20,
	.run = timeline_run,
};
