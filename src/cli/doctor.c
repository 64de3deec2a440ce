/*
 * doctor.c - `grym doctor`: check the catalog: SQLite integrity and
 * foreign keys, library roots that are gone, files missing on disk,
 * analyses made by another analysis version (stale), failures with their
 * reasons, and the plugin health of the last scans.  Exit status 1 when
 * the database itself is damaged; everything else is reported.
 */
#include <stdio.h>
#include <stdlib.h>

#include "grym/catalog.h"
#include "grym/cli.h"
#include "grym/util.h"

extern const struct cli_cmd cli_cmd_doctor;

static int list(struct cat *c, const char *query, int max)
{
	struct gr_err err = { 0 };
	struct cat_query *q = cat_query_parse(query, NULL, &err);
	struct cat_cursor *cur = q != NULL ? cat_find(c, q, CAT_FILES, max, &err) : NULL;
	struct cat_file f;
	int n = 0;

	while (cur != NULL && cat_next_file(cur, &f, &err) == 1) {
		printf("    ");
		str_fputs_safe(f.path, stdout);
		if (f.error[0]) {
			fputs(": ", stdout);
			str_fputs_safe(f.error, stdout);
		}
		putchar('\n');
		n++;
	}
	cat_cursor_free(cur);
	cat_query_free(q);
	return n;
}

static int doctor_run(struct cli_env *env, int argc, char **argv)
{
	struct gr_err err = { 0 };
	struct an_metrics *m = NULL;
	struct cat_root *roots = NULL;
	struct cat_stats st;
	struct str rep;
	struct cat *c;
	size_t n = 0;
	int bad, missing, rc = CLI_OK;
	int64_t stale;

	if (argc != 1)
		return cli_usage_error(&cli_cmd_doctor, "unexpected argument");
	if ((c = cli_catalog(env, 1)) == NULL)
		return CLI_FAIL;
	printf("catalog: ");
	str_fputs_safe(cat_path(c), stdout);
	printf(" (schema %d)\n", cat_schema_version(c));
	str_init(&rep);
	bad = cat_integrity(c, &rep, &err);
	if (bad < 0) {
		cli_error("%s", err.msg);
		rc = CLI_FAIL;
	} else if (bad > 0) {
		printf("integrity: %d PROBLEMS\n", bad);
		str_fputs_safe(rep.s, stdout);
		printf("\n  back up the catalog; `sqlite3 catalog.db .recover` may save it\n");
		rc = CLI_FAIL;
	} else {
		printf("integrity: ok\n");
	}
	str_fini(&rep);

	if (cat_roots_list(c, &roots, &n, &err) == 0) {
		for (size_t i = 0; i < n; i++)
			if (!roots[i].exists) {
				printf("root not found: ");
				str_fputs_safe(roots[i].path, stdout);
				printf(" (%lld files; unmounted? `grym roots move OLD NEW` if it moved)\n",
				       (long long)roots[i].n_files);
			}
		cat_roots_free(roots, n);
	}
	missing = cat_check_missing(c, 0, &err);
	if (missing < 0) {
		cli_error("%s", err.msg);
	} else {
		printf("missing on disk: %d\n", missing);
		if (missing > 0) {
			list(c, "status:missing", 10);
			if (missing > 10)
				printf("    ... (grym ls status:missing; forget them with "
				       "grym rm status:missing)\n");
		}
	}
	stale = cat_count_stale(c, cat_current_version(c), &err);
	if (stale >= 0)
		printf("stale analyses: %lld%s\n", (long long)stale,
		       stale > 0 ? " (made by another analysis version; a scan redoes them)" : "");
	if (cat_stats(c, &st, &err) == 0) {
		printf("failed: %lld, partial: %lld\n", (long long)st.failed, (long long)st.partial);
		if (st.failed > 0)
			list(c, "status:failed", 10);
		if (st.jobs_running > 0)
			printf("jobs running: %lld (a scan is at work, or one was killed: the next "
			       "scan resumes them)\n", (long long)st.jobs_running);
	}
	if (cat_health_list(c, &m, &n, &err) > 0) {
		printf("plugin health (last scan):\n");
		for (size_t i = 0; i < n; i++) {
			printf("  %-10s v%-3d %7ld runs %5ld failed %5ld timeouts  median %.3f s  "
			       "max %.3f s%s", m[i].name, m[i].version, m[i].count, m[i].failures,
			       m[i].timeouts, m[i].median_time, m[i].max_time,
			       m[i].disabled ? "  SWITCHED OFF" : "");
			if (m[i].last_error[0]) {
				fputs("  last error: ", stdout);
				str_fputs_safe(m[i].last_error, stdout);
			}
			putchar('\n');
		}
		free(m);
	}
	{
		double secs;
		int64_t underruns, plays;
		if (cat_audition_stats(c, &secs, &underruns, &plays, &err) == 0 && plays > 0)
			printf("audition: %lld underruns in %lld playbacks (%.0f s played)%s\n",
			       (long long)underruns, (long long)plays, secs,
			       underruns > 0 ? "; a busy machine or a too small play.latency_ms" : "");
	}
	cat_close(c);
	return rc;
}

const struct cli_cmd cli_cmd_doctor = {
	.name = "doctor",
	.args = "",
	.summary = "check the catalog: integrity, missing files, stale analyses, failures",
	.help = "Exit status 1 only when the database itself is damaged.\n",
	.run = doctor_run,
};
