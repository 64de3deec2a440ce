/*
 * json.c - the JSON document of one analysed file, as `grym analyze
 * --json` prints it and grym(1) documents it.  Field names are plain
 * words, times are seconds, levels dBFS / LUFS / LU; a value that does
 * not exist (no key, no tempo, loudness of silence) is null, never a
 * sentinel number.  Scripts depend on this: add fields, never rename.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grym/analysis.h"
#include "grym/util.h"

static void num(struct str *b, const char *name, double v, int comma)
{
	if (isfinite(v))
		str_addf(b, "\"%s\":%.6g%s", name, v, comma ? "," : "");
	else
		str_addf(b, "\"%s\":null%s", name, comma ? "," : "");
}

static void time_val(struct str *b, const char *name, double v, int comma)
{
	if (isfinite(v))
		str_addf(b, "\"%s\":%.4f%s", name, v, comma ? "," : "");
	else
		str_addf(b, "\"%s\":null%s", name, comma ? "," : "");
}

static void key_val(struct str *b, const char *name, int key, int style)
{
	char buf[32];
	if (key < 0 || key > 23) {
		str_addf(b, "\"%s\":null,", name);
		return;
	}
	str_addf(b, "\"%s\":", name);
	str_add_json(b, an_key_name(key, style, 0, buf, sizeof(buf)));
	str_add(b, ",");
}

static void class_val(struct str *b, const char *name, int cls, int have)
{
	if (!have || cls < 0 || cls >= AN_NCLASS)
		str_addf(b, "\"%s\":null,", name);
	else
		str_addf(b, "\"%s\":\"%s\",", name, an_class_name(cls));
}

static void alternates(struct str *b, int n, const float *bpm, const float *score, size_t stride)
{
	str_add(b, "\"bpm_alternates\":[");
	for (int i = 0; i < n; i++) {
		const float *pb = (const float *)((const char *)bpm + stride * (size_t)i);
		const float *ps = (const float *)((const char *)score + stride * (size_t)i);
		str_addf(b, "%s{", i ? "," : "");
		num(b, "bpm", *pb, 1);
		num(b, "score", *ps, 0);
		str_add(b, "}");
	}
	str_add(b, "],");
}

static void region_json(const struct an_region *r, struct str *b, int style)
{
	str_add(b, "{");
	str_addf(b, "\"index\":%d,", r->index);
	time_val(b, "start", r->start, 1);
	time_val(b, "end", r->end, 1);
	time_val(b, "duration", r->end - r->start, 1);
	num(b, "peak_db", r->peak_db, 1);
	num(b, "loudness", r->loudness, 1);
	num(b, "lra", r->lra, 1);

	class_val(b, "class", r->cls.cls, r->has_class);
	num(b, "class_confidence", r->has_class ? r->cls.conf : NAN, 1);
	class_val(b, "class_runner_up", r->cls.runner, r->has_class);
	num(b, "class_runner_up_confidence", r->has_class ? r->cls.runner_conf : NAN, 1);
	str_add(b, "\"timeline\":[");
	for (int i = 0; r->has_timeline && i < r->timeline.n; i++) {
		const struct an_segment *s = &r->timeline.seg[i];
		str_addf(b, "%s{", i ? "," : "");
		time_val(b, "start", s->start, 1);
		time_val(b, "end", s->end, 1);
		class_val(b, "class", s->cls, 1);
		num(b, "confidence", s->conf, 0);
		str_add(b, "}");
	}
	str_add(b, "],");

	{
		int t = r->has_tempo && r->tempo.has_tempo;
		num(b, "bpm", t ? r->tempo.bpm : NAN, 1);
		num(b, "bpm_confidence", t ? r->tempo.conf : NAN, 1);
		alternates(b, t ? r->tempo.n_alt : 0, &r->tempo.alt[0].bpm, &r->tempo.alt[0].score,
		           sizeof(r->tempo.alt[0]));
		if (t && r->tempo.beats_per_bar > 0)
			str_addf(b, "\"beats_per_bar\":%d,", r->tempo.beats_per_bar);
		else
			str_add(b, "\"beats_per_bar\":null,");
		num(b, "meter_confidence", t ? r->tempo.meter_conf : NAN, 1);
		time_val(b, "downbeat", t && r->tempo.downbeat >= 0 ? r->tempo.downbeat : NAN, 1);
		str_add(b, "\"beats\":[");
		for (int i = 0; t && i < r->tempo.n_beats; i++)
			str_addf(b, "%s%.4f", i ? "," : "", r->tempo.beats[i]);
		str_add(b, "],");
	}
	{
		int k = r->has_key ? r->key.key : AN_NO_KEY;
		key_val(b, "key", k, style);
		num(b, "key_confidence", k >= 0 ? r->key.conf : NAN, 1);
		key_val(b, "key_runner_up", k >= 0 ? r->key.runner : AN_NO_KEY, style);
		num(b, "key_runner_up_confidence", k >= 0 && r->key.runner >= 0 ?
		    r->key.runner_conf : NAN, 1);
		num(b, "tuning_cents", r->has_key ? r->key.tuning_cents : NAN, 1);
		str_add(b, "\"key_sections\":[");
		for (int i = 0; r->has_key && i < r->key.n_sections; i++) {
			const struct an_key_section *s = &r->key.sections[i];
			str_addf(b, "%s{", i ? "," : "");
			time_val(b, "start", s->start, 1);
			time_val(b, "end", s->end, 1);
			key_val(b, "key", s->key, style);
			num(b, "confidence", s->conf, 0);
			str_add(b, "}");
		}
		str_add(b, "],");
	}
	/* repeated sections: [] when nothing repeats or the plugin did not run */
	str_add(b, "\"patterns\":[");
	for (int i = 0; r->has_patterns && i < r->patterns.n; i++) {
		const struct an_pattern *p = &r->patterns.occ[i];
		str_addf(b, "%s{\"group\":%d,", i ? "," : "", p->group);
		time_val(b, "start", p->start, 1);
		time_val(b, "end", p->end, 1);
		num(b, "score", p->score, 0);
		str_add(b, "}");
	}
	str_add(b, "],");
	str_add(b, "\"plugins\":[");
	for (int i = 0; i < r->n_runs; i++) {
		const struct an_run *u = &r->runs[i];
		str_addf(b, "%s{\"name\":", i ? "," : "");
		str_add_json(b, u->name);
		str_addf(b, ",\"version\":%d,\"status\":\"%s\",", u->version, an_status_name(u->status));
		num(b, "time", u->time, 1);
		str_add(b, "\"error\":");
		if (u->status == AN_OK)
			str_add(b, "null");
		else
			str_add_json(b, an_run_error(u));
		str_add(b, "}");
	}
	str_add(b, "]}");
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Per-plugin metrics over this file's regions. */
static void metrics_json(const struct an_file *f, struct str *b)
{
	const char *names[AN_MAX_PLUGINS];
	int nn = 0;

	for (int i = 0; i < f->n_regions; i++)
		for (int j = 0; j < f->regions[i].n_runs; j++) {
			const char *n = f->regions[i].runs[j].name;
			int k;
			for (k = 0; k < nn; k++)
				if (!strcmp(names[k], n))
					break;
			if (k == nn && nn < AN_MAX_PLUGINS)
				names[nn++] = n;
		}
	str_add(b, "\"plugins\":[");
	for (int k = 0; k < nn; k++) {
		double *t = xcalloc((size_t)f->n_regions + 1, sizeof(double));
		int count = 0, failures = 0, version = 0;
		double audio = 0;
		for (int i = 0; i < f->n_regions; i++)
			for (int j = 0; j < f->regions[i].n_runs; j++) {
				const struct an_run *u = &f->regions[i].runs[j];
				if (strcmp(u->name, names[k]))
					continue;
				version = u->version;
				if (u->status == AN_OK || u->status == AN_FAILED || u->status == AN_TIMEOUT) {
					t[count++] = u->time;
					audio += f->regions[i].end - f->regions[i].start;
				}
				if (u->status == AN_FAILED || u->status == AN_TIMEOUT)
					failures++;
			}
		qsort(t, (size_t)count, sizeof(double), cmp_double);
		double total = 0;
		for (int i = 0; i < count; i++)
			total += t[i];
		str_addf(b, "%s{\"name\":", k ? "," : "");
		str_add_json(b, names[k]);
		str_addf(b, ",\"version\":%d,\"count\":%d,\"failures\":%d,", version, count, failures);
		num(b, "median_time", count ? t[count / 2] : NAN, 1);
		num(b, "max_time", count ? t[count - 1] : NAN, 1);
		num(b, "realtime_factor", total > 0 ? audio / total : NAN, 0);
		str_add(b, "}");
		free(t);
	}
	str_add(b, "]");
}

void an_file_json(const struct an_file *f, struct str *b, int key_style)
{
	const struct an_summary *s = &f->summary;
	char hash[24];

	str_add(b, "{\"path\":");
	str_add_json(b, f->path);
	str_add(b, ",\"format\":");
	str_add_json(b, f->info.format);
	str_add(b, ",\"codec\":");
	str_add_json(b, f->info.codec);
	str_addf(b, ",\"rate\":%d,\"channels\":%d,", f->info.rate, f->info.channels);
	if (f->info.bits > 0)
		str_addf(b, "\"bits\":%d,", f->info.bits);
	else
		str_add(b, "\"bits\":null,");
	str_addf(b, "\"lossless\":%s,\"size\":%lld,", f->info.lossless ? "true" : "false",
	         (long long)f->info.size);
	snprintf(hash, sizeof(hash), "%016llx", (unsigned long long)f->hash);
	str_addf(b, "\"hash\":\"%s\",", hash);
	time_val(b, "duration", f->duration, 1);
	num(b, "loudness", f->loudness, 1);
	num(b, "lra", f->lra, 1);
	num(b, "peak_db", f->peak_db, 1);
	str_addf(b, "\"partial\":%s,\"warning\":", f->partial ? "true" : "false");
	if (f->partial)
		str_add_json(b, f->warning);
	else
		str_add(b, "null");
	str_add(b, ",\"regions\":[");
	for (int i = 0; i < f->n_regions; i++) {
		if (i)
			str_add(b, ",");
		region_json(&f->regions[i], b, key_style);
	}
	str_add(b, "],\"summary\":{");
	class_val(b, "class", s->cls, s->cls >= 0);
	num(b, "class_confidence", s->cls >= 0 ? s->cls_conf : NAN, 1);
	str_add(b, "\"class_shares\":{");
	for (int c = 0, first = 1; c < AN_NCLASS; c++) {
		if (s->class_share[c] <= 0)
			continue;
		str_addf(b, "%s\"%s\":%.4f", first ? "" : ",", an_class_name(c), s->class_share[c]);
		first = 0;
	}
	str_add(b, "},");
	key_val(b, "key", s->key, key_style);
	num(b, "key_confidence", s->key >= 0 ? s->key_conf : NAN, 1);
	key_val(b, "key_runner_up", s->key >= 0 ? s->key_runner : AN_NO_KEY, key_style);
	num(b, "key_runner_up_confidence", s->key >= 0 && s->key_runner >= 0 ?
	    s->key_runner_conf : NAN, 1);
	num(b, "bpm", s->has_tempo ? s->bpm : NAN, 1);
	num(b, "bpm_confidence", s->has_tempo ? s->bpm_conf : NAN, 1);
	alternates(b, s->has_tempo ? s->n_alt : 0, &s->alt[0].bpm, &s->alt[0].score,
	           sizeof(s->alt[0]));
	if (s->has_tempo && s->beats_per_bar > 0)
		str_addf(b, "\"beats_per_bar\":%d", s->beats_per_bar);
	else
		str_add(b, "\"beats_per_bar\":null");
	str_add(b, "},");
	metrics_json(f, b);
	str_add(b, "}");
}
