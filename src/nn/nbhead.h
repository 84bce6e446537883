/* nbhead.h - a naive Bayes head beside the network: multinomial naive
 * Bayes over a row's distinct words and word bigrams (Wang & Manning 2012,
 * "Baselines and Bigrams": MNB with binarized counts and add-alpha
 * smoothing), its probabilities mixed into the network's.
 *
 *   ids [B,T] (0 = padding and 1 = <unk> skipped) -> the row's distinct
 *       n-grams: its word ids, its adjacent pairs (a, b) found among the
 *       training rows' pairs (exact, no hashing: a pair the training rows
 *       never had adds nothing, as an unseen word adds the same to every
 *       class), and its words' own features (optional: their character
 *       n-grams, text/chargrams.h, given as a table word -> features), each
 *       once however many of its words share it
 *   z_c  = prior_c + sum over the n-grams g of logp[g, c]
 *   p    = (1 - weight) p_net + weight softmax(scale z)         [B,K]
 *
 * Why: on mr's validation splits a network and a naive Bayes bigram model
 * make different mistakes: averaging their probabilities gained 1.0 point
 * over the network alone and 0.75 over an ensemble of five networks
 * (Mesnil et al. 2014 found the same of NB-SVM beside recurrent models on
 * IMDB).  Naive Bayes is counting: it costs nothing to train and a few
 * microseconds a row to read, where a second network doubles the cost.
 *
 * scale and weight are chosen after training, on the validation rows
 * (neither the network nor the counts learnt them) by their log loss:
 * naive Bayes's sums of log ratios are far surer than they should be, and
 * scale tempers them.  weight 0: the head changes nothing.
 *
 * Why the words' character n-grams: a word seen once or twice in training
 * says little on its own, but its pieces were seen in other words
 * ("unwatchable": "watch", "able>", "<un").  On mr's validation splits
 * (9 runs, the same networks) the head with the words' n-grams of 3 to 6
 * characters scored 79.49% against 79.10% with words and pairs only (the
 * network alone 78.48%).  Chinese words are 1 to 3 characters long: their
 * n-grams are mostly the words again (ChnSentiCorp's split: no change).
 *
 * A sigmoid network (K = 1, its probability the second label's) has a
 * two-class head; a multi-label network none.
 */
#ifndef SEQSENT_NBHEAD_H
#define SEQSENT_NBHEAD_H

#include <stddef.h>
#include <stdint.h>

typedef struct nb_head {
    int C;              /* classes: K, or 2 for a sigmoid output */
    int32_t V;          /* words: ids < V */
    int64_t npairs;     /* word pairs the training rows had */
    int32_t *pairs;     /* [npairs, 2] those pairs, ascending (by a, then b) */
    int32_t F;          /* the words' own features (0: none) */
    int32_t *foff;      /* [V + 1]: word i's features are ffeat[foff[i] .. foff[i+1]) */
    int32_t *ffeat;     /* [foff[V]] feature ids 0..F-1 */
    int fmin, fmax;     /* what the features are: character fmin..fmax-grams (recorded, not used) */
    float *logp;        /* [V + npairs + F, C] log p(n-gram | class): words, pairs, features */
    float *prior;       /* [C] log p(class) */
    double alpha;       /* the smoothing count */
    double scale, weight;
    int borrowed;       /* the arrays are a model file's (not freed) */
} nb_head;

#define NBHEAD_DEFAULT_ALPHA 1.0

/* Each word's own features: word i (of V) has feat[off[i] .. off[i+1]),
 * ids 0..F-1 (text/chargrams.h's chargram_features makes them from a
 * vocabulary); minn, maxn: what they are, for the file's record. */
typedef struct nb_wordfeats {
    int32_t F;
    const int32_t *off, *feat;
    int minn, maxn;
} nb_wordfeats;

/* The counts of n training rows ids [n,T] with classes y [n] (0..C-1; a row
 * with another is left out), words < V and, when wf is not NULL, their
 * features (those the rows never had are dropped), smoothed by alpha;
 * scale 1, weight 0 until nbhead_fit. */
nb_head *nbhead_count(const int32_t *ids, const int32_t *y, size_t n, int T, int32_t V, int C, double alpha,
                      const nb_wordfeats *wf);
void nbhead_free(nb_head *h);

/* The bytes of its tables (a file's tensors, before their alignment). */
size_t nbhead_bytes(const nb_head *h);

/* pairs [n, 2] as a head keeps them: word ids (2..V-1), strictly
 * ascending (the lookup's binary search relies on it).  For a file's. */
int nbhead_pairs_valid(const int32_t *pairs, int64_t n, int32_t V);

/* A word -> features table off [V+1], feat [off[V]] as a head keeps it:
 * offsets from 0, non-decreasing, features < F.  For a file's. */
int nbhead_wordfeats_valid(const int32_t *off, const int32_t *feat, int32_t V, int32_t F);

/* z [C] of one row [T]. */
void nbhead_logits(const nb_head *h, const int32_t *row, int T, float *z);

/* probs [B,K] (a network's, K = C or 1 for two classes) mixed with the
 * head's, in place. */
void nbhead_mix(const nb_head *h, int B, int T, const int32_t *ids, float *probs, int K);

/* Choose scale and weight by the log loss of the mixture on n rows ids
 * [n,T] with classes y [n] whose network probabilities are probs [n,K]:
 * weight among 0, 0.1 .. 0.9 and scale among 0.01 .. 1, or either as given
 * (weight / scale not NAN: kept, the other chosen with it).  *loss_net /
 * *loss_mix (when not NULL) get the log loss before and after. */
void nbhead_fit(nb_head *h, const int32_t *ids, const int32_t *y, size_t n, int T, const float *probs, int K,
                double weight, double scale, double *loss_net, double *loss_mix);

#endif
