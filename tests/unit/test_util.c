/*
 * test_util.c - strings, terminal-safe text, JSON strings, configuration.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "grym/config.h"
#include "grym/util.h"

static void test_escape_term(void **state)
{
	char *e;

	e = str_escape_term("plain name.wav");
	assert_string_equal(e, "plain name.wav");
	free(e);
	e = str_escape_term("a\x1b[31mred\x1b[0m\n.wav");
	assert_string_equal(e, "a\\x1b[31mred\\x1b[0m\\n.wav");
	free(e);
	/* invalid UTF-8 and a C1 CSI (U+009B) are escaped, valid UTF-8 kept */
	e = str_escape_term("caf\xc3\xa9 \xff \xc2\x9b" "2J");
	assert_string_equal(e, "caf\xc3\xa9 \\xff \\u009b2J");
	free(e);
	e = str_escape_term("back\\slash\ttab\x7f");
	assert_string_equal(e, "back\\\\slash\\ttab\\x7f");
	free(e);
}

static void test_json_string(void **state)
{
	struct str b;

	str_init(&b);
	str_add_json(&b, "q\"b\\n\n\x01\xff\xc3\xa9");
	assert_string_equal(b.s, "\"q\\\"b\\\\n\\n\\u0001\\ufffd\xc3\xa9\"");
	/* the Unicode line and paragraph separators are line breaks to YAML */
	str_fini(&b);
	str_init(&b);
	str_add_json(&b, "a\xe2\x80\xa8" "b\xe2\x80\xa9" "c\xc2\x85");
	assert_string_equal(b.s, "\"a\\u2028b\\u2029c\\u0085\"");
	str_fini(&b);
}

static void test_config_defaults(void **state)
{
	struct gr_config c;

	config_defaults(&c);
	assert_int_equal(c.rate, 22050);
	assert_int_equal(c.fft_size, 2048);
	assert_true(c.silence_db < -20 && c.silence_db > -90);
	assert_true(c.n_keys > 10);
}

static void test_config_load(void **state)
{
	struct gr_config c;
	struct gr_err err = { 0 };
	const char *y = "analysis:\n  rate: 16000\n  min_silence: 0.5\n"
	                "display:\n  key_spelling: flats\n  theme: light\n"
	                "keys:\n  x: quit\n";

	config_defaults(&c);
	assert_int_equal(config_load_string(&c, y, strlen(y), "t.yaml", &err), 0);
	assert_int_equal(c.rate, 16000);
	assert_true(c.min_silence > 0.49 && c.min_silence < 0.51);
	assert_int_equal(c.key_flats, 1);
	assert_string_equal(c.theme, "light");
	int found = 0;
	for (int i = 0; i < c.n_keys; i++)
		if (!strcmp(c.keys[i].key, "x") && !strcmp(c.keys[i].command, "quit"))
			found = 1;
	assert_true(found);
}

static void expect_error(const char *y, const char *needle)
{
	struct gr_config c, before;
	struct gr_err err = { 0 };

	config_defaults(&c);
	before = c;
	assert_int_not_equal(config_load_string(&c, y, strlen(y), "bad.yaml", &err), 0);
	if (strstr(err.msg, needle) == NULL)
		fail_msg("error '%s' lacks '%s'", err.msg, needle);
	/* all or nothing: nothing changed */
	assert_int_equal(memcmp(&c, &before, sizeof(c)), 0);
}

static void test_config_errors(void **state)
{
	expect_error("analysis:\n  rate: 16000\n  bogus: 1\n", "bad.yaml:3:3: unknown option 'analysis.bogus'");
	expect_error("analysis:\n  rate: fast\n", "bad.yaml:2:9: analysis.rate: expected an integer");
	expect_error("analysis:\n  rate: 1000\n", "bad.yaml:2:9: analysis.rate: 1000 is out of range");
	expect_error("nosuch:\n  a: 1\n", "bad.yaml:1:1: unknown section 'nosuch'");
	expect_error("display:\n  ascii: maybe\n", "expected true or false");
	expect_error("analysis: [1, 2]\n", "bad.yaml:1:11:");
	expect_error("analysis:\n  rate: 22050\n   x: :\n", "bad.yaml:");
	expect_error("analysis:\n  fft_size: 1000\n", "power of two");
}

/* What config_write prints loads again to the same key bindings, whatever
 * the command text (regression: found by tests/fuzz/fuzz_config.c). */
static void test_config_write_roundtrip(void **state)
{
	static const char *const cmds[] = { "down", ":sort bpm", "a: b # c", "-x", "[q]",
	                                    "\"q\"", "'", "x\\y", "*a", "%p" };
	struct gr_config c, again;
	struct gr_err err = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	config_defaults(&c);
	c.n_keys = 0;
	for (size_t i = 0; i < GR_ARRAY_LEN(cmds); i++) {
		snprintf(c.keys[i].key, sizeof(c.keys[i].key), "k%zu", i);
		snprintf(c.keys[i].command, sizeof(c.keys[i].command), "%s", cmds[i]);
		c.n_keys++;
	}
	f = open_memstream(&text, &len);
	assert_non_null(f);
	config_write(&c, f);
	fclose(f);
	config_defaults(&again);
	if (config_load_string(&again, text, len, "written.yaml", &err) != 0)
		fail_msg("%s", err.msg);
	for (int i = 0; i < c.n_keys; i++) {
		int found = 0;
		for (int j = 0; j < again.n_keys; j++)
			if (!strcmp(again.keys[j].key, c.keys[i].key))
				found = !strcmp(again.keys[j].command, c.keys[i].command);
		if (!found)
			fail_msg("key %s: command '%s' did not survive", c.keys[i].key, c.keys[i].command);
	}
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_term),
		cmocka_unit_test(test_json_string),
		cmocka_unit_test(test_config_defaults),
		cmocka_unit_test(test_config_load),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_config_write_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
