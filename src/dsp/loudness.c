/*
 * loudness.c - EBU R128 loudness (libebur128) and sample peak, per file
 * and per region, on the source frames (source rate and channels).
 *
 * The file's state sees every source frame as it arrives.  Regions are
 * only known after the fact (the detector decides a quiet stretch is a
 * split only when it has lasted min_silence), so source frames wait in a
 * FIFO until the detector's decisions cover them:
 *   - no region open: frames before the earliest possible padded start of
 *     a future region (silence_idle_from) are dropped; the FIFO is then the
 *     look-back that supplies a new region's padding;
 *   - region open: frames up to the end of its last loud block are fed to
 *     the region's state (histogram mode, constant memory) at once; frames
 *     of a quiet stretch wait: if sound resumes they are fed, if the region
 *     closes only those up to its padded end are fed and the state is
 *     finished.  So each region's state sees exactly the frames of
 *     [start, end) and matches a one-shot measurement of that slice.
 * Analysis and source streams are aligned by time: analysis sample a is
 * source frame round(a * src_rate / rate).  Either stream may run ahead.
 * The FIFO grows (doubling) to hold the skew plus a quiet stretch, up to
 * maxcap frames; past that the oldest frames are fed to the open region
 * (or dropped when none is open) and the region values are approximate.
 *
 * Costs: libebur128's K-filter per sample and channel, twice (file and
 * region); one ebur128 state is made per region (at its start).
 * Threads: a struct loud belongs to one analyzer; between loudq_start()
 * and the join it is used only by the loudness worker (loud_thread.c).
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <ebur128.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "dsp_int.h"
#include "grym/util.h"

#define LOUD_MODE (EBUR128_MODE_I | EBUR128_MODE_LRA | EBUR128_MODE_HISTOGRAM)
#define LOUD_MAX_FLOATS ((size_t)1 << 24)   /* 64 MB of FIFO at most */

static int64_t to_src(const struct loud *l, int64_t a)
{
	return (int64_t)llround((double)a * l->rate / l->arate);
}

#if defined(__GLIBC__)
static void fix_mmap_threshold(void)
{
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
}
#endif

int loud_init(struct loud *l, const struct dsp_cfg *cfg, int src_rate, int src_ch,
              struct gr_err *err)
{
	double hold = (cfg->min_silence > 2 * cfg->padding ? cfg->min_silence
	               : 2 * cfg->padding) + cfg->padding + 1.0;

#if defined(__GLIBC__)
	{
		/* Each region gets a fresh libebur128 state (about 2 MB of
		 * window buffer for stereo 44.1 kHz).  glibc raises its mmap
		 * threshold after the first such free, so later states come
		 * from the heap and fragment it: peak RSS then grew with the
		 * number of regions (+2.3 MB from 10 to 30 minutes).  A fixed
		 * threshold (process-wide, set once) maps and unmaps them. */
		static pthread_once_t once = PTHREAD_ONCE_INIT;
		pthread_once(&once, fix_mmap_threshold);
	}
#endif
	memset(l, 0, sizeof(*l));
	l->rate = src_rate;
	l->ch = src_ch;
	l->arate = cfg->rate;
	l->cap = (size_t)(hold * src_rate);
	if (l->cap < 4096)
		l->cap = 4096;
	l->maxcap = LOUD_MAX_FLOATS / (size_t)src_ch;
	if (l->cap > l->maxcap)
		l->cap = l->maxcap;
	l->fifo = malloc(sizeof(float) * l->cap * (size_t)src_ch);
	l->qa = 16;
	l->q = malloc(sizeof(*l->q) * l->qa);
	if (l->fifo == NULL || l->q == NULL) {
		loud_fini(l);
		return gr_fail(err, GR_ENOMEM, "dsp: out of memory for loudness");
	}
	return loud_reset(l, err);
}

void loud_fini(struct loud *l)
{
	if (l->file != NULL)
		ebur128_destroy(&l->file);
	if (l->cur != NULL)
		ebur128_destroy(&l->cur);
	free(l->fifo);
	free(l->q);
	free(l->res);
	l->fifo = NULL;
	l->q = NULL;
	l->res = NULL;
	l->nres = l->ares = 0;
}

void loud_results(const struct loud *l, struct dsp_region *reg, size_t nreg)
{
	for (size_t i = 0; i < nreg && i < l->nres; i++) {
		if (!l->res[i].set)
			continue;
		reg[i].loudness = l->res[i].loudness;
		reg[i].lra = l->res[i].lra;
		reg[i].peak_db = l->res[i].peak_db;
	}
}

int loud_reset(struct loud *l, struct gr_err *err)
{
	if (l->file != NULL)
		ebur128_destroy(&l->file);
	if (l->cur != NULL)
		ebur128_destroy(&l->cur);
	l->file = ebur128_init((unsigned)l->ch, (unsigned long)l->rate, LOUD_MODE);
	if (l->file == NULL)
		return gr_fail(err, GR_ENOMEM, "dsp: libebur128 cannot measure %d channels at %d Hz",
		               l->ch, l->rate);
	l->file_peak = 0.0f;
	l->cur_peak = 0.0f;
	l->feed = 0;
	l->head = 0;
	l->base = l->count = l->in = l->drop_until = 0;
	l->approx = 0;
	l->until = -1;
	l->idle_from = 0;
	l->qh = l->qn = 0;
	l->nres = 0;
	l->file_lufs = -INFINITY;
	l->file_lra = 0;
	return 0;
}

void loud_event(struct loud *l, const struct sil_event *ev)
{
	if (l->qn == l->qa) {
		struct sil_event *nq = xmalloc(sizeof(*nq) * l->qa * 2);
		for (size_t i = 0; i < l->qn; i++)
			nq[i] = l->q[(l->qh + i) % l->qa];
		free(l->q);
		l->q = nq;
		l->qh = 0;
		l->qa *= 2;
	}
	l->q[(l->qh + l->qn) % l->qa] = *ev;
	l->qn++;
}

/* Largest of pk and |x[i]|.  Eight running maxima, so that it vectorises
 * without -ffast-math (a max is exact: the result is the same). */
DSP_SIMD
static float peak_abs(const float *x, size_t n, float pk)
{
	float lane[8] = { 0 };
	size_t i;

	for (i = 0; i + 8 <= n; i += 8)
		for (int j = 0; j < 8; j++) {
			float a = fabsf(x[i + (size_t)j]);
			lane[j] = a > lane[j] ? a : lane[j];
		}
	for (; i < n; i++) {
		float a = fabsf(x[i]);
		pk = a > pk ? a : pk;
	}
	for (int j = 0; j < 8; j++)
		pk = lane[j] > pk ? lane[j] : pk;
	return pk;
}

/* Remove the k oldest frames, feeding them to the open state if feed. */
static int take(struct loud *l, int64_t k, int feed, struct gr_err *err)
{
	while (k > 0) {
		size_t run = l->cap - l->head;
		const float *p = l->fifo + l->head * (size_t)l->ch;

		if ((int64_t)run > k)
			run = (size_t)k;
		if (feed) {
			l->cur_peak = peak_abs(p, run * (size_t)l->ch, l->cur_peak);
			if (ebur128_add_frames_float(l->cur, p, run) != EBUR128_SUCCESS)
				return gr_fail(err, GR_ENOMEM, "dsp: libebur128 failed on a region");
			l->feed = l->base + (int64_t)run;
		}
		l->head = (l->head + run) % l->cap;
		l->base += (int64_t)run;
		l->count -= (int64_t)run;
		k -= (int64_t)run;
	}
	if (l->count == 0)
		l->head = 0;
	return 0;
}

/* Forget every frame before j (also those not received yet). */
static void drop_before(struct loud *l, int64_t j)
{
	if (j > l->base)
		take(l, (j < l->base + l->count ? j : l->base + l->count) - l->base, 0, NULL);
	if (j > l->drop_until)
		l->drop_until = j;
}

static int feed_upto(struct loud *l, int64_t lim, struct gr_err *err)
{
	int64_t k;

	drop_before(l, l->feed);
	if (lim > l->base + l->count)
		lim = l->base + l->count;
	k = lim - l->base;
	return k > 0 ? take(l, k, 1, err) : 0;
}

/* The open region's values go to l->res[idx] (grown as needed). */
static void finalize(struct loud *l, int idx)
{
	double v;

	if (idx >= 0) {
		struct loud_res *r;
		if ((size_t)idx >= l->ares) {
			size_t na = l->ares ? l->ares : 16;
			while (na <= (size_t)idx)
				na *= 2;
			l->res = xrealloc(l->res, sizeof(*l->res) * na);
			l->ares = na;
		}
		while (l->nres <= (size_t)idx)
			l->res[l->nres++].set = 0;
		r = &l->res[idx];
		r->set = 1;
		r->loudness = -INFINITY;
		if (ebur128_loudness_global(l->cur, &v) == EBUR128_SUCCESS && isfinite(v))
			r->loudness = (float)v;
		r->lra = 0.0f;
		if (ebur128_loudness_range(l->cur, &v) == EBUR128_SUCCESS && isfinite(v))
			r->lra = (float)v;
		r->peak_db = dsp_db(l->cur_peak);
	}
	ebur128_destroy(&l->cur);
	l->cur = NULL;
}

static int pump(struct loud *l, int final, struct gr_err *err)
{
	int rc;

	for (;;) {
		struct sil_event *ev = l->qn > 0 ? &l->q[l->qh] : NULL;

		if (l->cur != NULL) {
			int closing = ev != NULL && ev->type == SIL_CLOSE;
			int64_t lim = closing ? to_src(l, ev->at)
			              : l->until >= 0 ? to_src(l, l->until) : l->feed;
			if ((rc = feed_upto(l, lim, err)) != 0)
				return rc;
			if (closing && (l->feed >= lim || final)) {
				finalize(l, ev->region);
				l->qh = (l->qh + 1) % l->qa;
				l->qn--;
				continue;
			}
			return 0;
		}
		if (ev != NULL && ev->type == SIL_OPEN) {
			int64_t j0 = to_src(l, ev->at);
			drop_before(l, j0);
			l->cur = ebur128_init((unsigned)l->ch, (unsigned long)l->rate, LOUD_MODE);
			if (l->cur == NULL)
				return gr_fail(err, GR_ENOMEM, "dsp: out of memory for loudness");
			l->cur_peak = 0.0f;
			l->feed = j0 > l->base ? j0 : l->base;
			l->qh = (l->qh + 1) % l->qa;
			l->qn--;
			continue;
		}
		if (ev != NULL) {           /* a CLOSE with nothing open: a bug */
			l->qh = (l->qh + 1) % l->qa;
			l->qn--;
			continue;
		}
		drop_before(l, to_src(l, l->idle_from));
		return 0;
	}
}

static void grow(struct loud *l, size_t want)
{
	size_t nc = l->cap;
	float *nf;

	while (nc < want && nc < l->maxcap)
		nc *= 2;
	if (nc > l->maxcap)
		nc = l->maxcap;
	if (nc <= l->cap)
		return;
	nf = malloc(sizeof(float) * nc * (size_t)l->ch);
	if (nf == NULL)
		return;                     /* keep the old size; overflow path */
	for (int64_t i = 0; i < l->count; i++)
		memcpy(nf + (size_t)i * (size_t)l->ch,
		       l->fifo + ((l->head + (size_t)i) % l->cap) * (size_t)l->ch,
		       sizeof(float) * (size_t)l->ch);
	free(l->fifo);
	l->fifo = nf;
	l->cap = nc;
	l->head = 0;
}

int loud_push(struct loud *l, const float *x, size_t n, struct gr_err *err)
{
	int rc;

	l->file_peak = peak_abs(x, n * (size_t)l->ch, l->file_peak);
	if (n > 0 && ebur128_add_frames_float(l->file, x, n) != EBUR128_SUCCESS)
		return gr_fail(err, GR_ENOMEM, "dsp: libebur128 failed on the file");
	while (n > 0) {
		size_t skip = 0, m, tail;

		if (l->drop_until > l->in) {
			skip = (size_t)(l->drop_until - l->in) < n ? (size_t)(l->drop_until - l->in) : n;
			l->in += (int64_t)skip;
			x += skip * (size_t)l->ch;
			n -= skip;
			if (l->count == 0)
				l->base = l->in;
			continue;
		}
		if (l->count == 0)
			l->base = l->in;
		m = n;
		if (l->count + (int64_t)m > (int64_t)l->cap)
			grow(l, (size_t)l->count + m);
		if (l->count + (int64_t)m > (int64_t)l->cap) {
			/* full at maxcap: make room by deciding the oldest early */
			int64_t over = l->count + (int64_t)m - (int64_t)l->cap;
			if (over > l->count) {
				over = l->count;
				m = l->cap - (size_t)l->count + (size_t)over;
			}
			l->approx = 1;
			if ((rc = take(l, over, l->cur != NULL && l->feed <= l->base, err)) != 0)
				return rc;
			if (l->count == 0)
				l->base = l->in;
		}
		tail = (l->head + (size_t)l->count) % l->cap;
		{
			size_t first = l->cap - tail < m ? l->cap - tail : m, ch = (size_t)l->ch;
			memcpy(l->fifo + tail * ch, x, sizeof(float) * first * ch);
			memcpy(l->fifo, x + first * ch, sizeof(float) * (m - first) * ch);
		}
		l->count += (int64_t)m;
		l->in += (int64_t)m;
		x += m * (size_t)l->ch;
		n -= m;
		if ((rc = pump(l, 0, err)) != 0)
			return rc;
	}
	return pump(l, 0, err);
}

int loud_pump(struct loud *l, int64_t until, int64_t idle_from, struct gr_err *err)
{
	l->until = until;
	l->idle_from = idle_from;
	return pump(l, 0, err);
}

int loud_finish(struct loud *l, struct gr_err *err)
{
	double v;
	int rc;

	l->until = -1;
	if ((rc = pump(l, 1, err)) != 0)
		return rc;
	if (l->cur != NULL)             /* an OPEN without CLOSE: a bug */
		finalize(l, -1);
	l->file_lufs = -INFINITY;
	if (ebur128_loudness_global(l->file, &v) == EBUR128_SUCCESS && isfinite(v))
		l->file_lufs = v;
	l->file_lra = 0;
	if (ebur128_loudness_range(l->file, &v) == EBUR128_SUCCESS && isfinite(v))
		l->file_lra = v;
	return 0;
}
