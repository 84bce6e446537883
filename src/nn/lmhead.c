/* lmhead.c - sampled softmax for next-token prediction (see lmhead.h).
 *
 *   N positions, H features, V vocabulary, S candidates */
#include "nn/lmhead.h"
#include "base/tensor.h"

#include <math.h>
#include <string.h>

/* -log softmax of position i's logits (its target's first) and, when g is
 * not NULL, their gradient * scale: g_t for the target, dz [S] in place of
 * z (0 for an accidental hit). */
static double position_loss(int S, const int32_t *cand, int32_t t, float zt, float *z, float scale, float *g_t,
                            int grad)
{
    float mx = zt;
    for (int c = 0; c < S; c++)
        if (cand[c] != t && z[c] > mx) mx = z[c];
    double sum = exp((double)zt - mx);
    for (int c = 0; c < S; c++)
        if (cand[c] != t) sum += exp((double)z[c] - mx);
    double lse = mx + log(sum);
    if (grad) {
        *g_t = (float)((exp((double)zt - lse) - 1.0) * scale);
        for (int c = 0; c < S; c++) z[c] = cand[c] == t ? 0.0f : (float)(exp((double)z[c] - lse) * scale);
    }
    return lse - zt;
}

double lmhead_forward_backward(int N, int H, const float *X, const int32_t *tgt, const float *W, const float *b,
                               const lm_cands *c, float scale, lmhead_ws *ws, float *dX, float *dW, float *db,
                               rowset *rows_W, rowset *rows_b)
{
    const int S = c->S;
    const int grad = dX != NULL;
    for (int k = 0; k < S; k++) {
        memcpy(ws->Wc + (size_t)k * H, W + (size_t)c->id[k] * H, sizeof(float) * H);
        ws->bc[k] = b[c->id[k]] - c->logq[c->id[k]];
    }
    /* Z [N,S] = X Wc^T + bc */
    for (int i = 0; i < N; i++) memcpy(ws->Z + (size_t)i * S, ws->bc, sizeof(float) * S);
    mm(0, 1, N, S, H, 1.0f, X, ws->Wc, 1.0f, ws->Z);
    double loss = 0;
    for (int i = 0; i < N; i++) {
        const int32_t t = tgt[i];
        const float *x = X + (size_t)i * H, *wt = W + (size_t)t * H;
        float zt = b[t] - c->logq[t], g_t = 0;
        for (int h = 0; h < H; h++) zt += x[h] * wt[h];
        loss += position_loss(S, c->id, t, zt, ws->Z + (size_t)i * S, scale, &g_t, grad);
        if (!grad) continue;
        /* the target's share: dX_i = g_t w_t (the candidates' added below),
         * dw_t += g_t x_i, db_t += g_t */
        float *dx = dX + (size_t)i * H;
        for (int h = 0; h < H; h++) dx[h] = g_t * wt[h];
        if (dW) {
            float *dwt = dW + (size_t)t * H;
            for (int h = 0; h < H; h++) dwt[h] += g_t * x[h];
            rowset_add(rows_W, &t, 1);
        }
        db[t] += g_t;
        rowset_add(rows_b, &t, 1);
    }
    if (!grad) return loss;
    /* the candidates' share: dX += dZ Wc; dWc = dZ^T X scattered into dW;
     * db_c += sum_i dZ_ic */
    mm(0, 0, N, H, S, 1.0f, ws->Z, ws->Wc, 1.0f, dX);
    if (dW) {
        mm(1, 0, S, H, N, 1.0f, ws->Z, X, 0.0f, ws->Wc);   /* Wc is free again: dWc */
        for (int k = 0; k < S; k++) {
            float *dw = dW + (size_t)c->id[k] * H;
            const float *g = ws->Wc + (size_t)k * H;
            for (int h = 0; h < H; h++) dw[h] += g[h];
        }
        rowset_add(rows_W, c->id, (size_t)S);
    }
    for (int k = 0; k < S; k++) {
        double s = 0;
        for (int i = 0; i < N; i++) s += ws->Z[(size_t)i * S + k];
        db[c->id[k]] += (float)s;
    }
    rowset_add(rows_b, c->id, (size_t)S);
    return loss;
}

double lmhead_nll(int N, int H, int V, const float *X, const int32_t *tgt, const float *W, const float *b, float *Z)
{
    double loss = 0;
    for (int i0 = 0; i0 < N; i0 += LMHEAD_CHUNK) {
        const int n = N - i0 < LMHEAD_CHUNK ? N - i0 : LMHEAD_CHUNK;
        for (int i = 0; i < n; i++) memcpy(Z + (size_t)i * V, b, sizeof(float) * V);
        mm(0, 1, n, V, H, 1.0f, X + (size_t)i0 * H, W, 1.0f, Z);
        for (int i = 0; i < n; i++) {
            const float *z = Z + (size_t)i * V;
            float mx = z[0];
            for (int v = 1; v < V; v++) if (z[v] > mx) mx = z[v];
            double sum = 0;
            for (int v = 0; v < V; v++) sum += exp((double)z[v] - mx);
            loss += mx + log(sum) - z[tgt[i0 + i]];
        }
    }
    return loss;
}
