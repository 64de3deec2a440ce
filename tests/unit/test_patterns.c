/*
 * test_patterns.c - the patterns plugin's search (pt_find) on generated
 * signals run through the real dsp pass: a motif planted three times
 * with different material between is found as one group at the planted
 * times (within 0.1 s), also inside filler of the same pitch range over
 * noise, and a bird-like call of chirps among other chirps; a drum loop is
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

/* The same motif in the filler's own pitch range, over a noise floor. */
static void test_planted_motif_same_range(void **state)
{
	static const int notes[] = { 64, 67, 71, 69, 72, 74 };
	double at[3], len = 6 * 0.25, t = 1.7;
	size_t n = (size_t)(20 * SIG_RATE);
	float *x = calloc(n, sizeof(*x));
	struct an_patterns_result r;

	(void)state;
	assert_non_null(x);
	sig_seed = 5;
	filler(x, n, 0, t, 60, 76);
	for (int k = 0; k < 3; k++) {
		double gap = 2 + 2 * urand();
		at[k] = t;
		motif(x, n, t, notes, 6, 0.25);
		t += len;
		filler(x, n, t, gap, 60, 76);
		t += gap;
	}
	for (size_t i = 0; i < n; i++)
		x[i] += 0.01f * sig_noise();
	find(x, n, &r);
	expect_planted(&r, at, 3, len);
	free(r.occ);
	free(x);
}

/* A bird-like call of three chirps (1.1 s), in noise, with other chirps
 * between the calls. */
static void test_bird_call(void **state)
{
	double at[3], t = 1.0;
	size_t n = (size_t)(20 * SIG_RATE);
	float *x = calloc(n, sizeof(*x));
	struct an_patterns_result r;

	(void)state;
	assert_non_null(x);
	sig_seed = 3;
	for (int k = 0; k < 3; k++) {
		double gap = 2 + 2 * urand();
		at[k] = t;
		sig_chirp(x, n, t, 0.3, 2000, 4000);
		sig_chirp(x, n, t + 0.4, 0.2, 3500, 2500);
		sig_chirp(x, n, t + 0.7, 0.4, 2500, 5000);
		t += 1.1;
		for (double u = t; u < t + gap - 0.3; u += 0.35 + 0.3 * urand())
			sig_chirp(x, n, u, 0.25, 1000 + 3000 * urand(), 1000 + 3000 * urand());
		t += gap;
	}
	for (size_t i = 0; i < n; i++)
		x[i] += 0.02f * sig_noise();
	find(x, n, &r);
	expect_planted(&r, at, 3, 1.1);
	free(r.occ);
	free(x);
}

/* A one-bar drum loop (2 s) eight times: one group of back-to-back
 * occurrences two seconds apart. */
static void test_drum_loop(void **state)
{
	size_t n = (size_t)(16 * SIG_RATE);
	float *x = calloc(n, sizeof(*x));
	struct an_patterns_result r;

	(void)state;
	assert_non_null(x);
	sig_seed = 11;
	for (int b = 0; b < 8; b++)
		for (int q = 0; q < 8; q++) {
			size_t s = (size_t)((b * 2.0 + q * 0.25) * SIG_RATE);
			if (q == 0 || q == 3 || q == 5)
				sig_kick(x, n, s, 0.6f);
			if (q == 2 || q == 6)
				sig_snare(x, n, s, 0.4f);
			sig_hat(x, n, s, 0.2f);
		}
	find(x, n, &r);
	assert_true(r.n >= 6);
	for (int i = 0; i < r.n; i++) {
		assert_int_equal(r.occ[i].group, 0);
		assert_true(fabs(r.occ[i].end - r.occ[i].start - 2.0) < 0.15);
		if (i > 0)
			assert_true(fabs(r.occ[i].start - r.occ[i - 1].start - 2.0) < 0.15);
	}
	free(r.occ);
	free(x);
}

static int stop_now(void *arg)
{
	(void)arg;
	return 1;
}

/* A stop request ends the search with GR_ETIMEOUT and no result. */
static void test_stop(void **state)
{
	size_t n = (size_t)(30 * SIG_RATE), nf = 0;
	float *x = calloc(n, sizeof(*x));
	double fps = 0;
	struct dsp_frame *f;
	struct an_patterns_result r;
	struct gr_err err = { 0 };

	(void)state;
	assert_non_null(x);
	for (size_t i = 0; i < n; i++)
		x[i] = 0.3f * sig_noise();
	f = sig_frames(x, n, &nf, &fps);
	assert_non_null(f);
	struct pt_in in = { .f = f, .n = nf, .fps = fps, .stop = stop_now };
	assert_int_equal(pt_find(&in, &r, &err), -GR_ETIMEOUT);
	assert_int_equal(r.n, 0);
	assert_null(r.occ);
	assert_non_null(strstr(err.msg, "budget"));
	free(f);
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

/*
 * Sine tones of random pitch (200..2000 Hz) and length (0.15..0.6 s), with
 * no two-tone figure twice: a tone is drawn again while it and its
 * predecessor are within a semitone of an earlier pair (chance repeats of
 * a figure are repeats, and would rightly be found).
 */
static void test_random_tones_none(void **state)
{
	size_t n = (size_t)(30 * SIG_RATE);
	float *x = calloc(n, sizeof(*x));
	double midi[200], t = 0;
	int k = 0;
	struct an_patterns_result r;

	(void)state;
	assert_non_null(x);
	sig_seed = 4242;
	while (t < 30 && k < 200) {
		double d = 0.15 + 0.45 * urand(), m, f;
		int again;
		do {
			m = 55 + 40 * urand();
			again = 0;
			for (int i = 1; i < k && k > 0; i++)
				if (fabs(midi[i - 1] - midi[k - 1]) < 1 && fabs(midi[i] - m) < 1)
					again = 1;
		} while (again);
		midi[k++] = m;
		f = 440 * pow(2, (m - 69) / 12);
		size_t s = (size_t)(t * SIG_RATE), len = (size_t)(d * SIG_RATE);
		for (size_t i = 0; i < len && s + i < n; i++)
			x[s + i] = 0.3f * (float)sin(2 * M_PI * f * (double)i / SIG_RATE) *
			           (i < 100 ? (float)i / 100 : len - i < 100 ? (float)(len - i) / 100 : 1);
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
		cmocka_unit_test(test_planted_motif_same_range),
		cmocka_unit_test(test_bird_call),
		cmocka_unit_test(test_drum_loop),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_noise_none),
		cmocka_unit_test(test_random_tones_none),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
