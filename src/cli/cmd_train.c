/* cmd_train.c - `seqsent train FILE -o MODEL`: data -> trained model file. */
#include "cli/cli.h"
#include "cli/commands.h"
#include "base/err.h"
#include "cli/opts.h"
#include "cli/progress.h"
#include "train/plot.h"
#include "train/setup.h"
#include "train/train.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    O_FROM = 400, O_VOCAB, O_EMBED, O_FREEZE, O_EMBED_DIM, O_LAYERS, O_HIDDEN, O_MAXLEN,
    O_PADDING, O_TRUNCATING, O_EPOCHS, O_BATCH, O_LR, O_SEED, O_VAL, O_MASK, O_MIN_COUNT,
    O_MAX_SIZE, O_QUIET, O_RESUME, O_SAVE_EVERY, O_EARLY_STOP, O_CLIP_NORM, O_EMA, O_WORD_DROPOUT, O_HALF, O_LOG, O_VAL_SPLIT, O_BUCKET, O_CELL, O_BIDIR, O_DROPOUT, O_DENSE, O_OPTIM, O_WD, O_MOMENTUM,
    O_LR_DECAY, O_CLASS_WEIGHT, O_PLOT, O_POOL, O_SHARDS, O_ALLOW_RARE
};

/* One row per option: its metavar ("N", "FILE"...) says that it takes a
 * value, "" that it is a flag. */
#define OPT(name, id, metavar, help) { name, id, sizeof(metavar) > 1, metavar, help }

static const cmd_opt options[] = {
    OPT("output", 'o', "MODEL", "write the trained model here (required; written atomically)"),
    OPT("from", O_FROM, "FILE", "start from a file written by 'vocab', 'embed' or 'pretrain' (a language model: fine-tune its embedding and recurrent layers; their shape and --mask follow it)"),
    OPT("vocab", O_VOCAB, "FILE", "reuse a vocabulary: a model file or a 'token<TAB>count' listing"),
    OPT("embed", O_EMBED, "VECTORS", "initialise the embedding from word2vec vectors (text or binary, .gz ok); their words also become the segmentation dictionary unless --dict is given"),
    OPT("freeze", O_FREEZE, "", "do not train the embedding (frozen, as Keras trainable=False)"),
    OPT("embed-dim", O_EMBED_DIM, "N", "embedding size when no vectors are given (default 300); with vectors, must match them"),
    OPT("cell", O_CELL, "lstm|gru|rnn", "recurrent cell (default lstm; gru as Keras reset_after, rnn = SimpleRNN tanh)"),
    OPT("layers", O_LAYERS, "N", "stacked recurrent layers (default 2)"),
    OPT("hidden", O_HIDDEN, "H", "units per layer and direction (default 128)"),
    OPT("bidirectional", O_BIDIR, "", "read each layer's input both ways; outputs and final states concatenated"),
    OPT("dropout", O_DROPOUT, "P", "inverted dropout on every recurrent layer's input and before the dense layer (training only; default 0)"),
    OPT("dense", O_DENSE, "H", "a hidden ReLU dense layer of H units before the output (default none)"),
    OPT("pool", O_POOL, "last|max|mean", "summary of the top layer: final states (default, as Keras), or max / mean over time"),
    OPT("maxlen", O_MAXLEN, "N", "sequence length (default: 95th percentile of training lengths)"),
    OPT("padding", O_PADDING, "pre|post", "where padding goes (default pre, as Keras)"),
    OPT("truncating", O_TRUNCATING, "pre|post", "which end long texts lose (default pre, as Keras)"),
    OPT("mask", O_MASK, "", "skip padding steps (state carried through), as Keras mask_zero; stored in the model"),
    OPT("bucket", O_BUCKET, "", "batches of similar lengths, each trimmed to its longest row (faster; changes batch composition)"),
    OPT("epochs", O_EPOCHS, "N", "passes over the training data (default 5)"),
    OPT("batch", O_BATCH, "N", "mini-batch size (default 32)"),
    OPT("shards", O_SHARDS, "N", "cut each batch into N shards whose gradients are summed in a fixed order; threads share out the shards (default 2; at most 64)"),
    OPT("optimizer", O_OPTIM, "adam|adamw|sgd", "optimizer (default adam: beta1 .9, beta2 .999, eps 1e-7, as Keras)"),
    OPT("lr", O_LR, "RATE", "learning rate (default 0.001; 0.01 for sgd)"),
    OPT("lr-decay", O_LR_DECAY, "F", "multiply the learning rate by F after every epoch (default 1: constant)"),
    OPT("weight-decay", O_WD, "W", "decoupled weight decay for adamw (default 0.01; biases excluded)"),
    OPT("momentum", O_MOMENTUM, "M", "momentum for sgd (default 0.9)"),
    OPT("class-weight", O_CLASS_WEIGHT, "auto", "weight each class's loss by n / (classes x count), for imbalanced data"),
    OPT("seed", O_SEED, "N", "random seed: same seed, same model, whatever --threads (default 1)"),
    OPT("val", O_VAL, "FILE", "validation data, scored after every epoch"),
    OPT("val-split", O_VAL_SPLIT, "FRACTION", "hold out this fraction of the training rows for validation (chosen with --seed)"),
    OPT("early-stop", O_EARLY_STOP, "N", "stop when validation loss has not improved for N epochs; keep the best epoch's weights"),
    OPT("clip-norm", O_CLIP_NORM, "X", "scale gradients down when their global norm exceeds X"),
    OPT("word-dropout", O_WORD_DROPOUT, "P", "replace each token by <unk> with probability P while training (default 0)"),
    OPT("ema", O_EMA, "M", "keep a moving average of the weights (momentum M, e.g. 0.99) and use it for validation, early stopping and the saved model (Keras use_ema)"),
    OPT("save-every", O_SAVE_EVERY, "N", "write a checkpoint (with optimizer state) to the -o file every N epochs"),
    OPT("resume", O_RESUME, "CHECKPOINT", "continue an interrupted run from its checkpoint (same data; -o defaults to CHECKPOINT)"),
    OPT("log", O_LOG, "FILE", "append one JSON object per epoch (JSON lines)"),
    OPT("plot", O_PLOT, "FILE.svg", "draw the loss and accuracy curves (train, and validation if any) as an SVG chart"),
    OPT("min-count", O_MIN_COUNT, "N", "drop tokens seen fewer than N times (default 1)"),
    OPT("max-size", O_MAX_SIZE, "N", "keep at most N vocabulary entries incl. <pad> and <unk> (default all)"),
    OPT("threads", OPT_THREADS, "N", "CPU threads (default: all cores); changes speed only, never results (at most --shards of them train)"),
    OPT("allow-rare-labels", O_ALLOW_RARE, "", "accept a label seen once (or in < 1% of the median count) and labels differing only in case (by default an error: a header or row misread)"),
    OPT("quiet", O_QUIET, "", "no progress, label or per-epoch lines on stderr"),
    OPT("half", O_HALF, "", "store the trained weights as 16-bit floats: half the file; probabilities change in the 3rd-4th digit (checkpoints stay 32-bit)"),
    TOKENIZER_OPTS,
    DATA_OPTS,
    { 0 }
};

static const cmd_spec spec = {
    .name = "train", .usage = "[options] FILE -o MODEL", .opts = options,
    .summary =
    "Train a classifier: embedding -> recurrent layers (LSTM by default) -> dense sigmoid\n"
    "(2 labels) or softmax (3+ labels).  FILE is CSV/TSV with a label and a text column\n"
    "('-' = stdin).  Every setting is stored in the model file.",
    .notes = "Options that change results: --embed --freeze --embed-dim --cell --layers --hidden\n"
             "--bidirectional --dropout --word-dropout --dense --pool --maxlen --padding --truncating --mask --bucket --epochs\n"
             "--batch --shards --optimizer --lr --lr-decay --weight-decay --momentum --clip-norm --ema --class-weight\n"
             "--seed --val-split --early-stop --min-count --max-size and the tokenizer options.\n"
             "--bucket also skips padding steps, which changes results without --mask.  --threads\n"
             "never changes results: the same options give the same bits on any number of threads,\n"
             "and --resume keeps the checkpoint's --shards.  --quiet, --log, --save-every change\n"
             "nothing but output.\n",
};

/* What the command line asks for. */
typedef struct args {
    common_opts co;
    train_opts to;
    net_config nc;           /* the network's shape; its sizes from the data come later */
    const char *train_path, *out, *from, *vocab_path, *embed, *val_path, *resume_path, *plot_path;
    int embed_dim, maxlen, pad_pre, trunc_pre, half, quiet, allow_rare;
    int epochs_set, lr_set, wd_set, mom_set, shape_set;
    long min_count, max_size;
} args;

/* Options with a word for a value: its index, or a usage error. */
static int parse_word(int v, const char *opt, const char *expected, const char *arg)
{
    if (v < 0) usage_error(&spec, "--%s: expected %s, got '%s'", opt, expected, arg);
    return v;
}

static void parse_option(args *a, int c, const char *arg)
{
    train_opts *to = &a->to;
    net_config *nc = &a->nc;
    switch (c) {
    case 'o': a->out = arg; break;
    case O_FROM: a->from = arg; break;
    case O_VOCAB: a->vocab_path = arg; break;
    case O_EMBED: a->embed = arg; break;
    case O_FREEZE: nc->freeze = 1; break;
    case O_EMBED_DIM: a->embed_dim = (int)opt_long(&spec, "embed-dim", arg, 1, 4096); break;
    case O_LAYERS: nc->layers = (int)opt_long(&spec, "layers", arg, 1, 16); a->shape_set = 1; break;
    case O_HIDDEN: nc->hidden = (int)opt_long(&spec, "hidden", arg, 1, 4096); a->shape_set = 1; break;
    case O_MAXLEN: a->maxlen = (int)opt_long(&spec, "maxlen", arg, 1, 100000); break;
    case O_PADDING: a->pad_pre = opt_pre_post(&spec, "padding", arg); break;
    case O_TRUNCATING: a->trunc_pre = opt_pre_post(&spec, "truncating", arg); break;
    case O_MASK: nc->mask = 1; break;
    case O_BUCKET: to->bucket = 1; break;
    case O_CELL: nc->cell = (cell_type)parse_word(cell_parse(arg), "cell", "lstm, gru or rnn", arg); a->shape_set = 1; break;
    case O_BIDIR: nc->bidir = 1; a->shape_set = 1; break;
    case O_POOL: nc->pool = parse_word(pool_parse(arg), "pool", "last, max or mean", arg); break;
    case O_DROPOUT: nc->dropout = (float)opt_double(&spec, "dropout", arg, 0, 0.95); break;
    case O_DENSE: nc->dense = (int)opt_long(&spec, "dense", arg, 1, 65536); break;
    case O_OPTIM: to->optim = (optim_kind)parse_word(optim_parse(arg), "optimizer", "adam, adamw or sgd", arg); break;
    case O_WD: to->weight_decay = opt_double(&spec, "weight-decay", arg, 0, 10); a->wd_set = 1; break;
    case O_MOMENTUM: to->momentum = opt_double(&spec, "momentum", arg, 0, 0.9999); a->mom_set = 1; break;
    case O_LR_DECAY: to->lr_decay = opt_double(&spec, "lr-decay", arg, 1e-6, 1); break;
    case O_CLASS_WEIGHT:
        if (strcmp(arg, "auto")) usage_error(&spec, "--class-weight: only 'auto' is supported, got '%s'", arg);
        to->class_weight = 1;
        break;
    case O_EPOCHS: to->epochs = (int)opt_long(&spec, "epochs", arg, 1, 100000); a->epochs_set = 1; break;
    case O_BATCH: to->batch = (int)opt_long(&spec, "batch", arg, 1, 65536); break;
    case O_SHARDS: to->shards = (int)opt_long(&spec, "shards", arg, 1, TRAIN_MAX_SHARDS); break;
    case O_LR: to->lr = opt_double(&spec, "lr", arg, 1e-9, 10); a->lr_set = 1; break;
    case O_SEED: to->seed = (uint64_t)opt_long(&spec, "seed", arg, 0, 0x7fffffffL); break;
    case O_VAL: a->val_path = arg; break;
    case O_MIN_COUNT: a->min_count = opt_long(&spec, "min-count", arg, 1, 1L << 40); break;
    case O_MAX_SIZE: a->max_size = opt_long(&spec, "max-size", arg, 3, 1L << 30); break;
    case O_QUIET: a->quiet = 1; break;
    case O_ALLOW_RARE: a->allow_rare = 1; break;
    case O_RESUME: a->resume_path = arg; break;
    case O_SAVE_EVERY: to->save_every = (int)opt_long(&spec, "save-every", arg, 1, 100000); break;
    case O_EARLY_STOP: to->early_stop = (int)opt_long(&spec, "early-stop", arg, 1, 100000); break;
    case O_CLIP_NORM: to->clip_norm = opt_double(&spec, "clip-norm", arg, 1e-9, 1e9); break;
    case O_WORD_DROPOUT: to->word_dropout = opt_double(&spec, "word-dropout", arg, 0, 0.99); break;
    case O_HALF: a->half = 1; break;
    case O_EMA: to->ema = opt_double(&spec, "ema", arg, 1e-6, 0.999999); break;
    case O_LOG: to->log_path = arg; break;
    case O_PLOT: a->plot_path = arg; break;
    case O_VAL_SPLIT: to->val_split = opt_double(&spec, "val-split", arg, 0.0001, 0.9); break;
    }
}

/* The options, checked against each other; fresh-run defaults where not given. */
static void parse_args(int argc, char **argv, args *a)
{
    memset(a, 0, sizeof *a);
    common_opts_init(&a->co);
    train_opts_init(&a->to);
    a->nc = (net_config){ .layers = 2, .hidden = 128, .cell = CELL_LSTM, .pool = POOL_LAST };
    a->pad_pre = a->trunc_pre = 1;
    a->min_count = 1;
    const char *arg;
    int c;
    while ((c = opt_next(&spec, argc, argv, &arg)) != -1)
        if (!common_opt(&spec, &a->co, c, arg)) parse_option(a, c, arg);
    int first = opt_operands();
    if (argc - first != 1) usage_error(&spec, argc - first ? "expected one training file" : "no training file given ('-' reads stdin)");
    if (a->resume_path && !a->out) a->out = a->resume_path;
    if (!a->out) usage_error(&spec, "no output file: give -o MODEL");
    if (a->from && a->vocab_path) usage_error(&spec, "--from and --vocab both give a vocabulary; use one");
    if (a->resume_path && (a->from || a->vocab_path || a->embed || a->co.tok_set))
        usage_error(&spec, "--resume continues a run: its vocabulary, tokenizer and vectors come from the checkpoint");
    if (a->from && a->co.tok_set) usage_error(&spec, "tokenizer options cannot change a --from base (its vocabulary was built with its own tokenizer)");
    if (a->val_path && a->to.val_split > 0) usage_error(&spec, "--val and --val-split exclude each other");
    if (a->to.early_stop && !a->val_path && !(a->to.val_split > 0)) usage_error(&spec, "--early-stop needs validation data: --val FILE or --val-split FRACTION");
    a->to.quiet = a->quiet;
    a->to.out = a->out;
    train_opts_resolve(&a->to, a->lr_set, a->wd_set, a->mom_set);
    if (a->wd_set && a->to.optim != OPTIM_ADAMW) usage_error(&spec, "--weight-decay needs --optimizer adamw");
    if (a->mom_set && a->to.optim != OPTIM_SGD) usage_error(&spec, "--momentum needs --optimizer sgd");
    a->train_path = argv[first];
    cli_check_output(a->out);   /* before any work: a run must not be lost at the end */
    cli_check_output(a->plot_path);
    cli_check_output(a->to.log_path);
}

/* Training rows and validation rows (a file, a split, or none: va->n = 0). */
static void load_data(const args *a, dataset *tr, dataset *va)
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
    if (a->to.val_split > 0 && split_validation(tr, va, a->to.val_split, a->to.seed) < 0) die_err(EXIT_FAIL);
}

/* A base model file (--from) or vocabulary (--vocab, a model file or a listing). */
static void open_base(args *a, model *m)
{
    if (cli_load_base(m, a->from ? a->from : a->vocab_path) < 0) die_err(EXIT_FAIL);
    model_as_base(m, a->from != NULL);
    if (m->pretrained) {   /* a language model (pretrain): its encoder, fine-tuned */
        if (a->shape_set)
            usage_error(&spec, "--cell, --layers, --hidden and --bidirectional come from the language model %s", a->from);
        if (a->embed) usage_error(&spec, "--embed: the embedding comes from the language model %s", a->from);
        a->nc.mask = 1;   /* as it was pretrained: padding skipped */
    }
    if (!a->vocab_path) return;
    int is_model = is_model_file(a->vocab_path);
    if (a->co.tok_set && is_model)
        usage_error(&spec, "tokenizer options cannot change the tokenizer of the --vocab model file");
    if (!is_model && cli_setup_tokenizer(m, &a->co, a->embed) < 0) die_err(EXIT_FAIL);
}

/* The model to train: a checkpoint (--resume), a base, or a new vocabulary. */
static void open_model(args *a, const dataset *tr, model *m, train_state *st)
{
    if (a->resume_path) {
        int fresh_moments;
        int rc = train_resume(m, a->resume_path, &a->to, a->epochs_set, st, &fresh_moments);
        if (fresh_moments && !a->quiet)
            fprintf(stderr, "train: %s holds no optimizer state (a finished model): training on with fresh Adam moments\n", a->resume_path);
        if (rc < 0) die_err(EXIT_FAIL);
    } else if (a->from || a->vocab_path) {
        open_base(a, m);
    } else {
        model_init(m);
        if (cli_setup_tokenizer(m, &a->co, a->embed) < 0) die_err(EXIT_FAIL);
        cli_build_vocab(m, tr->text, tr->n, a->min_count, a->max_size);
    }
    model_tokenizer(m);
    if (!a->quiet)
        fprintf(stderr, "train: %zu rows from %s (%zu empty skipped)%s; vocabulary %zu; dictionary %s\n",
                tr->n, tr->path, tr->skipped_empty, a->to.val_split > 0 ? " after the validation split" : "",
                m->voc.n, m->dict_source);
}

/* A fresh run's embedding, labels and sequence settings. */
static void shape_model(const args *a, model *m, const dataset *tr)
{
    if (a->embed && cli_embed(m, a->embed, a->embed_dim, a->quiet) < 0) die_err(EXIT_FAIL);
    if (m->emb && a->embed_dim && a->embed_dim != m->embed_dim)
        usage_error(&spec, "--embed-dim %d differs from the vectors' dimension %d", a->embed_dim, m->embed_dim);
    if (!m->emb) {
        if (a->nc.freeze && !a->quiet) fprintf(stderr, "train: note: --freeze without vectors keeps a random embedding fixed\n");
        m->embed_dim = a->embed_dim ? a->embed_dim : 300;
    }
    if (setup_labels_and_sequence(m, tr, a->maxlen, a->pad_pre, a->trunc_pre) < 0) die_err(EXIT_FAIL);
}

static void encode_data(const args *a, model *m, const dataset *tr, const dataset *va, encoded *etr, encoded *eva)
{
    if (encode_dataset(m, tr, 1, etr) < 0) die_err(EXIT_FAIL);
    if (va->n && encode_dataset(m, va, 1, eva) < 0) die_err(EXIT_FAIL);
    if (!a->quiet)
        fprintf(stderr, "train: %d labels (%s%s%s); maxlen %d%s; %.1f%% of tokens unknown\n", m->nlabels,
                m->labels[0], m->nlabels > 1 ? ", " : "", m->nlabels == 2 ? m->labels[1] : "...",
                m->maxlen, a->maxlen || a->resume_path ? "" : " (95th percentile)",
                etr->tokens ? 100.0 * etr->unknown / etr->tokens : 0.0);
}

/* The trained model to -o, the curves to --plot. */
static void write_outputs(const args *a, model *m, const dataset *tr)
{
    m->half = a->half;
    if (model_save(m, a->out) < 0) die_err(EXIT_FAIL);
    if (!a->quiet) fprintf(stderr, "train: wrote %s\n", a->out);
    if (!a->plot_path) return;
    char title[512];
    snprintf(title, sizeof title, "seqsent train %s: %s %dx%d%s", tr->path, cell_name(m->net->cfg.cell),
             m->net->cfg.layers, m->net->cfg.hidden, m->net->cfg.bidir ? " bidirectional" : "");
    if (plot_history_svg(cJSON_GetObjectItemCaseSensitive(m->train_info, "history"), title, a->plot_path) < 0)
        die_err(EXIT_FAIL);
    if (!a->quiet) fprintf(stderr, "train: wrote %s\n", a->plot_path);
}

int cmd_train(int argc, char **argv)
{
    args a;
    parse_args(argc, argv, &a);
    a.to.threads = cli_set_threads(a.co.threads);
    dataset tr, va;
    load_data(&a, &tr, &va);
    model m;
    train_state st;
    open_model(&a, &tr, &m, &st);
    if (!a.resume_path) shape_model(&a, &m, &tr);
    encoded etr, eva;
    encode_data(&a, &m, &tr, &va, &etr, &eva);
    if (!a.resume_path) {
        int encoder = m.pretrained != NULL;
        if (setup_network(&m, &a.nc, &a.to) < 0) die_err(EXIT_FAIL);
        train_opts_to_json(&a.to, m.train_info = cJSON_CreateObject(), tr.path, tr.n,
                           a.embed != NULL || (a.from && m.embed_info));
        if (encoder) cJSON_AddStringToObject(m.train_info, "encoder", a.from);
    }
    float *cw = a.to.class_weight ? class_weights(&etr, m.nlabels) : NULL;
    a.to.class_w = cw;
    progress pg;
    progress_attach(&pg, "train", &a.to);
    int rc = train_run(&m, &etr, va.n ? &eva : NULL, &a.to, a.resume_path ? &st : NULL);
    if (rc < 0) die_err(EXIT_FAIL);
    if (rc == TRAIN_INTERRUPTED) exit(progress_signal() == SIGTERM ? EXIT_SIGTERM : EXIT_SIGINT);
    write_outputs(&a, &m, &tr);
    free(cw);
    encoded_free(&etr);
    if (va.n) encoded_free(&eva);
    dataset_free(&va);
    dataset_free(&tr);
    model_free(&m);
    return EXIT_OK;
}
