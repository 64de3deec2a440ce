/*
 * patterns.c - `grym patterns [QUERY] [--json] [--tag] [--aspect A]
 * [--min-score S] [--max N]`: the regions a query selects, grouped into
 * kinds of sound (all the door slams, all the hi-hats), each group with a representative
 * (its medoid).  With --tag, each group becomes an automatic region tag
 * sound-01, sound-02 ... (replacing the previous run's), which a person
 * accepts or renames with `grym tag --accept` / `grym tag --rename`.
 *
 * Vectors: the similarity descriptors of plugin "simvec" (grym/similar.h)
 * compared under an aspect (overall by default) with the same calibrated
 * score as `grym similar` (1 = the same sound, ~0.1 unrelated); a region
 * joins a group when it scores at least --min-score against the group's
 * representative.  Catalogs analysed before simvec existed fall back to
 * the features plugin's descriptor vectors, standardised across the
 * selection, scored exp(-rms^2).  The distance given to the clustering is
 * 1 - score.
 * Costs: loading ~0.1 s per 20 000 regions; clustering O(n x groups)
 * distances (a few seconds at the 20 000-region cap in the worst case).
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grym/catalog.h"
#include "grym/cli.h"
#include "grym/similar.h"
#include "grym/util.h"
#include "patterns_int.h"

#define PAT_MAX_DEFAULT 20000     /* regions clustered at most */
#define PAT_MIN_SCORE 0.5         /* default least score against a representative */
#define PAT_PREFIX "sound-"       /* automatic tag names: sound-01 ... */

extern const struct cli_cmd cli_cmd_patterns;

/* How vectors are compared: simvec under an aspect, or features. */
struct pat_metric {
	int dim;                   /* AN_SIM_DIM or AN_FEAT_DIM */
	int aspect;                /* enum sim_aspect (simvec) */
	float w[AN_SIM_DIM];       /* the aspect's weights (simvec) */
};

static double dist_simvec(const float *a, const float *b, int dim, const void *arg)
{
	const struct pat_metric *m = arg;
	(void)dim;
	return 1.0 - sim_score(sim_dist2(a, b, m->w), m->aspect);
}

static double dist_features(const float *a, const float *b, int dim, const void *arg)
{
	double r = cli_dist_rms(a, b, dim, arg);
	return 1.0 - exp(-r * r);
}

/* Members of group g, representative first, then by distance to it. */
struct member {
	size_t i;
	double d;
};

static int by_dist(const void *pa, const void *pb)
{
	const struct member *a = pa, *b = pb;
	return a->d < b->d ? -1 : a->d > b->d;
}

static struct member *members_of(const struct cli_clusters *cl, const float *vec, size_t n,
                                 int g, cli_dist_fn dist, const struct pat_metric *mt,
                                 size_t *k)
{
	struct member *m = xmalloc((size_t)cl->size[g] * sizeof(*m));
	size_t j = 0, dim = (size_t)mt->dim;
	const float *med = vec + (size_t)cl->medoid[g] * dim;

	for (size_t i = 0; i < n && j < (size_t)cl->size[g]; i++)
		if (cl->label[i] == g)
			m[j++] = (struct member){ i, dist(vec + i * dim, med, mt->dim, mt) };
	qsort(m, j, sizeof(*m), by_dist);
	*k = j;
	return m;
}

static void sound_json(struct str *b, const struct cat_sound *s)
{
	str_addf(b, "{\"region_id\":%lld,\"file_id\":%lld,\"path\":", (long long)s->region_id,
	         (long long)s->file_id);
	str_add_json(b, s->path);
	str_addf(b, ",\"region\":%d,\"start\":%.4f,\"end\":%.4f", s->idx, s->start, s->end);
}

static void print_sound(const struct cat_sound *s)
{
	str_fputs_safe(s->path, stdout);
	printf("  region %d (%.2f-%.2f s)\n", s->idx, s->start, s->end);
}

/* Name groups sound-01...: numbers whose name a person already owns
 * (accepted earlier) are skipped.  names[g] is a new string. */
static int name_groups(struct cat *c, int n, char **names, struct gr_err *err)
{
	int next = 1;
	for (int g = 0; g < n; g++) {
		for (;;) {
			char buf[32];
			int r;
			snprintf(buf, sizeof(buf), PAT_PREFIX "%02d", next++);
			if ((r = cat_tag_user_linked(c, buf, err)) < 0)
				return r;
			if (r == 0) {
				names[g] = xstrdup(buf);
				break;
			}
		}
	}
	return 0;
}

static int write_tags(struct cat *c, const struct cli_clusters *cl,
                      const struct cat_sound *s, size_t n, char **names, struct gr_err *err)
{
	int64_t *ids = xmalloc((n ? n : 1) * sizeof(*ids));
	const char **nm = xmalloc((n ? n : 1) * sizeof(*nm));
	size_t k = 0;
	int r;

	for (size_t i = 0; i < n; i++)
		if (cl->label[i] >= 0) {
			ids[k] = s[i].region_id;
			nm[k++] = names[cl->label[i]];
		}
	r = cat_cluster_tags_set(c, PAT_PREFIX, ids, nm, k, err);
	free(nm);
	free(ids);
	return r;
}

static void report_json(const struct cli_clusters *cl, const struct cat_sound *s,
                        const float *vec, size_t n, int64_t total, char **names,
                        cli_dist_fn dist, const struct pat_metric *mt)
{
	struct str b;
	size_t alone = 0;

	for (size_t i = 0; i < n; i++)
		alone += cl->label[i] < 0;
	str_init(&b);
	str_addf(&b, "{\"regions\":%zu,\"matched\":%lld,\"capped\":%s,\"alone\":%zu,"
	         "\"vectors\":\"%s\",\"aspect\":\"%s\",\"groups\":[", n, (long long)total,
	         (int64_t)n < total ? "true" : "false", alone,
	         mt->dim == AN_SIM_DIM ? "simvec" : "features",
	         mt->dim == AN_SIM_DIM ? sim_aspect_name(mt->aspect) : "overall");
	for (int g = 0; g < cl->n; g++) {
		size_t k;
		struct member *m = members_of(cl, vec, n, g, dist, mt, &k);
		str_addf(&b, "%s{\"name\":", g ? "," : "");
		str_add_json(&b, names[g]);
		str_addf(&b, ",\"size\":%d,\"representative\":", cl->size[g]);
		sound_json(&b, &s[cl->medoid[g]]);
		str_add(&b, "},\"members\":[");
		for (size_t j = 0; j < k; j++) {
			str_add(&b, j ? "," : "");
			sound_json(&b, &s[m[j].i]);
			str_addf(&b, ",\"score\":%.4f}", 1.0 - m[j].d);
		}
		str_add(&b, "]}");
		free(m);
	}
	str_add(&b, "]}");
	puts(b.s);
	str_fini(&b);
}

static void report_text(const struct cli_clusters *cl, const struct cat_sound *s,
                        const float *vec, size_t n, int64_t total, char **names, int tagged,
                        cli_dist_fn dist, const struct pat_metric *mt)
{
	size_t alone = 0;

	for (size_t i = 0; i < n; i++)
		alone += cl->label[i] < 0;
	if ((int64_t)n < total)
		printf("clustered the first %zu of %lld matching regions (raise --max to see "
		       "more)\n", n, (long long)total);
	printf("%d group%s of like sounds among %zu regions (%zu alone)%s\n", cl->n,
	       cl->n == 1 ? "" : "s", n, alone, tagged ? ", tagged" : "");
	for (int g = 0; g < cl->n; g++) {
		size_t k;
		struct member *m = members_of(cl, vec, n, g, dist, mt, &k);
		printf("\n  %s  %d regions, like: ", names[g], cl->size[g]);
		print_sound(&s[cl->medoid[g]]);
		for (size_t j = 1; j < k && j < 4; j++) {
			printf("      ");
			print_sound(&s[m[j].i]);
		}
		if (k > 4)
			printf("      ... and %zu more\n", k - 4);
		free(m);
	}
}

static int patterns_run(struct cli_env *env, int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "json", no_argument, NULL, 'j' }, { "tag", no_argument, NULL, 't' },
		{ "min-score", required_argument, NULL, 'S' },
		{ "aspect", required_argument, NULL, 'a' },
		{ "max", required_argument, NULL, 'm' }, { NULL, 0, NULL, 0 },
	};
	struct gr_err err = { 0 };
	struct cat_query *q = NULL;
	struct cat *c = NULL;
	struct cat_sound *s = NULL;
	struct cli_clusters cl = { 0 };
	float *vec = NULL;
	char **names = NULL, *end;
	size_t n = 0;
	int64_t total = 0;
	double min_score = PAT_MIN_SCORE;
	struct pat_metric mt = { .dim = AN_SIM_DIM, .aspect = SIM_OVERALL };
	cli_dist_fn dist = dist_simvec;
	long max = PAT_MAX_DEFAULT;
	int json = 0, tag = 0, o, rc = CLI_FAIL;

	optind = 0;
	while ((o = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (o) {
		case 'j': json = 1; break;
		case 't': tag = 1; break;
		case 'S':
			min_score = strtod(optarg, &end);
			if (*end != '\0' || !(min_score > 0) || !(min_score < 1))
				return cli_usage_error(&cli_cmd_patterns,
				                       "--min-score takes a number between 0 and 1");
			break;
		case 'a':
			if ((mt.aspect = sim_aspect_parse(optarg)) < 0)
				return cli_usage_error(&cli_cmd_patterns, "unknown aspect '%s' (overall, "
				                       "timbre, spectrum, pitch, rhythm, loudness)", optarg);
			break;
		case 'm':
			max = strtol(optarg, &end, 10);
			if (*end != '\0' || max <= 0 || max > 1000000)
				return cli_usage_error(&cli_cmd_patterns,
				                       "--max takes a number of regions (1..1000000)");
			break;
		default:
			return cli_usage_error(&cli_cmd_patterns, "unknown option");
		}
	}
	if (optind < argc - 1)
		return cli_usage_error(&cli_cmd_patterns, "give one query (quote several words)");
	if (optind == argc - 1 && (q = cli_query(argv[optind])) == NULL)
		return CLI_USAGE;
	if ((c = cli_catalog(env, 1)) == NULL)
		goto out;
	sim_weights(mt.aspect, mt.w);
	if (cat_sounds_load(c, q, CAT_VEC_SIMVEC, (size_t)max, &s, &n, &total, &err) < 0)
		goto fail;
	if (n == 0) {   /* analysed before simvec existed: the descriptor vectors */
		if (cat_sounds_load(c, q, CAT_VEC_FEATURES, (size_t)max, &s, &n, &total, &err) < 0)
			goto fail;
		if (n > 0)
			fprintf(stderr, "grym: no similarity vectors in this catalog yet (scanning "
			        "its folders again adds them); grouping by the descriptor vectors\n");
		mt.dim = AN_FEAT_DIM;
		dist = dist_features;
	}
	if (n == 0) {
		cli_error("no analysed regions match%s", q ? " the query" : "; scan some files first");
		goto out;
	}
	vec = xmalloc(n * (size_t)mt.dim * sizeof(*vec));
	for (size_t i = 0; i < n; i++)
		memcpy(vec + i * (size_t)mt.dim, s[i].vec, (size_t)mt.dim * sizeof(float));
	if (dist == dist_features)
		cli_standardise(vec, n, mt.dim, 0.5f);
	cli_cluster(vec, n, mt.dim, 1.0 - min_score, dist, &mt, &cl);
	names = xcalloc((size_t)(cl.n ? cl.n : 1), sizeof(*names));
	if (name_groups(c, cl.n, names, &err) < 0 ||
	    (tag && write_tags(c, &cl, s, n, names, &err) < 0))
		goto fail;
	if (json)
		report_json(&cl, s, vec, n, total, names, dist, &mt);
	else
		report_text(&cl, s, vec, n, total, names, tag, dist, &mt);
	rc = CLI_OK;
	goto out;
fail:
	cli_error("%s", err.msg);
out:
	for (int g = 0; names != NULL && g < cl.n; g++)
		free(names[g]);
	free(names);
	cli_clusters_fini(&cl);
	free(vec);
	cat_sounds_free(s, n);
	cat_close(c);
	cat_query_free(q);
	return rc;
}

const struct cli_cmd cli_cmd_patterns = {
	.name = "patterns",
	.args = "[QUERY] [--json] [--tag] [--aspect A] [--min-score S] [--max N]",
	.summary = "group the regions a query selects into kinds of sound",
	.help = "  --json         one JSON object: groups with their representative and\n"
	        "                 members (with the distance to the representative)\n"
	        "  --tag          tag each group's regions with an automatic tag\n"
	        "                 sound-01, sound-02 ... (replacing the last run's);\n"
	        "                 keep one with `grym tag --accept sound-01`, or name\n"
	        "                 it with `grym tag --rename sound-01 door-slam`\n"
	        "  --aspect A     what must be alike, as for `grym similar`: overall\n"
	        "                 (default), timbre, spectrum, pitch, rhythm, loudness\n"
	        "  --min-score S  least score (0..1, as `grym similar` prints) against\n"
	        "                 the group's representative (default 0.5; higher makes\n"
	        "                 tighter groups)\n"
	        "  --max N        cluster at most N regions (default 20000)\n"
	        "\nExamples:\n"
	        "  grym patterns 'class:effect dur:<2s'\n"
	        "  grym patterns --tag && grym ls --regions tag:sound-01\n",
	.run = patterns_run,
};
