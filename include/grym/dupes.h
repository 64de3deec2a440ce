/*
 * dupes.h - near-duplicate search: which files, or regions of files, are
 * the same sound, across formats, sample rates, gain changes and trims.
 *
 * Identity is the Chromaprint raw fingerprint of each file (struct
 * an_file's fp, stored in the catalog): 32-bit items every ~0.124 s, each
 * bit a quantised chroma-band difference, so it survives lossy coding,
 * resampling and gain (it is computed on grym's 22050 Hz mono stream,
 * chroma is level-normalised).  Two members match when, at the best
 * alignment offset, the fraction of differing bits (bit error rate, BER)
 * over their common part is low: score = 1 - 2 * BER (1 identical, about
 * 0 for unrelated sound; unrelated material scores 0.1-0.35).
 *
 * Method: an inverted index of every fingerprint item (exact 32-bit
 * values; runs and very common values skipped) votes for (file pair,
 * offset); pairs with enough votes are verified with the BER over the
 * aligned overlap, for the whole files and, when a file has several
 * regions, for each region (the fingerprint sliced by the region's time
 * range), so a region exported and re-imported is found as the region.
 * A descriptor guard (durations: the shorter member must be at least
 * DUPES_MIN_COVER of the longer, and the aligned overlap must cover that
 * much of both) keeps excerpts and near-silent matches out.  Members
 * joined by accepted pairs form groups (union-find).
 *
 * Costs: index O(N log N) for N items in total (32 B/s of audio, ~12 B
 * per item in the index), verification O(overlap) per candidate; never
 * O(files^2) unless every file shares content.
 *
 * Thread rules: a struct dupes belongs to one thread.
 */
#ifndef GRYM_DUPES_H
#define GRYM_DUPES_H

#include <stddef.h>
#include <stdint.h>

#include "grym/err.h"

/* Default similarity threshold (score = 1 - 2 * BER); 0.7 = BER 0.15. */
#define DUPES_THRESHOLD 0.7
/* A member must cover this share of the other (duration guard). */
#define DUPES_MIN_COVER 0.75

struct dupes_region {
	int64_t id;                 /* caller's region id */
	double start, end;          /* s, file time */
};

/* One file given to the search (dupes_add copies it). */
struct dupes_file {
	int64_t id;                 /* caller's file id (unique) */
	uint32_t *fp;               /* fingerprint: ownership taken by dupes_add */
	int n_fp;                   /* items */
	double item_s;              /* s between items */
	double duration;            /* s of audio */
	int lossless, rate, bits;   /* bool, Hz, bits per sample (0 unknown) */
	int n_regions;
	const struct dupes_region *regions;   /* copied; in time order */
};

struct dupes_member {
	int64_t file_id;
	int region;                 /* index into the file's regions, -1 = whole file */
	int64_t region_id;          /* 0 for the whole file */
	double start, end;          /* s, the member's span in its file */
	double score;               /* best score of the matches that joined it */
};

struct dupes_group {
	int n;                      /* members, >= 2 */
	struct dupes_member *m;     /* sorted by file id, then region */
	int best;                   /* index in m of the best copy: lossless over
	                               lossy, then higher rate, bit depth, length */
	double score;               /* lowest score among the group's matches */
};

struct dupes_cfg {
	double threshold;           /* minimum score, 0..1 (0 = DUPES_THRESHOLD) */
	double min_cover;           /* 0 = DUPES_MIN_COVER */
};

struct dupes;

/* A new, empty search (cfg NULL = defaults).  Never fails (aborts on OOM). */
struct dupes *dupes_new(const struct dupes_cfg *cfg);
/* Add a file (copied; takes ownership of f->fp, even on failure).  A file
 * without a fingerprint is accepted and never matches.  0 or -GR_EUSAGE
 * (duplicate id, bad item_s). */
int dupes_add(struct dupes *d, const struct dupes_file *f, struct gr_err *err);
/* Find the groups among the files added.  Returns the number of groups
 * (>= 0) or -GR_E*.  May be called once. */
int dupes_run(struct dupes *d, struct gr_err *err);
/* The groups (borrowed, valid until dupes_free), ordered by their
 * smallest file id; *n set. */
const struct dupes_group *dupes_groups(const struct dupes *d, size_t *n);
/* Statistics of the last run, for benchmarks: candidate (pair, offset)
 * verifications made. */
long dupes_verified(const struct dupes *d);
void dupes_free(struct dupes *d);

/*
 * Bit error rate of b against a with b's item i aligned to a's item
 * i + offset, over the items where both exist and a's index lies in
 * [a_lo, a_hi) and b's in [b_lo, b_hi).  *overlap (may be NULL) gets the
 * number of items compared; returns 1.0 when none.
 */
double dupes_ber(const uint32_t *a, int a_lo, int a_hi, const uint32_t *b, int b_lo,
                 int b_hi, int offset, int *overlap);

#endif
