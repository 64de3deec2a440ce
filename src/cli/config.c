/*
 * config.c - `grym config [--default]`: print the configuration in force
 * (after the user's file and the environment) or the documented default.
 */
#include <stdio.h>
#include <string.h>

#include "grym/cli.h"

extern const struct cli_cmd cli_cmd_config;

static int config_run(struct cli_env *env, int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--default")) {
		config_write_default(stdout);
		return CLI_OK;
	}
	if (argc != 1)
		return cli_usage_error(&cli_cmd_config, "unexpected argument");
	if (env->cfg.loaded_from[0] != '\0')
		printf("# from %s\n", env->cfg.loaded_from);
	else
		printf("# built-in defaults (no configuration file)\n");
	config_write(&env->cfg, stdout);
	return CLI_OK;
}

const struct cli_cmd cli_cmd_config = {
	.name = "config",
	.args = "[--default]",
	.summary = "print the configuration in force (or the documented default)",
	.help = "  --default   print the documented default configuration (config/grym.yaml)\n",
	.run = config_run,
};
