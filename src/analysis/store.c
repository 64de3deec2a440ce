/*
 * store.c - the plugin context and the typed feature store.
 *
 * The store of one region is the region itself (struct an_region): one
 * typed slot per kind of result (features, timeline, class, tempo, key,
 * simvec, patterns).
 * A plugin publishes into a slot with an_set_*() (the value is copied,
 * arrays too) and reads the slots of the plugins it declared in its needs
 * with an_get_*().  A getter returns NULL when the slot was not published
 * by one of the caller's needs: asking for something undeclared is a bug
 * in the plugin and must not silently find a value; the engine runs a
 * plugin only after all its needs succeeded, so a declared need's slot is
 * always there.
 *
 * Costs: accessors are O(1) except the array copies of the setters.
 * Thread rules: one context per running plugin, on the engine's thread.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis_int.h"

static const char *const slot_names[AN_NSLOT] = {
	"features", "timeline", "classify", "tempo", "key", "simvec", "patterns",
};

int an_slot_of_name(const char *name)
{
	for (int i = 0; i < AN_NSLOT; i++)
		if (!strcmp(name, slot_names[i]))
			return i;
	return -1;
}

void an_ctx_init(struct an_ctx *c, const struct an_plugin *p, int idx,
                 struct an_region *r, const struct dsp_frame *frames, size_t n,
                 double frame_rate, const int *owner, const unsigned char *need)
{
	memset(c, 0, sizeof(*c));
	c->plugin = p;
	c->index = idx;
	c->region = r;
	c->frames = frames;
	c->n_frames = n;
	c->frame_rate = frame_rate;
	c->owner = owner;
	c->need = need;
	str_init(&c->detail);
}

void an_ctx_fini(struct an_ctx *c)
{
	str_fini(&c->detail);
}

void an_slot_clear(struct an_region *r, int slot)
{
	switch (slot) {
	case AN_SLOT_FEATURES:
		r->has_features = 0;
		memset(&r->features, 0, sizeof(r->features));
		break;
	case AN_SLOT_TIMELINE:
		free(r->timeline.seg);
		r->has_timeline = 0;
		memset(&r->timeline, 0, sizeof(r->timeline));
		break;
	case AN_SLOT_CLASS:
		r->has_class = 0;
		memset(&r->cls, 0, sizeof(r->cls));
		break;
	case AN_SLOT_TEMPO:
		free(r->tempo.beats);
		r->has_tempo = 0;
		memset(&r->tempo, 0, sizeof(r->tempo));
		break;
	case AN_SLOT_KEY:
		free(r->key.sections);
		r->has_key = 0;
		memset(&r->key, 0, sizeof(r->key));
		r->key.key = AN_NO_KEY;
		r->key.runner = AN_NO_KEY;
		break;
	case AN_SLOT_SIMVEC:
		r->has_simvec = 0;
		memset(&r->simvec, 0, sizeof(r->simvec));
		break;
	case AN_SLOT_PATTERNS:
		free(r->patterns.occ);
		r->has_patterns = 0;
		memset(&r->patterns, 0, sizeof(r->patterns));
		break;
	}
}

/* ---- the region --------------------------------------------------------- */

double an_region_start(const struct an_ctx *c) { return c->region->start; }
double an_region_end(const struct an_ctx *c) { return c->region->end; }
double an_frame_rate(const struct an_ctx *c) { return c->frame_rate; }

const struct dsp_frame *an_frames(const struct an_ctx *c, size_t *n)
{
	*n = c->n_frames;
	return c->frames;
}

double an_frame_time(const struct an_ctx *c, size_t i)
{
	return c->region->frames_t0 + (double)i / c->frame_rate;
}

int an_should_stop(struct an_ctx *c)
{
	if (!c->stopped && time_now() > c->deadline)
		c->stopped = 1;
	return c->stopped;
}

struct str *an_detail(struct an_ctx *c)
{
	return &c->detail;
}

/* ---- typed getters ------------------------------------------------------ */

/* Nonzero when slot s was published by one of c's declared needs. */
static int readable(const struct an_ctx *c, int s)
{
	int o = c->owner[s];
	return o >= 0 && c->need[o];
}

const struct an_features_result *an_get_features(struct an_ctx *c)
{
	return readable(c, AN_SLOT_FEATURES) ? &c->region->features : NULL;
}

const struct an_timeline_result *an_get_timeline(struct an_ctx *c)
{
	return readable(c, AN_SLOT_TIMELINE) ? &c->region->timeline : NULL;
}

const struct an_class_result *an_get_class(struct an_ctx *c)
{
	return readable(c, AN_SLOT_CLASS) ? &c->region->cls : NULL;
}

const struct an_tempo_result *an_get_tempo(struct an_ctx *c)
{
	return readable(c, AN_SLOT_TEMPO) ? &c->region->tempo : NULL;
}

const struct an_key_result *an_get_key(struct an_ctx *c)
{
	return readable(c, AN_SLOT_KEY) ? &c->region->key : NULL;
}

const struct an_simvec_result *an_get_simvec(struct an_ctx *c)
{
	return readable(c, AN_SLOT_SIMVEC) ? &c->region->simvec : NULL;
}

const struct an_patterns_result *an_get_patterns(struct an_ctx *c)
{
	return readable(c, AN_SLOT_PATTERNS) ? &c->region->patterns : NULL;
}

/* ---- typed setters ------------------------------------------------------ */

/* Copy n elements of size sz; NULL for n == 0. */
static void *dup_array(const void *a, size_t n, size_t sz)
{
	void *p;

	if (n == 0 || a == NULL)
		return NULL;
	p = xmalloc(n * sz);
	memcpy(p, a, n * sz);
	return p;
}

/* Publishing twice replaces the earlier value (arrays freed). */
static void claim(struct an_ctx *c, int s)
{
	an_slot_clear(c->region, s);
	c->published |= 1 << s;
}

void an_set_features(struct an_ctx *c, const struct an_features_result *r)
{
	claim(c, AN_SLOT_FEATURES);
	c->region->features = *r;
	c->region->has_features = 1;
}

void an_set_timeline(struct an_ctx *c, const struct an_timeline_result *r)
{
	claim(c, AN_SLOT_TIMELINE);
	c->region->timeline.n = r->n;
	c->region->timeline.seg = dup_array(r->seg, r->n > 0 ? (size_t)r->n : 0,
	                                    sizeof(*r->seg));
	c->region->has_timeline = 1;
}

void an_set_class(struct an_ctx *c, const struct an_class_result *r)
{
	claim(c, AN_SLOT_CLASS);
	c->region->cls = *r;
	c->region->has_class = 1;
}

void an_set_tempo(struct an_ctx *c, const struct an_tempo_result *r)
{
	claim(c, AN_SLOT_TEMPO);
	c->region->tempo = *r;
	c->region->tempo.beats = dup_array(r->beats, r->n_beats > 0 ? (size_t)r->n_beats : 0,
	                                   sizeof(*r->beats));
	if (c->region->tempo.beats == NULL)
		c->region->tempo.n_beats = 0;
	c->region->has_tempo = 1;
}

void an_set_key(struct an_ctx *c, const struct an_key_result *r)
{
	claim(c, AN_SLOT_KEY);
	c->region->key = *r;
	c->region->key.sections = dup_array(r->sections,
	                                    r->n_sections > 0 ? (size_t)r->n_sections : 0,
	                                    sizeof(*r->sections));
	if (c->region->key.sections == NULL)
		c->region->key.n_sections = 0;
	c->region->has_key = 1;
}

void an_set_simvec(struct an_ctx *c, const struct an_simvec_result *r)
{
	claim(c, AN_SLOT_SIMVEC);
	c->region->simvec = *r;
	c->region->has_simvec = 1;
}

void an_set_patterns(struct an_ctx *c, const struct an_patterns_result *r)
{
	claim(c, AN_SLOT_PATTERNS);
	c->region->patterns.n = r->n > 0 ? r->n : 0;
	c->region->patterns.occ = dup_array(r->occ, r->n > 0 ? (size_t)r->n : 0,
	                                    sizeof(*r->occ));
	if (c->region->patterns.occ == NULL)
		c->region->patterns.n = 0;
	c->region->has_patterns = 1;
}

/* ---- region lifetime ---------------------------------------------------- */

const char *an_run_error(const struct an_run *run)
{
	return run->error != NULL ? run->error : "";
}

void an_region_fini(struct an_region *r)
{
	if (r == NULL)
		return;
	for (int s = 0; s < AN_NSLOT; s++)
		an_slot_clear(r, s);
	for (int i = 0; i < r->n_runs && i < AN_MAX_PLUGINS; i++) {
		free(r->runs[i].detail);
		free(r->runs[i].error);
		r->runs[i].detail = NULL;
		r->runs[i].error = NULL;
	}
	r->n_runs = 0;
}
