/* lstm.h - one LSTM layer over a whole padded batch, forward and backward.
 *
 * Keras semantics: gates in the order i, f, c(g), o; sigmoid recurrent
 * activation, tanh activation; z = x W + h U + b;
 *   c_t = f*c_{t-1} + i*g,  h_t = o*tanh(c_t).
 * Tensors are time-major: X [T,B,C], H [T,B,H], so one time step is a
 * contiguous [B,*] block and the input projection of all steps is a single
 * GEMM [T*B,C] x [C,4H].
 * With a mask (T*B bytes, 0 = padding) a masked step carries h and c through
 * unchanged, as Keras does with mask_zero.
 */
#ifndef SEQSENT_LSTM_H
#define SEQSENT_LSTM_H

typedef struct lstm_params {
    int C, H;          /* input channels, hidden units */
    float *W;          /* [C,4H] input kernel */
    float *U;          /* [H,4H] recurrent kernel */
    float *b;          /* [4H]   bias */
} lstm_params;

/* What forward saves for backward, sized for at most maxT x maxB. */
typedef struct lstm_cache {
    int maxT, maxB, H;
    float *gates;      /* [T,B,4H] activated gates i f g o */
    float *c;          /* [T,B,H] cell states */
    float *tc;         /* [T,B,H] tanh(c) */
    float *h;          /* [T,B,H] outputs */
    float *dz;         /* [T,B,4H] backward scratch: gradient wrt pre-activations */
    float *dh, *dc;    /* [B,H] backward carries */
} lstm_cache;

void lstm_cache_alloc(lstm_cache *c, int maxT, int maxB, int H);
void lstm_cache_free(lstm_cache *c);

/* X [T,B,C] -> cache->h [T,B,H].  mask may be NULL (every step computed). */
void lstm_forward(const lstm_params *p, int T, int B, const float *X,
                  const unsigned char *mask, lstm_cache *cache);

/* dH [T,B,H]: gradient of the loss wrt every output h_t (zero rows where an
 * output is unused).  Accumulates (+=) into g->W, g->U, g->b; writes
 * dX [T,B,C] when dX is not NULL (overwritten, not accumulated). */
void lstm_backward(const lstm_params *p, lstm_params *g, int T, int B, const float *X,
                   const unsigned char *mask, lstm_cache *cache, const float *dH, float *dX);

#endif
