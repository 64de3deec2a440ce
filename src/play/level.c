/*
 * level.c - level-matched preview: the gain math, the clip guard, and
 * measuring loudness of a file the catalog does not know.
 *
 * Gain (dB) = target - loudness, where a mono source counts 3.01 dB
 * louder because it is copied to both sides at full level (EBU R128 sums
 * the channels' power).  Sources with more than two channels are folded
 * to stereo by audio_resampler with weights that keep a signal common to
 * all channels at its level, so the source loudness is used as it is.
 * The gain is then capped at +PLAY_MAX_BOOST_DB (so near-silence is not
 * raised into hiss) and at PLAY_CEILING_DB - peak (so the stored sample
 * peak never clips; -1 dB leaves room for the overshoot of resampling).
 * Unknown or unmeasurable loudness (NAN, -inf, below -70 LUFS, EBU's
 * absolute gate): unity gain, still peak-limited.  With level match off
 * the gain is 1, limited only for float sources louder than full scale.
 *
 * Costs: play_measure() decodes what it measures (libebur128's K-weighting
 * per sample and channel; ~100-500x real time).  Threads: any.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ebur128.h>

#include "grym/audio.h"
#include "grym/config.h"
#include "grym/util.h"
#include "play_int.h"

void play_cfg_from(struct play_cfg *c, const struct gr_config *cfg)
{
	memset(c, 0, sizeof(*c));
	str_lcpy(c->device, cfg->device, sizeof(c->device));
	c->latency_ms = cfg->latency_ms;
	c->level_match = cfg->level_match;
	c->preview_lufs = cfg->preview_lufs;
	c->volume = cfg->volume;
}

double play_level_gain(double loudness, double peak_db, int channels, double target_lufs,
                       int level_match)
{
	double g_db = 0, ceiling = level_match ? PLAY_CEILING_DB : 0.0;

	if (level_match && isfinite(loudness) && loudness > -70.0) {
		g_db = target_lufs - loudness - (channels == 1 ? 3.0103 : 0.0);
		if (g_db > PLAY_MAX_BOOST_DB)
			g_db = PLAY_MAX_BOOST_DB;
	}
	if (isfinite(peak_db) && g_db > ceiling - peak_db)
		g_db = ceiling - peak_db;
	return pow(10.0, g_db / 20.0);
}

float level_guard(const float *buf, size_t n)
{
	float peak = 0;
	size_t i;

	for (i = 0; i < n * PLAY_CH; i++) {
		float a = fabsf(buf[i]);
		if (a > peak)
			peak = a;
	}
	return peak > 0 ? 1.0f / peak : 1e9f;
}

int play_measure(const char *path, int64_t from, int64_t to, double max_s,
                 double *loudness, double *peak_db, struct gr_err *err)
{
	struct audio_file *f;
	const struct audio_info *in;
	ebur128_state *st = NULL;
	float *buf = NULL, peak = 0;
	int64_t left;
	double lu = -INFINITY;
	long got;
	int rc = 0;
	const size_t block = 4096;

	*loudness = NAN;
	*peak_db = NAN;
	if ((f = audio_open(path, err)) == NULL)
		return -err->code;
	in = audio_get_info(f);
	left = (int64_t)(max_s * in->rate);
	if (to > from && to - from < left)
		left = to - from;
	if (from > 0 && (rc = audio_seek(f, from, err)) < 0)
		goto out;
	st = ebur128_init((unsigned)in->channels, (unsigned long)in->rate, EBUR128_MODE_I);
	buf = malloc(block * (size_t)in->channels * sizeof(float));
	if (st == NULL || buf == NULL) {
		rc = gr_fail(err, GR_ENOMEM, "%s: no memory to measure loudness", path);
		goto out;
	}
	while (left > 0) {
		size_t want = left < (int64_t)block ? (size_t)left : block, i;

		got = audio_read(f, buf, want, err);
		if (got < 0) {
			rc = (int)got;
			goto out;
		}
		if (got == 0)
			break;
		for (i = 0; i < (size_t)got * (size_t)in->channels; i++)
			if (fabsf(buf[i]) > peak)
				peak = fabsf(buf[i]);
		ebur128_add_frames_float(st, buf, (size_t)got);
		left -= got;
	}
	if (ebur128_loudness_global(st, &lu) != EBUR128_SUCCESS)
		lu = -INFINITY;
	*loudness = lu;
	*peak_db = peak > 0 ? 20.0 * log10(peak) : -INFINITY;
out:
	if (st != NULL)
		ebur128_destroy(&st);
	free(buf);
	audio_close(f);
	return rc;
}
