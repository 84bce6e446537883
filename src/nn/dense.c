/* dense.c - dense layer and embedding lookup, forward and backward. */
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

void embedding_forward(int B, int T, int E, const int32_t *ids, const float *table, float *X)
{
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++)
            memcpy(X + ((size_t)t * B + b) * E, table + (size_t)ids[(size_t)b * T + t] * E,
                   sizeof(float) * E);
}

void embedding_backward(int B, int T, int E, const int32_t *ids, const float *dX, float *dtable)
{
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++) {
            float *row = dtable + (size_t)ids[(size_t)b * T + t] * E;
            const float *d = dX + ((size_t)t * B + b) * E;
            for (int e = 0; e < E; e++) row[e] += d[e];
        }
}
