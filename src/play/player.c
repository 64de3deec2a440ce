/*
 * player.c - the player object: the control API (any thread, never
 * blocks), the player thread (commands, device, feeding, watchdog) and
 * the published status.
 *
 * Control flow: play_start() and friends append a command to p->q under
 * p->lock (a leaf lock held for a copy) and write to an eventfd; a start
 * drops whatever is still queued (the latest request wins).  The
 * player thread swaps the queue out, runs the commands, keeps the ring
 * filled (feeder.c) and sleeps in poll() on the eventfd: 0 ms while it
 * has data to write, 10 ms while playing, 250 ms while a stream idles,
 * forever when closed.  Volume and level match go straight to atomics
 * the callback reads.
 *
 * Device lifetime: opened by the first start, kept open (playing
 * silence) while starts follow each other, closed after PLAY_IDLE_S
 * seconds idle (so auditioning one sound after another never reopens
 * it).  A device that stops calling back for PLAY_STALL_S while playing,
 * or whose stream ends by itself, is an error: the stream is aborted,
 * PortAudio is shut down (the next start re-probes), the state becomes
 * PLAY_ERROR with the message.
 *
 * Locks: p->lock guards p->q, p->nq, p->st and p->serial; it is a leaf
 * (nothing else is taken while it is held).  PortAudio's own lock
 * (device.c) is taken only by the player thread.
 *
 * Signals: the thread blocks SIGPIPE and the asynchronous signals meant
 * for the main thread (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH,
 * SIGCHLD, SIGALRM, SIGUSR1/2, SIGTSTP), and so do PortAudio's threads,
 * which inherit its mask.  So a device that is a pipe or socket and goes
 * away gives an EPIPE error rather than killing grym, and Ctrl-C never
 * lands in the audio thread, where an interrupted write would look like a
 * device failure.  (Programs an ALSA plugin starts inherit the mask.)
 */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "grym/util.h"
#include "play_int.h"

#define PLAY_RING_FRAMES 131072    /* 2.7 s at 48 kHz */
#define PLAY_AHEAD_S 1.5           /* decode at most this far ahead, s */
#define PLAY_IDLE_S 3.0            /* close an idle stream after this, s */
#define PLAY_STALL_S 3.0           /* no callback for this long while playing: dead */

static void notify(struct play *p)
{
	if (p->cfg.notify != NULL)
		p->cfg.notify(p->cfg.notify_arg);
}

static void set_error(struct play *p, const struct gr_err *e)
{
	pthread_mutex_lock(&p->lock);
	p->st.state = PLAY_ERROR;
	p->st.error_code = e->code ? e->code : GR_EIO;
	str_lcpy(p->st.error, e->msg[0] ? e->msg : "audio failed", sizeof(p->st.error));
	pthread_mutex_unlock(&p->lock);
	notify(p);
}

static void set_state(struct play *p, int state)
{
	pthread_mutex_lock(&p->lock);
	p->st.state = state;
	pthread_mutex_unlock(&p->lock);
	notify(p);
}

/* Publish what the feeder plays now (after a start or a jump). */
static void publish_span(struct play *p)
{
	const struct feed *fd = &p->fd;

	pthread_mutex_lock(&p->lock);
	p->st.start_s = (double)fd->start / fd->rate;
	p->st.end_s = fd->end == INT64_MAX ? (fd->frames > 0 ? (double)fd->frames / fd->rate
	                                      : 0) : (double)fd->end / fd->rate;
	p->st.duration_s = fd->frames > 0 ? (double)fd->frames / fd->rate : 0;
	p->st.region = fd->region;
	p->st.n_regions = (int)fd->n_regions;
	p->st.loop = fd->loop;
	p->st.file_rate = fd->rate;
	pthread_mutex_unlock(&p->lock);
}

static void close_device(struct play *p, int drain)
{
	dev_close(p->stream, drain);
	p->stream = NULL;
}

static int open_device(struct play *p, struct gr_err *err)
{
	if (!p->pa_ok) {
		if (dev_init(err) < 0)
			return -GR_ENOTSUP;
		p->pa_ok = 1;
	}
	p->stream = dev_open(p->cfg.device, p->cfg.rate, p->cfg.latency_ms, &p->rt, err);
	if (p->stream == NULL) {
		/* Probe again next time: a device may be plugged in meanwhile. */
		dev_fini();
		p->pa_ok = 0;
		return -GR_ENOTSUP;
	}
	rt_setup(&p->rt, dev_channels(p->stream), dev_rate(p->stream));
	if (dev_start(p->stream, err) < 0) {
		close_device(p, 0);
		dev_fini();
		p->pa_ok = 0;
		return -GR_ENOTSUP;
	}
	pthread_mutex_lock(&p->lock);
	p->st.device_rate = dev_rate(p->stream);
	p->st.latency_s = dev_latency(p->stream);
	str_lcpy(p->st.device, dev_name(p->stream), sizeof(p->st.device));
	pthread_mutex_unlock(&p->lock);
	return 0;
}

static void do_start(struct play *p, struct play_cmd *c)
{
	struct gr_err err = { 0 };

	feed_stop(p);
	if (p->stream == NULL && open_device(p, &err) < 0)
		goto fail;
	p->t_request = c->t;
	if (feed_start(p, &c->req, &err) < 0)
		goto fail;
	pthread_mutex_lock(&p->lock);
	p->st.start_latency_s = 0;
	pthread_mutex_unlock(&p->lock);
	publish_span(p);
	/* One block first, so the device has something at once. */
	if (feed_fill(p, 1, &err) < 0)
		goto fail;
	log_debug("play: first block queued %.2f ms after the request",
	          (time_now() - c->t) * 1e3);
	set_state(p, PLAY_PLAYING);
	return;
fail:
	feed_stop(p);
	feed_close(&p->fd);         /* a start that failed half-way */
	set_error(p, &err);
}

static void do_cmd(struct play *p, struct play_cmd *c, int *quit)
{
	struct gr_err err = { 0 };

	switch (c->kind) {
	case CMD_START:
		do_start(p, c);
		break;
	case CMD_STOP:
		if (p->fd.active) {
			feed_stop(p);
			set_state(p, PLAY_IDLE);
			p->idle_since = time_now();
		}
		break;
	case CMD_NEXT:
	case CMD_PREV:
	case CMD_SEEK:
		if (feed_jump(p, c->kind == CMD_NEXT ? 1 : c->kind == CMD_PREV ? -1 : 0, c->t,
		              &err) < 0) {
			feed_stop(p);
			set_error(p, &err);
		}
		publish_span(p);
		break;
	case CMD_LOOP:
		p->fd.loop = c->on;
		if (c->on && p->fd.active && p->fd.eof) {
			/* Everything was written: take the end back and go round. */
			p->fd.eof = 0;
			atomic_store(&p->rt.eos, UINT64_MAX);
		}
		pthread_mutex_lock(&p->lock);
		p->st.loop = c->on;
		pthread_mutex_unlock(&p->lock);
		break;
	case CMD_QUIT:
		*quit = 1;
		break;
	}
	free((char *)c->req.path);
	free((void *)c->req.regions);
}

/* Periodic duties: end of play, start latency, watchdog, idle close. */
static void tend(struct play *p, double now, uint64_t *last_cb, double *last_cb_t)
{
	struct play_rt *rt = &p->rt;
	uint64_t cb = atomic_load(&rt->callbacks);
	int64_t first = atomic_load(&rt->first_ns);
	struct gr_err err = { 0 };

	if (p->fd.active && p->fd.eof &&
	    atomic_load(&rt->ring.r) >= atomic_load(&rt->eos)) {
		feed_close(&p->fd);
		set_state(p, PLAY_IDLE);
		p->idle_since = now;
	}
	if (first != 0) {
		pthread_mutex_lock(&p->lock);
		if (p->st.start_latency_s == 0)
			p->st.start_latency_s = (double)first * 1e-9 - p->t_request;
		pthread_mutex_unlock(&p->lock);
	}
	if (p->stream == NULL)
		return;
	if (cb != *last_cb) {
		*last_cb = cb;
		*last_cb_t = now;
	}
	if (!dev_active(p->stream) || now - *last_cb_t > PLAY_STALL_S) {
		int was = p->fd.active;
		gr_fail(&err, GR_ENOTSUP, "audio device '%s' stopped %s", dev_name(p->stream),
		        now - *last_cb_t > PLAY_STALL_S ? "responding" : "(disconnected or failed)");
		feed_close(&p->fd);
		close_device(p, 0);
		dev_fini();
		p->pa_ok = 0;
		if (was)
			set_error(p, &err);
		return;
	}
	if (!p->fd.active && now - p->idle_since > PLAY_IDLE_S)
		close_device(p, 1);
}

static void *player_main(void *arg)
{
	struct play *p = arg;
	struct play_cmd *cmds = xcalloc(PLAY_QMAX, sizeof(*cmds));
	uint64_t last_cb = 0;
	double last_cb_t = time_now();
	int quit = 0;

	while (!quit) {
		struct gr_err err = { 0 };
		struct pollfd pfd = { .fd = p->wake_fd, .events = POLLIN };
		size_t i, n;
		int wrote = 0, timeout;
		uint64_t junk;

		pthread_mutex_lock(&p->lock);
		n = p->nq;
		memcpy(cmds, p->q, n * sizeof(*cmds));
		p->nq = 0;
		pthread_mutex_unlock(&p->lock);
		for (i = 0; i < n; i++) {
			if (!quit) {
				do_cmd(p, &cmds[i], &quit);
			} else {
				free((char *)cmds[i].req.path);
				free((void *)cmds[i].req.regions);
			}
			/* A command may have taken long (opening, measuring, a slow
			 * seek): the watchdog counts from its end. */
			last_cb_t = time_now();
		}
		if (quit)
			break;
		if (p->fd.active && p->stream != NULL) {
			size_t ahead = (size_t)(PLAY_AHEAD_S * dev_rate(p->stream));
			int rc = feed_fill(p, ahead, &err);
			if (rc < 0) {
				feed_stop(p);
				set_error(p, &err);
			}
			wrote = rc > 0;
		}
		tend(p, time_now(), &last_cb, &last_cb_t);
		timeout = wrote ? 0 : p->fd.active ? 10 : p->stream != NULL ? 250 : -1;
		if (poll(&pfd, 1, timeout) > 0 && read(p->wake_fd, &junk, sizeof(junk)) < 0)
			continue;
	}
	/* Quit: fade out what plays, let the device drain, close. */
	if (p->fd.active) {
		uint32_t gen;
		double t0 = time_now();
		feed_stop(p);
		gen = p->gen;
		while (p->stream != NULL && atomic_load(&p->rt.flush_done) != gen &&
		       time_now() - t0 < 0.2 && dev_active(p->stream))
			usleep(2000);
	}
	if (p->stream != NULL)
		close_device(p, dev_active(p->stream));
	if (p->pa_ok)
		dev_fini();
	free(cmds);
	return NULL;
}

/* Queue a command (takes ownership of its copies); 0 or -1 when full. */
static int post(struct play *p, const struct play_cmd *c)
{
	uint64_t one = 1;
	int rc = 0;

	pthread_mutex_lock(&p->lock);
	if (c->kind == CMD_START) {
		/* Latest wins: a start makes everything still queued moot
		 * (auto-preview while scrolling posts one start per row). */
		for (size_t i = 0; i < p->nq; i++) {
			free((char *)p->q[i].req.path);
			free((void *)p->q[i].req.regions);
		}
		p->nq = 0;
	}
	if (p->nq < PLAY_QMAX)
		p->q[p->nq++] = *c;
	else
		rc = -1;
	if (rc == 0 && c->kind == CMD_START) {
		p->st.state = PLAY_STARTING;
		p->st.serial = c->serial;
		p->st.error_code = 0;
		p->st.error[0] = '\0';
	}
	pthread_mutex_unlock(&p->lock);
	if (rc == 0 && write(p->wake_fd, &one, sizeof(one)) < 0) {
		/* The counter cannot overflow in practice; the thread polls anyway. */
	}
	return rc;
}

struct play *play_new(const struct play_cfg *cfg, struct gr_err *err)
{
	struct play *p = xcalloc(1, sizeof(*p));
	sigset_t all, old;
	int e;

	p->cfg = *cfg;
	if (rt_init(&p->rt, PLAY_RING_FRAMES, err) < 0) {
		free(p);
		return NULL;
	}
	atomic_store(&p->rt.volume, (float)fmin(1.0, fmax(0.0, cfg->volume)));
	atomic_store(&p->rt.level_match, cfg->level_match ? 1 : 0);
	p->fd.region = -1;
	p->st.region = -1;
	p->st.volume = cfg->volume;
	p->st.level_match = cfg->level_match;
	pthread_mutex_init(&p->lock, NULL);
	p->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (p->wake_fd < 0) {
		gr_fail(err, GR_EIO, "player: eventfd: %s", strerror(errno));
		goto fail;
	}
	/* The thread (and PortAudio's threads, made by it): see the top. */
	sigemptyset(&all);
	sigaddset(&all, SIGPIPE);
	sigaddset(&all, SIGINT);
	sigaddset(&all, SIGTERM);
	sigaddset(&all, SIGHUP);
	sigaddset(&all, SIGQUIT);
	sigaddset(&all, SIGWINCH);
	sigaddset(&all, SIGCHLD);
	sigaddset(&all, SIGALRM);
	sigaddset(&all, SIGUSR1);
	sigaddset(&all, SIGUSR2);
	sigaddset(&all, SIGTSTP);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	e = pthread_create(&p->thread, NULL, player_main, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		gr_fail(err, GR_EIO, "player: cannot start its thread: %s", strerror(e));
		close(p->wake_fd);
		goto fail;
	}
	return p;
fail:
	pthread_mutex_destroy(&p->lock);
	rt_fini(&p->rt);
	free(p);
	return NULL;
}

void play_free(struct play *p)
{
	struct play_cmd c = { .kind = CMD_QUIT };
	size_t i;

	if (p == NULL)
		return;
	while (post(p, &c) < 0)
		usleep(1000);
	pthread_join(p->thread, NULL);
	for (i = 0; i < p->nq; i++) {
		free((char *)p->q[i].req.path);
		free((void *)p->q[i].req.regions);
	}
	feed_close(&p->fd);
	close(p->wake_fd);
	pthread_mutex_destroy(&p->lock);
	rt_fini(&p->rt);
	free(p);
}

int play_start(struct play *p, const struct play_req *r, struct gr_err *err)
{
	struct play_cmd c;
	struct play_span *regs = NULL;

	if (r->path == NULL || r->path[0] == '\0')
		return gr_fail(err, GR_EUSAGE, "play: no file given");
	if (r->region >= 0 && (size_t)r->region >= r->n_regions)
		return gr_fail(err, GR_EUSAGE, "play: region %d out of range (the file has %zu)",
		               r->region, r->n_regions);
	memset(&c, 0, sizeof(c));
	c.kind = CMD_START;
	c.req = *r;
	c.req.path = xstrdup(r->path);
	if (r->n_regions > 0) {
		regs = xmalloc(r->n_regions * sizeof(*regs));
		memcpy(regs, r->regions, r->n_regions * sizeof(*regs));
	}
	c.req.regions = regs;
	c.t = time_now();
	pthread_mutex_lock(&p->lock);
	c.serial = ++p->serial;
	pthread_mutex_unlock(&p->lock);
	if (post(p, &c) < 0) {
		free((char *)c.req.path);
		free(regs);
		return gr_fail(err, GR_EBUSY, "play: too many requests waiting");
	}
	return 0;
}

static void post_simple(struct play *p, int kind, double t, int on)
{
	struct play_cmd c;

	memset(&c, 0, sizeof(c));
	c.kind = kind;
	c.t = t;
	c.on = on;
	post(p, &c);
}

void play_stop(struct play *p) { post_simple(p, CMD_STOP, 0, 0); }
void play_next(struct play *p) { post_simple(p, CMD_NEXT, 0, 0); }
void play_prev(struct play *p) { post_simple(p, CMD_PREV, 0, 0); }
void play_seek(struct play *p, double t) { post_simple(p, CMD_SEEK, t, 0); }
void play_set_loop(struct play *p, int on) { post_simple(p, CMD_LOOP, 0, on != 0); }

void play_set_volume(struct play *p, double v)
{
	v = fmin(1.0, fmax(0.0, isnan(v) ? 0 : v));
	atomic_store(&p->rt.volume, (float)v);
	pthread_mutex_lock(&p->lock);
	p->st.volume = v;
	pthread_mutex_unlock(&p->lock);
}

void play_set_level_match(struct play *p, int on)
{
	atomic_store(&p->rt.level_match, on != 0);
	pthread_mutex_lock(&p->lock);
	p->st.level_match = on != 0;
	pthread_mutex_unlock(&p->lock);
}

int64_t play_playhead(const struct play *p)
{
	return atomic_load_explicit(&p->rt.playhead, memory_order_relaxed);
}

void play_status(struct play *p, struct play_status *out)
{
	int64_t head;
	int region, pass;
	float g;

	pthread_mutex_lock(&p->lock);
	*out = p->st;
	pthread_mutex_unlock(&p->lock);
	rt_snapshot(&p->rt, &head, &region, &pass, &g);
	out->playhead = out->state == PLAY_PLAYING ? head : -1;
	out->playhead_s = out->playhead >= 0 && out->file_rate > 0
	                  ? (double)out->playhead / out->file_rate : 0;
	out->underruns = atomic_load(&p->rt.underruns);
	if (out->state == PLAY_PLAYING) {
		out->pass = pass;
		if (out->region >= 0)
			out->region = region;
	}
	out->gain_db = g > 0 ? 20.0 * log10(g) : -120.0;
}

const char *play_state_name(int state)
{
	static const char *const names[] = { "idle", "starting", "playing", "error" };

	return state >= 0 && state <= PLAY_ERROR ? names[state] : "?";
}
