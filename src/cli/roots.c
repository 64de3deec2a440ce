/*
 * roots.c - `grym roots` lists the library roots (every file path is kept
 * relative to one); `grym roots move OLD NEW` relinks a library that was
 * moved or mounted elsewhere, without rescanning.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grym/catalog.h"
#include "grym/cli.h"
#include "grym/util.h"

extern const struct cli_cmd cli_cmd_roots;

/* Absolute form of p (resolved if it exists); new string. */
static char *absolute(const char *p)
{
	char buf[PATH_MAX], cwd[PATH_MAX];

	if (realpath(p, buf) != NULL)
		return xstrdup(buf);
	if (p[0] == '/')
		return xstrdup(p);
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return xstrdup(p);
	return xasprintf("%s/%s", cwd, p);
}

static int roots_run(struct cli_env *env, int argc, char **argv)
{
	struct gr_err err = { 0 };
	struct cat_root *r = NULL;
	struct cat *c;
	size_t n = 0;
	int rc = CLI_OK;

	if (argc != 1 && !(argc == 4 && !strcmp(argv[1], "move")))
		return cli_usage_error(&cli_cmd_roots, "use `grym roots` or `grym roots move OLD NEW`");
	if ((c = cli_catalog(env, 1)) == NULL)
		return CLI_FAIL;
	if (argc == 4) {
		char *from = absolute(argv[2]), *to = absolute(argv[3]);
		int k = cat_root_move(c, from, to, &err);
		if (k < 0) {
			cli_error("%s", err.msg);
			rc = CLI_FAIL;
		} else if (k == 0) {
			cli_error("no library root is %s or inside it (see `grym roots`)", from);
			rc = CLI_FAIL;
		} else {
			printf("relinked %d root%s to ", k, k == 1 ? "" : "s");
			str_fputs_safe(to, stdout);
			putchar('\n');
		}
		free(from);
		free(to);
	}
	if (rc == CLI_OK && cat_roots_list(c, &r, &n, &err) != 0) {
		cli_error("%s", err.msg);
		rc = CLI_FAIL;
	}
	for (size_t i = 0; rc == CLI_OK && i < n; i++) {
		printf("%4lld  ", (long long)r[i].id);
		str_fputs_safe(r[i].path, stdout);
		printf("  %lld files", (long long)r[i].n_files);
		if (r[i].n_missing > 0)
			printf(", %lld missing", (long long)r[i].n_missing);
		if (!r[i].exists)
			printf("  (not found: unmounted or moved?)");
		putchar('\n');
	}
	cat_roots_free(r, n);
	cat_close(c);
	return rc;
}

const struct cli_cmd cli_cmd_roots = {
	.name = "roots",
	.args = "[move OLD NEW]",
	.summary = "list library roots, or relink a moved library",
	.help = "  move OLD NEW   the library (or disk) at OLD is now at NEW: every root at\n"
	        "                 or under OLD is relinked; ids, analyses and tags stay\n",
	.run = roots_run,
};
