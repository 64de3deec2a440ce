/*
 * decode_ffmpeg.c - the FFmpeg backend, for what libsndfile cannot read:
 * M4A/MP4 (AAC, ALAC), raw ADTS AAC, Matroska/WebM audio, WMA, and the WAV
 * encodings and MP3 streams libsndfile refuses (WAV with Yamaha ADPCM or
 * 64-bit integers, an MP3 behind a few KiB of junk).
 *
 * libavformat reads through a custom AVIOContext over audio_src (the
 * descriptor grym opened, or memory), never a path.  Only the containers
 * in ff_formats[] are accepted after probing, and only with a probe score
 * of at least AVPROBE_SCORE_RETRY (25: what FFmpeg gives an MP3 found after
 * junk), so random bytes that some exotic demuxer would claim (text as
 * "tty", images, ...) are refused.  libavcodec decodes the best audio stream; libswresample only converts
 * the decoder's sample format to interleaved float (same rate, same
 * channels).  Decoded frames wait in a small pending buffer (one codec
 * frame, a few thousand samples) until audio_read() takes them.
 *
 * End padding: AAC encoders pad the last frame; an M4A's edit list says
 * where the real audio ends (FFmpeg's own command line keeps the padding).
 * Frames past that declared end are held back (at most FF_PAD_MAX, one or
 * two codec frames); if the data ends within them they were padding and
 * are dropped, otherwise the declaration was wrong and they are given out:
 * a lying header can trim at most FF_PAD_MAX frames of silence-sized
 * padding, never real audio beyond that.
 *
 * Seeking goes by timestamp to FF_PREROLL frames before the target and
 * decodes forward from there (see seek_fast()), or rewinds near the start.
 *
 * Corruption: a packet the decoder rejects (AVERROR_INVALIDDATA) or a
 * demuxer error other than the end ends decoding; the frames before it are
 * kept and audio_end_status() reports it.  Nothing is printed: av_log is
 * silenced in audio_quiet_libs().
 *
 * Thread rules: one object per thread at a time.
 */
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswresample/swresample.h>

#include "audio_int.h"
#include "grym/util.h"

#define FF_IOBUF 32768             /* bytes of the AVIOContext buffer */
#define FF_MAX_FRAME (1 << 20)     /* samples per channel in one codec frame */
#define FF_PAD_MAX 4096            /* frames of end padding we may cut */
#define FF_PREROLL 8192            /* frames decoded before a seek target */

/* Demuxer name (as libavformat calls it) -> our format name. */
static const struct { const char *demuxer; const char *format; } ff_formats[] = {
	{ "mov,mp4,m4a,3gp,3g2,mj2", "m4a" },
	{ "aac", "aac" },
	{ "matroska,webm", "mka" },
	{ "asf", "wma" },
	{ "wav", "wav" },
	{ "w64", "w64" },
	{ "mp3", "mp3" },
};

struct ffb {
	AVFormatContext *fmt;
	AVIOContext *avio;
	AVCodecContext *dec;
	SwrContext *swr;
	AVPacket *pkt;
	AVFrame *frame;
	int stream;             /* index of the decoded stream */
	float *pend;            /* interleaved converted samples waiting */
	size_t pend_cap;        /* frames pend can hold */
	size_t pend_n, pend_off;/* frames in pend, frames already given out */
	int64_t skip;           /* frames still to drop after a seek */
	int64_t emitted;        /* frames given out (the current frame) */
	int trim;               /* cut encoder padding at frames_declared */
	float *hold;            /* frames past frames_declared, held back */
	size_t hold_n, hold_out;/* frames held, frames of them given out */
	int released;           /* more than FF_PAD_MAX past the end: the
	                           declared length was wrong, trim nothing */
	int flushing;           /* the demuxer ended; draining the decoder */
	int stopped;            /* end or damage: read returns 0 */
};

static int io_read(void *u, uint8_t *buf, int n)
{
	struct audio_file *f = u;
	size_t r = audio_src_read(&f->src, buf, (size_t)n);

	if (r == 0)
		return f->src.io_errno ? AVERROR(f->src.io_errno) : AVERROR_EOF;
	return (int)r;
}

static int64_t io_seek(void *u, int64_t off, int whence)
{
	struct audio_file *f = u;

	if (whence & AVSEEK_SIZE)
		return f->src.size;
	return audio_src_seek(&f->src, off, whence & ~AVSEEK_FORCE);
}

static void ffb_free(struct ffb *b)
{
	if (b == NULL)
		return;
	swr_free(&b->swr);
	av_frame_free(&b->frame);
	av_packet_free(&b->pkt);
	avcodec_free_context(&b->dec);
	avformat_close_input(&b->fmt);
	if (b->avio != NULL) {
		av_freep(&b->avio->buffer);
		avio_context_free(&b->avio);
	}
	free(b->pend);
	free(b->hold);
	free(b);
}

static void damaged(struct audio_file *f, struct ffb *b, int averr)
{
	char e[64];

	b->stopped = 1;
	if (f->src.io_errno != 0)
		return; /* audio_read() reports the read error itself */
	switch (b->dec->codec_id) {
	case AV_CODEC_ID_AAC: f->corrupt_what = "corrupt AAC frame"; break;
	case AV_CODEC_ID_ALAC: f->corrupt_what = "corrupt ALAC frame"; break;
	case AV_CODEC_ID_MP3: f->corrupt_what = "corrupt MP3 frame"; break;
	default: f->corrupt_what = "corrupt data"; break;
	}
	av_strerror(averr, e, sizeof(e));
	str_lcpy(f->corrupt_detail, e, sizeof(f->corrupt_detail));
}

/* Convert b->frame into pend; 0 or a negative GR_E*. */
static int convert_frame(struct audio_file *f, struct ffb *b, struct gr_err *err)
{
	int ch = f->info.channels, n = b->frame->nb_samples, got;
	uint8_t *out[1];

	if (n <= 0)
		return 0;
	if (n > FF_MAX_FRAME)
		return gr_fail(err, GR_ETOOBIG, "%s: codec frame of %d samples is too big", f->name, n);
	if ((size_t)n > b->pend_cap) {
		float *p = realloc(b->pend, (size_t)n * ch * sizeof(float));
		if (p == NULL)
			return gr_fail(err, GR_ENOMEM, "%s: out of memory", f->name);
		b->pend = p;
		b->pend_cap = (size_t)n;
	}
	out[0] = (uint8_t *)b->pend;
	got = swr_convert(b->swr, out, n, (const uint8_t **)b->frame->extended_data, n);
	if (got < 0)
		return gr_fail(err, GR_EFORMAT, "%s: cannot convert samples", f->name);
	b->pend_n = (size_t)got;
	b->pend_off = 0;
	if (b->skip > 0) {
		size_t s = (size_t)b->skip < b->pend_n ? (size_t)b->skip : b->pend_n;
		b->pend_off = s;
		b->skip -= (int64_t)s;
	}
	return 0;
}

/* Get the next decoded frame into pend: 1 got one, 0 end, <0 error. */
static int next_frame(struct audio_file *f, struct ffb *b, struct gr_err *err)
{
	int r;

	for (;;) {
		r = avcodec_receive_frame(b->dec, b->frame);
		if (r == 0) {
			r = convert_frame(f, b, err);
			av_frame_unref(b->frame);
			return r < 0 ? r : 1;
		}
		if (r == AVERROR_EOF)
			return 0;
		if (r != AVERROR(EAGAIN)) {
			damaged(f, b, r);
			return 0;
		}
		if (b->flushing)
			return 0;
		/* The decoder wants input: the next packet of our stream. */
		r = av_read_frame(b->fmt, b->pkt);
		if (r == AVERROR_EOF || (r < 0 && avio_feof(b->fmt->pb) && f->src.io_errno == 0)) {
			b->flushing = 1;
			avcodec_send_packet(b->dec, NULL);
			continue;
		}
		if (r < 0) {
			damaged(f, b, r);
			return 0;
		}
		if (b->pkt->stream_index == b->stream) {
			r = avcodec_send_packet(b->dec, b->pkt);
			if (r < 0 && r != AVERROR(EAGAIN)) {
				av_packet_unref(b->pkt);
				damaged(f, b, r);
				return 0;
			}
		}
		av_packet_unref(b->pkt);
	}
}

/* Copy up to n frames from src to dst; returns the count. */
static size_t take_frames(float *dst, const float *src, size_t avail, size_t n, int ch)
{
	size_t k = avail < n ? avail : n;

	memcpy(dst, src, k * (size_t)ch * sizeof(float));
	return k;
}

static long ffb_read(struct audio_file *f, float *buf, size_t n, struct gr_err *err)
{
	struct ffb *b = f->be_state;
	int ch = f->info.channels;
	int64_t end = f->info.frames_declared;
	size_t got = 0, avail, k;

	while (got < n) {
		if (b->released && b->hold_out < b->hold_n) {
			/* Held frames turned out to be audio: give them out first. */
			k = take_frames(buf + got * ch, b->hold + b->hold_out * ch,
			                b->hold_n - b->hold_out, n - got, ch);
			b->hold_out += k;
			got += k;
			b->emitted += (int64_t)k;
			continue;
		}
		avail = b->pend_n - b->pend_off;
		if (avail == 0) {
			int r;
			if (b->stopped)
				break;
			r = next_frame(f, b, err);
			if (r < 0)
				return r;
			if (r == 0)
				b->stopped = 1; /* whatever is held was padding */
			continue;
		}
		if (b->trim && !b->released && b->emitted >= end) {
			/* Past the declared end: hold back, up to FF_PAD_MAX. */
			if (b->hold == NULL)
				b->hold = malloc(sizeof(float) * FF_PAD_MAX * (size_t)ch);
			if (b->hold == NULL || b->hold_n + avail > FF_PAD_MAX) {
				/* More than padding follows (or no memory to tell):
				 * give out what is held, then go on as usual. */
				b->released = 1;
				continue;
			}
			b->hold_n += take_frames(b->hold + b->hold_n * ch, b->pend + b->pend_off * ch,
			                         avail, avail, ch);
			b->pend_off = b->pend_n;
			continue;
		}
		k = n - got;
		if (b->trim && !b->released && (int64_t)k > end - b->emitted)
			k = (size_t)(end - b->emitted);
		k = take_frames(buf + got * ch, b->pend + b->pend_off * ch, avail, k, ch);
		b->pend_off += k;
		got += k;
		b->emitted += (int64_t)k;
	}
	return (long)got;
}

/*
 * Rewind to the first packet and decode forward, discarding: always exact.
 * The first packet may lie before start_time (the AAC priming an MP4 edit
 * list trims has a negative timestamp), so aim well before it.
 */
static int seek_rewind(struct audio_file *f, struct ffb *b, int64_t frame, struct gr_err *err)
{
	AVStream *st = b->fmt->streams[b->stream];
	int64_t origin = st->start_time != AV_NOPTS_VALUE ? st->start_time : 0;
	int64_t early = origin - av_rescale_q(FF_PREROLL, (AVRational){ 1, f->info.rate },
	                                      st->time_base);

	if (av_seek_frame(b->fmt, b->stream, early, AVSEEK_FLAG_BACKWARD) < 0 &&
	    av_seek_frame(b->fmt, b->stream, early, 0) < 0)
		return gr_fail(err, GR_EIO, "%s: cannot seek", f->name);
	avcodec_flush_buffers(b->dec);
	b->skip = frame;
	return 0;
}

/*
 * Seek to FF_PREROLL frames before the target by timestamp, feed the first
 * packet there to the decoder and discard up to the target.  The pre-roll
 * rebuilds the decoder's overlap state (AAC needs the previous frame), so
 * the frames from the target on are those a linear decode gives (within
 * float rounding).  Packet timestamps count from st->start_time, which is
 * the first frame a linear decode outputs (the priming the MP4 edit list
 * trims comes before it).  Returns 1 on success, 0 to fall back to
 * rewinding.
 */
static int seek_fast(struct audio_file *f, struct ffb *b, int64_t frame)
{
	AVStream *st = b->fmt->streams[b->stream];
	AVRational fr = { 1, f->info.rate };
	int64_t origin = st->start_time != AV_NOPTS_VALUE ? st->start_time : 0, pos;
	int r;

	if (frame < 2 * FF_PREROLL)
		return 0;
	if (av_seek_frame(b->fmt, b->stream, origin + av_rescale_q(frame - FF_PREROLL, fr,
	                  st->time_base), AVSEEK_FLAG_BACKWARD) < 0)
		return 0;
	avcodec_flush_buffers(b->dec);
	for (;;) {
		r = av_read_frame(b->fmt, b->pkt);
		if (r < 0)
			return 0;
		if (b->pkt->stream_index == b->stream)
			break;
		av_packet_unref(b->pkt);
	}
	if (b->pkt->pts == AV_NOPTS_VALUE ||
	    (pos = av_rescale_q(b->pkt->pts - origin, st->time_base, fr)) > frame - FF_PREROLL / 2 ||
	    pos < 0) {
		av_packet_unref(b->pkt);
		return 0;
	}
	r = avcodec_send_packet(b->dec, b->pkt);
	av_packet_unref(b->pkt);
	if (r < 0)
		return 0;
	b->skip = frame - pos;
	return 1;
}

static int ffb_seek(struct audio_file *f, int64_t frame, struct gr_err *err)
{
	struct ffb *b = f->be_state;
	int rc = 0;

	b->pend_n = b->pend_off = 0;
	b->flushing = 0;
	b->stopped = 0;
	if (!seek_fast(f, b, frame))
		rc = seek_rewind(f, b, frame, err);
	b->emitted = frame;
	b->hold_n = b->hold_out = 0;
	b->released = 0;
	return rc;
}

static void ffb_close(struct audio_file *f)
{
	ffb_free(f->be_state);
	f->be_state = NULL;
}

static const struct audio_backend ffb_backend = {
	.name = "FFmpeg",
	.read = ffb_read,
	.seek = ffb_seek,
	.close = ffb_close,
};

int audio_ffmpeg_open(struct audio_file *f, struct gr_err *err)
{
	struct ffb *b = xcalloc(1, sizeof(*b));
	const AVInputFormat *ifmt = NULL;
	const AVCodec *codec = NULL;
	const AVCodecDescriptor *desc;
	const char *format = NULL;
	unsigned char *iobuf;
	AVStream *st;
	size_t i;
	int rc = -GR_EFORMAT;

	iobuf = av_malloc(FF_IOBUF);
	if (iobuf == NULL)
		goto fail;
	b->avio = avio_alloc_context(iobuf, FF_IOBUF, 0, f, io_read, NULL, io_seek);
	if (b->avio == NULL) {
		av_free(iobuf);
		goto fail;
	}
	if (av_probe_input_buffer2(b->avio, &ifmt, "", NULL, 0, 0) < AVPROBE_SCORE_RETRY ||
	    ifmt == NULL)
		goto fail;
	for (i = 0; i < GR_ARRAY_LEN(ff_formats); i++)
		if (strcmp(ifmt->name, ff_formats[i].demuxer) == 0)
			format = ff_formats[i].format;
	if (format == NULL)
		goto fail;
	b->fmt = avformat_alloc_context();
	if (b->fmt == NULL)
		goto fail;
	b->fmt->pb = b->avio;
	b->fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
	if (avformat_open_input(&b->fmt, "", ifmt, NULL) < 0)
		goto fail; /* frees fmt on failure */
	if (avformat_find_stream_info(b->fmt, NULL) < 0)
		goto fail;
	b->stream = av_find_best_stream(b->fmt, AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
	if (b->stream < 0 || codec == NULL)
		goto fail;
	st = b->fmt->streams[b->stream];
	b->dec = avcodec_alloc_context3(codec);
	if (b->dec == NULL || avcodec_parameters_to_context(b->dec, st->codecpar) < 0)
		goto fail;
	if (avcodec_open2(b->dec, codec, NULL) < 0)
		goto fail;

	f->info.rate = b->dec->sample_rate;
	f->info.channels = b->dec->ch_layout.nb_channels;
	str_lcpy(f->info.format, format, sizeof(f->info.format));
	/* The codec's name, not the decoder's ("mp3", not "mp3float"). */
	desc = avcodec_descriptor_get(codec->id);
	str_lcpy(f->info.codec, desc != NULL ? desc->name : codec->name, sizeof(f->info.codec));
	f->info.lossless = desc != NULL && (desc->props & AV_CODEC_PROP_LOSSLESS);
	f->info.bits = f->info.lossless ? b->dec->bits_per_raw_sample : 0;
	if (st->duration != AV_NOPTS_VALUE && st->duration > 0)
		f->info.frames_declared = av_rescale_q(st->duration, st->time_base,
		                                       (AVRational){ 1, b->dec->sample_rate > 0 ?
		                                                    b->dec->sample_rate : 1 });
	/* Validate before building the converter: a hostile header must get a
	 * clear message, not a libswresample failure. */
	rc = audio_check_info(f, err);
	if (rc < 0)
		goto fail;
	/* Only an MP4 edit list is a trustworthy end for padding; an ADTS
	 * duration is a bitrate estimate. */
	b->trim = strcmp(format, "m4a") == 0 && !f->info.lossless && f->info.frames_declared > 0;
	rc = -GR_EFORMAT;
	if (swr_alloc_set_opts2(&b->swr, &b->dec->ch_layout, AV_SAMPLE_FMT_FLT,
	                        b->dec->sample_rate, &b->dec->ch_layout, b->dec->sample_fmt,
	                        b->dec->sample_rate, 0, NULL) < 0 || swr_init(b->swr) < 0) {
		rc = gr_fail(err, GR_ENOTSUP, "%s: FFmpeg cannot convert %s samples", f->name,
		             codec->name);
		goto fail;
	}
	b->pkt = av_packet_alloc();
	b->frame = av_frame_alloc();
	if (b->pkt == NULL || b->frame == NULL)
		goto fail;
	f->be = &ffb_backend;
	f->be_state = b;
	return 0;
fail:
	ffb_free(b);
	f->info.rate = f->info.channels = 0;
	return rc;
}
