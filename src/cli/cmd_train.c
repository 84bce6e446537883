/* cmd_train.c - `seqsent train FILE -o MODEL`: data -> trained model file
 * (the steps: trainer.h). */
#include "cli/autotune.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "base/err.h"
#include "cli/trainer.h"
#include "train/dist.h"
#include "train/setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cmd_opt options[] = {
    TRAIN_OPTIONS_WITH(NAIVE_BAYES_ROWS, REFIT_ROWS),
    AUTOTUNE_OPTIONS,
    { 0 }
};

static const cmd_spec spec = {
    .name = "train", .usage = "[options] FILE -o MODEL", .opts = options,
    .summary =
    "Train a classifier: embedding -> recurrent layers (a bidirectional GRU by default;\n"
    "--keras: the Keras recipe's 2 x LSTM) -> dense sigmoid\n"
    "(2 labels) or softmax (3+ labels).  FILE is CSV/TSV with a label and a text column\n"
    "('-' = stdin).  Every setting is stored in the model file.",
    .notes = "Options that change results: --embed --freeze --embed-dim --cell --layers --hidden\n"
             "--bidirectional --dropout --word-dropout --adversarial --dense --pool --attention-units --maxlen --padding --truncating --mask --bucket --epochs\n"
             "--batch --shards --optimizer --lr --lr-decay --discriminative --gradual-unfreeze --slanted --weight-decay --momentum --clip-norm --ema --class-weight\n"
             "--seed --val-split --early-stop --min-count --max-size --naive-bayes and the tokenizer options.\n"
             "--bucket also skips padding steps, which changes results without --mask.  --threads\n"
             "never changes results: the same options give the same bits on any number of threads,\n"
             "and --resume keeps the checkpoint's --shards.  --quiet, --log, --save-every change\n"
             "nothing but output.  'mpirun -np N seqsent train ...' trains over N processes (or\n"
             "machines) with the same bits, rank 0 writing (an MPI build: see seqsent --version).\n"
             "--autotune-val FILE searches cell, direction, hidden size, dropout, learning rate, epochs and\n"
             "pooling in trials scored on FILE (a line each on stderr), writes the best (its settings in\n"
             "'seqsent info'); SIGINT ends the search with the best so far.\n",
};

static void parse_args(int argc, char **argv, train_args *a, autotune_args *t)
{
    trainer_init(a, &spec);
    cli_autotune_init(t);
    const char *arg;
    int c;
    while ((c = opt_next(&spec, argc, argv, &arg)) != -1)
        if (!cli_autotune_option(t, &spec, c, arg)) trainer_option(a, c, arg);
    int first = opt_operands();
    if (argc - first != 1) usage_error(&spec, argc - first ? "expected one training file" : "no training file given ('-' reads stdin)");
    a->train_path = argv[first];
    cli_autotune_check(t, a);   /* first: its file is the validation data trainer_check looks for */
    trainer_check(a);
}

/* Training rows and validation rows (a file, a split, or none: va->n = 0). */
static void load_data(train_args *a, dataset *tr, dataset *va)
{
    memset(va, 0, sizeof *va);
    if (cli_load_texts(a->train_path, &a->co, 1, tr) < 0) die_err(EXIT_FAIL);
    if (tr->n == 0) die(EXIT_FAIL, "%s: no training rows", a->train_path);
    label_stats ls;   /* every label with its count, and labels that look misread */
    label_stats_of(tr, &ls);
    if (!a->quiet && !a->resume_path)   /* a resumed run's labels are the checkpoint's */
        for (size_t i = 0; i < ls.n; i++)
            fprintf(stderr, "train:   label '%s': %zu row%s\n", ls.label[i], ls.count[i], ls.count[i] == 1 ? "" : "s");
    if (!a->allow_rare && check_labels(tr, &ls) < 0) die_err(EXIT_FAIL);
    label_stats_free(&ls);
    if (a->val_path && cli_load_texts(a->val_path, &a->co, 1, va) < 0) die_err(EXIT_FAIL);
    trainer_split(a, tr, va);
}

/* A --resume that finished a --refit's first run: the second is a fresh
 * run built from the options (network, tokenizer, vectors...) the first
 * was given, which the resume's command line does not repeat (they were
 * the checkpoint's), so they are parsed again from the file's record; the
 * file, the output, --threads and --quiet are the resume's. */
static void refit_resumed(train_args *a, dataset *tr, dataset *va)
{
    int n;
    char **argv = trainer_args_argv(a->refit_args, "train", &n);
    train_args b;
    autotune_args t;
    opt_reset();
    parse_args(n, argv, &b, &t);
    trainer_refit_resumed_args(&b, a);
    trainer_refit(&b, tr, va);
    trainer_args_free(argv, n);
}

int cmd_train(int argc, char **argv)
{
    train_args a;
    autotune_args t;
    parse_args(argc, argv, &a, &t);
    cli_join_job(&a.quiet, &a.to.quiet);
    a.to.threads = cli_set_threads(a.co.threads);
    if (a.refit) a.refit_args = trainer_args_json(argc, argv);
    dataset tr, va;
    load_data(&a, &tr, &va);
    trainer_run(&a, &tr, &va, NULL);
    if (a.refit_resumed) refit_resumed(&a, &tr, &va);
    else trainer_refit(&a, &tr, &va);
    cJSON_Delete(a.refit_args);
    dist_finish();
    dataset_free(&va);
    dataset_free(&tr);
    return EXIT_OK;
}
