/* metrics.h - from probabilities to decisions and scores.
 *
 * A network gives each row K probabilities (K = its outputs): K = 1 is a
 * binary model, p = P(second label); K >= 3 is one probability per class.
 * decide_class is the one rule that turns them into a class, used by
 * training (accuracy), evaluate, eval --errors and predict.  Scores:
 * mean cross-entropy loss, accuracy, and the confusion matrix
 * confusion [C, C] (C = 2 for K = 1, else K; rows = true class, columns =
 * predicted) from which class_metrics derives precision, recall and F1.
 * A multi-label model's K probabilities are independent: each label is
 * decided on its own (p >= DECIDE_THRESHOLD), scored by micro and macro
 * precision, recall and F1 and P@k / R@k.
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
    double loss, accuracy;   /* multi-label: loss summed over the labels, accuracy = exact match
                              * (the row's predicted label set is its label set) */
    int K;                /* number of classes */
    long *confusion;      /* [K,K] rows = true class, columns = predicted (single-label) */
    /* A multi-label model: each label decided on its own (p >= DECIDE_THRESHOLD),
     * counted per label [K], and the figures over them: micro (from the
     * summed counts) and macro (the mean of the labels' figures). */
    int multi;
    long *tp, *fp, *fn;
    double micro_p, micro_r, micro_f1, macro_p, macro_r, macro_f1;
} eval_result;

/* One multi-label row: probabilities row [K] against its 0/1 targets t [K]
 * at threshold: true positives into *tp, false positives and negatives into
 * *errors (micro-F1 = 2 tp / (2 tp + errors)). */
void ova_row_counts(const float *row, const float *t, int K, double threshold, double *tp, double *errors);
/* 2 tp / (2 tp + errors); 0 when both are 0. */
double micro_f1_of(double tp, double errors);
/* P@k and R@k of a multi-label model's probabilities probs [n, K] on e's
 * label sets (fastText's test): over all rows, the labels among each row's
 * k most probable (ties in label order) that are the row's, / (n k) and /
 * the number of the rows' labels.  k is reduced to K. */
void eval_at_k(const encoded *e, const float *probs, int K, int k, double *p_at_k, double *r_at_k);

/* Forward every row in batches, split across `threads` workers; fills r
 * (confusion allocated).  probs, if not NULL, receives [n, outputs].  m
 * must have been checked whole when loaded (not MODEL_LAZY). */
void evaluate(const model *m, const encoded *e, int batch, int threads, eval_result *r, float *probs);
/* The same through the inference shortcuts and length-sorted batches
 * (fwd_pool_infer, fwd_pool_run_sorted): `eval`, whose figures then match
 * `predict`'s bit for bit and do not depend on batch or threads.  Training's
 * validation keeps evaluate().  0, or -1 with err_set when a row of a model
 * checked block by block (model_load MODEL_LAZY) fails its check. */
int evaluate_infer(const model *m, const encoded *e, int batch, int threads, eval_result *r, float *probs);
void eval_result_free(eval_result *r);
/* Per-class precision, recall, F1 and support from the confusion matrix
 * (multi-label: from the label's counts; support = rows with the label). */
void class_metrics(const eval_result *r, int k, double *prec, double *rec, double *f1, long *support);

#endif
