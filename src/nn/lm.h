/* lm.h - the network as a language model (net_config.lm): the encoder of
 * net.h (embedding and recurrent layers) pretrained on unlabelled text to
 * predict each next token (Dai & Le 2015; ULMFiT), so that a classifier
 * fine-tuned from it (`train --from`) starts from an encoder that already
 * reads the language.
 *
 *   ids [B,T] -> encoder -> Y [T,B,F] -> per direction d, at every position
 *   t whose neighbour is a real token: Y[t,b, dH:(d+1)H] -> lmhead (sampled
 *   softmax over the vocabulary) -> the next token ids[b,t+1] (d = 0) or the
 *   previous one ids[b,t-1] (d = 1, the backward direction).
 *
 * A bidirectional stack of more than one layer would let the forward cell
 * of layer 2 see the next token through layer 1's backward output; as in
 * ELMo the two directions are kept apart while pretraining: the rows of
 * layer l > 0's input kernel that read the other direction are held at zero
 * (weights and gradients), so a fine-tuned classifier starts from exactly
 * the two pretrained language models and learns to mix them.
 *
 * Padding (id 0) is never a target; the networks are masked.
 */
#ifndef SEQSENT_LM_H
#define SEQSENT_LM_H

#include <stddef.h>
#include <stdint.h>
#include "nn/lmhead.h"
#include "nn/net.h"

/* Targets (positions with a prediction to make) in ids [B,T], over both
 * directions when bidirectional: the normaliser of a batch's loss. */
size_t lm_targets(const net_config *c, int B, int T, const int32_t *ids);

/* Forward + sampled-softmax loss + backward for B rows ids [B,T] with the
 * batch's candidates: accumulates into n's gradients the gradient of (the
 * rows' summed loss / norm), norm = the whole batch's lm_targets.  Returns
 * the summed loss of these rows. */
double lm_forward_backward(net *n, net_ws *w, int B, int T, const int32_t *ids, const lm_cands *c, double norm);

/* Held-out loss with the full softmax: the summed -log p(target) of the
 * rows' targets; *count += their number.  Z: [LMHEAD_CHUNK, V] scratch. */
double lm_nll(const net *n, net_ws *w, int B, int T, const int32_t *ids, float *Z, size_t *count);

/* Hold the cross-direction rows of the input kernels of layers > 0 at zero
 * (see above): in the weights (grads = 0) or in the gradients (grads = 1).
 * Nothing to do unless bidirectional with 2+ layers. */
void lm_block_cross(net *n, int grads);

/* The output embedding of direction d and its gradient (the input
 * embedding's when tied; the gradient NULL when that is frozen). */
const float *lm_out(const net *n, int d);

#endif
