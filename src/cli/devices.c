/*
 * devices.c - `grym devices [--json]`: the audio output devices PortAudio
 * sees, the default one marked, with the name `play.device` and
 * `grym play --device` accept.  Exit 1 with one message when there is
 * none (a headless machine, no sound server).  Probing takes 0.1-0.5 s.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "grym/cli.h"
#include "grym/play.h"
#include "grym/util.h"

extern const struct cli_cmd cli_cmd_devices;

static void print_json(const struct play_device *d, size_t n)
{
	struct str b;
	size_t i;

	str_init(&b);
	str_add(&b, "[");
	for (i = 0; i < n; i++) {
		str_add(&b, i ? ",{\"name\":" : "{\"name\":");
		str_add_json(&b, d[i].name);
		str_add(&b, ",\"host_api\":");
		str_add_json(&b, d[i].host_api);
		str_addf(&b, ",\"index\":%d,\"channels\":%d,\"rate\":%.0f,\"latency_ms\":%.2f,"
		         "\"default\":%s}", d[i].index, d[i].channels, d[i].rate, d[i].latency_ms,
		         d[i].is_default ? "true" : "false");
	}
	str_add(&b, "]");
	puts(b.s);
	str_fini(&b);
}

static int devices_run(struct cli_env *env, int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "json", no_argument, NULL, 'j' }, { NULL, 0, NULL, 0 },
	};
	struct gr_err err = { 0 };
	struct play_device *d = NULL;
	size_t n = 0, i;
	int o, json = 0;

	(void)env;
	optind = 0;
	while ((o = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		if (o != 'j')
			return cli_usage_error(&cli_cmd_devices, "unknown option");
		json = 1;
	}
	if (optind != argc)
		return cli_usage_error(&cli_cmd_devices, "unexpected argument");
	if (play_devices_list(&d, &n, &err) < 0) {
		cli_error("%s", err.msg);
		return CLI_FAIL;
	}
	if (json)
		print_json(d, n);
	for (i = 0; i < n && !json; i++) {
		printf("%s ", d[i].is_default ? "*" : " ");
		str_fputs_safe(d[i].name, stdout);
		printf("  (");
		str_fputs_safe(d[i].host_api, stdout);
		printf(", %d ch, %.0f Hz, %.1f ms)\n", d[i].channels, d[i].rate, d[i].latency_ms);
	}
	free(d);
	if (n == 0) {
		cli_error("no audio output device found (no sound card or sound server; "
		          "PortAudio probes ALSA and JACK)");
		return CLI_FAIL;
	}
	return CLI_OK;
}

const struct cli_cmd cli_cmd_devices = {
	.name = "devices",
	.args = "[--json]",
	.summary = "list the audio output devices (* marks the default)",
	.help = "  --json   a JSON array: name, host_api, index, channels, rate,\n"
	        "           latency_ms, default\n"
	        "A device is chosen with play.device in the configuration or\n"
	        "`grym play --device NAME` (the full name or a unique part of it).\n",
	.run = devices_run,
};
