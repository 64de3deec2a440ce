/*
 * show.c - `grym show FILE|ID [--json]`: everything the catalog knows
 * about one file: metadata, loudness, summary, tags, regions with class,
 * key, tempo and loudness, the repeated sections found inside regions,
 * the regions that sound alike (a call repeated across silences), and the
 * plugin results that did not succeed.
 */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "grym/catalog.h"
#include "grym/cli.h"
#include "grym/similar.h"
#include "grym/util.h"
#include "grym/wave.h"
#include "patterns_int.h"

extern const struct cli_cmd cli_cmd_show;

/*
 * The waveform overview from the stored peaks, with the region timeline
 * under it; only on a terminal (scripts get the table alone).
 */
static void show_waveform(struct cat *c, int64_t file_id, double duration, int ascii)
{
	struct gr_err err = { 0 };
	struct dsp_peaks p;
	struct cat_cursor *cur;
	struct cat_region g;
	double *st = NULL, *en = NULL;
	size_t n = 0, cap = 0;

	if (!isatty(1) || cat_peaks_get(c, file_id, 0, &p, &err) != 1)
		return;
	if ((cur = cat_regions_of(c, file_id, &err)) != NULL) {
		while (cat_next_region(cur, &g, &err) == 1) {
			if (n == cap) {
				cap = cap ? 2 * cap : 16;
				st = xrealloc(st, cap * sizeof(double));
				en = xrealloc(en, cap * sizeof(double));
			}
			st[n] = g.start;
			en[n] = g.end;
			n++;
		}
		cat_cursor_free(cur);
	}
	fputc('\n', stdout);
	wave_print(stdout, p.min, p.max, (size_t)p.n, duration, st, en, n,
	           sys_term_columns(1) - 4, 3, wave_style_auto(ascii));
	free(st);
	free(en);
	cat_peaks_fini(&p);
}

/* The id named by arg: a catalog id, or a path on disk. */
static int resolve(struct cat *c, const char *arg, int64_t *id)
{
	struct gr_err err = { 0 };
	struct cat_file f;
	char *end, abs[PATH_MAX];
	long long n = strtoll(arg, &end, 10);
	int r;

	if (*arg != '\0' && *end == '\0' && n > 0 && cat_file_get(c, n, &f, &err) == 1) {
		*id = n;
		return 0;
	}
	if (realpath(arg, abs) == NULL) {
		if (arg[0] == '/')
			str_lcpy(abs, arg, sizeof(abs));
		else {
			char cwd[PATH_MAX];
			if (getcwd(cwd, sizeof(cwd)) == NULL)
				cwd[0] = '\0';
			snprintf(abs, sizeof(abs), "%s/%s", cwd, arg);
		}
	}
	r = cat_file_find(c, abs, id, &err);
	if (r < 0) {
		cli_error("%s", err.msg);
		return -1;
	}
	if (r == 0) {
		cli_error("%s: not in the catalog (scan it, or give an id from `grym ls`)", arg);
		return -1;
	}
	return 0;
}

#define SHOW_ALIKE 0.7     /* least similar score of regions shown as alike */

static double alike_dist(const float *a, const float *b, int dim, const void *arg)
{
	(void)dim;
	return 1.0 - sim_score(sim_dist2(a, b, arg), SIM_OVERALL);
}

/*
 * Regions of the file that sound alike (a call that comes back after a
 * silence is a region of its own): groups of region indices, from the
 * simvec descriptors, each region scoring >= SHOW_ALIKE against its
 * group's representative.  *groups is a new array of n_regions ints, the
 * group of each region or -1; returns the number of groups (0 if the file
 * has no descriptors) or -1 after printing the error.
 */
static int alike_regions(struct cat *c, int64_t id, int **groups, int *n_regions)
{
	struct gr_err err = { 0 };
	struct cat_cursor *cur = cat_regions_of(c, id, &err);
	struct cat_region g;
	float *vec = NULL, w[AN_SIM_DIM];
	int n = 0, cap = 0, r, ok = 1;
	struct cli_clusters cl;

	*groups = NULL;
	*n_regions = 0;
	if (cur == NULL) {
		cli_error("%s", err.msg);
		return -1;
	}
	while ((r = cat_next_region(cur, &g, &err)) == 1) {
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			vec = xrealloc(vec, (size_t)cap * AN_SIM_DIM * sizeof(*vec));
		}
		if (cat_simvec_get(c, g.id, vec + (size_t)n * AN_SIM_DIM, &err) != 1)
			ok = 0;    /* one region without a descriptor: say nothing */
		n++;
	}
	cat_cursor_free(cur);
	if (r < 0) {
		free(vec);
		cli_error("%s", err.msg);
		return -1;
	}
	if (!ok || n < 2) {
		free(vec);
		return 0;
	}
	sim_weights(SIM_OVERALL, w);
	cli_cluster(vec, (size_t)n, AN_SIM_DIM, 1.0 - SHOW_ALIKE, alike_dist, w, &cl);
	*groups = cl.label;
	cl.label = NULL;
	*n_regions = n;
	r = cl.n;
	cli_clusters_fini(&cl);
	free(vec);
	return r;
}

/*
 * The repeated sections, one line per group: how often, how long, where.
 * Returns 0 or -1 after printing the error.
 */
static int show_patterns(struct cat *c, int64_t id)
{
	struct gr_err err = { 0 };
	struct cat_pattern *p;
	size_t n;

	if (cat_patterns_of(c, id, &p, &n, &err) < 0) {
		cli_error("%s", err.msg);
		return -1;
	}
	if (n > 0)
		printf("\n  repeated sections (region, group: times x length, starts s, alike):\n");
	for (size_t i = 0; i < n;) {
		size_t j = i, k;
		double len = 0, score = 0;
		while (j < n && p[j].region_id == p[i].region_id && p[j].group == p[i].group) {
			len += p[j].end - p[j].start;
			score += p[j].score;
			j++;
		}
		k = j - i;
		printf("  region %d, group %d: %zu x %.2f s at", p[i].region_idx, p[i].group + 1,
		       k, len / (double)k);
		for (size_t m = i; m < j && m < i + 8; m++)
			printf(" %.2f", p[m].start);
		printf("%s  (%.0f%%)\n", k > 8 ? " ..." : "", score / (double)k * 100);
		i = j;
	}
	free(p);
	return 0;
}

/* "regions alike: 0 2 5 | 1 3" when some regions sound alike. */
static int show_alike(struct cat *c, int64_t id)
{
	int *grp, nr, ng = alike_regions(c, id, &grp, &nr);

	if (ng < 0)
		return -1;
	if (ng > 0) {
		printf("\n  regions that sound alike:");
		for (int g = 0; g < ng; g++) {
			printf("%s", g ? " |" : "");
			for (int i = 0; i < nr; i++)
				if (grp[i] == g)
					printf(" %d", i);
		}
		putchar('\n');
	}
	free(grp);
	return 0;
}

static int show_json(struct cat *c, int64_t id)
{
	struct gr_err err = { 0 };
	struct cat_cursor *cur;
	struct cat_file f;
	struct cat_region g;
	struct cat_result res;
	struct str b;
	int r, first = 1;

	str_init(&b);
	if (cat_file_get(c, id, &f, &err) != 1)
		goto fail;
	cat_file_json(&f, &b);
	b.len--;                        /* reopen the object */
	str_add(&b, ",\"region_list\":[");
	if ((cur = cat_regions_of(c, id, &err)) == NULL)
		goto fail;
	while ((r = cat_next_region(cur, &g, &err)) == 1) {
		str_add(&b, first ? "" : ",");
		cat_region_json(&g, &b);
		first = 0;
	}
	cat_cursor_free(cur);
	if (r < 0)
		goto fail;
	str_add(&b, "],\"results\":[");
	if ((cur = cat_results_of(c, id, &err)) == NULL)
		goto fail;
	for (first = 1; (r = cat_next_result(cur, &res, &err)) == 1; first = 0) {
		str_addf(&b, "%s{\"region\":%d,\"plugin\":", first ? "" : ",", res.region_idx);
		str_add_json(&b, res.plugin);
		str_addf(&b, ",\"version\":%d,\"status\":\"%s\",\"time\":%.6g,\"error\":",
		         res.version, an_status_name(res.status), isnan(res.time) ? 0 : res.time);
		if (res.error[0])
			str_add_json(&b, res.error);
		else
			str_add(&b, "null");
		str_addf(&b, ",\"detail\":%s}", res.detail_json);
	}
	cat_cursor_free(cur);
	if (r < 0)
		goto fail;
	str_add(&b, "],\"patterns\":[");
	{
		struct cat_pattern *p;
		size_t n;
		if (cat_patterns_of(c, id, &p, &n, &err) < 0)
			goto fail;
		for (size_t i = 0; i < n; i++)
			str_addf(&b, "%s{\"region\":%d,\"group\":%d,\"start\":%.4f,\"end\":%.4f,"
			         "\"score\":%.4g}", i ? "," : "", p[i].region_idx, p[i].group,
			         p[i].start, p[i].end, isnan(p[i].score) ? 0 : p[i].score);
		free(p);
	}
	str_add(&b, "],\"alike_regions\":[");
	{
		int *grp, nr, ng = alike_regions(c, id, &grp, &nr);
		if (ng < 0) {
			str_fini(&b);
			return CLI_FAIL;
		}
		for (int gi = 0; gi < ng; gi++) {
			str_add(&b, gi ? ",[" : "[");
			for (int i = 0, k = 0; i < nr; i++)
				if (grp[i] == gi)
					str_addf(&b, "%s%d", k++ ? "," : "", i);
			str_add(&b, "]");
		}
		free(grp);
	}
	str_add(&b, "]}");
	puts(b.s);
	str_fini(&b);
	return CLI_OK;
fail:
	str_fini(&b);
	cli_error("%s", err.msg[0] ? err.msg : "file vanished from the catalog");
	return CLI_FAIL;
}

static void line(const char *label, const char *value)
{
	printf("  %-10s ", label);
	str_fputs_safe(value, stdout);
	putchar('\n');
}

static int show_text(struct cat *c, int64_t id, int style, int ascii)
{
	struct gr_err err = { 0 };
	struct cat_cursor *cur;
	struct cat_file f;
	struct cat_region g;
	struct cat_result res;
	char buf[512], k[32], when[64];
	time_t t;
	int r, n_regions, bad = 0;

	if (cat_file_get(c, id, &f, &err) != 1) {
		cli_error("%s", err.msg[0] ? err.msg : "file vanished from the catalog");
		return CLI_FAIL;
	}
	str_fputs_safe(f.path, stdout);
	putchar('\n');
	t = (time_t)(isnan(f.analysed_at) ? 0 : f.analysed_at);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", localtime(&t));
	snprintf(buf, sizeof(buf), "%s%s, id %lld, analysed %s", cat_status_name(f.status),
	         f.missing ? " (missing on disk)" : "", (long long)f.id, when);
	line("status", buf);
	if (f.error[0])
		line("problem", f.error);
	if (f.status != CAT_ST_FAILED) {
		snprintf(buf, sizeof(buf), "%s %s, %d Hz, %d ch%s%s, %.2f s, %.1f MB", f.format,
		         f.codec, f.rate, f.channels, f.bits ? ", " : "",
		         f.bits ? (snprintf(k, sizeof(k), "%d bit", f.bits), k) : "", f.duration,
		         f.size / 1e6);
		line("audio", buf);
		snprintf(buf, sizeof(buf), "%.1f LUFS, LRA %.1f LU, peak %.1f dBFS", f.loudness,
		         f.lra, f.peak_db);
		line("loudness", buf);
		snprintf(buf, sizeof(buf), "%s (%.0f%%)", f.cls >= 0 ? an_class_name(f.cls) : "none",
		         isnan(f.cls_conf) ? 0 : f.cls_conf * 100);
		line("class", buf);
		if (f.key >= 0)
			snprintf(buf, sizeof(buf), "%s (%.0f%%)",
			         an_key_name(f.key, style, 0, k, sizeof(k)), f.key_conf * 100);
		else
			snprintf(buf, sizeof(buf), "none");
		line("key", buf);
		if (f.has_tempo)
			snprintf(buf, sizeof(buf), "%.1f BPM (%.0f%%)%s", f.bpm, f.bpm_conf * 100,
			         f.beats_per_bar ? (snprintf(k, sizeof(k), ", %d beats per bar",
			                                     f.beats_per_bar), k) : "");
		else
			snprintf(buf, sizeof(buf), "no steady tempo");
		line("tempo", buf);
	}
	line("tags", f.tags[0] ? f.tags : "-");
	n_regions = f.n_regions;
	show_waveform(c, id, f.duration, ascii);
	if (n_regions > 0) {
		printf("\n  %3s %9s %9s  %-10s %5s  %-6s %6s %7s  %s\n", "#", "START", "END",
		       "CLASS", "CONF", "KEY", "BPM", "LUFS", "TAGS");
		if ((cur = cat_regions_of(c, id, &err)) == NULL)
			goto fail;
		while ((r = cat_next_region(cur, &g, &err)) == 1) {
			printf("  %3d %9.3f %9.3f  %-10s %4.0f%%  %-6s ", g.idx, g.start, g.end,
			       g.cls >= 0 ? an_class_name(g.cls) : "-",
			       isnan(g.cls_conf) ? 0 : g.cls_conf * 100,
			       g.key >= 0 ? an_key_name(g.key, style, 1, k, sizeof(k)) : "-");
			if (g.has_tempo)
				printf("%6.1f", g.bpm);
			else
				printf("%6s", "-");
			printf(" %7.1f  ", g.loudness);
			str_fputs_safe(g.tags, stdout);
			putchar('\n');
		}
		cat_cursor_free(cur);
		if (r < 0)
			goto fail;
		if (show_patterns(c, id) != 0 || show_alike(c, id) != 0)
			return CLI_FAIL;
	}
	if ((cur = cat_results_of(c, id, &err)) == NULL)
		goto fail;
	while ((r = cat_next_result(cur, &res, &err)) == 1) {
		if (res.status == AN_OK)
			continue;
		if (bad++ == 0)
			printf("\n  plugin results that did not succeed:\n");
		printf("  region %d: %s %s", res.region_idx, res.plugin,
		       an_status_name(res.status));
		if (res.error[0]) {
			fputs(": ", stdout);
			str_fputs_safe(res.error, stdout);
		}
		putchar('\n');
	}
	cat_cursor_free(cur);
	if (r < 0)
		goto fail;
	return CLI_OK;
fail:
	cli_error("%s", err.msg);
	return CLI_FAIL;
}

static int show_run(struct cli_env *env, int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "json", no_argument, NULL, 'j' }, { NULL, 0, NULL, 0 },
	};
	struct cat *c;
	int64_t id;
	int json = 0, o, rc;

	optind = 0;   /* GNU: full reinitialisation after main's getopt */
	while ((o = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		if (o != 'j')
			return cli_usage_error(&cli_cmd_show, "unknown option");
		json = 1;
	}
	if (optind != argc - 1)
		return cli_usage_error(&cli_cmd_show, "give one file or id");
	if ((c = cli_catalog(env, 1)) == NULL)
		return CLI_FAIL;
	if (resolve(c, argv[optind], &id) != 0)
		rc = CLI_FAIL;
	else
		rc = json ? show_json(c, id) : show_text(c, id, cli_key_style(env), env->cfg.ascii);
	cat_close(c);
	return rc;
}

const struct cli_cmd cli_cmd_show = {
	.name = "show",
	.args = "FILE|ID [--json]",
	.summary = "everything the catalog knows about one file",
	.help = "  --json   one JSON object: the fields of `grym ls --json`, plus\n"
	        "           region_list (every region), results (every plugin run) and\n"
	        "           patterns (repeated sections: region, group, start, end, score)\n"
	        "           and alike_regions (groups of region indices that sound alike)\n",
	.run = show_run,
};
