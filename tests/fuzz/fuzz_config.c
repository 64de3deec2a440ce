/*
 * fuzz_config.c - libFuzzer target: the YAML configuration parser
 * (config_load_string over the defaults), then writing the result back
 * out (config_write) and loading that again.
 *
 * Checks: an error has a message and leaves the values as they were; a
 * success gives values within the option table's ranges, and what
 * config_write prints loads again to the same values (round trip).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grym/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what)
{
	fprintf(stderr, "fuzz_config: contract violated: %s\n", what);
	abort();
}

/* Ranges from the option table in src/util/config.c. */
static void check_ranges(const struct gr_config *c)
{
	if (c->rate < 8000 || c->rate > 48000 || c->fft_size < 256 || c->fft_size > 16384 ||
	    c->hop < 64 || c->hop > 4096 || !(c->job_timeout >= 1 && c->job_timeout <= 86400) ||
	    !(c->volume >= 0 && c->volume <= 1) || c->resample_quality < 0 ||
	    c->resample_quality > 4 || c->n_keys < 0 || c->n_keys > GR_KEYMAP_MAX)
		die("value out of range after a successful load");
	if (memchr(c->catalog, '\0', sizeof(c->catalog)) == NULL ||
	    memchr(c->theme, '\0', sizeof(c->theme)) == NULL ||
	    memchr(c->device, '\0', sizeof(c->device)) == NULL)
		die("unterminated string option");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gr_config c, before, again;
	struct gr_err err = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (size > 65536)
		return 0;
	config_defaults(&c);
	before = c;
	if (config_load_string(&c, (const char *)data, size, "fuzz.yaml", &err) != 0) {
		if (err.msg[0] == '\0')
			die("load failed without a message");
		if (memcmp(&c, &before, sizeof(c)) != 0)
			die("a failed load changed the values");
		return 0;
	}
	check_ranges(&c);
	f = open_memstream(&text, &len);
	if (f == NULL)
		return 0;
	config_write(&c, f);
	fclose(f);
	config_defaults(&again);
	if (config_load_string(&again, text, len, "written.yaml", &err) != 0) {
		fprintf(stderr, "%s\n--- written:\n%s\n", err.msg, text);
		die("what config_write printed does not load");
	}
	free(text);
	return 0;
}
