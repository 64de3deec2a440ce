/*
 * dupfix.h - varied "musical" test material for the near-duplicate tests
 * and benchmark: a seeded sequence of notes, chords, noise bursts and
 * click fills (no silence longer than 0.1 s, so it stays one region).
 * Different seeds give unrelated material with distinctive Chromaprint
 * fingerprints; the same seed always gives the same samples.
 */
#ifndef GRYM_TEST_DUPFIX_H
#define GRYM_TEST_DUPFIX_H

#include <stddef.h>

#include "fixtures.h"

/*
 * Segments for secs seconds of material from seed, at linear gain amp
 * (0..1): a new array (free() it) of *n segments.
 */
struct fx_seg *dupfix_segs(unsigned seed, double secs, double amp, size_t *n);

/*
 * Write it to path: format a fx_format() name ("wav16", "flac24", ...),
 * rate Hz, mono.  0 or -GR_E* with err.
 */
int dupfix_write(const char *path, const char *format, int rate, unsigned seed,
                 double secs, double amp, struct gr_err *err);

#endif
