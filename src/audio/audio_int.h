/*
 * audio_int.h - shared between the files of src/audio only.
 *
 * An audio_file reads its bytes from one source (a descriptor grym opened
 * itself, read with pread at a private position, or borrowed memory) and
 * decodes them with one backend: libsndfile (decode_sndfile.c) or FFmpeg's
 * libraries (decode_ffmpeg.c).  decode.c does the opening, the checks every
 * backend shares (rate and channel limits, non-finite samples, the end
 * status) and the dispatch.
 */
#ifndef GRYM_AUDIO_INT_H
#define GRYM_AUDIO_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "grym/audio.h"

/* Where the bytes come from.  pos is private to the decoder, so pread()
 * from audio_hash() never moves it. */
struct audio_src {
	int fd;                    /* -1 for memory */
	const unsigned char *mem;  /* borrowed, NULL for a descriptor */
	int64_t size;              /* bytes (fstat at open, or the buffer length) */
	int64_t pos;               /* current read position, bytes */
	int io_errno;              /* first read error, 0 if none */
};

/* Read up to n bytes at the current position; returns bytes read (0 at the
 * end, also after a read error, which is kept in io_errno). */
size_t audio_src_read(struct audio_src *s, void *buf, size_t n);
/* lseek-like; returns the new position or -1. */
int64_t audio_src_seek(struct audio_src *s, int64_t off, int whence);

struct audio_backend {
	const char *name;   /* "libsndfile", "FFmpeg" */
	/* Decode up to n frames into buf: frames (> 0), 0 at the end, or a
	 * negative GR_E* with err set.  A backend that notices corrupt data
	 * returns the good frames before it and then sets f->corrupt_what. */
	long (*read)(struct audio_file *f, float *buf, size_t n, struct gr_err *err);
	int (*seek)(struct audio_file *f, int64_t frame, struct gr_err *err);
	void (*close)(struct audio_file *f);
};

struct audio_file {
	char *name;                       /* for messages (path or the given name) */
	struct audio_info info;
	struct audio_src src;
	const struct audio_backend *be;
	void *be_state;                   /* the backend's own state */
	int64_t done;                     /* frames returned so far (after seeks:
	                                     the current frame) */
	int ended;                        /* audio_read() returned 0 */
	const char *corrupt_what;         /* static text: "corrupt FLAC frame", ...;
	                                     NULL while the data is good */
	char corrupt_detail[96];          /* optional library detail, may be "" */
	const char *head_what;            /* static text: damage before the first good
	                                     data ("corrupt Ogg page"), NULL none; kept
	                                     across seeks (it is the file's) */
	int64_t head_lost;                /* frames lost to it, 0 if unknown */
	int io_failed;                    /* a read error ended the data */
};

/* Backends: return 0 and set f->be/f->be_state/f->info, or a negative code.
 * -GR_EFORMAT means "not mine" (try the next backend); other codes are
 * final (the file is readable but bad, e.g. an out-of-range rate). */
int audio_sndfile_open(struct audio_file *f, struct gr_err *err);
int audio_ffmpeg_open(struct audio_file *f, struct gr_err *err);

/* Validate rate and channels of f->info; 0 or -GR_EFORMAT naming the file. */
int audio_check_info(const struct audio_file *f, struct gr_err *err);

/*
 * Polyphase resampler (polyphase.c) over interleaved frames of `channels`.
 * _new returns NULL when the ratio needs too big a table (then use
 * libsamplerate).  process takes at most 4096 input frames per call,
 * writes at most cap output frames and returns their count, or -GR_EUSAGE
 * when cap is too small; last = 1 flushes (once).
 */
struct audio_poly;
struct audio_poly *audio_poly_new(int channels, int in_rate, int out_rate);
long audio_poly_process(struct audio_poly *p, const float *in, size_t n, float *out,
                        size_t cap, int last);
void audio_poly_reset(struct audio_poly *p);
void audio_poly_free(struct audio_poly *p);

/* Make every library quiet (idempotent, thread-safe). */
void audio_quiet_libs(void);

#endif
