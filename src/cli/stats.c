/*
 * stats.c - `grym stats [--json]`: what the catalog holds: files, regions,
 * hours of audio, classes, keys, tempo, failures, missing files, size.
 */
#include <stdio.h>
#include <string.h>

#include "grym/catalog.h"
#include "grym/cli.h"
#include "grym/util.h"

extern const struct cli_cmd cli_cmd_stats;

static void print_json(const struct cat_stats *s, int style)
{
	char k[16];

	printf("{\"files\":%lld,\"regions\":%lld,\"audio_s\":%.3f,\"failed\":%lld,"
	       "\"partial\":%lld,\"missing\":%lld,\"tags\":%lld,\"roots\":%lld,"
	       "\"with_tempo\":%lld,\"jobs_queued\":%lld,\"jobs_running\":%lld,"
	       "\"db_bytes\":%lld,\"classes\":{",
	       (long long)s->files, (long long)s->regions, s->audio_s, (long long)s->failed,
	       (long long)s->partial, (long long)s->missing, (long long)s->tags,
	       (long long)s->roots, (long long)s->with_tempo, (long long)s->jobs_queued,
	       (long long)s->jobs_running, (long long)s->db_bytes);
	for (int i = 0; i < AN_NCLASS; i++)
		printf("%s\"%s\":%lld", i ? "," : "", an_class_name(i), (long long)s->by_class[i]);
	printf(",\"none\":%lld},\"keys\":{", (long long)s->no_class);
	for (int i = 0; i < 24; i++)
		printf("%s\"%s\":%lld", i ? "," : "", an_key_name(i, style, 1, k, sizeof(k)),
		       (long long)s->by_key[i]);
	printf(",\"none\":%lld}}\n", (long long)s->no_key);
}

static void print_text(const struct cat_stats *s, int style, const char *path)
{
	int64_t analysed = s->files - s->failed;
	char k[16];
	int n = 0;

	printf("catalog   ");
	str_fputs_safe(path, stdout);
	printf(" (%.1f MB)\n", s->db_bytes / 1e6);
	printf("files     %lld (%lld analysed, %lld failed, %lld partial, %lld missing on disk)\n",
	       (long long)s->files, (long long)analysed, (long long)s->failed,
	       (long long)s->partial, (long long)s->missing);
	printf("regions   %lld\n", (long long)s->regions);
	printf("audio     %.2f hours\n", s->audio_s / 3600);
	printf("roots     %lld, tags %lld, tempo found in %lld files\n", (long long)s->roots,
	       (long long)s->tags, (long long)s->with_tempo);
	if (s->jobs_queued + s->jobs_running > 0)
		printf("jobs      %lld queued, %lld running\n", (long long)s->jobs_queued,
		       (long long)s->jobs_running);
	printf("classes  ");
	for (int i = 0; i < AN_NCLASS; i++)
		if (s->by_class[i] > 0)
			printf(" %s %lld", an_class_name(i), (long long)s->by_class[i]);
	if (s->no_class > 0)
		printf(" none %lld", (long long)s->no_class);
	printf("\nkeys     ");
	for (int i = 0; i < 24; i++)
		if (s->by_key[i] > 0) {
			printf(" %s %lld", an_key_name(i, style, 1, k, sizeof(k)),
			       (long long)s->by_key[i]);
			if (++n % 8 == 0 && i < 23)
				printf("\n         ");
		}
	printf(" none %lld\n", (long long)s->no_key);
}

static int stats_run(struct cli_env *env, int argc, char **argv)
{
	struct gr_err err = { 0 };
	struct cat_stats s;
	struct cat *c;
	int json = argc == 2 && !strcmp(argv[1], "--json");

	if (argc > 2 || (argc == 2 && !json))
		return cli_usage_error(&cli_cmd_stats, "unexpected argument");
	if ((c = cli_catalog(env, 1)) == NULL)
		return CLI_FAIL;
	if (cat_stats(c, &s, &err) != 0) {
		cli_error("%s", err.msg);
		cat_close(c);
		return CLI_FAIL;
	}
	if (json)
		print_json(&s, cli_key_style(env));
	else
		print_text(&s, cli_key_style(env), cat_path(c));
	cat_close(c);
	return CLI_OK;
}

const struct cli_cmd cli_cmd_stats = {
	.name = "stats",
	.args = "[--json]",
	.summary = "counts, hours of audio, classes, keys, failures, catalog size",
	.help = "  --json   the same as one JSON object\n",
	.run = stats_run,
};
