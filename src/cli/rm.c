/*
 * rm.c - `grym rm ID|QUERY [--all]`: remove files from the catalog (their
 * regions, results, tags and jobs).  Files on disk are never touched.
 */
#include <stdio.h>
#include <string.h>

#include "grym/catalog.h"
#include "grym/cli.h"
#include "grym/util.h"

extern const struct cli_cmd cli_cmd_rm;

static int rm_run(struct cli_env *env, int argc, char **argv)
{
	struct gr_err err = { 0 };
	struct cat_query *q;
	struct cat *c;
	const char *query = NULL;
	int all = 0, rc = CLI_FAIL;
	int64_t n;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--all"))
			all = 1;
		else if (query == NULL)
			query = argv[i];
		else
			return cli_usage_error(&cli_cmd_rm, "one id or query (quote it)");
	}
	if (query == NULL && !all)
		return cli_usage_error(&cli_cmd_rm, "give an id or a query (or --all)");
	if (query != NULL && query[strspn(query, " \t")] == '\0' && !all)
		return cli_usage_error(&cli_cmd_rm, "an empty query matches everything; "
		                       "use --all to mean it");
	if ((q = cli_query(query != NULL ? query : "")) == NULL)
		return CLI_USAGE;
	if ((c = cli_catalog(env, 1)) != NULL) {
		n = cat_rm(c, q, &err);
		if (n < 0) {
			cli_error("%s", err.msg);
		} else if (n == 0) {
			cli_error("nothing matched");
		} else {
			printf("removed %lld files from the catalog (files on disk are untouched)\n",
			       (long long)n);
			rc = CLI_OK;
		}
		cat_close(c);
	}
	cat_query_free(q);
	return rc;
}

const struct cli_cmd cli_cmd_rm = {
	.name = "rm",
	.args = "ID|QUERY [--all]",
	.summary = "remove files from the catalog (never from disk)",
	.help = "  --all   allow an empty query (forget every file)\n"
	        "\nExamples:\n"
	        "  grym rm 42\n"
	        "  grym rm status:missing\n",
	.run = rm_run,
};
