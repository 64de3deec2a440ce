/*
 * tui.c - `grym tui [--ascii] [--bench FILE]`, also what `grym` with no
 * command runs: the full-screen catalog browser (src/tui).
 */
#include <stdio.h>
#include <string.h>

#include "grym/cli.h"
#include "grym/tui.h"

extern const struct cli_cmd cli_cmd_tui;

static int tui_main(struct cli_env *env, int argc, char **argv)
{
	struct tui_opts o;
	struct gr_err err = { 0 };

	memset(&o, 0, sizeof(o));
	o.cfg = &env->cfg;
	o.catalog = env->cfg.catalog;
	o.config_path = env->config_path;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--ascii"))
			o.ascii = 1;
		else if (!strcmp(argv[i], "--bench") && i + 1 < argc)
			o.bench_path = argv[++i];
		else if (!strcmp(argv[i], "--log") && i + 1 < argc)
			o.log_path = argv[++i];
		else
			return cli_usage_error(&cli_cmd_tui, "unexpected argument '%s'", argv[i]);
	}
	if (tui_run(&o, &err) != 0) {
		cli_error("%s", err.msg);
		return err.code == GR_EUSAGE ? CLI_USAGE : CLI_FAIL;
	}
	return CLI_OK;
}

const struct cli_cmd cli_cmd_tui = {
	.name = "tui",
	.args = "[--ascii] [--bench FILE] [--log FILE]",
	.summary = "browse the catalog full-screen (also: grym with no command)",
	.help = "  --ascii       draw with plain ASCII even in a UTF-8 locale\n"
	        "  --bench FILE  log frame times (first frame, keypress to redraw) to FILE\n"
	        "  --log FILE    where stderr goes while the screen is in use\n"
	        "                (default $XDG_DATA_HOME/grym/tui.log)\n\n"
	        "Keys come from the keys: section of config.yaml; press ? for the list.\n"
	        "Scans started from the browser (a, :scan DIR) run as their own background\n"
	        "process and keep going after you quit; their output goes to\n"
	        "$XDG_DATA_HOME/grym/scan.log.\n",
	.run = tui_main,
};
