/*
 * key.c - the key plugin: tonic, major/minor, confidence, runner-up,
 * tuning, and sections when the key clearly changes; "no key" for
 * unpitched content (decided from the chroma itself).  A thin wrapper
 * over key_estimate() (key_detect.c, key_profile.c) and the region's
 * 36-bin dsp chroma.
 *
 * Costs: see key_detect.c; a few ms per minute of audio.
 * Thread rules: one run per thread (the engine's rules).
 */
#include <stdlib.h>

#include "grym/analysis.h"
#include "grym/util.h"
#include "musical.h"

static int key_run(struct an_ctx *c, struct gr_err *err)
{
	struct an_key_result r;
	struct key_diag dg;
	size_t n;
	const struct dsp_frame *f = an_frames(c, &n);
	struct key_in in = {
		.chroma = n ? f[0].chroma : NULL,
		.stride = sizeof(struct dsp_frame) / sizeof(float),
		.weight = NULL,
		.n = n,
		.fps = an_frame_rate(c),
		.t0 = n ? an_frame_time(c, 0) : an_region_start(c),
	};
	int rc = key_estimate(&in, &r, &dg, err);
	if (rc < 0)
		return rc;
	if (an_should_stop(c)) {
		free(r.sections);
		return gr_fail(err, GR_ETIMEOUT, "key: over its time budget");
	}
	struct str *d = an_detail(c);
	if (d) {
		str_addf(d, "{\"contrast\":%.3f,\"sustained\":%.3f,\"chroma\":[",
		         dg.contrast, dg.tonal);
		for (int i = 0; i < 12; i++)
			str_addf(d, "%s%.4f", i ? "," : "", dg.chroma12[i]);
		str_add(d, "]}");
	}
	an_set_key(c, &r);
	free(r.sections);
	return 0;
}

const struct an_plugin an_plugin_key = {
	.name = "key",
	.version = 1,
	.needs = NULL,
	.budget = 2.0,
	.run = key_run,
};
