/*
 * widgets.c - the status line, the bottom input line (filter bar, command
 * line, or the applied filter and hints), the help overlay generated from
 * the keymap, and the "terminal too small" message.
 *
 * Status line, left to right: catalog name, matching/total files, regions,
 * a running scan's progress (from the catalog's job counts, so a scan
 * started by another process shows too), failures, plugins switched off
 * by the circuit breaker; a transient message replaces the right part.
 *
 * Costs: O(width).  Thread rules: UI thread only.
 */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grym/util.h"
#include "tui_int.h"

void tui_message(struct tui_app *a, int role, const char *fmt, ...)
{
	va_list ap;
	char raw[sizeof(a->msg)];
	char *e;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	e = str_escape_term(raw);     /* messages may quote names and errors */
	str_lcpy(a->msg, e, sizeof(a->msg));
	free(e);
	a->msg_role = role;
	a->msg_until = time_now() + 5.0;
	a->dirty |= TUI_DIRTY_STATUS;
}

void widgets_status_draw(struct tui_app *a)
{
	char left[256], right[256];
	int n = 0, at = draw_attr(a, TR_STATUS), w = a->cols;
	const struct tui_status *s = &a->st;

	n += snprintf(left + n, sizeof(left) - (size_t)n, " %s ", path_base(a->opts->catalog));
	if (a->opened < 0) {
		snprintf(left + n, sizeof(left) - (size_t)n, "| catalog not available");
	} else if (a->m.total < 0) {
		snprintf(left + n, sizeof(left) - (size_t)n, "| counting...");
	} else if (a->filter[0] && a->have_st) {
		n += snprintf(left + n, sizeof(left) - (size_t)n, "| %ld of %lld files",
		              a->m.total, (long long)s->files);
	} else {
		n += snprintf(left + n, sizeof(left) - (size_t)n, "| %ld files", a->m.total);
	}
	if (a->have_st && a->opened > 0) {
		n = (int)strlen(left);
		n += snprintf(left + n, sizeof(left) - (size_t)n, ", %lld regions",
		              (long long)s->regions);
		int64_t total = s->queued + s->running + s->done + s->jfailed;
		if (s->queued + s->running > 0)
			n += snprintf(left + n, sizeof(left) - (size_t)n, " | scan %lld/%lld",
			              (long long)(s->done + s->jfailed), (long long)total);
		if (s->failed > 0)
			n += snprintf(left + n, sizeof(left) - (size_t)n, " | %lld failed",
			              (long long)s->failed);
		if (s->missing > 0)
			n += snprintf(left + n, sizeof(left) - (size_t)n, " | %lld missing",
			              (long long)s->missing);
		if (s->disabled > 0)
			snprintf(left + n, sizeof(left) - (size_t)n, " | plugins off: %s",
			         s->disabled_names);
	}
	draw_fill(a->status_y, 0, w, at);
	draw_text(a->status_y, 0, w, left, at);
	if (a->msg[0] && time_now() < a->msg_until) {
		int role = a->msg_role ? a->msg_role : TR_STATUS;
		snprintf(right, sizeof(right), " %s ", a->msg);
		int rw = draw_width(right), lw = draw_width(left);
		int x = w - rw;
		if (x < lw + 1)
			x = lw + 1 < w / 3 ? lw + 1 : w / 3;
		draw_text(a->status_y, x, w - x, right, draw_attr(a, role));
	} else if (a->playing) {
		draw_text(a->status_y, w - 10, 10, " playing ", draw_attr(a, TR_STATUS_WARN));
	}
}

void widgets_input_draw(struct tui_app *a)
{
	int y = a->input_y, w = a->cols, at = draw_attr(a, TR_INPUT);
	char buf[700];

	draw_fill(y, 0, w, at);
	if (a->mode == MODE_FILTER || a->mode == MODE_COMMAND) {
		char lead = a->mode == MODE_FILTER ? '/' : ':';
		int x = 0;
		mvaddch(y, 0, (chtype)lead | (chtype)at);
		x = 1;
		/* the text, with the character at the error position marked */
		if (a->mode == MODE_FILTER && a->in_err[0] && a->in_errpos >= 0 &&
		    (size_t)a->in_errpos <= a->in.len) {
			char pre[512];
			memcpy(pre, a->in.buf, (size_t)a->in_errpos);
			pre[a->in_errpos] = '\0';
			x += draw_text(y, x, w - x, pre, at);
			const char *rest = a->in.buf + a->in_errpos;
			char one[8] = " ";
			if (*rest) {
				size_t k = 1;
				while (rest[k] && ((unsigned char)rest[k] & 0xc0) == 0x80 && k < 4)
					k++;
				memcpy(one, rest, k);
				one[k] = '\0';
				rest += k;
			}
			x += draw_text(y, x, 1, one, draw_attr(a, TR_INPUT_ERR) | A_REVERSE);
			x += draw_text(y, x, w - x, rest, at);
		} else {
			x += draw_text(y, x, w - x, a->in.buf, at);
		}
		if (a->mode == MODE_FILTER) {
			if (a->in_err[0])
				snprintf(buf, sizeof(buf), "  %s", a->in_err);
			else if (a->m.total >= 0)
				snprintf(buf, sizeof(buf), "  %ld match%s", a->m.total,
				         a->m.total == 1 ? "" : "es");
			else
				snprintf(buf, sizeof(buf), "  ...");
			int bw = draw_width(buf);
			int bx = x + 1 > w - bw ? x + 1 : w - bw;
			draw_text(y, bx, w - bx, buf, draw_attr(a, a->in_err[0] ? TR_INPUT_ERR : TR_DIM));
		}
		/* the terminal cursor at the edit point */
		char pre[512];
		memcpy(pre, a->in.buf, a->in.cur);
		pre[a->in.cur] = '\0';
		int cx = 1 + draw_width(pre);
		move(y, cx < w ? cx : w - 1);
		return;
	}
	if (a->filter[0])
		snprintf(buf, sizeof(buf), "filter: %s%s%s", a->filter, a->sort[0] ? "  sort:" : "",
		         a->sort);
	else if (a->sort[0])
		snprintf(buf, sizeof(buf), "sort:%s", a->sort);
	else
		snprintf(buf, sizeof(buf), "? help  / filter  : command  enter open  q quit");
	char *e = str_escape_term(buf);
	draw_text(y, 0, w, e, draw_attr(a, TR_DIM));
	free(e);
}

void widgets_help_draw(struct tui_app *a)
{
	int w = a->cols - 4 > 100 ? 100 : a->cols - 4;
	int h = a->rows - 4;
	int x0 = (a->cols - w) / 2, y0 = 2;
	int at = draw_attr(a, TR_HELP), kat = draw_attr(a, TR_HELP_KEY);

	if (a->help_top > a->nhelp - (h - 2))
		a->help_top = a->nhelp - (h - 2);
	if (a->help_top < 0)
		a->help_top = 0;
	draw_fill(y0, x0, w, kat);
	draw_text(y0, x0 + 1, w - 2, "grym keys (from your config; j/k scroll, ? or Esc closes)",
	          kat);
	for (int i = 0; i < h - 2; i++) {
		int li = a->help_top + i, y = y0 + 1 + i;
		draw_fill(y, x0, w, at);
		if (li >= a->nhelp)
			continue;
		const char *l = a->help[li];
		/* the key column in the key colour */
		if (l[0] != ' ' && strlen(l) > 13 && l[12] == ' ') {
			char k[16];
			memcpy(k, l, 12);
			k[12] = '\0';
			draw_text(y, x0 + 1, 12, k, kat);
			draw_text(y, x0 + 13, w - 14, l + 12, at);
		} else {
			draw_text(y, x0 + 1, w - 2, l, l[0] != ' ' && l[0] ? kat : at);
		}
	}
	draw_fill(y0 + h - 1, x0, w, kat);
}

void widgets_too_small_draw(struct tui_app *a)
{
	char buf[128];

	erase();
	snprintf(buf, sizeof(buf), "terminal too small: %dx%d, need 60x16",
	         a->cols, a->rows);
	for (int y = 0; y < a->rows; y++)
		draw_fill(y, 0, a->cols, draw_attr(a, TR_NORMAL));
	int len = (int)strlen(buf);
	int y = a->rows / 2, x = len < a->cols ? (a->cols - len) / 2 : 0;
	draw_text(y, x, a->cols - x, buf, draw_attr(a, TR_STATUS_WARN));
	if (y + 1 < a->rows)
		draw_text(y + 1, x, a->cols - x, "(q quits)", draw_attr(a, TR_DIM));
}
