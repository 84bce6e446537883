/* dropout.c - inverted dropout (see dropout.h). */
#include "nn/dropout.h"
#include "base/tensor.h"

/* The multipliers of one time step: rows [B,C] at step t. */
static void dropout_mask(float *m, int B, int C, float p, uint64_t seed, int site, int row0, int t)
{
    float keep = 1.0f / (1.0f - p);
    for (int b = 0; b < B; b++) {
        rng r;
        rng_seed(&r, seed ^ ((uint64_t)(row0 + b) * 0x9E3779B97F4A7C15ULL) ^ ((uint64_t)site << 48) ^
                     ((uint64_t)t << 32));
        float *row = m + (size_t)b * C;
        for (int j = 0; j < C; j++) row[j] = rng_uniform(&r) < p ? 0.0f : keep;
    }
}

void dropout_forward(int T, int B, int C, float p, uint64_t seed, int site, int row0,
                     const float *X, float *M, float *Y)
{
    const size_t step = (size_t)B * C;
    for (int t = 0; t < T; t++) dropout_mask(M + (size_t)t * step, B, C, p, seed, site, row0, t);
    for (size_t i = 0; i < (size_t)T * step; i++) Y[i] = X[i] * M[i];
}

void dropout_backward(size_t n, const float *M, const float *dY, float *dX)
{
    for (size_t i = 0; i < n; i++) dX[i] = dY[i] * M[i];
}
