/*
 * play_int.h - shared between the files of src/play only.
 *
 * The real-time side (struct play_rt) is the only state the PortAudio
 * callback touches.  Its rules:
 *   - the ring (ring.c) has one producer (the player thread) and one
 *     consumer (the callback); positions are monotonic 64-bit frame
 *     counts, published with release stores and read with acquire loads;
 *   - marks travel in the same direction through their own SPSC queue: a
 *     mark at ring position P says "from P on, the source position, gain
 *     and region are these" (a new segment: start, loop pass, jump) or
 *     "from P on the gain is at most this" (clip guard);
 *   - everything the player asks of the callback is one atomic word:
 *     flush (gen << 48 | position), stop = a flush with nothing after it;
 *     volume and level match are atomics the callback samples per buffer;
 *   - everything the callback reports is an atomic it alone writes:
 *     playhead, region, pass, underruns, the ring read position, the flush
 *     generation it has carried out, the time of the first sample.
 * The callback never locks, allocates, logs or does I/O; clock_gettime()
 * (vDSO, no system call on Linux) is its only library call.
 */
#ifndef GRYM_PLAY_INT_H
#define GRYM_PLAY_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "grym/err.h"
#include "grym/play.h"

#define PLAY_CH 2                       /* ring frames are stereo */
#define PLAY_POS_BITS 48                /* flush word: low bits are a ring position */
#define PLAY_POS_MASK (((uint64_t)1 << PLAY_POS_BITS) - 1)
#define PLAY_NMARKS 256                 /* mark queue slots (power of 2) */
#define PLAY_QMAX 64                    /* control commands waiting, at most */

/* ---- ring.c: lock-free single-producer single-consumer frame ring ---- */

struct play_ring {
	float *buf;                      /* cap * PLAY_CH samples */
	uint64_t cap;                    /* frames, power of 2 */
	_Alignas(64) _Atomic uint64_t w; /* frames ever written (producer only) */
	_Alignas(64) _Atomic uint64_t r; /* frames ever read (consumer only) */
};

/* cap_frames is rounded up to a power of 2.  0 or -GR_ENOMEM. */
int ring_init(struct play_ring *g, size_t cap_frames, struct gr_err *err);
void ring_fini(struct play_ring *g);
/* Producer: frames free now. */
size_t ring_space(const struct play_ring *g);
/* Producer: copy n stereo frames in (n <= ring_space()); publishes them. */
void ring_write(struct play_ring *g, const float *src, size_t n);
/* Consumer: frames readable now (acquire). */
size_t ring_avail(const struct play_ring *g);
/* Consumer: pointer to up to n contiguous readable frames at read
 * position pos (n is cut at the wrap); returns the count. */
size_t ring_peek(const struct play_ring *g, uint64_t pos, size_t n, const float **p);

enum mark_kind { MARK_SEG = 1, MARK_GAIN = 2 };

struct play_mark {
	uint64_t pos;            /* ring position it takes effect at */
	uint32_t gen;            /* flush generation it belongs to */
	int kind;                /* enum mark_kind */
	int64_t src;             /* MARK_SEG: source frame at pos */
	double src_per_out;      /* MARK_SEG: source frames per ring frame */
	float gain_match;        /* linear gain with level match on */
	float gain_plain;        /* linear gain with level match off */
	int region;              /* MARK_SEG: region index or -1 */
	int pass;                /* MARK_SEG: 1-based loop pass */
};

struct play_marks {
	struct play_mark m[PLAY_NMARKS];
	_Alignas(64) _Atomic uint64_t head;   /* pushed (producer) */
	_Alignas(64) _Atomic uint64_t tail;   /* popped (consumer) */
};

void marks_init(struct play_marks *q);
/* Producer: 0, or -1 when full. */
int marks_push(struct play_marks *q, const struct play_mark *m);
/* Consumer: the oldest mark or NULL (stays queued until marks_pop). */
const struct play_mark *marks_peek(struct play_marks *q);
void marks_pop(struct play_marks *q);

/* ---- callback.c: the real-time side ---- */

struct play_rt {
	struct play_ring ring;
	struct play_marks marks;
	int out_ch;                      /* device channels: 1 or 2 */
	int ramp;                        /* ramp length, device frames */
	/* player -> callback */
	_Atomic uint64_t flush;          /* gen << 48 | ring position to jump to */
	_Atomic uint64_t eos;            /* ring position where data ends, or UINT64_MAX */
	_Atomic float volume;            /* 0..1 */
	_Atomic int level_match;         /* bool */
	/* callback -> player (and UI) */
	_Atomic uint64_t flush_done;     /* gen of the last flush carried out */
	_Atomic int64_t playhead;        /* source frame, -1 when nothing plays */
	_Atomic int region;
	_Atomic int pass;
	_Atomic float gain;              /* current segment gain (without volume), linear */
	_Atomic int64_t underruns;
	_Atomic uint64_t callbacks;      /* count of callback runs (watchdog) */
	_Atomic int64_t first_ns;        /* CLOCK_MONOTONIC ns of the first sample after a
	                                    flush, 0 until then */
	_Atomic uint64_t pub_seq;        /* seqlock over playhead, region, pass, gain:
	                                    odd while the callback writes them */
	/* callback-private */
	uint32_t gen;                    /* flush generation being played */
	int fading;                      /* fading out before a flush */
	float fade, g_cur;               /* fade 0..1, current applied gain */
	float g_target, g_step;          /* gain ramp: where to, per frame */
	struct play_mark seg;            /* current segment */
	int have_seg, primed;
};

/* 0 or -GR_ENOMEM.  Ring of ring_frames stereo frames (nothing plays). */
int rt_init(struct play_rt *rt, size_t ring_frames, struct gr_err *err);
/* Before a stream starts: the device's channels (1 or 2) and rate (Hz);
 * the ring is emptied.  Not while a stream runs. */
void rt_setup(struct play_rt *rt, int out_ch, int rate);
void rt_fini(struct play_rt *rt);
/* The callback body: fill out (n frames of rt->out_ch floats).  Real-time
 * safe. */
void rt_render(struct play_rt *rt, float *out, unsigned long n);
/* Any thread: a consistent snapshot of what the callback published
 * (retries while the callback writes; never blocks it). */
void rt_snapshot(struct play_rt *rt, int64_t *playhead, int *region, int *pass,
                 float *gain);

/* ---- device.c: PortAudio ---- */

struct play_stream;
/* Reference-counted, serialised Pa_Initialize (with ALSA/JACK chatter
 * silenced first).  0 or -GR_ENOTSUP with err. */
int dev_init(struct gr_err *err);
void dev_fini(void);
/*
 * Open (not start) an output stream on device name ("" = default) whose
 * callback is rt_render(rt); rate 0 = the device's default.  NULL with
 * err ("no audio output device ...").
 */
struct play_stream *dev_open(const char *name, int rate, double latency_ms,
                             struct play_rt *rt, struct gr_err *err);
int dev_rate(const struct play_stream *s);          /* Hz */
int dev_channels(const struct play_stream *s);      /* 1 or 2 */
double dev_latency(const struct play_stream *s);    /* s */
const char *dev_name(const struct play_stream *s);
/* Start the stream (rt_setup() first).  0 or -GR_ENOTSUP with err. */
int dev_start(struct play_stream *s, struct gr_err *err);
/* 1 while the stream runs, 0 when it stopped by itself (device gone). */
int dev_active(struct play_stream *s);
/* Stop and close; drain = 1 plays out the device buffer first (a device
 * that failed is aborted instead).  NULL ok. */
void dev_close(struct play_stream *s, int drain);

/* ---- level.c ---- */
/* Clip guard: the largest gain that keeps buf's n stereo frames within full
 * scale (>= 1e9 for silence). */
float level_guard(const float *buf, size_t n);

/* ---- feeder.c: the source side of the player thread ---- */

struct feed {
	char *path;                  /* owned */
	struct play_span file;       /* whole file's level */
	struct play_span *regions;   /* owned copy */
	size_t n_regions;
	struct play_span sel;        /* what plays when region < 0 */
	int region;                  /* region playing, -1 = the selection */
	int loop, loops, pass;       /* loop flag, pass limit (0 none), current pass */
	struct audio_file *f;
	struct audio_resampler *rs;
	int rate, ch, dev_rate;      /* source Hz and channels, device Hz */
	int64_t frames;              /* source length if known (declared), else -1 */
	int64_t start, end;          /* span being played, source frames; end INT64_MAX =
	                                to the end of the file */
	int64_t pos;                 /* next source frame to decode */
	float gain_match, gain_plain;/* linear, of the span (lowered by the clip guard) */
	float *in, *out;             /* decode block; resampled output (out_cap frames) */
	size_t out_cap, out_off, out_n; /* pending output: [out_off, out_n) not yet written */
	struct play_mark mark;       /* a mark waiting for room in the queue */
	int mark_pending;
	uint64_t last_mark;          /* ring position of the last mark pushed */
	int flushed;                 /* the resampler got last = 1 for this pass */
	int eof;                     /* all data written; eos published */
	int active;                  /* a source is open */
};

enum cmd_kind { CMD_START, CMD_STOP, CMD_NEXT, CMD_PREV, CMD_SEEK, CMD_LOOP, CMD_QUIT };

struct play_cmd {
	int kind;                    /* enum cmd_kind */
	struct play_req req;         /* CMD_START: owned copies of path and regions */
	uint64_t serial;             /* CMD_START */
	double t;                    /* CMD_SEEK: s; CMD_START: time_now() of the request */
	int on;                      /* CMD_LOOP */
};

struct play {
	struct play_cfg cfg;
	struct play_rt rt;
	struct feed fd;              /* player thread only */
	struct play_stream *stream;  /* player thread only; NULL when closed */
	int pa_ok;                   /* dev_init() held (player thread only) */
	uint32_t gen;                /* last flush generation issued (player thread) */
	pthread_t thread;
	int wake_fd;                 /* eventfd: commands waiting */
	pthread_mutex_t lock;        /* leaf lock: guards q, nq, st */
	struct play_cmd q[PLAY_QMAX];/* command queue (lock) */
	size_t nq;
	struct play_status st;       /* published status, atomics overlaid on read (lock) */
	uint64_t serial;             /* start requests made (lock) */
	double t_request;            /* time_now() of the start being served (thread) */
	double idle_since;           /* time_now() the stream went idle (thread) */
};

/* Open the source of req (taking ownership of its copies), measure its
 * level if needed, and queue the first segment behind a flush.  0 or
 * -GR_E* with err (the player then shows PLAY_ERROR). */
int feed_start(struct play *p, struct play_req *req, struct gr_err *err);
/* Fill the ring as far as it has room (at most ahead_frames queued).
 * Returns 1 if it wrote something, 0 if it waits for room or is done,
 * -GR_E* on a decode error. */
int feed_fill(struct play *p, size_t ahead_frames, struct gr_err *err);
/* Jump: region delta (+1 next, -1 previous) or, with delta 0, to t s. */
int feed_jump(struct play *p, int delta, double t, struct gr_err *err);
/* Stop: flush with nothing after it; closes the source. */
void feed_stop(struct play *p);
/* Close the source (no flush). */
void feed_close(struct feed *fd);
/* Issue a flush to the current write position; returns its generation. */
uint32_t feed_flush(struct play *p, uint64_t eos);

#endif
