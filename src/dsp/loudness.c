/*
 * loudness.c - EBU R128 loudness (libebur128) and sample peak, per file
 * and per region, on the source frames (source rate and channels).
 *
 * One libebur128 state measures the file (integrated loudness and LRA, in
 * histogram mode as before).  It is fed in chunks cut at the file's 10 ms
 * grid, source frame boundaries b_c = round(c * rate / 100); at each b_c
 * the energy of the 10 ms just ended (the K-weighted, channel-weighted
 * mean square) is read back with ebur128_loudness_window(10 ms) and kept
 * as cell c, with the cell's sample peak.  Regions are measured by us from
 * the cells, the way libebur128 measures a slice it is given alone:
 *   - integrated loudness: BS.1770-4 gating over 400 ms blocks (40 cells)
 *     stepping by 100 ms (75% overlap) from the region's first cell;
 *     absolute gate -70 LUFS, relative gate -10 LU;
 *   - LRA (EBU Tech 3342): 3 s short-term blocks (300 cells) stepping by
 *     1 s from the region's start, as libebur128 steps them (its LRA blocks
 *     are 3 s long every 1 s, not every 100 ms); absolute gate -70 LUFS,
 *     relative gate -20 LU, 95th minus 10th percentile picked as
 *     libebur128 picks them;
 *   - sample peak: the largest over the cells overlapping the region.
 * A region [j0, j1) of source frames is measured on cells [c0, c0 + 10n):
 * c0 is the grid boundary nearest j0 and n = floor((j1 - j0) / s100), the
 * number of whole 100 ms steps (s100 = libebur128's frames per 100 ms) a
 * one-shot measurement of the slice uses.  So it has as many gating and
 * short-term blocks as the one-shot one (a region has a finite loudness
 * exactly when the slice is at least 400 ms long) and its window is the
 * slice's, shifted by at most 5 ms.
 *
 * Why 10 ms and not 100 ms: on a 100 ms grid (edges within 50 ms) a short
 * region that starts with a hit lost up to 40 ms of its attack, 0.8 LU on
 * the test's decaying noise hit; a 10 ms grid costs the same pass of
 * squares (one window read per sample in all) and 16 bytes per 10 ms.
 * Precision against a one-shot libebur128 measurement of the exact slice
 * (tests/unit/test_loud.c, test_loudness_vs_slice: music-like fixtures,
 * region starts swept across the grid): worst seen 0.04-0.08 LU for a 20 s
 * region (LRA 0.005 LU) and 0.06 LU for 1-2 s ones; the test allows 0.1 LU
 * (LRA 0.05).  What remains is the shift of up to 5 ms at each edge, which
 * can flip a block lying right at the -10 LU relative gate (the one-shot
 * value itself moves as much when the slice start moves by 10 ms), and
 * the K-filter's state carried over from the audio before the region.
 * The peak is the slice's unless a louder sample lies within 10 ms
 * outside the region.
 * Within a region, blocks are binned by loudness (0.01 LU bins, count and
 * energy sum per bin) rather than kept, so memory is flat whatever the
 * region's length: sums stay exact, the blocks in the bin holding the
 * relative gate are taken or left together (by their mean), and a
 * percentile is its bin's mean energy (well under 0.01 LU).
 *
 * Streaming: regions are known after the fact (the detector decides a
 * quiet stretch is a split only once it lasted min_silence), so a ring
 * keeps the cells that an open or future region can still need: with a
 * region open, from its next block not yet folded into its bins (blocks
 * are folded as soon as the detector says the region lasts at least that
 * far); with none open, from the cell holding the earliest possible padded
 * start of a future region (silence_idle_from).  That is the look-back of
 * padding, a quiet stretch and the skew of the two streams; the ring
 * doubles up to LOUD_MAX_CELLS (43 minutes), past which the oldest cells
 * are folded into the open region (or dropped) and region values are
 * approximate (approx).  Analysis and source streams are aligned by time:
 * analysis sample a is source frame round(a * src_rate / rate).  Either
 * stream may run ahead.
 *
 * Costs: libebur128's K-filter and block sums once per sample and channel,
 * plus one pass of squares to read each cell's energy, and the sample
 * peak; per region O(length / 10 ms) and one clear of the bins it used.
 * No allocation per block except the ring's amortised growth.
 * Threads: a struct loud belongs to one analyzer; between loudq_start()
 * and the join it is used only by the loudness worker (loud_thread.c).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ebur128.h>

#include "dsp_int.h"
#include "grym/util.h"

#define LOUD_MODE (EBUR128_MODE_I | EBUR128_MODE_LRA | EBUR128_MODE_HISTOGRAM)
#define LOUD_MAX_CELLS ((size_t)1 << 18)    /* 4 MB of cells at most */
#define LOUD_BIN_LU 100.0                   /* bins per LU */
#define LOUD_NBINS 10000                    /* -70 .. +30 LUFS */

static int64_t to_src(const struct loud *l, int64_t a)
{
	return (int64_t)llround((double)a * l->rate / l->arate);
}

/* First source frame of cell c. */
static int64_t cell_edge(const struct loud *l, int64_t c)
{
	return (c * l->rate + 50) / 100;
}

/* The cell holding source frame j >= 0. */
static int64_t cell_of(const struct loud *l, int64_t j)
{
	int64_t c = j * 100 / l->rate;

	while (cell_edge(l, c + 1) <= j)
		c++;
	while (c > 0 && cell_edge(l, c) > j)
		c--;
	return c;
}

static struct loud_cell *cell(const struct loud *l, int64_t c)
{
	return &l->cell[(size_t)c & (l->cap - 1)];
}

static void hist_clear(struct loud_hist *h)
{
	if (h->lo <= h->hi) {
		memset(h->n + h->lo, 0, sizeof(*h->n) * (size_t)(h->hi - h->lo + 1));
		memset(h->e + h->lo, 0, sizeof(*h->e) * (size_t)(h->hi - h->lo + 1));
	}
	h->lo = LOUD_NBINS;
	h->hi = -1;
	h->nt = 0;
	h->et = 0;
}

static int hist_bin(double e)
{
	double b = (10.0 * log10(e) - 0.691 + 70.0) * LOUD_BIN_LU;

	return b < 0 ? 0 : b >= LOUD_NBINS - 1 ? LOUD_NBINS - 1 : (int)b;
}

/* One block's energy, behind the absolute gate. */
static void hist_add(struct loud_hist *h, double e, double abs_gate)
{
	int i;

	if (!(e >= abs_gate))
		return;
	i = hist_bin(e);
	h->n[i]++;
	h->e[i] += e;
	h->nt++;
	h->et += e;
	if (i < h->lo)
		h->lo = i;
	if (i > h->hi)
		h->hi = i;
}

/* The first bin at or above the relative gate t (energy): bins above the
 * one holding t, and that one if its blocks' mean energy reaches t. */
static int hist_gate(const struct loud_hist *h, double t)
{
	int i = hist_bin(t);

	if (i < h->lo)
		return h->lo;
	if (i <= h->hi && h->n[i] > 0 && h->e[i] / h->n[i] < t)
		i++;
	return i;
}

/* Gated integrated loudness, LUFS (-inf when no block passes). */
static double hist_integrated(const struct loud_hist *h)
{
	double s = 0;
	uint64_t n = 0;

	if (h->nt == 0)
		return -INFINITY;
	for (int i = hist_gate(h, h->et / (double)h->nt * 0.1); i <= h->hi; i++) {
		n += h->n[i];
		s += h->e[i];
	}
	return n > 0 ? 10.0 * log10(s / (double)n) - 0.691 : -INFINITY;
}

/* Mean energy of the block at rank r (0-based, ascending) from bin i0. */
static double hist_rank(const struct loud_hist *h, int i0, uint64_t r)
{
	uint64_t cum = 0;
	int i = i0;

	for (; i < h->hi; i++) {
		cum += h->n[i];
		if (cum > r)
			break;
	}
	return h->e[i] / h->n[i];
}

/* Loudness range, LU (0 when no block passes). */
static double hist_lra(const struct loud_hist *h)
{
	uint64_t n = 0;
	int i0;

	if (h->nt == 0)
		return 0;
	i0 = hist_gate(h, h->et / (double)h->nt * 0.01);
	for (int i = i0; i <= h->hi; i++)
		n += h->n[i];
	if (n == 0)
		return 0;
	return 10.0 * log10(hist_rank(h, i0, (uint64_t)((double)(n - 1) * 0.95 + 0.5)) /
	                    hist_rank(h, i0, (uint64_t)((double)(n - 1) * 0.1 + 0.5)));
}

int loud_init(struct loud *l, const struct dsp_cfg *cfg, int src_rate, int src_ch,
              struct gr_err *err)
{
	memset(l, 0, sizeof(*l));
	l->rate = src_rate;
	l->ch = src_ch;
	l->arate = cfg->rate;
	l->s100 = (src_rate + 5) / 10;
	l->abs_gate = pow(10.0, (-70.0 + 0.691) / 10.0);
	l->cap = 1024;
	l->cell = malloc(sizeof(*l->cell) * l->cap);
	l->qa = 16;
	l->q = malloc(sizeof(*l->q) * l->qa);
	l->hg.n = calloc(LOUD_NBINS, sizeof(*l->hg.n));
	l->hg.e = calloc(LOUD_NBINS, sizeof(*l->hg.e));
	l->hs.n = calloc(LOUD_NBINS, sizeof(*l->hs.n));
	l->hs.e = calloc(LOUD_NBINS, sizeof(*l->hs.e));
	if (l->cell == NULL || l->q == NULL || l->hg.n == NULL || l->hg.e == NULL ||
	    l->hs.n == NULL || l->hs.e == NULL) {
		loud_fini(l);
		return gr_fail(err, GR_ENOMEM, "dsp: out of memory for loudness");
	}
	l->hg.lo = l->hs.lo = LOUD_NBINS;
	l->hg.hi = l->hs.hi = -1;
	return loud_reset(l, err);
}

void loud_fini(struct loud *l)
{
	if (l->file != NULL)
		ebur128_destroy(&l->file);
	free(l->cell);
	free(l->q);
	free(l->res);
	free(l->hg.n);
	free(l->hg.e);
	free(l->hs.n);
	free(l->hs.e);
	memset(l, 0, sizeof(*l));
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
	l->file = ebur128_init((unsigned)l->ch, (unsigned long)l->rate, LOUD_MODE);
	if (l->file == NULL)
		return gr_fail(err, GR_ENOMEM, "dsp: libebur128 cannot measure %d channels at %d Hz",
		               l->ch, l->rate);
	l->file_peak = 0.0f;
	l->in = 0;
	l->cbase = l->ctop = 0;
	l->cend = cell_edge(l, 1);
	l->cpk = 0.0f;
	l->approx = 0;
	l->open = 0;
	hist_clear(&l->hg);
	hist_clear(&l->hs);
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

/* Fold the open region's blocks that end by cell lc and its cells before
 * lp (both clamped to what is complete) into its bins and peak. */
static void advance(struct loud *l, int64_t lc, int64_t lp)
{
	if (lc > l->ctop)
		lc = l->ctop;
	if (lp > l->ctop)
		lp = l->ctop;
	for (; l->ng <= lc; l->ng += 10) {
		double e = 0;
		for (int64_t c = l->ng - 40; c < l->ng; c++)
			e += c >= l->cbase ? cell(l, c)->e : 0.0;
		hist_add(&l->hg, e / 40.0, l->abs_gate);
	}
	for (; l->ns <= lc; l->ns += 100) {
		double e = 0;
		for (int64_t c = l->ns - 300; c < l->ns; c++)
			e += c >= l->cbase ? cell(l, c)->e : 0.0;
		hist_add(&l->hs, e / 300.0, l->abs_gate);
	}
	for (; l->cp < lp; l->cp++) {
		float p = l->cp >= l->cbase ? cell(l, l->cp)->pk : 0.0f;
		l->rpk = p > l->rpk ? p : l->rpk;
	}
}

static void open_region(struct loud *l, int64_t j0)
{
	l->open = 1;
	l->j0 = j0;
	l->c0 = (int64_t)llround((double)j0 * 100.0 / l->rate);
	l->ng = l->c0 + 40;
	l->ns = l->c0 + 300;
	l->cp = cell_of(l, j0);
	l->rpk = 0.0f;
	hist_clear(&l->hg);
	hist_clear(&l->hs);
}

/* End cell of the open region's last whole 100 ms step before source
 * frame j (the region lasts at least until j). */
static int64_t steps_end(const struct loud *l, int64_t j)
{
	return l->c0 + (j > l->j0 ? (j - l->j0) / l->s100 * 10 : 0);
}

/* The open region's values go to l->res[idx] (grown as needed). */
static void finalize(struct loud *l, int idx)
{
	l->open = 0;
	if (idx < 0)
		return;
	if ((size_t)idx >= l->ares) {
		size_t na = l->ares ? l->ares : 16;
		while (na <= (size_t)idx)
			na *= 2;
		l->res = xrealloc(l->res, sizeof(*l->res) * na);
		l->ares = na;
	}
	while (l->nres <= (size_t)idx)
		l->res[l->nres++].set = 0;
	l->res[idx].set = 1;
	l->res[idx].loudness = (float)hist_integrated(&l->hg);
	l->res[idx].lra = (float)hist_lra(&l->hs);
	l->res[idx].peak_db = dsp_db(l->rpk);
}

/* Forget the cells no open or future region can need. */
static void drop(struct loud *l)
{
	const struct sil_event *ev = l->qn > 0 ? &l->q[l->qh] : NULL;
	int64_t keep;

	if (l->open) {
		keep = l->ng - 40;
		if (l->ns - 300 < keep)
			keep = l->ns - 300;
		if (l->cp < keep)
			keep = l->cp;
	} else if (ev != NULL) {
		keep = ev->type == SIL_OPEN ? cell_of(l, to_src(l, ev->at)) : l->cbase;
	} else {
		keep = cell_of(l, to_src(l, l->idle_from));
	}
	if (keep > l->ctop)
		keep = l->ctop;
	if (keep > l->cbase)
		l->cbase = keep;
}

/* Apply the queued region events and the detector's `until` as far as the
 * cells received allow (all of them when final). */
static void pump(struct loud *l, int final)
{
	for (;;) {
		struct sil_event *ev = l->qn > 0 ? &l->q[l->qh] : NULL;

		if (l->open) {
			if (ev != NULL && ev->type == SIL_CLOSE) {
				int64_t j1 = to_src(l, ev->at), c1 = steps_end(l, j1);
				int64_t p1 = j1 > l->j0 ? cell_of(l, j1 - 1) + 1 : l->cp;

				advance(l, c1, p1);
				if (!final && (l->ctop < c1 || l->ctop < p1))
					break;
				finalize(l, ev->region);
			} else if (ev == NULL && l->until >= 0) {
				int64_t ju = to_src(l, l->until);
				if (ju > l->j0)
					advance(l, steps_end(l, ju), cell_of(l, ju - 1) + 1);
				break;
			} else if (ev == NULL) {
				break;
			}
		} else if (ev == NULL) {
			break;
		} else if (ev->type == SIL_OPEN) {
			open_region(l, to_src(l, ev->at));
		}
		l->qh = (l->qh + 1) % l->qa;            /* a CLOSE with nothing open: a bug */
		l->qn--;
	}
	drop(l);
}

/* Room in the ring for cell ctop: grow, or fold/drop the oldest. */
static void make_room(struct loud *l)
{
	if ((size_t)(l->ctop - l->cbase) < l->cap)
		return;
	if (l->cap < LOUD_MAX_CELLS) {
		struct loud_cell *nc = malloc(sizeof(*nc) * l->cap * 2);
		if (nc != NULL) {
			for (int64_t c = l->cbase; c < l->ctop; c++)
				nc[(size_t)c & (l->cap * 2 - 1)] = *cell(l, c);
			free(l->cell);
			l->cell = nc;
			l->cap *= 2;
			return;
		}
	}
	l->approx = 1;
	if (l->open)
		advance(l, l->cbase + 300, l->cbase + 1);
	l->cbase++;
}

/* Cell ctop is complete with m frames: read its energy. */
static int cell_done(struct loud *l, int64_t m, struct gr_err *err)
{
	unsigned long ms = (unsigned long)((m * 1000 + l->rate / 2) / l->rate);
	double v = -INFINITY;

	if (ms > 10)
		ms = 10;
	if (ms > 0 && ebur128_loudness_window(l->file, ms, &v) != EBUR128_SUCCESS)
		return gr_fail(err, GR_ENOMEM, "dsp: libebur128 cannot read a 10 ms window");
	cell(l, l->ctop)->e = isfinite(v) ? pow(10.0, (v + 0.691) / 10.0) : 0.0;
	cell(l, l->ctop)->pk = l->cpk;
	l->file_peak = l->cpk > l->file_peak ? l->cpk : l->file_peak;
	l->cpk = 0.0f;
	l->ctop++;
	l->cend = cell_edge(l, l->ctop + 1);
	make_room(l);
	return 0;
}

int loud_push(struct loud *l, const float *x, size_t n, struct gr_err *err)
{
	size_t ch = (size_t)l->ch;
	int rc;

	while (n > 0) {
		size_t m = (size_t)(l->cend - l->in) < n ? (size_t)(l->cend - l->in) : n;

		if (ebur128_add_frames_float(l->file, x, m) != EBUR128_SUCCESS)
			return gr_fail(err, GR_ENOMEM, "dsp: libebur128 failed on the file");
		l->cpk = peak_abs(x, m * ch, l->cpk);
		l->in += (int64_t)m;
		x += m * ch;
		n -= m;
		if (l->in == l->cend) {
			if ((rc = cell_done(l, l->cend - cell_edge(l, l->ctop), err)) != 0)
				return rc;
			if (l->ctop % 10 == 0)
				pump(l, 0);
		}
	}
	pump(l, 0);
	return 0;
}

int loud_pump(struct loud *l, int64_t until, int64_t idle_from, struct gr_err *err)
{
	l->until = until;
	l->idle_from = idle_from;
	pump(l, 0);
	return 0;
}

int loud_finish(struct loud *l, struct gr_err *err)
{
	double v;
	int rc;

	/* the partial last cell counts as a whole one */
	if (l->in > cell_edge(l, l->ctop) &&
	    (rc = cell_done(l, l->in - cell_edge(l, l->ctop), err)) != 0)
		return rc;
	l->until = -1;
	pump(l, 1);
	if (l->open)                    /* an OPEN without CLOSE: a bug */
		finalize(l, -1);
	l->file_lufs = -INFINITY;
	if (ebur128_loudness_global(l->file, &v) == EBUR128_SUCCESS && isfinite(v))
		l->file_lufs = v;
	l->file_lra = 0;
	if (ebur128_loudness_range(l->file, &v) == EBUR128_SUCCESS && isfinite(v))
		l->file_lra = v;
	return 0;
}
