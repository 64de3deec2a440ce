/*
 * test_similar.c - similarity search: the descriptor through the real
 * decode + dsp + plugin path on generated sounds (a sound is its own
 * nearest neighbour; a transposed melody is near under timbre and far
 * under pitch; a 12 dB quieter copy keeps its score), the index (exact
 * top-k against a brute-force sort, masks, ids), the aspect table, and
 * the catalog round trip (vectors stored with an analysis come back from
 * cat_simvec_all / sim_index_load, and a query restricts a search).
 *
 * GRYM_SIM_CALIBRATE=1 prints the median distance of unrelated pairs per
 * aspect: the numbers behind SIM_SCALE in src/similar/weights.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fixtures.h"
#include "grym/analysis.h"
#include "grym/catalog.h"
#include "grym/config.h"
#include "grym/similar.h"

/* ---- the sounds ------------------------------------------------------- */

enum { S_MEL, S_MEL_UP5, S_MEL_QUIET, S_MEL_SINE, S_PINK, S_WHITE, S_CLICKS4,
       S_CLICKS9, S_SINE440, S_SINE1500, S_CHORD, S_PINK_QUIET, S_N };
static const char *const names[S_N] = {
	"melody", "melody+5st", "melody-12dB", "melody-sines", "pink", "white",
	"clicks4", "clicks9", "sine440", "sine1500", "chord", "pink-12dB",
};
static float vec[S_N][AN_SIM_DIM];
static char *dir;
static struct an_engine *eng;

/* A phrase of eight harmonic notes (partials 1..4, 1/k amplitudes through
 * repeated partials) a semitones above C4, gain g. */
static size_t melody(struct fx_seg *s, double semis, double g, int sines)
{
	static const int notes[8] = { 0, 4, 7, 12, 7, 4, 5, 2 };
	size_t n = 0;

	s[n++] = (struct fx_seg){ .kind = FX_SILENCE, .dur = 0.3 };
	for (int i = 0; i < 8; i++) {
		double f0 = 261.63 * pow(2.0, (notes[i] + semis) / 12.0);
		struct fx_seg t = { .dur = 0.25, .amp = 0.6 * g, .fade = 0.02 };
		if (sines) {
			t.kind = FX_SINE;
			t.freq = f0;
		} else {
			t.kind = FX_CHORD;
			t.n_partials = 7;
			/* 1, 1, 1, 1, 2, 2, 3, 4: more weight low, as an instrument */
			double p[7] = { f0, f0, f0, 2 * f0, 2 * f0, 3 * f0, 4 * f0 };
			memcpy(t.partials, p, sizeof(p));
		}
		s[n++] = t;
	}
	s[n++] = (struct fx_seg){ .kind = FX_SILENCE, .dur = 0.3 };
	return n;
}

static size_t single(struct fx_seg *s, struct fx_seg body)
{
	s[0] = (struct fx_seg){ .kind = FX_SILENCE, .dur = 0.3 };
	body.fade = body.fade > 0 ? body.fade : 0.02;
	s[1] = body;
	s[2] = (struct fx_seg){ .kind = FX_SILENCE, .dur = 0.3 };
	return 3;
}

static void describe_file(int which, const struct fx_seg *segs, size_t n)
{
	struct fx_spec sp = { .rate = 44100, .channels = 1, .format = fx_format("wavf"),
	                      .segs = segs, .n_segs = n };
	struct gr_config cfg;
	struct gr_err err = { 0 };
	struct an_file f;
	char name[64], *path;

	snprintf(name, sizeof(name), "%s.wav", names[which]);
	path = fx_path(dir, name);
	assert_int_equal(fx_write(path, &sp, NULL, &err), 0);
	config_defaults(&cfg);
	cfg.min_silence = 1.0;   /* one region per sound, whatever its rhythm */
	if (an_analyze_file(path, &cfg, eng, &f, &err) != 0)
		fail_msg("%s: %s", path, err.msg);
	if (f.n_regions != 1)
		fail_msg("%s: %d regions, expected 1", names[which], f.n_regions);
	if (!f.regions[0].has_simvec) {
		for (int i = 0; i < f.regions[0].n_runs; i++)
			print_message("# %s: %s %s\n", f.regions[0].runs[i].name,
			              an_status_name(f.regions[0].runs[i].status),
			              an_run_error(&f.regions[0].runs[i]));
		fail_msg("%s: the simvec plugin published nothing", names[which]);
	}
	memcpy(vec[which], f.regions[0].simvec.vec, sizeof(vec[which]));
	an_file_fini(&f);
	free(path);
}

static int setup(void **state)
{
	struct fx_seg s[16];

	struct gr_err err = { 0 };

	dir = fx_tmpdir_new("similar");
	eng = an_engine_new(NULL, 0, 0, &err);
	assert_non_null(eng);
	describe_file(S_MEL, s, melody(s, 0, 1, 0));
	describe_file(S_MEL_UP5, s, melody(s, 5, 1, 0));
	describe_file(S_MEL_QUIET, s, melody(s, 0, pow(10, -12 / 20.0), 0));
	describe_file(S_MEL_SINE, s, melody(s, 0, 1, 1));
	describe_file(S_PINK, s, single(s, (struct fx_seg){ .kind = FX_PINK, .dur = 2, .amp = 0.5,
	                                                     .seed = 4 }));
	describe_file(S_WHITE, s, single(s, (struct fx_seg){ .kind = FX_WHITE, .dur = 2,
	                                                      .amp = 0.3, .seed = 5 }));
	describe_file(S_CLICKS4, s, single(s, (struct fx_seg){ .kind = FX_CLICKS, .dur = 2,
	                                                        .freq = 4, .amp = 0.8 }));
	describe_file(S_CLICKS9, s, single(s, (struct fx_seg){ .kind = FX_CLICKS, .dur = 2,
	                                                        .freq = 9, .amp = 0.5 }));
	describe_file(S_SINE440, s, single(s, (struct fx_seg){ .kind = FX_SINE, .dur = 2,
	                                                        .freq = 440, .amp = 0.5 }));
	describe_file(S_SINE1500, s, single(s, (struct fx_seg){ .kind = FX_SINE, .dur = 1,
	                                                         .freq = 1500, .amp = 0.1 }));
	describe_file(S_CHORD, s, single(s, (struct fx_seg){ .kind = FX_CHORD, .dur = 2,
	                                                      .amp = 0.6, .n_partials = 3,
	                                                      .partials = { 220, 277.18, 329.63 } }));
	describe_file(S_PINK_QUIET, s, single(s, (struct fx_seg){ .kind = FX_PINK, .dur = 2,
	                                                           .amp = 0.5 / 3.98, .seed = 4 }));
	return 0;
}

static int teardown(void **state)
{
	fx_tmpdir_free(dir);
	an_engine_free(eng);
	return 0;
}

static float d2(int a, int b, int aspect)
{
	float w[AN_SIM_DIM];
	sim_weights(aspect, w);
	return sim_dist2(vec[a], vec[b], w);
}

static int cmp_f(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return (x > y) - (x < y);
}

/* The unrelated pairs: different kinds of sound (not the melody family
 * with itself, not a noise with its quieter copy). */
static int related(int a, int b)
{
	int fa = a <= S_MEL_SINE ? 0 : a == S_PINK_QUIET ? S_PINK : a;
	int fb = b <= S_MEL_SINE ? 0 : b == S_PINK_QUIET ? S_PINK : b;
	return fa == fb;
}

static void test_calibration(void **state)
{
	const char *env = getenv("GRYM_SIM_CALIBRATE");

	for (int asp = 0; asp < SIM_NASPECT; asp++) {
		float d[S_N * S_N];
		int n = 0, low = 0;
		for (int a = 0; a < S_N; a++)
			for (int b = a + 1; b < S_N; b++)
				if (!related(a, b)) {
					d[n++] = d2(a, b, asp);
					low += sim_score(d2(a, b, asp), asp) < 0.5f;
				}
		qsort(d, (size_t)n, sizeof(float), cmp_f);
		if (env != NULL)
			print_message("# %-8s unrelated pairs %d: d2 median %.4f (scale %.4f) "
			              "p10 %.4f p90 %.4f\n", sim_aspect_name(asp), n, d[n / 2],
			              d[n / 2] / log(10.0), d[n / 10], d[n * 9 / 10]);
		/* unrelated sounds score low: most pairs below 0.5 */
		if (asp != SIM_LOUDNESS && low < n * 2 / 3)
			fail_msg("%s: only %d of %d unrelated pairs score below 0.5",
			         sim_aspect_name(asp), low, n);
	}
	if (env != NULL)
		for (int a = 0; a < S_N; a++) {
			print_message("# %-12s", names[a]);
			for (int j = 0; j < AN_SIM_DIM; j++)
				print_message(" %.2f", vec[a][j]);
			print_message("\n");
		}
}

/* Every sound is its own nearest neighbour, with score 1. */
static void test_self_nearest(void **state)
{
	struct sim_index *x = sim_index_new();
	struct sim_hit h[3];

	for (int i = 0; i < S_N; i++)
		sim_index_push(x, 100 + i, vec[i]);
	for (int asp = 0; asp < SIM_NASPECT; asp++)
		for (int i = 0; i < S_N; i++) {
			if (i == S_MEL_QUIET || i == S_PINK_QUIET || i == S_MEL)
				if (asp != SIM_LOUDNESS && asp != SIM_OVERALL)
					continue;   /* a quieter copy may tie: checked below */
			assert_int_equal(sim_search(x, vec[i], asp, NULL, 3, h), 3);
			if (h[0].id != 100 + i)
				fail_msg("%s under %s: nearest is %s", names[i], sim_aspect_name(asp),
				         names[h[0].id - 100]);
			assert_float_equal(h[0].score, 1.0, 1e-3);
			assert_true(h[1].score < h[0].score + 1e-6);
		}
	sim_index_free(x);
}

/* Transposed by 5 semitones: near under timbre (nearer than any unrelated
 * sound), far under pitch (farther than the same notes played with sine
 * tones, a different timbre). */
static void test_transposed(void **state)
{
	float t = d2(S_MEL, S_MEL_UP5, SIM_TIMBRE);

	for (int i = S_PINK; i < S_N; i++)
		if (!(t < d2(S_MEL, i, SIM_TIMBRE)))
			fail_msg("timbre: transposed %.4f not nearer than %s %.4f", t, names[i],
			         d2(S_MEL, i, SIM_TIMBRE));
	assert_true(d2(S_MEL, S_MEL_UP5, SIM_PITCH) > d2(S_MEL, S_MEL_SINE, SIM_PITCH));
	assert_true(d2(S_MEL, S_MEL_SINE, SIM_TIMBRE) > t);
	/* and the scores say so */
	print_message("# melody vs +5 st: timbre %.3f pitch %.3f overall %.3f; "
	              "vs sines: timbre %.3f pitch %.3f\n", sim_score(t, SIM_TIMBRE),
	              sim_score(d2(S_MEL, S_MEL_UP5, SIM_PITCH), SIM_PITCH),
	              sim_score(d2(S_MEL, S_MEL_UP5, SIM_OVERALL), SIM_OVERALL),
	              sim_score(d2(S_MEL, S_MEL_SINE, SIM_TIMBRE), SIM_TIMBRE),
	              sim_score(d2(S_MEL, S_MEL_SINE, SIM_PITCH), SIM_PITCH));
	assert_true(sim_score(t, SIM_TIMBRE) > 0.5f);
	assert_true(sim_score(d2(S_MEL, S_MEL_UP5, SIM_PITCH), SIM_PITCH) < 0.5f);
}

/* 12 dB quieter: the same sound to every aspect but loudness. */
static void test_gain(void **state)
{
	static const int asp[] = { SIM_TIMBRE, SIM_SPECTRUM, SIM_PITCH, SIM_RHYTHM };
	static const int pairs[][2] = { { S_MEL, S_MEL_QUIET }, { S_PINK, S_PINK_QUIET } };

	for (size_t p = 0; p < 2; p++)
		for (size_t i = 0; i < sizeof(asp) / sizeof(asp[0]); i++) {
			float s = sim_score(d2(pairs[p][0], pairs[p][1], asp[i]), asp[i]);
			if (!(s > 0.95f))
				fail_msg("%s vs %s under %s: score %.3f", names[pairs[p][0]],
				         names[pairs[p][1]], sim_aspect_name(asp[i]), s);
		}
	/* the loudness block does see it */
	assert_true(d2(S_MEL, S_MEL_QUIET, SIM_LOUDNESS) > d2(S_MEL, S_MEL_QUIET, SIM_TIMBRE));
	/* overall: still the nearest of everything */
	for (int i = S_PINK; i < S_N; i++)
		assert_true(d2(S_MEL, S_MEL_QUIET, SIM_OVERALL) < d2(S_MEL, i, SIM_OVERALL));
}

/* ---- the index on its own ---------------------------------------------- */

static uint64_t rng = 88172645463325252ull;
static float frand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (float)((double)(rng >> 11) / 9007199254740992.0 * 2 - 1);
}

static int cmp_hit(const void *a, const void *b)
{
	const struct sim_hit *x = a, *y = b;
	if (x->d2 != y->d2)
		return x->d2 < y->d2 ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

static void test_index_exact(void **state)
{
	enum { N = 3000, K = 25 };
	struct sim_index *x = sim_index_new();
	struct sim_hit *all = calloc(N, sizeof(*all)), got[K];
	unsigned char *mask = calloc(N, 1);
	float q[AN_SIM_DIM], w[AN_SIM_DIM], v[AN_SIM_DIM];

	for (int i = 0; i < N; i++) {
		for (int j = 0; j < AN_SIM_DIM; j++)
			v[j] = frand();
		sim_index_push(x, 10 + 2 * i, v);
		mask[i] = i % 3 == 0;
	}
	assert_int_equal(sim_index_count(x), N);
	assert_int_equal(sim_index_find(x, 10 + 2 * 77), 77);
	assert_int_equal(sim_index_find(x, 11), -1);
	for (int j = 0; j < AN_SIM_DIM; j++)
		q[j] = frand();
	for (int asp = 0; asp < SIM_NASPECT; asp++) {
		size_t na = 0;
		sim_weights(asp, w);
		for (int i = 0; i < N; i++)
			all[i] = (struct sim_hit){ sim_index_id(x, (size_t)i),
			                           sim_dist2(sim_index_vec(x, (size_t)i), q, w), 0 };
		qsort(all, N, sizeof(*all), cmp_hit);
		assert_int_equal(sim_search(x, q, asp, NULL, K, got), K);
		for (int i = 0; i < K; i++) {
			assert_int_equal(got[i].id, all[i].id);
			assert_float_equal(got[i].d2, all[i].d2, 1e-4 * (1 + all[i].d2));
			assert_float_equal(got[i].score, sim_score(got[i].d2, asp), 1e-6);
		}
		/* with a mask: only allowed ones, still the best of those */
		assert_int_equal(sim_search(x, q, asp, mask, K, got), K);
		for (int i = 0; i < N && na < K; i++) {
			long pos = sim_index_find(x, all[i].id);
			if (!mask[pos])
				continue;
			assert_int_equal(got[na].id, all[i].id);
			na++;
		}
	}
	/* k larger than n */
	assert_int_equal(sim_search(x, q, SIM_OVERALL, NULL, 0, got), 0);
	sim_index_free(x);
	free(all);
	free(mask);
}

static void test_aspects(void **state)
{
	float w[AN_SIM_DIM];

	assert_int_equal(sim_aspect_parse("timbre"), SIM_TIMBRE);
	assert_int_equal(sim_aspect_parse("PITCH"), SIM_PITCH);
	assert_int_equal(sim_aspect_parse("overall"), SIM_OVERALL);
	assert_int_equal(sim_aspect_parse("loudness"), SIM_LOUDNESS);
	assert_int_equal(sim_aspect_parse("tempo"), -1);
	assert_int_equal(sim_aspect_parse(""), -1);
	for (int a = 0; a < SIM_NASPECT; a++) {
		double sum = 0, blocks = 0;
		assert_int_equal(sim_aspect_parse(sim_aspect_name(a)), a);
		sim_weights(a, w);
		for (int j = 0; j < AN_SIM_DIM; j++) {
			assert_true(w[j] >= 0);
			sum += w[j];
		}
		for (int b = 0; b < SIM_NBLOCK; b++)
			blocks += sim_block_weight(a, b);
		assert_float_equal(sum, 1.0, 1e-5);
		assert_float_equal(blocks, 1.0, 1e-5);
	}
	/* pitch ignores everything but the pitch block */
	sim_weights(SIM_PITCH, w);
	for (int j = 0; j < AN_SIM_DIM; j++)
		assert_true((w[j] > 0) == (j >= SIM_PITCH_LO && j < SIM_RHYTHM_LO));
	assert_float_equal(sim_score(0, SIM_OVERALL), 1.0, 1e-7);
}

/* Degenerate frames: finite, and silence is all zeros. */
static void test_describe_degenerate(void **state)
{
	struct dsp_frame f[40];
	float v[AN_SIM_DIM];

	memset(f, 0, sizeof(f));
	for (int i = 0; i < 40; i++)
		f[i].db = -120;
	sim_describe(f, 40, 43.07, v);
	for (int j = 0; j < AN_SIM_DIM; j++)
		assert_float_equal(v[j], 0, 0);
	sim_describe(f, 0, 43.07, v);
	f[3].db = 0;
	f[3].flux = 1e30f;
	f[3].centroid = 1e30f;
	sim_describe(f, 1, 43.07, v);
	sim_describe(f, 40, 43.07, v);
	for (int j = 0; j < AN_SIM_DIM; j++)
		assert_true(isfinite(v[j]));
}

/* ---- the catalog round trip -------------------------------------------- */

static void test_catalog(void **state)
{
	struct gr_config cfg;
	struct gr_err err = { 0 };
	struct an_file f;
	struct cat *c;
	struct sim_index *x;
	struct cat_query *q;
	struct sim_hit h[8];
	int64_t root, fid;
	char *db = fx_path(dir, "cat.db"), *prefix = NULL, *mel = fx_path(dir, "melody.wav");
	char *pink = fx_path(dir, "pink.wav");
	float v[AN_SIM_DIM];
	unsigned char *mask;
	size_t allowed = 0;

	config_defaults(&cfg);
	cfg.min_silence = 1.0;
	c = cat_open(db, 0, &err);
	assert_non_null(c);
	assert_int_equal(cat_root_for_dir(c, dir, &root, &prefix, &err), 0);
	assert_int_equal(cat_simvec_count(c, &err), 0);
	assert_int_equal(an_analyze_file(mel, &cfg, eng, &f, &err), 0);
	assert_int_equal(cat_store_analysis(c, root, "melody.wav", &f, "t", &fid, &err), 0);
	an_file_fini(&f);
	assert_int_equal(an_analyze_file(pink, &cfg, eng, &f, &err), 0);
	assert_int_equal(cat_store_analysis(c, root, "pink.wav", &f, "t", &fid, &err), 0);
	an_file_fini(&f);
	assert_int_equal(cat_simvec_count(c, &err), 2);
	x = sim_index_load(c, &err);
	assert_non_null(x);
	assert_int_equal(sim_index_count(x), 2);
	assert_true(sim_index_id(x, 0) < sim_index_id(x, 1));
	assert_int_equal(cat_simvec_get(c, sim_index_id(x, 0), v, &err), 1);
	assert_memory_equal(v, vec[S_MEL], sizeof(v));
	assert_memory_equal(sim_index_vec(x, 1), vec[S_PINK], sizeof(v));
	assert_int_equal(cat_simvec_get(c, 999999, v, &err), 0);
	/* the pink noise region is classed as noise, not music */
	q = cat_query_parse("name:pink", NULL, &err);
	mask = sim_mask_query(x, c, q, &allowed, &err);
	assert_non_null(mask);
	assert_int_equal(allowed, 1);
	assert_int_equal(sim_search(x, vec[S_MEL], SIM_OVERALL, mask, 8, h), 1);
	assert_int_equal(h[0].id, sim_index_id(x, 1));
	free(mask);
	cat_query_free(q);
	/* re-analysis without the vector deletes it */
	assert_int_equal(an_analyze_file(pink, &cfg, eng, &f, &err), 0);
	f.regions[0].has_simvec = 0;
	assert_int_equal(cat_store_analysis(c, root, "pink.wav", &f, "t", &fid, &err), 0);
	an_file_fini(&f);
	assert_int_equal(cat_simvec_count(c, &err), 1);
	sim_index_free(x);
	cat_close(c);
	free(prefix);
	free(db);
	free(mel);
	free(pink);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aspects),
		cmocka_unit_test(test_index_exact),
		cmocka_unit_test(test_describe_degenerate),
		cmocka_unit_test(test_calibration),
		cmocka_unit_test(test_self_nearest),
		cmocka_unit_test(test_transposed),
		cmocka_unit_test(test_gain),
		cmocka_unit_test(test_catalog),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
