/*
 * fixtures.h - deterministic test signals written to audio files, temp
 * directories, and small measuring helpers (RMS, Goertzel, peak search).
 *
 * A fixture is described as a sequence of segments (sine, white or pink
 * noise, click train, silence, chord), each with a duration in seconds.
 * The same description always yields the same samples (noise uses the
 * segment's seed, 0 meaning a fixed default), and fx_write() reports the
 * exact segment boundaries in frames, so silence/onset/tempo tests can
 * compare against ground truth.  Files are written with libsndfile in any
 * major format / subtype it writes (WAV, AIFF, FLAC, OGG Vorbis, Opus,
 * MP3, CAF, ...); M4A (AAC, ALAC) goes through the ffmpeg command.
 *
 * Generation streams in blocks: a 2-hour fixture needs no more memory
 * than a 1-second one (fx_render() is the exception: it returns the whole
 * signal in memory, for short signals).
 *
 * Example (1 s of 440 Hz, 0.5 s of silence, 1 s of pink noise, stereo
 * 16-bit WAV at 44.1 kHz):
 *
 *	struct fx_seg segs[] = {
 *		{ .kind = FX_SINE, .dur = 1.0, .freq = 440, .amp = 0.5 },
 *		{ .kind = FX_SILENCE, .dur = 0.5 },
 *		{ .kind = FX_PINK, .dur = 1.0, .amp = 0.3, .seed = 7 },
 *	};
 *	struct fx_spec s = { .rate = 44100, .channels = 2,
 *	                     .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16,
 *	                     .segs = segs, .n_segs = 3 };
 *	int64_t b[4];   // frames: 0, 44100, 66150, 110250
 *	fx_write(path, &s, b, &err);
 *
 * Thread rules: none shared; every call works on its own arguments.
 */
#ifndef GRYM_TEST_FIXTURES_H
#define GRYM_TEST_FIXTURES_H

#include <stddef.h>
#include <stdint.h>

#include "grym/err.h"

enum fx_kind {
	FX_SILENCE = 0, /* digital zero */
	FX_SINE,        /* amp * sin(2 pi freq t), phase 0 at the segment start */
	FX_WHITE,       /* uniform white noise, peak amp */
	FX_PINK,        /* 1/f noise (-3 dB/octave), peak about amp */
	FX_CLICKS,      /* click train: freq clicks per second; each click is
	                   one sample at +amp then a 1 ms decaying tail */
	FX_CHORD,       /* sum of sines at partials[0..n_partials-1] Hz, each
	                   amp / n_partials, so the peak stays <= amp */
};

#define FX_MAX_PARTIALS 8

struct fx_seg {
	enum fx_kind kind;
	double dur;                         /* seconds (>= 0) */
	double freq;                        /* Hz for FX_SINE; clicks/s for FX_CLICKS */
	double amp;                         /* linear peak, 0..1 (full scale = 1) */
	unsigned seed;                      /* noise seed; 0 = a fixed default */
	double partials[FX_MAX_PARTIALS];   /* Hz, FX_CHORD only */
	int n_partials;                     /* FX_CHORD only */
	double fade;                        /* seconds of linear fade in and out
	                                       inside the segment; 0 = none */
};

struct fx_spec {
	int rate;                   /* Hz */
	int channels;               /* 1..64; every channel gets the signal... */
	const double *chan_gain;    /* ...times chan_gain[c] (NULL = all 1.0);
	                               e.g. {1, 0} = left only, {1, -1} = anti-phase */
	int format;                 /* libsndfile SF_FORMAT_major | SF_FORMAT_subtype,
	                               e.g. SF_FORMAT_FLAC | SF_FORMAT_PCM_24 */
	const struct fx_seg *segs;
	size_t n_segs;
};

/*
 * Total length in frames, and the boundaries: bounds[k] is the first frame
 * of segment k, bounds[n_segs] the total (bounds may be NULL; otherwise it
 * has n_segs + 1 entries).  Boundaries are round(cumulative seconds * rate),
 * so they do not drift over many segments.
 */
int64_t fx_frames(const struct fx_spec *s, int64_t *bounds);

/*
 * Write the described signal to path (created or truncated) with
 * libsndfile.  bounds as for fx_frames().  Returns 0, or -GR_E* with err
 * naming the path (unsupported format/rate combination, I/O error).
 * Samples are clipped to [-1, 1] on integer formats.
 */
int fx_write(const char *path, const struct fx_spec *s, int64_t *bounds,
             struct gr_err *err);

/*
 * Render the signal in memory: returns a new interleaved float buffer of
 * fx_frames(s) * channels samples (free() it) and sets *frames.  For short
 * signals (it aborts on out-of-memory).  Identical to what fx_write() feeds
 * libsndfile.
 */
float *fx_render(const struct fx_spec *s, int64_t *frames, int64_t *bounds);

/*
 * Write interleaved float samples as they are (NaN and Inf included, on
 * float formats) to path in format.  0 or -GR_E* with err.
 */
int fx_write_buf(const char *path, int format, int rate, int channels,
                 const float *buf, int64_t frames, struct gr_err *err);

/* Write len raw bytes to path (for crafted headers).  0 or -GR_EIO. */
int fx_write_bytes(const char *path, const void *data, size_t len, struct gr_err *err);

/*
 * Read a whole file into a new buffer (free() it); sets *len.  NULL with
 * err on failure.  For audio_open_mem tests and byte-level corruption.
 */
void *fx_read_bytes(const char *path, size_t *len, struct gr_err *err);

/* Run argv[0] (searched on PATH, no shell) with stdin, stdout and stderr
 * on /dev/null; returns its exit status, or -1 if it could not run or was
 * killed. */
int fx_run(const char *const argv[]);

/* 1 when the ffmpeg command is on PATH, else 0 (cached). */
int fx_have_ffmpeg(void);

/*
 * Write an M4A file through the ffmpeg command: codec "aac" (128 kb/s per
 * two channels) or "alac".  The signal is first written as a 32-bit float
 * WAV next to path and removed after; the container is M4A whatever the
 * name, with the index (moov) first, as streaming encoders write it.
 * spec->format is ignored.  Returns
 * 0, -GR_ENOTSUP when ffmpeg is missing, -GR_EIO when it fails.
 */
int fx_write_m4a(const char *path, const struct fx_spec *s, const char *codec,
                 int64_t *bounds, struct gr_err *err);

/*
 * A libsndfile format from a short name: "wav16", "wav24", "wav32",
 * "wavf" (32-bit float), "wavd" (64-bit float), "wavex16", "wavex24",
 * "wavexf" (WAVE_FORMAT_EXTENSIBLE), "aiff16", "aiff24", "flac16",
 * "flac24", "ogg" (Vorbis), "opus", "mp3", "caf16".  0 when unknown.
 */
int fx_format(const char *name);

/*
 * A fresh private directory under $TMPDIR (or /tmp) whose name contains
 * tag; returns a new string (free it with fx_tmpdir_free, which also
 * deletes everything inside, recursively).  Aborts on failure.
 */
char *fx_tmpdir_new(const char *tag);
void fx_tmpdir_free(char *dir);
/* dir "/" name as a new string, free() it. */
char *fx_path(const char *dir, const char *name);

/* Measuring helpers on one channel of an interleaved buffer
 * (stride = channel count, ch = which channel). */
/* Root mean square, linear. */
double fx_rms(const float *buf, size_t frames, int stride, int ch);
/* Largest absolute value. */
double fx_peak(const float *buf, size_t frames, int stride, int ch);
/* Goertzel magnitude at freq Hz, normalised so a full-scale sine gives
 * about 1.0 (amplitude estimate; Hann-windowed). */
double fx_goertzel(const float *buf, size_t frames, int stride, int ch,
                   double rate, double freq);
/* The frequency in [lo, hi] Hz, scanned in steps of step Hz, where the
 * Goertzel magnitude is largest. */
double fx_peak_freq(const float *buf, size_t frames, int stride, int ch,
                    double rate, double lo, double hi, double step);

#endif
