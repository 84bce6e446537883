/* loss.h - output activations and their cross-entropy losses.
 *
 * Two classes: one logit per row, sigmoid, binary cross-entropy.
 * Three or more: K logits, softmax, categorical cross-entropy.
 * Multi-label: K logits, K sigmoids, the sum of K binary cross-entropies.
 * Both return the mean loss over the B rows and write dlogits = dL/dlogits
 * of that mean (already divided by B), computed stably from the logits.
 */
#ifndef SEQSENT_LOSS_H
#define SEQSENT_LOSS_H

#include <stdint.h>

/* logits [B], y [B] in {0,1}; probs [B] = sigmoid(logits). dlogits may be NULL. */
double bce_loss(int B, const float *logits, const int32_t *y, float *probs, float *dlogits);
/* logits [B,K], y [B] in [0,K); probs [B,K] = softmax. dlogits may be NULL. */
double softmax_ce_loss(int B, int K, const float *logits, const int32_t *y, float *probs, float *dlogits);

/* The output layer as the network uses it, logits [B,K]: K = 1 sigmoid +
 * binary cross-entropy, else softmax + categorical.  y NULL: probabilities
 * only (returns 0; dlogits unused).  class_w (per-class weights, or NULL):
 * each row's loss and gradient times its class's weight, then the mean over
 * the B rows (dlogits must be given). */
double output_loss(int B, int K, const float *logits, const int32_t *y, const float *class_w,
                   float *probs, float *dlogits);

/* Multi-label (one-vs-all, fastText's -loss ova): K logits, one sigmoid
 * each, and one row's loss the sum over the labels of their binary
 * cross-entropies against targets t [K] (1: the row has the label, 0: it
 * has not; a teacher's probabilities work too):
 *   loss = sum_k  w_k t_k softplus(-l_k) + (1 - t_k) softplus(l_k)
 *   dloss/dl_k = (w_k t_k + 1 - t_k) p_k - w_k t_k,   p_k = sigmoid(l_k)
 * with w_k = pos_w[k], the weight of label k's positive term (--class-weight;
 * NULL = 1).  probs [K] = sigmoid(logits), independent (they need not sum
 * to 1).  dlogits may be NULL. */
double ova_loss(int K, const float *logits, const float *t, const float *pos_w, float *probs, float *dlogits);
/* probs [K] = sigmoid(logits [K]): a multi-label network's probabilities. */
void ova_probs(int K, const float *logits, float *probs);

/* Distillation (Hinton et al. 2015): one row's loss against soft targets
 * q [K] (K = 1: q = the probability of the second class) with both sides at
 * temperature T: p_T = sigmoid / softmax of logits / T, loss = T^2 x the
 * cross-entropy -sum q log p_T (T^2 keeps the gradient's scale independent
 * of T), dlogits = T (p_T - q) x scale.  probs [K]: the probabilities at
 * T = 1.  dlogits may be NULL. */
double soft_loss(int K, const float *logits, const float *q, double T, double scale, float *probs, float *dlogits);
#endif
