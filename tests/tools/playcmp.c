/*
 * playcmp.c - check what the player wrote to a device against the file.
 *
 *   playcmp OUT.raw SRC RATE START END GAIN PASSES TOL [SKIP_MS]
 *
 * OUT.raw: float32 stereo frames as the ALSA file plugin recorded them.
 * The reference is SRC's frames [START, END) s (END 0 = to the end),
 * mapped to stereo and converted to RATE Hz with audio_resampler
 * (SRC_SINC_MEDIUM_QUALITY, as the player), times GAIN (linear; 0 = fit
 * it by least squares and only print it).
 *
 * The start of the first pass is found by cross-correlation (FFT, over
 * the whole recording, of L+R against the reference's L+R): the first
 * peak within 10 % of the largest (the passes of a loop give equal
 * peaks; use signals that are not periodic).  Then PASSES copies of the reference must follow back to
 * back (a loop is seamless), each within TOL (absolute, full scale 1)
 * except the first SKIP_MS of the first pass (the player's fade-in), and
 * nothing but silence (|x| < 1e-6) after them.  Prints "offset N gain G
 * maxerr E tail T frames F" and exits 0 when all holds, 1 otherwise.
 *
 *   playcmp --lufs OUT.raw RATE   prints "lufs L peak P" (EBU R128
 *                                 integrated loudness, linear sample peak)
 *   playcmp --span OUT.raw RATE   prints "span FIRST dur SECONDS": the
 *                                 first frame above 1e-6 and the seconds
 *                                 from there to the last one
 */
#include <ebur128.h>
#include <fftw3.h>
#include <math.h>
#include <samplerate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "grym/audio.h"

static float *reference(const char *path, int rate, double s0, double s1, size_t *n)
{
	struct gr_err err = { 0 };
	struct audio_file *f = audio_open(path, &err);
	const struct audio_info *in;
	struct audio_resampler *rs;
	float *blk, *out = NULL;
	size_t cap = 0, len = 0, bmax;
	int64_t pos, end;

	if (f == NULL) {
		fprintf(stderr, "playcmp: %s\n", err.msg);
		exit(2);
	}
	in = audio_get_info(f);
	pos = llround(s0 * in->rate);
	end = s1 > s0 ? llround(s1 * in->rate) : INT64_MAX;
	if (audio_seek(f, pos, &err) < 0 ||
	    (rs = audio_resampler_new(in->channels, in->rate, rate, 2, SRC_SINC_MEDIUM_QUALITY,
	                              &err)) == NULL) {
		fprintf(stderr, "playcmp: %s\n", err.msg);
		exit(2);
	}
	bmax = audio_resampler_max_out(rs, 4096);
	blk = malloc(4096 * sizeof(float) * (size_t)in->channels);
	for (;;) {
		size_t want = 4096;
		long got, o;
		int last;

		if (end != INT64_MAX && end - pos < (int64_t)want)
			want = (size_t)(end - pos);
		got = want ? audio_read(f, blk, want, &err) : 0;
		if (got < 0) {
			fprintf(stderr, "playcmp: %s\n", err.msg);
			exit(2);
		}
		last = got == 0 || (end != INT64_MAX && pos + got >= end);
		if (len + bmax > cap) {
			cap = 2 * (len + bmax);
			out = realloc(out, cap * 2 * sizeof(float));
		}
		o = audio_resampler_push(rs, blk, (size_t)got, out + 2 * len, cap - len, last, &err);
		if (o < 0) {
			fprintf(stderr, "playcmp: %s\n", err.msg);
			exit(2);
		}
		len += (size_t)o;
		pos += got;
		if (last)
			break;
	}
	free(blk);
	audio_resampler_free(rs);
	audio_close(f);
	*n = len;
	return out;
}

/* The lag (frames) of ref in out with the largest cross-correlation of the
 * L+R sums, or -1 if out is silent. */
static long best_lag(const float *out, size_t n_out, const float *ref, size_t n_ref)
{
	size_t n = 1, i, nc;
	float *a, *b;
	fftwf_complex *fa, *fb;
	fftwf_plan pa, pb, pi;
	double best = 0;
	long lag = -1;

	while (n < n_out + n_ref)
		n <<= 1;
	nc = n / 2 + 1;
	a = fftwf_alloc_real(n);
	b = fftwf_alloc_real(n);
	fa = fftwf_alloc_complex(nc);
	fb = fftwf_alloc_complex(nc);
	pa = fftwf_plan_dft_r2c_1d((int)n, a, fa, FFTW_ESTIMATE);
	pb = fftwf_plan_dft_r2c_1d((int)n, b, fb, FFTW_ESTIMATE);
	pi = fftwf_plan_dft_c2r_1d((int)n, fa, a, FFTW_ESTIMATE);
	memset(a, 0, n * sizeof(float));
	memset(b, 0, n * sizeof(float));
	for (i = 0; i < n_out; i++)
		a[i] = out[2 * i] + out[2 * i + 1];
	for (i = 0; i < n_ref; i++)
		b[i] = ref[2 * i] + ref[2 * i + 1];
	fftwf_execute(pa);
	fftwf_execute(pb);
	for (i = 0; i < nc; i++) {
		/* a * conj(b) */
		float re = fa[i][0] * fb[i][0] + fa[i][1] * fb[i][1];
		float im = fa[i][1] * fb[i][0] - fa[i][0] * fb[i][1];
		fa[i][0] = re;
		fa[i][1] = im;
	}
	fftwf_execute(pi);
	for (i = 0; i < n_out; i++)
		if (a[i] > best)
			best = a[i];
	/* Passes of a loop give equal peaks: take the first one (the first lag
	 * within 10 % of the best, then up to its local maximum). */
	for (i = 0; i < n_out && best > 0; i++)
		if (a[i] >= 0.9 * best) {
			while (i + 1 < n_out && a[i + 1] > a[i])
				i++;
			lag = (long)i;
			break;
		}
	fftwf_destroy_plan(pa);
	fftwf_destroy_plan(pb);
	fftwf_destroy_plan(pi);
	fftwf_free(a);
	fftwf_free(b);
	fftwf_free(fa);
	fftwf_free(fb);
	return lag;
}

/* --lufs and --span. */
static int measure(const char *mode, const char *path, int rate)
{
	struct gr_err err = { 0 };
	size_t bytes, n, i, first = 0, last = 0;
	float *x = fx_read_bytes(path, &bytes, &err), peak = 0;
	ebur128_state *st;
	double lu = -INFINITY;
	int any = 0;

	if (x == NULL) {
		fprintf(stderr, "playcmp: %s\n", err.msg);
		return 2;
	}
	n = bytes / (2 * sizeof(float));
	for (i = 0; i < n * 2; i++) {
		if (fabsf(x[i]) > peak)
			peak = fabsf(x[i]);
		if (fabsf(x[i]) > 1e-6f) {
			if (!any)
				first = i / 2;
			last = i / 2;
			any = 1;
		}
	}
	if (!strcmp(mode, "--span")) {
		printf("span %zu dur %.4f\n", first, any ? (double)(last - first + 1) / rate : 0.0);
	} else {
		st = ebur128_init(2, (unsigned long)rate, EBUR128_MODE_I);
		ebur128_add_frames_float(st, x, n);
		ebur128_loudness_global(st, &lu);
		ebur128_destroy(&st);
		printf("lufs %.2f peak %.4f\n", lu, peak);
	}
	free(x);
	return 0;
}

int main(int argc, char **argv)
{
	struct gr_err err = { 0 };
	size_t bytes, n_out, n_ref, i, j, skip;
	float *out, *ref;
	double gain, tol, num = 0, den = 0, maxerr = 0, tail = 0;
	long off;
	int rate, passes, ok = 1;

	if (argc == 4 && (!strcmp(argv[1], "--lufs") || !strcmp(argv[1], "--span")))
		return measure(argv[1], argv[2], atoi(argv[3]));
	if (argc < 9) {
		fprintf(stderr, "usage: playcmp OUT.raw SRC RATE START END GAIN PASSES TOL "
		        "[SKIP_MS]\n");
		return 2;
	}
	out = fx_read_bytes(argv[1], &bytes, &err);
	if (out == NULL) {
		fprintf(stderr, "playcmp: %s\n", err.msg);
		return 2;
	}
	n_out = bytes / (2 * sizeof(float));
	rate = atoi(argv[3]);
	ref = reference(argv[2], rate, atof(argv[4]), atof(argv[5]), &n_ref);
	gain = atof(argv[6]);
	passes = atoi(argv[7]);
	tol = atof(argv[8]);
	skip = (size_t)(rate * (argc > 9 ? atof(argv[9]) : 5.0) / 1000);
	off = best_lag(out, n_out, ref, n_ref);
	if (off < 0) {
		printf("no signal in %s (%zu frames)\n", argv[1], n_out);
		return 1;
	}
	if ((size_t)off + n_ref * (size_t)passes > n_out) {
		printf("offset %ld: output has %zu frames, %d passes need %zu\n", off, n_out,
		       passes, (size_t)off + n_ref * (size_t)passes);
		return 1;
	}
	for (j = skip * 2; j < n_ref * 2; j++) {
		num += (double)out[(size_t)off * 2 + j] * ref[j];
		den += (double)ref[j] * ref[j];
	}
	if (gain <= 0)
		gain = den > 0 ? num / den : 1;
	for (int p = 0; p < passes; p++)
		for (j = (p == 0 ? skip : 0) * 2; j < n_ref * 2; j++) {
			size_t at = ((size_t)off + (size_t)p * n_ref) * 2 + j;
			double e = fabs(out[at] - gain * ref[j]);
			if (e > maxerr)
				maxerr = e;
		}
	for (i = ((size_t)off + n_ref * (size_t)passes) * 2; i < n_out * 2; i++)
		if (fabsf(out[i]) > tail)
			tail = fabsf(out[i]);
	printf("offset %ld gain %.6f (fit %.6f) maxerr %.3g tail %.3g frames %zu ref %zu\n", off,
	       gain, den > 0 ? num / den : 0, maxerr, tail, n_out, n_ref);
	if (maxerr > tol) {
		printf("samples differ by %.3g > %.3g\n", maxerr, tol);
		ok = 0;
	}
	if (tail > 1e-6) {
		printf("signal after %d passes (%.3g)\n", passes, tail);
		ok = 0;
	}
	free(out);
	free(ref);
	return ok ? 0 : 1;
}
