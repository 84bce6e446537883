/* autotune.h (cli) - train's --autotune-* options and the search as the
 * command shows it: a line per trial on stderr, a summary, the best model
 * to -o (the search itself: train/autotune.h). */
#ifndef SEQSENT_CLI_AUTOTUNE_H
#define SEQSENT_CLI_AUTOTUNE_H

#include "cli/trainer.h"
#include "train/encode.h"

enum { O_AUTOTUNE_VAL = O_TRAINER_END, O_AUTOTUNE_DURATION, O_AUTOTUNE_MODELSIZE, O_AUTOTUNE_TRIALS,
       O_AUTOTUNE_END };

/* train's own option rows (after TRAIN_OPTIONS). */
#define AUTOTUNE_OPTIONS \
    OPT_GROUP("Autotune (search settings on validation data):"), \
    OPT("autotune-val", O_AUTOTUNE_VAL, "FILE", "search cell, direction, hidden size, dropout, learning rate, epochs, pooling and bag, scored by validation accuracy on FILE (fastText's -autotune-validation); options given are held; the best model goes to -o"), \
    OPT("autotune-duration", O_AUTOTUNE_DURATION, "SECONDS", "time budget of the search, data reading included (default 300); a trial running at the deadline is stopped and counts with its best epoch so far"), \
    OPT("autotune-trials", O_AUTOTUNE_TRIALS, "N", "stop after N trials (default: when the time is up); the same seed and trials give the same model"), \
    OPT("autotune-modelsize", O_AUTOTUNE_MODELSIZE, "SIZE", "model file size limit, e.g. 2M (K, M, G: powers of 1024): larger candidates are skipped, one that fits only with 16-bit weights is stored so (as --half)")

typedef struct autotune_args {
    const char *val_path;     /* NULL: no search */
    double start;             /* when the command started (autotune_clock) */
    double duration;
    int trials;
    size_t modelsize;
    int extra_given;          /* a --autotune-* option besides --autotune-val */
    int val_split_given;      /* --val-split given (an automatic split may be a default) */
    unsigned fixed;           /* AT_* settings given as options */
} autotune_args;

void cli_autotune_init(autotune_args *t);
/* Take option c when it is one of AUTOTUNE_OPTIONS (1), and remember the
 * searched settings given (0: for trainer_option). */
int cli_autotune_option(autotune_args *t, const cmd_spec *spec, int c, const char *arg);
/* Before trainer_check: check the search's options against train's; the
 * autotune file becomes a's validation data (no --val, no split). */
void cli_autotune_check(autotune_args *t, train_args *a);
/* The search (from trainer_run: a->autotune): the best trial's network
 * and record into m; a->half set when it must be stored with 16-bit
 * weights.  SIGINT / SIGTERM (a->to.stop) end the search with the best so
 * far.  0, or -1 with err_set. */
int cli_autotune_run(train_args *a, model *m, const dataset *tr, const encoded *etr, const encoded *eva);

#endif
