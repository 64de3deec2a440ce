/*
 * key_profile.c - key profiles and the chroma arithmetic of the key
 * plugin: tuning from the 36-bin chroma, folding to 12 pitch classes, and
 * correlation of a 12-bin chroma with the 24 major and minor profiles.
 *
 * Profiles are the weight of each scale degree in a key.  Three
 * published profiles are kept: Krumhansl-Kessler probe tones, Temperley's
 * Kostka-Payne corpus counts and Albrecht-Shanahan's corpus profile.  On
 * the development songs (rendered pop, 60 songs, dsp chroma) the
 * Albrecht-Shanahan profile alone did best (78 % exact on the global
 * chroma, against 55-77 % for the others and 70-73 % for their means);
 * a profile learned from the songs themselves did worse in
 * cross-validation (70 %).  PROF_MASK selects the profiles averaged.
 * Audio chroma carries the partials of every note (the 3rd harmonic is a
 * fifth up, the 5th a major third up), and audio_profile() can spread a
 * profile over a decaying harmonic series (PROF_HARM); the dsp's
 * peak-picked chroma needs none (0 was best).
 *
 * Costs: key_scores() is 24 x 12 x profiles multiply-adds.
 * Thread rules: reentrant; the derived profiles are computed on each call
 * from constant tables (cheap), no global state.
 */
#include <math.h>
#include <string.h>

#include "musical.h"

#define NPROF 3
#ifndef PROF_MASK
#define PROF_MASK 4       /* profiles used (bit p = profiles[p]) */
#endif
#ifndef PROF_HARM
#define PROF_HARM 0.0     /* weight of the harmonics in audio_profile() */
#endif

/* [profile][mode][degree], degree 0 = tonic, in semitones above it */
static const double profiles[NPROF][2][12] = {
	{   /* Krumhansl & Kessler 1982 */
		{ 6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88 },
		{ 6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17 },
	},
	{   /* Temperley 2005, Kostka-Payne corpus */
		{ 0.748, 0.060, 0.488, 0.082, 0.670, 0.460, 0.096, 0.715, 0.104, 0.366, 0.057, 0.400 },
		{ 0.712, 0.084, 0.474, 0.618, 0.049, 0.460, 0.105, 0.747, 0.404, 0.067, 0.133, 0.330 },
	},
	{   /* Albrecht & Shanahan 2013 */
		{ 0.238, 0.006, 0.111, 0.006, 0.137, 0.094, 0.016, 0.214, 0.009, 0.080, 0.008, 0.081 },
		{ 0.220, 0.006, 0.104, 0.123, 0.019, 0.103, 0.012, 0.214, 0.062, 0.022, 0.061, 0.052 },
	},
};

/* Semitone offsets (mod 12) of harmonics 1..6 and their relative weight
 * in a typical instrument tone. */
static const int harm_pc[6] = { 0, 0, 7, 0, 4, 7 };
static const double harm_w[6] = { 1.0, 0.5, 0.33, 0.25, 0.2, 0.17 };

/* Pearson correlation of two 12-vectors. */
static double corr12(const double *a, const double *b)
{
	double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
	for (int i = 0; i < 12; i++) {
		ma += a[i];
		mb += b[i];
	}
	ma /= 12;
	mb /= 12;
	for (int i = 0; i < 12; i++) {
		sab += (a[i] - ma) * (b[i] - mb);
		saa += (a[i] - ma) * (a[i] - ma);
		sbb += (b[i] - mb) * (b[i] - mb);
	}
	return saa > 0 && sbb > 0 ? sab / sqrt(saa * sbb) : 0;
}

/* The profile as it appears in audio chroma: every degree spreads its
 * weight onto the pitch classes of its harmonics. */
static void audio_profile(const double *prof, double harm, double out[12])
{
	memset(out, 0, 12 * sizeof(*out));
	for (int d = 0; d < 12; d++)
		for (int h = 0; h < 6; h++)
			out[(d + harm_pc[h]) % 12] += prof[d] * (h ? harm * harm_w[h] : 1.0);
}

void key_scores(const float chroma12[12], float score[24])
{
	double c[12], prof[12], rot[12];
	for (int i = 0; i < 12; i++)
		c[i] = chroma12[i];
	for (int k = 0; k < 24; k++)
		score[k] = 0;
	int used = 0;
	for (int p = 0; p < NPROF; p++)
		used += (PROF_MASK >> p) & 1;
	for (int p = 0; p < NPROF; p++)
		for (int mode = 0; mode < 2; mode++) {
			if (!((PROF_MASK >> p) & 1))
				continue;
			audio_profile(profiles[p][mode], PROF_HARM, prof);
			for (int tonic = 0; tonic < 12; tonic++) {
				for (int i = 0; i < 12; i++)
					rot[(i + tonic) % 12] = prof[i];
				score[mode * 12 + tonic] += (float)(corr12(c, rot) / used);
			}
		}
}

float key_tuning(const double e[36])
{
	/* bin 3pc is on pitch, 3pc+1 a third of a semitone sharp, 3pc+2 a
	 * third flat of the next pitch class: a circular mean over the three
	 * phases of each semitone */
	static const double ang[3] = { 0.0, 2.0 * M_PI / 3.0, -2.0 * M_PI / 3.0 };
	double re = 0, im = 0;
	for (int b = 0; b < 36; b++) {
		double v = e[b] > 0 && isfinite(e[b]) ? e[b] : 0;
		re += v * cos(ang[b % 3]);
		im += v * sin(ang[b % 3]);
	}
	if (re == 0 && im == 0)
		return 0;
	return (float)(atan2(im, re) / (2.0 * M_PI) * 100.0);
}

void key_fold(const float *c36, float cents, float out[12])
{
	/* pitch class pc is centred at bin 3pc + cents / (100/3); each bin
	 * goes to its nearest pitch class, weighted down by its distance from
	 * it so that energy between two semitones counts less */
	double shift = cents / (100.0 / 3.0);
	for (int b = 0; b < 36; b++) {
		float v = c36[b];
		if (!(v > 0) || !isfinite(v))
			continue;
		double pos = ((double)b - shift) / 3.0;      /* semitones above C */
		double near = floor(pos + 0.5);
		double d = fabs(pos - near);                 /* 0..0.5 */
		int pc = ((int)near % 12 + 12) % 12;
		out[pc] += (float)(v * (1.0 - d));
	}
}
