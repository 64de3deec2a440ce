/*
 * loader.c - the loader thread: the browser's only catalog handle.  The UI
 * thread never runs a query; it asks here and gets the answer as an event.
 *
 * Work, in priority order: a new query text (parsed here), pages of rows
 * for the current generation, the detail of the selected file, the count
 * of matching rows, tag edits, and a poll every second (cat_changed(), job
 * counts, statistics, plugin health).  One item at a time, re-reading the
 * requests in between, so a new filter overtakes old page fetches.
 *
 * Paging: cat_find() has no offset, so the thread keeps one forward cursor
 * and its position.  A page at or after the position is read by skipping
 * ahead; one before it reopens the cursor.  Scrolling down reads each row
 * once; a jump to the end of 100 000 rows skips them once (tens of ms, off
 * the UI thread).  The cursor holds a read snapshot, so it is closed when
 * idle for a second (before polling) and on every new generation.
 *
 * Similar list: loader_similar() makes the list the regions most like one
 * region (grym/similar.h).  The vectors are loaded once (about 1 s per
 * million regions, here off the UI thread) and again only after the
 * catalog changed; the answer is kept as rows and re-posted for every
 * page request or refresh of that list, until the next query.
 *
 * Thread rules: struct tui_loader fields marked [L] are guarded by
 * l->lock; the rest belong to the loader thread.  Results go out only by
 * ui_post().  Lock order: l->lock before the event lock (ui_post is never
 * called with l->lock held, though).
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "grym/analysis.h"
#include "grym/catalog.h"
#include "grym/similar.h"
#include "grym/util.h"
#include "tui_int.h"

#define MAX_WANT 64

struct tag_op {
	int64_t id;
	char **add, **del;
	int n_add, n_del;
	struct tag_op *next;
};

struct tui_loader {
	pthread_t th;
	pthread_mutex_t lock;
	pthread_cond_t cond;       /* signalled when work arrives [L] */
	int quit;                  /* [L] */
	char *qtext;               /* query text [L] */
	int qdirty;                /* qtext not yet parsed [L] */
	int regen;                 /* data changed: reopen the cursor [L] */
	unsigned gen;              /* current generation [L] */
	int count_wanted;          /* [L] */
	long pages[MAX_WANT];      /* page numbers wanted for gen [L] */
	int npages;                /* [L] */
	int64_t detail_id;         /* [L] */
	unsigned detail_seq;       /* [L] */
	int detail_wanted;         /* [L] */
	struct tag_op *tags;       /* FIFO [L] */
	int poke;                  /* poll now [L] */
	int sim_wanted;            /* [L] */
	int64_t sim_file;          /* [L] */
	int sim_idx;               /* [L] */
	char *path;                /* constant */
	/* loader thread only */
	struct cat *cat;
	struct cat_query *q;
	struct cat_cursor *cur;
	unsigned cur_gen;
	long cur_pos;
	double cur_used;           /* time_now() of the last page read */
	double last_stats;
	struct sim_index *sim;     /* every region's vector, NULL until needed */
	int sim_stale;             /* the catalog changed since it was loaded */
	int sim_mode;              /* the list is sim_rows, not the query */
	struct tui_row *sim_rows;  /* the similar list's rows */
	int sim_n;
	char sim_err[192];         /* why there is no similar list */
};

static void post_simple(int type, int64_t a, int64_t b, const char *text)
{
	struct ui_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.a = a;
	ev.b = b;
	if (text != NULL)
		str_lcpy(ev.text, text, sizeof(ev.text));
	ui_post(&ev);
}

static char *esc(const char *s)
{
	return str_escape_term(s != NULL ? s : "");
}

static void row_from(struct tui_row *r, const struct cat_file *f)
{
	r->id = f->id;
	r->name = esc(f->name);
	r->tags = esc(f->tags);
	r->duration = f->duration;
	r->cls = f->cls;
	r->cls_conf = f->cls_conf;
	r->key = f->key;
	r->has_tempo = f->has_tempo;
	r->bpm = f->bpm;
	r->n_regions = f->n_regions;
	r->status = f->status;
	r->missing = f->missing;
}

static void close_cursor(struct tui_loader *l)
{
	cat_cursor_free(l->cur);
	l->cur = NULL;
}

static unsigned cur_gen(struct tui_loader *l)
{
	unsigned g;
	pthread_mutex_lock(&l->lock);
	g = l->gen;
	pthread_mutex_unlock(&l->lock);
	return g;
}

static void sim_drop(struct tui_loader *l)
{
	tui_rows_free(l->sim_rows, l->sim_n);
	l->sim_rows = NULL;
	l->sim_n = 0;
	l->sim_mode = 0;
}

/* A copy of the similar list's rows posted as page 0 of gen. */
static void sim_post(struct tui_loader *l, unsigned gen)
{
	struct tui_row *rows = xcalloc((size_t)l->sim_n + 1, sizeof(*rows));
	struct ui_event ev;

	for (int i = 0; i < l->sim_n; i++) {
		rows[i] = l->sim_rows[i];
		rows[i].name = xstrdup(l->sim_rows[i].name);
		rows[i].tags = xstrdup(l->sim_rows[i].tags);
	}
	memset(&ev, 0, sizeof(ev));
	ev.type = TUI_EV_PAGE;
	ev.a = gen;
	ev.b = 0;
	ev.x = l->sim_n;
	ev.ptr = rows;
	ui_post(&ev);
}

/* The row of one region of the similar list. */
static int sim_row(struct tui_loader *l, const struct sim_hit *h, struct tui_row *r,
                   struct gr_err *err)
{
	char text[48], *name;
	struct cat_query *q;
	struct cat_cursor *cur;
	struct cat_region g;
	const char *base;
	int rc;

	snprintf(text, sizeof(text), "id:%lld", (long long)h->id);
	if ((q = cat_query_parse(text, NULL, err)) == NULL)
		return -err->code;
	cur = cat_find(l->cat, q, CAT_REGIONS, 1, err);
	rc = cur != NULL ? cat_next_region(cur, &g, err) : -err->code;
	if (rc == 1) {
		base = strrchr(g.path, '/');
		name = xasprintf("%s #%d", base != NULL ? base + 1 : g.path, g.idx);
		r->id = g.file_id;
		r->name = esc(name);
		r->tags = esc(g.tags);
		r->duration = g.end - g.start;
		r->cls = g.cls;
		r->cls_conf = g.cls_conf;
		r->key = g.key;
		r->has_tempo = g.has_tempo;
		r->bpm = g.bpm;
		r->n_regions = g.idx;
		r->sim = 1;
		r->region = g.idx;
		r->score = h->score;
		free(name);
	}
	cat_cursor_free(cur);
	cat_query_free(q);
	return rc;
}

/* The regions most like region idx of file_id, as the list of gen. */
static void do_similar(struct tui_loader *l, int64_t file_id, int idx, unsigned gen)
{
	struct gr_err err = { 0 };
	struct sim_hit hits[TUI_SIM_ROWS];
	struct cat_cursor *cur;
	struct cat_region g;
	float vec[AN_SIM_DIM];
	int64_t rid = 0;
	size_t nh;
	int rc;

	close_cursor(l);
	sim_drop(l);
	l->sim_mode = 1;
	if ((cur = cat_regions_of(l->cat, file_id, &err)) == NULL)
		goto fail;
	while ((rc = cat_next_region(cur, &g, &err)) == 1)
		if (g.idx == idx)
			rid = g.id;
	cat_cursor_free(cur);
	if (rc < 0)
		goto fail;
	rc = rid > 0 ? cat_simvec_get(l->cat, rid, vec, &err) : 0;
	if (rc < 0)
		goto fail;
	if (rc == 0) {
		str_lcpy(l->sim_err, "this region has no similarity descriptor: re-analyse the "
		         "file (r)", sizeof(l->sim_err));
		post_simple(TUI_EV_COUNT, gen, -1, l->sim_err);
		return;
	}
	if (l->sim == NULL || l->sim_stale) {
		sim_index_free(l->sim);
		l->sim_stale = 0;
		if ((l->sim = sim_index_load(l->cat, &err)) == NULL)
			goto fail;
	}
	nh = sim_search(l->sim, vec, SIM_OVERALL, NULL, TUI_SIM_ROWS, hits);
	l->sim_rows = xcalloc(nh + 1, sizeof(*l->sim_rows));
	for (size_t i = 0; i < nh; i++) {
		rc = sim_row(l, &hits[i], &l->sim_rows[l->sim_n], &err);
		if (rc < 0)
			goto fail;
		if (rc == 1)
			l->sim_n++;
	}
	post_simple(TUI_EV_COUNT, gen, l->sim_n, NULL);
	sim_post(l, gen);
	return;
fail:
	tui_rows_free(l->sim_rows, l->sim_n);
	l->sim_rows = NULL;
	l->sim_n = 0;
	str_lcpy(l->sim_err, err.msg, sizeof(l->sim_err));
	post_simple(TUI_EV_COUNT, gen, -1, l->sim_err);
}

static void do_query(struct tui_loader *l, char *text, unsigned gen)
{
	struct gr_err err = { 0 };
	size_t pos = 0;

	sim_drop(l);
	close_cursor(l);
	cat_query_free(l->q);
	l->q = cat_query_parse(text, &pos, &err);
	if (l->q == NULL)
		post_simple(TUI_EV_COUNT, gen, -1, err.msg);
	free(text);
}

static void do_page(struct tui_loader *l, unsigned gen, long pageno)
{
	struct gr_err err = { 0 };
	struct cat_file f;
	long first = pageno * TUI_PAGE_ROWS;
	struct tui_row *rows;
	int n = 0, rc = 1;
	struct ui_event ev;

	if (l->sim_mode) {
		if (pageno == 0 && l->sim_rows != NULL)
			sim_post(l, gen);
		return;
	}
	if (l->q == NULL)
		return;
	if (l->cur == NULL || l->cur_gen != gen || l->cur_pos > first) {
		close_cursor(l);
		l->cur = cat_find(l->cat, l->q, CAT_FILES, 0, &err);
		if (l->cur == NULL) {
			post_simple(TUI_EV_COUNT, gen, -1, err.msg);   /* the list can't load */
			return;
		}
		l->cur_gen = gen;
		l->cur_pos = 0;
	}
	while (l->cur_pos < first) {
		rc = cat_next_file(l->cur, &f, &err);
		if (rc <= 0)
			break;
		l->cur_pos++;
		/* a long skip gives way to a newer generation */
		if ((l->cur_pos & 4095) == 0 && cur_gen(l) != gen)
			return;
	}
	rows = xcalloc(TUI_PAGE_ROWS, sizeof(*rows));
	while (rc > 0 && n < TUI_PAGE_ROWS) {
		rc = cat_next_file(l->cur, &f, &err);
		if (rc <= 0)
			break;
		row_from(&rows[n++], &f);
		l->cur_pos++;
	}
	if (rc < 0) {
		post_simple(TUI_EV_RESULT, -1, 0, err.msg);
		close_cursor(l);
	}
	l->cur_used = time_now();
	memset(&ev, 0, sizeof(ev));
	ev.type = TUI_EV_PAGE;
	ev.a = gen;
	ev.b = first;          /* n = 0 when the list ended before this page */
	ev.x = n;
	ev.ptr = rows;
	ui_post(&ev);
}

void tui_detail_free(struct tui_detail *d)
{
	if (d == NULL)
		return;
	free(d->name);
	free(d->path);
	free(d->raw_path);
	free(d->format);
	free(d->tags);
	free(d->error);
	free(d->regions);
	free(d->patterns);
	for (int i = 0; i < 2; i++)
		if (d->have_peaks[i])
			cat_peaks_fini(&d->peaks[i]);
	free(d);
}

static void do_detail(struct tui_loader *l, int64_t id, unsigned seq)
{
	struct gr_err err = { 0 };
	struct tui_detail *d = xcalloc(1, sizeof(*d));
	struct cat_file f;
	struct cat_region r;
	struct cat_cursor *cur;
	struct ui_event ev;
	int cap = 0, rc;

	d->id = id;
	rc = cat_file_get(l->cat, id, &f, &err);
	if (rc <= 0) {
		d->error = esc(rc == 0 ? "file is no longer in the catalog" : err.msg);
		goto out;
	}
	d->name = esc(f.name);
	d->path = esc(f.path);
	d->raw_path = xstrdup(f.path ? f.path : "");
	d->format = esc(f.format);
	d->tags = esc(f.tags);
	d->error = esc(f.error);
	d->duration = f.duration;
	d->rate = f.rate;
	d->channels = f.channels;
	d->bits = f.bits;
	d->loudness = f.loudness;
	d->peak_db = f.peak_db;
	d->status = f.status;
	d->missing = f.missing;
	d->cls = f.cls;
	d->cls_conf = f.cls_conf;
	d->key = f.key;
	d->key_conf = f.key_conf;
	d->has_tempo = f.has_tempo;
	d->bpm = f.bpm;
	d->bpm_conf = f.bpm_conf;
	d->beats_per_bar = f.beats_per_bar;
	cur = cat_regions_of(l->cat, id, &err);
	while (cur != NULL && (rc = cat_next_region(cur, &r, &err)) > 0) {
		if (d->n_regions == cap) {
			cap = cap ? cap * 2 : 16;
			d->regions = xrealloc(d->regions, (size_t)cap * sizeof(*d->regions));
		}
		struct tui_region *t = &d->regions[d->n_regions++];
		t->start = r.start;
		t->end = r.end;
		t->loudness = r.loudness;
		t->peak_db = r.peak_db;
		t->cls = r.cls;
		t->cls_conf = r.cls_conf;
		t->key = r.key;
		t->key_conf = r.key_conf;
		t->has_tempo = r.has_tempo;
		t->bpm = r.bpm;
	}
	cat_cursor_free(cur);
	for (int lv = 0; lv < 2; lv++)
		d->have_peaks[lv] = cat_peaks_get(l->cat, id, lv, &d->peaks[lv], &err) > 0;
	{
		size_t np = 0;
		if (cat_patterns_of(l->cat, id, &d->patterns, &np, &err) == 0)
			d->n_patterns = (int)np;    /* none shown if unreadable */
	}
out:
	memset(&ev, 0, sizeof(ev));
	ev.type = TUI_EV_DETAIL;
	ev.a = seq;
	ev.ptr = d;
	ui_post(&ev);
}

static void do_tag(struct tui_loader *l, struct tag_op *op)
{
	struct gr_err err = { 0 };
	char text[48];
	struct cat_query *q;
	int64_t n = -1;

	close_cursor(l);   /* no read cursor open while writing */
	snprintf(text, sizeof(text), "id:%lld", (long long)op->id);
	q = cat_query_parse(text, NULL, &err);
	if (q != NULL)
		n = cat_tag(l->cat, q, CAT_FILES, (const char *const *)op->add, (size_t)op->n_add,
		            (const char *const *)op->del, (size_t)op->n_del, &err);
	cat_query_free(q);
	if (n < 0) {
		post_simple(TUI_EV_RESULT, -1, 0, err.msg);
	} else {
		post_simple(TUI_EV_RESULT, 0, 0, n > 0 ? "tags saved" : "file not found");
		post_simple(TUI_EV_CHANGED, 0, 0, NULL);   /* our own write: refresh too */
	}
	for (int i = 0; i < op->n_add; i++)
		free(op->add[i]);
	for (int i = 0; i < op->n_del; i++)
		free(op->del[i]);
	free(op->add);
	free(op->del);
	free(op);
}

static void do_poll(struct tui_loader *l, int first)
{
	struct gr_err err = { 0 };
	struct tui_status *st;
	struct cat_job_counts jc;
	struct ui_event ev;
	int changed;

	/* an idle cursor pins an old snapshot: let go of it before looking */
	if (l->cur != NULL && time_now() - l->cur_used > 1.0)
		close_cursor(l);
	changed = cat_changed(l->cat);
	if (changed) {
		l->sim_stale = 1;
		post_simple(TUI_EV_CHANGED, 0, 0, NULL);
	}
	st = xcalloc(1, sizeof(*st));
	if (cat_jobs_counts(l->cat, &jc, &err) == 0) {
		st->queued = jc.queued;
		st->running = jc.running;
		st->done = jc.done;
		st->jfailed = jc.failed;
	} else {
		str_lcpy(st->error, err.msg, sizeof(st->error));
	}
	if (first || changed || time_now() - l->last_stats > 5.0) {
		struct cat_stats cs;
		struct an_metrics *m = NULL;
		size_t nm = 0;
		l->last_stats = time_now();
		if (cat_stats(l->cat, &cs, &err) == 0) {
			st->files = cs.files;
			st->regions = cs.regions;
			st->failed = cs.failed;
			st->missing = cs.missing;
		}
		if (cat_health_list(l->cat, &m, &nm, &err) > 0) {
			for (size_t i = 0; i < nm; i++) {
				if (!m[i].disabled)
					continue;
				size_t len = strlen(st->disabled_names);
				snprintf(st->disabled_names + len, sizeof(st->disabled_names) - len,
				         "%s%s", st->disabled ? "," : "", m[i].name);
				st->disabled++;
			}
			free(m);
		}
	} else {
		st->files = -1;    /* "unchanged": the UI keeps the last numbers */
	}
	memset(&ev, 0, sizeof(ev));
	ev.type = TUI_EV_STATUS;
	ev.ptr = st;
	ui_post(&ev);
}

enum { W_NONE, W_QUERY, W_SIMILAR, W_PAGE, W_DETAIL, W_COUNT, W_TAG, W_POLL };

static void *run(void *arg)
{
	struct tui_loader *l = arg;
	struct gr_err err = { 0 };
	double next_poll = 0;
	int first = 1;

	l->cat = cat_open(l->path, 0, &err);
	post_simple(TUI_EV_OPENED, l->cat != NULL, 0, l->cat ? "" : err.msg);
	for (;;) {
		int what = W_NONE;
		char *text = NULL;
		unsigned gen = 0, seq = 0;
		long pageno = 0;
		int64_t id = 0;
		struct tag_op *op = NULL;

		pthread_mutex_lock(&l->lock);
		for (;;) {
			if (l->quit)
				break;
			if (l->cat == NULL) {
				pthread_cond_wait(&l->cond, &l->lock);
				continue;
			}
			if (l->qdirty || l->sim_wanted || l->regen || l->npages || l->detail_wanted ||
			    l->count_wanted || l->tags || l->poke || time_now() >= next_poll)
				break;
			double wait = next_poll - time_now();
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += (time_t)wait;
			ts.tv_nsec += (long)((wait - floor(wait)) * 1e9);
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&l->cond, &l->lock, &ts);
		}
		if (l->quit) {
			pthread_mutex_unlock(&l->lock);
			break;
		}
		gen = l->gen;
		if (l->qdirty) {
			what = W_QUERY;
			text = l->qtext;
			l->qtext = NULL;
			l->qdirty = 0;
			l->regen = 0;
		} else if (l->sim_wanted) {
			what = W_SIMILAR;
			id = l->sim_file;
			seq = (unsigned)l->sim_idx;
			l->sim_wanted = 0;
			l->regen = 0;
		} else if (l->regen) {
			l->regen = 0;
			close_cursor(l);
			pthread_mutex_unlock(&l->lock);
			continue;
		} else if (l->npages) {
			what = W_PAGE;
			pageno = l->pages[0];
			memmove(l->pages, l->pages + 1, (size_t)--l->npages * sizeof(l->pages[0]));
		} else if (l->detail_wanted) {
			what = W_DETAIL;
			id = l->detail_id;
			seq = l->detail_seq;
			l->detail_wanted = 0;
		} else if (l->count_wanted) {
			what = W_COUNT;
			l->count_wanted = 0;
		} else if (l->tags) {
			what = W_TAG;
			op = l->tags;
			l->tags = op->next;
		} else {
			what = W_POLL;
			l->poke = 0;
		}
		pthread_mutex_unlock(&l->lock);

		switch (what) {
		case W_QUERY:
			do_query(l, text, gen);
			break;
		case W_SIMILAR:
			do_similar(l, id, (int)seq, gen);
			break;
		case W_PAGE:
			do_page(l, gen, pageno);
			break;
		case W_DETAIL:
			do_detail(l, id, seq);
			break;
		case W_COUNT:
			if (l->sim_mode)
				post_simple(TUI_EV_COUNT, gen, l->sim_rows ? l->sim_n : -1,
				            l->sim_rows ? NULL : l->sim_err);
			else if (l->q != NULL) {
				int64_t n = cat_count(l->cat, l->q, CAT_FILES, &err);
				post_simple(TUI_EV_COUNT, gen, n, n < 0 ? err.msg : NULL);
			}
			break;
		case W_TAG:
			do_tag(l, op);
			break;
		case W_POLL:
			do_poll(l, first);
			first = 0;
			next_poll = time_now() + 1.0;
			break;
		}
	}
	close_cursor(l);
	sim_drop(l);
	sim_index_free(l->sim);
	cat_query_free(l->q);
	cat_close(l->cat);
	return NULL;
}

struct tui_loader *loader_new(const char *path, struct gr_err *err)
{
	struct tui_loader *l = xcalloc(1, sizeof(*l));

	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->cond, NULL);
	l->path = xstrdup(path);
	if (pthread_create(&l->th, NULL, run, l) != 0) {
		gr_fail(err, GR_EIO, "can't start the loader thread");
		free(l->path);
		free(l);
		return NULL;
	}
	return l;
}

void loader_free(struct tui_loader *l)
{
	if (l == NULL)
		return;
	pthread_mutex_lock(&l->lock);
	l->quit = 1;
	pthread_cond_signal(&l->cond);
	pthread_mutex_unlock(&l->lock);
	pthread_join(l->th, NULL);
	while (l->tags != NULL) {
		struct tag_op *op = l->tags;
		l->tags = op->next;
		for (int i = 0; i < op->n_add; i++)
			free(op->add[i]);
		for (int i = 0; i < op->n_del; i++)
			free(op->del[i]);
		free(op->add);
		free(op->del);
		free(op);
	}
	free(l->qtext);
	free(l->path);
	pthread_mutex_destroy(&l->lock);
	pthread_cond_destroy(&l->cond);
	free(l);
}

void loader_query(struct tui_loader *l, const char *text, unsigned gen)
{
	pthread_mutex_lock(&l->lock);
	free(l->qtext);
	l->qtext = xstrdup(text);
	l->qdirty = 1;
	l->sim_wanted = 0;       /* a query ends the similar list */
	l->gen = gen;
	l->npages = 0;
	l->count_wanted = 1;
	pthread_cond_signal(&l->cond);
	pthread_mutex_unlock(&l->lock);
}

void loader_similar(struct tui_loader *l, int64_t file_id, int idx, unsigned gen)
{
	pthread_mutex_lock(&l->lock);
	l->sim_file = file_id;
	l->sim_idx = idx;
	l->sim_wanted = 1;
	l->qdirty = 0;           /* the way back sends the query again */
	l->gen = gen;
	l->npages = 0;
	l->count_wanted = 0;     /* do_similar posts the count itself */
	pthread_cond_signal(&l->cond);
	pthread_mutex_unlock(&l->lock);
}

void loader_regen(struct tui_loader *l, unsigned gen)
{
	pthread_mutex_lock(&l->lock);
	l->gen = gen;
	l->regen = 1;
	l->npages = 0;
	l->count_wanted = 1;
	pthread_cond_signal(&l->cond);
	pthread_mutex_unlock(&l->lock);
}

void loader_pages(struct tui_loader *l, unsigned gen, const long *pages, int n)
{
	pthread_mutex_lock(&l->lock);
	if (gen == l->gen) {
		for (int i = 0; i < n && l->npages < MAX_WANT; i++)
			l->pages[l->npages++] = pages[i];
		pthread_cond_signal(&l->cond);
	}
	pthread_mutex_unlock(&l->lock);
}

void loader_detail(struct tui_loader *l, int64_t id, unsigned seq)
{
	pthread_mutex_lock(&l->lock);
	l->detail_id = id;
	l->detail_seq = seq;
	l->detail_wanted = 1;
	pthread_cond_signal(&l->cond);
	pthread_mutex_unlock(&l->lock);
}

void loader_tag(struct tui_loader *l, int64_t id, char **add, int n_add, char **del,
                int n_del)
{
	struct tag_op *op = xcalloc(1, sizeof(*op)), **tail;

	op->id = id;
	op->add = xcalloc((size_t)n_add + 1, sizeof(char *));
	op->del = xcalloc((size_t)n_del + 1, sizeof(char *));
	for (int i = 0; i < n_add; i++)
		op->add[op->n_add++] = xstrdup(add[i]);
	for (int i = 0; i < n_del; i++)
		op->del[op->n_del++] = xstrdup(del[i]);
	pthread_mutex_lock(&l->lock);
	for (tail = &l->tags; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = op;
	pthread_cond_signal(&l->cond);
	pthread_mutex_unlock(&l->lock);
}

void loader_poke(struct tui_loader *l)
{
	pthread_mutex_lock(&l->lock);
	l->poke = 1;
	pthread_cond_signal(&l->cond);
	pthread_mutex_unlock(&l->lock);
}
