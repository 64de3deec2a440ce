/*
 * similar.h - "find sounds like this one": the layout of the similarity
 * descriptor (plugin "simvec", AN_SIM_DIM floats per region), the aspects
 * a person can ask for, and exact nearest-neighbour search over every
 * region of the catalog.
 *
 * The vector is five blocks, each summarising the region's active frames
 * (those within 50 dB of the region's loudest frame):
 *   timbre    [ 0, 32)  MFCC 1..12 means and spreads (no c0), spectral
 *                       contrast per band, harmonicity
 *   spectrum  [32, 48)  band energy shape (8 bands relative to their mean),
 *                       centroid, rolloff, bandwidth, flatness, zcr, tilt
 *   pitch     [48, 62)  12-bin pitch-class profile folded from the chroma
 *                       (unit length), median pitch (octaves from A440),
 *                       voiced share
 *   rhythm    [62, 70)  onset rate, onset periodicity and its period,
 *                       envelope modulation in four rate bands, flux spread
 *   loudness  [70, 80)  median and loud level, dynamic range, level spread,
 *                       attack time, decay slope, peak position, duration
 * Every value is divided by a fixed typical spread, so one unit means
 * about the same amount of difference in every dimension.  All blocks but
 * loudness are level-independent: a gain change moves the loudness block
 * only.  A transposed copy moves the pitch block (the profile rotates, the
 * median pitch moves), and barely the timbre block.
 *
 * Distance: d2 = sum_j w[j] (a[j] - b[j])^2 with the aspect's weights
 * (sim_weights): each block's weight is spread evenly over its dims and
 * the weights of an aspect sum to 1, so d2 is a mean squared difference.
 * Score: exp(-d2 / SIM_SCALE[aspect]), 1.0 for the same sound; the scale is
 * set from the distances between unrelated generated sounds (tones, noise,
 * clicks, chords, sweeps at several levels) so that their median pair
 * scores about 0.1 (see src/similar/weights.c).
 *
 * Search is exact: one contiguous float array of all vectors (n x
 * AN_SIM_DIM, ordered by region id), a weighted squared distance over the
 * aspect's non-zero dims only, and a bounded heap for the top k.  Memory
 * bound: about one pass over the array, ~10 ms per 100 000 regions on one
 * core (bench/similar_bench.sh).
 *
 * Thread rules: an index is immutable after it is built; searches on the
 * same index may run on several threads at once.
 */
#ifndef GRYM_SIMILAR_H
#define GRYM_SIMILAR_H

#include <stddef.h>
#include <stdint.h>

#include "grym/analysis.h"
#include "grym/err.h"

/* Aspects: which part of the sound must be alike. */
enum sim_aspect {
	SIM_OVERALL, SIM_TIMBRE, SIM_SPECTRUM, SIM_PITCH, SIM_RHYTHM, SIM_LOUDNESS,
	SIM_NASPECT
};

/* Blocks of the vector: [sim_block_lo[b], sim_block_lo[b + 1]). */
enum sim_block { SIM_B_TIMBRE, SIM_B_SPECTRUM, SIM_B_PITCH, SIM_B_RHYTHM, SIM_B_LOUDNESS,
	SIM_NBLOCK };
#define SIM_TIMBRE_LO 0
#define SIM_SPECTRUM_LO 32
#define SIM_PITCH_LO 48
#define SIM_RHYTHM_LO 62
#define SIM_LOUDNESS_LO 70
extern const int sim_block_lo[SIM_NBLOCK + 1];

/* "overall", "timbre", ...; "?" out of range. */
const char *sim_aspect_name(int aspect);
/* enum sim_aspect of a name (also "sound" = overall), -1 if none. */
int sim_aspect_parse(const char *name);
/* Weight of block b under aspect a (0..1; the blocks of an aspect sum to 1). */
float sim_block_weight(int aspect, int block);
/* Per-dimension weights of an aspect (sum 1). */
void sim_weights(int aspect, float w[AN_SIM_DIM]);
/* Weighted squared distance between two vectors (w from sim_weights). */
float sim_dist2(const float *a, const float *b, const float *w);
/* Score 0..1 of a distance under an aspect: exp(-d2 / scale). */
float sim_score(float d2, int aspect);

/* The descriptor of frames [0, n) at frame_rate (frames per s), as the
 * simvec plugin computes it.  Every value is finite, whatever the frames. */
void sim_describe(const struct dsp_frame *f, size_t n, double frame_rate,
                  float vec[AN_SIM_DIM]);

/* ---- the index --------------------------------------------------------- */

struct sim_index;

/* One result: the region and how alike it is. */
struct sim_hit {
	int64_t id;            /* region id */
	float d2;              /* weighted squared distance */
	float score;           /* 0..1 */
};

/* An empty index (sim_index_free() it). */
struct sim_index *sim_index_new(void);
/* Add one vector (copied); amortised O(1).  Ids should come in ascending
 * order (the catalog loader does so) for sim_index_find() to work; pushing
 * out of order is allowed and makes find fall back to a linear scan. */
void sim_index_push(struct sim_index *x, int64_t id, const float vec[AN_SIM_DIM]);
/* Take ownership of arrays from malloc: ids[n] and vecs[n * AN_SIM_DIM]. */
void sim_index_adopt(struct sim_index *x, int64_t *ids, float *vecs, size_t n);
size_t sim_index_count(const struct sim_index *x);
/* Position of region id, or -1. O(log n) when ids ascend. */
long sim_index_find(const struct sim_index *x, int64_t id);
/* Id / vector at position i (borrowed, valid until the next push). */
int64_t sim_index_id(const struct sim_index *x, size_t i);
const float *sim_index_vec(const struct sim_index *x, size_t i);
void sim_index_free(struct sim_index *x);

/*
 * The k nearest vectors to q under an aspect, best first, into out[k].
 * allow: NULL (every region) or a mask of sim_index_count() bytes, nonzero
 * = may be returned.  Returns the number of hits (<= k).  Ties are broken
 * by region id.  O(n * dims of the aspect + n log k).
 */
size_t sim_search(const struct sim_index *x, const float q[AN_SIM_DIM], int aspect,
                  const unsigned char *allow, size_t k, struct sim_hit *out);

/* ---- from the catalog (src/similar/load.c) ------------------------------ */

struct cat;
struct cat_query;
/* Every region's vector in the catalog (cat_simvec_all), as a new index
 * (sim_index_free() it), or NULL with err.  ~1 s per million regions. */
struct sim_index *sim_index_load(struct cat *c, struct gr_err *err);
/* A new mask for sim_search() (free() it): the regions matching q (a
 * region query) that are in x.  *allowed (may be NULL) gets their number.
 * NULL with err on a catalog error. */
unsigned char *sim_mask_query(const struct sim_index *x, struct cat *c,
                              const struct cat_query *q, size_t *allowed,
                              struct gr_err *err);

#endif
