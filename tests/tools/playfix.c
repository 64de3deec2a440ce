/*
 * playfix.c - fixtures for the audition tests: `playfix DIR CATALOG`
 * writes DIR/regions.flac (44.1 kHz stereo, 24 bit) with three sounds
 * separated by silence - a loud white-noise "gunshot" (peak 0.9, left
 * louder than right), a quiet pink-noise "whisper" (peak 0.02) and a
 * mid-level noise burst - analyses it with the real pipeline
 * (an_analyze_file, default configuration) and stores it in CATALOG (a
 * new root DIR).  Also writes DIR/plain.wav (mono 48 kHz, 16 bit, 1.2 s
 * of pink noise at peak 0.3, not in the catalog) and DIR/long.wav (mono
 * 44.1 kHz, 4 s of white noise at peak 0.4).
 * Prints shell assignments: ID=<file id>, NREG=<n>, then for each region
 * R<i>="START END LOUDNESS PEAK_DB".
 */
#include <stdio.h>
#include <stdlib.h>

#include "fixtures.h"
#include "grym/analysis.h"
#include "grym/catalog.h"
#include "grym/config.h"
#include "grym/util.h"

__attribute__((noreturn)) static void die(const struct gr_err *e)
{
	fprintf(stderr, "playfix: %s\n", e->msg);
	exit(1);
}

int main(int argc, char **argv)
{
	static const double lr[2] = { 1.0, 0.7 };
	struct fx_seg segs[] = {
		{ .kind = FX_SILENCE, .dur = 0.4 },
		{ .kind = FX_WHITE, .dur = 1.0, .amp = 0.9, .seed = 3, .fade = 0.002 },
		{ .kind = FX_SILENCE, .dur = 0.6 },
		{ .kind = FX_PINK, .dur = 1.0, .amp = 0.02, .seed = 5, .fade = 0.01 },
		{ .kind = FX_SILENCE, .dur = 0.6 },
		{ .kind = FX_WHITE, .dur = 0.5, .amp = 0.25, .seed = 7, .fade = 0.005 },
		{ .kind = FX_SILENCE, .dur = 0.4 },
	};
	struct fx_seg plain[] = { { .kind = FX_PINK, .dur = 1.2, .amp = 0.3, .seed = 11 } };
	struct fx_seg lng[] = { { .kind = FX_WHITE, .dur = 4.0, .amp = 0.4, .seed = 13 } };
	struct fx_spec s = { .rate = 44100, .channels = 2, .chan_gain = lr,
	                     .format = fx_format("flac24"), .segs = segs,
	                     .n_segs = GR_ARRAY_LEN(segs) };
	struct gr_err err = { 0 };
	struct gr_config cfg;
	struct an_engine *eng;
	struct an_file f;
	struct cat *c;
	int64_t root, id;
	char *prefix = NULL, *path, *rel;
	int i;

	if (argc != 3) {
		fprintf(stderr, "usage: playfix DIR CATALOG\n");
		return 2;
	}
	path = fx_path(argv[1], "regions.flac");
	if (fx_write(path, &s, NULL, &err) < 0)
		die(&err);
	free(path);
	s = (struct fx_spec){ .rate = 48000, .channels = 1, .format = fx_format("wav16"),
	                      .segs = plain, .n_segs = 1 };
	path = fx_path(argv[1], "plain.wav");
	if (fx_write(path, &s, NULL, &err) < 0)
		die(&err);
	free(path);
	s = (struct fx_spec){ .rate = 44100, .channels = 1, .format = fx_format("wav16"),
	                      .segs = lng, .n_segs = 1 };
	path = fx_path(argv[1], "long.wav");
	if (fx_write(path, &s, NULL, &err) < 0)
		die(&err);
	free(path);

	config_defaults(&cfg);
	path = fx_path(argv[1], "regions.flac");
	if ((eng = an_engine_new(NULL, 0, 0, &err)) == NULL ||
	    an_analyze_file(path, &cfg, eng, &f, &err) != 0)
		die(&err);
	if ((c = cat_open(argv[2], 0, &err)) == NULL ||
	    cat_root_for_dir(c, argv[1], &root, &prefix, &err) != 0)
		die(&err);
	rel = xasprintf("%sregions.flac", prefix);
	if (cat_store_analysis(c, root, rel, &f, "playfix-1", &id, &err) != 0)
		die(&err);
	printf("ID=%lld\nNREG=%d\n", (long long)id, f.n_regions);
	for (i = 0; i < f.n_regions; i++)
		printf("R%d=\"%.6f %.6f %.3f %.3f\"\n", i, f.regions[i].start, f.regions[i].end,
		       f.regions[i].loudness, f.regions[i].peak_db);
	an_file_fini(&f);
	an_engine_free(eng);
	cat_close(c);
	free(rel);
	free(prefix);
	free(path);
	return 0;
}
