/*
 * index.c - the similarity index: every region's vector in one contiguous
 * float array (n x AN_SIM_DIM, 320 bytes per region: 320 MB for a million
 * regions) with the region ids beside it, and exact k-nearest search.
 *
 * Search: one pass over the array; for each allowed vector the weighted
 * squared distance over the dims the aspect weighs (rounded out to whole
 * 8-float lanes, so the inner loop stays vectorisable), then a bounded
 * max-heap of the k best (O(log k) only when a vector beats the worst
 * kept).  No allocation but the heap.
 *
 * Thread rules: push/adopt/free on one thread; searches are read-only.
 */
#include <stdlib.h>
#include <string.h>

#include "grym/similar.h"
#include "grym/util.h"

struct sim_index {
	int64_t *ids;       /* region ids, n */
	float *vecs;        /* n * AN_SIM_DIM, row-major */
	size_t n, cap;
	int sorted;         /* ids strictly ascending */
};

struct sim_index *sim_index_new(void)
{
	struct sim_index *x = xcalloc(1, sizeof(*x));
	x->sorted = 1;
	return x;
}

void sim_index_free(struct sim_index *x)
{
	if (x == NULL)
		return;
	free(x->ids);
	free(x->vecs);
	free(x);
}

void sim_index_push(struct sim_index *x, int64_t id, const float vec[AN_SIM_DIM])
{
	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 1024;
		x->ids = xrealloc(x->ids, x->cap * sizeof(*x->ids));
		x->vecs = xrealloc(x->vecs, x->cap * AN_SIM_DIM * sizeof(float));
	}
	if (x->n > 0 && id <= x->ids[x->n - 1])
		x->sorted = 0;
	x->ids[x->n] = id;
	memcpy(x->vecs + x->n * AN_SIM_DIM, vec, AN_SIM_DIM * sizeof(float));
	x->n++;
}

void sim_index_adopt(struct sim_index *x, int64_t *ids, float *vecs, size_t n)
{
	free(x->ids);
	free(x->vecs);
	x->ids = ids;
	x->vecs = vecs;
	x->n = x->cap = n;
	x->sorted = 1;
	for (size_t i = 1; i < n; i++)
		if (ids[i] <= ids[i - 1]) {
			x->sorted = 0;
			break;
		}
}

size_t sim_index_count(const struct sim_index *x)
{
	return x->n;
}

int64_t sim_index_id(const struct sim_index *x, size_t i)
{
	return i < x->n ? x->ids[i] : 0;
}

const float *sim_index_vec(const struct sim_index *x, size_t i)
{
	return i < x->n ? x->vecs + i * AN_SIM_DIM : NULL;
}

long sim_index_find(const struct sim_index *x, int64_t id)
{
	if (!x->sorted) {
		for (size_t i = 0; i < x->n; i++)
			if (x->ids[i] == id)
				return (long)i;
		return -1;
	}
	size_t lo = 0, hi = x->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (x->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < x->n && x->ids[lo] == id ? (long)lo : -1;
}

/* a is worse than b: farther, or as far with a larger id. */
static int worse(const struct sim_hit *a, const struct sim_hit *b)
{
	return a->d2 > b->d2 || (a->d2 == b->d2 && a->id > b->id);
}

static void sift_down(struct sim_hit *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && worse(&h[l], &h[m]))
			m = l;
		if (r < n && worse(&h[r], &h[m]))
			m = r;
		if (m == i)
			return;
		struct sim_hit t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static void sift_up(struct sim_hit *h, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!worse(&h[i], &h[p]))
			return;
		struct sim_hit t = h[i];
		h[i] = h[p];
		h[p] = t;
		i = p;
	}
}

static int cmp_hit(const void *a, const void *b)
{
	const struct sim_hit *x = a, *y = b;
	return worse(x, y) ? 1 : worse(y, x) ? -1 : 0;
}

/* Weighted squared distance over dims [lo, hi) (multiples of 8). */
static inline float dist_range(const float *v, const float *q, const float *w, int lo, int hi)
{
	float acc[8] = { 0 }, s = 0;

	for (int j = lo; j < hi; j += 8)
		for (int l = 0; l < 8; l++) {
			float d = v[j + l] - q[j + l];
			acc[l] += w[j + l] * d * d;
		}
	for (int l = 0; l < 8; l++)
		s += acc[l];
	return s;
}

size_t sim_search(const struct sim_index *x, const float q[AN_SIM_DIM], int aspect,
                  const unsigned char *allow, size_t k, struct sim_hit *out)
{
	float w[AN_SIM_DIM];
	int lo = AN_SIM_DIM, hi = 0;
	size_t nh = 0;

	if (k == 0 || x->n == 0)
		return 0;
	sim_weights(aspect, w);
	for (int j = 0; j < AN_SIM_DIM; j++)
		if (w[j] > 0) {
			if (j < lo)
				lo = j;
			hi = j + 1;
		}
	lo -= lo % 8;
	hi = (hi + 7) / 8 * 8;
	if (hi > AN_SIM_DIM)
		hi = AN_SIM_DIM;
	/* out[] is the heap: its root is the worst hit kept */
	for (size_t i = 0; i < x->n; i++) {
		struct sim_hit h;
		if (allow != NULL && !allow[i])
			continue;
		h.d2 = dist_range(x->vecs + i * AN_SIM_DIM, q, w, lo, hi);
		h.id = x->ids[i];
		if (nh < k) {
			out[nh] = h;
			sift_up(out, nh++);
		} else if (worse(&out[0], &h)) {
			out[0] = h;
			sift_down(out, nh, 0);
		}
	}
	qsort(out, nh, sizeof(*out), cmp_hit);
	for (size_t i = 0; i < nh; i++)
		out[i].score = sim_score(out[i].d2, aspect);
	return nh;
}
