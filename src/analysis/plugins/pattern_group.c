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
 * A stripe longer than its lag is a loop: it is cut into lag-long
 * occurrences back to back.
 *
 * Linking, strongest stripe first: an interval that overlaps an earlier
 * occurrence by IoU >= 0.5 is that occurrence; the stripe's intervals and
 * those occurrences end up in one group (groups merge: "A is like B" and
 * "B is like C" make A, B, C one group).  A stripe that would overlap an
 * earlier occurrence only partly is dropped (a fragment of a repeat
 * already found), and so is one whose occurrences are all known already.
 *
 * Costs: O(stripes x (hop x 48 + edge width)) vector comparisons, each
 * vector made from 3 frames on the fly; no array proportional to the
 * region.  Thread rules: reentrant.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "grym/util.h"
#include "patterns.h"

#define PT_SAMPLES 48         /* points compared when choosing the lag */

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
		return -1;
	fine_vec(in, nm, u, &a);
	fine_vec(in, nm, u + lag, &b);
	return pt_sim(&a, &b);
}

/*
 * Refine one stripe: *s, *e (frames, [s, e)) and *lag (frames).  Returns
 * the mean similarity of the core at that lag, or -2 if nothing is left.
 */
static float refine(const struct pt_in *in, const struct pt_norm *nm, size_t hop,
                    const struct pt_stripe *sp, long *s, long *e, long *lag)
{
	long n = (long)in->n, lc = (long)sp->lag * (long)hop;
	long a0 = (long)sp->t0 * (long)hop, a1 = (long)sp->t1 * (long)hop;
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
	st = p;
	for (long k = p - 1; k >= lo; k--) {
		if (fine_sim(in, nm, k, best_l) >= theta)
			st = k;
		else if (k < st - 2)
			break;   /* more than a two-frame dip: the edge */
	}
	en = q;
	for (long k = q + 1; k < hi; k++) {
		if (fine_sim(in, nm, k, best_l) >= theta)
			en = k;
		else if (k > en + 2)
			break;
	}
	*s = st;
	*e = en + 1;
	*lag = best_l;
	return best;
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

void pt_group(const struct pt_in *in, const struct pt_norm *nm, size_t hop,
              const struct pt_stripe *st, int ns, struct an_patterns_result *out)
{
	struct linker *lk = xcalloc(1, sizeof(*lk));
	long minlen = lround(PT_MIN_LEN * in->fps);
	int *first, next = 0;

	for (int i = 0; i < ns && lk->n < PT_MAX_OCC; i++) {
		long s, e, lag, iv[PT_MAX_OCC][2];
		int k = 0;
		float sim = refine(in, nm, hop, &st[i], &s, &e, &lag);
		if (sim <= -2 || e - s < minlen)
			continue;
		if (e - s > lag + lag / 10) {
			/* a loop: lag-long occurrences back to back */
			for (long a = s; a + lag <= e + lag + lag / 4 && k < PT_MAX_OCC; a += lag) {
				iv[k][0] = a;
				iv[k][1] = a + lag;
				k++;
			}
			if (lag < minlen)
				continue;
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
			link_intervals(lk, (const long (*)[2])iv, k, sim);
	}
	/* number the groups by their first occurrence */
	first = xmalloc((size_t)(lk->groups > 0 ? lk->groups : 1) * sizeof(*first));
	for (int g = 0; g < lk->groups; g++)
		first[g] = -1;
	out->n = lk->n;
	out->occ = lk->n ? xmalloc((size_t)lk->n * sizeof(*out->occ)) : NULL;
	for (int j = 0; j < lk->n; j++) {
		const struct node *nd = &lk->nodes[j];
		float sc = nd->score < 0 ? 0 : nd->score > 1 ? 1 : nd->score;
		out->occ[j] = (struct an_pattern){
			.group = nd->group,
			.start = in->t0 + ((double)nd->s - 0.5) / in->fps,
			.end = in->t0 + ((double)nd->e - 0.5) / in->fps,
			.score = sc,
		};
		if (out->occ[j].start < in->t0)
			out->occ[j].start = in->t0;
	}
	/* renumber: group ids in order of their earliest start */
	if (out->n > 1)
		qsort(out->occ, (size_t)out->n, sizeof(*out->occ), by_group_start);
	{
		int *order = xmalloc((size_t)(lk->groups > 0 ? lk->groups : 1) * sizeof(*order));
		int ng = 0;
		double *t = xmalloc((size_t)(lk->groups > 0 ? lk->groups : 1) * sizeof(*t));
		for (int j = 0; j < out->n; j++) {
			int g = out->occ[j].group;
			if (first[g] < 0) {
				first[g] = ng;
				order[ng] = g;
				t[ng++] = out->occ[j].start;
			}
		}
		/* sort the used groups by earliest start (few: insertion sort) */
		for (int a = 1; a < ng; a++)
			for (int b = a; b > 0 && t[b] < t[b - 1]; b--) {
				double tt = t[b]; t[b] = t[b - 1]; t[b - 1] = tt;
				int oo = order[b]; order[b] = order[b - 1]; order[b - 1] = oo;
			}
		for (int a = 0; a < ng; a++)
			first[order[a]] = next++;
		for (int j = 0; j < out->n; j++)
			out->occ[j].group = first[out->occ[j].group];
		free(order);
		free(t);
	}
	if (out->n > 1)
		qsort(out->occ, (size_t)out->n, sizeof(*out->occ), by_group_start);
	free(first);
	free(lk);
}
