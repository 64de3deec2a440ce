/*
 * cmd.c - what the browser's commands do: the named commands bound to keys
 * (keymap.c lists them with their help) and the ':' command line.
 *
 * Commands only change state and mark what must be redrawn; the loop draws.
 * Anything slow goes elsewhere: queries and tag edits to the loader thread,
 * scans to a background `grym scan` process started with setsid (double
 * fork, stdin from /dev/null, output appended to $XDG_DATA_HOME/grym/
 * scan.log) so quitting the browser or losing the SSH session does not
 * stop it; its progress shows in the status line from the catalog's jobs.
 *
 * Audition (space, [ ], L, ( ), :loop, :volume, :preview) goes to
 * audition.c, export (e, :export) to export_job.c.  Similar (s) swaps the
 * file list for the regions that sound like the selected one (the loader
 * searches); s, Esc or backspace swap the file list back, cursor and all.
 *
 * Thread rules: UI thread only.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "grym/catalog.h"
#include "grym/util.h"
#include "tui_int.h"

void cmd_want_detail(struct tui_app *a)
{
	if (a->m.sel_id == 0 || a->m.sel_id == a->detail_want)
		return;
	a->detail_want = a->m.sel_id;
	loader_detail(a->loader, a->detail_want, ++a->detail_seq);
	a->dirty |= TUI_DIRTY_DETAIL;
}

void cmd_apply_query(struct tui_app *a)
{
	char text[640];
	unsigned gen;

	if (a->sort[0])
		snprintf(text, sizeof(text), "%s sort:%s", a->filter, a->sort);
	else
		snprintf(text, sizeof(text), "%s", a->filter);
	a->sim.active = 0;         /* a query ends the similar list */
	gen = model_reset(&a->m);
	a->list_err[0] = '\0';
	loader_query(a->loader, text, gen);
	a->dirty |= TUI_DIRTY_ALL;
}

/* Start `grym [--config F] --catalog C scan ARGS...` detached from us. */
static int spawn_scan(struct tui_app *a, const char *const *args, int nargs)
{
	char *dir = path_data_dir(), *log;
	const char *exe = a->opts->self_exe ? a->opts->self_exe : "/proc/self/exe";
	const char *argv[16];
	struct gr_err err = { 0 };
	int n = 0, status;
	pid_t pid;

	path_mkdirs(dir, &err);
	log = xasprintf("%s/scan.log", dir);
	free(dir);
	argv[n++] = "grym";
	if (a->opts->config_path != NULL) {
		argv[n++] = "--config";
		argv[n++] = a->opts->config_path;
	}
	argv[n++] = "--catalog";
	argv[n++] = a->opts->catalog;
	argv[n++] = "scan";
	for (int i = 0; i < nargs && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;

	pid = fork();
	if (pid < 0) {
		tui_message(a, TR_STATUS_ERR, "can't start a scan: %s", strerror(errno));
		free(log);
		return -1;
	}
	if (pid == 0) {
		/* first child: new session (no controlling terminal, so no SIGHUP
		 * when the SSH connection drops), then fork again so the scan is
		 * not our child and never a zombie of ours */
		sigset_t none;
		setsid();
		if (fork() != 0)
			_exit(0);
		int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
		int out = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (in >= 0)
			dup2(in, 0);
		if (out >= 0) {
			dup2(out, 1);
			dup2(out, 2);
		}
		for (int fd = 3; fd < 256; fd++)
			close(fd);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGWINCH, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execv(exe, (char *const *)argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	free(log);
	return 0;
}

static void cmd_scan(struct tui_app *a, const char *arg)
{
	char *p, real[PATH_MAX];
	struct stat st;

	while (*arg == ' ')
		arg++;
	if (*arg == '\0') {
		tui_message(a, TR_STATUS_WARN, "usage: :scan DIR");
		return;
	}
	p = path_expand(arg);
	if (realpath(p, real) == NULL || stat(real, &st) != 0 || !S_ISDIR(st.st_mode)) {
		tui_message(a, TR_STATUS_ERR, "%s: not a folder", p);
		free(p);
		return;
	}
	free(p);
	const char *args[] = { real };
	if (spawn_scan(a, args, 1) == 0)
		tui_message(a, TR_STATUS, "scanning %s in the background (log: scan.log)", real);
}

static void cmd_reanalyse(struct tui_app *a)
{
	if (a->detail == NULL || a->detail->id != a->m.sel_id || a->detail->raw_path == NULL) {
		tui_message(a, TR_STATUS_WARN, "no file selected");
		return;
	}
	const char *args[] = { "--force", a->detail->raw_path };
	if (spawn_scan(a, args, 2) == 0)
		tui_message(a, TR_STATUS, "re-analysing %s in the background", a->detail->raw_path);
}

static void cmd_tag(struct tui_app *a, const char *arg)
{
	char buf[512], *tok, *save = NULL;
	char *add[16], *del[16];
	int na = 0, nd = 0;

	if (a->m.sel_id == 0) {
		tui_message(a, TR_STATUS_WARN, "no file selected");
		return;
	}
	str_lcpy(buf, arg, sizeof(buf));
	for (tok = strtok_r(buf, " \t", &save); tok != NULL; tok = strtok_r(NULL, " \t", &save)) {
		int minus = tok[0] == '-';
		char *name = tok[0] == '+' || minus ? tok + 1 : tok;
		if (!cat_tag_valid(name)) {
			tui_message(a, TR_STATUS_ERR, "'%s' is not a valid tag name", name);
			return;
		}
		if (minus && nd < 16)
			del[nd++] = name;
		else if (!minus && na < 16)
			add[na++] = name;
	}
	if (na + nd == 0) {
		tui_message(a, TR_STATUS_WARN, "usage: :tag +name -name");
		return;
	}
	loader_tag(a->loader, a->m.sel_id, add, na, del, nd);
}

static void cmd_theme(struct tui_app *a, const char *name)
{
	struct gr_err err = { 0 };

	while (*name == ' ')
		name++;
	if (theme_load_named(&a->theme, *name ? name : "default", &err) != 0)
		tui_message(a, TR_STATUS_ERR, "%s (using the default theme)", err.msg);
	else
		tui_message(a, TR_STATUS, "theme %s", a->theme.name);
	draw_theme_apply(a);
	a->dirty |= TUI_DIRTY_ALL;
}

static void cmd_sort(struct tui_app *a, const char *field)
{
	char text[96];
	struct gr_err err = { 0 };
	struct cat_query *q;

	while (*field == ' ')
		field++;
	if (*field == '\0') {
		a->sort[0] = '\0';
		cmd_apply_query(a);
		return;
	}
	/* the catalog's query language decides which fields sort */
	snprintf(text, sizeof(text), "sort:%s", field);
	q = cat_query_parse(text, NULL, &err);
	if (q == NULL) {
		tui_message(a, TR_STATUS_ERR, "can't sort by %s: %s", field, err.msg);
		return;
	}
	cat_query_free(q);
	str_lcpy(a->sort, field, sizeof(a->sort));
	cmd_apply_query(a);
}

/* :volume 0.7, :volume 70%, :volume +0.1 */
static void cmd_volume(struct tui_app *a, const char *arg)
{
	char *end;
	double v = strtod(arg, &end);
	int rel = arg[0] == '+' || arg[0] == '-';

	if (end == arg) {
		tui_message(a, TR_STATUS_WARN, "usage: :volume 0..1 (or 0%%..100%%, +0.1, -10%%)");
		return;
	}
	if (*end == '%') {
		v /= 100;
		end++;
	}
	while (*end == ' ')
		end++;
	if (*end != '\0' || !(v >= -1 && v <= 1 + 1e-9)) {
		tui_message(a, TR_STATUS_WARN, "usage: :volume 0..1 (or 0%%..100%%, +0.1, -10%%)");
		return;
	}
	aud_volume(a, v, rel);
}

/* :export [DIR] sets the folder (when given) and exports; :export! also
 * replaces existing files */
static void cmd_export(struct tui_app *a, const char *dir, int force)
{
	while (*dir == ' ')
		dir++;
	if (*dir) {
		char *p = path_expand(dir);
		if (strlen(p) >= sizeof(a->export_dir)) {
			tui_message(a, TR_STATUS_ERR, "export folder name too long");
			free(p);
			return;
		}
		str_lcpy(a->export_dir, p, sizeof(a->export_dir));
		free(p);
	}
	tui_export_start(a, force);
}

void cmd_line(struct tui_app *a, const char *line)
{
	char verb[32];
	size_t n = 0;

	while (*line == ' ' || *line == ':')
		line++;
	while (line[n] && line[n] != ' ' && n + 1 < sizeof(verb)) {
		verb[n] = line[n];
		n++;
	}
	verb[n] = '\0';
	line += n;
	while (*line == ' ')
		line++;
	if (!strcmp(verb, ""))
		return;
	if (!strcmp(verb, "q") || !strcmp(verb, "quit"))
		a->quit = 1;
	else if (!strcmp(verb, "scan") || !strcmp(verb, "add"))
		cmd_scan(a, line);
	else if (!strcmp(verb, "tag"))
		cmd_tag(a, line);
	else if (!strcmp(verb, "theme"))
		cmd_theme(a, line);
	else if (!strcmp(verb, "sort"))
		cmd_sort(a, line);
	else if (!strcmp(verb, "loop"))
		aud_loop(a, line);
	else if (!strcmp(verb, "preview"))
		aud_preview(a, line);
	else if (!strcmp(verb, "volume") || !strcmp(verb, "vol"))
		cmd_volume(a, line);
	else if (!strcmp(verb, "export") || !strcmp(verb, "export!"))
		cmd_export(a, line, verb[6] == '!');
	else if (!strcmp(verb, "stop")) {
		if (a->player != NULL)
			play_stop(a->player);
	}
	else if (!strcmp(verb, "filter")) {
		struct gr_err err = { 0 };
		struct cat_query *q = cat_query_parse(line, NULL, &err);
		if (q == NULL) {
			tui_message(a, TR_STATUS_ERR, "%s", err.msg);
			return;
		}
		cat_query_free(q);
		str_lcpy(a->filter, line, sizeof(a->filter));
		cmd_apply_query(a);
	} else if (keymap_command_help(verb) != NULL && strcmp(verb, "command"))
		cmd_run(a, verb);
	else
		tui_message(a, TR_STATUS_ERR, "unknown command '%s' (? lists them)", verb);
}

static void input_set(struct tui_app *a, int mode, const char *text)
{
	a->mode = mode;
	str_lcpy(a->in.buf, text, sizeof(a->in.buf));
	a->in.len = a->in.cur = strlen(a->in.buf);
	a->in_err[0] = '\0';
	a->dirty |= TUI_DIRTY_INPUT;
}

void cmd_select_region(struct tui_app *a, int r)
{
	const struct tui_detail *d = a->detail;
	int before = a->region;

	if (d == NULL || d->id != a->m.sel_id || d->n_regions == 0)
		return;
	if (r < 0)
		r = 0;
	if (r >= d->n_regions)
		r = d->n_regions - 1;
	a->region = r;
	view_detail_follow(a);
	a->dirty |= TUI_DIRTY_DETAIL;
	if (r != before)
		aud_selection(a);
}

int cmd_similar_follow(struct tui_app *a)
{
	const struct tui_row *r;

	if (!a->sim.active || (r = model_row(&a->m, a->m.cursor)) == NULL || !r->sim)
		return 0;
	if (a->detail != NULL && a->detail->id == r->id && r->region < a->detail->n_regions &&
	    a->region != r->region) {
		a->region = r->region;
		view_detail_follow(a);
		a->dirty |= TUI_DIRTY_DETAIL;
		return 1;
	}
	return 0;
}

void cmd_similar(struct tui_app *a)
{
	const struct tui_detail *d = a->detail;
	int idx;
	unsigned gen;

	if (cmd_similar_back(a))
		return;
	if (a->m.sel_id == 0 || d == NULL || d->id != a->m.sel_id) {
		tui_message(a, TR_STATUS_WARN, "no file selected");
		return;
	}
	if (d->n_regions == 0) {
		tui_message(a, TR_STATUS_WARN, "%s has no regions to compare", d->name);
		return;
	}
	/* the selected region in the detail pane, else the file's first */
	idx = a->pane == PANE_DETAIL && a->region >= 0 && a->region < d->n_regions ? a->region : 0;
	a->sim.active = 1;
	a->sim.cursor = a->m.cursor;
	a->sim.top = a->m.top;
	a->sim.sel_id = a->m.sel_id;
	snprintf(a->sim.title, sizeof(a->sim.title), "%s #%d", d->name, idx);
	gen = model_reset(&a->m);
	a->list_err[0] = '\0';
	a->pane = PANE_LIST;
	loader_similar(a->loader, d->id, idx, gen);
	tui_message(a, TR_STATUS, "sounds like %s (s or Esc: back to the files)", a->sim.title);
	a->dirty |= TUI_DIRTY_ALL;
}

int cmd_similar_back(struct tui_app *a)
{
	if (!a->sim.active)
		return 0;
	a->sim.active = 0;
	cmd_apply_query(a);
	/* back where the cursor was: the model looks for the file again */
	a->m.cursor = a->sim.cursor;
	a->m.top = a->sim.top;
	a->m.sel_id = a->sim.sel_id;
	a->m.seek_sel = a->sim.sel_id != 0;
	a->region = -1;
	cmd_want_detail(a);
	tui_message(a, TR_STATUS, "files");
	a->dirty |= TUI_DIRTY_ALL;
	return 1;
}

static void list_move(struct tui_app *a, long delta, long to)
{
	if (to >= 0)
		model_goto(&a->m, to);
	else
		model_move(&a->m, delta);
	cmd_want_detail(a);
	if (cmd_similar_follow(a))
		aud_selection(a);      /* another region of the file already shown */
	a->dirty |= TUI_DIRTY_LIST | TUI_DIRTY_DETAIL | TUI_DIRTY_STATUS;
}

void cmd_run(struct tui_app *a, const char *c)
{
	int det = a->pane == PANE_DETAIL && a->detail != NULL && a->detail->id == a->m.sel_id;
	int page = a->table.h > 2 ? a->table.h - 2 : 1;

	if (c[0] == ':')
		cmd_line(a, c + 1);
	else if (!strcmp(c, "down"))
		det ? cmd_select_region(a, a->region + 1) : list_move(a, 1, -1);
	else if (!strcmp(c, "up"))
		det ? cmd_select_region(a, a->region - 1) : list_move(a, -1, -1);
	else if (!strcmp(c, "page-down"))
		det ? cmd_select_region(a, a->region + page) : list_move(a, a->m.height - 1, -1);
	else if (!strcmp(c, "page-up"))
		det ? cmd_select_region(a, a->region - page) : list_move(a, -(a->m.height - 1), -1);
	else if (!strcmp(c, "top"))
		det ? cmd_select_region(a, 0) : list_move(a, 0, 0);
	else if (!strcmp(c, "bottom"))
		det ? cmd_select_region(a, 1 << 30) : list_move(a, 0, LONG_MAX / 2);
	else if (!strcmp(c, "focus-detail")) {
		a->pane = PANE_DETAIL;
		if (a->region < 0)
			cmd_select_region(a, 0);
		a->dirty |= TUI_DIRTY_ALL;
	} else if (!strcmp(c, "switch-pane")) {
		a->pane = a->pane == PANE_LIST ? PANE_DETAIL : PANE_LIST;
		if (a->pane == PANE_DETAIL && a->region < 0)
			cmd_select_region(a, 0);
		a->dirty |= TUI_DIRTY_ALL;
	} else if (!strcmp(c, "prev-region")) {
		if (!aud_step(a, -1))
			cmd_select_region(a, a->region - 1);
	} else if (!strcmp(c, "next-region")) {
		if (!aud_step(a, 1))
			cmd_select_region(a, a->region + 1);
	}
	else if (!strcmp(c, "zoom-in") || !strcmp(c, "zoom-out")) {
		view_detail_zoom(a, c[5] == 'i' ? 2.0 : 0.5);
		a->dirty |= TUI_DIRTY_DETAIL;
	} else if (!strcmp(c, "pan-left") || !strcmp(c, "pan-right")) {
		view_detail_pan(a, c[4] == 'l' ? -0.25 : 0.25);
		a->dirty |= TUI_DIRTY_DETAIL;
	} else if (!strcmp(c, "filter")) {
		str_lcpy(a->filter_before, a->filter, sizeof(a->filter_before));
		input_set(a, MODE_FILTER, a->filter);
	} else if (!strcmp(c, "next-match"))
		list_move(a, 1, -1);
	else if (!strcmp(c, "prev-match"))
		list_move(a, -1, -1);
	else if (!strcmp(c, "play"))
		aud_toggle(a);
	else if (!strcmp(c, "loop"))
		aud_loop(a, "");
	else if (!strcmp(c, "volume-up") || !strcmp(c, "volume-down"))
		aud_volume(a, c[7] == 'u' ? 0.1 : -0.1, 1);
	else if (!strcmp(c, "preview"))
		aud_preview(a, "");
	else if (!strcmp(c, "export"))
		tui_export_start(a, 0);
	else if (!strcmp(c, "similar"))
		cmd_similar(a);
	else if (!strcmp(c, "tag"))
		input_set(a, MODE_COMMAND, "tag +");
	else if (!strcmp(c, "scan"))
		input_set(a, MODE_COMMAND, "scan ");
	else if (!strcmp(c, "reanalyse"))
		cmd_reanalyse(a);
	else if (!strcmp(c, "help")) {
		a->mode = a->mode == MODE_HELP ? MODE_NORMAL : MODE_HELP;
		a->help_top = 0;
		a->dirty |= TUI_DIRTY_ALL;
	} else if (!strcmp(c, "command"))
		input_set(a, MODE_COMMAND, "");
	else if (!strcmp(c, "quit"))
		a->quit = 1;
}
