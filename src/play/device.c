/*
 * device.c - PortAudio: initialisation, device listing, opening a stream.
 * The only file in grym that calls PortAudio (with callback.c's body run
 * by it).
 *
 * Quiet probing.  Pa_Initialize() opens every ALSA PCM the configuration
 * names and asks JACK for a server; on a machine without a sound card
 * (or without a JACK server) alsa-lib prints some 100 lines of "ALSA lib
 * confmisc.c:855:(parse_card) cannot find card '0'" and libjack prints
 * "jack server is not running or cannot be started", both straight to
 * stderr, over the TUI.  Both libraries have a documented hook for that:
 * alsa-lib's snd_lib_error_set_handler() and libjack's
 * jack_set_error_function() / jack_set_info_function().  We install no-op
 * handlers before the first Pa_Initialize().  The functions are looked up
 * with dlsym(RTLD_DEFAULT) in the libraries PortAudio already loaded, so
 * grym needs neither library at build time and works with a PortAudio
 * built without ALSA or JACK.  File descriptor 2 is never touched (other
 * threads may be writing to it).  With GRYM_DEBUG set the handlers are
 * left alone, so the chatter can be seen when a device misbehaves.
 *
 * Scheduling: on ALSA the callback thread asks for real-time (SCHED_FIFO)
 * priority; without the rights (rtprio limit) it runs at normal priority.
 *
 * Costs: Pa_Initialize() probes every device, 0.05-0.5 s; opening a
 * stream 1-20 ms (ALSA).  Threads: every function takes pa_lock, so
 * PortAudio (not thread-safe) is entered by one thread at a time; the
 * callback never takes it.
 */
#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <pa_linux_alsa.h>
#include <portaudio.h>

#include "grym/util.h"
#include "play_int.h"

struct play_stream {
	PaStream *pa;
	int rate, ch;
	double latency;          /* s */
	char name[128];
};

static pthread_mutex_t pa_lock = PTHREAD_MUTEX_INITIALIZER;
static int pa_users;         /* dev_init() calls not yet matched (guarded by pa_lock) */

typedef void (*alsa_handler)(const char *file, int line, const char *func, int err,
                             const char *fmt, ...);
typedef void (*jack_handler)(const char *msg);

static void alsa_drop(const char *file, int line, const char *func, int err,
                      const char *fmt, ...)
{
	(void)file;
	(void)line;
	(void)func;
	(void)err;
	(void)fmt;
}

static void jack_drop(const char *msg)
{
	(void)msg;
}

/* Route ALSA and JACK messages to nowhere (see the top of the file). */
static void quiet_libs(void)
{
	int (*alsa_set)(alsa_handler);
	void (*jack_set)(jack_handler);

	if (getenv("GRYM_DEBUG") != NULL)
		return;
	*(void **)&alsa_set = dlsym(RTLD_DEFAULT, "snd_lib_error_set_handler");
	if (alsa_set != NULL)
		alsa_set(alsa_drop);
	*(void **)&jack_set = dlsym(RTLD_DEFAULT, "jack_set_error_function");
	if (jack_set != NULL)
		jack_set(jack_drop);
	*(void **)&jack_set = dlsym(RTLD_DEFAULT, "jack_set_info_function");
	if (jack_set != NULL)
		jack_set(jack_drop);
}

int dev_init(struct gr_err *err)
{
	PaError e = paNoError;

	pthread_mutex_lock(&pa_lock);
	if (pa_users == 0) {
		quiet_libs();
		e = Pa_Initialize();
	}
	if (e == paNoError)
		pa_users++;
	pthread_mutex_unlock(&pa_lock);
	if (e != paNoError)
		return gr_fail(err, GR_ENOTSUP, "audio: PortAudio cannot start: %s",
		               Pa_GetErrorText(e));
	return 0;
}

void dev_fini(void)
{
	pthread_mutex_lock(&pa_lock);
	if (pa_users > 0 && --pa_users == 0)
		Pa_Terminate();
	pthread_mutex_unlock(&pa_lock);
}

int play_devices_list(struct play_device **out, size_t *n, struct gr_err *err)
{
	struct play_device *v = NULL;
	PaDeviceIndex def;
	int i, count;
	size_t k = 0;

	*out = NULL;
	*n = 0;
	if (dev_init(err) < 0)
		return -GR_ENOTSUP;
	pthread_mutex_lock(&pa_lock);
	count = Pa_GetDeviceCount();
	def = Pa_GetDefaultOutputDevice();
	if (count > 0)
		v = xcalloc((size_t)count, sizeof(*v));
	for (i = 0; i < count; i++) {
		const PaDeviceInfo *d = Pa_GetDeviceInfo(i);
		const PaHostApiInfo *h;

		if (d == NULL || d->maxOutputChannels < 1)
			continue;
		h = Pa_GetHostApiInfo(d->hostApi);
		v[k].index = i;
		str_lcpy(v[k].name, d->name ? d->name : "?", sizeof(v[k].name));
		str_lcpy(v[k].host_api, h && h->name ? h->name : "?", sizeof(v[k].host_api));
		v[k].channels = d->maxOutputChannels;
		v[k].rate = d->defaultSampleRate;
		v[k].latency_ms = d->defaultLowOutputLatency * 1e3;
		v[k].is_default = i == def;
		k++;
	}
	pthread_mutex_unlock(&pa_lock);
	dev_fini();
	*out = v;
	*n = k;
	return 0;
}

/* The device called name: exact match first, then a unique part of a name
 * (case-insensitive).  paNoDevice with err otherwise.  Under pa_lock. */
static PaDeviceIndex find_device(const char *name, struct gr_err *err)
{
	int i, count = Pa_GetDeviceCount(), found = paNoDevice, hits = 0;

	if (name[0] == '\0') {
		if (count <= 0 || (found = Pa_GetDefaultOutputDevice()) == paNoDevice)
			gr_fail(err, GR_ENOTSUP, "no audio output device: PortAudio found none "
			        "(no sound card or sound server; see `grym devices`)");
		return found;
	}
	for (i = 0; i < count; i++) {
		const PaDeviceInfo *d = Pa_GetDeviceInfo(i);
		if (d != NULL && d->maxOutputChannels > 0 && d->name && !strcmp(d->name, name))
			return i;
	}
	for (i = 0; i < count; i++) {
		const PaDeviceInfo *d = Pa_GetDeviceInfo(i);
		if (d != NULL && d->maxOutputChannels > 0 && d->name &&
		    strcasestr(d->name, name) != NULL) {
			found = i;
			hits++;
		}
	}
	if (hits == 1)
		return found;
	if (hits > 1)
		gr_fail(err, GR_ENOTSUP, "audio device '%s' is ambiguous: %d devices match (see "
		        "`grym devices`)", name, hits);
	else
		gr_fail(err, GR_ENOTSUP, "no audio output device named '%s' (see `grym devices`)",
		        name);
	return paNoDevice;
}

static int pa_callback(const void *in, void *out, unsigned long frames,
                       const PaStreamCallbackTimeInfo *t, PaStreamCallbackFlags flags,
                       void *arg)
{
	(void)in;
	(void)t;
	(void)flags;
	rt_render(arg, out, frames);
	return paContinue;
}

/* "reason (host: detail)" for a PortAudio error. */
static void pa_reason(PaError e, char *buf, size_t size)
{
	const PaHostErrorInfo *h = e == paUnanticipatedHostError ? Pa_GetLastHostErrorInfo()
	                           : NULL;

	if (h != NULL && h->errorText != NULL && h->errorText[0])
		snprintf(buf, size, "%s (%s)", Pa_GetErrorText(e), h->errorText);
	else
		snprintf(buf, size, "%s", Pa_GetErrorText(e));
}

struct play_stream *dev_open(const char *name, int rate, double latency_ms,
                             struct play_rt *rt, struct gr_err *err)
{
	struct play_stream *s = NULL;
	PaStreamParameters p;
	const PaDeviceInfo *d;
	const PaStreamInfo *si;
	PaError e;
	char why[200];

	pthread_mutex_lock(&pa_lock);
	memset(&p, 0, sizeof(p));
	if ((p.device = find_device(name, err)) == paNoDevice)
		goto out;
	d = Pa_GetDeviceInfo(p.device);
	s = xcalloc(1, sizeof(*s));
	str_lcpy(s->name, d->name ? d->name : "?", sizeof(s->name));
	s->ch = d->maxOutputChannels >= 2 ? 2 : 1;
	s->rate = rate > 0 ? rate : (int)lround(d->defaultSampleRate);
	if (s->rate < 8000 || s->rate > 384000)
		s->rate = 48000;
	p.channelCount = s->ch;
	p.sampleFormat = paFloat32;
	p.suggestedLatency = latency_ms / 1e3;
	e = Pa_OpenStream(&s->pa, NULL, &p, s->rate, paFramesPerBufferUnspecified,
	                  paNoFlag, pa_callback, rt);
	if (e != paNoError) {
		pa_reason(e, why, sizeof(why));
		gr_fail(err, GR_ENOTSUP, "cannot open audio device '%s' at %d Hz: %s", s->name,
		        s->rate, why);
		free(s);
		s = NULL;
		goto out;
	}
	/* ALSA: ask for SCHED_FIFO on the callback thread (PortAudio falls back
	 * to normal scheduling when the rtprio limit forbids it). */
	if (Pa_GetHostApiInfo(d->hostApi) != NULL &&
	    Pa_GetHostApiInfo(d->hostApi)->type == paALSA)
		PaAlsa_EnableRealtimeScheduling(s->pa, 1);
	si = Pa_GetStreamInfo(s->pa);
	s->latency = si != NULL ? si->outputLatency : latency_ms / 1e3;
out:
	pthread_mutex_unlock(&pa_lock);
	return s;
}

int dev_start(struct play_stream *s, struct gr_err *err)
{
	PaError e;
	char why[200];

	pthread_mutex_lock(&pa_lock);
	e = Pa_StartStream(s->pa);
	if (e != paNoError)
		pa_reason(e, why, sizeof(why));
	pthread_mutex_unlock(&pa_lock);
	if (e != paNoError)
		return gr_fail(err, GR_ENOTSUP, "cannot start audio device '%s': %s", s->name, why);
	return 0;
}

int dev_rate(const struct play_stream *s) { return s->rate; }
int dev_channels(const struct play_stream *s) { return s->ch; }
double dev_latency(const struct play_stream *s) { return s->latency; }
const char *dev_name(const struct play_stream *s) { return s->name; }

int dev_active(struct play_stream *s)
{
	int a;

	pthread_mutex_lock(&pa_lock);
	a = Pa_IsStreamActive(s->pa) == 1;
	pthread_mutex_unlock(&pa_lock);
	return a;
}

void dev_close(struct play_stream *s, int drain)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&pa_lock);
	if (Pa_IsStreamStopped(s->pa) == 0) {
		if (drain)
			Pa_StopStream(s->pa);
		else
			Pa_AbortStream(s->pa);
	}
	Pa_CloseStream(s->pa);
	pthread_mutex_unlock(&pa_lock);
	free(s);
}
