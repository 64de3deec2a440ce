/*
 * fuzz_theme.c - libFuzzer target: the YAML colour-theme parser of the
 * browser (theme_load_string in src/tui/theme.c; a module-private
 * function, so this test includes the module's private header).
 *
 * Checks: a failure has a message naming the input and leaves the
 * built-in default theme in place (the documented fallback); a success
 * gives a NUL-terminated theme name.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/tui/tui_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what)
{
	fprintf(stderr, "fuzz_theme: contract violated: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tui_theme t, def;
	struct gr_err err = { 0 };

	if (theme_load_string(&t, (const char *)data, size, "fuzz.yaml", &err) != 0) {
		theme_builtin(&def);
		if (err.msg[0] == '\0' || strstr(err.msg, "fuzz.yaml") == NULL)
			die("an error without a message naming the file");
		if (memcmp(&t, &def, sizeof(t)) != 0)
			die("a failed load did not fall back to the default theme");
		return 0;
	}
	if (memchr(t.name, '\0', sizeof(t.name)) == NULL)
		die("unterminated theme name");
	return 0;
}
