/*
 * fingerprint.c - the Chromaprint raw fingerprint of a whole file, fed
 * from the mono resampled stream the pipeline already makes (so it costs
 * no extra decode or resample): about 0.1 s of CPU per 10 minutes of
 * audio, 3-4 % of `grym analyze` (measured with bench/analyze_bench.sh).
 *
 *   an_fp_new(rate) -> an_fp_push(mono block)... -> an_fp_finish(&out) -> an_fp_free
 *
 * Chromaprint works at 11025 Hz.  Its own resampler costs three times its
 * fingerprinting, so at grym's default rate (22050 Hz) the stream is
 * halved here with a 7-tap half-band filter (3 multiplies per output;
 * the chroma bands stop at 3.5 kHz, far below its transition band) and
 * Chromaprint is started at 11025 Hz; other rates go through Chromaprint.
 *
 * Memory: fixed conversion buffers plus Chromaprint's state; the
 * fingerprint itself grows by 4 bytes per item (about 8 items per second
 * of audio, 32 B/s).  Chromaprint failures never fail the analysis: the
 * fingerprinter turns itself off and an_fp_finish() yields no fingerprint.
 *
 * Thread rules: one fingerprinter per thread (Chromaprint contexts are not
 * shared; chromaprint_new itself is thread-safe with FFmpeg's FFT).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <chromaprint.h>

#include "analysis_int.h"

#define FP_CHUNK 2048               /* samples converted to int16 per feed */
#define FP_RATE 11025               /* Chromaprint's working rate, Hz */

struct an_fp {
	ChromaprintContext *cp;         /* NULL once failed */
	int halve;                      /* 1: decimate 2:1 here before feeding */
	int ntail;                      /* samples kept in tail[] */
	long long base;                 /* stream index of tail[0] (may be < 0) */
	float tail[8];                  /* the filter's history */
	float w[FP_CHUNK + 8];          /* tail + one chunk of input */
	int16_t buf[FP_CHUNK];
};

struct an_fp *an_fp_new(int rate)
{
	struct an_fp *f = xcalloc(1, sizeof(*f));

	f->halve = rate == 2 * FP_RATE;
	/* three zeros before the stream: the first output is centred on sample 0 */
	f->ntail = 3;
	f->base = -3;
	f->cp = chromaprint_new(CHROMAPRINT_ALGORITHM_DEFAULT);
	if (f->cp != NULL && !chromaprint_start(f->cp, f->halve ? FP_RATE : rate, 1)) {
		chromaprint_free(f->cp);
		f->cp = NULL;
	}
	return f;
}

static void fp_off(struct an_fp *f)
{
	chromaprint_free(f->cp);
	f->cp = NULL;
}

static int16_t to16(float x)
{
	float v = x * 32767.0f;

	/* NaN from a hostile float file becomes 0, not UB */
	if (!(v > -32768.0f))
		return v != v ? 0 : -32768;
	if (v > 32767.0f)
		return 32767;
	return (int16_t)lrintf(v);
}

static void feed(struct an_fp *f, size_t n)
{
	if (n > 0 && !chromaprint_feed(f->cp, f->buf, (int)n))
		fp_off(f);
}

/*
 * Half-band 2:1 decimation of tail + x[0..k): outputs are centred on the
 * even stream indices, y = (16 x[c] + 9 (x[c-1] + x[c+1]) - x[c-3] - x[c+3]) / 32
 * (unity gain at DC, zero at Nyquist); the last 6 samples stay as history.
 */
static void halve(struct an_fp *f, const float *x, size_t k)
{
	float *w = f->w;
	size_t len = (size_t)f->ntail + k, m = 0;

	memcpy(w, f->tail, sizeof(float) * (size_t)f->ntail);
	memcpy(w + f->ntail, x, sizeof(float) * k);
	if (len < 7) {
		memcpy(f->tail, w, sizeof(float) * len);
		f->ntail = (int)len;
		return;
	}
	for (size_t c = 3 + (size_t)((f->base + 3) & 1); c + 3 < len; c += 2)
		f->buf[m++] = to16((16.0f * w[c] + 9.0f * (w[c - 1] + w[c + 1]) -
		                    w[c - 3] - w[c + 3]) * (1.0f / 32.0f));
	memcpy(f->tail, w + len - 6, sizeof(float) * 6);
	f->base += (long long)len - 6;
	f->ntail = 6;
	feed(f, m);
}

void an_fp_push(struct an_fp *f, const float *mono, size_t n)
{
	while (f != NULL && f->cp != NULL && n > 0) {
		size_t k = n < FP_CHUNK ? n : FP_CHUNK;

		if (f->halve) {
			halve(f, mono, k);
		} else {
			for (size_t i = 0; i < k; i++)
				f->buf[i] = to16(mono[i]);
			feed(f, k);
		}
		mono += k;
		n -= k;
	}
}

int an_fp_finish(struct an_fp *f, uint32_t **fp, int *n_fp, double *item_s)
{
	uint32_t *raw = NULL;
	int size = 0;

	*fp = NULL;
	*n_fp = 0;
	*item_s = 0;
	if (f == NULL || f->cp == NULL)
		return 0;
	if (f->halve) {
		static const float zeros[3];
		halve(f, zeros, 3);   /* flush: centres up to the last sample */
	}
	if (f->cp == NULL || !chromaprint_finish(f->cp) ||
	    !chromaprint_get_raw_fingerprint(f->cp, &raw, &size) || raw == NULL ||
	    size <= 0) {
		chromaprint_dealloc(raw);
		fp_off(f);
		return 0;
	}
	/* Copy into our allocator so an_file_fini()'s free() owns it. */
	*fp = xmalloc(sizeof(uint32_t) * (size_t)size);
	memcpy(*fp, raw, sizeof(uint32_t) * (size_t)size);
	*n_fp = size;
	/* item duration in Chromaprint's own samples (at 11025 Hz): exact,
	 * unlike the rounded _ms variant */
	*item_s = (double)chromaprint_get_item_duration(f->cp) /
	          chromaprint_get_sample_rate(f->cp);
	chromaprint_dealloc(raw);
	fp_off(f);
	return size;
}

void an_fp_free(struct an_fp *f)
{
	if (f == NULL)
		return;
	chromaprint_free(f->cp);
	free(f);
}
