/*
 * test_query.c - the query language: a table of queries and the files
 * they must match over a small catalog built here, region queries,
 * sorting, malformed queries with their error positions, and hostile
 * text (quotes, SQL fragments, LIKE wildcards) matched literally.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "anfix.h"
#include "grym/catalog.h"
#include "grym/util.h"

#define HOSTILE "weird/it's \"x\"'; DROP TABLE files; --.wav"

static const struct {
	const char *rel, *format, *tag;
	int cls;
	float conf;
	int key;
	float bpm;
	double dur;
	int rate, ch, nreg;
} lib[] = {
	{ "drums/kick_01.wav", "wav", "kick", AN_PERCUSSION, 0.9f, -1, 120, 1.5, 44100, 1, 3 },
	{ "drums/loop_bpm60.wav", "wav", NULL, AN_PERCUSSION, 0.6f, -1, 60.5f, 8, 48000, 2, 1 },
	{ "field/rain.wav", "wav", "rain", AN_AMBIENCE, 0.7f, -1, 0, 90, 48000, 2, 2 },
	{ "music/dm_pad.ogg", "ogg", NULL, AN_MUSIC, 0.5f, 14, 0, 30, 48000, 2, 1 },
	{ "music/em_lead.flac", "flac", NULL, AN_MUSIC, 0.65f, 16, 118, 20, 96000, 2, 2 },
	{ "music/song_am.flac", "flac", NULL, AN_MUSIC, 0.8f, 21, 124, 180, 96000, 2, 4 },
	{ "music/song_c.flac", "flac", NULL, AN_MUSIC, 0.75f, 0, 240, 200, 44100, 2, 4 },
	{ "music/song_fsm.flac", "flac", NULL, AN_MUSIC, 0.6f, 18, 90, 100, 44100, 2, 2 },
	{ "voice/interview.wav", "wav", "voice", AN_SPEECH, 0.95f, -1, 0, 600, 16000, 1, 5 },
	{ HOSTILE, "wav", NULL, AN_EFFECT, 0.4f, 6, 100, 0.5, 44100, 2, 1 },
};

static struct cat *cat;
static char dir[64];

static int setup(void **state)
{
	struct gr_err err = { 0 };
	char db[128], *prefix;
	int64_t root, id;

	snprintf(dir, sizeof(dir), "/tmp/grym-q-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/catalog.db", dir);
	cat = cat_open(db, 0, &err);
	assert_non_null(cat);
	assert_int_equal(cat_root_for_dir(cat, "/lib", &root, &prefix, &err), 0);
	free(prefix);
	/* stored in path order, so catalog order (ids) is path order too */
	assert_int_equal(cat_store_failure(cat, root, "broken.wav", "not audio", "v1", NULL,
	                                   &err), 0);
	for (size_t i = 0; i < GR_ARRAY_LEN(lib); i++) {
		struct anfix_spec s = {
			.path = lib[i].rel, .duration = lib[i].dur, .cls = lib[i].cls,
			.cls_conf = lib[i].conf, .key = lib[i].key, .key_conf = 0.5f,
			.bpm = lib[i].bpm, .bpm_conf = 0.5f, .rate = lib[i].rate,
			.channels = lib[i].ch, .bits = 16, .format = lib[i].format,
			.n_regions = lib[i].nreg, .hash = i + 1, .size = 100, .mtime_ns = 1,
			.loudness = -20, .runs = 2,
		};
		struct an_file f;
		anfix_file(&f, &s);
		assert_int_equal(cat_store_analysis(cat, root, lib[i].rel, &f, "v1", &id, &err), 0);
		anfix_free(&f);
		if (lib[i].tag != NULL) {
			char q[32];
			struct cat_query *qq;
			snprintf(q, sizeof(q), "id:%lld", (long long)id);
			qq = cat_query_parse(q, NULL, &err);
			assert_int_equal(cat_tag(cat, qq, CAT_FILES, &lib[i].tag, 1, NULL, 0, &err), 1);
			cat_query_free(qq);
		}
	}
	*state = NULL;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	cat_close(cat);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

/* Names of matching files, in the query's order, joined by spaces. */
static char *run(const char *text, int target)
{
	struct gr_err err = { 0 };
	struct cat_query *q = cat_query_parse(text, NULL, &err);
	struct cat_cursor *cur;
	struct cat_file f;
	struct cat_region g;
	struct str out;
	int r;

	/* a page limit, as the TUI asks, so the plan choice is exercised */
	if (q == NULL)
		fail_msg("query '%s' did not parse: %s", text, err.msg);
	cur = cat_find(cat, q, target, 100, &err);
	if (cur == NULL)
		fail_msg("query '%s' failed: %s", text, err.msg);
	str_init(&out);
	str_add(&out, "");
	if (target == CAT_FILES) {
		while ((r = cat_next_file(cur, &f, &err)) == 1)
			str_addf(&out, "%s%s", out.len ? " " : "", f.name);
	} else {
		while ((r = cat_next_region(cur, &g, &err)) == 1)
			str_addf(&out, "%s%s#%d", out.len ? " " : "", path_base(g.path), g.idx);
	}
	assert_int_equal(r, 0);
	cat_cursor_free(cur);
	cat_query_free(q);
	return str_take(&out);
}

#define HNAME "it's \"x\"'; DROP TABLE files; --.wav"

static const struct { const char *q, *want; } cases[] = {
	{ "", "broken.wav kick_01.wav loop_bpm60.wav rain.wav dm_pad.ogg em_lead.flac "
	      "song_am.flac song_c.flac song_fsm.flac interview.wav " HNAME },
	{ "kick", "kick_01.wav" },
	{ "KICK", "kick_01.wav" },
	{ "song", "song_am.flac song_c.flac song_fsm.flac" },
	{ "tag:kick", "kick_01.wav" },
	{ "tag:KI*", "kick_01.wav" },
	{ "voice", "interview.wav" },
	{ "tag:music", "dm_pad.ogg em_lead.flac song_am.flac song_c.flac song_fsm.flac" },
	{ "key:Am", "song_am.flac" },
	{ "key:\"A minor\"", "song_am.flac" },
	{ "key:F#", HNAME },
	{ "key:Gb", HNAME },
	{ "key:Gbm", "song_fsm.flac" },
	{ "key:8A", "song_am.flac" },
	{ "key:~Am", "dm_pad.ogg em_lead.flac song_am.flac song_c.flac" },
	{ "key:none -status:failed", "kick_01.wav loop_bpm60.wav rain.wav interview.wav" },
	{ "mode:minor", "dm_pad.ogg em_lead.flac song_am.flac song_fsm.flac" },
	{ "mode:major", "song_c.flac " HNAME },
	{ "bpm:118..124", "kick_01.wav em_lead.flac song_am.flac" },
	{ "bpm:~120", "kick_01.wav loop_bpm60.wav em_lead.flac song_am.flac song_c.flac" },
	{ "bpm:120", "kick_01.wav" },
	{ "bpm:>200", "song_c.flac" },
	{ "bpm:..61", "loop_bpm60.wav" },
	{ "bpm:none", "broken.wav rain.wav dm_pad.ogg interview.wav" },
	{ "dur:<2s", "kick_01.wav " HNAME },
	{ "dur:<1000ms", HNAME },
	{ "dur:>=3min", "song_am.flac song_c.flac interview.wav" },
	{ "dur:20", "em_lead.flac" },
	{ "rate:>=48000", "loop_bpm60.wav rain.wav dm_pad.ogg em_lead.flac song_am.flac" },
	{ "rate:48k", "loop_bpm60.wav rain.wav dm_pad.ogg" },
	{ "rate:96kHz", "em_lead.flac song_am.flac" },
	{ "class:speech", "interview.wav" },
	{ "class:field", "rain.wav" },
	{ "ch:1", "kick_01.wav interview.wav" },
	{ "format:flac", "em_lead.flac song_am.flac song_c.flac song_fsm.flac" },
	{ "format:FLAC ch:2 -song", "em_lead.flac" },
	{ "status:failed", "broken.wav" },
	{ "conf:>0.7", "kick_01.wav song_am.flac song_c.flac interview.wav" },
	{ "conf:>=70%", "kick_01.wav rain.wav song_am.flac song_c.flac interview.wav" },
	{ "-class:music", "broken.wav kick_01.wav loop_bpm60.wav rain.wav interview.wav " HNAME },
	{ "class:music,class:speech", "dm_pad.ogg em_lead.flac song_am.flac song_c.flac "
	                              "song_fsm.flac interview.wav" },
	{ "class:speech,ambience", "rain.wav interview.wav" },
	{ "format:flac -key:Am", "em_lead.flac song_c.flac song_fsm.flac" },
	{ "(kick, rain) ch:1", "kick_01.wav" },
	{ "-(class:music, class:percussion) -status:failed", "rain.wav interview.wav " HNAME },
	{ "regions:>=4", "song_am.flac song_c.flac interview.wav" },
	{ "start:>100", "song_am.flac song_c.flac interview.wav" },
	/* hostile text is matched literally */
	{ "\"'; DROP TABLE files; --\"", HNAME },
	{ "'; DROP TABLE files; --", HNAME },
	{ "x'; DELETE FROM files WHERE 1; --", "" },
	{ "\"it's \\\"x\\\"\"", HNAME },
	{ "name:%", "" },
	{ "name:_01", "kick_01.wav" },
	{ "path:drums/", "kick_01.wav loop_bpm60.wav" },
	{ "path:/lib/drums/k", "kick_01.wav" },
	{ "\"OR 1=1\"", "" },
	/* sorting */
	{ "sort:-bpm format:flac", "song_c.flac song_am.flac em_lead.flac song_fsm.flac" },
	{ "class:percussion sort:dur", "kick_01.wav loop_bpm60.wav" },
	{ "sort:bpm dur:<10", "loop_bpm60.wav " HNAME " kick_01.wav" },
	{ "sort:key mode:minor", "dm_pad.ogg em_lead.flac song_fsm.flac song_am.flac" },
	{ "sort:-path ch:1", "interview.wav kick_01.wav" },
	{ "sort:name format:flac", "em_lead.flac song_am.flac song_c.flac song_fsm.flac" },
	{ "sort:bpm -bpm:none", "loop_bpm60.wav song_fsm.flac " HNAME " em_lead.flac "
	                        "kick_01.wav song_am.flac song_c.flac" },
	{ "sort:-bpm class:percussion,ambience", "kick_01.wav loop_bpm60.wav rain.wav" },
	{ "sort:bpm class:percussion,ambience", "loop_bpm60.wav kick_01.wav rain.wav" },
	{ "name:kick_0", "kick_01.wav" },
	{ "\"\\\"\"", HNAME },                 /* one '"': a LIKE scan */
	{ "\"\\\"x\\\"\"", HNAME },             /* '"x"': trigram index, quotes doubled */
	{ "\"x\\\"'\"", HNAME },
	{ "NEAR AND OR NOT", "" },
};

static void test_cases(void **state)
{
	/* every plan (automatic, ordered scan, index plan with hints) agrees */
	for (int plan = 0; plan < 3; plan++) {
		cat_debug_plan(cat, plan);
		for (size_t i = 0; i < GR_ARRAY_LEN(cases); i++) {
			char *got = run(cases[i].q, CAT_FILES);
			if (strcmp(got, cases[i].want) != 0)
				fail_msg("plan %d query [%s]\n  want [%s]\n  got  [%s]", plan, cases[i].q,
				         cases[i].want, got);
			free(got);
		}
	}
	cat_debug_plan(cat, 0);
	/* the hostile queries changed nothing */
	{
		struct gr_err err = { 0 };
		assert_int_equal(cat_count(cat, NULL, CAT_FILES, &err), 11);
	}
}

static void test_regions(void **state)
{
	struct gr_err err = { 0 };
	struct cat_query *q;
	char *got;

	for (int plan = 0; plan < 3; plan++) {
		cat_debug_plan(cat, plan);
		got = run("kick", CAT_REGIONS);
		assert_string_equal(got, "kick_01.wav#0 kick_01.wav#1 kick_01.wav#2");
		free(got);
		/* region durations: kick 0.5 s each, the hostile file 0.5 s */
		got = run("dur:<1s", CAT_REGIONS);
		assert_string_equal(got, "kick_01.wav#0 kick_01.wav#1 kick_01.wav#2 " HNAME "#0");
		free(got);
		got = run("class:speech start:>=240", CAT_REGIONS);
		assert_string_equal(got, "interview.wav#2 interview.wav#3 interview.wav#4");
		free(got);
		got = run("key:~Am idx:0 sort:-start", CAT_REGIONS);
		/* ties follow the first key's direction (here: newest first) */
		assert_string_equal(got, "song_c.flac#0 song_am.flac#0 em_lead.flac#0 dm_pad.ogg#0");
		free(got);
	}
	cat_debug_plan(cat, 0);
	/* region tags: tag one region, find it by tag; the file is not tagged */
	q = cat_query_parse("file:2 idx:1", NULL, &err);
	{
		const char *t = "best-hit";
		assert_int_equal(cat_tag(cat, q, CAT_REGIONS, &t, 1, NULL, 0, &err), 1);
	}
	cat_query_free(q);
	got = run("tag:best-hit", CAT_REGIONS);
	assert_string_equal(got, "kick_01.wav#1");
	free(got);
	got = run("tag:best-hit", CAT_FILES);
	assert_string_equal(got, "");
	free(got);
	got = run("best", CAT_REGIONS);
	assert_string_equal(got, "kick_01.wav#1");
	free(got);
	q = cat_query_parse("class:percussion", NULL, &err);
	assert_int_equal(cat_count(cat, q, CAT_REGIONS, &err), 4);
	cat_query_free(q);
}

static const struct { const char *q; size_t pos; const char *msg; } bad[] = {
	{ "bpm:<x", 5, "at character 6: expected a number after 'bpm:<'" },
	{ "bmp:120", 0, "at character 1: unknown field 'bmp:' (did you mean 'bpm:'?)" },
	{ "key:H", 4, "at character 5: 'H' is not a key" },
	{ "dur:<2parsecs", 6, "at character 7: unknown unit 'parsecs'" },
	{ "(kick", 5, "at character 6: expected ')' to close the '(' at character 1" },
	{ "kick)", 4, "at character 5: unmatched ')'" },
	{ "a,,b", 1, "at character 2: expected a term after ','" },
	{ ",a", 0, "at character 1: expected a term before ','" },
	{ "kick \"open", 5, "at character 6: unterminated quote" },
	{ "- kick", 0, "at character 1: expected a term after '-'" },
	{ "bpm:130..120", 4, "at character 5: empty range" },
	{ "class:banana", 6, "at character 7: unknown class 'banana'" },
	{ "sort:-bpm,key:Am", 9, "at character 10: sort: stands alone" },
	{ "-sort:bpm", 1, "at character 2: sort: stands alone" },
	{ "bpm:", 4, "at character 5: expected a value after 'bpm:'" },
	{ "bpm:~", 5, "at character 6: expected a number after 'bpm:~'" },
	{ "rate:>=48q", 9, "at character 10: unknown unit 'q'" },
	{ "caf\xc3\xa9 bpm:x", 10, "at character 10: expected a number after 'bpm:'" },
	{ "dur:~3", 4, "at character 5: '~' (musically close) works with bpm: and key:" },
	{ "sort:colour", 5, "at character 6: cannot sort by 'colour'" },
	{ "()", 0, "at character 1: expected a term inside '()'" },
	{ "mode:dorian", 5, "at character 6: mode is major or minor" },
	{ "x:1", 0, "at character 1: unknown field 'x:'" },
	{ "bpm:1..2..3", 8, "at character 9: unexpected text in the value of 'bpm:'" },
};

static void test_errors(void **state)
{
	for (size_t i = 0; i < GR_ARRAY_LEN(bad); i++) {
		struct gr_err err = { 0 };
		size_t pos = 999;
		struct cat_query *q = cat_query_parse(bad[i].q, &pos, &err);
		if (q != NULL)
			fail_msg("query [%s] parsed but should not", bad[i].q);
		assert_int_equal(err.code, GR_EUSAGE);
		if (pos != bad[i].pos || strncmp(err.msg, bad[i].msg, strlen(bad[i].msg)) != 0)
			fail_msg("query [%s]\n  want %zu [%s]\n  got  %zu [%s]", bad[i].q, bad[i].pos,
			         bad[i].msg, pos, err.msg);
	}
}

static void test_deep(void **state)
{
	char q[200];
	struct gr_err err = { 0 };
	size_t n = 0;

	/* nesting is bounded: no stack exhaustion on hostile input */
	for (int i = 0; i < 60; i++)
		q[n++] = '(';
	q[n++] = 'a';
	for (int i = 0; i < 60; i++)
		q[n++] = ')';
	q[n] = '\0';
	assert_null(cat_query_parse(q, NULL, &err));
	assert_non_null(strstr(err.msg, "nested too deeply"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_regions),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_deep),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
