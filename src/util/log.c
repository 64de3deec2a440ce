/*
 * log.c - messages for the person at the terminal (or the log file the
 * TUI redirects to).  Each call writes one whole line with one fprintf so
 * lines from threads do not interleave mid-line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "grym/util.h"

static FILE *log_file;

void log_set_file(FILE *f)
{
	log_file = f;
}

static void vlog(const char *level, const char *fmt, va_list ap)
{
	char line[1024];
	FILE *f = log_file ? log_file : stderr;

	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(f, "grym: %s%s\n", level, line);
	fflush(f);
}

void log_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog("warning: ", fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;
	if (getenv("GRYM_DEBUG") == NULL)
		return;
	va_start(ap, fmt);
	vlog("debug: ", fmt, ap);
	va_end(ap);
}

double time_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double time_wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int sys_ncpu(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n >= 1 ? (int)n : 1;
}

int sys_term_columns(int fd)
{
	struct winsize ws;
	const char *c = getenv("COLUMNS");

	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
		return ws.ws_col;
	if (c != NULL && atoi(c) >= 20)
		return atoi(c);
	return 80;
}
