/*
 * test_classify.c - the descriptors of the features plugin against their
 * definitions, and the trained classifier on generated clear cases run
 * through the real dsp pass (a chord progression is music, broadband noise
 * is noise, a click train is percussion or effect, silence is silence),
 * plus the timeline on a signal that changes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "grym/analysis.h"
#include "grym/dsp.h"

#define RATE 22050
#define FPS (22050.0 / 512.0)

static int feat_index(const char *name)
{
	for (int i = 0; i < AN_FEAT_DIM; i++)
		if (!strcmp(an_feature_name(i), name))
			return i;
	fail_msg("no descriptor %s", name);
	return -1;
}

/* ---- descriptors on generated frames ---------------------------------- */

static void test_descriptors_frames(void **state)
{
	enum { N = 430 };
	struct dsp_frame *f = calloc(N, sizeof(*f));
	float raw[AN_FEAT_DIM];

	for (int i = 0; i < N; i++) {
		f[i].centroid = 1000;
		f[i].rolloff = 4000;
		f[i].bandwidth = i % 2 ? 300 : 500;
		f[i].flatness = 0.1f;
		f[i].zcr = 0.05f;
		f[i].rms = i < N / 2 ? 0.1f : 0.01f;
		f[i].db = i < N / 2 ? -20 : -40;
		f[i].harmonicity = 0.9f;
		f[i].pitch = 440;
		f[i].mfcc[1] = (float)(i % 2 ? 3 : 1);
		f[i].chroma[27] = 1;   /* A only */
		/* one onset every 10 frames */
		f[i].flux = i % 10 == 5 ? 10.0f : 0.0f;
	}
	an_features_raw(f, N, FPS, raw);
	assert_float_equal(raw[feat_index("centroid_log2_mean")], log2(1000), 1e-4);
	assert_float_equal(raw[feat_index("centroid_log2_std")], 0, 1e-4);
	assert_float_equal(raw[feat_index("rolloff_log2_mean")], 2 + log2(1000), 1e-4);
	assert_float_equal(raw[feat_index("flatness_log10_mean")], log10(0.1 + 1e-5), 1e-4);
	assert_float_equal(raw[feat_index("mfcc1_mean")], 2, 1e-4);
	assert_float_equal(raw[feat_index("mfcc1_std")], 1, 1e-4);
	assert_float_equal(raw[feat_index("zcr_mean")], 0.05, 1e-5);
	assert_float_equal(raw[feat_index("loudness_range_db")], 20, 1e-4);
	assert_float_equal(raw[feat_index("low_energy_ratio")], 0.5, 1e-3);
	assert_float_equal(raw[feat_index("voiced_share")], 1, 1e-6);
	assert_float_equal(raw[feat_index("pitch_step_semitones")], 0, 1e-6);
	assert_float_equal(raw[feat_index("chroma_peak")], 12, 1e-4);   /* all in one class */
	assert_float_equal(raw[feat_index("chroma_entropy")], 0, 1e-4);
	assert_float_equal(raw[feat_index("duration_log2")], log2(N / FPS), 1e-4);
	/* 43 onsets in 10 s */
	assert_float_equal(raw[feat_index("onset_rate")], 4.3, 0.15);
	/* a 10-frame period is 0.23 s: below the 0.25 s lag range, but its
	 * double (20 frames) is inside and repeats perfectly */
	assert_true(raw[feat_index("onset_periodicity")] > 0.9f);
	free(f);
}

static void test_descriptors_degenerate(void **state)
{
	struct dsp_frame f[64];
	float raw[AN_FEAT_DIM], vec[AN_FEAT_DIM];

	memset(f, 0, sizeof(f));
	for (int i = 0; i < 64; i++)
		f[i].db = -120;   /* digital silence as dsp reports it */
	an_features_raw(f, 64, FPS, raw);
	for (int i = 0; i < AN_FEAT_DIM; i++)
		assert_true(isfinite(raw[i]));
	an_features_raw(f, 1, FPS, raw);
	for (int i = 0; i < AN_FEAT_DIM; i++)
		assert_true(isfinite(raw[i]));
	an_features_raw(NULL, 0, FPS, raw);
	for (int i = 0; i < AN_FEAT_DIM; i++)
		assert_true(raw[i] == 0);
	/* NaN in a frame must not leak */
	f[3].centroid = NAN;
	f[4].flux = INFINITY;
	an_features_raw(f, 64, FPS, raw);
	for (int i = 0; i < AN_FEAT_DIM; i++)
		assert_true(isfinite(raw[i]));
	(void)vec;
}

/* ---- the classifier on generated signals, through the real dsp pass ---- */

/* Deterministic uniform noise in [-1, 1]. */
static float noise(unsigned *s)
{
	*s = *s * 1664525u + 1013904223u;
	return (float)((*s >> 8) & 0xffffff) / 8388608.0f - 1.0f;
}

/* Frames of x[0..n) at RATE (all of it: silence detection off); returns
 * a new array (free() it) and the count in *nf. */
static struct dsp_frame *frames_of(const float *x, size_t n, size_t *nf)
{
	struct dsp_cfg c = {
		.rate = RATE, .fft_size = 2048, .hop = 512, .src_rate = RATE, .src_channels = 1,
		.silence_db = -200, .hysteresis_db = 0, .min_silence = 1, .min_region = 0,
		.padding = 0,
	};
	struct gr_err err = { 0, "" };
	struct dsp_analyzer *a = dsp_new(&c, &err);
	struct dsp_frame *f;
	int64_t k;

	assert_non_null(a);
	assert_int_equal(dsp_push(a, x, n, &err), 0);
	assert_int_equal(dsp_push_source(a, x, n, &err), 0);
	assert_int_equal(dsp_finish(a, &err), 0);
	k = dsp_frame_count(a);
	assert_true(k > 0);
	f = calloc((size_t)k, sizeof(*f));
	assert_int_equal(dsp_frames_read(a, 0, (size_t)k, f, &err), 0);
	*nf = (size_t)k;
	dsp_free(a);
	return f;
}

/* Run the core plugins on x as one region; fills *r (an_region_fini it). */
static void analyse(const float *x, size_t n, struct an_region *r)
{
	struct gr_err err = { 0, "" };
	struct an_engine *e = an_engine_new(NULL, 0, 0, &err);
	size_t nf;
	struct dsp_frame *f = frames_of(x, n, &nf);

	assert_non_null(e);
	memset(r, 0, sizeof(*r));
	r->start = 0;
	r->end = (double)n / RATE;
	an_engine_run_region(e, r, f, nf, FPS);
	for (int i = 0; i < r->n_runs; i++)
		if (r->runs[i].status != AN_OK)
			fail_msg("%s: %s", r->runs[i].name, an_run_error(&r->runs[i]));
	assert_true(r->has_class && r->has_timeline && r->has_features);
	free(f);
	an_engine_free(e);
}

/* A chord with harmonics, attack and decay: notes in Hz. */
static void chord(float *x, size_t n, const double *notes, int k, double amp)
{
	for (size_t i = 0; i < n; i++) {
		double t = (double)i / RATE, env = fmin(t / 0.02, 1.0) * exp(-1.2 * t), s = 0;
		for (int j = 0; j < k; j++)
			for (int h = 1; h <= 5; h++)
				s += sin(2 * M_PI * notes[j] * h * t) / (h * h);
		x[i] += (float)(amp * env * s / k);
	}
}

static void progression(float *x, size_t n)
{
	static const double prog[4][3] = {
		{ 261.6, 329.6, 392.0 }, { 220.0, 261.6, 329.6 },
		{ 174.6, 220.0, 261.6 }, { 196.0, 246.9, 293.7 },
	};
	size_t len = (size_t)(1.5 * RATE);
	for (size_t c = 0; c * len < n; c++)
		chord(x + c * len, n - c * len < len ? n - c * len : len, prog[c % 4], 3, 0.5);
}

static void test_class_music(void **state)
{
	size_t n = 12 * RATE;
	float *x = calloc(n, sizeof(*x));
	struct an_region r;

	progression(x, n);
	analyse(x, n, &r);
	assert_string_equal(an_class_name(r.cls.cls), "music");
	assert_true(r.cls.conf > 0.4f);
	assert_int_equal(r.timeline.n, 1);
	an_region_fini(&r);
	free(x);
}

static void test_class_noise(void **state)
{
	size_t n = 8 * RATE;
	float *x = calloc(n, sizeof(*x));
	unsigned s = 7;
	struct an_region r;

	for (size_t i = 0; i < n; i++)
		x[i] = 0.3f * noise(&s);
	analyse(x, n, &r);
	assert_string_equal(an_class_name(r.cls.cls), "noise");
	assert_int_equal(r.timeline.n, 1);
	an_region_fini(&r);
	free(x);
}

static void test_class_clicks(void **state)
{
	size_t n = 8 * RATE, period = RATE / 4;
	float *x = calloc(n, sizeof(*x));
	unsigned s = 3;
	struct an_region r;

	for (size_t i = 0; i < n; i++) {
		size_t k = i % period;
		if (k < 400)
			x[i] = 0.8f * noise(&s) * expf(-(float)k / 60.0f);
	}
	analyse(x, n, &r);
	assert_true(r.cls.cls == AN_PERCUSSION || r.cls.cls == AN_EFFECT);
	an_region_fini(&r);
	free(x);
}

static void test_class_silence(void **state)
{
	size_t n = 5 * RATE;
	float *x = calloc(n, sizeof(*x));
	struct an_region r;

	analyse(x, n, &r);
	assert_string_equal(an_class_name(r.cls.cls), "silence");
	for (int i = 0; i < AN_FEAT_DIM; i++)
		assert_true(isfinite(r.features.vec[i]));
	an_region_fini(&r);
	free(x);
}

static void test_descriptors_signals(void **state)
{
	size_t n = 4 * RATE, nf;
	float *x = calloc(n, sizeof(*x)), raw[AN_FEAT_DIM];
	struct dsp_frame *f;
	unsigned s = 11;

	/* a pure tone: its centroid is its frequency, its chroma one class */
	for (size_t i = 0; i < n; i++)
		x[i] = 0.5f * (float)sin(2 * M_PI * 1000.0 * i / RATE);
	f = frames_of(x, n, &nf);
	an_features_raw(f + 4, nf - 8, FPS, raw);
	assert_float_equal(raw[feat_index("centroid_log2_mean")], log2(1000), 0.1);
	assert_true(raw[feat_index("flatness_log10_mean")] < -2);
	free(f);
	/* white noise is flat */
	for (size_t i = 0; i < n; i++)
		x[i] = 0.3f * noise(&s);
	f = frames_of(x, n, &nf);
	an_features_raw(f + 4, nf - 8, FPS, raw);
	assert_true(raw[feat_index("flatness_log10_mean")] > -0.5);
	assert_float_equal(raw[feat_index("centroid_log2_mean")], log2(RATE / 4.0), 0.3);
	free(f);
	free(x);
}

static void test_timeline_change(void **state)
{
	size_t n = 16 * RATE, half = 8 * RATE;
	float *x = calloc(n, sizeof(*x));
	unsigned s = 5;
	struct an_region r;

	progression(x, half);
	for (size_t i = half; i < n; i++)
		x[i] = 0.2f * noise(&s);
	analyse(x, n, &r);
	assert_true(r.timeline.n >= 2);
	{
		int found = 0;
		for (int i = 1; i < r.timeline.n; i++)
			if (fabs(r.timeline.seg[i].start - 8.0) <= 0.5)
				found = 1;
		assert_true(found);
	}
	assert_int_equal(r.timeline.seg[0].cls, AN_MUSIC);
	assert_int_equal(r.timeline.seg[r.timeline.n - 1].cls, AN_NOISE);
	assert_true(r.timeline.seg[0].start == 0.0);
	assert_true(r.timeline.seg[r.timeline.n - 1].end == 16.0);
	an_region_fini(&r);
	free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptors_frames),
		cmocka_unit_test(test_descriptors_degenerate),
		cmocka_unit_test(test_descriptors_signals),
		cmocka_unit_test(test_class_music),
		cmocka_unit_test(test_class_noise),
		cmocka_unit_test(test_class_clicks),
		cmocka_unit_test(test_class_silence),
		cmocka_unit_test(test_timeline_change),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
