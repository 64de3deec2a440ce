/*
 * playbench.c - figures for bench/play_bench.sh, through the player API
 * (the default device at 48 kHz; the script points ALSA at a file device
 * paced at 48 kHz).
 *
 *   playbench latency FILE N [LATENCY_MS]
 *                              N starts of FILE, 0.25 s apart (the device
 *                              stays open between them, as when a user
 *                              auditions one sound after another); prints
 *                              "cold MS warm_median MS warm_max MS": the
 *                              time from play_start() to the first sample
 *                              handed to PortAudio, for the first start
 *                              (PortAudio probing and opening the device
 *                              included) and the median and max of the rest;
 *                              LATENCY_MS is the suggested device latency
 *                              (default 50, as play.latency_ms)
 *   playbench run FILE SECONDS loop FILE for SECONDS; prints "underruns N
 *                              seconds S"
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grym/play.h"
#include "grym/util.h"

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static struct play_status wait_latency(struct play *p, uint64_t serial)
{
	struct play_status st;
	double t0 = time_now();

	do {
		usleep(2000);
		play_status(p, &st);
	} while (!(st.serial == serial && (st.state == PLAY_ERROR || st.start_latency_s > 0)) &&
	         time_now() - t0 < 10);
	return st;
}

int main(int argc, char **argv)
{
	struct gr_err err = { 0 };
	struct play_cfg c;
	struct play_req r;
	struct play_status st;
	struct play *p;
	int n, i;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: playbench latency FILE N [LATENCY_MS] | run FILE SECONDS\n");
		return 2;
	}
	memset(&c, 0, sizeof(c));
	c.latency_ms = argc > 4 ? atof(argv[4]) : 50;
	c.level_match = 1;
	c.preview_lufs = -16;
	c.volume = 0.8;
	c.rate = 48000;            /* the pacer's clock; 44.1 kHz files are resampled */
	memset(&r, 0, sizeof(r));
	r.path = argv[2];
	r.file = r.sel = (struct play_span){ 0, 0, NAN, NAN };
	r.region = -1;
	if ((p = play_new(&c, &err)) == NULL) {
		fprintf(stderr, "playbench: %s\n", err.msg);
		return 1;
	}
	if (!strcmp(argv[1], "latency")) {
		double *ms;
		n = atoi(argv[3]);
		ms = calloc((size_t)n, sizeof(double));
		for (i = 0; i < n; i++) {
			if (play_start(p, &r, &err) < 0)
				return 1;
			st = wait_latency(p, (uint64_t)i + 1);
			if (st.state == PLAY_ERROR) {
				fprintf(stderr, "playbench: %s\n", st.error);
				return 1;
			}
			ms[i] = st.start_latency_s * 1e3;
			/* the first start also measured the file (not in a catalog) */
			if (i == 0)
				r.file = r.sel = (struct play_span){ 0, 0, -20, -1 };
			usleep(250000);
		}
		qsort(ms + 1, (size_t)n - 1, sizeof(double), cmp);
		printf("cold %.2f warm_median %.2f warm_max %.2f\n", ms[0], ms[1 + (n - 1) / 2],
		       ms[n - 1]);
		free(ms);
	} else {
		double secs = atof(argv[3]), t0;
		r.loop = 1;
		if (play_start(p, &r, &err) < 0)
			return 1;
		t0 = time_now();
		do {
			usleep(100000);
			play_status(p, &st);
		} while (st.state != PLAY_ERROR && time_now() - t0 < secs);
		if (st.state == PLAY_ERROR) {
			fprintf(stderr, "playbench: %s\n", st.error);
			return 1;
		}
		printf("underruns %lld seconds %.1f\n", (long long)st.underruns, time_now() - t0);
	}
	play_free(p);
	return 0;
}
