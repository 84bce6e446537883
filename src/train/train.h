/* train.h - data encoding, the training loop, evaluation metrics. */
#ifndef SEQSENT_TRAIN_H
#define SEQSENT_TRAIN_H

#include <stddef.h>
#include <stdint.h>
#include "text/csv.h"
#include "model/model.h"

/* A data set as padded id rows [n, T] (T = model maxlen) and class ids. */
typedef struct encoded {
    int32_t *ids;
    int32_t *y;           /* NULL when unlabeled */
    size_t n;
    int T;
    size_t tokens;        /* real tokens before truncation */
    size_t unknown;       /* of which mapped to <unk> */
    int32_t *len;         /* [n] real tokens per row after truncation */
} encoded;

/* Tokenize, map and pad every text of d with the model's settings.  With
 * labels, a label the model does not know is an error "path:line: ...". */
int encode_dataset(model *m, const dataset *d, int with_labels, encoded *out);
void encoded_free(encoded *e);
/* Copy ids [B,T] to out [B,Tb] without the columns that are padding (0) in
 * every row; returns Tb >= 1. */
int trim_batch(const int32_t *ids, int B, int T, int32_t *out);

typedef struct eval_result {
    size_t n;
    double loss, accuracy;
    int K;                /* number of classes */
    long *confusion;      /* [K,K] rows = true class, columns = predicted */
} eval_result;

/* Forward every row in batches, split across `threads` workers; fills r
 * (confusion allocated).  probs, if not NULL, receives [n, outputs]. */
void evaluate(const model *m, const encoded *e, int batch, int threads, eval_result *r, float *probs);
/* Run the network forward on B rows ids [B,T] split across the workers of a
 * pool; probabilities come back in probs [B,outputs].  With a masked
 * network, columns that are padding in every row are skipped (exact). */
typedef struct fwd_pool fwd_pool;
fwd_pool *fwd_pool_new(const net *n, int T, int maxB, int threads);
/* The same for a trained model: its network, or the mean of an ensemble's. */
fwd_pool *fwd_pool_new_model(const model *m, int T, int maxB, int threads);
void fwd_pool_run(fwd_pool *p, int B, int T, const int32_t *ids, float *probs);
void fwd_pool_free(fwd_pool *p);
void eval_result_free(eval_result *r);
/* Per-class precision, recall, F1 and support from the confusion matrix. */
void class_metrics(const eval_result *r, int k, double *prec, double *rec, double *f1, long *support);

typedef struct train_opts {
    int epochs;
    int batch;
    double lr;
    uint64_t seed;
    int quiet;
    const char *out;      /* the -o file: checkpoints go here too */
    int save_every;       /* write a checkpoint every N epochs (0 = never) */
    int early_stop;       /* patience in epochs, 0 = off (needs validation data) */
    double clip_norm;     /* clip the global gradient norm to this, 0 = off */
    const char *log_path; /* JSON lines, one object per epoch, or NULL */
    int threads;          /* worker threads, each with single-threaded BLAS (<= 1: one) */
    int bucket;           /* batches of similar lengths, trimmed to their longest row */
    optim_kind optim;     /* adam (default), adamw, sgd */
    double weight_decay;  /* adamw */
    double momentum;      /* sgd */
    double lr_decay;      /* multiply the learning rate by this after every epoch (0/1 = none) */
    const float *class_w; /* per-class loss weights, or NULL */
    double word_dropout;  /* replace each real token by <unk> with this probability
                           * (training only; 0 = off) */
    double ema;           /* momentum of an exponential moving average of the weights
                           * (0 = off); validation, early stopping and the saved
                           * model use the averaged weights (Keras use_ema) */
} train_opts;

/* Where a run is: enough to resume bit-for-bit after an interruption. */
typedef struct train_state {
    int epoch;            /* 1-based epoch in progress (or next to run) */
    size_t pos;           /* samples of this epoch already trained */
    uint64_t rng[4];      /* shuffle RNG as it was at the start of this epoch */
    double sum_loss;      /* running sums over the epoch so far */
    double correct;
    long adam_step;
    double best_val_loss; /* early stopping */
    int best_epoch, bad_epochs;
} train_state;

/* Set by the SIGINT/SIGTERM handler: the loop finishes its batch, writes a
 * checkpoint to opts->out and train_run returns TRAIN_INTERRUPTED. */
extern volatile int train_stop_signal;
#define TRAIN_INTERRUPTED 2

/* Train m->net (already created and initialised) on tr; report each epoch on
 * stderr (and validation figures when val is not NULL).  Records the history
 * in m->train_info["history"].  state: NULL for a fresh run, or the position
 * read back by train_state_load (resume; the optimizer moments must already
 * be in m->net's params).  Returns 0, -1 on error, TRAIN_INTERRUPTED. */
int train_run(model *m, const encoded *tr, const encoded *val, const train_opts *o,
              const train_state *resume);

/* Read the position and the Adam moments of a checkpoint loaded with
 * model_load(copy_weights = 1).  Returns 1 if the file had them, 0 if it is
 * a finished model without optimizer state, -1 on error. */
int train_state_load(model *m, train_state *st);

#endif
