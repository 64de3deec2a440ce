/*
 * json.c - JSON of catalog rows, as `grym ls --json` and `grym show --json`
 * print them (stable: scripts depend on it; documented in grym(1)).
 *
 * Every searchable field is present; absent values are null.  Strings go
 * through str_add_json (control bytes and invalid UTF-8 escaped).  The
 * detail blobs (summary, timeline, tempo, key) were written by the catalog
 * itself as JSON and are embedded as they are.
 */
#include <math.h>
#include <string.h>

#include "catalog_int.h"

static void num(struct str *b, const char *name, double v)
{
	str_addf(b, ",\"%s\":", name);
	if (isnan(v) || isinf(v))
		str_add(b, "null");
	else
		str_addf(b, "%.6g", v);
}

static void key(struct str *b, const char *name, int k)
{
	char buf[32];

	str_addf(b, ",\"%s\":", name);
	if (k < 0 || k > 23)
		str_add(b, "null");
	else
		str_add_json(b, an_key_name(k, AN_KEY_SHARP, 0, buf, sizeof(buf)));
}

static void cls(struct str *b, const char *name, int c)
{
	str_addf(b, ",\"%s\":", name);
	if (c < 0)
		str_add(b, "null");
	else
		str_add_json(b, an_class_name(c));
}

static void tags(struct str *b, const char *list)
{
	const char *p = list;

	str_add(b, ",\"tags\":[");
	while (*p) {
		const char *e = strchr(p, ',');
		size_t n = e != NULL ? (size_t)(e - p) : strlen(p);
		char name[128];
		str_lcpy(name, p, n + 1 < sizeof(name) ? n + 1 : sizeof(name));
		if (p != list)
			str_add(b, ",");
		str_add_json(b, name);
		p += n + (e != NULL);
	}
	str_add(b, "]");
}

void cat_file_json(const struct cat_file *f, struct str *b)
{
	str_addf(b, "{\"id\":%lld,\"path\":", (long long)f->id);
	str_add_json(b, f->path);
	str_add(b, ",\"name\":");
	str_add_json(b, f->name);
	str_addf(b, ",\"root\":%lld,\"relpath\":", (long long)f->root_id);
	str_add_json(b, f->relpath);
	str_addf(b, ",\"size\":%lld,\"mtime_ns\":%lld,\"hash\":\"%016llx\",\"format\":",
	         (long long)f->size, (long long)f->mtime_ns, (unsigned long long)f->hash);
	str_add_json(b, f->format);
	str_add(b, ",\"codec\":");
	str_add_json(b, f->codec);
	str_addf(b, ",\"rate\":%d,\"channels\":%d,\"bits\":%d,\"lossless\":%s", f->rate,
	         f->channels, f->bits, f->lossless ? "true" : "false");
	num(b, "duration", f->duration);
	num(b, "loudness", f->loudness);
	num(b, "lra", f->lra);
	num(b, "peak_db", f->peak_db);
	str_addf(b, ",\"status\":\"%s\",\"missing\":%s,\"error\":", cat_status_name(f->status),
	         f->missing ? "true" : "false");
	if (f->error[0])
		str_add_json(b, f->error);
	else
		str_add(b, "null");
	num(b, "analysed_at", f->analysed_at);
	str_add(b, ",\"version\":");
	str_add_json(b, f->version);
	cls(b, "class", f->cls);
	num(b, "class_conf", f->cls_conf);
	key(b, "key", f->key);
	num(b, "key_conf", f->key_conf);
	num(b, "bpm", f->has_tempo ? f->bpm : NAN);
	num(b, "bpm_conf", f->bpm_conf);
	str_addf(b, ",\"beats_per_bar\":%d,\"regions\":%d", f->beats_per_bar, f->n_regions);
	tags(b, f->tags);
	str_add(b, ",\"summary\":");
	str_add(b, f->summary_json[0] ? f->summary_json : "{}");
	str_add(b, "}");
}

void cat_region_json(const struct cat_region *g, struct str *b)
{
	str_addf(b, "{\"id\":%lld,\"file\":%lld,\"idx\":%d,\"path\":", (long long)g->id,
	         (long long)g->file_id, g->idx);
	str_add_json(b, g->path);
	num(b, "start", g->start);
	num(b, "end", g->end);
	num(b, "duration", g->end - g->start);
	num(b, "peak_db", g->peak_db);
	num(b, "loudness", g->loudness);
	num(b, "lra", g->lra);
	cls(b, "class", g->cls);
	num(b, "class_conf", g->cls_conf);
	cls(b, "runner", g->runner);
	key(b, "key", g->key);
	num(b, "key_conf", g->key_conf);
	num(b, "bpm", g->has_tempo ? g->bpm : NAN);
	num(b, "bpm_conf", g->bpm_conf);
	tags(b, g->tags);
	str_addf(b, ",\"timeline\":%s,\"tempo\":%s,\"key_detail\":%s}", g->timeline_json,
	         g->tempo_json, g->key_json);
}
