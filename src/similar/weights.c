/*
 * weights.c - the aspects of similarity: names, block weights, per-dim
 * weights, the weighted squared distance and the score calibration.
 *
 * Calibration (SIM_SCALE): score = exp(-d2 / scale).  The scale of each
 * aspect was set from the pairwise distances of unrelated generated
 * sounds (sine tones, tone sequences, harmonic chords, white and pink
 * noise, click trains at several rates, at -6 and -18 dBFS; the set the
 * unit test tests/unit/test_similar.c builds) so that the median
 * unrelated pair scores about 0.1: scale = median d2 / ln 10.  The same
 * sound scores 1; a copy 12 dB quieter stays above 0.95 under every
 * aspect but loudness and overall.
 *
 * Costs: sim_dist2() is AN_SIM_DIM multiply-adds, written as eight
 * independent lanes so the compiler vectorises it without -ffast-math.
 * Thread rules: constant tables only.
 */
#include <math.h>
#include <string.h>
#include <strings.h>

#include "grym/similar.h"

const int sim_block_lo[SIM_NBLOCK + 1] = {
	SIM_TIMBRE_LO, SIM_SPECTRUM_LO, SIM_PITCH_LO, SIM_RHYTHM_LO, SIM_LOUDNESS_LO,
	AN_SIM_DIM,
};

static const char *const aspect_names[SIM_NASPECT] = {
	"overall", "timbre", "spectrum", "pitch", "rhythm", "loudness",
};

/* Block weights per aspect (rows sum to 1). */
static const float block_w[SIM_NASPECT][SIM_NBLOCK] = {
	/*               timbre spectrum pitch rhythm loudness */
	[SIM_OVERALL] = { 0.30f, 0.20f, 0.20f, 0.15f, 0.15f },
	[SIM_TIMBRE] = { 0.80f, 0.20f, 0, 0, 0 },
	[SIM_SPECTRUM] = { 0, 1, 0, 0, 0 },
	[SIM_PITCH] = { 0, 0, 1, 0, 0 },
	[SIM_RHYTHM] = { 0, 0, 0, 1, 0 },
	[SIM_LOUDNESS] = { 0, 0, 0, 0, 1 },
};

/* d2 of the median unrelated pair / ln 10 (see the file comment). */
static const float sim_scale[SIM_NASPECT] = {
	[SIM_OVERALL] = 1.31f, [SIM_TIMBRE] = 1.69f, [SIM_SPECTRUM] = 1.20f,
	[SIM_PITCH] = 0.68f, [SIM_RHYTHM] = 1.07f, [SIM_LOUDNESS] = 0.25f,
};

const char *sim_aspect_name(int aspect)
{
	return aspect >= 0 && aspect < SIM_NASPECT ? aspect_names[aspect] : "?";
}

int sim_aspect_parse(const char *name)
{
	if (name == NULL)
		return -1;
	if (!strcasecmp(name, "sound") || !strcasecmp(name, "all"))
		return SIM_OVERALL;
	for (int i = 0; i < SIM_NASPECT; i++)
		if (!strcasecmp(name, aspect_names[i]))
			return i;
	return -1;
}

float sim_block_weight(int aspect, int block)
{
	if (aspect < 0 || aspect >= SIM_NASPECT || block < 0 || block >= SIM_NBLOCK)
		return 0;
	return block_w[aspect][block];
}

void sim_weights(int aspect, float w[AN_SIM_DIM])
{
	memset(w, 0, sizeof(float) * AN_SIM_DIM);
	if (aspect < 0 || aspect >= SIM_NASPECT)
		aspect = SIM_OVERALL;
	for (int b = 0; b < SIM_NBLOCK; b++) {
		int lo = sim_block_lo[b], hi = sim_block_lo[b + 1];
		for (int j = lo; j < hi; j++)
			w[j] = block_w[aspect][b] / (float)(hi - lo);
	}
}

float sim_dist2(const float *a, const float *b, const float *w)
{
	float acc[8] = { 0 }, s = 0;

	for (int j = 0; j < AN_SIM_DIM; j += 8)
		for (int l = 0; l < 8; l++) {
			float d = a[j + l] - b[j + l];
			acc[l] += w[j + l] * d * d;
		}
	for (int l = 0; l < 8; l++)
		s += acc[l];
	return s;
}

float sim_score(float d2, int aspect)
{
	if (aspect < 0 || aspect >= SIM_NASPECT)
		aspect = SIM_OVERALL;
	if (!(d2 > 0))
		return 1.0f;
	return expf(-d2 / sim_scale[aspect]);
}
