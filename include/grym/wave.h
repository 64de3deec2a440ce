/*
 * wave.h - text drawing of waveforms and region timelines from stored
 * peaks, for the CLI (and usable by the TUI, which draws the strings).
 *
 * Styles: Unicode braille (2x4 dots per cell), Unicode blocks, or plain
 * ASCII.  Output is an array of UTF-8 (or ASCII) lines, one per text row.
 * Cost: O(width * height + buckets).  No allocation except the result.
 * Thread rules: pure functions.
 */
#ifndef GRYM_WAVE_H
#define GRYM_WAVE_H

#include <stddef.h>

enum wave_style { WAVE_ASCII, WAVE_BLOCKS, WAVE_BRAILLE };

/* The style for this process: braille when the locale's charset is UTF-8
 * and ascii is 0, otherwise ASCII. */
int wave_style_auto(int ascii);

/*
 * Draw buckets [b0, b1) of a min/max envelope (values -1..1) into a
 * width x height cell area.  Returns height lines in *lines (each a new
 * string; free each and the array with wave_lines_free()).
 */
char **wave_render(const float *min, const float *max, size_t b0, size_t b1,
                   int width, int height, int style);
void wave_lines_free(char **lines, int height);

/*
 * A one-row timeline of width cells for times [t0, t1): cells covered by
 * span i (start[i]..end[i], seconds) show label[i] (one character, e.g.
 * the region's number or class initial); other cells show a rule.
 * Returns a new string, free() it.
 */
char *wave_timeline(const double *start, const double *end, const char *label, size_t n,
                    double t0, double t1, int width, int style);

/*
 * Print a waveform overview (height rows) with a timeline row under it
 * marking n spans (regions, labelled 0-9a-z), indented by two spaces,
 * for buckets [0, nb) covering duration seconds.  Nothing is printed
 * when nb is 0 or width is below 16 cells.
 */
#include <stdio.h>
void wave_print(FILE *f, const float *min, const float *max, size_t nb, double duration,
                const double *start, const double *end, size_t n, int width, int height,
                int style);

#endif
