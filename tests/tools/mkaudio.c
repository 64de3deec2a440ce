/*
 * mkaudio.c - write a generated audio file for benchmarks and integration
 * tests, streaming (a 2-hour file needs no more memory than a short one).
 *
 *   mkaudio OUT FORMAT RATE CHANNELS SECONDS [KIND] [SEED]
 *
 * FORMAT is a fixtures.h short name (wav16, flac16, ogg, mp3, ...) or
 * m4a-aac / m4a-alac.  KIND: "mix" (default: a cycle of chord, silence,
 * pink noise, silence, tone, silence - about 9 s per cycle, so regions
 * are known), "tone", "noise", "silence".  SEED varies the noise and the
 * chord so generated files differ in content.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "grym/util.h"

int main(int argc, char **argv)
{
	struct gr_err err = { 0 };
	struct fx_spec s;
	struct fx_seg *segs;
	const char *kind = argc > 6 ? argv[6] : "mix";
	unsigned seed = argc > 7 ? (unsigned)strtoul(argv[7], NULL, 10) : 1;
	double total, t = 0;
	size_t n = 0, cap;
	int rc;

	if (argc < 6) {
		fprintf(stderr, "usage: mkaudio OUT FORMAT RATE CHANNELS SECONDS [KIND] [SEED]\n");
		return 2;
	}
	total = atof(argv[5]);
	memset(&s, 0, sizeof(s));
	s.rate = atoi(argv[3]);
	s.channels = atoi(argv[4]);
	if (strncmp(argv[2], "m4a-", 4) != 0 && (s.format = fx_format(argv[2])) == 0) {
		fprintf(stderr, "mkaudio: unknown format %s\n", argv[2]);
		return 2;
	}
	cap = (size_t)(total / 0.5) + 8;
	segs = xcalloc(cap, sizeof(*segs));
	if (!strcmp(kind, "mix")) {
		double base = 110.0 * (1.0 + (seed % 12) / 12.0);
		while (t < total && n + 6 < cap) {
			struct fx_seg cyc[6] = {
				{ .kind = FX_CHORD, .dur = 3.0, .amp = 0.6, .n_partials = 4,
				  .partials = { base * 2, base * 2.5, base * 3, base * 4 }, .fade = 0.01 },
				{ .kind = FX_SILENCE, .dur = 0.8 },
				{ .kind = FX_PINK, .dur = 2.0, .amp = 0.4, .seed = seed + (unsigned)n },
				{ .kind = FX_SILENCE, .dur = 0.6 },
				{ .kind = FX_SINE, .dur = 1.5, .freq = base * 4, .amp = 0.5, .fade = 0.005 },
				{ .kind = FX_SILENCE, .dur = 1.0 },
			};
			for (int i = 0; i < 6 && t < total; i++) {
				segs[n] = cyc[i];
				if (t + segs[n].dur > total)
					segs[n].dur = total - t;
				t += segs[n].dur;
				n++;
			}
		}
	} else {
		segs[0].dur = total;
		segs[0].amp = 0.5;
		segs[0].seed = seed;
		if (!strcmp(kind, "tone")) {
			segs[0].kind = FX_SINE;
			segs[0].freq = 440;
		} else if (!strcmp(kind, "noise")) {
			segs[0].kind = FX_PINK;
		} else {
			segs[0].kind = FX_SILENCE;
		}
		n = 1;
	}
	s.segs = segs;
	s.n_segs = n;
	if (!strncmp(argv[2], "m4a-", 4))
		rc = fx_write_m4a(argv[1], &s, argv[2] + 4, NULL, &err);
	else
		rc = fx_write(argv[1], &s, NULL, &err);
	free(segs);
	if (rc != 0) {
		fprintf(stderr, "mkaudio: %s\n", err.msg);
		return 1;
	}
	return 0;
}
