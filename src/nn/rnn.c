/* rnn.c - SimpleRNN layer (Keras): h' = tanh(x W + h U + b).  See cell.h. */
#include "base/activ.h"
#include "nn/cell.h"
#include "base/tensor.h"

#include <string.h>

void rnn_forward(const cell_params *p, int T, int B, const float *X, const unsigned char *mask, cell_cache *k)
{
    const int H = p->H;
    if (X) cell_project_input(p, (size_t)T * B, H, X, k->gates, k->work);
    for (int t = 0; t < T; t++) {
        size_t o = (size_t)t * B;
        const float *hprev = t ? k->h + (o - B) * H : k->h0;
        if (hprev) cell_recurrent_mm(k, p, B, H, hprev, k->gates + o * H);
        for (int b = 0; b < B; b++) {
            float *a = k->gates + (o + b) * H, *hb = k->h + (o + b) * H;
            if (mask && !mask[o + b]) {
                if (hprev) memcpy(hb, hprev + (size_t)b * H, sizeof(float) * H);
                else memset(hb, 0, sizeof(float) * H);
                continue;
            }
            vtanh_to(a, hb, H);
        }
    }
}

void rnn_backward(const cell_params *p, cell_params *g, int T, int B, const float *X,
                  const unsigned char *mask, cell_cache *k, const float *dH, float *dX)
{
    const int H = p->H;
    float *dh = k->dh;
    memset(dh, 0, sizeof(float) * B * H);
    for (int t = T - 1; t >= 0; t--) {
        size_t o = (size_t)t * B;
        for (int b = 0; b < B; b++) {
            float *dhb = dh + (size_t)b * H, *da = k->dz + (o + b) * H;
            const float *dHt = dH + (o + b) * H, *hb = k->h + (o + b) * H;
            if (mask && !mask[o + b]) {
                for (int j = 0; j < H; j++) dhb[j] += dHt[j];
                memset(da, 0, sizeof(float) * H);
                continue;
            }
            for (int j = 0; j < H; j++) {
                da[j] = (dhb[j] + dHt[j]) * (1.0f - hb[j] * hb[j]);
                dhb[j] = 0.0f;
            }
        }
        if (t > 0) mm(0, 1, B, H, H, 1.0f, k->dz + o * H, p->U, 1.0f, dh);
    }
    cell_param_grads(p, g, T, B, H, X, k->h, k->dz, k->dz, 0, dX);
}
