/*
 * export_run.c - writing one export: for each item, decode the original
 * (seek to the region's first frame, all channels), resample when the
 * rate changes (libsamplerate's best sinc), fade in and out, measure and
 * normalise, and write through audio_writer into a temp file that is
 * renamed into place when complete.
 *
 * One pass per item, or two when normalising (the first measures the
 * sample peak and EBU R128 loudness of exactly what will be written, fades
 * and resampling included, so the target is met to within a dither step).
 * The fade-out needs no length known in advance: the last F frames are
 * held back in a delay line and faded when the source ends.
 *
 * Costs: decode + (resample) + encode, about real time / 200 for 16-bit
 * WAV without resampling; best-quality resampling is the slowest part
 * (~20x real time per channel).  Memory: fixed per item (blocks, the fade
 * delay line).
 *
 * Thread rules: runs on the caller's thread; no catalog access.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ebur128.h>
#include <samplerate.h>

#include "grym/analysis.h"
#include "grym/audio.h"
#include "grym/export.h"
#include "grym/util.h"
#include "export_int.h"

#define BLOCK 4096                 /* source frames per read */
#define PROGRESS_EVERY 65536       /* frames between progress calls */

/* Where the processed frames go in one pass. */
struct pass {
	const struct export_opts *o;
	struct export_set *set;
	size_t item;
	int ch;
	int64_t fade;           /* fade length, output frames */
	int64_t hold;           /* frames held back: fade + 2 (the resampler may
	                           give a frame more than round(n * ratio)) */
	int64_t pos;            /* output frames produced so far (before the delay) */
	float *delay;           /* the last hold frames (hold * ch) */
	int64_t held;           /* frames in delay */
	float *work;            /* held + one block */
	/* sink */
	struct audio_writer *w; /* NULL: measuring pass */
	ebur128_state *meter;   /* measuring pass only */
	float gain;             /* linear, writing pass */
	double peak;            /* linear, of what reached the sink */
	int64_t emitted;        /* frames that reached the sink */
	double frac0, frac_span;/* progress range of this pass */
	int64_t expect;         /* expected output frames (for progress) */
	int64_t next_progress;
};

static double fade_gain(int64_t k, int64_t n)
{
	/* raised cosine: smooth at both ends, no click of its own */
	return 0.5 - 0.5 * cos(M_PI * ((double)k + 0.5) / (double)n);
}

static int report(struct pass *p, double frac)
{
	struct export_progress pr;

	if (p->o->progress == NULL)
		return 0;
	pr.item = p->item;
	pr.total = p->set->n;
	pr.item_frac = frac < 0 ? 0 : frac > 1 ? 1 : frac;
	pr.out_name = path_base(p->set->items[p->item].out);
	return p->o->progress(p->o->ud, &pr);
}

static int sink(struct pass *p, float *buf, size_t n, struct gr_err *err)
{
	size_t ns = n * (size_t)p->ch;

	if (n == 0)
		return 0;
	if (p->w == NULL) {
		for (size_t i = 0; i < ns; i++)
			if (fabsf(buf[i]) > p->peak)
				p->peak = fabsf(buf[i]);
		ebur128_add_frames_float(p->meter, buf, n);
	} else {
		if (p->gain != 1.0f)
			for (size_t i = 0; i < ns; i++)
				buf[i] *= p->gain;
		for (size_t i = 0; i < ns; i++)
			if (fabsf(buf[i]) > p->peak)
				p->peak = fabsf(buf[i]);
		if (audio_writer_write(p->w, buf, n, err) < 0)
			return -GR_EIO;
	}
	p->emitted += (int64_t)n;
	if (p->emitted >= p->next_progress) {
		p->next_progress = p->emitted + PROGRESS_EVERY;
		if (report(p, p->frac0 + p->frac_span * (double)p->emitted /
		           (double)(p->expect > 0 ? p->expect : 1)))
			return gr_fail(err, GR_ECANCEL, "cancelled");
	}
	return 0;
}

/* Processed frames in: fade in by position, then through the delay line
 * so the last p->fade frames can be faded out at the end. */
static int feed(struct pass *p, const float *in, size_t n, struct gr_err *err)
{
	size_t ch = (size_t)p->ch, tot;
	float *w = p->work;

	memcpy(w, p->delay, (size_t)p->held * ch * sizeof(float));
	memcpy(w + (size_t)p->held * ch, in, n * ch * sizeof(float));
	for (size_t i = 0; i < n && p->pos + (int64_t)i < p->fade; i++) {
		float g = (float)fade_gain(p->pos + (int64_t)i, p->fade);
		float *f = w + ((size_t)p->held + i) * ch;
		for (size_t c = 0; c < ch; c++)
			f[c] *= g;
	}
	p->pos += (int64_t)n;
	tot = (size_t)p->held + n;
	if ((int64_t)tot <= p->hold) {
		memcpy(p->delay, w, tot * ch * sizeof(float));
		p->held = (int64_t)tot;
		return 0;
	}
	memcpy(p->delay, w + (tot - (size_t)p->hold) * ch, (size_t)p->hold * ch * sizeof(float));
	p->held = p->hold;
	return sink(p, w, tot - (size_t)p->hold, err);
}

/* End of the input: trim to exactly want frames (round(n_in * ratio)),
 * fade out the last frames, flush. */
static int finish(struct pass *p, int64_t want, struct gr_err *err)
{
	size_t ch = (size_t)p->ch;
	int64_t extra = p->emitted + p->held - want;
	int64_t nf;

	if (extra > 0)
		p->held -= extra < p->held ? extra : p->held;
	/* a frame short (the converter's rounding): pad with silence, faded */
	for (; extra < 0 && p->held < p->hold + 2; extra++, p->held++)
		memset(p->delay + (size_t)p->held * ch, 0, ch * sizeof(float));
	nf = p->fade < p->held ? p->fade : p->held;
	for (int64_t k = 0; k < nf; k++) {
		float g = (float)fade_gain(k, p->fade);
		float *f = p->delay + (size_t)(p->held - 1 - k) * ch;
		for (size_t c = 0; c < ch; c++)
			f[c] *= g;
	}
	memcpy(p->work, p->delay, (size_t)p->held * ch * sizeof(float));
	return sink(p, p->work, (size_t)p->held, err);
}

/*
 * One pass over frames [s0, s1) of f (s1 < 0: to the end).  Returns 0,
 * 1 for a failure of this item (err set), or a negative GR_E* that stops
 * the export (write error, cancel).
 */
static int run_pass(struct pass *p, struct audio_file *f, int64_t s0, int64_t s1,
                    int out_rate, struct gr_err *err)
{
	const struct audio_info *info = audio_get_info(f);
	struct audio_resampler *rs = NULL;
	float *in = NULL, *out = NULL;
	size_t cap;
	int64_t at = s0;
	int rc = 0, last = 0;

	rs = audio_resampler_new(info->channels, info->rate, out_rate, 0, SRC_SINC_BEST_QUALITY,
	                         err);
	if (rs == NULL)
		return 1;
	if (audio_seek(f, s0, err) < 0) {
		rc = 1;
		goto out;
	}
	cap = audio_resampler_max_out(rs, BLOCK);
	if (audio_resampler_max_out(rs, 0) > cap)
		cap = audio_resampler_max_out(rs, 0);
	in = xmalloc(sizeof(float) * BLOCK * (size_t)p->ch);
	out = xmalloc(sizeof(float) * cap * (size_t)p->ch);
	free(p->work);
	p->work = xmalloc(sizeof(float) * ((size_t)p->hold + 2 + cap) * (size_t)p->ch);
	while (!last) {
		size_t want = BLOCK;
		long got, n;
		if (s1 >= 0 && s1 - at < (int64_t)want)
			want = (size_t)(s1 - at);
		got = want > 0 ? audio_read(f, in, want, err) : 0;
		if (got < 0) {
			rc = 1;
			goto out;
		}
		if (got == 0) {
			if (s1 >= 0 && at < s1) {
				gr_fail(err, GR_ECORRUPT, "%s ends at %.3f s, before the region's end "
				        "(%.3f s)", info->format, (double)at / info->rate,
				        (double)s1 / info->rate);
				rc = 1;
				goto out;
			}
			if (audio_end_status(f, err) < 0) {
				rc = 1;
				goto out;
			}
		}
		at += got;
		last = got == 0 || (s1 >= 0 && at >= s1);
		n = audio_resampler_push(rs, in, (size_t)got, out, cap, last, err);
		if (n < 0) {
			rc = 1;
			goto out;
		}
		if ((rc = feed(p, out, (size_t)n, err)) < 0)
			goto out;
	}
	rc = finish(p, llround((double)(at - s0) * out_rate / info->rate), err);
out:
	free(in);
	free(out);
	audio_resampler_free(rs);
	return rc;
}

/* The output depth for this source (opts->bits 0: keep the source's where
 * the format allows). */
static int out_bits(const struct export_opts *o, const struct audio_info *info)
{
	int b = o->bits;

	if (o->format == AUDIO_W_OGG)
		return 0;
	if (b == 0) {
		if (!strcmp(info->codec, "float") || !strcmp(info->codec, "double"))
			b = -32;
		else if (info->bits == 0 || info->bits > 24)
			b = info->bits == 32 ? 32 : 24;
		else if (info->bits <= 8)
			b = 8;
		else if (info->bits <= 16)
			b = 16;
		else
			b = 24;
		if (o->format == AUDIO_W_FLAC && (b == 32 || b == -32))
			b = 24;
	}
	return b;
}

static void metadata(const struct export_item *it, const struct export_opts *o,
                     char *comment, size_t size)
{
	struct str b;
	char k[32];
	char *name;

	str_init(&b);
	str_add(&b, "grym:");
	if (it->cls >= 0)
		str_addf(&b, " class %s,", an_class_name(it->cls));
	if (it->key >= 0)
		str_addf(&b, " key %s,", an_key_name(it->key, o->key_style, 1, k, sizeof(k)));
	if (it->bpm > 0)
		str_addf(&b, " %.1f BPM,", it->bpm);
	/* the source name may hold anything: keep only its escaped form */
	name = str_escape_term(path_base(it->src));
	str_addf(&b, " from %s", name);
	if (it->idx >= 0)
		str_addf(&b, " region %d, %.3f-%.3f s", it->idx + 1, it->start, it->end);
	free(name);
	str_lcpy(comment, b.s, size);
	str_fini(&b);
}

/* Gain (dB) for the normalisation target from a measuring pass. */
static double norm_gain(struct export_item *it, const struct export_opts *o, double peak,
                        double lufs, int bits)
{
	double peak_db = peak > 0 ? 20 * log10(peak) : -HUGE_VAL;
	double ceiling, g;

	if (!(peak > 0))
		return 0;     /* digital silence stays silent */
	if (o->norm == EXPORT_NORM_PEAK) {
		g = o->norm_target - peak_db;
		/* full scale of an integer format is one step below 1.0, and the
		 * dither may add a step: stay two steps below */
		ceiling = bits > 0 ? 20 * log10(1 - 2 * ldexp(1.0, 1 - bits)) : 0;
	} else {
		if (!isfinite(lufs))
			return 0;     /* shorter than one 400 ms block: not measurable */
		g = o->norm_target - lufs;
		ceiling = EXPORT_LUFS_CEILING_DB;
	}
	if (peak_db + g > ceiling) {
		it->gain_limited = o->norm == EXPORT_NORM_LUFS;
		g = ceiling - peak_db;
	}
	return g;
}

/* Write item i.  0 ok, 1 item failed (recorded), negative: stop. */
static int run_item(struct export_set *s, size_t i, const struct export_opts *o,
                    struct gr_err *stop)
{
	struct export_item *it = &s->items[i];
	struct gr_err err = { 0 };
	struct audio_file *f = NULL;
	const struct audio_info *info;
	struct audio_wopts wo = { 0 };
	struct pass p = { 0 };
	int64_t s0, s1 = -1, *cues = NULL;
	char tmp[4096], comment[512], title[256];
	double fade_ms, lufs = NAN;
	int fd = -1, rc;
	const char *dot;

	p.o = o;
	p.set = s;
	p.item = i;
	if (report(&p, 0))
		return gr_fail(stop, GR_ECANCEL, "cancelled");
	if ((f = audio_open(it->src, &err)) == NULL)
		goto item_fail;
	info = audio_get_info(f);
	p.ch = info->channels;
	it->channels = info->channels;
	it->rate = o->rate > 0 ? o->rate : info->rate;
	it->bits = out_bits(o, info);
	s0 = llround(it->start * info->rate);
	if (it->idx >= 0)
		s1 = llround(it->end * info->rate);
	if (s0 < 0 || (s1 >= 0 && s1 <= s0)) {
		gr_fail(&err, GR_EFORMAT, "region %.3f-%.3f s is empty", it->start, it->end);
		goto item_fail;
	}
	fade_ms = o->fade_ms >= 0 ? o->fade_ms : it->idx >= 0 ? EXPORT_FADE_DEFAULT_MS : 0;
	p.expect = (int64_t)((it->end - it->start) * it->rate);
	p.fade = llround(fade_ms * 1e-3 * it->rate);
	if (p.fade > p.expect / 4)
		p.fade = p.expect / 4;      /* a fade never eats a short sound */
	p.hold = p.fade + 2;
	p.delay = xmalloc(sizeof(float) * (size_t)(p.hold + 2) * (size_t)p.ch);

	if (o->norm != EXPORT_NORM_NONE) {
		p.meter = ebur128_init((unsigned)p.ch, (unsigned long)it->rate, EBUR128_MODE_I);
		p.frac_span = 0.5;
		p.next_progress = PROGRESS_EVERY;
		if (p.meter == NULL) {
			gr_fail(&err, GR_ENOMEM, "loudness meter");
			goto item_fail;
		}
		rc = run_pass(&p, f, s0, s1, it->rate, &err);
		if (rc < 0)
			goto stop;
		if (rc > 0)
			goto item_fail;
		if (ebur128_loudness_global(p.meter, &lufs) != EBUR128_SUCCESS || !isfinite(lufs))
			lufs = NAN;
		it->gain_db = norm_gain(it, o, p.peak, lufs, it->bits);
		p.frac0 = 0.5;
	} else {
		p.frac_span = 1;
	}
	/* the writing pass */
	p.pos = p.held = p.emitted = 0;
	p.peak = 0;
	p.next_progress = PROGRESS_EVERY;
	p.gain = (float)pow(10, it->gain_db / 20);
	dot = strrchr(path_base(it->out), '.');
	snprintf(title, sizeof(title), "%.*s", (int)(dot - path_base(it->out)),
	         path_base(it->out));
	metadata(it, o, comment, sizeof(comment));
	wo.format = o->format;
	wo.rate = it->rate;
	wo.channels = p.ch;
	wo.bits = it->bits;
	wo.dither = 1;
	wo.seed = (unsigned)(i * 2654435761u + 1);
	wo.title = title;
	wo.comment = comment;
	if (it->idx < 0 && it->n_cues > 0 && o->format == AUDIO_W_WAV) {
		cues = xmalloc(sizeof(int64_t) * it->n_cues);
		for (size_t k = 0; k < it->n_cues; k++)
			cues[k] = llround(it->cues[k] * it->rate);
		wo.cues = cues;
		wo.n_cues = it->n_cues;
	}
	if ((fd = export_tmp_open(o->dir, tmp, sizeof(tmp), &err)) < 0)
		goto stop;
	if ((p.w = audio_writer_new(fd, it->out, &wo, &err)) == NULL) {
		export_tmp_abort(fd, tmp);
		if (err.code == GR_EIO) {
			*stop = err;
			rc = -GR_EIO;
			goto out;
		}
		goto item_fail;
	}
	rc = run_pass(&p, f, s0, s1, it->rate, &err);
	it->clipped = audio_writer_clipped(p.w);
	if (rc == 0)
		rc = audio_writer_close(p.w, &err) < 0 ? -GR_EIO : 0;
	else
		audio_writer_close(p.w, NULL);
	p.w = NULL;
	if (rc != 0) {
		export_tmp_abort(fd, tmp);
		if (rc > 0)
			goto item_fail;
		goto stop;
	}
	if ((rc = export_tmp_commit(fd, tmp, it->out, o->force, &err)) < 0)
		goto stop;
	it->frames = p.emitted;
	it->peak_db = p.peak > 0 ? 20 * log10(p.peak) : -HUGE_VAL;
	if (isfinite(lufs))
		it->loudness = lufs + it->gain_db;
	it->status = 0;
	rc = report(&p, 1) ? gr_fail(stop, GR_ECANCEL, "cancelled") : 0;
	goto out;
item_fail:
	it->status = err.code ? -err.code : -GR_EIO;
	str_lcpy(it->error, err.msg, sizeof(it->error));
	rc = 1;
	goto out;
stop:
	*stop = err;
	it->status = -err.code;
	str_lcpy(it->error, err.msg, sizeof(it->error));
	rc = -err.code;
out:
	if (p.meter != NULL)
		ebur128_destroy(&p.meter);
	free(cues);
	free(p.delay);
	free(p.work);
	audio_close(f);
	return rc;
}

int export_run(struct export_set *s, const struct export_opts *o, struct gr_err *err)
{
	int failed = 0, rc;

	for (size_t i = 0; i < s->n; i++) {
		if (s->items[i].out == NULL)
			return gr_fail(err, GR_EUSAGE, "export_run() before export_plan()");
		rc = run_item(s, i, o, err);
		if (rc < 0)
			return rc;
		failed += rc;
	}
	if (s->sfz_path != NULL) {
		if ((rc = export_sfz_write(s, o, err)) < 0)
			return rc;
		s->sfz_written = 1;
	}
	return failed;
}
