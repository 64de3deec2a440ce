/*
 * musical_sig.h - generated test signals for the tempo and key tests
 * (click tracks, drum patterns, chord cadences, noise) and a helper that
 * runs them through the real dsp pass, so the tests see the same frame
 * features as the plugins do in the pipeline.
 *
 * Header-only (static functions) because only test_tempo.c and
 * test_key.c use it.  Signals are mono at SIG_RATE; every generator adds
 * into a caller-zeroed buffer.  Deterministic (own LCG noise).
 */
#ifndef GRYM_TEST_MUSICAL_SIG_H
#define GRYM_TEST_MUSICAL_SIG_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grym/dsp.h"

#define SIG_RATE 22050

static uint32_t sig_seed = 12345;

/* Uniform noise in -1..1. */
static inline float sig_noise(void)
{
	sig_seed = sig_seed * 1664525u + 1013904223u;
	return (float)((double)(sig_seed >> 8) / 8388608.0 - 1.0);
}

/* A click: 5 ms of a 2 kHz tone with a fast decay, at sample s. */
static inline void sig_click(float *x, size_t n, size_t s, float amp)
{
	for (size_t i = 0; i < 220 && s + i < n; i++)
		x[s + i] += amp * expf(-(float)i / 40.0f) *
		            sinf(2.0f * (float)M_PI * 2000.0f * (float)i / SIG_RATE);
}

/* Kick: a sine sweeping 110 -> 45 Hz, 180 ms. */
static inline void sig_kick(float *x, size_t n, size_t s, float amp)
{
	double ph = 0;
	for (size_t i = 0; i < 4000 && s + i < n; i++) {
		double t = (double)i / SIG_RATE, f = 45 + 65 * exp(-t / 0.03);
		ph += 2 * M_PI * f / SIG_RATE;
		x[s + i] += amp * (float)(exp(-t / 0.12) * sin(ph));
	}
}

/* Snare: noise and a 190 Hz body, 120 ms. */
static inline void sig_snare(float *x, size_t n, size_t s, float amp)
{
	for (size_t i = 0; i < 2700 && s + i < n; i++) {
		double t = (double)i / SIG_RATE;
		x[s + i] += amp * (float)(exp(-t / 0.05) * (0.7 * sig_noise() +
		            0.4 * sin(2 * M_PI * 190 * t)));
	}
}

/* Hi-hat: differentiated (bright) noise, 40 ms. */
static inline void sig_hat(float *x, size_t n, size_t s, float amp)
{
	float prev = 0;
	for (size_t i = 0; i < 900 && s + i < n; i++) {
		float w = sig_noise();
		x[s + i] += amp * expf(-(float)i / 180.0f) * (w - prev) * 0.5f;
		prev = w;
	}
}

/* A note with decaying harmonic partials (piano-like): f0 Hz, from
 * sample s for len samples. */
static inline void sig_note(float *x, size_t n, size_t s, size_t len, double f0, float amp)
{
	for (int h = 1; h <= 8; h++) {
		double f = f0 * h;
		if (f > SIG_RATE / 2 - 500)
			break;
		double a = amp / pow(h, 1.1), tau = 0.9 / (1 + 0.3 * h);
		for (size_t i = 0; i < len && s + i < n; i++) {
			double t = (double)i / SIG_RATE;
			double env = exp(-t / tau) * (i < 60 ? i / 60.0 : 1.0);
			if (len - i < 200)
				env *= (double)(len - i) / 200.0;
			x[s + i] += (float)(a * env * sin(2 * M_PI * f * t));
		}
	}
}

/* Adds a sine sweep f0 -> f1 Hz of len s from at s, amplitude 0.3 under a
 * sine envelope (a bird-like call). */
static inline void sig_chirp(float *x, size_t n, double at, double len, double f0, double f1)
{
	size_t s = (size_t)(at * SIG_RATE), m = (size_t)(len * SIG_RATE);
	double ph = 0;
	for (size_t i = 0; i < m && s + i < n; i++) {
		double u = (double)i / (double)m;
		ph += 2 * M_PI * (f0 + (f1 - f0) * u) / SIG_RATE;
		x[s + i] += 0.3f * (float)(sin(ph) * sin(M_PI * u));
	}
}

/* Frequency of MIDI note m, detuned by cents. */
static inline double sig_midi_hz(int m, double cents)
{
	return 440.0 * pow(2.0, (m - 69 + cents / 100.0) / 12.0);
}

/*
 * Run x (n samples at SIG_RATE) through the dsp pass; returns a new array
 * of all frames (free() it) and sets *nf and *fps, or NULL.
 */
static inline struct dsp_frame *sig_frames(const float *x, size_t n, size_t *nf, double *fps)
{
	struct dsp_cfg cfg = {
		.rate = SIG_RATE, .fft_size = 2048, .hop = 512,
		.src_rate = SIG_RATE, .src_channels = 1,
		.silence_db = -60, .hysteresis_db = 6, .min_silence = 0.5f,
		.min_region = 0.1f, .padding = 0.05f,
	};
	struct gr_err err = { 0 };
	struct dsp_analyzer *a = dsp_new(&cfg, &err);
	struct dsp_frame *f = NULL;
	if (!a)
		return NULL;
	for (size_t i = 0; i < n; i += 4096) {
		size_t m = n - i < 4096 ? n - i : 4096;
		if (dsp_push(a, x + i, m, &err) < 0 || dsp_push_source(a, x + i, m, &err) < 0)
			goto out;
	}
	if (dsp_finish(a, &err) < 0)
		goto out;
	*nf = (size_t)dsp_frame_count(a);
	*fps = dsp_frame_rate(a);
	f = malloc((*nf ? *nf : 1) * sizeof(*f));
	if (f && dsp_frames_read(a, 0, *nf, f, &err) < 0) {
		free(f);
		f = NULL;
	}
out:
	dsp_free(a);
	return f;
}

#endif
