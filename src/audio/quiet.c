/*
 * quiet.c - keeping decoder libraries off the terminal.
 *
 * FFmpeg: av_log is routed to a callback that drops everything (grym
 * reports errors itself, with the file's name).
 *
 * libmpg123 (which libsndfile 1.2.0 uses for MP3) prints "Note: Illegal
 * Audio-MPEG-Header ...", "[layer3.c:...] error: big_values too large!"
 * and the like straight to stderr, for every handle that lacks the
 * MPG123_QUIET flag.  libsndfile creates its handle with mpg123_new() and
 * never sets that flag, and offers no way to reach the handle.  We
 * therefore define mpg123_new() here: the dynamic linker binds
 * libsndfile's call to this definition (the executable comes first in the
 * lookup order), which calls the real function (found with
 * dlsym(RTLD_NEXT)) and adds MPG123_QUIET to the new handle.  Decoding is
 * otherwise untouched; only the printing stops.  Nothing touches fd 2.
 * audio_quiet_libs() references the wrapper so the linker always keeps
 * this object, even from a static archive.
 *
 * audio_quiet_check() tells whether the wrapper is really in effect (for
 * `grym doctor`).
 *
 * Thread rules: both functions may be called from any thread, any number
 * of times (pthread_once).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>

#include <libavutil/log.h>

#include "audio_int.h"

/* The few libmpg123 declarations we need (from mpg123.h, API 45+; the
 * handle is opaque there too). */
struct mpg123_handle_struct;
struct mpg123_handle_struct *mpg123_new(const char *decoder, int *error);
#define GR_MPG123_ADD_FLAGS 2  /* enum mpg123_parms: MPG123_ADD_FLAGS */
#define GR_MPG123_QUIET 0x20   /* enum mpg123_param_flags: MPG123_QUIET */

struct mpg123_handle_struct *mpg123_new(const char *decoder, int *error)
{
	static struct mpg123_handle_struct *(*real_new)(const char *, int *);
	static int (*real_param)(struct mpg123_handle_struct *, int, long, double);
	struct mpg123_handle_struct *h;

	if (real_new == NULL) {
		/* Benign race: every thread stores the same pointers.  The
		 * casts go through void * as POSIX dlsym() requires. */
		*(void **)&real_param = dlsym(RTLD_NEXT, "mpg123_param2");
		*(void **)&real_new = dlsym(RTLD_NEXT, "mpg123_new");
	}
	if (real_new == NULL) {
		if (error != NULL)
			*error = -1; /* MPG123_ERR */
		return NULL;
	}
	h = real_new(decoder, error);
	if (h != NULL && real_param != NULL)
		real_param(h, GR_MPG123_ADD_FLAGS, GR_MPG123_QUIET, 0.0);
	return h;
}

static void av_log_drop(void *avcl, int level, const char *fmt, va_list ap)
{
	(void)avcl;
	(void)level;
	(void)fmt;
	(void)ap;
}

static pthread_once_t quiet_once = PTHREAD_ONCE_INIT;

static void quiet_init(void)
{
	av_log_set_level(AV_LOG_QUIET);
	av_log_set_callback(av_log_drop);
}

/* Referenced so the wrapper above is always linked in. */
void *volatile audio_mpg123_new_ref;

void audio_quiet_libs(void)
{
	audio_mpg123_new_ref = (void *)mpg123_new;
	pthread_once(&quiet_once, quiet_init);
}

int audio_quiet_check(void)
{
	audio_quiet_libs();
	/* The wrapper works only if the dynamic linker resolves the name to
	 * it (a static link, or a build that does not export it, would not). */
	return dlsym(RTLD_DEFAULT, "mpg123_new") == (void *)mpg123_new;
}
