/*
 * test_export.c - export: names (templates, hostile values, uniqueness),
 * sample-exact regions (16-bit WAV, 24-bit FLAC), fades, rate changes
 * (length and pitch), dither, peak and loudness normalisation (measured
 * with libebur128), no overwriting, a file-size limit as a full disk,
 * cancel, WAV cues and metadata, and SFZ instruments.
 *
 * Catalogs are built by hand (anfix) over generated audio files, so the
 * region boundaries are known exactly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <ebur128.h>
#include <sndfile.h>

#include "anfix.h"
#include "fixtures.h"
#include "grym/catalog.h"
#include "grym/export.h"
#include "grym/audio.h"
#include "grym/util.h"

struct fx {
	char *dir;        /* temp root: lib/ sources, out/ exports */
	char *lib, *out;
	struct cat *c;
	int64_t root;
};

static int setup(void **state)
{
	struct fx *x = xcalloc(1, sizeof(*x));
	struct gr_err err = { 0 };
	char *db, *prefix;

	x->dir = fx_tmpdir_new("export");
	x->lib = fx_path(x->dir, "lib");
	x->out = fx_path(x->dir, "out");
	mkdir(x->lib, 0755);
	mkdir(x->out, 0755);
	db = fx_path(x->dir, "catalog.db");
	x->c = cat_open(db, 0, &err);
	assert_non_null(x->c);
	assert_int_equal(cat_root_for_dir(x->c, x->lib, &x->root, &prefix, &err), 0);
	free(prefix);
	free(db);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;

	cat_close(x->c);
	free(x->lib);
	free(x->out);
	fx_tmpdir_free(x->dir);
	free(x);
	return 0;
}

/* Catalog a generated file lib/rel with regions at bounds (s) and keys. */
static int64_t add_file(struct fx *x, const char *rel, const struct fx_spec *spec,
                        int n, const double (*bounds)[2], const int *keys)
{
	struct gr_err err = { 0 };
	struct an_file f;
	char *path = fx_path(x->lib, rel);
	int64_t frames = fx_frames(spec, NULL), id = 0;
	struct anfix_spec s = {
		.path = path, .duration = (double)frames / spec->rate, .cls = AN_PERCUSSION,
		.cls_conf = 0.9f, .key = AN_NO_KEY, .rate = spec->rate,
		.channels = spec->channels, .bits = 16, .format = "wav", .n_regions = n,
		.hash = (uint64_t)frames * 7 + (uint64_t)strlen(rel), .size = 1000,
	};

	assert_int_equal(fx_write(path, spec, NULL, &err), 0);
	anfix_file(&f, &s);
	for (int i = 0; i < n; i++) {
		f.regions[i].start = bounds[i][0];
		f.regions[i].end = bounds[i][1];
		f.regions[i].timeline.seg[0].start = bounds[i][0];
		f.regions[i].timeline.seg[0].end = bounds[i][1];
		if (keys != NULL)
			f.regions[i].key.key = keys[i];
	}
	assert_int_equal(cat_store_analysis(x->c, x->root, rel, &f, "v1", &id, &err), 0);
	anfix_free(&f);
	free(path);
	return id;
}

/* Export what q selects with o (dir defaults to x->out); returns
 * export_run's result, the set in *out (free it). */
static int do_export(struct fx *x, const char *q, int regions, struct export_opts *o,
                     struct export_set **out)
{
	struct gr_err err = { 0 };
	struct cat_query *cq = cat_query_parse(q, NULL, &err);
	struct export_set *s = export_set_new();
	int rc;

	assert_non_null(cq);
	if (o->dir == NULL)
		o->dir = x->out;
	assert_true(export_set_add(s, x->c, cq, regions, &err) > 0);
	cat_query_free(cq);
	rc = export_plan(s, o, &err);
	if (rc == 0)
		rc = export_run(s, o, &err);
	if (rc < 0)
		print_message("# export: %s\n", err.msg);
	*out = s;
	return rc;
}

/* Read a whole file as raw integers (left-aligned 32-bit) or floats. */
static int *read_ints(const char *path, SF_INFO *info)
{
	SNDFILE *sf;
	int *buf;

	memset(info, 0, sizeof(*info));
	sf = sf_open(path, SFM_READ, info);
	assert_non_null(sf);
	buf = xmalloc(sizeof(int) * (size_t)(info->frames * info->channels + 1));
	assert_int_equal(sf_readf_int(sf, buf, info->frames), info->frames);
	sf_close(sf);
	return buf;
}

static float *read_floats(const char *path, SF_INFO *info)
{
	SNDFILE *sf;
	float *buf;

	memset(info, 0, sizeof(*info));
	sf = sf_open(path, SFM_READ, info);
	assert_non_null(sf);
	buf = xmalloc(sizeof(float) * (size_t)(info->frames * info->channels + 1));
	assert_int_equal(sf_readf_float(sf, buf, info->frames), info->frames);
	sf_close(sf);
	return buf;
}

static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* ---- names ------------------------------------------------------------------ */

static void expand_ok(const char *tmpl, const struct export_name_vars *v, const char *want)
{
	struct gr_err err = { 0 };
	char out[EXPORT_NAME_MAX + 1];

	assert_int_equal(export_name_expand(tmpl, v, out, sizeof(out), &err), 0);
	assert_string_equal(out, want);
}

static void t_template(void **state)
{
	struct export_name_vars v = {
		.name = "drums", .index = 3, .n = 7, .total = 120, .cls = AN_PERCUSSION,
		.key = 21, .key_style = AN_KEY_SHARP, .bpm = 119.6, .start = 1.5, .dur = 0.25,
		.tag = "kick", .id = 42,
	};
	struct gr_err err = { 0 };
	char out[EXPORT_NAME_MAX + 1];

	(void)state;
	expand_ok("{name}_{index}", &v, "drums_03");
	expand_ok("{n}-{class}-{key}-{bpm}", &v, "007-percussion-Am-120");
	expand_ok("{index:4} {start} {dur} {tag} {id:5}", &v, "0003 1.500 0.250 kick 00042");
	expand_ok("{{lit}}{name}", &v, "{lit}drums");
	/* missing values leave no doubled or dangling separators */
	v.key = AN_NO_KEY;
	v.bpm = 0;
	v.tag = "";
	expand_ok("{name}_{key}_{bpm}_{tag}", &v, "drums");
	expand_ok("{key}", &v, "untitled");
	assert_int_equal(export_name_expand("{nope}", &v, out, sizeof(out), &err), -GR_EUSAGE);
	assert_non_null(strstr(err.msg, "unknown field {nope} at character 1"));
	assert_int_equal(export_name_check("ab{name", &err), -GR_EUSAGE);
	assert_non_null(strstr(err.msg, "unclosed '{' at character 3"));
	assert_int_equal(export_name_check("{class:3}", &err), -GR_EUSAGE);
	assert_int_equal(export_name_check("a}b", &err), -GR_EUSAGE);
}

/* A name is one safe component: no '/', no control bytes, valid UTF-8,
 * no leading dot, within the length limit. */
static void assert_safe(const char *s)
{
	size_t n = strlen(s);

	assert_true(n > 0 && n <= EXPORT_NAME_MAX);
	assert_true(s[0] != '.' && s[0] != ' ');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		assert_true(*p >= 0x20 && *p != 0x7f && *p != '/' && *p != '\\');
	}
	/* valid UTF-8: str_escape_term leaves it unchanged */
	char *e = str_escape_term(s);
	assert_string_equal(e, s);
	free(e);
}

static void t_hostile_names(void **state)
{
	static const char *const names[] = {
		"../../etc/passwd", "\x1b[31mred\x1b[0m\nline", ".hidden", "..", "a/b\\c",
		"nul\x7f\x01\x9b", "\xff\xfe bad utf8 \xc3", "CON", "com1.txt", "  spaced. ",
		"é\xcc\x81 ok ünïcödé",
	};
	struct export_name_vars v = { .index = 1, .n = 1, .total = 1, .cls = -1,
	                              .key = AN_NO_KEY };
	char out[EXPORT_NAME_MAX + 1], big[1200];
	struct gr_err err = { 0 };

	(void)state;
	for (size_t i = 0; i < GR_ARRAY_LEN(names); i++) {
		v.name = names[i];
		v.tag = names[(i + 3) % GR_ARRAY_LEN(names)];
		assert_int_equal(export_name_expand("{name}", &v, out, sizeof(out), &err), 0);
		assert_safe(out);
		/* a template with its own path tricks */
		assert_int_equal(export_name_expand("../{name}/../{tag}\x1b]0;x\x07", &v, out,
		                                    sizeof(out), &err), 0);
		assert_safe(out);
		assert_null(strstr(out, "/"));
	}
	v.name = "\x1b[31mred";
	expand_ok("{name}", &v, "_[31mred");
	v.name = "CON";
	expand_ok("{name}", &v, "_CON");
	v.name = "../../etc/passwd";
	expand_ok("{name}", &v, "_.._etc_passwd");
	/* long names are cut on a character boundary */
	big[0] = '\0';
	for (int i = 0; i < 500; i++)
		strcat(big, "é");
	v.name = big;
	assert_int_equal(export_name_expand("{name}", &v, out, sizeof(out), &err), 0);
	assert_safe(out);
	assert_int_equal(strlen(out), EXPORT_NAME_MAX);
}

static void t_unique_and_force(void **state)
{
	struct fx *x = *state;
	struct fx_seg seg = { .kind = FX_WHITE, .dur = 0.5, .amp = 0.3, .seed = 3 };
	struct fx_spec sp = { .rate = 8000, .channels = 1, .format = fx_format("wav16"),
	                      .segs = &seg, .n_segs = 1 };
	const double b[1][2] = { { 0.1, 0.3 } };
	struct export_opts o = { .fade_ms = 0 };
	struct export_set *s;
	struct gr_err err = { 0 };
	struct stat sb;
	char *p;

	p = fx_path(x->lib, "d1");
	mkdir(p, 0755);
	p[strlen(p) - 1] = '2';
	mkdir(p, 0755);
	free(p);
	add_file(x, "d1/Hit.wav", &sp, 1, b, NULL);
	add_file(x, "d2/hit.wav", &sp, 1, b, NULL);
	assert_int_equal(do_export(x, "", 1, &o, &s), 0);
	/* same stem from two folders, differing only in case: -2 */
	assert_string_equal(path_base(export_set_item(s, 0)->out), "Hit_01.wav");
	assert_string_equal(path_base(export_set_item(s, 1)->out), "hit_01-2.wav");
	export_set_free(s);
	assert_int_equal(count_files(x->out), 2);

	/* again: refused before anything is written, files untouched */
	p = fx_path(x->out, "Hit_01.wav");
	assert_int_equal(stat(p, &sb), 0);
	fx_write_bytes(p, "keep", 4, &err);
	s = export_set_new();
	struct cat_query *q = cat_query_parse("", NULL, &err);
	assert_true(export_set_add(s, x->c, q, 1, &err) == 2);
	o.dir = x->out;
	assert_int_equal(export_plan(s, &o, &err), -GR_EBUSY);
	assert_non_null(strstr(err.msg, "Hit_01.wav exists; use --force"));
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_size, 4);
	/* --force replaces */
	o.force = 1;
	assert_int_equal(export_plan(s, &o, &err), 0);
	assert_int_equal(export_run(s, &o, &err), 0);
	assert_int_equal(stat(p, &sb), 0);
	assert_true(sb.st_size > 1000);
	cat_query_free(q);
	export_set_free(s);
	free(p);
}

/* ---- samples ---------------------------------------------------------------- */

/* Regions come out bit-exact (fade 0) at the source depth, all channels. */
static void exact_case(struct fx *x, const char *fmt, int format, const char *ext)
{
	struct fx_seg segs[] = {
		{ .kind = FX_PINK, .dur = 1.3, .amp = 0.8, .seed = 11 },
		{ .kind = FX_SINE, .dur = 0.9, .freq = 330, .amp = 0.6 },
	};
	const double gains[2] = { 1.0, -0.7 };
	struct fx_spec sp = { .rate = 44100, .channels = 2, .chan_gain = gains,
	                      .format = fx_format(fmt), .segs = segs, .n_segs = 2 };
	const double b[2][2] = { { 0.123457, 0.987651 }, { 1.2, 2.2 } };
	struct export_opts o = { .fade_ms = 0, .format = format };
	struct export_set *s;
	SF_INFO si, oi;
	char rel[32];
	int *src, *out;

	snprintf(rel, sizeof(rel), "src.%s", ext);
	add_file(x, rel, &sp, 2, b, NULL);
	assert_int_equal(do_export(x, "", 1, &o, &s), 0);
	char *path = fx_path(x->lib, rel);
	src = read_ints(path, &si);
	for (size_t i = 0; i < 2; i++) {
		const struct export_item *it = export_set_item(s, i);
		int64_t s0 = llround(b[i][0] * 44100), s1 = llround(b[i][1] * 44100);
		out = read_ints(it->out, &oi);
		assert_int_equal(oi.frames, s1 - s0);
		assert_int_equal(oi.channels, 2);
		assert_int_equal(oi.samplerate, 44100);
		assert_int_equal(oi.format & SF_FORMAT_SUBMASK, si.format & SF_FORMAT_SUBMASK);
		assert_int_equal(it->frames, s1 - s0);
		assert_memory_equal(out, src + s0 * 2, (size_t)(s1 - s0) * 2 * sizeof(int));
		free(out);
	}
	free(src);
	free(path);
	export_set_free(s);
}

static void t_exact_wav16(void **state)
{
	exact_case(*state, "wav16", AUDIO_W_WAV, "wav");
}

static void t_exact_flac24(void **state)
{
	exact_case(*state, "flac24", AUDIO_W_FLAC, "flac");
}

/* The default fade: silent ends, untouched middle. */
static void t_fade(void **state)
{
	struct fx *x = *state;
	struct fx_seg seg = { .kind = FX_SINE, .dur = 1.0, .freq = 200, .amp = 0.5 };
	struct fx_spec sp = { .rate = 48000, .channels = 1, .format = fx_format("wav24"),
	                      .segs = &seg, .n_segs = 1 };
	const double b[1][2] = { { 0.2003, 0.8 } };
	struct export_opts o = { .fade_ms = -1 };
	struct export_set *s;
	SF_INFO si, oi;
	int *src, *out;
	int64_t s0 = llround(0.2003 * 48000), n, f = 240;   /* 5 ms */

	add_file(x, "tone.wav", &sp, 1, b, NULL);
	assert_int_equal(do_export(x, "", 1, &o, &s), 0);
	char *path = fx_path(x->lib, "tone.wav");
	src = read_ints(path, &si);
	out = read_ints(export_set_item(s, 0)->out, &oi);
	n = oi.frames;
	assert_int_equal(n, llround(0.8 * 48000) - s0);
	/* ends faded to near zero, monotone envelope, middle exact */
	assert_true(abs(out[0]) < (1 << 30) / 1000);
	assert_true(abs(out[n - 1]) < 2147483);
	assert_memory_equal(out + f, src + s0 + f, (size_t)(n - 2 * f) * sizeof(int));
	assert_true(memcmp(out, src + s0, (size_t)f * sizeof(int)) != 0);
	free(src);
	free(out);
	free(path);
	export_set_free(s);
}

/* 44.1 kHz -> 48 kHz: expected length and the same pitch. */
static void t_rate(void **state)
{
	struct fx *x = *state;
	struct fx_seg seg = { .kind = FX_SINE, .dur = 2.0, .freq = 1000, .amp = 0.5 };
	struct fx_spec sp = { .rate = 44100, .channels = 1, .format = fx_format("wav16"),
	                      .segs = &seg, .n_segs = 1 };
	const double b[1][2] = { { 0.5, 1.5 } };
	struct export_opts o = { .fade_ms = 0, .rate = 48000, .format = AUDIO_W_FLAC };
	struct export_set *s;
	SF_INFO oi;
	float *out;

	add_file(x, "k.wav", &sp, 1, b, NULL);
	assert_int_equal(do_export(x, "", 1, &o, &s), 0);
	out = read_floats(export_set_item(s, 0)->out, &oi);
	assert_int_equal(oi.samplerate, 48000);
	assert_int_equal(oi.frames, 48000);   /* round(44100 * 48000 / 44100) */
	double f = fx_peak_freq(out, (size_t)oi.frames, 1, 0, 48000, 900, 1100, 0.5);
	assert_true(fabs(f - 1000) < 1.0);
	double amp = fx_goertzel(out, (size_t)oi.frames, 1, 0, 48000, 1000);
	assert_true(fabs(amp - 0.5) < 0.01);
	free(out);
	export_set_free(s);
}

/* 24-bit -> 16-bit: TPDF dither gives an error of ~0.5 LSB RMS, zero mean. */
static void t_dither(void **state)
{
	struct fx *x = *state;
	struct fx_seg seg = { .kind = FX_SINE, .dur = 1.0, .freq = 441, .amp = 0.01 };
	struct fx_spec sp = { .rate = 44100, .channels = 1, .format = fx_format("wav24"),
	                      .segs = &seg, .n_segs = 1 };
	const double b[1][2] = { { 0, 1 } };
	struct export_opts o = { .fade_ms = 0, .bits = 16 };
	struct export_set *s;
	SF_INFO si, oi;
	float *src, *out;
	double sum = 0, sq = 0;

	add_file(x, "q.wav", &sp, 1, b, NULL);
	assert_int_equal(do_export(x, "", 1, &o, &s), 0);
	char *path = fx_path(x->lib, "q.wav");
	src = read_floats(path, &si);
	out = read_floats(export_set_item(s, 0)->out, &oi);
	assert_int_equal(oi.format & SF_FORMAT_SUBMASK, SF_FORMAT_PCM_16);
	assert_int_equal(oi.frames, si.frames);
	for (sf_count_t i = 0; i < oi.frames; i++) {
		double e = ((double)out[i] - src[i]) * 32768;
		assert_true(fabs(e) <= 1.5);
		sum += e;
		sq += e * e;
	}
	double rms = sqrt(sq / (double)oi.frames), mean = sum / (double)oi.frames;
	print_message("# dither error: rms %.3f LSB, mean %.4f LSB\n", rms, mean);
	assert_true(rms > 0.4 && rms < 0.6);
	assert_true(fabs(mean) < 0.02);
	free(src);
	free(out);
	free(path);
	export_set_free(s);
}

static double measure_lufs(const float *buf, size_t frames, int ch, int rate, double *peak)
{
	ebur128_state *m = ebur128_init((unsigned)ch, (unsigned long)rate, EBUR128_MODE_I);
	double l = 0;

	ebur128_add_frames_float(m, buf, frames);
	ebur128_loudness_global(m, &l);
	ebur128_destroy(&m);
	*peak = fx_peak(buf, frames, ch, 0);
	for (int c = 1; c < ch; c++)
		if (fx_peak(buf, frames, ch, c) > *peak)
			*peak = fx_peak(buf, frames, ch, c);
	return l;
}

static void t_normalize(void **state)
{
	struct fx *x = *state;
	struct fx_seg segs[] = {
		{ .kind = FX_PINK, .dur = 2.0, .amp = 0.05, .seed = 5 },
		{ .kind = FX_SINE, .dur = 1.0, .freq = 500, .amp = 0.9 },
		{ .kind = FX_CLICKS, .dur = 2.0, .freq = 2, .amp = 0.9 },
	};
	struct fx_spec sp = { .rate = 44100, .channels = 2, .format = fx_format("wav16"),
	                      .segs = segs, .n_segs = 3 };
	const double b[3][2] = { { 0, 2 }, { 2, 3 }, { 3, 5 } };
	struct export_set *s;
	SF_INFO oi;
	float *out;
	double peak, l;

	add_file(x, "n.wav", &sp, 3, b, NULL);
	/* peak -1 dBFS */
	struct export_opts o1 = { .norm = EXPORT_NORM_PEAK, .norm_target = -1.0 };
	assert_int_equal(do_export(x, "", 1, &o1, &s), 0);
	for (size_t i = 0; i < 3; i++) {
		out = read_floats(export_set_item(s, i)->out, &oi);
		measure_lufs(out, (size_t)oi.frames, 2, 44100, &peak);
		print_message("# peak target -1: %.4f dBFS\n", 20 * log10(peak));
		assert_true(fabs(20 * log10(peak) + 1.0) < 0.1);
		free(out);
	}
	export_set_free(s);
	/* loudness -16 LUFS (the quiet noise and the tone reach it; the clicks
	 * would clip, so they stop at the -0.1 dBFS ceiling) */
	struct export_opts o2 = { .norm = EXPORT_NORM_LUFS, .norm_target = -16, .force = 1,
	                          .format = AUDIO_W_FLAC, .bits = 24 };
	assert_int_equal(do_export(x, "", 1, &o2, &s), 0);
	for (size_t i = 0; i < 3; i++) {
		const struct export_item *it = export_set_item(s, i);
		out = read_floats(it->out, &oi);
		l = measure_lufs(out, (size_t)oi.frames, 2, 44100, &peak);
		print_message("# loudness target -16: %.3f LUFS, peak %.3f dBFS, limited %d\n", l,
		              20 * log10(peak), it->gain_limited);
		assert_true(20 * log10(peak) <= EXPORT_LUFS_CEILING_DB + 0.01);
		assert_int_equal(it->clipped, 0);
		if (i < 2) {
			assert_false(it->gain_limited);
			assert_true(fabs(l + 16) < 0.5);
		} else {
			assert_true(it->gain_limited);
			assert_true(l < -16);
		}
		free(out);
	}
	export_set_free(s);
}

/* ---- failures ----------------------------------------------------------------- */

/* A file-size limit (RLIMIT_FSIZE, as a full disk would) stops the export
 * with a clear error and leaves no partial file. */
static void t_full(void **state)
{
	struct fx *x = *state;
	struct fx_seg seg = { .kind = FX_WHITE, .dur = 3.0, .amp = 0.5, .seed = 9 };
	struct fx_spec sp = { .rate = 44100, .channels = 2, .format = fx_format("wav16"),
	                      .segs = &seg, .n_segs = 1 };
	const double b[2][2] = { { 0, 0.2 }, { 0.5, 3 } };
	struct export_opts o = { 0 };
	struct export_set *s;
	struct rlimit old, lim;
	void (*oldsig)(int);

	add_file(x, "big.wav", &sp, 2, b, NULL);
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = 100 * 1024;
	oldsig = signal(SIGXFSZ, SIG_IGN);
	setrlimit(RLIMIT_FSIZE, &lim);
	int rc = do_export(x, "", 1, &o, &s);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, oldsig);
	assert_int_equal(rc, -GR_EIO);
	assert_int_equal(export_set_item(s, 0)->status, 0);        /* 35 KB: written */
	assert_true(export_set_item(s, 1)->status < 0);
	assert_non_null(strstr(export_set_item(s, 1)->error, "File too large"));
	assert_non_null(strstr(export_set_item(s, 1)->error, "big_02.wav"));
	assert_int_equal(count_files(x->out), 1);                   /* no temp, no partial */
	export_set_free(s);
}

static int cancel_at_second(void *ud, const struct export_progress *p)
{
	(void)ud;
	return p->item == 1 && p->item_frac > 0;
}

static void t_cancel(void **state)
{
	struct fx *x = *state;
	struct fx_seg seg = { .kind = FX_WHITE, .dur = 4.0, .amp = 0.5, .seed = 9 };
	struct fx_spec sp = { .rate = 44100, .channels = 1, .format = fx_format("wav16"),
	                      .segs = &seg, .n_segs = 1 };
	const double b[2][2] = { { 0, 1 }, { 1, 4 } };
	struct export_opts o = { .progress = cancel_at_second };
	struct export_set *s;

	add_file(x, "c.wav", &sp, 2, b, NULL);
	assert_int_equal(do_export(x, "", 1, &o, &s), -GR_ECANCEL);
	assert_int_equal(count_files(x->out), 1);
	export_set_free(s);
}

/* ---- metadata and SFZ ------------------------------------------------------------ */

static void t_cues_metadata(void **state)
{
	struct fx *x = *state;
	struct fx_seg seg = { .kind = FX_PINK, .dur = 3.0, .amp = 0.5, .seed = 2 };
	struct fx_spec sp = { .rate = 22050, .channels = 1, .format = fx_format("wav16"),
	                      .segs = &seg, .n_segs = 1 };
	const double b[2][2] = { { 0.5, 1.0 }, { 1.5, 2.5 } };
	const int keys[2] = { 21, 21 };
	struct export_opts o = { .format = AUDIO_W_WAV };
	struct export_set *s;
	SF_CUES cues;
	SF_INFO info = { 0 };
	SNDFILE *sf;

	add_file(x, "whole.wav", &sp, 2, b, keys);
	assert_int_equal(do_export(x, "", 0, &o, &s), 0);
	sf = sf_open(export_set_item(s, 0)->out, SFM_READ, &info);
	assert_non_null(sf);
	assert_int_equal(info.frames, 3 * 22050);
	assert_int_equal(sf_command(sf, SFC_GET_CUE, &cues, sizeof(cues)), SF_TRUE);
	assert_int_equal(cues.cue_count, 4);
	assert_int_equal(cues.cue_points[0].sample_offset, 11025);
	assert_int_equal(cues.cue_points[1].sample_offset, 22050);
	assert_int_equal(cues.cue_points[2].sample_offset, 33075);
	assert_int_equal(cues.cue_points[3].sample_offset, 55125);
	assert_string_equal(sf_get_string(sf, SF_STR_TITLE), "whole");
	assert_non_null(strstr(sf_get_string(sf, SF_STR_COMMENT), "class percussion"));
	sf_close(sf);
	export_set_free(s);
	/* FLAC carries title and comment too */
	struct export_opts of = { .format = AUDIO_W_FLAC, .name_tmpl = "{key}-{name}" };
	assert_int_equal(do_export(x, "", 1, &of, &s), 0);
	memset(&info, 0, sizeof(info));
	sf = sf_open(export_set_item(s, 0)->out, SFM_READ, &info);
	assert_non_null(sf);
	assert_string_equal(sf_get_string(sf, SF_STR_TITLE), "Am-whole");
	assert_non_null(strstr(sf_get_string(sf, SF_STR_COMMENT), "key Am"));
	sf_close(sf);
	export_set_free(s);
}

/* Parse an SFZ: every <region> has lokey, hikey, pitch_keycenter and a
 * sample that exists next to it; returns the regions' keycenters. */
static int parse_sfz(const char *path, const char *dir, int *centers, int max)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	int n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		int lo, hi, c, used = 0;
		char sample[512];
		if (strncmp(line, "<region>", 8) != 0)
			continue;
		assert_int_equal(sscanf(line, "<region> lokey=%d hikey=%d pitch_keycenter=%d "
		                        "sample=%511[^\n]%n", &lo, &hi, &c, sample, &used), 4);
		assert_true(lo >= 0 && lo <= hi && hi <= 127 && c >= lo && c <= hi);
		assert_null(strchr(sample, '/'));
		char *p = fx_path(dir, sample);
		struct stat sb;
		assert_int_equal(stat(p, &sb), 0);
		free(p);
		assert_true(n < max);
		centers[n++] = c;
	}
	fclose(f);
	return n;
}

static void t_sfz(void **state)
{
	struct fx *x = *state;
	struct fx_seg seg = { .kind = FX_PINK, .dur = 2.0, .amp = 0.5, .seed = 4 };
	struct fx_spec sp = { .rate = 44100, .channels = 1, .format = fx_format("wav16"),
	                      .segs = &seg, .n_segs = 1 };
	const double b[3][2] = { { 0, 0.5 }, { 0.6, 1.0 }, { 1.2, 1.9 } };
	const int keys[3] = { 9, 0, 16 };   /* A, C, E minor */
	struct export_opts o = { .sfz = "../kit" };
	struct export_set *s;
	int c[8];
	char *p;

	add_file(x, "one.wav", &sp, 3, b, NULL);
	assert_int_equal(do_export(x, "", 1, &o, &s), 0);
	p = fx_path(x->out, "_kit.sfz");         /* "../" sanitised away */
	assert_string_equal(export_set_sfz(s), p);
	assert_int_equal(parse_sfz(p, x->out, c, 8), 3);
	assert_int_equal(c[0], 36);              /* one-shots from C2 */
	assert_int_equal(c[2], 38);
	free(p);
	export_set_free(s);
	/* pitched regions: by key, whole keyboard covered */
	add_file(x, "tones.wav", &sp, 3, b, keys);
	struct export_opts o2 = { .sfz = "keys", .force = 1 };
	assert_int_equal(do_export(x, "name:tones", 1, &o2, &s), 0);
	p = fx_path(x->out, "keys.sfz");
	assert_int_equal(parse_sfz(p, x->out, c, 8), 3);
	assert_int_equal(c[0], 60);              /* C4 */
	assert_int_equal(c[1], 64);              /* E4 */
	assert_int_equal(c[2], 69);              /* A4 */
	free(p);
	export_set_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_template),
		cmocka_unit_test(t_hostile_names),
		cmocka_unit_test_setup_teardown(t_unique_and_force, setup, teardown),
		cmocka_unit_test_setup_teardown(t_exact_wav16, setup, teardown),
		cmocka_unit_test_setup_teardown(t_exact_flac24, setup, teardown),
		cmocka_unit_test_setup_teardown(t_fade, setup, teardown),
		cmocka_unit_test_setup_teardown(t_rate, setup, teardown),
		cmocka_unit_test_setup_teardown(t_dither, setup, teardown),
		cmocka_unit_test_setup_teardown(t_normalize, setup, teardown),
		cmocka_unit_test_setup_teardown(t_full, setup, teardown),
		cmocka_unit_test_setup_teardown(t_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(t_cues_metadata, setup, teardown),
		cmocka_unit_test_setup_teardown(t_sfz, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
