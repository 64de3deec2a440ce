/*
 * err.h - the project-wide error convention.
 *
 * Functions return 0 on success and a negative GR_E* code on failure;
 * functions that return pointers return NULL.  The human-readable reason
 * goes into a caller-owned struct gr_err, filled without allocating, so it
 * is safe in workers, signal-adjacent code and after an out-of-memory.
 * Messages name the thing: a path, "path:line:col" for YAML, a character
 * offset for a query.
 *
 * Thread rules: none; a struct gr_err belongs to its caller.
 */
#ifndef GRYM_ERR_H
#define GRYM_ERR_H

#include <stddef.h>

enum {
	GR_OK = 0,
	GR_EIO = 1,       /* read/write/open failed (errno-based) */
	GR_EFORMAT = 2,   /* input is not what it claims to be */
	GR_ETOOBIG = 3,   /* a size read from input is beyond a sane limit */
	GR_ENOMEM = 4,    /* allocation failed for an input-sized buffer */
	GR_EUSAGE = 5,    /* bad arguments or configuration */
	GR_ECORRUPT = 6,  /* decoded partially, then the data went bad */
	GR_EDB = 7,       /* catalog (SQLite) error */
	GR_ETIMEOUT = 8,  /* a deadline or budget ran out */
	GR_ESKIP = 9,     /* not run because something it needs failed */
	GR_ENOTSUP = 10,  /* a feature or device not available here */
	GR_EBUSY = 11,    /* someone else holds it */
	GR_ECANCEL = 12,  /* stopped on request */
	GR_EFULL = 13,    /* a write found the disk (or its quota) full */
};

struct gr_err {
	int code;       /* last GR_E* code, 0 when unset */
	char msg[256];  /* NUL-terminated reason, "" when unset */
};

/* Fill *e (may be NULL) with code and a printf-style message; returns -code. */
int gr_fail(struct gr_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefix e->msg with "prefix: " (keeps the code); returns -e->code. */
int gr_prefix(struct gr_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Reset *e to "no error". */
void gr_clear(struct gr_err *e);

/* The short English name of a code ("io error", "bad format", ...). */
const char *gr_strcode(int code);

#endif
