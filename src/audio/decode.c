/*
 * decode.c - opening files safely and the decoding front end.
 *
 * audio_open() opens the path itself (O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
 * O_CLOEXEC, so a FIFO or a device never blocks and a final symlink is
 * refused), fstat()s the descriptor and accepts only regular files, then
 * clears O_NONBLOCK.  Decoders get the bytes through audio_src (pread at a
 * private position), never the path.  libsndfile is tried first; FFmpeg's
 * libraries only when libsndfile cannot open the data (M4A, AAC, ALAC).
 *
 * audio_read() is the one place where samples leave the module: non-finite
 * values become 0 and magnitudes beyond AUDIO_SAMPLE_LIMIT are clamped, so
 * nothing downstream overflows.  When a backend notices corrupt data it
 * returns the good frames before it, audio_read() returns 0 after them and
 * audio_end_status() says how much was decoded.
 *
 * Costs: open is a few syscalls plus the backend's header parse; read is
 * the backend's decode plus one pass over the block.
 * Thread rules: one audio_file per thread at a time (see audio.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audio_int.h"
#include "grym/util.h"

/* Samples of float sources beyond +/-8 (+18 dBFS) are clamped: real
 * content never gets there, and it keeps sums of squares finite. */
#define AUDIO_SAMPLE_LIMIT 8.0f

size_t audio_src_read(struct audio_src *s, void *buf, size_t n)
{
	size_t got = 0;

	if (s->pos < 0 || s->pos >= s->size)
		return 0;
	if ((int64_t)n > s->size - s->pos)
		n = (size_t)(s->size - s->pos);
	if (s->mem != NULL) {
		memcpy(buf, s->mem + s->pos, n);
		s->pos += (int64_t)n;
		return n;
	}
	while (got < n) {
		ssize_t r = pread(s->fd, (char *)buf + got, n - got, (off_t)(s->pos + (int64_t)got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			if (s->io_errno == 0)
				s->io_errno = errno;
			break;
		}
		if (r == 0) /* the file shrank since fstat: that is its real end */
			break;
		got += (size_t)r;
	}
	s->pos += (int64_t)got;
	return got;
}

int64_t audio_src_seek(struct audio_src *s, int64_t off, int whence)
{
	int64_t p;

	switch (whence) {
	case SEEK_SET: p = off; break;
	case SEEK_CUR: p = s->pos + off; break;
	case SEEK_END: p = s->size + off; break;
	default: return -1;
	}
	if (p < 0)
		return -1;
	s->pos = p;
	return p;
}

int audio_check_info(const struct audio_file *f, struct gr_err *err)
{
	const struct audio_info *in = &f->info;

	if (in->channels < 1 || in->channels > AUDIO_CHANNELS_MAX)
		return gr_fail(err, GR_EFORMAT, "%s: %d channels is out of range (1..%d)",
		               f->name, in->channels, AUDIO_CHANNELS_MAX);
	if (in->rate < AUDIO_RATE_MIN || in->rate > AUDIO_RATE_MAX)
		return gr_fail(err, GR_EFORMAT, "%s: sample rate %d Hz is out of range (%d..%d Hz)",
		               f->name, in->rate, AUDIO_RATE_MIN, AUDIO_RATE_MAX);
	return 0;
}

static const char *file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISLNK(m))
		return "a symbolic link";
	return "an unknown kind of file";
}

/* A message for a failed open(2), naming the file. */
static int open_fail(const char *path, int e, struct gr_err *err)
{
	struct stat st;

	switch (e) {
	case ELOOP:
		/* O_NOFOLLOW: the final component is a symlink (or a real loop). */
		if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
			return gr_fail(err, GR_EIO, "%s: is a symbolic link (not followed)", path);
		return gr_fail(err, GR_EIO, "%s: too many levels of symbolic links", path);
	case ENXIO:
		/* A socket, or a device with no driver behind it. */
		if (lstat(path, &st) == 0)
			return gr_fail(err, GR_EIO, "%s: not a regular file (%s)", path,
			               file_kind(st.st_mode));
		break;
	case EACCES:
	case EPERM:
		return gr_fail(err, GR_EIO, "%s: permission denied", path);
	case ENOENT:
		return gr_fail(err, GR_EIO, "%s: no such file", path);
	default:
		break;
	}
	return gr_fail(err, GR_EIO, "%s: cannot open: %s", path, strerror(e));
}

/* Try the backends in order; f->src is ready. */
static int open_backends(struct audio_file *f, struct gr_err *err)
{
	int rc;

	audio_quiet_libs();
	if (f->src.size == 0)
		return gr_fail(err, GR_EFORMAT, "%s: empty file", f->name);
	rc = audio_sndfile_open(f, err);
	if (rc != -GR_EFORMAT)
		goto opened;
	f->src.pos = 0;
	rc = audio_ffmpeg_open(f, err);
	if (rc == -GR_EFORMAT) {
		if (f->src.io_errno != 0)
			return gr_fail(err, GR_EIO, "%s: read error: %s", f->name,
			               strerror(f->src.io_errno));
		if (f->corrupt_detail[0] != '\0')
			return gr_fail(err, GR_EFORMAT, "%s: not an audio file libsndfile or FFmpeg "
			               "can read (libsndfile: %s)", f->name, f->corrupt_detail);
		return gr_fail(err, GR_EFORMAT, "%s: not an audio file libsndfile or FFmpeg can read",
		               f->name);
	}
opened:
	if (rc < 0)
		return rc;
	f->corrupt_detail[0] = '\0';
	f->info.size = f->src.size;
	rc = audio_check_info(f, err);
	return rc;
}

static struct audio_file *file_new(const char *name)
{
	struct audio_file *f = xcalloc(1, sizeof(*f));

	f->name = xstrdup(name);
	f->src.fd = -1;
	f->info.frames_declared = -1;
	return f;
}

struct audio_file *audio_open(const char *path, struct gr_err *err)
{
	struct audio_file *f;
	struct stat st;
	int fd, fl;

	/* Refuse what is visibly not a regular file before opening it: opening
	 * some devices has effects (a tape rewinds, a modem line hangs up).
	 * The fstat() below is the real check; this one only avoids the open. */
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (S_ISLNK(st.st_mode))
			gr_fail(err, GR_EIO, "%s: is a symbolic link (not followed)", path);
		else
			gr_fail(err, GR_EIO, "%s: not a regular file (%s)", path, file_kind(st.st_mode));
		return NULL;
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		open_fail(path, errno, err);
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		gr_fail(err, GR_EIO, "%s: cannot stat: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		gr_fail(err, GR_EIO, "%s: not a regular file (%s)", path, file_kind(st.st_mode));
		close(fd);
		return NULL;
	}
	/* Regular files never block, but clear the flag so reads behave
	 * normally on every filesystem. */
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);

	f = file_new(path);
	f->src.fd = fd;
	f->src.size = (int64_t)st.st_size;
	f->info.mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
	if (open_backends(f, err) < 0) {
		audio_close(f);
		return NULL;
	}
	return f;
}

struct audio_file *audio_open_mem(const void *data, size_t len, const char *name,
                                  struct gr_err *err)
{
	struct audio_file *f = file_new(name != NULL ? name : "(memory)");

	f->src.mem = data;
	f->src.size = (int64_t)len;
	if (open_backends(f, err) < 0) {
		audio_close(f);
		return NULL;
	}
	return f;
}

const struct audio_info *audio_get_info(const struct audio_file *f)
{
	return &f->info;
}

long audio_read(struct audio_file *f, float *buf, size_t n, struct gr_err *err)
{
	long got;
	size_t i, ns;

	if (f->ended || n == 0)
		return 0;
	got = f->be->read(f, buf, n, err);
	if (got < 0)
		return got;
	if (got == 0) {
		f->ended = 1;
		if (f->src.io_errno != 0)
			f->io_failed = 1;
		return 0;
	}
	ns = (size_t)got * (size_t)f->info.channels;
	for (i = 0; i < ns; i++) {
		float v = buf[i];
		if (!isfinite(v))
			buf[i] = 0.0f;
		else if (v > AUDIO_SAMPLE_LIMIT)
			buf[i] = AUDIO_SAMPLE_LIMIT;
		else if (v < -AUDIO_SAMPLE_LIMIT)
			buf[i] = -AUDIO_SAMPLE_LIMIT;
	}
	f->done += got;
	return got;
}

int audio_end_status(const struct audio_file *f, struct gr_err *err)
{
	double secs = (double)f->done / f->info.rate;

	if (f->io_failed)
		return gr_fail(err, GR_ECORRUPT, "%s: decoded %.1f s, then a read error: %s",
		               f->name, secs, strerror(f->src.io_errno));
	if (f->corrupt_what != NULL)
		return gr_fail(err, GR_ECORRUPT, "%s: decoded %.1f s, then %s%s%s%s", f->name,
		               secs, f->corrupt_what, f->corrupt_detail[0] ? " (" : "",
		               f->corrupt_detail, f->corrupt_detail[0] ? ")" : "");
	if (f->head_what != NULL && f->head_lost > 0)
		return gr_fail(err, GR_ECORRUPT, "%s: %s near the start: the first %.1f s lost, "
		               "decoded %.1f s after it", f->name, f->head_what,
		               (double)f->head_lost / f->info.rate, secs);
	if (f->head_what != NULL)
		return gr_fail(err, GR_ECORRUPT, "%s: %s near the start: some audio lost, "
		               "decoded %.1f s after it", f->name, f->head_what, secs);
	return 0;
}

int64_t audio_frames_done(const struct audio_file *f)
{
	return f->done;
}

int audio_seek(struct audio_file *f, int64_t frame, struct gr_err *err)
{
	int rc;

	if (frame < 0)
		return gr_fail(err, GR_EUSAGE, "%s: cannot seek to frame %lld", f->name,
		               (long long)frame);
	rc = f->be->seek(f, frame, err);
	if (rc < 0)
		return rc;
	f->done = frame;
	f->ended = 0;
	f->corrupt_what = NULL;
	f->corrupt_detail[0] = '\0';
	return 0;
}

void audio_close(struct audio_file *f)
{
	if (f == NULL)
		return;
	if (f->be != NULL && f->be->close != NULL)
		f->be->close(f);
	if (f->src.fd >= 0)
		close(f->src.fd);
	free(f->name);
	free(f);
}
