/* optim.h - optimizers over a list of parameter tensors: Adam (Keras
 * defaults), AdamW (decoupled weight decay) and SGD with momentum. */
#ifndef SEQSENT_OPTIM_H
#define SEQSENT_OPTIM_H

#include <stddef.h>

typedef struct param {
    char name[48];       /* the tensor's name in the model file */
    float *w, *g;        /* values and gradient (same size) */
    float *m, *v;        /* moments (Adam) / velocity in m (SGD), owned by the optimizer */
    float *ema;          /* moving average of w (train --ema), or NULL */
    size_t n;
    int decay;           /* AdamW weight decay applies (kernels and the embedding, not biases) */
    float lr_scale;      /* this tensor's learning rate / the optimizer's (1; 0 = not updated:
                          * fine-tuning's discriminative rates and gradual unfreezing) */
} param;

typedef enum { OPTIM_ADAM = 0, OPTIM_ADAMW, OPTIM_SGD } optim_kind;

typedef struct optimizer {
    optim_kind kind;
    double lr, beta1, beta2, eps;
    double weight_decay;  /* AdamW */
    double momentum;      /* SGD */
    long step;            /* updates done so far */
} optimizer;

/* Adam with beta1 .9, beta2 .999, eps 1e-7 (Keras); change kind and the
 * other fields afterwards for AdamW / SGD. */
void optimizer_init(optimizer *o, double lr);
/* One update of every parameter from its gradient; gradients are left as is. */
void optimizer_update(optimizer *o, param *ps, int np);
const char *optim_name(optim_kind k);
int optim_parse(const char *s);      /* -1 if unknown */
void param_alloc_moments(param *p);
void param_free_moments(param *p);

#endif
