/*
 * featdump.c - run the real analysis pipeline (an_analyze_file with the
 * core plugins) on files and print what the classifier work needs:
 *
 *   featdump [--whole] [--win S] FILE...        descriptor rows (TSV)
 *   featdump --zeros                            rows of digital silence (below)
 *   featdump --report [--threshold T] FILE...   answers for the bench:
 *       F<TAB>file<TAB>class<TAB>conf             the file's main class
 *       R<TAB>file<TAB>region<TAB>start<TAB>end<TAB>class<TAB>conf<TAB>timeline
 *       C<TAB>file<TAB>change times, s, space-separated: the timeline's
 *           boundaries, and region edges around pauses of GAP_S or more
 *
 * Descriptor rows: file, kind (region | window | file), index, start_s,
 * end_s, class, confidence, then the AN_FEAT_DIM raw descriptors
 * (an_features_raw, before z-scoring).  "window" rows are S-second windows
 * (default 3, hop S/2) inside each region.  --whole switches silence
 * detection off so a file is one region (kind "file"): that is how silent
 * clips give training rows.  --threshold overrides the timeline's novelty
 * threshold (tuning).  --zeros pushes digital zeros of 2..12 s straight
 * through the dsp pass (the silence detector never makes a region of
 * them) and prints their rows as aug/synth/classes/silence/digital_zero_N.  Change points are region starts and ends inside the
 * file plus the timeline's boundaries inside regions.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grym/analysis.h"
#include "grym/config.h"
#include "grym/dsp.h"
#include "grym/util.h"

#define GAP_S 1.0   /* s: shorter pauses between regions are not changes */

static const char *cur_file;
static double win_s = 3.0;
static int dump_rows;

static void print_row(const char *kind, int idx, double t0, double t1, const char *cls,
                      float conf, const float *raw)
{
	char *e = str_escape_term(cur_file);
	printf("%s\t%s\t%d\t%.3f\t%.3f\t%s\t%.3f", e, kind, idx, t0, t1, cls, conf);
	free(e);
	for (int i = 0; i < AN_FEAT_DIM; i++)
		printf("\t%.6g", raw[i]);
	putchar('\n');
}

/* A plugin after classify that sees each region's frames and prints rows. */
static int dump_run(struct an_ctx *c, struct gr_err *err)
{
	const struct an_class_result *cr = an_get_class(c);
	const struct dsp_frame *f;
	double rate = an_frame_rate(c), t0 = an_region_start(c);
	float raw[AN_FEAT_DIM];
	size_t n, w, h;
	static int region_idx;
	int k = 0;

	if (!dump_rows)
		return 0;
	f = an_frames(c, &n);
	an_features_raw(f, n, rate, raw);
	print_row(dump_rows == 2 ? "file" : "region", region_idx, t0, an_region_end(c),
	          an_class_name(cr->cls), cr->conf, raw);
	w = (size_t)(win_s * rate);
	h = w / 2 ? w / 2 : 1;
	for (size_t i = 0; w > 0 && i + w <= n; i += h, k++) {
		an_features_raw(f + i, w, rate, raw);
		print_row("window", region_idx, t0 + (double)i / rate, t0 + (double)(i + w) / rate,
		          "-", 0, raw);
	}
	region_idx++;
	return 0;
}

static const char *const dump_needs[] = { "classify", NULL };
static const struct an_plugin dump_plugin = { "dump", 1, dump_needs, 1000, dump_run };

/* Rows of digital silence through the real dsp pass (no region is ever
 * made of it, so the pipeline cannot give them). */
static int zeros(const struct gr_config *cfg)
{
	for (int k = 0; k < 6; k++) {
		struct dsp_cfg dc = {
			.rate = cfg->rate, .fft_size = cfg->fft_size, .hop = cfg->hop,
			.src_rate = cfg->rate, .src_channels = 1, .silence_db = (float)cfg->silence_db,
			.hysteresis_db = (float)cfg->hysteresis_db, .min_silence = (float)cfg->min_silence,
			.min_region = (float)cfg->min_region, .padding = (float)cfg->padding,
		};
		struct gr_err err = { 0, "" };
		struct dsp_analyzer *a = dsp_new(&dc, &err);
		size_t n = (size_t)cfg->rate * (size_t)(2 + 2 * k), nf, w;
		float *x = xcalloc(n, sizeof(*x)), raw[AN_FEAT_DIM];
		struct dsp_frame *f;
		char name[96];
		double rate;

		if (a == NULL || dsp_push(a, x, n, &err) || dsp_push_source(a, x, n, &err) ||
		    dsp_finish(a, &err)) {
			fprintf(stderr, "featdump: %s\n", err.msg);
			return 1;
		}
		nf = (size_t)dsp_frame_count(a);
		rate = dsp_frame_rate(a);
		f = xcalloc(nf, sizeof(*f));
		if (dsp_frames_read(a, 0, nf, f, &err) != 0) {
			fprintf(stderr, "featdump: %s\n", err.msg);
			return 1;
		}
		snprintf(name, sizeof(name), "aug/synth/classes/silence/digital_zero_%d.wav", k);
		cur_file = name;
		an_features_raw(f, nf, rate, raw);
		print_row("file", k, 0, (double)n / cfg->rate, "-", 0, raw);
		w = (size_t)(win_s * rate);
		for (size_t i = 0; w > 0 && i + w <= nf; i += w / 2) {
			an_features_raw(f + i, w, rate, raw);
			print_row("window", k, (double)i / rate, (double)(i + w) / rate, "-", 0, raw);
		}
		free(f);
		free(x);
		dsp_free(a);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const struct an_plugin *ps[AN_MAX_PLUGINS];
	struct gr_config cfg;
	struct gr_err err = { 0, "" };
	struct an_engine *e;
	enum { FEAT, REPORT } mode = FEAT;
	int whole = 0, status = 0, i;
	size_t np = 0;

	config_defaults(&cfg);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--whole"))
			whole = 1;
		else if (!strcmp(argv[i], "--zeros"))
			return zeros(&cfg);
		else if (!strcmp(argv[i], "--report"))
			mode = REPORT;
		else if (!strcmp(argv[i], "--win") && i + 1 < argc)
			win_s = atof(argv[++i]);
		else if (!strcmp(argv[i], "--threshold") && i + 1 < argc)
			an_timeline_tune(atof(argv[++i]));
		else {
			fprintf(stderr, "usage: featdump [--whole] [--win S] [--report] "
			        "[--threshold T] FILE...\n");
			return 2;
		}
	}
	if (whole) {
		cfg.silence_db = -200;
		cfg.min_region = 0;
		cfg.padding = 0;
		dump_rows = 2;
	} else {
		dump_rows = mode == FEAT;
	}
	for (size_t k = 0; k < an_core_plugin_count(); k++)
		ps[np++] = an_core_plugins[k];
	ps[np++] = &dump_plugin;
	if ((e = an_engine_new(ps, np, 0, &err)) == NULL) {
		fprintf(stderr, "featdump: %s\n", err.msg);
		return 1;
	}
	if (mode == FEAT) {
		printf("file\tkind\tindex\tstart_s\tend_s\tclass\tconf");
		for (int k = 0; k < AN_FEAT_DIM; k++)
			printf("\t%s", an_feature_name(k));
		putchar('\n');
	}
	for (; i < argc; i++) {
		struct an_file out;
		char *name;

		cur_file = argv[i];
		an_engine_file_begin(e, argv[i]);
		if (an_analyze_file(argv[i], &cfg, e, &out, &err) != 0) {
			fprintf(stderr, "featdump: %s\n", err.msg);
			status = 1;
			continue;
		}
		name = str_escape_term(argv[i]);
		if (mode == REPORT) {
			printf("F\t%s\t%s\t%.3f\n", name, an_class_name(out.summary.cls),
			       out.summary.cls_conf);
			for (int r = 0; r < out.n_regions; r++) {
				const struct an_region *g = &out.regions[r];
				printf("R\t%s\t%d\t%.3f\t%.3f\t%s\t%.3f\t", name, r, g->start, g->end,
				       g->has_class ? an_class_name(g->cls.cls) : "-", g->cls.conf);
				for (int s = 0; g->has_timeline && s < g->timeline.n; s++)
					printf("%s%.2f-%.2f:%s", s ? " " : "", g->timeline.seg[s].start,
					       g->timeline.seg[s].end,
					       an_class_name(g->timeline.seg[s].cls));
				putchar('\n');
			}
			/* a pause shorter than GAP_S between two regions is a breath in
			 * one sound, not a change of content */
			printf("C\t%s\t", name);
			for (int r = 0; r < out.n_regions; r++) {
				const struct an_region *g = &out.regions[r];
				double next = r + 1 < out.n_regions ? out.regions[r + 1].start
				                                    : out.duration;
				if (r == 0 && g->start > 0.05)
					printf("%.3f ", g->start);
				for (int s = 1; g->has_timeline && s < g->timeline.n; s++)
					printf("%.3f ", g->timeline.seg[s].start);
				if (next - g->end >= GAP_S) {
					printf("%.3f ", g->end);
					if (r + 1 < out.n_regions)
						printf("%.3f ", next);
				}
			}
			putchar('\n');
		}
		free(name);
		an_file_fini(&out);
		an_engine_file_done(e);
	}
	an_engine_free(e);
	return status;
}
