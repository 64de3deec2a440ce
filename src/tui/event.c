/*
 * event.c - ui_post(): how other threads hand events to the UI thread.
 *
 * A list of events by value under one leaf mutex (nothing else is locked
 * while it is held), and a nonblocking close-on-exec self-pipe whose read
 * end the UI loop polls.  The UI swaps the whole list out under the lock
 * and handles it after unlocking.  UI_EV_JOBS and TUI_EV_STATUS are
 * coalesced: a newer one replaces the queued one, so a busy scan can't
 * flood the queue.
 *
 * Costs: ui_post is O(queued events) for coalescing (a handful) plus one
 * write(2).  Thread rules: ui_post from any thread; the rest UI thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grym/util.h"
#include "tui_int.h"

static pthread_mutex_t ev_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ui_event *ev_list;    /* guarded by ev_lock */
static size_t ev_n, ev_cap;         /* guarded by ev_lock */
static int ev_active;               /* guarded by ev_lock */
static int ev_pipe[2] = { -1, -1 }; /* set before ev_active, closed after */

int tui_events_open(struct gr_err *err)
{
	if (pipe2(ev_pipe, O_NONBLOCK | O_CLOEXEC) != 0)
		return gr_fail(err, GR_EIO, "event pipe: %s", strerror(errno));
	pthread_mutex_lock(&ev_lock);
	ev_active = 1;
	pthread_mutex_unlock(&ev_lock);
	return 0;
}

void tui_event_drop(struct ui_event *ev)
{
	switch (ev->type) {
	case TUI_EV_PAGE:
		tui_rows_free(ev->ptr, (int)ev->x);
		break;
	case TUI_EV_DETAIL:
		tui_detail_free(ev->ptr);
		break;
	case TUI_EV_STATUS:
		free(ev->ptr);
		break;
	default:
		break;
	}
	ev->ptr = NULL;
}

void tui_events_close(void)
{
	pthread_mutex_lock(&ev_lock);
	ev_active = 0;
	for (size_t i = 0; i < ev_n; i++)
		tui_event_drop(&ev_list[i]);
	free(ev_list);
	ev_list = NULL;
	ev_n = ev_cap = 0;
	pthread_mutex_unlock(&ev_lock);
	for (int i = 0; i < 2; i++) {
		if (ev_pipe[i] >= 0)
			close(ev_pipe[i]);
		ev_pipe[i] = -1;
	}
}

int tui_events_fd(void)
{
	return ev_pipe[0];
}

void ui_post(const struct ui_event *ev)
{
	int wake = 0;

	pthread_mutex_lock(&ev_lock);
	if (ev_active) {
		size_t i = ev_n;
		if (ev->type == UI_EV_JOBS || ev->type == TUI_EV_STATUS) {
			for (i = 0; i < ev_n; i++)
				if (ev_list[i].type == ev->type)
					break;
			if (i < ev_n)
				tui_event_drop(&ev_list[i]);   /* the latest wins */
		}
		if (i == ev_n) {
			if (ev_n == ev_cap) {
				ev_cap = ev_cap ? ev_cap * 2 : 32;
				ev_list = xrealloc(ev_list, ev_cap * sizeof(*ev_list));
			}
			ev_n++;
		}
		ev_list[i] = *ev;
		ev_list[i].text[sizeof(ev->text) - 1] = '\0';
		wake = 1;
	} else {
		struct ui_event tmp = *ev;
		tui_event_drop(&tmp);               /* nobody will take it */
	}
	pthread_mutex_unlock(&ev_lock);
	if (wake) {
		ssize_t w = write(ev_pipe[1], "x", 1);
		(void)w;   /* EAGAIN: the pipe is full, the UI is awake anyway */
	}
}

struct ui_event *tui_events_take(size_t *n)
{
	struct ui_event *l;
	char buf[256];

	while (read(ev_pipe[0], buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&ev_lock);
	l = ev_list;
	*n = ev_n;
	ev_list = NULL;
	ev_n = ev_cap = 0;
	pthread_mutex_unlock(&ev_lock);
	return l;
}
