/* embedding.h - the embedding lookup and its padding mask.
 *
 *   ids [B,T] (batch-major, as padded) -> X [T,B,E] (time-major),
 *       X[t,b] = table[ids[b,t]], table [V,E]
 *   backward: dtable[ids[b,t]] += dX[t,b], and the rows written are
 *       recorded (the gradient is sparse: a batch touches few of V rows)
 *   mask [T,B] (time-major): 1 where ids[b,t] is a real token, 0 for the
 *       padding id 0 (Keras mask_zero)
 */
#ifndef SEQSENT_EMBEDDING_H
#define SEQSENT_EMBEDDING_H

#include <stdint.h>
#include "nn/params.h"

void embedding_forward(int B, int T, int E, const int32_t *ids, const float *table, float *X);
void embedding_backward(int B, int T, int E, const int32_t *ids, const float *dX, float *dtable, rowset *rows);
void embedding_mask(int B, int T, const int32_t *ids, unsigned char *mask);

#endif
