/*
 * names.c - names of content classes, plugin statuses and musical keys,
 * both ways.  Keys are spelled for musicians, as their key signatures
 * are written: the spelling with fewer sharps or flats ("Bb major", "C#
 * minor", "Db major", "G# minor"), and for the two keys of six either way
 * the style's choice ("F# major" or "Gb major", "D# minor" or "Eb
 * minor"); short "Am", "F#"; optionally in Camelot ("8A") or Open Key
 * ("1m") notation; the parser accepts all of these, case-insensitive
 * for the mode words, with enharmonic spellings (Gb = F#, Cb = B, E# = F).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "grym/analysis.h"
#include "grym/util.h"

static const char *const class_names[AN_NCLASS] = {
	"silence", "speech", "singing", "music", "percussion", "ambience", "noise", "effect",
};

const char *an_class_name(int cls)
{
	if (cls < 0 || cls >= AN_NCLASS)
		return "unknown";
	return class_names[cls];
}

int an_class_parse(const char *name)
{
	for (int i = 0; i < AN_NCLASS; i++)
		if (!strcasecmp(name, class_names[i]))
			return i;
	if (!strcasecmp(name, "oneshot") || !strcasecmp(name, "one-shot"))
		return AN_EFFECT;
	if (!strcasecmp(name, "field") || !strcasecmp(name, "ambient"))
		return AN_AMBIENCE;
	return -1;
}

const char *an_status_name(int status)
{
	switch (status) {
	case AN_OK: return "ok";
	case AN_FAILED: return "failed";
	case AN_SKIPPED: return "skipped";
	case AN_TIMEOUT: return "timeout";
	case AN_DISABLED: return "disabled";
	}
	return "unknown";
}

/* Tonic spellings [mode][pitch class]: the key signature with fewer
 * accidentals; NULL where both have six (F#/Gb major, D#/Eb minor). */
static const char *const tonic_names[2][12] = {
	{ "C", "Db", "D", "Eb", "E", "F", NULL, "G", "Ab", "A", "Bb", "B" },
	{ "C", "C#", "D", NULL, "E", "F", "F#", "G", "G#", "A", "Bb", "B" },
};

/*
 * Camelot wheel: number for each major tonic (B = 1B, F# = 2B, ...) and
 * minor keys are the relative minor's number with "A".
 */
static int camelot_number(int key)
{
	int tonic = key % 12;
	int major_tonic = key >= 12 ? (tonic + 3) % 12 : tonic;  /* relative major */
	/* 8B = C major; each fifth up adds one */
	int fifths = (major_tonic * 7) % 12;                      /* C=0, G=1, D=2, ... */
	return (8 + fifths - 1) % 12 + 1;
}

const char *an_key_name(int key, int style, int shortform, char *buf, size_t size)
{
	int tonic, minor;
	const char *t;

	if (key < 0 || key > 23) {
		str_lcpy(buf, "none", size);
		return buf;
	}
	tonic = key % 12;
	minor = key >= 12;
	if (style == AN_KEY_CAMELOT) {
		snprintf(buf, size, "%d%c", camelot_number(key), minor ? 'A' : 'B');
		return buf;
	}
	if (style == AN_KEY_OPENKEY) {
		/* Open Key: C major = 1d, A minor = 1m, each fifth up adds one */
		int n = (camelot_number(key) + 4) % 12 + 1;
		snprintf(buf, size, "%d%c", n, minor ? 'm' : 'd');
		return buf;
	}
	t = tonic_names[minor][tonic];
	if (!t)
		t = style == AN_KEY_FLAT ? (minor ? "Eb" : "Gb") : (minor ? "D#" : "F#");
	if (shortform)
		snprintf(buf, size, "%s%s", t, minor ? "m" : "");
	else
		snprintf(buf, size, "%s %s", t, minor ? "minor" : "major");
	return buf;
}

static int parse_wheel(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);
	int c;

	if (end == s || n < 1 || n > 12 || end[0] == '\0' || end[1] != '\0')
		return -1;
	c = tolower((unsigned char)end[0]);
	for (int key = 0; key < 24; key++) {
		if ((c == 'a' || c == 'b') &&
		    camelot_number(key) == n && (c == 'a') == (key >= 12))
			return key;
		if ((c == 'm' || c == 'd') &&
		    (camelot_number(key) + 4) % 12 + 1 == n && (c == 'm') == (key >= 12))
			return key;
	}
	return -1;
}

int an_key_parse(const char *s)
{
	static const int letter_pc[7] = { 9, 11, 0, 2, 4, 5, 7 }; /* A..G */
	const char *p = s;
	int pc, minor = 0;
	char c;

	while (isspace((unsigned char)*p))
		p++;
	if (isdigit((unsigned char)*p))
		return parse_wheel(p);
	c = (char)toupper((unsigned char)*p);
	if (c < 'A' || c > 'G')
		return -1;
	pc = letter_pc[c - 'A'];
	p++;
	while (*p == '#' || *p == 'b' || *p == 's') {
		/* "Bb" vs "B b..."? a 'b' right after the letter is a flat */
		if (*p == '#')
			pc++;
		else if (*p == 'b')
			pc--;
		else if (!strncasecmp(p, "sharp", 5))
			pc++, p += 4;
		else
			break;
		p++;
	}
	pc = (pc % 12 + 12) % 12;
	while (isspace((unsigned char)*p) || *p == ':' || *p == '-' || *p == '_')
		p++;
	if (*p == '\0' || !strcasecmp(p, "major") || !strcasecmp(p, "maj") ||
	    !strcmp(p, "M") || !strcasecmp(p, "dur"))
		minor = 0;
	else if (!strcasecmp(p, "minor") || !strcasecmp(p, "min") || !strcmp(p, "m") ||
	         !strcasecmp(p, "moll"))
		minor = 1;
	else
		return -1;
	return pc + 12 * minor;
}
