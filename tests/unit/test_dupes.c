/*
 * test_dupes.c - near-duplicates: the bit error rate, grouping on
 * synthetic fingerprints (noise, trims, regions, the best copy), and end
 * to end on generated audio: the pipeline's Chromaprint fingerprint, its
 * catalog round trip, and an MP3, a -6 dB copy, a 48 kHz/44.1 kHz FLAC
 * pair and a copy with 1.5 s cut from the start found as duplicates while
 * unrelated material is not.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sndfile.h>
#include <cmocka.h>

#include "dupfix.h"
#include "fixtures.h"
#include "grym/analysis.h"
#include "grym/catalog.h"
#include "grym/config.h"
#include "grym/dupes.h"
#include "grym/util.h"

#define ITEM_S 0.12380952

static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* n random items from seed (xorshift: no runs, all distinct). */
static uint32_t *fp_random(uint32_t seed, int n)
{
	uint32_t *fp = xmalloc(sizeof(uint32_t) * (size_t)n);
	for (int i = 0; i < n; i++)
		fp[i] = rnd(&seed);
	return fp;
}

/* A copy of src[from, from + n) with about `flip` of its bits flipped. */
static uint32_t *fp_noisy(const uint32_t *src, int from, int n, double flip, uint32_t seed)
{
	uint32_t *fp = xmalloc(sizeof(uint32_t) * (size_t)n);
	for (int i = 0; i < n; i++) {
		fp[i] = src[from + i];
		for (int b = 0; b < 32; b++)
			if ((rnd(&seed) % 10000) < flip * 10000)
				fp[i] ^= 1u << b;
	}
	return fp;
}

static void add(struct dupes *d, int64_t id, uint32_t *fp, int n, int lossless, int rate,
                int bits, const struct dupes_region *reg, int nr)
{
	struct gr_err err = { 0 };
	struct dupes_file f = { .id = id, .fp = fp, .n_fp = n, .item_s = ITEM_S,
	                        .duration = n * ITEM_S + 2.2, .lossless = lossless,
	                        .rate = rate, .bits = bits, .regions = reg, .n_regions = nr };
	assert_int_equal(dupes_add(d, &f, &err), 0);
}

static void test_ber(void **state)
{
	uint32_t a[4] = { 0, 0xffffffffu, 0, 0 }, b[4] = { 0xffffffffu, 0, 0, 1 };
	int n;

	(void)state;
	/* b item i <-> a item i + 1: b[0..2] vs a[1..3], one bit of 96 differs */
	assert_true(fabs(dupes_ber(a, 0, 4, b, 0, 4, 1, &n) - 0.0) < 1e-9);
	assert_int_equal(n, 3);
	assert_true(fabs(dupes_ber(a, 0, 4, b, 0, 4, 0, &n) - (65.0 / 128)) < 1e-9);
	assert_int_equal(n, 4);
	assert_true(dupes_ber(a, 0, 4, b, 0, 4, 9, &n) == 1.0);
	assert_int_equal(n, 0);
}

/* Noisy, trimmed copies group with their original; unrelated ones don't. */
static void test_synthetic_groups(void **state)
{
	struct gr_err err = { 0 };
	struct dupes *d = dupes_new(NULL);
	uint32_t *a = fp_random(1, 160);
	const struct dupes_group *g;
	size_t ng;

	(void)state;
	add(d, 10, fp_noisy(a, 0, 160, 0.05, 7), 160, 0, 44100, 0, NULL, 0);    /* "mp3" */
	add(d, 11, fp_noisy(a, 12, 148, 0.08, 8), 148, 1, 44100, 16, NULL, 0);  /* trimmed */
	add(d, 12, fp_random(99, 160), 160, 1, 96000, 24, NULL, 0);            /* unrelated */
	add(d, 13, fp_random(98, 20), 20, 1, 44100, 16, NULL, 0);              /* unrelated */
	add(d, 14, NULL, 0, 1, 44100, 16, NULL, 0);                            /* no fp */
	add(d, 9, a, 160, 1, 48000, 24, NULL, 0);                              /* original */
	assert_int_equal(dupes_run(d, &err), 1);
	g = dupes_groups(d, &ng);
	assert_int_equal(ng, 1);
	assert_int_equal(g[0].n, 3);
	assert_int_equal(g[0].m[0].file_id, 9);    /* sorted by id */
	assert_int_equal(g[0].m[1].file_id, 10);
	assert_int_equal(g[0].m[2].file_id, 11);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(g[0].m[i].region, -1);
		assert_true(g[0].m[i].score > 0.8);
	}
	assert_int_equal(g[0].best, 0);            /* lossless 48 kHz 24-bit */
	/* the lowest match is the mp3 against the trimmed copy (~13 % bits) */
	assert_true(g[0].score >= DUPES_THRESHOLD && g[0].score < 0.8);
	assert_true(dupes_verified(d) >= 2);
	dupes_free(d);
}

/* A region of a long file, exported as a file of its own, is found as
 * that region; a half-length excerpt is not a duplicate. */
static void test_synthetic_region(void **state)
{
	struct gr_err err = { 0 };
	struct dupes_cfg cfg = { .threshold = 0.8 };
	struct dupes *d = dupes_new(&cfg);
	uint32_t *x = fp_random(5, 300), *y = fp_random(6, 100);
	struct dupes_region reg[2];
	const struct dupes_group *g;
	size_t ng;

	(void)state;
	/* the long file: x's first 100 items, 2 s of silence, y; regions set
	 * in seconds the way the dsp pass reports them */
	{
		int n = 100 + 16 + 100;
		uint32_t *l = xmalloc(sizeof(uint32_t) * n);
		memcpy(l, x, 100 * sizeof(uint32_t));
		for (int i = 0; i < 16; i++)
			l[100 + i] = 0x5555aaaau;
		memcpy(l + 116, y, 100 * sizeof(uint32_t));
		reg[0] = (struct dupes_region){ 101, 0.0, 100 * ITEM_S + 2.2 };
		reg[1] = (struct dupes_region){ 102, 116 * ITEM_S, 216 * ITEM_S + 2.2 };
		add(d, 1, l, n, 1, 44100, 16, reg, 2);
	}
	add(d, 2, fp_noisy(y, 0, 100, 0.03, 3), 100, 0, 44100, 0, NULL, 0);
	add(d, 3, fp_noisy(x, 0, 150, 0.03, 4), 150, 1, 44100, 16, NULL, 0);  /* x longer */
	add(d, 4, fp_noisy(x, 100, 200, 0.03, 5), 200, 1, 44100, 16, NULL, 0);
	assert_int_equal(dupes_run(d, &err), 1);
	g = dupes_groups(d, &ng);
	assert_int_equal(ng, 1);
	assert_int_equal(g[0].n, 2);
	assert_int_equal(g[0].m[0].file_id, 1);
	assert_int_equal(g[0].m[0].region, 1);
	assert_int_equal(g[0].m[0].region_id, 102);
	assert_true(fabs(g[0].m[0].start - 116 * ITEM_S) < 1e-9);
	assert_int_equal(g[0].m[1].file_id, 2);
	assert_int_equal(g[0].m[1].region, -1);
	assert_int_equal(g[0].best, 0);            /* lossless over lossy */
	dupes_free(d);
	free(x);
	free(y);
}

static void test_add_errors(void **state)
{
	struct gr_err err = { 0 };
	struct dupes *d = dupes_new(NULL);
	struct dupes_file f = { .id = 1, .fp = fp_random(3, 40), .n_fp = 40, .item_s = -1 };

	(void)state;
	assert_int_equal(dupes_add(d, &f, &err), -GR_EUSAGE);   /* fp freed anyway */
	add(d, 1, fp_random(3, 40), 40, 1, 44100, 16, NULL, 0);
	add(d, 1, fp_random(4, 40), 40, 1, 44100, 16, NULL, 0);
	assert_int_equal(dupes_run(d, &err), -GR_EUSAGE);
	assert_non_null(strstr(err.msg, "added twice"));
	dupes_free(d);
	d = dupes_new(NULL);
	assert_int_equal(dupes_run(d, &err), 0);                 /* empty is fine */
	dupes_free(d);
}

/* ---- audio end to end ---------------------------------------------------- */

static void analyse(const char *path, struct an_file *f)
{
	struct gr_config cfg;
	struct gr_err err = { 0 };

	config_defaults(&cfg);
	assert_int_equal(an_analyze_file(path, &cfg, NULL, f, &err), 0);
}

static void test_audio(void **state)
{
	static const char *const names[] = {
		"a.wav", "a.mp3", "a_quiet.wav", "a_trim.wav", "b.wav", "c48.flac", "c44.flac",
	};
	enum { N = 7 };
	char *dir = fx_tmpdir_new("dupes"), *p[N];
	struct an_file f[N];
	struct gr_err err = { 0 };
	struct dupes *d = dupes_new(NULL);
	const struct dupes_group *g;
	size_t ng;

	(void)state;
	for (int i = 0; i < N; i++)
		p[i] = fx_path(dir, names[i]);
	assert_int_equal(dupfix_write(p[0], "wav16", 44100, 1, 12, 1.0, &err), 0);
	assert_int_equal(dupfix_write(p[1], "mp3", 44100, 1, 12, 1.0, &err), 0);
	assert_int_equal(dupfix_write(p[2], "wav16", 44100, 1, 12, 0.5, &err), 0);  /* -6 dB */
	{
		/* the same material with its first 1.5 s cut */
		struct fx_spec sp = { .rate = 44100, .channels = 1 };
		size_t ns;
		int64_t frames;
		float *buf;

		sp.segs = dupfix_segs(1, 12, 1.0, &ns);
		sp.n_segs = ns;
		buf = fx_render(&sp, &frames, NULL);
		assert_int_equal(fx_write_buf(p[3], SF_FORMAT_WAV | SF_FORMAT_PCM_16, 44100, 1,
		                              buf + 66150, frames - 66150, &err), 0);
		free(buf);
		free((void *)sp.segs);
	}
	assert_int_equal(dupfix_write(p[4], "wav16", 44100, 2, 12, 1.0, &err), 0);
	assert_int_equal(dupfix_write(p[5], "flac24", 48000, 3, 12, 1.0, &err), 0);
	assert_int_equal(dupfix_write(p[6], "flac16", 44100, 3, 12, 1.0, &err), 0);
	for (int i = 0; i < N; i++) {
		struct dupes_file df = { 0 };

		analyse(p[i], &f[i]);
		/* about (12 s - 2.2 s) / 0.124 s items */
		assert_non_null(f[i].fp);
		assert_true(f[i].fp_item_s > 0.12 && f[i].fp_item_s < 0.13);
		assert_true(f[i].n_fp > (i == 3 ? 60 : 72) && f[i].n_fp < 100);
		df.id = i + 1;
		df.fp = f[i].fp;
		df.n_fp = f[i].n_fp;
		df.item_s = f[i].fp_item_s;
		df.duration = f[i].duration;
		df.lossless = f[i].info.lossless;
		df.rate = f[i].info.rate;
		df.bits = f[i].info.bits;
		f[i].fp = NULL;        /* ownership passes to d */
		assert_int_equal(dupes_add(d, &df, &err), 0);
	}
	assert_int_equal(dupes_run(d, &err), 2);
	g = dupes_groups(d, &ng);
	assert_int_equal(ng, 2);
	/* a.wav, its MP3, the -6 dB copy and the trimmed copy */
	assert_int_equal(g[0].n, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(g[0].m[i].file_id, i + 1);
	assert_int_equal(g[0].best, 0);
	assert_true(g[0].score >= DUPES_THRESHOLD);
	/* the two FLACs at 48 and 44.1 kHz; 48 kHz 24-bit is the best */
	assert_int_equal(g[1].n, 2);
	assert_int_equal(g[1].m[0].file_id, 6);
	assert_int_equal(g[1].m[1].file_id, 7);
	assert_int_equal(g[1].best, 0);
	/* b.wav (file 5) is in no group */
	dupes_free(d);
	for (int i = 0; i < N; i++) {
		an_file_fini(&f[i]);
		free(p[i]);
	}
	fx_tmpdir_free(dir);
}

/* The fingerprint goes into the catalog with the analysis and comes back
 * identical; a short file has none and still analyses. */
static void test_catalog_roundtrip(void **state)
{
	char *dir = fx_tmpdir_new("dupescat"), *wav = fx_path(dir, "x.wav");
	char *shortw = fx_path(dir, "short.wav"), *db = fx_path(dir, "c.db");
	struct gr_err err = { 0 };
	struct an_file f, s;
	struct cat *c;
	int64_t root, id, id2;
	char *prefix;
	uint32_t *fp;
	double item_s;
	int n;

	(void)state;
	assert_int_equal(dupfix_write(wav, "wav16", 22050, 4, 8, 1.0, &err), 0);
	assert_int_equal(dupfix_write(shortw, "wav16", 22050, 4, 0.5, 1.0, &err), 0);
	analyse(wav, &f);
	analyse(shortw, &s);
	assert_non_null(f.fp);
	assert_null(s.fp);
	assert_int_equal(s.n_fp, 0);
	assert_non_null(c = cat_open(db, 0, &err));
	assert_int_equal(cat_root_for_dir(c, dir, &root, &prefix, &err), 0);
	free(prefix);
	assert_int_equal(cat_store_analysis(c, root, "x.wav", &f, "v", &id, &err), 0);
	assert_int_equal(cat_store_analysis(c, root, "short.wav", &s, "v", &id2, &err), 0);
	assert_int_equal(cat_fp_get(c, id, &fp, &n, &item_s, &err), 1);
	assert_int_equal(n, f.n_fp);
	assert_memory_equal(fp, f.fp, sizeof(uint32_t) * (size_t)n);
	assert_true(fabs(item_s - f.fp_item_s) < 1e-12);
	free(fp);
	assert_int_equal(cat_fp_get(c, id2, &fp, &n, &item_s, &err), 0);
	assert_null(fp);
	/* a failure drops the fingerprint with the rest of the analysis */
	assert_int_equal(cat_store_failure(c, root, "x.wav", "broken", "v", NULL, &err), 0);
	assert_int_equal(cat_fp_get(c, id, &fp, &n, &item_s, &err), 0);
	cat_close(c);
	an_file_fini(&f);
	an_file_fini(&s);
	free(wav);
	free(shortw);
	free(db);
	fx_tmpdir_free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ber),
		cmocka_unit_test(test_synthetic_groups),
		cmocka_unit_test(test_synthetic_region),
		cmocka_unit_test(test_add_errors),
		cmocka_unit_test(test_audio),
		cmocka_unit_test(test_catalog_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
