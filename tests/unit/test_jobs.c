/*
 * test_jobs.c - the scan walker, the scan plan and the worker supervisor.
 *
 * Walker: a generated tree with nested folders, a symlink loop, a FIFO
 * named x.wav, a directory named y.flac, an unreadable file and directory,
 * and names with a newline, an escape sequence and invalid UTF-8; the
 * exact list of reported entries and counts is compared.  When run as
 * root the walk runs in a child that drops to uid 65534, so "unreadable"
 * means something.
 *
 * Supervisor: this test binary is its own worker (`test_jobs --worker`,
 * through /proc/self/exe) with a fake analyser driven by the file's
 * contents: "crash" segfaults, "abort" aborts, "hang" blocks SIGALRM and
 * sleeps (only the supervisor's SIGKILL ends it), "snooze" sleeps (the
 * worker's own deadline ends it), "fail" returns an error, "slow" takes
 * 0.2 s; anything else is "analysed" (an empty analysis) and its path
 * appended to $JOBS_TEST_LOG, so tests count analyses per file.
 */
#include <errno.h>
#include <signal.h>
#include <time.h>
#include <fcntl.h>
#include <grp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "grym/analysis.h"
#include "grym/catalog.h"
#include "grym/config.h"
#include "grym/jobs.h"
#include "grym/util.h"

static char *tmpdir_new(void)
{
	char t[] = "/tmp/grym-jobs.XXXXXX";
	char *d = mkdtemp(t);
	assert_non_null(d);
	assert_int_equal(chmod(d, 0755), 0);
	return xstrdup(d);
}

static void rm_tree(const char *dir)
{
	char *cmd = xasprintf("chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", dir, dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", dir);
	free(cmd);
}

static void put(const char *dir, const char *rel, const char *bytes)
{
	char *p = xasprintf("%s/%s", dir, rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes, strlen(bytes)), (ssize_t)strlen(bytes));
	close(fd);
	free(p);
}

static void mkd(const char *dir, const char *rel, mode_t mode)
{
	char *p = xasprintf("%s/%s", dir, rel);
	assert_int_equal(mkdir(p, 0755), 0);
	assert_int_equal(chmod(p, mode), 0);
	free(p);
}

static int collect(void *arg, const struct job_walk_ent *e)
{
	struct str *b = arg;
	char *esc = str_escape_term(e->relpath);

	str_addf(b, "%d %s%s\n", e->skip, esc, e->skip == JOB_SKIP_NONE && e->size != 5 ?
	         " (size?)" : "");
	free(esc);
	return 0;
}

/* Walk dir, as uid 65534 when root; returns the report text (free it). */
static char *walk_report(const char *dir)
{
	int pfd[2];
	pid_t pid;
	struct str out;
	char buf[4096];
	ssize_t r;
	int status;

	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct job_walk_stats st;
		struct gr_err err = { 0 };
		struct str b;
		close(pfd[0]);
		if (geteuid() == 0 && (setgroups(0, NULL) != 0 || setgid(65534) != 0 ||
		                       setuid(65534) != 0))
			_exit(3);
		str_init(&b);
		str_add(&b, "");
		if (job_walk(dir, collect, &b, &st, &err) != 0)
			str_addf(&b, "error %s\n", err.msg);
		str_addf(&b, "dirs %ld audio %ld ignored %ld hidden %ld\n", st.dirs, st.audio,
		         st.ignored, st.hidden);
		for (int i = 1; i < JOB_SKIP_COUNT; i++)
			str_addf(&b, "skip %s: %ld\n", job_skip_reason(i), st.skipped[i]);
		if (write(pfd[1], b.s, b.len) != (ssize_t)b.len)
			_exit(4);
		_exit(0);
	}
	close(pfd[1]);
	str_init(&out);
	str_add(&out, "");
	while ((r = read(pfd[0], buf, sizeof(buf))) > 0)
		str_addn(&out, buf, (size_t)r);
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	return str_take(&out);
}

static void test_audio_names(void **state)
{
	assert_true(job_is_audio_name("a.wav"));
	assert_true(job_is_audio_name("A.WAVE"));
	assert_true(job_is_audio_name("x.y.FlAc"));
	assert_true(job_is_audio_name("t.rf64"));
	assert_true(job_is_audio_name("t.opus"));
	assert_true(job_is_audio_name("t.m4a"));
	assert_false(job_is_audio_name(".wav"));
	assert_false(job_is_audio_name("wav"));
	assert_false(job_is_audio_name("a.wav.txt"));
	assert_false(job_is_audio_name("a."));
	assert_false(job_is_audio_name("a.mid"));
}

static void test_walk_tree(void **state)
{
	char *d = tmpdir_new();
	char *p, *rep;

	put(d, "a.wav", "12345");
	put(d, "B.FLAC", "12345");
	put(d, "notes.txt", "hello");
	put(d, ".hidden.wav", "12345");
	mkd(d, ".git", 0755);
	put(d, ".git/x.wav", "12345");
	mkd(d, "sub", 0755);
	mkd(d, "sub/deep", 0755);
	put(d, "sub/deep/c.mp3", "12345");
	p = xasprintf("%s/sub/loop", d);
	assert_int_equal(symlink("..", p), 0);                 /* a loop if followed */
	free(p);
	p = xasprintf("%s/sub/deep/self.wav", d);
	assert_int_equal(symlink("self.wav", p), 0);           /* points at itself */
	free(p);
	p = xasprintf("%s/link.wav", d);
	assert_int_equal(symlink("a.wav", p), 0);
	free(p);
	p = xasprintf("%s/readme", d);
	assert_int_equal(symlink("notes.txt", p), 0);          /* not audio: ignored */
	free(p);
	p = xasprintf("%s/x.wav", d);
	assert_int_equal(mkfifo(p, 0644), 0);
	free(p);
	p = xasprintf("%s/fifo", d);
	assert_int_equal(mkfifo(p, 0644), 0);                  /* not audio: ignored */
	free(p);
	mkd(d, "y.flac", 0755);
	put(d, "y.flac/z.ogg", "12345");
	put(d, "locked.wav", "12345");
	p = xasprintf("%s/locked.wav", d);
	assert_int_equal(chmod(p, 0), 0);
	free(p);
	mkd(d, "closed", 0755);
	put(d, "closed/inside.wav", "12345");
	p = xasprintf("%s/closed", d);
	assert_int_equal(chmod(p, 0), 0);
	free(p);
	put(d, "new\nline.wav", "12345");
	put(d, "esc\x1b[31mred.wav", "12345");
	put(d, "bad\xff.aiff", "12345");

	rep = walk_report(d);
	assert_string_equal(rep,
		"0 B.FLAC\n"
		"0 a.wav\n"
		"0 bad\\xff.aiff\n"
		"4 closed\n"
		"0 esc\\x1b[31mred.wav\n"
		"1 link.wav\n"
		"3 locked.wav\n"
		"0 new\\nline.wav\n"
		"0 sub/deep/c.mp3\n"
		"1 sub/deep/self.wav\n"
		"1 sub/loop\n"
		"2 x.wav\n"
		"0 y.flac/z.ogg\n"
		"dirs 4 audio 7 ignored 3 hidden 2\n"
		"skip symbolic link (not followed): 3\n"
		"skip not a regular file (FIFO, socket or device): 1\n"
		"skip file not readable: 1\n"
		"skip directory not readable: 1\n"
		"skip directory loop: 0\n"
		"skip path too deep or too long: 0\n"
		"skip vanished or could not be examined: 0\n");
	free(rep);
	rm_tree(d);
	free(d);
}

static void test_walk_missing_dir(void **state)
{
	struct gr_err err = { 0 };
	struct str b;

	str_init(&b);
	assert_int_equal(job_walk("/nonexistent/grym-dir", collect, &b, NULL, &err), -GR_EIO);
	assert_non_null(strstr(err.msg, "/nonexistent/grym-dir"));
	str_fini(&b);
}

static int stop_at_two(void *arg, const struct job_walk_ent *e)
{
	int *n = arg;
	return ++*n == 2 ? 42 : 0;
}

static void test_walk_stop(void **state)
{
	char *d = tmpdir_new();
	int n = 0;

	put(d, "1.wav", "12345");
	put(d, "2.wav", "12345");
	put(d, "3.wav", "12345");
	assert_int_equal(job_walk(d, stop_at_two, &n, NULL, NULL), 42);
	assert_int_equal(n, 2);
	rm_tree(d);
	free(d);
}

static void test_walk_deep(void **state)
{
	char *d = tmpdir_new();
	struct str rel;
	struct job_walk_stats st;
	int n = 0;

	/* JOB_WALK_MAX_DEPTH + 2 levels: the last ones are reported, not read */
	str_init(&rel);
	str_add(&rel, "");
	for (int i = 0; i < JOB_WALK_MAX_DEPTH + 2; i++) {
		str_add(&rel, i ? "/d" : "d");
		mkd(d, rel.s, 0755);
	}
	str_add(&rel, "/f.wav");
	put(d, rel.s, "12345");
	assert_int_equal(job_walk(d, stop_at_two, &n, &st, NULL), 0);
	assert_int_equal(st.skipped[JOB_SKIP_TOO_DEEP], 1);
	assert_int_equal(st.audio, 0);
	assert_int_equal(st.dirs, JOB_WALK_MAX_DEPTH);
	str_fini(&rel);
	rm_tree(d);
	free(d);
}

/* ---- the supervisor with a fake analyser ---------------------------------- */

static void nap(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int fake_hash(const char *path, uint64_t *hash, int64_t *size, struct gr_err *err);

static int fake_analyze(const char *path, const struct gr_config *cfg, struct an_engine *e,
                        struct an_file *out, struct gr_err *err)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
	ssize_t n;
	struct stat sb;
	const char *log;

	memset(out, 0, sizeof(*out));
	if (fd < 0)
		return gr_fail(err, GR_EIO, "%s: %s", path, strerror(errno));
	n = read(fd, buf, sizeof(buf) - 1);
	if (fstat(fd, &sb) != 0)
		abort();
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	if (strstr(buf, "crash"))
		raise(SIGSEGV);
	if (strstr(buf, "abort"))
		abort();
	if (strstr(buf, "hang")) {
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, SIGALRM);
		sigprocmask(SIG_BLOCK, &set, NULL);
		for (;;)
			nap(1);
	}
	if (strstr(buf, "snooze"))
		for (;;)
			nap(1);
	if (strstr(buf, "fail"))
		return gr_fail(err, GR_EFORMAT, "%s: fake failure", path);
	if (strstr(buf, "slow"))
		nap(0.2);
	out->path = xstrdup(path);
	str_lcpy(out->info.format, "wav", sizeof(out->info.format));
	str_lcpy(out->info.codec, "pcm16", sizeof(out->info.codec));
	out->info.rate = 8000;
	out->info.channels = 1;
	out->info.bits = 16;
	out->info.lossless = 1;
	out->info.size = (int64_t)sb.st_size;
	out->info.mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
	fake_hash(path, &out->hash, &out->info.size, err);
	out->duration = 1.5;
	out->summary.cls = -1;
	out->summary.key = AN_NO_KEY;
	out->summary.key_runner = AN_NO_KEY;
	log = getenv("JOBS_TEST_LOG");
	if (log != NULL) {
		char *line = xasprintf("%s\n", path);
		int lfd = open(log, O_WRONLY | O_APPEND | O_CREAT, 0644);
		if (lfd >= 0) {
			if (write(lfd, line, strlen(line)) < 0)
				abort();
			close(lfd);
		}
		free(line);
	}
	return 0;
}

static int fake_hash(const char *path, uint64_t *hash, int64_t *size, struct gr_err *err)
{
	unsigned char buf[4096];
	uint64_t h = 1469598103934665603ull;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
	ssize_t n;

	if (fd < 0)
		return gr_fail(err, GR_EIO, "%s: %s", path, strerror(errno));
	*size = 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++)
			h = (h ^ buf[i]) * 1099511628211ull;
		*size += n;
	}
	close(fd);
	*hash = h;
	return 0;
}

static const struct job_worker_ops fake_ops = { fake_analyze, fake_hash };
static const char *const fake_argv[] = { "/proc/self/exe", "--worker", NULL };

struct fix {
	char *dir;          /* temp dir: cat.db, lib/, log */
	char *lib;
	char *log;
	struct gr_config cfg;
};

static struct fix *fix_new(double timeout)
{
	struct fix *f = xcalloc(1, sizeof(*f));

	f->dir = tmpdir_new();
	f->lib = xasprintf("%s/lib", f->dir);
	f->log = xasprintf("%s/analysed.log", f->dir);
	assert_int_equal(mkdir(f->lib, 0755), 0);
	config_defaults(&f->cfg);
	snprintf(f->cfg.catalog, sizeof(f->cfg.catalog), "%s/cat.db", f->dir);
	f->cfg.job_timeout = timeout;
	f->cfg.workers = 2;
	setenv("JOBS_TEST_LOG", f->log, 1);
	return f;
}

static void fix_free(struct fix *f)
{
	rm_tree(f->dir);
	free(f->dir);
	free(f->lib);
	free(f->log);
	free(f);
	unsetenv("JOBS_TEST_LOG");
}

/* Plan a scan of f->lib; returns plan.queued. */
static long plan_scan(struct fix *f, int retry, struct job_plan *out)
{
	struct gr_err err = { 0 };
	struct job_scan_opts o = { .retry_failed = retry };
	struct job_plan plan;
	const char *dirs[] = { f->lib };
	struct cat *c = cat_open(f->cfg.catalog, 0, &err);
	long q;

	assert_non_null(c);
	if (job_scan_prepare(c, dirs, 1, &o, &plan, &err) != 0)
		fail_msg("prepare: %s", err.msg);
	cat_close(c);
	q = plan.queued;
	if (out != NULL)
		*out = plan;
	else
		job_plan_fini(&plan);
	return q;
}

struct stopper {
	struct job_sup *s;
	long after;         /* stop once this many files are done (0 = never) */
	long events;
};

static void on_progress(void *arg, const struct job_progress *p)
{
	struct stopper *st = arg;
	st->events++;
	assert_true(p->done <= p->total);
	if (st->after > 0 && p->done >= st->after)
		job_sup_stop(st->s, 0);
}

static int run_sup(struct fix *f, const char *const *argv, long stop_after,
                   struct job_result *res, struct gr_err *err)
{
	struct stopper st = { NULL, stop_after, 0 };
	struct job_sup_opts o = { .workers = 2, .worker_argv = argv ? argv : fake_argv,
	                          .progress = on_progress, .arg = &st };
	struct job_sup *s = job_sup_new(&f->cfg, &o, err);
	int rc;

	assert_non_null(s);
	st.s = s;
	rc = job_sup_run(s, res, err);
	job_sup_free(s);
	assert_true(st.events > 0);
	return rc;
}

/* Times path appears in the analysis log. */
static int times_analysed(struct fix *f, const char *name)
{
	char line[4096];
	char *want = xasprintf("%s/%s\n", f->lib, name);
	FILE *fp = fopen(f->log, "r");
	int n = 0;

	if (fp != NULL) {
		while (fgets(line, sizeof(line), fp) != NULL)
			n += !strcmp(line, want);
		fclose(fp);
	}
	free(want);
	return n;
}

static const char *reason_for(const struct job_result *r, const char *name)
{
	for (size_t i = 0; i < r->n_failures; i++) {
		const char *p = r->failures[i].path;
		size_t l = strlen(p), k = strlen(name);
		if (l >= k && !strcmp(p + l - k, name))
			return r->failures[i].reason;
	}
	return NULL;
}

static void test_sup_contains_crashes(void **state)
{
	struct fix *f = fix_new(1);
	struct job_result res;
	struct job_plan plan;
	struct gr_err err = { 0 };
	struct cat_stats cs;
	struct cat *c;

	put(f->lib, "ok1.wav", "fine 1");
	put(f->lib, "ok2.wav", "fine 2");
	put(f->lib, "ok3.flac", "fine 3");
	put(f->lib, "crash.wav", "crash");
	put(f->lib, "abort.wav", "abort");
	put(f->lib, "bad.wav", "fail");
	put(f->lib, "hang.wav", "hang");
	put(f->lib, "snooze.wav", "snooze");
	put(f->lib, "ok4.wav", "fine 4");
	assert_int_equal(plan_scan(f, 0, NULL), 9);
	assert_int_equal(run_sup(f, NULL, 0, &res, &err), 0);
	assert_int_equal(res.analysed, 4);
	assert_int_equal(res.failed, 5);
	assert_int_equal(res.crashed, 2);
	assert_int_equal(res.timed_out, 2);
	assert_true(res.respawned >= 2);     /* the hangs end when the queue is empty */
	assert_false(res.stopped);
	assert_string_equal(reason_for(&res, "crash.wav"), "crashed: SIGSEGV");
	assert_string_equal(reason_for(&res, "abort.wav"), "crashed: SIGABRT");
	assert_string_equal(reason_for(&res, "bad.wav"), "fake failure");
	assert_string_equal(reason_for(&res, "hang.wav"), "timed out after 1 s");
	assert_string_equal(reason_for(&res, "snooze.wav"), "timed out after 1 s");
	assert_true(res.audio_s > 5.9 && res.audio_s < 6.1);
	job_result_fini(&res);

	c = cat_open(f->cfg.catalog, 0, &err);
	assert_non_null(c);
	assert_int_equal(cat_stats(c, &cs, &err), 0);
	assert_int_equal(cs.files, 9);
	assert_int_equal(cs.failed, 5);
	assert_int_equal(cs.jobs_queued + cs.jobs_running, 0);
	cat_close(c);

	/* a rescan does nothing; failed files wait for --retry-failed */
	assert_int_equal(plan_scan(f, 0, &plan), 0);
	assert_int_equal(plan.unchanged, 4);
	assert_int_equal(plan.failed_kept, 5);
	job_plan_fini(&plan);
	put(f->lib, "bad.wav", "fixed now");
	assert_int_equal(plan_scan(f, 0, &plan), 1);        /* changed: queued */
	assert_int_equal(plan.changed, 1);
	job_plan_fini(&plan);
	assert_int_equal(plan_scan(f, 1, &plan), 5);        /* + the 4 failed, retried */
	assert_int_equal(plan.retried, 4);
	job_plan_fini(&plan);
	for (const char *const *n = (const char *const[]){ "ok1.wav", "ok2.wav", "ok3.flac",
	                                                   "ok4.wav", NULL }; *n; n++)
		assert_int_equal(times_analysed(f, *n), 1);
	fix_free(f);
}

static void test_sup_moved(void **state)
{
	struct fix *f = fix_new(5);
	struct job_result res;
	struct job_plan plan;
	struct gr_err err = { 0 };
	int64_t id1 = 0, id2 = 0;
	char *from, *to, *sub;
	struct cat *c;

	put(f->lib, "a.wav", "content a");
	put(f->lib, "b.wav", "content b");
	assert_int_equal(plan_scan(f, 0, NULL), 2);
	assert_int_equal(run_sup(f, NULL, 0, &res, &err), 0);
	assert_int_equal(res.analysed, 2);
	job_result_fini(&res);
	from = xasprintf("%s/a.wav", f->lib);
	sub = xasprintf("%s/sub", f->lib);
	to = xasprintf("%s/sub/renamed.wav", f->lib);
	c = cat_open(f->cfg.catalog, 0, &err);
	assert_int_equal(cat_file_find(c, from, &id1, &err), 1);
	cat_close(c);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(rename(from, to), 0);

	assert_int_equal(plan_scan(f, 0, &plan), 1);
	assert_int_equal(plan.is_new, 1);
	assert_int_equal(plan.missing, 1);
	assert_int_equal(plan.unchanged, 1);
	job_plan_fini(&plan);
	assert_int_equal(run_sup(f, NULL, 0, &res, &err), 0);
	assert_int_equal(res.moved, 1);
	assert_int_equal(res.analysed, 0);
	job_result_fini(&res);
	c = cat_open(f->cfg.catalog, 0, &err);
	assert_int_equal(cat_file_find(c, to, &id2, &err), 1);
	assert_true(id1 == id2);
	assert_int_equal(cat_file_find(c, from, &id2, &err), 0);
	cat_close(c);
	assert_int_equal(times_analysed(f, "a.wav"), 1);
	assert_int_equal(times_analysed(f, "sub/renamed.wav"), 0);
	free(from);
	free(to);
	free(sub);
	fix_free(f);
}

static void test_sup_stop_resume(void **state)
{
	struct fix *f = fix_new(5);
	struct job_result res;
	struct gr_err err = { 0 };
	char name[32];
	long total = 0;

	for (int i = 0; i < 16; i++) {
		snprintf(name, sizeof(name), "s%02d.wav", i);
		put(f->lib, name, "slow");
	}
	assert_int_equal(plan_scan(f, 0, NULL), 16);
	assert_int_equal(run_sup(f, NULL, 3, &res, &err), 0);
	assert_true(res.stopped);
	assert_true(res.analysed >= 3 && res.analysed < 16);
	assert_int_equal(res.failed, 0);
	total += res.analysed;
	job_result_fini(&res);
	/* nothing is left running; the rest is queued and the next scan goes on */
	assert_int_equal(plan_scan(f, 0, NULL), 16 - total);
	assert_int_equal(run_sup(f, NULL, 0, &res, &err), 0);
	total += res.analysed;
	assert_false(res.stopped);
	job_result_fini(&res);
	assert_int_equal(total, 16);
	for (int i = 0; i < 16; i++) {
		snprintf(name, sizeof(name), "s%02d.wav", i);
		assert_int_equal(times_analysed(f, name), 1);
	}
	fix_free(f);
}

/* Two supervisors (two processes) on one catalog and one queue. */
static void test_sup_concurrent(void **state)
{
	struct fix *f = fix_new(5);
	struct gr_err err = { 0 };
	struct cat_stats cs;
	char name[32];
	pid_t pid[2];
	struct cat *c;

	for (int i = 0; i < 24; i++) {
		snprintf(name, sizeof(name), "c%02d.wav", i);
		put(f->lib, name, i % 2 ? "slow" : "quick");
	}
	for (int k = 0; k < 2; k++) {
		pid[k] = fork();
		assert_true(pid[k] >= 0);
		if (pid[k] == 0) {
			struct job_result res;
			struct job_sup_opts o = { .workers = 2, .worker_argv = fake_argv };
			plan_scan(f, 0, NULL);
			struct job_sup *s = job_sup_new(&f->cfg, &o, &err);
			if (s == NULL || job_sup_run(s, &res, &err) != 0)
				_exit(1);
			job_sup_free(s);
			_exit(res.failed != 0 ? 2 : 0);
		}
	}
	for (int k = 0; k < 2; k++) {
		int status;
		assert_int_equal(waitpid(pid[k], &status, 0), pid[k]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	for (int i = 0; i < 24; i++) {
		snprintf(name, sizeof(name), "c%02d.wav", i);
		assert_int_equal(times_analysed(f, name), 1);
	}
	c = cat_open(f->cfg.catalog, 0, &err);
	assert_int_equal(cat_stats(c, &cs, &err), 0);
	assert_int_equal(cs.files, 24);
	assert_int_equal(cs.failed, 0);
	assert_int_equal(cs.roots, 1);
	cat_close(c);
	fix_free(f);
}

/* SIGKILL of a supervisor mid-scan: its workers die with it, the next
 * scan requeues their jobs, and every file ends analysed exactly once. */
static void test_sup_sigkill_resume(void **state)
{
	struct fix *f = fix_new(5);
	struct job_result res;
	struct gr_err err = { 0 };
	char name[32];
	int status;
	pid_t pid;

	for (int i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "k%02d.wav", i);
		put(f->lib, name, "slow");
	}
	assert_int_equal(plan_scan(f, 0, NULL), 12);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct job_sup_opts o = { .workers = 2, .worker_argv = fake_argv };
		struct job_sup *s = job_sup_new(&f->cfg, &o, &err);
		if (s != NULL)
			job_sup_run(s, &res, &err);
		_exit(0);
	}
	nap(0.7);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	nap(0.1);          /* PR_SET_PDEATHSIG: the workers follow */
	assert_true(plan_scan(f, 0, NULL) > 0);
	assert_int_equal(run_sup(f, NULL, 0, &res, &err), 0);
	assert_int_equal(res.failed, 0);
	job_result_fini(&res);
	for (int i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "k%02d.wav", i);
		assert_true(times_analysed(f, name) >= 1);
	}
	/* the catalog holds each file once, every one analysed */
	struct cat_stats cs;
	struct cat *c = cat_open(f->cfg.catalog, 0, &err);
	assert_int_equal(cat_stats(c, &cs, &err), 0);
	assert_int_equal(cs.files, 12);
	assert_int_equal(cs.failed, 0);
	assert_int_equal(cs.jobs_queued + cs.jobs_running, 0);
	cat_close(c);
	fix_free(f);
}

static void test_sup_bad_worker(void **state)
{
	static const char *const bad_argv[] = { "/nonexistent/grym-worker", NULL };
	struct fix *f = fix_new(5);
	struct job_result res;
	struct gr_err err = { 0 };

	put(f->lib, "a.wav", "fine");
	assert_int_equal(plan_scan(f, 0, NULL), 1);
	assert_int_equal(run_sup(f, bad_argv, 0, &res, &err), -GR_EIO);
	assert_non_null(strstr(err.msg, "exec failed"));
	job_result_fini(&res);
	fix_free(f);
}

static void test_meter_lines(void **state)
{
	char buf[4096] = "";
	FILE *fp = fmemopen(buf, sizeof(buf), "w");
	struct job_meter *m = job_meter_new(fp, JOB_METER_LINES);
	struct job_progress p = { .event = JOB_EV_FAILED, .name = "a\\x1b.wav",
	                          .reason = "crashed: SIGSEGV", .done = 1, .failed = 1,
	                          .total = 10, .elapsed = 1 };

	job_meter_event(m, &p);
	p.event = JOB_EV_DONE;
	p.done = 5;
	p.audio_s = 3600;
	p.elapsed = 2;
	job_meter_event(m, &p);
	job_meter_end(m);
	job_meter_free(m);
	fclose(fp);
	assert_string_equal(buf,
		"grym: failed: a\\x1b.wav: crashed: SIGSEGV\n"
		"grym scan: 1/10 files (10%), 0.00 h of audio/s, 1 failed, ETA 0:09\n"
		"grym scan: 5/10 files (50%), 0.50 h of audio/s, 1 failed, ETA 0:02\n");
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--worker"))
		return job_worker_main(&fake_ops);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audio_names),
		cmocka_unit_test(test_walk_tree),
		cmocka_unit_test(test_walk_missing_dir),
		cmocka_unit_test(test_walk_stop),
		cmocka_unit_test(test_walk_deep),
		cmocka_unit_test(test_meter_lines),
		cmocka_unit_test(test_sup_contains_crashes),
		cmocka_unit_test(test_sup_moved),
		cmocka_unit_test(test_sup_stop_resume),
		cmocka_unit_test(test_sup_concurrent),
		cmocka_unit_test(test_sup_sigkill_resume),
		cmocka_unit_test(test_sup_bad_worker),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
