/* train.h - the training layer: encoding (encode.h), batches and thread
 * pools (workers.h), metrics and the class decision (metrics.h), the
 * training loop (below), checkpoints (model/checkpoint.h). */
#ifndef SEQSENT_TRAIN_H
#define SEQSENT_TRAIN_H

#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include "text/csv.h"
#include "model/model.h"
#include "model/checkpoint.h"
#include "train/encode.h"
#include "train/metrics.h"
#include "train/workers.h"

/* What the loop reports as it goes (train_opts.report). */
typedef enum {
    TRAIN_EV_BATCH,        /* a step is done: done of total samples, running loss and accuracy */
    TRAIN_EV_BREAK,        /* leaving an epoch part-way (stop request, divergence): end a progress line */
    TRAIN_EV_EPOCH,        /* an epoch is done: its loss, accuracy, timing (and validation) */
    TRAIN_EV_EARLY_STOP,   /* validation loss has not improved for `patience` epochs */
    TRAIN_EV_INTERRUPTED   /* stop request: checkpoint written; done < total: part-way through the epoch */
} train_event_kind;

typedef struct train_event {
    train_event_kind kind;
    int epoch, epochs;           /* the epoch in progress (1-based), of this many */
    size_t done, total;          /* samples of the epoch trained so far, in it */
    double loss, accuracy;       /* running means over the epoch's samples so far */
    double seconds;              /* since the epoch (or its resumed part) started */
    double samples_per_second;   /* EPOCH: samples trained in this run of the epoch / seconds */
    int have_val;                /* EPOCH: validation figures below */
    double val_loss, val_accuracy;
    int best_epoch, patience;    /* EARLY_STOP */
    const char *checkpoint;      /* INTERRUPTED: the file written */
} train_event;

typedef struct train_opts {
    int epochs;
    int batch;
    double lr;
    uint64_t seed;
    int quiet;            /* no reports */
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
    /* Hooks; NULL = none.  report is called from the training thread for
     * every event, unless quiet. */
    void (*report)(const train_event *ev, void *ctx);
    void *report_ctx;
    /* When *stop becomes non-zero (a signal handler sets it) the loop
     * finishes its batch, writes a checkpoint to out and train_run returns
     * TRAIN_INTERRUPTED.  A pointer, not a process-wide flag: the caller
     * owns its signal handling, and two runs in one process stop apart. */
    volatile sig_atomic_t *stop;
} train_opts;

#define TRAIN_INTERRUPTED 2

/* Train m->net (already created and initialised) on tr, scoring val (may be
 * NULL) after every epoch; progress goes to o->report.  Records the history
 * in m->train_info["history"].  state: NULL for a fresh run, or the position
 * read back by train_state_load (resume; the optimizer moments must already
 * be in m->net's params).  Returns 0, -1 on error, TRAIN_INTERRUPTED. */
int train_run(model *m, const encoded *tr, const encoded *val, const train_opts *o,
              const train_state *resume);

#endif
