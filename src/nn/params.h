/* params.h - a network's parameter tensors as one list.
 *
 * net.c builds the list once from the configuration: for every tensor, in
 * model-file order, its name ("embedding", "lstm.0.W", "gru.1.rev.U",
 * "hidden.W", "dense.b"), its shape, how it is initialised, whether weight
 * decay applies, whether it is trained, whether its gradient is sparse by
 * rows (the embedding: a batch touches few of its V rows), and where its
 * weights and gradient pointers live in the net.  Everything that must agree
 * on the set of tensors iterates the list: allocation, initialisation (its
 * order is the order of the random draws), gradients and optimizer moments
 * (the order of n->params), worker shadows, zeroing and summing gradients,
 * freeing, and the model file (model/netfile.c).
 */
#ifndef SEQSENT_PARAMS_H
#define SEQSENT_PARAMS_H

#include <stddef.h>
#include <stdint.h>
#include "base/tensor.h"
#include "nn/optim.h"

typedef struct param_spec param_spec;

/* Fills w (s->n values) with s's initial values, drawing from r. */
typedef void param_init_fn(float *w, const param_spec *s, rng *r);
param_init_fn pinit_zeros;       /* 0 */
param_init_fn pinit_embedding;   /* U(-0.05, 0.05), row 0 (the padding id) 0 */
param_init_fn pinit_glorot;      /* Glorot-uniform: fan in = rows, fan out = columns */
param_init_fn pinit_orthogonal;  /* orthonormal rows or columns */

enum {
    PARAM_TRAIN = 1,     /* has a gradient and optimizer state (not a frozen embedding) */
    PARAM_DECAY = 2,     /* AdamW weight decay applies (kernels, not biases) */
    PARAM_SPARSE = 4,    /* gradient rows are tracked: zeroing and summing cost O(rows touched) */
};

/* The rows of a sparse gradient written since it was last zeroed. */
typedef struct rowset {
    int32_t *row;        /* the rows, in the order first written */
    size_t n;
    unsigned char *in;   /* [rows] 1 = in row[] */
} rowset;

struct param_spec {
    char name[48];       /* as in the model file and the optimizer state */
    int ndim;            /* 1 (a vector: shape[0] values) or 2 */
    int64_t shape[2];
    size_t n;            /* values */
    param_init_fn *init;
    int flags;           /* PARAM_* */
    float **w, **g;      /* where the net keeps the weights and the gradient */
    rowset rows;         /* PARAM_SPARSE with gradients: the rows touched */
};

typedef struct param_list {
    param_spec *spec;    /* [n] in model-file order */
    int n, cap;
    param *trained;      /* [ntrained] the PARAM_TRAIN tensors in list order, for the optimizer */
    int ntrained;
} param_list;

/* Append a tensor of rows x cols values (cols = 0: a vector of rows
 * values) whose weights live at *w and gradient at *g (g unused unless
 * PARAM_TRAIN). */
void params_add(param_list *pl, const char *name, int64_t rows, int64_t cols, param_init_fn *init, int flags,
                float **w, float **g);
void params_alloc(param_list *pl);                        /* zeroed weights */
void params_share(param_list *pl, const param_list *src); /* src's weights (the same list) */
void params_free_weights(param_list *pl);
/* Gradients of the PARAM_TRAIN tensors (and Adam moments when moments),
 * and pl->trained. */
void params_alloc_grads(param_list *pl, int moments);
void params_free_grads(param_list *pl);
void params_free(param_list *pl);                         /* gradients and the list, not the weights */
void params_zero_grads(param_list *pl);
void params_add_grads(param_list *dst, const param_list *src);   /* same lists */
/* The gradients as bytes, to be sent to another process: every trained
 * tensor in list order, a dense one's values, a sparse one's row count,
 * rows (in row-set order) and their values.  params_grads_bytes is the
 * size; params_grads_unpack reads them into zeroed gradients (the same row
 * sets, in the same order): 0, or -1 when len does not fit the list. */
size_t params_grads_bytes(const param_list *pl);
void params_grads_pack(const param_list *pl, unsigned char *buf);
int params_grads_unpack(param_list *pl, const unsigned char *buf, size_t len);
/* Copy into dst's weights every tensor of src with the same name and shape
 * (a pretrained encoder into a new network); returns how many. */
int params_copy_matching(param_list *dst, const param_list *src);
/* Record the rows of ids [n] in a sparse tensor's row set. */
void rowset_add(rowset *s, const int32_t *ids, size_t n);
/* Values in the list: all of them, or only the trained ones. */
size_t params_count(const param_list *pl, int trained_only);

#endif
