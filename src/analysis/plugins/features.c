/*
 * features.c - the "features" plugin: one fixed-length descriptor vector
 * (AN_FEAT_DIM = 64 values) per region, the input of classification,
 * timeline segmentation and similarity search.
 *
 * The raw descriptors (an_features_raw) summarise the region's frames:
 * MFCC 1..6 means, MFCC 1..12 spreads, the spread of c0 (dynamics), spectral
 * centroid / bandwidth / rolloff (log2 Hz) and flatness (log10) means and
 * spreads, spectral contrast per band, zero-crossing rate, onset rate and
 * flux statistics, loudness range, low-energy ratio, harmonicity, voiced
 * share and pitch steadiness, chroma peakiness / entropy / change, the
 * share of envelope modulation at syllable rates (2-8 Hz), onset
 * periodicity, duration, attack position, decay slope, spectral tilt,
 * median level and MFCC change; and (version 2) the voicing and pitch
 * shape that separates singing from speech (mean voiced run length, share
 * of voiced frames holding a note, pitch range) and the slow stationarity
 * that separates noise from ambience (spread of 1 s block levels, change
 * of the 1 s block band spectrum, rate of level events).  The published vector is their z-scores
 * against the statistics of the training corpus (committed with the
 * classifier model), clipped to +-8, so Euclidean distance weighs every
 * descriptor alike.
 *
 * Costs: O(n frames) plus O(n * 60) for modulation and periodicity.
 * Thread rules: pure functions; no state.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../analysis_int.h"

static const char *const feat_names[AN_FEAT_DIM] = {
	"mfcc1_mean", "mfcc2_mean", "mfcc3_mean", "mfcc4_mean", "mfcc5_mean", "mfcc6_mean",
	"voiced_run_log2_s", "pitch_hold_share", "pitch_range_semitones", "block_db_std",
	"block_band_change_db", "event_rate",
	"mfcc1_std", "mfcc2_std", "mfcc3_std", "mfcc4_std", "mfcc5_std", "mfcc6_std",
	"mfcc7_std", "mfcc8_std", "mfcc9_std", "mfcc10_std", "mfcc11_std", "mfcc12_std",
	"mfcc0_std", "centroid_log2_mean", "centroid_log2_std", "bandwidth_log2_mean",
	"bandwidth_log2_std", "flatness_log10_mean", "flatness_log10_std", "rolloff_log2_mean",
	"rolloff_log2_std", "contrast1_mean", "contrast2_mean", "contrast3_mean",
	"contrast4_mean", "contrast5_mean", "contrast6_mean", "contrast7_mean",
	"contrast_std", "zcr_mean", "zcr_std", "onset_rate", "flux_log_mean", "flux_cv",
	"loudness_range_db", "db_std", "low_energy_ratio", "harmonicity_mean",
	"harmonicity_std", "voiced_share", "pitch_step_semitones", "chroma_peak",
	"chroma_entropy", "chroma_change", "modulation_2_8hz", "onset_periodicity",
	"duration_log2", "peak_position", "decay_db_per_s", "tilt_db", "median_db",
	"mfcc_delta",
};

const char *an_feature_name(int i)
{
	return i >= 0 && i < AN_FEAT_DIM ? feat_names[i] : "?";
}


/* Share of the dB envelope's modulation energy between 2 and 8 Hz among
 * 0.5..20 Hz (speech syllables sit near 4 Hz). */
static double modulation_share(const struct dsp_frame *f, size_t n, double rate)
{
	double in = 0, all = 0, mean = 0;

	if (n < 16 || rate <= 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		mean += f[i].db;
	mean /= (double)n;
	for (double hz = 0.5; hz <= 20.0 && hz < rate / 2; hz += 0.5) {
		double re = 0, im = 0, w = 2 * M_PI * hz / rate, e;
		double cw = cos(w), sw = sin(w), c = 1, s = 0;
		/* (c, s) = (cos w i, sin w i) by rotation: a sincos per frame
		 * cost more than the rest of the descriptors; the drift over a
		 * region (~1e-11) is far below the float data's precision */
		for (size_t i = 0; i < n; i++) {
			double d = f[i].db - mean, c1 = c * cw - s * sw;
			re += d * c;
			im += d * s;
			s = s * cw + c * sw;
			c = c1;
		}
		e = re * re + im * im;
		all += e;
		if (hz >= 2.0 && hz <= 8.0)
			in += e;
	}
	return all > 0 ? in / all : 0;
}

/* 12-bin chroma of frame f (the three bins of each pitch class summed). */
static void chroma12(const struct dsp_frame *f, double c[12])
{
	for (int p = 0; p < 12; p++)
		c[p] = 0;
	for (int b = 0; b < DSP_NCHROMA; b++) {
		/* bin 3*pc is centred on pc; its neighbours are 1/3 semitone off */
		int pc = ((b + 1) / 3) % 12;
		c[pc] += f->chroma[b];
	}
}

static void describe_chroma(const struct dsp_frame *f, size_t n, float *out)
{
	double mean[12] = { 0 }, prev[12] = { 0 }, sum = 0, mx = 0, ent = 0, change = 0;
	size_t nchg = 0;

	for (size_t i = 0; i < n; i++) {
		double c[12], dot = 0, na = 0, nb = 0;
		chroma12(&f[i], c);
		for (int p = 0; p < 12; p++) {
			mean[p] += c[p];
			dot += c[p] * prev[p];
			na += c[p] * c[p];
			nb += prev[p] * prev[p];
		}
		if (i > 0 && na > 1e-12 && nb > 1e-12) {
			change += 1 - dot / sqrt(na * nb);
			nchg++;
		}
		memcpy(prev, c, sizeof(prev));
	}
	for (int p = 0; p < 12; p++)
		sum += mean[p];
	if (sum > 1e-12) {
		for (int p = 0; p < 12; p++) {
			double q = mean[p] / sum;
			if (q > mx)
				mx = q;
			if (q > 0)
				ent -= q * log(q);
		}
		out[0] = (float)(mx * 12);
		out[1] = (float)(ent / log(12));
	} else {
		out[0] = 1;
		out[1] = 1;
	}
	out[2] = nchg ? (float)(change / (double)nchg) : 0;
}

/* Voicing and pitch shape (out[0..2]): log2 of the mean length of runs of
 * voiced frames, s (sung notes are held, spoken syllables are short); the
 * share of voiced frames whose pitch is within 0.5 semitone of the pitch
 * 0.1 s before (a held note); the 10-90 % range of voiced pitch, semitones. */
static void describe_voicing(const struct dsp_frame *f, size_t n, double rate, float *out)
{
	size_t lag = (size_t)(0.1 * rate + 0.5), runs = 0, run = 0, voiced = 0, held = 0, np_ = 0;
	double run_sum = 0;
	float *st = xmalloc((n + 1) * sizeof(*st));

	if (lag < 1)
		lag = 1;
	for (size_t i = 0; i < n; i++) {
		int v = f[i].pitch > 0 && f[i].harmonicity > 0.5f;
		if (v) {
			run++;
			voiced++;
			st[np_++] = (float)(12 * log2(f[i].pitch / 440.0));
			if (i >= lag && f[i - lag].pitch > 0 && f[i - lag].harmonicity > 0.5f &&
			    fabs(12 * log2(f[i].pitch / f[i - lag].pitch)) < 0.5)
				held++;
		}
		if ((!v || i + 1 == n) && run > 0) {
			run_sum += (double)run;
			runs++;
			run = 0;
		}
	}
	out[0] = (float)log2(fmax(runs ? run_sum / (double)runs / rate : 0, 0.01));
	out[1] = voiced ? (float)((double)held / (double)voiced) : 0;
	out[2] = np_ >= 2 ? (float)(gr_quantile(st, np_, 0.9) - gr_quantile(st, np_, 0.1)) : 0;
	free(st);
}

/* Slow stationarity over 1 s blocks (out[0..2]): spread of the blocks'
 * mean level, dB; mean change of the blocks' band spectrum between
 * neighbours, dB RMS over the bands; level events per second (the level
 * rising 10 dB above the region's median).  Stationary noise is low on all
 * three; ambience has slow swells and sparse events. */
static void describe_blocks(const struct dsp_frame *f, size_t n, double rate, float *out)
{
	size_t bl = (size_t)(rate + 0.5), nb;
	struct gr_acc lv;
	double prev[DSP_NBANDS], change = 0, events = 0, med;
	float *tmp;
	int above = 0;

	memset(&lv, 0, sizeof(lv));
	if (bl < 1)
		bl = 1;
	nb = n / bl;
	for (size_t b = 0; b < nb; b++) {
		double m = 0, band[DSP_NBANDS] = { 0 }, d2 = 0;
		for (size_t i = b * bl; i < (b + 1) * bl; i++) {
			m += f[i].db;
			for (int k = 0; k < DSP_NBANDS; k++)
				band[k] += f[i].bands[k];
		}
		gr_acc_add(&lv, m / (double)bl);
		for (int k = 0; k < DSP_NBANDS; k++) {
			band[k] /= (double)bl;
			if (b > 0)
				d2 += (band[k] - prev[k]) * (band[k] - prev[k]);
			prev[k] = band[k];
		}
		if (b > 0)
			change += sqrt(d2 / DSP_NBANDS);
	}
	out[0] = (float)gr_acc_std(&lv);
	out[1] = nb > 1 ? (float)(change / (double)(nb - 1)) : 0;
	tmp = xmalloc(n * sizeof(*tmp));
	for (size_t i = 0; i < n; i++)
		tmp[i] = f[i].db;
	med = gr_quantile(tmp, n, 0.5);
	free(tmp);
	for (size_t i = 0; i < n; i++) {
		if (!above && f[i].db > med + 10) {
			events += 1;
			above = 1;
		} else if (above && f[i].db < med + 5) {
			above = 0;
		}
	}
	out[2] = (float)(events * rate / (double)n);
}

void an_features_raw(const struct dsp_frame *f, size_t n, double rate, float raw[AN_FEAT_DIM])
{
	struct gr_acc mf[DSP_NMFCC], cen, bw, flat, roll, con[DSP_NCONTRAST], zcr, flux, db, harm;
	struct gr_acc delta;
	double rms_mean = 0, low = 0, voiced = 0, tilt = 0, onsets = 0, peak_db = -1e9;
	size_t peak_i = 0, nstep = 0;
	float *tmp = NULL, *steps = NULL;
	double last_pitch = 0;

	memset(raw, 0, sizeof(float) * AN_FEAT_DIM);
	if (n == 0 || f == NULL || rate <= 0)
		goto out;
	memset(mf, 0, sizeof(mf));
	memset(con, 0, sizeof(con));
	memset(&cen, 0, sizeof(cen)); memset(&bw, 0, sizeof(bw));
	memset(&flat, 0, sizeof(flat)); memset(&roll, 0, sizeof(roll));
	memset(&zcr, 0, sizeof(zcr)); memset(&flux, 0, sizeof(flux));
	memset(&db, 0, sizeof(db)); memset(&harm, 0, sizeof(harm));
	memset(&delta, 0, sizeof(delta));
	tmp = xmalloc(n * sizeof(*tmp));
	steps = xmalloc(n * sizeof(*steps));

	for (size_t i = 0; i < n; i++) {
		const struct dsp_frame *x = &f[i];
		for (int k = 0; k < DSP_NMFCC; k++)
			gr_acc_add(&mf[k], x->mfcc[k]);
		gr_acc_add(&cen, log2(fmax(x->centroid, 20.0)));
		gr_acc_add(&bw, log2(fmax(x->bandwidth, 20.0)));
		gr_acc_add(&flat, log10(fmax(x->flatness, 0.0) + 1e-5));
		gr_acc_add(&roll, log2(fmax(x->rolloff, 20.0)));
		for (int k = 0; k < DSP_NCONTRAST; k++)
			gr_acc_add(&con[k], x->contrast[k]);
		gr_acc_add(&zcr, x->zcr);
		gr_acc_add(&flux, log1p(fmax(x->flux, 0.0)));
		gr_acc_add(&db, x->db);
		gr_acc_add(&harm, x->harmonicity);
		rms_mean += x->rms;
		tmp[i] = x->db;
		tilt += 0.5 * (x->bands[0] + x->bands[1]) - 0.5 * (x->bands[DSP_NBANDS - 2] +
		                                                    x->bands[DSP_NBANDS - 1]);
		if (x->db > peak_db) {
			peak_db = x->db;
			peak_i = i;
		}
		if (i >= 2) {
			double d2 = 0;
			for (int k = 1; k < DSP_NMFCC; k++) {
				double d = x->mfcc[k] - f[i - 2].mfcc[k];
				d2 += d * d;
			}
			gr_acc_add(&delta, sqrt(d2));
		}
		/* voiced: a clear periodicity with a pitch */
		if (x->pitch > 0 && x->harmonicity > 0.5f) {
			voiced += 1;
			if (last_pitch > 0)
				steps[nstep++] = (float)fabs(12 * log2(x->pitch / last_pitch));
			last_pitch = x->pitch;
		} else {
			last_pitch = 0;
		}
		/* onsets: local maxima of flux above the region's running mean */
		if (i > 0 && i + 1 < n && x->flux > f[i - 1].flux && x->flux >= f[i + 1].flux &&
		    log1p(x->flux) > flux.mean + 0.5 * gr_acc_std(&flux) && x->db > -70)
			onsets += 1;
	}
	rms_mean /= (double)n;
	for (size_t i = 0; i < n; i++)
		if (f[i].rms < 0.5 * rms_mean)
			low += 1;

	for (int k = 1; k < DSP_NMFCC; k++) {
		if (k <= 6)
			raw[k - 1] = (float)mf[k].mean;
		raw[12 + k - 1] = (float)gr_acc_std(&mf[k]);
	}
	describe_voicing(f, n, rate, &raw[6]);
	describe_blocks(f, n, rate, &raw[9]);
	raw[24] = (float)gr_acc_std(&mf[0]);
	raw[25] = (float)cen.mean;   raw[26] = (float)gr_acc_std(&cen);
	raw[27] = (float)bw.mean;    raw[28] = (float)gr_acc_std(&bw);
	raw[29] = (float)flat.mean;  raw[30] = (float)gr_acc_std(&flat);
	raw[31] = (float)roll.mean;  raw[32] = (float)gr_acc_std(&roll);
	for (int k = 0; k < DSP_NCONTRAST; k++) {
		raw[33 + k] = (float)con[k].mean;
		raw[40] += (float)(gr_acc_std(&con[k]) / DSP_NCONTRAST);
	}
	raw[41] = (float)zcr.mean;   raw[42] = (float)gr_acc_std(&zcr);
	raw[43] = (float)(onsets * rate / (double)n);
	raw[44] = (float)flux.mean;
	raw[45] = (float)(gr_acc_std(&flux) / (flux.mean + 1e-3));
	raw[47] = (float)gr_acc_std(&db);
	raw[48] = (float)(low / (double)n);
	raw[49] = (float)harm.mean;  raw[50] = (float)gr_acc_std(&harm);
	raw[51] = (float)(voiced / (double)n);
	raw[52] = nstep ? (float)gr_quantile(steps, nstep, 0.5) : 0;
	describe_chroma(f, n, &raw[53]);
	raw[56] = (float)modulation_share(f, n, rate);
	raw[57] = (float)dsp_flux_periodicity(f, n, rate, 0.25, 1.5, NULL);
	raw[58] = (float)log2(fmax((double)n / rate, 0.05));
	raw[59] = (float)((double)peak_i / (double)n);
	{
		/* least-squares slope of dB after the peak, dB per s */
		double sx = 0, sy = 0, sxx = 0, sxy = 0, m = 0;
		for (size_t i = peak_i; i < n; i++) {
			double t = (double)(i - peak_i) / rate;
			sx += t; sy += f[i].db; sxx += t * t; sxy += t * f[i].db; m += 1;
		}
		if (m >= 3 && m * sxx - sx * sx > 1e-12)
			raw[60] = (float)fmin(fmax((m * sxy - sx * sy) / (m * sxx - sx * sx), -200), 50);
	}
	raw[61] = (float)(tilt / (double)n);
	raw[46] = (float)(gr_quantile(tmp, n, 0.95) - gr_quantile(tmp, n, 0.10));
	raw[62] = (float)gr_quantile(tmp, n, 0.5);
	raw[63] = (float)delta.mean;
out:
	for (int i = 0; i < AN_FEAT_DIM; i++)
		if (!isfinite(raw[i]))
			raw[i] = 0;
	free(tmp);
	free(steps);
}

static int features_run(struct an_ctx *c, struct gr_err *err)
{
	struct an_features_result r;
	float raw[AN_FEAT_DIM];
	const struct dsp_frame *f;
	size_t n;

	f = an_frames(c, &n);
	if (n == 0)
		return gr_fail(err, GR_EFORMAT, "region has no frames");
	an_features_raw(f, n, an_frame_rate(c), raw);
	an_feat_normalise(raw, r.vec);
	an_set_features(c, &r);
	return 0;
}

const struct an_plugin an_plugin_features = {
	.name = "features",
	.version = 2,
	.needs = NULL,
	.budget = 10,
	.run = features_run,
};
