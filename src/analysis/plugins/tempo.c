/*
 * tempo.c - the tempo plugin: BPM with confidence and alternates (x1/2,
 * x2, then the strongest of x2/3, x3/2, x1/3, x3, x3/4, x4/3, x4/5, x5/4,
 * with scores), beat grid, meter and first downbeat, or
 * "no tempo" for regions without a steady pulse (speech, ambience,
 * one-shots: decided from the periodicity of the onsets themselves, so the
 * plugin needs no other plugin's result).  A thin wrapper over
 * tempo_estimate() (tempo_period.c, tempo_beats.c) and the region's dsp
 * frames: onset strength = flux (flux_sus for sustained material),
 * low-band energy = bands[0].
 *
 * Costs: see tempo_period.c; about 1 ms per minute of audio.
 * Thread rules: one run per thread (the engine's rules).
 */
#include <stdlib.h>

#include "grym/analysis.h"
#include "grym/util.h"
#include "musical.h"

static int tempo_run(struct an_ctx *c, struct gr_err *err)
{
	struct an_tempo_result r;
	struct tempo_diag dg;
	size_t n;
	const struct dsp_frame *f = an_frames(c, &n);
	struct tempo_in in = {
		.onset = n ? &f[0].flux : NULL,
		.onset_sus = n ? &f[0].flux_sus : NULL,
		.low = n ? &f[0].bands[0] : NULL,
		.body = n ? &f[0].bands[1] : NULL,
		.snare = n ? &f[0].bands[2] : NULL,
		.chroma = n ? f[0].chroma : NULL,
		.stride = sizeof(struct dsp_frame) / sizeof(float),
		.n = n,
		.fps = an_frame_rate(c),
		.t0 = n ? an_frame_time(c, 0) : an_region_start(c),
	};
	int rc = tempo_estimate(&in, &r, &dg, err);
	if (rc < 0)
		return rc;
	if (an_should_stop(c)) {
		free(r.beats);
		return gr_fail(err, GR_ETIMEOUT, "tempo: over its time budget");
	}
	struct str *d = an_detail(c);
	if (d)
		str_addf(d, "{\"pulse\":%.3f,\"raw_bpm\":%.2f,\"prior_bpm\":%.1f,"
		         "\"octave\":%d,\"mid_ratio\":%.3f,\"mid_hit\":%.3f,"
		         "\"backbeat\":[%.3f,%.3f,%.3f,%.3f],\"mid_snare\":%.3f,"
		         "\"meter_dist\":[%.3f,%.3f,%.3f,%.3f]}",
		         dg.pulse, dg.raw_bpm, dg.prior_bpm, dg.octave, dg.mid_ratio, dg.mid_hit,
		         dg.backbeat[0], dg.backbeat[1], dg.backbeat[2], dg.backbeat[3], dg.mid_snare,
		         dg.meter_d[0], dg.meter_d[1], dg.meter_d[2], dg.meter_d[3]);
	an_set_tempo(c, &r);
	free(r.beats);
	return 0;
}

const struct an_plugin an_plugin_tempo = {
	.name = "tempo",
	.version = 5,
	.needs = NULL,
	.budget = 2.0,
	.run = tempo_run,
};
