/*
 * app.c - the browser's UI loop: terminal set-up and restore, signals,
 * poll() on stdin and the event pipe, key and mouse dispatch, event
 * handling, layout, and one draw per pass.
 *
 * The loop: request the pages the view needs, draw if anything is dirty,
 * then poll() with a timeout equal to the nearest deadline (a transient
 * message expiring, the next playhead frame while audition plays;
 * otherwise none: the loader's one-second status events wake us while
 * the catalog is open).  Handlers only change state and mark
 * it dirty.  SIGWINCH, SIGINT, SIGTERM and SIGHUP only set flags; a crash
 * signal restores the terminal (async-signal-safe writes and tcsetattr)
 * before dying.  stderr goes to a log file while the screen is in use.
 *
 * --bench: one line per measurement to the bench file: first_frame (start
 * to the first frame showing rows), then per key: key KIND MS (keypress to
 * finished redraw) and ready KIND MS (keypress to the frame where the
 * loader's answer is on screen, for keys that need one).
 *
 * Thread rules: runs on the main thread, which is the only ncurses user.
 */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "grym/catalog.h"
#include "grym/util.h"
#include "tui_int.h"

#define TUI_PLAYHEAD_MS 33   /* playhead frame interval while playing, ms (~30 fps) */

static volatile sig_atomic_t sig_quit, sig_winch;
static struct termios saved_tio;
static int have_tio;

static void on_quit(int sig)
{
	sig_quit = sig;
}

static void on_winch(int sig)
{
	(void)sig;
	sig_winch = 1;
}

/* A crash: put the terminal back (alternate screen off, cursor on, cooked
 * mode) with async-signal-safe calls, then die of the same signal. */
static void on_crash(int sig)
{
	static const char reset[] = "\033[?1000l\033[?1002l\033[?1006l\033[0m\033[?25h\033[?1049l\r\n";
	ssize_t w = write(STDOUT_FILENO, reset, sizeof(reset) - 1);
	(void)w;
	if (have_tio)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_quit;        /* no SA_RESTART: poll() returns EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_winch;
	sigaction(SIGWINCH, &sa, NULL);
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void signals_restore(void)
{
	int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGWINCH, SIGSEGV, SIGBUS, SIGFPE, SIGABRT };
	for (size_t i = 0; i < GR_ARRAY_LEN(sigs); i++)
		signal(sigs[i], SIG_DFL);
}

static void layout(struct tui_app *a)
{
	int H, rest;

	getmaxyx(stdscr, a->rows, a->cols);
	a->too_small = a->cols < 60 || a->rows < 16;
	a->status_y = a->rows - 2;
	a->input_y = a->rows - 1;
	H = a->rows - 2;
	a->side_by_side = a->cols >= 160;
	if (a->side_by_side) {
		a->list = (struct tui_box){ 0, 0, H, a->cols * 45 / 100 };
		a->det = (struct tui_box){ 0, a->list.w + 1, H, a->cols - a->list.w - 1 };
	} else {
		int lh = H * 2 / 5 < 6 ? 6 : H * 2 / 5;
		a->list = (struct tui_box){ 0, 0, lh, a->cols };
		a->det = (struct tui_box){ lh + 1, 0, H - lh - 1, a->cols };
	}
	rest = a->det.h - 2;                      /* title and summary */
	int wh = rest * 35 / 100;
	wh = wh < 2 ? 2 : wh > 12 ? 12 : wh;
	a->wave = (struct tui_box){ a->det.y + 2, a->det.x, wh, a->det.w };
	rest -= wh;
	a->tline = (struct tui_box){ a->wave.y + wh, a->det.x, 1, a->det.w };
	rest -= 2;                                /* timeline and axis */
	a->table = (struct tui_box){ a->tline.y + 2, a->det.x, rest > 1 ? rest : 0, a->det.w };
	model_set_height(&a->m, a->list.h - 1);
	if (a->detail != NULL)
		view_detail_follow(a);
	a->dirty |= TUI_DIRTY_ALL;
}

/* Lines are drawn as Unicode box characters (or ASCII), not the
 * terminal's alternate character set: same look everywhere, and what
 * capture tools see is what the user sees. */
static void hline_at(const struct tui_app *a, int y, int x, int w, int vertical, int at)
{
	cchar_t cc;
	wchar_t ws[2] = { vertical ? 0x2502 : 0x2500, 0 };

	attrset((attr_t)at);
	if (a->ascii) {
		if (vertical)
			mvvline(y, x, '|', w);
		else
			mvhline(y, x, '-', w);
		return;
	}
	setcchar(&cc, ws, (attr_t)at, 0, NULL);
	if (vertical)
		mvvline_set(y, x, &cc, w);
	else
		mvhline_set(y, x, &cc, w);
}

static void draw_separator(struct tui_app *a)
{
	int at = draw_attr(a, TR_BORDER);
	char buf[64];

	if (a->side_by_side) {
		hline_at(a, 0, a->list.w, a->list.h, 1, at);
		return;
	}
	hline_at(a, a->list.h, 0, a->cols, 0, at);
	snprintf(buf, sizeof(buf), " %s ", a->pane == PANE_DETAIL ? "[detail]" : "detail");
	draw_text(a->list.h, 2, (int)strlen(buf), buf, draw_attr(a, a->pane == PANE_DETAIL ?
	          TR_TITLE : TR_BORDER));
}

static void draw(struct tui_app *a)
{
	if (a->too_small) {
		widgets_too_small_draw(a);
	} else {
		view_list_draw(a);
		draw_separator(a);
		view_detail_draw(a);
		widgets_status_draw(a);
		if (a->mode == MODE_HELP)
			widgets_help_draw(a);
		widgets_input_draw(a);      /* last: it places the terminal cursor */
	}
	curs_set(a->mode == MODE_FILTER || a->mode == MODE_COMMAND ? 1 : 0);
	refresh();
	a->dirty = 0;
}

/* --bench bookkeeping after each frame. */
static int bench_ready(const struct tui_app *a)
{
	if (!strcmp(a->key_kind, "open"))
		return a->detail != NULL && a->detail->id == a->m.sel_id;
	if (!strcmp(a->key_kind, "filter"))
		return a->m.total >= 0 && (a->m.total == 0 || model_row(&a->m, a->m.cursor));
	return model_row(&a->m, a->m.cursor) != NULL;
}

/* Seconds since this process was started (10 ms resolution), -1 if unknown. */
static double process_age(void)
{
	char buf[1024], *p;
	unsigned long long start = 0;
	struct timespec now;
	FILE *f = fopen("/proc/self/stat", "r");
	size_t n;

	if (f == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');           /* the name may hold spaces */
	if (p == NULL)
		return -1;
	/* after ")": state is field 3; starttime is field 22 */
	for (int field = 2; field < 22 && p != NULL; field++)
		p = strchr(p + 1, ' ');
	if (p == NULL || sscanf(p + 1, "%llu", &start) != 1)
		return -1;
	clock_gettime(CLOCK_BOOTTIME, &now);
	return now.tv_sec + now.tv_nsec / 1e9 - (double)start / sysconf(_SC_CLK_TCK);
}

static void bench_frame(struct tui_app *a)
{
	double now = time_now();

	if (a->bench == NULL)
		return;
	/* first full frame: the list's rows on screen (the count and the
	 * first file's detail may still be on their way: "first_complete") */
	if (!a->first_frame_done && (a->m.total == 0 || model_row(&a->m, a->m.top) != NULL)) {
		fprintf(a->bench, "first_frame %.3f\n", (now - a->t0) * 1e3);
		fprintf(a->bench, "first_frame_since_exec %.0f\n", process_age() * 1e3);
		a->first_frame_done = 1;
	}
	if (a->first_frame_done == 1 && a->m.total >= 0 &&
	    (a->m.total == 0 || (a->detail != NULL && a->detail->id == a->m.sel_id))) {
		fprintf(a->bench, "first_complete %.3f\n", (now - a->t0) * 1e3);
		a->first_frame_done = 2;
	}
	if (a->key_t > 0 && !a->key_wait) {
		fprintf(a->bench, "key %s %.3f\n", a->key_kind, (now - a->key_t) * 1e3);
		a->key_wait = 1;
	}
	if (a->key_t > 0 && a->key_wait && bench_ready(a)) {
		fprintf(a->bench, "ready %s %.3f\n", a->key_kind, (now - a->key_t) * 1e3);
		a->key_t = 0;
		a->key_wait = 0;
	}
	fflush(a->bench);
}

void tui_bench_key(struct tui_app *a, const char *kind)
{
	if (a->bench == NULL || a->key_t > 0)
		return;     /* one measurement at a time, from its first key */
	a->key_t = time_now();
	a->key_wait = 0;
	str_lcpy(a->key_kind, kind, sizeof(a->key_kind));
}

/* ---- keys and mouse ------------------------------------------------------- */

/*
 * A mouse report, decoded from xterm's SGR form (ESC [ < b ; x ; y M|m,
 * 1-based cells).  grym parses these itself instead of through ncurses:
 * ncurses 6.4 blocks in read() after a release report that arrives on its
 * own, which would freeze the loop until the next key.
 */
static void mouse(struct tui_app *a, int b, int mx, int my, int release)
{
	struct { int x, y; } me = { mx - 1, my - 1 };

	if (a->too_small || release || a->mode != MODE_NORMAL)
		return;
	if (b == 64) {                       /* wheel */
		cmd_run(a, "up");
		return;
	}
	if (b == 65) {
		cmd_run(a, "down");
		return;
	}
	if (b != 0)
		return;                          /* only button 1 selects */
	long idx = view_list_hit(a, me.y, me.x);
	if (idx >= 0) {
		a->pane = PANE_LIST;
		model_goto(&a->m, idx);
		cmd_want_detail(a);
		a->dirty |= TUI_DIRTY_ALL;
		return;
	}
	int r = view_detail_hit(a, me.y, me.x);
	if (r >= 0) {
		a->pane = PANE_DETAIL;
		a->region = r;
		view_detail_follow(a);
		a->dirty |= TUI_DIRTY_ALL;
	}
}

static void key(struct tui_app *a, int code)
{
	const char *c;

	if (code == TUI_KEY_FN + KEY_RESIZE) {
		sig_winch = 1;
		return;
	}
	if (a->mode == MODE_FILTER || a->mode == MODE_COMMAND) {
		tui_input_key(a, code);
		return;
	}
	if (code == 12) {                    /* C-l: repaint everything */
		clearok(curscr, TRUE);
		a->dirty |= TUI_DIRTY_ALL;
		return;
	}
	c = keymap_lookup(&a->km, code);
	if (a->mode == MODE_HELP) {
		if (c != NULL && (!strcmp(c, "down") || !strcmp(c, "up")))
			a->help_top += c[0] == 'd' ? 1 : -1;
		else if (c != NULL && (!strcmp(c, "page-down") || !strcmp(c, "page-up")))
			a->help_top += (c[5] == 'd' ? 1 : -1) * (a->rows - 8);
		else if (code == 27 || (c != NULL && (!strcmp(c, "help") || !strcmp(c, "quit"))) ||
		         code == '\n')
			a->mode = MODE_NORMAL;
		a->dirty |= TUI_DIRTY_ALL;
		return;
	}
	if (code == 27 && tui_export_cancel(a))
		return;                          /* Esc cancels a running export */
	if ((code == 27 || code == TUI_KEY_FN + KEY_BACKSPACE || code == 127 || code == 8) &&
	    cmd_similar_back(a))
		return;                          /* Esc / backspace leave the similar list */
	if (c == NULL) {
		if (code == 3)
			a->quit = 1;                 /* C-c, should the tty deliver it as a key */
		return;
	}
	if (!strcmp(c, "down") || !strcmp(c, "up") || !strncmp(c, "page-", 5) ||
	    !strcmp(c, "top") || !strcmp(c, "bottom"))
		tui_bench_key(a, "scroll");
	else if (!strcmp(c, "focus-detail") || !strcmp(c, "next-match") || !strcmp(c, "prev-match"))
		tui_bench_key(a, "open");
	cmd_run(a, c);
}

/* ---- events from the loader and other threads ----------------------------- */

static void event(struct tui_app *a, struct ui_event *ev)
{
	switch (ev->type) {
	case TUI_EV_OPENED:
		a->opened = ev->a ? 1 : -1;
		if (!ev->a) {
			char *e = str_escape_term(ev->text);
			str_lcpy(a->list_err, e, sizeof(a->list_err));
			free(e);
			tui_message(a, TR_STATUS_ERR, "%s", ev->text);
		}
		break;
	case TUI_EV_COUNT:
		if (ev->b < 0 && (unsigned)ev->a == a->m.gen) {
			char *e = str_escape_term(ev->text);
			str_lcpy(a->list_err, e, sizeof(a->list_err));
			free(e);
			tui_message(a, TR_STATUS_ERR, "%s", ev->text);
		}
		else
			model_set_total(&a->m, (unsigned)ev->a, (long)ev->b);
		cmd_want_detail(a);
		break;
	case TUI_EV_PAGE:
		model_put_page(&a->m, (unsigned)ev->a, (long)ev->b, ev->ptr, (int)ev->x);
		ev->ptr = NULL;
		cmd_want_detail(a);
		cmd_similar_follow(a);
		break;
	case TUI_EV_DETAIL: {
		struct tui_detail *d = ev->ptr;
		ev->ptr = NULL;
		if ((unsigned)ev->a != a->detail_seq) {
			tui_detail_free(d);        /* an answer to an older request */
			break;
		}
		if (a->detail == NULL || a->detail->id != d->id) {
			a->region = d->n_regions > 0 && a->pane == PANE_DETAIL ? 0 : -1;
			a->view_t0 = 0;
			a->view_t1 = d->duration;
			a->table_top = 0;
		} else if (a->region >= d->n_regions) {
			a->region = d->n_regions - 1;
		}
		int fresh = a->detail == NULL || a->detail->id != d->id;
		tui_detail_free(a->detail);
		a->detail = d;
		cmd_similar_follow(a);         /* the similar row's region */
		view_detail_follow(a);
		if (fresh)
			aud_selection(a);          /* auto-preview of the new file */
		break;
	}
	case TUI_EV_CHANGED: {
		unsigned gen = model_refresh(&a->m);
		loader_regen(a->loader, gen);
		if (a->detail_want != 0) {
			/* reload the shown file too (a scan may have re-analysed it) */
			loader_detail(a->loader, a->detail_want, ++a->detail_seq);
		}
		break;
	}
	case TUI_EV_STATUS: {
		struct tui_status *s = ev->ptr;
		ev->ptr = NULL;
		if (s->files < 0) {            /* jobs only: keep the other numbers */
			a->st.queued = s->queued;
			a->st.running = s->running;
			a->st.done = s->done;
			a->st.jfailed = s->jfailed;
		} else {
			a->st = *s;
			a->have_st = 1;
		}
		free(s);
		break;
	}
	case TUI_EV_RESULT:
		tui_message(a, ev->a < 0 ? TR_STATUS_ERR : TR_STATUS, "%s", ev->text);
		break;
	case UI_EV_MESSAGE:
		tui_message(a, TR_STATUS, "%s", ev->text);
		break;
	case UI_EV_PLAY_STATE:
		/* our player's: the status has more than the event */
		if (a->player != NULL)
			aud_update(a);
		else
			a->playing = ev->a != 0;
		break;
	case TUI_EV_EXPORT:
	case TUI_EV_EXPORT_DONE:
		tui_export_event(a, ev);
		break;
	default:
		break;
	}
	tui_event_drop(ev);
	a->dirty |= TUI_DIRTY_ALL;
}

/* ---- set-up, loop, tear-down --------------------------------------------- */

static int open_log(const struct tui_opts *o, int *saved)
{
	char *dir = NULL, *path;
	struct gr_err err = { 0 };
	int fd;

	if (o->log_path != NULL) {
		path = xstrdup(o->log_path);
	} else {
		dir = path_data_dir();
		path_mkdirs(dir, &err);
		path = xasprintf("%s/tui.log", dir);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	free(path);
	free(dir);
	*saved = -1;
	if (fd < 0)
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	fflush(stderr);
	*saved = fcntl(2, F_DUPFD_CLOEXEC, 3);
	dup2(fd, 2);
	close(fd);
	return 0;
}

static void restore_log(int saved)
{
	if (saved < 0)
		return;
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
}

static int next_key(int *code)
{
	wint_t wc;
	int r = get_wch(&wc);

	if (r == ERR)
		return 0;
	*code = r == KEY_CODE_YES ? TUI_KEY_FN + (int)wc : (int)wc;
	return 1;
}

/* Everything ncurses has for us, decoding SGR mouse reports on the way. */
static void read_keys(struct tui_app *a)
{
	int c, c2, c3;

	while (!a->quit && next_key(&c)) {
		if (c != 27) {
			key(a, c);
			continue;
		}
		/* ncurses has already waited ESCDELAY: the rest of a report, if
		 * any, is buffered, so these reads don't wait */
		if (!next_key(&c2)) {
			key(a, 27);              /* a real Esc */
			continue;
		}
		if (c2 != '[' || !next_key(&c3) || c3 != '<') {
			key(a, 27);
			key(a, c2);
			if (c2 == '[')
				continue;            /* c3 was not read or is lost: rare */
			continue;
		}
		int v[3] = { 0, 0, 0 }, n = 0, end = 0;
		while (next_key(&c)) {
			if (c >= '0' && c <= '9' && n < 3) {
				v[n] = v[n] * 10 + (c - '0');
			} else if (c == ';') {
				n++;
			} else {
				end = c;
				break;
			}
		}
		if ((end == 'M' || end == 'm') && n == 2)
			mouse(a, v[0], v[1], v[2], end == 'm');
	}
}

static void loop(struct tui_app *a)
{
	while (!a->quit && !sig_quit) {
		struct pollfd pf[2];
		long want[TUI_MAX_PENDING];
		int n, timeout = -1;

		if (sig_winch) {
			struct winsize ws;
			sig_winch = 0;
			if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0)
				resizeterm(ws.ws_row, ws.ws_col);
			layout(a);
			clearok(curscr, TRUE);
		}
		n = model_wanted(&a->m, want, TUI_MAX_PENDING);
		if (n > 0)
			loader_pages(a->loader, a->m.gen, want, n);
		if (a->dirty) {
			draw(a);
			bench_frame(a);
		}
		if (a->msg[0]) {
			double left = a->msg_until - time_now();
			if (left <= 0) {
				a->msg[0] = '\0';
				a->dirty |= TUI_DIRTY_STATUS;
				continue;
			}
			timeout = (int)(left * 1000) + 1;
		}
		/* the playhead: a frame every TUI_PLAYHEAD_MS, only while playing */
		if (a->playing) {
			double now = time_now();
			if (now >= a->next_tick) {
				a->next_tick = now + TUI_PLAYHEAD_MS / 1000.0;
				aud_update(a);
				a->dirty |= TUI_DIRTY_DETAIL | TUI_DIRTY_STATUS;
				continue;
			}
			int ms = (int)((a->next_tick - now) * 1000) + 1;
			if (timeout < 0 || ms < timeout)
				timeout = ms;
		}
		pf[0] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
		pf[1] = (struct pollfd){ .fd = tui_events_fd(), .events = POLLIN };
		if (poll(pf, 2, timeout) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pf[0].revents & (POLLHUP | POLLERR))
			break;                              /* the terminal went away */
		if (pf[0].revents & POLLIN)
			read_keys(a);
		if (pf[1].revents & POLLIN) {
			size_t ne;
			struct ui_event *evs = tui_events_take(&ne);
			for (size_t i = 0; i < ne; i++)
				event(a, &evs[i]);
			free(evs);
		}
	}
}

int tui_run(const struct tui_opts *o, struct gr_err *err)
{
	struct tui_app a;
	struct gr_err terr = { 0 }, kerr = { 0 };
	const char *cs = nl_langinfo(CODESET);
	int saved_err = -1, rc = 0, skipped, curses_on = 0;

	memset(&a, 0, sizeof(a));
	a.opts = o;
	a.t0 = time_now();
	a.region = -1;
	a.play_region = -1;
	a.volume = o->cfg->volume;
	a.auto_preview = o->cfg->auto_preview;
	model_init(&a.m);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return gr_fail(err, GR_EUSAGE, "the browser needs a terminal (use grym ls for scripts)");
	if (o->bench_path != NULL && (a.bench = fopen(o->bench_path, "w")) == NULL)
		return gr_fail(err, GR_EIO, "%s: %s", o->bench_path, strerror(errno));
	a.ascii = o->ascii || o->cfg->ascii || cs == NULL || strcasecmp(cs, "UTF-8") != 0;
	skipped = keymap_build(&a.km, o->cfg, &kerr);
	theme_load_named(&a.theme, o->cfg->theme[0] ? o->cfg->theme : "default", &terr);
	a.nhelp = keymap_help_lines(&a.km, &a.help);
	if (tui_events_open(err) != 0) {
		rc = -err->code;
		goto out;
	}
	open_log(o, &saved_err);
	have_tio = tcgetattr(STDIN_FILENO, &saved_tio) == 0;
	signals_install();
	set_escdelay(25);
	if (initscr() == NULL) {
		curses_on = 0;
		rc = gr_fail(err, GR_EIO, "can't initialise the terminal (TERM=%s)",
		             getenv("TERM") ? getenv("TERM") : "");
		goto out;
	}
	curses_on = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	/* mouse: xterm SGR reports, decoded in read_keys(); ncurses must not
	 * claim them as its own key (kmous) */
	{
		char *km = tigetstr("kmous");
		if (km != NULL && km != (char *)-1)
			define_key(km, 0);
		define_key("\033[<", 0);
		define_key("\033[M", 0);
		fputs("\033[?1000h\033[?1006h", stdout);
		fflush(stdout);
	}
	draw_theme_apply(&a);
	if (terr.msg[0])
		tui_message(&a, TR_STATUS_ERR, "%s (using the default theme)", terr.msg);
	else if (skipped)
		tui_message(&a, TR_STATUS_WARN, "%s", kerr.msg);
	a.loader = loader_new(o->catalog, err);
	if (a.loader == NULL) {
		rc = -err->code;
		goto out;
	}
	layout(&a);
	cmd_apply_query(&a);
	loop(&a);
	if (sig_quit == SIGHUP)
		log_info("terminal hung up");
out:
	aud_free(&a);                    /* stops and joins the player thread */
	tui_export_free(&a);             /* cancels and joins a running export */
	loader_free(a.loader);           /* joins: no more ui_post from it */
	tui_events_close();
	if (curses_on) {
		fputs("\033[?1006l\033[?1000l", stdout);
		fflush(stdout);
		endwin();
	}
	signals_restore();
	if (have_tio)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
	restore_log(saved_err);
	if (a.bench != NULL)
		fclose(a.bench);
	tui_detail_free(a.detail);
	keymap_help_free(a.help, a.nhelp);
	model_fini(&a.m);
	return rc;
}
