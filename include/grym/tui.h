/*
 * tui.h - the full-screen catalog browser (`grym`, `grym tui`).
 *
 * tui_run() owns the terminal from start to exit: it opens the catalog on
 * a background loader thread (queries never run on the UI thread), draws
 * with ncurses on the calling thread, and restores the terminal on every
 * exit path (q, SIGINT, SIGTERM, SIGHUP, an error).  While the screen is
 * in use the process's stderr goes to a log file (libraries print).
 *
 * Other threads (the loader, later the jobs supervisor and the audition
 * feeder) talk to the UI only through ui_post(): the event is copied,
 * queued under a leaf mutex, and one byte on a self-pipe wakes the UI's
 * poll().  Progress-like events are coalesced (the latest wins).
 *
 * Thread rules: tui_run() is called once, from the main thread, which
 * becomes the UI thread.  ui_post() may be called from any thread.
 */
#ifndef GRYM_TUI_H
#define GRYM_TUI_H

#include <stdint.h>

#include "grym/config.h"
#include "grym/err.h"

struct tui_opts {
	const struct gr_config *cfg; /* keys, theme, display options (borrowed) */
	const char *catalog;         /* catalog path (borrowed) */
	const char *config_path;     /* --config given to grym, or NULL; passed on to
	                                background `grym scan` processes */
	const char *self_exe;        /* the grym binary for background scans;
	                                NULL = /proc/self/exe */
	int ascii;                   /* 1: plain ASCII drawing whatever the locale */
	const char *bench_path;      /* NULL, or a file to log frame times to */
	const char *log_path;        /* NULL = $XDG_DATA_HOME/grym/tui.log; stderr
	                                goes there while the screen is in use */
};

/*
 * Run the browser until the user quits.  Returns 0, or -GR_E* with err set
 * when it could not start (no terminal, catalog can't be opened, ...); the
 * terminal is restored before returning either way.
 */
int tui_run(const struct tui_opts *o, struct gr_err *err);

/* Events other modules may post to the UI (public types; the TUI has
 * private ones from 100 up). */
enum ui_event_type {
	UI_EV_WAKE = 1,       /* just wake up and redraw */
	UI_EV_MESSAGE,        /* text: a one-line message for the status line */
	UI_EV_JOBS,           /* a, b: jobs done, total (coalesced: latest wins) */
	UI_EV_PLAY_STATE,     /* a: 1 playing, 0 stopped; text: reason when stopped
	                         by an error (audition hook) */
};

struct ui_event {
	int type;             /* enum ui_event_type, or private >= 100 */
	int64_t a, b;         /* type-specific */
	double x;             /* type-specific */
	void *ptr;            /* private types only: ownership moves to the UI */
	char text[192];       /* type-specific; NUL-terminated */
};

/*
 * Queue a copy of *ev for the UI thread and wake it.  Never blocks on the
 * UI (only on a short leaf mutex); a no-op when no browser is running.
 * Callable from any thread, not from signal handlers.
 */
void ui_post(const struct ui_event *ev);

#endif
