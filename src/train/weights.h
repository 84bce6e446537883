/* weights.h - copies of a network's trainable weights.
 *
 * For every trainable tensor n->params[i] (n values: w, and ema when the run
 * keeps a moving average):
 *   snapshot  float *[nparams], each [n]: a copy of w (the best epoch of
 *             early stopping, or the raw weights while the average is in place);
 *   ema       momentum * ema + (1 - momentum) * w after every update (--ema):
 *             validation, early stopping and the saved model use it
 *             (Keras use_ema).
 */
#ifndef SEQSENT_WEIGHTS_H
#define SEQSENT_WEIGHTS_H

#include "nn/net.h"

/* Copy every trainable tensor's weights into snap (allocated when NULL). */
float **weights_snapshot(const net *n, float **snap);
/* Put the weights of a snapshot back. */
void weights_restore(net *n, float **snap);
void weights_snapshot_free(const net *n, float **snap);

/* Start the average at the current weights where a parameter has none yet
 * (a resumed run brings its own from the checkpoint). */
void ema_start(net *n);
/* The momentum of the update after step `step` (1-based) of a run with
 * --ema M: min(M, (1 + step) / (10 + step)), TensorFlow's
 * ExponentialMovingAverage num_updates warm-up.  Without it the initial
 * weights keep a share of M^steps: on a small data set (a few steps an
 * epoch) the average stays near them for tens of epochs. */
double ema_momentum(double momentum, long step);
/* ema = momentum * ema + (1 - momentum) * w, for every weight. */
void ema_update(net *n, double momentum);
/* Put the averaged weights in place (after saving the current ones to *keep
 * when keep is not NULL). */
void ema_swap_in(net *n, float ***keep);

#endif
