/*
 * musical_eval.c - run the analysis pipeline on audio files and write the
 * tempo and key answers as TSV for bench/score.py, plus the per-plugin
 * time from the engine's run records (for real-time factors).
 *
 *   musical_eval OUTDIR FILE...
 *
 * Writes OUTDIR/tempo.tsv (file, answer = BPM or empty, conf, alternates
 * "bpm:score ...", meter, has_tempo) and OUTDIR/key.tsv (file, answer =
 * key or empty, conf, runner-up, tuning, sections), and prints on stdout
 * one line per plugin: "plugin NAME runs N time S audio S rtf X", with
 * times in seconds of wall time summed over the runs.  Files that fail
 * are reported on stderr and get an empty answer.  Uses the built-in
 * default configuration (no user file).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grym/analysis.h"
#include "grym/config.h"
#include "grym/util.h"

#define MAXP 16

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

int main(int argc, char **argv)
{
	struct gr_config cfg;
	struct gr_err err = { 0 };
	struct acc acc[MAXP];
	int na = 0;
	double audio = 0;
	char path[4096], kb[32], kb2[32];

	if (argc < 3) {
		fprintf(stderr, "usage: musical_eval OUTDIR FILE...\n");
		return 2;
	}
	config_defaults(&cfg);
	struct an_engine *e = an_engine_new(NULL, 0, 0, &err);
	if (!e) {
		fprintf(stderr, "musical_eval: %s\n", err.msg);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/tempo.tsv", argv[1]);
	FILE *ft = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/key.tsv", argv[1]);
	FILE *fk = fopen(path, "w");
	if (!ft || !fk) {
		fprintf(stderr, "musical_eval: cannot write in %s\n", argv[1]);
		return 1;
	}
	fprintf(ft, "file\tanswer\tconf\talternates\tmeter\n");
	fprintf(fk, "file\tanswer\tconf\trunner\ttuning\tsections\n");
	for (int a = 2; a < argc; a++) {
		struct an_file f;
		const char *name = path_base(argv[a]);
		memset(&f, 0, sizeof(f));
		if (an_analyze_file(argv[a], &cfg, e, &f, &err) < 0) {
			fprintf(stderr, "musical_eval: %s\n", err.msg);
			fprintf(ft, "%s\t\n", name);
			fprintf(fk, "%s\t\n", name);
			continue;
		}
		an_engine_file_done(e);
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
	for (int i = 0; i < na; i++)
		printf("plugin %s runs %ld time %.3f audio %.1f rtf %.0f\n", acc[i].name,
		       acc[i].runs, acc[i].time, audio,
		       acc[i].time > 0 ? audio / acc[i].time : 0.0);
	size_t nm;
	const struct an_metrics *m = an_engine_metrics(e, &nm);
	for (size_t i = 0; i < nm; i++)
		printf("metrics %s count %ld failures %ld median %.4f max %.4f\n", m[i].name,
		       m[i].count, m[i].failures, m[i].median_time, m[i].max_time);
	an_engine_free(e);
	return 0;
}
