/* pool.h - the sequence summary the classifier head sees.
 *
 * The top recurrent layer's outputs X [T,B,F] (F = D*H: D directions of H
 * units, concatenated) -> feat [B,F]:
 *   last: each direction's final state: the forward direction's output at
 *         t = T-1, the backward direction's (it reads time reversed, so its
 *         outputs are stored reversed, see bidir.h) at t = 0
 *   max:  the maximum over the real steps (every step without a mask)
 *   mean: the mean over the real steps
 *   attention: a learnt weighted mean over the real steps (its own module,
 *         nn/attention.h, with weights: not run by pool_forward)
 * Backward writes dX [T,B,F]: dfeat spread over the steps it came from, 0
 * elsewhere.
 */
#ifndef SEQSENT_POOL_H
#define SEQSENT_POOL_H

#include <stdint.h>
#include "nn/wsbuf.h"

enum { POOL_LAST = 0, POOL_MAX, POOL_MEAN, POOL_ATTN };
const char *pool_name(int pool);
int pool_parse(const char *s);     /* -1 if unknown */

/* What forward leaves for backward. */
typedef struct pool_state {
    int32_t *argmax;   /* [B,F] max: the step of each maximum (-1: the row has no real step) */
    int32_t *count;    /* [B] mean: the number of real steps of each row */
} pool_state;

/* Whether step t of row b is a real token (time-major mask [T,B]; no mask:
 * every step is). */
static inline int pool_is_real(const unsigned char *mask, int B, int t, int b) { return !mask || mask[(size_t)t * B + b]; }

void pool_state_alloc(pool_state *s, int pool, int maxB, int F, wsbuf *a);
void pool_state_free(pool_state *s);

void pool_forward(int pool, int B, int T, int D, int H, const float *X, const unsigned char *mask,
                  float *feat, pool_state *s);
void pool_backward(int pool, int B, int T, int D, int H, const float *dfeat, const unsigned char *mask,
                   const pool_state *s, float *dX);

#endif
