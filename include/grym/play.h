/*
 * play.h - audition through PortAudio: play a file, a region or a time
 * selection of the ORIGINAL file, level-matched, looping, with a playhead.
 *
 * Model: a struct play owns one player thread (decode ahead, resample to
 * the device rate with libsamplerate, map channels to stereo, open and
 * close the PortAudio stream) and the PortAudio callback (reads a
 * lock-free ring, applies gain with a 5 ms ramp, publishes the playhead,
 * counts underruns).  Every control call below only copies a request
 * into a mailbox under a leaf lock and wakes the player thread: it never
 * waits for the device, the decoder or the disk, so the UI thread may
 * call it freely.  Results show up in play_status() / play_playhead().
 *
 * Level match: playback gain = preview_lufs - loudness (LUFS; a mono
 * source, copied to both sides, is counted 3 dB louder), at most +30 dB,
 * and never more than the stored sample peak allows (peak * gain <=
 * -1 dBFS).  Unknown loudness: unity gain, peak-limited.  If the decoded
 * (resampled) samples would still exceed full scale, the player lowers the
 * gain before they reach the device (clip guard).  With level match off
 * the gain is 1 (lower only for float files that exceed full scale).
 *
 * Failure: no device, a device that cannot be opened, or one that stops
 * mid-play puts the player in PLAY_ERROR with one message
 * (play_status().error); the player stays usable and the next start
 * tries the device again (PortAudio is re-initialised, so a device
 * plugged in meanwhile is found).
 *
 * Library chatter: ALSA's and JACK's error printing is routed to a no-op
 * handler before PortAudio probes the devices (see src/play/device.c), so
 * nothing reaches the terminal.
 *
 * Thread rules: play_new/play_free from one thread (the owner, e.g. the
 * UI thread); every other function may be called from any thread and
 * never blocks.  PortAudio is only ever called from the player thread
 * (and from play_devices_list, which is for the command line).
 */
#ifndef GRYM_PLAY_H
#define GRYM_PLAY_H

#include <stddef.h>
#include <stdint.h>

#include "grym/err.h"

struct gr_config;

#define PLAY_MAX_BOOST_DB 30.0   /* level match never raises more than this, dB */
#define PLAY_CEILING_DB (-1.0)   /* level-matched peaks stay below this, dBFS */
#define PLAY_RAMP_MS 5.0         /* gain/volume/fade ramps, ms */

struct play_cfg {
	char device[128];       /* output device name or unique part of it; "" = default */
	double latency_ms;      /* suggested output latency, ms */
	int level_match;        /* bool */
	double preview_lufs;    /* level-match target, LUFS */
	double volume;          /* 0..1, linear */
	int rate;               /* device rate, Hz; 0 = the device's default rate */
	/* Called from the player thread after every state change (start,
	 * playing, end, error).  Must not block (e.g. ui_post()).  NULL ok. */
	void (*notify)(void *arg);
	void *notify_arg;
};

/* Fill c from the play: section of the configuration (rate 0, no notify). */
void play_cfg_from(struct play_cfg *c, const struct gr_config *cfg);

/* A stretch of the file with what the catalog knows about its level. */
struct play_span {
	double start, end;      /* s from the start of the file; end <= start: to the end */
	double loudness;        /* integrated loudness, LUFS; NAN = unknown */
	double peak_db;         /* sample peak, dBFS; NAN = unknown */
};

struct play_req {
	const char *path;              /* the original file (copied) */
	struct play_span file;         /* the whole file (start 0, end 0) with its loudness */
	const struct play_span *regions; /* the file's regions in time order (copied), or NULL */
	size_t n_regions;
	int region;                    /* >= 0: play regions[region]; -1: play sel */
	struct play_span sel;          /* region < 0: the selection ({0, 0} = whole file);
	                                  unknown loudness: the file's is used, and if that is
	                                  unknown too it is measured (first 30 s) */
	int loop;                      /* repeat the region / selection */
	int loops;                     /* with loop: stop after this many passes; 0 = until
	                                  stopped */
};

enum play_state {
	PLAY_IDLE = 0,          /* nothing playing (also after the end) */
	PLAY_STARTING,          /* request taken: opening the file / device, measuring */
	PLAY_PLAYING,           /* samples are flowing */
	PLAY_ERROR,             /* last start or the device failed; see error */
};

struct play_status {
	int state;              /* enum play_state */
	uint64_t serial;        /* number of the start request this describes (1, 2, ...) */
	int64_t playhead;       /* source frames from the start of the file */
	double playhead_s;      /* the same in s (audible position is latency_s later) */
	double start_s, end_s;  /* what is playing: the region / selection, s */
	double duration_s;      /* length of the file, s (0 until known) */
	int region;             /* index of the region playing, -1 for a selection */
	int n_regions;
	int loop;               /* bool */
	int pass;               /* 1-based pass of a loop being heard */
	int file_rate;          /* Hz */
	int device_rate;        /* Hz of the open (or last) device, 0 before any */
	double latency_s;       /* output latency the device reports, s */
	double gain_db;         /* level-match gain being applied, dB */
	double volume;          /* 0..1 */
	int level_match;        /* bool */
	int64_t underruns;      /* callbacks that found the ring short while playing, total */
	double start_latency_s; /* last start: request to first sample handed to PortAudio */
	char device[128];       /* name of the open (or last) device */
	int error_code;         /* GR_E* of the last failure, 0 if none */
	char error[256];        /* its message, "" if none */
};

struct play;

/*
 * A player.  Starts the player thread, which initialises PortAudio in the
 * background (so a missing device shows up as PLAY_ERROR later, never
 * here).  NULL with err only when the thread cannot be made.
 */
struct play *play_new(const struct play_cfg *cfg, struct gr_err *err);

/* Stop, close the device, join the thread.  May wait for the device to
 * drain (about latency_ms).  NULL ok. */
void play_free(struct play *p);

/*
 * Start playing r (replacing whatever plays; the device stays open, so
 * this is fast).  The request is copied; requests not yet taken up by the
 * player thread are dropped (the latest start wins, so auto-preview can
 * post one per cursor move).  Returns 0, or -GR_EUSAGE with
 * err for a request that makes no sense (no path, region out of range).
 * Everything else (unreadable file, no device) ends in PLAY_ERROR.
 */
int play_start(struct play *p, const struct play_req *r, struct gr_err *err);
/* Stop with a 5 ms fade.  No-op when idle. */
void play_stop(struct play *p);
/* Jump to the next / previous region while playing (region play: the
 * adjacent region, keeping loop; selection play: the region after / the
 * one before the playhead).  No-op when there is none. */
void play_next(struct play *p);
void play_prev(struct play *p);
/* Jump to t seconds (clamped to what is playing). */
void play_seek(struct play *p, double t);
/* Loop on/off for what is playing (and later starts keep req.loop). */
void play_set_loop(struct play *p, int on);
/* Volume 0..1, ramped; takes effect within one device buffer. */
void play_set_volume(struct play *p, double v);
/* Level match on/off, ramped; takes effect within one device buffer. */
void play_set_level_match(struct play *p, int on);

/* Source frame being handed to the device (an atomic load; -1 when
 * nothing plays).  For drawing the playhead at any frame rate. */
int64_t play_playhead(const struct play *p);
/* A consistent copy of the state (leaf lock held for a memcpy). */
void play_status(struct play *p, struct play_status *out);
const char *play_state_name(int state);   /* "idle", "starting", "playing", "error" */

/* ---- devices (command line; blocks while PortAudio probes, ~0.1-0.5 s) ---- */

struct play_device {
	int index;              /* PortAudio device index */
	char name[128];
	char host_api[32];      /* "ALSA", "JACK Audio Connection Kit", ... */
	int channels;           /* max output channels */
	double rate;            /* default sample rate, Hz */
	double latency_ms;      /* default low output latency, ms */
	int is_default;         /* bool */
};

/* Every output device: new array (free() it) in *out, count in *n.
 * 0 (possibly with n = 0), or -GR_ENOTSUP with err when PortAudio cannot
 * start. */
int play_devices_list(struct play_device **out, size_t *n, struct gr_err *err);

/* ---- pieces exposed for tests ---- */

/* Level-match gain (linear) for a source of this loudness (LUFS, NAN =
 * unknown), sample peak (dBFS, NAN = unknown) and channel count. */
double play_level_gain(double loudness, double peak_db, int channels, double target_lufs,
                       int level_match);

/*
 * Integrated loudness (LUFS, -INFINITY when too short/quiet) and sample
 * peak (dBFS) of source frames [from, to) of path (to <= from: to the
 * end), reading at most max_s seconds.  0 or -GR_E* with err.
 */
int play_measure(const char *path, int64_t from, int64_t to, double max_s,
                 double *loudness, double *peak_db, struct gr_err *err);

#endif
