/*
 * progress.c - showing a scan: a one-line bar redrawn in place on a
 * terminal, plain lines elsewhere (every METER_LINE_S s or 10 %), and the
 * summary at the end.  Every name printed here arrives already escaped
 * (the supervisor escapes paths and reasons) or is escaped here.
 *
 * Cost: one formatted line per redraw, at most 10 redraws per second.
 *
 * Thread rules: a meter belongs to the supervisor's thread (it is the
 * progress callback).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grym/jobs.h"
#include "grym/util.h"

#define METER_REDRAW_S 0.1
#define METER_LINE_S 5.0
#define METER_LIST_MAX 50          /* failures listed in the summary */

struct job_meter {
	FILE *f;
	int mode;                      /* enum job_meter_mode */
	int drawn;                     /* a bar is on the current line */
	double last;                   /* time of the last redraw or line */
	int last_decile;
	int stopping;                  /* stop requests seen */
	struct job_progress p;         /* latest state (name not kept) */
};

struct job_meter *job_meter_new(FILE *f, int mode)
{
	struct job_meter *m = xcalloc(1, sizeof(*m));
	m->f = f;
	m->mode = mode;
	return m;
}

void job_meter_free(struct job_meter *m)
{
	free(m);
}

/* "1:02:03", "3:12" or "--" */
static void fmt_dur(char *buf, size_t size, double s)
{
	if (!(s >= 0) || s > 360000) {
		snprintf(buf, size, "--");
		return;
	}
	long t = (long)(s + 0.5);
	if (t >= 3600)
		snprintf(buf, size, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(buf, size, "%ld:%02ld", t / 60, t % 60);
}

static double eta(const struct job_progress *p)
{
	if (p->done <= 0 || p->total <= p->done)
		return p->total <= p->done ? 0 : -1;
	return p->elapsed / (double)p->done * (double)(p->total - p->done);
}

static void clear_bar(struct job_meter *m)
{
	if (m->drawn) {
		fputs("\r\033[K", m->f);
		m->drawn = 0;
	}
}

static void draw_bar(struct job_meter *m, const char *name)
{
	const struct job_progress *p = &m->p;
	char left[160], e[32];
	int width = sys_term_columns(fileno(m->f)), barw, fill;
	double frac = p->total > 0 ? (double)p->done / (double)p->total : 0;

	fmt_dur(e, sizeof(e), eta(p));
	snprintf(left, sizeof(left), " %ld/%ld  %.2f h/s  ETA %s%s%.0ld%s", p->done, p->total,
	         p->elapsed > 0 ? p->audio_s / 3600.0 / p->elapsed : 0.0, e,
	         p->failed ? "  " : "", p->failed, p->failed ? " failed" : "");
	barw = width / 4;
	if (barw > 30)
		barw = 30;
	fill = (int)(frac * barw + 0.5);
	fputs("\r\033[K[", m->f);
	for (int i = 0; i < barw; i++)
		fputc(i < fill ? '#' : '-', m->f);
	fputc(']', m->f);
	fputs(left, m->f);
	int room = width - barw - 2 - (int)strlen(left) - 3;
	if (name != NULL && room > 8) {
		/* the tail of the name: the file, not the root, matters */
		size_t l = strlen(name);
		fputs("  ", m->f);
		if ((int)l > room) {
			fputs("...", m->f);
			name += l - (size_t)(room - 3);
			/* do not start inside an escape or a UTF-8 sequence */
			while (*name != '\0' && ((unsigned char)*name & 0xc0) == 0x80)
				name++;
		}
		fputs(name, m->f);
	}
	fflush(m->f);
	m->drawn = 1;
}

static void plain_line(struct job_meter *m)
{
	const struct job_progress *p = &m->p;
	char e[32];

	fmt_dur(e, sizeof(e), eta(p));
	fprintf(m->f, "grym scan: %ld/%ld files (%d%%), %.2f h of audio/s, %ld failed, ETA %s\n",
	        p->done, p->total, p->total > 0 ? (int)(100 * p->done / p->total) : 0,
	        p->elapsed > 0 ? p->audio_s / 3600.0 / p->elapsed : 0.0, p->failed, e);
	fflush(m->f);
}

void job_meter_event(void *arg, const struct job_progress *p)
{
	struct job_meter *m = arg;
	double now = time_now();

	m->p = *p;
	m->p.name = m->p.reason = NULL;
	if (m->mode == JOB_METER_QUIET)
		return;
	if (p->event == JOB_EV_FAILED) {
		clear_bar(m);
		fprintf(m->f, "grym: failed: %s: %s\n", p->name != NULL ? p->name : "?",
		        p->reason != NULL ? p->reason : "?");
	} else if (p->event == JOB_EV_STOPPING) {
		clear_bar(m);
		fputs(m->stopping++ ? "grym: stopping now\n" :
		      "grym: stopping after the files in progress (Ctrl-C again to stop at once)\n",
		      m->f);
	}
	if (m->mode == JOB_METER_BAR) {
		if (p->event == JOB_EV_FAILED || p->event == JOB_EV_STOPPING ||
		    now - m->last >= METER_REDRAW_S) {
			draw_bar(m, p->name);
			m->last = now;
		}
		return;
	}
	int decile = p->total > 0 ? (int)(10 * p->done / p->total) : 0;
	if (p->done > 0 && (now - m->last >= METER_LINE_S || decile > m->last_decile)) {
		plain_line(m);
		m->last = now;
		m->last_decile = decile;
	}
}

void job_meter_end(struct job_meter *m)
{
	if (m != NULL) {
		clear_bar(m);
		fflush(m->f);
	}
}

static void notes(FILE *f, const char *what, const struct job_note *n, size_t count)
{
	for (size_t i = 0; i < count && i < METER_LIST_MAX; i++)
		fprintf(f, "  %s: %s: %s\n", what, n[i].path, n[i].reason);
	if (count > METER_LIST_MAX)
		fprintf(f, "  ... and %zu more %s\n", count - METER_LIST_MAX, what);
}

void job_print_summary(FILE *f, const struct job_plan *plan, const struct job_result *res)
{
	char t[32];
	long failed = res != NULL ? res->failed : 0;

	fmt_dur(t, sizeof(t), res != NULL ? res->elapsed : 0);
	fprintf(f, "grym scan: %ld analysed, %ld unchanged, %ld moved, %ld failed",
	        res != NULL ? res->analysed : 0, plan->unchanged, res != NULL ? res->moved : 0,
	        failed);
	if (plan->n_skips > 0)
		fprintf(f, ", %zu skipped", plan->n_skips);
	if (plan->missing > 0)
		fprintf(f, ", %ld missing on disk", plan->missing);
	if (res != NULL) {
		fprintf(f, "; %.2f h of audio in %s", res->audio_s / 3600.0, t);
		if (res->elapsed > 0.5 && res->audio_s > 0)
			fprintf(f, " (%.0fx real time)", res->audio_s / res->elapsed);
	}
	fputc('\n', f);
	if (plan->failed_kept > 0)
		fprintf(f, "  %ld failed in an earlier scan, not retried (use --retry-failed)\n",
		        plan->failed_kept);
	if (res != NULL && res->stopped)
		fputs("  stopped before the end: run the same scan again to continue\n", f);
	if (res != NULL)
		notes(f, "failed", res->failures, res->n_failures);
	notes(f, "skipped", plan->skips, plan->n_skips);
}
