/*
 * export_sfz.c - an SFZ instrument over the samples one export wrote.
 *
 * Two layouts:
 *   - pitched: when every written item has a detected key and their tonics
 *     differ, each sample plays at its tonic (pitch_keycenter = the tonic
 *     in octave 4, C4 = 60) and covers the keys half-way to its
 *     neighbours, so the whole keyboard plays transposed samples;
 *   - one-shots otherwise: one sample per key from C2 (MIDI 36) upwards,
 *     unpitched (pitch_keytrack=0), played to the end (loop_mode=one_shot);
 *     at most 92 fit (C2..G8), the rest are listed in a comment.
 * Sample paths are relative to the .sfz, which sits next to the samples,
 * and always the last opcode on their line.  Written atomically like the
 * samples.  Cost: linear in the items.  Thread rules: the caller's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

#include "grym/export.h"
#include "grym/util.h"
#include "export_int.h"

#define SFZ_FIRST_KEY 36   /* C2 in SFZ's numbering (C4 = middle C = 60) */

struct slot {
	const struct export_item *it;
	int center;        /* MIDI key */
};

static int by_center(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;
	return x->center - y->center;
}

int export_sfz_write(struct export_set *s, const struct export_opts *o, struct gr_err *err)
{
	struct slot *sl = xcalloc(s->n + 1, sizeof(*sl));
	struct str b;
	size_t n = 0, used;
	int pitched = 1, seen[12] = { 0 }, fd, rc;
	char tmp[4096];

	for (size_t i = 0; i < s->n; i++) {
		const struct export_item *it = &s->items[i];
		if (it->status != 0)
			continue;
		sl[n].it = it;
		if (it->key < 0 || seen[it->key % 12]++)
			pitched = 0;
		else
			sl[n].center = 60 + it->key % 12;
		n++;
	}
	pitched = pitched && n > 0;
	str_init(&b);
	str_addf(&b, "// %s - written by grym " GRYM_VERSION " from %zu sample%s\n",
	         path_base(s->sfz_path), n, n == 1 ? "" : "s");
	if (pitched) {
		qsort(sl, n, sizeof(*sl), by_center);
		str_add(&b, "// pitched: each sample at its detected key (C4 = 60)\n\n"
		        "<global>\nampeg_release=0.1\n\n");
	} else {
		str_add(&b, "// one-shots: one sample per key from C2 (MIDI 36)\n\n"
		        "<global>\nloop_mode=one_shot\npitch_keytrack=0\n\n");
	}
	used = pitched ? n : (n < 128 - SFZ_FIRST_KEY ? n : 128 - SFZ_FIRST_KEY);
	for (size_t i = 0; i < used; i++) {
		int lo, hi, c;
		if (pitched) {
			c = sl[i].center;
			lo = i == 0 ? 0 : (sl[i - 1].center + c) / 2 + 1;
			hi = i + 1 == n ? 127 : (c + sl[i + 1].center) / 2;
		} else {
			c = lo = hi = SFZ_FIRST_KEY + (int)i;
		}
		str_addf(&b, "<region> lokey=%d hikey=%d pitch_keycenter=%d sample=%s\n", lo, hi,
		         c, path_base(sl[i].it->out));
	}
	for (size_t i = used; i < n; i++)
		str_addf(&b, "// no key left for %s\n", path_base(sl[i].it->out));
	free(sl);
	if ((fd = export_tmp_open(o->dir, tmp, sizeof(tmp), err)) < 0) {
		str_fini(&b);
		return fd;
	}
	rc = 0;
	for (size_t off = 0; off < b.len;) {
		ssize_t w = write(fd, b.s + off, b.len - off);
		if (w <= 0) {
			rc = gr_fail(err, GR_EIO, "%s: %s", s->sfz_path,
			             w < 0 ? strerror(errno) : "disk full");
			break;
		}
		off += (size_t)w;
	}
	str_fini(&b);
	if (rc < 0) {
		export_tmp_abort(fd, tmp);
		return rc;
	}
	return export_tmp_commit(fd, tmp, s->sfz_path, o->force, err);
}
