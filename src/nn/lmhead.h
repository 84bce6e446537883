/* lmhead.h - the language model's output layer: next-token prediction with
 * a sampled softmax (Jean et al. 2015; TensorFlow's sampled_softmax_loss).
 *
 *   N positions, features X [N,H], targets t [N] (ids 0..V-1)
 *   output embedding W [V,H], bias b [V]
 *   candidates C [S]: distinct ids drawn for the whole batch from a proposal
 *       q (unigram^0.75), logq [V] = log of each id's chance to be among
 *       them, log(1 - (1 - q_c)^draws)
 *   logits of position i: its target and every candidate but the target,
 *       z_t = x_i.w_t + b_t - logq_t,  z_c = x_i.w_c + b_c - logq_c
 *   loss_i = -log softmax(z)_t
 *
 * Subtracting logq makes the sampled softmax an unbiased-in-the-limit
 * estimate of the full softmax's gradient; excluding a candidate equal to
 * the target ("accidental hit") keeps the target from competing with
 * itself.  Cost per position: (S+1) H multiply-adds forward and 2 (S+1) H
 * backward, against V H for the full softmax: with V = 50,000 and S = 1024,
 * 1/49 of it.
 *
 * Perplexity on held-out text uses the full softmax (lmhead_nll).
 */
#ifndef SEQSENT_LMHEAD_H
#define SEQSENT_LMHEAD_H

#include <stddef.h>
#include <stdint.h>
#include "nn/params.h"

/* The candidate set of a batch (drawn by the trainer: the same for every
 * shard, so the thread count changes nothing). */
typedef struct lm_cands {
    int S;                 /* candidates */
    const int32_t *id;     /* [S] distinct, ascending */
    const float *logq;     /* [V] log inclusion probability of every id */
} lm_cands;

/* Scratch of one lmhead call for up to N positions and S candidates. */
typedef struct lmhead_ws {
    float *Wc;             /* [S,H] the candidates' rows of W */
    float *bc;             /* [S] their bias - logq */
    float *Z;              /* [N,S] logits, then their gradient */
} lmhead_ws;

/* Loss of the N positions (sum of -log p(target)) and, when dX is not NULL,
 * the gradients of (that sum * scale): dX [N,H] (written), dW, db
 * (accumulated, their rows recorded in rows_W / rows_b; dW may be NULL for
 * a frozen output embedding). */
double lmhead_forward_backward(int N, int H, const float *X, const int32_t *tgt, const float *W, const float *b,
                               const lm_cands *c, float scale, lmhead_ws *ws, float *dX, float *dW, float *db,
                               rowset *rows_W, rowset *rows_b);

/* Full-softmax loss: the sum over N positions of -log p(target) over all V
 * ids.  Z: scratch of [min(N, LMHEAD_CHUNK), V] floats. */
enum { LMHEAD_CHUNK = 64 };
double lmhead_nll(int N, int H, int V, const float *X, const int32_t *tgt, const float *W, const float *b, float *Z);

#endif
