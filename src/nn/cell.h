/* cell.h - recurrent cells (LSTM, GRU, SimpleRNN) behind one interface.
 *
 * Every cell runs over a whole padded batch, time-major: X [T,B,C] in,
 * h [T,B,H] out.  Kernels as in Keras: W [C,G*H], U [H,G*H], with G gates:
 *   LSTM  G = 4 (i, f, c, o), bias [4H], forget-gate bias 1 at init
 *   GRU   G = 3 (z, r, h), reset_after: bias [2,3H] (input row, recurrent row)
 *   RNN   G = 1, tanh, bias [H]
 * With a mask (T*B bytes, 0 = padding) a masked step carries the state
 * through unchanged.  Backward accumulates (+=) weight gradients and writes
 * dX (when not NULL).
 */
#ifndef SEQSENT_CELL_H
#define SEQSENT_CELL_H

typedef enum { CELL_LSTM = 0, CELL_GRU, CELL_RNN } cell_type;

typedef struct cell_params {
    int C, H;          /* input channels, hidden units */
    float *W;          /* [C,G*H] input kernel */
    float *U;          /* [H,G*H] recurrent kernel */
    float *b;          /* bias, cell_bias_len() values */
} cell_params;

/* What forward saves for backward, sized for at most maxT x maxB. */
typedef struct cell_cache {
    cell_type type;
    int maxT, maxB, H;
    float *gates;      /* [T,B,G*H] activated gates */
    float *c;          /* LSTM: [T,B,H] cell states; GRU: recurrent candidate term h U_h + b_rh */
    float *tc;         /* LSTM: [T,B,H] tanh(c) */
    float *h;          /* [T,B,H] outputs */
    float *dz;         /* [T,B,G*H] backward: gradient wrt input pre-activations */
    float *dzr;        /* GRU: [T,B,3H] gradient wrt recurrent pre-activations */
    float *hz;         /* GRU: [B,3H] recurrent projection of one step */
    float *dh, *dc;    /* [B,H] backward carries */
} cell_cache;

int cell_gates(cell_type t);
int cell_bias_len(cell_type t, int H);
const char *cell_name(cell_type t);
int cell_parse(const char *s);     /* -1 if unknown */

void cell_cache_alloc(cell_cache *c, cell_type t, int maxT, int maxB, int H);
void cell_cache_free(cell_cache *c);

void cell_forward(cell_type t, const cell_params *p, int T, int B, const float *X,
                  const unsigned char *mask, cell_cache *cache);
void cell_backward(cell_type t, const cell_params *p, cell_params *g, int T, int B, const float *X,
                   const unsigned char *mask, cell_cache *cache, const float *dH, float *dX);

/* The per-cell implementations (lstm.c, gru.c, rnn.c). */
void lstm_forward(const cell_params *p, int T, int B, const float *X, const unsigned char *mask, cell_cache *k);
void lstm_backward(const cell_params *p, cell_params *g, int T, int B, const float *X,
                   const unsigned char *mask, cell_cache *k, const float *dH, float *dX);
void gru_forward(const cell_params *p, int T, int B, const float *X, const unsigned char *mask, cell_cache *k);
void gru_backward(const cell_params *p, cell_params *g, int T, int B, const float *X,
                  const unsigned char *mask, cell_cache *k, const float *dH, float *dX);
void rnn_forward(const cell_params *p, int T, int B, const float *X, const unsigned char *mask, cell_cache *k);
void rnn_backward(const cell_params *p, cell_params *g, int T, int B, const float *X,
                  const unsigned char *mask, cell_cache *k, const float *dH, float *dX);

#endif
