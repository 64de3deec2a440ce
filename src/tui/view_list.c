/*
 * view_list.c - the file list: a header of column titles, then one row per
 * file (name, duration, class, key, BPM, regions, tags) from the model's
 * cached pages.  Rows not fetched yet show as "..." until their page
 * arrives: drawing never waits for the catalog.
 *
 * Column widths adapt to the pane: the fixed columns take 38 cells, the
 * name gets 60 % of the rest and the tags 40 % (tags are dropped below 70
 * cells).  The sort column's title carries an arrow.
 *
 * The similar list (s) uses the same columns: the name column shows the
 * score and "file #region", the duration is the region's, and the last
 * fixed column the region index.
 *
 * Costs: O(visible rows).  Thread rules: UI thread only.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "grym/analysis.h"
#include "grym/catalog.h"
#include "tui_int.h"

struct cols { int name, dur, cls, key, bpm, reg, tags; };

static struct cols widths(int w)
{
	struct cols c = { 0, 8, 12, 5, 7, 5, 0 };
	int rest = w - (c.dur + c.cls + c.key + c.bpm + c.reg) - 1;

	if (rest < 12) {            /* very narrow: name, duration, class only */
		c.key = c.bpm = c.reg = 0;
		rest = w - (c.dur + c.cls) - 1;
	}
	if (w >= 70) {
		c.tags = rest * 2 / 5;
		c.name = rest - c.tags;
	} else {
		c.name = rest;
	}
	if (c.name < 4)
		c.name = 4;
	return c;
}

static const char *sort_mark(const struct tui_app *a, const char *field)
{
	const char *s = a->sort;
	int desc = s[0] == '-';

	if (desc)
		s++;
	if (strcmp(s, field))
		return "";
	if (a->ascii)
		return desc ? "v" : "^";
	return desc ? "\xe2\x96\xbc" : "\xe2\x96\xb2";
}

static void header(struct tui_app *a, int y, int x, const struct cols *c)
{
	char buf[64];
	int at = draw_attr(a, TR_HEADER);

	draw_fill(y, x, a->list.w, at);
	if (a->sim.active) {
		char title[224];
		snprintf(title, sizeof(title), "score  like %s", a->sim.title);
		draw_text(y, x, c->name, title, at);
	} else {
		snprintf(buf, sizeof(buf), "name%s", sort_mark(a, "name"));
		draw_text(y, x, c->name, buf, at);
	}
	x += c->name + 1;
	snprintf(buf, sizeof(buf), "%*s%s", c->dur - 2, "dur", sort_mark(a, "dur"));
	draw_text(y, x, c->dur, buf, at);
	x += c->dur;
	snprintf(buf, sizeof(buf), " class%s", sort_mark(a, "class"));
	draw_text(y, x, c->cls, buf, at);
	x += c->cls;
	if (c->key) {
		snprintf(buf, sizeof(buf), "key%s", sort_mark(a, "key"));
		draw_text(y, x, c->key, buf, at);
		x += c->key;
		snprintf(buf, sizeof(buf), "%*s%s", c->bpm - 2, "bpm", sort_mark(a, "bpm"));
		draw_text(y, x, c->bpm, buf, at);
		x += c->bpm;
		draw_text(y, x, c->reg, a->sim.active ? "   #" : "  rg", at);
		x += c->reg;
	}
	if (c->tags)
		draw_text(y, x + 1, c->tags - 1, "tags", at);
}

static void row(struct tui_app *a, int y, int x, const struct cols *c,
                const struct tui_row *r, int at, int cursor)
{
	char buf[64];
	int cls_at = at;

	draw_fill(y, x, a->list.w, at);
	if (r == NULL) {
		draw_text(y, x, c->name, "...", cursor ? at : draw_attr(a, TR_DIM));
		return;
	}
	if (!cursor && r->cls >= 0 && r->cls < AN_NCLASS)
		cls_at = draw_attr(a, TR_CLASS0 + r->cls);
	if (!cursor && (r->status == CAT_ST_FAILED || r->missing))
		at = cls_at = draw_attr(a, TR_FAILED);
	if (r->sim) {
		char name[512];
		snprintf(name, sizeof(name), "%5.3f  %s", r->score, r->name);
		draw_text(y, x, c->name, name, at);
	} else {
		draw_text(y, x, c->name, r->name, at);
	}
	x += c->name + 1;
	char tb[32];
	snprintf(buf, sizeof(buf), "%*s ", c->dur - 1, fmt_time(r->duration, tb, sizeof(tb)));
	draw_text(y, x, c->dur, buf, at);
	x += c->dur;
	if (r->status == CAT_ST_FAILED)
		snprintf(buf, sizeof(buf), " failed");
	else if (r->missing)
		snprintf(buf, sizeof(buf), " missing");
	else if (r->cls >= 0)
		snprintf(buf, sizeof(buf), " %s", an_class_name(r->cls));
	else
		snprintf(buf, sizeof(buf), " -");
	draw_text(y, x, c->cls, buf, cls_at);
	x += c->cls;
	if (c->key) {
		draw_text(y, x, c->key, fmt_key(a, r->key, buf, sizeof(buf)), at);
		x += c->key;
		if (r->has_tempo)
			snprintf(buf, sizeof(buf), "%*.1f", c->bpm - 1, r->bpm);
		else
			snprintf(buf, sizeof(buf), "%*s", c->bpm - 1, "-");
		draw_text(y, x, c->bpm, buf, at);
		x += c->bpm;
		snprintf(buf, sizeof(buf), "%4d", r->n_regions);
		draw_text(y, x, c->reg, buf, at);
		x += c->reg;
	}
	if (c->tags)
		draw_text(y, x + 1, c->tags - 1, r->tags, at);
}

void view_list_draw(struct tui_app *a)
{
	struct tui_box *b = &a->list;
	struct cols c = widths(b->w);
	long lim = model_limit(&a->m);
	int cur_at = draw_attr(a, a->pane == PANE_LIST ? TR_CURSOR : TR_CURSOR_DIM);
	int err_shown = 0;

	header(a, b->y, b->x, &c);
	for (int i = 0; i < b->h - 1; i++) {
		long idx = a->m.top + i;
		int y = b->y + 1 + i;
		if (idx >= lim) {
			draw_fill(y, b->x, b->w, draw_attr(a, TR_NORMAL));
			if (i == 0 && lim == 0 && a->m.total == 0)
				draw_text(y, b->x + 1, b->w - 1, a->filter[0] ?
				          "no file matches the filter" :
				          "the catalog is empty: press a (or :scan DIR) to add a folder",
				          draw_attr(a, TR_DIM));
			else if (i == 0 && lim == 0 && a->list_err[0])
				draw_text(y, b->x + 1, b->w - 1, a->list_err, draw_attr(a, TR_FAILED));
			else if (i == 0 && lim == 0)
				draw_text(y, b->x + 1, b->w - 1, a->opened < 0 ? "catalog not available" :
				          "loading...", draw_attr(a, TR_DIM));
			continue;
		}
		int is_cur = idx == a->m.cursor;
		const struct tui_row *r = model_row(&a->m, idx);
		if (r == NULL && a->list_err[0] && !err_shown) {
			draw_fill(y, b->x, b->w, draw_attr(a, TR_NORMAL));
			draw_text(y, b->x + 1, b->w - 1, a->list_err, draw_attr(a, TR_FAILED));
			err_shown = 1;
			continue;
		}
		row(a, y, b->x, &c, r, is_cur ? cur_at : draw_attr(a, TR_NORMAL), is_cur);
	}
}

long view_list_hit(const struct tui_app *a, int y, int x)
{
	const struct tui_box *b = &a->list;

	if (y <= b->y || y >= b->y + b->h || x < b->x || x >= b->x + b->w)
		return -1;
	long idx = a->m.top + (y - b->y - 1);
	return idx < model_limit(&a->m) ? idx : -1;
}
