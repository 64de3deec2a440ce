/*
 * feed.c - decodes an audio file on a thread of its own, ahead of the
 * analysis, through a bounded ring of blocks (see analysis_int.h).
 *
 * The decoder thread calls audio_read() into the free slots of a ring of
 * FEED_SLOTS blocks of block_frames interleaved frames; an_feed_next()
 * hands the consumer the oldest filled block, which stays valid until the
 * next call.  The blocks are the ones audio_read() would have returned in
 * a plain loop, so the analysis sees the same samples either way.
 *
 * Costs: one mutex/condvar hand-off per block; no copy.  Memory:
 * FEED_SLOTS blocks, fixed (256 KiB for stereo at 4096 frames).
 * When the thread cannot be started every block is decoded inline.
 * Threads: the decoder thread owns the audio_file's decoding state from
 * _new to the end of the data (or _free); the consumer may meanwhile only
 * use what does not decode (audio_hash, audio_get_info).  Lock: f->mu
 * guards head, count, stop and the slots' n/rc/err after they are filled.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "analysis_int.h"
#include "grym/audio.h"

#define FEED_SLOTS 8

struct feed_slot {
	float *buf;                 /* block_frames * channels floats */
	long n;                     /* audio_read()'s result: frames, 0 or -GR_E* */
	struct gr_err err;          /* when n < 0 */
};

struct an_feed {
	struct audio_file *af;      /* borrowed */
	size_t block, ch;           /* frames per block, channels */
	struct feed_slot slot[FEED_SLOTS];
	int head, count;            /* mu: oldest filled slot, filled slots */
	int held;                   /* consumer: it holds slot head (until next) */
	int stop;                   /* mu: the consumer is gone */
	int running;                /* the thread was started (join at free) */
	int done;                   /* consumer: the end or an error was seen */
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t filled, freed;
};

static void *decoder(void *arg)
{
	struct an_feed *f = arg;

	for (;;) {
		struct feed_slot *s;
		int stop;

		pthread_mutex_lock(&f->mu);
		while (f->count == FEED_SLOTS && !f->stop)
			pthread_cond_wait(&f->freed, &f->mu);
		stop = f->stop;
		s = &f->slot[(f->head + f->count) % FEED_SLOTS];
		pthread_mutex_unlock(&f->mu);
		if (stop)
			break;
		s->n = audio_read(f->af, s->buf, f->block, &s->err);
		pthread_mutex_lock(&f->mu);
		f->count++;
		pthread_cond_signal(&f->filled);
		pthread_mutex_unlock(&f->mu);
		if (s->n <= 0)
			break;
	}
	return NULL;
}

struct an_feed *an_feed_new(struct audio_file *af, size_t block_frames, struct gr_err *err)
{
	struct an_feed *f = calloc(1, sizeof(*f));
	pthread_attr_t at;
	int ch = audio_get_info(af)->channels;

	if (f == NULL)
		goto nomem;
	f->af = af;
	f->block = block_frames;
	f->ch = (size_t)ch;
	for (int i = 0; i < FEED_SLOTS; i++) {
		f->slot[i].buf = malloc(sizeof(float) * block_frames * f->ch);
		if (f->slot[i].buf == NULL)
			goto nomem;
	}
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->filled, NULL);
	pthread_cond_init(&f->freed, NULL);
	/* a small stack: decoders need little, workers run under an
	 * address-space limit */
	if (pthread_attr_init(&at) == 0) {
		pthread_attr_setstacksize(&at, 512 * 1024);
		f->running = pthread_create(&f->th, &at, decoder, f) == 0;
		pthread_attr_destroy(&at);
	}
	return f;
nomem:
	if (f != NULL)
		for (int i = 0; i < FEED_SLOTS; i++)
			free(f->slot[i].buf);
	free(f);
	gr_fail(err, GR_ENOMEM, "out of memory for %d channels", ch);
	return NULL;
}

long an_feed_next(struct an_feed *f, const float **out, struct gr_err *err)
{
	struct feed_slot *s;

	if (f->done)
		return 0;
	if (!f->running) {
		s = &f->slot[0];
		s->n = audio_read(f->af, s->buf, f->block, err);
		*out = s->buf;
		f->done = s->n <= 0;
		return s->n;
	}
	pthread_mutex_lock(&f->mu);
	if (f->held) {
		f->head = (f->head + 1) % FEED_SLOTS;
		f->count--;
		f->held = 0;
		pthread_cond_signal(&f->freed);
	}
	while (f->count == 0)
		pthread_cond_wait(&f->filled, &f->mu);
	s = &f->slot[f->head];
	f->held = 1;
	pthread_mutex_unlock(&f->mu);
	*out = s->buf;
	if (s->n <= 0) {
		/* the thread has ended: the decoding state is the caller's again */
		f->done = 1;
		pthread_join(f->th, NULL);
		f->running = 0;
		if (s->n < 0)
			*err = s->err;
	}
	return s->n;
}

void an_feed_free(struct an_feed *f)
{
	if (f == NULL)
		return;
	if (f->running) {
		pthread_mutex_lock(&f->mu);
		f->stop = 1;
		pthread_cond_signal(&f->freed);
		pthread_mutex_unlock(&f->mu);
		pthread_join(f->th, NULL);
	}
	pthread_mutex_destroy(&f->mu);
	pthread_cond_destroy(&f->filled);
	pthread_cond_destroy(&f->freed);
	for (int i = 0; i < FEED_SLOTS; i++)
		free(f->slot[i].buf);
	free(f);
}
