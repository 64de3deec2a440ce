/*
 * dupes_scale.c - how the near-duplicate search scales with the catalog:
 * FILES random fingerprints of ITEMS items each plus FILES/10 planted
 * copies (10 items trimmed, 5 % of the bits flipped), grouped with
 * dupes_run(); prints the groups found and the CPU time.  Random items
 * collide less than real Chromaprint items do, so this is a lower bound.
 *
 *   dupes_scale FILES ITEMS
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "grym/dupes.h"
#include "grym/util.h"

static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static double cpu_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct gr_err err = { 0 };
	struct dupes *d;
	uint32_t s = 1, **orig;
	int nf, ni, ng;
	double t0;

	if (argc != 3 || (nf = atoi(argv[1])) < 1 || (ni = atoi(argv[2])) < 40) {
		fprintf(stderr, "usage: dupes_scale FILES ITEMS (ITEMS >= 40)\n");
		return 2;
	}
	orig = xcalloc((size_t)nf, sizeof(*orig));
	for (int i = 0; i < nf; i++) {
		orig[i] = xmalloc(sizeof(uint32_t) * (size_t)ni);
		for (int k = 0; k < ni; k++)
			orig[i][k] = rnd(&s);
	}
	t0 = cpu_s();
	d = dupes_new(NULL);
	for (int i = 0; i < nf; i++) {
		struct dupes_file f = { .id = i + 1, .fp = orig[i], .n_fp = ni, .item_s = 0.1238,
		                        .duration = ni * 0.1238 + 2.2, .lossless = 1 };
		uint32_t *c = NULL;

		if (i % 10 == 0) {
			c = xmalloc(sizeof(uint32_t) * (size_t)(ni - 10));
			for (int k = 0; k < ni - 10; k++) {
				c[k] = orig[i][k + 10];
				for (int b = 0; b < 32; b++)
					if (rnd(&s) % 100 < 5)
						c[k] ^= 1u << b;
			}
		}
		if (dupes_add(d, &f, &err) != 0)
			return 1;
		if (c != NULL) {
			struct dupes_file g = { .id = nf + i + 1, .fp = c, .n_fp = ni - 10,
			                        .item_s = 0.1238, .duration = (ni - 10) * 0.1238 + 2.2 };
			if (dupes_add(d, &g, &err) != 0)
				return 1;
		}
	}
	ng = dupes_run(d, &err);
	printf("  %d files x %d items + %d copies: %d groups found, %ld verifications, "
	       "%.2f s CPU\n", nf, ni, (nf + 9) / 10, ng, dupes_verified(d), cpu_s() - t0);
	dupes_free(d);
	free(orig);
	return ng == (nf + 9) / 10 ? 0 : 1;
}
