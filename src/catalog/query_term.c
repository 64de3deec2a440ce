/*
 * query_term.c - the fields of the query language and the values of its
 * terms: numbers with units (locale-independent), comparisons and ranges,
 * keys (with compatible-key sets), classes, statuses, tags and sort keys.
 * query_parse.c calls cat_qterm() for each field:value word.
 *
 * Costs: linear in the value; no allocation except the node.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog_int.h"

enum ftype { FT_FREE, FT_LIKE, FT_TEXT, FT_NUM, FT_INT, FT_KEY, FT_MODE, FT_CLASS,
             FT_TAG, FT_STATUS, FT_BOOL, FT_SORT };
enum funit { U_NONE, U_TIME, U_RATE, U_SIZE, U_DB, U_CONF, U_BPM };

static const struct qfdef fields[] = {
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

int cat_qerr(struct qctx *x, size_t pos, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	*x->errpos = pos;
	return gr_fail(x->err, GR_EUSAGE, "at character %zu: %s",
	               cat_lex_charno(x->text, pos), msg);
}

struct qnode *cat_qnode_new(int kind, size_t pos)
{
	struct qnode *n = xcalloc(1, sizeof(*n));
	n->kind = kind;
	n->pos = pos;
	return n;
}

void cat_qnode_free(struct qnode *n)
{
	while (n != NULL) {
		struct qnode *next = n->next;
		cat_qnode_free(n->kid);
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

const struct qfdef *cat_qfield(const char *name)
{
	for (size_t i = 0; i < GR_ARRAY_LEN(fields); i++)
		if (!strcmp(fields[i].name, name))
			return &fields[i];
	return NULL;
}

const struct qfdef *cat_qfield_of(int field)
{
	for (size_t i = 0; i < GR_ARRAY_LEN(fields); i++)
		if (fields[i].field == field)
			return &fields[i];
	return NULL;
}

const char *cat_qfield_suggest(const char *name)
{
	const char *best = NULL;
	int bd = 3;

	for (size_t i = 0; i < GR_ARRAY_LEN(fields); i++) {
		int d = lev(name, fields[i].name);
		if (d < bd) {
			bd = d;
			best = fields[i].name;
		}
	}
	return best;
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
static int number(struct qctx *p, const struct qfdef *fd, const char *s, size_t pos,
                  const char *after, double *v, double *tol, size_t *used)
{
	double step;
	size_t n = parse_number(s, v, &step), u;
	char unit[8];

	if (n == 0)
		return cat_qerr(p, pos, "expected a number after '%s'", after);
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
	return cat_qerr(p, pos + n, "unknown unit '%s' (%s: takes %s)", unit, fd->name,
	            unit_help[fd->unit]);
}

static int finish_unit_err(struct qctx *p, const struct qfdef *fd, size_t pos)
{
	return cat_qerr(p, pos, "unexpected text in the value of '%s:' (%s)", fd->name,
	            unit_help[fd->unit]);
}

static int num_term_raw(struct qctx *p, const struct qfdef *fd, struct qnode *n,
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
			return cat_qerr(p, vpos, "'~' (musically close) works with bpm: and key:, "
			            "not %s:", fd->name);
		snprintf(after, sizeof(after), "%s:~", fd->name);
		if ((r = number(p, fd, v + 1, vpos + 1, after, &x, &tol, &used)) != 0)
			return r;
		if (v[1 + used] != '\0')
			return finish_unit_err(p, fd, vpos + 1 + used);
		if (x <= 0)
			return cat_qerr(p, vpos + 1, "a tempo must be above 0");
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
			return cat_qerr(p, vpos, "empty range: the first number is above the second");
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

/*
 * Values such as confidences are stored from float32, so 0.7 comes back
 * as 0.69999998: widen bounds of non-integer fields by a relative 1e-6 so
 * conf:>=0.7 keeps what the user sees printed as 0.70.
 */
static int num_term(struct qctx *p, const struct qfdef *fd, struct qnode *n,
                    const char *v, size_t vpos)
{
	int r = num_term_raw(p, fd, n, v, vpos);
	double e;

	if (r != 0 || fd->type == FT_INT)
		return r;
	e = 1e-6 * fmax(1.0, fmax(fabs(n->lo), fabs(n->hi)));
	switch (n->op) {
	case QO_LT: n->lo -= e; break;
	case QO_LE: n->lo += e; break;
	case QO_GT: n->lo += e; break;
	case QO_GE: n->lo -= e; break;
	case QO_EQ:
	case QO_RANGE: n->lo -= e; n->hi += e; break;
	}
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
int cat_qterm(struct qctx *p, const struct qfdef *fd, char *v, size_t pos, size_t vpos,
              struct qnode **out)
{
	struct qnode *n = cat_qnode_new(QN_TERM, pos);
	int r = 0, k;

	*out = NULL;
	n->field = fd != NULL ? fd->field : QF_FREE;
	if (v[0] == '\0') {
		free(v);
		free(n);
		if (fd == NULL)
			return cat_qerr(p, pos, "expected a term");
		return cat_qerr(p, vpos, "expected a value after '%s:'", fd->name);
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
			r = cat_qerr(p, vpos, "a tag name is at most 64 bytes");
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
			r = cat_qerr(p, vpos + (v[0] == '~'), "'%s' is not a key (try Am, \"A minor\", "
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
			r = cat_qerr(p, vpos, "mode is major or minor, not '%s'", v);
		n->op = QO_EQ;
		break;
	case FT_CLASS:
		n->op = QO_EQ;
		if (!strcasecmp(v, "none")) {
			n->op = QO_NONE;
			break;
		}
		if ((k = an_class_parse(v)) < 0) {
			r = cat_qerr(p, vpos, "unknown class '%s' (speech, singing, music, percussion, "
			         "ambience, noise, effect, silence)", v);
			break;
		}
		n->text = xstrdup(an_class_name(k));
		break;
	case FT_STATUS:
		n->op = QO_EQ;
		if (cat_status_parse(v) < 0 && strcmp(v, "missing") != 0) {
			r = cat_qerr(p, vpos, "status is ok, partial, failed or missing, not '%s'", v);
			break;
		}
		n->text = v;
		v = NULL;
		break;
	case FT_BOOL:
		n->op = QO_EQ;
		if ((k = yesno(v)) < 0)
			r = cat_qerr(p, vpos, "%s: takes yes or no, not '%s'", fd->name, v);
		n->lo = k;
		break;
	case FT_SORT:
		n->desc = v[0] == '-';
		n->op = -1;
		for (size_t i = 0; i < GR_ARRAY_LEN(sort_names); i++)
			if (!strcasecmp(sort_names[i].name, v + n->desc))
				n->op = sort_names[i].field;
		if (n->op < 0)
			r = cat_qerr(p, vpos + n->desc, "cannot sort by '%s' (name, path, dur, bpm, key, "
			         "class, conf, rate, size, loud, peak, date, ...)", v + n->desc);
		break;
	}
	free(v);
	if (r != 0) {
		cat_qnode_free(n);
		return r;
	}
	*out = n;
	return 0;
}
