/*
 * hash.c - content hash of an open audio file.
 *
 * XXH3-64 over every byte, read with pread() in 256 KiB blocks from the
 * descriptor audio_open() checked (so the hash is of the same file that is
 * decoded, even if the path was replaced since), or over the memory of
 * audio_open_mem().  pread() has its own offset: decoding is undisturbed.
 * Cost: one sequential read of the file (about 10 GB/s of hashing; the
 * disk is the limit).  Memory: one block.
 *
 * Thread rules: as for the audio_file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xxhash.h>

#include "audio_int.h"

#define HASH_BLOCK (256 * 1024) /* bytes per pread */

int audio_hash(struct audio_file *f, uint64_t *hash, struct gr_err *err)
{
	XXH3_state_t *st;
	unsigned char *buf = NULL;
	int64_t off = 0;
	int rc = 0;

	st = XXH3_createState();
	if (st == NULL)
		return gr_fail(err, GR_ENOMEM, "%s: out of memory for hashing", f->name);
	XXH3_64bits_reset(st);
	if (f->src.mem != NULL) {
		XXH3_64bits_update(st, f->src.mem, (size_t)f->src.size);
		goto done;
	}
	buf = malloc(HASH_BLOCK);
	if (buf == NULL) {
		rc = gr_fail(err, GR_ENOMEM, "%s: out of memory for hashing", f->name);
		goto out;
	}
	/* Hash to the real end (not the size fstat saw at open): a file that
	 * grew or shrank since is hashed as it is now. */
	for (;;) {
		ssize_t r = pread(f->src.fd, buf, HASH_BLOCK, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = gr_fail(err, GR_EIO, "%s: read error while hashing: %s", f->name,
			             strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		XXH3_64bits_update(st, buf, (size_t)r);
		off += r;
	}
done:
	*hash = XXH3_64bits_digest(st);
out:
	free(buf);
	XXH3_freeState(st);
	return rc;
}
