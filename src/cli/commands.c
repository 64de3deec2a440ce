/*
 * commands.c - the table of subcommands (one descriptor per file) and the
 * shared helpers for usage and errors.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grym/cli.h"
#include "grym/util.h"

extern const struct cli_cmd cli_cmd_analyze;
extern const struct cli_cmd cli_cmd_config;
extern const struct cli_cmd cli_cmd_devices;
extern const struct cli_cmd cli_cmd_help;
extern const struct cli_cmd cli_cmd_doctor;
extern const struct cli_cmd cli_cmd_dupes;
extern const struct cli_cmd cli_cmd_export;
extern const struct cli_cmd cli_cmd_ls;
extern const struct cli_cmd cli_cmd_patterns;
extern const struct cli_cmd cli_cmd_play;
extern const struct cli_cmd cli_cmd_rm;
extern const struct cli_cmd cli_cmd_roots;
extern const struct cli_cmd cli_cmd_scan;
extern const struct cli_cmd cli_cmd_show;
extern const struct cli_cmd cli_cmd_similar;
extern const struct cli_cmd cli_cmd_stats;
extern const struct cli_cmd cli_cmd_tag;
extern const struct cli_cmd cli_cmd_plugins;
extern const struct cli_cmd cli_cmd_tui;

const struct cli_cmd *const cli_commands[] = {
	&cli_cmd_analyze,
	&cli_cmd_config,
	&cli_cmd_devices,
	&cli_cmd_help,
	&cli_cmd_doctor,
	&cli_cmd_dupes,
	&cli_cmd_export,
	&cli_cmd_ls,
	&cli_cmd_patterns,
	&cli_cmd_play,
	&cli_cmd_rm,
	&cli_cmd_roots,
	&cli_cmd_scan,
	&cli_cmd_show,
	&cli_cmd_similar,
	&cli_cmd_stats,
	&cli_cmd_tag,
	&cli_cmd_plugins,
	&cli_cmd_tui,
	NULL,
};

const struct cli_cmd *cli_find(const char *name)
{
	for (size_t i = 0; cli_commands[i] != NULL; i++)
		if (!strcmp(cli_commands[i]->name, name))
			return cli_commands[i];
	return NULL;
}

static int cmp_cmd(const void *a, const void *b)
{
	const struct cli_cmd *x = *(const struct cli_cmd *const *)a;
	const struct cli_cmd *y = *(const struct cli_cmd *const *)b;
	return strcmp(x->name, y->name);
}

void cli_list(FILE *f)
{
	const struct cli_cmd *sorted[64];
	size_t n = 0;

	while (cli_commands[n] != NULL && n < GR_ARRAY_LEN(sorted)) {
		sorted[n] = cli_commands[n];
		n++;
	}
	qsort(sorted, n, sizeof(sorted[0]), cmp_cmd);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %-10s %s\n", sorted[i]->name, sorted[i]->summary);
}

void cli_usage(const struct cli_cmd *c, FILE *f)
{
	fprintf(f, "usage: grym %s %s\n\n%s\n", c->name, c->args, c->summary);
	if (c->help != NULL && c->help[0] != '\0')
		fprintf(f, "\n%s", c->help);
}

int cli_usage_error(const struct cli_cmd *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	char *e;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	e = str_escape_term(msg);
	fprintf(stderr, "grym %s: %s\nusage: grym %s %s\n", c->name, e, c->name, c->args);
	free(e);
	return CLI_USAGE;
}

void cli_error(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	char *e;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	e = str_escape_term(msg);
	fprintf(stderr, "grym: %s\n", e);
	free(e);
}
