/*
 * resample.c - channel mapping and sample-rate conversion of pushed blocks.
 *
 * Channel mapping (out_channels):
 *   0: keep every channel as it is;
 *   1: mono, the mean of all channels;
 *   2: stereo: mono is copied to both sides; 2 stays; more channels are
 *      folded with the usual surround weights for the common WAVE layouts
 *      (3: L R C; 4: L R Ls Rs; 5: L R C Ls Rs; 6: 5.1 L R C LFE Ls Rs, LFE
 *      dropped; 7: 6.1 L R C LFE Cs Ls Rs; 8: 7.1 L R C LFE Ls Rs Lss Rss),
 *      the centre and surrounds at -3 dB (0.7071), and for other counts even
 *      channels go left and odd ones right.  Each side is divided by the
 *      sum of its weights, so a signal present equally in all channels keeps
 *      its level (and nothing can clip).
 * Rate conversion: for SRC_SINC_FASTEST (the analysis default) our own
 * polyphase FIR (polyphase.c: 90 dB stop band, several times faster);
 * otherwise, or for ratios too awkward for a polyphase table,
 * libsamplerate's src_process() in streaming mode.  One converter per
 * object, fed in chunks of RS_CHUNK mapped frames.  When the
 * rates are equal no converter exists and the mapped samples are the
 * output; with out_channels 0 (or the same count and identity mapping)
 * samples are copied bit for bit.
 *
 * Costs: mapping is O(frames * channels); conversion is libsamplerate's
 * (SINC_FASTEST about 100x real time per channel per core at 44.1 kHz).
 * Memory: one chunk of mapped frames plus libsamplerate's state, fixed at
 * _new.  push never allocates.
 * Thread rules: one object per thread at a time.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <samplerate.h>

#include "audio_int.h"
#include "grym/util.h"

#define RS_CHUNK 4096 /* mapped frames per src_process call */

enum rs_map { RS_COPY, RS_MEAN, RS_MATRIX };

struct audio_resampler {
	int in_ch, out_ch;          /* channels in and out */
	int in_rate, out_rate;      /* Hz */
	double ratio;               /* out_rate / in_rate */
	enum rs_map map;
	float w[2][AUDIO_CHANNELS_MAX]; /* RS_MATRIX: weight of input c on side 0/1 */
	SRC_STATE *src;             /* libsamplerate, or NULL */
	struct audio_poly *poly;    /* or our polyphase FIR, or NULL (equal rates) */
	float *mix;                 /* RS_CHUNK * out_ch mapped samples */
	size_t lag;                 /* input frames libsamplerate may hold back */
	int flushed;                /* last = 1 seen */
};

/* Surround folding weights for n input channels: 1 left, 2 right, 3 both. */
static void stereo_weights(struct audio_resampler *r, int n)
{
	static const signed char layouts[9][8] = {
		/* 'L' left, 'R' right, 'C' centre/back centre (both at -3 dB),
		 * 'l' left surround (-3 dB), 'r' right surround, 'x' dropped */
		[3] = "LRC",
		[4] = "LRlr",
		[5] = "LRClr",
		[6] = "LRCxlr",
		[7] = "LRCxClr",
		[8] = "LRCxlrlr",
	};
	const float m3 = 0.70710678f;
	int c, s;

	memset(r->w, 0, sizeof(r->w));
	for (c = 0; c < n; c++) {
		char k = n <= 8 && layouts[n][0] ? layouts[n][c] : (c % 2 ? 'R' : 'L');
		switch (k) {
		case 'L': r->w[0][c] = 1; break;
		case 'R': r->w[1][c] = 1; break;
		case 'C': r->w[0][c] = r->w[1][c] = m3; break;
		case 'l': r->w[0][c] = m3; break;
		case 'r': r->w[1][c] = m3; break;
		default: break;
		}
	}
	for (s = 0; s < 2; s++) {
		float sum = 0;
		for (c = 0; c < n; c++)
			sum += r->w[s][c];
		for (c = 0; c < n && sum > 0; c++)
			r->w[s][c] /= sum;
	}
}

struct audio_resampler *audio_resampler_new(int channels, int in_rate, int out_rate,
                                            int out_channels, int quality,
                                            struct gr_err *err)
{
	struct audio_resampler *r;
	int e = 0;

	if (channels < 1 || channels > AUDIO_CHANNELS_MAX || out_channels < 0 ||
	    out_channels > 2) {
		gr_fail(err, GR_EUSAGE, "resampler: cannot map %d channels to %d", channels,
		        out_channels);
		return NULL;
	}
	if (in_rate <= 0 || out_rate <= 0 || out_rate > 256.0 * in_rate ||
	    in_rate > 256.0 * out_rate) {
		gr_fail(err, GR_EUSAGE, "resampler: cannot convert %d Hz to %d Hz", in_rate,
		        out_rate);
		return NULL;
	}
	if (in_rate != out_rate && (quality < SRC_SINC_BEST_QUALITY || quality > SRC_LINEAR)) {
		gr_fail(err, GR_EUSAGE, "resampler: unknown quality %d", quality);
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->in_ch = channels;
	r->in_rate = in_rate;
	r->out_rate = out_rate;
	r->ratio = (double)out_rate / in_rate;
	r->out_ch = out_channels == 0 ? channels : out_channels;
	if (r->out_ch == channels)
		r->map = RS_COPY;
	else if (r->out_ch == 1)
		r->map = RS_MEAN;
	else if (channels == 1)
		r->map = RS_MATRIX, r->w[0][0] = r->w[1][0] = 1;
	else
		r->map = RS_MATRIX, stereo_weights(r, channels);
	if (in_rate != out_rate) {
		if (quality == SRC_SINC_FASTEST)
			r->poly = audio_poly_new(r->out_ch, in_rate, out_rate);
		if (r->poly == NULL)
			r->src = src_new(quality, r->out_ch, &e);
		if (r->poly == NULL && r->src == NULL) {
			gr_fail(err, GR_ENOTSUP, "resampler: libsamplerate: %s", src_strerror(e));
			free(r);
			return NULL;
		}
		/* libsamplerate's sinc filters look about 150 zero crossings
		 * ahead, the polyphase FIR under 60 input frames, both scaled by
		 * the decimation factor; allow twice the larger plus one chunk. */
		r->lag = (size_t)ceil(300.0 * fmax(1.0, 1.0 / r->ratio)) + RS_CHUNK;
		r->mix = xmalloc(sizeof(float) * RS_CHUNK * (size_t)r->out_ch);
	}
	return r;
}

size_t audio_resampler_max_out(const struct audio_resampler *r, size_t in_frames)
{
	if (r->src == NULL && r->poly == NULL)
		return in_frames;
	return (size_t)ceil((double)(in_frames + r->lag) * r->ratio) + 16;
}

int audio_resampler_out_channels(const struct audio_resampler *r)
{
	return r->out_ch;
}

/* Map n input frames to out (n * out_ch samples). */
static void map_block(const struct audio_resampler *r, const float *in, size_t n, float *out)
{
	int ic = r->in_ch, c;
	size_t i;

	switch (r->map) {
	case RS_COPY:
		memcpy(out, in, n * (size_t)ic * sizeof(float));
		break;
	case RS_MEAN:
		if (ic == 2) {
			/* the same sums as below, bit for bit (from 0.0, so two
			 * -0.0 give +0.0; halving is exact), without the
			 * division and the inner loop */
			for (i = 0; i < n; i++)
				out[i] = (float)((0.0 + in[2 * i] + in[2 * i + 1]) * 0.5);
			break;
		}
		for (i = 0; i < n; i++) {
			const float *p = in + i * ic;
			double acc = 0;
			for (c = 0; c < ic; c++)
				acc += p[c];
			out[i] = (float)(acc / ic);
		}
		break;
	case RS_MATRIX:
		for (i = 0; i < n; i++) {
			const float *p = in + i * ic;
			float a = 0, b = 0;
			for (c = 0; c < ic; c++) {
				a += r->w[0][c] * p[c];
				b += r->w[1][c] * p[c];
			}
			out[2 * i] = a;
			out[2 * i + 1] = b;
		}
		break;
	}
}

/* One src_process call; returns frames generated or a negative code. */
static long convert(struct audio_resampler *r, const float *in, size_t n, float *out,
                    size_t cap, int eoi, size_t *used, struct gr_err *err)
{
	SRC_DATA d;
	int e;
	long g;

	if (r->poly != NULL) {
		g = audio_poly_process(r->poly, in, n, out, cap, eoi);
		if (g < 0)
			return gr_fail(err, GR_EUSAGE, "resampler: output room %zu frames is too small",
			               cap);
		*used = n;
		return g;
	}
	memset(&d, 0, sizeof(d));
	d.data_in = in;
	d.input_frames = (long)n;
	d.data_out = out;
	d.output_frames = (long)cap;
	d.end_of_input = eoi;
	d.src_ratio = r->ratio;
	e = src_process(r->src, &d);
	if (e != 0)
		return gr_fail(err, GR_EFORMAT, "resampler: libsamplerate: %s", src_strerror(e));
	*used = (size_t)d.input_frames_used;
	return d.output_frames_gen;
}

long audio_resampler_push(struct audio_resampler *r, const float *in, size_t in_frames,
                          float *out, size_t out_cap, int last, struct gr_err *err)
{
	size_t done = 0, written = 0, used;
	long g;

	if (r->flushed)
		return gr_fail(err, GR_EUSAGE, "resampler: push after the last block");
	if (r->src == NULL && r->poly == NULL) {
		if (out_cap < in_frames)
			return gr_fail(err, GR_EUSAGE, "resampler: output room %zu < %zu frames",
			               out_cap, in_frames);
		map_block(r, in, in_frames, out);
		r->flushed = last;
		return (long)in_frames;
	}
	while (done < in_frames) {
		size_t n = in_frames - done < RS_CHUNK ? in_frames - done : RS_CHUNK;
		map_block(r, in + done * r->in_ch, n, r->mix);
		g = convert(r, r->mix, n, out + written * r->out_ch, out_cap - written, 0, &used, err);
		if (g < 0)
			return g;
		written += (size_t)g;
		if (used != n)
			return gr_fail(err, GR_EUSAGE, "resampler: output room %zu frames is too small",
			               out_cap);
		done += n;
	}
	if (last) {
		/* Drain: libsamplerate may need several calls to empty itself. */
		do {
			g = convert(r, r->mix, 0, out + written * r->out_ch, out_cap - written, 1,
			            &used, err);
			if (g < 0)
				return g;
			written += (size_t)g;
		} while (r->src != NULL && g > 0 && written < out_cap);
		r->flushed = 1;
	}
	return (long)written;
}

void audio_resampler_reset(struct audio_resampler *r)
{
	if (r->src != NULL)
		src_reset(r->src);
	if (r->poly != NULL)
		audio_poly_reset(r->poly);
	r->flushed = 0;
}

void audio_resampler_free(struct audio_resampler *r)
{
	if (r == NULL)
		return;
	if (r->src != NULL)
		src_delete(r->src);
	audio_poly_free(r->poly);
	free(r->mix);
	free(r);
}
