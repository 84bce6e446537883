/* bag.h - a bag of n-grams beside the recurrent layers: fastText inside the
 * network (Joulin et al. 2017, "Bag of Tricks for Efficient Text
 * Classification"), its features joined to the sequence summary.
 *
 *   ids [B,T] (0 = padding) -> each row's n-grams: every real token's id
 *       (< V), and for every two adjacent real tokens a, b the bucket
 *       V + bag_bigram(a, b, NB)
 *   -> out [B,G] (row stride ldo) = the mean of table [V+NB, G] over the
 *       row's n-grams (a row of padding only: zeros)
 *   backward: dtable[g] += dout[b] / count_b for each n-gram g of row b
 *       (a repeated n-gram twice), the rows written recorded (sparse).
 *
 * A recurrent layer sees words in order; the bag sees which words and word
 * pairs occur, as a bag-of-words classifier does.  On mr's validation
 * splits the two make different mistakes: averaging a fastText bigram
 * model's probabilities with a seqsent model's gained 1.1 points where
 * three seqsent models averaged gained nothing.
 */
#ifndef SEQSENT_BAG_H
#define SEQSENT_BAG_H

#include <stdint.h>
#include "nn/params.h"

/* The bucket (0..NB-1) of the bigram a b: a fixed hash of the two ids (a
 * model file records the scheme as "ngrams": 2). */
int32_t bag_bigram(int32_t a, int32_t b, int32_t NB);
/* The n-gram rows of one padded row ids [T] into grams [2T]; returns how many. */
int bag_ngrams(const int32_t *ids, int T, int32_t V, int32_t NB, int32_t *grams);
/* Row r of a table stored otherwise (a quantized model's int8 or bf16
 * rows) as G floats into out. */
typedef void bag_row_fn(const void *ctx, int32_t r, float *out);
/* grams [B,2T] and count [B] are kept for backward.  The rows come from
 * table, or when it is NULL from row(ctx, r, tmp [G]). */
void bag_forward(int B, int T, int G, int32_t V, int32_t NB, const int32_t *ids, const float *table, bag_row_fn *row,
                 const void *ctx, float *tmp, float *out, int ldo, int32_t *grams, int32_t *count);
void bag_backward(int B, int T, int G, const int32_t *grams, const int32_t *count, const float *dout, int ldd,
                  float *dtable, rowset *rows);

#endif
