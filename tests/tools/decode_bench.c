/*
 * decode_bench.c - decode speed of one file, for `make bench`.
 *
 *   decode_bench FILE                         decode only
 *   decode_bench FILE RATE [CHANNELS [MODE]]   decode, then decode+resample
 *   decode_bench FILE RATE CHANNELS ebur128[-lra]   decode + libebur128
 *
 * Prints the file's format, then (1) decode-only: audio_read() in 4096-frame
 * blocks, and, when RATE is given, (2) decode + mixdown + resample through
 * audio_stream to RATE and CHANNELS (default 1) with SRC_SINC_FASTEST; for
 * each, wall seconds, times real time, and the peak RSS of the process so
 * far (getrusage, KiB).  MODE "decode" or "stream" runs only that part (to
 * time it from outside or measure its peak RSS alone).  MODE "ebur128"
 * decodes and feeds every frame, at the source rate and channels (RATE and
 * CHANNELS are ignored), to one libebur128 state in mode I, and prints the
 * integrated loudness: the cost of the loudness library by itself, for
 * bench/analyze_bench.sh; "ebur128-lra" uses grym's own file mode (I + LRA,
 * histogram).  With FILE alone
 * the process does nothing but decode, so timing the whole command is a
 * decode-only figure.  Exit status 1 on any error (message on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <ebur128.h>
#include <samplerate.h>

#include "grym/audio.h"
#include "grym/util.h"

#define BLOCK 4096

static long peak_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
	struct gr_err err = { 0 };
	const struct audio_info *in;
	struct audio_file *f;
	struct audio_stream *s;
	int rate = argc > 2 ? atoi(argv[2]) : 22050, ch = argc > 3 ? atoi(argv[3]) : 1;
	const char *mode = argc > 4 ? argv[4] : argc > 2 ? "both" : "decode";
	double t0, t1, dur;
	int64_t frames = 0, out = 0;
	float *buf;
	long n;

	if (argc < 2) {
		fprintf(stderr, "usage: decode_bench FILE [RATE [CHANNELS "
		        "[decode|stream|both|ebur128|ebur128-lra]]]\n");
		return 2;
	}
	f = audio_open(argv[1], &err);
	if (f == NULL)
		goto fail;
	in = audio_get_info(f);
	buf = xmalloc(sizeof(float) * BLOCK * (size_t)(in->channels > 2 ? in->channels : 2));
	if (strcmp(mode, "stream") == 0)
		goto stream;
	if (strncmp(mode, "ebur128", 7) == 0) {
		int lra = strcmp(mode, "ebur128-lra") == 0;
		ebur128_state *st = ebur128_init((unsigned)in->channels, (unsigned long)in->rate,
		                                 lra ? EBUR128_MODE_I | EBUR128_MODE_LRA |
		                                 EBUR128_MODE_HISTOGRAM : EBUR128_MODE_I);
		double lufs = 0;

		if (st == NULL) {
			gr_fail(&err, GR_ENOMEM, "libebur128 cannot measure %d channels at %d Hz",
			        in->channels, in->rate);
			goto fail;
		}
		t0 = time_now();
		while ((n = audio_read(f, buf, BLOCK, &err)) > 0) {
			frames += n;
			ebur128_add_frames_float(st, buf, (size_t)n);
		}
		t1 = time_now();
		ebur128_loudness_global(st, &lufs);
		ebur128_destroy(&st);
		if (n < 0 || audio_end_status(f, &err) < 0)
			goto fail;
		dur = (double)frames / in->rate;
		printf("decode+libebur128 (%s): %.3f s wall, %.0fx real time, %.2f LUFS, "
		       "peak RSS %ld KiB\n", lra ? "mode I+LRA, histogram" : "mode I", t1 - t0,
		       dur / (t1 - t0), lufs, peak_rss_kib());
		goto done;
	}
	t0 = time_now();
	while ((n = audio_read(f, buf, BLOCK, &err)) > 0)
		frames += n;
	t1 = time_now();
	if (n < 0 || audio_end_status(f, &err) < 0)
		goto fail;
	dur = (double)frames / in->rate;
	printf("file: %s %s %d Hz %d ch, %.1f s\n", in->format, in->codec, in->rate,
	       in->channels, dur);
	printf("decode: %.3f s wall, %.0fx real time, peak RSS %ld KiB\n", t1 - t0,
	       dur / (t1 - t0), peak_rss_kib());

	if (strcmp(mode, "decode") == 0)
		goto done;
	if (audio_seek(f, 0, &err) < 0)
		goto fail;
stream:
	s = audio_stream_new(f, rate, ch, SRC_SINC_FASTEST, &err);
	if (s == NULL)
		goto fail;
	t0 = time_now();
	while ((n = audio_stream_read(s, buf, BLOCK / 2, &err)) > 0)
		out += n;
	t1 = time_now();
	audio_stream_free(s);
	if (n < 0)
		goto fail;
	dur = (double)out / rate;
	printf("decode+resample to %d Hz %d ch: %.3f s wall, %.0fx real time, %lld frames out, "
	       "peak RSS %ld KiB\n", rate, ch, t1 - t0, dur / (t1 - t0), (long long)out,
	       peak_rss_kib());
done:
	free(buf);
	audio_close(f);
	return 0;
fail:
	fprintf(stderr, "decode_bench: ");
	str_fputs_safe(err.msg, stderr);
	fprintf(stderr, "\n");
	return 1;
}
