/* attention.h - attention pooling: the sequence summary as a weighted mean
 * of the top layer's outputs, the weights learnt (Yang et al. 2016,
 * "Hierarchical Attention Networks for Document Classification", its word
 * level; Zhou et al. 2016, "Attention-Based Bidirectional LSTM Networks"):
 *
 *   U [T,B,A] = tanh(X W + b)          X [T,B,F], W [F,A], b [A]
 *   s [B,T]   = U_t . v                v [A]: the learnt "what matters" query
 *   a [B,T]   = softmax of row b's s over its real steps (every step
 *               without a mask; 0 elsewhere)
 *   feat [B,F] = sum_t a_t X_t
 *
 * Where mean pooling weighs every step alike, this lets the classifier read
 * the few words that carry the sentiment ("but the room was dirty") at full
 * strength in a long review.  The projection X W + b is a product of its
 * own: attention_forward runs it with BLAS (training) or, given work, with
 * mm_rows (inference: a row's result the same bits whatever batch it is in,
 * nn/infer.h).
 */
#ifndef SEQSENT_ATTENTION_H
#define SEQSENT_ATTENTION_H

/* X [T,B,F] -> feat [B,F]; leaves U [T,B,A] and a [B,T] for backward.
 * work: NULL (training) or mm_rows_work(A, F) floats (inference). */
void attention_forward(int B, int T, int F, int A, const float *X, const unsigned char *mask, const float *W,
                       const float *b, const float *v, float *U, float *a, float *feat, float *work);
/* dfeat [B,F] -> dW [F,A], db [A], dv [A] (accumulated) and dX [T,B,F]
 * (written).  dZ [T,B,A] and g [T]: scratch.  No mask: forward left the
 * weights a 0 at every step that is not real. */
void attention_backward(int B, int T, int F, int A, const float *X, const float *W, const float *v, const float *U,
                        const float *a, const float *dfeat, float *dW, float *db, float *dv, float *dZ, double *g,
                        float *dX);

#endif
