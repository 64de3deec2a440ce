/*
 * pattern_group.c - the second half of the patterns plugin: refine each
 * stripe on the full-rate frames and link the occurrences into groups.
 *
 * Refinement: the stripe's lag is re-chosen within +-1 coarse step (the
 * full-rate lag with the highest mean similarity over up to 48 points of
 * the stripe); its edges are then walked on the full-rate diagonal (each
 * frame described with its two neighbours) within +-(smoothing + one
 * step) of the coarse edges, keeping frames at least half-way between
 * the stripe's similarity and the similarity at lags +-0.5 s.
 * Its score is the mean similarity over the whole refined span; the 300
 * strongest stripes are refined and those scoring >= PT_KEEP are linked,
 * best first.  A stripe longer than its lag is a loop: it is cut into
 * lag-long occurrences back to back, and a stripe at a multiple of a
 * loop's period is linked after that loop (fundamental()).
 *
 * Linking: an interval that overlaps an earlier
 * occurrence by IoU >= 0.5 is that occurrence; the stripe's intervals and
 * those occurrences end up in one group (groups merge: "A is like B" and
 * "B is like C" make A, B, C one group).  A stripe that would overlap an
 * earlier occurrence only partly is dropped (a fragment of a repeat
 * already found), and so is one whose occurrences are all known already.
 *
 * Finally the edges of groups of 3..12 occurrences are settled by
 * consensus (consensus()).
 *
 * Costs: O(stripes x (hop x 48 + edge width)) vector comparisons (at most
 * 300 stripes; a few ms per stripe), each vector made from 3 frames on the
 * fly; no array proportional to the region.  Thread rules: reentrant.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "grym/util.h"
#include "patterns.h"

#define PT_SAMPLES 48         /* points compared when choosing the lag */
#define PT_REFINE 300         /* strongest stripes refined */
#define PT_KEEP 0.72f         /* least refined similarity of a repeat: chance
                                 near-repeats of random tones score <= 0.68,
                                 planted ones >= 0.82 */

struct node {
	long s, e;                /* full-rate frames [s, e) */
	int group;
	float score;
};

struct linker {
	struct node nodes[PT_MAX_OCC];
	int n, groups;
};

/* Vector of full-rate frame u (with its neighbours). */
static void fine_vec(const struct pt_in *in, const struct pt_norm *nm, long u,
                     struct pt_vec *v)
{
	size_t a = u > 0 ? (size_t)u - 1 : 0, b = (size_t)u + 2 > in->n ? in->n : (size_t)u + 2;
	pt_vec_make(in->f, a, b, nm, v);
}

static float fine_sim(const struct pt_in *in, const struct pt_norm *nm, long u, long lag)
{
	struct pt_vec a, b;
	if (u < 0 || u + lag >= (long)in->n || u + lag < 0)
		return -2;
	fine_vec(in, nm, u, &a);
	fine_vec(in, nm, u + lag, &b);
	return pt_sim(&a, &b);
}

/*
 * From frame `from` (inside the repeat) towards `to` (dir -1 or 1), the
 * last frame whose similarity at lag, smoothed over 5 frames, is >= theta
 * before a dip of more than two frames.
 */
static long walk_edge(const struct pt_in *in, const struct pt_norm *nm, long lag,
                      long from, long to, int dir, float theta)
{
	long len = (to - from) * dir + 1, edge = from;
	float *raw, *sm;

	if (len < 1)
		return from;
	raw = xmalloc((size_t)(len + 4) * sizeof(*raw));
	sm = xmalloc((size_t)len * sizeof(*sm));
	/* raw[i + 2] is frame from + i * dir, i = -2 .. len + 1 */
	for (long i = -2; i < len + 2; i++) {
		long u = from + i * dir;
		raw[i + 2] = fine_sim(in, nm, u, lag);   /* -2 outside */
	}
	for (long i = 0; i < len; i++) {
		float a = 0;
		int k = 0;
		for (long j = i - 2; j <= i + 2; j++)
			if (raw[j + 2] > -1.5f) {
				a += raw[j + 2];
				k++;
			}
		sm[i] = k ? a / k : -2;
	}
	for (long i = 1; i < len; i++) {
		if (sm[i] >= theta)
			edge = from + i * dir;
		else if ((from + i * dir - edge) * dir > 2)
			break;
	}
	free(sm);
	free(raw);
	return edge;
}

/*
 * Refine a stripe given in frames (a0, a1, lag lc, known within one coarse
 * step of hop frames): *s, *e (frames, [s, e)) and *lag (frames).  Returns
 * the mean similarity of the core at that lag, or -2 if nothing is left.
 */
static float refine(const struct pt_in *in, const struct pt_norm *nm, size_t hop,
                    long a0, long a1, long lc, long *s, long *e, long *lag)
{
	long n = (long)in->n;
	long dd = lround(0.5 * in->fps), R = lround((0.25 + 0.3) * in->fps) + (long)hop;
	long step, best_l = lc, lo, hi, p, q, st, en;
	struct pt_vec at[PT_SAMPLES + 1];
	long pos[PT_SAMPLES + 1];
	int np = 0;
	float best = -2, base = 0, theta;

	if (a1 > n - lc - (long)hop)
		a1 = n - lc - (long)hop;
	if (a1 - a0 < 2)
		return -2;
	step = (a1 - a0) / PT_SAMPLES > 1 ? (a1 - a0) / PT_SAMPLES : 1;
	for (long u = a0; u < a1 && np < PT_SAMPLES + 1; u += step) {
		pos[np] = u;
		fine_vec(in, nm, u, &at[np++]);
	}
	for (long L = lc - (long)hop; L <= lc + (long)hop; L++) {
		double acc = 0;
		int k = 0;
		if (L < 1)
			continue;
		for (int i = 0; i < np; i++) {
			struct pt_vec b;
			if (pos[i] + L >= n)
				continue;
			fine_vec(in, nm, pos[i] + L, &b);
			acc += pt_sim(&at[i], &b);
			k++;
		}
		if (k > 0 && acc / k > best) {
			best = (float)(acc / k);
			best_l = L;
		}
	}
	if (best <= -2)
		return -2;
	/* the level of the surroundings: same points, lags +-0.5 s */
	{
		double bl = 0, bh = 0;
		int kl = 0, kh = 0;
		for (int i = 0; i < np; i++) {
			struct pt_vec b;
			if (best_l - dd >= 1) {
				fine_vec(in, nm, pos[i] + best_l - dd, &b);
				bl += pt_sim(&at[i], &b);
				kl++;
			}
			if (pos[i] + best_l + dd < n) {
				fine_vec(in, nm, pos[i] + best_l + dd, &b);
				bh += pt_sim(&at[i], &b);
				kh++;
			}
		}
		bl = kl ? bl / kl : -1;
		bh = kh ? bh / kh : -1;
		base = (float)(bl > bh ? bl : bh);
	}
	theta = 0.5f * (best + base);
	/* walk the edges from well inside the stripe outwards */
	lo = a0 - R > 0 ? a0 - R : 0;
	hi = a1 + R < n - best_l ? a1 + R : n - best_l;
	p = a0 + R < (a0 + a1) / 2 ? a0 + R : (a0 + a1) / 2;
	q = a1 - R > (a0 + a1) / 2 ? a1 - R : (a0 + a1) / 2;
	st = walk_edge(in, nm, best_l, p, lo, -1, theta);
	en = walk_edge(in, nm, best_l, q, hi - 1, 1, theta);
	*s = st;
	*e = en + 1;
	*lag = best_l;
	/* the score is over the whole refined span, edges included: a chance
	 * match of one held note between unlike neighbours scores low */
	{
		double acc = 0;
		int k = 0;
		long stp = (en + 1 - st) / PT_SAMPLES > 1 ? (en + 1 - st) / PT_SAMPLES : 1;
		for (long u = st; u <= en; u += stp) {
			float v = fine_sim(in, nm, u, best_l);
			if (v > -1.5f) {
				acc += v;
				k++;
			}
		}
		return k ? (float)(acc / k) : -2;
	}
}

/* The node i overlaps [s, e) how: 2 = it is that node, 1 = partly, 0 = not. */
static int overlap_kind(const struct node *nd, long s, long e)
{
	long a = s > nd->s ? s : nd->s, b = e < nd->e ? e : nd->e;
	long inter = b - a, uni, mn;
	if (inter <= 0)
		return 0;
	uni = (e > nd->e ? e : nd->e) - (s < nd->s ? s : nd->s);
	mn = (e - s) < (nd->e - nd->s) ? (e - s) : (nd->e - nd->s);
	if (2 * inter >= uni)
		return 2;
	return 4 * inter > mn ? 1 : 0;
}

/* Link one stripe's intervals (k of them, frames) into the groups. */
static void link_intervals(struct linker *lk, const long (*iv)[2], int k, float score)
{
	int match[PT_MAX_OCC], target = -1, fresh = 0;

	for (int i = 0; i < k; i++) {
		match[i] = -1;
		for (int j = 0; j < lk->n; j++) {
			int o = overlap_kind(&lk->nodes[j], iv[i][0], iv[i][1]);
			if (o == 1)
				return;              /* a fragment of something found */
			if (o == 2) {
				match[i] = j;
				break;
			}
		}
		if (match[i] < 0)
			fresh++;
		else if (target < 0 || lk->nodes[match[i]].group < target)
			target = lk->nodes[match[i]].group;
	}
	if (lk->n + fresh > PT_MAX_OCC)
		return;
	if (target < 0)
		target = lk->groups++;
	for (int i = 0; i < k; i++) {
		int g;
		if (match[i] < 0) {
			lk->nodes[lk->n++] = (struct node){ iv[i][0], iv[i][1], target, score };
			continue;
		}
		g = lk->nodes[match[i]].group;
		if (g != target)             /* merge g into target */
			for (int j = 0; j < lk->n; j++)
				if (lk->nodes[j].group == g)
					lk->nodes[j].group = target;
	}
}

static int by_group_start(const void *pa, const void *pb)
{
	const struct an_pattern *a = pa, *b = pb;
	if (a->group != b->group)
		return a->group - b->group;
	return a->start < b->start ? -1 : a->start > b->start;
}

/* A refined stripe: frames [s, e) are like [s + lag, e + lag). */
struct cand {
	long s, e, lag;
	float sim;
	int done;
};

static int by_sim(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;
	return a->sim > b->sim ? -1 : a->sim < b->sim;
}

/*
 * A loop shows at its period and at every multiple of it, about equally
 * alike.  The candidate that explains c: the one with the shortest lag
 * that is itself a loop (longer than its lag), nearly as alike
 * (>= c's similarity - 0.1), whose lag times a whole k (2..16) is c's lag
 * (within a step), and whose stretch covers most of c's; else c itself.
 */
static int fundamental(const struct cand *cd, int n, int i, long hop)
{
	const struct cand *c = &cd[i];
	int best = i;

	for (int j = 0; j < n; j++) {
		const struct cand *d = &cd[j];
		long a, b, k;
		if (d->done || j == i || d->sim < c->sim - 0.1f || d->lag >= cd[best].lag ||
		    d->e - d->s <= d->lag)
			continue;
		a = c->s > d->s ? c->s : d->s;
		b = c->e + c->lag < d->e + d->lag ? c->e + c->lag : d->e + d->lag;
		if (2 * (b - a) < c->e + c->lag - c->s)
			continue;
		k = lround((double)c->lag / (double)d->lag);
		if (k >= 2 && k <= 16 && labs(d->lag * k - c->lag) <= hop + k)
			best = j;
	}
	return best;
}

/* Link candidate c: a pair of occurrences, or a loop's back-to-back run. */
static void link_cand(struct linker *lk, const struct cand *c, long minlen)
{
	long iv[PT_MAX_OCC][2], s = c->s, e = c->e, lag = c->lag;
	int k = 0;

	if (e - s > lag + lag / 10) {
		if (lag < minlen)
			return;
		for (long a = s; a <= e + lag / 4 && k < PT_MAX_OCC; a += lag) {
			iv[k][0] = a;
			iv[k][1] = a + lag;
			k++;
		}
	} else {
		if (e - s > lag)
			e = s + lag;
		iv[0][0] = s;
		iv[0][1] = e;
		iv[1][0] = s + lag;
		iv[1][1] = e + lag;
		k = 2;
	}
	if (k >= 2)
		link_intervals(lk, (const long (*)[2])iv, k, c->sim);
}

/*
 * Edges by consensus, for groups of three or more: every pair of
 * occurrences is refined again (aligned by their starts or by their ends,
 * whichever is more alike), and each occurrence keeps only what it shares
 * with its partners: its start moves to the latest (its end to the
 * earliest) edge the pairs found, never outwards.  Two occurrences that
 * happen to be followed by like material no longer carry it along.
 * Loops (occurrences back to back) are left alone.
 */
static void consensus(const struct pt_in *in, const struct pt_norm *nm, size_t hop,
                      struct linker *lk)
{
	long ns[PT_MAX_OCC], ne[PT_MAX_OCC];

	for (int i = 0; i < lk->n; i++) {
		ns[i] = lk->nodes[i].s;
		ne[i] = lk->nodes[i].e;
	}
	for (int i = 0; i < lk->n; i++) {
		const struct node *a = &lk->nodes[i];
		int k = 0, loop = 0;
		for (int j = 0; j < lk->n; j++)
			if (lk->nodes[j].group == a->group) {
				k++;
				if (j != i && (lk->nodes[j].s == a->e || lk->nodes[j].e == a->s))
					loop = 1;
			}
		if (k < 3 || loop || k > 12)
			continue;
		for (int j = i + 1; j < lk->n; j++) {
			const struct node *b = &lk->nodes[j];
			long s1 = 0, e1 = 0, l1 = 0, s2 = 0, e2 = 0, l2 = 0;
			float f1, f2;
			const struct node *x = a->s < b->s ? a : b, *y = a->s < b->s ? b : a;
			int xi = a->s < b->s ? i : j, yi = a->s < b->s ? j : i;
			if (b->group != a->group)
				continue;
			f1 = refine(in, nm, hop, x->s, x->e, y->s - x->s, &s1, &e1, &l1);
			f2 = refine(in, nm, hop, x->s, x->e, y->e - x->e, &s2, &e2, &l2);
			if (f2 > f1) {
				s1 = s2;
				e1 = e2;
				l1 = l2;
				f1 = f2;
			}
			if (f1 <= -2)
				continue;
			if (s1 > ns[xi])
				ns[xi] = s1;
			if (e1 < ne[xi])
				ne[xi] = e1;
			if (s1 + l1 > ns[yi])
				ns[yi] = s1 + l1;
			if (e1 + l1 < ne[yi])
				ne[yi] = e1 + l1;
		}
	}
	for (int i = 0; i < lk->n; i++)
		if (ne[i] - ns[i] >= lround(PT_MIN_LEN * in->fps)) {
			lk->nodes[i].s = ns[i];
			lk->nodes[i].e = ne[i];
		}
}

/* Write the linker's occurrences to out, groups numbered by first start. */
static void emit(const struct pt_in *in, const struct linker *lk, struct an_patterns_result *out)
{
	int ng = lk->groups > 0 ? lk->groups : 1, *rank = xmalloc((size_t)ng * sizeof(*rank));
	double *first = xmalloc((size_t)ng * sizeof(*first));

	for (int g = 0; g < ng; g++)
		first[g] = INFINITY;
	for (int j = 0; j < lk->n; j++)
		if (lk->nodes[j].s < first[lk->nodes[j].group])
			first[lk->nodes[j].group] = (double)lk->nodes[j].s;
	for (int g = 0; g < ng; g++) {   /* rank = used groups starting earlier */
		rank[g] = 0;
		for (int h = 0; h < ng; h++)
			if (isfinite(first[h]) && (first[h] < first[g] ||
			    (first[h] == first[g] && h < g)))
				rank[g]++;
	}
	out->n = lk->n;
	out->occ = lk->n ? xmalloc((size_t)lk->n * sizeof(*out->occ)) : NULL;
	for (int j = 0; j < lk->n; j++) {
		const struct node *nd = &lk->nodes[j];
		out->occ[j] = (struct an_pattern){
			.group = rank[nd->group],
			.start = in->t0 + ((double)nd->s - 0.5) / in->fps,
			.end = in->t0 + ((double)nd->e - 0.5) / in->fps,
			.score = nd->score < 0 ? 0 : nd->score > 1 ? 1 : nd->score,
		};
		if (out->occ[j].start < in->t0)
			out->occ[j].start = in->t0;
	}
	if (out->n > 1)
		qsort(out->occ, (size_t)out->n, sizeof(*out->occ), by_group_start);
	free(first);
	free(rank);
}

void pt_group(const struct pt_in *in, const struct pt_norm *nm, size_t hop,
              const struct pt_stripe *st, int ns, struct an_patterns_result *out)
{
	struct linker *lk = xcalloc(1, sizeof(*lk));
	long minlen = lround(PT_MIN_LEN * in->fps);
	int nc = 0, m = ns < PT_REFINE ? ns : PT_REFINE;
	struct cand *cd = xmalloc((size_t)(m > 0 ? m : 1) * sizeof(*cd));

	/* refine the strongest stripes, then rank them by refined similarity */
	for (int i = 0; i < m; i++) {
		struct cand c = { 0 };
		c.sim = refine(in, nm, hop, (long)st[i].t0 * (long)hop, (long)st[i].t1 * (long)hop,
		               (long)st[i].lag * (long)hop, &c.s, &c.e, &c.lag);
		if (c.sim >= PT_KEEP && c.e - c.s >= minlen)
			cd[nc++] = c;
	}
	if (nc > 1)
		qsort(cd, (size_t)nc, sizeof(*cd), by_sim);
	for (int i = 0; i < nc && lk->n < PT_MAX_OCC; i++) {
		int j;
		if (cd[i].done)
			continue;
		j = fundamental(cd, nc, i, (long)hop);
		link_cand(lk, &cd[j], minlen);
		cd[j].done = 1;
		if (j != i)
			i--;             /* then i itself */
	}
	consensus(in, nm, hop, lk);
	emit(in, lk, out);
	free(cd);
	free(lk);
}
