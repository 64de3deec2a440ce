/*
 * dspfix.h - shared pieces of the dsp and loudness tests: a seeded uniform
 * noise source (the same sequence in every test binary: seed 1 at start)
 * and the dsp configuration the tests start from.
 */
#ifndef GRYM_TEST_DSPFIX_H
#define GRYM_TEST_DSPFIX_H

#include <stdint.h>

#include "grym/dsp.h"

/* Restarts the noise sequence at seed s. */
void dspfix_seed(uint32_t s);

/* Next value of the noise sequence: uniform in [-1, 1). */
float dspfix_rand(void);

/* The test configuration at rate Hz: fft 2048, hop 512, silence -50 dB,
 * hysteresis 6 dB, min_silence 0.3 s, min_region 0.05 s, no padding. */
struct dsp_cfg dspfix_cfg(int rate);

#endif
