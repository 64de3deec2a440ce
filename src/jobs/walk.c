/*
 * walk.c - the tree walker of `grym scan`.
 *
 * A depth-first walk with openat()/fstatat() relative to one open
 * directory descriptor per level (so at most JOB_WALK_MAX_DEPTH + a few
 * descriptors), names sorted bytewise in each directory so every run sees
 * the same order.  Symbolic links are never followed (the decoder refuses
 * them too, see audio_open): a link named like audio, or one pointing to a
 * directory or into a loop, is reported; FIFOs, sockets and devices named
 * like audio are reported and never opened (opening a FIFO would block).
 * A directory that is already on the current path (possible with bind
 * mounts) is reported as a loop.  Names are arbitrary bytes: nothing here
 * interprets them beyond the extension test, and '/' joins components.
 * Hidden names (leading '.') are skipped: .git, .Trash, macOS "._x.wav"
 * resource forks.
 *
 * Cost: one fstatat per entry, one faccessat per audio file; memory is the
 * names of one directory per level.
 *
 * Thread rules: none shared; a walk runs on its caller's thread.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grym/jobs.h"
#include "grym/util.h"
#include "jobs_int.h"

static const char *const audio_ext[] = {
	"wav", "wave", "aif", "aiff", "aifc", "flac", "ogg", "oga", "opus",
	"mp3", "m4a", "mp4", "aac", "caf", "w64", "rf64",
};

int job_is_audio_name(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (dot == NULL || dot == name || dot[1] == '\0')
		return 0;
	for (size_t i = 0; i < GR_ARRAY_LEN(audio_ext); i++)
		if (!strcasecmp(dot + 1, audio_ext[i]))
			return 1;
	return 0;
}

const char *job_skip_reason(int skip)
{
	switch (skip) {
	case JOB_SKIP_NONE: return "ok";
	case JOB_SKIP_SYMLINK: return "symbolic link (not followed)";
	case JOB_SKIP_SPECIAL: return "not a regular file (FIFO, socket or device)";
	case JOB_SKIP_UNREADABLE: return "file not readable";
	case JOB_SKIP_DIR_ERROR: return "directory not readable";
	case JOB_SKIP_LOOP: return "directory loop";
	case JOB_SKIP_TOO_DEEP: return "path too deep or too long";
	case JOB_SKIP_STAT: return "vanished or could not be examined";
	}
	return "unknown";
}

struct walk {
	int (*fn)(void *arg, const struct job_walk_ent *e);
	void *arg;
	struct job_walk_stats *st;
	struct str path;              /* relpath of the directory being read, "" or "a/b/" */
	dev_t dev[JOB_WALK_MAX_DEPTH + 1];   /* the directories on the current path */
	ino_t ino[JOB_WALK_MAX_DEPTH + 1];
};

/* Report entry name of the current directory with a skip reason. */
static int report(struct walk *w, const char *name, int skip, int errnum,
                  const struct stat *sb)
{
	struct job_walk_ent e;
	size_t keep = w->path.len;
	int rc;

	str_add(&w->path, name);
	memset(&e, 0, sizeof(e));
	e.relpath = w->path.s;
	e.skip = skip;
	e.errnum = errnum;
	if (sb != NULL) {
		e.size = (int64_t)sb->st_size;
		e.mtime_ns = (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec;
	}
	if (skip == JOB_SKIP_NONE)
		w->st->audio++;
	else
		w->st->skipped[skip]++;
	rc = w->fn(w->arg, &e);
	w->path.len = keep;
	w->path.s[keep] = '\0';
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read the sorted names of the open directory dfd (kept open).  Returns 0
 * or an errno; on a read error the names read so far are kept. */
static int read_names(int dfd, char ***out, size_t *n)
{
	int dup_fd = fcntl(dfd, F_DUPFD_CLOEXEC, 0);
	DIR *d;
	struct dirent *de;
	char **v = NULL;
	size_t cap = 0;
	int e;

	*out = NULL;
	*n = 0;
	if (dup_fd < 0)
		return errno;
	d = fdopendir(dup_fd);
	if (d == NULL) {
		e = errno;
		close(dup_fd);
		return e;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (de == NULL)
			break;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[(*n)++] = xstrdup(de->d_name);
	}
	e = errno;
	closedir(d);
	if (*n > 1)
		qsort(v, *n, sizeof(*v), cmp_names);
	*out = v;
	return e;
}

static int walk_dir(struct walk *w, int dfd, int depth, int *errnum);

/* One entry of the directory dfd (whose relpath is w->path). */
static int walk_entry(struct walk *w, int dfd, const char *name, int depth)
{
	struct stat sb, tb;
	int audio = job_is_audio_name(name);

	if (name[0] == '.') {
		w->st->hidden++;
		return 0;
	}
	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
		return audio ? report(w, name, JOB_SKIP_STAT, errno, NULL) : 0;

	if (S_ISLNK(sb.st_mode)) {
		/* Report links a user would expect to be scanned: named like
		 * audio, to a directory, or part of a loop.  Others (a link to
		 * a README) are just not audio. */
		int looped = 0, dir = 0;
		if (fstatat(dfd, name, &tb, 0) != 0)
			looped = errno == ELOOP;
		else
			dir = S_ISDIR(tb.st_mode);
		if (audio || dir || looped)
			return report(w, name, JOB_SKIP_SYMLINK, looped ? ELOOP : 0, NULL);
		w->st->ignored++;
		return 0;
	}
	if (S_ISDIR(sb.st_mode)) {
		for (int i = 0; i <= depth; i++)
			if (w->dev[i] == sb.st_dev && w->ino[i] == sb.st_ino)
				return report(w, name, JOB_SKIP_LOOP, ELOOP, NULL);
		if (depth + 1 >= JOB_WALK_MAX_DEPTH || w->path.len + strlen(name) + 2 >= JOB_PATH_MAX)
			return report(w, name, JOB_SKIP_TOO_DEEP, ENAMETOOLONG, NULL);
		int sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC |
		                 O_NOCTTY | O_NONBLOCK);
		if (sub < 0)
			return report(w, name, JOB_SKIP_DIR_ERROR, errno, NULL);
		size_t keep = w->path.len;
		str_add(&w->path, name);
		str_add(&w->path, "/");
		w->dev[depth + 1] = sb.st_dev;
		w->ino[depth + 1] = sb.st_ino;
		int e = 0, rc = walk_dir(w, sub, depth + 1, &e);
		w->path.len = keep;
		w->path.s[keep] = '\0';
		if (rc == 0 && e != 0)
			rc = report(w, name, JOB_SKIP_DIR_ERROR, e, NULL);
		return rc;
	}
	if (!audio) {
		w->st->ignored++;
		return 0;
	}
	if (!S_ISREG(sb.st_mode))
		return report(w, name, JOB_SKIP_SPECIAL, 0, NULL);
	if (w->path.len + strlen(name) >= JOB_PATH_MAX)
		return report(w, name, JOB_SKIP_TOO_DEEP, ENAMETOOLONG, NULL);
	if (faccessat(dfd, name, R_OK, AT_EACCESS | AT_SYMLINK_NOFOLLOW) != 0)
		return report(w, name, JOB_SKIP_UNREADABLE, errno, &sb);
	return report(w, name, JOB_SKIP_NONE, 0, &sb);
}

/* Walk the open directory dfd (taken and closed) whose relpath is
 * w->path.  Returns fn's nonzero value, or 0; *errnum gets the errno of a
 * failed read of the directory (0 if none). */
static int walk_dir(struct walk *w, int dfd, int depth, int *errnum)
{
	char **names;
	size_t n;
	int rc = 0;

	w->st->dirs++;
	*errnum = read_names(dfd, &names, &n);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = walk_entry(w, dfd, names[i], depth);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	close(dfd);
	return rc;
}

int job_walk(const char *dir, int (*fn)(void *arg, const struct job_walk_ent *e),
             void *arg, struct job_walk_stats *st, struct gr_err *err)
{
	struct job_walk_stats local;
	struct walk w;
	struct stat sb;
	int dfd, rc, e;

	if (st == NULL)
		st = &local;
	memset(st, 0, sizeof(*st));
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (dfd < 0)
		return gr_fail(err, GR_EIO, "%s: %s", dir, strerror(errno));
	if (fstat(dfd, &sb) != 0) {
		e = errno;
		close(dfd);
		return gr_fail(err, GR_EIO, "%s: %s", dir, strerror(e));
	}
	memset(&w, 0, sizeof(w));
	w.fn = fn;
	w.arg = arg;
	w.st = st;
	str_init(&w.path);
	str_add(&w.path, "");
	w.dev[0] = sb.st_dev;
	w.ino[0] = sb.st_ino;
	rc = walk_dir(&w, dfd, 0, &e);
	if (rc == 0 && e != 0)
		rc = gr_fail(err, GR_EIO, "%s: %s", dir, strerror(e));
	str_fini(&w.path);
	return rc;
}
