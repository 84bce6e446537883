/* dense.c - dense layer and ReLU, forward and backward (see dense.h). */
#include "nn/dense.h"
#include "base/tensor.h"

#include <string.h>

void dense_forward(int B, int C, int K, const float *X, const float *W, const float *b, float *Y)
{
    for (int r = 0; r < B; r++) memcpy(Y + (size_t)r * K, b, sizeof(float) * K);
    mm(0, 0, B, K, C, 1.0f, X, W, 1.0f, Y);
}

void dense_backward(int B, int C, int K, const float *X, const float *W, const float *dY,
                    float *dW, float *db, float *dX)
{
    mm(1, 0, C, K, B, 1.0f, X, dY, 1.0f, dW);
    for (int r = 0; r < B; r++)
        for (int k = 0; k < K; k++) db[k] += dY[(size_t)r * K + k];
    if (dX) mm(0, 1, B, C, K, 1.0f, dY, W, 0.0f, dX);
}

void relu_forward(size_t n, float *A)
{
    for (size_t i = 0; i < n; i++) if (A[i] < 0) A[i] = 0;
}

void relu_backward(size_t n, const float *A, float *dA)
{
    for (size_t i = 0; i < n; i++) if (A[i] <= 0) dA[i] = 0;
}
