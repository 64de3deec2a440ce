/*
 * fuzz_template.c - libFuzzer target for the export name template
 * expander and sanitiser (src/cli/export_name.c).
 *
 * Input: the first byte picks a split; the bytes before it are the
 * template, the rest the values ({name} and {tag}) a hostile file could
 * carry.  Whatever the input, expansion either fails cleanly with a
 * message or yields one safe path component: non-empty, at most
 * EXPORT_NAME_MAX bytes, no '/', '\\' or control bytes, no leading '.',
 * valid UTF-8 (str_escape_term leaves it unchanged), not "." or "..".
 *
 * Build: clang -fsanitize=fuzzer,address -Iinclude tests/fuzz/fuzz_template.c
 *        build/xs/libgrym.a $(pkg-config --libs ...)   (wired by `make fuzz`)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grym/analysis.h"
#include "grym/export.h"
#include "grym/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct export_name_vars v = { 0 };
	struct gr_err err = { 0 };
	char out[EXPORT_NAME_MAX + 1], *tmpl, *val, *e;
	size_t split, n;

	if (size < 1)
		return 0;
	split = size > 1 ? data[0] % size : 0;
	tmpl = malloc(split + 1);
	val = malloc(size - split + 1);
	if (split > 0)
		memcpy(tmpl, data + 1, split - 1 < size - 1 ? split - 1 : size - 1);
	tmpl[split > 0 ? split - 1 : 0] = '\0';
	memcpy(val, data + split, size - split);
	val[size - split] = '\0';
	v.name = val;
	v.tag = val + strlen(val) / 2;
	v.index = (int)size;
	v.n = size;
	v.total = size * 3;
	v.cls = data[0] % 10 - 1;
	v.key = data[0] % 26 - 1;
	v.key_style = data[0] % 4;
	v.bpm = data[0];
	v.start = (double)size / 7;
	v.dur = 1.5;
	v.id = (int64_t)size << 20;
	if (export_name_expand(tmpl, &v, out, sizeof(out), &err) == 0) {
		n = strlen(out);
		if (n == 0 || n > EXPORT_NAME_MAX || out[0] == '.' || !strcmp(out, ".."))
			abort();
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)out[i];
			if (c < 0x20 || c == 0x7f || c == '/' || c == '\\')
				abort();
		}
		e = str_escape_term(out);
		if (strcmp(e, out) != 0)
			abort();
		free(e);
	} else if (err.msg[0] == '\0' || export_name_check(tmpl, &err) == 0) {
		abort();   /* a failure always says why, and check agrees */
	}
	/* the sanitiser alone, on the raw value */
	if (strlen(val) <= EXPORT_NAME_MAX * 4) {
		char *s = malloc(strlen(val) + 16);
		strcpy(s, val);
		export_name_sanitize(s);
		if (s[0] == '\0' || s[0] == '.' || strchr(s, '/') != NULL ||
		    strlen(s) > EXPORT_NAME_MAX)
			abort();
		free(s);
	}
	free(tmpl);
	free(val);
	return 0;
}
