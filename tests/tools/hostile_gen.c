/*
 * hostile_gen.c - write the hostile and odd file corpus of
 * tests/integration/hostile.sh into DIR, and its manifest to stdout.
 *
 *   hostile_gen DIR
 *
 * Every case's name starts with "hNN-" (a case may be a file, a directory,
 * a FIFO, a symbolic link, or a name with newlines and escape bytes).  One
 * manifest line per case: "hNN<TAB>EXPECT<TAB>PATTERN<TAB>what it is" where
 * EXPECT is ok (analysed), partial (analysed up to damage, the stored
 * warning matching PATTERN), failed (stored as failed, the stored reason
 * matches the extended regular expression PATTERN), skipped (listed as
 * skipped by the walker with a reason matching PATTERN), absent (never
 * reaches the catalog) or ok|failed (either, a failure's reason matching
 * PATTERN).  Cases made by the test script itself (a file growing or
 * deleted during the scan, unreadable files) are listed by the script.
 *
 * Files are small (a good WAV is 2.5 s of 16-bit mono at 22.05 kHz) except
 * the sparse file, which declares hours of audio and occupies no disk.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "fixtures.h"
#include "grym/util.h"

static const char *dir;
static int n_cases;

static void die(const char *what)
{
	fprintf(stderr, "hostile_gen: %s: %s\n", what, strerror(errno));
	exit(1);
}

static char *at(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

/* One manifest line. */
static void expect(const char *id, const char *want, const char *pattern, const char *what)
{
	printf("%s\t%s\t%s\t%s\n", id, want, pattern, what);
	n_cases++;
}

static void put(const char *name, const void *data, size_t len)
{
	struct gr_err err = { 0 };
	char *p = at(name);

	if (fx_write_bytes(p, data, len, &err) != 0) {
		fprintf(stderr, "hostile_gen: %s\n", err.msg);
		exit(1);
	}
	free(p);
}

static void le16(uint8_t *p, unsigned v) { p[0] = v & 0xff; p[1] = (v >> 8) & 0xff; }
static void le32(uint8_t *p, uint32_t v)
{
	p[0] = v & 0xff; p[1] = (v >> 8) & 0xff; p[2] = (v >> 16) & 0xff; p[3] = v >> 24;
}

struct wavhdr {
	unsigned tag, channels, bits, align;  /* align 0 = computed */
	uint32_t rate;
	uint32_t riff_size, fmt_size, data_size;  /* 0 = computed */
};

/* A canonical 44-byte WAV header followed by payload (payload_len bytes). */
static uint8_t *wav(const struct wavhdr *h, const void *payload, size_t payload_len,
                    size_t *len)
{
	uint8_t *b = xcalloc(1, 44 + payload_len);
	unsigned align = h->align ? h->align : h->channels * ((h->bits + 7) / 8);

	memcpy(b, "RIFF", 4);
	le32(b + 4, h->riff_size ? h->riff_size : (uint32_t)(36 + payload_len));
	memcpy(b + 8, "WAVEfmt ", 8);
	le32(b + 16, h->fmt_size ? h->fmt_size : 16);
	le16(b + 20, h->tag);
	le16(b + 22, h->channels);
	le32(b + 24, h->rate);
	le32(b + 28, h->rate * align);
	le16(b + 32, align);
	le16(b + 34, h->bits);
	memcpy(b + 36, "data", 4);
	le32(b + 40, h->data_size ? h->data_size : (uint32_t)payload_len);
	if (payload_len)
		memcpy(b + 44, payload, payload_len);
	*len = 44 + payload_len;
	return b;
}

/* 16-bit PCM payload: a 440 Hz tone, frames * channels samples. */
static void *tone16(size_t frames, unsigned channels, size_t *len)
{
	int16_t *s = xcalloc(frames * channels, sizeof(*s));

	for (size_t i = 0; i < frames; i++)
		for (unsigned c = 0; c < channels; c++)
			s[i * channels + c] = (int16_t)(12000 * sin(2 * M_PI * 440 * i / 22050.0));
	*len = frames * channels * sizeof(*s);
	return s;
}

static void put_wav(const char *name, const struct wavhdr *h, const void *pl, size_t pl_len)
{
	size_t len;
	uint8_t *b = wav(h, pl, pl_len, &len);

	put(name, b, len);
	free(b);
}

/* A float WAV of frames samples of a tone with every k-th sample set to
 * bad (k = 1: all bad). */
static void put_float_wav(const char *name, size_t frames, size_t k, float bad)
{
	float *s = xcalloc(frames, sizeof(*s));
	struct wavhdr h = { .tag = 3, .channels = 1, .bits = 32, .rate = 22050 };

	for (size_t i = 0; i < frames; i++)
		s[i] = (k && i % k == 0) ? bad : (float)(0.4 * sin(2 * M_PI * 440 * i / 22050.0));
	put_wav(name, &h, s, frames * sizeof(*s));
	free(s);
}

/* A good file in a libsndfile format: tone, silence, pink noise. */
static void put_good(const char *name, const char *fmt)
{
	struct gr_err err = { 0 };
	struct fx_seg segs[] = {
		{ .kind = FX_CHORD, .dur = 1.0, .amp = 0.5, .partials = { 220, 277.2, 329.6 },
		  .n_partials = 3 },
		{ .kind = FX_SILENCE, .dur = 0.5 },
		{ .kind = FX_PINK, .dur = 1.0, .amp = 0.3, .seed = 5 },
	};
	struct fx_spec s = { .rate = 22050, .channels = 1, .format = fx_format(fmt),
	                     .segs = segs, .n_segs = 3 };
	char *p = at(name);

	if (fx_write(p, &s, NULL, &err) != 0) {
		fprintf(stderr, "hostile_gen: %s\n", err.msg);
		exit(1);
	}
	free(p);
}

/* Bytes of a good file in fmt (written to a scratch name, then removed). */
static uint8_t *good_bytes(const char *fmt, size_t *len)
{
	struct gr_err err = { 0 };
	char *p = at(".scratch");
	uint8_t *b;

	put_good(".scratch", fmt);
	b = fx_read_bytes(p, len, &err);
	if (b == NULL)
		die("read back");
	unlink(p);
	free(p);
	return b;
}

/* Overwrite n bytes at each of several places in the second half with
 * 0x55-ish garbage (deterministic). */
static void damage(uint8_t *b, size_t len, size_t from, int holes)
{
	for (int h = 0; h < holes; h++) {
		size_t at0 = from + (len - from) * (size_t)h / (size_t)holes;
		for (size_t i = 0; i < 64 && at0 + i < len; i++)
			b[at0 + i] = (uint8_t)(0x55 ^ (i * 37 + (size_t)h));
	}
}

static void cases_wav(void)
{
	size_t pl_len, len;
	void *pl = tone16(22050, 1, &pl_len);
	struct wavhdr ok = { .tag = 1, .channels = 1, .bits = 16, .rate = 22050 };
	struct wavhdr h;
	uint8_t *b;

	put("h01-empty.wav", "", 0);
	expect("h01", "failed", "empty file", "empty file");
	put("h02-one-byte.wav", "R", 1);
	expect("h02", "failed", "not an audio file", "1 byte");
	put("h03-riff-magic.wav", "RIFF", 4);
	expect("h03", "failed", "not an audio file", "RIFF magic only");
	b = wav(&ok, pl, pl_len, &len);
	put("h04-trunc-header.wav", b, 30);
	expect("h04", "failed", "not an audio file", "header cut at 30 bytes");
	put("h05-header-only.wav", b, 44);
	expect("h05", "ok", "", "header, data size 0, no data (0 s of audio)");
	free(b);

	h = ok; h.data_size = 0x7ffffff0;
	put_wav("h06-data-size-beyond.wav", &h, pl, pl_len);
	expect("h06", "ok", "", "data chunk size far beyond the file");
	h = ok; h.riff_size = 0xfffffff0;
	put_wav("h07-riff-size-beyond.wav", &h, pl, pl_len);
	expect("h07", "ok", "", "RIFF size far beyond the file");
	h = ok; h.fmt_size = 0x7ffffff0;
	put_wav("h08-fmt-size-beyond.wav", &h, pl, pl_len);
	expect("h08", "failed", "not an audio file", "fmt chunk size beyond the file");
	{	/* an unknown chunk before "data" whose size runs past the end */
		uint8_t *x = wav(&ok, pl, pl_len, &len);
		uint8_t *y = xcalloc(1, len + 8);
		memcpy(y, x, 36);
		memcpy(y + 36, "JUNK", 4);
		le32(y + 40, 0x7ffffff0);
		memcpy(y + 44, x + 36, len - 36);
		put("h09-chunk-beyond.wav", y, len + 8);
		expect("h09", "failed", "not an audio file", "JUNK chunk running past the end");
		free(x);
		free(y);
	}
	h = ok; h.channels = 0; h.align = 2;
	put_wav("h10-zero-channels.wav", &h, pl, pl_len);
	expect("h10", "failed", "channels|not an audio file", "0 channels");
	h = ok; h.channels = 65535; h.align = 2;
	put_wav("h11-65535-channels.wav", &h, pl, pl_len);
	expect("h11", "failed", "channels|not an audio file", "65535 channels");
	h = ok; h.channels = 200;
	put_wav("h12-200-channels.wav", &h, pl, pl_len);
	expect("h12", "failed", "channels is out of range|not an audio file", "200 channels");
	h = ok; h.rate = 0;
	put_wav("h13-zero-rate.wav", &h, pl, pl_len);
	expect("h13", "failed", "sample rate|not an audio file", "0 Hz");
	h = ok; h.rate = 1;
	put_wav("h14-rate-1hz.wav", &h, pl, pl_len);
	expect("h14", "failed", "sample rate 1 Hz is out of range", "1 Hz");
	h = ok; h.rate = 0xfffffff0u;
	put_wav("h15-rate-4ghz.wav", &h, pl, pl_len);
	expect("h15", "failed", "sample rate|not an audio file", "4 GHz");
	h = ok; h.rate = 2000000;
	put_wav("h16-rate-2mhz.wav", &h, pl, pl_len);
	expect("h16", "failed", "sample rate 2000000 Hz is out of range", "2 MHz");
	h = ok; h.bits = 0; h.align = 2;
	put_wav("h17-bits-0.wav", &h, pl, pl_len);
	expect("h17", "failed", "not an audio file", "0 bits per sample");
	h = ok; h.bits = 255; h.align = 2;
	put_wav("h18-bits-255.wav", &h, pl, pl_len);
	expect("h18", "failed", "not an audio file", "255 bits per sample");
	h = ok; h.tag = 3; h.bits = 16;
	put_wav("h19-float-16bit.wav", &h, pl, pl_len);
	expect("h19", "failed", "not an audio file", "IEEE float with 16 bits");
	h = ok; h.tag = 0x1234;
	put_wav("h20-unknown-codec.wav", &h, pl, pl_len);
	expect("h20", "failed", "not an audio file", "unknown format tag 0x1234");
	h = ok; h.align = 0xffff;
	put_wav("h21-block-align-65535.wav", &h, pl, pl_len);
	expect("h21", "ok", "", "block align 65535");

	put_float_wav("h22-float-all-nan.wav", 22050, 1, NAN);
	expect("h22", "ok", "", "float WAV, every sample NaN");
	put_float_wav("h23-float-all-inf.wav", 22050, 1, INFINITY);
	expect("h23", "ok", "", "float WAV, every sample +Inf");
	put_float_wav("h24-float-denormal.wav", 22050, 1, 1e-40f);
	expect("h24", "ok", "", "float WAV, every sample denormal");
	put_float_wav("h25-float-nan-inf-mix.wav", 44100, 7, -INFINITY);
	expect("h25", "ok", "", "tone with every 7th sample -Inf");
	put_float_wav("h26-float-huge.wav", 22050, 3, 3e38f);
	expect("h26", "ok", "", "tone with every 3rd sample 3e38");
	put_wav("h27-one-frame.wav", &ok, pl, 2);
	expect("h27", "ok", "", "a single frame");
	{
		void *z = xcalloc(1, pl_len);
		put_wav("h28-digital-silence.wav", &ok, z, pl_len);
		expect("h28", "ok", "", "1 s of digital silence");
		free(z);
	}
	{	/* full-scale square wave at Nyquist */
		int16_t *s = xcalloc(22050, sizeof(*s));
		for (size_t i = 0; i < 22050; i++)
			s[i] = (i & 1) ? 32767 : -32768;
		put_wav("h29-nyquist-square.wav", &ok, s, 22050 * sizeof(*s));
		expect("h29", "ok", "", "full-scale square at Nyquist");
		free(s);
	}
	free(pl);
}

static void cases_codecs(void)
{
	size_t len;
	uint8_t *b;

	b = good_bytes("flac16", &len);
	damage(b, len, len / 3, 4);
	put("h30-flac-damaged.flac", b, len);
	expect("h30", "partial", "decoded [0-9.]+ s, then corrupt FLAC frame", "FLAC with 4 damaged spots (decoded part kept)");
	put("h31-flac-truncated.flac", b, len / 2);
	expect("h31", "partial", "decoded [0-9.]+ s, then corrupt FLAC frame", "FLAC cut in half");
	free(b);
	b = good_bytes("flac16", &len);
	/* STREAMINFO sample rate (20 bits at byte 18) = 0 */
	b[18] = 0; b[19] = 0; b[20] &= 0x0f;
	put("h32-flac-rate-0.flac", b, len);
	expect("h32", "failed", "not an audio file", "FLAC STREAMINFO rate 0");
	free(b);
	b = good_bytes("flac16", &len);
	/* STREAMINFO total samples (36 bits) = all ones: "hours" */
	b[21] |= 0x0f; b[22] = b[23] = b[24] = b[25] = 0xff;
	put("h33-flac-total-huge.flac", b, len);
	expect("h33", "ok", "", "FLAC STREAMINFO declaring 2^36 samples");
	put("h34-flac-metadata-only.flac", b, 42);
	expect("h34", "ok", "", "FLAC STREAMINFO and no frames (0 s of audio)");
	free(b);

	b = good_bytes("ogg", &len);
	damage(b, len, len / 3, 3);
	put("h35-ogg-damaged.ogg", b, len);
	/* the damage starts in the first audio page of this short file: it
	 * once decoded as a clean 0.01 s file; the loss must be reported */
	expect("h35", "partial|failed", "corrupt Ogg page", "Ogg Vorbis with damaged pages");
	put("h36-ogg-truncated.ogg", b, len / 2);
	expect("h36", "partial|failed", "corrupt Ogg page", "Ogg Vorbis cut in half");
	put("h37-ogg-headers-only.ogg", b, 200);
	expect("h37", "failed", "not an audio file", "Ogg first 200 bytes");
	free(b);
	b = good_bytes("ogg", &len);
	{
		/* pages 0 and 1 hold the Vorbis headers: damage the first audio
		 * page just after its header (libogg drops it, silently) */
		size_t k, np = 0, third = 0;
		for (k = 0; k + 4 <= len && third == 0; k++)
			if (!memcmp(b + k, "OggS", 4) && ++np == 3)
				third = k;
		if (third == 0)
			die("the Ogg fixture has fewer than 3 pages");
		damage(b, len, third + 40, 1);
	}
	put("h62-ogg-damaged-start.ogg", b, len);
	expect("h62", "partial", "corrupt Ogg page near the start: the first [0-9.]+ s lost",
	       "Ogg Vorbis damaged just after its headers");
	free(b);

	b = good_bytes("mp3", &len);
	damage(b, len, len / 4, 5);
	put("h38-mp3-damaged.mp3", b, len);
	expect("h38", "ok", "", "MP3 with damaged frames");
	put("h39-mp3-truncated.mp3", b, len / 2);
	expect("h39", "ok", "", "MP3 cut in half");
	free(b);
	{	/* an ID3v2 tag declaring 200 MB and nothing after it */
		static const uint8_t id3[] = { 'I', 'D', '3', 3, 0, 0, 0x7f, 0x7f, 0x7f, 0x7f };
		put("h40-id3-only.mp3", id3, sizeof(id3));
		expect("h40", "failed", "not an audio file", "ID3 tag header alone");
	}
	{	/* pseudo-random bytes (deterministic) named like each format */
		static const char *const names[] = { "h41-random.wav", "h42-random.flac",
		                                     "h43-random.ogg", "h44-random.m4a" };
		uint8_t *r = xcalloc(1, 20000);
		uint32_t x = 12345;
		for (size_t i = 0; i < 20000; i++) {
			x = x * 1103515245u + 12345u;
			r[i] = (uint8_t)(x >> 23);
		}
		for (size_t i = 0; i < GR_ARRAY_LEN(names); i++) {
			char id[4] = { 'h', names[i][1], names[i][2], 0 };
			put(names[i], r, 20000);
			expect(id, "failed", "not an audio file", "20 kB of noise bytes");
		}
		free(r);
	}
	put("h45-text.wav", "This is not a WAV file.\n", 24);
	expect("h45", "failed", "not an audio file", "text named .wav");
	{
		static const uint8_t png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
		                               0, 0, 0, 13, 'I', 'H', 'D', 'R' };
		put("h46-png.flac", png, sizeof(png));
		expect("h46", "failed", "not an audio file", "PNG header named .flac");
	}
	put_good("h47-flac-named.wav", "flac16");
	expect("h47", "ok", "", "a FLAC file named .wav (wrong extension)");
	put_good("h48-wav-named.mp3", "wav16");
	expect("h48", "ok", "", "a WAV file named .mp3");
	put_good("h49-ogg-named.flac", "ogg");
	expect("h49", "ok", "", "an Ogg file named .flac");
	{	/* M4A: an ftyp box, then garbage */
		static const uint8_t m4a[] = { 0, 0, 0, 0x20, 'f', 't', 'y', 'p', 'M', '4', 'A', ' ',
		                               0, 0, 0, 0, 'M', '4', 'A', ' ', 'm', 'p', '4', '2',
		                               'i', 's', 'o', 'm', 0, 0, 0, 0, 0xff, 0xff, 0xff,
		                               0xff, 'm', 'o', 'o', 'v', 1, 2, 3, 4 };
		put("h50-m4a-broken.m4a", m4a, sizeof(m4a));
		expect("h50", "failed", "not an audio file", "M4A ftyp then a broken moov");
	}
	b = good_bytes("aiff16", &len);
	/* COMM numChannels (big endian, right after "COMM" and its size) = 0 */
	for (size_t i = 12; i + 10 < len; i++)
		if (!memcmp(b + i, "COMM", 4)) {
			b[i + 8] = 0;
			b[i + 9] = 0;
			break;
		}
	put("h51-aiff-zero-channels.aiff", b, len);
	expect("h51", "failed", "channels|not an audio file", "AIFF COMM with 0 channels");
	free(b);
}

static void cases_fs(void)
{
	char *p;
	int fd;

	p = at("h52-dir.wav");
	if (mkdir(p, 0755) != 0)
		die(p);
	free(p);
	put_good("h52-dir.wav/inner.wav", "wav16");
	expect("h52", "ok", "", "a directory named .wav holding a good file");
	p = at("h53-fifo.wav");
	if (mkfifo(p, 0644) != 0)
		die(p);
	free(p);
	expect("h53", "skipped", "not a regular file", "a FIFO named .wav");
	p = at("h54-self-loop.wav");
	if (symlink("h54-self-loop.wav", p) != 0)
		die(p);
	free(p);
	expect("h54", "skipped", "symbolic link", "a symbolic link to itself");
	p = at("h55-dir-loop");
	if (symlink(".", p) != 0)
		die(p);
	free(p);
	expect("h55", "skipped", "symbolic link", "a symbolic link to its own directory");
	p = at("h56-dangling.flac");
	if (symlink("/nonexistent/x.flac", p) != 0)
		die(p);
	free(p);
	expect("h56", "skipped", "symbolic link", "a dangling symbolic link");
	put_good("h57-new\nline.wav", "wav16");
	expect("h57", "ok", "", "a name with a newline");
	put_good("h58-bad-utf8-\xff\xfe\xc3(.wav", "wav16");
	expect("h58", "ok", "", "a name with invalid UTF-8");
	put_good("h59-esc-\x1b]0;pwned\x07\x1b[2J\x1b[31m\r\b.wav", "wav16");
	expect("h59", "ok", "", "a name with terminal escape sequences");
	put_good("h60-tab\tand\x7f" "del.flac", "flac16");
	expect("h60", "ok", "", "a name with a tab and DEL");
	{	/* sparse: a valid header declaring 4 GB of 16-bit audio, 1.5 GB
		 * of holes on disk (about 9.5 hours at 22.05 kHz mono) */
		struct wavhdr h = { .tag = 1, .channels = 1, .bits = 16, .rate = 22050,
		                    .data_size = 0xfffffff0u, .riff_size = 0xfffffff8u };
		size_t len;
		uint8_t *b = wav(&h, NULL, 0, &len);
		p = at("h61-sparse-hours.wav");
		fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || write(fd, b, len) != (ssize_t)len ||
		    ftruncate(fd, (off_t)1536 << 20) != 0 || close(fd) != 0)
			die(p);
		free(p);
		free(b);
		expect("h61", "ok|failed", "timed out after", "sparse: header and 1.5 GB of holes");
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: hostile_gen DIR\n");
		return 2;
	}
	dir = argv[1];
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		die(dir);
	cases_wav();
	cases_codecs();
	cases_fs();
	fprintf(stderr, "hostile_gen: %d cases in %s\n", n_cases, dir);
	return 0;
}
