/*
 * audition.c - the browser's side of audition: space plays the selected
 * region (detail pane) or the whole file through the play module, [ and ]
 * jump regions while playing, loop, volume, auto-preview, the playhead
 * and the status line's audition part.
 *
 * The player (struct play) is created on the first use, on the UI thread,
 * and kept until the browser quits.  Every play_* call used here only
 * queues a request for the player thread, so none of them waits for the
 * device or the disk.  The player's notify callback (player thread) posts
 * UI_EV_PLAY_STATE; the UI then reads play_status() (aud_update) and, while
 * something plays, redraws about 30 times a second reading the atomic
 * play_playhead() (app.c's poll timeout).  A missing or failing device
 * is one message in the status line; the browser carries on and the next
 * space tries the device again.
 *
 * Costs: every function is O(regions of the shown file) at most.
 * Thread rules: UI thread, except on_notify (player thread), which only
 * reads the player pointer (an atomic) and calls play_status and ui_post.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grym/catalog.h"
#include "grym/util.h"
#include "tui_int.h"

/* The running player for on_notify: set after play_new() returns and
 * cleared before play_free(), which joins the only thread that reads it. */
static _Atomic(struct play *) notify_player;

/* Player thread: after every state change. */
static void on_notify(void *arg)
{
	struct play *p = atomic_load(&notify_player);
	struct play_status st;
	struct ui_event ev;

	(void)arg;
	memset(&ev, 0, sizeof(ev));
	ev.type = UI_EV_PLAY_STATE;
	if (p != NULL) {
		play_status(p, &st);
		ev.a = st.state == PLAY_STARTING || st.state == PLAY_PLAYING;
		if (st.state == PLAY_ERROR)
			str_lcpy(ev.text, st.error, sizeof(ev.text));
	}
	ui_post(&ev);
}

static struct play *player(struct tui_app *a)
{
	struct play_cfg pc;
	struct gr_err err = { 0 };

	if (a->player != NULL)
		return a->player;
	play_cfg_from(&pc, a->opts->cfg);
	pc.volume = a->volume;
	pc.notify = on_notify;
	pc.notify_arg = NULL;
	a->player = play_new(&pc, &err);
	if (a->player == NULL) {
		tui_message(a, TR_STATUS_ERR, "can't play: %s", err.msg);
		return NULL;
	}
	atomic_store(&notify_player, a->player);
	return a->player;
}

/* The shown detail, if it is the selected file's and has a name. */
static const struct tui_detail *shown(const struct tui_app *a)
{
	const struct tui_detail *d = a->detail;

	if (d == NULL || d->id != a->m.sel_id || d->name == NULL || d->raw_path == NULL)
		return NULL;
	return d;
}

/* The region space plays: the selected one in the detail pane or the
 * similar list, else -1 (the whole file). */
static int wanted_region(const struct tui_app *a, const struct tui_detail *d)
{
	if ((a->pane == PANE_DETAIL || a->sim.active) && a->region >= 0 &&
	    a->region < d->n_regions)
		return a->region;
	return -1;
}

static void start(struct tui_app *a, const struct tui_detail *d, int region)
{
	struct gr_err err = { 0 };
	struct play_req r;
	struct play_span *spans = NULL;
	struct play *p;

	if (d->missing) {
		tui_message(a, TR_STATUS_ERR, "can't play %s: the file is missing", d->name);
		return;
	}
	if ((p = player(a)) == NULL)
		return;
	if (d->n_regions > 0) {
		spans = xcalloc((size_t)d->n_regions, sizeof(*spans));
		for (int i = 0; i < d->n_regions; i++)
			spans[i] = (struct play_span){ d->regions[i].start, d->regions[i].end,
			                               d->regions[i].loudness, d->regions[i].peak_db };
	}
	memset(&r, 0, sizeof(r));
	r.path = d->raw_path;
	r.file = (struct play_span){ 0, 0, d->loudness, d->peak_db };
	r.regions = spans;
	r.n_regions = (size_t)d->n_regions;
	r.region = region;
	r.sel = (struct play_span){ 0, 0, NAN, NAN };
	r.loop = a->loop;
	if (play_start(p, &r, &err) < 0) {
		tui_message(a, TR_STATUS_ERR, "can't play: %s", err.msg);
	} else {
		a->play_file = d->id;
		a->play_region = region;
		a->playing = 1;                /* until the player says otherwise */
		a->next_tick = 0;
	}
	free(spans);
	a->dirty |= TUI_DIRTY_STATUS | TUI_DIRTY_DETAIL;
}

void aud_toggle(struct tui_app *a)
{
	const struct tui_detail *d = shown(a);
	int region;

	if (d == NULL) {
		if (a->playing && a->player != NULL)
			play_stop(a->player);
		else
			tui_message(a, TR_STATUS_WARN, "no file selected");
		return;
	}
	region = wanted_region(a, d);
	/* space on what plays stops it; on anything else plays that instead */
	if (a->playing && a->player != NULL && a->play_file == d->id &&
	    a->play_region == region) {
		play_stop(a->player);
		return;
	}
	start(a, d, region);
}

int aud_step(struct tui_app *a, int dir)
{
	if (!a->playing || a->player == NULL)
		return 0;
	if (dir > 0)
		play_next(a->player);
	else
		play_prev(a->player);
	return 1;
}

/* "" toggles, on/off/true/false/1/0 set; -1 for anything else */
static int parse_onoff(const char *arg, int cur)
{
	while (*arg == ' ')
		arg++;
	if (*arg == '\0')
		return !cur;
	if (!strcmp(arg, "on") || !strcmp(arg, "true") || !strcmp(arg, "1") || !strcmp(arg, "yes"))
		return 1;
	if (!strcmp(arg, "off") || !strcmp(arg, "false") || !strcmp(arg, "0") || !strcmp(arg, "no"))
		return 0;
	return -1;
}

void aud_loop(struct tui_app *a, const char *arg)
{
	int on = parse_onoff(arg, a->loop);

	if (on < 0) {
		tui_message(a, TR_STATUS_WARN, "usage: :loop [on|off]");
		return;
	}
	a->loop = on;
	if (a->player != NULL)
		play_set_loop(a->player, on);
	tui_message(a, TR_STATUS, "loop %s", on ? "on" : "off");
}

void aud_preview(struct tui_app *a, const char *arg)
{
	int on = parse_onoff(arg, a->auto_preview);

	if (on < 0) {
		tui_message(a, TR_STATUS_WARN, "usage: :preview [on|off]");
		return;
	}
	a->auto_preview = on;
	tui_message(a, TR_STATUS, "auto-preview %s", on ? "on: the selection plays as it changes" :
	            "off");
}

void aud_volume(struct tui_app *a, double v, int relative)
{
	if (relative)
		v += a->volume;
	/* round to a percent so repeated steps land on 0 and 1 exactly */
	v = floor(v * 100 + 0.5) / 100;
	a->volume = v < 0 ? 0 : v > 1 ? 1 : v;
	if (a->player != NULL)
		play_set_volume(a->player, a->volume);
	tui_message(a, TR_STATUS, "volume %.0f%%", a->volume * 100);
}

void aud_selection(struct tui_app *a)
{
	const struct tui_detail *d;
	int region;

	if (!a->auto_preview || (d = shown(a)) == NULL)
		return;
	region = wanted_region(a, d);
	if (a->playing && a->play_file == d->id && a->play_region == region)
		return;                        /* already what plays */
	start(a, d, region);
}

int aud_update(struct tui_app *a)
{
	struct play_status st;
	int was = a->playing;

	if (a->player == NULL)
		return 0;
	play_status(a->player, &st);
	a->playing = st.state == PLAY_STARTING || st.state == PLAY_PLAYING;
	if (st.state == PLAY_ERROR && st.serial != a->err_serial) {
		a->err_serial = st.serial;
		/* the player's messages name the device or the file */
		tui_message(a, TR_STATUS_ERR, "%s", st.error[0] ? st.error : "audio failed");
	}
	/* the player moved to another region ([ ], or a selection crossing
	 * one): the selection follows when it shows that file */
	if (a->playing && st.region != a->play_region) {
		a->play_region = st.region;
		if (st.region >= 0 && a->detail != NULL && a->detail->id == a->play_file &&
		    st.region < a->detail->n_regions && a->pane == PANE_DETAIL) {
			a->region = st.region;
			view_detail_follow(a);
		}
	}
	if (st.underruns > a->pst.underruns && a->pst.serial != 0)
		a->dirty |= TUI_DIRTY_STATUS;
	a->pst = st;
	if (was != a->playing)
		a->dirty |= TUI_DIRTY_STATUS | TUI_DIRTY_DETAIL;
	return a->playing;
}

double aud_playhead(const struct tui_app *a)
{
	int64_t ph;
	double t;

	if (a->player == NULL || !a->playing || a->detail == NULL ||
	    a->detail->id != a->play_file || a->pst.file_rate <= 0)
		return -1;
	ph = play_playhead(a->player);
	if (ph < 0)
		return -1;
	/* the frame handed to the device is heard one output latency later */
	t = (double)ph / a->pst.file_rate - a->pst.latency_s;
	return t < a->pst.start_s ? a->pst.start_s : t;
}

void aud_status_text(const struct tui_app *a, char *buf, size_t n)
{
	const struct play_status *s = &a->pst;
	char t1[32], t2[32];
	int k = 0;

	buf[0] = '\0';
	if (a->playing) {
		double ph = s->playhead_s;
		if (a->player != NULL && s->file_rate > 0 && play_playhead(a->player) >= 0)
			ph = (double)play_playhead(a->player) / s->file_rate - s->latency_s;
		if (ph < s->start_s)
			ph = s->start_s;
		k += snprintf(buf + k, n - (size_t)k, "playing %s / %s",
		              fmt_time(ph - s->start_s, t1, sizeof(t1)),
		              fmt_time(s->end_s - s->start_s, t2, sizeof(t2)));
		if (s->region >= 0 && (size_t)k < n)
			k += snprintf(buf + k, n - (size_t)k, " region %d", s->region + 1);
		if (s->loop && (size_t)k < n)
			k += snprintf(buf + k, n - (size_t)k, " loop %d", s->pass);
		if ((size_t)k < n)
			k += snprintf(buf + k, n - (size_t)k, " vol %.0f%%", a->volume * 100);
	}
	if (s->underruns > 0 && (size_t)k < n)
		snprintf(buf + k, n - (size_t)k, "%sunderruns %lld", k ? " " : "",
		         (long long)s->underruns);
}

void aud_free(struct tui_app *a)
{
	struct gr_err err = { 0 };
	struct play_status st;
	struct cat *c;

	if (a->player == NULL)
		return;
	play_status(a->player, &st);
	play_free(a->player);            /* joins the player thread */
	atomic_store(&notify_player, NULL);
	a->player = NULL;
	/* The session's underruns go to the catalog's audition totals for
	 * `grym doctor` (the played time is not tracked here: 0 s).  A handle
	 * of its own: the loader's belongs to the loader thread. */
	if ((c = cat_open(a->opts->catalog, 0, &err)) != NULL) {
		cat_audition_record(c, 0, st.underruns, &err);
		cat_close(c);
	}
}
