/*
 * audio.h - decoding, mixdown and resampling, streaming in blocks.
 *
 * Files are opened by grym itself (O_NOFOLLOW | O_NONBLOCK, then fstat
 * must say "regular file"); libsndfile (and FFmpeg's libraries for what
 * libsndfile cannot read: M4A/AAC/ALAC, Matroska, WMA, exotic WAV
 * encodings, MP3s behind junk) only ever get the bytes through virtual
 * I/O, never the path.  Nothing a header declares is trusted: the
 * real end of the data is where decoding stops.  Non-finite samples are
 * replaced by 0.  Library chatter never reaches the terminal.
 *
 * Memory: constant per open file (decoder state plus one block), whatever
 * the file's length.
 *
 * Thread rules: an audio_file / audio_stream belongs to one thread at a
 * time; different objects may be used from different threads at once.
 */
#ifndef GRYM_AUDIO_H
#define GRYM_AUDIO_H

#include <stddef.h>
#include <stdint.h>

#include "grym/err.h"

#define AUDIO_RATE_MIN 8000      /* Hz: slower files are rejected */
#define AUDIO_RATE_MAX 384000    /* Hz: faster files are rejected */
#define AUDIO_CHANNELS_MAX 64    /* more channels are rejected */

struct audio_info {
	char format[16];          /* container, lower case: "wav", "rf64", "w64", "aiff",
	                             "caf", "flac", "ogg" (Vorbis), "opus", "mp3", "m4a",
	                             "aac" (ADTS), "mka", "wma", ... */
	char codec[24];           /* sample encoding: "pcm16", "pcm24", "pcm32", "float",
	                             "double", "flac", "vorbis", "opus", "mp3", "aac",
	                             "alac", ... (FFmpeg's codec name otherwise) */
	int rate;                 /* Hz, AUDIO_RATE_MIN..AUDIO_RATE_MAX */
	int channels;             /* 1..AUDIO_CHANNELS_MAX */
	int bits;                 /* bits per sample of a PCM source, 0 for lossy */
	int lossless;             /* 1 for PCM/FLAC/ALAC, 0 for lossy codecs */
	int64_t frames_declared;  /* the header's claim (untrusted), -1 if none */
	int64_t size;             /* bytes on disk (or in memory) */
	int64_t mtime_ns;         /* modification time, ns since the epoch (0 in memory) */
};

struct audio_file;

/*
 * Open path for decoding.  Returns a new object (audio_close() it), or NULL
 * with err naming the path and the reason ("not a regular file", "sample
 * rate 1 Hz is out of range", "not an audio file libsndfile or FFmpeg can
 * read", ...).  Never blocks on a FIFO and never follows a final symlink.
 */
struct audio_file *audio_open(const char *path, struct gr_err *err);

/*
 * Open bytes in memory (through virtual I/O; the bytes are borrowed and
 * must outlive the object).  name is used in messages only.
 */
struct audio_file *audio_open_mem(const void *data, size_t len, const char *name,
                                  struct gr_err *err);

/* Borrowed; valid until audio_close(). */
const struct audio_info *audio_get_info(const struct audio_file *f);

/*
 * Decode up to n frames of interleaved float samples, full scale +/-1
 * (buf holds n * channels floats).  Non-finite samples (NaN, Inf in float
 * files) come out as 0; float sources beyond +/-8 are clamped there.
 * Returns the frames decoded (> 0; fewer than n only at the end of the
 * data or just before damage), 0 at the end of the data, or a negative GR_E* code with err set.  Stops at
 * the real end of the data whatever the header declared.  After 0, call
 * audio_end_status() to learn whether the file ended cleanly.
 */
long audio_read(struct audio_file *f, float *buf, size_t n, struct gr_err *err);

/*
 * After audio_read() returned 0: 0 when the data ended cleanly, or
 * -GR_ECORRUPT with err saying how much was decoded before the data went
 * bad ("decoded 41.2 s, then corrupt FLAC frame").  The decoded part is
 * good and may be kept.
 */
int audio_end_status(const struct audio_file *f, struct gr_err *err);

/* Frames decoded so far (after audio_seek(): the current frame). */
int64_t audio_frames_done(const struct audio_file *f);

/*
 * Seek to a frame (for audition and export); the next audio_read() starts
 * there, and the end status is cleared.  WAV/AIFF/FLAC/MP3 seek directly;
 * M4A and other FFmpeg-decoded files seek by timestamp with a pre-roll
 * (milliseconds; the same samples as a linear decode, except AAC noise
 * substitution, which is random by design).  Ogg (Vorbis, Opus) rewinds and
 * decodes forward (exact, but about 0.1 s per minute of the position on an
 * idle core: libsndfile 1.2.0's own Ogg seek lands thousands of frames
 * off).  Call it from a feeder thread, not the UI.
 * 0 or -GR_E* with err (a frame past the end fails).
 */
int audio_seek(struct audio_file *f, int64_t frame, struct gr_err *err);

/*
 * 64-bit xxhash (XXH3) of the file's bytes, read with pread() from the
 * descriptor that was opened (so it is the same file that is decoded);
 * does not disturb decoding.  0 or -GR_EIO with err.
 */
int audio_hash(struct audio_file *f, uint64_t *hash, struct gr_err *err);

/* NULL ok. */
void audio_close(struct audio_file *f);

/*
 * Library chatter.  Decoding never writes to the terminal: FFmpeg's av_log
 * is silenced and libmpg123 handles (used by libsndfile for MP3) are made
 * with MPG123_QUIET (see src/audio/quiet.c).  audio_open() does this
 * itself; nothing here touches file descriptor 2.
 * audio_quiet_check() returns 1 when the MP3 part is in effect (the
 * executable's mpg123_new wrapper is the one the dynamic linker uses), 0
 * if not (then libmpg123 may print resync notes on damaged MP3s).  Any
 * thread.
 */
int audio_quiet_check(void);

/*
 * Channel mapping and resampling of blocks the caller pushes (used by the
 * analysis pipeline, which also needs the source frames for loudness, and
 * by audio_stream below).  out_channels is 1 (mix down to mono: the mean of
 * all channels), 2 (mono to both sides, more than two mixed down to two) or
 * 0 (keep the source's channels; more than two are folded with surround
 * weights, see src/audio/resample.c).  quality is a libsamplerate
 * converter type (SRC_SINC_BEST_QUALITY 0 .. SRC_LINEAR 4);
 * SRC_SINC_FASTEST is served by grym's own polyphase FIR (90 dB stop band,
 * pass band to 90% of the lower Nyquist frequency, several times faster)
 * unless the ratio is too awkward for it.  Output is aligned in time with
 * the input (no delay).  When the rates are equal no converter is made and
 * samples pass through exactly.  Streaming: the total output length is
 * round(in_frames * ratio) within a frame once audio_resampler_push() has
 * been called with last = 1.  One thread at a time per object.
 */
struct audio_resampler;
struct audio_resampler *audio_resampler_new(int channels, int in_rate, int out_rate,
                                            int out_channels, int quality,
                                            struct gr_err *err);
/*
 * Convert in_frames interleaved source frames.  Output is appended to out
 * (room for out_cap frames of the output channel count); returns frames
 * written, or a negative GR_E*.  The caller must give out_cap of at least
 * audio_resampler_max_out(r, in_frames) frames; last = 1 flushes.
 */
long audio_resampler_push(struct audio_resampler *r, const float *in, size_t in_frames,
                          float *out, size_t out_cap, int last, struct gr_err *err);
/* Output frames one push of in_frames may produce (constant for a given
 * in_frames: size a buffer once).  With last = 1 and in_frames = 0 this
 * also covers the flushed tail. */
size_t audio_resampler_max_out(const struct audio_resampler *r, size_t in_frames);
/* 1, 2, or the source's count (out_channels 0). */
int audio_resampler_out_channels(const struct audio_resampler *r);
/* Forget buffered input (after a seek); the next push starts afresh. */
void audio_resampler_reset(struct audio_resampler *r);
/* NULL ok. */
void audio_resampler_free(struct audio_resampler *r);

/*
 * A pull stream over an open file: decode, map channels, resample, in
 * blocks (for audition and export).  Parameters as for the resampler;
 * out_rate 0 keeps the file's rate.  The stream borrows f (close f after
 * freeing the stream); memory is fixed at _new.  After 0 from
 * audio_stream_read(), audio_end_status(f) tells whether the file was whole.
 */
struct audio_stream;
struct audio_stream *audio_stream_new(struct audio_file *f, int out_rate,
                                      int out_channels, int quality,
                                      struct gr_err *err);
/* Fill out with up to n frames at out_rate (n * channels floats).  Returns
 * frames written (n until the end), 0 at the end, negative GR_E* on error. */
long audio_stream_read(struct audio_stream *s, float *out, size_t n, struct gr_err *err);
/* Seek to a frame of the source (at the file's rate); 0 or -GR_E*. */
int audio_stream_seek(struct audio_stream *s, int64_t frame, struct gr_err *err);
int audio_stream_channels(const struct audio_stream *s);
/* NULL ok; does not close the file. */
void audio_stream_free(struct audio_stream *s);


/* ---- writing (src/audio/write.c: export) -------------------------------- */

/*
 * A writer encodes interleaved float blocks into one file through
 * libsndfile, on a descriptor the caller opened (export writes a temp file
 * in the target folder, then renames it).  Every write error (a full disk,
 * EIO) is caught with its errno and reported, and the writer then refuses
 * further blocks; the caller removes the temp file.
 *
 * Quantisation is grym's own: a sample x becomes round(x * 2^(bits-1)),
 * clamped to the format's range, so a 16- or 24-bit source decoded by
 * audio_read() is written back bit for bit.  With dither on, samples that
 * fall between two steps of the target grid get TPDF dither (two uniform
 * +/-0.5 LSB variables) before rounding; samples already on the grid
 * (untouched source samples, digital silence) are written exactly.
 * Memory: one block of converted samples, fixed at _new.
 * Thread rules: one thread at a time per writer.
 */
enum audio_wfmt { AUDIO_W_WAV, AUDIO_W_FLAC, AUDIO_W_OGG };

struct audio_wopts {
	int format;              /* enum audio_wfmt */
	int rate;                /* Hz */
	int channels;            /* 1..AUDIO_CHANNELS_MAX (FLAC: 1..8) */
	int bits;                /* 8, 16, 24, 32 (integer PCM) or -32 (32-bit float,
	                            WAV only); ignored for Ogg Vorbis */
	int dither;              /* 1: TPDF dither off-grid samples */
	unsigned seed;           /* dither noise seed (deterministic output) */
	double quality;          /* Ogg Vorbis 0..1 (0 = default 0.6) */
	const char *title;       /* SF_STR_TITLE, NULL = none */
	const char *comment;     /* SF_STR_COMMENT, NULL = none */
	const int64_t *cues;     /* WAV cue points, frames from the start, NULL = none */
	size_t n_cues;           /* at most AUDIO_CUES_MAX are written */
};
#define AUDIO_CUES_MAX 100

/* Extension for a format ("wav", "flac", "ogg"); audio_wfmt_parse()
 * returns the enum for a name ("wav", "flac", "ogg"/"vorbis") or -1. */
const char *audio_wfmt_ext(int format);
int audio_wfmt_parse(const char *name);

struct audio_writer;
/*
 * Start writing a file on fd (opened for writing, empty; not closed by the
 * writer).  name is for messages.  Returns a new writer or NULL with err
 * (unsupported combination: "FLAC cannot hold 32-bit samples", ...).
 */
struct audio_writer *audio_writer_new(int fd, const char *name, const struct audio_wopts *o,
                                      struct gr_err *err);
/* Append frames (frames * channels floats, full scale +/-1; beyond is
 * clipped).  0 or -GR_EIO with err naming the file and errno's text. */
int audio_writer_write(struct audio_writer *w, const float *buf, size_t frames,
                       struct gr_err *err);
/* Samples clipped so far (beyond full scale after rounding). */
int64_t audio_writer_clipped(const struct audio_writer *w);
/* Finish the file (headers, cues, encoder flush) and free the writer.  0,
 * or -GR_EIO if anything failed at any point (also on a NULL-tolerant
 * path: w NULL returns 0).  The descriptor stays open. */
int audio_writer_close(struct audio_writer *w, struct gr_err *err);

#endif
