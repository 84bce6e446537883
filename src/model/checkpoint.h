/* checkpoint.h - a training run as a model file records it.
 *
 * The options that decide a run's result are recorded in the model's
 * "training" object (train_opts_to_json) and read back on --resume
 * (train_opts_from_json); their fresh-run defaults are set here, in one
 * place (train_opts_init, train_opts_resolve).  Why train_opts lives in the
 * model layer: the file format owns what it records, and the training loop
 * (train/train.h) consumes the same structure.
 *
 * A checkpoint is a model file whose "training" object also holds "state":
 * where the run is (epoch, samples done, the shuffle RNG, running sums,
 * early-stopping bookkeeping), and whose tensors include the optimizer
 * moments ("adam.m.<param>", "adam.v.<param>"), with --ema the moving
 * average ("ema.<param>") and, with early stopping, the best epoch's
 * weights so far ("best.<param>", kept at the end).  Enough to resume bit
 * for bit.
 *
 * Numbers that must come back exactly are not JSON numbers: the 64-bit RNG
 * words are 16 hex digits, the doubles C99 hex floats ("%a"); cJSON prints
 * doubles with 15 significant digits, which does not round-trip.
 */
#ifndef SEQSENT_CHECKPOINT_H
#define SEQSENT_CHECKPOINT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "model/model.h"
#include "nn/optim.h"

struct train_event;   /* train/train.h: what the training loop reports */

/* A training run's options.  The first group decides the result (the model
 * records all of it but early_stop and the weights themselves); the second
 * changes only speed and output. */
typedef struct train_opts {
    int epochs;
    int batch;
    int shards;           /* each batch is cut into this many shards whose gradients are
                           * summed in a fixed order: the thread count changes nothing */
    double lr;
    uint64_t seed;
    optim_kind optim;     /* adam (default), adamw, sgd */
    double weight_decay;  /* adamw */
    double momentum;      /* sgd */
    double lr_decay;      /* multiply the learning rate by this after every epoch (0/1 = none) */
    double clip_norm;     /* clip the global gradient norm to this, 0 = off */
    int bucket;           /* batches of similar lengths, trimmed to their longest row */
    double word_dropout;  /* replace each real token by <unk> with this probability
                           * (training only; 0 = off) */
    double adversarial;   /* adversarial training on the embedded input at this size
                           * (nn/net.c adversarial_pass; 0 = off) */
    double ema;           /* momentum of an exponential moving average of the weights
                           * (0 = off); validation, early stopping and the saved
                           * model use the averaged weights (Keras use_ema) */
    int class_weight;     /* --class-weight auto: class_w from the training counts */
    double temperature;   /* distillation: the soft targets' temperature (0 = not distilled) */
    /* fine-tuning (ULMFiT, Howard and Ruder 2018) */
    double discriminative;  /* each layer's learning rate is the one above's / this (0 = one rate) */
    int gradual_unfreeze;   /* epoch 1 trains the dense layers only, each further epoch one more layer down */
    int slanted;            /* slanted triangular rate: up over the first 10% of steps, down to lr/32 */
    const float *class_w; /* per-class loss weights, or NULL */
    double val_split;     /* fraction of the training rows held out for validation, 0 = none */
    int early_stop;       /* patience in epochs, 0 = off (needs validation data) */
    int monitor_accuracy; /* the best epoch is the one of highest validation accuracy
                           * (ties: lowest loss), not lowest loss (Keras monitor=) */

    int quiet;            /* no reports */
    const char *out;      /* the -o file: checkpoints go here too */
    int save_every;       /* write a checkpoint every N epochs (0 = never) */
    const char *log_path; /* JSON lines, one object per epoch, or NULL */
    int log_append;       /* add to log_path rather than start it (train --refit's second run) */
    int threads;          /* worker threads computing the shards, each with single-threaded
                           * BLAS (<= 1: one); never changes results */
    /* Hooks; NULL = none.  report is called from the training thread for
     * every event, unless quiet. */
    void (*report)(const struct train_event *ev, void *ctx);
    void *report_ctx;
    /* When *stop becomes non-zero (a signal handler sets it) the loop
     * finishes its batch, writes a checkpoint to out and train_run returns
     * TRAIN_INTERRUPTED.  A pointer, not a process-wide flag: the caller
     * owns its signal handling, and two runs in one process stop apart. */
    volatile sig_atomic_t *stop;
} train_opts;

/* The fresh-run defaults: 5 epochs, batches of 32 in TRAIN_DEFAULT_SHARDS
 * shards, Adam, lr 0.001, seed 1, everything else off. */
enum { TRAIN_DEFAULT_SHARDS = 2, TRAIN_MAX_SHARDS = 64 };
void train_opts_init(train_opts *o);
/* The defaults that depend on the optimizer, for what was not given:
 * lr 0.01 for SGD; weight decay 0.01 for AdamW, else 0; momentum 0.9 for
 * SGD, else 0. */
void train_opts_resolve(train_opts *o, int lr_given, int weight_decay_given, int momentum_given);
/* Record the result-deciding options in ti (a new "training" object), with
 * the training data's path and row count and whether the embedding started
 * from pretrained vectors.  Key order and values are part of the file. */
void train_opts_to_json(const train_opts *o, cJSON *ti, const char *data, size_t rows, int pretrained);
/* Read them back from a model's ti (may be NULL) over o: a resumed run
 * trains with its recorded options; epochs too unless keep_epochs. */
void train_opts_from_json(train_opts *o, const cJSON *ti, int keep_epochs);

/* Where a run is: enough to resume bit-for-bit after an interruption. */
typedef struct train_state {
    int epoch;            /* 1-based epoch in progress (or next to run) */
    size_t pos;           /* samples of this epoch already trained */
    uint64_t rng[4];      /* shuffle RNG as it was at the start of this epoch */
    double sum_loss;      /* running sums over the epoch so far */
    double correct;       /* rows right (multi-label: labels rightly predicted) */
    double wrong;         /* multi-label: labels wrongly predicted or missed */
    long adam_step;
    double best_val_loss; /* early stopping: the best epoch's validation loss */
    double best_val_score; /* ... and accuracy (micro-F1), with monitor_accuracy */
    int best_epoch, bad_epochs;
    float **best;         /* early stopping: the best epoch's weights, one array per
                           * parameter (a checkpoint's "best.<param>"; NULL: none);
                           * owned -- the training loop takes them over */
} train_state;

/* The position of a fresh run: epoch 1 from its start, the shuffle RNG
 * seeded from seed. */
void train_state_fresh(train_state *st, uint64_t seed);
/* The position of a finished model trained on (no optimizer state): the
 * epoch after its epochs_done, an RNG seeded from seed and that epoch. */
void train_state_continue(train_state *st, uint64_t seed, int epochs_done);
/* Record st as ti["state"] (replacing any). */
void train_state_to_json(const train_state *st, cJSON *ti);
/* Read the position and the Adam moments of a checkpoint loaded with
 * model_load(MODEL_COPY).  Returns 1 if the file had them, 0 if it is
 * a finished model without optimizer state, -1 on error. */
int train_state_load(model *m, train_state *st);
/* Free what st owns (its best weights, if the training loop did not take them). */
void train_state_free(const net *n, train_state *st);
/* Write m with its optimizer state and st to path (a checkpoint). */
int checkpoint_save(model *m, const train_state *st, float *const *best, const char *path);

#endif
