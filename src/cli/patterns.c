/*
 * patterns.c - `grym patterns [QUERY] [--json] [--tag] [--threshold X]
 * [--max N]`: the regions a query selects, grouped into kinds of sound
 * (all the door slams, all the hi-hats), each group with a representative
 * (its medoid).  With --tag, each group becomes an automatic region tag
 * sound-01, sound-02 ... (replacing the previous run's), which a person
 * accepts or renames with `grym tag --accept` / `grym tag --rename`.
 *
 * Vectors: the stored descriptor vectors (features plugin, corpus
 * z-scores), standardised again across the selection, compared by RMS
 * difference (cli_dist_rms); the distance is a parameter of the
 * clustering, so other vectors can replace it.
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
#include "grym/util.h"
#include "patterns_int.h"

#define PAT_MAX_DEFAULT 20000     /* regions clustered at most */
#define PAT_THRESHOLD 1.0         /* RMS z-units: default greatest distance to a medoid */
#define PAT_PREFIX "sound-"       /* automatic tag names: sound-01 ... */

extern const struct cli_cmd cli_cmd_patterns;

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
                                 int g, size_t *k)
{
	struct member *m = xmalloc((size_t)cl->size[g] * sizeof(*m));
	size_t j = 0;
	const float *med = vec + (size_t)cl->medoid[g] * AN_FEAT_DIM;

	for (size_t i = 0; i < n && j < (size_t)cl->size[g]; i++)
		if (cl->label[i] == g)
			m[j++] = (struct member){ i, cli_dist_rms(vec + i * AN_FEAT_DIM, med,
			                                          AN_FEAT_DIM, NULL) };
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
                        const float *vec, size_t n, int64_t total, char **names)
{
	struct str b;
	size_t alone = 0;

	for (size_t i = 0; i < n; i++)
		alone += cl->label[i] < 0;
	str_init(&b);
	str_addf(&b, "{\"regions\":%zu,\"matched\":%lld,\"capped\":%s,\"alone\":%zu,"
	         "\"groups\":[", n, (long long)total, (int64_t)n < total ? "true" : "false",
	         alone);
	for (int g = 0; g < cl->n; g++) {
		size_t k;
		struct member *m = members_of(cl, vec, n, g, &k);
		str_addf(&b, "%s{\"name\":", g ? "," : "");
		str_add_json(&b, names[g]);
		str_addf(&b, ",\"size\":%d,\"representative\":", cl->size[g]);
		sound_json(&b, &s[cl->medoid[g]]);
		str_add(&b, "},\"members\":[");
		for (size_t j = 0; j < k; j++) {
			str_add(&b, j ? "," : "");
			sound_json(&b, &s[m[j].i]);
			str_addf(&b, ",\"distance\":%.4f}", m[j].d);
		}
		str_add(&b, "]}");
		free(m);
	}
	str_add(&b, "]}");
	puts(b.s);
	str_fini(&b);
}

static void report_text(const struct cli_clusters *cl, const struct cat_sound *s,
                        const float *vec, size_t n, int64_t total, char **names, int tagged)
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
		struct member *m = members_of(cl, vec, n, g, &k);
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
		{ "threshold", required_argument, NULL, 'T' },
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
	double threshold = PAT_THRESHOLD;
	long max = PAT_MAX_DEFAULT;
	int json = 0, tag = 0, o, rc = CLI_FAIL;

	optind = 0;
	while ((o = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (o) {
		case 'j': json = 1; break;
		case 't': tag = 1; break;
		case 'T':
			threshold = strtod(optarg, &end);
			if (*end != '\0' || !(threshold > 0) || threshold > 100)
				return cli_usage_error(&cli_cmd_patterns,
				                       "--threshold takes a number above 0");
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
	if (cat_sounds_load(c, q, (size_t)max, &s, &n, &total, &err) < 0) {
		cli_error("%s", err.msg);
		goto out;
	}
	if (n == 0) {
		cli_error("no analysed regions match%s", q ? " the query" : "; scan some files first");
		goto out;
	}
	vec = xmalloc(n * AN_FEAT_DIM * sizeof(*vec));
	for (size_t i = 0; i < n; i++)
		memcpy(vec + i * AN_FEAT_DIM, s[i].vec, sizeof(s[i].vec));
	cli_standardise(vec, n, AN_FEAT_DIM, 0.5f);
	cli_cluster(vec, n, AN_FEAT_DIM, threshold, cli_dist_rms, NULL, &cl);
	names = xcalloc((size_t)(cl.n ? cl.n : 1), sizeof(*names));
	if (name_groups(c, cl.n, names, &err) < 0 ||
	    (tag && write_tags(c, &cl, s, n, names, &err) < 0)) {
		cli_error("%s", err.msg);
		goto out;
	}
	if (json)
		report_json(&cl, s, vec, n, total, names);
	else
		report_text(&cl, s, vec, n, total, names, tag);
	rc = CLI_OK;
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
	.args = "[QUERY] [--json] [--tag] [--threshold X] [--max N]",
	.summary = "group the regions a query selects into kinds of sound",
	.help = "  --json         one JSON object: groups with their representative and\n"
	        "                 members (with the distance to the representative)\n"
	        "  --tag          tag each group's regions with an automatic tag\n"
	        "                 sound-01, sound-02 ... (replacing the last run's);\n"
	        "                 keep one with `grym tag --accept sound-01`, or name\n"
	        "                 it with `grym tag --rename sound-01 door-slam`\n"
	        "  --threshold X  how far a sound may be from its group's representative\n"
	        "                 (RMS of standardised descriptors; default 1.0: lower\n"
	        "                 makes tighter groups)\n"
	        "  --max N        cluster at most N regions (default 20000)\n"
	        "\nExamples:\n"
	        "  grym patterns 'class:effect dur:<2s'\n"
	        "  grym patterns --tag && grym ls --regions tag:sound-01\n",
	.run = patterns_run,
};
