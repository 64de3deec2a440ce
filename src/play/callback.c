/*
 * callback.c - the real-time side of the player: what runs inside the
 * PortAudio callback.
 *
 * Per device buffer: read the ring (ring.c) up to the next due mark,
 * apply the segment's gain (level match on or off) times the volume with
 * a linear ramp of PLAY_RAMP_MS, a fade-in after every start or jump and
 * a fade-out before a flush (jump or stop) is carried out, publish the
 * playhead and count underruns.  A flush (gen, pos) asks the callback to
 * drop everything before ring position pos: it fades the old data out
 * over one ramp, then jumps its read position to pos, and only then
 * accepts marks of the new generation.
 *
 * Underrun: a buffer the ring could not fill while the stream was primed
 * (it had delivered data since the last start or jump) and the data was
 * not over (the read position had not reached the end position the
 * player set).  Counted once per buffer.
 *
 * Costs: O(frames); no locks, no allocation, no logging, no I/O; one
 * clock_gettime() (vDSO) per start.  Thread: the PortAudio callback only,
 * except rt_init/rt_setup/rt_fini (player thread, no stream running).
 */
#include <math.h>
#include <string.h>
#include <time.h>

#include "play_int.h"

int rt_init(struct play_rt *rt, size_t ring_frames, struct gr_err *err)
{
	memset(rt, 0, sizeof(*rt));
	if (ring_init(&rt->ring, ring_frames, err) < 0)
		return -GR_ENOMEM;
	marks_init(&rt->marks);
	atomic_init(&rt->flush, 0);
	atomic_init(&rt->eos, 0);
	atomic_init(&rt->volume, 1.0f);
	atomic_init(&rt->level_match, 1);
	atomic_init(&rt->flush_done, 0);
	atomic_init(&rt->playhead, -1);
	atomic_init(&rt->region, -1);
	atomic_init(&rt->pass, 0);
	atomic_init(&rt->gain, 1.0f);
	atomic_init(&rt->underruns, 0);
	atomic_init(&rt->callbacks, 0);
	atomic_init(&rt->first_ns, 0);
	atomic_init(&rt->pub_seq, 0);
	rt->out_ch = 2;
	rt->ramp = 240;
	return 0;
}

void rt_setup(struct play_rt *rt, int out_ch, int rate)
{
	uint64_t w = atomic_load(&rt->ring.w);

	rt->out_ch = out_ch;
	rt->ramp = (int)lround(PLAY_RAMP_MS * 1e-3 * rate);
	if (rt->ramp < 1)
		rt->ramp = 1;
	/* Nothing queued survives a new stream: skip to the write position. */
	atomic_store(&rt->ring.r, w);
	while (marks_peek(&rt->marks) != NULL)
		marks_pop(&rt->marks);
	rt->gen = (uint32_t)(atomic_load(&rt->flush) >> PLAY_POS_BITS);
	atomic_store(&rt->flush_done, rt->gen);
	rt->fading = 0;
	rt->fade = 0;
	rt->g_cur = 0;
	rt->have_seg = 0;
	rt->primed = 0;
	atomic_store(&rt->playhead, -1);
}

void rt_fini(struct play_rt *rt)
{
	ring_fini(&rt->ring);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Apply the marks due at read position r; returns the position of the next
 * pending mark of this generation (UINT64_MAX if none). */
static uint64_t apply_marks(struct play_rt *rt, uint64_t r)
{
	const struct play_mark *m;

	while ((m = marks_peek(&rt->marks)) != NULL) {
		if ((int32_t)(m->gen - rt->gen) > 0)
			return UINT64_MAX;       /* belongs to a flush not carried out yet */
		if (m->gen == rt->gen && m->pos > r)
			return m->pos;
		if (m->gen == rt->gen) {
			if (m->kind == MARK_SEG) {
				rt->seg = *m;
				rt->have_seg = 1;
			} else if (rt->have_seg) {
				if (m->gain_match < rt->seg.gain_match)
					rt->seg.gain_match = m->gain_match;
				if (m->gain_plain < rt->seg.gain_plain)
					rt->seg.gain_plain = m->gain_plain;
			}
		}
		marks_pop(&rt->marks);
	}
	return UINT64_MAX;
}

/* Render k frames from ring position r into out with gain and fade;
 * fading out while rt->fading, else fading in (towards 1). */
static void render(struct play_rt *rt, uint64_t r, size_t k, float *out)
{
	float target = rt->g_target;
	float step = 1.0f / (float)rt->ramp;

	while (k > 0) {
		const float *p;
		size_t m = ring_peek(&rt->ring, r, k, &p), i;

		for (i = 0; i < m; i++) {
			float l, rr, g;

			if (rt->fading) {
				rt->fade -= step;
				if (rt->fade < 0)
					rt->fade = 0;
			} else if (rt->fade < 1) {
				rt->fade += step;
				if (rt->fade > 1)
					rt->fade = 1;
			}
			if (rt->g_cur != target) {
				rt->g_cur += rt->g_step;
				if ((rt->g_step > 0 && rt->g_cur > target) ||
				    (rt->g_step < 0 && rt->g_cur < target) || rt->g_step == 0)
					rt->g_cur = target;
			}
			g = rt->g_cur * rt->fade;
			l = p[2 * i] * g;
			rr = p[2 * i + 1] * g;
			/* Last resort only: the player's clip guard keeps |x| <= 1. */
			l = l > 1 ? 1 : l < -1 ? -1 : l;
			rr = rr > 1 ? 1 : rr < -1 ? -1 : rr;
			if (rt->out_ch == 1) {
				*out++ = 0.5f * (l + rr);
			} else {
				*out++ = l;
				*out++ = rr;
			}
		}
		r += m;
		k -= m;
	}
}

void rt_render(struct play_rt *rt, float *out, unsigned long n)
{
	/* w before the flush word: new data implies its flush is visible. */
	uint64_t w = atomic_load_explicit(&rt->ring.w, memory_order_acquire);
	uint64_t fw = atomic_load_explicit(&rt->flush, memory_order_acquire);
	uint64_t eos = atomic_load_explicit(&rt->eos, memory_order_acquire);
	uint64_t r = atomic_load_explicit(&rt->ring.r, memory_order_relaxed);
	uint32_t fgen = (uint32_t)(fw >> PLAY_POS_BITS);
	uint64_t fpos = fw & PLAY_POS_MASK;
	float vol = atomic_load_explicit(&rt->volume, memory_order_relaxed);
	int lm = atomic_load_explicit(&rt->level_match, memory_order_relaxed);
	size_t done = 0;
	int64_t head = -1;
	int got = 0, short_buf = 0;
	float target;

	atomic_fetch_add_explicit(&rt->callbacks, 1, memory_order_relaxed);
	if (fgen != rt->gen)
		rt->fading = 1;
	while (done < n) {
		uint64_t next, lim;
		size_t k;

		if (rt->fading) {
			lim = fpos < w ? fpos : w;
			if (rt->fade <= 0 || r >= lim || !rt->have_seg) {
				/* Carry out the flush: drop the old data and marks. */
				if (r < fpos)
					r = fpos;
				rt->gen = fgen;
				rt->fading = 0;
				rt->fade = 0;
				rt->have_seg = 0;
				rt->primed = 0;
				atomic_store_explicit(&rt->flush_done, fgen, memory_order_release);
				continue;
			}
			k = (size_t)(lim - r);
			/* Only what the fade-out needs: then the jump. */
			if (k > (size_t)(rt->fade * (float)rt->ramp) + 1)
				k = (size_t)(rt->fade * (float)rt->ramp) + 1;
		} else {
			next = apply_marks(rt, r);
			if (!rt->have_seg) {
				/* No segment yet: data without a mark is never played. */
				break;
			}
			k = (size_t)(w - r);
			if (next != UINT64_MAX && next - r < k)
				k = (size_t)(next - r);
		}
		if (k > n - done)
			k = n - done;
		if (k == 0) {
			if (rt->primed && r < eos)
				short_buf = 1;
			break;
		}
		target = (lm ? rt->seg.gain_match : rt->seg.gain_plain) * vol;
		if (rt->fade <= 0) {
			rt->g_cur = target;       /* silent anyway: no ramp needed */
			rt->g_target = target;
		} else if (target != rt->g_target) {
			rt->g_target = target;
			rt->g_step = (target - rt->g_cur) / (float)rt->ramp;
		}
		if (head < 0 && !rt->fading)
			head = rt->seg.src + (int64_t)llround((double)(r - rt->seg.pos) *
			                                      rt->seg.src_per_out);
		render(rt, r, k, out + done * (size_t)rt->out_ch);
		if (!rt->fading) {
			got = 1;
			rt->primed = 1;
		}
		r += k;
		done += k;
	}
	if (done < n)
		memset(out + done * (size_t)rt->out_ch, 0,
		       (n - done) * (size_t)rt->out_ch * sizeof(float));
	atomic_store_explicit(&rt->ring.r, r, memory_order_release);
	if (short_buf)
		atomic_fetch_add_explicit(&rt->underruns, 1, memory_order_relaxed);
	if (got && atomic_load_explicit(&rt->first_ns, memory_order_relaxed) == 0)
		atomic_store_explicit(&rt->first_ns, now_ns(), memory_order_relaxed);
	/* Publish playhead, region, pass and gain as one snapshot (a seqlock:
	 * odd while writing; readers retry, the callback never waits). */
	if (rt->have_seg || !rt->fading) {
		uint64_t seq = atomic_load_explicit(&rt->pub_seq, memory_order_relaxed);
		atomic_store_explicit(&rt->pub_seq, seq + 1, memory_order_relaxed);
		atomic_thread_fence(memory_order_release);
		if (!rt->have_seg) {
			atomic_store_explicit(&rt->playhead, -1, memory_order_relaxed);
		} else {
			if (head >= 0)
				atomic_store_explicit(&rt->playhead, head, memory_order_relaxed);
			atomic_store_explicit(&rt->region, rt->seg.region, memory_order_relaxed);
			atomic_store_explicit(&rt->pass, rt->seg.pass, memory_order_relaxed);
			atomic_store_explicit(&rt->gain, lm ? rt->seg.gain_match
			                      : rt->seg.gain_plain, memory_order_relaxed);
		}
		atomic_store_explicit(&rt->pub_seq, seq + 2, memory_order_release);
	}
}

void rt_snapshot(struct play_rt *rt, int64_t *playhead, int *region, int *pass, float *gain)
{
	uint64_t s1, s2;
	int tries = 0;

	do {
		s1 = atomic_load_explicit(&rt->pub_seq, memory_order_acquire);
		*playhead = atomic_load_explicit(&rt->playhead, memory_order_relaxed);
		*region = atomic_load_explicit(&rt->region, memory_order_relaxed);
		*pass = atomic_load_explicit(&rt->pass, memory_order_relaxed);
		*gain = atomic_load_explicit(&rt->gain, memory_order_relaxed);
		atomic_thread_fence(memory_order_acquire);
		s2 = atomic_load_explicit(&rt->pub_seq, memory_order_relaxed);
	} while ((s1 != s2 || (s1 & 1)) && ++tries < 1000);
}
