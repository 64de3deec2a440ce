/*
 * export_job.c - the browser's `e`: export the selected region, the shown
 * file, or (list focused) the filtered set, with the last used options
 * (WAV, the source's rate and depth, 5 ms fades on regions, no
 * normalisation) into the export folder (~/grym-export until `:export
 * DIR` names another; created when missing).
 *
 * One worker thread per export does everything slow: it opens its own
 * read-only catalog handle (the loader's handle belongs to the loader
 * thread and is never shared), copies the rows into an export set, closes
 * the handle, plans the names and runs the export.  Progress goes to the
 * UI as TUI_EV_EXPORT (coalesced: the latest wins), the end as
 * TUI_EV_EXPORT_DONE with the message; the UI then joins the thread.  Esc
 * sets the cancel flag, which export_run's progress callback returns: the
 * item being written is removed, finished ones stay.
 *
 * Costs: on the UI thread, a thread start and a few string copies.
 * Thread rules: tui_export_* on the UI thread; struct tui_export's fields
 * are constant after the start except cancel (an atomic).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grym/analysis.h"
#include "grym/audio.h"
#include "grym/catalog.h"
#include "grym/export.h"
#include "grym/util.h"
#include "tui_int.h"

#define EXPORT_CONFIRM_OVER 20     /* list exports bigger than this ask first */
#define EXPORT_CONFIRM_S 5.0       /* ... and a second `e` within this many s */

struct tui_export {
	pthread_t th;
	atomic_int cancel;         /* set by Esc or quit */
	char *catalog;             /* constant after start */
	char *query;
	char *dir;
	int regions;               /* bool: export regions, not files */
	int force;
	int key_style;             /* enum an_key_style */
	double last_post;          /* worker only: time_now() of the last progress */
};

static void post_done(int64_t a, int64_t b, const char *msg)
{
	struct ui_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = TUI_EV_EXPORT_DONE;
	ev.a = a;
	ev.b = b;
	str_lcpy(ev.text, msg, sizeof(ev.text));
	ui_post(&ev);
}

/* Worker thread: export_run's callback. */
static int on_progress(void *ud, const struct export_progress *p)
{
	struct tui_export *x = ud;
	double now = time_now();

	if (now - x->last_post > 0.05 || p->item_frac == 0) {
		struct ui_event ev;
		memset(&ev, 0, sizeof(ev));
		ev.type = TUI_EV_EXPORT;
		ev.a = (int64_t)p->item;
		ev.b = (int64_t)p->total;
		ev.x = p->item_frac;
		str_lcpy(ev.text, p->out_name ? p->out_name : "", sizeof(ev.text));
		ui_post(&ev);
		x->last_post = now;
	}
	return atomic_load(&x->cancel);
}

static void *run(void *arg)
{
	struct tui_export *x = arg;
	struct gr_err err = { 0 };
	struct export_opts o = { .format = AUDIO_W_WAV, .fade_ms = -1 };
	struct export_set *set = NULL;
	struct cat_query *q = NULL;
	struct cat *c;
	char msg[192];
	int n, failed;
	size_t total, written = 0;

	c = cat_open(x->catalog, CAT_OPEN_READONLY, &err);
	if (c == NULL)
		goto fail;
	q = cat_query_parse(x->query, NULL, &err);
	if (q == NULL)
		goto fail;
	set = export_set_new();
	n = export_set_add(set, c, q, x->regions, &err);
	cat_close(c);
	c = NULL;
	if (n < 0)
		goto fail;
	if (n == 0) {
		post_done(0, 0, x->regions ? "nothing to export: no such region" :
		          "nothing to export: no analysed file matches");
		goto out;
	}
	if (path_mkdirs(x->dir, &err) < 0)
		goto fail;
	o.dir = x->dir;
	o.force = x->force;
	o.key_style = x->key_style;
	o.progress = on_progress;
	o.ud = x;
	if (export_plan(set, &o, &err) < 0)
		goto fail;
	failed = export_run(set, &o, &err);
	total = export_set_count(set);
	for (size_t i = 0; i < total; i++)
		written += export_set_item(set, i)->status == 0;
	if (failed < 0 && err.code == GR_ECANCEL) {
		snprintf(msg, sizeof(msg), "export cancelled: %zu of %zu file%s written to %s",
		         written, total, total == 1 ? "" : "s", x->dir);
		post_done(-GR_ECANCEL, 0, msg);
	} else if (failed < 0) {
		goto fail;
	} else if (failed > 0) {
		const char *why = "";
		for (size_t i = 0; i < total && !*why; i++)
			if (export_set_item(set, i)->status < 0)
				why = export_set_item(set, i)->error;
		snprintf(msg, sizeof(msg), "%d of %zu failed (%s); %zu written to %s", failed,
		         total, why, written, x->dir);
		post_done((int64_t)written, failed, msg);
	} else {
		snprintf(msg, sizeof(msg), "%zu file%s written to %s", written,
		         written == 1 ? "" : "s", x->dir);
		post_done((int64_t)written, 0, msg);
	}
	goto out;
fail:;
	/* "DIR/x.wav exists; use --force" is the command line's; here the
	 * folder is known and the hint is :export! (C11: a declaration cannot
	 * follow a label directly, hence the empty statement) */
	char *ex = strstr(err.msg, " exists; use --force");
	if (err.code == GR_EBUSY && ex != NULL) {
		*ex = '\0';
		snprintf(msg, sizeof(msg), "not exported: %s exists (:export! replaces)",
		         path_base(err.msg));
	} else {
		snprintf(msg, sizeof(msg), "export failed: %s", err.msg);
	}
	post_done(err.code ? -err.code : -GR_EIO, 0, msg);
out:
	cat_close(c);
	cat_query_free(q);
	export_set_free(set);
	return NULL;
}

/* What `e` exports now: a query and whether it names regions.  Returns
 * the number of items it will be when known (1 for a region or file, the
 * list's count for the filtered set), or -1 with a message. */
static long what(struct tui_app *a, char *query, size_t n, int *regions)
{
	const struct tui_detail *d = a->detail;
	int shown = d != NULL && d->id == a->m.sel_id && d->name != NULL;

	*regions = 0;
	if (a->sim.active && a->pane == PANE_LIST) {
		/* the similar list: the region under the cursor */
		const struct tui_row *r = model_row(&a->m, a->m.cursor);
		if (r == NULL || !r->sim) {
			tui_message(a, TR_STATUS_WARN, "no region selected");
			return -1;
		}
		snprintf(query, n, "file:%lld idx:%d", (long long)r->id, r->region);
		*regions = 1;
		return 1;
	}
	if (a->pane == PANE_DETAIL) {
		if (!shown) {
			tui_message(a, TR_STATUS_WARN, "no file selected");
			return -1;
		}
		if (a->region >= 0 && a->region < d->n_regions) {
			snprintf(query, n, "file:%lld idx:%d", (long long)d->id, a->region);
			*regions = 1;
		} else {
			snprintf(query, n, "id:%lld", (long long)d->id);
		}
		return 1;
	}
	if (a->m.total <= 0) {
		tui_message(a, TR_STATUS_WARN, a->m.total == 0 ? "nothing to export: no file matches" :
		            "still counting the list; try again");
		return -1;
	}
	if (a->sort[0])
		snprintf(query, n, "%s sort:%s", a->filter, a->sort);
	else
		snprintf(query, n, "%s", a->filter);
	return a->m.total;
}

void tui_export_start(struct tui_app *a, int force)
{
	struct tui_export *x;
	char query[700];
	int regions;
	long count;
	char *dir;

	if (a->exp != NULL) {
		tui_message(a, TR_STATUS_WARN, "an export is running (Esc cancels it)");
		return;
	}
	if ((count = what(a, query, sizeof(query), &regions)) < 0)
		return;
	dir = path_expand(a->export_dir[0] ? a->export_dir : "~/grym-export");
	if (count > EXPORT_CONFIRM_OVER && time_now() - a->export_confirm > EXPORT_CONFIRM_S) {
		a->export_confirm = time_now();
		tui_message(a, TR_STATUS_WARN, "export all %ld files to %s? press e again", count, dir);
		free(dir);
		return;
	}
	a->export_confirm = 0;
	x = xcalloc(1, sizeof(*x));
	atomic_init(&x->cancel, 0);
	x->catalog = xstrdup(a->opts->catalog);
	x->query = xstrdup(query);
	x->dir = dir;
	x->regions = regions;
	x->force = force;
	switch (a->opts->cfg->key_notation) {
	case 1: x->key_style = AN_KEY_CAMELOT; break;
	case 2: x->key_style = AN_KEY_OPENKEY; break;
	default: x->key_style = a->opts->cfg->key_flats ? AN_KEY_FLAT : AN_KEY_SHARP; break;
	}
	if (pthread_create(&x->th, NULL, run, x) != 0) {
		tui_message(a, TR_STATUS_ERR, "can't start the export thread");
		free(x->catalog);
		free(x->query);
		free(x->dir);
		free(x);
		return;
	}
	a->exp = x;
	snprintf(a->export_prog, sizeof(a->export_prog), "exporting...");
	a->dirty |= TUI_DIRTY_STATUS;
}

int tui_export_cancel(struct tui_app *a)
{
	if (a->exp == NULL)
		return 0;
	atomic_store(&a->exp->cancel, 1);
	tui_message(a, TR_STATUS_WARN, "cancelling the export...");
	return 1;
}

static void join(struct tui_app *a)
{
	struct tui_export *x = a->exp;

	if (x == NULL)
		return;
	pthread_join(x->th, NULL);
	free(x->catalog);
	free(x->query);
	free(x->dir);
	free(x);
	a->exp = NULL;
	a->export_prog[0] = '\0';
}

void tui_export_event(struct tui_app *a, const struct ui_event *ev)
{
	if (ev->type == TUI_EV_EXPORT) {
		if (a->exp == NULL)
			return;              /* a late progress event of a finished export */
		char *name = str_escape_term(ev->text);
		snprintf(a->export_prog, sizeof(a->export_prog), "export %lld/%lld %.0f%% %s (Esc cancels)",
		         (long long)ev->a + 1, (long long)ev->b, ev->x * 100, name);
		free(name);
		return;
	}
	join(a);              /* the worker posted its last event: the join is quick */
	tui_message(a, ev->a < 0 || ev->b > 0 ? TR_STATUS_ERR : TR_STATUS, "%s", ev->text);
}

void tui_export_free(struct tui_app *a)
{
	if (a->exp != NULL)
		atomic_store(&a->exp->cancel, 1);
	join(a);
}
