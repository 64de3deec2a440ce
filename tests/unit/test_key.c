/*
 * test_key.c - the key estimator on generated cadences run through the
 * real dsp pass: I-IV-V-I and i-iv-V-i with a bass line and voiced
 * chords of harmonic, decaying notes in all 24 keys; the same detuned by
 * +30 cents (and the tuning measured); white noise and a drum loop give
 * no key; a region that modulates reports two sections, a short passage
 * in another key neither wins nor makes a section; the file
 * summary's key vote and confidence.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "grym/analysis.h"
#include "musical_sig.h"
#include "../../src/analysis/plugins/musical.h"

#define CHORD_S 0.6    /* s per chord */

static void estimate(const float *x, size_t n, struct an_key_result *r)
{
	size_t nf = 0;
	double fps = 0;
	struct dsp_frame *f = sig_frames(x, n, &nf, &fps);
	assert_non_null(f);
	struct key_in in = {
		.chroma = f[0].chroma,
		.stride = sizeof(struct dsp_frame) / sizeof(float),
		.n = nf, .fps = fps, .t0 = 0,
	};
	struct gr_err err = { 0 };
	assert_int_equal(key_estimate(&in, r, NULL, &err), 0);
	free(f);
}

/*
 * Add a cadence in key (0..23) starting at second `at`, `reps` times,
 * detuned by cents: bass on the chord root, a three-note voicing in the
 * middle register with smooth voice leading.
 */
static void cadence(float *x, size_t n, int key, double at, int reps, double cents)
{
	static const int maj[4][4] = {   /* bass, then the voicing, semitones */
		{ 0, 4, 7, 12 }, { 5, 5, 9, 12 }, { 7, 2, 7, 11 }, { 0, 4, 7, 12 },
	};
	static const int min[4][4] = {
		{ 0, 3, 7, 12 }, { 5, 5, 8, 12 }, { 7, 2, 7, 11 }, { 0, 3, 7, 12 },
	};
	int t = key % 12, mid = 60 + t - (t >= 6 ? 12 : 0);   /* tonic in F#3..F4 */
	const int (*prog)[4] = key >= 12 ? min : maj;
	size_t len = (size_t)(CHORD_S * SIG_RATE);
	for (int r = 0; r < reps; r++)
		for (int c = 0; c < 4; c++) {
			size_t s = (size_t)((at + (r * 4 + c) * CHORD_S) * SIG_RATE);
			int bass = 36 + (t + prog[c][0]) % 12;
			sig_note(x, n, s, len, sig_midi_hz(bass, cents), 0.35f);
			for (int v = 1; v < 4; v++)
				sig_note(x, n, s, len, sig_midi_hz(mid + prog[c][v], cents), 0.2f);
		}
}

static void check_key(int key, double cents)
{
	size_t n = (size_t)(8 * CHORD_S * SIG_RATE);
	float *x = calloc(n, sizeof(*x));
	struct an_key_result r;
	char a[32], b[32];


	assert_non_null(x);
	cadence(x, n, key, 0, 2, cents);
	estimate(x, n, &r);
	if (r.key != key) {
		print_error("cadence in %s (%+.0f cents): got %s\n", an_key_name(key, 0, 0, a, 32),
		            cents, an_key_name(r.key, 0, 0, b, 32));
		fail();
	}
	assert_true(r.conf > 0 && r.conf <= 1);
	assert_true(r.runner >= 0 && r.runner != r.key && r.runner_conf <= r.conf);
	assert_true(fabsf(r.tuning_cents - (float)cents) < 12);
	assert_int_equal(r.n_sections, 0);
	free(r.sections);
	free(x);
}

static void test_all_keys(void **state)
{
	for (int k = 0; k < 24; k++)
		check_key(k, 0);
}

static void test_detuned(void **state)
{
	static const int keys[] = { 0, 6 + 12, 10, 4 + 12, 9, 2 + 12 };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		check_key(keys[i], 30);
}

static void test_unpitched(void **state)
{
	size_t n = (size_t)(6 * SIG_RATE);
	float *x = calloc(n, sizeof(*x));
	struct an_key_result r;

	assert_non_null(x);
	for (size_t i = 0; i < n; i++)
		x[i] = 0.3f * sig_noise();
	estimate(x, n, &r);
	assert_int_equal(r.key, AN_NO_KEY);
	assert_int_equal(r.runner, AN_NO_KEY);
	assert_null(r.sections);

	/* a drum loop has no key either */
	memset(x, 0, n * sizeof(*x));
	for (int b = 0; b < 12; b++) {
		size_t s = (size_t)(b * 0.5 * SIG_RATE);
		if (b % 2)
			sig_snare(x, n, s, 0.6f);
		else
			sig_kick(x, n, s, 0.9f);
		sig_hat(x, n, s, 0.2f);
		sig_hat(x, n, s + SIG_RATE / 4, 0.2f);
	}
	estimate(x, n, &r);
	assert_int_equal(r.key, AN_NO_KEY);
	free(x);
}

static void test_modulation(void **state)
{
	/* 36 s in D major, then 36 s in Bb minor */
	size_t n = (size_t)(72 * SIG_RATE);
	float *x = calloc(n, sizeof(*x));
	struct an_key_result r;

	assert_non_null(x);
	cadence(x, n, 2, 0, 15, 0);
	cadence(x, n, 10 + 12, 36, 15, 0);
	estimate(x, n, &r);
	assert_int_equal(r.n_sections, 2);
	assert_int_equal(r.sections[0].key, 2);
	assert_int_equal(r.sections[1].key, 10 + 12);
	assert_true(fabs(r.sections[1].start - 36) < 6);
	assert_true(r.key == 2 || r.key == 10 + 12);
	free(r.sections);
	free(x);
}

/* A song's key is the key it is mostly in: a short passage in another
 * key (a bridge in the middle, the last chorus a tone up) neither wins
 * the region's key nor, being shorter than a section, is reported. */
static void test_main_key(void **state)
{
	static const struct { int main, other; double other_at; } songs[] = {
		{ 0, 4, 48 },          /* C major, 12 s in E major from 48 s, C again */
		{ 21, 17, 24 },        /* A minor, 12 s in F major from 24 s, A minor again */
		{ 7, 9, 72 },          /* G major, the last 12 s a tone up in A major */
	};
	size_t n = (size_t)(84 * SIG_RATE);
	float *x = malloc(n * sizeof(*x));
	struct an_key_result r;
	char a[32], b[32];

	assert_non_null(x);
	for (size_t i = 0; i < sizeof(songs) / sizeof(songs[0]); i++) {
		double at = songs[i].other_at;
		memset(x, 0, n * sizeof(*x));
		/* a cadence lasts 4 chords = 2.4 s: 5 of them are 12 s */
		cadence(x, n, songs[i].main, 0, (int)(at / (4 * CHORD_S) + 0.5), 0);
		cadence(x, n, songs[i].other, at, 5, 0);
		if (at + 12 < 84)
			cadence(x, n, songs[i].main, at + 12, (int)((72 - at) / (4 * CHORD_S) + 0.5), 0);
		estimate(x, n, &r);
		if (r.key != songs[i].main) {
			print_error("main key %s with 12 s in %s: got %s\n",
			            an_key_name(songs[i].main, 0, 0, a, 32),
			            an_key_name(songs[i].other, 0, 0, b, 32),
			            an_key_name(r.key, 0, 0, a, 32));
			fail();
		}
		assert_int_equal(r.n_sections, 0);
		assert_true(r.conf > r.runner_conf);
		free(r.sections);
	}
	free(x);
}

static void keyed(struct an_region *r, double start, double end, int key, float conf,
                  int runner, float runner_conf)
{
	memset(r, 0, sizeof(*r));
	r->start = start;
	r->end = end;
	r->has_key = 1;
	r->key.key = key;
	r->key.conf = conf;
	r->key.runner = runner;
	r->key.runner_conf = runner_conf;
}

/* The file's key: a one-region file keeps its region's key, confidence
 * and runner-up; regions vote by duration x confidence; a few pitched
 * blips in a drum performance do not give it a key. */
static void test_summary_key(void **state)
{
	struct an_region r[4];
	struct an_file f;

	memset(&f, 0, sizeof(f));
	f.regions = r;
	keyed(&r[0], 0, 120, 21, 0.62f, 0, 0.30f);           /* A minor, runner C major */
	f.n_regions = 1;
	an_summarize(&f);
	assert_int_equal(f.summary.key, 21);
	assert_true(fabs(f.summary.key_conf - 0.62f) < 0.01f);
	assert_int_equal(f.summary.key_runner, 0);
	assert_true(fabs(f.summary.key_runner_conf - 0.30f) < 0.01f);

	/* two long regions in C major outweigh a surer short one in G */
	keyed(&r[0], 0, 60, 0, 0.5f, 21, 0.3f);
	keyed(&r[1], 61, 120, 0, 0.5f, 7, 0.2f);
	keyed(&r[2], 121, 135, 7, 0.9f, 0, 0.05f);
	f.n_regions = 3;
	an_summarize(&f);
	assert_int_equal(f.summary.key, 0);
	assert_true(f.summary.key_conf > 0.3f && f.summary.key_conf <= 1);

	/* a drum performance: long keyless regions, one short blip in A minor */
	keyed(&r[0], 0, 30, AN_NO_KEY, 0, AN_NO_KEY, 0);
	keyed(&r[1], 31, 60, AN_NO_KEY, 0, AN_NO_KEY, 0);
	keyed(&r[2], 61, 61.5, 21, 0.3f, AN_NO_KEY, 0);
	f.n_regions = 3;
	an_summarize(&f);
	assert_int_equal(f.summary.key, AN_NO_KEY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_keys),
		cmocka_unit_test(test_detuned),
		cmocka_unit_test(test_unpitched),
		cmocka_unit_test(test_modulation),
		cmocka_unit_test(test_main_key),
		cmocka_unit_test(test_summary_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
