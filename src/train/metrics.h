/* metrics.h - from probabilities to decisions and scores.
 *
 * A network gives each row K probabilities (K = its outputs): K = 1 is a
 * binary model, p = P(second label); K >= 3 is one probability per class.
 * decide_class is the one rule that turns them into a class, used by
 * training (accuracy), evaluate, eval --errors and predict.  Scores:
 * mean cross-entropy loss, accuracy, and the confusion matrix
 * confusion [C, C] (C = 2 for K = 1, else K; rows = true class, columns =
 * predicted) from which class_metrics derives precision, recall and F1.
 */
#ifndef SEQSENT_METRICS_H
#define SEQSENT_METRICS_H

#include <stddef.h>
#include "model/model.h"
#include "train/encode.h"

/* The decision threshold of a binary model unless told otherwise. */
#define DECIDE_THRESHOLD 0.5

/* The class of one row of probabilities row [K]: K == 1: 1 when
 * row[0] >= threshold, else 0; K > 1: the first maximum (threshold unused). */
int decide_class(const float *row, int K, double threshold);

typedef struct eval_result {
    size_t n;
    double loss, accuracy;
    int K;                /* number of classes */
    long *confusion;      /* [K,K] rows = true class, columns = predicted */
} eval_result;

/* Forward every row in batches, split across `threads` workers; fills r
 * (confusion allocated).  probs, if not NULL, receives [n, outputs]. */
void evaluate(const model *m, const encoded *e, int batch, int threads, eval_result *r, float *probs);
/* The same through the inference shortcuts and length-sorted batches
 * (fwd_pool_infer, fwd_pool_run_sorted): `eval`, whose figures then match
 * `predict`'s bit for bit and do not depend on batch or threads.  Training's
 * validation keeps evaluate(). */
void evaluate_infer(const model *m, const encoded *e, int batch, int threads, eval_result *r, float *probs);
void eval_result_free(eval_result *r);
/* Per-class precision, recall, F1 and support from the confusion matrix. */
void class_metrics(const eval_result *r, int k, double *prec, double *rec, double *f1, long *support);

#endif
