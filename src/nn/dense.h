/* dense.h - fully connected layer and the embedding lookup. */
#ifndef SEQSENT_DENSE_H
#define SEQSENT_DENSE_H

#include <stdint.h>

/* Y [B,K] = X [B,C] W [C,K] + b [K] */
void dense_forward(int B, int C, int K, const float *X, const float *W, const float *b, float *Y);
/* dW += X^T dY, db += sum_b dY, dX = dY W^T (dX may be NULL). */
void dense_backward(int B, int C, int K, const float *X, const float *W, const float *dY,
                    float *dW, float *db, float *dX);

/* ids [B,T] (batch-major, as padded) -> X [T,B,E] (time-major) rows of table [V,E]. */
void embedding_forward(int B, int T, int E, const int32_t *ids, const float *table, float *X);
/* dtable[id] += dX[t,b] for every position (dense accumulation into [V,E]). */
void embedding_backward(int B, int T, int E, const int32_t *ids, const float *dX, float *dtable);

#endif
