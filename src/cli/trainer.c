/* trainer.c - the steps of `train` (see trainer.h), shared with distill. */
#include "cli/trainer.h"
#include "cli/autotune.h"
#include "cli/cli.h"
#include "base/err.h"
#include "model/netfile.h"
#include "cli/progress.h"
#include "train/plot.h"
#include "train/dist.h"
#include "train/setup.h"
#include "train/train.h"
#include "train/word2vec.h"
#include "text/augment.h"
#include "nn/nbhead.h"
#include "text/chargrams.h"
#include "train/metrics.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Options with a word for a value: its index, or a usage error. */
static int parse_word(const train_args *a, int v, const char *opt, const char *expected, const char *arg)
{
    if (v < 0) usage_error(a->spec, "--%s: expected %s, got '%s'", opt, expected, arg);
    return v;
}

/* --naive-bayes-chars MIN-MAX, N (N-N) or 0 (none) */
static void parse_nb_chars(train_args *a, const char *arg)
{
    int lo = -1, hi = -1, used = 0;
    if (!strcmp(arg, "0")) {
        a->nb_cmin = a->nb_cmax = 0;
        return;
    }
    if (!(sscanf(arg, "%d-%d%n", &lo, &hi, &used) == 2 && !arg[used])) {   /* not MIN-MAX: N, or nothing we read */
        used = 0;
        if (sscanf(arg, "%d%n", &lo, &used) == 1 && !arg[used]) hi = lo;
        else lo = -1;
    }
    if (lo < 1 || hi < lo || hi > CHARGRAM_MAX_N)
        usage_error(a->spec, "--naive-bayes-chars %s: give MIN-MAX, 1 <= MIN <= MAX <= %d (e.g. 3-6), or 0 for none", arg,
                    CHARGRAM_MAX_N);
    a->nb_cmin = lo;
    a->nb_cmax = hi;
}

int trainer_option(train_args *a, int c, const char *arg)
{
    if (common_opt(a->spec, &a->co, c, arg)) return 1;
    train_opts *to = &a->to;
    net_config *nc = &a->nc;
    if (c >= O_FROM && c < O_TRAINER_END) a->given[(c - O_FROM) / 64] |= 1ULL << ((c - O_FROM) % 64);
    switch (c) {
    case O_KERAS: a->keras = 1; break;
    case O_WORD2VEC: a->word2vec = 1; break;
    case O_NO_MASK: case O_NO_BUCKET: case O_NO_WORD2VEC: break;   /* only given (bit above) */
    case O_NO_BIDIR: a->shape_set = 1; break;
    case 'o': a->out = arg; break;
    case O_FROM: a->from = arg; break;
    case O_VOCAB: a->vocab_path = arg; break;
    case O_EMBED: a->embed = arg; break;
    case O_FREEZE: nc->freeze = 1; break;
    case O_EMBED_DIM: a->embed_dim = (int)opt_long(a->spec, "embed-dim", arg, 1, 4096); break;
    case O_LAYERS: nc->layers = (int)opt_long(a->spec, "layers", arg, 1, 16); a->shape_set = 1; break;
    case O_HIDDEN: nc->hidden = (int)opt_long(a->spec, "hidden", arg, 1, 4096); a->shape_set = 1; break;
    case O_MAXLEN: a->maxlen = (int)opt_long(a->spec, "maxlen", arg, 1, 100000); break;
    case O_PADDING: a->pad_pre = opt_pre_post(a->spec, "padding", arg); break;
    case O_TRUNCATING: a->trunc_pre = opt_pre_post(a->spec, "truncating", arg); break;
    case O_MASK: nc->mask = 1; break;
    case O_BUCKET: to->bucket = 1; break;
    case O_CELL: nc->cell = (cell_type)parse_word(a, cell_parse(arg), "cell", "lstm, gru or rnn", arg); a->shape_set = 1; break;
    case O_BIDIR: nc->bidir = 1; a->shape_set = 1; break;
    case O_POOL: nc->pool = parse_word(a, pool_parse(arg), "pool", "last, max, mean or attention", arg); break;
    case O_DROPOUT: nc->dropout = (float)opt_double(a->spec, "dropout", arg, 0, 0.95); break;
    case O_ATTN_UNITS: nc->attn = (int)opt_long(a->spec, "attention-units", arg, 1, 65536); break;
    case O_DENSE: nc->dense = (int)opt_long(a->spec, "dense", arg, 1, 65536); break;
    case O_BAG: nc->bag_dim = (int)opt_long(a->spec, "bag", arg, 0, 4096); break;
    case O_BAG_BUCKETS: nc->bag_buckets = (int)opt_long(a->spec, "bag-buckets", arg, 1, 1L << 26); break;
    case O_OPTIM: to->optim = (optim_kind)parse_word(a, optim_parse(arg), "optimizer", "adam, adamw or sgd", arg); break;
    case O_WD: to->weight_decay = opt_double(a->spec, "weight-decay", arg, 0, 10); a->wd_set = 1; break;
    case O_MOMENTUM: to->momentum = opt_double(a->spec, "momentum", arg, 0, 0.9999); a->mom_set = 1; break;
    case O_DISCR: to->discriminative = opt_double(a->spec, "discriminative", arg, 1, 100); break;
    case O_UNFREEZE: to->gradual_unfreeze = 1; break;
    case O_SLANTED: to->slanted = 1; break;
    case O_LR_DECAY: to->lr_decay = opt_double(a->spec, "lr-decay", arg, 1e-6, 1); break;
    case O_CLASS_WEIGHT:
        if (strcmp(arg, "auto")) usage_error(a->spec, "--class-weight: only 'auto' is supported, got '%s'", arg);
        to->class_weight = 1;
        break;
    case O_EPOCHS: to->epochs = (int)opt_long(a->spec, "epochs", arg, 1, 100000); a->epochs_set = 1; break;
    case O_BATCH: to->batch = (int)opt_long(a->spec, "batch", arg, 1, 65536); break;
    case O_SHARDS: to->shards = (int)opt_long(a->spec, "shards", arg, 1, TRAIN_MAX_SHARDS); break;
    case O_LR: to->lr = opt_double(a->spec, "lr", arg, 1e-9, 10); a->lr_set = 1; break;
    case O_SEED: to->seed = (uint64_t)opt_long(a->spec, "seed", arg, 0, 0x7fffffffL); break;
    case O_VAL: a->val_path = arg; break;
    case O_MIN_COUNT: a->min_count = opt_long(a->spec, "min-count", arg, 1, 1L << 40); break;
    case O_MATCH_UNKNOWN: a->match_unknown = opt_double(a->spec, "match-unknown", arg, 0, 1); break;
    case O_MAX_SIZE: a->max_size = opt_long(a->spec, "max-size", arg, 3, 1L << 30); break;
    case O_QUIET: a->quiet = 1; break;
    case O_ALLOW_RARE: a->allow_rare = 1; break;
    case O_MULTILABEL: a->multilabel = 1; break;
    case O_NAIVE_BAYES: case O_NO_NAIVE_BAYES: break;   /* only given: apply_defaults */
    case O_NB_WEIGHT: a->nb_weight = opt_double(a->spec, "naive-bayes-weight", arg, 0, 1); break;
    case O_NB_SCALE: a->nb_scale = opt_double(a->spec, "naive-bayes-scale", arg, 0.001, 100); break;
    case O_REFIT: a->refit = 1; break;
    case O_NB_CHARS: parse_nb_chars(a, arg); break;
    case O_RESUME: a->resume_path = arg; break;
    case O_SAVE_EVERY: to->save_every = (int)opt_long(a->spec, "save-every", arg, 1, 100000); break;
    case O_EARLY_STOP: to->early_stop = (int)opt_long(a->spec, "early-stop", arg, 0, 100000); break;
    case O_MONITOR:
        to->monitor_accuracy = parse_word(a, !strcmp(arg, "accuracy") ? 1 : !strcmp(arg, "loss") ? 0 : -1, "monitor",
                                          "loss or accuracy", arg);
        break;
    case O_CLIP_NORM: to->clip_norm = opt_double(a->spec, "clip-norm", arg, 1e-9, 1e9); break;
    case O_WORD_DROPOUT: to->word_dropout = opt_double(a->spec, "word-dropout", arg, 0, 0.99); break;
    case O_ADVERSARIAL: to->adversarial = opt_double(a->spec, "adversarial", arg, 0, 10); break;
    case O_HALF: a->half = 1; break;
    case O_EMA:   /* 0 = off; below 1e-6 an average of nothing */
        to->ema = opt_double(a->spec, "ema", arg, 0, 0.999999);
        if (to->ema > 0 && to->ema < 1e-6) usage_error(a->spec, "--ema %s: give 0 (off) or a momentum from 1e-6 to 0.999999", arg);
        break;
    case O_LOG: to->log_path = arg; break;
    case O_PLOT: a->plot_path = arg; break;
    case O_VAL_SPLIT: to->val_split = opt_double(a->spec, "val-split", arg, 0, 0.9); break;
    default: return 0;
    }
    return 1;
}

void trainer_init(train_args *a, const cmd_spec *spec)
{
    memset(a, 0, sizeof *a);
    a->spec = spec;
    a->cmd = spec->name;
    common_opts_init(&a->co);
    train_opts_init(&a->to);
    a->nc = (net_config){ 0 };   /* apply_defaults */
    a->pad_pre = a->trunc_pre = 1;
    a->min_count = 1;
    a->nb_weight = a->nb_scale = NAN;
    a->nb_cmin = TRAIN_DEFAULT_NB_CMIN;
    a->nb_cmax = TRAIN_DEFAULT_NB_CMAX;
    a->refit_weight = a->refit_scale = NAN;
}

_Static_assert(O_TRAINER_END - O_FROM <= 128, "train_args.given has a bit per train option");
static int given(const train_args *a, int opt) { return (int)(a->given[(opt - O_FROM) / 64] >> ((opt - O_FROM) % 64) & 1); }
/* --naive-bayes-weight or --naive-bayes-scale given: the head is asked for */
static int nb_fixed(const train_args *a) { return given(a, O_NB_WEIGHT) || given(a, O_NB_SCALE); }
/* any option that shapes the head */
static int nb_shaped(const train_args *a) { return nb_fixed(a) || given(a, O_NB_CHARS); }

/* --X and --no-X: whether X is on (the default when neither was given). */
static int on_off(const train_args *a, int on, int off, const char *name, int dflt)
{
    if (given(a, on) && given(a, off)) usage_error(a->spec, "--%s and --no-%s exclude each other", name, name);
    return given(a, on) ? 1 : given(a, off) ? 0 : dflt;
}

/* The defaults (trainer.h) for the settings not given: train's own, or
 * with --keras the recipe's.  A resumed run's come from its checkpoint. */
static void apply_defaults(train_args *a)
{
    net_config *nc = &a->nc;
    train_opts *to = &a->to;
    int k = a->keras;
    nc->mask = on_off(a, O_MASK, O_NO_MASK, "mask", !k);
    to->bucket = on_off(a, O_BUCKET, O_NO_BUCKET, "bucket", !k);
    nc->bidir = on_off(a, O_BIDIR, O_NO_BIDIR, "bidirectional", !k);
    if (!given(a, O_CELL)) nc->cell = k ? CELL_LSTM : CELL_GRU;
    if (!given(a, O_LAYERS)) nc->layers = k ? 2 : 1;
    if (!given(a, O_POOL)) nc->pool = k ? POOL_LAST : POOL_MEAN;
    if (!given(a, O_DROPOUT)) nc->dropout = k ? 0 : TRAIN_DEFAULT_DROPOUT;
    if (!given(a, O_HIDDEN)) nc->hidden = k ? 128 : TRAIN_DEFAULT_HIDDEN;
    if (!given(a, O_BAG_BUCKETS)) nc->bag_buckets = TRAIN_DEFAULT_BAG_BUCKETS;
    if (given(a, O_BAG_BUCKETS) && (k || (given(a, O_BAG) && !nc->bag_dim)))
        usage_error(a->spec, "--bag-buckets sizes the bag, which is off here: give --bag G too");
    if (!given(a, O_BATCH)) to->batch = k ? 32 : TRAIN_DEFAULT_BATCH;
    if (!a->lr_set) to->lr = k ? 0.001 : TRAIN_DEFAULT_LR;   /* SGD's: train_opts_resolve */
    if (!given(a, O_EPOCHS)) to->epochs = k ? 5 : TRAIN_DEFAULT_EPOCHS;
    if (!given(a, O_ADVERSARIAL)) to->adversarial = k ? 0 : TRAIN_DEFAULT_ADVERSARIAL;
    if (!given(a, O_EMA)) to->ema = k ? 0 : TRAIN_DEFAULT_EMA;
    if (!given(a, O_MATCH_UNKNOWN)) a->match_unknown = k ? 0 : TRAIN_DEFAULT_MATCH_UNKNOWN;
    a->naive_bayes = on_off(a, O_NAIVE_BAYES, O_NO_NAIVE_BAYES, "naive-bayes", !k && TRAIN_DEFAULT_NAIVE_BAYES);
    if (nb_fixed(a)) a->naive_bayes = 1;   /* --no-naive-bayes with them: trainer_check */
    if (!k && !a->val_path && !given(a, O_VAL_SPLIT)) {   /* (--autotune-val sets val_path) */
        to->val_split = TRAIN_DEFAULT_VAL_SPLIT;
        a->val_auto = 1;
    }
    if (!k && !given(a, O_EARLY_STOP) && (a->val_path || to->val_split > 0)) to->early_stop = TRAIN_DEFAULT_PATIENCE;
    /* no vectors given: word2vec on the training texts first (mr: validation
     * accuracy +1.1 points over a random embedding, BENCHMARKS.md) */
    int w2v = on_off(a, O_WORD2VEC, O_NO_WORD2VEC, "word2vec", -1);
    a->word2vec_auto = w2v < 0 && !k && !a->embed && !a->from;
    a->word2vec = w2v == 1;
}

/* The options, checked against each other; fresh-run defaults where not given. */
void trainer_check(train_args *a)
{
    if (a->resume_path && !a->out) a->out = a->resume_path;
    if (!a->out) usage_error(a->spec, "no output file: give -o MODEL");
    if (a->from && a->vocab_path) usage_error(a->spec, "--from and --vocab both give a vocabulary; use one");
    if (a->resume_path && (a->from || a->vocab_path || a->embed || a->co.tok_set))
        usage_error(a->spec, "--resume continues a run: its vocabulary, tokenizer and vectors come from the checkpoint");
    if (a->resume_path && (given(a, O_BAG) || given(a, O_BAG_BUCKETS)))
        usage_error(a->spec, "--resume continues a run: its network, the bag included, comes from the checkpoint");
    if (a->resume_path && given(a, O_MATCH_UNKNOWN))
        usage_error(a->spec, "--resume continues a run: how it reads unknown words comes from the checkpoint");
    if (a->resume_path && a->refit)
        usage_error(a->spec, "--resume continues a run: whether it refits comes from the checkpoint");
    if (a->resume_path && a->multilabel)
        usage_error(a->spec, "--resume continues a run: whether it is multi-label comes from the checkpoint");
    if (a->word2vec && (a->embed || a->from || a->resume_path))
        usage_error(a->spec, "--word2vec makes the embedding's vectors: not with --embed, --from or --resume");
    if (a->from && a->co.tok_set) usage_error(a->spec, "tokenizer options cannot change a --from base (its vocabulary was built with its own tokenizer)");
    if (a->resume_path && (given(a, O_VAL_SPLIT) || given(a, O_EARLY_STOP) || given(a, O_MONITOR) || a->keras))
        usage_error(a->spec, "--resume continues a run: its validation split, early stopping, monitor and defaults come from the checkpoint");
    if (a->resume_path) {
        if (train_resume_settings(a->resume_path, &a->to) < 0) die_err(EXIT_FAIL);
    } else {
        apply_defaults(a);
    }
    if (a->val_path && a->to.val_split > 0) usage_error(a->spec, "--val and --val-split exclude each other");
    int has_val = a->val_path || a->to.val_split > 0, both = given(a, O_NB_WEIGHT) && given(a, O_NB_SCALE);
    if (nb_shaped(a) && given(a, O_NO_NAIVE_BAYES))
        usage_error(a->spec, "--naive-bayes-%s sets the head --no-naive-bayes leaves out; give one or the other",
                    given(a, O_NB_WEIGHT) ? "weight" : given(a, O_NB_SCALE) ? "scale" : "chars");
    if (nb_shaped(a) && a->resume_path)
        usage_error(a->spec, "--resume continues a run: its naive Bayes head's weight, scale and n-grams come from the checkpoint");
    if ((given(a, O_NAIVE_BAYES) || nb_fixed(a)) && !has_val && !both)
        usage_error(a->spec, "--naive-bayes weighs its head on validation rows: give --val FILE or --val-split FRACTION, "
                             "or both --naive-bayes-weight and --naive-bayes-scale");
    if ((given(a, O_NAIVE_BAYES) || nb_fixed(a)) && a->multilabel)
        usage_error(a->spec, "--naive-bayes: one label a row only, not --multilabel");
    if (a->multilabel || (!has_val && !both)) a->naive_bayes = 0;   /* the default's: none here */
    if (a->refit && a->val_path)
        usage_error(a->spec, "--refit trains again on the validation split's rows too: give --val-split, not --val FILE");
    if (a->refit && !(a->to.val_split > 0))
        usage_error(a->spec, "--refit trains again with the epochs a validation split chose: give --val-split FRACTION (the default, not with --keras)");
    if (given(a, O_ATTN_UNITS) && a->nc.pool != POOL_ATTN && !a->autotune)
        usage_error(a->spec, "--attention-units sizes attention pooling: give --pool attention too");
    if (a->refit && a->autotune) usage_error(a->spec, "--refit: not with --autotune-val (the search chooses on its own file)");
    if (a->to.early_stop && !a->val_path && !(a->to.val_split > 0))
        usage_error(a->spec, a->resume_path ? "the checkpoint stops early on validation data: give its --val FILE again"
                                            : "--early-stop needs validation data: --val FILE or --val-split FRACTION");
    a->to.quiet = a->quiet;
    a->to.out = a->out;
    train_opts_resolve(&a->to, a->lr_set, a->wd_set, a->mom_set);
    if (a->wd_set && a->to.optim != OPTIM_ADAMW) usage_error(a->spec, "--weight-decay needs --optimizer adamw");
    if (a->mom_set && a->to.optim != OPTIM_SGD) usage_error(a->spec, "--momentum needs --optimizer sgd");
    cli_check_output(a->out);   /* before any work: a run must not be lost at the end */
    cli_check_output(a->plot_path);
    cli_check_output(a->to.log_path);
}

void trainer_split(train_args *a, dataset *tr, dataset *va)
{
    if (a->val_auto && tr->n < TRAIN_AUTO_SPLIT_MIN_ROWS) {   /* too few rows to hold some out */
        a->to.val_split = 0;
        a->to.early_stop = 0;
        if (!a->quiet)
            fprintf(stderr, "%s: note: %zu rows: no validation split (it needs %d); all %d epochs run\n",
                    a->cmd, tr->n, TRAIN_AUTO_SPLIT_MIN_ROWS, a->to.epochs);
    }
    if (a->to.val_split > 0 && split_validation(tr, va, a->to.val_split, a->to.seed) < 0) die_err(EXIT_FAIL);
}

/* A base model file (--from) or vocabulary (--vocab, a model file or a listing). */
static void open_base(train_args *a, model *m, const dataset *tr)
{
    if (cli_load_base(m, a->from ? a->from : a->vocab_path) < 0) die_err(EXIT_FAIL);
    model_as_base(m, a->from != NULL);
    if (m->pretrained) {   /* a language model (pretrain): its encoder, fine-tuned */
        if (a->shape_set)
            usage_error(a->spec, "--cell, --layers, --hidden and --bidirectional come from the language model %s", a->from);
        if (a->embed) usage_error(a->spec, "--embed: the embedding comes from the language model %s", a->from);
        a->nc.mask = 1;   /* as it was pretrained: padding skipped */
    }
    if (!a->vocab_path) return;
    int is_model = is_model_file(a->vocab_path);
    if (a->co.tok_set && is_model)
        usage_error(a->spec, "tokenizer options cannot change the tokenizer of the --vocab model file");
    if (!is_model && cli_setup_tokenizer(m, &a->co, a->embed, tr->text, tr->n, a->quiet ? NULL : a->cmd) < 0) die_err(EXIT_FAIL);
}

/* The training rows read from files: distill --augment's copies follow them. */
static size_t own_rows(const train_args *a, const dataset *tr)
{
    return a->own_rows && a->own_rows < tr->n ? a->own_rows : tr->n;
}

/* The rows a new vocabulary (and the tokenizer's language) comes from: the
 * training file's, the rows held out by --val-split included -- the split
 * is about labels, and this way the vocabulary does not depend on --seed,
 * so models of one file with different seeds can join an ensemble. */
static dataset vocab_rows(const train_args *a, const dataset *tr, const dataset *va)
{
    dataset all = *tr;
    all.n = own_rows(a, tr);
    if (!(a->to.val_split > 0) || !va->n) return all;
    all.text = xmalloc((all.n + va->n) * sizeof *all.text);
    memcpy(all.text, tr->text, all.n * sizeof *all.text);
    memcpy(all.text + all.n, va->text, va->n * sizeof *all.text);
    all.n += va->n;
    return all;
}

/* The model to train: a checkpoint (--resume), a base, or a new vocabulary. */
static void open_model(train_args *a, const dataset *tr, const dataset *va, model *m, train_state *st)
{
    if (a->resume_path) {
        int fresh_moments;
        int rc = train_resume(m, a->resume_path, &a->to, a->epochs_set, st, &fresh_moments);
        if (fresh_moments && !a->quiet)
            fprintf(stderr, "%s: %s holds no optimizer state (a finished model): training on with fresh Adam moments\n", a->cmd, a->resume_path);
        if (rc < 0) die_err(EXIT_FAIL);
    } else if (a->from || a->vocab_path) {
        dataset all = vocab_rows(a, tr, va);
        open_base(a, m, &all);
        if (all.text != tr->text) free(all.text);
    } else {
        model_init(m);
        dataset all = vocab_rows(a, tr, va);
        if (cli_setup_tokenizer(m, &a->co, a->embed, all.text, all.n, a->quiet ? NULL : a->cmd) < 0) die_err(EXIT_FAIL);
        cli_build_vocab(m, all.text, all.n, a->min_count, a->max_size);
        if (all.text != tr->text) free(all.text);
    }
    model_tokenizer(m);
    if (!a->quiet)
        fprintf(stderr, "%s: %zu rows from %s (%zu empty skipped)%s; vocabulary %zu; dictionary %s\n",
                a->cmd, tr->n, tr->path, tr->skipped_empty, a->to.val_split > 0 ? " after the validation split" : "",
                m->voc.n, m->dict_source);
}

/* Rows of d with 2 or more labels. */
static size_t multi_rows(const dataset *d)
{
    size_t n = 0;
    for (size_t i = 0; i < d->n; i++) n += label_count(d->label[i]) > 1;
    return n;
}

/* Whether a fresh run is multi-label: --multilabel, or data with a row of
 * several labels (said on stderr: a fastText user expects -loss ova). */
static void decide_multilabel(const train_args *a, model *m, const dataset *tr, const dataset *va)
{
    size_t rows = multi_rows(tr);
    m->multilabel = a->multilabel || rows > 0;
    if (!m->multilabel && va->n && multi_rows(va))
        die(EXIT_FAIL, "%s: the validation rows have several labels on a line and the training rows one: "
            "pass --multilabel to train a multi-label model", va->path);
    if (m->multilabel && !a->quiet)
        fprintf(stderr, "%s: multi-label (%s%zu of %zu rows have 2+ labels): one sigmoid per label, binary "
                "cross-entropy each (fastText's -loss ova); predict gives every label with p >= 0.5\n", a->cmd,
                a->multilabel ? "--multilabel; " : "", rows, tr->n);
}

/* A fresh run's embedding, labels and sequence settings. */
/* --word2vec: skip-gram vectors of the vocabulary's words trained on the
 * training texts, as the embedding's start (pad and unk rows zero).  One
 * thread, seeded by --seed, so the model does not depend on --threads; the
 * epochs shrink with the corpus: about 4M words of training, 5 to 20 passes.
 * Its vectors have --embed-dim dimensions, else W2V_DEFAULT_DIM. */
enum { W2V_DEFAULT_DIM = 64 };
static void self_vectors(const train_args *a, model *m, const dataset *tr)
{
    size_t n, words;
    int32_t *corpus = w2v_corpus(model_tokenizer(m), &m->voc, tr->text, own_rows(a, tr), &n, &words);
    w2v_opts o;
    w2v_opts_default(&o);
    o.dim = a->embed_dim ? a->embed_dim : W2V_DEFAULT_DIM;
    o.seed = a->to.seed;
    double ep = words ? 4e6 / (double)words : 20;
    o.epochs = ep > 20 ? 20 : ep < 5 ? 5 : (int)ep;
    if (!a->quiet)
        fprintf(stderr, "%s: word2vec on the training texts (%zu words, %d-d, %d epochs) for the embedding\n",
                a->cmd, words, o.dim, o.epochs);
    float *v = w2v_train(corpus, n, m->voc.counts, m->voc.n, &o, NULL);
    free(corpus);
    cJSON *e = cli_set_embedding(m, v, o.dim, "word2vec on the training texts");
    cJSON_AddNumberToObject(e, "epochs", o.epochs);
    cJSON_AddNumberToObject(e, "words", (double)words);
}

static void shape_model(const train_args *a, model *m, const dataset *tr, const dataset *va)
{
    if (a->embed && cli_embed(m, a->embed, a->embed_dim, a->quiet) < 0) die_err(EXIT_FAIL);
    int w2v = a->word2vec || (a->word2vec_auto && !m->emb);
    if (m->emb && a->embed_dim && a->embed_dim != m->embed_dim)
        usage_error(a->spec, "--embed-dim %d differs from the vectors' dimension %d", a->embed_dim, m->embed_dim);
    if (!m->emb) {
        if (a->nc.freeze && !w2v && !a->quiet)
            fprintf(stderr, "%s: note: --freeze without vectors keeps a random embedding fixed\n", a->cmd);
        m->embed_dim = a->embed_dim ? a->embed_dim : w2v ? W2V_DEFAULT_DIM : 300;
    }
    dataset all = vocab_rows(a, tr, va);   /* only its texts are read */
    int rc = setup_labels_and_sequence(m, tr, &all, a->maxlen, a->pad_pre, a->trunc_pre);
    if (all.text != tr->text) free(all.text);
    if (rc < 0) die_err(EXIT_FAIL);
    if (w2v) {   /* settings that cannot fit are refused before word2vec's minutes */
        net_config nc = a->nc;
        if (!a->autotune && setup_shape(m, &nc, &a->to) < 0) die_err(EXIT_FAIL);
        self_vectors(a, m, tr);
    }
}

static void encode_data(const train_args *a, model *m, const dataset *tr, const dataset *va, encoded *etr, encoded *eva)
{
    if (encode_dataset(m, tr, 1, etr) < 0) die_err(EXIT_FAIL);
    if (va->n && encode_dataset(m, va, 1, eva) < 0) die_err(EXIT_FAIL);
    if (!a->quiet)
        fprintf(stderr, "%s: %d labels%s (%s%s%s); maxlen %d%s; %.1f%% of tokens unknown\n", a->cmd, m->nlabels,
                m->multilabel ? ", multi-label" : "",
                m->labels[0], m->nlabels > 1 ? ", " : "", m->nlabels == 2 ? m->labels[1] : "...",
                m->maxlen, a->maxlen || a->resume_path ? "" : " (95th percentile)",
                etr->tokens ? 100.0 * etr->unknown / etr->tokens : 0.0);
}

/* The trained model to -o, the curves to --plot. */
static void write_outputs(const train_args *a, model *m, const dataset *tr)
{
    m->store = a->half ? STORE_F16 : STORE_F32;
    if (model_save(m, a->out) < 0) die_err(EXIT_FAIL);
    if (!a->quiet) fprintf(stderr, "%s: wrote %s\n", a->cmd, a->out);
    if (!a->plot_path) return;
    char title[512];
    snprintf(title, sizeof title, "seqsent %s %s: %s %dx%d%s", a->cmd, tr->path, cell_name(m->net->cfg.cell),
             m->net->cfg.layers, m->net->cfg.hidden, m->net->cfg.bidir ? " bidirectional" : "");
    if (plot_history_svg(cJSON_GetObjectItemCaseSensitive(m->train_info, "history"), title, a->plot_path) < 0)
        die_err(EXIT_FAIL);
    if (!a->quiet) fprintf(stderr, "%s: wrote %s\n", a->cmd, a->plot_path);
}

/* distill: the student's labels are the teacher's, in its order (the data
 * may lack some of them) */
static void set_labels(model *m, const train_targets *t)
{
    for (int i = 0; i < m->nlabels; i++) free(m->labels[i]);
    free(m->labels);
    m->labels = xcalloc((size_t)t->nlabels, sizeof *m->labels);
    for (int i = 0; i < t->nlabels; i++) m->labels[i] = xstrdup(t->labels[i]);
    m->nlabels = t->nlabels;
}

/* A copy of the rows' soft targets [n, K] into e. */
static void attach_soft(encoded *e, const model *m, const float *soft)
{
    e->K = m->nlabels == 2 ? 1 : m->nlabels;
    e->soft = xmalloc(e->n * (size_t)e->K * sizeof *e->soft + 1);
    memcpy(e->soft, soft, e->n * (size_t)e->K * sizeof *e->soft);
}

/* --resume: the data must be the checkpoint's (same file, --exclude and
 * split), else the run would go on over other rows without a word. */
static void check_resumed_rows(const train_args *a, const model *m, const dataset *tr)
{
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive(m->train_info, "rows");
    if (cJSON_IsNumber(rows) && rows->valuedouble != (double)tr->n)
        die(EXIT_FAIL, "%s: the checkpoint's run trained on %.0f rows, %s gives %zu: resume with the same data (and the same --exclude files)",
            a->resume_path, rows->valuedouble, a->train_path, tr->n);
}

/* The bag's default (trainer.h TRAIN_DEFAULT_BAG): on for text that is not
 * Chinese, off for Chinese, as chosen on the dev splits (--autotune-val
 * searches it, and under --autotune-modelsize shrinks it first).  Its
 * default buckets follow the vocabulary: 8 per word, a power of two from
 * 1024 to TRAIN_DEFAULT_BAG_BUCKETS (mr's 17,861 words: the maximum), so a
 * small data set's table stays small. */
static void decide_bag(train_args *a, const model *m, const dataset *tr)
{
    if (!a->keras && !given(a, O_BAG)) {
        int zh = m->tok.lang == LANG_ZH || (m->tok.lang == LANG_AUTO && texts_are_chinese(tr->text, own_rows(a, tr)));
        a->nc.bag_dim = zh ? 0 : TRAIN_DEFAULT_BAG;
        if (!a->nc.bag_dim && given(a, O_BAG_BUCKETS))
            usage_error(a->spec, "--bag-buckets sizes the bag, off by default for Chinese text: give --bag G too");
    }
    if (a->nc.bag_dim && !given(a, O_BAG_BUCKETS)) {
        int nb = 1024;
        while (nb < TRAIN_DEFAULT_BAG_BUCKETS && (size_t)nb < 8 * m->voc.n) nb *= 2;
        a->nc.bag_buckets = nb;
    }
}

/* "N word pairs, M character 3-6-grams": what a head counts beyond words */
static const char *nb_what(const nb_head *h, char *buf, size_t size)
{
    int k = snprintf(buf, size, "%lld word pairs", (long long)h->npairs);
    if (h->F && k > 0 && (size_t)k < size)
        snprintf(buf + k, size - (size_t)k, ", %d character %d-%d-grams", (int)h->F, h->fmin, h->fmax);
    return buf;
}

nb_head *trainer_count_head(const train_args *a, const model *m, const encoded *tr)
{
    nb_wordfeats wf = { 0 };
    int32_t *foff = NULL, *ffeat = NULL;
    if (a->nb_cmax > 0) {   /* the words' character n-grams (text/chargrams.h) */
        chargram_features(&m->voc, a->nb_cmin, a->nb_cmax, &foff, &ffeat, &wf.F);
        wf = (nb_wordfeats){ wf.F, foff, ffeat, a->nb_cmin, a->nb_cmax };
    }
    /* classes: the labels' (a sigmoid network's two too) */
    nb_head *h = nbhead_count(tr->ids, tr->y, tr->n, tr->T, (int32_t)m->voc.n, m->nlabels, NBHEAD_DEFAULT_ALPHA,
                              a->nb_cmax > 0 ? &wf : NULL);
    free(foff);
    free(ffeat);
    return h;
}

/* --naive-bayes: a naive Bayes head (nn/nbhead.h) counted on the training
 * rows, its mix with the network weighed on the validation rows (va, NULL
 * without); kept when it lowers their log loss at all.  A weight and scale
 * given (--naive-bayes-weight/-scale) are not chosen: with both, no
 * validation rows are needed. */
static void add_naive_bayes(const train_args *a, model *m, const encoded *tr, const encoded *va)
{
    net *n = m->net;
    const int K = n->cfg.n_out;
    const int fixed = !isnan(a->nb_weight) && !isnan(a->nb_scale);
    if ((!va || !va->n) && !fixed) {
        if (!a->quiet) fprintf(stderr, "%s: note: no validation rows: no naive Bayes head\n", a->cmd);
        return;
    }
    char what[96];
    nb_head *h = trainer_count_head(a, m, tr);
    if (!va || !va->n) {   /* both given */
        h->weight = a->nb_weight;
        h->scale = a->nb_scale;
        if (!(h->weight > 0)) {
            if (!a->quiet) fprintf(stderr, "%s: naive Bayes head: weight 0: not kept\n", a->cmd);
            nbhead_free(h);
            return;
        }
        n->nb = h;
        if (!a->quiet)
            fprintf(stderr, "%s: naive Bayes head: %s; weight %g, scale %g (given)\n", a->cmd, nb_what(h, what, sizeof what),
                    h->weight, h->scale);
        return;
    }
    float *probs = xmalloc(va->n * (size_t)K * sizeof *probs);
    eval_result r;
    evaluate(m, va, a->to.batch, a->to.threads, &r, probs);
    double acc0 = r.accuracy, l0, l1;
    eval_result_free(&r);
    nbhead_fit(h, va->ids, va->y, va->n, va->T, probs, K, a->nb_weight, a->nb_scale, &l0, &l1);
    if (!(h->weight > 0)) {
        if (!a->quiet) fprintf(stderr, "%s: naive Bayes head: no weight lowers the validation log loss (%.4f): not kept\n", a->cmd, l0);
        nbhead_free(h);
        free(probs);
        return;
    }
    n->nb = h;
    if (!a->quiet) {   /* the validation rows' accuracy with it: their probabilities mixed, not a second pass */
        nbhead_mix(h, (int)va->n, va->T, va->ids, probs, K);
        size_t right = 0;
        for (size_t i = 0; i < va->n; i++) right += decide_class(probs + i * K, K, DECIDE_THRESHOLD) == va->y[i];
        fprintf(stderr, "%s: naive Bayes head: %s; weight %g, scale %g; validation log loss %.4f -> %.4f, accuracy %.4f -> %.4f\n",
                a->cmd, nb_what(h, what, sizeof what), h->weight, h->scale, l0, l1, acc0, (double)right / (double)va->n);
    }
    free(probs);
}

void trainer_run(train_args *a, dataset *tr, dataset *va, const train_targets *targets)
{
    model m;
    train_state st;
    open_model(a, tr, va, &m, &st);
    if (a->resume_path) check_resumed_rows(a, &m, tr);
    if (a->resume_path) {   /* the run's head is counted again at its end, not mixed into its validation */
        int had = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m.train_info, "naive_bayes")) || m.net->nb;
        a->naive_bayes = on_off(a, O_NAIVE_BAYES, O_NO_NAIVE_BAYES, "naive-bayes", had);
        const cJSON *w = cJSON_GetObjectItemCaseSensitive(m.train_info, "naive_bayes_weight"),
                    *s = cJSON_GetObjectItemCaseSensitive(m.train_info, "naive_bayes_scale");
        if (cJSON_IsNumber(w)) a->nb_weight = w->valuedouble;
        if (cJSON_IsNumber(s)) a->nb_scale = s->valuedouble;
        /* the head's character n-grams as the run began (none in a checkpoint from before them) */
        const cJSON *ch = cJSON_GetObjectItemCaseSensitive(m.train_info, "naive_bayes_chars");
        const cJSON *lo = cJSON_GetArrayItem(ch, 0), *hi = cJSON_GetArrayItem(ch, 1);
        int ok = cJSON_IsNumber(lo) && cJSON_IsNumber(hi) && lo->valueint >= 1 && hi->valueint >= lo->valueint &&
                 hi->valueint <= CHARGRAM_MAX_N;
        a->nb_cmin = ok ? lo->valueint : 0;
        a->nb_cmax = ok ? hi->valueint : 0;
        /* a first run of --refit: resumed, the second follows with its options (cmd_train) */
        const cJSON *ra = cJSON_GetObjectItemCaseSensitive(m.train_info, "refit_args");
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m.train_info, "refit")) && cJSON_IsArray(ra)) {
            a->refit_resumed = 1;
            a->refit_args = cJSON_Duplicate(ra, 1);
        }
        nbhead_free(m.net->nb);
        m.net->nb = NULL;
    }
    if (targets && !a->resume_path) set_labels(&m, targets);
    if (!a->resume_path) decide_multilabel(a, &m, tr, va);
    if (m.multilabel && a->naive_bayes) {   /* some rows have 2+ labels */
        if (given(a, O_NAIVE_BAYES)) usage_error(a->spec, "--naive-bayes: one label a row only, and %s has rows with several", tr->path);
        a->naive_bayes = 0;
    }
    if (!a->resume_path) decide_bag(a, &m, tr);
    if (!a->resume_path) shape_model(a, &m, tr, va);
    if (!a->resume_path) model_set_match_unknown(&m, a->match_unknown);
    encoded etr, eva;
    encode_data(a, &m, tr, va, &etr, &eva);
    if (targets) {
        attach_soft(&etr, &m, targets->soft_tr);
        if (va->n) attach_soft(&eva, &m, targets->soft_va);
    }
    if (!a->resume_path && !a->autotune) {   /* the search makes its own networks */
        int encoder = m.pretrained != NULL;
        if (setup_network(&m, &a->nc, &a->to) < 0) die_err(EXIT_FAIL);
        train_opts_to_json(&a->to, m.train_info = cJSON_CreateObject(), tr->path, tr->n,
                           a->embed != NULL || a->word2vec || ((a->word2vec_auto || a->from) && m.embed_info));
        if (encoder) cJSON_AddStringToObject(m.train_info, "encoder", a->from);
        if (a->naive_bayes) cJSON_AddTrueToObject(m.train_info, "naive_bayes");
        if (a->naive_bayes && !isnan(a->nb_weight)) cJSON_AddNumberToObject(m.train_info, "naive_bayes_weight", a->nb_weight);
        if (a->naive_bayes && !isnan(a->nb_scale)) cJSON_AddNumberToObject(m.train_info, "naive_bayes_scale", a->nb_scale);
        if (a->naive_bayes && a->nb_cmax > 0) {
            int r[2] = { a->nb_cmin, a->nb_cmax };
            cJSON_AddItemToObject(m.train_info, "naive_bayes_chars", cJSON_CreateIntArray(r, 2));
        }
        if (a->refit) cJSON_AddTrueToObject(m.train_info, "refit");
        if (a->refit && a->refit_args) cJSON_AddItemToObject(m.train_info, "refit_args", cJSON_Duplicate(a->refit_args, 1));
        if (a->refit_epochs) cJSON_AddNumberToObject(m.train_info, "refit_of_epochs", a->refit_epochs);
        if (targets) cJSON_AddStringToObject(m.train_info, "teacher", targets->teacher);
        if (targets) cJSON_AddNumberToObject(m.train_info, "hard_weight", targets->hard_weight);
        if (targets && targets->augment) {
            cJSON_AddNumberToObject(m.train_info, "augment", targets->augment);
            cJSON_AddNumberToObject(m.train_info, "augmented_rows", (double)(tr->n - own_rows(a, tr)));
            const struct augment_opts *g = targets->aug;
            cJSON *j = cJSON_AddObjectToObject(m.train_info, "augment_settings");
            cJSON_AddNumberToObject(j, "drop", g->p_drop);
            cJSON_AddNumberToObject(j, "swap", g->p_swap);
            cJSON_AddNumberToObject(j, "near", g->near);
            cJSON_AddNumberToObject(j, "pool", (double)g->pool);
            cJSON_AddNumberToObject(j, "span", g->p_span);
            cJSON_AddNumberToObject(j, "span_max", g->span_max);
        }
        cli_note_excluded(m.train_info, &a->co, tr->excluded + va->excluded);
    }
    float *cw = a->to.class_weight ? class_weights(&etr, m.nlabels) : NULL;
    a->to.class_w = cw;
    progress pg;
    progress_attach(&pg, a->cmd, &a->to);
    cli_note_idle_ranks(a->cmd, a->to.shards, a->quiet);
    int rc = a->autotune ? cli_autotune_run(a, &m, tr, &etr, &eva)
                         : train_run(&m, &etr, va->n ? &eva : NULL, &a->to, a->resume_path ? &st : NULL);
    if (rc < 0) die_err(EXIT_FAIL);
    if (rc == TRAIN_INTERRUPTED) cli_exit_interrupted(progress_signal());
    if (dist_rank() == 0) {   /* an MPI job: rank 0 writes */
        if (a->naive_bayes) add_naive_bayes(a, &m, &etr, va->n ? &eva : NULL);
        write_outputs(a, &m, tr);
    }
    if ((a->refit || a->refit_resumed) && va->n) {   /* what trainer_refit trains with */
        const cJSON *be = cJSON_GetObjectItemCaseSensitive(m.train_info, "best_epoch");
        a->refit_epochs = cJSON_IsNumber(be) && be->valueint > 0 ? be->valueint : a->to.epochs;
        a->refit_weight = m.net->nb ? m.net->nb->weight : NAN;
        a->refit_scale = m.net->nb ? m.net->nb->scale : NAN;
    }
    free(cw);
    encoded_free(&etr);
    if (va->n) encoded_free(&eva);
    model_free(&m);
}

/* The rows of tr and va (split_validation's two parts, each in file
 * order) merged back into file order by their line numbers, into all
 * (which borrows their strings: free all's arrays only). */
static void merge_rows(const dataset *tr, const dataset *va, dataset *all)
{
    memset(all, 0, sizeof *all);
    size_t n = tr->n + va->n, i = 0, j = 0;
    all->text = xmalloc((n ? n : 1) * sizeof *all->text);
    all->label = xmalloc((n ? n : 1) * sizeof *all->label);
    all->line = xmalloc((n ? n : 1) * sizeof *all->line);
    all->path = tr->path;
    all->multi = tr->multi || va->multi;
    all->skipped_empty = tr->skipped_empty;
    all->bad_utf8 = tr->bad_utf8;
    all->excluded = tr->excluded + va->excluded;
    for (size_t k = 0; k < n; k++) {
        const dataset *from = j >= va->n || (i < tr->n && tr->line[i] < va->line[j]) ? tr : va;
        size_t r = from == tr ? i++ : j++;
        all->text[k] = from->text[r];
        all->label[k] = from->label[r];
        all->line[k] = from->line[r];
    }
    all->n = n;
}

int trainer_refit_prepare(train_args *a, const dataset *va, size_t rows)
{
    if (!a->refit) return 0;
    if (!va->n) {   /* a small file: no split was made, so nothing was chosen */
        if (!a->quiet) fprintf(stderr, "%s: note: no validation rows: no refit\n", a->cmd);
        return 0;
    }
    a->to.val_split = 0;
    a->to.early_stop = 0;
    a->to.epochs = a->refit_epochs;
    a->val_auto = 0;
    a->resume_path = NULL;
    a->refit = 0;   /* not again */
    a->to.log_append = 1;   /* --log: the second run's epochs after the first's */
    a->naive_bayes = !isnan(a->refit_weight);
    a->nb_weight = a->refit_weight;
    a->nb_scale = a->refit_scale;
    if (!a->quiet) {
        fprintf(stderr, "%s: --refit: training again on all %zu rows for %d epoch%s", a->cmd, rows, a->to.epochs,
                a->to.epochs == 1 ? "" : "s");
        if (a->naive_bayes) fprintf(stderr, ", naive Bayes weight %g, scale %g", a->nb_weight, a->nb_scale);
        fprintf(stderr, "\n");
    }
    return 1;
}

void trainer_refit(train_args *a, dataset *tr, dataset *va)
{
    if (!trainer_refit_prepare(a, va, tr->n + va->n)) return;
    dataset all;
    merge_rows(tr, va, &all);
    trainer_run(a, &all, &(dataset){ 0 }, NULL);
    free(all.text);
    free(all.label);
    free(all.line);
}

cJSON *trainer_args_json(int argc, char **argv)
{
    cJSON *j = cJSON_CreateArray();
    for (int i = 1; i < argc; i++) cJSON_AddItemToArray(j, cJSON_CreateString(argv[i]));
    return j;
}

char **trainer_args_argv(const cJSON *args, const char *cmd, int *argc)
{
    int n = cJSON_GetArraySize(args);
    char **argv = xmalloc(((size_t)n + 2) * sizeof *argv);
    argv[0] = xstrdup(cmd);
    for (int i = 0; i < n; i++) {
        const cJSON *s = cJSON_GetArrayItem(args, i);
        argv[i + 1] = xstrdup(cJSON_IsString(s) ? s->valuestring : "");
    }
    argv[n + 1] = NULL;
    *argc = n + 1;
    return argv;
}

void trainer_args_free(char **argv, int argc)
{
    for (int i = 0; i < argc; i++) free(argv[i]);
    free(argv);
}

void trainer_refit_resumed_args(train_args *b, const train_args *a)
{
    b->train_path = a->train_path;
    b->out = b->to.out = a->out;
    b->quiet = a->quiet;
    b->to.quiet = a->to.quiet;
    b->to.threads = a->to.threads;
    b->refit_epochs = a->refit_epochs;
    b->refit_weight = a->refit_weight;
    b->refit_scale = a->refit_scale;
}
