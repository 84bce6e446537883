/* optim.c - Adam as Keras implements it:
 *   m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2
 *   w -= lr * sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + eps)            */
#include "optim.h"
#include "tensor.h"

#include <math.h>

void adam_init(adam *a, double lr)
{
    a->lr = lr; a->beta1 = 0.9; a->beta2 = 0.999; a->eps = 1e-7; a->step = 0;
}

void param_alloc_moments(param *p)
{
    p->m = fzeros(p->n);
    p->v = fzeros(p->n);
}

void param_free_moments(param *p)
{
    ffree(p->m); ffree(p->v);
    p->m = p->v = NULL;
}

void adam_update(adam *a, param *ps, int np)
{
    a->step++;
    const float b1 = (float)a->beta1, b2 = (float)a->beta2, eps = (float)a->eps;
    const float lr_t = (float)(a->lr * sqrt(1.0 - pow(a->beta2, (double)a->step)) /
                               (1.0 - pow(a->beta1, (double)a->step)));
    for (int k = 0; k < np; k++) {
        param *p = &ps[k];
        float *w = p->w, *g = p->g, *m = p->m, *v = p->v;
        for (size_t i = 0; i < p->n; i++) {
            m[i] = b1 * m[i] + (1.0f - b1) * g[i];
            v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
            w[i] -= lr_t * m[i] / (sqrtf(v[i]) + eps);
        }
    }
}
