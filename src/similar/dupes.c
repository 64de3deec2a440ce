/*
 * dupes.c - near-duplicate groups from Chromaprint raw fingerprints (the
 * method is described in grym/dupes.h).
 *
 *   dupes_new -> dupes_add (each file) -> dupes_run -> dupes_groups -> dupes_free
 *
 * dupes_run: (1) index every item that differs from its predecessor as
 * (value, file, position), sorted by value; (2) every pair of entries of
 * one value from two files votes for (file a, file b, offset); values held
 * by more than STOP_ENTRIES entries (silence, stationary hum) are skipped;
 * (3) each file pair's best offsets with at least MIN_VOTES votes are
 * verified member by member (whole file, each region) with the bit error
 * rate over the aligned overlap, offsets +-1 included (trims are not item-
 * aligned); (4) accepted matches are joined with union-find into groups.
 *
 * Memory: 12 B per indexed item and 12 B per vote; votes come only from
 * shared item values, so unrelated files add almost none.
 *
 * Thread rules: none shared (a struct dupes belongs to one thread).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "grym/dupes.h"
#include "grym/util.h"

#define STOP_ENTRIES 256     /* skip item values more common than this */
#define MIN_VOTES 3          /* exact item matches at one offset to verify */
#define MAX_OFFSETS 3        /* offsets verified per file pair */
#define MIN_ITEMS 10         /* shortest member: ~1.2 s of fingerprint */

struct dfile {
	struct dupes_file f;        /* fp and regions owned */
	int node0;                  /* union-find node of the whole file; regions follow */
	double deficit;             /* s of audio past the last item's start */
};

struct ent { uint32_t key, file; int32_t pos; };
struct vote { uint32_t a, b; int32_t off; };
struct edge { int u, v; double score; };

struct dupes {
	double threshold, cover;
	struct dfile *files;
	size_t n, cap;
	struct edge *edges;
	size_t n_edges, cap_edges;
	struct dupes_group *groups;
	size_t n_groups;
	long verified;
	int ran;
};

struct dupes *dupes_new(const struct dupes_cfg *cfg)
{
	struct dupes *d = xcalloc(1, sizeof(*d));

	d->threshold = cfg != NULL && cfg->threshold > 0 ? cfg->threshold : DUPES_THRESHOLD;
	d->cover = cfg != NULL && cfg->min_cover > 0 ? cfg->min_cover : DUPES_MIN_COVER;
	return d;
}

int dupes_add(struct dupes *d, const struct dupes_file *f, struct gr_err *err)
{
	struct dfile *x;

	if (f->fp != NULL && f->n_fp > 0 && !(f->item_s > 0 && f->item_s < 10)) {
		free(f->fp);
		return gr_fail(err, GR_EUSAGE, "file %lld: bad fingerprint item length %g s",
		               (long long)f->id, f->item_s);
	}
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->files = xrealloc(d->files, d->cap * sizeof(*d->files));
	}
	x = &d->files[d->n++];
	memset(x, 0, sizeof(*x));
	x->f = *f;
	if (x->f.fp == NULL || x->f.n_fp <= 0) {
		free(x->f.fp);
		x->f.fp = NULL;
		x->f.n_fp = 0;
	}
	x->f.n_regions = f->n_regions > 0 && f->regions != NULL ? f->n_regions : 0;
	x->f.regions = NULL;
	if (x->f.n_regions > 0) {
		struct dupes_region *r = xmalloc(sizeof(*r) * (size_t)x->f.n_regions);
		memcpy(r, f->regions, sizeof(*r) * (size_t)x->f.n_regions);
		x->f.regions = r;
	}
	if (x->f.fp != NULL)
		x->deficit = fmax(0.0, f->duration - f->n_fp * f->item_s);
	return 0;
}

double dupes_ber(const uint32_t *a, int a_lo, int a_hi, const uint32_t *b, int b_lo,
                 int b_hi, int offset, int *overlap)
{
	/* b item i <-> a item i + offset: intersect in b's index space */
	int lo = b_lo > a_lo - offset ? b_lo : a_lo - offset;
	int hi = b_hi < a_hi - offset ? b_hi : a_hi - offset;
	long bits = 0;

	if (overlap != NULL)
		*overlap = hi > lo ? hi - lo : 0;
	if (hi <= lo)
		return 1.0;
	for (int i = lo; i < hi; i++)
		bits += __builtin_popcount(a[i + offset] ^ b[i]);
	return (double)bits / (32.0 * (hi - lo));
}

/* ---- member spans ------------------------------------------------------ */

/* Items [*lo, *hi) of member m (-1 whole) of x, and its length in s. */
static double span_of(const struct dfile *x, int m, int *lo, int *hi)
{
	const struct dupes_file *f = &x->f;
	double s, e;

	if (m < 0) {
		*lo = 0;
		*hi = f->n_fp;
		return f->duration;
	}
	s = f->regions[m].start;
	e = f->regions[m].end;
	/* an item starting at t covers up to t + item + deficit */
	*lo = (int)ceil(s / f->item_s - 1e-9);
	*hi = (int)floor((e - x->deficit) / f->item_s + 1e-9) + 1;
	if (*lo < 0)
		*lo = 0;
	if (*hi > f->n_fp)
		*hi = f->n_fp;
	if (*hi < *lo)
		*hi = *lo;
	return e - s;
}

static void add_edge(struct dupes *d, int u, int v, double score)
{
	if (d->n_edges == d->cap_edges) {
		d->cap_edges = d->cap_edges ? d->cap_edges * 2 : 64;
		d->edges = xrealloc(d->edges, d->cap_edges * sizeof(*d->edges));
	}
	d->edges[d->n_edges++] = (struct edge){ u, v, score };
}

struct combo { int ma, mb; double cover, score; };

static int cmp_combo(const void *x, const void *y)
{
	const struct combo *p = x, *q = y;
	return (p->cover < q->cover) - (p->cover > q->cover);
}

/*
 * Verify files a and b at offset off (b item i <-> a item i + off): every
 * pair of members whose aligned overlap covers enough of both and whose
 * BER is low enough is a match; the whole-file match wins, otherwise the
 * best-covering combinations are taken, each member used once.  Returns
 * 1 when the whole files matched.
 */
static int verify(struct dupes *d, const struct dfile *A, const struct dfile *B, int off)
{
	int na = A->f.n_regions > 1 ? A->f.n_regions : 0;
	int nb = B->f.n_regions > 1 ? B->f.n_regions : 0;
	struct combo *cs = xmalloc(sizeof(*cs) * (size_t)(na + 1) * (size_t)(nb + 1));
	size_t nc = 0;
	unsigned char *used_a, *used_b;
	int same = 0;

	for (int ma = -1; ma < na; ma++) {
		int alo, ahi;
		double da = span_of(A, ma, &alo, &ahi);

		if (ahi - alo < MIN_ITEMS)
			continue;
		for (int mb = -1; mb < nb; mb++) {
			int blo, bhi, lo, hi, len, best_n = 0;
			double db = span_of(B, mb, &blo, &bhi), ber = 1.0, cover;

			if (bhi - blo < MIN_ITEMS)
				continue;
			/* descriptor guard: durations of compatible length */
			if (fmin(da, db) < d->cover * fmax(da, db))
				continue;
			lo = alo > blo + off ? alo : blo + off;
			hi = ahi < bhi + off ? ahi : bhi + off;
			len = hi - lo;
			if (len < MIN_ITEMS || len < d->cover * (ahi - alo > bhi - blo ?
			                                         ahi - alo : bhi - blo) - 1)
				continue;
			for (int k = -1; k <= 1; k++) {
				int n;
				double e = dupes_ber(A->f.fp, alo, ahi, B->f.fp, blo, bhi, off + k, &n);
				if (n >= MIN_ITEMS && e < ber) {
					ber = e;
					best_n = n;
				}
			}
			d->verified++;
			cover = (double)best_n / (ahi - alo > bhi - blo ? ahi - alo : bhi - blo);
			if (best_n > 0 && 1.0 - 2.0 * ber >= d->threshold)
				cs[nc++] = (struct combo){ ma, mb, ma < 0 && mb < 0 ? 2.0 : cover,
				                           1.0 - 2.0 * ber };
		}
	}
	qsort(cs, nc, sizeof(*cs), cmp_combo);
	used_a = xcalloc((size_t)na + 1, 1);
	used_b = xcalloc((size_t)nb + 1, 1);
	for (size_t i = 0; i < nc; i++) {
		if (used_a[cs[i].ma + 1] || used_b[cs[i].mb + 1])
			continue;
		add_edge(d, A->node0 + 1 + cs[i].ma, B->node0 + 1 + cs[i].mb, cs[i].score);
		if (cs[i].ma < 0 && cs[i].mb < 0) {
			same = 1;        /* the same file: its regions need no listing */
			break;
		}
		used_a[cs[i].ma + 1] = used_b[cs[i].mb + 1] = 1;
	}
	free(used_a);
	free(used_b);
	free(cs);
	return same;
}

/* ---- index and votes ---------------------------------------------------- */

static int cmp_ent(const void *x, const void *y)
{
	const struct ent *p = x, *q = y;
	if (p->key != q->key)
		return p->key < q->key ? -1 : 1;
	if (p->file != q->file)
		return p->file < q->file ? -1 : 1;
	return (p->pos > q->pos) - (p->pos < q->pos);
}

static int cmp_vote(const void *x, const void *y)
{
	const struct vote *p = x, *q = y;
	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	if (p->b != q->b)
		return p->b < q->b ? -1 : 1;
	return (p->off > q->off) - (p->off < q->off);
}

/* The entries of every fingerprint, sorted by value; runs skipped. */
static struct ent *build_index(const struct dupes *d, size_t *n_out)
{
	size_t n = 0, k = 0;
	struct ent *e;

	for (size_t i = 0; i < d->n; i++)
		n += (size_t)d->files[i].f.n_fp;
	e = xmalloc(sizeof(*e) * (n ? n : 1));
	for (size_t i = 0; i < d->n; i++) {
		const struct dupes_file *f = &d->files[i].f;
		for (int p = 0; p < f->n_fp; p++)
			if (p == 0 || f->fp[p] != f->fp[p - 1])
				e[k++] = (struct ent){ f->fp[p], (uint32_t)i, p };
	}
	qsort(e, k, sizeof(*e), cmp_ent);
	*n_out = k;
	return e;
}

/* Votes (a < b, offset) from every value shared by two files. */
static struct vote *collect_votes(const struct ent *e, size_t n, size_t *n_out)
{
	struct vote *v = NULL;
	size_t nv = 0, cap = 0;

	for (size_t s = 0, t; s < n; s = t) {
		for (t = s + 1; t < n && e[t].key == e[s].key; t++)
			;
		if (t - s < 2 || t - s > STOP_ENTRIES)
			continue;
		for (size_t i = s; i < t; i++)
			for (size_t j = i + 1; j < t; j++) {
				if (e[i].file == e[j].file)
					continue;
				if (nv == cap) {
					cap = cap ? cap * 2 : 1024;
					v = xrealloc(v, cap * sizeof(*v));
				}
				/* sorted by file within a value: e[i].file < e[j].file */
				v[nv++] = (struct vote){ e[i].file, e[j].file, e[i].pos - e[j].pos };
			}
	}
	if (nv > 0)
		qsort(v, nv, sizeof(*v), cmp_vote);
	*n_out = nv;
	return v;
}

/* For the votes v[0..n) of one file pair (sorted by offset): verify the
 * MAX_OFFSETS best-voted offsets that are not neighbours of a better one. */
static void verify_pair(struct dupes *d, const struct vote *v, size_t n)
{
	int picked[MAX_OFFSETS], np = 0;
	const struct dfile *A = &d->files[v[0].a], *B = &d->files[v[0].b];

	if (fabs(A->f.item_s - B->f.item_s) > 1e-6)
		return;
	while (np < MAX_OFFSETS) {
		int best_off = 0, best_c = 0;
		for (size_t s = 0, t; s < n; s = t) {
			int near = 0;
			for (t = s + 1; t < n && v[t].off == v[s].off; t++)
				;
			for (int k = 0; k < np; k++)
				near |= abs(v[s].off - picked[k]) <= 2;
			if (!near && (int)(t - s) > best_c) {
				best_c = (int)(t - s);
				best_off = v[s].off;
			}
		}
		if (best_c < MIN_VOTES)
			break;
		picked[np++] = best_off;
		/* vote offsets are a.pos - b.pos: b item i <-> a item i + off */
		if (verify(d, A, B, best_off))
			break;
	}
}

/* ---- groups --------------------------------------------------------------- */

static int uf_find(int *parent, int x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];
		x = parent[x];
	}
	return x;
}

/* Is member p a better copy than q? */
static int better(const struct dupes *d, const struct dupes_member *p,
                  const struct dupes_member *q, const int *fidx_p, const int *fidx_q)
{
	const struct dupes_file *a = &d->files[*fidx_p].f, *b = &d->files[*fidx_q].f;

	if (!!a->lossless != !!b->lossless)
		return a->lossless;
	if (a->rate != b->rate)
		return a->rate > b->rate;
	if (a->bits != b->bits)
		return a->bits > b->bits;
	if (fabs((p->end - p->start) - (q->end - q->start)) > 0.05)
		return p->end - p->start > q->end - q->start;
	/* a standalone file over the same sound inside a longer one */
	return p->region < 0 && q->region >= 0;
}

struct gnode { int root, file, region; };

static int cmp_gnode(const void *x, const void *y)
{
	const struct gnode *p = x, *q = y;
	if (p->root != q->root)
		return p->root < q->root ? -1 : 1;
	if (p->file != q->file)
		return p->file < q->file ? -1 : 1;
	return (p->region > q->region) - (p->region < q->region);
}

static void make_groups(struct dupes *d, int n_nodes)
{
	int *parent = xmalloc(sizeof(int) * (size_t)n_nodes);
	double *score = xcalloc((size_t)n_nodes, sizeof(double));
	double *gscore = xmalloc(sizeof(double) * (size_t)n_nodes);
	struct gnode *gn;
	size_t ng = 0;

	for (int i = 0; i < n_nodes; i++) {
		parent[i] = i;
		gscore[i] = 1.0;
	}
	for (size_t i = 0; i < d->n_edges; i++) {
		const struct edge *e = &d->edges[i];
		int ru = uf_find(parent, e->u), rv = uf_find(parent, e->v);
		score[e->u] = fmax(score[e->u], e->score);
		score[e->v] = fmax(score[e->v], e->score);
		if (ru != rv) {
			/* the smaller root survives: groups are ordered by first file */
			int lo = ru < rv ? ru : rv, hi = ru < rv ? rv : ru;
			parent[hi] = lo;
			gscore[lo] = fmin(gscore[lo], gscore[hi]);
		}
		gscore[uf_find(parent, e->u)] = fmin(gscore[uf_find(parent, e->u)], e->score);
	}
	/* every node that took part in a match, grouped by root */
	gn = xmalloc(sizeof(*gn) * (2 * d->n_edges + 1));
	for (size_t f = 0; f < d->n; f++) {
		int nodes = 1 + d->files[f].f.n_regions;
		for (int k = 0; k < nodes; k++) {
			int node = d->files[f].node0 + k;
			if (score[node] > 0 || parent[node] != node)
				gn[ng++] = (struct gnode){ uf_find(parent, node), (int)f, k - 1 };
		}
	}
	qsort(gn, ng, sizeof(*gn), cmp_gnode);
	d->groups = xcalloc(ng ? ng : 1, sizeof(*d->groups));
	for (size_t s = 0, t; s < ng; s = t) {
		struct dupes_group *g;
		int *fidx;

		for (t = s + 1; t < ng && gn[t].root == gn[s].root; t++)
			;
		if (t - s < 2)
			continue;
		g = &d->groups[d->n_groups++];
		g->n = (int)(t - s);
		g->m = xcalloc(t - s, sizeof(*g->m));
		g->score = gscore[gn[s].root];
		fidx = xmalloc(sizeof(int) * (t - s));
		for (size_t i = s; i < t; i++) {
			const struct dfile *x = &d->files[gn[i].file];
			struct dupes_member *m = &g->m[i - s];
			int node = x->node0 + 1 + gn[i].region;

			fidx[i - s] = gn[i].file;
			m->file_id = x->f.id;
			m->region = gn[i].region;
			m->region_id = m->region >= 0 ? x->f.regions[m->region].id : 0;
			m->start = m->region >= 0 ? x->f.regions[m->region].start : 0;
			m->end = m->region >= 0 ? x->f.regions[m->region].end : x->f.duration;
			m->score = score[node];
		}
		g->best = 0;
		for (int i = 1; i < g->n; i++)
			if (better(d, &g->m[i], &g->m[g->best], &fidx[i], &fidx[g->best]))
				g->best = i;
		free(fidx);
	}
	free(gn);
	free(gscore);
	free(score);
	free(parent);
}

static int cmp_file_id(const void *x, const void *y)
{
	const struct dfile *p = x, *q = y;
	return (p->f.id > q->f.id) - (p->f.id < q->f.id);
}

int dupes_run(struct dupes *d, struct gr_err *err)
{
	struct ent *e;
	struct vote *v;
	size_t ne, nv;
	int n_nodes = 0;

	if (d->ran)
		return gr_fail(err, GR_EUSAGE, "dupes_run called twice");
	d->ran = 1;
	/* file order = id order, so groups and members come out sorted by id */
	if (d->n > 0)
		qsort(d->files, d->n, sizeof(*d->files), cmp_file_id);
	for (size_t i = 0; i < d->n; i++) {
		if (i > 0 && d->files[i].f.id == d->files[i - 1].f.id)
			return gr_fail(err, GR_EUSAGE, "file %lld added twice",
			               (long long)d->files[i].f.id);
		d->files[i].node0 = n_nodes;
		n_nodes += 1 + d->files[i].f.n_regions;
	}
	e = build_index(d, &ne);
	v = collect_votes(e, ne, &nv);
	free(e);
	for (size_t s = 0, t; s < nv; s = t) {
		for (t = s + 1; t < nv && v[t].a == v[s].a && v[t].b == v[s].b; t++)
			;
		if (t - s >= MIN_VOTES)
			verify_pair(d, v + s, t - s);
	}
	free(v);
	make_groups(d, n_nodes);
	return (int)d->n_groups;
}

const struct dupes_group *dupes_groups(const struct dupes *d, size_t *n)
{
	*n = d->n_groups;
	return d->groups;
}

long dupes_verified(const struct dupes *d)
{
	return d->verified;
}

void dupes_free(struct dupes *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->n; i++) {
		free(d->files[i].f.fp);
		free((void *)d->files[i].f.regions);
	}
	for (size_t i = 0; i < d->n_groups; i++)
		free(d->groups[i].m);
	free(d->groups);
	free(d->edges);
	free(d->files);
	free(d);
}
