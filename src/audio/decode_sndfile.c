/*
 * decode_sndfile.c - the libsndfile backend (WAV, AIFF, FLAC, Ogg Vorbis,
 * Opus, MP3, CAF, W64, RF64, ...).
 *
 * libsndfile gets the bytes through virtual I/O over audio_src, never a
 * path or a descriptor it could block on.  Its declared length is kept as
 * information only: decoding asks for blocks until libsndfile returns a
 * short one.
 *
 * Corruption.  libsndfile 1.2.0 signals a bad stream in two ways: sf_error()
 * is set after a short read (a FLAC stream that ends in a torn frame: "flac
 * decoder lost sync"), or the decoder skips the bad part, logs "ERROR : ..."
 * (FLAC) or "Corrupted bitstream" / "a hole" (Ogg) in its log buffer and
 * goes on.  We read in chunks of SF_CHUNK frames and look at the new part of
 * the log after each; on the first sign of damage decoding stops, the
 * frames before the damaged chunk are kept and audio_end_status() reports
 * it.  Damage seen only after exactly the declared length has been decoded
 * is trailing junk (an ID3v1 tag after a FLAC) and ends the data cleanly.
 * The log is a fixed buffer inside libsndfile (about 2 KiB), read with
 * SFC_GET_LOG_INFO: one short copy per chunk.
 *
 * Ogg pages whose CRC fails are dropped by libogg.  When the first audio
 * pages go (64 bad bytes in the first audio page of an 8 s file: 6.5 s
 * decoded, no error), libsndfile notices while it opens the file, logs
 * "Corrupted bitstream" / "a hole" and its "PCM offset" (the position of
 * the first good page) in the header's log, and reads on from there as if
 * the file started at that page: that part of the log is checked at open
 * and the loss reported as damage near the start.  (Pages lost later show
 * as "a hole" in the log while decoding, see above.)
 *
 * Thread rules: one object per thread at a time.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sndfile.h>

#include "audio_int.h"
#include "grym/util.h"

#define SF_CHUNK 4096      /* frames per sf_readf_float() call */
#define SF_LOG_MAX 8192    /* bytes of libsndfile's log we look at */

struct sfb {
	SNDFILE *sf;
	SF_VIRTUAL_IO vio;
	int major, sub;          /* SF_FORMAT_TYPEMASK / SUBMASK parts */
	size_t log_len;          /* log bytes already looked at */
	int stopped;             /* damage seen or end reached: read returns 0 */
	char log[SF_LOG_MAX];
};

static sf_count_t vio_len(void *u)
{
	return ((struct audio_file *)u)->src.size;
}

static sf_count_t vio_seek(sf_count_t off, int whence, void *u)
{
	return audio_src_seek(&((struct audio_file *)u)->src, off, whence);
}

static sf_count_t vio_read(void *ptr, sf_count_t n, void *u)
{
	if (n <= 0)
		return 0;
	return (sf_count_t)audio_src_read(&((struct audio_file *)u)->src, ptr, (size_t)n);
}

static sf_count_t vio_write(const void *ptr, sf_count_t n, void *u)
{
	return 0; /* read only */
}

static sf_count_t vio_tell(void *u)
{
	return ((struct audio_file *)u)->src.pos;
}

/* Container name, lower case, as users type it in queries. */
static const char *major_name(int major, int sub)
{
	switch (major) {
	case SF_FORMAT_WAV:
	case SF_FORMAT_WAVEX: return "wav";
	case SF_FORMAT_RF64: return "rf64";
	case SF_FORMAT_W64: return "w64";
	case SF_FORMAT_AIFF: return "aiff";
	case SF_FORMAT_AU: return "au";
	case SF_FORMAT_CAF: return "caf";
	case SF_FORMAT_FLAC: return "flac";
	case SF_FORMAT_OGG: return sub == SF_FORMAT_OPUS ? "opus" : "ogg";
	case SF_FORMAT_MPEG: return sub == SF_FORMAT_MPEG_LAYER_III ? "mp3" : "mpeg";
	case SF_FORMAT_NIST: return "nist";
	case SF_FORMAT_VOC: return "voc";
	case SF_FORMAT_IRCAM: return "ircam";
	case SF_FORMAT_SVX: return "8svx";
	case SF_FORMAT_PAF: return "paf";
	case SF_FORMAT_SD2: return "sd2";
	default: break;
	}
	return "other";
}

/* Sample encoding name, bits (0 for lossy) and losslessness. */
static const char *sub_name(int major, int sub, int *bits, int *lossless)
{
	*bits = 0;
	*lossless = 1;
	switch (sub) {
	case SF_FORMAT_PCM_S8: *bits = 8; return major == SF_FORMAT_FLAC ? "flac" : "pcm8";
	case SF_FORMAT_PCM_U8: *bits = 8; return "pcm8u";
	case SF_FORMAT_PCM_16: *bits = 16; return major == SF_FORMAT_FLAC ? "flac" : "pcm16";
	case SF_FORMAT_PCM_24: *bits = 24; return major == SF_FORMAT_FLAC ? "flac" : "pcm24";
	case SF_FORMAT_PCM_32: *bits = 32; return "pcm32";
	case SF_FORMAT_FLOAT: *bits = 32; return "float";
	case SF_FORMAT_DOUBLE: *bits = 64; return "double";
	case SF_FORMAT_ALAC_16: *bits = 16; return "alac";
	case SF_FORMAT_ALAC_20: *bits = 20; return "alac";
	case SF_FORMAT_ALAC_24: *bits = 24; return "alac";
	case SF_FORMAT_ALAC_32: *bits = 32; return "alac";
	case SF_FORMAT_DWVW_12: *bits = 12; return "dwvw";
	case SF_FORMAT_DWVW_16: *bits = 16; return "dwvw";
	case SF_FORMAT_DWVW_24: *bits = 24; return "dwvw";
	case SF_FORMAT_DPCM_8: *bits = 8; return "dpcm";
	case SF_FORMAT_DPCM_16: *bits = 16; return "dpcm";
	default: break;
	}
	*lossless = 0;
	switch (sub) {
	case SF_FORMAT_ULAW: return "ulaw";
	case SF_FORMAT_ALAW: return "alaw";
	case SF_FORMAT_IMA_ADPCM: return "ima-adpcm";
	case SF_FORMAT_MS_ADPCM: return "ms-adpcm";
	case SF_FORMAT_GSM610: return "gsm";
	case SF_FORMAT_VOX_ADPCM: return "vox-adpcm";
	case SF_FORMAT_G721_32: return "g721";
	case SF_FORMAT_G723_24:
	case SF_FORMAT_G723_40: return "g723";
	case SF_FORMAT_VORBIS: return "vorbis";
	case SF_FORMAT_OPUS: return "opus";
	case SF_FORMAT_MPEG_LAYER_I: return "mp1";
	case SF_FORMAT_MPEG_LAYER_II: return "mp2";
	case SF_FORMAT_MPEG_LAYER_III: return "mp3";
	default: break;
	}
	return "other";
}

/* What a damaged stream of this container is called in messages. */
static const char *damage_name(int major)
{
	switch (major) {
	case SF_FORMAT_FLAC: return "corrupt FLAC frame";
	case SF_FORMAT_OGG: return "corrupt Ogg page";
	case SF_FORMAT_MPEG: return "corrupt MPEG frame";
	default: return "corrupt data";
	}
}

/* A readable detail for a libsndfile log line, "" for a harmless line. */
static const char *log_damage(const char *text)
{
	if (strstr(text, "LOST_SYNC"))
		return "lost sync";
	if (strstr(text, "BAD_HEADER"))
		return "bad frame header";
	if (strstr(text, "CRC_MISMATCH"))
		return "CRC mismatch";
	if (strstr(text, "UNPARSEABLE"))
		return "unparseable stream";
	if (strstr(text, "hole"))
		return "a hole in the stream";
	if (strstr(text, "Corrupt"))
		return "skipped damaged bytes";
	if (strstr(text, "ERROR"))
		return "decoder error";
	return "";
}

/* Keep libsndfile's error text without its "Error : " and final dot. */
static void sf_detail(struct audio_file *f, const char *msg)
{
	size_t n;

	if (strncmp(msg, "Error : ", 8) == 0)
		msg += 8;
	n = str_lcpy(f->corrupt_detail, msg, sizeof(f->corrupt_detail));
	if (n > 0 && n < sizeof(f->corrupt_detail) && f->corrupt_detail[n - 1] == '.')
		f->corrupt_detail[n - 1] = '\0';
}

/* Look at what libsndfile logged since the last call; 1 if it shows damage. */
static int log_check(struct audio_file *f, struct sfb *b)
{
	int len = sf_command(b->sf, SFC_GET_LOG_INFO, b->log, sizeof(b->log));
	const char *d;

	if (len <= 0 || (size_t)len <= b->log_len)
		return 0;
	d = log_damage(b->log + b->log_len);
	b->log_len = (size_t)len;
	if (*d == '\0')
		return 0;
	f->corrupt_what = damage_name(b->major);
	str_lcpy(f->corrupt_detail, d, sizeof(f->corrupt_detail));
	return 1;
}

/*
 * Damage noticed at the very end, exactly when the declared length has
 * been decoded, is trailing junk, not damage: an ID3v1 tag or padding
 * appended to a FLAC makes libFLAC lose sync after the last frame.
 */
static int trailing_junk(const struct audio_file *f, int64_t total)
{
	return f->info.frames_declared > 0 && total == f->info.frames_declared;
}

/*
 * Damage libsndfile met while it opened an Ogg file (looking for the first
 * audio page): the stream then starts at the first good page, "PCM offset"
 * frames in.  Sets f->head_what / f->head_lost.
 */
static void ogg_head_check(struct audio_file *f, const struct sfb *b, const char *log)
{
	const char *p;

	if (b->major != SF_FORMAT_OGG ||
	    (strstr(log, "Corrupted bitstream") == NULL && strstr(log, "reports a hole") == NULL))
		return;
	f->head_what = damage_name(b->major);
	if ((p = strstr(log, "PCM offset")) != NULL && (p = strchr(p, ':')) != NULL) {
		long long v = strtoll(p + 1, NULL, 10);
		if (v > 0 && v < INT64_MAX / 2)
			f->head_lost = v;
	}
}

static long sfb_read(struct audio_file *f, float *buf, size_t n, struct gr_err *err)
{
	struct sfb *b = f->be_state;
	int ch = f->info.channels;
	size_t got = 0;

	while (got < n && !b->stopped) {
		size_t want = n - got < SF_CHUNK ? n - got : SF_CHUNK;
		sf_count_t r = sf_readf_float(b->sf, buf + got * ch, (sf_count_t)want);
		int64_t total;

		if (r < 0)
			r = 0;
		total = f->done + (int64_t)(got + (size_t)r);
		if ((size_t)r < want) {
			b->stopped = 1;
			if (sf_error(b->sf) != SF_ERR_NO_ERROR) {
				/* The frames before the error decoded fine: keep them. */
				if (!trailing_junk(f, total)) {
					f->corrupt_what = damage_name(b->major);
					sf_detail(f, sf_strerror(b->sf));
				}
				got += (size_t)r;
				break;
			}
		}
		if (log_check(f, b)) {
			if (b->stopped && trailing_junk(f, total)) {
				f->corrupt_what = NULL;
				f->corrupt_detail[0] = '\0';
				got += (size_t)r;
				break;
			}
			/* Damage somewhere in this chunk: drop it, stop here. */
			b->stopped = 1;
			break;
		}
		got += (size_t)r;
	}
	return (long)got;
}

/*
 * Seeking.  libsndfile 1.2.0 lands an Ogg (Vorbis, Opus) seek thousands of
 * frames away from the target while reporting success (measured: a seek to
 * frame 30000 of a 44.1 kHz Vorbis file resumes at frame 27602), so for Ogg
 * we rewind and decode forward, discarding: exact, at a cost proportional
 * to the position (Vorbis decodes at several hundred times real time).
 * Other formats seek directly.
 */
static int sfb_seek(struct audio_file *f, int64_t frame, struct gr_err *err)
{
	struct sfb *b = f->be_state;
	int64_t left = frame;
	float *scratch;

	if (b->major != SF_FORMAT_OGG) {
		if (sf_seek(b->sf, (sf_count_t)frame, SEEK_SET) < 0)
			return gr_fail(err, GR_EIO, "%s: cannot seek to %.3f s: %s", f->name,
			               (double)frame / f->info.rate, sf_strerror(b->sf));
		b->stopped = 0;
		return 0;
	}
	if (sf_seek(b->sf, 0, SEEK_SET) < 0)
		return gr_fail(err, GR_EIO, "%s: cannot rewind: %s", f->name, sf_strerror(b->sf));
	scratch = xmalloc(sizeof(float) * SF_CHUNK * (size_t)f->info.channels);
	while (left > 0) {
		sf_count_t want = left < SF_CHUNK ? left : SF_CHUNK;
		sf_count_t r = sf_readf_float(b->sf, scratch, want);
		if (r <= 0)
			break;
		left -= r;
	}
	free(scratch);
	if (left > 0)
		return gr_fail(err, GR_EIO, "%s: cannot seek to %.3f s: past the end", f->name,
		               (double)frame / f->info.rate);
	b->stopped = 0;
	return 0;
}

static void sfb_close(struct audio_file *f)
{
	struct sfb *b = f->be_state;

	if (b == NULL)
		return;
	if (b->sf != NULL)
		sf_close(b->sf);
	free(b);
	f->be_state = NULL;
}

static const struct audio_backend sfb_backend = {
	.name = "libsndfile",
	.read = sfb_read,
	.seek = sfb_seek,
	.close = sfb_close,
};

int audio_sndfile_open(struct audio_file *f, struct gr_err *err)
{
	struct sfb *b = xcalloc(1, sizeof(*b));
	SF_INFO si;
	int len;

	b->vio.get_filelen = vio_len;
	b->vio.seek = vio_seek;
	b->vio.read = vio_read;
	b->vio.write = vio_write;
	b->vio.tell = vio_tell;
	memset(&si, 0, sizeof(si));
	f->src.pos = 0;
	b->sf = sf_open_virtual(&b->vio, SFM_READ, &si, f);
	if (b->sf == NULL) {
		/* Not ours: let the next backend try, but remember why libsndfile
		 * refused a container it did recognise ("No 'data' chunk"). */
		int e = sf_error(NULL);
		if (e != SF_ERR_UNRECOGNISED_FORMAT && e != SF_ERR_NO_ERROR)
			sf_detail(f, sf_error_number(e));
		free(b);
		return -GR_EFORMAT;
	}
	f->be = &sfb_backend;
	f->be_state = b;
	b->major = si.format & SF_FORMAT_TYPEMASK;
	b->sub = si.format & SF_FORMAT_SUBMASK;
	str_lcpy(f->info.format, major_name(b->major, b->sub), sizeof(f->info.format));
	str_lcpy(f->info.codec, sub_name(b->major, b->sub, &f->info.bits, &f->info.lossless),
	         sizeof(f->info.codec));
	f->info.rate = si.samplerate;
	f->info.channels = si.channels;
	/* libsndfile says SF_COUNT_MAX (or a share of it) when it does not
	 * know: that is "no claim", not a length. */
	f->info.frames_declared = si.frames >= 0 && si.frames < SF_COUNT_MAX / 2 ? si.frames : -1;
	/* The header's log is not damage, except pages lost on the way to
	 * the first audio page of an Ogg; later damage shows after it. */
	len = sf_command(b->sf, SFC_GET_LOG_INFO, b->log, sizeof(b->log));
	b->log_len = len > 0 ? (size_t)len : 0;
	if (len > 0)
		ogg_head_check(f, b, b->log);
	return 0;
}
