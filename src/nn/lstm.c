/* lstm.c - LSTM layer forward and backward through time (see cell.h).
 *
 * Keras semantics: gates i, f, c(g), o; z = x W + h U + b;
 *   c_t = f*c_{t-1} + i*g,  h_t = o*tanh(c_t).  */
#include "nn/cell.h"
#include "base/activ.h"
#include "base/tensor.h"

#include <math.h>
#include <string.h>

/* Gate nonlinearities and state update for one step of B rows.
 * gates [B,4H]: pre-activations in, activations out.  cprev/hprev NULL at t=0. */
static void lstm_step(int B, int H, float *gates, const float *cprev, const float *hprev,
                      float *c, float *tc, float *h, const unsigned char *mask)
{
    for (int b = 0; b < B; b++) {
        float *g = gates + (size_t)b * 4 * H;
        float *cb = c + (size_t)b * H, *tcb = tc + (size_t)b * H, *hb = h + (size_t)b * H;
        if (mask && !mask[b]) {    /* padding: carry the state through */
            for (int j = 0; j < H; j++) {
                cb[j] = cprev ? cprev[(size_t)b * H + j] : 0.0f;
                hb[j] = hprev ? hprev[(size_t)b * H + j] : 0.0f;
            }
            vtanh_to(cb, tcb, H);
            memset(g, 0, sizeof(float) * 4 * H);
            continue;
        }
        vsigmoid(g, 2 * H);          /* i, f */
        vtanh(g + 2 * H, H);         /* g */
        vsigmoid(g + 3 * H, H);      /* o */
        const float *i = g, *f = g + H, *gg = g + 2 * H, *o = g + 3 * H;
        if (cprev) {
            const float *cp = cprev + (size_t)b * H;
            for (int j = 0; j < H; j++) cb[j] = i[j] * gg[j] + f[j] * cp[j];
        } else {
            for (int j = 0; j < H; j++) cb[j] = i[j] * gg[j];
        }
        vtanh_to(cb, tcb, H);
        for (int j = 0; j < H; j++) hb[j] = o[j] * tcb[j];
    }
}

void lstm_forward(const cell_params *p, int T, int B, const float *X,
                  const unsigned char *mask, cell_cache *k)
{
    const int H = p->H, G = 4 * H;
    /* input projection of all time steps at once: gates = X W + b */
    if (X) cell_project_input(p, (size_t)T * B, G, X, k->gates, k->work);
    for (int t = 0; t < T; t++) {
        size_t o = (size_t)t * B;
        const float *hprev = t ? k->h + (o - B) * H : k->h0;
        const float *cprev = t ? k->c + (o - B) * H : k->c0;
        if (hprev) cell_recurrent_mm(k, p, B, G, hprev, k->gates + o * G);
        lstm_step(B, H, k->gates + o * G, cprev, hprev, k->c + o * H, k->tc + o * H,
                  k->h + o * H, mask ? mask + o : NULL);
    }
}

void lstm_backward(const cell_params *p, cell_params *g, int T, int B, const float *X,
                   const unsigned char *mask, cell_cache *k, const float *dH, float *dX)
{
    const int H = p->H, G = 4 * H;
    float *dh = k->dh, *dc = k->dc;
    memset(dh, 0, sizeof(float) * B * H);   /* carries from step t+1 */
    memset(dc, 0, sizeof(float) * B * H);
    for (int t = T - 1; t >= 0; t--) {
        size_t o = (size_t)t * B;
        const float *gt = k->gates + o * G, *tct = k->tc + o * H;
        const float *cprev = t ? k->c + (o - B) * H : NULL;
        const float *dHt = dH + o * H;
        float *dz = k->dz + o * G;
        for (int b = 0; b < B; b++) {
            float *dhb = dh + (size_t)b * H, *dcb = dc + (size_t)b * H, *dzb = dz + (size_t)b * G;
            const float *gb = gt + (size_t)b * G, *tcb = tct + (size_t)b * H;
            if (mask && !mask[o + b]) {   /* state passed through: so do its gradients */
                for (int j = 0; j < H; j++) dhb[j] += dHt[(size_t)b * H + j];
                memset(dzb, 0, sizeof(float) * G);
                continue;
            }
            for (int j = 0; j < H; j++) {
                float i = gb[j], f = gb[H + j], gg = gb[2 * H + j], ov = gb[3 * H + j];
                float dhv = dhb[j] + dHt[(size_t)b * H + j];
                float tcv = tcb[j];
                float dcv = dcb[j] + dhv * ov * (1.0f - tcv * tcv);
                float cp = cprev ? cprev[(size_t)b * H + j] : 0.0f;
                dzb[j] = dcv * gg * i * (1.0f - i);
                dzb[H + j] = dcv * cp * f * (1.0f - f);
                dzb[2 * H + j] = dcv * i * (1.0f - gg * gg);
                dzb[3 * H + j] = dhv * tcv * ov * (1.0f - ov);
                dcb[j] = dcv * f;    /* carry to t-1 */
                dhb[j] = 0.0f;       /* replaced below by dz U^T */
            }
        }
        if (t > 0) {
            /* dh_{t-1} = dz_t U^T; masked rows keep their pass-through
             * carry (their dz row is zero, and beta = 1 adds to it) */
            mm(0, 1, B, H, G, 1.0f, dz, p->U, 1.0f, dh);
        }
    }
    cell_param_grads(p, g, T, B, G, X, k->h, k->dz, k->dz, 0, dX);
}

void lstm_init_bias(float *b, const param_spec *s, rng *r)
{
    const size_t H = s->n / 4;
    pinit_zeros(b, s, r);
    for (size_t j = 0; j < H; j++) b[H + j] = 1.0f;   /* Keras unit_forget_bias */
}
