/*
 * view_detail.c - the detail pane of one file: title and key/tempo
 * summary, the waveform from the stored peaks, the region timeline
 * coloured by class, a time axis, and the table of regions.
 *
 * Waveform: each text column covers [t, t + span/cols) of the visible time
 * range; its envelope is the min of mins and max of maxes of the peak
 * buckets in it, so nothing loud disappears at any zoom.  The overview
 * level is used while it has at least one bucket per dot column, then the
 * detail level; zooming stops when the detail level runs out (one bucket
 * per dot column): deeper zoom would need decoding, which the browser does
 * not do (the UI thread never decodes).  Braille packs 2x4 dots per cell,
 * blocks use half blocks, ASCII uses '#'.  A column takes the colour of
 * the class of the region under it; the selected region is highlighted in
 * the waveform, the timeline and the table alike.  Repeated sections
 * (plugin "patterns") are marked on the timeline: the cells of an
 * occurrence are shaded, its first cell shows its group's number.  While the shown file
 * plays, the playhead (audition.c, an atomic read per frame) is a
 * reversed column in the waveform and a bar on the timeline.
 *
 * Costs: O(width x height + buckets in view).  Thread rules: UI thread.
 */
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grym/analysis.h"
#include "grym/catalog.h"
#include "grym/util.h"
#include "tui_int.h"

#define MAX_COLS 1024

/* The peak level to draw span seconds over dotcols dot columns with. */
static const struct dsp_peaks *pick_level(const struct tui_detail *d, double span,
                                          int dotcols)
{
	if (d->have_peaks[0] && d->peaks[0].bucket_s > 0 &&
	    span / d->peaks[0].bucket_s >= dotcols)
		return &d->peaks[0];
	if (d->have_peaks[1] && d->peaks[1].bucket_s > 0)
		return &d->peaks[1];
	return d->have_peaks[0] ? &d->peaks[0] : NULL;
}

/* Shortest span the stored peaks can show: one bucket per dot column. */
static double min_span(const struct tui_app *a)
{
	const struct tui_detail *d = a->detail;
	int dots = a->wave.w * (a->ascii ? 1 : 2);
	double b = 0;

	if (d->have_peaks[1])
		b = d->peaks[1].bucket_s;
	else if (d->have_peaks[0])
		b = d->peaks[0].bucket_s;
	if (b <= 0)
		b = d->duration / 1000.0;
	double s = b * (dots > 0 ? dots : 1);
	return s > d->duration ? d->duration : s;
}

static int region_at(const struct tui_detail *d, double t0, double t1)
{
	for (int i = 0; i < d->n_regions; i++)
		if (d->regions[i].start < t1 && d->regions[i].end > t0)
			return i;
	return -1;
}

static int col_role(const struct tui_app *a, int reg)
{
	if (reg < 0)
		return TR_DIM;
	if (reg == a->region)
		return TR_WAVE_SEL;
	int cls = a->detail->regions[reg].cls;
	return cls >= 0 && cls < AN_NCLASS ? TR_CLASS0 + cls : TR_WAVE;
}

static void envelope(const struct dsp_peaks *p, double t0, double t1, float *lo, float *hi)
{
	long b0 = (long)floor(t0 / p->bucket_s), b1 = (long)ceil(t1 / p->bucket_s);

	*lo = *hi = 0;
	if (b1 <= b0)
		b1 = b0 + 1;
	if (b0 < 0)
		b0 = 0;
	if (b1 > p->n)
		b1 = p->n;
	for (long i = b0; i < b1; i++) {
		if (i == b0 || p->min[i] < *lo)
			*lo = p->min[i];
		if (i == b0 || p->max[i] > *hi)
			*hi = p->max[i];
	}
	if (!isfinite(*lo) || *lo < -1)
		*lo = -1;
	if (!isfinite(*hi) || *hi > 1)
		*hi = 1;
}

static int dot_row(float v, int rows)
{
	int r = (int)floorf((1.0f - v) * 0.5f * (float)rows);
	return r < 0 ? 0 : r >= rows ? rows - 1 : r;
}

static void put_cp(unsigned cp, int attr)
{
	cchar_t cc;
	wchar_t ws[2] = { (wchar_t)cp, 0 };
	setcchar(&cc, ws, (attr_t)attr, 0, NULL);
	add_wch(&cc);
}

static void draw_wave(struct tui_app *a)
{
	const struct tui_detail *d = a->detail;
	const struct tui_box *b = &a->wave;
	int per = a->ascii ? 1 : 2;                 /* dot columns per cell */
	int sub = a->ascii ? 1 : 4;                 /* dot rows per cell */
	int cols = b->w < MAX_COLS ? b->w : MAX_COLS, rows = b->h * sub;
	double span = a->view_t1 - a->view_t0;
	const struct dsp_peaks *p = pick_level(d, span, cols * per);
	int top[2 * MAX_COLS], bot[2 * MAX_COLS];

	for (int y = 0; y < b->h; y++)
		draw_fill(b->y + y, b->x, b->w, draw_attr(a, TR_NORMAL));
	if (p == NULL || span <= 0) {
		draw_text(b->y + b->h / 2, b->x + 1, b->w - 1, "no waveform stored for this file",
		          draw_attr(a, TR_DIM));
		return;
	}
	for (int c = 0; c < cols * per; c++) {
		double t0 = a->view_t0 + span * c / (cols * per);
		double t1 = a->view_t0 + span * (c + 1) / (cols * per);
		float lo, hi;
		envelope(p, t0, t1, &lo, &hi);
		top[c] = dot_row(hi, rows);
		bot[c] = dot_row(lo, rows);
	}
	for (int x = 0; x < cols; x++) {
		double t0 = a->view_t0 + span * x / cols, t1 = a->view_t0 + span * (x + 1) / cols;
		int at = draw_attr(a, col_role(a, region_at(d, t0, t1)));
		for (int y = 0; y < b->h; y++) {
			move(b->y + y, b->x + x);
			if (a->ascii) {
				int in = y >= top[x] && y <= bot[x];
				attrset((attr_t)at);
				addch(in ? '#' : y == b->h / 2 ? '-' : ' ');
				continue;
			}
			/* braille: dots (col, row) -> bit */
			static const unsigned bit[2][4] = { { 0x01, 0x02, 0x04, 0x40 },
			                                    { 0x08, 0x10, 0x20, 0x80 } };
			unsigned bits = 0;
			for (int k = 0; k < 2; k++) {
				int dc = x * 2 + k;
				for (int r = 0; r < 4; r++) {
					int dr = y * 4 + r;
					if (dr >= top[dc] && dr <= bot[dc])
						bits |= bit[k][r];
				}
			}
			if (bits == 0) {
				attrset((attr_t)at);
				addch(' ');
			} else {
				put_cp(0x2800 + bits, at);
			}
		}
	}
}

/* The repeated section under [t0, t1), one starting there first (loops
 * are back to back): its index, or -1. */
static int pattern_at(const struct tui_detail *d, double t0, double t1)
{
	int any = -1;
	for (int i = 0; i < d->n_patterns; i++) {
		if (d->patterns[i].start >= t0 && d->patterns[i].start < t1)
			return i;
		if (any < 0 && d->patterns[i].start < t1 && d->patterns[i].end > t0)
			any = i;
	}
	return any;
}

static void draw_timeline(struct tui_app *a)
{
	const struct tui_detail *d = a->detail;
	const struct tui_box *b = &a->tline;
	double span = a->view_t1 - a->view_t0;
	char buf[32], buf2[32], info[96];

	for (int x = 0; x < b->w; x++) {
		double t0 = a->view_t0 + span * x / b->w, t1 = a->view_t0 + span * (x + 1) / b->w;
		int reg = region_at(d, t0, t1), pat;
		int at = draw_attr(a, col_role(a, reg));
		move(b->y, b->x + x);
		if (reg < 0) {
			attrset((attr_t)draw_attr(a, TR_BORDER));
			if (a->ascii)
				addch('-');
			else
				put_cp(0x2500, draw_attr(a, TR_BORDER));
		} else if ((pat = pattern_at(d, t0, t1)) >= 0) {
			/* the first cell of an occurrence: its group's number */
			int g = d->patterns[pat].group, first = d->patterns[pat].start >= t0;
			attrset((attr_t)at);
			if (first)
				addch(g < 9 ? '1' + g : '+');
			else if (a->ascii)
				addch(':');
			else
				put_cp(0x2592, at);      /* medium shade */
		} else if (a->ascii) {
			attrset((attr_t)at);
			addch(reg == a->region ? '#' : '=');
		} else {
			put_cp(reg == a->region ? 0x2588 : 0x2586, at);
		}
	}
	/* the axis: start, zoom, end */
	int y = b->y + 1;
	if (y >= a->det.y + a->det.h)
		return;
	double zoom = span > 0 ? d->duration / span : 1;
	const struct dsp_peaks *p = pick_level(d, span, a->wave.w * (a->ascii ? 1 : 2));
	snprintf(info, sizeof(info), " zoom x%.3g%s%s ", zoom,
	         p == &d->peaks[1] ? ", detail peaks" : "",
	         span <= min_span(a) * 1.01 && zoom > 1.01 ? " (deepest stored)" : "");
	draw_fill(y, b->x, b->w, draw_attr(a, TR_DIM));
	draw_text(y, b->x, b->w, fmt_time(a->view_t0, buf, sizeof(buf)), draw_attr(a, TR_DIM));
	fmt_time(a->view_t1, buf2, sizeof(buf2));
	int iw = draw_width(info);
	if (b->w > iw + 20)
		draw_text(y, b->x + (b->w - iw) / 2, iw, info, draw_attr(a, TR_DIM));
	int w2 = (int)strlen(buf2);
	if (b->w > w2 + 10)
		draw_text(y, b->x + b->w - w2, w2, buf2, draw_attr(a, TR_DIM));
}

/* Column of the playhead in a box w cells wide, or -1 when it is not in
 * view (or nothing of this file plays). */
static int playhead_col(const struct tui_app *a, double ph, int w)
{
	double span = a->view_t1 - a->view_t0;

	if (ph < 0 || span <= 0 || ph < a->view_t0 || ph >= a->view_t1)
		return -1;
	int x = (int)((ph - a->view_t0) / span * w);
	return x < 0 ? 0 : x >= w ? w - 1 : x;
}

static void draw_playhead(struct tui_app *a)
{
	double ph = aud_playhead(a);
	int at = draw_attr(a, TR_PLAYHEAD);
	int x = playhead_col(a, ph, a->wave.w);

	if (x < 0)
		return;
	for (int y = 0; y < a->wave.h; y++)
		mvchgat(a->wave.y + y, a->wave.x + x, 1, (attr_t)(at | A_REVERSE), 0, NULL);
	if (a->tline.h <= 0 || (x = playhead_col(a, ph, a->tline.w)) < 0)
		return;
	move(a->tline.y, a->tline.x + x);
	if (a->ascii) {
		attrset((attr_t)at);
		addch('|');
	} else {
		put_cp(0x2503, at);     /* heavy vertical bar */
	}
}

static void draw_table(struct tui_app *a)
{
	const struct tui_detail *d = a->detail;
	const struct tui_box *b = &a->table;
	char line[256], s1[32], s2[32], k[16], cls[32], bpm[16], loud[16];
	int cur_at = draw_attr(a, a->pane == PANE_DETAIL ? TR_CURSOR : TR_CURSOR_DIM);

	if (b->h <= 0)
		return;
	snprintf(line, sizeof(line), "%4s %9s %9s  %-16s %-5s %7s %8s", "#", "start", "length",
	         "class", "key", "bpm", "LUFS");
	draw_text(b->y, b->x, b->w, line, draw_attr(a, TR_HEADER));
	for (int i = 0; i < b->h - 1; i++) {
		int r = a->table_top + i, y = b->y + 1 + i;
		if (r >= d->n_regions) {
			draw_fill(y, b->x, b->w, draw_attr(a, TR_NORMAL));
			if (d->n_regions == 0 && i == 0)
				draw_text(y, b->x + 1, b->w - 1, d->status == CAT_ST_FAILED ?
				          "analysis failed: no regions" : "no regions (silent file?)",
				          draw_attr(a, TR_DIM));
			continue;
		}
		const struct tui_region *g = &d->regions[r];
		if (g->cls >= 0)
			snprintf(cls, sizeof(cls), "%s %.0f%%", an_class_name(g->cls),
			         g->cls_conf * 100);
		else
			snprintf(cls, sizeof(cls), "-");
		if (g->has_tempo)
			snprintf(bpm, sizeof(bpm), "%.1f", g->bpm);
		else
			snprintf(bpm, sizeof(bpm), "-");
		if (isfinite(g->loudness))
			snprintf(loud, sizeof(loud), "%.1f", g->loudness);
		else
			snprintf(loud, sizeof(loud), "-");
		snprintf(line, sizeof(line), "%4d %9s %9s  %-16s %-5s %7s %8s", r + 1,
		         fmt_time(g->start, s1, sizeof(s1)), fmt_time(g->end - g->start, s2,
		         sizeof(s2)), cls, fmt_key(a, g->key, k, sizeof(k)), bpm, loud);
		int at = r == a->region ? cur_at : draw_attr(a, TR_NORMAL);
		draw_text(y, b->x, b->w, line, at);
		/* the class cell in its colour (not on the cursor row) */
		if (r != a->region && g->cls >= 0 && g->cls < AN_NCLASS && b->w > 42)
			mvchgat(y, b->x + 26, 16, (attr_t)draw_attr(a, TR_CLASS0 + g->cls),
			        0, NULL);
	}
}

static void draw_head(struct tui_app *a)
{
	const struct tui_detail *d = a->detail;
	const struct tui_box *b = &a->det;
	char line[512], k[16], t[32];
	int n = 0;

	draw_text(b->y, b->x, b->w, d->name ? d->name : "", draw_attr(a, TR_TITLE));
	if (d->status == CAT_ST_FAILED) {
		snprintf(line, sizeof(line), "failed: %s", d->error ? d->error : "");
		draw_text(b->y + 1, b->x, b->w, line, draw_attr(a, TR_FAILED));
		return;
	}
	n += snprintf(line + n, sizeof(line) - (size_t)n, "%s  %.1f kHz %dch %s",
	              fmt_time(d->duration, t, sizeof(t)), d->rate / 1000.0, d->channels,
	              d->format ? d->format : "");
	if (d->key >= 0)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "  key %s (%.0f%%)",
		              fmt_key(a, d->key, k, sizeof(k)), d->key_conf * 100);
	else
		n += snprintf(line + n, sizeof(line) - (size_t)n, "  no key");
	if (d->has_tempo) {
		n += snprintf(line + n, sizeof(line) - (size_t)n, "  %.1f BPM", d->bpm);
		if (d->beats_per_bar > 0)
			n += snprintf(line + n, sizeof(line) - (size_t)n, " %d/4", d->beats_per_bar);
		n += snprintf(line + n, sizeof(line) - (size_t)n, " (%.0f%%)", d->bpm_conf * 100);
	} else {
		n += snprintf(line + n, sizeof(line) - (size_t)n, "  no tempo");
	}
	if (d->cls >= 0)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "  %s", an_class_name(d->cls));
	if (isfinite(d->loudness))
		n += snprintf(line + n, sizeof(line) - (size_t)n, "  %.1f LUFS", d->loudness);
	n += snprintf(line + n, sizeof(line) - (size_t)n, "  %d regions", d->n_regions);
	if (d->tags && d->tags[0])
		snprintf(line + n, sizeof(line) - (size_t)n, "  tags: %s", d->tags);
	draw_text(b->y + 1, b->x, b->w, line, draw_attr(a, TR_NORMAL));
}

void view_detail_draw(struct tui_app *a)
{
	const struct tui_box *b = &a->det;

	for (int y = 0; y < b->h; y++)
		draw_fill(b->y + y, b->x, b->w, draw_attr(a, TR_NORMAL));
	if (a->detail == NULL || a->detail->id != a->m.sel_id) {
		draw_text(b->y, b->x + 1, b->w - 1, a->m.sel_id != 0 ? "loading..." : "",
		          draw_attr(a, TR_DIM));
		return;
	}
	if (a->detail->name == NULL) {    /* the file went away */
		draw_text(b->y, b->x + 1, b->w - 1, a->detail->error, draw_attr(a, TR_FAILED));
		return;
	}
	draw_head(a);
	if (a->wave.h > 0)
		draw_wave(a);
	if (a->tline.h > 0)
		draw_timeline(a);
	if (a->wave.h > 0)
		draw_playhead(a);
	draw_table(a);
}

int view_detail_hit(const struct tui_app *a, int y, int x)
{
	const struct tui_detail *d = a->detail;

	if (d == NULL || d->name == NULL)
		return -1;
	if ((y == a->tline.y || (y >= a->wave.y && y < a->wave.y + a->wave.h)) &&
	    x >= a->tline.x && x < a->tline.x + a->tline.w) {
		double span = a->view_t1 - a->view_t0;
		double t0 = a->view_t0 + span * (x - a->tline.x) / a->tline.w;
		return region_at(d, t0, t0 + span / a->tline.w);
	}
	if (y > a->table.y && y < a->table.y + a->table.h) {
		int r = a->table_top + (y - a->table.y - 1);
		return r < d->n_regions ? r : -1;
	}
	return -1;
}

static void clamp_view(struct tui_app *a, double span)
{
	double dur = a->detail->duration;

	if (dur <= 0) {
		a->view_t0 = 0;
		a->view_t1 = 1;
		return;
	}
	if (span > dur)
		span = dur;
	double lo = min_span(a);
	if (span < lo)
		span = lo;
	if (a->view_t0 < 0)
		a->view_t0 = 0;
	if (a->view_t0 + span > dur)
		a->view_t0 = dur - span;
	a->view_t1 = a->view_t0 + span;
}

void view_detail_follow(struct tui_app *a)
{
	const struct tui_detail *d = a->detail;
	int rows = a->table.h - 1;

	if (d == NULL || d->name == NULL)
		return;
	if (a->view_t1 <= a->view_t0) {
		a->view_t0 = 0;
		a->view_t1 = d->duration;
	}
	if (a->region >= 0 && a->region < d->n_regions) {
		const struct tui_region *g = &d->regions[a->region];
		double span = a->view_t1 - a->view_t0;
		if (g->start < a->view_t0 || g->end > a->view_t1) {
			a->view_t0 = g->end - g->start > span ? g->start :
			             (g->start + g->end) / 2 - span / 2;
			clamp_view(a, span);
		}
		if (a->region < a->table_top)
			a->table_top = a->region;
		if (rows > 0 && a->region >= a->table_top + rows)
			a->table_top = a->region - rows + 1;
	}
	if (a->table_top < 0)
		a->table_top = 0;
}

void view_detail_zoom(struct tui_app *a, double factor)
{
	const struct tui_detail *d = a->detail;
	double span, centre;

	if (d == NULL || d->name == NULL)
		return;
	span = a->view_t1 - a->view_t0;
	centre = a->view_t0 + span / 2;
	if (a->region >= 0 && a->region < d->n_regions) {
		double mid = (d->regions[a->region].start + d->regions[a->region].end) / 2;
		if (mid >= a->view_t0 && mid <= a->view_t1)
			centre = mid;
	}
	span /= factor;
	if (factor > 1 && span < min_span(a))
		tui_message(a, TR_STATUS_WARN, "deepest zoom the stored peaks allow");
	a->view_t0 = centre - span / 2;
	clamp_view(a, span);
}

void view_detail_pan(struct tui_app *a, double frac)
{
	double span = a->view_t1 - a->view_t0;

	if (a->detail == NULL || a->detail->name == NULL)
		return;
	a->view_t0 += span * frac;
	clamp_view(a, span);
}
