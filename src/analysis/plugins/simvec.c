/*
 * simvec.c - the "simvec" plugin: the similarity descriptor of a region
 * (AN_SIM_DIM values, laid out and weighted as grym/similar.h says), the
 * input of `grym similar` and the browser's `s`.  The work is
 * sim_describe() in src/similar/describe.c, so tools and tests compute
 * exactly what the catalog stores.
 *
 * Costs: O(n frames * ~100).  Thread rules: pure; no state.
 */
#include "grym/similar.h"
#include "../analysis_int.h"

static int simvec_run(struct an_ctx *c, struct gr_err *err)
{
	struct an_simvec_result r;
	const struct dsp_frame *f;
	size_t n;

	f = an_frames(c, &n);
	if (n == 0)
		return gr_fail(err, GR_EFORMAT, "region has no frames");
	sim_describe(f, n, an_frame_rate(c), r.vec);
	an_set_simvec(c, &r);
	return 0;
}

const struct an_plugin an_plugin_simvec = {
	.name = "simvec",
	.version = 1,
	.needs = NULL,
	.budget = 10,
	.run = simvec_run,
};
