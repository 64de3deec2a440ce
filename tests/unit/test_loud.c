/*
 * test_loud.c - EBU R128 loudness and sample peak of the dsp pass, per file
 * and per region, with two streams (source frames and the mono analysis
 * signal) pushed in unequal blocks and either one ahead: file values are
 * libebur128's own; region values against one-shot libebur128
 * measurements of each region's exact slice.  Signals are generated here;
 * no files.
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

#include <ebur128.h>

#include "grym/dsp.h"
#include "grym/util.h"
#include "dspfix.h"

#define RATE 22050

static void expect_region(const struct dsp_region *r, double st, double en)
{
	if (fabs(r->start - st) > 0.02 || fabs(r->end - en) > 0.02)
		fail_msg("region [%.4f, %.4f], expected [%.4f, %.4f]", r->start, r->end, st, en);
}

struct two { float *mono; size_t nm; float *src; size_t ns; int srate, ch; };

/* A sine of peak level db (dBFS) for secs, at both rates. */
static void two_add(struct two *t, double secs, double freq, double db)
{
	size_t nm = (size_t)llround(secs * RATE), ns = (size_t)llround(secs * t->srate);
	double amp = db <= -200 ? 0 : pow(10, db / 20);
	double tm0 = (double)t->nm / RATE, ts0 = (double)t->ns / t->srate;

	t->mono = xrealloc(t->mono, (t->nm + nm) * sizeof(float));
	t->src = xrealloc(t->src, (t->ns + ns) * (size_t)t->ch * sizeof(float));
	for (size_t i = 0; i < nm; i++)
		t->mono[t->nm + i] = (float)(amp * sin(2 * M_PI * freq * (tm0 + (double)i / RATE)));
	for (size_t i = 0; i < ns; i++)
		for (int c = 0; c < t->ch; c++)
			t->src[(t->ns + i) * (size_t)t->ch + (size_t)c] =
				(float)(amp * sin(2 * M_PI * freq * (ts0 + (double)i / t->srate)));
	t->nm += nm;
	t->ns += ns;
}

/* Push both streams in unequal blocks, the source ahead by `ahead` frames. */
static struct dsp_analyzer *run_two(struct dsp_cfg *c, const struct two *t, size_t mb,
                                    size_t sb, size_t ahead)
{
	struct gr_err err = { 0 };
	struct dsp_analyzer *a;
	size_t im = 0, is = 0;

	c->src_rate = t->srate;
	c->src_channels = t->ch;
	a = dsp_new(c, &err);
	assert_non_null(a);
	while (im < t->nm || is < t->ns) {
		double tm = (double)im / RATE, ts = (double)is / t->srate;
		if (is < t->ns && (ts <= tm + (double)ahead / t->srate || im >= t->nm)) {
			size_t k = t->ns - is < sb ? t->ns - is : sb;
			assert_int_equal(dsp_push_source(a, t->src + is * (size_t)t->ch, k, &err), 0);
			is += k;
		} else {
			size_t k = t->nm - im < mb ? t->nm - im : mb;
			assert_int_equal(dsp_push(a, t->mono + im, k, &err), 0);
			im += k;
		}
	}
	assert_int_equal(dsp_finish(a, &err), 0);
	return a;
}

static double oneshot(const struct two *t, double st, double en, double *lra)
{
	ebur128_state *e = ebur128_init((unsigned)t->ch, (unsigned long)t->srate,
	                                EBUR128_MODE_I | EBUR128_MODE_LRA);
	size_t a = (size_t)llround(st * t->srate), b = (size_t)llround(en * t->srate);
	double v = 0;

	assert_non_null(e);
	if (b > t->ns)
		b = t->ns;
	ebur128_add_frames_float(e, t->src + a * (size_t)t->ch, b - a);
	ebur128_loudness_global(e, &v);
	ebur128_loudness_range(e, lra);
	ebur128_destroy(&e);
	return v;
}

static void test_loudness_file(void **state)
{
	struct dsp_cfg c = dspfix_cfg(RATE);
	struct two t = { 0 };
	struct dsp_analyzer *a;

	/* 1 kHz sine at -20 dBFS, stereo 48 kHz: -20 LUFS */
	t.srate = 48000;
	t.ch = 2;
	two_add(&t, 5.0, 1000.0, -20.0);
	a = run_two(&c, &t, 1000, 4096, 0);
	assert_float_equal(dsp_file_loudness(a), -20.0, 0.5);
	assert_float_equal(dsp_file_peak_db(a), -20.0, 0.05);
	assert_int_equal(dsp_region_count(a), 1);
	assert_float_equal(dsp_regions(a)[0].loudness, -20.0, 0.5);
	assert_int_equal(dsp_loudness_approximate(a), 0);
	dsp_free(a);
	free(t.mono);
	free(t.src);

	/* 997 Hz at 0 dBFS, mono 44.1 kHz: -3.01 LUFS (R128 / BS.1770) */
	memset(&t, 0, sizeof(t));
	t.srate = 44100;
	t.ch = 1;
	two_add(&t, 4.0, 997.0, 0.0);
	a = run_two(&c, &t, 4096, 333, 0);
	assert_float_equal(dsp_file_loudness(a), -3.01, 0.1);
	dsp_free(a);
	free(t.mono);
	free(t.src);
}

static void test_loudness_regions(void **state)
{
	struct dsp_cfg c = dspfix_cfg(RATE);
	struct two t = { 0 };
	static const size_t aheads[] = { 0, 30000, 0 };
	static const size_t mbs[] = { 777, 512, 30000 }, sbs[] = { 1000, 5000, 64 };

	t.srate = 44100;
	t.ch = 2;
	two_add(&t, 0.7, 0, -300);
	two_add(&t, 2.0, 1000.0, -20.0);
	two_add(&t, 1.0, 0, -300);
	two_add(&t, 2.5, 1000.0, -30.0);
	two_add(&t, 0.15, 0, -300);       /* a short gap: same region */
	two_add(&t, 1.0, 1000.0, -30.0);
	two_add(&t, 0.8, 0, -300);
	c.padding = 0.1f;
	for (size_t k = 0; k < GR_ARRAY_LEN(aheads); k++) {
		struct dsp_analyzer *a = run_two(&c, &t, mbs[k], sbs[k], aheads[k]);
		const struct dsp_region *r = dsp_regions(a);
		double lra;

		assert_int_equal(dsp_region_count(a), 2);
		expect_region(&r[0], 0.6, 2.8);
		expect_region(&r[1], 3.6, 7.45);
		assert_float_equal(r[0].loudness, -20.0, 0.5);
		assert_float_equal(r[1].loudness, -30.0, 0.5);
		assert_float_equal(r[0].peak_db, -20.0, 0.05);
		assert_float_equal(r[1].peak_db, -30.0, 0.05);
		/* the streaming measurement equals a one-shot one of the slice */
		for (int i = 0; i < 2; i++) {
			double v = oneshot(&t, r[i].start, r[i].end, &lra);
			assert_float_equal(r[i].loudness, v, 0.05);
			assert_float_equal(r[i].lra, lra, 0.2);
		}
		assert_true(dsp_file_loudness(a) < -20.0 && dsp_file_loudness(a) > -30.0);
		dsp_free(a);
	}
	free(t.mono);
	free(t.src);
}

/* Music-like stereo source at 44.1 kHz and its mono analysis signal (the
 * left channel at every other frame), for comparing the streaming region
 * values to a one-shot measurement of each region's slice. */
static void two_silence(struct two *t, double secs)
{
	size_t n = (size_t)llround(secs * t->srate);

	t->src = xrealloc(t->src, (t->ns + n) * 2 * sizeof(float));
	memset(t->src + t->ns * 2, 0, n * 2 * sizeof(float));
	t->ns += n;
}

/* kind 0: chord with a slow +-6 dB swell and a decaying noise hit every
 * 0.5 s; kind 1: one noise hit decaying over ~1.3 s; kind 2: a chord with
 * a 20 ms attack. */
static void two_music(struct two *t, double secs, int kind)
{
	size_t n = (size_t)llround(secs * t->srate);

	t->src = xrealloc(t->src, (t->ns + n) * 2 * sizeof(float));
	for (size_t i = 0; i < n; i++) {
		double tm = (double)i / t->srate;
		for (int c = 0; c < 2; c++) {
			double ph = 2 * M_PI * tm, v;
			double tone = 0.2 * sin(220 * ph + c) + 0.1 * sin(330 * ph) +
			              0.05 * sin(880 * ph + 2 * c);
			if (kind == 0)
				v = pow(10, (-6 + 6 * sin(0.1 * ph)) / 20) * tone +
				    0.5 * exp(-fmod(tm, 0.5) / 0.05) * dspfix_rand();
			else if (kind == 1)
				v = 0.6 * exp(-tm / 0.25) * dspfix_rand();
			else
				v = (tm < 0.02 ? tm / 0.02 : 1.0) * tone;
			t->src[(t->ns + i) * 2 + (size_t)c] = (float)v;
		}
	}
	t->ns += n;
}

static void two_append(struct two *t, const struct two *seg)
{
	t->src = xrealloc(t->src, (t->ns + seg->ns) * 2 * sizeof(float));
	memcpy(t->src + t->ns * 2, seg->src, seg->ns * 2 * sizeof(float));
	t->ns += seg->ns;
}

static void two_mono(struct two *t)
{
	t->nm = t->ns / 2;
	t->mono = xrealloc(t->mono, t->nm * sizeof(float));
	for (size_t i = 0; i < t->nm; i++)
		t->mono[i] = t->src[4 * i];
}

/* Region values are measured on the file's 10 ms grid (region edges taken
 * to within 5 ms).  Against a one-shot libebur128 measurement of the exact
 * slice, with the region starts swept across the grid (8 offsets), the
 * worst differences seen (this fixture and four other noise seeds) were
 * 0.04-0.08 LU for the 20 s region, 0.005 LU for its LRA, 0.06 LU for the
 * 1-2 s ones; the peaks equal the slice's.  The 20 s figure is the gate's:
 * its swell puts blocks right at the -10 LU relative gate, and a shift of a
 * few ms flips one or two of them (the one-shot value itself moves by
 * 0.02-0.08 LU between offsets).  Tolerances: 0.1 LU loudness, 0.05 LU
 * LRA.  (On a 100 ms grid, edges within 50 ms, this fixture gave 0.06 LU,
 * LRA 0.23 LU and 0.8 LU for the hit that lost up to 40 ms of attack.) */
static void test_loudness_vs_slice(void **state)
{
	struct dsp_cfg c = dspfix_cfg(RATE);
	struct two seg[3] = { { 0 } };
	double worst[2] = { 0, 0 }, worst_lra = 0;

	c.padding = 0.01f;
	c.fft_size = c.hop = 512;       /* frame features play no part here: keep them cheap */
	dspfix_seed(7);
	for (int k = 0; k < 3; k++) {
		static const double secs[3] = { 20.0, 1.6, 1.2 };
		seg[k].srate = 2 * RATE;
		seg[k].ch = 2;
		two_music(&seg[k], secs[k], k);
	}
	for (int o = 0; o < 8; o++) {
		struct two t = { 0 };
		struct dsp_analyzer *a;
		const struct dsp_region *r;

		t.srate = 2 * RATE;
		t.ch = 2;
		two_silence(&t, 0.5 + 0.0131 * o);
		two_append(&t, &seg[0]);
		two_silence(&t, 1.0 + 0.0173 * o);
		two_append(&t, &seg[1]);
		two_silence(&t, 0.8 + 0.0093 * o);
		two_append(&t, &seg[2]);
		two_silence(&t, 0.6);
		two_mono(&t);
		a = run_two(&c, &t, 4096, 3000, 0);
		r = dsp_regions(a);
		assert_int_equal(dsp_region_count(a), 3);
		for (size_t i = 0; i < 3; i++) {
			double lra, v = oneshot(&t, r[i].start, r[i].end, &lra), pk = 0;
			size_t j0 = (size_t)llround(r[i].start * t.srate);
			size_t j1 = (size_t)llround(r[i].end * t.srate);
			double d = fabs(r[i].loudness - v);

			for (size_t j = j0 * 2; j < j1 * 2 && j < t.ns * 2; j++)
				pk = fabs(t.src[j]) > pk ? fabs(t.src[j]) : pk;
			assert_float_equal(r[i].peak_db, 20 * log10(pk), 0.01);
			assert_true(isfinite(v) && isfinite(r[i].loudness));
			if (d > worst[i > 0])
				worst[i > 0] = d;
			if (i == 0 && fabs(r[i].lra - lra) > worst_lra)
				worst_lra = fabs(r[i].lra - lra);
			if (i > 0)
				assert_float_equal(r[i].lra, 0.0, 1e-9);   /* < 3 s */
			else
				assert_true(lra > 3.0);
		}
		/* the file's values are libebur128's own, fed every frame once */
		{
			ebur128_state *e = ebur128_init(2, (unsigned long)t.srate, EBUR128_MODE_I |
			                                EBUR128_MODE_LRA | EBUR128_MODE_HISTOGRAM);
			double fl, flra;
			assert_non_null(e);
			ebur128_add_frames_float(e, t.src, t.ns);
			ebur128_loudness_global(e, &fl);
			ebur128_loudness_range(e, &flra);
			ebur128_destroy(&e);
			assert_true(dsp_file_loudness(a) == (float)fl);
			assert_true(dsp_file_lra(a) == (float)flra);
		}
		dsp_free(a);
		free(t.mono);
		free(t.src);
	}
	for (int k = 0; k < 3; k++)
		free(seg[k].src);
	print_message("# region loudness vs one-shot slice: 20 s %.3f LU (LRA %.3f LU), "
	              "1-2 s %.3f LU\n", worst[0], worst_lra, worst[1]);
	assert_true(worst[0] <= 0.1);
	assert_true(worst_lra <= 0.05);
	assert_true(worst[1] <= 0.1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loudness_file),
		cmocka_unit_test(test_loudness_regions),
		cmocka_unit_test(test_loudness_vs_slice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
