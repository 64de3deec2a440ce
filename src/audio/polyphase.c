/*
 * polyphase.c - a rational-ratio polyphase FIR resampler, used by
 * audio_resampler for SRC_SINC_FASTEST (the analysis default) because it is
 * several times faster than libsamplerate's sinc converters at the same job.
 *
 * The ratio out/in is reduced to L/M.  A Kaiser-windowed sinc prototype
 * (stop band >= PP_ATTEN_DB, pass band to 90% of the lower Nyquist
 * frequency, stop band from that Nyquist frequency on, so nothing aliases
 * above -PP_ATTEN_DB) is cut into L phases of K taps each; output t uses
 * phase (t M + c) mod L against the K input frames ending at
 * floor((t M + c) / L), where c centres the filter so output and input are
 * aligned in time (no delay, like libsamplerate).  Each phase is normalised
 * to unity DC gain.  Ratios whose table would exceed PP_TABLE_MAX floats
 * (awkward rates such as 44056 Hz) are left to libsamplerate.
 *
 * Costs: K multiply-adds per output frame and channel (K is 232 for
 * 44.1 kHz -> 22.05 kHz, 256 for 96 kHz -> 22.05 kHz), four-wide with GCC
 * vector extensions, eight-wide with FMA where the CPU has AVX2.  Memory: the L * K table plus 2 K + PP_CHUNK frames
 * per channel, fixed at _new; process never allocates.
 * Thread rules: one object per thread at a time.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audio_int.h"
#include "grym/util.h"

#define PP_ATTEN_DB 90.0       /* stop-band attenuation */
#define PP_PASS 0.9            /* cut-off, as a share of the lower Nyquist */
#define PP_TABLE_MAX 262144    /* floats in the coefficient table (1 MiB) */
#define PP_CHUNK 4096          /* most input frames per process call */

struct audio_poly {
	int ch;                  /* channels (interleaved in and out) */
	int64_t L, M;            /* out/in = L/M, reduced */
	int K;                   /* taps per phase, a multiple of 8 */
	int64_t c;               /* centre offset in upsampled samples */
	float *h;                /* L rows of K taps, reversed for a forward dot */
	float *buf;              /* ch planar rows of cap frames */
	size_t cap;              /* frames per row */
	int64_t base;            /* absolute input frame of row[0] */
	size_t fill;             /* frames in each row */
	int64_t in_total;        /* real input frames received */
	int64_t t;               /* next output frame */
	float (*dot)(const float *a, const float *b, int k); /* dot4 or dot8 */
};

static float dot4(const float *a, const float *b, int k);
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define PP_HAVE_AVX2 1
static float dot8(const float *a, const float *b, int k);
#endif

static int64_t gcd64(int64_t a, int64_t b)
{
	while (b != 0) {
		int64_t r = a % b;
		a = b;
		b = r;
	}
	return a;
}

/* Modified Bessel function of the first kind, order 0 (series). */
static double bessel_i0(double x)
{
	double sum = 1, term = 1, q = x * x / 4;
	int k;

	for (k = 1; k < 64 && term > 1e-12 * sum; k++) {
		term *= q / ((double)k * k);
		sum += term;
	}
	return sum;
}

struct audio_poly *audio_poly_new(int channels, int in_rate, int out_rate)
{
	struct audio_poly *p;
	int64_t g = gcd64(in_rate, out_rate), L = out_rate / g, M = in_rate / g;
	double lo = (in_rate < out_rate ? in_rate : out_rate) / 2.0;   /* Hz */
	double fc = PP_PASS * lo;                                       /* cut-off, Hz */
	double dw = 2 * M_PI * (lo - fc) / in_rate;   /* transition, rad/input sample */
	double beta = 0.1102 * (PP_ATTEN_DB - 8.7), half, i0b;
	int K = (int)ceil((PP_ATTEN_DB - 8) / (2.285 * dw)) + 1;
	int phase, k;

	K = (K + 7) & ~7;
	if (L * K > PP_TABLE_MAX)
		return NULL;
	p = xcalloc(1, sizeof(*p));
	p->ch = channels;
	p->dot = dot4;
#ifdef PP_HAVE_AVX2
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
		p->dot = dot8;
#endif
	p->L = L;
	p->M = M;
	p->K = K;
	p->c = L * K / 2;
	p->h = xmalloc(sizeof(float) * (size_t)(L * K));
	half = K / 2.0;
	i0b = bessel_i0(beta);
	for (phase = 0; phase < L; phase++) {
		float *row = p->h + phase * K;
		double sum = 0;
		for (k = 0; k < K; k++) {
			/* Tap k of this phase multiplies input frame n - k; in the
			 * upsampled domain it sits at k L + phase, i.e. x input
			 * frames from the filter's centre. */
			double x = ((double)(k * L + phase) - (double)p->c) / (double)L;
			double r = x / half, w, s, v;
			w = fabs(r) >= 1 ? 0 : bessel_i0(beta * sqrt(1 - r * r)) / i0b;
			s = 2 * fc / in_rate * x;
			v = (x == 0 ? 1 : sin(M_PI * s) / (M_PI * s)) * 2 * fc / in_rate * w;
			row[K - 1 - k] = (float)v;   /* reversed: the dot runs forward */
			sum += v;
		}
		for (k = 0; k < K && sum != 0; k++)
			row[k] = (float)(row[k] / sum);
	}
	p->cap = 2 * (size_t)K + PP_CHUNK;
	p->buf = xmalloc(sizeof(float) * p->cap * (size_t)channels);
	audio_poly_reset(p);
	return p;
}

void audio_poly_reset(struct audio_poly *p)
{
	/* K - 1 frames of silence before the first input frame. */
	memset(p->buf, 0, sizeof(float) * p->cap * (size_t)p->ch);
	p->base = -(int64_t)(p->K - 1);
	p->fill = (size_t)(p->K - 1);
	p->in_total = 0;
	p->t = 0;
}

/* Sum of a[i] * b[i] for i < k (k a multiple of 8), four lanes at a time. */
static float dot4(const float *a, const float *b, int k)
{
	typedef float v4 __attribute__((vector_size(16)));
	v4 s0 = { 0, 0, 0, 0 }, s1 = { 0, 0, 0, 0 }, a0, a1, b0, b1;
	int i;

	for (i = 0; i < k; i += 8) {
		memcpy(&a0, a + i, sizeof(a0));
		memcpy(&a1, a + i + 4, sizeof(a1));
		memcpy(&b0, b + i, sizeof(b0));
		memcpy(&b1, b + i + 4, sizeof(b1));
		s0 += a0 * b0;
		s1 += a1 * b1;
	}
	s0 += s1;
	return s0[0] + s0[1] + s0[2] + s0[3];
}

#ifdef PP_HAVE_AVX2
/* The same with eight lanes and fused multiply-adds, for CPUs with AVX2
 * and FMA (chosen at _new): about 1.6x the speed of dot4. */
__attribute__((target("avx2,fma")))
static float dot8(const float *a, const float *b, int k)
{
	typedef float v8 __attribute__((vector_size(32)));
	v8 s0 = { 0 }, s1 = { 0 }, a0, b0, a1, b1;
	int i;

	for (i = 0; i + 16 <= k; i += 16) {
		memcpy(&a0, a + i, sizeof(a0));
		memcpy(&b0, b + i, sizeof(b0));
		memcpy(&a1, a + i + 8, sizeof(a1));
		memcpy(&b1, b + i + 8, sizeof(b1));
		s0 += a0 * b0;
		s1 += a1 * b1;
	}
	if (i < k) {
		memcpy(&a0, a + i, sizeof(a0));
		memcpy(&b0, b + i, sizeof(b0));
		s0 += a0 * b0;
	}
	s0 += s1;
	return (s0[0] + s0[4]) + (s0[1] + s0[5]) + (s0[2] + s0[6]) + (s0[3] + s0[7]);
}
#endif

/* Append n interleaved frames (NULL: zeros) to the planar rows. */
static void append(struct audio_poly *p, const float *in, size_t n)
{
	size_t i;
	int c;

	for (c = 0; c < p->ch; c++) {
		float *row = p->buf + (size_t)c * p->cap + p->fill;
		if (in == NULL) {
			memset(row, 0, n * sizeof(float));
			continue;
		}
		for (i = 0; i < n; i++)
			row[i] = in[i * p->ch + c];
	}
	p->fill += n;
}

long audio_poly_process(struct audio_poly *p, const float *in, size_t n, float *out,
                        size_t cap, int last)
{
	int64_t end = INT64_MAX, keep;
	size_t written = 0, shift;
	int c;

	if (n > PP_CHUNK)
		return -GR_EUSAGE;
	append(p, in, n);
	p->in_total += (int64_t)n;
	if (last) {
		/* The last outputs look K / 2 frames past the end: pad with
		 * silence, and stop at round(in_total * L / M). */
		append(p, NULL, (size_t)p->K);
		end = (p->in_total * p->L + p->M / 2) / p->M;
	}
	/* output t reads phase (t M + c) mod L ending at input (t M + c) / L;
	 * both are stepped, not divided, per output (64-bit divisions were a
	 * third of this loop's time besides the dot products) */
	{
		int64_t u = p->t * p->M + p->c, nn = u / p->L, ph = u % p->L;
		int64_t qm = p->M / p->L, rm = p->M % p->L;

		while (p->t < end) {
			const float *row = p->h + ph * p->K;
			size_t at;

			if (nn >= p->base + (int64_t)p->fill)
				break; /* needs input not yet pushed */
			if (written == cap)
				return -GR_EUSAGE;
			at = (size_t)(nn - p->base) - (size_t)(p->K - 1);
			for (c = 0; c < p->ch; c++)
				out[written * p->ch + c] = p->dot(row, p->buf + (size_t)c * p->cap + at,
				                                  p->K);
			written++;
			p->t++;
			nn += qm;
			ph += rm;
			if (ph >= p->L) {
				ph -= p->L;
				nn++;
			}
		}
	}
	/* Keep only the K - 1 frames before the next output's newest input. */
	keep = (p->t * p->M + p->c) / p->L - (p->K - 1);
	if (keep > p->base) {
		shift = (size_t)(keep - p->base);
		if (shift > p->fill)
			shift = p->fill;
		for (c = 0; c < p->ch; c++) {
			float *row = p->buf + (size_t)c * p->cap;
			memmove(row, row + shift, (p->fill - shift) * sizeof(float));
		}
		p->base += (int64_t)shift;
		p->fill -= shift;
	}
	return (long)written;
}

void audio_poly_free(struct audio_poly *p)
{
	if (p == NULL)
		return;
	free(p->h);
	free(p->buf);
	free(p);
}
