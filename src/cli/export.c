/*
 * export.c - `grym export QUERY|ID --to DIR ...`: write the matching files
 * or regions as new sample files (and optionally an SFZ instrument).  A
 * thin wrapper over include/grym/export.h: parse options, collect the set
 * from the catalog, plan names, run with a progress line on a terminal,
 * report (a line per written file, or JSON).
 *
 * Ctrl-C stops after removing the temp file of the sample in progress;
 * every file already written is complete.
 */
#include <ctype.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "grym/audio.h"
#include "grym/catalog.h"
#include "grym/cli.h"
#include "grym/export.h"
#include "grym/util.h"

extern const struct cli_cmd cli_cmd_export;

static volatile sig_atomic_t stop_flag;

static void on_sigint(int sig)
{
	(void)sig;
	stop_flag = 1;
}

struct meter {
	int tty;                 /* draw a progress line on stderr */
	double last;             /* time of the last draw, s */
};

static int on_progress(void *ud, const struct export_progress *p)
{
	struct meter *m = ud;
	double now;
	char *e;

	if (stop_flag)
		return 1;
	if (!m->tty)
		return 0;
	now = time_now();
	if (now - m->last < 0.1 && p->item_frac > 0 && p->item_frac < 1)
		return 0;
	m->last = now;
	e = str_escape_term(p->out_name);
	fprintf(stderr, "\r\033[K[%zu/%zu] %3d%% %.60s", p->item + 1, p->total,
	        (int)(100 * ((double)p->item + p->item_frac) / (double)p->total), e);
	free(e);
	return 0;
}

/* "-1", "-1dB", "-1 dBFS" (peak) or "-16LUFS", "-16 LU" (loudness). */
static int parse_norm(const char *s, struct export_opts *o)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || !isfinite(v))
		return -1;
	while (*end == ' ')
		end++;
	if (*end == '\0' || !strcasecmp(end, "db") || !strcasecmp(end, "dbfs"))
		o->norm = EXPORT_NORM_PEAK;
	else if (!strcasecmp(end, "lufs") || !strcasecmp(end, "lu"))
		o->norm = EXPORT_NORM_LUFS;
	else
		return -1;
	o->norm_target = v;
	return 0;
}

/* "48000", "48k", "44.1k" */
static int parse_rate(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s)
		return -1;
	if (*end == 'k' || *end == 'K') {
		v *= 1000;
		end++;
	}
	if (*end != '\0' || v < AUDIO_RATE_MIN || v > AUDIO_RATE_MAX)
		return -1;
	return (int)lround(v);
}

static void print_json(const struct export_set *set, int failed)
{
	struct str b;

	str_init(&b);
	str_add(&b, "{\"items\": [");
	for (size_t i = 0; i < export_set_count(set); i++) {
		const struct export_item *it = export_set_item(set, i);
		str_add(&b, i ? ",\n  {" : "\n  {");
		str_add(&b, "\"source\": ");
		str_add_json(&b, it->src);
		str_addf(&b, ", \"file_id\": %lld", (long long)it->file_id);
		if (it->idx >= 0)
			str_addf(&b, ", \"region_id\": %lld, \"region\": %d", (long long)it->region_id,
			         it->idx);
		str_addf(&b, ", \"start\": %.6f, \"end\": %.6f, \"path\": ", it->start, it->end);
		str_add_json(&b, it->out != NULL ? it->out : "");
		str_addf(&b, ", \"status\": \"%s\"", it->status == 0 ? "ok" : it->status > 0
		         ? "not run" : "failed");
		if (it->status == 0) {
			str_addf(&b, ", \"frames\": %lld, \"rate\": %d, \"channels\": %d, \"bits\": %d"
			         ", \"gain_db\": %.3f, \"gain_limited\": %s, \"clipped\": %lld",
			         (long long)it->frames, it->rate, it->channels, it->bits, it->gain_db,
			         it->gain_limited ? "true" : "false", (long long)it->clipped);
			if (isfinite(it->peak_db))
				str_addf(&b, ", \"peak_db\": %.3f", it->peak_db);
			if (isfinite(it->loudness))
				str_addf(&b, ", \"loudness\": %.3f", it->loudness);
		} else if (it->status < 0) {
			str_add(&b, ", \"error\": ");
			str_add_json(&b, it->error);
		}
		str_add(&b, "}");
	}
	str_add(&b, "\n], \"sfz\": ");
	if (export_set_sfz(set) != NULL)
		str_add_json(&b, export_set_sfz(set));
	else
		str_add(&b, "null");
	str_addf(&b, ", \"failed\": %d}\n", failed);
	fputs(b.s, stdout);
	str_fini(&b);
}

static int export_run_cmd(struct cli_env *env, int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "to", required_argument, NULL, 't' }, { "regions", no_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' }, { "rate", required_argument, NULL, 'R' },
		{ "bits", required_argument, NULL, 'b' },
		{ "normalize", required_argument, NULL, 'N' },
		{ "normalise", required_argument, NULL, 'N' },
		{ "fade", required_argument, NULL, 'F' }, { "name", required_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'x' }, { "sfz", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' }, { "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_cmd *me = &cli_cmd_export;
	struct export_opts o = { .format = AUDIO_W_WAV, .fade_ms = -1 };
	struct gr_err err = { 0 };
	struct export_set *set = NULL;
	struct cat_query *q = NULL;
	struct cat *c = NULL;
	struct meter m = { 0 };
	struct sigaction sa = { 0 }, old_sa;
	int regions = 0, json = 0, quiet = 0, opt, rc = CLI_FAIL, n, failed;
	char *end;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "q", lopts, NULL)) != -1) {
		switch (opt) {
		case 't': o.dir = optarg; break;
		case 'r': regions = 1; break;
		case 'f':
			if ((o.format = audio_wfmt_parse(optarg)) < 0)
				return cli_usage_error(me, "--format %s: use wav, flac or ogg", optarg);
			break;
		case 'R':
			if ((o.rate = parse_rate(optarg)) < 0)
				return cli_usage_error(me, "--rate %s: a rate in Hz, %d..%d", optarg,
				                       AUDIO_RATE_MIN, AUDIO_RATE_MAX);
			break;
		case 'b':
			if (!strcmp(optarg, "32f") || !strcmp(optarg, "float"))
				o.bits = -32;
			else if ((o.bits = (int)strtol(optarg, &end, 10)) == 0 || *end != '\0')
				return cli_usage_error(me, "--bits %s: use 8, 16, 24, 32 or 32f", optarg);
			break;
		case 'N':
			if (parse_norm(optarg, &o) < 0)
				return cli_usage_error(me, "--normalize %s: use a peak in dB (-1dB) or a "
				                       "loudness (-16LUFS)", optarg);
			break;
		case 'F':
			o.fade_ms = strtod(optarg, &end);
			if (end == optarg || *end != '\0' || !(o.fade_ms >= 0))
				return cli_usage_error(me, "--fade %s: milliseconds, 0 for none", optarg);
			break;
		case 'n': o.name_tmpl = optarg; break;
		case 'x': o.force = 1; break;
		case 's': o.sfz = optarg; break;
		case 'j': json = 1; break;
		case 'q': quiet = 1; break;
		default: return cli_usage_error(me, "unknown option");
		}
	}
	if (o.dir == NULL)
		return cli_usage_error(me, "--to DIR is required");
	if (optind >= argc)
		return cli_usage_error(me, "which files or regions? give a query or an id");
	if (o.name_tmpl != NULL && export_name_check(o.name_tmpl, &err) < 0)
		return cli_usage_error(me, "--name: %s", err.msg);
	o.key_style = cli_key_style(env);
	q = cli_query_words(argc - optind, argv + optind);
	if (q == NULL)
		return CLI_USAGE;
	if ((c = cli_catalog(env, 1)) == NULL)
		goto out;
	set = export_set_new();
	if ((n = export_set_add(set, c, q, regions, &err)) < 0)
		goto fail;
	cat_close(c);
	c = NULL;
	if (n == 0) {
		cli_error("no %s match", regions ? "regions" : "analysed files");
		goto out;
	}
	if (export_plan(set, &o, &err) < 0) {
		if (err.code == GR_EUSAGE) {
			rc = cli_usage_error(me, "%s", err.msg);
			goto out;
		}
		goto fail;
	}
	m.tty = !quiet && isatty(STDERR_FILENO);
	o.progress = on_progress;
	o.ud = &m;
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_sa);
	failed = export_run(set, &o, &err);
	sigaction(SIGINT, &old_sa, NULL);
	if (m.tty)
		fputs("\r\033[K", stderr);
	if (json)
		print_json(set, failed < 0 ? -1 : failed);
	for (size_t i = 0; i < export_set_count(set); i++) {
		const struct export_item *it = export_set_item(set, i);
		if (it->status < 0 && (failed >= 0 || it->status != -err.code))
			cli_error("%s: %s", it->src, it->error);
		if (it->status != 0 || json || quiet)
			continue;
		if (isatty(STDOUT_FILENO))
			str_fputs_safe(it->out, stdout);
		else
			fputs(it->out, stdout);
		putchar('\n');
	}
	if (!json && !quiet && export_set_sfz(set) != NULL) {
		str_fputs_safe(export_set_sfz(set), stdout);
		putchar('\n');
	}
	if (failed < 0)
		goto fail;
	if (failed > 0)
		cli_error("%d of %zu could not be exported", failed, export_set_count(set));
	rc = failed > 0 ? CLI_FAIL : CLI_OK;
	goto out;
fail:
	cli_error("%s", err.msg);
out:
	export_set_free(set);
	cat_close(c);
	cat_query_free(q);
	return rc;
}

const struct cli_cmd cli_cmd_export = {
	.name = "export",
	.args = "QUERY|ID --to DIR [--regions] [--format wav|flac|ogg] [--rate R] [--bits B] "
	        "[--normalize PEAK_DB|LUFS] [--fade MS] [--name TEMPLATE] [--force] "
	        "[--sfz NAME] [--json]",
	.summary = "write matching files or regions as new sample files (and an SFZ)",
	.help =
	"Reads the original files (sample-exact, all channels); never overwrites\n"
	"without --force; every file appears complete or not at all.\n"
	"  --to DIR          target folder (must exist)\n"
	"  --regions         export regions instead of whole files\n"
	"  --format F        wav (default), flac or ogg (Vorbis)\n"
	"  --rate R          resample to R Hz (48000, 44.1k); default: the source's\n"
	"  --bits B          8, 16, 24, 32 or 32f; default: the source's (TPDF dither\n"
	"                    when the samples no longer fit the grid)\n"
	"  --normalize V     peak (-1dB) or loudness (-16LUFS; never above -0.1 dBFS)\n"
	"  --fade MS         fade in and out (default 5 ms for regions, 0 for files)\n"
	"  --name TEMPLATE   {name} {index} {n} {class} {key} {bpm} {start} {dur} {tag}\n"
	"                    {id}; {index:3} pads; default {name}_{index} / {name}\n"
	"  --force           replace existing files\n"
	"  --sfz NAME        also write DIR/NAME.sfz mapping the samples to keys\n"
	"  --json            report each written file as JSON\n"
	"  -q, --quiet       no progress and no list of files\n"
	"\nExamples:\n"
	"  grym export --regions 'class:percussion dur:<1s' --to kit --sfz kit\n"
	"  grym export 12 --to out --format flac --bits 16 --rate 44.1k\n"
	"  grym export --regions tag:vox --to vox --normalize -16LUFS --name '{key}_{name}'\n",
	.run = export_run_cmd,
};
