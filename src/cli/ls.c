/*
 * ls.c - `grym ls [QUERY] [--json|--csv|--m3u|-p|-0] [--regions] [--limit N]`:
 * list the files (or regions) of the catalog that match a query.  Also
 * the helpers the catalog commands share (opening the catalog, parsing a
 * query argument with a caret under errors).
 *
 * Output: a table on a terminal (names escaped), bare paths with -p (raw
 * when piped, for xargs; -0 separates with NUL), or JSON / CSV with every
 * searchable field.  Rows stream: memory does not grow with the result.
 */
#include <ctype.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "grym/catalog.h"
#include "grym/cli.h"
#include "grym/util.h"

extern const struct cli_cmd cli_cmd_ls;

struct cat *cli_catalog(struct cli_env *env, int must_exist)
{
	struct gr_err err = { 0 };
	struct stat sb;
	struct cat *c;

	if (must_exist && stat(env->cfg.catalog, &sb) != 0) {
		cli_error("no catalog at %s yet; add files with `grym scan DIR`",
		          env->cfg.catalog);
		return NULL;
	}
	c = cat_open(env->cfg.catalog, 0, &err);
	if (c == NULL)
		cli_error("%s", err.msg);
	return c;
}

char *cli_join_words(int n, char *const *w)
{
	struct str b;

	str_init(&b);
	str_add(&b, "");
	for (int i = 0; i < n; i++) {
		if (i > 0)
			str_add(&b, " ");
		str_add(&b, w[i]);
	}
	return b.s;
}

struct cat_query *cli_query_words(int n, char *const *w)
{
	char *text = cli_join_words(n, w);
	struct cat_query *q = cli_query(text);

	free(text);
	return q;
}

struct cat_query *cli_query(const char *text)
{
	struct gr_err err = { 0 };
	struct cat_query *q;
	char buf[64];
	size_t pos = 0;
	const char *p = text;

	while (isdigit((unsigned char)*p))
		p++;
	if (p != text && *p == '\0' && p - text < 19) {
		snprintf(buf, sizeof(buf), "id:%s", text);
		text = buf;
	}
	q = cat_query_parse(text, &pos, &err);
	if (q == NULL) {
		char *e = str_escape_term(text);
		char *pre;
		size_t n;
		fprintf(stderr, "grym: query error %s\n  %s\n  ", err.msg, e);
		/* caret under the character: width of the escaped prefix */
		pre = xstrdup(text);
		pre[pos < strlen(pre) ? pos : strlen(pre)] = '\0';
		free(e);
		e = str_escape_term(pre);
		n = 0;
		for (const char *s = e; *s; s++)
			n += ((unsigned char)*s & 0xc0) != 0x80;
		for (size_t i = 0; i < n; i++)
			fputc(' ', stderr);
		fputs("^\n", stderr);
		free(e);
		free(pre);
	}
	return q;
}

int cli_key_style(const struct cli_env *env)
{
	if (env->cfg.key_notation == 1)
		return AN_KEY_CAMELOT;
	if (env->cfg.key_notation == 2)
		return AN_KEY_OPENKEY;
	return env->cfg.key_flats ? AN_KEY_FLAT : AN_KEY_SHARP;
}

/* "1.5s", "2:05", "1:02:03" */
static const char *fmt_dur(double s, char *buf, size_t n)
{
	if (isnan(s))
		snprintf(buf, n, "-");
	else if (s < 60)
		snprintf(buf, n, "%.1fs", s);
	else if (s < 3600)
		snprintf(buf, n, "%d:%02d", (int)s / 60, (int)s % 60);
	else
		snprintf(buf, n, "%d:%02d:%02d", (int)s / 3600, (int)s / 60 % 60, (int)s % 60);
	return buf;
}

static void csv_field(const char *s, int tty)
{
	char *e = tty ? str_escape_term(s) : NULL;
	const char *v = e != NULL ? e : s;

	if (strpbrk(v, ",\"\n\r") != NULL) {
		putchar('"');
		for (; *v; v++) {
			if (*v == '"')
				putchar('"');
			putchar(*v);
		}
		putchar('"');
	} else {
		fputs(v, stdout);
	}
	free(e);
}

enum { OUT_TABLE, OUT_JSON, OUT_CSV, OUT_PATHS, OUT_PATHS0, OUT_M3U };

/* An extended M3U entry (regions carry VLC's start/stop options).  A path
 * with a line break cannot be written in M3U: skipped with a warning. */
/* A bare path for -p/-0: as it is for a pipe (xargs needs the real bytes),
 * escaped on a terminal. */
static void put_path(const char *path, int tty)
{
	if (tty)
		str_fputs_safe(path, stdout);
	else
		fputs(path, stdout);
}

static void print_m3u(const char *path, double dur, double start, double end, int tty)
{
	if (strpbrk(path, "\n\r") != NULL) {
		cli_error("%s: a line break in the name; left out of the playlist", path);
		return;
	}
	printf("#EXTINF:%.0f,", dur);
	str_fputs_safe(path_base(path), stdout);
	putchar('\n');
	if (start >= 0)
		printf("#EXTVLCOPT:start-time=%.3f\n#EXTVLCOPT:stop-time=%.3f\n", start, end);
	if (tty)
		str_fputs_safe(path, stdout);
	else
		fputs(path, stdout);
	putchar('\n');
}

static void print_file(const struct cat_file *f, int out, int style, int tty, int first)
{
	char d[32], k[16], b[16], t[16];
	struct str j;
	char *e;

	switch (out) {
	case OUT_M3U:
		print_m3u(f->path, f->duration, -1, -1, tty);
		return;
	case OUT_JSON:
		str_init(&j);
		cat_file_json(f, &j);
		printf("%s\n  %s", first ? "" : ",", j.s);
		str_fini(&j);
		return;
	case OUT_PATHS:
	case OUT_PATHS0:
		put_path(f->path, tty);
		putchar(out == OUT_PATHS0 ? '\0' : '\n');
		return;
	case OUT_CSV:
		printf("%lld,", (long long)f->id);
		csv_field(f->path, tty);
		printf(",%s,%s,%d,%d,%d,%.3f,%s,%.3f,%s,%.3f,%s,%.3f,%d,%.2f,%.2f,%s,%s,",
		       f->format, f->codec, f->rate, f->channels, f->bits, f->duration,
		       f->cls >= 0 ? an_class_name(f->cls) : "", f->cls_conf,
		       f->key >= 0 ? an_key_name(f->key, style, 1, k, sizeof(k)) : "", f->key_conf,
		       f->has_tempo ? (snprintf(b, sizeof(b), "%.2f", f->bpm), b) : "",
		       f->bpm_conf, f->n_regions, f->loudness, f->peak_db,
		       cat_status_name(f->status), f->missing ? "yes" : "no");
		csv_field(f->tags, tty);
		putchar('\n');
		return;
	}
	e = str_escape_term(f->relpath);
	snprintf(t, sizeof(t), "%.1f", f->bpm);
	printf("%6lld  %-44s %8s  %-10s %-5s %6s %4d  ", (long long)f->id, e,
	       fmt_dur(f->duration, d, sizeof(d)),
	       f->status == CAT_ST_FAILED ? "FAILED" : f->cls >= 0 ? an_class_name(f->cls) : "-",
	       f->key >= 0 ? an_key_name(f->key, style, 1, k, sizeof(k)) : "-",
	       f->has_tempo ? t : "-", f->n_regions);
	free(e);
	str_fputs_safe(f->tags, stdout);
	if (f->missing)
		fputs("  (missing)", stdout);
	if (f->status == CAT_ST_FAILED && f->error[0]) {
		fputs("  ", stdout);
		str_fputs_safe(f->error, stdout);
	}
	putchar('\n');
}

static void print_region(const struct cat_region *g, int out, int style, int tty, int first)
{
	char d[32], s[32], k[16], t[16];
	struct str j;
	char *e;

	switch (out) {
	case OUT_M3U:
		print_m3u(g->path, g->end - g->start, g->start, g->end, tty);
		return;
	case OUT_JSON:
		str_init(&j);
		cat_region_json(g, &j);
		printf("%s\n  %s", first ? "" : ",", j.s);
		str_fini(&j);
		return;
	case OUT_PATHS:
	case OUT_PATHS0:
		put_path(g->path, tty);
		printf("\t%.3f\t%.3f%c", g->start, g->end, out == OUT_PATHS0 ? '\0' : '\n');
		return;
	case OUT_CSV:
		printf("%lld,%lld,%d,", (long long)g->id, (long long)g->file_id, g->idx);
		csv_field(g->path, tty);
		printf(",%.3f,%.3f,%s,%.3f,%s,%.3f,%s,%.3f,%.2f,%.2f,", g->start, g->end,
		       g->cls >= 0 ? an_class_name(g->cls) : "", g->cls_conf,
		       g->key >= 0 ? an_key_name(g->key, style, 1, k, sizeof(k)) : "", g->key_conf,
		       g->has_tempo ? (snprintf(t, sizeof(t), "%.2f", g->bpm), t) : "",
		       g->bpm_conf, g->loudness, g->peak_db);
		csv_field(g->tags, tty);
		putchar('\n');
		return;
	}
	e = str_escape_term(path_base(g->path));
	snprintf(t, sizeof(t), "%.1f", g->bpm);
	printf("%6lld  %-36s %3d %8s %8s  %-10s %-5s %6s  ", (long long)g->id, e, g->idx,
	       fmt_dur(g->start, s, sizeof(s)), fmt_dur(g->end - g->start, d, sizeof(d)),
	       g->cls >= 0 ? an_class_name(g->cls) : "-",
	       g->key >= 0 ? an_key_name(g->key, style, 1, k, sizeof(k)) : "-",
	       g->has_tempo ? t : "-");
	free(e);
	str_fputs_safe(g->tags, stdout);
	putchar('\n');
}

static int ls_run(struct cli_env *env, int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "json", no_argument, NULL, 'j' }, { "csv", no_argument, NULL, 'c' },
		{ "regions", no_argument, NULL, 'r' }, { "limit", required_argument, NULL, 'n' },
		{ "m3u", no_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	struct gr_err err = { 0 };
	struct cat_query *q = NULL;
	struct cat_cursor *cur = NULL;
	struct cat *c = NULL;
	struct str text;
	int out = OUT_TABLE, regions = 0, o, r, rows = 0, rc = CLI_FAIL;
	int tty = isatty(STDOUT_FILENO), style = cli_key_style(env);
	long limit = 0;

	optind = 0;   /* GNU: full reinitialisation after main's getopt */
	while ((o = getopt_long(argc, argv, "p0n:", lopts, NULL)) != -1) {
		switch (o) {
		case 'j': out = OUT_JSON; break;
		case 'c': out = OUT_CSV; break;
		case 'm': out = OUT_M3U; break;
		case 'p': out = OUT_PATHS; break;
		case '0': out = OUT_PATHS0; break;
		case 'r': regions = 1; break;
		case 'n':
			limit = strtol(optarg, NULL, 10);
			if (limit <= 0)
				return cli_usage_error(&cli_cmd_ls, "--limit takes a positive number");
			break;
		default: return cli_usage_error(&cli_cmd_ls, "unknown option");
		}
	}
	/* the query may come as several words: join them */
	str_init(&text);
	{
		char *words = cli_join_words(argc - optind, argv + optind);
		str_add(&text, words);
		free(words);
	}
	q = cli_query(text.s);
	if (q != NULL && !cat_query_has_sort(q)) {
		/* a listing reads best in path order (the API's default is ids) */
		cat_query_free(q);
		str_add(&text, " sort:path");
		q = cli_query(text.s);
	}
	str_fini(&text);
	if (q == NULL)
		return CLI_USAGE;
	if ((c = cli_catalog(env, 1)) == NULL)
		goto out;
	cur = cat_find(c, q, regions ? CAT_REGIONS : CAT_FILES, limit, &err);
	if (cur == NULL)
		goto fail;
	if (out == OUT_JSON)
		putchar('[');
	else if (out == OUT_M3U)
		puts("#EXTM3U");
	else if (out == OUT_CSV && regions)
		puts("id,file,idx,path,start,end,class,class_conf,key,key_conf,bpm,bpm_conf,"
		     "loudness,peak_db,tags");
	else if (out == OUT_CSV)
		puts("id,path,format,codec,rate,channels,bits,duration,class,class_conf,key,"
		     "key_conf,bpm,bpm_conf,regions,loudness,peak_db,status,missing,tags");
	else if (out == OUT_TABLE && tty && regions)
		printf("%6s  %-36s %3s %8s %8s  %-10s %-5s %6s  %s\n", "ID", "FILE", "#", "START",
		       "DUR", "CLASS", "KEY", "BPM", "TAGS");
	else if (out == OUT_TABLE && tty)
		printf("%6s  %-44s %8s  %-10s %-5s %6s %4s  %s\n", "ID", "NAME", "DUR", "CLASS",
		       "KEY", "BPM", "REG", "TAGS");
	for (;;) {
		if (regions) {
			struct cat_region g;
			if ((r = cat_next_region(cur, &g, &err)) != 1)
				break;
			print_region(&g, out, style, tty, rows == 0);
		} else {
			struct cat_file f;
			if ((r = cat_next_file(cur, &f, &err)) != 1)
				break;
			print_file(&f, out, style, tty, rows == 0);
		}
		rows++;
	}
	if (out == OUT_JSON)
		printf("%s]\n", rows ? "\n" : "");
	if (r < 0)
		goto fail;
	rc = CLI_OK;
	goto out;
fail:
	cli_error("%s", err.msg);
out:
	cat_cursor_free(cur);
	cat_close(c);
	cat_query_free(q);
	return rc;
}

const struct cli_cmd cli_cmd_ls = {
	.name = "ls",
	.args = "[QUERY] [--json|--csv|--m3u|-p|-0] [--regions] [--limit N]",
	.summary = "list files (or regions) in the catalog that match a query",
	.help =
	"  --json      a JSON array with every searchable field\n"
	"  --csv       CSV with a header line\n"
	"  --m3u       an M3U playlist (regions with VLC start/stop times)\n"
	"  -p          bare paths, one per line (for xargs); -0 separates with NUL\n"
	"  --regions   list regions instead of files (-p prints path, start, end)\n"
	"  --limit N   at most N rows\n"
	"\nQuery: free words match path, name and tags; field:value terms:\n"
	"  key:Am key:\"A minor\" key:F# key:~Am (compatible keys) mode:minor\n"
	"  bpm:118..124 bpm:~120 (also half/double) dur:<2s rate:>=48k ch:2 bits:24\n"
	"  class:speech conf:>0.7 keyconf: bpmconf: tag:kick tag:dr* format:flac\n"
	"  status:failed|missing|partial loud:<-20 peak: lra: size:>10M meter:3\n"
	"  regions:>3 start: end: idx: id: file: region:\n"
	"  -term negates, a,b is OR (tag:kick,snare), ( ) groups, sort:bpm sort:-dur\n"
	"\nExamples:\n"
	"  grym ls class:percussion bpm:~120 sort:-conf\n"
	"  grym ls 'key:~Am mode:minor' -p | xargs -d '\\n' ls -l\n"
	"  grym ls --regions 'class:speech dur:>5s' --json\n",
	.run = ls_run,
};
