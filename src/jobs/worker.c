/*
 * worker.c - the main loop of a worker process (started by supervisor.c,
 * see jobs_int.h for the descriptors and the report protocol).
 *
 * Set-up: read the configuration handed over on fd 0; no new privileges;
 * die with the supervisor (PR_SET_PDEATHSIG, then a getppid() check for
 * the race); nice 10 and the lowest best-effort I/O priority, so browsing
 * and audition stay smooth; no core files; at most WORKER_NOFILE open
 * files; an address-space limit of what the process maps after start-up
 * plus cfg->max_file_mb MiB (not under AddressSanitizer, whose shadow
 * memory needs terabytes of address space).  Crash signals are caught on
 * an alternate stack only to report which plugin was running, then
 * re-raised: the supervisor records the death.
 *
 * Loop: claim a job (the catalog records our pid and the start time
 * first, so a crash is attributed to that file), arm the per-file
 * deadline (SIGALRM after cfg->job_timeout s: report and exit), check for
 * a move (a path new to the catalog whose content hash matches a missing
 * file: relinked, not analysed), analyse, store in one transaction
 * (cat_job_complete), report.  Exits 0 when the queue is empty or after
 * SIGTERM once the current file is done.
 *
 * Thread rules: single-threaded process (libraries may start threads).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "grym/analysis.h"
#include "grym/audio.h"
#include "grym/catalog.h"
#include "grym/jobs.h"
#include "grym/util.h"
#include "jobs_int.h"

#define WORKER_NOFILE 256

#if defined(__SANITIZE_ADDRESS__)
#define WORKER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WORKER_ASAN 1
#endif
#endif
#ifndef WORKER_ASAN
#define WORKER_ASAN 0
#endif

static volatile sig_atomic_t stop_requested;

int job_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Append s to buf at *len (async-signal-safe); a plugin name's blanks
 * and newlines become '_' when word is set. */
static void sig_add(char *buf, size_t size, size_t *len, const char *s, int word)
{
	while (*s != '\0' && *len + 2 < size) {
		char ch = *s++;
		buf[(*len)++] = word && (ch == '\n' || ch == ' ') ? '_' : ch;
	}
}

static void sig_add_int(char *buf, size_t size, size_t *len, int v)
{
	char d[16];
	int n = 0;

	if (v < 0)
		v = 0;
	do
		d[n++] = (char)('0' + v % 10);
	while ((v /= 10) > 0 && n < 15);
	while (n > 0 && *len + 2 < size)
		buf[(*len)++] = d[--n];
}

static void on_crash(int sig)
{
	char buf[160];
	size_t len = 0;
	const char *plugin = an_engine_running();

	buf[len++] = '\n';
	sig_add(buf, sizeof(buf), &len, "S ", 0);
	sig_add_int(buf, sizeof(buf), &len, sig);
	buf[len++] = ' ';
	sig_add(buf, sizeof(buf), &len, plugin != NULL ? plugin : "-", 1);
	buf[len++] = '\n';
	job_write_all(JOB_REPORT_FD, buf, len);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_alarm(int sig)
{
	char buf[128];
	size_t len = 0;
	const char *plugin = an_engine_running();

	buf[len++] = '\n';
	sig_add(buf, sizeof(buf), &len, "T ", 0);
	sig_add(buf, sizeof(buf), &len, plugin != NULL ? plugin : "-", 1);
	buf[len++] = '\n';
	job_write_all(JOB_REPORT_FD, buf, len);
	_exit(JOB_EXIT_TIMEOUT);
}

static void on_term(int sig)
{
	stop_requested = 1;
}

static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void report(const char *fmt, ...)
{
	char buf[PIPE_BUF];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	/* The supervisor gone (EPIPE): nothing to report to, stop. */
	if (job_write_all(JOB_REPORT_FD, buf, (size_t)n) != 0)
		stop_requested = 1;
}

static int read_handover(struct job_handover *h)
{
	size_t got = 0;

	while (got < sizeof(*h)) {
		ssize_t r = read(0, (char *)h + got, sizeof(*h) - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return h->magic == JOB_HANDOVER_MAGIC && h->size == sizeof(*h) ? 0 : -1;
}

/* Bytes of address space mapped now (from /proc/self/statm), 0 if unknown. */
static size_t mapped_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long pages = 0;

	if (f == NULL)
		return 0;
	if (fscanf(f, "%lu", &pages) != 1)
		pages = 0;
	fclose(f);
	return (size_t)pages * (size_t)sysconf(_SC_PAGESIZE);
}

static void lower_priority(void)
{
	/* ioprio_set(IOPRIO_WHO_PROCESS, 0, best-effort class 2, level 7) */
	(void)syscall(SYS_ioprio_set, 1, 0, (2 << 13) | 7);
	errno = 0;
	if (nice(10) == -1 && errno != 0)
		log_debug("worker: nice: %s", strerror(errno));
}

static void set_limit(int res, rlim_t v)
{
	struct rlimit rl;

	if (getrlimit(res, &rl) != 0)
		return;
	if (rl.rlim_max != RLIM_INFINITY && v > rl.rlim_max)
		v = rl.rlim_max;
	rl.rlim_cur = v;
	if (setrlimit(res, &rl) != 0)
		log_debug("worker: setrlimit %d: %s", res, strerror(errno));
}

static void install_signals(void)
{
	static char altstack[64 * 1024];
	static const int crash[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGSYS, SIGXCPU };
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	struct sigaction sa;

	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_ONSTACK | SA_RESETHAND | SA_NODEFER;
	for (size_t i = 0; i < GR_ARRAY_LEN(crash); i++)
		sigaction(crash[i], &sa, NULL);
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_ONSTACK;
	sigaction(SIGALRM, &sa, NULL);
	/* SA_RESTART: a stop request must not fail a read inside a decoder */
	sa.sa_handler = on_term;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTERM, &sa, NULL);
	/* Ctrl-C and a hang-up reach the whole process group: the supervisor
	 * decides. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
}

static void arm_deadline(double s)
{
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	if (s > 0) {
		it.it_value.tv_sec = (time_t)s;
		it.it_value.tv_usec = (suseconds_t)((s - (double)(time_t)s) * 1e6);
		if (it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0)
			it.it_value.tv_usec = 1;
	}
	setitimer(ITIMER_REAL, &it, NULL);
}

static int real_hash(const char *path, uint64_t *hash, int64_t *size, struct gr_err *err)
{
	struct audio_file *f = audio_open(path, err);
	int rc;

	if (f == NULL)
		return -err->code;
	*size = audio_get_info(f)->size;
	rc = audio_hash(f, hash, err);
	audio_close(f);
	return rc;
}

/* A path new to the catalog whose bytes match a file that moved away:
 * relink it.  1 relinked, 0 not a move, <0 error (then analyse anyway). */
static int try_relink(struct cat *c, const struct cat_job *job, const struct job_worker_ops *ops,
                      int64_t mtime_ns, struct gr_err *err)
{
	int64_t id = 0, size = 0;
	uint64_t hash = 0;
	int rc = cat_file_find(c, job->path, &id, err);

	if (rc != 0)
		return rc < 0 ? rc : 0;       /* known path: changed or stale, not moved */
	rc = (ops->hash != NULL ? ops->hash : real_hash)(job->path, &hash, &size, err);
	if (rc < 0)
		return rc;
	return cat_relink_moved(c, job->root_id, job->relpath, hash, size, mtime_ns, &id, err);
}

/* The reason in err without a leading "path: " (the file is known). */
static const char *reason_of(const struct gr_err *err, const char *path)
{
	size_t l = strlen(path);

	if (err->msg[0] == '\0')
		return gr_strcode(err->code);
	if (!strncmp(err->msg, path, l) && err->msg[l] == ':' && err->msg[l + 1] == ' ')
		return err->msg + l + 2;
	return err->msg;
}

/*
 * One claimed job.  0, or -GR_EFULL with *full set when the catalog could
 * not be written because the disk is full: then the job is left running
 * (the supervisor queues it again) rather than failed, since nothing is
 * wrong with the file.
 */
static int work_one(struct cat *c, struct an_engine *eng, const struct gr_config *cfg,
                    const struct job_worker_ops *ops, const struct cat_job *job,
                    const char *version, struct gr_err *full)
{
	struct an_file f;
	struct gr_err err = { 0 };
	struct stat sb;
	char *esc = str_escape_term(job->path);
	int rc;

	report("C %lld %d %s", (long long)job->id, job->attempts, esc);
	free(esc);
	arm_deadline(cfg->job_timeout);
	if (lstat(job->path, &sb) == 0 &&
	    try_relink(c, job, ops, (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec,
	               &err) == 1) {
		arm_deadline(0);
		if (cat_job_skip(c, job->id, &err) == 0)
			report("M %lld", (long long)job->id);
		else if (err.code == GR_EFULL)
			return gr_fail(full, GR_EFULL, "%s", err.msg);
		else
			log_error("worker: %s", err.msg);
		return 0;
	}
	gr_clear(&err);
	memset(&f, 0, sizeof(f));
	if (eng != NULL)
		an_engine_file_begin(eng, job->path);
	rc = (ops->analyze != NULL ? ops->analyze : an_analyze_file)(job->path, cfg, eng, &f, &err);
	if (eng != NULL)
		an_engine_file_done(eng);
	arm_deadline(0);
	if (rc == 0) {
		rc = cat_job_complete(c, job, &f, version, NULL, &err);
		if (rc == 0)
			report("D %lld %.3f %d", (long long)job->id, f.duration, f.partial);
		an_file_fini(&f);
	}
	if (rc != 0 && err.code == GR_EFULL)
		return gr_fail(full, GR_EFULL, "%s", err.msg);
	if (rc != 0) {
		struct gr_err e2 = { 0 };
		const char *why = reason_of(&err, job->path);
		if (cat_job_fail(c, job->id, why, version, &e2) < 0) {
			if (e2.code == GR_EFULL)
				return gr_fail(full, GR_EFULL, "%s", e2.msg);
			log_error("worker: %s", e2.msg);
		}
		report("F %lld %s", (long long)job->id, why);
	}
	return 0;
}

int job_worker_main(const struct job_worker_ops *ops)
{
	static const struct job_worker_ops real;
	struct job_handover h;
	struct gr_err err = { 0 };
	struct cat *c = NULL;
	struct an_engine *eng = NULL;
	struct cat_job *job = NULL;
	const char *version;
	int rc = JOB_EXIT_SETUP;

	if (ops == NULL)
		ops = &real;
	install_signals();
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	prctl(PR_SET_NAME, "grym-worker", 0, 0, 0);
	if (isatty(0) || read_handover(&h) != 0) {
		report("E worker: no configuration on fd 0 (started by hand?)");
		return JOB_EXIT_SETUP;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != h.ppid)
		return JOB_EXIT_SETUP;             /* the supervisor died already */
	lower_priority();
	set_limit(RLIMIT_CORE, 0);
	set_limit(RLIMIT_NOFILE, WORKER_NOFILE);
	version = job_analysis_version();

	c = cat_open(h.cfg.catalog, CAT_OPEN_LEAN, &err);
	if (c == NULL) {
		report("E %s", err.msg);
		if (err.code == GR_EFULL)
			rc = JOB_EXIT_FULL;
		goto out;
	}
	if (ops->analyze == NULL) {
		eng = an_engine_new(NULL, 0, h.cfg.breaker, &err);
		if (eng == NULL) {
			report("E %s", err.msg);
			goto out;
		}
	}
	if (!WORKER_ASAN && h.cfg.max_file_mb > 0) {
		size_t base = mapped_bytes();
		if (base > 0)
			set_limit(RLIMIT_AS, (rlim_t)base + (rlim_t)h.cfg.max_file_mb * 1024 * 1024);
	}
	job = xmalloc(sizeof(*job));
	rc = 0;
	while (!stop_requested && getppid() == h.ppid) {
		int got = cat_job_claim(c, (int)getpid(), job, &err);
		if (got < 0) {
			report("E %s", err.msg);
			rc = err.code == GR_EFULL ? JOB_EXIT_FULL : JOB_EXIT_SETUP;
			break;
		}
		if (got == 0)
			break;                        /* the queue is empty */
		if (work_one(c, eng, &h.cfg, ops, job, version, &err) == -GR_EFULL) {
			report("E %s", err.msg);
			rc = JOB_EXIT_FULL;
			break;
		}
	}
	if (eng != NULL) {
		size_t n;
		const struct an_metrics *m = an_engine_metrics(eng, &n);
		if (rc != JOB_EXIT_FULL && n > 0 && cat_health_store(c, m, n, &err) != 0)
			log_error("worker: %s", err.msg);
	}
out:
	free(job);
	an_engine_free(eng);
	cat_close(c);
	return rc;
}
