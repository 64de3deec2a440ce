/*
 * similar.c - `grym similar ID|FILE[:REGION] [-n N] [--aspect A] [QUERY]
 * [--json]`: the regions of the catalog that sound most like one region.
 *
 * The target is a region id (as `grym ls --regions` prints), or a file
 * with an optional region index (FILE:2; the first region without one).
 * A file in the catalog uses its stored vector; any other readable audio
 * file is analysed on the spot (all core plugins, as a scan would), so a
 * sound not yet in the library can be the question.  QUERY (the catalog
 * query language) restricts the answers, e.g. `class:percussion`.
 *
 * Costs: loading every vector (~1 s per million regions), one exact
 * search (grym/similar.h), then one row lookup per result.
 */
#include <ctype.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grym/catalog.h"
#include "grym/cli.h"
#include "grym/similar.h"
#include "grym/util.h"

extern const struct cli_cmd cli_cmd_similar;

struct target {
	int64_t region;            /* region id in the catalog, 0 if not there */
	char path[PATH_MAX];       /* the file, "" for a bare id */
	int idx;                   /* region index in the file */
	float vec[AN_SIM_DIM];
};

static int all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* An absolute path for arg (realpath if it exists). */
static void abs_path(const char *arg, char *out, size_t n)
{
	char cwd[PATH_MAX];

	if (realpath(arg, out) != NULL)
		return;
	if (arg[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
		snprintf(out, n, "%s", arg);
	else
		snprintf(out, n, "%s/%s", cwd, arg);
}

/* A file that is not in the catalog (or has no vector): analyse it now. */
static int analyse_target(struct cli_env *env, struct target *t)
{
	struct gr_err err = { 0 };
	struct an_engine *e = an_engine_new(NULL, 0, 0, &err);
	struct an_file f;
	int rc = -1;

	if (e == NULL) {
		cli_error("%s", err.msg);
		return -1;
	}
	if (an_analyze_file(t->path, &env->cfg, e, &f, &err) != 0) {
		cli_error("%s", err.msg);
		an_engine_free(e);
		return -1;
	}
	if (f.n_regions == 0)
		cli_error("%s: no sound in it (all silence)", t->path);
	else if (t->idx >= f.n_regions)
		cli_error("%s: has %d regions (0..%d); no region %d", t->path, f.n_regions,
		          f.n_regions - 1, t->idx);
	else if (!f.regions[t->idx].has_simvec)
		cli_error("%s: region %d could not be described", t->path, t->idx);
	else {
		memcpy(t->vec, f.regions[t->idx].simvec.vec, sizeof(t->vec));
		rc = 0;
	}
	an_file_fini(&f);
	an_engine_free(e);
	return rc;
}

/* The region id of file_id's region idx: 1 found, 0 not, -1 error. */
static int region_of(struct cat *c, int64_t file_id, int idx, int64_t *id, int *n)
{
	struct gr_err err = { 0 };
	struct cat_cursor *cur = cat_regions_of(c, file_id, &err);
	struct cat_region g;
	int r, found = 0;

	*n = 0;
	if (cur == NULL) {
		cli_error("%s", err.msg);
		return -1;
	}
	while ((r = cat_next_region(cur, &g, &err)) == 1) {
		if (g.idx == idx) {
			*id = g.id;
			found = 1;
		}
		(*n)++;
	}
	cat_cursor_free(cur);
	if (r < 0) {
		cli_error("%s", err.msg);
		return -1;
	}
	return found;
}

/* The file and index of region t->region: 1, 0 if gone, -1 on error. */
static int region_path(struct cat *c, struct target *t)
{
	struct gr_err err = { 0 };
	struct cat_query *q;
	struct cat_cursor *cur;
	struct cat_region g;
	char text[48];
	int r;

	snprintf(text, sizeof(text), "id:%lld", (long long)t->region);
	if ((q = cat_query_parse(text, NULL, &err)) == NULL)
		return -1;
	cur = cat_find(c, q, CAT_REGIONS, 1, &err);
	r = cur != NULL ? cat_next_region(cur, &g, &err) : -1;
	if (r == 1) {
		str_lcpy(t->path, g.path, sizeof(t->path));
		t->idx = g.idx;
	}
	cat_cursor_free(cur);
	cat_query_free(q);
	if (r < 0)
		cli_error("%s", err.msg);
	return r < 0 ? -2 : r;
}

static int resolve(struct cli_env *env, struct cat *c, const char *arg, struct target *t)
{
	struct gr_err err = { 0 };
	struct stat sb;
	char file[PATH_MAX];
	const char *colon;
	int64_t fid;
	int r, n;

	memset(t, 0, sizeof(*t));
	if (all_digits(arg) && strlen(arg) < 19 && stat(arg, &sb) != 0) {
		t->region = strtoll(arg, NULL, 10);
		r = cat_simvec_get(c, t->region, t->vec, &err);
		if (r == 1)
			r = region_path(c, t);
		if (r == -1)
			cli_error("%s", err.msg);
		else if (r == 0)
			cli_error("region %s: not in the catalog, or analysed without the similarity "
			          "descriptor (scan again: grym scan --force DIR)", arg);
		return r == 1 ? 0 : -1;
	}
	/* FILE:N unless the whole argument names a file */
	snprintf(file, sizeof(file), "%s", arg);
	colon = strrchr(arg, ':');
	if (colon != NULL && all_digits(colon + 1) && strlen(colon + 1) < 9 &&
	    stat(arg, &sb) != 0) {
		file[colon - arg] = '\0';
		t->idx = atoi(colon + 1);
	}
	abs_path(file, t->path, sizeof(t->path));
	r = cat_file_find(c, t->path, &fid, &err);
	if (r < 0) {
		cli_error("%s", err.msg);
		return -1;
	}
	if (r == 1) {
		r = region_of(c, fid, t->idx, &t->region, &n);
		if (r < 0)
			return -1;
		if (r == 0) {
			cli_error("%s: has %d regions in the catalog; no region %d", file, n, t->idx);
			return -1;
		}
		r = cat_simvec_get(c, t->region, t->vec, &err);
		if (r == 1)
			return 0;
		if (r < 0) {
			cli_error("%s", err.msg);
			return -1;
		}
		t->region = 0;    /* analysed by an older grym: describe it now */
	}
	if (stat(t->path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		cli_error("%s: no such file, and not a region id", file);
		return -1;
	}
	return analyse_target(env, t);
}

static void put_text(const struct cat_region *g, const struct sim_hit *h, int rank,
                     int is_target)
{
	printf("%3d  %5.3f  %7lld  ", rank, h->score, (long long)g->id);
	str_fputs_safe(g->path, stdout);
	printf(":%d  %.2f..%.2f s  %s%s\n", g->idx, g->start, g->end,
	       g->cls >= 0 ? an_class_name(g->cls) : "-", is_target ? "  (the target)" : "");
}

static int report(struct cat *c, const struct target *t, int aspect, const struct sim_hit *h,
                  size_t nh, int json)
{
	struct gr_err err = { 0 };
	struct str b;
	int rc = CLI_OK;

	str_init(&b);
	if (json) {
		str_add(&b, "{\"target\":{\"region\":");
		if (t->region > 0)
			str_addf(&b, "%lld", (long long)t->region);
		else
			str_add(&b, "null");
		str_add(&b, ",\"path\":");
		if (t->path[0])
			str_add_json(&b, t->path);
		else
			str_add(&b, "null");
		str_addf(&b, ",\"idx\":%d,\"in_catalog\":%s},\"aspect\":\"%s\",\"results\":[",
		         t->idx, t->region > 0 ? "true" : "false",
		         sim_aspect_name(aspect));
	} else if (isatty(1)) {
		/* a header for people; scripts get the bare rows */
		printf("%3s  %5s  %7s  %s (%s)\n", "#", "SCORE", "ID", "FILE:REGION  TIME  CLASS",
		       sim_aspect_name(aspect));
	}
	for (size_t i = 0; i < nh; i++) {
		char text[48];
		struct cat_query *q;
		struct cat_cursor *cur;
		struct cat_region g;
		int r;

		snprintf(text, sizeof(text), "id:%lld", (long long)h[i].id);
		q = cat_query_parse(text, NULL, &err);
		cur = q != NULL ? cat_find(c, q, CAT_REGIONS, 1, &err) : NULL;
		r = cur != NULL ? cat_next_region(cur, &g, &err) : -1;
		if (r == 1 && json) {
			if (i > 0)
				str_add(&b, ",");
			cat_region_json(&g, &b);
			b.len--;              /* reopen the object */
			str_addf(&b, ",\"rank\":%zu,\"score\":%.6f,\"distance\":%.6g}", i + 1,
			         h[i].score, sqrt(h[i].d2));
		} else if (r == 1) {
			put_text(&g, &h[i], (int)i + 1, h[i].id == t->region);
		}
		cat_cursor_free(cur);
		cat_query_free(q);
		if (r < 0) {
			cli_error("%s", err.msg);
			rc = CLI_FAIL;
			break;
		}
	}
	if (json && rc == CLI_OK) {
		str_add(&b, "]}");
		puts(b.s);
	}
	str_fini(&b);
	return rc;
}

static int similar_run(struct cli_env *env, int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "aspect", required_argument, NULL, 'a' },
		{ "count", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct gr_err err = { 0 };
	struct target t;
	struct cat *c = NULL;
	struct cat_query *q = NULL;
	struct sim_index *x = NULL;
	struct sim_hit *hits = NULL;
	unsigned char *mask = NULL;
	struct str text;
	int json = 0, aspect = SIM_OVERALL, o, rc = CLI_FAIL;
	long n = 10;
	size_t nh;
	char *end;

	optind = 0;
	while ((o = getopt_long(argc, argv, "+n:a:", lopts, NULL)) != -1) {
		switch (o) {
		case 'j':
			json = 1;
			break;
		case 'a':
			if ((aspect = sim_aspect_parse(optarg)) < 0)
				return cli_usage_error(&cli_cmd_similar, "--aspect wants one of overall, "
				                       "timbre, spectrum, pitch, rhythm, loudness");
			break;
		case 'n':
			n = strtol(optarg, &end, 10);
			if (*end != '\0' || n < 1 || n > 100000)
				return cli_usage_error(&cli_cmd_similar, "-n wants a count 1..100000");
			break;
		default:
			return cli_usage_error(&cli_cmd_similar, "unknown option");
		}
	}
	if (optind >= argc)
		return cli_usage_error(&cli_cmd_similar, "give a region id or a file");
	/* the words after the target are a query; options may follow them */
	str_init(&text);
	for (int i = optind + 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = 1;
			continue;
		}
		if ((!strcmp(argv[i], "-n") || !strcmp(argv[i], "--aspect")) && i + 1 < argc) {
			if (argv[i][1] == 'n') {
				n = strtol(argv[++i], &end, 10);
				if (*end != '\0' || n < 1 || n > 100000) {
					str_fini(&text);
					return cli_usage_error(&cli_cmd_similar, "-n wants a count 1..100000");
				}
			} else if ((aspect = sim_aspect_parse(argv[++i])) < 0) {
				str_fini(&text);
				return cli_usage_error(&cli_cmd_similar, "--aspect wants one of overall, "
				                       "timbre, spectrum, pitch, rhythm, loudness");
			}
			continue;
		}
		if (text.len)
			str_add(&text, " ");
		str_add(&text, argv[i]);
	}
	if (text.len > 0 && (q = cli_query(text.s)) == NULL) {
		str_fini(&text);
		return CLI_USAGE;
	}
	str_fini(&text);
	if ((c = cli_catalog(env, 1)) == NULL)
		goto out;
	if (resolve(env, c, argv[optind], &t) != 0)
		goto out;
	if ((x = sim_index_load(c, &err)) == NULL) {
		cli_error("%s", err.msg);
		goto out;
	}
	if (sim_index_count(x) == 0) {
		cli_error("no region in the catalog has a similarity descriptor yet; "
		          "scan with this grym (grym scan --force DIR)");
		goto out;
	}
	if (q != NULL && (mask = sim_mask_query(x, c, q, NULL, &err)) == NULL) {
		cli_error("%s", err.msg);
		goto out;
	}
	hits = xcalloc((size_t)n, sizeof(*hits));
	nh = sim_search(x, t.vec, aspect, mask, (size_t)n, hits);
	rc = report(c, &t, aspect, hits, nh, json);
out:
	free(hits);
	free(mask);
	sim_index_free(x);
	cat_query_free(q);
	cat_close(c);
	return rc;
}

const struct cli_cmd cli_cmd_similar = {
	.name = "similar",
	.args = "ID|FILE[:REGION] [-n N] [--aspect A] [QUERY] [--json]",
	.summary = "the regions that sound most like one region",
	.help =
	"  ID               a region id (grym ls --regions shows them)\n"
	"  FILE[:REGION]    a file's region (0-based; the first without :N); a file\n"
	"                   not in the catalog is analysed on the spot\n"
	"  -n N             how many (default 10); the target itself comes first\n"
	"  --aspect A       what must be alike: overall (default), timbre (any pitch),\n"
	"                   spectrum, pitch, rhythm, loudness\n"
	"  QUERY            only regions matching it, e.g. class:percussion tag:kick\n"
	"  --json           {target, aspect, results: [region fields + rank, score,\n"
	"                   distance]}\n"
	"Scores: 1.0 is the same sound; unrelated sounds score about 0.1 or less.\n"
	"Example: grym similar kick.wav --aspect timbre class:percussion -n 20\n",
	.run = similar_run,
};
