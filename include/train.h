/* train.h - data encoding, the training loop, evaluation metrics. */
#ifndef SEQSENT_TRAIN_H
#define SEQSENT_TRAIN_H

#include <stddef.h>
#include <stdint.h>
#include "csv.h"
#include "model.h"

/* A data set as padded id rows [n, T] (T = model maxlen) and class ids. */
typedef struct encoded {
    int32_t *ids;
    int32_t *y;           /* NULL when unlabeled */
    size_t n;
    int T;
    size_t tokens;        /* real tokens before truncation */
    size_t unknown;       /* of which mapped to <unk> */
} encoded;

/* Tokenize, map and pad every text of d with the model's settings.  With
 * labels, a label the model does not know is an error "path:line: ...". */
int encode_dataset(model *m, const dataset *d, int with_labels, encoded *out);
void encoded_free(encoded *e);

typedef struct eval_result {
    size_t n;
    double loss, accuracy;
    int K;                /* number of classes */
    long *confusion;      /* [K,K] rows = true class, columns = predicted */
} eval_result;

/* Forward every row in batches; fills r (confusion allocated).  probs, if
 * not NULL, receives [n, outputs] probabilities. */
void evaluate(const model *m, const encoded *e, int batch, eval_result *r, float *probs);
void eval_result_free(eval_result *r);
/* Per-class precision, recall, F1 and support from the confusion matrix. */
void class_metrics(const eval_result *r, int k, double *prec, double *rec, double *f1, long *support);

typedef struct train_opts {
    int epochs;
    int batch;
    double lr;
    uint64_t seed;
    int quiet;
} train_opts;

/* Train m->net (already created and initialised) on tr; report each epoch on
 * stderr (and validation figures when val is not NULL).  Records the history
 * in m->train_info["history"]. */
int train_run(model *m, const encoded *tr, const encoded *val, const train_opts *o);

#endif
