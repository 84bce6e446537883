/* optim.h - Adam (Keras defaults) over a list of parameter tensors. */
#ifndef SEQSENT_OPTIM_H
#define SEQSENT_OPTIM_H

#include <stddef.h>

typedef struct param {
    char name[48];       /* the tensor's name in the model file */
    float *w, *g;        /* values and gradient (same size) */
    float *m, *v;        /* Adam moments, owned by the optimizer */
    size_t n;
} param;

typedef struct adam {
    double lr, beta1, beta2, eps;
    long step;           /* updates done so far */
} adam;

void adam_init(adam *a, double lr);          /* beta1 .9, beta2 .999, eps 1e-7 */
/* One update of every parameter from its gradient; gradients are left as is. */
void adam_update(adam *a, param *ps, int np);
void param_alloc_moments(param *p);
void param_free_moments(param *p);

#endif
