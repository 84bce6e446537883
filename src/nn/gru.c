/* gru.c - GRU layer as Keras builds it by default (reset_after = True):
 *   z = s(x Wz + bz + h Uz + rz)      r = s(x Wr + br + h Ur + rr)
 *   n = tanh(x Wn + bn + r * (h Un + rn))
 *   h' = z * h + (1 - z) * n
 * b holds two rows of 3H: the input bias (bz br bn) and the recurrent bias
 * (rz rr rn).  Time-major tensors, see cell.h. */
#include "base/activ.h"
#include "nn/cell.h"
#include "base/tensor.h"

#include <string.h>

void gru_forward(const cell_params *p, int T, int B, const float *X, const unsigned char *mask, cell_cache *k)
{
    const int C = p->C, H = p->H, G = 3 * H;
    const size_t TB = (size_t)T * B;
    const float *bin = p->b, *brec = p->b + G;
    for (size_t r = 0; r < TB; r++) memcpy(k->gates + r * G, bin, sizeof(float) * G);
    mm(0, 0, (int)TB, G, C, 1.0f, X, p->W, 1.0f, k->gates);
    for (int t = 0; t < T; t++) {
        size_t o = (size_t)t * B;
        const float *hprev = t ? k->h + (o - B) * H : NULL;
        for (int b = 0; b < B; b++) memcpy(k->hz + (size_t)b * G, brec, sizeof(float) * G);
        if (hprev) mm(0, 0, B, G, H, 1.0f, hprev, p->U, 1.0f, k->hz);
        for (int b = 0; b < B; b++) {
            float *g = k->gates + (o + b) * G, *hb = k->h + (o + b) * H, *hzn = k->c + (o + b) * H;
            const float *hz = k->hz + (size_t)b * G, *hp = hprev ? hprev + (size_t)b * H : NULL;
            if (mask && !mask[o + b]) {   /* padding: carry the state through */
                if (hp) memcpy(hb, hp, sizeof(float) * H);
                else memset(hb, 0, sizeof(float) * H);
                memset(g, 0, sizeof(float) * G);
                memset(hzn, 0, sizeof(float) * H);
                continue;
            }
            for (int j = 0; j < 2 * H; j++) g[j] += hz[j];
            vsigmoid(g, 2 * H);                      /* z, r */
            const float *z = g, *r = g + H;
            float *n = g + 2 * H;
            for (int j = 0; j < H; j++) {
                hzn[j] = hz[2 * H + j];
                n[j] += r[j] * hzn[j];
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
    const int C = p->C, H = p->H, G = 3 * H;
    const size_t TB = (size_t)T * B;
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
            const float *gb = k->gates + (o + b) * G, *hzn = k->c + (o + b) * H;
            const float *hp = hprev ? hprev + (size_t)b * H : NULL;
            for (int j = 0; j < H; j++) {
                float z = gb[j], r = gb[H + j], n = gb[2 * H + j];
                float dhv = dhb[j] + dHt[j], hpv = hp ? hp[j] : 0.0f;
                float dan = dhv * (1.0f - z) * (1.0f - n * n);
                float daz = dhv * (hpv - n) * z * (1.0f - z);
                float dar = dan * hzn[j] * r * (1.0f - r);
                dzi[j] = daz; dzi[H + j] = dar; dzi[2 * H + j] = dan;
                dzr[j] = daz; dzr[H + j] = dar; dzr[2 * H + j] = dan * r;
                dhb[j] = dhv * z;    /* direct path; the U path is added below */
            }
        }
        if (t > 0) mm(0, 1, B, H, G, 1.0f, k->dzr + o * G, p->U, 1.0f, dh);
    }
    mm(1, 0, C, G, (int)TB, 1.0f, X, k->dz, 1.0f, g->W);
    if (T > 1) mm(1, 0, H, G, (int)(TB - B), 1.0f, k->h, k->dzr + (size_t)B * G, 1.0f, g->U);
    for (size_t r = 0; r < TB; r++) {
        const float *a = k->dz + r * G, *c = k->dzr + r * G;
        for (int j = 0; j < G; j++) { g->b[j] += a[j]; g->b[G + j] += c[j]; }
    }
    if (dX) mm(0, 1, (int)TB, C, G, 1.0f, k->dz, p->W, 0.0f, dX);
}
