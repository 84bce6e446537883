/* gru.c - GRU layer as Keras builds it by default (reset_after = True):
 *   z = s(x Wz + bz + h Uz + rz)      r = s(x Wr + br + h Ur + rr)
 *   n = tanh(x Wn + bn + r * (h Un + rn))
 *   h' = z * h + (1 - z) * n
 * b holds two rows of 3H: the input bias (bz br bn) and the recurrent bias
 * (rz rr rn).  The cache keeps h Un + rn of every step (rec_cand) for the
 * reset gate's gradient.  Time-major tensors, see cell.h. */
#include "base/activ.h"
#include "nn/cell.h"
#include "base/tensor.h"

#include <string.h>

void gru_forward(const cell_params *p, int T, int B, const float *X, const unsigned char *mask, cell_cache *k)
{
    const int H = p->H, G = 3 * H;
    const float *brec = p->b + G;
    if (X) cell_project_input(p, (size_t)T * B, G, X, k->gates, k->work);   /* input bias row */
    for (int t = 0; t < T; t++) {
        size_t o = (size_t)t * B;
        const float *hprev = t ? k->h + (o - B) * H : k->h0;
        for (int b = 0; b < B; b++) memcpy(k->hz + (size_t)b * G, brec, sizeof(float) * G);
        if (hprev) cell_recurrent_mm(k, p, B, G, hprev, k->hz);
        for (int b = 0; b < B; b++) {
            float *g = k->gates + (o + b) * G, *hb = k->h + (o + b) * H, *rcand = k->rec_cand + (o + b) * H;
            const float *hz = k->hz + (size_t)b * G, *hp = hprev ? hprev + (size_t)b * H : NULL;
            if (mask && !mask[o + b]) {   /* padding: carry the state through */
                if (hp) memcpy(hb, hp, sizeof(float) * H);
                else memset(hb, 0, sizeof(float) * H);
                memset(g, 0, sizeof(float) * G);
                memset(rcand, 0, sizeof(float) * H);
                continue;
            }
            for (int j = 0; j < 2 * H; j++) g[j] += hz[j];
            vsigmoid(g, 2 * H);                      /* z, r */
            const float *z = g, *r = g + H;
            float *n = g + 2 * H;
            for (int j = 0; j < H; j++) {
                rcand[j] = hz[2 * H + j];
                n[j] += r[j] * rcand[j];
            }
            vtanh(n, H);
            if (hp) for (int j = 0; j < H; j++) hb[j] = z[j] * hp[j] + (1.0f - z[j]) * n[j];
            else for (int j = 0; j < H; j++) hb[j] = (1.0f - z[j]) * n[j];
        }
    }
}

void gru_backward(const cell_params *p, cell_params *g, int T, int B, const float *X,
                  const unsigned char *mask, cell_cache *k, const float *dH, float *dX)
{
    const int H = p->H, G = 3 * H;
    float *dh = k->dh;
    memset(dh, 0, sizeof(float) * B * H);
    for (int t = T - 1; t >= 0; t--) {
        size_t o = (size_t)t * B;
        const float *hprev = t ? k->h + (o - B) * H : NULL;
        for (int b = 0; b < B; b++) {
            float *dhb = dh + (size_t)b * H;
            float *dzi = k->dz + (o + b) * G, *dzr = k->dzr + (o + b) * G;
            const float *dHt = dH + (o + b) * H;
            if (mask && !mask[o + b]) {
                for (int j = 0; j < H; j++) dhb[j] += dHt[j];
                memset(dzi, 0, sizeof(float) * G);
                memset(dzr, 0, sizeof(float) * G);
                continue;
            }
            const float *gb = k->gates + (o + b) * G, *rcand = k->rec_cand + (o + b) * H;
            const float *hp = hprev ? hprev + (size_t)b * H : NULL;
            for (int j = 0; j < H; j++) {
                float z = gb[j], r = gb[H + j], n = gb[2 * H + j];
                float dhv = dhb[j] + dHt[j], hpv = hp ? hp[j] : 0.0f;
                float dan = dhv * (1.0f - z) * (1.0f - n * n);
                float daz = dhv * (hpv - n) * z * (1.0f - z);
                float dar = dan * rcand[j] * r * (1.0f - r);
                dzi[j] = daz; dzi[H + j] = dar; dzi[2 * H + j] = dan;
                dzr[j] = daz; dzr[H + j] = dar; dzr[2 * H + j] = dan * r;
                dhb[j] = dhv * z;    /* direct path; the U path is added below */
            }
        }
        if (t > 0) mm(0, 1, B, H, G, 1.0f, k->dzr + o * G, p->U, 1.0f, dh);
    }
    cell_param_grads(p, g, T, B, G, X, k->h, k->dz, k->dzr, 1, dX);
}
