/*
 * analyzer.c - the dsp_* API: ties the STFT, the frame features, the frame
 * store, the waveform peaks, the silence detector and the loudness meter
 * into the one streaming pass over a file (see grym/dsp.h).
 *
 * dsp_push() hands each block of the mono analysis signal to the STFT
 * (which calls back once per hop with a complete frame; the features are
 * computed and appended to the frame store), to the peaks and to the
 * silence detector (whose region events go to the loudness meter).
 * dsp_push_source() feeds the loudness meter, which runs on a thread of
 * its own (loud_thread.c; same results).  dsp_finish() pads the STFT,
 * closes the last region, finishes loudness and peaks, and maps regions
 * to frame ranges.
 *
 * Costs: see the files of each piece; per hop roughly two real FFTs (n and
 * the chroma FFT), one n/2 inverse FFT and O(n) descriptor work.  No
 * allocation per block except amortised growth of the frame store (up to
 * frames_mem), the region list and the loudness ring (10 ms cells).
 * Threads: one analyzer per thread (each starts one loudness worker, joined
 * by dsp_finish, dsp_reset and dsp_free); analyzers on different threads
 * share only the FFTW plan cache, which is locked.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dsp_int.h"
#include "grym/util.h"

struct dsp_analyzer {
	struct dsp_cfg cfg;
	int mirror;                 /* no source stream: measure the mono signal */
	int finished;
	int64_t nsamples;           /* mono samples pushed */
	struct stft stft;
	struct spec spec;
	struct pitch pitch;
	struct mel mel;
	struct chroma chroma;
	struct frames frames;
	struct peaks peaks;
	struct silence sil;
	struct loud loud;
	struct loudq lq;            /* runs loud on its own thread */
	struct gr_err *err;         /* for the frame callback, during a push */
};

static int on_frame(void *ctx, const struct stft_frame *f)
{
	struct dsp_analyzer *a = ctx;
	struct dsp_frame out;

	spec_compute(&a->spec, f, &out);
	pitch_compute(&a->pitch, f, &out);
	mel_compute(&a->mel, f, &out);
	chroma_compute(&a->chroma, f, &out);
	return frames_append(&a->frames, &out, a->err);
}

static void on_region_event(void *ctx, const struct sil_event *ev)
{
	struct dsp_analyzer *a = ctx;

	loudq_event(&a->lq, ev);
}

static int is_pow2(int v)
{
	return v > 0 && (v & (v - 1)) == 0;
}

static int check_cfg(struct dsp_cfg *c, struct gr_err *err)
{
	if (c->rate == 0)
		c->rate = 22050;
	if (c->fft_size == 0)
		c->fft_size = 2048;
	if (c->hop == 0)
		c->hop = c->fft_size / 4;
	if (c->rate < 4000 || c->rate > 192000)
		return gr_fail(err, GR_EUSAGE, "dsp: analysis rate %d Hz out of range 4000..192000",
		               c->rate);
	if (!is_pow2(c->fft_size) || c->fft_size < 256 || c->fft_size > 32768)
		return gr_fail(err, GR_EUSAGE, "dsp: FFT size %d is not a power of two in 256..32768",
		               c->fft_size);
	if (c->hop < 16 || c->hop > c->fft_size)
		return gr_fail(err, GR_EUSAGE, "dsp: hop %d out of range 16..%d", c->hop,
		               c->fft_size);
	if ((c->src_rate == 0) != (c->src_channels == 0) ||
	    (c->src_rate != 0 && (c->src_rate < 1000 || c->src_rate > 768000 ||
	                          c->src_channels < 1 || c->src_channels > 64)))
		return gr_fail(err, GR_EUSAGE, "dsp: bad source format %d Hz, %d channels",
		               c->src_rate, c->src_channels);
	if (!(c->silence_db >= -200 && c->silence_db <= 0) ||
	    !(c->hysteresis_db >= 0 && c->hysteresis_db <= 60) ||
	    !(c->min_silence >= 0 && c->min_silence <= 3600) ||
	    !(c->min_region >= 0 && c->min_region <= 3600) ||
	    !(c->padding >= 0 && c->padding <= 60))
		return gr_fail(err, GR_EUSAGE, "dsp: silence settings out of range");
	return 0;
}

struct dsp_analyzer *dsp_new(const struct dsp_cfg *cfg, struct gr_err *err)
{
	struct dsp_analyzer *a = xcalloc(1, sizeof(*a));
	int srate, sch;

	a->cfg = *cfg;
	if (check_cfg(&a->cfg, err) != 0)
		goto fail;
	a->mirror = a->cfg.src_rate == 0;
	srate = a->mirror ? a->cfg.rate : a->cfg.src_rate;
	sch = a->mirror ? 1 : a->cfg.src_channels;
	if (stft_init(&a->stft, &a->cfg, err) != 0)
		goto fail;
	if (spec_init(&a->spec, a->cfg.fft_size, a->cfg.rate, err) != 0 ||
	    pitch_init(&a->pitch, a->cfg.fft_size, a->cfg.rate, a->stft.win, err) != 0 ||
	    mel_init(&a->mel, a->cfg.fft_size, a->cfg.rate, err) != 0 ||
	    chroma_init(&a->chroma, a->stft.cn, a->stft.crate, err) != 0 ||
	    loud_init(&a->loud, &a->cfg, srate, sch, err) != 0 ||
	    loudq_init(&a->lq, &a->loud, err) != 0)
		goto fail;
	loudq_start(&a->lq);
	frames_init(&a->frames, a->cfg.frames_mem);
	peaks_init(&a->peaks, a->cfg.rate, PEAKS_OVERVIEW, PEAKS_DETAIL);
	silence_init(&a->sil, &a->cfg, on_region_event, a);
	return a;
fail:
	dsp_free(a);
	return NULL;
}

void dsp_free(struct dsp_analyzer *a)
{
	if (a == NULL)
		return;
	stft_fini(&a->stft);
	spec_fini(&a->spec);
	pitch_fini(&a->pitch);
	mel_fini(&a->mel);
	chroma_fini(&a->chroma);
	frames_fini(&a->frames);
	peaks_fini(&a->peaks);
	silence_fini(&a->sil);
	loudq_fini(&a->lq);
	loud_fini(&a->loud);
	free(a);
}

int dsp_reset(struct dsp_analyzer *a, struct gr_err *err)
{
	int rc;

	a->finished = 0;
	a->nsamples = 0;
	stft_reset(&a->stft);
	mel_reset(&a->mel);
	frames_reset(&a->frames);
	peaks_reset(&a->peaks);
	silence_reset(&a->sil);
	loudq_stop(&a->lq);
	if ((rc = loud_reset(&a->loud, err)) != 0)
		return rc;
	loudq_start(&a->lq);
	return 0;
}

int dsp_push(struct dsp_analyzer *a, const float *mono, size_t n, struct gr_err *err)
{
	int rc;

	if (a->finished)
		return gr_fail(err, GR_EUSAGE, "dsp: push after finish");
	a->err = err;
	/* in slices, so region decisions reach the loudness meter promptly */
	while (n > 0) {
		size_t k = n < 8192 ? n : 8192;

		if ((rc = stft_push(&a->stft, mono, k, on_frame, a)) != 0)
			return rc;
		peaks_push(&a->peaks, mono, k);
		silence_push(&a->sil, mono, k);
		a->nsamples += (int64_t)k;
		if (a->mirror && (rc = loudq_source(&a->lq, mono, k, err)) != 0)
			return rc;
		if ((rc = loudq_pump(&a->lq, silence_sound_until(&a->sil),
		                     silence_idle_from(&a->sil), err)) != 0)
			return rc;
		mono += k;
		n -= k;
	}
	return 0;
}

int dsp_push_source(struct dsp_analyzer *a, const float *src, size_t n,
                    struct gr_err *err)
{
	if (a->finished)
		return gr_fail(err, GR_EUSAGE, "dsp: push after finish");
	if (a->mirror)
		return 0;
	return loudq_source(&a->lq, src, n, err);
}

int dsp_finish(struct dsp_analyzer *a, struct gr_err *err)
{
	int64_t nf;
	int rc;

	if (a->finished)
		return 0;
	a->err = err;
	if ((rc = stft_flush(&a->stft, a->nsamples, on_frame, a)) != 0)
		return rc;
	silence_finish(&a->sil);
	if ((rc = loudq_finish(&a->lq, err)) != 0)
		return rc;
	loud_results(&a->loud, a->sil.reg, a->sil.nreg);
	peaks_finish(&a->peaks);
	nf = frames_count(&a->frames);
	for (size_t i = 0; i < a->sil.nreg; i++) {
		struct dsp_region *r = &a->sil.reg[i];
		/* frames whose centre i*hop lies in [start, end) */
		int64_t f0 = (int64_t)ceil(r->start * a->cfg.rate / a->cfg.hop - 1e-9);
		int64_t f1 = (int64_t)ceil(r->end * a->cfg.rate / a->cfg.hop - 1e-9);
		if (f1 > nf)
			f1 = nf;
		if (f0 > f1)
			f0 = f1;
		r->first_frame = f0;
		r->n_frames = f1 - f0;
	}
	a->finished = 1;
	return 0;
}

double dsp_duration(const struct dsp_analyzer *a)
{
	return (double)a->nsamples / a->cfg.rate;
}

double dsp_frame_rate(const struct dsp_analyzer *a)
{
	return (double)a->cfg.rate / a->cfg.hop;
}

double dsp_frame_time(const struct dsp_analyzer *a, int64_t i)
{
	return (double)i * a->cfg.hop / a->cfg.rate;
}

int64_t dsp_frame_count(const struct dsp_analyzer *a)
{
	return frames_count(&a->frames);
}

size_t dsp_region_count(const struct dsp_analyzer *a)
{
	return a->finished ? a->sil.nreg : 0;
}

const struct dsp_region *dsp_regions(const struct dsp_analyzer *a)
{
	return a->sil.reg;
}

const struct dsp_peaks *dsp_peaks_overview(const struct dsp_analyzer *a)
{
	return &a->peaks.out[0];
}

const struct dsp_peaks *dsp_peaks_detail(const struct dsp_analyzer *a)
{
	return &a->peaks.out[1];
}

float dsp_file_loudness(const struct dsp_analyzer *a)
{
	return (float)a->loud.file_lufs;
}

float dsp_file_lra(const struct dsp_analyzer *a)
{
	return (float)a->loud.file_lra;
}

float dsp_file_peak_db(const struct dsp_analyzer *a)
{
	return dsp_db(a->loud.file_peak);
}

int dsp_loudness_approximate(const struct dsp_analyzer *a)
{
	return a->loud.approx;
}

int dsp_frames_read(struct dsp_analyzer *a, int64_t first, size_t n,
                    struct dsp_frame *out, struct gr_err *err)
{
	return frames_read(&a->frames, first, n, out, err);
}

/* For the unit test (declared there): bytes of frames held in memory. */
size_t dsp_test_frames_mem(const struct dsp_analyzer *a);
size_t dsp_test_frames_mem(const struct dsp_analyzer *a)
{
	return frames_mem_bytes(&a->frames);
}
