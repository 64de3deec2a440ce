/*
 * err.c - struct gr_err helpers.  No allocation, safe in any thread.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "grym/err.h"

int gr_fail(struct gr_err *e, int code, const char *fmt, ...)
{
	if (e != NULL) {
		va_list ap;
		e->code = code;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
	}
	return -code;
}

int gr_prefix(struct gr_err *e, const char *fmt, ...)
{
	char pre[256], old[sizeof(e->msg)];
	va_list ap;

	if (e == NULL)
		return -GR_EIO;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	snprintf(e->msg, sizeof(e->msg), "%s: %s", pre, old);
	return -e->code;
}

void gr_clear(struct gr_err *e)
{
	if (e != NULL) {
		e->code = 0;
		e->msg[0] = '\0';
	}
}

const char *gr_strcode(int code)
{
	if (code < 0)
		code = -code;
	switch (code) {
	case GR_OK: return "ok";
	case GR_EIO: return "io error";
	case GR_EFORMAT: return "bad format";
	case GR_ETOOBIG: return "too big";
	case GR_ENOMEM: return "out of memory";
	case GR_EUSAGE: return "usage error";
	case GR_ECORRUPT: return "corrupt data";
	case GR_EDB: return "catalog error";
	case GR_ETIMEOUT: return "timed out";
	case GR_ESKIP: return "skipped";
	case GR_ENOTSUP: return "not supported";
	case GR_EBUSY: return "busy";
	case GR_ECANCEL: return "cancelled";
	case GR_EFULL: return "disk full";
	}
	return "unknown error";
}
