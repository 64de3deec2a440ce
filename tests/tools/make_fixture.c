/*
 * make_fixture.c - write a long deterministic test file (for benchmarks
 * and manual checks) with tests/support/fixtures.
 *
 *   make_fixture OUT FORMAT RATE CHANNELS SECONDS
 *
 * FORMAT is a fixtures name (wav16, flac16, ogg, mp3, ...; see fx_format)
 * or m4a-aac / m4a-alac.  The content cycles through 4.5 s of "music-like"
 * material: a 2 s chord, 0.5 s of silence, 1 s of pink noise and 1 s of a
 * click train at 4 Hz, each channel slightly quieter than the previous.
 * Generation streams: memory does not depend on SECONDS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "grym/util.h"

int main(int argc, char **argv)
{
	struct gr_err err = { 0 };
	struct fx_spec s = { 0 };
	struct fx_seg *segs;
	double secs, gain[64];
	size_t n, i;
	int rc, c;

	if (argc != 6) {
		fprintf(stderr, "usage: make_fixture OUT FORMAT RATE CHANNELS SECONDS\n");
		return 2;
	}
	s.rate = atoi(argv[3]);
	s.channels = atoi(argv[4]);
	secs = atof(argv[5]);
	if (s.channels < 1 || s.channels > 64 || s.rate <= 0 || secs <= 0) {
		fprintf(stderr, "make_fixture: bad rate, channels or seconds\n");
		return 2;
	}
	for (c = 0; c < 64; c++)
		gain[c] = 1.0 - 0.01 * c;
	s.chan_gain = gain;
	n = (size_t)(secs / 4.5) * 4 + 4;
	segs = xcalloc(n, sizeof(*segs));
	for (i = 0; i < n; i++) {
		struct fx_seg *g = &segs[i];
		switch (i % 4) {
		case 0:
			*g = (struct fx_seg){ .kind = FX_CHORD, .dur = 2, .amp = 0.6, .fade = 0.01,
			                      .partials = { 220, 277.18, 329.63, 440 },
			                      .n_partials = 4 };
			break;
		case 1:
			*g = (struct fx_seg){ .kind = FX_SILENCE, .dur = 0.5 };
			break;
		case 2:
			*g = (struct fx_seg){ .kind = FX_PINK, .dur = 1, .amp = 0.4,
			                      .seed = (unsigned)i + 1 };
			break;
		default:
			*g = (struct fx_seg){ .kind = FX_CLICKS, .dur = 1, .freq = 4, .amp = 0.8 };
			break;
		}
	}
	/* Trim the last segment so the total is SECONDS. */
	{
		double t = 0;
		for (i = 0; i < n; i++) {
			if (t + segs[i].dur >= secs) {
				segs[i].dur = secs - t;
				n = i + 1;
				break;
			}
			t += segs[i].dur;
		}
	}
	s.segs = segs;
	s.n_segs = n;
	if (strncmp(argv[2], "m4a-", 4) == 0) {
		rc = fx_write_m4a(argv[1], &s, argv[2] + 4, NULL, &err);
	} else {
		s.format = fx_format(argv[2]);
		if (s.format == 0) {
			fprintf(stderr, "make_fixture: unknown format %s\n", argv[2]);
			return 2;
		}
		rc = fx_write(argv[1], &s, NULL, &err);
	}
	free(segs);
	if (rc != 0) {
		fprintf(stderr, "make_fixture: ");
		str_fputs_safe(err.msg, stderr);
		fputc('\n', stderr);
		return 1;
	}
	return 0;
}
