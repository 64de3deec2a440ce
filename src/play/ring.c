/*
 * ring.c - the lock-free single-producer single-consumer queues between
 * the player thread and the PortAudio callback: a ring of stereo float
 * frames and a small queue of marks (segment / gain changes at ring
 * positions).
 *
 * Positions are 64-bit counts of frames (marks) ever written and read, so
 * "empty" (w == r) and "full" (w - r == cap) never look alike and no slot
 * is wasted.  The producer writes the samples, then publishes w with a
 * release store; the consumer reads w with an acquire load, so it sees
 * the samples; symmetrically for r and the freed space.  Each index is
 * written by one side only and lives on its own cache line.
 *
 * Costs: O(n) copies, no allocation after _init, no system calls.
 * Threads: ring_space/ring_write/marks_push on the producer thread only;
 * ring_avail/ring_peek/marks_peek/marks_pop on the consumer only (the
 * callback, which also advances r itself, see callback.c).
 */
#include <stdlib.h>
#include <string.h>

#include "play_int.h"

int ring_init(struct play_ring *g, size_t cap_frames, struct gr_err *err)
{
	uint64_t cap = 1024;

	while (cap < cap_frames)
		cap <<= 1;
	g->buf = calloc((size_t)cap * PLAY_CH, sizeof(float));
	if (g->buf == NULL)
		return gr_fail(err, GR_ENOMEM, "player: no memory for a %llu-frame ring",
		               (unsigned long long)cap);
	g->cap = cap;
	atomic_init(&g->w, 0);
	atomic_init(&g->r, 0);
	return 0;
}

void ring_fini(struct play_ring *g)
{
	free(g->buf);
	g->buf = NULL;
}

size_t ring_space(const struct play_ring *g)
{
	uint64_t w = atomic_load_explicit(&g->w, memory_order_relaxed);
	uint64_t r = atomic_load_explicit(&g->r, memory_order_acquire);

	return (size_t)(g->cap - (w - r));
}

void ring_write(struct play_ring *g, const float *src, size_t n)
{
	uint64_t w = atomic_load_explicit(&g->w, memory_order_relaxed);
	size_t at = (size_t)(w & (g->cap - 1));
	size_t first = n < g->cap - at ? n : (size_t)(g->cap - at);

	memcpy(g->buf + at * PLAY_CH, src, first * PLAY_CH * sizeof(float));
	if (n > first)
		memcpy(g->buf, src + first * PLAY_CH, (n - first) * PLAY_CH * sizeof(float));
	atomic_store_explicit(&g->w, w + n, memory_order_release);
}

size_t ring_avail(const struct play_ring *g)
{
	uint64_t w = atomic_load_explicit(&g->w, memory_order_acquire);
	uint64_t r = atomic_load_explicit(&g->r, memory_order_relaxed);

	return (size_t)(w - r);
}

size_t ring_peek(const struct play_ring *g, uint64_t pos, size_t n, const float **p)
{
	size_t at = (size_t)(pos & (g->cap - 1));

	if (n > g->cap - at)
		n = (size_t)(g->cap - at);
	*p = g->buf + at * PLAY_CH;
	return n;
}

void marks_init(struct play_marks *q)
{
	memset(q->m, 0, sizeof(q->m));
	atomic_init(&q->head, 0);
	atomic_init(&q->tail, 0);
}

int marks_push(struct play_marks *q, const struct play_mark *m)
{
	uint64_t h = atomic_load_explicit(&q->head, memory_order_relaxed);
	uint64_t t = atomic_load_explicit(&q->tail, memory_order_acquire);

	if (h - t >= PLAY_NMARKS)
		return -1;
	q->m[h & (PLAY_NMARKS - 1)] = *m;
	atomic_store_explicit(&q->head, h + 1, memory_order_release);
	return 0;
}

const struct play_mark *marks_peek(struct play_marks *q)
{
	uint64_t h = atomic_load_explicit(&q->head, memory_order_acquire);
	uint64_t t = atomic_load_explicit(&q->tail, memory_order_relaxed);

	return h == t ? NULL : &q->m[t & (PLAY_NMARKS - 1)];
}

void marks_pop(struct play_marks *q)
{
	uint64_t t = atomic_load_explicit(&q->tail, memory_order_relaxed);

	atomic_store_explicit(&q->tail, t + 1, memory_order_release);
}
