/*
 * fuzz_decode.c - libFuzzer target: arbitrary bytes through the decoder
 * (audio_open_mem: libsndfile's virtual I/O, FFmpeg's fallback) and then
 * through the whole analysis pipeline (an_analyze_mem: resample, dsp,
 * regions, every core plugin, summary), so dsp and plugins also see
 * decoded garbage.
 *
 * Checks the decoder's contract on every block: frame counts in range,
 * every sample finite and within +/-8, info fields in their documented
 * ranges.  Any violation aborts (libFuzzer reports it as a crash).
 *
 * Budget: the pipeline runs only when the decode pass ended within
 * FUZZ_MAX_FRAMES source frames, so a few bytes of FLAC declaring an
 * hour of constant subframes cost one decode pass, not an analysis.
 * Build: make fuzz (clang, -fsanitize=fuzzer,address,undefined).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grym/analysis.h"
#include "grym/audio.h"
#include "grym/config.h"

#define FUZZ_MAX_FRAMES (44100L * 20)   /* source frames decoded at most */
#define FUZZ_BLOCK 1024                 /* frames per audio_read() */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct gr_config cfg;
static struct an_engine *engine;
static float *buf;

static void die(const char *what)
{
	fprintf(stderr, "fuzz_decode: contract violated: %s\n", what);
	abort();
}

static void setup(void)
{
	struct gr_err err = { 0 };

	config_defaults(&cfg);
	/* small and cheap: low rate, short STFT */
	cfg.rate = 8000;
	cfg.fft_size = 512;
	cfg.hop = 256;
	cfg.resample_quality = 4;
	engine = an_engine_new(NULL, 0, 0, &err);
	if (engine == NULL)
		die(err.msg);
	buf = malloc(sizeof(float) * FUZZ_BLOCK * AUDIO_CHANNELS_MAX);
	if (buf == NULL)
		die("out of memory");
}

/* One decode pass; returns 1 when the data ended within the budget. */
static int decode_pass(const uint8_t *data, size_t size)
{
	struct gr_err err = { 0 };
	struct audio_file *f = audio_open_mem(data, size, "fuzz", &err);
	const struct audio_info *in;
	long total = 0, got;
	int small = 0;

	if (f == NULL) {
		if (err.msg[0] == '\0' || err.code == 0)
			die("audio_open_mem failed without a message");
		return 0;
	}
	in = audio_get_info(f);
	if (in->rate < AUDIO_RATE_MIN || in->rate > AUDIO_RATE_MAX)
		die("rate out of range");
	if (in->channels < 1 || in->channels > AUDIO_CHANNELS_MAX)
		die("channels out of range");
	if (memchr(in->format, '\0', sizeof(in->format)) == NULL ||
	    memchr(in->codec, '\0', sizeof(in->codec)) == NULL)
		die("unterminated format or codec");
	while (total <= FUZZ_MAX_FRAMES) {
		got = audio_read(f, buf, FUZZ_BLOCK, &err);
		if (got < 0) {
			if (err.msg[0] == '\0')
				die("audio_read failed without a message");
			break;
		}
		if (got > FUZZ_BLOCK)
			die("audio_read returned more frames than asked");
		if (got == 0) {
			small = 1;
			(void)audio_end_status(f, &err);
			break;
		}
		for (long i = 0; i < got * in->channels; i++)
			if (!isfinite(buf[i]) || fabsf(buf[i]) > 8.0f)
				die("sample not finite or beyond +/-8");
		total += got;
		if (audio_frames_done(f) < total)
			die("audio_frames_done went backwards");
	}
	audio_close(f);
	return small;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gr_err err = { 0 };
	struct an_file out;

	if (engine == NULL)
		setup();
	if (!decode_pass(data, size))
		return 0;
	if (an_analyze_mem(data, size, "fuzz", &cfg, engine, &out, &err) == 0) {
		if (!(out.duration >= 0) || out.n_regions < 0)
			die("nonsense analysis result");
		for (int i = 0; i < out.n_regions; i++)
			if (!(out.regions[i].start <= out.regions[i].end))
				die("region ends before it starts");
		an_file_fini(&out);
	} else if (err.msg[0] == '\0') {
		die("an_analyze_mem failed without a message");
	}
	return 0;
}
