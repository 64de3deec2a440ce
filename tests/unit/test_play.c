/*
 * test_play.c - the player's parts: the lock-free ring (also under two
 * threads), the mark queue, the real-time render (gain ramps, fades,
 * flushes, underrun counting, playhead, mono devices), the level-match
 * gain math, channel mapping for playback, loudness measuring, and the
 * player API against no device and against the ALSA file plugin paced by
 * tests/tools/pacer (see tests/integration/play.sh for how that works).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <samplerate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/play/play_int.h"
#include "fixtures.h"
#include "grym/audio.h"
#include "grym/play.h"
#include "grym/util.h"

static char *tdir;

static int setup(void **state)
{
	(void)state;
	tdir = fx_tmpdir_new("play");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fx_tmpdir_free(tdir);
	return 0;
}

/* ---- ring and marks ---------------------------------------------------- */

static void test_ring_basic(void **state)
{
	struct play_ring g;
	float in[2 * 1500], *p;
	const float *q;
	size_t i, n;

	(void)state;
	assert_int_equal(ring_init(&g, 1000, NULL), 0);
	assert_int_equal(g.cap, 1024);
	assert_int_equal(ring_space(&g), 1024);
	assert_int_equal(ring_avail(&g), 0);
	for (i = 0; i < 2 * 1500; i++)
		in[i] = (float)i;
	ring_write(&g, in, 1000);
	assert_int_equal(ring_avail(&g), 1000);
	assert_int_equal(ring_space(&g), 24);
	atomic_store(&g.r, 900);                 /* consumer read 900 frames */
	ring_write(&g, in + 2000, 500);          /* wraps at 1024 */
	assert_int_equal(ring_avail(&g), 600);
	n = ring_peek(&g, 900, 600, &q);
	assert_int_equal(n, 124);                /* up to the wrap */
	assert_true(q[0] == 1800.0f && q[2 * 100] == 2000.0f);
	n = ring_peek(&g, 1024, 476, &q);
	assert_int_equal(n, 476);
	assert_true(q[0] == (float)(2000 + 2 * 24) && q[1] == (float)(2000 + 2 * 24 + 1));
	p = g.buf;
	assert_true(p == q);
	ring_fini(&g);
}

struct spsc {
	struct play_ring g;
	uint64_t total;
};

static void *producer(void *arg)
{
	struct spsc *s = arg;
	float blk[2 * 777];
	uint64_t sent = 0;
	unsigned seed = 1;

	while (sent < s->total) {
		size_t n = 1 + (size_t)(rand_r(&seed) % 777), i;
		if (n > s->total - sent)
			n = (size_t)(s->total - sent);
		while (ring_space(&s->g) < n)
			sched_yield();
		for (i = 0; i < n; i++) {
			blk[2 * i] = (float)((sent + i) % 1000003);
			blk[2 * i + 1] = -blk[2 * i];
		}
		ring_write(&s->g, blk, n);
		sent += n;
	}
	return NULL;
}

/* One producer, one consumer, odd chunk sizes, many wraps: every frame
 * arrives once, in order. */
static void test_ring_threads(void **state)
{
	struct spsc s;
	pthread_t t;
	uint64_t got = 0, bad = 0;
	unsigned seed = 2;

	(void)state;
	s.total = 2000000;
	assert_int_equal(ring_init(&s.g, 4096, NULL), 0);
	assert_int_equal(pthread_create(&t, NULL, producer, &s), 0);
	while (got < s.total) {
		size_t want = 1 + (size_t)(rand_r(&seed) % 1000), n, i;
		uint64_t r = atomic_load(&s.g.r);
		const float *q;

		n = ring_avail(&s.g);
		if (n == 0) {
			sched_yield();
			continue;
		}
		if (n > want)
			n = want;
		n = ring_peek(&s.g, r, n, &q);
		for (i = 0; i < n; i++)
			if (q[2 * i] != (float)((got + i) % 1000003) || q[2 * i + 1] != -q[2 * i])
				bad++;
		atomic_store_explicit(&s.g.r, r + n, memory_order_release);
		got += n;
	}
	pthread_join(t, NULL);
	assert_int_equal(bad, 0);
	assert_int_equal(atomic_load(&s.g.w), s.total);
	ring_fini(&s.g);
}

static void test_marks(void **state)
{
	struct play_marks *q = malloc(sizeof(*q));
	struct play_mark m;
	int i;

	(void)state;
	marks_init(q);
	assert_null(marks_peek(q));
	memset(&m, 0, sizeof(m));
	for (i = 0; i < PLAY_NMARKS; i++) {
		m.pos = (uint64_t)i;
		assert_int_equal(marks_push(q, &m), 0);
	}
	assert_int_equal(marks_push(q, &m), -1);     /* full */
	for (i = 0; i < PLAY_NMARKS; i++) {
		assert_non_null(marks_peek(q));
		assert_int_equal(marks_peek(q)->pos, i);
		marks_pop(q);
	}
	assert_null(marks_peek(q));
	free(q);
}

/* ---- render ------------------------------------------------------------ */

static void push_seg(struct play_rt *rt, uint64_t pos, uint32_t gen, int64_t src,
                     double ratio, float gm, float gp, int region)
{
	struct play_mark m;

	memset(&m, 0, sizeof(m));
	m.pos = pos;
	m.gen = gen;
	m.kind = MARK_SEG;
	m.src = src;
	m.src_per_out = ratio;
	m.gain_match = gm;
	m.gain_plain = gp;
	m.region = region;
	m.pass = 1;
	assert_int_equal(marks_push(&rt->marks, &m), 0);
}

static void write_const(struct play_rt *rt, size_t n, float l, float r)
{
	float *b = malloc(n * 2 * sizeof(float));
	size_t i;

	for (i = 0; i < n; i++) {
		b[2 * i] = l;
		b[2 * i + 1] = r;
	}
	ring_write(&rt->ring, b, n);
	free(b);
}

static struct play_rt *rt_new(int ch)
{
	struct play_rt *rt = malloc(sizeof(*rt));

	assert_int_equal(rt_init(rt, 8192, NULL), 0);
	rt_setup(rt, ch, 48000);                 /* ramp = 240 frames */
	atomic_store(&rt->eos, UINT64_MAX);
	return rt;
}

static void rt_del(struct play_rt *rt)
{
	rt_fini(rt);
	free(rt);
}

static void test_render_gain(void **state)
{
	struct play_rt *rt = rt_new(2);
	float out[2 * 1000];

	(void)state;
	push_seg(rt, 0, 0, 44100, 44100.0 / 48000, 0.5f, 1.0f, 3);
	write_const(rt, 4000, 1.0f, -1.0f);
	/* Nothing was played before: the first buffer fades in over 240. */
	rt_render(rt, out, 1000);
	assert_float_equal(out[0], 0.5f / 240, 1e-6);
	assert_float_equal(out[1], -0.5f / 240, 1e-6);
	assert_float_equal(out[2 * 119], 0.25f, 1e-5);
	assert_float_equal(out[2 * 239], 0.5f, 1e-6);
	assert_float_equal(out[2 * 999], 0.5f, 1e-6);
	assert_int_equal(atomic_load(&rt->playhead), 44100);
	assert_int_equal(atomic_load(&rt->region), 3);
	assert_int_not_equal(atomic_load(&rt->first_ns), 0);
	/* Level match off: the plain gain, ramped over 240 frames. */
	atomic_store(&rt->level_match, 0);
	rt_render(rt, out, 1000);
	assert_int_equal(atomic_load(&rt->playhead), 44100 + (int64_t)llround(1000 * 44100.0 / 48000));
	assert_true(out[0] > 0.5f && out[0] < 0.51f);
	assert_float_equal(out[2 * 119], 0.75f, 1e-2);
	assert_float_equal(out[2 * 240], 1.0f, 1e-6);
	/* Volume 0.25, ramped down. */
	atomic_store(&rt->volume, 0.25f);
	rt_render(rt, out, 1000);
	assert_true(out[0] < 1.0f && out[0] > 0.99f);
	assert_float_equal(out[2 * 240], 0.25f, 1e-6);
	assert_float_equal(out[2 * 999], 0.25f, 1e-6);
	assert_int_equal(atomic_load(&rt->underruns), 0);
	rt_del(rt);
}

static void test_render_underrun(void **state)
{
	struct play_rt *rt = rt_new(2);
	float out[2 * 512];

	(void)state;
	rt_render(rt, out, 512);                  /* nothing queued, not primed */
	assert_int_equal(atomic_load(&rt->underruns), 0);
	assert_true(out[0] == 0 && out[1023] == 0);
	assert_int_equal(atomic_load(&rt->playhead), -1);
	push_seg(rt, 0, 0, 0, 1.0, 1.0f, 1.0f, -1);
	write_const(rt, 700, 0.5f, 0.5f);
	rt_render(rt, out, 512);
	rt_render(rt, out, 512);                  /* 188 frames, then short */
	assert_int_equal(atomic_load(&rt->underruns), 1);
	assert_float_equal(out[2 * 187], 0.5f, 1e-6);
	assert_true(out[2 * 188] == 0 && out[2 * 511 + 1] == 0);
	/* The end of the data is no underrun. */
	write_const(rt, 100, 0.5f, 0.5f);
	atomic_store(&rt->eos, atomic_load(&rt->ring.w));
	rt_render(rt, out, 512);
	rt_render(rt, out, 512);
	assert_int_equal(atomic_load(&rt->underruns), 1);
	rt_del(rt);
}

/* A flush fades the old data out within one ramp, drops the rest, and
 * the new generation starts at its mark with a fade-in. */
static void test_render_flush(void **state)
{
	struct play_rt *rt = rt_new(2);
	float out[2 * 2048];
	uint64_t w;
	int i, last_old = -1, first_new = -1;

	(void)state;
	push_seg(rt, 0, 0, 0, 1.0, 1.0f, 1.0f, 0);
	write_const(rt, 4000, 1.0f, 1.0f);
	rt_render(rt, out, 1024);
	/* Jump: new generation 1 at the write position, source frame 96000. */
	w = atomic_load(&rt->ring.w);
	atomic_store(&rt->flush, ((uint64_t)1 << PLAY_POS_BITS) | w);
	push_seg(rt, w, 1, 96000, 1.0, 1.0f, 1.0f, 1);
	write_const(rt, 4000, -1.0f, -1.0f);
	rt_render(rt, out, 2048);
	for (i = 0; i < 2048; i++) {
		if (out[2 * i] > 0)
			last_old = i;
		if (out[2 * i] < 0 && first_new < 0)
			first_new = i;
	}
	assert_true(last_old >= 0 && last_old < 240);   /* faded within a ramp */
	assert_true(out[2 * 120] < 0.6f);               /* ...going down */
	assert_true(first_new > last_old && first_new <= 242);
	assert_float_equal(out[2 * 2047], -1.0f, 1e-6);
	assert_int_equal(atomic_load(&rt->flush_done), 1);
	assert_int_equal(atomic_load(&rt->region), 1);
	/* The playhead of the next buffer is in the new segment. */
	rt_render(rt, out, 16);
	assert_true(atomic_load(&rt->playhead) > 96000 && atomic_load(&rt->playhead) < 98100);
	/* Stop = flush with nothing after it: silence, playhead -1. */
	w = atomic_load(&rt->ring.w);
	atomic_store(&rt->eos, w);
	atomic_store(&rt->flush, ((uint64_t)2 << PLAY_POS_BITS) | w);
	rt_render(rt, out, 1024);
	rt_render(rt, out, 1024);
	for (i = 0; i < 2048; i++)
		assert_true(out[i] == 0);
	assert_int_equal(atomic_load(&rt->playhead), -1);
	assert_int_equal(atomic_load(&rt->underruns), 0);
	rt_del(rt);
}

/* A gain mark lowers the gain at its position; a one-channel device gets
 * the mean of both sides. */
static void test_render_guard_mono(void **state)
{
	struct play_rt *rt = rt_new(1);
	struct play_mark m;
	float out[1024];

	(void)state;
	push_seg(rt, 0, 0, 0, 1.0, 1.0f, 1.0f, -1);
	memset(&m, 0, sizeof(m));
	m.kind = MARK_GAIN;
	m.pos = 600;
	m.gain_match = m.gain_plain = 0.5f;
	assert_int_equal(marks_push(&rt->marks, &m), 0);
	write_const(rt, 1024, 0.8f, 0.4f);
	rt_render(rt, out, 1024);
	assert_float_equal(out[500], 0.6f, 1e-6);
	assert_float_equal(out[600 + 240], 0.3f, 1e-6);
	assert_float_equal(out[1023], 0.3f, 1e-6);
	rt_del(rt);
}

/* ---- level and mapping ---------------------------------------------------- */

static void test_level_gain(void **state)
{
	(void)state;
	/* -30 LUFS stereo to -16: +14 dB; peak -20 dBFS allows +19. */
	assert_float_equal(20 * log10(play_level_gain(-30, -20, 2, -16, 1)), 14.0, 1e-9);
	/* the peak wins: -6 dBFS allows only +5 dB (ceiling -1 dBFS) */
	assert_float_equal(20 * log10(play_level_gain(-30, -6, 2, -16, 1)), 5.0, 1e-9);
	/* a loud gunshot is turned down */
	assert_float_equal(20 * log10(play_level_gain(-4, -0.5, 2, -16, 1)), -12.0, 1e-9);
	/* mono is copied to both sides: 3 dB less */
	assert_float_equal(20 * log10(play_level_gain(-30, -40, 1, -16, 1)), 14.0 - 3.0103, 1e-9);
	/* at most +30 dB, whatever the peak */
	assert_float_equal(20 * log10(play_level_gain(-60, -50, 2, -16, 1)), 30.0, 1e-9);
	/* unknown or unmeasurable loudness: unity, peak-limited */
	assert_float_equal(play_level_gain(NAN, NAN, 2, -16, 1), 1.0, 1e-12);
	assert_float_equal(play_level_gain(-INFINITY, -10, 2, -16, 1), 1.0, 1e-12);
	assert_float_equal(20 * log10(play_level_gain(NAN, 2.0, 2, -16, 1)), -3.0, 1e-9);
	/* level match off: 1, except for float files above full scale */
	assert_float_equal(play_level_gain(-40, -20, 2, -16, 0), 1.0, 1e-12);
	assert_float_equal(20 * log10(play_level_gain(-10, 6.0, 2, -16, 0)), -6.0, 1e-9);
}

/* The feeder's mapping (audio_resampler to 2 channels): mono to both
 * sides at full level, stereo untouched, 5.1 folded with LFE dropped. */
static void test_channel_map(void **state)
{
	struct gr_err err = { 0 };
	struct audio_resampler *r;
	float mono[4] = { 0.5f, -0.25f, 1.0f, 0.0f }, out[64];
	float st[4] = { 0.1f, 0.2f, 0.3f, 0.4f };
	float s51[6] = { 0, 0, 0.8f, 0.9f, 0, 0 };   /* L R C LFE Ls Rs: centre + LFE */
	long n;

	(void)state;
	r = audio_resampler_new(1, 44100, 44100, 2, SRC_SINC_MEDIUM_QUALITY, &err);
	assert_non_null(r);
	n = audio_resampler_push(r, mono, 4, out, 16, 1, &err);
	assert_int_equal(n, 4);
	assert_true(out[0] == 0.5f && out[1] == 0.5f && out[4] == 1.0f && out[5] == 1.0f);
	audio_resampler_free(r);
	r = audio_resampler_new(2, 48000, 48000, 2, SRC_SINC_MEDIUM_QUALITY, &err);
	n = audio_resampler_push(r, st, 2, out, 16, 1, &err);
	assert_int_equal(n, 2);
	assert_memory_equal(out, st, sizeof(st));
	audio_resampler_free(r);
	r = audio_resampler_new(6, 48000, 48000, 2, SRC_SINC_MEDIUM_QUALITY, &err);
	n = audio_resampler_push(r, s51, 1, out, 16, 1, &err);
	assert_int_equal(n, 1);
	assert_float_equal(out[0], out[1], 1e-7);      /* centre on both sides */
	assert_true(out[0] > 0.2f && out[0] < 0.8f);   /* folded, LFE dropped */
	audio_resampler_free(r);
	/* 44.1 -> 48 kHz keeps the length: round(frames * ratio) within 1 */
	{
		float *in = calloc(44100, sizeof(float)), *o;
		size_t cap;
		r = audio_resampler_new(1, 44100, 48000, 2, SRC_SINC_MEDIUM_QUALITY, &err);
		cap = audio_resampler_max_out(r, 44100);
		o = malloc(cap * 2 * sizeof(float));
		n = audio_resampler_push(r, in, 44100, o, cap, 1, &err);
		assert_true(labs(n - 48000) <= 1);
		free(o);
		free(in);
		audio_resampler_free(r);
	}
}

static void test_measure(void **state)
{
	struct gr_err err = { 0 };
	struct fx_seg segs[] = { { .kind = FX_SINE, .dur = 3.0, .freq = 997, .amp = 0.1 } };
	struct fx_spec s = { .rate = 48000, .channels = 1, .format = fx_format("wavf"),
	                     .segs = segs, .n_segs = 1 };
	char *path = fx_path(tdir, "sine.wav");
	double lu, pk;

	(void)state;
	assert_int_equal(fx_write(path, &s, NULL, &err), 0);
	assert_int_equal(play_measure(path, 0, 0, 30, &lu, &pk, &err), 0);
	/* a mono 997 Hz sine of amplitude A: 10 log10(A^2 / 2) = -23.01 LUFS
	 * (the -0.691 dB of the definition cancels K-weighting at 997 Hz) */
	assert_float_equal(lu, -23.01, 0.1);
	assert_float_equal(pk, -20.0, 0.01);
	/* only a stretch: 1 s from 0.5 s */
	assert_int_equal(play_measure(path, 24000, 72000, 30, &lu, &pk, &err), 0);
	assert_float_equal(lu, -23.01, 0.1);
	assert_int_not_equal(play_measure("/nonexistent.wav", 0, 0, 1, &lu, &pk, &err), 0);
	free(path);
}

/* ---- the player ------------------------------------------------------------ */

/* Wait up to secs for cond on a fresh status. */
#define WAIT_FOR(p, st, cond, secs) do { \
		double t_ = time_now(); \
		do { play_status((p), &(st)); if (cond) break; usleep(5000); } \
		while (time_now() - t_ < (secs)); \
	} while (0)

static void cfg_init(struct play_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->latency_ms = 30;
	c->level_match = 1;
	c->preview_lufs = -16;
	c->volume = 1;
}

static void test_player_no_device(void **state)
{
	struct gr_err err = { 0 };
	struct play_cfg c;
	struct play_status st;
	struct play_req r;
	struct play_span regs[1] = { { 0, 0.5, -20, -10 } };
	char *conf = fx_path(tdir, "none.conf");
	FILE *f = fopen(conf, "w");
	struct play *p;

	(void)state;
	fputs("pcm.!default {\n\ttype hw\n\tcard 9\n}\n", f);
	fclose(f);
	setenv("ALSA_CONFIG_PATH", conf, 1);
	cfg_init(&c);
	p = play_new(&c, &err);
	assert_non_null(p);
	memset(&r, 0, sizeof(r));
	r.path = "/nonexistent.wav";
	r.region = 2;
	r.regions = regs;
	r.n_regions = 1;
	assert_int_equal(play_start(p, &r, &err), -GR_EUSAGE);   /* checked at once */
	r.region = 0;
	assert_int_equal(play_start(p, &r, &err), 0);
	WAIT_FOR(p, st, st.state == PLAY_ERROR, 5.0);
	assert_int_equal(st.state, PLAY_ERROR);
	/* (PortAudio lists the dangling "default" or not, depending on what it
	 * probed before in this process) */
	assert_true(strstr(st.error, "no audio output device") != NULL ||
	            strstr(st.error, "cannot open audio device 'default'") != NULL);
	assert_int_equal(st.serial, 1);
	/* still usable: controls are no-ops, a new start reports again */
	play_next(p);
	play_stop(p);
	play_set_volume(p, 0.3);
	assert_int_equal(play_start(p, &r, &err), 0);
	WAIT_FOR(p, st, st.state == PLAY_ERROR && st.serial == 2, 5.0);
	assert_int_equal(st.state, PLAY_ERROR);
	assert_float_equal(st.volume, 0.3, 1e-9);
	/* a burst of starts (auto-preview while scrolling) never fills the
	 * queue: the latest wins */
	for (int i = 0; i < 500; i++)
		assert_int_equal(play_start(p, &r, &err), 0);
	WAIT_FOR(p, st, st.state == PLAY_ERROR && st.serial == 502, 5.0);
	assert_int_equal(st.serial, 502);
	assert_int_equal(st.state, PLAY_ERROR);
	play_free(p);
	unsetenv("ALSA_CONFIG_PATH");
	free(conf);
}

/* Region play with loop, next, previous, seek and stop against the paced
 * ALSA file device. */
static void test_player_controls(void **state)
{
	struct gr_err err = { 0 };
	struct fx_seg segs[] = {
		{ .kind = FX_WHITE, .dur = 0.5, .amp = 0.5, .seed = 1 },
		{ .kind = FX_SILENCE, .dur = 0.3 },
		{ .kind = FX_PINK, .dur = 0.5, .amp = 0.2, .seed = 2 },
		{ .kind = FX_SILENCE, .dur = 0.3 },
		{ .kind = FX_WHITE, .dur = 0.5, .amp = 0.1, .seed = 3 },
	};
	struct fx_spec s = { .rate = 44100, .channels = 1, .format = fx_format("wav16"),
	                     .segs = segs, .n_segs = 5 };
	struct play_span regs[3] = {
		{ 0.0, 0.5, NAN, NAN }, { 0.8, 1.3, NAN, NAN }, { 1.6, 2.1, NAN, NAN },
	};
	char exe[PATH_MAX], *conf = fx_path(tdir, "paced.conf"), *wav = fx_path(tdir, "r.wav");
	char *raw = fx_path(tdir, "out.raw");
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct play_cfg c;
	struct play_status st;
	struct play_req r;
	struct play *p;
	double t0;
	FILE *f;

	(void)state;
	assert_true(n > 0);
	exe[n] = '\0';
	assert_int_equal(fx_write(wav, &s, NULL, &err), 0);
	f = fopen(conf, "w");
	fprintf(f, "pcm.!default {\n\ttype file\n\tslave.pcm \"nullpcm\"\n"
	        "\tfile \"|exec %s/../tools/pacer %s 352800\"\n\tformat \"raw\"\n}\n"
	        "pcm.nullpcm {\n\ttype null\n}\n", dirname(exe), raw);
	fclose(f);
	setenv("ALSA_CONFIG_PATH", conf, 1);
	cfg_init(&c);
	c.rate = 44100;
	p = play_new(&c, &err);
	assert_non_null(p);
	memset(&r, 0, sizeof(r));
	r.path = wav;
	r.file = (struct play_span){ 0, 0, NAN, NAN };
	r.regions = regs;
	r.n_regions = 3;
	r.region = 0;
	r.loop = 1;
	t0 = time_now();
	assert_int_equal(play_start(p, &r, &err), 0);
	WAIT_FOR(p, st, st.state == PLAY_PLAYING && st.pass >= 2, 8.0);
	/* the device keeps real time: the second pass comes after 0.5 s, less
	 * what the buffers (PortAudio's, the file plugin's, the pipe's until
	 * the pacer shrinks it) swallow at once */
	assert_true(time_now() - t0 > 0.25);
	assert_int_equal(st.state, PLAY_PLAYING);
	assert_int_equal(st.region, 0);
	assert_true(st.pass >= 2);
	assert_true(st.playhead >= 0 && st.playhead < 22050);
	assert_true(st.start_latency_s > 0 && st.start_latency_s < 2.0);
	assert_string_equal(st.device, "default");
	assert_int_equal(st.device_rate, 44100);
	/* unknown levels were measured: white noise at 0.5 is turned down */
	assert_true(st.gain_db < -3);
	play_next(p);
	WAIT_FOR(p, st, st.region == 1 && st.playhead >= 35280, 3.0);
	assert_int_equal(st.region, 1);
	assert_true(st.playhead >= 35280 && st.playhead < 57330);
	play_next(p);
	WAIT_FOR(p, st, st.region == 2 && st.playhead >= 70560, 3.0);
	assert_int_equal(st.region, 2);
	assert_true(st.playhead >= 70560 && st.playhead < 92610);
	assert_true(st.gain_db > 0);               /* the quiet one is raised */
	play_next(p);                              /* no region after the last: no-op */
	play_prev(p);
	play_prev(p);
	WAIT_FOR(p, st, st.region == 0 && st.playhead < 22050, 3.0);
	assert_int_equal(st.region, 0);
	assert_true(st.playhead >= 0 && st.playhead < 22050);
	play_seek(p, 0.4);
	WAIT_FOR(p, st, st.playhead >= 17640, 3.0);
	assert_true(st.playhead >= 17640 && st.playhead < 22050);
	play_set_loop(p, 0);
	play_stop(p);
	WAIT_FOR(p, st, st.state == PLAY_IDLE, 1.0);
	assert_int_equal(st.state, PLAY_IDLE);
	assert_int_equal(st.playhead, -1);
	/* the callback drops the playhead once it has faded out */
	WAIT_FOR(p, st, play_playhead(p) == -1, 1.0);
	assert_int_equal(play_playhead(p), -1);
	assert_int_equal(st.error_code, 0);
	play_free(p);
	unsetenv("ALSA_CONFIG_PATH");
	free(conf);
	free(wav);
	free(raw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_basic),
		cmocka_unit_test(test_ring_threads),
		cmocka_unit_test(test_marks),
		cmocka_unit_test(test_render_gain),
		cmocka_unit_test(test_render_underrun),
		cmocka_unit_test(test_render_flush),
		cmocka_unit_test(test_render_guard_mono),
		cmocka_unit_test(test_level_gain),
		cmocka_unit_test(test_channel_map),
		cmocka_unit_test(test_measure),
		cmocka_unit_test(test_player_controls),
		cmocka_unit_test(test_player_no_device),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
