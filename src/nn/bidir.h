/* bidir.h - the two directions of a bidirectional recurrent layer (Keras
 * Bidirectional, merge_mode "concat").  The backward direction is an
 * ordinary cell run over its input reversed in time, so its outputs come
 * out reversed too:
 *
 *   input:  X [T,B,C] -> Xrev [T,B,C],  Xrev[t] = X[T-1-t]
 *           backward: dX[t] = dXf[t] + dXb[T-1-t]  (both directions read X)
 *   output: hf, hb [T,B,H] -> Y [T,B,2H],  Y[t] = [hf[t], hb[T-1-t]]
 *           backward: dhf[t] = dY[t][0:H],  dhb[t] = dY[T-1-t][H:2H]
 */
#ifndef SEQSENT_BIDIR_H
#define SEQSENT_BIDIR_H

#include <stddef.h>

/* T steps of `step` bytes each, in reverse order (also for masks). */
void time_reverse(const void *x, int T, size_t step, void *out);

void bidir_input_forward(int T, int B, int C, const float *X, float *Xrev);
void bidir_input_backward(int T, int B, int C, const float *dXf, const float *dXb, float *dX);
void bidir_output_forward(int T, int B, int H, const float *hf, const float *hb, float *Y);
void bidir_output_backward(int T, int B, int H, const float *dY, float *dhf, float *dhb);

#endif
