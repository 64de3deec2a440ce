/*
 * tui_catgen.c - write a synthetic catalog for the browser's tests and
 * benchmark, through the catalog API (no audio is decoded).
 *
 *   tui_catgen CATALOG N [--peaks K] [--hostile] [--seed S]
 *
 * N files under the root /gen/lib: names "<class>_<i>.wav" with classes,
 * keys, tempi, 1..6 regions and loudness from a fixed pseudo-random
 * sequence (same seed, same catalog).  The first K files (default 200) get
 * stored waveform peaks (1000-bucket overview, 8000-bucket detail); the
 * rest none, to keep a 100 000-file catalog small.  --hostile adds one
 * file whose name carries terminal escape sequences (ESC [ 2 J, an OSC
 * title) and a tab.  Prints the number of files written.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grym/analysis.h"
#include "grym/catalog.h"
#include "grym/util.h"

static uint64_t rng = 88172645463325252ULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static double frand(void)
{
	return (rnd() & 0xffffff) / (double)0x1000000;
}

static void make_peaks(struct dsp_peaks *p, int n, double dur, const struct an_file *f)
{
	p->n = n;
	p->bucket_s = dur / n;
	p->min = xcalloc((size_t)n, sizeof(float));
	p->max = xcalloc((size_t)n, sizeof(float));
	p->rms = xcalloc((size_t)n, sizeof(float));
	for (int i = 0; i < n; i++) {
		double t = (i + 0.5) * p->bucket_s, amp = 0.01;
		for (int r = 0; r < f->n_regions; r++) {
			const struct an_region *g = &f->regions[r];
			if (t >= g->start && t < g->end) {
				double u = (t - g->start) / (g->end - g->start);
				amp = (0.3 + 0.6 * (r % 3) / 2.0) * (1 - u * 0.7) *
				      (0.75 + 0.25 * sin(t * 17.0));
			}
		}
		p->max[i] = (float)amp;
		p->min[i] = (float)-amp * 0.9f;
		p->rms[i] = (float)amp * 0.6f;
	}
}

static void file_fini(struct an_file *f)
{
	free(f->regions);
	for (int i = 0; i < 2; i++) {
		struct dsp_peaks *p = i ? &f->detail : &f->overview;
		free(p->min);
		free(p->max);
		free(p->rms);
	}
	memset(f, 0, sizeof(*f));
}

static void make_file(struct an_file *f, long i, int peaks)
{
	int cls = (int)(rnd() % (AN_NCLASS - 1)) + 1;       /* no "silence" files */
	double dur = 1.0 + frand() * 59.0;
	int nreg = 1 + (int)(rnd() % 6);
	double t = 0.2;

	memset(f, 0, sizeof(*f));
	str_lcpy(f->info.format, "wav", sizeof(f->info.format));
	str_lcpy(f->info.codec, "pcm16", sizeof(f->info.codec));
	f->info.rate = (rnd() & 1) ? 44100 : 48000;
	f->info.channels = 1 + (int)(rnd() & 1);
	f->info.bits = 16;
	f->info.lossless = 1;
	f->info.size = (int64_t)(dur * f->info.rate * f->info.channels * 2) + 44;
	f->info.mtime_ns = 1700000000000000000LL + i;
	f->hash = ((uint64_t)rnd() << 32) ^ rnd() ^ (uint64_t)i;
	f->duration = dur;
	f->loudness = (float)(-30 + frand() * 22);
	f->lra = 5;
	f->peak_db = -1;
	f->regions = xcalloc((size_t)nreg, sizeof(*f->regions));
	for (int r = 0; r < nreg && t < dur - 0.1; r++) {
		struct an_region *g = &f->regions[f->n_regions];
		double len = (dur - t) / (nreg - r) * (0.5 + 0.4 * frand());
		g->index = f->n_regions++;
		g->start = t;
		g->end = t + len;
		t = g->end + 0.1 + frand() * 0.3;
		g->loudness = (float)(-30 + frand() * 22);
		g->peak_db = -2;
		g->has_class = 1;
		g->cls.cls = r == 0 ? cls : (int)(rnd() % (AN_NCLASS - 1)) + 1;
		g->cls.conf = (float)(0.5 + frand() * 0.5);
		g->cls.runner = -1;
		g->has_key = g->cls.cls == AN_MUSIC || g->cls.cls == AN_SINGING;
		g->key.key = g->has_key ? (int)(rnd() % 24) : AN_NO_KEY;
		g->key.conf = (float)frand();
		g->key.runner = AN_NO_KEY;
		g->has_tempo = g->cls.cls == AN_MUSIC || g->cls.cls == AN_PERCUSSION;
		g->tempo.has_tempo = g->has_tempo;
		g->tempo.bpm = (float)(70 + (rnd() % 110));
		g->tempo.conf = (float)frand();
		g->tempo.downbeat = -1;
	}
	f->summary.cls = f->regions[0].cls.cls;
	f->summary.cls_conf = f->regions[0].cls.conf;
	f->summary.key = f->regions[0].key.key;
	f->summary.key_conf = f->regions[0].key.conf;
	f->summary.key_runner = AN_NO_KEY;
	f->summary.has_tempo = f->regions[0].has_tempo;
	f->summary.bpm = f->regions[0].tempo.bpm;
	f->summary.bpm_conf = f->regions[0].tempo.conf;
	f->summary.beats_per_bar = f->summary.has_tempo ? 4 : 0;
	if (peaks) {
		make_peaks(&f->overview, 1000, dur, f);
		make_peaks(&f->detail, 8000, dur, f);
	}
}

int main(int argc, char **argv)
{
	struct gr_err err = { 0 };
	struct cat *c;
	long n, peaks = 200;
	int hostile = 0;
	int64_t root;
	char *prefix = NULL;

	if (argc < 3) {
		fprintf(stderr, "usage: tui_catgen CATALOG N [--peaks K] [--hostile] [--seed S]\n");
		return 2;
	}
	n = atol(argv[2]);
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--peaks") && i + 1 < argc)
			peaks = atol(argv[++i]);
		else if (!strcmp(argv[i], "--hostile"))
			hostile = 1;
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			rng ^= strtoull(argv[++i], NULL, 10) * 0x9e3779b97f4a7c15ULL;
	}
	c = cat_open(argv[1], 0, &err);
	if (c == NULL) {
		fprintf(stderr, "tui_catgen: %s\n", err.msg);
		return 1;
	}
	if (cat_root_for_dir(c, "/gen/lib", &root, &prefix, &err) != 0)
		goto fail;
	free(prefix);
	for (long i = 0; i < n + hostile; i++) {
		struct an_file f;
		char rel[128];
		if (i % 2000 == 0 && cat_batch_begin(c, &err) != 0)
			goto fail;
		make_file(&f, i, i < peaks);
		if (i == n)
			snprintf(rel, sizeof(rel), "evil\x1b[2J\x1b]0;pwned\x07\tname.wav");
		else
			snprintf(rel, sizeof(rel), "%s_%06ld.wav", an_class_name(f.summary.cls), i);
		f.path = rel;
		int r = cat_store_analysis(c, root, rel, &f, "gen:1", NULL, &err);
		f.path = NULL;
		file_fini(&f);
		if (r != 0)
			goto fail;
		if ((i % 2000 == 1999 || i == n + hostile - 1) && cat_batch_end(c, 0, &err) != 0)
			goto fail;
	}
	cat_close(c);
	printf("%ld\n", n + hostile);
	return 0;
fail:
	fprintf(stderr, "tui_catgen: %s\n", err.msg);
	cat_close(c);
	return 1;
}
