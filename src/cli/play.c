/*
 * play.c - `grym play FILE|ID [--region N] [--loop] ...`: audition a
 * file, one of its regions or a time selection through the player
 * (src/play), with a progress line on a terminal.
 *
 * FILE|ID: a catalog id, or a path.  A file the catalog knows plays with
 * its stored loudness, peak and regions; any other readable audio file
 * plays too, its level measured first.  The catalog is opened read-only
 * and only if it exists.  Exit 0 when the play ended (or was stopped with
 * Ctrl-C, --stop-after), 1 with one message when no device works or the
 * file cannot be read, 2 on usage errors.
 *
 * stderr: ALSA's and JACK's chatter is silenced by the player itself, but
 * Debian's libportaudio is built with its debug prints on ("Expression
 * 'res' failed in 'src/hostapi/alsa/pa_linux_alsa.c', line: 3502" when a
 * device fails) and offers no hook to turn them off.  So while the player
 * exists, file descriptor 2 points at /dev/null and our own messages and
 * the progress line go to a duplicate of the real stderr (GRYM_DEBUG
 * keeps everything visible).  The TUI sends its stderr to a log file.
 */
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grym/catalog.h"
#include "grym/cli.h"
#include "grym/play.h"
#include "grym/util.h"

extern const struct cli_cmd cli_cmd_play;

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

struct target {
	char *path;                  /* owned */
	struct play_span file;
	struct play_span *regions;   /* owned */
	size_t n_regions;
	int in_catalog;
};

/* Read what the catalog knows about file id into t. */
/* Add this playback to the catalog's audition totals (grym doctor shows
 * them), when a catalog exists; a failure here is not the user's problem. */
static void record_audition(const struct cli_env *env, double played, int64_t underruns)
{
	struct gr_err err = { 0 };
	struct cat *c;

	if (played <= 0 || access(env->cfg.catalog, F_OK) != 0)
		return;
	if ((c = cat_open(env->cfg.catalog, 0, &err)) == NULL)
		return;
	cat_audition_record(c, played, underruns, &err);
	cat_close(c);
}

static int from_catalog(struct cat *c, int64_t id, struct target *t, struct gr_err *err)
{
	struct cat_file f;
	struct cat_region g;
	struct cat_cursor *cur;
	size_t cap = 0;
	int r;

	if ((r = cat_file_get(c, id, &f, err)) != 1)
		return r;
	t->path = xstrdup(f.path);
	t->file = (struct play_span){ 0, 0, f.loudness, f.peak_db };
	t->in_catalog = 1;
	if ((cur = cat_regions_of(c, id, err)) == NULL)
		return -err->code;
	while ((r = cat_next_region(cur, &g, err)) == 1) {
		if (t->n_regions == cap) {
			cap = cap ? 2 * cap : 16;
			t->regions = xrealloc(t->regions, cap * sizeof(*t->regions));
		}
		t->regions[t->n_regions++] = (struct play_span){ g.start, g.end, g.loudness,
		                                                  g.peak_db };
	}
	cat_cursor_free(cur);
	return r < 0 ? r : 1;
}

/* FILE|ID to a target: 0, or -1 after printing the error. */
static int resolve(struct cli_env *env, const char *arg, struct target *t)
{
	struct gr_err err = { 0 };
	struct cat *c = NULL;
	char abs[PATH_MAX], *end;
	long long id = strtoll(arg, &end, 10);
	int64_t fid;
	int r = 0;

	memset(t, 0, sizeof(*t));
	t->file = (struct play_span){ 0, 0, NAN, NAN };
	if (access(env->cfg.catalog, F_OK) == 0)
		c = cat_open(env->cfg.catalog, CAT_OPEN_READONLY, &err);
	if (c != NULL && *arg != '\0' && *end == '\0' && id > 0 && access(arg, F_OK) != 0) {
		r = from_catalog(c, id, t, &err);
		if (r == 0)
			cli_error("%s: no file with this id in the catalog", arg);
	} else if (realpath(arg, abs) == NULL) {
		cli_error("%s: %s", arg, *end == '\0' && id > 0 ? "no such file or catalog id"
		          : "no such file");
		r = -1;
	} else {
		if (c != NULL && cat_file_find(c, abs, &fid, &err) == 1)
			r = from_catalog(c, fid, t, &err);
		if (r <= 0) {
			free(t->path);
			free(t->regions);
			memset(t, 0, sizeof(*t));
			t->file = (struct play_span){ 0, 0, NAN, NAN };
			t->path = xstrdup(abs);
			r = 1;
		}
	}
	if (r < 0 && err.msg[0])
		cli_error("%s", err.msg);
	cat_close(c);
	return r == 1 ? 0 : -1;
}

static void fmt_time(double s, char *buf, size_t n)
{
	if (s < 0)
		s = 0;
	snprintf(buf, n, "%d:%05.2f", (int)(s / 60), fmod(s, 60));
}

static void progress(FILE *f, const struct play_status *st)
{
	char a[32], b[32];

	fmt_time(st->playhead_s, a, sizeof(a));
	fmt_time(st->end_s, b, sizeof(b));
	fprintf(f, "\r  %s %s / %s", st->state == PLAY_PLAYING ? ">" : " ", a, b);
	if (st->region >= 0)
		fprintf(f, "  region %d/%d", st->region, st->n_regions);
	if (st->loop)
		fprintf(f, "  loop %d", st->pass);
	fprintf(f, "  %+.1f dB  vol %.0f%%\033[K", st->gain_db, st->volume * 100);
	fflush(f);
}

/* Point fd 2 at /dev/null (see the top of the file); returns the saved
 * descriptor, or -1 when nothing was changed. */
static int hush_stderr(void)
{
	int saved, null;

	if (getenv("GRYM_DEBUG") != NULL)
		return -1;
	fflush(stderr);
	saved = fcntl(2, F_DUPFD_CLOEXEC, 3);
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (saved < 0 || null < 0 || dup2(null, 2) < 0) {
		if (saved >= 0)
			close(saved);
		saved = -1;
	}
	if (null >= 0)
		close(null);
	return saved;
}

static void restore_stderr(int saved)
{
	if (saved < 0)
		return;
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
}

static void report_json(const struct target *t, const struct play_status *st, double played,
                        int passes)
{
	struct str b;

	str_init(&b);
	str_add(&b, "{\"path\":");
	str_add_json(&b, t->path);
	str_add(&b, ",\"device\":");
	str_add_json(&b, st->device);
	str_addf(&b, ",\"device_rate\":%d,\"file_rate\":%d,\"gain_db\":%.2f,\"played_s\":%.3f,"
	         "\"gain\":%.9g,\"volume\":%.9g,\"passes\":%d,\"underruns\":%lld,\"start_latency_ms\":%.2f,\"latency_ms\":%.2f}",
	         st->device_rate, st->file_rate, st->gain_db, played,
	         pow(10.0, st->gain_db / 20.0), st->volume, passes,
	         (long long)st->underruns, st->start_latency_s * 1e3, st->latency_s * 1e3);
	puts(b.s);
	str_fini(&b);
}

enum { O_REGION = 256, O_START, O_END, O_LOOP, O_LOOPS, O_STOP_AFTER, O_DEVICE, O_RATE,
       O_NO_LEVEL, O_VOLUME, O_JSON };

static int play_run(struct cli_env *env, int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "region", required_argument, NULL, O_REGION },
		{ "start", required_argument, NULL, O_START },
		{ "end", required_argument, NULL, O_END },
		{ "loop", no_argument, NULL, O_LOOP },
		{ "loops", required_argument, NULL, O_LOOPS },
		{ "stop-after", required_argument, NULL, O_STOP_AFTER },
		{ "device", required_argument, NULL, O_DEVICE },
		{ "rate", required_argument, NULL, O_RATE },
		{ "no-level-match", no_argument, NULL, O_NO_LEVEL },
		{ "volume", required_argument, NULL, O_VOLUME },
		{ "json", no_argument, NULL, O_JSON },
		{ NULL, 0, NULL, 0 },
	};
	struct gr_err err = { 0 };
	struct play_cfg pc;
	struct play_req req;
	struct play_status st = { 0 };
	struct target t;
	struct play *p = NULL;
	struct sigaction sa, old_int, old_term;
	double start = 0, stop_at = 0, stop_after = 0, t0 = 0, played = 0;
	int o, region = -1, loop = 0, loops = 0, json = 0, rc = CLI_OK, tty, stopping = 0;
	int passes = 0, saved_fd = -1;
	FILE *err_out = stderr;
	char *end;

	play_cfg_from(&pc, &env->cfg);
	optind = 0;
	while ((o = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		switch (o) {
		case O_REGION:
			region = (int)strtol(optarg, &end, 10);
			if (*end || region < 0)
				return cli_usage_error(&cli_cmd_play, "--region wants an index >= 0");
			break;
		case O_START: case O_END: case O_STOP_AFTER: {
			double v = strtod(optarg, &end);
			if (*end || !(v >= 0))
				return cli_usage_error(&cli_cmd_play, "%s wants seconds >= 0",
				                       argv[optind - 1]);
			*(o == O_START ? &start : o == O_END ? &stop_at : &stop_after) = v;
			break;
		}
		case O_LOOP: loop = 1; break;
		case O_LOOPS:
			loops = (int)strtol(optarg, &end, 10);
			if (*end || loops < 1)
				return cli_usage_error(&cli_cmd_play, "--loops wants a count >= 1");
			loop = 1;
			break;
		case O_DEVICE: str_lcpy(pc.device, optarg, sizeof(pc.device)); break;
		case O_RATE:
			pc.rate = (int)strtol(optarg, &end, 10);
			if (*end || pc.rate < 8000 || pc.rate > 384000)
				return cli_usage_error(&cli_cmd_play, "--rate wants 8000..384000 Hz");
			break;
		case O_NO_LEVEL: pc.level_match = 0; break;
		case O_VOLUME:
			pc.volume = strtod(optarg, &end);
			if (*end || !(pc.volume >= 0 && pc.volume <= 1))
				return cli_usage_error(&cli_cmd_play, "--volume wants 0..1");
			break;
		case O_JSON: json = 1; break;
		default: return cli_usage_error(&cli_cmd_play, "unknown option");
		}
	}
	if (optind != argc - 1)
		return cli_usage_error(&cli_cmd_play, "give one file or id");
	if (region >= 0 && (start > 0 || stop_at > 0))
		return cli_usage_error(&cli_cmd_play, "--region and --start/--end exclude each other");
	if (stop_at > 0 && stop_at <= start)
		return cli_usage_error(&cli_cmd_play, "--end must be after --start");
	if (resolve(env, argv[optind], &t) < 0)
		return CLI_FAIL;
	if (region >= 0 && (size_t)region >= t.n_regions) {
		if (!t.in_catalog)
			cli_error("%s: not in the catalog: --region needs an analysed file "
			          "(grym analyze or scan it first)", argv[optind]);
		else
			cli_error("%s: has %zu regions (0..%zu); no region %d", argv[optind],
			          t.n_regions, t.n_regions ? t.n_regions - 1 : 0, region);
		rc = CLI_FAIL;
		goto out;
	}
	memset(&req, 0, sizeof(req));
	req.path = t.path;
	req.file = t.file;
	req.regions = t.regions;
	req.n_regions = t.n_regions;
	req.region = region;
	req.sel = (struct play_span){ start, stop_at, NAN, NAN };
	if (start == 0 && stop_at == 0)
		req.sel = t.file;
	req.loop = loop;
	req.loops = loops;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	tty = !json && isatty(2);
	if ((saved_fd = hush_stderr()) >= 0)
		err_out = fdopen(dup(saved_fd), "w");
	if (err_out == NULL)
		err_out = stderr;
	if ((p = play_new(&pc, &err)) == NULL || play_start(p, &req, &err) < 0) {
		rc = CLI_FAIL;
		goto out_sig;
	}
	for (;;) {
		usleep(50000);
		play_status(p, &st);
		if (st.state == PLAY_PLAYING && t0 == 0)
			t0 = time_now();
		if (st.pass > passes)
			passes = st.pass;
		if (st.state == PLAY_ERROR) {
			str_lcpy(err.msg, st.error, sizeof(err.msg));
			rc = CLI_FAIL;
			break;
		}
		if (st.state == PLAY_IDLE)
			break;
		if (!stopping && (interrupted || (stop_after > 0 && t0 > 0 &&
		                                  time_now() - t0 >= stop_after))) {
			play_stop(p);
			stopping = 1;
		}
		if (tty)
			progress(err_out, &st);
	}
	played = t0 > 0 ? time_now() - t0 : 0;
	if (tty)
		fputs("\r\033[K", err_out);
out_sig:
	play_free(p);
	record_audition(env, played, st.underruns);
	if (err_out != stderr)
		fclose(err_out);
	restore_stderr(saved_fd);
	if (rc != CLI_OK)
		cli_error("%s", err.msg);
	else if (json)
		report_json(&t, &st, played, passes);
	else if (st.underruns > 0 || getenv("GRYM_DEBUG") != NULL)
		fprintf(stderr, "grym: %lld underruns; start latency %.1f ms\n",
		        (long long)st.underruns, st.start_latency_s * 1e3);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
out:
	free(t.path);
	free(t.regions);
	return rc;
}

const struct cli_cmd cli_cmd_play = {
	.name = "play",
	.args = "FILE|ID [--region N | --start S --end S] [--loop | --loops N] "
	        "[--device NAME] [--no-level-match] [--volume V] [--json]",
	.summary = "listen to a file, one of its regions or a stretch of it",
	.help = "  --region N        play region N (0-based, as `grym show` numbers them)\n"
	        "  --start S --end S play from S to E seconds\n"
	        "  --loop            repeat until stopped (Ctrl-C)\n"
	        "  --loops N         repeat N times, then stop\n"
	        "  --stop-after S    stop after S seconds\n"
	        "  --device NAME     output device (see `grym devices`); default play.device\n"
	        "  --rate HZ         device sample rate (default: the device's own)\n"
	        "  --no-level-match  play at the file's own level (default: play.level_match\n"
	        "                    brings every sound to play.preview_lufs)\n"
	        "  --volume V        0..1 (default play.volume)\n"
	        "  --json            print one JSON object at the end: device, rates, gain,\n"
	        "                    played_s, passes, underruns, start_latency_ms\n"
	        "Exits 1 with the reason when no audio device works.\n",
	.run = play_run,
};
