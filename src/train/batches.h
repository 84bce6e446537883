/* batches.h - one epoch's mini-batches: which rows, in which order, how wide.
 *
 * An epoch visits the n training rows in a shuffled order, cut into nb
 * batches of at most `batch` rows:
 *
 *   order [n]       row indices, the epoch's visiting order
 *   start, size [nb] batch b is rows order[start[b] .. start[b] + size[b])
 *
 * With bucketing, chunks of 50 batches of the shuffled order are sorted by
 * row length so that a batch holds similar lengths, and then the batch order
 * is shuffled.  Every draw comes from the one RNG the caller passes, whose
 * state the caller saves at the start of the epoch: a resumed run replays
 * the same epoch bit for bit.
 *
 * A batch is then copied out as ids [B, T] and, when trimmed, narrowed to
 * [B, Tb]: columns that are padding in every row change nothing for a
 * masked network, and bucketing is there to make Tb small.
 */
#ifndef SEQSENT_BATCHES_H
#define SEQSENT_BATCHES_H

#include <stddef.h>
#include <stdint.h>
#include "base/tensor.h"
#include "train/encode.h"

typedef struct batch_plan {
    size_t *order;          /* [n] */
    size_t *start, *size;   /* [nb] */
    size_t nb;
} batch_plan;

/* Room for the plans of n rows in batches of `batch`. */
void batch_plan_alloc(batch_plan *p, size_t n, int batch);
/* Shuffle the rows of tr with r and cut them into batches (bucketed by
 * length when bucket is set). */
void batch_plan_epoch(batch_plan *p, const encoded *tr, int batch, int bucket, rng *r);
void batch_plan_free(batch_plan *p);

/* Copy batch b's rows out of tr: ids [B, tr->T] and classes y [B]; returns B. */
int batch_gather(const batch_plan *p, size_t b, const encoded *tr, int32_t *ids, int32_t *y);
/* ... and its soft targets soft [B, tr->K] (tr->soft must be set). */
void batch_gather_soft(const batch_plan *p, size_t b, const encoded *tr, float *soft);
/* Word dropout: replace each real token (id > 1) of ids [count] by <unk>
 * with probability prob, drawing from a generator seeded with seed. */
void word_dropout(int32_t *ids, size_t count, double prob, uint64_t seed);
/* Copy ids [B,T] to out [B,Tb] without the columns that are padding (0) in
 * every row; returns Tb >= 1. */
int trim_batch(const int32_t *ids, int B, int T, int32_t *out);

#endif
