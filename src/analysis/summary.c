/*
 * summary.c - file-level results derived from the regions.
 *
 *   class  the duration-weighted mean of the regions' class probabilities;
 *          the main class is its maximum (so both duration and confidence
 *          count), class_share is the share of region time per class.  A
 *          file with audio but no region (all below the silence threshold)
 *          is silence.
 *   key    each region votes for its key (or for "no key") with duration x
 *          confidence; the winner and runner-up, conf = the winner's share.
 *   tempo  the region with the largest duration x tempo confidence among
 *          regions with a steady pulse, preferring music and percussion.
 *
 * Costs: O(regions).  Thread rules: none (pure function of f).
 */
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
	double score[25] = { 0 }, total = 0;   /* 0..23 keys, 24 = no key */
	int best = -1, second = -1;

	for (int i = 0; i < f->n_regions; i++) {
		const struct an_region *r = &f->regions[i];
		double d = r->end - r->start;
		int k;
		if (!r->has_key || d <= 0)
			continue;
		k = r->key.key >= 0 && r->key.key < 24 ? r->key.key : 24;
		score[k] += d * (r->key.conf > 0 ? r->key.conf : 0.01);
		total += d * (r->key.conf > 0 ? r->key.conf : 0.01);
	}
	if (total <= 0)
		return;
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
	if (best == 24) {          /* mostly unpitched: no key */
		s->key = AN_NO_KEY;
		s->key_conf = (float)(score[24] / total);
		return;
	}
	s->key = best;
	s->key_conf = (float)(score[best] / total);
	if (second >= 0 && second < 24) {
		s->key_runner = second;
		s->key_runner_conf = (float)(score[second] / total);
	}
}

static void summarize_tempo(struct an_file *f, struct an_summary *s)
{
	const struct an_region *best = NULL;
	double best_w = 0;

	for (int i = 0; i < f->n_regions; i++) {
		const struct an_region *r = &f->regions[i];
		double w = (r->end - r->start) * (r->tempo.conf > 0 ? r->tempo.conf : 0.01);
		if (!r->has_tempo || !r->tempo.has_tempo)
			continue;
		if (r->has_class && (r->cls.cls == AN_MUSIC || r->cls.cls == AN_PERCUSSION))
			w *= 4;   /* a musical region is the file's tempo before a chirping bird */
		if (w > best_w) {
			best_w = w;
			best = r;
		}
	}
	if (best == NULL)
		return;
	s->has_tempo = 1;
	s->bpm = best->tempo.bpm;
	s->bpm_conf = best->tempo.conf;
	s->n_alt = best->tempo.n_alt;
	memcpy(s->alt, best->tempo.alt, sizeof(s->alt));
	s->beats_per_bar = best->tempo.beats_per_bar;
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
