/*
 * test_dsp.c - the streaming dsp pass: frame features against their
 * definitions, regions (boundaries, min_silence, min_region, padding,
 * hysteresis), waveform peaks, the spilling frame store and flat memory
 * (loudness per file and region: test_loud.c).  Every signal is generated here at
 * the analysis rate; no files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "grym/dsp.h"
#include "grym/util.h"
#include "dspfix.h"
#include "../../src/dsp/dsp_int.h"

#define RATE 22050

size_t dsp_test_frames_mem(const struct dsp_analyzer *a);

/* A growable signal built from segments. */
struct sig { float *x; size_t n, cap; double ph; };

static void sig_add(struct sig *s, size_t n, int kind, double freq, double amp)
{
	if (s->n + n > s->cap) {
		s->cap = (s->n + n) * 2;
		s->x = xrealloc(s->x, s->cap * sizeof(float));
	}
	for (size_t i = 0; i < n; i++) {
		float v = 0.0f;
		if (kind == 1) {          /* sine, phase continuous */
			v = (float)(amp * sin(s->ph));
			s->ph += 2 * M_PI * freq / RATE;
		} else if (kind == 2) {   /* uniform white noise, peak amp */
			v = (float)amp * dspfix_rand();
		}
		s->x[s->n + i] = v;
	}
	s->n += n;
}

static void sig_secs(struct sig *s, double secs, int kind, double freq, double amp)
{
	sig_add(s, (size_t)llround(secs * RATE), kind, freq, amp);
}

/* Run one analyzer over x in blocks of blk; returns it finished. */
static struct dsp_analyzer *run(const struct dsp_cfg *c, const float *x, size_t n, size_t blk)
{
	struct gr_err err = { 0 };
	struct dsp_analyzer *a = dsp_new(c, &err);

	assert_non_null(a);
	for (size_t i = 0; i < n; i += blk) {
		size_t k = n - i < blk ? n - i : blk;
		assert_int_equal(dsp_push(a, x + i, k, &err), 0);
	}
	assert_int_equal(dsp_finish(a, &err), 0);
	return a;
}

static struct dsp_frame *all_frames(struct dsp_analyzer *a, int64_t *nf)
{
	struct gr_err err = { 0 };
	struct dsp_frame *f;

	*nf = dsp_frame_count(a);
	f = xcalloc((size_t)(*nf > 0 ? *nf : 1), sizeof(*f));
	assert_int_equal(dsp_frames_read(a, 0, (size_t)*nf, f, &err), 0);
	return f;
}

static int all_finite(const struct dsp_frame *f)
{
	const float *p = (const float *)f;

	for (size_t i = 0; i < sizeof(*f) / sizeof(float); i++)
		if (!isfinite(p[i]))
			return 0;
	return 1;
}

/* ---- frame features ---------------------------------------------------- */

static void test_tone_features(void **state)
{
	struct dsp_cfg c = dspfix_cfg(RATE);
	struct sig s = { 0 };
	struct dsp_analyzer *a;
	struct dsp_frame *f;
	int64_t nf;

	sig_secs(&s, 2.0, 1, 1000.0, 0.5);
	a = run(&c, s.x, s.n, 4096);
	f = all_frames(a, &nf);
	assert_int_equal(nf, (int64_t)((s.n + 511) / 512));
	for (int64_t i = 4; i < nf - 4; i++) {
		assert_true(all_finite(&f[i]));
		assert_float_equal(f[i].centroid, 1000.0, RATE / 2048.0);
		assert_float_equal(f[i].rms, 0.5 / sqrt(2.0), 0.005);
		assert_float_equal(f[i].db, 20 * log10(0.5 / sqrt(2.0)), 0.1);
		assert_true(f[i].flatness < 0.01);
		assert_true(f[i].bandwidth < 100.0);
		assert_float_equal(f[i].rolloff, 1000.0, 3 * RATE / 2048.0);
		assert_float_equal(f[i].zcr, 2 * 1000.0 / RATE, 0.002);
		assert_true(f[i].harmonicity > 0.95);
		assert_float_equal(f[i].pitch, 1000.0, 10.0);
		/* the 800-1600 Hz band holds a -9 dBFS sine; others are far below */
		assert_float_equal(f[i].bands[4], 20 * log10(0.5) - 3.01, 0.5);
		assert_true(f[i].bands[1] < f[i].bands[4] - 40);
		assert_true(f[i].contrast[3] > 20.0);   /* 800-1600 Hz: peaky */
	}
	free(f);
	dsp_free(a);
	free(s.x);
}

static void test_noise_flatness(void **state)
{
	struct dsp_cfg c = dspfix_cfg(RATE);
	struct sig s = { 0 };
	struct dsp_analyzer *a;
	struct dsp_frame *f;
	double flat = 0, h = 0;
	int64_t nf, k = 0;

	sig_secs(&s, 3.0, 2, 0, 0.5);
	a = run(&c, s.x, s.n, 1000);
	f = all_frames(a, &nf);
	for (int64_t i = 4; i < nf - 4; i++, k++) {
		assert_true(all_finite(&f[i]));
		flat += f[i].flatness;
		h += f[i].harmonicity;
		assert_true(f[i].flatness > 0.8);
		assert_float_equal(f[i].centroid, RATE / 4.0, 400.0);
		assert_float_equal(f[i].rms, 0.5 / sqrt(3.0), 0.01);
	}
	assert_true(flat / k > 0.9);
	assert_true(h / k < 0.3);
	free(f);
	dsp_free(a);
	free(s.x);
}

static void test_silence_finite(void **state)
{
	struct dsp_cfg c = dspfix_cfg(RATE);
	struct sig s = { 0 };
	struct dsp_analyzer *a;
	struct dsp_frame *f;
	int64_t nf;

	sig_secs(&s, 1.0, 0, 0, 0);
	a = run(&c, s.x, s.n, 333);
	f = all_frames(a, &nf);
	assert_true(nf > 40);
	for (int64_t i = 0; i < nf; i++) {
		assert_true(all_finite(&f[i]));
		assert_float_equal(f[i].db, -120.0, 1e-6);
		assert_float_equal(f[i].rms, 0.0, 1e-9);
		assert_float_equal(f[i].centroid, 0.0, 1e-9);
		assert_float_equal(f[i].flatness, 0.0, 1e-9);
		assert_float_equal(f[i].flux, 0.0, 1e-9);
		assert_float_equal(f[i].pitch, 0.0, 1e-9);
		assert_float_equal(f[i].chroma[0], 0.0, 1e-9);
		assert_float_equal(f[i].bands[3], -120.0, 1e-6);
	}
	assert_int_equal(dsp_region_count(a), 0);
	assert_true(dsp_file_peak_db(a) <= -120.0f);
	assert_true(isinf(dsp_file_loudness(a)) || dsp_file_loudness(a) < -70);
	free(f);
	dsp_free(a);
	free(s.x);
}

/* The chroma bin with the most energy, averaged over the middle frames. */
static int chroma_peak(double freq, double amp, double *share)
{
	struct dsp_cfg c = dspfix_cfg(RATE);
	struct sig s = { 0 };
	struct dsp_analyzer *a;
	struct dsp_frame *f;
	double acc[DSP_NCHROMA] = { 0 }, tot = 0;
	int64_t nf;
	int best = 0;

	sig_secs(&s, 2.0, 1, freq, amp);
	a = run(&c, s.x, s.n, 2048);
	f = all_frames(a, &nf);
	for (int64_t i = 10; i < nf - 10; i++) {
		assert_true(all_finite(&f[i]));
		for (int b = 0; b < DSP_NCHROMA; b++)
			acc[b] += f[i].chroma[b];
	}
	for (int b = 0; b < DSP_NCHROMA; b++) {
		tot += acc[b];
		if (acc[b] > acc[best])
			best = b;
	}
	*share = acc[best] / tot;
	free(f);
	dsp_free(a);
	free(s.x);
	return best;
}

static void test_chroma_pitch_classes(void **state)
{
	double share;

	assert_int_equal(chroma_peak(440.0, 0.5, &share), 27);     /* A4 */
	assert_true(share > 0.9);
	assert_int_equal(chroma_peak(261.6256, 0.5, &share), 0);   /* C4 */
	assert_true(share > 0.9);
	assert_int_equal(chroma_peak(55.0, 0.5, &share), 27);      /* A1: bass */
	assert_true(share > 0.8);
	assert_int_equal(chroma_peak(82.4069, 0.5, &share), 12);   /* E2 */
	assert_true(share > 0.8);
	/* a third of a semitone sharp A4 lands in the next bin */
	assert_int_equal(chroma_peak(440.0 * pow(2.0, 1.0 / 36), 0.5, &share), 28);
	/* energy: a sine of amplitude A adds about A^2/2 per frame */
	{
		struct dsp_cfg c = dspfix_cfg(RATE);
		struct sig s = { 0 };
		struct dsp_analyzer *a;
		struct dsp_frame fr;
		struct gr_err err = { 0 };
		float tot = 0;

		sig_secs(&s, 2.0, 1, 440.0, 0.5);
		a = run(&c, s.x, s.n, 2048);
		assert_int_equal(dsp_frames_read(a, 40, 1, &fr, &err), 0);
		for (int b = 0; b < DSP_NCHROMA; b++)
			tot += fr.chroma[b];
		assert_float_equal(tot, 0.125, 0.01);
		dsp_free(a);
		free(s.x);
	}
}

static void test_mfcc(void **state)
{
	struct dsp_cfg c = dspfix_cfg(RATE);
	struct sig s = { 0 };
	struct dsp_analyzer *a;
	struct dsp_frame *f;
	int64_t nf;

	sig_secs(&s, 1.0, 0, 0, 0);
	sig_secs(&s, 1.0, 1, 440.0, 0.5);
	a = run(&c, s.x, s.n, 4096);
	f = all_frames(a, &nf);
	/* silence: every band at the -100 dB floor: c0 = -100 sqrt(40), rest 0 */
	assert_float_equal(f[5].mfcc[0], -100.0 * sqrt(40.0), 0.05);
	for (int k = 1; k < DSP_NMFCC; k++)
		assert_float_equal(f[5].mfcc[k], 0.0, 0.01);
	/* the tone: finite, far more energy, and stable from frame to frame */
	for (int64_t i = 50; i < nf - 4; i++) {
		assert_true(all_finite(&f[i]));
		assert_true(f[i].mfcc[0] > f[5].mfcc[0] + 30);
		for (int k = 0; k < DSP_NMFCC; k++)
			assert_float_equal(f[i].mfcc[k], f[i - 1].mfcc[k], 5.0);
	}
	free(f);
	dsp_free(a);
	free(s.x);
}

static void test_flux_clicks(void **state)
{
	struct dsp_cfg c = dspfix_cfg(RATE);
	struct sig s = { 0 };
	struct dsp_analyzer *a;
	struct dsp_frame *f;
	int64_t nf;
	int nclick = 0;

	/* quiet noise bed, clicks (5 ms noise bursts) every 0.5 s, off-grid */
	sig_secs(&s, 6.0, 2, 0, 0.001);
	for (size_t c0 = 5000; c0 + 200 < s.n; c0 += RATE / 2 + 37) {
		for (size_t i = 0; i < 110; i++)
			s.x[c0 + i] += 0.8f * dspfix_rand();
		nclick++;
		(void)c0;
	}
	a = run(&c, s.x, s.n, 1024);
	f = all_frames(a, &nf);
	for (size_t c0 = 5000; c0 + 200 < s.n; c0 += RATE / 2 + 37) {
		int64_t want = (int64_t)llround((c0 + 55) / 512.0), best = -1;
		float bv = -1, floor = 0;
		for (int64_t i = want - 8; i <= want + 8; i++)
			if (i >= 0 && i < nf && f[i].flux > bv) {
				bv = f[i].flux;
				best = i;
			}
		assert_true(best >= want - 1 && best <= want + 1);
		/* between clicks, flux is small next to the click's */
		for (int64_t i = want + 6; i < want + 15 && i < nf; i++)
			floor = f[i].flux > floor ? f[i].flux : floor;
		assert_true(floor < 0.2f * bv);
	}
	assert_true(nclick >= 10);
	free(f);
	dsp_free(a);
	free(s.x);
}

/* Largest flux (sus = 0) or flux_sus (1) over frames [lo, hi]. */
static float frame_max(const struct dsp_frame *f, int64_t nf, int64_t lo, int64_t hi, int sus)
{
	float m = 0;
	for (int64_t i = lo < 0 ? 0 : lo; i <= hi && i < nf; i++) {
		float v = sus ? f[i].flux_sus : f[i].flux;
		m = v > m ? v : m;
	}
	return m;
}

/* flux_sus: a held tone doubled by a copy 4 Hz sharp (a chorus: each
 * partial beats, dipping and recovering within ~100 ms) rises in flux at
 * every beat but hardly in flux_sus; new notes (other pitches, each held
 * to the next) rise in both alike. */
static void test_flux_sus(void **state)
{
	struct dsp_cfg c = dspfix_cfg(RATE);
	size_t n = 9 * RATE;
	float *x = xcalloc(n, sizeof(*x));
	struct dsp_analyzer *a;
	struct dsp_frame *f;
	int64_t nf;
	size_t notes[4];

	(void)state;
	/* 0.5..4.5 s: 330 Hz with partials, plus the copy at 334 Hz */
	for (size_t i = RATE / 2; i < 9 * RATE / 2; i++) {
		double t = (double)(i - RATE / 2) / RATE;
		for (int h = 1; h <= 5; h++)
			x[i] += (float)(0.15 / h * (sin(2 * M_PI * 330.0 * h * t) +
			                            sin(2 * M_PI * 334.0 * h * t)));
	}
	/* 5..8 s: notes of other pitches every 0.75 s, each held to the next */
	for (int k = 0; k < 4; k++) {
		static const double hz[4] = { 392, 494, 587, 440 };
		notes[k] = (size_t)((5.0 + 0.75 * k) * RATE);
		for (size_t i = notes[k]; i < notes[k] + 3 * RATE / 4 && i < n; i++)
			for (int h = 1; h <= 5; h++)
				x[i] += (float)(0.3 / h * sin(2 * M_PI * hz[k] * h * (double)(i - notes[k]) / RATE));
	}
	a = run(&c, x, n, 4096);
	f = all_frames(a, &nf);
	/* the notes: flux_sus peaks with flux */
	for (int k = 1; k < 4; k++) {
		int64_t at = (int64_t)(notes[k] / 512);
		float fx = frame_max(f, nf, at - 2, at + 3, 0), fs = frame_max(f, nf, at - 2, at + 3, 1);
		assert_true(fs > 0.5f * fx);
	}
	/* the beating tone, 1..4 s: flux rises at each beat (measured 26),
	 * flux_sus a sixteenth of that (measured 1.7) */
	double sx = 0, ss = 0;
	for (int64_t i = RATE / 512; i < 4 * RATE / 512; i++) {
		sx += f[i].flux;
		ss += f[i].flux_sus;
	}
	if (!(sx > 5.0) || !(ss < 0.15 * sx)) {
		print_error("beating tone: flux sum %.3f, flux_sus sum %.3f\n", sx, ss);
		fail();
	}
	free(f);
	dsp_free(a);
	free(x);
}

/* The same signal in different block sizes gives identical frames. */
static void test_block_invariance(void **state)
{
	struct dsp_cfg c = dspfix_cfg(RATE);
	struct sig s = { 0 };
	struct dsp_analyzer *a, *b;
	struct dsp_frame *fa, *fb;
	int64_t na, nb;

	sig_secs(&s, 0.3, 0, 0, 0);
	sig_secs(&s, 1.2, 1, 330.0, 0.4);
	sig_secs(&s, 0.5, 2, 0, 0.2);
	a = run(&c, s.x, s.n, 1);
	b = run(&c, s.x, s.n, 65536);
	fa = all_frames(a, &na);
	fb = all_frames(b, &nb);
	assert_int_equal(na, nb);
	assert_memory_equal(fa, fb, (size_t)na * sizeof(*fa));
	assert_int_equal(dsp_region_count(a), dsp_region_count(b));
	free(fa);
	free(fb);
	dsp_free(a);
	dsp_free(b);
	free(s.x);
}

static void test_bad_cfg(void **state)
{
	struct dsp_cfg c = dspfix_cfg(RATE);
	struct gr_err err = { 0 };

	c.fft_size = 1000;
	assert_null(dsp_new(&c, &err));
	assert_int_equal(err.code, GR_EUSAGE);
	assert_non_null(strstr(err.msg, "1000"));
	c = dspfix_cfg(RATE);
	c.src_rate = 44100;     /* channels missing */
	assert_null(dsp_new(&c, &err));
}

/* ---- regions ----------------------------------------------------------- */

static void expect_region(const struct dsp_region *r, double st, double en)
{
	if (fabs(r->start - st) > 0.02 || fabs(r->end - en) > 0.02)
		fail_msg("region [%.4f, %.4f], expected [%.4f, %.4f]", r->start, r->end, st, en);
}

static void test_regions_boundaries(void **state)
{
	struct dsp_cfg c = dspfix_cfg(RATE);
	struct sig s = { 0 };
	struct dsp_analyzer *a;
	const struct dsp_region *r;

	sig_secs(&s, 0.5, 0, 0, 0);
	sig_secs(&s, 1.0, 1, 440.0, 0.5);
	sig_secs(&s, 0.6, 0, 0, 0);
	sig_secs(&s, 0.8, 2, 0, 0.3);
	sig_secs(&s, 0.4, 0, 0, 0);
	sig_secs(&s, 0.5, 1, 100.0, 0.2);
	sig_secs(&s, 0.7, 0, 0, 0);
	a = run(&c, s.x, s.n, 4000);
	assert_int_equal(dsp_region_count(a), 3);
	r = dsp_regions(a);
	expect_region(&r[0], 0.5, 1.5);
	expect_region(&r[1], 2.1, 2.9);
	expect_region(&r[2], 3.3, 3.8);
	/* well inside the 20 ms promise: the detector works on 5 ms blocks */
	for (int i = 0; i < 3; i++) {
		static const double want[3][2] = { { 0.5, 1.5 }, { 2.1, 2.9 }, { 3.3, 3.8 } };
		assert_true(fabs(r[i].start - want[i][0]) < 0.006);
		assert_true(fabs(r[i].end - want[i][1]) < 0.006);
		/* frames: those centred inside [start, end) */
		assert_int_equal(r[i].first_frame, (int64_t)ceil(r[i].start * RATE / 512 - 1e-9));
		assert_true(llabs(r[i].n_frames - (int64_t)llround((want[i][1] - want[i][0]) *
		                                                  RATE / 512)) <= 1);
		assert_true(r[i].peak_db > -20);
	}
	assert_float_equal(dsp_duration(a), 4.5, 1e-3);
	dsp_free(a);
	free(s.x);
}

static void test_regions_min_silence(void **state)
{
	struct dsp_cfg c = dspfix_cfg(RATE);
	struct sig s = { 0 };
	struct dsp_analyzer *a;

	sig_secs(&s, 1.0, 1, 440.0, 0.5);
	sig_secs(&s, 0.2, 0, 0, 0);       /* shorter than min_silence 0.3 */
	sig_secs(&s, 1.0, 2, 0, 0.3);
	sig_secs(&s, 0.5, 0, 0, 0);
	a = run(&c, s.x, s.n, 4096);
	assert_int_equal(dsp_region_count(a), 1);
	expect_region(&dsp_regions(a)[0], 0.0, 2.2);
	dsp_free(a);
	/* with min_silence 0.1 the same gap splits */
	c.min_silence = 0.1f;
	a = run(&c, s.x, s.n, 4096);
	assert_int_equal(dsp_region_count(a), 2);
	expect_region(&dsp_regions(a)[0], 0.0, 1.0);
	expect_region(&dsp_regions(a)[1], 1.2, 2.2);
	dsp_free(a);
	free(s.x);
}

static void test_regions_min_region(void **state)
{
	struct dsp_cfg c = dspfix_cfg(RATE);
	struct sig s = { 0 };
	struct dsp_analyzer *a;

	sig_secs(&s, 0.5, 0, 0, 0);
	sig_secs(&s, 0.02, 2, 0, 0.5);    /* a 20 ms blip: below min_region */
	sig_secs(&s, 1.0, 0, 0, 0);
	sig_secs(&s, 1.0, 1, 220.0, 0.5);
	sig_secs(&s, 0.5, 0, 0, 0);
	a = run(&c, s.x, s.n, 4096);
	assert_int_equal(dsp_region_count(a), 1);
	expect_region(&dsp_regions(a)[0], 1.52, 2.52);
	dsp_free(a);
	c.min_region = 0.01f;
	a = run(&c, s.x, s.n, 4096);
	assert_int_equal(dsp_region_count(a), 2);
	expect_region(&dsp_regions(a)[0], 0.5, 0.52);
	dsp_free(a);
	free(s.x);
}

static void test_regions_padding(void **state)
{
	struct dsp_cfg c = dspfix_cfg(RATE);
	struct sig s = { 0 };
	struct dsp_analyzer *a;
	const struct dsp_region *r;

	/* padding 0.05: widened on both sides, clamped to the file start */
	sig_secs(&s, 0.02, 0, 0, 0);
	sig_secs(&s, 1.0, 1, 440.0, 0.5);
	sig_secs(&s, 1.0, 0, 0, 0);
	sig_secs(&s, 1.0, 2, 0, 0.3);
	sig_secs(&s, 0.5, 0, 0, 0);
	c.padding = 0.05f;
	a = run(&c, s.x, s.n, 4096);
	assert_int_equal(dsp_region_count(a), 2);
	r = dsp_regions(a);
	expect_region(&r[0], 0.0, 1.07);
	assert_true(fabs(r[0].end - 1.07) < 0.006 && r[0].start == 0.0);
	expect_region(&r[1], 1.97, 3.07);
	assert_true(fabs(r[1].start - 1.97) < 0.006 && fabs(r[1].end - 3.07) < 0.006);
	dsp_free(a);
	free(s.x);

	/* padding 0.3 but a 0.4 s gap: each side gets half the gap; the end
	 * is clamped to the file */
	memset(&s, 0, sizeof(s));
	sig_secs(&s, 1.0, 1, 440.0, 0.5);
	sig_secs(&s, 0.4, 0, 0, 0);
	sig_secs(&s, 1.0, 1, 440.0, 0.5);
	c.padding = 0.3f;
	a = run(&c, s.x, s.n, 4096);
	assert_int_equal(dsp_region_count(a), 2);
	r = dsp_regions(a);
	expect_region(&r[0], 0.0, 1.2);
	expect_region(&r[1], 1.2, 2.4);
	assert_true(r[0].end <= r[1].start);
	dsp_free(a);
	free(s.x);
}

static void test_regions_hysteresis(void **state)
{
	struct dsp_cfg c = dspfix_cfg(RATE);
	struct sig s = { 0 };
	struct dsp_analyzer *a;
	const double au = sqrt(3.0);   /* uniform noise: peak = rms * sqrt 3 */

	sig_secs(&s, 0.5, 0, 0, 0);
	sig_secs(&s, 0.3, 2, 0, au * pow(10, -40 / 20.0));
	for (int i = 0; i < 20; i++)      /* hovers 1.5 dB around -50 dBFS */
		sig_secs(&s, 0.1, 2, 0, au * pow(10, (i % 2 ? -51.5 : -48.5) / 20.0));
	sig_secs(&s, 1.0, 0, 0, 0);
	c.min_silence = 0.05f;
	a = run(&c, s.x, s.n, 4096);
	assert_int_equal(dsp_region_count(a), 1);
	expect_region(&dsp_regions(a)[0], 0.5, 2.8);
	dsp_free(a);
	/* without hysteresis the same signal chatters */
	c.hysteresis_db = 0.0f;
	a = run(&c, s.x, s.n, 4096);
	assert_true(dsp_region_count(a) >= 5);
	dsp_free(a);
	free(s.x);
}

static void test_regions_full_and_silent(void **state)
{
	struct dsp_cfg c = dspfix_cfg(RATE);
	struct sig s = { 0 };
	struct dsp_analyzer *a;

	sig_secs(&s, 3.0, 1, 50.0, 1.0);
	a = run(&c, s.x, s.n, 4096);
	assert_int_equal(dsp_region_count(a), 1);
	assert_float_equal(dsp_regions(a)[0].start, 0.0, 1e-9);
	assert_float_equal(dsp_regions(a)[0].end, 3.0, 1e-3);
	assert_float_equal(dsp_file_peak_db(a), 0.0, 0.01);
	dsp_free(a);
	memset(s.x, 0, s.n * sizeof(float));
	a = run(&c, s.x, s.n, 4096);
	assert_int_equal(dsp_region_count(a), 0);
	dsp_free(a);
	/* nothing at all */
	a = run(&c, s.x, 0, 4096);
	assert_int_equal(dsp_region_count(a), 0);
	assert_int_equal(dsp_frame_count(a), 0);
	assert_int_equal(dsp_peaks_overview(a)->n, 0);
	dsp_free(a);
	free(s.x);
}

/* ---- peaks ------------------------------------------------------------- */

static void check_peaks(const struct dsp_peaks *p, size_t n, int target, double bucket_min)
{
	if (n <= (size_t)2 * target)
		assert_int_equal(p->n, (int)n);
	else
		assert_true(p->n > target && p->n <= 2 * target);
	assert_true(p->bucket_s * RATE >= bucket_min);
	assert_true(p->bucket_s * p->n * RATE >= (double)n);
	assert_true(p->bucket_s * (p->n - 1) * RATE < (double)n);
}

static void test_peaks_short_and_medium(void **state)
{
	struct dsp_cfg c = dspfix_cfg(RATE);
	struct sig s = { 0 };
	struct dsp_analyzer *a;
	const struct dsp_peaks *o, *d;

	sig_secs(&s, 0.1, 1, 100.0, 0.5);
	a = run(&c, s.x, s.n, 500);
	o = dsp_peaks_overview(a);
	d = dsp_peaks_detail(a);
	check_peaks(o, s.n, PEAKS_OVERVIEW, 1);
	check_peaks(d, s.n, PEAKS_DETAIL, 1);
	assert_int_equal(d->n, (int)s.n);      /* one sample per bucket */
	for (int b = 0; b < d->n; b++) {
		assert_float_equal(d->min[b], s.x[b], 1e-7);
		assert_float_equal(d->max[b], s.x[b], 1e-7);
	}
	dsp_free(a);
	free(s.x);

	/* 10 s: amplitude steps 0.1 .. 1.0 each second of a 50 Hz sine */
	memset(&s, 0, sizeof(s));
	for (int k = 1; k <= 10; k++)
		sig_secs(&s, 1.0, 1, 50.0, 0.1 * k);
	a = run(&c, s.x, s.n, 4096);
	o = dsp_peaks_overview(a);
	d = dsp_peaks_detail(a);
	check_peaks(o, s.n, PEAKS_OVERVIEW, 64);
	check_peaks(d, s.n, PEAKS_DETAIL, 16);
	for (int b = 0; b < o->n; b++) {
		double t0 = b * o->bucket_s, t1 = t0 + o->bucket_s;
		int k0 = (int)t0, k1 = (int)(t1 - 1e-9);
		double amp = 0.1 * ((k1 < 9 ? k1 : 9) + 1);
		/* a bucket covers several periods of the 50 Hz sine */
		if (o->bucket_s < 0.025 || k0 != k1)
			continue;
		assert_float_equal(o->max[b], amp, 0.01 * amp + 1e-3);
		assert_float_equal(o->min[b], -amp, 0.01 * amp + 1e-3);
		assert_float_equal(o->rms[b], amp / sqrt(2.0), 0.05 * amp);
	}
	dsp_free(a);
	free(s.x);
}

/* One hour at 22050 Hz (79 M samples) through the peaks builder alone:
 * a triangle wave of period 100 samples whose amplitude ramps 0.1 .. 0.9. */
static void test_peaks_one_hour(void **state)
{
	const size_t n = (size_t)3600 * RATE, blk = 8192;
	float *x = xmalloc(blk * sizeof(float));
	struct peaks p;

	peaks_init(&p, RATE, PEAKS_OVERVIEW, PEAKS_DETAIL);
	for (size_t i = 0; i < n; i += blk) {
		size_t k = n - i < blk ? n - i : blk;
		for (size_t j = 0; j < k; j++) {
			size_t t = i + j;
			float amp = 0.1f + 0.8f * (float)t / (float)n;
			int ph = (int)(t % 100);
			float tri = ph < 50 ? -1.0f + ph / 25.0f : 3.0f - ph / 25.0f;
			x[j] = amp * tri;
		}
		peaks_push(&p, x, k);
	}
	peaks_finish(&p);
	for (int l = 0; l < 2; l++) {
		const struct dsp_peaks *o = &p.out[l];
		int target = l == 0 ? PEAKS_OVERVIEW : PEAKS_DETAIL;
		check_peaks(o, n, target, 1000);
		for (int b = 0; b < o->n - 1; b++) {
			double end = (b + 1) * o->bucket_s * RATE, start = b * o->bucket_s * RATE;
			double amp_end = 0.1 + 0.8 * end / n, amp_mid = 0.1 + 0.8 * (start + end) / 2 / n;
			assert_float_equal(o->max[b], amp_end, 1e-3);
			assert_float_equal(o->min[b], -amp_end, 1e-3);
			assert_float_equal(o->rms[b], amp_mid / sqrt(3.0), 2e-3);
		}
	}
	peaks_fini(&p);
	free(x);
}

/* ---- frame store --------------------------------------------------------- */

static void test_spill(void **state)
{
	struct dsp_cfg c = dspfix_cfg(RATE);
	struct sig s = { 0 };
	struct dsp_analyzer *a, *b;
	struct dsp_frame *fa, *fb, win[300];
	struct gr_err err = { 0 };
	int64_t na, nb;

	sig_secs(&s, 3.0, 2, 0, 0.3);
	sig_secs(&s, 3.0, 1, 523.25, 0.4);
	a = run(&c, s.x, s.n, 4096);
	c.frames_mem = 64;
	b = run(&c, s.x, s.n, 4096);
	fa = all_frames(a, &na);
	fb = all_frames(b, &nb);
	assert_int_equal(na, nb);
	assert_memory_equal(fa, fb, (size_t)na * sizeof(*fa));
	/* ranges across the spill boundary, and at the ends */
	for (int64_t first = 0; first + 300 <= nb; first += 37) {
		assert_int_equal(dsp_frames_read(b, first, 300, win, &err), 0);
		assert_memory_equal(win, fa + first, sizeof(win));
	}
	assert_int_equal(dsp_frames_read(b, nb - 1, 1, win, &err), 0);
	assert_int_not_equal(dsp_frames_read(b, nb - 1, 2, win, &err), 0);
	assert_int_equal(dsp_frames_read(b, nb, 0, win, &err), 0);
	assert_true(dsp_test_frames_mem(b) <= 64 * sizeof(struct dsp_frame));
	free(fa);
	free(fb);
	dsp_free(a);
	dsp_free(b);
	free(s.x);
}

static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, res = 0;

	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld %ld", &pages, &res) != 2)
		res = -1;
	fclose(f);
	return res < 0 ? -1 : res * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Ten minutes at 11025 Hz (26 k frames, 7.6 MB of features): memory stays
 * flat because the store spills past frames_mem. */
static void test_memory_flat(void **state)
{
	struct dsp_cfg c = { 11025, 1024, 256, 0, 0, -50.0f, 6.0f, 0.3f, 0.05f, 0.0f, 512 };
	struct gr_err err = { 0 };
	struct dsp_analyzer *a = dsp_new(&c, &err);
	float x[4096];
	long r1 = 0, r2;

	assert_non_null(a);
	for (int sec = 0; sec < 600; sec++) {
		for (int i = 0; i < 11025; i += 4096) {
			int k = 11025 - i < 4096 ? 11025 - i : 4096;
			for (int j = 0; j < k; j++)
				x[j] = 0.3f * dspfix_rand();
			assert_int_equal(dsp_push(a, x, (size_t)k, &err), 0);
		}
		if (sec == 60)
			r1 = rss_kb();
	}
	r2 = rss_kb();
	assert_int_equal(dsp_finish(a, &err), 0);
	assert_true(dsp_frame_count(a) > 25000);
	assert_true(dsp_test_frames_mem(a) <= 512 * sizeof(struct dsp_frame));
	if (r1 > 0 && r2 > 0 && r2 - r1 > 2048)
		fail_msg("RSS grew by %ld kB over 9 minutes of signal", r2 - r1);
	dsp_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tone_features),
		cmocka_unit_test(test_noise_flatness),
		cmocka_unit_test(test_silence_finite),
		cmocka_unit_test(test_chroma_pitch_classes),
		cmocka_unit_test(test_mfcc),
		cmocka_unit_test(test_flux_clicks),
		cmocka_unit_test(test_flux_sus),
		cmocka_unit_test(test_block_invariance),
		cmocka_unit_test(test_bad_cfg),
		cmocka_unit_test(test_regions_boundaries),
		cmocka_unit_test(test_regions_min_silence),
		cmocka_unit_test(test_regions_min_region),
		cmocka_unit_test(test_regions_padding),
		cmocka_unit_test(test_regions_hysteresis),
		cmocka_unit_test(test_regions_full_and_silent),
		cmocka_unit_test(test_peaks_short_and_medium),
		cmocka_unit_test(test_peaks_one_hour),
		cmocka_unit_test(test_spill),
		cmocka_unit_test(test_memory_flat),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
