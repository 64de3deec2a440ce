/*
 * cli.h - subcommands.  Each lives in src/cli/<name>.c and ends in one
 * const struct cli_cmd; src/cli/commands.c lists them.  The same table
 * drives dispatch, `grym --help` and `grym help CMD`.
 *
 * Exit codes: 0 ok, 1 failure (a file could not be read, a device is
 * missing, ...), 2 usage error.
 */
#ifndef GRYM_CLI_H
#define GRYM_CLI_H

#include "grym/config.h"

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

struct cli_env {
	struct gr_config cfg;       /* loaded configuration */
	const char *config_path;    /* --config FILE, or NULL */
	const char *argv0;
};

struct cli_cmd {
	const char *name;           /* "analyze" */
	const char *args;           /* "FILE... [--json]" */
	const char *summary;        /* one line for `grym --help` */
	const char *help;           /* the text of `grym help NAME` (options, examples) */
	int (*run)(struct cli_env *env, int argc, char **argv);  /* argv[0] = name */
};

extern const struct cli_cmd *const cli_commands[];
const struct cli_cmd *cli_find(const char *name);

/* Print the commands in alphabetical order, one "  name  summary" line each. */
void cli_list(FILE *f);

/* Print "usage: grym NAME ARGS" and the help to f. */
void cli_usage(const struct cli_cmd *c, FILE *f);
/* Report a usage error for c on stderr; returns CLI_USAGE. */
int cli_usage_error(const struct cli_cmd *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Report a failure "grym: <msg>" on stderr (msg escaped for the terminal). */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- shared by the catalog commands (src/cli/ls.c) ---- */
struct cat;
struct cat_query;
/* Open env->cfg.catalog read-write (directories created).  With
 * must_exist, a missing catalog is an error with a hint to scan.  NULL
 * after printing the error. */
struct cat *cli_catalog(struct cli_env *env, int must_exist);
/* Parse "ID" (a bare number means id:N) or query text; NULL after
 * printing the error with a caret under the offending character. */
struct cat_query *cli_query(const char *text);
/* The n words w[] joined by single spaces (a query given as several
 * arguments), as a new string: free() it. */
char *cli_join_words(int n, char *const *w);
/* cli_query() of the n words w[] joined (no words: the empty query). */
struct cat_query *cli_query_words(int n, char *const *w);
/* The key notation the user configured (enum an_key_style). */
int cli_key_style(const struct cli_env *env);

#endif
