/* train.h - the training layer: encoding (encode.h), batches and thread
 * pools (workers.h), metrics and the class decision (metrics.h), the
 * training loop (below), checkpoints (model/checkpoint.h). */
#ifndef SEQSENT_TRAIN_H
#define SEQSENT_TRAIN_H

#include <stddef.h>
#include <stdint.h>
#include "text/csv.h"
#include "model/model.h"
#include "model/checkpoint.h"
#include "train/encode.h"
#include "train/metrics.h"
#include "train/workers.h"

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

#endif
