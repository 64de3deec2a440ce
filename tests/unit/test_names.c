/*
 * test_names.c - key and class names both ways.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "grym/analysis.h"

static void test_key_parse(void **state)
{
	assert_int_equal(an_key_parse("Am"), 9 + 12);
	assert_int_equal(an_key_parse("A minor"), 9 + 12);
	assert_int_equal(an_key_parse("a min"), 9 + 12);
	assert_int_equal(an_key_parse("F#"), 6);
	assert_int_equal(an_key_parse("Gb"), 6);
	assert_int_equal(an_key_parse("Gb major"), 6);
	assert_int_equal(an_key_parse("Bb"), 10);
	assert_int_equal(an_key_parse("Ebm"), 3 + 12);
	assert_int_equal(an_key_parse("Cb"), 11);
	assert_int_equal(an_key_parse("E#"), 5);
	assert_int_equal(an_key_parse("C:maj"), 0);
	assert_int_equal(an_key_parse("8A"), 9 + 12);   /* Camelot A minor */
	assert_int_equal(an_key_parse("8B"), 0);        /* C major */
	assert_int_equal(an_key_parse("1m"), 9 + 12);   /* Open Key A minor */
	assert_int_equal(an_key_parse("1d"), 0);
	assert_int_equal(an_key_parse("H"), -1);
	assert_int_equal(an_key_parse("A lydian"), -1);
	assert_int_equal(an_key_parse(""), -1);
}

static void test_key_names(void **state)
{
	char b[32];
	for (int k = 0; k < 24; k++) {
		assert_int_equal(an_key_parse(an_key_name(k, AN_KEY_SHARP, 0, b, sizeof(b))), k);
		assert_int_equal(an_key_parse(an_key_name(k, AN_KEY_FLAT, 1, b, sizeof(b))), k);
		assert_int_equal(an_key_parse(an_key_name(k, AN_KEY_CAMELOT, 0, b, sizeof(b))), k);
		assert_int_equal(an_key_parse(an_key_name(k, AN_KEY_OPENKEY, 0, b, sizeof(b))), k);
	}
	assert_string_equal(an_key_name(21, AN_KEY_SHARP, 0, b, sizeof(b)), "A minor");
	assert_string_equal(an_key_name(6, AN_KEY_SHARP, 0, b, sizeof(b)), "F# major");
	assert_string_equal(an_key_name(6, AN_KEY_FLAT, 0, b, sizeof(b)), "Gb major");
	assert_string_equal(an_key_name(6, AN_KEY_SHARP, 1, b, sizeof(b)), "F#");
	/* every other key as its key signature is written, in either style:
	 * never "A# major" or "Gb minor" */
	static const char *const major[12] = {
		"C", "Db", "D", "Eb", "E", "F", NULL, "G", "Ab", "A", "Bb", "B",
	};
	static const char *const minor[12] = {
		"Cm", "C#m", "Dm", NULL, "Em", "Fm", "F#m", "Gm", "G#m", "Am", "Bbm", "Bm",
	};
	for (int pc = 0; pc < 12; pc++)
		for (int style = AN_KEY_SHARP; style <= AN_KEY_FLAT; style++) {
			if (major[pc])
				assert_string_equal(an_key_name(pc, style, 1, b, sizeof(b)), major[pc]);
			if (minor[pc])
				assert_string_equal(an_key_name(12 + pc, style, 1, b, sizeof(b)), minor[pc]);
		}
	assert_string_equal(an_key_name(10, AN_KEY_SHARP, 0, b, sizeof(b)), "Bb major");
	assert_string_equal(an_key_name(13, AN_KEY_FLAT, 0, b, sizeof(b)), "C# minor");
	assert_string_equal(an_key_name(15, AN_KEY_SHARP, 0, b, sizeof(b)), "D# minor");
	assert_string_equal(an_key_name(15, AN_KEY_FLAT, 0, b, sizeof(b)), "Eb minor");
	assert_string_equal(an_key_name(21, AN_KEY_CAMELOT, 0, b, sizeof(b)), "8A");
	assert_string_equal(an_key_name(7, AN_KEY_CAMELOT, 0, b, sizeof(b)), "9B");
	assert_string_equal(an_key_name(AN_NO_KEY, AN_KEY_SHARP, 0, b, sizeof(b)), "none");
}

static void test_classes(void **state)
{
	for (int c = 0; c < AN_NCLASS; c++)
		assert_int_equal(an_class_parse(an_class_name(c)), c);
	assert_int_equal(an_class_parse("oneshot"), AN_EFFECT);
	assert_int_equal(an_class_parse("banana"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_parse),
		cmocka_unit_test(test_key_names),
		cmocka_unit_test(test_classes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
