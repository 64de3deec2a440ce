/*
 * dspfix.c - see dspfix.h.  Not thread-safe (one sequence per process).
 */
#include "dspfix.h"

static uint32_t rng = 1;

void dspfix_seed(uint32_t s)
{
	rng = s;
}

float dspfix_rand(void)
{
	rng = rng * 1664525u + 1013904223u;
	return (float)(rng >> 8) / 8388608.0f - 1.0f;
}

struct dsp_cfg dspfix_cfg(int rate)
{
	struct dsp_cfg c = { rate, 2048, 512, 0, 0, -50.0f, 6.0f, 0.3f, 0.05f, 0.0f, 0 };
	return c;
}
