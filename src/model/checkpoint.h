/* checkpoint.h - a training run as a model file records it.
 *
 * A checkpoint is a model file whose "training" object also holds "state":
 * where the run is (epoch, samples done, the shuffle RNG, running sums,
 * early-stopping bookkeeping), and whose tensors include the optimizer
 * moments ("adam.m.<param>", "adam.v.<param>") and, with --ema, the moving
 * average ("ema.<param>").  Enough to resume bit for bit.
 *
 * Numbers that must come back exactly are not JSON numbers: the 64-bit RNG
 * words are 16 hex digits, the doubles C99 hex floats ("%a"); cJSON prints
 * doubles with 15 significant digits, which does not round-trip.
 */
#ifndef SEQSENT_CHECKPOINT_H
#define SEQSENT_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>
#include "model/model.h"

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

/* The position of a fresh run: epoch 1 from its start, the shuffle RNG
 * seeded from seed. */
void train_state_fresh(train_state *st, uint64_t seed);
/* The position of a finished model trained on (no optimizer state): the
 * epoch after its epochs_done, an RNG seeded from seed and that epoch. */
void train_state_continue(train_state *st, uint64_t seed, int epochs_done);
/* Record st as ti["state"] (replacing any). */
void train_state_to_json(const train_state *st, cJSON *ti);
/* Read the position and the Adam moments of a checkpoint loaded with
 * model_load(copy_weights = 1).  Returns 1 if the file had them, 0 if it is
 * a finished model without optimizer state, -1 on error. */
int train_state_load(model *m, train_state *st);
/* Write m with its optimizer state and st to path (a checkpoint). */
int checkpoint_save(model *m, const train_state *st, const char *path);

#endif
