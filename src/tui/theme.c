/*
 * theme.c - colour themes: YAML files naming a style for each UI role, and
 * the mapping of those styles onto what a terminal can show.
 *
 * A theme file:
 *     name: default
 *     roles:
 *       cursor: { fg: black, bg: "#5fafd7", attrs: bold }
 *       class.speech: { fg: 75 }
 * Colours are "default", the sixteen names (black .. white, bright-black ..
 * bright-white), an xterm-256 index, or "#rrggbb".  attrs is a list of
 * bold, underline, reverse, dim, italic (or none).  Roles not named keep
 * the built-in default's style, so a theme may restyle only a few roles.
 *
 * Depth mapping (theme_resolve): true colour passes RGB through (direct-
 * colour terminfo such as xterm-direct); 256 colours map RGB to the
 * nearest xterm cube or grey entry; 16 and 8 colours to the nearest basic
 * colour.  With no colour (NO_COLOR, a mono terminal) colours are dropped
 * and a role with a background becomes reverse video, so the cursor and
 * the selected region stay visible.
 *
 * No ncurses here: the unit tests check parsing and mapping directly.
 * Costs: parsing is O(file); resolving a style is O(256) at worst.
 * Thread rules: pure functions; call from any thread.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "grym/util.h"
#include "tui_int.h"

static const char *const role_names[TR_NROLES] = {
	[TR_NORMAL] = "normal", [TR_HEADER] = "header", [TR_CURSOR] = "cursor",
	[TR_CURSOR_DIM] = "cursor-inactive", [TR_TITLE] = "title", [TR_BORDER] = "border",
	[TR_DIM] = "dim", [TR_STATUS] = "status", [TR_STATUS_WARN] = "status-warn",
	[TR_STATUS_ERR] = "status-error", [TR_INPUT] = "input", [TR_INPUT_ERR] = "input-error",
	[TR_WAVE] = "wave", [TR_WAVE_SEL] = "wave-selected", [TR_PLAYHEAD] = "playhead",
	[TR_HELP] = "help", [TR_HELP_KEY] = "help-key", [TR_FAILED] = "failed",
	[TR_CLASS0 + 0] = "class.silence", [TR_CLASS0 + 1] = "class.speech",
	[TR_CLASS0 + 2] = "class.singing", [TR_CLASS0 + 3] = "class.music",
	[TR_CLASS0 + 4] = "class.percussion", [TR_CLASS0 + 5] = "class.ambience",
	[TR_CLASS0 + 6] = "class.noise", [TR_CLASS0 + 7] = "class.effect",
};

static const char *const colour_names[16] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
	"bright-black", "bright-red", "bright-green", "bright-yellow", "bright-blue",
	"bright-magenta", "bright-cyan", "bright-white",
};

/* xterm's palette for the first 16 indices. */
static const uint32_t basic_rgb[16] = {
	0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd, 0x00cdcd, 0xe5e5e5,
	0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00, 0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff,
};

const char *theme_role_name(int role)
{
	return role >= 0 && role < TR_NROLES ? role_names[role] : NULL;
}

#define IX(n) { TC_INDEX, (n) }
#define RGB(n) { TC_RGB, (n) }
#define DEF { TC_DEFAULT, 0 }

void theme_builtin(struct tui_theme *t)
{
	static const struct tui_style def[TR_NROLES] = {
		[TR_NORMAL] = { DEF, DEF, 0 },
		[TR_HEADER] = { RGB(0xafafaf), DEF, TA_BOLD | TA_UNDERLINE },
		[TR_CURSOR] = { IX(0), RGB(0x5fafd7), TA_BOLD },
		[TR_CURSOR_DIM] = { DEF, RGB(0x444444), 0 },
		[TR_TITLE] = { RGB(0x87d7ff), DEF, TA_BOLD },
		[TR_BORDER] = { RGB(0x585858), DEF, 0 },
		[TR_DIM] = { RGB(0x808080), DEF, 0 },
		[TR_STATUS] = { RGB(0xd0d0d0), RGB(0x303030), 0 },
		[TR_STATUS_WARN] = { RGB(0xffd75f), RGB(0x303030), TA_BOLD },
		[TR_STATUS_ERR] = { RGB(0xffffff), RGB(0xaf0000), TA_BOLD },
		[TR_INPUT] = { DEF, DEF, 0 },
		[TR_INPUT_ERR] = { RGB(0xff5f5f), DEF, TA_BOLD },
		[TR_WAVE] = { RGB(0x5fafaf), DEF, 0 },
		[TR_WAVE_SEL] = { RGB(0xffffff), RGB(0x005f87), TA_BOLD },
		[TR_PLAYHEAD] = { RGB(0xffd700), DEF, TA_BOLD },
		[TR_HELP] = { RGB(0xd0d0d0), RGB(0x262626), 0 },
		[TR_HELP_KEY] = { RGB(0xffd75f), RGB(0x262626), TA_BOLD },
		[TR_FAILED] = { RGB(0xff5f5f), DEF, 0 },
		[TR_CLASS0 + 0] = { RGB(0x6c6c6c), DEF, 0 },
		[TR_CLASS0 + 1] = { RGB(0x5fafff), DEF, 0 },
		[TR_CLASS0 + 2] = { RGB(0xd787ff), DEF, 0 },
		[TR_CLASS0 + 3] = { RGB(0x87d75f), DEF, 0 },
		[TR_CLASS0 + 4] = { RGB(0xff8700), DEF, 0 },
		[TR_CLASS0 + 5] = { RGB(0x5fd7af), DEF, 0 },
		[TR_CLASS0 + 6] = { RGB(0xbcbcbc), DEF, 0 },
		[TR_CLASS0 + 7] = { RGB(0xff5f87), DEF, 0 },
	};
	memset(t, 0, sizeof(*t));
	str_lcpy(t->name, "default", sizeof(t->name));
	memcpy(t->role, def, sizeof(def));
}

static int parse_colour(const char *v, struct tui_colour *c)
{
	char *end;

	if (!strcmp(v, "default") || !strcmp(v, "none")) {
		c->kind = TC_DEFAULT;
		c->v = 0;
		return 0;
	}
	for (int i = 0; i < 16; i++) {
		if (!strcmp(v, colour_names[i])) {
			c->kind = TC_INDEX;
			c->v = (uint32_t)i;
			return 0;
		}
	}
	if (v[0] == '#' && strlen(v) == 7) {
		for (int i = 1; i < 7; i++)
			if (!isxdigit((unsigned char)v[i]))
				return -1;
		c->kind = TC_RGB;
		c->v = (uint32_t)strtoul(v + 1, NULL, 16);
		return 0;
	}
	if (isdigit((unsigned char)v[0])) {
		errno = 0;
		long n = strtol(v, &end, 10);
		if (errno == 0 && *end == '\0' && n >= 0 && n <= 255) {
			c->kind = TC_INDEX;
			c->v = (uint32_t)n;
			return 0;
		}
	}
	return -1;
}

static int parse_attrs(const char *v, int *attrs)
{
	static const struct { const char *name; int bit; } names[] = {
		{ "bold", TA_BOLD }, { "underline", TA_UNDERLINE }, { "reverse", TA_REVERSE },
		{ "dim", TA_DIM }, { "italic", TA_ITALIC }, { "none", 0 },
	};
	char buf[128], *tok, *save = NULL;

	*attrs = 0;
	if (strlen(v) >= sizeof(buf))
		return -1;
	strcpy(buf, v);
	for (tok = strtok_r(buf, " ,", &save); tok != NULL; tok = strtok_r(NULL, " ,", &save)) {
		size_t i;
		for (i = 0; i < GR_ARRAY_LEN(names); i++)
			if (!strcmp(tok, names[i].name))
				break;
		if (i == GR_ARRAY_LEN(names))
			return -1;
		*attrs |= names[i].bit;
	}
	return 0;
}

static int role_of(const char *name)
{
	for (int i = 0; i < TR_NROLES; i++)
		if (!strcmp(role_names[i], name))
			return i;
	return -1;
}

/*
 * The event walk.  Levels: 1 = top mapping (name, description, roles),
 * 2 = roles mapping (role -> style), 3 = style mapping (fg, bg, attrs).
 */
static int parse(struct tui_theme *t, yaml_parser_t *p, const char *file, struct gr_err *err)
{
	yaml_event_t ev;
	char top[32] = "", role[64] = "", field[16] = "";
	int depth = 0, expect_key = 1, r = -1, rc = 0;

	for (;;) {
		if (!yaml_parser_parse(p, &ev))
			return gr_fail(err, GR_EUSAGE, "%s:%zu: %s", file, p->problem_mark.line + 1,
			               p->problem ? p->problem : "YAML syntax error");
		size_t line = ev.start_mark.line + 1;
		int type = ev.type;
		if (type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		switch (type) {
		case YAML_MAPPING_START_EVENT:
			if (depth >= 1 && expect_key) {
				rc = gr_fail(err, GR_EUSAGE, "%s:%zu: a mapping can't be a key", file, line);
			} else if (depth == 1 && strcmp(top, "roles")) {
				rc = gr_fail(err, GR_EUSAGE, "%s:%zu: '%s' takes a plain value", file,
				             line, top);
			} else if (depth == 2 && r < 0) {
				rc = gr_fail(err, GR_EUSAGE, "%s:%zu: unknown role", file, line);
			} else if (depth >= 3) {
				rc = gr_fail(err, GR_EUSAGE, "%s:%zu: too deeply nested", file, line);
			}
			depth++;
			expect_key = 1;
			break;
		case YAML_MAPPING_END_EVENT:
			depth--;
			expect_key = 1;
			break;
		case YAML_SEQUENCE_START_EVENT:
			rc = gr_fail(err, GR_EUSAGE, "%s:%zu: lists are not used in themes", file, line);
			break;
		case YAML_SCALAR_EVENT: {
			const char *v = (const char *)ev.data.scalar.value;
			if (depth == 0) {
				rc = gr_fail(err, GR_EUSAGE, "%s:%zu: a theme is a mapping", file, line);
			} else if (expect_key) {
				if (depth == 1) {
					if (strcmp(v, "name") && strcmp(v, "description") &&
					    strcmp(v, "roles"))
						rc = gr_fail(err, GR_EUSAGE, "%s:%zu: unknown key '%s' "
						             "(name, description, roles)", file, line, v);
					str_lcpy(top, v, sizeof(top));
				} else if (depth == 2) {
					r = role_of(v);
					str_lcpy(role, v, sizeof(role));
					if (r < 0)
						rc = gr_fail(err, GR_EUSAGE, "%s:%zu: unknown role '%s'",
						             file, line, v);
				} else {
					if (strcmp(v, "fg") && strcmp(v, "bg") && strcmp(v, "attrs"))
						rc = gr_fail(err, GR_EUSAGE, "%s:%zu: unknown style key '%s' "
						             "(fg, bg, attrs)", file, line, v);
					str_lcpy(field, v, sizeof(field));
				}
				expect_key = 0;
			} else {
				if (depth == 1 && !strcmp(top, "name")) {
					str_lcpy(t->name, v, sizeof(t->name));
				} else if (depth == 1 && !strcmp(top, "roles")) {
					rc = gr_fail(err, GR_EUSAGE, "%s:%zu: roles must be a mapping",
					             file, line);
				} else if (depth == 2) {
					rc = gr_fail(err, GR_EUSAGE, "%s:%zu: role '%s' needs a mapping "
					             "{ fg: ..., bg: ..., attrs: ... }", file, line, role);
				} else if (depth == 3) {
					struct tui_style *s = &t->role[r];
					if (!strcmp(field, "attrs")) {
						if (parse_attrs(v, &s->attrs) != 0)
							rc = gr_fail(err, GR_EUSAGE, "%s:%zu: bad attrs '%s' "
							             "(bold underline reverse dim italic none)",
							             file, line, v);
					} else if (parse_colour(v, !strcmp(field, "fg") ? &s->fg : &s->bg)) {
						rc = gr_fail(err, GR_EUSAGE, "%s:%zu: bad colour '%s' for %s.%s "
						             "(a name, 0..255 or #rrggbb)", file, line, v,
						             role, field);
					}
				}
				expect_key = 1;
			}
			break;
		}
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int theme_load_string(struct tui_theme *t, const char *yaml, size_t len, const char *name,
                      struct gr_err *err)
{
	yaml_parser_t p;
	int rc;

	theme_builtin(t);
	if (!yaml_parser_initialize(&p))
		return gr_fail(err, GR_ENOMEM, "%s: out of memory", name);
	yaml_parser_set_input_string(&p, (const unsigned char *)yaml, len);
	rc = parse(t, &p, name, err);
	yaml_parser_delete(&p);
	if (rc != 0)
		theme_builtin(t);
	return rc;
}

int theme_load_file(struct tui_theme *t, const char *path, struct gr_err *err)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;
	int rc;

	theme_builtin(t);
	if (f == NULL)
		return gr_fail(err, GR_EIO, "%s: %s", path, strerror(errno));
	buf = xmalloc(65536 + 1);
	n = fread(buf, 1, 65536 + 1, f);
	fclose(f);
	if (n > 65536) {
		free(buf);
		return gr_fail(err, GR_ETOOBIG, "%s: a theme is at most 64 KiB", path);
	}
	rc = theme_load_string(t, buf, n, path, err);
	free(buf);
	return rc;
}

static int name_ok(const char *name)
{
	if (name[0] == '\0' || name[0] == '.' || strlen(name) > 48)
		return 0;
	for (const char *s = name; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			return 0;
	return 1;
}

static char *try_path(char *p)
{
	if (access(p, R_OK) == 0)
		return p;
	free(p);
	return NULL;
}

char *theme_find(const char *name)
{
	char *dir, *p, exe[PATH_MAX];
	ssize_t n;

	if (strchr(name, '/') != NULL) {
		/* an explicit theme file: only a readable *.yaml */
		size_t len = strlen(name);
		if (len < 6 || strcmp(name + len - 5, ".yaml") != 0)
			return NULL;
		return access(name, R_OK) == 0 ? xstrdup(name) : NULL;
	}
	if (!name_ok(name))
		return NULL;
	dir = path_config_dir();
	p = try_path(xasprintf("%s/themes/%s.yaml", dir, name));
	free(dir);
	if (p != NULL)
		return p;
	p = try_path(xasprintf("%s/themes/%s.yaml", GRYM_DATADIR, name));
	if (p != NULL)
		return p;
	/* running from a source tree: BUILD/grym -> ../../themes, ./grym -> themes */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		for (int up = 0; up < 3; up++) {
			char *slash = strrchr(exe, '/');
			if (slash == NULL)
				break;
			*slash = '\0';
			p = try_path(xasprintf("%s/themes/%s.yaml", exe, name));
			if (p != NULL)
				return p;
		}
	}
	return NULL;
}

int theme_load_named(struct tui_theme *t, const char *name, struct gr_err *err)
{
	char *path = theme_find(name);
	int rc;

	if (path == NULL) {
		theme_builtin(t);
		if (!strcmp(name, "default"))
			return 0;
		return gr_fail(err, GR_EUSAGE, "theme '%s' not found (looked in "
		               "$XDG_CONFIG_HOME/grym/themes and %s/themes)", name, GRYM_DATADIR);
	}
	rc = theme_load_file(t, path, err);
	free(path);
	return rc;
}

int theme_depth(int colors, int no_color)
{
	if (no_color || colors < 8)
		return 0;
	if (colors >= 0x1000000)
		return 0x1000000;
	if (colors >= 256)
		return 256;
	if (colors >= 16)
		return 16;
	return 8;
}

static uint32_t index_rgb(int i)
{
	static const int lv[6] = { 0, 95, 135, 175, 215, 255 };

	if (i < 16)
		return basic_rgb[i];
	if (i < 232) {
		i -= 16;
		return (uint32_t)(lv[i / 36] << 16 | lv[i / 6 % 6] << 8 | lv[i % 6]);
	}
	int g = 8 + 10 * (i - 232);
	return (uint32_t)(g << 16 | g << 8 | g);
}

static long dist2(uint32_t a, uint32_t b)
{
	long dr = (long)(a >> 16 & 255) - (long)(b >> 16 & 255);
	long dg = (long)(a >> 8 & 255) - (long)(b >> 8 & 255);
	long db = (long)(a & 255) - (long)(b & 255);
	/* weighted a little towards green, as the eye is */
	return 3 * dr * dr + 4 * dg * dg + 2 * db * db;
}

static int nearest(uint32_t rgb, int from, int to)
{
	int best = from;
	long bd = -1;

	for (int i = from; i < to; i++) {
		long d = dist2(rgb, index_rgb(i));
		if (bd < 0 || d < bd) {
			bd = d;
			best = i;
		}
	}
	return best;
}

int theme_rgb_to_256(uint32_t rgb)
{
	/* the cube and the greys only: the first 16 vary between terminals */
	return nearest(rgb, 16, 256);
}

int theme_rgb_to_8(uint32_t rgb)
{
	return nearest(rgb, 0, 8);
}

/* One colour for a terminal of this depth (-1 = the terminal's default). */
static int map_colour(const struct tui_colour *c, int depth, int *bright)
{
	uint32_t rgb;

	if (c->kind == TC_DEFAULT)
		return -1;
	if (c->kind == TC_INDEX) {
		int i = (int)c->v;
		if (depth == 0x1000000)
			return i < 8 ? i : (int)(index_rgb(i) < 8 ? 8 : index_rgb(i));
		if (depth >= 256 || i < depth)
			return i;
		if (i < 16) {            /* 8 colours: bright-x is x in bold */
			*bright = 1;
			return i - 8;
		}
		rgb = index_rgb(i);
	} else {
		rgb = c->v;
		if (depth == 0x1000000)
			return rgb < 8 ? 8 : (int)rgb;
		if (depth == 256)
			return theme_rgb_to_256(rgb);
	}
	return depth == 16 ? nearest(rgb, 0, 16) : theme_rgb_to_8(rgb);
}

struct tui_pen theme_resolve(const struct tui_style *s, int depth)
{
	struct tui_pen p = { -1, -1, s->attrs };
	int bright = 0, dummy = 0;

	if (depth == 0) {
		/* no colour: a background becomes reverse video so it still shows */
		if (s->bg.kind != TC_DEFAULT)
			p.attrs |= TA_REVERSE;
		return p;
	}
	p.fg = map_colour(&s->fg, depth, &bright);
	p.bg = map_colour(&s->bg, depth, &dummy);
	if (bright)
		p.attrs |= TA_BOLD;
	if (p.fg >= 0 && p.fg == p.bg && s->fg.v != s->bg.v)
		p.fg = p.bg == 0 ? 7 : 0;   /* two colours collapsed into one: keep contrast */
	return p;
}
