/*
 * dupfix.c - seeded musical-ish material for the near-duplicate tests (see
 * dupfix.h).  A tiny LCG picks, every 0.15-0.6 s, a note of a pentatonic
 * scale over three octaves (a sine or a chord with the fifth and octave),
 * a pink or white noise burst, or a click fill; a 0.05 s gap now and then.
 */
#include <math.h>
#include <stdlib.h>

#include "dupfix.h"
#include "grym/util.h"

static unsigned lcg(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return (*s >> 8) & 0xffffu;
}

struct fx_seg *dupfix_segs(unsigned seed, double secs, double amp, size_t *n)
{
	static const double scale[5] = { 0, 2, 4, 7, 9 };   /* semitones */
	size_t cap = (size_t)(secs / 0.05) + 2, k = 0;
	struct fx_seg *s = xcalloc(cap, sizeof(*s));
	unsigned st = seed * 2654435761u + 1;
	double t = 0;

	while (t < secs && k < cap) {
		struct fx_seg *g = &s[k++];
		unsigned r = lcg(&st) % 16;
		double dur = 0.15 + 0.05 * (lcg(&st) % 10);
		double f = 110.0 * pow(2.0, (scale[lcg(&st) % 5] + 12.0 * (lcg(&st) % 3)) / 12.0);

		if (dur > secs - t)
			dur = secs - t;
		if (r < 7) {
			*g = (struct fx_seg){ .kind = FX_SINE, .dur = dur, .freq = f,
			                      .amp = amp * 0.7, .fade = 0.01 };
		} else if (r < 11) {
			*g = (struct fx_seg){ .kind = FX_CHORD, .dur = dur, .amp = amp * 0.8,
			                      .fade = 0.01, .n_partials = 3,
			                      .partials = { f, f * 1.5, f * 2 } };
		} else if (r < 13) {
			*g = (struct fx_seg){ .kind = r == 11 ? FX_PINK : FX_WHITE, .dur = dur,
			                      .amp = amp * 0.4, .seed = lcg(&st) + 1,
			                      .fade = 0.005 };
		} else if (r < 15) {
			*g = (struct fx_seg){ .kind = FX_CLICKS, .dur = dur,
			                      .freq = 4 + lcg(&st) % 8, .amp = amp * 0.8 };
		} else {
			*g = (struct fx_seg){ .kind = FX_SILENCE, .dur = dur < 0.05 ? dur : 0.05 };
		}
		t += g->dur;
	}
	*n = k;
	return s;
}

int dupfix_write(const char *path, const char *format, int rate, unsigned seed,
                 double secs, double amp, struct gr_err *err)
{
	struct fx_spec sp = { 0 };
	size_t n;
	int rc;

	sp.rate = rate;
	sp.channels = 1;
	sp.format = fx_format(format);
	if (sp.format == 0)
		return gr_fail(err, GR_EUSAGE, "%s: unknown fixture format", format);
	sp.segs = dupfix_segs(seed, secs, amp, &n);
	sp.n_segs = n;
	rc = fx_write(path, &sp, NULL, err);
	free((void *)sp.segs);
	return rc;
}
