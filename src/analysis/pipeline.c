/*
 * pipeline.c - the analysis of one file: decode -> (source frames to
 * loudness) + (mono mixdown, resample) -> dsp pass -> regions -> engine
 * per region -> summary.
 *
 * Threads inside one call: the decoder runs ahead on its own thread
 * (feed.c) while this one hashes the file, then mixes, resamples and runs
 * the dsp pass, whose loudness meter has a thread of its own (dsp); all
 * hand-offs are bounded queues, so memory stays flat.
 *
 * Memory: a few decode blocks, one resampled block, the dsp analyzer (whose
 * frame store spills to disk), and the frames of one region at a time.
 * A region longer than AN_REGION_MAX_FRAMES frames is analysed on its
 * middle AN_REGION_MAX_FRAMES frames (about 25 minutes at the default
 * rate), which keeps peak memory flat for hour-long recordings; the
 * region's times and loudness still cover all of it.
 *
 * Thread rules: one call per thread; the engine must not be shared.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <samplerate.h>

#include "analysis_int.h"
#include "grym/analysis.h"
#include "grym/audio.h"
#include "grym/config.h"
#include "grym/util.h"

#define BLOCK_FRAMES 4096
#define AN_REGION_MAX_FRAMES 65536

static const int src_types[] = {
	SRC_SINC_BEST_QUALITY, SRC_SINC_MEDIUM_QUALITY, SRC_SINC_FASTEST,
	SRC_ZERO_ORDER_HOLD, SRC_LINEAR,
};

static void copy_peaks(struct dsp_peaks *dst, const struct dsp_peaks *src)
{
	memset(dst, 0, sizeof(*dst));
	if (src == NULL || src->n <= 0)
		return;
	dst->n = src->n;
	dst->bucket_s = src->bucket_s;
	dst->min = xmalloc(sizeof(float) * (size_t)src->n);
	dst->max = xmalloc(sizeof(float) * (size_t)src->n);
	dst->rms = xmalloc(sizeof(float) * (size_t)src->n);
	memcpy(dst->min, src->min, sizeof(float) * (size_t)src->n);
	memcpy(dst->max, src->max, sizeof(float) * (size_t)src->n);
	memcpy(dst->rms, src->rms, sizeof(float) * (size_t)src->n);
}

static void free_peaks(struct dsp_peaks *p)
{
	free(p->min);
	free(p->max);
	free(p->rms);
	memset(p, 0, sizeof(*p));
}

/* Hash the file and decode everything through the dsp pass (decoding
 * overlaps both).  0 or -GR_E*. */
static int run_dsp(struct audio_file *af, const struct gr_config *cfg,
                   struct dsp_analyzer **out, struct an_file *res, struct gr_err *err)
{
	const struct audio_info *info = audio_get_info(af);
	struct audio_resampler *rs = NULL;
	struct dsp_analyzer *dsp = NULL;
	struct an_fp *fpr = NULL;
	struct an_feed *feed = NULL;
	struct dsp_cfg dc;
	float *mono = NULL;
	size_t cap;
	int rc = 0, q = cfg->resample_quality;

	memset(&dc, 0, sizeof(dc));
	dc.rate = cfg->rate;
	dc.fft_size = cfg->fft_size;
	dc.hop = cfg->hop;
	dc.src_rate = info->rate;
	dc.src_channels = info->channels;
	dc.silence_db = (float)cfg->silence_db;
	dc.hysteresis_db = (float)cfg->hysteresis_db;
	dc.min_silence = (float)cfg->min_silence;
	dc.min_region = (float)cfg->min_region;
	dc.padding = (float)cfg->padding;

	if (q < 0 || q >= (int)GR_ARRAY_LEN(src_types))
		q = 2;
	rs = audio_resampler_new(info->channels, info->rate, cfg->rate, 1, src_types[q], err);
	if (rs == NULL) {
		rc = -err->code;
		goto out;
	}
	dsp = dsp_new(&dc, err);
	if (dsp == NULL) {
		rc = -err->code;
		goto out;
	}
	fpr = an_fp_new(cfg->rate);   /* never fails: no fingerprint at worst */
	cap = audio_resampler_max_out(rs, BLOCK_FRAMES);
	mono = malloc(sizeof(float) * (cap + 1));
	if (mono == NULL) {
		rc = gr_fail(err, GR_ENOMEM, "out of memory for %d channels", info->channels);
		goto out;
	}
	if ((feed = an_feed_new(af, BLOCK_FRAMES, err)) == NULL) {
		rc = -err->code;
		goto out;
	}
	/* pread() on the file's descriptor: does not disturb the decoder */
	if ((rc = audio_hash(af, &res->hash, err)) != 0)
		goto out;
	for (;;) {
		const float *src;
		long n = an_feed_next(feed, &src, err);
		long m;
		if (n < 0) {
			rc = (int)n;
			goto out;
		}
		if (n > 0 && (rc = dsp_push_source(dsp, src, (size_t)n, err)) != 0)
			goto out;
		m = audio_resampler_push(rs, src, (size_t)n, mono, cap, n == 0, err);
		if (m < 0) {
			rc = (int)m;
			goto out;
		}
		if (m > 0 && (rc = dsp_push(dsp, mono, (size_t)m, err)) != 0)
			goto out;
		an_fp_push(fpr, mono, m > 0 ? (size_t)m : 0);
		if (n == 0)
			break;
	}
	{
		struct gr_err e2 = { 0 };
		if (audio_end_status(af, &e2) != 0) {
			res->partial = 1;
			str_lcpy(res->warning, e2.msg, sizeof(res->warning));
		}
	}
	if ((rc = dsp_finish(dsp, err)) != 0)
		goto out;
	an_fp_finish(fpr, &res->fp, &res->n_fp, &res->fp_item_s);
	*out = dsp;
	dsp = NULL;
out:
	an_feed_free(feed);
	free(mono);
	audio_resampler_free(rs);
	an_fp_free(fpr);
	dsp_free(dsp);
	return rc;
}

static int analyze_open(struct audio_file *af, const char *name, const struct gr_config *cfg,
                        struct an_engine *e, struct an_file *out, struct gr_err *err)
{
	struct dsp_analyzer *dsp = NULL;
	const struct dsp_region *dr;
	struct dsp_frame *frames = NULL;
	size_t nr;
	int rc;

	memset(out, 0, sizeof(*out));
	out->path = xstrdup(name);
	out->info = *audio_get_info(af);
	out->summary.cls = -1;
	out->summary.key = AN_NO_KEY;
	out->summary.key_runner = AN_NO_KEY;
	if (e != NULL)
		an_engine_file_begin(e, name);
	if ((rc = run_dsp(af, cfg, &dsp, out, err)) != 0)
		goto fail;

	out->duration = (double)audio_frames_done(af) / out->info.rate;
	out->loudness = dsp_file_loudness(dsp);
	out->lra = dsp_file_lra(dsp);
	out->peak_db = dsp_file_peak_db(dsp);
	copy_peaks(&out->overview, dsp_peaks_overview(dsp));
	copy_peaks(&out->detail, dsp_peaks_detail(dsp));

	nr = dsp_region_count(dsp);
	dr = dsp_regions(dsp);
	out->regions = xcalloc(nr ? nr : 1, sizeof(struct an_region));
	out->n_regions = (int)nr;
	for (size_t i = 0; i < nr; i++) {
		struct an_region *r = &out->regions[i];
		int64_t first = dr[i].first_frame, n = dr[i].n_frames;

		r->index = (int)i;
		r->start = dr[i].start;
		r->end = dr[i].end;
		r->peak_db = dr[i].peak_db;
		r->loudness = dr[i].loudness;
		r->lra = dr[i].lra;
		r->key.key = r->key.runner = AN_NO_KEY;
		if (e == NULL || n <= 0)
			continue;
		if (n > AN_REGION_MAX_FRAMES) {
			first += (n - AN_REGION_MAX_FRAMES) / 2;
			n = AN_REGION_MAX_FRAMES;
		}
		free(frames);
		frames = malloc(sizeof(*frames) * (size_t)n);
		if (frames == NULL) {
			rc = gr_fail(err, GR_ENOMEM, "out of memory for %lld frames", (long long)n);
			goto fail;
		}
		if ((rc = dsp_frames_read(dsp, first, (size_t)n, frames, err)) != 0)
			goto fail;
		r->frames_t0 = dsp_frame_time(dsp, first);
		an_engine_run_region(e, r, frames, (size_t)n, dsp_frame_rate(dsp));
	}
	if (e != NULL)
		an_engine_file_done(e);
	an_summarize(out);
	free(frames);
	dsp_free(dsp);
	return 0;
fail:
	free(frames);
	dsp_free(dsp);
	an_file_fini(out);
	return rc;
}

int an_analyze_file(const char *path, const struct gr_config *cfg, struct an_engine *e,
                    struct an_file *out, struct gr_err *err)
{
	struct audio_file *af = audio_open(path, err);
	int rc;

	memset(out, 0, sizeof(*out));
	if (af == NULL)
		return -err->code;
	rc = analyze_open(af, path, cfg, e, out, err);
	audio_close(af);
	return rc;
}

int an_analyze_mem(const void *data, size_t len, const char *name,
                   const struct gr_config *cfg, struct an_engine *e,
                   struct an_file *out, struct gr_err *err)
{
	struct audio_file *af = audio_open_mem(data, len, name, err);
	int rc;

	memset(out, 0, sizeof(*out));
	if (af == NULL)
		return -err->code;
	rc = analyze_open(af, name, cfg, e, out, err);
	audio_close(af);
	return rc;
}

void an_file_fini(struct an_file *f)
{
	if (f == NULL)
		return;
	for (int i = 0; i < f->n_regions; i++) {
		struct an_region *r = &f->regions[i];
		free(r->timeline.seg);
		free(r->tempo.beats);
		free(r->key.sections);
		free(r->patterns.occ);
		for (int j = 0; j < r->n_runs; j++) {
			free(r->runs[j].detail);
			free(r->runs[j].error);
		}
	}
	free(f->regions);
	free(f->path);
	free(f->fp);
	free_peaks(&f->overview);
	free_peaks(&f->detail);
	memset(f, 0, sizeof(*f));
}
