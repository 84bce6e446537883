/* infer.h - inference shortcuts for a trained network (eval and predict;
 * never training, whose dropout and gradients need the full path).
 *
 * 1. The first recurrent layer's input projection x_t W + b depends only on
 *    the token id (the embedding is fixed at inference), so it becomes a
 *    lookup: P_d[id] = emb[id] W_d + b_d, one table per direction d.  Rows
 *    are computed lazily, for the ids a batch needs that are not there yet
 *    (net_infer_prepare: one product over the missing rows, or
 *    net_infer_claim then net_infer_compute on slices of them, on several
 *    threads: every row is the same bits either way), so start-up
 *    costs nothing and memory follows the vocabulary actually seen.
 *
 * 2. The pad prefix: in an unmasked, one-direction network, every row's
 *    leading padding runs from the zero state over the same input, in every
 *    layer, so the states after k padding steps are the same for all rows.
 *    They are computed once (for k = 0..T); a batch whose rows all start
 *    with s padding steps skips them and starts from those states.  Only
 *    with POOL_LAST, which reads the final step alone.
 *
 * Every product on this path is mm_rows (OpenBLAS on fixed-shape blocks:
 * row results independent of the batch), or for a quantized network
 * qmm_rows (base/quant.h: int8 or bf16, row by row), so a row's
 * probabilities are the same bits whatever batch, batch order, thread
 * count or skipped prefix it comes with; they differ from the full path
 * (BLAS, embedding then projection) in float rounding only.  A quantized
 * network's embedding rows are dequantized for the table (once per id).
 *
 * Thread safety: prepare and net_infer_pad_states write; call them before
 * the workers run (the inference pool does), which only read.
 */
#ifndef SEQSENT_INFER_H
#define SEQSENT_INFER_H

#include <stddef.h>
#include <stdint.h>
#include "nn/net.h"

typedef struct net_infer {
    const net *n;
    int D, GH;
    int32_t *slot;        /* [V] id -> row of the tables, -1 = not computed yet */
    float *tab[2];        /* [cap, GH] per direction, rows in the order computed */
    int rows, cap;        /* rows computed or claimed; cap: 0 before the first, then V */
    int32_t *miss;        /* [nmiss] the ids of the last claim, rows rows-nmiss.. */
    int nmiss;
    size_t mcap;
    int skip_prefix;      /* the network allows skipping the pad prefix (2.) */
    int padT;             /* pad states computed for padT steps (0 = not yet) */
    float *pad_h, *pad_c; /* [L][padT+1][H] the state after k padding steps (pad_c: LSTM) */
} net_infer;

net_infer *net_infer_new(const net *n);
void net_infer_free(net_infer *f);
/* Compute the table rows of ids [count] that are missing: 0, or -1 with
 * err_set when an embedding row fails its check (net_embedding_check). */
int net_infer_prepare(net_infer *f, const int32_t *ids, size_t count);
/* The same in two steps: claim the rows of the missing ids (returns how
 * many, m, or -1 as net_infer_prepare; one thread), then compute rows
 * [lo, hi) of the m (any split of [0, m) over threads; none may read the
 * tables meanwhile). */
int net_infer_claim(net_infer *f, const int32_t *ids, size_t count);
void net_infer_compute(const net_infer *f, int lo, int hi);
/* Compute the pad states for up to T steps (once; when skip_prefix): 0, or
 * -1 as net_infer_prepare. */
int net_infer_pad_states(net_infer *f, int T);

/* Layer 0's input projection of direction d for steps t0..t0+n-1 of ids
 * [B,T] into Z [n,B,GH] (d = 1: reversed in time, as bidir.h feeds the
 * backward cell).  Every id must have been prepared. */
void net_infer_gather(const net_infer *f, int d, int B, int T, int t0, int n, const int32_t *ids, float *Z);

#endif
