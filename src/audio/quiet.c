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
 * Thread rules: audio_quiet_libs() may be called from any thread, any
 * number of times (pthread_once).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>

#include <libavutil/log.h>

#include "audio_int.h"

/* The few libmpg123 declarations we need (from mpg123.h, API 45+). */
typedef struct mpg123_handle_struct mpg123_handle;
mpg123_handle *mpg123_new(const char *decoder, int *error);
int mpg123_param2(mpg123_handle *mh, int type, long value, double fvalue);
#define GR_MPG123_ADD_FLAGS 2  /* enum mpg123_parms: MPG123_ADD_FLAGS */
#define GR_MPG123_QUIET 0x20   /* enum mpg123_param_flags: MPG123_QUIET */

typedef mpg123_handle *(*mpg123_new_fn)(const char *, int *);
typedef int (*mpg123_param2_fn)(mpg123_handle *, int, long, double);

mpg123_handle *mpg123_new(const char *decoder, int *error)
{
	static mpg123_new_fn real_new;
	static mpg123_param2_fn real_param;
	mpg123_handle *h;

	if (real_new == NULL) {
		/* Benign race: every thread stores the same pointers. */
		real_new = (mpg123_new_fn)dlsym(RTLD_NEXT, "mpg123_new");
		real_param = (mpg123_param2_fn)dlsym(RTLD_NEXT, "mpg123_param2");
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
