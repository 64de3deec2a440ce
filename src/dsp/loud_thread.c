/*
 * loud_thread.c - runs the loudness meter (loudness.c) on its own thread,
 * fed through a bounded queue, so libebur128's K-filter and block sums
 * (about as much CPU as the whole STFT pass) overlap with the dsp pass.
 *
 * The analyzer posts, in its own order, every call it would have made on
 * the struct loud: source frames (copied into a slot), region events and
 * pumps.  The worker applies them in exactly that order, so the results
 * are bit-identical to calling loudness.c directly.  loudq_finish() posts
 * the end, joins the worker and leaves the struct loud finished.
 *
 * Costs: one memcpy of the source frames; a mutex per slot (LOUDQ_FRAMES
 * source frames) and a wake-up per half queue: the worker sleeps until
 * LOUDQ_SLOTS / 2 slots wait (or the end is posted), the producer, when
 * the queue was full, until half of it is free.  Memory: LOUDQ_SLOTS slots of
 * LOUDQ_FRAMES frames, fixed (256 KiB for stereo).  When the worker cannot
 * be started (no threads left, small address-space limit) every call runs
 * inline on the caller's thread, with the same results.
 * Threads: one producer (the analyzer's thread); the worker owns the
 * struct loud between loudq_start() and the join.  Lock: q->mu guards
 * head, count, failed, werr and the condvars; a slot's contents belong to
 * the producer before it is counted and to the worker after.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dsp_int.h"
#include "grym/util.h"

enum { LQ_SOURCE, LQ_EVENT, LQ_PUMP, LQ_FINISH, LQ_STOP };

struct loudq_slot {
	int type;                   /* LQ_* */
	size_t n;                   /* LQ_SOURCE: frames in buf */
	int64_t until, idle_from;   /* LQ_PUMP: analysis samples */
	struct sil_event ev;        /* LQ_EVENT */
	float *buf;                 /* LOUDQ_FRAMES * ch floats, interleaved */
};

static void *worker(void *arg)
{
	struct loudq *q = arg;
	struct gr_err err = { 0 };
	int done = 0;

	while (!done) {
		struct loudq_slot *s;
		int rc = 0, failed;

		pthread_mutex_lock(&q->mu);
		while (q->count == 0)
			pthread_cond_wait(&q->not_empty, &q->mu);
		s = &q->slot[q->head];
		failed = q->failed;
		pthread_mutex_unlock(&q->mu);

		switch (s->type) {
		case LQ_SOURCE:
			if (!failed)
				rc = loud_push(q->l, s->buf, s->n, &err);
			break;
		case LQ_EVENT:
			loud_event(q->l, &s->ev);
			break;
		case LQ_PUMP:
			if (!failed)
				rc = loud_pump(q->l, s->until, s->idle_from, &err);
			break;
		case LQ_FINISH:
			if (!failed)
				rc = loud_finish(q->l, &err);
			done = 1;
			break;
		default:
			done = 1;
			break;
		}
		pthread_mutex_lock(&q->mu);
		if (rc != 0 && !q->failed) {
			q->failed = 1;
			q->werr = err;
		}
		q->head = (q->head + 1) % LOUDQ_SLOTS;
		q->count--;
		if (q->count <= LOUDQ_SLOTS / 2)       /* the producer waits for a full queue */
			pthread_cond_signal(&q->not_full);
		pthread_mutex_unlock(&q->mu);
	}
	return NULL;
}

int loudq_init(struct loudq *q, struct loud *l, struct gr_err *err)
{
	memset(q, 0, sizeof(*q));
	q->l = l;
	q->slot = calloc(LOUDQ_SLOTS, sizeof(*q->slot));
	if (q->slot == NULL)
		return gr_fail(err, GR_ENOMEM, "dsp: out of memory for the loudness queue");
	for (int i = 0; i < LOUDQ_SLOTS; i++) {
		q->slot[i].buf = malloc(sizeof(float) * LOUDQ_FRAMES * (size_t)l->ch);
		if (q->slot[i].buf == NULL) {
			loudq_fini(q);
			return gr_fail(err, GR_ENOMEM, "dsp: out of memory for the loudness queue");
		}
	}
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->not_empty, NULL);
	pthread_cond_init(&q->not_full, NULL);
	q->sync_init = 1;
	return 0;
}

void loudq_start(struct loudq *q)
{
	pthread_attr_t at;

	if (q->running)
		return;
	q->head = 0;
	q->count = 0;
	q->failed = 0;
	/* a small stack: libebur128 needs little, and workers run under an
	 * address-space limit */
	if (pthread_attr_init(&at) != 0)
		return;
	pthread_attr_setstacksize(&at, 256 * 1024);
	q->running = pthread_create(&q->th, &at, worker, q) == 0;
	pthread_attr_destroy(&at);
}

/* Wait for a free slot; the producer fills it, then commit() counts it.
 * NULL if the worker failed; its error is then copied to err. */
static struct loudq_slot *reserve(struct loudq *q, struct gr_err *err)
{
	struct loudq_slot *s = NULL;

	pthread_mutex_lock(&q->mu);
	while (q->count == LOUDQ_SLOTS && !q->failed)
		pthread_cond_wait(&q->not_full, &q->mu);
	if (q->failed) {
		if (err != NULL)
			*err = q->werr;
	} else {
		/* under the lock: the worker moves head */
		s = &q->slot[(q->head + q->count) % LOUDQ_SLOTS];
	}
	pthread_mutex_unlock(&q->mu);
	return s;
}

/* The worker is woken only once half the queue is full (and by the end
 * or stop), not per slot: it is faster than the producer, so a wake per
 * slot cost a futex round trip and two context switches per 4096 frames. */
static void commit(struct loudq *q)
{
	pthread_mutex_lock(&q->mu);
	q->count++;
	if (q->count >= LOUDQ_SLOTS / 2)
		pthread_cond_signal(&q->not_empty);
	pthread_mutex_unlock(&q->mu);
}

/* After the join: the worker's first error, if any. */
static int joined_status(struct loudq *q, struct gr_err *err)
{
	if (!q->failed)
		return 0;
	*err = q->werr;
	return -q->werr.code;
}

int loudq_source(struct loudq *q, const float *x, size_t n, struct gr_err *err)
{
	size_t ch = (size_t)q->l->ch;

	if (!q->running)
		return loud_push(q->l, x, n, err);
	while (n > 0) {
		size_t k = n < LOUDQ_FRAMES ? n : LOUDQ_FRAMES;
		struct loudq_slot *s = reserve(q, err);

		if (s == NULL)
			return -err->code;
		s->type = LQ_SOURCE;
		s->n = k;
		memcpy(s->buf, x, sizeof(float) * k * ch);
		commit(q);
		x += k * ch;
		n -= k;
	}
	return 0;
}

void loudq_event(struct loudq *q, const struct sil_event *ev)
{
	struct loudq_slot *s;

	if (!q->running) {
		loud_event(q->l, ev);
		return;
	}
	/* a failed worker drops events: its error surfaces at the next push */
	if ((s = reserve(q, NULL)) == NULL)
		return;
	s->type = LQ_EVENT;
	s->ev = *ev;
	commit(q);
}

int loudq_pump(struct loudq *q, int64_t until, int64_t idle_from, struct gr_err *err)
{
	struct loudq_slot *s;

	if (!q->running)
		return loud_pump(q->l, until, idle_from, err);
	if ((s = reserve(q, err)) == NULL)
		return -err->code;
	s->type = LQ_PUMP;
	s->until = until;
	s->idle_from = idle_from;
	commit(q);
	return 0;
}

/* Post type, join the worker. */
static void post_and_join(struct loudq *q, int type)
{
	struct loudq_slot *s;

	pthread_mutex_lock(&q->mu);
	while (q->count == LOUDQ_SLOTS)     /* the worker drains even when failed */
		pthread_cond_wait(&q->not_full, &q->mu);
	s = &q->slot[(q->head + q->count) % LOUDQ_SLOTS];
	s->type = type;
	q->count++;
	pthread_cond_signal(&q->not_empty);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->th, NULL);
	q->running = 0;
}

int loudq_finish(struct loudq *q, struct gr_err *err)
{
	if (!q->running)
		return loud_finish(q->l, err);
	post_and_join(q, LQ_FINISH);
	return joined_status(q, err);
}

void loudq_stop(struct loudq *q)
{
	if (q->running)
		post_and_join(q, LQ_STOP);
}

void loudq_fini(struct loudq *q)
{
	loudq_stop(q);
	if (q->slot != NULL)
		for (int i = 0; i < LOUDQ_SLOTS; i++)
			free(q->slot[i].buf);
	free(q->slot);
	q->slot = NULL;
	if (q->sync_init) {
		pthread_mutex_destroy(&q->mu);
		pthread_cond_destroy(&q->not_empty);
		pthread_cond_destroy(&q->not_full);
		q->sync_init = 0;
	}
}
