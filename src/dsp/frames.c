/*
 * frames.c - the append-only frame store.
 *
 * Frames [0, ndisk) live in an unlinked temporary file (created with
 * mkstemp in $TMPDIR or /tmp and unlinked at once, so nothing is left
 * behind even after a crash), frames [ndisk, ndisk + nmem) in memory.
 * When the memory part reaches `cap` frames it is written out in one
 * write and reused, so memory stays at cap * sizeof(struct dsp_frame)
 * (16384 * 296 B = 4.8 MB by default) whatever the file's length.
 *
 * Costs: append is O(1) amortised (the memory part grows by doubling up to
 * cap; a spill is one sequential write of cap frames); read is one pread
 * per call for the spilled part plus a memcpy.
 * Threads: a struct frames belongs to one analyzer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dsp_int.h"

#define FRAMES_DEFAULT_CAP 16384

void frames_init(struct frames *f, size_t cap)
{
	memset(f, 0, sizeof(*f));
	f->cap = cap > 0 ? cap : FRAMES_DEFAULT_CAP;
	f->fd = -1;
}

void frames_fini(struct frames *f)
{
	free(f->mem);
	if (f->fd >= 0)
		close(f->fd);
	f->mem = NULL;
	f->fd = -1;
}

void frames_reset(struct frames *f)
{
	f->nmem = 0;
	f->ndisk = 0;
	if (f->fd >= 0 && ftruncate(f->fd, 0) != 0) {
		close(f->fd);
		f->fd = -1;
	}
}

static int open_spill(struct frames *f, struct gr_err *err)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	snprintf(path, sizeof(path), "%s/grym-frames-XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0 && strcmp(dir, "/tmp") != 0) {
		snprintf(path, sizeof(path), "/tmp/grym-frames-XXXXXX");
		fd = mkstemp(path);
	}
	if (fd < 0)
		return gr_fail(err, GR_EIO, "dsp: cannot create a temporary file in %s: %s",
		               dir, strerror(errno));
	unlink(path);
	f->fd = fd;
	return 0;
}

static int write_all(int fd, const void *buf, size_t n, off_t off)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t w = pwrite(fd, p, n, off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
		off += w;
	}
	return 0;
}

static int spill(struct frames *f, struct gr_err *err)
{
	int rc;

	if (f->fd < 0 && (rc = open_spill(f, err)) != 0)
		return rc;
	if (write_all(f->fd, f->mem, f->nmem * sizeof(struct dsp_frame),
	              (off_t)f->ndisk * (off_t)sizeof(struct dsp_frame)) != 0)
		return gr_fail(err, GR_EIO, "dsp: writing the frame spill file failed: %s",
		               errno ? strerror(errno) : "disk full");
	f->ndisk += (int64_t)f->nmem;
	f->nmem = 0;
	return 0;
}

int frames_append(struct frames *f, const struct dsp_frame *fr, struct gr_err *err)
{
	int rc;

	if (f->nmem == f->cap && (rc = spill(f, err)) != 0)
		return rc;
	if (f->nmem == f->alloc) {
		size_t na = f->alloc ? f->alloc * 2 : 256;
		struct dsp_frame *m;

		if (na > f->cap)
			na = f->cap;
		m = realloc(f->mem, na * sizeof(*m));
		if (m == NULL)
			return gr_fail(err, GR_ENOMEM, "dsp: out of memory for %zu frames", na);
		f->mem = m;
		f->alloc = na;
	}
	f->mem[f->nmem++] = *fr;
	return 0;
}

int64_t frames_count(const struct frames *f)
{
	return f->ndisk + (int64_t)f->nmem;
}

size_t frames_mem_bytes(const struct frames *f)
{
	return f->alloc * sizeof(struct dsp_frame);
}

int frames_read(struct frames *f, int64_t first, size_t n, struct dsp_frame *out,
                struct gr_err *err)
{
	int64_t total = frames_count(f);

	if (first < 0 || first > total || (int64_t)n > total - first)
		return gr_fail(err, GR_EUSAGE, "dsp: frames [%lld, +%zu) out of range (%lld)",
		               (long long)first, n, (long long)total);
	while (n > 0 && first < f->ndisk) {
		size_t k = (size_t)(f->ndisk - first) < n ? (size_t)(f->ndisk - first) : n;
		size_t bytes = k * sizeof(*out), got = 0;

		while (got < bytes) {
			ssize_t r = pread(f->fd, (char *)out + got, bytes - got,
			                  (off_t)first * (off_t)sizeof(*out) + (off_t)got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return gr_fail(err, GR_EIO, "dsp: reading the frame spill file failed: %s",
				               r < 0 ? strerror(errno) : "short read");
			got += (size_t)r;
		}
		out += k;
		first += (int64_t)k;
		n -= k;
	}
	if (n > 0)
		memcpy(out, f->mem + (first - f->ndisk), n * sizeof(*out));
	return 0;
}
