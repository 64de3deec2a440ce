/*
 * input.c - the bottom input line: the filter bar (/) and the command line
 * (:).  Editing is UTF-8 aware (left/right, home/end or C-a/C-e, backspace,
 * C-u).  The filter is live: every edit parses the text with the query
 * language on this thread (microseconds, no I/O); a valid query goes to the
 * loader, an invalid one shows the error and its position while the last
 * good result stays on screen.  Enter keeps, Esc restores the filter that
 * was in force before the bar opened.
 *
 * Thread rules: UI thread only.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "grym/catalog.h"
#include "grym/util.h"
#include "tui_int.h"

static void filter_live(struct tui_app *a)
{
	struct gr_err err = { 0 };
	size_t pos = 0;
	struct cat_query *q = cat_query_parse(a->in.buf, &pos, &err);

	if (q == NULL) {
		char *e = str_escape_term(err.msg);
		str_lcpy(a->in_err, e, sizeof(a->in_err));
		free(e);
		a->in_errpos = (long)(pos <= a->in.len ? pos : a->in.len);
		a->dirty |= TUI_DIRTY_INPUT;
		return;     /* keep showing the last good result */
	}
	cat_query_free(q);
	a->in_err[0] = '\0';
	if (strcmp(a->filter, a->in.buf)) {
		str_lcpy(a->filter, a->in.buf, sizeof(a->filter));
		cmd_apply_query(a);
	}
	a->dirty |= TUI_DIRTY_INPUT;
}

void tui_input_key(struct tui_app *a, int code)
{
	struct tui_input *in = &a->in;
	int changed = 0;

	if (code == 27) {                             /* Esc: cancel */
		if (a->mode == MODE_FILTER && strcmp(a->filter, a->filter_before)) {
			str_lcpy(a->filter, a->filter_before, sizeof(a->filter));
			cmd_apply_query(a);
		}
		a->mode = MODE_NORMAL;
		a->in_err[0] = '\0';
	} else if (code == '\n' || code == '\r' || code == TUI_KEY_FN + KEY_ENTER) {
		int mode = a->mode;
		a->mode = MODE_NORMAL;
		if (mode == MODE_COMMAND) {
			char line[sizeof(in->buf)];
			str_lcpy(line, in->buf, sizeof(line));
			cmd_line(a, line);
		} else if (a->in_err[0]) {
			tui_message(a, TR_STATUS_ERR, "filter not applied: %s", a->in_err);
			a->in_err[0] = '\0';
		}
	} else if (code == TUI_KEY_FN + KEY_BACKSPACE || code == 127 || code == 8) {
		if (in->cur > 0) {
			size_t k = in->cur - 1;
			while (k > 0 && ((unsigned char)in->buf[k] & 0xc0) == 0x80)
				k--;
			memmove(in->buf + k, in->buf + in->cur, in->len - in->cur + 1);
			in->len -= in->cur - k;
			in->cur = k;
			changed = 1;
		} else if (in->len == 0) {
			a->mode = MODE_NORMAL;               /* backspace on empty closes */
		}
	} else if (code == TUI_KEY_FN + KEY_LEFT) {
		while (in->cur > 0 && ((unsigned char)in->buf[--in->cur] & 0xc0) == 0x80)
			;
	} else if (code == TUI_KEY_FN + KEY_RIGHT) {
		while (in->cur < in->len && ((unsigned char)in->buf[++in->cur] & 0xc0) == 0x80)
			;
	} else if (code == TUI_KEY_FN + KEY_HOME || code == 1) {
		in->cur = 0;
	} else if (code == TUI_KEY_FN + KEY_END || code == 5) {
		in->cur = in->len;
	} else if (code == 21) {                      /* C-u */
		in->buf[0] = '\0';
		in->len = in->cur = 0;
		changed = 1;
	} else if (code >= 32 && code < TUI_KEY_FN && code != 127) {
		char u[8];
		mbstate_t st;
		memset(&st, 0, sizeof(st));
		size_t n = wcrtomb(u, (wchar_t)code, &st);
		if (n != (size_t)-1 && in->len + n < sizeof(in->buf)) {
			memmove(in->buf + in->cur + n, in->buf + in->cur, in->len - in->cur + 1);
			memcpy(in->buf + in->cur, u, n);
			in->len += n;
			in->cur += n;
			changed = 1;
		}
	}
	if (changed && a->mode == MODE_FILTER) {
		tui_bench_key(a, "filter");
		filter_live(a);
	}
	a->dirty |= TUI_DIRTY_ALL;
}

