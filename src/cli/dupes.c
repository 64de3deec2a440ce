/*
 * dupes.c - `grym dupes [QUERY] [--threshold T] [--json]`: groups of files
 * or regions in the catalog that are the same sound (a WAV and its MP3, a
 * resampled or gain-changed copy, a trimmed copy, a region exported and
 * re-imported), each with its best copy marked.
 *
 * Reads the files matching the query (all files without one), their
 * stored Chromaprint fingerprints and region times, and hands them to
 * src/similar/dupes.c.  Cost: one fingerprint row per file (~32 B per
 * second of audio in memory) plus the index; see grym/dupes.h.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grym/catalog.h"
#include "grym/cli.h"
#include "grym/dupes.h"
#include "grym/util.h"

extern const struct cli_cmd cli_cmd_dupes;

/* What the output needs of a file (the cursor's strings are borrowed). */
struct drow {
	int64_t id;
	char *path, *format, *codec;
	int rate, bits, lossless;
	double duration;
};

static int cmp_row(const void *x, const void *y)
{
	const struct drow *p = x, *q = y;
	return (p->id > q->id) - (p->id < q->id);
}

static const struct drow *row_of(const struct drow *rows, size_t n, int64_t id)
{
	struct drow key = { .id = id };
	return bsearch(&key, rows, n, sizeof(*rows), cmp_row);
}

/* The files matching q, sorted by id. */
static int load_rows(struct cat *c, const struct cat_query *q, struct drow **out,
                     size_t *n_out, struct gr_err *err)
{
	struct cat_cursor *cur = cat_find(c, q, CAT_FILES, 0, err);
	struct drow *rows = NULL;
	size_t n = 0, cap = 0;
	struct cat_file f;
	int r;

	if (cur == NULL)
		return -err->code;
	while ((r = cat_next_file(cur, &f, err)) == 1) {
		if (f.status == CAT_ST_FAILED)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			rows = xrealloc(rows, cap * sizeof(*rows));
		}
		rows[n++] = (struct drow){ f.id, xstrdup(f.path), xstrdup(f.format),
		                           xstrdup(f.codec), f.rate, f.bits, f.lossless,
		                           f.duration };
	}
	cat_cursor_free(cur);
	if (n > 0)
		qsort(rows, n, sizeof(*rows), cmp_row);
	*out = rows;
	*n_out = n;
	return r < 0 ? r : 0;
}

/* Add every row with its fingerprint and regions to d; *no_fp counts the
 * files without a fingerprint. */
static int feed(struct cat *c, struct dupes *d, const struct drow *rows, size_t n,
                size_t *no_fp, struct gr_err *err)
{
	struct dupes_region *regs = NULL;
	size_t cap = 0;
	int r = 0;

	for (size_t i = 0; i < n && r >= 0; i++) {
		struct dupes_file f = { .id = rows[i].id, .duration = rows[i].duration,
		                        .lossless = rows[i].lossless, .rate = rows[i].rate,
		                        .bits = rows[i].bits };
		struct cat_cursor *cur;
		struct cat_region g;
		int nr = 0;

		if ((r = cat_fp_get(c, rows[i].id, &f.fp, &f.n_fp, &f.item_s, err)) < 0)
			break;
		if (r == 0) {
			(*no_fp)++;
			continue;
		}
		if ((cur = cat_regions_of(c, rows[i].id, err)) == NULL) {
			free(f.fp);
			r = -err->code;
			break;
		}
		while ((r = cat_next_region(cur, &g, err)) == 1) {
			if ((size_t)nr == cap) {
				cap = cap ? cap * 2 : 16;
				regs = xrealloc(regs, cap * sizeof(*regs));
			}
			regs[nr++] = (struct dupes_region){ g.id, g.start, g.end };
		}
		cat_cursor_free(cur);
		if (r < 0) {
			free(f.fp);
			break;
		}
		f.regions = regs;
		f.n_regions = nr;
		r = dupes_add(d, &f, err);
	}
	free(regs);
	return r < 0 ? r : 0;
}

static void print_json(const struct dupes_group *gs, size_t ng, const struct drow *rows,
                       size_t n)
{
	struct str b;

	str_init(&b);
	str_add(&b, "[");
	for (size_t i = 0; i < ng; i++) {
		const struct dupes_group *g = &gs[i];
		str_addf(&b, "%s\n  {\"group\": %zu, \"score\": %.3f, \"members\": [",
		         i ? "," : "", i + 1, g->score);
		for (int k = 0; k < g->n; k++) {
			const struct dupes_member *m = &g->m[k];
			const struct drow *w = row_of(rows, n, m->file_id);
			str_addf(&b, "%s\n    {\"id\": %lld, \"path\": ", k ? "," : "",
			         (long long)m->file_id);
			str_add_json(&b, w != NULL ? w->path : "");
			if (m->region >= 0)
				str_addf(&b, ", \"region\": %d, \"region_id\": %lld", m->region,
				         (long long)m->region_id);
			else
				str_add(&b, ", \"region\": null, \"region_id\": null");
			str_addf(&b, ", \"start\": %.3f, \"end\": %.3f, \"format\": ", m->start,
			         m->end);
			str_add_json(&b, w != NULL ? w->format : "");
			str_add(&b, ", \"codec\": ");
			str_add_json(&b, w != NULL ? w->codec : "");
			str_addf(&b, ", \"rate\": %d, \"bits\": %d, \"lossless\": %s, "
			         "\"duration\": %.3f, \"score\": %.3f, \"best\": %s}",
			         w != NULL ? w->rate : 0, w != NULL ? w->bits : 0,
			         w != NULL && w->lossless ? "true" : "false",
			         w != NULL ? w->duration : 0.0, m->score,
			         k == g->best ? "true" : "false");
		}
		str_add(&b, "]}");
	}
	str_add(&b, ng ? "\n]\n" : "]\n");
	fputs(b.s, stdout);
	str_fini(&b);
}

static void print_text(const struct dupes_group *gs, size_t ng, const struct drow *rows,
                       size_t n)
{
	for (size_t i = 0; i < ng; i++) {
		const struct dupes_group *g = &gs[i];
		printf("group %zu: %d copies, similarity %.2f\n", i + 1, g->n, g->score);
		for (int k = 0; k < g->n; k++) {
			const struct dupes_member *m = &g->m[k];
			const struct drow *w = row_of(rows, n, m->file_id);
			printf("  %s ", k == g->best ? "best" : "    ");
			str_fputs_safe(w != NULL ? w->path : "?", stdout);
			if (m->region >= 0)
				printf(" region %d (%.2f-%.2f s)", m->region, m->start, m->end);
			printf("  [");
			str_fputs_safe(w != NULL && w->format[0] ? w->format : "?", stdout);
			if (w != NULL && w->bits > 0)
				printf(", %d Hz, %d-bit, %s, %.1f s]", w->rate, w->bits,
				       w->lossless ? "lossless" : "lossy", m->end - m->start);
			else
				printf(", %d Hz, %s, %.1f s]", w != NULL ? w->rate : 0,
				       w != NULL && w->lossless ? "lossless" : "lossy",
				       m->end - m->start);
			printf("  %.2f\n", m->score);
		}
	}
}

static int dupes_run_cmd(struct cli_env *env, int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "threshold", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct gr_err err = { 0 };
	struct dupes_cfg dc = { 0 };
	struct cat_query *q = NULL;
	struct dupes *d = NULL;
	struct drow *rows = NULL;
	struct cat *c = NULL;
	const struct dupes_group *gs;
	size_t n = 0, ng, no_fp = 0, members = 0;
	int json = 0, o, rc = CLI_FAIL;
	char *end;

	optind = 0;
	while ((o = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (o) {
		case 'j': json = 1; break;
		case 't':
			dc.threshold = strtod(optarg, &end);
			if (end == optarg || *end != '\0' || !(dc.threshold > 0 && dc.threshold <= 1))
				return cli_usage_error(&cli_cmd_dupes,
				                       "--threshold takes a number in (0, 1]");
			break;
		default: return cli_usage_error(&cli_cmd_dupes, "unknown option");
		}
	}
	q = cli_query_words(argc - optind, argv + optind);
	if (q == NULL)
		return CLI_USAGE;
	if ((c = cli_catalog(env, 1)) == NULL)
		goto out;
	d = dupes_new(&dc);
	if (load_rows(c, q, &rows, &n, &err) != 0 || feed(c, d, rows, n, &no_fp, &err) != 0 ||
	    dupes_run(d, &err) < 0) {
		cli_error("%s", err.msg);
		goto out;
	}
	gs = dupes_groups(d, &ng);
	for (size_t i = 0; i < ng; i++)
		members += (size_t)gs[i].n;
	if (json) {
		print_json(gs, ng, rows, n);
	} else {
		print_text(gs, ng, rows, n);
		printf("%zu group%s (%zu members) among %zu files", ng, ng == 1 ? "" : "s",
		       members, n);
		if (no_fp > 0)
			printf("; %zu without a fingerprint (too short, or analysed by an older "
			       "grym: scan its folder again)", no_fp);
		putchar('\n');
	}
	rc = CLI_OK;
out:
	for (size_t i = 0; i < n; i++) {
		free(rows[i].path);
		free(rows[i].format);
		free(rows[i].codec);
	}
	free(rows);
	dupes_free(d);
	cat_close(c);
	cat_query_free(q);
	return rc;
}

const struct cli_cmd cli_cmd_dupes = {
	.name = "dupes",
	.args = "[QUERY] [--threshold T] [--json]",
	.summary = "find files or regions that are the same sound (transcodes, trims)",
	.help =
	"  --threshold T  minimum similarity 0..1 (default 0.7): 1 - 2 x the bit\n"
	"                 error rate of the aligned Chromaprint fingerprints\n"
	"  --json         a JSON array of groups (fields in grym(1))\n"
	"\nFinds copies across formats, sample rates, gain changes and trims, and a\n"
	"region of a file exported and re-imported; marks the best copy of each\n"
	"group (lossless, then higher rate, bit depth, length).  The query limits\n"
	"the files compared (as grym ls).\n"
	"\nExamples:\n"
	"  grym dupes\n"
	"  grym dupes path:drums --threshold 0.8 --json\n",
	.run = dupes_run_cmd,
};
