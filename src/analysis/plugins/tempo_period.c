/*
 * tempo_period.c - tempo_estimate() of the tempo plugin: BPM with
 * confidence and alternates, or "no tempo" when the region has no steady
 * pulse; calls tempo_beats.c for the beat grid, meter and downbeat.
 *
 * Method: tempo_onset.c gives the onset envelope (the dsp's log-mel
 * flux, detrended; flux_sus, which ignores partials that dip and recover,
 * for regions whose sustained share is at least SUST_HI) and its windowed
 * autocorrelation.  The salience of a
 * beat period p is the mean autocorrelation
 * at p, 2p, ... 8p (as many as fit in 4.5 s): a pulse repeats at every
 * multiple, spurious peaks do not.  Octaves are resolved explicitly:
 *   0. the metrical level: each salience peak scores with the salience at
 *      its double and half (a beat is subdivided and grouped into bars, a
 *      cross-rhythm's period rarely is: see pick_tempo());
 *   1. the salience peak of that level weighted by a log-Gaussian tempo
 *      prior wins against its x1/2 and x2 (those and the strongest of its
 *      x2/3, x3/2, x1/3, x3, x3/4, x4/3, x4/5, x5/4 relatives are reported
 *      as alternates with their scores).  The prior is centred at 110 BPM for
 *      percussive material and 85 BPM for sustained, pitched material
 *      (the share of chroma energy that survives a median filter), as
 *      legato music is felt slower; 0.6 and 0.8 octaves wide;
 *   2. on the beat grid of that tempo, onsets between the beats as strong
 *      as on them (or drum hits there as strong, with all beats alike)
 *      double it: a plain pulse is counted at its own rate; every other
 *      beat empty (no onset, or no drum hit where there are drum hits)
 *      halves it;
 *   3. drums (drum hits, little sustained energy) whose snare band
 *      (200-800 Hz onsets) repeats every beat but not half a beat apart,
 *      with kick hits between the beats, are a backbeat groove read at
 *      half speed (the snare falls on 2 and 4): the tempo doubles.  On
 *      the drum set this fixed 3 halved pop/rock grooves (132-145 BPM)
 *      and broke none; its thresholds sit on a plateau in both halves.
 * The period is refined against every multiple that fits, tempo_beats.c
 * tracks beats by dynamic programming (Ellis 2007), measures the final BPM
 * from the grid, and finds meter and downbeat.  No tempo when the pulse
 * is within noise (salience x sqrt(frames) < 2.5) or the region holds
 * fewer than 3 periods or 3 s.
 *
 * The tuning constants below were fitted on the development sets (pop
 * songs without drums, drum performances); each can be overridden with
 * -D for the tuning scripts.
 *
 * Costs: tempo_onset.c's O(frames x max lag) multiply-adds (~200 lags)
 * dominate; O(frames) memory.
 * Thread rules: reentrant.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grym/analysis.h"
#include "grym/util.h"
#include "musical.h"

#ifndef BPM_MIN
#define BPM_MIN 40.0
#endif
#ifndef BPM_MAX
#define BPM_MAX 240.0
#endif
#ifndef ALT_MIN
#define ALT_MIN 25.0       /* alternates may lie outside the main range */
#endif
#ifndef ALT_MAX
#define ALT_MAX 320.0
#endif
#ifndef GRID_STEP
#define GRID_STEP 1.004    /* ratio between salience grid points */
#endif
#ifndef PRIOR_PERC
#define PRIOR_PERC 110.0   /* centre of the tempo prior, percussive material */
#endif
#ifndef PRIOR_SUST
#define PRIOR_SUST 85.0    /* ... and for sustained (pitched, legato) material */
#endif
#ifndef SUST_LO
#define SUST_LO 0.76       /* sustained share at or below which: percussive */
#endif
#ifndef SUST_HI
#define SUST_HI 0.85       /* ... at or above which: sustained */
#endif
#ifndef SAL_MULT
#define SAL_MULT 8         /* multiples of the period in the salience */
#endif
#ifndef PRIOR_OCT
#define PRIOR_OCT 0.6      /* its width for percussive material, octaves (1 sigma) */
#endif
#ifndef PRIOR_OCT_SUST
#define PRIOR_OCT_SUST 0.8 /* ... and for sustained material */
#endif
#ifndef PULSE_Z
#define PULSE_Z 2.5        /* ... or below this many noise deviations */
#endif
#ifndef PULSE_MIN
#define PULSE_MIN 0.02f    /* below this periodicity: no tempo */
#endif
#ifndef MIN_SECONDS
#define MIN_SECONDS 3.0    /* shorter regions: no tempo */
#endif
#ifndef MID_DOUBLE
#define MID_DOUBLE 0.8     /* between-beat / on-beat onsets above this: x2 */
#endif
#ifndef MID_DRUM
#define MID_DRUM 0.6       /* ... or above this with drum hits between the */
#endif
#ifndef HIT_DRUM
#define HIT_DRUM 0.9       /*     beats as strong as on them (kick, snare) */
#endif
#ifndef ALT_DRUM
#define ALT_DRUM 0.9       /*     and all beats alike */
#endif
#ifndef ALT_EMPTY
#define ALT_EMPTY 0.08     /* every other beat this much weaker: x1/2 */
#endif
#ifndef HALF_FLOOR
#define HALF_FLOOR 55.0    /* ... but never to below this many BPM: a bass on
                              one and three under a chord struck on every
                              beat leaves the off beats weak in the onset
                              envelope, yet the pulse is the chord's; songs
                              below 55 BPM are rare (neutral on the pop and
                              drum sets for any floor from 55 to 70; a click
                              track at 60 BPM still halves from 120) */
#endif
#ifndef BACKBEAT_MIN
#define BACKBEAT_MIN 0.5   /* snare repeating every beat this strongly ... */
#endif
#ifndef BACKBEAT_HALF
#define BACKBEAT_HALF 0.3  /* ... and not half a beat apart: x2 */
#endif
#ifndef BACKBEAT_KICK
#define BACKBEAT_KICK 0.4  /* ... with drum hits (kick) between the beats */
#endif
#ifndef W_SUB
#define W_SUB 1.25         /* weight of a period's subdivision (x2) in its */
#endif                     /* metrical score ... */
#ifndef W_BAR
#define W_BAR 0.4          /* ... and of its grouping (x1/2) */
#endif
#ifndef DOUBLE_MAX
#define DOUBLE_MAX 200.0   /* ... unless the doubled tempo is beyond this */
#endif

/* Linear interpolation of a[] at fractional index x (0 outside). */
static double lerp_at(const double *a, size_t n, double x)
{
	if (x < 0)
		return 0;
	size_t i = (size_t)x;
	if (i + 1 >= n)
		return i < n ? a[i] : 0;
	double f = x - (double)i;
	return a[i] * (1 - f) + a[i + 1] * f;
}

/* Salience of period p (frames): the pulse and its multiples. */
static double salience(const double *acf, size_t L, double p)
{
	double s = 0;
	int k;
	for (k = 1; k <= SAL_MULT; k++) {
		if (k * p >= (double)(L - 1))
			break;
		double v = lerp_at(acf, L, k * p);
		s += v > 0 ? v : 0;
	}
	return k > 1 ? s / (k - 1) : 0;
}

/*
 * The backbeat: in most drum grooves the snare falls on every other beat
 * (2 and 4), so the snare's period is two beats.  Fills a[] with the
 * autocorrelation of the snare-band onsets (rises of the 200-800 Hz
 * bands, where the snare sounds and kick and cymbals little) at p/2, p,
 * 2p and 4p frames (0 beyond the region, all 0 without those bands).
 * O(frames).
 */
static void backbeat(const struct tempo_in *in, double p, float a[4])
{
	static const double mult[4] = { 0.5, 1, 2, 4 };
	size_t n = in->n;
	double *e = in->snare ? malloc(n * sizeof(*e)) : NULL, mean = 0, a0 = 0;
	a[0] = a[1] = a[2] = a[3] = 0;
	if (!e)
		return;
	for (size_t i = 0; i < n; i++) {
		double v = 0;
		for (int b = 0; b < 2 && i >= 2; b++) {
			double d = in->snare[i * in->stride + b] - in->snare[(i - 2) * in->stride + b];
			v += isfinite(d) && d > 0 ? d : 0;
		}
		e[i] = v;
		mean += v;
	}
	mean /= (double)n;
	for (size_t i = 0; i < n; i++) {
		e[i] -= mean;
		a0 += e[i] * e[i];
	}
	for (int k = 0; k < 4 && a0 > 0; k++) {
		double lag = p * mult[k], v[2];
		size_t l = (size_t)lag;
		if (l + 2 >= n / 2)   /* at least half the region overlaps */
			break;
		for (int j = 0; j < 2; j++) {
			double acc = 0;
			for (size_t i = 0; i + l + (size_t)j < n; i++)
				acc += e[i] * e[i + l + (size_t)j];
			v[j] = acc / (double)(n - l - (size_t)j) / (a0 / (double)n);
		}
		a[k] = (float)(v[0] + (lag - (double)l) * (v[1] - v[0]));
	}
	free(e);
}

struct prior { double c, w; };   /* centre, BPM; width, octaves */

/* Log-Gaussian tempo prior. */
static double prior(double bpm, struct prior pr)
{
	double z = log2(bpm / pr.c) / pr.w;
	return exp(-0.5 * z * z);
}

/* Centre of the prior from the share of sustained (pitched, legato)
 * energy: percussive material centres on PRIOR_PERC, sustained on
 * PRIOR_SUST, interpolated on a log scale in between. */
static struct prior prior_for(double sustained)
{
	double t = (sustained - SUST_LO) / (SUST_HI - SUST_LO);
	struct prior pr;
	t = t < 0 ? 0 : t > 1 ? 1 : t;
	pr.c = PRIOR_PERC * pow(PRIOR_SUST / PRIOR_PERC, t);
	pr.w = PRIOR_OCT + t * (PRIOR_OCT_SUST - PRIOR_OCT);
	return pr;
}

/* Best period near p (within +-tol, relative) by the mean of the
 * autocorrelation at as many multiples of the period as fit. */
static double refine_period(const double *acf, size_t L, double p, double tol)
{
	double best = p, best_s = -1;
	for (double r = 1 - tol; r <= 1 + tol; r += 0.0005) {
		double q = p * r, s = 0;
		int k, cnt = 0;
		for (k = 1; k * q < (double)(L - 1); k++) {
			s += lerp_at(acf, L, k * q);
			cnt++;
		}
		if (cnt && s / cnt > best_s) {
			best_s = s / cnt;
			best = q;
		}
	}
	return best;
}

/* The highest salience within +-tol (relative) of bpm, 0 if out of
 * range; *at gets its BPM. */
static double peak_near(const double *acf, size_t L, double fps, double bpm, double tol,
                        double *at)
{
	double best = 0;
	*at = bpm;
	if (bpm < ALT_MIN || bpm > ALT_MAX)
		return 0;
	for (double b = bpm * (1 - tol); b <= bpm * (1 + tol); b *= 1.002) {
		double s = salience(acf, L, 60.0 * fps / b);
		if (s > best) {
			best = s;
			*at = b;
		}
	}
	return best;
}

#define MAX_PEAKS 256       /* salience peaks kept (the grid has ~450 points) */

struct peak { double bpm, s; };   /* a local peak of the salience */

/*
 * The beat among the salience peaks, in two steps.  1. The metrical
 * level: a beat is subdivided (its double repeats too: eighth notes,
 * hi-hats) and grouped (its half: bars), while a cross-rhythm's period
 * (dotted eighths, a 3-3-2 clave: 4:3, 5:4 or 3:2 relatives of the beat)
 * rarely has both.  Each peak scores its salience + W_SUB x the salience
 * at twice its tempo + W_BAR x at half, times the prior; the best wins.
 * 2. The octave: among the peaks at x1/2, x1 and x2 of that tempo, the
 * best prior-weighted salience (the octave tests on the beat grid follow).
 * Step 1 fixed two New Orleans grooves of the drum set whose snare plays
 * dotted eighths (82 BPM read 102.6, 5:4) and a pop song read at 2:3
 * (110 as 73.4), and broke nothing; the drum set keeps all its answers'
 * metrical levels for W_SUB 0.75-1.5 with W_BAR 0.25-0.6 (the pop song
 * needs W_SUB >= 1).  Summing the salience of whole octave families
 * instead was tried: it read a bossa nova at its 3-3-2 clave (127 as 84.7).
 */
static double pick_tempo(const double *acf, size_t L, double fps, const struct peak *pk,
                         size_t np, struct prior centre)
{
	double best_w = 0, level = 0, at, best = 0;
	for (size_t i = 0; i < np; i++) {
		double b = pk[i].bpm;
		double f = pk[i].s + W_SUB * peak_near(acf, L, fps, 2 * b, 0.02, &at) +
		           W_BAR * peak_near(acf, L, fps, b / 2, 0.02, &at);
		double w = f * prior(b, centre);
		if (w > best_w) {
			best_w = w;
			level = b;
		}
	}
	best_w = 0;
	for (size_t i = 0; i < np && level > 0; i++) {
		double r = pk[i].bpm / level, w = pk[i].s * prior(pk[i].bpm, centre);
		int member = fabs(r - 0.5) < 0.02 || fabs(r - 1) < 0.04 || fabs(r - 2) < 0.08;
		if (member && w > best_w) {
			best_w = w;
			best = pk[i].bpm;
		}
	}
	return best;
}

static void set_no_tempo(struct an_tempo_result *out)
{
	memset(out, 0, sizeof(*out));
	out->has_tempo = 0;
	out->downbeat = -1;
}

int tempo_estimate(const struct tempo_in *in, struct an_tempo_result *out,
                   struct tempo_diag *diag, struct gr_err *err)
{
	/* octave, triple and metrical (dotted, quintuple grouping) relatives */
	static const double ratios[] = {
		0.5, 2.0, 2.0 / 3.0, 1.5, 1.0 / 3.0, 3.0, 0.75, 4.0 / 3.0, 0.8, 1.25,
	};
	struct tempo_diag dg;
	double *o = NULL, *acf = NULL;
	struct peak pk[MAX_PEAKS];
	size_t L;
	int rc = 0;

	memset(&dg, 0, sizeof(dg));
	set_no_tempo(out);
	if (in->n < 8 || in->fps <= 0 || (double)in->n / in->fps < MIN_SECONDS)
		goto done;
	/* lags up to 4.5 s: four periods at 53 BPM, a bar of 4 at 53 BPM */
	L = (size_t)(4.5 * in->fps) + 2;
	double sustained = in->chroma ? key_sustained(in->chroma, in->stride, in->n) : 0.0;
	struct tempo_in sus_in;
	if (sustained >= SUST_HI && in->onset_sus) {
		sus_in = *in;
		sus_in.onset = in->onset_sus;
		in = &sus_in;
	}
	if (L > in->n)
		L = in->n;
	acf = malloc(L * sizeof(*acf));
	int used = acf ? tempo_periodicity(in, L, &o, acf) : -GR_ENOMEM;
	if (used < 0) {
		rc = gr_fail(err, GR_ENOMEM, "tempo: no memory for %zu frames", in->n);
		goto done;
	}
	if (used == 0)
		goto done;
#ifdef TEMPO_DUMP   /* development: the autocorrelation, for offline tuning */
	for (size_t l = 0; l < L; l++)
		fprintf(stderr, "%s%.4f", l ? " " : "ACF ", acf[l]);
	fprintf(stderr, "\n");
#endif

	struct prior centre = prior_for(sustained);
	dg.prior_bpm = (float)centre.c;
	/* the local peaks of the salience over the grid */
	size_t np = 0;
	double prev2 = 0, prev1 = 0, prev_b = 0;
	for (double b = BPM_MIN; b <= BPM_MAX * 1.0001; b *= GRID_STEP) {
		double s = salience(acf, L, 60.0 * in->fps / b);
		if (prev1 >= prev2 && prev1 >= s && prev1 > 0 && np < MAX_PEAKS) {
			pk[np].bpm = prev_b;
			pk[np].s = prev1;
			np++;
		}
		prev2 = prev1;
		prev1 = s;
		prev_b = b;
	}
	double best_bpm = pick_tempo(acf, L, in->fps, pk, np, centre);
#ifdef TEMPO_DUMP
	fprintf(stderr, "BEST %.2f centre %.1f\n", best_bpm, centre.c);
#endif
	if (best_bpm <= 0)
		goto done;

	double p = refine_period(acf, L, 60.0 * in->fps / best_bpm, 0.02);
	/* the pulse strength: the salience, not the autocorrelation at p
	 * alone, which a half-time groove can leave near zero */
	double pulse = salience(acf, L, p);
	dg.pulse = (float)(pulse > 0 ? pulse : 0);
	dg.raw_bpm = (float)(60.0 * in->fps / p);
	/* no steady pulse: a peak no higher than the autocorrelation of
	 * noise of this length (about 1 / sqrt(frames)) or too few periods */
	if (pulse < PULSE_MIN || pulse * sqrt((double)in->n) < PULSE_Z || (double)in->n < 3 * p)
		goto done;

	rc = tempo_track(in, o, p, out, &dg, err);
	if (rc < 0 || !out->has_tempo)
		goto done;
	/* octave test on the beat grid: onsets as strong between the beats
	 * as on them mean the beat is twice as fast (a plain pulse train is
	 * counted at its own rate, not as half notes).  (Halving when every
	 * other beat is weak was tried: it broke more than it fixed.) */
	double bpm0 = 60.0 * in->fps / p;
	int oct = 0, drums = dg.alt_hit >= 0 && sustained <= SUST_LO;
	if (drums)
		backbeat(in, p, dg.backbeat);
	/* (halving when the snare repeats only every fourth beat was tried:
	 * it halved a 142 BPM pop groove as often as it fixed a 70 BPM
	 * hip-hop one) */
	if (2 * bpm0 <= DOUBLE_MAX &&
	    (dg.mid_ratio > MID_DOUBLE ||
	     (dg.mid_ratio > MID_DRUM && dg.mid_hit > HIT_DRUM && dg.alt_ratio > ALT_DRUM)))
		oct = 1;
	else if (drums && 2 * bpm0 <= DOUBLE_MAX && dg.backbeat[1] >= BACKBEAT_MIN &&
	         dg.backbeat[1] >= dg.backbeat[2] && dg.backbeat[0] <= BACKBEAT_HALF &&
	         dg.mid_hit > BACKBEAT_KICK)
		oct = 1;   /* drums whose snare hits every beat: a backbeat, x2 */
	else if (bpm0 / 2 >= HALF_FLOOR && bpm0 / 2 >= BPM_MIN &&
	         (dg.alt_ratio < ALT_EMPTY || (dg.alt_hit >= 0 && dg.alt_hit < ALT_EMPTY)))
		oct = -1;   /* every other beat empty: the beat is half as fast */
	if (oct) {
		struct tempo_diag first = dg;
		double p2 = refine_period(acf, L, oct > 0 ? p / 2 : p * 2, 0.01);
		free(out->beats);
		set_no_tempo(out);
		rc = tempo_track(in, o, p2, out, &dg, err);
		dg.mid_ratio = first.mid_ratio;
		dg.alt_ratio = first.alt_ratio;
		if (rc < 0)
			goto done;
		if (out->has_tempo) {
			p = p2;
		} else {
			oct = 0;
			rc = tempo_track(in, o, p, out, &dg, err);
			if (rc < 0 || !out->has_tempo)
				goto done;
		}
	}
	dg.octave = oct;

	/* alternates: octave relatives with their prior-weighted salience */
	double bpm = 60.0 * in->fps / p;
	double main_w = salience(acf, L, p) * prior(bpm, centre), total = main_w;
	struct { double bpm, w; } alt[GR_ARRAY_LEN(ratios)];
	int na = 0;
	for (size_t i = 0; i < GR_ARRAY_LEN(ratios); i++) {
		double at, s = peak_near(acf, L, in->fps, bpm * ratios[i], 0.04, &at);
		if (s <= 0)
			continue;
		alt[na].bpm = at;
		alt[na].w = s * prior(at, centre);
		total += alt[na].w;
		na++;
	}
	/* scale alternates to the refined tempo so x2 stays exactly x2 */
	double scale = out->bpm / bpm;
	/* strongest first; x1/2 and x2 are kept whatever their score */
	for (int i = 0; i < na; i++)
		for (int j = i + 1; j < na; j++)
			if (alt[j].w > alt[i].w) {
				double tb = alt[i].bpm, tw = alt[i].w;
				alt[i] = alt[j];
				alt[j].bpm = tb;
				alt[j].w = tw;
			}
	out->n_alt = 0;
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < na && out->n_alt < AN_MAX_ALT; i++) {
			double r = alt[i].bpm / bpm;
			int octave = fabs(r - 0.5) < 0.03 || fabs(r - 2.0) < 0.1;
			if ((pass == 0) != octave)
				continue;
			out->alt[out->n_alt].bpm = (float)(alt[i].bpm * scale);
			out->alt[out->n_alt].score = (float)(alt[i].w / total);
			out->n_alt++;
		}
	double share = main_w / total;
	double strength = pulse / (pulse + 0.15);
	out->conf = (float)(share * strength);
	if (out->conf > 1)
		out->conf = 1;
done:
	if (diag)
		*diag = dg;
	free(o);
	free(acf);
	if (rc < 0) {
		free(out->beats);
		set_no_tempo(out);
	}
	return rc;
}

