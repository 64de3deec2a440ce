/*
 * musical_eval.c - run the analysis pipeline on audio files and write the
 * tempo and key answers as TSV for bench/score.py, plus the per-plugin
 * time from the engine's run records (for real-time factors).
 *
 *   musical_eval [--cache DIR] OUTDIR FILE...
 *
 * Writes OUTDIR/tempo.tsv (file, answer = BPM or empty, conf, alternates
 * "bpm:score ...", meter, has_tempo) and OUTDIR/key.tsv (file, answer =
 * key or empty, conf, runner-up, tuning, sections), OUTDIR/regions.tsv
 * (the same per region, with its time and class), and prints on stdout
 * one line per plugin: "plugin NAME runs N time S audio S rtf X", with
 * times in seconds of wall time summed over the runs.  Files that fail
 * are reported on stderr and get an empty answer.  Uses the built-in
 * default configuration (no user file).
 *
 * --cache DIR (tuning aid): the first run of a file stores its regions,
 * their class results and their dsp frames in DIR/NAME.frames; later runs
 * read them back and run only the tempo and key plugins and the summary,
 * which takes seconds instead of minutes per set.  DIR is created if
 * missing (not its parents).  The cache holds raw struct dsp_frame
 * records: delete it when the dsp or classify changes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "grym/analysis.h"
#include "grym/config.h"
#include "grym/util.h"

#define MAXP 16
#define CACHE_MAGIC 0x6d757332u   /* "mus2": dsp_frame gained flux_sus */

struct acc { const char *name; long runs; double time; };

static void add_time(struct acc *a, int *na, const char *name, double t)
{
	for (int i = 0; i < *na; i++)
		if (!strcmp(a[i].name, name)) {
			a[i].runs++;
			a[i].time += t;
			return;
		}
	if (*na < MAXP) {
		a[*na].name = name;
		a[*na].runs = 1;
		a[*na].time = t;
		(*na)++;
	}
}

/* ---- frame capture (the cache's writer) -------------------------------- */

struct cap { double start; size_t n; double rate; struct dsp_frame *f; };
static struct cap caps[4096];
static int n_caps;

static int capture_run(struct an_ctx *c, struct gr_err *err)
{
	size_t n;
	const struct dsp_frame *f = an_frames(c, &n);
	(void)err;
	if (n_caps < (int)GR_ARRAY_LEN(caps)) {
		struct cap *k = &caps[n_caps++];
		k->start = an_region_start(c);
		k->n = n;
		k->rate = an_frame_rate(c);
		k->f = xmalloc(n * sizeof(*f) + 1);
		memcpy(k->f, f, n * sizeof(*f));
	}
	return 0;
}

static const char *const capture_needs[] = { "classify", NULL };
static const struct an_plugin capture_plugin = {
	.name = "capture", .version = 1, .needs = capture_needs, .budget = 100, .run = capture_run,
};

static void caps_clear(void)
{
	for (int i = 0; i < n_caps; i++)
		free(caps[i].f);
	n_caps = 0;
}

/* Write f's regions and the captured frames to path. */
static void cache_write(const char *path, const struct an_file *f)
{
	FILE *fp = fopen(path, "wb");
	unsigned magic = CACHE_MAGIC, fsz = sizeof(struct dsp_frame);
	if (!fp) {
		fprintf(stderr, "musical_eval: cannot write the cache file %s\n", path);
		return;
	}
	fwrite(&magic, sizeof(magic), 1, fp);
	fwrite(&fsz, sizeof(fsz), 1, fp);
	fwrite(&f->duration, sizeof(f->duration), 1, fp);
	fwrite(&f->n_regions, sizeof(f->n_regions), 1, fp);
	for (int i = 0; i < f->n_regions; i++) {
		const struct an_region *r = &f->regions[i];
		const struct cap *k = NULL;
		size_t n = 0;
		double rate = 0;
		for (int j = 0; j < n_caps; j++)
			if (caps[j].start == r->start)
				k = &caps[j];
		if (k) {
			n = k->n;
			rate = k->rate;
		}
		fwrite(&r->start, sizeof(double), 1, fp);
		fwrite(&r->end, sizeof(double), 1, fp);
		fwrite(&r->frames_t0, sizeof(double), 1, fp);
		fwrite(&r->has_class, sizeof(int), 1, fp);
		fwrite(&r->cls, sizeof(r->cls), 1, fp);
		fwrite(&rate, sizeof(rate), 1, fp);
		fwrite(&n, sizeof(n), 1, fp);
		if (n)
			fwrite(k->f, sizeof(struct dsp_frame), n, fp);
	}
	fclose(fp);
}

/* Rebuild *f from a cache file, running engine e (tempo, key) on each
 * region's frames.  0, or -1 if the cache is missing or stale. */
static int cache_read(const char *path, const char *name, struct an_engine *e,
                      struct an_file *f)
{
	FILE *fp = fopen(path, "rb");
	unsigned magic = 0, fsz = 0;
	struct dsp_frame *fr = NULL;
	int ok = 0;
	if (!fp)
		return -1;
	memset(f, 0, sizeof(*f));
	if (fread(&magic, sizeof(magic), 1, fp) != 1 || magic != CACHE_MAGIC ||
	    fread(&fsz, sizeof(fsz), 1, fp) != 1 || fsz != sizeof(struct dsp_frame) ||
	    fread(&f->duration, sizeof(f->duration), 1, fp) != 1 ||
	    fread(&f->n_regions, sizeof(f->n_regions), 1, fp) != 1 ||
	    f->n_regions < 0 || f->n_regions > 100000)
		goto out;
	f->path = xstrdup(name);
	f->regions = xcalloc((size_t)f->n_regions + 1, sizeof(*f->regions));
	for (int i = 0; i < f->n_regions; i++) {
		struct an_region *r = &f->regions[i];
		struct an_class_result cls;
		int has_class;
		double rate;
		size_t n;
		r->index = i;
		r->key.key = r->key.runner = AN_NO_KEY;
		if (fread(&r->start, sizeof(double), 1, fp) != 1 ||
		    fread(&r->end, sizeof(double), 1, fp) != 1 ||
		    fread(&r->frames_t0, sizeof(double), 1, fp) != 1 ||
		    fread(&has_class, sizeof(int), 1, fp) != 1 ||
		    fread(&cls, sizeof(cls), 1, fp) != 1 ||
		    fread(&rate, sizeof(rate), 1, fp) != 1 ||
		    fread(&n, sizeof(n), 1, fp) != 1 || n > 100000000)
			goto out;
		if (n) {
			free(fr);
			fr = xmalloc(n * sizeof(*fr));
			if (fread(fr, sizeof(*fr), n, fp) != n)
				goto out;
			an_engine_run_region(e, r, fr, n, rate);
		}
		r->has_class = has_class;
		r->cls = cls;
	}
	an_engine_file_done(e);
	an_summarize(f);
	ok = 1;
out:
	free(fr);
	fclose(fp);
	if (!ok) {
		an_file_fini(f);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct gr_config cfg;
	struct gr_err err = { 0 };
	struct acc acc[MAXP];
	int na = 0, first = 2;
	double audio = 0;
	const char *cache = NULL, *outdir;
	char path[4096], kb[32], kb2[32];

	if (argc > 2 && !strcmp(argv[1], "--cache")) {
		cache = argv[2];
		if (mkdir(cache, 0777) != 0 && errno != EEXIST) {
			fprintf(stderr, "musical_eval: cannot create the cache directory %s\n", cache);
			return 2;
		}
		argv += 2;
		argc -= 2;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: musical_eval [--cache DIR] OUTDIR FILE...\n");
		return 2;
	}
	outdir = argv[1];
	config_defaults(&cfg);
	const struct an_plugin *all[AN_MAX_PLUGINS], *replay[AN_MAX_PLUGINS];
	size_t na_all = 0, na_rep = 0;
	for (size_t i = 0; an_core_plugins[i] && na_all + 1 < AN_MAX_PLUGINS; i++) {
		all[na_all++] = an_core_plugins[i];
		if (!strcmp(an_core_plugins[i]->name, "tempo") ||
		    !strcmp(an_core_plugins[i]->name, "key"))
			replay[na_rep++] = an_core_plugins[i];
	}
	all[na_all++] = &capture_plugin;
	struct an_engine *e = an_engine_new(cache ? all : NULL, cache ? na_all : 0, 0, &err);
	struct an_engine *er = cache ? an_engine_new(replay, na_rep, 0, &err) : NULL;
	if (!e || (cache && !er)) {
		fprintf(stderr, "musical_eval: %s\n", err.msg);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/tempo.tsv", outdir);
	FILE *ft = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/key.tsv", outdir);
	FILE *fk = fopen(path, "w");
	if (!ft || !fk) {
		fprintf(stderr, "musical_eval: cannot write in %s\n", outdir);
		return 1;
	}
	fprintf(ft, "file\tanswer\tconf\talternates\tmeter\n");
	fprintf(fk, "file\tanswer\tconf\trunner\ttuning\tsections\n");
	snprintf(path, sizeof(path), "%s/regions.tsv", outdir);
	FILE *fr = fopen(path, "w");
	if (fr)
		fprintf(fr, "file\tregion\tstart\tend\tclass\tclass_conf\tbpm\tconf\t"
		        "alternates\tkey\tkey_conf\ttempo_detail\n");
	for (int a = first; a < argc; a++) {
		struct an_file f;
		const char *name = path_base(argv[a]);
		memset(&f, 0, sizeof(f));
		if (cache)
			snprintf(path, sizeof(path), "%s/%s.frames", cache, name);
		if (!cache || cache_read(path, name, er, &f) < 0) {
			caps_clear();
			if (an_analyze_file(argv[a], &cfg, e, &f, &err) < 0) {
				fprintf(stderr, "musical_eval: %s\n", err.msg);
				fprintf(ft, "%s\t\n", name);
				fprintf(fk, "%s\t\n", name);
				continue;
			}
			an_engine_file_done(e);
			if (cache)
				cache_write(path, &f);
			caps_clear();
		}
		audio += f.duration;
		const struct an_summary *s = &f.summary;
		fprintf(ft, "%s\t", name);
		if (s->has_tempo)
			fprintf(ft, "%.2f", s->bpm);
		fprintf(ft, "\t%.3f\t", s->bpm_conf);
		for (int i = 0; i < s->n_alt; i++)
			fprintf(ft, "%s%.2f:%.3f", i ? " " : "", s->alt[i].bpm, s->alt[i].score);
		fprintf(ft, "\t%d\n", s->beats_per_bar);
		fprintf(fk, "%s\t%s\t%.3f\t%s\t", name,
		        s->key >= 0 ? an_key_name(s->key, AN_KEY_FLAT, 0, kb, sizeof(kb)) : "",
		        s->key_conf, an_key_name(s->key_runner, AN_KEY_FLAT, 0, kb2, sizeof(kb2)));
		for (int i = 0; fr && i < f.n_regions; i++) {
			const struct an_region *r = &f.regions[i];
			fprintf(fr, "%s\t%d\t%.2f\t%.2f\t%s\t%.2f\t", name, i, r->start, r->end,
			        r->has_class ? an_class_name(r->cls.cls) : "", r->cls.conf);
			if (r->has_tempo && r->tempo.has_tempo)
				fprintf(fr, "%.2f", r->tempo.bpm);
			fprintf(fr, "\t%.3f\t", r->tempo.conf);
			for (int j = 0; j < r->tempo.n_alt; j++)
				fprintf(fr, "%s%.2f:%.3f", j ? " " : "", r->tempo.alt[j].bpm,
				        r->tempo.alt[j].score);
			fprintf(fr, "\t%s\t%.3f\t", r->has_key && r->key.key >= 0 ?
			        an_key_name(r->key.key, AN_KEY_FLAT, 1, kb, sizeof(kb)) : "",
			        r->key.conf);
			for (int j = 0; j < r->n_runs; j++)
				if (!strcmp(r->runs[j].name, "tempo") && r->runs[j].detail)
					fputs(r->runs[j].detail, fr);
			fputc('\n', fr);
		}
		/* tuning and sections come from the longest region with a key */
		const struct an_region *best = NULL;
		for (int i = 0; i < f.n_regions; i++) {
			const struct an_region *r = &f.regions[i];
			if (r->has_key && (!best || r->end - r->start > best->end - best->start))
				best = r;
			for (int j = 0; j < r->n_runs; j++)
				add_time(acc, &na, r->runs[j].name, r->runs[j].time);
		}
		if (best) {
			fprintf(fk, "%.1f\t", best->key.tuning_cents);
			for (int i = 0; i < best->key.n_sections; i++)
				fprintf(fk, "%s%.0f-%.0f:%s", i ? " " : "", best->key.sections[i].start,
				        best->key.sections[i].end,
				        an_key_name(best->key.sections[i].key, AN_KEY_FLAT, 1, kb,
				                    sizeof(kb)));
		} else {
			fprintf(fk, "\t");
		}
		fprintf(fk, "\n");
		an_file_fini(&f);
	}
	fclose(ft);
	fclose(fk);
	if (fr)
		fclose(fr);
	for (int i = 0; i < na; i++)
		printf("plugin %s runs %ld time %.3f audio %.1f rtf %.0f\n", acc[i].name,
		       acc[i].runs, acc[i].time, audio,
		       acc[i].time > 0 ? audio / acc[i].time : 0.0);
	size_t nm;
	const struct an_metrics *m = an_engine_metrics(cache ? er : e, &nm);
	for (size_t i = 0; i < nm; i++)
		printf("metrics %s count %ld failures %ld median %.4f max %.4f\n", m[i].name,
		       m[i].count, m[i].failures, m[i].median_time, m[i].max_time);
	an_engine_free(e);
	an_engine_free(er);
	return 0;
}
