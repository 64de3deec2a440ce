/*
 * keymap.c - key bindings: the config's keys (cfg.keys: key name ->
 * command) turned into key codes, the table of browser commands with their
 * help notes, and the help overlay generated from both.
 *
 * A command is a name from the table below ("down", "play", ...) or a
 * command line starting with ':' (":sort bpm"), run as if typed after ':'.
 * Key names: one character ("j", "G", "?"), up down left right pgup pgdn
 * home end enter tab space backspace esc del, f1..f12, C-x (control).
 *
 * Costs: lookups are a linear scan of at most GR_KEYMAP_MAX bindings.
 * Thread rules: UI thread (the table itself is constant).
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "grym/util.h"
#include "tui_int.h"

static const struct { const char *name, *help; } commands[] = {
	{ "down", "move down one row (one region in the detail pane)" },
	{ "up", "move up one row (one region in the detail pane)" },
	{ "page-down", "move down one page" },
	{ "page-up", "move up one page" },
	{ "top", "go to the first row" },
	{ "bottom", "go to the last row" },
	{ "focus-detail", "open the selected file in the detail pane" },
	{ "switch-pane", "switch between the list and the detail pane" },
	{ "prev-region", "select the previous region (while playing: play it)" },
	{ "next-region", "select the next region (while playing: play it)" },
	{ "zoom-in", "zoom into the waveform (around the selected region)" },
	{ "zoom-out", "zoom out of the waveform" },
	{ "pan-left", "pan the waveform left" },
	{ "pan-right", "pan the waveform right" },
	{ "filter", "filter with the query language (Enter keeps, Esc cancels)" },
	{ "next-match", "next file in the filtered list, keeping the detail pane" },
	{ "prev-match", "previous file in the filtered list, keeping the detail pane" },
	{ "play", "play/stop the selected region (detail pane) or the whole file" },
	{ "loop", "loop what plays on/off" },
	{ "volume-down", "audition volume down 10%" },
	{ "volume-up", "audition volume up 10%" },
	{ "preview", "auto-preview on/off: play the selection whenever it changes" },
	{ "tag", "tag the selected file: +name adds, -name removes" },
	{ "export", "export the selected region (detail) or the filtered set (list); Esc cancels" },
	{ "reanalyse", "analyse the selected file again (background grym scan)" },
	{ "scan", "add a folder: start a background grym scan of it" },
	{ "similar", "list regions that sound like the selected one (again, Esc: back)" },
	{ "help", "show or hide this help" },
	{ "command", "command line (:scan DIR, :tag +x -y, :theme NAME, :sort F, :q)" },
	{ "quit", "quit (background scans keep running)" },
};

/* Command-line commands, for the help overlay (cmd.c runs them). */
static const char *const cmdline_help[] = {
	":scan DIR", "analyse DIR in a background process (survives quitting)",
	":tag +x -y", "add tag x and remove tag y on the selected file",
	":theme NAME", "switch theme (default, light, mono, high-contrast, yours)",
	":sort FIELD", "sort by name dur class key bpm regions (-FIELD: descending)",
	":filter QUERY", "set the filter (same as /)",
	":loop [on|off]", "loop what plays (no argument toggles)",
	":volume V", "audition volume: 0.7, 70%, +0.1",
	":preview [on|off]", "auto-preview: play the selection when it changes",
	":stop", "stop playing",
	":export [DIR]", "export to DIR (default ~/grym-export; remembered)",
	":export! [DIR]", "the same, replacing files that exist",
	":q", "quit",
};

static const struct { const char *name; int code; } named[] = {
	{ "up", TUI_KEY_FN + KEY_UP }, { "down", TUI_KEY_FN + KEY_DOWN },
	{ "left", TUI_KEY_FN + KEY_LEFT }, { "right", TUI_KEY_FN + KEY_RIGHT },
	{ "pgup", TUI_KEY_FN + KEY_PPAGE }, { "pgdn", TUI_KEY_FN + KEY_NPAGE },
	{ "home", TUI_KEY_FN + KEY_HOME }, { "end", TUI_KEY_FN + KEY_END },
	{ "del", TUI_KEY_FN + KEY_DC }, { "backspace", TUI_KEY_FN + KEY_BACKSPACE },
	{ "enter", '\n' }, { "tab", '\t' }, { "space", ' ' }, { "esc", 27 },
};

int keymap_parse_key(const char *name)
{
	mbstate_t st;
	wchar_t wc;
	size_t n;

	for (size_t i = 0; i < GR_ARRAY_LEN(named); i++)
		if (!strcasecmp(name, named[i].name))
			return named[i].code;
	if ((name[0] == 'C' || name[0] == 'c') && name[1] == '-' && name[2] != '\0' &&
	    name[3] == '\0') {
		char c = name[2];
		if (c >= 'a' && c <= 'z')
			return c - 'a' + 1;
		if (c >= 'A' && c <= 'Z')
			return c - 'A' + 1;
		return -1;
	}
	if ((name[0] == 'f' || name[0] == 'F') && name[1] >= '1' && name[1] <= '9') {
		int k = atoi(name + 1);
		if (k >= 1 && k <= 12)
			return TUI_KEY_FN + KEY_F(k);
	}
	memset(&st, 0, sizeof(st));
	n = mbrtowc(&wc, name, strlen(name), &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0 || name[n] != '\0')
		return -1;
	if (wc < 32 || wc == 127)
		return -1;
	return (int)wc;
}

const char *keymap_command_help(const char *command)
{
	for (size_t i = 0; i < GR_ARRAY_LEN(commands); i++)
		if (!strcmp(commands[i].name, command))
			return commands[i].help;
	return NULL;
}

int keymap_build(struct tui_keymap *km, const struct gr_config *cfg, struct gr_err *err)
{
	int skipped = 0;

	memset(km, 0, sizeof(*km));
	for (int i = 0; i < cfg->n_keys && km->n < GR_KEYMAP_MAX; i++) {
		const struct gr_keybind *k = &cfg->keys[i];
		int code = keymap_parse_key(k->key);
		if (code < 0) {
			gr_fail(err, GR_EUSAGE, "keys: unknown key name '%s'", k->key);
			skipped++;
			continue;
		}
		if (k->command[0] != ':' && keymap_command_help(k->command) == NULL) {
			gr_fail(err, GR_EUSAGE, "keys: '%s' is bound to unknown command '%s'",
			        k->key, k->command);
			skipped++;
			continue;
		}
		struct tui_binding *b = &km->b[km->n++];
		b->code = code;
		str_lcpy(b->key, k->key, sizeof(b->key));
		str_lcpy(b->command, k->command, sizeof(b->command));
	}
	return skipped;
}

const char *keymap_lookup(const struct tui_keymap *km, int code)
{
	/* Enter may arrive as CR, LF or KEY_ENTER; backspace in three ways */
	if (code == '\r' || code == TUI_KEY_FN + KEY_ENTER)
		code = '\n';
	if (code == 127 || code == 8)
		code = TUI_KEY_FN + KEY_BACKSPACE;
	for (int i = km->n - 1; i >= 0; i--)   /* later bindings win */
		if (km->b[i].code == code)
			return km->b[i].command;
	return NULL;
}

/* "j, down" for the keys bound to command (shadowed bindings left out). */
static void keys_of(const struct tui_keymap *km, const char *command, struct str *out)
{
	for (int i = 0; i < km->n; i++) {
		if (strcmp(km->b[i].command, command))
			continue;
		if (strcmp(keymap_lookup(km, km->b[i].code), command))
			continue;
		if (out->len > 0)
			str_add(out, ", ");
		str_add(out, km->b[i].key);
	}
}

int keymap_help_lines(const struct tui_keymap *km, char ***lines)
{
	size_t cap = GR_ARRAY_LEN(commands) + GR_KEYMAP_MAX + GR_ARRAY_LEN(cmdline_help) + 4;
	char **l = xcalloc(cap, sizeof(*l));
	int n = 0;

	for (size_t i = 0; i < GR_ARRAY_LEN(commands); i++) {
		struct str k;
		str_init(&k);
		keys_of(km, commands[i].name, &k);
		if (k.len == 0) {
			str_fini(&k);
			continue;       /* unbound: reachable from nowhere, so not listed */
		}
		l[n++] = xasprintf("%-12s %-13s %s", k.s, commands[i].name, commands[i].help);
		str_fini(&k);
	}
	/* keys bound to command lines */
	for (int i = 0; i < km->n; i++)
		if (km->b[i].command[0] == ':' &&
		    !strcmp(keymap_lookup(km, km->b[i].code), km->b[i].command))
			l[n++] = xasprintf("%-12s %s", km->b[i].key, km->b[i].command);
	l[n++] = xstrdup("");
	l[n++] = xstrdup("Command line (:)");
	for (size_t i = 0; i + 1 < GR_ARRAY_LEN(cmdline_help); i += 2)
		l[n++] = xasprintf("  %-24s %s", cmdline_help[i], cmdline_help[i + 1]);
	*lines = l;
	return n;
}

void keymap_help_free(char **lines, int n)
{
	if (lines == NULL)
		return;
	for (int i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}
