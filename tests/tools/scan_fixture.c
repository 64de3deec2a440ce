/*
 * scan_fixture.c - write a short generated audio file whose content
 * depends on a seed, for the scan tests and bench/scan_bench.sh (files
 * with different seeds have different bytes, so content hashes differ).
 *
 *   scan_fixture OUT FORMAT RATE CHANNELS SECONDS SEED
 *
 * FORMAT is a fixtures.h short name (wav16, flac16, ogg, aiff16, caf16,
 * ...).  The signal cycles through a chord (partials from the seed),
 * silence, pink noise (seeded) and silence, about 4 s per cycle, so every
 * file has regions.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fixtures.h"
#include "grym/util.h"

int main(int argc, char **argv)
{
	struct gr_err err = { 0 };
	struct fx_spec s = { 0 };
	struct fx_seg *segs;
	double secs, t = 0;
	unsigned seed;
	size_t n = 0, cap;

	if (argc != 7) {
		fprintf(stderr, "usage: scan_fixture OUT FORMAT RATE CHANNELS SECONDS SEED\n");
		return 2;
	}
	s.format = fx_format(argv[2]);
	s.rate = atoi(argv[3]);
	s.channels = atoi(argv[4]);
	secs = atof(argv[5]);
	seed = (unsigned)strtoul(argv[6], NULL, 10);
	if (s.format == 0 || s.rate <= 0 || s.channels <= 0 || !(secs > 0)) {
		fprintf(stderr, "scan_fixture: bad arguments\n");
		return 2;
	}
	cap = (size_t)(secs / 4.0) * 4 + 8;
	segs = xcalloc(cap, sizeof(*segs));
	for (int k = 0; t < secs && n + 1 < cap; k++) {
		struct fx_seg g = { 0 };
		switch (k % 4) {
		case 0:
			g.kind = FX_CHORD;
			g.dur = 1.5;
			g.amp = 0.5;
			g.n_partials = 3;
			g.partials[0] = 110.0 * (1 + seed % 7);
			g.partials[1] = g.partials[0] * 1.25;
			g.partials[2] = g.partials[0] * 1.5;
			g.fade = 0.02;
			break;
		case 2:
			g.kind = FX_PINK;
			g.dur = 1.5;
			g.amp = 0.3;
			g.seed = seed * 4 + (unsigned)k + 1;
			g.fade = 0.02;
			break;
		default:
			g.kind = FX_SILENCE;
			g.dur = 0.5;
			break;
		}
		if (t + g.dur > secs)
			g.dur = secs - t;
		t += g.dur;
		segs[n++] = g;
	}
	s.segs = segs;
	s.n_segs = n;
	if (fx_write(argv[1], &s, NULL, &err) != 0) {
		fprintf(stderr, "scan_fixture: %s\n", err.msg);
		free(segs);
		return 1;
	}
	free(segs);
	return 0;
}
