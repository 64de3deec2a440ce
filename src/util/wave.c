/*
 * wave.c - waveform and timeline drawing as text.
 *
 * The envelope is resampled to the cell grid by taking, for each column,
 * the min of mins and max of maxes of the buckets it covers, so nothing
 * loud disappears at any zoom.  Braille packs 2 columns x 4 rows of dots
 * per cell (U+2800 + dot bits); blocks use one column per cell with
 * the eighth-blocks; ASCII uses '#', ':' and '.'.
 */
#include <langinfo.h>
#include <stdio.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "grym/util.h"
#include "grym/wave.h"

int wave_style_auto(int ascii)
{
	const char *cs = nl_langinfo(CODESET);
	if (ascii || cs == NULL || strcasecmp(cs, "UTF-8") != 0)
		return WAVE_ASCII;
	return WAVE_BRAILLE;
}

/* Column envelopes: lo[x], hi[x] over dot-columns x in [0, cols). */
static void columns(const float *min, const float *max, size_t b0, size_t b1,
                    int cols, float *lo, float *hi)
{
	size_t nb = b1 > b0 ? b1 - b0 : 0;
	for (int x = 0; x < cols; x++) {
		size_t a = b0 + (size_t)((double)x * nb / cols);
		size_t b = b0 + (size_t)((double)(x + 1) * nb / cols);
		float l = 0, h = 0;
		if (b <= a)
			b = a + 1;
		if (nb == 0 || a >= b1) {
			lo[x] = hi[x] = 0;
			continue;
		}
		if (b > b1)
			b = b1;
		l = min[a];
		h = max[a];
		for (size_t i = a + 1; i < b; i++) {
			if (min[i] < l)
				l = min[i];
			if (max[i] > h)
				h = max[i];
		}
		if (!isfinite(l))
			l = 0;
		if (!isfinite(h))
			h = 0;
		lo[x] = l < -1 ? -1 : l;
		hi[x] = h > 1 ? 1 : h;
	}
}

/* Dot row (0 = top) of amplitude v on a grid of `rows` dot rows. */
static int dot_row(float v, int rows)
{
	int r = (int)floorf((1.0f - v) * 0.5f * (float)rows);
	return r < 0 ? 0 : r >= rows ? rows - 1 : r;
}

static void put_utf8(struct str *b, uint32_t cp)
{
	char u[4];
	if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		str_addn(b, u, 2);
	} else {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		str_addn(b, u, 3);
	}
}

char **wave_render(const float *min, const float *max, size_t b0, size_t b1,
                   int width, int height, int style)
{
	int dx = style == WAVE_BRAILLE ? 2 : 1;
	int dy = style == WAVE_BRAILLE ? 4 : style == WAVE_BLOCKS ? 8 : 1;
	int cols = width * dx, rows = height * dy;
	float *lo, *hi;
	char **lines;

	if (width < 1 || height < 1)
		return NULL;
	lo = xcalloc((size_t)cols, sizeof(float));
	hi = xcalloc((size_t)cols, sizeof(float));
	lines = xcalloc((size_t)height, sizeof(char *));
	columns(min, max, b0, b1, cols, lo, hi);

	for (int y = 0; y < height; y++) {
		struct str b;
		str_init(&b);
		for (int x = 0; x < width; x++) {
			if (style == WAVE_BRAILLE) {
				/* dot bits: left column rows 0-3 = 0x01 0x02 0x04 0x40,
				 * right column = 0x08 0x10 0x20 0x80 */
				static const int bit[2][4] = { { 0x01, 0x02, 0x04, 0x40 },
				                               { 0x08, 0x10, 0x20, 0x80 } };
				int bits = 0;
				for (int c = 0; c < 2; c++) {
					int xx = x * 2 + c;
					int top = dot_row(hi[xx], rows), bot = dot_row(lo[xx], rows);
					for (int r = 0; r < 4; r++) {
						int yy = y * 4 + r;
						if (yy >= top && yy <= bot)
							bits |= bit[c][r];
					}
				}
				put_utf8(&b, 0x2800 + (uint32_t)bits);
			} else if (style == WAVE_BLOCKS) {
				/* fill from the bottom of the cell: the part of the cell
				 * covered by [lo, hi], drawn as a lower block when it
				 * touches the bottom, else full if mostly covered */
				int top = dot_row(hi[x], rows), bot = dot_row(lo[x], rows);
				int c0 = y * 8, c1 = y * 8 + 7;
				int a = top > c0 ? top : c0, z = bot < c1 ? bot : c1;
				int n = z >= a ? z - a + 1 : 0;
				if (n == 0)
					str_add(&b, " ");
				else if (n == 8)
					put_utf8(&b, 0x2588);
				else if (z == c1)
					put_utf8(&b, 0x2580 + (uint32_t)n); /* lower n eighths */
				else
					put_utf8(&b, n >= 4 ? 0x2580 : 0x2594); /* upper half / eighth */
			} else {
				int top = dot_row(hi[x], rows), bot = dot_row(lo[x], rows);
				float amp = fmaxf(fabsf(hi[x]), fabsf(lo[x]));
				char ch = ' ';
				if (y >= top && y <= bot)
					ch = amp > 0.5f ? '#' : amp > 0.05f ? ':' : '.';
				else if (height == 1 && amp > 0.001f)
					ch = '.';
				str_addn(&b, &ch, 1);
			}
		}
		lines[y] = str_take(&b);
	}
	free(lo);
	free(hi);
	return lines;
}

void wave_lines_free(char **lines, int height)
{
	if (lines == NULL)
		return;
	for (int i = 0; i < height; i++)
		free(lines[i]);
	free(lines);
}

char *wave_timeline(const double *start, const double *end, const char *label, size_t n,
                    double t0, double t1, int width, int style)
{
	struct str b;
	double span = t1 > t0 ? t1 - t0 : 1;

	str_init(&b);
	for (int x = 0; x < width; x++) {
		double a = t0 + span * x / width, z = t0 + span * (x + 1) / width;
		int hit = -1;
		for (size_t i = 0; i < n; i++)
			if (start[i] < z && end[i] > a) {
				hit = (int)i;
				break;
			}
		if (hit >= 0) {
			char c = label ? label[hit] : '=';
			str_addn(&b, &c, 1);
		} else if (style == WAVE_ASCII) {
			str_add(&b, "-");
		} else {
			put_utf8(&b, 0x2500);
		}
	}
	return str_take(&b);
}

void wave_print(FILE *f, const float *min, const float *max, size_t nb, double duration,
                const double *start, const double *end, size_t n, int width, int height,
                int style)
{
	static const char marks[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	char **lines, *lab, *tl;

	if (nb == 0 || width < 16 || height < 1)
		return;
	lines = wave_render(min, max, 0, nb, width, height, style);
	for (int i = 0; lines != NULL && i < height; i++)
		fprintf(f, "  %s\n", lines[i]);
	wave_lines_free(lines, height);
	lab = xcalloc(n + 1, 1);
	for (size_t i = 0; i < n; i++)
		lab[i] = marks[i % (sizeof(marks) - 1)];
	tl = wave_timeline(start, end, lab, n, 0, duration, width, style);
	fprintf(f, "  %s\n", tl);
	free(tl);
	free(lab);
}
