/*
 * test_engine.c - the analysis engine: dependency order, containment
 * (errors, budgets, failed needs), the circuit breaker, cycles, metrics,
 * the typed store's access rules and GRYM_FAULT injection.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "grym/analysis.h"

#define NF 86
static struct dsp_frame frames[NF];
static int flaky_fails;          /* the "flaky" plugin fails while nonzero */
static int saw_undeclared;       /* "b" could read a result it did not declare */
static char order_log[64];       /* plugin names' first letters, in run order */

static void logrun(const char *name)
{
	size_t n = strlen(order_log);
	if (n + 1 < sizeof(order_log)) {
		order_log[n] = name[0];
		order_log[n + 1] = '\0';
	}
}

static int run_a(struct an_ctx *c, struct gr_err *err)
{
	struct an_features_result r;
	size_t n;
	logrun("a");
	memset(&r, 0, sizeof(r));
	an_frames(c, &n);
	r.vec[0] = (float)n;
	an_set_features(c, &r);
	return 0;
}

static int run_b(struct an_ctx *c, struct gr_err *err)
{
	const struct an_features_result *f = an_get_features(c);
	struct an_class_result r;
	logrun("b");
	if (f == NULL)
		return gr_fail(err, GR_EUSAGE, "no features");
	saw_undeclared = an_get_tempo(c) != NULL;
	memset(&r, 0, sizeof(r));
	r.cls = AN_MUSIC;
	r.conf = f->vec[0] == NF ? 1.0f : 0.0f;
	an_set_class(c, &r);
	return 0;
}

static int run_err(struct an_ctx *c, struct gr_err *err)
{
	struct an_tempo_result t;
	logrun("e");
	memset(&t, 0, sizeof(t));
	t.bpm = 99;
	an_set_tempo(c, &t);   /* a partial result: must be dropped */
	return gr_fail(err, GR_EFORMAT, "test plugin error 42");
}

static int run_dep(struct an_ctx *c, struct gr_err *err)
{
	logrun("d");
	return 0;
}

static int run_slow(struct an_ctx *c, struct gr_err *err)
{
	logrun("s");
	while (!an_should_stop(c))
		usleep(2000);
	return gr_fail(err, GR_ETIMEOUT, "stopped");
}

static int run_flaky(struct an_ctx *c, struct gr_err *err)
{
	logrun("f");
	return flaky_fails ? gr_fail(err, GR_EIO, "flaky broke") : 0;
}

static int run_lazy(struct an_ctx *c, struct gr_err *err)
{
	return 0;   /* named like a typed result but publishes nothing */
}

static const char *const need_a[] = { "a", NULL };
static const char *const need_err[] = { "err", NULL };
static const char *const need_flaky[] = { "flaky", NULL };
static const char *const need_x[] = { "x", NULL };
static const char *const need_y[] = { "y", NULL };
static const char *const need_nope[] = { "nope", NULL };

static const struct an_plugin p_a = { "a", 3, NULL, 10, run_a };
static const struct an_plugin p_b = { "b", 1, need_a, 10, run_b };
static const struct an_plugin p_err = { "err", 1, NULL, 10, run_err };
static const struct an_plugin p_dep = { "dep", 2, need_err, 10, run_dep };
static const struct an_plugin p_slow = { "slow", 1, NULL, 0, run_slow };
static const struct an_plugin p_flaky = { "flaky", 1, NULL, 10, run_flaky };
static const struct an_plugin p_after = { "after", 1, need_flaky, 10, run_dep };
static const struct an_plugin p_x = { "x", 1, need_y, 10, run_dep };
static const struct an_plugin p_y = { "y", 1, need_x, 10, run_dep };
static const struct an_plugin p_lost = { "lost", 1, need_nope, 10, run_dep };
static const struct an_plugin p_features_lazy = { "features", 1, NULL, 10, run_lazy };

static const struct an_run *find_run(const struct an_region *r, const char *name)
{
	for (int i = 0; i < r->n_runs; i++)
		if (!strcmp(r->runs[i].name, name))
			return &r->runs[i];
	fail_msg("no run of %s", name);
	return NULL;
}

static void run_region(struct an_engine *e, struct an_region *r)
{
	memset(r, 0, sizeof(*r));
	r->start = 10.0;
	r->end = 12.0;
	an_engine_run_region(e, r, frames, NF, 43.0);
}

static void test_order(void **state)
{
	/* given dependents first: the engine must reorder */
	const struct an_plugin *ps[] = { &p_b, &p_dep, &p_a, &p_err };
	const struct an_plugin *got[8];
	struct gr_err err = { 0, "" };
	struct an_engine *e = an_engine_new(ps, 4, 0, &err);
	struct an_region r;

	assert_non_null(e);
	assert_int_equal(an_engine_plugins(e, got, 8), 4);
	/* stable: a before b (b needs a), err before dep */
	assert_string_equal(got[0]->name, "a");
	assert_string_equal(got[1]->name, "b");
	assert_string_equal(got[2]->name, "err");
	assert_string_equal(got[3]->name, "dep");
	order_log[0] = '\0';
	run_region(e, &r);
	assert_string_equal(order_log, "abe");   /* dep never ran */
	an_region_fini(&r);
	an_engine_free(e);
}

static void test_containment(void **state)
{
	const struct an_plugin *ps[] = { &p_a, &p_err, &p_dep, &p_slow, &p_b };
	struct gr_err err = { 0, "" };
	struct an_engine *e = an_engine_new(ps, 5, 0, &err);
	struct an_region r;
	const struct an_run *ru;
	const struct an_metrics *m;
	size_t nm;

	assert_non_null(e);
	saw_undeclared = -1;
	run_region(e, &r);
	assert_int_equal(r.n_runs, 5);
	ru = find_run(&r, "err");
	assert_int_equal(ru->status, AN_FAILED);
	assert_string_equal(ru->error, "test plugin error 42");
	assert_int_equal(r.has_tempo, 0);            /* its partial result was dropped */
	ru = find_run(&r, "dep");
	assert_int_equal(ru->status, AN_SKIPPED);
	assert_string_equal(ru->error, "needs err, which failed");
	assert_int_equal(ru->version, 2);
	ru = find_run(&r, "slow");
	assert_int_equal(ru->status, AN_TIMEOUT);
	assert_non_null(strstr(ru->error, "timed out"));
	assert_true(ru->time >= 0.99 && ru->time < 3.0);   /* budget: 1 s minimum */
	/* the others are unaffected */
	assert_int_equal(find_run(&r, "a")->status, AN_OK);
	assert_int_equal(find_run(&r, "a")->version, 3);
	assert_int_equal(find_run(&r, "b")->status, AN_OK);
	assert_int_equal(r.has_features, 1);
	assert_int_equal(r.has_class, 1);
	assert_int_equal(r.cls.cls, AN_MUSIC);
	assert_true(r.cls.conf == 1.0f);   /* b saw a's result for all NF frames */
	assert_int_equal(saw_undeclared, 0);   /* tempo was not b's need */

	m = an_engine_metrics(e, &nm);
	assert_int_equal(nm, 5);
	for (size_t i = 0; i < nm; i++) {
		if (!strcmp(m[i].name, "err")) {
			assert_int_equal(m[i].count, 1);
			assert_int_equal(m[i].failures, 1);
			assert_string_equal(m[i].last_error, "test plugin error 42");
		} else if (!strcmp(m[i].name, "dep")) {
			assert_int_equal(m[i].count, 0);
			assert_int_equal(m[i].skipped, 1);
		} else if (!strcmp(m[i].name, "slow")) {
			assert_int_equal(m[i].timeouts, 1);
			assert_true(m[i].median_time >= 0.99);
			assert_true(m[i].max_time >= m[i].median_time);
		}
	}
	an_region_fini(&r);
	an_engine_free(e);
}

static void test_breaker(void **state)
{
	const struct an_plugin *ps[] = { &p_flaky, &p_after, &p_a };
	struct gr_err err = { 0, "" };
	struct an_engine *e = an_engine_new(ps, 3, 3, &err);
	struct an_region r;
	const struct an_metrics *m;
	size_t nm;

	assert_non_null(e);
	/* two failing files, one good one: the streak starts over */
	flaky_fails = 1;
	for (int f = 0; f < 2; f++) {
		run_region(e, &r);
		run_region(e, &r);   /* two regions of one file count once */
		assert_int_equal(find_run(&r, "flaky")->status, AN_FAILED);
		assert_string_equal(an_run_error(find_run(&r, "after")), "needs flaky, which failed");
		an_engine_file_done(e);
	}
	an_region_fini(&r);
	flaky_fails = 0;
	run_region(e, &r);
	assert_int_equal(find_run(&r, "flaky")->status, AN_OK);
	an_region_fini(&r);
	an_engine_file_done(e);
	/* now three failing files in a row open the breaker */
	flaky_fails = 1;
	for (int f = 0; f < 3; f++) {
		run_region(e, &r);
		assert_int_equal(find_run(&r, "flaky")->status, AN_FAILED);
		an_region_fini(&r);
		an_engine_file_done(e);
	}
	flaky_fails = 0;   /* it would work now, but it is switched off */
	run_region(e, &r);
	assert_int_equal(find_run(&r, "flaky")->status, AN_DISABLED);
	assert_non_null(strstr(an_run_error(find_run(&r, "flaky")), "3 files in a row"));
	assert_string_equal(an_run_error(find_run(&r, "after")), "needs flaky, which is switched off");
	assert_int_equal(find_run(&r, "a")->status, AN_OK);
	an_region_fini(&r);
	m = an_engine_metrics(e, &nm);
	assert_string_equal(m[0].name, "flaky");
	assert_int_equal(m[0].disabled, 1);
	assert_int_equal(m[0].failures, 7);
	assert_int_equal(m[0].count, 8);
	assert_string_equal(m[0].last_error, "flaky broke");
	an_engine_free(e);
}

static void test_bad_graphs(void **state)
{
	const struct an_plugin *cyc[] = { &p_a, &p_x, &p_y };
	const struct an_plugin *lost[] = { &p_a, &p_lost };
	const struct an_plugin *twice[] = { &p_a, &p_a };
	struct gr_err err = { 0, "" };

	assert_null(an_engine_new(cyc, 3, 0, &err));
	assert_non_null(strstr(err.msg, "cycle"));
	assert_non_null(strstr(err.msg, "x"));
	assert_null(strstr(err.msg, "a,"));   /* a is not part of the cycle */
	assert_null(an_engine_new(lost, 2, 0, &err));
	assert_string_equal(err.msg, "plugin lost needs nope, which is not registered");
	assert_null(an_engine_new(twice, 2, 0, &err));
	assert_non_null(strstr(err.msg, "twice"));
}

static void test_result_required(void **state)
{
	const struct an_plugin *ps[] = { &p_features_lazy };
	struct gr_err err = { 0, "" };
	struct an_engine *e = an_engine_new(ps, 1, 0, &err);
	struct an_region r;

	run_region(e, &r);
	assert_int_equal(r.runs[0].status, AN_FAILED);
	assert_non_null(strstr(an_run_error(&r.runs[0]), "without publishing"));
	an_region_fini(&r);
	an_engine_free(e);
}

static void test_core_registry(void **state)
{
	struct gr_err err = { 0, "" };
	struct an_engine *e = an_engine_new(NULL, 0, 5, &err);
	const struct an_plugin *got[AN_MAX_PLUGINS];
	size_t n;

	assert_non_null(e);
	n = an_engine_plugins(e, got, AN_MAX_PLUGINS);
	assert_int_equal(n, an_core_plugin_count());
	assert_true(n >= 3);
	assert_string_equal(got[0]->name, "features");
	an_engine_free(e);
}

static void test_fault_injection(void **state)
{
	const struct an_plugin *ps[] = { &p_a, &p_b };
	struct gr_err err = { 0, "" };
	struct an_engine *e;
	struct an_region r;
	pid_t pid;
	int st;

	setenv("GRYM_FAULT", "a:fail:bad", 1);
	e = an_engine_new(ps, 2, 0, &err);
	unsetenv("GRYM_FAULT");
	an_engine_file_begin(e, "/music/good.wav");
	run_region(e, &r);
	assert_int_equal(r.runs[0].status, AN_OK);
	an_region_fini(&r);
	an_engine_file_done(e);
	an_engine_file_begin(e, "/music/bad.wav");
	run_region(e, &r);
	assert_int_equal(r.runs[0].status, AN_FAILED);
	assert_non_null(strstr(an_run_error(&r.runs[0]), "injected failure"));
	assert_string_equal(an_run_error(&r.runs[1]), "needs a, which failed");
	an_region_fini(&r);
	an_engine_free(e);

	/* crash: only in a child; the engine says which plugin was running */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		setenv("GRYM_FAULT", "b:crash", 1);
		e = an_engine_new(ps, 2, 0, &err);
		signal(SIGSEGV, SIG_DFL);
		run_region(e, &r);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGSEGV);
	assert_null(an_engine_running());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_containment),
		cmocka_unit_test(test_breaker),
		cmocka_unit_test(test_bad_graphs),
		cmocka_unit_test(test_result_required),
		cmocka_unit_test(test_core_registry),
		cmocka_unit_test(test_fault_injection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
