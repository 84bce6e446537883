/* pool.c - last / max / mean pooling over time, forward and backward (see pool.h). */
#include "nn/pool.h"
#include "base/names.h"

#include <stdlib.h>
#include <string.h>

/* in POOL_* order */
static const char *const pool_names[] = { "last", "max", "mean", "attention", NULL };

const char *pool_name(int pool) { return names_get(pool_names, pool); }

int pool_parse(const char *s) { return names_parse(pool_names, s); }

void pool_state_alloc(pool_state *s, int pool, int maxB, int F, wsbuf *a)
{
    memset(s, 0, sizeof *s);
    if (pool == POOL_MAX) s->argmax = wsbuf_zeroed(a, (size_t)maxB * F * sizeof *s->argmax);
    if (pool == POOL_MEAN) s->count = wsbuf_zeroed(a, (size_t)maxB * sizeof *s->count);
}

void pool_state_free(pool_state *s)
{
    free(s->argmax);
    free(s->count);
    memset(s, 0, sizeof *s);
}

/* The step holding direction d's final state. */
static int last_step(int T, int d) { return d ? 0 : T - 1; }

static void max_forward(int B, int T, int F, const float *X, const unsigned char *mask, float *feat, int32_t *argmax)
{
    for (int b = 0; b < B; b++) {
        float *fb = feat + (size_t)b * F;
        int32_t *ab = argmax + (size_t)b * F;
        for (int f = 0; f < F; f++) { fb[f] = 0; ab[f] = -1; }
        for (int t = 0; t < T; t++) {
            if (!pool_is_real(mask, B, t, b)) continue;
            const float *x = X + ((size_t)t * B + b) * F;
            for (int f = 0; f < F; f++)
                if (ab[f] < 0 || x[f] > fb[f]) { fb[f] = x[f]; ab[f] = t; }
        }
    }
}

static void mean_forward(int B, int T, int F, const float *X, const unsigned char *mask, float *feat, int32_t *count)
{
    for (int b = 0; b < B; b++) {
        float *fb = feat + (size_t)b * F;
        int cnt = 0;
        for (int f = 0; f < F; f++) fb[f] = 0;
        for (int t = 0; t < T; t++) {
            if (!pool_is_real(mask, B, t, b)) continue;
            const float *x = X + ((size_t)t * B + b) * F;
            for (int f = 0; f < F; f++) fb[f] += x[f];
            cnt++;
        }
        if (cnt)
            for (int f = 0; f < F; f++) fb[f] /= cnt;
        count[b] = cnt;
    }
}

void pool_forward(int pool, int B, int T, int D, int H, const float *X, const unsigned char *mask,
                  float *feat, pool_state *s)
{
    const int F = D * H;
    if (pool == POOL_MAX) max_forward(B, T, F, X, mask, feat, s->argmax);
    else if (pool == POOL_MEAN) mean_forward(B, T, F, X, mask, feat, s->count);
    else
        for (int b = 0; b < B; b++)
            for (int d = 0; d < D; d++)
                memcpy(feat + (size_t)b * F + d * H, X + ((size_t)last_step(T, d) * B + b) * F + d * H,
                       H * sizeof(float));
}

void pool_backward(int pool, int B, int T, int D, int H, const float *dfeat, const unsigned char *mask,
                   const pool_state *s, float *dX)
{
    const int F = D * H;
    memset(dX, 0, sizeof(float) * (size_t)T * B * F);
    for (int b = 0; b < B; b++) {
        const float *db = dfeat + (size_t)b * F;
        if (pool == POOL_MAX) {
            const int32_t *ab = s->argmax + (size_t)b * F;
            for (int f = 0; f < F; f++)
                if (ab[f] >= 0) dX[((size_t)ab[f] * B + b) * F + f] += db[f];
        } else if (pool == POOL_MEAN) {
            if (s->count[b] == 0) continue;
            float inv = 1.0f / s->count[b];
            for (int t = 0; t < T; t++) {
                if (!pool_is_real(mask, B, t, b)) continue;
                float *o = dX + ((size_t)t * B + b) * F;
                for (int f = 0; f < F; f++) o[f] += db[f] * inv;
            }
        } else {
            for (int d = 0; d < D; d++)
                memcpy(dX + ((size_t)last_step(T, d) * B + b) * F + d * H, db + d * H, H * sizeof(float));
        }
    }
}
