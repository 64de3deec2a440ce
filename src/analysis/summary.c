/*
 * summary.c - file-level results derived from the regions.
 *
 *   class  the duration-weighted mean of the regions' class probabilities;
 *          the main class is its maximum (so both duration and confidence
 *          count), class_share is the share of region time per class.  A
 *          file with audio but no region (all below the silence threshold)
 *          is silence.
 *   key    each region votes for its key and its runner-up with duration x
 *          their confidences (unpitched regions with 1 % of their
 *          duration: a file is keyless only when little of it is pitched);
 *          conf = the duration-weighted mean confidence of the winner.
 *   tempo  a vote of the regions with a steady pulse over tempo
 *          hypotheses (each region's tempo and alternates), weighted by
 *          duration x confidence, preferring music and percussion: a
 *          performance split at its pauses is read as one.
 *
 * Costs: O(regions) for class and key, O(regions^2) for tempo.  Thread rules: none (pure function of f).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis_int.h"

static void summarize_class(struct an_file *f, struct an_summary *s)
{
	double p[AN_NCLASS] = { 0 }, total = 0;

	for (int i = 0; i < f->n_regions; i++) {
		const struct an_region *r = &f->regions[i];
		double d = r->end - r->start;
		if (!r->has_class || d <= 0)
			continue;
		total += d;
		for (int c = 0; c < AN_NCLASS; c++)
			p[c] += d * r->cls.prob[c];
		if (r->cls.cls >= 0 && r->cls.cls < AN_NCLASS)
			s->class_share[r->cls.cls] += (float)d;
	}
	if (total <= 0) {
		if (f->n_regions == 0 && f->duration > 0) {
			s->cls = AN_SILENCE;
			s->cls_conf = 1.0f;
			s->class_share[AN_SILENCE] = 1.0f;
		}
		return;
	}
	s->cls = 0;
	for (int c = 0; c < AN_NCLASS; c++) {
		s->class_share[c] = (float)(s->class_share[c] / total);
		if (p[c] > p[s->cls])
			s->cls = c;
	}
	s->cls_conf = (float)(p[s->cls] / total);
}

static void summarize_key(struct an_file *f, struct an_summary *s)
{
	double score[25] = { 0 }, keyed = 0;   /* 0..23 keys, 24 = no key */
	int best = -1, second = -1;

	for (int i = 0; i < f->n_regions; i++) {
		const struct an_region *r = &f->regions[i];
		double d = r->end - r->start;
		if (!r->has_key || d <= 0)
			continue;
		if (r->key.key < 0 || r->key.key >= 24) {
			score[24] += d * 0.01;   /* keyless only when little is pitched */
			continue;
		}
		keyed += d;
		score[r->key.key] += d * (r->key.conf > 0 ? r->key.conf : 0.01);
		if (r->key.runner >= 0 && r->key.runner < 24)
			score[r->key.runner] += d * r->key.runner_conf;
	}
	for (int k = 0; k < 25; k++) {
		if (score[k] <= 0)
			continue;
		if (best < 0 || score[k] > score[best]) {
			second = best;
			best = k;
		} else if (second < 0 || score[k] > score[second]) {
			second = k;
		}
	}
	if (best < 0)
		return;
	if (best == 24) {          /* unpitched: no key */
		double all = 0;
		for (int k = 0; k < 25; k++)
			all += score[k];
		s->key = AN_NO_KEY;
		s->key_conf = (float)(score[24] / all);
		return;
	}
	/* confidences: the duration-weighted mean of the regions' own, so a
	 * one-region file says what its region says */
	s->key = best;
	s->key_conf = (float)fmin(1.0, score[best] / keyed);
	if (second >= 0 && second < 24) {
		s->key_runner = second;
		s->key_runner_conf = (float)fmin(1.0, score[second] / keyed);
	}
}

/* Weight of a region's tempo in the file's: its duration x confidence,
 * x4 for music and percussion (a musical region is the file's tempo
 * before a chirping bird); 0 without a tempo. */
static double tempo_weight(const struct an_region *r)
{
	double w = (r->end - r->start) * (r->tempo.conf > 0 ? r->tempo.conf : 0.01);
	if (!r->has_tempo || !r->tempo.has_tempo || w <= 0)
		return 0;
	if (r->has_class && (r->cls.cls == AN_MUSIC || r->cls.cls == AN_PERCUSSION))
		w *= 4;
	return w;
}

/* How much region r supports tempo h: the score of its reading (the
 * chosen tempo or an alternate) within TEMPO_TOL of h, 0 if none.  The
 * chosen tempo's score is the share its alternates leave, at least the
 * best alternate's; *at gets the
 * region's own BPM for h. */
#define TEMPO_TOL 0.04
static double tempo_support(const struct an_region *r, double h, double *at)
{
	const struct an_tempo_result *t = &r->tempo;
	double best = 0, rest = 1, top = 0;
	for (int i = 0; i < t->n_alt; i++) {
		rest -= t->alt[i].score;
		top = fmax(top, t->alt[i].score);
	}
	/* the plugin's octave tests may pick a reading whose periodicity
	 * alone scores below an alternate's: its choice counts as much */
	if (fabs(t->bpm - h) <= TEMPO_TOL * h) {
		best = fmax(fmax(rest, top), 0.2);
		*at = t->bpm;
	}
	for (int i = 0; i < t->n_alt; i++)
		if (fabs(t->alt[i].bpm - h) <= TEMPO_TOL * h && t->alt[i].score > best) {
			best = t->alt[i].score;
			*at = t->alt[i].bpm;
		}
	return best;
}

/* The file's support for tempo h over all regions (weights w), and the
 * BPM as the best supporting region reads it (*bpm), that region (*who). */
static double file_support(const struct an_file *f, const double *w, double h,
                           double *bpm, int *who)
{
	double sum = 0, top = 0;
	for (int i = 0; i < f->n_regions; i++) {
		double at = h, s;
		if (w[i] <= 0)
			continue;
		s = w[i] * tempo_support(&f->regions[i], h, &at);
		sum += s;
		if (s > top) {
			top = s;
			*bpm = at;
			*who = i;
		}
	}
	return sum;
}

/*
 * The file's tempo is a vote of its regions: a drum performance split at
 * its pauses has many regions, each of which alone may read the pulse at
 * half or double speed.  Every reading of every region (its chosen tempo
 * and its alternates) is a hypothesis; the hypothesis with the most
 * support (region weight x the score of the region's reading within 4 %)
 * wins, and its octave and metrical relatives (the ratios the tempo
 * plugin offers), scored alike, are the alternates.
 */
static void summarize_tempo(struct an_file *f, struct an_summary *s)
{
	static const double rel[] = {
		0.5, 2.0, 2.0 / 3.0, 1.5, 1.0 / 3.0, 3.0, 0.75, 4.0 / 3.0, 0.8, 1.25,
	};
	double *w = calloc(f->n_regions > 0 ? (size_t)f->n_regions : 1, sizeof(*w)), total = 0;
	double best_s = 0, best_bpm = 0;
	int best_who = -1;

	if (w == NULL)
		return;
	for (int i = 0; i < f->n_regions; i++)
		total += w[i] = tempo_weight(&f->regions[i]);
	for (int i = 0; i < f->n_regions && total > 0; i++) {
		const struct an_tempo_result *t = &f->regions[i].tempo;
		if (w[i] <= 0)
			continue;
		for (int c = -1; c < t->n_alt; c++) {
			double h = c < 0 ? t->bpm : t->alt[c].bpm, bpm = h, sc;
			int who = i;
			sc = file_support(f, w, h, &bpm, &who);
			/* ties go to the earlier hypothesis: regions' chosen tempi
			 * come before their alternates */
			if (sc > best_s * (1 + 1e-9)) {
				best_s = sc;
				best_bpm = bpm;
				best_who = who;
			}
		}
	}
	if (best_who < 0) {
		free(w);
		return;
	}
	const struct an_region *r = &f->regions[best_who];
	s->has_tempo = 1;
	s->bpm = (float)best_bpm;
	s->beats_per_bar = r->tempo.beats_per_bar;
	/* alternates: the octave relatives of the winner with their support,
	 * strongest first; scores and confidence as shares of all support */
	double alt_s[GR_ARRAY_LEN(rel)], alt_b[GR_ARRAY_LEN(rel)], sum = best_s;
	int na = 0;
	for (size_t k = 0; k < GR_ARRAY_LEN(rel); k++) {
		double bpm = best_bpm * rel[k];
		int who = -1;
		double sc = file_support(f, w, best_bpm * rel[k], &bpm, &who);
		if (sc <= 0)
			continue;
		alt_s[na] = sc;
		alt_b[na] = bpm;
		sum += sc;
		na++;
	}
	for (int i = 0; i < na; i++)
		for (int j = i + 1; j < na; j++)
			if (alt_s[j] > alt_s[i]) {
				double ts = alt_s[i], tb = alt_b[i];
				alt_s[i] = alt_s[j];
				alt_b[i] = alt_b[j];
				alt_s[j] = ts;
				alt_b[j] = tb;
			}
	for (int i = 0; i < na && s->n_alt < AN_MAX_ALT; i++) {
		s->alt[s->n_alt].bpm = (float)alt_b[i];
		s->alt[s->n_alt].score = (float)(alt_s[i] / sum);
		s->n_alt++;
	}
	/* confidence: the winner's share of the support, times how sure the
	 * regions that carry it are */
	double conf = 0, cw = 0;
	for (int i = 0; i < f->n_regions; i++) {
		double at;
		if (w[i] > 0 && tempo_support(&f->regions[i], best_bpm, &at) > 0) {
			conf += w[i] * f->regions[i].tempo.conf;
			cw += w[i];
		}
	}
	s->bpm_conf = (float)(cw > 0 ? conf / cw * fmin(1.0, best_s / sum * 2) : 0);
	free(w);
}

void an_summarize(struct an_file *f)
{
	struct an_summary *s = &f->summary;

	memset(s, 0, sizeof(*s));
	s->cls = -1;
	s->key = AN_NO_KEY;
	s->key_runner = AN_NO_KEY;
	summarize_class(f, s);
	summarize_key(f, s);
	summarize_tempo(f, s);
}
