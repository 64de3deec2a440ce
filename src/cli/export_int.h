/*
 * export_int.h - shared between the export_*.c files of src/cli only.
 */
#ifndef GRYM_EXPORT_INT_H
#define GRYM_EXPORT_INT_H

#include <stddef.h>

#include "grym/export.h"

struct export_set {
	struct export_item *items;  /* owned, n used of cap */
	size_t n, cap;
	char *sfz_path;             /* planned DIR/NAME.sfz, NULL = none */
	int sfz_written;            /* export_run() wrote it */
};

/*
 * Atomic output files.  export_tmp_open() creates a new temp file (mode
 * 0644 less the umask) named ".grym-export-*.tmp" in dir and returns its
 * descriptor (path into tmp), or -GR_EIO with err naming dir.
 * export_tmp_commit() fsyncs, closes and renames it to out (refusing to
 * replace an existing out unless force); on any failure the temp file is
 * removed.  export_tmp_abort() closes and removes it.
 */
int export_tmp_open(const char *dir, char *tmp, size_t size, struct gr_err *err);
int export_tmp_commit(int fd, const char *tmp, const char *out, int force,
                      struct gr_err *err);
void export_tmp_abort(int fd, const char *tmp);

/* Write s->sfz_path from the items that were written (export_sfz.c). */
int export_sfz_write(struct export_set *s, const struct export_opts *o, struct gr_err *err);

#endif
