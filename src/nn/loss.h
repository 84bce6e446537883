/* loss.h - output activations and their cross-entropy losses.
 *
 * Two classes: one logit per row, sigmoid, binary cross-entropy.
 * Three or more: K logits, softmax, categorical cross-entropy.
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

#endif
