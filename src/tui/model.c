/*
 * model.c - the file list's model: how many rows match, where the cursor
 * and the scroll are, which file is selected, and a bounded cache of row
 * pages fetched by the loader thread.  No ncurses, no catalog: the unit
 * tests drive it directly (cmus's window.c idea).
 *
 * Paging: rows come in pages of TUI_PAGE_ROWS.  model_wanted() names the
 * pages around the view that are missing or stale; the loader fetches them
 * and model_put_page() stores them, evicting the page farthest from the
 * cursor when the cache is full.  Every page carries the generation it was
 * loaded for: a new query or a refresh bumps the generation, so answers to
 * old requests are dropped, while stale pages stay on screen after a
 * refresh until their replacements arrive (no flicker).
 *
 * Selection: the cursor is a row index, but what the user selected is a
 * file (sel_id).  After a refresh the model looks for sel_id in the fresh
 * pages and moves the cursor to wherever that file went.
 *
 * Costs: every operation is O(TUI_MAX_PAGES) or O(rows of one page).
 * Thread rules: UI thread only.
 */
#include <stdlib.h>
#include <string.h>

#include "tui_int.h"

void tui_rows_free(struct tui_row *rows, int n)
{
	if (rows == NULL)
		return;
	for (int i = 0; i < n; i++) {
		free(rows[i].name);
		free(rows[i].tags);
	}
	free(rows);
}

static void drop_page(struct tui_page *p)
{
	tui_rows_free(p->rows, p->n);
	p->rows = NULL;
	p->n = 0;
	p->first = -1;
}

static void clear_pending(struct tui_model *m)
{
	for (int i = 0; i < TUI_MAX_PENDING; i++)
		m->pending[i] = -1;
}

void model_init(struct tui_model *m)
{
	memset(m, 0, sizeof(*m));
	m->total = -1;
	m->height = 1;
	for (int i = 0; i < TUI_MAX_PAGES; i++)
		m->pages[i].first = -1;
	clear_pending(m);
}

void model_fini(struct tui_model *m)
{
	for (int i = 0; i < TUI_MAX_PAGES; i++)
		drop_page(&m->pages[i]);
}

unsigned model_reset(struct tui_model *m)
{
	for (int i = 0; i < TUI_MAX_PAGES; i++)
		drop_page(&m->pages[i]);
	clear_pending(m);
	m->total = -1;
	m->end_seen = 0;
	m->cursor = m->top = 0;
	m->sel_id = 0;
	m->seek_sel = 0;
	return ++m->gen;
}

unsigned model_refresh(struct tui_model *m)
{
	clear_pending(m);
	m->seek_sel = m->sel_id != 0;
	return ++m->gen;
}

long model_limit(const struct tui_model *m)
{
	return m->total >= 0 ? m->total : m->end_seen;
}

static struct tui_page *page_of(const struct tui_model *m, long idx)
{
	long first = idx - idx % TUI_PAGE_ROWS;
	for (int i = 0; i < TUI_MAX_PAGES; i++)
		if (m->pages[i].first == first)
			return (struct tui_page *)&m->pages[i];
	return NULL;
}

const struct tui_row *model_row(const struct tui_model *m, long idx)
{
	struct tui_page *p;

	if (idx < 0)
		return NULL;
	p = page_of(m, idx);
	if (p == NULL || idx - p->first >= p->n)
		return NULL;
	return &p->rows[idx - p->first];
}

long model_find(const struct tui_model *m, int64_t id)
{
	for (int i = 0; i < TUI_MAX_PAGES; i++) {
		const struct tui_page *p = &m->pages[i];
		if (p->first < 0 || p->gen != m->gen)
			continue;
		for (int j = 0; j < p->n; j++)
			if (p->rows[j].id == id)
				return p->first + j;
	}
	return -1;
}

/* Keep the cursor inside the list and the view around the cursor. */
static void clamp(struct tui_model *m)
{
	long lim = model_limit(m);

	if (m->cursor >= lim)
		m->cursor = lim - 1;
	if (m->cursor < 0)
		m->cursor = 0;
	if (m->cursor < m->top)
		m->top = m->cursor;
	if (m->cursor >= m->top + m->height)
		m->top = m->cursor - m->height + 1;
	/* no empty space below the last row when the list is long enough */
	if (lim > 0 && m->top > lim - m->height)
		m->top = lim - m->height;
	if (m->top < 0)
		m->top = 0;
}

/* The selection follows the cursor once the cursor's row is known. */
static void sync_sel(struct tui_model *m)
{
	const struct tui_row *r;

	if (m->seek_sel)
		return;
	r = model_row(m, m->cursor);
	m->sel_id = r != NULL ? r->id : 0;
}

void model_set_height(struct tui_model *m, int height)
{
	m->height = height < 1 ? 1 : height;
	clamp(m);
}

void model_goto(struct tui_model *m, long idx)
{
	m->cursor = idx;
	m->seek_sel = 0;    /* the user moved: stop following the old file */
	clamp(m);
	sync_sel(m);
}

void model_move(struct tui_model *m, long delta)
{
	model_goto(m, m->cursor + delta);
}

/* Look for the selected file in the fresh pages; give up once every page
 * around the view is fresh and it is not there (it was removed or
 * filtered out: the cursor keeps its row index). */
static void seek(struct tui_model *m)
{
	long idx = model_find(m, m->sel_id);
	long first, last;

	if (idx >= 0) {
		long off = m->cursor - m->top;    /* keep its place on screen */
		m->cursor = idx;
		m->top = idx - off;
		m->seek_sel = 0;
		clamp(m);
		return;
	}
	first = m->top - m->top % TUI_PAGE_ROWS;
	last = m->top + m->height;
	if (model_limit(m) > 0 && last > model_limit(m))
		last = model_limit(m);
	for (long p = first; p < last; p += TUI_PAGE_ROWS) {
		struct tui_page *pg = page_of(m, p);
		if (pg == NULL || pg->gen != m->gen)
			return;     /* still waiting for this one */
	}
	m->seek_sel = 0;
	clamp(m);
	sync_sel(m);
}

void model_set_total(struct tui_model *m, unsigned gen, long total)
{
	if (gen != m->gen)
		return;
	m->total = total < 0 ? 0 : total;
	/* pages beyond the end (the list shrank) are of no use */
	for (int i = 0; i < TUI_MAX_PAGES; i++)
		if (m->pages[i].first >= m->total && m->pages[i].first > 0)
			drop_page(&m->pages[i]);
	if (m->end_seen > m->total)
		m->end_seen = m->total;
	clamp(m);
	if (m->seek_sel)
		seek(m);
	else
		sync_sel(m);
}

static void unpend(struct tui_model *m, long pageno)
{
	for (int i = 0; i < TUI_MAX_PENDING; i++)
		if (m->pending[i] == pageno)
			m->pending[i] = -1;
}

/* A slot for page `first`: its old slot, a free one, or the one farthest
 * from the cursor. */
static struct tui_page *slot_for(struct tui_model *m, long first)
{
	struct tui_page *best = NULL;
	long bestd = -1;

	for (int i = 0; i < TUI_MAX_PAGES; i++)
		if (m->pages[i].first == first)
			return &m->pages[i];
	for (int i = 0; i < TUI_MAX_PAGES; i++) {
		struct tui_page *p = &m->pages[i];
		long d;
		if (p->first < 0)
			return p;
		d = labs(p->first + TUI_PAGE_ROWS / 2 - m->cursor);
		if (d > bestd) {
			bestd = d;
			best = p;
		}
	}
	return best;
}

void model_put_page(struct tui_model *m, unsigned gen, long first, struct tui_row *rows,
                    int n)
{
	struct tui_page *p;

	if (gen != m->gen || first < 0 || first % TUI_PAGE_ROWS != 0) {
		tui_rows_free(rows, n);
		return;
	}
	unpend(m, first / TUI_PAGE_ROWS);
	p = slot_for(m, first);
	drop_page(p);
	p->first = first;
	p->rows = rows;
	p->n = n;
	p->gen = gen;
	if (first + n > m->end_seen)
		m->end_seen = first + n;
	if (n < TUI_PAGE_ROWS) {
		/* a short page is the end of the list: an exact count */
		if (m->total < 0 || m->total != first + n)
			m->total = first + n;
		m->end_seen = first + n;
	}
	clamp(m);
	if (m->seek_sel)
		seek(m);
	else
		sync_sel(m);
}

static int is_pending(const struct tui_model *m, long pageno)
{
	for (int i = 0; i < TUI_MAX_PENDING; i++)
		if (m->pending[i] == pageno)
			return 1;
	return 0;
}

static int add_pending(struct tui_model *m, long pageno)
{
	for (int i = 0; i < TUI_MAX_PENDING; i++) {
		if (m->pending[i] < 0) {
			m->pending[i] = pageno;
			return 1;
		}
	}
	return 0;
}

int model_wanted(struct tui_model *m, long *pages, int max)
{
	long lim = m->total >= 0 ? m->total : -1;
	long from = m->top - TUI_PAGE_ROWS / 2, to = m->top + m->height + TUI_PAGE_ROWS / 2;
	int n = 0;

	if (from < 0)
		from = 0;
	/* the cursor's own page first: it decides the selection */
	long order[64];
	int no = 0;
	order[no++] = m->cursor / TUI_PAGE_ROWS;
	for (long p = from / TUI_PAGE_ROWS; p <= to / TUI_PAGE_ROWS && no < 64; p++)
		if (p != order[0])
			order[no++] = p;
	for (int i = 0; i < no && n < max; i++) {
		long pg = order[i];
		struct tui_page *have;
		if (lim >= 0 && pg * TUI_PAGE_ROWS >= lim)
			continue;
		/* while counting, don't run past a known end */
		if (lim < 0 && m->end_seen % TUI_PAGE_ROWS != 0 && pg * TUI_PAGE_ROWS > m->end_seen)
			continue;
		have = page_of(m, pg * TUI_PAGE_ROWS);
		if (have != NULL && have->gen == m->gen)
			continue;
		if (is_pending(m, pg))
			continue;
		if (!add_pending(m, pg))
			break;
		pages[n++] = pg;
	}
	return n;
}
