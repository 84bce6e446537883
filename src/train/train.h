/* train.h - the training loop (loop.c), and the training layer in one
 * include: encoding (encode.h), thread pools (workers.h), metrics and the
 * class decision (metrics.h), options and checkpoints (model/checkpoint.h).
 * The setup steps of a run are in setup.h, batches in batches.h, weight
 * copies in weights.h. */
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

/* What the loop reports as it goes (train_opts.report). */
typedef enum {
    TRAIN_EV_BATCH,        /* a step is done: done of total samples, running loss and accuracy */
    TRAIN_EV_BREAK,        /* leaving an epoch part-way (stop request, divergence): end a progress line */
    TRAIN_EV_EPOCH,        /* an epoch is done: its loss, accuracy, timing (and validation) */
    TRAIN_EV_EARLY_STOP,   /* validation loss (or accuracy) has not improved for `patience` epochs */
    TRAIN_EV_INTERRUPTED   /* stop request: checkpoint written; done < total: part-way through the epoch */
} train_event_kind;

typedef struct train_event {
    train_event_kind kind;
    int epoch, epochs;           /* the epoch in progress (1-based), of this many */
    size_t done, total;          /* samples of the epoch trained so far, in it */
    double loss, accuracy;       /* running means over the epoch's samples so far */
    int lm;                      /* a language model: loss per target token, perplexity
                                  * in place of accuracy (val_accuracy too) */
    int multi;                   /* a multi-label model: micro-F1 in place of accuracy
                                  * (val_accuracy too); loss summed over the labels */
    double seconds;              /* since the epoch (or its resumed part) started */
    double samples_per_second;   /* EPOCH: samples trained in this run of the epoch / seconds */
    double tokens_per_second;    /* EPOCH, language model: tokens predicted (each direction) / seconds */
    int have_val;                /* EPOCH: validation figures below */
    double val_loss, val_accuracy;
    int best_epoch, patience;    /* EARLY_STOP */
    int monitor_accuracy;        /* EARLY_STOP: accuracy (micro-F1) was monitored, not loss */
    const char *checkpoint;      /* INTERRUPTED: the file written */
} train_event;

/* train_run's return when o->stop asked it to stop (checkpoint written;
 * m's weights are then those the run would keep: early stopping's best
 * epoch so far, or the average). */
#define TRAIN_INTERRUPTED 2

/* Train m->net (already created and initialised) on tr, scoring val (may be
 * NULL) after every epoch; progress goes to o->report.  Records the history
 * in m->train_info["history"].  resume: NULL for a fresh run, or the
 * position read back by train_state_load or made by train_state_continue
 * (the optimizer moments must already be in m->net's params).  Returns 0,
 * -1 on error (err_set), TRAIN_INTERRUPTED. */
int train_run(model *m, const encoded *tr, const encoded *val, const train_opts *o,
              const train_state *resume);

#endif
