/*
 * test_pipeline.c - the whole analysis of generated files: decode ->
 * resample -> dsp -> regions, across formats, rates and channel counts.
 * Fixtures are written by tests/support/fixtures.c; boundaries are known
 * exactly, and regions must match them within 20 ms.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <sndfile.h>

#include "fixtures.h"
#include "grym/analysis.h"
#include "grym/config.h"
#include "grym/util.h"

static char *dir;

static int setup(void **state)
{
	dir = fx_tmpdir_new("pipeline");
	return 0;
}

static int teardown(void **state)
{
	fx_tmpdir_free(dir);
	return 0;
}

/*
 * silence / tone / silence / noise / silence / chord / silence.  Sounds
 * start and end with 10 ms fades, as real sounds do: a hard cut makes a
 * transform codec (Opus most of all) decode a tail that decays at about
 * 16 dB per 100 ms, which is sound in the decoded file, not an error of
 * the region detector.
 */
static const struct fx_seg pattern[] = {
	{ .kind = FX_SILENCE, .dur = 0.40 },
	{ .kind = FX_SINE, .dur = 0.60, .freq = 440, .amp = 0.5, .fade = 0.01 },
	{ .kind = FX_SILENCE, .dur = 0.50 },
	{ .kind = FX_PINK, .dur = 0.80, .amp = 0.4, .seed = 3, .fade = 0.01 },
	{ .kind = FX_SILENCE, .dur = 0.55 },
	{ .kind = FX_CHORD, .dur = 0.70, .amp = 0.6, .n_partials = 3,
	  .partials = { 261.63, 329.63, 392.0 }, .fade = 0.01 },
	{ .kind = FX_SILENCE, .dur = 0.35 },
};

static void cfg_for_regions(struct gr_config *c)
{
	config_defaults(c);
	c->padding = 0;
	c->min_silence = 0.3;
	c->min_region = 0.05;
}

static int n_bad;  /* region mismatches seen by check_regions() */

/* Analyse path and check the three regions against the segment bounds;
 * a mismatch is printed and counted (so one run shows every bad case). */
static void check_regions(const char *path, const char *what, int rate, double tol,
                          double end_tol)
{
	struct gr_config cfg;
	struct gr_err err = { 0 };
	struct an_file f;
	const double expect[3][2] = { { 0.40, 1.00 }, { 1.50, 2.30 }, { 2.85, 3.55 } };

	cfg_for_regions(&cfg);
	if (an_analyze_file(path, &cfg, NULL, &f, &err) != 0)
		fail_msg("%s: %s", what, err.msg);
	if (f.n_regions != 3) {
		for (int i = 0; i < f.n_regions; i++)
			print_message("# %s region %d: %.3f..%.3f\n", what, i, f.regions[i].start,
			              f.regions[i].end);
		print_message("# %s: %d regions, expected 3\n", what, f.n_regions);
		n_bad++;
		an_file_fini(&f);
		return;
	}
	for (int i = 0; i < 3; i++) {
		double ds = fabs(f.regions[i].start - expect[i][0]);
		double de = fabs(f.regions[i].end - expect[i][1]);
		if (ds > tol || de > end_tol) {
			print_message("# %s: region %d is %.4f..%.4f, expected %.2f..%.2f "
			              "(tolerance %.3f / %.3f s)\n", what, i, f.regions[i].start,
			              f.regions[i].end, expect[i][0], expect[i][1], tol, end_tol);
			n_bad++;
		}
	}
	assert_int_equal(f.info.rate, rate);
	assert_true(fabs(f.duration - 3.90) < 0.08);
	assert_false(f.partial);
	an_file_fini(&f);
}

/*
 * Starts must be within tol everywhere.  Ends too, except in lossy
 * formats: a transform codec decodes a tail after a sound stops (Opus
 * after noise: -30 dB falling about 16 dB per 100 ms), which is sound in
 * the file, so ends of lossy files get 0.2 s.
 */
static void write_and_check(const char *fmtname, int rate, int ch, double tol)
{
	int lossy = !strcmp(fmtname, "ogg") || !strcmp(fmtname, "opus") ||
	            !strcmp(fmtname, "mp3");
	struct fx_spec s = { .rate = rate, .channels = ch, .format = fx_format(fmtname),
	                     .segs = pattern, .n_segs = GR_ARRAY_LEN(pattern) };
	struct gr_err err = { 0 };
	char name[64], what[96];
	char *path;

	assert_int_not_equal(s.format, 0);
	snprintf(name, sizeof(name), "p_%s_%d_%d.audio", fmtname, rate, ch);
	snprintf(what, sizeof(what), "%s %d Hz %d ch", fmtname, rate, ch);
	path = fx_path(dir, name);
	if (fx_write(path, &s, NULL, &err) != 0)
		fail_msg("%s: cannot write fixture: %s", what, err.msg);
	check_regions(path, what, rate, tol, lossy ? 0.2 : tol);
	unlink(path);
	free(path);
}

/* Every rate x every channel count in uncompressed WAV. */
static void test_regions_rates_channels(void **state)
{
	static const int rates[] = { 8000, 22050, 44100, 48000, 96000, 192000 };
	static const int chans[] = { 1, 2, 3, 6, 8 };
	n_bad = 0;
	for (size_t r = 0; r < GR_ARRAY_LEN(rates); r++)
		for (size_t c = 0; c < GR_ARRAY_LEN(chans); c++)
			write_and_check("wav16", rates[r], chans[c], 0.020);
	assert_int_equal(n_bad, 0);
}

/* Every format libsndfile writes, at the rates each one supports. */
static void test_regions_formats(void **state)
{
	static const struct { const char *fmt; int rates[6]; } cases[] = {
		{ "wav24", { 8000, 22050, 44100, 48000, 96000, 192000 } },
		{ "wavf", { 8000, 22050, 44100, 48000, 96000, 192000 } },
		{ "wavex24", { 8000, 44100, 96000, 192000 } },
		{ "aiff16", { 8000, 22050, 44100, 48000, 96000, 192000 } },
		{ "aiff24", { 44100, 96000 } },
		{ "flac16", { 8000, 22050, 44100, 48000, 96000, 192000 } },
		{ "flac24", { 44100, 96000, 192000 } },
		{ "caf16", { 22050, 48000 } },
		{ "ogg", { 8000, 22050, 44100, 48000, 96000, 192000 } },
		{ "opus", { 8000, 48000 } },
		{ "mp3", { 8000, 22050, 44100, 48000 } },
	};
	static const int chans[] = { 1, 2, 6, 8 };
	int k = 0;
	n_bad = 0;
	for (size_t i = 0; i < GR_ARRAY_LEN(cases); i++)
		for (size_t r = 0; r < 6 && cases[i].rates[r] != 0; r++) {
			int ch = chans[k++ % 4];
			/* lossy codecs: MP3 at most 2 channels */
			if (!strcmp(cases[i].fmt, "mp3") && ch > 2)
				ch = 2;
			write_and_check(cases[i].fmt, cases[i].rates[r], ch, 0.020);
		}
	assert_int_equal(n_bad, 0);
}

static void test_regions_m4a(void **state)
{
	static const char *codecs[] = { "aac", "alac" };
	struct fx_spec s = { .rate = 44100, .channels = 2, .segs = pattern,
	                     .n_segs = GR_ARRAY_LEN(pattern) };
	struct gr_err err = { 0 };

	if (!fx_have_ffmpeg())
		fail_msg("the ffmpeg command is needed to make M4A fixtures (scripts/deps.sh)");
	for (size_t i = 0; i < 2; i++) {
		char name[32];
		snprintf(name, sizeof(name), "p_%s.m4a", codecs[i]);
		char *path = fx_path(dir, name);
		if (fx_write_m4a(path, &s, codecs[i], NULL, &err) != 0)
			fail_msg("m4a %s: %s", codecs[i], err.msg);
		n_bad = 0;
		check_regions(path, codecs[i], 44100, 0.020, i == 0 ? 0.2 : 0.020);
		assert_int_equal(n_bad, 0);
		free(path);
	}
}

static void test_full_scale_and_silent(void **state)
{
	struct fx_seg loud[] = { { .kind = FX_WHITE, .dur = 2.0, .amp = 1.0, .seed = 9 } };
	struct fx_seg quiet[] = { { .kind = FX_SILENCE, .dur = 2.0 } };
	struct fx_spec s = { .rate = 44100, .channels = 2, .format = fx_format("wav16"),
	                     .segs = loud, .n_segs = 1 };
	struct gr_config cfg;
	struct gr_err err = { 0 };
	struct an_file f;
	char *p1 = fx_path(dir, "full.wav"), *p2 = fx_path(dir, "silent.wav");

	config_defaults(&cfg);
	assert_int_equal(fx_write(p1, &s, NULL, &err), 0);
	s.segs = quiet;
	assert_int_equal(fx_write(p2, &s, NULL, &err), 0);

	assert_int_equal(an_analyze_file(p1, &cfg, NULL, &f, &err), 0);
	assert_int_equal(f.n_regions, 1);
	assert_true(f.regions[0].start < 0.02 && f.regions[0].end > 1.98);
	assert_true(f.peak_db > -0.5 && f.peak_db <= 0.01);
	assert_true(isfinite(f.loudness) && f.loudness > -10);
	an_file_fini(&f);

	assert_int_equal(an_analyze_file(p2, &cfg, NULL, &f, &err), 0);
	assert_int_equal(f.n_regions, 0);
	assert_true(fabs(f.duration - 2.0) < 0.001);
	assert_false(isfinite(f.loudness) && f.loudness > -70);
	an_file_fini(&f);
	free(p1);
	free(p2);
}

/* Loudness of a region follows the source level: -20 dBFS sine, stereo. */
static void test_region_loudness(void **state)
{
	struct fx_seg segs[] = {
		{ .kind = FX_SILENCE, .dur = 0.5 },
		{ .kind = FX_SINE, .dur = 3.0, .freq = 997, .amp = 0.1 },
		{ .kind = FX_SILENCE, .dur = 1.0 },
		{ .kind = FX_SINE, .dur = 3.0, .freq = 997, .amp = 0.01 },
		{ .kind = FX_SILENCE, .dur = 0.5 },
	};
	struct fx_spec s = { .rate = 48000, .channels = 1, .format = fx_format("wavf"),
	                     .segs = segs, .n_segs = 5 };
	struct gr_config cfg;
	struct gr_err err = { 0 };
	struct an_file f;
	char *p = fx_path(dir, "lufs.wav");

	config_defaults(&cfg);
	assert_int_equal(fx_write(p, &s, NULL, &err), 0);
	assert_int_equal(an_analyze_file(p, &cfg, NULL, &f, &err), 0);
	assert_int_equal(f.n_regions, 2);
	/* mono 997 Hz sine at peak 0.1 = -20 dBFS peak -> -23.01 LUFS */
	if (fabs(f.regions[0].loudness - (-23.01)) > 0.5 ||
	    fabs(f.regions[1].loudness - (-43.01)) > 0.5)
		fail_msg("loudness %.2f and %.2f LUFS, expected -23.01 and -43.01",
		         f.regions[0].loudness, f.regions[1].loudness);
	assert_true(fabs(f.regions[0].peak_db - (-20.0)) < 0.2);
	an_file_fini(&f);
	free(p);
}

static void test_bad_files(void **state)
{
	struct gr_config cfg;
	struct gr_err err = { 0 };
	struct an_file f;
	char *empty = fx_path(dir, "empty.wav"), *text = fx_path(dir, "text.flac");
	char *sub = fx_path(dir, "folder.wav");

	config_defaults(&cfg);
	assert_int_equal(fx_write_bytes(empty, "", 0, &err), 0);
	assert_int_equal(fx_write_bytes(text, "hello, not audio\n", 17, &err), 0);
	assert_int_equal(mkdir(sub, 0755), 0);

	assert_int_not_equal(an_analyze_file(empty, &cfg, NULL, &f, &err), 0);
	assert_non_null(strstr(err.msg, "empty.wav"));
	assert_int_not_equal(an_analyze_file(text, &cfg, NULL, &f, &err), 0);
	assert_non_null(strstr(err.msg, "text.flac"));
	assert_int_not_equal(an_analyze_file(sub, &cfg, NULL, &f, &err), 0);
	assert_non_null(strstr(err.msg, "folder.wav"));
	free(empty);
	free(text);
	free(sub);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regions_rates_channels),
		cmocka_unit_test(test_regions_formats),
		cmocka_unit_test(test_regions_m4a),
		cmocka_unit_test(test_full_scale_and_silent),
		cmocka_unit_test(test_region_loudness),
		cmocka_unit_test(test_bad_files),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
