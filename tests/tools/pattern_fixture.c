/*
 * pattern_fixture.c - write the generated files the patterns tests use
 * (16-bit WAV, 22050 Hz mono) with tests/support/musical_sig.h:
 *
 *   pattern_fixture OUT motif      a 1.5 s motif of five notes planted at
 *                                  2.0, 6.5 and 11.0 s, random notes of
 *                                  another range between (14.5 s, no
 *                                  silence); prints "2.0 6.5 11.0 1.5"
 *   pattern_fixture OUT noise      12 s of white noise
 *   pattern_fixture OUT calls      a bird-like call of three chirps (1.1 s) at
 *                                  0.5, 5.0 and 9.5 s, a noise burst at 3.0 s
 *                                  and a low tone at 7.0 s, silence between
 *                                  (five regions; 12 s)
 *   pattern_fixture OUT click N    a 1 s one-shot: a click (variant N)
 *   pattern_fixture OUT tone N     a 1 s one-shot: a harmonic tone (variant N:
 *                                  G3 + N mod 6 semitones)
 *
 * Deterministic: variant N changes the seed and a few percent of pitch and
 * level, so one kind stays one kind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "musical_sig.h"

static double urand(void)
{
	return (sig_noise() + 1) * 0.5;
}

static void calls_file(float *x, size_t n)
{
	static const double at[] = { 0.5, 5.0, 9.5 };
	for (int k = 0; k < 3; k++) {
		sig_chirp(x, n, at[k], 0.3, 2000, 4000);
		sig_chirp(x, n, at[k] + 0.4, 0.2, 3500, 2500);
		sig_chirp(x, n, at[k] + 0.7, 0.4, 2500, 5000);
	}
	for (size_t i = (size_t)(3.0 * SIG_RATE); i < (size_t)(3.8 * SIG_RATE); i++)
		x[i] = 0.3f * sig_noise();
	sig_note(x, n, (size_t)(7.0 * SIG_RATE), (size_t)(1.0 * SIG_RATE), 110.0, 0.4f);
}

static void motif_file(float *x, size_t n)
{
	static const int notes[] = { 72, 76, 79, 74, 81 };
	static const double at[] = { 2.0, 6.5, 11.0 };
	double t = 0;
	int k = 0;

	while (t < 14.5 - 0.01) {
		double d = 0.2 + 0.25 * urand();
		int inside = k < 3 && t + d > at[k];
		if (inside) {             /* the motif, then carry on after it */
			d = at[k] - t;
		}
		if (d > 0.01)
			sig_note(x, n, (size_t)(t * SIG_RATE), (size_t)(d * SIG_RATE),
			         sig_midi_hz(48 + (int)(urand() * 19), 0), 0.3f);
		t += d;
		if (inside) {
			for (int i = 0; i < 5; i++)
				sig_note(x, n, (size_t)((t + i * 0.3) * SIG_RATE),
				         (size_t)(0.3 * SIG_RATE), sig_midi_hz(notes[i], 0), 0.35f);
			t += 1.5;
			k++;
		}
	}
	printf("2.0 6.5 11.0 1.5\n");
}

int main(int argc, char **argv)
{
	struct gr_err err = { 0 };
	double secs;
	size_t n;
	float *x;
	int v = argc > 3 ? atoi(argv[3]) : 0;

	if (argc < 3) {
		fprintf(stderr, "usage: pattern_fixture OUT motif|noise|calls|click N|tone N\n");
		return 2;
	}
	secs = !strcmp(argv[2], "motif") ? 14.5 : !strcmp(argv[2], "noise") ||
	       !strcmp(argv[2], "calls") ? 12 : 1;
	n = (size_t)(secs * SIG_RATE);
	x = calloc(n, sizeof(*x));
	if (x == NULL)
		return 1;
	sig_seed = 1000u + (unsigned)v * 77u;
	if (!strcmp(argv[2], "motif")) {
		motif_file(x, n);
	} else if (!strcmp(argv[2], "calls")) {
		calls_file(x, n);
	} else if (!strcmp(argv[2], "noise")) {
		for (size_t i = 0; i < n; i++)
			x[i] = 0.3f * sig_noise();
	} else if (!strcmp(argv[2], "click")) {
		/* a few clicks of a dry, bright transient */
		for (int k = 0; k < 3; k++)
			sig_click(x, n, (size_t)((0.1 + 0.3 * k) * SIG_RATE),
			          0.8f * (float)(0.9 + 0.1 * urand()));
	} else if (!strcmp(argv[2], "tone")) {
		sig_note(x, n, (size_t)(0.05 * SIG_RATE), (size_t)(0.9 * SIG_RATE),
		         sig_midi_hz(55 + v % 6, 30 * (urand() - 0.5)), (float)(0.4 + 0.05 * urand()));
	} else {
		fprintf(stderr, "pattern_fixture: unknown kind '%s'\n", argv[2]);
		free(x);
		return 2;
	}
	if (fx_write_buf(argv[1], fx_format("wav16"), SIG_RATE, 1, x, (int64_t)n, &err) < 0) {
		fprintf(stderr, "pattern_fixture: %s\n", err.msg);
		free(x);
		return 1;
	}
	free(x);
	return 0;
}
