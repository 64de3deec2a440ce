/*
 * anfix.h - hand-built analysis results (struct an_file) for catalog tests,
 * the synthetic catalog generator and benchmarks: no audio is decoded.
 */
#ifndef GRYM_TEST_ANFIX_H
#define GRYM_TEST_ANFIX_H

#include <stdint.h>

#include "grym/analysis.h"

struct anfix_spec {
	const char *path;        /* stored in f->path */
	double duration;         /* s */
	int cls;                 /* enum an_class or -1 */
	float cls_conf;
	int key;                 /* AN_NO_KEY or 0..23 */
	float key_conf;
	float bpm;               /* 0 = no tempo */
	float bpm_conf;
	int rate, channels, bits;
	const char *format;      /* "wav" ... */
	int n_regions;           /* >= 0, regions split the duration evenly */
	uint64_t hash;
	int64_t size, mtime_ns;
	float loudness;          /* LUFS */
	int peaks;               /* buckets of the overview (detail = 4x), 0 = none */
	int runs;                /* plugin runs recorded per region (0..5) */
	int partial;
};

/* Fill *f from *s (zeroing it first); free with anfix_free(). */
void anfix_file(struct an_file *f, const struct anfix_spec *s);
void anfix_free(struct an_file *f);

#endif
