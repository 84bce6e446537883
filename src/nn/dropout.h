/* dropout.h - inverted dropout, forward and backward (training only).
 *
 *   Y [T,B,C] = X * M,  M [T,B,C] of 0 (probability p) or 1/(1-p)
 *   backward: dX = dY * M
 *
 * The multipliers of row b at step t depend only on the seed, the site
 * (which dropout of the network), the row's index in the whole batch
 * (row0 + b) and t, not on how the rows are split between workers: the
 * same thread count or not, a batch drops the same values.
 */
#ifndef SEQSENT_DROPOUT_H
#define SEQSENT_DROPOUT_H

#include <stddef.h>
#include <stdint.h>

/* Y may be X. */
void dropout_forward(int T, int B, int C, float p, uint64_t seed, int site, int row0,
                     const float *X, float *M, float *Y);
/* n = T*B*C values; dX may be dY. */
void dropout_backward(size_t n, const float *M, const float *dY, float *dX);

#endif
