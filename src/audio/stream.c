/*
 * stream.c - a pull stream over an open file: decode, map channels and
 * resample in blocks (audition, export, and anything that only wants the
 * converted samples).
 *
 * Each refill decodes ST_BLOCK source frames with audio_read() and pushes
 * them through an audio_resampler into a pending buffer sized once from
 * audio_resampler_max_out(); audio_stream_read() copies from there.  At the
 * end of the data the resampler is flushed, so the total output is the
 * source length times the rate ratio (within a frame).
 *
 * Memory: ST_BLOCK source frames plus one converted block, fixed at _new.
 * Thread rules: one stream per thread at a time; the stream borrows the
 * audio_file and is the only user of it while it lives.
 */
#include <stdlib.h>
#include <string.h>

#include "audio_int.h"
#include "grym/util.h"

#define ST_BLOCK 4096 /* source frames decoded per refill */

struct audio_stream {
	struct audio_file *f;        /* borrowed */
	struct audio_resampler *rs;
	int in_ch, out_ch;
	float *in;                   /* ST_BLOCK * in_ch */
	float *pend;                 /* pend_cap * out_ch */
	size_t pend_cap, pend_n, pend_off; /* frames */
	int eof;                     /* the resampler has been flushed */
};

struct audio_stream *audio_stream_new(struct audio_file *f, int out_rate, int out_channels,
                                      int quality, struct gr_err *err)
{
	const struct audio_info *in = audio_get_info(f);
	struct audio_stream *s;

	s = xcalloc(1, sizeof(*s));
	s->f = f;
	s->in_ch = in->channels;
	s->rs = audio_resampler_new(in->channels, in->rate, out_rate > 0 ? out_rate : in->rate,
	                            out_channels, quality, err);
	if (s->rs == NULL) {
		free(s);
		return NULL;
	}
	s->out_ch = audio_resampler_out_channels(s->rs);
	s->in = xmalloc(sizeof(float) * ST_BLOCK * (size_t)s->in_ch);
	s->pend_cap = audio_resampler_max_out(s->rs, ST_BLOCK);
	s->pend = xmalloc(sizeof(float) * s->pend_cap * (size_t)s->out_ch);
	return s;
}

/* Decode and convert one block into pend; 0 or a negative code. */
static int refill(struct audio_stream *s, struct gr_err *err)
{
	long n = audio_read(s->f, s->in, ST_BLOCK, err), g;

	if (n < 0)
		return (int)n;
	g = audio_resampler_push(s->rs, s->in, (size_t)n, s->pend, s->pend_cap, n == 0, err);
	if (g < 0)
		return (int)g;
	if (n == 0)
		s->eof = 1;
	s->pend_n = (size_t)g;
	s->pend_off = 0;
	return 0;
}

long audio_stream_read(struct audio_stream *s, float *out, size_t n, struct gr_err *err)
{
	size_t got = 0;

	while (got < n) {
		size_t avail = s->pend_n - s->pend_off, take;
		if (avail == 0) {
			int rc;
			if (s->eof)
				break;
			rc = refill(s, err);
			if (rc < 0)
				return rc;
			continue;
		}
		take = avail < n - got ? avail : n - got;
		memcpy(out + got * s->out_ch, s->pend + s->pend_off * s->out_ch,
		       take * (size_t)s->out_ch * sizeof(float));
		s->pend_off += take;
		got += take;
	}
	return (long)got;
}

int audio_stream_seek(struct audio_stream *s, int64_t frame, struct gr_err *err)
{
	int rc = audio_seek(s->f, frame, err);

	if (rc < 0)
		return rc;
	audio_resampler_reset(s->rs);
	s->pend_n = s->pend_off = 0;
	s->eof = 0;
	return 0;
}

int audio_stream_channels(const struct audio_stream *s)
{
	return s->out_ch;
}

void audio_stream_free(struct audio_stream *s)
{
	if (s == NULL)
		return;
	audio_resampler_free(s->rs);
	free(s->in);
	free(s->pend);
	free(s);
}
