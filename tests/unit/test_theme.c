/*
 * test_theme.c - theme files: parsing, file:line errors with fallback to the
 * default, the user's themes overriding the shipped ones, NO_COLOR and the
 * mapping of colours onto 8, 16, 256 and true-colour terminals.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "grym/util.h"
#include "../../src/tui/tui_int.h"

static void test_parse_roles(void **state)
{
	static const char y[] =
		"name: mine\n"
		"roles:\n"
		"  cursor: { fg: bright-white, bg: \"#102030\", attrs: bold underline }\n"
		"  class.speech:\n"
		"    fg: 75\n";
	struct tui_theme t, def;
	struct gr_err err = { 0 };

	assert_int_equal(theme_load_string(&t, y, strlen(y), "mine.yaml", &err), 0);
	theme_builtin(&def);
	assert_string_equal(t.name, "mine");
	assert_int_equal(t.role[TR_CURSOR].fg.kind, TC_INDEX);
	assert_int_equal(t.role[TR_CURSOR].fg.v, 15);
	assert_int_equal(t.role[TR_CURSOR].bg.kind, TC_RGB);
	assert_int_equal(t.role[TR_CURSOR].bg.v, 0x102030);
	assert_int_equal(t.role[TR_CURSOR].attrs, TA_BOLD | TA_UNDERLINE);
	assert_int_equal(t.role[TR_CLASS0 + 1].fg.v, 75);
	/* roles not named keep the default */
	assert_memory_equal(&t.role[TR_STATUS], &def.role[TR_STATUS], sizeof(struct tui_style));
}

/* Each bad file names itself and the line, and leaves the default. */
static void test_bad_theme_file_line(void **state)
{
	static const struct { const char *yaml, *want; } cases[] = {
		{ "name: x\nroles:\n  cursor: { fg: red }\n  cursr: { fg: red }\n",
		  "bad.yaml:4: unknown role 'cursr'" },
		{ "name: x\nroles:\n  status:\n    fg: \"#12345g\"\n",
		  "bad.yaml:4: bad colour '#12345g' for status.fg" },
		{ "roles:\n  wave: { fg: 300 }\n", "bad.yaml:2: bad colour '300'" },
		{ "roles:\n  wave: { attrs: blink }\n", "bad.yaml:2: bad attrs 'blink'" },
		{ "colours: {}\n", "bad.yaml:1: unknown key 'colours'" },
		{ "roles:\n  wave: [1, 2]\n", "bad.yaml:2: lists are not used" },
		{ "roles:\n  wave: { fg: red\n  dim: 1\n", "bad.yaml:" },   /* YAML syntax */
	};
	struct tui_theme t, def;

	theme_builtin(&def);
	for (size_t i = 0; i < GR_ARRAY_LEN(cases); i++) {
		struct gr_err err = { 0 };
		memset(&t, 0x55, sizeof(t));
		int rc = theme_load_string(&t, cases[i].yaml, strlen(cases[i].yaml), "bad.yaml",
		                           &err);
		assert_int_equal(rc, -GR_EUSAGE);
		if (strstr(err.msg, cases[i].want) == NULL)
			fail_msg("case %zu: '%s' does not contain '%s'", i, err.msg, cases[i].want);
		assert_memory_equal(&t, &def, sizeof(t));
	}
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_user_theme_overrides_and_fallback(void **state)
{
	char dir[] = "/tmp/grym-theme-XXXXXX";
	char *p;
	struct tui_theme t, def;
	struct gr_err err = { 0 };

	assert_non_null(mkdtemp(dir));
	setenv("XDG_CONFIG_HOME", dir, 1);
	p = xasprintf("%s/grym", dir);
	mkdir(p, 0755);
	free(p);
	p = xasprintf("%s/grym/themes", dir);
	mkdir(p, 0755);
	free(p);
	p = xasprintf("%s/grym/themes/default.yaml", dir);
	write_file(p, "name: my-default\nroles:\n  cursor: { fg: red, bg: blue }\n");
	assert_int_equal(theme_load_named(&t, "default", &err), 0);
	assert_string_equal(t.name, "my-default");
	assert_int_equal(t.role[TR_CURSOR].bg.v, 4);
	unlink(p);
	free(p);

	/* a broken user theme: error with file:line, the built-in default */
	p = xasprintf("%s/grym/themes/broken.yaml", dir);
	write_file(p, "name: broken\nroles:\n  cursor: { fg: nocolour }\n");
	assert_int_equal(theme_load_named(&t, "broken", &err), -GR_EUSAGE);
	assert_non_null(strstr(err.msg, "broken.yaml:3: bad colour 'nocolour'"));
	theme_builtin(&def);
	assert_memory_equal(&t, &def, sizeof(t));
	unlink(p);
	free(p);

	/* a missing theme says so and falls back too */
	assert_int_equal(theme_load_named(&t, "no-such-theme", &err), -GR_EUSAGE);
	assert_non_null(strstr(err.msg, "no-such-theme"));
	assert_memory_equal(&t, &def, sizeof(t));
	/* names can't climb out of the themes folders */
	assert_null(theme_find("../../etc/passwd"));
	assert_null(theme_find(".hidden"));

	p = xasprintf("%s/grym/themes", dir);
	rmdir(p);
	free(p);
	p = xasprintf("%s/grym", dir);
	rmdir(p);
	free(p);
	rmdir(dir);
}

static void test_shipped_themes_parse(void **state)
{
	static const char *const names[] = { "default", "light", "mono", "high-contrast" };
	const char *root = getenv("GRYM_ROOT");

	for (size_t i = 0; i < GR_ARRAY_LEN(names); i++) {
		struct tui_theme t;
		struct gr_err err = { 0 };
		char *p = xasprintf("%s/themes/%s.yaml", root ? root : ".", names[i]);
		if (theme_load_file(&t, p, &err) != 0)
			fail_msg("%s", err.msg);
		assert_string_equal(t.name, names[i]);
		free(p);
	}
}

static void test_depth_mapping(void **state)
{
	struct tui_style s = { { TC_RGB, 0xff0000 }, { TC_RGB, 0x0000ff }, TA_BOLD };
	struct tui_style idx = { { TC_INDEX, 9 }, { TC_INDEX, 21 }, 0 };
	struct tui_style cur = { { TC_INDEX, 0 }, { TC_RGB, 0x5fafd7 }, 0 };
	struct tui_pen p;

	assert_int_equal(theme_depth(256, 0), 256);
	assert_int_equal(theme_depth(8, 0), 8);
	assert_int_equal(theme_depth(16777216, 0), 16777216);
	assert_int_equal(theme_depth(256, 1), 0);      /* NO_COLOR */
	assert_int_equal(theme_depth(2, 0), 0);

	/* true colour passes RGB through */
	p = theme_resolve(&s, 16777216);
	assert_int_equal(p.fg, 0xff0000);
	assert_int_equal(p.bg, 0x0000ff);
	/* 256: the xterm cube (red 196, blue 21) */
	p = theme_resolve(&s, 256);
	assert_int_equal(p.fg, 196);
	assert_int_equal(p.bg, 21);
	assert_int_equal(theme_rgb_to_256(0x808080), 244);   /* a grey, not the cube */
	assert_int_equal(theme_rgb_to_256(0x5fafd7), 74);
	/* 8 colours: nearest basic colour; bright-red is red in bold */
	p = theme_resolve(&s, 8);
	assert_int_equal(p.fg, 1);
	assert_int_equal(p.bg, 4);
	p = theme_resolve(&idx, 8);
	assert_int_equal(p.fg, 1);
	assert_true(p.attrs & TA_BOLD);
	assert_int_equal(p.bg, 4);
	p = theme_resolve(&idx, 256);
	assert_int_equal(p.fg, 9);
	assert_int_equal(p.bg, 21);
	/* NO_COLOR: no colour at all, and the cursor stays visible by reverse */
	p = theme_resolve(&cur, 0);
	assert_int_equal(p.fg, -1);
	assert_int_equal(p.bg, -1);
	assert_true(p.attrs & TA_REVERSE);
	p = theme_resolve(&s, 0);
	assert_true(p.attrs & TA_BOLD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_roles),
		cmocka_unit_test(test_bad_theme_file_line),
		cmocka_unit_test(test_user_theme_overrides_and_fallback),
		cmocka_unit_test(test_shipped_themes_parse),
		cmocka_unit_test(test_depth_mapping),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
