/*
 * jobs.c - the job queue table: one row per (root, relpath) to analyse.
 *
 * States: queued -> running (claimed by a worker pid, start time kept so a
 * crash is attributed to the file) -> done | failed.  A worker that dies
 * leaves its job running; cat_jobs_requeue_dead() finds it by pid and
 * queues it again (or fails it after too many attempts), so a scan killed
 * with SIGKILL resumes where it stopped.  Completing a job stores the
 * analysis and marks the job done in one transaction: a file is never
 * stored twice nor marked done without its analysis.
 *
 * Costs: claim is one UPDATE ... RETURNING on the (state, id) index under
 * BEGIN IMMEDIATE (~50 us); enqueue is one upsert per path in one
 * transaction (~5 us each).  Liveness is kill(pid, 0): valid for workers
 * on this host only.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "catalog_int.h"

static const char sql_enqueue[] =
	"INSERT INTO jobs(root, relpath, state) VALUES(?1, ?2, 'queued')"
	" ON CONFLICT(root, relpath) DO UPDATE SET state = 'queued', pid = NULL,"
	" started_at = NULL, finished_at = NULL, attempts = 0, error = NULL, audio_s = NULL"
	" WHERE state IN ('done', 'failed')";

int cat_jobs_enqueue(struct cat *c, int64_t root_id, const char *const *relpaths,
                     size_t n, struct gr_err *err)
{
	int r, added = 0;

	if ((r = cat_tx_begin(c, err)) != 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		sqlite3_stmt *st = cat_stmt(c, sql_enqueue, err);
		if (st == NULL) {
			r = -err->code;
			break;
		}
		if (relpaths[i] == NULL || relpaths[i][0] == '\0' || relpaths[i][0] == '/') {
			r = gr_fail(err, GR_EUSAGE, "job %zu: bad relative path", i);
			break;
		}
		sqlite3_bind_int64(st, 1, root_id);
		cat_bind_text(st, 2, relpaths[i]);
		if ((r = cat_step_done(c, st, err)) != 0)
			break;
		added += sqlite3_changes(c->db) > 0;
	}
	if (r != 0) {
		cat_tx_end(c, 1, NULL);
		return r;
	}
	r = cat_tx_end(c, 0, err);
	return r != 0 ? r : added;
}

static const char sql_claim[] =
	"UPDATE jobs SET state = 'running', pid = ?1, started_at = ?2,"
	" attempts = attempts + 1"
	" WHERE id = (SELECT id FROM jobs WHERE state = 'queued' ORDER BY id LIMIT 1)"
	" RETURNING id, root, relpath, attempts";

int cat_job_claim(struct cat *c, int pid, struct cat_job *job, struct gr_err *err)
{
	sqlite3_stmt *st;
	char *abs;
	int r, got;

	memset(job, 0, sizeof(*job));
	if ((r = cat_tx_begin(c, err)) != 0)
		return r;
	if ((st = cat_stmt(c, sql_claim, err)) == NULL)
		goto fail_code;
	sqlite3_bind_int(st, 1, pid);
	sqlite3_bind_double(st, 2, time_wall());
	if ((got = cat_step_row(c, st, err)) < 0) {
		r = got;
		goto fail;
	}
	if (got) {
		job->id = sqlite3_column_int64(st, 0);
		job->root_id = sqlite3_column_int64(st, 1);
		str_lcpy(job->relpath, cat_col_text(st, 2), sizeof(job->relpath));
		job->attempts = sqlite3_column_int(st, 3);
		/* finish the RETURNING statement before the next one */
		while (sqlite3_step(st) == SQLITE_ROW)
			;
		sqlite3_reset(st);
		abs = cat_abs_path(c, job->root_id, job->relpath);
		if (abs == NULL) {
			r = gr_fail(err, GR_EDB, "%s: job %lld has no root", c->path,
			            (long long)job->id);
			goto fail;
		}
		str_lcpy(job->path, abs, sizeof(job->path));
		free(abs);
	}
	if ((r = cat_tx_end(c, 0, err)) != 0)
		return r;
	return got;
fail_code:
	r = -err->code;
fail:
	cat_tx_end(c, 1, NULL);
	memset(job, 0, sizeof(*job));
	return r;
}

static const char sql_done[] =
	"UPDATE jobs SET state = 'done', finished_at = ?2, error = NULL,"
	" audio_s = (SELECT duration FROM files f WHERE f.root = jobs.root"
	" AND f.relpath = jobs.relpath) WHERE id = ?1";

static int mark_done(struct cat *c, int64_t job_id, struct gr_err *err)
{
	sqlite3_stmt *st = cat_stmt(c, sql_done, err);

	if (st == NULL)
		return -err->code;
	sqlite3_bind_int64(st, 1, job_id);
	sqlite3_bind_double(st, 2, time_wall());
	if (cat_step_done(c, st, err) != 0)
		return -err->code;
	if (sqlite3_changes(c->db) != 1)
		return gr_fail(err, GR_EUSAGE, "%s: no job %lld", c->path, (long long)job_id);
	return 0;
}

static const char sql_job_where[] = "SELECT root, relpath FROM jobs WHERE id = ?1";

int cat_job_complete(struct cat *c, const struct cat_job *job, const struct an_file *f,
                     const char *version, int64_t *file_id, struct gr_err *err)
{
	sqlite3_stmt *st;
	int64_t root = job->root_id;
	char *relpath = NULL;
	int r;

	if ((r = cat_tx_begin(c, err)) != 0)
		return r;
	/* Another scan may have merged the job's root into a new one (a scan of
	 * the parent directory) while this file was analysed: the job row was
	 * moved with it, so store under the job's root and path as they are now. */
	if ((st = cat_stmt(c, sql_job_where, err)) == NULL) {
		cat_tx_end(c, 1, NULL);
		return -err->code;
	}
	sqlite3_bind_int64(st, 1, job->id);
	if ((r = cat_step_row(c, st, err)) < 0) {
		cat_tx_end(c, 1, NULL);
		return r;
	}
	if (r == 1) {
		root = sqlite3_column_int64(st, 0);
		relpath = xstrdup((const char *)sqlite3_column_text(st, 1));
		sqlite3_reset(st);
	}
	r = cat_store_in_tx(c, root, relpath != NULL ? relpath : job->relpath, f, version,
	                    file_id, err);
	free(relpath);
	if (r == 0)
		r = mark_done(c, job->id, err);
	if (r != 0) {
		cat_tx_end(c, 1, NULL);
		return r;
	}
	return cat_tx_end(c, 0, err);
}

int cat_job_skip(struct cat *c, int64_t job_id, struct gr_err *err)
{
	int r;

	if ((r = cat_tx_begin(c, err)) != 0)
		return r;
	r = mark_done(c, job_id, err);
	return cat_tx_end(c, r != 0, err) != 0 ? -err->code : r;
}

static const char sql_job_get[] = "SELECT root, relpath, state FROM jobs WHERE id = ?1";
static const char sql_failed[] =
	"UPDATE jobs SET state = 'failed', error = ?2, finished_at = ?3 WHERE id = ?1";

/*
 * Inside a transaction: job and its file failed.  Only a running job is
 * failed: a worker killed at its deadline just after it committed the
 * analysis leaves a done job, whose stored file must stay as it is.
 * Returns 1 when the job was failed, 0 when it was not running.
 */
static int fail_in_tx(struct cat *c, int64_t job_id, const char *reason,
                      const char *version, struct gr_err *err)
{
	sqlite3_stmt *st = cat_stmt(c, sql_job_get, err);
	char relpath[4096];
	int64_t root;
	int r;

	if (st == NULL)
		return -err->code;
	sqlite3_bind_int64(st, 1, job_id);
	if ((r = cat_step_row(c, st, err)) <= 0)
		return r < 0 ? r : gr_fail(err, GR_EUSAGE, "%s: no job %lld", c->path,
		                           (long long)job_id);
	root = sqlite3_column_int64(st, 0);
	str_lcpy(relpath, cat_col_text(st, 1), sizeof(relpath));
	if (strcmp(cat_col_text(st, 2), "running") != 0) {
		sqlite3_reset(st);
		return 0;
	}
	sqlite3_reset(st);
	if ((r = cat_file_upsert_failed(c, root, relpath, reason, version, NULL, err)) != 0)
		return r;
	if ((st = cat_stmt(c, sql_failed, err)) == NULL)
		return -err->code;
	sqlite3_bind_int64(st, 1, job_id);
	cat_bind_text(st, 2, reason != NULL && reason[0] ? reason : "unknown failure");
	sqlite3_bind_double(st, 3, time_wall());
	return (r = cat_step_done(c, st, err)) != 0 ? r : 1;
}

int cat_job_fail(struct cat *c, int64_t job_id, const char *reason, const char *version,
                 struct gr_err *err)
{
	int r;

	if ((r = cat_tx_begin(c, err)) != 0)
		return r;
	r = fail_in_tx(c, job_id, reason, version, err);
	if (r < 0) {
		cat_tx_end(c, 1, NULL);
		return r;
	}
	return cat_tx_end(c, 0, err) != 0 ? -err->code : r;
}

static int pid_dead(int pid)
{
	char path[64], buf[256], *rp;
	FILE *f;
	int zombie = 0;

	if (pid <= 0 || (kill((pid_t)pid, 0) != 0 && errno == ESRCH))
		return 1;
	/* A zombie is dead too: a worker whose scan was killed is reparented
	 * to init, which in a container may never reap it. */
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((f = fopen(path, "r")) != NULL) {
		if (fgets(buf, sizeof(buf), f) != NULL && (rp = strrchr(buf, ')')) != NULL)
			zombie = rp[1] == ' ' && (rp[2] == 'Z' || rp[2] == 'X');
		fclose(f);
	}
	return zombie;
}

int cat_jobs_requeue_dead(struct cat *c, int pid, int max_attempts, struct gr_err *err)
{
	static const char sql_running[] =
		"SELECT id, pid, attempts FROM jobs WHERE state = 'running'";
	static const char sql_requeue[] =
		"UPDATE jobs SET state = 'queued', pid = NULL, started_at = NULL WHERE id = ?1";
	struct { int64_t id; int attempts; } *dead = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *st;
	int r, count = 0;

	if ((r = cat_tx_begin(c, err)) != 0)
		return r;
	if ((st = cat_stmt(c, sql_running, err)) == NULL)
		goto fail_code;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		int p = cat_col_int(st, 1, 0);
		if (!(pid != 0 && p == pid) && !pid_dead(p))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			dead = xrealloc(dead, cap * sizeof(*dead));
		}
		dead[n].id = sqlite3_column_int64(st, 0);
		dead[n].attempts = sqlite3_column_int(st, 2);
		n++;
	}
	sqlite3_reset(st);
	if (r != SQLITE_DONE) {
		r = cat_dberr(c, err, "list running jobs");
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		if (max_attempts > 0 && dead[i].attempts >= max_attempts) {
			char why[128];
			snprintf(why, sizeof(why), "worker died %d times while analysing this file",
			         dead[i].attempts);
			if ((r = fail_in_tx(c, dead[i].id, why, c->version, err)) < 0)
				goto fail;
		} else {
			if ((st = cat_stmt(c, sql_requeue, err)) == NULL)
				goto fail_code;
			sqlite3_bind_int64(st, 1, dead[i].id);
			if ((r = cat_step_done(c, st, err)) != 0)
				goto fail;
		}
		count++;
	}
	free(dead);
	r = cat_tx_end(c, 0, err);
	return r != 0 ? r : count;
fail_code:
	r = -err->code;
fail:
	free(dead);
	cat_tx_end(c, 1, NULL);
	return r;
}

/* One statement in its own write transaction; returns rows changed. */
static int write1(struct cat *c, const char *sql, struct gr_err *err)
{
	sqlite3_stmt *st;
	int r, n = 0;

	if ((r = cat_tx_begin(c, err)) != 0)
		return r;
	if ((st = cat_stmt(c, sql, err)) == NULL) {
		cat_tx_end(c, 1, NULL);
		return -err->code;
	}
	r = cat_step_done(c, st, err);
	if (r == 0)
		n = sqlite3_changes(c->db);
	if (r != 0) {
		cat_tx_end(c, 1, NULL);
		return r;
	}
	r = cat_tx_end(c, 0, err);
	return r != 0 ? r : n;
}

int cat_jobs_retry_failed(struct cat *c, struct gr_err *err)
{
	static const char sql[] =
		"UPDATE jobs SET state = 'queued', pid = NULL, started_at = NULL, attempts = 0,"
		" error = NULL WHERE state = 'failed'";
	return write1(c, sql, err);
}

int cat_jobs_clear(struct cat *c, int failed, struct gr_err *err)
{
	static const char sql_clear_done[] = "DELETE FROM jobs WHERE state = 'done'";
	static const char sql_clear_all[] =
		"DELETE FROM jobs WHERE state IN ('done', 'failed')";
	return write1(c, failed ? sql_clear_all : sql_clear_done, err);
}

int cat_jobs_counts(struct cat *c, struct cat_job_counts *out, struct gr_err *err)
{
	static const char sql[] =
		"SELECT state, count(*), total(audio_s) FROM jobs GROUP BY state";
	sqlite3_stmt *st = cat_stmt(c, sql, err);
	int r;

	memset(out, 0, sizeof(*out));
	if (st == NULL)
		return -err->code;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *s = cat_col_text(st, 0);
		int64_t n = sqlite3_column_int64(st, 1);
		if (!strcmp(s, "queued"))
			out->queued = n;
		else if (!strcmp(s, "running"))
			out->running = n;
		else if (!strcmp(s, "done")) {
			out->done = n;
			out->audio_done = sqlite3_column_double(st, 2);
		} else if (!strcmp(s, "failed"))
			out->failed = n;
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? 0 : cat_dberr(c, err, "count jobs");
}
