/*
 * plan.c - job_scan_prepare(): from directories on disk to jobs in the
 * catalog.
 *
 * For each directory: make it absolute (realpath), find or make its
 * library root, walk it (walk.c), look every audio file up by size and
 * mtime (cat_lookup), queue what needs analysis in batches of
 * PLAN_BATCH paths per transaction, then flag catalog files that are gone
 * from disk as missing.  Moves are recognised later, by the worker, which
 * hashes the file before analysing it: hashing here would read every new
 * file twice in one process, and nothing untrusted runs here.
 *
 * Cost: one lstat + one indexed lookup per file; a tree of 100 000 files
 * plans in a few seconds, unchanged ones are never opened.
 *
 * Thread rules: runs on its caller's thread with its caller's handle.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "grym/analysis.h"
#include "grym/catalog.h"
#include "grym/jobs.h"
#include "grym/util.h"
#include "jobs_int.h"

#define PLAN_BATCH 256

static char version_buf[512];
static pthread_once_t version_once = PTHREAD_ONCE_INIT;

static int cmp_plugins(const void *a, const void *b)
{
	const struct an_plugin *pa = *(const struct an_plugin *const *)a;
	const struct an_plugin *pb = *(const struct an_plugin *const *)b;
	return strcmp(pa->name, pb->name);
}

static void make_version(void)
{
	const struct an_plugin *p[AN_MAX_PLUGINS];
	size_t n = an_core_plugin_count(), len = 0;

	if (n > AN_MAX_PLUGINS)
		n = AN_MAX_PLUGINS;
	for (size_t i = 0; i < n; i++)
		p[i] = an_core_plugins[i];
	qsort(p, n, sizeof(p[0]), cmp_plugins);
	for (size_t i = 0; i < n && len < sizeof(version_buf); i++)
		len += (size_t)snprintf(version_buf + len, sizeof(version_buf) - len, "%s%s:%d",
		                        i ? "," : "", p[i]->name, p[i]->version);
}

const char *job_analysis_version(void)
{
	pthread_once(&version_once, make_version);
	return version_buf;
}

struct prep {
	struct cat *c;
	const struct job_scan_opts *o;
	struct job_plan *p;
	const char *version;
	const char *absdir;          /* the walked directory */
	int64_t root;                /* 0: not a root yet (dry run only) */
	const char *prefix;          /* relpath of absdir inside the root, "" or "a/b/" */
	char *batch[PLAN_BATCH];     /* relpaths to queue, owned */
	size_t nb;
	size_t cap_skips;
	struct gr_err *err;
};

static void add_skip(struct prep *pr, const char *relpath, const char *reason, int errnum)
{
	struct job_plan *p = pr->p;
	char *abs = xasprintf("%s/%s", pr->absdir, relpath);

	if (p->n_skips == pr->cap_skips) {
		pr->cap_skips = pr->cap_skips ? 2 * pr->cap_skips : 16;
		p->skips = xrealloc(p->skips, pr->cap_skips * sizeof(*p->skips));
	}
	p->skips[p->n_skips].path = str_escape_term(abs);
	p->skips[p->n_skips].reason = errnum ? xasprintf("%s: %s", reason, strerror(errnum))
	                                     : xstrdup(reason);
	if (pr->o->dry_run && pr->o->dry_out != NULL)
		fprintf(pr->o->dry_out, "skip: %s: %s\n", p->skips[p->n_skips].path,
		        p->skips[p->n_skips].reason);
	p->n_skips++;
	free(abs);
}

static int flush(struct prep *pr)
{
	int rc = 0;

	if (pr->nb > 0 && !pr->o->dry_run) {
		rc = cat_jobs_enqueue(pr->c, pr->root, (const char *const *)pr->batch, pr->nb,
		                      pr->err);
		if (rc > 0)
			rc = 0;
	}
	for (size_t i = 0; i < pr->nb; i++)
		free(pr->batch[i]);
	pr->nb = 0;
	return rc;
}

static int on_entry(void *arg, const struct job_walk_ent *e)
{
	struct prep *pr = arg;
	struct job_plan *p = pr->p;
	const char *why = NULL;
	int64_t id = 0;
	int state = CAT_NEW;
	char *rel;

	if (e->skip != JOB_SKIP_NONE) {
		add_skip(pr, e->relpath, job_skip_reason(e->skip), e->errnum);
		return 0;
	}
	p->found++;
	rel = xasprintf("%s%s", pr->prefix, e->relpath);
	if (pr->root != 0) {
		state = cat_lookup(pr->c, pr->root, rel, e->size, e->mtime_ns, pr->version, &id,
		                   pr->err);
		if (state < 0) {
			free(rel);
			return state;
		}
	}
	switch (state) {
	case CAT_NEW: why = "new"; p->is_new++; break;
	case CAT_CHANGED: why = "changed"; p->changed++; break;
	case CAT_STALE: why = "stale"; p->stale++; break;
	case CAT_UNCHANGED:
		if (pr->o->force) {
			why = "forced";
			p->forced++;
		} else {
			p->unchanged++;
		}
		break;
	case CAT_FAILED:
		if (pr->o->retry_failed || pr->o->force) {
			why = "retry";
			p->retried++;
		} else {
			p->failed_kept++;
		}
		break;
	}
	if (why == NULL) {
		free(rel);
		return 0;
	}
	p->queued++;
	if (pr->o->dry_run && pr->o->dry_out != NULL) {
		char *abs = xasprintf("%s/%s", pr->absdir, e->relpath);
		fprintf(pr->o->dry_out, "analyse (%s): ", why);
		str_fputs_safe(abs, pr->o->dry_out);
		fputc('\n', pr->o->dry_out);
		free(abs);
	}
	pr->batch[pr->nb++] = rel;
	return pr->nb == PLAN_BATCH ? flush(pr) : 0;
}

/* Dry run: the existing root that is dir or contains it, without writing. */
static int find_root(struct cat *c, const char *dir, int64_t *root, char **prefix,
                     struct gr_err *err)
{
	struct cat_root *r;
	size_t n;
	int rc = cat_roots_list(c, &r, &n, err);

	*root = 0;
	*prefix = xstrdup("");
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(r[i].path);
		if (!strcmp(r[i].path, "/") && dir[0] == '/') {
			l = 0;
		} else if (strncmp(dir, r[i].path, l) != 0 || (dir[l] != '\0' && dir[l] != '/')) {
			continue;
		}
		*root = r[i].id;
		free(*prefix);
		*prefix = dir[l] == '\0' ? xstrdup("") : xasprintf("%s/", dir + l + 1);
		break;
	}
	cat_roots_free(r, n);
	return 0;
}

/*
 * One file named on the command line (the browser's "re-analyse" runs
 * `grym scan --force FILE`): it joins the root that holds its folder, or a
 * new root there, and is considered alone; nothing else is walked or
 * marked missing.
 */
static int prepare_file(struct prep *pr, const char *arg, char *abs, const struct stat *sb)
{
	char *slash = strrchr(abs, '/');
	char *prefix = NULL;
	const char *dir = abs, *base;
	struct job_walk_ent e;
	int rc;

	base = slash ? slash + 1 : abs;
	if (!job_is_audio_name(base))
		return gr_fail(pr->err, GR_EUSAGE, "%s: not named like an audio file", arg);
	if (slash == abs)
		dir = "/";
	if (slash != NULL)
		*slash = '\0';
	if (pr->o->dry_run)
		rc = find_root(pr->c, slash == abs ? "/" : dir, &pr->root, &prefix, pr->err);
	else
		rc = cat_root_for_dir(pr->c, slash == abs ? "/" : dir, &pr->root, &prefix, pr->err);
	if (rc < 0)
		goto out;
	pr->absdir = slash == abs ? (char *)"" : abs;
	pr->prefix = prefix;
	memset(&e, 0, sizeof(e));
	e.relpath = base;
	e.skip = JOB_SKIP_NONE;
	e.size = sb->st_size;
	e.mtime_ns = (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec;
	pr->p->walk.audio++;
	rc = on_entry(pr, &e);
	if (rc == 0)
		rc = flush(pr);
	else
		flush(pr);
out:
	free(prefix);
	pr->absdir = pr->prefix = NULL;
	return rc < 0 ? rc : 0;
}

static int prepare_one(struct prep *pr, const char *dir)
{
	struct job_walk_stats st;
	struct stat sb;
	char *abs = realpath(dir, NULL);
	char *prefix = NULL;
	int rc;

	if (abs == NULL)
		return gr_fail(pr->err, GR_EIO, "%s: %s", dir, strerror(errno));
	if (stat(abs, &sb) == 0 && S_ISREG(sb.st_mode)) {
		rc = prepare_file(pr, dir, abs, &sb);
		free(abs);
		return rc;
	}
	if (stat(abs, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		rc = gr_fail(pr->err, GR_EUSAGE, "%s: not a directory or audio file", dir);
		goto out;
	}
	if (pr->o->dry_run)
		rc = find_root(pr->c, abs, &pr->root, &prefix, pr->err);
	else
		rc = cat_root_for_dir(pr->c, abs, &pr->root, &prefix, pr->err);
	if (rc < 0)
		goto out;
	pr->absdir = abs;
	pr->prefix = prefix;
	rc = job_walk(abs, on_entry, pr, &st, pr->err);
	if (rc == 0)
		rc = flush(pr);
	else
		flush(pr);
	pr->p->walk.dirs += st.dirs;
	pr->p->walk.audio += st.audio;
	pr->p->walk.ignored += st.ignored;
	pr->p->walk.hidden += st.hidden;
	for (int i = 0; i < JOB_SKIP_COUNT; i++)
		pr->p->walk.skipped[i] += st.skipped[i];
	if (rc == 0 && !pr->o->dry_run && pr->root != 0) {
		rc = cat_check_missing(pr->c, pr->root, pr->err);
		if (rc >= 0) {
			pr->p->missing += rc;
			rc = 0;
		}
	}
out:
	free(prefix);
	free(abs);
	pr->absdir = pr->prefix = NULL;
	return rc < 0 ? rc : 0;
}

int job_scan_prepare(struct cat *c, const char *const *dirs, size_t n,
                     const struct job_scan_opts *opts, struct job_plan *plan,
                     struct gr_err *err)
{
	static const struct job_scan_opts none;
	struct prep pr;
	int rc = 0;

	memset(plan, 0, sizeof(*plan));
	memset(&pr, 0, sizeof(pr));
	pr.c = c;
	pr.o = opts != NULL ? opts : &none;
	pr.p = plan;
	pr.version = job_analysis_version();
	pr.err = err;
	if (!pr.o->dry_run) {
		struct cat_job_counts jc;
		/* Jobs of workers that died in an earlier run (a scan killed with
		 * SIGKILL, a crash of the machine) go back to the queue. */
		rc = cat_jobs_requeue_dead(c, 0, JOB_DEAD_ATTEMPTS, err);
		if (rc < 0)
			return rc;
		plan->requeued = rc;
		/* An idle queue starts its counts afresh, so progress observed
		 * through cat_jobs_counts() is about this scan. */
		rc = cat_jobs_counts(c, &jc, err);
		if (rc < 0)
			return rc;
		if (jc.queued == 0 && jc.running == 0 && (rc = cat_jobs_clear(c, 1, err)) < 0)
			return rc;
	}
	for (size_t i = 0; i < n && rc >= 0; i++)
		rc = prepare_one(&pr, dirs[i]);
	return rc < 0 ? rc : 0;
}

void job_plan_fini(struct job_plan *plan)
{
	if (plan == NULL)
		return;
	for (size_t i = 0; i < plan->n_skips; i++) {
		free(plan->skips[i].path);
		free(plan->skips[i].reason);
	}
	free(plan->skips);
	memset(plan, 0, sizeof(*plan));
}
