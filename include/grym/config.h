/*
 * config.h - configuration: one option table drives defaults, YAML
 * validation, the documented config/grym.yaml and `grym config`.
 *
 * Files are YAML mappings of sections to options ("analysis:" then
 * "rate: 22050").  Order of precedence: built-in defaults, then the user's
 * file ($XDG_CONFIG_HOME/grym/config.yaml) or the one given with --config,
 * then GRYM_CATALOG for the catalog path, then command-line flags.
 * An unknown key, a wrong type or an out-of-range value is an error naming
 * file:line:column.
 *
 * Thread rules: load once at start-up; afterwards read-only, shareable.
 */
#ifndef GRYM_CONFIG_H
#define GRYM_CONFIG_H

#include <stdio.h>

#include "grym/err.h"

#define GR_KEYMAP_MAX 64

struct gr_keybind {
	char key[16];       /* "j", "down", "C-d", "space", "enter", ... */
	char command[64];   /* "down", "play", "filter", ":sort bpm", ... */
};

struct gr_config {
	/* analysis */
	int rate;               /* analysis rate, Hz */
	int fft_size;           /* STFT size, samples */
	int hop;                /* STFT hop, samples */
	double silence_db;      /* dBFS */
	double hysteresis_db;   /* dB */
	double min_silence;     /* s */
	double min_region;      /* s */
	double padding;         /* s */
	int resample_quality;   /* 0 best .. 4 linear (libsamplerate's types) */
	/* scanning */
	int workers;            /* 0 = one per core */
	double job_timeout;     /* s per file, wall clock */
	int breaker;            /* consecutive failing files that switch a plugin off */
	int max_file_mb;        /* address-space limit of a worker, MiB */
	/* catalog */
	char catalog[4096];     /* path of the SQLite catalog */
	/* display */
	char theme[64];
	int key_flats;          /* 0: F# major, 1: Gb major */
	int key_notation;       /* 0 standard, 1 camelot, 2 open key */
	int ascii;              /* force ASCII drawing */
	/* audition */
	char device[128];       /* "" = default output */
	double latency_ms;
	int level_match;        /* bool */
	double preview_lufs;    /* target loudness of level-matched preview */
	int auto_preview;       /* bool */
	double volume;          /* 0..1 */
	/* keys */
	int n_keys;
	struct gr_keybind keys[GR_KEYMAP_MAX];

	char loaded_from[4096]; /* file the values came from, "" for defaults */
};

/* Fill c with the built-in defaults. */
void config_defaults(struct gr_config *c);

/*
 * Load a YAML file over the current values of c.  Returns 0, or
 * -GR_EUSAGE with err "FILE:LINE:COL: unknown option 'x'" and the like;
 * c keeps its earlier values then.  -GR_EIO if the file can't be read.
 */
int config_load_file(struct gr_config *c, const char *path, struct gr_err *err);

/* Same, from a string (for tests and fuzzing); name is used in messages. */
int config_load_string(struct gr_config *c, const char *yaml, size_t len,
                       const char *name, struct gr_err *err);

/*
 * Defaults, then explicit (if not NULL, must exist) or else the user's
 * file if it exists, then the environment.  0 or -GR_E*.
 */
int config_init(struct gr_config *c, const char *explicit_path, struct gr_err *err);

/* Print the documented default configuration (what config/grym.yaml holds). */
void config_write_default(FILE *f);

/* Print the current values as YAML. */
void config_write(const struct gr_config *c, FILE *f);

#endif
