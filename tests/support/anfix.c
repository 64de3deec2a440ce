/*
 * anfix.c - hand-built an_file values for tests and tools (see anfix.h).
 */
#include <stdlib.h>
#include <string.h>

#include "anfix.h"
#include "grym/util.h"

static const char *const run_names[5] = { "features", "timeline", "classify", "tempo", "key" };

static void peaks(struct dsp_peaks *p, int n, double dur)
{
	memset(p, 0, sizeof(*p));
	if (n <= 0)
		return;
	p->n = n;
	p->bucket_s = dur / n;
	p->min = xcalloc((size_t)n, sizeof(float));
	p->max = xcalloc((size_t)n, sizeof(float));
	p->rms = xcalloc((size_t)n, sizeof(float));
	for (int i = 0; i < n; i++) {
		float a = (float)((i % 50) / 50.0);
		p->min[i] = -a;
		p->max[i] = a * 0.9f;
		p->rms[i] = a * 0.5f;
	}
}

void anfix_file(struct an_file *f, const struct anfix_spec *s)
{
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(s->path != NULL ? s->path : "x.wav");
	str_lcpy(f->info.format, s->format != NULL ? s->format : "wav", sizeof(f->info.format));
	str_lcpy(f->info.codec, s->bits ? "pcm16" : "vorbis", sizeof(f->info.codec));
	f->info.rate = s->rate ? s->rate : 44100;
	f->info.channels = s->channels ? s->channels : 2;
	f->info.bits = s->bits;
	f->info.lossless = s->bits != 0;
	f->info.frames_declared = -1;
	f->info.size = s->size;
	f->info.mtime_ns = s->mtime_ns;
	f->hash = s->hash;
	f->duration = s->duration;
	f->loudness = s->loudness;
	f->lra = 4;
	f->peak_db = -1;
	f->partial = s->partial;
	if (s->partial)
		str_lcpy(f->warning, "decoded 1.0 s, then corrupt data", sizeof(f->warning));
	f->n_regions = s->n_regions;
	f->regions = s->n_regions > 0 ? xcalloc((size_t)s->n_regions, sizeof(*f->regions)) : NULL;
	for (int i = 0; i < s->n_regions; i++) {
		struct an_region *r = &f->regions[i];
		double len = s->duration / s->n_regions;
		r->index = i;
		r->start = i * len;
		r->end = (i + 1) * len;
		r->peak_db = -3;
		r->loudness = s->loudness;
		r->lra = 3;
		r->has_class = s->cls >= 0;
		r->cls.cls = s->cls;
		r->cls.conf = s->cls_conf;
		r->cls.runner = (s->cls + 1) % AN_NCLASS;
		r->cls.runner_conf = 1 - s->cls_conf;
		if (s->cls >= 0)
			r->cls.prob[s->cls] = s->cls_conf;
		r->has_timeline = 1;
		r->timeline.n = 1;
		r->timeline.seg = xcalloc(1, sizeof(*r->timeline.seg));
		r->timeline.seg[0].start = r->start;
		r->timeline.seg[0].end = r->end;
		r->timeline.seg[0].cls = s->cls < 0 ? 0 : s->cls;
		r->timeline.seg[0].conf = s->cls_conf;
		r->has_features = 1;
		for (int k = 0; k < AN_FEAT_DIM; k++)
			r->features.vec[k] = (float)(k + i) / AN_FEAT_DIM;
		/* a pseudo-random similarity vector, the same for the same file
		 * hash and region: synthetic catalogs get searchable vectors */
		r->has_simvec = 1;
		{
			uint64_t x = s->hash * 0x9e3779b97f4a7c15ull + (uint64_t)i + 1;
			for (int k = 0; k < AN_SIM_DIM; k++) {
				x ^= x << 13;
				x ^= x >> 7;
				x ^= x << 17;
				r->simvec.vec[k] = (float)((double)(x >> 11) / 9007199254740992.0 * 4 - 2);
			}
		}
		r->has_tempo = 1;
		r->tempo.has_tempo = s->bpm > 0;
		r->tempo.bpm = s->bpm;
		r->tempo.conf = s->bpm_conf;
		r->tempo.beats_per_bar = s->bpm > 0 ? 4 : 0;
		r->tempo.downbeat = -1;
		if (s->bpm > 0) {
			r->tempo.n_beats = 4;
			r->tempo.beats = xcalloc(4, sizeof(double));
			for (int b = 0; b < 4; b++)
				r->tempo.beats[b] = r->start + b * 60.0 / s->bpm;
		}
		r->has_key = 1;
		r->key.key = s->key;
		r->key.conf = s->key_conf;
		r->key.runner = AN_NO_KEY;
		for (int k = 0; k < s->runs && k < 5; k++) {
			r->runs[k].name = run_names[k];
			r->runs[k].version = 1;
			r->runs[k].status = AN_OK;
			r->runs[k].time = 0.001;
		}
		r->n_runs = s->runs < 5 ? s->runs : 5;
	}
	peaks(&f->overview, s->peaks, s->duration);
	peaks(&f->detail, s->peaks * 4, s->duration);
	f->summary.cls = s->cls;
	f->summary.cls_conf = s->cls_conf;
	if (s->cls >= 0)
		f->summary.class_share[s->cls] = 1;
	f->summary.key = s->key;
	f->summary.key_conf = s->key_conf;
	f->summary.key_runner = AN_NO_KEY;
	f->summary.has_tempo = s->bpm > 0;
	f->summary.bpm = s->bpm;
	f->summary.bpm_conf = s->bpm_conf;
	f->summary.n_alt = s->bpm > 0 ? 2 : 0;
	f->summary.alt[0].bpm = s->bpm / 2;
	f->summary.alt[0].score = 0.2f;
	f->summary.alt[1].bpm = s->bpm * 2;
	f->summary.alt[1].score = 0.1f;
	f->summary.beats_per_bar = s->bpm > 0 ? 4 : 0;
}

void anfix_free(struct an_file *f)
{
	for (int i = 0; i < f->n_regions; i++) {
		free(f->regions[i].timeline.seg);
		free(f->regions[i].tempo.beats);
		free(f->regions[i].key.sections);
		for (int k = 0; k < f->regions[i].n_runs; k++)
			free(f->regions[i].runs[k].detail);
	}
	free(f->regions);
	free(f->overview.min);
	free(f->overview.max);
	free(f->overview.rms);
	free(f->detail.min);
	free(f->detail.max);
	free(f->detail.rms);
	free(f->path);
	memset(f, 0, sizeof(*f));
}
