/*
 * config.c - the option table, YAML loading with libyaml, and the
 * documented default file.
 *
 * One table (opts[]) names every option: section.key, type, where it lives
 * in struct gr_config, its default, its range and its help text.  The
 * loader walks libyaml's event stream (two levels: section mapping, then
 * option mapping; "keys:" is a mapping of key names to commands), checks
 * each scalar against the table and reports file:line:column on any
 * mismatch.  Loading is all-or-nothing: values are parsed into a copy and
 * only copied back when the whole file is valid.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yaml.h>

#include "grym/config.h"
#include "grym/util.h"

enum opt_type { OPT_INT, OPT_FLOAT, OPT_BOOL, OPT_STRING, OPT_ENUM };

struct opt {
	const char *section;
	const char *key;
	enum opt_type type;
	size_t off;             /* offsetof(struct gr_config, field) */
	size_t size;            /* for strings: buffer size */
	const char *def;        /* default, as written in YAML */
	double min, max;        /* range for numbers */
	const char *const *names; /* for enums: NULL-terminated */
	const char *help;
};

static const char *const key_spellings[] = { "sharps", "flats", NULL };
static const char *const key_notations[] = { "standard", "camelot", "openkey", NULL };

#define F(field) offsetof(struct gr_config, field), sizeof(((struct gr_config *)0)->field)

static const struct opt opts[] = {
	{ "analysis", "rate", OPT_INT, F(rate), "22050", 8000, 48000, NULL,
	  "analysis sample rate in Hz; files are mixed to mono and resampled to it" },
	{ "analysis", "fft_size", OPT_INT, F(fft_size), "2048", 256, 16384, NULL,
	  "STFT size in samples at the analysis rate (a power of two)" },
	{ "analysis", "hop", OPT_INT, F(hop), "512", 64, 4096, NULL,
	  "STFT hop in samples; one feature frame per hop" },
	{ "analysis", "silence_threshold", OPT_FLOAT, F(silence_db), "-50", -120, 0, NULL,
	  "dBFS: frames quieter than this (minus the hysteresis) are silence" },
	{ "analysis", "hysteresis", OPT_FLOAT, F(hysteresis_db), "6", 0, 40, NULL,
	  "dB: sound starts above the threshold, ends below threshold - hysteresis" },
	{ "analysis", "min_silence", OPT_FLOAT, F(min_silence), "0.3", 0.01, 60, NULL,
	  "seconds: shorter quiet stretches do not split a region" },
	{ "analysis", "min_region", OPT_FLOAT, F(min_region), "0.05", 0, 60, NULL,
	  "seconds: shorter regions are dropped" },
	{ "analysis", "padding", OPT_FLOAT, F(padding), "0.01", 0, 5, NULL,
	  "seconds of context added before and after each region" },
	{ "analysis", "resample_quality", OPT_INT, F(resample_quality), "2", 0, 4, NULL,
	  "libsamplerate converter: 0 best, 1 medium, 2 fastest sinc, 3 hold, 4 linear" },
	{ "scan", "workers", OPT_INT, F(workers), "0", 0, 256, NULL,
	  "worker processes for scans; 0 means one per core" },
	{ "scan", "job_timeout", OPT_FLOAT, F(job_timeout), "300", 1, 86400, NULL,
	  "seconds of wall time one file may take before its worker is stopped" },
	{ "scan", "breaker", OPT_INT, F(breaker), "5", 0, 1000, NULL,
	  "a plugin that fails on this many files in a row is switched off (0 never)" },
	{ "scan", "worker_memory", OPT_INT, F(max_file_mb), "2048", 64, 1048576, NULL,
	  "address-space limit of one worker process, MiB" },
	{ "catalog", "path", OPT_STRING, F(catalog), "", 0, 0, NULL,
	  "SQLite catalog; empty means $XDG_DATA_HOME/grym/catalog.db" },
	{ "display", "theme", OPT_STRING, F(theme), "default", 0, 0, NULL,
	  "colour theme: a name from themes/ or the user's config folder" },
	{ "display", "key_spelling", OPT_ENUM, F(key_flats), "sharps", 0, 0, key_spellings,
	  "sharps: F# major, D# minor; flats: Gb major, Eb minor; others by key signature (Bb, C#m)" },
	{ "display", "key_notation", OPT_ENUM, F(key_notation), "standard", 0, 0, key_notations,
	  "show keys as standard names, Camelot (8A) or Open Key (1m)" },
	{ "display", "ascii", OPT_BOOL, F(ascii), "false", 0, 0, NULL,
	  "draw with plain ASCII even when the locale is UTF-8" },
	{ "play", "device", OPT_STRING, F(device), "", 0, 0, NULL,
	  "output device name (see `grym devices`); empty means the default" },
	{ "play", "latency_ms", OPT_FLOAT, F(latency_ms), "50", 1, 2000, NULL,
	  "suggested output latency in milliseconds" },
	{ "play", "level_match", OPT_BOOL, F(level_match), "true", 0, 0, NULL,
	  "play every sound at about the same loudness (never clipping)" },
	{ "play", "preview_lufs", OPT_FLOAT, F(preview_lufs), "-16", -60, 0, NULL,
	  "target loudness of level-matched preview, LUFS" },
	{ "play", "auto_preview", OPT_BOOL, F(auto_preview), "false", 0, 0, NULL,
	  "start playing the selection whenever it changes in the browser" },
	{ "play", "volume", OPT_FLOAT, F(volume), "0.8", 0, 1, NULL,
	  "output volume, 0..1" },
};

/* Default key bindings (the "keys:" section adds to or replaces these). */
static const struct gr_keybind default_keys[] = {
	{ "j", "down" }, { "down", "down" }, { "k", "up" }, { "up", "up" },
	{ "pgdn", "page-down" }, { "pgup", "page-up" }, { "g", "top" }, { "G", "bottom" },
	{ "enter", "focus-detail" }, { "tab", "switch-pane" },
	{ "[", "prev-region" }, { "]", "next-region" },
	{ "+", "zoom-in" }, { "-", "zoom-out" }, { "h", "pan-left" }, { "l", "pan-right" },
	{ "/", "filter" }, { "n", "next-match" }, { "N", "prev-match" },
	{ "space", "play" }, { "L", "loop" }, { "(", "volume-down" }, { ")", "volume-up" },
	{ "P", "preview" }, { "t", "tag" }, { "e", "export" }, { "r", "reanalyse" },
	{ "a", "scan" }, { "s", "similar" }, { "?", "help" }, { ":", "command" },
	{ "q", "quit" },
};

static int parse_value(const struct opt *o, const char *v, struct gr_config *c,
                       char *why, size_t whylen)
{
	char *end;
	void *p = (char *)c + o->off;

	switch (o->type) {
	case OPT_INT: {
		errno = 0;
		long x = strtol(v, &end, 10);
		if (errno != 0 || end == v || *end != '\0') {
			snprintf(why, whylen, "expected an integer, got '%s'", v);
			return -1;
		}
		if (x < o->min || x > o->max) {
			snprintf(why, whylen, "%ld is out of range %g..%g", x, o->min, o->max);
			return -1;
		}
		*(int *)p = (int)x;
		return 0;
	}
	case OPT_FLOAT: {
		errno = 0;
		double x = strtod(v, &end);
		if (errno != 0 || end == v || *end != '\0' || !isfinite(x)) {
			snprintf(why, whylen, "expected a number, got '%s'", v);
			return -1;
		}
		if (x < o->min || x > o->max) {
			snprintf(why, whylen, "%g is out of range %g..%g", x, o->min, o->max);
			return -1;
		}
		*(double *)p = x;
		return 0;
	}
	case OPT_BOOL:
		if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on")) {
			*(int *)p = 1;
			return 0;
		}
		if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off")) {
			*(int *)p = 0;
			return 0;
		}
		snprintf(why, whylen, "expected true or false, got '%s'", v);
		return -1;
	case OPT_STRING:
		if (strlen(v) >= o->size) {
			snprintf(why, whylen, "value is longer than %zu bytes", o->size - 1);
			return -1;
		}
		memcpy(p, v, strlen(v) + 1);
		return 0;
	case OPT_ENUM:
		for (int i = 0; o->names[i] != NULL; i++) {
			if (!strcmp(v, o->names[i])) {
				*(int *)p = i;
				return 0;
			}
		}
		snprintf(why, whylen, "expected one of");
		for (int i = 0; o->names[i] != NULL; i++)
			snprintf(why + strlen(why), whylen - strlen(why), "%s %s",
			         i ? "," : "", o->names[i]);
		return -1;
	}
	return -1;
}

void config_defaults(struct gr_config *c)
{
	char why[128];

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < GR_ARRAY_LEN(opts); i++)
		if (parse_value(&opts[i], opts[i].def, c, why, sizeof(why)) != 0)
			abort(); /* a bad default is a programming error */
	c->n_keys = (int)GR_ARRAY_LEN(default_keys);
	memcpy(c->keys, default_keys, sizeof(default_keys));
}

static const struct opt *find_opt(const char *section, const char *key)
{
	for (size_t i = 0; i < GR_ARRAY_LEN(opts); i++)
		if (!strcmp(opts[i].section, section) && !strcmp(opts[i].key, key))
			return &opts[i];
	return NULL;
}

static int known_section(const char *s)
{
	for (size_t i = 0; i < GR_ARRAY_LEN(opts); i++)
		if (!strcmp(opts[i].section, s))
			return 1;
	return !strcmp(s, "keys");
}

static int set_key(struct gr_config *c, const char *key, const char *cmd,
                   char *why, size_t whylen)
{
	if (strlen(key) >= sizeof(c->keys[0].key) || key[0] == '\0') {
		snprintf(why, whylen, "bad key name '%s'", key);
		return -1;
	}
	if (strlen(cmd) >= sizeof(c->keys[0].command) || cmd[0] == '\0') {
		snprintf(why, whylen, "bad command for key '%s'", key);
		return -1;
	}
	for (int i = 0; i < c->n_keys; i++) {
		if (!strcmp(c->keys[i].key, key)) {
			str_lcpy(c->keys[i].command, cmd, sizeof(c->keys[i].command));
			return 0;
		}
	}
	if (c->n_keys >= GR_KEYMAP_MAX) {
		snprintf(why, whylen, "too many key bindings (at most %d)", GR_KEYMAP_MAX);
		return -1;
	}
	str_lcpy(c->keys[c->n_keys].key, key, sizeof(c->keys[0].key));
	str_lcpy(c->keys[c->n_keys].command, cmd, sizeof(c->keys[0].command));
	c->n_keys++;
	return 0;
}

/*
 * The event walk.  Depth 0: the document's top mapping, whose keys are
 * sections; depth 1: a section's mapping of option: scalar.
 */
int config_load_string(struct gr_config *c, const char *yaml, size_t len,
                       const char *name, struct gr_err *err)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	struct gr_config tmp = *c;
	char section[64] = "", key[64] = "", why[200];
	int depth = 0, expect_key = 1, rc = 0, done = 0;
	size_t line = 0, col = 0;

	if (!yaml_parser_initialize(&parser))
		return gr_fail(err, GR_ENOMEM, "%s: cannot start the YAML parser", name);
	yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, len);

	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			rc = gr_fail(err, GR_EUSAGE, "%s:%zu:%zu: %s", name,
			             parser.problem_mark.line + 1, parser.problem_mark.column + 1,
			             parser.problem ? parser.problem : "YAML syntax error");
			break;
		}
		line = ev.start_mark.line + 1;
		col = ev.start_mark.column + 1;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_MAPPING_START_EVENT:
			if (depth == 0 && section[0] == '\0') {
				depth = 1;            /* top mapping */
			} else if (depth == 1 && section[0] != '\0') {
				depth = 2;            /* a section's mapping */
			} else {
				rc = gr_fail(err, GR_EUSAGE, "%s:%zu:%zu: unexpected nested mapping",
				             name, line, col);
			}
			expect_key = 1;
			break;
		case YAML_MAPPING_END_EVENT:
			if (depth == 2) {
				section[0] = '\0';
				depth = 1;
			} else {
				depth = 0;
			}
			expect_key = 1;
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_ALIAS_EVENT:
			rc = gr_fail(err, GR_EUSAGE, "%s:%zu:%zu: lists and aliases are not options",
			             name, line, col);
			break;
		case YAML_SCALAR_EVENT: {
			const char *v = (const char *)ev.data.scalar.value;
			if (depth == 1) {
				if (expect_key) {
					if (!known_section(v)) {
						rc = gr_fail(err, GR_EUSAGE, "%s:%zu:%zu: unknown section '%.60s'",
						             name, line, col, v);
						break;
					}
					str_lcpy(section, v, sizeof(section));
					expect_key = 0;
				} else {
					rc = gr_fail(err, GR_EUSAGE,
					             "%s:%zu:%zu: section '%s' must be a mapping of options",
					             name, line, col, section);
				}
			} else if (depth == 2) {
				if (expect_key) {
					str_lcpy(key, v, sizeof(key));
					if (strcmp(section, "keys") && find_opt(section, key) == NULL) {
						rc = gr_fail(err, GR_EUSAGE, "%s:%zu:%zu: unknown option '%s.%.60s'",
						             name, line, col, section, v);
						break;
					}
					expect_key = 0;
				} else {
					int bad;
					if (!strcmp(section, "keys"))
						bad = set_key(&tmp, key, v, why, sizeof(why));
					else
						bad = parse_value(find_opt(section, key), v, &tmp, why, sizeof(why));
					if (bad)
						rc = gr_fail(err, GR_EUSAGE, "%s:%zu:%zu: %s.%s: %s", name, line,
						             col, section, key, why);
					expect_key = 1;
				}
			} else {
				/* an empty document is a plain scalar or nothing: allow "" only */
				if (ev.data.scalar.length != 0)
					rc = gr_fail(err, GR_EUSAGE,
					             "%s:%zu:%zu: expected a mapping of sections", name, line, col);
			}
			break;
		}
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (rc != 0)
			break;
	}
	yaml_parser_delete(&parser);
	if (rc == 0) {
		if (tmp.hop > tmp.fft_size) {
			return gr_fail(err, GR_EUSAGE, "%s: analysis.hop (%d) must not exceed "
			               "analysis.fft_size (%d)", name, tmp.hop, tmp.fft_size);
		}
		if ((tmp.fft_size & (tmp.fft_size - 1)) != 0)
			return gr_fail(err, GR_EUSAGE, "%s: analysis.fft_size (%d) must be a power of two",
			               name, tmp.fft_size);
		*c = tmp;
		str_lcpy(c->loaded_from, name, sizeof(c->loaded_from));
	}
	return rc;
}

int config_load_file(struct gr_config *c, const char *path, struct gr_err *err)
{
	FILE *f = fopen(path, "rb");
	struct str b;
	char buf[4096];
	size_t n;
	int rc;

	if (f == NULL)
		return gr_fail(err, GR_EIO, "%s: %s", path, strerror(errno));
	str_init(&b);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (b.len + n > (1u << 20)) {
			fclose(f);
			str_fini(&b);
			return gr_fail(err, GR_ETOOBIG, "%s: larger than 1 MiB", path);
		}
		str_addn(&b, buf, n);
	}
	fclose(f);
	rc = config_load_string(c, b.s ? b.s : "", b.len, path, err);
	str_fini(&b);
	return rc;
}

int config_init(struct gr_config *c, const char *explicit_path, struct gr_err *err)
{
	const char *env;
	int rc = 0;

	config_defaults(c);
	if (explicit_path != NULL) {
		rc = config_load_file(c, explicit_path, err);
	} else {
		char *dir = path_config_dir();
		char *p = xasprintf("%s/config.yaml", dir);
		if (access(p, F_OK) == 0)
			rc = config_load_file(c, p, err);
		free(p);
		free(dir);
	}
	if (rc != 0)
		return rc;
	env = getenv("GRYM_CATALOG");
	if (env != NULL && env[0] != '\0')
		str_lcpy(c->catalog, env, sizeof(c->catalog));
	if (c->catalog[0] == '\0') {
		char *dir = path_data_dir();
		snprintf(c->catalog, sizeof(c->catalog), "%s/catalog.db", dir);
		free(dir);
	} else {
		char *p = path_expand(c->catalog);
		str_lcpy(c->catalog, p, sizeof(c->catalog));
		free(p);
	}
	return 0;
}

static void write_value(const struct opt *o, const struct gr_config *c, FILE *f)
{
	const void *p = (const char *)c + o->off;
	switch (o->type) {
	case OPT_INT: fprintf(f, "%d", *(const int *)p); break;
	case OPT_FLOAT: fprintf(f, "%g", *(const double *)p); break;
	case OPT_BOOL: fputs(*(const int *)p ? "true" : "false", f); break;
	case OPT_ENUM: fputs(o->names[*(const int *)p], f); break;
	case OPT_STRING: {
		struct str b;
		str_init(&b);
		str_add_json(&b, (const char *)p);  /* a JSON string is a YAML string */
		fputs(b.s, f);
		str_fini(&b);
		break;
	}
	}
}

/* 1 when s can be written as a plain YAML scalar: letters, digits, '-'
 * and '_', not starting with '-'. */
static int plain_word(const char *s)
{
	if (*s == '\0' || *s == '-')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return 0;
	return 1;
}

static void write_all(const struct gr_config *c, FILE *f, int with_help)
{
	const char *sec = "";
	for (size_t i = 0; i < GR_ARRAY_LEN(opts); i++) {
		const struct opt *o = &opts[i];
		if (strcmp(sec, o->section)) {
			fprintf(f, "%s%s:\n", i ? "\n" : "", o->section);
			sec = o->section;
		}
		if (with_help) {
			fprintf(f, "  # %s", o->help);
			if (o->type == OPT_INT || o->type == OPT_FLOAT)
				fprintf(f, " (%g..%g)", o->min, o->max);
			fputc('\n', f);
		}
		fprintf(f, "  %s: ", o->key);
		write_value(o, c, f);
		fputc('\n', f);
	}
	fprintf(f, "\n%skeys:\n", with_help ?
	        "# Key bindings for the browser: key name: command.  Keys are single\n"
	        "# characters or up, down, left, right, pgup, pgdn, home, end, enter,\n"
	        "# tab, space, backspace, esc, C-x (control); the help overlay (?) lists\n"
	        "# every command.\n" : "");
	for (int i = 0; i < c->n_keys; i++) {
		struct str k, v;
		str_init(&k);
		str_init(&v);
		str_add_json(&k, c->keys[i].key);
		/* plain when it is a bare word, quoted otherwise, so that what is
		 * written always loads again (found by tests/fuzz/fuzz_config.c) */
		if (plain_word(c->keys[i].command))
			str_add(&v, c->keys[i].command);
		else
			str_add_json(&v, c->keys[i].command);
		fprintf(f, "  %s: %s\n", k.s, v.s);
		str_fini(&v);
		str_fini(&k);
	}
}

void config_write_default(FILE *f)
{
	struct gr_config c;
	config_defaults(&c);
	fputs("# grym configuration.  This is the documented default; copy it to\n"
	      "# $XDG_CONFIG_HOME/grym/config.yaml (usually ~/.config/grym/config.yaml)\n"
	      "# and change what you need, or pass another file with --config FILE.\n"
	      "# Unknown options, wrong types and out-of-range values are errors.\n\n", f);
	write_all(&c, f, 1);
}

void config_write(const struct gr_config *c, FILE *f)
{
	write_all(c, f, 0);
}
