/*
 * scan.c - `grym scan DIR... [-j N] [--force] [--dry-run] [--retry-failed]
 * [--quiet]`: walk, queue, analyse in worker processes (src/jobs), show
 * progress, print a summary.
 *
 * Also the worker's entry point: `grym scan --worker` is what the
 * supervisor execs (through /proc/self/exe); it is not for people and is
 * not in the help.  A hidden option of scan rather than a command of its
 * own keeps it out of `grym --help`.
 *
 * Signals: the first SIGINT/SIGTERM/SIGHUP asks the supervisor to stop
 * after the files in progress (a few seconds at most), the second stops
 * at once; unfinished files stay queued for the next scan.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grym/catalog.h"
#include "grym/cli.h"
#include "grym/jobs.h"
#include "grym/util.h"

extern const struct cli_cmd cli_cmd_scan;

#define LOG_MAX_BYTES (8L << 20)   /* the worker log is rotated past this */

static struct job_sup *volatile running_sup;
static volatile sig_atomic_t n_signals;

static void on_signal(int sig)
{
	n_signals++;
	job_sup_stop(running_sup, n_signals >= 2);
}

static void catch_signals(int on)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on ? on_signal : SIG_DFL;
	for (size_t i = 0; i < GR_ARRAY_LEN(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
}

/* The workers' log: next to the catalog, rotated once past LOG_MAX_BYTES. */
static char *worker_log_path(const char *catalog)
{
	char *dir = xstrdup(catalog), *slash = strrchr(dir, '/'), *p, *old;
	struct stat sb;

	if (slash != NULL)
		*slash = '\0';
	p = xasprintf("%s/worker.log", slash != NULL ? (dir[0] ? dir : "/") : ".");
	if (stat(p, &sb) == 0 && sb.st_size > LOG_MAX_BYTES) {
		old = xasprintf("%s.old", p);
		rename(p, old);
		free(old);
	}
	free(dir);
	return p;
}

static int scan_run(struct cli_env *env, int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "jobs", required_argument, NULL, 'j' },
		{ "force", no_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "retry-failed", no_argument, NULL, 'r' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "worker", no_argument, NULL, 'W' },
		{ NULL, 0, NULL, 0 },
	};
	struct job_scan_opts so = { 0 };
	struct job_sup_opts sup = { 0 };
	struct job_plan plan;
	struct job_result res;
	struct gr_err err = { 0 };
	struct job_meter *meter = NULL;
	struct job_sup *s = NULL;
	struct cat *c = NULL;
	char *log = NULL;
	int quiet = 0, workers = 0, ch, rc = CLI_FAIL;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "+j:fnrq", lopts, NULL)) != -1) {
		switch (ch) {
		case 'j': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end != '\0' || v < 1 || v > 256)
				return cli_usage_error(&cli_cmd_scan, "-j wants 1..256 workers");
			workers = (int)v;
			break;
		}
		case 'f': so.force = 1; break;
		case 'n': so.dry_run = 1; break;
		case 'r': so.retry_failed = 1; break;
		case 'q': quiet = 1; break;
		case 'W': return job_worker_main(NULL);
		default: return cli_usage_error(&cli_cmd_scan, "unknown option");
		}
	}
	if (optind >= argc)
		return cli_usage_error(&cli_cmd_scan, "which directories?");

	so.dry_out = stdout;
	c = cat_open(env->cfg.catalog, 0, &err);
	if (c == NULL) {
		cli_error("%s", err.msg);
		return CLI_FAIL;
	}
	if (job_scan_prepare(c, (const char *const *)argv + optind, (size_t)(argc - optind), &so,
	                     &plan, &err) != 0) {
		cli_error("%s", err.msg);
		job_plan_fini(&plan);
		cat_close(c);
		return err.code == GR_EUSAGE ? CLI_USAGE : CLI_FAIL;
	}
	cat_close(c);
	if (so.dry_run) {
		if (!quiet)
			printf("grym scan (dry run): %ld to analyse (%ld new, %ld changed, %ld stale, "
			       "%ld forced, %ld retried), %ld unchanged, %ld failed before, "
			       "%zu skipped\n", plan.queued, plan.is_new, plan.changed, plan.stale,
			       plan.forced, plan.retried, plan.unchanged, plan.failed_kept,
			       plan.n_skips);
		job_plan_fini(&plan);
		return CLI_OK;
	}

	if (!quiet) {
		meter = job_meter_new(stderr, isatty(STDERR_FILENO) ? JOB_METER_BAR : JOB_METER_LINES);
		sup.progress = job_meter_event;
		sup.arg = meter;
	}
	log = worker_log_path(env->cfg.catalog);
	sup.workers = workers;
	sup.log_path = log;
	s = job_sup_new(&env->cfg, &sup, &err);
	if (s == NULL) {
		cli_error("%s", err.msg);
		goto out;
	}
	running_sup = s;
	catch_signals(1);
	if (job_sup_run(s, &res, &err) != 0) {
		job_meter_end(meter);
		if (err.code == GR_EFULL) {
			/* not a broken scan: say what happened and what to do */
			cli_error("scan stopped: catalog write failed: disk full (%s)", err.msg);
			cli_error("nothing is lost: %ld files analysed in this run are stored, the "
			          "rest stay queued; free some space and run the same scan again "
			          "to resume", res.analysed);
		} else {
			cli_error("scan stopped: %s (worker log: %s)", err.msg, log);
		}
		job_result_fini(&res);
		goto out;
	}
	job_meter_end(meter);
	if (!quiet)
		job_print_summary(stdout, &plan, &res);
	rc = res.failed > 0 || res.stopped ? CLI_FAIL : CLI_OK;
	job_result_fini(&res);
out:
	catch_signals(0);
	running_sup = NULL;
	job_sup_free(s);
	job_meter_free(meter);
	job_plan_fini(&plan);
	free(log);
	return rc;
}

const struct cli_cmd cli_cmd_scan = {
	.name = "scan",
	.args = "DIR|FILE... [-j N] [--force] [--dry-run] [--retry-failed] [--quiet]",
	.summary = "find audio files under folders and analyse them into the catalog",
	.help =
	"Walks each DIR (symbolic links are not followed; hidden names starting\n"
	"with '.' are skipped) for files named like audio: .wav .wave .aif .aiff\n"
	".aifc .flac .ogg .oga .opus .mp3 .m4a .mp4 .aac .caf .w64 .rf64 (any\n"
	"case).  FIFOs, devices and unreadable entries with such names are listed\n"
	"as skipped.  A FILE named on its own is analysed alone (with --force:\n"
	"again) in the library root that holds its folder.  Files unchanged\n"
	"since the last scan (same size and mtime,\n"
	"same analysis version) are not read again; a file moved inside a scanned\n"
	"folder is recognised by its content and keeps its id, analysis and tags;\n"
	"files gone from disk are marked missing (their data is kept).\n"
	"\n"
	"The analysis runs in worker processes at low priority, each file with a\n"
	"deadline (scan.job_timeout): a file that crashes, hangs or exhausts\n"
	"memory is marked failed with the reason and the scan goes on.  Killing a\n"
	"scan loses nothing: run it again and it continues.  Ctrl-C stops after\n"
	"the files in progress; a second Ctrl-C stops at once.  Workers' messages\n"
	"go to worker.log next to the catalog.\n"
	"\n"
	"  -j, --jobs N      worker processes (default: scan.workers, or one per core)\n"
	"  -f, --force       analyse every file again, changed or not\n"
	"  -n, --dry-run     print what would be analysed or skipped; change nothing\n"
	"  -r, --retry-failed  try files that failed in an earlier scan again\n"
	"  -q, --quiet       no progress and no summary (errors only)\n"
	"\n"
	"Progress goes to stderr: a bar on a terminal, a line every 5 s or 10 %\n"
	"otherwise.  The summary goes to stdout.  Exit status: 0 when every file\n"
	"was analysed (or unchanged), 1 when some failed or the scan was stopped,\n"
	"2 for a usage error.  Another process can follow a scan with `grym stats`.\n"
	"\n"
	"Examples:\n"
	"  grym scan ~/Samples ~/Field -j 2\n"
	"  grym scan --dry-run /mnt/library | less\n",
	.run = scan_run,
};
