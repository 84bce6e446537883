/* dense.h - fully connected layer and the ReLU after the hidden one.
 *
 *   dense: Y [B,K] = X [B,C] W [C,K] + b [K]
 *   relu:  A [n] = max(A, 0), in place
 */
#ifndef SEQSENT_DENSE_H
#define SEQSENT_DENSE_H

#include <stddef.h>

void dense_forward(int B, int C, int K, const float *X, const float *W, const float *b, float *Y);
/* dW += X^T dY, db += sum_b dY, dX = dY W^T (dX may be NULL). */
void dense_backward(int B, int C, int K, const float *X, const float *W, const float *dY,
                    float *dW, float *db, float *dX);

void relu_forward(size_t n, float *A);
/* dA = 0 where the activation A (after relu_forward) is 0, in place. */
void relu_backward(size_t n, const float *A, float *dA);

#endif
