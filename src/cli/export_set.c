/*
 * export_set.c - the set of files and regions one export writes: copying
 * the rows out of the catalog, planning unique output names, and the
 * atomic temp-file-then-rename helpers every output goes through.
 *
 * Costs: export_set_add() is one catalog query (plus one per file for its
 * region boundaries); export_plan() is linear in the items (a hash set of
 * case-folded names, so "Kick.wav" and "kick.wav" never collide on a
 * case-insensitive file system) plus one lstat per output.
 *
 * Thread rules: a set belongs to one thread at a time (see export.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "grym/audio.h"
#include "grym/catalog.h"
#include "grym/export.h"
#include "grym/util.h"
#include "export_int.h"

struct export_set *export_set_new(void)
{
	return xcalloc(1, sizeof(struct export_set));
}

void export_set_free(struct export_set *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->items[i].src);
		free(s->items[i].tags);
		free(s->items[i].cues);
		free(s->items[i].out);
	}
	free(s->items);
	free(s->sfz_path);
	free(s);
}

size_t export_set_count(const struct export_set *s)
{
	return s->n;
}

const struct export_item *export_set_item(const struct export_set *s, size_t i)
{
	return i < s->n ? &s->items[i] : NULL;
}

const char *export_set_sfz(const struct export_set *s)
{
	return s->sfz_written ? s->sfz_path : NULL;
}

static struct export_item *push(struct export_set *s)
{
	struct export_item *it;

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->items = xrealloc(s->items, s->cap * sizeof(*s->items));
	}
	it = &s->items[s->n++];
	memset(it, 0, sizeof(*it));
	it->status = 1;
	it->loudness = NAN;
	it->peak_db = NAN;
	return it;
}

/* Region boundaries (start and end of each, without repeats) of a whole
 * file, in seconds, for its WAV cue points. */
static int add_cues(struct cat *c, struct export_item *it, struct gr_err *err)
{
	struct cat_cursor *cur = cat_regions_of(c, it->file_id, err);
	struct cat_region g;
	size_t cap = 0;
	int r;

	if (cur == NULL)
		return -err->code;
	while ((r = cat_next_region(cur, &g, err)) == 1) {
		if (it->n_cues + 2 > cap) {
			cap = cap ? cap * 2 : 16;
			it->cues = xrealloc(it->cues, cap * sizeof(double));
		}
		if (it->n_cues == 0 || fabs(it->cues[it->n_cues - 1] - g.start) > 1e-6)
			it->cues[it->n_cues++] = g.start;
		it->cues[it->n_cues++] = g.end;
	}
	cat_cursor_free(cur);
	return r < 0 ? r : 0;
}

int export_set_add(struct export_set *s, struct cat *c, const struct cat_query *q,
                   int regions, struct gr_err *err)
{
	struct cat_cursor *cur = cat_find(c, q, regions ? CAT_REGIONS : CAT_FILES, 0, err);
	size_t first = s->n;
	int r;

	if (cur == NULL)
		return -err->code;
	for (;;) {
		struct export_item *it;
		if (regions) {
			struct cat_region g;
			if ((r = cat_next_region(cur, &g, err)) != 1)
				break;
			it = push(s);
			it->file_id = g.file_id;
			it->region_id = g.id;
			it->idx = g.idx;
			it->src = xstrdup(g.path);
			it->start = g.start;
			it->end = g.end;
			it->cls = g.cls;
			it->key = g.key;
			it->bpm = g.has_tempo ? g.bpm : 0;
			it->tags = xstrdup(g.tags);
		} else {
			struct cat_file f;
			if ((r = cat_next_file(cur, &f, err)) != 1)
				break;
			if (f.status == CAT_ST_FAILED)
				continue;   /* nothing known to export */
			it = push(s);
			it->file_id = f.id;
			it->idx = -1;
			it->src = xstrdup(f.path);
			it->start = 0;
			it->end = f.duration;
			it->cls = f.cls;
			it->key = f.key;
			it->bpm = f.has_tempo ? f.bpm : 0;
			it->tags = xstrdup(f.tags);
		}
	}
	cat_cursor_free(cur);
	if (r < 0)
		return r;
	/* the cursor is closed: now the per-file region queries */
	for (size_t i = first; i < s->n && !regions; i++)
		if ((r = add_cues(c, &s->items[i], err)) < 0)
			return r;
	return (int)(s->n - first);
}

/* ---- names ---------------------------------------------------------------- */

/* Open-addressing set of case-folded names (FNV-1a). */
struct nameset {
	char **slot;
	size_t cap;   /* power of two */
};

static uint64_t fold_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		h = (h ^ (ch >= 'A' && ch <= 'Z' ? ch + 32 : ch)) * 1099511628211ull;
	}
	return h;
}

/* 1 if name was added, 0 if already present. */
static int nameset_add(struct nameset *ns, const char *name)
{
	size_t i = (size_t)fold_hash(name) & (ns->cap - 1);

	for (; ns->slot[i] != NULL; i = (i + 1) & (ns->cap - 1))
		if (!strcasecmp(ns->slot[i], name))
			return 0;
	ns->slot[i] = xstrdup(name);
	return 1;
}

static const char *default_tmpl(const struct export_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->items[i].idx >= 0)
			return "{name}_{index}";
	return "{name}";
}

static void first_tag(const char *tags, char *buf, size_t size)
{
	size_t n = strcspn(tags, ",");

	if (n >= size)
		n = size - 1;
	memcpy(buf, tags, n);
	buf[n] = '\0';
}

static int check_opts(const struct export_opts *o, struct gr_err *err)
{
	if (o->format < AUDIO_W_WAV || o->format > AUDIO_W_OGG)
		return gr_fail(err, GR_EUSAGE, "unknown format");
	if (o->rate != 0 && (o->rate < AUDIO_RATE_MIN || o->rate > AUDIO_RATE_MAX))
		return gr_fail(err, GR_EUSAGE, "--rate %d is out of range %d..%d", o->rate,
		               AUDIO_RATE_MIN, AUDIO_RATE_MAX);
	if (o->format == AUDIO_W_FLAC && (o->bits == 32 || o->bits == -32))
		return gr_fail(err, GR_EUSAGE, "FLAC holds at most 24-bit samples");
	if (o->bits != 0 && o->bits != 8 && o->bits != 16 && o->bits != 24 && o->bits != 32 &&
	    o->bits != -32)
		return gr_fail(err, GR_EUSAGE, "--bits %d: use 8, 16, 24, 32 or 32f", o->bits);
	if (o->norm == EXPORT_NORM_PEAK && (o->norm_target > 0 || !isfinite(o->norm_target)))
		return gr_fail(err, GR_EUSAGE, "a peak target must be 0 dBFS or below");
	if (o->norm == EXPORT_NORM_LUFS && (o->norm_target > 0 || o->norm_target < -70))
		return gr_fail(err, GR_EUSAGE, "a loudness target must be -70..0 LUFS");
	if (o->fade_ms > 10000)
		return gr_fail(err, GR_EUSAGE, "--fade is at most 10000 ms");
	return 0;
}

int export_plan(struct export_set *s, const struct export_opts *o, struct gr_err *err)
{
	const char *tmpl = o->name_tmpl != NULL ? o->name_tmpl : default_tmpl(s);
	const char *ext = audio_wfmt_ext(o->format);
	struct nameset ns = { NULL, 64 };
	char stem[EXPORT_NAME_MAX + 1], cand[EXPORT_NAME_MAX + 16], tag[128], base[256];
	struct stat sb;
	int rc = 0;

	if ((rc = check_opts(o, err)) < 0 || (rc = export_name_check(tmpl, err)) < 0)
		return rc;
	if (stat(o->dir, &sb) != 0)
		return gr_fail(err, GR_EIO, "%s: %s", o->dir, strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return gr_fail(err, GR_EIO, "%s: not a folder", o->dir);
	while (ns.cap < 2 * s->n + 2)
		ns.cap *= 2;
	ns.slot = xcalloc(ns.cap, sizeof(char *));
	for (size_t i = 0; i < s->n; i++) {
		struct export_item *it = &s->items[i];
		struct export_name_vars v = { 0 };
		char *dot;

		str_lcpy(base, path_base(it->src), sizeof(base));
		if ((dot = strrchr(base, '.')) != NULL && dot != base)
			*dot = '\0';
		first_tag(it->tags, tag, sizeof(tag));
		v.name = base;
		v.index = it->idx >= 0 ? it->idx + 1 : 1;
		v.n = i + 1;
		v.total = s->n;
		v.cls = it->cls;
		v.key = it->key;
		v.key_style = o->key_style;
		v.bpm = it->bpm;
		v.start = it->start;
		v.dur = it->end - it->start;
		v.tag = tag;
		v.id = it->idx >= 0 ? it->region_id : it->file_id;
		if ((rc = export_name_expand(tmpl, &v, stem, sizeof(stem), err)) < 0)
			goto out;
		/* unique within this export: stem, stem-2, stem-3, ... */
		str_lcpy(cand, stem, sizeof(cand));
		for (unsigned k = 2; !nameset_add(&ns, cand); k++) {
			char sfx[16];
			size_t room;
			snprintf(sfx, sizeof(sfx), "-%u", k);
			room = EXPORT_NAME_MAX - strlen(sfx);
			str_lcpy(cand, stem, sizeof(cand));
			if (strlen(cand) > room) {
				/* cut on a character boundary */
				while (room > 0 && ((unsigned char)cand[room] & 0xc0) == 0x80)
					room--;
				cand[room] = '\0';
			}
			strcat(cand, sfx);
		}
		free(it->out);
		it->out = xasprintf("%s/%s.%s", o->dir, cand, ext);
		if (!o->force && lstat(it->out, &sb) == 0) {
			rc = gr_fail(err, GR_EBUSY, "%s exists; use --force to replace it", it->out);
			goto out;
		}
	}
	free(s->sfz_path);
	s->sfz_path = NULL;
	if (o->sfz != NULL) {
		str_lcpy(stem, o->sfz, sizeof(stem));
		export_name_sanitize(stem);
		s->sfz_path = xasprintf("%s/%s.sfz", o->dir, stem);
		if (!o->force && lstat(s->sfz_path, &sb) == 0) {
			rc = gr_fail(err, GR_EBUSY, "%s exists; use --force to replace it",
			             s->sfz_path);
			goto out;
		}
	}
out:
	for (size_t i = 0; i < ns.cap; i++)
		free(ns.slot[i]);
	free(ns.slot);
	return rc;
}

/* ---- atomic files ----------------------------------------------------------- */

static atomic_uint tmp_counter;

int export_tmp_open(const char *dir, char *tmp, size_t size, struct gr_err *err)
{
	for (int tries = 0; tries < 100; tries++) {
		int fd;
		snprintf(tmp, size, "%s/.grym-export-%ld-%u.tmp", dir, (long)getpid(),
		         atomic_fetch_add(&tmp_counter, 1));
		fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			return gr_fail(err, GR_EIO, "cannot write in %s: %s", dir, strerror(errno));
	}
	return gr_fail(err, GR_EIO, "cannot write in %s: no free temp name", dir);
}

void export_tmp_abort(int fd, const char *tmp)
{
	if (fd >= 0)
		close(fd);
	unlink(tmp);
}

int export_tmp_commit(int fd, const char *tmp, const char *out, int force,
                      struct gr_err *err)
{
	int e;

	if (fsync(fd) != 0 && errno != EINVAL) {
		e = errno;
		export_tmp_abort(fd, tmp);
		return gr_fail(err, GR_EIO, "%s: %s", out, strerror(e));
	}
	if (close(fd) != 0) {
		e = errno;
		unlink(tmp);
		return gr_fail(err, GR_EIO, "%s: %s", out, strerror(e));
	}
	if (force) {
		if (rename(tmp, out) == 0)
			return 0;
	} else {
		/* link() refuses an existing name: no window in which a file made
		 * after export_plan() could be replaced */
		if (link(tmp, out) == 0) {
			unlink(tmp);
			return 0;
		}
		if (errno != EEXIST && errno != EPERM && errno != ENOTSUP)
			goto fail;
		if (errno == EEXIST) {
			unlink(tmp);
			return gr_fail(err, GR_EBUSY, "%s exists; use --force to replace it", out);
		}
		/* file systems without hard links: check, then rename */
		if (access(out, F_OK) == 0) {
			unlink(tmp);
			return gr_fail(err, GR_EBUSY, "%s exists; use --force to replace it", out);
		}
		if (rename(tmp, out) == 0)
			return 0;
	}
fail:
	e = errno;
	unlink(tmp);
	return gr_fail(err, GR_EIO, "%s: %s", out, strerror(e));
}
