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
 * Every value is checked here (numbers with units, keys, classes, ...), so
 * a query that parses always compiles to SQL; errors carry the byte offset
 * and the message says "at character N: ...".  Numbers are parsed without
 * the C library so the locale's decimal comma cannot change a query.
 *
 * Costs: linear in the text; nesting is limited to 32 levels.
 */
#include <ctype.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog_int.h"

enum ftype { FT_FREE, FT_LIKE, FT_TEXT, FT_NUM, FT_INT, FT_KEY, FT_MODE, FT_CLASS,
             FT_TAG, FT_STATUS, FT_BOOL, FT_SORT };
enum funit { U_NONE, U_TIME, U_RATE, U_SIZE, U_DB, U_CONF, U_BPM };

struct fdef {
	const char *name;
	int field, type, unit;
};

static const struct fdef fields[] = {
	{ "name", QF_NAME, FT_LIKE, U_NONE },
	{ "path", QF_PATH, FT_LIKE, U_NONE },
	{ "tag", QF_TAG, FT_TAG, U_NONE },
	{ "class", QF_CLASS, FT_CLASS, U_NONE },
	{ "conf", QF_CONF, FT_NUM, U_CONF },
	{ "keyconf", QF_KEYCONF, FT_NUM, U_CONF },
	{ "bpmconf", QF_BPMCONF, FT_NUM, U_CONF },
	{ "key", QF_KEY, FT_KEY, U_NONE },
	{ "mode", QF_MODE, FT_MODE, U_NONE },
	{ "bpm", QF_BPM, FT_NUM, U_BPM },
	{ "tempo", QF_BPM, FT_NUM, U_BPM },
	{ "dur", QF_DUR, FT_NUM, U_TIME },
	{ "len", QF_DUR, FT_NUM, U_TIME },
	{ "rate", QF_RATE, FT_NUM, U_RATE },
	{ "ch", QF_CH, FT_INT, U_NONE },
	{ "channels", QF_CH, FT_INT, U_NONE },
	{ "bits", QF_BITS, FT_INT, U_NONE },
	{ "format", QF_FORMAT, FT_TEXT, U_NONE },
	{ "codec", QF_CODEC, FT_TEXT, U_NONE },
	{ "lossless", QF_LOSSLESS, FT_BOOL, U_NONE },
	{ "status", QF_STATUS, FT_STATUS, U_NONE },
	{ "loud", QF_LOUD, FT_NUM, U_DB },
	{ "lufs", QF_LOUD, FT_NUM, U_DB },
	{ "peak", QF_PEAK, FT_NUM, U_DB },
	{ "lra", QF_LRA, FT_NUM, U_DB },
	{ "size", QF_SIZE, FT_NUM, U_SIZE },
	{ "meter", QF_METER, FT_INT, U_NONE },
	{ "id", QF_ID, FT_INT, U_NONE },
	{ "file", QF_FILE, FT_INT, U_NONE },
	{ "region", QF_REGION, FT_INT, U_NONE },
	{ "idx", QF_IDX, FT_INT, U_NONE },
	{ "regions", QF_NREG, FT_INT, U_NONE },
	{ "start", QF_START, FT_NUM, U_TIME },
	{ "end", QF_END, FT_NUM, U_TIME },
	{ "sort", QF_SORT, FT_SORT, U_NONE },
};

static const struct { const char *name; int field; } sort_names[] = {
	{ "name", QF_NAME }, { "path", QF_PATH }, { "dur", QF_DUR }, { "len", QF_DUR },
	{ "bpm", QF_BPM }, { "key", QF_KEY }, { "class", QF_CLASS }, { "conf", QF_CONF },
	{ "keyconf", QF_KEYCONF }, { "bpmconf", QF_BPMCONF }, { "rate", QF_RATE },
	{ "size", QF_SIZE }, { "loud", QF_LOUD }, { "peak", QF_PEAK }, { "lra", QF_LRA },
	{ "ch", QF_CH }, { "format", QF_FORMAT }, { "id", QF_ID }, { "start", QF_START },
	{ "date", QF_DATE }, { "regions", QF_NREG }, { "meter", QF_METER },
};

struct parser {
	struct qlex lex;
	struct qtoken tok;          /* lookahead */
	int have;                   /* tok is valid */
	struct cat_query *q;
	size_t *errpos;
	struct gr_err *err;
	int depth;
};

static int perr(struct parser *p, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int perr(struct parser *p, size_t pos, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	*p->errpos = pos;
	return gr_fail(p->err, GR_EUSAGE, "at character %zu: %s",
	               cat_lex_charno(p->lex.s, pos), msg);
}

static int peek(struct parser *p, struct qtoken **t)
{
	if (!p->have) {
		int r = cat_lex_next(&p->lex, &p->tok, p->errpos, p->err);
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

static struct qnode *node(int kind, size_t pos)
{
	struct qnode *n = xcalloc(1, sizeof(*n));
	n->kind = kind;
	n->pos = pos;
	return n;
}

static void node_free(struct qnode *n)
{
	while (n != NULL) {
		struct qnode *next = n->next;
		node_free(n->kid);
		free(n->text);
		free(n);
		n = next;
	}
}

static int lev(const char *a, const char *b)
{
	int d[16][16];
	int la = (int)strlen(a), lb = (int)strlen(b);

	if (la > 15 || lb > 15)
		return 99;
	for (int i = 0; i <= la; i++)
		d[i][0] = i;
	for (int j = 0; j <= lb; j++)
		d[0][j] = j;
	for (int i = 1; i <= la; i++)
		for (int j = 1; j <= lb; j++) {
			int v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

static const struct fdef *find_field(const char *name)
{
	for (size_t i = 0; i < GR_ARRAY_LEN(fields); i++)
		if (!strcmp(fields[i].name, name))
			return &fields[i];
	return NULL;
}

/* ---- numbers ----------------------------------------------------------- */

/*
 * Parse "[-+]digits[.digits]" at s; *step gets the value of one unit in
 * the last digit (1 for "120", 0.1 for "2.5").  Returns characters used,
 * 0 if there is no number.
 */
static size_t parse_number(const char *s, double *v, double *step)
{
	size_t i = 0, digits = 0;
	double sign = 1, x = 0, scale = 1;

	if (s[i] == '-' || s[i] == '+')
		sign = s[i++] == '-' ? -1 : 1;
	for (; isdigit((unsigned char)s[i]); i++, digits++)
		x = x * 10 + (s[i] - '0');
	if (s[i] == '.' && isdigit((unsigned char)s[i + 1])) {
		for (i++; isdigit((unsigned char)s[i]); i++, digits++) {
			scale /= 10;
			x += (s[i] - '0') * scale;
		}
	}
	if (digits == 0)
		return 0;
	*v = sign * x;
	*step = scale;
	return i;
}

static const struct { int unit; const char *suffix; double factor; } units[] = {
	{ U_TIME, "", 1 }, { U_TIME, "s", 1 }, { U_TIME, "sec", 1 }, { U_TIME, "ms", 0.001 },
	{ U_TIME, "m", 60 }, { U_TIME, "min", 60 }, { U_TIME, "h", 3600 },
	{ U_RATE, "", 1 }, { U_RATE, "hz", 1 }, { U_RATE, "k", 1000 }, { U_RATE, "khz", 1000 },
	{ U_SIZE, "", 1 }, { U_SIZE, "b", 1 }, { U_SIZE, "k", 1024 }, { U_SIZE, "kb", 1024 },
	{ U_SIZE, "kib", 1024 }, { U_SIZE, "m", 1048576 }, { U_SIZE, "mb", 1048576 },
	{ U_SIZE, "mib", 1048576 }, { U_SIZE, "g", 1073741824 }, { U_SIZE, "gb", 1073741824 },
	{ U_SIZE, "gib", 1073741824 },
	{ U_DB, "", 1 }, { U_DB, "db", 1 }, { U_DB, "dbfs", 1 }, { U_DB, "lufs", 1 },
	{ U_DB, "lu", 1 },
	{ U_CONF, "", 1 }, { U_CONF, "%", 0.01 },
	{ U_BPM, "", 1 }, { U_BPM, "bpm", 1 },
	{ U_NONE, "", 1 },
};

static const char *const unit_help[] = {
	[U_NONE] = "no unit", [U_TIME] = "s, ms, min or h", [U_RATE] = "Hz or k/kHz",
	[U_SIZE] = "B, k, M or G", [U_DB] = "dB or LUFS", [U_CONF] = "0..1 or %",
	[U_BPM] = "bpm",
};

/* A number with an optional unit at s (offset pos in the text). */
static int number(struct parser *p, const struct fdef *fd, const char *s, size_t pos,
                  const char *after, double *v, double *tol, size_t *used)
{
	double step;
	size_t n = parse_number(s, v, &step), u;
	char unit[8];

	if (n == 0)
		return perr(p, pos, "expected a number after '%s'", after);
	for (u = 0; isalpha((unsigned char)s[n + u]) || s[n + u] == '%'; u++)
		if (u < sizeof(unit) - 1)
			unit[u] = (char)tolower((unsigned char)s[n + u]);
	unit[u < sizeof(unit) - 1 ? u : sizeof(unit) - 1] = '\0';
	for (size_t i = 0; i < GR_ARRAY_LEN(units); i++) {
		if (units[i].unit == fd->unit && !strcmp(units[i].suffix, unit) &&
		    u < sizeof(unit)) {
			*v *= units[i].factor;
			*tol = step * units[i].factor / 2;
			*used = n + u;
			return 0;
		}
	}
	return perr(p, pos + n, "unknown unit '%s' (%s: takes %s)", unit, fd->name,
	            unit_help[fd->unit]);
}

static int finish_unit_err(struct parser *p, const struct fdef *fd, size_t pos)
{
	return perr(p, pos, "unexpected text in the value of '%s:' (%s)", fd->name,
	            unit_help[fd->unit]);
}

static int num_term(struct parser *p, const struct fdef *fd, struct qnode *n,
                    const char *v, size_t vpos)
{
	char after[32];
	double x, y, tol, tol2;
	size_t used, i = 0;
	int r;

	if (!strcasecmp(v, "none") && (fd->field == QF_BPM || fd->field == QF_CONF ||
	                               fd->field == QF_KEYCONF || fd->field == QF_BPMCONF)) {
		n->op = QO_NONE;
		return 0;
	}
	if (v[0] == '~') {
		if (fd->field != QF_BPM)
			return perr(p, vpos, "'~' (musically close) works with bpm: and key:, "
			            "not %s:", fd->name);
		snprintf(after, sizeof(after), "%s:~", fd->name);
		if ((r = number(p, fd, v + 1, vpos + 1, after, &x, &tol, &used)) != 0)
			return r;
		if (v[1 + used] != '\0')
			return finish_unit_err(p, fd, vpos + 1 + used);
		if (x <= 0)
			return perr(p, vpos + 1, "a tempo must be above 0");
		n->op = QO_APPROX;
		n->lo = x;
		return 0;
	}
	if (v[0] == '<' || v[0] == '>' || v[0] == '=') {
		int le = v[1] == '=';
		n->op = v[0] == '=' ? QO_EQ : v[0] == '<' ? (le ? QO_LE : QO_LT)
		                                          : (le ? QO_GE : QO_GT);
		i = v[0] != '=' && le ? 2 : 1;
		snprintf(after, sizeof(after), "%s:%.*s", fd->name, (int)i, v);
		if ((r = number(p, fd, v + i, vpos + i, after, &x, &tol, &used)) != 0)
			return r;
		if (v[i + used] != '\0')
			return finish_unit_err(p, fd, vpos + i + used);
		n->lo = n->hi = x;
		if (n->op == QO_EQ) {
			n->lo = x - (fd->type == FT_INT ? 0 : tol);
			n->hi = x + (fd->type == FT_INT ? 0 : tol);
		}
		return 0;
	}
	snprintf(after, sizeof(after), "%s:", fd->name);
	if (v[0] == '.' && v[1] == '.') {
		/* "..b": at most b */
		snprintf(after, sizeof(after), "%s:..", fd->name);
		if ((r = number(p, fd, v + 2, vpos + 2, after, &y, &tol2, &used)) != 0)
			return r;
		if (v[2 + used] != '\0')
			return finish_unit_err(p, fd, vpos + 2 + used);
		n->op = QO_LE;
		n->lo = n->hi = y;
		return 0;
	}
	if ((r = number(p, fd, v, vpos, after, &x, &tol, &used)) != 0)
		return r;
	i = used;
	if (v[i] == '.' && v[i + 1] == '.') {
		i += 2;
		if (v[i] == '\0') {
			n->op = QO_GE;
			n->lo = n->hi = x;
			return 0;
		}
		snprintf(after, sizeof(after), "%s:%.*s", fd->name, (int)(i > 20 ? 20 : i), v);
		if ((r = number(p, fd, v + i, vpos + i, after, &y, &tol2, &used)) != 0)
			return r;
		if (v[i + used] != '\0')
			return finish_unit_err(p, fd, vpos + i + used);
		if (y < x)
			return perr(p, vpos, "empty range: the first number is above the second");
		n->op = QO_RANGE;
		n->lo = x;
		n->hi = y;
		return 0;
	}
	if (v[i] != '\0')
		return finish_unit_err(p, fd, vpos + i);
	n->op = QO_EQ;
	n->lo = x - (fd->type == FT_INT ? 0 : tol);
	n->hi = x + (fd->type == FT_INT ? 0 : tol);
	return 0;
}

/* ---- terms ------------------------------------------------------------- */

static void key_compat(struct qnode *n, int k)
{
	int tonic = k % 12, minor = k >= 12;
	int rel = minor ? (tonic + 3) % 12 : (tonic + 9) % 12 + 12;

	n->keys[0] = k;
	n->keys[1] = rel;
	n->keys[2] = (tonic + 7) % 12 + 12 * minor;   /* a fifth up */
	n->keys[3] = (tonic + 5) % 12 + 12 * minor;   /* a fifth down */
	n->nkeys = 4;
}

static int yesno(const char *v)
{
	static const char *const yes[] = { "yes", "y", "true", "1", "on" };
	static const char *const no[] = { "no", "n", "false", "0", "off" };
	for (size_t i = 0; i < GR_ARRAY_LEN(yes); i++) {
		if (!strcasecmp(v, yes[i]))
			return 1;
		if (!strcasecmp(v, no[i]))
			return 0;
	}
	return -1;
}

/* Build a term node from field fd (NULL = free word) and value v. */
static int term(struct parser *p, const struct fdef *fd, char *v, size_t pos, size_t vpos,
                struct qnode **out)
{
	struct qnode *n = node(QN_TERM, pos);
	int r = 0, k;

	*out = NULL;
	n->field = fd != NULL ? fd->field : QF_FREE;
	if (v[0] == '\0') {
		free(v);
		free(n);
		if (fd == NULL)
			return perr(p, pos, "expected a term");
		return perr(p, vpos, "expected a value after '%s:'", fd->name);
	}
	switch (fd != NULL ? fd->type : FT_FREE) {
	case FT_FREE:
	case FT_LIKE:
	case FT_TEXT:
		n->op = QO_EQ;
		n->text = v;
		v = NULL;
		break;
	case FT_TAG:
		if (strlen(v) > 64) {
			r = perr(p, vpos, "a tag name is at most 64 bytes");
			break;
		}
		n->op = QO_EQ;
		n->text = v;
		v = NULL;
		break;
	case FT_NUM:
	case FT_INT:
		r = num_term(p, fd, n, v, vpos);
		break;
	case FT_KEY:
		if (!strcasecmp(v, "none")) {
			n->op = QO_NONE;
			break;
		}
		k = an_key_parse(v[0] == '~' ? v + 1 : v);
		if (k < 0) {
			r = perr(p, vpos + (v[0] == '~'), "'%s' is not a key (try Am, \"A minor\", "
			         "F#, Gb or 8A)", v[0] == '~' ? v + 1 : v);
			break;
		}
		n->op = QO_IN;
		if (v[0] == '~')
			key_compat(n, k);
		else
			n->keys[n->nkeys++] = k;
		break;
	case FT_MODE:
		if (!strcasecmp(v, "minor") || !strcasecmp(v, "min") || !strcmp(v, "m"))
			n->lo = 1;
		else if (!strcasecmp(v, "major") || !strcasecmp(v, "maj"))
			n->lo = 0;
		else
			r = perr(p, vpos, "mode is major or minor, not '%s'", v);
		n->op = QO_EQ;
		break;
	case FT_CLASS:
		n->op = QO_EQ;
		if (!strcasecmp(v, "none")) {
			n->op = QO_NONE;
			break;
		}
		if ((k = an_class_parse(v)) < 0) {
			r = perr(p, vpos, "unknown class '%s' (speech, singing, music, percussion, "
			         "ambience, noise, effect, silence)", v);
			break;
		}
		n->text = xstrdup(an_class_name(k));
		break;
	case FT_STATUS:
		n->op = QO_EQ;
		if (cat_status_parse(v) < 0 && strcmp(v, "missing") != 0) {
			r = perr(p, vpos, "status is ok, partial, failed or missing, not '%s'", v);
			break;
		}
		n->text = v;
		v = NULL;
		break;
	case FT_BOOL:
		n->op = QO_EQ;
		if ((k = yesno(v)) < 0)
			r = perr(p, vpos, "%s: takes yes or no, not '%s'", fd->name, v);
		n->lo = k;
		break;
	case FT_SORT:
		n->desc = v[0] == '-';
		n->op = -1;
		for (size_t i = 0; i < GR_ARRAY_LEN(sort_names); i++)
			if (!strcasecmp(sort_names[i].name, v + n->desc))
				n->op = sort_names[i].field;
		if (n->op < 0)
			r = perr(p, vpos + n->desc, "cannot sort by '%s' (name, path, dur, bpm, key, "
			         "class, conf, rate, size, loud, peak, date, ...)", v + n->desc);
		break;
	}
	free(v);
	if (r != 0) {
		node_free(n);
		return r;
	}
	*out = n;
	return 0;
}

/* A word token into a term; the token's value is consumed. */
static int word(struct parser *p, struct qtoken *t, const struct fdef *inherit,
                struct qnode **out)
{
	const struct fdef *fd = inherit;
	size_t pos = t->pos, vpos = t->vpos;
	char *v = t->value;

	t->value = NULL;
	if (t->field[0] != '\0') {
		fd = find_field(t->field);
		if (fd == NULL) {
			const char *best = NULL;
			int bd = 3;
			for (size_t i = 0; i < GR_ARRAY_LEN(fields); i++) {
				int d = lev(t->field, fields[i].name);
				if (d < bd) {
					bd = d;
					best = fields[i].name;
				}
			}
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
	return term(p, fd, v, pos, vpos, out);
}

static int parse_orlist(struct parser *p, struct qnode **out);

static int parse_unary(struct parser *p, const struct fdef *inherit, struct qnode **out)
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
		n = node(QN_NOT, pos);
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
		n = node(QN_AND, pos);
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
			node_free(n);
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
	const struct fdef *inherit = NULL;
	struct qnode *first, *n, *kid, **tail;
	struct qtoken *t;
	int r;

	if ((r = parse_unary(p, NULL, &first)) != 0)
		return r;
	if ((r = peek(p, &t)) != 0 || t->type != QT_COMMA) {
		if (r != 0)
			node_free(first);
		*out = r == 0 ? first : NULL;
		return r;
	}
	n = node(QN_OR, first->pos);
	n->kid = first;
	tail = &first->next;
	if (first->kind == QN_TERM && first->field != QF_FREE)
		for (size_t i = 0; i < GR_ARRAY_LEN(fields); i++)
			if (fields[i].field == first->field)
				inherit = &fields[i];
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
		node_free(n);
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
	p.errpos = errpos != NULL ? errpos : &dummy;
	p.err = err;
	q->root = node(QN_AND, 0);
	tail = &q->root->kid;
	for (;;) {
		if ((r = peek(&p, &t)) != 0 || t->type == QT_END)
			break;
		if (t->type == QT_WORD && !strcmp(t->field, "sort")) {
			/* sort terms live only at the top level */
			const struct fdef *fd = find_field("sort");
			size_t pos = t->pos, vpos = t->vpos;
			char *v = t->value;
			take(&p);
			t->value = NULL;
			if ((r = term(&p, fd, v, pos, vpos, &kid)) != 0)
				break;
			if (q->nsort < (int)GR_ARRAY_LEN(q->sort_field)) {
				q->sort_field[q->nsort] = kid->op;
				q->sort_desc[q->nsort++] = kid->desc;
			}
			node_free(kid);
			if ((r = peek(&p, &t)) != 0)
				break;
			if (t->type == QT_COMMA) {
				r = perr(&p, t->pos, "sort: stands alone (not with ',')");
				break;
			}
			continue;
		}
		if (t->type == QT_RPAREN) {
			r = perr(&p, t->pos, "unmatched ')'");
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
	node_free(q->root);
	free(q);
}

int cat_query_has_sort(const struct cat_query *q)
{
	return q != NULL && q->nsort > 0;
}
