/*
 * feeder.c - the source side of the player thread: decode the ORIGINAL
 * file ahead of the device into the ring, map its channels to stereo
 * (mono to both sides, more than two folded down) and convert it to the
 * device rate with libsamplerate (audio_resampler; bit-exact when the
 * rates are equal), mark where each pass / jump begins, and lower the
 * gain ahead of any block that would clip.
 *
 * A span (a region or a selection) is played as passes: each pass seeks
 * to the span's first frame, resets the resampler, decodes to the span's
 * last frame and flushes the resampler, so every pass is the same
 * round(frames * ratio) output frames and a loop is seamless.  Jumps and
 * new starts go through a flush (callback.c): the old data fades out and
 * is dropped, the new data carries a new generation.
 *
 * Costs: decoding plus libsamplerate (SRC_SINC_MEDIUM_QUALITY, ~50x real
 * time for stereo 44.1 -> 48 kHz on one core); no allocation per block
 * (buffers are made at feed_start).  A file not in the catalog has its
 * first 30 s measured before it plays (libebur128).
 * Threads: the player thread only.
 */
#include <math.h>
#include <samplerate.h>
#include <stdlib.h>
#include <string.h>

#include "grym/audio.h"
#include "grym/util.h"
#include "play_int.h"

#define FEED_BLOCK 2048        /* source frames decoded per step */
#define FEED_MEASURE_S 30.0    /* seconds measured when the level is unknown */

void feed_close(struct feed *fd)
{
	audio_resampler_free(fd->rs);
	audio_close(fd->f);
	free(fd->in);
	free(fd->out);
	free(fd->path);
	free(fd->regions);
	memset(fd, 0, sizeof(*fd));
	fd->region = -1;
}

uint32_t feed_flush(struct play *p, uint64_t eos)
{
	uint64_t w = atomic_load(&p->rt.ring.w);

	p->gen = (p->gen + 1) & 0xffff;
	atomic_store_explicit(&p->rt.eos, eos == UINT64_MAX ? eos : w, memory_order_release);
	atomic_store_explicit(&p->rt.flush, ((uint64_t)p->gen << PLAY_POS_BITS) |
	                      (w & PLAY_POS_MASK), memory_order_release);
	return p->gen;
}

/* The span the feeder plays now. */
static const struct play_span *cur_span(const struct feed *fd)
{
	return fd->region >= 0 ? &fd->regions[fd->region] : &fd->sel;
}

/* Set start/end frames and the gains of the current span, measuring its
 * level when neither it nor the file has one. */
static void set_span(struct play *p)
{
	struct feed *fd = &p->fd;
	const struct play_span *sp = cur_span(fd);
	double lu = sp->loudness, pk = sp->peak_db;
	struct gr_err e = { 0 };

	fd->start = (int64_t)llround(fmax(0.0, sp->start) * fd->rate);
	fd->end = sp->end > sp->start ? (int64_t)llround(sp->end * fd->rate) : INT64_MAX;
	if (fd->end <= fd->start)
		fd->end = fd->start + 1;
	if (isnan(lu) && fd->region < 0) {
		/* A selection without its own level: the file's peak bounds it. */
		lu = fd->file.loudness;
		pk = fd->file.peak_db;
	}
	if (isnan(lu) && p->cfg.level_match) {
		if (play_measure(fd->path, fd->start, fd->end == INT64_MAX ? 0 : fd->end,
		                 FEED_MEASURE_S, &lu, &pk, &e) < 0)
			lu = pk = NAN;
		if (fd->region >= 0) {
			fd->regions[fd->region].loudness = lu;
			fd->regions[fd->region].peak_db = pk;
		} else {
			fd->sel.loudness = lu;
			fd->sel.peak_db = pk;
		}
	}
	fd->gain_match = (float)play_level_gain(lu, pk, fd->ch, p->cfg.preview_lufs, 1);
	fd->gain_plain = (float)play_level_gain(lu, pk, fd->ch, p->cfg.preview_lufs, 0);
}

/* Queue a mark (kept pending while the queue is full). */
static void queue_mark(struct play *p, const struct play_mark *m)
{
	p->fd.mark = *m;
	p->fd.mark_pending = 1;
	if (marks_push(&p->rt.marks, m) == 0) {
		p->fd.mark_pending = 0;
		p->fd.last_mark = m->pos;
	}
}

/* A segment starts at the write position: source frame fd->pos. */
static void queue_seg(struct play *p)
{
	struct feed *fd = &p->fd;
	struct play_mark m;

	memset(&m, 0, sizeof(m));
	m.pos = atomic_load(&p->rt.ring.w);
	m.gen = p->gen;
	m.kind = MARK_SEG;
	m.src = fd->pos;
	m.src_per_out = (double)fd->rate / fd->dev_rate;
	m.gain_match = fd->gain_match;
	m.gain_plain = fd->gain_plain;
	m.region = fd->region;
	m.pass = fd->pass;
	queue_mark(p, &m);
}

static int seek_to(struct play *p, int64_t frame, struct gr_err *err)
{
	struct feed *fd = &p->fd;

	if (audio_seek(fd->f, frame, err) < 0)
		return -err->code;
	audio_resampler_reset(fd->rs);
	fd->pos = frame;
	fd->out_off = fd->out_n = 0;
	fd->flushed = 0;
	fd->eof = 0;
	return 0;
}

int feed_start(struct play *p, struct play_req *req, struct gr_err *err)
{
	struct feed *fd = &p->fd;
	const struct audio_info *in;

	feed_close(fd);
	fd->path = (char *)req->path;
	fd->regions = (struct play_span *)req->regions;
	fd->n_regions = req->n_regions;
	fd->file = req->file;
	fd->sel = req->sel;
	fd->region = req->region;
	fd->loop = req->loop;
	fd->loops = req->loops;
	req->path = NULL;
	req->regions = NULL;
	if ((fd->f = audio_open(fd->path, err)) == NULL)
		return -err->code;
	in = audio_get_info(fd->f);
	fd->rate = in->rate;
	fd->ch = in->channels;
	fd->frames = in->frames_declared;
	fd->dev_rate = dev_rate(p->stream);
	fd->rs = audio_resampler_new(fd->ch, fd->rate, fd->dev_rate, 2,
	                             SRC_SINC_MEDIUM_QUALITY, err);
	if (fd->rs == NULL)
		return -err->code;
	fd->out_cap = audio_resampler_max_out(fd->rs, FEED_BLOCK);
	fd->in = malloc(sizeof(float) * FEED_BLOCK * (size_t)fd->ch);
	fd->out = malloc(sizeof(float) * fd->out_cap * PLAY_CH);
	if (fd->in == NULL || fd->out == NULL)
		return gr_fail(err, GR_ENOMEM, "%s: no memory to play", fd->path);
	set_span(p);
	if (fd->frames > 0 && fd->start >= fd->frames)
		return gr_fail(err, GR_EUSAGE, "%s: starts at %.3f s, after the end (%.3f s)",
		               fd->path, (double)fd->start / fd->rate,
		               (double)fd->frames / fd->rate);
	atomic_store(&p->rt.first_ns, 0);
	feed_flush(p, UINT64_MAX);
	if (seek_to(p, fd->start, err) < 0)
		return -err->code;
	fd->pass = 1;
	fd->active = 1;
	queue_seg(p);
	return 0;
}

/* Clip guard: lower the gains if the n frames at out would clip. */
static void guard(struct play *p, const float *out, size_t n)
{
	struct feed *fd = &p->fd;
	float g = level_guard(out, n);
	struct play_mark m;
	uint64_t w = atomic_load(&p->rt.ring.w);

	if (g >= fd->gain_match && g >= fd->gain_plain)
		return;
	if (g < fd->gain_match)
		fd->gain_match = g;
	if (g < fd->gain_plain)
		fd->gain_plain = g;
	memset(&m, 0, sizeof(m));
	m.kind = MARK_GAIN;
	m.gen = p->gen;
	/* One ramp early, so the gain is down when the loud block arrives. */
	m.pos = w > (uint64_t)p->rt.ramp ? w - (uint64_t)p->rt.ramp : 0;
	if (m.pos < fd->last_mark)
		m.pos = fd->last_mark;
	m.gain_match = fd->gain_match;
	m.gain_plain = fd->gain_plain;
	queue_mark(p, &m);
}

int feed_fill(struct play *p, size_t ahead, struct gr_err *err)
{
	struct feed *fd = &p->fd;
	struct play_ring *g = &p->rt.ring;
	int wrote = 0;

	for (;;) {
		size_t space, n;
		long got, src_got;
		int last;

		if (fd->mark_pending) {
			if (marks_push(&p->rt.marks, &fd->mark) < 0)
				return wrote;
			fd->mark_pending = 0;
			fd->last_mark = fd->mark.pos;
		}
		space = ring_space(g);
		if (g->cap - space >= ahead)
			return wrote;
		if (fd->out_off < fd->out_n) {
			n = fd->out_n - fd->out_off;
			if (n > space)
				n = space;
			if (n == 0)
				return wrote;
			ring_write(g, fd->out + fd->out_off * PLAY_CH, n);
			fd->out_off += n;
			wrote = 1;
			continue;
		}
		if (!fd->active || fd->eof)
			return wrote;
		if (fd->flushed) {
			/* The pass is complete: loop, or publish the end. */
			if (fd->loop && (fd->loops == 0 || fd->pass < fd->loops) &&
			    fd->pos > fd->start) {
				if (seek_to(p, fd->start, err) < 0)
					return -err->code;
				fd->pass++;
				queue_seg(p);
				continue;
			}
			fd->eof = 1;
			atomic_store_explicit(&p->rt.eos, atomic_load(&g->w), memory_order_release);
			return wrote;
		}
		n = FEED_BLOCK;
		if (fd->end != INT64_MAX && fd->end - fd->pos < (int64_t)n)
			n = (size_t)(fd->end - fd->pos);
		src_got = n > 0 ? audio_read(fd->f, fd->in, n, err) : 0;
		if (src_got < 0)
			return (int)src_got;
		last = src_got == 0 || (fd->end != INT64_MAX && fd->pos + src_got >= fd->end);
		got = audio_resampler_push(fd->rs, fd->in, (size_t)src_got, fd->out, fd->out_cap,
		                           last, err);
		if (got < 0)
			return (int)got;
		fd->pos += src_got;
		fd->flushed = last;
		fd->out_off = 0;
		fd->out_n = (size_t)got;
		guard(p, fd->out, fd->out_n);
	}
}

int feed_jump(struct play *p, int delta, double t, struct gr_err *err)
{
	struct feed *fd = &p->fd;
	int64_t target, head = atomic_load(&p->rt.playhead);
	size_t i;

	if (!fd->active)
		return 0;
	if (head < 0)
		head = fd->pos;
	if (delta != 0 && fd->region >= 0) {
		int nr = fd->region + delta;
		if (nr < 0 || (size_t)nr >= fd->n_regions)
			return 0;
		fd->region = nr;
		set_span(p);
		fd->pass = 1;
		target = fd->start;
	} else if (delta > 0) {
		/* Selection: the first region starting after the playhead. */
		for (i = 0; i < fd->n_regions; i++)
			if (llround(fd->regions[i].start * fd->rate) > head + fd->rate / 20)
				break;
		if (i == fd->n_regions)
			return 0;
		target = llround(fd->regions[i].start * fd->rate);
	} else if (delta < 0) {
		/* The region before the one we are in (1 s grace: "back to its start"). */
		target = fd->start;
		for (i = fd->n_regions; i-- > 0;)
			if (llround(fd->regions[i].start * fd->rate) < head - fd->rate) {
				target = llround(fd->regions[i].start * fd->rate);
				break;
			}
	} else {
		target = llround(t * fd->rate);
	}
	if (target < fd->start)
		target = fd->start;
	if (fd->end != INT64_MAX && target >= fd->end)
		target = fd->end - 1;
	feed_flush(p, UINT64_MAX);
	if (seek_to(p, target, err) < 0)
		return -err->code;
	queue_seg(p);
	return 0;
}

void feed_stop(struct play *p)
{
	if (!p->fd.active)
		return;
	feed_flush(p, 0);
	feed_close(&p->fd);
}
