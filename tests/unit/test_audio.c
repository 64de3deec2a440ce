/*
 * test_audio.c - the streaming audio core: decoding every supported format
 * at many rates and channel counts, resampling, channel mapping, hostile
 * and broken input, hashing, seeking, and constant memory.
 *
 * Every fixture is generated here (tests/support/fixtures.h) in a private
 * temp dir; M4A fixtures need the ffmpeg command (scripts/deps.sh).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <samplerate.h>
#include <sndfile.h>
#include <xxhash.h>

#include "fixtures.h"
#include "grym/audio.h"
#include "grym/util.h"

#if defined(__SANITIZE_ADDRESS__)
/* From sanitizer/allocator_interface.h (which gcc does not install). */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

static char *tdir;

static int setup(void **state)
{
	tdir = fx_tmpdir_new("audio");
	chmod(tdir, 0755); /* the unreadable-file test runs as nobody */
	return 0;
}

static int teardown(void **state)
{
	fx_tmpdir_free(tdir);
	return 0;
}

/* Bytes the heap holds now: ASan's exact count of live bytes under ASan,
 * else glibc's in-use figure, which also moves with fragmentation (FFmpeg's
 * 64-byte-aligned allocations make it creep by a few KiB per second of
 * AAC at first, then settle: heaptrack shows no live growth). */
#if defined(__SANITIZE_ADDRESS__)
#define HEAP_SLACK 16384
#else
#define HEAP_SLACK 262144
#endif
static size_t heap_bytes(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return __sanitizer_get_current_allocated_bytes();
#else
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
#endif
}

/* Decode a whole file into a new buffer; returns frames, sets *out. */
static int64_t decode_all(struct audio_file *f, float **out)
{
	const struct audio_info *in = audio_get_info(f);
	struct gr_err err = { 0 };
	size_t cap = 1 << 14, n = 0;
	float *buf = xmalloc(cap * in->channels * sizeof(float));
	long r;

	for (;;) {
		if (n + 1000 > cap) {
			cap *= 2;
			buf = xrealloc(buf, cap * in->channels * sizeof(float));
		}
		r = audio_read(f, buf + n * in->channels, 1000, &err);
		assert_true(r >= 0);
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*out = buf;
	return (int64_t)n;
}

/* Expect audio_open(path) to fail with a message containing want. */
static void expect_open_fail(const char *path, const char *want)
{
	struct gr_err err = { 0 };
	struct audio_file *f = audio_open(path, &err);

	if (f != NULL || strstr(err.msg, want) == NULL || strstr(err.msg, path) == NULL)
		print_error("%s: got \"%s\", want \"%s\"\n", path, err.msg, want);
	assert_null(f);
	assert_non_null(strstr(err.msg, want));
	assert_non_null(strstr(err.msg, path)); /* the message names the file */
	assert_null(strchr(err.msg, '\n'));     /* one line */
}

/* ---- round trips ---- */

struct rt_case {
	const char *fmt;   /* fx_format() name, or "m4a-aac" / "m4a-alac" */
	int rate, channels;
	const char *format, *codec; /* expected audio_info strings */
	int bits;          /* expected bits (0 lossy) */
	int lossy;
};

static const struct rt_case rt_cases[] = {
	{ "wav16", 8000, 1, "wav", "pcm16", 16, 0 },
	{ "wav16", 44100, 2, "wav", "pcm16", 16, 0 },
	{ "wav24", 96000, 6, "wav", "pcm24", 24, 0 },
	{ "wav32", 22050, 3, "wav", "pcm32", 32, 0 },
	{ "wavf", 48000, 2, "wav", "float", 32, 0 },
	{ "wavex24", 192000, 8, "wav", "pcm24", 24, 0 },
	{ "wavexf", 44100, 4, "wav", "float", 32, 0 },
	{ "wav16", 384000, 1, "wav", "pcm16", 16, 0 },
	{ "wav16", 48000, 64, "wav", "pcm16", 16, 0 },
	{ "caf16", 32000, 2, "caf", "pcm16", 16, 0 },
	{ "aiff16", 44100, 2, "aiff", "pcm16", 16, 0 },
	{ "aiff24", 11025, 1, "aiff", "pcm24", 24, 0 },
	{ "flac16", 44100, 2, "flac", "flac", 16, 0 },
	{ "flac24", 96000, 4, "flac", "flac", 24, 0 },
	{ "flac16", 192000, 1, "flac", "flac", 16, 0 },
	{ "flac16", 8000, 8, "flac", "flac", 16, 0 },
	{ "ogg", 44100, 2, "ogg", "vorbis", 0, 1 },
	{ "ogg", 16000, 1, "ogg", "vorbis", 0, 1 },
	{ "opus", 48000, 2, "opus", "opus", 0, 1 },
	{ "opus", 16000, 1, "opus", "opus", 0, 1 },
	{ "mp3", 44100, 2, "mp3", "mp3", 0, 1 },
	{ "mp3", 22050, 1, "mp3", "mp3", 0, 1 },
	{ "mp3", 8000, 1, "mp3", "mp3", 0, 1 },
	{ "m4a-aac", 44100, 2, "m4a", "aac", 0, 1 },
	{ "m4a-aac", 48000, 1, "m4a", "aac", 0, 1 },
	{ "m4a-aac", 96000, 2, "m4a", "aac", 0, 1 },
	{ "m4a-alac", 44100, 2, "m4a", "alac", 16, 0 },
	{ "m4a-alac", 192000, 1, "m4a", "alac", 16, 0 },
};

static void check_roundtrip(const struct rt_case *c)
{
	struct fx_seg seg = { .kind = FX_SINE, .dur = 0.6, .freq = 1000, .amp = 0.5 };
	double gain[AUDIO_CHANNELS_MAX];
	struct fx_spec s = { .rate = c->rate, .channels = c->channels, .chan_gain = gain,
	                     .segs = &seg, .n_segs = 1 };
	struct gr_err err = { 0 };
	const struct audio_info *in;
	struct audio_file *f;
	char name[64], *path;
	int64_t want, got, i0, n;
	float *buf;
	int ch, rc;

	for (ch = 0; ch < AUDIO_CHANNELS_MAX; ch++)
		gain[ch] = 1.0 - (c->channels > 8 ? 0.012 : 0.1) * ch; /* tells channels apart */
	snprintf(name, sizeof(name), "rt-%s-%d-%d", c->fmt, c->rate, c->channels);
	path = fx_path(tdir, name);
	if (strncmp(c->fmt, "m4a-", 4) == 0) {
		if (!fx_have_ffmpeg())
			fail_msg("ffmpeg command missing (scripts/deps.sh installs it)");
		rc = fx_write_m4a(path, &s, c->fmt + 4, NULL, &err);
	} else {
		s.format = fx_format(c->fmt);
		rc = fx_write(path, &s, NULL, &err);
	}
	if (rc != 0)
		fail_msg("%s: fixture: %s", name, err.msg);
	want = fx_frames(&s, NULL);

	f = audio_open(path, &err);
	if (f == NULL)
		fail_msg("%s: %s", name, err.msg);
	in = audio_get_info(f);
	assert_string_equal(in->format, c->format);
	assert_string_equal(in->codec, c->codec);
	assert_int_equal(in->rate, c->rate);
	assert_int_equal(in->channels, c->channels);
	assert_int_equal(in->bits, c->bits);
	assert_int_equal(in->lossless, !c->lossy);
	got = decode_all(f, &buf);
	assert_int_equal(audio_end_status(f, &err), 0);
	assert_int_equal(audio_frames_done(f), got);
	/* Lossless: exact length.  Lossy: within the codec's padding (one
	 * MP3 granule / AAC frame / Opus pre-skip, and no more). */
	if (!c->lossy || strcmp(c->format, "m4a") == 0) /* M4A: edit list trims */
		assert_int_equal(got, want);
	else if (llabs(got - want) > 2 * 1152)
		fail_msg("%s: decoded %lld frames, wrote %lld", name, (long long)got,
		         (long long)want);
	/* Content, away from the edges where codecs ring. */
	i0 = want / 6;
	n = want * 2 / 3;
	for (ch = 0; ch < c->channels; ch++) {
		double rms = fx_rms(buf + i0 * c->channels, (size_t)n, c->channels, ch);
		double exp_rms = 0.5 * gain[ch] / sqrt(2.0);
		/* The peak search is for the first channels; the others must
		 * have the tone's energy at 1 kHz. */
		double fpk = ch < 2 ? fx_peak_freq(buf + i0 * c->channels, (size_t)n, c->channels,
		                                   ch, c->rate, 950, 1050, 1) :
		             fx_goertzel(buf + i0 * c->channels, (size_t)n, c->channels, ch,
		                         c->rate, 1000) > 0.45 * gain[ch] ? 1000 : 0;
		double tol = c->lossy ? 0.06 : 0.002;
		if (fabs(rms / exp_rms - 1) > tol || fabs(fpk - 1000) > 2)
			fail_msg("%s ch %d: rms %.4f (want %.4f), peak %.0f Hz", name, ch, rms,
			         exp_rms, fpk);
	}
	free(buf);
	audio_close(f);
	free(path);
}

static void test_roundtrip_pcm(void **state)
{
	size_t i;

	for (i = 0; i < GR_ARRAY_LEN(rt_cases); i++)
		if (rt_cases[i].fmt[0] == 'w' || rt_cases[i].fmt[0] == 'a' ||
		    rt_cases[i].fmt[0] == 'c')
			check_roundtrip(&rt_cases[i]);
}

static void test_roundtrip_flac(void **state)
{
	size_t i;

	for (i = 0; i < GR_ARRAY_LEN(rt_cases); i++)
		if (strncmp(rt_cases[i].fmt, "flac", 4) == 0)
			check_roundtrip(&rt_cases[i]);
}

static void test_roundtrip_lossy(void **state)
{
	size_t i;

	for (i = 0; i < GR_ARRAY_LEN(rt_cases); i++)
		if (!strcmp(rt_cases[i].fmt, "ogg") || !strcmp(rt_cases[i].fmt, "opus") ||
		    !strcmp(rt_cases[i].fmt, "mp3"))
			check_roundtrip(&rt_cases[i]);
}

static void test_roundtrip_m4a(void **state)
{
	size_t i;

	for (i = 0; i < GR_ARRAY_LEN(rt_cases); i++)
		if (strncmp(rt_cases[i].fmt, "m4a", 3) == 0)
			check_roundtrip(&rt_cases[i]);
}

/* PCM float is bit exact, and the decoded samples are the written ones. */
static void test_float_exact(void **state)
{
	struct fx_seg segs[] = {
		{ .kind = FX_PINK, .dur = 0.3, .amp = 0.7, .seed = 3 },
		{ .kind = FX_CHORD, .dur = 0.3, .amp = 0.9, .partials = { 220, 277, 330 },
		  .n_partials = 3 },
	};
	struct fx_spec s = { .rate = 44100, .channels = 2, .format = fx_format("wavf"),
	                     .segs = segs, .n_segs = 2 };
	struct gr_err err = { 0 };
	char *path = fx_path(tdir, "exact.wav");
	struct audio_file *f;
	float *ref, *buf;
	int64_t n, got;

	assert_int_equal(fx_write(path, &s, NULL, &err), 0);
	ref = fx_render(&s, &n, NULL);
	f = audio_open(path, &err);
	assert_non_null(f);
	got = decode_all(f, &buf);
	assert_int_equal(got, n);
	assert_memory_equal(buf, ref, (size_t)n * 2 * sizeof(float));
	free(buf);
	free(ref);
	audio_close(f);
	free(path);
}

/* ---- resampling and channel mapping ---- */

/* Stream a file at out_rate/out_ch into a new buffer; returns frames. */
static int64_t stream_all(const char *path, int out_rate, int out_ch, float **out)
{
	struct gr_err err = { 0 };
	struct audio_file *f = audio_open(path, &err);
	struct audio_stream *st;
	size_t cap = 1 << 14, n = 0;
	float *buf;
	long r;
	int oc;

	assert_non_null(f);
	st = audio_stream_new(f, out_rate, out_ch, SRC_SINC_FASTEST, &err);
	assert_non_null(st);
	oc = audio_stream_channels(st);
	buf = xmalloc(cap * oc * sizeof(float));
	for (;;) {
		if (n + 777 > cap) {
			cap *= 2;
			buf = xrealloc(buf, cap * oc * sizeof(float));
		}
		r = audio_stream_read(st, buf + n * oc, 777, &err); /* odd block size */
		assert_true(r >= 0);
		if (r == 0)
			break;
		n += (size_t)r;
	}
	assert_int_equal(audio_end_status(f, &err), 0);
	audio_stream_free(st);
	audio_close(f);
	*out = buf;
	return (int64_t)n;
}

static void test_resample_tone(void **state)
{
	static const int rates[] = { 44100, 48000, 96000 };
	struct fx_seg seg = { .kind = FX_SINE, .dur = 1.0, .freq = 1000, .amp = 0.5 };
	struct gr_err err = { 0 };
	size_t i;

	for (i = 0; i < GR_ARRAY_LEN(rates); i++) {
		struct fx_spec s = { .rate = rates[i], .channels = 2, .format = fx_format("wav16"),
		                     .segs = &seg, .n_segs = 1 };
		char name[32], *path;
		int64_t n, want = llround(rates[i] * 1.0 * 22050 / rates[i]);
		double bin = 22050.0 / 2048, pk, rms;
		float *buf;

		snprintf(name, sizeof(name), "tone-%d.wav", rates[i]);
		path = fx_path(tdir, name);
		assert_int_equal(fx_write(path, &s, NULL, &err), 0);
		n = stream_all(path, 22050, 1, &buf);
		assert_true(llabs(n - want) <= 1);
		/* Spectral peak within one 2048-point FFT bin of 1 kHz, found by a
		 * Goertzel scan at 1 Hz steps over 500..2000 Hz. */
		pk = fx_peak_freq(buf + 2048, 8192, 1, 0, 22050, 500, 2000, 1);
		rms = fx_rms(buf + 2048, 8192, 1, 0);
		if (fabs(pk - 1000) > bin || fabs(rms - 0.5 / sqrt(2)) > 0.01)
			fail_msg("%d -> 22050: peak %.1f Hz, rms %.4f", rates[i], pk, rms);
		free(buf);
		free(path);
	}
}

/* Anti-aliasing: tones at 15 kHz and 11.6 kHz (just past the 11.025 kHz
 * Nyquist frequency of 22.05 kHz) must vanish (85 dB down), and a 1 kHz
 * tone must pass at full level, for the polyphase
 * path (SRC_SINC_FASTEST) and libsamplerate (SRC_SINC_MEDIUM_QUALITY), from
 * 44.1, 48, 96 and 192 kHz; and upsampling 8 kHz -> 22.05 kHz makes no
 * images above 4 kHz. */
static void test_resample_alias(void **state)
{
	static const int rates[] = { 44100, 48000, 96000, 192000 };
	static const int quals[] = { SRC_SINC_FASTEST, SRC_SINC_MEDIUM_QUALITY };
	struct gr_err err = { 0 };
	size_t i, q;

	for (q = 0; q < 2; q++)
		for (i = 0; i < GR_ARRAY_LEN(rates); i++) {
			int in_rate = rates[i];
			size_t n = (size_t)in_rate / 2, k, cap;
			float *in = xmalloc(sizeof(float) * n), *out;
			struct audio_resampler *r = audio_resampler_new(1, in_rate, 22050, 1, quals[q],
			                                                &err);
			long g, g2;
			double hi, lo1, edge;

			assert_non_null(r);
			for (k = 0; k < n; k++)
				in[k] = (float)(0.5 * sin(2 * M_PI * 15000.0 * k / in_rate) +
				                0.25 * sin(2 * M_PI * 1000.0 * k / in_rate) +
				                0.2 * sin(2 * M_PI * 11600.0 * k / in_rate));
			cap = audio_resampler_max_out(r, n);
			out = xmalloc(sizeof(float) * (cap + audio_resampler_max_out(r, 0)));
			/* (pushed in one go: n may exceed any internal chunk) */
			g = audio_resampler_push(r, in, n, out, cap, 0, &err);
			assert_true(g > 0);
			g2 = audio_resampler_push(r, NULL, 0, out + g, audio_resampler_max_out(r, 0), 1,
			                          &err);
			assert_true(g2 >= 0);
			/* 15 kHz folds to 22050 - 15000 = 7050 Hz if it aliases. */
			hi = fx_goertzel(out + 1000, 8000, 1, 0, 22050, 7050);
			lo1 = fx_goertzel(out + 1000, 8000, 1, 0, 22050, 1000);
			/* 11.6 kHz, just past Nyquist, folds to 10450 Hz. */
			edge = fx_goertzel(out + 1000, 8000, 1, 0, 22050, 10450);
			/* Both aliases at least 85 dB down; the pass band untouched. */
			if (hi > 0.5 * 5.6e-5 || edge > 0.2 * 5.6e-5 || fabs(lo1 - 0.25) > 0.25 * 0.01)
				fail_msg("%d Hz, quality %d: aliases at %.1f dB and %.1f dB, 1 kHz at %.4f",
				         in_rate, quals[q], 20 * log10(hi / 0.5 + 1e-12),
				         20 * log10(edge / 0.2 + 1e-12), lo1);
			free(in);
			free(out);
			audio_resampler_free(r);
		}
	{
		/* 8 kHz -> 22.05 kHz: a 3 kHz tone must not image at 5 kHz. */
		size_t n = 8000, k;
		float *in = xmalloc(sizeof(float) * n), *out;
		struct audio_resampler *r = audio_resampler_new(1, 8000, 22050, 1, SRC_SINC_FASTEST,
		                                                &err);
		long g;
		assert_non_null(r);
		for (k = 0; k < n; k++)
			in[k] = (float)(0.5 * sin(2 * M_PI * 3000.0 * k / 8000));
		out = xmalloc(sizeof(float) * audio_resampler_max_out(r, n));
		g = audio_resampler_push(r, in, n, out, audio_resampler_max_out(r, n), 1, &err);
		assert_true(g > 10000);
		assert_true(fx_goertzel(out + 1000, 8000, 1, 0, 22050, 5000) < 0.5 * 5.6e-5);
		assert_true(fabs(fx_goertzel(out + 1000, 8000, 1, 0, 22050, 3000) - 0.5) < 0.005);
		free(in);
		free(out);
		audio_resampler_free(r);
	}
}

/* No delay: an impulse at 0.5 s comes out at 0.5 s (within a frame) for
 * either converter and any ratio, so region times stay true. */
static void test_resample_alignment(void **state)
{
	static const int rates[] = { 8000, 44100, 48000, 96000, 192000 };
	static const int quals[] = { SRC_SINC_FASTEST, SRC_SINC_MEDIUM_QUALITY };
	struct gr_err err = { 0 };
	size_t i, q, k, best;

	for (q = 0; q < 2; q++)
		for (i = 0; i < GR_ARRAY_LEN(rates); i++) {
			size_t n = (size_t)rates[i];
			float *in = xcalloc(n, sizeof(float)), *out;
			struct audio_resampler *r = audio_resampler_new(1, rates[i], 22050, 1, quals[q],
			                                                &err);
			size_t cap = audio_resampler_max_out(r, n);
			long g;
			assert_non_null(r);
			in[n / 2] = 1;
			out = xmalloc(sizeof(float) * cap);
			g = audio_resampler_push(r, in, n, out, cap, 1, &err);
			assert_true(g > 0);
			best = 0;
			for (k = 1; k < (size_t)g; k++)
				if (out[k] > out[best])
					best = k;
			if (labs((long)best - 11025) > 1)
				fail_msg("%d Hz q%d: impulse at output frame %zu, want 11025", rates[i],
				         quals[q], best);
			free(in);
			free(out);
			audio_resampler_free(r);
		}
}

static void test_mixdown(void **state)
{
	struct fx_seg seg = { .kind = FX_SINE, .dur = 0.5, .freq = 440, .amp = 0.8 };
	const double left_only[2] = { 1, 0 }, anti[2] = { 1, -1 };
	const double centre[6] = { 0, 0, 1, 0, 0, 0 }, lfe[6] = { 0, 0, 0, 1, 0, 0 };
	struct fx_spec s = { .rate = 22050, .channels = 2, .format = fx_format("wavf"),
	                     .segs = &seg, .n_segs = 1 };
	struct gr_err err = { 0 };
	char *path = fx_path(tdir, "mix.wav");
	float *buf, *ref;
	int64_t n, rn, i;

	/* Mono = mean of L and R: left only gives half the left signal. */
	s.chan_gain = left_only;
	assert_int_equal(fx_write(path, &s, NULL, &err), 0);
	ref = fx_render(&s, &rn, NULL);
	n = stream_all(path, 22050, 1, &buf);
	assert_int_equal(n, rn);
	for (i = 0; i < n; i++)
		assert_float_equal(buf[i], ref[2 * i] * 0.5f, 1e-7);
	free(buf);
	/* Stereo out of stereo at the same rate: bit for bit. */
	n = stream_all(path, 22050, 2, &buf);
	assert_memory_equal(buf, ref, (size_t)n * 2 * sizeof(float));
	free(buf);
	free(ref);
	/* Anti-phase cancels. */
	s.chan_gain = anti;
	assert_int_equal(fx_write(path, &s, NULL, &err), 0);
	n = stream_all(path, 22050, 1, &buf);
	assert_true(fx_peak(buf, (size_t)n, 1, 0) < 1e-6);
	free(buf);
	/* Mono to stereo: both sides carry the mono signal. */
	s.chan_gain = NULL;
	s.channels = 1;
	assert_int_equal(fx_write(path, &s, NULL, &err), 0);
	ref = fx_render(&s, &rn, NULL);
	n = stream_all(path, 22050, 2, &buf);
	for (i = 0; i < n; i++) {
		assert_true(buf[2 * i] == ref[i]);
		assert_true(buf[2 * i + 1] == ref[i]);
	}
	free(buf);
	free(ref);
	/* 5.1 to stereo: centre goes equally to both sides, LFE is dropped. */
	s.channels = 6;
	s.chan_gain = centre;
	assert_int_equal(fx_write(path, &s, NULL, &err), 0);
	n = stream_all(path, 22050, 2, &buf);
	assert_true(fx_rms(buf, (size_t)n, 2, 0) > 0.1);
	for (i = 0; i < n; i++)
		assert_true(buf[2 * i] == buf[2 * i + 1]);
	free(buf);
	s.chan_gain = lfe;
	assert_int_equal(fx_write(path, &s, NULL, &err), 0);
	n = stream_all(path, 22050, 2, &buf);
	assert_true(fx_peak(buf, (size_t)n, 2, 0) == 0 && fx_peak(buf, (size_t)n, 2, 1) == 0);
	free(buf);
	free(path);
}

/* Resampler pushed with ragged blocks: never overflows max_out, total
 * output is round(in * ratio) within a frame; equal rates copy exactly. */
static void test_resampler_push(void **state)
{
	static const int outs[] = { 22050, 16000, 96000, 44100, 22050, 8000, 48000 };
	static const int quals[] = { SRC_SINC_MEDIUM_QUALITY, SRC_SINC_MEDIUM_QUALITY,
	                             SRC_SINC_MEDIUM_QUALITY, SRC_SINC_MEDIUM_QUALITY,
	                             SRC_SINC_FASTEST, SRC_SINC_FASTEST, SRC_SINC_FASTEST };
	struct gr_err err = { 0 };
	size_t i, k, in_total = 44100 * 2, out_total;
	float *in = xmalloc(sizeof(float) * in_total * 2), *out;

	for (k = 0; k < in_total * 2; k++)
		in[k] = (float)sin(k * 0.01);
	for (i = 0; i < GR_ARRAY_LEN(outs); i++) {
		struct audio_resampler *r = audio_resampler_new(2, 44100, outs[i], 0, quals[i],
		                                                &err);
		size_t pos = 0, step = 1, cap;
		assert_non_null(r);
		assert_int_equal(audio_resampler_out_channels(r), 2);
		cap = audio_resampler_max_out(r, 5000);
		out = xmalloc(sizeof(float) * cap * 2);
		out_total = 0;
		while (pos < in_total) {
			size_t nin = step < in_total - pos ? step : in_total - pos;
			int last = pos + nin == in_total;
			long g = audio_resampler_push(r, in + pos * 2, nin, out, cap, last, &err);
			assert_true(g >= 0);
			assert_true((size_t)g <= audio_resampler_max_out(r, nin));
			if (outs[i] == 44100)
				assert_memory_equal(out, in + pos * 2, nin * 2 * sizeof(float));
			out_total += (size_t)g;
			pos += nin;
			step = step * 3 % 4999 + 1; /* 1, 4, 13, 40, ... ragged */
		}
		assert_true(fabs((double)out_total - in_total * (double)outs[i] / 44100) <= 1);
		free(out);
		audio_resampler_free(r);
	}
	assert_null(audio_resampler_new(2, 44100, 22050, 3, 0, &err));
	assert_int_equal(err.code, GR_EUSAGE);
	free(in);
}

/* ---- hostile and broken input ---- */

static void le16(unsigned char *p, unsigned v) { p[0] = v & 255; p[1] = (v >> 8) & 255; }
static void le32(unsigned char *p, uint32_t v) { le16(p, v & 0xffff); le16(p + 2, v >> 16); }
static void be16(unsigned char *p, unsigned v) { p[0] = (v >> 8) & 255; p[1] = v & 255; }
static void be32(unsigned char *p, uint32_t v) { be16(p, v >> 16); be16(p + 2, v & 0xffff); }
static void le64(unsigned char *p, uint64_t v) { le32(p, (uint32_t)v); le32(p + 4, v >> 32); }

/* A 16-bit PCM WAV of data_frames frames of a square wave in buf. */
static size_t make_wav(unsigned char *buf, uint32_t rate, unsigned channels,
                       uint32_t data_frames)
{
	uint32_t data = data_frames * channels * 2, i;

	memcpy(buf, "RIFF", 4);
	le32(buf + 4, 36 + data);
	memcpy(buf + 8, "WAVEfmt ", 8);
	le32(buf + 16, 16);
	le16(buf + 20, 1);
	le16(buf + 22, channels);
	le32(buf + 24, rate);
	le32(buf + 28, rate * channels * 2);
	le16(buf + 32, channels * 2);
	le16(buf + 34, 16);
	memcpy(buf + 36, "data", 4);
	le32(buf + 40, data);
	for (i = 0; i < data / 2; i++)
		le16(buf + 44 + 2 * i, (i / 20) % 2 ? 0x2000 : 0xe000);
	return 44 + data;
}

static void test_bad_rates(void **state)
{
	unsigned char buf[44 + 8000 * 2 * 2], *p;
	char *path = fx_path(tdir, "x.wav");
	char *aiff = fx_path(tdir, "nan.aiff");
	struct gr_err err = { 0 };
	size_t n;

	n = make_wav(buf, 1, 1, 4000);
	assert_int_equal(fx_write_bytes(path, buf, n, &err), 0);
	expect_open_fail(path, "sample rate 1 Hz is out of range");
	n = make_wav(buf, 768000, 1, 4000);
	assert_int_equal(fx_write_bytes(path, buf, n, &err), 0);
	expect_open_fail(path, "sample rate 768000 Hz is out of range");
	n = make_wav(buf, 44100, 65, 100);
	assert_int_equal(fx_write_bytes(path, buf, n, &err), 0);
	expect_open_fail(path, "65 channels is out of range");
	n = make_wav(buf, 44100, 0, 100);
	assert_int_equal(fx_write_bytes(path, buf, n, &err), 0);
	expect_open_fail(path, "not an audio file libsndfile or FFmpeg can read (libsndfile:");

	/* AIFF: the rate is an 80-bit float; make it a NaN. */
	p = buf;
	memcpy(p, "FORM", 4);
	be32(p + 4, 4 + 26 + 16 + 2000);
	memcpy(p + 8, "AIFFCOMM", 8);
	be32(p + 16, 18);
	be16(p + 20, 1);        /* channels */
	be32(p + 22, 1000);     /* frames */
	be16(p + 26, 16);       /* bits */
	p[28] = 0x7f;           /* exponent all ones, mantissa non-zero: NaN */
	p[29] = 0xff;
	memset(p + 30, 0xc0, 1);
	memset(p + 31, 0, 7);
	memcpy(p + 38, "SSND", 4);
	be32(p + 42, 8 + 2000);
	be32(p + 46, 0);
	be32(p + 50, 0);
	memset(p + 54, 0x10, 2000);
	assert_int_equal(fx_write_bytes(aiff, buf, 54 + 2000, &err), 0);
	expect_open_fail(aiff, "out of range");
	free(aiff);
	free(path);
}

static void test_nonfinite_samples(void **state)
{
	const float in[8] = { 0.25f, NAN, INFINITY, -INFINITY, 1e30f, -0.5f, -1e30f, 1.5f };
	char *path = fx_path(tdir, "nan.wav");
	struct gr_err err = { 0 };
	struct audio_file *f;
	float out[8];
	long n;

	assert_int_equal(fx_write_buf(path, fx_format("wavf"), 44100, 1, in, 8, &err), 0);
	f = audio_open(path, &err);
	assert_non_null(f);
	n = audio_read(f, out, 8, &err);
	assert_int_equal(n, 8);
	assert_true(out[0] == 0.25f && out[1] == 0 && out[2] == 0 && out[3] == 0);
	assert_true(out[4] == 8.0f && out[5] == -0.5f && out[6] == -8.0f && out[7] == 1.5f);
	assert_int_equal(audio_read(f, out, 8, &err), 0);
	audio_close(f);
	free(path);
}

static void test_not_audio(void **state)
{
	char *p = fx_path(tdir, "bad.wav"), *fl = fx_path(tdir, "flac-named.wav");
	char *dir = fx_path(tdir, "adir"), *fifo = fx_path(tdir, "fifo.wav");
	char *lnk = fx_path(tdir, "link.wav");
	struct fx_seg seg = { .kind = FX_SINE, .dur = 0.2, .freq = 440, .amp = 0.5 };
	struct fx_spec s = { .rate = 44100, .channels = 1, .format = fx_format("flac16"),
	                     .segs = &seg, .n_segs = 1 };
	const char *text = "This is not audio.\nJust a text file named .wav\n";
	unsigned char wav[44 + 400];
	struct gr_err err = { 0 };
	struct audio_file *f;

	assert_int_equal(fx_write_bytes(p, "", 0, &err), 0);
	expect_open_fail(p, "empty file");
	assert_int_equal(fx_write_bytes(p, "R", 1, &err), 0);
	expect_open_fail(p, "not an audio file libsndfile or FFmpeg can read");
	make_wav(wav, 44100, 1, 200);
	assert_int_equal(fx_write_bytes(p, wav, 30, &err), 0); /* truncated header */
	expect_open_fail(p, "not an audio file libsndfile or FFmpeg can read");
	assert_int_equal(fx_write_bytes(p, text, strlen(text), &err), 0);
	expect_open_fail(p, "not an audio file libsndfile or FFmpeg can read");
	{
		/* 256 KiB of noise is nobody's audio, whatever its name. */
		unsigned char *rnd = xmalloc(262144);
		char *r = fx_path(tdir, "random.mp3");
		uint64_t x = 7;
		size_t k;
		for (k = 0; k < 262144; k++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			rnd[k] = (unsigned char)(x >> 56);
		}
		assert_int_equal(fx_write_bytes(r, rnd, 262144, &err), 0);
		expect_open_fail(r, "not an audio file libsndfile or FFmpeg can read");
		free(rnd);
		free(r);
	}

	/* Content decides, not the name. */
	assert_int_equal(fx_write(fl, &s, NULL, &err), 0);
	f = audio_open(fl, &err);
	assert_non_null(f);
	assert_string_equal(audio_get_info(f)->format, "flac");
	audio_close(f);

	assert_int_equal(mkdir(dir, 0755), 0);
	expect_open_fail(dir, "not a regular file (a directory)");
	expect_open_fail("/dev/null", "not a regular file (a character device)");
	assert_int_equal(symlink(fl, lnk), 0);
	expect_open_fail(lnk, "symbolic link");
	expect_open_fail(p + 1, "no such file"); /* a relative path that does not exist */

	/* A FIFO with no writer: must not block (the alarm kills a hang). */
	assert_int_equal(mkfifo(fifo, 0644), 0);
	alarm(10);
	expect_open_fail(fifo, "not a regular file (a FIFO)");
	alarm(0);
	free(p);
	free(fl);
	free(dir);
	free(fifo);
	free(lnk);
}

/* chmod 000 stops everyone but root: check as nobody in a child. */
static void test_unreadable(void **state)
{
	char *p = fx_path(tdir, "secret.wav");
	unsigned char wav[44 + 400];
	struct gr_err err = { 0 };
	pid_t pid;
	int st;

	make_wav(wav, 44100, 1, 200);
	assert_int_equal(fx_write_bytes(p, wav, sizeof(wav), &err), 0);
	assert_int_equal(chmod(p, 0), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct audio_file *f;
		if (getuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
			_exit(3);
		alarm(10);
		f = audio_open(p, &err);
		_exit(f == NULL && strstr(err.msg, "permission denied") && strstr(err.msg, p) ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 3) {
		print_message("# cannot drop root privileges here: unreadable-file case skipped\n");
		skip();
	}
	assert_int_equal(WEXITSTATUS(st), 0);
	free(p);
}

/* Ogg Vorbis damaged just after its headers: libogg drops the first audio
 * pages and libsndfile starts at the next good one without an error.  The
 * end status must say that audio was lost near the start, and how much. */
static void test_corrupt_ogg_head(void **state)
{
	struct fx_seg seg = { .kind = FX_CHORD, .dur = 8, .amp = 0.8,
	                      .partials = { 110, 220, 441, 1234 }, .n_partials = 4 };
	struct fx_spec s = { .rate = 44100, .channels = 1, .format = fx_format("ogg"),
	                     .segs = &seg, .n_segs = 1 };
	char *path = fx_path(tdir, "head.ogg");
	struct gr_err err = { 0 };
	struct audio_file *f;
	unsigned char *b;
	float *buf;
	int64_t n, whole;
	size_t len, page[4], np = 0;
	const char *lost;

	(void)state;
	assert_int_equal(fx_write(path, &s, NULL, &err), 0);
	b = fx_read_bytes(path, &len, &err);
	assert_non_null(b);
	/* undamaged: clean end */
	f = audio_open(path, &err);
	assert_non_null(f);
	whole = decode_all(f, &buf);
	free(buf);
	assert_int_equal(audio_end_status(f, &err), 0);
	audio_close(f);
	assert_true(whole > 44100 * 7);
	/* pages 0 and 1 hold the three Vorbis headers; damage the first
	 * audio page (page 2) just after its header */
	for (size_t k = 0; k + 4 <= len && np < 4; k++)
		if (!memcmp(b + k, "OggS", 4))
			page[np++] = k;
	assert_int_equal(np, 4);
	for (size_t k = 0; k < 64; k++)
		b[page[2] + 40 + k] ^= 0x5a;
	assert_int_equal(fx_write_bytes(path, b, len, &err), 0);
	f = audio_open(path, &err);
	assert_non_null(f);
	n = decode_all(f, &buf);
	free(buf);
	assert_int_equal(audio_end_status(f, &err), -GR_ECORRUPT);
	print_message("# %s\n", err.msg);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "corrupt Ogg page near the start"));
	/* what it says was lost plus what decoded is the whole length */
	lost = strstr(err.msg, "the first ");
	assert_non_null(lost);
	assert_true(n > 0 && n < whole);
	assert_true(fabs(atof(lost + 10) - (double)(whole - n) / 44100) < 0.06);
	audio_close(f);
	free(b);
	free(path);
}

/* A FLAC frame damaged in the middle: the part before is kept and the
 * end status says how much decoded. */
static void test_corrupt_flac(void **state)
{
	struct fx_seg seg = { .kind = FX_CHORD, .dur = 10, .amp = 0.8,
	                      .partials = { 110, 220, 441, 1234 }, .n_partials = 4 };
	struct fx_spec s = { .rate = 44100, .channels = 2, .format = fx_format("flac16"),
	                     .segs = &seg, .n_segs = 1 };
	char *path = fx_path(tdir, "corrupt.flac");
	struct gr_err err = { 0 };
	struct audio_file *f;
	unsigned char *bytes;
	float *buf, *ref;
	int64_t n, rn, i;
	size_t len, k;
	double secs;
	int pass;

	assert_int_equal(fx_write(path, &s, NULL, &err), 0);
	ref = fx_render(&s, &rn, NULL);
	bytes = fx_read_bytes(path, &len, &err);
	assert_non_null(bytes);
	for (pass = 0; pass < 2; pass++) {
		/* pass 0: damage 200 bytes at 40%; pass 1: cut the file at 60% */
		unsigned char *b = xmalloc(len);
		size_t blen = len;
		memcpy(b, bytes, len);
		if (pass == 0)
			for (k = len * 4 / 10; k < len * 4 / 10 + 200; k++)
				b[k] ^= 0x5a;
		else
			blen = len * 6 / 10;
		assert_int_equal(fx_write_bytes(path, b, blen, &err), 0);
		f = audio_open(path, &err);
		assert_non_null(f);
		n = decode_all(f, &buf);
		assert_int_equal(audio_end_status(f, &err), -GR_ECORRUPT);
		assert_non_null(strstr(err.msg, "corrupt FLAC frame"));
		assert_non_null(strstr(err.msg, path));
		secs = atof(strstr(err.msg, "decoded ") + 8);
		assert_true(fabs(secs - (double)n / 44100) < 0.06);
		assert_true(n > rn / 4 && n < rn * 2 / 3);
		/* What was kept is the signal, sample for sample (16-bit). */
		for (i = 0; i < n * 2; i++)
			assert_float_equal(buf[i], ref[i], 1.0 / 32768 + 1e-6);
		/* The same bytes through audio_open_mem give the same result. */
		{
			struct audio_file *m = audio_open_mem(b, blen, "mem.flac", &err);
			float *mb;
			assert_non_null(m);
			assert_int_equal(decode_all(m, &mb), n);
			assert_memory_equal(mb, buf, (size_t)n * 2 * sizeof(float));
			assert_int_equal(audio_end_status(m, &err), -GR_ECORRUPT);
			assert_non_null(strstr(err.msg, "mem.flac: decoded"));
			free(mb);
			audio_close(m);
		}
		free(buf);
		free(b);
		audio_close(f);
	}
	/* Trailing junk is not damage: an ID3v1 tag or zero padding after
	 * the last FLAC frame ends the data cleanly, every frame decoded. */
	for (pass = 0; pass < 2; pass++) {
		unsigned char *b = xcalloc(1, len + 1000);
		memcpy(b, bytes, len);
		if (pass == 0)
			memcpy(b + len, "TAGTitle", 8);
		f = audio_open_mem(b, len + (pass == 0 ? 128 : 1000), "tagged.flac", &err);
		assert_non_null(f);
		n = decode_all(f, &buf);
		assert_int_equal(n, rn);
		if (audio_end_status(f, &err) != 0)
			fail_msg("%s", err.msg);
		free(buf);
		free(b);
		audio_close(f);
	}
	free(bytes);
	free(ref);
	free(path);
}

/* Headers that lie about the length: decoding stops at the real end, and
 * memory does not grow while reading. */
static void test_lying_length(void **state)
{
	struct fx_seg seg = { .kind = FX_SINE, .dur = 30, .freq = 300, .amp = 0.5 };
	struct fx_spec s = { .rate = 16000, .channels = 1, .format = fx_format("flac16"),
	                     .segs = &seg, .n_segs = 1 };
	char *path = fx_path(tdir, "lie.flac"), *rf = fx_path(tdir, "lie.rf64");
	struct gr_err err = { 0 };
	struct audio_file *f;
	unsigned char *bytes, *rb;
	float buf[4096];
	size_t len, heap0 = 0;
	int64_t total;
	long r;
	int blocks;

	assert_int_equal(fx_write(path, &s, NULL, &err), 0);
	bytes = fx_read_bytes(path, &len, &err);
	/* STREAMINFO total samples (36 bits at byte 21.5) -> 0 = "unknown",
	 * which libsndfile reports as a length of about 4.6e18 frames. */
	assert_memory_equal(bytes, "fLaC", 4);
	bytes[21] &= 0xf0;
	memset(bytes + 22, 0, 4);
	assert_int_equal(fx_write_bytes(path, bytes, len, &err), 0);
	free(bytes);
	{
		/* The lie is real: libsndfile itself believes it. */
		SF_INFO si = { 0 };
		SNDFILE *sf = sf_open(path, SFM_READ, &si);
		assert_non_null(sf);
		assert_true(si.frames > (sf_count_t)1 << 60);
		sf_close(sf);
	}

	f = audio_open(path, &err);
	assert_int_equal(audio_get_info(f)->frames_declared, -1);
	assert_non_null(f);
	total = 0;
	blocks = 0;
	while ((r = audio_read(f, buf, 4096, &err)) > 0) {
		total += r;
		if (++blocks == 2)
			heap0 = heap_bytes();
	}
	assert_int_equal(r, 0);
	/* 30 s read in 4096-frame blocks: the heap may not grow with length. */
	assert_true(heap_bytes() <= heap0 + HEAP_SLACK);
	assert_int_equal(total, 30 * 16000);
	assert_int_equal(audio_end_status(f, &err), 0);
	audio_close(f);

	/* RF64 whose ds64 chunk claims 2^62 frames, with 1000 real ones. */
	rb = xcalloc(1, 80 + 2000);
	memcpy(rb, "RF64", 4);
	le32(rb + 4, 0xffffffff);
	memcpy(rb + 8, "WAVEds64", 8);
	le32(rb + 16, 28);
	le64(rb + 20, (uint64_t)1 << 63);       /* riff size */
	le64(rb + 28, (uint64_t)1 << 63);       /* data size (2^62 frames * 2 bytes) */
	le64(rb + 36, (uint64_t)1 << 62);       /* sample count */
	le32(rb + 44, 0);                       /* table length */
	memcpy(rb + 48, "fmt ", 4);
	le32(rb + 52, 16);
	le16(rb + 56, 1);
	le16(rb + 58, 1);
	le32(rb + 60, 8000);
	le32(rb + 64, 16000);
	le16(rb + 68, 2);
	le16(rb + 70, 16);
	memcpy(rb + 72, "data", 4);
	le32(rb + 76, 0xffffffff);
	for (r = 0; r < 1000; r++)
		le16(rb + 80 + 2 * r, (unsigned)(r * 37));
	assert_int_equal(fx_write_bytes(rf, rb, 80 + 2000, &err), 0);
	free(rb);
	f = audio_open(rf, &err);
	assert_non_null(f);
	{
		float *all;
		assert_true(audio_get_info(f)->frames_declared <= 1000);
		assert_int_equal(decode_all(f, &all), 1000);
		assert_int_equal(audio_end_status(f, &err), 0);
		free(all);
		audio_close(f);
	}
	free(rf);
	free(path);
}

/* libmpg123 would print resync notes for a damaged MP3: nothing may reach
 * stderr. */
static void test_quiet_mp3(void **state)
{
	struct fx_seg seg = { .kind = FX_SINE, .dur = 3, .freq = 440, .amp = 0.5 };
	struct fx_spec s = { .rate = 44100, .channels = 2, .format = fx_format("mp3"),
	                     .segs = &seg, .n_segs = 1 };
	char *path = fx_path(tdir, "noisy.mp3"), *log = fx_path(tdir, "stderr.txt");
	struct gr_err err = { 0 };
	struct audio_file *f;
	unsigned char *b;
	size_t len, k;
	struct stat st;
	float *buf;
	int saved, fd;

	assert_int_equal(fx_write(path, &s, NULL, &err), 0);
	b = fx_read_bytes(path, &len, &err);
	for (k = len * 4 / 10; k < len * 4 / 10 + 400; k++)
		b[k] ^= 0x5a;
	assert_int_equal(fx_write_bytes(path, b, len, &err), 0);
	free(b);

	assert_int_equal(audio_quiet_check(), 1);
	fflush(stderr);
	saved = dup(2);
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, 2);
	close(fd);
	f = audio_open(path, &err);
	if (f != NULL) {
		decode_all(f, &buf);
		free(buf);
		audio_close(f);
	}
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	assert_non_null(f);
	assert_int_equal(stat(log, &st), 0);
	assert_int_equal(st.st_size, 0);
	free(log);
	free(path);
}

/* ---- hash, memory input, seeking ---- */

static void test_hash_and_mem(void **state)
{
	struct fx_seg seg = { .kind = FX_WHITE, .dur = 2, .amp = 0.5, .seed = 9 };
	struct fx_spec s = { .rate = 44100, .channels = 2, .format = fx_format("wav24"),
	                     .segs = &seg, .n_segs = 1 };
	char *path = fx_path(tdir, "hash.wav");
	struct gr_err err = { 0 };
	struct audio_file *f, *m;
	unsigned char *bytes;
	uint64_t h = 0, hm = 0;
	float a[2000], b[2000];
	size_t len;
	int64_t total;
	long r;

	assert_int_equal(fx_write(path, &s, NULL, &err), 0);
	bytes = fx_read_bytes(path, &len, &err);
	f = audio_open(path, &err);
	m = audio_open_mem(bytes, len, "hash.wav", &err);
	assert_non_null(f);
	assert_non_null(m);
	assert_int_equal(audio_get_info(f)->size, (int64_t)len);
	assert_true(audio_get_info(f)->mtime_ns > 0);
	/* Hash in the middle of decoding: decoding is undisturbed. */
	assert_int_equal(audio_read(f, a, 1000, &err), 1000);
	assert_int_equal(audio_hash(f, &h, &err), 0);
	assert_int_equal(audio_hash(m, &hm, &err), 0);
	assert_true(h == XXH3_64bits(bytes, len));
	assert_true(hm == h);
	assert_int_equal(audio_read(m, b, 1000, &err), 1000);
	total = 1000;
	while ((r = audio_read(f, a, 1000, &err)) > 0) {
		assert_int_equal(audio_read(m, b, 1000, &err), r);
		assert_memory_equal(a, b, (size_t)r * 2 * sizeof(float));
		total += r;
	}
	assert_int_equal(total, 88200);
	audio_close(f);
	audio_close(m);
	/* Empty memory is refused like an empty file. */
	assert_null(audio_open_mem(bytes, 0, "empty", &err));
	assert_non_null(strstr(err.msg, "empty: empty file"));
	free(bytes);
	free(path);
}

static void check_seek(const char *path, double tol)
{
	struct gr_err err = { 0 };
	struct audio_file *f = audio_open(path, &err);
	static const int64_t at[] = { 12345, 100, 30000, 0, 40000 };
	float *all, got[512 * 2];
	int64_t n;
	size_t i;
	int ch;

	assert_non_null(f);
	ch = audio_get_info(f)->channels;
	n = decode_all(f, &all);
	for (i = 0; i < GR_ARRAY_LEN(at); i++) {
		assert_int_equal(audio_seek(f, at[i], &err), 0);
		assert_int_equal(audio_frames_done(f), at[i]);
		assert_int_equal(audio_read(f, got, 512, &err), 512);
		if (tol == 0) {
			assert_memory_equal(got, all + at[i] * ch, 512 * ch * sizeof(float));
		} else {
			size_t k;
			for (k = 0; k < 512 * (size_t)ch; k++)
				if (fabs(got[k] - all[at[i] * ch + k]) > tol)
					fail_msg("%s: after seek to %lld, sample %zu: %f vs %f", path,
					         (long long)at[i], k, got[k], all[at[i] * ch + k]);
		}
	}
	assert_true(audio_seek(f, n + 100000, &err) < 0 || audio_read(f, got, 512, &err) == 0);
	free(all);
	audio_close(f);
}

static void test_seek(void **state)
{
	struct fx_seg seg = { .kind = FX_PINK, .dur = 1, .amp = 0.5, .seed = 4 };
	struct fx_spec s = { .rate = 44100, .channels = 2, .segs = &seg, .n_segs = 1 };
	struct gr_err err = { 0 };
	char *w = fx_path(tdir, "seek.wav"), *fl = fx_path(tdir, "seek.flac");
	char *m = fx_path(tdir, "seek.m4a"), *o = fx_path(tdir, "seek.ogg");
	char *mp = fx_path(tdir, "seek.mp3"), *aac = fx_path(tdir, "seek-aac.m4a");

	s.format = fx_format("wav16");
	assert_int_equal(fx_write(w, &s, NULL, &err), 0);
	s.format = fx_format("flac16");
	assert_int_equal(fx_write(fl, &s, NULL, &err), 0);
	assert_int_equal(fx_write_m4a(m, &s, "alac", NULL, &err), 0);
	s.format = fx_format("ogg");
	assert_int_equal(fx_write(o, &s, NULL, &err), 0);
	s.format = fx_format("mp3");
	assert_int_equal(fx_write(mp, &s, NULL, &err), 0);
	check_seek(w, 0);
	check_seek(fl, 0);
	check_seek(m, 0);
	check_seek(o, 0);
	check_seek(mp, 1e-4);
	/* AAC seeks by timestamp with a pre-roll (or rewinds near the start).
	 * Tonal content: AAC's noise substitution (PNS) draws from a decoder
	 * random state that no seek restores, so noise never repeats exactly. */
	{
		struct fx_seg chord = { .kind = FX_CHORD, .dur = 1, .amp = 0.6,
		                        .partials = { 220, 440, 660, 1320 }, .n_partials = 4 };
		struct fx_spec t = s;
		t.segs = &chord;
		assert_int_equal(fx_write_m4a(aac, &t, "aac", NULL, &err), 0);
		check_seek(aac, 1e-3);
	}
	{
		/* Opus (48 kHz only): rewinds like Vorbis, exact. */
		struct fx_spec t = s;
		char *op = fx_path(tdir, "seek.opus");
		t.rate = 48000;
		t.format = fx_format("opus");
		assert_int_equal(fx_write(op, &t, NULL, &err), 0);
		check_seek(op, 0);
		free(op);
	}
	free(aac);
	free(o);
	free(mp);
	free(w);
	free(fl);
	free(m);
}

/* M4A through FFmpeg: memory input gives the same samples as the file;
 * AAC and ALAC damaged mid-file decode up to the damage, keep that part
 * (identical to the clean decode) and say so. */
static void test_m4a_mem_and_corrupt(void **state)
{
	static const char *codecs[] = { "aac", "alac" };
	struct fx_seg seg = { .kind = FX_CHORD, .dur = 4, .amp = 0.7,
	                      .partials = { 220, 330, 1000 }, .n_partials = 3 };
	struct fx_spec s = { .rate = 44100, .channels = 2, .segs = &seg, .n_segs = 1 };
	char *p = fx_path(tdir, "mem.m4a");
	struct gr_err err = { 0 };
	struct audio_file *f, *m;
	unsigned char *bytes;
	float *a, *b;
	size_t len, k, c;
	int64_t na, nb;

	for (c = 0; c < 2; c++) {
		char want[32];
		assert_int_equal(fx_write_m4a(p, &s, codecs[c], NULL, &err), 0);
		bytes = fx_read_bytes(p, &len, &err);
		f = audio_open(p, &err);
		m = audio_open_mem(bytes, len, "mem.m4a", &err);
		assert_non_null(f);
		assert_non_null(m);
		na = decode_all(f, &a);
		nb = decode_all(m, &b);
		assert_int_equal(na, nb);
		assert_memory_equal(a, b, (size_t)na * 2 * sizeof(float));
		assert_int_equal(audio_end_status(f, &err), 0);
		free(b);
		audio_close(f);
		audio_close(m);

		if (c == 0) {
			/* An mdhd duration of half the real one is not believed:
			 * trimming stops at most FF_PAD_MAX frames past it, then
			 * every frame comes out. */
			unsigned char *md = memmem(bytes, len, "mdhd", 4);
			uint32_t dur;
			assert_non_null(md);
			assert_int_equal(md[4], 0); /* version 0: 32-bit fields */
			dur = (uint32_t)md[20] << 24 | md[21] << 16 | md[22] << 8 | md[23];
			be32(md + 20, dur / 2);
			m = audio_open_mem(bytes, len, "lie.m4a", &err);
			assert_non_null(m);
			nb = decode_all(m, &b);
			assert_true(nb >= na);
			assert_memory_equal(a, b, (size_t)na * 2 * sizeof(float));
			free(b);
			audio_close(m);
			be32(md + 20, dur);
		}
		for (k = len / 2; k < len / 2 + 300; k++)
			bytes[k] ^= 0x5a;
		m = audio_open_mem(bytes, len, "bad.m4a", &err);
		assert_non_null(m);
		nb = decode_all(m, &b);
		assert_int_equal(audio_end_status(m, &err), -GR_ECORRUPT);
		snprintf(want, sizeof(want), "corrupt %s frame", c == 0 ? "AAC" : "ALAC");
		if (strstr(err.msg, want) == NULL || strstr(err.msg, "bad.m4a: decoded ") == NULL)
			fail_msg("got \"%s\"", err.msg);
		assert_true(nb > na / 4 && nb < na * 3 / 4);
		assert_memory_equal(a, b, (size_t)nb * 2 * sizeof(float));
		free(a);
		free(b);
		audio_close(m);
		free(bytes);
	}
	free(p);
}

/* Streaming keeps memory flat: after the first blocks, reading the rest of
 * a long file through audio_stream (decode, mixdown, resample) does not
 * grow the heap, whatever the decoder. */
static void test_stream_flat_memory(void **state)
{
	static const char *fmts[] = { "flac16", "ogg", "mp3", "m4a-aac", "wav24" };
	struct fx_seg segs[] = {
		{ .kind = FX_CHORD, .dur = 12, .amp = 0.5, .partials = { 200, 300 }, .n_partials = 2 },
		{ .kind = FX_PINK, .dur = 12, .amp = 0.3, .seed = 5 },
	};
	struct fx_spec s = { .rate = 16000, .channels = 2, .segs = segs, .n_segs = 2 };
	struct gr_err err = { 0 };
	float out[1024];
	size_t i;

	for (i = 0; i < GR_ARRAY_LEN(fmts); i++) {
		char *p = fx_path(tdir, "flat");
		struct audio_file *f;
		struct audio_stream *st;
		size_t heap0 = 0, heap1;
		int64_t total = 0;
		long r;
		int blocks = 0;

		if (strncmp(fmts[i], "m4a-", 4) == 0) {
			assert_int_equal(fx_write_m4a(p, &s, fmts[i] + 4, NULL, &err), 0);
		} else {
			s.format = fx_format(fmts[i]);
			assert_int_equal(fx_write(p, &s, NULL, &err), 0);
		}
		f = audio_open(p, &err);
		assert_non_null(f);
		st = audio_stream_new(f, 22050, 1, SRC_SINC_FASTEST, &err);
		assert_non_null(st);
		while ((r = audio_stream_read(st, out, 1024, &err)) > 0) {
			total += r;
			if (++blocks == 8)
				heap0 = heap_bytes();
		}
		assert_int_equal(r, 0);
		heap1 = heap_bytes();
		if (heap1 > heap0 + HEAP_SLACK)
			fail_msg("%s: heap grew by %zu bytes while streaming", fmts[i], heap1 - heap0);
		assert_true(llabs(total - 24 * 22050) < 2048);
		audio_stream_free(st);
		audio_close(f);
		free(p);
	}
}

/* What libsndfile refuses but FFmpeg reads: a WAV in Yamaha ADPCM and an
 * MP3 behind 3 KiB of junk both decode (through the fallback). */
static void test_ffmpeg_rescue(void **state)
{
	struct fx_seg seg = { .kind = FX_SINE, .dur = 1, .freq = 1000, .amp = 0.5 };
	struct fx_spec s = { .rate = 44100, .channels = 2, .format = fx_format("wav16"),
	                     .segs = &seg, .n_segs = 1 };
	char *src = fx_path(tdir, "rescue-src.wav"), *adpcm = fx_path(tdir, "adpcm.wav");
	char *mp3 = fx_path(tdir, "clean.mp3"), *junk = fx_path(tdir, "junk.mp3");
	const char *a1[] = { "ffmpeg", "-nostdin", "-y", "-i", src, "-c:a", "adpcm_yamaha",
	                     "-f", "wav", adpcm, NULL };
	struct gr_err err = { 0 };
	const char *paths[2];
	unsigned char *bytes, *jb;
	uint64_t x = 1;
	size_t len, k;
	int i;

	if (!fx_have_ffmpeg())
		fail_msg("ffmpeg command missing (scripts/deps.sh installs it)");
	assert_int_equal(fx_write(src, &s, NULL, &err), 0);
	assert_int_equal(fx_run(a1), 0);
	s.format = fx_format("mp3");
	assert_int_equal(fx_write(mp3, &s, NULL, &err), 0);
	bytes = fx_read_bytes(mp3, &len, &err);
	jb = xmalloc(len + 3000);
	for (k = 0; k < 3000; k++) { /* deterministic junk */
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		jb[k] = (unsigned char)(x >> 56);
	}
	memcpy(jb + 3000, bytes, len);
	assert_int_equal(fx_write_bytes(junk, jb, len + 3000, &err), 0);
	free(bytes);
	free(jb);

	paths[0] = adpcm;
	paths[1] = junk;
	for (i = 0; i < 2; i++) {
		struct audio_file *f = audio_open(paths[i], &err);
		float *buf;
		int64_t n;
		if (f == NULL)
			fail_msg("%s", err.msg);
		assert_string_equal(audio_get_info(f)->format, i == 0 ? "wav" : "mp3");
		assert_string_equal(audio_get_info(f)->codec, i == 0 ? "adpcm_yamaha" : "mp3");
		n = decode_all(f, &buf);
		assert_int_equal(audio_end_status(f, &err), 0);
		/* FFmpeg keeps the MP3 encoder delay and padding (the LAME tag
		 * that says how much is behind the junk): up to 3 granules. */
		if (llabs(n - 44100) > 3 * 1152)
			fail_msg("%s: %lld frames", paths[i], (long long)n);
		assert_true(fabs(fx_peak_freq(buf + 8820, 22050, 2, 0, 44100, 900, 1100, 1) - 1000) <= 2);
		assert_true(fabs(fx_rms(buf + 8820, 22050, 2, 1) - 0.5 / sqrt(2)) < 0.03);
		free(buf);
		audio_close(f);
	}
	free(src);
	free(adpcm);
	free(mp3);
	free(junk);
}

/* Mutated files (deterministic byte flips, zeroed runs and cuts of small
 * valid files in every format) never crash, hang or leak: each either
 * fails to open with a message naming it, or decodes to an end with a
 * clean or "corrupt" status.  A small in-tree fuzz pass; ASan checks it. */
static void test_mutations(void **state)
{
	static const char *fmts[] = { "wav16", "aiff24", "flac16", "ogg", "opus", "mp3",
	                              "m4a-aac", "m4a-alac" };
	struct fx_seg seg = { .kind = FX_CHORD, .dur = 0.3, .amp = 0.6,
	                      .partials = { 300, 500 }, .n_partials = 2 };
	struct fx_spec s = { .rate = 48000, .channels = 2, .segs = &seg, .n_segs = 1 };
	struct gr_err err = { 0 };
	char *p = fx_path(tdir, "mut");
	uint64_t x = 12345;
	size_t i;
	int m, opened = 0, failed = 0;

	for (i = 0; i < GR_ARRAY_LEN(fmts); i++) {
		unsigned char *orig, *b;
		size_t len;

		if (strncmp(fmts[i], "m4a-", 4) == 0) {
			assert_int_equal(fx_write_m4a(p, &s, fmts[i] + 4, NULL, &err), 0);
		} else {
			s.format = fx_format(fmts[i]);
			assert_int_equal(fx_write(p, &s, NULL, &err), 0);
		}
		orig = fx_read_bytes(p, &len, &err);
		b = xmalloc(len);
		for (m = 0; m < 30; m++) {
			struct audio_file *f;
			size_t blen = len, k, at;
			int kind;

			memcpy(b, orig, len);
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			kind = (int)(x >> 60) % 3;
			at = (size_t)(x >> 20) % len;
			if (kind == 0) {          /* flip 1..16 bytes anywhere */
				for (k = 0; k < 1 + (x >> 8) % 16; k++) {
					x = x * 6364136223846793005ULL + 1442695040888963407ULL;
					b[(x >> 24) % len] ^= (unsigned char)(1 + (x >> 56) % 255);
				}
			} else if (kind == 1) {   /* zero a run of up to 64 bytes */
				for (k = at; k < len && k < at + 64; k++)
					b[k] = 0;
			} else {                  /* cut the file */
				blen = at;
			}
			f = audio_open_mem(b, blen, "mutant", &err);
			if (f == NULL) {
				assert_non_null(strstr(err.msg, "mutant"));
				failed++;
				continue;
			}
			{
				float buf[4096 * 2];
				int64_t total = 0;
				long r;
				int ch = audio_get_info(f)->channels;
				float *big = ch > 2 ? xmalloc(sizeof(float) * 4096 * ch) : buf;
				while ((r = audio_read(f, big, 4096, &err)) > 0) {
					total += r;
					/* 0.3 s written: nothing may decode for ever. */
					assert_true(total < 48000 * 60);
				}
				assert_true(r == 0 || r < 0);
				if (r == 0) {
					int st = audio_end_status(f, &err);
					assert_true(st == 0 || st == -GR_ECORRUPT);
				}
				if (big != buf)
					free(big);
			}
			audio_close(f);
			opened++;
		}
		free(b);
		free(orig);
	}
	print_message("# mutations: %d opened, %d refused\n", opened, failed);
	assert_true(opened > 0 && failed > 0);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_pcm),
		cmocka_unit_test(test_roundtrip_flac),
		cmocka_unit_test(test_roundtrip_lossy),
		cmocka_unit_test(test_roundtrip_m4a),
		cmocka_unit_test(test_float_exact),
		cmocka_unit_test(test_resample_tone),
		cmocka_unit_test(test_resample_alias),
		cmocka_unit_test(test_resample_alignment),
		cmocka_unit_test(test_mixdown),
		cmocka_unit_test(test_resampler_push),
		cmocka_unit_test(test_bad_rates),
		cmocka_unit_test(test_nonfinite_samples),
		cmocka_unit_test(test_not_audio),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_corrupt_flac),
		cmocka_unit_test(test_corrupt_ogg_head),
		cmocka_unit_test(test_lying_length),
		cmocka_unit_test(test_stream_flat_memory),
		cmocka_unit_test(test_quiet_mp3),
		cmocka_unit_test(test_hash_and_mem),
		cmocka_unit_test(test_seek),
		cmocka_unit_test(test_m4a_mem_and_corrupt),
		cmocka_unit_test(test_ffmpeg_rescue),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
