/* optim.c - the optimizers.
 *   Adam (as Keras):  m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2
 *                     w -= lr * sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + eps)
 *   AdamW:            the Adam step, plus w -= lr * wd * w (not on biases)
 *   SGD (as Keras):   m = momentum m - lr g;  w += m                      */
#include "nn/optim.h"
#include "base/names.h"
#include "base/tensor.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void optimizer_init(optimizer *o, double lr)
{
    memset(o, 0, sizeof *o);
    o->kind = OPTIM_ADAM;
    o->lr = lr; o->beta1 = 0.9; o->beta2 = 0.999; o->eps = 1e-7;
}

/* in optim_kind order */
static const char *const optim_names[] = { "adam", "adamw", "sgd", NULL };

const char *optim_name(optim_kind k) { return names_get(optim_names, k); }

int optim_parse(const char *s) { return names_parse(optim_names, s); }

void param_alloc_moments(param *p)
{
    p->m = fzeros(p->n);
    p->v = fzeros(p->n);
}

void param_free_moments(param *p)
{
    ffree(p->m); ffree(p->v);
    free(p->ema);
    p->m = p->v = p->ema = NULL;
}

void optimizer_update(optimizer *o, param *ps, int np)
{
    o->step++;
    if (o->kind == OPTIM_SGD) {
        const float lr = (float)o->lr, mu = (float)o->momentum;
        for (int k = 0; k < np; k++) {
            if (ps[k].lr_scale == 0) continue;   /* frozen for now */
            float *w = ps[k].w, *g = ps[k].g, *m = ps[k].m;
            const float lrk = lr * ps[k].lr_scale;
            for (size_t i = 0; i < ps[k].n; i++) {
                m[i] = mu * m[i] - lrk * g[i];
                w[i] += m[i];
            }
        }
        return;
    }
    const float b1 = (float)o->beta1, b2 = (float)o->beta2, eps = (float)o->eps;
    const float lr_t = (float)(o->lr * sqrt(1.0 - pow(o->beta2, (double)o->step)) /
                               (1.0 - pow(o->beta1, (double)o->step)));
    for (int k = 0; k < np; k++) {
        param *p = &ps[k];
        if (p->lr_scale == 0) continue;   /* frozen for now */
        float *w = p->w, *g = p->g, *m = p->m, *v = p->v;
        const float decay = o->kind == OPTIM_ADAMW && p->decay ? (float)(o->lr * o->weight_decay) * p->lr_scale : 0.0f;
        const float lrk = lr_t * p->lr_scale;
        for (size_t i = 0; i < p->n; i++) {
            m[i] = b1 * m[i] + (1.0f - b1) * g[i];
            v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
            w[i] -= lrk * m[i] / (sqrtf(v[i]) + eps) + decay * w[i];
        }
    }
}
