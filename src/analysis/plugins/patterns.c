/*
 * patterns.c - the "patterns" plugin: repeated sections inside a region
 * (a loop, a refrain, a bird call that comes back), as groups of
 * occurrences.  A thin wrapper over pt_find() (pattern_sim.c,
 * pattern_group.c; method in patterns.h); regions shorter than two
 * occurrences of PT_MIN_LEN get an empty result.
 *
 * Detail JSON: {"groups": G, "occurrences": N}.
 * Costs: see patterns.h; ~0.1 s for a region of 5 minutes or more (the
 * coarse rate drops past PT_MAXN vectors), far less for short regions.
 * Thread rules: one run per thread (the engine's rules).
 */
#include <stdlib.h>

#include "grym/util.h"
#include "patterns.h"

static int stop_cb(void *arg)
{
	return an_should_stop(arg);
}

static int patterns_run(struct an_ctx *c, struct gr_err *err)
{
	size_t n;
	const struct dsp_frame *f = an_frames(c, &n);
	struct pt_in in = {
		.f = f, .n = n, .fps = an_frame_rate(c),
		.t0 = n ? an_frame_time(c, 0) : an_region_start(c),
		.stop = stop_cb, .stop_arg = c,
	};
	struct an_patterns_result r;
	struct str *d;
	int rc = pt_find(&in, &r, err), groups = 0;

	if (rc < 0)
		return rc;
	for (int i = 0; i < r.n; i++)
		if (r.occ[i].group + 1 > groups)
			groups = r.occ[i].group + 1;
	/* occurrences never reach outside the region */
	for (int i = 0; i < r.n; i++) {
		if (r.occ[i].start < an_region_start(c))
			r.occ[i].start = an_region_start(c);
		if (r.occ[i].end > an_region_end(c))
			r.occ[i].end = an_region_end(c);
	}
	if ((d = an_detail(c)) != NULL)
		str_addf(d, "{\"groups\":%d,\"occurrences\":%d}", groups, r.n);
	an_set_patterns(c, &r);
	free(r.occ);
	return 0;
}

const struct an_plugin an_plugin_patterns = {
	.name = "patterns",
	.version = 1,
	.needs = NULL,
	.budget = 3.0,
	.run = patterns_run,
};
