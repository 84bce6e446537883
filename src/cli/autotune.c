/* autotune.c (cli) - train --autotune-val: the options, a line per trial,
 * the summary (see cli/autotune.h; the search: train/autotune.c). */
#include "cli/autotune.h"
#include "nn/nbhead.h"
#include "base/err.h"
#include "train/autotune.h"
#include "train/dist.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void cli_autotune_init(autotune_args *t)
{
    memset(t, 0, sizeof *t);
    t->start = autotune_clock();
    t->duration = 300;   /* fastText's default */
}

int cli_autotune_option(autotune_args *t, const cmd_spec *spec, int c, const char *arg)
{
    switch (c) {
    case O_AUTOTUNE_VAL: t->val_path = arg; return 1;
    case O_AUTOTUNE_DURATION: t->duration = opt_double(spec, "autotune-duration", arg, 0.001, 1e9); t->extra_given = 1; return 1;
    case O_AUTOTUNE_TRIALS: t->trials = (int)opt_long(spec, "autotune-trials", arg, 1, 1000000); t->extra_given = 1; return 1;
    case O_AUTOTUNE_MODELSIZE: t->modelsize = opt_size(spec, "autotune-modelsize", arg, 1024, (size_t)1 << 50); t->extra_given = 1; return 1;
    /* a searched setting given on the command line is held fixed */
    case O_CELL: t->fixed |= AT_CELL; break;
    case O_BIDIR: case O_NO_BIDIR: t->fixed |= AT_BIDIR; break;
    case O_HIDDEN: t->fixed |= AT_HIDDEN; break;
    case O_DROPOUT: t->fixed |= AT_DROPOUT; break;
    case O_LR: t->fixed |= AT_LR; break;
    case O_EPOCHS: t->fixed |= AT_EPOCHS; break;
    case O_POOL: t->fixed |= AT_POOL; break;
    case O_BAG: case O_BAG_BUCKETS: t->fixed |= AT_BAG; break;
    case O_VAL_SPLIT: t->val_split_given = 1; break;
    }
    return 0;
}

void cli_autotune_check(autotune_args *t, train_args *a)
{
    const cmd_spec *s = a->spec;
    if (!t->val_path) {
        if (t->extra_given) usage_error(s, "--autotune-duration, --autotune-trials and --autotune-modelsize need --autotune-val FILE");
        return;
    }
    if (a->val_path) usage_error(s, "--autotune-val is the search's validation data: drop --val");
    if (t->val_split_given) usage_error(s, "--autotune-val is the search's validation data: drop --val-split");
    if (a->resume_path) usage_error(s, "--resume continues one run: it cannot be searched (drop --autotune-val)");
    if (a->to.save_every) usage_error(s, "--save-every: the search's trials write no checkpoints (drop it)");
    if (a->to.log_path) usage_error(s, "--log: the search reports its trials on stderr, not per epoch (drop it)");
    if ((t->fixed & AT_ALL) == AT_ALL)
        usage_error(s, "--autotune-val: nothing to search: --cell, --bidirectional, --hidden, --dropout, --lr, "
                    "--epochs, --pool and --bag are all given");
    /* a mistyped name is said before the training data is read */
    FILE *f = strcmp(t->val_path, "-") ? fopen(t->val_path, "rb") : NULL;
    if (!f && strcmp(t->val_path, "-")) die(EXIT_FAIL, "%s: %s", t->val_path, strerror(errno));
    if (f) fclose(f);
    a->val_path = t->val_path;
    a->to.val_split = 0;
    a->autotune = t;
}

/* "cell gru, bidirectional, hidden 64, dropout 0.2, lr 0.002, epochs 8, pool max, bag 32x16384" */
static void describe(const autotune_setting *st, char *buf, size_t size)
{
    char bag[48] = "no bag";
    if (st->bag_dim) snprintf(bag, sizeof bag, "bag %dx%d", st->bag_dim, st->bag_buckets);
    snprintf(buf, size, "cell %s, %s, hidden %d, dropout %g, lr %g, epochs %d, pool %s, %s%s", cell_name(st->cell),
             st->bidir ? "bidirectional" : "one direction", st->hidden, st->dropout, st->lr, st->epochs,
             pool_name(st->pool), bag, st->half ? ", 16-bit weights" : "");
}

typedef struct shown { const char *cmd; int sizes; } shown;

/* One line per trial on stderr. */
static void on_trial(const autotune_trial *t, void *ctx)
{
    const shown *sh = ctx;
    char set[256], size[48] = "";
    describe(&t->set, set, sizeof set);
    if (sh->sizes) snprintf(size, sizeof size, ", ~%.2f MB", t->bytes / 1048576.0);
    switch (t->status) {
    case AT_TRIAL_DONE:
    case AT_TRIAL_CUT:
        fprintf(stderr, "%s: trial %d: %s%s -> val_acc %.4f (val_loss %.4f, epoch %d%s), %.1fs%s\n", sh->cmd,
                t->index, set, size, t->val_accuracy, t->val_loss, t->best_epoch,
                t->status == AT_TRIAL_CUT ? ", cut short" : "", t->seconds, t->is_best ? "  * best so far" : "");
        break;
    case AT_TRIAL_DISCARDED:
        fprintf(stderr, "%s: trial %d: %s%s -> stopped before its first epoch ended: discarded, %.1fs\n", sh->cmd,
                t->index, set, size, t->seconds);
        break;
    case AT_TRIAL_FAILED:
        fprintf(stderr, "%s: trial %d: %s%s -> failed: %s, %.1fs\n", sh->cmd, t->index, set, size, t->error, t->seconds);
        break;
    case AT_TRIAL_TOO_BIG:
        fprintf(stderr, "%s: trial %d: %s%s -> exceeds --autotune-modelsize: skipped\n", sh->cmd, t->index, set, size);
        break;
    }
}

static void print_start(const train_args *a, const autotune_args *t, const autotune_opts *ao, size_t val_rows)
{
    char searched[128] = "", fixed[128] = "", lim[64] = "";
    for (int s = 0; (1 << s) <= AT_ALL; s++) {
        char *dst = ao->fixed & (1u << s) ? fixed : searched;
        snprintf(dst + strlen(dst), 128 - strlen(dst), "%s%s", *dst ? ", " : "", autotune_name(s));
    }
    if (t->trials) snprintf(lim, sizeof lim, " or %d trials", t->trials);
    fprintf(stderr, "%s: autotune: up to %gs%s, scored on the %zu rows of %s; searching %s%s%s; early stopping "
            "after %d epoch%s without improvement\n", a->cmd, t->duration, lim, val_rows, t->val_path, searched,
            *fixed ? "; held by the options: " : "", fixed, ao->patience, ao->patience == 1 ? "" : "s");
}

static void print_summary(const train_args *a, const autotune_result *r, double seconds)
{
    static const char *const ends[] = { "the time budget", "--autotune-trials", "an interruption: the best so far is kept",
                                        "no new candidate left" };
    fprintf(stderr, "%s: autotune: %d trial%s in %.1fs, ended by %s\n", a->cmd, r->trials, r->trials == 1 ? "" : "s",
            seconds, ends[r->end]);
    char set[256];
    describe(&r->set, set, sizeof set);
    if (!r->have_default)
        fprintf(stderr, "%s: autotune: best: trial %d (%s), val_acc %.4f; the default configuration was not scored\n",
                a->cmd, r->best, set, r->val_accuracy);
    else if (r->best == 1)
        fprintf(stderr, "%s: autotune: could not improve on the default configuration (val_acc %.4f): keeping it\n",
                a->cmd, r->default_accuracy);
    else
        fprintf(stderr, "%s: autotune: best: trial %d (%s), val_acc %.4f against the default configuration's %.4f (%+.4f)\n",
                a->cmd, r->best, set, r->val_accuracy, r->default_accuracy, r->val_accuracy - r->default_accuracy);
}

int cli_autotune_run(train_args *a, model *m, const dataset *tr, const encoded *etr, const encoded *eva)
{
    const autotune_args *t = a->autotune;
    if (dist_size() > 1) return err_set("--autotune-val runs in one process, not under mpirun");
    if (m->pretrained) return err_set("--autotune-val: the shape of a fine-tuned language model (--from %s) is not searched; train it without --autotune-val", a->from);
    if (!eva->n) return err_set("%s: no validation rows", t->val_path);
    shown sh = { a->cmd, t->modelsize > 0 };
    size_t head = 0;   /* the naive Bayes head, counted after the search, fits the limit too */
    if (a->naive_bayes && t->modelsize) {
        nb_head *h = trainer_count_head(a, m, etr);
        head = nbhead_bytes(h) + 5 * (64 + 128);   /* its tensors' alignment and headers */
        nbhead_free(h);
    }
    autotune_opts ao = {
        .start = t->start, .duration = t->duration, .max_trials = t->trials, .max_bytes = t->modelsize, .extra_bytes = head,
        .half = a->half, .fixed = t->fixed, .bag_dim = TRAIN_DEFAULT_BAG, .patience = a->to.early_stop ? a->to.early_stop : 2,
        .stop = a->to.stop, .report = a->quiet ? NULL : on_trial, .ctx = &sh,
        .data = tr->path, .val_path = t->val_path, .rows = tr->n,
        .pretrained = a->embed != NULL || (a->from && m->embed_info),
    };
    if (!a->quiet) print_start(a, t, &ao, eva->n);
    autotune_result res;
    if (autotune_search(m, etr, eva, &a->nc, &a->to, &ao, &res) < 0) return -1;
    a->half = a->half || res.set.half;
    if (!a->quiet) print_summary(a, &res, autotune_clock() - t->start);
    return 0;
}
