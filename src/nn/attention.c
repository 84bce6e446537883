/* attention.c - attention pooling, forward and backward (see attention.h).
 *
 *   B batch rows, T time steps, F features per step, A attention units */
#include "nn/attention.h"
#include "nn/dense.h"
#include "nn/pool.h"
#include "base/activ.h"
#include "base/tensor.h"

#include <math.h>
#include <string.h>

void attention_forward(int B, int T, int F, int A, const float *X, const unsigned char *mask, const float *W,
                       const float *b, const float *v, float *U, float *a, float *feat, float *work)
{
    const size_t N = (size_t)T * B;
    if (work) {
        for (size_t r = 0; r < N; r++) memcpy(U + r * A, b, sizeof(float) * A);
        mm_rows((int)N, A, F, X, W, U, work);
    } else {
        dense_forward((int)N, F, A, X, W, b, U);
    }
    for (size_t r = 0; r < N; r++) vtanh(U + r * A, A);
    for (int r = 0; r < B; r++) {
        float *ar = a + (size_t)r * T, *fr = feat + (size_t)r * F;
        double mx = -INFINITY, sum = 0;
        for (int t = 0; t < T; t++) {   /* scores, then a stable softmax over the real steps */
            ar[t] = 0;
            if (!pool_is_real(mask, B, t, r)) continue;
            const float *u = U + ((size_t)t * B + r) * A;
            double s = 0;
            for (int k = 0; k < A; k++) s += (double)u[k] * v[k];
            ar[t] = (float)s;
            if (s > mx) mx = s;
        }
        for (int t = 0; t < T; t++) {
            if (!pool_is_real(mask, B, t, r)) continue;
            double e = exp(ar[t] - mx);
            ar[t] = (float)e;
            sum += e;
        }
        memset(fr, 0, sizeof(float) * F);
        if (!(sum > 0)) continue;   /* no real step: a zero summary, as mean pooling gives */
        for (int t = 0; t < T; t++) {
            if (!pool_is_real(mask, B, t, r)) continue;
            ar[t] = (float)(ar[t] / sum);
            const float *x = X + ((size_t)t * B + r) * F;
            for (int f = 0; f < F; f++) fr[f] += ar[t] * x[f];
        }
    }
}

/* With g_t = dfeat . X_t (the gradient wrt a_t):
 *   ds_t = a_t (g_t - sum_k a_k g_k)     (softmax)
 *   dv  += sum_t ds_t U_t,   dZ_t = ds_t v (1 - U_t^2)   (tanh)
 *   dW  += X^T dZ,  db += sum dZ,  dX_t = dZ_t W^T + a_t dfeat */
void attention_backward(int B, int T, int F, int A, const float *X, const float *W, const float *v, const float *U,
                        const float *a, const float *dfeat, float *dW, float *db, float *dv, float *dZ, double *g,
                        float *dX)
{
    const size_t N = (size_t)T * B;
    memset(dZ, 0, sizeof(float) * N * A);
    for (int r = 0; r < B; r++) {
        const float *ar = a + (size_t)r * T, *df = dfeat + (size_t)r * F;
        double mean = 0;
        for (int t = 0; t < T; t++) {
            g[t] = 0;
            if (ar[t] == 0) continue;   /* (every step without a real token has a_t = 0) */
            const float *x = X + ((size_t)t * B + r) * F;
            for (int f = 0; f < F; f++) g[t] += (double)df[f] * x[f];
            mean += ar[t] * g[t];
        }
        for (int t = 0; t < T; t++) {
            if (ar[t] == 0) continue;
            const size_t at = (size_t)t * B + r;
            const float *u = U + at * A;
            const float ds = (float)(ar[t] * (g[t] - mean));
            float *dz = dZ + at * A;
            for (int k = 0; k < A; k++) {
                dv[k] += ds * u[k];
                dz[k] = ds * v[k] * (1 - u[k] * u[k]);
            }
        }
    }
    dense_backward((int)N, F, A, X, W, dZ, dW, db, dX);
    for (int r = 0; r < B; r++) {
        const float *ar = a + (size_t)r * T, *df = dfeat + (size_t)r * F;
        for (int t = 0; t < T; t++) {
            if (ar[t] == 0) continue;
            float *dx = dX + ((size_t)t * B + r) * F;
            for (int f = 0; f < F; f++) dx[f] += ar[t] * df[f];
        }
    }
}
