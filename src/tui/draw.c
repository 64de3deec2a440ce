/*
 * draw.c - drawing helpers shared by the views: the theme turned into
 * ncurses colour pairs, clipped UTF-8 text, and number formats.
 *
 * Text reaching draw_text() has already been escaped (str_escape_term),
 * so it holds no control bytes; draw_text() still refuses any that slip
 * through, and counts cells with wcwidth() so wide characters never push
 * a column out of place.  In a non-UTF-8 locale bytes >= 0x80 become '?'.
 *
 * Costs: O(length of the text).  Thread rules: UI thread only (ncurses).
 */
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "grym/analysis.h"
#include "grym/util.h"
#include "tui_int.h"

static int attrs_of(int ta)
{
	int at = 0;

	if (ta & TA_BOLD)
		at |= A_BOLD;
	if (ta & TA_UNDERLINE)
		at |= A_UNDERLINE;
	if (ta & TA_REVERSE)
		at |= A_REVERSE;
	if (ta & TA_DIM)
		at |= A_DIM;
#ifdef A_ITALIC
	if (ta & TA_ITALIC)
		at |= A_ITALIC;
#endif
	return at;
}

void draw_theme_apply(struct tui_app *a)
{
	const char *nc = getenv("NO_COLOR");
	int colors = 0;

	if (has_colors() && !(nc != NULL && nc[0] != '\0')) {
		start_color();
		use_default_colors();
		colors = COLORS;
	}
	a->depth = theme_depth(colors, nc != NULL && nc[0] != '\0');
	for (int r = 0; r < TR_NROLES; r++) {
		struct tui_pen p = theme_resolve(&a->theme.role[r], a->depth);
		int at = attrs_of(p.attrs);
		if (a->depth > 0 && r + 1 < COLOR_PAIRS) {
			if (a->depth == 0x1000000)
				init_extended_pair(r + 1, p.fg, p.bg);
			else
				init_pair((short)(r + 1), (short)p.fg, (short)p.bg);
			at |= (int)COLOR_PAIR(r + 1);
		}
		a->role_attr[r] = at;
	}
	bkgdset(' ' | (chtype)a->role_attr[TR_NORMAL]);
}

int draw_attr(const struct tui_app *a, int role)
{
	return role >= 0 && role < TR_NROLES ? a->role_attr[role] : 0;
}

int draw_width(const char *s)
{
	mbstate_t st;
	int w = 0;

	memset(&st, 0, sizeof(st));
	while (*s) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, strlen(s), &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&st, 0, sizeof(st));
			w++;
			s++;
			continue;
		}
		int cw = wcwidth(wc);
		w += cw > 0 ? cw : 0;
		s += n;
	}
	return w;
}

void draw_fill(int y, int x, int w, int attr)
{
	if (w <= 0)
		return;
	attrset((attr_t)attr);
	mvhline(y, x, ' ', w);
}

int draw_text(int y, int x, int w, const char *s, int attr)
{
	mbstate_t st;
	int used = 0;

	if (w <= 0)
		return 0;
	attrset((attr_t)attr);
	move(y, x);
	memset(&st, 0, sizeof(st));
	while (s != NULL && *s && used < w) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, strlen(s), &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&st, 0, sizeof(st));
			addch('?');
			used++;
			s++;
			continue;
		}
		int cw = wcwidth(wc);
		if (cw < 0 || wc < 32 || (wc >= 0x7f && wc < 0xa0)) {
			addch('?');     /* never a control character on the terminal */
			used++;
		} else if (used + cw <= w) {
			cchar_t cc;
			wchar_t ws[2] = { wc, 0 };
			setcchar(&cc, ws, (attr_t)attr, 0, NULL);
			add_wch(&cc);
			used += cw;
		} else {
			break;
		}
		s += n;
	}
	if (used < w)
		hline(' ', w - used);
	return used;
}

const char *fmt_time(double s, char *buf, size_t n)
{
	if (!isfinite(s) || s < 0) {
		snprintf(buf, n, "-");
	} else if (s < 60) {
		snprintf(buf, n, "%.1fs", s);
	} else if (s < 3600) {
		int m = (int)(s / 60);
		snprintf(buf, n, "%d:%04.1f", m, s - 60 * m);
	} else {
		int h = (int)(s / 3600), m = (int)((s - 3600 * h) / 60);
		snprintf(buf, n, "%d:%02d:%02d", h, m, (int)(s - 3600 * h - 60 * m));
	}
	return buf;
}

const char *fmt_key(const struct tui_app *a, int key, char *buf, size_t n)
{
	int style = AN_KEY_SHARP;

	if (key < 0 || key > 23) {
		snprintf(buf, n, "-");
		return buf;
	}
	switch (a->opts->cfg->key_notation) {
	case 1: style = AN_KEY_CAMELOT; break;
	case 2: style = AN_KEY_OPENKEY; break;
	default: style = a->opts->cfg->key_flats ? AN_KEY_FLAT : AN_KEY_SHARP; break;
	}
	return an_key_name(key, style, 1, buf, n);
}
