/*
 * export_name.c - output names for `grym export`: the template expander
 * and the file name sanitiser.
 *
 * Both are pure functions of their arguments (no globals, no I/O), so the
 * fuzzer (tests/fuzz/fuzz_template.c) can call them on any bytes.  Values
 * come from untrusted places (file names, tags); whatever they hold, the
 * result is one safe path component: no '/', no control bytes, no leading
 * '.', valid UTF-8, at most EXPORT_NAME_MAX bytes, not a reserved device
 * name.  Cost: linear in the template and values.
 *
 * Thread rules: none (reentrant).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grym/analysis.h"
#include "grym/export.h"
#include "grym/util.h"

/* Bounded appender: never writes past cap, always NUL-terminated. */
struct nbuf {
	char *s;
	size_t len, cap;   /* cap includes the NUL */
};

static void nb_add(struct nbuf *b, const char *s, size_t n)
{
	while (n > 0 && b->len + 1 < b->cap) {
		b->s[b->len++] = *s++;
		n--;
	}
	b->s[b->len] = '\0';
}

enum { F_NAME, F_INDEX, F_N, F_CLASS, F_KEY, F_BPM, F_START, F_DUR, F_TAG, F_ID };

static const char *const fields[] = {
	"name", "index", "n", "class", "key", "bpm", "start", "dur", "tag", "id",
};

static int field_find(const char *s, size_t n)
{
	for (size_t i = 0; i < GR_ARRAY_LEN(fields); i++)
		if (strlen(fields[i]) == n && !memcmp(fields[i], s, n))
			return (int)i;
	return -1;
}

/* One field's text into buf (numbers padded to width, 0 = natural). */
static void field_text(int f, int width, const struct export_name_vars *v, char *buf,
                       size_t size)
{
	char k[32];
	int w = width;

	buf[0] = '\0';
	switch (f) {
	case F_NAME: snprintf(buf, size, "%s", v->name != NULL ? v->name : ""); break;
	case F_INDEX:
		snprintf(buf, size, "%0*d", w > 0 ? w : 2, v->index);
		break;
	case F_N:
		if (w == 0)
			for (size_t t = v->total; t > 0; t /= 10)
				w++;
		snprintf(buf, size, "%0*zu", w > 0 ? w : 1, v->n);
		break;
	case F_CLASS:
		if (v->cls >= 0 && v->cls < AN_NCLASS)
			snprintf(buf, size, "%s", an_class_name(v->cls));
		break;
	case F_KEY:
		if (v->key >= 0 && v->key < 24)
			snprintf(buf, size, "%s", an_key_name(v->key, v->key_style, 1, k, sizeof(k)));
		break;
	case F_BPM:
		if (v->bpm > 0 && v->bpm < 1000)
			snprintf(buf, size, "%0*ld", w, lround(v->bpm));
		break;
	case F_START:
		if (isfinite(v->start) && v->start >= 0 && v->start < 1e9)
			snprintf(buf, size, "%.3f", v->start);
		break;
	case F_DUR:
		if (isfinite(v->dur) && v->dur >= 0 && v->dur < 1e9)
			snprintf(buf, size, "%.3f", v->dur);
		break;
	case F_TAG: snprintf(buf, size, "%s", v->tag != NULL ? v->tag : ""); break;
	case F_ID: snprintf(buf, size, "%0*lld", w, (long long)v->id); break;
	}
}

/* Walk the template; with out == NULL only check it. */
static int expand(const char *tmpl, const struct export_name_vars *v, struct nbuf *out,
                  struct gr_err *err)
{
	char val[1024];

	for (const char *p = tmpl; *p != '\0'; p++) {
		const char *q, *colon;
		int f, width = 0;

		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			if (out != NULL)
				nb_add(out, p, 1);
			p++;
			continue;
		}
		if (*p == '}')
			return gr_fail(err, GR_EUSAGE, "unmatched '}' at character %zu (write }} for a "
			               "brace)", (size_t)(p - tmpl) + 1);
		if (*p != '{') {
			if (out != NULL)
				nb_add(out, p, 1);
			continue;
		}
		q = strchr(p + 1, '}');
		if (q == NULL)
			return gr_fail(err, GR_EUSAGE, "unclosed '{' at character %zu",
			               (size_t)(p - tmpl) + 1);
		colon = memchr(p + 1, ':', (size_t)(q - p - 1));
		f = field_find(p + 1, (size_t)((colon != NULL ? colon : q) - p - 1));
		if (f < 0)
			return gr_fail(err, GR_EUSAGE, "unknown field {%.*s} at character %zu (known: "
			               "name index n class key bpm start dur tag id)",
			               (int)(q - p - 1 < 32 ? q - p - 1 : 32), p + 1,
			               (size_t)(p - tmpl) + 1);
		if (colon != NULL) {
			const char *d = colon + 1;
			if (d == q || q - d > 2)
				return gr_fail(err, GR_EUSAGE, "bad width at character %zu (1..99)",
				               (size_t)(colon - tmpl) + 2);
			for (; d < q; d++) {
				if (!isdigit((unsigned char)*d))
					return gr_fail(err, GR_EUSAGE, "bad width at character %zu (1..99)",
					               (size_t)(d - tmpl) + 1);
				width = width * 10 + (*d - '0');
			}
			if (f != F_INDEX && f != F_N && f != F_BPM && f != F_ID)
				return gr_fail(err, GR_EUSAGE, "{%s} takes no width (character %zu)",
				               fields[f], (size_t)(colon - tmpl) + 1);
		}
		if (out != NULL) {
			/* values are sanitised with the whole name afterwards */
			field_text(f, width, v, val, sizeof(val));
			nb_add(out, val, strlen(val));
		}
		p = q;
	}
	return 0;
}

int export_name_check(const char *tmpl, struct gr_err *err)
{
	return expand(tmpl, NULL, NULL, err);
}

/* Length of the valid UTF-8 sequence at s (1..4), 0 if invalid. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	unsigned min;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2; cp = s[0] & 0x1f; min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3; cp = s[0] & 0x0f; min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4; cp = s[0] & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	/* C1 controls (U+0080..U+009F) are control bytes to a terminal */
	if (cp < 0xa0)
		return 0;
	return n;
}

static int is_reserved(const char *s)
{
	static const char *const dev[] = { "CON", "PRN", "AUX", "NUL" };
	size_t n = strcspn(s, ".");

	for (size_t i = 0; i < GR_ARRAY_LEN(dev); i++)
		if (n == 3 && !strncasecmp(s, dev[i], 3))
			return 1;
	if (n == 4 && (!strncasecmp(s, "COM", 3) || !strncasecmp(s, "LPT", 3)) &&
	    s[3] >= '1' && s[3] <= '9')
		return 1;
	return 0;
}

void export_name_sanitize(char *s)
{
	unsigned char *u = (unsigned char *)s;
	size_t r = 0, w = 0, n, start;

	/* replace: every byte that is unsafe somewhere becomes '_' */
	while (u[r] != '\0') {
		n = utf8_len(u + r);
		if (n == 0 || (n == 1 && (u[r] < 0x20 || u[r] == 0x7f ||
		                          strchr("/\\<>:\"|?*", u[r]) != NULL))) {
			u[w++] = '_';
			r++;
			continue;
		}
		memmove(u + w, u + r, n);
		w += n;
		r += n;
	}
	u[w] = '\0';
	/* no leading dots or spaces (hidden files, "..") */
	for (start = 0; u[start] == '.' || u[start] == ' '; start++)
		;
	memmove(u, u + start, w - start + 1);
	w -= start;
	/* cut to the limit on a character boundary */
	if (w > EXPORT_NAME_MAX) {
		w = EXPORT_NAME_MAX;
		while (w > 0 && (u[w] & 0xc0) == 0x80)
			w--;
		u[w] = '\0';
	}
	/* no trailing dots or spaces (Windows drops them), no separator tails */
	while (w > 0 && (u[w - 1] == '.' || u[w - 1] == ' '))
		u[--w] = '\0';
	if (w == 0) {
		strcpy(s, "untitled");
		return;
	}
	if (is_reserved(s)) {
		/* room for the '_': drop the last whole character, not a byte
		 * (a lone byte of a UTF-8 sequence would be invalid text) */
		if (w >= EXPORT_NAME_MAX) {
			do
				w--;
			while (w > 0 && (u[w] & 0xc0) == 0x80);
			u[w] = '\0';
		}
		memmove(u + 1, u, w + 1);
		u[0] = '_';
	}
}

/* Tidy separators left by empty values: "a__b" -> "a_b", no leading or
 * trailing '_', '-' or ' ' runs. */
static void tidy(char *s)
{
	size_t r = 0, w = 0;

	for (; s[r] != '\0'; r++) {
		int sep = s[r] == '_' || s[r] == '-' || s[r] == ' ';
		if (sep && (w == 0 || s[w - 1] == s[r]))
			continue;
		s[w++] = s[r];
	}
	while (w > 0 && (s[w - 1] == '_' || s[w - 1] == '-' || s[w - 1] == ' '))
		w--;
	s[w] = '\0';
}

int export_name_expand(const char *tmpl, const struct export_name_vars *v, char *out,
                       size_t size, struct gr_err *err)
{
	char big[4 * EXPORT_NAME_MAX + 64];
	struct nbuf b = { big, 0, sizeof(big) };
	int rc;

	big[0] = '\0';
	if ((rc = expand(tmpl, v, &b, err)) < 0)
		return rc;
	tidy(big);
	export_name_sanitize(big);
	str_lcpy(out, big, size);
	/* a cut in the middle of a character would leave invalid UTF-8 */
	if (strlen(big) >= size) {
		size_t w = size - 1;
		while (w > 0 && ((unsigned char)big[w] & 0xc0) == 0x80)
			w--;
		out[w] = '\0';
		export_name_sanitize(out);
	}
	return 0;
}
