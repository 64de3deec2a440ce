/*
 * query_lex.c - the lexer of the query language.
 *
 * Tokens: words ("kick", "bpm:118..124", "key:\"A minor\"", "\"two words\""),
 * ',' (OR), '(' and ')', and '-' at the start of a term (NOT).  A word that
 * starts with letters and a colon is a field term; the field name is
 * returned lower-cased and the value separately, unquoted and unescaped.
 * Inside double quotes, \" and \\ are escapes and ',', '(', ')' and spaces
 * are ordinary characters.  Positions are byte offsets into the text.
 *
 * Costs: linear in the text; one allocation per word.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "catalog_int.h"

size_t cat_lex_charno(const char *s, size_t pos)
{
	size_t n = 1;

	/* count UTF-8 lead bytes before pos: the user counts characters */
	for (size_t i = 0; i < pos && s[i] != '\0'; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

static int ends_word(char ch)
{
	return ch == '\0' || isspace((unsigned char)ch) || ch == ',' || ch == '(' || ch == ')';
}

int cat_lex_next(struct qlex *l, struct qtoken *t, size_t *errpos, struct gr_err *err)
{
	const char *s = l->s;
	size_t p = l->pos, start, f, qpos = 0;
	struct str v;
	int inq = 0;

	memset(t, 0, sizeof(*t));
	while (isspace((unsigned char)s[p]))
		p++;
	t->pos = p;
	switch (s[p]) {
	case '\0':
		t->type = QT_END;
		l->pos = p;
		return 0;
	case ',':
		t->type = QT_COMMA;
		l->pos = p + 1;
		return 0;
	case '(':
		t->type = QT_LPAREN;
		l->pos = p + 1;
		return 0;
	case ')':
		t->type = QT_RPAREN;
		l->pos = p + 1;
		return 0;
	case '-': {
		size_t k = 1;
		while (s[p + k] == '-')
			k++;
		/* "--" alone is a word (think of pasted SQL comments); "-" alone is not */
		if (k >= 2 && ends_word(s[p + k]))
			break;
		if (ends_word(s[p + 1]) && s[p + 1] != '(') {
			*errpos = p;
			return gr_fail(err, GR_EUSAGE, "at character %zu: expected a term after '-'",
			               cat_lex_charno(s, p));
		}
		t->type = QT_NOT;
		l->pos = p + 1;
		return 0;
	}
	}
	t->type = QT_WORD;
	/* field prefix: letters then ':' */
	for (f = p; isalpha((unsigned char)s[f]); f++)
		;
	start = p;
	if (f > p && s[f] == ':') {
		size_t n = f - p < sizeof(t->field) - 1 ? f - p : sizeof(t->field) - 1;
		for (size_t i = 0; i < n; i++)
			t->field[i] = (char)tolower((unsigned char)s[p + i]);
		start = f + 1;
	}
	t->vpos = start;
	str_init(&v);
	str_add(&v, "");
	for (p = start; inq || !ends_word(s[p]); p++) {
		if (s[p] == '\0') {
			*errpos = qpos;
			str_fini(&v);
			return gr_fail(err, GR_EUSAGE, "at character %zu: unterminated quote",
			               cat_lex_charno(s, qpos));
		}
		if (s[p] == '"') {
			if (!inq)
				qpos = p;
			inq = !inq;
			t->quoted = 1;
			continue;
		}
		if (inq && s[p] == '\\' && (s[p + 1] == '"' || s[p + 1] == '\\'))
			p++;
		str_addn(&v, s + p, 1);
	}
	t->value = str_take(&v);
	l->pos = p;
	return 0;
}
