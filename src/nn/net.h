/* net.h - the classifier network, composed of the layer modules:
 *
 *   ids [B,T] -> embedding X0 [T,B,E] (embedding.h)
 *   -> L recurrent layers, each (dropout, dropout.h) -> cells [T,B,F] (cell.h, bidir.h)
 *   -> sequence summary [B,F] (pool.h; attention.h), beside it (bag_dim > 0) a bag of
 *      the row's words and word bigrams [B,G] (bag.h): feat [B,F+G]
 *   -> (dropout)
 *   -> (dense + ReLU [B,Dh]) -> dense -> logits [B,K] (dense.h) -> loss (loss.h)
 *
 * F = H*D: the recurrent layers are LSTM, GRU or SimpleRNN cells of H units,
 * one direction or two (D = 2: forward and backward outputs concatenated, as
 * Keras Bidirectional).  K = 1: sigmoid + binary cross-entropy; K >= 3:
 * softmax + categorical; multilabel: K sigmoids, each a binary
 * cross-entropy (loss.h ova_loss).  Weights live in `net` (their list: params.h);
 * activations for one batch live in `net_ws`, so the same weights can serve
 * several workspaces (worker threads).
 */
#ifndef SEQSENT_NET_H
#define SEQSENT_NET_H

#include <stddef.h>
#include <stdint.h>
#include "nn/cell.h"
#include "nn/lmhead.h"
#include "nn/optim.h"
#include "nn/params.h"
#include "nn/pool.h"
#include "base/tensor.h"

typedef struct net_config {
    int vocab_size;     /* V, ids 0..V-1 */
    int embed_dim;      /* E */
    int hidden;         /* H units per direction */
    int layers;         /* L >= 1 */
    int n_out;          /* K: 1 (sigmoid) or number of classes (softmax), or of labels (multilabel) */
    int multilabel;     /* one sigmoid per label, binary cross-entropy each (one-vs-all); the
                           targets are the workspace's soft rows [B,K] of 0/1 */
    int freeze;         /* embedding not trained */
    int mask;           /* skip padding steps (state carried through) */
    cell_type cell;     /* lstm, gru, rnn */
    int bidir;          /* two directions, outputs concatenated */
    float dropout;      /* on each recurrent layer's input and before the dense layer(s) */
    int dense;          /* units of a hidden ReLU dense layer, 0 = none */
    int pool;           /* sequence summary: POOL_LAST (final states), POOL_MAX, POOL_MEAN over time,
                           POOL_ATTN (attention.h) */
    int attn;           /* POOL_ATTN: its A units, 0 = F (net_attention_units) */
    int bag_dim;        /* G: a bag of n-grams (bag.h) of G features beside the summary, 0 = none */
    int bag_buckets;    /* NB: the bag's hashed bigram rows */
    /* A language model (lm.h) instead of a classifier: no summary or dense
     * layers, an output embedding per direction predicting the next token
     * (the previous one backwards) with a sampled softmax of lm_samples
     * candidates per batch; lm_tie: the output embedding is the input one
     * (needs hidden = embed_dim). */
    int lm, lm_tie, lm_samples;
} net_config;

typedef struct net {
    net_config cfg;
    float *emb;              /* [V,E] */
    cell_params *rnn;        /* [L*D]: layer l, direction d at l*D + d */
    float *attW, *attb, *attv;   /* attention pooling [F,A], [A], [A,1] (cfg.pool == POOL_ATTN) */
    float *bag;              /* the bag's rows [V+NB,G] (cfg.bag_dim > 0) */
    struct nb_head *nb;      /* a naive Bayes head whose probabilities a prediction mixes in
                              * (nbhead.h; fitted after training, NULL without): the inference
                              * workers mix it (train/workers.c), not net_forward */
    float *W1, *b1;          /* hidden dense [S,Dh], [Dh] (cfg.dense > 0); S = H*D + G, the summary */
    float *Wd, *bd;          /* output dense [F,K], [K]; F = Dh or S */
    float *lm_W[2], *lm_b[2];   /* language model: output embedding [V,H] (NULL when tied to emb), bias [V,1] per direction */
    int lm_spec_W[2], lm_spec_b[2];   /* their entries in plist (the embedding's when tied) */
    /* gradients (allocated by net_alloc_grads; d_emb stays NULL when frozen) */
    float *d_emb;
    cell_params *d_rnn;
    float *d_attW, *d_attb, *d_attv, *d_bag, *dW1, *db1, *dWd, *dbd;
    int bag_spec;            /* the bag's entry in plist (its rows touched) */
    float *d_lm_W[2], *d_lm_b[2];
    /* every tensor above, with its name, shape and flags (params.h) */
    param_list plist;
    param *params;           /* the trained tensors, for the optimizer (plist.trained) */
    int nparams;
    int borrowed;            /* weights point into a model file's mmap or another net */
    /* A quantized model (seqsent quantize; base/quant.h), for inference
     * only (the shortcuts of infer.h): prec is PREC_INT8 or PREC_BF16, the
     * matrices are packed in qw[i] for plist entry i (NULL: kept in f32),
     * their float pointers NULL; the cells see them as cell_params Wq/Uq,
     * the hidden dense layer as W1q.  The embedding stays in the file's
     * map: emb_lp [V,E] int8 with per-row scales emb_scale [V], or bf16;
     * int8 may keep only the first emb_rows8 rows (the frequent words) in
     * int8 and the rest in 4 bits, emb_q4 [V - emb_rows8, (E+1)/2]. */
    int prec;                /* precision (base/quant.h); PREC_F32 = 0 */
    struct qmat **qw;        /* [plist.n] or NULL */
    const struct qmat *W1q;
    const void *emb_lp;
    const float *emb_scale;
    int emb_rows8;           /* int8: rows in emb_lp (V when every row is int8) */
    const uint8_t *emb_q4;   /* int8: the 4-bit rows emb_rows8..V-1, or NULL */
    const void *bag_lp;      /* the bag's rows [V+NB,G]: int8 with per-row scales bag_scale, or bf16 */
    const float *bag_scale;
    /* A check of the bytes an embedding row is read from, before the row's
     * first use (net_embedding_check), when the model file is checked
     * block by block (model_load MODEL_LAZY): 0, or -1 with err_set.  NULL:
     * the weights were checked when loaded. */
    int (*emb_check)(void *ctx, const void *p, size_t n);
    void *emb_check_ctx;
} net;

/* One recurrent layer's part of a workspace. */
typedef struct layer_ws {
    const float *x;          /* [T,B,C] the input its cells read (set by forward) */
    float *xin, *dmask;      /* [T,B,C] the input after dropout, the multipliers (dropout > 0) */
    float *xrev;             /* [T,B,C] the input reversed in time (D = 2) */
    float *out;              /* [T,B,2H] both directions' outputs in forward time (D = 2) */
    cell_cache cache[2];     /* per direction */
} layer_ws;

typedef struct net_ws {
    int maxT, maxB, layers;
    float *x0;               /* [T,B,E] embedded input */
    unsigned char *mask, *mask_rev;    /* [T,B] time-major, 1 = real token; the same reversed in time */
    layer_ws *layer;         /* [L] */
    float *feat, *dfeat;     /* [B,S] summary and bag (after dropout), its gradient */
    float *pooled, *dpooled; /* [B,F] the summary alone, its gradient (bag_dim > 0; else feat, dfeat) */
    int32_t *bag_grams, *bag_count;   /* [B,2T] each row's n-gram rows, [B] how many (bag.h) */
    float *bag_row;          /* [G] a quantized bag's row as floats */
    pool_state pool;
    float *att_u, *att_dz;   /* [T,B,A] attention pooling's tanh units, their gradient (attention.h) */
    float *att_a;            /* [B,T] its weights over the steps */
    double *att_g;           /* [T] backward's scratch */
    float *fmask;            /* [B,F] dropout multipliers of the summary */
    float *a1, *da1;         /* [B,Dh] hidden dense activations (after ReLU), gradient */
    float *logits, *probs, *dlogits;   /* [B,K] */
    /* backward: gradients wrt the layers' outputs and inputs, alternating
     * (the top layer's output gradient in dbuf[0]); with D = 2 each
     * direction's output and input gradients */
    float *dbuf[2];          /* [T,B,max(E,F)] */
    float *dh[2], *dx[2];    /* [T,B,H] and [T,B,max(E,F)] (D = 2) */
    /* set by the trainer: dropout is applied only when training is set */
    int training;
    uint64_t drop_seed;      /* per batch */
    int row0;                /* index of this workspace's first row in the batch */
    const float *class_w;    /* per-class loss weights, or NULL */
    const float *soft;       /* [B,K] distillation targets of these rows (loss.h soft_loss), or NULL */
    double temperature;      /* ... at this temperature */
    double adv;              /* > 0 (training): adversarial training at this size (net_forward_backward) */
    int x0_given;            /* x0 holds the embedded input already (the adversarial pass) */
    /* language model (lm.h): one direction's positions at a time */
    float *lm_x, *lm_dx;     /* [T*B,H] the features of the positions with a target, their gradient */
    int32_t *lm_tgt, *lm_at; /* [T*B] their targets, and where they are in the top layer's output */
    lmhead_ws lm;            /* candidates' scratch */
    /* set by the inference pool: the shortcuts of infer.h (not when training) */
    const struct net_infer *infer;
    int skip;                /* with infer: leading padding steps cut off the ids (the pad prefix) */
    float *init;             /* [L][2][maxB,H] the initial states when skip > 0 (allocated on use) */
    float *mmwork;           /* mm_rows's scratch (allocated on use) */
} net_ws;

/* Allocate weights (zero) for cfg. */
net *net_new(const net_config *cfg);
/* A net with its parameter list but no weights (NULL pointers): the model
 * file loader sets each *plist.spec[i].w (and borrowed). */
net *net_shell(const net_config *cfg);
/* Keras initialisation: uniform(-0.05,0.05) embedding (row 0 = zeros) unless
 * init_emb is given; Glorot-uniform kernels, orthogonal recurrent kernels,
 * zero biases (LSTM forget gate 1); dense Glorot-uniform, bias 0. */
void net_init(net *n, rng *r, const float *init_emb);
void net_free(net *n);
/* The embedding row of id as floats (dequantized for a quantized network). */
void net_embedding_row(const net *n, int32_t id, float *out);
/* Check the bytes of the embedding rows ids [count] (n->emb_check) before
 * their first use: 0, or -1 with err_set.  Ids outside the vocabulary are
 * left to the caller. */
int net_embedding_check(const net *n, const int32_t *ids, size_t count);
/* The same for the bag's rows the padded rows ids [count] (rows back to
 * back) read: their words' and adjacent pairs' (a pair across two rows is
 * checked too, needlessly).  The bag, like the embedding, is checked as it
 * is used (model.c lazy_tensor). */
int net_bag_check(const net *n, const int32_t *ids, size_t count);
void net_alloc_grads(net *n);       /* also builds n->params (with Adam moments) */
void net_zero_grads(net *n);
/* A worker's view of n for data-parallel training: the same weights, its
 * own gradients (no moments).  Free with net_free. */
net *net_shadow(const net *n);
/* dst's gradients += src's (the embedding: only the rows src touched). */
void net_add_grads(net *dst, const net *src);
int net_directions(const net_config *c);
int net_features(const net_config *c);   /* H*D: width of the final state */
int net_summary_width(const net_config *c);   /* S = H*D + G: what the head reads */
int net_attention_units(const net_config *c);   /* A with attention pooling (attn, or F), else 0 */
int net_layer_in(const net_config *c, int l);   /* recurrent layer l's input width: E, then H*D */
/* How far below the output a tensor is, by its name: 0 the dense layers
 * (or a language model's output layer), 1 the top recurrent layer, ..., L
 * the first, L + 1 the embedding (fine-tuning's learning rates per layer). */
int net_param_depth(const net_config *c, const char *name);

void net_ws_alloc(net_ws *w, const net_config *cfg, int maxT, int maxB);
void net_ws_free(net_ws *w);

/* Forward a batch of B padded sequences ids [B,T] (inference: no dropout);
 * probabilities land in w->probs [B,K].  With w->infer, through the
 * shortcuts of infer.h (the ids prepared, w->skip steps of padding cut off);
 * a quantized network (n->prec) runs only that way. */
void net_forward(const net *n, net_ws *w, int B, int T, const int32_t *ids);
/* Forward + loss + backward (dropout on when w->training).  With w->adv
 * (training), a second pass from the embedded input moved adversarially
 * (net.c adversarial_pass): the gradient of the two losses' sum, the clean
 * pass's loss and probabilities.  y [B] class
 * indices.  Accumulates into n's gradients (call net_zero_grads first) the
 * gradient of (the sum of the B rows' losses) / batch: a shard of B rows of
 * a batch of `batch` rows passes the whole batch's size, so every row's
 * gradient is the same whatever shard it is in.  Returns the sum of the B
 * rows' losses (class-weighted when w->class_w is set).  A multi-label
 * network reads its targets from w->soft [B,K] (y unused) and w->class_w
 * as the weights of each label's positive term. */
double net_forward_backward(net *n, net_ws *w, int B, int T, const int32_t *ids, const int32_t *y,
                            int batch);
/* The encoder shared by the classifier and the language model: embedding
 * and recurrent layers, ids [B,T] -> the top layer's outputs [T,B,F]
 * (returned; in w) ... */
const float *net_encode_forward(const net *n, net_ws *w, int B, int T, const int32_t *ids);
/* ... and back: dY [T,B,F] (in w->dbuf[0]) -> the weight gradients of the
 * recurrent layers and the embedding (unless frozen). */
void net_encode_backward(net *n, net_ws *w, int B, int T, const int32_t *ids);
/* Mean loss of the probabilities in w->probs (after net_forward).  A
 * multi-label network: its probabilities only, 0 returned (its targets are
 * label sets: net_forward_backward with w->soft). */
double net_loss(const net *n, net_ws *w, int B, const int32_t *y);
/* (The class of a row of probabilities: decide_class in train/metrics.h,
 * the one rule for training, eval and predict.) */

/* Bytes that training cfg on batches of `batch` rows of at most maxT steps
 * with `threads` workers allocates, as train_run does it: the weights; per
 * trained value a gradient and two Adam moments; each further worker's own
 * gradients; the rows-touched bookkeeping of sparse gradients; and the
 * workspaces (activations, caches and backward buffers) of the workers,
 * each holding its share of a batch.  threads is clamped as train_run
 * clamps it (1..64, at most batch).  Not counted: --ema's moving averages
 * (one more copy of the trained values), the data and the vocabulary.
 * Computed from the parameter list and the cell table by the code that
 * allocates, so it follows any new cell or layer. */
size_t net_train_bytes(const net_config *cfg, int maxT, int batch, int threads);

#endif
