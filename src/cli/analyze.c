/*
 * analyze.c - `grym analyze FILE... [--json] [--ascii]`: analyse files
 * in this process without touching the catalog, and print what was found.
 *
 * A file that cannot be read gives one line naming it and the reason on
 * stderr; the other files are still analysed and the exit status is 1.
 * A crash inside a decoder or plugin ends this process (the catalog's
 * scanner contains crashes in worker processes); the handler below names
 * the file first, using only async-signal-safe calls.
 */
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grym/analysis.h"
#include "grym/cli.h"
#include "grym/util.h"
#include "grym/wave.h"

extern const struct cli_cmd cli_cmd_analyze;

static const char *volatile crash_file;

static void on_crash(int sig)
{
	const char *what = sig == SIGSEGV ? "SIGSEGV" : sig == SIGBUS ? "SIGBUS" :
	                   sig == SIGFPE ? "SIGFPE" : sig == SIGILL ? "SIGILL" : "SIGABRT";
	const char *f = crash_file ? crash_file : "?";
	/* The name is printed raw here: escaping needs malloc, which is not
	 * safe in a handler; drop control bytes instead. */
	char buf[512];
	size_t n = 0;
	const char *pre = "grym: crashed (";
	for (const char *p = pre; *p && n < sizeof(buf); p++)
		buf[n++] = *p;
	for (const char *p = what; *p && n < sizeof(buf); p++)
		buf[n++] = *p;
	for (const char *p = ") while analysing "; *p && n < sizeof(buf); p++)
		buf[n++] = *p;
	for (const char *p = f; *p && n < sizeof(buf) - 1; p++)
		buf[n++] = (unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p;
	buf[n++] = '\n';
	if (write(2, buf, n) < 0)
		_exit(1);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void fmt_time(double s, char *buf, size_t size)
{
	if (!isfinite(s) || s < 0)
		s = 0;
	int m = (int)(s / 60);
	snprintf(buf, size, "%d:%06.3f", m, s - 60.0 * m);
}

static void fmt_db(double v, const char *unit, char *buf, size_t size)
{
	if (isfinite(v))
		snprintf(buf, size, "%.1f %s", v, unit);
	else
		snprintf(buf, size, "-inf %s", unit);
}

static void print_wave(const struct an_file *f, int ascii)
{
	double *st = xcalloc((size_t)f->n_regions + 1, sizeof(double));
	double *en = xcalloc((size_t)f->n_regions + 1, sizeof(double));

	for (int i = 0; i < f->n_regions; i++) {
		st[i] = f->regions[i].start;
		en[i] = f->regions[i].end;
	}
	wave_print(stdout, f->overview.min, f->overview.max, (size_t)f->overview.n, f->duration,
	           st, en, (size_t)f->n_regions, sys_term_columns(1) - 4, 3,
	           wave_style_auto(ascii));
	free(st);
	free(en);
}

static void print_text(const struct an_file *f, int ks, int wave, int ascii)
{
	const struct an_summary *s = &f->summary;
	char a[32], b[32], c[32], k[32];

	str_fputs_safe(f->path, stdout);
	fputc('\n', stdout);
	fmt_time(f->duration, a, sizeof(a));
	printf("  %s (%s), %d Hz, %d ch, %s, %lld bytes\n", f->info.format, f->info.codec,
	       f->info.rate, f->info.channels, a, (long long)f->info.size);
	fmt_db(f->loudness, "LUFS", a, sizeof(a));
	fmt_db(f->peak_db, "dBFS", b, sizeof(b));
	printf("  loudness %s, range %.1f LU, peak %s\n", a, isfinite(f->lra) ? f->lra : 0.0, b);
	if (f->partial) {
		printf("  warning: ");
		str_fputs_safe(f->warning, stdout);
		fputc('\n', stdout);
	}
	printf("  class %s", s->cls >= 0 ? an_class_name(s->cls) : "-");
	if (s->cls >= 0)
		printf(" (%.2f)", s->cls_conf);
	printf("   key %s", s->key >= 0 ? an_key_name(s->key, ks, 0, k, sizeof(k)) : "none");
	if (s->key >= 0)
		printf(" (%.2f)", s->key_conf);
	if (s->has_tempo) {
		printf("   tempo %.1f BPM (%.2f", s->bpm, s->bpm_conf);
		for (int i = 0; i < s->n_alt; i++)
			printf("%s%.1f", i ? ", " : "; or ", s->alt[i].bpm);
		printf(")");
		if (s->beats_per_bar > 0)
			printf(" %d/4", s->beats_per_bar);
	} else {
		printf("   tempo none");
	}
	printf("\n");
	if (wave)
		print_wave(f, ascii);
	printf("  %d region%s\n", f->n_regions, f->n_regions == 1 ? "" : "s");
	if (f->n_regions > 0)
		printf("  %3s %10s %10s %8s %7s %7s  %-16s %-9s %6s\n", "#", "start", "end",
		       "length", "peak", "LUFS", "class", "key", "BPM");
	for (int i = 0; i < f->n_regions; i++) {
		const struct an_region *r = &f->regions[i];
		char cls[32], bpm[16];
		fmt_time(r->start, a, sizeof(a));
		fmt_time(r->end, b, sizeof(b));
		snprintf(c, sizeof(c), "%.3f", r->end - r->start);
		if (r->has_class)
			snprintf(cls, sizeof(cls), "%s %.2f", an_class_name(r->cls.cls), r->cls.conf);
		else
			snprintf(cls, sizeof(cls), "-");
		if (r->has_tempo && r->tempo.has_tempo)
			snprintf(bpm, sizeof(bpm), "%.1f", r->tempo.bpm);
		else
			snprintf(bpm, sizeof(bpm), "-");
		printf("  %3d %10s %10s %8s %7.1f %7.1f  %-16s %-9s %6s\n", i, a, b, c,
		       isfinite(r->peak_db) ? r->peak_db : -120.0,
		       isfinite(r->loudness) ? r->loudness : -120.0, cls,
		       r->has_key && r->key.key >= 0 ?
		       an_key_name(r->key.key, ks, 1, k, sizeof(k)) : "-", bpm);
	}
	for (int i = 0; i < f->n_regions; i++)
		for (int j = 0; j < f->regions[i].n_runs; j++) {
			const struct an_run *u = &f->regions[i].runs[j];
			if (u->status == AN_OK)
				continue;
			printf("  region %d: %s %s: ", i, u->name, an_status_name(u->status));
			str_fputs_safe(an_run_error(u), stdout);
			fputc('\n', stdout);
		}
}

static int analyze_run(struct cli_env *env, int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "ascii", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct gr_err err = { 0 };
	struct an_engine *eng;
	struct str out;
	int json = 0, ascii = env->cfg.ascii, c, failed = 0, nfiles, wave, emitted = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jah", lopts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'a': ascii = 1; break;
		case 'h': cli_usage(&cli_cmd_analyze, stdout); return CLI_OK;
		default: return cli_usage_error(&cli_cmd_analyze, "unknown option");
		}
	}
	nfiles = argc - optind;
	if (nfiles < 1)
		return cli_usage_error(&cli_cmd_analyze, "no file given");
	eng = an_engine_new(NULL, 0, env->cfg.breaker, &err);
	if (eng == NULL) {
		cli_error("%s", err.msg);
		return CLI_FAIL;
	}
	signal(SIGSEGV, on_crash);
	signal(SIGBUS, on_crash);
	signal(SIGFPE, on_crash);
	signal(SIGILL, on_crash);
	signal(SIGABRT, on_crash);
	wave = !json && isatty(1);
	str_init(&out);
	if (json && nfiles > 1)
		str_add(&out, "[");
	for (int i = optind; i < argc; i++) {
		struct an_file f;
		crash_file = argv[i];
		if (an_analyze_file(argv[i], &env->cfg, eng, &f, &err) != 0) {
			cli_error("%s", err.msg);
			failed = 1;
			if (json) {
				if (emitted++)
					str_add(&out, ",");
				str_add(&out, "{\"path\":");
				str_add_json(&out, argv[i]);
				str_add(&out, ",\"error\":");
				str_add_json(&out, err.msg);
				str_add(&out, "}");
			}
			continue;
		}
		if (json) {
			if (emitted++)
				str_add(&out, ",");
			an_file_json(&f, &out, env->cfg.key_flats ? AN_KEY_FLAT : AN_KEY_SHARP);
		} else {
			if (i > optind)
				fputc('\n', stdout);
			print_text(&f, cli_key_style(env), wave, ascii);
			fflush(stdout);
		}
		an_file_fini(&f);
	}
	crash_file = NULL;
	if (json) {
		if (nfiles > 1)
			str_add(&out, "]");
		printf("%s\n", out.s ? out.s : "");
	}
	str_fini(&out);
	an_engine_free(eng);
	return failed ? CLI_FAIL : CLI_OK;
}

const struct cli_cmd cli_cmd_analyze = {
	.name = "analyze",
	.args = "FILE... [--json] [--ascii]",
	.summary = "analyse audio files now and print formats, loudness and regions",
	.help =
	"Decodes each FILE, splits it into regions at its silences and runs every\n"
	"analysis plugin on each region, without using the catalog.\n\n"
	"  --json    print one JSON document (an array when several files are given);\n"
	"            fields are described in grym(1)\n"
	"  --ascii   draw the waveform with plain ASCII characters\n\n"
	"A file that cannot be read is reported on stderr with the reason; the\n"
	"other files are still analysed and the exit status is 1.\n\n"
	"Example:\n  grym analyze samples/*.flac\n  grym analyze --json take1.wav | jq '.summary'\n",
	.run = analyze_run,
};
