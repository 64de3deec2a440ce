/*
 * test_tui_model.c - the browser's list model: paging, cursor and scroll,
 * and the selection surviving a refresh while rows move around it.
 *
 * A fake "catalog" here is an array of file ids; pages are cut from it
 * exactly as the loader would send them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../src/tui/tui_int.h"

/* Rows [first, first+n) of a list of ids (n clipped to the list). */
static void deliver(struct tui_model *m, unsigned gen, const int64_t *ids, long nids,
                    long pageno)
{
	long first = pageno * TUI_PAGE_ROWS;
	int n = 0;
	struct tui_row *rows = calloc(TUI_PAGE_ROWS, sizeof(*rows));

	for (long i = first; i < nids && n < TUI_PAGE_ROWS; i++, n++) {
		rows[n].id = ids[i];
		rows[n].name = malloc(32);
		snprintf(rows[n].name, 32, "file%lld", (long long)ids[i]);
		rows[n].tags = calloc(1, 1);
	}
	model_put_page(m, gen, first, rows, n);
}

/* Answer every page the model wants from ids. */
static int serve(struct tui_model *m, const int64_t *ids, long nids)
{
	long want[TUI_MAX_PENDING];
	int n = model_wanted(m, want, TUI_MAX_PENDING);
	for (int i = 0; i < n; i++)
		deliver(m, m->gen, ids, nids, want[i]);
	return n;
}

static int64_t *make_ids(long n, int64_t base)
{
	int64_t *ids = malloc((size_t)n * sizeof(*ids));
	for (long i = 0; i < n; i++)
		ids[i] = base + i;
	return ids;
}

static void test_first_page_then_count(void **state)
{
	struct tui_model m;
	int64_t *ids = make_ids(1000, 1);
	long want[TUI_MAX_PENDING];
	int n;

	model_init(&m);
	model_reset(&m);
	model_set_height(&m, 20);
	n = model_wanted(&m, want, TUI_MAX_PENDING);
	assert_true(n >= 1);
	assert_int_equal(want[0], 0);
	/* asked once, not again while in flight */
	assert_int_equal(model_wanted(&m, want, TUI_MAX_PENDING), 0);
	deliver(&m, m.gen, ids, 1000, 0);
	assert_int_equal(m.total, -1);                 /* full page: count unknown */
	assert_int_equal(model_limit(&m), TUI_PAGE_ROWS);
	assert_int_equal(m.sel_id, 1);
	assert_string_equal(model_row(&m, 5)->name, "file6");
	model_set_total(&m, m.gen, 1000);
	assert_int_equal(model_limit(&m), 1000);
	model_fini(&m);
	free(ids);
}

static void test_cursor_scroll(void **state)
{
	struct tui_model m;
	int64_t *ids = make_ids(1000, 1);

	model_init(&m);
	model_reset(&m);
	model_set_height(&m, 10);
	model_set_total(&m, m.gen, 1000);
	serve(&m, ids, 1000);
	model_move(&m, 15);
	assert_int_equal(m.cursor, 15);
	assert_int_equal(m.top, 6);                    /* cursor on the last visible row */
	model_move(&m, -100);
	assert_int_equal(m.cursor, 0);
	assert_int_equal(m.top, 0);
	model_goto(&m, 999);
	assert_int_equal(m.cursor, 999);
	assert_int_equal(m.top, 990);
	assert_int_equal(m.sel_id, 0);                 /* that page is not loaded yet */
	assert_null(model_row(&m, 999));
	assert_true(serve(&m, ids, 1000) >= 1);
	assert_int_equal(m.sel_id, 1000);
	model_move(&m, 5);                             /* can't go past the end */
	assert_int_equal(m.cursor, 999);
	/* a smaller window keeps the cursor visible */
	model_set_height(&m, 3);
	assert_true(m.cursor >= m.top && m.cursor < m.top + 3);
	model_fini(&m);
	free(ids);
}

static void test_paging_bounded_cache(void **state)
{
	struct tui_model m;
	long nids = 100000;
	int64_t *ids = make_ids(nids, 1);
	int loaded = 0;

	model_init(&m);
	model_reset(&m);
	model_set_height(&m, 40);
	model_set_total(&m, m.gen, nids);
	/* walk the whole list a page at a time, fetching as the view asks */
	for (long i = 0; i < nids; i += 40) {
		model_goto(&m, i);
		serve(&m, ids, nids);
		assert_non_null(model_row(&m, i));
		assert_int_equal(model_row(&m, i)->id, i + 1);
	}
	for (int i = 0; i < TUI_MAX_PAGES; i++)
		loaded += m.pages[i].first >= 0;
	assert_true(loaded <= TUI_MAX_PAGES);
	/* the last rows are still there, the first ones were evicted */
	assert_non_null(model_row(&m, nids - 1));
	assert_null(model_row(&m, 0));
	model_fini(&m);
	free(ids);
}

static void test_selection_survives_refresh(void **state)
{
	struct tui_model m;
	long n = 600;
	int64_t *ids = make_ids(n, 1);
	int64_t *moved = malloc((size_t)(n + 3) * sizeof(*moved));
	unsigned g;

	model_init(&m);
	model_reset(&m);
	model_set_height(&m, 20);
	model_set_total(&m, m.gen, n);
	serve(&m, ids, n);
	model_goto(&m, 300);
	serve(&m, ids, n);
	assert_int_equal(m.sel_id, 301);
	long screen_off = m.cursor - m.top;

	/* another process adds three files sorted before ours */
	moved[0] = 9001;
	moved[1] = 9002;
	moved[2] = 9003;
	memcpy(moved + 3, ids, (size_t)n * sizeof(*ids));
	g = model_refresh(&m);
	/* stale rows stay visible until the fresh ones arrive */
	assert_non_null(model_row(&m, 300));
	assert_int_equal(m.sel_id, 301);
	model_set_total(&m, g, n + 3);
	serve(&m, moved, n + 3);
	assert_int_equal(m.cursor, 303);
	assert_int_equal(m.sel_id, 301);
	assert_int_equal(m.cursor - m.top, screen_off);  /* same place on screen */
	assert_int_equal(model_row(&m, m.cursor)->id, 301);

	/* answers to requests of an older generation are dropped */
	g = model_refresh(&m);
	deliver(&m, g - 1, ids, n, 1);
	assert_int_equal(model_row(&m, 303)->id, 301);   /* untouched */
	serve(&m, moved, n + 3);
	assert_int_equal(m.sel_id, 301);

	/* the selected file disappears: the cursor keeps its index */
	g = model_refresh(&m);
	memmove(moved + 303, moved + 304, (size_t)(n + 3 - 304) * sizeof(*moved));
	model_set_total(&m, g, n + 2);
	serve(&m, moved, n + 2);
	assert_int_equal(m.cursor, 303);
	assert_int_equal(m.sel_id, 302);
	assert_int_equal(m.seek_sel, 0);
	model_fini(&m);
	free(ids);
	free(moved);
}

static void test_shrink_and_empty(void **state)
{
	struct tui_model m;
	int64_t *ids = make_ids(50, 1);
	unsigned g;

	model_init(&m);
	model_reset(&m);
	model_set_height(&m, 10);
	serve(&m, ids, 50);
	assert_int_equal(m.total, 50);                 /* short page: exact count */
	model_goto(&m, 49);
	/* a filter that matches nothing */
	g = model_reset(&m);
	model_set_total(&m, g, 0);
	assert_int_equal(model_limit(&m), 0);
	assert_int_equal(m.cursor, 0);
	assert_null(model_row(&m, 0));
	long want[TUI_MAX_PENDING];
	assert_int_equal(model_wanted(&m, want, TUI_MAX_PENDING), 0);
	model_move(&m, 1);
	assert_int_equal(m.cursor, 0);
	assert_int_equal(m.sel_id, 0);
	model_fini(&m);
	free(ids);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_page_then_count),
		cmocka_unit_test(test_cursor_scroll),
		cmocka_unit_test(test_paging_bounded_cache),
		cmocka_unit_test(test_selection_survives_refresh),
		cmocka_unit_test(test_shrink_and_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
