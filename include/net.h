/* net.h - the classifier network: embedding -> stacked LSTMs -> dense.
 *
 *   ids [B,T] -> embedding X0 [T,B,E] -> LSTM 1 [T,B,H] -> ... -> LSTM L,
 *   last step h [B,H] -> dense -> logits [B,K]   (K = 1: sigmoid, K >= 3: softmax)
 *
 * Weights live in `net`; activations for one batch live in `net_ws`, so the
 * same weights can serve several workspaces.  Gradients live in `net`.
 */
#ifndef SEQSENT_NET_H
#define SEQSENT_NET_H

#include <stdint.h>
#include "lstm.h"
#include "optim.h"
#include "tensor.h"
#include "modelfile.h"

typedef struct net_config {
    int vocab_size;     /* V, ids 0..V-1 */
    int embed_dim;      /* E */
    int hidden;         /* H */
    int layers;         /* L >= 1 */
    int n_out;          /* K: 1 (sigmoid) or number of classes (softmax) */
    int freeze;         /* embedding not trained */
    int mask;           /* skip padding steps (state carried through) */
} net_config;

typedef struct net {
    net_config cfg;
    float *emb;              /* [V,E] */
    lstm_params *lstm;       /* [L] */
    float *Wd, *bd;          /* [H,K], [K] */
    /* gradients (allocated by net_alloc_grads) */
    float *d_emb;
    lstm_params *d_lstm;
    float *dWd, *dbd;
    param *params;           /* trainable tensors, for the optimizer */
    int nparams;
    int borrowed;            /* weights point into a model file's mmap or another net */
    /* embedding rows with a non-zero gradient, so zeroing and summing the
     * [V,E] gradient costs O(rows touched), not O(V) */
    int32_t *touched;
    size_t ntouched;
    unsigned char *is_touched;   /* [V] */
} net;

typedef struct net_ws {
    int maxT, maxB, layers;
    float *x0;               /* [T,B,E] embedded input */
    float *dbuf[2];          /* [T,B,max(E,H)] gradients between layers */
    lstm_cache *cache;       /* [L] */
    float *logits, *probs, *dlogits;   /* [B,K] */
    float *dhlast;           /* [B,H] */
    unsigned char *mask;     /* [T,B] time-major, 1 = real token */
} net_ws;

/* Allocate weights (zero) for cfg. */
net *net_new(const net_config *cfg);
/* Keras initialisation: uniform(-0.05,0.05) embedding (row 0 = zeros) unless
 * init_emb is given; Glorot-uniform kernels, orthogonal recurrent kernels,
 * bias zero with forget gate 1; dense Glorot-uniform, bias 0. */
void net_init(net *n, rng *r, const float *init_emb);
void net_free(net *n);
void net_alloc_grads(net *n);       /* also builds n->params (with Adam moments) */
void net_zero_grads(net *n);
/* A worker's view of n for data-parallel training: the same weights, its
 * own gradients (no moments).  Free with net_free. */
net *net_shadow(const net *n);
/* dst's gradients += src's (the embedding: only the rows src touched). */
void net_add_grads(net *dst, const net *src);

void net_ws_alloc(net_ws *w, const net_config *cfg, int maxT, int maxB);
void net_ws_free(net_ws *w);

/* Forward a batch of B padded sequences ids [B,T]; fills w->logits and
 * w->probs.  Returns nothing: probabilities are in w->probs [B,K]. */
void net_forward(const net *n, net_ws *w, int B, int T, const int32_t *ids);
/* Forward + loss + backward.  y [B] class indices.  Accumulates gradients
 * into n (call net_zero_grads first) of grad_scale x the mean loss over the
 * B rows (a worker holding B of a batch of Btotal rows passes B/Btotal).
 * Returns the mean loss over the B rows. */
double net_forward_backward(net *n, net_ws *w, int B, int T, const int32_t *ids, const int32_t *y,
                            double grad_scale);
/* Mean loss of the probabilities in w->probs (after net_forward). */
double net_loss(const net *n, net_ws *w, int B, const int32_t *y);
/* Predicted class of row b (after net_forward). */
int net_argmax(const net *n, const net_ws *w, int b);

/* Store in / restore from a model file ("network" metadata + tensors).
 * net_from_mfile borrows the mmap'ed tensors when copy = 0. */
void net_to_mfile(const net *n, mfile *m);
net *net_from_mfile(const mfile *m, int copy);

#endif
