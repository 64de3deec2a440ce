/*
 * str.c - growable strings, JSON string literals and terminal-safe text.
 *
 * Terminal safety is one decoder: walk the bytes as UTF-8; a valid
 * printable sequence is copied, anything else (C0/C1 controls, DEL,
 * invalid or overlong UTF-8, surrogates) is written as an escape.  Both
 * the JSON writer and the terminal escaper use it so they agree on what
 * is valid text.  Cost: linear in the input, one allocation per call.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grym/util.h"

void str_init(struct str *b)
{
	b->s = NULL;
	b->len = 0;
	b->cap = 0;
}

void str_fini(struct str *b)
{
	free(b->s);
	str_init(b);
}

static void grow(struct str *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->s = xrealloc(b->s, cap);
	b->cap = cap;
}

void str_addn(struct str *b, const char *s, size_t n)
{
	grow(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void str_add(struct str *b, const char *s)
{
	str_addn(b, s, strlen(s));
}

void str_addf(struct str *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *str_take(struct str *b)
{
	char *s = b->s ? b->s : xstrdup("");
	str_init(b);
	return s;
}

size_t str_lcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);
	if (size > 0) {
		size_t c = n < size - 1 ? n : size - 1;
		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

/*
 * Length of the valid UTF-8 sequence at p (1..4), with *cp set to its
 * code point, or 0 when the bytes there are not valid UTF-8.
 */
static size_t utf8_seq(const unsigned char *p, uint32_t *cp)
{
	unsigned char c = p[0];
	size_t n, i;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		v = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && v < 0x800) || (n == 4 && (v < 0x10000 || v > 0x10ffff)) ||
	    (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

void str_add_json(struct str *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t n;

	str_add(b, "\"");
	while (*p != '\0') {
		n = utf8_seq(p, &cp);
		if (n == 0) {
			/* invalid byte: U+FFFD keeps the JSON valid UTF-8 */
			str_add(b, "\\ufffd");
			p++;
			continue;
		}
		if (cp == '"')
			str_add(b, "\\\"");
		else if (cp == '\\')
			str_add(b, "\\\\");
		else if (cp == '\n')
			str_add(b, "\\n");
		else if (cp == '\t')
			str_add(b, "\\t");
		else if (cp == '\r')
			str_add(b, "\\r");
		else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
		         cp == 0x2028 || cp == 0x2029)
			/* U+2028/9 are line breaks to YAML (and JavaScript): escaped,
			 * a written config loads again (found by fuzz_config) */
			str_addf(b, "\\u%04x", (unsigned)cp);
		else
			str_addn(b, (const char *)p, n);
		p += n;
	}
	str_add(b, "\"");
}

char *str_escape_term(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	struct str b;
	uint32_t cp;
	size_t n;

	str_init(&b);
	while (*p != '\0') {
		n = utf8_seq(p, &cp);
		if (n == 0) {
			str_addf(&b, "\\x%02x", *p);
			p++;
			continue;
		}
		if (cp == '\\')
			str_add(&b, "\\\\");
		else if (cp == '\n')
			str_add(&b, "\\n");
		else if (cp == '\t')
			str_add(&b, "\\t");
		else if (cp < 0x20 || cp == 0x7f)
			str_addf(&b, "\\x%02x", (unsigned)cp);
		else if (cp >= 0x80 && cp < 0xa0) /* C1 controls, e.g. CSI */
			str_addf(&b, "\\u%04x", (unsigned)cp);
		else
			str_addn(&b, (const char *)p, n);
		p += n;
	}
	return str_take(&b);
}

void str_fputs_safe(const char *s, FILE *f)
{
	char *e = str_escape_term(s);
	fputs(e, f);
	free(e);
}
