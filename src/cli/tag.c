/*
 * tag.c - `grym tag ID|QUERY [--regions] +name -name ...`: add and remove
 * user tags on every file (or region) a query matches, in one transaction.
 * `grym tag --accept NAME` makes an automatic tag (a class, a cluster of
 * `grym patterns --tag`) the user's; `grym tag --rename OLD NEW` renames a
 * tag (its links become the user's).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grym/catalog.h"
#include "grym/cli.h"
#include "grym/util.h"

extern const struct cli_cmd cli_cmd_tag;

/* --accept NAME, --rename OLD NEW */
static int tag_manage(struct cli_env *env, int argc, char **argv)
{
	struct gr_err err = { 0 };
	int accept = !strcmp(argv[1], "--accept"), rc = CLI_FAIL;
	struct cat *c;
	int64_t n;

	if (argc != (accept ? 3 : 4))
		return cli_usage_error(&cli_cmd_tag, accept ? "--accept takes one tag name" :
		                       "--rename takes the old and the new name");
	for (int i = 2; i < argc; i++)
		if (!cat_tag_valid(argv[i]))
			return cli_usage_error(&cli_cmd_tag, "'%s' is not a valid tag name", argv[i]);
	if ((c = cli_catalog(env, 1)) == NULL)
		return CLI_FAIL;
	n = accept ? cat_tag_accept(c, argv[2], &err) : cat_tag_rename(c, argv[2], argv[3], &err);
	if (n < 0) {
		cli_error("%s", err.msg);
	} else {
		fputs(accept ? "accepted " : "renamed ", stdout);
		str_fputs_safe(argv[2], stdout);
		if (!accept) {
			fputs(" to ", stdout);
			str_fputs_safe(argv[3], stdout);
		}
		printf(": %lld %s\n", (long long)n, accept ? "automatic links are now yours" :
		       "links");
		rc = CLI_OK;
	}
	cat_close(c);
	return rc;
}

static int tag_run(struct cli_env *env, int argc, char **argv)
{
	struct gr_err err = { 0 };
	struct cat_query *q;
	struct cat *c;
	const char **add, **del;
	size_t n_add = 0, n_del = 0;
	int regions = 0, first = 1, rc = CLI_USAGE;
	const char *query = NULL;
	int64_t n;

	if (argc > 1 && (!strcmp(argv[1], "--accept") || !strcmp(argv[1], "--rename")))
		return tag_manage(env, argc, argv);
	add = xcalloc((size_t)argc, sizeof(*add));
	del = xcalloc((size_t)argc, sizeof(*del));
	/* no getopt: "-name" is an operation, not an option */
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--regions")) {
			regions = 1;
		} else if (first) {
			query = argv[i];
			first = 0;
		} else if (argv[i][0] == '+' || argv[i][0] == '-') {
			if (!cat_tag_valid(argv[i] + 1)) {
				rc = cli_usage_error(&cli_cmd_tag, "'%s' is not a valid tag name",
				                     argv[i] + 1);
				goto out;
			}
			if (argv[i][0] == '+')
				add[n_add++] = argv[i] + 1;
			else
				del[n_del++] = argv[i] + 1;
		} else {
			rc = cli_usage_error(&cli_cmd_tag, "'%s': tags are given as +name or -name "
			                     "(quote a query of several words)", argv[i]);
			goto out;
		}
	}
	if (query == NULL || n_add + n_del == 0) {
		rc = cli_usage_error(&cli_cmd_tag, "give an id or query, then +tag / -tag");
		goto out;
	}
	if ((q = cli_query(query)) == NULL)
		goto out;
	rc = CLI_FAIL;
	if ((c = cli_catalog(env, 1)) != NULL) {
		n = cat_tag(c, q, regions ? CAT_REGIONS : CAT_FILES, add, n_add, del, n_del, &err);
		if (n < 0)
			cli_error("%s", err.msg);
		else if (n == 0)
			cli_error("nothing matched");
		else {
			printf("tagged %lld %s\n", (long long)n, regions ? "regions" : "files");
			rc = CLI_OK;
		}
		cat_close(c);
	}
	cat_query_free(q);
out:
	free(add);
	free(del);
	return rc;
}

const struct cli_cmd cli_cmd_tag = {
	.name = "tag",
	.args = "ID|QUERY [--regions] +name -name ... | --accept NAME | --rename OLD NEW",
	.summary = "add or remove tags on the files (or regions) a query matches",
	.help = "  --regions         tag the matching regions instead of files\n"
	        "  --accept NAME     make the automatic tag NAME yours (kept when files\n"
	        "                    are analysed again; automatic tags are replaced)\n"
	        "  --rename OLD NEW  rename a tag; its links become yours\n"
	        "\nExamples:\n"
	        "  grym tag 42 +kick +favourite\n"
	        "  grym tag 'class:speech dur:>60s' +interview -music\n"
	        "  grym patterns --tag && grym tag --rename sound-01 door-slam\n",
	.run = tag_run,
};
