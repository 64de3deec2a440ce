/*
 * fingerprint.c - the Chromaprint raw fingerprint of a whole file, fed
 * from the mono resampled stream the pipeline already makes (so it costs
 * no extra decode or resample: only Chromaprint's own 11025 Hz resample,
 * chroma FFT and classifiers, about 1-2 % of a decode-and-analyse pass).
 *
 *   an_fp_new(rate) -> an_fp_push(mono block)... -> an_fp_finish(&out) -> an_fp_free
 *
 * Memory: one fixed int16 conversion buffer plus Chromaprint's state; the
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

struct an_fp {
	ChromaprintContext *cp;         /* NULL once failed */
	int rate;                       /* Hz of the pushed samples */
	int16_t buf[FP_CHUNK];
};

struct an_fp *an_fp_new(int rate)
{
	struct an_fp *f = xcalloc(1, sizeof(*f));

	f->rate = rate;
	f->cp = chromaprint_new(CHROMAPRINT_ALGORITHM_DEFAULT);
	if (f->cp != NULL && !chromaprint_start(f->cp, rate, 1)) {
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

void an_fp_push(struct an_fp *f, const float *mono, size_t n)
{
	while (f != NULL && f->cp != NULL && n > 0) {
		size_t k = n < FP_CHUNK ? n : FP_CHUNK;

		for (size_t i = 0; i < k; i++) {
			float v = mono[i] * 32767.0f;
			/* NaN from a hostile float file becomes 0, not UB */
			if (!(v > -32768.0f))
				v = v != v ? 0.0f : -32768.0f;
			else if (v > 32767.0f)
				v = 32767.0f;
			f->buf[i] = (int16_t)lrintf(v);
		}
		if (!chromaprint_feed(f->cp, f->buf, (int)k))
			fp_off(f);
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
	if (!chromaprint_finish(f->cp) ||
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
