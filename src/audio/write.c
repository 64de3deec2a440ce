/*
 * write.c - the audio writer: interleaved float blocks to WAV, FLAC or Ogg
 * Vorbis through libsndfile, for export.
 *
 * libsndfile gets the bytes through virtual I/O on the caller's descriptor,
 * so every write error keeps its errno (ENOSPC, EIO, EFBIG) and the writer
 * can say exactly why a file could not be written.  Integer formats are
 * quantised here, not by libsndfile: its float-to-int write scales by
 * 0x7FFF while its read scales by 1/0x8000, which would change every
 * sample of a round trip.  Here x -> round(x * 2^(bits-1)), the exact
 * inverse of the decoder's scaling, with TPDF dither on samples between
 * grid steps (see audio.h).
 *
 * Costs: one conversion pass per block (a few ns per sample) plus the
 * encoder.  Memory: a fixed block of int32 samples.
 * Thread rules: one thread at a time per writer.
 */
#include <errno.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <sndfile.h>

#include "grym/audio.h"
#include "grym/util.h"

#define W_BLOCK 4096   /* frames converted per sf_writef_int() call */

struct audio_writer {
	char *name;             /* for messages */
	int fd;                 /* borrowed */
	SNDFILE *sf;
	SF_VIRTUAL_IO vio;
	struct audio_wopts o;   /* copy; string pointers not kept after _new */
	int32_t *ibuf;          /* W_BLOCK * channels converted samples */
	float *fbuf;            /* W_BLOCK * channels clipped floats (Ogg) */
	double scale;           /* 2^(bits-1) */
	double lo, hi;          /* the integer range at that scale */
	uint64_t rng;           /* xorshift64* state for the dither */
	int64_t clipped;        /* samples clipped */
	int io_errno;           /* first write error, 0 if none */
	int failed;             /* a write failed: refuse further blocks */
};

const char *audio_wfmt_ext(int format)
{
	switch (format) {
	case AUDIO_W_FLAC: return "flac";
	case AUDIO_W_OGG: return "ogg";
	default: return "wav";
	}
}

int audio_wfmt_parse(const char *name)
{
	if (!strcmp(name, "wav"))
		return AUDIO_W_WAV;
	if (!strcmp(name, "flac"))
		return AUDIO_W_FLAC;
	if (!strcmp(name, "ogg") || !strcmp(name, "vorbis"))
		return AUDIO_W_OGG;
	return -1;
}

/* ---- virtual I/O on the descriptor ---------------------------------------- */

static sf_count_t vio_len(void *ud)
{
	struct audio_writer *w = ud;
	struct stat sb;

	return fstat(w->fd, &sb) == 0 ? (sf_count_t)sb.st_size : -1;
}

static sf_count_t vio_seek(sf_count_t off, int whence, void *ud)
{
	struct audio_writer *w = ud;

	return (sf_count_t)lseek(w->fd, (off_t)off, whence);
}

static sf_count_t vio_read(void *ptr, sf_count_t n, void *ud)
{
	struct audio_writer *w = ud;
	ssize_t r;

	do
		r = read(w->fd, ptr, (size_t)n);
	while (r < 0 && errno == EINTR);
	return r < 0 ? 0 : (sf_count_t)r;
}

static sf_count_t vio_write(const void *ptr, sf_count_t n, void *ud)
{
	struct audio_writer *w = ud;
	const char *p = ptr;
	sf_count_t done = 0;

	while (done < n) {
		ssize_t r = write(w->fd, p + done, (size_t)(n - done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			/* a short write without errno is a full disk too */
			if (w->io_errno == 0)
				w->io_errno = r < 0 ? errno : ENOSPC;
			w->failed = 1;
			break;
		}
		done += r;
	}
	return done;
}

static sf_count_t vio_tell(void *ud)
{
	struct audio_writer *w = ud;

	return (sf_count_t)lseek(w->fd, 0, SEEK_CUR);
}

/* ---- open ----------------------------------------------------------------- */

static int sf_format_of(const struct audio_wopts *o, struct gr_err *err)
{
	int sub;

	if (o->format == AUDIO_W_OGG)
		return SF_FORMAT_OGG | SF_FORMAT_VORBIS;
	switch (o->bits) {
	case 8: sub = o->format == AUDIO_W_FLAC ? SF_FORMAT_PCM_S8 : SF_FORMAT_PCM_U8; break;
	case 16: sub = SF_FORMAT_PCM_16; break;
	case 24: sub = SF_FORMAT_PCM_24; break;
	case 32: sub = SF_FORMAT_PCM_32; break;
	case -32: sub = SF_FORMAT_FLOAT; break;
	default:
		return gr_fail(err, GR_EUSAGE, "%d-bit samples are not supported (8, 16, 24, 32)",
		               o->bits);
	}
	if (o->format == AUDIO_W_FLAC) {
		if (sub == SF_FORMAT_PCM_32 || sub == SF_FORMAT_FLOAT)
			return gr_fail(err, GR_EUSAGE, "FLAC holds at most 24-bit samples");
		if (o->channels > 8)
			return gr_fail(err, GR_EUSAGE, "FLAC holds at most 8 channels, not %d",
			               o->channels);
		return SF_FORMAT_FLAC | sub;
	}
	/* WAVE_FORMAT_EXTENSIBLE for more than two channels, as players expect */
	return (o->channels > 2 ? SF_FORMAT_WAVEX : SF_FORMAT_WAV) | sub;
}

static void set_cues(struct audio_writer *w, const struct audio_wopts *o)
{
	size_t n = o->n_cues < AUDIO_CUES_MAX ? o->n_cues : AUDIO_CUES_MAX;
	SF_CUES *cues;

	if (o->format != AUDIO_W_WAV || o->cues == NULL || n == 0)
		return;
	cues = xcalloc(1, sizeof(*cues));
	cues->cue_count = (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		SF_CUE_POINT *c = &cues->cue_points[i];
		uint32_t pos = o->cues[i] < 0 ? 0 : o->cues[i] > UINT32_MAX ? UINT32_MAX
		               : (uint32_t)o->cues[i];
		c->indx = (int32_t)i + 1;
		c->position = pos;
		c->fcc_chunk = 0x61746164;   /* 'data' in little-endian byte order */
		c->sample_offset = pos;
		snprintf(c->name, sizeof(c->name), "region %zu", i + 1);
	}
	sf_command(w->sf, SFC_SET_CUE, cues, sizeof(*cues));
	free(cues);
}

struct audio_writer *audio_writer_new(int fd, const char *name, const struct audio_wopts *o,
                                      struct gr_err *err)
{
	struct audio_writer *w;
	SF_INFO info = { 0 };
	int fmt;

	if (o->channels < 1 || o->channels > AUDIO_CHANNELS_MAX || o->rate < 1) {
		gr_fail(err, GR_EUSAGE, "%s: %d channels at %d Hz cannot be written", name,
		        o->channels, o->rate);
		return NULL;
	}
	if ((fmt = sf_format_of(o, err)) < 0) {
		gr_prefix(err, "%s", name);
		return NULL;
	}
	w = xcalloc(1, sizeof(*w));
	w->name = xstrdup(name);
	w->fd = fd;
	w->o = *o;
	w->o.title = w->o.comment = NULL;
	w->o.cues = NULL;
	w->scale = o->bits > 0 ? ldexp(1.0, o->bits - 1) : 1.0;
	w->lo = -w->scale;
	w->hi = w->scale - 1;
	w->rng = 0x9E3779B97F4A7C15ull ^ ((uint64_t)o->seed * 0xD1B54A32D192ED03ull);
	if (w->rng == 0)
		w->rng = 1;
	w->ibuf = xmalloc(sizeof(int32_t) * W_BLOCK * (size_t)o->channels);
	w->fbuf = xmalloc(sizeof(float) * W_BLOCK * (size_t)o->channels);
	w->vio = (SF_VIRTUAL_IO){ vio_len, vio_seek, vio_read, vio_write, vio_tell };
	info.samplerate = o->rate;
	info.channels = o->channels;
	info.format = fmt;
	if (!sf_format_check(&info)) {
		gr_fail(err, GR_EUSAGE, "%s: libsndfile cannot write %s with %d channels at %d Hz",
		        name, audio_wfmt_ext(o->format), o->channels, o->rate);
		goto fail;
	}
	w->sf = sf_open_virtual(&w->vio, SFM_WRITE, &info, w);
	if (w->sf == NULL) {
		if (w->io_errno != 0)
			gr_fail(err, GR_EIO, "%s: %s", name, strerror(w->io_errno));
		else
			gr_fail(err, GR_EIO, "%s: %s", name, sf_strerror(NULL));
		goto fail;
	}
	if (o->format == AUDIO_W_OGG) {
		double q = o->quality > 0 && o->quality <= 1 ? o->quality : 0.6;
		sf_command(w->sf, SFC_SET_VBR_ENCODING_QUALITY, &q, sizeof(q));
	}
	/* metadata before the first sample: FLAC and Vorbis write it up front */
	if (o->title != NULL && o->title[0] != '\0')
		sf_set_string(w->sf, SF_STR_TITLE, o->title);
	if (o->comment != NULL && o->comment[0] != '\0')
		sf_set_string(w->sf, SF_STR_COMMENT, o->comment);
	sf_set_string(w->sf, SF_STR_SOFTWARE, "grym " GRYM_VERSION);
	set_cues(w, o);
	return w;
fail:
	free(w->ibuf);
	free(w->fbuf);
	free(w->name);
	free(w);
	return NULL;
}

/* ---- samples -------------------------------------------------------------- */

/* Uniform in [-0.5, 0.5): xorshift64* (fast, deterministic per seed). */
static double rnd_half(struct audio_writer *w)
{
	uint64_t x = w->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	w->rng = x;
	return (double)((x * 0x2545F4914F6CDD1Dull) >> 11) * 0x1.0p-53 - 0.5;
}

/* One sample to the integer grid, returned left-aligned in 32 bits (what
 * sf_writef_int() expects whatever the file's depth). */
static int32_t quantise(struct audio_writer *w, float x)
{
	double v = (double)x * w->scale;
	double q;

	if (v != floor(v) && w->o.dither)
		v += rnd_half(w) + rnd_half(w);   /* TPDF: triangular, +/-1 LSB */
	q = floor(v + 0.5);
	if (q > w->hi) {
		q = w->hi;
		w->clipped++;
	} else if (q < w->lo) {
		q = w->lo;
		w->clipped++;
	}
	if (w->o.bits == 32)
		return (int32_t)q;
	return (int32_t)((uint32_t)(int32_t)q << (32 - w->o.bits));
}

int audio_writer_write(struct audio_writer *w, const float *buf, size_t frames,
                       struct gr_err *err)
{
	size_t ch = (size_t)w->o.channels;

	while (frames > 0 && !w->failed) {
		size_t n = frames < W_BLOCK ? frames : W_BLOCK;
		sf_count_t put;

		if (w->o.format == AUDIO_W_OGG || w->o.bits == -32) {
			int clip = w->o.format == AUDIO_W_OGG;
			for (size_t i = 0; i < n * ch; i++) {
				float x = buf[i];
				if (clip && (x > 1.0f || x < -1.0f)) {
					x = x > 0 ? 1.0f : -1.0f;
					w->clipped++;
				}
				w->fbuf[i] = x;
			}
			put = sf_writef_float(w->sf, w->fbuf, (sf_count_t)n);
		} else {
			for (size_t i = 0; i < n * ch; i++)
				w->ibuf[i] = quantise(w, buf[i]);
			put = sf_writef_int(w->sf, w->ibuf, (sf_count_t)n);
		}
		if (put != (sf_count_t)n)
			w->failed = 1;
		buf += n * ch;
		frames -= n;
	}
	if (w->failed) {
		if (w->io_errno != 0)
			return gr_fail(err, GR_EIO, "%s: %s", w->name, strerror(w->io_errno));
		return gr_fail(err, GR_EIO, "%s: %s", w->name, sf_strerror(w->sf));
	}
	return 0;
}

int64_t audio_writer_clipped(const struct audio_writer *w)
{
	return w->clipped;
}

int audio_writer_close(struct audio_writer *w, struct gr_err *err)
{
	int rc = 0, sfrc;

	if (w == NULL)
		return 0;
	sfrc = sf_close(w->sf);
	if (w->io_errno != 0)
		rc = gr_fail(err, GR_EIO, "%s: %s", w->name, strerror(w->io_errno));
	else if (w->failed || sfrc != 0)
		rc = gr_fail(err, GR_EIO, "%s: %s", w->name,
		             sfrc != 0 ? sf_error_number(sfrc) : "write failed");
	free(w->ibuf);
	free(w->fbuf);
	free(w->name);
	free(w);
	return rc;
}
