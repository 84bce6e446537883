/* autotune.h - hyper-parameter search under a time budget (train
 * --autotune-val, as fastText's -autotune-validation).
 *
 * The data is tokenized and encoded once; every trial is a fresh network of
 * one candidate setting, trained on the same rows with early stopping on the
 * validation rows (the best epoch's weights kept) and scored by their
 * validation accuracy (ties: the lower validation loss, then the earlier
 * trial).  The candidates: trial 1 is the run's own configuration (the
 * defaults and the options given); each further one perturbs the best so far
 * (fastText's strategy): every searched setting changes with probability
 * 1/2 (at least one does), a step of one rung on its ladder, or up to three
 * rungs in the first trials; a candidate tried before is drawn again.  The
 * draws come from the run's seed: the same seed and the same number of trials
 * give the same model, whatever the thread count.
 *
 * The budget: a trial still running at the deadline (or when *stop is set:
 * SIGINT) is stopped at a batch boundary and counts with its best completed
 * epoch; one stopped before its first epoch ended is discarded.
 *
 * A size limit (max_bytes) skips candidates whose model file would exceed
 * it; a candidate that fits only with 16-bit weights is stored so (as
 * --half), and scored with its weights rounded to 16 bits as the file will
 * hold them.  When the run's own configuration is too big, its bag shrinks
 * first (most of a small model's bytes, and the least of its accuracy),
 * then its hidden units, then its second direction.  Never prints: each
 * trial goes to a callback.
 */
#ifndef SEQSENT_AUTOTUNE_H
#define SEQSENT_AUTOTUNE_H

#include <signal.h>
#include <stddef.h>
#include "model/model.h"
#include "train/train.h"

/* The searched settings (bits of autotune_opts.fixed: held at the given value). */
enum {
    AT_CELL = 1, AT_BIDIR = 2, AT_HIDDEN = 4, AT_DROPOUT = 8, AT_LR = 16, AT_EPOCHS = 32, AT_POOL = 64,
    AT_BAG = 128, AT_ALL = 255
};

/* One candidate. */
typedef struct autotune_setting {
    cell_type cell;
    int bidir, hidden;
    float dropout;
    double lr;
    int epochs;       /* at most; early stopping keeps the best */
    int pool;
    int bag_dim, bag_buckets;   /* the bag beside the summary (net.h); 0, 0: none */
    int half;         /* stored with 16-bit weights to fit max_bytes */
} autotune_setting;

/* How a trial ended. */
typedef enum {
    AT_TRIAL_DONE,        /* trained to its last epoch or stopped early */
    AT_TRIAL_CUT,         /* stopped by the deadline or *stop: its best epoch so far */
    AT_TRIAL_DISCARDED,   /* stopped before an epoch ended */
    AT_TRIAL_FAILED,      /* diverged or out of memory: error says why */
    AT_TRIAL_TOO_BIG      /* the run's own configuration exceeds max_bytes: not trained */
} autotune_status;

/* What a trial reports. */
typedef struct autotune_trial {
    int index;                /* 1-based */
    autotune_setting set;
    autotune_status status;
    int best_epoch;           /* DONE / CUT: the epoch kept */
    double val_accuracy, val_loss;   /* of the weights kept */
    double seconds;
    size_t bytes;             /* the estimated model file size */
    int is_best;              /* the best so far */
    const char *error;        /* FAILED, TOO_BIG */
} autotune_trial;

typedef struct autotune_opts {
    double start;             /* autotune_clock() when the budget began */
    double duration;          /* seconds from start */
    int max_trials;           /* 0 = until the deadline */
    size_t max_bytes;         /* model file size limit, 0 = none */
    size_t extra_bytes;       /* what the run adds to the file after the search (a naive Bayes head): within max_bytes too */
    int half;                 /* every candidate stored with 16-bit weights (--half) */
    unsigned fixed;           /* AT_* bits not searched */
    int bag_dim;              /* a bag the search adds to a run without one has this many dimensions */
    int patience;             /* early stopping's, in every trial */
    volatile sig_atomic_t *stop;   /* set (by a signal handler): end the search */
    void (*report)(const autotune_trial *t, void *ctx);
    void *ctx;
    /* for the model's training record */
    const char *data, *val_path;
    size_t rows;
    int pretrained;           /* the embedding started from vectors */
} autotune_opts;

typedef enum { AT_END_DEADLINE, AT_END_TRIALS, AT_END_STOP, AT_END_EXHAUSTED } autotune_end;

typedef struct autotune_result {
    int trials;               /* trials run (discarded and failed ones too) */
    int best;                 /* the best trial's index */
    autotune_setting set;     /* its setting */
    double val_accuracy, val_loss;
    int have_default;         /* trial 1 (the run's own configuration) was scored */
    double default_accuracy;
    autotune_end end;
} autotune_result;

/* The monotonic clock, in seconds. */
double autotune_clock(void);

/* Search: m holds the vocabulary, labels, sequence settings and (with
 * vectors) the initial embedding, no network; tr and val the encoded rows;
 * nc and o the run's configuration (o->class_w, threads and seed used by
 * every trial).  On success m->net is the best trial's network and
 * m->train_info its training record with "autotune" (the search: budget,
 * trials, the chosen settings, the validation scores); m->half is set when
 * it must be stored with 16-bit weights.  -1 with err_set when no trial
 * finished an epoch, or nothing fits max_bytes. */
int autotune_search(model *m, const encoded *tr, const encoded *val, const net_config *nc, const train_opts *o,
                    const autotune_opts *ao, autotune_result *res);

/* The names of the searched settings, in AT_* bit order ("cell",
 * "bidirectional", "hidden", "dropout", "lr", "epochs", "pool", "bag"). */
const char *autotune_name(int bit_index);

#endif
