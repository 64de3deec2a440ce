/*
 * engine.c - runs the analysis plugins on regions, in dependency order,
 * with containment and health bookkeeping.
 *
 *   an_engine_new        orders the plugins by their needs (topological,
 *                        stable: among ready plugins the given order wins);
 *                        an unknown need, a duplicate name or a cycle is an
 *                        error.  O(n^2) in plugins (n <= AN_MAX_PLUGINS).
 *   an_engine_run_region runs each plugin on one region's frames: a plugin
 *                        whose need did not succeed is recorded AN_SKIPPED
 *                        with the reason ("needs classify, which failed");
 *                        an error is AN_FAILED with the plugin's message and
 *                        its partial results are dropped; a plugin past its
 *                        budget (budget s per minute of region audio, at
 *                        least 1 s, wall clock) is told so by an_should_stop()
 *                        and recorded AN_TIMEOUT.
 *   an_engine_file_done  drives the circuit breaker: a plugin that failed or
 *                        timed out on `breaker` files in a row is switched off
 *                        (AN_DISABLED) for the rest of the engine's life.
 *   an_engine_metrics    count, failures, timeouts, skips, median and max time.
 *
 * Fault injection (tests, crash drills): env GRYM_FAULT="plugin:mode[:substr]"
 * read at an_engine_new; when the named plugin is about to run (and, with
 * substr, the current file's path, see an_engine_file_begin, contains it)
 * the engine does instead:  crash = raise(SIGSEGV); abort = abort();
 * hang = loop forever ignoring cancellation (the worker deadline must
 * catch it); fail = return an error "injected failure"; slow = sleep past
 * the budget while honouring an_should_stop() (so: AN_TIMEOUT).
 *
 * Crashes are not caught here: workers (src/jobs) contain them and ask
 * an_engine_running() which plugin was running.
 *
 * Thread rules: one engine per thread.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis_int.h"

struct plug {
	const struct an_plugin *p;
	unsigned char need[AN_MAX_PLUGINS];  /* need[j]: plugin j (engine order) is a need */
	struct an_metrics m;
	double *times;                       /* s per run, for the median */
	size_t n_times, cap_times;
	int streak;                          /* files failed in a row */
	int failed_file, ok_file;            /* this file: some failure / some success */
};

struct an_engine {
	int n;
	struct plug pl[AN_MAX_PLUGINS];      /* in run order */
	int breaker;                         /* files in a row, 0 = never */
	char fault_plugin[64];               /* GRYM_FAULT parts, "" = none */
	char fault_mode[16];
	char fault_path[256];
	char *path;                          /* current file, for fault matching */
	struct an_metrics out[AN_MAX_PLUGINS];
};

/* Name of the plugin running now (NULL between runs); read by crash handlers. */
static const char *volatile running_name;

const char *an_engine_running(void)
{
	return running_name;
}

static void parse_fault(struct an_engine *e)
{
	const char *v = getenv("GRYM_FAULT");
	const char *c1, *c2;

	if (v == NULL || (c1 = strchr(v, ':')) == NULL)
		return;
	snprintf(e->fault_plugin, sizeof(e->fault_plugin), "%.*s", (int)(c1 - v), v);
	c2 = strchr(c1 + 1, ':');
	if (c2 != NULL) {
		snprintf(e->fault_mode, sizeof(e->fault_mode), "%.*s", (int)(c2 - c1 - 1), c1 + 1);
		str_lcpy(e->fault_path, c2 + 1, sizeof(e->fault_path));
	} else {
		str_lcpy(e->fault_mode, c1 + 1, sizeof(e->fault_mode));
	}
}

static int find_plugin(const struct an_plugin *const *ps, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(ps[i]->name, name))
			return (int)i;
	return -1;
}

struct an_engine *an_engine_new(const struct an_plugin *const *plugins, size_t n,
                                int breaker, struct gr_err *err)
{
	unsigned char dep[AN_MAX_PLUGINS][AN_MAX_PLUGINS];  /* dep[i][j]: i needs j (input order) */
	int order[AN_MAX_PLUGINS], pos[AN_MAX_PLUGINS], done[AN_MAX_PLUGINS];
	struct an_engine *e;
	int k = 0;

	if (plugins == NULL) {
		plugins = an_core_plugins;
		n = an_core_plugin_count();
	}
	if (n > AN_MAX_PLUGINS) {
		gr_fail(err, GR_EUSAGE, "%zu plugins, at most %d", n, AN_MAX_PLUGINS);
		return NULL;
	}
	memset(dep, 0, sizeof(dep));
	memset(done, 0, sizeof(done));
	for (size_t i = 0; i < n; i++) {
		if (plugins[i] == NULL || plugins[i]->name == NULL || plugins[i]->run == NULL) {
			gr_fail(err, GR_EUSAGE, "plugin %zu has no name or entry point", i);
			return NULL;
		}
		if (find_plugin(plugins, i, plugins[i]->name) >= 0) {
			gr_fail(err, GR_EUSAGE, "plugin %s registered twice", plugins[i]->name);
			return NULL;
		}
	}
	for (size_t i = 0; i < n; i++) {
		for (const char *const *q = plugins[i]->needs; q != NULL && *q != NULL; q++) {
			int j = find_plugin(plugins, n, *q);
			if (j < 0) {
				gr_fail(err, GR_EUSAGE, "plugin %s needs %s, which is not registered",
				        plugins[i]->name, *q);
				return NULL;
			}
			if ((size_t)j == i) {
				gr_fail(err, GR_EUSAGE, "plugin %s needs itself", plugins[i]->name);
				return NULL;
			}
			dep[i][j] = 1;
		}
	}
	/* Kahn's algorithm, picking the first ready plugin in input order. */
	while (k < (int)n) {
		int pick = -1;
		for (size_t i = 0; i < n && pick < 0; i++) {
			int ready = !done[i];
			for (size_t j = 0; j < n && ready; j++)
				if (dep[i][j] && !done[j])
					ready = 0;
			if (ready)
				pick = (int)i;
		}
		if (pick < 0) {
			struct str b;
			str_init(&b);
			for (size_t i = 0; i < n; i++)
				if (!done[i])
					str_addf(&b, "%s%s", b.len ? ", " : "", plugins[i]->name);
			gr_fail(err, GR_EUSAGE, "plugins needing each other in a cycle: %s", b.s);
			str_fini(&b);
			return NULL;
		}
		done[pick] = 1;
		pos[pick] = k;
		order[k++] = pick;
	}
	e = xcalloc(1, sizeof(*e));
	e->n = (int)n;
	e->breaker = breaker;
	for (int i = 0; i < e->n; i++) {
		struct plug *pl = &e->pl[i];
		pl->p = plugins[order[i]];
		for (size_t j = 0; j < n; j++)
			if (dep[order[i]][j])
				pl->need[pos[j]] = 1;
		pl->m.name = pl->p->name;
		pl->m.version = pl->p->version;
	}
	parse_fault(e);
	return e;
}

void an_engine_file_begin(struct an_engine *e, const char *path)
{
	free(e->path);
	e->path = path != NULL ? xstrdup(path) : NULL;
}

/* Sleep ms milliseconds. */
static void nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* Run the injected fault instead of the plugin; returns its status code. */
static int run_fault(struct an_engine *e, struct an_ctx *c, struct gr_err *err)
{
	const char *m = e->fault_mode;

	if (!strcmp(m, "crash"))
		raise(SIGSEGV);
	if (!strcmp(m, "abort"))
		abort();
	if (!strcmp(m, "hang"))
		for (;;)
			nap(100);
	if (!strcmp(m, "slow")) {
		while (!an_should_stop(c))
			nap(10);
		return gr_fail(err, GR_ETIMEOUT, "injected slowness (GRYM_FAULT)");
	}
	return gr_fail(err, GR_EIO, "injected failure (GRYM_FAULT=%s:%s)", e->fault_plugin, m);
}

static int fault_applies(const struct an_engine *e, const char *name)
{
	if (e->fault_plugin[0] == '\0' || strcmp(e->fault_plugin, name) != 0)
		return 0;
	if (e->fault_path[0] == '\0')
		return 1;
	return e->path != NULL && strstr(e->path, e->fault_path) != NULL;
}

static void add_time(struct plug *pl, double t)
{
	if (pl->n_times == pl->cap_times) {
		pl->cap_times = pl->cap_times ? 2 * pl->cap_times : 64;
		pl->times = xrealloc(pl->times, pl->cap_times * sizeof(*pl->times));
	}
	pl->times[pl->n_times++] = t;
	if (t > pl->m.max_time)
		pl->m.max_time = t;
}

static const char *why_not(int status)
{
	switch (status) {
	case AN_FAILED: return "failed";
	case AN_TIMEOUT: return "timed out";
	case AN_SKIPPED: return "was skipped";
	case AN_DISABLED: return "is switched off";
	}
	return "did not run";
}

/* Run plugin i of e on r; fills *run. */
static void run_one(struct an_engine *e, int i, struct an_region *r, int *owner,
                    const struct dsp_frame *frames, size_t n, double rate)
{
	struct plug *pl = &e->pl[i];
	struct an_run *run = &r->runs[i];
	struct gr_err err = { 0, "" };
	struct an_ctx c;
	double dur, budget, t0;
	int rc, slot;

	dur = r->end - r->start;
	if (rate > 0 && (double)n / rate > dur)
		dur = (double)n / rate;
	budget = pl->p->budget * dur / 60.0;
	if (budget < 1.0)
		budget = 1.0;
	an_ctx_init(&c, pl->p, i, r, frames, n, rate, owner, pl->need);
	t0 = time_now();
	c.deadline = t0 + budget;
	running_name = pl->p->name;
	if (fault_applies(e, pl->p->name))
		rc = run_fault(e, &c, &err);
	else
		rc = pl->p->run(&c, &err);
	running_name = NULL;
	run->time = time_now() - t0;
	add_time(pl, run->time);
	pl->m.count++;

	slot = an_slot_of_name(pl->p->name);
	if (rc == 0 && slot >= 0 && !(c.published & (1 << slot))) {
		rc = gr_fail(&err, GR_EFORMAT, "returned without publishing its %s result",
		             pl->p->name);
	}
	if (rc == 0) {
		run->status = AN_OK;
		pl->ok_file = 1;
	} else if (rc == -GR_ETIMEOUT || c.stopped) {
		run->status = AN_TIMEOUT;
		run->error = xasprintf("timed out after %.1f s (budget %.1f s)", run->time,
		                       budget);
		pl->m.timeouts++;
		pl->failed_file = 1;
	} else {
		run->status = AN_FAILED;
		run->error = xstrdup(err.msg[0] ? err.msg : gr_strcode(-rc));
		pl->m.failures++;
		pl->failed_file = 1;
	}
	if (run->status != AN_OK)
		str_lcpy(pl->m.last_error, run->error, sizeof(pl->m.last_error));
	/* Publish ownership of results only on success; drop partial ones. */
	for (int s = 0; s < AN_NSLOT; s++) {
		if (!(c.published & (1 << s)))
			continue;
		if (run->status == AN_OK)
			owner[s] = i;
		else
			an_slot_clear(r, s);
	}
	if (run->status == AN_OK && c.detail.len > 0)
		run->detail = str_take(&c.detail);
	an_ctx_fini(&c);
}

void an_engine_run_region(struct an_engine *e, struct an_region *r,
                          const struct dsp_frame *frames, size_t n, double frame_rate)
{
	int owner[AN_NSLOT];

	for (int s = 0; s < AN_NSLOT; s++) {
		owner[s] = -1;
		an_slot_clear(r, s);
	}
	r->n_runs = e->n;
	for (int i = 0; i < e->n; i++) {
		struct plug *pl = &e->pl[i];
		struct an_run *run = &r->runs[i];
		int blocked = -1;

		memset(run, 0, sizeof(*run));
		run->name = pl->p->name;
		run->version = pl->p->version;
		for (int j = 0; j < i && blocked < 0; j++)
			if (pl->need[j] && r->runs[j].status != AN_OK)
				blocked = j;
		if (pl->m.disabled) {
			run->status = AN_DISABLED;
			run->error = xasprintf("switched off after failing on %d files in a row",
			                       pl->streak);
			continue;
		}
		if (blocked >= 0) {
			run->status = AN_SKIPPED;
			run->error = xasprintf("needs %s, which %s", e->pl[blocked].p->name,
			                       why_not(r->runs[blocked].status));
			pl->m.skipped++;
			continue;
		}
		run_one(e, i, r, owner, frames, n, frame_rate);
	}
}

void an_engine_file_done(struct an_engine *e)
{
	for (int i = 0; i < e->n; i++) {
		struct plug *pl = &e->pl[i];
		if (pl->failed_file) {
			pl->streak++;
			if (e->breaker > 0 && pl->streak >= e->breaker && !pl->m.disabled) {
				pl->m.disabled = 1;
				log_warn("plugin %s switched off after failing on %d files in a row: %s",
				         pl->p->name, pl->streak, pl->m.last_error);
			}
		} else if (pl->ok_file) {
			pl->streak = 0;
		}
		pl->failed_file = pl->ok_file = 0;
	}
	free(e->path);
	e->path = NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

const struct an_metrics *an_engine_metrics(struct an_engine *e, size_t *n)
{
	for (int i = 0; i < e->n; i++) {
		struct plug *pl = &e->pl[i];
		e->out[i] = pl->m;
		e->out[i].median_time = 0;
		if (pl->n_times > 0) {
			double *t = xmalloc(pl->n_times * sizeof(*t));
			memcpy(t, pl->times, pl->n_times * sizeof(*t));
			qsort(t, pl->n_times, sizeof(*t), cmp_double);
			e->out[i].median_time = pl->n_times % 2
				? t[pl->n_times / 2]
				: 0.5 * (t[pl->n_times / 2 - 1] + t[pl->n_times / 2]);
			free(t);
		}
	}
	*n = (size_t)e->n;
	return e->out;
}

size_t an_engine_plugins(const struct an_engine *e, const struct an_plugin **out, size_t max)
{
	size_t k = 0;
	for (int i = 0; i < e->n && k < max; i++)
		out[k++] = e->pl[i].p;
	return (size_t)e->n;
}

void an_engine_free(struct an_engine *e)
{
	if (e == NULL)
		return;
	for (int i = 0; i < e->n; i++)
		free(e->pl[i].times);
	free(e->path);
	free(e);
}
