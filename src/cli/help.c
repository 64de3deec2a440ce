/*
 * help.c - `grym help [COMMAND]`.
 */
#include <stdio.h>

#include "grym/cli.h"

extern const struct cli_cmd cli_cmd_help;

static int help_run(struct cli_env *env, int argc, char **argv)
{
	const struct cli_cmd *c;

	if (argc < 2) {
		printf("Commands:\n");
		cli_list(stdout);
		printf("\nRun `grym help COMMAND` for one command, `man grym` for everything.\n");
		return CLI_OK;
	}
	c = cli_find(argv[1]);
	if (c == NULL) {
		cli_error("help: unknown command '%s'", argv[1]);
		return CLI_USAGE;
	}
	cli_usage(c, stdout);
	return CLI_OK;
}

const struct cli_cmd cli_cmd_help = {
	.name = "help",
	.args = "[COMMAND]",
	.summary = "show help for a command",
	.help = "",
	.run = help_run,
};
