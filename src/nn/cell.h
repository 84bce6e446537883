/* cell.h - recurrent cells (LSTM, GRU, SimpleRNN) behind one table.
 *
 * Every cell runs over a whole padded batch, time-major: X [T,B,C] in,
 * h [T,B,H] out.  Kernels as in Keras: W [C,G*H], U [H,G*H], with G gates:
 *   LSTM  G = 4 (i, f, c, o), bias [4H], forget-gate bias 1 at init
 *   GRU   G = 3 (z, r, h), reset_after: bias [2,3H] (input row, recurrent row)
 *   RNN   G = 1, tanh, bias [H]
 * With a mask (T*B bytes, 0 = padding) a masked step carries the state
 * through unchanged.  Backward accumulates (+=) weight gradients and writes
 * dX (when not NULL).
 *
 * A new cell: its file (forward, backward and, if not zeros, its bias
 * initialiser), a cell_type value and one row of the table in cell.c.
 */
#ifndef SEQSENT_CELL_H
#define SEQSENT_CELL_H

#include <stddef.h>
#include "nn/params.h"
#include "nn/wsbuf.h"

typedef enum { CELL_LSTM = 0, CELL_GRU, CELL_RNN, CELL_COUNT } cell_type;

typedef struct cell_params {
    int C, H;          /* input channels, hidden units */
    float *W;          /* [C,G*H] input kernel */
    float *U;          /* [H,G*H] recurrent kernel */
    float *b;          /* bias, cell_bias_len() values */
    /* a quantized model (base/quant.h, inference only): W and U in low
     * precision, their float pointers NULL */
    const struct qmat *Wq, *Uq;
} cell_params;

/* What forward saves for backward, sized for at most maxT x maxB. */
typedef struct cell_cache {
    int maxT, maxB, H;
    float *gates;      /* [T,B,G*H] activated gates */
    float *h;          /* [T,B,H] outputs */
    float *dz;         /* [T,B,G*H] backward: gradient wrt input pre-activations */
    float *dh;         /* [B,H] backward: gradient carried to the previous step's h */
    /* CACHE_CELL_STATE (LSTM) */
    float *c;          /* [T,B,H] cell states */
    float *tc;         /* [T,B,H] tanh(c) */
    float *dc;         /* [B,H] backward: gradient carried to the previous step's c */
    /* CACHE_RECURRENT (GRU: gates see the recurrent projection on its own) */
    float *rec_cand;   /* [T,B,H] recurrent part of the candidate, h Un + rn (before the reset gate) */
    float *dzr;        /* [T,B,G*H] backward: gradient wrt recurrent pre-activations */
    float *hz;         /* [B,G*H] recurrent projection of one step */
    /* Inference only, set by the caller (not allocated here; NULL/0 in training): */
    const float *h0, *c0;   /* [B,H] the state before step 0 (c0: LSTM), NULL = zeros */
    float *work;            /* non-NULL: products by mm_rows (batch-invariant rows), its scratch */
} cell_cache;

enum {
    CACHE_CELL_STATE = 1,   /* c, tc, dc */
    CACHE_RECURRENT = 2,    /* rec_cand, dzr, hz */
};

/* Forward: X NULL means the caller has put the input projection
 * X W + b (cell_project_input's result, e.g. gathered from a per-token
 * table) into cache->gates [T,B,G*H] already. */
typedef void cell_forward_fn(const cell_params *p, int T, int B, const float *X, const unsigned char *mask,
                             cell_cache *k);
typedef void cell_backward_fn(const cell_params *p, cell_params *g, int T, int B, const float *X,
                              const unsigned char *mask, cell_cache *k, const float *dH, float *dX);

/* One row per cell type, in cell_type order. */
typedef struct cell_kind {
    const char *name;           /* option value, model file "cell", tensor name prefix */
    int gates;                  /* G */
    int bias_units;             /* bias length in units of H */
    unsigned cache;             /* CACHE_* buffers beyond the common ones */
    param_init_fn *init_bias;
    cell_forward_fn *forward;
    cell_backward_fn *backward;
} cell_kind;

/* t's row (t must be a valid cell_type). */
const cell_kind *cell_kind_of(cell_type t);
int cell_gates(cell_type t);
int cell_bias_len(cell_type t, int H);
const char *cell_name(cell_type t);
int cell_parse(const char *s);     /* -1 if unknown */

/* Buffers from a (allocating or counting, see wsbuf.h). */
void cell_cache_alloc(cell_cache *c, cell_type t, int maxT, int maxB, int H, wsbuf *a);
void cell_cache_free(cell_cache *c);

void cell_forward(cell_type t, const cell_params *p, int T, int B, const float *X,
                  const unsigned char *mask, cell_cache *cache);
void cell_backward(cell_type t, const cell_params *p, cell_params *g, int T, int B, const float *X,
                   const unsigned char *mask, cell_cache *cache, const float *dH, float *dX);

/* Shared by the cells (GH = G*H): the input projection of all T*B steps
 * at once, Z [TB,GH] = X [TB,C] W [C,GH] + the bias's first GH values
 * (work non-NULL: by mm_rows, with that scratch, see cell_cache) ... */
void cell_project_input(const cell_params *p, size_t TB, int GH, const float *X, float *Z, float *work);
/* ... the recurrent product of one step, C [B,GH] += hprev [B,H] U [H,GH]:
 * mm(), or with k->work mm_rows, whose rows do not depend on B or on
 * their batch-mates (so a row's result does not depend on its batch), or
 * qmm_rows for a quantized U (equally row by row) ... */
void cell_recurrent_mm(const cell_cache *k, const cell_params *p, int B, int GH, const float *hprev, float *C);
/* ... and the weight gradients as single large GEMMs over all steps:
 * dW += X^T dZ, dU += sum_t h_{t-1}^T dZrec_t (h_{-1} = 0), the bias rows
 * += sum dZ (then sum dZrec, when the cell has a recurrent bias row), and
 * dX = dZ W^T when dX is not NULL.  dZrec: the gradient wrt the recurrent
 * pre-activations, dZ itself unless the cell keeps them apart (GRU). */
void cell_param_grads(const cell_params *p, cell_params *g, int T, int B, int GH, const float *X,
                      const float *h, const float *dZ, const float *dZrec, int rec_bias, float *dX);

/* The per-cell implementations (lstm.c, gru.c, rnn.c). */
cell_forward_fn lstm_forward, gru_forward, rnn_forward;
cell_backward_fn lstm_backward, gru_backward, rnn_backward;
param_init_fn lstm_init_bias;

#endif
