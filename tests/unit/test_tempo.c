/*
 * test_tempo.c - the tempo estimator on generated signals run through the
 * real dsp pass: click tracks and drum patterns from 60 to 200 BPM within
 * 1 %, busy grooves with a backbeat neither halved (138-170 BPM) nor
 * doubled (86-120), alternates that hold the half and double tempo, a beat grid on the
 * clicks, a 3/4 waltz detected as 3 beats per bar, a rock pattern as 4,
 * no tempo for noise and for a single hit; and the file summary's vote
 * over regions that each read a performance ambiguously; a chord struck on
 * every beat over a bass on one and three read at its own 100 BPM, not 50;
 * a groove whose snare plays dotted eighths read at its beat, not 4:3 or 5:4.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "grym/analysis.h"
#include "grym/util.h"
#include "musical_sig.h"
#include "../../src/analysis/plugins/musical.h"

#define SECS 20.0

/* Estimate the tempo of x via the dsp frames. */
static void estimate(const float *x, size_t n, struct an_tempo_result *r)
{
	size_t nf = 0;
	double fps = 0;
	struct dsp_frame *f = sig_frames(x, n, &nf, &fps);
	assert_non_null(f);
	struct tempo_in in = {
		.onset = &f[0].flux, .onset_sus = &f[0].flux_sus, .low = &f[0].bands[0],
		.body = &f[0].bands[1], .snare = &f[0].bands[2], .chroma = f[0].chroma,
		.stride = sizeof(struct dsp_frame) / sizeof(float),
		.n = nf, .fps = fps, .t0 = 0,
	};
	struct gr_err err = { 0 };
	assert_int_equal(tempo_estimate(&in, r, NULL, &err), 0);
	free(f);
}

static void assert_bpm(const struct an_tempo_result *r, double want, const char *what)
{
	if (!r->has_tempo || fabs(r->bpm / want - 1) > 0.01) {
		print_error("%s at %.0f BPM: got %s %.2f\n", what, want,
		            r->has_tempo ? "" : "no tempo", r->bpm);
		fail();
	}
}

static float *alloc_sig(size_t n)
{
	float *x = calloc(n, sizeof(*x));
	assert_non_null(x);
	return x;
}

static void test_clicks(void **state)
{
	static const double bpms[] = { 60, 72, 90, 105, 120, 140, 160, 180, 200 };
	size_t n = (size_t)(SECS * SIG_RATE);
	for (size_t k = 0; k < sizeof(bpms) / sizeof(bpms[0]); k++) {
		float *x = alloc_sig(n);
		double per = 60.0 * SIG_RATE / bpms[k];
		for (double t = 0.3 * SIG_RATE; t < (double)n; t += per)
			sig_click(x, n, (size_t)t, 0.8f);
		struct an_tempo_result r;
		estimate(x, n, &r);
		assert_bpm(&r, bpms[k], "click track");
		/* the beat grid: one beat per click, on the clicks */
		assert_true(r.n_beats > 0.8 * SECS * bpms[k] / 60);
		for (int i = 1; i < r.n_beats; i++)
			assert_true(fabs((r.beats[i] - r.beats[i - 1]) / (60.0 / bpms[k]) - 1) < 0.1);
		double ph = fmod(r.beats[r.n_beats / 2] - 0.3, 60.0 / bpms[k]);
		if (ph > 30.0 / bpms[k])
			ph -= 60.0 / bpms[k];
		assert_true(fabs(ph) < 0.03);
		/* the octave relatives are offered (the double up to 300 BPM) */
		int half = 0, dbl = bpms[k] * 2 > 300;
		for (int i = 0; i < r.n_alt; i++) {
			half |= fabs(r.alt[i].bpm / (bpms[k] / 2) - 1) < 0.02;
			dbl |= fabs(r.alt[i].bpm / (bpms[k] * 2) - 1) < 0.02;
		}
		assert_true(half && dbl);
		assert_true(r.conf > 0 && r.conf <= 1);
		free(r.beats);
		free(x);
	}
}

/* A rock pattern: kick on 1 and 3, snare on 2 and 4, hats on eighths
 * between 70 and 130 BPM, on the beats outside (as drummers play them:
 * eighths at 60 read as a half-time 120, eighths at 180 are impractical). */
static void rock(float *x, size_t n, double bpm)
{
	int eighths = bpm >= 70 && bpm <= 130;
	double per = 60.0 * SIG_RATE / bpm;
	int beat = 0;
	for (double t = 0.2 * SIG_RATE; t + per / 2 < (double)n; t += per, beat++) {
		if (beat % 2 == 0)
			sig_kick(x, n, (size_t)t, 0.9f);
		else
			sig_snare(x, n, (size_t)t, 0.6f);
		sig_hat(x, n, (size_t)t, 0.25f);
		if (eighths)
			sig_hat(x, n, (size_t)(t + per / 2), 0.15f);
	}
}

static void test_drums(void **state)
{
	static const double bpms[] = { 60, 75, 96, 128, 150, 174, 200 };
	size_t n = (size_t)(SECS * SIG_RATE);
	for (size_t k = 0; k < sizeof(bpms) / sizeof(bpms[0]); k++) {
		float *x = alloc_sig(n);
		rock(x, n, bpms[k]);
		struct an_tempo_result r;
		estimate(x, n, &r);
		assert_bpm(&r, bpms[k], "rock pattern");
		assert_int_equal(r.beats_per_bar, 4);
		free(r.beats);
		free(x);
	}
}

/* A busy groove as drummers play it at any tempo: kick on 1 and 3, snare
 * on the backbeat (2 and 4), hats on every subdivision (eighths, or
 * sixteenths when sub = 4). */
static void groove(float *x, size_t n, double bpm, int sub)
{
	double per = 60.0 * SIG_RATE / bpm;
	int beat = 0;
	for (double t = 0.2 * SIG_RATE; t + per < (double)n; t += per, beat++) {
		if (beat % 2 == 0)
			sig_kick(x, n, (size_t)t, 0.9f);
		else
			sig_snare(x, n, (size_t)t, 0.7f);
		for (int k = 0; k < sub; k++)
			sig_hat(x, n, (size_t)(t + k * per / sub), k ? 0.2f : 0.3f);
	}
}

/* Fast grooves with eighth hats are not read at half speed (the snare's
 * backbeat repeats every two beats), nor slow ones with sixteenths at
 * double speed. */
static void test_backbeat(void **state)
{
	static const struct { double bpm; int sub; } g[] = {
		{ 138, 2 }, { 150, 2 }, { 170, 2 }, { 86, 4 }, { 100, 2 }, { 120, 2 },
	};
	size_t n = (size_t)(SECS * SIG_RATE);
	for (size_t k = 0; k < sizeof(g) / sizeof(g[0]); k++) {
		float *x = alloc_sig(n);
		groove(x, n, g[k].bpm, g[k].sub);
		struct an_tempo_result r;
		estimate(x, n, &r);
		assert_bpm(&r, g[k].bpm, g[k].sub == 2 ? "groove with eighths" : "groove with sixteenths");
		free(r.beats);
		free(x);
	}
}

static void test_waltz(void **state)
{
	static const double bpms[] = { 90, 150 };
	size_t n = (size_t)(SECS * SIG_RATE);
	for (size_t k = 0; k < 2; k++) {
		float *x = alloc_sig(n);
		double per = 60.0 * SIG_RATE / bpms[k];
		int beat = 0;
		/* oom-pa-pa: kick and a low note on one, hat and chord on two, three */
		for (double t = 0.2 * SIG_RATE; t + per < (double)n; t += per, beat++) {
			if (beat % 3 == 0) {
				sig_kick(x, n, (size_t)t, 0.9f);
				sig_note(x, n, (size_t)t, (size_t)per, sig_midi_hz(43, 0), 0.3f);
			} else {
				sig_hat(x, n, (size_t)t, 0.3f);
				sig_note(x, n, (size_t)t, (size_t)(per * 0.8), sig_midi_hz(67, 0), 0.1f);
				sig_note(x, n, (size_t)t, (size_t)(per * 0.8), sig_midi_hz(71, 0), 0.1f);
			}
		}
		struct an_tempo_result r;
		estimate(x, n, &r);
		assert_bpm(&r, bpms[k], "waltz");
		assert_int_equal(r.beats_per_bar, 3);
		/* the first downbeat is a kick: 0.2 s + a multiple of the bar */
		double bar = 3 * 60.0 / bpms[k], off = fmod(r.downbeat - 0.2 + 0.1, bar) - 0.1;
		assert_true(fabs(off) < 0.05);
		free(r.beats);
		free(x);
	}
}

/* A chord re-struck on every beat over a bass on beats one and three (the
 * bundled chords sample): the beats between the bass notes are weak in
 * the onset envelope, but a halving to a tempo below 60 BPM is not taken:
 * the pulse is the chord's, 100 BPM (was read as 50). */
static void test_restruck_chords(void **state)
{
	static const int chord[4][4] = {
		{ 57, 60, 64, 69 }, { 62, 65, 69, 74 }, { 56, 59, 64, 68 }, { 57, 60, 64, 69 },
	};
	static const int bass[4] = { 45, 38, 40, 45 };
	size_t n = (size_t)(SECS * SIG_RATE);
	float *x = alloc_sig(n);
	double per = 60.0 * SIG_RATE / 100.0;
	int beat = 0;

	(void)state;
	for (double t = 0.5 * SIG_RATE; t + 2 * per < (double)n; t += per, beat++) {
		int bar = (beat / 4) % 4;
		float acc = beat % 4 == 0 ? 1.0f : 0.7f;
		for (int m = 0; m < 4; m++)
			sig_note(x, n, (size_t)t, (size_t)(per * 0.95), sig_midi_hz(chord[bar][m], 0),
			         0.07f * acc);
		if (beat % 2 == 0)
			sig_note(x, n, (size_t)t, (size_t)(per * 1.9), sig_midi_hz(bass[bar], 0), 0.16f);
	}
	struct an_tempo_result r;
	estimate(x, n, &r);
	assert_bpm(&r, 100, "chords re-struck on every beat, bass on one and three");
	free(r.beats);
	free(x);
}

/* A New Orleans funk groove as a drum set played it: the snare on dotted
 * eighths (sixteenths 0, 3, 6, 9, 12: five strokes to the bar), the kick
 * syncopated (0, 3, 5, 7, 8, 11), soft hats on the off sixteenths.  The
 * strokes recur 4:3 and 5:4 times as fast as the beat (the drum set's
 * 82 BPM performance read 102.6). */
static void cross_rhythm(float *x, size_t n, double bpm)
{
	static const int snare16[] = { 0, 3, 6, 9, 12 }, kick16[] = { 0, 3, 5, 7, 8, 11 };
	static const int hat16[] = { 1, 3, 5, 7, 11 };
	double six = 15.0 * SIG_RATE / bpm;   /* a sixteenth, samples */
	for (double bar = 0.2 * SIG_RATE; bar + 16 * six < (double)n; bar += 16 * six) {
		for (size_t k = 0; k < GR_ARRAY_LEN(snare16); k++)
			sig_snare(x, n, (size_t)(bar + snare16[k] * six), 0.7f);
		for (size_t k = 0; k < GR_ARRAY_LEN(kick16); k++)
			sig_kick(x, n, (size_t)(bar + kick16[k] * six), 0.5f);
		for (size_t k = 0; k < GR_ARRAY_LEN(hat16); k++)
			sig_hat(x, n, (size_t)(bar + hat16[k] * six), 0.12f);
	}
}

/* The cross-rhythm's periods do not win: the answer is the beat or its
 * double (the octave is the beat grid's question), with the beat offered,
 * and the snare's stroke rate (4:3 or 5:4 of the beat) is offered too. */
static void test_cross_rhythm(void **state)
{
	static const double bpms[] = { 76, 82, 90, 100, 110 };
	size_t n = (size_t)(30 * SIG_RATE);

	(void)state;
	for (size_t k = 0; k < GR_ARRAY_LEN(bpms); k++) {
		float *x = alloc_sig(n);
		cross_rhythm(x, n, bpms[k]);
		struct an_tempo_result r;
		estimate(x, n, &r);
		double m = r.bpm / bpms[k];
		int beat = fabs(m - 1) < 0.02, cross = 0;
		for (int i = 0; i < r.n_alt; i++) {
			double a = r.alt[i].bpm / bpms[k];
			beat |= fabs(a - 1) < 0.02;
			cross |= fabs(a - 4.0 / 3.0) < 0.03 || fabs(a - 1.25) < 0.03;
		}
		if (!r.has_tempo || (fabs(m - 1) > 0.02 && fabs(m - 2) > 0.04) || !beat || !cross) {
			print_error("dotted-eighth groove at %.0f BPM: got %.2f (alternates %.1f %.1f "
			            "%.1f %.1f)\n", bpms[k], r.bpm, r.alt[0].bpm, r.alt[1].bpm,
			            r.alt[2].bpm, r.alt[3].bpm);
			fail();
		}
		free(r.beats);
		free(x);
	}
}

static void test_no_pulse(void **state)
{
	size_t n = (size_t)(10 * SIG_RATE);
	float *x = alloc_sig(n);
	struct an_tempo_result r;

	for (size_t i = 0; i < n; i++)
		x[i] = 0.3f * sig_noise();
	estimate(x, n, &r);
	assert_int_equal(r.has_tempo, 0);
	assert_null(r.beats);

	/* one hit, then its decay and silence: a one-shot */
	memset(x, 0, n * sizeof(*x));
	sig_kick(x, n, SIG_RATE / 2, 0.9f);
	sig_snare(x, n, SIG_RATE / 2, 0.5f);
	estimate(x, n, &r);
	assert_int_equal(r.has_tempo, 0);
	free(x);

	/* too short to hold a pulse */
	static const float four[4] = { 1, 0, 1, 0 };
	struct tempo_in in = { .onset = four, .stride = 1, .n = 4, .fps = 43, .t0 = 0 };
	struct gr_err err = { 0 };
	assert_int_equal(tempo_estimate(&in, &r, NULL, &err), 0);
	assert_int_equal(r.has_tempo, 0);
}

/* One region of a hand-built file: a tempo reading with two alternates. */
static void region(struct an_region *r, double start, double end, float bpm, float conf,
                   float alt1, float s1, float alt2, float s2)
{
	memset(r, 0, sizeof(*r));
	r->start = start;
	r->end = end;
	r->has_class = 1;
	r->cls.cls = AN_PERCUSSION;
	r->cls.conf = 0.9f;
	r->has_tempo = 1;
	r->tempo.has_tempo = 1;
	r->tempo.bpm = bpm;
	r->tempo.conf = conf;
	r->tempo.n_alt = 2;
	r->tempo.alt[0].bpm = alt1;
	r->tempo.alt[0].score = s1;
	r->tempo.alt[1].bpm = alt2;
	r->tempo.alt[1].score = s2;
	r->tempo.beats_per_bar = 4;
	r->key.key = r->key.runner = AN_NO_KEY;
}

/* A drum performance split at its pauses into regions, each alone unsure
 * between 140 and its half (and one short fill read at 105, the most
 * confident of all): the file's tempo is the one the regions agree on,
 * with the half among its alternates (and a region's metrical relative). */
static void test_summary_votes(void **state)
{
	struct an_region r[5];
	struct an_file f;

	region(&r[0], 0, 20, 70.2f, 0.30f, 140.4f, 0.33f, 46.8f, 0.10f);
	region(&r[1], 21, 40, 139.8f, 0.28f, 69.9f, 0.30f, 93.2f, 0.12f);
	region(&r[2], 41, 60, 140.1f, 0.31f, 70.0f, 0.28f, 210.1f, 0.05f);
	region(&r[3], 61, 75, 69.8f, 0.30f, 139.6f, 0.36f, 93.1f, 0.10f);
	region(&r[4], 76, 81, 105.0f, 0.60f, 52.5f, 0.10f, 210.0f, 0.05f);
	memset(&f, 0, sizeof(f));
	f.duration = 81;
	f.n_regions = 5;
	f.regions = r;
	an_summarize(&f);
	assert_true(f.summary.has_tempo);
	assert_true(fabs(f.summary.bpm / 140.0 - 1) < 0.01);
	assert_true(f.summary.bpm_conf > 0 && f.summary.bpm_conf <= 1);
	assert_int_equal(f.summary.beats_per_bar, 4);
	int half = 0;
	for (int i = 0; i < f.summary.n_alt; i++)
		half |= fabs(f.summary.alt[i].bpm / 70.0 - 1) < 0.01;
	assert_true(half);

	/* one region: the file says what the region says, whatever the
	 * alternates' scores (the plugin's octave test chose) */
	region(&r[0], 0, 60, 144.9f, 0.27f, 72.5f, 0.44f, 215.5f, 0.06f);
	f.n_regions = 1;
	an_summarize(&f);
	assert_true(fabs(f.summary.bpm - 144.9f) < 0.01f);

	/* a metrical relative a region offers (its snare's dotted eighths, 4:3)
	 * is among the file's alternates */
	region(&r[0], 0, 60, 82.0f, 0.25f, 164.0f, 0.20f, 109.3f, 0.18f);
	an_summarize(&f);
	int cross = 0;
	for (int i = 0; i < f.summary.n_alt; i++)
		cross |= fabs(f.summary.alt[i].bpm / 109.3f - 1) < 0.01;
	assert_true(cross);

	/* no region with a tempo: no tempo */
	r[0].tempo.has_tempo = 0;
	an_summarize(&f);
	assert_false(f.summary.has_tempo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clicks),
		cmocka_unit_test(test_drums),
		cmocka_unit_test(test_backbeat),
		cmocka_unit_test(test_waltz),
		cmocka_unit_test(test_restruck_chords),
		cmocka_unit_test(test_cross_rhythm),
		cmocka_unit_test(test_no_pulse),
		cmocka_unit_test(test_summary_votes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
