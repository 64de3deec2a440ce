/*
 * fixtures.c - deterministic test signals, written with libsndfile (or the
 * ffmpeg command for M4A), temp directories and measuring helpers.
 *
 * The generator is a small state machine (segment, position, noise state)
 * filled block by block, so writing a 2-hour file uses one block of
 * memory.  Noise comes from splitmix64 seeded per segment, so a segment's
 * samples do not depend on what came before it.  Pink noise is white
 * noise through a bank of three one-pole filters at spread corner
 * frequencies (a standard 1/f approximation, about +/-0.5 dB from 20 Hz to
 * 10 kHz at 44.1 kHz), normalised to roughly the requested peak.
 *
 * Thread rules: none shared.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sndfile.h>

#include "fixtures.h"
#include "grym/util.h"

#define FX_BLOCK 4096 /* frames per generated block */

struct fx_gen {
	const struct fx_spec *s;
	int64_t *bounds;      /* n_segs + 1 */
	size_t seg;           /* current segment */
	int64_t pos;          /* absolute frame */
	uint64_t rng;         /* splitmix64 state */
	double pk[3];         /* pink filter states */
};

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [-1, 1). */
static double uni(uint64_t *x)
{
	return (double)(splitmix(x) >> 11) / 4503599627370496.0 - 1.0;
}

int64_t fx_frames(const struct fx_spec *s, int64_t *bounds)
{
	double t = 0;
	size_t k;

	if (bounds != NULL)
		bounds[0] = 0;
	for (k = 0; k < s->n_segs; k++) {
		t += s->segs[k].dur > 0 ? s->segs[k].dur : 0;
		if (bounds != NULL)
			bounds[k + 1] = llround(t * s->rate);
	}
	return llround(t * s->rate);
}

static void gen_start_seg(struct fx_gen *g)
{
	const struct fx_seg *sg = &g->s->segs[g->seg];

	g->rng = sg->seed ? sg->seed : 0x5eed;
	memset(g->pk, 0, sizeof(g->pk));
}

/* One mono sample of segment sg at frame i from its start. */
static double seg_sample(struct fx_gen *g, const struct fx_seg *sg, int64_t i, int64_t len)
{
	double rate = g->s->rate, t = (double)i / rate, v = 0, w;
	int k;

	switch (sg->kind) {
	case FX_SILENCE:
		return 0;
	case FX_SINE:
		v = sg->amp * sin(2 * M_PI * sg->freq * t);
		break;
	case FX_WHITE:
		v = sg->amp * uni(&g->rng);
		break;
	case FX_PINK:
		/* Three one-pole low-passes (corners near 50 Hz, 600 Hz, 6 kHz at
		 * 44.1 kHz) summed with a little white: slope close to -3 dB/oct. */
		w = uni(&g->rng);
		g->pk[0] = 0.99765 * g->pk[0] + w * 0.0990460;
		g->pk[1] = 0.96300 * g->pk[1] + w * 0.2965164;
		g->pk[2] = 0.57000 * g->pk[2] + w * 1.0526913;
		v = sg->amp * (g->pk[0] + g->pk[1] + g->pk[2] + w * 0.1848) * 0.25;
		break;
	case FX_CLICKS: {
		/* Click k starts at round(k * period); find the latest one <= i. */
		double period = sg->freq > 0 ? rate / sg->freq : (double)len + 1;
		int64_t kc = (int64_t)floor((double)i / period), start = llround(kc * period);
		double age;
		if (start > i)
			start = llround((kc - 1) * period);
		age = (double)(i - start) / rate;
		v = age < 0.001 ? sg->amp * exp(-age / 0.0002) : 0;
		break;
	}
	case FX_CHORD:
		for (k = 0; k < sg->n_partials && k < FX_MAX_PARTIALS; k++)
			v += sin(2 * M_PI * sg->partials[k] * t);
		if (sg->n_partials > 0)
			v *= sg->amp / sg->n_partials;
		break;
	}
	if (sg->fade > 0) {
		double f = sg->fade * rate, a = 1;
		if (i < f)
			a = i / f;
		if (len - 1 - i < f)
			a = fmin(a, (len - 1 - i) / f);
		v *= a;
	}
	return v;
}

/* Fill up to n interleaved frames; returns the frames written (0 at end). */
static size_t gen_fill(struct fx_gen *g, float *buf, size_t n)
{
	const struct fx_spec *s = g->s;
	int64_t total = g->bounds[s->n_segs];
	size_t j = 0;
	int c;

	while (j < n && g->pos < total) {
		const struct fx_seg *sg;
		int64_t b0, len;
		double v;

		while (g->pos >= g->bounds[g->seg + 1]) {
			g->seg++;
			gen_start_seg(g);
		}
		sg = &s->segs[g->seg];
		b0 = g->bounds[g->seg];
		len = g->bounds[g->seg + 1] - b0;
		v = seg_sample(g, sg, g->pos - b0, len);
		for (c = 0; c < s->channels; c++)
			buf[j * s->channels + c] =
				(float)(s->chan_gain ? v * s->chan_gain[c] : v);
		j++;
		g->pos++;
	}
	return j;
}

static void gen_init(struct fx_gen *g, const struct fx_spec *s, int64_t *bounds)
{
	memset(g, 0, sizeof(*g));
	g->s = s;
	g->bounds = bounds;
	fx_frames(s, bounds);
	if (s->n_segs > 0)
		gen_start_seg(g);
}

float *fx_render(const struct fx_spec *s, int64_t *frames, int64_t *bounds)
{
	int64_t *b = xcalloc(s->n_segs + 1, sizeof(*b));
	struct fx_gen g;
	float *buf;

	gen_init(&g, s, b);
	*frames = b[s->n_segs];
	buf = xcalloc((size_t)*frames * s->channels + 1, sizeof(float));
	gen_fill(&g, buf, (size_t)*frames);
	if (bounds != NULL)
		memcpy(bounds, b, (s->n_segs + 1) * sizeof(*b));
	free(b);
	return buf;
}

static SNDFILE *open_write(const char *path, int format, int rate, int channels,
                           struct gr_err *err)
{
	SF_INFO info = { .samplerate = rate, .channels = channels, .format = format };
	SNDFILE *sf;

	if (!sf_format_check(&info)) {
		gr_fail(err, GR_ENOTSUP, "%s: libsndfile cannot write format 0x%x at %d Hz, %d channels",
		        path, format, rate, channels);
		return NULL;
	}
	sf = sf_open(path, SFM_WRITE, &info);
	if (sf == NULL) {
		gr_fail(err, GR_EIO, "%s: %s", path, sf_strerror(NULL));
		return NULL;
	}
	sf_command(sf, SFC_SET_CLIPPING, NULL, SF_TRUE);
	{
		/* Lossy formats at their best quality: libsndfile's default
		 * settings leave codec noise ~40 dB under the signal for tens of
		 * ms around onsets and ends, which is the codec's doing, not the
		 * region detector's. */
		double level = 0.0;
		sf_command(sf, SFC_SET_COMPRESSION_LEVEL, &level, sizeof(level));
	}
	return sf;
}

int fx_write(const char *path, const struct fx_spec *s, int64_t *bounds, struct gr_err *err)
{
	int64_t *b = xcalloc(s->n_segs + 1, sizeof(*b));
	float *buf = xmalloc(sizeof(float) * FX_BLOCK * s->channels);
	struct fx_gen g;
	SNDFILE *sf;
	size_t n;
	int rc = 0;

	gen_init(&g, s, b);
	sf = open_write(path, s->format, s->rate, s->channels, err);
	if (sf == NULL) {
		rc = -(err ? err->code : GR_EIO);
		goto out;
	}
	while ((n = gen_fill(&g, buf, FX_BLOCK)) > 0) {
		if (sf_writef_float(sf, buf, (sf_count_t)n) != (sf_count_t)n) {
			rc = gr_fail(err, GR_EIO, "%s: write failed: %s", path, sf_strerror(sf));
			break;
		}
	}
	if (sf_close(sf) != 0 && rc == 0)
		rc = gr_fail(err, GR_EIO, "%s: close failed", path);
	if (bounds != NULL)
		memcpy(bounds, b, (s->n_segs + 1) * sizeof(*b));
out:
	free(buf);
	free(b);
	return rc;
}

int fx_write_buf(const char *path, int format, int rate, int channels, const float *buf,
                 int64_t frames, struct gr_err *err)
{
	SNDFILE *sf = open_write(path, format, rate, channels, err);
	int rc = 0;

	if (sf == NULL)
		return -(err ? err->code : GR_EIO);
	sf_command(sf, SFC_SET_CLIPPING, NULL, SF_FALSE);
	if (sf_writef_float(sf, buf, frames) != frames)
		rc = gr_fail(err, GR_EIO, "%s: write failed: %s", path, sf_strerror(sf));
	if (sf_close(sf) != 0 && rc == 0)
		rc = gr_fail(err, GR_EIO, "%s: close failed", path);
	return rc;
}

int fx_write_bytes(const char *path, const void *data, size_t len, struct gr_err *err)
{
	FILE *f = fopen(path, "wb");
	int rc = 0;

	if (f == NULL)
		return gr_fail(err, GR_EIO, "%s: %s", path, strerror(errno));
	if (len > 0 && fwrite(data, 1, len, f) != len)
		rc = gr_fail(err, GR_EIO, "%s: write failed", path);
	if (fclose(f) != 0 && rc == 0)
		rc = gr_fail(err, GR_EIO, "%s: close failed", path);
	return rc;
}

void *fx_read_bytes(const char *path, size_t *len, struct gr_err *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long sz;

	if (f == NULL) {
		gr_fail(err, GR_EIO, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		gr_fail(err, GR_EIO, "%s: cannot size", path);
		goto out;
	}
	buf = xmalloc((size_t)sz + 1);
	if (fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
		gr_fail(err, GR_EIO, "%s: short read", path);
		free(buf);
		buf = NULL;
		goto out;
	}
	*len = (size_t)sz;
out:
	fclose(f);
	return buf;
}

int fx_run(const char *const argv[])
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int fx_have_ffmpeg(void)
{
	static int have = -1;

	if (have < 0) {
		const char *argv[] = { "ffmpeg", "-version", NULL };
		have = fx_run(argv) == 0;
	}
	return have;
}

int fx_write_m4a(const char *path, const struct fx_spec *s, const char *codec,
                 int64_t *bounds, struct gr_err *err)
{
	struct fx_spec w = *s;
	char *tmp, bitrate[32];
	int rc;

	if (!fx_have_ffmpeg())
		return gr_fail(err, GR_ENOTSUP, "%s: the ffmpeg command is not installed", path);
	tmp = xasprintf("%s.src.wav", path);
	w.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
	rc = fx_write(tmp, &w, bounds, err);
	if (rc == 0) {
		int aac = strcmp(codec, "aac") == 0;
		const char *argv[] = { "ffmpeg", "-nostdin", "-v", "error", "-y", "-i", tmp,
		                 "-c:a", aac ? "aac" : "alac",
		                 aac ? "-b:a" : "-sample_fmt", aac ? bitrate : "s16p",
		                 "-movflags", "+faststart", "-f", "ipod", path, NULL };
		snprintf(bitrate, sizeof(bitrate), "%dk", 64 * (s->channels > 1 ? s->channels : 2));
		if (fx_run(argv) != 0)
			rc = gr_fail(err, GR_EIO, "%s: ffmpeg failed to encode %s", path, codec);
	}
	unlink(tmp);
	free(tmp);
	return rc;
}

int fx_format(const char *name)
{
	static const struct { const char *name; int format; } tab[] = {
		{ "wav16", SF_FORMAT_WAV | SF_FORMAT_PCM_16 },
		{ "wav24", SF_FORMAT_WAV | SF_FORMAT_PCM_24 },
		{ "wav32", SF_FORMAT_WAV | SF_FORMAT_PCM_32 },
		{ "wavf", SF_FORMAT_WAV | SF_FORMAT_FLOAT },
		{ "wavd", SF_FORMAT_WAV | SF_FORMAT_DOUBLE },
		{ "wavex16", SF_FORMAT_WAVEX | SF_FORMAT_PCM_16 },
		{ "wavex24", SF_FORMAT_WAVEX | SF_FORMAT_PCM_24 },
		{ "wavexf", SF_FORMAT_WAVEX | SF_FORMAT_FLOAT },
		{ "aiff16", SF_FORMAT_AIFF | SF_FORMAT_PCM_16 },
		{ "aiff24", SF_FORMAT_AIFF | SF_FORMAT_PCM_24 },
		{ "flac16", SF_FORMAT_FLAC | SF_FORMAT_PCM_16 },
		{ "flac24", SF_FORMAT_FLAC | SF_FORMAT_PCM_24 },
		{ "ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS },
		{ "opus", SF_FORMAT_OGG | SF_FORMAT_OPUS },
		{ "mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III },
		{ "caf16", SF_FORMAT_CAF | SF_FORMAT_PCM_16 },
	};
	size_t i;

	for (i = 0; i < GR_ARRAY_LEN(tab); i++)
		if (strcmp(tab[i].name, name) == 0)
			return tab[i].format;
	return 0;
}

char *fx_tmpdir_new(const char *tag)
{
	const char *base = getenv("TMPDIR");
	char *dir;

	if (base == NULL || *base == '\0')
		base = "/tmp";
	dir = xasprintf("%s/grym-%s-XXXXXX", base, tag);
	if (mkdtemp(dir) == NULL) {
		fprintf(stderr, "fixtures: mkdtemp %s: %s\n", dir, strerror(errno));
		abort();
	}
	return dir;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	/* unlink/rmdir only need the parent's permissions, so files a test
	 * chmod'ed to 000 are removed too. */
	if (flag == FTW_DP)
		rmdir(p);
	else
		unlink(p);
	return 0;
}

void fx_tmpdir_free(char *dir)
{
	if (dir == NULL)
		return;
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

char *fx_path(const char *dir, const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

double fx_rms(const float *buf, size_t frames, int stride, int ch)
{
	double acc = 0;
	size_t i;

	for (i = 0; i < frames; i++)
		acc += (double)buf[i * stride + ch] * buf[i * stride + ch];
	return frames ? sqrt(acc / frames) : 0;
}

double fx_peak(const float *buf, size_t frames, int stride, int ch)
{
	double p = 0;
	size_t i;

	for (i = 0; i < frames; i++)
		p = fmax(p, fabs(buf[i * stride + ch]));
	return p;
}

double fx_goertzel(const float *buf, size_t frames, int stride, int ch, double rate,
                   double freq)
{
	double w = 2 * M_PI * freq / rate, coef = 2 * cos(w);
	double s0, s1 = 0, s2 = 0, re, im, wsum = 0;
	/* Hann window 0.5 - 0.5 cos(2 pi i / (N - 1)) by a rotating phasor
	 * (no cos() per sample; the drift is far below float precision). */
	double hw = 2 * M_PI / (double)(frames - 1), hc = 1, hs = 0;
	double rc = cos(hw), rs = sin(hw), t;
	size_t i;

	if (frames < 2)
		return 0;
	for (i = 0; i < frames; i++) {
		double hann = 0.5 - 0.5 * hc;
		wsum += hann;
		s0 = buf[i * stride + ch] * hann + coef * s1 - s2;
		s2 = s1;
		s1 = s0;
		t = hc * rc - hs * rs;
		hs = hs * rc + hc * rs;
		hc = t;
	}
	re = s1 - s2 * cos(w);
	im = s2 * sin(w);
	/* A sine of amplitude A gives |X| = A * sum(window) / 2. */
	return 2 * sqrt(re * re + im * im) / wsum;
}

double fx_peak_freq(const float *buf, size_t frames, int stride, int ch, double rate,
                    double lo, double hi, double step)
{
	double f, best = lo, bm = -1;

	for (f = lo; f <= hi + 1e-9; f += step) {
		double m = fx_goertzel(buf, frames, stride, ch, rate, f);
		if (m > bm) {
			bm = m;
			best = f;
		}
	}
	return best;
}
