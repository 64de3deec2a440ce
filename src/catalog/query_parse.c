/*
 * query_parse.c - recursive-descent parser of the query language into an
 * AST of AND / OR / NOT / term nodes (see catalog.h for the syntax).
 *
 * Grammar:
 *   query   := { item }                       implicit AND; sort: only here
 *   item    := orlist
 *   orlist  := unary { ',' unary }            a bare word after a field term
 *                                             inherits its field
 *   unary   := '-' unary | primary
 *   primary := '(' { orlist } ')' | WORD
 *
 * Every value is checked while parsing (query_term.c: numbers with units,
 * keys, classes, ...), so a query that parses always compiles to SQL;
 * errors carry the byte offset and say "at character N: ...".
 *
 * Costs: linear in the text; nesting is limited to 32 levels.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog_int.h"

struct parser {
	struct qlex lex;
	struct qtoken tok;          /* lookahead */
	int have;                   /* tok is valid */
	struct cat_query *q;
	struct qctx x;              /* text, error position and message */
	int depth;
};

#define perr(p, ...) cat_qerr(&(p)->x, __VA_ARGS__)

static int peek(struct parser *p, struct qtoken **t)
{
	if (!p->have) {
		int r = cat_lex_next(&p->lex, &p->tok, p->x.errpos, p->x.err);
		if (r != 0)
			return r;
		p->have = 1;
	}
	*t = &p->tok;
	return 0;
}

/* Consume the lookahead; the caller takes t->value (free() it). */
static void take(struct parser *p)
{
	p->have = 0;
}

/* A word token into a term; the token's value is consumed. */
static int word(struct parser *p, struct qtoken *t, const struct qfdef *inherit,
                struct qnode **out)
{
	const struct qfdef *fd = inherit;
	size_t pos = t->pos, vpos = t->vpos;
	char *v = t->value;

	t->value = NULL;
	if (t->field[0] != '\0') {
		fd = cat_qfield(t->field);
		if (fd == NULL) {
			const char *best = cat_qfield_suggest(t->field);
			free(v);
			if (best != NULL)
				return perr(p, pos, "unknown field '%s:' (did you mean '%s:'?)",
				            t->field, best);
			return perr(p, pos, "unknown field '%s:' (quote a word that contains ':')",
			            t->field);
		}
	}
	if (fd != NULL && fd->field == QF_SORT) {
		free(v);
		return perr(p, pos, "sort: stands alone (not after '-', in parentheses or "
		            "with ',')");
	}
	return cat_qterm(&p->x, fd, v, pos, vpos, out);
}

static int parse_orlist(struct parser *p, struct qnode **out);

static int parse_unary(struct parser *p, const struct qfdef *inherit, struct qnode **out)
{
	struct qtoken *t;
	struct qnode *n, *kid, **tail;
	size_t pos;
	int r;

	*out = NULL;
	if ((r = peek(p, &t)) != 0)
		return r;
	pos = t->pos;
	switch (t->type) {
	case QT_NOT:
		take(p);
		if ((r = parse_unary(p, NULL, &kid)) != 0)
			return r;
		n = cat_qnode_new(QN_NOT, pos);
		n->kid = kid;
		*out = n;
		return 0;
	case QT_WORD:
		take(p);
		return word(p, t, t->field[0] == '\0' ? inherit : NULL, out);
	case QT_LPAREN:
		take(p);
		if (++p->depth > 32)
			return perr(p, pos, "parentheses nested too deeply");
		n = cat_qnode_new(QN_AND, pos);
		tail = &n->kid;
		for (;;) {
			if ((r = peek(p, &t)) != 0)
				break;
			if (t->type == QT_RPAREN) {
				take(p);
				break;
			}
			if (t->type == QT_END) {
				char num[24];
				snprintf(num, sizeof(num), "%zu", cat_lex_charno(p->lex.s, pos));
				r = perr(p, t->pos, "expected ')' to close the '(' at character %s",
				         num);
				break;
			}
			if ((r = parse_orlist(p, &kid)) != 0)
				break;
			*tail = kid;
			tail = &kid->next;
		}
		p->depth--;
		if (r == 0 && n->kid == NULL)
			r = perr(p, pos, "expected a term inside '()'");
		if (r != 0) {
			cat_qnode_free(n);
			return r;
		}
		*out = n;
		return 0;
	case QT_COMMA:
		return perr(p, pos, "expected a term before ','");
	case QT_RPAREN:
		return perr(p, pos, "unmatched ')'");
	default:
		return perr(p, pos, "expected a term");
	}
}

static int parse_orlist(struct parser *p, struct qnode **out)
{
	const struct qfdef *inherit = NULL;
	struct qnode *first, *n, *kid, **tail;
	struct qtoken *t;
	int r;

	if ((r = parse_unary(p, NULL, &first)) != 0)
		return r;
	if ((r = peek(p, &t)) != 0 || t->type != QT_COMMA) {
		if (r != 0)
			cat_qnode_free(first);
		*out = r == 0 ? first : NULL;
		return r;
	}
	n = cat_qnode_new(QN_OR, first->pos);
	n->kid = first;
	tail = &first->next;
	if (first->kind == QN_TERM && first->field != QF_FREE)
		inherit = cat_qfield_of(first->field);
	while ((r = peek(p, &t)) == 0 && t->type == QT_COMMA) {
		size_t cpos = t->pos;
		take(p);
		if ((r = peek(p, &t)) != 0)
			break;
		if (t->type == QT_END || t->type == QT_RPAREN || t->type == QT_COMMA) {
			r = perr(p, cpos, "expected a term after ','");
			break;
		}
		if ((r = parse_unary(p, inherit, &kid)) != 0)
			break;
		*tail = kid;
		tail = &kid->next;
	}
	if (r != 0) {
		cat_qnode_free(n);
		return r;
	}
	*out = n;
	return 0;
}

struct cat_query *cat_query_parse(const char *text, size_t *errpos, struct gr_err *err)
{
	struct cat_query *q = xcalloc(1, sizeof(*q));
	struct parser p;
	struct qnode **tail, *kid;
	struct qtoken *t;
	size_t dummy;
	int r = 0;

	memset(&p, 0, sizeof(p));
	p.lex.s = text != NULL ? text : "";
	p.q = q;
	p.x.text = p.lex.s;
	p.x.errpos = errpos != NULL ? errpos : &dummy;
	p.x.err = err;
	q->root = cat_qnode_new(QN_AND, 0);
	tail = &q->root->kid;
	for (;;) {
		if ((r = peek(&p, &t)) != 0 || t->type == QT_END)
			break;
		if (t->type == QT_WORD && !strcmp(t->field, "sort")) {
			/* sort terms live only at the top level */
			const struct qfdef *fd = cat_qfield("sort");
			size_t pos = t->pos, vpos = t->vpos;
			char *v = t->value;
			take(&p);
			t->value = NULL;
			if ((r = cat_qterm(&p.x, fd, v, pos, vpos, &kid)) != 0)
				break;
			if (q->nsort < (int)GR_ARRAY_LEN(q->sort_field)) {
				q->sort_field[q->nsort] = kid->op;
				q->sort_desc[q->nsort++] = kid->desc;
			}
			cat_qnode_free(kid);
			if ((r = peek(&p, &t)) != 0)
				break;
			if (t->type == QT_COMMA) {
				r = cat_qerr(&p.x, t->pos, "sort: stands alone (not with ',')");
				break;
			}
			continue;
		}
		if (t->type == QT_RPAREN) {
			r = cat_qerr(&p.x, t->pos, "unmatched ')'");
			break;
		}
		if ((r = parse_orlist(&p, &kid)) != 0)
			break;
		*tail = kid;
		tail = &kid->next;
	}
	if (p.have)
		free(p.tok.value);
	if (r != 0) {
		cat_query_free(q);
		return NULL;
	}
	if (q->root->kid == NULL)
		q->root->kind = QN_TRUE;
	return q;
}

void cat_query_free(struct cat_query *q)
{
	if (q == NULL)
		return;
	cat_qnode_free(q->root);
	free(q);
}

int cat_query_has_sort(const struct cat_query *q)
{
	return q != NULL && q->nsort > 0;
}
