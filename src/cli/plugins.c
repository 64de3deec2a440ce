/*
 * plugins.c - `grym plugins [--json] [--check]`: the analysis plugins in
 * run order with their versions, needs and budgets, and their health.
 *
 * Health without --check says whether the plugin graph is sound (every
 * need registered, no cycle: the engine refuses to start otherwise).
 * --check runs the engine once on a generated 4-second test signal (a
 * chord, then noise) through the real dsp pass and reports each plugin's
 * status, time and error: a quick self-test of an installation.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grym/analysis.h"
#include "grym/cli.h"
#include "grym/dsp.h"
#include "grym/util.h"

extern const struct cli_cmd cli_cmd_plugins;

/* Run e on 4 s of generated audio; fills *r (an_region_fini() it). */
static int self_test(struct an_engine *e, const struct gr_config *cfg, struct an_region *r,
                     struct gr_err *err)
{
	struct dsp_cfg dc = {
		.rate = cfg->rate, .fft_size = cfg->fft_size, .hop = cfg->hop,
		.src_rate = cfg->rate, .src_channels = 1, .silence_db = -200,
		.hysteresis_db = 0, .min_silence = 1, .min_region = 0, .padding = 0,
	};
	struct dsp_analyzer *a = dsp_new(&dc, err);
	struct dsp_frame *frames = NULL;
	size_t n = (size_t)cfg->rate * 4;
	float *x;
	int64_t nf;
	unsigned seed = 1;
	int rc = -GR_ENOMEM;

	if (a == NULL)
		return -err->code;
	x = xmalloc(n * sizeof(*x));
	for (size_t i = 0; i < n; i++) {
		double t = (double)i / cfg->rate;
		if (i < n / 2) {
			x[i] = (float)(0.2 * (sin(2 * M_PI * 220 * t) + sin(2 * M_PI * 277.2 * t) +
			                      sin(2 * M_PI * 329.6 * t)));
		} else {
			seed = seed * 1103515245u + 12345u;
			x[i] = (float)(((seed >> 16) & 0x7fff) / 16384.0 - 1.0) * 0.3f;
		}
	}
	if ((rc = dsp_push(a, x, n, err)) != 0 || (rc = dsp_push_source(a, x, n, err)) != 0 ||
	    (rc = dsp_finish(a, err)) != 0)
		goto out;
	nf = dsp_frame_count(a);
	frames = xmalloc((size_t)(nf > 0 ? nf : 1) * sizeof(*frames));
	if ((rc = dsp_frames_read(a, 0, (size_t)nf, frames, err)) != 0)
		goto out;
	memset(r, 0, sizeof(*r));
	r->start = 0;
	r->end = (double)n / cfg->rate;
	an_engine_run_region(e, r, frames, (size_t)nf, dsp_frame_rate(a));
out:
	free(frames);
	free(x);
	dsp_free(a);
	return rc;
}

static int plugins_run(struct cli_env *env, int argc, char **argv)
{
	const struct an_plugin *ps[AN_MAX_PLUGINS];
	struct gr_err err = { 0, "" };
	struct an_engine *e;
	struct an_region r;
	int json = 0, check = 0, have_run = 0;
	size_t n;
	struct str b;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--check"))
			check = 1;
		else
			return cli_usage_error(&cli_cmd_plugins, "unknown option %s", argv[i]);
	}
	e = an_engine_new(NULL, 0, env->cfg.breaker, &err);
	if (e == NULL) {
		cli_error("plugin registry is broken: %s", err.msg);
		return CLI_FAIL;
	}
	n = an_engine_plugins(e, ps, AN_MAX_PLUGINS);
	if (check) {
		if (self_test(e, &env->cfg, &r, &err) != 0) {
			cli_error("self-test signal: %s", err.msg);
			an_engine_free(e);
			return CLI_FAIL;
		}
		have_run = 1;
	}
	str_init(&b);
	if (json)
		str_add(&b, "{\"plugins\":[");
	for (size_t i = 0; i < n; i++) {
		const struct an_plugin *p = ps[i];
		const struct an_run *ru = have_run ? &r.runs[i] : NULL;
		if (json) {
			str_addf(&b, "%s{\"name\":", i ? "," : "");
			str_add_json(&b, p->name);
			str_addf(&b, ",\"version\":%d,\"budget\":%g,\"needs\":[", p->version, p->budget);
			for (const char *const *q = p->needs; q != NULL && *q != NULL; q++) {
				if (q != p->needs)
					str_add(&b, ",");
				str_add_json(&b, *q);
			}
			str_add(&b, "],\"health\":");
			str_add_json(&b, ru ? an_status_name(ru->status) : "registered");
			if (ru != NULL) {
				str_addf(&b, ",\"time\":%.4f,\"error\":", ru->time);
				str_add_json(&b, an_run_error(ru));
			}
			str_add(&b, "}");
		} else {
			struct str nd;
			str_init(&nd);
			for (const char *const *q = p->needs; q != NULL && *q != NULL; q++)
				str_addf(&nd, "%s%s", nd.len ? "," : "", *q);
			str_addf(&b, "%-10s v%-3d needs %-18s budget %3g s/min  %s", p->name,
			         p->version, nd.len ? nd.s : "-", p->budget,
			         ru ? an_status_name(ru->status) : "registered");
			if (ru != NULL)
				str_addf(&b, " (%.3f s)%s%s", ru->time, an_run_error(ru)[0] ? ": " : "",
				         an_run_error(ru));
			str_add(&b, "\n");
			str_fini(&nd);
		}
	}
	if (json)
		str_add(&b, "]}\n");
	/* JSON strings are escaped by str_add_json; text goes out line by line
	 * through the terminal-safe writer (errors may quote file contents) */
	for (char *line = b.s, *nl; line != NULL && *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		*nl = '\0';
		if (json)
			fputs(line, stdout);
		else
			str_fputs_safe(line, stdout);
		putchar('\n');
	}
	str_fini(&b);
	if (have_run)
		an_region_fini(&r);
	an_engine_free(e);
	return CLI_OK;
}

const struct cli_cmd cli_cmd_plugins = {
	.name = "plugins",
	.args = "[--json] [--check]",
	.summary = "list the analysis plugins: versions, needs, health",
	.help = "  --json    machine-readable output\n"
	        "  --check   run every plugin once on a generated 4 s test signal and\n"
	        "            report its status and time (a self-test)\n",
	.run = plugins_run,
};
