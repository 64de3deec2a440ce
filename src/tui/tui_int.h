/*
 * tui_int.h - shared between the files of src/tui only.
 *
 * Pieces and who owns them:
 *   model.c    list model: total, cursor, scroll, selection by file id,
 *              a bounded cache of row pages (plain C, no ncurses: unit tested)
 *   loader.c   the loader thread: the only user of the catalog handle; runs
 *              counts, page fetches, detail loads, tags, change polling and
 *              posts the results to the UI with ui_post()
 *   event.c    ui_post(): the event list, its mutex and the self-pipe
 *   theme.c    YAML themes -> resolved colour pairs (no ncurses: unit tested)
 *   keymap.c   cfg.keys -> key codes -> command names; the help text
 *   app.c      the UI loop (poll on stdin + self-pipe), signals, terminal
 *   input.c    the filter bar and command line (live query parsing)
 *   cmd.c      commands from keys and from the ':' command line
 *   draw.c     ncurses helpers shared by the views (text clipping, colours)
 *   view_list.c, view_detail.c, widgets.c: drawing
 *
 * Thread rules: everything in struct tui_app belongs to the UI thread; the
 * loader shares only struct tui_loader's request block (its own mutex,
 * see loader.c).  Lock order: loader mutex, then the event mutex; neither
 * is held while calling out.
 */
#ifndef GRYM_TUI_INT_H
#define GRYM_TUI_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "grym/config.h"
#include "grym/dsp.h"
#include "grym/err.h"
#include "grym/play.h"
#include "grym/tui.h"

/* ---- list model (model.c) ----------------------------------------------- */

#define TUI_PAGE_ROWS 256   /* rows per page fetched by the loader */
#define TUI_MAX_PAGES 48    /* pages cached (12 288 rows, ~2 MB) */
#define TUI_MAX_PENDING 16  /* page requests in flight */

/* One file as the list draws it.  Strings are owned and already escaped
 * for the terminal (str_escape_term). */
struct tui_row {
	int64_t id;
	char *name;
	char *tags;
	double duration;    /* s */
	int cls;            /* enum an_class, -1 none */
	double cls_conf;
	int key;            /* AN_NO_KEY or 0..23 */
	int has_tempo;
	double bpm;
	int n_regions;
	int status;         /* enum cat_status */
	int missing;
	/* rows of the similar list (loader.c do_similar) are regions of id */
	int sim;            /* 1: a region row of the similar list */
	int region;         /* its index in the file */
	double score;       /* 0..1, how alike it sounds */
};

struct tui_page {
	long first;         /* row index of rows[0]; -1 = free slot */
	int n;              /* rows held; < TUI_PAGE_ROWS only at the end */
	unsigned gen;       /* model generation it was loaded for */
	struct tui_row *rows;
};

struct tui_model {
	long total;         /* matching rows; -1 while the count is running */
	long end_seen;      /* rows known to exist (from pages), >= 0 */
	long cursor;        /* row under the cursor */
	long top;           /* first visible row */
	int height;         /* visible rows, >= 1 */
	int64_t sel_id;     /* file id at the cursor, 0 = not known yet */
	int seek_sel;       /* 1 after a refresh until sel_id was looked for */
	unsigned gen;       /* bumped by a new query or a refresh */
	struct tui_page pages[TUI_MAX_PAGES];
	long pending[TUI_MAX_PENDING];   /* page numbers requested for gen, -1 free */
};

void model_init(struct tui_model *m);
void model_fini(struct tui_model *m);
/* A new query: drop every page, cursor to the top.  Returns the new gen. */
unsigned model_reset(struct tui_model *m);
/* Same query, data changed: keep pages on screen (stale) until fresh ones
 * arrive, and keep the selected file selected.  Returns the new gen. */
unsigned model_refresh(struct tui_model *m);
/* The count for gen arrived (ignored if stale). */
void model_set_total(struct tui_model *m, unsigned gen, long total);
/* Rows [first, first+n) for gen arrived; takes ownership of rows (freed at
 * once when stale).  n < TUI_PAGE_ROWS marks the end of the list. */
void model_put_page(struct tui_model *m, unsigned gen, long first, struct tui_row *rows,
                    int n);
/* Visible rows changed (resize). */
void model_set_height(struct tui_model *m, int height);
/* Move the cursor by delta rows / to row idx (clamped), scrolling as
 * needed; page moves by height - 1. */
void model_move(struct tui_model *m, long delta);
void model_goto(struct tui_model *m, long idx);
/* Number of rows the cursor may visit now (total, or rows seen while
 * counting). */
long model_limit(const struct tui_model *m);
/* Row idx if cached (possibly stale), else NULL.  Borrowed. */
const struct tui_row *model_row(const struct tui_model *m, long idx);
/* Page numbers that should be fetched now (around the view, missing or
 * stale, not yet requested); marks them requested.  Returns the count. */
int model_wanted(struct tui_model *m, long *pages, int max);
/* Find a cached row by id: its index, or -1. */
long model_find(const struct tui_model *m, int64_t id);
void tui_rows_free(struct tui_row *rows, int n);

/* ---- themes (theme.c) --------------------------------------------------- */

enum tui_role {
	TR_NORMAL, TR_HEADER, TR_CURSOR, TR_CURSOR_DIM, TR_TITLE, TR_BORDER, TR_DIM,
	TR_STATUS, TR_STATUS_WARN, TR_STATUS_ERR, TR_INPUT, TR_INPUT_ERR, TR_WAVE,
	TR_WAVE_SEL, TR_PLAYHEAD, TR_HELP, TR_HELP_KEY, TR_FAILED,
	TR_CLASS0,           /* TR_CLASS0 + enum an_class: one role per class */
	TR_NROLES = TR_CLASS0 + 8,
};

enum { TC_DEFAULT, TC_INDEX, TC_RGB };
struct tui_colour {
	int kind;           /* TC_* */
	uint32_t v;         /* index 0..255, or 0xRRGGBB */
};

enum { TA_BOLD = 1, TA_UNDERLINE = 2, TA_REVERSE = 4, TA_DIM = 8, TA_ITALIC = 16 };
struct tui_style {
	struct tui_colour fg, bg;
	int attrs;          /* TA_* */
};

struct tui_theme {
	char name[64];
	struct tui_style role[TR_NROLES];
};

/* A style resolved for one terminal: colour numbers the terminal has
 * (-1 = default) and attributes. */
struct tui_pen {
	int fg, bg;         /* -1 default; 0..255; or 0xRRGGBB for direct colour */
	int attrs;          /* TA_* */
};

/* Role names ("cursor", "class.speech", ...) for theme files. */
const char *theme_role_name(int role);
/* The built-in default theme (always valid). */
void theme_builtin(struct tui_theme *t);
/* Parse a theme file / string over the built-in default (roles not named
 * keep the default).  0, or -GR_EUSAGE with err "FILE:LINE: ...", or
 * -GR_EIO.  On error *t is the built-in default. */
int theme_load_file(struct tui_theme *t, const char *path, struct gr_err *err);
int theme_load_string(struct tui_theme *t, const char *yaml, size_t len, const char *name,
                      struct gr_err *err);
/* Find theme NAME: $XDG_CONFIG_HOME/grym/themes/NAME.yaml overrides the
 * installed and source-tree themes.  New path string or NULL. */
char *theme_find(const char *name);
/* Load NAME (builtin default when NAME is "default" and no file exists).
 * On error t is the built-in default and err says why. */
int theme_load_named(struct tui_theme *t, const char *name, struct gr_err *err);
/* Terminal colour depth: 0 (none or NO_COLOR), 8, 16, 256 or 16777216. */
int theme_depth(int colors, int no_color);
/* Resolve a style for a terminal of depth colours. */
struct tui_pen theme_resolve(const struct tui_style *s, int depth);
/* Nearest xterm-256 index / basic-8 index of an RGB colour. */
int theme_rgb_to_256(uint32_t rgb);
int theme_rgb_to_8(uint32_t rgb);

/* ---- keymap (keymap.c) -------------------------------------------------- */

#define TUI_KEY_FN 0x1000000   /* code = TUI_KEY_FN + ncurses KEY_* */

struct tui_binding {
	int code;            /* wide character, or TUI_KEY_FN + KEY_* */
	char key[16];        /* as written in the config */
	char command[64];    /* command name or ":command line" */
};

struct tui_keymap {
	int n;
	struct tui_binding b[GR_KEYMAP_MAX];
};

/* Build from cfg.keys; unknown key names or commands are skipped with a
 * message in err (returns the number skipped). */
int keymap_build(struct tui_keymap *km, const struct gr_config *cfg, struct gr_err *err);
/* The command bound to code, or NULL. */
const char *keymap_lookup(const struct tui_keymap *km, int code);
/* Code of a key name ("j", "pgdn", "C-d"), or -1. */
int keymap_parse_key(const char *name);
/* Help text of a command name (NULL if it is not one). */
const char *keymap_command_help(const char *command);
/* Lines of the help overlay: "KEYS  command  help", new strings; returns
 * the count (free with keymap_help_free). */
int keymap_help_lines(const struct tui_keymap *km, char ***lines);
void keymap_help_free(char **lines, int n);

/* ---- events (event.c) --------------------------------------------------- */

/* Private event types (public ones are in grym/tui.h). */
enum {
	TUI_EV_OPENED = 100,   /* a: 1 opened, 0 failed (text: why) */
	TUI_EV_COUNT,          /* a: gen, b: rows (-1: failed, text: why) */
	TUI_EV_PAGE,           /* a: gen, b: first row, x: rows, ptr: struct tui_row[] */
	TUI_EV_DETAIL,         /* a: seq, ptr: struct tui_detail * */
	TUI_EV_CHANGED,        /* another process committed to the catalog */
	TUI_EV_STATUS,         /* ptr: struct tui_status * (coalesced) */
	TUI_EV_RESULT,         /* a: 0 ok / <0 failed, text: message for the status line */
	TUI_EV_EXPORT,         /* progress: a item, b total, x fraction of the item,
	                          text: output name (coalesced) */
	TUI_EV_EXPORT_DONE,    /* a: files written or -GR_E*, b: failed items,
	                          text: message for the status line */
};

/* Start/stop accepting events; the fd becomes readable when some wait. */
int tui_events_open(struct gr_err *err);
void tui_events_close(void);
int tui_events_fd(void);
/* Swap the queue out: returns a new array of *n events (free() it; the
 * caller owns the ptr payloads).  Drains the wake-up pipe. */
struct ui_event *tui_events_take(size_t *n);
/* Free the payload of a private event (for events dropped unhandled). */
void tui_event_drop(struct ui_event *ev);

/* ---- loader thread (loader.c) ------------------------------------------- */

struct tui_region {
	double start, end;      /* s, file time */
	double loudness, peak_db;  /* LUFS, dBFS */
	int cls;                /* enum an_class, -1 none */
	double cls_conf;
	int key;                /* AN_NO_KEY or 0..23 */
	double key_conf;
	int has_tempo;
	double bpm;
};

/* Everything the detail pane shows of one file; strings escaped, owned. */
struct tui_detail {
	int64_t id;
	char *name, *path, *format, *tags, *error;
	char *raw_path;         /* unescaped absolute path: for commands, never drawn */
	double duration;        /* s */
	int rate, channels, bits;
	double loudness, peak_db;
	int status, missing;
	int cls;
	double cls_conf;
	int key;
	double key_conf;
	int has_tempo;
	double bpm, bpm_conf;
	int beats_per_bar;
	int n_regions;
	struct tui_region *regions;
	int have_peaks[2];      /* level 0 overview, 1 detail */
	struct dsp_peaks peaks[2];
	int n_patterns;         /* repeated sections inside regions */
	struct cat_pattern *patterns;   /* by region, group, start; owned */
};
void tui_detail_free(struct tui_detail *d);

struct tui_status {
	int64_t files, regions, failed, missing;
	int64_t queued, running, done, jfailed;   /* jobs */
	int disabled;           /* plugins switched off by the circuit breaker */
	char disabled_names[96];
	char error[128];        /* last catalog error, "" if none */
};

struct tui_loader;
/* Start the loader thread; it opens path itself (the result comes as
 * TUI_EV_OPENED).  NULL only when the thread can't start. */
struct tui_loader *loader_new(const char *path, struct gr_err *err);
/* Stop and join the thread, close the catalog.  NULL ok. */
void loader_free(struct tui_loader *l);
/* A new query text for generation gen (count and pages follow). */
void loader_query(struct tui_loader *l, const char *text, unsigned gen);
/* The data changed: same text, new generation. */
void loader_regen(struct tui_loader *l, unsigned gen);
/* Fetch these pages for gen (added to what is wanted). */
void loader_pages(struct tui_loader *l, unsigned gen, const long *pages, int n);
/* Load the detail of file id (the latest request wins). */
void loader_detail(struct tui_loader *l, int64_t id, unsigned seq);
/* Tag file id: add[], del[] (copied). */
void loader_tag(struct tui_loader *l, int64_t id, char **add, int n_add, char **del,
                int n_del);
/* Poll the catalog now instead of at the next tick. */
void loader_poke(struct tui_loader *l);
/* The list of generation gen becomes the TUI_SIM_ROWS regions most like
 * region idx of file file_id (count and one page follow, as for a query;
 * a TUI_EV_COUNT of -1 says why not).  The next loader_query() ends it. */
#define TUI_SIM_ROWS 100
void loader_similar(struct tui_loader *l, int64_t file_id, int idx, unsigned gen);

/* ---- the application (app.c, cmd.c, draw.c, views, widgets) ------------ */

enum { PANE_LIST, PANE_DETAIL };
enum { MODE_NORMAL, MODE_FILTER, MODE_COMMAND, MODE_HELP };

/* Parts of the screen redrawn on the next pass. */
enum {
	TUI_DIRTY_LIST = 1, TUI_DIRTY_DETAIL = 2, TUI_DIRTY_STATUS = 4, TUI_DIRTY_INPUT = 8,
	TUI_DIRTY_ALL = 15,
};

struct tui_box { int y, x, h, w; };

struct tui_input {
	char buf[512];          /* UTF-8 text */
	size_t len, cur;        /* bytes */
};

struct tui_app {
	const struct tui_opts *opts;
	struct tui_loader *loader;
	struct tui_model m;
	struct tui_keymap km;
	struct tui_theme theme;
	int depth;              /* colours in use (theme_depth) */
	int role_attr[TR_NROLES];  /* ncurses attributes per role (attr_t) */
	int ascii;              /* ASCII drawing (no UTF-8 locale or --ascii) */
	int rows, cols;         /* screen size, cells */
	int too_small;
	int pane;               /* PANE_* with the focus */
	int mode;               /* MODE_* */
	int dirty;              /* TUI_DIRTY_* */
	int quit;
	/* the query */
	char filter[512];       /* applied filter text */
	char filter_before[512];/* restored when the filter bar is cancelled */
	char sort[64];          /* sort field ("bpm", "-dur") or "" */
	struct tui_input in;    /* filter bar / command line */
	char in_err[192];       /* filter error, "" if none */
	long in_errpos;         /* byte offset of the error in in.buf */
	char list_err[192];     /* why the list could not load, "" if it could */
	/* the detail pane */
	struct tui_detail *detail;  /* shown; may lag the selection while loading */
	int64_t detail_want;    /* file id requested */
	unsigned detail_seq;
	int region;             /* selected region, -1 none */
	double view_t0, view_t1;   /* waveform's visible time range, s */
	int table_top;          /* first region row shown */
	/* the status line */
	int opened;             /* catalog opened (1), failed (-1), pending (0) */
	struct tui_status st;
	int have_st;
	char msg[192];          /* transient message */
	int msg_role;
	double msg_until;       /* time_now() when it goes */
	/* audition (audition.c) */
	struct play *player;    /* NULL until space is first pressed */
	int playing;            /* player starting or playing */
	int64_t play_file;      /* file id of the last start, 0 none */
	int play_region;        /* region the player reported last (-1 none) */
	struct play_status pst; /* last status read by aud_update() */
	uint64_t err_serial;    /* start whose error was already shown */
	double volume;          /* 0..1 */
	int loop;               /* bool: loop what plays */
	int auto_preview;       /* bool: play the selection when it changes */
	double next_tick;       /* time_now() of the next playhead frame */
	/* export (export_job.c) */
	struct tui_export *exp; /* running export, NULL none */
	char export_dir[1024];  /* target folder ("" = ~/grym-export) */
	double export_confirm;  /* time_now() of an 'e' that asked to confirm */
	char export_prog[128];  /* progress for the status line, "" none */
	/* the similar list (cmd.c cmd_similar): shown in place of the files */
	struct {
		int active;         /* bool */
		long cursor, top;   /* the file list's place, restored on the way back */
		int64_t sel_id;
		char title[160];    /* "kick.wav #0", escaped */
	} sim;
	/* help overlay */
	char **help;
	int nhelp, help_top;
	/* layout, from layout() */
	struct tui_box list, det, wave, tline, table;
	int status_y, input_y;
	int side_by_side;
	/* --bench */
	FILE *bench;
	double t0;              /* start, s */
	double key_t;           /* time of the key being measured, 0 none */
	char key_kind[16];      /* "scroll", "filter", "open" */
	int key_wait;           /* 1: wait for the loader's answer before logging */
	int first_frame_done;
};

/* draw.c */
void draw_theme_apply(struct tui_app *a);
int draw_attr(const struct tui_app *a, int role);
/* Draw s clipped/padded to w cells at y, x; returns cells used. */
int draw_text(int y, int x, int w, const char *s, int attr);
/* Display width of s in cells (UTF-8; invalid bytes count 1). */
int draw_width(const char *s);
void draw_fill(int y, int x, int w, int attr);
/* "1:02.5", "12.3 s" style durations into buf. */
const char *fmt_time(double s, char *buf, size_t n);
const char *fmt_key(const struct tui_app *a, int key, char *buf, size_t n);

/* view_list.c, view_detail.c, widgets.c */
void view_list_draw(struct tui_app *a);
long view_list_hit(const struct tui_app *a, int y, int x);   /* row index or -1 */
void view_detail_draw(struct tui_app *a);
/* Region under screen cell y, x (timeline or table), or -1. */
int view_detail_hit(const struct tui_app *a, int y, int x);
/* Make the selected region visible in the waveform and table. */
void view_detail_follow(struct tui_app *a);
void view_detail_zoom(struct tui_app *a, double factor);
void view_detail_pan(struct tui_app *a, double frac);
void widgets_status_draw(struct tui_app *a);
void widgets_input_draw(struct tui_app *a);
void widgets_help_draw(struct tui_app *a);
void widgets_too_small_draw(struct tui_app *a);
void tui_message(struct tui_app *a, int role, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* input.c: a key while the filter bar or command line is open */
void tui_input_key(struct tui_app *a, int code);
/* app.c: start a --bench measurement of a key of this kind */
void tui_bench_key(struct tui_app *a, const char *kind);

/* audition.c: the player, created on first use (UI thread only) */
/* space: play the selected region (detail pane) or file; stop when that
 * is what plays */
void aud_toggle(struct tui_app *a);
/* [ / ]: while playing jump to the previous / next region (1), else 0 */
int aud_step(struct tui_app *a, int dir);
/* arg "" toggles, "on"/"off" set */
void aud_loop(struct tui_app *a, const char *arg);
void aud_preview(struct tui_app *a, const char *arg);
/* Volume 0..1, absolute or by delta (relative = 1) */
void aud_volume(struct tui_app *a, double v, int relative);
/* The selection changed: with auto-preview, play it. */
void aud_selection(struct tui_app *a);
/* Read the player's status: state changes, errors, underruns, the region
 * it moved to.  Returns 1 while starting or playing. */
int aud_update(struct tui_app *a);
/* Audible playhead in file seconds if the shown file plays, else -1. */
double aud_playhead(const struct tui_app *a);
/* The status line's audition part ("" when nothing to say) */
void aud_status_text(const struct tui_app *a, char *buf, size_t n);
void aud_free(struct tui_app *a);

/* export_job.c: `e` - build the set and write it on a worker thread with
 * its own read-only catalog handle (the loader's is never shared) */
/* Export what is selected (see cmd.c); force replaces existing files. */
void tui_export_start(struct tui_app *a, int force);
/* Esc: ask a running export to stop (1), or 0 when none runs */
int tui_export_cancel(struct tui_app *a);
/* TUI_EV_EXPORT / _DONE arrived */
void tui_export_event(struct tui_app *a, const struct ui_event *ev);
/* Quit: cancel and join. */
void tui_export_free(struct tui_app *a);

/* cmd.c */
/* Run a command name from the keymap (or ":line"); the key code is given
 * for commands that care (none yet). */
void cmd_run(struct tui_app *a, const char *command);
/* Run a command line (without the ':'). */
void cmd_line(struct tui_app *a, const char *line);
/* The filter text or sort changed: a new query. */
void cmd_apply_query(struct tui_app *a);
/* The selection changed: ask for the detail of the selected file. */
void cmd_want_detail(struct tui_app *a);
/* Select region r of the shown file (clamped). */
void cmd_select_region(struct tui_app *a, int r);
/* s: show the regions like the selected one; again: back to the files */
void cmd_similar(struct tui_app *a);
/* Esc / backspace in the similar list: back to the files (1), else 0 */
int cmd_similar_back(struct tui_app *a);
/* In the similar list, select the cursor row's region in the shown file;
 * 1 if the selected region changed. */
int cmd_similar_follow(struct tui_app *a);

#endif
