/*
 * util.h - small shared pieces: allocation, strings, terminal-safe text,
 * paths, logging, time.
 *
 * x* allocators abort on out-of-memory; use them only for small, fixed or
 * program-controlled sizes.  Sizes that come from a file must be checked
 * by the caller and allocated with plain malloc so failure is an error.
 *
 * Thread rules: everything here is thread-safe except log_set_*(), which
 * is called once at start-up.
 */
#ifndef GRYM_UTIL_H
#define GRYM_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "grym/err.h"

#define GR_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation that aborts on OOM (small sizes only). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* Returns a new string, free() it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable byte string (for building JSON, SQL lists, lines). */
struct str {
	char *s;     /* NUL-terminated, owned; NULL until first append */
	size_t len;  /* bytes, excluding the NUL */
	size_t cap;  /* allocated bytes */
};
void str_init(struct str *b);
void str_fini(struct str *b);
void str_add(struct str *b, const char *s);
void str_addn(struct str *b, const char *s, size_t n);
void str_addf(struct str *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s as a JSON string literal (quotes included, all control bytes
 * and invalid UTF-8 escaped). */
void str_add_json(struct str *b, const char *s);
/* Returns the buffer (caller owns it, free()) and resets b. Never NULL. */
char *str_take(struct str *b);

/* Copy at most size-1 bytes and always NUL-terminate; returns strlen(src). */
size_t str_lcpy(char *dst, const char *src, size_t size);

/*
 * Terminal-safe text.  Every file name, tag or metadata string goes
 * through one of these before it reaches a terminal: control bytes (C0,
 * DEL, C1), and bytes of invalid UTF-8 are written as \xNN, newline as
 * \n, tab as \t, backslash as \\.  Valid printable UTF-8 passes.
 */
/* Returns a new string, free() it. */
char *str_escape_term(const char *s);
/* Writes the escaped form of s to f. */
void str_fputs_safe(const char *s, FILE *f);

/* Paths. */
/* $XDG_CONFIG_HOME/grym (or ~/.config/grym); new string, free() it. */
char *path_config_dir(void);
/* $XDG_DATA_HOME/grym (or ~/.local/share/grym); new string, free() it. */
char *path_data_dir(void);
/* mkdir -p with mode 0755; 0 or -GR_EIO with err naming the path. */
int path_mkdirs(const char *dir, struct gr_err *err);
/* Last component of path (borrowed pointer into path). */
const char *path_base(const char *path);
/* Expand a leading "~/"; new string, free() it. */
char *path_expand(const char *path);

/* Logging: messages go to stderr (or the file set with log_set_file),
 * prefixed "grym: ".  log_debug only prints when GRYM_DEBUG is set. */
void log_set_file(FILE *f);
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Monotonic time in seconds. */
double time_now(void);
/* Wall-clock time in seconds since the epoch. */
double time_wall(void);

/* Number of online CPUs (>= 1). */
int sys_ncpu(void);

/* Columns of the terminal on fd (or $COLUMNS, or 80). */
int sys_term_columns(int fd);

/* ---- small statistics (stats.c) ---------------------------------------- */

/* Running mean and variance (Welford); zero-initialise. */
struct gr_acc { double n, mean, m2; };
void gr_acc_add(struct gr_acc *a, double x);
/* Population standard deviation, 0 with fewer than two values. */
double gr_acc_std(const struct gr_acc *a);
/* The q-quantile (0..1, nearest rank) of v[0..n); sorts v.  0 if n == 0. */
double gr_quantile(float *v, size_t n, double q);

#endif
