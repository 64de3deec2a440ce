/*
 * catgen.c - build a synthetic catalog through the catalog API (no audio):
 *
 *   catgen DB N_FILES N_REGIONS [--root DIR] [--touch] [--peaks B] [--runs R]
 *
 * File i is DIR/<dir>/<word>_<i>.<ext> with dir = dirs[i % 5] and word =
 * words[i % 12]; its class follows the word, key = i * 7 % 25 - 1 (-1 =
 * none), tempo 0 (none) for i % 3 == 0 else 60 + i * 37 % 120 BPM.  The
 * regions are spread evenly (the first N_REGIONS % N_FILES files get one
 * more).  Files whose word is "kick" get the user tag "drums".  --touch
 * also creates each file (empty) on disk.  Writes in batches of 1000 files.
 * Prints "files N regions M seconds S".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "anfix.h"
#include "grym/catalog.h"
#include "grym/util.h"

static const char *const dirs[5] = { "drums", "music/loops", "field", "voice", "fx" };
static const char *const words[12] = {
	"kick", "snare", "pad", "vox", "rain", "loop", "bass", "hat", "interview",
	"chord", "impact", "birds",
};
static const int word_class[12] = {
	AN_PERCUSSION, AN_PERCUSSION, AN_MUSIC, AN_SINGING, AN_AMBIENCE, AN_MUSIC, AN_MUSIC,
	AN_PERCUSSION, AN_SPEECH, AN_MUSIC, AN_EFFECT, AN_AMBIENCE,
};
static const char *const exts[4] = { "wav", "flac", "ogg", "mp3" };

int main(int argc, char **argv)
{
	struct gr_err err = { 0 };
	const char *root_dir = "/synthetic/library";
	int touch = 0, peaks = 0, runs = 5;
	long nfiles, nregions;
	struct cat *c;
	int64_t root;
	char *prefix;
	double t0 = time_now();

	if (argc < 4) {
		fprintf(stderr, "usage: catgen DB N_FILES N_REGIONS [--root DIR] [--touch] "
		        "[--peaks B] [--runs R]\n");
		return 2;
	}
	nfiles = atol(argv[2]);
	nregions = atol(argv[3]);
	for (int i = 4; i < argc; i++) {
		if (!strcmp(argv[i], "--root") && i + 1 < argc)
			root_dir = argv[++i];
		else if (!strcmp(argv[i], "--touch"))
			touch = 1;
		else if (!strcmp(argv[i], "--peaks") && i + 1 < argc)
			peaks = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else {
			fprintf(stderr, "catgen: unknown argument %s\n", argv[i]);
			return 2;
		}
	}
	if ((c = cat_open(argv[1], 0, &err)) == NULL ||
	    cat_root_for_dir(c, root_dir, &root, &prefix, &err) != 0) {
		fprintf(stderr, "catgen: %s\n", err.msg);
		return 1;
	}
	for (long i = 0; i < nfiles; i++) {
		char rel[256];
		struct anfix_spec s;
		struct an_file f;
		int w = (int)(i % 12);
		if (i % 1000 == 0 && cat_batch_begin(c, &err) != 0)
			goto fail;
		snprintf(rel, sizeof(rel), "%s%s/%s_%06ld.%s", prefix, dirs[i % 5], words[w], i,
		         exts[i % 4]);
		memset(&s, 0, sizeof(s));
		s.path = rel;
		s.duration = 0.25 + (double)(i * 13 % 2400) / 4;
		s.cls = word_class[w];
		s.cls_conf = 0.3f + (float)(i % 70) / 100;
		s.key = (int)(i * 7 % 25) - 1;
		s.key_conf = (float)(i % 10) / 10;
		s.bpm = i % 3 == 0 ? 0 : 60 + (float)(i * 37 % 120);
		s.bpm_conf = (float)(i % 5) / 5;
		s.rate = i % 4 == 0 ? 48000 : i % 4 == 1 ? 44100 : i % 4 == 2 ? 96000 : 22050;
		s.channels = 1 + (int)(i % 2);
		s.bits = i % 4 < 2 ? 16 + 8 * (int)(i % 2) : 0;
		s.format = exts[i % 4];
		s.n_regions = (int)(nregions / nfiles + (i < nregions % nfiles));
		s.hash = (uint64_t)i * 0x9e3779b97f4a7c15ULL + 1;
		s.size = 1000 + i;
		s.mtime_ns = 1000000000LL * (1600000000 + i);
		s.loudness = -8 - (float)(i % 30);
		s.peaks = peaks;
		s.runs = runs;
		anfix_file(&f, &s);
		if (cat_store_analysis(c, root, rel, &f, "catgen-1", NULL, &err) != 0) {
			anfix_free(&f);
			goto fail;
		}
		anfix_free(&f);
		if (touch) {
			char *abs = cat_abs_path(c, root, rel), *slash;
			FILE *fp;
			slash = strrchr(abs, '/');
			*slash = '\0';
			path_mkdirs(abs, NULL);
			*slash = '/';
			if ((fp = fopen(abs, "w")) != NULL)
				fclose(fp);
			free(abs);
		}
		if ((i % 1000 == 999 || i == nfiles - 1) && cat_batch_end(c, 0, &err) != 0)
			goto fail;
	}
	{
		struct cat_query *q = cat_query_parse("name:kick_", NULL, &err);
		const char *tag = "drums";
		if (q == NULL || cat_tag(c, q, CAT_FILES, &tag, 1, NULL, 0, &err) < 0)
			goto fail;
		cat_query_free(q);
	}
	if (cat_optimize(c, &err) != 0)
		goto fail;
	printf("files %ld regions %ld seconds %.1f\n", nfiles, nregions, time_now() - t0);
	free(prefix);
	cat_close(c);
	return 0;
fail:
	fprintf(stderr, "catgen: %s\n", err.msg);
	cat_close(c);
	return 1;
}
