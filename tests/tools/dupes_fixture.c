/*
 * dupes_fixture.c - write seeded musical-ish material for the near-
 * duplicate tests and benchmark (tests/support/dupfix.c).
 *
 *   dupes_fixture OUT FORMAT RATE SEED SECONDS [GAIN_DB]
 *
 * FORMAT is a fixtures name (wav16, flac16, flac24, ogg, mp3, ...).
 * Different seeds give unrelated material; GAIN_DB (default 0) scales it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "dupfix.h"

int main(int argc, char **argv)
{
	struct gr_err err = { 0 };
	double secs, gain_db = 0;

	if (argc != 6 && argc != 7) {
		fprintf(stderr, "usage: dupes_fixture OUT FORMAT RATE SEED SECONDS [GAIN_DB]\n");
		return 2;
	}
	secs = atof(argv[5]);
	if (argc == 7)
		gain_db = atof(argv[6]);
	if (atoi(argv[3]) <= 0 || !(secs > 0)) {
		fprintf(stderr, "dupes_fixture: bad rate or seconds\n");
		return 2;
	}
	if (dupfix_write(argv[1], argv[2], atoi(argv[3]), (unsigned)strtoul(argv[4], NULL, 10),
	                 secs, pow(10.0, gain_db / 20.0), &err) != 0) {
		fprintf(stderr, "dupes_fixture: %s\n", err.msg);
		return 1;
	}
	return 0;
}
