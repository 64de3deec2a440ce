/*
 * peaks.c - waveform peaks (min, max, RMS per bucket) at two levels,
 * built in one pass without knowing the length.
 *
 * Each level starts with one sample per bucket and holds at most 2*target
 * buckets: when all 2*target are full and another sample arrives, pairs
 * are merged (min of mins, max of maxes, sum of squares) and the bucket
 * size doubles.  So a level ends with min(samples, target+1 .. 2*target)
 * buckets, every one of them bsize samples except a shorter last one; the
 * bucket of sample s is s / bsize.  Levels: overview (target 1000) and
 * detail (target 8000), from the mono analysis signal.
 *
 * Costs: a few compares and a multiply-add per sample per level; a merge
 * is O(target) and happens log2(length / target) times.  Memory is fixed
 * at init (2 * target buckets per level).
 * Threads: a struct peaks belongs to one analyzer.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp_int.h"
#include "grym/util.h"

static void level_init(struct peaks_level *l, int target)
{
	memset(l, 0, sizeof(*l));
	l->target = target;
	l->mn = xmalloc(sizeof(float) * (size_t)target * 2);
	l->mx = xmalloc(sizeof(float) * (size_t)target * 2);
	l->ss = xmalloc(sizeof(double) * (size_t)target * 2);
	l->bsize = 1;
}

static void level_reset(struct peaks_level *l)
{
	l->bsize = 1;
	l->n = 0;
	l->fill = 0;
}

static void level_merge(struct peaks_level *l)
{
	int half = l->n / 2;

	for (int i = 0; i < half; i++) {
		float a = l->mn[2 * i], b = l->mn[2 * i + 1];
		l->mn[i] = a < b ? a : b;
		a = l->mx[2 * i];
		b = l->mx[2 * i + 1];
		l->mx[i] = a > b ? a : b;
		l->ss[i] = l->ss[2 * i] + l->ss[2 * i + 1];
	}
	l->n = half;
	l->bsize *= 2;
}

static void level_push(struct peaks_level *l, const float *x, size_t n)
{
	while (n > 0) {
		size_t k;
		float mn, mx;
		double ss = 0;
		int b;

		if (l->n == 0 || l->fill == l->bsize) {
			if (l->n == 2 * l->target)
				level_merge(l);    /* all full: n = target, bsize doubled */
			b = l->n++;
			l->mn[b] = INFINITY;
			l->mx[b] = -INFINITY;
			l->ss[b] = 0;
			l->fill = 0;
		}
		b = l->n - 1;
		k = (size_t)(l->bsize - l->fill);
		if (k > n)
			k = n;
		mn = l->mn[b];
		mx = l->mx[b];
		for (size_t i = 0; i < k; i++) {
			float v = x[i];
			mn = v < mn ? v : mn;
			mx = v > mx ? v : mx;
			ss += (double)v * v;
		}
		l->mn[b] = mn;
		l->mx[b] = mx;
		l->ss[b] += ss;
		l->fill += (int64_t)k;
		x += k;
		n -= k;
	}
}

void peaks_init(struct peaks *p, double rate, int overview, int detail)
{
	memset(p, 0, sizeof(*p));
	p->rate = rate;
	level_init(&p->lv[0], overview);
	level_init(&p->lv[1], detail);
}

void peaks_fini(struct peaks *p)
{
	for (int i = 0; i < 2; i++) {
		free(p->lv[i].mn);
		free(p->lv[i].mx);
		free(p->lv[i].ss);
		free(p->out[i].min);
		free(p->out[i].max);
		free(p->out[i].rms);
	}
	memset(p, 0, sizeof(*p));
}

void peaks_reset(struct peaks *p)
{
	for (int i = 0; i < 2; i++) {
		level_reset(&p->lv[i]);
		free(p->out[i].min);
		free(p->out[i].max);
		free(p->out[i].rms);
		memset(&p->out[i], 0, sizeof(p->out[i]));
	}
}

void peaks_push(struct peaks *p, const float *x, size_t n)
{
	level_push(&p->lv[0], x, n);
	level_push(&p->lv[1], x, n);
}

void peaks_finish(struct peaks *p)
{
	for (int i = 0; i < 2; i++) {
		struct peaks_level *l = &p->lv[i];
		struct dsp_peaks *o = &p->out[i];
		size_t sz = sizeof(float) * (size_t)(l->n > 0 ? l->n : 1);

		free(o->min);
		free(o->max);
		free(o->rms);
		o->n = l->n;
		o->bucket_s = (double)l->bsize / p->rate;
		o->min = xmalloc(sz);
		o->max = xmalloc(sz);
		o->rms = xmalloc(sz);
		for (int b = 0; b < l->n; b++) {
			int64_t cnt = b == l->n - 1 ? l->fill : l->bsize;
			o->min[b] = l->mn[b];
			o->max[b] = l->mx[b];
			o->rms[b] = cnt > 0 ? (float)sqrt(l->ss[b] / (double)cnt) : 0.0f;
		}
	}
}
