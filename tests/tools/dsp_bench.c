/*
 * dsp_bench.c - speed of the dsp pass (tests/tools, for `make bench`).
 *
 *   dsp_bench [SECONDS [RATE [SRC_RATE SRC_CHANNELS]]]
 *
 * Generates SECONDS (default 300) of noise bursts and chords separated by
 * silences at RATE (default 22050 Hz), pushes it through one analyzer in
 * 4096-sample blocks (plus a stereo source stream at SRC_RATE when given,
 * made by duplicating the mono signal at the same rate: loudness cost),
 * and prints frames per second and the real-time factor of the pass on
 * one core.  Signal generation is excluded from the timing.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "grym/dsp.h"
#include "grym/util.h"

static float *make_signal(size_t n, int rate)
{
	float *x = xmalloc(n * sizeof(float));
	uint32_t seed = 12345;

	for (size_t i = 0; i < n; i++) {
		double t = (double)i / rate;
		int seg = (int)(t / 2.0) % 4;
		double ph = fmod(t, 2.0);
		float v = 0.0f;

		seed = seed * 1664525u + 1013904223u;
		if (ph < 1.5) {
			if (seg == 0)
				v = 0.3f * ((float)(seed >> 8) / 8388608.0f - 1.0f);
			else
				v = (float)(0.2 * sin(2 * M_PI * 220.0 * seg * t) +
				            0.15 * sin(2 * M_PI * 277.2 * seg * t) +
				            0.1 * sin(2 * M_PI * 329.6 * seg * t));
		}
		x[i] = v;
	}
	return x;
}

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 300.0;
	int rate = argc > 2 ? atoi(argv[2]) : 22050;
	int srate = argc > 4 ? atoi(argv[3]) : 0;
	int sch = argc > 4 ? atoi(argv[4]) : 0;
	struct dsp_cfg cfg = { rate, 2048, 512, srate, sch, -50, 6, 0.3f, 0.05f, 0.01f, 0 };
	struct gr_err err = { 0 };
	struct dsp_analyzer *a;
	size_t n = (size_t)(secs * rate), blk = 4096;
	float *x = make_signal(n, rate), *s = NULL;
	double t0, t, c0, c;

	if (sch > 0 && srate != rate) {
		fprintf(stderr, "dsp_bench: SRC_RATE must equal RATE here\n");
		return 2;
	}
	if (sch > 0)
		s = xmalloc(blk * (size_t)sch * sizeof(float));
	a = dsp_new(&cfg, &err);
	if (a == NULL) {
		fprintf(stderr, "dsp_bench: %s\n", err.msg);
		return 1;
	}
	t0 = time_now();
	c0 = cpu_now();
	for (size_t i = 0; i < n; i += blk) {
		size_t k = n - i < blk ? n - i : blk;
		if (dsp_push(a, x + i, k, &err) != 0) {
			fprintf(stderr, "dsp_bench: %s\n", err.msg);
			return 1;
		}
		if (s != NULL) {
			for (size_t j = 0; j < k; j++)
				for (int ch = 0; ch < sch; ch++)
					s[j * (size_t)sch + (size_t)ch] = x[i + j];
			if (dsp_push_source(a, s, k, &err) != 0) {
				fprintf(stderr, "dsp_bench: %s\n", err.msg);
				return 1;
			}
		}
	}
	if (dsp_finish(a, &err) != 0) {
		fprintf(stderr, "dsp_bench: %s\n", err.msg);
		return 1;
	}
	t = time_now() - t0;
	c = cpu_now() - c0;
	printf("dsp_bench: %.0f s of audio at %d Hz%s: %.3f s wall, %.3f s cpu, %lld frames, "
	       "%.0f frames/s, %.0fx real time (cpu), %zu regions, %.1f LUFS\n",
	       secs, rate, s ? " + source" : "", t, c, (long long)dsp_frame_count(a),
	       (double)dsp_frame_count(a) / c, secs / c, dsp_region_count(a),
	       dsp_file_loudness(a));
	dsp_free(a);
	free(x);
	free(s);
	return 0;
}
