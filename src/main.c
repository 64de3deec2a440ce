/*
 * main.c - global options and subcommand dispatch only.
 */
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grym/cli.h"
#include "grym/util.h"

static void usage(FILE *f)
{
	fputs("usage: grym [--config FILE] [--catalog FILE] COMMAND [ARGS...]\n"
	      "       grym --help | --version | help COMMAND\n\n"
	      "grym is a terminal audio intelligence sampler: it splits audio files into\n"
	      "regions at their silences, analyses each region and keeps it all in a\n"
	      "catalog to browse, search, audition and slice.\n\n"
	      "Commands:\n", f);
	cli_list(f);
	fputs("\nGlobal options:\n"
	      "  --config FILE   read FILE instead of $XDG_CONFIG_HOME/grym/config.yaml\n"
	      "  --catalog FILE  use FILE as the catalog (also $GRYM_CATALOG)\n"
	      "  -h, --help      this help; `grym help COMMAND` for one command\n"
	      "  -V, --version   print the version\n\n"
	      "Exit status: 0 ok, 1 failure, 2 usage error.  See grym(1).\n", f);
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "catalog", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_env env;
	struct gr_err err = { 0 };
	const struct cli_cmd *cmd;
	const char *catalog = NULL, *name;
	int c;

	setlocale(LC_ALL, "");
	memset(&env, 0, sizeof(env));
	env.argv0 = argv[0];
	/* "+": stop at the first non-option, the subcommand */
	while ((c = getopt_long(argc, argv, "+hV", lopts, NULL)) != -1) {
		switch (c) {
		case 'c': env.config_path = optarg; break;
		case 'C': catalog = optarg; break;
		case 'h': usage(stdout); return CLI_OK;
		case 'V': printf("grym %s\n", GRYM_VERSION); return CLI_OK;
		default: usage(stderr); return CLI_USAGE;
		}
	}
	if (optind >= argc) {
		/* no command: the browser once it exists, until then the usage */
		if (cli_find("tui") == NULL) {
			usage(stderr);
			return CLI_USAGE;
		}
	}
	name = optind < argc ? argv[optind] : "tui";
	cmd = cli_find(name);
	if (cmd == NULL) {
		char *e = str_escape_term(name);
		fprintf(stderr, "grym: unknown command '%s' (see grym --help)\n", e);
		free(e);
		return CLI_USAGE;
	}
	if (config_init(&env.cfg, env.config_path, &err) != 0) {
		cli_error("%s", err.msg);
		return err.code == GR_EUSAGE ? CLI_USAGE : CLI_FAIL;
	}
	if (catalog != NULL)
		str_lcpy(env.cfg.catalog, catalog, sizeof(env.cfg.catalog));
	if (optind >= argc) {
		static char tui[] = "tui";
		static char *targv[] = { tui, NULL };
		return cmd->run(&env, 1, targv);
	}
	return cmd->run(&env, argc - optind, argv + optind);
}
