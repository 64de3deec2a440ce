/*
 * key_detect.c - key_estimate() of the key plugin: tonic, major/minor,
 * confidence and runner-up, the tuning, and the key per section when it
 * clearly changes; "no key" for unpitched content.
 *
 * Method: the dsp's 36-bin chroma (3 bins per semitone) is averaged into
 * blocks of 4 frames (~93 ms) and median-filtered along time over 5
 * blocks, which keeps sustained (harmonic) energy and drops percussive
 * bursts (harmonic/percussive separation on the chroma).  The tuning is
 * the circular mean of the energy over the three bins of each semitone;
 * the bins are folded to 12 pitch classes around it, so a detuned
 * recording keeps its pitch classes.  Each block is log-compressed (soft
 * notes still count); 12-s windows (hop 6 s) are correlated with the key
 * profiles of key_profile.c and each casts a soft vote (the softmax of
 * its scores): on the development songs this beat the correlation of the
 * whole region's chroma by 5 points, as one loud or busy passage can no
 * longer outweigh the rest.  No key when the chroma is flat (noise)
 * or mostly transient (drums: the median filter removes most of it).  For sections, 24-s windows every 8 s are scored
 * alike and a Viterbi pass with a switching penalty finds the key path;
 * sections shorter than 30 s are absorbed.
 *
 * Costs: O(frames x 36) plus O(blocks x 36 x 5 log 5) for the median,
 * O(windows x 24 x 24) for sections; memory O(frames / 4 x 36).
 * Thread rules: reentrant.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "grym/analysis.h"
#include "grym/util.h"
#include "musical.h"

#ifndef BLOCK
#define BLOCK 4              /* frames per block */
#endif
#ifndef MED
#define MED 2                /* median over +-MED blocks */
#endif
#ifndef LOG_GAIN
#define LOG_GAIN 10.0        /* log(1 + gain * x / mean) compression */
#endif
#ifndef CONTRAST_MIN
#define CONTRAST_MIN 0.12f   /* coefficient of variation of chroma12 */
#endif
#ifndef SCORE_MIN
#define SCORE_MIN 0.25f      /* best correlation needed for a key */
#endif
#ifndef TONAL_MIN
#define TONAL_MIN 0.55f      /* share of chroma energy that must be sustained */
#endif
#ifndef TONAL_SURE
#define TONAL_SURE 0.8f      /* below this sustained share ... */
#endif
#ifndef CONTRAST_MIX
#define CONTRAST_MIX 0.35f   /* ... the chroma needs this much contrast */
#endif
#ifndef SOFTMAX_BETA
#define SOFTMAX_BETA 25.0    /* score -> probability sharpness */
#endif
#ifndef VOTE_WIN
#define VOTE_WIN 12.0        /* s, window of the soft vote */
#endif
#ifndef VOTE_BETA
#define VOTE_BETA 10.0       /* sharpness of each window's vote */
#endif
#ifndef SEC_WIN
#define SEC_WIN 24.0         /* s, section window */
#endif
#ifndef SEC_HOP
#define SEC_HOP 8.0          /* s */
#endif
#ifndef SEC_PENALTY
#define SEC_PENALTY 1.5      /* Viterbi cost of a key change (correlation units) */
#endif
#ifndef SEC_MIN
#define SEC_MIN 30.0         /* s, shortest section reported */
#endif

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return (x > y) - (x < y);
}

static void set_no_key(struct an_key_result *out)
{
	memset(out, 0, sizeof(*out));
	out->key = AN_NO_KEY;
	out->runner = AN_NO_KEY;
}

/* Softmax probabilities of the best and runner-up key (indices in best, run). */
static void rank(const float s[24], int *best, int *run, float *pb, float *pr)
{
	int b = 0, r = -1;
	for (int k = 1; k < 24; k++)
		if (s[k] > s[b])
			b = k;
	for (int k = 0; k < 24; k++)
		if (k != b && (r < 0 || s[k] > s[r]))
			r = k;
	double z = 0;
	for (int k = 0; k < 24; k++)
		z += exp(SOFTMAX_BETA * (s[k] - s[b]));
	*best = b;
	*run = r;
	*pb = (float)(1.0 / z);
	*pr = (float)(exp(SOFTMAX_BETA * (s[r] - s[b])) / z);
}

/* Coefficient of variation of a 12-vector. */
static float spread12(const float *c)
{
	double m = 0, v = 0;
	for (int i = 0; i < 12; i++)
		m += c[i];
	m /= 12;
	for (int i = 0; i < 12; i++)
		v += (c[i] - m) * (c[i] - m);
	return m > 0 ? (float)(sqrt(v / 12) / m) : 0;
}

/*
 * Soft vote over windows: every VOTE_WIN-s window (hop half a window)
 * adds the softmax of its 24 key scores, so each stretch of the region
 * has one vote however loud or dense it is; v sums to 1.  A region
 * shorter than a window is one window.
 */
static void vote(const float (*blk12)[12], size_t nb, double bps, float v[24])
{
	size_t win = (size_t)(VOTE_WIN * bps), hop;
	double acc[24] = { 0 }, tot = 0;
	if (win < 1)
		win = 1;
	if (win > nb)
		win = nb;
	hop = win / 2 ? win / 2 : 1;
	for (size_t s = 0; s + win <= nb; s += hop) {
		float c[12] = { 0 }, sc[24];
		for (size_t b = s; b < s + win; b++)
			for (int i = 0; i < 12; i++)
				c[i] += blk12[b][i];
		key_scores(c, sc);
		float mx = sc[0];
		for (int k = 1; k < 24; k++)
			mx = sc[k] > mx ? sc[k] : mx;
		double z = 0, p[24];
		for (int k = 0; k < 24; k++)
			z += p[k] = exp(VOTE_BETA * (sc[k] - mx));
		for (int k = 0; k < 24; k++)
			acc[k] += p[k] / z;
		tot += 1;
	}
	for (int k = 0; k < 24; k++)
		v[k] = tot > 0 ? (float)(acc[k] / tot) : 0;
}

/*
 * Sections: scores of windows of blocks, Viterbi over keys.  blk12 holds
 * nb compressed 12-bin blocks; bps = blocks per second.  On a clear
 * change fills out->sections / n_sections and returns the key held
 * longest, else returns -1.  -2 on no memory.
 */
static int sections(const float (*blk12)[12], size_t nb, double bps, double t0,
                    double t_end, struct an_key_result *out)
{
	size_t win = (size_t)(SEC_WIN * bps), hop = (size_t)(SEC_HOP * bps);
	if (hop < 1 || nb < win + 2 * hop)
		return -1;
	size_t nw = (nb - win) / hop + 1;
	float (*sc)[24] = malloc(nw * sizeof(*sc));
	int (*bp)[24] = malloc(nw * sizeof(*bp));
	int *path = malloc(nw * sizeof(*path));
	double v[24], nv[24];
	int ret = -1;
	if (!sc || !bp || !path) {
		ret = -2;
		goto out;
	}
	for (size_t w = 0; w < nw; w++) {
		float c[12] = { 0 };
		for (size_t b = w * hop; b < w * hop + win; b++)
			for (int i = 0; i < 12; i++)
				c[i] += blk12[b][i];
		key_scores(c, sc[w]);
	}
	for (int k = 0; k < 24; k++)
		v[k] = sc[0][k];
	for (size_t w = 1; w < nw; w++) {
		int arg = 0;
		for (int k = 1; k < 24; k++)
			if (v[k] > v[arg])
				arg = k;
		for (int k = 0; k < 24; k++) {
			int from = v[arg] - SEC_PENALTY > v[k] ? arg : k;
			nv[k] = (from == k ? v[k] : v[arg] - SEC_PENALTY) + sc[w][k];
			bp[w][k] = from;
		}
		memcpy(v, nv, sizeof(v));
	}
	int k = 0;
	for (int j = 1; j < 24; j++)
		if (v[j] > v[k])
			k = j;
	for (size_t w = nw; w-- > 0;) {
		path[w] = k;
		if (w)
			k = bp[w][k];
	}
	/* runs of windows -> sections; the boundary between window w-1 and w
	 * is the centre of the overlap */
	struct an_key_section sec[64];
	int ns = 0;
	for (size_t w = 0; w < nw; w++) {
		double start = w == 0 ? t0 : t0 + ((double)(w * hop) + win / 2.0) / bps - SEC_HOP / 2;
		if (ns > 0 && sec[ns - 1].key == path[w])
			continue;
		if (ns == (int)GR_ARRAY_LEN(sec))
			break;
		if (ns > 0)
			sec[ns - 1].end = start;
		sec[ns].start = start;
		sec[ns].key = path[w];
		sec[ns].conf = 0;
		ns++;
	}
	sec[ns - 1].end = t_end;
	/* absorb short sections into the previous (or next) one */
	for (int i = 0; i < ns && ns > 1;) {
		if (sec[i].end - sec[i].start >= SEC_MIN) {
			i++;
			continue;
		}
		if (i > 0)
			sec[i - 1].end = sec[i].end;
		else
			sec[1].start = sec[0].start;
		memmove(&sec[i], &sec[i + 1], (size_t)(ns - i - 1) * sizeof(sec[0]));
		ns--;
		/* neighbours with the same key merge */
		for (int j = 1; j < ns; j++)
			if (sec[j].key == sec[j - 1].key) {
				sec[j - 1].end = sec[j].end;
				memmove(&sec[j], &sec[j + 1], (size_t)(ns - j - 1) * sizeof(sec[0]));
				ns--;
				j--;
			}
		i = 0;
	}
	if (ns < 2)
		goto out;
	double held[24] = { 0 };
	for (int i = 0; i < ns; i++) {
		/* the section's confidence: its own chroma's softmax */
		float c[12] = { 0 }, s[24], pb, pr;
		int b, r;
		size_t b0 = (size_t)((sec[i].start - t0) * bps), b1 = (size_t)((sec[i].end - t0) * bps);
		for (size_t bb = b0; bb < b1 && bb < nb; bb++)
			for (int j = 0; j < 12; j++)
				c[j] += blk12[bb][j];
		key_scores(c, s);
		rank(s, &b, &r, &pb, &pr);
		sec[i].conf = (float)exp(SOFTMAX_BETA * (s[sec[i].key] - s[b])) * pb;
		held[sec[i].key] += sec[i].end - sec[i].start;
	}
	out->sections = malloc((size_t)ns * sizeof(*out->sections));
	if (!out->sections) {
		ret = -2;
		goto out;
	}
	memcpy(out->sections, sec, (size_t)ns * sizeof(sec[0]));
	out->n_sections = ns;
	ret = 0;
	for (int j = 1; j < 24; j++)
		if (held[j] > held[ret])
			ret = j;
out:
	free(sc);
	free(bp);
	free(path);
	return ret;
}

/* Weighted block means of the chroma (b36, nb = ceil(n / BLOCK) rows,
 * zeroed by the caller) and their median along time (h36): sustained
 * notes stay, bursts go. */
static void blocks_hpss(const float *chroma, size_t stride, const float *weight, size_t n,
                        float (*b36)[36], float (*h36)[36])
{
	size_t nb = (n + BLOCK - 1) / BLOCK;
	for (size_t i = 0; i < n; i++) {
		const float *c = chroma + i * stride;
		float w = weight ? weight[i * stride] : 1.0f;
		if (!(w > 0) || !isfinite(w))
			continue;
		for (int j = 0; j < 36; j++)
			if (c[j] > 0 && isfinite(c[j]))
				b36[i / BLOCK][j] += w * c[j] / BLOCK;
	}
	for (size_t b = 0; b < nb; b++) {
		size_t lo = b > MED ? b - MED : 0, hi = b + MED < nb ? b + MED : nb - 1;
		for (int j = 0; j < 36; j++) {
			float tmp[2 * MED + 1];
			size_t m = 0;
			for (size_t t = lo; t <= hi; t++)
				tmp[m++] = b36[t][j];
			qsort(tmp, m, sizeof(tmp[0]), cmp_float);
			h36[b][j] = tmp[m / 2];
		}
	}
}

float key_sustained(const float *chroma, size_t stride, size_t n)
{
	size_t nb = (n + BLOCK - 1) / BLOCK;
	float (*b36)[36] = calloc(nb ? nb : 1, sizeof(*b36));
	float (*h36)[36] = calloc(nb ? nb : 1, sizeof(*h36));
	double all = 0, kept = 0;
	if (b36 && h36 && n) {
		blocks_hpss(chroma, stride, NULL, n, b36, h36);
		for (size_t b = 0; b < nb; b++)
			for (int j = 0; j < 36; j++) {
				kept += h36[b][j];
				all += b36[b][j];
			}
	}
	free(b36);
	free(h36);
	return all > 0 ? (float)(kept / all) : 0.0f;
}

int key_estimate(const struct key_in *in, struct an_key_result *out,
                 struct key_diag *diag, struct gr_err *err)
{
	struct key_diag dg;
	size_t nb = (in->n + BLOCK - 1) / BLOCK;
	float (*b36)[36] = NULL, (*h36)[36] = NULL, (*b12)[12] = NULL;
	int rc = 0;

	memset(&dg, 0, sizeof(dg));
	set_no_key(out);
	if (in->n < 8 || in->fps <= 0)
		goto done;
	b36 = calloc(nb, sizeof(*b36));
	h36 = calloc(nb, sizeof(*h36));
	b12 = calloc(nb, sizeof(*b12));
	if (!b36 || !h36 || !b12) {
		rc = gr_fail(err, GR_ENOMEM, "key: no memory for %zu frames", in->n);
		goto done;
	}
	blocks_hpss(in->chroma, in->stride, in->weight, in->n, b36, h36);
	double e[36] = { 0 }, all = 0, kept = 0;
	for (size_t b = 0; b < nb; b++)
		for (int j = 0; j < 36; j++) {
			e[j] += h36[b][j];
			kept += h36[b][j];
			all += b36[b][j];
		}
	dg.tonal = all > 0 ? (float)(kept / all) : 0;
	out->tuning_cents = key_tuning(e);
	/* fold, then log-compress relative to the mean block level */
	double mean = 0;
	for (size_t b = 0; b < nb; b++) {
		key_fold(h36[b], out->tuning_cents, b12[b]);
		for (int i = 0; i < 12; i++)
			mean += b12[b][i];
	}
	mean /= (double)nb * 12;
	if (!(mean > 1e-12))
		goto done;
	float g[12] = { 0 };
	for (size_t b = 0; b < nb; b++)
		for (int i = 0; i < 12; i++) {
			b12[b][i] = (float)log1p(LOG_GAIN * b12[b][i] / mean);
			g[i] += b12[b][i];
		}
	float sum = 0;
	for (int i = 0; i < 12; i++)
		sum += g[i];
	for (int i = 0; i < 12; i++)
		dg.chroma12[i] = sum > 0 ? g[i] / sum : 0;
	dg.contrast = spread12(g);
	key_scores(g, dg.score);
	float v[24];
	int best, run;
	vote((const float (*)[12])b12, nb, in->fps / BLOCK, v);
	best = 0;
	for (int k = 1; k < 24; k++)
		if (v[k] > v[best])
			best = k;
	run = best ? 0 : 1;
	for (int k = 0; k < 24; k++)
		if (k != best && v[k] > v[run])
			run = k;
	/* unpitched: flat chroma (noise), mostly transient chroma (drums), or
	 * partly transient and not clearly shaped (drums with ringing toms) */
	if (dg.contrast < CONTRAST_MIN || dg.tonal < TONAL_MIN || dg.score[best] < SCORE_MIN ||
	    (dg.tonal < TONAL_SURE && dg.contrast < CONTRAST_MIX))
		goto done;
	out->key = best;
	out->conf = v[best];
	out->runner = run;
	out->runner_conf = v[run];
	int held = sections((const float (*)[12])b12, nb, in->fps / BLOCK, in->t0,
	                    in->t0 + (double)in->n / in->fps, out);
	if (held == -2) {
		rc = gr_fail(err, GR_ENOMEM, "key: no memory for sections");
		goto done;
	}
	/* sections are reported as they are; the region's key stays the
	 * vote (which already follows the key held longest): overriding it
	 * with the longest section cost 3 points on the development songs */
done:
	if (diag)
		*diag = dg;
	free(b36);
	free(h36);
	free(b12);
	if (rc < 0) {
		free(out->sections);
		set_no_key(out);
	}
	return rc;
}

