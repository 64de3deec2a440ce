/*
 * silence.c - silence detection with hysteresis, and the regions it gives.
 *
 * The mono analysis signal is cut into blocks of 5 ms (110 samples at
 * 22050 Hz) and each block's mean square, in dBFS, drives a state machine:
 *   idle    -> sound   when a block is above silence_db
 *   sound   -> quiet   when a block is below silence_db - hysteresis_db
 *   quiet   -> sound   when a block is above silence_db again: if the quiet
 *                      stretch lasted less than min_silence it is absorbed
 *                      (the region goes on), otherwise the region ends at
 *                      the quiet start and a new one begins
 *   quiet   -> idle    when the quiet stretch reaches max(min_silence,
 *                      2 * padding): the region ends at the quiet start
 * so boundaries sit on the 5 ms grid (the error is below one block for
 * abrupt starts and ends, far inside the 20 ms a frame grid could not
 * promise).  A region whose unpadded length is below min_region is
 * dropped.  Padding extends each kept region on both sides, clamped to the
 * file and to half the gap to its neighbour (regions never overlap).
 *
 * Events (SIL_OPEN with the padded start, SIL_CLOSE with the padded end
 * and the region's index or -1 if dropped) go to a callback as soon as
 * they are decided, for the streaming loudness measurement.
 *
 * Costs: one multiply-add per sample; the region array grows by doubling.
 * Threads: a struct silence belongs to one analyzer.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp_int.h"
#include "grym/util.h"

enum { ST_IDLE, ST_SOUND, ST_QUIET };

void silence_init(struct silence *s, const struct dsp_cfg *cfg, sil_fn fn, void *ctx)
{
	memset(s, 0, sizeof(*s));
	s->rate = cfg->rate;
	s->blk = (int)lrint(cfg->rate * 0.005);
	if (s->blk < 1)
		s->blk = 1;
	s->on = pow(10.0, cfg->silence_db / 10.0);
	s->off = pow(10.0, (cfg->silence_db - cfg->hysteresis_db) / 10.0);
	s->min_sil = (int64_t)llrint(cfg->min_silence * cfg->rate);
	s->min_reg = (int64_t)llrint(cfg->min_region * cfg->rate);
	s->pad = (int64_t)llrint(cfg->padding * cfg->rate);
	s->close_after = s->min_sil > 2 * s->pad ? s->min_sil : 2 * s->pad;
	if (s->close_after < 1)
		s->close_after = 1;
	s->fn = fn;
	s->ctx = ctx;
	silence_reset(s);
}

void silence_fini(struct silence *s)
{
	free(s->reg);
	s->reg = NULL;
	s->nreg = s->areg = 0;
}

void silence_reset(struct silence *s)
{
	s->acc = 0;
	s->accn = 0;
	s->pos = 0;
	s->state = ST_IDLE;
	s->prev_end = 0;
	s->nreg = 0;
}

static void emit(struct silence *s, int type, int64_t at, int region)
{
	struct sil_event ev = { type, at, region };

	if (s->fn != NULL)
		s->fn(s->ctx, &ev);
}

static void open_region(struct silence *s, int64_t b0)
{
	int64_t st = b0 - s->pad;

	if (st < s->prev_end)
		st = s->prev_end;
	if (st < 0)
		st = 0;
	s->s0 = b0;
	s->pstart = st;
	s->state = ST_SOUND;
	emit(s, SIL_OPEN, st, -1);
}

/* End the open region at unpadded sample `end`, padded to `pend`. */
static void close_region(struct silence *s, int64_t end, int64_t pend)
{
	int idx = -1;

	if (end - s->s0 >= s->min_reg && end > s->s0) {
		struct dsp_region *r;

		if (s->nreg == s->areg) {
			s->areg = s->areg ? s->areg * 2 : 16;
			s->reg = xrealloc(s->reg, s->areg * sizeof(*s->reg));
		}
		r = &s->reg[s->nreg];
		memset(r, 0, sizeof(*r));
		r->start = (double)s->pstart / s->rate;
		r->end = (double)pend / s->rate;
		r->peak_db = -120.0f;
		r->loudness = -INFINITY;
		r->lra = 0.0f;
		/* first_frame/n_frames are filled in at the end (analyzer.c) */
		idx = (int)s->nreg++;
		s->prev_end = pend;
	}
	s->state = ST_IDLE;
	emit(s, SIL_CLOSE, pend, idx);
}

static void block(struct silence *s, int64_t b0, int64_t b1, double ms)
{
	int loud = ms > s->on, quiet = ms < s->off;

	switch (s->state) {
	case ST_IDLE:
		if (loud) {
			open_region(s, b0);
			s->sound_end = b1;
		}
		break;
	case ST_SOUND:
		if (quiet) {
			s->state = ST_QUIET;
			s->q0 = b0;
		} else {
			s->sound_end = b1;
		}
		break;
	case ST_QUIET:
		if (loud) {
			int64_t gap = b0 - s->q0;
			if (gap >= s->min_sil) {
				/* gap < 2 * pad here: split it between the two */
				int64_t p = gap / 2 < s->pad ? gap / 2 : s->pad;
				close_region(s, s->q0, s->q0 + p);
				open_region(s, b0);
			} else {
				s->state = ST_SOUND;
			}
			s->sound_end = b1;
		} else if (b1 - s->q0 >= s->close_after) {
			close_region(s, s->q0, s->q0 + s->pad);
		}
		break;
	}
}

void silence_push(struct silence *s, const float *x, size_t n)
{
	while (n > 0) {
		size_t k = (size_t)(s->blk - s->accn);
		double a = 0;

		if (k > n)
			k = n;
		for (size_t i = 0; i < k; i++)
			a += (double)x[i] * x[i];
		s->acc += a;
		s->accn += (int)k;
		s->pos += (int64_t)k;
		x += k;
		n -= k;
		if (s->accn == s->blk) {
			block(s, s->pos - s->blk, s->pos, s->acc / s->blk);
			s->acc = 0;
			s->accn = 0;
		}
	}
}

void silence_finish(struct silence *s)
{
	if (s->accn > 0) {
		block(s, s->pos - s->accn, s->pos, s->acc / s->accn);
		s->acc = 0;
		s->accn = 0;
	}
	if (s->state == ST_SOUND) {
		close_region(s, s->sound_end, s->sound_end);
	} else if (s->state == ST_QUIET) {
		int64_t pe = s->q0 + s->pad;
		close_region(s, s->q0, pe < s->pos ? pe : s->pos);
	}
}

int64_t silence_sound_until(const struct silence *s)
{
	switch (s->state) {
	case ST_SOUND:
		return s->sound_end;
	case ST_QUIET:
		return s->q0;
	default:
		return -1;
	}
}

int64_t silence_idle_from(const struct silence *s)
{
	int64_t t = s->pos - s->pad;

	return t > s->prev_end ? t : s->prev_end;
}
