/*
 * supervisor.c - the worker pool of a scan.
 *
 * Workers are started with fork() + exec() of this same program (by
 * default /proc/self/exe, the exact binary that runs, even if replaced on
 * disk), never by fork() alone: the supervisor may be a thread of a
 * multithreaded process (the TUI, with PortAudio threads), where a forked
 * child may only make async-signal-safe calls until exec; a fresh image
 * also has no inherited SQLite handle (which must never cross fork()), no
 * inherited locks, fresh ASLR, and libraries initialised from scratch.
 * Between fork and exec the child only moves descriptors into place
 * (jobs_int.h), closes the rest, unblocks signals and sets
 * PR_SET_PDEATHSIG, so killing the supervisor (even with SIGKILL) kills
 * its workers and their claimed jobs are requeued by the next scan.
 * Start-up costs a few ms per worker: only at the start and after a crash.
 *
 * The loop polls every worker's report pipe and a self-pipe (the stop
 * request) with a timeout of at most SUP_TICK s; it enforces the per-file
 * deadline (SIGKILL JOB_KILL_GRACE s after cfg->job_timeout, the worker's
 * own SIGALRM normally comes first), turns a worker's death into the
 * failure of its file ("crashed: SIGSEGV during key", "timed out after
 * 60 s"), replaces dead workers while the queue has jobs, and gives up
 * only when workers cannot start at all (SUP_MAX_SETUP_FAILS in a row) or
 * when one found the disk full (JOB_EXIT_FULL): then its file is queued
 * again, the others finish the file in hand, and the run fails with
 * GR_EFULL so that the caller can say that nothing was lost.
 *
 * Thread rules: job_sup_run() on one thread; job_sup_stop() from anywhere.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "grym/catalog.h"
#include "grym/jobs.h"
#include "grym/util.h"
#include "jobs_int.h"

#define SUP_TICK 0.2               /* s between progress ticks and queue checks */
#define SUP_MAX_WORKERS 256
#define SUP_MAX_SETUP_FAILS 3
#define SUP_LINE 8192              /* bytes of one report line kept */

struct worker {
	pid_t pid;                     /* 0: free slot */
	int fd;                        /* report pipe (read end), -1 after EOF */
	char buf[SUP_LINE];            /* partial line */
	size_t len;
	int64_t job;                   /* job in progress, 0 none */
	char *path;                    /* its escaped path, owned */
	double started;                /* time_now() of the claim */
	int killed;                    /* 0, KILL_DEADLINE or KILL_STOP */
	int sig;                       /* from an "S" line: crashing with this signal */
	int timed_out;                 /* from a "T" line */
	char plugin[64];               /* plugin running at the crash or deadline */
	int claimed;                   /* reported at least one claim */
	double reap_by;                /* after EOF: SIGKILL if not reaped by then */
	char emsg[256];                /* from an "E" line */
};

enum { KILL_DEADLINE = 1, KILL_STOP = 2 };

struct job_sup {
	struct gr_config cfg;
	char **argv;                   /* worker argv, owned */
	int n;                         /* worker processes wanted */
	struct worker *w;              /* n slots */
	struct cat *c;
	int log_fd, null_fd;
	int wake[2];                   /* self-pipe: job_sup_stop() writes */
	volatile sig_atomic_t stop;    /* 0, 1 soft, 2 hard */
	int stop_seen;                 /* the stop level acted upon */
	double stop_deadline;          /* soft stop: SIGKILL after this */
	void (*progress)(void *arg, const struct job_progress *p);
	void *arg;
	struct job_result *res;
	size_t cap_fail;
	struct cat_job_counts counts;  /* last read */
	double counts_at;
	double t0;
	int setup_fails;               /* workers in a row that could not start */
	int to_replace;                /* workers that died abnormally, not yet replaced */
	char setup_msg[256];
	int disk_full;                 /* a worker exited with JOB_EXIT_FULL */
	char full_msg[256];            /* its "E" line */
	int fatal;                     /* stopping because of an error, not a request */
};

static int refresh_counts(struct job_sup *s, struct gr_err *err);

static void emit(struct job_sup *s, int event, const char *name, const char *reason)
{
	struct job_progress p;
	struct job_result *r = s->res;

	if (s->progress == NULL)
		return;
	/* the queue as of now, so that done + queued + running adds up */
	if (event != JOB_EV_TICK && time_now() - s->counts_at > 0.02)
		refresh_counts(s, NULL);
	memset(&p, 0, sizeof(p));
	p.event = event;
	p.name = name;
	p.reason = reason;
	p.analysed = r->analysed;
	p.moved = r->moved;
	p.failed = r->failed;
	p.done = r->analysed + r->moved + r->failed;
	p.queued = s->counts.queued;
	p.running = s->counts.running;
	p.total = p.done + p.queued + p.running;
	for (int i = 0; i < s->n; i++)
		p.workers += s->w[i].pid != 0;
	p.audio_s = r->audio_s;
	p.elapsed = time_now() - s->t0;
	s->progress(s->arg, &p);
}

static int refresh_counts(struct job_sup *s, struct gr_err *err)
{
	int rc = cat_jobs_counts(s->c, &s->counts, err);
	s->counts_at = time_now();
	return rc;
}

static void add_failure(struct job_sup *s, const char *path, const char *reason)
{
	struct job_result *r = s->res;

	if (r->n_failures == s->cap_fail) {
		s->cap_fail = s->cap_fail ? 2 * s->cap_fail : 16;
		r->failures = xrealloc(r->failures, s->cap_fail * sizeof(*r->failures));
	}
	r->failures[r->n_failures].path = xstrdup(path != NULL ? path : "?");
	r->failures[r->n_failures].reason = str_escape_term(reason);
	r->n_failures++;
	r->failed++;
	emit(s, JOB_EV_FAILED, path, r->failures[r->n_failures - 1].reason);
}

struct job_sup *job_sup_new(const struct gr_config *cfg, const struct job_sup_opts *opts,
                            struct gr_err *err)
{
	static const char *const def_argv[] = { "/proc/self/exe", "scan", "--worker", NULL };
	struct job_sup *s = xcalloc(1, sizeof(*s));
	const char *const *argv;
	size_t na = 0;

	s->cfg = *cfg;
	s->log_fd = s->null_fd = s->wake[0] = s->wake[1] = -1;
	s->n = opts != NULL && opts->workers > 0 ? opts->workers :
	       cfg->workers > 0 ? cfg->workers : sys_ncpu();
	if (s->n > SUP_MAX_WORKERS)
		s->n = SUP_MAX_WORKERS;
	argv = opts != NULL && opts->worker_argv != NULL ? opts->worker_argv : def_argv;
	while (argv[na] != NULL)
		na++;
	s->argv = xcalloc(na + 1, sizeof(*s->argv));
	for (size_t i = 0; i < na; i++)
		s->argv[i] = xstrdup(argv[i]);
	/* Under valgrind /proc/self/exe is valgrind itself: `make valgrind`
	 * names the real binary with GRYM_WORKER_EXE (tests only). */
	if (argv == def_argv && getenv("GRYM_WORKER_EXE") != NULL &&
	    getenv("GRYM_WORKER_EXE")[0] == '/') {
		free(s->argv[0]);
		s->argv[0] = xstrdup(getenv("GRYM_WORKER_EXE"));
	}
	if (opts != NULL) {
		s->progress = opts->progress;
		s->arg = opts->arg;
	}
	s->w = xcalloc((size_t)s->n, sizeof(*s->w));
	for (int i = 0; i < s->n; i++)
		s->w[i].fd = -1;
	s->null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (opts != NULL && opts->log_path != NULL)
		s->log_fd = open(opts->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
		                 O_NOCTTY, 0644);
	if (s->null_fd < 0 || pipe2(s->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
		gr_fail(err, GR_EIO, "cannot set up the supervisor: %s", strerror(errno));
		goto fail;
	}
	if (sizeof(struct job_handover) > 60000) {
		gr_fail(err, GR_EUSAGE, "configuration too large to hand to workers");
		goto fail;
	}
	s->c = cat_open(cfg->catalog, CAT_OPEN_LEAN, err);
	if (s->c == NULL)
		goto fail;
	return s;
fail:
	job_sup_free(s);
	return NULL;
}

void job_sup_stop(struct job_sup *s, int hard)
{
	int saved = errno;

	if (s == NULL)
		return;
	if (hard || s->stop == 0)
		s->stop = hard ? 2 : 1;
	if (write(s->wake[1], "x", 1) < 0) {
		/* full pipe: a wake-up is pending anyway */
	}
	errno = saved;
}

/* Start a worker in slot w.  0 or -GR_EIO. */
static int spawn(struct job_sup *s, struct worker *w, struct gr_err *err)
{
	struct job_handover h;
	int rep[2], cfgp[2];
	pid_t pid;

	if (pipe2(rep, O_CLOEXEC) != 0)
		return gr_fail(err, GR_EIO, "pipe: %s", strerror(errno));
	if (pipe2(cfgp, O_CLOEXEC) != 0) {
		close(rep[0]);
		close(rep[1]);
		return gr_fail(err, GR_EIO, "pipe: %s", strerror(errno));
	}
	memset(&h, 0, sizeof(h));
	h.magic = JOB_HANDOVER_MAGIC;
	h.size = sizeof(h);
	h.ppid = (int)getpid();
	h.cfg = s->cfg;
	/* fits in the pipe's buffer (64 KiB), checked in job_sup_new */
	if (job_write_all(cfgp[1], &h, sizeof(h)) != 0) {
		close(rep[0]); close(rep[1]); close(cfgp[0]); close(cfgp[1]);
		return gr_fail(err, GR_EIO, "cannot hand over the configuration");
	}
	close(cfgp[1]);
	pid = fork();
	if (pid < 0) {
		int e = errno;
		close(rep[0]); close(rep[1]); close(cfgp[0]);
		return gr_fail(err, GR_EIO, "fork: %s", strerror(e));
	}
	if (pid == 0) {
		/* Child: async-signal-safe calls only until exec. */
		sigset_t none;
		int a = fcntl(cfgp[0], F_DUPFD, 10);
		int b = fcntl(s->null_fd, F_DUPFD, 10);
		int c = fcntl(s->log_fd >= 0 ? s->log_fd : s->null_fd, F_DUPFD, 10);
		int d = fcntl(rep[1], F_DUPFD, 10);
		if (a < 0 || b < 0 || c < 0 || d < 0 || dup2(a, 0) < 0 || dup2(b, 1) < 0 ||
		    dup2(c, 2) < 0 || dup2(d, JOB_REPORT_FD) < 0)
			_exit(JOB_EXIT_SETUP);
		close_range(JOB_REPORT_FD + 1, ~0U, 0);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		execv(s->argv[0], s->argv);
		_exit(127);
	}
	close(cfgp[0]);
	close(rep[1]);
	fcntl(rep[0], F_SETFL, O_NONBLOCK);
	memset(w, 0, sizeof(*w));
	w->pid = pid;
	w->fd = rep[0];
	return 0;
}

static long long parse_id(const char **p)
{
	char *end;
	long long v = strtoll(*p, &end, 10);
	*p = end;
	while (**p == ' ')
		(*p)++;
	return v;
}

static void job_finished(struct worker *w)
{
	w->job = 0;
	free(w->path);
	w->path = NULL;
}

/* One report line from worker w. */
static void handle_line(struct job_sup *s, struct worker *w, const char *line)
{
	const char *p = line + 2;
	struct job_result *r = s->res;

	if (line[0] == '\0' || line[1] != ' ')
		return;                    /* empty or torn by a signal handler */
	switch (line[0]) {
	case 'C':
		job_finished(w);
		w->job = parse_id(&p);
		parse_id(&p);              /* attempts */
		w->path = xstrdup(p);
		w->started = time_now();
		w->claimed = 1;
		s->setup_fails = 0;
		break;
	case 'D': {
		parse_id(&p);
		double secs = strtod(p, NULL);
		if (secs > 0 && secs < 1e9)
			r->audio_s += secs;
		r->analysed++;
		emit(s, JOB_EV_DONE, w->path, NULL);
		job_finished(w);
		break;
	}
	case 'M':
		r->moved++;
		emit(s, JOB_EV_MOVED, w->path, NULL);
		job_finished(w);
		break;
	case 'F':
		parse_id(&p);
		add_failure(s, w->path, p);
		job_finished(w);
		break;
	case 'S':
		w->sig = (int)parse_id(&p);
		str_lcpy(w->plugin, p, sizeof(w->plugin));
		break;
	case 'T':
		w->timed_out = 1;
		str_lcpy(w->plugin, p, sizeof(w->plugin));
		break;
	case 'E':
		str_lcpy(w->emsg, p, sizeof(w->emsg));
		break;
	}
}

/* Read what worker w wrote; at EOF close its pipe. */
static void drain(struct job_sup *s, struct worker *w)
{
	for (;;) {
		char chunk[4096];
		ssize_t n = read(w->fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return;            /* EAGAIN: later */
		if (n == 0) {
			close(w->fd);
			w->fd = -1;
			w->reap_by = time_now() + JOB_STOP_GRACE;
			return;
		}
		for (ssize_t i = 0; i < n; i++) {
			if (chunk[i] == '\n') {
				w->buf[w->len] = '\0';
				handle_line(s, w, w->buf);
				w->len = 0;
			} else if (w->len + 1 < sizeof(w->buf)) {
				w->buf[w->len++] = chunk[i];
			}
		}
	}
}

/* The reason a worker's death gives its file, into buf. */
static void death_reason(const struct job_sup *s, const struct worker *w, int status,
                         char *buf, size_t size)
{
	const char *during = w->plugin[0] != '\0' && strcmp(w->plugin, "-") != 0 ? w->plugin : NULL;

	if (w->timed_out || w->killed == KILL_DEADLINE) {
		snprintf(buf, size, "timed out after %g s%s%s", s->cfg.job_timeout,
		         during ? " during " : "", during ? during : "");
	} else if (WIFSIGNALED(status) || w->sig != 0) {
		int sig = w->sig != 0 ? w->sig : WTERMSIG(status);
		const char *abbr = sigabbrev_np(sig);
		snprintf(buf, size, "crashed: SIG%s%s%s%s", abbr != NULL ? abbr : "?",
		         during ? " during " : "", during ? during : "",
		         sig == SIGKILL ? " (killed by the system, out of memory?)" : "");
	} else {
		snprintf(buf, size, "worker exited with status %d", WEXITSTATUS(status));
	}
}

/* Worker w ended with status: attribute, record, free the slot. */
static void reaped(struct job_sup *s, struct worker *w, int status)
{
	struct gr_err err = { 0 };
	int clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	int full = WIFEXITED(status) && WEXITSTATUS(status) == JOB_EXIT_FULL;

	if (w->fd >= 0) {
		drain(s, w);
		if (w->fd >= 0)
			close(w->fd);
	}
	if (full) {
		/* Nothing wrong with its file: back to the queue.  This write may
		 * find the disk full too; then the next scan requeues the job of
		 * this dead pid. */
		s->disk_full = 1;
		str_lcpy(s->full_msg, w->emsg[0] != '\0' ? w->emsg : "catalog write failed: disk full",
		         sizeof(s->full_msg));
		if (cat_jobs_requeue_dead(s->c, w->pid, INT_MAX, &err) < 0 && err.code != GR_EFULL)
			log_error("%s", err.msg);
	} else if (w->job != 0 && w->killed != KILL_STOP && !clean) {
		char reason[256];
		int r;
		death_reason(s, w, status, reason, sizeof(reason));
		r = cat_job_fail(s->c, w->job, reason, job_analysis_version(), &err);
		if (r < 0)
			log_error("%s", err.msg);
		if (r == 0) {
			/* It committed its analysis, then died before it said so. */
			s->res->analysed++;
			emit(s, JOB_EV_DONE, w->path, NULL);
		} else {
			if (w->timed_out || w->killed == KILL_DEADLINE)
				s->res->timed_out++;
			else
				s->res->crashed++;
			add_failure(s, w->path, reason);
		}
	} else if (!clean) {
		/* Stopped on request, or died before it said what it claimed:
		 * whatever it held goes back to the queue. */
		if (cat_jobs_requeue_dead(s->c, w->pid, w->killed == KILL_STOP ? INT_MAX :
		                          JOB_DEAD_ATTEMPTS, &err) < 0)
			log_error("%s", err.msg);
	}
	if (!clean && !full && !w->claimed && w->killed == 0) {
		s->setup_fails++;
		if (w->emsg[0] != '\0')
			str_lcpy(s->setup_msg, w->emsg, sizeof(s->setup_msg));
		else
			snprintf(s->setup_msg, sizeof(s->setup_msg), "a worker (%s) could not start: %s",
			         s->argv[0], WIFEXITED(status) && WEXITSTATUS(status) == 127 ?
			         "exec failed" : "exited at once");
	} else if (w->emsg[0] != '\0' && !clean) {
		str_lcpy(s->setup_msg, w->emsg, sizeof(s->setup_msg));
	}
	if (!clean && !full && w->killed != KILL_STOP)
		s->to_replace++;
	job_finished(w);
	memset(w, 0, sizeof(*w));
	w->fd = -1;
}

static void kill_all(struct job_sup *s, int sig, int why)
{
	for (int i = 0; i < s->n; i++) {
		struct worker *w = &s->w[i];
		if (w->pid == 0)
			continue;
		kill(w->pid, sig);
		if (sig == SIGKILL && w->killed == 0)
			w->killed = why;
	}
}

static int alive(const struct job_sup *s)
{
	int n = 0;
	for (int i = 0; i < s->n; i++)
		n += s->w[i].pid != 0;
	return n;
}

/* Act on a stop request (once per level). */
static void handle_stop(struct job_sup *s, double now)
{
	int level = s->stop;

	if (level > s->stop_seen) {
		s->stop_seen = level;
		s->res->stopped = 1;
		if (level == 1) {
			kill_all(s, SIGTERM, 0);
			s->stop_deadline = now + JOB_STOP_GRACE;
		} else {
			kill_all(s, SIGKILL, KILL_STOP);
		}
		if (!s->fatal)       /* the caller reports the error itself */
			emit(s, JOB_EV_STOPPING, NULL, NULL);
	}
	if (level == 1 && now > s->stop_deadline)
		kill_all(s, SIGKILL, KILL_STOP);
}

/* Wait for at most timeout s on the pipes; read what came. */
static void wait_reports(struct job_sup *s, double timeout)
{
	struct pollfd pfd[SUP_MAX_WORKERS + 1];
	struct worker *who[SUP_MAX_WORKERS + 1];
	int n = 0;

	pfd[n].fd = s->wake[0];
	pfd[n].events = POLLIN;
	who[n++] = NULL;
	for (int i = 0; i < s->n; i++) {
		if (s->w[i].pid != 0 && s->w[i].fd >= 0) {
			pfd[n].fd = s->w[i].fd;
			pfd[n].events = POLLIN;
			who[n++] = &s->w[i];
		}
	}
	if (poll(pfd, (nfds_t)n, (int)(timeout * 1000) + 1) <= 0)
		return;
	if (pfd[0].revents) {
		char junk[64];
		while (read(s->wake[0], junk, sizeof(junk)) > 0)
			;
	}
	for (int i = 1; i < n; i++)
		if (pfd[i].revents)
			drain(s, who[i]);
}

int job_sup_run(struct job_sup *s, struct job_result *res, struct gr_err *err)
{
	double last_tick = 0;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	s->res = res;
	s->t0 = time_now();
	if ((rc = refresh_counts(s, err)) < 0)
		return rc;
	for (;;) {
		double now = time_now(), timeout = SUP_TICK;
		int exited = 0;

		if (s->stop)
			handle_stop(s, now);
		/* Reap every worker that ended. */
		for (int i = 0; i < s->n; i++) {
			struct worker *w = &s->w[i];
			int status;
			if (w->pid == 0)
				continue;
			pid_t r = waitpid(w->pid, &status, WNOHANG);
			if (r == w->pid) {
				reaped(s, w, status);
				exited = 1;
			} else if (w->fd < 0 && now > w->reap_by) {
				kill(w->pid, SIGKILL);       /* closed its pipe but lives on */
			}
		}
		if (s->disk_full && !s->stop) {
			/* The others finish the file in hand (their commit may fit)
			 * or hit the same wall; starting more would only fail. */
			s->fatal = 1;
			s->stop = 1;
			continue;
		}
		if (s->setup_fails >= SUP_MAX_SETUP_FAILS) {
			s->fatal = 1;
			kill_all(s, SIGKILL, KILL_STOP);
			rc = gr_fail(err, GR_EIO, "%s", s->setup_msg);
			s->stop = 2;
			if (alive(s) == 0)
				break;
			timeout = 0.05;
		}
		/* Deadlines: the worker's own alarm comes first; this is the
		 * backstop for a worker that cannot even take a signal. */
		for (int i = 0; i < s->n; i++) {
			struct worker *w = &s->w[i];
			if (w->pid == 0 || w->job == 0 || w->killed)
				continue;
			double left = w->started + s->cfg.job_timeout + JOB_KILL_GRACE - now;
			if (left <= 0) {
				kill(w->pid, SIGKILL);
				w->killed = KILL_DEADLINE;
			} else if (left < timeout) {
				timeout = left;
			}
		}
		if (exited || now - s->counts_at >= SUP_TICK) {
			if ((rc = refresh_counts(s, err)) < 0)
				break;
		}
		if (!s->stop) {
			int n = alive(s);
			long want = s->counts.queued + n;
			if (want > s->n)
				want = s->n;
			for (int i = 0; i < s->n && n < want; i++) {
				if (s->w[i].pid != 0)
					continue;
				if ((rc = spawn(s, &s->w[i], err)) < 0)
					break;
				if (s->to_replace > 0) {
					s->to_replace--;
					res->respawned++;
				}
				n++;
			}
			if (rc < 0)
				break;
			if (n == 0 && s->counts.queued == 0) {
				/* Done, unless workers of another scan died meanwhile. */
				int q = cat_jobs_requeue_dead(s->c, 0, JOB_DEAD_ATTEMPTS, err);
				if (q < 0) {
					rc = q;
					break;
				}
				if (q == 0)
					break;
				continue;
			}
		} else if (alive(s) == 0) {
			break;
		}
		if (now - last_tick >= SUP_TICK) {
			emit(s, JOB_EV_TICK, NULL, NULL);
			last_tick = now;
		}
		for (int i = 0; i < s->n; i++)
			if (s->w[i].pid != 0 && s->w[i].fd < 0)
				timeout = 0.02;        /* exiting: reap soon */
		wait_reports(s, timeout);
	}
	if (rc < 0)
		kill_all(s, SIGKILL, KILL_STOP);
	/* Nothing may outlive the run. */
	for (int i = 0; i < s->n; i++) {
		int status;
		if (s->w[i].pid != 0 && waitpid(s->w[i].pid, &status, 0) == s->w[i].pid)
			reaped(s, &s->w[i], status);
	}
	refresh_counts(s, NULL);
	if (s->disk_full && rc >= 0)
		rc = gr_fail(err, GR_EFULL, "%s", s->full_msg);
	res->elapsed = time_now() - s->t0;
	emit(s, JOB_EV_TICK, NULL, NULL);
	s->res = NULL;
	return rc < 0 ? rc : 0;
}

void job_sup_free(struct job_sup *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < s->n; i++) {
		if (s->w[i].pid != 0) {
			int status;
			kill(s->w[i].pid, SIGKILL);
			waitpid(s->w[i].pid, &status, 0);
		}
		if (s->w[i].fd >= 0)
			close(s->w[i].fd);
		free(s->w[i].path);
	}
	free(s->w);
	for (size_t i = 0; s->argv != NULL && s->argv[i] != NULL; i++)
		free(s->argv[i]);
	free(s->argv);
	if (s->log_fd >= 0)
		close(s->log_fd);
	if (s->null_fd >= 0)
		close(s->null_fd);
	if (s->wake[0] >= 0)
		close(s->wake[0]);
	if (s->wake[1] >= 0)
		close(s->wake[1]);
	cat_close(s->c);
	free(s);
}

void job_result_fini(struct job_result *res)
{
	if (res == NULL)
		return;
	for (size_t i = 0; i < res->n_failures; i++) {
		free(res->failures[i].path);
		free(res->failures[i].reason);
	}
	free(res->failures);
	memset(res, 0, sizeof(*res));
}
